/*
 * cmd_serve.c - `winnow-repository serve`: open the database, listen,
 * serve until SIGTERM or SIGINT, then finish the requests in progress and
 * close.
 *
 * The two signals are blocked before the server's threads start, so they
 * inherit the mask and only the main thread, waiting in sigwait, ever
 * sees them. With --feed-key the repository also publishes the signed
 * bulk feed; the key is read before anything else is opened.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <winnow/err.h>
#include <winnow/log.h>

#include "cmd.h"
#include "db.h"
#include "feed.h"
#include "http.h"
#include "intake.h"
#include "routes.h"

static void
wn_serve_usage(FILE *f)
{
	fprintf(f, "usage: " WN_REPO_PROG " serve --listen HOST:PORT --db URL "
	    "[options]\n"
	    "  --listen HOST:PORT   address to listen on ([V6]:PORT for "
	    "IPv6; port 0: any)\n"
	    "  --db URL             sqlite:PATH or postgresql://...\n"
	    "  --tls-cert FILE      PEM certificate (with --tls-key: HTTPS "
	    "only)\n"
	    "  --tls-key FILE       PEM private key\n"
	    "  --max-body BYTES     largest request body (default %zu)\n"
	    "  --max-skew SECONDS   accepted distance of signed_at from the "
	    "clock (default %d)\n"
	    "  --threads N          request threads (default %d)\n"
	    "  --tmp-dir DIR        where rule-set packages are unpacked to "
	    "be checked\n"
	    "                       (default $TMPDIR, else /tmp)\n"
	    "  --feed-key FILE      Ed25519 secret key (feed-keygen) that "
	    "signs the bulk\n"
	    "                       feed; without it GET /api/v1/bulk/feed "
	    "is 404\n"
	    "  --feed-min-reporters N  distinct reporters a key needs to be "
	    "in the feed\n"
	    "                       (default %d)\n"
	    "  --feed-days D        days of reports the feed counts "
	    "(default %d)\n"
	    "  --log-level LEVEL    err, warning, notice, info (default: one "
	    "line per request)\n",
	    WN_HTTP_DEFAULT_MAX_BODY, WN_INTAKE_DEFAULT_SKEW,
	    WN_HTTP_DEFAULT_THREADS, WN_FEED_DEFAULT_MIN_REPORTERS,
	    WN_FEED_DEFAULT_DAYS);
}

/* the serve options that are not the HTTP server's */
typedef struct wn_serve_cfg {
	const char *db_url;
	int64_t skew;
	const char *tmp_dir;
	const char *feed_key;		/* NULL: no feed */
	unsigned feed_min_reporters, feed_days;
} wn_serve_cfg;

/* a number option within [min, max] */
static int
wn_serve_number(const char *name, const char *v, long long min,
    long long max, long long *out)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < min || n > max)
		return wn_repo_usage_error("serve", "--%s \"%s\": expected a "
		    "whole number from %lld to %lld", name, v, min, max);
	*out = n;
	return 0;
}

/* the feed's secret key; an exit status when it cannot be read */
static int
wn_serve_feed_key(const char *path, wn_seckey *out)
{
	int rc = wn_seckey_load(path, out);

	if (rc == 0)
		return 0;
	fprintf(stderr, WN_REPO_PROG " serve: --feed-key %s: %s\n", path,
	    rc == WN_EFORMAT ? "not a winnow secret key file" :
	    strerror(errno));
	return rc == WN_EFORMAT ? EX_DATAERR : rc == WN_ENOENT ? EX_NOINPUT :
	    EX_IOERR;
}

static int
wn_serve_run(const wn_http_opts *ho, const wn_serve_cfg *cfg)
{
	wn_http_opts o = *ho;
	wn_http_server *srv = NULL;
	wn_repo_db *db = NULL;
	wn_feed *feed = NULL;
	wn_routes routes;
	wn_seckey key;
	char feed_id[WN_SIGN_KEY_ID_LEN + 1] = "";
	sigset_t set;
	int rc, sig = 0;

	if (cfg->feed_key != NULL &&
	    (rc = wn_serve_feed_key(cfg->feed_key, &key)) != 0)
		return rc;
	rc = wn_repo_db_open(cfg->db_url, o.threads ? o.threads :
	    WN_HTTP_DEFAULT_THREADS, &db);
	if (rc != 0)
		return wn_repo_exit_db(rc);
	wn_routes_init(&routes, db, cfg->skew);
	routes.rulesets.tmp_dir = cfg->tmp_dir;
	routes.intake.bulk_keep = cfg->feed_days + 1;
	if (cfg->feed_key != NULL) {
		rc = wn_feed_new(db, &key, cfg->feed_min_reporters,
		    cfg->feed_days, &feed);
		memcpy(feed_id, key.pub.id, sizeof(feed_id));
		sodium_memzero(&key, sizeof(key));
		if (rc != 0) {
			wn_repo_db_close(&db);
			return EX_SOFTWARE;
		}
		routes.bulk_feed = feed;
	}
	o.handler = wn_routes_handle;
	o.body_limit = wn_routes_body_limit;
	o.app = &routes;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((rc = wn_http_start(&o, &srv)) != 0) {
		wn_feed_free(&feed);
		wn_repo_db_close(&db);
		return rc == WN_EINVAL ? EX_USAGE : EX_UNAVAILABLE;
	}
	wn_log_notice("listening on %s (port %u%s), database %s",
	    o.listen, (unsigned)wn_http_port(srv), o.tls_cert ? ", TLS" : "",
	    db->url);
	if (feed != NULL)
		wn_log_notice("bulk feed signed by key %s: keys of at least %u "
		    "reporters within %u days", feed_id,
		    cfg->feed_min_reporters, cfg->feed_days);
	sigwait(&set, &sig);
	wn_log_notice("%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	wn_http_stop(&srv);
	wn_feed_free(&feed);
	wn_repo_db_close(&db);
	return 0;
}

int
wn_repo_cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "db", required_argument, NULL, 'd' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "max-body", required_argument, NULL, 'b' },
		{ "max-skew", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "tmp-dir", required_argument, NULL, 'T' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "feed-key", required_argument, NULL, 'K' },
		{ "feed-min-reporters", required_argument, NULL, 'M' },
		{ "feed-days", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	wn_http_opts o;
	wn_serve_cfg cfg;
	long long n = 0, skew = WN_INTAKE_DEFAULT_SKEW;
	int ch;

	memset(&o, 0, sizeof(o));
	memset(&cfg, 0, sizeof(cfg));
	cfg.feed_min_reporters = WN_FEED_DEFAULT_MIN_REPORTERS;
	cfg.feed_days = WN_FEED_DEFAULT_DAYS;
	wn_log_set_level(WN_LOG_INFO);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'l': o.listen = optarg; break;
		case 'd': cfg.db_url = optarg; break;
		case 'c': o.tls_cert = optarg; break;
		case 'k': o.tls_key = optarg; break;
		case 'b':
			if (wn_serve_number("max-body", optarg, 256,
			    (long long)1 << 30, &n) != 0)
				return EX_USAGE;
			o.max_body = (size_t)n;
			break;
		case 's':
			if (wn_serve_number("max-skew", optarg, 1, 86400,
			    &skew) != 0)
				return EX_USAGE;
			break;
		case 't':
			if (wn_serve_number("threads", optarg, 1, 256, &n) != 0)
				return EX_USAGE;
			o.threads = (unsigned)n;
			break;
		case 'T': cfg.tmp_dir = optarg; break;
		case 'K': cfg.feed_key = optarg; break;
		case 'M':
			if (wn_serve_number("feed-min-reporters", optarg, 1,
			    WN_FEED_MAX_MIN_REPORTERS, &n) != 0)
				return EX_USAGE;
			cfg.feed_min_reporters = (unsigned)n;
			break;
		case 'D':
			if (wn_serve_number("feed-days", optarg, 1,
			    WN_FEED_MAX_DAYS, &n) != 0)
				return EX_USAGE;
			cfg.feed_days = (unsigned)n;
			break;
		case 'L':
			wn_log_set_level(wn_log_level_parse(optarg));
			break;
		case 'h': wn_serve_usage(stdout); return 0;
		default: wn_serve_usage(stderr); return EX_USAGE;
		}
	}
	if (optind != argc)
		return wn_repo_usage_error("serve", "unexpected argument "
		    "\"%s\"", argv[optind]);
	if (o.listen == NULL)
		return wn_repo_usage_error("serve", "--listen HOST:PORT is "
		    "required");
	if (cfg.db_url == NULL)
		return wn_repo_usage_error("serve", "--db URL is required");
	if ((o.tls_cert == NULL) != (o.tls_key == NULL))
		return wn_repo_usage_error("serve", "--tls-cert and --tls-key "
		    "go together");
	cfg.skew = (int64_t)skew;
	return wn_serve_run(&o, &cfg);
}
