/*
 * ruleset_meta.h - what winnow-repository says about one rule-set version
 * (GET /api/v1/rulesets/NAME/latest), read defensively because it comes
 * over the network, and the text a maintainer signs to promote a version
 * from testing to stable. docs/repository-api.md has the formats.
 *
 * No global state; thread-safe.
 */
#ifndef WINNOW_RULESET_META_H
#define WINNOW_RULESET_META_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/buf.h>
#include <winnow/manifest.h>
#include <winnow/sign.h>

#define WN_RULESET_META_ERR_LEN 256
#define WN_RULESET_META_MAX (64 * 1024)	/* bytes of metadata JSON */
#define WN_RULESET_PROMOTE_TAG "winnow-rules-promote-1"

typedef struct wn_ruleset_meta {
	char name[WN_MANIFEST_MAX_NAME + 1];
	char version[WN_MANIFEST_MAX_NAME + 1];
	char stage[16];			/* "testing" or "stable" */
	char sha256[65];		/* of the package bytes, lowercase hex */
	uint64_t size;			/* bytes of the package, > 0 */
	char key_id[WN_SIGN_KEY_ID_LEN + 1];	/* the signer */
	char url[512];			/* "/api/v1/rulesets/NAME/VERSION" */
} wn_ruleset_meta;

/*
 * wn_ruleset_meta_parse - read the JSON object of a /latest answer (len
 * bytes, NUL not needed). Every field must be present with its type: name
 * a manifest name, version a dotted number (wn_version_valid), stage
 * "testing" or "stable", sha256 64 lowercase hex digits, size a positive
 * integer, key_id WN_SIGN_KEY_ID_LEN lowercase hex digits, url a path
 * starting "/api/v1/rulesets/" without "..", '?', '#', '%', '\\',
 * whitespace or control characters. Unknown members are ignored.
 * Returns 0, WN_EFORMAT (err says which field and why) or WN_ELIMIT
 * (over WN_RULESET_META_MAX); on failure out is zeroed.
 */
int wn_ruleset_meta_parse(const char *json, size_t len, wn_ruleset_meta *out,
    char *err);

/*
 * wn_ruleset_promote_text - the exact text a promotion's Ed25519
 * signature covers, appended to out:
 *
 *     "winnow-rules-promote-1\nNAME\nVERSION\nSTAGE\nTIME\n"
 *
 * where TIME is RFC 3339 UTC ("2026-11-23T10:00:00Z"). Returns 0,
 * WN_EINVAL (a field holds a newline or is empty) or WN_ENOMEM.
 */
int wn_ruleset_promote_text(const char *name, const char *version,
    const char *stage, const char *time, wn_buf *out);

#endif
