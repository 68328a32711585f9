/*
 * db_sqlite_rulesets.c - the rule-set channels in the SQLite backend:
 * maintainers, sets, versions with their package bytes, and the rules of
 * each version.
 *
 * A publish is one transaction on the writer connection, so the check of
 * ownership and version order and the insert cannot interleave with
 * another publish of the same set. Reads take a reader connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/log.h>

#include "db.h"
#include "db_sqlite_int.h"

enum {
	WN_SQ_RS_MAINT_ADD,
	WN_SQ_RS_MAINT_GET,
	WN_SQ_RS_MAINT_LIST,
	WN_SQ_RS_MAINT_REVOKE,
	WN_SQ_RS_SET_ADD,
	WN_SQ_RS_SET_OWNER,
	WN_SQ_RS_SET_DESCRIBE,
	WN_SQ_RS_VERSION_ADD,
	WN_SQ_RS_RULE_ADD,
	WN_SQ_RS_PROMOTE,
	WN_SQ_RS_EXISTS,
	WN_SQ_RS_VERSIONS,
	WN_SQ_RS_PACKAGE,
	WN_SQ_RS_RULES,
	WN_SQ_RS_COUNT
};

_Static_assert(WN_SQ_RS_COUNT <= WN__SQ_RS_SLOTS,
    "db_sqlite_int.h: WN__SQ_RS_SLOTS is too small");

#define WN_SQ_RS_VERSION_COLS "s.name, s.maintainer, s.description, " \
	"v.version, v.stage, v.sha256, v.size, v.key_id, v.published, " \
	"v.promoted, v.n_rules, v.n_tests, m.revoked IS NOT NULL"

static const char *const wn_sq_rs_sql[WN_SQ_RS_COUNT] = {
	[WN_SQ_RS_MAINT_ADD] = "INSERT INTO maintainers (key_id, "
	    "public_key, name, added) VALUES (?1, ?2, ?3, ?4)",
	[WN_SQ_RS_MAINT_GET] = "SELECT key_id, public_key, name, added, "
	    "revoked FROM maintainers WHERE key_id = ?1",
	[WN_SQ_RS_MAINT_LIST] = "SELECT key_id, public_key, name, added, "
	    "revoked FROM maintainers ORDER BY key_id",
	[WN_SQ_RS_MAINT_REVOKE] = "UPDATE maintainers SET revoked = ?2 "
	    "WHERE key_id = ?1 AND revoked IS NULL",
	[WN_SQ_RS_SET_ADD] = "INSERT INTO rulesets (name, maintainer, "
	    "description, created) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT (name) DO NOTHING",
	[WN_SQ_RS_SET_OWNER] = "SELECT maintainer FROM rulesets "
	    "WHERE name = ?1",
	[WN_SQ_RS_SET_DESCRIBE] = "UPDATE rulesets SET description = ?2 "
	    "WHERE name = ?1",
	[WN_SQ_RS_VERSION_ADD] = "INSERT INTO ruleset_versions (name, "
	    "version, stage, sha256, size, key_id, published, n_rules, "
	    "n_tests, package) VALUES (?1, ?2, 'testing', ?3, ?4, ?5, ?6, "
	    "?7, ?8, ?9)",
	[WN_SQ_RS_RULE_ADD] = "INSERT INTO ruleset_rules (version_id, rule, "
	    "score, describe, scoring) VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT DO NOTHING",
	[WN_SQ_RS_PROMOTE] = "UPDATE ruleset_versions SET stage = 'stable', "
	    "promoted = ?3 WHERE name = ?1 AND version = ?2 AND "
	    "stage = 'testing'",
	[WN_SQ_RS_EXISTS] = "SELECT 1 FROM ruleset_versions WHERE "
	    "name = ?1 AND version = ?2",
	[WN_SQ_RS_VERSIONS] = "SELECT " WN_SQ_RS_VERSION_COLS " FROM "
	    "rulesets s JOIN ruleset_versions v ON v.name = s.name "
	    "JOIN maintainers m ON m.key_id = v.key_id "
	    "WHERE ?1 = '' OR s.name = ?1 ORDER BY s.name, v.id",
	[WN_SQ_RS_PACKAGE] = "SELECT package FROM ruleset_versions "
	    "WHERE name = ?1 AND version = ?2",
	[WN_SQ_RS_RULES] = "SELECT r.rule, r.score, r.describe, r.scoring "
	    "FROM ruleset_rules r JOIN ruleset_versions v ON "
	    "v.id = r.version_id WHERE v.name = ?1 AND v.version = ?2 "
	    "ORDER BY r.rule",
};

static sqlite3_stmt *
wn_sq_rs_stmt(wn_db_sqlite *s, wn_sq_conn *c, int i)
{
	return wn__sq_prepared(s, c, &c->rs[i], wn_sq_rs_sql[i]);
}

static int
wn_sq_rs_read_stmt(wn_db_sqlite *s, int which, wn_sq_conn **c,
    sqlite3_stmt **st)
{
	return wn__sq_reader_stmt(s, wn_sq_rs_stmt, which, c, st);
}

/* column col as text into dst[size]; "" for NULL */
static void
wn_sq_rs_copy(char *dst, size_t size, sqlite3_stmt *st, int col)
{
	const char *v = (const char *)sqlite3_column_text(st, col);

	snprintf(dst, size, "%s", v != NULL ? v : "");
}

/* --- maintainers ----------------------------------------------------- */

int
wn__sq_maintainer_add(wn_repo_db *db, const wn_maintainer *m)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	sqlite3_stmt *st;
	char pk[80];
	int rc;

	wn_pubkey_format(&m->key, pk, sizeof(pk));
	pthread_mutex_lock(&s->wlock);
	if ((st = wn_sq_rs_stmt(s, s->writer, WN_SQ_RS_MAINT_ADD)) == NULL) {
		pthread_mutex_unlock(&s->wlock);
		return WN_EIO;
	}
	wn__sq_text(st, 1, m->key.id);
	wn__sq_text(st, 2, pk);
	wn__sq_text(st, 3, m->name);
	sqlite3_bind_int64(st, 4, m->added);
	rc = sqlite3_step(st);
	wn__sq_done(st);
	if (rc == SQLITE_CONSTRAINT)
		rc = WN_EINVAL;
	else if (rc != SQLITE_DONE) {
		wn__sq_log(s, s->writer->db, "add maintainer");
		rc = WN_EIO;
	} else
		rc = 0;
	pthread_mutex_unlock(&s->wlock);
	return rc;
}

static void
wn_sq_maintainer_row(sqlite3_stmt *st, wn_maintainer *m)
{
	const char *pk = (const char *)sqlite3_column_text(st, 1);

	memset(m, 0, sizeof(*m));
	if (pk == NULL || wn_pubkey_parse(pk, strlen(pk), &m->key) != 0)
		memset(&m->key, 0, sizeof(m->key));
	wn_sq_rs_copy(m->key.id, sizeof(m->key.id), st, 0);
	wn_sq_rs_copy(m->name, sizeof(m->name), st, 2);
	m->added = sqlite3_column_int64(st, 3);
	m->revoked = sqlite3_column_int64(st, 4);
}

int
wn__sq_maintainer_get(wn_repo_db *db, const char *key_id, wn_maintainer *out)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	sqlite3_stmt *st;
	wn_sq_conn *c;
	int rc;

	if ((rc = wn_sq_rs_read_stmt(s, WN_SQ_RS_MAINT_GET, &c, &st)) != 0)
		return rc;
	wn__sq_text(st, 1, key_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		wn_sq_maintainer_row(st, out);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = WN_ENOENT;
	} else {
		wn__sq_log(s, c->db, "look up maintainer");
		rc = WN_EIO;
	}
	wn__sq_done(st);
	wn__sq_release(s, c);
	return rc;
}

int
wn__sq_maintainer_list(wn_repo_db *db, wn_arena *a, wn_maintainer **out,
    size_t *n_out)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	wn_maintainer *v = NULL, *nv;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	wn_sq_conn *c;
	int rc;

	if ((rc = wn_sq_rs_read_stmt(s, WN_SQ_RS_MAINT_LIST, &c, &st)) != 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((nv = wn_arena_alloc(a, cap * sizeof(*v))) ==
			    NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			if (n > 0)
				memcpy(nv, v, n * sizeof(*v));
			v = nv;
		}
		wn_sq_maintainer_row(st, &v[n++]);
	}
	wn__sq_done(st);
	if (rc != SQLITE_DONE) {
		if (rc != SQLITE_NOMEM)
			wn__sq_log(s, c->db, "list maintainers");
		wn__sq_release(s, c);
		return rc == SQLITE_NOMEM ? WN_ENOMEM : WN_EIO;
	}
	wn__sq_release(s, c);
	*out = v;
	*n_out = n;
	return 0;
}

int
wn__sq_maintainer_revoke(wn_repo_db *db, const char *key_id, int64_t when)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	wn_maintainer m;
	sqlite3_stmt *st;
	int rc;

	if ((rc = wn__sq_maintainer_get(db, key_id, &m)) != 0)
		return rc;
	if (m.revoked != 0)
		return WN_EINVAL;
	pthread_mutex_lock(&s->wlock);
	if ((st = wn_sq_rs_stmt(s, s->writer, WN_SQ_RS_MAINT_REVOKE)) ==
	    NULL)
		rc = WN_EIO;
	else {
		wn__sq_text(st, 1, key_id);
		sqlite3_bind_int64(st, 2, when);
		rc = wn__sq_run(s, s->writer, st, "revoke maintainer");
		if (rc == 0 && sqlite3_changes(s->writer->db) == 0)
			rc = WN_EINVAL;
	}
	pthread_mutex_unlock(&s->wlock);
	return rc;
}

/* --- versions -------------------------------------------------------- */

/* a row of WN_SQ_RS_VERSION_COLS */
static void
wn_sq_version_row(sqlite3_stmt *st, wn_rs_version *v)
{
	char stage[16];

	memset(v, 0, sizeof(*v));
	wn_sq_rs_copy(v->name, sizeof(v->name), st, 0);
	wn_sq_rs_copy(v->maintainer, sizeof(v->maintainer), st, 1);
	wn_sq_rs_copy(v->version, sizeof(v->version), st, 3);
	wn_sq_rs_copy(stage, sizeof(stage), st, 4);
	v->stage = strcmp(stage, "stable") == 0 ? WN_RS_STABLE :
	    WN_RS_TESTING;
	wn_sq_rs_copy(v->sha256, sizeof(v->sha256), st, 5);
	v->size = (uint64_t)sqlite3_column_int64(st, 6);
	wn_sq_rs_copy(v->key_id, sizeof(v->key_id), st, 7);
	v->published = sqlite3_column_int64(st, 8);
	v->promoted = sqlite3_column_int64(st, 9);
	v->rules = (uint64_t)sqlite3_column_int64(st, 10);
	v->tests = (uint64_t)sqlite3_column_int64(st, 11);
	v->revoked = sqlite3_column_int(st, 12) != 0;
}

/* step st (WN_SQ_RS_VERSIONS, bound) to the end, fn for each row */
static int
wn_sq_versions_step(wn_db_sqlite *s, wn_sq_conn *c, sqlite3_stmt *st,
    wn_rs_version_fn fn, void *arg)
{
	wn_rs_version v;
	int rc, frc = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		wn_sq_version_row(st, &v);
		frc = fn(arg, &v, (const char *)sqlite3_column_text(st, 2));
		if (frc != 0)
			break;
	}
	if (frc == 0 && rc != SQLITE_DONE) {
		wn__sq_log(s, c->db, "read rule-set versions");
		frc = WN_EIO;
	}
	wn__sq_done(st);
	return frc;
}

int
wn__sq_ruleset_versions(wn_repo_db *db, const char *name,
    wn_rs_version_fn fn, void *arg)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	sqlite3_stmt *st;
	wn_sq_conn *c;
	int rc;

	if ((rc = wn_sq_rs_read_stmt(s, WN_SQ_RS_VERSIONS, &c, &st)) != 0)
		return rc;
	wn__sq_text(st, 1, name);
	rc = wn_sq_versions_step(s, c, st, fn, arg);
	wn__sq_release(s, c);
	return rc;
}

/* the stored versions of one set, as a heap array */
typedef struct wn_sq_stored {
	wn_rs_version *v;
	size_t n, cap;
} wn_sq_stored;

static int
wn_sq_stored_add(void *arg, const wn_rs_version *v, const char *description)
{
	wn_sq_stored *t = arg;
	wn_rs_version *nv;

	(void)description;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		if ((nv = wn_realloc(t->v, t->cap * sizeof(*nv))) == NULL)
			return WN_ENOMEM;
		t->v = nv;
	}
	t->v[t->n++] = *v;
	return 0;
}

/* the set's owner; creates the set owned by req's maintainer if new */
static int
wn_sq_publish_owner(wn_db_sqlite *s, wn_sq_conn *c, const wn_rs_publish *req,
    char owner[WN_RS_MAINTAINER_LEN])
{
	sqlite3_stmt *st = wn_sq_rs_stmt(s, c, WN_SQ_RS_SET_ADD);
	int rc;

	if (st == NULL)
		return WN_EIO;
	wn__sq_text(st, 1, req->v.name);
	wn__sq_text(st, 2, req->v.maintainer);
	wn__sq_text(st, 3, req->description);
	sqlite3_bind_int64(st, 4, req->v.published);
	if ((rc = wn__sq_run(s, c, st, "add rule set")) != 0)
		return rc;
	if ((st = wn_sq_rs_stmt(s, c, WN_SQ_RS_SET_OWNER)) == NULL)
		return WN_EIO;
	wn__sq_text(st, 1, req->v.name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		wn_sq_rs_copy(owner, WN_RS_MAINTAINER_LEN, st, 0);
	wn__sq_done(st);
	if (rc != SQLITE_ROW) {
		wn__sq_log(s, c->db, "read rule-set owner");
		return WN_EIO;
	}
	return 0;
}

/* the version row, its rules and the set's description */
static int
wn_sq_publish_insert(wn_db_sqlite *s, wn_sq_conn *c, const wn_rs_publish *req)
{
	sqlite3_stmt *st = wn_sq_rs_stmt(s, c, WN_SQ_RS_VERSION_ADD);
	sqlite3_int64 id;
	size_t i;
	int rc;

	if (st == NULL)
		return WN_EIO;
	wn__sq_text(st, 1, req->v.name);
	wn__sq_text(st, 2, req->v.version);
	wn__sq_text(st, 3, req->v.sha256);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)req->package_len);
	wn__sq_text(st, 5, req->v.key_id);
	sqlite3_bind_int64(st, 6, req->v.published);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)req->v.rules);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)req->v.tests);
	sqlite3_bind_blob(st, 9, req->package, (int)req->package_len,
	    SQLITE_STATIC);
	if ((rc = wn__sq_run(s, c, st, "store rule-set version")) != 0)
		return rc;
	id = sqlite3_last_insert_rowid(c->db);
	if ((st = wn_sq_rs_stmt(s, c, WN_SQ_RS_RULE_ADD)) == NULL)
		return WN_EIO;
	for (i = 0; i < req->n_rules; i++) {
		const wn_rs_rule *r = &req->rules[i];

		sqlite3_bind_int64(st, 1, id);
		wn__sq_text(st, 2, r->name);
		sqlite3_bind_double(st, 3, r->score);
		wn__sq_text(st, 4, r->describe != NULL ? r->describe : "");
		sqlite3_bind_int(st, 5, r->scoring ? 1 : 0);
		if ((rc = wn__sq_run(s, c, st, "store rule-set rules")) != 0)
			return rc;
	}
	if ((st = wn_sq_rs_stmt(s, c, WN_SQ_RS_SET_DESCRIBE)) == NULL)
		return WN_EIO;
	wn__sq_text(st, 1, req->v.name);
	wn__sq_text(st, 2, req->description);
	return wn__sq_run(s, c, st, "describe rule set");
}

/* 0 commit, 1 roll back with *result_out set, or an error */
static int
wn_sq_publish_tx(wn_db_sqlite *s, wn_sq_conn *c, const wn_rs_publish *req,
    enum wn_rs_publish_result *result_out, wn_rs_version *other_out)
{
	char owner[WN_RS_MAINTAINER_LEN];
	wn_sq_stored t = { NULL, 0, 0 };
	sqlite3_stmt *st;
	size_t which;
	int rc;

	if ((rc = wn_sq_publish_owner(s, c, req, owner)) != 0)
		return rc;
	if (strcmp(owner, req->v.maintainer) != 0) {
		memcpy(other_out->name, req->v.name, sizeof(other_out->name));
		memcpy(other_out->maintainer, owner, sizeof(owner));
		*result_out = WN_RS_NOT_OWNER;
		return 1;
	}
	if ((st = wn_sq_rs_stmt(s, c, WN_SQ_RS_VERSIONS)) == NULL)
		return WN_EIO;
	wn__sq_text(st, 1, req->v.name);
	if ((rc = wn_sq_versions_step(s, c, st, wn_sq_stored_add, &t)) != 0) {
		wn_free(t.v);
		return rc;
	}
	*result_out = wn_rs_publish_decide(req, t.v, t.n, &which);
	if (*result_out != WN_RS_STORED) {
		*other_out = t.v[which];
		wn_free(t.v);
		return 1;
	}
	wn_free(t.v);
	return wn_sq_publish_insert(s, c, req);
}

int
wn__sq_ruleset_publish(wn_repo_db *db, const wn_rs_publish *req,
    enum wn_rs_publish_result *result_out, wn_rs_version *other_out)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	wn_sq_conn *c = s->writer;
	int rc;

	pthread_mutex_lock(&s->wlock);
	rc = wn__sq_exec(s, c, WN_SQ_BEGIN, "begin");
	if (rc == 0) {
		rc = wn_sq_publish_tx(s, c, req, result_out, other_out);
		if (rc == 0)
			rc = wn__sq_exec(s, c, WN_SQ_COMMIT, "commit");
		if (rc != 0) {
			wn__sq_exec(s, c, WN_SQ_ROLLBACK, "roll back");
			if (rc > 0)
				rc = 0;
		}
	}
	pthread_mutex_unlock(&s->wlock);
	return rc;
}

int
wn__sq_ruleset_promote(wn_repo_db *db, const char *name, const char *version,
    int64_t when, bool *changed_out)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	wn_sq_conn *c = s->writer;
	sqlite3_stmt *st;
	int rc = WN_EIO;

	*changed_out = false;
	pthread_mutex_lock(&s->wlock);
	if ((st = wn_sq_rs_stmt(s, c, WN_SQ_RS_PROMOTE)) == NULL)
		goto out;
	wn__sq_text(st, 1, name);
	wn__sq_text(st, 2, version);
	sqlite3_bind_int64(st, 3, when);
	if ((rc = wn__sq_run(s, c, st, "promote rule-set version")) != 0)
		goto out;
	if (sqlite3_changes(c->db) > 0) {
		*changed_out = true;
		goto out;
	}
	/* nothing changed: stable already, or no such version */
	if ((st = wn_sq_rs_stmt(s, c, WN_SQ_RS_EXISTS)) == NULL) {
		rc = WN_EIO;
		goto out;
	}
	wn__sq_text(st, 1, name);
	wn__sq_text(st, 2, version);
	rc = sqlite3_step(st);
	wn__sq_done(st);
	if (rc == SQLITE_ROW)
		rc = 0;
	else if (rc == SQLITE_DONE)
		rc = WN_ENOENT;
	else {
		wn__sq_log(s, c->db, "look up rule-set version");
		rc = WN_EIO;
	}
out:
	pthread_mutex_unlock(&s->wlock);
	return rc;
}

int
wn__sq_ruleset_package(wn_repo_db *db, const char *name, const char *version,
    wn_buf *out)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	sqlite3_stmt *st;
	wn_sq_conn *c;
	int rc;

	if ((rc = wn_sq_rs_read_stmt(s, WN_SQ_RS_PACKAGE, &c, &st)) != 0)
		return rc;
	wn__sq_text(st, 1, name);
	wn__sq_text(st, 2, version);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		wn_buf_append(out, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0));
		rc = out->failed ? WN_ENOMEM : 0;
	} else if (rc == SQLITE_DONE) {
		rc = WN_ENOENT;
	} else {
		wn__sq_log(s, c->db, "read rule-set package");
		rc = WN_EIO;
	}
	wn__sq_done(st);
	wn__sq_release(s, c);
	return rc;
}

int
wn__sq_ruleset_rules(wn_repo_db *db, const char *name, const char *version,
    wn_rs_rule_fn fn, void *arg)
{
	wn_db_sqlite *s = (wn_db_sqlite *)db;
	sqlite3_stmt *st;
	wn_sq_conn *c;
	wn_rs_rule r;
	int rc, frc = 0;

	if ((rc = wn_sq_rs_read_stmt(s, WN_SQ_RS_RULES, &c, &st)) != 0)
		return rc;
	wn__sq_text(st, 1, name);
	wn__sq_text(st, 2, version);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0);
		const char *d = (const char *)sqlite3_column_text(st, 2);

		r.name = n != NULL ? n : "";
		r.score = sqlite3_column_double(st, 1);
		r.describe = d != NULL ? d : "";
		r.scoring = sqlite3_column_int(st, 3) != 0;
		if ((frc = fn(arg, &r)) != 0)
			break;
	}
	if (frc == 0 && rc != SQLITE_DONE) {
		wn__sq_log(s, c->db, "read rule-set rules");
		frc = WN_EIO;
	}
	wn__sq_done(st);
	wn__sq_release(s, c);
	return frc;
}
