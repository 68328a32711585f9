/*
 * redis_server.h - a private redis-server for one test process.
 *
 * wn_test_redis_start runs redis-server in a new temporary directory,
 * listening on DIR/redis.sock (and on 127.0.0.1:port when port is not
 * 0), without persistence, and returns once it answers PING. Tests that
 * need Redis gone and back use wn_test_redis_kill (SIGKILL now, the
 * directory stays) and wn_test_redis_restart (the same socket and port;
 * a dump.rdb written by SAVE is loaded again). wn_test_redis_stop ends
 * the server and removes the directory. A missing redis-server fails the
 * test loudly: these tests never skip.
 */
#ifndef WINNOW_TEST_REDIS_SERVER_H
#define WINNOW_TEST_REDIS_SERVER_H

#include <sys/types.h>

#include <hiredis/hiredis.h>

typedef struct wn_test_redis {
	pid_t pid;		/* 0 when not running */
	int port;		/* TCP port, 0 for the socket only */
	char dir[64];
	char sock[128];		/* DIR/redis.sock */
	char url[200];		/* redis+unix://DIR/redis.sock */
	char tcp_url[64];	/* redis://127.0.0.1:PORT when port != 0 */
	const char *const *extra;	/* more redis-server arguments */
} wn_test_redis;

/* wn_test_redis_start - start a server; extra (NULL-terminated, may be
 * NULL) is appended to its arguments; tcp asks for a TCP port too.
 * Returns the socket path. */
const char *wn_test_redis_start(wn_test_redis *r, int tcp,
    const char *const *extra);

/* wn_test_redis_stop - SIGTERM, wait, remove the directory */
void wn_test_redis_stop(wn_test_redis *r);

/* wn_test_redis_kill - SIGKILL and wait; the directory stays */
void wn_test_redis_kill(wn_test_redis *r);

/* wn_test_redis_restart - start again on the same socket and port */
void wn_test_redis_restart(wn_test_redis *r);

/* wn_test_redis_command - run one command on a new connection (no
 * password support: for servers started without requirepass); the
 * reply is the caller's to freeReplyObject */
redisReply *wn_test_redis_command(const wn_test_redis *r, const char *fmt,
    ...);

#endif
