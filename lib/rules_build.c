/*
 * rules_build.c - from rule definitions to the compiled, immutable set.
 *
 * After all files are read: regexes are compiled (PCRE2 + JIT) and their
 * literal prefilters derived; metas are resolved to rule ids, metas whose
 * dependencies are missing are disabled, cycles are errors, and the rest
 * are put in evaluation order; the rules each score set needs are marked;
 * one Aho-Corasick automaton per target group is built. Also the public
 * load/free and read accessors.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/str.h>

#include "rules_int.h"

/* ---- names ---- */

static uint64_t
wn_rules_hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

long
wn__rules_lookup(const wn_rules *rs, const char *name)
{
	size_t i;

	if (rs->hash_cap == 0)
		return -1;
	for (i = wn_rules_hash_name(name) & (rs->hash_cap - 1);
	    rs->hash[i] != 0; i = (i + 1) & (rs->hash_cap - 1))
		if (strcmp(rs->rules[rs->hash[i] - 1].name, name) == 0)
			return (long)rs->hash[i] - 1;
	return -1;
}

static int
wn_rules_hash_grow(wn_rules *rs)
{
	size_t ncap = rs->hash_cap ? rs->hash_cap * 2 : 1024, i, j;
	uint32_t *nh = wn_calloc(ncap, sizeof(*nh));

	if (nh == NULL)
		return WN_ENOMEM;
	for (i = 0; i < rs->n_rules; i++) {
		for (j = wn_rules_hash_name(rs->rules[i].name) & (ncap - 1);
		    nh[j] != 0; j = (j + 1) & (ncap - 1))
			;
		nh[j] = (uint32_t)i + 1;
	}
	wn_free(rs->hash);
	rs->hash = nh;
	rs->hash_cap = ncap;
	return 0;
}

int
wn__rules_intern(wn_rules *rs, const char *name, uint32_t *id_out)
{
	long id = wn__rules_lookup(rs, name);
	wn__rule *nv;
	size_t i;

	if (id >= 0) {
		*id_out = (uint32_t)id;
		return 0;
	}
	if ((rs->n_rules + 1) * 2 > rs->hash_cap &&
	    wn_rules_hash_grow(rs) != 0)
		return WN_ENOMEM;
	nv = wn_realloc(rs->rules, (rs->n_rules + 1) * sizeof(*nv));
	if (nv == NULL)
		return WN_ENOMEM;
	rs->rules = nv;
	memset(&nv[rs->n_rules], 0, sizeof(nv[0]));
	nv[rs->n_rules].name = wn_arena_strdup(rs->arena, name);
	if (nv[rs->n_rules].name == NULL)
		return WN_ENOMEM;
	for (i = wn_rules_hash_name(name) & (rs->hash_cap - 1);
	    rs->hash[i] != 0; i = (i + 1) & (rs->hash_cap - 1))
		;
	rs->hash[i] = (uint32_t)rs->n_rules + 1;
	*id_out = (uint32_t)rs->n_rules++;
	return 0;
}

/* ---- build ---- */

static bool
wn_rule_usable(const wn__rule *r)
{
	return r->defined && !r->skipped_eval && !r->unsupported &&
	    !r->broken && !r->disabled;
}

static bool
wn_rule_is_sub(const wn__rule *r)
{
	return r->name[0] == '_' && r->name[1] == '_';
}

static enum wn__group_id
wn_rule_group(const wn__rule *r)
{
	switch (r->type) {
	case WN_RULE_BODY: return WN__G_BODY;
	case WN_RULE_RAWBODY: return WN__G_RAWBODY;
	case WN_RULE_URI: return WN__G_URI;
	case WN_RULE_FULL: return WN__G_FULL;
	case WN_RULE_MIMEHEADER: return WN__G_MIMEHEADER;
	default: return WN__G_HEADER;
	}
}

static void
wn_rules_compile_regexes(wn_rules *rs, wn_diag_list *d, int *oom)
{
	size_t i, k;
	char err[320];

	for (i = 0; i < rs->n_rules && !*oom; i++) {
		wn__rule *r = &rs->rules[i];

		if (!wn_rule_usable(r) || r->type == WN_RULE_META ||
		    r->hdr_exists)
			continue;
		if (wn__rules_regex_compile(r, err, sizeof(err)) != 0) {
			wn_diag_add(d, WN_DIAG_ERROR, r->file, r->line, "%s: %s",
			    r->name, err);
			r->broken = true;
			continue;
		}
		/*
		 * Header rules filter on the header block, where their target
		 * is a substring; if-unset texts and parsed addresses are not,
		 * so those rules always run. mimeheader rules are few.
		 */
		if (r->type == WN_RULE_MIMEHEADER || r->if_unset != NULL ||
		    r->hdr_mod == WN__HDR_ADDR || r->hdr_mod == WN__HDR_NAME ||
		    r->hdr_kind == WN__HDR_ANOMALIES) {
			uint32_t rf;
			wn__litset none;

			if (wn__rules_literals(rs->arena, r->pattern,
			    r->re_options, &none, &rf) != 0)
				*oom = 1;
			r->re_flags = rf;
			continue;
		}
		if (wn__rules_literals(rs->arena, r->pattern, r->re_options,
		    &r->lits, &r->re_flags) != 0)
			*oom = 1;
		/* a header literal with a line break may span two fields
		 * joined in the target, which the prefilter text lacks */
		if (r->type == WN_RULE_HEADER)
			for (k = 0; k < r->lits.n; k++)
				if (memchr(r->lits.lit[k], '\n',
				    r->lits.len[k]) != NULL)
					r->lits.n = 0;
		if (r->lits.n > 0)
			rs->stats.prefiltered++;
	}
}

/* why a meta dependency is not there, for the warning */
static const char *
wn_rule_absence(const wn__rule *r)
{
	if (r == NULL || !r->defined)
		return "not defined";
	if (r->skipped_eval)
		return "an eval: rule";
	if (r->unsupported)
		return "not supported";
	if (r->broken)
		return "broken";
	return "disabled";
}

/* resolve meta operands; disable metas with missing ones, to a fixpoint */
static void
wn_rules_resolve_metas(wn_rules *rs, wn_diag_list *d)
{
	bool changed = true;
	size_t i, k;

	while (changed) {
		changed = false;
		for (i = 0; i < rs->n_rules; i++) {
			wn__rule *r = &rs->rules[i];

			if (r->type != WN_RULE_META || !wn_rule_usable(r))
				continue;
			for (k = 0; k < r->meta.n; k++) {
				wn__meta_ins *in = &r->meta.code[k];
				long id;
				const wn__rule *dep;

				if (in->op != WN__M_RULE)
					continue;
				id = wn__rules_lookup(rs, in->name);
				dep = id >= 0 ? &rs->rules[id] : NULL;
				if (dep != NULL && wn_rule_usable(dep)) {
					in->rule = (uint32_t)id;
					continue;
				}
				r->disabled = true;
				rs->stats.metas_disabled++;
				changed = true;
				wn_diag_add(d, WN_DIAG_WARNING, r->file,
				    r->line, "meta %s disabled: it uses %s, "
				    "which is %s", r->name, in->name,
				    wn_rule_absence(dep));
				break;
			}
		}
	}
}

enum { WN_WHITE, WN_GREY, WN_BLACK };

typedef struct wn_topo {
	wn_rules *rs;
	wn_diag_list *d;
	uint8_t *color;
	uint32_t *order;
	size_t n_order;
} wn_topo;

/* depth-first, post-order; a grey dependency closes a cycle */
static bool
wn_rules_topo_visit(wn_topo *t, uint32_t id, unsigned depth)
{
	wn__rule *r = &t->rs->rules[id];
	size_t k;

	if (t->color[id] == WN_BLACK)
		return true;
	if (t->color[id] == WN_GREY || depth > 10000)
		return false;
	t->color[id] = WN_GREY;
	for (k = 0; k < r->meta.n; k++) {
		const wn__meta_ins *in = &r->meta.code[k];
		wn__rule *dep;

		if (in->op != WN__M_RULE)
			continue;
		dep = &t->rs->rules[in->rule];
		if (dep->type != WN_RULE_META || dep->broken)
			continue;
		if (!wn_rules_topo_visit(t, in->rule, depth + 1)) {
			if (!r->broken) {
				wn_diag_add(t->d, WN_DIAG_ERROR, r->file,
				    r->line, "meta %s: dependency cycle "
				    "through %s", r->name, dep->name);
				r->broken = true;
			}
			t->color[id] = WN_BLACK;
			return true;
		}
	}
	t->color[id] = WN_BLACK;
	t->order[t->n_order++] = id;
	return true;
}

static int
wn_rules_order_metas(wn_rules *rs, wn_diag_list *d)
{
	wn_topo t;
	size_t i, n = 0;

	t.rs = rs;
	t.d = d;
	t.color = wn_calloc(rs->n_rules + 1, 1);
	t.order = wn_arena_alloc(rs->arena,
	    (rs->n_rules + 1) * sizeof(*t.order));
	t.n_order = 0;
	if (t.color == NULL || t.order == NULL) {
		wn_free(t.color);
		return WN_ENOMEM;
	}
	for (i = 0; i < rs->n_rules; i++)
		if (rs->rules[i].type == WN_RULE_META &&
		    wn_rule_usable(&rs->rules[i]))
			(void)wn_rules_topo_visit(&t, (uint32_t)i, 0);
	wn_free(t.color);
	/* a meta found in a cycle was broken after it may have been listed */
	for (i = 0; i < t.n_order; i++)
		if (wn_rule_usable(&rs->rules[t.order[i]]))
			t.order[n++] = t.order[i];
	rs->metas = t.order;
	rs->n_metas = n;
	for (i = 0; i < n; i++) {
		rs->rules[rs->metas[i]].order = (uint32_t)i;
		if (rs->rules[rs->metas[i]].meta.depth > rs->max_meta_depth)
			rs->max_meta_depth = rs->rules[rs->metas[i]].meta.depth;
	}
	return 0;
}

/* default scores, and which rules a normal scan must run */
static void
wn_rules_mark_needed(wn_rules *rs)
{
	size_t i, k;
	long j;

	for (i = 0; i < rs->n_rules; i++) {
		wn__rule *r = &rs->rules[i];

		if (!r->has_score && !wn_rule_is_sub(r)) {
			/* SpamAssassin's defaults: 1, -1 for nice rules, 0.01
			 * for rules under test (T_) */
			double v = (r->tflags & WN__TF_NICE) ? -1.0 : 1.0;

			if (strncmp(r->name, "T_", 2) == 0)
				v *= 0.01;
			r->score[0] = r->score[1] = r->score[2] =
			    r->score[3] = v;
		}
		if (wn_rule_is_sub(r))
			r->score[0] = r->score[1] = r->score[2] =
			    r->score[3] = 0.0;
		/* a nobulk rule runs even with a score of 0 */
		r->needed = wn_rule_usable(r) && (r->score[0] != 0.0 ||
		    r->score[1] != 0.0 || r->score[2] != 0.0 ||
		    r->score[3] != 0.0 || (r->tflags & WN__TF_NOBULK));
	}
	/* metas in reverse order: a needed meta needs its dependencies */
	for (j = (long)rs->n_metas - 1; j >= 0; j--) {
		wn__rule *r = &rs->rules[rs->metas[j]];

		if (!r->needed)
			continue;
		for (k = 0; k < r->meta.n; k++)
			if (r->meta.code[k].op == WN__M_RULE)
				rs->rules[r->meta.code[k].rule].needed = true;
	}
}

static int
wn_rules_build_groups(wn_rules *rs)
{
	size_t i, g, k;

	for (g = 0; g < WN__G_COUNT; g++) {
		wn__group *gr = &rs->groups[g];
		const char **lits;
		size_t *lens, n_lits = 0, n_rules = 0;
		int rc;

		for (i = 0; i < rs->n_rules; i++) {
			const wn__rule *r = &rs->rules[i];

			if (!wn_rule_usable(r) || r->type == WN_RULE_META ||
			    wn_rule_group(r) != g)
				continue;
			n_rules++;
			n_lits += r->lits.n;
		}
		gr->rules = wn_arena_alloc(rs->arena,
		    (n_rules + 1) * sizeof(*gr->rules));
		gr->lit_rule = wn_arena_alloc(rs->arena,
		    (n_lits + 1) * sizeof(*gr->lit_rule));
		lits = wn_malloc((n_lits + 1) * sizeof(*lits));
		lens = wn_malloc((n_lits + 1) * sizeof(*lens));
		if (gr->rules == NULL || gr->lit_rule == NULL || lits == NULL ||
		    lens == NULL) {
			wn_free(lits);
			wn_free(lens);
			return WN_ENOMEM;
		}
		for (i = 0; i < rs->n_rules; i++) {
			const wn__rule *r = &rs->rules[i];

			if (!wn_rule_usable(r) || r->type == WN_RULE_META ||
			    wn_rule_group(r) != g)
				continue;
			gr->rules[gr->n_rules++] = (uint32_t)i;
			for (k = 0; k < r->lits.n; k++) {
				lits[gr->n_lits] = r->lits.lit[k];
				lens[gr->n_lits] = r->lits.len[k];
				gr->lit_rule[gr->n_lits++] = (uint32_t)i;
			}
		}
		rc = 0;
		if (gr->n_lits > 0) {
			rc = wn__ac_build(&gr->ac, lits, lens, gr->n_lits);
			gr->has_ac = rc == 0;
		}
		wn_free(lits);
		wn_free(lens);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Header rules reading the same text (kind, name, modifier) share a slot,
 * so a message builds each header text once and finds it by index.
 */
static int
wn_rules_assign_hdr_slots(wn_rules *rs)
{
	uint32_t *first;	/* per slot: a rule holding it */
	size_t i, k;

	first = wn_malloc((rs->n_rules + 1) * sizeof(*first));
	if (first == NULL)
		return WN_ENOMEM;
	rs->n_hdr_slots = 0;
	for (i = 0; i < rs->n_rules; i++) {
		wn__rule *r = &rs->rules[i];

		if (!wn_rule_usable(r) || r->type != WN_RULE_HEADER)
			continue;
		for (k = 0; k < rs->n_hdr_slots; k++) {
			const wn__rule *o = &rs->rules[first[k]];

			if (o->hdr_kind == r->hdr_kind &&
			    o->hdr_mod == r->hdr_mod &&
			    (r->hdr_kind != WN__HDR_NAMED ||
			    strcasecmp(o->hdr_name, r->hdr_name) == 0))
				break;
		}
		if (k == rs->n_hdr_slots)
			first[rs->n_hdr_slots++] = (uint32_t)i;
		r->hdr_slot = (uint32_t)k;
	}
	wn_free(first);
	return 0;
}

int
wn__rules_build(wn_rules *rs, wn_diag_list *d)
{
	size_t i;
	int oom = 0, rc;

	wn_rules_compile_regexes(rs, d, &oom);
	if (oom)
		return WN_ENOMEM;
	wn_rules_resolve_metas(rs, d);
	rc = wn_rules_order_metas(rs, d);
	if (rc != 0)
		return rc;
	wn_rules_mark_needed(rs);
	if ((rc = wn_rules_assign_hdr_slots(rs)) != 0)
		return rc;
	rc = wn_rules_build_groups(rs);
	if (rc != 0)
		return rc;
	for (i = 0; i < rs->n_rules; i++) {
		const wn__rule *r = &rs->rules[i];

		if (r->defined && r->broken)
			rs->stats.broken++;
		if (!wn_rule_usable(r))
			continue;
		rs->stats.rules++;
		rs->stats.by_type[r->type]++;
		if (wn_rules_scoring(rs, i))
			rs->stats.scoring++;
	}
	return 0;
}

/* ---- public ---- */

void
wn_rules_limits_default(wn_rules_limits *l)
{
	l->match_limit = 100000;
	l->depth_limit = 5000;
	l->jit_stack = 1u << 20;
}

int
wn_rules_load(const char *const *paths, size_t n,
    const wn_rules_limits *limits, wn_diag_list *diags, wn_rules **out)
{
	wn_rules *rs;
	int rc, read_rc;

	*out = NULL;
	rs = wn_calloc(1, sizeof(*rs));
	if (rs == NULL)
		return WN_ENOMEM;
	rs->arena = wn_arena_new(0);
	if (rs->arena == NULL) {
		wn_free(rs);
		return WN_ENOMEM;
	}
	if (limits != NULL)
		rs->limits = *limits;
	else
		wn_rules_limits_default(&rs->limits);
	read_rc = wn__rules_read(rs, paths, n, diags);
	if (read_rc == WN_ENOMEM) {
		wn_rules_free(&rs);
		return WN_ENOMEM;
	}
	rc = wn__rules_build(rs, diags);
	if (rc != 0) {
		wn_rules_free(&rs);
		return rc;
	}
	*out = rs;
	return read_rc;
}

void
wn_rules_free(wn_rules **rsp)
{
	wn_rules *rs = *rsp;
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n_rules; i++)
		pcre2_code_free(rs->rules[i].re);
	for (i = 0; i < WN__G_COUNT; i++)
		wn__ac_free(&rs->groups[i].ac);
	wn_free(rs->rules);
	wn_free(rs->hash);
	wn_arena_free(&rs->arena);
	wn_free(rs);
	*rsp = NULL;
}

const wn_rules_stats *
wn_rules_stats_get(const wn_rules *rs)
{
	return &rs->stats;
}

size_t
wn_rules_count(const wn_rules *rs)
{
	return rs->n_rules;
}

const char *
wn_rules_name(const wn_rules *rs, size_t id)
{
	return rs->rules[id].name;
}

const char *
wn_rules_describe(const wn_rules *rs, size_t id)
{
	return rs->rules[id].describe ? rs->rules[id].describe : "";
}

enum wn_rule_type
wn_rules_type(const wn_rules *rs, size_t id)
{
	return rs->rules[id].type;
}

double
wn_rules_score(const wn_rules *rs, size_t id, unsigned score_set)
{
	return rs->rules[id].score[score_set & 3];
}

bool
wn_rules_scoring(const wn_rules *rs, size_t id)
{
	const wn__rule *r = &rs->rules[id];

	return wn_rule_usable(r) && !wn_rule_is_sub(r) &&
	    (r->score[0] != 0.0 || r->score[1] != 0.0 || r->score[2] != 0.0 ||
	    r->score[3] != 0.0);
}

bool
wn_rules_nobulk(const wn_rules *rs, size_t id)
{
	return id < rs->n_rules && (rs->rules[id].tflags & WN__TF_NOBULK);
}

long
wn_rules_find(const wn_rules *rs, const char *name)
{
	return wn__rules_lookup(rs, name);
}

const char *
wn_rule_type_name(enum wn_rule_type t)
{
	static const char *const names[WN_RULE_TYPE_COUNT] = {
		"header", "body", "rawbody", "uri", "full", "mimeheader", "meta"
	};

	return (unsigned)t < WN_RULE_TYPE_COUNT ? names[t] : "?";
}
