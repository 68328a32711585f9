/*
 * api_rulesets.c - the paths under /api/v1/rulesets and their JSON.
 *
 *     /api/v1/rulesets                        GET list, POST publish
 *     /api/v1/rulesets/NAME                   GET one set
 *     /api/v1/rulesets/NAME/latest[?stage=S]  GET a channel's version
 *     /api/v1/rulesets/NAME/VERSION           GET the package
 *     /api/v1/rulesets/NAME/VERSION/promote   POST a promotion
 *
 * The shape of the path picks the handler, then the method is checked
 * (405), then the names in it (400), and only then the database is
 * asked. A segment longer than any name or version is a bad name, not a
 * bigger buffer.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <winnow/err.h>
#include <winnow/log.h>

#include "api_rulesets.h"
#include "day.h"
#include "ruleset_intake.h"

#define WN_API_RS_MAX_SEGMENTS 3

/* the segments of a path below /api/v1/rulesets */
typedef struct wn_api_rs_path {
	char seg[WN_API_RS_MAX_SEGMENTS][WN_RS_NAME_LEN + 2];
	size_t n;
	bool long_seg;			/* a segment did not fit */
} wn_api_rs_path;

bool
wn_api_rulesets_path(const char *path)
{
	size_t n = strlen(WN_API_RULESETS);

	return strncmp(path, WN_API_RULESETS, n) == 0 &&
	    (path[n] == '\0' || path[n] == '/');
}

/* false for an empty segment or more than WN_API_RS_MAX_SEGMENTS */
static bool
wn_api_rs_split(const char *path, wn_api_rs_path *p)
{
	const char *s = path + strlen(WN_API_RULESETS), *e;
	size_t len;

	memset(p, 0, sizeof(*p));
	if (*s == '\0')
		return true;
	for (s++;; s = e + 1) {
		e = strchr(s, '/');
		len = e != NULL ? (size_t)(e - s) : strlen(s);
		if (len == 0 || p->n == WN_API_RS_MAX_SEGMENTS)
			return false;
		if (len > WN_RS_NAME_LEN) {
			p->long_seg = true;
			len = WN_RS_NAME_LEN + 1;	/* still invalid */
		}
		memcpy(p->seg[p->n], s, len);
		p->seg[p->n++][len] = '\0';
		if (e == NULL)
			return true;
	}
}

size_t
wn_api_rulesets_body_limit(const char *method, const char *path)
{
	return strcmp(method, "POST") == 0 &&
	    strcmp(path, WN_API_RULESETS) == 0 ? WN_RS_MAX_PACKAGE : 0;
}

/* the method is one of allowed (GET includes HEAD); else 405 */
static bool
wn_api_rs_method(const wn_http_request *req, wn_http_reply *rep,
    bool get, bool post)
{
	bool is_get = strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0;

	if ((get && is_get) || (post && strcmp(req->method, "POST") == 0))
		return true;
	wn_http_error(rep, 405, "method not allowed");
	rep->allow = get && post ? "GET, HEAD, POST" : get ? "GET, HEAD" :
	    "POST";
	return false;
}

/* the media type ct is want, with or without parameters */
static bool
wn_api_rs_type(const char *ct, const char *want)
{
	size_t n = strlen(want);

	if (ct == NULL || strncasecmp(ct, want, n) != 0)
		return false;
	while (ct[n] == ' ' || ct[n] == '\t')
		n++;
	return ct[n] == '\0' || ct[n] == ';';
}

/* --- JSON ------------------------------------------------------------ */

void
wn_api_rs_version_json(wn_json *j, const wn_rs_version *v, bool with_revoked)
{
	char t[24];
	wn_buf url;

	wn_json_obj_begin(j);
	wn_json_key(j, "name");
	wn_json_str(j, v->name);
	wn_json_key(j, "version");
	wn_json_str(j, v->version);
	wn_json_key(j, "stage");
	wn_json_str(j, wn_rs_stage_name(v->stage));
	wn_json_key(j, "sha256");
	wn_json_str(j, v->sha256);
	wn_json_key(j, "size");
	wn_json_uint(j, v->size);
	wn_json_key(j, "key_id");
	wn_json_str(j, v->key_id);
	wn_json_key(j, "maintainer");
	wn_json_str(j, v->maintainer);
	wn_json_key(j, "published");
	wn_day_time_format(v->published, t, sizeof(t));
	wn_json_str(j, t);
	wn_json_key(j, "rules");
	wn_json_uint(j, v->rules);
	wn_json_key(j, "tests");
	wn_json_uint(j, v->tests);
	wn_json_key(j, "url");
	wn_buf_init(&url);
	wn_buf_printf(&url, WN_API_RULESETS "/%s/%s", v->name, v->version);
	wn_json_str(j, url.failed ? "" : url.data);
	wn_buf_fini(&url);
	if (with_revoked) {
		wn_json_key(j, "revoked");
		wn_json_bool(j, v->revoked);
	}
	wn_json_obj_end(j);
}

static void
wn_api_rs_channel(wn_json *j, const char *key, const wn_rs_version *v)
{
	wn_json_key(j, key);
	if (v != NULL)
		wn_json_str(j, v->version);
	else
		wn_json_null(j);
}

static void
wn_api_rs_set_json(wn_json *j, const wn_rs_set *s)
{
	size_t i;

	wn_json_obj_begin(j);
	wn_json_key(j, "name");
	wn_json_str(j, s->name);
	wn_json_key(j, "maintainer");
	wn_json_str(j, s->maintainer);
	wn_json_key(j, "description");
	wn_json_str(j, s->description != NULL ? s->description : "");
	wn_api_rs_channel(j, "stable", s->stable);
	wn_api_rs_channel(j, "testing", s->testing);
	wn_json_key(j, "versions");
	wn_json_arr_begin(j);
	for (i = 0; i < s->n_versions; i++)
		wn_api_rs_version_json(j, &s->versions[i], true);
	wn_json_arr_end(j);
	wn_json_obj_end(j);
}

/* the answer of an intake or promotion */
static void
wn_api_rs_result(wn_http_reply *rep, const wn_rs_result *res)
{
	const char *p, *e;
	wn_json j;

	rep->status = res->status;
	rep->content_type = "application/json";
	wn_json_init(&j, &rep->body, 0);
	if (res->status == 200 || res->status == 201) {
		wn_api_rs_version_json(&j, &res->version, false);
		wn_buf_putc(&rep->body, '\n');
		return;
	}
	wn_json_obj_begin(&j);
	wn_json_key(&j, "error");
	wn_json_str(&j, res->message);
	if (res->status == 400) {
		wn_json_key(&j, "details");
		wn_json_arr_begin(&j);
		for (p = res->details.data; p != NULL && *p != '\0';
		    p = e + 1) {
			if ((e = strchr(p, '\n')) == NULL)
				break;
			wn_json_strn(&j, p, (size_t)(e - p));
		}
		wn_json_arr_end(&j);
	}
	wn_json_obj_end(&j);
	wn_buf_putc(&rep->body, '\n');
}

/* --- the handlers ---------------------------------------------------- */

static void
wn_api_rs_publish(wn_routes *r, const wn_http_request *req,
    wn_http_reply *rep)
{
	wn_rs_result res;

	if (!wn_api_rs_type(req->content_type, "application/gzip")) {
		wn_http_error(rep, 415, "Content-Type must be "
		    "application/gzip");
		return;
	}
	wn_rs_intake_publish(&r->rulesets, req->body, req->body_len,
	    r->now(), &res);
	wn_api_rs_result(rep, &res);
	if (res.status >= 400 && res.status < 500)
		wn_log_notice("rule-set package refused (%d): %s", res.status,
		    res.message);
	else if (res.status == 201)
		wn_log_notice("rule set %s %s published by key %s",
		    res.version.name, res.version.version,
		    res.version.key_id);
	wn_rs_result_fini(&res);
}

static void
wn_api_rs_promote(wn_routes *r, const wn_http_request *req,
    wn_http_reply *rep, const char *name, const char *version)
{
	wn_rs_result res;

	if (!wn_api_rs_type(req->content_type, "application/json")) {
		wn_http_error(rep, 415, "Content-Type must be "
		    "application/json");
		return;
	}
	wn_rs_intake_promote(&r->rulesets, name, version, req->body,
	    req->body_len, r->now(), &res);
	wn_api_rs_result(rep, &res);
	if (res.status >= 400 && res.status < 500)
		wn_log_notice("promotion of %s %s refused (%d): %s", name,
		    version, res.status, res.message);
	wn_rs_result_fini(&res);
}

/* the sets (name NULL: all) into *sets_out; false after answering */
static bool
wn_api_rs_load(wn_routes *r, wn_http_reply *rep, wn_arena *a,
    const char *name, wn_rs_set **sets_out, size_t *n_out)
{
	int rc;

	if ((rc = wn_repo_db_rulesets(r->db, a, name, sets_out,
	    n_out)) != 0) {
		wn_routes_db_failed(rep, rc);
		return false;
	}
	if (name != NULL && *n_out == 0) {
		wn_http_error(rep, 404, "no such rule set");
		return false;
	}
	return true;
}

static void
wn_api_rs_list(wn_routes *r, wn_http_reply *rep, wn_arena *a,
    const char *name)
{
	wn_rs_set *sets;
	size_t n = 0, i;
	wn_json j;

	if (!wn_api_rs_load(r, rep, a, name, &sets, &n))
		return;
	rep->status = 200;
	rep->content_type = "application/json";
	wn_json_init(&j, &rep->body, 0);
	if (name != NULL) {
		wn_api_rs_set_json(&j, &sets[0]);
	} else {
		wn_json_obj_begin(&j);
		wn_json_key(&j, "rulesets");
		wn_json_arr_begin(&j);
		for (i = 0; i < n; i++)
			wn_api_rs_set_json(&j, &sets[i]);
		wn_json_arr_end(&j);
		wn_json_obj_end(&j);
	}
	wn_buf_putc(&rep->body, '\n');
}

static void
wn_api_rs_latest(wn_routes *r, const wn_http_request *req,
    wn_http_reply *rep, wn_arena *a, const char *name)
{
	const char *stage = req->arg(req->arg_ctx, "stage");
	enum wn_rs_stage want = WN_RS_STABLE;
	const wn_rs_version *v;
	wn_rs_set *sets;
	size_t n = 0;
	wn_json j;

	if (stage != NULL && stage[0] != '\0' &&
	    wn_rs_stage_parse(stage, &want) != 0) {
		wn_http_error(rep, 400, "parameter stage: expected stable or "
		    "testing");
		return;
	}
	if (!wn_api_rs_load(r, rep, a, name, &sets, &n))
		return;
	v = want == WN_RS_STABLE ? sets[0].stable : sets[0].testing;
	if (v == NULL) {
		wn_http_error(rep, 404, want == WN_RS_STABLE ? "the stable "
		    "channel offers no version of this rule set" : "the "
		    "testing channel offers no version of this rule set");
		return;
	}
	rep->status = 200;
	rep->content_type = "application/json";
	wn_json_init(&j, &rep->body, 0);
	wn_api_rs_version_json(&j, v, false);
	wn_buf_putc(&rep->body, '\n');
}

static void
wn_api_rs_package(wn_routes *r, wn_http_reply *rep, wn_arena *a,
    const char *name, const char *version)
{
	const wn_rs_version *v = NULL;
	wn_rs_set *sets;
	size_t n = 0;
	int rc;

	if (!wn_api_rs_load(r, rep, a, name, &sets, &n))
		return;
	if ((v = wn_rs_set_find(&sets[0], version)) == NULL) {
		wn_http_error(rep, 404, "no such version of this rule set");
		return;
	}
	if (v->revoked) {
		wn_http_error(rep, 410, "this version was signed by a key "
		    "that was revoked");
		return;
	}
	if ((rc = wn_repo_db_ruleset_package(r->db, name, version,
	    &rep->body)) != 0) {
		if (rc == WN_ENOENT)
			wn_http_error(rep, 404, "no such version of this rule "
			    "set");
		else
			wn_routes_db_failed(rep, rc);
		return;
	}
	rep->status = 200;
	rep->content_type = "application/gzip";
	snprintf(rep->etag, sizeof(rep->etag), "\"%s\"", v->sha256);
}

/* a name (and version) from the path, or 400 */
static bool
wn_api_rs_names(const wn_api_rs_path *p, wn_http_reply *rep, bool version)
{
	if (p->long_seg || !wn_rs_name_valid(p->seg[0])) {
		wn_http_error(rep, 400, "not a rule-set name (letters, "
		    "digits, '.', '_', '-', at most 64)");
		return false;
	}
	if (version && !wn_rs_version_valid(p->seg[1])) {
		wn_http_error(rep, 400, "not a version (dotted numbers like "
		    "1.0.0)");
		return false;
	}
	return true;
}

static void
wn_api_rs_dispatch(wn_routes *r, const wn_http_request *req,
    wn_http_reply *rep, const wn_api_rs_path *p, wn_arena *a)
{
	bool latest = p->n == 2 && strcmp(p->seg[1], "latest") == 0;

	if (p->n == 0) {
		if (!wn_api_rs_method(req, rep, true, true))
			return;
		if (strcmp(req->method, "POST") == 0)
			wn_api_rs_publish(r, req, rep);
		else
			wn_api_rs_list(r, rep, a, NULL);
	} else if (p->n == 3 && strcmp(p->seg[2], "promote") == 0) {
		if (wn_api_rs_method(req, rep, false, true) &&
		    wn_api_rs_names(p, rep, true))
			wn_api_rs_promote(r, req, rep, p->seg[0], p->seg[1]);
	} else if (p->n == 3) {
		wn_http_error(rep, 404, "no such path");
	} else if (!wn_api_rs_method(req, rep, true, false)) {
		return;
	} else if (p->n == 1) {
		if (wn_api_rs_names(p, rep, false))
			wn_api_rs_list(r, rep, a, p->seg[0]);
	} else if (latest) {
		if (wn_api_rs_names(p, rep, false))
			wn_api_rs_latest(r, req, rep, a, p->seg[0]);
	} else if (wn_api_rs_names(p, rep, true)) {
		wn_api_rs_package(r, rep, a, p->seg[0], p->seg[1]);
	}
}

void
wn_api_rulesets(wn_routes *r, const wn_http_request *req, wn_http_reply *rep)
{
	wn_api_rs_path p;
	wn_arena *a;

	if (!wn_api_rs_split(req->path, &p)) {
		wn_http_error(rep, 404, "no such path");
		return;
	}
	if ((a = wn_arena_new(0)) == NULL) {
		wn_routes_db_failed(rep, WN_ENOMEM);
		return;
	}
	wn_api_rs_dispatch(r, req, rep, &p, a);
	wn_arena_free(&a);
}
