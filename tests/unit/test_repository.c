/*
 * test_repository.c - winnow-repository without HTTP: the report
 * validator (each rule of docs/report-schema.json broken once, with the
 * error naming it), the envelope and the intake's statuses, aggregates
 * and the CSV export over SQLite in a temporary folder, dates and weeks,
 * the query parameters, and bulk detections from winnowd's counters to
 * the exports.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <winnow/arena.h>
#include <winnow/buf.h>
#include <winnow/err.h>
#include <winnow/json.h>
#include <winnow/log.h>
#include <winnow/report.h>
#include <winnow/sign.h>
#include <winnow/stats.h>

#include "api.h"
#include "day.h"
#include "db.h"
#include "intake.h"
#include "query.h"
#include "report_in.h"
#include "rollup.h"

#define KEY_ID "0123456789abcdef"

/* a valid report with every section; the tests change one thing */
static const char valid_report[] =
    "{\"format\":\"winnow-report-1\","
    "\"report_id\":\"00000000000000000000000000000001\","
    "\"reporter\":{\"key_id\":\"" KEY_ID "\",\"country\":\"DE\","
    "\"operator_type\":\"isp\"},"
    "\"software\":{\"name\":\"winnow\",\"version\":\"0.1.0\"},"
    "\"rulesets\":[{\"name\":\"core\",\"version\":\"1.0\"}],"
    "\"period\":{\"start\":\"2026-11-02T10:00:00Z\","
    "\"end\":\"2026-11-02T11:00:00Z\",\"length\":3600},"
    "\"sharing\":\"cooperative\",\"min_count\":5,"
    "\"messages\":{\"total\":100,\"scanned\":90,\"skipped\":8,\"failed\":2,"
    "\"verdict\":{\"ham\":60,\"spam\":30},"
    "\"action\":{\"accept\":55,\"mark\":5,\"subject\":0,\"tempfail\":0,"
    "\"quarantine\":10,\"discard\":0,\"reject\":20}},"
    "\"score_histogram\":{\"bounds\":[0,5,10],\"counts\":[50,10,20,10]},"
    "\"scan_time\":{\"histogram\":{\"bounds\":[1,10],\"counts\":[40,45,5]},"
    "\"p50_ms\":1.5,\"p90_ms\":8,\"p99_ms\":12.25},"
    "\"bayes\":{\"scored\":80,\"abstained\":5,\"unavailable\":5},"
    "\"anomalies\":{\"MIME_BAD_NESTING\":1},"
    "\"spf\":{\"none\":10,\"neutral\":0,\"pass\":50,\"fail\":5,"
    "\"softfail\":5,\"temperror\":0,\"permerror\":0,\"not_checked\":20},"
    "\"bulk\":{\"ham\":{\"checked\":50,\"exempt\":2,\"flagged\":4,"
    "\"low\":3,\"medium\":0,\"high\":0,\"senders\":1,\"attachment\":1},"
    "\"spam\":{\"checked\":25,\"exempt\":0,\"flagged\":12,\"low\":4,"
    "\"medium\":3,\"high\":2,\"senders\":5,\"attachment\":2}},"
    "\"rules\":[{\"name\":\"BAYES_99\",\"spam\":25,\"ham\":0},"
    "{\"name\":\"other\",\"spam\":3,\"ham\":2}],"
    "\"countries\":[{\"country\":\"US\",\"messages\":40,\"spam\":20},"
    "{\"country\":\"unknown\",\"messages\":50,\"spam\":10}],"
    "\"prefixes\":[{\"prefix\":\"192.0.2.0/24\",\"spam\":7},"
    "{\"prefix\":\"2001:db8:1::/48\",\"spam\":6},"
    "{\"prefix\":\"other\",\"spam\":1}]}";

/* s with the first from replaced by to, from the arena */
static char *
replace(wn_arena *a, const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	size_t n = strlen(s) - strlen(from) + strlen(to);
	char *out;

	cr_assert_not_null(p, "no '%s' in the report", from);
	out = wn_arena_alloc(a, n + 1);
	memcpy(out, s, (size_t)(p - s));
	strcpy(out + (p - s), to);
	strcat(out, p + strlen(from));
	return out;
}

Test(report, valid_report_parses_with_every_section)
{
	wn_arena *a = wn_arena_new(0);
	char err[WN_REPORT_ERR_LEN];
	wn_report r;
	int rc = wn_report_parse(valid_report, strlen(valid_report), a, &r,
	    err);

	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_str_eq(r.report_id, "00000000000000000000000000000001");
	cr_assert_str_eq(r.key_id, KEY_ID);
	cr_assert_str_eq(r.operator_type, "isp");
	cr_assert_eq(r.end - r.start, 3600);
	cr_assert_eq(r.total, 100);
	cr_assert_eq(r.spam, 30);
	cr_assert_eq(r.action[6], 20);
	cr_assert_eq(r.spf[2], 50);
	cr_assert_eq(r.n_rules, 2);
	cr_assert_str_eq(r.rules[0].name, "BAYES_99");
	cr_assert_eq(r.n_countries, 2);
	cr_assert_str_eq(r.countries[1].country, "unknown");
	cr_assert_eq(r.n_prefixes, 3);
	cr_assert_eq(r.sections, 0x1ff);
	cr_assert_eq(r.bulk_ham[WN_AGG_BULK_CHECKED], 50);
	cr_assert_eq(r.bulk_ham[WN_AGG_BULK_EXEMPT], 2);
	cr_assert_eq(r.bulk_spam[WN_AGG_BULK_FLAGGED], 12);
	cr_assert_eq(r.bulk_spam[5], 2, "high");
	cr_assert_eq(r.bulk_spam[7], 2, "attachment");
	wn_arena_free(&a);
}

/* the section as valid_report has it, to take out or change */
#define BULK_SECTION "\"bulk\":{\"ham\":{\"checked\":50,\"exempt\":2," \
    "\"flagged\":4,\"low\":3,\"medium\":0,\"high\":0,\"senders\":1," \
    "\"attachment\":1},\"spam\":{\"checked\":25,\"exempt\":0," \
    "\"flagged\":12,\"low\":4,\"medium\":3,\"high\":2,\"senders\":5," \
    "\"attachment\":2}},"

/* what winnow sent before it counted bulk detections stays valid, and
 * adds no bulk rollups */
Test(report, a_report_without_bulk_is_valid)
{
	wn_arena *a = wn_arena_new(0);
	char err[WN_REPORT_ERR_LEN];
	char *t = replace(a, valid_report, BULK_SECTION, "");
	wn_rollup_row *rows;
	wn_report r;
	size_t n, i;

	cr_assert_eq(wn_report_parse(t, strlen(t), a, &r, err), 0, "%s", err);
	cr_assert_eq(r.sections, 0xff);
	cr_assert_eq(r.bulk_spam[WN_AGG_BULK_CHECKED], 0);
	cr_assert_eq(wn_rollup_build(&r, a, &rows, &n), 0);
	for (i = 0; i < n; i++)
		cr_assert_neq(strncmp(rows[i].metric, "bulk_", 5), 0, "%s/%s",
		    rows[i].metric, rows[i].key);
	/* and the full one has them, zeros left out */
	cr_assert_eq(wn_report_parse(valid_report, strlen(valid_report), a,
	    &r, err), 0, "%s", err);
	cr_assert_eq(wn_rollup_build(&r, a, &rows, &n), 0);
	for (i = 0; i < n; i++)
		if (strcmp(rows[i].metric, WN_M_BULK_HAM) == 0 &&
		    strcmp(rows[i].key, "medium") == 0)
			cr_assert_fail("a zero bulk row");
	for (i = 0; i < n; i++)
		if (strcmp(rows[i].metric, WN_M_BULK_SPAM) == 0 &&
		    strcmp(rows[i].key, "flagged") == 0)
			break;
	cr_assert_lt(i, n, "no bulk_spam/flagged row");
	cr_assert_eq(rows[i].value, 12);
	wn_arena_free(&a);
}

Test(report, minimal_report_and_integral_reals_are_valid)
{
	static const char minimal[] =
	    "{\"format\":\"winnow-report-1\","
	    "\"report_id\":\"00000000000000000000000000000002\","
	    "\"reporter\":{\"key_id\":\"" KEY_ID "\",\"country\":\"ZZ\","
	    "\"operator_type\":\"other\"},"
	    "\"software\":{\"name\":\"winnow\",\"version\":\"1.2.3-rc1+g~x\"},"
	    "\"rulesets\":[],"
	    "\"period\":{\"start\":\"2026-11-02T10:00:00Z\","
	    "\"end\":\"2026-11-02T10:00:00Z\",\"length\":604800},"
	    "\"sharing\":\"minimal\",\"min_count\":1.0,"
	    "\"messages\":{\"total\":9007199254740991,\"scanned\":0,"
	    "\"skipped\":0,\"failed\":0,\"verdict\":{\"ham\":0,\"spam\":0},"
	    "\"action\":{\"accept\":0,\"mark\":0,\"subject\":0,\"tempfail\":0,"
	    "\"quarantine\":0,\"discard\":0,\"reject\":2e0}}}";
	wn_arena *a = wn_arena_new(0);
	char err[WN_REPORT_ERR_LEN];
	wn_report r;

	cr_assert_eq(wn_report_parse(minimal, strlen(minimal), a, &r, err), 0,
	    "%s", err);
	cr_assert_eq(r.total, 9007199254740991ULL);
	cr_assert_eq(r.action[6], 2);
	cr_assert_eq(r.sections, 0);
	wn_arena_free(&a);
}

/* one broken rule: replace from by to; the error must contain want */
struct violation {
	char from[112];
	char to[112];
	char want[80];
};

static struct violation violations[] = {
	/* root */
	{ "{\"format\"", "[{\"format\"", "not JSON" },
	{ "\"format\":\"winnow-report-1\"", "\"format\":\"winnow-report-2\"",
	  "format: expected \"winnow-report-1\"" },
	{ "\"min_count\":5,", "\"min_count\":5,\"extra\":1,",
	  "report: unknown property \"extra\"" },
	{ "\"sharing\":\"cooperative\",", "",
	  "required property \"sharing\" is missing" },
	{ "\"sharing\":\"cooperative\"", "\"sharing\":\"all\"",
	  "sharing: expected one of" },
	{ "\"min_count\":5", "\"min_count\":0",
	  "min_count: expected an integer" },
	{ "\"min_count\":5", "\"min_count\":5.5",
	  "min_count: expected an integer" },
	{ "\"min_count\":5", "\"min_count\":\"5\"", "min_count" },
	{ "\"report_id\":\"00000000000000000000000000000001\"",
	  "\"report_id\":\"0000000000000000000000000000000G\"",
	  "report_id: expected a string matching ^[0-9a-f]{32}$" },
	{ "\"report_id\":\"00000000000000000000000000000001\"",
	  "\"report_id\":\"000000000000000000000000000000001\"",
	  "report_id: expected a string matching" },
	/* reporter */
	{ "\"key_id\":\"" KEY_ID "\"", "\"key_id\":\"0123456789ABCDEF\"",
	  "reporter.key_id: expected a string matching ^[0-9a-f]{16}$" },
	{ "\"country\":\"DE\"", "\"country\":\"de\"",
	  "reporter.country: expected a string matching ^([A-Z]{2}|ZZ)$" },
	{ "\"operator_type\":\"isp\"", "\"operator_type\":\"telco\"",
	  "reporter.operator_type: expected one of \"isp\"" },
	{ "\"operator_type\":\"isp\"}", "\"operator_type\":\"isp\",\"x\":1}",
	  "reporter: unknown property \"x\"" },
	{ "\"reporter\":{\"key_id\":\"" KEY_ID "\",\"country\":\"DE\","
	  "\"operator_type\":\"isp\"}", "\"reporter\":[]",
	  "reporter: expected an object, got an array" },
	/* software, rulesets */
	{ "\"name\":\"winnow\"", "\"name\":\"spamassassin\"",
	  "software.name: expected \"winnow\"" },
	{ "\"version\":\"0.1.0\"", "\"version\":\"0.1 beta\"",
	  "software.version: expected a string matching" },
	{ "\"version\":\"0.1.0\"", "\"version\":\"\"", "software.version" },
	{ "[{\"name\":\"core\"", "[{\"name\":\"co/re\"",
	  "rulesets[0].name: expected a string matching" },
	{ "\"rulesets\":[{\"name\":\"core\",\"version\":\"1.0\"}]",
	  "\"rulesets\":{}", "rulesets: expected an array" },
	/* period */
	{ "\"start\":\"2026-11-02T10:00:00Z\"",
	  "\"start\":\"2026-11-02 10:00:00Z\"", "period.start: expected" },
	{ "\"start\":\"2026-11-02T10:00:00Z\"",
	  "\"start\":\"2026-02-30T10:00:00Z\"", "period.start: expected" },
	{ "\"end\":\"2026-11-02T11:00:00Z\"", "\"end\":\"2026-11-02T11:00:00\"",
	  "period.end: expected" },
	{ "\"end\":\"2026-11-02T11:00:00Z\"",
	  "\"end\":\"2026-11-02T09:59:59Z\"",
	  "period.end: the period ends before it starts" },
	{ "\"length\":3600", "\"length\":59", "period.length: expected an "
	  "integer from 60 to 604800" },
	{ "\"length\":3600", "\"length\":604801", "period.length" },
	{ ",\"length\":3600}", "}",
	  "period: required property \"length\" is missing" },
	/* messages */
	{ "\"total\":100", "\"total\":-1",
	  "messages.total: expected an integer from 0 to 9007199254740991" },
	{ "\"total\":100", "\"total\":9007199254740992", "messages.total" },
	{ "\"total\":100", "\"total\":true", "messages.total" },
	{ "\"scanned\":90,", "", "messages: required property \"scanned\"" },
	{ "\"ham\":60", "\"ham\":null", "messages.verdict.ham" },
	{ "\"reject\":20}", "\"reject\":20,\"drop\":1}",
	  "messages.action: unknown property \"drop\"" },
	{ "\"discard\":0,", "", "messages.action: required property "
	  "\"discard\"" },
	/* histograms */
	{ "\"counts\":[50,10,20,10]", "\"counts\":[50,10,20]",
	  "score_histogram.counts: expected one more count than bounds" },
	{ "\"bounds\":[0,5,10]", "\"bounds\":[]",
	  "score_histogram.bounds: expected at least 1" },
	{ "\"bounds\":[0,5,10]", "\"bounds\":[0,\"5\",10]",
	  "score_histogram.bounds[1]: expected a number" },
	{ "\"counts\":[50,10,20,10]", "\"counts\":[50,10,2.5,10]",
	  "score_histogram.counts[2]: expected an integer" },
	{ "\"p50_ms\":1.5", "\"p50_ms\":-1", "scan_time.p50_ms: expected a "
	  "number of at least 0" },
	{ "\"counts\":[40,45,5]", "\"counts\":[40,45]",
	  "scan_time.histogram.counts" },
	/* bayes, anomalies, spf */
	{ "\"abstained\":5", "\"abstained\":-5", "bayes.abstained" },
	{ "\"MIME_BAD_NESTING\"", "\"mime_bad\"",
	  "anomalies: property names must match ^MIME_[A-Z0-9_]{1,40}$" },
	{ "\"MIME_BAD_NESTING\":1", "\"MIME_BAD_NESTING\":\"1\"",
	  "anomalies.MIME_BAD_NESTING: expected an integer" },
	{ "\"not_checked\":20", "\"not_run\":20",
	  "spf: unknown property \"not_run\"" },
	/* bulk */
	{ "\"bulk\":{\"ham\":{", "\"bulk\":{\"x\":{},\"ham\":{",
	  "bulk: unknown property \"x\"" },
	{ "\"bulk\":{\"ham\":{\"checked\":50,\"exempt\":2,\"flagged\":4,"
	  "\"low\":3,\"medium\":0,\"high\":0,\"senders\":1,"
	  "\"attachment\":1},", "\"bulk\":{\"ham\":[],",
	  "bulk.ham: expected an object, got an array" },
	{ "\"bulk\":{\"ham\":{\"checked\":50,", "\"bulk\":{\"ham\":{",
	  "bulk.ham: required property \"checked\" is missing" },
	{ "\"checked\":25,\"exempt\":0,", "\"checked\":25,\"exempt\":-1,",
	  "bulk.spam.exempt: expected an integer from 0" },
	{ "\"senders\":5,", "\"senders\":5,\"lists\":1,",
	  "bulk.spam: unknown property \"lists\"" },
	{ "\"checked\":25,", "\"checked\":11,",
	  "bulk.spam: flagged (12) exceeds checked (11)" },
	{ "\"checked\":50,\"exempt\":2,", "\"checked\":4,\"exempt\":2,",
	  "bulk.ham: exempt + low + medium + high (5) exceeds checked (4)" },
	{ "\"attachment\":2}}", "\"attachment\":2.5}}",
	  "bulk.spam.attachment: expected an integer" },
	/* rules, countries, prefixes */
	{ "{\"name\":\"BAYES_99\"", "{\"name\":\"BAYES 99\"",
	  "rules[0].name: expected a string matching ^[A-Za-z0-9_.:-]{1,64}$" },
	{ "\"spam\":3,\"ham\":2}", "\"spam\":3}",
	  "rules[1]: required property \"ham\" is missing" },
	{ "{\"country\":\"US\"", "{\"country\":\"usa\"",
	  "countries[0].country: expected a string matching" },
	{ "\"messages\":40,\"spam\":20", "\"messages\":40,\"spam\":-20",
	  "countries[0].spam" },
	{ "\"prefix\":\"192.0.2.0/24\"", "\"prefix\":\"192.0.2.1/24\"",
	  "prefixes[0].prefix: expected" },
	{ "\"prefix\":\"2001:db8:1::/48\"", "\"prefix\":\"2001:DB8:1::/48\"",
	  "prefixes[1].prefix" },
	{ "\"prefix\":\"192.0.2.0/24\"", "\"prefix\":\"1920.0.2.0/24\"",
	  "prefixes[0].prefix" },
	/* duplicate members are ambiguous: not JSON we accept */
	{ "\"min_count\":5", "\"min_count\":5,\"min_count\":6", "not JSON" },
};

ParameterizedTestParameters(report, each_violation_is_named)
{
	return cr_make_param_array(struct violation, violations,
	    sizeof(violations) / sizeof(violations[0]));
}

ParameterizedTest(struct violation *v, report, each_violation_is_named)
{
	wn_arena *a = wn_arena_new(0);
	char err[WN_REPORT_ERR_LEN];
	char *text = replace(a, valid_report, v->from, v->to);
	wn_report r;
	int rc = wn_report_parse(text, strlen(text), a, &r, err);

	cr_assert_eq(rc, WN_EINVAL, "accepted with %s -> %s", v->from, v->to);
	cr_assert_not_null(strstr(err, v->want), "got \"%s\", want \"%s\"",
	    err, v->want);
	wn_arena_free(&a);
}

Test(report, array_limits)
{
	wn_arena *a = wn_arena_new(0);
	char err[WN_REPORT_ERR_LEN];
	wn_buf b;
	wn_report r;
	int i;

	/* 33 rule sets, one over maxItems */
	wn_buf_init(&b);
	wn_buf_puts(&b, "\"rulesets\":[");
	for (i = 0; i < 33; i++)
		wn_buf_printf(&b, "%s{\"name\":\"r%d\",\"version\":\"1\"}",
		    i ? "," : "", i);
	wn_buf_puts(&b, "]");
	{
		char *t = replace(a, valid_report,
		    "\"rulesets\":[{\"name\":\"core\",\"version\":\"1.0\"}]",
		    b.data);

		cr_assert_eq(wn_report_parse(t, strlen(t), a, &r, err),
		    WN_EINVAL);
		cr_assert_not_null(strstr(err, "rulesets: expected at most 32 "
		    "elements, got 33"), "%s", err);
	}
	/* 65 anomalies, one over maxProperties */
	wn_buf_reset(&b);
	wn_buf_puts(&b, "\"anomalies\":{");
	for (i = 0; i < 65; i++)
		wn_buf_printf(&b, "%s\"MIME_X%d\":1", i ? "," : "", i);
	wn_buf_puts(&b, "}");
	{
		char *t = replace(a, valid_report,
		    "\"anomalies\":{\"MIME_BAD_NESTING\":1}", b.data);

		cr_assert_eq(wn_report_parse(t, strlen(t), a, &r, err),
		    WN_EINVAL);
		cr_assert_not_null(strstr(err, "anomalies: expected at most "
		    "64 properties"), "%s", err);
	}
	wn_buf_fini(&b);
	wn_arena_free(&a);
}

Test(report, rollup_rows_are_sorted_merged_and_skip_zeros)
{
	wn_arena *a = wn_arena_new(0);
	char err[WN_REPORT_ERR_LEN];
	char *t = replace(a, valid_report, "{\"name\":\"other\"",
	    "{\"name\":\"BAYES_99\"");
	wn_rollup_row *rows;
	wn_report r;
	size_t n, i;
	uint64_t spam = 0;

	cr_assert_eq(wn_report_parse(t, strlen(t), a, &r, err), 0, "%s", err);
	cr_assert_eq(wn_rollup_build(&r, a, &rows, &n), 0);
	for (i = 0; i < n; i++) {
		cr_assert_neq(rows[i].value, 0, "%s/%s is 0", rows[i].metric,
		    rows[i].key);
		if (i > 0) {
			int c = strcmp(rows[i - 1].metric, rows[i].metric);

			cr_assert(c < 0 || (c == 0 && strcmp(rows[i - 1].key,
			    rows[i].key) < 0), "not sorted at %zu", i);
		}
		if (strcmp(rows[i].metric, WN_M_RULE_SPAM) == 0)
			spam += rows[i].value;
	}
	cr_assert_eq(spam, 28, "BAYES_99 twice sums to 28, got %lu",
	    (unsigned long)spam);
	wn_arena_free(&a);
}

/* --- dates ----------------------------------------------------------- */

Test(day, civil_round_trip_and_weeks)
{
	int64_t d;
	char buf[12];
	int y, m, dd;

	cr_assert_eq(wn_day_from_ymd(1970, 1, 1), 0);
	cr_assert_eq(wn_day_from_ymd(2000, 3, 1), 11017);
	for (d = -800000; d < 3000000; d += 997) {
		wn_day_to_ymd(d, &y, &m, &dd);
		cr_assert_eq(wn_day_from_ymd(y, m, dd), d);
	}
	cr_assert_eq(wn_day_parse("2024-02-29", 10, &d), 0);
	cr_assert_eq(wn_day_parse("2026-02-29", 10, &d), WN_EINVAL);
	cr_assert_eq(wn_day_parse("2026-1-01", 9, &d), WN_EINVAL);
	/* 2026-11-02 is a Monday */
	wn_day_parse("2026-11-02", 10, &d);
	cr_assert_eq(wn_day_weekday(d), 0);
	wn_day_bucket_label(wn_day_bucket_start(d + 6, 1), 1, buf, sizeof(buf));
	cr_assert_str_eq(buf, "2026-W45");
	/* 1 January 2027 is a Friday: still in 2026's week 53 */
	wn_day_parse("2027-01-01", 10, &d);
	wn_day_bucket_label(wn_day_bucket_start(d, 1), 1, buf, sizeof(buf));
	cr_assert_str_eq(buf, "2026-W53");
	/* 29 December 2025 is a Monday of 2026's week 1 */
	wn_day_parse("2025-12-31", 10, &d);
	wn_day_bucket_label(wn_day_bucket_start(d, 1), 1, buf, sizeof(buf));
	cr_assert_str_eq(buf, "2026-W01");
	wn_day_parse("2026-12-31", 10, &d);
	cr_assert_eq(wn_day_bucket_next(wn_day_bucket_start(d, 2), 2),
	    d + 1);
	wn_day_bucket_label(wn_day_bucket_start(d, 2), 2, buf, sizeof(buf));
	cr_assert_str_eq(buf, "2026-12");
}

Test(day, times)
{
	int64_t t;
	char buf[21];

	cr_assert_eq(wn_day_time_parse("2026-11-23T11:00:05Z", 20, &t), 0);
	wn_day_time_format(t, buf, sizeof(buf));
	cr_assert_str_eq(buf, "2026-11-23T11:00:05Z");
	cr_assert_eq(wn_day_time_parse("2026-11-23T24:00:00Z", 20, &t),
	    WN_EINVAL);
	cr_assert_eq(wn_day_time_parse("2026-11-23T11:00:05+00", 22, &t),
	    WN_EINVAL);
	cr_assert_eq(wn_day_of_time(-1), -1);
}

/* --- query parameters ------------------------------------------------ */

static const char *
args_get(void *arg, const char *name)
{
	const char *const *kv = arg;

	for (; kv[0] != NULL; kv += 2)
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	return NULL;
}

Test(query, defaults_and_values)
{
	const char *none[] = { NULL };
	const char *all[] = { "from", "2026-11-01", "to", "2026-11-30",
	    "country", "de", "operator_type", "hosting", "group", "week",
	    "limit", "7", "unknown", "x", NULL };
	const char *empty[] = { "from", "", "country", "", NULL };
	wn_agg_query q;
	char err[128];

	cr_assert_eq(wn_query_parse(args_get, none, 20000, &q, err,
	    sizeof(err)), 0);
	cr_assert_eq(q.to_day, 20000);
	cr_assert_eq(q.from_day, 20000 - 29);
	cr_assert_eq(q.rule_limit, 50);
	cr_assert_eq(q.group, WN_AGG_DAY);
	cr_assert_eq(wn_query_parse(args_get, all, 20000, &q, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(q.country, "DE");
	cr_assert_str_eq(q.operator_type, "hosting");
	cr_assert_eq(q.group, WN_AGG_WEEK);
	cr_assert_eq(q.rule_limit, 7);
	cr_assert_eq(q.to_day - q.from_day, 29);
	cr_assert_eq(wn_query_parse(args_get, empty, 20000, &q, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_eq(q.country[0], '\0');
}

struct bad_param {
	char name[16], value[16], want[32];
};

static struct bad_param bad_params[] = {
	{ "from", "2026-11-31", "parameter from" },
	{ "to", "tomorrow", "parameter to" },
	{ "country", "D1", "parameter country" },
	{ "operator_type", "ISP", "parameter operator_type" },
	{ "group", "quarter", "parameter group" },
	{ "limit", "1001", "parameter limit" },
	{ "limit", " 5", "parameter limit" },
	{ "from", "1990-01-01", "parameter to: at most" },
};

ParameterizedTestParameters(query, bad_parameter_is_named)
{
	return cr_make_param_array(struct bad_param, bad_params,
	    sizeof(bad_params) / sizeof(bad_params[0]));
}

ParameterizedTest(struct bad_param *b, query, bad_parameter_is_named)
{
	const char *kv[] = { b->name, b->value, NULL };
	wn_agg_query q;
	char err[128];

	cr_assert_eq(wn_query_parse(args_get, (void *)kv, 20700, &q, err,
	    sizeof(err)), WN_EINVAL);
	cr_assert_not_null(strstr(err, b->want), "got \"%s\"", err);
}

/* --- envelopes and the intake over SQLite ----------------------------- */

typedef struct fixture {
	char dir[64];
	char url[128];
	wn_repo_db *db;
	wn_seckey key, other;
	wn_intake in;
	int64_t now;
} fixture;

static fixture fx;

static void
fx_setup(void)
{
	wn_reporter r;

	wn_log_set_level(WN_LOG_ERR);
	strcpy(fx.dir, "/tmp/wn-test-repo-XXXXXX");
	cr_assert_not_null(mkdtemp(fx.dir));
	snprintf(fx.url, sizeof(fx.url), "sqlite:%s/repo.sqlite", fx.dir);
	cr_assert_eq(wn_repo_db_open(fx.url, 2, &fx.db), 0);
	cr_assert_eq(wn_seckey_generate(&fx.key), 0);
	cr_assert_eq(wn_seckey_generate(&fx.other), 0);
	memset(&r, 0, sizeof(r));
	r.key = fx.key.pub;
	strcpy(r.name, "test operator");
	strcpy(r.country, "DE");
	r.added = 1;
	cr_assert_eq(wn_repo_db_reporter_add(fx.db, &r), 0);
	cr_assert_eq(wn_repo_db_reporter_add(fx.db, &r), WN_EINVAL);
	wn_day_time_parse("2026-11-02T12:00:00Z", 20, &fx.now);
	wn_intake_init(&fx.in, fx.db, 900);
}

static void
fx_teardown(void)
{
	char cmd[128];

	wn_repo_db_close(&fx.db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx.dir);
	cr_assert_eq(system(cmd), 0);
}

/*
 * A report text: the valid one with this key's id, report id n, its
 * period on day (YYYY-MM-DD) and its counts times scale (total, spam,
 * reject and BAYES_99 only change)
 */
static char *
mk_report(wn_arena *a, const wn_seckey *k, int n, const char *day,
    int scale)
{
	char id[64], buf[64];
	char *t;

	snprintf(id, sizeof(id), "\"report_id\":\"%032x\"", n);
	t = replace(a, valid_report,
	    "\"report_id\":\"00000000000000000000000000000001\"", id);
	snprintf(buf, sizeof(buf), "\"key_id\":\"%s\"", k->pub.id);
	t = replace(a, t, "\"key_id\":\"" KEY_ID "\"", buf);
	snprintf(buf, sizeof(buf), "\"start\":\"%sT10:00:00Z\"", day);
	t = replace(a, t, "\"start\":\"2026-11-02T10:00:00Z\"", buf);
	snprintf(buf, sizeof(buf), "\"end\":\"%sT11:00:00Z\"", day);
	t = replace(a, t, "\"end\":\"2026-11-02T11:00:00Z\"", buf);
	snprintf(buf, sizeof(buf), "\"total\":%d", 100 * scale);
	t = replace(a, t, "\"total\":100", buf);
	snprintf(buf, sizeof(buf), "\"ham\":60,\"spam\":%d", 30 * scale);
	t = replace(a, t, "\"ham\":60,\"spam\":30", buf);
	snprintf(buf, sizeof(buf), "\"reject\":%d", 20 * scale);
	t = replace(a, t, "\"reject\":20", buf);
	snprintf(buf, sizeof(buf), "\"BAYES_99\",\"spam\":%d", 25 * scale);
	return replace(a, t, "\"BAYES_99\",\"spam\":25", buf);
}

/* the envelope of report signed by k at t with nonce n */
static char *
mk_envelope(wn_arena *a, const wn_seckey *k, const char *report, int64_t t,
    int nonce)
{
	char at[21], nhex[33], sig[WN_SIGN_SIG_B64_LEN + 1];
	wn_buf msg, out;
	char *s;

	wn_day_time_format(t, at, sizeof(at));
	snprintf(nhex, sizeof(nhex), "%032x", nonce);
	wn_buf_init(&msg);
	wn_envelope_signed_text(k->pub.id, at, nhex, report, strlen(report),
	    &msg);
	wn_sign_detached(k, msg.data, msg.len, sig);
	wn_buf_init(&out);
	wn_buf_printf(&out, "{\"format\":\"winnow-signed-report-1\","
	    "\"key_id\":\"%s\",\"signed_at\":\"%s\",\"nonce\":\"%s\","
	    "\"report\":", k->pub.id, at, nhex);
	wn_json_escape(&out, report, strlen(report));
	wn_buf_printf(&out, ",\"signature\":\"%s\"}", sig);
	s = wn_arena_strdup(a, out.data);
	wn_buf_fini(&msg);
	wn_buf_fini(&out);
	return s;
}

static int
submit(const char *env, wn_intake_result *res)
{
	wn_intake_submit(&fx.in, env, strlen(env), fx.now, res);
	return res->status;
}

Test(intake, statuses_in_order, .init = fx_setup, .fini = fx_teardown)
{
	wn_arena *a = wn_arena_new(0);
	char *rep = mk_report(a, &fx.key, 1, "2026-11-02", 1);
	char *env = mk_envelope(a, &fx.key, rep, fx.now, 1);
	wn_intake_result res;
	wn_reporter r;
	char *s;

	cr_assert_eq(submit(env, &res), 201, "%s", res.message);
	cr_assert_str_eq(res.report_id, "00000000000000000000000000000001");
	cr_assert_eq(submit(env, &res), 409);
	cr_assert_not_null(strstr(res.message, "replay"));
	cr_assert_eq(submit(mk_envelope(a, &fx.key, rep, fx.now - 60, 2),
	    &res), 200, "%s", res.message);
	cr_assert_str_eq(res.message, "duplicate");
	/* same id, other content */
	s = mk_report(a, &fx.key, 1, "2026-11-02", 2);
	cr_assert_eq(submit(mk_envelope(a, &fx.key, s, fx.now, 3), &res), 409);
	cr_assert_not_null(strstr(res.message, "conflict"));
	/* skew: 15 minutes is fine, one second more is stale */
	s = mk_report(a, &fx.key, 2, "2026-11-02", 1);
	cr_assert_eq(submit(mk_envelope(a, &fx.key, s, fx.now + 901, 4),
	    &res), 409);
	cr_assert_not_null(strstr(res.message, "stale"), "%s", res.message);
	cr_assert_eq(submit(mk_envelope(a, &fx.key, s, fx.now - 900, 5),
	    &res), 201, "%s", res.message);
	/* unknown key; a signature by another key */
	s = mk_report(a, &fx.other, 3, "2026-11-02", 1);
	cr_assert_eq(submit(mk_envelope(a, &fx.other, s, fx.now, 6), &res),
	    401);
	cr_assert_not_null(strstr(res.message, "not a registered"));
	env = mk_envelope(a, &fx.key, mk_report(a, &fx.key, 4, "2026-11-02",
	    1), fx.now, 7);
	s = strstr(env, "\\\"total\\\":1");
	cr_assert_not_null(s);
	s[strlen("\\\"total\\\":1")] = '9';	/* 100 -> 190 */
	cr_assert_eq(submit(env, &res), 401);
	cr_assert_not_null(strstr(res.message, "does not verify"));
	/* key ids differ */
	s = replace(a, mk_report(a, &fx.key, 5, "2026-11-02", 1),
	    fx.key.pub.id, "fedcba9876543210");
	cr_assert_eq(submit(mk_envelope(a, &fx.key, s, fx.now, 8), &res), 400);
	cr_assert_not_null(strstr(res.message, "key_id"), "%s", res.message);
	/* a schema violation after a good signature */
	s = replace(a, mk_report(a, &fx.key, 6, "2026-11-02", 1),
	    "\"length\":3600", "\"length\":1");
	cr_assert_eq(submit(mk_envelope(a, &fx.key, s, fx.now, 9), &res), 400);
	cr_assert_not_null(strstr(res.message, "period.length"));
	/* revoked: 403 after the signature checks out */
	cr_assert_eq(wn_repo_db_reporter_revoke(fx.db, fx.key.pub.id, 5), 0);
	cr_assert_eq(wn_repo_db_reporter_revoke(fx.db, fx.key.pub.id, 5),
	    WN_EINVAL);
	cr_assert_eq(wn_repo_db_reporter_get(fx.db, fx.key.pub.id, &r), 0);
	cr_assert_eq(r.revoked, 5);
	s = mk_report(a, &fx.key, 7, "2026-11-02", 1);
	cr_assert_eq(submit(mk_envelope(a, &fx.key, s, fx.now, 10), &res),
	    403);
	wn_arena_free(&a);
}

struct bad_envelope {
	char from[48], to[48], want[48];
};

static struct bad_envelope bad_envelopes[] = {
	{ "{\"format\"", "[{\"format\"", "envelope: not JSON" },
	{ "\"format\":\"winnow-signed-report-1\"",
	  "\"format\":\"winnow-signed-report-2\"", "unknown format" },
	{ "\"key_id\"", "\"key\"", "envelope.key_id: missing" },
	{ "\"signed_at\":\"", "\"signed_at\":\"x", "envelope.signed_at" },
	{ "\"nonce\":\"", "\"nonce\":\"0", "envelope.nonce" },
	{ "\"report\":\"", "\"report\":1,\"x\":\"", "envelope.report: "
	  "expected a string" },
	{ "\"signature\":\"", "\"signature\":\"A", "envelope.signature" },
};

ParameterizedTestParameters(intake, bad_envelope_is_400)
{
	return cr_make_param_array(struct bad_envelope, bad_envelopes,
	    sizeof(bad_envelopes) / sizeof(bad_envelopes[0]));
}

ParameterizedTest(struct bad_envelope *b, intake, bad_envelope_is_400,
    .init = fx_setup, .fini = fx_teardown)
{
	wn_arena *a = wn_arena_new(0);
	char *rep = mk_report(a, &fx.key, 1, "2026-11-02", 1);
	char *env = replace(a, mk_envelope(a, &fx.key, rep, fx.now, 1),
	    b->from, b->to);
	wn_intake_result res;

	cr_assert_eq(submit(env, &res), 400, "%d %s", res.status,
	    res.message);
	cr_assert_not_null(strstr(res.message, b->want), "got \"%s\"",
	    res.message);
	wn_arena_free(&a);
}

/* --- aggregates and CSV ------------------------------------------------- */

static void
ingest(wn_arena *a, const wn_seckey *k, int n, const char *day, int scale)
{
	wn_intake_result res;
	char *rep = mk_report(a, k, n, day, scale);

	cr_assert_eq(submit(mk_envelope(a, k, rep, fx.now, 1000 + n), &res),
	    201, "%s", res.message);
}

static void
agg_setup(void)
{
	wn_reporter r;
	wn_arena *a;

	fx_setup();
	memset(&r, 0, sizeof(r));
	r.key = fx.other.pub;
	strcpy(r.name, "second");
	strcpy(r.country, "FR");
	strcpy(r.operator_type, "hosting");
	cr_assert_eq(wn_repo_db_reporter_add(fx.db, &r), 0);
	a = wn_arena_new(0);
	ingest(a, &fx.key, 1, "2026-11-02", 1);	/* DE, isp (declared) */
	ingest(a, &fx.key, 2, "2026-11-02", 2);
	ingest(a, &fx.other, 3, "2026-11-02", 4);	/* FR, hosting */
	ingest(a, &fx.key, 4, "2026-11-09", 8);
	ingest(a, &fx.other, 5, "2026-12-01", 16);
	wn_arena_free(&a);
}

static wn_agg_query
agg_query(const char *from, const char *to, enum wn_agg_group g)
{
	wn_agg_query q;

	memset(&q, 0, sizeof(q));
	wn_day_parse(from, 10, &q.from_day);
	wn_day_parse(to, 10, &q.to_day);
	q.group = g;
	q.rule_limit = 50;
	return q;
}

Test(aggregate, days_weeks_months_and_filters, .init = agg_setup,
    .fini = fx_teardown)
{
	wn_agg_query q = agg_query("2026-11-01", "2026-12-31", WN_AGG_DAY);
	wn_agg agg;

	cr_assert_eq(wn_repo_db_aggregate(fx.db, &q, &agg), 0);
	cr_assert_eq(agg.reports, 5);
	cr_assert_eq(agg.total.messages, 100 * 31);
	cr_assert_eq(agg.total.spam, 30 * 31);
	cr_assert_eq(agg.total.ham, 60 * 5);
	cr_assert_eq(agg.total.action[6], 20 * 31);
	cr_assert_eq(agg.total.spf[2], 50 * 5);
	cr_assert_eq(agg.total.bulk_spam[WN_AGG_BULK_CHECKED], 25 * 5);
	cr_assert_eq(agg.total.bulk_spam[WN_AGG_BULK_FLAGGED], 12 * 5);
	cr_assert_eq(agg.total.bulk_spam[5], 2 * 5, "high");
	cr_assert_eq(agg.total.bulk_ham[WN_AGG_BULK_EXEMPT], 2 * 5);
	cr_assert_eq(wn_agg_bulk_checked(&agg.total), 75 * 5);
	cr_assert_eq(wn_agg_bulk_flagged(&agg.total), 16 * 5);
	cr_assert_float_eq(wn_agg_bulk_share(&agg.total), 16.0 / 75, 1e-9);
	cr_assert_eq(agg.series[1].v.bulk_spam[WN_AGG_BULK_FLAGGED], 12 * 3);
	cr_assert_eq(wn_agg_bulk_share(&agg.series[0].v), -1);
	cr_assert_eq(agg.total.reporters, 2);
	cr_assert_eq(agg.n_series, 61);
	cr_assert_eq(agg.series[1].v.messages, 700);
	cr_assert_eq(agg.series[1].v.reporters, 2);
	cr_assert_str_eq(agg.series[1].label, "2026-11-02");
	cr_assert_eq(agg.series[0].v.messages, 0);
	cr_assert_eq(agg.series[8].v.messages, 800);
	cr_assert_eq(agg.n_rules, 2);
	cr_assert_str_eq(agg.rules[0].name, "BAYES_99");
	cr_assert_eq(agg.rules[0].spam, 25 * 31);
	cr_assert_eq(agg.n_countries, 2);
	cr_assert_str_eq(agg.countries[0].country, "US");
	cr_assert_eq(agg.n_known_countries, 2);
	cr_assert_str_eq(agg.known_countries[0], "DE");
	wn_agg_fini(&agg);

	q.group = WN_AGG_WEEK;
	cr_assert_eq(wn_repo_db_aggregate(fx.db, &q, &agg), 0);
	cr_assert_str_eq(agg.series[0].label, "2026-W44");
	cr_assert_str_eq(agg.series[1].label, "2026-W45");
	cr_assert_eq(agg.series[1].v.messages, 700);
	cr_assert_eq(agg.series[2].v.messages, 800);
	cr_assert_eq(agg.series[2].v.reporters, 1);
	wn_agg_fini(&agg);

	q.group = WN_AGG_MONTH;
	cr_assert_eq(wn_repo_db_aggregate(fx.db, &q, &agg), 0);
	cr_assert_eq(agg.n_series, 2);
	cr_assert_str_eq(agg.series[0].label, "2026-11");
	cr_assert_eq(agg.series[0].v.messages, 1500);
	cr_assert_eq(agg.series[1].v.messages, 1600);
	wn_agg_fini(&agg);

	strcpy(q.country, "DE");
	cr_assert_eq(wn_repo_db_aggregate(fx.db, &q, &agg), 0);
	cr_assert_eq(agg.total.messages, 1100);
	cr_assert_eq(agg.reports, 3);
	cr_assert_eq(agg.total.reporters, 1);
	wn_agg_fini(&agg);

	q.country[0] = '\0';
	strcpy(q.operator_type, "hosting");
	cr_assert_eq(wn_repo_db_aggregate(fx.db, &q, &agg), 0);
	cr_assert_eq(agg.total.messages, 2000);
	wn_agg_fini(&agg);

	/* a report's declared operator type counts when none is registered */
	strcpy(q.operator_type, "isp");
	cr_assert_eq(wn_repo_db_aggregate(fx.db, &q, &agg), 0);
	cr_assert_eq(agg.total.messages, 1100);
	wn_agg_fini(&agg);

	q = agg_query("2026-11-03", "2026-11-08", WN_AGG_DAY);
	cr_assert_eq(wn_repo_db_aggregate(fx.db, &q, &agg), 0);
	cr_assert_eq(agg.reports, 0);
	cr_assert_eq(agg.n_rules, 0);
	cr_assert_eq(agg.n_series, 6);
	wn_agg_fini(&agg);
}

Test(aggregate, stats_json_has_the_documented_shape, .init = agg_setup,
    .fini = fx_teardown)
{
	wn_agg_query q = agg_query("2026-11-02", "2026-11-03", WN_AGG_DAY);
	wn_agg agg;
	wn_buf b;

	cr_assert_eq(wn_repo_db_aggregate(fx.db, &q, &agg), 0);
	wn_buf_init(&b);
	wn_api_stats_json(&agg, &b);
	cr_assert_not_null(strstr(b.data, "{\"from\":\"2026-11-02\","
	    "\"to\":\"2026-11-03\",\"group\":\"day\",\"country\":null,"
	    "\"operator_type\":null,\"reporters\":2,\"reports\":3,"
	    "\"totals\":{\"messages\":700,"), "%s", b.data);
	cr_assert_not_null(strstr(b.data, "\"spam_share\":0.5385"), "%s",
	    b.data);
	cr_assert_not_null(strstr(b.data, "{\"period\":\"2026-11-03\","
	    "\"start\":\"2026-11-03\",\"reporters\":0,\"messages\":0,"
	    "\"scanned\":0,\"spam\":0,\"ham\":0,\"spam_share\":null,"), "%s",
	    b.data);
	/* bulk: three reports' sums, and the share of the checked */
	cr_assert_not_null(strstr(b.data, "\"spf_pass_share\":0.7143,"
	    "\"bulk\":{\"ham\":{\"checked\":150,\"exempt\":6,\"flagged\":12,"
	    "\"low\":9,\"medium\":0,\"high\":0,\"senders\":3,"
	    "\"attachment\":3},\"spam\":{\"checked\":75,\"exempt\":0,"
	    "\"flagged\":36,\"low\":12,\"medium\":9,\"high\":6,"
	    "\"senders\":15,\"attachment\":6}},\"bulk_share\":0.2133,"
	    "\"source_countries\":"), "%s", b.data);
	cr_assert_not_null(strstr(b.data, "\"spf_pass\":150,"
	    "\"bulk_checked\":225,\"bulk_flagged\":48,\"action\":"), "%s",
	    b.data);
	cr_assert_not_null(strstr(b.data, "\"spf_pass\":0,"
	    "\"bulk_checked\":0,\"bulk_flagged\":0,\"action\":"), "%s",
	    b.data);
	wn_buf_fini(&b);
	wn_agg_fini(&agg);
}

Test(aggregate, csv_rows_per_bucket, .init = agg_setup, .fini = fx_teardown)
{
	wn_agg_query q = agg_query("2026-11-01", "2026-11-30", WN_AGG_WEEK);
	wn_buf b;

	wn_buf_init(&b);
	cr_assert_eq(wn_api_export_csv(fx.db, &q, &b), 0);
	cr_assert_eq(strncmp(b.data, "period,metric,key,value\n"
	    "2026-W44,reporters,distinct,0\n2026-W44,reports,count,0\n"
	    "2026-W44,messages,total,0\n", 90), 0, "%s", b.data);
	cr_assert_not_null(strstr(b.data, "\n2026-W45,reporters,distinct,2\n"
	    "2026-W45,reports,count,3\n2026-W45,messages,total,700\n"));
	cr_assert_not_null(strstr(b.data,
	    "\n2026-W45,rule_spam,BAYES_99,175\n"));
	cr_assert_not_null(strstr(b.data, "\n2026-W45,source_country,US,120\n"
	    "2026-W45,source_country,unknown,150\n"
	    "2026-W45,source_country_spam,US,60\n"));
	cr_assert_not_null(strstr(b.data, "\n2026-W46,messages,total,800\n"));
	cr_assert_not_null(strstr(b.data, "\n2026-W49,messages,total,0\n"));
	cr_assert_null(strstr(b.data, "2026-W50"));
	wn_buf_fini(&b);
}

/* The bulk rows close each bucket, after the rows of the first format,
 * which keep their places; every bucket has all sixteen. */
Test(aggregate, csv_bulk_rows_come_last_in_each_bucket, .init = agg_setup,
    .fini = fx_teardown)
{
	wn_agg_query q = agg_query("2026-11-01", "2026-11-30", WN_AGG_WEEK);
	const char *bulk, *rules, *next;
	wn_buf b;

	wn_buf_init(&b);
	cr_assert_eq(wn_api_export_csv(fx.db, &q, &b), 0);
	cr_assert_not_null(strstr(b.data, "\n2026-W44,bayes,unavailable,0\n"
	    "2026-W44,bulk_ham,checked,0\n"), "%s", b.data);
	cr_assert_not_null(strstr(b.data, "\n2026-W44,bulk_spam,attachment,0\n"
	    "2026-W45,reporters,distinct,2\n"), "%s", b.data);
	bulk = strstr(b.data, "\n2026-W45,bulk_ham,checked,150\n"
	    "2026-W45,bulk_ham,exempt,6\n2026-W45,bulk_ham,flagged,12\n"
	    "2026-W45,bulk_ham,low,9\n2026-W45,bulk_ham,medium,0\n"
	    "2026-W45,bulk_ham,high,0\n2026-W45,bulk_ham,senders,3\n"
	    "2026-W45,bulk_ham,attachment,3\n2026-W45,bulk_spam,checked,75\n"
	    "2026-W45,bulk_spam,exempt,0\n2026-W45,bulk_spam,flagged,36\n"
	    "2026-W45,bulk_spam,low,12\n2026-W45,bulk_spam,medium,9\n"
	    "2026-W45,bulk_spam,high,6\n2026-W45,bulk_spam,senders,15\n"
	    "2026-W45,bulk_spam,attachment,6\n2026-W46,reporters,");
	cr_assert_not_null(bulk, "%s", b.data);
	rules = strstr(b.data, "\n2026-W45,rule_ham,");
	next = strstr(b.data, "\n2026-W46,");
	cr_assert(rules != NULL && rules < bulk && bulk < next);
	cr_assert_not_null(strstr(b.data, "\n2026-W46,bulk_spam,flagged,12\n"));
	wn_buf_fini(&b);
}

/* --- bulk detections, from winnowd's counters to the exports ----------- */

static void
bulk_msg(wn_stats *st, bool spam, enum wn_stats_bulk bulk, bool senders,
    bool attachment)
{
	wn_stats_msg m = { 0 };

	m.outcome = WN_STATS_SCANNED;
	m.action = spam ? WN_ACTION_REJECT : WN_ACTION_ACCEPT;
	m.spam = spam;
	m.score = spam ? 12 : -1;
	m.spf = -1;
	m.bulk = bulk;
	m.bulk_senders = senders;
	m.bulk_attachment = attachment;
	wn_stats_record(st, &m);
}

/*
 * One period counted as winnowd counts, sealed, loaded back, built into
 * a report at standard sharing, signed and taken in; then the aggregate,
 * the JSON and the CSV show exactly what was counted. Spam: 3 BULK_HIGH
 * (2 also BULK_SENDERS), 2 BULK_LOW, 1 BULK_ATTACHMENT alone, 4 none, 1
 * unchecked; ham: 1 BULK_MEDIUM, 2 exempt, 5 none.
 */
Test(bulk, counts_survive_seal_report_intake_and_export, .init = fx_setup,
    .fini = fx_teardown)
{
	static const char last[] = "2026-11-02,bulk_spam,attachment,1\n";
	char spool[96], err[256], *csv;
	wn_stats_opts o = { spool, 3600, false };
	wn_report_opts ro = { WN_SHARING_STANDARD, 1, 1, "DE", "isp",
	    fx.key.pub.id };
	wn_stats_period *p = NULL;
	wn_intake_result res;
	wn_agg_query q = agg_query("2026-11-02", "2026-11-02", WN_AGG_DAY);
	wn_stats *st;
	wn_agg agg;
	wn_buf rep, env, out;
	char **paths;
	size_t n;
	int64_t start;
	int i;

	snprintf(spool, sizeof(spool), "%s/spool", fx.dir);
	wn_day_time_parse("2026-11-02T10:00:00Z", 20, &start);
	cr_assert_eq(wn_stats_open(&o, (time_t)start, &st, err, sizeof(err)),
	    0, "%s", err);
	for (i = 0; i < 3; i++)
		bulk_msg(st, true, WN_STATS_BULK_HIGH, i < 2, false);
	bulk_msg(st, true, WN_STATS_BULK_LOW, false, false);
	bulk_msg(st, true, WN_STATS_BULK_LOW, false, false);
	bulk_msg(st, true, WN_STATS_BULK_NONE, false, true);
	for (i = 0; i < 4; i++)
		bulk_msg(st, true, WN_STATS_BULK_NONE, false, false);
	bulk_msg(st, true, WN_STATS_BULK_OFF, false, false);
	bulk_msg(st, false, WN_STATS_BULK_MEDIUM, false, false);
	bulk_msg(st, false, WN_STATS_BULK_EXEMPT, false, false);
	bulk_msg(st, false, WN_STATS_BULK_EXEMPT, false, false);
	for (i = 0; i < 5; i++)
		bulk_msg(st, false, WN_STATS_BULK_NONE, false, false);
	wn_stats_free(&st, (time_t)start + 3600);
	cr_assert_eq(wn_stats_spool_list(spool, &paths, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(wn_stats_period_load(paths[0], &p, err, sizeof(err)), 0,
	    "%s", err);
	wn_stats_spool_list_free(paths, n);

	wn_buf_init(&rep);
	wn_buf_init(&env);
	cr_assert_eq(wn_report_build(p, &ro, &rep), 0);
	wn_stats_period_free(&p);
	cr_assert_not_null(strstr(rep.data, "\"bulk\":{\"ham\":{\"checked\":8,"
	    "\"exempt\":2,\"flagged\":1,\"low\":0,\"medium\":1,\"high\":0,"
	    "\"senders\":0,\"attachment\":0},\"spam\":{\"checked\":10,"
	    "\"exempt\":0,\"flagged\":6,\"low\":2,\"medium\":0,\"high\":3,"
	    "\"senders\":2,\"attachment\":1}}"), "%s", rep.data);
	cr_assert_eq(wn_report_envelope(rep.data, rep.len, &fx.key,
	    (time_t)fx.now, &env), 0);
	cr_assert_eq(submit(env.data, &res), 201, "%s", res.message);
	wn_buf_fini(&rep);
	wn_buf_fini(&env);

	cr_assert_eq(wn_repo_db_aggregate(fx.db, &q, &agg), 0);
	cr_assert_eq(agg.reports, 1);
	cr_assert_eq(agg.total.scanned, 19);
	cr_assert_eq(agg.total.bulk_spam[WN_AGG_BULK_CHECKED], 10);
	cr_assert_eq(agg.total.bulk_spam[WN_AGG_BULK_FLAGGED], 6);
	cr_assert_eq(agg.total.bulk_spam[3], 2, "low");
	cr_assert_eq(agg.total.bulk_spam[5], 3, "high");
	cr_assert_eq(agg.total.bulk_spam[6], 2, "senders");
	cr_assert_eq(agg.total.bulk_spam[7], 1, "attachment");
	cr_assert_eq(agg.total.bulk_ham[WN_AGG_BULK_CHECKED], 8);
	cr_assert_eq(agg.total.bulk_ham[WN_AGG_BULK_EXEMPT], 2);
	cr_assert_eq(agg.total.bulk_ham[4], 1, "medium");
	cr_assert_eq(agg.series[0].v.bulk_ham[WN_AGG_BULK_FLAGGED], 1);
	wn_buf_init(&out);
	wn_api_stats_json(&agg, &out);
	cr_assert_not_null(strstr(out.data, "\"bulk\":{\"ham\":{\"checked\":8,"
	    "\"exempt\":2,\"flagged\":1,\"low\":0,\"medium\":1,\"high\":0,"
	    "\"senders\":0,\"attachment\":0},\"spam\":{\"checked\":10,"
	    "\"exempt\":0,\"flagged\":6,\"low\":2,\"medium\":0,\"high\":3,"
	    "\"senders\":2,\"attachment\":1}},\"bulk_share\":0.3889,"), "%s",
	    out.data);
	cr_assert_not_null(strstr(out.data, "\"bulk_checked\":18,"
	    "\"bulk_flagged\":7,"), "%s", out.data);
	wn_buf_fini(&out);
	wn_agg_fini(&agg);

	wn_buf_init(&out);
	cr_assert_eq(wn_api_export_csv(fx.db, &q, &out), 0);
	csv = out.data;
	cr_assert_not_null(strstr(csv, "\n2026-11-02,bulk_ham,checked,8\n"
	    "2026-11-02,bulk_ham,exempt,2\n2026-11-02,bulk_ham,flagged,1\n"
	    "2026-11-02,bulk_ham,low,0\n2026-11-02,bulk_ham,medium,1\n"
	    "2026-11-02,bulk_ham,high,0\n2026-11-02,bulk_ham,senders,0\n"
	    "2026-11-02,bulk_ham,attachment,0\n"
	    "2026-11-02,bulk_spam,checked,10\n2026-11-02,bulk_spam,exempt,0\n"
	    "2026-11-02,bulk_spam,flagged,6\n2026-11-02,bulk_spam,low,2\n"
	    "2026-11-02,bulk_spam,medium,0\n2026-11-02,bulk_spam,high,3\n"
	    "2026-11-02,bulk_spam,senders,2\n"
	    "2026-11-02,bulk_spam,attachment,1\n"), "%s", csv);
	cr_assert(out.len > strlen(last) &&
	    strcmp(csv + out.len - strlen(last), last) == 0,
	    "the bulk rows end the bucket: %s", csv);
	wn_buf_fini(&out);
}

/* A minimal report (no bulk) beside one with bulk: the share's divisor
 * is the checked messages only, never every message. */
Test(bulk, reports_without_bulk_do_not_dilute_the_share, .init = fx_setup,
    .fini = fx_teardown)
{
	wn_arena *a = wn_arena_new(0);
	wn_agg_query q = agg_query("2026-11-02", "2026-11-02", WN_AGG_DAY);
	wn_intake_result res;
	wn_agg agg;
	char *t = mk_report(a, &fx.key, 1, "2026-11-02", 1);

	cr_assert_eq(submit(mk_envelope(a, &fx.key, t, fx.now, 1), &res), 201,
	    "%s", res.message);
	t = replace(a, mk_report(a, &fx.key, 2, "2026-11-02", 4), BULK_SECTION,
	    "");
	cr_assert_eq(submit(mk_envelope(a, &fx.key, t, fx.now, 2), &res), 201,
	    "%s", res.message);
	cr_assert_eq(wn_repo_db_aggregate(fx.db, &q, &agg), 0);
	cr_assert_eq(agg.reports, 2);
	cr_assert_eq(agg.total.messages, 500);
	cr_assert_eq(wn_agg_bulk_checked(&agg.total), 75);
	cr_assert_float_eq(wn_agg_bulk_share(&agg.total), 16.0 / 75, 1e-9);
	wn_agg_fini(&agg);
	wn_arena_free(&a);
}
