/*
 * test_ruleset_meta.c - reading a repository's rule-set metadata (every
 * field missing, of the wrong type or of a bad form; oversize, truncated
 * and non-object answers) and the text a promotion signature covers.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <winnow/buf.h>
#include <winnow/err.h>
#include <winnow/ruleset_meta.h>

#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

/* the fields of a good answer, as raw JSON values */
static const char *const fields[][2] = {
	{ "name", "\"core\"" },
	{ "version", "\"1.1.0\"" },
	{ "stage", "\"testing\"" },
	{ "sha256", "\"" SHA "\"" },
	{ "size", "5123" },
	{ "key_id", "\"0123456789abcdef\"" },
	{ "url", "\"/api/v1/rulesets/core/1.1.0\"" },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* a good answer with field's value replaced by raw (NULL: left out) */
static char *
meta_with(const char *field, const char *raw)
{
	static char text[4096];
	size_t i, n = 0;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "{");
	for (i = 0; i < NFIELDS; i++) {
		const char *v = fields[i][1];

		if (field != NULL && strcmp(field, fields[i][0]) == 0) {
			if (raw == NULL)
				continue;
			v = raw;
		}
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "%s\"%s\": %s", n > 1 ? ", " : "", fields[i][0], v);
	}
	snprintf(text + n, sizeof(text) - n, "}");
	return text;
}

static bool
all_zero(const wn_ruleset_meta *m)
{
	const unsigned char *p = (const unsigned char *)m;
	size_t i;

	for (i = 0; i < sizeof(*m); i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* parse text (len bytes): want rc, err holding want_err, out zeroed */
static void
refused_len(const char *text, size_t len, int want, const char *want_err)
{
	char err[WN_RULESET_META_ERR_LEN] = "";
	wn_ruleset_meta m;

	memset(&m, 0xa5, sizeof(m));
	cr_assert_eq(wn_ruleset_meta_parse(text, len, &m, err), want,
	    "accepted or wrong code: %.200s", text);
	cr_assert(all_zero(&m), "out not zeroed for %.200s", text);
	cr_assert_null(strchr(err, '\n'), "err is not one line: %s", err);
	if (want_err != NULL)
		cr_assert_not_null(strstr(err, want_err),
		    "got '%s', want '%s'", err, want_err);
}

static void
refused(const char *text, const char *want_err)
{
	refused_len(text, strlen(text), WN_EFORMAT, want_err);
}

Test(ruleset_meta, reads_every_field_and_ignores_unknown_members)
{
	static const char text[] =
	    "{\"name\": \"core\", \"version\": \"1.1.0\",\n"
	    " \"stage\": \"stable\",\n"
	    " \"sha256\": \"" SHA "\", \"size\": 5123,\n"
	    " \"key_id\": \"0123456789abcdef\", \"maintainer\": \"winnow\",\n"
	    " \"published\": \"2026-11-23T10:00:00Z\", \"rules\": 42,\n"
	    " \"tests\": 17, \"future\": {\"a\": [1, null, true]},\n"
	    " \"url\": \"/api/v1/rulesets/core/1.1.0\"}";
	char err[WN_RULESET_META_ERR_LEN];
	wn_ruleset_meta m;

	cr_assert_eq(wn_ruleset_meta_parse(text, strlen(text), &m, err), 0,
	    "%s", err);
	cr_assert_str_eq(m.name, "core");
	cr_assert_str_eq(m.version, "1.1.0");
	cr_assert_str_eq(m.stage, "stable");
	cr_assert_str_eq(m.sha256, SHA);
	cr_assert_eq(m.size, 5123);
	cr_assert_str_eq(m.key_id, "0123456789abcdef");
	cr_assert_str_eq(m.url, "/api/v1/rulesets/core/1.1.0");
}

Test(ruleset_meta, reads_without_nul_and_at_the_edges)
{
	char err[WN_RULESET_META_ERR_LEN];
	char name[80], big[64];
	wn_ruleset_meta m;
	const char *t;
	char copy[4096];

	/* not NUL-terminated: only len bytes count */
	t = meta_with(NULL, NULL);
	memcpy(copy, t, strlen(t));
	memset(copy + strlen(t), '}', 16);
	cr_assert_eq(wn_ruleset_meta_parse(copy, strlen(t), &m, err), 0,
	    "%s", err);
	/* a 64-byte name, the largest size jansson holds */
	snprintf(name, sizeof(name), "\"%s\"",
	    "a_b-c.0123456789012345678901234567890123456789012345678901234567");
	cr_assert_eq(wn_ruleset_meta_parse(meta_with("name", name),
	    strlen(meta_with("name", name)), &m, err), 0, "%s", err);
	cr_assert_eq(strlen(m.name), 64);
	snprintf(big, sizeof(big), "%lld", 9223372036854775807LL);
	t = meta_with("size", big);
	cr_assert_eq(wn_ruleset_meta_parse(t, strlen(t), &m, err), 0, "%s",
	    err);
	cr_assert_eq(m.size, 9223372036854775807ULL);
}

Test(ruleset_meta, refuses_each_missing_field)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++) {
		char want[64];

		snprintf(want, sizeof(want), "%s: missing", fields[i][0]);
		refused(meta_with(fields[i][0], NULL), want);
	}
}

Test(ruleset_meta, refuses_each_field_of_the_wrong_type)
{
	static const char *const wrong[] = { "5", "null", "true", "[]", "{}" };
	size_t i, k;

	for (i = 0; i < NFIELDS; i++)
		for (k = 0; k < sizeof(wrong) / sizeof(wrong[0]); k++) {
			char want[64];

			snprintf(want, sizeof(want), "%s: not a", fields[i][0]);
			if (strcmp(fields[i][0], "size") == 0 && k == 0)
				continue;	/* 5 is a good size */
			refused(meta_with(fields[i][0], wrong[k]), want);
		}
	refused(meta_with("size", "\"5123\""), "size: not an integer");
	refused(meta_with("size", "5123.0"), "size: not an integer");
	refused(meta_with("size", "1e3"), "size: not an integer");
}

/* field, raw JSON value, what err must say (NULL: anything) */
static const char *const bad_values[][3] = {
	{ "name", "\"\"", "name: not" },
	{ "name", "\".hidden\"", "name: not" },
	{ "name", "\"a/b\"", "name: not" },
	{ "name", "\"../x\"", "name: not" },
	{ "name", "\"co re\"", "name: not" },
	{ "name", "\"caf\\u00e9\"", "name: not" },
	{ "name", "\"a\\u0000b\"", NULL },
	{ "name", "\"a12345678901234567890123456789012345678901234567890"
	    "12345678901234\"", "name: longer than 64 bytes" },
	{ "version", "\"\"", "version: not a dotted number" },
	{ "version", "\"1.x\"", "version: not a dotted number" },
	{ "version", "\"1..0\"", "version: not a dotted number" },
	{ "version", "\"v1\"", "version: not a dotted number" },
	{ "version", "\"1.0\\n\"", "version: not a dotted number" },
	{ "stage", "\"beta\"", "stage: neither" },
	{ "stage", "\"Stable\"", "stage: neither" },
	{ "stage", "\"\"", "stage: neither" },
	{ "stage", "\"testing-and-more-than-fifteen\"",
	    "stage: longer than 15 bytes" },
	{ "sha256", "\"" SHA "0\"", "sha256: longer than 64 bytes" },
	{ "sha256", "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15"
	    "d6c15b0f00a0\"", "sha256: not 64 lowercase hex digits" },
	{ "sha256", "\"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15"
	    "D6C15B0F00A08\"", "sha256: not 64 lowercase hex digits" },
	{ "sha256", "\"zf86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15"
	    "d6c15b0f00a08\"", "sha256: not 64 lowercase hex digits" },
	{ "size", "0", "size: not positive" },
	{ "size", "-1", "size: not positive" },
	{ "size", "-9223372036854775808", "size: not positive" },
	{ "size", "99999999999999999999", "not JSON" },
	{ "key_id", "\"0123456789abcde\"", "key_id: not 16 lowercase" },
	{ "key_id", "\"0123456789ABCDEF\"", "key_id: not 16 lowercase" },
	{ "key_id", "\"0123456789abcdeg\"", "key_id: not 16 lowercase" },
	{ "key_id", "\"0123456789abcdef0\"", "key_id: longer than 16" },
	{ "url", "\"\"", "url: not a plain path" },
	{ "url", "\"/api/v1/rulesets/\"", "url: not a plain path" },
	{ "url", "\"/api/v1/other/core/1.1.0\"", "url: not a plain path" },
	{ "url", "\"api/v1/rulesets/core/1.1.0\"", "url: not a plain path" },
	{ "url", "\"http://evil.example/api/v1/rulesets/core/1.1.0\"",
	    "url: not a plain path" },
	{ "url", "\"//evil.example/api/v1/rulesets/core\"",
	    "url: not a plain path" },
	{ "url", "\"/api/v1/rulesets/../../../etc/passwd\"",
	    "url: not a plain path" },
	{ "url", "\"/api/v1/rulesets/core/..\"", "url: not a plain path" },
	{ "url", "\"/api/v1/rulesets/core/1.1.0?x=1\"",
	    "url: not a plain path" },
	{ "url", "\"/api/v1/rulesets/core/1.1.0#top\"",
	    "url: not a plain path" },
	{ "url", "\"/api/v1/rulesets/%2e%2e/x\"", "url: not a plain path" },
	{ "url", "\"/api/v1/rulesets/core\\\\..\\\\x\"",
	    "url: not a plain path" },
	{ "url", "\"/api/v1/rulesets/core\\\\x\"", "url: not a plain path" },
	{ "url", "\"/api/v1/rulesets/core 1\"", "url: not a plain path" },
	{ "url", "\"/api/v1/rulesets/core\\t1\"", "url: not a plain path" },
	{ "url", "\"/api/v1/rulesets/core\\r\\nX-Evil: 1\"",
	    "url: not a plain path" },
	{ "url", "\"/api/v1/rulesets/core\\u001b[2J\"",
	    "url: not a plain path" },
	{ "url", "\"/api/v1/rulesets/core\\u007f\"",
	    "url: not a plain path" },
	{ "url", "\"/api/v1/rulesets/core\\u0000x\"", NULL },
};

Test(ruleset_meta, refuses_bad_values)
{
	size_t i;

	for (i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++)
		refused(meta_with(bad_values[i][0], bad_values[i][1]),
		    bad_values[i][2]);
}

Test(ruleset_meta, refuses_a_long_url)
{
	char url[700];

	snprintf(url, sizeof(url), "\"/api/v1/rulesets/%0600d\"", 0);
	refused(meta_with("url", url), "url: longer than 511 bytes");
}

Test(ruleset_meta, refuses_what_is_not_one_json_object)
{
	static const char *const bad[] = {
		"", "[]", "\"core\"", "null", "42", "true", "{", "}",
		"garbage", "<html>500</html>", "{\"name\": \"core\"} {}",
		"\xff\xfe{}", "{\"name\": \"\xc3\x28\"}",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(bad[i], "metadata: not");
	refused_len("{}\0{}", 5, WN_EFORMAT, "metadata: not JSON");
}

Test(ruleset_meta, refuses_duplicate_members)
{
	char text[4200];
	const char *good = meta_with(NULL, NULL);

	/* {"name": "evil", <the good fields>}: which name would count? */
	snprintf(text, sizeof(text), "{\"name\": \"evil\", %s", good + 1);
	refused(text, "metadata: not JSON");
}

Test(ruleset_meta, refuses_every_truncation)
{
	const char *good = meta_with(NULL, NULL);
	size_t n, len = strlen(good);

	for (n = 0; n < len; n++)
		refused_len(good, n, WN_EFORMAT, NULL);
}

Test(ruleset_meta, error_text_is_printable)
{
	char err[WN_RULESET_META_ERR_LEN] = "";
	wn_ruleset_meta m;
	const char *p;

	cr_assert_eq(wn_ruleset_meta_parse("\x1b[31m\r\nevil", 11, &m, err),
	    WN_EFORMAT);
	cr_assert_not_null(strstr(err, "metadata: not JSON"), "%s", err);
	for (p = err; *p != '\0'; p++)
		cr_assert(*p >= 0x20 && *p < 0x7f, "byte 0x%02x in '%s'",
		    (unsigned char)*p, err);
}

Test(ruleset_meta, refuses_oversize)
{
	static char text[WN_RULESET_META_MAX + 2];
	const char *good = meta_with(NULL, NULL);
	char err[WN_RULESET_META_ERR_LEN];
	wn_ruleset_meta m;

	/* a good object padded with spaces to exactly the limit reads */
	memset(text, ' ', sizeof(text));
	memcpy(text, good, strlen(good));
	cr_assert_eq(wn_ruleset_meta_parse(text, WN_RULESET_META_MAX, &m, err),
	    0, "%s", err);
	refused_len(text, WN_RULESET_META_MAX + 1, WN_ELIMIT, "over");
}

Test(ruleset_meta, promote_text_is_exact)
{
	static const char want[] = "winnow-rules-promote-1\ncore\n1.1.0\n"
	    "stable\n2026-11-23T10:00:00Z\n";
	wn_buf b;

	wn_buf_init(&b);
	wn_buf_puts(&b, "kept:");
	cr_assert_eq(wn_ruleset_promote_text("core", "1.1.0", "stable",
	    "2026-11-23T10:00:00Z", &b), 0);
	cr_assert_eq(b.len, 5 + strlen(want));
	cr_assert_eq(memcmp(b.data, "kept:", 5), 0);
	cr_assert_eq(memcmp(b.data + 5, want, strlen(want)), 0, "got '%s'",
	    b.data);
	cr_assert_eq(strncmp(want, WN_RULESET_PROMOTE_TAG "\n",
	    strlen(WN_RULESET_PROMOTE_TAG) + 1), 0);
	wn_buf_fini(&b);
}

Test(ruleset_meta, promote_text_refuses_newlines_and_empty_fields)
{
	const char *ok[4] = { "core", "1.1.0", "stable",
	    "2026-11-23T10:00:00Z" };
	static const char *const bad[] = { "", "a\nb", "\n", "x\n" };
	size_t f, k;
	wn_buf b;

	wn_buf_init(&b);
	for (f = 0; f < 4; f++)
		for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			const char *v[4];

			memcpy(v, ok, sizeof(v));
			v[f] = bad[k];
			cr_assert_eq(wn_ruleset_promote_text(v[0], v[1], v[2],
			    v[3], &b), WN_EINVAL, "field %zu '%s' accepted",
			    f, bad[k]);
			cr_assert_eq(b.len, 0, "written on refusal");
		}
	cr_assert_eq(wn_ruleset_promote_text(NULL, "1", "stable", "t", &b),
	    WN_EINVAL);
	wn_buf_fini(&b);
}
