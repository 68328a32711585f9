/*
 * align.h - whether the domains a header names agree with each other.
 *
 * A company's newsletter names its own domain in From, in the envelope
 * sender (Return-Path), in Message-ID and in the names of the relays
 * that handed it on; spam forges From and goes out through whatever
 * relays it can. The linear stage (linear.h, from feature set 5 on)
 * learns what agreement means from these flags, one pair of features a
 * flag, beside the tokens.
 *
 * A domain is the address's last two labels, or three when the second
 * last is co, com, net, org, ac or gov under a two-letter top-level
 * domain ("example.co.uk"); compared without regard to case. The
 * domains of From, Return-Path, Message-ID, Reply-To and To are those of
 * the first address ("local@domain") in the field's first instance; the
 * relay names are the names after "from" and "by" in every Received
 * field, and a name in parentheses before "[".
 */
#ifndef WINNOW_ALIGN_H
#define WINNOW_ALIGN_H

#include <stddef.h>

enum wn_align_flag {
	WN_ALIGN_FROM_RETURN_PATH,	/* From's domain is Return-Path's */
	WN_ALIGN_FROM_MESSAGE_ID,	/* ... is Message-ID's */
	WN_ALIGN_FROM_RELAY,		/* ... names a relay */
	WN_ALIGN_RETURN_PATH_RELAY,	/* Return-Path's domain names a relay */
	WN_ALIGN_MESSAGE_ID_RELAY,	/* Message-ID's domain names a relay */
	WN_ALIGN_REPLY_TO_ELSEWHERE,	/* a Reply-To outside From's domain */
	WN_ALIGN_FROM_TO,		/* From's domain is To's */
	WN_ALIGN_NO_MESSAGE_ID,		/* no Message-ID with an address */
	WN_ALIGN_FLAGS
};

/*
 * wn_align_flags - the flags of the header block hdr[0..len) (field
 * lines as written, CRLF or LF), bit f for flag f. Reads only hdr; needs
 * no memory.
 */
unsigned wn_align_flags(const char *hdr, size_t len);

#endif
