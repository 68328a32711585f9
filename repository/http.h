/*
 * http.h - the repository's HTTP server (libmicrohttpd), reduced to one
 * call per complete request: the server receives the body (refusing one
 * over the limit with 413 as soon as it is known to be too big; the
 * limit is max_body, or what body_limit says for that method and path),
 * calls the handler with the request, sends the reply and logs one
 * access line (method, path, status, milliseconds; never a body). A reply
 * is not cached (Cache-Control: no-store) unless the handler says
 * otherwise; a 304 goes without body and Content-Type.
 *
 * Lifecycle: wn_http_start -> requests are served by a pool of threads
 * -> wn_http_stop waits for the requests in progress. The handler runs
 * on those threads concurrently and must be thread-safe. With tls_cert
 * and tls_key the server speaks only HTTPS.
 */
#ifndef WINNOW_REPOSITORY_HTTP_H
#define WINNOW_REPOSITORY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/buf.h>

#define WN_HTTP_DEFAULT_MAX_BODY ((size_t)1 << 20)
#define WN_HTTP_DEFAULT_THREADS 4

typedef struct wn_http_request {
	const char *method;		/* "GET", "HEAD", "POST", ... */
	const char *path;		/* without the query */
	const char *content_type;	/* NULL when absent */
	const char *if_none_match;	/* the header, NULL when absent */
	const char *body;
	size_t body_len;
	/* the query parameter name, or NULL when absent */
	const char *(*arg)(void *ctx, const char *name);
	void *arg_ctx;
} wn_http_request;

typedef struct wn_http_reply {
	int status;
	const char *content_type;	/* static string */
	const char *allow;		/* Allow header for 405, or NULL */
	char etag[72];			/* ETag, quotes included; "" none */
	const char *cache_control;	/* static string; NULL: no-store */
	wn_buf body;
} wn_http_reply;

typedef void (*wn_http_handler)(void *app, const wn_http_request *req,
    wn_http_reply *rep);

/* the body limit of a request, from its method and path before its body
 * is read; 0 means max_body */
typedef size_t (*wn_http_limit_fn)(void *app, const char *method,
    const char *path);

typedef struct wn_http_opts {
	const char *listen;		/* "HOST:PORT", "[V6]:PORT"; 0 any */
	const char *tls_cert;		/* PEM files, both or neither */
	const char *tls_key;
	size_t max_body;		/* 0: WN_HTTP_DEFAULT_MAX_BODY */
	unsigned threads;		/* 0: WN_HTTP_DEFAULT_THREADS */
	wn_http_handler handler;
	wn_http_limit_fn body_limit;	/* NULL: max_body for every request */
	void *app;
} wn_http_opts;

typedef struct wn_http_server wn_http_server;

/*
 * wn_http_start - listen and serve. Returns 0, WN_EINVAL (bad listen
 * address), WN_EIO (cannot read a TLS file, cannot listen), WN_ENOMEM;
 * every failure is logged naming the address or file.
 */
int wn_http_start(const wn_http_opts *o, wn_http_server **out);

/* wn_http_port - the port listened on (the chosen one for port 0) */
uint16_t wn_http_port(const wn_http_server *s);

/* wn_http_stop - stop listening, finish, free; *sp becomes NULL */
void wn_http_stop(wn_http_server **sp);

/* wn_http_error - a JSON error reply: {"error": message} */
void wn_http_error(wn_http_reply *rep, int status, const char *message);

/*
 * wn_http_etag_match - whether an If-None-Match header value names etag
 * (quoted): "*", or one of its comma-separated entity tags, weak ones
 * (W/"...") compared by their text as RFC 9110 asks for If-None-Match.
 * false for a NULL header.
 */
bool wn_http_etag_match(const char *if_none_match, const char *etag);

#endif
