/*
 * test_fingerprint.c - fuzzy fingerprints: copies of one campaign close
 * together, everything else apart, normalisation, limits.
 *
 * The corpus is tests/data/bulk: campaign-<name>-<n>.eml are per-recipient
 * copies of one bulk message (names, tracking links and ids, random
 * tokens, an extra line, HTML instead of plain text, other charsets and
 * transfer encodings); single-*.eml are unrelated ham and spam;
 * short-*.eml have (almost) no text.
 *
 * Measured on that corpus with WN_FINGERPRINT_VERSION 2 (64 slots, 16
 * bands of 4, shingles of 4 words):
 *   within a campaign (24 pairs)  similarity 0.641 .. 1, 3..16 bands
 *   all other pairs (411)         similarity 0 .. 0.203, no band shared
 * The 0.203 is single-gartenwelt-herbst.eml, another newsletter of the
 * campaign-sale sender with the same footer. 64 slots estimate a
 * similarity with a standard error of about 0.06 near 0.7, which is why
 * the bounds below (0.6, 0.3) leave room.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <winnow/err.h>
#include <winnow/fingerprint.h>
#include <winnow/mime.h>

#define BULK_DIR	WN_TEST_DATA "/bulk"
#define CORPUS_MAX	64

static wn_arena *arena;

static void
setup(void)
{
	arena = wn_arena_new(0);
}

static void
teardown(void)
{
	wn_arena_free(&arena);
}

TestSuite(fingerprint, .init = setup, .fini = teardown);

static void
fp_of_bytes(const char *data, size_t len, const wn_mime_limits *lim,
    wn_fingerprint *fp)
{
	wn_mime_msg *m;
	int rc = wn_mime_parse(arena, data, len, lim, &m);

	cr_assert_eq(rc, 0, "parse failed: %s", wn_strerror(rc));
	rc = wn_fingerprint_compute(m, fp);
	cr_assert_eq(rc, 0, "fingerprint failed: %s", wn_strerror(rc));
}

static void
fp_of(const char *s, wn_fingerprint *fp)
{
	fp_of_bytes(s, strlen(s), NULL, fp);
}

/* The file's bytes, freed with the arena. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	cr_assert_eq(wn_arena_on_free(arena, free, buf), 0);
	*len = (size_t)n;
	return buf;
}

static void
fp_of_file(const char *name, wn_fingerprint *fp)
{
	char path[512];
	size_t len;
	const char *data;

	snprintf(path, sizeof(path), "%s/%s", BULK_DIR, name);
	data = slurp(path, &len);
	fp_of_bytes(data, len, NULL, fp);
}

typedef struct corpus_msg {
	char name[64];
	char group[32];		/* campaign name, "" for the others */
	wn_fingerprint fp;
} corpus_msg;

static int
corpus_cmp(const void *x, const void *y)
{
	return strcmp(((const corpus_msg *)x)->name,
	    ((const corpus_msg *)y)->name);
}

/* Every .eml of the corpus, sorted by name, fingerprinted. */
static size_t
corpus_load(corpus_msg *v)
{
	DIR *d = opendir(BULK_DIR);
	struct dirent *e;
	size_t n = 0, i;

	cr_assert_not_null(d, "cannot open %s", BULK_DIR);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 4, ".eml") != 0)
			continue;
		cr_assert_lt(n, CORPUS_MAX);
		cr_assert_lt(len, sizeof(v[n].name));
		memset(&v[n], 0, sizeof(v[n]));
		memcpy(v[n].name, e->d_name, len + 1);
		if (strncmp(e->d_name, "campaign-", 9) == 0) {
			const char *g = e->d_name + 9;
			const char *dash = strrchr(g, '-');

			cr_assert_not_null(dash, "bad name %s", e->d_name);
			cr_assert_lt((size_t)(dash - g), sizeof(v[n].group));
			memcpy(v[n].group, g, (size_t)(dash - g));
		}
		n++;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), corpus_cmp);
	for (i = 0; i < n; i++)
		fp_of_file(v[i].name, &v[i].fp);
	return n;
}

Test(fingerprint, campaign_copies_are_similar_and_share_a_band)
{
	static corpus_msg v[CORPUS_MAX];
	size_t n = corpus_load(v), i, j, pairs = 0, min_bands = 99;
	size_t groups = 0;
	double min_sim = 1.0;

	for (i = 0; i < n; i++) {
		size_t copies = 0;

		if (v[i].group[0] == '\0')
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(v[i].group, v[j].group) == 0)
				copies++;
		cr_assert_geq(copies, 4, "campaign %s: %zu copies", v[i].group,
		    copies);
		if (i == 0 || strcmp(v[i].group, v[i - 1].group) != 0)
			groups++;
		cr_assert_eq(v[i].fp.flags, 0, "%s flags %u", v[i].name,
		    (unsigned)v[i].fp.flags);
		for (j = i + 1; j < n; j++) {
			double s;
			size_t b;

			if (strcmp(v[i].group, v[j].group) != 0)
				continue;
			s = wn_fingerprint_similarity(&v[i].fp, &v[j].fp);
			b = wn_fingerprint_shared_bands(&v[i].fp, &v[j].fp);
			cr_log_info("%s ~ %s: similarity %.3f, %zu bands",
			    v[i].name, v[j].name, s, b);
			cr_expect_geq(s, 0.6, "%s ~ %s: similarity %.3f",
			    v[i].name, v[j].name, s);
			cr_expect_geq(b, 1, "%s ~ %s: no shared band",
			    v[i].name, v[j].name);
			if (s < min_sim)
				min_sim = s;
			if (b < min_bands)
				min_bands = b;
			pairs++;
		}
	}
	cr_assert_geq(groups, 3);
	cr_log_info("within campaigns: %zu pairs, min similarity %.3f, "
	    "min shared bands %zu", pairs, min_sim, min_bands);
}

Test(fingerprint, other_messages_are_dissimilar_and_share_no_band)
{
	static corpus_msg v[CORPUS_MAX];
	size_t n = corpus_load(v), i, j, pairs = 0, singles = 0;
	double max_sim = 0.0;

	for (i = 0; i < n; i++) {
		if (strncmp(v[i].name, "single-", 7) == 0)
			singles++;
		for (j = i + 1; j < n; j++) {
			double s;
			size_t b;

			if (v[i].group[0] != '\0' &&
			    strcmp(v[i].group, v[j].group) == 0)
				continue;
			s = wn_fingerprint_similarity(&v[i].fp, &v[j].fp);
			b = wn_fingerprint_shared_bands(&v[i].fp, &v[j].fp);
			cr_expect_leq(s, 0.3, "%s ~ %s: similarity %.3f",
			    v[i].name, v[j].name, s);
			cr_expect_eq(b, 0, "%s ~ %s: %zu shared bands",
			    v[i].name, v[j].name, b);
			if (s > max_sim) {
				max_sim = s;
				cr_log_info("across: %s ~ %s: %.3f", v[i].name,
				    v[j].name, s);
			}
			pairs++;
		}
	}
	cr_assert_geq(singles, 8);
	cr_log_info("across: %zu pairs, max similarity %.3f", pairs, max_sim);
}

static const char msg_a[] =
    "From: Shop <news@shop.example>\n"
    "To: John <john@example.org>\n"
    "Subject: Big savings this week\n"
    "\n"
    "Hello,\n\n"
    "This week only, everything in our garden section is half price.\n"
    "Visit https://click.shop.example/t/a81f0c3d9e/landing?uid=1187\n"
    "now or reply to john.d+1187@example.org. Order id X7K2-99QZ.\n"
    "Your code: deadbeefcafebabe and token XkQpZrTmWvBnLsYa\n"
    "Offer valid until 30.06.2024 for 1,000 customers.\n";

/* msg_a with other ids, links, numbers, addresses, spacing and case. */
static const char msg_a_other_ids[] =
    "From: Shop <news@shop.example>\n"
    "To: Mary <mary@example.net>\n"
    "Subject: BIG   savings this week\n"
    "\n"
    "Hello,\n\n"
    "This  week only, everything in our\tgarden section is half price.\n"
    "Visit https://click.shop.example/t/0000ffff1234/other?uid=4\n"
    "now or reply to mary_k@example.net. Order id PQ81-77ZZ.\n"
    "Your code: abcdefabcdefab and token PwErTyUiOpAsDfGh\n"
    "Offer valid until 15.07.2025 for 250 customers.\n";

Test(fingerprint, identical_text_gives_identical_fingerprint)
{
	wn_fingerprint a, b, c;
	char *copy = wn_arena_strdup(arena, msg_a);
	/* Other envelope headers, same Subject and text. */
	const char *other_headers =
	    "From: Someone Else <x@y.example>\n"
	    "Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
	    "Subject: Big savings this week\n"
	    "\n"
	    "Hello,\n\n"
	    "This week only, everything in our garden section is half price.\n"
	    "Visit https://click.shop.example/t/a81f0c3d9e/landing?uid=1187\n"
	    "now or reply to john.d+1187@example.org. Order id X7K2-99QZ.\n"
	    "Your code: deadbeefcafebabe and token XkQpZrTmWvBnLsYa\n"
	    "Offer valid until 30.06.2024 for 1,000 customers.\n";

	fp_of(msg_a, &a);
	fp_of(copy, &b);
	fp_of(other_headers, &c);
	cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0);
	cr_assert_eq(memcmp(&a, &c, sizeof(a)), 0);
	cr_assert_eq(a.flags, 0);
	cr_assert_eq(a.version, WN_FINGERPRINT_VERSION);
	cr_assert_eq(wn_fingerprint_similarity(&a, &b), 1.0);
	cr_assert_eq(wn_fingerprint_shared_bands(&a, &b), WN_FINGERPRINT_BANDS);
}

Test(fingerprint, digest_ignores_what_normalisation_drops)
{
	wn_fingerprint a, b;

	fp_of(msg_a, &a);
	fp_of(msg_a_other_ids, &b);
	cr_assert_eq(memcmp(a.digest, b.digest, sizeof(a.digest)), 0);
	cr_assert_eq(memcmp(a.minhash, b.minhash, sizeof(a.minhash)), 0);
	cr_assert_eq(a.n_words, b.n_words);
}

Test(fingerprint, only_a_tracking_id_differs)
{
	wn_fingerprint a, b;

	fp_of_file("campaign-phish-1.eml", &a);
	fp_of("From: IT Service Desk <helpdesk@secure-mailportal-verify.com>\n"
	    "Subject: Action required: your mailbox storage is full (#77777)\n"
	    "\n"
	    "Hello j.smith,\n\n"
	    "Your mailbox j.smith@acme-example.com has exceeded its storage "
	    "limit of 50 GB. Incoming messages\nare currently being held on "
	    "the server and will be deleted after 48 hours\nunless you verify "
	    "your account.\n\n"
	    "To restore normal delivery, please sign in to the mail "
	    "administration portal\nand confirm your account ownership:\n\n"
	    "https://secure-mailportal-verify.com/owa/auth?token=DIFFERENT1\n"
	    "\n"
	    "If you do not complete the verification within 48 hours, your "
	    "account will be\nsuspended and all pending messages will be "
	    "permanently removed. We apologise\nfor any inconvenience this may "
	    "cause.\n\n"
	    "Thank you for your cooperation.\nIT Service Desk\n"
	    "Mail Administration Team\n\n"
	    "Message ID: 0000-XY-00\n"
	    "This is an automated notification, please do not reply.\n", &b);
	cr_assert_eq(memcmp(a.digest, b.digest, sizeof(a.digest)), 0);
}

Test(fingerprint, digest_sees_words_and_url_hosts)
{
	wn_fingerprint a, b, c;
	const char *base = "Subject: s\n\nthe quick brown fox jumps over the "
	    "lazy dog near https://one.example/x today\n";
	const char *word = "Subject: s\n\nthe quick brown cat jumps over the "
	    "lazy dog near https://one.example/x today\n";
	const char *host = "Subject: s\n\nthe quick brown fox jumps over the "
	    "lazy dog near https://two.example/x today\n";

	fp_of(base, &a);
	fp_of(word, &b);
	fp_of(host, &c);
	cr_assert_neq(memcmp(a.digest, b.digest, sizeof(a.digest)), 0);
	cr_assert_neq(memcmp(a.digest, c.digest, sizeof(a.digest)), 0);
	cr_assert_eq(a.n_words, 14, "got %u words, want 14",
	    (unsigned)a.n_words);
}

Test(fingerprint, words_are_lowercased_beyond_ascii)
{
	wn_fingerprint a, b;

	fp_of("Subject: =?utf-8?q?=C3=89T=C3=89?=\n"
	    "Content-Type: text/plain; charset=utf-8\n\n"
	    "GROSSE Straße ÜBER Äpfel, ΑΘΗΝΑ und ПРИВЕТ мир Noël Ærø\n", &a);
	fp_of("Subject: été\n"
	    "Content-Type: text/plain; charset=utf-8\n\n"
	    "grosse straße über äpfel αθηνα und привет МИР noël ærø\n", &b);
	cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0);
	cr_assert_eq(a.n_words, 11, "got %u words, want 11",
	    (unsigned)a.n_words);
}

Test(fingerprint, ordinary_words_are_kept)
{
	wn_fingerprint a;

	/* x internationalisation kreditkartenunternehmen mcdonald iphone
	 * decade faced e mail j smith: 11 words; the rest are ids or too
	 * long. */
	fp_of("Subject: x\n\n"
	    "Internationalisation Kreditkartenunternehmen McDonald iPhone "
	    "decade faced e-mail j.smith covid-19 A4-Papier #48213 v2.0.1 "
	    "Donaudampfschifffahrtsgesellschaftskapitaenswitwenrente\n", &a);
	cr_assert_eq(a.n_words, 11, "got %u words, want 11",
	    (unsigned)a.n_words);
}

Test(fingerprint, unspaced_scripts_count_characters)
{
	wn_fingerprint a;

	fp_of("Subject: x\nContent-Type: text/plain; charset=utf-8\n\n"
	    "今日は良い天気です\n", &a);
	/* "x" and nine characters */
	cr_assert_eq(a.n_words, 10, "got %u words", (unsigned)a.n_words);
	cr_assert_eq(a.flags & WN_FINGERPRINT_SHORT, 0);
}

Test(fingerprint, html_and_plain_copies_read_alike)
{
	wn_fingerprint plain, html, alt;

	fp_of("Subject: News\n\n"
	    "Dear reader, our spring catalogue is out.\n"
	    "Find new garden tools at https://shop.example/spring?id=88.\n\n"
	    "Kind regards, the shop team\n", &plain);
	fp_of("Subject: News\nContent-Type: text/html\n\n"
	    "<html><body><p>Dear reader, our <b>spring</b> catalogue is "
	    "out.</p><p>Find new garden tools at <a href=\"https://shop."
	    "example/spring?id=99\">https://shop.example/spring?id=99</a>."
	    "</p><p>Kind regards, the shop team</p></body></html>\n", &html);
	/* In an alternative, the plain part is used, whatever the HTML says. */
	fp_of("Subject: News\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/alternative; boundary=b\n\n"
	    "--b\nContent-Type: text/plain\n\n"
	    "Dear reader, our spring catalogue is out.\n"
	    "Find new garden tools at https://shop.example/spring?id=77.\n\n"
	    "Kind regards, the shop team\n"
	    "--b\nContent-Type: text/html\n\n"
	    "<p>Something else entirely, with many more words than the "
	    "plain text has.</p>\n"
	    "--b--\n", &alt);
	cr_assert_eq(memcmp(plain.digest, html.digest, sizeof(plain.digest)),
	    0);
	cr_assert_eq(memcmp(&plain, &alt, sizeof(plain)), 0);
}

Test(fingerprint, attachments_and_hidden_text_are_ignored)
{
	wn_fingerprint a, b;
	const char *text = "Please find the signed contract for the new office "
	    "lease attached to this message.\n";
	char with[2048];

	snprintf(with, sizeof(with), "Subject: contract\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\nContent-Type: text/html\n\n<p>%.*s<span style=\"display:none"
	    "\">zebra quantum walrus banana</span></p>\n"
	    "--b\nContent-Type: text/plain\n"
	    "Content-Disposition: attachment; filename=notes.txt\n\n"
	    "words in an attached text file are not part of the fingerprint\n"
	    "--b--\n", (int)strlen(text) - 1, text);
	fp_of(with, &a);
	snprintf(with, sizeof(with), "Subject: contract\n\n%s", text);
	fp_of(with, &b);
	cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0);
}

Test(fingerprint, short_text_is_flagged)
{
	static const char *names[] = {
		"short-empty.eml", "short-thanks.eml", "short-attachment.eml"
	};
	wn_fingerprint fp, zero;
	size_t i;

	memset(&zero, 0, sizeof(zero));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fp_of_file(names[i], &fp);
		cr_assert(fp.flags & WN_FINGERPRINT_SHORT, "%s not short",
		    names[i]);
		cr_assert_lt(fp.n_words, WN_FINGERPRINT_MIN_WORDS);
		cr_assert_eq(memcmp(fp.minhash, zero.minhash,
		    sizeof(fp.minhash)), 0);
		cr_assert_eq(memcmp(fp.bands, zero.bands, sizeof(fp.bands)), 0);
		cr_assert_eq(wn_fingerprint_shared_bands(&fp, &fp), 0);
		cr_assert_eq(wn_fingerprint_similarity(&fp, &fp), 1.0);
	}
	fp_of("Subject: \n\n", &fp);
	cr_assert_eq(fp.n_words, 0);
	cr_assert(fp.flags & WN_FINGERPRINT_SHORT);
	/* Exactly the minimum is enough. */
	fp_of("Subject: one two three\n\nfour five six seven eight\n", &fp);
	cr_assert_eq(fp.n_words, WN_FINGERPRINT_MIN_WORDS);
	cr_assert_eq(fp.flags, 0);
	cr_assert_eq(fp.n_shingles,
	    WN_FINGERPRINT_MIN_WORDS - WN_FINGERPRINT_SHINGLE + 1);
}

/*
 * The values themselves are pinned: a change here means stored and
 * shared fingerprints no longer match, so WN_FINGERPRINT_VERSION must
 * change with it.
 */
Test(fingerprint, values_are_stable_across_runs)
{
	wn_fingerprint fp, again;
	char hex[WN_FINGERPRINT_HEX_SIZE];

	fp_of_file("campaign-loan-1.eml", &fp);
	fp_of_file("campaign-loan-1.eml", &again);
	cr_assert_eq(memcmp(&fp, &again, sizeof(fp)), 0);
	wn_fingerprint_hex(&fp, hex);
	cr_assert_eq(strlen(hex), 2 * WN_FINGERPRINT_DIGEST_LEN +
	    17 * WN_FINGERPRINT_BANDS);
	cr_assert_str_eq(hex, "368e4c7b48071da4a20b2be673e2af6f"
	    ":c07d7261b8c5d1d9:f782d098f590ae0b:bbb9be827dd8c8db"
	    ":b5404de113e63bf9:85d90ae5e85626f3:0e870e2ee966e912"
	    ":62b735e478a57cfa:ee800a21505255ea:0a4698471a7f9c5e"
	    ":8cbd03cf6e7d122b:b140954e1e8586c3:36d825a60832fadd"
	    ":9b06344e5e207ed0:538564993a5d616c:7516d591c8bdb32e"
	    ":35ab865973b849d9");
	fp_of_file("short-thanks.eml", &fp);
	cr_assert_eq(strlen(wn_fingerprint_hex(&fp, hex)),
	    2 * WN_FINGERPRINT_DIGEST_LEN);
}

Test(fingerprint, huge_text_stops_at_the_word_cap)
{
	static const char *vocab[] = {
		"market", "garden", "river", "window", "silver", "forest",
		"planet", "orange", "coffee", "bridge", "candle", "mirror",
		"summer", "winter", "rocket"
	};
	const size_t size = 5u << 20;
	char *msg = wn_arena_alloc(arena, size + 1);
	wn_mime_limits lim;
	wn_fingerprint fp;
	size_t n, k = 0;

	cr_assert_not_null(msg);
	n = (size_t)snprintf(msg, size, "Subject: big\n\n");
	while (n + 16 < size) {
		size_t len = strlen(vocab[k % 15]);

		memcpy(msg + n, vocab[k % 15], len);
		n += len;
		msg[n++] = (k % 12 == 11) ? '\n' : ' ';
		k += 7;		/* 7 and 15 are coprime: every word comes up */
	}
	msg[n] = '\0';
	wn_mime_limits_default(&lim);
	lim.max_scan_bytes = size * 2;
	lim.max_decoded_bytes = size * 2;
	lim.max_text_bytes = size * 2;
	fp_of_bytes(msg, n, &lim, &fp);
	cr_assert_eq(fp.n_words, WN_FINGERPRINT_MAX_WORDS);
	cr_assert_eq(fp.n_shingles,
	    WN_FINGERPRINT_MAX_WORDS - WN_FINGERPRINT_SHINGLE + 1);
	cr_assert(fp.flags & WN_FINGERPRINT_TRUNCATED);
	cr_assert_eq(fp.flags & WN_FINGERPRINT_SHORT, 0);
}

Test(fingerprint, text_of_dropped_tokens_stops_at_the_byte_cap)
{
	const size_t size = 3u << 20;
	char *msg = wn_arena_alloc(arena, size + 1);
	wn_mime_limits lim;
	wn_fingerprint fp;
	size_t n;

	cr_assert_not_null(msg);
	n = (size_t)snprintf(msg, size, "Subject: numbers\n\n");
	while (n + 8 < size) {
		memcpy(msg + n, "12345 ", 6);
		n += 6;
	}
	msg[n] = '\0';
	wn_mime_limits_default(&lim);
	lim.max_scan_bytes = size * 2;
	lim.max_decoded_bytes = size * 2;
	lim.max_text_bytes = size * 2;
	fp_of_bytes(msg, n, &lim, &fp);
	cr_assert_eq(fp.n_words, 1);
	cr_assert_eq(fp.flags,
	    WN_FINGERPRINT_SHORT | WN_FINGERPRINT_TRUNCATED);
}

Test(fingerprint, null_arguments_are_rejected)
{
	wn_fingerprint fp;
	wn_mime_msg *m;

	cr_assert_eq(wn_mime_parse(arena, "\n", 1, NULL, &m), 0);
	cr_assert_eq(wn_fingerprint_compute(NULL, &fp), WN_EINVAL);
	cr_assert_eq(wn_fingerprint_compute(m, NULL), WN_EINVAL);
}

/* What varies per recipient or per reply is left out: a greeting on the
 * first line, quoted lines, the attribution of a quote. */
Test(fingerprint, greeting_and_quotes_are_ignored)
{
	static const char body[] = "The quarterly meeting of the garden "
	    "club moves to the library hall on Thursday evening, with tea "
	    "and cake after the talk about roses.\r\n";
	char a[1024], b[1024];
	wn_fingerprint fa, fb;

	snprintf(a, sizeof(a), "Subject: club news\r\n\r\n"
	    "Dear Anna Schmidt,\r\n\r\n%s", body);
	snprintf(b, sizeof(b), "Subject: club news\r\n\r\nHi Tom!\r\n"
	    "%s\r\nOn Monday, Tom wrote:\r\n> what about the roses?\r\n"
	    "  > and the tea?\r\n", body);
	fp_of(a, &fa);
	fp_of(b, &fb);
	cr_expect_eq(memcmp(fa.digest, fb.digest, sizeof(fa.digest)), 0,
	    "same digest without greeting, quote and attribution");
	/* a long first line ending in a comma is text, not a greeting */
	snprintf(b, sizeof(b), "Subject: club news\r\n\r\nAs every "
	    "year in spring we meet again,\r\n%s", body);
	fp_of(b, &fb);
	cr_expect_neq(memcmp(fa.digest, fb.digest, sizeof(fa.digest)), 0);
}

/* A text/plain alternative that is a stub does not stand for the HTML:
 * two messages with the same stub and different HTML differ. */
Test(fingerprint, plain_stub_alternative_gives_way_to_html)
{
	static const char fmt[] = "Subject: daily\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/alternative; boundary=B\r\n\r\n--B\r\n"
	    "Content-Type: text/plain\r\n\r\nYour mail program cannot "
	    "show this newsletter.\r\n--B\r\nContent-Type: text/html\r\n"
	    "\r\n<p>%s</p>\r\n--B--\r\n";
	char a[2048], b[2048];
	wn_fingerprint fa, fb;

	snprintf(a, sizeof(a), fmt, "Today the comic is about a manager "
	    "who plans a meeting to plan the next meeting about meetings, "
	    "and the engineer who falls asleep in the first one. The boss "
	    "then asks for a report on why the meeting about meetings took "
	    "so long, and schedules a review of the report for Monday.");
	snprintf(b, sizeof(b), fmt, "Today the comic is about a consultant "
	    "who sells the company its own ideas back at twice the price, "
	    "while the intern quietly fixes the actual problem alone. Nobody "
	    "notices, the consultant gets a bonus and a new contract, and "
	    "the intern is asked to write the slides for the next visit.");
	fp_of(a, &fa);
	fp_of(b, &fb);
	cr_expect_neq(memcmp(fa.digest, fb.digest, sizeof(fa.digest)), 0);
	cr_expect_lt(wn_fingerprint_similarity(&fa, &fb), 0.3);
}
