/*
 * actions.c - what a verdict does to a message: header edits and the
 * reply to the MTA.
 *
 * Incoming copies of the headers winnowd writes are removed first, so a
 * sender cannot pre-set X-Spam-Flag or an Authentication-Results claiming
 * this host (RFC 8601 section 5). Then, on every scanned message, the
 * X-Spam-* headers in SpamAssassin's form, and Authentication-Results and
 * Received-SPF at the top when SPF was checked; then the action.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <winnow/action.h>
#include <winnow/log.h>

#include "session_int.h"

#define SLOG(lvl, s, fmt, ...) \
	WN_LOG_AT(lvl, 0, "%s: " fmt, (s)->tag, ##__VA_ARGS__)

static const char *const wn_own_suffix[WN_OWN_COUNT] = {
	[WN_OWN_FLAG] = "-Flag",
	[WN_OWN_STATUS] = "-Status",
	[WN_OWN_SCORE] = "-Score",
	[WN_OWN_LEVEL] = "-Level",
	[WN_OWN_REPORT] = "-Report",
	[WN_OWN_AUTH_RESULTS] = NULL,
};

const char *
wn_own_header_name(const wn_session *s, enum wn_own_header k, char *buf,
    size_t len)
{
	if (k == WN_OWN_AUTH_RESULTS)
		snprintf(buf, len, "Authentication-Results");
	else
		snprintf(buf, len, "%s%s", s->cfg->settings->header_prefix,
		    wn_own_suffix[k]);
	return buf;
}

int
wn_own_header_kind(const wn_session *s, const char *name)
{
	const char *prefix = s->cfg->settings->header_prefix;
	size_t n = strlen(prefix);
	int k;

	if (strcasecmp(name, "Authentication-Results") == 0)
		return WN_OWN_AUTH_RESULTS;
	if (strncasecmp(name, prefix, n) != 0)
		return -1;
	for (k = 0; k < WN_OWN_AUTH_RESULTS; k++)
		if (strcasecmp(name + n, wn_own_suffix[k]) == 0)
			return k;
	return -1;
}

/* Header edits that fail are logged; the message still goes on. */
static void
wn_actions_edit_failed(const wn_session *s, const char *what,
    const char *name)
{
	SLOG(WN_LOG_WARN, s, "the MTA refused to %s %s", what, name);
}

static void
wn_actions_remove_own(const wn_session *s, const wn_mta *mta, void *ctx)
{
	char name[128];
	unsigned i;

	/* Last first, so earlier indexes stay valid whatever the MTA does
	 * with the numbering after a deletion. */
	for (i = s->n_del; i-- > 0;) {
		wn_own_header_name(s, (enum wn_own_header)s->del[i].kind, name,
		    sizeof(name));
		if (mta->chgheader(ctx, name, (int)s->del[i].idx, NULL) != 0)
			wn_actions_edit_failed(s, "remove", name);
	}
}

static void
wn_actions_add(const wn_session *s, const wn_mta *mta, void *ctx,
    enum wn_own_header k, const char *value)
{
	char name[128];

	wn_own_header_name(s, k, name, sizeof(name));
	if (value != NULL && mta->addheader(ctx, name, value) != 0)
		wn_actions_edit_failed(s, "add", name);
}

static void
wn_actions_spf_headers(const wn_session *s, const wn_mta *mta, void *ctx,
    const wn_spf_check *spf)
{
	const char *id = s->cfg->authserv_id;
	const char *ar = wn_spf_auth_results(s->msg, spf);
	const char *rs = wn_spf_received(s->msg, spf, &s->ip, s->helo, id);
	char *v;
	size_t n;

	/* Insert Received-SPF first, then Authentication-Results above it:
	 * both end up at the top, A-R first, as a trace header should. */
	if (rs != NULL && mta->insheader(ctx, 0, "Received-SPF", rs) != 0)
		wn_actions_edit_failed(s, "add", "Received-SPF");
	if (ar == NULL)
		return;
	n = strlen(id) + strlen(ar) + 8;
	if ((v = wn_arena_alloc(s->msg, n)) == NULL)
		return;
	snprintf(v, n, "%s;\n\t%s", id, ar);
	if (mta->insheader(ctx, 0, "Authentication-Results", v) != 0)
		wn_actions_edit_failed(s, "add", "Authentication-Results");
}

static void
wn_actions_subject(const wn_session *s, const wn_mta *mta, void *ctx)
{
	const char *tag = s->cfg->settings->subject_tag;
	const char *subj = s->subject ? s->subject : "";
	size_t n;
	char *v;

	while (*subj == ' ' || *subj == '\t')
		subj++;
	if (strncmp(subj, tag, strlen(tag)) == 0)
		return;		/* tagged already */
	n = strlen(tag) + strlen(subj) + 3;
	if ((v = wn_arena_alloc(s->msg, n)) == NULL)
		return;
	snprintf(v, n, "%s%s%s", tag, *subj ? " " : "", subj);
	if (s->subject != NULL) {
		if (mta->chgheader(ctx, "Subject", 1, v) != 0)
			wn_actions_edit_failed(s, "rewrite", "Subject");
	} else if (mta->addheader(ctx, "Subject", v) != 0) {
		wn_actions_edit_failed(s, "add", "Subject");
	}
}

/* One log line per message: the queue id, the verdict, no addresses. */
static void
wn_actions_log(const wn_session *s, const wn_scan_result *res,
    const wn_spf_check *spf, enum wn_action act)
{
	char tests[512], bulk[48];
	size_t i, o = 0;

	tests[0] = '\0';
	for (i = 0; i < res->verdict.n && o + 1 < sizeof(tests); i++)
		o += (size_t)snprintf(tests + o, sizeof(tests) - o, "%s%s",
		    i ? "," : "", res->verdict.v[i].name);
	/* bulk=recipients/senders of the text in the window */
	if (s->bulk == NULL)
		snprintf(bulk, sizeof(bulk), "off");
	else if (s->bulk->exempt)
		snprintf(bulk, sizeof(bulk), "exempt");
	else
		snprintf(bulk, sizeof(bulk), "%u/%u", s->bulk->text.recipients,
		    s->bulk->text.senders);
	SLOG(WN_LOG_INFO, s, "score=%.1f required=%.1f action=%s spf=%s "
	    "bulk=%s size=%zu time=%.1fms tests=%s", wn_score_round(
	    res->verdict.score) + 0.0, res->verdict.required,
	    wn_action_name(act), spf ? wn_spf_result_name(spf->result) :
	    "off", bulk, s->raw_len, (wn_session_now() - s->started) * 1000,
	    o ? tests : "none");
}

wn_reply
wn_actions_apply(wn_session *s, const wn_mta *mta, void *ctx,
    const wn_scan_result *res, const wn_spf_check *spf,
    const char *autolearn, enum wn_action *act_out)
{
	const wn_settings *st = s->cfg->settings;
	enum wn_action act = wn_action_choose(&st->thresholds,
	    res->verdict.score);
	bool spam = res->verdict.spam;

	*act_out = act;
	wn_actions_log(s, res, spf, act);
	switch (act) {
	case WN_ACTION_REJECT:
		if (mta->setreply(ctx, "550", "5.7.1", st->reject_text) != 0)
			SLOG(WN_LOG_WARN, s, "reject_text refused by the MTA; "
			    "its default reply is used");
		return WN_REPLY_REJECT;
	case WN_ACTION_TEMPFAIL:
		if (mta->setreply(ctx, "451", "4.7.1", st->tempfail_text) != 0)
			SLOG(WN_LOG_WARN, s, "tempfail_text refused by the "
			    "MTA; its default reply is used");
		return WN_REPLY_TEMPFAIL;
	case WN_ACTION_DISCARD:
		return WN_REPLY_DISCARD;
	default:
		break;
	}
	wn_actions_remove_own(s, mta, ctx);
	if (st->add_headers) {
		if (spam)
			wn_actions_add(s, mta, ctx, WN_OWN_FLAG, "YES");
		wn_actions_add(s, mta, ctx, WN_OWN_STATUS,
		    wn_spam_status(s->msg, &res->verdict, spam, autolearn));
		wn_actions_add(s, mta, ctx, WN_OWN_SCORE,
		    wn_spam_score(s->msg, res->verdict.score));
		wn_actions_add(s, mta, ctx, WN_OWN_LEVEL,
		    wn_spam_level(s->msg, res->verdict.score));
		if (spf != NULL)
			wn_actions_spf_headers(s, mta, ctx, spf);
	}
	if (act == WN_ACTION_SUBJECT || (act == WN_ACTION_QUARANTINE &&
	    !isnan(st->thresholds.subject) &&
	    wn_score_round(res->verdict.score) >= st->thresholds.subject))
		wn_actions_subject(s, mta, ctx);
	if (act == WN_ACTION_QUARANTINE) {
		char reason[64];

		snprintf(reason, sizeof(reason), "winnow: spam score %.1f",
		    wn_score_round(res->verdict.score));
		if (mta->quarantine(ctx, reason) != 0)
			SLOG(WN_LOG_WARN, s, "the MTA refused to quarantine");
	}
	return WN_REPLY_CONTINUE;
}
