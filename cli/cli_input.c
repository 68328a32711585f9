/*
 * cli_input.c - walking the paths given on a command line.
 *
 * Each path may be a message file, an mbox, a maildir, a folder or "-".
 * Failures are reported once, here, naming the file; the walk goes on so
 * one unreadable file does not hide the results for the others.
 */
#include <errno.h>
#include <string.h>

#include <winnow/err.h>

#include "cli.h"

static void
wn_cli_report(const char *path, int rc, int saved_errno)
{
	if (rc == WN_EIO || rc == WN_ENOENT)
		fprintf(stderr, "winnow: %s: %s\n", path,
		    strerror(saved_errno ? saved_errno : EIO));
	else if (rc == WN_ELIMIT)
		fprintf(stderr, "winnow: %s: larger than %zu bytes, skipped\n",
		    path, WN_CLI_MAX_INPUT);
	else
		fprintf(stderr, "winnow: %s: %s\n", path, wn_strerror(rc));
}

int
wn_cli_each_message(char **paths, int n_paths,
    int (*fn)(const wn_input_msg *msg, void *arg), void *arg)
{
	int i, rc, status = WN_EXIT_OK;

	for (i = 0; i < n_paths; i++) {
		wn_input *in = NULL;
		wn_input_msg msg;

		errno = 0;
		if ((rc = wn_input_open(paths[i], WN_CLI_MAX_INPUT, &in)) != 0) {
			wn_cli_report(paths[i], rc, errno);
			if (rc == WN_ENOMEM)
				return WN_EXIT_SOFTWARE;
			status = WN_EXIT_FAIL;
			continue;
		}
		for (;;) {
			errno = 0;
			rc = wn_input_next(in, &msg);
			if (rc == 0)
				break;
			if (rc < 0) {
				wn_cli_report(msg.path ? msg.path : paths[i],
				    rc, errno);
				if (rc == WN_ENOMEM) {
					wn_input_free(&in);
					return WN_EXIT_SOFTWARE;
				}
				status = WN_EXIT_FAIL;
				continue;
			}
			if ((rc = fn(&msg, arg)) != 0) {
				status = rc == WN_EXIT_SOFTWARE ?
				    WN_EXIT_SOFTWARE : WN_EXIT_FAIL;
				if (rc == WN_EXIT_SOFTWARE) {
					wn_input_free(&in);
					return status;
				}
			}
		}
		wn_input_free(&in);
	}
	return status;
}

int
wn_cli_usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr, "winnow %s: %s\nTry 'winnow %s --help'.\n", cmd, msg,
	    cmd);
	return WN_EXIT_USAGE;
}
