/*
 * input.h - messages from the places operators keep them.
 *
 * A wn_input yields the messages found at one path: a single message file,
 * an mbox (a file whose first line starts "From "; messages split at "From "
 * lines that follow an empty line and carry a time of day, the separator
 * line removed; ">From "
 * quoting is left as written, which no filter needs undone), a maildir (a
 * folder holding cur/ and new/; tmp/ is skipped), a folder of any of these
 * (walked recursively, names sorted, dot files skipped), or "-" for
 * standard input. Files up to 1 MiB are read into a reused buffer, larger
 * ones mapped.
 *
 * Lifecycle: wn_input_open -> wn_input_next ... -> wn_input_free(&in).
 * A message's bytes stay valid until the next wn_input_next call. One file
 * that cannot be read is reported and skipped: wn_input_next returns the
 * error with the file's path and the walk goes on at the next call.
 * Not thread-safe; one wn_input per thread.
 */
#ifndef WINNOW_INPUT_H
#define WINNOW_INPUT_H

#include <stddef.h>

typedef struct wn_input wn_input;

typedef struct wn_input_msg {
	const char *data;	/* message bytes */
	size_t len;
	const char *path;	/* file it came from */
	size_t index;		/* 1-based position in an mbox, else 0 */
} wn_input_msg;

/*
 * wn_input_open - start reading path; max_bytes caps one file or standard
 * input (0: no cap). WN_ENOENT or WN_EIO (errno set) when path itself
 * cannot be opened, WN_ENOMEM.
 */
int wn_input_open(const char *path, size_t max_bytes, wn_input **in_out);

/*
 * wn_input_next - next message: 1 and *msg filled, 0 at the end, or a
 * negative WN_E* with msg->path naming the file that failed (errno set for
 * WN_EIO; WN_ELIMIT for a file over max_bytes).
 */
int wn_input_next(wn_input *in, wn_input_msg *msg);

void wn_input_free(wn_input **inp);

#endif
