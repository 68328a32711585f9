/*
 * ruleset_promote.c - POST /api/v1/rulesets/NAME/VERSION/promote: the
 * body's form, then the version, the key (registered, not revoked, the
 * owner's), the signature over wn_ruleset_promote_text, the clock, and
 * the move from testing to stable.
 *
 * A promotion has no nonce: replaying one can only ask again for what
 * was done (stable stays stable, 200 with nothing changed), and the
 * clock bounds how long a captured body is worth anything. A stale time
 * is refused with 403, as a signature that no longer authorises.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <winnow/buf.h>
#include <winnow/err.h>
#include <winnow/ruleset_meta.h>

#include "day.h"
#include "ruleset_intake.h"

#define WN_RS_PROMOTE_MAX 4096		/* bytes of a promotion body */

static int
wn_rs_promote_err(char *err, const char *member, const char *why)
{
	snprintf(err, WN_RS_ERR_LEN, "promotion: %s%s%s", member,
	    member[0] != '\0' ? ": " : "", why);
	return WN_EINVAL;
}

static bool
wn_rs_hex_lower(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool
wn_rs_base64(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/' ||
		    (c == '=' && i + 2 >= n)))
			return false;
	}
	return true;
}

/* member key of root as a string; *n_out its length */
static const char *
wn_rs_member(json_t *root, const char *key, size_t *n_out, char *err)
{
	json_t *v = json_object_get(root, key);

	if (v == NULL) {
		wn_rs_promote_err(err, key, "missing");
		return NULL;
	}
	if (!json_is_string(v)) {
		wn_rs_promote_err(err, key, "expected a string");
		return NULL;
	}
	*n_out = json_string_length(v);
	return json_string_value(v);
}

static int
wn_rs_promote_fields(json_t *root, wn_rs_promote_req *out, char *err)
{
	const char *s;
	size_t n;

	if ((s = wn_rs_member(root, "stage", &n, err)) == NULL)
		return WN_EINVAL;
	if (n != strlen(s) || wn_rs_stage_parse(s, &out->stage) != 0)
		return wn_rs_promote_err(err, "stage", "expected \"stable\"");
	if (out->stage != WN_RS_STABLE)
		return wn_rs_promote_err(err, "stage", "only testing to "
		    "stable exists; expected \"stable\"");
	if ((s = wn_rs_member(root, "time", &n, err)) == NULL)
		return WN_EINVAL;
	if (n != sizeof(out->time) - 1 || wn_day_time_parse(s, n,
	    &out->t) != 0)
		return wn_rs_promote_err(err, "time", "expected "
		    "YYYY-MM-DDTHH:MM:SSZ");
	memcpy(out->time, s, n + 1);
	if ((s = wn_rs_member(root, "key_id", &n, err)) == NULL)
		return WN_EINVAL;
	if (n != WN_SIGN_KEY_ID_LEN || !wn_rs_hex_lower(s, n))
		return wn_rs_promote_err(err, "key_id", "expected 16 "
		    "lowercase hex digits");
	memcpy(out->key_id, s, n + 1);
	if ((s = wn_rs_member(root, "signature", &n, err)) == NULL)
		return WN_EINVAL;
	if (n != WN_SIGN_SIG_B64_LEN || !wn_rs_base64(s, n))
		return wn_rs_promote_err(err, "signature", "expected the "
		    "base64 of a 64-byte Ed25519 signature");
	memcpy(out->signature, s, n + 1);
	return 0;
}

int
wn_rs_promote_parse(const char *body, size_t len, wn_rs_promote_req *out,
    char *err)
{
	json_error_t je;
	json_t *root;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > WN_RS_PROMOTE_MAX)
		return wn_rs_promote_err(err, "", "larger than 4096 bytes");
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		snprintf(err, WN_RS_ERR_LEN, "promotion: not JSON: %s (line "
		    "%d, column %d)", je.text, je.line, je.column);
		return WN_EINVAL;
	}
	if (!json_is_object(root))
		rc = wn_rs_promote_err(err, "", "expected a JSON object");
	else
		rc = wn_rs_promote_fields(root, out, err);
	json_decref(root);
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* the key of the request, allowed to promote in set s; 0 or answered */
static int
wn_rs_promote_key(wn_rs_intake *in, const wn_rs_promote_req *req,
    const wn_rs_set *s, wn_maintainer *m, wn_rs_result *out)
{
	int rc;

	rc = wn_repo_db_maintainer_get(in->db, req->key_id, m);
	if (rc == WN_ENOENT)
		return wn__rs_result_set(out, 403, "key %s is not a "
		    "registered maintainer key", req->key_id);
	if (rc != 0)
		return wn__rs_db_failed(out, rc);
	if (m->revoked != 0)
		return wn__rs_result_set(out, 403, "key %s (maintainer %s) "
		    "was revoked", req->key_id, m->name);
	if (strcmp(m->name, s->maintainer) != 0)
		return wn__rs_result_set(out, 403, "rule set %s belongs to "
		    "maintainer %s, not to %s", s->name, s->maintainer,
		    m->name);
	return 0;
}

static int
wn_rs_promote_checks(wn_rs_intake *in, const wn_rs_set *s,
    const wn_rs_version *v, const wn_rs_promote_req *req, int64_t now,
    wn_rs_result *out)
{
	wn_maintainer m;
	wn_buf text;
	int64_t skew;
	bool ok;
	int rc;

	if ((rc = wn_rs_promote_key(in, req, s, &m, out)) != 0 ||
	    out->status != 0)
		return rc;
	wn_buf_init(&text);
	rc = wn_ruleset_promote_text(s->name, v->version,
	    wn_rs_stage_name(req->stage), req->time, &text);
	if (rc != 0 || text.failed) {
		wn_buf_fini(&text);
		return wn__rs_db_failed(out, WN_ENOMEM);
	}
	ok = wn_sign_verify(&m.key, text.data, text.len, req->signature);
	wn_buf_fini(&text);
	if (!ok)
		return wn__rs_result_set(out, 403, "the signature does not "
		    "verify under key %s", req->key_id);
	skew = req->t - now;
	if (skew < 0)
		skew = -skew;
	if (skew > in->max_skew)
		return wn__rs_result_set(out, 403, "stale: time %s is %" PRId64
		    " s from the repository's clock (at most %" PRId64 " s)",
		    req->time, skew, in->max_skew);
	if (v->revoked)
		return wn__rs_result_set(out, 410, "%s %s was signed by key "
		    "%s, which was revoked", s->name, v->version, v->key_id);
	return 0;
}

static int
wn_rs_promote_run(wn_rs_intake *in, wn_arena *a, const char *name,
    const char *version, const wn_rs_promote_req *req, int64_t now,
    wn_rs_result *out)
{
	const wn_rs_version *v = NULL;
	wn_rs_set *sets;
	size_t n = 0;
	bool changed = false;
	int rc;

	if ((rc = wn_repo_db_rulesets(in->db, a, name, &sets, &n)) != 0)
		return wn__rs_db_failed(out, rc);
	if (n == 0 || (v = wn_rs_set_find(&sets[0], version)) == NULL)
		return wn__rs_result_set(out, 404, "no version %s of rule set "
		    "%s", version, name);
	if ((rc = wn_rs_promote_checks(in, &sets[0], v, req, now, out)) != 0 ||
	    out->status != 0)
		return rc;
	rc = wn_repo_db_ruleset_promote(in->db, name, version, now, &changed);
	if (rc == WN_ENOENT)
		return wn__rs_result_set(out, 404, "no version %s of rule set "
		    "%s", version, name);
	if (rc != 0)
		return wn__rs_db_failed(out, rc);
	out->version = *v;
	out->version.stage = WN_RS_STABLE;
	if (changed)
		out->version.promoted = now;
	return wn__rs_result_set(out, 200, changed ? "promoted" :
	    "stable already");
}

int
wn_rs_intake_promote(wn_rs_intake *in, const char *name, const char *version,
    const char *body, size_t len, int64_t now, wn_rs_result *out)
{
	char err[WN_RS_ERR_LEN];
	wn_rs_promote_req req;
	wn_arena *a;
	int rc;

	memset(out, 0, sizeof(*out));
	wn_buf_init(&out->details);
	if (!wn_rs_name_valid(name) || !wn_rs_version_valid(version))
		return wn__rs_result_set(out, 400, "not a rule-set name and "
		    "version");
	rc = wn_rs_promote_parse(body, len, &req, err);
	if (rc == WN_EINVAL)
		return wn__rs_result_set(out, 400, "%s", err);
	if (rc != 0)
		return wn__rs_db_failed(out, rc);
	if ((a = wn_arena_new(0)) == NULL)
		return wn__rs_db_failed(out, WN_ENOMEM);
	rc = wn_rs_promote_run(in, a, name, version, &req, now, out);
	wn_arena_free(&a);
	return rc;
}
