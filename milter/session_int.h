/*
 * session_int.h - the session structure, shared by session.c (callbacks)
 * and actions.c (what a verdict does to the message).
 */
#ifndef WINNOW_MILTER_SESSION_INT_H
#define WINNOW_MILTER_SESSION_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <winnow/arena.h>
#include <winnow/bulk.h>
#include <winnow/netaddr.h>
#include <winnow/scan.h>
#include <winnow/spf.h>

#include "session.h"

/* Incoming headers we replace, counted to delete them at eom. */
enum wn_own_header {
	WN_OWN_FLAG,
	WN_OWN_STATUS,
	WN_OWN_SCORE,
	WN_OWN_LEVEL,
	WN_OWN_REPORT,
	WN_OWN_AUTH_RESULTS,	/* only those claiming our authserv-id */
	WN_OWN_COUNT
};

typedef struct wn_session {
	wn_daemon *d;
	wn_config *cfg;			/* one reference */
	wn_arena *conn;			/* connection lifetime */
	wn_arena *msg;			/* reset after each message */
	uint64_t id;
	char tag[40];			/* queue id, or "s<id>" before it */

	/* connection */
	wn_ipaddr ip;
	const char *client_name;
	const char *helo;
	bool trusted;
	bool noreply;			/* see wn_session_connect */

	/* message */
	bool in_message;
	const char *mail_from;		/* without <>, "" for null sender */
	bool authenticated;
	unsigned nrcpt;
	bool skip;			/* not scanned (reason in skip_why) */
	const char *skip_why;
	char *raw;			/* the message as received */
	size_t raw_len, raw_cap;
	bool oversize;
	size_t total_len;		/* bytes seen, also beyond max_size */
	const char *subject;		/* first Subject value, msg arena */
	unsigned own_count[WN_OWN_COUNT];	/* occurrences per name */
	/* occurrences to delete (message arena): kind, 1-based index */
	struct wn_own_delete {
		uint8_t kind;
		unsigned idx;
	} *del;
	unsigned n_del, cap_del;
	unsigned headers;
	double started;			/* monotonic seconds at end of message */
	const wn_bulk_result *bulk;	/* bulk check at eom; NULL: none */
} wn_session;

/* wn_session_now - monotonic seconds */
double wn_session_now(void);

/*
 * wn_actions_apply - scan result and SPF check -> header edits, reply.
 * spf may be NULL (not checked). Returns the reply for eom; the action
 * taken goes to *act_out.
 */
wn_reply wn_actions_apply(wn_session *s, const wn_mta *mta, void *ctx,
    const wn_scan_result *res, const wn_spf_check *spf,
    const char *autolearn, enum wn_action *act_out);

/*
 * Statistics (count.c): what one message adds, lock-free; nothing when
 * the daemon does not count. wn_count_scanned takes the scan's own time.
 */
void wn_count_scanned(const wn_session *s, const wn_scan_result *res,
    const wn_spf_check *spf, enum wn_action act, double scan_ms);
void wn_count_unscanned(const wn_session *s, bool failed);

/* wn_own_header_kind - which of our headers name is (case-insensitive),
 * or -1; runs for every incoming header, so it formats nothing */
int wn_own_header_kind(const wn_session *s, const char *name);

/* wn_own_header_name - the header name of kind k under prefix into buf */
const char *wn_own_header_name(const wn_session *s, enum wn_own_header k,
    char *buf, size_t len);

#endif
