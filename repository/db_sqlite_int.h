/*
 * db_sqlite_int.h - what the SQLite backend's files share: db_sqlite.c
 * (connections, schema, reporters, reports, rollups),
 * db_sqlite_rulesets.c (maintainers and rule-set channels) and
 * db_sqlite_bulk.c (the keys of bulk sharing). Not an API.
 *
 * Each connection keeps its prepared statements: the ones of db_sqlite.c
 * by the enum below, the ones of db_sqlite_rulesets.c in rs[] and of
 * db_sqlite_bulk.c in bk[], prepared on first use by wn__sq_prepared.
 */
#ifndef WINNOW_REPOSITORY_DB_SQLITE_INT_H
#define WINNOW_REPOSITORY_DB_SQLITE_INT_H

#include <pthread.h>

#include <sqlite3.h>

#include "db.h"

enum {
	WN_SQ_REPORTER_ADD,
	WN_SQ_REPORTER_GET,
	WN_SQ_REPORTER_LIST,
	WN_SQ_REPORTER_REVOKE,
	WN_SQ_NONCE_SEEN,
	WN_SQ_NONCE_ADD,
	WN_SQ_NONCE_PURGE,
	WN_SQ_REPORT_ADD,
	WN_SQ_REPORT_DIGEST,
	WN_SQ_ROLLUP,
	WN_SQ_ROLLUP_ALL,
	WN_SQ_PRESENCE,
	WN_SQ_ROWS_ALL,
	WN_SQ_ROWS_FILTER,
	WN_SQ_REPORTERS,
	WN_SQ_COUNTRIES,
	WN_SQ_BEGIN,
	WN_SQ_COMMIT,
	WN_SQ_ROLLBACK,
	WN_SQ_COUNT
};

#define WN__SQ_RS_SLOTS 16	/* statements of db_sqlite_rulesets.c */
#define WN__SQ_BK_SLOTS 8	/* statements of db_sqlite_bulk.c */

typedef struct wn_sq_conn {
	sqlite3 *db;
	sqlite3_stmt *st[WN_SQ_COUNT];
	sqlite3_stmt *rs[WN__SQ_RS_SLOTS];
	sqlite3_stmt *bk[WN__SQ_BK_SLOTS];
	struct wn_sq_conn *next;	/* in the free list */
} wn_sq_conn;

typedef struct wn_db_sqlite {
	wn_repo_db base;
	char *path;
	pthread_mutex_t wlock;		/* the writer connection */
	wn_sq_conn *writer;
	pthread_mutex_t plock;		/* the free list of readers */
	wn_sq_conn *readers;
} wn_db_sqlite;

/* wn__sq_log - log the connection's last error once, naming what */
void wn__sq_log(wn_db_sqlite *s, sqlite3 *db, const char *what);

/* wn__sq_prepared - *slot, prepared from sql on first use; NULL after
 * logging */
sqlite3_stmt *wn__sq_prepared(wn_db_sqlite *s, wn_sq_conn *c,
    sqlite3_stmt **slot, const char *sql);

/* wn__sq_done - reset a statement and clear its bindings (NULL is fine) */
void wn__sq_done(sqlite3_stmt *st);

/* wn__sq_run - step a statement whose rows do not matter, then reset */
int wn__sq_run(wn_db_sqlite *s, wn_sq_conn *c, sqlite3_stmt *st,
    const char *what);

/* wn__sq_exec - run statement i of the enum (BEGIN, COMMIT, ...) */
int wn__sq_exec(wn_db_sqlite *s, wn_sq_conn *c, int i, const char *what);

/* wn__sq_text - bind a NUL-terminated string the call keeps alive */
void wn__sq_text(sqlite3_stmt *st, int i, const char *v);

/* wn__sq_reader / wn__sq_release - take and give back a reader */
int wn__sq_reader(wn_db_sqlite *s, wn_sq_conn **out);
void wn__sq_release(wn_db_sqlite *s, wn_sq_conn *c);

/* wn__sq_reader_stmt - a reader and its statement which (from stmt, one
 * file's prepared-on-first-use lookup); WN_EIO with nothing held when
 * the statement does not prepare */
int wn__sq_reader_stmt(wn_db_sqlite *s,
    sqlite3_stmt *(*stmt)(wn_db_sqlite *, wn_sq_conn *, int), int which,
    wn_sq_conn **c, sqlite3_stmt **st);

/* db_sqlite_rulesets.c: the operations of rulesets.h */
int wn__sq_maintainer_add(wn_repo_db *db, const wn_maintainer *m);
int wn__sq_maintainer_get(wn_repo_db *db, const char *key_id,
    wn_maintainer *out);
int wn__sq_maintainer_list(wn_repo_db *db, wn_arena *a, wn_maintainer **out,
    size_t *n_out);
int wn__sq_maintainer_revoke(wn_repo_db *db, const char *key_id,
    int64_t when);
int wn__sq_ruleset_publish(wn_repo_db *db, const wn_rs_publish *req,
    enum wn_rs_publish_result *result_out, wn_rs_version *other_out);
int wn__sq_ruleset_promote(wn_repo_db *db, const char *name,
    const char *version, int64_t when, bool *changed_out);
int wn__sq_ruleset_versions(wn_repo_db *db, const char *name,
    wn_rs_version_fn fn, void *arg);
int wn__sq_ruleset_package(wn_repo_db *db, const char *name,
    const char *version, wn_buf *out);
int wn__sq_ruleset_rules(wn_repo_db *db, const char *name,
    const char *version, wn_rs_rule_fn fn, void *arg);

/* db_sqlite_bulk.c: the keys of a report, in the store's transaction on
 * the writer connection c */
int wn__sq_bulk_store(wn_db_sqlite *s, wn_sq_conn *c,
    const wn_repo_store_req *req, int64_t day);

/* db_sqlite_bulk.c: the bulk operations of db.h */
int wn__sq_bulk_keys(wn_repo_db *db, const wn_repo_bulk_query *q,
    wn_repo_bulk_fn fn, void *arg);
int wn__sq_bulk_block(wn_repo_db *db, const wn_repo_bulk_block *b);
int wn__sq_bulk_unblock(wn_repo_db *db, char kind, uint64_t key);
int wn__sq_bulk_blocks(wn_repo_db *db, wn_arena *a,
    wn_repo_bulk_block **out, size_t *n_out);
int wn__sq_bulk_generation(wn_repo_db *db, int64_t *out);
int wn__sq_bulk_purge(wn_repo_db *db, int64_t before_day);

#endif
