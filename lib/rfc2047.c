/*
 * rfc2047.c - encoded words in header values (RFC 2047, RFC 2231 language).
 *
 * =?charset[*lang]?B|Q?text?= is decoded and converted to UTF-8. Adjacent
 * encoded words in the same charset are joined before conversion, because
 * mailers split multi-byte characters across words; white space between
 * adjacent encoded words is dropped. Bytes outside encoded words are taken
 * as UTF-8 when valid and Windows-1252 otherwise. Malformed words are kept
 * as written and flagged; a "=?" that does not even start like a word
 * ("=?charset?X?") is plain text, as in URLs, and not flagged. Search for a
 * word's end is bounded, so hostile input like "=?=?=?..." stays linear.
 */
#include <string.h>
#include <strings.h>

#include <winnow/buf.h>
#include <winnow/codec.h>
#include <winnow/err.h>

#define WN_EW_MAX_SCAN 1024	/* longest encoded word we look for */

typedef struct wn_ew {
	const char *charset;	/* start of charset */
	size_t charset_len;
	char enc;		/* 'B' or 'Q' */
	const char *text;
	size_t text_len;
	size_t total;		/* bytes from "=?" through "?=" */
} wn_ew;

/*
 * Parse an encoded word at s[0..n) (s starts with "=?"). Returns 1 for a
 * word, 0 when s does not start like one ("=?charset?X?"), -1 for a word
 * that starts like one but is malformed.
 */
static int
wn_ew_parse(const char *s, size_t n, wn_ew *ew)
{
	size_t i = 2, lim = n < WN_EW_MAX_SCAN ? n : WN_EW_MAX_SCAN;
	size_t cs_end, j;

	while (i < lim && s[i] != '?' && s[i] != ' ' && s[i] != '\t')
		i++;
	if (i >= lim || s[i] != '?' || i == 2)
		return 0;
	cs_end = i;
	if (i + 2 >= lim || s[i + 2] != '?')
		return 0;
	ew->enc = (char)(s[i + 1] & ~0x20);
	if (ew->enc != 'B' && ew->enc != 'Q')
		return -1;
	ew->text = s + i + 3;
	for (j = i + 3; j + 1 < lim; j++) {
		if (s[j] == '?' && s[j + 1] == '=')
			break;
		/* Blanks inside the text are tolerated (broken mailers
		 * fold there), but an unterminated word must not swallow
		 * the next one. */
		if ((s[j] == ' ' || s[j] == '\t') && s[j + 1] == '=' &&
		    j + 2 < lim && s[j + 2] == '?')
			return -1;
	}
	if (j + 1 >= lim)
		return -1;
	ew->text_len = (size_t)(s + j - ew->text);
	ew->charset = s + 2;
	ew->charset_len = cs_end - 2;
	/* RFC 2231: charset*language */
	const char *star = memchr(ew->charset, '*', ew->charset_len);

	if (star != NULL)
		ew->charset_len = (size_t)(star - ew->charset);
	ew->total = j + 2;
	return 1;
}

typedef struct wn_ew_state {
	wn_arena *arena;
	wn_buf out;
	wn_buf pending;		/* decoded bytes awaiting conversion */
	char charset[64];
	uint32_t flags;
} wn_ew_state;

static int
wn_ew_convert_append(wn_ew_state *st, const char *charset, const char *p,
    size_t n)
{
	wn_str u;
	int rc;

	if (n == 0)
		return 0;
	rc = wn_charset_to_utf8(st->arena, charset, p, n, (size_t)-1 / 4, &u,
	    NULL, &st->flags);
	if (rc != 0)
		return rc;
	wn_buf_append(&st->out, u.p, u.len);
	return st->out.failed ? WN_ENOMEM : 0;
}

static int
wn_ew_flush(wn_ew_state *st)
{
	int rc = wn_ew_convert_append(st, st->charset, st->pending.data,
	    st->pending.len);

	wn_buf_reset(&st->pending);
	st->charset[0] = '\0';
	return rc;
}

/* Raw text between words: ASCII appended as is, 8-bit detected. */
static int
wn_ew_raw(wn_ew_state *st, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80 || p[i] == '\0')
			return wn_ew_convert_append(st, NULL, p, n);
	wn_buf_append(&st->out, p, n);
	return st->out.failed ? WN_ENOMEM : 0;
}

static bool
wn_all_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

int
wn_rfc2047_decode(wn_arena *arena, const char *in, size_t n, wn_str *out,
    uint32_t *flags)
{
	wn_ew_state st;
	const char *p = in, *end = in + n, *raw = in, *q;
	bool prev_word = false;
	int rc = 0;
	char *res;

	st.arena = arena;
	st.flags = 0;
	st.charset[0] = '\0';
	wn_buf_init(&st.out);
	wn_buf_init(&st.pending);
	if (wn_buf_reserve(&st.out, n) != 0)
		return WN_ENOMEM;

	while (p < end && (q = memchr(p, '=', (size_t)(end - p))) != NULL) {
		wn_ew ew;
		int r;

		if (q + 1 >= end || q[1] != '?') {
			p = q + 1;
			continue;
		}
		if ((r = wn_ew_parse(q, (size_t)(end - q), &ew)) <= 0) {
			if (r < 0)
				st.flags |= WN_CODEC_BAD_ENCODED_WORD;
			p = q + 2;
			continue;
		}
		/* Text between the previous word and this one. */
		if (!(prev_word && wn_all_blank(raw, (size_t)(q - raw)))) {
			if ((rc = wn_ew_flush(&st)) != 0 ||
			    (rc = wn_ew_raw(&st, raw, (size_t)(q - raw))) != 0)
				goto done;
		}
		char cs[64];
		size_t cl = ew.charset_len < sizeof(cs) - 1 ? ew.charset_len :
		    sizeof(cs) - 1;

		memcpy(cs, ew.charset, cl);
		cs[cl] = '\0';
		if (strcasecmp(cs, st.charset) != 0) {
			if ((rc = wn_ew_flush(&st)) != 0)
				goto done;
			memcpy(st.charset, cs, cl + 1);
		}
		if ((rc = wn_buf_reserve(&st.pending, ew.text_len + 4)) != 0)
			goto done;
		if (ew.enc == 'B')
			st.pending.len += wn_base64_decode(ew.text, ew.text_len,
			    st.pending.data + st.pending.len, &st.flags);
		else
			st.pending.len += wn_qp_decode(ew.text, ew.text_len,
			    st.pending.data + st.pending.len, true, &st.flags);
		p = raw = q + ew.total;
		prev_word = true;
	}
	if ((rc = wn_ew_flush(&st)) != 0 ||
	    (rc = wn_ew_raw(&st, raw, (size_t)(end - raw))) != 0)
		goto done;
	if ((res = wn_arena_memdup(arena, st.out.data ? st.out.data : "",
	    st.out.len)) == NULL) {
		rc = WN_ENOMEM;
		goto done;
	}
	out->p = res;
	out->len = st.out.len;
	/* Bad base64/QP inside a word is a bad encoded word. */
	if (st.flags & (WN_CODEC_BAD_BASE64 | WN_CODEC_BAD_QP))
		st.flags |= WN_CODEC_BAD_ENCODED_WORD;
	*flags |= st.flags;
done:
	wn_buf_fini(&st.out);
	wn_buf_fini(&st.pending);
	return rc;
}
