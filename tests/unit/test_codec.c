/* test_codec.c - base64, quoted-printable, charsets, RFC 2047. */
#include <string.h>

#include <criterion/criterion.h>

#include <winnow/arena.h>
#include <winnow/codec.h>

static char *
b64(const char *in, uint32_t *flags)
{
	static char out[1024];
	size_t n = wn_base64_decode(in, strlen(in), out, flags);

	out[n] = '\0';
	return out;
}

Test(codec, base64_plain_and_wrapped)
{
	uint32_t f = 0;

	cr_assert_str_eq(b64("aGVsbG8gd29ybGQ=", &f), "hello world");
	cr_assert_str_eq(b64("aGVs\r\nbG8g\nd29y bGQ=", &f), "hello world");
	cr_assert_eq(f, 0, "clean input flagged: %u", f);
}

Test(codec, base64_missing_padding_and_junk_is_tolerated_and_flagged)
{
	uint32_t f = 0;

	cr_assert_str_eq(b64("aGVsbG8", &f), "hello");
	cr_assert_eq(f, 0);
	cr_assert_str_eq(b64("aGV*sbG8!", &f), "hello");
	cr_assert(f & WN_CODEC_BAD_BASE64);
}

Test(codec, base64_concatenated_blobs_resume_after_padding)
{
	uint32_t f = 0;

	cr_assert_str_eq(b64("aGk=aGk=", &f), "hihi");
}

Test(codec, base64_single_dangling_char_is_flagged)
{
	uint32_t f = 0;

	cr_assert_str_eq(b64("aGk=Q", &f), "hi");
	cr_assert(f & WN_CODEC_BAD_BASE64);
}

static char *
qp(const char *in, bool q, uint32_t *flags)
{
	static char out[1024];
	size_t n = wn_qp_decode(in, strlen(in), out, q, flags);

	out[n] = '\0';
	return out;
}

Test(codec, qp_escapes_and_soft_breaks)
{
	uint32_t f = 0;

	cr_assert_str_eq(qp("caf=C3=A9 =\r\nbar=\nbaz", false, &f),
	    "caf\xc3\xa9 barbaz");
	cr_assert_str_eq(qp("lower =c3=a9", false, &f), "lower \xc3\xa9");
	cr_assert_eq(f, 0);
}

Test(codec, qp_bad_escape_kept_and_flagged)
{
	uint32_t f = 0;

	cr_assert_str_eq(qp("50=% off =ZZ", false, &f), "50=% off =ZZ");
	cr_assert(f & WN_CODEC_BAD_QP);
}

Test(codec, q_word_underscore_is_space)
{
	uint32_t f = 0;

	cr_assert_str_eq(qp("Hello_W=F6rld", true, &f), "Hello W\xf6rld");
}

struct cs_case {
	const char *charset;
	const char *in;
	const char *want;
	uint32_t want_flags;
};

static struct cs_case cs_cases[] = {
	{ "utf-8", "caf\xc3\xa9", "caf\xc3\xa9", 0 },
	{ "iso-8859-1", "caf\xe9", "caf\xc3\xa9", 0 },
	{ "windows-1252", "\x93quoted\x94 \x80", "\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x82\xac", 0 },
	/* Latin-1 label on UTF-8 bytes: the label lies. */
	{ "iso-8859-1", "caf\xc3\xa9", "caf\xc3\xa9", WN_CODEC_CHARSET_MISMATCH },
	/* UTF-8 label on Latin-1 bytes. */
	{ "utf-8", "caf\xe9 cr\xe8me", "caf\xc3\xa9 cr\xc3\xa8me", WN_CODEC_CHARSET_MISMATCH },
	{ "us-ascii", "na\xefve", "na\xc3\xafve", WN_CODEC_CHARSET_MISMATCH },
	{ "koi8-r", "\xd0\xd2\xc9\xd7\xc5\xd4", "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", 0 },
	{ "ISO-8859-2", "\xb1", "\xc4\x85", 0 },
	{ "x-no-such-charset", "abc\xe9", "abc\xc3\xa9", WN_CODEC_UNKNOWN_CHARSET },
	{ NULL, "plain", "plain", 0 },
	{ "gb2312", "\xc4\xe3\xba\xc3", "\xe4\xbd\xa0\xe5\xa5\xbd", 0 },
	{ "iso-2022-jp", "\x1b$B$3$s\x1b(B", "\xe3\x81\x93\xe3\x82\x93", 0 },
	{ "utf-8", "ab\x00" "c", "ab c", 0 },
};

Test(codec, charset_to_utf8_table)
{
	for (size_t i = 0; i < sizeof(cs_cases) / sizeof(cs_cases[0]); i++) {
	const struct cs_case *c = &cs_cases[i];
	wn_arena *a = wn_arena_new(0);
	wn_str out;
	uint32_t f = 0;
	size_t inlen = strlen(c->in);

	if (strcmp(c->want, "ab c") == 0)
		inlen = 4;
	cr_assert_eq(wn_charset_to_utf8(a, c->charset, c->in, inlen, 1000,
	    &out, NULL, &f), 0);
	cr_assert_str_eq(out.p, c->want, "charset %s: got \"%s\", want \"%s\"",
	    c->charset ? c->charset : "(none)", out.p, c->want);
	cr_assert_eq(f & c->want_flags, c->want_flags,
	    "charset %s: flags got %#x, want %#x", c->charset ? c->charset :
	    "(none)", f, c->want_flags);
	cr_assert(wn_utf8_valid(out.p, out.len));
	wn_arena_free(&a);
	}
}

Test(codec, charset_invalid_utf8_bytes_become_replacement)
{
	wn_arena *a = wn_arena_new(0);
	wn_str out;
	uint32_t f = 0;

	cr_assert_eq(wn_charset_to_utf8(a, "utf-8", "\xc3\xa9 \xff ok", 7,
	    1000, &out, NULL, &f), 0);
	cr_assert_str_eq(out.p, "\xc3\xa9 \xef\xbf\xbd ok");
	cr_assert(f & WN_CODEC_BAD_CHARSET);
	wn_arena_free(&a);
}

Test(codec, charset_output_bound_cuts_on_character_boundary)
{
	wn_arena *a = wn_arena_new(0);
	wn_str out;
	uint32_t f = 0;

	cr_assert_eq(wn_charset_to_utf8(a, "iso-8859-1", "\xe9\xe9\xe9", 3, 5,
	    &out, NULL, &f), 0);
	cr_assert_eq(out.len, 4, "got %zu", out.len);
	cr_assert(f & WN_CODEC_TRUNCATED);
	cr_assert(wn_utf8_valid(out.p, out.len));
	wn_arena_free(&a);
}

struct ew_case {
	const char *in;
	const char *want;
};

static struct ew_case ew_cases[] = {
	{ "=?UTF-8?B?w6l0w6k=?=", "\xc3\xa9t\xc3\xa9" },
	{ "=?iso-8859-1?q?caf=E9_au_lait?=", "caf\xc3\xa9 au lait" },
	{ "Re: =?utf-8?Q?a?= =?utf-8?Q?b?= end", "Re: ab end" },
	/* A UTF-8 character split across two words. */
	{ "=?UTF-8?B?ww==?= =?UTF-8?B?qQ==?=", "\xc3\xa9" },
	{ "=?utf-8*en?Q?lang?=", "lang" },
	{ "=?koi8-r?B?0NLJ18XU?=", "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82" },
	{ "plain text", "plain text" },
	{ "raw latin1 caf\xe9", "raw latin1 caf\xc3\xa9" },
	{ "broken =?utf-8?X?abc?= word", "broken =?utf-8?X?abc?= word" },
	{ "=?=?=?=?", "=?=?=?=?" },
	{ "=?gb2312?B?xOO6ww==?=", "\xe4\xbd\xa0\xe5\xa5\xbd" },
};

Test(codec, rfc2047_table)
{
	for (size_t i = 0; i < sizeof(ew_cases) / sizeof(ew_cases[0]); i++) {
		const struct ew_case *c = &ew_cases[i];
		wn_arena *a = wn_arena_new(0);
		wn_str out;
		uint32_t f = 0;

		cr_assert_eq(wn_rfc2047_decode(a, c->in, strlen(c->in), &out,
		    &f), 0);
		cr_assert_str_eq(out.p, c->want,
		    "in \"%s\": got \"%s\", want \"%s\"", c->in, out.p,
		    c->want);
		wn_arena_free(&a);
	}
}

Test(codec, rfc2047_malformed_word_is_flagged)
{
	wn_arena *a = wn_arena_new(0);
	wn_str out;
	uint32_t f = 0;

	cr_assert_eq(wn_rfc2047_decode(a, "=?utf-8?B?***?=", 15, &out, &f), 0);
	cr_assert(f & WN_CODEC_BAD_ENCODED_WORD);
	wn_arena_free(&a);
}

Test(codec, utf8_validation)
{
	cr_assert(wn_utf8_valid("plain ascii text here", 21));
	cr_assert(wn_utf8_valid("\xe2\x82\xac\xf0\x9f\x98\x80", 7));
	cr_assert_not(wn_utf8_valid("\xc0\xaf", 2));	/* overlong */
	cr_assert_not(wn_utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	cr_assert_not(wn_utf8_valid("abc\xe2\x82", 5));	/* truncated */
}

Test(codec, rfc2047_stray_marker_is_text_not_a_malformed_word)
{
	static const char *const plain[] = {
		"see http://example.com/?a=?b and =? end",
		"<http://example.com/u?x=?y>",
		"not=?encoded and more",
	};

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		wn_arena *a = wn_arena_new(0);
		wn_str out;
		uint32_t f = 0;

		cr_assert_eq(wn_rfc2047_decode(a, plain[i], strlen(plain[i]),
		    &out, &f), 0);
		cr_assert_str_eq(out.p, plain[i]);
		cr_assert_eq(f, 0, "in \"%s\": got flags %#x, want 0",
		    plain[i], f);
		wn_arena_free(&a);
	}
}

Test(codec, rfc2047_unterminated_word_does_not_swallow_the_next)
{
	const char *in = "=?utf-8?Q?broken =?utf-8?Q?ok?=";
	wn_arena *a = wn_arena_new(0);
	wn_str out;
	uint32_t f = 0;

	cr_assert_eq(wn_rfc2047_decode(a, in, strlen(in), &out, &f), 0);
	cr_assert_str_eq(out.p, "=?utf-8?Q?broken ok");
	cr_assert(f & WN_CODEC_BAD_ENCODED_WORD);
	cr_assert_eq(f & WN_CODEC_BAD_QP, 0);
	wn_arena_free(&a);
}

Test(codec, charset_iconv_output_is_repaired_like_any_other)
{
	wn_arena *a = wn_arena_new(0);
	const char *used = NULL;
	wn_str out;
	uint32_t f = 0;

	/* A UTF-16 NUL comes out of iconv as a NUL byte: a space here. */
	cr_assert_eq(wn_charset_to_utf8(a, "utf-16le", "a\0\0\0b\0", 6, 100,
	    &out, &used, &f), 0);
	cr_assert_eq(out.len, 3);
	cr_assert_str_eq(out.p, "a b");
	/* glibc reads "UTF8//" as UTF-8 and lets U+11F600 through. */
	f = 0;
	cr_assert_eq(wn_charset_to_utf8(a, "UTF8//", "x\xf4\x9f\x98\x80y", 6,
	    100, &out, &used, &f), 0);
	cr_assert(wn_utf8_valid(out.p, out.len), "got invalid UTF-8");
	cr_assert_eq(out.p[0], 'x');
	cr_assert_eq(out.p[out.len - 1], 'y');
	cr_assert(f & WN_CODEC_BAD_CHARSET);
	wn_arena_free(&a);
}
