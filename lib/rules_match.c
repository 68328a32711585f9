/*
 * rules_match.c - run a compiled rule set over one message.
 *
 * Per group of rules (header, body, rawbody, uri, full, mimeheader): one
 * prefilter pass over the group's text marks the rules whose literals
 * occur; only those run their regex. Each (rule, target) runs once; metas
 * then read the hit counts in dependency order. A worker holds what a
 * thread needs to match: PCRE2 match data, a match context with the
 * limits, a JIT stack, the meta evaluation stack.
 */
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/err.h>

#include "rules_int.h"

struct wn_rules_worker {
	const wn_rules *rs;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit;
	double *stack;
};

static const char wn_gtube[] =
    "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

bool
wn_rules_gtube(const char *data, size_t len)
{
	return memmem(data, len, wn_gtube, sizeof(wn_gtube) - 1) != NULL;
}

int
wn_rules_worker_new(const wn_rules *rs, wn_rules_worker **out)
{
	wn_rules_worker *w = wn_calloc(1, sizeof(*w));

	*out = NULL;
	if (w == NULL)
		return WN_ENOMEM;
	w->rs = rs;
	w->md = pcre2_match_data_create(1, NULL);
	w->mctx = pcre2_match_context_create(NULL);
	w->stack = wn_calloc(rs->max_meta_depth + 1, sizeof(*w->stack));
	if (w->md == NULL || w->mctx == NULL || w->stack == NULL) {
		wn_rules_worker_free(&w);
		return WN_ENOMEM;
	}
	pcre2_set_match_limit(w->mctx, rs->limits.match_limit);
	pcre2_set_depth_limit(w->mctx, rs->limits.depth_limit);
	w->jit = pcre2_jit_stack_create(32u << 10, rs->limits.jit_stack, NULL);
	if (w->jit != NULL)
		pcre2_jit_stack_assign(w->mctx, NULL, w->jit);
	*out = w;
	return 0;
}

void
wn_rules_worker_free(wn_rules_worker **wp)
{
	wn_rules_worker *w = *wp;

	if (w == NULL)
		return;
	pcre2_match_data_free(w->md);
	pcre2_match_context_free(w->mctx);
	pcre2_jit_stack_free(w->jit);
	wn_free(w->stack);
	wn_free(w);
	*wp = NULL;
}

typedef struct wn_match_run {
	const wn_rules *rs;
	wn_rules_worker *w;
	wn_arena *arena;
	wn__targets t;
	uint32_t *counts;
	uint8_t *cand;		/* a literal of the rule occurs */
	const wn__group *group;	/* for the prefilter callback */
	bool limited_now;
	wn_rules_result *res;
	size_t cap_limited;
	unsigned score_set;
	uint32_t flags;
} wn_match_run;

static bool
wn_match_is_limit(int rc)
{
	return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
	    rc == PCRE2_ERROR_NOMEMORY;
}

/*
 * Count matches of r in s[0..n), at most max. *spans is set when a match
 * crosses a line break (body and rawbody then retry line by line).
 */
static uint32_t
wn_match_count(wn_match_run *m, const wn__rule *r, const char *s, size_t n,
    uint32_t max, bool *spans)
{
	PCRE2_SIZE start = 0, *ov;
	uint32_t count = 0;
	int rc;

	while (count < max && start <= n) {
		rc = pcre2_match(r->re, (PCRE2_SPTR)s, n, start, 0, m->w->md,
		    m->w->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			break;
		if (rc < 0) {
			if (wn_match_is_limit(rc))
				m->limited_now = true;
			break;
		}
		ov = pcre2_get_ovector_pointer(m->w->md);
		if (spans != NULL && ov[1] > ov[0] &&
		    memchr(s + ov[0], '\n', ov[1] - ov[0]) != NULL) {
			*spans = true;
			return count;
		}
		count++;
		start = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
	}
	return count;
}

static uint32_t
wn_match_lines(wn_match_run *m, const wn__rule *r, wn_str text,
    uint32_t max)
{
	const char *s = text.p, *e = text.p + text.len;
	uint32_t count = 0;

	while (s < e && count < max) {
		const char *nl = memchr(s, '\n', (size_t)(e - s));
		const char *le = nl ? nl : e;

		count += wn_match_count(m, r, s, (size_t)(le - s),
		    max - count, NULL);
		if (m->limited_now)
			break;
		s = nl ? nl + 1 : e;
	}
	return count;
}

static uint32_t
wn_match_max(const wn__rule *r)
{
	if (!(r->tflags & WN__TF_MULTIPLE))
		return 1;
	return r->maxhits ? r->maxhits : UINT32_MAX;
}

/* body, rawbody: the whole buffer first, line by line when needed */
static uint32_t
wn_match_buffer(wn_match_run *m, const wn__rule *r, wn_str text)
{
	uint32_t max = wn_match_max(r), count;
	bool spans = false;

	if (r->re_flags & WN__RE_PARAGRAPH)
		return wn_match_lines(m, r, text, max);
	count = wn_match_count(m, r, text.p, text.len, max, &spans);
	if (spans && !m->limited_now)
		count = wn_match_lines(m, r, text, max);
	return count;
}

static int
wn_match_header(wn_match_run *m, const wn__rule *r, uint32_t *count)
{
	wn_str v;
	int oom = 0;

	if (r->hdr_exists && r->hdr_kind == WN__HDR_NAMED) {
		*count = wn__targets_header_exists(&m->t, r->hdr_name);
		return 0;
	}
	v = wn__targets_header(&m->t, r, &oom);
	if (oom)
		return WN_ENOMEM;
	if (r->hdr_exists) {	/* exists:ToCc and the like */
		*count = v.p != NULL;
		return 0;
	}
	if (v.p == NULL && r->if_unset != NULL)
		v = wn_str_make(r->if_unset, strlen(r->if_unset));
	if (v.p == NULL) {
		/* absent: =~ cannot match, !~ does */
		*count = r->negate;
		return 0;
	}
	*count = wn_match_count(m, r, v.p, v.len, wn_match_max(r), NULL);
	if (r->negate)
		*count = *count == 0 && !m->limited_now;
	return 0;
}

static uint32_t
wn_match_mimeheader(wn_match_run *m, const wn__rule *r)
{
	const wn_mime_part *p;
	uint32_t max = wn_match_max(r), count = 0;
	size_t i;

	for (p = m->t.msg->root; p != NULL && count < max;
	    p = wn_mime_part_next(p))
		for (i = 0; i < p->n_headers && count < max; i++) {
			const wn_mime_header *h = &p->headers[i];
			wn_str v = r->hdr_mod == WN__HDR_RAW ? h->raw : h->value;

			if (!wn_str_ieq(h->name, r->hdr_name))
				continue;
			count += wn_match_count(m, r, v.p, v.len, max - count,
			    NULL);
		}
	if (r->negate)	/* !~: no field of the name matched */
		return count == 0 && !m->limited_now;
	return count;
}

static void
wn_match_prefilter_hit(uint32_t lit, void *ctx)
{
	wn_match_run *m = ctx;

	m->cand[m->group->lit_rule[lit]] = 1;
}

static int
wn_match_note_limit(wn_match_run *m, const wn__rule *r)
{
	wn_rules_result *res = m->res;

	if (res->n_limited == m->cap_limited) {
		size_t nc = m->cap_limited ? m->cap_limited * 2 : 8;
		const char **nv = wn_arena_alloc(m->arena, nc * sizeof(*nv));

		if (nv == NULL)
			return WN_ENOMEM;
		if (res->n_limited)
			memcpy(nv, res->limited, res->n_limited * sizeof(*nv));
		res->limited = nv;
		m->cap_limited = nc;
	}
	res->limited[res->n_limited++] = r->name;
	return 0;
}

static bool
wn_match_wanted(const wn_match_run *m, const wn__rule *r)
{
	if (!r->needed && !(m->flags & WN_RULES_RUN_ALL))
		return false;
	/* network rules run only when network tests are on */
	return !(r->tflags & WN__TF_NET) || (m->score_set & 1);
}

static int
wn_match_group(wn_match_run *m, enum wn__group_id g)
{
	const wn__group *gr = &m->rs->groups[g];
	wn_str text = WN_STR_NULL;
	size_t i, k;
	bool any = false;
	int rc;

	for (i = 0; i < gr->n_rules && !any; i++)
		any = wn_match_wanted(m, &m->rs->rules[gr->rules[i]]);
	if (!any)
		return 0;
	if (g != WN__G_MIMEHEADER) {
		rc = wn__targets_group(&m->t, g, &text);
		if (rc != 0)
			return rc;
	}
	if (gr->has_ac) {
		m->group = gr;
		wn__ac_scan(&gr->ac, text.p, text.len, wn_match_prefilter_hit,
		    m);
	}
	for (i = 0; i < gr->n_rules; i++) {
		uint32_t id = gr->rules[i], count = 0;
		const wn__rule *r = &m->rs->rules[id];

		if (!wn_match_wanted(m, r))
			continue;
		if (r->lits.n > 0 && !m->cand[id]) {
			/* none of its literals occurs: it cannot match */
			m->res->regex_filtered++;
			m->counts[id] = r->negate ? 1 : 0;
			continue;
		}
		if (!r->hdr_exists)
			m->res->regex_runs++;
		m->limited_now = false;
		switch (g) {
		case WN__G_HEADER:
			rc = wn_match_header(m, r, &count);
			if (rc != 0)
				return rc;
			break;
		case WN__G_BODY:
		case WN__G_RAWBODY:
			count = wn_match_buffer(m, r, text);
			break;
		case WN__G_URI:
			for (k = 0; k < m->t.n_uris; k++) {
				count += wn_match_count(m, r, m->t.uris[k].p,
				    m->t.uris[k].len,
				    wn_match_max(r) - count, NULL);
				if (count >= wn_match_max(r) ||
				    m->limited_now)
					break;
			}
			break;
		case WN__G_FULL:
			count = wn_match_count(m, r, text.p, text.len,
			    wn_match_max(r), NULL);
			break;
		case WN__G_MIMEHEADER:
			count = wn_match_mimeheader(m, r);
			break;
		default:
			break;
		}
		if (m->limited_now) {
			/* a limit hit counts as no match */
			count = 0;
			rc = wn_match_note_limit(m, r);
			if (rc != 0)
				return rc;
		}
		m->counts[id] = count;
	}
	return 0;
}

int
wn_rules_match(const wn_rules *rs, wn_rules_worker *w, wn_arena *arena,
    const wn_mime_msg *msg, const char *data, size_t len, unsigned score_set,
    uint32_t flags, wn_rules_result *out)
{
	wn_match_run m;
	size_t i, n_hits = 0;
	int rc;
	unsigned g;

	memset(out, 0, sizeof(*out));
	memset(&m, 0, sizeof(m));
	m.rs = rs;
	m.w = w;
	m.arena = arena;
	m.res = out;
	m.score_set = score_set & 3;
	m.flags = flags;
	wn__targets_init(&m.t, arena, msg, data, len, rs->n_hdr_slots);
	m.counts = wn_arena_calloc(arena, rs->n_rules + 1, sizeof(*m.counts));
	m.cand = wn_arena_calloc(arena, rs->n_rules + 1, 1);
	if (m.counts == NULL || m.cand == NULL)
		return WN_ENOMEM;
	for (g = 0; g < WN__G_COUNT; g++) {
		rc = wn_match_group(&m, (enum wn__group_id)g);
		if (rc != 0)
			return rc;
	}
	for (i = 0; i < rs->n_metas; i++) {
		const wn__rule *r = &rs->rules[rs->metas[i]];

		if (!wn_match_wanted(&m, r))
			continue;
		m.counts[rs->metas[i]] =
		    wn__rules_meta_eval(&r->meta, m.counts, w->stack) != 0.0;
	}
	for (i = 0; i < rs->n_rules; i++)
		if (m.counts[i] != 0 && wn_match_wanted(&m, &rs->rules[i]))
			n_hits++;
	out->hits = wn_arena_alloc(arena, (n_hits + 1) * sizeof(*out->hits));
	if (out->hits == NULL)
		return WN_ENOMEM;
	for (i = 0; i < rs->n_rules; i++) {
		const wn__rule *r = &rs->rules[i];
		wn_rule_hit *h;

		if (m.counts[i] == 0 || !wn_match_wanted(&m, r))
			continue;
		h = &out->hits[out->n_hits++];
		h->id = (uint32_t)i;
		h->name = r->name;
		h->score = r->score[m.score_set];
		h->count = m.counts[i];
	}
	return 0;
}
