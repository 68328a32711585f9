/*
 * db_schema.h - the repository's tables, one text per backend and
 * version, shared by db_sqlite.c and db_pg.c.
 *
 * Version 1. Times are seconds since the epoch and days are days since
 * 1970-01-01 (UTC), as integers in both backends, so the two answer
 * every query alike. A migration to version N runs the texts of versions
 * up to N in one transaction and records N in schema_version.
 *
 * rollup is keyed by country and operator type first, so a filtered
 * question seeks to each (country, type) pair it selects and reads only
 * its days; rollup_all answers unfiltered ones by day alone.
 */
#ifndef WINNOW_REPOSITORY_DB_SCHEMA_H
#define WINNOW_REPOSITORY_DB_SCHEMA_H

#define WN_DB_SCHEMA_VERSION 1

/*
 * The tables, with the types as each backend names them: INT is a 64-bit
 * integer, ID an auto-numbered key, WR a clause closing a table that
 * SQLite keeps as a plain B-tree on its primary key.
 */
#define WN_DB_SCHEMA_V1(INT, ID, WR) \
	"CREATE TABLE reporters (" \
	" key_id TEXT PRIMARY KEY," \
	" public_key TEXT NOT NULL," \
	" name TEXT NOT NULL," \
	" country TEXT NOT NULL," \
	" operator_type TEXT NOT NULL DEFAULT ''," \
	" added " INT " NOT NULL," \
	" revoked " INT ");" \
	"CREATE TABLE reports (" \
	" id " ID "," \
	" report_id TEXT NOT NULL UNIQUE," \
	" key_id TEXT NOT NULL REFERENCES reporters (key_id)," \
	" period_start " INT " NOT NULL," \
	" period_end " INT " NOT NULL," \
	" day " INT " NOT NULL," \
	" country TEXT NOT NULL," \
	" declared_country TEXT NOT NULL," \
	" operator_type TEXT NOT NULL," \
	" sharing TEXT NOT NULL," \
	" software_version TEXT NOT NULL," \
	" digest TEXT NOT NULL," \
	" received " INT " NOT NULL," \
	" body TEXT NOT NULL);" \
	"CREATE INDEX reports_day ON reports (day);" \
	"CREATE INDEX reports_key_id ON reports (key_id);" \
	"CREATE TABLE nonces (" \
	" key_id TEXT NOT NULL," \
	" nonce TEXT NOT NULL," \
	" seen " INT " NOT NULL," \
	" PRIMARY KEY (key_id, nonce))" WR ";" \
	"CREATE INDEX nonces_seen ON nonces (seen);" \
	"CREATE TABLE rollup (" \
	" day " INT " NOT NULL," \
	" country TEXT NOT NULL," \
	" operator_type TEXT NOT NULL," \
	" metric TEXT NOT NULL," \
	" key TEXT NOT NULL," \
	" value " INT " NOT NULL," \
	" PRIMARY KEY (country, operator_type, day, metric, key))" WR ";" \
	"CREATE TABLE rollup_all (" \
	" day " INT " NOT NULL," \
	" metric TEXT NOT NULL," \
	" key TEXT NOT NULL," \
	" value " INT " NOT NULL," \
	" PRIMARY KEY (day, metric, key))" WR ";" \
	"CREATE TABLE presence (" \
	" day " INT " NOT NULL," \
	" key_id TEXT NOT NULL," \
	" country TEXT NOT NULL," \
	" operator_type TEXT NOT NULL," \
	" PRIMARY KEY (day, key_id))" WR ";"

#define WN_DB_SQLITE_V1 \
	WN_DB_SCHEMA_V1("INTEGER", "INTEGER PRIMARY KEY", " WITHOUT ROWID")
#define WN_DB_PG_V1 \
	WN_DB_SCHEMA_V1("BIGINT", "BIGSERIAL PRIMARY KEY", "")

#endif
