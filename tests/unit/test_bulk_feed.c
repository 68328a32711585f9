/* test_bulk_feed.c - the signed feed of shared bulk keys: built and
 * checked, every refusal, and matching a message's fingerprint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <winnow/bulk_feed.h>
#include <winnow/err.h>
#include <winnow/mime.h>

#define NOW 1800000000

static wn_seckey sk, other;
static wn_arena *arena;

static void
setup(void)
{
	cr_assert_eq(wn_sign_init(), 0);
	cr_assert_eq(wn_seckey_generate(&sk), 0);
	cr_assert_eq(wn_seckey_generate(&other), 0);
	arena = wn_arena_new(0);
}

static void
teardown(void)
{
	wn_arena_free(&arena);
}

TestSuite(bulk_feed, .init = setup, .fini = teardown);

static void
fp_of_file(const char *name, wn_fingerprint *fp)
{
	char path[512], *buf;
	wn_mime_msg *m;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/bulk/%s", WN_TEST_DATA, name);
	cr_assert_not_null(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	cr_assert_not_null(buf = wn_arena_alloc(arena, (size_t)n + 1));
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	cr_assert_eq(wn_mime_parse(arena, buf, (size_t)n, NULL, &m), 0);
	cr_assert_eq(wn_fingerprint_compute(m, fp), 0);
}

static char keybuf[32][19];

static const char *
key(char kind, uint64_t v, int slot)
{
	snprintf(keybuf[slot], sizeof(keybuf[slot]), "%c:%016llx", kind,
	    (unsigned long long)v);
	return keybuf[slot];
}

static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A feed holding k of fp's band keys (and its digest when with_digest). */
static void
feed_of(const wn_fingerprint *fp, size_t k, bool with_digest, wn_buf *out)
{
	const char *keys[20];
	size_t n = 0, i;

	for (i = 0; i < k; i++, n++)
		keys[n] = key('b', fp->bands[i], (int)n);
	if (with_digest) {
		keys[n] = key('d', wn_bulk_feed_digest_key(fp), (int)n);
		n++;
	}
	qsort(keys, n, sizeof(keys[0]), strp_cmp);
	wn_buf_init(out);
	cr_assert_eq(wn_bulk_feed_build(keys, n, NOW - 60, NOW + 86400, 3,
	    &sk, out), 0);
}

static int
parse(const wn_buf *b, const wn_pubkey *pk, int64_t now, wn_bulk_feed **f,
    char *err)
{
	return wn_bulk_feed_parse(b->data, b->len, pk, now, f, err, 256);
}

Test(bulk_feed, built_checked_and_matched)
{
	wn_fingerprint a, copy, other_msg;
	wn_bulk_feed *f = NULL;
	char err[256];
	wn_buf b;

	fp_of_file("campaign-loan-1.eml", &a);
	fp_of_file("campaign-loan-2.eml", &copy);
	fp_of_file("single-hiking.eml", &other_msg);
	feed_of(&a, 16, true, &b);
	cr_assert_eq(parse(&b, &sk.pub, NOW, &f, err), 0, "%s", err);
	cr_expect_eq(wn_bulk_feed_info_get(f)->n_bands, 16);
	cr_expect_eq(wn_bulk_feed_info_get(f)->n_digests, 1);
	cr_expect_eq(wn_bulk_feed_info_get(f)->min_reporters, 3);
	cr_expect_str_eq(wn_bulk_feed_info_get(f)->key_id, sk.pub.id);
	cr_expect(wn_bulk_feed_match(f, &a));
	cr_expect(wn_bulk_feed_match(f, &copy),
	    "a per-recipient copy shares bands");
	cr_expect(!wn_bulk_feed_match(f, &other_msg));
	wn_bulk_feed_free(&f);
	wn_buf_fini(&b);
}

/* One band is not enough (a chance collision); two are. */
Test(bulk_feed, two_bands_needed)
{
	wn_fingerprint a;
	wn_bulk_feed *f = NULL;
	char err[256];
	wn_buf b;

	fp_of_file("campaign-phish-1.eml", &a);
	feed_of(&a, 1, false, &b);
	cr_assert_eq(parse(&b, &sk.pub, NOW, &f, err), 0, "%s", err);
	cr_expect(!wn_bulk_feed_match(f, &a));
	wn_bulk_feed_free(&f);
	wn_buf_fini(&b);
	feed_of(&a, 2, false, &b);
	cr_assert_eq(parse(&b, &sk.pub, NOW, &f, err), 0, "%s", err);
	cr_expect(wn_bulk_feed_match(f, &a));
	wn_bulk_feed_free(&f);
	wn_buf_fini(&b);
	/* a short text never matches */
	fp_of_file("short-thanks.eml", &a);
	cr_expect(!wn_bulk_feed_match(NULL, &a));
}

Test(bulk_feed, refusals)
{
	wn_fingerprint a;
	wn_bulk_feed *f = NULL;
	char err[256], *p;
	wn_buf b;

	fp_of_file("campaign-sale-1.eml", &a);
	feed_of(&a, 4, true, &b);
	/* another key */
	cr_expect_eq(parse(&b, &other.pub, NOW, &f, err), WN_EINVAL);
	cr_expect_not_null(strstr(err, "not the trusted"), "%s", err);
	/* expired */
	cr_expect_eq(parse(&b, &sk.pub, NOW + 2 * 86400, &f, err), WN_EINVAL);
	cr_expect_not_null(strstr(err, "expired"), "%s", err);
	/* one key changed in transit: the signature no longer holds */
	cr_assert_not_null(p = strstr(b.data, "b:"));
	p[2] = p[2] == '0' ? '1' : '0';
	cr_expect_eq(parse(&b, &sk.pub, NOW, &f, err), WN_EINVAL);
	cr_expect_not_null(strstr(err, "signature"), "%s", err);
	cr_expect_null(f);
	/* not JSON, not a feed */
	cr_expect_eq(wn_bulk_feed_parse("{", 1, &sk.pub, NOW, &f, err, 256),
	    WN_EFORMAT);
	cr_expect_eq(wn_bulk_feed_parse("{\"format\":\"x\"}", 14, &sk.pub,
	    NOW, &f, err, 256), WN_EFORMAT);
	wn_buf_fini(&b);
}

/* What an error quotes of a feed's own text stays on one line: a format,
 * a key id, a key name in an escaped newline. */
Test(bulk_feed, errors_quote_the_feed_on_one_line)
{
	static const char *const feeds[] = {
		("{\"format\": \"{\\\"format\\ned-bulk-feed-1\", \"key_id\": "
		    "\"0011223344556677\", \"feed\": \"{}\", \"signature\": "
		    "\"AAAA\"}"),
		("{\"format\": \"winnow-signed-bulk-feed-1\", \"key_id\": "
		    "\"00\\r\\n11\", \"feed\": \"{}\", \"signature\": "
		    "\"AAAA\"}"),
		("{\"format\": \"x\", \"key_id\": \"1\", \"feed\": \"\", "
		    "\"signature\": \"\", \"a\\nb\": 1}"),
	};
	wn_bulk_feed *f = NULL;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(feeds) / sizeof(feeds[0]); i++) {
		int rc = wn_bulk_feed_parse(feeds[i], strlen(feeds[i]),
		    &sk.pub, NOW, &f, err, sizeof(err));

		cr_expect(rc == WN_EFORMAT || rc == WN_EINVAL, "%zu: %d", i,
		    rc);
		cr_expect_null(f);
		cr_expect_neq(err[0], '\0', "%zu", i);
		cr_expect_null(strpbrk(err, "\r\n"), "%zu: %s", i, err);
	}
}

Test(bulk_feed, build_checks_keys)
{
	const char *unsorted[] = { "d:0000000000000002", "b:0000000000000001" };
	const char *dup[] = { "b:0000000000000001", "b:0000000000000001" };
	const char *bad[] = { "x:0000000000000001" };
	const char *upper[] = { "b:00000000000000AB" };
	wn_buf b;

	wn_buf_init(&b);
	cr_expect_eq(wn_bulk_feed_build(unsorted, 2, NOW, NOW + 1, 3, &sk, &b),
	    WN_EINVAL);
	cr_expect_eq(wn_bulk_feed_build(dup, 2, NOW, NOW + 1, 3, &sk, &b),
	    WN_EINVAL);
	cr_expect_eq(wn_bulk_feed_build(bad, 1, NOW, NOW + 1, 3, &sk, &b),
	    WN_EINVAL);
	cr_expect_eq(wn_bulk_feed_build(upper, 1, NOW, NOW + 1, 3, &sk, &b),
	    WN_EINVAL);
	cr_expect_eq(wn_bulk_feed_build(NULL, 0, NOW, NOW + 1, 3, &sk, &b), 0,
	    "an empty feed is a feed");
	wn_buf_fini(&b);
}
