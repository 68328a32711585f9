/*
 * count.c - what one message adds to winnowd's statistics.
 *
 * The client address becomes a country code here and goes no further:
 * the counters (stats.h) never see an address, except a spam source's
 * network prefix when the sharing level is cooperative. The text's
 * fingerprint goes along whenever bulk detection ran; whether its keys
 * are kept (cooperative, spam, BULK_LOW or above, not exempt, not short)
 * is decided by the counters, in one place.
 */
#include <string.h>

#include <winnow/geoip.h>
#include <winnow/stats.h>

#include "session_int.h"

static enum wn_stats_bayes
wn_count_bayes(const wn_scan_result *res)
{
	if (!res->bayes_run)
		return WN_STATS_BAYES_UNAVAILABLE;
	return res->bayes.abstained ? WN_STATS_BAYES_ABSTAINED :
	    WN_STATS_BAYES_SCORED;
}

/*
 * Bulk detection's part: off when the session has no bulk result (no
 * store, or it failed), exempt when a nobulk rule hit; otherwise what the
 * verdict got, which is what the headers said. The verdict is read
 * rather than the counts, so the statistics follow the thresholds and
 * symbol names of bulk.c without repeating them.
 */
static void
wn_count_bulk(const wn_session *s, const wn_verdict *v, wn_stats_msg *m)
{
	size_t i;

	if (s->bulk == NULL) {
		m->bulk = WN_STATS_BULK_OFF;
		return;
	}
	m->fingerprint = &s->bulk->fp;
	if (s->bulk->exempt) {
		m->bulk = WN_STATS_BULK_EXEMPT;
		return;
	}
	m->bulk = WN_STATS_BULK_NONE;
	for (i = 0; i < v->n; i++) {
		const char *name = v->v[i].name;

		if (name == NULL || strncmp(name, "BULK_", 5) != 0)
			continue;
		name += 5;
		if (strcmp(name, "HIGH") == 0)
			m->bulk = WN_STATS_BULK_HIGH;
		else if (strcmp(name, "MEDIUM") == 0 &&
		    m->bulk != WN_STATS_BULK_HIGH)
			m->bulk = WN_STATS_BULK_MEDIUM;
		else if (strcmp(name, "LOW") == 0 &&
		    m->bulk == WN_STATS_BULK_NONE)
			m->bulk = WN_STATS_BULK_LOW;
		else if (strcmp(name, "SENDERS") == 0)
			m->bulk_senders = true;
		else if (strcmp(name, "ATTACHMENT") == 0)
			m->bulk_attachment = true;
	}
}

void
wn_count_scanned(const wn_session *s, const wn_scan_result *res,
    const wn_spf_check *spf, enum wn_action act, double scan_ms)
{
	wn_stats_msg m = { 0 };

	if (s->d->stats == NULL)
		return;
	m.outcome = WN_STATS_SCANNED;
	m.action = act;
	m.spam = res->verdict.spam;
	m.score = res->verdict.score;
	m.spf = spf != NULL ? (int)spf->result : -1;
	m.bayes = wn_count_bayes(res);
	m.anomalies = res->msg != NULL ? res->msg->flags : 0;
	m.symbols = res->verdict.v;
	m.n_symbols = res->verdict.n;
	m.scan_ms = scan_ms;
	if (s->d->geoip == NULL ||
	    !wn_geoip_country(s->d->geoip, &s->ip, m.country))
		m.country[0] = '\0';
	m.client = s->ip.family != 0 ? &s->ip : NULL;
	wn_count_bulk(s, &res->verdict, &m);
	wn_stats_record(s->d->stats, &m);
}

void
wn_count_unscanned(const wn_session *s, bool failed)
{
	wn_stats_msg m = { 0 };

	if (s->d->stats == NULL)
		return;
	m.outcome = failed ? WN_STATS_FAILED : WN_STATS_SKIPPED;
	wn_stats_record(s->d->stats, &m);
}
