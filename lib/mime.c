/*
 * mime.c - the MIME part tree, body decoding and text rendering.
 *
 * One recursive descent over the message: each entity's header section is
 * parsed (mime_hdr.c), its Content-Type decides whether it is a multipart
 * (split at its boundary lines), an encapsulated message (parsed as a
 * child), or a leaf (transfer-decoded; text converted to UTF-8, HTML
 * rendered, URLs collected). Raw spans point into the input: nothing is
 * copied until a decoding needs to. Every limit is checked where the
 * resource is consumed and turns into a flag, never an error.
 */
#include <string.h>
#include <strings.h>

#include <winnow/codec.h>
#include <winnow/err.h>
#include <winnow/html.h>

#include "mime_int.h"

#define WN_RFC5322_LINE_MAX 998

void
wn_mime_limits_default(wn_mime_limits *l)
{
	l->max_scan_bytes = 4u << 20;
	l->max_header_bytes = 256u << 10;
	l->max_headers = 1000;
	l->max_depth = 16;
	l->max_parts = 256;
	l->max_decoded_bytes = 16u << 20;
	l->max_text_bytes = 1u << 20;
	l->max_urls = 1024;
	l->max_addrs = 256;
}

static void wn_entity_parse(wn_mime_ctx *ctx, wn_mime_part *part,
    const char *p, const char *end, const char *default_type);

static wn_mime_part *
wn_part_new(wn_mime_ctx *ctx, wn_mime_part *parent)
{
	wn_mime_part *part;

	if ((part = wn_arena_calloc(ctx->arena, 1, sizeof(*part))) == NULL) {
		ctx->err = WN_ENOMEM;
		return NULL;
	}
	part->parent = parent;
	part->depth = parent ? parent->depth + 1 : 0;
	part->index = (unsigned)ctx->msg->n_parts++;
	return part;
}

/* Append child as the last child of parent. */
static void
wn_part_link(wn_mime_part *parent, wn_mime_part *child, wn_mime_part **last)
{
	if (*last == NULL)
		parent->child = child;
	else
		(*last)->next = child;
	*last = child;
}

static char *
wn_lower_dup(wn_mime_ctx *ctx, const char *p, size_t n)
{
	char *s = wn_arena_memdup(ctx->arena, p, n);
	size_t i;

	if (s == NULL) {
		ctx->err = WN_ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++)
		s[i] = (char)wn_ascii_lower((unsigned char)s[i]);
	return s;
}

/* type/subtype from a span; false if it is not of that shape. */
static bool
wn_set_type(wn_mime_ctx *ctx, wn_mime_part *part, wn_str v)
{
	const char *slash;
	wn_str t, s;

	v = wn_str_trim(v);
	/* A trailing comment: "text/plain (generated)" */
	for (size_t i = 0; i < v.len; i++)
		if (v.p[i] == '(') {
			v.len = i;
			break;
		}
	if ((slash = memchr(v.p, '/', v.len)) == NULL)
		return false;
	/* White space may surround the slash ("text / html"), not more. */
	t = wn_str_trim(wn_str_make(v.p, (size_t)(slash - v.p)));
	s = wn_str_trim(wn_str_make(slash + 1, v.len - (size_t)(slash + 1 - v.p)));
	if (t.len == 0 || s.len == 0 || memchr(t.p, ' ', t.len) != NULL ||
	    memchr(t.p, '\t', t.len) != NULL)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (s.p[i] == ' ' || s.p[i] == '\t') {
			s.len = i;
			break;
		}
	part->type = wn_lower_dup(ctx, t.p, t.len);
	part->subtype = wn_lower_dup(ctx, s.p, s.len);
	return part->type != NULL && part->subtype != NULL;
}

static enum wn_mime_encoding
wn_encoding_of(wn_str v, bool *bad)
{
	static const struct {
		const char *name;
		enum wn_mime_encoding enc;
	} map[] = {
		{ "7bit", WN_MIME_ENC_7BIT },
		{ "8bit", WN_MIME_ENC_8BIT },
		{ "binary", WN_MIME_ENC_BINARY },
		{ "quoted-printable", WN_MIME_ENC_QP },
		{ "base64", WN_MIME_ENC_BASE64 },
		/* seen in the wild */
		{ "7-bit", WN_MIME_ENC_7BIT },
		{ "8-bit", WN_MIME_ENC_8BIT },
		{ "quoted_printable", WN_MIME_ENC_QP },
		{ "x-uuencode", WN_MIME_ENC_UNKNOWN },
	};
	size_t i;

	v = wn_str_trim(v);
	if (v.len && v.p[v.len - 1] == ';')
		v.len--;
	v = wn_str_trim(v);
	if (v.len >= 2 && v.p[0] == '"' && v.p[v.len - 1] == '"')
		v = wn_str_make(v.p + 1, v.len - 2);
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (wn_str_ieq(v, map[i].name))
			return map[i].enc;
	*bad = true;
	return WN_MIME_ENC_UNKNOWN;
}

static bool
wn_is_executable_name(const char *fn)
{
	static const char *const ext[] = { "exe", "scr", "pif", "com", "bat",
		"cmd", "vbs", "vbe", "js", "jse", "wsf", "wsh", "hta", "cpl",
		"msi", "jar", "lnk", "ps1", "reg", "dll", "msc", "iso", "img",
		NULL };
	const char *dot = strrchr(fn, '.');
	int i;

	if (dot == NULL)
		return false;
	for (i = 0; ext[i]; i++)
		if (strcasecmp(dot + 1, ext[i]) == 0)
			return true;
	return false;
}

/* Content-Type, Content-Transfer-Encoding, Content-Disposition. */
static void
wn_part_fields(wn_mime_ctx *ctx, wn_mime_part *part, const char *def)
{
	const wn_mime_header *h;
	wn_mime_params ct, cd;
	wn_str v;
	const char *name = NULL;
	size_t pos = 0;
	bool bad = false;

	if ((h = wn_mime_header_find(part, "Content-Type", &pos)) != NULL) {
		v = wn__mime_unfold(ctx, h->raw);
		wn__mime_params(ctx, v.p, v.len, &ct);
		if (ct.bad)
			part->flags |= WN_MIME_BAD_CONTENT_TYPE;
		if (!wn_set_type(ctx, part, ct.value)) {
			part->flags |= WN_MIME_BAD_CONTENT_TYPE;
			part->type_defaulted = true;
		} else {
			part->charset = ct.charset;
			part->boundary = ct.boundary;
			name = ct.name;
		}
	} else
		part->type_defaulted = true;
	if (part->type_defaulted &&
	    !wn_set_type(ctx, part, wn_str_make(def, strlen(def))))
		return;

	pos = 0;
	if ((h = wn_mime_header_find(part, "Content-Transfer-Encoding",
	    &pos)) != NULL) {
		part->encoding = wn_encoding_of(h->value, &bad);
		if (bad)
			part->flags |= WN_MIME_BAD_ENCODING;
	}

	pos = 0;
	if ((h = wn_mime_header_find(part, "Content-Disposition",
	    &pos)) != NULL) {
		v = wn__mime_unfold(ctx, h->raw);
		wn__mime_params(ctx, v.p, v.len, &cd);
		if (wn_str_ieq(cd.value, "attachment"))
			part->disposition = WN_MIME_DISP_ATTACHMENT;
		else if (wn_str_ieq(cd.value, "inline"))
			part->disposition = WN_MIME_DISP_INLINE;
		part->filename = cd.filename;
	}
	/* filename="" must not hide the Content-Type name. */
	if (part->filename == NULL || (part->filename[0] == '\0' &&
	    name != NULL))
		part->filename = name;
	part->is_attachment = part->disposition == WN_MIME_DISP_ATTACHMENT ||
	    (part->filename != NULL && part->filename[0] != '\0');
	/* Clients differ in which of the two names they show and save:
	 * either one that runs code is enough. */
	if ((part->filename && wn_is_executable_name(part->filename)) ||
	    (name && wn_is_executable_name(name)))
		part->flags |= WN_MIME_EXECUTABLE;
}

/* Transfer-decode part->raw_body within the decoded-bytes budget. */
static void
wn_part_decode(wn_mime_ctx *ctx, wn_mime_part *part)
{
	size_t budget = ctx->lim->max_decoded_bytes - ctx->decoded_used;
	size_t in_n = part->raw_body.len, bound;
	uint32_t cf = 0;
	char *out;

	switch (part->encoding) {
	case WN_MIME_ENC_BASE64:
	case WN_MIME_ENC_QP:
		bound = part->encoding == WN_MIME_ENC_BASE64 ?
		    WN_BASE64_DECODED_MAX(in_n) : WN_QP_DECODED_MAX(in_n);
		if (bound > budget) {
			part->flags |= WN_MIME_DECODE_LIMIT;
			/* Feed only as much input as the budget can take. */
			size_t fit = part->encoding == WN_MIME_ENC_BASE64 ?
			    budget / 3 * 4 : budget;

			if (fit < in_n)
				in_n = fit;
			bound = part->encoding == WN_MIME_ENC_BASE64 ?
			    WN_BASE64_DECODED_MAX(in_n) : in_n;
		}
		if ((out = wn_arena_alloc(ctx->arena, bound + 1)) == NULL) {
			ctx->err = WN_ENOMEM;
			return;
		}
		if (part->encoding == WN_MIME_ENC_BASE64)
			part->body.len = wn_base64_decode(part->raw_body.p,
			    in_n, out, &cf);
		else
			part->body.len = wn_qp_decode(part->raw_body.p, in_n,
			    out, false, &cf);
		if (part->body.len > budget)
			part->body.len = budget;
		out[part->body.len] = '\0';
		wn_arena_trim(ctx->arena, out, part->body.len + 1);
		part->body.p = out;
		part->flags |= wn__mime_codec_flags(cf);
		break;
	default:
		part->body = part->raw_body;
		if (part->body.len > budget) {
			part->body.len = budget;
			part->flags |= WN_MIME_DECODE_LIMIT;
		}
		break;
	}
	part->decoded_size = part->body.len;
	ctx->decoded_used += part->body.len;
}

static uint64_t
wn_html_to_mime_flags(uint32_t f)
{
	uint64_t m = 0;

	if (f & WN_HTML_HIDDEN_TEXT)
		m |= WN_MIME_HTML_HIDDEN;
	if (f & WN_HTML_TINY_FONT)
		m |= WN_MIME_HTML_TINY_FONT;
	if (f & WN_HTML_LOW_CONTRAST)
		m |= WN_MIME_HTML_LOW_CONTRAST;
	if (f & WN_HTML_LINK_MISMATCH)
		m |= WN_MIME_HTML_LINK_MISMATCH;
	if (f & WN_HTML_OBFUSCATED)
		m |= WN_MIME_HTML_OBFUSCATED;
	if (f & WN_HTML_TRUNCATED)
		m |= WN_MIME_TEXT_LIMIT;
	return m;
}

/* Control bytes beyond tab, line breaks and form feed in rendered text. */
static bool
wn_text_is_binary(wn_str t)
{
	size_t i, ctl = 0;

	for (i = 0; i < t.len; i++) {
		unsigned char c = (unsigned char)t.p[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
		    c != '\f')
			ctl++;
	}
	return ctl > 8 && ctl * 100 > t.len;
}

/* Convert a text part to UTF-8 and render it. */
static void
wn_part_render(wn_mime_ctx *ctx, wn_mime_part *part)
{
	const wn_mime_limits *lim = ctx->lim;
	bool html = strcmp(part->subtype, "html") == 0;
	size_t max_src = html ? lim->max_text_bytes * 4 : lim->max_text_bytes;
	uint32_t cf = 0;
	wn_str src;
	int rc;

	if (max_src < lim->max_text_bytes)	/* overflow */
		max_src = lim->max_text_bytes;
	rc = wn_charset_to_utf8(ctx->arena, part->charset, part->body.p,
	    part->body.len, max_src, &src, &part->text_charset, &cf);
	if (rc != 0) {
		ctx->err = rc;
		return;
	}
	part->flags |= wn__mime_codec_flags(cf);
	if (cf & WN_CODEC_TRUNCATED)
		part->flags |= WN_MIME_TEXT_LIMIT;
	if (html) {
		wn_html_result r;

		if (wn_html_render(ctx->arena, src.p, src.len,
		    lim->max_text_bytes, &ctx->msg->urls, &r) != 0) {
			ctx->err = WN_ENOMEM;
			return;
		}
		part->text = r.text;
		part->hidden_text = r.hidden;
		part->flags |= wn_html_to_mime_flags(r.flags);
	} else {
		part->text = src;
		part->hidden_text = wn_str_make("", 0);
		if (wn_url_extract_text(&ctx->msg->urls, src.p, src.len) != 0) {
			ctx->err = WN_ENOMEM;
			return;
		}
		if (wn_text_is_binary(src))
			part->flags |= WN_MIME_BINARY_TEXT;
	}
	ctx->msg->text_bytes += part->text.len;
}

static void
wn_leaf(wn_mime_ctx *ctx, wn_mime_part *part, bool as_text)
{
	wn_part_decode(ctx, part);
	if (ctx->err)
		return;
	if (as_text || strcmp(part->type, "text") == 0)
		wn_part_render(ctx, part);
}

/*
 * Find the next delimiter line "--boundary" at or after p (at a line
 * start; body_start counts as one). Returns its start or NULL; *close is
 * set for "--boundary--", *after to the start of the following line.
 */
static const char *
wn_find_delim(const char *p, const char *end, const char *body_start,
    const char *b, size_t blen, bool *close, const char **after)
{
	while (p < end) {
		const char *q = memmem(p, (size_t)(end - p), "--", 2);
		const char *r, *eol;

		if (q == NULL)
			return NULL;
		p = q + 2;
		if (q != body_start && q[-1] != '\n')
			continue;
		if ((size_t)(end - p) < blen || memcmp(p, b, blen) != 0)
			continue;
		r = p + blen;
		*close = end - r >= 2 && r[0] == '-' && r[1] == '-';
		if (*close)
			r += 2;
		/* Only transport padding may follow; anything else means a
		 * longer boundary that merely starts with ours. */
		eol = memchr(r, '\n', (size_t)(end - r));
		for (const char *t = r; t < (eol ? eol : end); t++)
			if (*t != ' ' && *t != '\t' && *t != '\r') {
				if (!*close)
					goto next;
				break;	/* junk after "--b--": still closes */
			}
		*after = eol ? eol + 1 : end;
		return q;
next:
		;
	}
	return NULL;
}

/* End of the content before a delimiter: its line break belongs to it. */
static const char *
wn_before_delim(const char *start, const char *delim)
{
	if (delim > start && delim[-1] == '\n')
		delim--;
	if (delim > start && delim[-1] == '\r')
		delim--;
	return delim;
}

static void
wn_multipart(wn_mime_ctx *ctx, wn_mime_part *part, const char *body,
    const char *end)
{
	const char *b = part->boundary, *delim, *after, *next, *cend;
	const char *def = strcmp(part->subtype, "digest") == 0 ?
	    "message/rfc822" : "text/plain";
	size_t blen = strlen(b);
	wn_mime_part *last = NULL, *child;
	bool close = false;

	delim = wn_find_delim(body, end, body, b, blen, &close, &after);
	if (delim == NULL) {
		/* The boundary is never used: show the body as text. */
		part->flags |= WN_MIME_BOUNDARY_UNUSED;
		wn_leaf(ctx, part, true);
		return;
	}
	part->preamble = wn_str_make(body,
	    (size_t)(wn_before_delim(body, delim) - body));
	while (!close) {
		const char *cstart = after;
		bool nclose = false;

		next = wn_find_delim(cstart, end, body, b, blen, &nclose, &after);
		cend = next ? wn_before_delim(cstart, next) : end;
		if (next == NULL)
			part->flags |= WN_MIME_MISSING_CLOSE;
		if (ctx->msg->n_parts >= ctx->lim->max_parts) {
			part->flags |= WN_MIME_PART_LIMIT;
			return;
		}
		if ((child = wn_part_new(ctx, part)) == NULL)
			return;
		wn_part_link(part, child, &last);
		wn_entity_parse(ctx, child, cstart, cend, def);
		if (ctx->err || next == NULL)
			return;
		close = nclose;
	}
	part->epilogue = wn_str_make(after, (size_t)(end - after));
}

static void
wn_message(wn_mime_ctx *ctx, wn_mime_part *part, const char *body,
    const char *end)
{
	wn_mime_part *child, *last = NULL;

	if (part->encoding == WN_MIME_ENC_BASE64 ||
	    part->encoding == WN_MIME_ENC_QP) {
		/* Not allowed by RFC 2046, sent anyway: decode first. */
		wn_part_decode(ctx, part);
		if (ctx->err)
			return;
		body = part->body.p;
		end = body + part->body.len;
	}
	if (ctx->msg->n_parts >= ctx->lim->max_parts) {
		part->flags |= WN_MIME_PART_LIMIT;
		return;
	}
	if ((child = wn_part_new(ctx, part)) == NULL)
		return;
	wn_part_link(part, child, &last);
	wn_entity_parse(ctx, child, body, end, "text/plain");
}

static void
wn_entity_parse(wn_mime_ctx *ctx, wn_mime_part *part, const char *p,
    const char *end, const char *default_type)
{
	const char *body;
	bool nested;

	body = wn__mime_headers(ctx, p, end, part);
	if (ctx->err)
		return;
	part->raw_body = wn_str_make(body, (size_t)(end - body));
	wn_part_fields(ctx, part, default_type);
	if (ctx->err)
		return;

	nested = strcmp(part->type, "multipart") == 0 ||
	    (strcmp(part->type, "message") == 0 &&
	    (strcmp(part->subtype, "rfc822") == 0 ||
	    strcmp(part->subtype, "global") == 0 ||
	    strcmp(part->subtype, "news") == 0));
	if (nested && part->depth >= ctx->lim->max_depth) {
		part->flags |= WN_MIME_DEPTH_LIMIT;
		wn_part_decode(ctx, part);
		return;
	}
	if (strcmp(part->type, "multipart") == 0) {
		if (part->boundary == NULL || part->boundary[0] == '\0') {
			part->flags |= WN_MIME_NO_BOUNDARY;
			if (part->boundary != NULL)
				part->flags |= WN_MIME_EMPTY_BOUNDARY;
			wn_leaf(ctx, part, true);
			return;
		}
		if (strlen(part->boundary) > 200)
			part->flags |= WN_MIME_EMPTY_BOUNDARY;
		wn_multipart(ctx, part, body, end);
	} else if (nested)
		wn_message(ctx, part, body, end);
	else
		wn_leaf(ctx, part, false);
}

/* Message-level checks over the whole scanned input. */
static void
wn_scan_lines(wn_mime_msg *msg, const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nl;

	if (memchr(data, '\0', len) != NULL)
		msg->flags |= WN_MIME_NUL_BYTE;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if ((size_t)((nl ? nl : end) - p) > WN_RFC5322_LINE_MAX + 1) {
			msg->flags |= WN_MIME_LONG_LINE;
			break;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static void
wn_header_checks(wn_mime_ctx *ctx, wn_mime_msg *msg)
{
	static const char *const singular[] = { "From", "Sender",
		"Reply-To", "To", "Cc", "Subject", "Date", "Message-ID",
		"In-Reply-To", "References", NULL };
	const wn_mime_part *root = msg->root;
	const wn_mime_header *h;
	size_t pos, i;
	int k;

	for (k = 0; singular[k]; k++) {
		pos = 0;
		if (wn_mime_header_find(root, singular[k], &pos) != NULL &&
		    wn_mime_header_find(root, singular[k], &pos) != NULL)
			msg->flags |= WN_MIME_DUP_HEADER;
	}
	pos = 0;
	h = wn_mime_header_find(root, "Subject", &pos);
	msg->subject = h ? h->value.p : "";

	struct {
		const char *name;
		wn_addr_list *list;
	} addrs[] = {
		{ "From", &msg->from }, { "To", &msg->to }, { "Cc", &msg->cc },
		{ "Reply-To", &msg->reply_to },
	};
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		pos = 0;
		if ((h = wn_mime_header_find(root, addrs[i].name, &pos)) == NULL)
			continue;
		if (wn_addr_parse_list(ctx->arena, h->raw.p, h->raw.len,
		    ctx->lim->max_addrs, addrs[i].list) != 0) {
			ctx->err = WN_ENOMEM;
			return;
		}
		if (i == 0 && ((msg->from.flags & WN_ADDR_MALFORMED) ||
		    msg->from.n == 0))
			msg->flags |= WN_MIME_BAD_ADDRESS;
	}
	pos = 0;
	if (wn_mime_header_find(root, "MIME-Version", &pos) == NULL) {
		size_t p1 = 0, p2 = 0;

		if (wn_mime_header_find(root, "Content-Type", &p1) ||
		    wn_mime_header_find(root, "Content-Transfer-Encoding", &p2))
			msg->flags |= WN_MIME_NO_MIME_VERSION;
	}
}

/* Union of part flags; HTML-only and empty-body checks. */
static void
wn_summarise(wn_mime_msg *msg)
{
	const wn_mime_part *p;
	bool html = false, plain = false;
	size_t i;

	for (p = msg->root; p != NULL; p = wn_mime_part_next(p)) {
		msg->flags |= p->flags;
		if (p->text.p == NULL || p->is_attachment)
			continue;
		if (strcmp(p->subtype, "html") == 0)
			html = true;
		else
			plain = true;
	}
	if (html && !plain)
		msg->flags |= WN_MIME_HTML_ONLY;
	if (msg->text_bytes == 0)
		msg->flags |= WN_MIME_EMPTY_BODY;
	if (msg->urls.flags & WN_URL_LIST_FULL)
		msg->flags |= WN_MIME_URL_LIMIT;
	for (i = 0; i < msg->urls.n; i++) {
		uint32_t f = msg->urls.v[i].flags;

		if (f & WN_URL_IP)
			msg->flags |= WN_MIME_URL_IP;
		if (f & WN_URL_OBFUSCATED_IP)
			msg->flags |= WN_MIME_URL_OBFUSCATED_IP;
		if (f & WN_URL_USERINFO)
			msg->flags |= WN_MIME_URL_USERINFO;
	}
}

int
wn_mime_parse(wn_arena *arena, const char *data, size_t len,
    const wn_mime_limits *limits, wn_mime_msg **msg_out)
{
	wn_mime_limits defaults;
	wn_mime_ctx ctx;
	wn_mime_msg *msg;

	if (arena == NULL || msg_out == NULL || (data == NULL && len > 0))
		return WN_EINVAL;
	if (data == NULL)
		data = "";
	if (limits == NULL) {
		wn_mime_limits_default(&defaults);
		limits = &defaults;
	}
	if ((msg = wn_arena_calloc(arena, 1, sizeof(*msg))) == NULL)
		return WN_ENOMEM;
	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = arena;
	ctx.lim = limits;
	ctx.msg = msg;
	msg->size = len;
	msg->scanned = len < limits->max_scan_bytes ? len :
	    limits->max_scan_bytes;
	if (msg->scanned < len)
		msg->flags |= WN_MIME_SCAN_LIMIT;
	wn_url_list_init(&msg->urls, arena, limits->max_urls);
	wn_scan_lines(msg, data, msg->scanned);

	if ((msg->root = wn_part_new(&ctx, NULL)) == NULL)
		return WN_ENOMEM;
	wn_entity_parse(&ctx, msg->root, data, data + msg->scanned,
	    "text/plain");
	if (ctx.err)
		return ctx.err;
	wn_header_checks(&ctx, msg);
	if (ctx.err)
		return ctx.err;
	wn_summarise(msg);
	*msg_out = msg;
	return 0;
}

const wn_mime_header *
wn_mime_header_find(const wn_mime_part *part, const char *name, size_t *pos)
{
	size_t i;

	for (i = *pos; i < part->n_headers; i++)
		if (wn_str_ieq(part->headers[i].name, name)) {
			*pos = i + 1;
			return &part->headers[i];
		}
	*pos = part->n_headers;
	return NULL;
}

bool
wn_mime_part_is_text(const wn_mime_part *part)
{
	return part->text.p != NULL;
}

const wn_mime_part *
wn_mime_part_next(const wn_mime_part *part)
{
	if (part->child != NULL)
		return part->child;
	while (part != NULL) {
		if (part->next != NULL)
			return part->next;
		part = part->parent;
	}
	return NULL;
}
