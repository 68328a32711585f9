/*
 * db_sqlite_bulk.c - the keys of cooperative bulk sharing in the SQLite
 * backend: the keys each report brings, the feed's question, blocked
 * keys and the generation counter.
 *
 * The keys of a report go in with the report, on the writer connection
 * inside its transaction, one prepared insert per key (ON CONFLICT DO
 * NOTHING: a key is kept once per reporter key, day and text). The feed's
 * question reads the days of the window as one range of the primary key
 * and groups by key; blocked keys are found by their own primary key.
 * A block or unblock and the raise of the generation are one
 * transaction, so a server that reads the generation never sees the one
 * without the other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/log.h>

#include "db.h"
#include "db_sqlite_int.h"
#include "shared_keys.h"

enum {
	WN_SQ_BK_ADD,
	WN_SQ_BK_KEYS,
	WN_SQ_BK_BLOCK,
	WN_SQ_BK_UNBLOCK,
	WN_SQ_BK_RAISE,
	WN_SQ_BK_BLOCKS,
	WN_SQ_BK_GENERATION,
	WN_SQ_BK_PURGE,
	WN_SQ_BK_COUNT
};

_Static_assert(WN_SQ_BK_COUNT <= WN__SQ_BK_SLOTS,
    "db_sqlite_int.h: WN__SQ_BK_SLOTS is too small");

static const char *const wn_sq_bk_sql[WN_SQ_BK_COUNT] = {
	[WN_SQ_BK_ADD] = "INSERT INTO bulk_keys (day, kind, key, key_id, "
	    "digest, fingerprint_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT DO NOTHING",
	/*
	 * Out of the feed: a key blocked itself, or one that came with a
	 * blocked text (its digest). Revoked reporters and blocked digests
	 * are few: SQLite makes each list once per query.
	 */
	[WN_SQ_BK_KEYS] = "SELECT k.kind, k.key, COUNT(DISTINCT k.key_id), "
	    "EXISTS (SELECT 1 FROM bulk_blocks b WHERE b.kind = k.kind AND "
	    "b.key = k.key) OR MAX(k.digest IN (SELECT key FROM bulk_blocks "
	    "WHERE kind = 'd')) FROM bulk_keys k WHERE k.day BETWEEN ?1 AND "
	    "?2 AND k.fingerprint_version = ?3 AND k.key_id NOT IN (SELECT "
	    "key_id FROM reporters WHERE revoked IS NOT NULL) "
	    "GROUP BY k.kind, k.key HAVING COUNT(DISTINCT k.key_id) >= ?4",
	[WN_SQ_BK_BLOCK] = "INSERT INTO bulk_blocks (kind, key, reason, "
	    "blocked) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
	[WN_SQ_BK_UNBLOCK] = "DELETE FROM bulk_blocks WHERE kind = ?1 AND "
	    "key = ?2",
	[WN_SQ_BK_RAISE] = "UPDATE bulk_state SET generation = "
	    "generation + 1",
	[WN_SQ_BK_BLOCKS] = "SELECT kind, key, reason, blocked FROM "
	    "bulk_blocks",
	[WN_SQ_BK_GENERATION] = "SELECT MAX(generation) FROM bulk_state",
	[WN_SQ_BK_PURGE] = "DELETE FROM bulk_keys WHERE day < ?1",
};

static sqlite3_stmt *
wn_sq_bk_stmt(wn_db_sqlite *s, wn_sq_conn *c, int i)
{
	return wn__sq_prepared(s, c, &c->bk[i], wn_sq_bk_sql[i]);
}

static int
wn_sq_bk_read_stmt(wn_db_sqlite *s, int which, wn_sq_conn **c,
    sqlite3_stmt **st)
{
	return wn__sq_reader_stmt(s, wn_sq_bk_stmt, which, c, st);
}

/* a kind as the one-character text the tables hold */
static const char *
wn_sq_bk_kind(char kind)
{
	return kind == 'd' ? "d" : "b";
}

int
wn__sq_bulk_store(wn_db_sqlite *s, wn_sq_conn *c,
    const wn_repo_store_req *req, int64_t day)
{
	wn_shared_row *rows;
	sqlite3_stmt *st;
	size_t i, n;
	int rc;

	if ((rc = wn_shared_rows_of_report(req->report, &rows, &n)) != 0 ||
	    n == 0)
		return rc;
	if ((st = wn_sq_bk_stmt(s, c, WN_SQ_BK_ADD)) == NULL) {
		wn_free(rows);
		return WN_EIO;
	}
	for (i = 0; i < n && rc == 0; i++) {
		sqlite3_bind_int64(st, 1, day);
		wn__sq_text(st, 2, wn_sq_bk_kind(rows[i].key.kind));
		sqlite3_bind_int64(st, 3,
		    wn_shared_key_to_db(rows[i].key.value));
		wn__sq_text(st, 4, req->reporter->key.id);
		sqlite3_bind_int64(st, 5, wn_shared_key_to_db(rows[i].digest));
		sqlite3_bind_int64(st, 6, req->report->fp_version);
		rc = wn__sq_run(s, c, st, "store bulk keys");
	}
	wn_free(rows);
	return rc;
}

int
wn__sq_bulk_keys(wn_repo_db *db, const wn_repo_bulk_query *q,
    wn_repo_bulk_fn fn, void *arg)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	wn_repo_bulk_row row;
	sqlite3_stmt *st;
	wn_sq_conn *c;
	int rc, frc = 0;

	if ((rc = wn_sq_bk_read_stmt(s, WN_SQ_BK_KEYS, &c, &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, q->from_day);
	sqlite3_bind_int64(st, 2, q->to_day);
	sqlite3_bind_int64(st, 3, q->version);
	sqlite3_bind_int64(st, 4, (int64_t)q->min_reporters);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);

		row.kind = kind != NULL && kind[0] == 'd' ? 'd' : 'b';
		row.key = wn_shared_key_from_db(sqlite3_column_int64(st, 1));
		row.reporters = (uint64_t)sqlite3_column_int64(st, 2);
		row.blocked = sqlite3_column_int(st, 3) != 0;
		if ((frc = fn(arg, &row)) != 0)
			break;
	}
	if (frc == 0 && rc != SQLITE_DONE) {
		wn__sq_log(s, c->db, "read bulk keys");
		frc = WN_EIO;
	}
	wn__sq_done(st);
	wn__sq_release(s, c);
	return frc;
}

/*
 * Statement i with (kind, key[, reason, when]) on the writer, then the
 * raise of the generation, in one transaction. *changed_out: whether the
 * statement changed a row (nothing is committed when it did not).
 */
static int
wn_sq_bk_change(wn_db_sqlite *s, int i, const wn_repo_bulk_block *b,
    bool *changed_out, const char *what)
{
	wn_sq_conn *c = s->writer;
	sqlite3_stmt *st;
	int rc;

	*changed_out = false;
	pthread_mutex_lock(&s->wlock);
	if ((rc = wn__sq_exec(s, c, WN_SQ_BEGIN, "begin")) != 0) {
		pthread_mutex_unlock(&s->wlock);
		return rc;
	}
	if ((st = wn_sq_bk_stmt(s, c, i)) == NULL)
		rc = WN_EIO;
	if (rc == 0) {
		wn__sq_text(st, 1, wn_sq_bk_kind(b->kind));
		sqlite3_bind_int64(st, 2, wn_shared_key_to_db(b->key));
		if (i == WN_SQ_BK_BLOCK) {
			wn__sq_text(st, 3, b->reason);
			sqlite3_bind_int64(st, 4, b->blocked);
		}
		rc = wn__sq_run(s, c, st, what);
	}
	if (rc == 0)
		*changed_out = sqlite3_changes(c->db) > 0;
	if (rc == 0 && *changed_out) {
		if ((st = wn_sq_bk_stmt(s, c, WN_SQ_BK_RAISE)) == NULL)
			rc = WN_EIO;
		else
			rc = wn__sq_run(s, c, st, "raise the bulk generation");
	}
	if (rc == 0 && *changed_out)
		rc = wn__sq_exec(s, c, WN_SQ_COMMIT, "commit");
	else
		wn__sq_exec(s, c, WN_SQ_ROLLBACK, "roll back");
	pthread_mutex_unlock(&s->wlock);
	return rc;
}

int
wn__sq_bulk_block(wn_repo_db *db, const wn_repo_bulk_block *b)
{
	bool changed;
	int rc;

	rc = wn_sq_bk_change((wn_db_sqlite *)db, WN_SQ_BK_BLOCK, b, &changed,
	    "block bulk key");
	return rc == 0 && !changed ? WN_EINVAL : rc;
}

int
wn__sq_bulk_unblock(wn_repo_db *db, char kind, uint64_t key)
{
	wn_repo_bulk_block b;
	bool changed;
	int rc;

	memset(&b, 0, sizeof(b));
	b.kind = kind;
	b.key = key;
	rc = wn_sq_bk_change((wn_db_sqlite *)db, WN_SQ_BK_UNBLOCK, &b,
	    &changed, "unblock bulk key");
	return rc == 0 && !changed ? WN_ENOENT : rc;
}

static int
wn_sq_bk_block_cmp(const void *a, const void *b)
{
	const wn_repo_bulk_block *x = a, *y = b;
	wn_shared_key kx = { x->kind, x->key }, ky = { y->kind, y->key };

	return wn_shared_key_cmp(&kx, &ky);
}

int
wn__sq_bulk_blocks(wn_repo_db *db, wn_arena *a, wn_repo_bulk_block **out,
    size_t *n_out)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	wn_repo_bulk_block *v = NULL, *nv;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	wn_sq_conn *c;
	int rc;

	if ((rc = wn_sq_bk_read_stmt(s, WN_SQ_BK_BLOCKS, &c, &st)) != 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		const char *reason = (const char *)sqlite3_column_text(st, 2);

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
		v[n].kind = kind != NULL && kind[0] == 'd' ? 'd' : 'b';
		v[n].key = wn_shared_key_from_db(sqlite3_column_int64(st, 1));
		snprintf(v[n].reason, sizeof(v[n].reason), "%s",
		    reason != NULL ? reason : "");
		v[n++].blocked = sqlite3_column_int64(st, 3);
	}
	wn__sq_done(st);
	if (rc != SQLITE_DONE)
		wn__sq_log(s, c->db, "list blocked bulk keys");
	wn__sq_release(s, c);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_NOMEM ? WN_ENOMEM : WN_EIO;
	if (n > 0)
		qsort(v, n, sizeof(*v), wn_sq_bk_block_cmp);
	*out = v;
	*n_out = n;
	return 0;
}

int
wn__sq_bulk_generation(wn_repo_db *db, int64_t *out)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	sqlite3_stmt *st;
	wn_sq_conn *c;
	int rc;

	if ((rc = wn_sq_bk_read_stmt(s, WN_SQ_BK_GENERATION, &c, &st)) != 0)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		wn__sq_log(s, c->db, "read the bulk generation");
		rc = WN_EIO;
	}
	wn__sq_done(st);
	wn__sq_release(s, c);
	return rc;
}

int
wn__sq_bulk_purge(wn_repo_db *db, int64_t before_day)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	sqlite3_stmt *st;
	int rc = WN_EIO;

	pthread_mutex_lock(&s->wlock);
	if ((st = wn_sq_bk_stmt(s, s->writer, WN_SQ_BK_PURGE)) != NULL) {
		sqlite3_bind_int64(st, 1, before_day);
		rc = wn__sq_run(s, s->writer, st, "purge bulk keys");
	}
	pthread_mutex_unlock(&s->wlock);
	return rc;
}
