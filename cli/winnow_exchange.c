/*
 * winnow_exchange.c - winnow-exchange, the `winnow` commands that talk to
 * a repository or read rule packages: rules, report, bulk feed. winnow
 * runs it with its own arguments (cli_exchange.c), so it links libcurl
 * and libarchive and winnow does not.
 */
#include <stdio.h>
#include <string.h>

#include <winnow/log.h>

#include "cli.h"

int
main(int argc, char **argv)
{
	wn_log_open("winnow", WN_LOG_STDERR);
	if (argc >= 2 && strcmp(argv[1], "rules") == 0)
		return wn_cmd_rules(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "report") == 0)
		return wn_cmd_report(argc - 1, argv + 1);
	if (argc >= 3 && strcmp(argv[1], "bulk") == 0 &&
	    strcmp(argv[2], "feed") == 0)
		return wn_cmd_bulk_feed(argc - 2, argv + 2);
	fprintf(stderr, "usage: winnow rules|report|bulk feed ... (winnow-"
	    "exchange runs these for winnow; see winnow(1))\n");
	return WN_EXIT_USAGE;
}
