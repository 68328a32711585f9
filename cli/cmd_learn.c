/*
 * cmd_learn.c - `winnow learn`: teach the store spam and ham.
 *
 * Every message is parsed, tokenized and learned in one write transaction;
 * the parsing runs in worker threads (learn_queue.c), the store is written
 * in the order the messages were given.
 * Learning a message twice does nothing; learning it as the other class
 * moves it; --forget removes it. A file that is not mail (no header field
 * at all) is reported by name and skipped. A progress line is shown when
 * standard error is a terminal; a summary ends the run.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <winnow/err.h>

#include "cli.h"
#include "learn_queue.h"

typedef struct wn_learn_run {
	wn_scan_config cfg;
	wn_store *store;
	wn_learn_queue *queue;
	enum wn_learn_class cls;
	uint32_t today;
	bool progress;
	double last_progress;
	size_t learned, moved, duplicates, forgotten, unknown, errors;
	int fatal;		/* exit status that stops the run */
} wn_learn_run;

static const char wn_learn_usage[] =
    "usage: winnow learn [--db PATH] (--spam | --ham | --forget) PATH...\n"
    "Learn messages as spam or ham, or forget them.\n\n"
    "  --db PATH     token store (default " WN_CLI_DEFAULT_DB ");\n"
    "                created on first use\n"
    "  --spam        learn as spam\n"
    "  --ham         learn as ham\n"
    "  --forget      undo what was learned from these messages\n"
    "  --no-retrain  leave the linear stage's model as it is (retrain\n"
    "                later with `winnow bayes retrain`)\n"
    "  --osb N       bigram window of a new store (default 1)\n"
    "  -T, --files-from FILE  also read paths from FILE, one a line\n"
    "                (- for standard input)\n"
    "  -j, --jobs N  parse with N threads (default: one a CPU, at most\n"
    "                4; 1: no threads)\n"
    "  -q, --quiet   no progress line\n"
    "  -h, --help    this help\n"
    "PATH: message file, mbox, maildir, folder, or - for standard input.\n";

static double
wn_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
wn_learn_progress(wn_learn_run *r, bool final)
{
	double t = wn_mono();

	if (!r->progress || (!final && t - r->last_progress < 0.1))
		return;
	r->last_progress = t;
	fprintf(stderr, "\rlearned %zu, duplicates %zu, errors %zu%s",
	    r->learned + r->moved + r->forgotten, r->duplicates, r->errors,
	    final ? "\n" : "");
}

/* A prepared message, in the order given: write it to the store. */
static int
wn_learn_done(const char *path, int tag, int rc, const wn_learn_prep *p,
    void *arg)
{
	wn_learn_run *r = arg;
	enum wn_learn_result res;

	(void)tag;
	/* After a fatal error nothing more is learned. */
	if (r->fatal)
		return r->fatal;
	if (rc == 0)
		rc = wn_learn_apply(r->store, p, r->cls, r->today, &res);
	if (rc != 0) {
		if (r->progress)
			fputc('\n', stderr);
		fprintf(stderr, "winnow learn: %s: %s\n", path,
		    r->store->error[0] ? wn_store_error(r->store) :
		    wn_strerror(rc));
		r->errors++;
		/* A store that cannot be written stops the run: nothing
		 * more could be learned, and nothing learned is lost. */
		if (rc == WN_ENOMEM)
			return r->fatal = WN_EXIT_SOFTWARE;
		if (rc == WN_EIO || rc == WN_ELIMIT || rc == WN_EFORMAT ||
		    rc == WN_EINVAL)
			return r->fatal = WN_EXIT_FAIL;
		return 0;
	}
	switch (res) {
	case WN_LEARNED:
		r->learned++;
		break;
	case WN_LEARN_MOVED:
		r->moved++;
		break;
	case WN_LEARN_DUPLICATE:
		r->duplicates++;
		break;
	case WN_LEARN_FORGOTTEN:
		r->forgotten++;
		break;
	case WN_LEARN_UNKNOWN:
		r->unknown++;
		break;
	}
	wn_learn_progress(r, false);
	return 0;
}

/* Mail has at least one header field; anything else is not learned. */
static int
wn_learn_checked(const wn_input_msg *m, void *arg)
{
	wn_learn_run *r = arg;
	size_t i;
	bool field = false;

	if (r->fatal)
		return r->fatal;
	/* A header field: a name of printable characters, then ':'. */
	for (i = 0; i < m->len && i < 1000; i++) {
		unsigned char c = (unsigned char)m->data[i];

		if (c == ':' && i > 0) {
			field = true;
			break;
		}
		if (c <= 32 || c >= 127)
			break;
	}
	if (!field) {
		if (r->progress)
			fputc('\n', stderr);
		fprintf(stderr, "winnow learn: %s: not a mail message "
		    "(no header fields), skipped\n", m->path);
		r->errors++;
		return WN_EXIT_FAIL;
	}
	if (wn_learn_queue_push(r->queue, m->path, 0, m->data, m->len) ==
	    WN_ENOMEM)
		return r->fatal = WN_EXIT_SOFTWARE;
	return r->fatal;
}

int
wn_cmd_learn(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "spam", no_argument, NULL, 's' },
		{ "ham", no_argument, NULL, 'H' },
		{ "forget", no_argument, NULL, 'f' },
		{ "osb", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "files-from", required_argument, NULL, 'T' },
		{ "no-retrain", no_argument, NULL, 'n' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	wn_learn_run r;
	const char *db = wn_cli_default_db(), *list = NULL;
	unsigned long long v;
	char **paths;
	unsigned workers = wn_learn_queue_workers();
	int c, rc, classes = 0, n_paths;
	bool quiet = false, retrain = true;

	memset(&r, 0, sizeof(r));
	wn_scan_config_default(&r.cfg);
	while ((c = getopt_long(argc, argv, "qhj:T:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 's':
			r.cls = WN_LEARN_SPAM;
			classes++;
			break;
		case 'H':
			r.cls = WN_LEARN_HAM;
			classes++;
			break;
		case 'f':
			r.cls = WN_LEARN_FORGET;
			classes++;
			break;
		case 'o':
			if ((rc = wn_cli_size_arg("learn", "--osb", optarg, 1, 8,
			    &v)) != 0)
				return rc;
			r.cfg.tokenize.osb_window = (unsigned)v;
			break;
		case 'q':
			quiet = true;
			break;
		case 'n':
			retrain = false;
			break;
		case 'j':
			if ((rc = wn_cli_size_arg("learn", "--jobs", optarg, 1,
			    64, &v)) != 0)
				return rc;
			/* One job: no threads, the caller's own. */
			workers = v == 1 ? 0 : (unsigned)v;
			break;
		case 'T':
			list = optarg;
			break;
		case 'h':
			fputs(wn_learn_usage, stdout);
			return WN_EXIT_OK;
		default:
			return wn_cli_usage_error("learn", "unknown option");
		}
	}
	if (classes != 1)
		return wn_cli_usage_error("learn",
		    "give exactly one of --spam, --ham, --forget");
	if (optind >= argc && list == NULL)
		return wn_cli_usage_error("learn", "no PATH given");
	if ((rc = wn_cli_paths("learn", argv + optind, argc - optind, list,
	    &paths, &n_paths)) != 0)
		return rc;
	if ((rc = wn_cli_open_store("learn", db, WN_STORE_CREATE | WN_STORE_BULK,
	    &r.cfg, &r.store)) != 0) {
		wn_cli_paths_free(paths, n_paths, argc - optind);
		return rc;
	}
	if (wn_learn_queue_new(&r.cfg, wn_learn_keeps_sample(r.store, r.cls),
	    workers, wn_learn_done, &r, &r.queue) != 0) {
		wn_store_close(&r.store);
		wn_cli_paths_free(paths, n_paths, argc - optind);
		return WN_EXIT_SOFTWARE;
	}
	r.today = (uint32_t)(time(NULL) / 86400);
	r.progress = !quiet && isatty(STDERR_FILENO);
	rc = wn_cli_each_message(paths, n_paths, wn_learn_checked, &r);
	if (wn_learn_queue_finish(r.queue) != 0 && rc == WN_EXIT_OK)
		rc = r.fatal;
	wn_learn_queue_free(&r.queue);
	/* Errors met while the queue completed its messages count too. */
	if (rc == WN_EXIT_OK && r.errors > 0)
		rc = WN_EXIT_FAIL;
	wn_cli_paths_free(paths, n_paths, argc - optind);
	/* Commit the last batch; a failure here is reported, and what was
	 * committed before stays learned. */
	if (r.store->ops->flush(r.store) != 0) {
		fprintf(stderr, "winnow learn: %s: %s\n", db,
		    wn_store_error(r.store));
		r.fatal = WN_EXIT_FAIL;
	}
	wn_learn_progress(&r, true);
	if (r.cls == WN_LEARN_FORGET)
		printf("forgot %zu, not learned before %zu, errors %zu\n",
		    r.forgotten, r.unknown, r.errors);
	else
		printf("learned %zu as %s (%zu moved from %s), "
		    "skipped %zu duplicates, errors %zu\n",
		    r.learned + r.moved, r.cls == WN_LEARN_SPAM ? "spam" : "ham",
		    r.moved, r.cls == WN_LEARN_SPAM ? "ham" : "spam",
		    r.duplicates, r.errors);
	/* The linear stage learns from all samples at once: refit it when
	 * this run changed them. */
	if (retrain && !r.fatal && r.learned + r.moved + r.forgotten > 0 &&
	    (c = wn_cli_retrain("learn", db, r.store, &r.cfg.bayes.linear,
	    false)) != 0)
		r.fatal = c;
	wn_store_close(&r.store);
	if (r.fatal)
		return r.fatal;
	return rc;
}
