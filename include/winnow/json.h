/*
 * json.h - streaming JSON writer into a wn_buf.
 *
 * Writes compact or indented JSON in the order calls are made; commas and
 * indentation are handled here, escaping too: strings are taken as UTF-8,
 * control characters escaped, invalid bytes written as U+FFFD, so the
 * output is always valid JSON whatever bytes a message carried.
 *
 * Lifecycle: wn_json_init(j, buf, indent) -> begin/key/value ... -> end.
 * Nesting deeper than WN_JSON_MAX_DEPTH is a programming error (panic).
 */
#ifndef WINNOW_JSON_H
#define WINNOW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/buf.h>

#define WN_JSON_MAX_DEPTH 32

typedef struct wn_json {
	wn_buf *out;
	int indent;		/* spaces per level; 0 for one line */
	int depth;
	bool first[WN_JSON_MAX_DEPTH];
	bool after_key;
} wn_json;

void wn_json_init(wn_json *j, wn_buf *out, int indent);
void wn_json_obj_begin(wn_json *j);
void wn_json_obj_end(wn_json *j);
void wn_json_arr_begin(wn_json *j);
void wn_json_arr_end(wn_json *j);
void wn_json_key(wn_json *j, const char *key);
void wn_json_str(wn_json *j, const char *s);
void wn_json_strn(wn_json *j, const char *s, size_t n);
void wn_json_null(wn_json *j);
void wn_json_bool(wn_json *j, bool v);
void wn_json_int(wn_json *j, int64_t v);
void wn_json_uint(wn_json *j, uint64_t v);
void wn_json_double(wn_json *j, double v, int decimals);

/* wn_json_escape - append s[0..n) as a quoted JSON string to out */
void wn_json_escape(wn_buf *out, const char *s, size_t n);

#endif
