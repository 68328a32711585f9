/*
 * cmd_reload.c - `winnow reload`: check winnowd's configuration, then ask
 * the running daemon to load it.
 *
 * The configuration is built here first, exactly as winnowd builds it
 * (rules compiled, store opened), so a broken file is reported at once,
 * with its lines, and winnowd is not disturbed. Then SIGUSR1 goes to the
 * pid in the pid file; winnowd logs the outcome.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <winnow/config.h>
#include <winnow/err.h>

#include "cli.h"

#define WN_DEFAULT_CONF "/etc/winnow/winnow.conf"

static void
wn_reload_usage(FILE *f)
{
	fprintf(f, "usage: winnow reload [-c FILE] [--pid-file PATH] "
	    "[--no-check]\n"
	    "  -c FILE           winnowd's configuration (default "
	    WN_DEFAULT_CONF " if it\n"
	    "                    exists, else built-in defaults)\n"
	    "  --pid-file PATH   winnowd's pid file (default: pid_file "
	    "of the configuration)\n"
	    "  --no-check        signal without building the configuration "
	    "first\n");
}

int
wn_cli_signal_reload(const char *cmd, const char *pid_file, long *pid_out)
{
	FILE *f = fopen(pid_file, "r");
	long pid;

	*pid_out = 0;
	if (f == NULL) {
		if (errno == ENOENT)
			return 1;
		fprintf(stderr, "winnow %s: %s: %s\n", cmd, pid_file,
		    strerror(errno));
		return -1;
	}
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 1) {
		fprintf(stderr, "winnow %s: %s: no process id in it\n", cmd,
		    pid_file);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (kill((pid_t)pid, SIGUSR1) != 0) {
		if (errno == ESRCH)
			return 1;	/* a stale pid file */
		fprintf(stderr, "winnow %s: pid %ld from %s: %s\n", cmd, pid,
		    pid_file, strerror(errno));
		return -1;
	}
	*pid_out = pid;
	return 0;
}

int
wn_cmd_reload(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid-file", required_argument, NULL, 'P' },
		{ "no-check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *conf = NULL, *pid_file = NULL;
	bool check = true;
	wn_settings *s = NULL;
	wn_config *c = NULL;
	wn_diag_list d;
	long pid;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'P': pid_file = optarg; break;
		case 'n': check = false; break;
		case 'h': wn_reload_usage(stdout); return WN_EXIT_OK;
		default: wn_reload_usage(stderr); return WN_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return wn_cli_usage_error("reload", "no arguments expected");
	if (conf == NULL && access(WN_DEFAULT_CONF, F_OK) == 0)
		conf = WN_DEFAULT_CONF;
	wn_diag_list_init(&d);
	rc = wn_settings_load(conf, &d, &s);
	if (rc == 0 && check) {
		rc = wn_config_build(s, NULL, WN_CONFIG_CHECK, &d, &c);
		s = NULL;
	}
	wn_cli_print_diags(stderr, &d, true);
	wn_diag_list_fini(&d);
	if (rc != 0) {
		fprintf(stderr, "winnow reload: %s is not usable (%s); winnowd "
		    "was not signalled and keeps its configuration\n",
		    conf ? conf : "the built-in configuration",
		    wn_strerror(rc));
		wn_settings_free(&s);
		return WN_EXIT_FAIL;
	}
	if (pid_file == NULL)
		pid_file = c ? c->settings->pid_file : s->pid_file;
	rc = wn_cli_signal_reload("reload", pid_file, &pid);
	if (rc == 1)
		fprintf(stderr, "winnow reload: winnowd is not running (no "
		    "live process in %s)\n", pid_file);
	rc = rc == 0 ? WN_EXIT_OK : WN_EXIT_FAIL;
	if (rc == 0)
		printf("winnow reload: configuration checked; winnowd (pid "
		    "%ld) is reloading; its log has the outcome\n", pid);
	wn_config_unref(&c);
	wn_settings_free(&s);
	return rc;
}
