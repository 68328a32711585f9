/*
 * test_addr.c - unit tests for the RFC 5322 address-list parser (addr.h).
 *
 * Table cases, one table per kind of input (well formed, obsolete syntax,
 * display names, broken), each checked for every address's name, local
 * part and domain and for the flags; then behaviour that needs its own
 * test: the max bound, input that is not NUL-terminated, hostile input
 * that must stay linear, and allocation failure.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <winnow/addr.h>
#include <winnow/alloc.h>
#include <winnow/arena.h>
#include <winnow/codec.h>
#include <winnow/err.h>

#define MAL	WN_ADDR_MALFORMED
#define NCASES(t)	(sizeof(t) / sizeof((t)[0]))

struct addr_want {
	const char *name;
	const char *local;
	const char *domain;
};

struct addr_case {
	const char *what;	/* shown in failure messages */
	const char *in;
	size_t len;		/* 0: strlen(in) */
	uint32_t flags;
	size_t n;
	struct addr_want want[3];
};

static void
check_case(const struct addr_case *tc)
{
	wn_arena *a = wn_arena_new(0);
	wn_addr_list l;
	size_t i, len = tc->len ? tc->len : strlen(tc->in);
	int rc;

	cr_assert_not_null(a);
	rc = wn_addr_parse_list(a, tc->in, len, 16, &l);
	cr_assert_eq(rc, 0, "%s: rc: got %d, want 0", tc->what, rc);
	cr_expect_eq(l.flags, tc->flags, "%s: flags: got %#x, want %#x",
	    tc->what, (unsigned)l.flags, (unsigned)tc->flags);
	cr_assert_eq(l.n, tc->n, "%s: count: got %zu, want %zu", tc->what,
	    l.n, tc->n);
	for (i = 0; i < l.n; i++) {
		const wn_addr *g = &l.v[i];
		const struct addr_want *w = &tc->want[i];

		cr_assert(g->name != NULL && g->local != NULL &&
		    g->domain != NULL, "%s: [%zu]: NULL field", tc->what, i);
		cr_expect_str_eq(g->name, w->name,
		    "%s: [%zu] name: got \"%s\", want \"%s\"", tc->what, i,
		    g->name, w->name);
		cr_expect_str_eq(g->local, w->local,
		    "%s: [%zu] local: got \"%s\", want \"%s\"", tc->what, i,
		    g->local, w->local);
		cr_expect_str_eq(g->domain, w->domain,
		    "%s: [%zu] domain: got \"%s\", want \"%s\"", tc->what, i,
		    g->domain, w->domain);
	}
	wn_arena_free(&a);
}

/* Lists as RFC 5322 writes them. */
static const struct addr_case well_formed[] = {
	{ "bare addr-spec", "alice@example.org", 0, 0, 1,
	    { { "", "alice", "example.org" } } },
	{ "name and angle address", "John Doe <john@example.com>", 0, 0, 1,
	    { { "John Doe", "john", "example.com" } } },
	{ "no space before '<'", "John<john@example.com>", 0, 0, 1,
	    { { "John", "john", "example.com" } } },
	{ "quoted name with comma", "\"Doe, John\" <jd@example.com>", 0, 0,
	    1, { { "Doe, John", "jd", "example.com" } } },
	{ "comment is the display name", "jd@example.com (John Doe)", 0, 0,
	    1, { { "John Doe", "jd", "example.com" } } },
	{ "comma-separated list", "a@x.org, Bob <b@y.org>,c@z.org", 0, 0, 3,
	    { { "", "a", "x.org" }, { "Bob", "b", "y.org" },
	    { "", "c", "z.org" } } },
	{ "domain lowercased, local part kept",
	    "Bob <Bob.Smith@EXAMPLE.Org>", 0, 0, 1,
	    { { "Bob", "Bob.Smith", "example.org" } } },
	{ "trailing dot of domain removed", "a@Example.COM.", 0, 0, 1,
	    { { "", "a", "example.com" } } },
	{ "empty group yields nothing", "Undisclosed recipients:;", 0, 0, 0,
	    { { NULL, NULL, NULL } } },
	{ "group members yielded, name dropped",
	    "Team: a@x.org, Bob <b@y.org>;", 0, 0, 2,
	    { { "", "a", "x.org" }, { "Bob", "b", "y.org" } } },
	{ "group followed by mailbox", "Team: a@x.org;, c@z.org", 0, 0, 2,
	    { { "", "a", "x.org" }, { "", "c", "z.org" } } },
	{ "quoted local part unquoted", "\"john doe\"@example.com", 0, 0, 1,
	    { { "", "john doe", "example.com" } } },
	{ "quoted local part escapes resolved",
	    "\"john\\\"q\\\\doe\"@example.com", 0, 0, 1,
	    { { "", "john\"q\\doe", "example.com" } } },
	{ "domain literal kept with brackets", "a@[192.0.2.1]", 0, 0, 1,
	    { { "", "a", "[192.0.2.1]" } } },
	{ "domain literal lowercased", "a@[IPv6:2001:DB8::1]", 0, 0, 1,
	    { { "", "a", "[ipv6:2001:db8::1]" } } },
	{ "null address", "<>", 0, 0, 1, { { "", "", "" } } },
	{ "null address with name", "Mail System <>", 0, 0, 1,
	    { { "Mail System", "", "" } } },
	{ "empty input", "", 0, 0, 0, { { NULL, NULL, NULL } } },
	{ "empty list elements", " ,, ,", 0, 0, 0, { { NULL, NULL, NULL } } },
	{ "comment-only element", "(nobody), a@x.org", 0, 0, 1,
	    { { "", "a", "x.org" } } },
	{ "folded header value", "John\r\n Doe\r\n\t<john@example.com>,\r\n "
	    "k@x.org", 0, 0, 2, { { "John Doe", "john", "example.com" },
	    { "", "k", "x.org" } } },
};

/* Obsolete syntax (RFC 5322 section 4) and common lax forms. */
static const struct addr_case obsolete[] = {
	{ "route address", "<@r1.example,@r2.example:a@b.example>", 0, 0, 1,
	    { { "", "a", "b.example" } } },
	{ "route address with name", "Joe <@relay.example:joe@Example.com>",
	    0, 0, 1, { { "Joe", "joe", "example.com" } } },
	{ "route with empty entries", "<@a.example,,@b.example:x@c.example>",
	    0, 0, 1, { { "", "x", "c.example" } } },
	{ "unquoted dots in name", "John Q. Public <jqp@example.com>", 0, 0,
	    1, { { "John Q. Public", "jqp", "example.com" } } },
	{ "white space around dots and '@'",
	    "john . doe @ Example . COM", 0, 0, 1,
	    { { "", "john.doe", "example.com" } } },
	{ "comment inside local part is not the name",
	    "john(x).doe@example.com", 0, 0, 1,
	    { { "", "john.doe", "example.com" } } },
	{ "comment before bare address is the name",
	    "(John Doe) jd@x.org", 0, 0, 1, { { "John Doe", "jd", "x.org" } } },
	{ "comment after angle address without phrase",
	    "<jd@x.org> (John)", 0, 0, 1, { { "John", "jd", "x.org" } } },
	{ "empty quoted phrase falls back to comment",
	    "\"\" <a@x.org> (Real Name)", 0, 0, 1,
	    { { "Real Name", "a", "x.org" } } },
	{ "address without domain", "MAILER-DAEMON", 0, 0, 1,
	    { { "", "MAILER-DAEMON", "" } } },
	{ "address without domain and comment",
	    "MAILER-DAEMON (Mail Delivery System)", 0, 0, 1,
	    { { "Mail Delivery System", "MAILER-DAEMON", "" } } },
	{ "angle address without domain", "Postmaster <postmaster>", 0, 0, 1,
	    { { "Postmaster", "postmaster", "" } } },
	{ "list of addresses without domain", "alice, bob", 0, 0, 2,
	    { { "", "alice", "" }, { "", "bob", "" } } },
	{ "nested comment with escapes as name",
	    "a@b.example (John (the \\) man) Doe)", 0, 0, 1,
	    { { "John (the ) man) Doe", "a", "b.example" } } },
	{ "address in display name", "john@x.org <john@x.org>", 0, 0, 1,
	    { { "john@x.org", "john", "x.org" } } },
	{ "folding inside quoted local part", "\"a\r\n b\"@x.org", 0, 0, 1,
	    { { "", "a b", "x.org" } } },
	{ "comments everywhere",
	    "(c1) Joe (c2) <(c3) joe (c4) @ (c5) x.org (c6)> (c7)", 0, 0, 1,
	    { { "Joe", "joe", "x.org" } } },
};

/* Display names: quotes removed, white space collapsed, RFC 2047. */
static const struct addr_case names[] = {
	{ "white space in quoted name collapsed",
	    "\"  John \t  Doe  \" <j@x.org>", 0, 0, 1,
	    { { "John Doe", "j", "x.org" } } },
	{ "base64 encoded word", "=?UTF-8?B?SsO8cmdlbg==?= <j@x.org>", 0, 0,
	    1, { { "J\xc3\xbcrgen", "j", "x.org" } } },
	{ "encoded word inside quotes",
	    "\"=?iso-8859-1?Q?J=FCrgen_M=FCller?=\" <j@x.org>", 0, 0, 1,
	    { { "J\xc3\xbcrgen M\xc3\xbcller", "j", "x.org" } } },
	{ "encoded word with comma stays whole",
	    "=?utf-8?Q?Doe,_John?= <jd@x.org>", 0, 0, 1,
	    { { "Doe, John", "jd", "x.org" } } },
	{ "encoded word hiding an address",
	    "=?utf-8?Q?Bank_<help@bank.example>?= <x@spam.example>", 0, 0, 1,
	    { { "Bank <help@bank.example>", "x", "spam.example" } } },
	{ "encoded word with colon is no group",
	    "=?utf-8?Q?Re:_Sales?= <s@x.org>", 0, 0, 1,
	    { { "Re: Sales", "s", "x.org" } } },
	{ "adjacent encoded words joined",
	    "=?utf-8?Q?Jo?= =?utf-8?Q?hn?= <j@x.org>", 0, 0, 1,
	    { { "John", "j", "x.org" } } },
	{ "encoded word in comment name",
	    "j@x.org (=?utf-8?B?SsO8cmdlbg==?=)", 0, 0, 1,
	    { { "J\xc3\xbcrgen", "j", "x.org" } } },
	{ "raw UTF-8 name", "J\xc3\xbcrgen <j@x.org>", 0, 0, 1,
	    { { "J\xc3\xbcrgen", "j", "x.org" } } },
	{ "raw Latin-1 name read as Windows-1252", "J\xfcrgen <j@x.org>", 0,
	    0, 1, { { "J\xc3\xbcrgen", "j", "x.org" } } },
	{ "escapes in quoted name", "\"John \\\"JJ\\\" Doe\" <j@x.org>", 0, 0,
	    1, { { "John \"JJ\" Doe", "j", "x.org" } } },
	{ "name with bracketed tag", "[SPAM] Joe <j@x.org>", 0, 0, 1,
	    { { "[SPAM] Joe", "j", "x.org" } } },
	{ "quoted and bare words joined", "\"Doe\" John <j@x.org>", 0, 0, 1,
	    { { "Doe John", "j", "x.org" } } },
};

/* Broken input: what can be read is kept, the rest flagged. */
static const struct addr_case broken[] = {
	{ "unquoted comma in name", "Doe, John <jd@example.com>", 0, MAL, 1,
	    { { "Doe, John", "jd", "example.com" } } },
	{ "unquoted commas chained", "Smith, John, Jr. <js@x.org>, k@y.org",
	    0, MAL, 2, { { "Smith, John, Jr.", "js", "x.org" },
	    { "", "k", "y.org" } } },
	{ "missing '>' at end", "John <j@example.com", 0, MAL, 1,
	    { { "John", "j", "example.com" } } },
	{ "missing '>' before next address",
	    "John <j@example.com, k@example.com", 0, MAL, 2,
	    { { "John", "j", "example.com" }, { "", "k", "example.com" } } },
	{ "group without ';'", "undisclosed-recipients:", 0, MAL, 0,
	    { { NULL, NULL, NULL } } },
	{ "group without ';' keeps members", "To: a@x.org, b@y.org", 0, MAL,
	    2, { { "", "a", "x.org" }, { "", "b", "y.org" } } },
	{ "group without name", ": a@x.org;", 0, MAL, 1,
	    { { "", "a", "x.org" } } },
	{ "nested group flattened", "A: B: c@x.org;;", 0, MAL, 1,
	    { { "", "c", "x.org" } } },
	{ "stray ';' outside group", "a@x.org; b@y.org", 0, MAL, 2,
	    { { "", "a", "x.org" }, { "", "b", "y.org" } } },
	{ "stray parens skipped", "a@x.org, ))) , b@y.org", 0, MAL, 2,
	    { { "", "a", "x.org" }, { "", "b", "y.org" } } },
	{ "junk after angle address",
	    "Joe <j@x.org> trailing words, k@y.org", 0, MAL, 2,
	    { { "Joe", "j", "x.org" }, { "", "k", "y.org" } } },
	{ "unterminated quote", "\"John Doe <jd@x.org>", 0, MAL, 1,
	    { { "John Doe", "jd", "x.org" } } },
	{ "unterminated quote after good one",
	    "\"A\" <a@x.org>, \"B <b@y.org>", 0, MAL, 2,
	    { { "A", "a", "x.org" }, { "B", "b", "y.org" } } },
	{ "unterminated comment", "John (work <jd@x.org>", 0, MAL, 1,
	    { { "John (work", "jd", "x.org" } } },
	{ "unterminated domain literal", "a@[10.0.0.1, b@y.org", 0, MAL, 2,
	    { { "", "a", "" }, { "", "b", "y.org" } } },
	{ "name without angle brackets", "John Smith john@x.org", 0, MAL, 1,
	    { { "John Smith", "john", "x.org" } } },
	{ "quoted name without angle brackets", "\"John Smith\" john@x.org",
	    0, MAL, 1, { { "John Smith", "john", "x.org" } } },
	{ "doubled angle brackets", "<<a@x.org>>", 0, MAL, 1,
	    { { "", "a", "x.org" } } },
	{ "missing local part", "@x.org", 0, MAL, 1, { { "", "", "x.org" } } },
	{ "missing domain", "a@", 0, MAL, 1, { { "", "a", "" } } },
	{ "two '@'", "a@b@c.org", 0, MAL, 1, { { "", "a", "b" } } },
	{ "name without address dropped", "John Doe, a@x.org", 0, MAL, 1,
	    { { "", "a", "x.org" } } },
	{ "'<' with nothing usable", "Joe <,>, a@x.org", 0, MAL, 1,
	    { { "", "a", "x.org" } } },
	{ "NUL byte separates", "a@x.org\0, b@y.org", 17, MAL, 2,
	    { { "", "a", "x.org" }, { "", "b", "y.org" } } },
	{ "invalid UTF-8 in local part replaced", "j\xfc@x.org", 0, MAL, 1,
	    { { "", "j\xef\xbf\xbd", "x.org" } } },
	{ "control byte in quoted local part dropped", "\"a\x01" "b\"@x.org",
	    0, MAL, 1, { { "", "ab", "x.org" } } },
	{ "missing comma between addresses", "a@x.org b@y.org", 0, MAL, 1,
	    { { "", "a", "x.org" } } },
	{ "broken route falls back", "<@a.example, b@y.org>", 0, MAL, 2,
	    { { "", "", "a.example" }, { "", "b", "y.org" } } },
};

#define TABLE_TEST(table, behaviour)					\
	ParameterizedTestParameters(addr, behaviour)			\
	{								\
		static size_t idx[NCASES(table)];			\
		size_t i;						\
									\
		for (i = 0; i < NCASES(table); i++)			\
			idx[i] = i;					\
		return cr_make_param_array(size_t, idx, NCASES(table));	\
	}								\
	ParameterizedTest(size_t *i, addr, behaviour)			\
	{								\
		check_case(&table[*i]);					\
	}

TABLE_TEST(well_formed, well_formed_lists_parse_without_flags)
TABLE_TEST(obsolete, obsolete_and_lax_syntax_parses_without_flags)
TABLE_TEST(names, display_names_are_unquoted_collapsed_and_decoded)
TABLE_TEST(broken, broken_lists_keep_what_parses_and_flag_malformed)

static wn_arena *
new_arena(void)
{
	wn_arena *a = wn_arena_new(0);

	cr_assert_not_null(a);
	return a;
}

Test(addr, null_or_empty_input_yields_empty_list)
{
	wn_arena *a = new_arena();
	wn_addr_list l;

	cr_assert_eq(wn_addr_parse_list(a, NULL, 0, 10, &l), 0);
	cr_expect_eq(l.n, 0);
	cr_expect_eq(l.flags, 0);
	cr_assert_eq(wn_addr_parse_list(a, "a@b", 0, 10, &l), 0);
	cr_expect_eq(l.n, 0, "got %zu addresses, want 0 for n == 0", l.n);
	wn_arena_free(&a);
}

Test(addr, addresses_beyond_max_are_dropped_and_flag_limit)
{
	wn_arena *a = new_arena();
	const char *in = "a@x.org, b@x.org, c@x.org, d@x.org";
	wn_addr_list l;

	cr_assert_eq(wn_addr_parse_list(a, in, strlen(in), 2, &l), 0);
	cr_expect_eq(l.n, 2, "got %zu addresses, want 2", l.n);
	cr_expect(l.flags & WN_ADDR_LIMIT, "got flags %#x, want LIMIT",
	    (unsigned)l.flags);
	cr_expect_str_eq(l.v[1].local, "b");
	wn_arena_free(&a);
}

Test(addr, exactly_max_addresses_do_not_flag_limit)
{
	wn_arena *a = new_arena();
	const char *in = "a@x.org, b@x.org";
	wn_addr_list l;

	cr_assert_eq(wn_addr_parse_list(a, in, strlen(in), 2, &l), 0);
	cr_expect_eq(l.n, 2);
	cr_expect_eq(l.flags, 0, "got flags %#x, want 0", (unsigned)l.flags);
	wn_arena_free(&a);
}

Test(addr, max_zero_keeps_nothing_and_flags_limit)
{
	wn_arena *a = new_arena();
	wn_addr_list l;

	cr_assert_eq(wn_addr_parse_list(a, "a@x.org", 7, 0, &l), 0);
	cr_expect_eq(l.n, 0);
	cr_expect_eq(l.flags, WN_ADDR_LIMIT);
	cr_assert_eq(wn_addr_parse_list(a, "Team:;", 6, 0, &l), 0);
	cr_expect_eq(l.flags, 0, "an empty group is not over the limit");
	wn_arena_free(&a);
}

Test(addr, input_is_read_only_up_to_n)
{
	wn_arena *a = new_arena();
	const char *src = "\"quoted (comment [lit";
	wn_addr_list l;
	size_t k, len = strlen(src);
	char *buf;

	/* Every prefix, in a heap block of exactly that size: ASan catches
	 * any read past n. */
	for (k = 1; k <= len; k++) {
		cr_assert_not_null(buf = malloc(k));
		memcpy(buf, src, k);
		cr_assert_eq(wn_addr_parse_list(a, buf, k, 4, &l), 0);
		free(buf);
	}
	cr_assert_not_null(buf = malloc(3));
	memcpy(buf, "a@b", 3);
	cr_assert_eq(wn_addr_parse_list(a, buf, 3, 4, &l), 0);
	cr_expect_eq(l.n, 1);
	cr_expect_str_eq(l.v[0].domain, "b");
	free(buf);
	wn_arena_free(&a);
}

Test(addr, results_are_arena_copies_independent_of_input)
{
	wn_arena *a = new_arena();
	char in[] = "Joe <joe@x.org>";
	wn_addr_list l;

	cr_assert_eq(wn_addr_parse_list(a, in, strlen(in), 4, &l), 0);
	memset(in, 'Z', sizeof(in) - 1);
	cr_assert_eq(l.n, 1);
	cr_expect_str_eq(l.v[0].name, "Joe");
	cr_expect_str_eq(l.v[0].local, "joe");
	cr_expect_str_eq(l.v[0].domain, "x.org");
	wn_arena_free(&a);
}

Test(addr, decoded_names_are_valid_utf8)
{
	wn_arena *a = new_arena();
	/* "UTF8$" is a charset name iconv has taken for UTF-8 while
	 * letting 5-byte forms through. */
	const char *in = "=?utf-8?B?/w==?= \xff\xfe <a@x.org>, "
	    "=?bogus-cs?Q?=E9?= <b@x.org>, =?UTF8$?B?9q2orA==?= <c@x.org>";
	wn_addr_list l;
	size_t i;

	cr_assert_eq(wn_addr_parse_list(a, in, strlen(in), 4, &l), 0);
	cr_assert_eq(l.n, 3);
	for (i = 0; i < l.n; i++)
		cr_expect(wn_utf8_valid(l.v[i].name, strlen(l.v[i].name)),
		    "name %zu is not UTF-8", i);
	wn_arena_free(&a);
}

/* Hostile input: linear time or the test times out. */
struct hostile {
	const char *what;
	const char *unit;
};

static const struct hostile hostile[] = {
	{ "open parens", "(" },
	{ "commas", "," },
	{ "quotes", "\"" },
	{ "open brackets", "[" },
	{ "angle opens", "<" },
	{ "angle closes", ">" },
	{ "at signs", "@" },
	{ "group openers", "a:" },
	{ "unquoted words before comma", "a, " },
	{ "words", "a " },
	{ "dots", ". " },
	{ "encoded word starts", "=?" },
	{ "encoded word starts with commas", "=?a," },
	{ "backslashes", "\\" },
	{ "route fragments", "<@a," },
	{ "escaped quotes", "\\\"" },
	{ "empty comments", "( )" },
	{ "addresses without commas", "a@b " },
	{ "unclosed mailboxes", "x <a@b " },
};

ParameterizedTestParameters(addr, hostile_input_is_parsed_in_linear_time)
{
	static size_t idx[NCASES(hostile)];
	size_t i;

	for (i = 0; i < NCASES(hostile); i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, NCASES(hostile));
}

ParameterizedTest(size_t *i, addr, hostile_input_is_parsed_in_linear_time,
    .timeout = 20)
{
	const struct hostile *h = &hostile[*i];
	size_t k, ul = strlen(h->unit), reps = 100000;
	wn_arena *a = new_arena();
	wn_addr_list l;
	char *buf;

	/* Quadratic would be ~10^10 steps and hit the test timeout; linear
	 * is milliseconds. */
	cr_assert_not_null(buf = malloc(ul * reps));
	for (k = 0; k < reps; k++)
		memcpy(buf + k * ul, h->unit, ul);
	cr_assert_eq(wn_addr_parse_list(a, buf, ul * reps, 1000, &l), 0);
	cr_expect_leq(l.n, 1000);
	free(buf);
	wn_arena_free(&a);
}

Test(addr, deeply_nested_comment_is_one_comment)
{
	size_t depth = 100000, k, len = 2 * depth + 16;
	wn_arena *a = new_arena();
	wn_addr_list l;
	char *buf, *p;

	cr_assert_not_null(buf = malloc(len));
	p = buf;
	memcpy(p, "a@x.org ", 8);
	p += 8;
	for (k = 0; k < depth; k++)
		*p++ = '(';
	*p++ = 'n';
	for (k = 0; k < depth; k++)
		*p++ = ')';
	cr_assert_eq(wn_addr_parse_list(a, buf, (size_t)(p - buf), 4, &l), 0);
	cr_assert_eq(l.n, 1);
	cr_expect_eq(l.flags, 0, "got flags %#x, want 0", (unsigned)l.flags);
	cr_expect_str_eq(l.v[0].domain, "x.org");
	cr_expect_eq(strlen(l.v[0].name), 2 * depth - 1,
	    "the nested parens are the name's text");
	free(buf);
	wn_arena_free(&a);
}

/* Allocation failure: fail the Nth allocation for every N up to success. */
static size_t fail_left;

static void *
failing_malloc(size_t size)
{
	if (fail_left == 0)
		return NULL;
	fail_left--;
	return malloc(size);
}

static void *
failing_realloc(void *p, size_t size)
{
	if (fail_left == 0)
		return NULL;
	fail_left--;
	return realloc(p, size);
}

Test(addr, allocation_failure_returns_enomem_without_leaks)
{
	static const wn_allocator failing = {
		failing_malloc, failing_realloc, free
	};
	const char *in = "\"=?utf-8?Q?J=C3=BCrgen?=\" <j@x.org>, "
	    "Team: a@x.org, (c) b@y.org;, j\xfc@x.org, Doe, John <d@z.org>";
	wn_addr_list l;
	size_t n;
	int rc = WN_ENOMEM;

	for (n = 0; n < 1000 && rc != 0; n++) {
		wn_arena *a = wn_arena_new(256);

		cr_assert_not_null(a);
		fail_left = n;
		wn_alloc_replace(&failing);
		rc = wn_addr_parse_list(a, in, strlen(in), 16, &l);
		wn_alloc_replace(NULL);
		cr_assert(rc == 0 || rc == WN_ENOMEM,
		    "allocation %zu: got rc %d, want 0 or WN_ENOMEM", n, rc);
		if (rc != 0)
			cr_expect_eq(l.n, 0);
		else
			cr_expect_eq(l.n, 5, "got %zu addresses, want 5", l.n);
		wn_arena_free(&a);
	}
	cr_expect_eq(rc, 0, "never succeeded");
	cr_expect_gt(n, 1, "no allocation was ever failed");
}
