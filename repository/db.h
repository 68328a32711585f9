/*
 * db.h - the repository's storage: registered reporters, stored reports,
 * nonces seen, the daily rollups the statistics are read from, and the
 * rule-set channels (maintainers, sets, versions and their packages;
 * rulesets.h), and the keys of cooperative bulk sharing (bulk keys per
 * reporter and day, blocked keys; docs/arch/bulk-sharing.md).
 *
 * Two backends behind one table of operations: SQLite ("sqlite:PATH",
 * the default for one regulator) and PostgreSQL ("postgresql://..." or
 * "postgres://...", for a national or global deployment). Opening
 * creates or migrates the schema (table schema_version).
 *
 * Rollups: each stored report adds its rollup rows (rollup.h) under the
 * day its period starts, the country its reporter is registered for and
 * its operator type, in table rollup, and once more without country and
 * operator type in rollup_all (what unfiltered questions read), plus a
 * presence row per (day, reporter) for distinct-reporter counts, and the
 * keys of its bulk_fingerprints under its day and reporter key. All of
 * it in the transaction that stores the report.
 *
 * Thread-safety: a wn_repo_db is shared by all threads of the server.
 * SQLite: one writer connection behind a mutex, readers from a pool of
 * connections (WAL lets them read while the writer writes). PostgreSQL:
 * a pool of connections, one per concurrent caller.
 *
 * Errors: backends log the database's own message once (wn_log_err,
 * naming the database and the operation) and return WN_EIO; callers map
 * codes to answers without logging again.
 */
#ifndef WINNOW_REPOSITORY_DB_H
#define WINNOW_REPOSITORY_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/arena.h>
#include <winnow/buf.h>
#include <winnow/sign.h>

#include "aggregate.h"
#include "report_in.h"
#include "rollup.h"
#include "rulesets.h"

typedef struct wn_repo_db wn_repo_db;

typedef struct wn_reporter {
	wn_pubkey key;			/* the public key and its id */
	char name[128];
	char country[3];		/* registered, ISO 3166-1 alpha-2 */
	char operator_type[16];		/* registered; "" none */
	int64_t added;			/* seconds since the epoch */
	int64_t revoked;		/* 0 while valid */
} wn_reporter;

/* what wn_repo_db_store_report writes */
typedef struct wn_repo_store_req {
	const wn_report *report;
	const wn_reporter *reporter;
	const char *text;		/* the report text as signed */
	size_t text_len;
	char digest[65];		/* BLAKE2b-256 of text, hex */
	const char *nonce;		/* the envelope's */
	int64_t received;
	const wn_rollup_row *rows;
	size_t n_rows;
} wn_repo_store_req;

enum wn_repo_store_result {
	WN_REPO_STORED,		/* new report, rollups updated */
	WN_REPO_DUPLICATE,	/* same report_id and content: nothing new */
	WN_REPO_CONFLICT,	/* same report_id, other content */
	WN_REPO_REPLAY		/* the nonce was used before by the key */
};

/* one summed rollup value of one day; strings valid during the call */
typedef int (*wn_repo_row_fn)(void *arg, int64_t day, const char *metric,
    const char *key, uint64_t value);

/* the question of the bulk feed: keys of fingerprint version version
 * reported on days [from_day, to_day] by at least min_reporters distinct
 * reporter keys that are not revoked */
typedef struct wn_repo_bulk_query {
	int64_t from_day, to_day;
	int64_t version;
	uint64_t min_reporters;
} wn_repo_bulk_query;

/* one key of the answer */
typedef struct wn_repo_bulk_row {
	char kind;			/* 'd' or 'b' */
	uint64_t key;
	uint64_t reporters;		/* distinct reporter keys */
	bool blocked;			/* itself, or a text it came with */
} wn_repo_bulk_row;

typedef int (*wn_repo_bulk_fn)(void *arg, const wn_repo_bulk_row *row);

#define WN_REPO_BLOCK_REASON_LEN 256	/* bytes, with the NUL */

/* a blocked key */
typedef struct wn_repo_bulk_block {
	char kind;
	uint64_t key;
	char reason[WN_REPO_BLOCK_REASON_LEN];
	int64_t blocked;		/* when, seconds since the epoch */
} wn_repo_bulk_block;

/* one version of a set; description is the set's; valid during the call */
typedef int (*wn_rs_version_fn)(void *arg, const wn_rs_version *v,
    const char *description);

/* one rule of a version; strings valid during the call */
typedef int (*wn_rs_rule_fn)(void *arg, const wn_rs_rule *r);

typedef struct wn_repo_db_ops {
	const char *name;
	int (*reporter_add)(wn_repo_db *db, const wn_reporter *r);
	int (*reporter_get)(wn_repo_db *db, const char *key_id,
	    wn_reporter *out);
	int (*reporter_list)(wn_repo_db *db, wn_arena *a, wn_reporter **out,
	    size_t *n_out);
	int (*reporter_revoke)(wn_repo_db *db, const char *key_id,
	    int64_t when);
	int (*nonce_seen)(wn_repo_db *db, const char *key_id,
	    const char *nonce, bool *seen_out);
	int (*nonce_purge)(wn_repo_db *db, int64_t before);
	int (*store_report)(wn_repo_db *db, const wn_repo_store_req *req,
	    enum wn_repo_store_result *result_out);
	int (*rows)(wn_repo_db *db, const wn_agg_query *q, wn_repo_row_fn fn,
	    void *arg);
	int (*reporters)(wn_repo_db *db, const wn_agg_query *q,
	    int64_t from_day, int64_t to_day, uint64_t *n_out);
	int (*countries)(wn_repo_db *db, wn_arena *a, const char ***out,
	    size_t *n_out);
	int (*maintainer_add)(wn_repo_db *db, const wn_maintainer *m);
	int (*maintainer_get)(wn_repo_db *db, const char *key_id,
	    wn_maintainer *out);
	int (*maintainer_list)(wn_repo_db *db, wn_arena *a,
	    wn_maintainer **out, size_t *n_out);
	int (*maintainer_revoke)(wn_repo_db *db, const char *key_id,
	    int64_t when);
	int (*ruleset_publish)(wn_repo_db *db, const wn_rs_publish *req,
	    enum wn_rs_publish_result *result_out, wn_rs_version *other_out);
	int (*ruleset_promote)(wn_repo_db *db, const char *name,
	    const char *version, int64_t when, bool *changed_out);
	int (*ruleset_versions)(wn_repo_db *db, const char *name,
	    wn_rs_version_fn fn, void *arg);
	int (*ruleset_package)(wn_repo_db *db, const char *name,
	    const char *version, wn_buf *out);
	int (*ruleset_rules)(wn_repo_db *db, const char *name,
	    const char *version, wn_rs_rule_fn fn, void *arg);
	int (*bulk_keys)(wn_repo_db *db, const wn_repo_bulk_query *q,
	    wn_repo_bulk_fn fn, void *arg);
	int (*bulk_block)(wn_repo_db *db, const wn_repo_bulk_block *b);
	int (*bulk_unblock)(wn_repo_db *db, char kind, uint64_t key);
	int (*bulk_blocks)(wn_repo_db *db, wn_arena *a,
	    wn_repo_bulk_block **out, size_t *n_out);
	int (*bulk_generation)(wn_repo_db *db, int64_t *out);
	int (*bulk_purge)(wn_repo_db *db, int64_t before_day);
	int (*ping)(wn_repo_db *db);
	void (*close)(wn_repo_db *db);
} wn_repo_db_ops;

/* backends embed this as their first member */
struct wn_repo_db {
	const wn_repo_db_ops *ops;
	char *url;			/* for messages, without a password */
};

/*
 * wn_repo_db_open - open (creating or migrating the schema) the database
 * at url. pool is the number of concurrent users expected (server
 * threads); 0 means 1. Returns 0, WN_EINVAL (url of no known kind, logged),
 * WN_EIO (cannot open or migrate; logged), WN_ENOMEM.
 */
int wn_repo_db_open(const char *url, unsigned pool, wn_repo_db **out);

/* wn_repo_db_close - close and free; *dbp becomes NULL */
void wn_repo_db_close(wn_repo_db **dbp);

int wn__repo_db_sqlite_open(const char *path, unsigned pool,
    wn_repo_db **out);
int wn__repo_db_pg_open(const char *conninfo, unsigned pool,
    wn_repo_db **out);

/*
 * Reporters. add: WN_EINVAL when the key is registered already. get:
 * WN_ENOENT when not registered. list: every reporter by key id, array
 * from a. revoke: WN_ENOENT when not registered, WN_EINVAL when revoked
 * already.
 */
int wn_repo_db_reporter_add(wn_repo_db *db, const wn_reporter *r);
int wn_repo_db_reporter_get(wn_repo_db *db, const char *key_id,
    wn_reporter *out);
int wn_repo_db_reporter_list(wn_repo_db *db, wn_arena *a, wn_reporter **out,
    size_t *n_out);
int wn_repo_db_reporter_revoke(wn_repo_db *db, const char *key_id,
    int64_t when);

/* wn_repo_db_nonce_seen - whether key_id used nonce before */
int wn_repo_db_nonce_seen(wn_repo_db *db, const char *key_id,
    const char *nonce, bool *seen_out);

/* wn_repo_db_nonce_purge - forget nonces recorded before time before */
int wn_repo_db_nonce_purge(wn_repo_db *db, int64_t before);

/*
 * wn_repo_db_store_report - in one transaction: record the nonce (a
 * nonce seen before gives WN_REPO_REPLAY and changes nothing), then the
 * report unless its report_id is stored (WN_REPO_DUPLICATE or
 * WN_REPO_CONFLICT by digest; the nonce stays recorded), its rollups,
 * its reporter's presence on its day and the keys of its
 * bulk_fingerprints (each once per reporter key and day).
 */
int wn_repo_db_store_report(wn_repo_db *db, const wn_repo_store_req *req,
    enum wn_repo_store_result *result_out);

/*
 * wn_repo_db_rows - call fn for every rollup value of the days of q,
 * summed over the reporters q selects, ordered by day, metric, key.
 * Stops early and returns what fn returned if that is non-zero.
 */
int wn_repo_db_rows(wn_repo_db *db, const wn_agg_query *q,
    wn_repo_row_fn fn, void *arg);

/*
 * wn_repo_db_aggregate - the answer to q into out: totals, every bucket
 * of the series (empty ones with zeros), source countries by spam, the
 * top q->rule_limit rules, distinct reporters per bucket and in total,
 * and the registered countries. out->arena is new; release with
 * wn_agg_fini. Returns 0, WN_EIO, WN_ENOMEM.
 */
int wn_repo_db_aggregate(wn_repo_db *db, const wn_agg_query *q, wn_agg *out);

/* wn_agg_fini - free what wn_repo_db_aggregate allocated */
void wn_agg_fini(wn_agg *agg);

/*
 * Maintainers, as reporters above: add WN_EINVAL when the key is
 * registered already; get WN_ENOENT; list every maintainer by key id;
 * revoke WN_ENOENT when unknown, WN_EINVAL when revoked already.
 */
int wn_repo_db_maintainer_add(wn_repo_db *db, const wn_maintainer *m);
int wn_repo_db_maintainer_get(wn_repo_db *db, const char *key_id,
    wn_maintainer *out);
int wn_repo_db_maintainer_list(wn_repo_db *db, wn_arena *a,
    wn_maintainer **out, size_t *n_out);
int wn_repo_db_maintainer_revoke(wn_repo_db *db, const char *key_id,
    int64_t when);

/*
 * wn_repo_db_ruleset_publish - in one transaction: create the set owned
 * by req->v.maintainer unless it exists, refuse (WN_RS_NOT_OWNER) when it
 * is another maintainer's, decide by wn_rs_publish_decide against the
 * stored versions, and store the version in stage testing with its
 * package and rules. *other_out gets the stored version that decided a
 * duplicate, conflict or not-newer answer (or, for WN_RS_NOT_OWNER, the
 * owner in its maintainer field).
 */
int wn_repo_db_ruleset_publish(wn_repo_db *db, const wn_rs_publish *req,
    enum wn_rs_publish_result *result_out, wn_rs_version *other_out);

/*
 * wn_repo_db_ruleset_promote - move version (exactly that text) of name
 * from testing to stable at when; *changed_out false when it was stable
 * already. WN_ENOENT when there is no such version.
 */
int wn_repo_db_ruleset_promote(wn_repo_db *db, const char *name,
    const char *version, int64_t when, bool *changed_out);

/*
 * wn_repo_db_rulesets - the sets (name NULL: all, sorted by name; else
 * that one) with their versions and channels (wn_rs_set_finish), from
 * a. *n_out 0 when there is none.
 */
int wn_repo_db_rulesets(wn_repo_db *db, wn_arena *a, const char *name,
    wn_rs_set **out, size_t *n_out);

/* wn_repo_db_ruleset_package - the package bytes of version of name
 * appended to out; WN_ENOENT when there is no such version */
int wn_repo_db_ruleset_package(wn_repo_db *db, const char *name,
    const char *version, wn_buf *out);

/* wn_repo_db_ruleset_rules - the rules of version of name, by rule
 * name, from a; none when there is no such version */
int wn_repo_db_ruleset_rules(wn_repo_db *db, wn_arena *a, const char *name,
    const char *version, wn_rs_rule **out, size_t *n_out);

/*
 * Bulk sharing. keys: fn for every key q selects, its distinct reporters
 * and whether it is blocked (blocked keys are in the answer too), in no
 * particular order; stops early with what fn returned if non-zero. A key
 * is blocked when it is in the blocked keys, or a band key came with a
 * blocked digest (the text) in a report of the days of q.
 * block: WN_EINVAL when the key is blocked already. unblock: WN_ENOENT
 * when it is not blocked. Both raise the generation in their
 * transaction. blocks: every blocked key, by kind and key, from a.
 * generation: the counter blocks and unblocks raise. purge: forget the
 * keys reported for days before before_day.
 */
int wn_repo_db_bulk_keys(wn_repo_db *db, const wn_repo_bulk_query *q,
    wn_repo_bulk_fn fn, void *arg);
int wn_repo_db_bulk_block(wn_repo_db *db, const wn_repo_bulk_block *b);
int wn_repo_db_bulk_unblock(wn_repo_db *db, char kind, uint64_t key);
int wn_repo_db_bulk_blocks(wn_repo_db *db, wn_arena *a,
    wn_repo_bulk_block **out, size_t *n_out);
int wn_repo_db_bulk_generation(wn_repo_db *db, int64_t *out);
int wn_repo_db_bulk_purge(wn_repo_db *db, int64_t before_day);

/* wn_repo_db_ping - 0 when the database answers */
int wn_repo_db_ping(wn_repo_db *db);

#endif
