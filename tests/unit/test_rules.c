/*
 * test_rules.c - unit tests for the rule engine (lib/rules_*.c): regex
 * literals, prefilter literals, Aho-Corasick, metas, loading with its
 * findings, and matching every rule type on small messages.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <winnow/arena.h>
#include <winnow/err.h>
#include <winnow/rules.h>
#include <winnow/scan.h>

#include "rules_int.h"

static wn_arena *arena;
static char dir[] = "/tmp/wn-rules-XXXXXX";

static void
setup(void)
{
	arena = wn_arena_new(0);
	cr_assert_not_null(arena);
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	wn_arena_free(&arena);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
}

TestSuite(rules, .init = setup, .fini = teardown);

static const char *
write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* load rules from text; diags kept for inspection */
static wn_rules *
load(const char *text, wn_diag_list *d)
{
	const char *p = write_file("t.cf", text);
	wn_rules *rs = NULL;

	wn_diag_list_init(d);
	cr_assert_eq(wn_rules_load(&p, 1, NULL, d, &rs), 0);
	cr_assert_not_null(rs);
	return rs;
}

static bool
has_error_at(const wn_diag_list *d, unsigned line, const char *needle)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].severity == WN_DIAG_ERROR && d->v[i].line == line &&
		    strstr(d->v[i].msg, needle) != NULL)
			return true;
	return false;
}

/* the names of the rules hitting msg, space separated, sorted by id */
static const char *
hits(const wn_rules *rs, const char *msg, unsigned set, uint32_t flags)
{
	static char out[1024];
	wn_mime_limits lim;
	wn_mime_msg *m;
	wn_rules_result res;
	wn_rules_worker *w;
	size_t i;

	wn_mime_limits_default(&lim);
	cr_assert_eq(wn_mime_parse(arena, msg, strlen(msg), &lim, &m), 0);
	cr_assert_eq(wn_rules_worker_new(rs, &w), 0);
	cr_assert_eq(wn_rules_match(rs, w, arena, m, msg, strlen(msg), set,
	    flags, &res), 0);
	out[0] = '\0';
	for (i = 0; i < res.n_hits; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, res.hits[i].name);
		if (res.hits[i].count > 1)
			sprintf(out + strlen(out), "x%u", res.hits[i].count);
	}
	for (i = 0; i < res.n_limited; i++) {
		strcat(out, " LIMIT:");
		strcat(out, res.limited[i]);
	}
	wn_rules_worker_free(&w);
	return out;
}

/* ---- regex literals ---- */

Test(rules, regex_delimiters_and_flags)
{
	const char *end, *pat;
	uint32_t opt;
	char err[128];

	cr_assert_eq(wn__rules_regex_parse(arena, "/a\\/b/im rest", &end, &pat,
	    &opt, err, sizeof(err)), 0);
	cr_assert_str_eq(pat, "a\\/b");
	cr_assert_eq(opt, PCRE2_CASELESS | PCRE2_MULTILINE);
	cr_assert_str_eq(end, " rest");
	cr_assert_eq(wn__rules_regex_parse(arena, "m{a{1,2}b}sx", &end, &pat,
	    &opt, err, sizeof(err)), 0);
	cr_assert_str_eq(pat, "a{1,2}b");
	cr_assert_eq(opt, PCRE2_DOTALL | PCRE2_EXTENDED);
	cr_assert_eq(wn__rules_regex_parse(arena, "m!x!", &end, &pat, &opt,
	    err, sizeof(err)), 0);
	cr_assert_str_eq(pat, "x");
	cr_assert_eq(wn__rules_regex_parse(arena, "/abc/q", &end, &pat, &opt,
	    err, sizeof(err)), WN_EINVAL);
	cr_assert(strstr(err, "modifier 'q'") != NULL, "got %s", err);
	cr_assert_eq(wn__rules_regex_parse(arena, "/abc", &end, &pat, &opt,
	    err, sizeof(err)), WN_EINVAL);
	cr_assert(strstr(err, "unterminated") != NULL, "got %s", err);
	cr_assert_eq(wn__rules_regex_parse(arena, "abc", &end, &pat, &opt,
	    err, sizeof(err)), WN_EINVAL);
}

/* ---- prefilter literals ---- */

static const char *
lits(const char *pattern, uint32_t options)
{
	static char out[512];
	wn__litset ls;
	uint32_t rf;
	size_t i;

	cr_assert_eq(wn__rules_literals(arena, pattern, options, &ls, &rf), 0);
	out[0] = '\0';
	for (i = 0; i < ls.n; i++) {
		if (i)
			strcat(out, "|");
		strncat(out, ls.lit[i], ls.len[i]);
	}
	return out;
}

Test(rules, literals_of_common_shapes)
{
	static const struct {
		const char *pattern, *want;
		uint32_t options;
	} cases[] = {
		{ "\\bviagra\\b", "viagra", 0 },
		{ "Cheap (?:Meds|PILLS)", "cheap ", 0 },
		{ "(?:viagra|cialis|levitra)", "viagra|cialis|levitra", 0 },
		{ "^Subject: (?:free|win)", "subject: ", 0 },
		{ "abc.*defgh", "defgh", 0 },
		{ "ab(?:c)?defg", "defg", 0 },
		{ "a\\.b\\.c", "a.b.c", 0 },
		{ "abcd+ef", "abcd", 0 },
		{ "x{0,3}yyy", "yyy", 0 },
		{ "\\d+\\s*dollars", "dollars", 0 },
		{ "foo|\\d+", "", 0 },
		{ ".*", "", 0 },
		{ "[abc]{3}", "", 0 },
		{ "\\Qa.b*c\\E", "a.b*c", 0 },
		{ "hello world # comment", "helloworld", PCRE2_EXTENDED },
		{ "(?=abc)de", "", 0 },
		{ "(?<name>click here)", "click here", 0 },
		{ "(?i:unsubscribe)", "unsubscribe", 0 },
		{ "\\x41BCD", "abcd", 0 },
		{ "(a)\\1xyz", "xyz", 0 },
		{ "(?(1)a|b)xyz", "", 0 },	/* conditionals: no filter */
		{ "ab", "", 0 },		/* too short */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = lits(cases[i].pattern, cases[i].options);

		cr_expect_str_eq(got, cases[i].want, "%s: got \"%s\", want \"%s\"",
		    cases[i].pattern, got, cases[i].want);
	}
}

Test(rules, literals_flag_patterns_needing_lines)
{
	wn__litset ls;
	uint32_t rf = 0;

	cr_assert_eq(wn__rules_literals(arena, "\\Afoo\\z", 0, &ls, &rf), 0);
	cr_assert(rf & WN__RE_PARAGRAPH);
	cr_assert_eq(wn__rules_literals(arena, "^foo$", 0, &ls, &rf), 0);
	cr_assert_eq(rf & WN__RE_PARAGRAPH, 0);
}

/* every match of a pattern contains one of its literals */
Test(rules, literals_are_necessary_for_a_match)
{
	static const char *const patterns[] = {
		"\\bfree\\s+money\\b", "(?:buy|order)\\s+now", "v[i1]agra",
		"click\\s*here", "(?:abc|abd)e+fgh", "x?yz{1,2}zzy",
		"(?:\\$|usd)\\s*\\d+(?:,\\d{3})*\\s*million", "a(?:bc)+de",
	};
	static const char *const texts[] = {
		"get FREE   money now", "Order Now!", "cheap viagra", "CLICK HERE",
		"abdeeefgh", "yzzzy", "USD 10,000 million", "abcbcde",
		"nothing here", "",
	};
	size_t i, j, k;

	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		wn__litset ls;
		uint32_t rf;
		int ec;
		PCRE2_SIZE eo;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)patterns[i],
		    PCRE2_ZERO_TERMINATED, PCRE2_CASELESS, &ec, &eo, NULL);
		pcre2_match_data *md = pcre2_match_data_create(1, NULL);

		cr_assert_not_null(re);
		cr_assert_eq(wn__rules_literals(arena, patterns[i],
		    PCRE2_CASELESS, &ls, &rf), 0);
		for (j = 0; j < sizeof(texts) / sizeof(texts[0]); j++) {
			bool found = ls.n == 0;

			if (pcre2_match(re, (PCRE2_SPTR)texts[j],
			    strlen(texts[j]), 0, 0, md, NULL) < 0)
				continue;
			for (k = 0; k < ls.n; k++)
				if (strcasestr(texts[j], ls.lit[k]) != NULL)
					found = true;
			cr_expect(found, "%s matches \"%s\" without a literal",
			    patterns[i], texts[j]);
		}
		pcre2_match_data_free(md);
		pcre2_code_free(re);
	}
}

/* ---- Aho-Corasick ---- */

static void
ac_mark(uint32_t lit, void *ctx)
{
	((int *)ctx)[lit]++;
}

Test(rules, aho_corasick_finds_overlapping_literals_any_case)
{
	const char *l[] = { "he", "she", "his", "hers", "xyz" };
	size_t len[] = { 2, 3, 3, 4, 3 };
	int seen[5] = { 0 };
	wn__ac ac;

	cr_assert_eq(wn__ac_build(&ac, l, len, 5), 0);
	wn__ac_scan(&ac, "uSHErs", 6, ac_mark, seen);
	cr_assert_eq(seen[0], 1);	/* he */
	cr_assert_eq(seen[1], 1);	/* she */
	cr_assert_eq(seen[2], 0);
	cr_assert_eq(seen[3], 1);	/* hers */
	cr_assert_eq(seen[4], 0);
	wn__ac_free(&ac);
}

/* ---- metas ---- */

Test(rules, meta_precedence_and_errors)
{
	wn__meta_prog p;
	char err[128];
	double st[64];
	uint32_t counts[2] = { 2, 0 };

	cr_assert_eq(wn__rules_meta_parse(arena, "1 + 2 * 3 == 7 && !0", &p,
	    err, sizeof(err)), 0);
	cr_assert_eq(wn__rules_meta_eval(&p, counts, st), 1.0);
	cr_assert_eq(wn__rules_meta_parse(arena, "(A + B) > 1 || B", &p, err,
	    sizeof(err)), 0);
	p.code[0].rule = 0;	/* A */
	p.code[1].rule = 1;	/* B */
	p.code[5].rule = 1;
	cr_assert_eq(wn__rules_meta_eval(&p, counts, st), 1.0);
	cr_assert_eq(wn__rules_meta_parse(arena, "(A && )", &p, err,
	    sizeof(err)), WN_EINVAL);
	cr_assert_eq(wn__rules_meta_parse(arena, "A B", &p, err,
	    sizeof(err)), WN_EINVAL);
	cr_assert_eq(wn__rules_meta_parse(arena, "", &p, err, sizeof(err)),
	    WN_EINVAL);
}

/* ---- loading ---- */

Test(rules, lint_findings_name_the_line)
{
	wn_diag_list d;
	wn_rules *rs = load(
	    "body GOOD /fine/\n"
	    "body BAD1 /unclosed(/\n"
	    "header BAD2 Subject /x/\n"
	    "score GOOD abc\n"
	    "meta M1 M2 && GOOD\n"
	    "meta M2 M1\n"
	    "endif\n"
	    "body FOO-BAR /x/\n"
	    "tflags GOOD maxhits=abc\n"
	    "header GOOD Subject =~ /y/\n"
	    "include nosuch.cf\n", &d);

	cr_expect(has_error_at(&d, 2, "bad regex"));
	cr_expect(has_error_at(&d, 3, "=~ or !~"));
	cr_expect(has_error_at(&d, 4, "not a number"));
	cr_expect(has_error_at(&d, 6, "cycle"));
	cr_expect(has_error_at(&d, 7, "endif without if"));
	cr_expect(has_error_at(&d, 8, "invalid rule name"));
	cr_expect(has_error_at(&d, 9, "maxhits"));
	cr_expect(has_error_at(&d, 10, "already defined as body"));
	cr_expect(has_error_at(&d, 11, "cannot read"));
	cr_expect_eq(d.errors, 9, "errors %zu", d.errors);
	cr_expect(wn_rules_find(rs, "GOOD") >= 0);
	wn_rules_free(&rs);
	wn_diag_list_fini(&d);
}

Test(rules, conditionals_and_unsupported_parts)
{
	wn_diag_list d;
	wn_rules *rs = load(
	    "ifplugin Mail::SpamAssassin::Plugin::Nope\n"
	    "body IN_FALSE /x/\n"
	    "endif\n"
	    "if (version >= 3.004000)\n"
	    "body IN_TRUE /hello/\n"
	    "else\n"
	    "body IN_ELSE /x/\n"
	    "endif\n"
	    "if !plugin(Mail::SpamAssassin::Plugin::ReplaceTags)\n"
	    "body NO_TAGS /x/\n"
	    "endif\n"
	    "if can(Mail::SpamAssassin::Conf::feature_bug6558_free)\n"
	    "body CAN /x/\n"
	    "endif\n"
	    "body EV eval:check_something()\n"
	    "meta NEEDS_EV EV && IN_TRUE\n"
	    "whitelist_from *@example.com\n"
	    "if (version >= 3.004000\n"
	    "endif\n", &d);

	cr_expect_eq(d.errors, 0);
	cr_expect(wn_rules_find(rs, "IN_FALSE") < 0);
	cr_expect(wn_rules_find(rs, "IN_ELSE") < 0);
	cr_expect(wn_rules_find(rs, "NO_TAGS") < 0);
	cr_expect(wn_rules_find(rs, "IN_TRUE") >= 0);
	cr_expect(wn_rules_find(rs, "CAN") >= 0);
	cr_expect_eq(wn_rules_stats_get(rs)->eval_skipped, 1);
	cr_expect_eq(wn_rules_stats_get(rs)->metas_disabled, 1);
	cr_expect_eq(wn_rules_stats_get(rs)->directives_skipped, 1);
	cr_expect_str_eq(hits(rs, "Subject: s\n\nhello\n", 0, 0), "IN_TRUE");
	wn_rules_free(&rs);
	wn_diag_list_fini(&d);
}

Test(rules, replace_tags_expand_in_listed_rules)
{
	wn_diag_list d;
	wn_rules *rs = load(
	    "replace_tag V (?:v|\\\\/)\n"
	    "replace_tag I [i1!|]\n"
	    "replace_inter SP [\\s.]?\n"
	    "body FUZZY_VI /<inter SP><V><I>agra/i\n"
	    "body PLAIN /<V>x/\n"
	    "replace_rules FUZZY_VI\n", &d);

	cr_expect_eq(d.errors, 0);
	cr_expect_str_eq(hits(rs, "Subject: x\n\nbuy \\/.1agra now\n", 0, 0),
	    "FUZZY_VI");
	cr_expect_str_eq(hits(rs, "Subject: x\n\nliteral <V>x\n", 0, 0),
	    "PLAIN");
	wn_rules_free(&rs);
	wn_diag_list_fini(&d);
}

/* ---- matching ---- */

static const char msg1[] =
    "From: \"Prize Dept\" <winner@lottery.example>\n"
    "To: you@example.com\n"
    "Cc: other@example.net\n"
    "Reply-To: claims@example.org\n"
    "Subject: =?utf-8?B?WW91IFdPTiE=?=\n"
    "Message-ID: <123@lottery.example>\n"
    "\n"
    "Dear friend,\n"
    "you have won\n"
    "one million dollars.\n"
    "\n"
    "Claim at http://claims.example.org/now and http://claims.example.org/x\n"
    "money money money\n";

Test(rules, every_rule_type_hits_its_target)
{
	wn_diag_list d;
	wn_rules *rs = load(
	    "header H_SUBJ Subject =~ /^You WON!$/\n"
	    "header H_SUBJ_RAW Subject:raw =~ /=\\?utf-8\\?B\\?/\n"
	    "header H_ADDR From:addr =~ /^winner\\@lottery\\.example$/\n"
	    "header H_NAME From:name =~ /^Prize Dept$/\n"
	    "header H_EXISTS exists:Reply-To\n"
	    "header H_NOT_EXISTS exists:X-Nope\n"
	    "header H_TOCC ToCc =~ /other\\@example\\.net/\n"
	    "header H_ALL ALL =~ /^Message-ID: <123/m\n"
	    "header H_NEG X-Mailer !~ /Outlook/\n"
	    "header H_UNSET X-Mailer =~ /none/ [if-unset: none]\n"
	    "header H_MSGID MESSAGEID =~ /lottery/\n"
	    "body B_PARA /^Dear friend, you have won one million dollars\\.$/\n"
	    "body B_SUBJ /^You WON/\n"
	    "body B_SPAN /dollars\\. Claim/\n"
	    "rawbody R_RAW /^one million/\n"
	    "uri U_URI /^http:\\/\\/claims\\.example\\.org\\/now$/\n"
	    "full F_FULL /^Cc: other/m\n"
	    "body __MONEY /money/\n"
	    "tflags __MONEY multiple maxhits=2\n"
	    "meta M_MONEY __MONEY >= 2 && H_EXISTS\n"
	    "meta M_NOT !H_NOT_EXISTS && !B_SPAN\n", &d);

	cr_assert_eq(d.errors, 0);
	cr_expect_str_eq(hits(rs, msg1, 0, 0),
	    "H_SUBJ H_SUBJ_RAW H_ADDR H_NAME H_EXISTS H_TOCC H_ALL H_NEG "
	    "H_UNSET H_MSGID B_PARA B_SUBJ R_RAW U_URI F_FULL __MONEYx2 "
	    "M_MONEY M_NOT");
	wn_rules_free(&rs);
	wn_diag_list_fini(&d);
}

Test(rules, scores_defaults_and_score_sets)
{
	wn_diag_list d;
	wn_rules *rs = load(
	    "body A /won/\n"
	    "score A 1 2 3 4\n"
	    "body T_B /won/\n"
	    "body C /won/\n"
	    "tflags C nice\n"
	    "body __D /won/\n"
	    "body Z /won/\n"
	    "score Z 0\n", &d);
	wn_mime_limits lim;
	wn_mime_msg *m;
	wn_rules_result res;
	wn_rules_worker *w;
	const char *msg = "Subject: x\n\nyou won\n";

	cr_assert_eq(d.errors, 0);
	cr_expect_eq(wn_rules_score(rs, (size_t)wn_rules_find(rs, "T_B"), 0),
	    0.01);
	cr_expect_eq(wn_rules_score(rs, (size_t)wn_rules_find(rs, "C"), 0),
	    -1.0);
	cr_expect(!wn_rules_scoring(rs, (size_t)wn_rules_find(rs, "__D")));
	cr_expect(!wn_rules_scoring(rs, (size_t)wn_rules_find(rs, "Z")));
	wn_mime_limits_default(&lim);
	cr_assert_eq(wn_mime_parse(arena, msg, strlen(msg), &lim, &m), 0);
	cr_assert_eq(wn_rules_worker_new(rs, &w), 0);
	cr_assert_eq(wn_rules_match(rs, w, arena, m, msg, strlen(msg), 3, 0,
	    &res), 0);
	/* unneeded rules (__D unused, Z scoring 0) do not run */
	cr_assert_eq(res.n_hits, 3);
	cr_expect_eq(res.hits[0].score, 4.0);
	wn_rules_worker_free(&w);
	cr_expect_str_eq(hits(rs, msg, 0, WN_RULES_RUN_ALL), "A T_B C __D Z");
	wn_rules_free(&rs);
	wn_diag_list_fini(&d);
}

Test(rules, match_limit_counts_as_no_match_and_is_reported)
{
	wn_diag_list d;
	wn_rules *rs = load("body SLOW /^(a+)+$/\n", &d);
	const char *msg = "Subject: x\n\n"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\n";

	cr_expect_str_eq(hits(rs, msg, 0, 0), " LIMIT:SLOW");
	wn_rules_free(&rs);
	wn_diag_list_fini(&d);
}

Test(rules, anomalies_pseudo_header)
{
	wn_diag_list d;
	wn_rules *rs = load("header NO_MV X-Winnow-Anomalies =~ "
	    "/\\bMIME_NO_MIME_VERSION\\b/\n", &d);
	const char *msg = "Subject: x\nContent-Type: text/html\n\n<b>hi</b>\n";

	cr_expect_str_eq(hits(rs, msg, 0, 0), "NO_MV");
	wn_rules_free(&rs);
	wn_diag_list_fini(&d);
}

Test(rules, scan_adds_rule_symbols_and_gtube)
{
	wn_diag_list d;
	wn_rules *rs = load("body WON /won/\nscore WON 2.5\n", &d);
	wn_scan_config cfg;
	wn_scan_result res;
	const char *gtube = "Subject: t\n\nXJS*C4JDBQADN1.NSBN3*2IDNEN*"
	    "GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X you won\n";

	wn_scan_config_default(&cfg);
	cfg.rules = rs;
	cr_assert_eq(wn_scan(arena, &cfg, NULL, gtube, strlen(gtube), &res), 0);
	cr_expect(res.verdict.spam);
	cr_expect_eq(res.verdict.n, 2);
	cr_expect_str_eq(res.verdict.v[0].name, "GTUBE");
	cr_expect_str_eq(res.verdict.v[1].name, "WON");
	cr_expect_eq(res.verdict.score, 1002.5);
	cfg.rules = NULL;
	cr_assert_eq(wn_scan(arena, &cfg, NULL, gtube, strlen(gtube), &res), 0);
	cr_expect(res.verdict.spam, "GTUBE scores without rules too");
	wn_rules_free(&rs);
	wn_diag_list_fini(&d);
}

Test(rules, prefilter_never_changes_header_results)
{
	wn_diag_list d;
	wn_rules *rs = load(
	    "header JOINED X-A =~ /^one\\ntwo/m\n"
	    "header RAW_ALL ALL:raw =~ /^X-A: one$/m\n"
	    "mimeheader NOT_PDF Content-Type !~ /application\\/pdf/\n", &d);
	const char *msg = "X-A: one\nX-A: two\nSubject: s\n\nbody\n";

	cr_assert_eq(d.errors, 0);
	cr_expect_str_eq(hits(rs, msg, 0, 0), "JOINED RAW_ALL NOT_PDF");
	wn_rules_free(&rs);
	wn_diag_list_fini(&d);
}

Test(rules, crlf_mail_reads_as_lf)
{
	wn_diag_list d;
	wn_rules *rs = load(
	    "body HI /^Hi Tom, how are you\\?$/\n"
	    "rawbody RAW /^how are you\\?$/\n"
	    "full FULL /^Subject: s\\n/m\n", &d);
	const char *msg = "Subject: s\r\n\r\nHi Tom,\r\nhow are you?\r\n";

	cr_assert_eq(d.errors, 0);
	cr_expect_str_eq(hits(rs, msg, 0, 0), "HI RAW FULL");
	wn_rules_free(&rs);
	wn_diag_list_fini(&d);
}
