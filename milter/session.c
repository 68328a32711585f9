/*
 * session.c - winnowd's milter callbacks: collect the envelope and the
 * message, scan it at end of message, hand the verdict to actions.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/log.h>

#include "session_int.h"

/* Log lines start with the queue id, or the session id before it. */
#define SLOG(lvl, s, fmt, ...) \
	WN_LOG_AT(lvl, 0, "%s: " fmt, (s)->tag, ##__VA_ARGS__)

/* The raw message buffer is kept between messages up to this size. */
#define WN_RAW_KEEP (256 * 1024)

double
wn_session_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static wn_session *
wn_session_get(const wn_mta *mta, void *ctx)
{
	return mta->getpriv(ctx);
}

/* Forget the message; keep the connection. */
static void
wn_session_message_end(wn_session *s)
{
	s->in_message = false;
	s->mail_from = NULL;
	s->authenticated = false;
	s->nrcpt = 0;
	s->skip = false;
	s->skip_why = NULL;
	s->raw_len = 0;
	s->total_len = 0;
	s->oversize = false;
	s->subject = NULL;
	s->bulk = NULL;
	memset(s->own_count, 0, sizeof(s->own_count));
	s->del = NULL;
	s->n_del = s->cap_del = 0;
	s->headers = 0;
	if (s->raw_cap > WN_RAW_KEEP) {
		wn_free(s->raw);
		s->raw = NULL;
		s->raw_cap = 0;
	}
	wn_arena_reset(s->msg);
	snprintf(s->tag, sizeof(s->tag), "s%llu", (unsigned long long)s->id);
}

static void
wn_session_free(wn_session **sp)
{
	wn_session *s = *sp;

	if (s == NULL)
		return;
	wn_config_unref(&s->cfg);
	wn_arena_free(&s->msg);
	wn_arena_free(&s->conn);
	wn_free(s->raw);
	wn_free(s);
	*sp = NULL;
}

wn_reply
wn_session_connect(wn_daemon *d, const wn_mta *mta, void *ctx,
    const char *hostname, const struct sockaddr *addr, bool noreply)
{
	wn_session *s;
	char ip[64];

	if ((s = wn_calloc(1, sizeof(*s))) == NULL ||
	    (s->conn = wn_arena_new(4096)) == NULL ||
	    (s->msg = wn_arena_new(0)) == NULL) {
		wn_session_free(&s);
		wn_log_err("connect: out of memory; connection not filtered");
		return WN_REPLY_TEMPFAIL;
	}
	s->d = d;
	s->noreply = noreply;
	s->id = atomic_fetch_add(&d->next_session, 1) + 1;
	snprintf(s->tag, sizeof(s->tag), "s%llu", (unsigned long long)s->id);
	s->cfg = wn_config_acquire(&d->config);
	/* A unix-socket or unknown client has no address: SPF says none. */
	(void)wn_ipaddr_from_sockaddr(addr, &s->ip);
	s->client_name = wn_arena_strdup(s->conn, hostname ? hostname : "");
	s->helo = "";
	if (mta->setpriv(ctx, s) != 0) {
		wn_session_free(&s);
		return WN_REPLY_TEMPFAIL;
	}
	s->trusted = s->ip.family != 0 && wn_config_trusted(s->cfg, &s->ip);
	SLOG(WN_LOG_DEBUG, s, "connect from %s [%s]%s", s->client_name,
	    wn_ipaddr_format(&s->ip, ip, sizeof(ip)),
	    s->trusted ? " (trusted)" : "");
	return WN_REPLY_CONTINUE;
}

bool
wn_session_noreply(const wn_mta *mta, void *ctx)
{
	wn_session *s = wn_session_get(mta, ctx);

	return s != NULL && s->noreply;
}

wn_reply
wn_session_helo(const wn_mta *mta, void *ctx, const char *helo)
{
	wn_session *s = wn_session_get(mta, ctx);

	if (s == NULL)
		return WN_REPLY_CONTINUE;
	s->helo = wn_arena_strdup(s->conn, helo ? helo : "");
	if (s->helo == NULL)
		s->helo = "";
	return WN_REPLY_CONTINUE;
}

/* "<user@example.com>" -> "user@example.com"; "<>" -> "". */
static const char *
wn_session_strip_angles(wn_arena *a, const char *addr)
{
	size_t n;

	if (addr == NULL)
		return "";
	n = strlen(addr);
	if (n >= 2 && addr[0] == '<' && addr[n - 1] == '>')
		return wn_arena_memdup(a, addr + 1, n - 2);
	return wn_arena_strdup(a, addr);
}

/* The queue id, once the MTA has assigned one. */
static void
wn_session_tag_queue_id(wn_session *s, const wn_mta *mta, void *ctx)
{
	const char *qid = mta->getsymval(ctx, "i");

	if (qid != NULL && *qid != '\0')
		snprintf(s->tag, sizeof(s->tag), "%s", qid);
	else
		snprintf(s->tag, sizeof(s->tag), "s%llu",
		    (unsigned long long)s->id);
}

wn_reply
wn_session_envfrom(const wn_mta *mta, void *ctx, char **argv)
{
	wn_session *s = wn_session_get(mta, ctx);
	const char *auth;

	if (s == NULL)
		return WN_REPLY_CONTINUE;
	if (s->in_message)
		wn_session_message_end(s);
	/* A reload applies from the next message, never under one. */
	wn_config_unref(&s->cfg);
	s->cfg = wn_config_acquire(&s->d->config);
	s->in_message = true;
	wn_session_tag_queue_id(s, mta, ctx);
	s->mail_from = wn_session_strip_angles(s->msg, argv ? argv[0] : NULL);
	if (s->mail_from == NULL)
		s->mail_from = "";
	auth = mta->getsymval(ctx, "{auth_authen}");
	s->authenticated = auth != NULL && *auth != '\0';
	if (s->trusted) {
		s->skip = true;
		s->skip_why = "trusted network";
	} else if (s->authenticated && s->cfg->settings->skip_authenticated) {
		s->skip = true;
		s->skip_why = "authenticated sender";
	}
	if (s->skip) {
		SLOG(WN_LOG_INFO, s, "not scanned: %s", s->skip_why);
		wn_count_unscanned(s, false);
		wn_session_message_end(s);
		return WN_REPLY_ACCEPT;
	}
	return WN_REPLY_CONTINUE;
}

wn_reply
wn_session_envrcpt(const wn_mta *mta, void *ctx, char **argv)
{
	wn_session *s = wn_session_get(mta, ctx);

	if (s != NULL)
		s->nrcpt++;
	return WN_REPLY_CONTINUE;
}

/* Append to the raw message, stopping at max_size (the rest is only
 * counted: such a message is not scanned). */
static int
wn_session_append(wn_session *s, const void *p, size_t n)
{
	size_t max = s->cfg->settings->max_size;

	s->total_len += n;
	if (s->oversize)
		return 0;
	if (s->raw_len + n > max) {
		s->oversize = true;
		return 0;
	}
	if (s->raw_len + n + 1 > s->raw_cap) {
		size_t ncap = s->raw_cap ? s->raw_cap : 16384;
		char *nr;

		while (ncap < s->raw_len + n + 1)
			ncap *= 2;
		if ((nr = wn_realloc(s->raw, ncap)) == NULL)
			return WN_ENOMEM;
		s->raw = nr;
		s->raw_cap = ncap;
	}
	memcpy(s->raw + s->raw_len, p, n);
	s->raw_len += n;
	return 0;
}

/* Whether an Authentication-Results value claims our authserv-id. */
static bool
wn_session_ar_is_ours(const wn_session *s, const char *value)
{
	const char *id = s->cfg->authserv_id;
	size_t n = strlen(id);

	while (*value == ' ' || *value == '\t' || *value == '\r' ||
	    *value == '\n')
		value++;
	return strncasecmp(value, id, n) == 0 &&
	    (value[n] == ';' || value[n] == ' ' || value[n] == '\t' ||
	    value[n] == '\r' || value[n] == '\n' || value[n] == '\0');
}

/* Remember the idx'th header of kind k for deletion; every forged copy
 * must go, however many there are. */
static int
wn_session_delete_later(wn_session *s, int k, unsigned idx)
{
	if (s->n_del == s->cap_del) {
		unsigned ncap = s->cap_del ? s->cap_del * 2 : 8;
		struct wn_own_delete *nd = wn_arena_alloc(s->msg,
		    ncap * sizeof(*nd));

		if (nd == NULL)
			return WN_ENOMEM;
		if (s->n_del > 0)
			memcpy(nd, s->del, s->n_del * sizeof(*nd));
		s->del = nd;
		s->cap_del = ncap;
	}
	s->del[s->n_del].kind = (uint8_t)k;
	s->del[s->n_del].idx = idx;
	s->n_del++;
	return 0;
}

static int
wn_session_note_own(wn_session *s, const char *name, const char *value)
{
	int k = wn_own_header_kind(s, name);

	if (k < 0)
		return 0;
	s->own_count[k]++;
	if (k == WN_OWN_AUTH_RESULTS && !wn_session_ar_is_ours(s, value))
		return 0;
	return wn_session_delete_later(s, k, s->own_count[k]);
}

wn_reply
wn_session_header(const wn_mta *mta, void *ctx, const char *name,
    const char *value)
{
	wn_session *s = wn_session_get(mta, ctx);
	const char *sep;

	if (s == NULL || !s->in_message)
		return WN_REPLY_CONTINUE;
	if (name == NULL)
		name = "";
	if (value == NULL)
		value = "";
	s->headers++;
	if (wn_session_note_own(s, name, value) != 0) {
		/* A forged header we could not note must not slip through:
		 * treat the message as failed (on_error). */
		s->oversize = true;
		s->skip_why = "out of memory";
	}
	if (s->subject == NULL && strcasecmp(name, "Subject") == 0)
		s->subject = wn_arena_strdup(s->msg, value);
	/* libmilter drops the one space after the colon; put it back. */
	sep = (*value == ' ' || *value == '\t' || *value == '\0') ? ":" : ": ";
	if (wn_session_append(s, name, strlen(name)) != 0 ||
	    wn_session_append(s, sep, strlen(sep)) != 0 ||
	    wn_session_append(s, value, strlen(value)) != 0 ||
	    wn_session_append(s, "\r\n", 2) != 0) {
		/* Out of memory: scan nothing; eom applies on_error. */
		s->oversize = true;
		s->skip_why = "out of memory";
	}
	return WN_REPLY_CONTINUE;
}

wn_reply
wn_session_eoh(const wn_mta *mta, void *ctx)
{
	wn_session *s = wn_session_get(mta, ctx);

	if (s != NULL && s->in_message &&
	    wn_session_append(s, "\r\n", 2) != 0) {
		s->oversize = true;
		s->skip_why = "out of memory";
	}
	return WN_REPLY_CONTINUE;
}

wn_reply
wn_session_body(const wn_mta *mta, void *ctx, const unsigned char *data,
    size_t len)
{
	wn_session *s = wn_session_get(mta, ctx);

	if (s != NULL && s->in_message && wn_session_append(s, data, len) != 0) {
		s->oversize = true;
		s->skip_why = "out of memory";
	}
	return WN_REPLY_CONTINUE;
}

/*
 * wn_session_failed - the one place an internal failure of a message
 * becomes a reply: on_error says whether the mail goes on unscanned or is
 * deferred for the client to retry.
 */
static wn_reply
wn_session_failed(wn_session *s, const wn_mta *mta, void *ctx,
    const char *why)
{
	const wn_settings *st = s->cfg->settings;

	atomic_fetch_add_explicit(&s->d->failures, 1, memory_order_relaxed);
	wn_count_unscanned(s, true);
	if (st->on_error == WN_ON_ERROR_TEMPFAIL) {
		SLOG(WN_LOG_ERR, s, "%s; message deferred (on_error = "
		    "tempfail)", why);
		mta->setreply(ctx, "451", "4.3.0",
		    "Temporary failure of the content filter, try again later");
		return WN_REPLY_TEMPFAIL;
	}
	SLOG(WN_LOG_ERR, s, "%s; message accepted unscanned (on_error = "
	    "accept)", why);
	return WN_REPLY_ACCEPT;
}

/* Learn a clear case into the store; returns the autolearn= value. */
static const char *
wn_session_autolearn(wn_session *s, const wn_scan_result *res)
{
	const wn_settings *st = s->cfg->settings;
	enum wn_learn_result lr;
	enum wn_learn_class cls;
	double score = res->verdict.score;
	int rc;

	if (!st->autolearn || s->cfg->scan.store == NULL ||
	    !s->cfg->store_writable)
		return NULL;
	if (score >= st->autolearn_spam)
		cls = WN_LEARN_SPAM;
	else if (score <= st->autolearn_ham)
		cls = WN_LEARN_HAM;
	else
		return "no";
	rc = wn_learn_message(s->msg, &s->cfg->scan, s->cfg->scan.store,
	    s->raw, s->raw_len, cls, (uint32_t)(time(NULL) / 86400), &lr);
	if (rc != 0) {
		SLOG(WN_LOG_WARN, s, "autolearn failed: %s", rc == WN_ENOMEM ?
		    wn_strerror(rc) : wn_store_error(s->cfg->scan.store));
		return "failed";
	}
	return cls == WN_LEARN_SPAM ? "spam" : "ham";
}

/*
 * Bulk detection: count this copy (its recipients, its sender) and add
 * the BULK_* symbols it earns. A store that fails is said and skipped:
 * the message is scored without bulk detection, like Bayes without its
 * store. Returns 0 or WN_ENOMEM.
 */
static int
wn_session_bulk(wn_session *s, wn_scan_result *res)
{
	wn_bulk_store *bs = wn_config_bulk_store(s->cfg);
	const wn_bulk_params *p = &s->cfg->bulk_params;
	wn_bulk_result *r;
	wn_bulk_obs obs;
	int rc;

	s->bulk = NULL;
	if (bs == NULL || res->msg == NULL)
		return 0;
	if ((r = wn_arena_alloc(s->msg, sizeof(*r))) == NULL)
		return WN_ENOMEM;
	obs.recipients = s->nrcpt > 0 ? s->nrcpt : 1;
	obs.sender = wn_bulk_sender_hash(s->mail_from);
	obs.now = (int64_t)time(NULL);
	obs.window = p->window;
	rc = wn_bulk_check(bs, p, res->msg, s->cfg->rules,
	    res->rules_run ? &res->rules : NULL, &obs, true, r);
	if (rc == WN_ENOMEM)
		return rc;
	if (rc != 0) {
		SLOG(WN_LOG_WARN, s, "bulk store failed (%s); scanned "
		    "without bulk detection", wn_bulk_store_error(bs));
		return 0;
	}
	s->bulk = r;
	if ((rc = wn_bulk_symbols(s->msg, p, r, &res->verdict)) < 0)
		return rc;
	if (rc > 0)
		wn_verdict_finish(&res->verdict);
	return 0;
}

wn_reply
wn_session_eom(const wn_mta *mta, void *ctx)
{
	wn_session *s = wn_session_get(mta, ctx);
	wn_scan_config scan;
	wn_scan_result res;
	wn_spf_check spf, *spfp = NULL;
	wn_rules_worker *w;
	const char *autolearn;
	enum wn_action act;
	double scan_ms;
	wn_reply reply;
	int rc;

	if (s == NULL)
		return WN_REPLY_CONTINUE;
	if (!s->in_message)
		return WN_REPLY_CONTINUE;
	wn_session_tag_queue_id(s, mta, ctx);
	s->started = wn_session_now();
	atomic_fetch_add_explicit(&s->d->messages, 1, memory_order_relaxed);
	if (s->oversize) {
		if (s->skip_why != NULL)
			reply = wn_session_failed(s, mta, ctx, s->skip_why);
		else {
			SLOG(WN_LOG_INFO, s, "not scanned: %zu bytes, more "
			    "than max_size", s->total_len);
			wn_count_unscanned(s, false);
			reply = WN_REPLY_ACCEPT;
		}
		wn_session_message_end(s);
		return reply;
	}
	scan = s->cfg->scan;
	w = wn_config_worker_take(s->cfg);
	rc = wn_scan(s->msg, &scan, w, s->raw, s->raw_len, &res);
	if (rc != 0 && rc != WN_ENOMEM && scan.store != NULL) {
		/* The store failed: classify on rules alone rather than
		 * not at all, and say so. */
		SLOG(WN_LOG_WARN, s, "token store failed (%s); scanned "
		    "without Bayes", wn_store_error(scan.store));
		scan.store = NULL;
		rc = wn_scan(s->msg, &scan, w, s->raw, s->raw_len, &res);
	}
	wn_config_worker_give(s->cfg, &w);
	scan_ms = (wn_session_now() - s->started) * 1000;
	if (rc != 0) {
		reply = wn_session_failed(s, mta, ctx, rc == WN_ENOMEM ?
		    "out of memory scanning" : "scan failed");
		wn_session_message_end(s);
		return reply;
	}
	if (s->cfg->spf != NULL) {
		rc = wn_spf_run(s->cfg->spf, s->msg, &s->ip, s->helo,
		    s->mail_from, &spf);
		if (rc == 0) {
			const wn_settings *st = s->cfg->settings;

			spfp = &spf;
			rc = wn_verdict_add(s->msg, &res.verdict,
			    wn_spf_symbol(spf.result, spf.helo),
			    st->spf_weight[spf.result]);
			wn_verdict_finish(&res.verdict);
		}
		if (rc != 0) {
			reply = wn_session_failed(s, mta, ctx,
			    "out of memory checking SPF");
			wn_session_message_end(s);
			return reply;
		}
	}
	if ((rc = wn_session_bulk(s, &res)) != 0) {
		reply = wn_session_failed(s, mta, ctx,
		    "out of memory checking bulk");
		wn_session_message_end(s);
		return reply;
	}
	autolearn = wn_session_autolearn(s, &res);
	reply = wn_actions_apply(s, mta, ctx, &res, spfp, autolearn, &act);
	wn_count_scanned(s, &res, spfp, act, scan_ms);
	wn_session_message_end(s);
	return reply;
}

wn_reply
wn_session_abort(const wn_mta *mta, void *ctx)
{
	wn_session *s = wn_session_get(mta, ctx);

	if (s != NULL && s->in_message)
		wn_session_message_end(s);
	return WN_REPLY_CONTINUE;
}

wn_reply
wn_session_close(const wn_mta *mta, void *ctx)
{
	wn_session *s = wn_session_get(mta, ctx);

	if (s == NULL)
		return WN_REPLY_CONTINUE;
	mta->setpriv(ctx, NULL);
	wn_session_free(&s);
	return WN_REPLY_CONTINUE;
}
