/*
 * json.c - streaming JSON writer.
 *
 * Strings are written as UTF-8; anything that is not valid UTF-8 becomes
 * U+FFFD so a hostile message can never make the output invalid JSON.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <winnow/codec.h>
#include <winnow/json.h>
#include <winnow/log.h>

void
wn_json_init(wn_json *j, wn_buf *out, int indent)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->indent = indent;
	j->first[0] = true;
}

static void
wn_json_newline(wn_json *j)
{
	int i;

	if (j->indent <= 0)
		return;
	wn_buf_putc(j->out, '\n');
	for (i = 0; i < j->depth * j->indent; i++)
		wn_buf_putc(j->out, ' ');
}

/* Separator before a value or key at the current level. */
static void
wn_json_sep(wn_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		wn_buf_putc(j->out, ',');
	j->first[j->depth] = false;
	if (j->depth > 0)
		wn_json_newline(j);
}

static void
wn_json_open(wn_json *j, char c)
{
	wn_json_sep(j);
	wn_buf_putc(j->out, c);
	if (j->depth + 1 >= WN_JSON_MAX_DEPTH)
		wn_panic("JSON nesting deeper than %d", WN_JSON_MAX_DEPTH);
	j->depth++;
	j->first[j->depth] = true;
}

static void
wn_json_close(wn_json *j, char c)
{
	bool empty = j->first[j->depth];

	wn_assert(j->depth > 0);
	j->depth--;
	if (!empty)
		wn_json_newline(j);
	wn_buf_putc(j->out, c);
}

void
wn_json_obj_begin(wn_json *j)
{
	wn_json_open(j, '{');
}

void
wn_json_obj_end(wn_json *j)
{
	wn_json_close(j, '}');
}

void
wn_json_arr_begin(wn_json *j)
{
	wn_json_open(j, '[');
}

void
wn_json_arr_end(wn_json *j)
{
	wn_json_close(j, ']');
}

void
wn_json_escape(wn_buf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run;
	uint32_t cp;

	wn_buf_putc(out, '"');
	while (i < n) {
		/* Copy runs of bytes that need no escaping at once. */
		for (run = i; run < n && s[run] >= 0x20 && s[run] < 0x80 &&
		    s[run] != '"' && s[run] != '\\'; run++)
			;
		if (run > i) {
			wn_buf_append(out, s + i, run - i);
			i = run;
			continue;
		}
		if (s[i] >= 0x80) {
			size_t k = wn_utf8_decode(s + i, n - i, &cp);

			if (cp == 0xfffd && k == 1)
				wn_buf_append(out, "\xef\xbf\xbd", 3);
			else
				wn_buf_append(out, s + i, k);
			i += k;
			continue;
		}
		switch (s[i]) {
		case '"':
			wn_buf_append(out, "\\\"", 2);
			break;
		case '\\':
			wn_buf_append(out, "\\\\", 2);
			break;
		case '\n':
			wn_buf_append(out, "\\n", 2);
			break;
		case '\r':
			wn_buf_append(out, "\\r", 2);
			break;
		case '\t':
			wn_buf_append(out, "\\t", 2);
			break;
		default:
			wn_buf_printf(out, "\\u%04x", s[i]);
			break;
		}
		i++;
	}
	wn_buf_putc(out, '"');
}

void
wn_json_key(wn_json *j, const char *key)
{
	wn_json_sep(j);
	wn_json_escape(j->out, key, strlen(key));
	wn_buf_putc(j->out, ':');
	if (j->indent > 0)
		wn_buf_putc(j->out, ' ');
	j->after_key = true;
}

void
wn_json_strn(wn_json *j, const char *s, size_t n)
{
	wn_json_sep(j);
	if (s == NULL)
		wn_buf_puts(j->out, "null");
	else
		wn_json_escape(j->out, s, n);
}

void
wn_json_str(wn_json *j, const char *s)
{
	wn_json_strn(j, s, s ? strlen(s) : 0);
}

void
wn_json_null(wn_json *j)
{
	wn_json_sep(j);
	wn_buf_puts(j->out, "null");
}

void
wn_json_bool(wn_json *j, bool v)
{
	wn_json_sep(j);
	wn_buf_puts(j->out, v ? "true" : "false");
}

void
wn_json_int(wn_json *j, int64_t v)
{
	wn_json_sep(j);
	wn_buf_printf(j->out, "%" PRId64, v);
}

void
wn_json_uint(wn_json *j, uint64_t v)
{
	wn_json_sep(j);
	wn_buf_printf(j->out, "%" PRIu64, v);
}

void
wn_json_double(wn_json *j, double v, int decimals)
{
	wn_json_sep(j);
	if (!isfinite(v))
		wn_buf_puts(j->out, "null");
	else
		wn_buf_printf(j->out, "%.*f", decimals, v);
}
