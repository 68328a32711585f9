/*
 * redis_int.h - the Redis connection shared by the Redis token store
 * (store_redis.c) and the Redis bulk store (bulk_redis.c).
 *
 * wn__redis_open parses a URL (store.h documents the syntax), connects
 * once to prove that Redis answers, and returns a pool. A store handle
 * owns one pool; every thread that uses the handle takes a connection
 * with wn__redis_acquire, runs commands on it and gives it back with
 * wn__redis_release. The pool opens connections on demand up to
 * WN__REDIS_POOL_MAX and makes callers wait beyond that.
 *
 * Failure: a command that fails on the wire (refused, reset, timed out)
 * marks its connection broken; release then closes it and every idle
 * one, since they most likely died with it. The next acquire connects
 * anew. While connecting fails, further attempts are made at most once a
 * second (WN__REDIS_RETRY_MS) and calls in between fail at once with
 * WN_ETEMP and the last reason, so a dead Redis is not hammered and mail
 * is not held up. Messages start with "Redis at WHERE: " (WHERE is
 * HOST:PORT or the socket path) and go to the owner's error buffer,
 * written under the pool's lock.
 */
#ifndef WINNOW_REDIS_INT_H
#define WINNOW_REDIS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#define WN__REDIS_DEFAULT_PORT		6379
#define WN__REDIS_DEFAULT_TIMEOUT	2000	/* ms per command */
#define WN__REDIS_MAX_TIMEOUT		600000
#define WN__REDIS_DEFAULT_PREFIX	"winnow:"
#define WN__REDIS_POOL_MAX		16	/* connections per handle */
#define WN__REDIS_RETRY_MS		1000	/* between connect attempts */

typedef struct wn__redis_url {
	char host[256];		/* TCP: host name or address; "" for a socket */
	int port;
	char path[108];		/* Unix socket path (sockaddr_un.sun_path) */
	char user[128];		/* Redis 6 ACL user, "" for none */
	char password[256];	/* "" for none */
	bool has_password;
	int db;
	char prefix[128];	/* key prefix */
	unsigned timeout_ms;
} wn__redis_url;

/* One connection with scratch space for building commands. */
typedef struct wn__redis_conn {
	redisContext *ctx;
	bool broken;		/* failed on the wire: close at release */
	bool from_idle;		/* first exchange since it left the pool */
	struct wn__redis_conn *next;
	const char **argv;	/* scratch argument vector */
	size_t *argvlen;
	size_t argcap;
	char *buf;		/* scratch bytes for key names */
	size_t bufcap;
} wn__redis_conn;

/* One command of a pipeline. */
typedef struct wn__redis_cmd {
	int argc;
	const char **argv;
	const size_t *argvlen;
} wn__redis_cmd;

/* A Lua script: its body and, once loaded, its SHA-1 for EVALSHA. */
typedef struct wn__redis_script {
	const char *body;
	char sha[41];
} wn__redis_script;

typedef struct wn__redis wn__redis;

/*
 * wn__redis_url_parse - split url into *u. Returns 0 or WN_EINVAL with
 * what is wrong in err.
 */
int wn__redis_url_parse(const char *url, wn__redis_url *u, char *err,
    size_t errlen);

/*
 * wn__redis_open - parse url, connect and check that Redis answers.
 * Later messages go to error[0..errorlen) (the owner's buffer, which must
 * outlive the pool). Returns 0, WN_EINVAL (bad URL, or a password or
 * database Redis refuses), WN_ETEMP (unreachable) or WN_ENOMEM, with the
 * reason in err.
 */
int wn__redis_open(const char *url, char *error, size_t errorlen,
    wn__redis **r_out, char *err, size_t errlen);

/* wn__redis_close - close every connection and free; *rp becomes NULL.
 * No connection may be in use. */
void wn__redis_close(wn__redis **rp);

const wn__redis_url *wn__redis_url_of(const wn__redis *r);

/* wn__redis_where - "HOST:PORT" or the socket path, for messages */
const char *wn__redis_where(const wn__redis *r);

/* wn__redis_acquire - a connection for this thread's use; WN_ETEMP while
 * Redis cannot be reached, WN_ENOMEM. */
int wn__redis_acquire(wn__redis *r, wn__redis_conn **c_out);

/* wn__redis_release - give c back (closed if broken); c may be NULL */
void wn__redis_release(wn__redis *r, wn__redis_conn *c);

/* wn__redis_scratch - room for argc arguments and bytes of key names in
 * c->argv, c->argvlen and c->buf. Returns 0 or WN_ENOMEM. */
int wn__redis_scratch(wn__redis_conn *c, size_t argc, size_t bytes);

/*
 * wn__redis_run - send n commands in one write and read their n replies
 * into replies[0..n) (each to be freed with freeReplyObject). Error
 * replies are replies: the caller looks at them. On a wire failure the
 * connection is marked broken, nothing is left in replies, and WN_ETEMP
 * returned with the reason in the error buffer.
 */
int wn__redis_run(wn__redis *r, wn__redis_conn *c, const wn__redis_cmd *cmds,
    size_t n, redisReply **replies);

/* wn__redis_run1 - wn__redis_run for one command given as argv */
int wn__redis_run1(wn__redis *r, wn__redis_conn *c, int argc,
    const char **argv, const size_t *argvlen, redisReply **reply_out);

/*
 * wn__redis_reply_check - 0 when rep is not an error reply; otherwise
 * record "Redis at WHERE: what: MESSAGE" and return WN_ETEMP for the
 * replies that pass (LOADING, BUSY, TRYAGAIN, MASTERDOWN, READONLY, OOM,
 * CLUSTERDOWN), WN_EFORMAT for WRONGTYPE, else WN_EIO.
 */
int wn__redis_reply_check(wn__redis *r, const redisReply *rep,
    const char *what);

/* wn__redis_fail - record "Redis at WHERE: " + the formatted text and
 * return code */
int wn__redis_fail(wn__redis *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* wn__redis_script_load - SCRIPT LOAD s->body, setting s->sha */
int wn__redis_script_load(wn__redis *r, wn__redis_conn *c,
    wn__redis_script *s);

/*
 * wn__redis_eval - run script s: argv[3..argc) hold nkeys keys and then
 * the arguments; argv[0..3) and argvlen[0..3) are filled in here. EVALSHA
 * first, EVAL when Redis has lost the script (restart, SCRIPT FLUSH).
 * The reply may be an error reply, as for wn__redis_run.
 */
int wn__redis_eval(wn__redis *r, wn__redis_conn *c,
    const wn__redis_script *s, int nkeys, int argc, const char **argv,
    size_t *argvlen, redisReply **reply_out);

/* wn__redis_hex - 2 * n lowercase hex digits of p[0..n) at out (no NUL) */
void wn__redis_hex(char *out, const void *p, size_t n);

/* wn__redis_glob_escape - s with glob characters escaped into out,
 * NUL-terminated; returns 0 or WN_ELIMIT when it does not fit */
int wn__redis_glob_escape(char *out, size_t outlen, const char *s);

/*
 * wn__redis_scan - SCAN on c the keys matching the literal prefix followed
 * by the glob suffix, count keys a step, calling fn(arg, keys, n) for
 * every step that found some (n > 0; the replies are valid for the call,
 * and fn may use c). A key may come twice (SCAN promises at least once).
 * Returns 0, the first error (what names the operation in messages), or
 * what fn returned when it was not 0.
 */
int wn__redis_scan(wn__redis *r, wn__redis_conn *c, const char *prefix,
    const char *suffix, const char *count, const char *what,
    int (*fn)(void *arg, redisReply *const *keys, size_t n), void *arg);

#endif
