/*
 * cmd_bulk.c - `winnow bulk check|stats|expire`: look at bulk detection.
 *
 * check shows, per message, the counts and BULK_* symbols winnowd would
 * give it now (with --record it also counts it, as winnowd does), and its
 * fingerprint; stats and expire look after the store winnowd counts in.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <winnow/buf.h>
#include <winnow/bulk.h>
#include <winnow/err.h>
#include <winnow/json.h>
#include <winnow/mime.h>

#include "cli.h"

#define WN_BULK_DEFAULT_DB "/var/lib/winnow/bulk.lmdb"

static const char wn_bulk_usage[] =
    "usage: winnow bulk check  [--db SPEC] [--record] [--from ADDR] "
    "[--rcpts N]\n"
    "                          [--rules PATH]... [--window S] [--json] "
    "PATH...\n"
    "       winnow bulk stats  [--db SPEC]\n"
    "       winnow bulk expire [--db SPEC] [--window S]\n"
    "       winnow bulk feed (update|show) [OPTIONS]  (winnow bulk feed "
    "--help)\n"
    "Look at bulk detection (store default " WN_BULK_DEFAULT_DB
    ",\nor a redis:// URL).\n\n"
    "  check   per message: recipients and senders of its text in the\n"
    "          window, its most common attachment's recipients, the BULK_*\n"
    "          symbols by the default thresholds, and its fingerprint;\n"
    "          --record also counts it (from ADDR, to N recipients), as\n"
    "          winnowd does; --rules applies nobulk exemptions\n"
    "  stats   keys held and the file's size\n"
    "  expire  remove keys with nothing left in the window (default\n"
    "          86400 s)\n";

typedef struct wn_bulk_ctx {
	wn_bulk_store *bs;
	wn_bulk_params params;
	wn_rules *rules;
	wn_rules_worker *worker;
	wn_arena *arena;
	const char *from;
	uint32_t rcpts;
	bool record;
	bool json;
	unsigned errors;
} wn_bulk_ctx;

static void
wn_bulk_print(const wn_bulk_ctx *x, const wn_input_msg *in,
    const wn_bulk_result *r, const wn_verdict *v)
{
	char hex[WN_FINGERPRINT_HEX_SIZE], where[64] = "";
	size_t i;

	if (in->index > 0)
		snprintf(where, sizeof(where), ":%zu", in->index);
	if (r->fp.version != 0)
		wn_fingerprint_hex(&r->fp, hex);
	else
		hex[0] = '\0';
	if (!x->json) {
		printf("%s%s: recipients %u senders %u copies %u%s", in->path,
		    where, r->text.recipients, r->text.senders, r->text.copies,
		    r->text_exact ? " (exact)" : "");
		if (r->n_attachments > 0)
			printf(" attachment-recipients %u",
			    r->attachment.recipients);
		if (r->exempt)
			printf(" exempt (%s)", r->exempt_rule);
		printf(" symbols ");
		for (i = 0; i < v->n; i++)
			printf("%s%s", i ? "," : "", v->v[i].name);
		printf("%s\n", v->n ? "" : "none");
		return;
	}
	wn_buf out;
	wn_json j;

	wn_buf_init(&out);
	wn_json_init(&j, &out, 0);
	wn_json_obj_begin(&j);
	wn_json_key(&j, "path");
	wn_json_str(&j, in->path);
	wn_json_key(&j, "index");
	wn_json_uint(&j, in->index);
	wn_json_key(&j, "recipients");
	wn_json_uint(&j, r->text.recipients);
	wn_json_key(&j, "senders");
	wn_json_uint(&j, r->text.senders);
	wn_json_key(&j, "copies");
	wn_json_uint(&j, r->text.copies);
	wn_json_key(&j, "exact");
	wn_json_bool(&j, r->text_exact);
	wn_json_key(&j, "attachments");
	wn_json_uint(&j, r->n_attachments);
	wn_json_key(&j, "attachment_recipients");
	wn_json_uint(&j, r->attachment.recipients);
	wn_json_key(&j, "exempt_by");
	wn_json_str(&j, r->exempt ? r->exempt_rule : NULL);
	wn_json_key(&j, "symbols");
	wn_json_arr_begin(&j);
	for (i = 0; i < v->n; i++) {
		wn_json_obj_begin(&j);
		wn_json_key(&j, "name");
		wn_json_str(&j, v->v[i].name);
		wn_json_key(&j, "weight");
		wn_json_double(&j, v->v[i].weight, 2);
		wn_json_obj_end(&j);
	}
	wn_json_arr_end(&j);
	wn_json_key(&j, "fingerprint");
	wn_json_str(&j, hex[0] ? hex : NULL);
	wn_json_obj_end(&j);
	wn_buf_putc(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	wn_buf_fini(&out);
}

static int
wn_bulk_one(const wn_input_msg *in, void *arg)
{
	wn_bulk_ctx *x = arg;
	wn_rules_result hits, *hp = NULL;
	wn_bulk_result r;
	wn_mime_msg *msg;
	wn_verdict v;
	wn_bulk_obs obs;
	int rc;

	wn_arena_reset(x->arena);
	if ((rc = wn_mime_parse(x->arena, in->data, in->len, NULL,
	    &msg)) != 0) {
		fprintf(stderr, "winnow bulk check: %s: %s\n", in->path,
		    wn_strerror(rc));
		x->errors++;
		return rc == WN_ENOMEM ? rc : 0;
	}
	if (x->rules != NULL) {
		if ((rc = wn_rules_match(x->rules, x->worker, x->arena, msg,
		    in->data, in->len, 0, 0, &hits)) != 0)
			return rc;
		hp = &hits;
	}
	obs.recipients = x->rcpts;
	obs.sender = wn_bulk_sender_hash(x->from);
	obs.now = (int64_t)time(NULL);
	obs.window = x->params.window;
	rc = wn_bulk_check(x->bs, &x->params, msg, x->rules, hp, &obs,
	    x->record, &r);
	if (rc != 0) {
		fprintf(stderr, "winnow bulk check: %s: %s\n", in->path,
		    rc == WN_ENOMEM ? wn_strerror(rc) :
		    wn_bulk_store_error(x->bs));
		return rc;
	}
	wn_verdict_init(&v, 5.0);
	if ((rc = wn_bulk_symbols(x->arena, &x->params, &r, &v)) < 0)
		return rc;
	wn_bulk_print(x, in, &r, &v);
	return 0;
}

/* Open the store; a file must exist unless create. */
static int
wn_bulk_open(const char *cmd, const char *db, bool create,
    wn_bulk_store **bs)
{
	struct stat sb;
	char err[512];
	int rc;

	if (!create && !wn_store_is_redis(db) && stat(db, &sb) != 0) {
		fprintf(stderr, "winnow bulk %s: %s: %s\n", cmd, db,
		    errno == ENOENT ? "no such bulk store (winnowd makes it "
		    "when it counts the first message)" : strerror(errno));
		return WN_EXIT_FAIL;
	}
	if ((rc = wn_bulk_store_open(db, 0, bs, NULL, err,
	    sizeof(err))) != 0) {
		fprintf(stderr, "winnow bulk %s: %s: %s\n", cmd, db,
		    err[0] ? err : wn_strerror(rc));
		return rc == WN_ENOMEM ? WN_EXIT_SOFTWARE : WN_EXIT_FAIL;
	}
	return 0;
}

static int
wn_bulk_check_cmd(const char *db, wn_bulk_ctx *x,
    const wn_cli_rule_paths *rp, char **paths, int n)
{
	int rc, status;

	if (n == 0)
		return wn_cli_usage_error("bulk", "check needs messages");
	if (rp->n > 0) {
		if ((rc = wn_cli_load_rules("bulk check", rp->v, rp->n, false,
		    &x->rules)) != 0)
			return rc;
		if (wn_rules_worker_new(x->rules, &x->worker) != 0) {
			wn_rules_free(&x->rules);
			return WN_EXIT_SOFTWARE;
		}
	}
	if ((rc = wn_bulk_open("check", db, x->record, &x->bs)) != 0 ||
	    (x->arena = wn_arena_new(0)) == NULL) {
		status = rc != 0 ? rc : WN_EXIT_SOFTWARE;
		goto out;
	}
	status = wn_cli_each_message(paths, n, wn_bulk_one, x);
	if (status == WN_EXIT_OK && x->errors > 0)
		status = WN_EXIT_FAIL;
out:
	wn_arena_free(&x->arena);
	wn_bulk_store_close(&x->bs);
	wn_rules_worker_free(&x->worker);
	wn_rules_free(&x->rules);
	return status;
}

static int
wn_bulk_stats(const char *db)
{
	wn_bulk_store *bs;
	uint64_t keys;
	struct stat sb;
	int rc;

	if ((rc = wn_bulk_open("stats", db, false, &bs)) != 0)
		return rc;
	if (bs->ops->size(bs, &keys) != 0) {
		fprintf(stderr, "winnow bulk stats: %s: %s\n", db,
		    wn_bulk_store_error(bs));
		wn_bulk_store_close(&bs);
		return WN_EXIT_FAIL;
	}
	printf("store      %s (%s)\n", db, bs->ops->name);
	printf("keys       %" PRIu64 "\n", keys);
	if (!wn_store_is_redis(db) && stat(db, &sb) == 0)
		printf("file size  %.1f MiB\n", sb.st_size / 1048576.0);
	wn_bulk_store_close(&bs);
	return WN_EXIT_OK;
}

static int
wn_bulk_expire(const char *db, uint32_t window)
{
	wn_bulk_store *bs;
	uint64_t removed;
	int rc;

	if ((rc = wn_bulk_open("expire", db, false, &bs)) != 0)
		return rc;
	if (bs->ops->expire(bs, (int64_t)time(NULL), window, &removed) != 0) {
		fprintf(stderr, "winnow bulk expire: %s: %s\n", db,
		    wn_bulk_store_error(bs));
		wn_bulk_store_close(&bs);
		return WN_EXIT_FAIL;
	}
	printf("removed %" PRIu64 " keys\n", removed);
	wn_bulk_store_close(&bs);
	return WN_EXIT_OK;
}

int
wn_cmd_bulk(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "record", no_argument, NULL, 'R' },
		{ "from", required_argument, NULL, 'f' },
		{ "rcpts", required_argument, NULL, 'n' },
		{ "rules", required_argument, NULL, 'r' },
		{ "window", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = WN_BULK_DEFAULT_DB, *sub;
	wn_cli_rule_paths rp = { .n = 0 };
	unsigned long long v;
	wn_bulk_ctx x;
	int c, rc;

	if (argc >= 2 && strcmp(argv[1], "feed") == 0)
		return wn_cli_exchange(argc, argv);
	memset(&x, 0, sizeof(x));
	wn_bulk_params_default(&x.params);
	x.rcpts = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'R':
			x.record = true;
			break;
		case 'f':
			x.from = optarg;
			break;
		case 'n':
			if ((rc = wn_cli_size_arg("bulk", "--rcpts", optarg, 1,
			    1000000, &v)) != 0)
				return rc;
			x.rcpts = (uint32_t)v;
			break;
		case 'r':
			if ((rc = wn_cli_rule_path_add("bulk", &rp,
			    optarg)) != 0)
				return rc;
			break;
		case 'w':
			if ((rc = wn_cli_size_arg("bulk", "--window", optarg,
			    480, 2592000, &v)) != 0)
				return rc;
			x.params.window = (uint32_t)v;
			break;
		case 'j':
			x.json = true;
			break;
		case 'h':
			fputs(wn_bulk_usage, stdout);
			return WN_EXIT_OK;
		default:
			return wn_cli_usage_error("bulk", "unknown option");
		}
	}
	if (optind >= argc)
		return wn_cli_usage_error("bulk", "no subcommand given");
	sub = argv[optind++];
	if (strcmp(sub, "check") == 0)
		return wn_bulk_check_cmd(db, &x, &rp, argv + optind,
		    argc - optind);
	if (strcmp(sub, "stats") == 0 && optind == argc)
		return wn_bulk_stats(db);
	if (strcmp(sub, "expire") == 0 && optind == argc)
		return wn_bulk_expire(db, x.params.window);
	return wn_cli_usage_error("bulk", "unknown subcommand or extra "
	    "arguments");
}
