/*
 * cli.h - what the `winnow` subcommands share.
 *
 * Each subcommand is a function taking its own argc/argv (argv[0] is the
 * subcommand name) and returning the process exit status. Shared helpers
 * walk input paths and report unreadable ones with their names.
 */
#ifndef WINNOW_CLI_H
#define WINNOW_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <winnow/input.h>
#include <winnow/scan.h>
#include <winnow/store.h>

/* Exit statuses (sysexits where one fits). */
#define WN_EXIT_OK	0
#define WN_EXIT_FAIL	1	/* some input could not be processed */
#define WN_EXIT_USAGE	64	/* EX_USAGE */
#define WN_EXIT_SOFTWARE 70	/* EX_SOFTWARE: out of memory, internal */

/* Largest single file or standard input read (a mailbox may be big). */
#define WN_CLI_MAX_INPUT ((size_t)4 << 30)

typedef struct wn_cli_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
} wn_cli_cmd;

/* Where winnowd and the commands keep the token store by default. */
#define WN_CLI_DEFAULT_DB "/var/lib/winnow/bayes.lmdb"

int wn_cmd_parse(int argc, char **argv);
int wn_cmd_tokens(int argc, char **argv);
int wn_cmd_learn(int argc, char **argv);
int wn_cmd_classify(int argc, char **argv);
int wn_cmd_bayes(int argc, char **argv);
int wn_cmd_eval(int argc, char **argv);
int wn_cmd_bulk(int argc, char **argv);
/* `winnow bulk feed update|show` (cmd_bulk_feed.c); argv[0] is "feed" */
int wn_cmd_bulk_feed(int argc, char **argv);
int wn_cmd_rules(int argc, char **argv);
/* wn_cmd_rules_pkg - `winnow rules pack|sign|keygen|verify` (argv[0] is
 * the subcommand); -1 when argv[0] is none of them */
int wn_cmd_rules_pkg(int argc, char **argv);
/* `winnow rules publish|promote` (cmd_rules_publish.c) and
 * `winnow rules update|list|rollback|remove` (cmd_rules_install.c);
 * argv[0] is the subcommand */
int wn_cmd_rules_publish(int argc, char **argv);
int wn_cmd_rules_promote(int argc, char **argv);
int wn_cmd_rules_update(int argc, char **argv);
int wn_cmd_rules_list(int argc, char **argv);
int wn_cmd_rules_rollback(int argc, char **argv);
int wn_cmd_rules_remove(int argc, char **argv);
int wn_cmd_reload(int argc, char **argv);
/*
 * wn_cli_exchange - run winnow-exchange with argv (argv[0] the command:
 * rules, report, or bulk followed by feed), in place of this process.
 * Returns only when it cannot be run, with WN_EXIT_SOFTWARE.
 */
int wn_cli_exchange(int argc, char **argv);
/*
 * wn_cli_signal_reload - send SIGUSR1 to the winnowd whose pid is in
 * pid_file. Returns 0 (signalled; *pid_out set), 1 when no winnowd runs
 * (no pid file, or its process is gone), -1 after printing why it could
 * not (as "winnow CMD: ...").
 */
int wn_cli_signal_reload(const char *cmd, const char *pid_file,
    long *pid_out);
int wn_cmd_report(int argc, char **argv);

/*
 * wn_cli_open_store - open the store at path with WN_STORE_* flags and
 * adopt its tokenizer settings into cfg (cfg->store is set). Reports
 * failures naming the file; returns 0 or an exit status.
 */
int wn_cli_open_store(const char *cmd, const char *path, unsigned flags,
    wn_scan_config *cfg, wn_store **st_out);

/*
 * wn_cli_retrain - flush st and fit the linear stage on its samples (a
 * store that keeps none is left alone); says on standard output what it
 * trained on unless quiet, and on standard error why it failed. Returns
 * an exit code.
 */
int wn_cli_retrain(const char *cmd, const char *path, wn_store *st,
    const wn_linear_params *p, bool quiet);

/* wn_cli_default_db - WN_CLI_DEFAULT_DB */
const char *wn_cli_default_db(void);

/*
 * wn_cli_each_message - call fn for every message found at the paths.
 * Unreadable files are reported on stderr with their names and skipped.
 * Returns WN_EXIT_OK, WN_EXIT_FAIL if any input failed or fn returned
 * non-zero, WN_EXIT_SOFTWARE on out of memory.
 */
int wn_cli_each_message(char **paths, int n_paths,
    int (*fn)(const wn_input_msg *msg, void *arg), void *arg);

/*
 * wn_cli_size_arg - parse a count or size ("64", "512k", "4M") for option
 * opt into *out within [min, max]; prints the error and returns 64 when it
 * is not one.
 */
int wn_cli_size_arg(const char *cmd, const char *opt, const char *val,
    unsigned long long min, unsigned long long max, unsigned long long *out);

/*
 * wn_cli_paths - the paths to read: argv[0..argc) followed by the lines of
 * list_file (one path a line; "-" reads them from standard input) when it
 * is not NULL. *paths_out is heap memory for wn_cli_paths_free. Returns 0
 * or an exit status after reporting the error.
 */
int wn_cli_paths(const char *cmd, char **argv, int argc, const char *list_file,
    char ***paths_out, int *n_out);
void wn_cli_paths_free(char **paths, int n, int argc);

/*
 * wn_cli_print_diags - print findings as "FILE:LINE: error: MSG" to f;
 * warnings only when with_warnings.
 */
void wn_cli_print_diags(FILE *f, const wn_diag_list *d, bool with_warnings);

/* The rule files and folders named by repeated --rules options. */
#define WN_CLI_MAX_RULES 64
typedef struct wn_cli_rule_paths {
	const char *v[WN_CLI_MAX_RULES];
	size_t n;
} wn_cli_rule_paths;

/* wn_cli_rule_path_add - note one --rules PATH; 64 after a usage error */
int wn_cli_rule_path_add(const char *cmd, wn_cli_rule_paths *p,
    const char *path);

/*
 * wn_cli_load_rules - load rule files or folders for cmd. Errors are
 * printed and refuse the set unless keep_going; warnings are summed up in
 * one line (winnow rules lint lists them). Returns 0 or an exit status.
 */
int wn_cli_load_rules(const char *cmd, const char *const *paths, size_t n,
    bool keep_going, wn_rules **out);

/* wn_cli_usage_error - print "winnow CMD: msg" and a hint; returns 64 */
int wn_cli_usage_error(const char *cmd, const char *msg);

/* wn_dump_messages - a token dump's "message" lines for every learned
 * message of st (none where the backend keeps no digests); 0, != 0 on a
 * write error (> 0) or the store's (< 0) */
int wn_dump_messages(FILE *f, wn_store *st);

/* wn_dump_message_parse - one "message" line into *m; its sample is
 * *sample_out's (wn_malloc'd, or NULL), the caller frees it. Returns 0,
 * WN_EFORMAT or WN_ENOMEM. */
int wn_dump_message_parse(const char *line, wn_store_message *m,
    uint8_t **sample_out);

#endif
