/*
 * cli_input.c - walking the paths given on a command line.
 *
 * Each path may be a message file, an mbox, a maildir, a folder or "-".
 * Failures are reported once, here, naming the file; the walk goes on so
 * one unreadable file does not hide the results for the others.
 */
#include <errno.h>
#include <stdlib.h>
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
wn_cli_paths(const char *cmd, char **argv, int argc, const char *list_file,
    char ***paths_out, int *n_out)
{
	char **v, *line = NULL;
	size_t cap, lcap = 0;
	ssize_t len;
	FILE *f;
	int n;

	cap = (size_t)argc + 64;
	if ((v = malloc(cap * sizeof(*v))) == NULL)
		return WN_EXIT_SOFTWARE;
	for (n = 0; n < argc; n++)
		v[n] = argv[n];		/* borrowed */
	if (list_file != NULL) {
		f = strcmp(list_file, "-") == 0 ? stdin : fopen(list_file, "r");
		if (f == NULL) {
			fprintf(stderr, "winnow %s: %s: %s\n", cmd, list_file,
			    strerror(errno));
			free(v);
			return WN_EXIT_FAIL;
		}
		while ((len = getline(&line, &lcap, f)) > 0) {
			if (line[len - 1] == '\n')
				line[--len] = '\0';
			if (len == 0)
				continue;
			if ((size_t)n == cap) {
				char **nv = realloc(v, cap * 2 * sizeof(*v));

				if (nv == NULL)
					goto oom;
				v = nv;
				cap *= 2;
			}
			if ((v[n] = strdup(line)) == NULL)
				goto oom;
			n++;
		}
		free(line);
		if (f != stdin)
			fclose(f);
	}
	*paths_out = v;
	*n_out = n;
	return 0;
oom:
	free(line);
	if (f != stdin)
		fclose(f);
	wn_cli_paths_free(v, n, argc);
	return WN_EXIT_SOFTWARE;
}

void
wn_cli_paths_free(char **paths, int n, int argc)
{
	int i;

	for (i = argc; i < n; i++)
		free(paths[i]);
	free(paths);
}

int
wn_cli_usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr, "winnow %s: %s\nTry 'winnow %s --help'.\n", cmd, msg,
	    cmd);
	return WN_EXIT_USAGE;
}
