/*
 * config.c - building, sharing and swapping configuration snapshots.
 *
 * A snapshot owns its settings, rule set and SPF checker. The token store
 * is shared between consecutive snapshots through its own reference count,
 * because LMDB must not open the same file twice in one process: a reload
 * that keeps the store path keeps the open handle.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winnow/alloc.h>
#include <winnow/bulk_feed.h>
#include <winnow/config.h>
#include <winnow/err.h>
#include <winnow/log.h>
#include <winnow/ruleset_install.h>

struct wn_config_store {
	atomic_int refs;
	wn_store *st;
	char *path;
	dev_t dev;
	ino_t ino;
	bool writable;
};

static atomic_ulong wn_config_generations;

static void
wn_config_store_unref(struct wn_config_store **sp)
{
	struct wn_config_store *s = *sp;

	if (s == NULL)
		return;
	*sp = NULL;
	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	wn_store_close(&s->st);
	wn_free(s->path);
	wn_free(s);
}

/* The store for settings s: the previous snapshot's when it is the same
 * file, else a newly opened one; NULL (Bayes off) when there is none. */
static int
wn_config_store_get(const wn_settings *s, const wn_config *prev,
    unsigned cflags, wn_scan_config *scan, wn_diag_list *d,
    struct wn_config_store **out, bool *pending)
{
	struct wn_config_store *cs;
	wn_store_params params;
	wn_store_totals tot;
	struct stat sb;
	char err[256];
	unsigned flags = s->autolearn && !(cflags & WN_CONFIG_CHECK) ?
	    WN_STORE_CREATE : 0;
	int rc;

	*out = NULL;
	if (s->store[0] == '\0')
		return 0;
	memset(&sb, 0, sizeof(sb));
	if (wn_store_is_redis(s->store)) {
		/* a network store: the same URL is the same store */
		if (prev != NULL && prev->store != NULL &&
		    strcmp(prev->store->path, s->store) == 0) {
			cs = prev->store;
			atomic_fetch_add_explicit(&cs->refs, 1,
			    memory_order_relaxed);
			goto adopt;
		}
	} else if (stat(s->store, &sb) != 0) {
		if (errno != ENOENT || !(flags & WN_STORE_CREATE)) {
			wn_diag_add(d, WN_DIAG_WARNING, s->store, 0,
			    "token store not usable (%s); Bayes is off until "
			    "one is learned (winnow learn)", strerror(errno));
			return 0;
		}
	} else if (prev != NULL && prev->store != NULL &&
	    strcmp(prev->store->path, s->store) == 0 &&
	    prev->store->dev == sb.st_dev && prev->store->ino == sb.st_ino) {
		cs = prev->store;
		atomic_fetch_add_explicit(&cs->refs, 1, memory_order_relaxed);
		goto adopt;
	}
	if ((cs = wn_calloc(1, sizeof(*cs))) == NULL ||
	    (cs->path = wn_malloc(strlen(s->store) + 1)) == NULL) {
		wn_free(cs);
		return WN_ENOMEM;
	}
	strcpy(cs->path, s->store);
	atomic_init(&cs->refs, 1);
	params.seed = scan->tokenize.seed;
	params.osb_window = scan->tokenize.osb_window;
	params.map_size = 0;
	err[0] = '\0';
	rc = wn_store_open(s->store, flags, &params, &cs->st, err,
	    sizeof(err));
	cs->writable = rc == 0;
	if (rc != 0 && rc != WN_ENOMEM) {
		/* A store the daemon may only read still classifies. */
		rc = wn_store_open(s->store, WN_STORE_READONLY, NULL,
		    &cs->st, err, sizeof(err));
		if (rc == 0 && s->autolearn)
			wn_diag_add(d, WN_DIAG_WARNING, s->store, 0,
			    "token store is read-only; autolearn is off");
	}
	if (rc == WN_ETEMP)
		*pending = true;
	if (rc != 0) {
		wn_diag_add(d, rc == WN_ENOMEM ? WN_DIAG_ERROR :
		    WN_DIAG_WARNING, s->store, 0, "cannot open token store "
		    "(%s); Bayes is off%s", err[0] ? err : wn_strerror(rc),
		    rc == WN_ETEMP ? " until it answers" : "");
		wn_free(cs->path);
		wn_free(cs);
		return rc == WN_ENOMEM ? rc : 0;
	}
	if (!wn_store_is_redis(s->store) && stat(s->store, &sb) == 0) {
		cs->dev = sb.st_dev;
		cs->ino = sb.st_ino;
	}
adopt:
	if ((rc = cs->st->ops->totals(cs->st, &tot)) != 0) {
		wn_diag_add(d, WN_DIAG_WARNING, s->store, 0, "token store "
		    "unreadable (%s); Bayes is off", wn_store_error(cs->st));
		wn_config_store_unref(&cs);
		return 0;
	}
	scan->tokenize.seed = tot.seed;
	if (tot.osb_window >= 1 && tot.osb_window <= 8)
		scan->tokenize.osb_window = tot.osb_window;
	scan->store = cs->st;
	*out = cs;
	return 0;
}

static int
wn_config_rules(wn_config *c, wn_diag_list *d)
{
	const wn_settings *s = c->settings;
	size_t errors_before = d->errors, i;
	const char **paths;
	int rc;

	c->sources = wn_calloc(WN_RULESET_MAX_SOURCES, sizeof(*c->sources));
	if (c->sources == NULL)
		return WN_ENOMEM;
	rc = wn_ruleset_sources(s->rules, s->n_rules,
	    strcmp(s->rules_installed, "none") == 0 ? "" : s->rules_installed,
	    NULL, NULL, c->sources, &c->n_sources, d);
	if (rc != 0)
		return rc == WN_ENOMEM ? rc : WN_EINVAL;
	if (c->n_sources == 0)
		return 0;
	if ((paths = wn_calloc(c->n_sources, sizeof(*paths))) == NULL)
		return WN_ENOMEM;
	for (i = 0; i < c->n_sources; i++)
		paths[i] = c->sources[i].path;
	rc = wn_rules_load(paths, c->n_sources, NULL, d, &c->rules);
	wn_free(paths);
	if (rc != 0)
		return rc;
	if (d->errors > errors_before && !s->rules_skip_broken) {
		wn_diag_add(d, WN_DIAG_ERROR, "", 0, "%zu error%s in the "
		    "rules (rules_skip_broken = yes drops broken rules "
		    "instead)", d->errors - errors_before,
		    d->errors - errors_before == 1 ? "" : "s");
		return WN_EINVAL;
	}
	c->scan.rules = c->rules;
	return 0;
}

int
wn_config_build(wn_settings *s, const wn_config *prev, unsigned flags,
    wn_diag_list *d, wn_config **out)
{
	wn_config *c;
	int rc;

	*out = NULL;
	if ((c = wn_calloc(1, sizeof(*c))) == NULL) {
		wn_settings_free(&s);
		return WN_ENOMEM;
	}
	atomic_init(&c->refs, 1);
	pthread_mutex_init(&c->pool_lock, NULL);
	c->settings = s;
	c->generation = atomic_fetch_add(&wn_config_generations, 1) + 1;
	if (s->authserv_id[0] != '\0')
		snprintf(c->authserv_id, sizeof(c->authserv_id), "%s",
		    s->authserv_id);
	else if (gethostname(c->authserv_id, sizeof(c->authserv_id) - 1) != 0)
		snprintf(c->authserv_id, sizeof(c->authserv_id), "localhost");
	wn_scan_config_default(&c->scan);
	c->scan.required = s->thresholds.mark;
	c->scan.net = s->spf;
	if ((rc = wn_config_rules(c, d)) != 0)
		goto fail;
	if ((rc = wn_config_store_get(s, prev, flags, &c->scan, d,
	    &c->store, &c->stores_pending)) != 0)
		goto fail;
	c->store_writable = c->store != NULL && c->store->writable;
	if ((rc = wn_config_bulk_get(c, prev, flags, d)) != 0)
		goto fail;
	if (s->spf && (rc = wn_spf_new(c->authserv_id, NULL, &c->spf)) != 0)
		goto fail;
	*out = c;
	return 0;
fail:
	wn_config_unref(&c);
	return rc;
}

wn_config *
wn_config_ref(wn_config *c)
{
	atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	return c;
}

void
wn_config_unref(wn_config **cp)
{
	wn_config *c = *cp;
	size_t i;

	if (c == NULL)
		return;
	*cp = NULL;
	if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (i = 0; i < c->pool_n; i++)
		wn_rules_worker_free(&c->pool[i]);
	wn_free(c->pool);
	pthread_mutex_destroy(&c->pool_lock);
	wn_spf_free(&c->spf);
	wn_rules_free(&c->rules);
	wn_free(c->sources);
	wn_config_store_unref(&c->store);
	wn_config_bulk_unref(&c->bulk);
	wn_bulk_feed_free(&c->bulk_feed);
	wn_settings_free(&c->settings);
	wn_free(c);
}

wn_rules_worker *
wn_config_worker_take(wn_config *c)
{
	wn_rules_worker *w = NULL;

	if (c->rules == NULL)
		return NULL;
	pthread_mutex_lock(&c->pool_lock);
	if (c->pool_n > 0)
		w = c->pool[--c->pool_n];
	pthread_mutex_unlock(&c->pool_lock);
	if (w == NULL && wn_rules_worker_new(c->rules, &w) != 0)
		return NULL;
	return w;
}

void
wn_config_worker_give(wn_config *c, wn_rules_worker **wp)
{
	if (*wp == NULL)
		return;
	pthread_mutex_lock(&c->pool_lock);
	if (c->pool_n == c->pool_cap) {
		size_t ncap = c->pool_cap ? c->pool_cap * 2 : 16;
		wn_rules_worker **np = wn_realloc(c->pool,
		    ncap * sizeof(*np));

		if (np != NULL) {
			c->pool = np;
			c->pool_cap = ncap;
		}
	}
	if (c->pool_n < c->pool_cap) {
		c->pool[c->pool_n++] = *wp;
		*wp = NULL;
	}
	pthread_mutex_unlock(&c->pool_lock);
	wn_rules_worker_free(wp);
}

bool
wn_config_trusted(const wn_config *c, const wn_ipaddr *ip)
{
	size_t i;

	for (i = 0; i < c->settings->n_trusted; i++)
		if (wn_net_contains(&c->settings->trusted[i], ip))
			return true;
	return false;
}

void
wn_config_slot_init(wn_config_slot *slot, wn_config *c)
{
	pthread_mutex_init(&slot->lock, NULL);
	slot->current = c;
}

void
wn_config_slot_fini(wn_config_slot *slot)
{
	wn_config *c;

	pthread_mutex_lock(&slot->lock);
	c = slot->current;
	slot->current = NULL;
	pthread_mutex_unlock(&slot->lock);
	wn_config_unref(&c);
	pthread_mutex_destroy(&slot->lock);
}

wn_config *
wn_config_acquire(wn_config_slot *slot)
{
	wn_config *c;

	pthread_mutex_lock(&slot->lock);
	c = wn_config_ref(slot->current);
	pthread_mutex_unlock(&slot->lock);
	return c;
}

void
wn_config_slot_swap(wn_config_slot *slot, wn_config *c)
{
	wn_config *old;

	pthread_mutex_lock(&slot->lock);
	old = slot->current;
	slot->current = c;
	pthread_mutex_unlock(&slot->lock);
	/* Outside the lock: the last reference may free a whole rule set. */
	wn_config_unref(&old);
}
