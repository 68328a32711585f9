/*
 * winnowd.c - the winnow milter daemon: options, start-up, main loop.
 *
 * winnowd [-c FILE] [-p SOCKET] [-f] [-t [-v]]
 *
 * Start-up order: read the configuration and build the first snapshot
 * (rules compiled, store opened); open the milter socket; detach and write
 * the pid file; drop to the configured user; open the statistics spool;
 * block SIGUSR1 and start the reload thread; hand over to libmilter. At
 * the end the current statistics period is sealed. Any failure before the main loop
 * exits with a sysexits code and a message saying why.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <winnow/err.h>
#include <winnow/log.h>

#include "milter.h"

#define WN_EX_OK	0
#define WN_EX_USAGE	64
#define WN_EX_SOFTWARE	70
#define WN_EX_OSERR	71
#define WN_EX_CONFIG	78

#define WN_DEFAULT_CONF "/etc/winnow/winnow.conf"

static void
wn_usage(FILE *f)
{
	fprintf(f,
	    "usage: winnowd [-c FILE] [-p SOCKET] [-f] [-t [-v]] [-V] [-h]\n"
	    "  -c FILE    configuration file (default " WN_DEFAULT_CONF
	    " if it exists,\n"
	    "             else built-in defaults)\n"
	    "  -p SOCKET  milter socket: inet:PORT@HOST, unix:PATH or "
	    "local:PATH\n"
	    "  -f         stay in the foreground and log to stderr\n"
	    "  -t         check the configuration (rules, store) and exit\n"
	    "  -v         with -t: print every setting's effective value\n"
	    "  -V         print the version\n"
	    "  -h         print this help\n"
	    "see winnowd(8) and winnow.conf(5)\n");
}

/* The resolver's time limits for SPF, read by each thread's res_ninit.
 * An RES_OPTIONS the operator set wins. */
static void
wn_resolver_limits(double timeout)
{
	char opt[64];

	snprintf(opt, sizeof(opt), "timeout:%d attempts:2", (int)timeout);
	setenv("RES_OPTIONS", opt, 0);
}

static int
wn_check_only(const wn_startup *su, bool verbose)
{
	wn_config *c = NULL;
	int rc = wn_config_load(su, NULL, WN_CONFIG_CHECK, &c);

	if (rc != 0) {
		fprintf(stderr, "winnowd: configuration not usable (%s)\n",
		    wn_strerror(rc));
		return WN_EX_CONFIG;
	}
	if (verbose)
		wn_settings_print(c->settings, stdout);
	fprintf(stderr, "winnowd: configuration OK: %zu rules, Bayes %s, "
	    "SPF %s, bulk %s%s\n", c->rules ?
	    wn_rules_stats_get(c->rules)->rules : 0,
	    c->scan.store ? "on" : "off", c->spf ? "on" : "off",
	    c->settings->bulk && c->settings->bulk_store[0] != '\0' ?
	    c->settings->bulk_store : "off", c->bulk_feed != NULL ?
	    " with the shared feed" : "");
	wn_config_unref(&c);
	return WN_EX_OK;
}

int
main(int argc, char **argv)
{
	static wn_daemon daemon_state;
	wn_startup su = { NULL, NULL };
	bool foreground = false, test = false, verbose = false;
	wn_config *cfg = NULL;
	const wn_settings *s;
	sigset_t set;
	char *pid_file;
	int ch, rc;

	while ((ch = getopt(argc, argv, "c:p:ftvVh")) != -1) {
		switch (ch) {
		case 'c': su.config_file = optarg; break;
		case 'p': su.socket_override = optarg; break;
		case 'f': foreground = true; break;
		case 't': test = true; break;
		case 'v': verbose = true; break;
		case 'V':
			printf("winnowd %s\n", WN_VERSION);
			return WN_EX_OK;
		case 'h':
			wn_usage(stdout);
			return WN_EX_OK;
		default:
			wn_usage(stderr);
			return WN_EX_USAGE;
		}
	}
	if (optind != argc) {
		wn_usage(stderr);
		return WN_EX_USAGE;
	}
	if (su.config_file == NULL && access(WN_DEFAULT_CONF, F_OK) == 0)
		su.config_file = WN_DEFAULT_CONF;
	/* stderr until the daemon detaches, so start-up errors reach
	 * whoever started it; syslog from then on. */
	wn_log_open("winnowd", WN_LOG_STDERR);
	wn_log_set_level(WN_LOG_INFO);
	if (test)
		return wn_check_only(&su, verbose);

	if ((rc = wn_config_load(&su, NULL, 0, &cfg)) != 0) {
		wn_log_err("configuration not usable (%s); not started",
		    wn_strerror(rc));
		return WN_EX_CONFIG;
	}
	s = cfg->settings;
	wn_log_set_level(wn_log_level_parse(s->log_level));
	wn_resolver_limits(s->spf_timeout);
	wn_config_slot_init(&daemon_state.config, cfg);
	if (wn_socket_dir(s->socket, s->user) != 0)
		return WN_EX_OSERR;
	if (wn_milter_register(&daemon_state, s->socket) != 0) {
		wn_log_err("cannot listen on %s (in use, or a bad socket "
		    "spec: inet:PORT@HOST, inet6:PORT@HOST, unix:PATH, "
		    "local:PATH)", s->socket);
		return WN_EX_OSERR;
	}
	/* Blocked in every thread from here, before the pid file tells
	 * anyone where to send them: the reload thread takes SIGUSR1 and
	 * libmilter's signal thread the stop signals, each in sigwait, so
	 * none of them can land in another thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!foreground) {
		if (wn_daemonize() != 0)
			return WN_EX_OSERR;
		wn_log_open("winnowd", WN_LOG_SYSLOG);
	}
	if ((pid_file = strdup(s->pid_file)) == NULL)
		return WN_EX_OSERR;
	/* `winnow reload` finds the daemon through the pid file; in the
	 * foreground it is a convenience, not a condition. */
	if (wn_pidfile_write(pid_file, s->user) != 0 && !foreground)
		return WN_EX_OSERR;
	/* A spool that cannot be made is logged; mail flows uncounted. */
	if (*s->report_spool != '\0')
		wn_spool_dir(s->report_spool, s->user);
	if (wn_socket_chown(s->socket, s->user) != 0 ||
	    wn_drop_privileges(s->user) != 0)
		return WN_EX_OSERR;
	if (wn_stats_start(&daemon_state, s) != 0)
		return WN_EX_OSERR;
	if (wn_reload_start(&daemon_state, &su) != 0) {
		wn_log_err("cannot start the reload thread");
		return WN_EX_OSERR;
	}
	wn_log_notice("winnowd %s listening on %s", WN_VERSION, s->socket);
	wn_config_log_start(cfg);
	rc = wn_milter_run();
	wn_log_notice("stopping after %lu messages (%lu under on_error)",
	    (unsigned long)atomic_load(&daemon_state.messages),
	    (unsigned long)atomic_load(&daemon_state.failures));
	wn_stats_stop(&daemon_state);
	wn_pidfile_remove(pid_file);
	free(pid_file);
	/* The snapshot is not freed: libmilter does not join its session
	 * threads, so one may still hold or take a reference. The store has
	 * nothing unsaved (learning commits per message). */
	return rc == 0 ? WN_EX_OK : WN_EX_SOFTWARE;
}
