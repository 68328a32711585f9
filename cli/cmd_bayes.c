/*
 * cmd_bayes.c - `winnow bayes stats|dump|load|expire|retrain`: store
 * upkeep.
 *
 * The dump is portable text, for backups and for moving a model between
 * machines and backends:
 *
 *     # winnow token dump 2
 *     seed 0x77696e6e6f770005
 *     osb_window 1
 *     messages SPAM HAM
 *     HASH16HEX SPAM HAM LAST_DAY
 *     ...
 *     message DIGEST32HEX spam|ham DAY SAMPLEHEX|-
 *     ...
 *
 * The "message" lines (dump_message.c) are the learned messages' digests
 * and the linear stage's samples, so a loaded store knows what it
 * learned and fits the linear stage again. Dump 1 had none (a store
 * loaded from one ranks with Fisher alone until it learns again); load
 * reads both. A Redis store dumps no messages.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <winnow/alloc.h>
#include <winnow/err.h>

#include "cli.h"

#define WN_DUMP_MAGIC "# winnow token dump 2"
#define WN_DUMP_MAGIC_1 "# winnow token dump 1"
#define WN_LOAD_BATCH 65536
#define WN_LOAD_MESSAGES 256

static const char wn_bayes_usage[] =
    "usage: winnow bayes stats  [--db PATH]\n"
    "       winnow bayes dump   [--db PATH] [-o FILE]\n"
    "       winnow bayes load   [--db PATH] [FILE]\n"
    "       winnow bayes expire [--db PATH] [--days N] [--max-count N]\n"
    "       winnow bayes retrain [--db PATH]\n"
    "Look after the token store (default " WN_CLI_DEFAULT_DB ").\n\n"
    "  stats        learned messages, tokens, settings, file size\n"
    "  dump         write every token and learned message as portable\n"
    "               text (stdout or -o FILE)\n"
    "  load         add a dump (stdin or FILE) into the store, creating\n"
    "               it with the dump's settings if needed, and fit the\n"
    "               linear stage on the dump's samples\n"
    "  expire       remove tokens not learned for N days (default 90)\n"
    "               that were seen at most --max-count times (default 1)\n"
    "  retrain      fit the linear stage again on the kept samples (after\n"
    "               `learn --no-retrain` or winnowd's autolearn)\n";

static int wn_bayes_stats_linear(wn_store *st);

static int
wn_bayes_stats(const char *db)
{
	wn_scan_config cfg;
	wn_store *st;
	wn_store_totals t;
	struct stat sb;
	int rc;

	wn_scan_config_default(&cfg);
	if ((rc = wn_cli_open_store("bayes stats", db, WN_STORE_READONLY, &cfg,
	    &st)) != 0)
		return rc;
	if (st->ops->totals(st, &t) != 0) {
		fprintf(stderr, "winnow bayes stats: %s: %s\n", db,
		    wn_store_error(st));
		wn_store_close(&st);
		return WN_EXIT_FAIL;
	}
	printf("store          %s (%s)\n", db, st->ops->name);
	printf("format         %u\n", t.version);
	printf("spam messages  %" PRIu64 "\n", t.spam_msgs);
	printf("ham messages   %" PRIu64 "\n", t.ham_msgs);
	printf("tokens         %" PRIu64 "\n", t.tokens);
	printf("seed           0x%016" PRIx64 "\n", t.seed);
	printf("osb window     %u\n", t.osb_window);
	printf("feature set    %u%s\n", wn_tokenize_features(t.seed),
	    wn_tokenize_features(t.seed) < WN_TOKENIZE_FEATURES ?
	    " (an older one: learn a new store to use the newest)" : "");
	if (stat(db, &sb) == 0)
		printf("file size      %.1f MiB\n", sb.st_size / 1048576.0);
	printf("ready          %s\n", t.spam_msgs >= cfg.bayes.min_spam &&
	    t.ham_msgs >= cfg.bayes.min_ham ? "yes" : "no (too few learned)");
	rc = wn_bayes_stats_linear(st);
	if (rc != 0)
		fprintf(stderr, "winnow bayes stats: %s: %s\n", db,
		    wn_store_error(st));
	wn_store_close(&st);
	return rc == 0 ? WN_EXIT_OK : WN_EXIT_FAIL;
}

static int
wn_count_sample(enum wn_learn_class cls, uint32_t day, const uint8_t *data,
    size_t len, void *arg)
{
	uint64_t *n = arg;

	(void)day;
	(void)data;
	(void)len;
	n[cls == WN_LEARN_SPAM ? 0 : 1]++;
	return 0;
}

/* The linear stage's part of `stats`: samples kept, the model. */
static int
wn_bayes_stats_linear(wn_store *st)
{
	wn_linear_info info;
	uint64_t n[2] = { 0, 0 };
	bool have;
	char when[64];
	time_t t;
	int rc;

	if (st->ops->samples_each == NULL) {
		printf("linear stage   none (a %s store keeps no samples)\n",
		    st->ops->name);
		return 0;
	}
	if ((rc = st->ops->samples_each(st, wn_count_sample, n)) != 0 ||
	    (rc = wn_linear_info_get(st, &have, &info)) != 0)
		return rc;
	printf("samples        %" PRIu64 " spam, %" PRIu64 " ham\n", n[0],
	    n[1]);
	if (!have) {
		printf("linear stage   no model (Fisher alone)\n");
		return 0;
	}
	t = (time_t)info.trained_at;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
	printf("linear stage   trained on %" PRIu64 " spam, %" PRIu64
	    " ham, %s\n", info.spam, info.ham, when);
	return 0;
}

static int
wn_bayes_retrain(const char *db)
{
	wn_scan_config cfg;
	wn_store *st;
	int rc;

	wn_scan_config_default(&cfg);
	if ((rc = wn_cli_open_store("bayes retrain", db, 0, &cfg, &st)) != 0)
		return rc;
	rc = wn_cli_retrain("bayes retrain", db, st, &cfg.bayes.linear,
	    false);
	if (rc == 0 && st->ops->samples_each == NULL)
		printf("linear stage: a %s store keeps no samples; Fisher "
		    "alone\n", st->ops->name);
	wn_store_close(&st);
	return rc;
}

static int
wn_dump_entry(const wn_store_entry *e, void *arg)
{
	FILE *f = arg;

	return fprintf(f, "%016" PRIx64 " %u %u %u\n", e->hash, e->spam,
	    e->ham, e->last_day) < 0;
}

static int
wn_bayes_dump(const char *db, const char *out)
{
	wn_scan_config cfg;
	wn_store *st;
	wn_store_totals t;
	FILE *f = stdout;
	int rc;

	wn_scan_config_default(&cfg);
	if ((rc = wn_cli_open_store("bayes dump", db, WN_STORE_READONLY, &cfg,
	    &st)) != 0)
		return rc;
	if (out != NULL && (f = fopen(out, "w")) == NULL) {
		fprintf(stderr, "winnow bayes dump: %s: %s\n", out,
		    strerror(errno));
		wn_store_close(&st);
		return WN_EXIT_FAIL;
	}
	rc = st->ops->totals(st, &t);
	if (rc == 0) {
		fprintf(f, "%s\nseed 0x%016" PRIx64 "\nosb_window %u\n"
		    "messages %" PRIu64 " %" PRIu64 "\n", WN_DUMP_MAGIC, t.seed,
		    t.osb_window, t.spam_msgs, t.ham_msgs);
		rc = st->ops->each(st, wn_dump_entry, f);
		if (rc == 0)
			rc = wn_dump_messages(f, st);
	}
	if (rc != 0)
		fprintf(stderr, "winnow bayes dump: %s: %s\n", db,
		    rc > 0 ? "write failed" : wn_store_error(st));
	if ((out != NULL && fclose(f) != 0) || (out == NULL && fflush(f) != 0)) {
		fprintf(stderr, "winnow bayes dump: %s: %s\n",
		    out ? out : "stdout", strerror(errno));
		rc = 1;
	}
	wn_store_close(&st);
	return rc == 0 ? WN_EXIT_OK : WN_EXIT_FAIL;
}

/* Messages parsed from a dump, loaded a batch at a time. */
typedef struct wn_load_messages {
	wn_store_message m[WN_LOAD_MESSAGES];
	uint8_t *sample[WN_LOAD_MESSAGES];
	size_t n;
	size_t added;		/* new to the store */
	size_t samples;		/* read with a sample */
} wn_load_messages;

static void
wn_load_messages_drop(wn_load_messages *lm)
{
	size_t i;

	for (i = 0; i < lm->n; i++)
		wn_free(lm->sample[i]);
	lm->n = 0;
}

static int
wn_load_messages_flush(wn_store *st, wn_load_messages *lm)
{
	size_t i, added = 0;
	int rc = 0;

	if (lm->n > 0 && st->ops->messages_load != NULL &&
	    (rc = st->ops->messages_load(st, lm->m, lm->n, &added)) == 0) {
		lm->added += added;
		for (i = 0; i < lm->n; i++)
			lm->samples += lm->m[i].sample != NULL;
	}
	wn_load_messages_drop(lm);
	return rc;
}

static void
wn_load_bad_line(const char *name, size_t lineno)
{
	fprintf(stderr, "winnow bayes load: %s:%zu: bad line; nothing after "
	    "line %zu was loaded\n", name, lineno, lineno - 1);
}

static int
wn_bayes_load(const char *db, const char *in)
{
	wn_scan_config cfg;
	wn_store *st = NULL;
	wn_store_totals t;
	wn_store_entry *batch;
	wn_load_messages *lm;
	FILE *f = stdin;
	char *line = NULL;
	size_t line_cap = 0;
	const char *name = in ? in : "stdin";
	uint64_t seed = 0, spam = 0, ham = 0;
	unsigned osb = 0;
	size_t n = 0, lineno = 0, total = 0;
	bool in_messages = false;
	int rc = WN_EXIT_FAIL;

	if (in != NULL && (f = fopen(in, "r")) == NULL) {
		fprintf(stderr, "winnow bayes load: %s: %s\n", in,
		    strerror(errno));
		return WN_EXIT_FAIL;
	}
	batch = wn_calloc(WN_LOAD_BATCH, sizeof(*batch));
	lm = wn_calloc(1, sizeof(*lm));
	if (batch == NULL || lm == NULL) {
		wn_free(batch);
		wn_free(lm);
		if (in)
			fclose(f);
		return WN_EXIT_SOFTWARE;
	}
	/* Header: magic, seed, osb_window, messages. */
	if (getline(&line, &line_cap, f) < 0 ||
	    (strncmp(line, WN_DUMP_MAGIC, strlen(WN_DUMP_MAGIC)) != 0 &&
	    strncmp(line, WN_DUMP_MAGIC_1, strlen(WN_DUMP_MAGIC_1)) != 0) ||
	    getline(&line, &line_cap, f) < 0 ||
	    sscanf(line, "seed %" SCNx64, &seed) != 1 ||
	    getline(&line, &line_cap, f) < 0 ||
	    sscanf(line, "osb_window %u", &osb) != 1 || osb < 1 || osb > 8 ||
	    getline(&line, &line_cap, f) < 0 ||
	    sscanf(line, "messages %" SCNu64 " %" SCNu64, &spam, &ham) != 2) {
		fprintf(stderr, "winnow bayes load: %s: not a winnow token "
		    "dump (bad header)\n", name);
		goto out;
	}
	lineno = 4;
	wn_scan_config_default(&cfg);
	cfg.tokenize.seed = seed;
	cfg.tokenize.osb_window = osb;
	if ((rc = wn_cli_open_store("bayes load", db, WN_STORE_CREATE |
	    WN_STORE_BULK, &cfg, &st)) != 0)
		goto out;
	rc = WN_EXIT_FAIL;
	if (st->ops->totals(st, &t) != 0)
		goto store_err;
	if (t.seed != seed || t.osb_window != osb) {
		fprintf(stderr, "winnow bayes load: %s: store uses seed "
		    "0x%016" PRIx64 " window %u, dump 0x%016" PRIx64
		    " window %u; load into a new store\n", db, t.seed,
		    t.osb_window, seed, osb);
		goto out;
	}
	while (getline(&line, &line_cap, f) >= 0) {
		wn_store_entry *e = &batch[n];

		lineno++;
		if (strncmp(line, "message ", 8) == 0) {
			int prc = wn_dump_message_parse(line, &lm->m[lm->n],
			    &lm->sample[lm->n]);

			in_messages = true;
			if (prc == WN_ENOMEM) {
				rc = WN_EXIT_SOFTWARE;
				n = 0;
				goto flush;
			}
			if (prc != 0) {
				wn_load_bad_line(name, lineno);
				n = 0;
				goto flush;
			}
			if (++lm->n == WN_LOAD_MESSAGES &&
			    wn_load_messages_flush(st, lm) != 0)
				goto store_err;
			continue;
		}
		if (in_messages || sscanf(line, "%" SCNx64 " %u %u %u", &e->hash, &e->spam,
		    &e->ham, &e->last_day) != 4) {
			/* tokens come before messages */
			wn_load_bad_line(name, lineno);
			n = 0;
			goto flush;
		}
		if (++n == WN_LOAD_BATCH) {
			if (st->ops->load(st, batch, n, 0, 0) != 0)
				goto store_err;
			total += n;
			n = 0;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "winnow bayes load: %s: %s\n", name,
		    strerror(errno));
		goto flush;
	}
	rc = WN_EXIT_OK;
flush:
	/* The message totals go in with the last batch of tokens. */
	if (st->ops->load(st, batch, n, rc == WN_EXIT_OK ? spam : 0,
	    rc == WN_EXIT_OK ? ham : 0) != 0)
		goto store_err;
	total += n;
	/* The messages before a bad line are loaded, like its tokens. */
	if (wn_load_messages_flush(st, lm) != 0)
		goto store_err;
	if (rc != WN_EXIT_OK)
		goto out;
	printf("loaded %zu tokens, %" PRIu64 " spam and %" PRIu64
	    " ham messages into %s", total, spam, ham, db);
	if (lm->added > 0)
		printf(" (%zu learned messages added)", lm->added);
	printf("\n");
	if (lm->samples > 0)
		rc = wn_cli_retrain("bayes load", db, st, &cfg.bayes.linear,
		    false);
	goto out;
store_err:
	fprintf(stderr, "winnow bayes load: %s: %s\n", db, wn_store_error(st));
	rc = WN_EXIT_FAIL;
out:
	wn_load_messages_drop(lm);
	wn_store_close(&st);
	wn_free(batch);
	wn_free(lm);
	free(line);
	if (in)
		fclose(f);
	return rc;
}

static int
wn_bayes_expire(const char *db, unsigned long long days,
    unsigned long long max_count)
{
	wn_scan_config cfg;
	wn_store *st;
	uint64_t removed;
	uint32_t today = (uint32_t)(time(NULL) / 86400);
	int rc;

	wn_scan_config_default(&cfg);
	if ((rc = wn_cli_open_store("bayes expire", db, 0, &cfg, &st)) != 0)
		return rc;
	rc = st->ops->expire(st, today > days ? today - (uint32_t)days : 0,
	    (uint32_t)max_count, &removed);
	if (rc != 0)
		fprintf(stderr, "winnow bayes expire: %s: %s\n", db,
		    wn_store_error(st));
	else
		printf("removed %" PRIu64 " tokens not learned for %llu days "
		    "and seen at most %llu times\n", removed, days, max_count);
	wn_store_close(&st);
	return rc == 0 ? WN_EXIT_OK : WN_EXIT_FAIL;
}

int
wn_cmd_bayes(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "days", required_argument, NULL, 'D' },
		{ "max-count", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = wn_cli_default_db(), *out = NULL, *sub;
	unsigned long long days = 90, max_count = 1;
	int c, rc;

	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'D':
			if ((rc = wn_cli_size_arg("bayes", "--days", optarg, 1,
			    100000, &days)) != 0)
				return rc;
			break;
		case 'm':
			if ((rc = wn_cli_size_arg("bayes", "--max-count", optarg,
			    0, 1000000000, &max_count)) != 0)
				return rc;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			fputs(wn_bayes_usage, stdout);
			return WN_EXIT_OK;
		default:
			return wn_cli_usage_error("bayes", "unknown option");
		}
	}
	if (optind >= argc)
		return wn_cli_usage_error("bayes", "no subcommand given");
	sub = argv[optind++];
	if (strcmp(sub, "stats") == 0 && optind == argc)
		return wn_bayes_stats(db);
	if (strcmp(sub, "dump") == 0 && optind == argc)
		return wn_bayes_dump(db, out);
	if (strcmp(sub, "load") == 0 && argc - optind <= 1)
		return wn_bayes_load(db, optind < argc ? argv[optind] : NULL);
	if (strcmp(sub, "expire") == 0 && optind == argc)
		return wn_bayes_expire(db, days, max_count);
	if (strcmp(sub, "retrain") == 0 && optind == argc)
		return wn_bayes_retrain(db);
	return wn_cli_usage_error("bayes", "unknown subcommand or extra "
	    "arguments");
}
