/*
 * geoip.c - country of a client address: the interface, and what both
 * backends share (special-purpose ranges, the code check, the file probe,
 * allocation and description of a handle).
 *
 * The backends are geoip_mmdb.c (MaxMind DB files, libmaxminddb) and
 * geoip_legacy.c (legacy GeoIP country files, libGeoIP); their comments
 * say how each keeps lookups free of writes to shared state.
 *
 * Both libraries map the file read-only at open; a lookup walks the
 * mapped search tree and reads the code out of the mapping, so no lookup
 * allocates, and concurrent lookups share nothing they write.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/geoip.h>

#include "geoip_int.h"

#define WN_GEOIP_LEGACY_DIR	"/usr/share/GeoIP"
#define WN_GEOIP_LEGACY_V4	"GeoIP.dat"
#define WN_GEOIP_LEGACY_V6	"GeoIPv6.dat"

/*
 * Special-purpose ranges (IANA IPv4 and IPv6 special-purpose address
 * registries, RFC 6890 and successors) that have no country: private,
 * shared (CGN), loopback, link-local, documentation, benchmarking,
 * multicast, reserved. Stored as value and mask so the check, which runs
 * before every lookup, is a few compares rather than a call per range.
 */
/* (the shift counts are masked so no branch shifts out of range) */
#define WN_GEOIP_MASK32(len)	((len) == 0 ? 0 : \
				    ~(uint32_t)0 << ((32 - (len)) & 31))
#define WN_GEOIP_MASK64(len)	((len) <= 0 ? 0 : (len) >= 64 ? ~(uint64_t)0 : \
				    ~(uint64_t)0 << ((64 - (len)) & 63))
#define WN_GEOIP_V4(a, b, c, d, len) \
	{ (uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d), \
	    WN_GEOIP_MASK32(len) }
/* IPv6: the first four groups, then the prefix length */
#define WN_GEOIP_V6(g0, g1, g2, g3, len) \
	{ (uint64_t)(g0) << 48 | (uint64_t)(g1) << 32 | (uint64_t)(g2) << 16 | \
	    (g3), WN_GEOIP_MASK64(len), WN_GEOIP_MASK64((len) - 64) }

static const struct {
	uint32_t net, mask;
} wn_geoip_special4[] = {
	WN_GEOIP_V4(0, 0, 0, 0, 8),		/* "this network" */
	WN_GEOIP_V4(10, 0, 0, 0, 8),		/* private */
	WN_GEOIP_V4(100, 64, 0, 0, 10),		/* shared address space */
	WN_GEOIP_V4(127, 0, 0, 0, 8),		/* loopback */
	WN_GEOIP_V4(169, 254, 0, 0, 16),	/* link-local */
	WN_GEOIP_V4(172, 16, 0, 0, 12),		/* private */
	WN_GEOIP_V4(192, 0, 0, 0, 24),		/* IETF protocol assignments */
	WN_GEOIP_V4(192, 0, 2, 0, 24),		/* TEST-NET-1 */
	WN_GEOIP_V4(192, 168, 0, 0, 16),	/* private */
	WN_GEOIP_V4(198, 18, 0, 0, 15),		/* benchmarking */
	WN_GEOIP_V4(198, 51, 100, 0, 24),	/* TEST-NET-2 */
	WN_GEOIP_V4(203, 0, 113, 0, 24),	/* TEST-NET-3 */
	WN_GEOIP_V4(224, 0, 0, 0, 3),		/* multicast, reserved, bcast */
};

/* The low 64 bits of every network here are zero. */
static const struct {
	uint64_t hi, mask_hi, mask_lo;
} wn_geoip_special6[] = {
	WN_GEOIP_V6(0, 0, 0, 0, 127),		/* unspecified, loopback */
	WN_GEOIP_V6(0x100, 0, 0, 0, 64),	/* discard-only */
	WN_GEOIP_V6(0x2001, 0xdb8, 0, 0, 32),	/* documentation */
	WN_GEOIP_V6(0x3fff, 0, 0, 0, 20),	/* documentation (RFC 9637) */
	WN_GEOIP_V6(0xfc00, 0, 0, 0, 7),	/* unique local */
	WN_GEOIP_V6(0xfe80, 0, 0, 0, 10),	/* link-local */
	WN_GEOIP_V6(0xfec0, 0, 0, 0, 10),	/* site-local (deprecated) */
	WN_GEOIP_V6(0xff00, 0, 0, 0, 8),	/* multicast */
};

int
wn_geoip_fail(char *err, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static uint64_t
wn_geoip_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

bool
wn_geoip_special(const wn_ipaddr *ip)
{
	size_t i;

	if (ip->family == 4) {
		uint32_t a = (uint32_t)ip->b[0] << 24 |
		    (uint32_t)ip->b[1] << 16 | (uint32_t)ip->b[2] << 8 |
		    ip->b[3];

		for (i = 0; i < sizeof(wn_geoip_special4) /
		    sizeof(wn_geoip_special4[0]); i++)
			if ((a & wn_geoip_special4[i].mask) ==
			    wn_geoip_special4[i].net)
				return true;
		return false;
	}
	if (ip->family == 6) {
		uint64_t hi = wn_geoip_be64(ip->b);
		uint64_t lo = wn_geoip_be64(ip->b + 8);

		for (i = 0; i < sizeof(wn_geoip_special6) /
		    sizeof(wn_geoip_special6[0]); i++)
			if ((hi & wn_geoip_special6[i].mask_hi) ==
			    wn_geoip_special6[i].hi &&
			    (lo & wn_geoip_special6[i].mask_lo) == 0)
				return true;
		return false;
	}
	return true;
}

/* Copy a code into cc if it is two of [A-Z0-9]; databases have been seen
 * with "--", empty strings and lower case. */
bool
wn_geoip_code(const char *s, size_t n, char cc[3])
{
	size_t i;

	if (s == NULL || n != 2)
		return false;
	for (i = 0; i < 2; i++)
		if (!(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9'))
			return false;
	cc[0] = s[0];
	cc[1] = s[1];
	cc[2] = '\0';
	return true;
}

/* A file must exist, be readable and be a non-empty regular file before a
 * library sees it, so that the error says which of these it is. */
int
wn_geoip_probe(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		return wn_geoip_fail(err, errlen,
		    e == ENOENT || e == ENOTDIR ? WN_ENOENT : WN_EIO,
		    "%s: %s", path, strerror(e));
	}
	if (fstat(fd, &st) != 0) {
		e = errno;
		close(fd);
		return wn_geoip_fail(err, errlen, WN_EIO, "%s: %s", path,
		    strerror(e));
	}
	close(fd);
	if (S_ISDIR(st.st_mode))
		return wn_geoip_fail(err, errlen, WN_EIO, "%s: %s", path,
		    strerror(EISDIR));
	if (!S_ISREG(st.st_mode))
		return wn_geoip_fail(err, errlen, WN_EFORMAT,
		    "%s: not a regular file", path);
	if (st.st_size == 0)
		return wn_geoip_fail(err, errlen, WN_EFORMAT,
		    "%s: empty file", path);
	return 0;
}

bool
wn_geoip_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static bool
wn_geoip_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path), m = strlen(suffix);

	return n > m && strcasecmp(path + n - m, suffix) == 0;
}

int
wn_geoip_alloc(enum wn_geoip_kind kind, wn_geoip **out)
{
	wn_geoip *g = wn_calloc(1, sizeof(*g));

	if (g == NULL)
		return WN_ENOMEM;
	g->kind = kind;
	*out = g;
	return 0;
}

int
wn_geoip_set_desc(wn_geoip *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (g->desc = wn_malloc((size_t)n + 1)) == NULL)
		return WN_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(g->desc, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return 0;
}

int
wn_geoip_open_none(wn_geoip **out)
{
	*out = NULL;
	return wn_geoip_alloc(WN_GEOIP_NONE, out);
}

/* --- the interface --- */

int
wn_geoip_open(const char *path, wn_geoip **out, char *err, size_t errlen)
{
	const char *v4 = WN_GEOIP_LEGACY_DIR "/" WN_GEOIP_LEGACY_V4;
	const char *v6 = WN_GEOIP_LEGACY_DIR "/" WN_GEOIP_LEGACY_V6;
	const char *slash;
	char *sibling;
	size_t dirlen;
	int rc;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || path[0] == '\0') {
		if (wn_geoip_exists(v4))
			return wn_geoip_open_legacy(v4, v6, out, err, errlen);
		if (wn_geoip_exists(v6))
			return wn_geoip_open_legacy(v6, NULL, out, err, errlen);
		return wn_geoip_open_none(out);
	}
	if (wn_geoip_suffix(path, ".mmdb"))
		return wn_geoip_open_mmdb(path, out, err, errlen);
	if (wn_geoip_suffix(path, ".dat")) {
		slash = strrchr(path, '/');
		dirlen = slash != NULL ? (size_t)(slash - path) + 1 : 0;
		sibling = wn_malloc(dirlen + sizeof(WN_GEOIP_LEGACY_V6));
		if (sibling == NULL)
			return wn_geoip_fail(err, errlen, WN_ENOMEM, "%s: %s",
			    path, wn_strerror(WN_ENOMEM));
		memcpy(sibling, path, dirlen);
		memcpy(sibling + dirlen, WN_GEOIP_LEGACY_V6,
		    sizeof(WN_GEOIP_LEGACY_V6));
		rc = wn_geoip_open_legacy(path, sibling, out, err, errlen);
		wn_free(sibling);
		return rc;
	}
	if ((rc = wn_geoip_probe(path, err, errlen)) != 0)
		return rc;
	return wn_geoip_fail(err, errlen, WN_EFORMAT,
	    "%s: unknown kind of database (want a .mmdb or .dat file)", path);
}

bool
wn_geoip_country(const wn_geoip *g, const wn_ipaddr *ip, char cc[3])
{
	static const uint8_t mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	wn_ipaddr a;

	if (g == NULL || ip == NULL || g->kind == WN_GEOIP_NONE)
		return false;
	a = *ip;
	/* wn_ipaddr_parse unmaps already; an address built by hand may not
	 * be, and a mapped address belongs to IPv4. */
	if (a.family == 6 && memcmp(a.b, mapped, 12) == 0) {
		memmove(a.b, a.b + 12, 4);
		memset(a.b + 4, 0, 12);
		a.family = 4;
	}
	if (wn_geoip_special(&a))
		return false;
	if (g->kind == WN_GEOIP_MAXMIND)
		return wn_geoip_mmdb_country(g, &a, cc);
	return wn_geoip_legacy_country(g, &a, cc);
}

const char *
wn_geoip_describe(const wn_geoip *g)
{
	if (g == NULL || g->desc == NULL)
		return "none";
	return g->desc;
}

void
wn_geoip_close(wn_geoip **gp)
{
	wn_geoip *g;

	if (gp == NULL || (g = *gp) == NULL)
		return;
	if (g->kind == WN_GEOIP_MAXMIND)
		MMDB_close(&g->mmdb);
	GeoIP_delete(g->gi4);
	GeoIP_delete(g->gi6);
	wn_free(g->desc);
	wn_free(g);
	*gp = NULL;
}
