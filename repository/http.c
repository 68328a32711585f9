/*
 * http.c - libmicrohttpd under the repository: listening, TLS, the body
 * limit, one handler call per request, the access log.
 *
 * libmicrohttpd calls the access handler several times per request: once
 * with the headers, once per piece of body, once more at the end. The
 * first call settles the request's limit (the handler's body_limit for
 * its method and path, else max_body), checks Content-Length against it
 * and answers 413 at once, before any body is read; pieces are appended
 * to a buffer that stops at the limit (a chunked body has no length to
 * check first, and is answered 413 when it ends); the last call runs the
 * handler. The completion callback logs the request and frees its
 * state.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/json.h>
#include <winnow/log.h>

#include "http.h"

struct wn_http_server {
	struct MHD_Daemon *mhd;
	wn_http_opts o;
	char *cert, *key;		/* PEM texts, for libmicrohttpd */
	uint16_t port;
};

/* one request in progress */
typedef struct wn_http_conn {
	wn_buf body;
	struct timespec start;
	int status;
	char method[8];
	char path[128];
	int too_big;
	size_t limit;			/* of the body, in bytes */
	size_t discarded;		/* body bytes past the limit */
} wn_http_conn;

void
wn_http_error(wn_http_reply *rep, int status, const char *message)
{
	wn_json j;

	rep->status = status;
	rep->content_type = "application/json";
	wn_buf_reset(&rep->body);
	wn_json_init(&j, &rep->body, 0);
	wn_json_obj_begin(&j);
	wn_json_key(&j, "error");
	wn_json_str(&j, message);
	wn_json_obj_end(&j);
	wn_buf_putc(&rep->body, '\n');
}

bool
wn_http_etag_match(const char *h, const char *etag)
{
	size_t n = strlen(etag), len;
	const char *e;

	if (h == NULL || n == 0)
		return false;
	for (;;) {
		while (*h == ' ' || *h == '\t' || *h == ',')
			h++;
		if (*h == '\0')
			return false;
		if (*h == '*')
			return true;
		if (strncmp(h, "W/", 2) == 0)
			h += 2;
		/* an entity tag is quoted and holds no quote */
		if (*h != '"' || (e = strchr(h + 1, '"')) == NULL)
			return false;
		len = (size_t)(e - h) + 1;
		if (len == n && memcmp(h, etag, n) == 0)
			return true;
		h = e + 1;
	}
}

static enum MHD_Result
wn_http_send(struct MHD_Connection *mc, wn_http_conn *c, wn_http_reply *rep)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	if (rep->body.failed)
		wn_http_error(rep, 500, "out of memory");
	/* XXX: libmicrohttpd 0.9.75 adds "Content-Length: 0" to a 304,
	 * which RFC 9110 frowns on; clients ignore it. */
	if (rep->status == 304)
		wn_buf_reset(&rep->body);
	r = MHD_create_response_from_buffer(rep->body.len,
	    rep->body.len ? rep->body.data : (void *)"",
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	if (rep->status != 304)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
		    rep->content_type ? rep->content_type :
		    "application/json");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	    rep->cache_control ? rep->cache_control : "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (rep->allow != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, rep->allow);
	if (rep->etag[0] != '\0')
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, rep->etag);
	c->status = rep->status;
	ok = MHD_queue_response(mc, (unsigned)rep->status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result
wn_http_send_error(struct MHD_Connection *mc, wn_http_conn *c, int status,
    const char *message)
{
	wn_http_reply rep;
	enum MHD_Result ok;

	memset(&rep, 0, sizeof(rep));
	wn_buf_init(&rep.body);
	wn_http_error(&rep, status, message);
	ok = wn_http_send(mc, c, &rep);
	wn_buf_fini(&rep.body);
	return ok;
}

static const char *
wn_http_arg(void *ctx, const char *name)
{
	return MHD_lookup_connection_value((struct MHD_Connection *)ctx,
	    MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result
wn_http_dispatch(wn_http_server *s, struct MHD_Connection *mc,
    wn_http_conn *c, const char *url, const char *method)
{
	wn_http_request req;
	wn_http_reply rep;
	enum MHD_Result ok;

	memset(&req, 0, sizeof(req));
	memset(&rep, 0, sizeof(rep));
	req.method = method;
	req.path = url;
	req.content_type = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	req.if_none_match = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_NONE_MATCH);
	req.body = c->body.data ? c->body.data : "";
	req.body_len = c->body.len;
	req.arg = wn_http_arg;
	req.arg_ctx = mc;
	wn_buf_init(&rep.body);
	rep.status = 500;
	s->o.handler(s->o.app, &req, &rep);
	ok = wn_http_send(mc, c, &rep);
	wn_buf_fini(&rep.body);
	return ok;
}

static enum MHD_Result
wn_http_access(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	wn_http_server *s = cls;
	wn_http_conn *c = *con_cls;
	const char *cl;
	char *end;
	unsigned long long n;

	(void)version;
	if (c == NULL) {
		if ((c = wn_calloc(1, sizeof(*c))) == NULL)
			return MHD_NO;
		wn_buf_init(&c->body);
		clock_gettime(CLOCK_MONOTONIC, &c->start);
		snprintf(c->method, sizeof(c->method), "%s", method);
		snprintf(c->path, sizeof(c->path), "%s", url);
		*con_cls = c;
		if (s->o.body_limit != NULL)
			c->limit = s->o.body_limit(s->o.app, method, url);
		if (c->limit == 0)
			c->limit = s->o.max_body;
		cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL) {
			errno = 0;
			n = strtoull(cl, &end, 10);
			if (errno != 0 || *end != '\0' || n > c->limit) {
				c->too_big = 1;
				return wn_http_send_error(mc, c, 413,
				    "the body is larger than the limit");
			}
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!c->too_big && c->body.len + *upload_data_size >
		    c->limit)
			c->too_big = 1;
		if (!c->too_big)
			wn_buf_append(&c->body, upload_data,
			    *upload_data_size);
		else
			c->discarded += *upload_data_size;
		*upload_data_size = 0;
		/* A chunked body has no length to refuse up front, and
		 * libmicrohttpd answers only once a body is read: read a
		 * while for the 413, then hang up on an endless one. */
		return c->discarded > 4 * c->limit ? MHD_NO : MHD_YES;
	}
	if (c->too_big && c->status == 0)
		return wn_http_send_error(mc, c, 413, "the body is larger "
		    "than the limit");
	if (c->too_big)
		return MHD_YES;		/* answered already */
	if (c->body.failed)
		return wn_http_send_error(mc, c, 500, "out of memory");
	return wn_http_dispatch(s, mc, c, url, method);
}

static void
wn_http_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	wn_http_conn *c = *con_cls;
	struct timespec now;
	double ms;

	(void)cls;
	(void)mc;
	if (c == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - c->start.tv_sec) * 1e3 +
	    (double)(now.tv_nsec - c->start.tv_nsec) / 1e6;
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK || c->status != 0)
		wn_log_info("%s %s %d %.1f ms", c->method, c->path,
		    c->status ? c->status : 500, ms);
	else
		wn_log_info("%s %s aborted %.1f ms", c->method, c->path, ms);
	wn_buf_fini(&c->body);
	wn_free(c);
	*con_cls = NULL;
}

static void wn_http_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
wn_http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	wn_log_warn("http: %s", msg);
}

/* the whole file into a NUL-terminated heap string */
static int
wn_http_read_file(const char *what, const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL) {
		wn_log_err_errno("%s %s", what, path);
		return WN_EIO;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    n > (1L << 20) || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = wn_malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		wn_log_err("%s %s: cannot read it (or larger than 1 MiB)",
		    what, path);
		wn_free(buf);
		fclose(f);
		return WN_EIO;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* "host:port" or "[v6]:port" into host and port buffers */
static int
wn_http_split(const char *listen, char *host, size_t hlen, char *port,
    size_t plen)
{
	const char *colon;
	size_t n;

	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');

		if (close == NULL || close[1] != ':')
			return WN_EINVAL;
		n = (size_t)(close - listen - 1);
		colon = close + 1;
		listen++;
	} else {
		if ((colon = strrchr(listen, ':')) == NULL)
			return WN_EINVAL;
		n = (size_t)(colon - listen);
	}
	if (n == 0 || n >= hlen || strlen(colon + 1) == 0 ||
	    strlen(colon + 1) >= plen ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return WN_EINVAL;
	memcpy(host, listen, n);
	host[n] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

static int
wn_http_resolve(const char *listen, struct sockaddr_storage *ss)
{
	struct addrinfo hints, *res = NULL;
	char host[256], port[8];
	int e;

	if (wn_http_split(listen, host, sizeof(host), port, sizeof(port)) !=
	    0 || atoi(port) > 65535) {
		wn_log_err("listen address \"%s\": expected HOST:PORT or "
		    "[IPV6]:PORT", listen);
		return WN_EINVAL;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		wn_log_err("listen address \"%s\": %s", listen,
		    gai_strerror(e));
		return WN_EINVAL;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

int
wn_http_start(const wn_http_opts *o, wn_http_server **out)
{
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
	    MHD_USE_AUTO;
	const union MHD_DaemonInfo *info;
	wn_http_server *s;
	int rc;

	*out = NULL;
	memset(&ss, 0, sizeof(ss));
	if ((rc = wn_http_resolve(o->listen, &ss)) != 0)
		return rc;
	if ((s = wn_calloc(1, sizeof(*s))) == NULL)
		return WN_ENOMEM;
	s->o = *o;
	if (s->o.max_body == 0)
		s->o.max_body = WN_HTTP_DEFAULT_MAX_BODY;
	if (s->o.threads == 0)
		s->o.threads = WN_HTTP_DEFAULT_THREADS;
	if (o->tls_cert != NULL) {
		if ((rc = wn_http_read_file("TLS certificate", o->tls_cert,
		    &s->cert)) != 0 || (rc = wn_http_read_file("TLS key",
		    o->tls_key, &s->key)) != 0) {
			wn_http_stop(&s);
			return rc;
		}
		flags |= MHD_USE_TLS;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, wn_http_access, s,
	    MHD_OPTION_EXTERNAL_LOGGER, wn_http_mhd_log, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->o.threads,
	    MHD_OPTION_NOTIFY_COMPLETED, wn_http_completed, s,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
	    s->cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, s->cert,
	    MHD_OPTION_HTTPS_MEM_KEY, s->key,
	    MHD_OPTION_END);
	if (s->mhd == NULL) {
		wn_log_err("listen on %s%s: cannot start the HTTP server (is "
		    "the address in use, or the TLS key not the "
		    "certificate's?)", o->listen, s->cert ? " with TLS" : "");
		wn_http_stop(&s);
		return WN_EIO;
	}
	info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	*out = s;
	return 0;
}

uint16_t
wn_http_port(const wn_http_server *s)
{
	return s->port;
}

void
wn_http_stop(wn_http_server **sp)
{
	wn_http_server *s = *sp;

	if (s == NULL)
		return;
	*sp = NULL;
	if (s->mhd != NULL)
		MHD_stop_daemon(s->mhd);
	if (s->key != NULL)
		explicit_bzero(s->key, strlen(s->key));
	wn_free(s->cert);
	wn_free(s->key);
	wn_free(s);
}
