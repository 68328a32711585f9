/*
 * config_bulk.c - the bulk store and parameters of a configuration
 * snapshot.
 *
 * Like the token store, the bulk store handle is shared between
 * consecutive snapshots through its own reference count: LMDB must not
 * open one file twice in a process, and a Redis handle keeps its
 * connections. A reload that keeps bulk_store keeps the handle.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <winnow/alloc.h>
#include <winnow/bulk_feed.h>
#include <winnow/config.h>
#include <winnow/err.h>

struct wn_config_bulk {
	atomic_int refs;
	wn_bulk_store *bs;
	char *spec;
	dev_t dev;
	ino_t ino;
};

void
wn_config_bulk_unref(struct wn_config_bulk **bp)
{
	struct wn_config_bulk *b = *bp;

	if (b == NULL)
		return;
	*bp = NULL;
	if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) != 1)
		return;
	wn_bulk_store_close(&b->bs);
	wn_free(b->spec);
	wn_free(b);
}

static bool
wn_bulk_spec_is_redis(const char *spec)
{
	return wn_store_is_redis(spec);
}

/* The previous snapshot's handle when it is the same store. */
static struct wn_config_bulk *
wn_config_bulk_same(const wn_settings *s, const wn_config *prev)
{
	struct stat sb;

	if (prev == NULL || prev->bulk == NULL ||
	    strcmp(prev->bulk->spec, s->bulk_store) != 0)
		return NULL;
	if (!wn_bulk_spec_is_redis(s->bulk_store) &&
	    (stat(s->bulk_store, &sb) != 0 || sb.st_dev != prev->bulk->dev ||
	    sb.st_ino != prev->bulk->ino))
		return NULL;
	return prev->bulk;
}

static void
wn_config_bulk_params(const wn_settings *s, wn_bulk_params *p)
{
	wn_bulk_params_default(p);
	p->window = (uint32_t)s->bulk_window;
	p->low = (uint32_t)s->bulk_low;
	p->medium = (uint32_t)s->bulk_medium;
	p->high = (uint32_t)s->bulk_high;
	p->senders = (uint32_t)s->bulk_senders;
	p->attachment = (uint32_t)s->bulk_attachment;
	p->low_weight = s->bulk_low_weight;
	p->medium_weight = s->bulk_medium_weight;
	p->high_weight = s->bulk_high_weight;
	p->senders_weight = s->bulk_senders_weight;
	p->attachment_weight = s->bulk_attachment_weight;
	p->shared_weight = s->bulk_shared_weight;
}

/* The feed of shared keys, when its file exists: checked against the
 * repository's key; a feed that does not check is a warning, not an
 * error (mail goes on without it). */
static int
wn_config_bulk_feed(wn_config *c, wn_diag_list *d)
{
	const wn_settings *s = c->settings;
	wn_pubkey pk;
	char err[512];
	int rc;

	if (s->bulk_feed[0] == '\0' || access(s->bulk_feed, F_OK) != 0)
		return 0;
	if ((rc = wn_pubkey_load(s->bulk_feed_key, &pk)) != 0) {
		wn_diag_add(d, WN_DIAG_WARNING, s->bulk_feed, 0, "bulk feed "
		    "not used: the repository's key %s cannot be read (%s)",
		    s->bulk_feed_key, rc == WN_EFORMAT ? "not a public key "
		    "file" : strerror(errno));
		return 0;
	}
	rc = wn_bulk_feed_load(s->bulk_feed, &pk, (int64_t)time(NULL),
	    &c->bulk_feed, err, sizeof(err));
	if (rc == WN_ENOMEM)
		return rc;
	if (rc != 0) {
		wn_diag_add(d, WN_DIAG_WARNING, s->bulk_feed, 0, "bulk feed "
		    "not used: %s", err);
		return 0;
	}
	c->bulk_params.feed = c->bulk_feed;
	return 0;
}

int
wn_config_bulk_get(wn_config *c, const wn_config *prev, unsigned flags,
    wn_diag_list *d)
{
	const wn_settings *s = c->settings;
	struct wn_config_bulk *b;
	struct stat sb;
	bool recovered = false;
	char err[512];
	int rc;

	wn_config_bulk_params(s, &c->bulk_params);
	if (!s->bulk || s->bulk_store[0] == '\0')
		return 0;
	if ((rc = wn_config_bulk_feed(c, d)) != 0)
		return rc;
	if (flags & WN_CONFIG_CHECK)
		return 0;
	if ((b = wn_config_bulk_same(s, prev)) != NULL) {
		atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
		c->bulk = b;
		return 0;
	}
	if ((b = wn_calloc(1, sizeof(*b))) == NULL ||
	    (b->spec = wn_malloc(strlen(s->bulk_store) + 1)) == NULL) {
		wn_free(b);
		return WN_ENOMEM;
	}
	strcpy(b->spec, s->bulk_store);
	atomic_init(&b->refs, 1);
	err[0] = '\0';
	rc = wn_bulk_store_open(s->bulk_store, WN_BULK_STORE_RECOVER, &b->bs,
	    &recovered, err, sizeof(err));
	if (rc == WN_ETEMP)
		c->stores_pending = true;
	if (rc != 0) {
		wn_diag_add(d, rc == WN_ENOMEM ? WN_DIAG_ERROR :
		    WN_DIAG_WARNING, s->bulk_store, 0, "cannot open bulk "
		    "store (%s); bulk detection is off%s", err[0] ? err :
		    wn_strerror(rc), rc == WN_ETEMP ? " until it answers" : "");
		wn_free(b->spec);
		wn_free(b);
		return rc == WN_ENOMEM ? rc : 0;
	}
	if (recovered)
		wn_diag_add(d, WN_DIAG_WARNING, s->bulk_store, 0,
		    "bulk store was unreadable: %s", err);
	if (!wn_bulk_spec_is_redis(s->bulk_store) &&
	    stat(s->bulk_store, &sb) == 0) {
		b->dev = sb.st_dev;
		b->ino = sb.st_ino;
	}
	c->bulk = b;
	return 0;
}

wn_bulk_store *
wn_config_bulk_store(const wn_config *c)
{
	return c->bulk != NULL ? c->bulk->bs : NULL;
}
