/*
 * db_rulesets.c - what both backends share for rule-set channels: the
 * calls on the way to a backend's operations, sets built from the rows a
 * backend streams, version order and what each channel offers, the
 * publish decision, and the checks of names and versions from a path.
 *
 * Versions are dotted numbers and "1.10" is newer than "1.9", so no
 * database orders them: the backends return rows as stored and the
 * sorting happens here, with wn_version_cmp.
 */
#include <stdlib.h>
#include <string.h>

#include <winnow/err.h>
#include <winnow/manifest.h>

#include "db.h"
#include "rulesets.h"

const char *
wn_rs_stage_name(enum wn_rs_stage s)
{
	return s == WN_RS_STABLE ? "stable" : "testing";
}

int
wn_rs_stage_parse(const char *s, enum wn_rs_stage *out)
{
	if (strcmp(s, "testing") == 0)
		*out = WN_RS_TESTING;
	else if (strcmp(s, "stable") == 0)
		*out = WN_RS_STABLE;
	else
		return WN_EINVAL;
	return 0;
}

bool
wn_rs_name_valid(const char *s)
{
	return wn_manifest_name_valid(s);	/* WN_RS_NAME_LEN bytes at most */
}

bool
wn_rs_version_valid(const char *s)
{
	return strlen(s) <= WN_RS_NAME_LEN && wn_version_valid(s);
}

/* newest first; versions that compare equal by text, for a stable order */
static int
wn_rs_version_order(const void *a, const void *b)
{
	const wn_rs_version *x = a, *y = b;
	int cmp = 0;

	if (wn_version_cmp(x->version, y->version, &cmp) != 0 || cmp == 0)
		return strcmp(y->version, x->version);
	return -cmp;
}

void
wn_rs_set_finish(wn_rs_set *s)
{
	size_t i;

	qsort(s->versions, s->n_versions, sizeof(*s->versions),
	    wn_rs_version_order);
	s->stable = s->testing = NULL;
	for (i = 0; i < s->n_versions; i++) {
		const wn_rs_version *v = &s->versions[i];

		if (v->revoked)
			continue;
		if (s->testing == NULL)
			s->testing = v;
		if (s->stable == NULL && v->stage == WN_RS_STABLE)
			s->stable = v;
	}
}

const wn_rs_version *
wn_rs_set_find(const wn_rs_set *s, const char *version)
{
	size_t i;

	for (i = 0; i < s->n_versions; i++)
		if (strcmp(s->versions[i].version, version) == 0)
			return &s->versions[i];
	return NULL;
}

enum wn_rs_publish_result
wn_rs_publish_decide(const wn_rs_publish *req, const wn_rs_version *stored,
    size_t n, size_t *which_out)
{
	enum wn_rs_publish_result res = WN_RS_STORED;
	size_t i, which = n;
	int cmp;

	/* the same bytes are the same answer, however the set moved on */
	for (i = 0; i < n; i++) {
		if (strcmp(stored[i].sha256, req->v.sha256) == 0) {
			res = WN_RS_DUPLICATE;
			which = i;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (wn_version_cmp(stored[i].version, req->v.version,
		    &cmp) != 0)
			cmp = strcmp(stored[i].version, req->v.version);
		if (cmp == 0) {
			res = WN_RS_CONFLICT;
			which = i;
			goto out;
		}
		if (cmp > 0 && (which == n || wn_version_cmp(stored[i].version,
		    stored[which].version, &cmp) != 0 || cmp > 0)) {
			res = WN_RS_NOT_NEWER;
			which = i;
		}
	}
out:
	if (which_out != NULL)
		*which_out = which;
	return res;
}

/* --- sets from rows -------------------------------------------------- */

typedef struct wn_rs_build {
	wn_arena *a;
	wn_rs_set *sets;
	size_t n, cap;
	size_t vcap;			/* of the last set's versions */
	int err;
} wn_rs_build;

static void *
wn_rs_grow(wn_arena *a, void *old, size_t n, size_t *cap, size_t size)
{
	size_t ncap = *cap ? 2 * *cap : 8;
	void *nv;

	if (n < *cap)
		return old;
	if ((nv = wn_arena_alloc(a, ncap * size)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(nv, old, n * size);
	*cap = ncap;
	return nv;
}

static int
wn_rs_build_row(void *arg, const wn_rs_version *v, const char *description)
{
	wn_rs_build *b = arg;
	wn_rs_set *s = b->n > 0 ? &b->sets[b->n - 1] : NULL;
	wn_rs_version *vv;

	if (s == NULL || strcmp(s->name, v->name) != 0) {
		if ((b->sets = wn_rs_grow(b->a, b->sets, b->n, &b->cap,
		    sizeof(*b->sets))) == NULL)
			return WN_ENOMEM;
		s = &b->sets[b->n++];
		memset(s, 0, sizeof(*s));
		memcpy(s->name, v->name, sizeof(s->name));
		memcpy(s->maintainer, v->maintainer, sizeof(s->maintainer));
		if ((s->description = wn_arena_strdup(b->a,
		    description != NULL ? description : "")) == NULL)
			return WN_ENOMEM;
		b->vcap = 0;
	}
	if ((vv = wn_rs_grow(b->a, s->versions, s->n_versions, &b->vcap,
	    sizeof(*vv))) == NULL)
		return WN_ENOMEM;
	s->versions = vv;
	s->versions[s->n_versions++] = *v;
	return 0;
}

int
wn_repo_db_rulesets(wn_repo_db *db, wn_arena *a, const char *name,
    wn_rs_set **out, size_t *n_out)
{
	wn_rs_build b;
	size_t i;
	int rc;

	memset(&b, 0, sizeof(b));
	b.a = a;
	*out = NULL;
	*n_out = 0;
	rc = db->ops->ruleset_versions(db, name != NULL ? name : "",
	    wn_rs_build_row, &b);
	if (rc != 0)
		return rc;
	for (i = 0; i < b.n; i++)
		wn_rs_set_finish(&b.sets[i]);
	*out = b.sets;
	*n_out = b.n;
	return 0;
}

typedef struct wn_rs_rules_build {
	wn_arena *a;
	wn_rs_rule *v;
	size_t n, cap;
} wn_rs_rules_build;

static int
wn_rs_rules_row(void *arg, const wn_rs_rule *r)
{
	wn_rs_rules_build *b = arg;
	wn_rs_rule *x;

	if ((b->v = wn_rs_grow(b->a, b->v, b->n, &b->cap,
	    sizeof(*b->v))) == NULL)
		return WN_ENOMEM;
	x = &b->v[b->n];
	*x = *r;
	x->name = wn_arena_strdup(b->a, r->name);
	x->describe = wn_arena_strdup(b->a, r->describe ? r->describe : "");
	if (x->name == NULL || x->describe == NULL)
		return WN_ENOMEM;
	b->n++;
	return 0;
}

int
wn_repo_db_ruleset_rules(wn_repo_db *db, wn_arena *a, const char *name,
    const char *version, wn_rs_rule **out, size_t *n_out)
{
	wn_rs_rules_build b;
	int rc;

	memset(&b, 0, sizeof(b));
	b.a = a;
	*out = NULL;
	*n_out = 0;
	rc = db->ops->ruleset_rules(db, name, version, wn_rs_rules_row, &b);
	if (rc != 0)
		return rc;
	*out = b.v;
	*n_out = b.n;
	return 0;
}

/* --- the calls to the backend ---------------------------------------- */

int
wn_repo_db_maintainer_add(wn_repo_db *db, const wn_maintainer *m)
{
	return db->ops->maintainer_add(db, m);
}

int
wn_repo_db_maintainer_get(wn_repo_db *db, const char *key_id,
    wn_maintainer *out)
{
	return db->ops->maintainer_get(db, key_id, out);
}

int
wn_repo_db_maintainer_list(wn_repo_db *db, wn_arena *a, wn_maintainer **out,
    size_t *n_out)
{
	return db->ops->maintainer_list(db, a, out, n_out);
}

int
wn_repo_db_maintainer_revoke(wn_repo_db *db, const char *key_id,
    int64_t when)
{
	return db->ops->maintainer_revoke(db, key_id, when);
}

int
wn_repo_db_ruleset_publish(wn_repo_db *db, const wn_rs_publish *req,
    enum wn_rs_publish_result *result_out, wn_rs_version *other_out)
{
	memset(other_out, 0, sizeof(*other_out));
	return db->ops->ruleset_publish(db, req, result_out, other_out);
}

int
wn_repo_db_ruleset_promote(wn_repo_db *db, const char *name,
    const char *version, int64_t when, bool *changed_out)
{
	return db->ops->ruleset_promote(db, name, version, when, changed_out);
}

int
wn_repo_db_ruleset_package(wn_repo_db *db, const char *name,
    const char *version, wn_buf *out)
{
	return db->ops->ruleset_package(db, name, version, out);
}
