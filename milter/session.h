/*
 * session.h - one SMTP connection through winnowd: the milter callbacks.
 *
 * The callbacks of libmilter map one to one onto the wn_session_*
 * functions below, which hold all of winnowd's per-connection logic and
 * speak to the MTA only through a wn_mta table. State lives in a
 * wn_session stored with setpriv: a connection arena (client, HELO) and a
 * message arena reset after each message, the raw message (size-capped),
 * and a reference to the configuration snapshot, taken at connect and
 * renewed at each MAIL FROM so a reload applies from the next message.
 *
 * A connection's callbacks run one at a time, not always on the same
 * thread; nothing here is thread-local. Every internal failure of a
 * message ends in one function that applies the configured on_error
 * policy, so a failure never stops the daemon.
 */
#ifndef WINNOW_MILTER_SESSION_H
#define WINNOW_MILTER_SESSION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <winnow/config.h>

#include "mta.h"

/* What a callback tells the MTA (SMFIS_*). */
typedef enum wn_reply {
	WN_REPLY_CONTINUE,
	WN_REPLY_ACCEPT,
	WN_REPLY_REJECT,
	WN_REPLY_TEMPFAIL,
	WN_REPLY_DISCARD
} wn_reply;

/* What all sessions of the daemon share. */
typedef struct wn_daemon {
	wn_config_slot config;
	atomic_ulong next_session;	/* session ids for log lines */
	atomic_ulong messages;		/* messages that reached eom */
	atomic_ulong failures;		/* messages under on_error */

	/* statistics (stats_thread.c): NULL when not counting, or no
	 * GeoIP database */
	struct wn_stats *stats;
	struct wn_geoip *geoip;
	struct wn_ticker *ticker;
} wn_daemon;

struct sockaddr;

/* noreply: the MTA expects no reply to header, eoh and body (they always
 * continue); wn_session_noreply tells it back */
wn_reply wn_session_connect(wn_daemon *d, const wn_mta *mta, void *ctx,
    const char *hostname, const struct sockaddr *addr, bool noreply);
bool wn_session_noreply(const wn_mta *mta, void *ctx);
wn_reply wn_session_helo(const wn_mta *mta, void *ctx, const char *helo);
wn_reply wn_session_envfrom(const wn_mta *mta, void *ctx, char **argv);
wn_reply wn_session_envrcpt(const wn_mta *mta, void *ctx, char **argv);
wn_reply wn_session_header(const wn_mta *mta, void *ctx, const char *name,
    const char *value);
wn_reply wn_session_eoh(const wn_mta *mta, void *ctx);
wn_reply wn_session_body(const wn_mta *mta, void *ctx,
    const unsigned char *data, size_t len);
wn_reply wn_session_eom(const wn_mta *mta, void *ctx);
wn_reply wn_session_abort(const wn_mta *mta, void *ctx);
wn_reply wn_session_close(const wn_mta *mta, void *ctx);

#endif
