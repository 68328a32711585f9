/*
 * buf.h - growable byte string (heap), for output and scratch space.
 *
 * A wn_buf lives in caller storage: wn_buf_init -> append ... ->
 * wn_buf_reset (reuse) -> wn_buf_fini. data is always NUL-terminated once
 * anything was appended, so it can be printed directly. Growth may move
 * data; callers hold the wn_buf, never a saved data pointer.
 */
#ifndef WINNOW_BUF_H
#define WINNOW_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct wn_buf {
	char *data;
	size_t len;
	size_t cap;
	int failed;		/* sticky: an allocation failed */
} wn_buf;

void wn_buf_init(wn_buf *b);
void wn_buf_fini(wn_buf *b);
void wn_buf_reset(wn_buf *b);

/* wn_buf_reserve - room for n more bytes plus NUL; WN_ENOMEM on failure */
int wn_buf_reserve(wn_buf *b, size_t n);

/*
 * The append functions never fail loudly: on allocation failure they set
 * b->failed and drop the data, so a writer can check once at the end.
 */
void wn_buf_append(wn_buf *b, const void *p, size_t n);
void wn_buf_puts(wn_buf *b, const char *s);
void wn_buf_putc(wn_buf *b, char c);
void wn_buf_printf(wn_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void wn_buf_vprintf(wn_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
