/*
 * cmd.h - the subcommands of winnow-repository: serve, reporter,
 * maintainer, feed-keygen and bulk.
 *
 * Each takes its own argc/argv (argv[0] is the subcommand) and returns
 * the process exit status, a sysexits(3) code: 0, EX_USAGE (64) for a
 * bad command line, EX_DATAERR (65) for bad input (a key file, a country,
 * an unknown or revoked reporter or maintainer, a bulk key that is not
 * one, blocked already or not blocked), EX_NOINPUT (66) for a key file
 * that is not there, EX_UNAVAILABLE (69) when the database cannot be
 * opened, EX_CANTCREAT (73) when feed-keygen finds a key there already,
 * EX_IOERR (74) when reading or writing failed, EX_SOFTWARE (70) when
 * memory ran out. Every error names what it was about.
 */
#ifndef WINNOW_REPOSITORY_CMD_H
#define WINNOW_REPOSITORY_CMD_H

#include <sysexits.h>

#define WN_REPO_PROG "winnow-repository"

int wn_repo_cmd_serve(int argc, char **argv);
int wn_repo_cmd_reporter(int argc, char **argv);
int wn_repo_cmd_maintainer(int argc, char **argv);
int wn_repo_cmd_feed_keygen(int argc, char **argv);
int wn_repo_cmd_bulk(int argc, char **argv);

/* wn_repo_usage_error - "winnow-repository CMD: message" and usage hint;
 * returns EX_USAGE */
int wn_repo_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* wn_repo_exit_db - the exit status for a failed database open */
int wn_repo_exit_db(int rc);

#endif
