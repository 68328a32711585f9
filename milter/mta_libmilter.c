/*
 * mta_libmilter.c - the wn_mta table over libmilter, and the callbacks
 * libmilter calls, each handing over to its wn_session_* function.
 */
#include <libmilter/mfapi.h>

#include "milter.h"

static wn_daemon *wn_milter_daemon;	/* set once before smfi_main */

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
wn_lm_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *addr)
{
	return wn_lm_status(wn_session_connect(wn_milter_daemon,
	    &wn_mta_libmilter, ctx, hostname, addr));
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
wn_lm_envrcpt(SMFICTX *ctx, char **argv)
{
	return wn_lm_status(wn_session_envrcpt(&wn_mta_libmilter, ctx, argv));
}

static sfsistat
wn_lm_header(SMFICTX *ctx, char *name, char *value)
{
	return wn_lm_status(wn_session_header(&wn_mta_libmilter, ctx, name,
	    value));
}

static sfsistat
wn_lm_eoh(SMFICTX *ctx)
{
	return wn_lm_status(wn_session_eoh(&wn_mta_libmilter, ctx));
}

static sfsistat
wn_lm_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	return wn_lm_status(wn_session_body(&wn_mta_libmilter, ctx, data,
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
	return 0;
}

int
wn_milter_run(void)
{
	return smfi_main() == MI_SUCCESS ? 0 : -1;
}
