/*
 * test_report.c - reports from sealed periods: sharing levels, small
 * cells merged into "other", bulk detections, bulk fingerprints, no
 * client address, deterministic bytes, and the signed envelope; key
 * files.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/mime.h>
#include <winnow/report.h>

static char dir[256];
static char err[512];
static wn_stats_period *period;

static void
count(wn_stats *st, const char *cc, const char *client, bool spam,
    const char *rule, enum wn_stats_bulk bulk, bool senders)
{
	wn_symbol sym = { rule, 1.0 };
	wn_ipaddr ip;
	wn_stats_msg m = { 0 };

	cr_assert_eq(wn_ipaddr_parse(client, &ip), 0);
	m.outcome = WN_STATS_SCANNED;
	m.action = spam ? WN_ACTION_REJECT : WN_ACTION_ACCEPT;
	m.spam = spam;
	m.score = spam ? 20 : -2;
	m.spf = 2;
	m.symbols = &sym;
	m.n_symbols = 1;
	m.scan_ms = 1.5;
	snprintf(m.country, sizeof(m.country), "%s", cc);
	m.client = &ip;
	m.bulk = bulk;
	m.bulk_senders = senders;
	wn_stats_record(st, &m);
}

/* 12 spam from 203.0.113.0/24 (US), 1 spam from 198.51.100.0/24 (JP),
 * 6 ham from 192.0.2.0/24 (country unknown). Bulk: 4 of the US spam
 * BULK_HIGH with BULK_SENDERS, 3 BULK_MEDIUM, the JP one unchecked; of
 * the ham 1 BULK_LOW, 1 exempt. */
static void
setup(void)
{
	wn_stats_opts o = { dir, 3600, true };
	wn_stats *st;
	char **paths;
	size_t n;
	int i;

	snprintf(dir, sizeof(dir), "/tmp/wn-report-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(wn_stats_open(&o, 1790002800, &st, err, sizeof(err)), 0,
	    "%s", err);
	wn_stats_set_rulesets(st, "core 1.0.0\nbad name 1\n");
	for (i = 0; i < 12; i++)
		count(st, "US", "203.0.113.77", true, "BAYES_99",
		    i < 4 ? WN_STATS_BULK_HIGH : i < 7 ? WN_STATS_BULK_MEDIUM :
		    WN_STATS_BULK_NONE, i < 4);
	count(st, "JP", "198.51.100.23", true, "RARE_RULE",
	    WN_STATS_BULK_OFF, false);
	for (i = 0; i < 6; i++)
		count(st, "", "192.0.2.44", false, "BAYES_00",
		    i == 0 ? WN_STATS_BULK_LOW : i == 1 ? WN_STATS_BULK_EXEMPT :
		    WN_STATS_BULK_NONE, false);
	wn_stats_free(&st, 1790002800 + 3600);
	cr_assert_eq(wn_stats_spool_list(dir, &paths, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(wn_stats_period_load(paths[0], &period, err,
	    sizeof(err)), 0, "%s", err);
	wn_stats_spool_list_free(paths, n);
}

static void
teardown(void)
{
	char cmd[300];

	wn_stats_period_free(&period);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
}

static char *
build(enum wn_sharing sharing)
{
	wn_report_opts o = { sharing, 5, 10, "DE", "isp",
	    "0123456789abcdef" };
	wn_buf b;
	char *s;

	wn_buf_init(&b);
	cr_assert_eq(wn_report_build(period, &o, &b), 0);
	s = strdup(b.data);
	wn_buf_fini(&b);
	return s;
}

TestSuite(report, .init = setup, .fini = teardown);

Test(report, minimal_is_volumes_only)
{
	char *r = build(WN_SHARING_MINIMAL);

	cr_assert_not_null(strstr(r, "\"format\":\"winnow-report-1\""));
	cr_assert_not_null(strstr(r, "\"total\":19,\"scanned\":19"));
	cr_assert_not_null(strstr(r, "\"verdict\":{\"ham\":6,\"spam\":13}"));
	cr_assert_not_null(strstr(r, "\"reject\":13"));
	cr_assert_not_null(strstr(r, "\"reporter\":{\"key_id\":"
	    "\"0123456789abcdef\",\"country\":\"DE\",\"operator_type\":"
	    "\"isp\"}"));
	cr_assert_not_null(strstr(r, "\"rulesets\":[{\"name\":\"core\","
	    "\"version\":\"1.0.0\"}]"), "%s", r);
	cr_assert_not_null(strstr(r, "\"start\":\"2026-09-21T15:00:00Z\""),
	    "%s", r);
	cr_assert_null(strstr(r, "\"spf\""));
	cr_assert_null(strstr(r, "\"bulk\""), "bulk is a standard section");
	cr_assert_null(strstr(r, "\"rules\""));
	cr_assert_null(strstr(r, "\"countries\""));
	cr_assert_null(strstr(r, "\"prefixes\""));
	free(r);
}

Test(report, standard_merges_small_cells_into_other)
{
	char *r = build(WN_SHARING_STANDARD);

	cr_assert_not_null(strstr(r, "\"spf\":{\"none\":0,\"neutral\":0,"
	    "\"pass\":19,"), "%s", r);
	cr_assert_not_null(strstr(r, "{\"name\":\"BAYES_99\",\"spam\":12,"
	    "\"ham\":0}"));
	cr_assert_not_null(strstr(r, "{\"name\":\"BAYES_00\",\"spam\":0,"
	    "\"ham\":6}"));
	cr_assert_null(strstr(r, "RARE_RULE"), "1 hit is below 5");
	cr_assert_not_null(strstr(r, "{\"name\":\"other\",\"spam\":1,"
	    "\"ham\":0}"));
	cr_assert_not_null(strstr(r, "{\"country\":\"US\",\"messages\":12,"
	    "\"spam\":12}"));
	cr_assert_null(strstr(r, "\"JP\""), "1 message is below 5");
	cr_assert_not_null(strstr(r, "{\"country\":\"other\",\"messages\":1,"
	    "\"spam\":1}"));
	cr_assert_not_null(strstr(r, "{\"country\":\"unknown\","
	    "\"messages\":6,\"spam\":0}"));
	cr_assert_not_null(strstr(r, "\"p50_ms\":"));
	cr_assert_null(strstr(r, "\"prefixes\""));
	free(r);
}

/* The bulk section is whole (no merging: there are no small cells of
 * its own), at standard and cooperative, after spf. */
Test(report, bulk_detections_from_standard_up)
{
	static const char want[] = "\"bulk\":{"
	    "\"ham\":{\"checked\":6,\"exempt\":1,\"flagged\":1,\"low\":1,"
	    "\"medium\":0,\"high\":0,\"senders\":0,\"attachment\":0},"
	    "\"spam\":{\"checked\":12,\"exempt\":0,\"flagged\":7,\"low\":0,"
	    "\"medium\":3,\"high\":4,\"senders\":4,\"attachment\":0}},"
	    "\"rules\":[";
	enum wn_sharing s;

	for (s = WN_SHARING_STANDARD; s <= WN_SHARING_COOPERATIVE; s++) {
		char *r = build(s);

		cr_assert_not_null(strstr(r, want), "%s", r);
		free(r);
	}
}

/* A period counted before bulk detections were has no bulk section at
 * all: "not counted" must not read as "none found". */
Test(report, a_period_without_bulk_counts_has_no_bulk_section)
{
	char *r;

	period->bulk_counted = false;
	r = build(WN_SHARING_COOPERATIVE);
	cr_assert_null(strstr(r, "\"bulk\""), "%s", r);
	cr_assert_not_null(strstr(r, "\"spf\":{"));
	free(r);
}

Test(report, cooperative_adds_prefixes_above_their_minimum)
{
	char *r = build(WN_SHARING_COOPERATIVE);

	cr_assert_not_null(strstr(r, "\"prefixes\":[{\"prefix\":"
	    "\"203.0.113.0/24\",\"spam\":12},{\"prefix\":\"other\","
	    "\"spam\":1}]"), "%s", r);
	cr_assert_null(strstr(r, "198.51.100"));
	free(r);
}

Test(report, never_holds_a_client_address)
{
	enum wn_sharing s;

	for (s = WN_SHARING_MINIMAL; s <= WN_SHARING_COOPERATIVE; s++) {
		char *r = build(s);

		cr_assert_null(strstr(r, "203.0.113.77"));
		cr_assert_null(strstr(r, "198.51.100.23"));
		cr_assert_null(strstr(r, "192.0.2"), "ham sources never");
		free(r);
	}
}

Test(report, the_same_period_gives_the_same_bytes)
{
	char *a = build(WN_SHARING_COOPERATIVE);
	char *b = build(WN_SHARING_COOPERATIVE);

	cr_assert_str_eq(a, b);
	free(a);
	free(b);
}

/* the value of "key":"..." in a one-line JSON object (no escapes) */
static void
field(const char *json, const char *key, char *out, size_t len)
{
	char pat[64];
	const char *p, *q;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	p = strstr(json, pat);
	cr_assert_not_null(p, "%s missing", key);
	p += strlen(pat);
	q = strchr(p, '"');
	cr_assert_lt((size_t)(q - p), len);
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = '\0';
}

Test(report, the_envelope_verifies_and_only_for_its_report)
{
	const char *report = "{\"format\":\"winnow-report-1\"}";
	char key_id[32], t[32], nonce[64], sig[128];
	wn_seckey k;
	wn_buf env, msg;

	cr_assert_eq(wn_seckey_generate(&k), 0);
	wn_buf_init(&env);
	cr_assert_eq(wn_report_envelope(report, strlen(report), &k,
	    1790002800, &env), 0);
	cr_assert_not_null(strstr(env.data, "\"format\":"
	    "\"winnow-signed-report-1\""));
	cr_assert_not_null(strstr(env.data, "\"report\":\"{\\\"format\\\":"
	    "\\\"winnow-report-1\\\"}\""), "%s", env.data);
	field(env.data, "key_id", key_id, sizeof(key_id));
	field(env.data, "signed_at", t, sizeof(t));
	field(env.data, "nonce", nonce, sizeof(nonce));
	field(env.data, "signature", sig, sizeof(sig));
	cr_assert_str_eq(key_id, k.pub.id);
	cr_assert_str_eq(t, "2026-09-21T15:00:00Z");
	cr_assert_eq(strlen(nonce), 32);
	wn_buf_init(&msg);
	wn_buf_printf(&msg, "winnow-signed-report-1\n%s\n%s\n%s\n%s", key_id,
	    t, nonce, report);
	cr_assert(wn_sign_verify(&k.pub, msg.data, msg.len, sig));
	msg.data[msg.len - 2] = 'X';	/* the report changed */
	cr_assert_not(wn_sign_verify(&k.pub, msg.data, msg.len, sig));
	wn_buf_fini(&msg);
	wn_buf_fini(&env);
}

Test(report, key_files_round_trip_and_refuse_garbage)
{
	char path[512], line[128];
	wn_seckey k, k2;
	wn_pubkey p;
	FILE *f;
	struct stat sb;

	cr_assert_eq(wn_seckey_generate(&k), 0);
	cr_assert_eq(wn_seckey_save(&k, dir, "op"), 0);
	cr_assert_neq(wn_seckey_save(&k, dir, "op"), 0, "never overwrite");
	snprintf(path, sizeof(path), "%s/op.key", dir);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	cr_assert_eq(wn_seckey_load(path, &k2), 0);
	cr_assert_str_eq(k2.pub.id, k.pub.id);
	cr_assert_eq(wn_pubkey_load(path, &p), WN_EFORMAT, "a secret key is "
	    "not a public key");
	snprintf(path, sizeof(path), "%s/op.pub", dir);
	cr_assert_eq(wn_pubkey_load(path, &p), 0);
	cr_assert_str_eq(p.id, k.pub.id);
	cr_assert_eq(strlen(p.id), 16);
	wn_pubkey_format(&p, line, sizeof(line));
	cr_assert_eq(wn_pubkey_parse(line, strlen(line), &p), 0);
	cr_assert_eq(wn_pubkey_parse("winnow-ed25519-public AAAA", 26, &p),
	    WN_EFORMAT);
	snprintf(path, sizeof(path), "%s/garbage.key", dir);
	f = fopen(path, "w");
	fputs("winnow-ed25519-secret !!!not base64!!!\n", f);
	fclose(f);
	cr_assert_eq(wn_seckey_load(path, &k2), WN_EFORMAT);
	snprintf(path, sizeof(path), "%s/none.key", dir);
	cr_assert_eq(wn_seckey_load(path, &k2), WN_ENOENT);
}

/* --- bulk fingerprints ----------------------------------------------- */

/* Two texts kept, given here rather than counted, for the exact bytes. */
static void
keep_two_fingerprints(void)
{
	size_t i;
	unsigned k;

	period->fingerprints_counted = true;
	period->fingerprint_version = WN_FINGERPRINT_VERSION;
	period->fingerprints = wn_calloc(2, sizeof(*period->fingerprints));
	cr_assert_not_null(period->fingerprints);
	period->n_fingerprints = 2;
	period->fingerprints[0].d = 0x0123456789abcdefull;
	period->fingerprints[1].d = 0xfedcba9876543210ull;
	for (i = 0; i < 2; i++)
		for (k = 0; k < WN_FINGERPRINT_BANDS; k++)
			period->fingerprints[i].b[k] = i == 0 ? k :
			    0xffffffffffff0000ull + k;
	period->fingerprints_dropped = 3;
}

Test(report, cooperative_carries_bulk_fingerprints_in_the_contract_shape)
{
	char want[2048], *r;
	size_t o;
	unsigned i, k;

	keep_two_fingerprints();
	o = (size_t)snprintf(want, sizeof(want), ",\"bulk_fingerprints\":{"
	    "\"fingerprint_version\":%d,\"items\":[", WN_FINGERPRINT_VERSION);
	for (i = 0; i < 2; i++) {
		o += (size_t)snprintf(want + o, sizeof(want) - o,
		    "%s{\"d\":\"%s\",\"b\":[", i ? "," : "",
		    i ? "fedcba9876543210" : "0123456789abcdef");
		for (k = 0; k < WN_FINGERPRINT_BANDS; k++)
			o += (size_t)snprintf(want + o, sizeof(want) - o,
			    "%s\"%s%02x\"", k ? "," : "",
			    i ? "ffffffffffff00" : "00000000000000", k);
		o += (size_t)snprintf(want + o, sizeof(want) - o, "]}");
	}
	snprintf(want + o, sizeof(want) - o, "],\"dropped\":3}}");
	r = build(WN_SHARING_COOPERATIVE);
	cr_assert_not_null(strstr(r, want), "want %s\ngot %s", want, r);
	/* the last section: after prefixes, then the report ends */
	cr_assert_str_eq(r + strlen(r) - strlen(want), want);
	cr_assert_not_null(strstr(r, "\"prefixes\":["));
	free(r);
}

Test(report, bulk_fingerprints_only_at_cooperative)
{
	enum wn_sharing s;

	keep_two_fingerprints();
	for (s = WN_SHARING_MINIMAL; s < WN_SHARING_COOPERATIVE; s++) {
		char *r = build(s);

		cr_assert_null(strstr(r, "bulk_fingerprints"), "%s", r);
		cr_assert_null(strstr(r, "fedcba9876543210"), "%s", r);
		free(r);
	}
}

/* Counted and none kept: an empty list, which differs from a period that
 * did not count them (no section at all). The setup's period is of the
 * first kind: cooperative, and none of its spam had a fingerprint. */
Test(report, none_kept_is_an_empty_list_not_counted_is_no_section)
{
	char want[128], *r = build(WN_SHARING_COOPERATIVE);

	cr_assert(period->fingerprints_counted);
	snprintf(want, sizeof(want), ",\"bulk_fingerprints\":{"
	    "\"fingerprint_version\":%d,\"items\":[],\"dropped\":0}}",
	    WN_FINGERPRINT_VERSION);
	cr_assert_not_null(strstr(r, want), "%s", r);
	free(r);
	period->fingerprints_counted = false;
	r = build(WN_SHARING_COOPERATIVE);
	cr_assert_null(strstr(r, "bulk_fingerprints"), "%s", r);
	free(r);
}

/*
 * From a message to the report: the keys of a real fingerprint, counted
 * and sealed, come out as the contract writes them: "d" is the first 16
 * hex digits of wn_fingerprint_hex, "b" its 16 band keys in order.
 */
Test(report, a_counted_text_reports_its_fingerprint_keys)
{
	static const char msg[] = "Subject: your mailbox is almost full\r\n"
	    "\r\nDear customer, your mailbox storage is almost full and new "
	    "messages will be refused soon. Verify your account today to "
	    "keep receiving mail without interruption.\r\n";
	wn_stats_opts o = { dir, 3600, true };
	wn_report_opts ro = { WN_SHARING_COOPERATIVE, 1, 1, "DE", "isp",
	    "0123456789abcdef" };
	char hex[WN_FINGERPRINT_HEX_SIZE], want[512], spool2[300];
	wn_arena *a = wn_arena_new(0);
	wn_stats_period *p = NULL;
	wn_mime_msg *m;
	wn_fingerprint fp;
	wn_stats_msg sm = { 0 };
	wn_stats *st;
	wn_buf b;
	char **paths, *copy;
	size_t n, i, off;

	cr_assert_not_null(a);
	copy = wn_arena_alloc(a, sizeof(msg));
	memcpy(copy, msg, sizeof(msg));
	cr_assert_eq(wn_mime_parse(a, copy, sizeof(msg) - 1, NULL, &m), 0);
	cr_assert_eq(wn_fingerprint_compute(m, &fp), 0);
	cr_assert_not(fp.flags & WN_FINGERPRINT_SHORT);
	wn_fingerprint_hex(&fp, hex);

	snprintf(spool2, sizeof(spool2), "%s/coop", dir);
	o.spool = spool2;
	cr_assert_eq(wn_stats_open(&o, 1790002800, &st, err, sizeof(err)), 0,
	    "%s", err);
	sm.outcome = WN_STATS_SCANNED;
	sm.action = WN_ACTION_REJECT;
	sm.spam = true;
	sm.spf = -1;
	sm.bulk = WN_STATS_BULK_MEDIUM;
	sm.fingerprint = &fp;
	wn_stats_record(st, &sm);
	wn_stats_record(st, &sm);
	wn_stats_free(&st, 1790002800 + 60);
	cr_assert_eq(wn_stats_spool_list(spool2, &paths, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(wn_stats_period_load(paths[0], &p, err, sizeof(err)), 0,
	    "%s", err);
	wn_stats_spool_list_free(paths, n);

	/* "<32 hex digest>:<16 hex>:..." -> {"d":"<first 16>","b":[...]} */
	off = (size_t)snprintf(want, sizeof(want), "\"items\":[{\"d\":"
	    "\"%.16s\",\"b\":[", hex);
	for (i = 0; i < WN_FINGERPRINT_BANDS; i++)
		off += (size_t)snprintf(want + off, sizeof(want) - off,
		    "%s\"%.16s\"", i ? "," : "",
		    hex + 2 * WN_FINGERPRINT_DIGEST_LEN + 1 + 17 * i);
	snprintf(want + off, sizeof(want) - off, "]}],\"dropped\":0}");
	wn_buf_init(&b);
	cr_assert_eq(wn_report_build(p, &ro, &b), 0);
	cr_assert_not_null(strstr(b.data, want), "want %s\ngot %s", want,
	    b.data);
	wn_buf_fini(&b);
	wn_stats_period_free(&p);
	wn_arena_free(&a);
}
