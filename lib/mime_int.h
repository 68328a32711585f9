/*
 * mime_int.h - declarations shared by the MIME parser's files.
 *
 * mime.c walks the part tree and renders text; mime_hdr.c parses header
 * sections and structured field parameters. Not a public API.
 */
#ifndef WINNOW_MIME_INT_H
#define WINNOW_MIME_INT_H

#include <winnow/mime.h>

typedef struct wn_mime_ctx {
	wn_arena *arena;
	const wn_mime_limits *lim;
	wn_mime_msg *msg;
	size_t decoded_used;	/* against lim->max_decoded_bytes */
	int err;		/* sticky WN_ENOMEM */
} wn_mime_ctx;

/* Parameters of a structured field (Content-Type, Content-Disposition). */
typedef struct wn_mime_params {
	wn_str value;		/* "text/plain", "attachment": trimmed */
	const char *charset;	/* lowercased or NULL */
	const char *boundary;
	const char *name;	/* decoded UTF-8 (RFC 2231 / RFC 2047) */
	const char *filename;
	bool bad;		/* syntax trouble seen */
} wn_mime_params;

/*
 * wn__mime_headers - parse the header section at p[0..end) into part.
 * Returns where the body starts (after the empty line), or end.
 */
const char *wn__mime_headers(wn_mime_ctx *ctx, const char *p,
    const char *end, wn_mime_part *part);

/*
 * wn__mime_unfold - raw field value unfolded and trimmed into the arena,
 * NUL-terminated, not decoded: structured fields are parsed in this form,
 * since an encoded word decoded first could forge their syntax.
 */
wn_str wn__mime_unfold(wn_mime_ctx *ctx, wn_str raw);

/* wn__mime_params - parse a structured field value (unfolded) */
void wn__mime_params(wn_mime_ctx *ctx, const char *s, size_t n,
    wn_mime_params *out);

/* wn__mime_codec_flags - WN_CODEC_* bits as WN_MIME_* bits */
uint64_t wn__mime_codec_flags(uint32_t codec_flags);

#endif
