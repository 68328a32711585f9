/*
 * test_geoip.c - country of an address from a MaxMind DB written at test
 * time (tests/data/geoip/make_mmdb.pl, run by the ctest fixture
 * geoip_make_mmdb) and from Debian's legacy GeoIP files when installed;
 * errors for missing, corrupt and truncated files; lookups from many
 * threads at once on one handle.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <maxminddb.h>

#include <winnow/err.h>
#include <winnow/geoip.h>
#include <winnow/netaddr.h>

#define LEGACY4 "/usr/share/GeoIP/GeoIP.dat"
#define LEGACY6 "/usr/share/GeoIP/GeoIPv6.dat"

static char tmpdir[64];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/wn-geoip-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	if (tmpdir[0] != '\0')
		nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(geoip, .init = setup, .fini = teardown);

static bool
have_legacy(void)
{
	return access(LEGACY4, R_OK) == 0 && access(LEGACY6, R_OK) == 0;
}

static wn_geoip *
open_ok(const char *path)
{
	char err[512] = "";
	wn_geoip *g = NULL;
	int rc = wn_geoip_open(path, &g, err, sizeof(err));

	cr_assert_eq(rc, 0, "open %s: got %d (%s), want 0",
	    path ? path : "NULL", rc, err);
	cr_assert_not_null(g);
	return g;
}

static wn_geoip *
open_mmdb(void)
{
	cr_assert_eq(access(WN_GEOIP_MMDB, R_OK), 0,
	    "%s is missing: run this test through ctest, whose fixture "
	    "geoip_make_mmdb writes it", WN_GEOIP_MMDB);
	return open_ok(WN_GEOIP_MMDB);
}

/* Country of a textual address, "" for unknown; cc must stay untouched
 * when the answer is unknown. */
static const char *
lookup(const wn_geoip *g, const char *text, char cc[3])
{
	wn_ipaddr ip;

	cr_assert_eq(wn_ipaddr_parse(text, &ip), 0, "parse %s", text);
	memcpy(cc, "##", 3);
	if (!wn_geoip_country(g, &ip, cc)) {
		cr_assert_str_eq(cc, "##", "%s: cc written though unknown",
		    text);
		return "";
	}
	return cc;
}

static void
expect_open_error(const char *path, int want)
{
	char err[512] = "";
	wn_geoip *g = (wn_geoip *)&err;	/* must be reset to NULL */
	int rc = wn_geoip_open(path, &g, err, sizeof(err));

	cr_assert_eq(rc, want, "open %s: got %d (%s), want %d", path, rc, err,
	    want);
	cr_assert_null(g, "open %s: *out not NULL on failure", path);
	cr_assert_not_null(strstr(err, path), "open %s: error \"%s\" does not "
	    "name the file", path, err);
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

/* The first len bytes of src into dst. */
static void
copy_prefix(const char *src, const char *dst, long len)
{
	FILE *f = fopen(src, "rb");
	char *buf;

	cr_assert_not_null(f, "%s", src);
	buf = malloc((size_t)len);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	write_file(dst, buf, (size_t)len);
	free(buf);
}

static long
file_size(const char *path)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0, "%s", path);
	return (long)st.st_size;
}

/* --- MaxMind DB --- */

struct geo_case {
	char addr[48];
	char want[3];
};

static struct geo_case mmdb_cases[] = {
	{ "5.9.10.1", "DE" },
	{ "5.9.10.255", "DE" },
	{ "::ffff:5.9.10.7", "DE" },		/* IPv4-mapped */
	{ "177.10.20.30", "BR" },
	{ "2400:4000::1", "JP" },
	{ "2400:4000:ffff:1::9", "JP" },
	{ "62.210.5.5", "FR" },			/* registered_country only */
	{ "45.10.5.1", "SE" },			/* bad country, registered */
	{ "45.10.0.1", "" },			/* "de" */
	{ "45.10.1.1", "" },			/* "XYZ" */
	{ "45.10.2.1", "" },			/* "" */
	{ "45.10.3.1", "" },			/* non-ASCII */
	{ "45.10.4.1", "" },			/* country without iso_code */
	{ "9.9.9.9", "" },			/* not in the database */
	{ "5.9.11.1", "" },
	{ "2a01:4f8::1", "" },
	{ "2400:4001::1", "" },
};

ParameterizedTestParameters(geoip, mmdb_lookups)
{
	return cr_make_param_array(struct geo_case, mmdb_cases,
	    sizeof(mmdb_cases) / sizeof(mmdb_cases[0]));
}

ParameterizedTest(struct geo_case *c, geoip, mmdb_lookups)
{
	wn_geoip *g = open_mmdb();
	char cc[3];

	cr_expect_str_eq(lookup(g, c->addr, cc), c->want, "%s: got \"%s\", "
	    "want \"%s\"", c->addr, cc[0] == '#' ? "" : cc, c->want);
	wn_geoip_close(&g);
	cr_assert_null(g);
}

Test(geoip, mmdb_describe_names_file_type_and_build_date)
{
	wn_geoip *g = open_mmdb();

	cr_assert_str_eq(wn_geoip_describe(g), "maxmind:" WN_GEOIP_MMDB
	    " (WinnowTest-Country, built 2026-11-01)");
	wn_geoip_close(&g);
}

Test(geoip, mmdb_mapped_address_built_by_hand_counts_as_ipv4)
{
	wn_geoip *g = open_mmdb();
	wn_ipaddr ip = { .family = 6,
	    .b = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 5, 9, 10, 1 } };
	char cc[3] = "";

	cr_assert(wn_geoip_country(g, &ip, cc));
	cr_assert_str_eq(cc, "DE");
	/* the same for a special address: ::ffff:10.0.0.1 */
	ip.b[12] = 10, ip.b[13] = 0, ip.b[14] = 0, ip.b[15] = 1;
	cr_assert_not(wn_geoip_country(g, &ip, cc));
	wn_geoip_close(&g);
}

/* Special-purpose addresses: the test database maps each to US, so an
 * answer other than "unknown" means the database was consulted. */
static const char *const special_in_db[] = {
	"10.1.2.3", "127.0.0.1", "169.254.7.7", "172.16.5.4", "172.31.255.1",
	"192.168.1.1", "192.0.2.1", "198.51.100.7", "203.0.113.9",
	"100.64.1.1", "2001:db8::1", "fe80::1", "fd00::1", "::1",
};

Test(geoip, special_addresses_unknown_without_lookup)
{
	wn_geoip *g = open_mmdb();
	MMDB_s raw;
	size_t i;
	char cc[3];

	cr_assert_eq(MMDB_open(WN_GEOIP_MMDB, MMDB_MODE_MMAP, &raw),
	    MMDB_SUCCESS);
	for (i = 0; i < sizeof(special_in_db) / sizeof(special_in_db[0]); i++) {
		const char *a = special_in_db[i];
		int gai, st;
		MMDB_lookup_result_s r = MMDB_lookup_string(&raw, a, &gai, &st);

		cr_assert(gai == 0 && st == MMDB_SUCCESS && r.found_entry,
		    "%s: the test database should hold it", a);
		cr_expect_str_eq(lookup(g, a, cc), "", "%s: got a country", a);
	}
	MMDB_close(&raw);
	wn_geoip_close(&g);
}

struct special_case {
	char addr[48];
	bool special;
};

static struct special_case special_cases[] = {
	{ "0.1.2.3", true }, { "10.255.255.255", true },
	{ "100.127.0.1", true }, { "100.128.0.1", false },
	{ "127.0.0.1", true }, { "169.254.0.1", true },
	{ "172.15.255.255", false }, { "172.16.0.0", true },
	{ "172.32.0.0", false }, { "192.0.0.8", true }, { "192.0.2.255", true },
	{ "192.0.3.1", false }, { "192.168.0.1", true }, { "198.18.0.1", true },
	{ "198.19.255.255", true }, { "198.20.0.1", false },
	{ "198.51.100.1", true }, { "203.0.113.1", true },
	{ "203.0.114.1", false }, { "224.0.0.1", true },
	{ "255.255.255.255", true }, { "8.8.8.8", false }, { "::", true },
	{ "::1", true }, { "::2", false }, { "100::1", true },
	{ "100:0:0:1::", false }, { "::ffff:127.0.0.1", true },
	{ "2001:db8:ffff::1", true }, { "2001:db9::1", false },
	{ "3fff:fff::1", true }, { "3fff:1000::1", false }, { "fc00::1", true },
	{ "fdff::1", true }, { "fe80::1", true }, { "febf::1", true },
	{ "fec0::1", true }, { "ff02::1", true }, { "2a00:1450::1", false },
};

ParameterizedTestParameters(geoip, special_ranges)
{
	return cr_make_param_array(struct special_case, special_cases,
	    sizeof(special_cases) / sizeof(special_cases[0]));
}

ParameterizedTest(struct special_case *c, geoip, special_ranges)
{
	wn_ipaddr ip;

	cr_assert_eq(wn_ipaddr_parse(c->addr, &ip), 0);
	cr_expect_eq(wn_geoip_special(&ip), c->special, "%s: got %d, want %d",
	    c->addr, wn_geoip_special(&ip), c->special);
}

Test(geoip, family_none_is_unknown)
{
	wn_geoip *g = open_mmdb();
	wn_ipaddr ip;
	char cc[3] = "##";

	memset(&ip, 0, sizeof(ip));
	cr_assert_not(wn_geoip_country(g, &ip, cc));
	cr_assert_str_eq(cc, "##");
	wn_geoip_close(&g);
}

/* --- no database --- */

Test(geoip, none_answers_unknown)
{
	wn_geoip *g = NULL;
	char cc[3];

	cr_assert_eq(wn_geoip_open_none(&g), 0);
	cr_assert_str_eq(wn_geoip_describe(g), "none");
	cr_assert_str_eq(lookup(g, "8.8.8.8", cc), "");
	cr_assert_str_eq(lookup(g, "2001:4860:4860::8888", cc), "");
	cr_assert_str_eq(lookup(NULL, "8.8.8.8", cc), "");
	cr_assert_str_eq(wn_geoip_describe(NULL), "none");
	wn_geoip_close(&g);
	cr_assert_null(g);
	wn_geoip_close(&g);
	wn_geoip_close(NULL);
}

Test(geoip, default_path_is_debian_legacy_or_none)
{
	const char *paths[] = { NULL, "" };
	size_t i;
	char cc[3];

	for (i = 0; i < 2; i++) {
		wn_geoip *g = open_ok(paths[i]);

		if (have_legacy()) {
			cr_assert_str_eq(wn_geoip_describe(g),
			    "legacy:" LEGACY4);
			cr_assert_str_eq(lookup(g, "8.8.8.8", cc), "US");
		} else {
			cr_assert_str_eq(wn_geoip_describe(g), "none");
			cr_assert_str_eq(lookup(g, "8.8.8.8", cc), "");
		}
		wn_geoip_close(&g);
	}
}

/* --- legacy GeoIP (Debian's geoip-database) --- */

/* Checked against geoiplookup(1) from geoip-bin on the same files. */
static struct geo_case legacy_cases[] = {
	{ "8.8.8.8", "US" },
	{ "193.99.144.80", "DE" },		/* heise.de */
	{ "::ffff:193.99.144.80", "DE" },
	{ "2001:4860:4860::8888", "US" },
	{ "2a00:1450:4001:80b::200e", "DE" },	/* Google, Frankfurt */
	{ "10.0.0.1", "" },
	{ "192.0.2.1", "" },
	{ "2001:db8::1", "" },
};

ParameterizedTestParameters(geoip, legacy_lookups)
{
	return cr_make_param_array(struct geo_case, legacy_cases,
	    sizeof(legacy_cases) / sizeof(legacy_cases[0]));
}

ParameterizedTest(struct geo_case *c, geoip, legacy_lookups)
{
	wn_geoip *g;
	char cc[3];

	if (!have_legacy())
		cr_skip_test("Debian's geoip-database is not installed");
	g = open_ok(LEGACY4);
	cr_assert_str_eq(wn_geoip_describe(g), "legacy:" LEGACY4);
	cr_expect_str_eq(lookup(g, c->addr, cc), c->want, "%s: got \"%s\", "
	    "want \"%s\"", c->addr, cc[0] == '#' ? "" : cc, c->want);
	wn_geoip_close(&g);
}

Test(geoip, legacy_v4_file_alone_answers_only_ipv4)
{
	char path[128];
	wn_geoip *g;
	char cc[3];

	if (!have_legacy())
		cr_skip_test("Debian's geoip-database is not installed");
	snprintf(path, sizeof(path), "%s/GeoIP.dat", tmpdir);
	cr_assert_eq(symlink(LEGACY4, path), 0);
	g = open_ok(path);
	cr_assert_str_eq(lookup(g, "8.8.8.8", cc), "US");
	cr_assert_str_eq(lookup(g, "2001:4860:4860::8888", cc), "");
	wn_geoip_close(&g);
}

Test(geoip, legacy_v6_file_alone_answers_both)
{
	char path[128], want[160];
	wn_geoip *g;
	char cc[3];

	if (!have_legacy())
		cr_skip_test("Debian's geoip-database is not installed");
	snprintf(path, sizeof(path), "%s/GeoIPv6.dat", tmpdir);
	cr_assert_eq(symlink(LEGACY6, path), 0);
	g = open_ok(path);
	snprintf(want, sizeof(want), "legacy:%s", path);
	cr_assert_str_eq(wn_geoip_describe(g), want);
	cr_assert_str_eq(lookup(g, "2001:4860:4860::8888", cc), "US");
	cr_assert_str_eq(lookup(g, "8.8.8.8", cc), "US");
	wn_geoip_close(&g);
}

/* --- errors --- */

Test(geoip, missing_files_are_enoent)
{
	expect_open_error("/nonexistent/winnow/country.mmdb", WN_ENOENT);
	expect_open_error("/nonexistent/winnow/GeoIP.dat", WN_ENOENT);
	expect_open_error("/nonexistent/winnow/country.db", WN_ENOENT);
}

/* Bytes from a fixed linear congruential generator: "random" but the same
 * on every run. */
static void
write_garbage(const char *path, size_t len)
{
	unsigned char *buf = malloc(len);
	uint32_t x = 12345;
	size_t i;

	cr_assert_not_null(buf);
	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	write_file(path, buf, len);
	free(buf);
}

Test(geoip, garbage_files_are_eformat)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/x.mmdb", tmpdir);
	write_garbage(path, 65536);
	expect_open_error(path, WN_EFORMAT);
	snprintf(path, sizeof(path), "%s/x.dat", tmpdir);
	write_garbage(path, 65536);
	expect_open_error(path, WN_EFORMAT);
	snprintf(path, sizeof(path), "%s/empty.mmdb", tmpdir);
	write_file(path, "", 0);
	expect_open_error(path, WN_EFORMAT);
	snprintf(path, sizeof(path), "%s/country.txt", tmpdir);
	write_file(path, "DE\n", 3);
	expect_open_error(path, WN_EFORMAT);
}

Test(geoip, truncated_mmdb_is_eformat)
{
	char path[128];
	long size;

	cr_assert_eq(access(WN_GEOIP_MMDB, R_OK), 0, "%s is missing",
	    WN_GEOIP_MMDB);
	size = file_size(WN_GEOIP_MMDB);
	snprintf(path, sizeof(path), "%s/half.mmdb", tmpdir);
	copy_prefix(WN_GEOIP_MMDB, path, size / 2);
	expect_open_error(path, WN_EFORMAT);
	snprintf(path, sizeof(path), "%s/short.mmdb", tmpdir);
	copy_prefix(WN_GEOIP_MMDB, path, size - 16);
	expect_open_error(path, WN_EFORMAT);
}

/* libGeoIP itself opens a truncated country file and then reads past the
 * end of it on lookup; wn_geoip_open must refuse it. */
Test(geoip, truncated_legacy_is_eformat)
{
	char path[128];

	if (!have_legacy())
		cr_skip_test("Debian's geoip-database is not installed");
	snprintf(path, sizeof(path), "%s/GeoIP.dat", tmpdir);
	copy_prefix(LEGACY4, path, file_size(LEGACY4) / 2);
	expect_open_error(path, WN_EFORMAT);
	snprintf(path, sizeof(path), "%s/v6.dat", tmpdir);
	copy_prefix(LEGACY6, path, file_size(LEGACY6) - 4096);
	expect_open_error(path, WN_EFORMAT);
}

/* A good GeoIP.dat beside a broken GeoIPv6.dat: the error names the
 * companion file instead of dropping IPv6 silently. */
Test(geoip, broken_legacy_companion_is_an_error)
{
	char v4[128], v6[128];
	char err[512] = "";
	wn_geoip *g = NULL;

	if (!have_legacy())
		cr_skip_test("Debian's geoip-database is not installed");
	snprintf(v4, sizeof(v4), "%s/GeoIP.dat", tmpdir);
	snprintf(v6, sizeof(v6), "%s/GeoIPv6.dat", tmpdir);
	cr_assert_eq(symlink(LEGACY4, v4), 0);
	write_garbage(v6, 4096);
	cr_assert_eq(wn_geoip_open(v4, &g, err, sizeof(err)), WN_EFORMAT);
	cr_assert_null(g);
	cr_assert_not_null(strstr(err, v6), "error \"%s\" does not name %s",
	    err, v6);
}

Test(geoip, directory_is_eio)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/dir.mmdb", tmpdir);
	cr_assert_eq(mkdir(path, 0700), 0);
	expect_open_error(path, WN_EIO);
}

/* --- many threads on one handle --- */

#define NTHREADS 8
#define ROUNDS 20000

static const char *const mixed[] = {
	"5.9.10.1", "177.10.20.30", "2400:4000::1", "62.210.5.5", "45.10.5.1",
	"45.10.1.1", "9.9.9.9", "10.1.2.3", "8.8.8.8", "193.99.144.80",
	"2001:4860:4860::8888", "2a00:1450:4001:80b::200e", "2001:db8::1",
	"81.2.69.160", "1.1.1.1", "2a01:4f8::1",
};
#define NMIXED (sizeof(mixed) / sizeof(mixed[0]))

struct hammer {
	const wn_geoip *g;
	wn_ipaddr ip[NMIXED];
	char want[NMIXED][3];
	bool known[NMIXED];
	atomic_ulong wrong;
	atomic_ulong lookups;
};

static void *
hammer_run(void *arg)
{
	struct hammer *h = arg;
	unsigned long wrong = 0, n = 0;
	size_t r, i;
	char cc[3];

	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < NMIXED; i++, n++) {
			bool ok = wn_geoip_country(h->g, &h->ip[i], cc);

			if (ok != h->known[i] ||
			    (ok && memcmp(cc, h->want[i], 3) != 0))
				wrong++;
		}
	}
	atomic_fetch_add(&h->wrong, wrong);
	atomic_fetch_add(&h->lookups, n);
	return NULL;
}

static void
hammer(const wn_geoip *g, unsigned min_known)
{
	static struct hammer h;
	pthread_t t[NTHREADS];
	unsigned known = 0;
	size_t i;

	memset(&h, 0, sizeof(h));
	h.g = g;
	for (i = 0; i < NMIXED; i++) {
		cr_assert_eq(wn_ipaddr_parse(mixed[i], &h.ip[i]), 0);
		h.known[i] = wn_geoip_country(g, &h.ip[i], h.want[i]);
		known += h.known[i];
	}
	cr_assert_geq(known, min_known, "only %u addresses known", known);
	for (i = 0; i < NTHREADS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, hammer_run, &h), 0);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	cr_assert_eq(atomic_load(&h.lookups),
	    (unsigned long)NTHREADS * ROUNDS * NMIXED);
	cr_assert_eq(atomic_load(&h.wrong), 0, "%lu answers changed under "
	    "concurrency", atomic_load(&h.wrong));
}

Test(geoip, concurrent_mmdb_lookups_are_stable, .timeout = 240)
{
	wn_geoip *g = open_mmdb();

	hammer(g, 5);
	wn_geoip_close(&g);
}

Test(geoip, concurrent_legacy_lookups_are_stable, .timeout = 240)
{
	wn_geoip *g;

	if (!have_legacy())
		cr_skip_test("Debian's geoip-database is not installed");
	g = open_ok(LEGACY4);
	hammer(g, 8);
	wn_geoip_close(&g);
}
