/*
 * mime_dump.h - stable dumps of a parsed message, for people and tests.
 *
 * The JSON form is what `winnow parse --json` prints and what the golden
 * tests under tests/data/mime compare; its fields are documented in
 * docs/parse-json.md and only grow. The text form is a readable tree.
 */
#ifndef WINNOW_MIME_DUMP_H
#define WINNOW_MIME_DUMP_H

#include <winnow/buf.h>
#include <winnow/json.h>
#include <winnow/mime.h>

enum {
	WN_DUMP_TEXT = 1u << 0	/* include rendered and hidden text */
};

/* wn_mime_dump_json - write msg's fields into the JSON object that is
 * open in j (callers may add their own fields around them) */
void wn_mime_dump_json(const wn_mime_msg *msg, unsigned opts, wn_json *j);

/* wn_mime_dump_text - write msg as an indented text tree into out */
void wn_mime_dump_text(const wn_mime_msg *msg, unsigned opts, wn_buf *out);

/* wn_url_flag_names - append the names of WN_URL_* bits, comma-separated */
void wn_url_flag_names(uint32_t flags, wn_buf *out);

#endif
