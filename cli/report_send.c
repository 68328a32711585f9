/*
 * report_send.c - `winnow report send`: deliver the sealed periods of the
 * spool to winnow-repository, oldest first.
 *
 * Each report is signed anew at every attempt (a fresh nonce and time)
 * and posted over HTTP(S) with libcurl. A report file is deleted only
 * after the repository answered 201 (stored) or 200 (already stored), so
 * a lost answer means a harmless resend. Network errors and 5xx answers
 * are retried with doubling waits; when they persist the reports stay in
 * the spool for the next run (exit 75, EX_TEMPFAIL). A 4xx answer means
 * the report or the registration needs fixing: the report stays and the
 * command says why (exit 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include <winnow/err.h>

#include "cli.h"
#include "cli_report.h"

#define WN_EXIT_TEMPFAIL 75
#define WN_ANSWER_MAX 4096

typedef struct wn_send_opts {
	const char *url;		/* .../api/v1/reports */
	const char *cacert;
	long timeout;
	unsigned attempts;
} wn_send_opts;

typedef struct wn_answer {
	char text[WN_ANSWER_MAX];
	size_t len;
} wn_answer;

static size_t
wn_answer_write(char *p, size_t size, size_t n, void *arg)
{
	wn_answer *a = arg;
	size_t len = size * n, room = sizeof(a->text) - 1 - a->len;

	memcpy(a->text + a->len, p, len < room ? len : room);
	a->len += len < room ? len : room;
	a->text[a->len] = '\0';
	return len;
}

/* One POST. Returns the HTTP status, or 0 with err set when there was no
 * answer at all. */
static long
wn_post(const wn_send_opts *o, const wn_buf *body, wn_answer *ans,
    char *err, size_t errlen)
{
	struct curl_slist *h = NULL;
	char cerr[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode rc;
	CURL *c;

	ans->len = 0;
	ans->text[0] = '\0';
	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "libcurl did not initialise");
		return 0;
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, o->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)body->len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, wn_answer_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, ans);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "winnow/" WN_VERSION);
	if (o->cacert != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->cacert);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	else
		snprintf(err, errlen, "%s", cerr[0] ? cerr :
		    curl_easy_strerror(rc));
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

/* The "error" of a JSON answer, or the answer itself, for messages. */
static const char *
wn_answer_error(wn_answer *a)
{
	char *p = strstr(a->text, "\"error\"");
	char *q;

	if (p != NULL && (p = strchr(p + 7, '"')) != NULL &&
	    (q = strchr(p + 1, '"')) != NULL) {
		*q = '\0';
		return p + 1;
	}
	a->text[strcspn(a->text, "\r\n")] = '\0';
	return a->text;
}

enum wn_sent {
	WN_SENT,		/* acknowledged; the file is gone */
	WN_SENT_LATER,		/* no usable answer; try again later */
	WN_SENT_REFUSED,	/* this report was refused */
	WN_SENT_KEY_REFUSED	/* every report will be: the key */
};

static enum wn_sent
wn_send_one(const wn_send_opts *o, const char *path, const char *report,
    size_t len, const wn_seckey *k)
{
	wn_answer ans;
	unsigned attempt;
	char err[CURL_ERROR_SIZE + 64];
	long status = 0;

	for (attempt = 1; attempt <= o->attempts; attempt++) {
		wn_buf env;

		wn_buf_init(&env);
		if (wn_report_envelope(report, len, k, time(NULL), &env) != 0) {
			wn_buf_fini(&env);
			fprintf(stderr, "winnow report send: out of memory\n");
			return WN_SENT_LATER;
		}
		status = wn_post(o, &env, &ans, err, sizeof(err));
		wn_buf_fini(&env);
		if (status != 0 && status < 500 && status != 429)
			break;
		if (status == 0)
			fprintf(stderr, "winnow report send: %s: attempt %u of "
			    "%u: %s\n", o->url, attempt, o->attempts, err);
		else
			fprintf(stderr, "winnow report send: %s: attempt %u of "
			    "%u: HTTP %ld %s\n", o->url, attempt, o->attempts,
			    status, wn_answer_error(&ans));
		if (attempt < o->attempts) {
			unsigned wait = 1u << (attempt - 1);

			sleep(wait > 60 ? 60 : wait);
		}
	}
	if (status == 200 || status == 201) {
		if (unlink(path) != 0 && errno != ENOENT) {
			fprintf(stderr, "winnow report send: %s: acknowledged "
			    "but not removed: %s\n", path, strerror(errno));
			return WN_SENT_REFUSED;
		}
		printf("%s: %s\n", path, status == 201 ? "stored" :
		    "already stored");
		return WN_SENT;
	}
	if (status == 0 || status >= 500 || status == 429) {
		fprintf(stderr, "winnow report send: %s: kept in the spool for "
		    "the next run\n", path);
		return WN_SENT_LATER;
	}
	fprintf(stderr, "winnow report send: %s: refused, HTTP %ld: %s; kept "
	    "in the spool\n", path, status, wn_answer_error(&ans));
	return status == 401 || status == 403 ? WN_SENT_KEY_REFUSED :
	    WN_SENT_REFUSED;
}

static int
wn_send_spool(const wn_send_opts *o, const char *spool,
    const wn_report_opts *ro, const wn_seckey *k)
{
	char **paths = NULL, err[512];
	size_t n = 0, i, sent = 0;
	int status = WN_EXIT_OK, rc;

	if ((rc = wn_stats_spool_list(spool, &paths, &n)) != 0) {
		fprintf(stderr, "winnow report send: %s: %s\n", spool,
		    rc == WN_ENOMEM ? wn_strerror(rc) : strerror(errno));
		return WN_EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		wn_stats_period *p = NULL;
		enum wn_sent r;
		wn_buf rep;

		if (wn_stats_period_load(paths[i], &p, err, sizeof(err)) != 0) {
			fprintf(stderr, "winnow report send: %s; kept, not "
			    "sent\n", err);
			status = WN_EXIT_FAIL;
			continue;
		}
		wn_buf_init(&rep);
		if (wn_report_build(p, ro, &rep) != 0) {
			r = WN_SENT_LATER;
		} else {
			r = wn_send_one(o, paths[i], rep.data, rep.len, k);
		}
		wn_buf_fini(&rep);
		wn_stats_period_free(&p);
		if (r == WN_SENT) {
			sent++;
			continue;
		}
		if (r == WN_SENT_REFUSED) {
			status = WN_EXIT_FAIL;
			continue;
		}
		/* the repository is away, or refuses the key: the rest
		 * would fare no better */
		status = r == WN_SENT_LATER ? WN_EXIT_TEMPFAIL : WN_EXIT_FAIL;
		break;
	}
	printf("%zu of %zu reports sent\n", sent, n);
	wn_stats_spool_list_free(paths, n);
	return status;
}

int
wn_report_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "spool", required_argument, NULL, 's' },
		{ "key", required_argument, NULL, 'k' },
		{ "repository", required_argument, NULL, 'r' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "attempts", required_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *conf = NULL, *spool = NULL, *key = NULL, *repo = NULL;
	unsigned long long attempts = 5, timeout = 30;
	wn_send_opts so = { 0 };
	wn_settings *s = NULL;
	wn_report_opts ro;
	wn_seckey k;
	char *url;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 's': spool = optarg; break;
		case 'k': key = optarg; break;
		case 'r': repo = optarg; break;
		case 'C': so.cacert = optarg; break;
		case 'a':
			if ((rc = wn_cli_size_arg("report send", "--attempts",
			    optarg, 1, 20, &attempts)) != 0)
				return rc;
			break;
		case 't':
			if ((rc = wn_cli_size_arg("report send", "--timeout",
			    optarg, 1, 600, &timeout)) != 0)
				return rc;
			break;
		case 'h':
			printf("usage: winnow report send [-c FILE] [--spool "
			    "DIR] [--repository URL] [--key FILE]\n"
			    "       [--cacert FILE] [--attempts N] "
			    "[--timeout SECONDS]\n");
			return WN_EXIT_OK;
		default:
			return WN_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return WN_EXIT_USAGE;
	if ((rc = wn_report_settings(conf, &s)) != 0)
		return rc;
	spool = spool ? spool : s->report_spool;
	key = key ? key : s->report_key;
	repo = repo ? repo : s->report_repository;
	if (*repo == '\0') {
		fprintf(stderr, "winnow report send: no repository: give "
		    "--repository URL or set report_repository\n");
		wn_settings_free(&s);
		return WN_EXIT_USAGE;
	}
	if ((rc = wn_seckey_load(key, &k)) != 0) {
		fprintf(stderr, "winnow report send: %s: %s\n", key,
		    rc == WN_EFORMAT ? "not a winnow secret key" :
		    strerror(errno));
		wn_settings_free(&s);
		return WN_EXIT_FAIL;
	}
	if ((url = malloc(strlen(repo) + 32)) == NULL) {
		wn_settings_free(&s);
		return WN_EXIT_SOFTWARE;
	}
	strcpy(url, repo);
	while (*url != '\0' && url[strlen(url) - 1] == '/')
		url[strlen(url) - 1] = '\0';
	strcat(url, "/api/v1/reports");
	so.url = url;
	so.attempts = (unsigned)attempts;
	so.timeout = (long)timeout;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	wn_report_opts_from(s, k.pub.id, &ro);
	rc = wn_send_spool(&so, spool, &ro, &k);
	curl_global_cleanup();
	free(url);
	wn_settings_free(&s);
	return rc;
}
