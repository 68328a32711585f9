/*
 * config_keys.c - winnow.conf: the table of keys, parsing and printing.
 *
 * Every key is declared once below with its type, default, bounds and
 * whether it applies on reload; defaults are written as file text and go
 * through the same parser as the file, so the table is the one place a
 * default lives. Syntax: "key = value" lines, '#' comments, blank lines.
 * A list key (rules, trusted_networks) replaced its default at its first
 * line in the file and appends on later ones; "none" empties it.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/bulk.h>
#include <winnow/config.h>
#include <winnow/err.h>
#include <winnow/report.h>
#include <winnow/ruleset_install.h>

#ifndef WN_RULES_DIR
#define WN_RULES_DIR "/usr/local/share/winnow/rules/core"
#endif

enum wn_key_type {
	WN_KEY_STR,
	WN_KEY_BOOL,
	WN_KEY_NUM,		/* double within [min, max] */
	WN_KEY_SCORE,		/* a number, or "off" (NAN) */
	WN_KEY_SIZE,		/* bytes, with k/M/G suffixes */
	WN_KEY_RULES,		/* list of paths */
	WN_KEY_NETS,		/* list of networks */
	WN_KEY_ON_ERROR,
	WN_KEY_LOG_LEVEL,
	WN_KEY_HEADER_NAME,	/* letters, digits and '-' */
	WN_KEY_CHOICE,		/* one of the words in choices */
	WN_KEY_COUNTRY,		/* two capital letters, or "" */
	WN_KEY_CHANNELS		/* rule-set channels: NAME[:STAGE]... */
};

typedef struct wn_key {
	const char *name;
	enum wn_key_type type;
	const char *def;
	size_t off;
	double min, max;
	bool restart;		/* a change applies only after a restart */
	const char *const *choices;	/* WN_KEY_CHOICE, NULL-terminated */
} wn_key;



#define S(f) offsetof(wn_settings, f)
#define T(f) (offsetof(wn_settings, thresholds) + offsetof(wn_thresholds, f))
#define W(r) (offsetof(wn_settings, spf_weight) + (r) * sizeof(double))

static const wn_key wn_keys[] = {
	/* daemon */
	{ "socket", WN_KEY_STR, "inet:8891@127.0.0.1", S(socket), 0, 0,
	  true, NULL },
	{ "pid_file", WN_KEY_STR, "/run/winnow/winnowd.pid", S(pid_file), 0, 0,
	  true, NULL },
	{ "user", WN_KEY_STR, "", S(user), 0, 0, true, NULL },
	{ "log_level", WN_KEY_LOG_LEVEL, "info", S(log_level), 0, 0,
	  false, NULL },
	{ "spf_timeout", WN_KEY_NUM, "3", S(spf_timeout), 1, 30, true, NULL },
	/* classification */
	{ "store", WN_KEY_STR, "/var/lib/winnow/bayes.lmdb", S(store), 0, 0,
	  false, NULL },
	{ "store_retry", WN_KEY_NUM, "30", S(store_retry), 1, 3600, false,
	  NULL },
	{ "rules", WN_KEY_RULES, WN_RULES_DIR, S(rules), 0, 0, false, NULL },
	{ "rules_skip_broken", WN_KEY_BOOL, "no", S(rules_skip_broken), 0, 0,
	  false, NULL },
	{ "rules_installed", WN_KEY_STR, "/var/lib/winnow/rules",
	  S(rules_installed), 0, 0, false, NULL },
	{ "rules_channels", WN_KEY_CHANNELS, "", S(rules_channels), 0, 0,
	  false, NULL },
	{ "rules_repository", WN_KEY_STR, "", S(rules_repository), 0, 0,
	  false, NULL },
	{ "rules_trusted_keys", WN_KEY_STR, "/etc/winnow/trusted-keys",
	  S(rules_trusted_keys), 0, 0, false, NULL },
	{ "max_size", WN_KEY_SIZE, "10M", S(max_size), 1024,
	  (double)(1u << 30), false, NULL },
	/* actions */
	{ "required_score", WN_KEY_NUM, "5.0", T(mark), -1000, 1000,
	  false, NULL },
	{ "subject_score", WN_KEY_SCORE, "off", T(subject), -1000, 1000,
	  false, NULL },
	{ "tempfail_score", WN_KEY_SCORE, "off", T(tempfail), -1000, 1000,
	  false, NULL },
	{ "quarantine_score", WN_KEY_SCORE, "off", T(quarantine), -1000, 1000,
	  false, NULL },
	{ "discard_score", WN_KEY_SCORE, "off", T(discard), -1000, 1000,
	  false, NULL },
	{ "reject_score", WN_KEY_SCORE, "15.0", T(reject), -1000, 1000,
	  false, NULL },
	{ "never_reject", WN_KEY_BOOL, "no", T(never_reject), 0, 0,
	  false, NULL },
	{ "subject_tag", WN_KEY_STR, "[SPAM]", S(subject_tag), 0, 0,
	  false, NULL },
	{ "reject_text", WN_KEY_STR, "Message rejected as spam",
	  S(reject_text), 0, 0, false, NULL },
	{ "tempfail_text", WN_KEY_STR, "Message deferred, try again later",
	  S(tempfail_text), 0, 0, false, NULL },
	{ "on_error", WN_KEY_ON_ERROR, "accept", S(on_error), 0, 0,
	  false, NULL },
	/* headers */
	{ "add_headers", WN_KEY_BOOL, "yes", S(add_headers), 0, 0,
	  false, NULL },
	{ "header_prefix", WN_KEY_HEADER_NAME, "X-Spam", S(header_prefix), 0, 0,
	  false, NULL },
	{ "authserv_id", WN_KEY_STR, "", S(authserv_id), 0, 0, false, NULL },
	/* SPF */
	{ "spf", WN_KEY_BOOL, "yes", S(spf), 0, 0, false, NULL },
	{ "spf_pass_weight", WN_KEY_NUM, "-0.1", W(WN_SPF_PASS), -100, 100,
	  false, NULL },
	{ "spf_fail_weight", WN_KEY_NUM, "2.5", W(WN_SPF_FAIL), -100, 100,
	  false, NULL },
	{ "spf_softfail_weight", WN_KEY_NUM, "1.0", W(WN_SPF_SOFTFAIL), -100,
	  100, false, NULL },
	{ "spf_neutral_weight", WN_KEY_NUM, "0.3", W(WN_SPF_NEUTRAL), -100,
	  100, false, NULL },
	{ "spf_none_weight", WN_KEY_NUM, "0.2", W(WN_SPF_NONE), -100, 100,
	  false, NULL },
	{ "spf_permerror_weight", WN_KEY_NUM, "0.5", W(WN_SPF_PERMERROR), -100,
	  100, false, NULL },
	{ "spf_temperror_weight", WN_KEY_NUM, "0", W(WN_SPF_TEMPERROR), -100,
	  100, false, NULL },
	/* bulk detection */
	{ "bulk", WN_KEY_BOOL, "yes", S(bulk), 0, 0, false, NULL },
	{ "bulk_store", WN_KEY_STR, "/var/lib/winnow/bulk.lmdb", S(bulk_store),
	  0, 0, false, NULL },
	{ "bulk_window", WN_KEY_NUM, "86400", S(bulk_window), 480, 2592000,
	  false, NULL },
	{ "bulk_low_recipients", WN_KEY_NUM, "5", S(bulk_low), 0, 1e9,
	  false, NULL },
	{ "bulk_medium_recipients", WN_KEY_NUM, "20", S(bulk_medium), 0, 1e9,
	  false, NULL },
	{ "bulk_high_recipients", WN_KEY_NUM, "100", S(bulk_high), 0, 1e9,
	  false, NULL },
	{ "bulk_senders", WN_KEY_NUM, "3", S(bulk_senders), 0,
	  WN_BULK_SENDER_SLOTS, false, NULL },
	{ "bulk_attachment_recipients", WN_KEY_NUM, "10", S(bulk_attachment),
	  0, 1e9, false, NULL },
	{ "bulk_low_weight", WN_KEY_NUM, "0.5", S(bulk_low_weight), -100, 100,
	  false, NULL },
	{ "bulk_medium_weight", WN_KEY_NUM, "1.5", S(bulk_medium_weight), -100,
	  100, false, NULL },
	{ "bulk_high_weight", WN_KEY_NUM, "2.5", S(bulk_high_weight), -100,
	  100, false, NULL },
	{ "bulk_senders_weight", WN_KEY_NUM, "1.0", S(bulk_senders_weight),
	  -100, 100, false, NULL },
	{ "bulk_attachment_weight", WN_KEY_NUM, "1.0",
	  S(bulk_attachment_weight), -100, 100, false, NULL },
	{ "bulk_feed", WN_KEY_STR, "/var/lib/winnow/bulk-feed.json",
	  S(bulk_feed), 0, 0, false, NULL },
	{ "bulk_feed_key", WN_KEY_STR, "/etc/winnow/bulk-feed.pub",
	  S(bulk_feed_key), 0, 0, false, NULL },
	{ "bulk_feed_repository", WN_KEY_STR, "", S(bulk_feed_repository), 0,
	  0, false, NULL },
	{ "bulk_shared_weight", WN_KEY_NUM, "1.5", S(bulk_shared_weight), -100,
	  100, false, NULL },
	/* who is not scanned */
	{ "trusted_networks", WN_KEY_NETS, "127.0.0.0/8 ::1", S(trusted), 0, 0,
	  false, NULL },
	{ "skip_authenticated", WN_KEY_BOOL, "yes", S(skip_authenticated), 0,
	  0, false, NULL },
	/* autolearn */
	{ "autolearn", WN_KEY_BOOL, "no", S(autolearn), 0, 0, false, NULL },
	{ "autolearn_spam_score", WN_KEY_NUM, "12.0", S(autolearn_spam), -1000,
	  1000, false, NULL },
	{ "autolearn_ham_score", WN_KEY_NUM, "-1.0", S(autolearn_ham), -1000,
	  1000, false, NULL },
	/* statistics and reports */
	{ "report_spool", WN_KEY_STR, "/var/spool/winnow/reports",
	  S(report_spool), 0, 0, true, NULL },
	{ "report_period", WN_KEY_NUM, "3600", S(report_period), 60, 86400,
	  true, NULL },
	{ "report_sharing", WN_KEY_CHOICE, "standard", S(report_sharing), 0, 0,
	  true, wn_sharing_names },
	{ "report_min_count", WN_KEY_NUM, "5", S(report_min_count), 1, 1e9,
	  false, NULL },
	{ "report_prefix_min_count", WN_KEY_NUM, "10",
	  S(report_prefix_min_count), 1, 1e9, false, NULL },
	{ "report_country", WN_KEY_COUNTRY, "", S(report_country), 0, 0,
	  false, NULL },
	{ "report_operator_type", WN_KEY_CHOICE, "other",
	  S(report_operator_type), 0, 0, false, wn_operator_types },
	{ "report_repository", WN_KEY_STR, "", S(report_repository), 0, 0,
	  false, NULL },
	{ "report_key", WN_KEY_STR, "/etc/winnow/report.key", S(report_key),
	  0, 0, false, NULL },
	{ "geoip_db", WN_KEY_STR, "", S(geoip_db), 0, 0, true, NULL },
};

#define WN_NKEYS (sizeof(wn_keys) / sizeof(wn_keys[0]))

static const char *const wn_log_levels[] = {
	"err", "warning", "notice", "info", "debug"
};

static const wn_key *
wn_key_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < WN_NKEYS; i++)
		if (strlen(wn_keys[i].name) == len &&
		    memcmp(wn_keys[i].name, name, len) == 0)
			return &wn_keys[i];
	return NULL;
}

static bool
wn_parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") ||
	    !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") ||
	    !strcmp(v, "off") || !strcmp(v, "0"))
		*out = false;
	else
		return false;
	return true;
}

static bool
wn_parse_num(const char *v, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(v, &end);
	return errno == 0 && end != v && *end == '\0' && isfinite(*out);
}

static bool
wn_parse_size(const char *v, double *out)
{
	char *end;
	double x;

	errno = 0;
	if (*v < '0' || *v > '9')
		return false;
	x = strtod(v, &end);
	if (errno != 0 || end == v)
		return false;
	switch (*end) {
	case 'k': case 'K': x *= 1024; end++; break;
	case 'm': case 'M': x *= 1024 * 1024; end++; break;
	case 'g': case 'G': x *= 1024.0 * 1024 * 1024; end++; break;
	default: break;
	}
	if (*end != '\0')
		return false;
	*out = floor(x);
	return true;
}

typedef struct wn_parse_ctx {
	wn_settings *s;
	wn_diag_list *d;
	const char *file;
	unsigned line;
	bool seen[WN_NKEYS];
	int errors;
} wn_parse_ctx;

#define WN_BAD(ctx, ...) do { \
	wn_diag_add((ctx)->d, WN_DIAG_ERROR, (ctx)->file, (ctx)->line, \
	    __VA_ARGS__); \
	(ctx)->errors++; \
} while (0)

/* A list value: white-space separated items; "none" clears. */
static int
wn_set_list(wn_parse_ctx *ctx, const wn_key *k, char *v, bool replace)
{
	wn_settings *s = ctx->s;
	char *save = NULL, *item;

	if (replace) {
		if (k->type == WN_KEY_RULES)
			s->n_rules = 0;
		else
			s->n_trusted = 0;
	}
	for (item = strtok_r(v, " \t,", &save); item != NULL;
	    item = strtok_r(NULL, " \t,", &save)) {
		if (strcmp(item, "none") == 0) {
			if (k->type == WN_KEY_RULES)
				s->n_rules = 0;
			else
				s->n_trusted = 0;
			continue;
		}
		if (k->type == WN_KEY_RULES) {
			if (s->n_rules == WN_CONFIG_MAX_RULES) {
				WN_BAD(ctx, "rules: more than %d paths",
				    WN_CONFIG_MAX_RULES);
				return 0;
			}
			if ((s->rules[s->n_rules] = wn_arena_strdup(s->arena,
			    item)) == NULL)
				return WN_ENOMEM;
			s->n_rules++;
		} else {
			if (s->n_trusted == WN_CONFIG_MAX_NETS) {
				WN_BAD(ctx, "%s: more than %d networks",
				    k->name, WN_CONFIG_MAX_NETS);
				return 0;
			}
			if (wn_net_parse(item, &s->trusted[s->n_trusted]) != 0) {
				WN_BAD(ctx, "%s: '%s' is not an address or "
				    "network (ADDR/LEN)", k->name, item);
				continue;
			}
			s->n_trusted++;
		}
	}
	return 0;
}

static int
wn_set_value(wn_parse_ctx *ctx, const wn_key *k, char *v, bool replace)
{
	char *field = (char *)ctx->s + k->off;
	double x;
	bool b;
	size_t i;

	switch (k->type) {
	case WN_KEY_HEADER_NAME:
		if (*v == '\0' || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(v)) {
			WN_BAD(ctx, "%s: '%s' is not a header name (letters, "
			    "digits, '-')", k->name, v);
			return 0;
		}
		/* FALLTHROUGH */
	case WN_KEY_COUNTRY:
		if (k->type == WN_KEY_COUNTRY && *v != '\0' &&
		    (strlen(v) != 2 || v[0] < 'A' || v[0] > 'Z' ||
		    v[1] < 'A' || v[1] > 'Z')) {
			WN_BAD(ctx, "%s: '%s' is not a country code (two "
			    "capital letters, ISO 3166-1)", k->name, v);
			return 0;
		}
		/* FALLTHROUGH */
	case WN_KEY_CHANNELS:
		if (k->type == WN_KEY_CHANNELS) {
			wn_ruleset_channel ch[WN_RULESET_MAX_CHANNELS];
			char err[WN_RULESET_INSTALL_ERR_LEN];
			size_t n;

			if (wn_ruleset_channels_parse(v, ch,
			    WN_RULESET_MAX_CHANNELS, &n, err) != 0) {
				WN_BAD(ctx, "%s: %s", k->name, err);
				return 0;
			}
		}
		/* FALLTHROUGH */
	case WN_KEY_STR:
		if ((*(const char **)field = wn_arena_strdup(ctx->s->arena,
		    v)) == NULL)
			return WN_ENOMEM;
		return 0;
	case WN_KEY_BOOL:
		if (!wn_parse_bool(v, &b)) {
			WN_BAD(ctx, "%s: '%s' is not yes or no", k->name, v);
			return 0;
		}
		*(bool *)field = b;
		return 0;
	case WN_KEY_SCORE:
		if (strcmp(v, "off") == 0) {
			*(double *)field = NAN;
			return 0;
		}
		/* FALLTHROUGH */
	case WN_KEY_NUM:
		if (!wn_parse_num(v, &x)) {
			WN_BAD(ctx, "%s: '%s' is not a number%s", k->name, v,
			    k->type == WN_KEY_SCORE ? " or off" : "");
			return 0;
		}
		if (x < k->min || x > k->max) {
			WN_BAD(ctx, "%s: %s is out of range %g..%g", k->name,
			    v, k->min, k->max);
			return 0;
		}
		*(double *)field = x;
		return 0;
	case WN_KEY_SIZE:
		if (!wn_parse_size(v, &x)) {
			WN_BAD(ctx, "%s: '%s' is not a size (bytes, or with "
			    "k, M, G)", k->name, v);
			return 0;
		}
		if (x < k->min || x > k->max) {
			WN_BAD(ctx, "%s: %s is out of range %.0f..%.0f bytes",
			    k->name, v, k->min, k->max);
			return 0;
		}
		*(size_t *)field = (size_t)x;
		return 0;
	case WN_KEY_RULES:
	case WN_KEY_NETS:
		return wn_set_list(ctx, k, v, replace);
	case WN_KEY_ON_ERROR:
		if (strcmp(v, "accept") == 0)
			*(enum wn_on_error *)field = WN_ON_ERROR_ACCEPT;
		else if (strcmp(v, "tempfail") == 0)
			*(enum wn_on_error *)field = WN_ON_ERROR_TEMPFAIL;
		else
			WN_BAD(ctx, "%s: '%s' is not accept or tempfail",
			    k->name, v);
		return 0;
	case WN_KEY_CHOICE:
		for (i = 0; k->choices[i] != NULL; i++)
			if (strcmp(v, k->choices[i]) == 0)
				break;
		if (k->choices[i] == NULL) {
			char all[256];
			size_t o = 0, c;

			all[0] = '\0';
			for (c = 0; k->choices[c] != NULL && o < sizeof(all);
			    c++)
				o += (size_t)snprintf(all + o, sizeof(all) - o,
				    "%s%s", c ? ", " : "", k->choices[c]);
			WN_BAD(ctx, "%s: '%s' is not one of %s", k->name, v,
			    all);
			return 0;
		}
		*(const char **)field = k->choices[i];
		return 0;
	case WN_KEY_LOG_LEVEL:
		for (i = 0; i < 5; i++)
			if (strcmp(v, wn_log_levels[i]) == 0)
				break;
		if (i == 5) {
			WN_BAD(ctx, "%s: '%s' is not err, warning, notice, "
			    "info or debug", k->name, v);
			return 0;
		}
		*(const char **)field = wn_log_levels[i];
		return 0;
	}
	return 0;
}

static int
wn_parse_line(wn_parse_ctx *ctx, char *line)
{
	char *eq, *key, *val, *end;
	const wn_key *k;
	size_t klen;

	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '\0' || *line == '#')
		return 0;
	if ((eq = strchr(line, '=')) == NULL) {
		WN_BAD(ctx, "expected 'key = value'");
		return 0;
	}
	key = line;
	end = eq;
	while (end > key && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	klen = (size_t)(end - key);
	val = eq + 1;
	while (*val == ' ' || *val == '\t')
		val++;
	end = val + strlen(val);
	while (end > val && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		end--;
	*end = '\0';
	/* A value may be quoted to keep leading or trailing blanks. */
	if (end - val >= 2 && val[0] == '"' && end[-1] == '"') {
		end[-1] = '\0';
		val++;
	}
	if ((k = wn_key_find(key, klen)) == NULL) {
		WN_BAD(ctx, "unknown key '%.*s'", (int)klen, key);
		return 0;
	}
	if (ctx->seen[k - wn_keys] && k->type != WN_KEY_RULES &&
	    k->type != WN_KEY_NETS)
		wn_diag_add(ctx->d, WN_DIAG_WARNING, ctx->file, ctx->line,
		    "%s set again; the last value counts", k->name);
	{
		bool replace = !ctx->seen[k - wn_keys];

		ctx->seen[k - wn_keys] = true;
		return wn_set_value(ctx, k, val, replace);
	}
}

static int
wn_settings_defaults(wn_parse_ctx *ctx)
{
	char buf[256];
	size_t i;
	int rc;

	ctx->file = "(defaults)";
	for (i = 0; i < WN_NKEYS; i++) {
		snprintf(buf, sizeof(buf), "%s", wn_keys[i].def);
		if ((rc = wn_set_value(ctx, &wn_keys[i], buf, true)) != 0)
			return rc;
	}
	return ctx->errors ? WN_EINVAL : 0;
}

int
wn_settings_parse(const char *text, size_t len, const char *name,
    wn_diag_list *diags, wn_settings **out)
{
	wn_parse_ctx ctx;
	wn_settings *s;
	const char *p = text, *end = text + len;
	char line[4096];
	int rc;

	*out = NULL;
	memset(&ctx, 0, sizeof(ctx));
	if ((s = wn_calloc(1, sizeof(*s))) == NULL)
		return WN_ENOMEM;
	if ((s->arena = wn_arena_new(0)) == NULL) {
		wn_free(s);
		return WN_ENOMEM;
	}
	ctx.s = s;
	ctx.d = diags;
	if ((rc = wn_settings_defaults(&ctx)) != 0)
		goto fail;
	s->file = wn_arena_strdup(s->arena, name ? name : "");
	ctx.file = s->file;
	while (text != NULL && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		ctx.line++;
		if (memchr(p, '\0', n) != NULL) {
			WN_BAD(&ctx, "NUL byte in line");
		} else if (n >= sizeof(line)) {
			WN_BAD(&ctx, "line longer than %zu bytes",
			    sizeof(line) - 1);
		} else {
			memcpy(line, p, n);
			line[n] = '\0';
			if ((rc = wn_parse_line(&ctx, line)) != 0)
				goto fail;
		}
		p += n + (nl != NULL);
	}
	if (86400 % (long)s->report_period != 0 ||
	    s->report_period != (long)s->report_period) {
		ctx.line = 0;
		WN_BAD(&ctx, "report_period: %g seconds does not divide a day "
		    "(use 60, 300, 600, 900, 1800, 3600, 7200, ... 86400)",
		    s->report_period);
	}
	if (s->thresholds.mark != s->thresholds.mark) {
		rc = WN_EINVAL;
		goto fail;
	}
	if (ctx.errors > 0) {
		rc = WN_EINVAL;
		goto fail;
	}
	*out = s;
	return 0;
fail:
	wn_settings_free(&s);
	return rc;
}

int
wn_settings_load(const char *path, wn_diag_list *diags, wn_settings **out)
{
	FILE *f;
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	int rc;

	*out = NULL;
	if (path == NULL)
		return wn_settings_parse(NULL, 0, "", diags, out);
	if ((f = fopen(path, "r")) == NULL) {
		wn_diag_add(diags, WN_DIAG_ERROR, path, 0, "cannot open: %s",
		    strerror(errno));
		return errno == ENOENT ? WN_ENOENT : WN_EIO;
	}
	for (;;) {
		if (len + 4096 > cap) {
			char *nt;

			if (cap >= (1u << 20)) {
				wn_diag_add(diags, WN_DIAG_ERROR, path, 0,
				    "larger than 1 MiB");
				free(text);
				fclose(f);
				return WN_EINVAL;
			}
			cap = cap ? cap * 2 : 8192;
			if ((nt = realloc(text, cap)) == NULL) {
				free(text);
				fclose(f);
				return WN_ENOMEM;
			}
			text = nt;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		wn_diag_add(diags, WN_DIAG_ERROR, path, 0, "read error: %s",
		    strerror(errno));
		free(text);
		fclose(f);
		return WN_EIO;
	}
	fclose(f);
	rc = wn_settings_parse(text, len, path, diags, out);
	free(text);
	return rc;
}

void
wn_settings_free(wn_settings **sp)
{
	if (*sp == NULL)
		return;
	wn_arena_free(&(*sp)->arena);
	wn_free(*sp);
	*sp = NULL;
}

/* The value of key k in s, as file text. */
static void
wn_key_format(const wn_settings *s, const wn_key *k, char *buf, size_t len)
{
	const char *field = (const char *)s + k->off;
	size_t i, o = 0;

	buf[0] = '\0';
	switch (k->type) {
	case WN_KEY_STR:
	case WN_KEY_HEADER_NAME:
	case WN_KEY_LOG_LEVEL:
	case WN_KEY_CHOICE:
	case WN_KEY_COUNTRY:
	case WN_KEY_CHANNELS:
		snprintf(buf, len, "%s", *(const char *const *)field);
		break;
	case WN_KEY_BOOL:
		snprintf(buf, len, "%s", *(const bool *)field ? "yes" : "no");
		break;
	case WN_KEY_SCORE:
	case WN_KEY_NUM:
		if (isnan(*(const double *)field))
			snprintf(buf, len, "off");
		else
			snprintf(buf, len, "%g", *(const double *)field);
		break;
	case WN_KEY_SIZE:
		snprintf(buf, len, "%zu", *(const size_t *)field);
		break;
	case WN_KEY_ON_ERROR:
		snprintf(buf, len, "%s", s->on_error == WN_ON_ERROR_TEMPFAIL ?
		    "tempfail" : "accept");
		break;
	case WN_KEY_RULES:
		for (i = 0; i < s->n_rules && o + 1 < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
			    i ? " " : "", s->rules[i]);
		if (s->n_rules == 0)
			snprintf(buf, len, "none");
		break;
	case WN_KEY_NETS:
		for (i = 0; i < s->n_trusted && o + 1 < len; i++) {
			char a[64];

			wn_ipaddr_format(&s->trusted[i].addr, a, sizeof(a));
			o += (size_t)snprintf(buf + o, len - o, "%s%s/%u",
			    i ? " " : "", a, s->trusted[i].prefix);
		}
		if (s->n_trusted == 0)
			snprintf(buf, len, "none");
		break;
	}
}

void
wn_settings_print(const wn_settings *s, FILE *f)
{
	char buf[4096];
	size_t i;

	for (i = 0; i < WN_NKEYS; i++) {
		wn_key_format(s, &wn_keys[i], buf, sizeof(buf));
		fprintf(f, "%s = %s\n", wn_keys[i].name, buf);
	}
}

void
wn_settings_restart_keys(const wn_settings *a, const wn_settings *b,
    char *buf, size_t len)
{
	char va[4096], vb[4096];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < WN_NKEYS; i++) {
		if (!wn_keys[i].restart)
			continue;
		wn_key_format(a, &wn_keys[i], va, sizeof(va));
		wn_key_format(b, &wn_keys[i], vb, sizeof(vb));
		if (strcmp(va, vb) != 0 && o + 1 < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
			    o ? " " : "", wn_keys[i].name);
	}
}
