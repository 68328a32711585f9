/*
 * bulk_replay.c - replay a timed list of messages through bulk detection.
 *
 * Reads a list whose lines are TIME SENDER RCPTS CLASS GROUP PATH
 * (tab-separated: Unix seconds, envelope sender, empty or "<>" for the
 * null sender, recipients >= 1, ham|spam, an id of the original message,
 * the file), opens a new LMDB bulk store at --db and, line by line, parses
 * the file (one arena reset per message, as winnowd does), counts it with
 * wn_bulk_check at TIME and asks wn_bulk_symbols what it earns. Prints one
 * tab-separated line per message (a "#" header line first):
 *
 *   class group copy flagged symbols copies recipients senders text_exact
 *   att_recipients micros words fp_flags path [fingerprint]
 *
 * copy is the message's position among the lines of its GROUP so far;
 * flagged is 1 when any BULK_* symbol was added; symbols a comma list or
 * "-"; copies, recipients and senders the text counts; micros the time of
 * wn_mime_parse + wn_bulk_check + wn_bulk_symbols (reading the file
 * excluded); words and fp_flags (short, trunc or "-") from the
 * fingerprint; with --fingerprint, wn_fingerprint_hex of it. At the end,
 * on stderr: messages, elapsed seconds and messages per second over the
 * whole loop, file reading included.
 *
 *   bulk_replay --db PATH [--window S] [--low N] [--medium N] [--high N]
 *       [--senders N] [--attachment N] [--fingerprint] LIST|-
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <winnow/arena.h>
#include <winnow/bulk.h>
#include <winnow/err.h>
#include <winnow/fingerprint.h>
#include <winnow/mime.h>
#include <winnow/verdict.h>

#define REPLAY_MAX_FILE	(64u << 20)	/* larger files are an error */

/* Copies seen per GROUP: open addressing, FNV-1a, grown at 1/2 full. */
typedef struct replay_group {
	char *name;
	uint32_t seen;
} replay_group;

typedef struct replay_groups {
	replay_group *v;
	size_t n, cap;
} replay_groups;

static void replay_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
replay_die(const char *fmt, ...)
{
	va_list ap;

	fputs("bulk_replay: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t
replay_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void
replay_groups_grow(replay_groups *g)
{
	replay_group *old = g->v;
	size_t oldcap = g->cap, i, j;

	g->cap = oldcap ? oldcap * 2 : 4096;
	g->v = calloc(g->cap, sizeof(*g->v));
	if (g->v == NULL)
		replay_die("out of memory");
	for (i = 0; i < oldcap; i++) {
		if (old[i].name == NULL)
			continue;
		j = replay_hash(old[i].name) & (g->cap - 1);
		while (g->v[j].name != NULL)
			j = (j + 1) & (g->cap - 1);
		g->v[j] = old[i];
	}
	free(old);
}

/* replay_groups_bump - count one more copy of name; returns the count */
static uint32_t
replay_groups_bump(replay_groups *g, const char *name)
{
	size_t j;

	if (2 * (g->n + 1) > g->cap)
		replay_groups_grow(g);
	j = replay_hash(name) & (g->cap - 1);
	while (g->v[j].name != NULL) {
		if (strcmp(g->v[j].name, name) == 0)
			return ++g->v[j].seen;
		j = (j + 1) & (g->cap - 1);
	}
	g->v[j].name = strdup(name);
	if (g->v[j].name == NULL)
		replay_die("out of memory");
	g->v[j].seen = 1;
	g->n++;
	return 1;
}

static void
replay_groups_free(replay_groups *g)
{
	size_t i;

	for (i = 0; i < g->cap; i++)
		free(g->v[i].name);
	free(g->v);
	g->v = NULL;
	g->n = g->cap = 0;
}

static double
replay_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* replay_u32 - a number in [lo, hi] from an option, or die */
static uint32_t
replay_u32(const char *opt, const char *s, unsigned long lo, unsigned long hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 ||
	    v < lo || v > hi)
		replay_die("%s: %s is not a number in %lu..%lu", opt, s, lo, hi);
	return (uint32_t)v;
}

/* replay_read - the whole file at path into *buf (grown as needed) */
static size_t
replay_read(const char *path, char **buf, size_t *cap)
{
	FILE *f;
	size_t n = 0, got;

	f = fopen(path, "rb");
	if (f == NULL)
		replay_die("%s: %s", path, strerror(errno));
	for (;;) {
		if (*cap - n < 65536) {
			size_t ncap = *cap ? *cap * 2 : 1u << 20;
			char *nb;

			if (ncap > REPLAY_MAX_FILE + 65536)
				replay_die("%s: larger than %u bytes", path,
				    REPLAY_MAX_FILE);
			nb = realloc(*buf, ncap);
			if (nb == NULL)
				replay_die("out of memory");
			*buf = nb;
			*cap = ncap;
		}
		got = fread(*buf + n, 1, *cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		replay_die("%s: read error", path);
	fclose(f);
	return n;
}

/* replay_fields - split line at tabs into exactly n fields, or fail */
static bool
replay_fields(char *line, char **f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		f[i] = line;
		line = strchr(line, '\t');
		if (line == NULL)
			return i == n - 1;
		*line++ = '\0';
	}
	return false;
}

static void
replay_usage(void)
{
	fprintf(stderr, "usage: bulk_replay --db PATH [--window S] [--low N] "
	    "[--medium N] [--high N]\n"
	    "           [--senders N] [--attachment N] [--fingerprint] "
	    "LIST|-\n");
	exit(64);
}

int
main(int argc, char **argv)
{
	const char *db = NULL, *list = NULL;
	bool want_fp = false;
	wn_bulk_params params;
	wn_mime_limits limits;
	wn_bulk_store *bs = NULL;
	wn_arena *arena;
	replay_groups groups = { NULL, 0, 0 };
	char err[256], *line = NULL, *buf = NULL;
	size_t linecap = 0, bufcap = 0, lineno = 0, messages = 0;
	ssize_t len;
	struct stat st;
	FILE *in;
	double t0, elapsed;
	int a, rc;

	wn_bulk_params_default(&params);
	for (a = 1; a < argc; a++) {
		const char *o = argv[a];

		if (strcmp(o, "--fingerprint") == 0) {
			want_fp = true;
			continue;
		}
		if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0)
			replay_usage();
		if (o[0] != '-' || o[1] == '\0') {
			if (list != NULL)
				replay_usage();
			list = o;
			continue;
		}
		if (a + 1 >= argc)
			replay_die("%s needs a value", o);
		if (strcmp(o, "--db") == 0)
			db = argv[++a];
		else if (strcmp(o, "--window") == 0)
			params.window = replay_u32(o, argv[++a], WN_BULK_BUCKETS,
			    UINT32_MAX);
		else if (strcmp(o, "--low") == 0)
			params.low = replay_u32(o, argv[++a], 0, UINT32_MAX);
		else if (strcmp(o, "--medium") == 0)
			params.medium = replay_u32(o, argv[++a], 0, UINT32_MAX);
		else if (strcmp(o, "--high") == 0)
			params.high = replay_u32(o, argv[++a], 0, UINT32_MAX);
		else if (strcmp(o, "--senders") == 0)
			params.senders = replay_u32(o, argv[++a], 0, UINT32_MAX);
		else if (strcmp(o, "--attachment") == 0)
			params.attachment = replay_u32(o, argv[++a], 0,
			    UINT32_MAX);
		else
			replay_die("unknown option %s (try --help)", o);
	}
	if (db == NULL || list == NULL)
		replay_usage();
	/* A store left by an earlier run would count its messages again. */
	if (stat(db, &st) == 0)
		replay_die("%s exists: the replay needs a new store (remove it "
		    "and %s-lock, or name another path)", db, db);
	if (strcmp(list, "-") == 0)
		in = stdin;
	else if ((in = fopen(list, "r")) == NULL)
		replay_die("%s: %s", list, strerror(errno));

	rc = wn_bulk_store_open_lmdb(db, 0, &bs, NULL, err, sizeof(err));
	if (rc != 0)
		replay_die("%s: cannot open the bulk store: %s (%s)", db, err,
		    wn_strerror(rc));
	wn_mime_limits_default(&limits);
	if ((arena = wn_arena_new(0)) == NULL)
		replay_die("out of memory");

	printf("#class\tgroup\tcopy\tflagged\tsymbols\tcopies\trecipients\t"
	    "senders\ttext_exact\tatt_recipients\tmicros\twords\tfp_flags\t"
	    "path%s\n", want_fp ? "\tfingerprint" : "");
	t0 = replay_now();
	while ((len = getline(&line, &linecap, in)) != -1) {
		char *f[6], *end, symbols[512], hex[WN_FINGERPRINT_HEX_SIZE];
		const char *sender, *fpflags;
		wn_bulk_obs obs;
		wn_bulk_result res;
		wn_verdict v;
		wn_mime_msg *msg;
		long long tl;
		unsigned long rcpts;
		size_t size, i, sl = 0;
		uint32_t copy;
		double m0, micros;
		int nsym;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (!replay_fields(line, f, 6))
			replay_die("%s:%zu: expected 6 tab-separated fields", list,
			    lineno);
		errno = 0;
		tl = strtoll(f[0], &end, 10);
		if (f[0][0] == '\0' || *end != '\0' || errno != 0 || tl < 0)
			replay_die("%s:%zu: bad time %s", list, lineno, f[0]);
		errno = 0;
		rcpts = strtoul(f[2], &end, 10);
		if (f[2][0] < '0' || f[2][0] > '9' || *end != '\0' ||
		    errno != 0 || rcpts < 1 || rcpts > UINT32_MAX)
			replay_die("%s:%zu: bad recipient count %s", list, lineno,
			    f[2]);
		if (strcmp(f[3], "ham") != 0 && strcmp(f[3], "spam") != 0)
			replay_die("%s:%zu: class must be ham or spam, not %s",
			    list, lineno, f[3]);
		if (f[4][0] == '\0' || f[5][0] == '\0')
			replay_die("%s:%zu: empty group or path", list, lineno);
		sender = strcmp(f[1], "<>") == 0 ? "" : f[1];

		size = replay_read(f[5], &buf, &bufcap);
		copy = replay_groups_bump(&groups, f[4]);

		m0 = replay_now();
		wn_arena_reset(arena);
		rc = wn_mime_parse(arena, buf, size, &limits, &msg);
		if (rc != 0)
			replay_die("%s: cannot parse: %s", f[5], wn_strerror(rc));
		obs.recipients = (uint32_t)rcpts;
		obs.sender = wn_bulk_sender_hash(sender);
		obs.now = (int64_t)tl;
		obs.window = params.window;
		rc = wn_bulk_check(bs, &params, msg, NULL, NULL, &obs, true,
		    &res);
		if (rc != 0)
			replay_die("%s: bulk check failed: %s (%s)", f[5],
			    wn_bulk_store_error(bs), wn_strerror(rc));
		wn_verdict_init(&v, 5.0);
		nsym = wn_bulk_symbols(arena, &params, &res, &v);
		if (nsym < 0)
			replay_die("%s: bulk symbols: %s", f[5],
			    wn_strerror(nsym));
		micros = (replay_now() - m0) * 1e6;

		symbols[0] = '\0';
		for (i = 0; i < v.n; i++) {
			int w = snprintf(symbols + sl, sizeof(symbols) - sl,
			    "%s%s", i ? "," : "", v.v[i].name);

			if (w < 0 || (size_t)w >= sizeof(symbols) - sl)
				break;
			sl += (size_t)w;
		}
		if ((res.fp.flags & WN_FINGERPRINT_SHORT) &&
		    (res.fp.flags & WN_FINGERPRINT_TRUNCATED))
			fpflags = "short,trunc";
		else if (res.fp.flags & WN_FINGERPRINT_SHORT)
			fpflags = "short";
		else if (res.fp.flags & WN_FINGERPRINT_TRUNCATED)
			fpflags = "trunc";
		else
			fpflags = "-";
		printf("%s\t%s\t%" PRIu32 "\t%d\t%s\t%" PRIu32 "\t%" PRIu32
		    "\t%" PRIu32 "\t%d\t%" PRIu32 "\t%.0f\t%" PRIu32 "\t%s\t%s",
		    f[3], f[4], copy, v.n > 0, v.n > 0 ? symbols : "-",
		    res.text.copies, res.text.recipients, res.text.senders,
		    res.text_exact ? 1 : 0, res.attachment.recipients, micros,
		    res.fp.n_words, fpflags, f[5]);
		if (want_fp)
			printf("\t%s", wn_fingerprint_hex(&res.fp, hex));
		putchar('\n');
		messages++;
	}
	if (ferror(in))
		replay_die("%s: read error", list);
	elapsed = replay_now() - t0;
	if (fflush(stdout) != 0 || ferror(stdout))
		replay_die("standard output: %s", strerror(errno));
	fprintf(stderr, "bulk_replay: messages %zu, elapsed %.3f s, "
	    "messages/s %.1f\n", messages, elapsed,
	    elapsed > 0 ? (double)messages / elapsed : 0.0);

	if (in != stdin)
		fclose(in);
	free(line);
	free(buf);
	replay_groups_free(&groups);
	wn_arena_free(&arena);
	wn_bulk_store_close(&bs);
	return 0;
}
