/*
 * rules_remote.h - the rule-set channels of winnow-repository from the
 * command line: publish and promote (maintainers), fetch the latest
 * version of a channel and its package (operators). HTTP(S) by libcurl.
 *
 * base is the repository's root URL ("https://repo.example" or
 * "http://127.0.0.1:8080"; a trailing '/' is allowed). Every function
 * writes one line of text into err (WN_REMOTE_ERR_LEN bytes) on failure,
 * naming the URL and what went wrong (the repository's own "error" text
 * for 4xx answers), and returns
 *   WN_ETEMP   no answer, a timeout, a 5xx or 429: worth trying later
 *   WN_ENOENT  404: no such rule set or version
 *   WN_EFORMAT the answer is not what the API promises (garbage, a
 *              package whose size or sha256 differs from its metadata,
 *              a redirect or another status the API never gives)
 *   WN_ELIMIT  the answer is larger than allowed
 *   WN_EINVAL  any other 4xx (refused: bad signature, conflict, ...)
 *   WN_ENOMEM
 */
#ifndef WINNOW_CLI_RULES_REMOTE_H
#define WINNOW_CLI_RULES_REMOTE_H

#include <stdint.h>

#include <winnow/buf.h>
#include <winnow/ruleset_meta.h>

#define WN_REMOTE_ERR_LEN 1024

typedef struct wn_remote_opts {
	const char *base;	/* repository root URL */
	const char *cacert;	/* CA file for https; NULL: system store */
	long timeout;		/* seconds per request; 0: 30 */
} wn_remote_opts;

/*
 * wn_remote_latest - GET /api/v1/rulesets/NAME/latest?stage=STAGE and
 * parse it (wn_ruleset_meta_parse); the answer must name NAME.
 */
int wn_remote_latest(const wn_remote_opts *o, const char *name,
    const char *stage, wn_ruleset_meta *out, char *err);

/*
 * wn_remote_package - GET m->url (relative to base) into out (appended);
 * refuses more than max bytes and any answer whose size or SHA-256
 * differs from m.
 */
int wn_remote_package(const wn_remote_opts *o, const wn_ruleset_meta *m,
    uint64_t max, wn_buf *out, char *err);

/*
 * wn_remote_publish - POST the package bytes to /api/v1/rulesets.
 * On 201 or 200 answer_out (may be NULL) receives the answer's JSON text.
 * Returns 0 on 201 (stored) and 1 on 200 (that package was already
 * there), else an error as above.
 */
int wn_remote_publish(const wn_remote_opts *o, const void *pkg, size_t len,
    wn_buf *answer_out, char *err);

/*
 * wn_remote_promote - POST /api/v1/rulesets/NAME/VERSION/promote with a
 * promotion to stage signed by k (wn_ruleset_promote_text, now).
 */
int wn_remote_promote(const wn_remote_opts *o, const char *name,
    const char *version, const char *stage, const wn_seckey *k, char *err);

/*
 * wn_remote_get - GET base + path (path starts with '/') into out
 * (appended); 200 is success; more than max bytes is WN_ELIMIT.
 */
int wn_remote_get(const wn_remote_opts *o, const char *path, uint64_t max,
    wn_buf *out, char *err);

#endif
