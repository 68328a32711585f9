/*
 * url.c - URL extraction from plain text and host normalisation.
 *
 * wn_url_parse splits one URL the way a browser would (backslashes count
 * as slashes, tabs and line breaks inside are dropped, http/https/ftp
 * accept any number of slashes) and normalises the host: percent-decoded,
 * lowercased (NFKC case folding for non-ASCII, so full-width letters and
 * dots fold to ASCII), userinfo and port dropped, and every IPv4 spelling
 * of RFC 3986 and the WHATWG URL standard (decimal, hex, octal, one to four
 * parts) turned into the dotted quad.
 *
 * wn_url_extract_text scans text once: a table finds the bytes that can
 * start a URL (':' of "scheme://" and "mailto:", 'w' of "www.", '@' of a
 * bare address), each candidate looks back a bounded distance, and the
 * scan resumes after everything a candidate consumed, so the work is linear
 * in the text whatever it holds.
 */
#include <libpsl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <uninorm.h>

#include <winnow/codec.h>
#include <winnow/err.h>
#include <winnow/str.h>
#include <winnow/url.h>

#define WN_URL_SCHEME_MAX	32	/* longest scheme looked at */
#define WN_URL_HOST_MAX		253	/* longest DNS name */
#define WN_URL_LOCAL_MAX	64	/* longest local part of an address */
#define WN_URL_FOLD_MAX		1024	/* room for NFKC case folding */
#define WN_URL_RECENT		4	/* list entries searched for a host */

/* What a parse found before anything is copied into the arena. */
struct wn_url_parts {
	const char *scheme;	/* into the cleaned copy */
	size_t scheme_len;
	const char *path;
	size_t path_len;
	char host[WN_URL_HOST_MAX + 1];
	size_t host_len;
	uint32_t flags;
};

static inline bool
wn_url_is_alnum(unsigned char c)
{
	return wn_ascii_is_alpha(c) || wn_ascii_is_digit(c);
}

static inline bool
wn_url_is_scheme_char(unsigned char c)
{
	return wn_url_is_alnum(c) || c == '+' || c == '-' || c == '.';
}

/* Case-insensitive comparisons with lowercase literals (str.h). */
static inline bool
wn_url_ieq(const char *s, size_t n, const char *lit)
{
	return wn_str_ieq(wn_str_make(s, n), lit);
}

static inline bool
wn_url_iprefix(const char *s, size_t n, const char *lit)
{
	return wn_str_iprefix(wn_str_make(s, n), lit);
}

/* Schemes a browser treats as "special": slashes optional, '\' is '/'. */
static bool
wn_url_special_scheme(const char *s, size_t n)
{
	return wn_url_ieq(s, n, "http") || wn_url_ieq(s, n, "https") ||
	    wn_url_ieq(s, n, "ftp") || wn_url_ieq(s, n, "ws") ||
	    wn_url_ieq(s, n, "wss");
}

/*
 * The Public Suffix List: the data compiled into libpsl, or when the build
 * has none, the system's list loaded once and kept (read-only afterwards)
 * for the life of the process.
 */
static psl_ctx_t *wn_url_psl_loaded;
static pthread_once_t wn_url_psl_once = PTHREAD_ONCE_INIT;

static void
wn_url_psl_load(void)
{
	wn_url_psl_loaded = psl_latest(NULL);
}

static const psl_ctx_t *
wn_url_psl(void)
{
	const psl_ctx_t *p;

	if ((p = psl_builtin()) != NULL)
		return p;
	pthread_once(&wn_url_psl_once, wn_url_psl_load);
	return wn_url_psl_loaded;
}

/* Registrable part of a normalised host: a suffix of host itself. */
static const char *
wn_url_domain_of(const char *host, uint32_t flags)
{
	const psl_ctx_t *psl;
	const char *d, *p, *last = NULL, *prev = NULL;

	if (host[0] == '\0' || (flags & WN_URL_IP))
		return host;
	if ((psl = wn_url_psl()) != NULL) {
		d = psl_registrable_domain(psl, host);
		return d != NULL ? d : host;
	}
	/* No list at all: the last two labels. */
	for (p = host; *p != '\0'; p++)
		if (*p == '.') {
			prev = last;
			last = p;
		}
	return prev != NULL ? prev + 1 : host;
}

/*
 * wn_url_ipv4 - WHATWG IPv4 parser over h[0..n): 1 to 4 parts separated by
 * dots, each decimal, 0x-hex or 0-octal, the last one filling the
 * remaining bytes. Returns 1 and the address, 0 if malformed; *obf is set
 * when the spelling is not the plain dotted quad.
 */
static int
wn_url_ipv4(const char *h, size_t n, uint32_t *addr, bool *obf)
{
	uint64_t part[4];
	size_t i = 0, np = 0;
	uint64_t v;
	int k;

	*obf = false;
	while (i <= n) {
		size_t b = i;
		unsigned base = 10;

		if (np == 4)
			return 0;
		if (i + 1 < n && h[i] == '0' && (h[i + 1] | 0x20) == 'x') {
			base = 16;
			i += 2;
			*obf = true;
		} else if (i + 1 < n && h[i] == '0' && h[i + 1] != '.') {
			base = 8;
			i++;
			*obf = true;
		}
		v = 0;
		while (i < n && h[i] != '.') {
			if ((k = wn_hex_value((unsigned char)h[i])) < 0 ||
			    (unsigned)k >= base)
				return 0;
			v = v * base + (unsigned)k;
			if (v > 0xffffffffu)
				return 0;
			i++;
		}
		if (i == b)
			return 0;	/* empty part */
		part[np++] = v;
		i++;			/* past the dot, or past the end */
	}
	if (np != 4)
		*obf = true;
	for (i = 0; i + 1 < np; i++)
		if (part[i] > 255)
			return 0;
	if (part[np - 1] >= (1ull << (8 * (5 - np))))
		return 0;
	v = part[np - 1];
	for (i = 0; i + 1 < np; i++)
		v |= part[i] << (8 * (3 - i));
	*addr = (uint32_t)v;
	return 1;
}

/* Whether the last label is a number, which makes the host an IPv4. */
static bool
wn_url_ends_in_number(const char *h, size_t n)
{
	size_t b = n, i;

	while (b > 0 && h[b - 1] != '.')
		b--;
	if (b == n)
		return false;
	for (i = b; i < n && wn_ascii_is_digit((unsigned char)h[i]); i++)
		;
	if (i == n)
		return true;
	if (n - b >= 2 && h[b] == '0' && (h[b + 1] | 0x20) == 'x') {
		for (i = b + 2; i < n &&
		    wn_hex_value((unsigned char)h[i]) >= 0; i++)
			;
		return i == n;
	}
	return false;
}

static bool
wn_url_has_xn_label(const char *h, size_t n)
{
	size_t i;

	for (i = 0; i + 4 <= n; i++)
		if ((i == 0 || h[i - 1] == '.') &&
		    memcmp(h + i, "xn--", 4) == 0)
			return true;
	return false;
}

/*
 * wn_url_fold_stable - whether NFKC case folding leaves s[0..n) (valid
 * UTF-8, ASCII already lowercased) unchanged: every code point is ASCII
 * or a lower-case or caseless letter of a common script that has no
 * decomposition and is not a combining mark. Saves the fold for most IDN.
 */
static bool
wn_url_fold_stable(const char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t c;

	while (i < n) {
		k = wn_utf8_decode((const unsigned char *)s + i, n - i, &c);
		i += k;
		if (c < 0x80 || (c >= 0xe0 && c <= 0xff && c != 0xf7) ||
		    (c >= 0x3ac && c <= 0x3ce && c != 0x3c2) ||
		    (c >= 0x430 && c <= 0x45f) || (c >= 0x5d0 && c <= 0x5ea) ||
		    (c >= 0x621 && c <= 0x64a) || (c >= 0x3041 && c <= 0x3096) ||
		    (c >= 0x30a1 && c <= 0x30fa) || (c >= 0x4e00 && c <= 0x9fff) ||
		    (c >= 0xac00 && c <= 0xd7a3))
			continue;
		return false;
	}
	return true;
}

/*
 * wn_url_host_norm - normalise h[0..n) into dst (WN_URL_HOST_MAX + 1
 * bytes). Returns the length, or -1 if the host is unusable. Flags are
 * or-ed into *fl.
 */
static int
wn_url_host_norm(const char *h, size_t n, char *dst, uint32_t *fl)
{
	char tmp[WN_URL_MAX_LEN];
	uint8_t fold[WN_URL_FOLD_MAX];
	const char *src;
	size_t i, len = 0, flen;
	bool high = false, pct = false, obf;
	uint32_t addr;
	uint8_t *f;

	if (n > WN_URL_MAX_LEN)
		return -1;
	if (n >= 2 && h[0] == '[') {
		/* IPv6 literal: hex digits, colons, an embedded IPv4. */
		if (h[n - 1] != ']' || n - 2 > 45 || n < 4)
			return -1;
		for (i = 1; i + 1 < n; i++) {
			unsigned char c = (unsigned char)h[i];

			if (wn_hex_value(c) < 0 && c != ':' && c != '.')
				return -1;
			dst[len++] = (char)wn_ascii_lower(c);
		}
		if (memchr(dst, ':', len) == NULL)
			return -1;
		dst[len] = '\0';
		*fl |= WN_URL_IP;
		return (int)len;
	}
	/* Percent-decode and lowercase; fold the dots of CJK scripts. */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];
		int hi, lo;

		if (c == '%' && i + 2 < n &&
		    (hi = wn_hex_value((unsigned char)h[i + 1])) >= 0 &&
		    (lo = wn_hex_value((unsigned char)h[i + 2])) >= 0) {
			c = (unsigned char)(hi << 4 | lo);
			pct = true;
			i += 2;
		}
		if (c >= 0x80)
			high = true;
		tmp[len++] = (char)wn_ascii_lower(c);
	}
	if (pct)
		*fl |= WN_URL_PERCENT_HOST;
	src = tmp;
	if (high) {
		/* U+3002, U+FF0E and U+FF61 separate labels like '.'. */
		size_t j = 0;

		*fl |= WN_URL_IDN;
		for (i = 0; i < len; i++) {
			if (i + 2 < len && (unsigned char)tmp[i] == 0xe3 &&
			    (unsigned char)tmp[i + 1] == 0x80 &&
			    (unsigned char)tmp[i + 2] == 0x82) {
				tmp[j++] = '.';
				i += 2;
			} else if (i + 2 < len &&
			    (unsigned char)tmp[i] == 0xef &&
			    (((unsigned char)tmp[i + 1] == 0xbc &&
			    (unsigned char)tmp[i + 2] == 0x8e) ||
			    ((unsigned char)tmp[i + 1] == 0xbd &&
			    (unsigned char)tmp[i + 2] == 0xa1))) {
				tmp[j++] = '.';
				i += 2;
			} else
				tmp[j++] = tmp[i];
		}
		len = j;
		if (!wn_utf8_valid(tmp, len))
			return -1;
		if (!wn_url_fold_stable(tmp, len)) {
			flen = sizeof(fold);
			f = u8_casefold((const uint8_t *)tmp, len, NULL,
			    UNINORM_NFKC, fold, &flen);
			if (f == NULL)
				return -1;
			if (f != fold) {
				free(f);	/* beyond any DNS name */
				return -1;
			}
			src = (const char *)fold;
			len = flen;
		}
	}
	while (len > 0 && src[len - 1] == '.')
		len--;
	if (len == 0 || len > WN_URL_HOST_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '.') {
			if (i == 0 || src[i - 1] == '.')
				return -1;	/* empty label */
		} else if (!wn_url_is_alnum(c) && c != '-' && c != '_' &&
		    c < 0x80)
			return -1;
	}
	if (wn_url_ends_in_number(src, len)) {
		if (!wn_url_ipv4(src, len, &addr, &obf))
			return -1;
		*fl |= WN_URL_IP;
		/* Full-width or percent-encoded digits hide an IP too. */
		if (obf || high || pct)
			*fl |= WN_URL_OBFUSCATED_IP;
		len = 0;
		for (i = 0; i < 4; i++) {
			unsigned b = (addr >> (24 - 8 * i)) & 0xff;

			if (i > 0)
				dst[len++] = '.';
			if (b >= 100)
				dst[len++] = (char)('0' + b / 100);
			if (b >= 10)
				dst[len++] = (char)('0' + b / 10 % 10);
			dst[len++] = (char)('0' + b % 10);
		}
		dst[len] = '\0';
		return (int)len;
	}
	if (wn_url_has_xn_label(src, len))
		*fl |= WN_URL_IDN;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return (int)len;
}

const char *
wn_url_host_normalise(wn_arena *arena, const char *host, size_t n,
    uint32_t *flags_out)
{
	char dst[WN_URL_HOST_MAX + 1];
	uint32_t fl = 0;
	int len;

	if ((len = wn_url_host_norm(host, n, dst, &fl)) < 0)
		return NULL;
	if (flags_out != NULL)
		*flags_out |= fl & (WN_URL_IP | WN_URL_OBFUSCATED_IP |
		    WN_URL_PERCENT_HOST | WN_URL_IDN);
	return wn_arena_memdup(arena, dst, (size_t)len);
}

const char *
wn_url_registrable_domain(wn_arena *arena, const char *host)
{
	uint32_t fl = 0;
	size_t i;

	/* A normalised IP literal is digits and dots, or has a colon. */
	for (i = 0; host[i] != '\0'; i++)
		if (!wn_ascii_is_digit((unsigned char)host[i]) && host[i] != '.')
			break;
	if ((host[i] == '\0' && i > 0) || strchr(host, ':') != NULL)
		fl = WN_URL_IP;
	return wn_arena_strdup(arena, wn_url_domain_of(host, fl));
}

/* The authority: userinfo dropped, host normalised, port dropped. */
static int
wn_url_authority(const char *a, size_t n, struct wn_url_parts *pp)
{
	const char *at, *h = a, *c;
	size_t hn = n;
	int len;

	for (at = a + n; at > a; at--)
		if (at[-1] == '@')
			break;
	if (at > a) {
		pp->flags |= WN_URL_USERINFO;
		hn = n - (size_t)(at - a);
		h = at;
	}
	if (hn > 0 && h[0] == '[') {
		if ((c = memchr(h, ']', hn)) != NULL)
			hn = (size_t)(c - h) + 1;
	} else if ((c = memchr(h, ':', hn)) != NULL)
		hn = (size_t)(c - h);
	if (hn == 0)
		return WN_EINVAL;
	len = wn_url_host_norm(h, hn, pp->host, &pp->flags);
	if (len < 0) {
		pp->flags |= WN_URL_BAD_HOST;
		pp->flags &= ~(uint32_t)(WN_URL_IP | WN_URL_OBFUSCATED_IP);
		pp->host[0] = '\0';
		pp->host_len = 0;
	} else
		pp->host_len = (size_t)len;
	return 0;
}

/* mailto:local@domain[,more][?query] - the host is the first domain. */
static int
wn_url_mailto(const char *s, size_t n, struct wn_url_parts *pp)
{
	const char *q, *at;
	size_t an;

	q = memchr(s, '?', n);
	an = q != NULL ? (size_t)(q - s) : n;
	pp->path = q != NULL ? q : s + n;
	pp->path_len = n - an;
	if ((q = memchr(s, ',', an)) != NULL)
		an = (size_t)(q - s);
	for (at = s + an; at > s; at--)
		if (at[-1] == '@')
			break;
	if (at == s || at == s + an)
		return WN_EINVAL;
	pp->flags |= WN_URL_MAILTO;
	an -= (size_t)(at - s);
	if (wn_url_host_norm(at, an, pp->host, &pp->flags) < 0) {
		pp->flags |= WN_URL_BAD_HOST;
		pp->flags &= ~(uint32_t)(WN_URL_IP | WN_URL_OBFUSCATED_IP);
		pp->host[0] = '\0';
	}
	pp->host_len = strlen(pp->host);
	return 0;
}

/*
 * wn_url_split - find scheme, host and path of u[0..n) (already cleaned).
 * mail: u is a bare address found in text.
 */
static int
wn_url_split(const char *u, size_t n, bool mail, struct wn_url_parts *pp)
{
	size_t i = 0, a, e;
	bool special = false;

	memset(pp, 0, sizeof(*pp));
	pp->scheme = u;
	pp->path = u + n;
	if (mail) {
		pp->scheme = "mailto";
		pp->scheme_len = 6;
		return wn_url_mailto(u, n, pp);
	}
	if (n > 0 && wn_ascii_is_alpha((unsigned char)u[0])) {
		while (i < n && wn_url_is_scheme_char((unsigned char)u[i]))
			i++;
		if (i >= n || u[i] != ':' || i > WN_URL_SCHEME_MAX)
			i = 0;
	}
	if (i > 0) {
		pp->scheme_len = i;
		a = i + 1;
		if (wn_url_ieq(u, i, "mailto"))
			return wn_url_mailto(u + a, n - a, pp);
		special = wn_url_special_scheme(u, i);
		if (special) {
			while (a < n && (u[a] == '/' || u[a] == '\\'))
				a++;
		} else if (a + 1 < n && (u[a] == '/' || u[a] == '\\') &&
		    (u[a + 1] == '/' || u[a + 1] == '\\'))
			a += 2;
		else if (memchr(u, '.', i) != NULL &&
		    wn_url_iprefix(u, n, "www.")) {
			/* www.example.com:8080 has no scheme */
			pp->scheme_len = 0;
			pp->flags |= WN_URL_NO_SCHEME;
			a = 0;
		} else
			return WN_EINVAL;	/* javascript:, data:, tel: */
	} else if (n >= 2 && (u[0] == '/' || u[0] == '\\') &&
	    (u[1] == '/' || u[1] == '\\')) {
		pp->flags |= WN_URL_NO_SCHEME;
		a = 2;
	} else if (wn_url_iprefix(u, n, "www.")) {
		pp->flags |= WN_URL_NO_SCHEME;
		a = 0;
	} else
		return WN_EINVAL;
	for (e = a; e < n; e++)
		if (u[e] == '/' || u[e] == '\\' || u[e] == '?' || u[e] == '#')
			break;
	pp->path = u + e;
	pp->path_len = n - e;
	return wn_url_authority(u + a, e - a, pp);
}

/*
 * wn_url_parse_ex - parse s[0..n) into *out; check_only stops before
 * anything is allocated (used to tell whether a dropped URL was one).
 * recent[0..nrecent) are URLs already parsed: one with the same host
 * lends its domain, which saves the PSL lookup (mail repeats hosts).
 */
static int
wn_url_parse_ex(wn_arena *arena, const char *s, size_t n, uint32_t flags,
    bool mail, bool check_only, const wn_url *recent, size_t nrecent,
    wn_url *out)
{
	char buf[WN_URL_MAX_LEN];
	struct wn_url_parts pp;
	size_t i, len = 0, sl;
	char *m, *w;
	int rc;

	/* Browsers strip surrounding blanks and controls, and drop tabs
	 * and line breaks anywhere inside. */
	while (n > 0 && (unsigned char)s[0] <= 0x20) {
		s++;
		n--;
	}
	while (n > 0 && (unsigned char)s[n - 1] <= 0x20)
		n--;
	for (i = 0; i < n && len < sizeof(buf); i++)
		if (s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			buf[len++] = s[i];
	if ((rc = wn_url_split(buf, len, mail, &pp)) != 0)
		return rc;
	if (check_only)
		return 0;
	sl = pp.scheme_len;
	m = wn_arena_alloc(arena, len + sl + pp.host_len + pp.path_len + 4);
	if (m == NULL)
		return WN_ENOMEM;
	w = m;
	memcpy(w, buf, len);
	w[len] = '\0';
	out->url = w;
	w += len + 1;
	for (i = 0; i < sl; i++)
		w[i] = (char)wn_ascii_lower((unsigned char)pp.scheme[i]);
	w[sl] = '\0';
	out->scheme = w;
	w += sl + 1;
	memcpy(w, pp.host, pp.host_len);
	w[pp.host_len] = '\0';
	out->host = w;
	w += pp.host_len + 1;
	memcpy(w, pp.path, pp.path_len);
	w[pp.path_len] = '\0';
	out->path = w;
	out->flags = pp.flags | flags;
	for (i = 0; i < nrecent; i++)
		if (strcmp(recent[i].host, out->host) == 0) {
			out->domain = out->host + (recent[i].domain -
			    recent[i].host);
			return 0;
		}
	out->domain = wn_url_domain_of(out->host, out->flags);
	return 0;
}

int
wn_url_parse(wn_arena *arena, const char *s, size_t n, uint32_t flags,
    wn_url *out)
{
	return wn_url_parse_ex(arena, s, n, flags, false, false, NULL, 0, out);
}

void
wn_url_list_init(wn_url_list *l, wn_arena *arena, size_t max_urls)
{
	l->arena = arena;
	l->v = NULL;
	l->n = 0;
	l->cap = 0;
	l->max_urls = max_urls;
	l->flags = 0;
}

/* wn_url_list_append - parse and append; full list only sets the flag */
static int
wn_url_list_append(wn_url_list *l, const char *s, size_t n, uint32_t flags,
    bool mail)
{
	wn_url u, *v;
	size_t ncap, nr;
	int rc;

	if (l->n >= l->max_urls) {
		if (wn_url_parse_ex(l->arena, s, n, flags, mail, true, NULL, 0,
		    &u) == 0)
			l->flags |= WN_URL_LIST_FULL;
		return 0;
	}
	/* No pointer arithmetic on the NULL array of an empty list. */
	nr = l->n < WN_URL_RECENT ? l->n : WN_URL_RECENT;
	rc = wn_url_parse_ex(l->arena, s, n, flags, mail, false,
	    nr > 0 ? l->v + l->n - nr : NULL, nr, &u);
	if (rc != 0)
		return rc == WN_EINVAL ? 0 : rc;
	if (l->n == l->cap) {
		ncap = l->cap ? l->cap * 2 : 16;
		if (ncap > l->max_urls)
			ncap = l->max_urls;
		if (ncap < l->cap || ncap > SIZE_MAX / sizeof(*v))
			return WN_ENOMEM;
		if ((v = wn_arena_alloc(l->arena, ncap * sizeof(*v))) == NULL)
			return WN_ENOMEM;
		if (l->n > 0)
			memcpy(v, l->v, l->n * sizeof(*v));
		l->v = v;
		l->cap = ncap;
	}
	l->v[l->n++] = u;
	return 0;
}

int
wn_url_list_add(wn_url_list *l, const char *s, size_t n, uint32_t flags)
{
	return wn_url_list_append(l, s, n, flags, false);
}

/*
 * Text extraction. Candidate bytes: ':' (scheme:// or mailto:), 'w'/'W'
 * (www.), '@' (bare address).
 */
static const unsigned char wn_url_cand[256] = {
	[':'] = 1, ['w'] = 2, ['W'] = 2, ['@'] = 3
};

/* Unicode spaces, quotes and punctuation that end a URL in text. */
static bool
wn_url_uni_stop(const unsigned char *p, const unsigned char *end)
{
	size_t n = (size_t)(end - p);

	if (p[0] == 0xc2)
		return n >= 2 && (p[1] == 0xa0 || p[1] == 0xab || p[1] == 0xbb);
	if (n < 3)
		return false;
	if (p[0] == 0xe2 && p[1] == 0x80)
		return true;		/* U+2000..U+203F */
	if (p[0] == 0xe3 && p[1] == 0x80)
		return true;		/* U+3000..U+303F */
	if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return true;		/* U+FEFF */
	if (p[0] == 0xef && p[1] == 0xbc)
		return p[2] == 0x81 || p[2] == 0x88 || p[2] == 0x89 ||
		    p[2] == 0x8c || p[2] == 0x9a || p[2] == 0x9b ||
		    p[2] == 0x9f;	/* full-width ! ( ) , : ; ? */
	return false;
}

/* End of the URL token starting at p (before trimming). */
static const unsigned char *
wn_url_token_end(const unsigned char *p, const unsigned char *end)
{
	for (; p < end; p++) {
		unsigned char c = *p;

		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' ||
		    c == '"' || c == '`')
			break;
		if (c >= 0xc2 && wn_url_uni_stop(p, end))
			break;
	}
	return p;
}

/* Length of s[0..n) without sentence punctuation and unbalanced closers. */
static size_t
wn_url_trim(const unsigned char *s, size_t n)
{
	long paren = 0, brack = 0, brace = 0, quote = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '(': paren++; break;
		case ')': paren--; break;
		case '[': brack++; break;
		case ']': brack--; break;
		case '{': brace++; break;
		case '}': brace--; break;
		case '\'': quote++; break;
		}
	}
	while (n > 0) {
		unsigned char c = s[n - 1];

		if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' ||
		    c == '?' || c == '*')
			;
		else if (c == ')' && paren < 0)
			paren++;
		else if (c == ']' && brack < 0)
			brack++;
		else if (c == '}' && brace < 0)
			brace++;
		else if (c == '\'' && (quote & 1))
			quote--;
		else
			break;
		n--;
	}
	return n;
}

/*
 * wn_url_take - the URL starting at b: find its end, trim it, add it.
 * Returns where scanning resumes.
 */
static const unsigned char *
wn_url_take(wn_url_list *l, const unsigned char *text,
    const unsigned char *b, const unsigned char *end, bool www, int *rc)
{
	const unsigned char *e = wn_url_token_end(b, end);
	size_t n = (size_t)(e - b), i, dots = 0;

	/* <http://...> is delimited; otherwise trim what closes a sentence. */
	if (!(b > text && b[-1] == '<' && e < end && *e == '>'))
		n = wn_url_trim(b, n);
	if (www) {
		for (i = 0; i < n; i++) {
			if (b[i] == '/' || b[i] == '?' || b[i] == '#' ||
			    b[i] == ':' || b[i] == '\\')
				break;
			if (b[i] == '.' && i + 1 < n && b[i + 1] != '.')
				dots++;
		}
		if (dots < 2)
			return e;
	}
	*rc = wn_url_list_append(l, (const char *)b, n, 0, false);
	return e;
}

static inline bool
wn_url_is_local_char(unsigned char c)
{
	return wn_url_is_alnum(c) || c == '.' || c == '_' || c == '%' ||
	    c == '+' || c == '-';
}

static inline bool
wn_url_is_domain_char(unsigned char c)
{
	return wn_url_is_alnum(c) || c == '.' || c == '-' || c == '_' ||
	    c >= 0x80;
}

/* A bare address around the '@' at p; lo bounds the look-back. */
static const unsigned char *
wn_url_take_mail(wn_url_list *l, const unsigned char *lo,
    const unsigned char *p, const unsigned char *end, int *rc)
{
	const unsigned char *b = p, *e = p + 1, *lim, *dot = NULL;
	size_t i;

	while (b > lo && p - b < WN_URL_LOCAL_MAX &&
	    wn_url_is_local_char(b[-1]))
		b--;
	if (b > lo && wn_url_is_local_char(b[-1]))
		return p + 1;		/* longer than a local part */
	while (b < p && *b == '.')
		b++;
	if (b == p)
		return p + 1;
	lim = end - p > WN_URL_HOST_MAX + 1 ? p + WN_URL_HOST_MAX + 1 : end;
	while (e < lim && wn_url_is_domain_char(*e)) {
		if (*e >= 0xc2 && wn_url_uni_stop(e, end))
			break;
		e++;
	}
	while (e > p + 1 && (e[-1] == '.' || e[-1] == '-' || e[-1] == '_'))
		e--;
	if (e == p + 1 || !(wn_url_is_alnum(p[1]) || p[1] >= 0x80))
		return p + 1;
	for (i = 1; p + i < e; i++)
		if (p[i] == '.')
			dot = p + i;
	/* The top-level label: two or more letters, or IDN. */
	if (dot == NULL || e - dot < 3)
		return p + 1;
	for (i = 1; dot + i < e; i++)
		if (!wn_ascii_is_alpha(dot[i]) && dot[i] < 0x80 && dot[i] != '-')
			return p + 1;
	*rc = wn_url_list_append(l, (const char *)b, (size_t)(e - b), 0, true);
	return e;
}

int
wn_url_extract_text(wn_url_list *l, const char *text, size_t len)
{
	const unsigned char *s, *end, *p, *lo, *b, *next;
	int rc = 0;

	if (len == 0)
		return 0;	/* text may be NULL */
	s = (const unsigned char *)text;
	end = s + len;
	p = lo = s;
	while (p < end) {
		while (p < end && wn_url_cand[*p] == 0)
			p++;
		if (p == end)
			break;
		next = p + 1;
		switch (wn_url_cand[*p]) {
		case 1:		/* ':' */
			if (end - p >= 3 && (p[1] == '/' || p[1] == '\\') &&
			    (p[2] == '/' || p[2] == '\\')) {
				b = p;
				while (b > lo && p - b < WN_URL_SCHEME_MAX &&
				    wn_url_is_scheme_char(b[-1]))
					b--;
				while (b < p && !wn_ascii_is_alpha(*b))
					b++;
				if (b < p)
					next = wn_url_take(l, s, b, end, false,
					    &rc);
			} else if (p - lo >= 6 &&
			    wn_url_ieq((const char *)p - 6, 6, "mailto") &&
			    (p - 6 == lo || !wn_url_is_alnum(p[-7])))
				next = wn_url_take(l, s, p - 6, end, false,
				    &rc);
			break;
		case 2:		/* 'w' */
			if (end - p >= 5 && (p[1] | 0x20) == 'w' &&
			    (p[2] | 0x20) == 'w' && p[3] == '.' &&
			    (p == lo || !(wn_url_is_alnum(p[-1]) ||
			    p[-1] == '.' || p[-1] == '-' || p[-1] == '_' ||
			    p[-1] == '@' || p[-1] == '/')))
				next = wn_url_take(l, s, p, end, true, &rc);
			break;
		case 3:		/* '@' */
			next = wn_url_take_mail(l, lo, p, end, &rc);
			break;
		}
		if (rc != 0)
			return rc;
		if (next > p + 1)
			lo = next;
		p = next;
		if (l->flags & WN_URL_LIST_FULL)
			break;
	}
	return 0;
}
