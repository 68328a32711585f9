/*
 * report.c - a sealed period as a report (docs/report-schema.json), and
 * the signed envelope around it (docs/repository-api.md).
 *
 * What each sharing level carries: minimal only "messages" (volumes by
 * verdict and action); standard adds what each check found (histograms,
 * Bayes, anomalies, SPF, bulk detections) and the breakdowns by rule and
 * by source country; cooperative adds spam networks and the keys of
 * bulk spam texts (docs/arch/bulk-sharing.md). A period counted before
 * bulk detections were (a version 1 file) has no "bulk" at all, which
 * tells a reader "not counted" rather than "none found"; likewise
 * "bulk_fingerprints" for a period that did not keep them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <winnow/action.h>
#include <winnow/err.h>
#include <winnow/json.h>
#include <winnow/mime.h>
#include <winnow/report.h>
#include <winnow/spf.h>

const char *const wn_sharing_names[] = {
	"minimal", "standard", "cooperative", NULL
};

const char *const wn_operator_types[] = {
	"isp", "hosting", "enterprise", "education", "government", "other",
	NULL
};

int
wn_sharing_parse(const char *s)
{
	int i;

	for (i = 0; i < 3; i++)
		if (strcmp(s, wn_sharing_names[i]) == 0)
			return i;
	return -1;
}

const char *
wn_sharing_name(enum wn_sharing s)
{
	return (unsigned)s < 3 ? wn_sharing_names[s] : "minimal";
}

bool
wn_operator_type_valid(const char *s)
{
	size_t i;

	for (i = 0; wn_operator_types[i] != NULL; i++)
		if (strcmp(s, wn_operator_types[i]) == 0)
			return true;
	return false;
}

void
wn_time_format(int64_t t, char buf[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
wn_histogram(wn_json *j, const double *bounds, size_t nb,
    const uint64_t *counts)
{
	size_t i;

	wn_json_obj_begin(j);
	wn_json_key(j, "bounds");
	wn_json_arr_begin(j);
	for (i = 0; i < nb; i++)
		wn_json_double(j, bounds[i], bounds[i] < 1 ? 1 : 0);
	wn_json_arr_end(j);
	wn_json_key(j, "counts");
	wn_json_arr_begin(j);
	for (i = 0; i <= nb; i++)
		wn_json_uint(j, counts[i]);
	wn_json_arr_end(j);
	wn_json_obj_end(j);
}

static bool
wn_token_ok(const char *s, size_t n, size_t max, const char *extra)
{
	size_t i;

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr(extra, s[i]) != NULL))
			return false;
	return true;
}

/* "name version" lines, each checked against the schema's patterns */
static void
wn_rulesets(wn_json *j, const char *lines)
{
	const char *p = lines;
	unsigned n = 0;

	wn_json_arr_begin(j);
	while (*p != '\0' && n < 32) {
		const char *nl = strchr(p, '\n'), *sp;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		sp = memchr(p, ' ', len);
		if (sp != NULL && wn_token_ok(p, (size_t)(sp - p), 64, "._-") &&
		    wn_token_ok(sp + 1, len - (size_t)(sp - p) - 1, 32,
		    ".+~-")) {
			wn_json_obj_begin(j);
			wn_json_key(j, "name");
			wn_json_strn(j, p, (size_t)(sp - p));
			wn_json_key(j, "version");
			wn_json_strn(j, sp + 1, len - (size_t)(sp - p) - 1);
			wn_json_obj_end(j);
			n++;
		}
		p += len + (nl != NULL);
	}
	wn_json_arr_end(j);
}

static void
wn_messages(wn_json *j, const wn_stats_period *p)
{
	size_t i;

	wn_json_obj_begin(j);
	wn_json_key(j, "total");
	wn_json_uint(j, p->scanned + p->skipped + p->failed);
	wn_json_key(j, "scanned");
	wn_json_uint(j, p->scanned);
	wn_json_key(j, "skipped");
	wn_json_uint(j, p->skipped);
	wn_json_key(j, "failed");
	wn_json_uint(j, p->failed);
	wn_json_key(j, "verdict");
	wn_json_obj_begin(j);
	wn_json_key(j, "ham");
	wn_json_uint(j, p->ham);
	wn_json_key(j, "spam");
	wn_json_uint(j, p->spam);
	wn_json_obj_end(j);
	wn_json_key(j, "action");
	wn_json_obj_begin(j);
	for (i = 0; i < 7; i++) {
		wn_json_key(j, wn_action_name((enum wn_action)i));
		wn_json_uint(j, p->action[i]);
	}
	wn_json_obj_end(j);
	wn_json_obj_end(j);
}

static void
wn_scan_time(wn_json *j, const wn_stats_period *p)
{
	wn_json_obj_begin(j);
	wn_json_key(j, "histogram");
	wn_histogram(j, wn_stats_time_bounds_ms, WN_STATS_TIME_BOUNDS,
	    p->scan_time);
	wn_json_key(j, "p50_ms");
	wn_json_double(j, wn_stats_percentile(p->scan_time, 0.5), 3);
	wn_json_key(j, "p90_ms");
	wn_json_double(j, wn_stats_percentile(p->scan_time, 0.9), 3);
	wn_json_key(j, "p99_ms");
	wn_json_double(j, wn_stats_percentile(p->scan_time, 0.99), 3);
	wn_json_obj_end(j);
}

static void
wn_bayes_anomalies_spf(wn_json *j, const wn_stats_period *p)
{
	static const char *const bayes[] = {
		"scored", "abstained", "unavailable"
	};
	size_t i;

	wn_json_key(j, "bayes");
	wn_json_obj_begin(j);
	for (i = 0; i < 3; i++) {
		wn_json_key(j, bayes[i]);
		wn_json_uint(j, p->bayes[i]);
	}
	wn_json_obj_end(j);
	wn_json_key(j, "anomalies");
	wn_json_obj_begin(j);
	for (i = 0; i < WN_STATS_ANOMALIES; i++) {
		const char *name = wn_mime_flag_name(1ull << i);

		if (p->anomalies[i] == 0 || name == NULL)
			continue;
		wn_json_key(j, name);
		wn_json_uint(j, p->anomalies[i]);
	}
	wn_json_obj_end(j);
	wn_json_key(j, "spf");
	wn_json_obj_begin(j);
	for (i = 0; i < WN_SPF_RESULT_COUNT; i++) {
		wn_json_key(j, wn_spf_result_name((enum wn_spf_result)i));
		wn_json_uint(j, p->spf[i]);
	}
	wn_json_key(j, "not_checked");
	wn_json_uint(j, p->spf[WN_STATS_SPF_NOT_CHECKED]);
	wn_json_obj_end(j);
}

static void
wn_bulk_class(wn_json *j, const wn_stats_bulk_counts *b)
{
	const struct {
		const char *name;
		uint64_t v;
	} f[] = {
		{ "checked", b->checked }, { "exempt", b->exempt },
		{ "flagged", b->flagged }, { "low", b->low },
		{ "medium", b->medium }, { "high", b->high },
		{ "senders", b->senders }, { "attachment", b->attachment }
	};
	size_t i;

	wn_json_obj_begin(j);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		wn_json_key(j, f[i].name);
		wn_json_uint(j, f[i].v);
	}
	wn_json_obj_end(j);
}

/*
 * Bulk detections by verdict, like messages.verdict: fixed counters, no
 * open-ended cells, so nothing to merge below min_count.
 */
static void
wn_bulk(wn_json *j, const wn_stats_period *p)
{
	wn_json_obj_begin(j);
	wn_json_key(j, "ham");
	wn_bulk_class(j, &p->bulk_ham);
	wn_json_key(j, "spam");
	wn_bulk_class(j, &p->bulk_spam);
	wn_json_obj_end(j);
}

static void
wn_rules(wn_json *j, const wn_stats_period *p, uint64_t min)
{
	uint64_t ospam = p->rules_other_spam, oham = p->rules_other_ham;
	size_t i;

	wn_json_arr_begin(j);
	for (i = 0; i < p->n_rules; i++) {
		const wn_stats_rule *r = &p->rules[i];

		if (r->spam + r->ham < min || strcmp(r->name, "other") == 0) {
			ospam += r->spam;
			oham += r->ham;
			continue;
		}
		wn_json_obj_begin(j);
		wn_json_key(j, "name");
		wn_json_str(j, r->name);
		wn_json_key(j, "spam");
		wn_json_uint(j, r->spam);
		wn_json_key(j, "ham");
		wn_json_uint(j, r->ham);
		wn_json_obj_end(j);
	}
	if (ospam + oham > 0) {
		wn_json_obj_begin(j);
		wn_json_key(j, "name");
		wn_json_str(j, "other");
		wn_json_key(j, "spam");
		wn_json_uint(j, ospam);
		wn_json_key(j, "ham");
		wn_json_uint(j, oham);
		wn_json_obj_end(j);
	}
	wn_json_arr_end(j);
}

static void
wn_country_cell(wn_json *j, const char *cc, uint64_t msgs, uint64_t spam)
{
	wn_json_obj_begin(j);
	wn_json_key(j, "country");
	wn_json_str(j, cc);
	wn_json_key(j, "messages");
	wn_json_uint(j, msgs);
	wn_json_key(j, "spam");
	wn_json_uint(j, spam);
	wn_json_obj_end(j);
}

static void
wn_countries(wn_json *j, const wn_stats_period *p, uint64_t min)
{
	uint64_t om = 0, os = 0, um = 0, us = 0;
	size_t i;

	wn_json_arr_begin(j);
	for (i = 0; i < p->n_countries; i++) {
		const wn_stats_country *c = &p->countries[i];

		if (c->country[0] == '\0') {
			um += c->messages;
			us += c->spam;
		} else if (c->messages < min) {
			om += c->messages;
			os += c->spam;
		} else {
			wn_country_cell(j, c->country, c->messages, c->spam);
		}
	}
	if (om > 0)
		wn_country_cell(j, "other", om, os);
	if (um > 0)
		wn_country_cell(j, "unknown", um, us);
	wn_json_arr_end(j);
}

static void
wn_prefixes(wn_json *j, const wn_stats_period *p, uint64_t min)
{
	uint64_t other = p->prefixes_other;
	size_t i;

	wn_json_arr_begin(j);
	for (i = 0; i < p->n_prefixes; i++) {
		const wn_stats_prefix *x = &p->prefixes[i];
		char a[64], cell[80];

		if (x->spam < min) {
			other += x->spam;
			continue;
		}
		wn_ipaddr_format(&x->net, a, sizeof(a));
		snprintf(cell, sizeof(cell), "%s/%u", a,
		    x->net.family == 4 ? 24 : 48);
		wn_json_obj_begin(j);
		wn_json_key(j, "prefix");
		wn_json_str(j, cell);
		wn_json_key(j, "spam");
		wn_json_uint(j, x->spam);
		wn_json_obj_end(j);
	}
	if (other > 0) {
		wn_json_obj_begin(j);
		wn_json_key(j, "prefix");
		wn_json_str(j, "other");
		wn_json_key(j, "spam");
		wn_json_uint(j, other);
		wn_json_obj_end(j);
	}
	wn_json_arr_end(j);
}

static void
wn_key_hex(wn_json *j, uint64_t v)
{
	char hex[17];

	snprintf(hex, sizeof(hex), "%016" PRIx64, v);
	wn_json_str(j, hex);
}

/*
 * Bulk fingerprints: keys only (16 lowercase hex digits each), no count,
 * time or recipient per text; in the period's order, by digest key.
 * Present whenever the period kept them, with an empty list when it kept
 * none, so that "none" reads apart from "not counted". No merging below
 * min_count: each text already reached bulk_low_recipients.
 */
static void
wn_bulk_fingerprints(wn_json *j, const wn_stats_period *p)
{
	size_t i, k;

	wn_json_obj_begin(j);
	wn_json_key(j, "fingerprint_version");
	wn_json_uint(j, p->fingerprint_version);
	wn_json_key(j, "items");
	wn_json_arr_begin(j);
	for (i = 0; i < p->n_fingerprints; i++) {
		const wn_stats_fingerprint *x = &p->fingerprints[i];

		wn_json_obj_begin(j);
		wn_json_key(j, "d");
		wn_key_hex(j, x->d);
		wn_json_key(j, "b");
		wn_json_arr_begin(j);
		for (k = 0; k < WN_FINGERPRINT_BANDS; k++)
			wn_key_hex(j, x->b[k]);
		wn_json_arr_end(j);
		wn_json_obj_end(j);
	}
	wn_json_arr_end(j);
	wn_json_key(j, "dropped");
	wn_json_uint(j, p->fingerprints_dropped);
	wn_json_obj_end(j);
}

int
wn_report_build(const wn_stats_period *p, const wn_report_opts *o,
    wn_buf *out)
{
	wn_json j;
	char t[21];
	uint64_t min = o->min_count ? o->min_count : 1;
	uint64_t pmin = o->prefix_min_count > min ? o->prefix_min_count : min;

	wn_json_init(&j, out, 0);
	wn_json_obj_begin(&j);
	wn_json_key(&j, "format");
	wn_json_str(&j, "winnow-report-1");
	wn_json_key(&j, "report_id");
	wn_json_str(&j, p->report_id);
	wn_json_key(&j, "reporter");
	wn_json_obj_begin(&j);
	wn_json_key(&j, "key_id");
	wn_json_str(&j, o->key_id);
	wn_json_key(&j, "country");
	wn_json_str(&j, o->country[0] ? o->country : "ZZ");
	wn_json_key(&j, "operator_type");
	wn_json_str(&j, o->operator_type);
	wn_json_obj_end(&j);
	wn_json_key(&j, "software");
	wn_json_obj_begin(&j);
	wn_json_key(&j, "name");
	wn_json_str(&j, "winnow");
	wn_json_key(&j, "version");
	wn_json_str(&j, WN_VERSION);
	wn_json_obj_end(&j);
	wn_json_key(&j, "rulesets");
	wn_rulesets(&j, p->rulesets);
	wn_json_key(&j, "period");
	wn_json_obj_begin(&j);
	wn_json_key(&j, "start");
	wn_time_format(p->start, t);
	wn_json_str(&j, t);
	wn_json_key(&j, "end");
	wn_time_format(p->end, t);
	wn_json_str(&j, t);
	wn_json_key(&j, "length");
	wn_json_uint(&j, p->period);
	wn_json_obj_end(&j);
	wn_json_key(&j, "sharing");
	wn_json_str(&j, wn_sharing_name(o->sharing));
	wn_json_key(&j, "min_count");
	wn_json_uint(&j, min);
	wn_json_key(&j, "messages");
	wn_messages(&j, p);
	if (o->sharing >= WN_SHARING_STANDARD) {
		wn_json_key(&j, "score_histogram");
		wn_histogram(&j, wn_stats_score_bounds, WN_STATS_SCORE_BOUNDS,
		    p->score);
		wn_json_key(&j, "scan_time");
		wn_scan_time(&j, p);
		wn_bayes_anomalies_spf(&j, p);
		if (p->bulk_counted) {
			wn_json_key(&j, "bulk");
			wn_bulk(&j, p);
		}
		wn_json_key(&j, "rules");
		wn_rules(&j, p, min);
		wn_json_key(&j, "countries");
		wn_countries(&j, p, min);
	}
	if (o->sharing == WN_SHARING_COOPERATIVE && p->prefixes_counted) {
		wn_json_key(&j, "prefixes");
		wn_prefixes(&j, p, pmin);
	}
	if (o->sharing == WN_SHARING_COOPERATIVE && p->fingerprints_counted) {
		wn_json_key(&j, "bulk_fingerprints");
		wn_bulk_fingerprints(&j, p);
	}
	wn_json_obj_end(&j);
	return out->failed ? WN_ENOMEM : 0;
}

int
wn_report_envelope(const char *report, size_t len, const wn_seckey *k,
    time_t now, wn_buf *out)
{
	static const char format[] = "winnow-signed-report-1";
	char t[21], nonce[33], sig[WN_SIGN_SIG_B64_LEN + 1];
	wn_buf msg;
	wn_json j;

	wn_time_format(now, t);
	wn_sign_random_hex(nonce, 16);
	wn_buf_init(&msg);
	wn_buf_printf(&msg, "%s\n%s\n%s\n%s\n", format, k->pub.id, t, nonce);
	wn_buf_append(&msg, report, len);
	if (msg.failed) {
		wn_buf_fini(&msg);
		return WN_ENOMEM;
	}
	wn_sign_detached(k, msg.data, msg.len, sig);
	wn_buf_fini(&msg);
	wn_json_init(&j, out, 0);
	wn_json_obj_begin(&j);
	wn_json_key(&j, "format");
	wn_json_str(&j, format);
	wn_json_key(&j, "key_id");
	wn_json_str(&j, k->pub.id);
	wn_json_key(&j, "signed_at");
	wn_json_str(&j, t);
	wn_json_key(&j, "nonce");
	wn_json_str(&j, nonce);
	wn_json_key(&j, "report");
	wn_json_strn(&j, report, len);
	wn_json_key(&j, "signature");
	wn_json_str(&j, sig);
	wn_json_obj_end(&j);
	return out->failed ? WN_ENOMEM : 0;
}
