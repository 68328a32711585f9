/*
 * test_html.c - unit tests for HTML rendering (lib/html.c) and character
 * references (lib/html_entities.c).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <winnow/alloc.h>
#include <winnow/arena.h>
#include <winnow/codec.h>
#include <winnow/err.h>
#include <winnow/html.h>
#include <winnow/url.h>

#include "../../lib/html_int.h"

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

TestSuite(html, .init = setup, .fini = teardown);

static wn_html_result
render(const char *s, wn_url_list *urls)
{
	wn_html_result r;
	int rc = wn_html_render(arena, s, strlen(s), 1 << 20, urls, &r);

	cr_assert_eq(rc, 0, "got rc %d, want 0", rc);
	cr_assert_not_null(r.text.p);
	cr_assert_not_null(r.hidden.p);
	cr_assert_eq(r.text.p[r.text.len], '\0');
	cr_assert_eq(r.hidden.p[r.hidden.len], '\0');
	cr_assert(wn_utf8_valid(r.text.p, r.text.len));
	cr_assert(wn_utf8_valid(r.hidden.p, r.hidden.len));
	return r;
}

/*
 * Visible and hidden text of small documents. Criterion runs each case in
 * a new process, so parameters hold arrays, never pointers.
 */
struct render_case {
	char in[160];
	char text[64];
	char hidden[32];
};

ParameterizedTestParameters(html, render_text_cases)
{
	static struct render_case cases[] = {
		{ "plain text", "plain text", "" },
		{ "<b>bold</b> and <i>it</i>", "bold and it", "" },
		{ "  lots \t of\r\n\n   space  ", "lots of space", "" },
		{ "<p>one</p><p>two</p>", "one\ntwo", "" },
		{ "a<br>b<br/>c<br><br>d", "a\nb\nc\nd", "" },
		{ "<div>a</div>b<h1>c</h1><ul><li>d<li>e</ul>f",
		    "a\nb\nc\nd\ne\nf", "" },
		{ "<table><tr><td>a</td><td>b</td></tr><tr><td>c</table>",
		    "a b\nc", "" },
		{ "<blockquote>q</blockquote>x", "q\nx", "" },
		{ "a&nbsp;&nbsp;b", "a b", "" },
		{ "V<!-- x -->iagra", "Viagra", "" },
		{ "V<span></span>iagra", "Viagra", "" },
		{ "<!DOCTYPE html><html><head><title>T</title>"
		    "<meta charset=utf-8></head><body>x</body></html>",
		    "x", "" },
		{ "<script>var a = '<b>no</b>';</script>yes", "yes", "" },
		{ "<SCRIPT type=x>a</b></ScRiPt >yes", "yes", "" },
		{ "<style>p { color: red }</style>yes", "yes", "" },
		{ "<iframe src=x>fallback</iframe>yes", "yes", "" },
		{ "a<![CDATA[ hidden ]]>b", "ab", "" },
		{ "a<?php echo 1 ?>b", "ab", "" },
		{ "a</ x>b", "ab", "" },
		{ "a</>b", "ab", "" },
		{ "a < b and c > d", "a < b and c > d", "" },
		{ "1<2", "1<2", "" },
		{ "a<", "a<", "" },
		{ "x<!-->y<!--->z", "xyz", "" },
		{ "x<!-- a -- b --!>y", "xy", "" },
		{ "<a href=x title='a>b'>link</a>", "link", "" },
		{ "Via<span style=\"display:none\">xyz</span>gra", "Viagra",
		    "xyz" },
		{ "a<div style='display: none'>h1<p>h2</p></div>b", "ab",
		    "h1\nh2" },
		{ "a<span style=\"visibility:hidden\">h</span>b", "ab", "h" },
		{ "a<span style=\"visibility:hidden\">h<b style="
		    "\"visibility:visible\">v</b></span>", "av", "h" },
		{ "a<span style=\"opacity:0\">h</span>", "a", "h" },
		{ "a<span style=\"opacity:0.05\">h</span>", "a", "h" },
		{ "a<span style=\"opacity:0.5\">v</span>", "av", "" },
		{ "a<span hidden>h</span>", "a", "h" },
		{ "<span style=\"display:none\"><div>h</span>h2</div>v",
		    "", "hh2\nv" },
		{ "<font color=\"#ffffff\">h</font>v", "v", "h" },
		{ "<font color=white>h</font>v", "v", "h" },
		{ "<font color=fefefe>h</font>v", "v", "h" },
		{ "<p style=\"color:#fff\">h</p>v", "v", "h" },
		{ "<p style=\"color: rgb(250, 250, 250)\">h</p>v", "v", "h" },
		{ "<p style=\"color:transparent\">h</p>v", "v", "h" },
		{ "<p style=\"color:rgba(0,0,0,0)\">h</p>v", "v", "h" },
		{ "<body bgcolor=black><font color=white>v</font></body>",
		    "v", "" },
		{ "<table bgcolor=\"#000\"><tr><td><font color=black>h"
		    "</font></td></tr></table>", "", "h" },
		{ "<div style=\"background:#123456\"><span style=\"color:"
		    "#123457\">h</span></div>", "", "h" },
		{ "<div style=\"background-color:navy\"><b style=\"color:"
		    "white\">v</b></div>", "v", "" },
		{ "<td background=\"bg.jpg\"><font color=white>v</font>",
		    "v", "" },
		{ "<div style=\"background:url(x.png)\"><font color=white>v"
		    "</font></div>", "v", "" },
		{ "<style>body{background:#000;color:#fff}</style>"
		    "<font color=white>v</font>", "v", "" },
		{ "<font color=orange>v</font>", "v", "" },
		{ "<font color=\"#cccccc\">v</font>", "v", "" },
		{ "<a href=\"http://a.com/\" style=\"color:#000\">v</a>", "v",
		    "" },
		{ "<font color=white><a href=\"http://a.com/\">v</a></font>",
		    "v", "" },
		{ "a<textarea>t</textarea>", "at", "" },
		{ "x<title>t</title>y", "xy", "" },
		{ "<html><head>stray</head><body>x</body>", "stray\nx", "" },
		{ "a\xc2\xa0" "b", "a b", "" },
		{ "Vi\xe2\x80\x8b" "ag\xc2\xad" "ra", "Viagra", "" },
		{ "Vi&zwnj;ag&shy;ra&#8203;", "Viagra", "" },
		{ "a\x01\x7f" "b", "ab", "" },
		{ "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac",
		    "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", "" },
		{ "bad\xff\xfe" "bytes\xc3", "bad\xef\xbf\xbd\xef\xbf\xbd"
		    "bytes\xef\xbf\xbd", "" },
		{ "", "", "" },
	};

	return cr_make_param_array(struct render_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct render_case *c, html, render_text_cases)
{
	wn_html_result r = render(c->in, NULL);

	cr_expect_str_eq(r.text.p, c->text,
	    "%s: got text \"%s\", want \"%s\"", c->in, r.text.p, c->text);
	cr_expect_str_eq(r.hidden.p, c->hidden,
	    "%s: got hidden \"%s\", want \"%s\"", c->in, r.hidden.p,
	    c->hidden);
	cr_expect_eq(strlen(r.text.p), r.text.len);
}

/* Character references in text. */
struct ref_case {
	char in[32];
	char want[24];
};

ParameterizedTestParameters(html, character_references_decode)
{
	static struct ref_case cases[] = {
		{ "&amp;&lt;&gt;&quot;&apos;", "&<>\"'" },
		{ "&copy; &reg; &trade;", "\xc2\xa9 \xc2\xae \xe2\x84\xa2" },
		{ "&eacute;&Eacute;&szlig;", "\xc3\xa9\xc3\x89\xc3\x9f" },
		{ "&alpha;&Omega;&hellip;", "\xce\xb1\xce\xa9\xe2\x80\xa6" },
		{ "&euro;&mdash;&rsquo;", "\xe2\x82\xac\xe2\x80\x94"
		    "\xe2\x80\x99" },
		{ "&hearts;&diams;&loz;", "\xe2\x99\xa5\xe2\x99\xa6"
		    "\xe2\x97\x8a" },
		{ "&#65;&#x42;&#X43;", "ABC" },
		{ "&#65&#x42 c", "AB c" },
		{ "&#0;", "\xef\xbf\xbd" },
		{ "&#xD800;", "\xef\xbf\xbd" },
		{ "&#x110000;", "\xef\xbf\xbd" },
		{ "&#99999999999999;", "\xef\xbf\xbd" },
		{ "&#1;", "\xef\xbf\xbd" },
		{ "&#150;&#128;", "\xe2\x80\x93\xe2\x82\xac" },
		{ "&#x1F600;", "\xf0\x9f\x98\x80" },
		{ "&amp &lt &copy 1", "& < \xc2\xa9 1" },
		{ "&AMP; &COPY", "& \xc2\xa9" },
		{ "&notit;", "\xc2\xac" "it;" },
		{ "&ampx", "&x" },
		{ "&foo; &", "&foo; &" },
		{ "&&&&", "&&&&" },
		{ "&#; &#x; &#xg", "&#; &#x; &#xg" },
		{ "&hellip &alpha", "&hellip &alpha" },
		{ "&commat;&period;", "@." },
	};

	return cr_make_param_array(struct ref_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct ref_case *c, html, character_references_decode)
{
	wn_html_result r = render(c->in, NULL);

	cr_expect_str_eq(r.text.p, c->want, "%s: got \"%s\", want \"%s\"",
	    c->in, r.text.p, c->want);
}

Test(html, entity_table_is_sorted_and_complete)
{
	const char *name, *prev = NULL;
	uint32_t cp, got;
	size_t i;

	for (i = 0; wn__html_entity_at(i, &name, &cp); i++) {
		if (prev != NULL)
			cr_expect_lt(strcmp(prev, name), 0,
			    "got %s after %s, want sorted", name, prev);
		got = wn__html_entity_lookup(name, strlen(name), NULL);
		cr_expect_eq(got, cp, "%s: got U+%04X, want U+%04X", name, got,
		    cp);
		prev = name;
	}
	/* The HTML 4 set alone has 253 names with &apos;. */
	cr_expect_geq(i, 253, "got %zu entries, want >= 253", i);
	cr_expect_eq(wn__html_entity_lookup("nbsp", 4, NULL), 0xa0);
	cr_expect_eq(wn__html_entity_lookup("thetasym", 8, NULL), 977);
	cr_expect_eq(wn__html_entity_lookup("Nbsp", 4, NULL), 0);
	cr_expect_eq(wn__html_entity_lookup("nbs", 3, NULL), 0);
}

Test(html, attribute_refs_keep_query_parameters)
{
	uint32_t cp;
	bool num;
	const char *s = "&copy=2";

	cr_expect_eq(wn__html_ref(s, s + 7, true, &cp, &num), 0);
	cr_expect_eq(wn__html_ref(s, s + 7, false, &cp, &num), 5);
	cr_expect_eq(cp, 0xa9);
}

Test(html, numeric_refs_for_letters_set_obfuscated)
{
	wn_html_result r;

	r = render("&#86;&#105;&#97;gra", NULL);
	cr_expect_str_eq(r.text.p, "Viagra");
	cr_expect(r.flags & WN_HTML_OBFUSCATED, "got flags %#x", r.flags);

	r = render("caf&#233; &#65;B &#x2014;", NULL);
	cr_expect_not(r.flags & WN_HTML_OBFUSCATED, "got flags %#x",
	    r.flags);

	r = render("<a href=\"&#104;&#116;&#116;&#112;://x.com/\">x</a>",
	    NULL);
	cr_expect(r.flags & WN_HTML_OBFUSCATED, "got flags %#x", r.flags);

	/* a mailto: spelled in references guards against harvesters */
	r = render("<a href=\"&#109;&#97;&#105;&#108;&#116;&#111;:&#106;"
	    "&#111;@x.com\">write</a>", NULL);
	cr_expect_not(r.flags & WN_HTML_OBFUSCATED, "got flags %#x",
	    r.flags);
}

struct flag_case {
	char in[96];
	uint32_t set;
	uint32_t unset;
};

#define HID WN_HTML_HIDDEN_TEXT
#define TINY (WN_HTML_HIDDEN_TEXT | WN_HTML_TINY_FONT)
#define LOWC (WN_HTML_HIDDEN_TEXT | WN_HTML_LOW_CONTRAST)

ParameterizedTestParameters(html, hiding_tricks_set_flags)
{
	static struct flag_case cases[] = {
		{ "<span style=\"display:none\">x</span>", HID, TINY & ~HID },
		{ "<span style=\"DISPLAY : NONE !important\">x</span>", HID,
		    0 },
		{ "<span style=\"font-size:0\">x</span>", TINY, 0 },
		{ "<span style=\"font-size:1px\">x</span>", TINY, 0 },
		{ "<span style=\"font-size: 2px\">x</span>", TINY, 0 },
		{ "<span style=\"font-size:0.1em\">x</span>", TINY, 0 },
		{ "<span style=\"font:0/0 a\">x</span>", TINY, 0 },
		{ "<span style=\"font-size:3px\">x</span>", 0, TINY },
		{ "<span style=\"font:bold 12px Arial\">x</span>", 0, TINY },
		/* <font size> of 1 or less is small print, still read. */
		{ "<font size=1>x</font>", 0, TINY | HID },
		{ "<font size=\"0\">x</font>", 0, TINY | HID },
		{ "<font size=-2>x</font>", 0, TINY | HID },
		{ "<span style=\"font-size:1px\"><font size=1>x</font></span>",
		    0, TINY | HID },
		{ "<font size=2>x</font>", 0, TINY },
		{ "<font size=\"abc\">x</font>", 0, TINY },
		{ "<font size=\"+1\">x</font>", 0, TINY },
		{ "<font size=1><font size=4>v</font></font>", 0, TINY },
		{ "<font color=#FFF>x</font>", LOWC, 0 },
		{ "<span style=\"color:#f8f8f8\">x</span>", LOWC, 0 },
		{ "<span style=\"color:#777\">x</span>", 0, LOWC },
		{ "<span style=\"display:none\"></span>", 0, HID },
		{ "<font color=white> </font>", 0, HID },
	};

	return cr_make_param_array(struct flag_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct flag_case *c, html, hiding_tricks_set_flags)
{
	wn_html_result r = render(c->in, NULL);

	cr_expect_eq(r.flags & c->set, c->set,
	    "%s: got flags %#x, want %#x set", c->in, r.flags, c->set);
	cr_expect_eq(r.flags & c->unset, 0,
	    "%s: got flags %#x, want %#x clear", c->in, r.flags, c->unset);
}

Test(html, deep_nesting_beyond_stack_is_plain)
{
	char buf[4096];
	size_t k = 0;
	int i;
	wn_html_result r;

	k += (size_t)snprintf(buf + k, sizeof(buf) - k,
	    "<div style=\"display:none\">");
	for (i = 0; i < 100; i++)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "<span>");
	k += (size_t)snprintf(buf + k, sizeof(buf) - k, "deep");
	for (i = 0; i < 100; i++)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "</span>");
	snprintf(buf + k, sizeof(buf) - k, "</div>seen");
	r = render(buf, NULL);
	cr_expect_str_eq(r.text.p, "seen", "got \"%s\"", r.text.p);
	cr_expect_str_eq(r.hidden.p, "deep", "got \"%s\"", r.hidden.p);
}

static void
join_urls(const wn_url_list *l, char *buf, size_t n)
{
	size_t i, k = 0;

	buf[0] = '\0';
	for (i = 0; i < l->n && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? "|" : "",
		    l->v[i].url);
}

struct url_case {
	char in[128];
	char want[96];
};

ParameterizedTestParameters(html, attributes_give_urls)
{
	static struct url_case cases[] = {
		{ "<a href=\"http://a.com/x\">t</a>", "http://a.com/x" },
		{ "<A HREF='http://a.com/x'>t</A>", "http://a.com/x" },
		{ "<a href=http://a.com/x>t</a>", "http://a.com/x" },
		{ "<img src=\"http://i.com/p.gif\">", "http://i.com/p.gif" },
		{ "<form action=\"https://f.com/post\"></form>",
		    "https://f.com/post" },
		{ "<body background=\"http://b.com/bg.jpg\">",
		    "http://b.com/bg.jpg" },
		{ "<blockquote cite=\"http://c.com/\">", "http://c.com/" },
		{ "<button formaction=\"http://d.com/\">", "http://d.com/" },
		{ "<video poster=\"http://e.com/p.jpg\">",
		    "http://e.com/p.jpg" },
		{ "<object data=\"http://o.com/x.swf\">",
		    "http://o.com/x.swf" },
		{ "<div data=\"http://o.com/x\">", "" },
		{ "<meta http-equiv=\"refresh\" content=\"0; url=http://r.com/"
		    "\">", "http://r.com/" },
		{ "<meta http-equiv=Refresh content=\"5;URL='http://r.com/x'"
		    "\">", "http://r.com/x" },
		{ "<a href=\"http://a.com/?a=1&amp;b=2&copy=3\">",
		    "http://a.com/?a=1&b=2&copy=3" },
		{ "<a href=\"javascript:alert(1)\">", "" },
		{ "<a href=\" java\tscript:x\">", "" },
		{ "<img src=\"data:image/png;base64,AAAA\">", "" },
		{ "<img src=\"cid:part1@x\">", "" },
		{ "<a href=\"#top\">", "" },
		{ "<a href=\"/relative\">", "" },
		{ "<div style=\"background-image:url('http://t.com/p.gif')\">",
		    "http://t.com/p.gif" },
		{ "<a href=\"http://a.com/\"><img src=\"http://b.com/i\"></a>",
		    "http://a.com/|http://b.com/i" },
		{ "<a href=\"http://a.com/\" href=\"http://b.com/\">",
		    "http://a.com/" },
	};

	return cr_make_param_array(struct url_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct url_case *c, html, attributes_give_urls)
{
	wn_url_list l;
	char got[512];
	size_t i;

	wn_url_list_init(&l, arena, 100);
	render(c->in, &l);
	join_urls(&l, got, sizeof(got));
	cr_expect_str_eq(got, c->want, "%s: got \"%s\", want \"%s\"", c->in,
	    got, c->want);
	for (i = 0; i < l.n; i++)
		cr_expect(l.v[i].flags & WN_URL_FROM_HTML);
}

Test(html, javascript_links_count_as_script)
{
	wn_html_result r = render("<a href=\"javascript:void(0)\">x</a>",
	    NULL);

	cr_expect(r.flags & WN_HTML_HAS_SCRIPT, "got flags %#x", r.flags);
	r = render("<body onload=\"x()\">", NULL);
	cr_expect(r.flags & WN_HTML_HAS_SCRIPT, "got flags %#x", r.flags);
}

struct mismatch_case {
	char in[128];
	bool want;
};

ParameterizedTestParameters(html, link_text_naming_other_domain)
{
	static struct mismatch_case cases[] = {
		{ "<a href=\"http://evil.example/\">http://www.paypal.com</a>",
		    true },
		{ "<a href=\"http://evil.example/\">www.paypal.com</a>", true },
		{ "<a href=\"http://evil.example/\"> paypal.com </a>", true },
		{ "<a href=\"http://10.1.2.3/\">https://paypal.com/x</a>",
		    true },
		{ "<a href=\"mailto:a@evil.example\">help@paypal.com</a>",
		    true },
		{ "<a href=\"http://www.paypal.com/x\">https://paypal.com</a>",
		    false },
		{ "<a href=\"http://paypal.com/\">www.PayPal.com</a>", false },
		{ "<a href=\"http://evil.example/\">Click here</a>", false },
		{ "<a href=\"http://evil.example/\">readme.txt</a>", false },
		{ "<a href=\"http://evil.example/\">Mr. Smith</a>", false },
		{ "<a href=\"/rel\">www.paypal.com</a>", false },
		{ "<a name=\"x\">www.paypal.com</a>", false },
	};

	return cr_make_param_array(struct mismatch_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct mismatch_case *c, html, link_text_naming_other_domain)
{
	wn_url_list l;
	wn_html_result r;

	wn_url_list_init(&l, arena, 100);
	r = render(c->in, &l);
	cr_expect_eq((r.flags & WN_HTML_LINK_MISMATCH) != 0, c->want,
	    "%s: got flags %#x, want mismatch %d", c->in, r.flags, c->want);
	/* Same answer without a URL list. */
	r = render(c->in, NULL);
	cr_expect_eq((r.flags & WN_HTML_LINK_MISMATCH) != 0, c->want,
	    "%s (no list): got flags %#x", c->in, r.flags);
}

Test(html, counts_and_element_flags)
{
	wn_html_result r = render("<html><body><a href=\"http://a.com\">a</a>"
	    "<a name=x>n</a><a href=\"#t\">t</a><img src=x><IMG SRC=y>"
	    "<form><input></form><iframe src=http://f.com></iframe>"
	    "<script>x</script></body></html>", NULL);

	cr_expect_eq(r.n_links, 2, "got %u links, want 2", r.n_links);
	cr_expect_eq(r.n_images, 2, "got %u images, want 2", r.n_images);
	cr_expect_eq(r.n_tags, 11, "got %u tags, want 11", r.n_tags);
	cr_expect(r.flags & WN_HTML_HAS_FORM);
	cr_expect(r.flags & WN_HTML_HAS_IFRAME);
	cr_expect(r.flags & WN_HTML_HAS_SCRIPT);
	cr_expect_not(r.flags & WN_HTML_UNBALANCED, "got flags %#x", r.flags);

	r = render("<p>plain</p>", NULL);
	cr_expect_eq(r.flags, 0, "got flags %#x, want 0", r.flags);
}

Test(html, unterminated_constructs_are_unbalanced)
{
	const char *cases[] = {
		"a<!-- never closed", "a<script>x", "a<div class=\"x>b",
		"a<div", "a<!DOCTYPE", "a<![CDATA[x", "a<style>x",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		wn_html_result r = render(cases[i], NULL);

		cr_expect(r.flags & WN_HTML_UNBALANCED, "%s: got flags %#x",
		    cases[i], r.flags);
		cr_expect_str_eq(r.text.p, "a", "%s: got \"%s\", want \"a\"",
		    cases[i], r.text.p);
	}
}

Test(html, max_out_truncates_on_a_character)
{
	wn_html_result r;
	const char *s = "<p>hello world</p>";
	const char *u = "\xc3\xa9\xc3\xa9\xc3\xa9";	/* 6 bytes */

	cr_assert_eq(wn_html_render(arena, s, strlen(s), 5, NULL, &r), 0);
	cr_expect_str_eq(r.text.p, "hello");
	cr_expect(r.flags & WN_HTML_TRUNCATED);

	cr_assert_eq(wn_html_render(arena, u, 6, 5, NULL, &r), 0);
	cr_expect_str_eq(r.text.p, "\xc3\xa9\xc3\xa9", "got %zu bytes",
	    r.text.len);
	cr_expect(r.flags & WN_HTML_TRUNCATED);

	cr_assert_eq(wn_html_render(arena, s, strlen(s), 0, NULL, &r), 0);
	cr_expect_str_eq(r.text.p, "");
	cr_expect(r.flags & WN_HTML_TRUNCATED);

	cr_assert_eq(wn_html_render(arena, s, strlen(s), 11, NULL, &r), 0);
	cr_expect_str_eq(r.text.p, "hello world");
	cr_expect_not(r.flags & WN_HTML_TRUNCATED, "got flags %#x", r.flags);
}

Test(html, hidden_text_is_bounded_too)
{
	size_t n = 100000, i;
	char *s = malloc(n + 64);
	wn_html_result r;

	strcpy(s, "<div style=display:none>");
	for (i = strlen(s); i < n; i++)
		s[i] = 'x';
	s[n] = '\0';
	cr_assert_eq(wn_html_render(arena, s, n, 100, NULL, &r), 0);
	cr_expect_eq(r.hidden.len, 100, "got %zu, want 100", r.hidden.len);
	cr_expect(r.flags & WN_HTML_TRUNCATED);
	cr_expect(r.flags & WN_HTML_HIDDEN_TEXT);
	free(s);
}

Test(html, bad_bytes_grow_text_beyond_input)
{
	char s[300];
	wn_html_result r;

	memset(s, 0xff, sizeof(s));
	cr_assert_eq(wn_html_render(arena, s, sizeof(s), 1 << 20, NULL, &r),
	    0);
	cr_expect_eq(r.text.len, 900, "got %zu, want 900", r.text.len);
	cr_expect(wn_utf8_valid(r.text.p, r.text.len));
}

Test(html, null_urls_and_empty_input)
{
	wn_html_result r;

	cr_assert_eq(wn_html_render(arena, NULL, 0, 100, NULL, &r), 0);
	cr_expect_str_eq(r.text.p, "");
	cr_expect_str_eq(r.hidden.p, "");
	cr_expect_eq(r.n_tags, 0);
}

Test(html, url_list_full_still_checks_links)
{
	wn_url_list l;
	wn_html_result r;

	wn_url_list_init(&l, arena, 1);
	r = render("<img src=\"http://a.com/\">"
	    "<a href=\"http://evil.example/\">www.paypal.com</a>", &l);
	cr_expect_eq(l.n, 1);
	cr_expect(l.flags & WN_URL_LIST_FULL);
	cr_expect(r.flags & WN_HTML_LINK_MISMATCH, "got flags %#x", r.flags);
}

/* Hostile shapes must stay linear. */
static void
check_linear(const char *prefix, const char *unit, size_t total)
{
	size_t k = strlen(unit), p = strlen(prefix), n, i;
	char *t = malloc(total + p + 1);
	wn_url_list l;
	wn_html_result r;

	memcpy(t, prefix, p);
	for (n = p; n + k <= total + p; n += k)
		memcpy(t + n, unit, k);
	wn_url_list_init(&l, arena, 1000);
	for (i = 0; i < 1; i++)
		cr_assert_eq(wn_html_render(arena, t, n, 1 << 16, &l, &r), 0);
	free(t);
}

Test(html, hostile_input_is_linear)
{
	check_linear("", "<", 1 << 20);
	check_linear("", "<a", 1 << 20);
	check_linear("", "<a ", 1 << 20);
	check_linear("", "<a>", 1 << 20);
	check_linear("", "<a href=x>", 1 << 20);
	check_linear("", "<div>", 1 << 20);
	check_linear("", "</div>", 1 << 20);
	check_linear("", "<p><span>", 1 << 20);
	check_linear("", "&", 1 << 20);
	check_linear("", "&#", 1 << 20);
	check_linear("", "&a", 1 << 20);
	check_linear("&", "a", 1 << 20);
	check_linear("&#", "9", 1 << 20);
	check_linear("", "<!--", 1 << 20);
	check_linear("", "<!", 1 << 20);
	check_linear("", "</", 1 << 20);
	check_linear("<script>", "</scrip", 1 << 20);
	check_linear("<a href=\"", "x", 1 << 20);
	check_linear("<p style=\"", "color:red;", 1 << 20);
	check_linear("", "<a href=\"http://a.com/\">www.b.com</a>", 1 << 20);
	check_linear("", "\xff", 1 << 20);
	check_linear("", "<font color=white>x", 1 << 20);
	check_linear("", "<td><tr>", 1 << 20);
}

/* Out of memory at every allocation in turn: an error, never a crash. */
static long fail_after;

static void *
failing_malloc(size_t n)
{
	if (fail_after-- <= 0)
		return NULL;
	return malloc(n);
}

Test(html, allocation_failure_is_enomem)
{
	static const wn_allocator failing = { failing_malloc, realloc, free };
	const char *s = "<p style=\"color:white\">h</p><a href=\"http://a.com/"
	    "?x=&amp;\">www.b.com</a> text <img src=\"http://c.com/\">";
	wn_html_result r;
	wn_url_list l;
	wn_arena *a;
	long i;
	int rc = -1;

	for (i = 0; i < 40 && rc != 0; i++) {
		wn_alloc_replace(&failing);
		fail_after = i;
		if ((a = wn_arena_new(256)) != NULL) {
			wn_url_list_init(&l, a, 10);
			rc = wn_html_render(a, s, strlen(s), 1000, &l, &r);
			cr_expect(rc == 0 || rc == WN_ENOMEM, "got rc %d", rc);
		}
		wn_alloc_replace(NULL);
		wn_arena_free(&a);
	}
	cr_expect_eq(rc, 0, "never succeeded");
}
