/*
 * mime_hdr.c - header sections and structured field parameters.
 *
 * A header section ends at the first empty line. A line that is neither a
 * field nor a continuation ends it too (the rest is body), as in spam that
 * forgets the empty line; the first line of an mbox ("From ...") is skipped.
 * Values are unfolded, trimmed and RFC 2047 decoded into the arena, always
 * NUL-terminated. max_header_bytes and max_headers are enforced here: fields
 * past either limit are skipped up to the end of the section.
 *
 * Parameters follow RFC 2045 and RFC 2231 (name*=charset'lang'%XX, name*0,
 * name*1*, ...) and the RFC 2047-encoded filenames real mailers send. They
 * are parsed from the unfolded raw value, never the decoded one, so that an
 * encoded word cannot forge a quote, a ';' or a boundary.
 */
#include <string.h>
#include <strings.h>

#include <winnow/buf.h>
#include <winnow/codec.h>
#include <winnow/err.h>
#include <winnow/str.h>

#include "mime_int.h"

uint64_t
wn__mime_codec_flags(uint32_t f)
{
	uint64_t m = 0;

	if (f & WN_CODEC_BAD_BASE64)
		m |= WN_MIME_BAD_BASE64;
	if (f & WN_CODEC_BAD_QP)
		m |= WN_MIME_BAD_QP;
	if (f & WN_CODEC_BAD_CHARSET)
		m |= WN_MIME_BAD_CHARSET;
	if (f & WN_CODEC_UNKNOWN_CHARSET)
		m |= WN_MIME_UNKNOWN_CHARSET;
	if (f & WN_CODEC_CHARSET_MISMATCH)
		m |= WN_MIME_CHARSET_MISMATCH;
	if (f & WN_CODEC_BAD_ENCODED_WORD)
		m |= WN_MIME_BAD_ENCODED_WORD;
	return m;
}

static bool
wn_field_name_char(unsigned char c)
{
	return c > 32 && c < 127 && c != ':';
}

/* Length of a field name at line[0..n) followed by optional blanks and
 * ':', or 0 if the line is not a field. *colon receives the colon offset. */
static size_t
wn_field_name(const char *line, size_t n, size_t *colon)
{
	size_t i = 0, name_len;

	while (i < n && wn_field_name_char((unsigned char)line[i]))
		i++;
	name_len = i;
	if (name_len == 0)
		return 0;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i >= n || line[i] != ':')
		return 0;
	*colon = i;
	return name_len;
}

/* wn__mime_unfold - raw value unfolded, trimmed, not decoded (arena) */
wn_str
wn__mime_unfold(wn_mime_ctx *ctx, wn_str raw)
{
	wn_str v = wn_str_trim(raw);
	char *buf, *o;
	size_t i;

	if ((buf = wn_arena_alloc(ctx->arena, v.len + 1)) == NULL) {
		ctx->err = WN_ENOMEM;
		return wn_str_make("", 0);
	}
	/* Drop CRLF and LF; keep the folding white space. A bare CR is no
	 * line break but still separates words: it becomes a space. */
	for (o = buf, i = 0; i < v.len; i++) {
		char c = v.p[i];

		if (c == '\n' || (c == '\r' && i + 1 < v.len &&
		    v.p[i + 1] == '\n'))
			continue;
		*o++ = c == '\0' || c == '\r' ? ' ' : c;
	}
	*o = '\0';
	return wn_str_make(buf, (size_t)(o - buf));
}

/* Unfold and trim raw into arena; decode encoded words and 8-bit bytes. */
static wn_str
wn_header_value(wn_mime_ctx *ctx, wn_str raw, wn_mime_part *part)
{
	wn_str v = wn__mime_unfold(ctx, raw), out;
	size_t i;
	uint32_t cf = 0;

	if (ctx->err)
		return v;
	for (i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.p[i];

		if (c >= 0x80 || (c == '=' && i + 1 < v.len &&
		    v.p[i + 1] == '?'))
			break;
	}
	if (i == v.len)
		return v;
	if (wn_rfc2047_decode(ctx->arena, v.p, v.len, &out, &cf) != 0) {
		ctx->err = WN_ENOMEM;
		return wn_str_make("", 0);
	}
	part->flags |= wn__mime_codec_flags(cf);
	return out;
}

/* One pass over a header section for 8-bit bytes, NULs and bare CRs. */
static uint64_t
wn_header_bytes_flags(const char *p, size_t n)
{
	uint64_t f = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= 0x80)
			f |= WN_MIME_8BIT_HEADER;
		else if (c == 0)
			f |= WN_MIME_NUL_BYTE;
		else if (c == '\r' && (i + 1 == n || p[i + 1] != '\n'))
			f |= WN_MIME_BARE_CR;
	}
	return f;
}

const char *
wn__mime_headers(wn_mime_ctx *ctx, const char *p, const char *end,
    wn_mime_part *part)
{
	const wn_mime_limits *lim = ctx->lim;
	const char *start = p, *line, *eol, *next;
	size_t cap = 0, n = 0, colon, name_len;
	wn_mime_header *v = NULL, *h;
	bool skipping = false;

	/* mbox separator line of a whole message; "From : x" is a field
	 * (obsolete syntax allows blanks before the colon) */
	if (part->depth == 0 && end - p >= 5 && memcmp(p, "From ", 5) == 0 &&
	    wn_field_name(p, (size_t)(end - p), &colon) == 0) {
		eol = memchr(p, '\n', (size_t)(end - p));
		p = eol ? eol + 1 : end;
		start = p;
	}
	while (p < end) {
		line = p;
		eol = memchr(p, '\n', (size_t)(end - p));
		next = eol ? eol + 1 : end;
		size_t len = (size_t)((eol ? eol : end) - line);

		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (len == 0) {		/* the empty line */
			p = next;
			goto done;
		}
		if (!skipping && (size_t)(next - start) > lim->max_header_bytes) {
			part->flags |= WN_MIME_HEADER_LIMIT;
			skipping = true;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			/* Continuation: extend the previous field. */
			if (!skipping && n > 0)
				v[n - 1].raw.len = (size_t)(line + len -
				    v[n - 1].raw.p);
			else if (n == 0)
				part->flags |= WN_MIME_BAD_HEADER_LINE;
			p = next;
			continue;
		}
		if ((name_len = wn_field_name(line, len, &colon)) == 0) {
			/* Not a header: the body starts here. */
			part->flags |= WN_MIME_BAD_HEADER_LINE |
			    WN_MIME_NO_BODY_SEPARATOR;
			goto done;
		}
		p = next;
		if (skipping)
			continue;
		if (n == lim->max_headers) {
			part->flags |= WN_MIME_HEADER_LIMIT;
			skipping = true;
			continue;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			wn_mime_header *nv = wn_arena_alloc(ctx->arena,
			    ncap * sizeof(*nv));

			if (nv == NULL) {
				ctx->err = WN_ENOMEM;
				return end;
			}
			if (n)
				memcpy(nv, v, n * sizeof(*nv));
			v = nv;
			cap = ncap;
		}
		h = &v[n++];
		h->name = wn_str_make(line, name_len);
		h->raw = wn_str_make(line + colon + 1, len - colon - 1);
		h->value = WN_STR_NULL;
	}
	/* Ran out of input inside the header section. */
	if (part->depth == 0)
		part->flags |= WN_MIME_NO_BODY_SEPARATOR;
	p = end;
done:
	if (part->depth == 0) {
		ctx->msg->header = start;
		ctx->msg->header_bytes = (size_t)(p - start);
	}
	part->flags |= wn_header_bytes_flags(start, (size_t)(p - start));
	for (size_t i = 0; i < n && ctx->err == 0; i++)
		v[i].value = wn_header_value(ctx, v[i].raw, part);
	part->headers = v;
	part->n_headers = n;
	return p;
}

/* Parameter parsing ------------------------------------------------------ */

/* One RFC 2231 section waiting to be joined. */
typedef struct wn_param_sec {
	char name[16];		/* "charset", "boundary", "name", "filename" */
	unsigned index;
	bool starred;		/* written name*, name*N or name*N* */
	bool extended;		/* value is %XX-encoded */
	wn_str value;
} wn_param_sec;

#define WN_MAX_PARAM_SECS 64

static const char *const wn_wanted_params[] = {
	"charset", "boundary", "name", "filename", NULL
};

static int
wn_wanted(const char *name, size_t n)
{
	int i;

	for (i = 0; wn_wanted_params[i]; i++)
		if (strlen(wn_wanted_params[i]) == n &&
		    strncasecmp(wn_wanted_params[i], name, n) == 0)
			return i;
	return -1;
}

/* Join the sections of one parameter and decode it to UTF-8. */
static const char *
wn_param_join(wn_mime_ctx *ctx, wn_param_sec *secs, size_t nsecs,
    const char *name)
{
	wn_buf b;
	char charset[64] = "";
	size_t i, j;
	unsigned want;
	bool any_ext = false, first = true, starred = false;
	const char *res = NULL;
	wn_str u;
	uint32_t cf = 0;

	/*
	 * Mailers send a plain fallback next to the RFC 2231 form
	 * (filename="a.pdf"; filename*=utf-8''...). Readers that know RFC 2231
	 * show the starred one, so it is the name that counts.
	 */
	for (i = 0; i < nsecs; i++)
		if (secs[i].starred && strcmp(secs[i].name, name) == 0) {
			starred = true;
			break;
		}
	wn_buf_init(&b);
	/* Sections in index order; a missing index ends the value. */
	for (want = 0;; want++) {
		wn_param_sec *s = NULL;

		for (i = 0; i < nsecs; i++)
			if (strcmp(secs[i].name, name) == 0 &&
			    secs[i].starred == starred &&
			    secs[i].index == want) {
				s = &secs[i];
				break;
			}
		if (s == NULL)
			break;
		const char *p = s->value.p;
		size_t n = s->value.len;

		if (s->extended) {
			any_ext = true;
			if (first) {
				/* charset'language'value */
				const char *q1 = memchr(p, '\'', n);
				const char *q2 = q1 ? memchr(q1 + 1, '\'',
				    n - (size_t)(q1 + 1 - p)) : NULL;

				if (q2 != NULL) {
					size_t cl = (size_t)(q1 - p);

					if (cl >= sizeof(charset))
						cl = sizeof(charset) - 1;
					memcpy(charset, p, cl);
					charset[cl] = '\0';
					n -= (size_t)(q2 + 1 - p);
					p = q2 + 1;
				}
			}
			for (j = 0; j < n; j++) {
				int hi, lo;

				if (p[j] == '%' && j + 2 < n &&
				    (hi = wn_hex_value((unsigned char)
				    p[j + 1])) >= 0 &&
				    (lo = wn_hex_value((unsigned char)
				    p[j + 2])) >= 0) {
					wn_buf_putc(&b, (char)(hi << 4 | lo));
					j += 2;
				} else
					wn_buf_putc(&b, p[j]);
			}
		} else
			wn_buf_append(&b, p, n);
		first = false;
		if (want > WN_MAX_PARAM_SECS)
			break;
	}
	if (b.failed) {
		ctx->err = WN_ENOMEM;
		goto out;
	}
	if (b.len == 0 && first)
		goto out;
	if (any_ext) {
		if (wn_charset_to_utf8(ctx->arena, charset, b.data ? b.data : "",
		    b.len, 4096, &u, NULL, &cf) != 0) {
			ctx->err = WN_ENOMEM;
			goto out;
		}
	} else if (wn_rfc2047_decode(ctx->arena, b.data ? b.data : "", b.len,
	    &u, &cf) != 0) {
		ctx->err = WN_ENOMEM;
		goto out;
	}
	res = u.p;
out:
	wn_buf_fini(&b);
	return res;
}

void
wn__mime_params(wn_mime_ctx *ctx, const char *s, size_t n,
    wn_mime_params *out)
{
	wn_param_sec secs[WN_MAX_PARAM_SECS];
	size_t nsecs = 0, i = 0, vstart;
	char *cs;

	memset(out, 0, sizeof(*out));
	/* The value: up to the first ';' (comments are rare here). */
	while (i < n && s[i] != ';')
		i++;
	out->value = wn_str_trim(wn_str_make(s, i));
	while (i < n) {
		size_t ns, ne;
		bool ext = false, star = false;
		unsigned idx = 0;
		int w;

		i++;		/* ';' */
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ';'))
			i++;
		ns = i;
		while (i < n && s[i] != '=' && s[i] != ';' && s[i] != ' ' &&
		    s[i] != '\t' && s[i] != '*')
			i++;
		ne = i;
		if (i < n && s[i] == '*') {
			/* name*N* / name*N / name* */
			star = true;
			i++;
			if (i < n && s[i] >= '0' && s[i] <= '9') {
				while (i < n && s[i] >= '0' && s[i] <= '9') {
					if (idx < 1000)
						idx = idx * 10 +
						    (unsigned)(s[i] - '0');
					i++;
				}
				if (i < n && s[i] == '*') {
					ext = true;
					i++;
				}
			} else
				ext = true;
		}
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= n || s[i] != '=') {
			if (ne > ns)
				out->bad = true;
			while (i < n && s[i] != ';')
				i++;
			continue;
		}
		i++;		/* '=' */
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		wn_str val;

		if (i < n && s[i] == '"') {
			/* Quoted string; backslash escapes kept for the
			 * rare values that need them, removed below. */
			vstart = ++i;
			while (i < n && s[i] != '"') {
				if (s[i] == '\\' && i + 1 < n)
					i++;
				i++;
			}
			if (i >= n)
				out->bad = true;
			val = wn_str_make(s + vstart, i - vstart);
			if (i < n)
				i++;
			while (i < n && s[i] != ';')
				i++;
			if (memchr(val.p, '\\', val.len) != NULL) {
				char *u = wn_arena_alloc(ctx->arena,
				    val.len + 1);
				size_t k, m = 0;

				if (u == NULL) {
					ctx->err = WN_ENOMEM;
					return;
				}
				for (k = 0; k < val.len; k++) {
					if (val.p[k] == '\\' && k + 1 < val.len)
						k++;
					u[m++] = val.p[k];
				}
				u[m] = '\0';
				val = wn_str_make(u, m);
			}
		} else {
			vstart = i;
			while (i < n && s[i] != ';')
				i++;
			val = wn_str_trim(wn_str_make(s + vstart, i - vstart));
		}
		if ((w = wn_wanted(s + ns, ne - ns)) < 0 ||
		    nsecs == WN_MAX_PARAM_SECS)
			continue;
		strcpy(secs[nsecs].name, wn_wanted_params[w]);
		secs[nsecs].index = idx;
		secs[nsecs].starred = star;
		secs[nsecs].extended = ext;
		secs[nsecs].value = val;
		nsecs++;
	}
	if (nsecs == 0)
		return;
	/* "charset=" declares nothing. */
	if ((cs = (char *)wn_param_join(ctx, secs, nsecs, "charset")) != NULL &&
	    cs[0] != '\0') {
		for (char *c = cs; *c; c++)
			*c = (char)wn_ascii_lower((unsigned char)*c);
		out->charset = cs;
	}
	/* The boundary is compared byte for byte: keep it raw. */
	for (i = 0; i < nsecs; i++)
		if (strcmp(secs[i].name, "boundary") == 0 &&
		    secs[i].index == 0) {
			out->boundary = wn_arena_memdup(ctx->arena,
			    secs[i].value.p, secs[i].value.len);
			if (out->boundary == NULL)
				ctx->err = WN_ENOMEM;
			break;
		}
	out->name = wn_param_join(ctx, secs, nsecs, "name");
	out->filename = wn_param_join(ctx, secs, nsecs, "filename");
}
