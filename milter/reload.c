/*
 * reload.c - configuration loading and hot reload on SIGUSR1.
 *
 * libmilter treats SIGHUP as "stop", so reload uses SIGUSR1. The signal
 * is blocked everywhere and taken by one thread in sigtimedwait, so
 * nothing runs in a signal handler. A reload builds the whole new snapshot
 * (parse, compile rules, open stores) without any lock, and swaps it in
 * only when it is complete and free of errors; otherwise the running
 * configuration stays and the log says why, line by line. A snapshot
 * built while a Redis store did not answer is built again every
 * store_retry seconds until it does.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <winnow/bulk_feed.h>
#include <winnow/err.h>
#include <winnow/log.h>
#include <winnow/report.h>
#include <winnow/ruleset_install.h>

#include "milter.h"

static void
wn_log_diags(const wn_diag_list *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const wn_diag *g = &d->v[i];
		int lvl = g->severity == WN_DIAG_ERROR ? WN_LOG_ERR :
		    WN_LOG_WARN;
		const char *sev = g->severity == WN_DIAG_ERROR ? "error" :
		    "warning";

		if (g->line > 0)
			WN_LOG_AT(lvl, 0, "%s:%u: %s: %s", g->file, g->line,
			    sev, g->msg);
		else if (g->file[0] != '\0')
			WN_LOG_AT(lvl, 0, "%s: %s: %s", g->file, sev, g->msg);
		else
			WN_LOG_AT(lvl, 0, "%s: %s", sev, g->msg);
	}
	if (d->n < d->errors + d->warnings)
		wn_log_warn("(%zu more findings not logged)",
		    d->errors + d->warnings - d->n);
}

int
wn_config_load(const wn_startup *su, const wn_config *prev, unsigned flags,
    wn_config **out)
{
	wn_settings *s = NULL;
	wn_diag_list d;
	int rc;

	*out = NULL;
	wn_diag_list_init(&d);
	rc = wn_settings_load(su->config_file, &d, &s);
	if (rc == 0 && su->socket_override != NULL)
		s->socket = wn_arena_strdup(s->arena, su->socket_override);
	if (rc == 0)
		rc = wn_config_build(s, prev, flags, &d, out);
	wn_log_diags(&d);
	wn_diag_list_fini(&d);
	return rc;
}

static void
wn_reload_describe(const wn_config *c)
{
	const wn_settings *s = c->settings;
	size_t i;

	wn_log_notice("configuration %lu: %s; %zu rules; Bayes %s; SPF %s; "
	    "bulk %s; required %.1f, reject %s", c->generation,
	    s->file[0] ? s->file : "built-in defaults",
	    c->rules ? wn_rules_stats_get(c->rules)->rules : 0,
	    c->scan.store ? s->store : "off", c->spf ? "on" : "off",
	    wn_config_bulk_store(c) ? s->bulk_store : "off",
	    s->thresholds.mark, s->thresholds.never_reject ? "never" :
	    s->thresholds.reject == s->thresholds.reject ? "on" : "off");
	if (c->bulk_feed != NULL) {
		const wn_bulk_feed_info *fi = wn_bulk_feed_info_get(c->bulk_feed);
		char exp[21];

		wn_time_format(fi->expires, exp);
		wn_log_info("bulk feed %s: %zu digests, %zu band keys, signed "
		    "by %s, valid until %s", s->bulk_feed, fi->n_digests,
		    fi->n_bands, fi->key_id, exp);
	}
	for (i = 0; i < c->n_sources; i++)
		if (c->sources[i].name[0] != '\0')
			wn_log_info("rule set %s %s%s from %s",
			    c->sources[i].name, c->sources[i].version,
			    c->sources[i].installed ? " (installed)" : "",
			    c->sources[i].path);
}

int
wn_reload_now(wn_daemon *d, const wn_startup *su)
{
	wn_config *cur = wn_config_acquire(&d->config);
	wn_config *next = NULL;
	char keys[512];
	int rc;

	wn_log_notice("reloading %s%s", su->config_file ? su->config_file :
	    "built-in defaults", cur->stores_pending ? " (a store was "
	    "unreachable)" : "");
	rc = wn_config_load(su, cur, 0, &next);
	if (rc != 0) {
		wn_log_err("reload failed (%s); the running configuration "
		    "%lu stays", wn_strerror(rc), cur->generation);
		wn_config_unref(&cur);
		return -1;
	}
	wn_settings_restart_keys(cur->settings, next->settings, keys,
	    sizeof(keys));
	if (keys[0] != '\0')
		wn_log_warn("changed keys that apply only after a restart: %s",
		    keys);
	wn_config_unref(&cur);
	wn_log_set_level(wn_log_level_parse(next->settings->log_level));
	wn_reload_describe(next);
	wn_config_slot_swap(&d->config, next);
	return 0;
}

typedef struct wn_reload_arg {
	wn_daemon *d;
	const wn_startup *su;
} wn_reload_arg;

static void *
wn_reload_main(void *arg)
{
	wn_reload_arg *ra = arg;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	for (;;) {
		struct timespec ts = { 0, 0 };
		wn_config *c;
		bool pending;

		c = wn_config_acquire(&ra->d->config);
		ts.tv_sec = (time_t)c->settings->store_retry;
		wn_config_unref(&c);
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGUSR1) {
			(void)wn_reload_now(ra->d, ra->su);
			continue;
		}
		/* a Redis store that did not answer at the last load is
		 * tried again by loading again */
		c = wn_config_acquire(&ra->d->config);
		pending = c->stores_pending;
		wn_config_unref(&c);
		if (pending)
			(void)wn_reload_now(ra->d, ra->su);
	}
	return NULL;
}

int
wn_reload_start(wn_daemon *d, const wn_startup *su)
{
	static wn_reload_arg arg;
	pthread_t t;

	arg.d = d;
	arg.su = su;
	if (pthread_create(&t, NULL, wn_reload_main, &arg) != 0)
		return -1;
	pthread_detach(t);
	return 0;
}

void
wn_config_log_start(const wn_config *c)
{
	wn_reload_describe(c);
}
