/*
 * ruleset_intake.h - rule-set packages and promotions from bytes to an
 * answer (docs/repository-api.md, "Rule-set channels").
 *
 * Publishing: the package is verified against every registered
 * maintainer key (structure, data only, checksums, signature, manifest,
 * min-engine), its signer must not be revoked and must belong to the
 * maintainer owning the name, its version must be new and newer than the
 * stored ones; then it is unpacked into a fresh temporary folder (always
 * removed) and checked as `winnow rules test` checks it, and stored.
 * Promoting: the signed JSON body, the owner's key, the clock, the
 * stage.
 *
 * Lifecycle: wn_rs_intake_init once with the database (borrowed) ->
 * wn_rs_intake_publish / wn_rs_intake_promote from any number of
 * threads, each result released with wn_rs_result_fini. Content type
 * (415) and size (413) are the HTTP layer's checks and come first; the
 * clock is the caller's (now).
 */
#ifndef WINNOW_REPOSITORY_RULESET_INTAKE_H
#define WINNOW_REPOSITORY_RULESET_INTAKE_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/buf.h>
#include <winnow/ruleset_pkg.h>
#include <winnow/sign.h>

#include "db.h"
#include "rulesets.h"

#define WN_RS_MAX_DETAILS 50		/* findings listed in a 400 answer */
#define WN_RS_ERR_LEN 256		/* bytes of a promote parse error */

typedef struct wn_rs_intake {
	wn_repo_db *db;
	const char *tmp_dir;		/* unpack under it; NULL: $TMPDIR */
	int64_t max_skew;		/* seconds a promotion may be off */
} wn_rs_intake;

typedef struct wn_rs_result {
	int status;			/* the HTTP status */
	char message[WN_RULESET_PKG_ERR_LEN + 128];	/* why, for an error */
	wn_rs_version version;		/* 200, 201: the version stored */
	wn_buf details;			/* findings, each ending in '\n' */
	size_t n_details;
} wn_rs_result;

/* a promotion's body, checked for form (not for its signature) */
typedef struct wn_rs_promote_req {
	enum wn_rs_stage stage;
	char time[21];			/* "YYYY-MM-DDTHH:MM:SSZ" as sent */
	int64_t t;			/* the same in seconds */
	char key_id[WN_SIGN_KEY_ID_LEN + 1];
	char signature[WN_SIGN_SIG_B64_LEN + 1];
} wn_rs_promote_req;

/* wn_rs_intake_init - tmp_dir (may be NULL) is borrowed; max_skew <= 0
 * means 900 s */
void wn_rs_intake_init(wn_rs_intake *in, wn_repo_db *db, const char *tmp_dir,
    int64_t max_skew);

/*
 * wn_rs_intake_publish - check and store the package body[0..len)
 * received at now. Always fills out: 201 stored, 200 stored before, 400
 * (details set when the set failed its check), 403, 409, 413, 500/503
 * when the database failed. Returns 0, or the WN_E* code behind a 5xx
 * (already logged).
 */
int wn_rs_intake_publish(wn_rs_intake *in, const void *body, size_t len,
    int64_t now, wn_rs_result *out);

/*
 * wn_rs_promote_parse - the JSON object {"stage", "time", "key_id",
 * "signature"} (members of other names are ignored): stage "stable"
 * (the only promotion there is), time RFC 3339 UTC to the second, key_id
 * 16 lowercase hex digits, signature the base64 of 64 bytes. Returns 0,
 * WN_EINVAL with err (WN_RS_ERR_LEN bytes) naming the member, or
 * WN_ENOMEM.
 */
int wn_rs_promote_parse(const char *body, size_t len,
    wn_rs_promote_req *out, char *err);

/*
 * wn_rs_intake_promote - promote version of name as body asks, at now.
 * Always fills out: 200 (the version, stable), 400 bad body, 403 unknown,
 * revoked or foreign key, bad signature, stale time, 404 no such
 * version, 410 the version's signer was revoked, 5xx. Returns as
 * wn_rs_intake_publish.
 */
int wn_rs_intake_promote(wn_rs_intake *in, const char *name,
    const char *version, const char *body, size_t len, int64_t now,
    wn_rs_result *out);

/* wn_rs_result_fini - free what a result holds */
void wn_rs_result_fini(wn_rs_result *r);

/* For ruleset_intake.c and ruleset_promote.c: set status and message
 * (returns 0); a database failure as 503, or 500 for WN_ENOMEM (returns
 * rc). */
int wn__rs_result_set(wn_rs_result *out, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int wn__rs_db_failed(wn_rs_result *out, int rc);

#endif
