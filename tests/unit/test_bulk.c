/* test_bulk.c - bulk detection of whole messages: keys, the text and
 * attachment counts, BULK_* symbols, exemption by a nobulk rule. Uses the
 * hand-made campaigns of tests/data/bulk and an LMDB bulk store. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include <winnow/bulk.h>
#include <winnow/err.h>
#include <winnow/mime.h>
#include <winnow/rules.h>

#define BULK_DIR	WN_TEST_DATA "/bulk"
#define T0		1700000000

static char dir[64], path[128];
static wn_arena *arena;
static wn_bulk_store *bs;
static wn_bulk_params params;

static void
setup(void)
{
	char err[256];

	strcpy(dir, "/tmp/wn-bulk-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bulk.lmdb", dir);
	cr_assert_eq(wn_bulk_store_open(path, 0, &bs, NULL, err, sizeof(err)),
	    0, "%s", err);
	arena = wn_arena_new(0);
	wn_bulk_params_default(&params);
}

static void
teardown(void)
{
	char cmd[128];

	wn_bulk_store_close(&bs);
	wn_arena_free(&arena);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(bulk, .init = setup, .fini = teardown);

static wn_mime_msg *
parse_text(const char *data, size_t len)
{
	wn_mime_msg *m;
	char *copy = wn_arena_alloc(arena, len + 1);

	cr_assert_not_null(copy);
	memcpy(copy, data, len);
	copy[len] = '\0';
	cr_assert_eq(wn_mime_parse(arena, copy, len, NULL, &m), 0);
	return m;
}

static wn_mime_msg *
parse_file(const char *name)
{
	char p[512], *buf;
	FILE *f;
	long n;
	wn_mime_msg *m;

	snprintf(p, sizeof(p), "%s/%s", BULK_DIR, name);
	cr_assert_not_null(f = fopen(p, "rb"), "%s", p);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	m = parse_text(buf, (size_t)n);
	free(buf);
	return m;
}

/* One copy to rcpts recipients from sender at t; its result. */
static wn_bulk_result
send(const wn_mime_msg *m, uint32_t rcpts, const char *sender, int64_t t,
    const wn_rules *rs, const wn_rules_result *hits)
{
	wn_bulk_obs o = { rcpts, wn_bulk_sender_hash(sender), t,
	    params.window };
	wn_bulk_result r;
	int rc = wn_bulk_check(bs, &params, m, rs, hits, &o, true, &r);

	cr_assert_eq(rc, 0, "%s", wn_bulk_store_error(bs));
	return r;
}

/* The symbols r earns, as "A B" ("" for none). */
static const char *
symbols(const wn_bulk_result *r)
{
	static char out[128];
	wn_verdict v;
	size_t i;
	int n;

	wn_verdict_init(&v, 5.0);
	n = wn_bulk_symbols(arena, &params, r, &v);
	cr_assert_geq(n, 0);
	out[0] = '\0';
	for (i = 0; i < v.n; i++) {
		if (i > 0)
			strcat(out, " ");
		strcat(out, v.v[i].name);
	}
	return out;
}

Test(bulk, keys_of_a_message)
{
	wn_bulk_key keys[WN_BULK_MAX_KEYS];
	wn_fingerprint fp;
	wn_mime_msg *m;
	size_t n, na;

	m = parse_file("campaign-loan-1.eml");
	cr_assert_eq(wn_fingerprint_compute(m, &fp), 0);
	n = wn_bulk_keys(m, &fp, keys, &na);
	cr_expect_eq(n, 1 + WN_FINGERPRINT_BANDS);
	cr_expect_eq(na, 0);
	cr_expect_eq(keys[0].b[0], WN_BULK_KEY_DIGEST);
	cr_expect_eq(keys[1].b[0], WN_BULK_KEY_BAND);
	cr_expect_eq(keys[16].b[1], 15, "band index in the key");

	m = parse_file("short-attachment.eml");
	cr_assert_eq(wn_fingerprint_compute(m, &fp), 0);
	n = wn_bulk_keys(m, &fp, keys, &na);
	cr_expect_eq(na, 1);
	cr_expect_eq(keys[n - 1].b[0], WN_BULK_KEY_ATTACHMENT);

	m = parse_file("short-empty.eml");
	cr_assert_eq(wn_fingerprint_compute(m, &fp), 0);
	n = wn_bulk_keys(m, &fp, keys, &na);
	cr_expect_eq(n, 0, "an empty text is not counted");
}

/* Four per-recipient variants of each campaign, two recipients each: the
 * fourth copy of every campaign has 8 recipients (BULK_LOW at 5), and the
 * unrelated messages stay at their own recipients. */
Test(bulk, campaigns_counted_across_variants)
{
	static const char *const camp[] = { "loan", "phish", "sale",
	    "webinaire" };
	char name[64];
	wn_bulk_result r;
	size_t c, v;

	for (c = 0; c < 4; c++)
		for (v = 1; v <= 4; v++) {
			snprintf(name, sizeof(name), "campaign-%s-%zu.eml",
			    camp[c], v);
			r = send(parse_file(name), 2, "news@example.com",
			    T0 + (int64_t)(c * 10 + v), NULL, NULL);
			cr_expect_geq(r.text.recipients, 2 * v - 2 + 1,
			    "%s: %u recipients", name, r.text.recipients);
			cr_expect_leq(r.text.recipients, 2 * v, "%s", name);
			if (v == 1)
				cr_expect_str_eq(symbols(&r), "", "%s", name);
		}
	cr_expect_str_eq(symbols(&r), "BULK_LOW");
	r = send(parse_file("single-hiking.eml"), 1, "friend@example.org",
	    T0 + 100, NULL, NULL);
	cr_expect_eq(r.text.recipients, 1);
	cr_expect_str_eq(symbols(&r), "");
}

Test(bulk, thresholds_and_senders)
{
	wn_mime_msg *m = parse_file("campaign-phish-1.eml");
	wn_bulk_result r;

	r = send(m, 19, "a@x.example", T0, NULL, NULL);
	cr_expect_str_eq(symbols(&r), "BULK_LOW");
	r = send(m, 1, "b@y.example", T0 + 1, NULL, NULL);
	cr_expect_eq(r.text.recipients, 20);
	cr_expect(r.text_exact);
	cr_expect_str_eq(symbols(&r), "BULK_MEDIUM");
	r = send(m, 80, "C@Z.example", T0 + 2, NULL, NULL);
	cr_expect_eq(r.text.senders, 3);
	cr_expect_str_eq(symbols(&r), "BULK_HIGH BULK_SENDERS");
	/* the same sender in other case is the same sender */
	r = send(m, 1, "c@z.example", T0 + 3, NULL, NULL);
	cr_expect_eq(r.text.senders, 3);
	/* a threshold of 0 turns its symbol off */
	params.high = 0;
	params.senders = 0;
	cr_expect_str_eq(symbols(&r), "BULK_MEDIUM");
}

/* Peeking does not count: winnow bulk check without --record. */
Test(bulk, peek_does_not_count)
{
	wn_mime_msg *m = parse_file("campaign-sale-2.eml");
	wn_bulk_obs o = { 50, 1, T0, 86400 };
	wn_bulk_result r;

	cr_assert_eq(wn_bulk_check(bs, &params, m, NULL, NULL, &o, false, &r),
	    0);
	cr_expect_eq(r.text.recipients, 0);
	r = send(m, 3, "s@example.com", T0, NULL, NULL);
	cr_expect_eq(r.text.recipients, 3);
}

Test(bulk, same_attachment_different_text)
{
	static const char fmt[] =
	    "From: x@example.net\r\nTo: y@example.org\r\nSubject: invoice "
	    "%d\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
	    "boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n"
	    "Dear customer %d, your invoice for order %d is attached, "
	    "%s\r\n--B\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Disposition: attachment; filename=\"invoice.zip\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\nUEsDBBQAAAAIAAAAIQBsb2FkZXIuanM=\r\n--B--\r\n";
	static const char *const tails[] = { "thanks", "regards",
	    "please pay today", "best wishes from accounts",
	    "kind regards from the billing team" };
	char buf[1024];
	wn_bulk_result r;
	int i, n;

	for (i = 0; i < 5; i++) {
		n = snprintf(buf, sizeof(buf), fmt, i, i, i * 7, tails[i]);
		r = send(parse_text(buf, (size_t)n), 2, "x@example.net",
		    T0 + i, NULL, NULL);
	}
	cr_expect_eq(r.n_attachments, 1);
	cr_expect_eq(r.attachment.recipients, 10);
	cr_expect_neq(strstr(symbols(&r), "BULK_ATTACHMENT"), NULL, "%s",
	    symbols(&r));
}

/* A list the operator trusts: its rule has tflags nobulk and scores 0;
 * its messages are neither counted nor flagged. */
Test(bulk, nobulk_rule_exempts)
{
	static const char msg[] =
	    "From: announce@lists.example.org\r\nTo: you@example.com\r\n"
	    "List-Id: Announcements <announce.lists.example.org>\r\n"
	    "Subject: release notes\r\n\r\nThe new release of the software "
	    "is out with many fixes and a faster parser for everyone.\r\n";
	char rules_path[160];
	const char *paths[1] = { rules_path };
	wn_diag_list diags;
	wn_rules *rs = NULL;
	wn_rules_worker *w = NULL;
	wn_rules_result hits;
	wn_mime_msg *m;
	wn_bulk_result r;
	FILE *f;

	snprintf(rules_path, sizeof(rules_path), "%s/lists.cf", dir);
	cr_assert_not_null(f = fopen(rules_path, "w"));
	fputs("header LOCAL_TRUSTED_LIST List-Id =~ "
	    "/<announce\\.lists\\.example\\.org>/\n"
	    "score LOCAL_TRUSTED_LIST 0\n"
	    "tflags LOCAL_TRUSTED_LIST nobulk\n", f);
	fclose(f);
	wn_diag_list_init(&diags);
	cr_assert_eq(wn_rules_load(paths, 1, NULL, &diags, &rs), 0);
	cr_assert_eq(diags.errors, 0);
	cr_assert_eq(wn_rules_worker_new(rs, &w), 0);
	m = parse_text(msg, sizeof(msg) - 1);
	cr_assert_eq(wn_rules_match(rs, w, arena, m, msg, sizeof(msg) - 1, 0,
	    0, &hits), 0);
	cr_assert_eq(hits.n_hits, 1, "the 0-score nobulk rule runs");
	r = send(m, 500, "announce@lists.example.org", T0, rs, &hits);
	cr_expect(r.exempt);
	cr_expect_str_eq(r.exempt_rule, "LOCAL_TRUSTED_LIST");
	cr_expect_str_eq(symbols(&r), "");
	/* not counted: the same text without the rule's hit is new */
	r = send(m, 1, "announce@lists.example.org", T0 + 1, NULL, NULL);
	cr_expect_eq(r.text.recipients, 1);
	wn_rules_worker_free(&w);
	wn_rules_free(&rs);
	wn_diag_list_fini(&diags);
}

Test(bulk, sender_hash_folds_per_copy_addresses)
{
	uint32_t h = wn_bulk_sender_hash("news-bounce-3512@comics.example");

	cr_expect_eq(h, wn_bulk_sender_hash("News-Bounce-9921@Comics.Example"));
	cr_expect_eq(h, wn_bulk_sender_hash("news-bounce@comics.example"));
	cr_expect_eq(wn_bulk_sender_hash("shop+u8821@x.example"),
	    wn_bulk_sender_hash("shop@x.example"));
	cr_expect_eq(wn_bulk_sender_hash("bounce-mc.us5_77.9-user=a.example"
	    "@mail.example"), wn_bulk_sender_hash("bounce-mc-us5-user@mail."
	    "example"));
	cr_expect_eq(wn_bulk_sender_hash("n-u8812@x.example"),
	    wn_bulk_sender_hash("n-u1177@x.example"));
	cr_expect_neq(wn_bulk_sender_hash("shop1@x.example"),
	    wn_bulk_sender_hash("shop2@x.example"));
	cr_expect_neq(wn_bulk_sender_hash("alice@x.example"),
	    wn_bulk_sender_hash("bob@x.example"));
	cr_expect_neq(wn_bulk_sender_hash("alice@x.example"),
	    wn_bulk_sender_hash("alice@y.example"));
	cr_expect_eq(wn_bulk_sender_hash(NULL), wn_bulk_sender_hash(""));
	cr_expect_neq(wn_bulk_sender_hash(""), 0);
}
