/*
 * winnow.c - the `winnow` command: a table of subcommands.
 *
 * winnow COMMAND [OPTIONS] [PATH...]; `winnow help` lists the commands,
 * `winnow COMMAND --help` explains one. rules, report and bulk feed run
 * in winnow-exchange (cli_exchange.c).
 */
#include <stdio.h>
#include <string.h>

#include <winnow/log.h>

#include "cli.h"

static const wn_cli_cmd wn_cli_cmds[] = {
	{ "parse", "show the MIME structure of messages", wn_cmd_parse },
	{ "tokens", "show the features the classifier sees", wn_cmd_tokens },
	{ "learn", "learn messages as spam or ham, or forget them",
	    wn_cmd_learn },
	{ "classify", "score messages as winnowd would", wn_cmd_classify },
	{ "bayes", "token store upkeep: stats, dump, load, expire, retrain",
	    wn_cmd_bayes },
	{ "bulk", "bulk detection: check messages, store stats, expire",
	    wn_cmd_bulk },
	{ "eval", "train on one list, test on another, report accuracy",
	    wn_cmd_eval },
	{ "rules", "rule maintainers' tools: lint, test, check, pack, sign, verify",
	    wn_cli_exchange },
	{ "reload", "check winnowd's configuration and make it reload",
	    wn_cmd_reload },
	{ "report", "statistics reports: keygen, preview, send",
	    wn_cli_exchange },
};

static void
wn_cli_help(FILE *f)
{
	size_t i;

	fprintf(f, "usage: winnow COMMAND [OPTIONS] [PATH...]\n\n"
	    "PATH is a message file, an mbox, a maildir, a folder of them, "
	    "or - for\nstandard input.\n\ncommands:\n");
	for (i = 0; i < sizeof(wn_cli_cmds) / sizeof(wn_cli_cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", wn_cli_cmds[i].name,
		    wn_cli_cmds[i].summary);
	fprintf(f, "  %-10s %s\n  %-10s %s\n\n"
	    "Run 'winnow COMMAND --help' for the options of a command.\n",
	    "help", "show this help", "version", "show the version");
}

int
main(int argc, char **argv)
{
	size_t i;

	wn_log_open("winnow", WN_LOG_STDERR);
	if (argc < 2) {
		wn_cli_help(stderr);
		return WN_EXIT_USAGE;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		wn_cli_help(stdout);
		return WN_EXIT_OK;
	}
	if (strcmp(argv[1], "version") == 0 ||
	    strcmp(argv[1], "--version") == 0) {
		printf("winnow %s\n", WN_VERSION);
		return WN_EXIT_OK;
	}
	for (i = 0; i < sizeof(wn_cli_cmds) / sizeof(wn_cli_cmds[0]); i++)
		if (strcmp(argv[1], wn_cli_cmds[i].name) == 0)
			return wn_cli_cmds[i].run(argc - 1, argv + 1);
	fprintf(stderr, "winnow: unknown command '%s'\n", argv[1]);
	wn_cli_help(stderr);
	return WN_EXIT_USAGE;
}
