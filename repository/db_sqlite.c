/*
 * db_sqlite.c - the SQLite backend of the repository database.
 *
 * WAL journal with synchronous=NORMAL: a commit is durable against a
 * process crash, and against power loss up to the last checkpoint, which
 * is what a repository that senders retry against needs. One writer
 * connection behind a mutex does every write, so writers queue in the
 * process rather than spin on SQLITE_BUSY; readers take a connection of
 * their own from a pool and read while the writer writes. Each connection
 * prepares its statements once and reuses them. The busy timeout covers
 * other processes (the reporter commands) writing at the same time.
 * The rule-set channels are in db_sqlite_rulesets.c, the keys of bulk
 * sharing in db_sqlite_bulk.c (db_sqlite_int.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/log.h>

#include "day.h"
#include "db.h"
#include "db_schema.h"
#include "db_sqlite_int.h"

static const char *const wn_sq_sql[WN_SQ_COUNT] = {
	[WN_SQ_REPORTER_ADD] = "INSERT INTO reporters (key_id, public_key, "
	    "name, country, operator_type, added) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6)",
	[WN_SQ_REPORTER_GET] = "SELECT key_id, public_key, name, country, "
	    "operator_type, added, revoked FROM reporters WHERE key_id = ?1",
	[WN_SQ_REPORTER_LIST] = "SELECT key_id, public_key, name, country, "
	    "operator_type, added, revoked FROM reporters ORDER BY key_id",
	[WN_SQ_REPORTER_REVOKE] = "UPDATE reporters SET revoked = ?2 "
	    "WHERE key_id = ?1 AND revoked IS NULL",
	[WN_SQ_NONCE_SEEN] = "SELECT 1 FROM nonces WHERE key_id = ?1 AND "
	    "nonce = ?2",
	[WN_SQ_NONCE_ADD] = "INSERT INTO nonces (key_id, nonce, seen) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
	[WN_SQ_NONCE_PURGE] = "DELETE FROM nonces WHERE seen < ?1",
	[WN_SQ_REPORT_ADD] = "INSERT INTO reports (report_id, key_id, "
	    "period_start, period_end, day, country, declared_country, "
	    "operator_type, sharing, software_version, digest, received, "
	    "body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
	    "?12, ?13) ON CONFLICT (report_id) DO NOTHING",
	[WN_SQ_REPORT_DIGEST] = "SELECT digest FROM reports WHERE "
	    "report_id = ?1",
	[WN_SQ_ROLLUP] = "INSERT INTO rollup (day, country, operator_type, "
	    "metric, key, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT (country, operator_type, day, metric, key) "
	    "DO UPDATE SET value = value + excluded.value",
	[WN_SQ_ROLLUP_ALL] = "INSERT INTO rollup_all (day, metric, key, "
	    "value) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (day, metric, key) "
	    "DO UPDATE SET value = value + excluded.value",
	[WN_SQ_PRESENCE] = "INSERT INTO presence (day, key_id, country, "
	    "operator_type) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
	[WN_SQ_ROWS_ALL] = "SELECT day, metric, key, value FROM rollup_all "
	    "WHERE day BETWEEN ?1 AND ?2 ORDER BY day, metric, key",
	/* Every country and type a rollup row can have, listed, so that
	 * SQLite seeks to each pair rather than scanning all. */
	[WN_SQ_ROWS_FILTER] = "SELECT day, metric, key, SUM(value) FROM "
	    "rollup WHERE country IN (SELECT DISTINCT country FROM reporters "
	    "WHERE ?3 = '' OR country = ?3) AND operator_type IN (SELECT "
	    "column1 FROM (VALUES ('isp'), ('hosting'), ('enterprise'), "
	    "('education'), ('government'), ('other')) WHERE ?4 = '' OR "
	    "column1 = ?4) AND day BETWEEN ?1 AND ?2 GROUP BY day, metric, "
	    "key ORDER BY day, metric, key",
	[WN_SQ_REPORTERS] = "SELECT COUNT(DISTINCT key_id) FROM presence "
	    "WHERE day BETWEEN ?1 AND ?2 AND (?3 = '' OR country = ?3) "
	    "AND (?4 = '' OR operator_type = ?4)",
	[WN_SQ_COUNTRIES] = "SELECT DISTINCT country FROM reporters "
	    "ORDER BY country",
	[WN_SQ_BEGIN] = "BEGIN IMMEDIATE",
	[WN_SQ_COMMIT] = "COMMIT",
	[WN_SQ_ROLLBACK] = "ROLLBACK",
};

void
wn__sq_log(wn_db_sqlite *s, sqlite3 *db, const char *what)
{
	wn_log_err("database sqlite:%s: %s: %s", s->path, what,
	    db ? sqlite3_errmsg(db) : "cannot allocate a connection");
}

static void
wn_sq_conn_close(wn_sq_conn *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < WN_SQ_COUNT; i++)
		sqlite3_finalize(c->st[i]);
	for (i = 0; i < WN__SQ_RS_SLOTS; i++)
		sqlite3_finalize(c->rs[i]);
	for (i = 0; i < WN__SQ_BK_SLOTS; i++)
		sqlite3_finalize(c->bk[i]);
	sqlite3_close(c->db);
	wn_free(c);
}

static int
wn_sq_conn_open(wn_db_sqlite *s, wn_sq_conn **out)
{
	static const char pragmas[] = "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA cache_size = -16000;"
	    "PRAGMA temp_store = MEMORY;";
	wn_sq_conn *c = wn_calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (c == NULL)
		return WN_ENOMEM;
	rc = sqlite3_open_v2(s->path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(c->db, 10000);
		rc = sqlite3_exec(c->db, pragmas, NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		wn__sq_log(s, c->db, "open");
		wn_sq_conn_close(c);
		return WN_EIO;
	}
	*out = c;
	return 0;
}

sqlite3_stmt *
wn__sq_prepared(wn_db_sqlite *s, wn_sq_conn *c, sqlite3_stmt **slot,
    const char *sql)
{
	if (*slot == NULL) {
		if (sqlite3_prepare_v3(c->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK) {
			wn__sq_log(s, c->db, "prepare");
			return NULL;
		}
	}
	return *slot;
}

/* the prepared statement i of c, reset and unbound; NULL after logging */
static sqlite3_stmt *
wn_sq_stmt(wn_db_sqlite *s, wn_sq_conn *c, int i)
{
	return wn__sq_prepared(s, c, &c->st[i], wn_sq_sql[i]);
}

void
wn__sq_done(sqlite3_stmt *st)
{
	if (st != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

/* run a statement that returns no rows (or whose rows do not matter) */
int
wn__sq_run(wn_db_sqlite *s, wn_sq_conn *c, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	wn__sq_done(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		wn__sq_log(s, c->db, what);
		return WN_EIO;
	}
	return 0;
}

int
wn__sq_exec(wn_db_sqlite *s, wn_sq_conn *c, int i, const char *what)
{
	sqlite3_stmt *st = wn_sq_stmt(s, c, i);

	return st == NULL ? WN_EIO : wn__sq_run(s, c, st, what);
}

void
wn__sq_text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

int
wn__sq_reader(wn_db_sqlite *s, wn_sq_conn **out)
{
	pthread_mutex_lock(&s->plock);
	*out = s->readers;
	if (*out != NULL)
		s->readers = (*out)->next;
	pthread_mutex_unlock(&s->plock);
	return *out != NULL ? 0 : wn_sq_conn_open(s, out);
}

void
wn__sq_release(wn_db_sqlite *s, wn_sq_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&s->plock);
	c->next = s->readers;
	s->readers = c;
	pthread_mutex_unlock(&s->plock);
}

/* a reader connection and one of its prepared statements */
static int
wn_sq_read_stmt(wn_db_sqlite *s, int which, wn_sq_conn **c,
    sqlite3_stmt **st)
{
	return wn__sq_reader_stmt(s, wn_sq_stmt, which, c, st);
}

/* --- schema ---------------------------------------------------------- */

static int
wn_sq_migrate(wn_db_sqlite *s, wn_sq_conn *c)
{
	sqlite3_stmt *st = NULL;
	int version = 0, rc;
	char sql[128];

	if (sqlite3_exec(c->db, "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS "
	    "schema_version (version INTEGER NOT NULL)", NULL, NULL,
	    NULL) != SQLITE_OK) {
		wn__sq_log(s, c->db, "create schema_version");
		return WN_EIO;
	}
	rc = sqlite3_prepare_v2(c->db, "SELECT MAX(version) FROM "
	    "schema_version", -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > WN_DB_SCHEMA_VERSION) {
		wn_log_err("database sqlite:%s: schema version %d is newer "
		    "than this program's (%d)", s->path, version,
		    WN_DB_SCHEMA_VERSION);
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		return WN_EFORMAT;
	}
	rc = SQLITE_OK;
	if (version < 1)
		rc = sqlite3_exec(c->db, WN_DB_SQLITE_V1, NULL, NULL, NULL);
	if (rc == SQLITE_OK && version < 2)
		rc = sqlite3_exec(c->db, WN_DB_SQLITE_V2, NULL, NULL, NULL);
	if (rc == SQLITE_OK && version < 3)
		rc = sqlite3_exec(c->db, WN_DB_SQLITE_V3, NULL, NULL, NULL);
	if (rc == SQLITE_OK && version < WN_DB_SCHEMA_VERSION) {
		snprintf(sql, sizeof(sql), "DELETE FROM schema_version; INSERT "
		    "INTO schema_version VALUES (%d)", WN_DB_SCHEMA_VERSION);
		rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		wn__sq_log(s, c->db, "create the schema");
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		return WN_EIO;
	}
	return 0;
}

/* --- reporters ------------------------------------------------------- */

static int
wn_sq_reporter_add(wn_repo_db *db, const wn_reporter *r)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	sqlite3_stmt *st;
	char pk[80];
	int rc;

	wn_pubkey_format(&r->key, pk, sizeof(pk));
	pthread_mutex_lock(&s->wlock);
	if ((st = wn_sq_stmt(s, s->writer, WN_SQ_REPORTER_ADD)) == NULL) {
		pthread_mutex_unlock(&s->wlock);
		return WN_EIO;
	}
	wn__sq_text(st, 1, r->key.id);
	wn__sq_text(st, 2, pk);
	wn__sq_text(st, 3, r->name);
	wn__sq_text(st, 4, r->country);
	wn__sq_text(st, 5, r->operator_type);
	sqlite3_bind_int64(st, 6, r->added);
	rc = sqlite3_step(st);
	wn__sq_done(st);
	if (rc == SQLITE_CONSTRAINT)
		rc = WN_EINVAL;
	else if (rc != SQLITE_DONE) {
		wn__sq_log(s, s->writer->db, "add reporter");
		rc = WN_EIO;
	} else
		rc = 0;
	pthread_mutex_unlock(&s->wlock);
	return rc;
}

static void
wn_sq_reporter_row(sqlite3_stmt *st, wn_reporter *r)
{
	const char *pk = (const char *)sqlite3_column_text(st, 1);

	memset(r, 0, sizeof(*r));
	if (pk == NULL || wn_pubkey_parse(pk, strlen(pk), &r->key) != 0)
		memset(&r->key, 0, sizeof(r->key));
	snprintf(r->key.id, sizeof(r->key.id), "%s",
	    (const char *)sqlite3_column_text(st, 0));
	snprintf(r->name, sizeof(r->name), "%s",
	    (const char *)sqlite3_column_text(st, 2));
	snprintf(r->country, sizeof(r->country), "%s",
	    (const char *)sqlite3_column_text(st, 3));
	snprintf(r->operator_type, sizeof(r->operator_type), "%s",
	    (const char *)sqlite3_column_text(st, 4));
	r->added = sqlite3_column_int64(st, 5);
	r->revoked = sqlite3_column_int64(st, 6);
}

static int
wn_sq_reporter_get(wn_repo_db *db, const char *key_id, wn_reporter *out)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	sqlite3_stmt *st;
	wn_sq_conn *c;
	int rc;

	if ((rc = wn_sq_read_stmt(s, WN_SQ_REPORTER_GET, &c, &st)) != 0)
		return rc;
	wn__sq_text(st, 1, key_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		wn_sq_reporter_row(st, out);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = WN_ENOENT;
	} else {
		wn__sq_log(s, c->db, "look up reporter");
		rc = WN_EIO;
	}
	wn__sq_done(st);
	wn__sq_release(s, c);
	return rc;
}

static int
wn_sq_reporter_list(wn_repo_db *db, wn_arena *a, wn_reporter **out,
    size_t *n_out)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	wn_reporter *v = NULL, *nv;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	wn_sq_conn *c;
	int rc;

	if ((rc = wn_sq_read_stmt(s, WN_SQ_REPORTER_LIST, &c, &st)) != 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((nv = wn_arena_alloc(a, cap * sizeof(*v))) ==
			    NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			if (n > 0)
				memcpy(nv, v, n * sizeof(*v));
			v = nv;
		}
		wn_sq_reporter_row(st, &v[n++]);
	}
	wn__sq_done(st);
	if (rc != SQLITE_DONE) {
		wn__sq_log(s, c->db, "list reporters");
		wn__sq_release(s, c);
		return rc == SQLITE_NOMEM ? WN_ENOMEM : WN_EIO;
	}
	wn__sq_release(s, c);
	*out = v;
	*n_out = n;
	return 0;
}

static int
wn_sq_reporter_revoke(wn_repo_db *db, const char *key_id, int64_t when)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	wn_reporter r;
	sqlite3_stmt *st;
	int rc;

	if ((rc = wn_sq_reporter_get(db, key_id, &r)) != 0)
		return rc;
	if (r.revoked != 0)
		return WN_EINVAL;
	pthread_mutex_lock(&s->wlock);
	if ((st = wn_sq_stmt(s, s->writer, WN_SQ_REPORTER_REVOKE)) == NULL)
		rc = WN_EIO;
	else {
		wn__sq_text(st, 1, key_id);
		sqlite3_bind_int64(st, 2, when);
		rc = wn__sq_run(s, s->writer, st, "revoke reporter");
		if (rc == 0 && sqlite3_changes(s->writer->db) == 0)
			rc = WN_EINVAL;
	}
	pthread_mutex_unlock(&s->wlock);
	return rc;
}

/* --- nonces and reports ---------------------------------------------- */

static int
wn_sq_nonce_seen(wn_repo_db *db, const char *key_id, const char *nonce,
    bool *seen_out)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	sqlite3_stmt *st;
	wn_sq_conn *c;
	int rc;

	if ((rc = wn_sq_read_stmt(s, WN_SQ_NONCE_SEEN, &c, &st)) != 0)
		return rc;
	wn__sq_text(st, 1, key_id);
	wn__sq_text(st, 2, nonce);
	rc = sqlite3_step(st);
	*seen_out = rc == SQLITE_ROW;
	wn__sq_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		wn__sq_log(s, c->db, "look up nonce");
		rc = WN_EIO;
	} else {
		rc = 0;
	}
	wn__sq_release(s, c);
	return rc;
}

static int
wn_sq_nonce_purge(wn_repo_db *db, int64_t before)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	sqlite3_stmt *st;
	int rc = WN_EIO;

	pthread_mutex_lock(&s->wlock);
	if ((st = wn_sq_stmt(s, s->writer, WN_SQ_NONCE_PURGE)) != NULL) {
		sqlite3_bind_int64(st, 1, before);
		rc = wn__sq_run(s, s->writer, st, "purge nonces");
	}
	pthread_mutex_unlock(&s->wlock);
	return rc;
}

/* the rows of the report into rollup and rollup_all, and presence */
static int
wn_sq_store_rollups(wn_db_sqlite *s, wn_sq_conn *c,
    const wn_repo_store_req *req, int64_t day, const char *optype)
{
	sqlite3_stmt *ru = wn_sq_stmt(s, c, WN_SQ_ROLLUP);
	sqlite3_stmt *ra = wn_sq_stmt(s, c, WN_SQ_ROLLUP_ALL);
	sqlite3_stmt *pr = wn_sq_stmt(s, c, WN_SQ_PRESENCE);
	size_t i;
	int rc;

	if (ru == NULL || ra == NULL || pr == NULL)
		return WN_EIO;
	for (i = 0; i < req->n_rows; i++) {
		const wn_rollup_row *row = &req->rows[i];

		sqlite3_bind_int64(ru, 1, day);
		wn__sq_text(ru, 2, req->reporter->country);
		wn__sq_text(ru, 3, optype);
		wn__sq_text(ru, 4, row->metric);
		wn__sq_text(ru, 5, row->key);
		sqlite3_bind_int64(ru, 6, (int64_t)row->value);
		if ((rc = wn__sq_run(s, c, ru, "update rollup")) != 0)
			return rc;
		sqlite3_bind_int64(ra, 1, day);
		wn__sq_text(ra, 2, row->metric);
		wn__sq_text(ra, 3, row->key);
		sqlite3_bind_int64(ra, 4, (int64_t)row->value);
		if ((rc = wn__sq_run(s, c, ra, "update rollup")) != 0)
			return rc;
	}
	sqlite3_bind_int64(pr, 1, day);
	wn__sq_text(pr, 2, req->reporter->key.id);
	wn__sq_text(pr, 3, req->reporter->country);
	wn__sq_text(pr, 4, optype);
	return wn__sq_run(s, c, pr, "update presence");
}

/* the report row; *added_out false when its report_id is stored */
static int
wn_sq_store_row(wn_db_sqlite *s, wn_sq_conn *c, const wn_repo_store_req *req,
    int64_t day, const char *optype, bool *added_out)
{
	const wn_report *r = req->report;
	sqlite3_stmt *st = wn_sq_stmt(s, c, WN_SQ_REPORT_ADD);
	int rc;

	if (st == NULL)
		return WN_EIO;
	wn__sq_text(st, 1, r->report_id);
	wn__sq_text(st, 2, req->reporter->key.id);
	sqlite3_bind_int64(st, 3, r->start);
	sqlite3_bind_int64(st, 4, r->end);
	sqlite3_bind_int64(st, 5, day);
	wn__sq_text(st, 6, req->reporter->country);
	wn__sq_text(st, 7, r->country);
	wn__sq_text(st, 8, optype);
	wn__sq_text(st, 9, r->sharing);
	wn__sq_text(st, 10, r->software_version);
	wn__sq_text(st, 11, req->digest);
	sqlite3_bind_int64(st, 12, req->received);
	sqlite3_bind_text(st, 13, req->text, (int)req->text_len,
	    SQLITE_STATIC);
	if ((rc = wn__sq_run(s, c, st, "store report")) != 0)
		return rc;
	*added_out = sqlite3_changes(c->db) > 0;
	return 0;
}

static int
wn_sq_store_digest(wn_db_sqlite *s, wn_sq_conn *c,
    const wn_repo_store_req *req, enum wn_repo_store_result *result_out)
{
	sqlite3_stmt *st = wn_sq_stmt(s, c, WN_SQ_REPORT_DIGEST);
	const char *d;
	int rc;

	if (st == NULL)
		return WN_EIO;
	wn__sq_text(st, 1, req->report->report_id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		wn__sq_log(s, c->db, "read stored report");
		wn__sq_done(st);
		return WN_EIO;
	}
	d = (const char *)sqlite3_column_text(st, 0);
	*result_out = d != NULL && strcmp(d, req->digest) == 0 ?
	    WN_REPO_DUPLICATE : WN_REPO_CONFLICT;
	wn__sq_done(st);
	return 0;
}

static int
wn_sq_store_tx(wn_db_sqlite *s, wn_sq_conn *c, const wn_repo_store_req *req,
    enum wn_repo_store_result *result_out)
{
	const char *optype = req->reporter->operator_type[0] != '\0' ?
	    req->reporter->operator_type : req->report->operator_type;
	int64_t day = wn_day_of_time(req->report->start);
	sqlite3_stmt *st = wn_sq_stmt(s, c, WN_SQ_NONCE_ADD);
	bool added = false;
	int rc;

	if (st == NULL)
		return WN_EIO;
	wn__sq_text(st, 1, req->reporter->key.id);
	wn__sq_text(st, 2, req->nonce);
	sqlite3_bind_int64(st, 3, req->received);
	if ((rc = wn__sq_run(s, c, st, "record nonce")) != 0)
		return rc;
	if (sqlite3_changes(c->db) == 0) {
		*result_out = WN_REPO_REPLAY;
		return 1;	/* roll back: nothing to keep */
	}
	if ((rc = wn_sq_store_row(s, c, req, day, optype, &added)) != 0)
		return rc;
	if (!added)
		return wn_sq_store_digest(s, c, req, result_out);
	*result_out = WN_REPO_STORED;
	if ((rc = wn_sq_store_rollups(s, c, req, day, optype)) != 0)
		return rc;
	return wn__sq_bulk_store(s, c, req, day);
}

static int
wn_sq_store_report(wn_repo_db *db, const wn_repo_store_req *req,
    enum wn_repo_store_result *result_out)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	wn_sq_conn *c = s->writer;
	int rc;

	pthread_mutex_lock(&s->wlock);
	rc = wn__sq_exec(s, c, WN_SQ_BEGIN, "begin");
	if (rc == 0) {
		rc = wn_sq_store_tx(s, c, req, result_out);
		if (rc == 0)
			rc = wn__sq_exec(s, c, WN_SQ_COMMIT, "commit");
		if (rc != 0) {
			wn__sq_exec(s, c, WN_SQ_ROLLBACK, "roll back");
			if (rc > 0)
				rc = 0;
		}
	}
	pthread_mutex_unlock(&s->wlock);
	return rc;
}

/* --- questions ------------------------------------------------------- */

static int
wn_sq_rows(wn_repo_db *db, const wn_agg_query *q, wn_repo_row_fn fn,
    void *arg)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	bool filter = q->country[0] != '\0' || q->operator_type[0] != '\0';
	sqlite3_stmt *st;
	wn_sq_conn *c;
	int rc, frc = 0;

	if ((rc = wn__sq_reader(s, &c)) != 0)
		return rc;
	st = wn_sq_stmt(s, c, filter ? WN_SQ_ROWS_FILTER : WN_SQ_ROWS_ALL);
	if (st == NULL) {
		wn__sq_release(s, c);
		return WN_EIO;
	}
	sqlite3_bind_int64(st, 1, q->from_day);
	sqlite3_bind_int64(st, 2, q->to_day);
	if (filter) {
		wn__sq_text(st, 3, q->country);
		wn__sq_text(st, 4, q->operator_type);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 v = sqlite3_column_int64(st, 3);

		frc = fn(arg, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    v > 0 ? (uint64_t)v : 0);
		if (frc != 0)
			break;
	}
	if (frc == 0 && rc != SQLITE_DONE) {
		wn__sq_log(s, c->db, "read rollups");
		frc = WN_EIO;
	}
	wn__sq_done(st);
	wn__sq_release(s, c);
	return frc;
}

static int
wn_sq_reporters(wn_repo_db *db, const wn_agg_query *q, int64_t from_day,
    int64_t to_day, uint64_t *n_out)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	sqlite3_stmt *st;
	wn_sq_conn *c;
	int rc;

	if ((rc = wn_sq_read_stmt(s, WN_SQ_REPORTERS, &c, &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, from_day);
	sqlite3_bind_int64(st, 2, to_day);
	wn__sq_text(st, 3, q->country);
	wn__sq_text(st, 4, q->operator_type);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n_out = (uint64_t)sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		wn__sq_log(s, c->db, "count reporters");
		rc = WN_EIO;
	}
	wn__sq_done(st);
	wn__sq_release(s, c);
	return rc;
}

static int
wn_sq_countries(wn_repo_db *db, wn_arena *a, const char ***out,
    size_t *n_out)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	const char **v;
	sqlite3_stmt *st;
	wn_sq_conn *c;
	size_t n = 0;
	int rc;

	/* at most 26 * 26 two-letter codes */
	if ((v = wn_arena_calloc(a, 26 * 26 + 1, sizeof(*v))) == NULL)
		return WN_ENOMEM;
	if ((rc = wn_sq_read_stmt(s, WN_SQ_COUNTRIES, &c, &st)) != 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 26 * 26)
		if ((v[n++] = wn_arena_strdup(a,
		    (const char *)sqlite3_column_text(st, 0))) == NULL)
			break;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		wn__sq_log(s, c->db, "list countries");
	wn__sq_done(st);
	wn__sq_release(s, c);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return WN_EIO;
	if (n > 0 && v[n - 1] == NULL)
		return WN_ENOMEM;
	*out = v;
	*n_out = n;
	return 0;
}

static int
wn_sq_ping(wn_repo_db *db)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	sqlite3_stmt *st;
	wn_sq_conn *c;
	int rc;

	if ((rc = wn__sq_reader(s, &c)) != 0)
		return rc;
	rc = sqlite3_prepare_v2(c->db, "SELECT version FROM schema_version",
	    -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		wn__sq_log(s, c->db, "health check");
	wn__sq_release(s, c);
	return rc == SQLITE_ROW ? 0 : WN_EIO;
}

static void
wn_sq_close(wn_repo_db *db)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	wn_sq_conn *c;

	while ((c = s->readers) != NULL) {
		s->readers = c->next;
		wn_sq_conn_close(c);
	}
	wn_sq_conn_close(s->writer);
	pthread_mutex_destroy(&s->wlock);
	pthread_mutex_destroy(&s->plock);
	wn_free(s->path);
	wn_free(s->base.url);
	wn_free(s);
}

static const wn_repo_db_ops wn_sq_ops = {
	.name = "sqlite",
	.reporter_add = wn_sq_reporter_add,
	.reporter_get = wn_sq_reporter_get,
	.reporter_list = wn_sq_reporter_list,
	.reporter_revoke = wn_sq_reporter_revoke,
	.nonce_seen = wn_sq_nonce_seen,
	.nonce_purge = wn_sq_nonce_purge,
	.store_report = wn_sq_store_report,
	.rows = wn_sq_rows,
	.reporters = wn_sq_reporters,
	.countries = wn_sq_countries,
	.maintainer_add = wn__sq_maintainer_add,
	.maintainer_get = wn__sq_maintainer_get,
	.maintainer_list = wn__sq_maintainer_list,
	.maintainer_revoke = wn__sq_maintainer_revoke,
	.ruleset_publish = wn__sq_ruleset_publish,
	.ruleset_promote = wn__sq_ruleset_promote,
	.ruleset_versions = wn__sq_ruleset_versions,
	.ruleset_package = wn__sq_ruleset_package,
	.ruleset_rules = wn__sq_ruleset_rules,
	.bulk_keys = wn__sq_bulk_keys,
	.bulk_block = wn__sq_bulk_block,
	.bulk_unblock = wn__sq_bulk_unblock,
	.bulk_blocks = wn__sq_bulk_blocks,
	.bulk_generation = wn__sq_bulk_generation,
	.bulk_purge = wn__sq_bulk_purge,
	.ping = wn_sq_ping,
	.close = wn_sq_close,
};

int
wn__repo_db_sqlite_open(const char *path, unsigned pool, wn_repo_db **out)
{
	wn_db_sqlite *s = wn_calloc(1, sizeof(*s));
	size_t n = strlen(path);
	int rc;

	(void)pool;	/* readers are opened as threads need them */
	*out = NULL;
	if (s == NULL || (s->path = wn_malloc(n + 1)) == NULL ||
	    (s->base.url = wn_malloc(n + 8)) == NULL) {
		if (s != NULL) {
			wn_free(s->path);
			wn_free(s);
		}
		return WN_ENOMEM;
	}
	memcpy(s->path, path, n + 1);
	snprintf(s->base.url, n + 8, "sqlite:%s", path);
	s->base.ops = &wn_sq_ops;
	pthread_mutex_init(&s->wlock, NULL);
	pthread_mutex_init(&s->plock, NULL);
	rc = wn_sq_conn_open(s, &s->writer);
	if (rc == 0)
		rc = wn_sq_migrate(s, s->writer);
	if (rc != 0) {
		wn_sq_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return 0;
}

int
wn__sq_reader_stmt(wn_db_sqlite *s,
    sqlite3_stmt *(*stmt)(wn_db_sqlite *, wn_sq_conn *, int), int which,
    wn_sq_conn **c, sqlite3_stmt **st)
{
	int rc;

	if ((rc = wn__sq_reader(s, c)) != 0)
		return rc;
	if ((*st = stmt(s, *c, which)) == NULL) {
		wn__sq_release(s, *c);
		return WN_EIO;
	}
	return 0;
}
