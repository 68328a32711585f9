/*
 * redis_server.c - start and stop a private redis-server for a test
 * (redis_server.h has the contract).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <criterion/criterion.h>
#include <hiredis/hiredis.h>

#include "redis_server.h"

#define WN_TEST_REDIS_ARGS_MAX	64

static const char *
wn_test_redis_binary(void)
{
	const char *env = getenv("WN_REDIS_SERVER");
	static const char *const cands[] = { "/usr/bin/redis-server",
	    "/usr/local/bin/redis-server", "/usr/sbin/redis-server", NULL };
	size_t i;

	if (env != NULL && env[0] != '\0')
		return env;
	for (i = 0; cands[i] != NULL; i++)
		if (access(cands[i], X_OK) == 0)
			return cands[i];
	cr_assert_fail("redis-server not found (install the redis-server "
	    "package or set WN_REDIS_SERVER); the Redis tests never skip");
	return NULL;
}

static int
wn_test_redis_free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	cr_assert_geq(fd, 0, "socket: %s", strerror(errno));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0,
	    "bind: %s", strerror(errno));
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static void
wn_test_redis_log_tail(const wn_test_redis *r)
{
	char path[128], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/redis.log", r->dir);
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		fprintf(stderr, "redis-server: %s", line);
	fclose(f);
}

static void
wn_test_redis_spawn(wn_test_redis *r)
{
	const char *bin = wn_test_redis_binary();
	const char *argv[WN_TEST_REDIS_ARGS_MAX];
	char port[16], log[128];
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int argc = 0, i, status;
	pid_t pid;

	snprintf(port, sizeof(port), "%d", r->port);
	snprintf(log, sizeof(log), "%s/redis.log", r->dir);
	argv[argc++] = bin;
	argv[argc++] = "--port";
	argv[argc++] = port;
	if (r->port != 0) {
		argv[argc++] = "--bind";
		argv[argc++] = "127.0.0.1";
	}
	argv[argc++] = "--unixsocket";
	argv[argc++] = r->sock;
	argv[argc++] = "--unixsocketperm";
	argv[argc++] = "700";
	argv[argc++] = "--save";
	argv[argc++] = "";
	argv[argc++] = "--appendonly";
	argv[argc++] = "no";
	argv[argc++] = "--daemonize";
	argv[argc++] = "no";
	argv[argc++] = "--dir";
	argv[argc++] = r->dir;
	argv[argc++] = "--dbfilename";
	argv[argc++] = "dump.rdb";
	argv[argc++] = "--logfile";
	argv[argc++] = log;
	for (i = 0; r->extra != NULL && r->extra[i] != NULL &&
	    argc < WN_TEST_REDIS_ARGS_MAX - 1; i++)
		argv[argc++] = r->extra[i];
	argv[argc] = NULL;

	pid = fork();
	cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

#ifdef __linux__
		/* a test that crashes takes its server with it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		execv(bin, (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	r->pid = pid;
	/* ready when it answers PING on the socket (10 s at most) */
	for (i = 0; i < 1000; i++) {
		struct timeval tv = { 1, 0 };
		redisContext *c;
		redisReply *rep;

		if (waitpid(pid, &status, WNOHANG) == pid) {
			r->pid = 0;
			wn_test_redis_log_tail(r);
			cr_assert_fail("redis-server %s exited (status %d) "
			    "before it answered", bin, status);
		}
		c = redisConnectUnixWithTimeout(r->sock, tv);
		if (c != NULL && c->err == 0) {
			rep = redisCommand(c, "PING");
			/* NOAUTH is an answer too */
			if (rep != NULL) {
				freeReplyObject(rep);
				redisFree(c);
				return;
			}
		}
		if (c != NULL)
			redisFree(c);
		nanosleep(&pause, NULL);
	}
	wn_test_redis_log_tail(r);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	r->pid = 0;
	cr_assert_fail("redis-server did not answer on %s within 10 s",
	    r->sock);
}

const char *
wn_test_redis_start(wn_test_redis *r, int tcp, const char *const *extra)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->dir, "/tmp/wn-redis-XXXXXX");
	cr_assert_not_null(mkdtemp(r->dir), "mkdtemp: %s", strerror(errno));
	snprintf(r->sock, sizeof(r->sock), "%s/redis.sock", r->dir);
	snprintf(r->url, sizeof(r->url), "redis+unix://%s", r->sock);
	r->extra = extra;
	if (tcp) {
		r->port = wn_test_redis_free_port();
		snprintf(r->tcp_url, sizeof(r->tcp_url),
		    "redis://127.0.0.1:%d", r->port);
	}
	wn_test_redis_spawn(r);
	return r->sock;
}

void
wn_test_redis_kill(wn_test_redis *r)
{
	int status;

	if (r->pid <= 0)
		return;
	kill(r->pid, SIGKILL);
	waitpid(r->pid, &status, 0);
	r->pid = 0;
}

void
wn_test_redis_restart(wn_test_redis *r)
{
	cr_assert_eq(r->pid, 0, "restart of a running redis-server");
	wn_test_redis_spawn(r);
}

void
wn_test_redis_stop(wn_test_redis *r)
{
	char cmd[128];
	int status;

	if (r->pid > 0) {
		kill(r->pid, SIGTERM);
		waitpid(r->pid, &status, 0);
		r->pid = 0;
	}
	if (r->dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", r->dir);
		r->dir[0] = '\0';
	}
}

redisReply *
wn_test_redis_command(const wn_test_redis *r, const char *fmt, ...)
{
	struct timeval tv = { 5, 0 };
	redisContext *c = redisConnectUnixWithTimeout(r->sock, tv);
	redisReply *rep;
	va_list ap;
	size_t i;

	cr_assert(c != NULL && c->err == 0, "connect to %s: %s", r->sock,
	    c ? c->errstr : "out of memory");
	for (i = 0; r->extra != NULL && r->extra[i] != NULL; i++)
		if (strcmp(r->extra[i], "--requirepass") == 0 &&
		    r->extra[i + 1] != NULL) {
			rep = redisCommand(c, "AUTH %s", r->extra[i + 1]);
			cr_assert_not_null(rep);
			freeReplyObject(rep);
		}
	va_start(ap, fmt);
	rep = redisvCommand(c, fmt, ap);
	va_end(ap);
	cr_assert_not_null(rep, "%s: %s", fmt, c->errstr);
	redisFree(c);
	return rep;
}
