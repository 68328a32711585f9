/*
 * db_pg_rulesets.c - the rule-set channels in the PostgreSQL backend:
 * maintainers, sets, versions with their package bytes (bytea, passed
 * and read in binary), and the rules of each version.
 *
 * A publish is one transaction that locks its set's row (SELECT ... FOR
 * UPDATE) before it reads the stored versions, so two publishes of one
 * set are decided one after the other; a new set's row is inserted first
 * with ON CONFLICT DO NOTHING, which makes a second publisher of the same
 * new name wait for the first. The rules go in one statement over
 * unnest()ed arrays.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/buf.h>
#include <winnow/err.h>
#include <winnow/log.h>

#include "db.h"
#include "db_pg_int.h"

enum {
	WN_PQ_RS_MAINT_ADD,
	WN_PQ_RS_MAINT_GET,
	WN_PQ_RS_MAINT_LIST,
	WN_PQ_RS_MAINT_REVOKE,
	WN_PQ_RS_SET_ADD,
	WN_PQ_RS_SET_OWNER,
	WN_PQ_RS_SET_DESCRIBE,
	WN_PQ_RS_VERSION_ADD,
	WN_PQ_RS_RULES_ADD,
	WN_PQ_RS_PROMOTE,
	WN_PQ_RS_EXISTS,
	WN_PQ_RS_VERSIONS,
	WN_PQ_RS_PACKAGE,
	WN_PQ_RS_RULES,
	WN_PQ_RS_COUNT
};

_Static_assert(WN_PQ_RS_COUNT <= WN__PQ_RS_SLOTS,
    "db_pg_int.h: WN__PQ_RS_SLOTS is too small");

#define WN_PQ_RS_VERSION_COLS "s.name, s.maintainer, s.description, " \
	"v.version, v.stage, v.sha256, v.size, v.key_id, v.published, " \
	"v.promoted, v.n_rules, v.n_tests, m.revoked IS NOT NULL"

static const struct {
	const char *sql;
	int nparams;
} wn_pq_rs_sql[WN_PQ_RS_COUNT] = {
	[WN_PQ_RS_MAINT_ADD] = { "INSERT INTO maintainers (key_id, "
	    "public_key, name, added) VALUES ($1, $2, $3, $4) "
	    "ON CONFLICT DO NOTHING", 4 },
	[WN_PQ_RS_MAINT_GET] = { "SELECT key_id, public_key, name, added, "
	    "revoked FROM maintainers WHERE key_id = $1", 1 },
	[WN_PQ_RS_MAINT_LIST] = { "SELECT key_id, public_key, name, added, "
	    "revoked FROM maintainers ORDER BY key_id COLLATE \"C\"", 0 },
	[WN_PQ_RS_MAINT_REVOKE] = { "UPDATE maintainers SET revoked = $2 "
	    "WHERE key_id = $1 AND revoked IS NULL", 2 },
	[WN_PQ_RS_SET_ADD] = { "INSERT INTO rulesets (name, maintainer, "
	    "description, created) VALUES ($1, $2, $3, $4) "
	    "ON CONFLICT (name) DO NOTHING", 4 },
	[WN_PQ_RS_SET_OWNER] = { "SELECT maintainer FROM rulesets "
	    "WHERE name = $1 FOR UPDATE", 1 },
	[WN_PQ_RS_SET_DESCRIBE] = { "UPDATE rulesets SET description = $2 "
	    "WHERE name = $1", 2 },
	[WN_PQ_RS_VERSION_ADD] = { "INSERT INTO ruleset_versions (name, "
	    "version, stage, sha256, size, key_id, published, n_rules, "
	    "n_tests, package) VALUES ($1, $2, 'testing', $3, $4, $5, $6, "
	    "$7, $8, $9) RETURNING id", 9 },
	[WN_PQ_RS_RULES_ADD] = { "INSERT INTO ruleset_rules (version_id, "
	    "rule, score, describe, scoring) SELECT $1::bigint, r, s, d, g "
	    "FROM unnest($2::text[], $3::float8[], $4::text[], "
	    "$5::bigint[]) AS u (r, s, d, g) ON CONFLICT DO NOTHING", 5 },
	[WN_PQ_RS_PROMOTE] = { "UPDATE ruleset_versions SET stage = "
	    "'stable', promoted = $3 WHERE name = $1 AND version = $2 AND "
	    "stage = 'testing'", 3 },
	[WN_PQ_RS_EXISTS] = { "SELECT 1 FROM ruleset_versions WHERE "
	    "name = $1 AND version = $2", 2 },
	[WN_PQ_RS_VERSIONS] = { "SELECT " WN_PQ_RS_VERSION_COLS " FROM "
	    "rulesets s JOIN ruleset_versions v ON v.name = s.name "
	    "JOIN maintainers m ON m.key_id = v.key_id "
	    "WHERE $1::text = '' OR s.name = $1 "
	    "ORDER BY s.name COLLATE \"C\", v.id", 1 },
	[WN_PQ_RS_PACKAGE] = { "SELECT package FROM ruleset_versions "
	    "WHERE name = $1 AND version = $2", 2 },
	[WN_PQ_RS_RULES] = { "SELECT r.rule, r.score, r.describe, r.scoring "
	    "FROM ruleset_rules r JOIN ruleset_versions v ON "
	    "v.id = r.version_id WHERE v.name = $1 AND v.version = $2 "
	    "ORDER BY r.rule COLLATE \"C\"", 2 },
};

/*
 * Run statement i: params as text, except where formats says 1 (binary,
 * with lengths); the rows in binary when binary is set. The result, or
 * NULL after logging.
 */
static PGresult *
wn_pq_rs_run(wn_db_pg *p, wn_pq_conn *c, int i, const char *const *params,
    const int *lengths, const int *formats, int binary, const char *what)
{
	char name[16];

	snprintf(name, sizeof(name), "wr%d", i);
	return wn__pq_exec_prepared(p, c, name, &c->rs_prepared[i],
	    wn_pq_rs_sql[i].sql, wn_pq_rs_sql[i].nparams, params, lengths,
	    formats, binary, what, NULL);
}

/* a statement of text parameters on a connection of the pool */
static PGresult *
wn_pq_rs_once(wn_db_pg *p, int i, const char *const *params, int binary,
    const char *what, int *rc_out)
{
	PGresult *res;
	wn_pq_conn *c;

	if ((*rc_out = wn__pq_acquire(p, &c)) != 0)
		return NULL;
	res = wn_pq_rs_run(p, c, i, params, NULL, NULL, binary, what);
	wn__pq_release(p, c);
	if (res == NULL)
		*rc_out = WN_EIO;
	return res;
}

/* --- maintainers ----------------------------------------------------- */

int
wn__pq_maintainer_add(wn_repo_db *db, const wn_maintainer *m)
{
	wn_db_pg *p = (wn_db_pg *)db;
	char pk[80], added[24];
	const char *params[4] = { m->key.id, pk, m->name, added };
	PGresult *res;
	int rc;

	wn_pubkey_format(&m->key, pk, sizeof(pk));
	snprintf(added, sizeof(added), "%" PRId64, m->added);
	res = wn_pq_rs_once(p, WN_PQ_RS_MAINT_ADD, params, 0,
	    "add maintainer", &rc);
	if (res != NULL && strcmp(PQcmdTuples(res), "0") == 0)
		rc = WN_EINVAL;
	PQclear(res);
	return rc;
}

static void
wn_pq_maintainer_row(const PGresult *res, int i, wn_maintainer *m)
{
	const char *pk = PQgetvalue(res, i, 1);

	memset(m, 0, sizeof(*m));
	if (wn_pubkey_parse(pk, strlen(pk), &m->key) != 0)
		memset(&m->key, 0, sizeof(m->key));
	snprintf(m->key.id, sizeof(m->key.id), "%s", PQgetvalue(res, i, 0));
	snprintf(m->name, sizeof(m->name), "%s", PQgetvalue(res, i, 2));
	m->added = wn__pq_int(res, i, 3);
	m->revoked = wn__pq_int(res, i, 4);
}

int
wn__pq_maintainer_get(wn_repo_db *db, const char *key_id, wn_maintainer *out)
{
	wn_db_pg *p = (wn_db_pg *)db;
	const char *params[1] = { key_id };
	PGresult *res;
	int rc;

	res = wn_pq_rs_once(p, WN_PQ_RS_MAINT_GET, params, 0,
	    "look up maintainer", &rc);
	if (res != NULL && PQntuples(res) == 0)
		rc = WN_ENOENT;
	else if (res != NULL)
		wn_pq_maintainer_row(res, 0, out);
	PQclear(res);
	return rc;
}

int
wn__pq_maintainer_list(wn_repo_db *db, wn_arena *a, wn_maintainer **out,
    size_t *n_out)
{
	wn_db_pg *p = (wn_db_pg *)db;
	wn_maintainer *v;
	PGresult *res;
	int rc, i, n;

	res = wn_pq_rs_once(p, WN_PQ_RS_MAINT_LIST, NULL, 0,
	    "list maintainers", &rc);
	if (res == NULL)
		return rc;
	n = PQntuples(res);
	if ((v = wn_arena_calloc(a, (size_t)n + 1, sizeof(*v))) == NULL) {
		PQclear(res);
		return WN_ENOMEM;
	}
	for (i = 0; i < n; i++)
		wn_pq_maintainer_row(res, i, &v[i]);
	PQclear(res);
	*out = v;
	*n_out = (size_t)n;
	return 0;
}

int
wn__pq_maintainer_revoke(wn_repo_db *db, const char *key_id, int64_t when)
{
	wn_db_pg *p = (wn_db_pg *)db;
	char t[24];
	const char *params[2] = { key_id, t };
	wn_maintainer m;
	PGresult *res;
	int rc;

	if ((rc = wn__pq_maintainer_get(db, key_id, &m)) != 0)
		return rc;
	if (m.revoked != 0)
		return WN_EINVAL;
	snprintf(t, sizeof(t), "%" PRId64, when);
	res = wn_pq_rs_once(p, WN_PQ_RS_MAINT_REVOKE, params, 0,
	    "revoke maintainer", &rc);
	if (res != NULL && strcmp(PQcmdTuples(res), "0") == 0)
		rc = WN_EINVAL;
	PQclear(res);
	return rc;
}

/* --- versions -------------------------------------------------------- */

/* row i of a WN_PQ_RS_VERSION_COLS result */
static void
wn_pq_version_row(const PGresult *res, int i, wn_rs_version *v)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", PQgetvalue(res, i, 0));
	snprintf(v->maintainer, sizeof(v->maintainer), "%s",
	    PQgetvalue(res, i, 1));
	snprintf(v->version, sizeof(v->version), "%s", PQgetvalue(res, i, 3));
	v->stage = strcmp(PQgetvalue(res, i, 4), "stable") == 0 ?
	    WN_RS_STABLE : WN_RS_TESTING;
	snprintf(v->sha256, sizeof(v->sha256), "%s", PQgetvalue(res, i, 5));
	v->size = (uint64_t)wn__pq_int(res, i, 6);
	snprintf(v->key_id, sizeof(v->key_id), "%s", PQgetvalue(res, i, 7));
	v->published = wn__pq_int(res, i, 8);
	v->promoted = wn__pq_int(res, i, 9);
	v->rules = (uint64_t)wn__pq_int(res, i, 10);
	v->tests = (uint64_t)wn__pq_int(res, i, 11);
	v->revoked = strcmp(PQgetvalue(res, i, 12), "t") == 0;
}

int
wn__pq_ruleset_versions(wn_repo_db *db, const char *name,
    wn_rs_version_fn fn, void *arg)
{
	wn_db_pg *p = (wn_db_pg *)db;
	const char *params[1] = { name };
	wn_rs_version v;
	PGresult *res;
	int rc, i, n;

	res = wn_pq_rs_once(p, WN_PQ_RS_VERSIONS, params, 0,
	    "read rule-set versions", &rc);
	if (res == NULL)
		return rc;
	n = PQntuples(res);
	for (i = 0; i < n && rc == 0; i++) {
		wn_pq_version_row(res, i, &v);
		rc = fn(arg, &v, PQgetvalue(res, i, 2));
	}
	PQclear(res);
	return rc;
}

/* s as an element of a text array literal: quoted, \ and " escaped */
static void
wn_pq_array_text(wn_buf *b, const char *s, bool first)
{
	if (!first)
		wn_buf_putc(b, ',');
	wn_buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			wn_buf_putc(b, '\\');
		wn_buf_putc(b, *s);
	}
	wn_buf_putc(b, '"');
}

/* the rules of req as four array literals */
static int
wn_pq_rule_arrays(const wn_rs_publish *req, wn_buf a[4])
{
	size_t i;

	for (i = 0; i < 4; i++)
		wn_buf_putc(&a[i], '{');
	for (i = 0; i < req->n_rules; i++) {
		const wn_rs_rule *r = &req->rules[i];

		wn_pq_array_text(&a[0], r->name, i == 0);
		wn_buf_printf(&a[1], "%s%.17g", i ? "," : "", r->score);
		wn_pq_array_text(&a[2], r->describe ? r->describe : "", i == 0);
		wn_buf_printf(&a[3], "%s%d", i ? "," : "", r->scoring ? 1 : 0);
	}
	for (i = 0; i < 4; i++) {
		wn_buf_putc(&a[i], '}');
		if (a[i].failed)
			return WN_ENOMEM;
	}
	return 0;
}

/* the version row, its rules and the set's description */
static int
wn_pq_publish_insert(wn_db_pg *p, wn_pq_conn *c, const wn_rs_publish *req)
{
	char size[24], published[24], rules[24], tests[24], id[24];
	const char *vparams[9] = {
		req->v.name, req->v.version, req->v.sha256, size,
		req->v.key_id, published, rules, tests, req->package
	};
	int lengths[9] = { 0 }, formats[9] = { 0 };
	const char *rparams[5], *dparams[2] = { req->v.name,
		req->description };
	wn_buf a[4];
	PGresult *res;
	size_t i;
	int rc;

	snprintf(size, sizeof(size), "%zu", req->package_len);
	snprintf(published, sizeof(published), "%" PRId64, req->v.published);
	snprintf(rules, sizeof(rules), "%" PRIu64, req->v.rules);
	snprintf(tests, sizeof(tests), "%" PRIu64, req->v.tests);
	lengths[8] = (int)req->package_len;
	formats[8] = 1;
	res = wn_pq_rs_run(p, c, WN_PQ_RS_VERSION_ADD, vparams, lengths,
	    formats, 0, "store rule-set version");
	if (res == NULL)
		return WN_EIO;
	snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	for (i = 0; i < 4; i++)
		wn_buf_init(&a[i]);
	rc = wn_pq_rule_arrays(req, a);
	rparams[0] = id;
	for (i = 0; i < 4; i++)
		rparams[i + 1] = a[i].data;
	if (rc == 0) {
		res = wn_pq_rs_run(p, c, WN_PQ_RS_RULES_ADD, rparams, NULL,
		    NULL, 0, "store rule-set rules");
		rc = res == NULL ? WN_EIO : 0;
		PQclear(res);
	}
	for (i = 0; i < 4; i++)
		wn_buf_fini(&a[i]);
	if (rc == 0) {
		res = wn_pq_rs_run(p, c, WN_PQ_RS_SET_DESCRIBE, dparams, NULL,
		    NULL, 0, "describe rule set");
		rc = res == NULL ? WN_EIO : 0;
		PQclear(res);
	}
	return rc;
}

/* 0 commit, 1 roll back with *result_out set, or an error */
static int
wn_pq_publish_tx(wn_db_pg *p, wn_pq_conn *c, const wn_rs_publish *req,
    enum wn_rs_publish_result *result_out, wn_rs_version *other_out)
{
	char created[24];
	const char *sparams[4] = { req->v.name, req->v.maintainer,
		req->description, created };
	const char *nparams[1] = { req->v.name };
	wn_rs_version *stored;
	PGresult *res;
	size_t which;
	int i, n;

	snprintf(created, sizeof(created), "%" PRId64, req->v.published);
	res = wn_pq_rs_run(p, c, WN_PQ_RS_SET_ADD, sparams, NULL, NULL, 0,
	    "add rule set");
	if (res == NULL)
		return WN_EIO;
	PQclear(res);
	res = wn_pq_rs_run(p, c, WN_PQ_RS_SET_OWNER, nparams, NULL, NULL, 0,
	    "read rule-set owner");
	if (res == NULL || PQntuples(res) != 1) {
		PQclear(res);
		return WN_EIO;
	}
	if (strcmp(PQgetvalue(res, 0, 0), req->v.maintainer) != 0) {
		memcpy(other_out->name, req->v.name, sizeof(other_out->name));
		snprintf(other_out->maintainer, sizeof(other_out->maintainer),
		    "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		*result_out = WN_RS_NOT_OWNER;
		return 1;
	}
	PQclear(res);
	res = wn_pq_rs_run(p, c, WN_PQ_RS_VERSIONS, nparams, NULL, NULL, 0,
	    "read rule-set versions");
	if (res == NULL)
		return WN_EIO;
	n = PQntuples(res);
	if ((stored = wn_calloc((size_t)n + 1, sizeof(*stored))) == NULL) {
		PQclear(res);
		return WN_ENOMEM;
	}
	for (i = 0; i < n; i++)
		wn_pq_version_row(res, i, &stored[i]);
	PQclear(res);
	*result_out = wn_rs_publish_decide(req, stored, (size_t)n, &which);
	if (*result_out != WN_RS_STORED) {
		*other_out = stored[which];
		wn_free(stored);
		return 1;
	}
	wn_free(stored);
	return wn_pq_publish_insert(p, c, req);
}

int
wn__pq_ruleset_publish(wn_repo_db *db, const wn_rs_publish *req,
    enum wn_rs_publish_result *result_out, wn_rs_version *other_out)
{
	wn_db_pg *p = (wn_db_pg *)db;
	wn_pq_conn *c;
	int rc;

	if ((rc = wn__pq_acquire(p, &c)) != 0)
		return rc;
	if ((rc = wn__pq_simple(p, c, "BEGIN", "begin")) == 0) {
		rc = wn_pq_publish_tx(p, c, req, result_out, other_out);
		if (rc == 0)
			rc = wn__pq_simple(p, c, "COMMIT", "commit");
		else {
			wn__pq_simple(p, c, "ROLLBACK", "roll back");
			if (rc > 0)
				rc = 0;
		}
	}
	wn__pq_release(p, c);
	return rc;
}

int
wn__pq_ruleset_promote(wn_repo_db *db, const char *name, const char *version,
    int64_t when, bool *changed_out)
{
	wn_db_pg *p = (wn_db_pg *)db;
	char t[24];
	const char *params[3] = { name, version, t };
	PGresult *res;
	int rc;

	*changed_out = false;
	snprintf(t, sizeof(t), "%" PRId64, when);
	res = wn_pq_rs_once(p, WN_PQ_RS_PROMOTE, params, 0,
	    "promote rule-set version", &rc);
	if (res == NULL)
		return rc;
	*changed_out = strcmp(PQcmdTuples(res), "0") != 0;
	PQclear(res);
	if (*changed_out)
		return 0;
	/* nothing changed: stable already, or no such version */
	res = wn_pq_rs_once(p, WN_PQ_RS_EXISTS, params, 0,
	    "look up rule-set version", &rc);
	if (res != NULL && PQntuples(res) == 0)
		rc = WN_ENOENT;
	PQclear(res);
	return rc;
}

int
wn__pq_ruleset_package(wn_repo_db *db, const char *name, const char *version,
    wn_buf *out)
{
	wn_db_pg *p = (wn_db_pg *)db;
	const char *params[2] = { name, version };
	PGresult *res;
	int rc;

	res = wn_pq_rs_once(p, WN_PQ_RS_PACKAGE, params, 1,
	    "read rule-set package", &rc);
	if (res == NULL)
		return rc;
	if (PQntuples(res) == 0)
		rc = WN_ENOENT;
	else {
		wn_buf_append(out, PQgetvalue(res, 0, 0),
		    (size_t)PQgetlength(res, 0, 0));
		rc = out->failed ? WN_ENOMEM : 0;
	}
	PQclear(res);
	return rc;
}

int
wn__pq_ruleset_rules(wn_repo_db *db, const char *name, const char *version,
    wn_rs_rule_fn fn, void *arg)
{
	wn_db_pg *p = (wn_db_pg *)db;
	const char *params[2] = { name, version };
	PGresult *res;
	wn_rs_rule r;
	int rc, i, n;

	res = wn_pq_rs_once(p, WN_PQ_RS_RULES, params, 0,
	    "read rule-set rules", &rc);
	if (res == NULL)
		return rc;
	n = PQntuples(res);
	for (i = 0; i < n && rc == 0; i++) {
		r.name = PQgetvalue(res, i, 0);
		r.score = strtod(PQgetvalue(res, i, 1), NULL);
		r.describe = PQgetvalue(res, i, 2);
		r.scoring = wn__pq_int(res, i, 3) != 0;
		rc = fn(arg, &r);
	}
	PQclear(res);
	return rc;
}
