/*
 * winnow-repository.c - main: the subcommand table of winnow-repository,
 * the service that collects signed statistics reports from winnowd
 * installations, serves aggregates to regulators, offers the rule sets
 * maintainers publish, and signs the feed of bulk keys its reporters
 * share.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <winnow/err.h>
#include <winnow/log.h>
#include <winnow/sign.h>

#include "cmd.h"

static void
wn_repo_usage(FILE *f)
{
	fprintf(f, "usage: " WN_REPO_PROG " serve --listen HOST:PORT --db URL "
	    "[--tls-cert FILE --tls-key FILE]\n"
	    "           [--max-body BYTES] [--max-skew SECONDS] "
	    "[--threads N] [--tmp-dir DIR]\n"
	    "           [--feed-key FILE [--feed-min-reporters N] "
	    "[--feed-days D]]\n"
	    "           [--log-level LEVEL]\n"
	    "       " WN_REPO_PROG " reporter add --db URL --key FILE.pub "
	    "--name NAME --country CC\n"
	    "           [--operator-type TYPE]\n"
	    "       " WN_REPO_PROG " reporter list --db URL\n"
	    "       " WN_REPO_PROG " reporter revoke --db URL KEYID\n"
	    "       " WN_REPO_PROG " maintainer add --db URL --name NAME "
	    "--key FILE.pub\n"
	    "       " WN_REPO_PROG " maintainer list --db URL\n"
	    "       " WN_REPO_PROG " maintainer revoke --db URL KEYID\n"
	    "       " WN_REPO_PROG " feed-keygen DIR [NAME]\n"
	    "       " WN_REPO_PROG " bulk block --db URL KEY --reason TEXT\n"
	    "       " WN_REPO_PROG " bulk unblock --db URL KEY\n"
	    "       " WN_REPO_PROG " bulk list --db URL [--all] "
	    "[--feed-days D] [--feed-min-reporters N]\n"
	    "URL is sqlite:PATH or postgresql://...; see "
	    "winnow-repository(8).\n");
}

int
wn_repo_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, WN_REPO_PROG " %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see " WN_REPO_PROG " %s --help)\n", cmd);
	return EX_USAGE;
}

int
wn_repo_exit_db(int rc)
{
	switch (rc) {
	case WN_EINVAL:
		return EX_USAGE;
	case WN_ENOMEM:
		return EX_SOFTWARE;
	case WN_EFORMAT:
		return EX_DATAERR;
	default:
		return EX_UNAVAILABLE;
	}
}

int
main(int argc, char **argv)
{
	wn_log_open(WN_REPO_PROG, WN_LOG_STDERR);
	wn_log_set_level(WN_LOG_NOTICE);
	if (argc < 2) {
		wn_repo_usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		wn_repo_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf(WN_REPO_PROG " " WN_VERSION "\n");
		return 0;
	}
	if (wn_sign_init() != 0) {
		fprintf(stderr, WN_REPO_PROG ": libsodium cannot start\n");
		return EX_SOFTWARE;
	}
	if (strcmp(argv[1], "serve") == 0)
		return wn_repo_cmd_serve(argc - 1, argv + 1);
	if (strcmp(argv[1], "reporter") == 0)
		return wn_repo_cmd_reporter(argc - 1, argv + 1);
	if (strcmp(argv[1], "maintainer") == 0)
		return wn_repo_cmd_maintainer(argc - 1, argv + 1);
	if (strcmp(argv[1], "feed-keygen") == 0)
		return wn_repo_cmd_feed_keygen(argc - 1, argv + 1);
	if (strcmp(argv[1], "bulk") == 0)
		return wn_repo_cmd_bulk(argc - 1, argv + 1);
	fprintf(stderr, WN_REPO_PROG ": unknown command \"%s\"\n", argv[1]);
	wn_repo_usage(stderr);
	return EX_USAGE;
}
