/*
 * rules.h - SpamAssassin-compatible rules on PCRE2: load, compile, match.
 *
 * Lifecycle: wn_rules_load reads .cf files (or folders of them) into an
 * immutable, compiled rule set; wn_rules_worker_new gives each thread its
 * own match state; wn_rules_match runs the set over one parsed message and
 * leaves the hits in the message arena; wn_rules_free at the end. A rule
 * set is shared read-only by any number of threads, each with its own
 * worker. docs/arch/rules.md has the semantics, winnow-rules(5) the
 * language.
 *
 * Limits: every regex match runs under a PCRE2 match limit and depth limit
 * and a JIT stack of fixed size; a rule that hits one counts as no match
 * and is named in the result.
 */
#ifndef WINNOW_RULES_H
#define WINNOW_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/arena.h>
#include <winnow/diag.h>
#include <winnow/mime.h>

typedef struct wn_rules wn_rules;
typedef struct wn_rules_worker wn_rules_worker;

enum wn_rule_type {
	WN_RULE_HEADER,
	WN_RULE_BODY,
	WN_RULE_RAWBODY,
	WN_RULE_URI,
	WN_RULE_FULL,
	WN_RULE_MIMEHEADER,
	WN_RULE_META,
	WN_RULE_TYPE_COUNT
};

typedef struct wn_rules_limits {
	uint32_t match_limit;	/* PCRE2 match limit per match */
	uint32_t depth_limit;	/* PCRE2 depth limit per match */
	size_t jit_stack;	/* bytes of JIT stack per worker */
} wn_rules_limits;

/* What a load found: rule counts by type and what was skipped. */
typedef struct wn_rules_stats {
	size_t files;
	size_t rules;			/* usable rules */
	size_t by_type[WN_RULE_TYPE_COUNT];
	size_t scoring;			/* rules that can add to a score */
	size_t eval_skipped;		/* eval: rules, not supported */
	size_t unsupported_skipped;	/* other rules not supported */
	size_t directives_skipped;	/* directives not implemented */
	size_t broken;			/* rules dropped by an error */
	size_t metas_disabled;		/* metas with missing dependencies */
	size_t prefiltered;		/* regex rules with a literal filter */
} wn_rules_stats;

void wn_rules_limits_default(wn_rules_limits *l);

/*
 * wn_rules_load - read and compile the rule files or folders paths[0..n)
 * (a folder: its *.cf files in name order; `include` follows relative to
 * the including file). Findings go to diags; rules with errors are dropped
 * and the rest are usable. Returns 0 with *out set (even when diags has
 * errors: callers decide whether a set with errors is acceptable), or
 * WN_ENOMEM / WN_ENOENT (a path could not be read; also in diags).
 */
int wn_rules_load(const char *const *paths, size_t n,
    const wn_rules_limits *limits, wn_diag_list *diags, wn_rules **out);

void wn_rules_free(wn_rules **rsp);

const wn_rules_stats *wn_rules_stats_get(const wn_rules *rs);

/* Read access to the rules, for listings and rule QA. */
size_t wn_rules_count(const wn_rules *rs);
const char *wn_rules_name(const wn_rules *rs, size_t id);
const char *wn_rules_describe(const wn_rules *rs, size_t id); /* or "" */
enum wn_rule_type wn_rules_type(const wn_rules *rs, size_t id);
/* score in a score set (bit 0: network tests on, bit 1: Bayes on) */
double wn_rules_score(const wn_rules *rs, size_t id, unsigned score_set);
/* the rule scores (not a __ sub-rule, non-zero score in some set) */
bool wn_rules_scoring(const wn_rules *rs, size_t id);
/* the rule has `tflags nobulk`: a message it hits is exempt from bulk
 * detection (bulk.h); such a rule runs even when it scores 0 */
bool wn_rules_nobulk(const wn_rules *rs, size_t id);
/* wn_rules_find - id of a rule by name, or -1 */
long wn_rules_find(const wn_rules *rs, const char *name);
const char *wn_rule_type_name(enum wn_rule_type t);

/* A worker: per-thread match state. */
int wn_rules_worker_new(const wn_rules *rs, wn_rules_worker **out);
void wn_rules_worker_free(wn_rules_worker **wp);

typedef struct wn_rule_hit {
	uint32_t id;		/* rule id for the wn_rules_* accessors */
	const char *name;	/* borrowed from the rule set */
	double score;		/* in the score set of the match; 0 for __ */
	uint32_t count;		/* matches (1 unless tflags multiple) */
} wn_rule_hit;

typedef struct wn_rules_result {
	wn_rule_hit *hits;	/* rules that hit, in rule order (arena) */
	size_t n_hits;
	const char **limited;	/* rules that hit a match limit (arena) */
	size_t n_limited;
	size_t regex_runs;	/* regex rules run */
	size_t regex_filtered;	/* regex rules skipped by the prefilter */
} wn_rules_result;

enum {
	WN_RULES_RUN_ALL = 1u << 0	/* also rules that cannot score, for QA */
};

/*
 * wn_rules_match - run the rule set over a parsed message (data[0..len) is
 * the message as received, for `full` rules). score_set selects the score
 * of rules with four scores. Hits live in the arena. Returns 0 or
 * WN_ENOMEM. The worker must belong to the calling thread and to rs.
 */
int wn_rules_match(const wn_rules *rs, wn_rules_worker *w, wn_arena *arena,
    const wn_mime_msg *msg, const char *data, size_t len, unsigned score_set,
    uint32_t flags, wn_rules_result *out);

/* The built-in GTUBE test: the message carries the GTUBE string. */
#define WN_GTUBE_SYMBOL "GTUBE"
#define WN_GTUBE_SCORE 1000.0
bool wn_rules_gtube(const char *data, size_t len);

#endif
