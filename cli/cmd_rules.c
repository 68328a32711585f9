/*
 * cmd_rules.c - `winnow rules lint|test|check`: the rule maintainer's tools
 * (pack, sign, keygen and verify are in cmd_rules_pkg.c).
 *
 * lint  loads rule files and lists every finding with file:line.
 * test  runs a rule set's own test messages (tests/NAME.eml, whose leading
 *       "# hit: RULE..." and "# miss: RULE..." lines say what must and must
 *       not hit) and checks that every scoring rule has both kinds.
 * check runs rules over ham and spam and prints per rule the hit rates,
 *       S/O ratio and rank, and what the set catches at the threshold.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winnow/alloc.h>
#include <winnow/arena.h>
#include <winnow/err.h>
#include <winnow/manifest.h>
#include <winnow/rules.h>
#include <winnow/ruleset_check.h>

#include "cli.h"

#define WN_RULES_MAX_PATHS 64


static const char wn_rules_usage[] =
    "usage: winnow rules lint [-q] PATH...\n"
    "       winnow rules test DIR\n"
    "       winnow rules check --rules PATH [--rules PATH]... --ham PATH\n"
    "                          [--ham PATH]... --spam PATH [--spam PATH]...\n"
    "                          [--required S] [--skip-broken]\n"
    "       winnow rules pack DIR -o FILE\n"
    "       winnow rules sign FILE --key KEY\n"
    "       winnow rules keygen --out DIR [--name NAME]\n"
    "       winnow rules verify FILE --trusted DIR\n"
    "       winnow rules publish FILE --repository URL [--cacert FILE]\n"
    "                            [--timeout S]\n"
    "       winnow rules promote NAME VERSION --key KEY --repository URL\n"
    "                            [--stage stable] [--cacert FILE] "
    "[--timeout S]\n"
    "Rule maintainers' tools. PATH: a .cf file or a folder of them.\n\n"
    "  lint   list errors and warnings as FILE:LINE; exit 1 on errors\n"
    "         (-q: errors only)\n"
    "  test   the check every set passes before it is published or\n"
    "         installed: manifest, rules without errors, and its\n"
    "         tests/*.eml, each starting with lines '# hit: RULE...'\n"
    "         and '# miss: RULE...'\n"
    "  check  per rule: hits on ham and spam, S/O ratio, rank; and how\n"
    "         much spam the set catches at the required score\n"
    "         (--ham-from/--spam-from FILE read paths from FILE;\n"
    "         --skip-broken uses the rules that load when some have errors)\n"
    "  pack   make a .tar.gz package of the set in DIR, with CHECKSUMS\n"
    "  sign   add an Ed25519 signature by KEY (from rules keygen)\n"
    "  keygen make DIR/NAME.key and DIR/NAME.pub (NAME: maintainer)\n"
    "  verify check a package against the *.pub keys in DIR; exit 1\n"
    "         when it does not hold\n"
    "  publish send a signed package to winnow-repository (stage\n"
    "          testing); exit 1 refused, 75 repository unreachable\n"
    "  promote sign a promotion of NAME VERSION to stable by KEY\n";

static void
wn_rules_print_stats(const char *what, const wn_rules_stats *s,
    const wn_diag_list *d)
{
	printf("%s: %zu file%s, %zu rules (%zu header, %zu body, %zu rawbody, "
	    "%zu uri, %zu full, %zu mimeheader, %zu meta), %zu scoring, "
	    "%zu with a literal prefilter\n", what, s->files,
	    s->files == 1 ? "" : "s", s->rules, s->by_type[WN_RULE_HEADER],
	    s->by_type[WN_RULE_BODY], s->by_type[WN_RULE_RAWBODY],
	    s->by_type[WN_RULE_URI], s->by_type[WN_RULE_FULL],
	    s->by_type[WN_RULE_MIMEHEADER], s->by_type[WN_RULE_META],
	    s->scoring, s->prefiltered);
	printf("skipped: %zu eval rules, %zu unsupported rules, %zu "
	    "directives; %zu metas disabled; %zu rules broken\n",
	    s->eval_skipped, s->unsupported_skipped, s->directives_skipped,
	    s->metas_disabled, s->broken);
	printf("%zu error%s, %zu warning%s\n", d->errors,
	    d->errors == 1 ? "" : "s", d->warnings,
	    d->warnings == 1 ? "" : "s");
}

/* a folder with a manifest is a rule set: its manifest must read */
static void
wn_rules_check_manifest(const char *dir, wn_diag_list *d)
{
	char path[4096], err[WN_MANIFEST_ERR_LEN];
	wn_manifest m;

	snprintf(path, sizeof(path), "%s/manifest", dir);
	if (access(path, F_OK) != 0)
		return;		/* a plain folder of rules */
	if (wn_manifest_read_dir(dir, &m, err) != 0)
		wn_diag_add(d, WN_DIAG_ERROR, "", 0, "%s", err);
	wn_manifest_fini(&m);
}

static int
wn_rules_lint(int argc, char **argv)
{
	wn_diag_list d;
	wn_rules *rs = NULL;
	bool quiet = false;
	int i, rc, first = 1;
	struct stat st;

	if (argc > 1 && strcmp(argv[1], "-q") == 0) {
		quiet = true;
		first = 2;
	}
	if (argc <= first)
		return wn_cli_usage_error("rules lint", "no PATH given");
	wn_diag_list_init(&d);
	rc = wn_rules_load((const char *const *)argv + first,
	    (size_t)(argc - first), NULL, &d, &rs);
	if (rc == WN_ENOMEM) {
		fprintf(stderr, "winnow rules lint: out of memory\n");
		wn_diag_list_fini(&d);
		return WN_EXIT_SOFTWARE;
	}
	for (i = first; i < argc; i++)
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			wn_rules_check_manifest(argv[i], &d);
	wn_cli_print_diags(stdout, &d, !quiet);
	if (rs != NULL)
		wn_rules_print_stats(argc - first == 1 ? argv[first] : "rules",
		    wn_rules_stats_get(rs), &d);
	rc = d.errors > 0 || rs == NULL ? WN_EXIT_FAIL : WN_EXIT_OK;
	wn_rules_free(&rs);
	wn_diag_list_fini(&d);
	return rc;
}

/* ---- test ---- */

static int
wn_rules_test(int argc, char **argv)
{
	wn_ruleset_check_result res;
	wn_diag_list d;
	int rc;

	if (argc != 2)
		return wn_cli_usage_error("rules test", "give one rule-set DIR");
	wn_diag_list_init(&d);
	rc = wn_ruleset_check(argv[1], &d, &res, NULL, NULL);
	wn_cli_print_diags(stdout, &d, false);
	wn_diag_list_fini(&d);
	if (rc == WN_ENOMEM) {
		fprintf(stderr, "winnow rules test: out of memory\n");
		return WN_EXIT_SOFTWARE;
	}
	printf("%zu message%s, %zu expectation%s, %zu failure%s; %zu of %zu "
	    "scoring rules have hit and miss tests\n", res.messages,
	    res.messages == 1 ? "" : "s", res.expectations,
	    res.expectations == 1 ? "" : "s", res.failures,
	    res.failures == 1 ? "" : "s", res.covered, res.scoring);
	return rc == 0 ? WN_EXIT_OK : WN_EXIT_FAIL;
}

/* ---- check ---- */

typedef struct wn_rules_checker {
	const wn_rules *rs;
	wn_rules_worker *w;
	wn_arena *arena;
	bool spam;		/* class of the messages being walked */
	uint32_t *hits[2];	/* per rule: ham, spam */
	size_t total[2];
	size_t over[2];		/* at or over the required score */
	double required;
	int fatal;
} wn_rules_checker;

static int
wn_rules_check_one(const wn_input_msg *m, void *arg)
{
	wn_rules_checker *c = arg;
	wn_mime_limits limits;
	wn_mime_msg *msg;
	wn_rules_result res;
	double score = 0;
	size_t k;

	wn_arena_reset(c->arena);
	wn_mime_limits_default(&limits);
	if (wn_mime_parse(c->arena, m->data, m->len, &limits, &msg) != 0 ||
	    wn_rules_match(c->rs, c->w, c->arena, msg, m->data, m->len, 0,
	    WN_RULES_RUN_ALL, &res) != 0) {
		fprintf(stderr, "winnow rules check: out of memory\n");
		return c->fatal = WN_EXIT_SOFTWARE;
	}
	c->total[c->spam]++;
	for (k = 0; k < res.n_hits; k++) {
		c->hits[c->spam][res.hits[k].id]++;
		if (wn_rules_scoring(c->rs, res.hits[k].id))
			score += res.hits[k].score;
	}
	if (wn_rules_gtube(m->data, m->len))
		score += WN_GTUBE_SCORE;
	if (score >= c->required)
		c->over[c->spam]++;
	return 0;
}

typedef struct wn_rules_row {
	size_t id;
	double spam_pct, ham_pct, so;
} wn_rules_row;

static int
wn_rules_row_cmp(const void *a, const void *b)
{
	const wn_rules_row *x = a, *y = b;

	if (x->so != y->so)
		return x->so < y->so ? 1 : -1;
	if (x->spam_pct != y->spam_pct)
		return x->spam_pct < y->spam_pct ? 1 : -1;
	return x->ham_pct > y->ham_pct ? 1 : x->ham_pct < y->ham_pct ? -1 : 0;
}

static void
wn_rules_check_report(const wn_rules_checker *c)
{
	size_t n = wn_rules_count(c->rs), i, m = 0;
	wn_rules_row *rows = calloc(n + 1, sizeof(*rows));
	double ham = c->total[0] ? (double)c->total[0] : 1;
	double spam = c->total[1] ? (double)c->total[1] : 1;

	if (rows == NULL)
		return;
	for (i = 0; i < n; i++) {
		wn_rules_row *r = &rows[m];

		if (c->hits[0][i] + c->hits[1][i] == 0 &&
		    !wn_rules_scoring(c->rs, i))
			continue;
		r->id = i;
		r->ham_pct = 100.0 * c->hits[0][i] / ham;
		r->spam_pct = 100.0 * c->hits[1][i] / spam;
		r->so = r->ham_pct + r->spam_pct > 0 ?
		    r->spam_pct / (r->ham_pct + r->spam_pct) : 0.5;
		m++;
	}
	qsort(rows, m, sizeof(*rows), wn_rules_row_cmp);
	printf("%8s %8s %6s %6s %7s  %s\n", "SPAM%", "HAM%", "S/O", "RANK",
	    "SCORE", "NAME");
	for (i = 0; i < m; i++) {
		const wn_rules_row *r = &rows[i];
		/* rank: 1.00 for the best rule, 0.00 for the worst */
		double rank = m > 1 ? 1.0 - (double)i / (double)(m - 1) : 1.0;

		printf("%8.3f %8.3f %6.3f %6.2f %7.2f  %s\n", r->spam_pct,
		    r->ham_pct, r->so, rank, wn_rules_score(c->rs, r->id, 0),
		    wn_rules_name(c->rs, r->id));
	}
	printf("\n%zu spam, %zu ham; at score >= %.1f: spam caught %zu "
	    "(%.2f%%), ham hit %zu (%.2f%%)\n", c->total[1], c->total[0],
	    c->required, c->over[1], 100.0 * c->over[1] / spam, c->over[0],
	    100.0 * c->over[0] / ham);
	free(rows);
}

static int
wn_rules_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rules", required_argument, NULL, 'R' },
		{ "ham", required_argument, NULL, 'H' },
		{ "spam", required_argument, NULL, 'S' },
		{ "ham-from", required_argument, NULL, 'h' },
		{ "spam-from", required_argument, NULL, 's' },
		{ "required", required_argument, NULL, 'r' },
		{ "skip-broken", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	wn_cli_rule_paths rule_paths = { .n = 0 };
	char *cls_paths[2][WN_RULES_MAX_PATHS];
	const char *cls_list[2] = { NULL, NULL };
	int n_cls[2] = { 0, 0 }, c, rc = 0, cls;
	wn_rules_checker ck;
	wn_rules *rs = NULL;
	bool skip_broken = false;
	char *end;

	memset(&ck, 0, sizeof(ck));
	ck.required = WN_REQUIRED_SCORE_DEFAULT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'R':
			if ((rc = wn_cli_rule_path_add("rules check",
			    &rule_paths, optarg)) != 0)
				return rc;
			break;
		case 'H':
		case 'S':
			cls = c == 'S';
			if (n_cls[cls] == WN_RULES_MAX_PATHS)
				return wn_cli_usage_error("rules check",
				    "too many --ham/--spam");
			cls_paths[cls][n_cls[cls]++] = optarg;
			break;
		case 'h':
		case 's':
			cls_list[c == 's'] = optarg;
			break;
		case 'k':
			skip_broken = true;
			break;
		case 'r':
			ck.required = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0')
				return wn_cli_usage_error("rules check",
				    "--required takes a number");
			break;
		default:
			return wn_cli_usage_error("rules check",
			    "unknown option");
		}
	}
	if (rule_paths.n == 0 || (n_cls[0] == 0 && cls_list[0] == NULL) ||
	    (n_cls[1] == 0 && cls_list[1] == NULL))
		return wn_cli_usage_error("rules check",
		    "give --rules, --ham and --spam");
	if ((rc = wn_cli_load_rules("rules check", rule_paths.v, rule_paths.n,
	    skip_broken, &rs)) != 0)
		return rc;
	ck.rs = rs;
	ck.arena = wn_arena_new(0);
	ck.hits[0] = calloc(wn_rules_count(rs) + 1, sizeof(uint32_t));
	ck.hits[1] = calloc(wn_rules_count(rs) + 1, sizeof(uint32_t));
	if (ck.arena == NULL || ck.hits[0] == NULL || ck.hits[1] == NULL ||
	    wn_rules_worker_new(rs, &ck.w) != 0) {
		rc = WN_EXIT_SOFTWARE;
		goto out;
	}
	for (cls = 0; cls < 2 && !ck.fatal; cls++) {
		char **paths;
		int n_paths, r;

		ck.spam = cls == 1;
		r = wn_cli_paths("rules check", cls_paths[cls], n_cls[cls],
		    cls_list[cls], &paths, &n_paths);
		if (r != 0) {
			rc = r;
			goto out;
		}
		r = wn_cli_each_message(paths, n_paths, wn_rules_check_one,
		    &ck);
		wn_cli_paths_free(paths, n_paths, n_cls[cls]);
		if (r != 0 && rc == 0)
			rc = r;
	}
	if (!ck.fatal)
		wn_rules_check_report(&ck);
	else
		rc = ck.fatal;
out:
	wn_rules_worker_free(&ck.w);
	wn_arena_free(&ck.arena);
	free(ck.hits[0]);
	free(ck.hits[1]);
	wn_rules_free(&rs);
	return rc;
}

int
wn_cmd_rules(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} remote[] = {
		{ "publish", wn_cmd_rules_publish },
		{ "promote", wn_cmd_rules_promote },
		{ "update", wn_cmd_rules_update },
		{ "list", wn_cmd_rules_list },
		{ "rollback", wn_cmd_rules_rollback },
		{ "remove", wn_cmd_rules_remove },
	};
	size_t i;
	int rc;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		fputs(wn_rules_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? WN_EXIT_USAGE : WN_EXIT_OK;
	}
	if (argc > 2 && (strcmp(argv[2], "-h") == 0 ||
	    strcmp(argv[2], "--help") == 0)) {
		fputs(wn_rules_usage, stdout);
		return WN_EXIT_OK;
	}
	if (strcmp(argv[1], "lint") == 0)
		return wn_rules_lint(argc - 1, argv + 1);
	if (strcmp(argv[1], "test") == 0)
		return wn_rules_test(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return wn_rules_check(argc - 1, argv + 1);
	if ((rc = wn_cmd_rules_pkg(argc - 1, argv + 1)) >= 0)
		return rc;
	for (i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
		if (strcmp(argv[1], remote[i].name) == 0)
			return remote[i].fn(argc - 1, argv + 1);
	return wn_cli_usage_error("rules", "unknown subcommand (lint, test, "
	    "check, pack, sign, keygen, verify, publish, promote, update, "
	    "list, rollback, remove)");
}
