/*
 * test_url.c - unit tests for URL parsing, host normalisation and text
 * extraction (lib/url.c).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <winnow/arena.h>
#include <winnow/err.h>
#include <winnow/url.h>

static wn_arena *arena;

static void
setup(void)
{
	arena = wn_arena_new(0);
	cr_assert_not_null(arena);
}

static void
teardown(void)
{
	wn_arena_free(&arena);
}

TestSuite(url, .init = setup, .fini = teardown);

/*
 * One wn_url_parse case: input, expected host and domain, flags that must
 * be set and flags that must not. Criterion runs each case in a new
 * process, so parameters hold arrays, never pointers.
 */
struct parse_case {
	char in[64];
	char host[32];
	char domain[32];
	uint32_t set;
	uint32_t unset;
};

#define IPF (WN_URL_IP | WN_URL_OBFUSCATED_IP)

ParameterizedTestParameters(url, parse_normalises_host)
{
	static struct parse_case cases[] = {
		{ "http://3627732462/", "216.58.205.238", "216.58.205.238",
		    IPF, 0 },
		{ "http://0xd8.0x3a.0xd6.0xee/", "216.58.214.238",
		    "216.58.214.238", IPF, 0 },
		{ "http://0xd83ad6ee/x", "216.58.214.238", "216.58.214.238",
		    IPF, 0 },
		{ "http://0330.072.0326.0356/", "216.58.214.238",
		    "216.58.214.238", IPF, 0 },
		{ "http://127.1/", "127.0.0.1", "127.0.0.1", IPF, 0 },
		{ "http://1.2.3/", "1.2.0.3", "1.2.0.3", IPF, 0 },
		{ "http://0x7f.0.0.01/", "127.0.0.1", "127.0.0.1", IPF, 0 },
		{ "http://10.0.0.1/", "10.0.0.1", "10.0.0.1", WN_URL_IP,
		    WN_URL_OBFUSCATED_IP },
		{ "http://10.0.0.1./", "10.0.0.1", "10.0.0.1", WN_URL_IP,
		    WN_URL_OBFUSCATED_IP },
		{ "http://[::1]/", "::1", "::1", WN_URL_IP, 0 },
		{ "http://[2001:DB8::1]:8080/x", "2001:db8::1", "2001:db8::1",
		    WN_URL_IP, 0 },
		{ "http://WWW.Example.COM/", "www.example.com", "example.com",
		    0, WN_URL_IP },
		{ "http://www.example.com.../", "www.example.com",
		    "example.com", 0, 0 },
		{ "http://www.example.com:8080/", "www.example.com",
		    "example.com", 0, 0 },
		{ "http://user:pass@www.paypal.com.evil.ru/",
		    "www.paypal.com.evil.ru", "evil.ru", WN_URL_USERINFO, 0 },
		{ "http://www.paypal.com@10.1.2.3/", "10.1.2.3", "10.1.2.3",
		    WN_URL_USERINFO | WN_URL_IP, 0 },
		{ "http://%77%77%77.Evil.com/", "www.evil.com", "evil.com",
		    WN_URL_PERCENT_HOST, 0 },
		{ "http://%31%30.0.0.1/", "10.0.0.1", "10.0.0.1",
		    WN_URL_PERCENT_HOST | IPF, 0 },
		{ "http://www.example.co.uk/a", "www.example.co.uk",
		    "example.co.uk", 0, 0 },
		{ "http://localhost/", "localhost", "localhost", 0, 0 },
		{ "http:\\\\evil.com\\path", "evil.com", "evil.com", 0, 0 },
		{ "http:/\\evil.com/", "evil.com", "evil.com", 0, 0 },
		{ "http:evil.com/", "evil.com", "evil.com", 0, 0 },
		{ "https:////evil.com/", "evil.com", "evil.com", 0, 0 },
		{ "hxxp://evil.com/", "evil.com", "evil.com", 0, 0 },
		{ "http://пример.рф/", "пример.рф", "пример.рф", WN_URL_IDN,
		    0 },
		{ "http://ПРИМЕР.рф/", "пример.рф", "пример.рф", WN_URL_IDN,
		    0 },
		{ "http://xn--80ak6aa92e.com/", "xn--80ak6aa92e.com",
		    "xn--80ak6aa92e.com", WN_URL_IDN, 0 },
		{ "http://ｐａｙｐａｌ．ｃｏｍ/", "paypal.com", "paypal.com",
		    WN_URL_IDN, 0 },
		{ "http://example。com/", "example.com", "example.com",
		    WN_URL_IDN, 0 },
		{ "http://stra\xc3\x9f" "e.de/", "strasse.de", "strasse.de",
		    WN_URL_IDN, 0 },
		{ "http://\xce\xb1\xcf\x82.gr/", "\xce\xb1\xcf\x83.gr",
		    "\xce\xb1\xcf\x83.gr", WN_URL_IDN, 0 },
		{ "http://\xef\xbc\x91\xef\xbc\x92\xef\xbc\x97.0.0.1/",
		    "127.0.0.1", "127.0.0.1", WN_URL_IDN | IPF, 0 },
		{ "http://ex%2fample.com/", "", "", WN_URL_BAD_HOST |
		    WN_URL_PERCENT_HOST, 0 },
		{ "http://ex*ample.com/", "", "", WN_URL_BAD_HOST, 0 },
		{ "http://a..b.com/", "", "", WN_URL_BAD_HOST, 0 },
		{ "http://1.2.3.256/", "", "", WN_URL_BAD_HOST, WN_URL_IP },
		{ "http://08.1.1.1/", "", "", WN_URL_BAD_HOST, WN_URL_IP },
		{ "http://99999999999/", "", "", WN_URL_BAD_HOST, WN_URL_IP },
		{ "http://1.2.3.4.5/", "", "", WN_URL_BAD_HOST, WN_URL_IP },
		{ "http://[1.2.3.x]/", "", "", WN_URL_BAD_HOST, WN_URL_IP },
		{ "http://\xff\xfe.com/", "", "", WN_URL_BAD_HOST, 0 },
		{ "www.Example.org/page", "www.example.org", "example.org",
		    WN_URL_NO_SCHEME, 0 },
		{ "//cdn.example.net/x.js", "cdn.example.net", "example.net",
		    WN_URL_NO_SCHEME, 0 },
		{ "mailto:Joe@Example.COM?subject=hi", "example.com",
		    "example.com", WN_URL_MAILTO, WN_URL_USERINFO },
		{ "mailto:a@x.org,b@y.org", "x.org", "x.org", WN_URL_MAILTO,
		    0 },
		{ "ht\ttp://exa\nmple.com/", "example.com", "example.com", 0,
		    0 },
		{ "  http://example.com/  ", "example.com", "example.com", 0,
		    0 },
		{ "ftp://files.example.com/pub", "files.example.com",
		    "example.com", 0, 0 },
	};

	return cr_make_param_array(struct parse_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct parse_case *c, url, parse_normalises_host)
{
	wn_url u;
	int rc;

	rc = wn_url_parse(arena, c->in, strlen(c->in), 0, &u);
	cr_assert_eq(rc, 0, "%s: got rc %d, want 0", c->in, rc);
	cr_expect_str_eq(u.host, c->host, "%s: got host \"%s\", want \"%s\"",
	    c->in, u.host, c->host);
	cr_expect_str_eq(u.domain, c->domain,
	    "%s: got domain \"%s\", want \"%s\"", c->in, u.domain, c->domain);
	cr_expect_eq(u.flags & c->set, c->set,
	    "%s: got flags %#x, want %#x set", c->in, u.flags, c->set);
	cr_expect_eq(u.flags & c->unset, 0,
	    "%s: got flags %#x, want %#x clear", c->in, u.flags, c->unset);
}

struct str_case {
	char in[40];
};

ParameterizedTestParameters(url, parse_rejects_non_urls)
{
	static struct str_case cases[] = {
		{ "" }, { "   " }, { "javascript:alert(1)" },
		{ "data:text/html;base64,AAAA" }, { "cid:part1@x" },
		{ "tel:+123456" }, { "/relative/path.html" },
		{ "images/a.gif" }, { "#top" }, { "http://" }, { "http:///" },
		{ "http://user@/" }, { "http://:80/" },
		{ "file:///etc/passwd" },
		{ "mailto:?subject=x" }, { "mailto:joe@" }, { "example.com" },
		{ "example.com:80/x" },
	};

	return cr_make_param_array(struct str_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct str_case *c, url, parse_rejects_non_urls)
{
	wn_url u;
	int rc = wn_url_parse(arena, c->in, strlen(c->in), 0, &u);

	cr_expect_eq(rc, WN_EINVAL, "\"%s\": got rc %d, want WN_EINVAL",
	    c->in, rc);
}

Test(url, parse_splits_scheme_and_path)
{
	wn_url u;
	const char *s = "HTTPS://Example.com:443/a/b?q=1&r=2#frag";

	cr_assert_eq(wn_url_parse(arena, s, strlen(s), WN_URL_FROM_HTML, &u),
	    0);
	cr_expect_str_eq(u.url, s);
	cr_expect_str_eq(u.scheme, "https", "got %s, want https", u.scheme);
	cr_expect_str_eq(u.path, "/a/b?q=1&r=2#frag", "got %s", u.path);
	cr_expect(u.flags & WN_URL_FROM_HTML, "got flags %#x", u.flags);

	cr_assert_eq(wn_url_parse(arena, "http://a.com?x#y", 16, 0, &u), 0);
	cr_expect_str_eq(u.host, "a.com");
	cr_expect_str_eq(u.path, "?x#y", "got %s, want ?x#y", u.path);

	cr_assert_eq(wn_url_parse(arena, "www.x.com", 9, 0, &u), 0);
	cr_expect_str_eq(u.scheme, "", "got %s, want empty", u.scheme);
	cr_expect_str_eq(u.path, "");
}

Test(url, mailto_keeps_query_as_path)
{
	wn_url u;
	const char *s = "mailto:joe@example.com?subject=Win";

	cr_assert_eq(wn_url_parse(arena, s, strlen(s), 0, &u), 0);
	cr_expect_str_eq(u.scheme, "mailto");
	cr_expect_str_eq(u.path, "?subject=Win", "got %s", u.path);
}

Test(url, long_url_is_cut_at_max_len)
{
	size_t n = WN_URL_MAX_LEN * 3, i;
	char *s = malloc(n);
	wn_url u;

	memcpy(s, "http://example.com/", 19);
	for (i = 19; i < n; i++)
		s[i] = 'a';
	cr_assert_eq(wn_url_parse(arena, s, n, 0, &u), 0);
	cr_expect_eq(strlen(u.url), WN_URL_MAX_LEN, "got %zu, want %d",
	    strlen(u.url), WN_URL_MAX_LEN);
	cr_expect_str_eq(u.host, "example.com");
	free(s);
}

Test(url, very_long_host_is_bad)
{
	char s[600];
	wn_url u;

	memcpy(s, "http://", 7);
	memset(s + 7, 'a', 300);
	memcpy(s + 307, ".com/", 6);
	cr_assert_eq(wn_url_parse(arena, s, strlen(s), 0, &u), 0);
	cr_expect(u.flags & WN_URL_BAD_HOST, "got flags %#x", u.flags);
	cr_expect_str_eq(u.host, "");
}

struct host_case {
	char in[32];
	char want[32];		/* "": unusable */
	uint32_t flags;
};

ParameterizedTestParameters(url, host_normalise_cases)
{
	static struct host_case cases[] = {
		{ "WWW.Example.COM.", "www.example.com", 0 },
		{ "0x7f.1", "127.0.0.1", IPF },
		{ "2130706433", "127.0.0.1", IPF },
		{ "192.168.1.1", "192.168.1.1", WN_URL_IP },
		{ "[::FFFF:1.2.3.4]", "::ffff:1.2.3.4", WN_URL_IP },
		{ "b\xc3\x9c" "cher.de", "b\xc3\xbc" "cher.de", WN_URL_IDN },
		{ "under_score.example", "under_score.example", 0 },
		{ "bad host", "", 0 },
		{ "", "", 0 },
		{ "...", "", 0 },
		{ "a/b", "", 0 },
		{ "[::1", "", 0 },
	};

	return cr_make_param_array(struct host_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct host_case *c, url, host_normalise_cases)
{
	uint32_t fl = 0;
	const char *h = wn_url_host_normalise(arena, c->in, strlen(c->in), &fl);

	if (c->want[0] == '\0') {
		cr_expect_null(h, "%s: got \"%s\", want NULL", c->in, h);
		return;
	}
	cr_assert_not_null(h, "%s: got NULL, want %s", c->in, c->want);
	cr_expect_str_eq(h, c->want, "%s: got \"%s\", want \"%s\"", c->in, h,
	    c->want);
	cr_expect_eq(fl, c->flags, "%s: got flags %#x, want %#x", c->in, fl,
	    c->flags);
}

Test(url, host_normalise_accepts_null_flags)
{
	const char *h = wn_url_host_normalise(arena, "A.B", 3, NULL);

	cr_expect_str_eq(h, "a.b");
}

Test(url, registrable_domain_uses_psl)
{
	struct {
		const char *host, *want;
	} c[] = {
		{ "a.b.example.co.uk", "example.co.uk" },
		{ "www.example.com", "example.com" },
		{ "example.com", "example.com" },
		{ "com", "com" },
		{ "co.uk", "co.uk" },
		{ "192.168.1.1", "192.168.1.1" },
		{ "2001:db8::1", "2001:db8::1" },
		{ "", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const char *d = wn_url_registrable_domain(arena, c[i].host);

		cr_expect_str_eq(d, c[i].want, "%s: got %s, want %s", c[i].host,
		    d, c[i].want);
	}
}

/* Text extraction: the URLs found, in order, separated by '|'. */
struct text_case {
	char in[80];
	char want[80];
};

static void
join_urls(const wn_url_list *l, char *buf, size_t n)
{
	size_t i, k = 0;

	buf[0] = '\0';
	for (i = 0; i < l->n; i++)
		k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? "|" : "",
		    l->v[i].url);
}

ParameterizedTestParameters(url, extract_text_finds_urls)
{
	static struct text_case cases[] = {
		{ "Visit http://example.com/foo.", "http://example.com/foo" },
		{ "Visit http://example.com/foo, now!",
		    "http://example.com/foo" },
		{ "Really? http://example.com/?", "http://example.com/" },
		{ "(see http://example.com/a)", "http://example.com/a" },
		{ "see http://en.wikipedia.org/wiki/Foo_(bar).",
		    "http://en.wikipedia.org/wiki/Foo_(bar)" },
		{ "[http://example.com/x]", "http://example.com/x" },
		{ "<http://example.com/a.b>", "http://example.com/a.b" },
		{ "<URL:http://example.com/a>", "http://example.com/a" },
		{ "\"http://example.com/q\"", "http://example.com/q" },
		{ "'http://example.com/q'", "http://example.com/q" },
		{ "\xe2\x80\x9chttp://example.com/q\xe2\x80\x9d",
		    "http://example.com/q" },
		{ "\xe7\x9c\x8bhttp://example.com/\xe3\x80\x82",
		    "http://example.com/" },
		{ "go to www.example.com, then", "www.example.com" },
		{ "go to WWW.Example.com/x;", "WWW.Example.com/x" },
		{ "write to Joe.Smith+tag@Example.com.",
		    "Joe.Smith+tag@Example.com" },
		{ "mailto:bob@example.org?subject=x.",
		    "mailto:bob@example.org?subject=x" },
		{ "a http://a.com b https://b.org/x c ftp://c.net d",
		    "http://a.com|https://b.org/x|ftp://c.net" },
		{ "hxxp://evil.com/x", "hxxp://evil.com/x" },
		{ "x:http://a.com", "http://a.com" },
		{ "http://a.com/p?u=joe@b.com", "http://a.com/p?u=joe@b.com" },
		{ "www.paypal.com@evil.com/", "www.paypal.com@evil.com/" },
		{ "http://\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80"
		    ".\xd1\x80\xd1\x84/ ok",
		    "http://\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80"
		    ".\xd1\x80\xd1\x84/" },
		{ "10:30, a:b, w.x, www.foo, http://, x@y, a@b.c, @@@", "" },
		{ "user@localhost and foo@bar", "" },
		{ "awww.example.com", "" },
	};

	return cr_make_param_array(struct text_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct text_case *c, url, extract_text_finds_urls)
{
	wn_url_list l;
	char got[1024];

	wn_url_list_init(&l, arena, 100);
	cr_assert_eq(wn_url_extract_text(&l, c->in, strlen(c->in)), 0);
	join_urls(&l, got, sizeof(got));
	cr_expect_str_eq(got, c->want, "\"%s\": got \"%s\", want \"%s\"",
	    c->in, got, c->want);
}

Test(url, extract_text_sets_kind_flags)
{
	wn_url_list l;
	const char *t = "www.a.com joe@b.com http://c.com";

	wn_url_list_init(&l, arena, 10);
	cr_assert_eq(wn_url_extract_text(&l, t, strlen(t)), 0);
	cr_assert_eq(l.n, 3, "got %zu, want 3", l.n);
	cr_expect(l.v[0].flags & WN_URL_NO_SCHEME);
	cr_expect(l.v[1].flags & WN_URL_MAILTO);
	cr_expect_str_eq(l.v[1].scheme, "mailto");
	cr_expect_str_eq(l.v[1].host, "b.com");
	cr_expect_eq(l.v[2].flags, 0, "got %#x, want 0", l.v[2].flags);
}

Test(url, list_full_sets_flag_and_keeps_first)
{
	wn_url_list l;
	const char *t = "http://a.com http://b.com http://c.com";

	wn_url_list_init(&l, arena, 2);
	cr_assert_eq(wn_url_extract_text(&l, t, strlen(t)), 0);
	cr_expect_eq(l.n, 2, "got %zu, want 2", l.n);
	cr_expect_str_eq(l.v[1].host, "b.com");
	cr_expect(l.flags & WN_URL_LIST_FULL, "got flags %#x", l.flags);
}

Test(url, list_not_full_when_only_non_urls_follow)
{
	wn_url_list l;

	wn_url_list_init(&l, arena, 1);
	cr_assert_eq(wn_url_list_add(&l, "http://a.com", 12, 0), 0);
	cr_assert_eq(wn_url_list_add(&l, "javascript:x", 12, 0), 0);
	cr_expect_eq(l.flags, 0, "got flags %#x, want 0", l.flags);
	cr_assert_eq(wn_url_list_add(&l, "http://b.com", 12, 0), 0);
	cr_expect(l.flags & WN_URL_LIST_FULL);
	cr_expect_eq(l.n, 1);
}

Test(url, list_grows_and_keeps_order)
{
	wn_url_list l;
	char buf[64];
	size_t i;

	wn_url_list_init(&l, arena, 1000);
	for (i = 0; i < 300; i++) {
		int n = snprintf(buf, sizeof(buf), "http://h%zu.example/", i);

		cr_assert_eq(wn_url_list_add(&l, buf, (size_t)n, 0), 0);
	}
	cr_assert_eq(l.n, 300, "got %zu, want 300", l.n);
	cr_expect_geq(l.cap, l.n);
	for (i = 0; i < 300; i++) {
		snprintf(buf, sizeof(buf), "h%zu.example", i);
		cr_expect_str_eq(l.v[i].host, buf);
	}
}

Test(url, list_reuses_domain_of_recent_host)
{
	const char *in[] = {
		"http://www.example.co.uk/a", "http://cdn.example.com/b",
		"http://www.example.co.uk/c", "http://www.example.co.uk.evil.ru/",
		"http://cdn.example.com/d", "http://example.com/",
	};
	const char *want[] = {
		"example.co.uk", "example.com", "example.co.uk", "evil.ru",
		"example.com", "example.com",
	};
	wn_url_list l;
	size_t i;

	wn_url_list_init(&l, arena, 100);
	for (i = 0; i < 6; i++)
		cr_assert_eq(wn_url_list_add(&l, in[i], strlen(in[i]), 0), 0);
	cr_assert_eq(l.n, 6);
	for (i = 0; i < 6; i++) {
		size_t hl = strlen(l.v[i].host);

		cr_expect_str_eq(l.v[i].domain, want[i], "%s: got %s, want %s",
		    in[i], l.v[i].domain, want[i]);
		/* The domain is a suffix of the URL's own host string. */
		cr_expect(l.v[i].domain >= l.v[i].host &&
		    l.v[i].domain <= l.v[i].host + hl);
	}
}

Test(url, empty_and_null_inputs_are_harmless)
{
	wn_url_list l;
	wn_url u;
	uint32_t fl = 0;

	wn_url_list_init(&l, arena, 10);
	cr_expect_eq(wn_url_extract_text(&l, NULL, 0), 0);
	cr_expect_eq(wn_url_extract_text(&l, "", 0), 0);
	cr_expect_eq(wn_url_parse(arena, NULL, 0, 0, &u), WN_EINVAL);
	cr_expect_null(wn_url_host_normalise(arena, NULL, 0, &fl));
	cr_expect_eq(l.n, 0);
	cr_expect_eq(l.v, NULL);
}

Test(url, list_add_ignores_non_urls)
{
	wn_url_list l;

	wn_url_list_init(&l, arena, 10);
	cr_expect_eq(wn_url_list_add(&l, "/rel", 4, 0), 0);
	cr_expect_eq(wn_url_list_add(&l, "#x", 2, 0), 0);
	cr_expect_eq(l.n, 0);
}

/* Pathological inputs must stay linear: quadratic work on a megabyte
 * would run into the test timeout. Speed itself is for bench/. */
static void
check_linear(const char *unit, size_t total)
{
	size_t k = strlen(unit), n = total / k * k, i;
	char *t = malloc(n);
	wn_url_list l;

	for (i = 0; i < n; i += k)
		memcpy(t + i, unit, k);
	wn_url_list_init(&l, arena, 100000);
	cr_assert_eq(wn_url_extract_text(&l, t, n), 0);
	free(t);
}

Test(url, extract_text_is_linear_on_hostile_input)
{
	check_linear(":", 1 << 20);
	check_linear("://", 1 << 20);
	check_linear("a:///", 1 << 20);
	check_linear("www.a?", 1 << 20);
	check_linear("wwww", 1 << 20);
	check_linear("@", 1 << 20);
	check_linear("a@", 1 << 20);
	check_linear("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@", 1 << 20);
	check_linear("@a.", 1 << 20);
	check_linear("mailto:", 1 << 20);
	check_linear("((((http://a.com/))))", 1 << 20);
	check_linear("x", 1 << 20);
}

Test(url, extract_text_over_a_megabyte_of_mail_finds_every_url)
{
	const char *para = "Dear customer, please visit http://www.example."
	    "com/account?id=12345 or write to support@example.com. Our "
	    "offices (www.example.org) are open 9:00-17:00 daily.\n";
	size_t k = strlen(para), n = (1 << 20) / k * k, i;
	char *t = malloc(n);
	wn_url_list l;

	for (i = 0; i < n; i += k)
		memcpy(t + i, para, k);
	wn_url_list_init(&l, arena, 1000000);
	cr_assert_eq(wn_url_extract_text(&l, t, n), 0);
	cr_expect_eq(l.n, n / k * 3, "got %zu, want %zu", l.n, n / k * 3);
	free(t);
}
