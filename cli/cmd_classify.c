/*
 * cmd_classify.c - `winnow classify`: score messages as winnowd would.
 *
 * Per message: the score, the Bayes probability (or why it abstained),
 * the verdict and the symbols; --json gives one object per line, --explain
 * N adds the N most significant features with their counts.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <winnow/arena.h>
#include <winnow/buf.h>
#include <winnow/err.h>
#include <winnow/json.h>

#include "cli.h"

typedef struct wn_classify_run {
	wn_scan_config cfg;
	wn_arena *arena;
	wn_buf out;
	bool json;
	const char *no_store_reason;
	wn_rules_worker *worker;
	int fatal;
} wn_classify_run;


static const char wn_classify_usage[] =
    "usage: winnow classify [--db PATH | --no-bayes] [--rules PATH]... [--json]\n"
    "                       [--explain N] PATH...\n"
    "Score each message: total score, Bayes probability, verdict, symbols.\n\n"
    "  --db PATH      token store (default " WN_CLI_DEFAULT_DB ")\n"
    "  --no-bayes     no token store: rules (and GTUBE) only\n"
    "  --rules PATH   rule file or rule-set folder (repeatable)\n"
    "  --skip-broken  use the rules that load when some have errors\n"
    "  --json         one JSON object per message\n"
    "  --explain N    show the N most significant features (default 0)\n"
    "  --required S   score needed for spam (default 5.0)\n"
    "  -T, --files-from FILE  also read paths from FILE, one a line\n"
    "                 (- for standard input)\n"
    "  --min-learned N  learned spam and ham needed before Bayes scores\n"
    "                 (default 20 each)\n"
    "  -h, --help     this help\n"
    "PATH: message file, mbox, maildir, folder, or - for standard input.\n";

static void
wn_classify_json(wn_classify_run *r, const wn_input_msg *m,
    const wn_scan_result *res)
{
	wn_json j;
	size_t i;

	wn_json_init(&j, &r->out, 0);
	wn_json_obj_begin(&j);
	wn_json_key(&j, "path");
	wn_json_str(&j, m->path);
	wn_json_key(&j, "index");
	wn_json_uint(&j, m->index);
	wn_json_key(&j, "score");
	wn_json_double(&j, res->verdict.score, 2);
	wn_json_key(&j, "required");
	wn_json_double(&j, res->verdict.required, 1);
	wn_json_key(&j, "spam");
	wn_json_bool(&j, res->verdict.spam);
	wn_json_key(&j, "bayes");
	if (res->bayes_run && !res->bayes.abstained)
		wn_json_double(&j, res->bayes.prob, 6);
	else
		wn_json_null(&j);
	if (res->bayes_run && res->bayes.linear) {
		wn_json_key(&j, "bayes_fisher");
		wn_json_double(&j, res->bayes.fisher, 6);
		wn_json_key(&j, "bayes_margin");
		wn_json_double(&j, res->bayes.margin, 4);
	}
	wn_json_key(&j, "bayes_reason");
	if (!res->bayes_run)
		wn_json_str(&j, r->no_store_reason);
	else
		wn_json_str(&j, res->bayes.abstained ? res->bayes.reason : NULL);
	wn_json_key(&j, "symbols");
	wn_json_arr_begin(&j);
	for (i = 0; i < res->verdict.n; i++) {
		wn_json_obj_begin(&j);
		wn_json_key(&j, "name");
		wn_json_str(&j, res->verdict.v[i].name);
		wn_json_key(&j, "weight");
		wn_json_double(&j, res->verdict.v[i].weight, 2);
		wn_json_obj_end(&j);
	}
	wn_json_arr_end(&j);
	if (res->rules.n_limited > 0) {
		wn_json_key(&j, "rule_limits");
		wn_json_arr_begin(&j);
		for (i = 0; i < res->rules.n_limited; i++)
			wn_json_str(&j, res->rules.limited[i]);
		wn_json_arr_end(&j);
	}
	if (r->cfg.n_clues > 0) {
		wn_json_key(&j, "clues");
		wn_json_arr_begin(&j);
		for (i = 0; i < res->bayes.n_clues; i++) {
			const wn_bayes_clue *c = &res->bayes.clues[i];

			wn_json_obj_begin(&j);
			wn_json_key(&j, "token");
			wn_json_str(&j, c->text);
			wn_json_key(&j, "prob");
			wn_json_double(&j, c->prob, 4);
			wn_json_key(&j, "spam");
			wn_json_uint(&j, c->spam);
			wn_json_key(&j, "ham");
			wn_json_uint(&j, c->ham);
			wn_json_obj_end(&j);
		}
		wn_json_arr_end(&j);
	}
	wn_json_obj_end(&j);
	wn_buf_putc(&r->out, '\n');
}

static void
wn_classify_text(wn_classify_run *r, const wn_input_msg *m,
    const wn_scan_result *res)
{
	size_t i;

	wn_buf_puts(&r->out, m->path);
	if (m->index)
		wn_buf_printf(&r->out, " #%zu", m->index);
	wn_buf_printf(&r->out, ": %s score=%.1f required=%.1f",
	    res->verdict.spam ? "spam" : "ham", res->verdict.score,
	    res->verdict.required);
	if (res->bayes_run && !res->bayes.abstained)
		wn_buf_printf(&r->out, " bayes=%.4f", res->bayes.prob);
	else
		wn_buf_printf(&r->out, " bayes=- (%s)", res->bayes_run ?
		    res->bayes.reason : r->no_store_reason);
	for (i = 0; i < res->verdict.n; i++)
		wn_buf_printf(&r->out, " %s(%.1f)", res->verdict.v[i].name,
		    res->verdict.v[i].weight);
	for (i = 0; i < res->rules.n_limited; i++)
		wn_buf_printf(&r->out, " [limit hit: %s]",
		    res->rules.limited[i]);
	wn_buf_putc(&r->out, '\n');
	for (i = 0; i < res->bayes.n_clues; i++) {
		const wn_bayes_clue *c = &res->bayes.clues[i];

		wn_buf_printf(&r->out, "  %.4f  spam %-6u ham %-6u %s\n",
		    c->prob, c->spam, c->ham, c->text ? c->text : "?");
	}
}

static int
wn_classify_one(const wn_input_msg *m, void *arg)
{
	wn_classify_run *r = arg;
	wn_scan_result res;
	int rc;

	if (r->fatal)
		return r->fatal;
	wn_arena_reset(r->arena);
	wn_buf_reset(&r->out);
	if ((rc = wn_scan(r->arena, &r->cfg, r->worker, m->data, m->len, &res)) != 0) {
		fprintf(stderr, "winnow classify: %s: %s\n", m->path,
		    r->cfg.store && r->cfg.store->error[0] ?
		    wn_store_error(r->cfg.store) : wn_strerror(rc));
		if (rc == WN_ENOMEM)
			return r->fatal = WN_EXIT_SOFTWARE;
		return WN_EXIT_FAIL;
	}
	if (r->json)
		wn_classify_json(r, m, &res);
	else
		wn_classify_text(r, m, &res);
	if (r->out.failed)
		return r->fatal = WN_EXIT_SOFTWARE;
	fwrite(r->out.data, 1, r->out.len, stdout);
	return 0;
}

int
wn_cmd_classify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "explain", required_argument, NULL, 'e' },
		{ "required", required_argument, NULL, 'r' },
		{ "min-learned", required_argument, NULL, 'm' },
		{ "files-from", required_argument, NULL, 'T' },
		{ "rules", required_argument, NULL, 'R' },
		{ "no-bayes", no_argument, NULL, 'n' },
		{ "skip-broken", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	wn_classify_run r;
	wn_store *store = NULL;
	wn_rules *rules = NULL;
	wn_cli_rule_paths rule_paths = { .n = 0 };
	bool no_bayes = false, skip_broken = false;
	const char *db = NULL, *list = NULL;
	unsigned long long v;
	struct stat sb;
	char *end, **paths;
	int c, rc, n_paths;

	memset(&r, 0, sizeof(r));
	wn_scan_config_default(&r.cfg);
	while ((c = getopt_long(argc, argv, "hT:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'T':
			list = optarg;
			break;
		case 'R':
			if ((rc = wn_cli_rule_path_add("classify", &rule_paths,
			    optarg)) != 0)
				return rc;
			break;
		case 'n':
			no_bayes = true;
			break;
		case 'k':
			skip_broken = true;
			break;
		case 'j':
			r.json = true;
			break;
		case 'e':
			if ((rc = wn_cli_size_arg("classify", "--explain", optarg,
			    0, 1000, &v)) != 0)
				return rc;
			r.cfg.n_clues = (size_t)v;
			r.cfg.tokenize.keep_text = v > 0;
			break;
		case 'r':
			r.cfg.required = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' ||
			    r.cfg.required < -1000 || r.cfg.required > 1000)
				return wn_cli_usage_error("classify",
				    "--required takes a number");
			break;
		case 'm':
			if ((rc = wn_cli_size_arg("classify", "--min-learned",
			    optarg, 0, 1000000, &v)) != 0)
				return rc;
			r.cfg.bayes.min_spam = r.cfg.bayes.min_ham = v;
			break;
		case 'h':
			fputs(wn_classify_usage, stdout);
			return WN_EXIT_OK;
		default:
			return wn_cli_usage_error("classify", "unknown option");
		}
	}
	if (optind >= argc && list == NULL)
		return wn_cli_usage_error("classify", "no PATH given");
	if (no_bayes && db != NULL)
		return wn_cli_usage_error("classify",
		    "--db and --no-bayes exclude each other");
	if (rule_paths.n > 0) {
		if ((rc = wn_cli_load_rules("classify", rule_paths.v,
		    rule_paths.n, skip_broken, &rules)) != 0)
			return rc;
		if (wn_rules_worker_new(rules, &r.worker) != 0) {
			wn_rules_free(&rules);
			return WN_EXIT_SOFTWARE;
		}
		r.cfg.rules = rules;
	}
	/* The default store may not exist yet: score without Bayes then.
	 * A store named on the command line must exist. */
	if (no_bayes)
		r.no_store_reason = "Bayes off (--no-bayes)";
	else if (db == NULL && stat(wn_cli_default_db(), &sb) != 0)
		r.no_store_reason = "no token store at " WN_CLI_DEFAULT_DB;
	else if ((rc = wn_cli_open_store("classify", db ? db :
	    wn_cli_default_db(), WN_STORE_READONLY, &r.cfg, &store)) != 0) {
		wn_rules_worker_free(&r.worker);
		wn_rules_free(&rules);
		return rc;
	}
	if ((r.arena = wn_arena_new(0)) == NULL) {
		wn_store_close(&store);
		wn_rules_worker_free(&r.worker);
		wn_rules_free(&rules);
		return WN_EXIT_SOFTWARE;
	}
	wn_buf_init(&r.out);
	if ((rc = wn_cli_paths("classify", argv + optind, argc - optind, list,
	    &paths, &n_paths)) == 0) {
		rc = wn_cli_each_message(paths, n_paths, wn_classify_one, &r);
		wn_cli_paths_free(paths, n_paths, argc - optind);
	}
	wn_buf_fini(&r.out);
	wn_arena_free(&r.arena);
	wn_store_close(&store);
	wn_rules_worker_free(&r.worker);
	wn_rules_free(&rules);
	if (fflush(stdout) != 0) {
		perror("winnow: stdout");
		return WN_EXIT_FAIL;
	}
	return r.fatal ? r.fatal : rc;
}
