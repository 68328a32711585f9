/*
 * milter.h - winnowd's process: registration with libmilter, reload,
 * daemon start-up.
 */
#ifndef WINNOW_MILTER_MILTER_H
#define WINNOW_MILTER_MILTER_H

#include <stdbool.h>

#include "session.h"

/* What winnowd was started with, for reloads. */
typedef struct wn_startup {
	const char *config_file;	/* NULL: built-in defaults */
	const char *socket_override;	/* -p, or NULL */
} wn_startup;

/* wn_milter_register - set the socket, register callbacks, open the
 * socket; -1 on failure (libmilter logs why) */
int wn_milter_register(wn_daemon *d, const char *socket_spec);

/* wn_milter_run - smfi_main; returns when libmilter is told to stop */
int wn_milter_run(void);

/*
 * wn_config_load - settings from the start-up file with the -p override,
 * then a snapshot; findings are logged, each with file and line. prev is
 * the snapshot being replaced (NULL at start); flags as for
 * wn_config_build. Returns 0 with *out set.
 */
int wn_config_load(const wn_startup *su, const wn_config *prev,
    unsigned flags, wn_config **out);

/* wn_reload_start - a thread that reloads on SIGUSR1, which must already
 * be blocked in every thread; 0 or -1 */
int wn_reload_start(wn_daemon *d, const wn_startup *su);

/* wn_config_log_start - one notice line describing a snapshot */
void wn_config_log_start(const wn_config *c);

/* wn_reload_now - one reload: build aside, swap on success; 0 or -1 */
int wn_reload_now(wn_daemon *d, const wn_startup *su);

/* Process shape (daemon.c). */
int wn_daemonize(void);
/* wn_pidfile_write - write our pid; a directory it creates and the file
 * are given to user (if set), so the daemon can remove the file later */
int wn_pidfile_write(const char *path, const char *user);
void wn_pidfile_remove(const char *path);
/* wn_socket_dir - create a unix socket's missing directory (0750, owned by
 * user if set); nothing for inet sockets */
int wn_socket_dir(const char *spec, const char *user);
/* wn_socket_chown - a unix socket (spec unix:/local:) to user's uid/gid */
int wn_socket_chown(const char *spec, const char *user);
int wn_drop_privileges(const char *user);

/*
 * Statistics (stats_thread.c). wn_stats_start opens the GeoIP database
 * and the report spool (after the privilege drop, so files belong to the
 * daemon's user) and starts the ticker; a spool that cannot be opened is
 * logged and nothing is counted. wn_stats_stop seals the current period.
 */
int wn_stats_start(wn_daemon *d, const wn_settings *s);
void wn_stats_stop(wn_daemon *d);

/* wn_spool_dir - create the report spool (0750) owned by user, before
 * the privilege drop; logs and returns -1 on failure */
int wn_spool_dir(const char *dir, const char *user);

#endif
