/*
 * rules_load.c - read SpamAssassin-style .cf files into rule definitions.
 *
 * Lines are directives; '#' not preceded by a backslash starts a comment.
 * Handled here: the rule types, score, describe, tflags, include,
 * if/ifplugin/else/endif, lang (skipped: translations), and the
 * ReplaceTags directives, applied to their rules once all files are read.
 * Directives winnow does not implement are counted and reported once per
 * name. Every finding names the file and line.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <winnow/alloc.h>
#include <winnow/buf.h>
#include <winnow/err.h>
#include <winnow/str.h>

#include "rules_int.h"

#define WN_RULES_MAX_INCLUDE 16
#define WN_RULES_MAX_COND 64
#define WN_RULES_MAX_FILE (64u << 20)
#define WN_RULES_MAX_TAGS 1024
#define WN_RULES_TAG_DEPTH 8

/* The SpamAssassin level whose `if (version >= ...)` blocks we take. */
#define WN_RULES_SA_VERSION 4.000001

static const char *const wn_rules_plugins[] = {
	"Mail::SpamAssassin::Plugin::ReplaceTags",
	"Mail::SpamAssassin::Plugin::MIMEHeader",
};

static const char *const wn_rules_features[] = {
	"Mail::SpamAssassin::Conf::feature_bug6558_free",
};

/* Directives that carry no meaning for matching: skipped silently. */
static const char *const wn_rules_ignored[] = {
	"priority", "require_version", "test", "reuse", "lang",
};

enum wn_tag_kind { WN_TAG, WN_TAG_PRE, WN_TAG_INTER, WN_TAG_POST };

/* The ReplaceTags directives that define a tag of each kind. */
static const struct {
	const char *name;
	enum wn_tag_kind kind;
} wn_tag_directives[] = {
	{ "replace_tag", WN_TAG },
	{ "replace_pre", WN_TAG_PRE },
	{ "replace_inter", WN_TAG_INTER },
	{ "replace_post", WN_TAG_POST },
};

typedef struct wn_tag {
	enum wn_tag_kind kind;
	const char *name;
	const char *value;
} wn_tag;

typedef struct wn_cond {
	bool active;		/* lines here are read */
	bool parent_active;
	bool taken;		/* some branch was true (for else) */
	bool seen_else;
	const char *file;
	unsigned line;
} wn_cond;

typedef struct wn_skip_count {
	char *name;
	size_t count;
} wn_skip_count;

typedef struct wn_reader {
	wn_rules *rs;
	wn_diag_list *d;
	wn_tag tags[WN_RULES_MAX_TAGS];
	size_t n_tags;
	const char **replace;	/* rule names listed in replace_rules */
	size_t n_replace, cap_replace;
	const char *tag_start, *tag_end;
	wn_skip_count *skips;
	size_t n_skips;
	int oom;
} wn_reader;

static int wn_rules_read_path(wn_reader *rd, const char *path,
    unsigned depth, const char *from_file, unsigned from_line);

/* ---- small helpers ---- */

static const char *
wn_skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *
wn_word(wn_reader *rd, const char **pp)
{
	const char *p = wn_skip_ws(*pp), *s = p;
	char *w;

	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	*pp = p;
	if (p == s)
		return NULL;
	w = wn_arena_memdup(rd->rs->arena, s, (size_t)(p - s));
	if (w == NULL)
		rd->oom = 1;
	return w;
}

static bool
wn_rule_name_ok(const char *s)
{
	if (!(wn_ascii_is_alpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s != '\0'; s++)
		if (!(wn_ascii_is_alpha((unsigned char)*s) ||
		    wn_ascii_is_digit((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

static bool
wn_in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

#define WN_NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
wn_rules_count_skip(wn_reader *rd, const char *key, const char *file,
    unsigned line)
{
	size_t i;
	wn_skip_count *nv;

	rd->rs->stats.directives_skipped++;
	for (i = 0; i < rd->n_skips; i++)
		if (strcmp(rd->skips[i].name, key) == 0) {
			rd->skips[i].count++;
			return;
		}
	nv = wn_realloc(rd->skips, (rd->n_skips + 1) * sizeof(*nv));
	if (nv == NULL) {
		rd->oom = 1;
		return;
	}
	rd->skips = nv;
	nv[rd->n_skips].name = wn_arena_strdup(rd->rs->arena, key);
	nv[rd->n_skips].count = 1;
	if (nv[rd->n_skips].name == NULL) {
		rd->oom = 1;
		return;
	}
	rd->n_skips++;
	wn_diag_add(rd->d, WN_DIAG_WARNING, file, line,
	    "directive '%s' is not supported; skipped (reported once)", key);
}

/* ---- if / ifplugin conditions ---- */

typedef struct wn_if_parser {
	const char *p;
	bool bad;
} wn_if_parser;

static bool wn_if_or(wn_if_parser *ip);

static bool
wn_if_call(wn_if_parser *ip, const char *fn, const char *const *list,
    size_t n)
{
	const char *s, *e;
	char name[256];
	size_t len = strlen(fn);

	if (strncmp(ip->p, fn, len) != 0)
		return false;
	s = wn_skip_ws(ip->p + len);
	if (*s != '(') {
		ip->bad = true;
		return false;
	}
	s = wn_skip_ws(s + 1);
	e = strchr(s, ')');
	if (e == NULL) {
		ip->bad = true;
		return false;
	}
	ip->p = e + 1;
	len = (size_t)(e - s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= sizeof(name))
		return false;
	memcpy(name, s, len);
	name[len] = '\0';
	return wn_in_list(name, list, n);
}

static bool
wn_if_primary(wn_if_parser *ip)
{
	bool v;

	ip->p = wn_skip_ws(ip->p);
	if (*ip->p == '!') {
		ip->p++;
		return !wn_if_primary(ip);
	}
	if (*ip->p == '(') {
		ip->p++;
		v = wn_if_or(ip);
		ip->p = wn_skip_ws(ip->p);
		if (*ip->p != ')')
			ip->bad = true;
		else
			ip->p++;
		return v;
	}
	if (strncmp(ip->p, "version", 7) == 0) {
		char *end;
		double want;
		const char *op;

		ip->p = wn_skip_ws(ip->p + 7);
		op = ip->p;
		while (*ip->p == '<' || *ip->p == '>' || *ip->p == '=' ||
		    *ip->p == '!')
			ip->p++;
		want = strtod(wn_skip_ws(ip->p), &end);
		if (end == wn_skip_ws(ip->p)) {
			ip->bad = true;
			return false;
		}
		ip->p = end;
		if (strncmp(op, ">=", 2) == 0)
			return WN_RULES_SA_VERSION >= want;
		if (strncmp(op, "<=", 2) == 0)
			return WN_RULES_SA_VERSION <= want;
		if (strncmp(op, "==", 2) == 0)
			return WN_RULES_SA_VERSION == want;
		if (strncmp(op, "!=", 2) == 0)
			return WN_RULES_SA_VERSION != want;
		if (*op == '>')
			return WN_RULES_SA_VERSION > want;
		if (*op == '<')
			return WN_RULES_SA_VERSION < want;
		ip->bad = true;
		return false;
	}
	if (strncmp(ip->p, "plugin", 6) == 0)
		return wn_if_call(ip, "plugin", wn_rules_plugins,
		    WN_NELEM(wn_rules_plugins));
	if (strncmp(ip->p, "can", 3) == 0)
		return wn_if_call(ip, "can", wn_rules_features,
		    WN_NELEM(wn_rules_features));
	ip->bad = true;
	return false;
}

/* "||" over "&&" over primaries: level 0 is ||, level 1 is && */
static bool
wn_if_binary(wn_if_parser *ip, int level)
{
	const char *op = level == 0 ? "||" : "&&";
	bool v = level == 0 ? wn_if_binary(ip, 1) : wn_if_primary(ip);
	bool w;

	for (;;) {
		ip->p = wn_skip_ws(ip->p);
		if (strncmp(ip->p, op, 2) != 0)
			return v;
		ip->p += 2;
		w = level == 0 ? wn_if_binary(ip, 1) : wn_if_primary(ip);
		v = level == 0 ? v || w : v && w;
	}
}

static bool
wn_if_or(wn_if_parser *ip)
{
	return wn_if_binary(ip, 0);
}

/* ---- rule definitions ---- */

/* the rule called name, defined (or about to be) as type */
static wn__rule *
wn_rule_define(wn_reader *rd, const char *name, enum wn_rule_type type,
    const char *file, unsigned line)
{
	uint32_t id;
	wn__rule *r;

	if (!wn_rule_name_ok(name)) {
		wn_diag_add(rd->d, WN_DIAG_ERROR, file, line,
		    "invalid rule name '%s' (letters, digits and _ only)",
		    name);
		return NULL;
	}
	if (wn__rules_intern(rd->rs, name, &id) != 0) {
		rd->oom = 1;
		return NULL;
	}
	r = &rd->rs->rules[id];
	if (r->defined && r->type != type) {
		wn_diag_add(rd->d, WN_DIAG_ERROR, file, line,
		    "rule %s already defined as %s at %s:%u", name,
		    wn_rule_type_name(r->type), r->file, r->line);
		return NULL;
	}
	/* a later definition of the same type replaces the earlier one */
	r->defined = true;
	r->type = type;
	r->file = file;
	r->line = line;
	r->skipped_eval = r->unsupported = r->broken = false;
	r->hdr_kind = WN__HDR_NAMED;
	r->hdr_name = NULL;
	r->hdr_mod = WN__HDR_DECODED;
	r->hdr_exists = r->negate = false;
	r->if_unset = NULL;
	r->pattern = NULL;
	r->re_options = 0;
	r->meta_src = NULL;
	memset(&r->meta, 0, sizeof(r->meta));
	return r;
}

/* parse "/re/flags" at p into r; rest_out gets what follows */
static int
wn_rule_regex(wn_reader *rd, wn__rule *r, const char *p,
    const char **rest_out, const char *file, unsigned line)
{
	char err[256];
	int rc;

	rc = wn__rules_regex_parse(rd->rs->arena, wn_skip_ws(p), rest_out,
	    &r->pattern, &r->re_options, err, sizeof(err));
	if (rc == WN_ENOMEM) {
		rd->oom = 1;
		return rc;
	}
	if (rc != 0) {
		wn_diag_add(rd->d, WN_DIAG_ERROR, file, line, "%s: %s",
		    r->name, err);
		r->broken = true;
	}
	return rc;
}

static void
wn_rule_trailing(wn_reader *rd, wn__rule *r, const char *rest,
    const char *file, unsigned line)
{
	rest = wn_skip_ws(rest);
	if (*rest != '\0') {
		wn_diag_add(rd->d, WN_DIAG_ERROR, file, line,
		    "%s: unexpected text after the regex: \"%.40s\"", r->name,
		    rest);
		r->broken = true;
	}
}

static bool
wn_is_eval(const char *p)
{
	return strncmp(wn_skip_ws(p), "eval:", 5) == 0;
}

static void
wn_rule_eval(wn_reader *rd, wn__rule *r, const char *file, unsigned line)
{
	r->skipped_eval = true;
	rd->rs->stats.eval_skipped++;
	wn_diag_add(rd->d, WN_DIAG_WARNING, file, line,
	    "%s: eval: rules are not supported; skipped", r->name);
}

/* header spec: Name[:raw|:addr|:name], ALL, ToCc, MESSAGEID */
static bool
wn_rule_header_spec(wn_reader *rd, wn__rule *r, const char *spec,
    const char *file, unsigned line)
{
	char *colon = strchr(spec, ':'), *mod;
	char *name = (char *)spec;

	if (colon != NULL) {
		*colon = '\0';
		for (mod = colon + 1; mod != NULL && *mod != '\0';) {
			char *next = strchr(mod, ':');

			if (next != NULL)
				*next++ = '\0';
			if (strcmp(mod, "raw") == 0)
				r->hdr_mod = WN__HDR_RAW;
			else if (strcmp(mod, "addr") == 0)
				r->hdr_mod = WN__HDR_ADDR;
			else if (strcmp(mod, "name") == 0)
				r->hdr_mod = WN__HDR_NAME;
			else {
				r->unsupported = true;
				rd->rs->stats.unsupported_skipped++;
				wn_diag_add(rd->d, WN_DIAG_WARNING, file, line,
				    "%s: header modifier ':%s' is not "
				    "supported; rule skipped", r->name, mod);
				return false;
			}
			mod = next;
		}
	}
	r->hdr_name = name;
	if (strcmp(name, "ALL") == 0)
		r->hdr_kind = WN__HDR_ALL;
	else if (strcmp(name, "ToCc") == 0)
		r->hdr_kind = WN__HDR_TOCC;
	else if (strcmp(name, "MESSAGEID") == 0)
		r->hdr_kind = WN__HDR_MESSAGEID;
	else if (strcasecmp(name, "X-Winnow-Anomalies") == 0)
		r->hdr_kind = WN__HDR_ANOMALIES;
	else if (strcmp(name, "EnvelopeFrom") == 0 ||
	    strncmp(name, "X-Spam-Relays-", 14) == 0 ||
	    strncmp(name, "ALL-", 4) == 0) {
		r->unsupported = true;
		rd->rs->stats.unsupported_skipped++;
		wn_diag_add(rd->d, WN_DIAG_WARNING, file, line,
		    "%s: pseudo-header %s is not supported; rule skipped",
		    r->name, name);
		return false;
	}
	return true;
}

static void
wn_rules_dir_header(wn_reader *rd, enum wn_rule_type type,
    const char *name, const char *p, const char *file, unsigned line)
{
	wn__rule *r = wn_rule_define(rd, name, type, file, line);
	const char *spec, *rest;

	if (r == NULL)
		return;
	if (wn_is_eval(p)) {
		wn_rule_eval(rd, r, file, line);
		return;
	}
	p = wn_skip_ws(p);
	if (type == WN_RULE_HEADER && strncmp(p, "exists:", 7) == 0) {
		r->hdr_exists = true;
		p += 7;
		spec = wn_word(rd, &p);
		if (spec == NULL) {
			wn_diag_add(rd->d, WN_DIAG_ERROR, file, line,
			    "%s: exists: needs a header name", name);
			r->broken = true;
			return;
		}
		(void)wn_rule_header_spec(rd, r, (char *)spec, file, line);
		if (*wn_skip_ws(p) != '\0') {
			wn_diag_add(rd->d, WN_DIAG_ERROR, file, line,
			    "%s: unexpected text after exists:%s", name, spec);
			r->broken = true;
		}
		return;
	}
	spec = wn_word(rd, &p);
	if (spec == NULL) {
		wn_diag_add(rd->d, WN_DIAG_ERROR, file, line,
		    "%s: a header name is missing", name);
		r->broken = true;
		return;
	}
	p = wn_skip_ws(p);
	if (strncmp(p, "=~", 2) == 0)
		r->negate = false;
	else if (strncmp(p, "!~", 2) == 0)
		r->negate = true;
	else {
		wn_diag_add(rd->d, WN_DIAG_ERROR, file, line,
		    "%s: expected =~ or !~ after the header name", name);
		r->broken = true;
		return;
	}
	if (!wn_rule_header_spec(rd, r, (char *)spec, file, line))
		return;
	if (wn_rule_regex(rd, r, p + 2, &rest, file, line) != 0)
		return;
	rest = wn_skip_ws(rest);
	if (strncmp(rest, "[if-unset:", 10) == 0) {
		const char *e = strrchr(rest, ']');

		if (e == NULL) {
			wn_diag_add(rd->d, WN_DIAG_ERROR, file, line,
			    "%s: [if-unset: without a closing ']'", name);
			r->broken = true;
			return;
		}
		rest = wn_skip_ws(rest + 10);
		r->if_unset = wn_arena_memdup(rd->rs->arena, rest,
		    (size_t)(e - rest));
		if (r->if_unset == NULL) {
			rd->oom = 1;
			return;
		}
		rest = e + 1;
	}
	wn_rule_trailing(rd, r, rest, file, line);
}

static void
wn_rules_dir_regex(wn_reader *rd, enum wn_rule_type type, const char *name,
    const char *p, const char *file, unsigned line)
{
	wn__rule *r = wn_rule_define(rd, name, type, file, line);
	const char *rest;

	if (r == NULL)
		return;
	if (wn_is_eval(p)) {
		wn_rule_eval(rd, r, file, line);
		return;
	}
	if (wn_rule_regex(rd, r, p, &rest, file, line) != 0)
		return;
	wn_rule_trailing(rd, r, rest, file, line);
}

static void
wn_rules_dir_meta(wn_reader *rd, const char *name, const char *p,
    const char *file, unsigned line)
{
	wn__rule *r = wn_rule_define(rd, name, WN_RULE_META, file, line);
	char err[256];
	int rc;

	if (r == NULL)
		return;
	r->meta_src = wn_arena_strdup(rd->rs->arena, wn_skip_ws(p));
	if (r->meta_src == NULL) {
		rd->oom = 1;
		return;
	}
	rc = wn__rules_meta_parse(rd->rs->arena, r->meta_src, &r->meta, err,
	    sizeof(err));
	if (rc == WN_ENOMEM)
		rd->oom = 1;
	else if (rc != 0) {
		wn_diag_add(rd->d, WN_DIAG_ERROR, file, line, "%s: %s", name,
		    err);
		r->broken = true;
	}
}

/* score, describe, tflags: the rule may be defined before or after */
static wn__rule *
wn_rule_setting(wn_reader *rd, const char *name, const char *file,
    unsigned line)
{
	uint32_t id;

	if (!wn_rule_name_ok(name)) {
		wn_diag_add(rd->d, WN_DIAG_ERROR, file, line,
		    "invalid rule name '%s' (letters, digits and _ only)",
		    name);
		return NULL;
	}
	if (wn__rules_intern(rd->rs, name, &id) != 0) {
		rd->oom = 1;
		return NULL;
	}
	return &rd->rs->rules[id];
}

static void
wn_rules_dir_score(wn_reader *rd, const char *name, const char *p,
    const char *file, unsigned line)
{
	double v[4];
	size_t n = 0, i;
	wn__rule *r;

	for (;;) {
		char *end;

		p = wn_skip_ws(p);
		if (*p == '\0')
			break;
		if (n == 4) {
			wn_diag_add(rd->d, WN_DIAG_ERROR, file, line,
			    "score %s: more than four scores", name);
			return;
		}
		v[n] = strtod(p, &end);
		if (end == p || (*end != '\0' && *end != ' ' && *end != '\t')) {
			wn_diag_add(rd->d, WN_DIAG_ERROR, file, line,
			    "score %s: '%.20s' is not a number", name, p);
			return;
		}
		n++;
		p = end;
	}
	if (n != 1 && n != 4) {
		wn_diag_add(rd->d, WN_DIAG_ERROR, file, line,
		    "score %s: give one score or four (got %zu)", name, n);
		return;
	}
	r = wn_rule_setting(rd, name, file, line);
	if (r == NULL)
		return;
	for (i = 0; i < 4; i++)
		r->score[i] = n == 1 ? v[0] : v[i];
	r->has_score = true;
	r->score_file = file;
	r->score_line = line;
}

static void
wn_rules_dir_tflags(wn_reader *rd, const char *name, const char *p,
    const char *file, unsigned line)
{
	wn__rule *r = wn_rule_setting(rd, name, file, line);
	const char *w;

	if (r == NULL)
		return;
	r->tflags = 0;
	r->maxhits = 0;
	while ((w = wn_word(rd, &p)) != NULL) {
		if (strcmp(w, "nice") == 0)
			r->tflags |= WN__TF_NICE;
		else if (strcmp(w, "multiple") == 0)
			r->tflags |= WN__TF_MULTIPLE;
		else if (strcmp(w, "net") == 0)
			r->tflags |= WN__TF_NET;
		else if (strcmp(w, "learn") == 0)
			r->tflags |= WN__TF_LEARN;
		else if (strcmp(w, "noautolearn") == 0)
			r->tflags |= WN__TF_NOAUTOLEARN;
		else if (strcmp(w, "nobulk") == 0)
			r->tflags |= WN__TF_NOBULK;
		else if (strncmp(w, "maxhits=", 8) == 0) {
			char *end;
			unsigned long v = strtoul(w + 8, &end, 10);

			if (end == w + 8 || *end != '\0' || v == 0 ||
			    v > 1000000) {
				wn_diag_add(rd->d, WN_DIAG_ERROR, file, line,
				    "tflags %s: maxhits needs a number from "
				    "1 to 1000000, not '%s'", name, w + 8);
				continue;
			}
			r->maxhits = (uint32_t)v;
			r->tflags |= WN__TF_MULTIPLE;
		} else if (strcmp(w, "userconf") == 0 ||
		    strcmp(w, "autolearn_force") == 0 ||
		    strcmp(w, "publish") == 0 || strcmp(w, "nopublish") == 0 ||
		    strcmp(w, "a") == 0 || strcmp(w, "noawl") == 0 ||
		    strncmp(w, "domains_only", 12) == 0 ||
		    strncmp(w, "ips_only", 8) == 0 ||
		    strncmp(w, "nolog", 5) == 0 ||
		    strncmp(w, "range=", 6) == 0 ||
		    strcmp(w, "nosubject") == 0)
			continue;	/* no meaning for matching here */
		else
			wn_diag_add(rd->d, WN_DIAG_WARNING, file, line,
			    "tflags %s: unknown flag '%s' ignored", name, w);
	}
}

static void
wn_rules_dir_tag(wn_reader *rd, enum wn_tag_kind kind, const char *p,
    const char *file, unsigned line)
{
	const char *name = wn_word(rd, &p);
	size_t i;

	p = wn_skip_ws(p);
	if (name == NULL || *p == '\0') {
		wn_diag_add(rd->d, WN_DIAG_ERROR, file, line,
		    "replace tag needs a name and a value");
		return;
	}
	for (i = 0; i < rd->n_tags; i++)
		if (rd->tags[i].kind == kind &&
		    strcmp(rd->tags[i].name, name) == 0)
			break;
	if (i == WN_RULES_MAX_TAGS) {
		wn_diag_add(rd->d, WN_DIAG_ERROR, file, line,
		    "more than %d replace tags", WN_RULES_MAX_TAGS);
		return;
	}
	rd->tags[i].kind = kind;
	rd->tags[i].name = name;
	rd->tags[i].value = wn_arena_strdup(rd->rs->arena, p);
	if (rd->tags[i].value == NULL)
		rd->oom = 1;
	if (i == rd->n_tags)
		rd->n_tags++;
}

static void
wn_rules_dir_replace_rules(wn_reader *rd, const char *p)
{
	const char *w;

	while ((w = wn_word(rd, &p)) != NULL) {
		if (rd->n_replace == rd->cap_replace) {
			size_t nc = rd->cap_replace ? rd->cap_replace * 2 : 64;
			const char **nv = wn_realloc(rd->replace,
			    nc * sizeof(*nv));

			if (nv == NULL) {
				rd->oom = 1;
				return;
			}
			rd->replace = nv;
			rd->cap_replace = nc;
		}
		rd->replace[rd->n_replace++] = w;
	}
}

/* ---- lines ---- */

static void
wn_rules_line(wn_reader *rd, char *line, const char *file, unsigned lineno,
    unsigned depth, wn_cond *cond, size_t *n_cond)
{
	char *p = line, *q;
	const char *key, *name, *rest;
	bool active = *n_cond == 0 || cond[*n_cond - 1].active;
	size_t i;

	/* '#' starts a comment unless escaped, as in SpamAssassin */
	for (q = p; *q != '\0'; q++)
		if (*q == '#' && (q == p || q[-1] != '\\')) {
			*q = '\0';
			break;
		}
	while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r' ||
	    q[-1] == '\n'))
		*--q = '\0';
	rest = p;
	key = wn_word(rd, &rest);
	if (key == NULL)
		return;
	for (q = (char *)key; *q != '\0'; q++)
		*q = (char)wn_ascii_lower((unsigned char)*q);

	if (strcmp(key, "if") == 0 || strcmp(key, "ifplugin") == 0) {
		wn_cond *c;
		bool v;

		if (*n_cond == WN_RULES_MAX_COND) {
			wn_diag_add(rd->d, WN_DIAG_ERROR, file, lineno,
			    "conditionals nested deeper than %d",
			    WN_RULES_MAX_COND);
			return;
		}
		if (key[2] == 'p') {
			const char *plugin = wn_word(rd, &rest);

			v = plugin != NULL && wn_in_list(plugin,
			    wn_rules_plugins, WN_NELEM(wn_rules_plugins));
		} else {
			wn_if_parser ip = { wn_skip_ws(rest), false };

			v = wn_if_or(&ip);
			if (*wn_skip_ws(ip.p) != '\0')
				ip.bad = true;
			if (ip.bad && active) {
				wn_diag_add(rd->d, WN_DIAG_WARNING, file,
				    lineno, "if condition not understood: "
				    "\"%s\"; taken as false", wn_skip_ws(rest));
				v = false;
			}
		}
		c = &cond[(*n_cond)++];
		c->parent_active = active;
		c->active = active && v;
		c->taken = v;
		c->seen_else = false;
		c->file = file;
		c->line = lineno;
		return;
	}
	if (strcmp(key, "else") == 0) {
		wn_cond *c;

		if (*n_cond == 0) {
			wn_diag_add(rd->d, WN_DIAG_ERROR, file, lineno,
			    "else without if");
			return;
		}
		c = &cond[*n_cond - 1];
		if (c->seen_else)
			wn_diag_add(rd->d, WN_DIAG_ERROR, file, lineno,
			    "second else for the if at line %u", c->line);
		c->seen_else = true;
		c->active = c->parent_active && !c->taken;
		return;
	}
	if (strcmp(key, "endif") == 0) {
		if (*n_cond == 0)
			wn_diag_add(rd->d, WN_DIAG_ERROR, file, lineno,
			    "endif without if");
		else
			(*n_cond)--;
		return;
	}
	if (!active)
		return;

	if (strcmp(key, "include") == 0) {
		const char *target = wn_skip_ws(rest);
		char *path;

		if (*target == '\0') {
			wn_diag_add(rd->d, WN_DIAG_ERROR, file, lineno,
			    "include needs a file name");
			return;
		}
		if (*target == '/')
			path = wn_arena_strdup(rd->rs->arena, target);
		else {
			const char *slash = strrchr(file, '/');
			size_t dl = slash ? (size_t)(slash - file) + 1 : 0;
			size_t tl = strlen(target);

			path = wn_arena_alloc(rd->rs->arena, dl + tl + 1);
			if (path != NULL) {
				memcpy(path, file, dl);
				memcpy(path + dl, target, tl + 1);
			}
		}
		if (path == NULL) {
			rd->oom = 1;
			return;
		}
		if (depth >= WN_RULES_MAX_INCLUDE) {
			wn_diag_add(rd->d, WN_DIAG_ERROR, file, lineno,
			    "include nested deeper than %d (a loop?)",
			    WN_RULES_MAX_INCLUDE);
			return;
		}
		(void)wn_rules_read_path(rd, path, depth + 1, file, lineno);
		return;
	}
	if (wn_in_list(key, wn_rules_ignored, WN_NELEM(wn_rules_ignored)))
		return;
	for (i = 0; i < WN_NELEM(wn_tag_directives); i++)
		if (strcmp(key, wn_tag_directives[i].name) == 0) {
			wn_rules_dir_tag(rd, wn_tag_directives[i].kind, rest,
			    file, lineno);
			return;
		}
	if (strcmp(key, "replace_rules") == 0) {
		wn_rules_dir_replace_rules(rd, rest);
		return;
	}
	if (strcmp(key, "replace_start") == 0 ||
	    strcmp(key, "replace_end") == 0) {
		const char *v = wn_word(rd, &rest);

		if (v == NULL)
			wn_diag_add(rd->d, WN_DIAG_ERROR, file, lineno,
			    "%s needs a value", key);
		else if (key[8] == 's')
			rd->tag_start = v;
		else
			rd->tag_end = v;
		return;
	}

	name = NULL;
	if (strcmp(key, "header") == 0 || strcmp(key, "body") == 0 ||
	    strcmp(key, "rawbody") == 0 || strcmp(key, "uri") == 0 ||
	    strcmp(key, "full") == 0 || strcmp(key, "meta") == 0 ||
	    strcmp(key, "mimeheader") == 0 || strcmp(key, "score") == 0 ||
	    strcmp(key, "describe") == 0 || strcmp(key, "tflags") == 0) {
		name = wn_word(rd, &rest);
		if (name == NULL) {
			wn_diag_add(rd->d, WN_DIAG_ERROR, file, lineno,
			    "%s needs a rule name", key);
			return;
		}
		if (*wn_skip_ws(rest) == '\0' && strcmp(key, "tflags") != 0 &&
		    strcmp(key, "describe") != 0) {
			wn_diag_add(rd->d, WN_DIAG_ERROR, file, lineno,
			    "%s %s: nothing after the rule name", key, name);
			return;
		}
	}
	if (strcmp(key, "header") == 0)
		wn_rules_dir_header(rd, WN_RULE_HEADER, name, rest, file,
		    lineno);
	else if (strcmp(key, "mimeheader") == 0)
		wn_rules_dir_header(rd, WN_RULE_MIMEHEADER, name, rest, file,
		    lineno);
	else if (strcmp(key, "body") == 0)
		wn_rules_dir_regex(rd, WN_RULE_BODY, name, rest, file, lineno);
	else if (strcmp(key, "rawbody") == 0)
		wn_rules_dir_regex(rd, WN_RULE_RAWBODY, name, rest, file,
		    lineno);
	else if (strcmp(key, "uri") == 0)
		wn_rules_dir_regex(rd, WN_RULE_URI, name, rest, file, lineno);
	else if (strcmp(key, "full") == 0)
		wn_rules_dir_regex(rd, WN_RULE_FULL, name, rest, file, lineno);
	else if (strcmp(key, "meta") == 0)
		wn_rules_dir_meta(rd, name, rest, file, lineno);
	else if (strcmp(key, "score") == 0)
		wn_rules_dir_score(rd, name, rest, file, lineno);
	else if (strcmp(key, "describe") == 0) {
		wn__rule *r = wn_rule_setting(rd, name, file, lineno);

		if (r != NULL) {
			r->describe = wn_arena_strdup(rd->rs->arena,
			    wn_skip_ws(rest));
			if (r->describe == NULL)
				rd->oom = 1;
		}
	} else if (strcmp(key, "tflags") == 0)
		wn_rules_dir_tflags(rd, name, rest, file, lineno);
	else
		wn_rules_count_skip(rd, key, file, lineno);
}

/* ---- files ---- */

static int
wn_rules_read_file(wn_reader *rd, const char *path, unsigned depth,
    const char *from_file, unsigned from_line)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned lineno = 0;
	wn_cond cond[WN_RULES_MAX_COND];
	size_t n_cond = 0;
	const char *file;

	f = fopen(path, "r");
	if (f == NULL) {
		wn_diag_add(rd->d, WN_DIAG_ERROR, from_file ? from_file : path,
		    from_file ? from_line : 0, "cannot read %s: %s", path,
		    strerror(errno));
		return WN_ENOENT;
	}
	file = wn_arena_strdup(rd->rs->arena, path);
	if (file == NULL) {
		fclose(f);
		rd->oom = 1;
		return WN_ENOMEM;
	}
	rd->rs->stats.files++;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (strlen(line) != (size_t)len) {
			wn_diag_add(rd->d, WN_DIAG_ERROR, file, lineno,
			    "NUL byte in line; line skipped");
			continue;
		}
		wn_rules_line(rd, line, file, lineno, depth, cond, &n_cond);
		if (rd->oom)
			break;
	}
	if (ferror(f))
		wn_diag_add(rd->d, WN_DIAG_ERROR, file, lineno,
		    "read error: %s", strerror(errno));
	while (n_cond > 0) {
		n_cond--;
		wn_diag_add(rd->d, WN_DIAG_ERROR, file, cond[n_cond].line,
		    "if without endif");
	}
	free(line);
	fclose(f);
	return rd->oom ? WN_ENOMEM : 0;
}

static int
wn_rules_cf_filter(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 3 &&
	    strcmp(e->d_name + n - 3, ".cf") == 0;
}

static int
wn_rules_read_path(wn_reader *rd, const char *path, unsigned depth,
    const char *from_file, unsigned from_line)
{
	struct stat st;
	struct dirent **ents;
	int n, i, rc = 0;

	if (stat(path, &st) != 0) {
		wn_diag_add(rd->d, WN_DIAG_ERROR, from_file ? from_file : path,
		    from_file ? from_line : 0, "cannot read %s: %s", path,
		    strerror(errno));
		return WN_ENOENT;
	}
	if (!S_ISDIR(st.st_mode))
		return wn_rules_read_file(rd, path, depth, from_file,
		    from_line);
	n = scandir(path, &ents, wn_rules_cf_filter, alphasort);
	if (n < 0) {
		wn_diag_add(rd->d, WN_DIAG_ERROR, path, 0,
		    "cannot list folder: %s", strerror(errno));
		return WN_ENOENT;
	}
	for (i = 0; i < n; i++) {
		char *sub = NULL;

		if (rc != WN_ENOMEM && asprintf(&sub, "%s/%s", path,
		    ents[i]->d_name) >= 0) {
			int r = wn_rules_read_file(rd, sub, depth, NULL, 0);

			if (r == WN_ENOMEM)
				rc = r;
			free(sub);
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/* ---- replace tags ---- */

static const wn_tag *
wn_tag_find(const wn_reader *rd, enum wn_tag_kind kind, const char *name,
    size_t len)
{
	size_t i;

	for (i = 0; i < rd->n_tags; i++)
		if (rd->tags[i].kind == kind &&
		    strlen(rd->tags[i].name) == len &&
		    memcmp(rd->tags[i].name, name, len) == 0)
			return &rd->tags[i];
	return NULL;
}

/*
 * Expand <TAG> in s into b. A rule's <pre X>, <inter X> and <post X>
 * choose which replace_pre/inter/post value goes before each tag, between
 * adjacent tags and after each tag; tag values may use other tags.
 */
static int
wn_tags_expand(const wn_reader *rd, const char *s, wn_buf *b,
    const char *pre, const char *inter, const char *post, unsigned depth)
{
	const char *st = rd->tag_start ? rd->tag_start : "<";
	const char *en = rd->tag_end ? rd->tag_end : ">";
	size_t sl = strlen(st), el = strlen(en);
	bool last_was_tag = false;

	if (depth > WN_RULES_TAG_DEPTH)
		return WN_EINVAL;
	while (*s != '\0') {
		const char *e;
		const wn_tag *t;

		if (strncmp(s, st, sl) == 0 && (e = strstr(s + sl, en)) != NULL
		    && (t = wn_tag_find(rd, WN_TAG, s + sl,
		    (size_t)(e - s - sl))) != NULL) {
			if (last_was_tag && inter != NULL)
				wn_buf_puts(b, inter);
			if (pre != NULL)
				wn_buf_puts(b, pre);
			if (wn_tags_expand(rd, t->value, b, NULL, NULL, NULL,
			    depth + 1) != 0)
				return WN_EINVAL;
			if (post != NULL)
				wn_buf_puts(b, post);
			s = e + el;
			last_was_tag = true;
			continue;
		}
		wn_buf_putc(b, *s++);
		last_was_tag = false;
	}
	return b->failed ? WN_ENOMEM : 0;
}

/*
 * Take <pre X>, <inter X>, <post X> out of a pattern. An unknown X is
 * dropped with a warning, as SpamAssassin drops it.
 */
static const char *
wn_tags_directive(wn_reader *rd, wn_buf *b, const wn__rule *r,
    const char *which, enum wn_tag_kind kind)
{
	const char *st = rd->tag_start ? rd->tag_start : "<";
	const char *en = rd->tag_end ? rd->tag_end : ">";
	size_t wl = strlen(which), sl = strlen(st);
	const char *value = NULL;
	char *p = b->data, *e;
	const wn_tag *t;

	while ((p = strstr(p, st)) != NULL) {
		if (strncmp(p + sl, which, wl) != 0 || p[sl + wl] != ' ') {
			p++;
			continue;
		}
		e = strstr(p + sl + wl + 1, en);
		if (e == NULL)
			break;
		t = wn_tag_find(rd, kind, p + sl + wl + 1,
		    (size_t)(e - p - sl - wl - 1));
		if (t != NULL)
			value = t->value;
		else
			wn_diag_add(rd->d, WN_DIAG_WARNING, r->file, r->line,
			    "%s: unknown %s tag \"%.*s\" ignored", r->name,
			    which, (int)(e - p - sl - wl - 1), p + sl + wl + 1);
		e += strlen(en);
		memmove(p, e, strlen(e) + 1);
		b->len -= (size_t)(e - p);
	}
	return value;
}

static void
wn_rules_apply_tags(wn_reader *rd)
{
	wn_buf src, out;
	size_t i;

	wn_buf_init(&src);
	wn_buf_init(&out);
	for (i = 0; i < rd->n_replace; i++) {
		long id = wn__rules_lookup(rd->rs, rd->replace[i]);
		wn__rule *r;
		const char *pre, *inter, *post;
		int rc;

		if (id < 0)
			continue;
		r = &rd->rs->rules[id];
		if (r->pattern == NULL || r->broken)
			continue;
		wn_buf_reset(&src);
		wn_buf_puts(&src, r->pattern);
		if (src.failed) {
			rd->oom = 1;
			break;
		}
		pre = wn_tags_directive(rd, &src, r, "pre", WN_TAG_PRE);
		inter = wn_tags_directive(rd, &src, r, "inter", WN_TAG_INTER);
		post = wn_tags_directive(rd, &src, r, "post", WN_TAG_POST);
		wn_buf_reset(&out);
		rc = wn_tags_expand(rd, src.data, &out, pre, inter, post, 0);
		if (rc == WN_ENOMEM) {
			rd->oom = 1;
			break;
		}
		if (rc != 0) {
			wn_diag_add(rd->d, WN_DIAG_ERROR, r->file, r->line,
			    "%s: replace tags nested deeper than %d",
			    r->name,
			    WN_RULES_TAG_DEPTH);
			r->broken = true;
			continue;
		}
		r->pattern = wn_arena_memdup(rd->rs->arena, out.data, out.len);
		if (r->pattern == NULL) {
			rd->oom = 1;
			break;
		}
	}
	wn_buf_fini(&src);
	wn_buf_fini(&out);
}

int
wn__rules_read(wn_rules *rs, const char *const *paths, size_t n,
    wn_diag_list *diags)
{
	wn_reader *rd;
	size_t i;
	int rc = 0;

	rd = wn_calloc(1, sizeof(*rd));
	if (rd == NULL)
		return WN_ENOMEM;
	rd->rs = rs;
	rd->d = diags;
	for (i = 0; i < n && !rd->oom; i++) {
		int r = wn_rules_read_path(rd, paths[i], 0, NULL, 0);

		if (r == WN_ENOENT && rc == 0)
			rc = r;
	}
	if (!rd->oom)
		wn_rules_apply_tags(rd);
	if (rd->oom)
		rc = WN_ENOMEM;
	wn_free(rd->replace);
	wn_free(rd->skips);
	wn_free(rd);
	return rc;
}
