/*
 * daemon.c - the process around the milter: detaching, the pid file, and
 * dropping root after the socket and files are open.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winnow/log.h>

#include "milter.h"

int
wn_daemonize(void)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) < 0) {
		wn_log_err_errno("fork");
		return -1;
	}
	if (pid > 0)
		_exit(0);
	if (setsid() < 0) {
		wn_log_err_errno("setsid");
		return -1;
	}
	/* A second fork: never again a session leader that could acquire
	 * a controlling terminal. */
	if ((pid = fork()) < 0) {
		wn_log_err_errno("fork");
		return -1;
	}
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		return -1;
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

/* The uid and gid of user; false (and a log line) if there is none. */
static bool
wn_user_ids(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	if ((pw = getpwnam(user)) == NULL) {
		wn_log_err("user %s: no such user", user);
		return false;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return true;
}

/* Create the directory of path (one level) if missing, for user. */
static int
wn_make_parent(const char *path, mode_t mode, const char *user)
{
	char dir[4096], *slash;
	uid_t uid;
	gid_t gid;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, mode) != 0) {
		if (errno == EEXIST)
			return 0;
		wn_log_err_errno("%s", dir);
		return -1;
	}
	if (user != NULL && *user != '\0') {
		if (!wn_user_ids(user, &uid, &gid))
			return -1;
		if (chown(dir, uid, gid) != 0) {
			wn_log_err_errno("chown %s", dir);
			return -1;
		}
	}
	return 0;
}

int
wn_pidfile_write(const char *path, const char *user)
{
	char buf[32];
	uid_t uid;
	gid_t gid;
	int fd, n;

	if (path == NULL || *path == '\0')
		return 0;
	/* The run directory may be on a tmpfs that starts empty. */
	if (wn_make_parent(path, 0755, user) != 0)
		return -1;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0) {
		wn_log_err_errno("pid file %s", path);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		wn_log_err_errno("pid file %s", path);
		close(fd);
		return -1;
	}
	close(fd);
	if (user != NULL && *user != '\0' && wn_user_ids(user, &uid, &gid) &&
	    chown(path, uid, gid) != 0)
		wn_log_warn_errno("chown %s", path);
	return 0;
}

void
wn_pidfile_remove(const char *path)
{
	if (path != NULL && *path != '\0' && unlink(path) != 0 &&
	    errno != ENOENT)
		wn_log_warn_errno("cannot remove pid file %s", path);
}

static const char *
wn_socket_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	if (spec[0] == '/')
		return spec;
	return NULL;
}

int
wn_socket_dir(const char *spec, const char *user)
{
	const char *path = wn_socket_path(spec);

	return path == NULL ? 0 : wn_make_parent(path, 0750, user);
}

int
wn_socket_chown(const char *spec, const char *user)
{
	const char *path = wn_socket_path(spec);
	struct passwd *pw;

	if (path == NULL)
		return 0;
	/* The MTA (Postfix runs as "postfix") connects through the group:
	 * add it to winnowd's group. */
	if (chmod(path, 0660) != 0) {
		wn_log_err_errno("chmod %s", path);
		return -1;
	}
	if (user == NULL || *user == '\0')
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		wn_log_err("user %s: no such user", user);
		return -1;
	}
	if (chown(path, pw->pw_uid, pw->pw_gid) != 0) {
		wn_log_err_errno("chown %s", path);
		return -1;
	}
	return 0;
}

int
wn_drop_privileges(const char *user)
{
	struct passwd *pw;

	if (user == NULL || *user == '\0')
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		wn_log_err("user %s: no such user", user);
		return -1;
	}
	if (getuid() != 0 && getuid() == pw->pw_uid)
		return 0;
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
		wn_log_err_errno("cannot become user %s", user);
		return -1;
	}
	if (setuid(0) == 0) {
		wn_log_err("could regain root after dropping to %s", user);
		return -1;
	}
	return 0;
}

int
wn_spool_dir(const char *dir, const char *user)
{
	char path[4096], *p;
	uid_t uid;
	gid_t gid;

	snprintf(path, sizeof(path), "%s", dir);
	/* parents as root's, 0755; the spool itself the daemon's, 0750 */
	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			wn_log_err_errno("report spool %s", path);
			return -1;
		}
		*p = '/';
	}
	if (mkdir(path, 0750) != 0 && errno != EEXIST) {
		wn_log_err_errno("report spool %s", path);
		return -1;
	}
	if (user != NULL && *user != '\0' && getuid() == 0) {
		if (!wn_user_ids(user, &uid, &gid))
			return -1;
		if (chown(path, uid, gid) != 0) {
			wn_log_err_errno("chown %s", path);
			return -1;
		}
	}
	return 0;
}
