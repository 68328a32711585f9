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
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <winnow/alloc.h>
#include <winnow/arena.h>
#include <winnow/err.h>
#include <winnow/rules.h>

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
    "Rule maintainers' tools. PATH: a .cf file or a folder of them.\n\n"
    "  lint   list errors and warnings as FILE:LINE; exit 1 on errors\n"
    "         (-q: errors only)\n"
    "  test   run the set's tests/*.eml; each starts with lines\n"
    "         '# hit: RULE...' and '# miss: RULE...'\n"
    "  check  per rule: hits on ham and spam, S/O ratio, rank; and how\n"
    "         much spam the set catches at the required score\n"
    "         (--ham-from/--spam-from FILE read paths from FILE;\n"
    "         --skip-broken uses the rules that load when some have errors)\n"
    "  pack   make a .tar.gz package of the set in DIR, with CHECKSUMS\n"
    "  sign   add an Ed25519 signature by KEY (from rules keygen)\n"
    "  keygen make DIR/NAME.key and DIR/NAME.pub (NAME: maintainer)\n"
    "  verify check a package against the *.pub keys in DIR; exit 1\n"
    "         when it does not hold\n";

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

/* manifest: "key: value" lines; the keys a rule set must have */
static void
wn_rules_check_manifest(const char *dir, wn_diag_list *d)
{
	static const char *const keys[] = {
		"name", "version", "maintainer", "licence", "min-engine"
	};
	bool have[5] = { false };
	char path[4096], line[1024];
	unsigned lineno = 0;
	size_t i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/manifest", dir);
	f = fopen(path, "r");
	if (f == NULL)
		return;		/* a plain folder of rules */
	while (fgets(line, sizeof(line), f) != NULL) {
		char *colon;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		colon = strchr(line, ':');
		if (colon == NULL) {
			wn_diag_add(d, WN_DIAG_ERROR, path, lineno,
			    "manifest lines are 'key: value'");
			continue;
		}
		*colon = '\0';
		for (i = 0; i < 5; i++)
			if (strcmp(line, keys[i]) == 0)
				have[i] = true;
	}
	fclose(f);
	for (i = 0; i < 5; i++)
		if (!have[i])
			wn_diag_add(d, WN_DIAG_ERROR, path, 0,
			    "manifest has no '%s'", keys[i]);
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

typedef struct wn_rules_expect {
	char *name;
	bool hit;
} wn_rules_expect;

typedef struct wn_rules_tester {
	const wn_rules *rs;
	wn_rules_worker *w;
	wn_arena *arena;
	uint8_t *has_hit_test;	/* per rule id */
	uint8_t *has_miss_test;
	size_t messages, expectations, failures;
} wn_rules_tester;

/* read the leading "# hit:" / "# miss:" lines; returns the body offset */
static size_t
wn_rules_test_header(const char *data, size_t len, wn_rules_expect **ex,
    size_t *n_ex, size_t *cap)
{
	size_t off = 0;

	while (off < len && data[off] == '#') {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - data) : len;
		char *line = strndup(data + off + 1, end - off - 1);
		char *p, *tok, *save = NULL;
		bool hit;

		off = nl ? end + 1 : len;
		if (line == NULL)
			continue;
		p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "hit:", 4) == 0)
			hit = true;
		else if (strncmp(p, "miss:", 5) == 0)
			hit = false;
		else {
			free(line);
			continue;	/* a comment */
		}
		p += hit ? 4 : 5;
		for (tok = strtok_r(p, " \t\r", &save); tok != NULL;
		    tok = strtok_r(NULL, " \t\r", &save)) {
			if (*n_ex == *cap) {
				size_t nc = *cap ? *cap * 2 : 16;
				wn_rules_expect *nv = realloc(*ex,
				    nc * sizeof(*nv));

				if (nv == NULL)
					break;
				*ex = nv;
				*cap = nc;
			}
			(*ex)[*n_ex].name = strdup(tok);
			(*ex)[*n_ex].hit = hit;
			if ((*ex)[*n_ex].name != NULL)
				(*n_ex)++;
		}
		free(line);
	}
	return off;
}

static void
wn_rules_test_message(wn_rules_tester *t, const char *path,
    const char *data, size_t len)
{
	wn_rules_expect *ex = NULL;
	size_t n_ex = 0, cap = 0, off, i, k;
	wn_mime_limits limits;
	wn_mime_msg *msg;
	wn_rules_result res;

	off = wn_rules_test_header(data, len, &ex, &n_ex, &cap);
	t->messages++;
	if (n_ex == 0) {
		printf("%s: no '# hit:' or '# miss:' line\n", path);
		t->failures++;
		goto out;
	}
	wn_arena_reset(t->arena);
	wn_mime_limits_default(&limits);
	if (wn_mime_parse(t->arena, data + off, len - off, &limits, &msg) != 0
	    || wn_rules_match(t->rs, t->w, t->arena, msg, data + off,
	    len - off, 0, WN_RULES_RUN_ALL, &res) != 0) {
		printf("%s: out of memory\n", path);
		t->failures++;
		goto out;
	}
	for (i = 0; i < n_ex; i++) {
		long id = wn_rules_find(t->rs, ex[i].name);
		bool got = false;

		t->expectations++;
		if (strcmp(ex[i].name, WN_GTUBE_SYMBOL) == 0)
			got = wn_rules_gtube(data + off, len - off);
		else if (id < 0) {
			printf("%s: %s: no such rule\n", path, ex[i].name);
			t->failures++;
			continue;
		} else {
			for (k = 0; k < res.n_hits; k++)
				if (res.hits[k].id == (uint32_t)id)
					got = true;
			if (ex[i].hit)
				t->has_hit_test[id] = 1;
			else
				t->has_miss_test[id] = 1;
		}
		if (got != ex[i].hit) {
			printf("%s: %s %s\n", path, ex[i].name, ex[i].hit ?
			    "should hit but did not" :
			    "should not hit but did");
			t->failures++;
		}
	}
	for (k = 0; k < res.n_limited; k++)
		printf("%s: %s hit a match limit\n", path, res.limited[k]);
out:
	for (i = 0; i < n_ex; i++)
		free(ex[i].name);
	free(ex);
}

static int
wn_rules_test_one(const wn_input_msg *m, void *arg)
{
	wn_rules_test_message(arg, m->path, m->data, m->len);
	return 0;
}

static int
wn_rules_eml_filter(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 4 &&
	    strcmp(e->d_name + n - 4, ".eml") == 0;
}

static int
wn_rules_test(int argc, char **argv)
{
	wn_rules_tester t;
	wn_rules *rs = NULL;
	struct dirent **ents = NULL;
	char tests[4096];
	const char *dir;
	size_t i, scoring = 0, covered = 0;
	int n, k, rc;

	if (argc != 2)
		return wn_cli_usage_error("rules test", "give one rule-set DIR");
	dir = argv[1];
	if ((rc = wn_cli_load_rules("rules test", &dir, 1, false, &rs)) != 0)
		return rc;
	memset(&t, 0, sizeof(t));
	{
		wn_diag_list md;

		wn_diag_list_init(&md);
		wn_rules_check_manifest(dir, &md);
		wn_cli_print_diags(stdout, &md, true);
		t.failures += md.errors;
		wn_diag_list_fini(&md);
	}
	t.rs = rs;
	t.arena = wn_arena_new(0);
	t.has_hit_test = calloc(wn_rules_count(rs) + 1, 1);
	t.has_miss_test = calloc(wn_rules_count(rs) + 1, 1);
	if (t.arena == NULL || t.has_hit_test == NULL ||
	    t.has_miss_test == NULL || wn_rules_worker_new(rs, &t.w) != 0) {
		rc = WN_EXIT_SOFTWARE;
		goto out;
	}
	snprintf(tests, sizeof(tests), "%s/tests", dir);
	n = scandir(tests, &ents, wn_rules_eml_filter, alphasort);
	if (n < 0) {
		fprintf(stderr, "winnow rules test: %s: no tests folder\n",
		    tests);
		rc = WN_EXIT_FAIL;
		goto out;
	}
	for (k = 0; k < n; k++) {
		char *p = NULL;

		if (asprintf(&p, "%s/%s", tests, ents[k]->d_name) >= 0) {
			(void)wn_cli_each_message(&p, 1, wn_rules_test_one,
			    &t);
			free(p);
		}
		free(ents[k]);
	}
	free(ents);
	for (i = 0; i < wn_rules_count(rs); i++) {
		if (!wn_rules_scoring(rs, i))
			continue;
		scoring++;
		if (t.has_hit_test[i] && t.has_miss_test[i]) {
			covered++;
			continue;
		}
		printf("%s: no %s test\n", wn_rules_name(rs, i),
		    !t.has_hit_test[i] ? "hit" : "miss");
		t.failures++;
	}
	printf("%zu message%s, %zu expectation%s, %zu failure%s; %zu of %zu "
	    "scoring rules have hit and miss tests\n", t.messages,
	    t.messages == 1 ? "" : "s", t.expectations,
	    t.expectations == 1 ? "" : "s", t.failures,
	    t.failures == 1 ? "" : "s", covered, scoring);
	rc = t.failures || t.messages == 0 ? WN_EXIT_FAIL : WN_EXIT_OK;
out:
	wn_rules_worker_free(&t.w);
	wn_arena_free(&t.arena);
	free(t.has_hit_test);
	free(t.has_miss_test);
	wn_rules_free(&rs);
	return rc;
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
	return wn_cli_usage_error("rules", "unknown subcommand (lint, test, "
	    "check, pack, sign, keygen, verify)");
}
