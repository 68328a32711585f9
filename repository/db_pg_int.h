/*
 * db_pg_int.h - what the PostgreSQL backend's files share: db_pg.c
 * (connections, schema, reporters, reports, rollups), db_pg_rulesets.c
 * (maintainers and rule-set channels) and db_pg_bulk.c (the keys of bulk
 * sharing). Not an API.
 *
 * Each connection prepares statements once: the ones of db_pg.c by the
 * enum below, the ones of db_pg_rulesets.c tracked in rs_prepared and of
 * db_pg_bulk.c in bk_prepared.
 */
#ifndef WINNOW_REPOSITORY_DB_PG_INT_H
#define WINNOW_REPOSITORY_DB_PG_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "db.h"

enum {
	WN_PQ_REPORTER_ADD,
	WN_PQ_REPORTER_GET,
	WN_PQ_REPORTER_LIST,
	WN_PQ_REPORTER_REVOKE,
	WN_PQ_NONCE_SEEN,
	WN_PQ_NONCE_ADD,
	WN_PQ_NONCE_PURGE,
	WN_PQ_REPORT_ADD,
	WN_PQ_REPORT_DIGEST,
	WN_PQ_ROLLUP,
	WN_PQ_ROLLUP_ALL,
	WN_PQ_PRESENCE,
	WN_PQ_ROWS_ALL,
	WN_PQ_ROWS_FILTER,
	WN_PQ_REPORTERS,
	WN_PQ_COUNTRIES,
	WN_PQ_COUNT
};

#define WN__PQ_RS_SLOTS 16	/* statements of db_pg_rulesets.c */
#define WN__PQ_BK_SLOTS 8	/* statements of db_pg_bulk.c */

typedef struct wn_pq_conn {
	PGconn *pg;
	bool prepared[WN_PQ_COUNT];
	bool rs_prepared[WN__PQ_RS_SLOTS];
	bool bk_prepared[WN__PQ_BK_SLOTS];
	bool busy;
} wn_pq_conn;

typedef struct wn_db_pg {
	wn_repo_db base;
	char *conninfo;
	pthread_mutex_t lock;
	pthread_cond_t freed;
	wn_pq_conn *conns;
	size_t n_conns;
} wn_db_pg;

/* wn__pq_log - log the server's message once, naming what failed */
void wn__pq_log(wn_db_pg *p, PGconn *pg, const PGresult *res,
    const char *what);

/* wn__pq_retryable - res failed as a deadlock or serialization victim */
bool wn__pq_retryable(const PGresult *res);

/* wn__pq_acquire / wn__pq_release - take (waiting for a free one, and
 * connecting it when needed) and give back a connection of the pool */
int wn__pq_acquire(wn_db_pg *p, wn_pq_conn **out);
void wn__pq_release(wn_db_pg *p, wn_pq_conn *c);

/*
 * wn__pq_exec_prepared - run sql as the prepared statement name on c,
 * preparing it first when *prepared is false (then set); params, lengths,
 * formats and binary as for PQexecPrepared. The result, or NULL after
 * logging what failed (with *retry_out set instead, when given, for a
 * deadlock or serialization victim).
 */
PGresult *wn__pq_exec_prepared(wn_db_pg *p, wn_pq_conn *c, const char *name,
    bool *prepared, const char *sql, int nparams, const char *const *params,
    const int *lengths, const int *formats, int binary, const char *what,
    bool *retry_out);

/* wn__pq_simple - run sql (no parameters, no rows); WN_EIO after logging */
int wn__pq_simple(wn_db_pg *p, wn_pq_conn *c, const char *sql,
    const char *what);

/* wn__pq_int - a column as an integer; 0 for NULL */
int64_t wn__pq_int(const PGresult *res, int row, int col);

/* db_pg_rulesets.c: the operations of rulesets.h */
int wn__pq_maintainer_add(wn_repo_db *db, const wn_maintainer *m);
int wn__pq_maintainer_get(wn_repo_db *db, const char *key_id,
    wn_maintainer *out);
int wn__pq_maintainer_list(wn_repo_db *db, wn_arena *a, wn_maintainer **out,
    size_t *n_out);
int wn__pq_maintainer_revoke(wn_repo_db *db, const char *key_id,
    int64_t when);
int wn__pq_ruleset_publish(wn_repo_db *db, const wn_rs_publish *req,
    enum wn_rs_publish_result *result_out, wn_rs_version *other_out);
int wn__pq_ruleset_promote(wn_repo_db *db, const char *name,
    const char *version, int64_t when, bool *changed_out);
int wn__pq_ruleset_versions(wn_repo_db *db, const char *name,
    wn_rs_version_fn fn, void *arg);
int wn__pq_ruleset_package(wn_repo_db *db, const char *name,
    const char *version, wn_buf *out);
int wn__pq_ruleset_rules(wn_repo_db *db, const char *name,
    const char *version, wn_rs_rule_fn fn, void *arg);

/*
 * db_pg_bulk.c: the keys of a report (day as text), in the store's
 * transaction on c. Returns 0, WN_ETEMP (a deadlock victim: run the
 * transaction again), WN_EIO, WN_ENOMEM.
 */
int wn__pq_bulk_store(wn_db_pg *p, wn_pq_conn *c,
    const wn_repo_store_req *req, const char *day);

/* db_pg_bulk.c: the bulk operations of db.h */
int wn__pq_bulk_keys(wn_repo_db *db, const wn_repo_bulk_query *q,
    wn_repo_bulk_fn fn, void *arg);
int wn__pq_bulk_block(wn_repo_db *db, const wn_repo_bulk_block *b);
int wn__pq_bulk_unblock(wn_repo_db *db, char kind, uint64_t key);
int wn__pq_bulk_blocks(wn_repo_db *db, wn_arena *a,
    wn_repo_bulk_block **out, size_t *n_out);
int wn__pq_bulk_generation(wn_repo_db *db, int64_t *out);
int wn__pq_bulk_purge(wn_repo_db *db, int64_t before_day);

#endif
