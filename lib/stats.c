/*
 * stats.c - counting into the live period file and sealing it.
 *
 * Writers (sessions) find the live period through one atomic pointer and
 * announce themselves in its writer count before touching it; the ticker
 * swaps the pointer to the next period and waits for the count of the old
 * one to reach zero before it stamps, syncs and renames the file. A writer
 * that raced the swap sees the pointer changed, leaves and retries, so it
 * never writes into a sealed file. Retired period structures (not their
 * mappings) are kept until the next rotation, since a slow writer may
 * still read their count.
 *
 * A live file of an earlier format version (a crash before an upgrade) is
 * never counted into again: recovery seals it as it is, at its own size.
 * Nor is one that counted other things (prefixes, fingerprints, their
 * fingerprint version) than this run is told to.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winnow/alloc.h>
#include <winnow/bulk_feed.h>
#include <winnow/err.h>
#include <winnow/sign.h>

#include "stats_int.h"

const double wn_stats_score_bounds[WN_STATS_SCORE_BOUNDS] = {
	-5, 0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30
};
const double wn_stats_time_bounds_ms[WN_STATS_TIME_BOUNDS] = {
	0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000
};

typedef struct wn_stats_live {
	struct wn_stats_file *f;	/* whole only if of this version */
	size_t size;			/* mapped bytes */
	int fd;
	int64_t aligned_end;
	_Atomic unsigned writers;
	char name[64];			/* live-START.stats */
	struct wn_stats_live *retired;	/* kept until the next rotation */
} wn_stats_live;

struct wn_stats {
	char *spool;
	int dirfd;
	int lockfd;			/* flock on SPOOL/lock: one writer */
	unsigned period;
	bool prefixes;
	bool fingerprints;
	_Atomic(wn_stats_live *) cur;
	wn_stats_live *retired;
	_Atomic uint64_t lost;
	char rulesets[512];
};

int
wn_stats_fail(char *err, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	errno = e;
	return rc;
}

size_t
wn_stats_file_size(uint32_t version)
{
	switch (version) {
	case 1:
		return offsetof(struct wn_stats_file, bulk);
	case 2:
		return offsetof(struct wn_stats_file, fp_version);
	case 3:
		return sizeof(struct wn_stats_file);
	default:
		return 0;
	}
}

bool
wn_stats_hdr_ok(const struct wn_stats_hdr *h, uint64_t file_size)
{
	size_t want = wn_stats_file_size(h->version);

	return memcmp(h->magic, WN_STATS_MAGIC, 8) == 0 &&
	    h->byte_order == WN_STATS_BYTE_ORDER && want != 0 &&
	    h->size == want && file_size == want;
}

unsigned
wn_stats_country_slot(const char *cc)
{
	unsigned d[2], i;

	for (i = 0; i < 2; i++) {
		char c = cc[i];

		if (c >= 'A' && c <= 'Z')
			d[i] = (unsigned)(c - 'A');
		else if (c >= '0' && c <= '9')
			d[i] = 26 + (unsigned)(c - '0');
		else
			return 0;
	}
	return cc[2] == '\0' ? 1 + 36 * d[0] + d[1] : 0;
}

void
wn_stats_country_code(unsigned i, char cc[3])
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

	i--;
	cc[0] = digits[(i / 36) % 36];
	cc[1] = digits[i % 36];
	cc[2] = '\0';
}

uint64_t
wn_stats_prefix_key(const wn_ipaddr *a)
{
	const uint8_t *b = a->b;

	if (a->family == 4)
		return 4ull << 56 | (uint64_t)b[0] << 16 | (uint64_t)b[1] << 8 |
		    b[2];
	if (a->family == 6)
		return 6ull << 56 | (uint64_t)b[0] << 40 | (uint64_t)b[1] << 32 |
		    (uint64_t)b[2] << 24 | (uint64_t)b[3] << 16 |
		    (uint64_t)b[4] << 8 | b[5];
	return 0;
}

void
wn_stats_prefix_net(uint64_t key, wn_ipaddr *net)
{
	int i;

	memset(net, 0, sizeof(*net));
	net->family = (uint8_t)(key >> 56);
	if (net->family == 4)
		for (i = 0; i < 3; i++)
			net->b[i] = (uint8_t)(key >> (16 - 8 * i));
	else
		for (i = 0; i < 6; i++)
			net->b[i] = (uint8_t)(key >> (40 - 8 * i));
}

static int64_t
wn_aligned_end(int64_t t, unsigned period)
{
	return (t / period + 1) * period;
}

/* The live file of a period starting at start: created aside, filled,
 * then renamed into place, so a live-*.stats file is always whole. */
static int
wn_live_create(wn_stats *st, int64_t start, wn_stats_live **out, char *err,
    size_t errlen)
{
	wn_stats_live *l;
	char tmp[80];
	struct wn_stats_file *f;
	int fd;

	if ((l = wn_calloc(1, sizeof(*l))) == NULL)
		return WN_ENOMEM;
	snprintf(l->name, sizeof(l->name), "live-%012lld.stats",
	    (long long)start);
	snprintf(tmp, sizeof(tmp), "%s.tmp", l->name);
	fd = openat(st->dirfd, tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0640);
	if (fd < 0) {
		wn_free(l);
		return wn_stats_fail(err, errlen, WN_EIO, "%s/%s: %s", st->spool,
		    tmp, strerror(errno));
	}
	if (ftruncate(fd, sizeof(*f)) != 0 ||
	    (f = mmap(NULL, sizeof(*f), PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0)) == MAP_FAILED) {
		int rc = wn_stats_fail(err, errlen, WN_EIO, "%s/%s: %s", st->spool,
		    tmp, strerror(errno));

		close(fd);
		unlinkat(st->dirfd, tmp, 0);
		wn_free(l);
		return rc;
	}
	memcpy(f->h.magic, WN_STATS_MAGIC, 8);
	f->h.version = WN_STATS_VERSION;
	f->h.byte_order = WN_STATS_BYTE_ORDER;
	f->h.size = sizeof(*f);
	f->h.start = start;
	f->h.period = st->period;
	f->h.flags = (st->prefixes ? WN_STATS_PREFIXES_ON : 0) |
	    (st->fingerprints ? WN_STATS_FPS_ON : 0);
	f->fp_version = WN_FINGERPRINT_VERSION;
	wn_sign_random_hex(f->h.report_id, 16);
	snprintf(f->h.rulesets, sizeof(f->h.rulesets), "%s", st->rulesets);
	if (msync(f, sizeof(*f), MS_SYNC) != 0 || fsync(fd) != 0 ||
	    renameat(st->dirfd, tmp, st->dirfd, l->name) != 0) {
		int rc = wn_stats_fail(err, errlen, WN_EIO, "%s/%s: %s", st->spool,
		    l->name, strerror(errno));

		munmap(f, sizeof(*f));
		close(fd);
		unlinkat(st->dirfd, tmp, 0);
		wn_free(l);
		return rc;
	}
	fsync(st->dirfd);
	l->f = f;
	l->size = sizeof(*f);
	l->fd = fd;
	l->aligned_end = wn_aligned_end(start, st->period);
	*out = l;
	return 0;
}

/*
 * An existing live file, mapped again at its own size (an earlier
 * version's is shorter). WN_EFORMAT if it is not one.
 */
static int
wn_live_map(wn_stats *st, const char *name, wn_stats_live **out, char *err,
    size_t errlen)
{
	wn_stats_live *l;
	struct wn_stats_file *f;
	struct stat sb;
	size_t size;
	int fd;

	fd = openat(st->dirfd, name, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return wn_stats_fail(err, errlen, WN_EIO, "%s/%s: %s", st->spool,
		    name, strerror(errno));
	if (fstat(fd, &sb) != 0 || sb.st_size < (off_t)sizeof(f->h) ||
	    sb.st_size > (off_t)sizeof(*f)) {
		close(fd);
		return wn_stats_fail(err, errlen, WN_EFORMAT, "%s/%s: not a period "
		    "file of a known version (size)", st->spool, name);
	}
	size = (size_t)sb.st_size;
	f = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (f == MAP_FAILED) {
		int rc = wn_stats_fail(err, errlen, WN_EIO, "%s/%s: %s", st->spool,
		    name, strerror(errno));

		close(fd);
		return rc;
	}
	if (!wn_stats_hdr_ok(&f->h, size) || f->h.period < 60 ||
	    f->h.period > 86400 || f->h.start <= 0 ||
	    (f->h.flags & WN_STATS_SEALED)) {
		munmap(f, size);
		close(fd);
		return wn_stats_fail(err, errlen, WN_EFORMAT, "%s/%s: not a live "
		    "period file of a known version (header)", st->spool, name);
	}
	if ((l = wn_calloc(1, sizeof(*l))) == NULL) {
		munmap(f, size);
		close(fd);
		return WN_ENOMEM;
	}
	l->f = f;
	l->size = size;
	l->fd = fd;
	l->aligned_end = wn_aligned_end(f->h.start, f->h.period);
	snprintf(l->name, sizeof(l->name), "%s", name);
	*out = l;
	return 0;
}

/* Stamp, sync and rename a live file no writer uses any more; unmaps it.
 * On failure the file stays live (the next run seals it). */
static int
wn_live_seal(wn_stats *st, wn_stats_live *l, int64_t end, char *err,
    size_t errlen)
{
	char sealed[96];
	int rc = 0;

	if (end < l->f->h.start)
		end = l->f->h.start;
	l->f->h.end = end;
	l->f->h.flags |= WN_STATS_SEALED;
	snprintf(sealed, sizeof(sealed), "period-%012lld-%s.stats",
	    (long long)l->f->h.start, l->f->h.report_id);
	if (msync(l->f, l->size, MS_SYNC) != 0 || fsync(l->fd) != 0 ||
	    renameat(st->dirfd, l->name, st->dirfd, sealed) != 0) {
		rc = wn_stats_fail(err, errlen, WN_EIO, "%s/%s: cannot seal: %s",
		    st->spool, l->name, strerror(errno));
		l->f->h.end = 0;
		l->f->h.flags &= ~WN_STATS_SEALED;
	} else {
		fsync(st->dirfd);
	}
	munmap(l->f, l->size);
	close(l->fd);
	l->f = NULL;
	l->fd = -1;
	return rc;
}

static void
wn_live_free(wn_stats_live *l)
{
	while (l != NULL) {
		wn_stats_live *next = l->retired;

		if (l->f != NULL) {
			munmap(l->f, l->size);
			close(l->fd);
		}
		wn_free(l);
		l = next;
	}
}

static int
wn_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Seal what an earlier run left; return the live file of the current
 * period, if any, in *cur. Damaged files are renamed aside, not lost. */
static int
wn_stats_recover(wn_stats *st, time_t now, wn_stats_live **cur, char *err,
    size_t errlen)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0, dfd;

	*cur = NULL;
	if ((dfd = dup(st->dirfd)) < 0 || (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		return wn_stats_fail(err, errlen, WN_EIO, "%s: %s", st->spool,
		    strerror(errno));
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len > 4 && strcmp(e->d_name + len - 4, ".tmp") == 0) {
			unlinkat(st->dirfd, e->d_name, 0);
			continue;
		}
		if (strncmp(e->d_name, "live-", 5) != 0 || len < 11 ||
		    strcmp(e->d_name + len - 6, ".stats") != 0)
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? 2 * cap : 8) *
			    sizeof(*names));

			if (nn == NULL) {
				rc = WN_ENOMEM;
				goto out;
			}
			names = nn;
		}
		if ((names[n] = strdup(e->d_name)) == NULL) {
			rc = WN_ENOMEM;
			goto out;
		}
		n++;
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), wn_name_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		wn_stats_live *l = NULL;
		int r = wn_live_map(st, names[i], &l, err, errlen);

		if (r == WN_EFORMAT) {
			char aside[96];

			snprintf(aside, sizeof(aside), "damaged-%s", names[i]);
			renameat(st->dirfd, names[i], st->dirfd, aside);
			continue;
		}
		if (r != 0) {
			rc = r;
			break;
		}
		/* the newest file of the current period goes on counting,
		 * unless an earlier version wrote it, it counted other
		 * things, or fingerprints of another version */
		if (i == n - 1 && now < l->aligned_end &&
		    l->f->h.version == WN_STATS_VERSION &&
		    l->f->h.period == st->period &&
		    !!(l->f->h.flags & WN_STATS_PREFIXES_ON) == st->prefixes &&
		    !!(l->f->h.flags & WN_STATS_FPS_ON) == st->fingerprints &&
		    l->f->fp_version == WN_FINGERPRINT_VERSION) {
			*cur = l;
			break;
		}
		rc = wn_live_seal(st, l, now < l->aligned_end ? now :
		    l->aligned_end, err, errlen);
		wn_live_free(l);
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int
wn_stats_open(const wn_stats_opts *o, time_t now, wn_stats **out, char *err,
    size_t errlen)
{
	wn_stats *st;
	wn_stats_live *cur = NULL;
	int rc;

	*out = NULL;
	if (o->period < 60 || o->period > 86400 || 86400 % o->period != 0)
		return wn_stats_fail(err, errlen, WN_EINVAL, "report period %u s "
		    "does not divide a day", o->period);
	if ((st = wn_calloc(1, sizeof(*st))) == NULL ||
	    (st->spool = strdup(o->spool)) == NULL) {
		wn_free(st);
		return WN_ENOMEM;
	}
	st->period = o->period;
	st->prefixes = o->cooperative;
	st->fingerprints = o->cooperative;
	if (mkdir(o->spool, 0750) != 0 && errno != EEXIST) {
		rc = wn_stats_fail(err, errlen, WN_EIO, "%s: %s", o->spool,
		    strerror(errno));
		goto fail;
	}
	st->dirfd = open(o->spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dirfd < 0) {
		rc = wn_stats_fail(err, errlen, WN_EIO, "%s: %s", o->spool,
		    strerror(errno));
		goto fail;
	}
	/* Two daemons counting into one live file would seal it twice. */
	st->lockfd = openat(st->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC,
	    0640);
	if (st->lockfd < 0 || flock(st->lockfd, LOCK_EX | LOCK_NB) != 0) {
		rc = wn_stats_fail(err, errlen, WN_EIO, "%s/lock: %s",
		    o->spool, errno == EWOULDBLOCK ? "the spool is in use by "
		    "another winnowd" : strerror(errno));
		goto fail;
	}
	if ((rc = wn_stats_recover(st, now, &cur, err, errlen)) != 0)
		goto fail;
	if (cur == NULL &&
	    (rc = wn_live_create(st, now, &cur, err, errlen)) != 0)
		goto fail;
	atomic_store(&st->cur, cur);
	*out = st;
	return 0;
fail:
	if (st->lockfd > 0)
		close(st->lockfd);
	if (st->dirfd > 0)
		close(st->dirfd);
	free(st->spool);
	wn_free(st);
	return rc;
}

static uint64_t
wn_name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h ? h : 1;
}

static void
wn_count_rule(struct wn_stats_file *f, const char *name, bool spam)
{
	uint64_t h = wn_name_hash(name);
	unsigned i, p;

	for (p = 0, i = (unsigned)h % WN_STATS_RULES; p < WN_STATS_PROBES;
	    p++, i = (i + 1) % WN_STATS_RULES) {
		struct wn_stats_rule_slot *s = &f->rules[i];
		uint64_t k = atomic_load_explicit(&s->key,
		    memory_order_acquire);

		if (k == 0) {
			uint64_t zero = 0;

			if (atomic_compare_exchange_strong(&s->key, &zero, h)) {
				snprintf(s->name, sizeof(s->name), "%s", name);
				k = h;
			} else {
				k = zero;
			}
		}
		if (k == h) {
			atomic_fetch_add_explicit(spam ? &s->spam : &s->ham, 1,
			    memory_order_relaxed);
			return;
		}
	}
	atomic_fetch_add_explicit(&f->c[spam ? WN_SC_RULES_OTHER_SPAM :
	    WN_SC_RULES_OTHER_HAM], 1, memory_order_relaxed);
}

static void
wn_count_prefix(struct wn_stats_file *f, const wn_ipaddr *a)
{
	uint64_t key = wn_stats_prefix_key(a), h;
	unsigned i, p;

	if (key == 0)
		return;
	h = key * 0x9e3779b97f4a7c15ull;
	for (p = 0, i = (unsigned)(h >> 40) % WN_STATS_PREFIXES;
	    p < WN_STATS_PROBES; p++, i = (i + 1) % WN_STATS_PREFIXES) {
		struct wn_stats_prefix_slot *s = &f->prefixes[i];
		uint64_t k = atomic_load_explicit(&s->key,
		    memory_order_relaxed);

		if (k == 0) {
			uint64_t zero = 0;

			if (!atomic_compare_exchange_strong(&s->key, &zero,
			    key))
				k = zero;
			else
				k = key;
		}
		if (k == key) {
			atomic_fetch_add_explicit(&s->spam, 1,
			    memory_order_relaxed);
			return;
		}
	}
	atomic_fetch_add_explicit(&f->c[WN_SC_PREFIX_OTHER], 1,
	    memory_order_relaxed);
}

/*
 * Keep a bulk text's keys (stats_int.h has the scheme): claim its digest
 * key in the index, and if this thread's claim is the one that won, take
 * the next item, write the keys and publish them. Someone else's claim on
 * the key means the text is already kept (or dropped): nothing to add.
 */
static void
wn_count_fingerprint(struct wn_stats_file *f, const wn_fingerprint *fp)
{
	uint64_t d = wn_bulk_feed_digest_key(fp);
	uint64_t key = d != 0 ? d : 1;	/* 0 marks a free slot */
	struct wn_stats_fp_item *it;
	uint64_t n;
	unsigned i, p;

	/* the key is 8 bytes of BLAKE2b: uniform as it is */
	i = (unsigned)(key % WN_STATS_FP_INDEX);
	for (p = 0; p < WN_STATS_FP_INDEX; p++, i = (i + 1) %
	    WN_STATS_FP_INDEX) {
		uint64_t k = atomic_load_explicit(&f->fp_index[i],
		    memory_order_relaxed);

		if (k == 0 && atomic_compare_exchange_strong_explicit(
		    &f->fp_index[i], &k, key, memory_order_relaxed,
		    memory_order_relaxed))
			break;
		if (k == key)
			return;
	}
	if (p == WN_STATS_FP_INDEX) {
		atomic_fetch_add_explicit(&f->fp_dropped, 1,
		    memory_order_relaxed);
		return;
	}
	n = atomic_fetch_add_explicit(&f->fp_claimed, 1, memory_order_relaxed);
	if (n >= WN_STATS_FPS) {
		atomic_fetch_add_explicit(&f->fp_dropped, 1,
		    memory_order_relaxed);
		return;
	}
	it = &f->fp[n];
	it->d = d;
	memcpy(it->b, fp->bands, sizeof(it->b));
	atomic_store_explicit(&it->ready, 1, memory_order_release);
}

/* Whether a message's text is one to share (docs/arch/bulk-sharing.md):
 * spam, BULK_LOW or above (so not exempt), and long enough. */
static bool
wn_fingerprint_qualifies(const struct wn_stats_file *f,
    const wn_stats_msg *m)
{
	const wn_fingerprint *fp = m->fingerprint;

	if (!m->spam || fp == NULL || (fp->flags & WN_FINGERPRINT_SHORT) ||
	    fp->version != f->fp_version)
		return false;
	return m->bulk == WN_STATS_BULK_LOW ||
	    m->bulk == WN_STATS_BULK_MEDIUM || m->bulk == WN_STATS_BULK_HIGH;
}

static unsigned
wn_bucket(const double *bounds, unsigned n, double v)
{
	unsigned i;

	for (i = 0; i < n && v >= bounds[i]; i++)
		;
	return i;
}

#define WN_ADD(f, idx) \
	atomic_fetch_add_explicit(&(f)->c[(idx)], 1, memory_order_relaxed)

/* Bulk detections, under the class of the verdict. An exempt message
 * earns no symbol, so its flags are not believed. */
static void
wn_count_bulk(struct wn_stats_file *f, const wn_stats_msg *m)
{
	_Atomic uint64_t *b = f->bulk[m->spam ? 1 : 0];
	bool flagged = m->bulk_senders || m->bulk_attachment;
	int level = -1;

#define WN_BULK_ADD(i) \
	atomic_fetch_add_explicit(&b[(i)], 1, memory_order_relaxed)

	switch (m->bulk) {
	case WN_STATS_BULK_NONE:
		break;
	case WN_STATS_BULK_LOW:
		level = WN_SB_LOW;
		break;
	case WN_STATS_BULK_MEDIUM:
		level = WN_SB_MEDIUM;
		break;
	case WN_STATS_BULK_HIGH:
		level = WN_SB_HIGH;
		break;
	case WN_STATS_BULK_EXEMPT:
		WN_BULK_ADD(WN_SB_CHECKED);
		WN_BULK_ADD(WN_SB_EXEMPT);
		return;
	case WN_STATS_BULK_OFF:
	default:
		return;
	}
	WN_BULK_ADD(WN_SB_CHECKED);
	if (level >= 0) {
		WN_BULK_ADD(level);
		flagged = true;
	}
	if (m->bulk_senders)
		WN_BULK_ADD(WN_SB_SENDERS);
	if (m->bulk_attachment)
		WN_BULK_ADD(WN_SB_ATTACHMENT);
	if (flagged)
		WN_BULK_ADD(WN_SB_FLAGGED);
#undef WN_BULK_ADD
}

static void
wn_count(wn_stats *st, struct wn_stats_file *f, const wn_stats_msg *m)
{
	unsigned i;
	uint64_t fl;

	if (m->outcome == WN_STATS_SKIPPED) {
		WN_ADD(f, WN_SC_SKIPPED);
		return;
	}
	if (m->outcome == WN_STATS_FAILED) {
		WN_ADD(f, WN_SC_FAILED);
		return;
	}
	WN_ADD(f, WN_SC_SCANNED);
	WN_ADD(f, m->spam ? WN_SC_SPAM : WN_SC_HAM);
	if ((unsigned)m->action < 7)
		WN_ADD(f, WN_SC_ACTION + m->action);
	WN_ADD(f, WN_SC_SPF + (m->spf >= 0 && m->spf < 7 ? (unsigned)m->spf :
	    WN_STATS_SPF_NOT_CHECKED));
	if ((unsigned)m->bayes < 3)
		WN_ADD(f, WN_SC_BAYES + m->bayes);
	WN_ADD(f, WN_SC_SCORE + wn_bucket(wn_stats_score_bounds,
	    WN_STATS_SCORE_BOUNDS, m->score));
	WN_ADD(f, WN_SC_TIME + wn_bucket(wn_stats_time_bounds_ms,
	    WN_STATS_TIME_BOUNDS, m->scan_ms));
	for (fl = m->anomalies, i = 0; fl != 0; fl >>= 1, i++)
		if (fl & 1)
			WN_ADD(f, WN_SC_ANOMALY + i);
	for (i = 0; i < m->n_symbols; i++)
		wn_count_rule(f, m->symbols[i].name, m->spam);
	wn_count_bulk(f, m);
	if (st->fingerprints && wn_fingerprint_qualifies(f, m))
		wn_count_fingerprint(f, m->fingerprint);
	i = wn_stats_country_slot(m->country);
	atomic_fetch_add_explicit(&f->country[i][0], 1, memory_order_relaxed);
	if (m->spam) {
		atomic_fetch_add_explicit(&f->country[i][1], 1,
		    memory_order_relaxed);
		if (st->prefixes && m->client != NULL)
			wn_count_prefix(f, m->client);
	}
}

void
wn_stats_record(wn_stats *st, const wn_stats_msg *m)
{
	wn_stats_live *l;

	for (;;) {
		l = atomic_load(&st->cur);
		if (l == NULL) {
			atomic_fetch_add_explicit(&st->lost, 1,
			    memory_order_relaxed);
			return;
		}
		atomic_fetch_add(&l->writers, 1);
		if (atomic_load(&st->cur) == l)
			break;
		atomic_fetch_sub(&l->writers, 1);
	}
	wn_count(st, l->f, m);
	atomic_fetch_sub(&l->writers, 1);
}

/* After the pointer moved on: wait for the writers still inside l. */
static void
wn_live_drain(wn_stats_live *l)
{
	struct timespec ts = { 0, 100000 };

	while (atomic_load(&l->writers) != 0)
		nanosleep(&ts, NULL);
}

int
wn_stats_tick(wn_stats *st, time_t now, char *err, size_t errlen)
{
	wn_stats_live *old = atomic_load(&st->cur), *next;
	int64_t start;
	int rc;

	if (old != NULL && now < old->aligned_end)
		return 0;
	/* the next period starts where the old one ended, or now if the
	 * clock jumped past it */
	start = old != NULL && now < old->aligned_end + st->period ?
	    old->aligned_end : now;
	if ((rc = wn_live_create(st, start, &next, err, errlen)) != 0)
		return rc;
	atomic_store(&st->cur, next);
	if (old == NULL)
		return 0;
	wn_live_drain(old);
	rc = wn_live_seal(st, old, old->aligned_end, err, errlen);
	/* free the structures retired a rotation ago; keep this one */
	wn_live_free(st->retired);
	st->retired = old;
	old->retired = NULL;
	return rc != 0 ? rc : 1;
}

void
wn_stats_sync(wn_stats *st)
{
	wn_stats_live *l = atomic_load(&st->cur);

	if (l != NULL)
		msync(l->f, l->size, MS_ASYNC);
}

void
wn_stats_set_rulesets(wn_stats *st, const char *lines)
{
	wn_stats_live *l = atomic_load(&st->cur);

	snprintf(st->rulesets, sizeof(st->rulesets), "%s", lines);
	if (l != NULL)
		snprintf(l->f->h.rulesets, sizeof(l->f->h.rulesets), "%s",
		    lines);
}

uint64_t
wn_stats_lost(const wn_stats *st)
{
	return atomic_load(&((wn_stats *)st)->lost);
}

int
wn_stats_shutdown(wn_stats *st, time_t now, char *err, size_t errlen)
{
	wn_stats_live *l = atomic_exchange(&st->cur, NULL);
	int rc;

	if (l == NULL)
		return 0;
	wn_live_drain(l);
	rc = wn_live_seal(st, l, now < l->aligned_end ? now : l->aligned_end,
	    err, errlen);
	/* a writer that loaded the pointer before the exchange may still
	 * look at l's writer count */
	l->retired = st->retired;
	st->retired = l;
	return rc;
}

void
wn_stats_free(wn_stats **stp, time_t now)
{
	wn_stats *st = *stp;
	char err[256];

	if (st == NULL)
		return;
	*stp = NULL;
	wn_stats_shutdown(st, now, err, sizeof(err));
	wn_live_free(st->retired);
	close(st->lockfd);
	close(st->dirfd);
	free(st->spool);
	wn_free(st);
}
