/*
 * count.c - what one message adds to winnowd's statistics.
 *
 * The client address becomes a country code here and goes no further:
 * the counters (stats.h) never see an address, except a spam source's
 * network prefix when the sharing level is cooperative.
 */
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
