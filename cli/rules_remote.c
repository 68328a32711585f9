/*
 * rules_remote.c - the rule-set channels of winnow-repository over
 * HTTP(S) with libcurl: publish and promote for maintainers, the latest
 * version of a channel and its package for operators.
 *
 * Nothing the repository answers is believed before it is checked. Every
 * answer is collected up to a cap (metadata and other JSON answers at
 * WN_RULESET_META_MAX, a package at the caller's max), metadata goes
 * through wn_ruleset_meta_parse, and a package must have exactly the size
 * and SHA-256 its metadata gave. Redirects are not followed and only http
 * and https are spoken, so an answer cannot send the client elsewhere.
 * Text from the repository that reaches a message is cut short and
 * stripped of control characters.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include <winnow/err.h>
#include <winnow/json.h>
#include <winnow/report.h>
#include <winnow/str.h>

#include "rules_remote.h"

#define WN_REMOTE_TIMEOUT 30		/* seconds, when opts say 0 */
#define WN_REMOTE_SHOWN 300		/* bytes of repository text shown */
#define WN_REMOTE_API "/api/v1/rulesets"

/* an answer being collected into body, after its first start bytes */
typedef struct wn_remote_answer {
	wn_buf *body;
	size_t start;
	uint64_t max;
	bool over;		/* more than max bytes came */
	long status;
} wn_remote_answer;

static int wn_remote_err(char *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
wn_remote_err(char *err, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, WN_REMOTE_ERR_LEN, fmt, ap);
	va_end(ap);
	return rc;
}

/* a rule-set name or version as it may appear in a URL path */
static bool
wn_remote_stage_ok(const char *s)
{
	return s != NULL && (strcmp(s, "testing") == 0 ||
	    strcmp(s, "stable") == 0);
}

/* url = the base without its trailing '/'s; WN_EINVAL unless http(s) */
static int
wn_remote_base(const wn_remote_opts *o, wn_buf *url, char *err)
{
	size_t n, i;

	if (o->base == NULL || (strncasecmp(o->base, "http://", 7) != 0 &&
	    strncasecmp(o->base, "https://", 8) != 0))
		return wn_remote_err(err, WN_EINVAL, "repository URL must "
		    "start with http:// or https://");
	n = strlen(o->base);
	for (i = 0; i < n; i++)
		if ((unsigned char)o->base[i] <= 0x20 ||
		    (unsigned char)o->base[i] >= 0x7f)
			return wn_remote_err(err, WN_EINVAL, "repository URL "
			    "holds spaces or control characters");
	while (n > 0 && o->base[n - 1] == '/')
		n--;
	wn_buf_append(url, o->base, n);
	return url->failed ? wn_remote_err(err, WN_ENOMEM, "out of memory") :
	    0;
}

static size_t
wn_remote_write(char *p, size_t size, size_t n, void *arg)
{
	wn_remote_answer *a = arg;
	size_t len = size * n;

	if ((uint64_t)(a->body->len - a->start) + len > a->max) {
		a->over = true;
		return 0;	/* aborts the transfer */
	}
	wn_buf_append(a->body, p, len);
	return a->body->failed ? 0 : len;
}

/*
 * One request: a GET when body is NULL, else a POST of body as ctype.
 * Returns 0 once there is an answer (a->status, a->over), or an error
 * with err set when there is none.
 */
static int
wn_remote_perform(const wn_remote_opts *o, const char *url,
    const char *ctype, const void *body, size_t len, wn_remote_answer *a,
    char *err)
{
	char cerr[CURL_ERROR_SIZE] = "", ct[64];
	struct curl_slist *h = NULL, *h2;
	long timeout = o->timeout > 0 ? o->timeout : WN_REMOTE_TIMEOUT;
	CURLcode rc;
	CURL *c;
	int ret = 0;

	a->status = 0;
	a->over = false;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return wn_remote_err(err, WN_ENOMEM, "%s: libcurl did not "
		    "initialise", url);
	if ((c = curl_easy_init()) == NULL) {
		curl_global_cleanup();
		return wn_remote_err(err, WN_ENOMEM, "%s: libcurl did not "
		    "initialise", url);
	}
	if (body != NULL) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		/* no "Expect: 100-continue" round trip before the body */
		if ((h = curl_slist_append(NULL, ct)) == NULL ||
		    (h2 = curl_slist_append(h, "Expect:")) == NULL) {
			ret = wn_remote_err(err, WN_ENOMEM, "out of memory");
			goto out;
		}
		h = h2;
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, wn_remote_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "winnow/" WN_VERSION);
	/* a Content-Length over the cap ends the transfer before the body */
	if (a->max > 0 && a->max < (uint64_t)INT64_MAX)
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)a->max);
	if (o->cacert != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->cacert);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
	if (rc == CURLE_FILESIZE_EXCEEDED)
		a->over = true;
	if (a->body->failed)
		ret = wn_remote_err(err, WN_ENOMEM, "%s: out of memory", url);
	else if (rc == CURLE_OK || (a->over && a->status != 0))
		ret = 0;
	else if (rc == CURLE_WEIRD_SERVER_REPLY ||
	    rc == CURLE_UNSUPPORTED_PROTOCOL)
		/* not HTTP at all (or HTTP/0.9): no repository there */
		ret = wn_remote_err(err, WN_EFORMAT, "%s: not an HTTP answer: "
		    "%s", url, cerr[0] ? cerr : curl_easy_strerror(rc));
	else
		ret = wn_remote_err(err, WN_ETEMP, "%s: %s", url, cerr[0] ?
		    cerr : curl_easy_strerror(rc));
out:
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return ret;
}

/* the repository's {"error": ..., "details": [...]} as one line */
static void
wn_remote_error_text(const wn_remote_answer *a, char *text, size_t cap)
{
	json_t *root, *e, *d, *v;
	size_t used, i;

	text[0] = '\0';
	root = json_loadb(a->body->data ? a->body->data + a->start : "",
	    a->body->len - a->start, 0, NULL);
	if (root == NULL)
		return;
	e = json_object_get(root, "error");
	if (json_is_string(e)) {
		wn_str_shown(text, cap, json_string_value(e), WN_REMOTE_SHOWN);
		/* a refused package says why in its details: "FILE:LINE: .." */
		d = json_object_get(root, "details");
		json_array_foreach(d, i, v) {
			used = strlen(text);
			if (!json_is_string(v) || used + 3 >= cap)
				continue;
			memcpy(text + used, i == 0 ? ": " : "; ", 2);
			wn_str_shown(text + used + 2, cap - used - 2,
			    json_string_value(v), WN_REMOTE_SHOWN);
		}
	}
	json_decref(root);
}

/*
 * The outcome of an answer to a request whose success statuses are ok1
 * and ok2: 0, or the error the header promises with err naming url.
 */
static int
wn_remote_status(const char *url, const wn_remote_answer *a, long ok1,
    long ok2, char *err)
{
	char text[WN_REMOTE_ERR_LEN / 2];
	int rc;

	if (a->status == ok1 || a->status == ok2) {
		if (!a->over)
			return 0;
		return wn_remote_err(err, WN_ELIMIT, "%s: answer larger than "
		    "%llu bytes", url, (unsigned long long)a->max);
	}
	/* 429 (too many requests) also says: try later */
	if (a->status >= 500 || a->status == 429)
		rc = WN_ETEMP;
	else if (a->status == 404)
		rc = WN_ENOENT;
	else if (a->status >= 400)
		rc = WN_EINVAL;
	else
		return wn_remote_err(err, WN_EFORMAT, "%s: unexpected answer "
		    "HTTP %ld%s", url, a->status, a->status >= 300 &&
		    a->status < 400 ? " (redirects are not followed)" : "");
	wn_remote_error_text(a, text, sizeof(text));
	return wn_remote_err(err, rc, "%s: HTTP %ld%s%s", url, a->status,
	    text[0] ? ": " : "", text);
}

int
wn_remote_latest(const wn_remote_opts *o, const char *name,
    const char *stage, wn_ruleset_meta *out, char *err)
{
	char merr[WN_RULESET_META_ERR_LEN];
	wn_remote_answer a;
	wn_buf url, body;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!wn_manifest_name_valid(name) || !wn_remote_stage_ok(stage))
		return wn_remote_err(err, WN_EINVAL, "not a rule-set name and "
		    "stage (testing or stable)");
	wn_buf_init(&url);
	wn_buf_init(&body);
	if ((rc = wn_remote_base(o, &url, err)) != 0)
		goto out;
	wn_buf_printf(&url, WN_REMOTE_API "/%s/latest?stage=%s", name, stage);
	if (url.failed) {
		rc = wn_remote_err(err, WN_ENOMEM, "out of memory");
		goto out;
	}
	memset(&a, 0, sizeof(a));
	a.body = &body;
	a.max = WN_RULESET_META_MAX;
	if ((rc = wn_remote_perform(o, url.data, NULL, NULL, 0, &a, err)) != 0
	    || (rc = wn_remote_status(url.data, &a, 200, 200, err)) != 0)
		goto out;
	if ((rc = wn_ruleset_meta_parse(body.data ? body.data : "", body.len,
	    out, merr)) != 0) {
		rc = wn_remote_err(err, rc, "%s: %s", url.data, merr);
		goto out;
	}
	if (strcmp(out->name, name) != 0)
		rc = wn_remote_err(err, WN_EFORMAT, "%s: the answer is about "
		    "rule set %s", url.data, out->name);
	else if (strcmp(stage, "stable") == 0 &&
	    strcmp(out->stage, "stable") != 0)
		rc = wn_remote_err(err, WN_EFORMAT, "%s: the stable channel "
		    "offers a %s version", url.data, out->stage);
	if (rc != 0)
		memset(out, 0, sizeof(*out));
out:
	wn_buf_fini(&url);
	wn_buf_fini(&body);
	return rc;
}

int
wn_remote_package(const wn_remote_opts *o, const wn_ruleset_meta *m,
    uint64_t max, wn_buf *out, char *err)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	wn_remote_answer a;
	size_t start = out->len;
	wn_buf url;
	int rc;

	if (m->url[0] != '/')
		return wn_remote_err(err, WN_EINVAL, "metadata without a "
		    "package url");
	wn_buf_init(&url);
	if ((rc = wn_remote_base(o, &url, err)) != 0)
		goto out;
	wn_buf_puts(&url, m->url);
	if (url.failed) {
		rc = wn_remote_err(err, WN_ENOMEM, "out of memory");
		goto out;
	}
	if (m->size > max) {
		rc = wn_remote_err(err, WN_ELIMIT, "%s: the package has %llu "
		    "bytes, over the limit of %llu", url.data,
		    (unsigned long long)m->size, (unsigned long long)max);
		goto out;
	}
	if (wn_buf_reserve(out, (size_t)m->size) != 0) {
		rc = wn_remote_err(err, WN_ENOMEM, "out of memory");
		goto out;
	}
	memset(&a, 0, sizeof(a));
	a.body = out;
	a.start = start;
	a.max = max;
	if ((rc = wn_remote_perform(o, url.data, NULL, NULL, 0, &a, err)) != 0
	    || (rc = wn_remote_status(url.data, &a, 200, 200, err)) != 0)
		goto out;
	if (out->len - start != m->size) {
		rc = wn_remote_err(err, WN_EFORMAT, "%s: %zu bytes came, the "
		    "metadata said %llu", url.data, out->len - start,
		    (unsigned long long)m->size);
		goto out;
	}
	crypto_hash_sha256(h, (const uint8_t *)out->data + start, m->size);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	if (strcmp(hex, m->sha256) != 0)
		rc = wn_remote_err(err, WN_EFORMAT, "%s: SHA-256 %s differs "
		    "from the metadata's", url.data, hex);
out:
	if (rc != 0 && out->data != NULL) {
		out->len = start;	/* leave out as it was */
		out->data[start] = '\0';
	}
	wn_buf_fini(&url);
	return rc;
}

int
wn_remote_publish(const wn_remote_opts *o, const void *pkg, size_t len,
    wn_buf *answer_out, char *err)
{
	wn_remote_answer a;
	wn_buf url, body;
	int rc;

	wn_buf_init(&url);
	wn_buf_init(&body);
	if ((rc = wn_remote_base(o, &url, err)) != 0)
		goto out;
	wn_buf_puts(&url, WN_REMOTE_API);
	if (url.failed) {
		rc = wn_remote_err(err, WN_ENOMEM, "out of memory");
		goto out;
	}
	memset(&a, 0, sizeof(a));
	a.body = &body;
	a.max = WN_RULESET_META_MAX;
	if ((rc = wn_remote_perform(o, url.data, "application/gzip",
	    pkg != NULL ? pkg : "", len, &a, err)) != 0 ||
	    (rc = wn_remote_status(url.data, &a, 201, 200, err)) != 0)
		goto out;
	if (answer_out != NULL) {
		wn_buf_append(answer_out, body.data ? body.data : "", body.len);
		if (answer_out->failed) {
			rc = wn_remote_err(err, WN_ENOMEM, "out of memory");
			goto out;
		}
	}
	rc = a.status == 201 ? 0 : 1;
out:
	wn_buf_fini(&url);
	wn_buf_fini(&body);
	return rc;
}

/* the promotion's JSON body, signed by k now */
static int
wn_remote_promotion(const char *name, const char *version,
    const char *stage, const wn_seckey *k, wn_buf *out)
{
	char now[21], sig[WN_SIGN_SIG_B64_LEN + 1];
	wn_buf text;
	wn_json j;
	int rc;

	wn_time_format((int64_t)time(NULL), now);
	wn_buf_init(&text);
	if ((rc = wn_ruleset_promote_text(name, version, stage, now,
	    &text)) != 0) {
		wn_buf_fini(&text);
		return rc;
	}
	wn_sign_detached(k, text.data, text.len, sig);
	wn_buf_fini(&text);
	wn_json_init(&j, out, 0);
	wn_json_obj_begin(&j);
	wn_json_key(&j, "stage");
	wn_json_str(&j, stage);
	wn_json_key(&j, "time");
	wn_json_str(&j, now);
	wn_json_key(&j, "key_id");
	wn_json_str(&j, k->pub.id);
	wn_json_key(&j, "signature");
	wn_json_str(&j, sig);
	wn_json_obj_end(&j);
	return out->failed ? WN_ENOMEM : 0;
}

int
wn_remote_promote(const wn_remote_opts *o, const char *name,
    const char *version, const char *stage, const wn_seckey *k, char *err)
{
	wn_remote_answer a;
	wn_buf url, body, answer;
	int rc;

	if (!wn_manifest_name_valid(name) || version == NULL ||
	    !wn_version_valid(version) || !wn_remote_stage_ok(stage))
		return wn_remote_err(err, WN_EINVAL, "not a rule-set name, "
		    "version and stage (testing or stable)");
	if (wn_sign_init() != 0)
		return wn_remote_err(err, WN_ENOMEM, "libsodium did not "
		    "initialise");
	wn_buf_init(&url);
	wn_buf_init(&body);
	wn_buf_init(&answer);
	if ((rc = wn_remote_base(o, &url, err)) != 0)
		goto out;
	wn_buf_printf(&url, WN_REMOTE_API "/%s/%s/promote", name, version);
	if (url.failed || wn_remote_promotion(name, version, stage, k,
	    &body) != 0) {
		rc = wn_remote_err(err, WN_ENOMEM, "out of memory");
		goto out;
	}
	memset(&a, 0, sizeof(a));
	a.body = &answer;
	a.max = WN_RULESET_META_MAX;
	if ((rc = wn_remote_perform(o, url.data, "application/json",
	    body.data, body.len, &a, err)) == 0)
		rc = wn_remote_status(url.data, &a, 200, 200, err);
out:
	wn_buf_fini(&url);
	wn_buf_fini(&body);
	wn_buf_fini(&answer);
	return rc;
}

int
wn_remote_get(const wn_remote_opts *o, const char *path, uint64_t max,
    wn_buf *out, char *err)
{
	wn_remote_answer a;
	wn_buf url;
	int rc;

	wn_buf_init(&url);
	if ((rc = wn_remote_base(o, &url, err)) != 0)
		goto out;
	wn_buf_puts(&url, path);
	if (url.failed) {
		rc = wn_remote_err(err, WN_ENOMEM, "out of memory");
		goto out;
	}
	memset(&a, 0, sizeof(a));
	a.body = out;
	a.start = out->len;
	a.max = max;
	if ((rc = wn_remote_perform(o, url.data, NULL, NULL, 0, &a, err)) == 0)
		rc = wn_remote_status(url.data, &a, 200, 200, err);
out:
	wn_buf_fini(&url);
	return rc;
}
