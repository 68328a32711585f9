/*
 * err.h - error codes shared by every winnow module.
 *
 * Fallible functions return int: 0 on success, a negative WN_E* code on
 * failure. Results travel through out-parameters named *_out. Content
 * anomalies (bad MIME, odd charsets) are never errors; they are flags.
 */
#ifndef WINNOW_ERR_H
#define WINNOW_ERR_H

enum {
	WN_OK = 0,
	WN_ENOMEM = -1,		/* allocation failed */
	WN_EINVAL = -2,		/* invalid argument or malformed input */
	WN_ELIMIT = -3,		/* a configured bound was exceeded */
	WN_EIO = -4,		/* I/O error; errno holds the detail */
	WN_ETEMP = -5,		/* temporary failure, try again */
	WN_ENOENT = -6,		/* no such file or entry */
	WN_EFORMAT = -7		/* data of the wrong format or version */
};

/* wn_strerror - text for a WN_E* code (never NULL) */
const char *wn_strerror(int err);

#endif
