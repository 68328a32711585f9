/*
 * test_config.c - winnow.conf parsing (defaults, every finding with its
 * line, list keys), snapshots (reference counts, the slot swap, store
 * sharing across reloads), networks, and action thresholds.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <winnow/action.h>
#include <winnow/config.h>
#include <winnow/err.h>
#include <winnow/netaddr.h>

static wn_settings *
parse_ok(const char *text)
{
	wn_settings *s = NULL;
	wn_diag_list d;
	int rc;

	wn_diag_list_init(&d);
	rc = wn_settings_parse(text, strlen(text), "t.conf", &d, &s);
	cr_assert_eq(rc, 0, "parse failed: %s", d.n ? d.v[0].msg : "?");
	wn_diag_list_fini(&d);
	return s;
}

Test(config, defaults_are_documented_values)
{
	wn_settings *s = parse_ok("");

	cr_assert_str_eq(s->socket, "inet:8891@127.0.0.1");
	cr_assert_str_eq(s->store, "/var/lib/winnow/bayes.lmdb");
	cr_assert_eq(s->thresholds.mark, 5.0);
	cr_assert_eq(s->thresholds.reject, 15.0);
	cr_assert(isnan(s->thresholds.tempfail));
	cr_assert_eq(s->n_rules, 1);
	cr_assert_eq(s->n_trusted, 2);
	cr_assert(s->spf);
	cr_assert_eq(s->on_error, WN_ON_ERROR_ACCEPT);
	cr_assert_eq(s->max_size, 10u << 20);
	wn_settings_free(&s);
	cr_assert_null(s);
}

Test(config, values_comments_quotes_and_sizes)
{
	wn_settings *s = parse_ok(
	    "# a comment\n"
	    "  socket = unix:/run/winnow/winnowd.sock  \n"
	    "\n"
	    "reject_score = off\n"
	    "tempfail_score = 8.5\n"
	    "subject_tag = \" [spam] \"\n"
	    "max_size = 512k\n"
	    "never_reject = yes\r\n"
	    "on_error = tempfail\n");

	cr_assert_str_eq(s->socket, "unix:/run/winnow/winnowd.sock");
	cr_assert(isnan(s->thresholds.reject));
	cr_assert_eq(s->thresholds.tempfail, 8.5);
	cr_assert_str_eq(s->subject_tag, " [spam] ");
	cr_assert_eq(s->max_size, 512 * 1024);
	cr_assert(s->thresholds.never_reject);
	cr_assert_eq(s->on_error, WN_ON_ERROR_TEMPFAIL);
	wn_settings_free(&s);
}

Test(config, list_keys_replace_then_append)
{
	wn_settings *s = parse_ok(
	    "trusted_networks = 10.0.0.0/8\n"
	    "trusted_networks = 2001:db8::/32, 192.0.2.1\n"
	    "rules = /a /b\n"
	    "rules = /c\n");
	wn_ipaddr ip;

	cr_assert_eq(s->n_trusted, 3);
	cr_assert_eq(s->n_rules, 3);
	cr_assert_str_eq(s->rules[2], "/c");
	wn_ipaddr_parse("10.1.2.3", &ip);
	cr_assert(wn_net_contains(&s->trusted[0], &ip));
	wn_settings_free(&s);
	s = parse_ok("rules = none\ntrusted_networks = none\n");
	cr_assert_eq(s->n_rules, 0);
	cr_assert_eq(s->n_trusted, 0);
	wn_settings_free(&s);
}

struct bad_case {
	char text[96];
	unsigned line;
	char msg[64];
};

static struct bad_case bad_cases[] = {
	{ "socket = x\nnot a line\n", 2, "expected 'key = value'" },
	{ "\n\nrequierd_score = 5\n", 3, "unknown key 'requierd_score'" },
	{ "required_score = five\n", 1, "is not a number" },
	{ "reject_score = 5000\n", 1, "out of range" },
	{ "spf = maybe\n", 1, "is not yes or no" },
	{ "max_size = 10 parsecs\n", 1, "is not a size" },
	{ "on_error = shrug\n", 1, "is not accept or tempfail" },
	{ "log_level = loud\n", 1, "is not err, warning" },
	{ "trusted_networks = 10.0.0.0/33\n", 1, "is not an address" },
	{ "trusted_networks = example.com\n", 1, "is not an address" },
	{ "spf_timeout = 0\n", 1, "out of range" },
	{ "header_prefix = X Spam\n", 1, "is not a header name" },
};

ParameterizedTestParameters(config, bad_values_name_the_line)
{
	return cr_make_param_array(struct bad_case, bad_cases,
	    sizeof(bad_cases) / sizeof(bad_cases[0]));
}

ParameterizedTest(struct bad_case *c, config, bad_values_name_the_line)
{
	wn_settings *s = NULL;
	wn_diag_list d;
	size_t i;
	bool found = false;

	wn_diag_list_init(&d);
	cr_assert_eq(wn_settings_parse(c->text, strlen(c->text), "t.conf", &d,
	    &s), WN_EINVAL, "%s: accepted", c->text);
	cr_assert_null(s);
	for (i = 0; i < d.n; i++)
		if (d.v[i].severity == WN_DIAG_ERROR && d.v[i].line == c->line &&
		    strcmp(d.v[i].file, "t.conf") == 0 &&
		    strstr(d.v[i].msg, c->msg) != NULL)
			found = true;
	cr_assert(found, "%s: want line %u '%s', got line %u '%s'", c->text,
	    c->line, c->msg, d.n ? d.v[0].line : 0, d.n ? d.v[0].msg : "");
	wn_diag_list_fini(&d);
}

Test(config, repeated_key_warns_and_last_wins)
{
	wn_settings *s = NULL;
	wn_diag_list d;
	const char *t = "required_score = 4\nrequired_score = 6\n";

	wn_diag_list_init(&d);
	cr_assert_eq(wn_settings_parse(t, strlen(t), "t", &d, &s), 0);
	cr_assert_eq(d.warnings, 1);
	cr_assert_eq(d.v[0].line, 2);
	cr_assert_eq(s->thresholds.mark, 6.0);
	wn_diag_list_fini(&d);
	wn_settings_free(&s);
}

Test(config, missing_file_is_reported)
{
	wn_settings *s = NULL;
	wn_diag_list d;

	wn_diag_list_init(&d);
	cr_assert_eq(wn_settings_load("/nonexistent/winnow.conf", &d, &s),
	    WN_ENOENT);
	cr_assert_eq(d.errors, 1);
	wn_diag_list_fini(&d);
}

Test(config, restart_keys_are_named)
{
	wn_settings *a = parse_ok("socket = inet:1@127.0.0.1\n");
	wn_settings *b = parse_ok("socket = inet:2@127.0.0.1\n"
	    "required_score = 3\n");
	char buf[256];

	wn_settings_restart_keys(a, b, buf, sizeof(buf));
	cr_assert_str_eq(buf, "socket");
	wn_settings_restart_keys(a, a, buf, sizeof(buf));
	cr_assert_str_eq(buf, "");
	wn_settings_free(&a);
	wn_settings_free(&b);
}

static char tmpdir[] = "/tmp/wn-config-XXXXXX";

static wn_config *
build(const char *text, const wn_config *prev, int want)
{
	wn_settings *s = parse_ok(text);
	wn_config *c = NULL;
	wn_diag_list d;

	wn_diag_list_init(&d);
	cr_assert_eq(wn_config_build(s, prev, 0, &d, &c), want, "build: %s",
	    d.n ? d.v[d.n - 1].msg : "?");
	wn_diag_list_fini(&d);
	return c;
}

Test(config, broken_rules_refuse_the_snapshot_unless_skipped)
{
	char path[128], text[256];
	wn_config *c;
	FILE *f;

	cr_assert_not_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/bad.cf", tmpdir);
	f = fopen(path, "w");
	fputs("body GOOD /fine/\nbody BAD /(unclosed/\n", f);
	fclose(f);
	snprintf(text, sizeof(text), "store =\nspf = no\nrules = %s\n", path);
	c = build(text, NULL, WN_EINVAL);
	cr_assert_null(c);
	snprintf(text, sizeof(text), "store =\nspf = no\nrules = %s\n"
	    "rules_skip_broken = yes\n", path);
	c = build(text, NULL, 0);
	cr_assert_not_null(c->rules);
	cr_assert_not_null(wn_rules_find(c->rules, "GOOD") >= 0 ? c : NULL);
	wn_config_unref(&c);
	snprintf(text, sizeof(text), "store =\nspf = no\nrules = %s/none\n",
	    tmpdir);
	c = build(text, NULL, WN_ENOENT);
	unlink(path);
	rmdir(tmpdir);
}

Test(config, store_is_shared_across_reloads_of_the_same_file)
{
	char text[256], cmd[256];
	wn_config *a, *b, *c;

	cr_assert_not_null(mkdtemp(tmpdir));
	/* Missing store, no autolearn: Bayes off, not an error. */
	snprintf(text, sizeof(text), "spf = no\nrules = none\n"
	    "store = %s/bayes.lmdb\n", tmpdir);
	a = build(text, NULL, 0);
	cr_assert_null(a->scan.store);
	wn_config_unref(&a);
	/* autolearn creates it; a reload keeps the same handle. */
	snprintf(text, sizeof(text), "spf = no\nrules = none\nautolearn = yes\n"
	    "store = %s/bayes.lmdb\n", tmpdir);
	a = build(text, NULL, 0);
	cr_assert_not_null(a->scan.store);
	b = build(text, a, 0);
	cr_assert_eq(b->scan.store, a->scan.store);
	wn_config_unref(&a);
	/* The old snapshot is gone; the store lives on in the new one. */
	cr_assert_not_null(b->scan.store->ops);
	/* Deleted and recreated: a new handle for the new file. */
	snprintf(cmd, sizeof(cmd), "rm -f %s/bayes.lmdb %s/bayes.lmdb-lock",
	    tmpdir, tmpdir);
	(void)system(cmd);
	c = build(text, b, 0);
	cr_assert_neq(c->scan.store, b->scan.store);
	wn_config_unref(&b);
	wn_config_unref(&c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	(void)system(cmd);
}

Test(config, slot_swap_keeps_old_snapshot_alive_while_held)
{
	wn_config_slot slot;
	wn_config *a = build("store =\nspf = no\nrules = none\n", NULL, 0);
	wn_config *b = build("store =\nspf = no\nrules = none\n"
	    "required_score = 7\n", NULL, 0);
	wn_config *held;

	wn_config_slot_init(&slot, a);
	held = wn_config_acquire(&slot);
	cr_assert_eq(held, a);
	wn_config_slot_swap(&slot, b);
	/* a is still whole for its holder. */
	cr_assert_eq(held->settings->thresholds.mark, 5.0);
	cr_assert_eq(atomic_load(&held->refs), 1);
	wn_config_unref(&held);
	held = wn_config_acquire(&slot);
	cr_assert_eq(held->settings->thresholds.mark, 7.0);
	wn_config_unref(&held);
	wn_config_slot_fini(&slot);
}

Test(netaddr, networks_match_v4_v6_and_mapped)
{
	wn_net n;
	wn_ipaddr ip;
	char buf[64];

	cr_assert_eq(wn_net_parse("192.0.2.0/24", &n), 0);
	wn_ipaddr_parse("192.0.2.77", &ip);
	cr_assert(wn_net_contains(&n, &ip));
	wn_ipaddr_parse("::ffff:192.0.2.77", &ip);
	cr_assert_eq(ip.family, 4, "mapped address read as IPv4");
	cr_assert(wn_net_contains(&n, &ip));
	wn_ipaddr_parse("192.0.3.1", &ip);
	cr_assert_not(wn_net_contains(&n, &ip));
	cr_assert_eq(wn_net_parse("2001:db8::/33", &n), 0);
	wn_ipaddr_parse("2001:db8:7fff::1", &ip);
	cr_assert(wn_net_contains(&n, &ip));
	wn_ipaddr_parse("2001:db8:8000::1", &ip);
	cr_assert_not(wn_net_contains(&n, &ip));
	cr_assert_eq(wn_net_parse("10.0.0.0/8/8", &n), WN_EINVAL);
	cr_assert_eq(wn_net_parse("/8", &n), WN_EINVAL);
	cr_assert_eq(wn_net_parse("::ffff:192.0.2.0/120", &n), 0);
	wn_ipaddr_parse("192.0.2.200", &ip);
	cr_assert(wn_net_contains(&n, &ip), "mapped network as IPv4/24");
	cr_assert_eq(n.prefix, 24);
	cr_assert_eq(wn_net_parse("192.0.2.1/33", &n), WN_EINVAL);
	cr_assert_eq(wn_net_parse("0.0.0.0/0", &n), 0);
	wn_ipaddr_parse("203.0.113.9", &ip);
	cr_assert(wn_net_contains(&n, &ip));
	cr_assert_str_eq(wn_ipaddr_format(&ip, buf, sizeof(buf)),
	    "203.0.113.9");
}

struct act_case {
	double score;
	int want;
};

Test(action, most_severe_threshold_reached_wins)
{
	wn_thresholds t = { 5, 7, NAN, 10, NAN, 15, false };
	static const struct act_case cases[] = {
		{ -2, WN_ACTION_ACCEPT }, { 4.94, WN_ACTION_ACCEPT },
		{ 4.95, WN_ACTION_MARK }, { 6.9, WN_ACTION_MARK },
		{ 7, WN_ACTION_SUBJECT }, { 12, WN_ACTION_QUARANTINE },
		{ 15, WN_ACTION_REJECT }, { 1000, WN_ACTION_REJECT },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(wn_action_choose(&t, cases[i].score),
		    (enum wn_action)cases[i].want, "score %g: got %s, want %s",
		    cases[i].score, wn_action_name(wn_action_choose(&t,
		    cases[i].score)), wn_action_name(cases[i].want));
	t.never_reject = true;
	cr_assert_eq(wn_action_choose(&t, 1000), WN_ACTION_QUARANTINE);
	t.quarantine = NAN;
	cr_assert_eq(wn_action_choose(&t, 1000), WN_ACTION_SUBJECT);
}

Test(action, spam_status_is_sorted_and_folded)
{
	wn_arena *a = wn_arena_new(0);
	wn_verdict v;
	char *st, *line;
	int i;

	wn_verdict_init(&v, 5.0);
	wn_verdict_add(a, &v, "ZETA_RULE", 1.0);
	for (i = 0; i < 12; i++) {
		char name[32];

		snprintf(name, sizeof(name), "SOME_LONG_RULE_NAME_%02d", i);
		wn_verdict_add(a, &v, wn_arena_strdup(a, name), 0.5);
	}
	wn_verdict_add(a, &v, "ALPHA", -0.04);
	wn_verdict_finish(&v);
	st = wn_spam_status(a, &v, v.spam, "no");
	cr_assert(strncmp(st, "Yes, score=7.0 required=5.0", 27) == 0,
	    "got %s", st);
	cr_assert(strstr(st, "tests=ALPHA,") != NULL &&
	    strstr(st, "SOME_LONG_RULE_NAME_11,\n\tZETA_RULE ") != NULL,
	    "sorted: %s", st);
	cr_assert(strstr(st, "autolearn=no") != NULL);
	for (line = st; line != NULL; line = strstr(line + 1, "\n\t")) {
		char *next = strstr(line + 1, "\n\t");
		size_t len = next ? (size_t)(next - line) : strlen(line);

		cr_assert_leq(len, 80, "line too long in %s", st);
	}
	cr_assert_str_eq(wn_spam_level(a, 7.9), "*******");
	cr_assert_str_eq(wn_spam_level(a, -3), "");
	cr_assert_str_eq(wn_spam_score(a, -0.04), "0.0");
	wn_arena_free(&a);
}
