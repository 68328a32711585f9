/*
 * db_pg_bulk.c - the keys of cooperative bulk sharing in the PostgreSQL
 * backend: the keys each report brings, the feed's question, blocked
 * keys and the generation counter.
 *
 * The keys of a report go in with the report, in its transaction, as
 * one statement over three unnest()ed arrays in the order shared_keys.c
 * sorted them, so two transactions with common keys lock them in the
 * same order. The feed's question is one grouped query over the window,
 * as in SQLite. A block or unblock and the raise of the generation are
 * one transaction.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/buf.h>
#include <winnow/err.h>
#include <winnow/log.h>

#include "db.h"
#include "db_pg_int.h"
#include "shared_keys.h"

enum {
	WN_PQ_BK_ADD,
	WN_PQ_BK_KEYS,
	WN_PQ_BK_BLOCK,
	WN_PQ_BK_UNBLOCK,
	WN_PQ_BK_RAISE,
	WN_PQ_BK_BLOCKS,
	WN_PQ_BK_GENERATION,
	WN_PQ_BK_PURGE,
	WN_PQ_BK_COUNT
};

_Static_assert(WN_PQ_BK_COUNT <= WN__PQ_BK_SLOTS,
    "db_pg_int.h: WN__PQ_BK_SLOTS is too small");

static const struct {
	const char *sql;
	int nparams;
} wn_pq_bk_sql[WN_PQ_BK_COUNT] = {
	[WN_PQ_BK_ADD] = { "INSERT INTO bulk_keys (day, kind, key, key_id, "
	    "digest, fingerprint_version) SELECT $1::bigint, k, v, $2::text, "
	    "g, $3::bigint FROM unnest($4::text[], $5::bigint[], "
	    "$6::bigint[]) AS u (k, v, g) ON CONFLICT DO NOTHING", 6 },
	/*
	 * Out of the feed: a key blocked itself, or one that came with a
	 * blocked text (its digest). Measured against a DISTINCT subquery
	 * hashed first, the sort of COUNT(DISTINCT) was as fast or faster
	 * (about 1.2 s for 800,000 rows of the window, 100,000 keys), and
	 * it is the question SQLite is asked.
	 */
	[WN_PQ_BK_KEYS] = { "SELECT k.kind, k.key, COUNT(DISTINCT k.key_id), "
	    "bool_or(k.digest IN (SELECT key FROM bulk_blocks WHERE kind = "
	    "'d')) OR EXISTS (SELECT 1 FROM bulk_blocks b WHERE b.kind = "
	    "k.kind AND b.key = k.key) FROM bulk_keys k WHERE k.day BETWEEN $1 "
	    "AND $2 AND k.fingerprint_version = $3 AND k.key_id NOT IN "
	    "(SELECT key_id FROM reporters WHERE revoked IS NOT NULL) "
	    "GROUP BY k.kind, k.key HAVING COUNT(DISTINCT k.key_id) >= $4",
	    4 },
	[WN_PQ_BK_BLOCK] = { "INSERT INTO bulk_blocks (kind, key, reason, "
	    "blocked) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", 4 },
	[WN_PQ_BK_UNBLOCK] = { "DELETE FROM bulk_blocks WHERE kind = $1 AND "
	    "key = $2", 2 },
	[WN_PQ_BK_RAISE] = { "UPDATE bulk_state SET generation = "
	    "generation + 1", 0 },
	[WN_PQ_BK_BLOCKS] = { "SELECT kind, key, reason, blocked FROM "
	    "bulk_blocks", 0 },
	[WN_PQ_BK_GENERATION] = { "SELECT MAX(generation) FROM bulk_state",
	    0 },
	[WN_PQ_BK_PURGE] = { "DELETE FROM bulk_keys WHERE day < $1", 1 },
};

/*
 * Run statement i with text params; the result, or NULL after logging
 * (with *retry_out set, when given, for a deadlock victim).
 */
static PGresult *
wn_pq_bk_run(wn_db_pg *p, wn_pq_conn *c, int i, const char *const *params,
    const char *what, bool *retry_out)
{
	char name[16];

	snprintf(name, sizeof(name), "wb%d", i);
	return wn__pq_exec_prepared(p, c, name, &c->bk_prepared[i],
	    wn_pq_bk_sql[i].sql, wn_pq_bk_sql[i].nparams, params, NULL, NULL,
	    0, what, retry_out);
}

/* a statement on a connection of the pool; *rc_out 0 or the failure */
static PGresult *
wn_pq_bk_once(wn_db_pg *p, int i, const char *const *params,
    const char *what, int *rc_out)
{
	PGresult *res;
	wn_pq_conn *c;

	if ((*rc_out = wn__pq_acquire(p, &c)) != 0)
		return NULL;
	res = wn_pq_bk_run(p, c, i, params, what, NULL);
	wn__pq_release(p, c);
	if (res == NULL)
		*rc_out = WN_EIO;
	return res;
}

static const char *
wn_pq_bk_kind(char kind)
{
	return kind == 'd' ? "d" : "b";
}

int
wn__pq_bulk_store(wn_db_pg *p, wn_pq_conn *c, const wn_repo_store_req *req,
    const char *day)
{
	char version[24];
	const char *params[6];
	wn_shared_row *rows;
	wn_buf kinds, values, digests;
	PGresult *res;
	bool retry = false;
	size_t i, n;
	int rc;

	if ((rc = wn_shared_rows_of_report(req->report, &rows, &n)) != 0 ||
	    n == 0)
		return rc;
	wn_buf_init(&kinds);
	wn_buf_init(&values);
	wn_buf_init(&digests);
	wn_buf_putc(&kinds, '{');
	wn_buf_putc(&values, '{');
	wn_buf_putc(&digests, '{');
	for (i = 0; i < n; i++) {
		wn_buf_printf(&kinds, "%s%c", i ? "," : "", rows[i].key.kind);
		wn_buf_printf(&values, "%s%" PRId64, i ? "," : "",
		    wn_shared_key_to_db(rows[i].key.value));
		wn_buf_printf(&digests, "%s%" PRId64, i ? "," : "",
		    wn_shared_key_to_db(rows[i].digest));
	}
	wn_buf_putc(&kinds, '}');
	wn_buf_putc(&values, '}');
	wn_buf_putc(&digests, '}');
	wn_free(rows);
	if (kinds.failed || values.failed || digests.failed) {
		rc = WN_ENOMEM;
		goto out;
	}
	snprintf(version, sizeof(version), "%" PRId64,
	    req->report->fp_version);
	params[0] = day;
	params[1] = req->reporter->key.id;
	params[2] = version;
	params[3] = kinds.data;
	params[4] = values.data;
	params[5] = digests.data;
	res = wn_pq_bk_run(p, c, WN_PQ_BK_ADD, params, "store bulk keys",
	    &retry);
	if (res == NULL)
		rc = retry ? WN_ETEMP : WN_EIO;
	PQclear(res);
out:
	wn_buf_fini(&kinds);
	wn_buf_fini(&values);
	wn_buf_fini(&digests);
	return rc;
}

int
wn__pq_bulk_keys(wn_repo_db *db, const wn_repo_bulk_query *q,
    wn_repo_bulk_fn fn, void *arg)
{
	wn_db_pg *p = (wn_db_pg *)db;
	char from[24], to[24], version[24], min[24];
	const char *params[4] = { from, to, version, min };
	wn_repo_bulk_row row;
	PGresult *res;
	int rc, i, n;

	snprintf(from, sizeof(from), "%" PRId64, q->from_day);
	snprintf(to, sizeof(to), "%" PRId64, q->to_day);
	snprintf(version, sizeof(version), "%" PRId64, q->version);
	snprintf(min, sizeof(min), "%" PRIu64, q->min_reporters);
	res = wn_pq_bk_once(p, WN_PQ_BK_KEYS, params, "read bulk keys", &rc);
	if (res == NULL)
		return rc;
	n = PQntuples(res);
	for (i = 0; i < n && rc == 0; i++) {
		row.kind = PQgetvalue(res, i, 0)[0] == 'd' ? 'd' : 'b';
		row.key = wn_shared_key_from_db(wn__pq_int(res, i, 1));
		row.reporters = (uint64_t)wn__pq_int(res, i, 2);
		row.blocked = strcmp(PQgetvalue(res, i, 3), "t") == 0;
		rc = fn(arg, &row);
	}
	PQclear(res);
	return rc;
}

/*
 * Statement i with (kind, key[, reason, when]), then the raise of the
 * generation, in one transaction; *changed_out whether the statement
 * changed a row (nothing is committed when it did not).
 */
static int
wn_pq_bk_change(wn_db_pg *p, int i, const wn_repo_bulk_block *b,
    bool *changed_out, const char *what)
{
	char key[24], when[24];
	const char *params[4] = { wn_pq_bk_kind(b->kind), key, b->reason,
	    when };
	PGresult *res;
	wn_pq_conn *c;
	int rc;

	*changed_out = false;
	snprintf(key, sizeof(key), "%" PRId64, wn_shared_key_to_db(b->key));
	snprintf(when, sizeof(when), "%" PRId64, b->blocked);
	if ((rc = wn__pq_acquire(p, &c)) != 0)
		return rc;
	if ((rc = wn__pq_simple(p, c, "BEGIN", "begin")) != 0) {
		wn__pq_release(p, c);
		return rc;
	}
	res = wn_pq_bk_run(p, c, i, params, what, NULL);
	if (res == NULL)
		rc = WN_EIO;
	else
		*changed_out = strcmp(PQcmdTuples(res), "0") != 0;
	PQclear(res);
	if (rc == 0 && *changed_out) {
		res = wn_pq_bk_run(p, c, WN_PQ_BK_RAISE, NULL,
		    "raise the bulk generation", NULL);
		rc = res == NULL ? WN_EIO : 0;
		PQclear(res);
	}
	if (rc == 0 && *changed_out)
		rc = wn__pq_simple(p, c, "COMMIT", "commit");
	else
		wn__pq_simple(p, c, "ROLLBACK", "roll back");
	wn__pq_release(p, c);
	return rc;
}

int
wn__pq_bulk_block(wn_repo_db *db, const wn_repo_bulk_block *b)
{
	bool changed;
	int rc;

	rc = wn_pq_bk_change((wn_db_pg *)db, WN_PQ_BK_BLOCK, b, &changed,
	    "block bulk key");
	return rc == 0 && !changed ? WN_EINVAL : rc;
}

int
wn__pq_bulk_unblock(wn_repo_db *db, char kind, uint64_t key)
{
	wn_repo_bulk_block b;
	bool changed;
	int rc;

	memset(&b, 0, sizeof(b));
	b.kind = kind;
	b.key = key;
	rc = wn_pq_bk_change((wn_db_pg *)db, WN_PQ_BK_UNBLOCK, &b, &changed,
	    "unblock bulk key");
	return rc == 0 && !changed ? WN_ENOENT : rc;
}

static int
wn_pq_bk_block_cmp(const void *a, const void *b)
{
	const wn_repo_bulk_block *x = a, *y = b;
	wn_shared_key kx = { x->kind, x->key }, ky = { y->kind, y->key };

	return wn_shared_key_cmp(&kx, &ky);
}

int
wn__pq_bulk_blocks(wn_repo_db *db, wn_arena *a, wn_repo_bulk_block **out,
    size_t *n_out)
{
	wn_db_pg *p = (wn_db_pg *)db;
	wn_repo_bulk_block *v;
	PGresult *res;
	int rc, i, n;

	res = wn_pq_bk_once(p, WN_PQ_BK_BLOCKS, NULL,
	    "list blocked bulk keys", &rc);
	if (res == NULL)
		return rc;
	n = PQntuples(res);
	if ((v = wn_arena_calloc(a, (size_t)n + 1, sizeof(*v))) == NULL) {
		PQclear(res);
		return WN_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		v[i].kind = PQgetvalue(res, i, 0)[0] == 'd' ? 'd' : 'b';
		v[i].key = wn_shared_key_from_db(wn__pq_int(res, i, 1));
		snprintf(v[i].reason, sizeof(v[i].reason), "%s",
		    PQgetvalue(res, i, 2));
		v[i].blocked = wn__pq_int(res, i, 3);
	}
	PQclear(res);
	qsort(v, (size_t)n, sizeof(*v), wn_pq_bk_block_cmp);
	*out = v;
	*n_out = (size_t)n;
	return 0;
}

int
wn__pq_bulk_generation(wn_repo_db *db, int64_t *out)
{
	PGresult *res;
	int rc;

	res = wn_pq_bk_once((wn_db_pg *)db, WN_PQ_BK_GENERATION, NULL,
	    "read the bulk generation", &rc);
	if (res == NULL)
		return rc;
	*out = PQntuples(res) == 1 ? wn__pq_int(res, 0, 0) : 0;
	PQclear(res);
	return 0;
}

int
wn__pq_bulk_purge(wn_repo_db *db, int64_t before_day)
{
	char day[24];
	const char *params[1] = { day };
	PGresult *res;
	int rc;

	snprintf(day, sizeof(day), "%" PRId64, before_day);
	res = wn_pq_bk_once((wn_db_pg *)db, WN_PQ_BK_PURGE, params,
	    "purge bulk keys", &rc);
	PQclear(res);
	return rc;
}
