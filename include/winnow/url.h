/*
 * url.h - URL extraction from text and host normalisation.
 *
 * Spam lives on its links, so every URL of a message is collected once, in
 * a normalised form the tokenizer and the rules can rely on:
 *
 *   host    lowercased, percent-decoded, trailing dots dropped, userinfo
 *           and port removed; an IPv4 address in any spelling spammers use
 *           (decimal 3627732462, hex 0xd83ad6ee, octal, dotted mixtures)
 *           becomes the dotted quad; IPv6 literals keep their brackets off
 *   domain  the registrable domain of host by the Public Suffix List
 *           (libpsl), or host itself for IP literals and unknown suffixes
 *
 * Lifecycle: wn_url_list_init over an arena -> wn_url_list_add /
 * wn_url_extract_text ... -> read list->v[0..n). Everything lives in the
 * arena; there is no fini. Not thread-safe per list; the PSL data is
 * read-only and shared.
 *
 * Limits: at most max_urls URLs are kept (WN_URL_LIST_FULL is set in
 * list->flags beyond that); a URL longer than WN_URL_MAX_LEN is cut there.
 */
#ifndef WINNOW_URL_H
#define WINNOW_URL_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/arena.h>

#define WN_URL_MAX_LEN	2048

/* Per-URL flags */
enum {
	WN_URL_FROM_HTML = 1u << 0,	/* found in an HTML attribute */
	WN_URL_NO_SCHEME = 1u << 1,	/* written as www.example.com */
	WN_URL_IP = 1u << 2,		/* host is an IP literal */
	WN_URL_OBFUSCATED_IP = 1u << 3,	/* IPv4 in decimal, hex or octal form */
	WN_URL_USERINFO = 1u << 4,	/* user@ before the host (deception) */
	WN_URL_PERCENT_HOST = 1u << 5,	/* host was percent-encoded */
	WN_URL_MAILTO = 1u << 6,	/* mailto: link; host is the domain */
	WN_URL_BAD_HOST = 1u << 7,	/* host unusable; host is "" */
	WN_URL_IDN = 1u << 8		/* host has non-ASCII or xn-- labels */
};

/* List flags */
enum {
	WN_URL_LIST_FULL = 1u << 0	/* max_urls reached, later URLs dropped */
};

typedef struct wn_url {
	const char *url;	/* as found, NUL-terminated, arena */
	const char *scheme;	/* lowercased, e.g. "http"; "" if none */
	const char *host;	/* normalised host (see above) */
	const char *domain;	/* registrable domain or host */
	const char *path;	/* path, query and fragment as written, or "" */
	uint32_t flags;		/* WN_URL_* */
} wn_url;

typedef struct wn_url_list {
	wn_arena *arena;
	wn_url *v;
	size_t n;
	size_t cap;
	size_t max_urls;
	uint32_t flags;		/* WN_URL_LIST_* */
} wn_url_list;

/* wn_url_list_init - empty list allocating from arena, keeping max_urls */
void wn_url_list_init(wn_url_list *l, wn_arena *arena, size_t max_urls);

/*
 * wn_url_parse - normalise one URL string s[0..n) into *out.
 * flags are or-ed into out->flags (e.g. WN_URL_FROM_HTML). A string that is
 * not a URL at all (no host can be found) gives WN_EINVAL; a URL whose host
 * is unusable is kept with WN_URL_BAD_HOST. WN_ENOMEM on arena failure.
 */
int wn_url_parse(wn_arena *arena, const char *s, size_t n, uint32_t flags,
    wn_url *out);

/* wn_url_list_add - parse and append one URL; non-URLs are ignored (0) */
int wn_url_list_add(wn_url_list *l, const char *s, size_t n, uint32_t flags);

/*
 * wn_url_extract_text - find URLs in plain UTF-8 text: scheme://...,
 * www.host..., mailto: addresses. Trailing punctuation that closes a
 * sentence or a bracket is not part of the URL.
 */
int wn_url_extract_text(wn_url_list *l, const char *text, size_t len);

/*
 * wn_url_host_normalise - normalise a bare host name (lowercase, strip dots,
 * canonical IPv4) into arena memory; sets WN_URL_IP/WN_URL_OBFUSCATED_IP in
 * *flags_out. NULL if the host is unusable or on allocation failure.
 */
const char *wn_url_host_normalise(wn_arena *arena, const char *host,
    size_t n, uint32_t *flags_out);

/* wn_url_registrable_domain - PSL registrable domain of a normalised host,
 * arena copy; the host itself when it has none */
const char *wn_url_registrable_domain(wn_arena *arena, const char *host);

#endif
