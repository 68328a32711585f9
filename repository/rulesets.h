/*
 * rulesets.h - rule-set channels as the repository keeps them:
 * maintainers (keys allowed to publish), rule sets (a name owned by one
 * maintainer), their versions (a signed package in stage testing or
 * stable) and the rules of each version. docs/repository-api.md,
 * "Rule-set channels", has the rules these types follow.
 *
 * The backends (db_sqlite_rulesets.c, db_pg_rulesets.c) store and read
 * rows; db_rulesets.c holds what both share: which version a channel
 * offers, version order (dotted numbers, compared by wn_version_cmp, never
 * as text) and what a publish may do given the versions already stored.
 *
 * Everything a wn_rs_set points to lives in the arena it was loaded
 * into. Pure data; the functions are thread-safe.
 */
#ifndef WINNOW_REPOSITORY_RULESETS_H
#define WINNOW_REPOSITORY_RULESETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/arena.h>
#include <winnow/manifest.h>
#include <winnow/sign.h>

#define WN_RS_NAME_LEN WN_MANIFEST_MAX_NAME	/* bytes of name or version */
#define WN_RS_MAINTAINER_LEN 128		/* bytes of a maintainer name */
#define WN_RS_MAX_PACKAGE ((size_t)8 << 20)	/* bytes of a package */

typedef struct wn_maintainer {
	wn_pubkey key;			/* the public key and its id */
	char name[WN_RS_MAINTAINER_LEN];
	int64_t added;			/* seconds since the epoch */
	int64_t revoked;		/* 0 while valid */
} wn_maintainer;

enum wn_rs_stage {
	WN_RS_TESTING,			/* published */
	WN_RS_STABLE			/* promoted by its maintainer */
};

/* one version of a set, without its package bytes */
typedef struct wn_rs_version {
	char name[WN_RS_NAME_LEN + 1];
	char version[WN_RS_NAME_LEN + 1];
	enum wn_rs_stage stage;
	char sha256[65];		/* of the package, lowercase hex */
	uint64_t size;			/* bytes of the package */
	char key_id[WN_SIGN_KEY_ID_LEN + 1];	/* the signer */
	char maintainer[WN_RS_MAINTAINER_LEN];	/* the set's owner */
	int64_t published;		/* seconds since the epoch */
	int64_t promoted;		/* 0 while testing */
	uint64_t rules;			/* usable rules */
	uint64_t tests;			/* test messages */
	bool revoked;			/* its signer's key was revoked */
} wn_rs_version;

typedef struct wn_rs_set {
	char name[WN_RS_NAME_LEN + 1];
	char maintainer[WN_RS_MAINTAINER_LEN];
	const char *description;	/* the newest version's; "" none */
	wn_rs_version *versions;	/* newest first */
	size_t n_versions;
	/* what the channels offer (into versions), or NULL */
	const wn_rs_version *stable;
	const wn_rs_version *testing;
} wn_rs_set;

/* one rule of a version, for the dashboard */
typedef struct wn_rs_rule {
	const char *name;
	double score;			/* score set 3: network, Bayes on */
	const char *describe;		/* "" none */
	bool scoring;			/* can add to a score */
} wn_rs_rule;

/* what wn_repo_db_ruleset_publish stores */
typedef struct wn_rs_publish {
	wn_rs_version v;		/* stage, promoted, revoked ignored */
	const char *description;	/* the manifest's; "" none */
	const void *package;
	size_t package_len;
	const wn_rs_rule *rules;
	size_t n_rules;
} wn_rs_publish;

enum wn_rs_publish_result {
	WN_RS_STORED,		/* new version, in stage testing */
	WN_RS_DUPLICATE,	/* this package (same sha256) is stored */
	WN_RS_NOT_OWNER,	/* the name belongs to another maintainer */
	WN_RS_CONFLICT,		/* the version is stored with other content */
	WN_RS_NOT_NEWER		/* a newer or equal version is stored */
};

/* wn_rs_stage_name - "testing" or "stable" */
const char *wn_rs_stage_name(enum wn_rs_stage s);

/* wn_rs_stage_parse - "testing" or "stable" into *out; WN_EINVAL */
int wn_rs_stage_parse(const char *s, enum wn_rs_stage *out);

/*
 * wn_rs_name_valid - s is a rule-set name as a manifest allows it
 * (letters, digits, '.', '_', '-', not starting with '.', at most
 * WN_RS_NAME_LEN bytes). wn_rs_version_valid - s is a dotted-number
 * version of at most WN_RS_NAME_LEN bytes. Both are what a path may
 * carry before any database call.
 */
bool wn_rs_name_valid(const char *s);
bool wn_rs_version_valid(const char *s);

/*
 * wn_rs_set_finish - sort s->versions newest first and choose what the
 * channels offer: testing the newest version not revoked, stable the
 * newest stable version not revoked.
 */
void wn_rs_set_finish(wn_rs_set *s);

/* wn_rs_set_find - the version of s spelled exactly version, or NULL */
const wn_rs_version *wn_rs_set_find(const wn_rs_set *s, const char *version);

/*
 * wn_rs_publish_decide - what publishing req does given the versions of
 * its set already stored (any order): WN_RS_DUPLICATE when one has the
 * same sha256, WN_RS_CONFLICT when one has an equal version (by value:
 * "1.0" equals "1.0.0"), WN_RS_NOT_NEWER when one is newer, else
 * WN_RS_STORED. *which_out (may be NULL) is the index of the version
 * that decided, or n when none did.
 */
enum wn_rs_publish_result wn_rs_publish_decide(const wn_rs_publish *req,
    const wn_rs_version *stored, size_t n, size_t *which_out);

#endif
