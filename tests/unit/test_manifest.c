/*
 * test_manifest.c - the rule-set manifest reader and version comparison.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <winnow/err.h>
#include <winnow/manifest.h>

static const char good[] =
    "# a comment\n"
    "name: core\n"
    "version: 1.2.0\n"
    "maintainer: Someone <s@example.invalid>\n"
    "licence: MIT\r\n"
    "min-engine: 0.1.0\n"
    "future-key: ignored\n"
    "\n"
    "description:  text with: colons  \n";

Test(manifest, reads_every_field)
{
	char err[WN_MANIFEST_ERR_LEN];
	wn_manifest m;

	cr_assert_eq(wn_manifest_parse(good, strlen(good), &m, err), 0, "%s",
	    err);
	cr_assert_str_eq(m.name, "core");
	cr_assert_str_eq(m.version, "1.2.0");
	cr_assert_str_eq(m.maintainer, "Someone <s@example.invalid>");
	cr_assert_str_eq(m.licence, "MIT");
	cr_assert_str_eq(m.min_engine, "0.1.0");
	cr_assert_str_eq(m.description, "text with: colons");
	wn_manifest_fini(&m);
	cr_assert_null(m.name);
}

static void
refused(const char *text, const char *want)
{
	char err[WN_MANIFEST_ERR_LEN] = "";
	wn_manifest m;

	cr_assert_eq(wn_manifest_parse(text, strlen(text), &m, err),
	    WN_EFORMAT, "accepted: %s", text);
	cr_assert_not_null(strstr(err, want), "got '%s', want '%s'", err,
	    want);
	cr_assert_null(m.name);
}

Test(manifest, refuses_missing_and_malformed_keys)
{
	refused("name: a\nmaintainer: m\nlicence: l\nmin-engine: 0.1\n",
	    "manifest has no 'version'");
	refused("name: a\nversion: 1\nmaintainer: m\nlicence: l\n",
	    "manifest has no 'min-engine'");
	refused("name: a\nname: b\n", "'name' given twice");
	refused("name a\n", "line 1: not 'key: value'");
	refused("name:\n", "'name' is empty");
	refused("name: ../x\nversion: 1\nmaintainer: m\nlicence: l\n"
	    "min-engine: 0.1\n", "name '../x'");
	refused("name: a\nversion: 1.x\nmaintainer: m\nlicence: l\n"
	    "min-engine: 0.1\n", "version '1.x'");
	refused("name: a\nversion: 1\nmaintainer: m\nlicence: l\n"
	    "min-engine: new\n", "min-engine 'new'");
}

Test(manifest, refuses_nul_and_oversize)
{
	char err[WN_MANIFEST_ERR_LEN];
	static char big[WN_MANIFEST_MAX_SIZE + 2];
	wn_manifest m;

	cr_assert_eq(wn_manifest_parse("name: a\0b\n", 10, &m, err),
	    WN_EFORMAT);
	memset(big, '#', sizeof(big) - 1);
	cr_assert_eq(wn_manifest_parse(big, sizeof(big) - 1, &m, err),
	    WN_ELIMIT);
}

Test(manifest, reads_the_shipped_core_set)
{
	char err[WN_MANIFEST_ERR_LEN];
	wn_manifest m;

	cr_assert_eq(wn_manifest_read_dir(WN_TEST_DATA "/../../rules/core",
	    &m, err), 0, "%s", err);
	cr_assert_str_eq(m.name, "core");
	wn_manifest_fini(&m);
	cr_assert_eq(wn_manifest_read_dir("/nonexistent", &m, err),
	    WN_ENOENT);
	cr_assert_not_null(strstr(err, "/nonexistent/manifest"), "%s", err);
}

Test(manifest, compares_dotted_numbers)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{ "0.1.0", "0.1.0", 0 }, { "0.1", "0.1.0", 0 },
		{ "0.1.0", "0.10.0", -1 }, { "99.0.0", "0.1.0", 1 },
		{ "1.2.3", "1.2", 1 }, { "0.9.9", "1", -1 },
	};
	size_t i;
	int cmp;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(wn_version_cmp(cases[i].a, cases[i].b, &cmp), 0);
		cr_assert_eq(cmp, cases[i].want, "%s vs %s: got %d, want %d",
		    cases[i].a, cases[i].b, cmp, cases[i].want);
	}
	cr_assert_eq(wn_version_cmp("1..2", "1", &cmp), WN_EFORMAT);
	cr_assert_eq(wn_version_cmp("", "1", &cmp), WN_EFORMAT);
	cr_assert_eq(wn_version_cmp("1.2.3.4.5.6.7.8.9", "1", &cmp),
	    WN_EFORMAT);
	cr_assert_eq(wn_version_cmp("1234567890", "1", &cmp), WN_EFORMAT);
	cr_assert_eq(wn_version_cmp("1.-2", "1", &cmp), WN_EFORMAT);
}
