/*
 * cli_exchange.c - hand a command to winnow-exchange.
 *
 * The commands that talk to a repository or read rule packages (winnow
 * rules, winnow report, winnow bulk feed) live in a program of their own,
 * winnow-exchange, so that `winnow` itself does not link libcurl and
 * libarchive: their 36 shared libraries took 16 ms to load at every start
 * of `winnow classify` or `winnow learn`. winnow runs it with the same
 * arguments; the user sees one command.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef WN_LIBEXEC_DIR
#define WN_LIBEXEC_DIR "/usr/local/libexec/winnow"
#endif

#define WN_EXCHANGE_NAME "winnow-exchange"

/*
 * Where winnow-exchange is: beside this program (a build tree, or both
 * installed in one folder), else in the libexec folder it was built for.
 */
static void
wn_exchange_path(char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			snprintf(out, size, "%s/%s", self, WN_EXCHANGE_NAME);
			if (access(out, X_OK) == 0)
				return;
		}
	}
	snprintf(out, size, "%s/%s", WN_LIBEXEC_DIR, WN_EXCHANGE_NAME);
}

int
wn_cli_exchange(int argc, char **argv)
{
	char path[PATH_MAX + 32];
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	int i;

	if (args == NULL) {
		fprintf(stderr, "winnow %s: out of memory\n", argv[0]);
		return WN_EXIT_SOFTWARE;
	}
	wn_exchange_path(path, sizeof(path));
	args[0] = path;
	for (i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	fflush(NULL);
	execv(path, args);
	fprintf(stderr, "winnow %s: cannot run %s: %s (it is installed with "
	    "winnow)\n", argv[0], path, strerror(errno));
	free(args);
	return WN_EXIT_SOFTWARE;
}
