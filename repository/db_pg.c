/*
 * db_pg.c - the PostgreSQL backend of the repository database (libpq).
 *
 * A pool of connections, one per concurrent caller: a caller takes one,
 * runs its statements (prepared once per connection, parameters always
 * passed apart from the text) and gives it back. A store is one
 * transaction; the rollup rows go in two statements over unnest()ed
 * arrays, in the order rollup.c sorted them, so two transactions touching
 * the same rows lock them in the same order. Should PostgreSQL still
 * pick a transaction as a deadlock victim, it is run again. The rule-set
 * channels are in db_pg_rulesets.c, the keys of bulk sharing in
 * db_pg_bulk.c (db_pg_int.h).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include <winnow/alloc.h>
#include <winnow/buf.h>
#include <winnow/err.h>
#include <winnow/log.h>

#include "day.h"
#include "db.h"
#include "db_pg_int.h"
#include "db_schema.h"

static const struct {
	const char *sql;
	int nparams;
} wn_pq_sql[WN_PQ_COUNT] = {
	[WN_PQ_REPORTER_ADD] = { "INSERT INTO reporters (key_id, public_key, "
	    "name, country, operator_type, added) VALUES ($1, $2, $3, $4, "
	    "$5, $6) ON CONFLICT DO NOTHING", 6 },
	[WN_PQ_REPORTER_GET] = { "SELECT key_id, public_key, name, country, "
	    "operator_type, added, revoked FROM reporters WHERE key_id = $1",
	    1 },
	[WN_PQ_REPORTER_LIST] = { "SELECT key_id, public_key, name, country, "
	    "operator_type, added, revoked FROM reporters ORDER BY key_id",
	    0 },
	[WN_PQ_REPORTER_REVOKE] = { "UPDATE reporters SET revoked = $2 "
	    "WHERE key_id = $1 AND revoked IS NULL", 2 },
	[WN_PQ_NONCE_SEEN] = { "SELECT 1 FROM nonces WHERE key_id = $1 AND "
	    "nonce = $2", 2 },
	[WN_PQ_NONCE_ADD] = { "INSERT INTO nonces (key_id, nonce, seen) "
	    "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", 3 },
	[WN_PQ_NONCE_PURGE] = { "DELETE FROM nonces WHERE seen < $1", 1 },
	[WN_PQ_REPORT_ADD] = { "INSERT INTO reports (report_id, key_id, "
	    "period_start, period_end, day, country, declared_country, "
	    "operator_type, sharing, software_version, digest, received, "
	    "body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
	    "$13) ON CONFLICT (report_id) DO NOTHING", 13 },
	[WN_PQ_REPORT_DIGEST] = { "SELECT digest FROM reports WHERE "
	    "report_id = $1", 1 },
	[WN_PQ_ROLLUP] = { "INSERT INTO rollup AS t (day, country, "
	    "operator_type, metric, key, value) SELECT $1::bigint, $2::text, "
	    "$3::text, m, k, v "
	    "FROM unnest($4::text[], $5::text[], $6::bigint[]) AS u (m, k, v) "
	    "ON CONFLICT (country, operator_type, day, metric, key) "
	    "DO UPDATE SET value = t.value + EXCLUDED.value", 6 },
	[WN_PQ_ROLLUP_ALL] = { "INSERT INTO rollup_all AS t (day, metric, "
	    "key, value) SELECT $1::bigint, m, k, v FROM unnest($2::text[], "
	    "$3::text[], $4::bigint[]) AS u (m, k, v) ON CONFLICT (day, "
	    "metric, key) DO UPDATE SET value = t.value + EXCLUDED.value", 4 },
	[WN_PQ_PRESENCE] = { "INSERT INTO presence (day, key_id, country, "
	    "operator_type) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
	    4 },
	[WN_PQ_ROWS_ALL] = { "SELECT day, metric, key, value FROM rollup_all "
	    "WHERE day BETWEEN $1 AND $2 ORDER BY day, metric COLLATE \"C\", "
	    "key COLLATE \"C\"", 2 },
	/* the pairs of country and type to seek to, as in db_sqlite.c */
	[WN_PQ_ROWS_FILTER] = { "SELECT day, metric, key, SUM(value) FROM "
	    "rollup WHERE country IN (SELECT DISTINCT country FROM reporters "
	    "WHERE $3::text = '' OR country = $3) AND operator_type = ANY "
	    "(CASE WHEN $4::text = '' THEN ARRAY['isp', 'hosting', "
	    "'enterprise', 'education', 'government', 'other'] ELSE "
	    "ARRAY[$4::text] END) AND day BETWEEN $1 AND $2 GROUP BY day, "
	    "metric, key ORDER BY day, metric COLLATE \"C\", "
	    "key COLLATE \"C\"", 4 },
	[WN_PQ_REPORTERS] = { "SELECT COUNT(DISTINCT key_id) FROM presence "
	    "WHERE day BETWEEN $1 AND $2 AND ($3::text = '' OR country = $3) "
	    "AND ($4::text = '' OR operator_type = $4)", 4 },
	[WN_PQ_COUNTRIES] = { "SELECT DISTINCT country FROM reporters "
	    "ORDER BY country", 0 },
};

void
wn__pq_log(wn_db_pg *p, PGconn *pg, const PGresult *res, const char *what)
{
	const char *m = res ? PQresultErrorMessage(res) : "";

	if (m == NULL || *m == '\0')
		m = pg ? PQerrorMessage(pg) : "cannot allocate a connection";
	/* libpq messages end in a line feed */
	wn_log_err("database %s: %s: %.*s", p->base.url, what,
	    (int)strcspn(m, "\n"), m);
}

/* the deadlock and serialization failures worth a second try */
bool
wn__pq_retryable(const PGresult *res)
{
	const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) :
	    NULL;

	return st != NULL && (strcmp(st, "40P01") == 0 ||
	    strcmp(st, "40001") == 0);
}

static void
wn_pq_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int
wn_pq_connect(wn_db_pg *p, wn_pq_conn *c)
{
	if (c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK)
		return 0;
	if (c->pg != NULL)
		PQfinish(c->pg);
	memset(c->prepared, 0, sizeof(c->prepared));
	memset(c->rs_prepared, 0, sizeof(c->rs_prepared));
	memset(c->bk_prepared, 0, sizeof(c->bk_prepared));
	c->pg = PQconnectdb(p->conninfo);
	if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
		wn__pq_log(p, c->pg, NULL, "connect");
		PQfinish(c->pg);
		c->pg = NULL;
		return WN_EIO;
	}
	PQsetNoticeProcessor(c->pg, wn_pq_quiet, NULL);
	return 0;
}

int
wn__pq_acquire(wn_db_pg *p, wn_pq_conn **out)
{
	size_t i;
	int rc;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		for (i = 0; i < p->n_conns && p->conns[i].busy; i++)
			;
		if (i < p->n_conns)
			break;
		pthread_cond_wait(&p->freed, &p->lock);
	}
	p->conns[i].busy = true;
	pthread_mutex_unlock(&p->lock);
	if ((rc = wn_pq_connect(p, &p->conns[i])) != 0) {
		pthread_mutex_lock(&p->lock);
		p->conns[i].busy = false;
		pthread_cond_signal(&p->freed);
		pthread_mutex_unlock(&p->lock);
		return rc;
	}
	*out = &p->conns[i];
	return 0;
}

void
wn__pq_release(wn_db_pg *p, wn_pq_conn *c)
{
	pthread_mutex_lock(&p->lock);
	c->busy = false;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

/*
 * Run statement i with params; the result, or NULL after logging (with
 * *retry_out set, when given, for a deadlock victim).
 */
PGresult *
wn__pq_exec_prepared(wn_db_pg *p, wn_pq_conn *c, const char *name,
    bool *prepared, const char *sql, int nparams, const char *const *params,
    const int *lengths, const int *formats, int binary, const char *what,
    bool *retry_out)
{
	PGresult *res;
	ExecStatusType st;

	if (!*prepared) {
		res = PQprepare(c->pg, name, sql, nparams, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			wn__pq_log(p, c->pg, res, "prepare");
			PQclear(res);
			return NULL;
		}
		PQclear(res);
		*prepared = true;
	}
	res = PQexecPrepared(c->pg, name, nparams, params, lengths, formats,
	    binary);
	st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	if (retry_out != NULL && wn__pq_retryable(res))
		*retry_out = true;
	else
		wn__pq_log(p, c->pg, res, what);
	PQclear(res);
	return NULL;
}

static PGresult *
wn_pq_run(wn_db_pg *p, wn_pq_conn *c, int i, const char *const *params,
    const char *what, bool *retry_out)
{
	char name[16];

	snprintf(name, sizeof(name), "wn%d", i);
	return wn__pq_exec_prepared(p, c, name, &c->prepared[i],
	    wn_pq_sql[i].sql, wn_pq_sql[i].nparams, params, NULL, NULL, 0,
	    what, retry_out);
}

int
wn__pq_simple(wn_db_pg *p, wn_pq_conn *c, const char *sql, const char *what)
{
	PGresult *res = PQexec(c->pg, sql);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : WN_EIO;

	if (rc != 0)
		wn__pq_log(p, c->pg, res, what);
	PQclear(res);
	return rc;
}

int64_t
wn__pq_int(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 :
	    strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* --- schema ---------------------------------------------------------- */

static int
wn_pq_migrate(wn_db_pg *p, wn_pq_conn *c)
{
	PGresult *res;
	int version = 0, rc;
	char sql[96];

	/* The advisory lock makes servers starting together migrate one
	 * after the other. */
	if ((rc = wn__pq_simple(p, c, "BEGIN; SELECT "
	    "pg_advisory_xact_lock(5770201); CREATE TABLE IF NOT EXISTS "
	    "schema_version (version INTEGER NOT NULL)",
	    "create schema_version")) != 0)
		return rc;
	res = PQexec(c->pg, "SELECT MAX(version) FROM schema_version");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		version = (int)wn__pq_int(res, 0, 0);
	PQclear(res);
	if (version > WN_DB_SCHEMA_VERSION) {
		wn_log_err("database %s: schema version %d is newer than this "
		    "program's (%d)", p->base.url, version,
		    WN_DB_SCHEMA_VERSION);
		wn__pq_simple(p, c, "ROLLBACK", "roll back");
		return WN_EFORMAT;
	}
	if (version < 1)
		rc = wn__pq_simple(p, c, WN_DB_PG_V1, "create the schema");
	if (rc == 0 && version < 2)
		rc = wn__pq_simple(p, c, WN_DB_PG_V2,
		    "add the rule-set tables");
	if (rc == 0 && version < 3)
		rc = wn__pq_simple(p, c, WN_DB_PG_V3,
		    "add the bulk-sharing tables");
	if (rc == 0 && version < WN_DB_SCHEMA_VERSION) {
		snprintf(sql, sizeof(sql), "DELETE FROM schema_version; INSERT "
		    "INTO schema_version VALUES (%d)", WN_DB_SCHEMA_VERSION);
		rc = wn__pq_simple(p, c, sql, "record the schema version");
	}
	if (rc == 0)
		rc = wn__pq_simple(p, c, "COMMIT", "commit the schema");
	if (rc != 0)
		wn__pq_simple(p, c, "ROLLBACK", "roll back");
	return rc;
}

/* --- reporters ------------------------------------------------------- */

static int
wn_pq_reporter_add(wn_repo_db *db, const wn_reporter *r)
{
	wn_db_pg *p = (wn_db_pg *)db;
	char pk[80], added[24];
	const char *params[6] = {
		r->key.id, pk, r->name, r->country, r->operator_type, added
	};
	PGresult *res;
	wn_pq_conn *c;
	int rc;

	wn_pubkey_format(&r->key, pk, sizeof(pk));
	snprintf(added, sizeof(added), "%" PRId64, r->added);
	if ((rc = wn__pq_acquire(p, &c)) != 0)
		return rc;
	res = wn_pq_run(p, c, WN_PQ_REPORTER_ADD, params, "add reporter",
	    NULL);
	if (res == NULL)
		rc = WN_EIO;
	else if (strcmp(PQcmdTuples(res), "0") == 0)
		rc = WN_EINVAL;
	PQclear(res);
	wn__pq_release(p, c);
	return rc;
}

static void
wn_pq_reporter_row(const PGresult *res, int i, wn_reporter *r)
{
	const char *pk = PQgetvalue(res, i, 1);

	memset(r, 0, sizeof(*r));
	if (wn_pubkey_parse(pk, strlen(pk), &r->key) != 0)
		memset(&r->key, 0, sizeof(r->key));
	snprintf(r->key.id, sizeof(r->key.id), "%s", PQgetvalue(res, i, 0));
	snprintf(r->name, sizeof(r->name), "%s", PQgetvalue(res, i, 2));
	snprintf(r->country, sizeof(r->country), "%s", PQgetvalue(res, i, 3));
	snprintf(r->operator_type, sizeof(r->operator_type), "%s",
	    PQgetvalue(res, i, 4));
	r->added = wn__pq_int(res, i, 5);
	r->revoked = wn__pq_int(res, i, 6);
}

static int
wn_pq_reporter_get(wn_repo_db *db, const char *key_id, wn_reporter *out)
{
	wn_db_pg *p = (wn_db_pg *)db;
	const char *params[1] = { key_id };
	PGresult *res;
	wn_pq_conn *c;
	int rc;

	if ((rc = wn__pq_acquire(p, &c)) != 0)
		return rc;
	res = wn_pq_run(p, c, WN_PQ_REPORTER_GET, params, "look up reporter",
	    NULL);
	if (res == NULL)
		rc = WN_EIO;
	else if (PQntuples(res) == 0)
		rc = WN_ENOENT;
	else
		wn_pq_reporter_row(res, 0, out);
	PQclear(res);
	wn__pq_release(p, c);
	return rc;
}

static int
wn_pq_reporter_list(wn_repo_db *db, wn_arena *a, wn_reporter **out,
    size_t *n_out)
{
	wn_db_pg *p = (wn_db_pg *)db;
	PGresult *res;
	wn_pq_conn *c;
	wn_reporter *v;
	int rc, i, n;

	if ((rc = wn__pq_acquire(p, &c)) != 0)
		return rc;
	res = wn_pq_run(p, c, WN_PQ_REPORTER_LIST, NULL, "list reporters",
	    NULL);
	wn__pq_release(p, c);
	if (res == NULL)
		return WN_EIO;
	n = PQntuples(res);
	if ((v = wn_arena_calloc(a, (size_t)n + 1, sizeof(*v))) == NULL) {
		PQclear(res);
		return WN_ENOMEM;
	}
	for (i = 0; i < n; i++)
		wn_pq_reporter_row(res, i, &v[i]);
	PQclear(res);
	*out = v;
	*n_out = (size_t)n;
	return 0;
}

static int
wn_pq_reporter_revoke(wn_repo_db *db, const char *key_id, int64_t when)
{
	wn_db_pg *p = (wn_db_pg *)db;
	char t[24];
	const char *params[2] = { key_id, t };
	wn_reporter r;
	PGresult *res;
	wn_pq_conn *c;
	int rc;

	if ((rc = wn_pq_reporter_get(db, key_id, &r)) != 0)
		return rc;
	if (r.revoked != 0)
		return WN_EINVAL;
	snprintf(t, sizeof(t), "%" PRId64, when);
	if ((rc = wn__pq_acquire(p, &c)) != 0)
		return rc;
	res = wn_pq_run(p, c, WN_PQ_REPORTER_REVOKE, params,
	    "revoke reporter", NULL);
	if (res == NULL)
		rc = WN_EIO;
	else if (strcmp(PQcmdTuples(res), "0") == 0)
		rc = WN_EINVAL;
	PQclear(res);
	wn__pq_release(p, c);
	return rc;
}

/* --- nonces and reports ---------------------------------------------- */

static int
wn_pq_nonce_seen(wn_repo_db *db, const char *key_id, const char *nonce,
    bool *seen_out)
{
	wn_db_pg *p = (wn_db_pg *)db;
	const char *params[2] = { key_id, nonce };
	PGresult *res;
	wn_pq_conn *c;
	int rc;

	if ((rc = wn__pq_acquire(p, &c)) != 0)
		return rc;
	res = wn_pq_run(p, c, WN_PQ_NONCE_SEEN, params, "look up nonce", NULL);
	if (res == NULL)
		rc = WN_EIO;
	else
		*seen_out = PQntuples(res) > 0;
	PQclear(res);
	wn__pq_release(p, c);
	return rc;
}

static int
wn_pq_nonce_purge(wn_repo_db *db, int64_t before)
{
	wn_db_pg *p = (wn_db_pg *)db;
	char t[24];
	const char *params[1] = { t };
	PGresult *res;
	wn_pq_conn *c;
	int rc;

	snprintf(t, sizeof(t), "%" PRId64, before);
	if ((rc = wn__pq_acquire(p, &c)) != 0)
		return rc;
	res = wn_pq_run(p, c, WN_PQ_NONCE_PURGE, params, "purge nonces", NULL);
	rc = res == NULL ? WN_EIO : 0;
	PQclear(res);
	wn__pq_release(p, c);
	return rc;
}

/* the metric, key and value columns of the rows as array literals */
static void
wn_pq_arrays(const wn_repo_store_req *req, wn_buf *m, wn_buf *k, wn_buf *v)
{
	size_t i;

	wn_buf_putc(m, '{');
	wn_buf_putc(k, '{');
	wn_buf_putc(v, '{');
	for (i = 0; i < req->n_rows; i++) {
		/* names are from the schema's character classes: no quote,
		 * backslash or brace can occur in them */
		wn_buf_printf(m, "%s\"%s\"", i ? "," : "", req->rows[i].metric);
		wn_buf_printf(k, "%s\"%s\"", i ? "," : "", req->rows[i].key);
		wn_buf_printf(v, "%s%" PRIu64, i ? "," : "",
		    req->rows[i].value);
	}
	wn_buf_putc(m, '}');
	wn_buf_putc(k, '}');
	wn_buf_putc(v, '}');
}

/*
 * The statements of one store. Returns 0 (commit), 1 (roll back, result
 * set), WN_ETEMP (roll back and run again), WN_EIO, WN_ENOMEM.
 */
static int
wn_pq_store_tx(wn_db_pg *p, wn_pq_conn *c, const wn_repo_store_req *req,
    enum wn_repo_store_result *result_out)
{
	const wn_report *r = req->report;
	const char *optype = req->reporter->operator_type[0] != '\0' ?
	    req->reporter->operator_type : r->operator_type;
	char day[24], start[24], end[24], received[24];
	const char *nonce[3] = { req->reporter->key.id, req->nonce, received };
	const char *report[13] = {
		r->report_id, req->reporter->key.id, start, end, day,
		req->reporter->country, r->country, optype, r->sharing,
		r->software_version, req->digest, received, req->text
	};
	const char *digest[1] = { r->report_id };
	const char *presence[4] = {
		day, req->reporter->key.id, req->reporter->country, optype
	};
	const char *rollup[6], *rollup_all[4];
	wn_buf m, k, v;
	PGresult *res;
	bool retry = false;
	int rc = 0;

	snprintf(day, sizeof(day), "%" PRId64, wn_day_of_time(r->start));
	snprintf(start, sizeof(start), "%" PRId64, r->start);
	snprintf(end, sizeof(end), "%" PRId64, r->end);
	snprintf(received, sizeof(received), "%" PRId64, req->received);

	res = wn_pq_run(p, c, WN_PQ_NONCE_ADD, nonce, "record nonce", &retry);
	if (res == NULL)
		return retry ? WN_ETEMP : WN_EIO;
	if (strcmp(PQcmdTuples(res), "0") == 0) {
		PQclear(res);
		*result_out = WN_REPO_REPLAY;
		return 1;
	}
	PQclear(res);
	res = wn_pq_run(p, c, WN_PQ_REPORT_ADD, report, "store report",
	    &retry);
	if (res == NULL)
		return retry ? WN_ETEMP : WN_EIO;
	if (strcmp(PQcmdTuples(res), "0") == 0) {
		PQclear(res);
		res = wn_pq_run(p, c, WN_PQ_REPORT_DIGEST, digest,
		    "read stored report", &retry);
		if (res == NULL)
			return retry ? WN_ETEMP : WN_EIO;
		*result_out = PQntuples(res) == 1 &&
		    strcmp(PQgetvalue(res, 0, 0), req->digest) == 0 ?
		    WN_REPO_DUPLICATE : WN_REPO_CONFLICT;
		PQclear(res);
		return 0;	/* the nonce stays recorded */
	}
	PQclear(res);
	*result_out = WN_REPO_STORED;

	wn_buf_init(&m);
	wn_buf_init(&k);
	wn_buf_init(&v);
	wn_pq_arrays(req, &m, &k, &v);
	if (m.failed || k.failed || v.failed)
		rc = WN_ENOMEM;
	rollup[0] = day;
	rollup[1] = req->reporter->country;
	rollup[2] = optype;
	rollup[3] = m.data;
	rollup[4] = k.data;
	rollup[5] = v.data;
	rollup_all[0] = day;
	rollup_all[1] = m.data;
	rollup_all[2] = k.data;
	rollup_all[3] = v.data;
	if (rc == 0) {
		res = wn_pq_run(p, c, WN_PQ_ROLLUP, rollup, "update rollup",
		    &retry);
		rc = res == NULL ? WN_EIO : 0;
		PQclear(res);
	}
	if (rc == 0) {
		res = wn_pq_run(p, c, WN_PQ_ROLLUP_ALL, rollup_all,
		    "update rollup", &retry);
		rc = res == NULL ? WN_EIO : 0;
		PQclear(res);
	}
	if (rc == 0) {
		res = wn_pq_run(p, c, WN_PQ_PRESENCE, presence,
		    "update presence", &retry);
		rc = res == NULL ? WN_EIO : 0;
		PQclear(res);
	}
	if (rc == 0)
		rc = wn__pq_bulk_store(p, c, req, day);
	wn_buf_fini(&m);
	wn_buf_fini(&k);
	wn_buf_fini(&v);
	return rc == WN_EIO && retry ? WN_ETEMP : rc;
}

static int
wn_pq_store_report(wn_repo_db *db, const wn_repo_store_req *req,
    enum wn_repo_store_result *result_out)
{
	wn_db_pg *p = (wn_db_pg *)db;
	wn_pq_conn *c;
	int rc, attempt;

	if ((rc = wn__pq_acquire(p, &c)) != 0)
		return rc;
	for (attempt = 0; attempt < 3; attempt++) {
		if ((rc = wn__pq_simple(p, c, "BEGIN", "begin")) != 0)
			break;
		rc = wn_pq_store_tx(p, c, req, result_out);
		if (rc == 0) {
			PGresult *res = PQexec(c->pg, "COMMIT");

			if (PQresultStatus(res) != PGRES_COMMAND_OK) {
				rc = wn__pq_retryable(res) ? WN_ETEMP : WN_EIO;
				if (rc == WN_EIO)
					wn__pq_log(p, c->pg, res, "commit");
			}
			PQclear(res);
			if (rc != WN_ETEMP)
				break;
			continue;
		}
		wn__pq_simple(p, c, "ROLLBACK", "roll back");
		if (rc == 1)
			rc = 0;
		if (rc != WN_ETEMP)
			break;
	}
	if (rc == WN_ETEMP)
		wn_log_err("database %s: store report: still deadlocked after "
		    "%d attempts", p->base.url, attempt);
	wn__pq_release(p, c);
	return rc == WN_ETEMP ? WN_EIO : rc;
}

/* --- questions ------------------------------------------------------- */

static int
wn_pq_rows(wn_repo_db *db, const wn_agg_query *q, wn_repo_row_fn fn,
    void *arg)
{
	wn_db_pg *p = (wn_db_pg *)db;
	bool filter = q->country[0] != '\0' || q->operator_type[0] != '\0';
	char from[24], to[24];
	const char *params[4] = { from, to, q->country, q->operator_type };
	PGresult *res;
	wn_pq_conn *c;
	int rc, i, n;

	snprintf(from, sizeof(from), "%" PRId64, q->from_day);
	snprintf(to, sizeof(to), "%" PRId64, q->to_day);
	if ((rc = wn__pq_acquire(p, &c)) != 0)
		return rc;
	res = wn_pq_run(p, c, filter ? WN_PQ_ROWS_FILTER : WN_PQ_ROWS_ALL,
	    params, "read rollups", NULL);
	wn__pq_release(p, c);
	if (res == NULL)
		return WN_EIO;
	n = PQntuples(res);
	for (i = 0; i < n && rc == 0; i++) {
		int64_t v = wn__pq_int(res, i, 3);

		rc = fn(arg, wn__pq_int(res, i, 0), PQgetvalue(res, i, 1),
		    PQgetvalue(res, i, 2), v > 0 ? (uint64_t)v : 0);
	}
	PQclear(res);
	return rc;
}

static int
wn_pq_reporters(wn_repo_db *db, const wn_agg_query *q, int64_t from_day,
    int64_t to_day, uint64_t *n_out)
{
	wn_db_pg *p = (wn_db_pg *)db;
	char from[24], to[24];
	const char *params[4] = { from, to, q->country, q->operator_type };
	PGresult *res;
	wn_pq_conn *c;
	int rc;

	snprintf(from, sizeof(from), "%" PRId64, from_day);
	snprintf(to, sizeof(to), "%" PRId64, to_day);
	if ((rc = wn__pq_acquire(p, &c)) != 0)
		return rc;
	res = wn_pq_run(p, c, WN_PQ_REPORTERS, params, "count reporters",
	    NULL);
	wn__pq_release(p, c);
	if (res == NULL)
		return WN_EIO;
	*n_out = (uint64_t)wn__pq_int(res, 0, 0);
	PQclear(res);
	return 0;
}

static int
wn_pq_countries(wn_repo_db *db, wn_arena *a, const char ***out,
    size_t *n_out)
{
	wn_db_pg *p = (wn_db_pg *)db;
	const char **v;
	PGresult *res;
	wn_pq_conn *c;
	int rc, i, n;

	if ((rc = wn__pq_acquire(p, &c)) != 0)
		return rc;
	res = wn_pq_run(p, c, WN_PQ_COUNTRIES, NULL, "list countries", NULL);
	wn__pq_release(p, c);
	if (res == NULL)
		return WN_EIO;
	n = PQntuples(res);
	v = wn_arena_calloc(a, (size_t)n + 1, sizeof(*v));
	for (i = 0; v != NULL && i < n; i++)
		if ((v[i] = wn_arena_strdup(a, PQgetvalue(res, i, 0))) == NULL)
			v = NULL;
	PQclear(res);
	if (v == NULL)
		return WN_ENOMEM;
	*out = v;
	*n_out = (size_t)n;
	return 0;
}

static int
wn_pq_ping(wn_repo_db *db)
{
	wn_db_pg *p = (wn_db_pg *)db;
	PGresult *res;
	wn_pq_conn *c;
	int rc;

	if ((rc = wn__pq_acquire(p, &c)) != 0)
		return rc;
	res = PQexec(c->pg, "SELECT version FROM schema_version");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		wn__pq_log(p, c->pg, res, "health check");
		rc = WN_EIO;
		/* a broken connection is made anew on its next use */
		if (PQstatus(c->pg) != CONNECTION_OK) {
			PQfinish(c->pg);
			c->pg = NULL;
		}
	}
	PQclear(res);
	wn__pq_release(p, c);
	return rc;
}

static void
wn_pq_close(wn_repo_db *db)
{
	wn_db_pg *p = (wn_db_pg *)db;
	size_t i;

	for (i = 0; i < p->n_conns; i++)
		if (p->conns[i].pg != NULL)
			PQfinish(p->conns[i].pg);
	wn_free(p->conns);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->freed);
	wn_free(p->conninfo);
	wn_free(p->base.url);
	wn_free(p);
}

static const wn_repo_db_ops wn_pq_ops = {
	.name = "postgresql",
	.reporter_add = wn_pq_reporter_add,
	.reporter_get = wn_pq_reporter_get,
	.reporter_list = wn_pq_reporter_list,
	.reporter_revoke = wn_pq_reporter_revoke,
	.nonce_seen = wn_pq_nonce_seen,
	.nonce_purge = wn_pq_nonce_purge,
	.store_report = wn_pq_store_report,
	.rows = wn_pq_rows,
	.reporters = wn_pq_reporters,
	.countries = wn_pq_countries,
	.maintainer_add = wn__pq_maintainer_add,
	.maintainer_get = wn__pq_maintainer_get,
	.maintainer_list = wn__pq_maintainer_list,
	.maintainer_revoke = wn__pq_maintainer_revoke,
	.ruleset_publish = wn__pq_ruleset_publish,
	.ruleset_promote = wn__pq_ruleset_promote,
	.ruleset_versions = wn__pq_ruleset_versions,
	.ruleset_package = wn__pq_ruleset_package,
	.ruleset_rules = wn__pq_ruleset_rules,
	.bulk_keys = wn__pq_bulk_keys,
	.bulk_block = wn__pq_bulk_block,
	.bulk_unblock = wn__pq_bulk_unblock,
	.bulk_blocks = wn__pq_bulk_blocks,
	.bulk_generation = wn__pq_bulk_generation,
	.bulk_purge = wn__pq_bulk_purge,
	.ping = wn_pq_ping,
	.close = wn_pq_close,
};

/* url for messages: the password, if any, replaced by "***" */
static char *
wn_pq_safe_url(const char *url)
{
	const char *scheme = strstr(url, "://"), *at, *colon;
	size_t n = strlen(url);
	char *out = wn_malloc(n + 4);

	if (out == NULL)
		return NULL;
	memcpy(out, url, n + 1);
	if (scheme == NULL)
		return out;
	at = strchr(scheme + 3, '@');
	colon = at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
	if (colon != NULL)
		snprintf(out + (colon - url), n + 4 - (size_t)(colon - url),
		    ":***%s", at);
	return out;
}

int
wn__repo_db_pg_open(const char *conninfo, unsigned pool, wn_repo_db **out)
{
	wn_db_pg *p = wn_calloc(1, sizeof(*p));
	wn_pq_conn *c;
	int rc;

	*out = NULL;
	if (p == NULL)
		return WN_ENOMEM;
	p->base.ops = &wn_pq_ops;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, NULL);
	p->n_conns = pool + 1;
	p->conns = wn_calloc(p->n_conns, sizeof(*p->conns));
	p->conninfo = wn_malloc(strlen(conninfo) + 1);
	p->base.url = wn_pq_safe_url(conninfo);
	if (p->conns == NULL || p->conninfo == NULL || p->base.url == NULL) {
		wn_pq_close(&p->base);
		return WN_ENOMEM;
	}
	strcpy(p->conninfo, conninfo);
	rc = wn__pq_acquire(p, &c);
	if (rc == 0) {
		rc = wn_pq_migrate(p, c);
		wn__pq_release(p, c);
	}
	if (rc != 0) {
		wn_pq_close(&p->base);
		return rc;
	}
	*out = &p->base;
	return 0;
}
