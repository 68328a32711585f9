/*
 * spf.h - Sender Policy Framework checks (RFC 7208) with libspf2.
 *
 * One wn_spf per configuration snapshot wraps a libspf2 server with its
 * DNS cache; it is shared by all threads (libspf2 keeps per-thread resolver
 * state). Each check makes its own request and response and frees them
 * before returning; the texts it returns live in the caller's arena.
 *
 * The identity checked is MAIL FROM; for the null sender it is the HELO
 * name (postmaster@HELO, RFC 7208 section 2.4). DNS time limits come from
 * the resolver (RES_OPTIONS "timeout:N attempts:M", set by winnowd before
 * threads start); libspf2 limits DNS mechanisms to 10 per check.
 */
#ifndef WINNOW_SPF_H
#define WINNOW_SPF_H

#include <stdbool.h>

#include <winnow/arena.h>
#include <winnow/netaddr.h>

struct SPF_dns_server_struct;

enum wn_spf_result {
	WN_SPF_NONE,
	WN_SPF_NEUTRAL,
	WN_SPF_PASS,
	WN_SPF_FAIL,
	WN_SPF_SOFTFAIL,
	WN_SPF_TEMPERROR,
	WN_SPF_PERMERROR,
	WN_SPF_RESULT_COUNT
};

typedef struct wn_spf wn_spf;

typedef struct wn_spf_check {
	enum wn_spf_result result;
	bool helo;		/* the identity was the HELO name */
	const char *identity;	/* address or HELO name checked ("" none) */
	const char *comment;	/* why, for Received-SPF; never NULL */
} wn_spf_check;

/*
 * wn_spf_new - a checker. receiver names this host in headers. dns NULL:
 * the system resolver behind a cache; otherwise a libspf2 DNS layer
 * (tests use a zone layer), and the checker takes ownership of it.
 */
int wn_spf_new(const char *receiver, struct SPF_dns_server_struct *dns,
    wn_spf **out);
void wn_spf_free(wn_spf **sp);

/*
 * wn_spf_run - check client ip for mail_from ("" for the null sender) and
 * helo (may be "" or NULL). Always returns a result: a check that cannot
 * be made (no usable identity) is none. Where libspf2 gives no result
 * ("invalid"), a DNS failure on the sender's record is temperror and a
 * record it cannot compile is permerror.
 * Returns 0 or WN_ENOMEM.
 */
int wn_spf_run(wn_spf *spf, wn_arena *a, const wn_ipaddr *ip,
    const char *helo, const char *mail_from, wn_spf_check *out);

/* wn_spf_result_name - "pass", "fail", ... as RFC 7208 spells them */
const char *wn_spf_result_name(enum wn_spf_result r);

/* wn_spf_symbol - SPF_PASS ... or SPF_HELO_PASS ... for the verdict */
const char *wn_spf_symbol(enum wn_spf_result r, bool helo);

/*
 * wn_spf_received - the Received-SPF value (RFC 7208 section 9.1);
 * wn_spf_auth_results - the "spf=..." clause of Authentication-Results
 * (RFC 8601). NULL on allocation failure.
 */
char *wn_spf_received(wn_arena *a, const wn_spf_check *c, const wn_ipaddr *ip,
    const char *helo, const char *receiver);
char *wn_spf_auth_results(wn_arena *a, const wn_spf_check *c);

#endif
