/*
 * cmd_bulk_feed.c - `winnow bulk feed update|show`: the feed of bulk keys
 * shared through winnow-repository (docs/arch/bulk-sharing.md).
 *
 * update fetches the signed feed, checks it exactly as winnowd will
 * (wn_bulk_feed_parse: signature under the repository's key, format,
 * fingerprint version, expiry, keys), writes it beside the old file and
 * renames it over, then makes winnowd reload. A refused or unreachable
 * feed changes nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <winnow/bulk_feed.h>
#include <winnow/config.h>
#include <winnow/err.h>
#include <winnow/report.h>
#include <winnow/str.h>

#include "cli.h"
#include "rules_remote.h"

#define WN_FEED_DEFAULT_CONF	"/etc/winnow/winnow.conf"
#define WN_FEED_PATH		"/api/v1/bulk/feed"
#define WN_EXIT_TEMPFAIL	75	/* EX_TEMPFAIL: try again later */

static const char wn_feed_usage[] =
    "usage: winnow bulk feed update [--config FILE] [--repository URL]\n"
    "                               [--key PUB] [--out PATH] "
    "[--pid-file PATH]\n"
    "                               [--no-reload]\n"
    "       winnow bulk feed show   [--config FILE] [--key PUB] "
    "[--out PATH]\n"
    "Fetch the feed of bulk fingerprint keys from winnow-repository, check\n"
    "its signature, and install it for winnowd (bulk_feed in "
    "winnow.conf).\n"
    "Exit 0 installed (or shown), 1 refused, 75 repository unreachable.\n";

typedef struct wn_feed_opts {
	const char *conf, *repository, *key, *out, *pid_file;
	bool reload;
} wn_feed_opts;

static int
wn_feed_settings(const char *cmd, wn_feed_opts *o, wn_settings **s)
{
	wn_diag_list d;
	int rc;

	if (o->conf == NULL && access(WN_FEED_DEFAULT_CONF, F_OK) == 0)
		o->conf = WN_FEED_DEFAULT_CONF;
	wn_diag_list_init(&d);
	rc = wn_settings_load(o->conf, &d, s);
	wn_cli_print_diags(stderr, &d, false);
	wn_diag_list_fini(&d);
	if (rc != 0) {
		fprintf(stderr, "winnow %s: %s is not usable (%s)\n", cmd,
		    o->conf ? o->conf : "the built-in configuration",
		    wn_strerror(rc));
		return rc == WN_ENOMEM ? WN_EXIT_SOFTWARE : WN_EXIT_FAIL;
	}
	if (o->repository == NULL)
		o->repository = (*s)->bulk_feed_repository[0] != '\0' ?
		    (*s)->bulk_feed_repository : (*s)->report_repository;
	if (o->key == NULL)
		o->key = (*s)->bulk_feed_key;
	if (o->out == NULL)
		o->out = (*s)->bulk_feed;
	if (o->pid_file == NULL)
		o->pid_file = (*s)->pid_file;
	if (o->out[0] == '\0') {
		fprintf(stderr, "winnow %s: bulk_feed is off in %s\n", cmd,
		    o->conf ? o->conf : "the configuration");
		return WN_EXIT_FAIL;
	}
	return 0;
}

static void
wn_feed_describe(const wn_bulk_feed *f)
{
	const wn_bulk_feed_info *i = wn_bulk_feed_info_get(f);
	char gen[21], exp[21];

	wn_time_format(i->generated, gen);
	wn_time_format(i->expires, exp);
	printf("%zu text digests, %zu band keys, reported by at least %u "
	    "reporters; signed by %s, generated %s, expires %s\n",
	    i->n_digests, i->n_bands, i->min_reporters, i->key_id, gen, exp);
}

/* write data to path through a temporary file and a rename; says what
 * failed on stderr */
static int
wn_feed_install(const char *cmd, const char *path, const char *data,
    size_t len)
{
	char tmp[4096];
	FILE *f;

	if (!wn_path(tmp, sizeof(tmp), "%s.new", path)) {
		fprintf(stderr, "winnow %s: %s: path too long\n", cmd, path);
		return -1;
	}
	if ((f = fopen(tmp, "wb")) == NULL) {
		fprintf(stderr, "winnow %s: %s: %s\n", cmd, tmp,
		    strerror(errno));
		return -1;
	}
	if (fwrite(data, 1, len, f) != len || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0) {
		fprintf(stderr, "winnow %s: %s: %s\n", cmd, tmp,
		    strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "winnow %s: %s: %s\n", cmd, path,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
wn_feed_update(wn_feed_opts *o)
{
	const char *cmd = "bulk feed update";
	char err[WN_REMOTE_ERR_LEN];
	wn_remote_opts ro = { NULL, NULL, 0 };
	wn_settings *s = NULL;
	wn_bulk_feed *f = NULL;
	wn_pubkey pk;
	wn_buf body;
	long pid;
	int rc, status;

	if ((status = wn_feed_settings(cmd, o, &s)) != 0)
		return status;
	wn_buf_init(&body);
	if (o->repository[0] == '\0') {
		fprintf(stderr, "winnow %s: no repository (set "
		    "bulk_feed_repository or report_repository, or give "
		    "--repository)\n", cmd);
		status = WN_EXIT_FAIL;
		goto out;
	}
	if ((rc = wn_pubkey_load(o->key, &pk)) != 0) {
		fprintf(stderr, "winnow %s: %s: %s\n", cmd, o->key,
		    rc == WN_EFORMAT ? "not a winnow public key file" :
		    strerror(errno));
		status = WN_EXIT_FAIL;
		goto out;
	}
	ro.base = o->repository;
	rc = wn_remote_get(&ro, WN_FEED_PATH, WN_BULK_FEED_MAX_BYTES, &body,
	    err);
	if (rc != 0) {
		fprintf(stderr, "winnow %s: %s\n", cmd, err);
		status = rc == WN_ETEMP ? WN_EXIT_TEMPFAIL : rc == WN_ENOMEM ?
		    WN_EXIT_SOFTWARE : WN_EXIT_FAIL;
		goto out;
	}
	rc = wn_bulk_feed_parse(body.data ? body.data : "", body.len, &pk,
	    (int64_t)time(NULL), &f, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "winnow %s: %s%s: refused: %s\n", cmd,
		    o->repository, WN_FEED_PATH, err);
		status = rc == WN_ENOMEM ? WN_EXIT_SOFTWARE : WN_EXIT_FAIL;
		goto out;
	}
	if (wn_feed_install(cmd, o->out, body.data, body.len) != 0) {
		status = WN_EXIT_FAIL;
		goto out;
	}
	printf("installed %s: ", o->out);
	wn_feed_describe(f);
	status = WN_EXIT_OK;
	if (o->reload) {
		rc = wn_cli_signal_reload(cmd, o->pid_file, &pid);
		if (rc == 0)
			printf("winnowd (pid %ld) is reloading\n", pid);
		else if (rc == 1)
			printf("winnowd is not running; it loads the feed "
			    "when it starts\n");
	}
out:
	wn_bulk_feed_free(&f);
	wn_buf_fini(&body);
	wn_settings_free(&s);
	return status;
}

static int
wn_feed_show(wn_feed_opts *o)
{
	const char *cmd = "bulk feed show";
	char err[512];
	wn_settings *s = NULL;
	wn_bulk_feed *f = NULL;
	wn_pubkey pk;
	int rc, status;

	if ((status = wn_feed_settings(cmd, o, &s)) != 0)
		return status;
	if ((rc = wn_pubkey_load(o->key, &pk)) != 0) {
		fprintf(stderr, "winnow %s: %s: %s\n", cmd, o->key,
		    rc == WN_EFORMAT ? "not a winnow public key file" :
		    strerror(errno));
		wn_settings_free(&s);
		return WN_EXIT_FAIL;
	}
	rc = wn_bulk_feed_load(o->out, &pk, (int64_t)time(NULL), &f, err,
	    sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "winnow %s: %s: %s\n", cmd, o->out, err);
		wn_settings_free(&s);
		return rc == WN_ENOMEM ? WN_EXIT_SOFTWARE : WN_EXIT_FAIL;
	}
	printf("%s: ", o->out);
	wn_feed_describe(f);
	wn_bulk_feed_free(&f);
	wn_settings_free(&s);
	return WN_EXIT_OK;
}

int
wn_cmd_bulk_feed(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "repository", required_argument, NULL, 'r' },
		{ "key", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "pid-file", required_argument, NULL, 'P' },
		{ "no-reload", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	wn_feed_opts o = { NULL, NULL, NULL, NULL, NULL, true };
	const char *sub;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o.conf = optarg; break;
		case 'r': o.repository = optarg; break;
		case 'k': o.key = optarg; break;
		case 'o': o.out = optarg; break;
		case 'P': o.pid_file = optarg; break;
		case 'N': o.reload = false; break;
		case 'h':
			fputs(wn_feed_usage, stdout);
			return WN_EXIT_OK;
		default:
			return wn_cli_usage_error("bulk feed",
			    "unknown option");
		}
	}
	if (optind + 1 != argc)
		return wn_cli_usage_error("bulk feed", "give one of update, "
		    "show");
	sub = argv[optind];
	if (strcmp(sub, "update") == 0)
		return wn_feed_update(&o);
	if (strcmp(sub, "show") == 0)
		return wn_feed_show(&o);
	return wn_cli_usage_error("bulk feed", "give one of update, show");
}
