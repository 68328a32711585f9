/*
 * stats_thread.c - winnowd's statistics: the spool opened at start, a
 * ticker thread that seals each period when it ends, and the last period
 * sealed at shutdown.
 *
 * Counting itself happens in the sessions (wn_session_count); this thread
 * only rotates, checkpoints the live file every minute, and keeps the
 * rule-set versions in the period up to date after reloads. A spool that
 * cannot be opened or written is logged and retried; mail flows on.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <winnow/geoip.h>
#include <winnow/log.h>
#include <winnow/ruleset_install.h>
#include <winnow/stats.h>

#include "milter.h"

#define WN_STATS_CHECKPOINT 60		/* seconds between msyncs */

struct wn_ticker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
};

static void
wn_stats_note_rulesets(wn_daemon *d, unsigned long *generation)
{
	wn_config *c = wn_config_acquire(&d->config);
	char lines[512] = "";
	size_t i;

	if (c->generation != *generation) {
		*generation = c->generation;
		for (i = 0; i < c->n_sources; i++) {
			const wn_ruleset_source *r = &c->sources[i];
			size_t o = strlen(lines);

			if (r->name[0] != '\0' && o < sizeof(lines))
				snprintf(lines + o, sizeof(lines) - o,
				    "%s %s\n", r->name, r->version);
		}
		wn_stats_set_rulesets(d->stats, lines);
	}
	wn_config_unref(&c);
}

static void *
wn_ticker_main(void *arg)
{
	wn_daemon *d = arg;
	struct wn_ticker *t = d->ticker;
	unsigned long generation = 0;
	time_t last_sync = time(NULL);
	bool failing = false;

	pthread_mutex_lock(&t->lock);
	while (!t->stop) {
		struct timespec ts;
		char err[512];
		time_t now;
		int rc;

		pthread_mutex_unlock(&t->lock);
		now = time(NULL);
		wn_stats_note_rulesets(d, &generation);
		rc = wn_stats_tick(d->stats, now, err, sizeof(err));
		if (rc < 0 && !failing)
			wn_log_err("statistics: %s; counting goes on in the "
			    "current period, retrying", err);
		else if (rc >= 0 && failing)
			wn_log_notice("statistics: spool writable again");
		failing = rc < 0;
		if (rc == 1)
			wn_log_info("statistics: period sealed");
		if (now - last_sync >= WN_STATS_CHECKPOINT) {
			wn_stats_sync(d->stats);
			last_sync = now;
		}
		pthread_mutex_lock(&t->lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		while (!t->stop && pthread_cond_timedwait(&t->cond, &t->lock,
		    &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

int
wn_stats_start(wn_daemon *d, const wn_settings *s)
{
	wn_stats_opts o;
	char err[512];
	int rc;

	if (*s->geoip_db != '\0' && strcmp(s->geoip_db, "none") == 0)
		d->geoip = NULL;
	else if (wn_geoip_open(s->geoip_db, &d->geoip, err, sizeof(err)) != 0)
		wn_log_warn("GeoIP: %s; source countries are unknown", err);
	if (*s->report_spool == '\0')
		return 0;
	o.spool = s->report_spool;
	o.period = (unsigned)s->report_period;
	o.cooperative = strcmp(s->report_sharing, "cooperative") == 0;
	rc = wn_stats_open(&o, time(NULL), &d->stats, err, sizeof(err));
	if (rc != 0) {
		wn_log_err("statistics: %s; not counting", err);
		return 0;
	}
	wn_log_info("statistics: counting into %s every %u s, countries "
	    "from %s", s->report_spool, o.period,
	    d->geoip ? wn_geoip_describe(d->geoip) : "none");
	if ((d->ticker = calloc(1, sizeof(*d->ticker))) == NULL) {
		wn_stats_free(&d->stats, time(NULL));
		return -1;
	}
	pthread_mutex_init(&d->ticker->lock, NULL);
	pthread_cond_init(&d->ticker->cond, NULL);
	if (pthread_create(&d->ticker->thread, NULL, wn_ticker_main, d) != 0) {
		wn_log_err("statistics: cannot start the ticker thread");
		free(d->ticker);
		d->ticker = NULL;
		wn_stats_free(&d->stats, time(NULL));
		return -1;
	}
	return 0;
}

void
wn_stats_stop(wn_daemon *d)
{
	char err[512];
	struct wn_ticker *t = d->ticker;

	if (t != NULL) {
		pthread_mutex_lock(&t->lock);
		t->stop = true;
		pthread_cond_signal(&t->cond);
		pthread_mutex_unlock(&t->lock);
		pthread_join(t->thread, NULL);
		d->ticker = NULL;
		free(t);
	}
	if (d->stats != NULL &&
	    wn_stats_shutdown(d->stats, time(NULL), err, sizeof(err)) != 0)
		wn_log_err("statistics: %s; the next start seals it", err);
}
