/*
 * redis_conn.c - Redis URLs, connections and the per-handle connection
 * pool shared by the Redis token store and the Redis bulk store.
 *
 * redis_int.h has the contract. Notes on what is not obvious:
 *
 * - hiredis writes with write(2), so a peer that went away raises
 *   SIGPIPE, whose default action ends the process. A library must not
 *   change the process's dispositions, so every exchange runs with
 *   SIGPIPE blocked in the calling thread, and a SIGPIPE it caused is
 *   taken off the pending set before the mask is restored.
 * - A connection that sat idle in the pool may have been closed by Redis
 *   (its `timeout` setting, a restart). When the first exchange after
 *   taking such a connection finds the connection closed or reset, the
 *   command cannot have run, so it is sent once more on a new connection
 *   and the other idle connections are dropped. A timeout is never
 *   retried: the command may be running.
 * - Connecting happens outside the pool lock but one at a time, so a
 *   Redis that went away sees one attempt a second, not one per thread.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/log.h>
#include <winnow/str.h>

#include "redis_int.h"

struct wn__redis {
	wn__redis_url url;
	char where[300];	/* HOST:PORT or socket path */
	char *error;		/* the owner's error buffer */
	size_t errorlen;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* a connection came back or a connect ended */
	wn__redis_conn *idle;
	unsigned nconn;		/* open connections, idle or in use */
	bool connecting;	/* one thread is connecting */
	bool down;		/* the last connect attempt failed */
	bool ever_up;		/* for logging transitions, not the open */
	int64_t next_try;	/* monotonic ms of the next allowed attempt */
	int down_code;		/* WN_E* of the last failed attempt */
	char down_why[200];	/* and its reason */
};

static int64_t
wn_redis_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- URLs ----------------------------------------------------------- */

/* Percent-decode s[0..n) into out (NUL-terminated). */
static int
wn_redis_decode(char *out, size_t outlen, const char *s, size_t n,
    const char *what, char *err, size_t errlen)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n) {
				snprintf(err, errlen, "bad %%-escape in the %s",
				    what);
				return WN_EINVAL;
			}
			hi = wn_hex_value((unsigned char)s[i + 1]);
			lo = wn_hex_value((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				snprintf(err, errlen, "bad %%-escape in the %s",
				    what);
				return WN_EINVAL;
			}
			c = hi << 4 | lo;
			i += 2;
		}
		if (o + 1 >= outlen) {
			snprintf(err, errlen, "the %s is too long (at most "
			    "%zu bytes)", what, outlen - 1);
			return WN_EINVAL;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* s[0..n) as a decimal number in [min, max]. */
static int
wn_redis_number(const char *s, size_t n, long min, long max, long *v)
{
	long x = 0;
	size_t i;

	if (n == 0 || n > 10)
		return WN_EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return WN_EINVAL;
		x = x * 10 + (s[i] - '0');
	}
	if (x < min || x > max)
		return WN_EINVAL;
	*v = x;
	return 0;
}

static int
wn_redis_userinfo(wn__redis_url *u, const char *s, size_t n, char *err,
    size_t errlen)
{
	const char *colon = memchr(s, ':', n);
	int rc;

	if (colon == NULL) {
		snprintf(err, errlen, "credentials must be :PASSWORD@ or "
		    "USER:PASSWORD@");
		return WN_EINVAL;
	}
	if ((rc = wn_redis_decode(u->user, sizeof(u->user), s,
	    (size_t)(colon - s), "user name", err, errlen)) != 0 ||
	    (rc = wn_redis_decode(u->password, sizeof(u->password), colon + 1,
	    n - (size_t)(colon - s) - 1, "password", err, errlen)) != 0)
		return rc;
	u->has_password = true;
	return 0;
}

static int
wn_redis_hostport(wn__redis_url *u, const char *s, size_t n, char *err,
    size_t errlen)
{
	const char *end = s + n, *hend, *port = NULL;
	long v;

	if (n > 0 && s[0] == '[') {
		/* [IPv6]:PORT */
		if ((hend = memchr(s, ']', n)) == NULL) {
			snprintf(err, errlen, "missing ']' after the IPv6 "
			    "address");
			return WN_EINVAL;
		}
		s++;
		if (hend + 1 < end) {
			if (hend[1] != ':') {
				snprintf(err, errlen, "unexpected text after "
				    "the IPv6 address");
				return WN_EINVAL;
			}
			port = hend + 2;
		}
	} else {
		hend = memchr(s, ':', n);
		if (hend == NULL)
			hend = end;
		else {
			port = hend + 1;
			if (memchr(port, ':', (size_t)(end - port)) != NULL) {
				snprintf(err, errlen, "an IPv6 address goes in "
				    "brackets: redis://[ADDRESS]:PORT");
				return WN_EINVAL;
			}
		}
	}
	if (hend == s) {
		snprintf(err, errlen, "no host name");
		return WN_EINVAL;
	}
	if ((size_t)(hend - s) >= sizeof(u->host)) {
		snprintf(err, errlen, "host name too long");
		return WN_EINVAL;
	}
	if (memchr(s, '%', (size_t)(hend - s)) != NULL) {
		snprintf(err, errlen, "bad character in the host name");
		return WN_EINVAL;
	}
	memcpy(u->host, s, (size_t)(hend - s));
	u->host[hend - s] = '\0';
	if (port != NULL) {
		if (wn_redis_number(port, (size_t)(end - port), 1, 65535,
		    &v) != 0) {
			snprintf(err, errlen, "port must be a number from 1 "
			    "to 65535");
			return WN_EINVAL;
		}
		u->port = (int)v;
	}
	return 0;
}

static int
wn_redis_query(wn__redis_url *u, const char *q, bool db_given, char *err,
    size_t errlen)
{
	bool seen_prefix = false, seen_timeout = false;
	long v;
	int rc;

	while (*q != '\0') {
		const char *amp = strchr(q, '&'), *eq;
		size_t len = amp ? (size_t)(amp - q) : strlen(q);
		size_t nlen;

		if (len == 0) {
			q++;
			continue;
		}
		if ((eq = memchr(q, '=', len)) == NULL) {
			snprintf(err, errlen, "parameter '%.*s' has no value",
			    (int)(len > 40 ? 40 : len), q);
			return WN_EINVAL;
		}
		nlen = (size_t)(eq - q);
		eq++;
		if (nlen == 6 && memcmp(q, "prefix", 6) == 0) {
			if (seen_prefix)
				goto twice;
			seen_prefix = true;
			if ((rc = wn_redis_decode(u->prefix, sizeof(u->prefix),
			    eq, len - 7, "prefix", err, errlen)) != 0)
				return rc;
		} else if (nlen == 7 && memcmp(q, "timeout", 7) == 0) {
			if (seen_timeout)
				goto twice;
			seen_timeout = true;
			if (wn_redis_number(eq, len - 8, 1,
			    WN__REDIS_MAX_TIMEOUT, &v) != 0) {
				snprintf(err, errlen, "timeout must be a "
				    "number of milliseconds from 1 to %d",
				    WN__REDIS_MAX_TIMEOUT);
				return WN_EINVAL;
			}
			u->timeout_ms = (unsigned)v;
		} else if (nlen == 2 && memcmp(q, "db", 2) == 0) {
			if (db_given)
				goto twice;
			db_given = true;
			if (wn_redis_number(eq, len - 3, 0, INT_MAX, &v) != 0) {
				snprintf(err, errlen, "db must be a database "
				    "number");
				return WN_EINVAL;
			}
			u->db = (int)v;
		} else {
			snprintf(err, errlen, "unknown parameter '%.*s' "
			    "(known: db, prefix, timeout)",
			    (int)(nlen > 40 ? 40 : nlen), q);
			return WN_EINVAL;
		}
		q += len;
		continue;
twice:
		snprintf(err, errlen, "%s given twice", nlen == 2 ?
		    "the database" : nlen == 6 ? "prefix" : "timeout");
		return WN_EINVAL;
	}
	return 0;
}

int
wn__redis_url_parse(const char *url, wn__redis_url *u, char *err,
    size_t errlen)
{
	const char *p, *q, *slash, *at;
	size_t blen;
	bool unix_sock, db_given = false;
	long v;
	int rc;

	memset(u, 0, sizeof(*u));
	u->port = WN__REDIS_DEFAULT_PORT;
	u->timeout_ms = WN__REDIS_DEFAULT_TIMEOUT;
	snprintf(u->prefix, sizeof(u->prefix), "%s", WN__REDIS_DEFAULT_PREFIX);
	if (url == NULL) {
		snprintf(err, errlen, "no Redis URL");
		return WN_EINVAL;
	}
	if (strncmp(url, "redis://", 8) == 0) {
		unix_sock = false;
		p = url + 8;
	} else if (strncmp(url, "redis+unix://", 13) == 0) {
		unix_sock = true;
		p = url + 13;
	} else {
		snprintf(err, errlen, "not a Redis URL (redis://HOST[:PORT]"
		    "[/DB] or redis+unix:///PATH)");
		return WN_EINVAL;
	}
	for (q = p; *q != '\0'; q++)
		if ((unsigned char)*q <= ' ' || *q == '#' || *q == 0x7f) {
			snprintf(err, errlen, "the URL holds a space, a "
			    "control character or '#'");
			return WN_EINVAL;
		}
	q = strchr(p, '?');
	blen = q ? (size_t)(q - p) : strlen(p);
	slash = memchr(p, '/', blen);

	if (unix_sock) {
		if (slash == NULL) {
			snprintf(err, errlen, "no socket path: "
			    "redis+unix:///PATH/TO/SOCKET");
			return WN_EINVAL;
		}
		if (slash != p) {
			/* credentials end with the '@' before the path */
			if (slash[-1] != '@') {
				snprintf(err, errlen, "the socket path must be "
				    "absolute: redis+unix:///PATH/TO/SOCKET");
				return WN_EINVAL;
			}
			if ((rc = wn_redis_userinfo(u, p,
			    (size_t)(slash - 1 - p), err, errlen)) != 0)
				return rc;
		}
		if ((rc = wn_redis_decode(u->path, sizeof(u->path), slash,
		    blen - (size_t)(slash - p), "socket path", err,
		    errlen)) != 0)
			return rc;
		if (strcmp(u->path, "/") == 0) {
			snprintf(err, errlen, "no socket path");
			return WN_EINVAL;
		}
	} else {
		size_t alen = slash ? (size_t)(slash - p) : blen;
		const char *hp = p;

		/* the last '@' ends the credentials */
		for (at = p + alen; at > p && at[-1] != '@'; at--)
			;
		if (at > p) {
			if ((rc = wn_redis_userinfo(u, p, (size_t)(at - 1 - p),
			    err, errlen)) != 0)
				return rc;
			hp = at;
		}
		if ((rc = wn_redis_hostport(u, hp, (size_t)(p + alen - hp),
		    err, errlen)) != 0)
			return rc;
		if (slash != NULL && blen > alen + 1) {
			if (wn_redis_number(slash + 1, blen - alen - 1, 0,
			    INT_MAX, &v) != 0) {
				snprintf(err, errlen, "the database after '/' "
				    "must be a number");
				return WN_EINVAL;
			}
			u->db = (int)v;
			db_given = true;
		}
	}
	if (q != NULL && (rc = wn_redis_query(u, q + 1, db_given, err,
	    errlen)) != 0)
		return rc;
	return 0;
}

/* --- one connection --------------------------------------------------- */

/* Block SIGPIPE in this thread around an exchange (see the top). */
typedef struct wn_redis_sigpipe {
	sigset_t old;
	bool pending;		/* already pending before: not ours to take */
} wn_redis_sigpipe;

static void
wn_redis_sigpipe_block(wn_redis_sigpipe *sp)
{
	sigset_t set, pend;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &sp->old);
	sp->pending = sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE);
}

static void
wn_redis_sigpipe_restore(const wn_redis_sigpipe *sp)
{
	sigset_t set, pend;
	struct timespec zero = { 0, 0 };
	int saved = errno;

	if (!sp->pending && sigpending(&pend) == 0 &&
	    sigismember(&pend, SIGPIPE)) {
		sigemptyset(&set);
		sigaddset(&set, SIGPIPE);
		while (sigtimedwait(&set, NULL, &zero) == -1 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &sp->old, NULL);
	errno = saved;
}

/* Did ctx fail with the system error e? hiredis keeps only the text. */
static bool
wn_redis_ctx_errno(const redisContext *ctx, int e)
{
	return ctx->err == REDIS_ERR_IO &&
	    strcmp(ctx->errstr, strerror(e)) == 0;
}

/* Why a context failed, in words for the operator. */
static void
wn_redis_ctx_why(const redisContext *ctx, unsigned timeout_ms, char *why,
    size_t whylen)
{
	if (wn_redis_ctx_errno(ctx, EAGAIN) ||
	    wn_redis_ctx_errno(ctx, EWOULDBLOCK) ||
	    wn_redis_ctx_errno(ctx, ETIMEDOUT) ||
	    wn_redis_ctx_errno(ctx, EINPROGRESS))
		snprintf(why, whylen, "no answer within %u ms", timeout_ms);
	else if (ctx->err == REDIS_ERR_EOF)
		snprintf(why, whylen, "connection closed by Redis");
	else
		snprintf(why, whylen, "%s", ctx->errstr[0] ? ctx->errstr :
		    "connection failed");
}

/*
 * Send cmds and read their replies. Returns 0, or -1 with the reason in
 * why and *closed set when the peer closed or reset the connection (the
 * commands were then not run).
 */
static int
wn_redis_exchange(redisContext *ctx, unsigned timeout_ms,
    const wn__redis_cmd *cmds, size_t n, redisReply **replies, char *why,
    size_t whylen, bool *closed)
{
	wn_redis_sigpipe sp;
	size_t i, got = 0;

	*closed = false;
	for (i = 0; i < n; i++)
		if (redisAppendCommandArgv(ctx, cmds[i].argc, cmds[i].argv,
		    cmds[i].argvlen) != REDIS_OK) {
			wn_redis_ctx_why(ctx, timeout_ms, why, whylen);
			return -1;
		}
	wn_redis_sigpipe_block(&sp);
	for (got = 0; got < n; got++) {
		void *rep = NULL;

		if (redisGetReply(ctx, &rep) != REDIS_OK || rep == NULL)
			break;
		replies[got] = rep;
	}
	wn_redis_sigpipe_restore(&sp);
	if (got == n)
		return 0;
	wn_redis_ctx_why(ctx, timeout_ms, why, whylen);
	*closed = got == 0 && (ctx->err == REDIS_ERR_EOF ||
	    wn_redis_ctx_errno(ctx, ECONNRESET) ||
	    wn_redis_ctx_errno(ctx, EPIPE));
	for (i = 0; i < got; i++)
		freeReplyObject(replies[i]);
	return -1;
}

/*
 * Connect and say hello (AUTH, SELECT, PING). Returns 0 with *ctx_out,
 * or WN_ETEMP / WN_EINVAL / WN_ENOMEM with the reason in why.
 */
static int
wn_redis_dial(const wn__redis_url *u, redisContext **ctx_out, char *why,
    size_t whylen)
{
	struct timeval tv;
	redisContext *ctx;
	wn__redis_cmd cmds[3];
	redisReply *replies[3];
	const char *auth[3], *sel[2], *ping[1] = { "PING" };
	size_t authlen[3], sellen[2], pinglen[1] = { 4 };
	char dbs[16];
	size_t n = 0, i;
	bool closed;
	int rc = 0;

	*ctx_out = NULL;
	tv.tv_sec = u->timeout_ms / 1000;
	tv.tv_usec = (suseconds_t)(u->timeout_ms % 1000) * 1000;
	if (u->path[0] != '\0')
		ctx = redisConnectUnixWithTimeout(u->path, tv);
	else
		ctx = redisConnectWithTimeout(u->host, u->port, tv);
	if (ctx == NULL) {
		snprintf(why, whylen, "out of memory");
		return WN_ENOMEM;
	}
	if (ctx->err != 0) {
		wn_redis_ctx_why(ctx, u->timeout_ms, why, whylen);
		redisFree(ctx);
		return WN_ETEMP;
	}
	if (redisSetTimeout(ctx, tv) != REDIS_OK) {
		wn_redis_ctx_why(ctx, u->timeout_ms, why, whylen);
		redisFree(ctx);
		return WN_ETEMP;
	}
	if (u->path[0] == '\0')
		(void)redisEnableKeepAlive(ctx);

	if (u->has_password) {
		cmds[n].argc = 0;
		auth[cmds[n].argc] = "AUTH";
		authlen[cmds[n].argc++] = 4;
		if (u->user[0] != '\0') {
			auth[cmds[n].argc] = u->user;
			authlen[cmds[n].argc++] = strlen(u->user);
		}
		auth[cmds[n].argc] = u->password;
		authlen[cmds[n].argc++] = strlen(u->password);
		cmds[n].argv = auth;
		cmds[n].argvlen = authlen;
		n++;
	}
	if (u->db != 0) {
		snprintf(dbs, sizeof(dbs), "%d", u->db);
		sel[0] = "SELECT";
		sellen[0] = 6;
		sel[1] = dbs;
		sellen[1] = strlen(dbs);
		cmds[n].argc = 2;
		cmds[n].argv = sel;
		cmds[n].argvlen = sellen;
		n++;
	}
	cmds[n].argc = 1;
	cmds[n].argv = ping;
	cmds[n].argvlen = pinglen;
	n++;
	if (wn_redis_exchange(ctx, u->timeout_ms, cmds, n, replies, why,
	    whylen, &closed) != 0) {
		redisFree(ctx);
		return WN_ETEMP;
	}
	for (i = 0; i < n; i++) {
		if (rc == 0 && replies[i]->type == REDIS_REPLY_ERROR) {
			const char *what = cmds[i].argv[0];

			snprintf(why, whylen, "%s: %.*s", what,
			    (int)(replies[i]->len > 150 ? 150 :
			    replies[i]->len), replies[i]->str);
			/* a wrong password or database is the URL's fault;
			 * a Redis still loading its data will pass */
			rc = strncmp(replies[i]->str, "LOADING", 7) == 0 ||
			    strncmp(replies[i]->str, "BUSY", 4) == 0 ?
			    WN_ETEMP : WN_EINVAL;
		}
		freeReplyObject(replies[i]);
	}
	if (rc != 0) {
		redisFree(ctx);
		return rc;
	}
	*ctx_out = ctx;
	return 0;
}

static void
wn_redis_conn_free(wn__redis_conn *c)
{
	if (c == NULL)
		return;
	if (c->ctx != NULL)
		redisFree(c->ctx);
	wn_free(c->argv);
	wn_free(c->argvlen);
	wn_free(c->buf);
	wn_free(c);
}

int
wn__redis_scratch(wn__redis_conn *c, size_t argc, size_t bytes)
{
	if (argc > c->argcap) {
		size_t cap = argc < 64 ? 64 : argc + argc / 2;
		const char **av;
		size_t *al;

		if ((av = wn_realloc(c->argv, cap * sizeof(*av))) == NULL)
			return WN_ENOMEM;
		c->argv = av;
		if ((al = wn_realloc(c->argvlen, cap * sizeof(*al))) == NULL)
			return WN_ENOMEM;
		c->argvlen = al;
		c->argcap = cap;
	}
	if (bytes > c->bufcap) {
		size_t cap = bytes < 4096 ? 4096 : bytes + bytes / 2;
		char *b;

		if ((b = wn_realloc(c->buf, cap)) == NULL)
			return WN_ENOMEM;
		c->buf = b;
		c->bufcap = cap;
	}
	return 0;
}

/* --- the pool --------------------------------------------------------- */

static void wn_redis_vseterr(wn__redis *r, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
wn_redis_vseterr(wn__redis *r, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	pthread_mutex_lock(&r->lock);
	snprintf(r->error, r->errorlen, "Redis at %s: %s", r->where, msg);
	pthread_mutex_unlock(&r->lock);
}

int
wn__redis_fail(wn__redis *r, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wn_redis_vseterr(r, fmt, ap);
	va_end(ap);
	return code;
}

/* Record the outcome of a connect attempt; lock held. */
static void
wn_redis_note_dial(wn__redis *r, int rc, const char *why)
{
	if (rc == 0) {
		if (r->down && r->ever_up)
			wn_log_notice("Redis at %s: connected again",
			    r->where);
		r->down = false;
		r->ever_up = true;
		return;
	}
	if (!r->down && r->ever_up)
		wn_log_warn("Redis at %s: cannot connect (%s); retrying at "
		    "most once a second", r->where, why);
	r->down = true;
	r->next_try = wn_redis_now_ms() + WN__REDIS_RETRY_MS;
	r->down_code = rc;
	snprintf(r->down_why, sizeof(r->down_why), "%s", why);
	snprintf(r->error, r->errorlen, "Redis at %s: %s", r->where, why);
}

/* Take every idle connection off the pool; lock held. */
static wn__redis_conn *
wn_redis_take_idle(wn__redis *r)
{
	wn__redis_conn *list = r->idle, *c;

	for (c = list; c != NULL; c = c->next)
		r->nconn--;
	r->idle = NULL;
	return list;
}

static void
wn_redis_free_list(wn__redis_conn *list)
{
	while (list != NULL) {
		wn__redis_conn *next = list->next;

		wn_redis_conn_free(list);
		list = next;
	}
}

int
wn__redis_acquire(wn__redis *r, wn__redis_conn **c_out)
{
	wn__redis_conn *c;
	redisContext *ctx;
	char why[200];
	int rc;

	*c_out = NULL;
	pthread_mutex_lock(&r->lock);
	for (;;) {
		if (r->idle != NULL) {
			c = r->idle;
			r->idle = c->next;
			c->next = NULL;
			pthread_mutex_unlock(&r->lock);
			/* it may have died while idle: see the top */
			c->broken = false;
			c->from_idle = true;
			*c_out = c;
			return 0;
		}
		if (r->down && wn_redis_now_ms() < r->next_try) {
			rc = r->down_code;
			snprintf(r->error, r->errorlen, "Redis at %s: %s",
			    r->where, r->down_why);
			pthread_mutex_unlock(&r->lock);
			return rc;
		}
		if (!r->connecting && r->nconn < WN__REDIS_POOL_MAX)
			break;
		pthread_cond_wait(&r->cond, &r->lock);
	}
	r->connecting = true;
	r->nconn++;
	pthread_mutex_unlock(&r->lock);

	c = wn_calloc(1, sizeof(*c));
	if (c == NULL) {
		rc = WN_ENOMEM;
		snprintf(why, sizeof(why), "out of memory");
	} else
		rc = wn_redis_dial(&r->url, &ctx, why, sizeof(why));

	pthread_mutex_lock(&r->lock);
	r->connecting = false;
	if (rc == 0)
		c->ctx = ctx;
	else
		r->nconn--;
	if (rc != WN_ENOMEM)
		wn_redis_note_dial(r, rc == WN_EINVAL ? WN_ETEMP : rc, why);
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	if (rc != 0) {
		wn_free(c);
		/* a password or database refused now is still the
		 * operator's to fix, but mail must wait, not fail */
		return rc == WN_EINVAL ? WN_ETEMP : rc;
	}
	*c_out = c;
	return 0;
}

void
wn__redis_release(wn__redis *r, wn__redis_conn *c)
{
	wn__redis_conn *drop = NULL;

	if (c == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	if (c->broken || c->ctx == NULL || c->ctx->err != 0) {
		/* its siblings most likely died with it */
		drop = wn_redis_take_idle(r);
		r->nconn--;
		c->next = drop;
		drop = c;
	} else {
		c->next = r->idle;
		r->idle = c;
	}
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	wn_redis_free_list(drop);
}

int
wn__redis_run(wn__redis *r, wn__redis_conn *c, const wn__redis_cmd *cmds,
    size_t n, redisReply **replies)
{
	char why[200];
	bool closed, retry;
	redisContext *ctx;
	wn__redis_conn *drop;
	int rc;

	if (c->broken || c->ctx == NULL)
		return wn__redis_fail(r, WN_ETEMP, "connection lost");
	retry = c->from_idle;
	c->from_idle = false;
	if (wn_redis_exchange(c->ctx, r->url.timeout_ms, cmds, n, replies,
	    why, sizeof(why), &closed) == 0)
		return 0;
	if (closed && retry) {
		pthread_mutex_lock(&r->lock);
		retry = !r->down || wn_redis_now_ms() >= r->next_try;
		pthread_mutex_unlock(&r->lock);
	}
	if (closed && retry) {
		/* Closed before anything ran: a stale connection. Try once
		 * more on a new one, and drop its idle siblings. */
		pthread_mutex_lock(&r->lock);
		drop = wn_redis_take_idle(r);
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->lock);
		wn_redis_free_list(drop);
		redisFree(c->ctx);
		c->ctx = NULL;
		rc = wn_redis_dial(&r->url, &ctx, why, sizeof(why));
		pthread_mutex_lock(&r->lock);
		if (rc != WN_ENOMEM)
			wn_redis_note_dial(r, rc == WN_EINVAL ? WN_ETEMP : rc,
			    why);
		pthread_mutex_unlock(&r->lock);
		if (rc == 0) {
			c->ctx = ctx;
			if (wn_redis_exchange(c->ctx, r->url.timeout_ms, cmds,
			    n, replies, why, sizeof(why), &closed) == 0)
				return 0;
		}
	}
	c->broken = true;
	return wn__redis_fail(r, WN_ETEMP, "%s", why);
}

int
wn__redis_run1(wn__redis *r, wn__redis_conn *c, int argc, const char **argv,
    const size_t *argvlen, redisReply **reply_out)
{
	wn__redis_cmd cmd = { argc, argv, argvlen };

	return wn__redis_run(r, c, &cmd, 1, reply_out);
}

int
wn__redis_reply_check(wn__redis *r, const redisReply *rep, const char *what)
{
	static const char *const passing[] = { "LOADING", "BUSY", "TRYAGAIN",
	    "MASTERDOWN", "READONLY", "OOM", "CLUSTERDOWN", "NOREPLICAS",
	    "EXECABORT", NULL };
	size_t i;
	int code = WN_EIO;

	if (rep->type != REDIS_REPLY_ERROR)
		return 0;
	for (i = 0; passing[i] != NULL; i++)
		if (strncmp(rep->str, passing[i], strlen(passing[i])) == 0)
			code = WN_ETEMP;
	if (strncmp(rep->str, "WRONGTYPE", 9) == 0)
		code = WN_EFORMAT;
	return wn__redis_fail(r, code, "%s: %.*s", what,
	    (int)(rep->len > 160 ? 160 : rep->len), rep->str);
}

int
wn__redis_script_load(wn__redis *r, wn__redis_conn *c, wn__redis_script *s)
{
	const char *argv[3] = { "SCRIPT", "LOAD", s->body };
	size_t argvlen[3] = { 6, 4, strlen(s->body) };
	redisReply *rep;
	int rc;

	if ((rc = wn__redis_run1(r, c, 3, argv, argvlen, &rep)) != 0)
		return rc;
	if ((rc = wn__redis_reply_check(r, rep, "SCRIPT LOAD")) == 0) {
		if (rep->type != REDIS_REPLY_STRING || rep->len != 40)
			rc = wn__redis_fail(r, WN_EIO, "SCRIPT LOAD: "
			    "unexpected reply");
		else
			memcpy(s->sha, rep->str, 41);
	}
	freeReplyObject(rep);
	return rc;
}

int
wn__redis_eval(wn__redis *r, wn__redis_conn *c, const wn__redis_script *s,
    int nkeys, int argc, const char **argv, size_t *argvlen,
    redisReply **reply_out)
{
	char nk[16];
	redisReply *rep;
	int rc;

	snprintf(nk, sizeof(nk), "%d", nkeys);
	argv[0] = "EVALSHA";
	argvlen[0] = 7;
	argv[1] = s->sha;
	argvlen[1] = strlen(s->sha);
	argv[2] = nk;
	argvlen[2] = strlen(nk);
	if (s->sha[0] != '\0') {
		if ((rc = wn__redis_run1(r, c, argc, argv, argvlen, &rep)) != 0)
			return rc;
		if (rep->type != REDIS_REPLY_ERROR ||
		    strncmp(rep->str, "NOSCRIPT", 8) != 0) {
			*reply_out = rep;
			return 0;
		}
		freeReplyObject(rep);
	}
	/* Redis restarted or its script cache was flushed: EVAL caches
	 * the script again. */
	argv[0] = "EVAL";
	argvlen[0] = 4;
	argv[1] = s->body;
	argvlen[1] = strlen(s->body);
	return wn__redis_run1(r, c, argc, argv, argvlen, reply_out);
}

int
wn__redis_open(const char *url, char *error, size_t errorlen,
    wn__redis **r_out, char *err, size_t errlen)
{
	wn__redis *r;
	wn__redis_conn *c;
	int rc;

	*r_out = NULL;
	if ((r = wn_calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return WN_ENOMEM;
	}
	if ((rc = wn__redis_url_parse(url, &r->url, err, errlen)) != 0) {
		wn_free(r);
		return rc;
	}
	if (r->url.path[0] != '\0')
		snprintf(r->where, sizeof(r->where), "%s", r->url.path);
	else if (strchr(r->url.host, ':') != NULL)
		snprintf(r->where, sizeof(r->where), "[%s]:%d", r->url.host,
		    r->url.port);
	else
		snprintf(r->where, sizeof(r->where), "%s:%d", r->url.host,
		    r->url.port);
	r->error = error;
	r->errorlen = errorlen;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	c = wn_calloc(1, sizeof(*c));
	if (c == NULL)
		rc = WN_ENOMEM;
	else
		rc = wn_redis_dial(&r->url, &c->ctx, err, errlen);
	if (rc != 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s", rc == WN_ENOMEM ?
		    "out of memory" : err);
		snprintf(err, errlen, "Redis at %s: %s", r->where, why);
		wn_free(c);
		wn__redis_close(&r);
		return rc;
	}
	r->nconn = 1;
	r->idle = c;
	r->ever_up = true;
	*r_out = r;
	return 0;
}

void
wn__redis_close(wn__redis **rp)
{
	wn__redis *r;

	if (rp == NULL || (r = *rp) == NULL)
		return;
	wn_redis_free_list(r->idle);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	wn_free(r);
	*rp = NULL;
}

const wn__redis_url *
wn__redis_url_of(const wn__redis *r)
{
	return &r->url;
}

const char *
wn__redis_where(const wn__redis *r)
{
	return r->where;
}

void
wn__redis_hex(char *out, const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
}

int
wn__redis_glob_escape(char *out, size_t outlen, const char *s)
{
	size_t o = 0;

	for (; *s != '\0'; s++) {
		if (strchr("*?[]\\", *s) != NULL) {
			if (o + 1 >= outlen)
				return WN_ELIMIT;
			out[o++] = '\\';
		}
		if (o + 1 >= outlen)
			return WN_ELIMIT;
		out[o++] = *s;
	}
	if (o >= outlen)
		return WN_ELIMIT;
	out[o] = '\0';
	return 0;
}

int
wn__redis_scan(wn__redis *r, wn__redis_conn *c, const char *prefix,
    const char *suffix, const char *count, const char *what,
    int (*fn)(void *arg, redisReply *const *keys, size_t n), void *arg)
{
	char cursor[32] = "0", pattern[300];
	const char *argv[6];
	size_t argvlen[6], i, slen = strlen(suffix);
	redisReply *rep;
	int rc = 0;

	if (slen >= sizeof(pattern) || wn__redis_glob_escape(pattern,
	    sizeof(pattern) - slen, prefix) != 0)
		return wn__redis_fail(r, WN_EINVAL, "prefix too long");
	strcat(pattern, suffix);
	do {
		argv[0] = "SCAN";
		argv[1] = cursor;
		argv[2] = "MATCH";
		argv[3] = pattern;
		argv[4] = "COUNT";
		argv[5] = count;
		for (i = 0; i < 6; i++)
			argvlen[i] = strlen(argv[i]);
		if ((rc = wn__redis_run1(r, c, 6, argv, argvlen, &rep)) != 0)
			break;
		if ((rc = wn__redis_reply_check(r, rep, what)) == 0 &&
		    (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
		    rep->element[0]->type != REDIS_REPLY_STRING ||
		    rep->element[0]->len >= sizeof(cursor) ||
		    rep->element[1]->type != REDIS_REPLY_ARRAY))
			rc = wn__redis_fail(r, WN_EIO, "%s: unexpected SCAN "
			    "reply", what);
		if (rc == 0) {
			memcpy(cursor, rep->element[0]->str,
			    rep->element[0]->len);
			cursor[rep->element[0]->len] = '\0';
			if (rep->element[1]->elements > 0)
				rc = fn(arg, rep->element[1]->element,
				    rep->element[1]->elements);
		}
		freeReplyObject(rep);
	} while (rc == 0 && strcmp(cursor, "0") != 0);
	return rc;
}
