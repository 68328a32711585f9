/*
 * spf.c - SPF checks through libspf2, and the headers that report them.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <spf2/spf.h>
#include <spf2/spf_dns.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/log.h>
#include <winnow/spf.h>

struct wn_spf {
	SPF_server_t *server;
	SPF_dns_server_t *dns;	/* a layer we were given, or NULL */
	char receiver[256];
};

static const char *const wn_spf_names[WN_SPF_RESULT_COUNT] = {
	[WN_SPF_NONE] = "none",
	[WN_SPF_NEUTRAL] = "neutral",
	[WN_SPF_PASS] = "pass",
	[WN_SPF_FAIL] = "fail",
	[WN_SPF_SOFTFAIL] = "softfail",
	[WN_SPF_TEMPERROR] = "temperror",
	[WN_SPF_PERMERROR] = "permerror",
};

static const char *const wn_spf_symbols[2][WN_SPF_RESULT_COUNT] = {
	{ "SPF_NONE", "SPF_NEUTRAL", "SPF_PASS", "SPF_FAIL", "SPF_SOFTFAIL",
	  "SPF_TEMPERROR", "SPF_PERMERROR" },
	{ "SPF_HELO_NONE", "SPF_HELO_NEUTRAL", "SPF_HELO_PASS",
	  "SPF_HELO_FAIL", "SPF_HELO_SOFTFAIL", "SPF_HELO_TEMPERROR",
	  "SPF_HELO_PERMERROR" },
};

/* libspf2 reports through process-wide handlers that print to stderr by
 * default; route warnings and notes into our log at debug level. Its
 * error handler aborts on broken invariants and is left alone. */
static void
wn_spf_log_note(const char *file, int line, const char *msg)
{
	wn_log_debug("spf: %s", msg);
}

int
wn_spf_new(const char *receiver, struct SPF_dns_server_struct *dns,
    wn_spf **out)
{
	wn_spf *s;

	*out = NULL;
	SPF_warning_handler = wn_spf_log_note;
	SPF_info_handler = wn_spf_log_note;
	SPF_debug_handler = wn_spf_log_note;
	if ((s = wn_calloc(1, sizeof(*s))) == NULL)
		return WN_ENOMEM;
	snprintf(s->receiver, sizeof(s->receiver), "%s",
	    receiver && *receiver ? receiver : "localhost");
	s->server = dns ? SPF_server_new_dns(dns, 0) :
	    SPF_server_new(SPF_DNS_CACHE, 0);
	if (s->server == NULL) {
		if (dns != NULL)
			SPF_dns_free(dns);
		wn_free(s);
		return WN_ENOMEM;
	}
	/* libspf2 frees only a resolver it made itself. */
	s->dns = dns;
	SPF_server_set_rec_dom(s->server, s->receiver);
	*out = s;
	return 0;
}

void
wn_spf_free(wn_spf **sp)
{
	if (*sp == NULL)
		return;
	SPF_server_free((*sp)->server);
	if ((*sp)->dns != NULL)
		SPF_dns_free((*sp)->dns);
	wn_free(*sp);
	*sp = NULL;
}

const char *
wn_spf_result_name(enum wn_spf_result r)
{
	return (unsigned)r < WN_SPF_RESULT_COUNT ? wn_spf_names[r] : "none";
}

const char *
wn_spf_symbol(enum wn_spf_result r, bool helo)
{
	return (unsigned)r < WN_SPF_RESULT_COUNT ?
	    wn_spf_symbols[helo][r] : wn_spf_symbols[helo][0];
}

static enum wn_spf_result
wn_spf_map(SPF_result_t r, SPF_errcode_t err)
{
	switch (r) {
	case SPF_RESULT_NEUTRAL: return WN_SPF_NEUTRAL;
	case SPF_RESULT_PASS: return WN_SPF_PASS;
	case SPF_RESULT_FAIL: return WN_SPF_FAIL;
	case SPF_RESULT_SOFTFAIL: return WN_SPF_SOFTFAIL;
	case SPF_RESULT_NONE: return WN_SPF_NONE;
	case SPF_RESULT_TEMPERROR: return WN_SPF_TEMPERROR;
	/* libspf2 leaves "invalid" when it could not evaluate the
	 * sender's own record: a DNS failure fetching it (RFC 7208:
	 * temperror), or a record it cannot compile (permerror). */
	case SPF_RESULT_INVALID:
		return err == SPF_E_DNS_ERROR ? WN_SPF_TEMPERROR :
		    WN_SPF_PERMERROR;
	case SPF_RESULT_PERMERROR:
	default: return WN_SPF_PERMERROR;
	}
}

/* A HELO name worth checking: a domain with a dot, not an address
 * literal. */
static bool
wn_spf_helo_usable(const char *helo)
{
	return helo != NULL && *helo != '\0' && *helo != '[' &&
	    strchr(helo, '.') != NULL;
}

static const char *
wn_spf_comment(wn_arena *a, const wn_spf_check *c, const char *ip,
    const char *receiver)
{
	char buf[768];
	const char *who = c->identity;

	switch (c->result) {
	case WN_SPF_PASS:
		snprintf(buf, sizeof(buf), "%s: %s%s designates %s as "
		    "permitted sender", receiver, c->helo ? "" : "domain of ",
		    who, ip);
		break;
	case WN_SPF_FAIL:
	case WN_SPF_SOFTFAIL:
		snprintf(buf, sizeof(buf), "%s: %s%s does not designate %s "
		    "as permitted sender", receiver,
		    c->helo ? "" : "domain of ", who, ip);
		break;
	case WN_SPF_NEUTRAL:
		snprintf(buf, sizeof(buf), "%s: %s is neither permitted nor "
		    "denied by %s", receiver, ip, who);
		break;
	case WN_SPF_NONE:
		snprintf(buf, sizeof(buf), "%s: %s does not publish SPF",
		    receiver, *who ? who : "sender");
		break;
	case WN_SPF_TEMPERROR:
		snprintf(buf, sizeof(buf), "%s: DNS error checking %s",
		    receiver, who);
		break;
	default:
		snprintf(buf, sizeof(buf), "%s: invalid SPF record for %s",
		    receiver, who);
		break;
	}
	return wn_arena_strdup(a, buf);
}

int
wn_spf_run(wn_spf *spf, wn_arena *a, const wn_ipaddr *ip, const char *helo,
    const char *mail_from, wn_spf_check *out)
{
	SPF_request_t *req;
	SPF_response_t *resp = NULL;
	SPF_errcode_t err;
	char ipbuf[64];
	bool null_sender = mail_from == NULL || *mail_from == '\0';
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->result = WN_SPF_NONE;
	out->helo = null_sender;
	out->identity = null_sender ? (helo ? helo : "") : mail_from;
	wn_ipaddr_format(ip, ipbuf, sizeof(ipbuf));
	if (ip->family == 0 || (null_sender && !wn_spf_helo_usable(helo)) ||
	    (!null_sender && strchr(mail_from, '@') == NULL &&
	    strchr(mail_from, '.') == NULL))
		goto done;
	if ((req = SPF_request_new(spf->server)) == NULL)
		return WN_ENOMEM;
	if (ip->family == 4) {
		struct in_addr a4;

		memcpy(&a4, ip->b, sizeof(a4));
		SPF_request_set_ipv4(req, a4);
	} else {
		struct in6_addr a6;

		memcpy(&a6, ip->b, sizeof(a6));
		SPF_request_set_ipv6(req, a6);
	}
	/* With the HELO name set first, an empty MAIL FROM becomes
	 * postmaster@HELO inside libspf2. */
	if (wn_spf_helo_usable(helo))
		SPF_request_set_helo_dom(req, helo);
	if (SPF_request_set_env_from(req, null_sender ? "" : mail_from) != 0) {
		SPF_request_free(req);
		out->result = WN_SPF_PERMERROR;
		goto done;
	}
	err = SPF_request_query_mailfrom(req, &resp);
	out->result = resp ? wn_spf_map(SPF_response_result(resp), err) :
	    WN_SPF_TEMPERROR;
	if (resp == NULL)
		rc = WN_ENOMEM;
	SPF_response_free(resp);
	SPF_request_free(req);
	if (rc != 0)
		return rc;
done:
	if ((out->identity = wn_arena_strdup(a, out->identity)) == NULL ||
	    (out->comment = wn_spf_comment(a, out, ipbuf,
	    spf->receiver)) == NULL)
		return WN_ENOMEM;
	return 0;
}

/* A header parameter value: as is when it is a plain token, else quoted
 * with quotes and backslashes escaped (RFC 5322 quoted-string). */
static void
wn_spf_param(char *dst, size_t cap, const char *v)
{
	size_t i = 0, j = 0;
	bool plain = *v != '\0';

	for (i = 0; v[i]; i++)
		if (!(v[i] > ' ' && v[i] < 127 && !strchr("\"\\;()<>,", v[i])))
			plain = false;
	if (plain) {
		snprintf(dst, cap, "%s", v);
		return;
	}
	if (cap < 3)
		return;
	dst[j++] = '"';
	for (i = 0; v[i] && j + 3 < cap; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch < ' ' || ch == 127)
			continue;
		if (ch == '"' || ch == '\\')
			dst[j++] = '\\';
		dst[j++] = (char)ch;
	}
	dst[j++] = '"';
	dst[j] = '\0';
}

char *
wn_spf_received(wn_arena *a, const wn_spf_check *c, const wn_ipaddr *ip,
    const char *helo, const char *receiver)
{
	char ipbuf[64], from[600], hl[300], out[2048];

	wn_ipaddr_format(ip, ipbuf, sizeof(ipbuf));
	wn_spf_param(from, sizeof(from), c->helo ? "<>" : c->identity);
	wn_spf_param(hl, sizeof(hl), helo && *helo ? helo : "unknown");
	snprintf(out, sizeof(out), "%s (%s)\n\tclient-ip=%s; envelope-from=%s;"
	    " helo=%s;\n\treceiver=%s; identity=%s;",
	    wn_spf_result_name(c->result), c->comment, ipbuf, from, hl,
	    receiver, c->helo ? "helo" : "mailfrom");
	return wn_arena_strdup(a, out);
}

char *
wn_spf_auth_results(wn_arena *a, const wn_spf_check *c)
{
	char id[600], out[700];

	wn_spf_param(id, sizeof(id), *c->identity ? c->identity : "unknown");
	snprintf(out, sizeof(out), "spf=%s smtp.%s=%s",
	    wn_spf_result_name(c->result), c->helo ? "helo" : "mailfrom", id);
	return wn_arena_strdup(a, out);
}
