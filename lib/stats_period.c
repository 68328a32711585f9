/*
 * stats_period.c - reading sealed period files back for reports, and
 * listing a spool.
 *
 * A period file is read whole into memory and checked before anything in
 * it is believed: magic, version, byte order, size, sealed flag, times.
 * A file of an earlier version is read into a zeroed structure of the
 * current one (versions only append, stats_int.h), and what it could not
 * count is marked so (bulk_counted, fingerprints_counted). Table slots
 * whose names are not symbol names (a crash while a slot was being
 * claimed) count as "other"; a fingerprint item claimed but never
 * published (the same crash) counts as dropped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winnow/alloc.h>
#include <winnow/err.h>

#include "stats_int.h"

static bool
wn_symbol_name_ok(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	return n > 0 && n < cap && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_.:-") == n;
}

static int
wn_rule_cmp(const void *a, const void *b)
{
	return strcmp(((const wn_stats_rule *)a)->name,
	    ((const wn_stats_rule *)b)->name);
}

static int
wn_prefix_cmp(const void *a, const void *b)
{
	const wn_stats_prefix *x = a, *y = b;

	if (x->spam != y->spam)
		return x->spam > y->spam ? -1 : 1;
	return memcmp(&x->net, &y->net, sizeof(x->net));
}

static int
wn_fp_cmp(const void *a, const void *b)
{
	uint64_t x = ((const wn_stats_fingerprint *)a)->d;
	uint64_t y = ((const wn_stats_fingerprint *)b)->d;

	return x < y ? -1 : x > y;
}

/*
 * The kept bulk fingerprints: the items handed out (at most WN_STATS_FPS)
 * that were published, by digest key. An item that is not ready was lost
 * to a crash between its claim and its publication: dropped. A digest key
 * twice can only be damage; it is kept once.
 */
static int
wn_period_fingerprints(const struct wn_stats_file *f, wn_stats_period *p)
{
	uint64_t claimed = atomic_load(&f->fp_claimed);
	size_t n = claimed < WN_STATS_FPS ? (size_t)claimed : WN_STATS_FPS;
	size_t i, k;

	p->fingerprint_version = f->fp_version;
	p->fingerprints_dropped = atomic_load(&f->fp_dropped);
	if (n == 0)
		return 0;
	if ((p->fingerprints = wn_calloc(n, sizeof(*p->fingerprints))) == NULL)
		return WN_ENOMEM;
	for (i = 0, k = 0; i < n; i++) {
		const struct wn_stats_fp_item *it = &f->fp[i];

		if (atomic_load_explicit(&it->ready,
		    memory_order_acquire) != 1) {
			p->fingerprints_dropped++;
			continue;
		}
		p->fingerprints[k].d = it->d;
		memcpy(p->fingerprints[k].b, it->b, sizeof(it->b));
		k++;
	}
	qsort(p->fingerprints, k, sizeof(*p->fingerprints), wn_fp_cmp);
	for (i = 0, n = 0; i < k; i++)
		if (n == 0 || p->fingerprints[i].d != p->fingerprints[n - 1].d)
			p->fingerprints[n++] = p->fingerprints[i];
	p->n_fingerprints = n;
	return 0;
}

#define RD(f, i) atomic_load_explicit(&(f)->c[(i)], memory_order_relaxed)

static void
wn_period_bulk(const struct wn_stats_file *f, int spam,
    wn_stats_bulk_counts *b)
{
#define RB(i) atomic_load_explicit(&f->bulk[spam][(i)], memory_order_relaxed)
	b->checked = RB(WN_SB_CHECKED);
	b->exempt = RB(WN_SB_EXEMPT);
	b->flagged = RB(WN_SB_FLAGGED);
	b->low = RB(WN_SB_LOW);
	b->medium = RB(WN_SB_MEDIUM);
	b->high = RB(WN_SB_HIGH);
	b->senders = RB(WN_SB_SENDERS);
	b->attachment = RB(WN_SB_ATTACHMENT);
#undef RB
}

static int
wn_period_extract(const struct wn_stats_file *f, wn_stats_period *p)
{
	size_t i, n;

	memcpy(p->report_id, f->h.report_id, sizeof(p->report_id));
	p->report_id[32] = '\0';
	p->start = f->h.start;
	p->end = f->h.end;
	p->period = f->h.period;
	p->prefixes_counted = (f->h.flags & WN_STATS_PREFIXES_ON) != 0;
	memcpy(p->rulesets, f->h.rulesets, sizeof(p->rulesets));
	p->rulesets[sizeof(p->rulesets) - 1] = '\0';
	p->scanned = RD(f, WN_SC_SCANNED);
	p->skipped = RD(f, WN_SC_SKIPPED);
	p->failed = RD(f, WN_SC_FAILED);
	p->ham = RD(f, WN_SC_HAM);
	p->spam = RD(f, WN_SC_SPAM);
	for (i = 0; i < 7; i++)
		p->action[i] = RD(f, WN_SC_ACTION + i);
	for (i = 0; i < 8; i++)
		p->spf[i] = RD(f, WN_SC_SPF + i);
	for (i = 0; i < 3; i++)
		p->bayes[i] = RD(f, WN_SC_BAYES + i);
	for (i = 0; i <= WN_STATS_SCORE_BOUNDS; i++)
		p->score[i] = RD(f, WN_SC_SCORE + i);
	for (i = 0; i <= WN_STATS_TIME_BOUNDS; i++)
		p->scan_time[i] = RD(f, WN_SC_TIME + i);
	for (i = 0; i < WN_STATS_ANOMALIES; i++)
		p->anomalies[i] = RD(f, WN_SC_ANOMALY + i);
	p->rules_other_spam = RD(f, WN_SC_RULES_OTHER_SPAM);
	p->rules_other_ham = RD(f, WN_SC_RULES_OTHER_HAM);
	p->prefixes_other = RD(f, WN_SC_PREFIX_OTHER);
	if ((p->bulk_counted = f->h.version >= 2)) {
		wn_period_bulk(f, 0, &p->bulk_ham);
		wn_period_bulk(f, 1, &p->bulk_spam);
	}
	if ((p->fingerprints_counted = f->h.version >= 3 &&
	    (f->h.flags & WN_STATS_FPS_ON) != 0) &&
	    wn_period_fingerprints(f, p) != 0)
		return WN_ENOMEM;

	p->rules = wn_calloc(WN_STATS_RULES, sizeof(*p->rules));
	p->countries = wn_calloc(WN_STATS_COUNTRY_SLOTS, sizeof(*p->countries));
	p->prefixes = wn_calloc(WN_STATS_PREFIXES, sizeof(*p->prefixes));
	if (p->rules == NULL || p->countries == NULL || p->prefixes == NULL)
		return WN_ENOMEM;
	for (i = 0, n = 0; i < WN_STATS_RULES; i++) {
		const struct wn_stats_rule_slot *s = &f->rules[i];
		uint64_t spam = atomic_load(&s->spam), ham = atomic_load(&s->ham);

		if (atomic_load(&s->key) == 0 || spam + ham == 0)
			continue;
		if (!wn_symbol_name_ok(s->name, sizeof(s->name))) {
			p->rules_other_spam += spam;
			p->rules_other_ham += ham;
			continue;
		}
		memcpy(p->rules[n].name, s->name, sizeof(s->name));
		p->rules[n].spam = spam;
		p->rules[n].ham = ham;
		n++;
	}
	p->n_rules = n;
	qsort(p->rules, n, sizeof(*p->rules), wn_rule_cmp);
	for (i = 0, n = 0; i < WN_STATS_COUNTRY_SLOTS; i++) {
		uint64_t msgs = atomic_load(&f->country[i][0]);

		if (msgs == 0)
			continue;
		if (i == 0)
			p->countries[n].country[0] = '\0';
		else
			wn_stats_country_code((unsigned)i,
			    p->countries[n].country);
		p->countries[n].messages = msgs;
		p->countries[n].spam = atomic_load(&f->country[i][1]);
		n++;
	}
	p->n_countries = n;
	for (i = 0, n = 0; i < WN_STATS_PREFIXES; i++) {
		uint64_t key = atomic_load(&f->prefixes[i].key);
		uint64_t spam = atomic_load(&f->prefixes[i].spam);

		if (key == 0 || spam == 0)
			continue;
		if ((key >> 56) != 4 && (key >> 56) != 6) {
			p->prefixes_other += spam;
			continue;
		}
		wn_stats_prefix_net(key, &p->prefixes[n].net);
		p->prefixes[n].spam = spam;
		n++;
	}
	p->n_prefixes = n;
	qsort(p->prefixes, n, sizeof(*p->prefixes), wn_prefix_cmp);
	return 0;
}

int
wn_stats_period_load(const char *path, wn_stats_period **out, char *err,
    size_t errlen)
{
	struct wn_stats_file *f = NULL;
	wn_stats_period *p = NULL;
	struct stat sb;
	size_t got = 0, size;
	int fd, rc;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return wn_stats_fail(err, errlen, errno == ENOENT ? WN_ENOENT :
		    WN_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0) {
		rc = wn_stats_fail(err, errlen, WN_EIO, "%s: %s", path,
		    strerror(errno));
		goto out;
	}
	/* the header says which version; it must agree with the size */
	if (sb.st_size < (off_t)sizeof(f->h) ||
	    sb.st_size > (off_t)sizeof(*f)) {
		rc = wn_stats_fail(err, errlen, WN_EFORMAT, "%s: not a period file "
		    "of a known version (%lld bytes)", path,
		    (long long)sb.st_size);
		goto out;
	}
	size = (size_t)sb.st_size;
	if ((f = wn_calloc(1, sizeof(*f))) == NULL) {
		rc = WN_ENOMEM;
		goto out;
	}
	while (got < size) {
		ssize_t r = read(fd, (char *)f + got, size - got);

		if (r <= 0) {
			rc = wn_stats_fail(err, errlen, WN_EIO, "%s: %s", path,
			    r < 0 ? strerror(errno) : "short read");
			goto out;
		}
		got += (size_t)r;
	}
	if (!wn_stats_hdr_ok(&f->h, size)) {
		rc = wn_stats_fail(err, errlen, WN_EFORMAT, "%s: not a period file "
		    "of a known version", path);
		goto out;
	}
	if (!(f->h.flags & WN_STATS_SEALED) || f->h.start <= 0 ||
	    f->h.end < f->h.start || f->h.period < 60 ||
	    f->h.period > 86400 ||
	    strspn(f->h.report_id, "0123456789abcdef") != 32 ||
	    (f->h.version >= 3 && (f->h.flags & WN_STATS_FPS_ON) &&
	    f->fp_version == 0)) {
		rc = wn_stats_fail(err, errlen, WN_EFORMAT, "%s: damaged or not "
		    "sealed (header)", path);
		goto out;
	}
	if ((p = wn_calloc(1, sizeof(*p))) == NULL) {
		rc = WN_ENOMEM;
		goto out;
	}
	if ((rc = wn_period_extract(f, p)) != 0) {
		wn_stats_period_free(&p);
		goto out;
	}
	*out = p;
out:
	wn_free(f);
	close(fd);
	return rc;
}

void
wn_stats_period_free(wn_stats_period **pp)
{
	wn_stats_period *p = *pp;

	if (p == NULL)
		return;
	wn_free(p->rules);
	wn_free(p->countries);
	wn_free(p->prefixes);
	wn_free(p->fingerprints);
	wn_free(p);
	*pp = NULL;
}

static int
wn_path_cmp(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/');
	const char *y = strrchr(*(char *const *)b, '/');

	return strcmp(x, y);
}

int
wn_stats_spool_list(const char *spool, char ***paths_out, size_t *n_out)
{
	DIR *d;
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, cap = 0;

	*paths_out = NULL;
	*n_out = 0;
	if ((d = opendir(spool)) == NULL)
		return errno == ENOENT ? WN_ENOENT : WN_EIO;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (strncmp(e->d_name, "period-", 7) != 0 || len < 13 ||
		    strcmp(e->d_name + len - 6, ".stats") != 0)
			continue;
		if (n == cap) {
			char **nv = realloc(v, (cap = cap ? 2 * cap : 16) *
			    sizeof(*v));

			if (nv == NULL)
				goto nomem;
			v = nv;
		}
		if ((v[n] = malloc(strlen(spool) + len + 2)) == NULL)
			goto nomem;
		sprintf(v[n], "%s/%s", spool, e->d_name);
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(v, n, sizeof(*v), wn_path_cmp);
	*paths_out = v;
	*n_out = n;
	return 0;
nomem:
	closedir(d);
	wn_stats_spool_list_free(v, n);
	return WN_ENOMEM;
}

void
wn_stats_spool_list_free(char **paths, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

double
wn_stats_percentile(const uint64_t counts[WN_STATS_TIME_BOUNDS + 1], double q)
{
	uint64_t total = 0, seen = 0;
	double rank;
	size_t i;

	for (i = 0; i <= WN_STATS_TIME_BOUNDS; i++)
		total += counts[i];
	if (total == 0)
		return 0;
	rank = q * (double)total;
	for (i = 0; i <= WN_STATS_TIME_BOUNDS; i++) {
		double lo, hi;

		if (counts[i] == 0 || (double)(seen + counts[i]) < rank) {
			seen += counts[i];
			continue;
		}
		if (i == WN_STATS_TIME_BOUNDS)
			return wn_stats_time_bounds_ms[i - 1];
		lo = i == 0 ? 0 : wn_stats_time_bounds_ms[i - 1];
		hi = wn_stats_time_bounds_ms[i];
		return lo + (hi - lo) * (rank - (double)seen) /
		    (double)counts[i];
	}
	return wn_stats_time_bounds_ms[WN_STATS_TIME_BOUNDS - 1];
}
