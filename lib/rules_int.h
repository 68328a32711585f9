/*
 * rules_int.h - private declarations shared by the rules_*.c files.
 *
 * rules_load.c   reads files: directives, include, if/ifplugin, tags
 * rules_regex.c  Perl regex literals -> PCRE2 code; literal prefilter sets
 * rules_meta.c   meta expressions -> postfix programs; evaluation
 * rules_ac.c     Aho-Corasick automaton over the prefilter literals
 * rules_build.c  definitions -> compiled, immutable wn_rules
 * rules_target.c the message texts rules look at
 * rules_match.c  workers and wn_rules_match
 */
#ifndef WINNOW_RULES_INT_H
#define WINNOW_RULES_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <winnow/arena.h>
#include <winnow/buf.h>
#include <winnow/rules.h>
#include <winnow/str.h>

/* Header target modifiers. */
enum wn__hdr_mod {
	WN__HDR_DECODED,
	WN__HDR_RAW,
	WN__HDR_ADDR,
	WN__HDR_NAME
};

/* Special header names. */
enum wn__hdr_kind {
	WN__HDR_NAMED,		/* one field by name */
	WN__HDR_ALL,		/* every field "Name: value\n" */
	WN__HDR_TOCC,		/* To and Cc */
	WN__HDR_MESSAGEID,	/* Message-Id and its resent/x- forms */
	WN__HDR_ANOMALIES	/* X-Winnow-Anomalies pseudo-header */
};

enum {
	WN__TF_NICE = 1u << 0,
	WN__TF_MULTIPLE = 1u << 1,
	WN__TF_NET = 1u << 2,
	WN__TF_LEARN = 1u << 3,
	WN__TF_NOAUTOLEARN = 1u << 4,
	WN__TF_NOBULK = 1u << 5		/* a hit exempts from bulk counting */
};

enum {
	WN__RE_PARAGRAPH = 1u << 0	/* uses \A \z \Z \G: match per line */
};

/* A literal prefilter: a match needs one of these (lowercased). */
typedef struct wn__litset {
	char **lit;
	size_t *len;
	size_t n;
} wn__litset;

/* Meta program: postfix code over rule hit counts. */
enum wn__meta_op {
	WN__M_NUM, WN__M_RULE, WN__M_NOT, WN__M_NEG,
	WN__M_ADD, WN__M_SUB, WN__M_MUL, WN__M_DIV,
	WN__M_LT, WN__M_LE, WN__M_GT, WN__M_GE, WN__M_EQ, WN__M_NE,
	WN__M_AND, WN__M_OR, WN__M_BAND, WN__M_BOR
};

typedef struct wn__meta_ins {
	enum wn__meta_op op;
	double num;		/* WN__M_NUM */
	uint32_t rule;		/* WN__M_RULE: rule id after resolution */
	const char *name;	/* WN__M_RULE: name before resolution */
} wn__meta_ins;

typedef struct wn__meta_prog {
	wn__meta_ins *code;
	size_t n;
	size_t depth;		/* stack needed */
} wn__meta_prog;

/* One rule definition as read, before compilation. */
typedef struct wn__rule {
	const char *name;
	enum wn_rule_type type;
	const char *file;
	unsigned line;
	bool defined;		/* a rule line was seen (not just score) */
	bool skipped_eval;	/* an eval: rule, not supported */
	bool unsupported;	/* a form not supported (reason in lint) */
	bool broken;		/* an error; dropped */
	bool disabled;		/* meta with missing dependency */

	/* header and mimeheader */
	enum wn__hdr_kind hdr_kind;
	const char *hdr_name;
	enum wn__hdr_mod hdr_mod;
	bool hdr_exists;	/* exists:Name */
	uint32_t hdr_slot;	/* header text shared by rules with the same
				 * kind, name and modifier */
	bool negate;		/* !~ */
	const char *if_unset;	/* [if-unset: text] or NULL */

	/* regex rules */
	const char *pattern;	/* the PCRE2 pattern, after tags */
	uint32_t re_options;	/* PCRE2 compile options */
	uint32_t re_flags;	/* WN__RE_* */
	pcre2_code *re;
	wn__litset lits;	/* n == 0: no prefilter */

	/* meta */
	const char *meta_src;
	wn__meta_prog meta;

	/* settings from score, describe, tflags */
	double score[4];
	bool has_score;
	const char *score_file;
	unsigned score_line;
	const char *describe;
	uint32_t tflags;
	uint32_t maxhits;	/* 0: unlimited */

	/* computed */
	bool needed;		/* scores or a needed meta uses it */
	uint32_t order;		/* evaluation order among metas */
} wn__rule;

/* Aho-Corasick over lowercased literals; outputs are literal ids. */
typedef struct wn__ac {
	uint8_t cls[256];	/* byte -> class; both cases share one */
	unsigned n_cls;
	uint32_t *next;		/* [state * n_cls + cls] */
	uint32_t *out_first;	/* per state: first output index or ~0 */
	uint32_t *out_lit;	/* output chains: literal ids */
	uint32_t *out_next;
	size_t n_states;
	size_t n_out;
} wn__ac;

/* The rules of one target group share an automaton. */
typedef struct wn__group {
	wn__ac ac;
	bool has_ac;
	uint32_t *lit_rule;	/* literal id -> rule id */
	size_t n_lits;
	uint32_t *rules;	/* ids of the needed rules of the group */
	size_t n_rules;
} wn__group;

enum wn__group_id {
	WN__G_HEADER, WN__G_BODY, WN__G_RAWBODY, WN__G_URI, WN__G_FULL,
	WN__G_MIMEHEADER, WN__G_COUNT
};

struct wn_rules {
	wn_arena *arena;	/* everything below lives here */
	wn__rule *rules;	/* by id */
	size_t n_rules;
	uint32_t *metas;	/* needed metas in evaluation order */
	size_t n_metas;
	wn__group groups[WN__G_COUNT];
	wn_rules_limits limits;
	wn_rules_stats stats;
	size_t max_meta_depth;
	size_t n_hdr_slots;
	uint32_t *hash;		/* name -> id + 1, open addressing */
	size_t hash_cap;
};

/* The texts of one message that rules look at, built on first use. */
typedef struct wn__targets {
	wn_arena *arena;
	const wn_mime_msg *msg;
	const char *data;
	size_t len;
	size_t n_hdr_slots;
	wn_str *hdr_value;	/* per slot; .p NULL: the header is absent */
	uint8_t *hdr_done;	/* per slot: hdr_value is set */
	bool have_group[WN__G_COUNT];
	wn_str group[WN__G_COUNT];	/* text scanned by the prefilter */
	wn_str *uris;			/* each URI form */
	size_t n_uris;
} wn__targets;

/* rules_target.c */
void wn__targets_init(wn__targets *t, wn_arena *arena,
    const wn_mime_msg *msg, const char *data, size_t len, size_t n_hdr_slots);
/* a header rule's text; .p NULL when the header is absent. ENOMEM: .p NULL
 * and *oom set */
wn_str wn__targets_header(wn__targets *t, const wn__rule *r, int *oom);
bool wn__targets_header_exists(const wn__targets *t, const char *name);
/* the text of a group (body paragraphs, rawbody lines, URIs, ...) */
int wn__targets_group(wn__targets *t, enum wn__group_id g, wn_str *out);

/* rules_regex.c */
int wn__rules_regex_parse(wn_arena *a, const char *s, const char **end_out,
    const char **pattern_out, uint32_t *options_out, char *err,
    size_t errlen);
int wn__rules_regex_compile(wn__rule *r, char *err, size_t errlen);
int wn__rules_literals(wn_arena *a, const char *pattern, uint32_t options,
    wn__litset *out, uint32_t *re_flags_out);

/* rules_meta.c */
int wn__rules_meta_parse(wn_arena *a, const char *src, wn__meta_prog *out,
    char *err, size_t errlen);
double wn__rules_meta_eval(const wn__meta_prog *p, const uint32_t *counts,
    double *stack);

/* rules_ac.c */
int wn__ac_build(wn__ac *ac, const char *const *lits, const size_t *lens,
    size_t n);
void wn__ac_free(wn__ac *ac);
/* calls fn(lit, ctx) for each literal occurrence (repeats possible) */
void wn__ac_scan(const wn__ac *ac, const char *s, size_t n,
    void (*fn)(uint32_t lit, void *ctx), void *ctx);

/* rules_build.c */
int wn__rules_build(wn_rules *rs, wn_diag_list *diags);
long wn__rules_lookup(const wn_rules *rs, const char *name);
int wn__rules_intern(wn_rules *rs, const char *name, uint32_t *id_out);

/* rules_load.c: reads into rs->rules via wn__rules_intern */
int wn__rules_read(wn_rules *rs, const char *const *paths, size_t n,
    wn_diag_list *diags);

#endif
