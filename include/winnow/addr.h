/*
 * addr.h - RFC 5322 address lists (From, To, Cc, Reply-To, Sender).
 *
 * Parses mailbox and group lists as they appear in real mail, tolerant of
 * what RFC 5322 calls obsolete syntax and of what it does not allow at all:
 * comments, quoted strings, route addresses, groups, bare addresses,
 * unquoted dots and commas in display names, missing angle brackets,
 * RFC 2047 encoded words in display names (decoded to UTF-8).
 *
 * All strings are arena copies, NUL-terminated; domain is lowercased.
 * A part that is absent is "" (never NULL). Never fails on content: garbage
 * yields fewer addresses and the WN_ADDR_MALFORMED flag.
 */
#ifndef WINNOW_ADDR_H
#define WINNOW_ADDR_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/arena.h>

enum {
	WN_ADDR_MALFORMED = 1u << 0,	/* something could not be parsed */
	WN_ADDR_LIMIT = 1u << 1		/* more than max addresses */
};

typedef struct wn_addr {
	const char *name;	/* display name, decoded UTF-8, or "" */
	const char *local;	/* local part (quotes removed), or "" */
	const char *domain;	/* lowercased domain, or "" */
} wn_addr;

typedef struct wn_addr_list {
	wn_addr *v;
	size_t n;
	uint32_t flags;		/* WN_ADDR_* */
} wn_addr_list;

/*
 * wn_addr_parse_list - parse the raw (possibly folded) value of an address
 * header s[0..n) into *out, keeping at most max addresses. Returns 0, or
 * WN_ENOMEM when the arena fails.
 */
int wn_addr_parse_list(wn_arena *arena, const char *s, size_t n, size_t max,
    wn_addr_list *out);

#endif
