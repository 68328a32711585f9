/*
 * test_ruleset_pkg.c - signed rule-set packages: pack, sign, verify and
 * extract, and every kind of bad package refused with its reason. Bad
 * archives are crafted here with libarchive, or rebuilt from a good
 * package with one thing changed.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include <winnow/err.h>
#include <winnow/ruleset_pkg.h>

#include "ruleset_pkg_int.h"

#define CORE WN_TEST_DATA "/../../rules/core"

static char dir[256], trusted[300], pkg[300];
static char err[WN_RULESET_PKG_ERR_LEN];
static wn_seckey key, other;

static void
setup(void)
{
	char keys[300];

	snprintf(dir, sizeof(dir), "/tmp/wn-pkg-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(trusted, sizeof(trusted), "%s/trusted", dir);
	snprintf(keys, sizeof(keys), "%s/keys", dir);
	snprintf(pkg, sizeof(pkg), "%s/core.tar.gz", dir);
	cr_assert_eq(mkdir(trusted, 0755), 0);
	cr_assert_eq(mkdir(keys, 0700), 0);
	cr_assert_eq(wn_seckey_generate(&key), 0);
	cr_assert_eq(wn_seckey_generate(&other), 0);
	cr_assert_eq(wn_seckey_save(&key, trusted, "maintainer"), 0);
	cr_assert_eq(wn_seckey_save(&other, keys, "other"), 0);
}

static void
teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(ruleset_pkg, .init = setup, .fini = teardown);

static void
slurp(const char *path, uint8_t **data, size_t *len)
{
	cr_assert_eq(wn__ruleset_file_read(path, (size_t)1 << 30, data, len,
	    err), 0, "%s", err);
}

static void
spit(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

/* pack rules/core into pkg and sign it with k */
static void
make_signed(const wn_seckey *k)
{
	cr_assert_eq(wn_ruleset_pkg_pack(CORE, pkg, NULL, err), 0, "%s", err);
	cr_assert_eq(wn_ruleset_pkg_sign(pkg, k, NULL, err), 0, "%s", err);
}

/* verify pkg against trusted; must fail with rc and text want */
static void
refused(int rc, const char *want)
{
	wn_ruleset_pkg p;
	int got = wn_ruleset_pkg_verify(pkg, trusted, NULL, &p, err);

	cr_assert_eq(got, rc, "got %d (%s), want %d", got, err, rc);
	cr_assert_not_null(strstr(err, want), "got '%s', want '%s'", err,
	    want);
	cr_assert_not_null(strstr(err, pkg), "'%s' does not name the file",
	    err);
	cr_assert_eq(p.n_members, 0);
}

/* the members of pkg, structure-checked only */
static void
members(wn_ruleset_pkg *p)
{
	wn_ruleset_pkg_limits lim;
	uint8_t *data;
	size_t len;

	wn_ruleset_pkg_limits_default(&lim);
	slurp(pkg, &data, &len);
	cr_assert_eq(wn__ruleset_pkg_read(data, len, &lim, p, err), 0, "%s",
	    err);
	free(data);
}

/* write p back to pkg as it is */
static void
rewrite(wn_ruleset_pkg *p)
{
	wn_buf b;

	wn_buf_init(&b);
	cr_assert_eq(wn__ruleset_pkg_write_mem(p, &b, err), 0, "%s", err);
	spit(pkg, b.data, b.len);
	wn_buf_fini(&b);
	wn_ruleset_pkg_fini(p);
}

/* new CHECKSUMS and CHECKSUMS.sig for p by k, as a forger with k would */
static void
reseal(wn_ruleset_pkg *p, const wn_seckey *k)
{
	char path[300], b64[WN_SIGN_SIG_B64_LEN + 1], *line = NULL;
	wn_buf sums, text;

	wn__ruleset_pkg_remove(p, WN__RULESET_CHECKSUMS);
	wn__ruleset_pkg_remove(p, WN__RULESET_SIG);
	wn_buf_init(&sums);
	cr_assert_eq(wn__ruleset_checksums(p, &sums), 0);
	snprintf(path, sizeof(path), "%s/CHECKSUMS", p->top);
	cr_assert_eq(wn__ruleset_pkg_add(p, path, false,
	    (uint8_t *)strdup(sums.data), sums.len), 0);
	wn_buf_fini(&sums);
	wn__ruleset_pkg_sort(p);
	wn_buf_init(&text);
	cr_assert_eq(wn__ruleset_signed_text(wn__ruleset_pkg_find(p,
	    "CHECKSUMS"), &text), 0);
	wn_sign_detached(k, text.data, text.len, b64);
	wn_buf_fini(&text);
	cr_assert(asprintf(&line, "%s %s %s\n", WN_RULESET_SIG_TAG, k->pub.id,
	    b64) > 0);
	snprintf(path, sizeof(path), "%s/CHECKSUMS.sig", p->top);
	cr_assert_eq(wn__ruleset_pkg_add(p, path, false, (uint8_t *)line,
	    strlen(line)), 0);
	wn__ruleset_pkg_sort(p);
}

Test(ruleset_pkg, packed_core_verifies_with_the_right_key)
{
	wn_ruleset_pkg p;

	make_signed(&key);
	cr_assert_eq(wn_ruleset_pkg_verify(pkg, trusted, NULL, &p, err), 0,
	    "%s", err);
	cr_assert_str_eq(p.manifest.name, "core");
	cr_assert_str_eq(p.top, "core-1.0.0");
	cr_assert_str_eq(p.key_id, key.pub.id);
	cr_assert_gt(p.n_files, 10);
	cr_assert_not_null(wn__ruleset_pkg_find(&p, "20_body.cf"));
	cr_assert_not_null(wn__ruleset_pkg_find(&p, "tests/spam_419.eml"));
	wn_ruleset_pkg_fini(&p);
}

Test(ruleset_pkg, same_folder_packs_to_the_same_bytes)
{
	char second[320];
	uint8_t *a, *b;
	size_t la, lb;

	snprintf(second, sizeof(second), "%s/again.tar.gz", dir);
	cr_assert_eq(wn_ruleset_pkg_pack(CORE, pkg, NULL, err), 0, "%s", err);
	sleep(1);	/* a clock in the bytes would show */
	cr_assert_eq(wn_ruleset_pkg_pack(CORE, second, NULL, err), 0, "%s",
	    err);
	slurp(pkg, &a, &la);
	slurp(second, &b, &lb);
	cr_assert_eq(la, lb);
	cr_assert_eq(memcmp(a, b, la), 0, "packing is not deterministic");
	free(a);
	free(b);
}

Test(ruleset_pkg, signing_again_replaces_the_signature)
{
	wn_ruleset_pkg p;

	make_signed(&other);
	cr_assert_eq(wn_ruleset_pkg_sign(pkg, &key, NULL, err), 0, "%s", err);
	members(&p);
	cr_assert_not_null(wn__ruleset_pkg_find(&p, "CHECKSUMS.sig"));
	wn_ruleset_pkg_fini(&p);
	cr_assert_eq(wn_ruleset_pkg_verify(pkg, trusted, NULL, &p, err), 0,
	    "%s", err);
	wn_ruleset_pkg_fini(&p);
}

Test(ruleset_pkg, tampered_member_is_refused)
{
	wn_ruleset_pkg p;
	wn_ruleset_member *m;

	make_signed(&key);
	members(&p);
	m = wn__ruleset_pkg_find(&p, "20_body.cf");
	cr_assert_not_null(m);
	m->data[m->len / 2] ^= 1;
	rewrite(&p);
	refused(WN_EFORMAT, "checksum mismatch for 'core-1.0.0/20_body.cf'");
}

Test(ruleset_pkg, tampered_checksums_are_refused)
{
	wn_ruleset_pkg p;
	wn_ruleset_member *m;

	make_signed(&key);
	members(&p);
	m = wn__ruleset_pkg_find(&p, "CHECKSUMS");
	m->data[10] = m->data[10] == 'a' ? 'b' : 'a';
	rewrite(&p);
	refused(WN_EFORMAT, "does not hold");
}

Test(ruleset_pkg, member_added_after_signing_is_refused)
{
	wn_ruleset_pkg p;
	char path[64];

	make_signed(&key);
	members(&p);
	snprintf(path, sizeof(path), "%s/99_extra.cf", p.top);
	cr_assert_eq(wn__ruleset_pkg_add(&p, path, false,
	    (uint8_t *)strdup("body X /x/\n"), 11), 0);
	wn__ruleset_pkg_sort(&p);
	rewrite(&p);
	refused(WN_EFORMAT, "'core-1.0.0/99_extra.cf' is not listed");
}

Test(ruleset_pkg, signature_by_another_key_is_refused)
{
	make_signed(&other);
	refused(WN_EFORMAT, "not trusted");
}

Test(ruleset_pkg, forged_signature_under_a_trusted_id_is_refused)
{
	wn_ruleset_pkg p;
	wn_ruleset_member *m;

	make_signed(&other);
	members(&p);
	m = wn__ruleset_pkg_find(&p, "CHECKSUMS.sig");
	/* claim the trusted key's id for other's signature */
	memcpy(m->data + strlen(WN_RULESET_SIG_TAG) + 1, key.pub.id,
	    WN_SIGN_KEY_ID_LEN);
	rewrite(&p);
	refused(WN_EFORMAT, "does not hold");
}

Test(ruleset_pkg, unsigned_package_is_refused)
{
	cr_assert_eq(wn_ruleset_pkg_pack(CORE, pkg, NULL, err), 0, "%s", err);
	refused(WN_EFORMAT, "not signed");
}

Test(ruleset_pkg, report_signature_framing_does_not_verify)
{
	wn_ruleset_pkg p;
	wn_ruleset_member *m, *sums;
	char b64[WN_SIGN_SIG_B64_LEN + 1];

	make_signed(&key);
	members(&p);
	sums = wn__ruleset_pkg_find(&p, "CHECKSUMS");
	m = wn__ruleset_pkg_find(&p, "CHECKSUMS.sig");
	/* a valid signature by the trusted key over CHECKSUMS unframed */
	wn_sign_detached(&key, sums->data, sums->len, b64);
	memcpy(m->data + strlen(WN_RULESET_SIG_TAG) + 1 + WN_SIGN_KEY_ID_LEN +
	    1, b64, WN_SIGN_SIG_B64_LEN);
	rewrite(&p);
	refused(WN_EFORMAT, "does not hold");
}

/* ---- crafted archives ---- */

typedef struct raw {
	const char *path;
	char kind;		/* f file, d folder, l symlink, h hard link, p fifo */
	const char *body;	/* content, or the link target */
	unsigned mode;		/* 0: 0644 / 0755 */
} raw;

static void
raw_write(const raw *v, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t i;

	cr_assert_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	cr_assert_eq(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	cr_assert_eq(archive_write_open_filename(a, pkg), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		size_t len = v[i].kind == 'f' ? strlen(v[i].body) : 0;

		archive_entry_clear(e);
		archive_entry_set_pathname(e, v[i].path);
		switch (v[i].kind) {
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, v[i].body);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, v[i].body);
			break;
		case 'p':
			archive_entry_set_filetype(e, AE_IFIFO);
			break;
		default:
			archive_entry_set_filetype(e, AE_IFREG);
		}
		archive_entry_set_perm(e, v[i].mode ? v[i].mode :
		    v[i].kind == 'd' ? 0755 : 0644);
		archive_entry_set_size(e, (la_int64_t)len);
		cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK, "%s",
		    archive_error_string(a));
		if (len > 0)
			cr_assert_eq(archive_write_data(a, v[i].body, len),
			    (la_ssize_t)len);
	}
	cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
	archive_entry_free(e);
	archive_write_free(a);
}

#define MANIFEST "name: r\nversion: 1.0.0\nmaintainer: m\nlicence: MIT\n" \
	"min-engine: 0.1.0\n"

/* a small package with one extra member x; refused with want */
static void
crafted(raw x, const char *want)
{
	raw v[4] = {
		{ "r-1.0.0/", 'd', NULL, 0 },
		{ "r-1.0.0/manifest", 'f', MANIFEST, 0 },
		{ "r-1.0.0/a.cf", 'f', "body A /a/\n", 0 },
		x,
	};

	raw_write(v, 4);
	refused(WN_EFORMAT, want);
}

Test(ruleset_pkg, symlink_is_refused)
{
	crafted((raw){ "r-1.0.0/b.cf", 'l', "/etc/passwd", 0 },
	    "'r-1.0.0/b.cf' is a symbolic link");
}

Test(ruleset_pkg, hard_link_is_refused)
{
	crafted((raw){ "r-1.0.0/b.cf", 'h', "r-1.0.0/a.cf", 0 },
	    "'r-1.0.0/b.cf' is a hard link");
}

Test(ruleset_pkg, fifo_is_refused)
{
	crafted((raw){ "r-1.0.0/b.cf", 'p', NULL, 0 },
	    "not a regular file or folder");
}

Test(ruleset_pkg, dot_dot_is_refused)
{
	crafted((raw){ "r-1.0.0/../evil.cf", 'f', "x\n", 0 },
	    "'r-1.0.0/../evil.cf' has a '..' component");
	crafted((raw){ "../evil.cf", 'f', "x\n", 0 }, "has a '..' component");
}

Test(ruleset_pkg, absolute_path_is_refused)
{
	crafted((raw){ "/abs.cf", 'f', "x\n", 0 },
	    "'/abs.cf' is an absolute path");
}

Test(ruleset_pkg, executable_file_is_refused)
{
	crafted((raw){ "r-1.0.0/b.cf", 'f', "x\n", 0755 },
	    "'r-1.0.0/b.cf' is executable");
	crafted((raw){ "r-1.0.0/tests/t.eml", 'f', "x\n", 04644 },
	    "is executable");
}

Test(ruleset_pkg, code_is_refused)
{
	crafted((raw){ "r-1.0.0/evil.so", 'f', "\177ELF", 0 },
	    "'r-1.0.0/evil.so' is not rule data");
	crafted((raw){ "r-1.0.0/install.sh", 'f', "rm -rf /\n", 0 },
	    "'r-1.0.0/install.sh' is not rule data");
	crafted((raw){ "r-1.0.0/.cf", 'f', "x\n", 0 }, "is not rule data");
}

Test(ruleset_pkg, member_outside_the_top_folder_is_refused)
{
	crafted((raw){ "other/b.cf", 'f', "x\n", 0 },
	    "'other/b.cf' is outside the top folder 'r-1.0.0'");
	crafted((raw){ "b.cf", 'f', "x\n", 0 }, "outside the top folder");
}

Test(ruleset_pkg, duplicate_member_is_refused)
{
	crafted((raw){ "r-1.0.0/a.cf", 'f', "body B /b/\n", 0 },
	    "'r-1.0.0/a.cf' appears twice");
}

Test(ruleset_pkg, file_used_as_folder_is_refused)
{
	crafted((raw){ "r-1.0.0/a.cf/b.cf", 'f', "x\n", 0 },
	    "'r-1.0.0/a.cf' is a file and a folder");
}

Test(ruleset_pkg, crafted_but_well_formed_package_needs_its_sums)
{
	crafted((raw){ "r-1.0.0/tests/t.eml", 'f', "x\n", 0 },
	    "not signed");
}

/* ---- limits, damage, manifests ---- */

static void
refused_with_limits(const wn_ruleset_pkg_limits *lim, const char *want)
{
	wn_ruleset_pkg p;
	int rc = wn_ruleset_pkg_verify(pkg, trusted, lim, &p, err);

	cr_assert_eq(rc, WN_ELIMIT, "got %d (%s)", rc, err);
	cr_assert_not_null(strstr(err, want), "got '%s', want '%s'", err,
	    want);
}

Test(ruleset_pkg, oversized_packages_are_refused)
{
	wn_ruleset_pkg_limits lim;

	make_signed(&key);
	wn_ruleset_pkg_limits_default(&lim);
	lim.max_compressed = 4096;
	refused_with_limits(&lim, "over the limit of 4096");
	wn_ruleset_pkg_limits_default(&lim);
	lim.max_unpacked = 20000;
	refused_with_limits(&lim, "unpacks to more than 20000 bytes");
	wn_ruleset_pkg_limits_default(&lim);
	lim.max_members = 5;
	refused_with_limits(&lim, "more than 5 members");
	wn_ruleset_pkg_limits_default(&lim);
	lim.max_path = 20;
	refused_with_limits(&lim, "over the limit of 20");
}

Test(ruleset_pkg, truncated_and_random_bytes_are_refused)
{
	uint8_t *data, junk[4096];
	wn_ruleset_pkg p;
	size_t len, i;

	make_signed(&key);
	slurp(pkg, &data, &len);
	cr_assert_eq(wn_ruleset_pkg_verify_mem(data, len / 2, &key.pub, 1,
	    NULL, &p, err), WN_EFORMAT, "truncated package accepted");
	cr_assert_not_null(strstr(err, "truncated"), "got '%s'", err);
	cr_assert_eq(wn_ruleset_pkg_verify_mem(data, len - 1, &key.pub, 1,
	    NULL, &p, err), WN_EFORMAT, "package without its last byte "
	    "accepted");
	cr_assert_eq(wn_ruleset_pkg_verify_mem(data, len, &key.pub, 1,
	    NULL, &p, err), 0, "%s", err);
	wn_ruleset_pkg_fini(&p);
	free(data);
	srand(7);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)rand();
	spit(pkg, junk, sizeof(junk));
	refused(WN_EFORMAT, "not a .tar.gz package");
}

/* a one-file rule set in dir/set with this manifest, packed into pkg */
static void
pack_set(const char *manifest)
{
	char set[320], path[340];

	snprintf(set, sizeof(set), "%s/set", dir);
	cr_assert_eq(mkdir(set, 0755), 0);
	snprintf(path, sizeof(path), "%s/manifest", set);
	spit(path, manifest, strlen(manifest));
	snprintf(path, sizeof(path), "%s/a.cf", set);
	spit(path, "body A /a/\n", 11);
	cr_assert_eq(wn_ruleset_pkg_pack(set, pkg, NULL, err), 0, "%s", err);
}

Test(ruleset_pkg, newer_min_engine_is_refused)
{
	pack_set("name: future\nversion: 2.0\nmaintainer: m\nlicence: MIT\n"
	    "min-engine: 99.0.0\n");
	cr_assert_eq(wn_ruleset_pkg_sign(pkg, &key, NULL, err), 0, "%s", err);
	refused(WN_EFORMAT, "needs winnow 99.0.0 or newer");
}

Test(ruleset_pkg, manifest_without_version_is_refused)
{
	wn_ruleset_pkg p;
	wn_ruleset_member *m;
	static const char bad[] = "name: r\nmaintainer: m\nlicence: MIT\n"
	    "min-engine: 0.1.0\n";

	pack_set(MANIFEST);
	members(&p);
	m = wn__ruleset_pkg_find(&p, "manifest");
	free(m->data);
	m->data = (uint8_t *)strdup(bad);
	m->len = strlen(bad);
	reseal(&p, &key);	/* a trusted maintainer's mistake */
	rewrite(&p);
	refused(WN_EFORMAT, "manifest has no 'version'");
}

Test(ruleset_pkg, top_folder_must_match_the_manifest)
{
	wn_ruleset_pkg p;
	wn_ruleset_member *m;
	static const char other_version[] = "name: r\nversion: 1.0.1\n"
	    "maintainer: m\nlicence: MIT\nmin-engine: 0.1.0\n";

	pack_set(MANIFEST);
	members(&p);
	m = wn__ruleset_pkg_find(&p, "manifest");
	free(m->data);
	m->data = (uint8_t *)strdup(other_version);
	m->len = strlen(other_version);
	reseal(&p, &key);
	rewrite(&p);
	refused(WN_EFORMAT, "not NAME-VERSION of the manifest (r-1.0.1)");
}

Test(ruleset_pkg, pack_refuses_what_verify_would)
{
	char set[320], path[340];

	pack_set(MANIFEST);
	snprintf(set, sizeof(set), "%s/set", dir);
	snprintf(path, sizeof(path), "%s/run.sh", set);
	spit(path, "#!/bin/sh\n", 10);
	cr_assert_eq(wn_ruleset_pkg_pack(set, pkg, NULL, err), WN_EFORMAT);
	cr_assert_not_null(strstr(err, "run.sh is not rule data"), "%s", err);
	unlink(path);
	snprintf(path, sizeof(path), "%s/link.cf", set);
	cr_assert_eq(symlink("a.cf", path), 0);
	cr_assert_eq(wn_ruleset_pkg_pack(set, pkg, NULL, err), WN_EFORMAT);
	cr_assert_not_null(strstr(err, "link.cf: not a regular file"), "%s",
	    err);
}

/* ---- extract ---- */

static size_t
entries(const char *path)
{
	char cmd[400];
	FILE *f;
	size_t n = 0;
	int c;

	snprintf(cmd, sizeof(cmd), "ls -A '%s'", path);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	pclose(f);
	return n;
}

Test(ruleset_pkg, extract_writes_the_verified_set)
{
	char dest[320], path[400];
	wn_ruleset_pkg p;
	struct stat st;

	make_signed(&key);
	snprintf(dest, sizeof(dest), "%s/installed", dir);
	cr_assert_eq(wn_ruleset_pkg_extract(pkg, trusted, dest, NULL, &p,
	    err), 0, "%s", err);
	snprintf(path, sizeof(path), "%s/tests/spam_419.eml", dest);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0644);
	snprintf(path, sizeof(path), "%s/manifest", dest);
	cr_assert_eq(stat(path, &st), 0);
	wn_ruleset_pkg_fini(&p);
	/* never over an existing folder */
	cr_assert_eq(wn_ruleset_pkg_extract(pkg, trusted, dest, NULL, NULL,
	    err), WN_EINVAL);
	cr_assert_not_null(strstr(err, "already exists"), "%s", err);
}

Test(ruleset_pkg, extract_writes_nothing_when_verification_fails)
{
	char dest[320];
	wn_ruleset_pkg p;
	wn_ruleset_member *m;
	size_t before;

	make_signed(&key);
	members(&p);
	m = wn__ruleset_pkg_find(&p, "tests/spam_419.eml");
	m->data[0] ^= 1;
	rewrite(&p);
	before = entries(dir);
	snprintf(dest, sizeof(dest), "%s/installed", dir);
	cr_assert_eq(wn_ruleset_pkg_extract(pkg, trusted, dest, NULL, NULL,
	    err), WN_EFORMAT);
	cr_assert_not_null(strstr(err, "checksum mismatch"), "%s", err);
	cr_assert_neq(access(dest, F_OK), 0, "extract left %s", dest);
	cr_assert_eq(entries(dir), before, "extract left files beside it");
}

Test(ruleset_pkg, trusted_folder_must_hold_keys)
{
	char empty[320], bad[340];
	wn_ruleset_pkg p;

	make_signed(&key);
	snprintf(empty, sizeof(empty), "%s/empty", dir);
	cr_assert_eq(mkdir(empty, 0755), 0);
	cr_assert_eq(wn_ruleset_pkg_verify(pkg, empty, NULL, &p, err),
	    WN_ENOENT);
	cr_assert_not_null(strstr(err, "no trusted keys"), "%s", err);
	snprintf(bad, sizeof(bad), "%s/junk.pub", trusted);
	spit(bad, "hello\n", 6);
	cr_assert_eq(wn_ruleset_pkg_verify(pkg, trusted, NULL, &p, err),
	    WN_EFORMAT);
	cr_assert_not_null(strstr(err, "junk.pub: not a winnow public key"),
	    "%s", err);
}
