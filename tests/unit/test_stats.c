/*
 * test_stats.c - counting into period files: rotation, shutdown, crash
 * recovery, concurrent writers, full tables, damaged files, bulk
 * detections, bulk fingerprints, and files of earlier format versions.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <winnow/bulk_feed.h>
#include <winnow/err.h>
#include <winnow/stats.h>

#include "stats_int.h"	/* the layout, to make and damage files */

static char spool[256];
static char err[512];

static void
setup(void)
{
	snprintf(spool, sizeof(spool), "/tmp/wn-stats-XXXXXX");
	cr_assert_not_null(mkdtemp(spool));
}

static void
teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", spool);
	(void)system(cmd);
}

/* a time at the start of an hour */
static time_t
hour(int n)
{
	return (time_t)(1790002800 + 3600 * n);
}

static int
count_files(const char *prefix)
{
	DIR *d = opendir(spool);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static wn_stats *
open_at(time_t now, bool prefixes)
{
	wn_stats_opts o = { spool, 3600, prefixes };
	wn_stats *st = NULL;

	cr_assert_eq(wn_stats_open(&o, now, &st, err, sizeof(err)), 0, "%s",
	    err);
	return st;
}

static void
record_spam(wn_stats *st, const char *cc, const char *client)
{
	static const wn_symbol syms[] = { { "BAYES_99", 3.5 },
	    { "SPF_FAIL", 2.5 } };
	wn_ipaddr ip;
	wn_stats_msg m = { 0 };

	cr_assert_eq(wn_ipaddr_parse(client, &ip), 0);
	m.outcome = WN_STATS_SCANNED;
	m.action = WN_ACTION_REJECT;
	m.spam = true;
	m.score = 17.2;
	m.spf = 3;	/* fail */
	m.bayes = WN_STATS_BAYES_SCORED;
	m.anomalies = 1ull << 7 | 1ull << 26;
	m.symbols = syms;
	m.n_symbols = 2;
	m.scan_ms = 0.7;
	snprintf(m.country, sizeof(m.country), "%s", cc);
	m.client = &ip;
	wn_stats_record(st, &m);
}

static void
record_ham(wn_stats *st)
{
	static const wn_symbol syms[] = { { "BAYES_00", -1.9 } };
	wn_stats_msg m = { 0 };

	m.outcome = WN_STATS_SCANNED;
	m.action = WN_ACTION_ACCEPT;
	m.score = -1.8;
	m.spf = -1;
	m.bayes = WN_STATS_BAYES_SCORED;
	m.symbols = syms;
	m.n_symbols = 1;
	m.scan_ms = 0.3;
	wn_stats_record(st, &m);
}

/* the sealed periods, loaded, oldest first */
static size_t
load_all(wn_stats_period **out, size_t max)
{
	char **paths;
	size_t n, i;

	cr_assert_eq(wn_stats_spool_list(spool, &paths, &n), 0);
	cr_assert_leq(n, max);
	for (i = 0; i < n; i++)
		cr_assert_eq(wn_stats_period_load(paths[i], &out[i], err,
		    sizeof(err)), 0, "%s", err);
	wn_stats_spool_list_free(paths, n);
	return n;
}

static const wn_stats_rule *
rule(const wn_stats_period *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_rules; i++)
		if (strcmp(p->rules[i].name, name) == 0)
			return &p->rules[i];
	return NULL;
}

TestSuite(stats, .init = setup, .fini = teardown);

Test(stats, counts_and_seals_at_the_period_end)
{
	wn_stats *st = open_at(hour(0) + 120, false);
	wn_stats_period *p[4];
	wn_stats_msg skipped = { .outcome = WN_STATS_SKIPPED };

	record_spam(st, "DE", "203.0.113.9");
	record_spam(st, "DE", "203.0.113.10");
	record_ham(st);
	wn_stats_record(st, &skipped);
	cr_assert_eq(wn_stats_tick(st, hour(0) + 3599, err, sizeof(err)), 0);
	cr_assert_eq(count_files("period-"), 0);
	cr_assert_eq(wn_stats_tick(st, hour(1), err, sizeof(err)), 1, "%s",
	    err);
	cr_assert_eq(count_files("period-"), 1);
	cr_assert_eq(count_files("live-"), 1);
	record_ham(st);
	wn_stats_free(&st, hour(1) + 60);

	cr_assert_eq(load_all(p, 4), 2);
	cr_assert_eq(p[0]->start, hour(0) + 120);
	cr_assert_eq(p[0]->end, hour(1));
	cr_assert_eq(p[0]->period, 3600);
	cr_assert_eq(p[0]->scanned, 3);
	cr_assert_eq(p[0]->skipped, 1);
	cr_assert_eq(p[0]->spam, 2);
	cr_assert_eq(p[0]->ham, 1);
	cr_assert_eq(p[0]->action[WN_ACTION_REJECT], 2);
	cr_assert_eq(p[0]->action[WN_ACTION_ACCEPT], 1);
	cr_assert_eq(p[0]->spf[3], 2);
	cr_assert_eq(p[0]->spf[WN_STATS_SPF_NOT_CHECKED], 1);
	cr_assert_eq(p[0]->anomalies[7], 2);
	cr_assert_eq(p[0]->anomalies[26], 2);
	cr_assert_eq(p[0]->score[1], 1, "-1.8 is in [-5, 0)");
	cr_assert_eq(p[0]->score[11], 2, "17.2 is in [15, 20)");
	cr_assert_eq(rule(p[0], "BAYES_99")->spam, 2);
	cr_assert_eq(rule(p[0], "BAYES_00")->ham, 1);
	cr_assert_eq(p[0]->n_countries, 2);	/* unknown and DE */
	cr_assert_eq(p[0]->n_prefixes, 0, "prefixes only when cooperative");
	cr_assert_eq(p[1]->start, hour(1));
	cr_assert_eq(p[1]->end, hour(1) + 60);
	cr_assert_eq(p[1]->scanned, 1);
	cr_assert_str_neq(p[0]->report_id, p[1]->report_id);
	wn_stats_period_free(&p[0]);
	wn_stats_period_free(&p[1]);
}

Test(stats, histogram_buckets)
{
	wn_stats *st = open_at(hour(0), false);
	wn_stats_period *p[2];

	record_ham(st);		/* -1.8: [-5, 0) is bucket 1 */
	record_spam(st, "", "192.0.2.1");	/* 17.2: [15, 20) bucket 11 */
	wn_stats_free(&st, hour(0) + 10);
	cr_assert_eq(load_all(p, 2), 1);
	cr_assert_eq(p[0]->score[1], 1);
	cr_assert_eq(p[0]->score[11], 1);
	cr_assert_eq(p[0]->scan_time[2], 1, "0.3 ms is in [0.2, 0.5)");
	cr_assert_eq(p[0]->scan_time[3], 1, "0.7 ms is in [0.5, 1)");
	wn_stats_period_free(&p[0]);
}

Test(stats, restart_within_a_period_counts_nothing_twice)
{
	wn_stats *st = open_at(hour(0) + 10, false);
	wn_stats_period *p[4];

	record_ham(st);
	record_ham(st);
	cr_assert_eq(wn_stats_shutdown(st, hour(0) + 100, err, sizeof(err)),
	    0);
	record_ham(st);		/* after shutdown: lost, not counted */
	cr_assert_eq(wn_stats_lost(st), 1);
	wn_stats_free(&st, hour(0) + 100);
	st = open_at(hour(0) + 200, false);
	record_ham(st);
	wn_stats_free(&st, hour(0) + 300);
	cr_assert_eq(load_all(p, 4), 2);
	cr_assert_eq(p[0]->start, hour(0) + 10);
	cr_assert_eq(p[0]->end, hour(0) + 100);
	cr_assert_eq(p[0]->scanned, 2);
	cr_assert_eq(p[1]->start, hour(0) + 200);
	cr_assert_eq(p[1]->end, hour(0) + 300);
	cr_assert_eq(p[1]->scanned, 1);
	wn_stats_period_free(&p[0]);
	wn_stats_period_free(&p[1]);
}

/* A child counts and dies without sealing: the counts survive. */
static void
crash_after(int n, time_t now)
{
	pid_t pid = fork();
	int status, i;

	cr_assert_neq(pid, -1);
	if (pid == 0) {
		wn_stats_opts o = { spool, 3600, false };
		wn_stats *st;

		if (wn_stats_open(&o, now, &st, err, sizeof(err)) != 0)
			_exit(1);
		for (i = 0; i < n; i++)
			record_ham(st);
		abort();
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status));
}

Test(stats, a_crash_loses_nothing_and_the_period_goes_on)
{
	wn_stats *st;
	wn_stats_period *p[2];

	crash_after(7, hour(0) + 5);
	cr_assert_eq(count_files("live-"), 1);
	st = open_at(hour(0) + 50, false);	/* same period: continue */
	cr_assert_eq(count_files("live-"), 1);
	record_ham(st);
	wn_stats_free(&st, hour(0) + 60);
	cr_assert_eq(load_all(p, 2), 1);
	cr_assert_eq(p[0]->scanned, 8);
	cr_assert_eq(p[0]->start, hour(0) + 5);
	wn_stats_period_free(&p[0]);
}

Test(stats, a_crash_in_an_earlier_period_is_sealed_at_its_end)
{
	wn_stats *st;
	wn_stats_period *p[2];

	crash_after(3, hour(0) + 5);
	st = open_at(hour(2) + 7, false);
	cr_assert_eq(count_files("period-"), 1);
	wn_stats_free(&st, hour(2) + 8);
	cr_assert_eq(load_all(p, 2), 2);
	cr_assert_eq(p[0]->scanned, 3);
	cr_assert_eq(p[0]->end, hour(1));
	cr_assert_eq(p[1]->scanned, 0);
	wn_stats_period_free(&p[0]);
	wn_stats_period_free(&p[1]);
}

#define WRITERS 8
#define PER_WRITER 20000

static void *
writer(void *arg)
{
	wn_stats *st = arg;
	int i;

	for (i = 0; i < PER_WRITER; i++) {
		if (i % 2)
			record_ham(st);
		else
			record_spam(st, "BR", "198.51.100.7");
	}
	return NULL;
}

Test(stats, concurrent_writers_across_rotations_lose_nothing)
{
	wn_stats *st = open_at(hour(0), true);
	wn_stats_period *p[64];
	pthread_t t[WRITERS];
	uint64_t scanned = 0, br = 0, bayes99 = 0, prefix = 0;
	size_t n, i, j;
	int h = 1;

	for (i = 0; i < WRITERS; i++)
		pthread_create(&t[i], NULL, writer, st);
	/* rotate as fast as possible while they count */
	for (h = 1; h < 40; h++)
		cr_assert_eq(wn_stats_tick(st, hour(h), err, sizeof(err)), 1,
		    "%s", err);
	for (i = 0; i < WRITERS; i++)
		pthread_join(t[i], NULL);
	wn_stats_free(&st, hour(h - 1) + 1);
	n = load_all(p, 64);
	cr_assert_eq(n, 40);
	for (i = 0; i < n; i++) {
		const wn_stats_rule *r = rule(p[i], "BAYES_99");

		scanned += p[i]->scanned;
		bayes99 += r ? r->spam : 0;
		for (j = 0; j < p[i]->n_countries; j++)
			if (strcmp(p[i]->countries[j].country, "BR") == 0)
				br += p[i]->countries[j].spam;
		for (j = 0; j < p[i]->n_prefixes; j++)
			prefix += p[i]->prefixes[j].spam;
		wn_stats_period_free(&p[i]);
	}
	cr_assert_eq(scanned, WRITERS * PER_WRITER);
	cr_assert_eq(br, WRITERS * PER_WRITER / 2);
	cr_assert_eq(bayes99, WRITERS * PER_WRITER / 2);
	cr_assert_eq(prefix, WRITERS * PER_WRITER / 2);
}

Test(stats, spam_networks_are_slash_24_and_slash_48)
{
	wn_stats *st = open_at(hour(0), true);
	wn_stats_period *p[2];
	char a[64], b[64];

	record_spam(st, "JP", "2400:4000:1:2::77");
	record_spam(st, "JP", "2400:4000:1:ffff::1");
	record_spam(st, "DE", "203.0.113.200");
	record_ham(st);
	wn_stats_free(&st, hour(0) + 1);
	cr_assert_eq(load_all(p, 2), 1);
	cr_assert_eq(p[0]->n_prefixes, 2);
	wn_ipaddr_format(&p[0]->prefixes[0].net, a, sizeof(a));
	wn_ipaddr_format(&p[0]->prefixes[1].net, b, sizeof(b));
	cr_assert_str_eq(a, "2400:4000:1::");
	cr_assert_eq(p[0]->prefixes[0].spam, 2);
	cr_assert_str_eq(b, "203.0.113.0");
	cr_assert_eq(p[0]->prefixes[1].spam, 1);
	wn_stats_period_free(&p[0]);
}

Test(stats, a_full_rule_table_counts_the_rest_as_other)
{
	wn_stats *st = open_at(hour(0), false);
	wn_stats_period *p[2];
	wn_symbol sym;
	wn_stats_msg m = { 0 };
	char name[32];
	uint64_t total = 0;
	size_t i;

	m.outcome = WN_STATS_SCANNED;
	m.spam = true;
	m.spf = -1;
	m.symbols = &sym;
	m.n_symbols = 1;
	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "RULE_%zu", i);
		sym.name = name;
		sym.weight = 1;
		wn_stats_record(st, &m);
	}
	wn_stats_free(&st, hour(0) + 1);
	cr_assert_eq(load_all(p, 2), 1);
	for (i = 0; i < p[0]->n_rules; i++)
		total += p[0]->rules[i].spam;
	cr_assert_leq(p[0]->n_rules, WN_STATS_RULES);
	cr_assert_gt(p[0]->rules_other_spam, 0);
	cr_assert_eq(total + p[0]->rules_other_spam, 3000);
	wn_stats_period_free(&p[0]);
}

Test(stats, damaged_files_are_kept_aside_and_refused_by_name)
{
	char path[512], cmd[1024];
	wn_stats *st;
	wn_stats_period *p = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/live-000000000042.stats", spool);
	f = fopen(path, "w");
	fputs("not a period file", f);
	fclose(f);
	st = open_at(hour(0), false);
	cr_assert_eq(count_files("damaged-live-"), 1);
	wn_stats_free(&st, hour(0) + 1);

	snprintf(cmd, sizeof(cmd), "for f in %s/period-*; do "
	    "head -c 1000 \"$f\" > %s/period-000000000001-cut.stats; done",
	    spool, spool);
	cr_assert_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/period-000000000001-cut.stats",
	    spool);
	cr_assert_eq(wn_stats_period_load(path, &p, err, sizeof(err)),
	    WN_EFORMAT);
	cr_assert_not_null(strstr(err, path), "%s", err);
	snprintf(path, sizeof(path), "%s/nothing.stats", spool);
	cr_assert_eq(wn_stats_period_load(path, &p, err, sizeof(err)),
	    WN_ENOENT);
}

Test(stats, unwritable_spool_is_an_error_naming_it)
{
	wn_stats_opts o = { "/proc/wn-no-such-spool", 3600, false };
	wn_stats *st = NULL;

	cr_assert_eq(wn_stats_open(&o, hour(0), &st, err, sizeof(err)),
	    WN_EIO);
	cr_assert_not_null(strstr(err, "/proc/wn-no-such-spool"));
	o.spool = spool;
	o.period = 7000;
	cr_assert_eq(wn_stats_open(&o, hour(0), &st, err, sizeof(err)),
	    WN_EINVAL);
}

Test(stats, one_process_counts_into_a_spool)
{
	wn_stats *st = open_at(hour(0), false);
	pid_t pid = fork();
	int status;

	cr_assert_neq(pid, -1);
	if (pid == 0) {
		wn_stats_opts o = { spool, 3600, false };
		wn_stats *other = NULL;
		int rc = wn_stats_open(&o, hour(0) + 5, &other, err,
		    sizeof(err));

		_exit(rc == WN_EIO && strstr(err, "in use") != NULL ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "a second process must be refused the spool");
	cr_assert_eq(count_files("live-"), 1);
	wn_stats_free(&st, hour(0) + 10);
	st = open_at(hour(0) + 20, false);	/* free again once closed */
	wn_stats_free(&st, hour(0) + 30);
}

Test(stats, percentiles_from_the_time_histogram)
{
	uint64_t c[WN_STATS_TIME_BOUNDS + 1] = { 0 };

	cr_assert_float_eq(wn_stats_percentile(c, 0.5), 0, 1e-9);
	c[2] = 100;	/* [0.2, 0.5) */
	cr_assert_float_eq(wn_stats_percentile(c, 0.5), 0.35, 1e-9);
	c[WN_STATS_TIME_BOUNDS] = 100;	/* >= 5000 ms */
	cr_assert_float_eq(wn_stats_percentile(c, 0.99), 5000, 1e-9);
}

/* --- bulk detections ------------------------------------------------- */

static void
record_bulk(wn_stats *st, bool spam, enum wn_stats_bulk bulk, bool senders,
    bool attachment)
{
	wn_stats_msg m = { 0 };

	m.outcome = WN_STATS_SCANNED;
	m.action = spam ? WN_ACTION_REJECT : WN_ACTION_ACCEPT;
	m.spam = spam;
	m.spf = -1;
	m.bulk = bulk;
	m.bulk_senders = senders;
	m.bulk_attachment = attachment;
	wn_stats_record(st, &m);
}

Test(stats, bulk_detections_are_counted_by_verdict)
{
	wn_stats *st = open_at(hour(0), false);
	wn_stats_period *p[2];
	const wn_stats_bulk_counts *s, *h;

	record_bulk(st, true, WN_STATS_BULK_HIGH, true, false);
	record_bulk(st, true, WN_STATS_BULK_HIGH, false, true);
	record_bulk(st, true, WN_STATS_BULK_MEDIUM, false, false);
	record_bulk(st, true, WN_STATS_BULK_NONE, true, true);
	record_bulk(st, true, WN_STATS_BULK_NONE, false, false);
	record_bulk(st, true, WN_STATS_BULK_OFF, true, true);	/* nothing */
	record_bulk(st, false, WN_STATS_BULK_LOW, false, false);
	record_bulk(st, false, WN_STATS_BULK_NONE, false, true);
	record_bulk(st, false, WN_STATS_BULK_NONE, false, false);
	record_bulk(st, false, WN_STATS_BULK_NONE, false, false);
	/* exempt: a nobulk rule; flags cannot come with it and are not
	 * believed */
	record_bulk(st, false, WN_STATS_BULK_EXEMPT, true, false);
	record_bulk(st, false, WN_STATS_BULK_OFF, false, false);
	record_bulk(st, false, (enum wn_stats_bulk)99, false, false);
	wn_stats_free(&st, hour(0) + 10);
	cr_assert_eq(load_all(p, 2), 1);
	cr_assert(p[0]->bulk_counted);
	cr_assert_eq(p[0]->scanned, 13);
	s = &p[0]->bulk_spam;
	h = &p[0]->bulk_ham;
	cr_expect_eq(s->checked, 5);
	cr_expect_eq(s->exempt, 0);
	cr_expect_eq(s->flagged, 4, "got %llu", (unsigned long long)s->flagged);
	cr_expect_eq(s->high, 2);
	cr_expect_eq(s->medium, 1);
	cr_expect_eq(s->low, 0);
	cr_expect_eq(s->senders, 2);
	cr_expect_eq(s->attachment, 2);
	cr_expect_eq(h->checked, 5);
	cr_expect_eq(h->exempt, 1);
	cr_expect_eq(h->flagged, 2);
	cr_expect_eq(h->low, 1);
	cr_expect_eq(h->medium + h->high, 0);
	cr_expect_eq(h->senders, 0, "an exempt message's flag counted");
	cr_expect_eq(h->attachment, 1);
	wn_stats_period_free(&p[0]);
}

/*
 * Earlier versions of the period file are the current one cut short:
 * version 1 ends before the bulk counters (2 x 8 counters of 8 bytes),
 * version 2 before the bulk fingerprints. The header holds the version
 * (uint32 at offset 8) and the file's size (uint64 at offset 16). A file
 * of version v is made here from a current one that way, after checking
 * that the sizes are the ones those versions had (LP64).
 */
#define V2_TAIL 128
#define V1_SIZE_LP64 177952
#define V2_SIZE_LP64 178080
#define V3_SIZE_LP64 341944

static void
write_version(const char *path, uint32_t v)
{
	struct stat sb;
	uint64_t size = wn_stats_file_size(v);
	int fd = open(path, O_RDWR);

	cr_assert_geq(fd, 0, "%s", path);
	cr_assert_eq(fstat(fd, &sb), 0);
	cr_assert_eq((size_t)sb.st_size, sizeof(struct wn_stats_file));
	if (sizeof(void *) == 8 && sizeof(long) == 8) {
		cr_assert_eq(sb.st_size, V3_SIZE_LP64, "the layout of version "
		    "3 moved: %lld bytes", (long long)sb.st_size);
		cr_assert_eq(size, v == 1 ? V1_SIZE_LP64 : V2_SIZE_LP64,
		    "the layout of version %u moved: %llu bytes", v,
		    (unsigned long long)size);
	}
	cr_assert_eq(wn_stats_file_size(2) - wn_stats_file_size(1), V2_TAIL);
	cr_assert_eq(pwrite(fd, &v, sizeof(v), 8), (ssize_t)sizeof(v));
	cr_assert_eq(pwrite(fd, &size, sizeof(size), 16),
	    (ssize_t)sizeof(size));
	cr_assert_eq(ftruncate(fd, (off_t)size), 0);
	close(fd);
}

static void
write_version_1(const char *path)
{
	write_version(path, 1);
}

/* the one file in the spool whose name starts with prefix */
static void
spool_file(const char *prefix, char *path, size_t len)
{
	DIR *d = opendir(spool);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
			snprintf(path, len, "%s/%s", spool, e->d_name);
			n++;
		}
	closedir(d);
	cr_assert_eq(n, 1, "%d files %s*", n, prefix);
}

Test(stats, a_period_file_of_version_1_still_loads)
{
	wn_stats *st = open_at(hour(0) + 30, false);
	wn_stats_period *p = NULL;
	char path[512], cmd[1200];

	record_spam(st, "DE", "203.0.113.9");
	record_ham(st);
	record_bulk(st, true, WN_STATS_BULK_HIGH, true, true);
	wn_stats_free(&st, hour(0) + 90);
	spool_file("period-", path, sizeof(path));
	write_version_1(path);

	cr_assert_eq(wn_stats_period_load(path, &p, err, sizeof(err)), 0, "%s",
	    err);
	cr_assert_not(p->bulk_counted);
	cr_assert_eq(p->bulk_spam.checked + p->bulk_spam.high +
	    p->bulk_ham.checked, 0);
	cr_assert_eq(p->start, hour(0) + 30);
	cr_assert_eq(p->end, hour(0) + 90);
	cr_assert_eq(p->scanned, 3);
	cr_assert_eq(p->spam, 2);
	cr_assert_eq(p->action[WN_ACTION_REJECT], 2);
	cr_assert_eq(rule(p, "BAYES_99")->spam, 1);
	cr_assert_eq(p->n_countries, 2);
	wn_stats_period_free(&p);

	/* the size and the version must agree: a version 1 header on a
	 * version 2 body, and version 2 cut to version 1's size, are not
	 * period files */
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/v1.stats' && "
	    "head -c %d /dev/zero >> '%s/v1.stats'", path, spool, V2_TAIL,
	    spool);
	cr_assert_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/v1.stats", spool);
	cr_assert_eq(wn_stats_period_load(cmd, &p, err, sizeof(err)),
	    WN_EFORMAT);
	cr_assert_not_null(strstr(err, "not a period file"), "%s", err);
	snprintf(cmd, sizeof(cmd), "printf '\\002' | dd of='%s' bs=1 seek=8 "
	    "conv=notrunc 2>/dev/null", path);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(wn_stats_period_load(path, &p, err, sizeof(err)),
	    WN_EFORMAT);
	snprintf(cmd, sizeof(cmd), "printf '\\003' | dd of='%s' bs=1 seek=8 "
	    "conv=notrunc 2>/dev/null", path);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(wn_stats_period_load(path, &p, err, sizeof(err)),
	    WN_EFORMAT, "version 3 at version 1's size");
	snprintf(cmd, sizeof(cmd), "printf '\\004' | dd of='%s' bs=1 seek=8 "
	    "conv=notrunc 2>/dev/null", path);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(wn_stats_period_load(path, &p, err, sizeof(err)),
	    WN_EFORMAT, "an unknown version");
}

Test(stats, a_live_file_of_version_1_is_sealed_and_not_counted_into)
{
	wn_stats *st;
	wn_stats_period *p[3];
	char path[512];

	crash_after(4, hour(0) + 5);
	spool_file("live-", path, sizeof(path));
	write_version_1(path);
	/* the same period: a current-version file would go on counting;
	 * this one is sealed as it is, and a new file takes over */
	st = open_at(hour(0) + 50, false);
	cr_assert_eq(count_files("period-"), 1);
	cr_assert_eq(count_files("live-"), 1);
	cr_assert_eq(count_files("damaged-"), 0);
	record_bulk(st, false, WN_STATS_BULK_LOW, false, false);
	wn_stats_free(&st, hour(0) + 60);
	cr_assert_eq(load_all(p, 3), 2);
	cr_assert_eq(p[0]->scanned, 4);
	cr_assert_eq(p[0]->start, hour(0) + 5);
	cr_assert_eq(p[0]->end, hour(0) + 50);
	cr_assert_not(p[0]->bulk_counted);
	cr_assert_eq(p[1]->scanned, 1);
	cr_assert_eq(p[1]->start, hour(0) + 50);
	cr_assert(p[1]->bulk_counted);
	cr_assert_eq(p[1]->bulk_ham.low, 1);
	wn_stats_period_free(&p[0]);
	wn_stats_period_free(&p[1]);
}

/* --- bulk fingerprints ----------------------------------------------- */

/*
 * A made-up fingerprint number i: its digest key is mix(i) (the first
 * 8 bytes of the digest, big-endian), its band keys derive from that
 * key, so an item read back can be checked on its own.
 */
static uint64_t
fp_mix(uint64_t i)
{
	return (i + 1) * 0x9e3779b97f4a7c15ull;
}

static uint64_t
fp_band(uint64_t d, unsigned k)
{
	return (d ^ (k + 1) * 0xc2b2ae3d27d4eb4full) * 0xff51afd7ed558ccdull;
}

static void
make_fp(uint64_t i, wn_fingerprint *fp)
{
	uint64_t d = fp_mix(i);
	unsigned k;

	memset(fp, 0, sizeof(*fp));
	for (k = 0; k < 8; k++)
		fp->digest[k] = (uint8_t)(d >> (56 - 8 * k));
	fp->digest[8] = 0x5a;	/* the rest of the digest is not a key */
	for (k = 0; k < WN_FINGERPRINT_BANDS; k++)
		fp->bands[k] = fp_band(d, k);
	fp->n_words = 40;
	fp->version = WN_FINGERPRINT_VERSION;
	cr_assert_eq(wn_bulk_feed_digest_key(fp), d);
}

static void
record_fp(wn_stats *st, bool spam, enum wn_stats_bulk bulk,
    const wn_fingerprint *fp)
{
	wn_stats_msg m = { 0 };

	m.outcome = WN_STATS_SCANNED;
	m.action = spam ? WN_ACTION_REJECT : WN_ACTION_ACCEPT;
	m.spam = spam;
	m.spf = -1;
	m.bulk = bulk;
	m.fingerprint = fp;
	wn_stats_record(st, &m);
}

static void
record_fp_n(wn_stats *st, uint64_t i)
{
	wn_fingerprint fp;

	make_fp(i, &fp);
	record_fp(st, true, WN_STATS_BULK_LOW, &fp);
}

/* every kept fingerprint is whole (its bands agree with its digest key)
 * and kept once, in ascending order of digest key */
static void
assert_fps_whole(const wn_stats_period *p)
{
	size_t i;
	unsigned k;

	for (i = 0; i < p->n_fingerprints; i++) {
		const wn_stats_fingerprint *x = &p->fingerprints[i];

		if (i > 0)
			cr_assert_gt(x->d, p->fingerprints[i - 1].d,
			    "item %zu: not ascending, or kept twice", i);
		for (k = 0; k < WN_FINGERPRINT_BANDS; k++)
			cr_assert_eq(x->b[k], fp_band(x->d, k),
			    "item %zu band %u", i, k);
	}
}

static bool
has_fp(const wn_stats_period *p, uint64_t i)
{
	size_t k;

	for (k = 0; k < p->n_fingerprints; k++)
		if (p->fingerprints[k].d == fp_mix(i))
			return true;
	return false;
}

Test(stats, bulk_spam_fingerprints_are_kept_once_per_text)
{
	wn_stats *st = open_at(hour(0), true);
	wn_stats_period *p[2];
	wn_fingerprint a, b, c, shrt, old;

	make_fp(1, &a);
	make_fp(2, &b);
	make_fp(3, &c);
	make_fp(4, &shrt);
	shrt.flags |= WN_FINGERPRINT_SHORT;
	make_fp(5, &old);
	old.version = WN_FINGERPRINT_VERSION + 1;
	record_fp(st, true, WN_STATS_BULK_LOW, &a);
	record_fp(st, true, WN_STATS_BULK_HIGH, &a);	/* a later copy */
	record_fp(st, true, WN_STATS_BULK_MEDIUM, &a);
	record_fp(st, true, WN_STATS_BULK_HIGH, &b);
	/* none of these qualifies */
	record_fp(st, false, WN_STATS_BULK_HIGH, &c);	/* ham */
	record_fp(st, true, WN_STATS_BULK_NONE, &c);	/* not bulk */
	record_fp(st, true, WN_STATS_BULK_EXEMPT, &c);	/* nobulk rule */
	record_fp(st, true, WN_STATS_BULK_OFF, &c);
	record_fp(st, true, WN_STATS_BULK_HIGH, NULL);	/* no fingerprint */
	record_fp(st, true, WN_STATS_BULK_HIGH, &shrt);	/* too few words */
	record_fp(st, true, WN_STATS_BULK_HIGH, &old);	/* other version */
	wn_stats_free(&st, hour(0) + 10);
	cr_assert_eq(load_all(p, 2), 1);
	cr_assert(p[0]->fingerprints_counted);
	cr_assert_eq(p[0]->fingerprint_version, WN_FINGERPRINT_VERSION);
	cr_assert_eq(p[0]->n_fingerprints, 2);
	cr_assert_eq(p[0]->fingerprints_dropped, 0);
	cr_assert(has_fp(p[0], 1) && has_fp(p[0], 2));
	assert_fps_whole(p[0]);
	cr_assert_eq(p[0]->bulk_spam.checked, 9, "counted as ever");
	wn_stats_period_free(&p[0]);
}

Test(stats, fingerprints_are_kept_only_at_the_cooperative_level)
{
	wn_stats *st = open_at(hour(0), false);
	wn_stats_period *p[2];

	record_fp_n(st, 1);
	wn_stats_free(&st, hour(0) + 10);
	cr_assert_eq(load_all(p, 2), 1);
	cr_assert_not(p[0]->fingerprints_counted);
	cr_assert_eq(p[0]->n_fingerprints, 0);
	cr_assert_eq(p[0]->bulk_spam.low, 1);
	wn_stats_period_free(&p[0]);
	teardown();
	setup();

	/* cooperative and none seen: counted, and none */
	st = open_at(hour(0), true);
	record_ham(st);
	wn_stats_free(&st, hour(0) + 10);
	cr_assert_eq(load_all(p, 2), 1);
	cr_assert(p[0]->fingerprints_counted);
	cr_assert_eq(p[0]->n_fingerprints, 0);
	cr_assert_null(p[0]->fingerprints);
	cr_assert_eq(p[0]->fingerprints_dropped, 0);
	wn_stats_period_free(&p[0]);
}

/* Every writer records the same texts, each starting elsewhere in the
 * list, so most texts are claimed by several threads at once. */
#define FP_WRITERS 8
#define FP_TEXTS 1000

struct fp_writer {
	wn_stats *st;
	unsigned id;
	unsigned texts;
	unsigned rounds;
};

static void *
fp_writer_main(void *arg)
{
	struct fp_writer *w = arg;
	unsigned r, j;

	for (r = 0; r < w->rounds; r++)
		for (j = 0; j < w->texts; j++)
			record_fp_n(w->st, (j + w->id * 97) % w->texts);
	return NULL;
}

static void
run_fp_writers(wn_stats *st, unsigned texts, unsigned rounds)
{
	struct fp_writer w[FP_WRITERS];
	pthread_t t[FP_WRITERS];
	unsigned i;

	for (i = 0; i < FP_WRITERS; i++) {
		w[i] = (struct fp_writer){ st, i, texts, rounds };
		cr_assert_eq(pthread_create(&t[i], NULL, fp_writer_main, &w[i]),
		    0);
	}
	for (i = 0; i < FP_WRITERS; i++)
		pthread_join(t[i], NULL);
}

Test(stats, concurrent_writers_keep_each_text_once)
{
	wn_stats *st = open_at(hour(0), true);
	wn_stats_period *p[2];
	unsigned i;

	run_fp_writers(st, FP_TEXTS, 3);
	wn_stats_free(&st, hour(0) + 10);
	cr_assert_eq(load_all(p, 2), 1);
	cr_assert_eq(p[0]->n_fingerprints, FP_TEXTS, "got %zu",
	    p[0]->n_fingerprints);
	cr_assert_eq(p[0]->fingerprints_dropped, 0);
	cr_assert_eq(p[0]->bulk_spam.low, FP_WRITERS * FP_TEXTS * 3);
	assert_fps_whole(p[0]);
	for (i = 0; i < FP_TEXTS; i++)
		cr_assert(has_fp(p[0], i), "text %u lost", i);
	wn_stats_period_free(&p[0]);
}

/* At the cap, concurrently: exactly WN_STATS_FPS texts kept, each of the
 * others counted once as dropped (the index still has room for them). */
Test(stats, concurrent_writers_at_the_cap_drop_the_rest_once)
{
	wn_stats *st = open_at(hour(0), true);
	wn_stats_period *p[2];

	run_fp_writers(st, 1500, 2);
	wn_stats_free(&st, hour(0) + 10);
	cr_assert_eq(load_all(p, 2), 1);
	cr_assert_eq(p[0]->n_fingerprints, WN_STATS_FPS);
	cr_assert_eq(p[0]->fingerprints_dropped, 1500 - WN_STATS_FPS,
	    "got %llu", (unsigned long long)p[0]->fingerprints_dropped);
	assert_fps_whole(p[0]);
	wn_stats_period_free(&p[0]);
}

/* Once the index is full as well (twice the cap of distinct texts), it
 * cannot tell a new text from a dropped one: every copy counts. */
Test(stats, a_full_index_counts_every_copy_as_dropped)
{
	wn_stats *st = open_at(hour(0), true);
	wn_stats_period *p[2];
	uint64_t i;

	for (i = 0; i < 3000; i++)
		record_fp_n(st, i);
	record_fp_n(st, 5);		/* kept: nothing */
	record_fp_n(st, 1100);		/* dropped, in the index: nothing */
	record_fp_n(st, 2999);		/* dropped, not in the index: +1 */
	wn_stats_free(&st, hour(0) + 10);
	cr_assert_eq(load_all(p, 2), 1);
	cr_assert_eq(p[0]->n_fingerprints, WN_STATS_FPS);
	cr_assert_eq(p[0]->fingerprints_dropped, 3000 - WN_STATS_FPS + 1,
	    "got %llu", (unsigned long long)p[0]->fingerprints_dropped);
	cr_assert(has_fp(p[0], 5));
	assert_fps_whole(p[0]);
	wn_stats_period_free(&p[0]);
}

/* Texts recorded while periods rotate: each period keeps a text at most
 * once and every item whole; every text is in some period. */
Test(stats, concurrent_fingerprints_across_rotations)
{
	wn_stats *st = open_at(hour(0), true);
	wn_stats_period *p[16];
	pthread_t t[FP_WRITERS];
	struct fp_writer w[FP_WRITERS];
	bool seen[FP_TEXTS] = { false };
	size_t n, i, k;
	unsigned j;
	int h;

	for (j = 0; j < FP_WRITERS; j++) {
		w[j] = (struct fp_writer){ st, j, FP_TEXTS, 5 };
		pthread_create(&t[j], NULL, fp_writer_main, &w[j]);
	}
	for (h = 1; h < 10; h++)
		cr_assert_eq(wn_stats_tick(st, hour(h), err, sizeof(err)), 1,
		    "%s", err);
	for (j = 0; j < FP_WRITERS; j++)
		pthread_join(t[j], NULL);
	wn_stats_free(&st, hour(h - 1) + 1);
	n = load_all(p, 16);
	cr_assert_eq(n, 10);
	for (i = 0; i < n; i++) {
		assert_fps_whole(p[i]);
		cr_assert_eq(p[i]->fingerprints_dropped, 0);
		for (k = 0; k < p[i]->n_fingerprints; k++)
			for (j = 0; j < FP_TEXTS; j++)
				if (p[i]->fingerprints[k].d == fp_mix(j))
					seen[j] = true;
		wn_stats_period_free(&p[i]);
	}
	/* the last period began after the last rotation; every writer's
	 * rounds recorded every text at least once somewhere */
	for (j = 0; j < FP_TEXTS; j++)
		cr_assert(seen[j], "text %u in no period", j);
}

/* The live file (a shared mapping) holds the published items with their
 * ready flags, before anything is synced or sealed. */
static void
live_read(void *buf, size_t len, off_t off)
{
	char path[512];
	int fd;

	spool_file("live-", path, sizeof(path));
	fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pread(fd, buf, len, off), (ssize_t)len);
	close(fd);
}

Test(stats, items_are_published_by_their_ready_flag)
{
	wn_stats *st = open_at(hour(0), true);
	struct wn_stats_fp_item it[3];
	uint64_t claimed;
	uint32_t v;

	record_fp_n(st, 7);
	record_fp_n(st, 8);
	record_fp_n(st, 7);
	live_read(&claimed, sizeof(claimed),
	    (off_t)offsetof(struct wn_stats_file, fp_claimed));
	live_read(&v, sizeof(v),
	    (off_t)offsetof(struct wn_stats_file, fp_version));
	live_read(it, sizeof(it), (off_t)offsetof(struct wn_stats_file, fp));
	cr_assert_eq(claimed, 2);
	cr_assert_eq(v, WN_FINGERPRINT_VERSION);
	cr_assert_eq(atomic_load(&it[0].ready), 1);
	cr_assert_eq(it[0].d, fp_mix(7));
	cr_assert_eq(it[0].b[15], fp_band(fp_mix(7), 15));
	cr_assert_eq(atomic_load(&it[1].ready), 1);
	cr_assert_eq(it[1].d, fp_mix(8));
	cr_assert_eq(atomic_load(&it[2].ready), 0);
	cr_assert_eq(it[2].d, 0);
	wn_stats_free(&st, hour(0) + 10);
}

/* A crash between an item's claim and its publication leaves it not
 * ready: the reader leaves it out and counts it as dropped; a damaged
 * flag likewise. */
Test(stats, an_item_that_is_not_ready_is_left_out)
{
	wn_stats *st = open_at(hour(0), true);
	wn_stats_period *p = NULL;
	char path[512];
	uint64_t zero = 0, junk = 77;
	int fd;

	record_fp_n(st, 1);
	record_fp_n(st, 2);
	record_fp_n(st, 3);
	wn_stats_free(&st, hour(0) + 10);
	spool_file("period-", path, sizeof(path));
	fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, &zero, sizeof(zero),
	    (off_t)offsetof(struct wn_stats_file, fp[1].ready)), 8);
	cr_assert_eq(pwrite(fd, &junk, sizeof(junk),
	    (off_t)offsetof(struct wn_stats_file, fp[2].ready)), 8);
	close(fd);
	cr_assert_eq(wn_stats_period_load(path, &p, err, sizeof(err)), 0, "%s",
	    err);
	cr_assert_eq(p->n_fingerprints, 1);
	cr_assert(has_fp(p, 1));
	cr_assert_eq(p->fingerprints_dropped, 2);
	wn_stats_period_free(&p);
}

/* A child keeps texts and dies unsealed; the next run continues the
 * period: the texts survive, a copy of one adds nothing. */
static void
crash_after_fps(uint64_t from, uint64_t to, time_t now)
{
	pid_t pid = fork();
	int status;

	cr_assert_neq(pid, -1);
	if (pid == 0) {
		wn_stats_opts o = { spool, 3600, true };
		wn_stats *st;
		uint64_t i;

		if (wn_stats_open(&o, now, &st, err, sizeof(err)) != 0)
			_exit(1);
		for (i = from; i < to; i++)
			record_fp_n(st, i);
		abort();
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status));
}

Test(stats, kept_fingerprints_survive_a_crash)
{
	wn_stats *st;
	wn_stats_period *p[2];

	crash_after_fps(0, 5, hour(0) + 5);
	st = open_at(hour(0) + 50, true);	/* same period: continue */
	cr_assert_eq(count_files("live-"), 1);
	record_fp_n(st, 4);		/* already kept */
	record_fp_n(st, 5);
	wn_stats_free(&st, hour(0) + 60);
	cr_assert_eq(load_all(p, 2), 1);
	cr_assert_eq(p[0]->n_fingerprints, 6);
	cr_assert_eq(p[0]->bulk_spam.low, 7);
	assert_fps_whole(p[0]);
	wn_stats_period_free(&p[0]);
}

/* Fingerprints of another version are never mixed into one period: a
 * live file that kept them is sealed as it is. So is one of the current
 * version left by a run at another sharing level. */
Test(stats, a_live_file_of_other_fingerprints_is_sealed_as_it_is)
{
	wn_stats *st;
	wn_stats_period *p[4];
	char path[512];
	uint32_t v = WN_FINGERPRINT_VERSION + 1;
	int fd;

	crash_after_fps(0, 3, hour(0) + 5);
	spool_file("live-", path, sizeof(path));
	fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, &v, sizeof(v),
	    (off_t)offsetof(struct wn_stats_file, fp_version)), 4);
	close(fd);
	st = open_at(hour(0) + 50, true);
	cr_assert_eq(count_files("period-"), 1);
	record_fp_n(st, 0);
	wn_stats_free(&st, hour(0) + 60);
	cr_assert_eq(load_all(p, 4), 2);
	cr_assert_eq(p[0]->fingerprint_version, WN_FINGERPRINT_VERSION + 1);
	cr_assert_eq(p[0]->n_fingerprints, 3);
	cr_assert_eq(p[1]->fingerprint_version, WN_FINGERPRINT_VERSION);
	cr_assert_eq(p[1]->n_fingerprints, 1);
	wn_stats_period_free(&p[0]);
	wn_stats_period_free(&p[1]);
	teardown();
	setup();

	crash_after_fps(0, 3, hour(0) + 5);
	st = open_at(hour(0) + 50, false);	/* now standard */
	cr_assert_eq(count_files("period-"), 1);
	record_fp_n(st, 0);
	wn_stats_free(&st, hour(0) + 60);
	cr_assert_eq(load_all(p, 4), 2);
	cr_assert(p[0]->fingerprints_counted);
	cr_assert_eq(p[0]->n_fingerprints, 3);
	cr_assert_not(p[1]->fingerprints_counted);
	wn_stats_period_free(&p[0]);
	wn_stats_period_free(&p[1]);
}

Test(stats, a_period_file_of_version_2_still_loads)
{
	wn_stats *st = open_at(hour(0) + 30, true);
	wn_stats_period *p = NULL;
	char path[512];

	record_spam(st, "DE", "203.0.113.9");
	record_fp_n(st, 1);
	wn_stats_free(&st, hour(0) + 90);
	spool_file("period-", path, sizeof(path));
	write_version(path, 2);
	cr_assert_eq(wn_stats_period_load(path, &p, err, sizeof(err)), 0, "%s",
	    err);
	cr_assert(p->bulk_counted);
	cr_assert_eq(p->bulk_spam.low, 1);
	cr_assert(p->prefixes_counted);
	cr_assert_eq(p->n_prefixes, 1);
	cr_assert_not(p->fingerprints_counted, "version 2 kept none");
	cr_assert_eq(p->n_fingerprints, 0);
	cr_assert_eq(p->fingerprints_dropped, 0);
	cr_assert_eq(p->scanned, 2);
	cr_assert_eq(p->start, hour(0) + 30);
	cr_assert_eq(p->end, hour(0) + 90);
	wn_stats_period_free(&p);
}

Test(stats, a_live_file_of_version_2_is_sealed_and_not_counted_into)
{
	wn_stats *st;
	wn_stats_period *p[3];
	char path[512];

	crash_after_fps(0, 4, hour(0) + 5);
	spool_file("live-", path, sizeof(path));
	write_version(path, 2);
	st = open_at(hour(0) + 50, true);
	cr_assert_eq(count_files("period-"), 1);
	cr_assert_eq(count_files("live-"), 1);
	cr_assert_eq(count_files("damaged-"), 0);
	record_fp_n(st, 9);
	wn_stats_free(&st, hour(0) + 60);
	cr_assert_eq(load_all(p, 3), 2);
	cr_assert_eq(p[0]->scanned, 4);
	cr_assert_eq(p[0]->start, hour(0) + 5);
	cr_assert_eq(p[0]->end, hour(0) + 50);
	cr_assert(p[0]->bulk_counted);
	cr_assert_eq(p[0]->bulk_spam.low, 4);
	cr_assert_not(p[0]->fingerprints_counted);
	cr_assert_eq(p[1]->scanned, 1);
	cr_assert(p[1]->fingerprints_counted);
	cr_assert_eq(p[1]->n_fingerprints, 1);
	cr_assert(has_fp(p[1], 9));
	wn_stats_period_free(&p[0]);
	wn_stats_period_free(&p[1]);
}
