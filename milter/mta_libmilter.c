/*
 * mta_libmilter.c - the wn_mta table over libmilter, and the callbacks
 * libmilter calls, each handing over to its wn_session_* function.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <stdbool.h>

#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

#include "milter.h"

static wn_daemon *wn_milter_daemon;	/* set once before smfi_main */

/*
 * After "." the MTA sends every header, the end of headers and the body
 * before the end of message; none of them can change winnowd's answer, so
 * winnowd asks for no reply to them (milter protocol 6). That saves a
 * round trip per header: one message through Postfix, end-of-DATA p50 4.3
 * ms -> 2.4 ms (Postfix alone: 1.3 ms). Postfix writes those commands
 * back to back, so no ACK is awaited between them.
 */
#define WN_LM_NOREPLY (SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)

/* Private data from negotiate until connect makes the session: the MTA
 * agreed to WN_LM_NOREPLY on this connection. */
static char wn_lm_noreply_marker;

static void *
wn_lm_getpriv(void *ctx)
{
	return smfi_getpriv(ctx);
}

static int
wn_lm_setpriv(void *ctx, void *priv)
{
	return smfi_setpriv(ctx, priv) == MI_SUCCESS ? 0 : -1;
}

static const char *
wn_lm_getsymval(void *ctx, const char *name)
{
	return smfi_getsymval(ctx, (char *)name);
}

static int
wn_lm_addheader(void *ctx, const char *name, const char *value)
{
	return smfi_addheader(ctx, (char *)name, (char *)value) ==
	    MI_SUCCESS ? 0 : -1;
}

static int
wn_lm_insheader(void *ctx, int idx, const char *name, const char *value)
{
	return smfi_insheader(ctx, idx, (char *)name, (char *)value) ==
	    MI_SUCCESS ? 0 : -1;
}

static int
wn_lm_chgheader(void *ctx, const char *name, int idx, const char *value)
{
	return smfi_chgheader(ctx, (char *)name, idx, (char *)value) ==
	    MI_SUCCESS ? 0 : -1;
}

static int
wn_lm_setreply(void *ctx, const char *rcode, const char *xcode,
    const char *text)
{
	/* libmilter passes the text through a format; a '%' in an
	 * operator's text must not be read as one. */
	char safe[512];
	size_t i, o = 0;

	for (i = 0; text[i] != '\0' && o + 2 < sizeof(safe); i++) {
		if (text[i] == '%')
			safe[o++] = '%';
		safe[o++] = text[i] == '\r' || text[i] == '\n' ? ' ' : text[i];
	}
	safe[o] = '\0';
	return smfi_setreply(ctx, (char *)rcode, (char *)xcode, safe) ==
	    MI_SUCCESS ? 0 : -1;
}

static int
wn_lm_quarantine(void *ctx, const char *reason)
{
	return smfi_quarantine(ctx, (char *)reason) == MI_SUCCESS ? 0 : -1;
}

const wn_mta wn_mta_libmilter = {
	.getpriv = wn_lm_getpriv,
	.setpriv = wn_lm_setpriv,
	.getsymval = wn_lm_getsymval,
	.addheader = wn_lm_addheader,
	.insheader = wn_lm_insheader,
	.chgheader = wn_lm_chgheader,
	.setreply = wn_lm_setreply,
	.quarantine = wn_lm_quarantine,
};

static sfsistat
wn_lm_status(wn_reply r)
{
	switch (r) {
	case WN_REPLY_ACCEPT: return SMFIS_ACCEPT;
	case WN_REPLY_REJECT: return SMFIS_REJECT;
	case WN_REPLY_TEMPFAIL: return SMFIS_TEMPFAIL;
	case WN_REPLY_DISCARD: return SMFIS_DISCARD;
	case WN_REPLY_CONTINUE:
	default: return SMFIS_CONTINUE;
	}
}

static sfsistat
wn_lm_negotiate(SMFICTX *ctx, unsigned long actions, unsigned long steps,
    unsigned long f2, unsigned long f3, unsigned long *actions_out,
    unsigned long *steps_out, unsigned long *f2_out, unsigned long *f3_out)
{
	*actions_out = actions &
	    (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE);
	*steps_out = steps & SMFIP_NOUNKNOWN;
	*f2_out = *f3_out = 0;
	/* All or nothing, so each callback knows what to return. */
	if ((steps & WN_LM_NOREPLY) == WN_LM_NOREPLY) {
		*steps_out |= WN_LM_NOREPLY;
		smfi_setpriv(ctx, &wn_lm_noreply_marker);
	}
	return SMFIS_CONTINUE;
}

static sfsistat
wn_lm_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *addr)
{
	bool noreply = smfi_getpriv(ctx) == &wn_lm_noreply_marker;

	if (noreply)
		smfi_setpriv(ctx, NULL);
	return wn_lm_status(wn_session_connect(wn_milter_daemon,
	    &wn_mta_libmilter, ctx, hostname, addr, noreply));
}

/* The reply to a step in WN_LM_NOREPLY: none, when the MTA agreed. */
static sfsistat
wn_lm_quiet(SMFICTX *ctx, wn_reply r)
{
	if (r == WN_REPLY_CONTINUE &&
	    wn_session_noreply(&wn_mta_libmilter, ctx))
		return SMFIS_NOREPLY;
	return wn_lm_status(r);
}

static sfsistat
wn_lm_helo(SMFICTX *ctx, char *helo)
{
	return wn_lm_status(wn_session_helo(&wn_mta_libmilter, ctx, helo));
}

static sfsistat
wn_lm_envfrom(SMFICTX *ctx, char **argv)
{
	return wn_lm_status(wn_session_envfrom(&wn_mta_libmilter, ctx, argv));
}

static sfsistat
wn_lm_data(SMFICTX *ctx)
{
	return SMFIS_CONTINUE;
}

static sfsistat
wn_lm_envrcpt(SMFICTX *ctx, char **argv)
{
	return wn_lm_status(wn_session_envrcpt(&wn_mta_libmilter, ctx, argv));
}

static sfsistat
wn_lm_header(SMFICTX *ctx, char *name, char *value)
{
	return wn_lm_quiet(ctx, wn_session_header(&wn_mta_libmilter, ctx, name,
	    value));
}

static sfsistat
wn_lm_eoh(SMFICTX *ctx)
{
	return wn_lm_quiet(ctx, wn_session_eoh(&wn_mta_libmilter, ctx));
}

static sfsistat
wn_lm_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	return wn_lm_quiet(ctx, wn_session_body(&wn_mta_libmilter, ctx, data,
	    len));
}

static sfsistat
wn_lm_eom(SMFICTX *ctx)
{
	return wn_lm_status(wn_session_eom(&wn_mta_libmilter, ctx));
}

static sfsistat
wn_lm_abort(SMFICTX *ctx)
{
	return wn_lm_status(wn_session_abort(&wn_mta_libmilter, ctx));
}

static sfsistat
wn_lm_close(SMFICTX *ctx)
{
	return wn_lm_status(wn_session_close(&wn_mta_libmilter, ctx));
}

/*
 * At end of message libmilter writes each header edit and then the reply
 * as separate small packets, which the MTA does not answer: with Nagle's
 * algorithm every packet after the first waits for the MTA's delayed ACK,
 * 40 ms a message. libmilter does not hand out its listening socket, so
 * find it among our descriptors and set TCP_NODELAY there; Linux gives
 * the option to every connection accepted from it.
 *
 * XXX: the same stall hits the other direction when the MTA sends a
 * command that gets no reply and then, later, another: with SMFIP_NODATA
 * Postfix still sends the DATA macros, and its next write waited 40 ms
 * for our ACK. So winnowd has a DATA callback (libmilter turns a missing
 * one into SMFIP_NODATA) and answers it.
 */
static void
wn_lm_nodelay(void)
{
	int fd, on = 1, listening;
	socklen_t len;
	struct sockaddr_storage ss;

	for (fd = 3; fd < 1024; fd++) {
		len = sizeof(listening);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
		    &len) != 0 || !listening)
			continue;
		len = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
		    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
			continue;
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
		    sizeof(on));
	}
}

int
wn_milter_register(wn_daemon *d, const char *socket_spec)
{
	struct smfiDesc desc = {
		.xxfi_name = "winnow",
		.xxfi_version = SMFI_VERSION,
		.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
		.xxfi_connect = wn_lm_connect,
		.xxfi_helo = wn_lm_helo,
		.xxfi_envfrom = wn_lm_envfrom,
		.xxfi_envrcpt = wn_lm_envrcpt,
		.xxfi_header = wn_lm_header,
		.xxfi_eoh = wn_lm_eoh,
		.xxfi_body = wn_lm_body,
		.xxfi_eom = wn_lm_eom,
		.xxfi_abort = wn_lm_abort,
		.xxfi_close = wn_lm_close,
		.xxfi_data = wn_lm_data,
		.xxfi_negotiate = wn_lm_negotiate,
	};

	wn_milter_daemon = d;
	if (smfi_setconn((char *)socket_spec) != MI_SUCCESS)
		return -1;
	if (smfi_register(desc) != MI_SUCCESS)
		return -1;
	/* Open now (removing a stale unix socket), before privileges are
	 * dropped, so errors show at start-up. */
	if (smfi_opensocket(1) != MI_SUCCESS)
		return -1;
	wn_lm_nodelay();
	return 0;
}

int
wn_milter_run(void)
{
	return smfi_main() == MI_SUCCESS ? 0 : -1;
}
