/*
 * cmd_bulk.c - `winnow-repository feed-keygen` and `winnow-repository
 * bulk block|unblock|list`: the administrator's side of the bulk feed
 * (docs/arch/bulk-sharing.md).
 *
 * feed-keygen makes the key pair that signs the feed (the secret key for
 * `serve --feed-key`, the public one for the operators' bulk_feed_key).
 * block takes a key out of the feed and keeps it out; a serving
 * repository sees it at its next request, because a block raises the
 * generation it reads each time. list shows what the feed holds as a
 * server with the same --feed-days and --feed-min-reporters would build
 * it now, and the blocked keys.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <winnow/alloc.h>
#include <winnow/arena.h>
#include <winnow/err.h>
#include <winnow/fingerprint.h>
#include <winnow/sign.h>

#include "cmd.h"
#include "day.h"
#include "db.h"
#include "feed.h"
#include "shared_keys.h"

#define WN_FEED_KEY_NAME "bulk-feed"

static void
wn_bulk_usage(FILE *f)
{
	fprintf(f, "usage: " WN_REPO_PROG " bulk block --db URL KEY --reason "
	    "TEXT\n"
	    "                                      take KEY out of the feed "
	    "and keep it out\n"
	    "       " WN_REPO_PROG " bulk unblock --db URL KEY\n"
	    "       " WN_REPO_PROG " bulk list --db URL [--all] "
	    "[--feed-days D]\n"
	    "           [--feed-min-reporters N]    the feed's keys with "
	    "their reporters,\n"
	    "                                      and the blocked keys\n"
	    "KEY is d:<16 hex digits> (a text digest) or b:<16 hex digits> "
	    "(a band);\n"
	    "blocking a digest blocks its text's bands too. --all lists every "
	    "key of the\n"
	    "window: those below the threshold and the blocked ones too.\n");
}

static void
wn_feed_keygen_usage(FILE *f)
{
	fprintf(f, "usage: " WN_REPO_PROG " feed-keygen DIR [NAME]\n"
	    "  write DIR/NAME.key (for serve --feed-key) and DIR/NAME.pub "
	    "(for the\n"
	    "  operators' bulk_feed_key); NAME defaults to " WN_FEED_KEY_NAME
	    "\n");
}

int
wn_repo_cmd_feed_keygen(int argc, char **argv)
{
	const char *dir, *name = WN_FEED_KEY_NAME;
	wn_seckey k;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		wn_feed_keygen_usage(stdout);
		return 0;
	}
	if (argc < 2 || argc > 3) {
		wn_feed_keygen_usage(stderr);
		return EX_USAGE;
	}
	dir = argv[1];
	if (argc == 3)
		name = argv[2];
	if (name[0] == '\0' || name[0] == '-' || strchr(name, '/') != NULL)
		return wn_repo_usage_error("feed-keygen", "NAME \"%s\": "
		    "expected a file name without '/'", name);
	if (wn_seckey_generate(&k) != 0) {
		fprintf(stderr, WN_REPO_PROG " feed-keygen: libsodium did not "
		    "initialise\n");
		return EX_SOFTWARE;
	}
	if (wn_seckey_save(&k, dir, name) != 0) {
		int e = errno;

		fprintf(stderr, WN_REPO_PROG " feed-keygen: %s/%s.key: %s\n",
		    dir, name, e == EEXIST ? "a key is already there; not "
		    "overwritten" : strerror(e));
		explicit_bzero(&k, sizeof(k));
		return e == EEXIST ? EX_CANTCREAT : EX_IOERR;
	}
	printf("key id %s\n"
	    "secret key %s/%s.key (mode 0600): " WN_REPO_PROG " serve "
	    "--feed-key %s/%s.key ...\n"
	    "public key %s/%s.pub: the operators' bulk_feed_key\n",
	    k.pub.id, dir, name, dir, name, dir, name);
	explicit_bzero(&k, sizeof(k));
	return ferror(stdout) ? EX_IOERR : 0;
}

static int
wn_bulk_open(const char *url, wn_repo_db **db)
{
	int rc;

	if (url == NULL)
		return wn_repo_usage_error("bulk", "--db URL is required");
	rc = wn_repo_db_open(url, 1, db);
	return rc == 0 ? 0 : wn_repo_exit_db(rc);
}

/* KEY from the command line; an exit status when it is not one */
static int
wn_bulk_key_arg(const char *action, const char *s, wn_shared_key *out)
{
	if (wn_shared_key_parse(s, out))
		return 0;
	fprintf(stderr, WN_REPO_PROG " bulk %s: \"%s\" is not a key: expected "
	    "d:<16 hex digits> or b:<16 hex digits>, lowercase\n", action, s);
	return EX_DATAERR;
}

/* a reason: 1 to 255 bytes without control characters */
static bool
wn_bulk_reason_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= WN_REPO_BLOCK_REASON_LEN)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static int
wn_bulk_block(const char *url, const char *key, const char *reason)
{
	wn_repo_bulk_block b;
	wn_shared_key k;
	wn_repo_db *db = NULL;
	int rc, ex;

	if (reason == NULL)
		return wn_repo_usage_error("bulk", "block needs --reason TEXT");
	if ((ex = wn_bulk_key_arg("block", key, &k)) != 0)
		return ex;
	if (!wn_bulk_reason_ok(reason)) {
		fprintf(stderr, WN_REPO_PROG " bulk block: --reason: expected "
		    "1 to %d bytes without control characters\n",
		    WN_REPO_BLOCK_REASON_LEN - 1);
		return EX_DATAERR;
	}
	memset(&b, 0, sizeof(b));
	b.kind = k.kind;
	b.key = k.value;
	snprintf(b.reason, sizeof(b.reason), "%s", reason);
	b.blocked = (int64_t)time(NULL);
	if ((ex = wn_bulk_open(url, &db)) != 0)
		return ex;
	rc = wn_repo_db_bulk_block(db, &b);
	wn_repo_db_close(&db);
	if (rc == WN_EINVAL) {
		fprintf(stderr, WN_REPO_PROG " bulk block: %s is blocked "
		    "already\n", key);
		return EX_DATAERR;
	}
	if (rc != 0)
		return rc == WN_ENOMEM ? EX_SOFTWARE : EX_IOERR;
	printf("%s blocked\n", key);
	return 0;
}

static int
wn_bulk_unblock(const char *url, const char *key)
{
	wn_shared_key k;
	wn_repo_db *db = NULL;
	int rc, ex;

	if ((ex = wn_bulk_key_arg("unblock", key, &k)) != 0)
		return ex;
	if ((ex = wn_bulk_open(url, &db)) != 0)
		return ex;
	rc = wn_repo_db_bulk_unblock(db, k.kind, k.value);
	wn_repo_db_close(&db);
	if (rc == WN_ENOENT) {
		fprintf(stderr, WN_REPO_PROG " bulk unblock: %s is not "
		    "blocked\n", key);
		return EX_DATAERR;
	}
	if (rc != 0)
		return rc == WN_ENOMEM ? EX_SOFTWARE : EX_IOERR;
	printf("%s unblocked\n", key);
	return 0;
}

/* the keys of the window for list */
typedef struct wn_bulk_rows {
	wn_repo_bulk_row *v;
	size_t n, cap;
} wn_bulk_rows;

static int
wn_bulk_rows_add(void *arg, const wn_repo_bulk_row *row)
{
	wn_bulk_rows *r = arg;

	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		wn_repo_bulk_row *v = wn_realloc(r->v, cap * sizeof(*v));

		if (v == NULL)
			return WN_ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = *row;
	return 0;
}

/* most reporters first, then by key */
static int
wn_bulk_row_cmp(const void *a, const void *b)
{
	const wn_repo_bulk_row *x = a, *y = b;
	wn_shared_key kx = { x->kind, x->key }, ky = { y->kind, y->key };

	if (x->reporters != y->reporters)
		return x->reporters > y->reporters ? -1 : 1;
	return wn_shared_key_cmp(&kx, &ky);
}

/* the reporters of a blocked key in the window; 0 when none */
static uint64_t
wn_bulk_reporters_of(const wn_bulk_rows *rows, char kind, uint64_t key)
{
	size_t i;

	for (i = 0; i < rows->n; i++)
		if (rows->v[i].kind == kind && rows->v[i].key == key)
			return rows->v[i].reporters;
	return 0;
}

static void
wn_bulk_print(const wn_bulk_rows *rows, const wn_repo_bulk_block *blocks,
    size_t n_blocks, const wn_repo_bulk_query *q, bool all)
{
	char key[WN_SHARED_KEY_LEN + 1], from[12], to[12], when[21];
	size_t i, in_feed = 0;

	for (i = 0; i < rows->n; i++)
		if (!rows->v[i].blocked &&
		    rows->v[i].reporters >= q->min_reporters)
			in_feed++;
	wn_day_format(q->from_day, from, sizeof(from));
	wn_day_format(q->to_day, to, sizeof(to));
	printf("# feed: %zu keys of at least %llu reporters, days %s to %s, "
	    "fingerprint version %lld\n", in_feed,
	    (unsigned long long)q->min_reporters, from, to,
	    (long long)q->version);
	printf("%-18s  %9s  %s\n", "KEY", "REPORTERS", "STATE");
	for (i = 0; i < rows->n; i++) {
		const wn_repo_bulk_row *r = &rows->v[i];
		bool feed = r->reporters >= q->min_reporters;

		if (!all && (r->blocked || !feed))
			continue;
		wn_shared_key_format(r->kind, r->key, key);
		printf("%-18s  %9llu  %s\n", key,
		    (unsigned long long)r->reporters, r->blocked ? "blocked" :
		    feed ? "feed" : "below");
	}
	printf("# blocked keys: %zu\n", n_blocks);
	printf("%-18s  %9s  %-20s  %s\n", "KEY", "REPORTERS", "BLOCKED",
	    "REASON");
	for (i = 0; i < n_blocks; i++) {
		wn_shared_key_format(blocks[i].kind, blocks[i].key, key);
		wn_day_time_format(blocks[i].blocked, when, sizeof(when));
		printf("%-18s  %9llu  %-20s  %s\n", key, (unsigned long long)
		    wn_bulk_reporters_of(rows, blocks[i].kind, blocks[i].key),
		    when, blocks[i].reason);
	}
}

static int
wn_bulk_list(const char *url, bool all, unsigned days, unsigned min)
{
	wn_repo_bulk_block *blocks = NULL;
	wn_bulk_rows rows;
	wn_repo_bulk_query q;
	wn_repo_db *db = NULL;
	wn_arena *a;
	size_t n_blocks = 0;
	int rc, ex;

	if ((ex = wn_bulk_open(url, &db)) != 0)
		return ex;
	if ((a = wn_arena_new(0)) == NULL) {
		wn_repo_db_close(&db);
		return EX_SOFTWARE;
	}
	memset(&rows, 0, sizeof(rows));
	memset(&q, 0, sizeof(q));
	wn_feed_window((int64_t)time(NULL), days, &q.from_day, &q.to_day);
	q.version = WN_FINGERPRINT_VERSION;
	/* every key of the window: the blocked ones' counts are shown too,
	 * and --all shows those below the threshold */
	q.min_reporters = 1;
	rc = wn_repo_db_bulk_keys(db, &q, wn_bulk_rows_add, &rows);
	if (rc == 0)
		rc = wn_repo_db_bulk_blocks(db, a, &blocks, &n_blocks);
	wn_repo_db_close(&db);
	if (rc == 0) {
		if (rows.n > 0)
			qsort(rows.v, rows.n, sizeof(*rows.v),
			    wn_bulk_row_cmp);
		q.min_reporters = min;
		wn_bulk_print(&rows, blocks, n_blocks, &q, all);
	}
	wn_free(rows.v);
	wn_arena_free(&a);
	if (rc != 0)
		return rc == WN_ENOMEM ? EX_SOFTWARE : EX_IOERR;
	return ferror(stdout) ? EX_IOERR : 0;
}

/* a number option within [1, max]; -1 after the usage message */
static long
wn_bulk_number(const char *name, const char *v, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 1 || n > max) {
		wn_repo_usage_error("bulk", "--%s \"%s\": expected a whole "
		    "number from 1 to %ld", name, v, max);
		return -1;
	}
	return n;
}

int
wn_repo_cmd_bulk(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "reason", required_argument, NULL, 'r' },
		{ "all", no_argument, NULL, 'a' },
		{ "feed-days", required_argument, NULL, 'D' },
		{ "feed-min-reporters", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL, *reason = NULL, *action;
	long days = WN_FEED_DEFAULT_DAYS, min = WN_FEED_DEFAULT_MIN_REPORTERS;
	bool all = false;
	int ch;

	if (argc < 2) {
		wn_bulk_usage(stderr);
		return EX_USAGE;
	}
	action = argv[1];
	if (strcmp(action, "-h") == 0 || strcmp(action, "--help") == 0) {
		wn_bulk_usage(stdout);
		return 0;
	}
	optind = 2;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'r': reason = optarg; break;
		case 'a': all = true; break;
		case 'D':
			if ((days = wn_bulk_number("feed-days", optarg,
			    WN_FEED_MAX_DAYS)) < 0)
				return EX_USAGE;
			break;
		case 'M':
			if ((min = wn_bulk_number("feed-min-reporters", optarg,
			    WN_FEED_MAX_MIN_REPORTERS)) < 0)
				return EX_USAGE;
			break;
		case 'h': wn_bulk_usage(stdout); return 0;
		default: wn_bulk_usage(stderr); return EX_USAGE;
		}
	}
	if (strcmp(action, "block") == 0) {
		if (optind + 1 != argc)
			return wn_repo_usage_error("bulk", "block needs one KEY");
		return wn_bulk_block(db, argv[optind], reason);
	}
	if (strcmp(action, "unblock") == 0) {
		if (optind + 1 != argc)
			return wn_repo_usage_error("bulk", "unblock needs one "
			    "KEY");
		return wn_bulk_unblock(db, argv[optind]);
	}
	if (strcmp(action, "list") == 0) {
		if (optind != argc)
			return wn_repo_usage_error("bulk", "list: unexpected "
			    "argument \"%s\"", argv[optind]);
		return wn_bulk_list(db, all, (unsigned)days, (unsigned)min);
	}
	return wn_repo_usage_error("bulk", "unknown action \"%s\" (block, "
	    "unblock or list)", action);
}
