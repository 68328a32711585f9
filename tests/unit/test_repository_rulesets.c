/*
 * test_repository_rulesets.c - winnow-repository's rule-set channels
 * without HTTP: the store on SQLite in a temporary folder (maintainers,
 * versions in dotted-number order, ownership, promotion, revoked keys,
 * package bytes, an old database upgraded in place), the publish
 * decision, the intake of real signed packages and of promotions, the
 * promotion body's parser, and names in paths checked before the
 * database is asked.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include <winnow/arena.h>
#include <winnow/buf.h>
#include <winnow/err.h>
#include <winnow/log.h>
#include <winnow/ruleset_meta.h>
#include <winnow/ruleset_pkg.h>
#include <winnow/sign.h>

#include "api_rulesets.h"
#include "db.h"
#include "db_schema.h"
#include "routes.h"
#include "ruleset_intake.h"
#include "rulesets.h"

typedef struct fixture {
	char dir[64];
	char url[128];
	char tmp[96];			/* the intake's unpack folder */
	wn_repo_db *db;
	wn_seckey alice, alice2, bob, stranger;
	wn_rs_intake in;
	int64_t now;
} fixture;

static fixture fx;

static void
fx_maintainer(const wn_seckey *k, const char *name)
{
	wn_maintainer m;

	memset(&m, 0, sizeof(m));
	m.key = k->pub;
	snprintf(m.name, sizeof(m.name), "%s", name);
	m.added = 1;
	cr_assert_eq(wn_repo_db_maintainer_add(fx.db, &m), 0);
}

static void
fx_setup(void)
{
	wn_log_set_level(WN_LOG_ERR);
	cr_assert_eq(wn_sign_init(), 0);
	strcpy(fx.dir, "/tmp/wn-test-rs-XXXXXX");
	cr_assert_not_null(mkdtemp(fx.dir));
	snprintf(fx.url, sizeof(fx.url), "sqlite:%s/repo.sqlite", fx.dir);
	snprintf(fx.tmp, sizeof(fx.tmp), "%s/unpack", fx.dir);
	cr_assert_eq(mkdir(fx.tmp, 0700), 0);
	cr_assert_eq(wn_repo_db_open(fx.url, 2, &fx.db), 0);
	cr_assert_eq(wn_seckey_generate(&fx.alice), 0);
	cr_assert_eq(wn_seckey_generate(&fx.alice2), 0);
	cr_assert_eq(wn_seckey_generate(&fx.bob), 0);
	cr_assert_eq(wn_seckey_generate(&fx.stranger), 0);
	fx.now = 1795000000;
	wn_rs_intake_init(&fx.in, fx.db, fx.tmp, 900);
}

static void
fx_teardown(void)
{
	char cmd[128];

	wn_repo_db_close(&fx.db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx.dir);
	cr_assert_eq(system(cmd), 0);
}

/* a publish request with made-up bytes: the package is its version */
static wn_rs_publish
mk_req(const char *name, const char *version, const char *maintainer,
    const wn_seckey *k, char sha_tag)
{
	static const wn_rs_rule rules[2] = {
		{ "WN_A", 2.5, "rule a", true },
		{ "__WN_SUB", 0, "", false },
	};
	wn_rs_publish r;

	memset(&r, 0, sizeof(r));
	snprintf(r.v.name, sizeof(r.v.name), "%s", name);
	snprintf(r.v.version, sizeof(r.v.version), "%s", version);
	snprintf(r.v.maintainer, sizeof(r.v.maintainer), "%s", maintainer);
	snprintf(r.v.key_id, sizeof(r.v.key_id), "%s", k->pub.id);
	memset(r.v.sha256, sha_tag, 64);
	r.v.published = fx.now;
	r.v.rules = 2;
	r.v.tests = 3;
	r.description = "a set";
	r.package = "pkg\0bytes";
	r.package_len = 9;
	r.rules = rules;
	r.n_rules = 2;
	return r;
}

static enum wn_rs_publish_result
publish(const wn_rs_publish *r, wn_rs_version *other)
{
	enum wn_rs_publish_result res = WN_RS_STORED;
	wn_rs_version o;

	cr_assert_eq(wn_repo_db_ruleset_publish(fx.db, r, &res,
	    other != NULL ? other : &o), 0);
	return res;
}

/* the one set name (must exist) into a fresh arena */
static wn_rs_set *
load(wn_arena *a, const char *name)
{
	wn_rs_set *sets;
	size_t n = 0;

	cr_assert_eq(wn_repo_db_rulesets(fx.db, a, name, &sets, &n), 0);
	cr_assert_eq(n, 1, "got %zu sets named %s, want 1", n, name);
	return &sets[0];
}

/* --- the store --------------------------------------------------------- */

Test(store, maintainers_add_get_list_revoke, .init = fx_setup,
    .fini = fx_teardown)
{
	wn_maintainer m, *v;
	wn_arena *a = wn_arena_new(0);
	size_t n = 0;

	fx_maintainer(&fx.alice, "alice");
	fx_maintainer(&fx.bob, "bob");
	memset(&m, 0, sizeof(m));
	m.key = fx.alice.pub;
	strcpy(m.name, "again");
	cr_assert_eq(wn_repo_db_maintainer_add(fx.db, &m), WN_EINVAL);
	cr_assert_eq(wn_repo_db_maintainer_get(fx.db, fx.alice.pub.id, &m), 0);
	cr_assert_str_eq(m.name, "alice");
	cr_assert_eq(memcmp(m.key.pk, fx.alice.pub.pk, WN_SIGN_PK_LEN), 0);
	cr_assert_eq(m.revoked, 0);
	cr_assert_eq(wn_repo_db_maintainer_get(fx.db, "0123456789abcdef", &m),
	    WN_ENOENT);
	cr_assert_eq(wn_repo_db_maintainer_list(fx.db, a, &v, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert(strcmp(v[0].key.id, v[1].key.id) < 0, "listed by key id");
	cr_assert_eq(wn_repo_db_maintainer_revoke(fx.db, fx.bob.pub.id, 7), 0);
	cr_assert_eq(wn_repo_db_maintainer_revoke(fx.db, fx.bob.pub.id, 8),
	    WN_EINVAL);
	cr_assert_eq(wn_repo_db_maintainer_revoke(fx.db, "0123456789abcdef",
	    8), WN_ENOENT);
	cr_assert_eq(wn_repo_db_maintainer_get(fx.db, fx.bob.pub.id, &m), 0);
	cr_assert_eq(m.revoked, 7);
	wn_arena_free(&a);
}

Test(store, versions_by_number_not_by_text, .init = fx_setup,
    .fini = fx_teardown)
{
	wn_rs_publish r1 = mk_req("net", "1.9", "alice", &fx.alice, 'a');
	wn_rs_publish r2 = mk_req("net", "1.10", "alice", &fx.alice, 'b');
	wn_rs_publish r3 = mk_req("net", "1.2.7", "alice", &fx.alice, 'c');
	wn_rs_publish r4 = mk_req("net", "1.10.0", "alice", &fx.alice, 'd');
	wn_rs_publish r5 = mk_req("net", "1.9", "alice", &fx.alice, 'a');
	wn_arena *a = wn_arena_new(0);
	wn_rs_version other;
	wn_rs_set *s;

	fx_maintainer(&fx.alice, "alice");
	cr_assert_eq(publish(&r1, NULL), WN_RS_STORED);
	cr_assert_eq(publish(&r2, NULL), WN_RS_STORED);
	cr_assert_eq(publish(&r3, &other), WN_RS_NOT_NEWER);
	cr_assert_str_eq(other.version, "1.10", "the newest is named");
	cr_assert_eq(publish(&r4, &other), WN_RS_CONFLICT,
	    "1.10.0 is the version 1.10");
	cr_assert_str_eq(other.version, "1.10");
	cr_assert_eq(publish(&r5, &other), WN_RS_DUPLICATE);
	cr_assert_str_eq(other.version, "1.9");
	cr_assert_str_eq(other.maintainer, "alice");
	s = load(a, "net");
	cr_assert_eq(s->n_versions, 2, "refused versions are not stored");
	cr_assert_str_eq(s->versions[0].version, "1.10");
	cr_assert_str_eq(s->versions[1].version, "1.9");
	cr_assert_str_eq(s->maintainer, "alice");
	cr_assert_str_eq(s->description, "a set");
	cr_assert_eq(s->versions[0].stage, WN_RS_TESTING);
	cr_assert_eq(s->versions[0].rules, 2);
	cr_assert_eq(s->versions[0].tests, 3);
	cr_assert_eq(s->versions[0].size, 9);
	cr_assert_eq(s->testing, &s->versions[0]);
	cr_assert_null(s->stable, "nothing was promoted");
	wn_arena_free(&a);
}

Test(store, a_name_belongs_to_its_first_maintainer, .init = fx_setup,
    .fini = fx_teardown)
{
	wn_rs_publish r1 = mk_req("core", "1.0", "alice", &fx.alice, 'a');
	wn_rs_publish r2 = mk_req("core", "2.0", "bob", &fx.bob, 'b');
	wn_rs_publish r3 = mk_req("core", "2.0", "alice", &fx.alice2, 'c');
	wn_arena *a = wn_arena_new(0);
	wn_rs_version other;
	wn_rs_set *sets;
	size_t n = 9;

	fx_maintainer(&fx.alice, "alice");
	fx_maintainer(&fx.alice2, "alice");
	fx_maintainer(&fx.bob, "bob");
	cr_assert_eq(wn_repo_db_rulesets(fx.db, a, "core", &sets, &n), 0);
	cr_assert_eq(n, 0, "no set before the first publish");
	cr_assert_eq(publish(&r1, NULL), WN_RS_STORED);
	cr_assert_eq(publish(&r2, &other), WN_RS_NOT_OWNER);
	cr_assert_str_eq(other.maintainer, "alice");
	cr_assert_eq(publish(&r3, NULL), WN_RS_STORED,
	    "another key of the same maintainer may publish");
	cr_assert_eq(load(a, "core")->n_versions, 2);
	wn_arena_free(&a);
}

Test(store, promote_and_channels, .init = fx_setup, .fini = fx_teardown)
{
	wn_rs_publish r1 = mk_req("core", "1.0", "alice", &fx.alice, 'a');
	wn_rs_publish r2 = mk_req("core", "1.1", "alice", &fx.alice, 'b');
	wn_arena *a = wn_arena_new(0);
	bool changed = false;
	wn_rs_set *s;

	fx_maintainer(&fx.alice, "alice");
	publish(&r1, NULL);
	publish(&r2, NULL);
	cr_assert_eq(wn_repo_db_ruleset_promote(fx.db, "core", "1.0", 77,
	    &changed), 0);
	cr_assert(changed);
	cr_assert_eq(wn_repo_db_ruleset_promote(fx.db, "core", "1.0", 78,
	    &changed), 0);
	cr_assert(!changed, "stable already");
	cr_assert_eq(wn_repo_db_ruleset_promote(fx.db, "core", "1.0.0", 78,
	    &changed), WN_ENOENT, "a version is the text stored");
	cr_assert_eq(wn_repo_db_ruleset_promote(fx.db, "other", "1.0", 78,
	    &changed), WN_ENOENT);
	s = load(a, "core");
	cr_assert_not_null(s->stable);
	cr_assert_str_eq(s->stable->version, "1.0");
	cr_assert_eq(s->stable->promoted, 77);
	cr_assert_str_eq(s->testing->version, "1.1",
	    "testing follows the newest in either stage");
	wn_arena_free(&a);
}

Test(store, revoked_keys_withdraw_their_versions, .init = fx_setup,
    .fini = fx_teardown)
{
	wn_rs_publish r1 = mk_req("core", "1.0", "alice", &fx.alice, 'a');
	wn_rs_publish r2 = mk_req("core", "1.1", "alice", &fx.alice2, 'b');
	wn_arena *a = wn_arena_new(0);
	bool changed;
	wn_rs_set *s;

	fx_maintainer(&fx.alice, "alice");
	fx_maintainer(&fx.alice2, "alice");
	publish(&r1, NULL);
	publish(&r2, NULL);
	wn_repo_db_ruleset_promote(fx.db, "core", "1.0", 1, &changed);
	wn_repo_db_ruleset_promote(fx.db, "core", "1.1", 2, &changed);
	cr_assert_eq(wn_repo_db_maintainer_revoke(fx.db, fx.alice2.pub.id, 3),
	    0);
	s = load(a, "core");
	cr_assert(s->versions[0].revoked);
	cr_assert(!s->versions[1].revoked);
	cr_assert_str_eq(s->stable->version, "1.0", "1.1 is skipped");
	cr_assert_str_eq(s->testing->version, "1.0");
	cr_assert_eq(wn_repo_db_maintainer_revoke(fx.db, fx.alice.pub.id, 4),
	    0);
	s = load(a, "core");
	cr_assert_null(s->stable);
	cr_assert_null(s->testing);
	cr_assert_eq(s->n_versions, 2, "still listed");
	wn_arena_free(&a);
}

Test(store, package_bytes_and_rules_round_trip, .init = fx_setup,
    .fini = fx_teardown)
{
	wn_rs_publish r = mk_req("core", "1.0", "alice", &fx.alice, 'a');
	wn_arena *a = wn_arena_new(0);
	wn_rs_rule *rules;
	size_t n = 0;
	wn_buf b;

	fx_maintainer(&fx.alice, "alice");
	publish(&r, NULL);
	wn_buf_init(&b);
	cr_assert_eq(wn_repo_db_ruleset_package(fx.db, "core", "1.0", &b), 0);
	cr_assert_eq(b.len, 9);
	cr_assert_eq(memcmp(b.data, "pkg\0bytes", 9), 0, "a NUL survives");
	cr_assert_eq(wn_repo_db_ruleset_package(fx.db, "core", "2.0", &b),
	    WN_ENOENT);
	wn_buf_fini(&b);
	cr_assert_eq(wn_repo_db_ruleset_rules(fx.db, a, "core", "1.0", &rules,
	    &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(rules[0].name, "WN_A");
	cr_assert_float_eq(rules[0].score, 2.5, 1e-9);
	cr_assert_str_eq(rules[0].describe, "rule a");
	cr_assert(rules[0].scoring);
	cr_assert_str_eq(rules[1].name, "__WN_SUB");
	cr_assert(!rules[1].scoring);
	cr_assert_eq(wn_repo_db_ruleset_rules(fx.db, a, "core", "9.9", &rules,
	    &n), 0);
	cr_assert_eq(n, 0);
	wn_arena_free(&a);
}

/* run sql on the SQLite file at path */
static void
sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	char *err = NULL;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &err), SQLITE_OK,
	    "%s", err ? err : "");
	sqlite3_close(db);
}

Test(store, a_version_1_database_upgrades_in_place)
{
	char dir[] = "/tmp/wn-test-rs-old-XXXXXX", path[96], url[128];
	wn_reporter r;
	wn_maintainer m;
	wn_repo_db *db;
	wn_seckey k;
	char cmd[128];

	wn_log_set_level(WN_LOG_ERR);
	cr_assert_eq(wn_sign_init(), 0);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/old.sqlite", dir);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	sql_exec(path, "CREATE TABLE schema_version (version INTEGER NOT "
	    "NULL); INSERT INTO schema_version VALUES (1);" WN_DB_SQLITE_V1
	    "INSERT INTO reporters (key_id, public_key, name, country, "
	    "added) VALUES ('0123456789abcdef', 'x', 'old', 'DE', 1);");
	cr_assert_eq(wn_repo_db_open(url, 1, &db), 0);
	cr_assert_eq(wn_repo_db_reporter_get(db, "0123456789abcdef", &r), 0,
	    "the reporters stay");
	cr_assert_str_eq(r.name, "old");
	cr_assert_eq(wn_seckey_generate(&k), 0);
	memset(&m, 0, sizeof(m));
	m.key = k.pub;
	strcpy(m.name, "new");
	cr_assert_eq(wn_repo_db_maintainer_add(db, &m), 0,
	    "the rule-set tables are there");
	wn_repo_db_close(&db);
	cr_assert_eq(wn_repo_db_open(url, 1, &db), 0, "opens again");
	wn_repo_db_close(&db);
	sql_exec(path, "UPDATE schema_version SET version = 99");
	cr_assert_eq(wn_repo_db_open(url, 1, &db), WN_EFORMAT,
	    "a newer schema is refused");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(store, publish_decision)
{
	wn_rs_version stored[3];
	wn_rs_publish r;
	size_t which;

	memset(stored, 0, sizeof(stored));
	memset(&r, 0, sizeof(r));
	strcpy(stored[0].version, "0.9");
	strcpy(stored[1].version, "2.0");
	strcpy(stored[2].version, "1.5");
	memset(stored[0].sha256, 'a', 64);
	memset(stored[1].sha256, 'b', 64);
	memset(stored[2].sha256, 'c', 64);
	memset(r.v.sha256, 'e', 64);
	strcpy(r.v.version, "10.0");
	cr_assert_eq(wn_rs_publish_decide(&r, stored, 3, &which),
	    WN_RS_STORED);
	cr_assert_eq(which, 3);
	strcpy(r.v.version, "1.9");
	cr_assert_eq(wn_rs_publish_decide(&r, stored, 3, &which),
	    WN_RS_NOT_NEWER);
	cr_assert_eq(which, 1, "the newest decides");
	strcpy(r.v.version, "1.5.0");
	cr_assert_eq(wn_rs_publish_decide(&r, stored, 3, &which),
	    WN_RS_CONFLICT);
	cr_assert_eq(which, 2);
	memset(r.v.sha256, 'a', 64);
	cr_assert_eq(wn_rs_publish_decide(&r, stored, 3, &which),
	    WN_RS_DUPLICATE, "the same bytes are a duplicate first");
	cr_assert_eq(which, 0);
	cr_assert_eq(wn_rs_publish_decide(&r, stored, 0, NULL), WN_RS_STORED);
}

/* --- names in paths ----------------------------------------------------- */

Test(paths, names_and_versions)
{
	static const char *const good_names[] = {
		"core", "a", "x.y_z-1", "A9", NULL
	};
	static const char *const bad_names[] = {
		"", ".hidden", "..", "a/b", "a b", "a%2Fb", "caf\xc3\xa9",
		"1234567890123456789012345678901234567890"
		    "1234567890123456789012345",
		NULL
	};
	static const char *const good_versions[] = { "1", "1.0.0", "0.10",
		NULL };
	static const char *const bad_versions[] = { "", "latest", "1..0",
		"1.0-rc1", "v1", "..", "1.0.", NULL };
	size_t i;

	for (i = 0; good_names[i] != NULL; i++)
		cr_expect(wn_rs_name_valid(good_names[i]), "got invalid, want "
		    "valid: '%s'", good_names[i]);
	for (i = 0; bad_names[i] != NULL; i++)
		cr_expect(!wn_rs_name_valid(bad_names[i]), "got valid, want "
		    "invalid: '%s'", bad_names[i]);
	for (i = 0; good_versions[i] != NULL; i++)
		cr_expect(wn_rs_version_valid(good_versions[i]), "got invalid, "
		    "want valid: '%s'", good_versions[i]);
	for (i = 0; bad_versions[i] != NULL; i++)
		cr_expect(!wn_rs_version_valid(bad_versions[i]), "got valid, "
		    "want invalid: '%s'", bad_versions[i]);
}

static const char *
no_arg(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

/* the status of method on path through the routes (body empty) */
static int
route(wn_routes *r, const char *method, const char *path, wn_http_reply *rep)
{
	wn_http_request req;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = path;
	req.body = "";
	req.arg = no_arg;
	wn_buf_reset(&rep->body);
	rep->status = 500;
	rep->allow = NULL;
	rep->etag[0] = '\0';
	wn_routes_handle(r, &req, rep);
	return rep->status;
}

Test(paths, statuses_before_the_database)
{
	static const struct {
		const char *method, *path;
		int status;
	} cases[] = {
		{ "GET", "/api/v1/rulesets/.hidden", 400 },
		{ "GET", "/api/v1/rulesets/a b", 400 },
		{ "GET", "/api/v1/rulesets/core/1..0", 400 },
		{ "GET", "/api/v1/rulesets/core/../x", 404 },
		{ "GET", "/api/v1/rulesets/..", 400 },
		{ "GET", "/api/v1/rulesets/core/x.y", 400 },
		{ "GET", "/api/v1/rulesets/12345678901234567890123456789012"
		    "345678901234567890123456789012345", 400 },
		{ "POST", "/api/v1/rulesets/core/v1/promote", 400 },
		{ "GET", "/api/v1/rulesets/core/1.0/other", 404 },
		{ "GET", "/api/v1/rulesets/core/1.0/promote/x", 404 },
		{ "GET", "/api/v1/rulesets/", 404 },
		{ "GET", "/api/v1/rulesets//1.0", 404 },
		{ "GET", "/api/v1/rulesetsx", 404 },
		{ "DELETE", "/api/v1/rulesets", 405 },
		{ "GET", "/api/v1/rulesets/core/1.0/promote", 405 },
		{ "POST", "/api/v1/rulesets/core", 405 },
		{ "POST", "/api/v1/rulesets", 415 },
	};
	wn_http_reply rep;
	wn_routes r;
	size_t i;
	int got;

	wn_log_set_level(WN_LOG_ERR);
	/* no database at all: every answer above comes before one */
	memset(&r, 0, sizeof(r));
	r.now = wn_routes_clock;
	memset(&rep, 0, sizeof(rep));
	wn_buf_init(&rep.body);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = route(&r, cases[i].method, cases[i].path, &rep);
		cr_expect_eq(got, cases[i].status, "%s %s: got %d, want %d",
		    cases[i].method, cases[i].path, got, cases[i].status);
	}
	route(&r, "DELETE", "/api/v1/rulesets", &rep);
	cr_assert_str_eq(rep.allow, "GET, HEAD, POST");
	wn_buf_fini(&rep.body);
	cr_assert_eq(wn_routes_body_limit(NULL, "POST", "/api/v1/rulesets"),
	    WN_RS_MAX_PACKAGE);
	cr_assert_eq(wn_routes_body_limit(NULL, "POST", "/api/v1/reports"), 0);
	cr_assert_eq(wn_routes_body_limit(NULL, "GET", "/api/v1/rulesets"),
	    0);
	cr_assert_eq(wn_routes_body_limit(NULL, "POST",
	    "/api/v1/rulesets/core/1.0/promote"), 0);
}

/* --- the promotion body -------------------------------------------------- */

#define SIG88 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAA=="

Test(promote, body_form)
{
	static const struct {
		const char *body;
		const char *names;	/* in the error; NULL: valid */
	} cases[] = {
		{ "{\"stage\":\"stable\",\"time\":\"2026-11-23T10:00:00Z\","
		    "\"key_id\":\"0123456789abcdef\",\"signature\":\"" SIG88
		    "\",\"comment\":1}", NULL },
		{ "{\"stage\":\"testing\",\"time\":\"2026-11-23T10:00:00Z\","
		    "\"key_id\":\"0123456789abcdef\",\"signature\":\"" SIG88
		    "\"}", "stage" },
		{ "{\"stage\":\"gold\",\"time\":\"2026-11-23T10:00:00Z\","
		    "\"key_id\":\"0123456789abcdef\",\"signature\":\"" SIG88
		    "\"}", "stage" },
		{ "{\"stage\":\"stable\",\"time\":\"2026-11-23 10:00:00\","
		    "\"key_id\":\"0123456789abcdef\",\"signature\":\"" SIG88
		    "\"}", "time" },
		{ "{\"stage\":\"stable\",\"time\":\"2026-11-23T10:00:00Z\","
		    "\"key_id\":\"0123456789ABCDEF\",\"signature\":\"" SIG88
		    "\"}", "key_id" },
		{ "{\"stage\":\"stable\",\"time\":\"2026-11-23T10:00:00Z\","
		    "\"key_id\":\"0123456789abcdef\",\"signature\":\"abc\"}",
		    "signature" },
		{ "{\"stage\":\"stable\",\"time\":\"2026-11-23T10:00:00Z\","
		    "\"key_id\":\"0123456789abcdef\"}", "signature" },
		{ "{\"stage\":\"stable\",\"time\":5,"
		    "\"key_id\":\"0123456789abcdef\",\"signature\":\"" SIG88
		    "\"}", "time" },
		{ "{\"stage\":\"stable\",\"stage\":\"stable\"}", "JSON" },
		{ "[1]", "object" },
		{ "{\"stage\":", "JSON" },
		{ "", "JSON" },
	};
	char err[WN_RS_ERR_LEN];
	wn_rs_promote_req req;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		rc = wn_rs_promote_parse(cases[i].body, strlen(cases[i].body),
		    &req, err);
		if (cases[i].names == NULL) {
			cr_expect_eq(rc, 0, "case %zu: %s", i, err);
			cr_expect_eq(req.stage, WN_RS_STABLE);
			cr_expect_str_eq(req.key_id, "0123456789abcdef");
			cr_expect_str_eq(req.time, "2026-11-23T10:00:00Z");
		} else {
			cr_expect_eq(rc, WN_EINVAL, "case %zu: got %d", i, rc);
			cr_expect_not_null(strstr(err, cases[i].names),
			    "case %zu: '%s' does not name %s", i, err,
			    cases[i].names);
		}
	}
}

/* --- the intake of real packages ----------------------------------------- */

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "w"), "%s", path);
	fputs(text, f);
	fclose(f);
}

enum pkg_flaw {
	PKG_GOOD,
	PKG_BAD_REGEX,		/* a rule that does not compile */
	PKG_FAILING_TEST,	/* a hit test that does not hit */
	PKG_NEW_ENGINE		/* min-engine from the future */
};

/* a signed package of set name/version by k, as bytes in out */
static void
mk_pkg(const char *name, const char *version, enum pkg_flaw flaw,
    const wn_seckey *k, wn_buf *out)
{
	char dir[160], tests[176], path[192], err[WN_RULESET_PKG_ERR_LEN];
	char text[512], cmd[400];
	FILE *f;
	size_t n;

	snprintf(dir, sizeof(dir), "%s/src-%s-%s-%d", fx.dir, name, version,
	    (int)flaw);
	snprintf(tests, sizeof(tests), "%s/tests", dir);
	cr_assert_eq(mkdir(dir, 0755), 0);
	cr_assert_eq(mkdir(tests, 0755), 0);
	snprintf(text, sizeof(text), "name: %s\nversion: %s\nmaintainer: "
	    "Test <t@example.org>\nlicence: MIT\nmin-engine: %s\n"
	    "description: test set\n", name, version,
	    flaw == PKG_NEW_ENGINE ? "99.0.0" : "0.1.0");
	write_file(dir, "manifest", text);
	write_file(dir, "10_test.cf", flaw == PKG_BAD_REGEX ?
	    "body WN_T_CHEAP /cheap (pills/i\nscore WN_T_CHEAP 2.0\n" :
	    "body WN_T_CHEAP /cheap pills/i\nscore WN_T_CHEAP 2.0\n"
	    "describe WN_T_CHEAP Offers cheap pills\n");
	write_file(tests, "spam.eml", flaw == PKG_FAILING_TEST ?
	    "# hit: WN_T_CHEAP\nFrom: a@example.org\nTo: b@example.org\n"
	    "Subject: offer\n\nExpensive things.\n" :
	    "# hit: WN_T_CHEAP\nFrom: a@example.org\nTo: b@example.org\n"
	    "Subject: offer\n\nBuy cheap pills now.\n");
	write_file(tests, "ham.eml", "# miss: WN_T_CHEAP\nFrom: "
	    "c@example.org\nTo: d@example.org\nSubject: notes\n\nThe "
	    "minutes of the meeting.\n");
	snprintf(path, sizeof(path), "%s.tar.gz", dir);
	cr_assert_eq(wn_ruleset_pkg_pack(dir, path, NULL, err), 0, "%s", err);
	cr_assert_eq(wn_ruleset_pkg_sign(path, k, NULL, err), 0, "%s", err);
	cr_assert_not_null(f = fopen(path, "rb"));
	wn_buf_reset(out);
	while ((n = fread(text, 1, sizeof(text), f)) > 0)
		wn_buf_append(out, text, n);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", dir, path);
	cr_assert_eq(system(cmd), 0);
}

static int
submit(const wn_buf *pkg, wn_rs_result *res)
{
	wn_rs_result_fini(res);
	wn_rs_intake_publish(&fx.in, pkg->data, pkg->len, fx.now, res);
	return res->status;
}

/* the unpack folder is empty again */
static bool
tmp_empty(void)
{
	DIR *d = opendir(fx.tmp);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n == 0;
}

static size_t
stored_versions(const char *name)
{
	wn_arena *a = wn_arena_new(0);
	wn_rs_set *sets;
	size_t n = 0, v = 0;

	cr_assert_eq(wn_repo_db_rulesets(fx.db, a, name, &sets, &n), 0);
	if (n == 1)
		v = sets[0].n_versions;
	wn_arena_free(&a);
	return v;
}

Test(intake, publish_statuses, .init = fx_setup, .fini = fx_teardown)
{
	wn_rs_result res;
	wn_buf p;
	int st;

	memset(&res, 0, sizeof(res));
	wn_buf_init(&p);
	mk_pkg("tset", "1.0.0", PKG_GOOD, &fx.alice, &p);
	cr_assert_eq(submit(&p, &res), 403, "no key registered: %s",
	    res.message);
	cr_assert_not_null(strstr(res.message, fx.alice.pub.id));
	cr_assert_eq(stored_versions("tset"), 0);

	fx_maintainer(&fx.alice, "alice");
	fx_maintainer(&fx.alice2, "alice");
	fx_maintainer(&fx.bob, "bob");
	st = submit(&p, &res);
	cr_assert_eq(st, 201, "got %d: %s", st, res.message);
	cr_assert_str_eq(res.version.name, "tset");
	cr_assert_str_eq(res.version.version, "1.0.0");
	cr_assert_str_eq(res.version.maintainer, "alice");
	cr_assert_eq(res.version.rules, 1);
	cr_assert_eq(res.version.tests, 2);
	cr_assert_eq(res.version.size, p.len);
	cr_assert(tmp_empty(), "the unpacked set is removed");
	cr_assert_eq(submit(&p, &res), 200, "the same package again");
	cr_assert_eq(stored_versions("tset"), 1);

	/* tampered: one byte of the compressed stream changed */
	p.data[p.len / 2] ^= 0x55;
	st = submit(&p, &res);
	cr_assert_eq(st, 400, "tampered: got %d: %s", st, res.message);
	wn_buf_reset(&p);
	wn_buf_puts(&p, "not a package");
	cr_assert_eq(submit(&p, &res), 400, "not gzip");

	mk_pkg("tset", "1.1.0", PKG_GOOD, &fx.bob, &p);
	cr_assert_eq(submit(&p, &res), 403, "bob does not own tset");
	cr_assert_not_null(strstr(res.message, "alice"), "%s", res.message);

	mk_pkg("tset", "1.1.0", PKG_BAD_REGEX, &fx.alice, &p);
	cr_assert_eq(submit(&p, &res), 400);
	cr_assert_geq(res.n_details, 1);
	cr_assert_not_null(strstr(res.details.data,
	    "tset-1.1.0/10_test.cf:1:"), "details: %s", res.details.data);
	cr_assert_null(strstr(res.details.data, fx.tmp),
	    "no temporary path in %s", res.details.data);
	cr_assert(tmp_empty());

	mk_pkg("tset", "1.1.0", PKG_FAILING_TEST, &fx.alice, &p);
	cr_assert_eq(submit(&p, &res), 400);
	cr_assert_not_null(strstr(res.details.data, "spam.eml"), "%s",
	    res.details.data);
	cr_assert_not_null(strstr(res.details.data, "WN_T_CHEAP"));

	mk_pkg("tset", "1.1.0", PKG_NEW_ENGINE, &fx.alice, &p);
	cr_assert_eq(submit(&p, &res), 400);
	cr_assert_not_null(strstr(res.message, "min-engine"), "%s",
	    res.message);

	mk_pkg("tset", "0.9.0", PKG_GOOD, &fx.alice, &p);
	cr_assert_eq(submit(&p, &res), 409, "older");
	mk_pkg("tset", "1.0", PKG_GOOD, &fx.alice, &p);
	cr_assert_eq(submit(&p, &res), 409, "the same version, other bytes");
	cr_assert_eq(stored_versions("tset"), 1, "nothing refused is stored");

	mk_pkg("tset", "1.1.0", PKG_GOOD, &fx.alice2, &p);
	cr_assert_eq(submit(&p, &res), 201, "alice's other key: %s",
	    res.message);
	cr_assert_eq(wn_repo_db_maintainer_revoke(fx.db, fx.alice2.pub.id, 1),
	    0);
	mk_pkg("tset", "1.2.0", PKG_GOOD, &fx.alice2, &p);
	cr_assert_eq(submit(&p, &res), 403, "revoked");
	cr_assert_not_null(strstr(res.message, "revoked"));
	cr_assert_eq(stored_versions("tset"), 2);
	cr_assert(tmp_empty());
	wn_rs_result_fini(&res);
	wn_buf_fini(&p);
}

/* a promotion body signed by k for name/version at t */
static void
mk_promote(const wn_seckey *k, const char *name, const char *version,
    int64_t t, wn_buf *out)
{
	char at[24], sig[WN_SIGN_SIG_B64_LEN + 1];
	time_t tt = (time_t)t;
	wn_buf text;

	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
	wn_buf_init(&text);
	cr_assert_eq(wn_ruleset_promote_text(name, version, "stable", at,
	    &text), 0);
	wn_sign_detached(k, text.data, text.len, sig);
	wn_buf_fini(&text);
	wn_buf_reset(out);
	wn_buf_printf(out, "{\"stage\":\"stable\",\"time\":\"%s\","
	    "\"key_id\":\"%s\",\"signature\":\"%s\"}", at, k->pub.id, sig);
}

static int
promote(const char *name, const char *version, const wn_buf *body,
    wn_rs_result *res)
{
	wn_rs_result_fini(res);
	wn_rs_intake_promote(&fx.in, name, version, body->data, body->len,
	    fx.now, res);
	return res->status;
}

Test(intake, promote_statuses, .init = fx_setup, .fini = fx_teardown)
{
	wn_rs_result res;
	wn_buf p, b;
	wn_arena *a = wn_arena_new(0);

	memset(&res, 0, sizeof(res));
	wn_buf_init(&p);
	wn_buf_init(&b);
	fx_maintainer(&fx.alice, "alice");
	fx_maintainer(&fx.alice2, "alice");
	fx_maintainer(&fx.bob, "bob");
	mk_pkg("tset", "1.0.0", PKG_GOOD, &fx.alice, &p);
	cr_assert_eq(submit(&p, &res), 201);
	mk_pkg("tset", "1.1.0", PKG_GOOD, &fx.alice2, &p);
	cr_assert_eq(submit(&p, &res), 201);

	mk_promote(&fx.alice, "tset", "1.0.0", fx.now, &b);
	cr_assert_eq(promote("tset", "9.0.0", &b, &res), 404);
	mk_promote(&fx.alice, "tset", "9.0.0", fx.now, &b);
	cr_assert_eq(promote("tset", "9.0.0", &b, &res), 404);
	mk_promote(&fx.alice, "tset", "1.1.0", fx.now, &b);
	cr_assert_eq(promote("tset", "1.0.0", &b, &res), 403,
	    "signed for another version");
	cr_assert_not_null(strstr(res.message, "signature"));
	mk_promote(&fx.bob, "tset", "1.0.0", fx.now, &b);
	cr_assert_eq(promote("tset", "1.0.0", &b, &res), 403, "not the owner");
	mk_promote(&fx.stranger, "tset", "1.0.0", fx.now, &b);
	cr_assert_eq(promote("tset", "1.0.0", &b, &res), 403, "unknown key");
	mk_promote(&fx.alice, "tset", "1.0.0", fx.now - 3600, &b);
	cr_assert_eq(promote("tset", "1.0.0", &b, &res), 403, "stale");
	cr_assert_not_null(strstr(res.message, "stale"));
	cr_assert_null(load(a, "tset")->stable, "nothing promoted yet");
	wn_buf_reset(&b);
	wn_buf_puts(&b, "{\"stage\":\"stable\"}");
	cr_assert_eq(promote("tset", "1.0.0", &b, &res), 400);
	cr_assert_eq(promote(".x", "1.0.0", &b, &res), 400);

	mk_promote(&fx.alice, "tset", "1.0.0", fx.now + 600, &b);
	cr_assert_eq(promote("tset", "1.0.0", &b, &res), 200, "%s",
	    res.message);
	cr_assert_eq(res.version.stage, WN_RS_STABLE);
	cr_assert_eq(promote("tset", "1.0.0", &b, &res), 200, "again");
	cr_assert_str_eq(load(a, "tset")->stable->version, "1.0.0");

	cr_assert_eq(wn_repo_db_maintainer_revoke(fx.db, fx.alice2.pub.id, 1),
	    0);
	mk_promote(&fx.alice, "tset", "1.1.0", fx.now, &b);
	cr_assert_eq(promote("tset", "1.1.0", &b, &res), 410,
	    "its signer was revoked");
	mk_promote(&fx.alice2, "tset", "1.0.0", fx.now, &b);
	cr_assert_eq(promote("tset", "1.0.0", &b, &res), 403, "revoked key");
	wn_rs_result_fini(&res);
	wn_buf_fini(&p);
	wn_buf_fini(&b);
	wn_arena_free(&a);
}
