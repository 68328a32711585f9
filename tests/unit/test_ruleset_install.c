/*
 * test_ruleset_install.c - the operator's installed rule sets: the check
 * every set passes, staging signed packages (and every refusal leaving
 * the installed sets as they were), switching, rollback marks, removal,
 * pruning, the update lock, channels and the list winnowd loads.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winnow/err.h>
#include <winnow/ruleset_check.h>
#include <winnow/ruleset_install.h>
#include <winnow/ruleset_pkg.h>

#define CORE WN_TEST_DATA "/../../rules/core"

static char tmp[256], root[300];
static char err[WN_RULESET_INSTALL_ERR_LEN];
static wn_seckey key, stranger;
static wn_diag_list d;

static void
setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/wn-inst-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	snprintf(root, sizeof(root), "%s/installed", tmp);
	cr_assert_eq(wn_seckey_generate(&key), 0);
	cr_assert_eq(wn_seckey_generate(&stranger), 0);
	wn_diag_list_init(&d);
}

static void
teardown(void)
{
	char cmd[300];

	wn_diag_list_fini(&d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(install, .init = setup, .fini = teardown);

static void
put(const char *dir, const char *name, const char *text)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "w"), "%s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

/*
 * A rule set "extra" at version in tmp/src-VERSION: rule WN_X_ONE hits
 * "cheap pills"; with two_rules also WN_X_TWO on "free money". rules is
 * appended as is (a broken rule, say); bad_test makes a test fail.
 */
static void
make_set(const char *version, bool two_rules, const char *rules,
    bool bad_test, const char *min_engine, char *dir_out, size_t len)
{
	char tests[400], manifest[512];

	snprintf(dir_out, len, "%s/src-%s", tmp, version);
	cr_assert_eq(mkdir(dir_out, 0755), 0);
	snprintf(tests, sizeof(tests), "%s/tests", dir_out);
	cr_assert_eq(mkdir(tests, 0755), 0);
	snprintf(manifest, sizeof(manifest), "name: extra\nversion: %s\n"
	    "maintainer: Test Maintainer\nlicence: Apache-2.0\n"
	    "min-engine: %s\ndescription: a test set\n", version,
	    min_engine ? min_engine : "0.1");
	put(dir_out, "manifest", manifest);
	put(dir_out, "10_extra.cf", two_rules ?
	    "body WN_X_ONE /cheap pills/i\nscore WN_X_ONE 2.0\n"
	    "body WN_X_TWO /free money/i\nscore WN_X_TWO 3.0\n" :
	    "body WN_X_ONE /cheap pills/i\nscore WN_X_ONE 2.0\n");
	if (rules != NULL)
		put(dir_out, "20_more.cf", rules);
	put(tests, "hit.eml", two_rules ?
	    "# hit: WN_X_ONE WN_X_TWO\nSubject: x\n\ncheap pills, free money\n" :
	    "# hit: WN_X_ONE\nSubject: x\n\ncheap pills\n");
	snprintf(manifest, sizeof(manifest), "# miss: WN_X_ONE%s\n"
	    "Subject: x\n\n%s\n", two_rules ? " WN_X_TWO" : "",
	    bad_test ? "cheap pills" : "lunch at noon");
	put(tests, "miss.eml", manifest);
}

/* pack and sign the set in dir; the package bytes into *data */
static void
package(const char *dir, const wn_seckey *k, uint8_t **data, size_t *len)
{
	char path[400], perr[WN_RULESET_PKG_ERR_LEN];
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s.tar.gz", dir);
	cr_assert_eq(wn_ruleset_pkg_pack(dir, path, NULL, perr), 0, "%s",
	    perr);
	cr_assert_eq(wn_ruleset_pkg_sign(path, k, NULL, perr), 0, "%s", perr);
	cr_assert_not_null(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	cr_assert_not_null(*data = malloc((size_t)n));
	cr_assert_eq(fread(*data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
}

static int
stage(const char *version, bool two_rules, const char *rules,
    bool bad_test, const wn_seckey *signer, wn_ruleset_staged *st)
{
	char dir[400];
	uint8_t *data;
	size_t len;
	int rc;

	make_set(version, two_rules, rules, bad_test, NULL, dir, sizeof(dir));
	package(dir, signer, &data, &len);
	rc = wn_ruleset_stage(root, data, len, &key.pub, 1, st, &d, err);
	free(data);
	return rc;
}

static void
link_is(const char *link, const char *want)
{
	char path[400], got[64] = "";
	ssize_t n;

	snprintf(path, sizeof(path), "%s/extra/%s", root, link);
	n = readlink(path, got, sizeof(got) - 1);
	if (want == NULL) {
		cr_assert_lt(n, 0, "%s exists", path);
		return;
	}
	cr_assert_gt(n, 0, "%s: %s", path, strerror(errno));
	got[n] = '\0';
	cr_assert_str_eq(got, want);
}

static bool
exists(const char *rel)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return access(path, F_OK) == 0;
}

static bool
diag_has(const char *text)
{
	size_t i;

	for (i = 0; i < d.n; i++)
		if (strstr(d.v[i].msg, text) != NULL ||
		    strstr(d.v[i].file, text) != NULL)
			return true;
	return false;
}

Test(install, check_passes_the_shipped_set)
{
	wn_ruleset_check_result r;
	wn_manifest m;
	wn_rules *rs;

	cr_assert_eq(wn_ruleset_check(CORE, &d, &r, &m, &rs), 0);
	cr_assert_eq(d.errors, 0);
	cr_assert_str_eq(m.name, "core");
	cr_assert_gt(r.messages, 10);
	cr_assert_eq(r.failures, 0);
	cr_assert_eq(r.covered, r.scoring);
	cr_assert_not_null(rs);
	cr_assert_eq(wn_rules_count(rs), r.rules);
	wn_rules_free(&rs);
	wn_manifest_fini(&m);
}

Test(install, check_refuses_each_fault)
{
	char dir[400];

	make_set("1.0", false, NULL, true, NULL, dir, sizeof(dir));
	cr_assert_eq(wn_ruleset_check(dir, &d, NULL, NULL, NULL), WN_EFORMAT);
	cr_assert(diag_has("WN_X_ONE should not hit but did"));

	wn_diag_list_fini(&d);
	wn_diag_list_init(&d);
	make_set("2.0", false, "body BROKEN /unclosed(/\nscore BROKEN 1\n",
	    false, NULL, dir, sizeof(dir));
	cr_assert_eq(wn_ruleset_check(dir, &d, NULL, NULL, NULL), WN_EFORMAT);
	cr_assert(diag_has("20_more.cf"));

	wn_diag_list_fini(&d);
	wn_diag_list_init(&d);
	make_set("3.0", false, NULL, false, "99.0", dir, sizeof(dir));
	cr_assert_eq(wn_ruleset_check(dir, &d, NULL, NULL, NULL), WN_EFORMAT);
	cr_assert(diag_has("needs winnow 99.0"));

	wn_diag_list_fini(&d);
	wn_diag_list_init(&d);
	make_set("4.0", false, "body WN_X_UNTESTED /zzz/\nscore WN_X_UNTESTED 1\n",
	    false, NULL, dir, sizeof(dir));
	cr_assert_eq(wn_ruleset_check(dir, &d, NULL, NULL, NULL), WN_EFORMAT);
	cr_assert(diag_has("WN_X_UNTESTED: no hit test"));

	wn_diag_list_fini(&d);
	wn_diag_list_init(&d);
	cr_assert_eq(wn_ruleset_check("/nonexistent", &d, NULL, NULL, NULL),
	    WN_ENOENT);
}

Test(install, stage_switch_and_sources)
{
	wn_ruleset_staged st;
	wn_ruleset_source src[WN_RULESET_MAX_SOURCES];
	const char *paths[] = { CORE };
	size_t n;

	cr_assert_eq(stage("1.0", false, NULL, false, &key, &st), 0, "%s",
	    err);
	cr_assert(st.fresh);
	cr_assert_str_eq(st.name, "extra");
	cr_assert(exists("extra/1.0/10_extra.cf"));
	cr_assert(exists("extra/1.0/CHECKSUMS.sig"));
	link_is("current", NULL);	/* staged, not switched */
	cr_assert_eq(wn_ruleset_sources(paths, 1, root, NULL, NULL, src, &n,
	    &d), 0);
	cr_assert_eq(n, 1, "a set without current is not loaded");

	cr_assert_eq(wn_ruleset_switch(root, "extra", "1.0", err), 0, "%s",
	    err);
	link_is("current", "1.0");
	link_is("previous", NULL);
	cr_assert_eq(wn_ruleset_sources(paths, 1, root, NULL, NULL, src, &n,
	    &d), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(src[0].name, "core");
	cr_assert(!src[0].installed);
	cr_assert_str_eq(src[1].name, "extra");
	cr_assert_str_eq(src[1].version, "1.0");
	cr_assert(src[1].installed);
	cr_assert(strstr(src[1].path, "/extra/1.0") != NULL);

	cr_assert_eq(stage("1.1", true, NULL, false, &key, &st), 0, "%s",
	    err);
	cr_assert_eq(wn_ruleset_sources(paths, 1, root, "extra", "1.1", src,
	    &n, &d), 0);
	cr_assert_str_eq(src[1].version, "1.1", "the override is compiled");
	cr_assert_eq(wn_ruleset_switch(root, "extra", "1.1", err), 0);
	link_is("current", "1.1");
	link_is("previous", "1.0");
	cr_assert_eq(wn_ruleset_switch(root, "extra", "1.1", err), 0);
	link_is("previous", "1.0");	/* switching to current: no change */
	cr_assert_eq(wn_ruleset_switch(root, "extra", "9.9", err), WN_ENOENT);
	cr_assert_eq(wn_ruleset_switch(root, "../x", "1.0", err), WN_EINVAL);
}

Test(install, installed_set_replaces_a_configured_one_of_its_name)
{
	wn_ruleset_staged st;
	wn_ruleset_source src[WN_RULESET_MAX_SOURCES];
	char dir[400];
	const char *paths[2] = { CORE, NULL };
	size_t n;

	make_set("0.5", false, NULL, false, NULL, dir, sizeof(dir));
	paths[1] = dir;		/* "extra" configured from a folder */
	cr_assert_eq(stage("1.0", false, NULL, false, &key, &st), 0, "%s",
	    err);
	cr_assert_eq(wn_ruleset_switch(root, "extra", "1.0", err), 0);
	cr_assert_eq(wn_ruleset_sources(paths, 2, root, NULL, NULL, src, &n,
	    &d), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(src[1].name, "extra");
	cr_assert_str_eq(src[1].version, "1.0");
	cr_assert(src[1].installed);
	cr_assert_eq(wn_ruleset_sources(paths, 2, "", NULL, NULL, src, &n,
	    &d), 0);
	cr_assert_str_eq(src[1].version, "0.5", "no root: as configured");
}

Test(install, refusals_leave_the_installed_set_alone)
{
	wn_ruleset_staged st;
	wn_installed_set *sets;
	size_t n;

	cr_assert_eq(stage("1.0", false, NULL, false, &key, &st), 0, "%s",
	    err);
	cr_assert_eq(wn_ruleset_switch(root, "extra", "1.0", err), 0);

	cr_assert_eq(stage("2.0", false, NULL, false, &stranger, &st),
	    WN_EFORMAT);
	cr_assert(strstr(err, "key") != NULL, "%s", err);
	cr_assert(!exists("extra/2.0"));

	cr_assert_eq(stage("2.1", false, NULL, true, &key, &st), WN_EFORMAT);
	cr_assert(strstr(err, "does not pass its own check") != NULL, "%s",
	    err);
	cr_assert(diag_has("miss.eml"));
	cr_assert(!exists("extra/2.1"), "a refused version is removed");

	cr_assert_eq(stage("2.2", false, "body BAD /(/\nscore BAD 1\n", false,
	    &key, &st), WN_EFORMAT);
	cr_assert(diag_has("20_more.cf"));
	cr_assert(!exists("extra/2.2"));

	link_is("current", "1.0");
	cr_assert_eq(wn_ruleset_installed(root, &sets, &n, err), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(sets[0].n_versions, 1);
	wn_ruleset_installed_free(sets, n);
}

Test(install, a_version_never_changes)
{
	wn_ruleset_staged st;
	char dir[400];
	uint8_t *data;
	size_t len;

	cr_assert_eq(stage("1.0", false, NULL, false, &key, &st), 0, "%s",
	    err);
	/* the same package again: reused */
	snprintf(dir, sizeof(dir), "%s/src-1.0", tmp);
	package(dir, &key, &data, &len);
	cr_assert_eq(wn_ruleset_stage(root, data, len, &key.pub, 1, &st, &d,
	    err), 0, "%s", err);
	cr_assert(!st.fresh);
	free(data);
	/* other content under the same version: refused, the old kept */
	put(dir, "10_extra.cf", "body WN_X_ONE /cheap/i\nscore WN_X_ONE 2.0\n");
	package(dir, &key, &data, &len);
	cr_assert_eq(wn_ruleset_stage(root, data, len, &key.pub, 1, &st, &d,
	    err), WN_EFORMAT);
	cr_assert(strstr(err, "other content") != NULL, "%s", err);
	cr_assert(exists("extra/1.0/10_extra.cf"));
	free(data);
}

Test(install, rollback_target_and_skip_mark)
{
	wn_ruleset_staged st;
	wn_installed_set *sets;
	char to[64];
	size_t n;

	cr_assert_eq(stage("1.0", false, NULL, false, &key, &st), 0);
	cr_assert_eq(wn_ruleset_switch(root, "extra", "1.0", err), 0);
	cr_assert_eq(wn_ruleset_installed(root, &sets, &n, err), 0);
	cr_assert_eq(wn_ruleset_rollback_target(&sets[0], to, sizeof(to), err),
	    WN_ENOENT, "nothing older than the only version");
	wn_ruleset_installed_free(sets, n);

	cr_assert_eq(stage("2.0", true, NULL, false, &key, &st), 0);
	cr_assert_eq(wn_ruleset_switch(root, "extra", "2.0", err), 0);
	cr_assert_eq(wn_ruleset_installed(root, &sets, &n, err), 0);
	cr_assert_eq(wn_ruleset_rollback_target(&sets[0], to, sizeof(to), err),
	    0);
	cr_assert_str_eq(to, "1.0");
	wn_ruleset_installed_free(sets, n);

	cr_assert_eq(wn_ruleset_switch(root, "extra", "1.0", err), 0);
	cr_assert_eq(wn_ruleset_mark_skip(root, "extra", "2.0", err), 0);
	cr_assert_eq(wn_ruleset_installed(root, &sets, &n, err), 0);
	cr_assert_str_eq(sets[0].current, "1.0");
	cr_assert_str_eq(sets[0].previous, "2.0");
	cr_assert_str_eq(sets[0].skip, "2.0");
	wn_ruleset_installed_free(sets, n);
	/* going forward to the skipped version or past it clears the mark */
	cr_assert_eq(wn_ruleset_switch(root, "extra", "2.0", err), 0);
	cr_assert(!exists("extra/skip"));
}

Test(install, remove_and_prune)
{
	wn_ruleset_staged st;
	wn_installed_set *sets;
	size_t n;

	cr_assert_eq(stage("1.0", false, NULL, false, &key, &st), 0);
	cr_assert_eq(stage("1.1", false, NULL, false, &key, &st), 0);
	cr_assert_eq(stage("1.2", false, NULL, false, &key, &st), 0);
	cr_assert_eq(stage("1.3", false, NULL, false, &key, &st), 0);
	cr_assert_eq(wn_ruleset_switch(root, "extra", "1.0", err), 0);
	cr_assert_eq(wn_ruleset_switch(root, "extra", "1.3", err), 0);
	cr_assert_eq(wn_ruleset_prune(root, "extra", 1, err), 0, "%s", err);
	/* current 1.3, previous 1.0, and the newest other: 1.2 */
	cr_assert(exists("extra/1.0") && exists("extra/1.3") &&
	    exists("extra/1.2"));
	cr_assert(!exists("extra/1.1"));

	cr_assert_eq(wn_ruleset_remove(root, "extra", err), 0, "%s", err);
	cr_assert(!exists("extra"));
	cr_assert_eq(wn_ruleset_installed(root, &sets, &n, err), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(wn_ruleset_remove(root, "extra", err), WN_ENOENT);
	cr_assert_eq(wn_ruleset_remove(root, "..", err), WN_EINVAL);
}

Test(install, one_change_at_a_time)
{
	int a, b;

	cr_assert_eq(wn_ruleset_lock(root, &a, err), 0, "%s", err);
	cr_assert_eq(wn_ruleset_lock(root, &b, err), WN_ETEMP);
	cr_assert(strstr(err, "another") != NULL, "%s", err);
	wn_ruleset_unlock(a);
	cr_assert_eq(wn_ruleset_lock(root, &b, err), 0, "%s", err);
	wn_ruleset_unlock(b);
}

Test(install, missing_root_holds_nothing)
{
	wn_installed_set *sets;
	size_t n;

	cr_assert_eq(wn_ruleset_installed("/nonexistent/rules", &sets, &n,
	    err), 0);
	cr_assert_eq(n, 0);
}

Test(install, channels)
{
	wn_ruleset_channel ch[4];
	size_t n;

	cr_assert_eq(wn_ruleset_channels_parse("  core extra:testing  x:stable",
	    ch, 4, &n, err), 0, "%s", err);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(ch[0].name, "core");
	cr_assert_str_eq(ch[0].stage, "stable");
	cr_assert_str_eq(ch[1].stage, "testing");
	cr_assert_str_eq(ch[2].name, "x");
	cr_assert_eq(wn_ruleset_channels_parse("", ch, 4, &n, err), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(wn_ruleset_channels_parse("core:beta", ch, 4, &n, err),
	    WN_EINVAL);
	cr_assert(strstr(err, "stable or testing") != NULL, "%s", err);
	cr_assert_eq(wn_ruleset_channels_parse("../etc", ch, 4, &n, err),
	    WN_EINVAL);
	cr_assert_eq(wn_ruleset_channels_parse(".hidden", ch, 4, &n, err),
	    WN_EINVAL);
	cr_assert_eq(wn_ruleset_channels_parse("a b a:testing", ch, 4, &n,
	    err), WN_EINVAL);
	cr_assert(strstr(err, "twice") != NULL, "%s", err);
	cr_assert_eq(wn_ruleset_channels_parse("a b c d e", ch, 4, &n, err),
	    WN_ELIMIT);
}
