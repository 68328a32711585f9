/*
 * ruleset_intake.c - POST /api/v1/rulesets: a signed package from bytes
 * to a stored version, each refusal with its own status.
 *
 * Order: the package is verified against every registered maintainer
 * key, revoked ones included, so that a package signed by a revoked key
 * is told apart from one signed by a key nobody registered (both 403);
 * nothing in it is believed before its signature holds. Then the cheap
 * answers from the database (not the owner, stored before, not newer),
 * then the expensive check (unpack, compile, run the set's tests), then
 * the store, whose transaction decides ownership and order once more so
 * two publishers racing cannot both win.
 */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include <winnow/codec.h>
#include <winnow/diag.h>
#include <winnow/err.h>
#include <winnow/log.h>
#include <winnow/rules.h>
#include <winnow/ruleset_check.h>

#include "ruleset_intake.h"

#define WN_RS_DEFAULT_SKEW 900		/* seconds: 15 minutes */
#define WN_RS_MAX_TEXT 1024		/* bytes kept of a description */
/* the score set stored for each rule: network tests and Bayes on */
#define WN_RS_SCORE_SET 3

void
wn_rs_intake_init(wn_rs_intake *in, wn_repo_db *db, const char *tmp_dir,
    int64_t max_skew)
{
	in->db = db;
	in->tmp_dir = tmp_dir;
	in->max_skew = max_skew > 0 ? max_skew : WN_RS_DEFAULT_SKEW;
}

int
wn__rs_result_set(wn_rs_result *out, int status, const char *fmt, ...)
{
	va_list ap;

	out->status = status;
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
	return 0;
}

int
wn__rs_db_failed(wn_rs_result *out, int rc)
{
	wn__rs_result_set(out, rc == WN_ENOMEM ? 500 : 503, rc == WN_ENOMEM ?
	    "out of memory" : "the repository's database is not available; "
	    "try again later");
	return rc;
}

void
wn_rs_result_fini(wn_rs_result *r)
{
	wn_buf_fini(&r->details);
	r->n_details = 0;
}

static void
wn_rs_result_init(wn_rs_result *r)
{
	memset(r, 0, sizeof(*r));
	wn_buf_init(&r->details);
}

/* s as valid UTF-8 of at most WN_RS_MAX_TEXT bytes, from a */
static const char *
wn_rs_text(wn_arena *a, const char *s)
{
	uint32_t flags = 0;
	wn_str t;

	if (s == NULL)
		return "";
	if (wn_charset_to_utf8(a, NULL, s, strlen(s), WN_RS_MAX_TEXT, &t,
	    NULL, &flags) != 0)
		return NULL;
	return t.p != NULL ? t.p : "";
}

/* --- verification ---------------------------------------------------- */

/*
 * A verification failure as an answer. A package whose signer (the key
 * its signature line names) is not among the registered keys is refused
 * for the key (403); any other failure is about the package (400).
 */
static int
wn_rs_verify_failed(wn_rs_result *out, int rc, const char *err,
    const char *claimed, bool registered)
{
	if (rc == WN_ENOMEM)
		return wn__rs_db_failed(out, rc);
	if (rc == WN_ELIMIT)
		return wn__rs_result_set(out, 413, "%s", err);
	if (rc == WN_EFORMAT && claimed[0] != '\0' && !registered)
		return wn__rs_result_set(out, 403, "the package is signed by "
		    "key %s, which is not a registered maintainer key",
		    claimed);
	if (rc == WN_EFORMAT)
		return wn__rs_result_set(out, 400, "%s", err);
	wn_log_err("rule-set package: %s", err);
	return wn__rs_result_set(out, 500, "the package could not be "
	    "verified");
}

/* the signer's registration among all of m[0..n) */
static const wn_maintainer *
wn_rs_signer(const wn_maintainer *m, size_t n, const char *key_id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(m[i].key.id, key_id) == 0)
			return &m[i];
	return NULL;
}

static int
wn_rs_verify(wn_rs_intake *in, const void *body, size_t len, wn_arena *a,
    wn_ruleset_pkg *pkg, const wn_maintainer **signer_out,
    wn_rs_result *out)
{
	char err[WN_RULESET_PKG_ERR_LEN];
	wn_maintainer *m = NULL;
	wn_pubkey *keys;
	size_t n = 0, i;
	int rc;

	if ((rc = wn_repo_db_maintainer_list(in->db, a, &m, &n)) != 0)
		return wn__rs_db_failed(out, rc);
	if ((keys = wn_arena_calloc(a, n + 1, sizeof(*keys))) == NULL)
		return wn__rs_db_failed(out, WN_ENOMEM);
	for (i = 0; i < n; i++)
		keys[i] = m[i].key;
	err[0] = '\0';
	rc = wn_ruleset_pkg_verify_mem(body, len, keys, n, NULL, pkg, err);
	if (rc != 0) {
		wn_rs_verify_failed(out, rc, err, pkg->key_id,
		    wn_rs_signer(m, n, pkg->key_id) != NULL);
		return rc == WN_ENOMEM ? rc : 0;
	}
	*signer_out = wn_rs_signer(m, n, pkg->key_id);
	if (*signer_out == NULL)	/* verify_mem says it is one of keys */
		return wn__rs_result_set(out, 500, "the signer vanished");
	if ((*signer_out)->revoked != 0)
		return wn__rs_result_set(out, 403, "key %s (maintainer %s) "
		    "was revoked", pkg->key_id, (*signer_out)->name);
	return 0;
}

/* --- the check of the unpacked set ----------------------------------- */

static int
wn_rs_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) != 0)
		wn_log_warn_errno("cannot remove %s", path);
	return 0;
}

/* s with every "<dir>/" removed, appended to out */
static void
wn_rs_strip(wn_buf *out, const char *s, const char *dir, size_t dlen)
{
	const char *p;

	while ((p = strstr(s, dir)) != NULL && p[dlen] == '/') {
		wn_buf_append(out, s, (size_t)(p - s));
		s = p + dlen + 1;
	}
	wn_buf_puts(out, s);
}

/* one finding as "FILE:LINE: message", paths relative to dir */
static void
wn_rs_detail(wn_rs_result *out, const wn_diag *g, const char *dir,
    size_t dlen)
{
	if (g->file != NULL && g->file[0] != '\0') {
		wn_rs_strip(&out->details, g->file, dir, dlen);
		if (g->line > 0)
			wn_buf_printf(&out->details, ":%u", g->line);
		wn_buf_puts(&out->details, ": ");
	}
	if (g->severity == WN_DIAG_WARNING)
		wn_buf_puts(&out->details, "warning: ");
	wn_rs_strip(&out->details, g->msg ? g->msg : "", dir, dlen);
	wn_buf_putc(&out->details, '\n');
	out->n_details++;
}

/* the findings, errors before warnings, at most WN_RS_MAX_DETAILS and a
 * line saying how many more there were */
static void
wn_rs_details(wn_rs_result *out, const wn_diag_list *d, const char *dir)
{
	size_t dlen = strlen(dir), i, total = d->errors + d->warnings;

	for (i = 0; i < d->n && out->n_details < WN_RS_MAX_DETAILS; i++)
		if (d->v[i].severity == WN_DIAG_ERROR)
			wn_rs_detail(out, &d->v[i], dir, dlen);
	for (i = 0; i < d->n && out->n_details < WN_RS_MAX_DETAILS; i++)
		if (d->v[i].severity != WN_DIAG_ERROR)
			wn_rs_detail(out, &d->v[i], dir, dlen);
	if (total > out->n_details) {
		wn_buf_printf(&out->details, "... and %zu more\n",
		    total - out->n_details);
		out->n_details++;
	}
}

/*
 * Unpack pkg into a fresh folder under the temporary directory and run
 * wn_ruleset_check on it; the folder is removed whatever happens.
 * *rules_out (the compiled set) only when the set passed.
 */
static int
wn_rs_check(wn_rs_intake *in, const wn_ruleset_pkg *pkg,
    wn_ruleset_check_result *res, wn_rules **rules_out, wn_rs_result *out)
{
	const char *base = in->tmp_dir;
	char err[WN_RULESET_PKG_ERR_LEN];
	char *tmp = NULL, *dir = NULL;
	wn_diag_list d;
	int rc;

	if (base == NULL && (base = getenv("TMPDIR")) == NULL)
		base = "/tmp";
	if (asprintf(&tmp, "%s/winnow-repository-XXXXXX", base) < 0)
		return wn__rs_db_failed(out, WN_ENOMEM);
	if (mkdtemp(tmp) == NULL) {
		wn_log_err_errno("cannot make a temporary folder in %s", base);
		free(tmp);
		wn__rs_result_set(out, 503, "the package cannot be unpacked; "
		    "try again later");
		return WN_EIO;
	}
	if (asprintf(&dir, "%s/%s", tmp, pkg->top) < 0) {
		dir = NULL;
		rc = wn__rs_db_failed(out, WN_ENOMEM);
		goto out;
	}
	if ((rc = wn_ruleset_pkg_write_dir(pkg, dir, err)) != 0) {
		wn_log_err("rule-set package %s: %s", pkg->top, err);
		wn__rs_result_set(out, 503, "the package cannot be unpacked; "
		    "try again later");
		goto out;
	}
	wn_diag_list_init(&d);
	rc = wn_ruleset_check(dir, &d, res, NULL, rules_out);
	if (rc == WN_EFORMAT || (rc == 0 && d.errors > 0)) {
		wn_rs_details(out, &d, tmp);
		wn__rs_result_set(out, 400, "rule set %s does not pass its "
		    "checks (%zu error%s)", pkg->top, d.errors,
		    d.errors == 1 ? "" : "s");
		if (out->details.failed)
			wn__rs_db_failed(out, WN_ENOMEM);
		wn_rules_free(rules_out);
		rc = 0;
	} else if (rc != 0) {
		wn_log_err("rule set %s: check failed: %s", pkg->top,
		    wn_strerror(rc));
		wn__rs_db_failed(out, rc == WN_ENOMEM ? rc : WN_EIO);
		wn_rules_free(rules_out);
	}
	wn_diag_list_fini(&d);
out:
	nftw(tmp, wn_rs_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
	free(tmp);
	return rc;
}

/* --- the store ------------------------------------------------------- */

/* the rules of rs as rows to store, from a */
static int
wn_rs_rules(wn_arena *a, const wn_rules *rs, wn_rs_rule **out, size_t *n_out)
{
	size_t n = wn_rules_count(rs), i;
	wn_rs_rule *v;

	if ((v = wn_arena_calloc(a, n + 1, sizeof(*v))) == NULL)
		return WN_ENOMEM;
	for (i = 0; i < n; i++) {
		v[i].name = wn_rules_name(rs, i);
		v[i].score = wn_rules_score(rs, i, WN_RS_SCORE_SET);
		v[i].scoring = wn_rules_scoring(rs, i);
		if ((v[i].describe = wn_rs_text(a, wn_rules_describe(rs,
		    i))) == NULL)
			return WN_ENOMEM;
	}
	*out = v;
	*n_out = n;
	return 0;
}

/* answer 200, 403 or 409 from a decision other than WN_RS_STORED */
static int
wn_rs_decided(wn_rs_result *out, enum wn_rs_publish_result r,
    const wn_rs_publish *req, const wn_rs_version *other)
{
	switch (r) {
	case WN_RS_DUPLICATE:
		out->version = *other;
		return wn__rs_result_set(out, 200, "stored before");
	case WN_RS_NOT_OWNER:
		return wn__rs_result_set(out, 403, "rule set %s belongs to "
		    "maintainer %s, not to %s", req->v.name, other->maintainer,
		    req->v.maintainer);
	case WN_RS_CONFLICT:
		return wn__rs_result_set(out, 409, "%s %s is stored with other "
		    "content (%s %s)", req->v.name, req->v.version,
		    other->version, other->sha256);
	case WN_RS_NOT_NEWER:
		return wn__rs_result_set(out, 409, "%s %s is not newer than "
		    "the newest version, %s", req->v.name, req->v.version,
		    other->version);
	case WN_RS_STORED:
	default:
		return wn__rs_result_set(out, 201, "stored");
	}
}

/* the answers the stored versions give before any check runs; 1 if so */
static int
wn_rs_precheck(wn_rs_intake *in, wn_arena *a, const wn_rs_publish *req,
    wn_rs_result *out)
{
	enum wn_rs_publish_result r;
	wn_rs_version other;
	wn_rs_set *sets;
	size_t n = 0, which;
	int rc;

	if ((rc = wn_repo_db_rulesets(in->db, a, req->v.name, &sets,
	    &n)) != 0) {
		wn__rs_db_failed(out, rc);
		return rc;
	}
	if (n == 0)
		return 0;
	memset(&other, 0, sizeof(other));
	if (strcmp(sets[0].maintainer, req->v.maintainer) != 0) {
		memcpy(other.maintainer, sets[0].maintainer,
		    sizeof(other.maintainer));
		wn_rs_decided(out, WN_RS_NOT_OWNER, req, &other);
		return 1;
	}
	r = wn_rs_publish_decide(req, sets[0].versions, sets[0].n_versions,
	    &which);
	if (r == WN_RS_STORED)
		return 0;
	wn_rs_decided(out, r, req, &sets[0].versions[which]);
	return 1;
}

static int
wn_rs_store(wn_rs_intake *in, wn_arena *a, wn_rs_publish *req,
    const wn_rules *rs, wn_rs_result *out)
{
	enum wn_rs_publish_result r = WN_RS_STORED;
	wn_rs_rule *rules = NULL;
	wn_rs_version other;
	size_t n = 0;
	int rc;

	if ((rc = wn_rs_rules(a, rs, &rules, &n)) != 0)
		return wn__rs_db_failed(out, rc);
	req->rules = rules;
	req->n_rules = n;
	if ((rc = wn_repo_db_ruleset_publish(in->db, req, &r, &other)) != 0)
		return wn__rs_db_failed(out, rc);
	if (r == WN_RS_STORED) {
		out->version = req->v;
		out->version.stage = WN_RS_TESTING;
	}
	return wn_rs_decided(out, r, req, &other);
}

static int
wn_rs_intake_run(wn_rs_intake *in, const void *body, size_t len, int64_t now,
    wn_arena *a, wn_rs_result *out)
{
	const wn_maintainer *signer = NULL;
	wn_ruleset_check_result res;
	wn_rules *rs = NULL;
	wn_ruleset_pkg pkg;
	wn_rs_publish req;
	uint8_t h[crypto_hash_sha256_BYTES];
	int rc;

	memset(&pkg, 0, sizeof(pkg));
	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	if ((rc = wn_rs_verify(in, body, len, a, &pkg, &signer, out)) != 0 ||
	    out->status != 0)
		goto out;
	snprintf(req.v.name, sizeof(req.v.name), "%s", pkg.manifest.name);
	snprintf(req.v.version, sizeof(req.v.version), "%s",
	    pkg.manifest.version);
	snprintf(req.v.key_id, sizeof(req.v.key_id), "%s", pkg.key_id);
	snprintf(req.v.maintainer, sizeof(req.v.maintainer), "%s",
	    signer->name);
	crypto_hash_sha256(h, body, len);
	sodium_bin2hex(req.v.sha256, sizeof(req.v.sha256), h, sizeof(h));
	req.v.size = len;
	req.v.published = now;
	req.package = body;
	req.package_len = len;
	if ((req.description = wn_rs_text(a,
	    pkg.manifest.description)) == NULL) {
		rc = wn__rs_db_failed(out, WN_ENOMEM);
		goto out;
	}
	if ((rc = wn_rs_precheck(in, a, &req, out)) != 0)
		goto out;
	if ((rc = wn_rs_check(in, &pkg, &res, &rs, out)) != 0 ||
	    out->status != 0)
		goto out;
	req.v.rules = res.rules;
	req.v.tests = res.messages;
	rc = wn_rs_store(in, a, &req, rs, out);
out:
	wn_rules_free(&rs);
	wn_ruleset_pkg_fini(&pkg);
	return rc == 1 ? 0 : rc;
}

int
wn_rs_intake_publish(wn_rs_intake *in, const void *body, size_t len,
    int64_t now, wn_rs_result *out)
{
	wn_arena *a;
	int rc;

	wn_rs_result_init(out);
	if ((a = wn_arena_new(0)) == NULL)
		return wn__rs_db_failed(out, WN_ENOMEM);
	rc = wn_rs_intake_run(in, body, len, now, a, out);
	wn_arena_free(&a);
	if (out->status == 0)
		rc = wn__rs_db_failed(out, rc != 0 ? rc : WN_EIO);
	return rc;
}
