/* buf.c - growable heap byte string with a sticky failure flag. */
#include <stdio.h>
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/buf.h>
#include <winnow/err.h>

void
wn_buf_init(wn_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = 0;
}

void
wn_buf_fini(wn_buf *b)
{
	wn_free(b->data);
	wn_buf_init(b);
}

void
wn_buf_reset(wn_buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->data)
		b->data[0] = '\0';
}

int
wn_buf_reserve(wn_buf *b, size_t n)
{
	size_t want, cap;
	char *p;

	if (n > (size_t)-1 - b->len - 1)
		return WN_ENOMEM;
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap = cap > (size_t)-1 / 2 ? want : cap * 2;
	if ((p = wn_realloc(b->data, cap)) == NULL)
		return WN_ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

void
wn_buf_append(wn_buf *b, const void *p, size_t n)
{
	if (b->failed)
		return;
	if (wn_buf_reserve(b, n) != 0) {
		b->failed = 1;
		return;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
wn_buf_puts(wn_buf *b, const char *s)
{
	wn_buf_append(b, s, strlen(s));
}

void
wn_buf_putc(wn_buf *b, char c)
{
	if (!b->failed && b->len + 1 < b->cap) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return;
	}
	wn_buf_append(b, &c, 1);
}

void
wn_buf_vprintf(wn_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	if (b->failed)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(b->data ? b->data + b->len : NULL,
	    b->data ? b->cap - b->len : 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if (b->data == NULL || (size_t)n >= b->cap - b->len) {
		if (wn_buf_reserve(b, (size_t)n) != 0) {
			b->failed = 1;
			return;
		}
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void
wn_buf_printf(wn_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wn_buf_vprintf(b, fmt, ap);
	va_end(ap);
}
