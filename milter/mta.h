/*
 * mta.h - the seam between winnowd's session logic and libmilter.
 *
 * Every smfi_* call the session makes goes through a wn_mta table, so the
 * callbacks can run in-process under a fake MTA that records header edits
 * and replies (tests/unit/test_session.c), and for real through
 * mta_libmilter.c. ctx is the MTA's handle for one connection. Functions
 * return 0 on success and -1 on failure, as libmilter does.
 */
#ifndef WINNOW_MILTER_MTA_H
#define WINNOW_MILTER_MTA_H

typedef struct wn_mta {
	void *(*getpriv)(void *ctx);
	int (*setpriv)(void *ctx, void *priv);
	/* a macro's value ("i", "{auth_authen}"), NULL if not sent */
	const char *(*getsymval)(void *ctx, const char *name);
	int (*addheader)(void *ctx, const char *name, const char *value);
	/* insert at position idx (0: first) */
	int (*insheader)(void *ctx, int idx, const char *name,
	    const char *value);
	/* change the idx'th (from 1) header of that name; value NULL
	 * deletes it */
	int (*chgheader)(void *ctx, const char *name, int idx,
	    const char *value);
	int (*setreply)(void *ctx, const char *rcode, const char *xcode,
	    const char *text);
	int (*quarantine)(void *ctx, const char *reason);
} wn_mta;

/* wn_mta_libmilter - the table over libmilter's smfi_* functions */
extern const wn_mta wn_mta_libmilter;

#endif
