/*
 * db.c - opening a repository database by its URL, and the calls every
 * caller goes through on the way to a backend's operations.
 */
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/log.h>

#include "db.h"

int
wn_repo_db_open(const char *url, unsigned pool, wn_repo_db **out)
{
	*out = NULL;
	if (pool == 0)
		pool = 1;
	if (strncmp(url, "sqlite:", 7) == 0) {
		if (url[7] == '\0') {
			wn_log_err("database %s: no file name after sqlite:",
			    url);
			return WN_EINVAL;
		}
		return wn__repo_db_sqlite_open(url + 7, pool, out);
	}
	if (strncmp(url, "postgresql://", 13) == 0 ||
	    strncmp(url, "postgres://", 11) == 0)
		return wn__repo_db_pg_open(url, pool, out);
	wn_log_err("database \"%s\": expected sqlite:PATH or "
	    "postgresql://...", url);
	return WN_EINVAL;
}

void
wn_repo_db_close(wn_repo_db **dbp)
{
	wn_repo_db *db = *dbp;

	if (db == NULL)
		return;
	*dbp = NULL;
	db->ops->close(db);
}

int
wn_repo_db_reporter_add(wn_repo_db *db, const wn_reporter *r)
{
	return db->ops->reporter_add(db, r);
}

int
wn_repo_db_reporter_get(wn_repo_db *db, const char *key_id,
    wn_reporter *out)
{
	return db->ops->reporter_get(db, key_id, out);
}

int
wn_repo_db_reporter_list(wn_repo_db *db, wn_arena *a, wn_reporter **out,
    size_t *n_out)
{
	return db->ops->reporter_list(db, a, out, n_out);
}

int
wn_repo_db_reporter_revoke(wn_repo_db *db, const char *key_id, int64_t when)
{
	return db->ops->reporter_revoke(db, key_id, when);
}

int
wn_repo_db_nonce_seen(wn_repo_db *db, const char *key_id, const char *nonce,
    bool *seen_out)
{
	return db->ops->nonce_seen(db, key_id, nonce, seen_out);
}

int
wn_repo_db_nonce_purge(wn_repo_db *db, int64_t before)
{
	return db->ops->nonce_purge(db, before);
}

int
wn_repo_db_store_report(wn_repo_db *db, const wn_repo_store_req *req,
    enum wn_repo_store_result *result_out)
{
	return db->ops->store_report(db, req, result_out);
}

int
wn_repo_db_rows(wn_repo_db *db, const wn_agg_query *q, wn_repo_row_fn fn,
    void *arg)
{
	return db->ops->rows(db, q, fn, arg);
}

int
wn_repo_db_bulk_keys(wn_repo_db *db, const wn_repo_bulk_query *q,
    wn_repo_bulk_fn fn, void *arg)
{
	return db->ops->bulk_keys(db, q, fn, arg);
}

int
wn_repo_db_bulk_block(wn_repo_db *db, const wn_repo_bulk_block *b)
{
	return db->ops->bulk_block(db, b);
}

int
wn_repo_db_bulk_unblock(wn_repo_db *db, char kind, uint64_t key)
{
	return db->ops->bulk_unblock(db, kind, key);
}

int
wn_repo_db_bulk_blocks(wn_repo_db *db, wn_arena *a,
    wn_repo_bulk_block **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	return db->ops->bulk_blocks(db, a, out, n_out);
}

int
wn_repo_db_bulk_generation(wn_repo_db *db, int64_t *out)
{
	return db->ops->bulk_generation(db, out);
}

int
wn_repo_db_bulk_purge(wn_repo_db *db, int64_t before_day)
{
	return db->ops->bulk_purge(db, before_day);
}

int
wn_repo_db_ping(wn_repo_db *db)
{
	return db->ops->ping(db);
}
