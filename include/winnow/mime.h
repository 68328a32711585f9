/*
 * mime.h - RFC 5322 / MIME message parser.
 *
 * wn_mime_parse turns the raw bytes of one message into a tree of parts
 * whose every string lives in the caller's arena or points into the input:
 *
 *   headers   unfolded, repeated fields kept in order, raw and decoded
 *             (RFC 2047, any charset, to UTF-8) values;
 *   parts     nested multiparts with preamble and epilogue, message/rfc822
 *             parsed as a child message, Content-Type/-Disposition
 *             parameters incl. RFC 2231 continuations and charsets;
 *   bodies    transfer decoding (base64, quoted-printable, 7bit, 8bit,
 *             binary), text parts converted to UTF-8, HTML rendered to
 *             visible text;
 *   message   URLs from all text parts, addresses of From/To/Cc/Reply-To,
 *             the decoded Subject, anomaly flags.
 *
 * Ownership: the input bytes are borrowed and must outlive the result
 * (raw spans point into them); everything else belongs to the arena and
 * dies with wn_arena_reset/free. No other cleanup exists.
 *
 * Never fails on content. Every limit in wn_mime_limits is enforced where
 * the resource is consumed; exceeding one sets a flag and parsing goes on
 * with what fits. Anomalies are flags too (WN_MIME_*), each with a stable
 * name for symbols and JSON. The only errors are WN_ENOMEM and WN_EINVAL
 * (NULL arguments). Thread-safe: no shared mutable state.
 */
#ifndef WINNOW_MIME_H
#define WINNOW_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/addr.h>
#include <winnow/arena.h>
#include <winnow/str.h>
#include <winnow/url.h>

typedef struct wn_mime_limits {
	size_t max_scan_bytes;	 /* bytes of the message looked at */
	size_t max_header_bytes; /* bytes of one header section */
	size_t max_headers;	 /* fields in one header section */
	unsigned max_depth;	 /* nesting of multiparts and messages */
	unsigned max_parts;	 /* parts in the whole tree */
	size_t max_decoded_bytes; /* decoded bytes over all parts */
	size_t max_text_bytes;	 /* rendered text kept per part */
	size_t max_urls;	 /* URLs kept per message */
	size_t max_addrs;	 /* addresses kept per header */
} wn_mime_limits;

/* wn_mime_limits_default - the defaults documented in winnow.conf(5) */
void wn_mime_limits_default(wn_mime_limits *l);

/*
 * Anomaly flags, one bit each. Keep in step with the name table in
 * mime_flags.c; names are stable (they become symbols and JSON).
 */
enum wn_mime_flag {
	WN_MIME_SCAN_LIMIT = 1ull << 0,	    /* message longer than scanned */
	WN_MIME_HEADER_LIMIT = 1ull << 1,   /* header section cut */
	WN_MIME_DEPTH_LIMIT = 1ull << 2,    /* nesting beyond max_depth */
	WN_MIME_PART_LIMIT = 1ull << 3,	    /* parts beyond max_parts */
	WN_MIME_DECODE_LIMIT = 1ull << 4,   /* decoded bytes beyond limit */
	WN_MIME_TEXT_LIMIT = 1ull << 5,	    /* rendered text cut */
	WN_MIME_URL_LIMIT = 1ull << 6,	    /* URLs beyond max_urls */
	WN_MIME_BAD_BASE64 = 1ull << 7,
	WN_MIME_BAD_QP = 1ull << 8,
	WN_MIME_8BIT_HEADER = 1ull << 9,    /* raw 8-bit bytes in a header */
	WN_MIME_NUL_BYTE = 1ull << 10,	    /* NUL in headers or text */
	WN_MIME_BAD_HEADER_LINE = 1ull << 11, /* line without a colon */
	WN_MIME_NO_BODY_SEPARATOR = 1ull << 12, /* no empty line at all */
	WN_MIME_NO_BOUNDARY = 1ull << 13,   /* multipart without boundary */
	WN_MIME_MISSING_CLOSE = 1ull << 14, /* no closing --boundary-- */
	WN_MIME_BOUNDARY_UNUSED = 1ull << 15, /* boundary never seen */
	WN_MIME_BAD_CONTENT_TYPE = 1ull << 16, /* unparsable Content-Type */
	WN_MIME_BAD_ENCODING = 1ull << 17,  /* unknown transfer encoding */
	WN_MIME_BAD_ENCODED_WORD = 1ull << 18, /* malformed RFC 2047 */
	WN_MIME_UNKNOWN_CHARSET = 1ull << 19,
	WN_MIME_BAD_CHARSET = 1ull << 20,   /* invalid bytes for charset */
	WN_MIME_CHARSET_MISMATCH = 1ull << 21, /* declared charset lied */
	WN_MIME_LONG_LINE = 1ull << 22,	    /* line over 998 bytes */
	WN_MIME_BARE_CR = 1ull << 23,	    /* CR not followed by LF */
	WN_MIME_NO_MIME_VERSION = 1ull << 24, /* MIME without MIME-Version */
	WN_MIME_DUP_HEADER = 1ull << 25,    /* repeated single field */
	WN_MIME_HTML_ONLY = 1ull << 26,	    /* HTML with no plain alternative */
	WN_MIME_HTML_HIDDEN = 1ull << 27,   /* hidden text in HTML */
	WN_MIME_HTML_TINY_FONT = 1ull << 28,
	WN_MIME_HTML_LOW_CONTRAST = 1ull << 29,
	WN_MIME_HTML_LINK_MISMATCH = 1ull << 30,
	WN_MIME_HTML_OBFUSCATED = 1ull << 31,
	WN_MIME_URL_IP = 1ull << 32,	    /* link to an IP literal */
	WN_MIME_URL_OBFUSCATED_IP = 1ull << 33,
	WN_MIME_URL_USERINFO = 1ull << 34,
	WN_MIME_BAD_ADDRESS = 1ull << 35,   /* unparsable address header */
	WN_MIME_EMPTY_BODY = 1ull << 36,    /* no text at all */
	WN_MIME_BINARY_TEXT = 1ull << 37,   /* control bytes in a text part */
	WN_MIME_EXECUTABLE = 1ull << 38,    /* attachment that runs code */
	WN_MIME_EMPTY_BOUNDARY = 1ull << 39, /* boundary="" or too long */
};
#define WN_MIME_FLAG_COUNT 40

/* wn_mime_flag_name - stable name of a single flag bit, e.g.
 * "MIME_BAD_BASE64"; NULL for an unknown bit */
const char *wn_mime_flag_name(uint64_t flag);

enum wn_mime_encoding {
	WN_MIME_ENC_7BIT,
	WN_MIME_ENC_8BIT,
	WN_MIME_ENC_BINARY,
	WN_MIME_ENC_QP,
	WN_MIME_ENC_BASE64,
	WN_MIME_ENC_UNKNOWN	/* treated as 8bit */
};

/* wn_mime_encoding_name - "7bit", "quoted-printable", ... */
const char *wn_mime_encoding_name(enum wn_mime_encoding e);

enum wn_mime_disposition {
	WN_MIME_DISP_NONE,
	WN_MIME_DISP_INLINE,
	WN_MIME_DISP_ATTACHMENT
};

typedef struct wn_mime_header {
	wn_str name;		/* field name as written (input) */
	wn_str raw;		/* value as written, with folding (input) */
	wn_str value;		/* unfolded, trimmed, decoded UTF-8,
				 * NUL-terminated (arena) */
} wn_mime_header;

typedef struct wn_mime_part wn_mime_part;

struct wn_mime_part {
	wn_mime_part *parent;
	wn_mime_part *child;	/* first child */
	wn_mime_part *next;	/* next sibling */
	unsigned depth;		/* 0 for the message itself */
	unsigned index;		/* position in depth-first order */

	wn_mime_header *headers; /* fields in order */
	size_t n_headers;

	const char *type;	/* lowercased, e.g. "text" */
	const char *subtype;	/* lowercased, e.g. "html" */
	const char *charset;	/* declared, lowercased, or NULL */
	const char *boundary;	/* multipart boundary or NULL */
	const char *filename;	/* UTF-8 (RFC 2231/2047), or NULL */
	enum wn_mime_encoding encoding;
	enum wn_mime_disposition disposition;
	bool is_attachment;	/* has a filename or disposition attachment */
	bool type_defaulted;	/* no usable Content-Type: text/plain assumed */

	wn_str raw_body;	/* body as written (input) */
	wn_str preamble;	/* multipart: before the first boundary */
	wn_str epilogue;	/* multipart: after the closing boundary */
	wn_str body;		/* transfer-decoded bytes (arena or input) */
	size_t decoded_size;	/* length of the decoded body */

	/* Text parts only (text/plain, text/html, text/enriched, ...). */
	const char *text_charset; /* charset actually used for conversion */
	wn_str text;		/* visible text, UTF-8, NUL-terminated */
	wn_str hidden_text;	/* HTML text hidden from the reader */

	uint64_t flags;		/* anomalies found in this part */
};

typedef struct wn_mime_msg {
	wn_mime_part *root;	/* the message itself (depth 0) */
	size_t n_parts;		/* parts in the tree, root included */
	uint64_t flags;		/* union of all anomalies */
	size_t size;		/* bytes of input */
	size_t scanned;		/* bytes looked at */
	const char *header;	/* the top header section, in the input
				 * (after an mbox "From " line) */
	size_t header_bytes;	/* its size */

	const char *subject;	/* decoded, "" if absent */
	wn_addr_list from, to, cc, reply_to;

	wn_url_list urls;	/* from all text parts, in order */
	size_t text_bytes;	/* visible text over all parts */
} wn_mime_msg;

/*
 * wn_mime_parse - parse data[0..len) with limits (NULL: defaults) into
 * *msg_out, all allocated from arena. Returns 0, WN_ENOMEM or WN_EINVAL.
 */
int wn_mime_parse(wn_arena *arena, const char *data, size_t len,
    const wn_mime_limits *limits, wn_mime_msg **msg_out);

/* wn_mime_header_find - first field named name (case-insensitive) at or
 * after *pos in part's headers; *pos is advanced past it. Start with *pos=0.
 * NULL when there is none. */
const wn_mime_header *wn_mime_header_find(const wn_mime_part *part,
    const char *name, size_t *pos);

/* wn_mime_part_is_text - whether the part's text fields were rendered */
bool wn_mime_part_is_text(const wn_mime_part *part);

/* wn_mime_part_next - next part in depth-first order, NULL at the end */
const wn_mime_part *wn_mime_part_next(const wn_mime_part *part);

#endif
