/*
 * intake.c - the report intake: envelope, key, signature, revocation,
 * clock skew, nonce, schema, then the store, each with its own status.
 *
 * The cheap checks that need no key come first, then the database look-up
 * of the key, then the signature, so an unsigned flood costs one parse
 * and one indexed read each. The nonce is looked up here and recorded in
 * the store's transaction, which settles a race between two copies of one
 * envelope (the loser is a replay).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include <winnow/err.h>
#include <winnow/json.h>
#include <winnow/log.h>

#include "day.h"
#include "intake.h"
#include "rollup.h"

void
wn_intake_init(wn_intake *in, wn_repo_db *db, int64_t max_skew)
{
	in->db = db;
	in->max_skew = max_skew > 0 ? max_skew : WN_INTAKE_DEFAULT_SKEW;
	in->bulk_keep = WN_INTAKE_BULK_KEEP;
	atomic_store(&in->next_purge, 0);
}

static int
wn_intake_set(wn_intake_result *out, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
wn_intake_set(wn_intake_result *out, int status, const char *fmt, ...)
{
	va_list ap;

	out->status = status;
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
	return 0;
}

/* a database failure: 503 when it may pass, 500 otherwise */
static int
wn_intake_db_failed(wn_intake_result *out, int rc)
{
	wn_intake_set(out, rc == WN_ENOMEM ? 500 : 503,
	    "the repository's database is not available; try again later");
	return rc;
}

/* Forget nonces older than twice the skew, at most once a minute: a
 * replay of one would be stale anyway. Bulk keys of days the feed no
 * longer counts go too: the feed needs nothing else of them. */
static void
wn_intake_purge(wn_intake *in, int64_t now)
{
	int64_t due = atomic_load(&in->next_purge);

	if (now < due || !atomic_compare_exchange_strong(&in->next_purge, &due,
	    now + WN_INTAKE_PURGE_EVERY))
		return;
	if (wn_repo_db_nonce_purge(in->db, now - 2 * in->max_skew) != 0)
		wn_log_warn("nonces were not purged; trying again in %d s",
		    WN_INTAKE_PURGE_EVERY);
	if (in->bulk_keep > 0 && wn_repo_db_bulk_purge(in->db,
	    wn_day_of_time(now) - (int64_t)in->bulk_keep + 1) != 0)
		wn_log_warn("bulk keys were not purged; trying again in %d s",
		    WN_INTAKE_PURGE_EVERY);
}

static void
wn_intake_digest(const char *text, size_t len, char hex[65])
{
	uint8_t h[32];

	crypto_generichash(h, sizeof(h), (const uint8_t *)text, len, NULL, 0);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

/* the report inside a verified envelope: validate, store */
static int
wn_intake_store(wn_intake *in, const wn_envelope *env,
    const wn_reporter *who, int64_t now, wn_intake_result *out)
{
	enum wn_repo_store_result res = WN_REPO_STORED;
	char err[WN_REPORT_ERR_LEN];
	wn_repo_store_req req;
	wn_rollup_row *rows = NULL;
	wn_arena *a;
	wn_report r;
	int rc;

	if ((a = wn_arena_new(0)) == NULL)
		return wn_intake_db_failed(out, WN_ENOMEM);
	memset(&req, 0, sizeof(req));
	rc = wn_report_parse(env->report, env->report_len, a, &r, err);
	if (rc == WN_EINVAL) {
		wn_arena_free(&a);
		return wn_intake_set(out, 400, "%s", err);
	}
	if (rc == 0 && strcmp(r.key_id, env->key_id) != 0) {
		wn_arena_free(&a);
		return wn_intake_set(out, 400, "report: reporter.key_id %s is "
		    "not the envelope's key_id %s", r.key_id, env->key_id);
	}
	memcpy(out->report_id, r.report_id, sizeof(out->report_id));
	if (rc == 0)
		rc = wn_rollup_build(&r, a, &rows, &req.n_rows);
	if (rc == 0) {
		req.rows = rows;
		req.report = &r;
		req.reporter = who;
		req.text = env->report;
		req.text_len = env->report_len;
		req.nonce = env->nonce;
		req.received = now;
		wn_intake_digest(env->report, env->report_len, req.digest);
		rc = wn_repo_db_store_report(in->db, &req, &res);
	}
	wn_arena_free(&a);
	if (rc != 0)
		return wn_intake_db_failed(out, rc);
	switch (res) {
	case WN_REPO_STORED:
		return wn_intake_set(out, 201, "stored");
	case WN_REPO_DUPLICATE:
		return wn_intake_set(out, 200, "duplicate");
	case WN_REPO_CONFLICT:
		return wn_intake_set(out, 409, "conflict: report %s is stored "
		    "with other content", r.report_id);
	default:
		return wn_intake_set(out, 409, "replay: nonce %s was used "
		    "before by key %s", env->nonce, env->key_id);
	}
}

static int
wn_intake_checks(wn_intake *in, const wn_envelope *env, int64_t now,
    wn_intake_result *out)
{
	wn_reporter who;
	wn_buf signed_text;
	bool ok, seen = false;
	int64_t skew;
	int rc;

	rc = wn_repo_db_reporter_get(in->db, env->key_id, &who);
	if (rc == WN_ENOENT)
		return wn_intake_set(out, 401, "key %s is not a registered "
		    "reporter key", env->key_id);
	if (rc != 0)
		return wn_intake_db_failed(out, rc);
	wn_buf_init(&signed_text);
	wn_envelope_signed_text(env->key_id, env->signed_at, env->nonce,
	    env->report, env->report_len, &signed_text);
	if (signed_text.failed) {
		wn_buf_fini(&signed_text);
		return wn_intake_db_failed(out, WN_ENOMEM);
	}
	ok = wn_sign_verify(&who.key, signed_text.data, signed_text.len,
	    env->signature);
	wn_buf_fini(&signed_text);
	if (!ok)
		return wn_intake_set(out, 401, "the signature does not verify "
		    "under key %s", env->key_id);
	if (who.revoked != 0)
		return wn_intake_set(out, 403, "key %s was revoked",
		    env->key_id);
	skew = env->signed_time - now;
	if (skew < 0)
		skew = -skew;
	if (skew > in->max_skew)
		return wn_intake_set(out, 409, "stale: signed_at %s is %" PRId64
		    " s from the repository's clock (at most %" PRId64 " s)",
		    env->signed_at, skew, in->max_skew);
	if ((rc = wn_repo_db_nonce_seen(in->db, env->key_id, env->nonce,
	    &seen)) != 0)
		return wn_intake_db_failed(out, rc);
	if (seen)
		return wn_intake_set(out, 409, "replay: nonce %s was used "
		    "before by key %s", env->nonce, env->key_id);
	return wn_intake_store(in, env, &who, now, out);
}

int
wn_intake_submit(wn_intake *in, const char *body, size_t len, int64_t now,
    wn_intake_result *out)
{
	char err[WN_REPORT_ERR_LEN];
	wn_envelope env;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = wn_envelope_parse(body, len, &env, err);
	if (rc == WN_EINVAL)
		return wn_intake_set(out, 400, "%s", err);
	if (rc != 0)
		return wn_intake_db_failed(out, rc);
	rc = wn_intake_checks(in, &env, now, out);
	wn_envelope_fini(&env);
	if (out->status < 500)
		wn_intake_purge(in, now);
	return rc;
}

void
wn_intake_answer(const wn_intake_result *res, wn_buf *out)
{
	wn_json j;

	wn_json_init(&j, out, 0);
	wn_json_obj_begin(&j);
	if (res->status == 200 || res->status == 201) {
		wn_json_key(&j, "status");
		wn_json_str(&j, res->message);
		wn_json_key(&j, "report_id");
		wn_json_str(&j, res->report_id);
	} else {
		wn_json_key(&j, "error");
		wn_json_str(&j, res->message);
	}
	wn_json_obj_end(&j);
}
