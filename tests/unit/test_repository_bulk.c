/*
 * test_repository_bulk.c - winnow-repository's side of cooperative bulk
 * sharing without a network: bulk_fingerprints in reports (each rule of
 * the schema broken once, and only at sharing cooperative), the keys
 * stored with the report, the feed's threshold of distinct reporters,
 * its days, blocks from another connection taking effect at once, other
 * fingerprint versions and revoked reporters left out, the envelope
 * checked as winnowd checks it, ETag, 304 and 404 through the routes,
 * and a version-2 database upgraded in place. SQLite in a temporary
 * folder; the integration test runs the same against PostgreSQL.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include <winnow/arena.h>
#include <winnow/buf.h>
#include <winnow/bulk_feed.h>
#include <winnow/err.h>
#include <winnow/fingerprint.h>
#include <winnow/json.h>
#include <winnow/log.h>
#include <winnow/report.h>
#include <winnow/sign.h>

#include "day.h"
#include "db.h"
#include "db_schema.h"
#include "feed.h"
#include "http.h"
#include "intake.h"
#include "report_in.h"
#include "routes.h"
#include "shared_keys.h"

#define N_KEYS 5

/* --- reports ------------------------------------------------------------ */

/* fingerprint i: digest key and band keys; odd ones have the high bit set,
 * which the databases keep as negative numbers */
static uint64_t
fp_d(unsigned i)
{
	return (i % 2 ? 0xd000000000000000ULL : 0x0d00000000000000ULL) | i;
}

static uint64_t
fp_b(unsigned i, unsigned j)
{
	return (i % 2 ? 0xb000000000000000ULL : 0x0b00000000000000ULL) |
	    (uint64_t)i << 8 | j;
}

/* the wn_fingerprint winnowd would have for fingerprint i */
static wn_fingerprint
fp_of(unsigned i)
{
	wn_fingerprint fp;
	uint64_t d = fp_d(i);
	int j;

	memset(&fp, 0, sizeof(fp));
	for (j = 0; j < 8; j++)
		fp.digest[j] = (uint8_t)(d >> (56 - 8 * j));
	for (j = 0; j < WN_FINGERPRINT_BANDS; j++)
		fp.bands[j] = fp_b(i, (unsigned)j);
	fp.n_words = 50;
	fp.version = WN_FINGERPRINT_VERSION;
	return fp;
}

/* the bulk_fingerprints member for fingerprints fps[0..n) */
static void
fp_member(wn_buf *b, long version, const unsigned *fps, size_t n)
{
	size_t i, j;

	wn_buf_printf(b, ",\"bulk_fingerprints\":{\"fingerprint_version\":%ld,"
	    "\"items\":[", version);
	for (i = 0; i < n; i++) {
		wn_buf_printf(b, "%s{\"d\":\"%016llx\",\"b\":[", i ? "," : "",
		    (unsigned long long)fp_d(fps[i]));
		for (j = 0; j < 16; j++)
			wn_buf_printf(b, "%s\"%016llx\"", j ? "," : "",
			    (unsigned long long)fp_b(fps[i], (unsigned)j));
		wn_buf_puts(b, "]}");
	}
	wn_buf_puts(b, "],\"dropped\":0}");
}

/* a report of key_id, id n, for day, at sharing, with fingerprints fps
 * (n_fps 0 and fps NULL: no bulk_fingerprints) of version */
static char *
mk_report(wn_arena *a, const char *key_id, unsigned n, const char *day,
    const char *sharing, long version, const unsigned *fps, size_t n_fps)
{
	wn_buf b;
	char *s;

	wn_buf_init(&b);
	wn_buf_printf(&b, "{\"format\":\"winnow-report-1\","
	    "\"report_id\":\"%032x\",\"reporter\":{\"key_id\":\"%s\","
	    "\"country\":\"DE\",\"operator_type\":\"isp\"},"
	    "\"software\":{\"name\":\"winnow\",\"version\":\"0.1.0\"},"
	    "\"rulesets\":[],\"period\":{\"start\":\"%sT10:00:00Z\","
	    "\"end\":\"%sT11:00:00Z\",\"length\":3600},\"sharing\":\"%s\","
	    "\"min_count\":5,\"messages\":{\"total\":10,\"scanned\":10,"
	    "\"skipped\":0,\"failed\":0,\"verdict\":{\"ham\":5,\"spam\":5},"
	    "\"action\":{\"accept\":5,\"mark\":0,\"subject\":0,"
	    "\"tempfail\":0,\"quarantine\":0,\"discard\":0,\"reject\":5}}",
	    n, key_id, day, day, sharing);
	if (fps != NULL)
		fp_member(&b, version, fps, n_fps);
	wn_buf_putc(&b, '}');
	cr_assert(!b.failed);
	s = wn_arena_strdup(a, b.data);
	wn_buf_fini(&b);
	return s;
}

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

static int
parse(const char *text, wn_arena *a, wn_report *r, char *err)
{
	return wn_report_parse(text, strlen(text), a, r, err);
}

/* --- the field in reports ----------------------------------------------- */

Test(bulk_report, parses_and_copies_the_keys)
{
	static const unsigned fps[] = { 1, 2, 1 };
	wn_arena *a = wn_arena_new(0);
	char err[WN_REPORT_ERR_LEN];
	wn_shared_row *keys;
	wn_report r;
	size_t n;
	char *t = mk_report(a, "0123456789abcdef", 1, "2026-11-02",
	    "cooperative", 2, fps, 3);

	cr_assert_eq(parse(t, a, &r, err), 0, "%s", err);
	cr_assert(r.sections & WN_REPORT_HAS_BULK_FP);
	cr_assert_eq(r.fp_version, 2);
	cr_assert_eq(r.n_fps, 3);
	cr_assert_eq(r.fp_dropped, 0);
	cr_assert_eq(r.fps[0].d, fp_d(1));
	cr_assert_eq(r.fps[1].b[15], fp_b(2, 15));
	/* the same text twice in one report is one set of keys */
	cr_assert_eq(wn_shared_rows_of_report(&r, &keys, &n), 0);
	cr_assert_eq(n, 34, "got %zu keys, want 2 x 17", n);
	cr_assert_eq(keys[0].key.kind, 'b');
	cr_assert_eq(keys[0].key.value, fp_b(2, 0), "b:0b... before b:b0...");
	cr_assert_eq(keys[0].digest, fp_d(2), "a band with its text");
	cr_assert_eq(keys[33].key.kind, 'd');
	cr_assert_eq(keys[33].key.value, fp_d(1));
	cr_assert_eq(keys[33].digest, fp_d(1));
	free(keys);

	/* without the member: nothing, and no keys */
	t = mk_report(a, "0123456789abcdef", 1, "2026-11-02", "cooperative",
	    2, NULL, 0);
	cr_assert_eq(parse(t, a, &r, err), 0, "%s", err);
	cr_assert_eq(r.sections & WN_REPORT_HAS_BULK_FP, 0);
	cr_assert_eq(wn_shared_rows_of_report(&r, &keys, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(keys);
	/* an empty list and a count of those left out */
	t = replace(a, mk_report(a, "0123456789abcdef", 1, "2026-11-02",
	    "cooperative", 7, fps, 0), "\"dropped\":0", "\"dropped\":12");
	cr_assert_eq(parse(t, a, &r, err), 0, "%s", err);
	cr_assert_eq(r.n_fps, 0);
	cr_assert_eq(r.fp_version, 7);
	cr_assert_eq(r.fp_dropped, 12);
	t = replace(a, t, "\"items\":[]", "\"items\":{}");
	cr_assert_eq(parse(t, a, &r, err), WN_EINVAL);
	cr_assert_not_null(strstr(err, "bulk_fingerprints.items: expected an "
	    "array, got an object"), "%s", err);
	wn_arena_free(&a);
}

struct violation {
	char from[80];
	char to[80];
	char want[112];
};

#define D1 "\"d\":\"d000000000000001\""
#define B1 "\"b000000000000100\""

static struct violation violations[] = {
	{ "\"fingerprint_version\":2", "\"fingerprint_version\":0",
	  "bulk_fingerprints.fingerprint_version: expected an integer" },
	{ "\"fingerprint_version\":2", "\"fingerprint_version\":\"2\"",
	  "bulk_fingerprints.fingerprint_version: expected an integer" },
	{ "\"fingerprint_version\":2", "\"fingerprint_version\":2.5",
	  "bulk_fingerprints.fingerprint_version: expected an integer" },
	{ "\"fingerprint_version\":2,", "",
	  "bulk_fingerprints: required property \"fingerprint_version\"" },
	{ ",\"dropped\":0", "", "bulk_fingerprints: required property "
	  "\"dropped\" is missing" },
	{ "\"dropped\":0", "\"dropped\":-1",
	  "bulk_fingerprints.dropped: expected an integer from 0" },
	{ "\"dropped\":0", "\"dropped\":0,\"counts\":[]",
	  "bulk_fingerprints: unknown property \"counts\"" },
	{ D1, "\"d\":\"D000000000000001\"", "bulk_fingerprints.items[0].d: "
	  "expected a string matching ^[0-9a-f]{16}$" },
	{ D1, "\"d\":\"d00000000000001\"", "bulk_fingerprints.items[0].d: "
	  "expected a string matching" },
	{ D1, "\"d\":53", "bulk_fingerprints.items[0].d: expected a string, "
	  "got an integer" },
	{ D1 ",", "", "bulk_fingerprints.items[0]: required property \"d\"" },
	{ D1, D1 ",\"n\":3", "bulk_fingerprints.items[0]: unknown property "
	  "\"n\"" },
	{ "\"b\":[" B1 ",", "\"b\":[", "bulk_fingerprints.items[0].b: "
	  "expected at least 16 elements, got 15" },
	{ "\"b\":[" B1 ",", "\"b\":[" B1 "," B1 ",",
	  "bulk_fingerprints.items[0].b: expected at most 16 elements, got "
	  "17" },
	{ "\"b\":[" B1, "\"b\":[\"b00000000000010g\"",
	  "bulk_fingerprints.items[0].b[0]: expected a string matching" },
	{ "\"b\":[" B1, "\"b\":[null", "bulk_fingerprints.items[0].b[0]: "
	  "expected a string, got null" },
	{ "\"sharing\":\"cooperative\"", "\"sharing\":\"standard\"",
	  "bulk_fingerprints: only a report at sharing level \"cooperative\" "
	  "may carry it; this one is at \"standard\"" },
	{ "\"sharing\":\"cooperative\"", "\"sharing\":\"minimal\"",
	  "bulk_fingerprints: only a report at sharing level \"cooperative\"" },
};

ParameterizedTestParameters(bulk_report, each_violation_is_named)
{
	return cr_make_param_array(struct violation, violations,
	    sizeof(violations) / sizeof(violations[0]));
}

ParameterizedTest(struct violation *v, bulk_report, each_violation_is_named)
{
	static const unsigned fps[] = { 1, 2 };
	wn_arena *a = wn_arena_new(0);
	char err[WN_REPORT_ERR_LEN];
	wn_report r;
	char *t = replace(a, mk_report(a, "0123456789abcdef", 1, "2026-11-02",
	    "cooperative", 2, fps, 2), v->from, v->to);

	cr_assert_eq(parse(t, a, &r, err), WN_EINVAL, "accepted with %s -> %s",
	    v->from, v->to);
	cr_assert_not_null(strstr(err, v->want), "got \"%s\", want \"%s\"",
	    err, v->want);
	wn_arena_free(&a);
}

Test(bulk_report, at_most_1024_items)
{
	static unsigned fps[1025];
	wn_arena *a = wn_arena_new(0);
	char err[WN_REPORT_ERR_LEN];
	wn_report r;
	unsigned i;
	char *t;

	for (i = 0; i < 1025; i++)
		fps[i] = i;
	t = mk_report(a, "0123456789abcdef", 1, "2026-11-02", "cooperative",
	    2, fps, 1024);
	cr_assert_eq(parse(t, a, &r, err), 0, "%s", err);
	cr_assert_eq(r.n_fps, 1024);
	t = mk_report(a, "0123456789abcdef", 1, "2026-11-02", "cooperative",
	    2, fps, 1025);
	cr_assert_eq(parse(t, a, &r, err), WN_EINVAL);
	cr_assert_not_null(strstr(err, "bulk_fingerprints.items: expected at "
	    "most 1024 elements, got 1025"), "%s", err);
	wn_arena_free(&a);
}

/* --- the store and the feed over SQLite ---------------------------------- */

typedef struct fixture {
	char dir[64];
	char url[128];
	wn_repo_db *db;
	wn_seckey key[N_KEYS];		/* registered reporters A..E */
	wn_seckey feed_key, stranger;
	wn_intake in;
	wn_routes routes;
	wn_feed *feed;
	int64_t now;
	unsigned next_id;
} fixture;

static fixture fx;
static int64_t clock_now;

static int64_t
test_clock(void)
{
	return clock_now;
}

static void
fx_setup(void)
{
	wn_reporter r;
	int i;

	wn_log_set_level(WN_LOG_ERR);
	cr_assert_eq(wn_sign_init(), 0);
	memset(&fx, 0, sizeof(fx));
	strcpy(fx.dir, "/tmp/wn-test-bulk-XXXXXX");
	cr_assert_not_null(mkdtemp(fx.dir));
	snprintf(fx.url, sizeof(fx.url), "sqlite:%s/repo.sqlite", fx.dir);
	cr_assert_eq(wn_repo_db_open(fx.url, 2, &fx.db), 0);
	for (i = 0; i < N_KEYS; i++) {
		cr_assert_eq(wn_seckey_generate(&fx.key[i]), 0);
		memset(&r, 0, sizeof(r));
		r.key = fx.key[i].pub;
		snprintf(r.name, sizeof(r.name), "operator %c", 'A' + i);
		strcpy(r.country, "DE");
		r.added = 1;
		cr_assert_eq(wn_repo_db_reporter_add(fx.db, &r), 0);
	}
	cr_assert_eq(wn_seckey_generate(&fx.feed_key), 0);
	cr_assert_eq(wn_seckey_generate(&fx.stranger), 0);
	wn_day_time_parse("2026-11-02T12:00:00Z", 20, &fx.now);
	clock_now = fx.now;
	fx.next_id = 1;
	wn_intake_init(&fx.in, fx.db, 900);
	cr_assert_eq(wn_feed_new(fx.db, &fx.feed_key, 3, 2, &fx.feed), 0);
	wn_routes_init(&fx.routes, fx.db, 900);
	fx.routes.now = test_clock;
	fx.routes.bulk_feed = fx.feed;
}

static void
fx_teardown(void)
{
	char cmd[128];

	wn_feed_free(&fx.feed);
	wn_repo_db_close(&fx.db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx.dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(bulk_store, .init = fx_setup, .fini = fx_teardown);
TestSuite(bulk_feed_api, .init = fx_setup, .fini = fx_teardown);

/* submit text signed by reporter who; the status */
static int
submit_text(int who, const char *text, wn_intake_result *res)
{
	wn_buf env;

	wn_buf_init(&env);
	cr_assert_eq(wn_report_envelope(text, strlen(text), &fx.key[who],
	    (time_t)fx.now, &env), 0);
	wn_intake_submit(&fx.in, env.data, env.len, fx.now, res);
	wn_buf_fini(&env);
	return res->status;
}

/* reporter who reports fingerprints fps[0..n) on day, version version */
static void
report_fps(int who, const char *day, long version, const unsigned *fps,
    size_t n)
{
	wn_arena *a = wn_arena_new(0);
	wn_intake_result res;
	char *t = mk_report(a, fx.key[who].pub.id, fx.next_id++, day,
	    "cooperative", version, fps, n);

	cr_assert_eq(submit_text(who, t, &res), 201, "%s", res.message);
	wn_arena_free(&a);
}

static int
count_key(void *arg, const wn_repo_bulk_row *row)
{
	wn_repo_bulk_row *want = arg;

	if (row->kind == want->kind && row->key == want->key) {
		want->reporters = row->reporters;
		want->blocked = row->blocked;
	}
	return 0;
}

/* the distinct reporters of a key on the days [from, to] */
static uint64_t
reporters_of(char kind, uint64_t key, const char *from, const char *to,
    long version)
{
	wn_repo_bulk_query q;
	wn_repo_bulk_row want;

	memset(&q, 0, sizeof(q));
	memset(&want, 0, sizeof(want));
	wn_day_parse(from, 10, &q.from_day);
	wn_day_parse(to, 10, &q.to_day);
	q.version = version;
	q.min_reporters = 1;
	want.kind = kind;
	want.key = key;
	cr_assert_eq(wn_repo_db_bulk_keys(fx.db, &q, count_key, &want), 0);
	return want.reporters;
}

static const char *
no_arg(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

/* method on the feed's path through the routes, at clock_now */
static int
route(const char *method, const char *if_none_match, wn_http_reply *rep)
{
	wn_http_request req;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = "/api/v1/bulk/feed";
	req.body = "";
	req.arg = no_arg;
	req.if_none_match = if_none_match;
	wn_buf_reset(&rep->body);
	rep->status = 500;
	rep->allow = NULL;
	rep->cache_control = NULL;
	rep->content_type = NULL;
	rep->etag[0] = '\0';
	wn_routes_handle(&fx.routes, &req, rep);
	return rep->status;
}

/* the feed as winnowd takes it in: fetched at clock_now, checked under
 * the repository's public key; the ETag into etag when given */
static wn_bulk_feed *
fetch(char *etag)
{
	wn_bulk_feed *f = NULL;
	wn_http_reply rep;
	char err[256];
	int rc;

	memset(&rep, 0, sizeof(rep));
	wn_buf_init(&rep.body);
	cr_assert_eq(route("GET", NULL, &rep), 200, "%s", rep.body.data);
	cr_assert_str_eq(rep.content_type, "application/json");
	cr_assert_str_eq(rep.cache_control, "max-age=60");
	cr_assert_eq(strlen(rep.etag), 34, "ETag %s", rep.etag);
	rc = wn_bulk_feed_parse(rep.body.data, rep.body.len,
	    &fx.feed_key.pub, clock_now, &f, err, sizeof(err));
	cr_assert_eq(rc, 0, "%s: %s", err, rep.body.data);
	if (etag != NULL)
		strcpy(etag, rep.etag);
	wn_buf_fini(&rep.body);
	return f;
}

/* whether the feed at clock_now has fingerprint i (its digest key) and
 * how many keys it has; the cache is passed by moving the clock on */
static bool
feed_has(unsigned i, size_t *n_keys)
{
	wn_fingerprint fp = fp_of(i);
	const wn_bulk_feed_info *info;
	wn_bulk_feed *f;
	bool has;

	f = fetch(NULL);
	info = wn_bulk_feed_info_get(f);
	if (n_keys != NULL)
		*n_keys = info->n_digests + info->n_bands;
	has = wn_bulk_feed_match(f, &fp);
	wn_bulk_feed_free(&f);
	return has;
}

Test(bulk_store, keys_are_stored_with_the_report_once)
{
	static const unsigned fps[] = { 1, 2 };
	wn_arena *a = wn_arena_new(0);
	wn_intake_result res;
	char *t = mk_report(a, fx.key[0].pub.id, 1, "2026-11-02",
	    "cooperative", WN_FINGERPRINT_VERSION, fps, 2);

	cr_assert_eq(submit_text(0, t, &res), 201, "%s", res.message);
	cr_assert_eq(reporters_of('d', fp_d(1), "2026-11-02", "2026-11-02",
	    WN_FINGERPRINT_VERSION), 1);
	cr_assert_eq(reporters_of('b', fp_b(2, 15), "2026-11-02", "2026-11-02",
	    WN_FINGERPRINT_VERSION), 1);
	cr_assert_eq(reporters_of('d', fp_d(1), "2026-11-01", "2026-11-01",
	    WN_FINGERPRINT_VERSION), 0, "stored under the period's day");
	/* the same report again: a duplicate, nothing new */
	cr_assert_eq(submit_text(0, t, &res), 200, "%s", res.message);
	cr_assert_eq(reporters_of('d', fp_d(1), "2026-11-02", "2026-11-02",
	    WN_FINGERPRINT_VERSION), 1);
	/* a report without the member is stored as before */
	t = mk_report(a, fx.key[1].pub.id, 2, "2026-11-02", "cooperative",
	    0, NULL, 0);
	cr_assert_eq(submit_text(1, t, &res), 201, "%s", res.message);
	/* at standard sharing the member is refused, and nothing stored */
	t = mk_report(a, fx.key[1].pub.id, 3, "2026-11-02", "standard",
	    WN_FINGERPRINT_VERSION, fps, 2);
	cr_assert_eq(submit_text(1, t, &res), 400);
	cr_assert_not_null(strstr(res.message, "bulk_fingerprints: only a "
	    "report at sharing level \"cooperative\""), "%s", res.message);
	cr_assert_eq(reporters_of('d', fp_d(1), "2026-11-02", "2026-11-02",
	    WN_FINGERPRINT_VERSION), 1);
	wn_arena_free(&a);
}

Test(bulk_store, three_distinct_reporters_put_a_key_in_the_feed)
{
	static const unsigned f12[] = { 1, 2 }, f1[] = { 1 };
	size_t n = 99;

	cr_assert(!feed_has(1, &n));
	cr_assert_eq(n, 0, "an empty feed to begin with");
	report_fps(0, "2026-11-02", WN_FINGERPRINT_VERSION, f12, 2);
	report_fps(1, "2026-11-02", WN_FINGERPRINT_VERSION, f1, 1);
	clock_now += 61;
	cr_assert(!feed_has(1, &n), "two reporters are not enough");
	cr_assert_eq(n, 0);
	/* the first reporter again, in another report: still two */
	report_fps(0, "2026-11-02", WN_FINGERPRINT_VERSION, f1, 1);
	report_fps(0, "2026-11-01", WN_FINGERPRINT_VERSION, f1, 1);
	clock_now += 61;
	cr_assert(!feed_has(1, &n), "one reporter counts once");
	report_fps(2, "2026-11-02", WN_FINGERPRINT_VERSION, f1, 1);
	clock_now += 61;
	cr_assert(feed_has(1, &n), "three reporters are");
	cr_assert_eq(n, 17, "its digest and 16 bands, got %zu", n);
	cr_assert(!feed_has(2, NULL), "fingerprint 2 had one reporter");
	cr_assert_eq(reporters_of('d', fp_d(1), "2026-11-01", "2026-11-02",
	    WN_FINGERPRINT_VERSION), 3);
}

Test(bulk_store, only_the_last_days_count)
{
	static const unsigned f1[] = { 1 }, f2[] = { 2 };

	/* --feed-days 2 at 2026-11-02: the 1st and the 2nd */
	report_fps(0, "2026-10-31", WN_FINGERPRINT_VERSION, f1, 1);
	report_fps(1, "2026-11-01", WN_FINGERPRINT_VERSION, f1, 1);
	report_fps(2, "2026-11-02", WN_FINGERPRINT_VERSION, f1, 1);
	report_fps(0, "2026-11-01", WN_FINGERPRINT_VERSION, f2, 1);
	report_fps(1, "2026-11-01", WN_FINGERPRINT_VERSION, f2, 1);
	report_fps(2, "2026-11-02", WN_FINGERPRINT_VERSION, f2, 1);
	/* a period starting tomorrow counts from tomorrow */
	report_fps(3, "2026-11-03", WN_FINGERPRINT_VERSION, f1, 1);
	cr_assert(!feed_has(1, NULL), "the 31st is out of the window");
	cr_assert(feed_has(2, NULL));
	clock_now += 86400;
	/* on the 3rd: the 2nd and the 3rd; the envelope is re-signed */
	cr_assert(!feed_has(2, NULL));
	cr_assert(!feed_has(1, NULL), "reporters of the 2nd and 3rd: 2");
}

Test(bulk_store, other_fingerprint_versions_are_kept_not_counted)
{
	static const unsigned f1[] = { 1 };
	int i;

	for (i = 0; i < 3; i++)
		report_fps(i, "2026-11-02", WN_FINGERPRINT_VERSION + 1, f1, 1);
	cr_assert(!feed_has(1, NULL));
	cr_assert_eq(reporters_of('d', fp_d(1), "2026-11-02", "2026-11-02",
	    WN_FINGERPRINT_VERSION + 1), 3, "stored under their version");
	cr_assert_eq(reporters_of('d', fp_d(1), "2026-11-02", "2026-11-02",
	    WN_FINGERPRINT_VERSION), 0);
}

Test(bulk_store, revoked_reporters_no_longer_count)
{
	static const unsigned f1[] = { 1 };
	int i;

	for (i = 0; i < 3; i++)
		report_fps(i, "2026-11-02", WN_FINGERPRINT_VERSION, f1, 1);
	cr_assert(feed_has(1, NULL));
	cr_assert_eq(wn_repo_db_reporter_revoke(fx.db, fx.key[2].pub.id,
	    fx.now), 0);
	clock_now += 61;
	cr_assert(!feed_has(1, NULL));
}

/* whether the answer to the feed's question has the key blocked */
static int
blocked_key(void *arg, const wn_repo_bulk_row *row)
{
	wn_repo_bulk_row *want = arg;

	if (row->kind == want->kind && row->key == want->key)
		want->blocked = row->blocked;
	return 0;
}

static bool
is_blocked(char kind, uint64_t key)
{
	wn_repo_bulk_query q;
	wn_repo_bulk_row want;

	memset(&q, 0, sizeof(q));
	memset(&want, 0, sizeof(want));
	wn_feed_window(fx.now, 2, &q.from_day, &q.to_day);
	q.version = WN_FINGERPRINT_VERSION;
	q.min_reporters = 1;
	want.kind = kind;
	want.key = key;
	cr_assert_eq(wn_repo_db_bulk_keys(fx.db, &q, blocked_key, &want), 0);
	return want.blocked;
}

/* a second connection, as `winnow-repository bulk block` would open */
Test(bulk_store, block_and_unblock_take_effect_at_once)
{
	static const unsigned f1[] = { 1 };
	wn_repo_bulk_block b, *blocks;
	wn_repo_db *admin;
	wn_arena *a = wn_arena_new(0);
	size_t n, n_blocks;
	int64_t g0, g1;
	int i;

	for (i = 0; i < 3; i++)
		report_fps(i, "2026-11-02", WN_FINGERPRINT_VERSION, f1, 1);
	cr_assert(feed_has(1, &n));
	cr_assert_eq(n, 17);
	cr_assert_eq(wn_repo_db_bulk_generation(fx.db, &g0), 0);
	cr_assert_eq(wn_repo_db_open(fx.url, 1, &admin), 0);
	memset(&b, 0, sizeof(b));
	b.kind = 'd';
	b.key = fp_d(1);
	strcpy(b.reason, "the town's newsletter");
	b.blocked = fx.now;
	cr_assert_eq(wn_repo_db_bulk_block(admin, &b), 0);
	cr_assert_eq(wn_repo_db_bulk_block(admin, &b), WN_EINVAL,
	    "blocked already");
	cr_assert_eq(wn_repo_db_bulk_generation(fx.db, &g1), 0);
	cr_assert_eq(g1, g0 + 1, "a failed block raises nothing");
	/* the same second: the cached feed is not served; the text's
	 * digest is out, and the bands that came with it */
	cr_assert(!feed_has(1, &n));
	cr_assert_eq(n, 0, "got %zu keys", n);
	cr_assert(is_blocked('d', fp_d(1)));
	cr_assert(is_blocked('b', fp_b(1, 7)));
	cr_assert_eq(wn_repo_db_bulk_blocks(admin, a, &blocks, &n_blocks), 0);
	cr_assert_eq(n_blocks, 1);
	cr_assert_eq(blocks[0].kind, 'd');
	cr_assert_eq(blocks[0].key, fp_d(1));
	cr_assert_str_eq(blocks[0].reason, "the town's newsletter");
	cr_assert_eq(blocks[0].blocked, fx.now);
	/* still counted: unblocking needs no new reports */
	cr_assert_eq(reporters_of('d', fp_d(1), "2026-11-02", "2026-11-02",
	    WN_FINGERPRINT_VERSION), 3);
	cr_assert_eq(wn_repo_db_bulk_unblock(admin, 'd', fp_d(1)), 0);
	cr_assert_eq(wn_repo_db_bulk_unblock(admin, 'd', fp_d(1)), WN_ENOENT);
	cr_assert(feed_has(1, &n));
	cr_assert_eq(n, 17, "all back");
	/* a band alone */
	b.kind = 'b';
	for (i = 0; i < 16; i++) {
		b.key = fp_b(1, (unsigned)i);
		cr_assert_eq(wn_repo_db_bulk_block(admin, &b), 0);
		cr_assert(feed_has(1, &n), "its digest still matches");
		cr_assert_eq(n, 16 - (size_t)i);
	}
	cr_assert(!is_blocked('d', fp_d(1)), "bands do not take the digest");
	cr_assert_eq(wn_repo_db_bulk_blocks(admin, a, &blocks, &n_blocks), 0);
	cr_assert_eq(n_blocks, 16);
	cr_assert_eq(blocks[0].kind, 'b');
	wn_repo_db_close(&admin);
	wn_arena_free(&a);
}

/* Text 5 is text 1 with another digest and the same bands: blocking text
 * 1 takes the shared bands out, and leaves text 5's digest. */
Test(bulk_store, a_blocked_text_takes_its_bands_along)
{
	static const unsigned f1[] = { 1 };
	wn_arena *a = wn_arena_new(0);
	wn_repo_bulk_block b;
	wn_intake_result res;
	size_t n;
	char *t;
	int i;

	for (i = 0; i < 3; i++)
		report_fps(i, "2026-11-02", WN_FINGERPRINT_VERSION, f1, 1);
	for (i = 2; i < 5; i++) {
		t = replace(a, mk_report(a, fx.key[i].pub.id, fx.next_id++,
		    "2026-11-02", "cooperative", WN_FINGERPRINT_VERSION, f1, 1),
		    "\"d\":\"d000000000000001\"", "\"d\":\"d000000000000005\"");
		cr_assert_eq(submit_text(i, t, &res), 201, "%s", res.message);
	}
	cr_assert(feed_has(1, &n));
	cr_assert_eq(n, 18, "two digests, 16 bands: got %zu", n);
	memset(&b, 0, sizeof(b));
	b.kind = 'd';
	b.key = fp_d(1);
	strcpy(b.reason, "x");
	cr_assert_eq(wn_repo_db_bulk_block(fx.db, &b), 0);
	cr_assert(!feed_has(1, &n));
	cr_assert_eq(n, 1, "text 5's digest alone: got %zu", n);
	cr_assert(!is_blocked('d', fp_d(5)));
	wn_arena_free(&a);
}

Test(bulk_store, purge_forgets_old_days)
{
	static const unsigned f1[] = { 1 };

	fx.in.bulk_keep = 0;	/* no purge until the clock moves */
	report_fps(0, "2026-10-30", WN_FINGERPRINT_VERSION, f1, 1);
	report_fps(0, "2026-11-01", WN_FINGERPRINT_VERSION, f1, 1);
	cr_assert_eq(reporters_of('d', fp_d(1), "2026-10-30", "2026-10-30",
	    WN_FINGERPRINT_VERSION), 1);
	/* the intake purges once a minute: the next submit is due */
	fx.in.bulk_keep = WN_INTAKE_BULK_KEEP;
	fx.now += 120;
	report_fps(1, "2026-11-02", WN_FINGERPRINT_VERSION, f1, 1);
	cr_assert_eq(reporters_of('d', fp_d(1), "2026-10-30", "2026-10-30",
	    WN_FINGERPRINT_VERSION), 0, "kept: 3 days by default");
	cr_assert_eq(reporters_of('d', fp_d(1), "2026-11-01", "2026-11-01",
	    WN_FINGERPRINT_VERSION), 1);
	cr_assert_eq(wn_repo_db_bulk_purge(fx.db, 20000000), 0);
	cr_assert_eq(reporters_of('d', fp_d(1), "2026-10-01", "2026-12-01",
	    WN_FINGERPRINT_VERSION), 0);
}

/* --- the endpoint -------------------------------------------------------- */

Test(bulk_feed_api, the_envelope_verifies_and_says_what_it_holds)
{
	static const unsigned f123[] = { 1, 2, 3 }, f1[] = { 1 };
	const wn_bulk_feed_info *info;
	wn_bulk_feed *f = NULL;
	wn_http_reply rep;
	char err[256], gen[21];
	const char *p, *q;
	int i;

	for (i = 0; i < 3; i++)
		report_fps(i, "2026-11-02", WN_FINGERPRINT_VERSION, f123, 3);
	report_fps(3, "2026-11-02", WN_FINGERPRINT_VERSION, f1, 1);
	memset(&rep, 0, sizeof(rep));
	wn_buf_init(&rep.body);
	cr_assert_eq(route("GET", NULL, &rep), 200);
	/* the feed text, keys sorted as strings: bands first, and 0b... before
	 * b0... (which the databases keep as a negative number) */
	wn_day_time_format(clock_now, gen, sizeof(gen));
	cr_assert_not_null(strstr(rep.body.data, "\"format\":"
	    "\"winnow-signed-bulk-feed-1\""));
	cr_assert_not_null(strstr(rep.body.data, gen), "generated is now");
	cr_assert_not_null(strstr(rep.body.data, "\\\"keys\\\":[\\\""
	    "b:0b00000000000200\\\""), "%s", rep.body.data);
	p = strstr(rep.body.data, "\\\"b:b000000000000100\\\"");
	q = strstr(rep.body.data, "\\\"b:b000000000000300\\\"");
	cr_assert(p != NULL && q != NULL && p < q, "%s", rep.body.data);
	p = strstr(rep.body.data, "\\\"d:0d00000000000002\\\",\\\"d:"
	    "d000000000000001\\\",\\\"d:d000000000000003\\\"]");
	cr_assert(p != NULL && p > q, "%s", rep.body.data);
	cr_assert_eq(wn_bulk_feed_parse(rep.body.data, rep.body.len,
	    &fx.feed_key.pub, clock_now, &f, err, sizeof(err)), 0, "%s", err);
	info = wn_bulk_feed_info_get(f);
	cr_assert_eq(info->n_digests, 3);
	cr_assert_eq(info->n_bands, 48);
	cr_assert_eq(info->min_reporters, 3);
	cr_assert_eq(info->generated, clock_now);
	cr_assert_eq(info->expires, clock_now + 2 * 86400);
	cr_assert_str_eq(info->key_id, fx.feed_key.pub.id);
	wn_bulk_feed_free(&f);
	/* under another key it does not verify */
	cr_assert_eq(wn_bulk_feed_parse(rep.body.data, rep.body.len,
	    &fx.stranger.pub, clock_now, &f, err, sizeof(err)), WN_EINVAL);
	/* HEAD answers as GET */
	cr_assert_eq(route("HEAD", NULL, &rep), 200);
	cr_assert_eq(route("POST", NULL, &rep), 405);
	cr_assert_str_eq(rep.allow, "GET, HEAD");
	wn_buf_fini(&rep.body);
}

Test(bulk_feed_api, etag_and_304)
{
	static const unsigned f1[] = { 1 }, f2[] = { 2 };
	char etag[72], etag2[72], list[200];
	wn_bulk_feed *f;
	wn_http_reply rep;
	int i;

	for (i = 0; i < 3; i++)
		report_fps(i, "2026-11-02", WN_FINGERPRINT_VERSION, f1, 1);
	f = fetch(etag);
	wn_bulk_feed_free(&f);
	memset(&rep, 0, sizeof(rep));
	wn_buf_init(&rep.body);
	cr_assert_eq(route("GET", etag, &rep), 304);
	cr_assert_eq(rep.body.len, 0);
	cr_assert_str_eq(rep.etag, etag);
	cr_assert_str_eq(rep.cache_control, "max-age=60");
	snprintf(list, sizeof(list), "\"x\", W/%s", etag);
	cr_assert_eq(route("GET", list, &rep), 304, "a list, a weak tag");
	cr_assert_eq(route("GET", "*", &rep), 304);
	cr_assert_eq(route("GET", "\"0123\"", &rep), 200);
	cr_assert_gt(rep.body.len, 0);
	/* minutes later, the same keys: the same envelope and ETag */
	clock_now += 600;
	cr_assert_eq(route("GET", etag, &rep), 304);
	f = fetch(etag2);
	wn_bulk_feed_free(&f);
	cr_assert_str_eq(etag2, etag);
	/* a new key: a new envelope */
	for (i = 0; i < 3; i++)
		report_fps(i, "2026-11-02", WN_FINGERPRINT_VERSION, f2, 1);
	clock_now += 61;
	cr_assert_eq(route("GET", etag, &rep), 200);
	cr_assert_str_neq(rep.etag, etag);
	strcpy(etag, rep.etag);
	/* an hour on, signed anew with fresh times */
	clock_now += 3600;
	f = fetch(etag2);
	cr_assert_str_neq(etag2, etag);
	cr_assert_eq(wn_bulk_feed_info_get(f)->generated, clock_now);
	wn_bulk_feed_free(&f);
	wn_buf_fini(&rep.body);
}

Test(bulk_feed_api, no_feed_key_is_404)
{
	wn_http_reply rep;

	fx.routes.bulk_feed = NULL;
	memset(&rep, 0, sizeof(rep));
	wn_buf_init(&rep.body);
	cr_assert_eq(route("GET", NULL, &rep), 404);
	cr_assert_str_eq(rep.body.data,
	    "{\"error\":\"no bulk feed on this repository\"}\n");
	cr_assert_eq(route("DELETE", NULL, &rep), 405);
	wn_buf_fini(&rep.body);
}

Test(bulk_feed_api, feed_bounds)
{
	wn_feed *f = NULL;

	cr_assert_eq(wn_feed_new(fx.db, &fx.feed_key, 0, 2, &f), WN_EINVAL);
	cr_assert_eq(wn_feed_new(fx.db, &fx.feed_key, 3, 0, &f), WN_EINVAL);
	cr_assert_eq(wn_feed_new(fx.db, &fx.feed_key, 3, WN_FEED_MAX_DAYS + 1,
	    &f), WN_EINVAL);
	cr_assert_null(f);
	cr_assert_eq(wn_feed_new(fx.db, &fx.feed_key, 1, WN_FEED_MAX_DAYS,
	    &f), 0);
	wn_feed_free(&f);
	cr_assert_null(f);
	wn_feed_free(&f);
}

Test(http, etag_match)
{
	static const char tag[] = "\"abc\"";

	cr_assert(!wn_http_etag_match(NULL, tag));
	cr_assert(!wn_http_etag_match("", tag));
	cr_assert(wn_http_etag_match("\"abc\"", tag));
	cr_assert(wn_http_etag_match("W/\"abc\"", tag));
	cr_assert(wn_http_etag_match("\"x\",\"abc\"", tag));
	cr_assert(wn_http_etag_match(" \"x\" , W/\"abc\" ", tag));
	cr_assert(wn_http_etag_match("*", tag));
	cr_assert(!wn_http_etag_match("\"abcd\"", tag));
	cr_assert(!wn_http_etag_match("\"ab\"", tag));
	cr_assert(!wn_http_etag_match("abc", tag));
	cr_assert(!wn_http_etag_match("\"abc", tag));
}

/* --- the schema ------------------------------------------------------------ */

static void
sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	char *err = NULL;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &err), SQLITE_OK,
	    "%s", err ? err : "");
	sqlite3_close(db);
}

static int
sql_int_cb(void *arg, int n, char **v, char **names)
{
	(void)n;
	(void)names;
	*(long *)arg = v[0] != NULL ? atol(v[0]) : -1;
	return 0;
}

static long
sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	long v = -1;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, sql_int_cb, &v, NULL), SQLITE_OK);
	sqlite3_close(db);
	return v;
}

Test(bulk_schema, a_version_2_database_upgrades_in_place)
{
	char dir[] = "/tmp/wn-test-bulk-old-XXXXXX", path[96], url[128];
	char cmd[128];
	wn_repo_bulk_block b;
	wn_reporter r;
	wn_repo_db *db;
	int64_t g = -1;

	wn_log_set_level(WN_LOG_ERR);
	cr_assert_eq(wn_sign_init(), 0);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/old.sqlite", dir);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	sql_exec(path, "CREATE TABLE schema_version (version INTEGER NOT "
	    "NULL); INSERT INTO schema_version VALUES (2);" WN_DB_SQLITE_V1
	    WN_DB_SQLITE_V2 "INSERT INTO reporters (key_id, public_key, name, "
	    "country, added) VALUES ('0123456789abcdef', 'x', 'old', 'DE', "
	    "1);");
	cr_assert_eq(sql_int(path, "SELECT COUNT(*) FROM sqlite_master WHERE "
	    "name = 'bulk_keys'"), 0);
	cr_assert_eq(wn_repo_db_open(url, 1, &db), 0);
	cr_assert_eq(wn_repo_db_reporter_get(db, "0123456789abcdef", &r), 0,
	    "the reporters stay");
	cr_assert_str_eq(r.name, "old");
	cr_assert_eq(wn_repo_db_bulk_generation(db, &g), 0);
	cr_assert_eq(g, 0);
	memset(&b, 0, sizeof(b));
	b.kind = 'b';
	b.key = UINT64_MAX;
	strcpy(b.reason, "test");
	cr_assert_eq(wn_repo_db_bulk_block(db, &b), 0,
	    "the bulk tables are there");
	wn_repo_db_close(&db);
	cr_assert_eq(sql_int(path, "SELECT version FROM schema_version"), 3);
	cr_assert_eq(sql_int(path, "SELECT key FROM bulk_blocks"), -1,
	    "2^64 - 1 is kept as -1");
	cr_assert_eq(sql_int(path, "SELECT generation FROM bulk_state"), 1);
	cr_assert_eq(wn_repo_db_open(url, 1, &db), 0, "opens again");
	wn_repo_db_close(&db);
	sql_exec(path, "UPDATE schema_version SET version = 4");
	cr_assert_eq(wn_repo_db_open(url, 1, &db), WN_EFORMAT,
	    "a newer schema is refused");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}
