/*
 * db_schema.h - the repository's tables, one text per backend and
 * version, shared by db_sqlite.c and db_pg.c.
 *
 * Version 1: reporters, reports, nonces and rollups. Version 2 adds the
 * rule-set channels: maintainers, rule-set names and their owners, the
 * versions with their package bytes, and the rules of each version.
 * Version 3 adds cooperative bulk sharing (docs/arch/bulk-sharing.md):
 * the fingerprint keys reporters sent, the blocked keys, and a counter
 * that every block and unblock raises.
 * Times are seconds since the epoch and days are days since 1970-01-01
 * (UTC), as integers in both backends, so the two answer every query
 * alike. A migration from version M to N runs the texts of versions M+1
 * to N in one transaction and records N in schema_version, so an
 * existing database upgrades in place.
 *
 * rollup is keyed by country and operator type first, so a filtered
 * question seeks to each (country, type) pair it selects and reads only
 * its days; rollup_all answers unfiltered ones by day alone. Its rows
 * are (metric, key, value), so a new counter of the report is a new
 * metric and no new version: bulk detections (bulk_ham/..., bulk_spam/...,
 * rollup.h) came that way, and a database of version 2 takes them as it
 * is. Stored reports from before had no bulk section, so there is
 * nothing to fill in for them either.
 */
#ifndef WINNOW_REPOSITORY_DB_SCHEMA_H
#define WINNOW_REPOSITORY_DB_SCHEMA_H

#define WN_DB_SCHEMA_VERSION 3

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

/*
 * Version 2, with BLOB and REAL as each backend names them. A set's
 * owner is a maintainer name (several keys may share one); a version's
 * revocation is not stored but read from its signer's key, so revoking
 * a key withdraws every version it signed at once.
 */
#define WN_DB_SCHEMA_V2(INT, ID, WR, BLOB, REAL) \
	"CREATE TABLE maintainers (" \
	" key_id TEXT PRIMARY KEY," \
	" public_key TEXT NOT NULL," \
	" name TEXT NOT NULL," \
	" added " INT " NOT NULL," \
	" revoked " INT ");" \
	"CREATE TABLE rulesets (" \
	" name TEXT PRIMARY KEY," \
	" maintainer TEXT NOT NULL," \
	" description TEXT NOT NULL," \
	" created " INT " NOT NULL)" WR ";" \
	"CREATE TABLE ruleset_versions (" \
	" id " ID "," \
	" name TEXT NOT NULL REFERENCES rulesets (name)," \
	" version TEXT NOT NULL," \
	" stage TEXT NOT NULL," \
	" sha256 TEXT NOT NULL," \
	" size " INT " NOT NULL," \
	" key_id TEXT NOT NULL REFERENCES maintainers (key_id)," \
	" published " INT " NOT NULL," \
	" promoted " INT "," \
	" n_rules " INT " NOT NULL," \
	" n_tests " INT " NOT NULL," \
	" package " BLOB " NOT NULL," \
	" UNIQUE (name, version));" \
	"CREATE TABLE ruleset_rules (" \
	" version_id " INT " NOT NULL REFERENCES ruleset_versions (id)," \
	" rule TEXT NOT NULL," \
	" score " REAL " NOT NULL," \
	" describe TEXT NOT NULL," \
	" scoring " INT " NOT NULL," \
	" PRIMARY KEY (version_id, rule))" WR ";"

/*
 * Version 3. bulk_keys holds one row per key, reporter key and day (the
 * day its report's period starts), and per text for a band key: a key is
 * a 64-bit value stored as the signed integer of the same bits, kind 'd'
 * (text digest) or 'b' (band), digest the 'd' key of the text it came
 * with (for a 'd' key, itself), so that blocking a text takes its bands
 * along. The primary key starts with the day, so the feed's question
 * (the keys of the last days, counted by distinct reporter) and the purge
 * of old days each read one range. A report of another fingerprint
 * version is stored with it and left out of the count. bulk_blocks lists
 * the keys the administrator took out of the feed; bulk_state holds one
 * row whose generation every block and unblock raises in its
 * transaction, so a server caching the feed sees a change with one small
 * read.
 */
#define WN_DB_SCHEMA_V3(INT, WR) \
	"CREATE TABLE bulk_keys (" \
	" day " INT " NOT NULL," \
	" kind TEXT NOT NULL," \
	" key " INT " NOT NULL," \
	" key_id TEXT NOT NULL," \
	" digest " INT " NOT NULL," \
	" fingerprint_version " INT " NOT NULL," \
	" PRIMARY KEY (day, kind, key, key_id, digest))" WR ";" \
	"CREATE TABLE bulk_blocks (" \
	" kind TEXT NOT NULL," \
	" key " INT " NOT NULL," \
	" reason TEXT NOT NULL," \
	" blocked " INT " NOT NULL," \
	" PRIMARY KEY (kind, key))" WR ";" \
	"CREATE TABLE bulk_state (" \
	" generation " INT " NOT NULL);" \
	"INSERT INTO bulk_state (generation) VALUES (0);"

#define WN_DB_SQLITE_V1 \
	WN_DB_SCHEMA_V1("INTEGER", "INTEGER PRIMARY KEY", " WITHOUT ROWID")
#define WN_DB_PG_V1 \
	WN_DB_SCHEMA_V1("BIGINT", "BIGSERIAL PRIMARY KEY", "")
#define WN_DB_SQLITE_V2 \
	WN_DB_SCHEMA_V2("INTEGER", "INTEGER PRIMARY KEY", " WITHOUT ROWID", \
	    "BLOB", "REAL")
#define WN_DB_PG_V2 \
	WN_DB_SCHEMA_V2("BIGINT", "BIGSERIAL PRIMARY KEY", "", "BYTEA", \
	    "DOUBLE PRECISION")
#define WN_DB_SQLITE_V3 WN_DB_SCHEMA_V3("INTEGER", " WITHOUT ROWID")
#define WN_DB_PG_V3 WN_DB_SCHEMA_V3("BIGINT", "")

#endif
