/*
 * cmd_eval.c - `winnow eval`: train a fresh store, test, report accuracy.
 *
 * LIST files hold "ham|spam<TAB>path" lines (paths relative to --data).
 * The train list is learned into a new store (a temporary one unless --db
 * names it), every test message is scored, and the report gives FP (ham
 * called spam), FN (spam missed) at the default threshold, 1-ROCA% =
 * 100 * (1 - AUC) with the AUC by rank (Mann-Whitney, ties averaged), and
 * the time spent. --scores writes "label<TAB>score<TAB>verdict" per test
 * message for other tools; the score is the Bayes spam probability.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <winnow/alloc.h>
#include <winnow/arena.h>
#include <winnow/err.h>

#include "cli.h"
#include "learn_queue.h"

typedef struct wn_eval_item {
	char *path;
	bool spam;
	double score;		/* ranking score */
	bool verdict;
} wn_eval_item;

typedef struct wn_eval_list {
	wn_eval_item *v;
	size_t n;
} wn_eval_list;

static const char wn_eval_usage[] =
    "usage: winnow eval --train LIST --test LIST [OPTIONS]\n"
    "Train a fresh store on LIST, score the test LIST, report FP, FN,\n"
    "1-ROCA% and speed. LIST lines: ham|spam<TAB>path.\n\n"
    "  --data DIR       resolve list paths against DIR\n"
    "  --db PATH        keep the trained store at PATH (must not exist)\n"
    "  --scores FILE    write label<TAB>score<TAB>verdict per test message\n"
    "  --rules PATH     also run these rules; the verdict and the ranking\n"
    "                   for 1-ROCA% use the total score (repeatable)\n"
    "  --osb N          bigram window (default 1)\n"
    "  --robs X, --robx X, --min-dev X, --max-used N\n"
    "                   Bayes parameters (see winnow(1))\n"
    "  --no-linear      Fisher alone: no linear stage\n"
    "  --linear-c X, --fisher-weight X, --linear-offset X\n"
    "                   linear stage parameters (see winnow(1))\n"
    "  -h, --help       this help\n";

static double
wn_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
wn_eval_read_list(const char *file, const char *data, wn_eval_list *l)
{
	FILE *f = fopen(file, "r");
	char line[4096];
	size_t cap = 0, lineno = 0;

	memset(l, 0, sizeof(*l));
	if (f == NULL) {
		fprintf(stderr, "winnow eval: %s: %s\n", file, strerror(errno));
		return WN_EXIT_FAIL;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *tab = strchr(line, '\t'), *p, *nl;
		size_t need;

		lineno++;
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (tab == NULL || (strncmp(line, "ham\t", 4) != 0 &&
		    strncmp(line, "spam\t", 5) != 0)) {
			fprintf(stderr, "winnow eval: %s:%zu: want "
			    "ham|spam<TAB>path\n", file, lineno);
			fclose(f);
			return WN_EXIT_FAIL;
		}
		if (l->n == cap) {
			cap = cap ? cap * 2 : 1024;
			l->v = realloc(l->v, cap * sizeof(*l->v));
			if (l->v == NULL) {
				fclose(f);
				return WN_EXIT_SOFTWARE;
			}
		}
		need = (data ? strlen(data) + 1 : 0) + strlen(tab + 1) + 1;
		if ((p = malloc(need)) == NULL) {
			fclose(f);
			return WN_EXIT_SOFTWARE;
		}
		if (data)
			snprintf(p, need, "%s/%s", data, tab + 1);
		else
			snprintf(p, need, "%s", tab + 1);
		l->v[l->n].path = p;
		l->v[l->n].spam = line[0] == 's';
		l->v[l->n].score = 0;
		l->v[l->n].verdict = false;
		l->n++;
	}
	fclose(f);
	if (l->n == 0) {
		fprintf(stderr, "winnow eval: %s: no messages listed\n", file);
		return WN_EXIT_FAIL;
	}
	return 0;
}

static void
wn_eval_free_list(wn_eval_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
}

static int
wn_score_cmp(const void *a, const void *b)
{
	const wn_eval_item *x = *(wn_eval_item *const *)a;
	const wn_eval_item *y = *(wn_eval_item *const *)b;

	return x->score < y->score ? -1 : x->score > y->score;
}

/* AUC by rank (Mann-Whitney U), ties get their average rank. */
static double
wn_eval_auc(const wn_eval_list *l)
{
	wn_eval_item **s = malloc(l->n * sizeof(*s));
	double rank_sum = 0, n_spam = 0, n_ham = 0;
	size_t i, j, k;

	if (s == NULL)
		return 0;
	for (i = 0; i < l->n; i++)
		s[i] = &l->v[i];
	qsort(s, l->n, sizeof(*s), wn_score_cmp);
	for (i = 0; i < l->n; i = j) {
		for (j = i + 1; j < l->n && s[j]->score == s[i]->score; j++)
			;
		double avg = (double)(i + 1 + j) / 2.0;	/* ranks i+1..j */

		for (k = i; k < j; k++)
			if (s[k]->spam)
				rank_sum += avg;
	}
	for (i = 0; i < l->n; i++) {
		if (l->v[i].spam)
			n_spam++;
		else
			n_ham++;
	}
	free(s);
	if (n_spam == 0 || n_ham == 0)
		return 0;
	return (rank_sum - n_spam * (n_spam + 1) / 2) / (n_spam * n_ham);
}

typedef struct wn_eval_ctx {
	wn_scan_config *cfg;
	wn_arena *arena;
	wn_learn_queue *queue;	/* while learning */
	wn_eval_item *item;
	enum wn_learn_class cls;
	uint32_t today;
	bool learning;
	bool total_score;	/* rank by the total score, not Bayes alone */
	wn_rules_worker *worker;
	size_t errors;
	double score;
	bool verdict;
} wn_eval_ctx;

static int
wn_eval_error(wn_eval_ctx *e, const char *path, int rc)
{
	fprintf(stderr, "winnow eval: %s: %s\n", path,
	    e->cfg->store->error[0] ? wn_store_error(e->cfg->store) :
	    wn_strerror(rc));
	e->errors++;
	return rc == WN_ENOMEM ? WN_EXIT_SOFTWARE : WN_EXIT_FAIL;
}

/* A training message, prepared in a thread: learn it, in list order. */
static int
wn_eval_learned(const char *path, int cls, int rc, const wn_learn_prep *p,
    void *arg)
{
	wn_eval_ctx *e = arg;
	enum wn_learn_result res;
	int r;

	if (rc == 0)
		rc = wn_learn_apply(e->cfg->store, p, (enum wn_learn_class)cls,
		    e->today, &res);
	if (rc == 0)
		return 0;
	r = wn_eval_error(e, path, rc);
	/* Out of memory stops the run; other errors only count. */
	return r == WN_EXIT_SOFTWARE ? r : 0;
}

static int
wn_eval_msg(const wn_input_msg *m, void *arg)
{
	wn_eval_ctx *e = arg;
	wn_scan_result sr;
	int rc;

	if (e->learning)
		return wn_learn_queue_push(e->queue, m->path, (int)e->cls,
		    m->data, m->len) == 0 ? 0 : WN_EXIT_SOFTWARE;
	wn_arena_reset(e->arena);
	if ((rc = wn_scan(e->arena, e->cfg, e->worker, m->data, m->len,
	    &sr)) != 0)
		return wn_eval_error(e, m->path, rc);
	e->score = e->total_score ? sr.verdict.score : sr.bayes.prob;
	e->verdict = sr.verdict.spam;
	return 0;
}

int
wn_cmd_eval(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "train", required_argument, NULL, 't' },
		{ "test", required_argument, NULL, 'T' },
		{ "data", required_argument, NULL, 'D' },
		{ "db", required_argument, NULL, 'd' },
		{ "scores", required_argument, NULL, 's' },
		{ "osb", required_argument, NULL, 'o' },
		{ "robs", required_argument, NULL, 'S' },
		{ "robx", required_argument, NULL, 'X' },
		{ "min-dev", required_argument, NULL, 'm' },
		{ "max-used", required_argument, NULL, 'u' },
		{ "rules", required_argument, NULL, 'R' },
		{ "no-linear", no_argument, NULL, 'N' },
		{ "linear-c", required_argument, NULL, 'C' },
		{ "fisher-weight", required_argument, NULL, 'F' },
		{ "linear-offset", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *train_file = NULL, *test_file = NULL, *data = NULL;
	const char *db = NULL, *scores = NULL;
	char tmpdir[] = "/tmp/winnow-eval-XXXXXX", dbpath[4200];
	wn_eval_list train = { 0 }, test = { 0 };
	wn_scan_config cfg;
	wn_store *st = NULL;
	wn_eval_ctx e;
	unsigned long long v;
	size_t i, fp = 0, fn = 0, nham = 0, nspam = 0;
	double t0, train_s, test_s, auc, *dp;
	char *end, *arg;
	int c, rc;
	bool made_tmp = false;
	wn_cli_rule_paths rule_paths = { .n = 0 };
	wn_rules *rules = NULL;

	wn_scan_config_default(&cfg);
	memset(&e, 0, sizeof(e));
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			train_file = optarg;
			break;
		case 'T':
			test_file = optarg;
			break;
		case 'D':
			data = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 's':
			scores = optarg;
			break;
		case 'o':
			if ((rc = wn_cli_size_arg("eval", "--osb", optarg, 1, 8,
			    &v)) != 0)
				return rc;
			cfg.tokenize.osb_window = (unsigned)v;
			break;
		case 'u':
			if ((rc = wn_cli_size_arg("eval", "--max-used", optarg,
			    0, 100000, &v)) != 0)
				return rc;
			cfg.bayes.max_used = (unsigned)v;
			break;
		case 'N':
			cfg.bayes.use_linear = false;
			break;
		case 'S':
		case 'X':
		case 'm':
		case 'C':
		case 'F':
		case 'O':
			dp = c == 'S' ? &cfg.bayes.robs : c == 'X' ?
			    &cfg.bayes.robx : c == 'm' ? &cfg.bayes.min_dev :
			    c == 'C' ? &cfg.bayes.linear.c : c == 'F' ?
			    &cfg.bayes.linear.fisher_weight :
			    &cfg.bayes.linear.offset;
			arg = optarg;
			*dp = strtod(arg, &end);
			if (*arg == '\0' || *end != '\0' || *dp < 0 ||
			    *dp > 1000)
				return wn_cli_usage_error("eval", "the Bayes and "
				    "linear stage parameters take numbers");
			break;
		case 'R':
			if ((rc = wn_cli_rule_path_add("eval", &rule_paths,
			    optarg)) != 0)
				return rc;
			break;
		case 'h':
			fputs(wn_eval_usage, stdout);
			return WN_EXIT_OK;
		default:
			return wn_cli_usage_error("eval", "unknown option");
		}
	}
	if (train_file == NULL || test_file == NULL || optind != argc)
		return wn_cli_usage_error("eval", "give --train LIST and "
		    "--test LIST");
	if (rule_paths.n > 0) {
		if ((rc = wn_cli_load_rules("eval", rule_paths.v, rule_paths.n,
		    false, &rules)) != 0)
			goto out;
		if (wn_rules_worker_new(rules, &e.worker) != 0) {
			rc = WN_EXIT_SOFTWARE;
			goto out;
		}
		e.total_score = true;
	}
	if ((rc = wn_eval_read_list(train_file, data, &train)) != 0 ||
	    (rc = wn_eval_read_list(test_file, data, &test)) != 0)
		goto out;
	if (db == NULL) {
		if (mkdtemp(tmpdir) == NULL) {
			fprintf(stderr, "winnow eval: %s: %s\n", tmpdir,
			    strerror(errno));
			rc = WN_EXIT_FAIL;
			goto out;
		}
		made_tmp = true;
		snprintf(dbpath, sizeof(dbpath), "%s/bayes.lmdb", tmpdir);
		db = dbpath;
	} else if (access(db, F_OK) == 0) {
		fprintf(stderr, "winnow eval: %s: exists; eval trains a new "
		    "store\n", db);
		rc = WN_EXIT_FAIL;
		goto out;
	}
	if ((rc = wn_cli_open_store("eval", db, WN_STORE_CREATE | WN_STORE_BULK,
	    &cfg, &st)) != 0)
		goto out;
	cfg.rules = rules;
	e.cfg = &cfg;
	e.today = (uint32_t)(time(NULL) / 86400);
	if ((e.arena = wn_arena_new(0)) == NULL) {
		rc = WN_EXIT_SOFTWARE;
		goto out;
	}

	e.learning = true;
	t0 = wn_now();
	if (wn_learn_queue_new(&cfg, wn_learn_keeps_sample(st, WN_LEARN_SPAM),
	    wn_learn_queue_workers(), wn_eval_learned, &e, &e.queue) != 0) {
		rc = WN_EXIT_SOFTWARE;
		goto out;
	}
	for (i = 0; i < train.n; i++) {
		e.cls = train.v[i].spam ? WN_LEARN_SPAM : WN_LEARN_HAM;
		if ((rc = wn_cli_each_message(&train.v[i].path, 1, wn_eval_msg,
		    &e)) == WN_EXIT_SOFTWARE)
			goto out;
	}
	if (wn_learn_queue_finish(e.queue) != 0) {
		rc = WN_EXIT_SOFTWARE;
		goto out;
	}
	wn_learn_queue_free(&e.queue);
	if (st->ops->flush(st) != 0) {
		fprintf(stderr, "winnow eval: %s: %s\n", db, wn_store_error(st));
		rc = WN_EXIT_FAIL;
		goto out;
	}
	if (cfg.bayes.use_linear && (rc = wn_cli_retrain("eval", db, st,
	    &cfg.bayes.linear, true)) != 0)
		goto out;
	train_s = wn_now() - t0;

	e.learning = false;
	t0 = wn_now();
	for (i = 0; i < test.n; i++) {
		e.score = 0;
		e.verdict = false;
		if ((rc = wn_cli_each_message(&test.v[i].path, 1, wn_eval_msg,
		    &e)) == WN_EXIT_SOFTWARE)
			goto out;
		test.v[i].score = e.score;
		test.v[i].verdict = e.verdict;
		if (test.v[i].spam) {
			nspam++;
			fn += !e.verdict;
		} else {
			nham++;
			fp += e.verdict;
		}
	}
	test_s = wn_now() - t0;
	auc = wn_eval_auc(&test);

	if (scores != NULL) {
		FILE *f = fopen(scores, "w");

		if (f == NULL) {
			fprintf(stderr, "winnow eval: %s: %s\n", scores,
			    strerror(errno));
			rc = WN_EXIT_FAIL;
			goto out;
		}
		for (i = 0; i < test.n; i++)
			fprintf(f, "%s\t%.17g\t%d\n", test.v[i].spam ? "spam" :
			    "ham", test.v[i].score, test.v[i].verdict);
		if (fclose(f) != 0) {
			fprintf(stderr, "winnow eval: %s: %s\n", scores,
			    strerror(errno));
			rc = WN_EXIT_FAIL;
			goto out;
		}
	}
	printf("train_messages   %zu\n", train.n);
	printf("test_messages    %zu (%zu ham, %zu spam)\n", test.n, nham, nspam);
	printf("fp               %zu (%.2f%% of ham)\n", fp,
	    nham ? 100.0 * fp / nham : 0);
	printf("fn               %zu (%.2f%% of spam)\n", fn,
	    nspam ? 100.0 * fn / nspam : 0);
	printf("1-roca%%          %.4f\n", 100.0 * (1 - auc));
	printf("train_seconds    %.2f\n", train_s);
	printf("classify_seconds %.2f\n", test_s);
	printf("classify_rate    %.0f msgs/s\n", test_s > 0 ? test.n / test_s :
	    0);
	printf("errors           %zu\n", e.errors);
	rc = e.errors ? WN_EXIT_FAIL : WN_EXIT_OK;
out:
	wn_learn_queue_free(&e.queue);
	wn_arena_free(&e.arena);
	wn_store_close(&st);
	wn_rules_worker_free(&e.worker);
	wn_rules_free(&rules);
	if (made_tmp) {
		char lock[4300];

		snprintf(lock, sizeof(lock), "%s-lock", dbpath);
		unlink(dbpath);
		unlink(lock);
		rmdir(tmpdir);
	}
	wn_eval_free_list(&train);
	wn_eval_free_list(&test);
	return rc;
}
