/*
 * geoip.c - country of a client address from a MaxMind DB (libmaxminddb)
 * or a legacy GeoIP country database (libGeoIP).
 *
 * Both libraries map the file read-only at open; a lookup walks the
 * mapped search tree and reads the code out of the mapping, so no lookup
 * allocates, and concurrent lookups share nothing they write:
 *
 * - libmaxminddb: MMDB_open does all the setup (metadata, the IPv4 start
 *   node of an IPv6 tree) and MMDB_lookup_sockaddr takes a const MMDB_s and
 *   writes only its result; the library documents itself as thread-safe
 *   once opened. MMDB_get_value is avoided because it callocs the path on
 *   every call; MMDB_aget_value with a constant path does not. Offsets read
 *   from the file are bounds-checked by the library at lookup time.
 *
 * - libGeoIP 1.6: with GEOIP_MMAP_CACHE and without GEOIP_CHECK_CACHE the
 *   _gl lookups only read the mapping, except that _GeoIP_seek_record_gl
 *   also stores the netmask of the last lookup in the shared GeoIP struct
 *   (gi->netmask, kept for the deprecated GeoIP_last_netmask). Several
 *   threads writing that int at once is a data race, so each lookup works
 *   on its own copy of the GeoIP struct (a few dozen bytes on the stack; it
 *   points at the same mapping) and the shared struct is never written
 *   after open. GEOIP_CHECK_CACHE, which would remap the file under a
 *   running lookup, is never set.
 *
 *   libGeoIP does not check that a country database's tree stays inside
 *   the file: a truncated GeoIP.dat opens fine, and lookups then read past
 *   the mapping and return ids beyond the end of the code table (which
 *   GeoIP_country_code_by_* would index unchecked). Open therefore walks
 *   the whole tree once and refuses a file in which any branch points
 *   outside it or any leaf outside the table; lookups also check the id.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>

#include <GeoIP.h>
#include <maxminddb.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/geoip.h>

#define WN_GEOIP_LEGACY_DIR	"/usr/share/GeoIP"
#define WN_GEOIP_LEGACY_V4	"GeoIP.dat"
#define WN_GEOIP_LEGACY_V6	"GeoIPv6.dat"

enum wn_geoip_kind {
	WN_GEOIP_NONE,
	WN_GEOIP_MAXMIND,
	WN_GEOIP_LEGACY
};

struct wn_geoip {
	enum wn_geoip_kind kind;
	MMDB_s mmdb;			/* WN_GEOIP_MAXMIND */
	GeoIP *gi4;			/* WN_GEOIP_LEGACY: IPv4 and IPv6 */
	GeoIP *gi6;			/* files, either may be NULL */
	int ncountries;			/* size of libGeoIP's code table */
	char *desc;
};

/*
 * Special-purpose ranges (IANA IPv4 and IPv6 special-purpose address
 * registries, RFC 6890 and successors) that have no country: private,
 * shared (CGN), loopback, link-local, documentation, benchmarking,
 * multicast, reserved. Stored as value and mask so the check, which runs
 * before every lookup, is a few compares rather than a call per range.
 */
#define WN_GEOIP_MASK32(len)	((len) == 0 ? 0 : ~(uint32_t)0 << (32 - (len)))
#define WN_GEOIP_MASK64(len)	((len) <= 0 ? 0 : (len) >= 64 ? ~(uint64_t)0 : \
				    ~(uint64_t)0 << (64 - (len)))
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

static const char *const wn_geoip_path_country[] = {
	"country", "iso_code", NULL
};
static const char *const wn_geoip_path_registered[] = {
	"registered_country", "iso_code", NULL
};

static int
wn_geoip_fail(char *err, size_t len, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
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
static bool
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
static int
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

static bool
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

static int
wn_geoip_alloc(enum wn_geoip_kind kind, wn_geoip **out)
{
	wn_geoip *g = wn_calloc(1, sizeof(*g));

	if (g == NULL)
		return WN_ENOMEM;
	g->kind = kind;
	*out = g;
	return 0;
}

static int
wn_geoip_set_desc(wn_geoip *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
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

/* --- MaxMind DB --- */

static int
wn_geoip_open_mmdb(const char *path, wn_geoip **out, char *err,
    size_t errlen)
{
	wn_geoip *g;
	struct tm tm;
	time_t built;
	int rc, st, e;

	if ((rc = wn_geoip_probe(path, err, errlen)) != 0)
		return rc;
	if ((rc = wn_geoip_alloc(WN_GEOIP_MAXMIND, &g)) != 0)
		return wn_geoip_fail(err, errlen, rc, "%s: %s", path,
		    wn_strerror(rc));
	errno = 0;
	st = MMDB_open(path, MMDB_MODE_MMAP, &g->mmdb);
	if (st != MMDB_SUCCESS) {
		/* MMDB_open has released what it had set up. */
		e = errno;
		wn_free(g);
		switch (st) {
		case MMDB_FILE_OPEN_ERROR:
		case MMDB_IO_ERROR:
			return wn_geoip_fail(err, errlen, WN_EIO, "%s: %s",
			    path, e != 0 ? strerror(e) : MMDB_strerror(st));
		case MMDB_OUT_OF_MEMORY_ERROR:
			return wn_geoip_fail(err, errlen, WN_ENOMEM, "%s: %s",
			    path, MMDB_strerror(st));
		default:
			return wn_geoip_fail(err, errlen, WN_EFORMAT,
			    "%s: not a usable MaxMind DB file: %s", path,
			    MMDB_strerror(st));
		}
	}
	built = (time_t)g->mmdb.metadata.build_epoch;
	if (gmtime_r(&built, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	rc = wn_geoip_set_desc(g, "maxmind:%s (%s, built %04d-%02d-%02d)",
	    path, g->mmdb.metadata.database_type != NULL ?
	    g->mmdb.metadata.database_type : "unknown type",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	if (rc != 0) {
		wn_geoip_close(&g);
		return wn_geoip_fail(err, errlen, rc, "%s: %s", path,
		    wn_strerror(rc));
	}
	*out = g;
	return 0;
}

static bool
wn_geoip_mmdb_code(MMDB_entry_s *e, const char *const *path, char cc[3])
{
	MMDB_entry_data_s d;

	if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data ||
	    d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return false;
	return wn_geoip_code(d.utf8_string, d.data_size, cc);
}

static bool
wn_geoip_mmdb_country(const wn_geoip *g, const wn_ipaddr *a, char cc[3])
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} u;
	MMDB_lookup_result_s r;
	int st;

	memset(&u, 0, sizeof(u));
	if (a->family == 4) {
		u.in.sin_family = AF_INET;
		memcpy(&u.in.sin_addr, a->b, 4);
	} else {
		u.in6.sin6_family = AF_INET6;
		memcpy(&u.in6.sin6_addr, a->b, 16);
	}
	r = MMDB_lookup_sockaddr(&g->mmdb, &u.sa, &st);
	if (st != MMDB_SUCCESS || !r.found_entry)
		return false;
	/* The country the network is in; failing that (satellite links,
	 * anycast, some large providers), the one its registry gives. */
	return wn_geoip_mmdb_code(&r.entry, wn_geoip_path_country, cc) ||
	    wn_geoip_mmdb_code(&r.entry, wn_geoip_path_registered, cc);
}

/* --- legacy GeoIP --- */

static unsigned
wn_geoip_legacy_record(const unsigned char *p, unsigned len)
{
	unsigned v = 0;

	while (len-- > 0)
		v = v << 8 | p[len];	/* little-endian */
	return v;
}

/*
 * wn_geoip_legacy_check - whether every node reachable from the root lies
 * inside the mapped file and every leaf names a code in libGeoIP's table.
 * Visits each node once (a bitmap guards against shared or cyclic
 * branches in a corrupt file). Touching every page of the file, this takes
 * some 40 ms for Debian's two files; it runs once per open, outside any
 * lock.
 */
static int
wn_geoip_legacy_check(const GeoIP *gi, int ncountries)
{
	const unsigned char *base = gi->cache;
	unsigned rl = (unsigned)gi->record_length;
	unsigned seg, node, i, x;
	uint64_t nodes;
	unsigned char *seen = NULL;
	unsigned *stack = NULL;
	size_t depth = 0, cap = 256;
	int rc = WN_EFORMAT;

	if (base == NULL || gi->databaseSegments == NULL || rl < 3 || rl > 4 ||
	    gi->size <= 0)
		return WN_EFORMAT;
	seg = gi->databaseSegments[0];
	nodes = (uint64_t)gi->size / (2 * rl);
	if (nodes == 0 || seg == 0)
		return WN_EFORMAT;
	if (nodes > seg)
		nodes = seg;	/* pointers at or past seg are leaves */
	seen = wn_calloc((size_t)(nodes + 7) / 8, 1);
	stack = wn_malloc(cap * sizeof(*stack));
	if (seen == NULL || stack == NULL) {
		rc = WN_ENOMEM;
		goto out;
	}
	stack[depth++] = 0;
	seen[0] |= 1;
	while (depth > 0) {
		node = stack[--depth];
		for (i = 0; i < 2; i++) {
			x = wn_geoip_legacy_record(base +
			    (size_t)node * 2 * rl + i * rl, rl);
			if (x >= seg) {
				if (x - seg >= (unsigned)ncountries)
					goto out;
				continue;
			}
			if (x >= nodes)
				goto out;
			if (seen[x / 8] & (1u << (x % 8)))
				continue;
			seen[x / 8] |= (unsigned char)(1u << (x % 8));
			if (depth == cap) {
				unsigned *ns = wn_realloc(stack,
				    2 * cap * sizeof(*stack));

				if (ns == NULL) {
					rc = WN_ENOMEM;
					goto out;
				}
				stack = ns;
				cap *= 2;
			}
			stack[depth++] = x;
		}
	}
	rc = 0;
out:
	wn_free(seen);
	wn_free(stack);
	return rc;
}

/* wn_geoip_legacy_load - open one country database; *v6_out says which
 * family it covers */
static int
wn_geoip_legacy_load(const char *path, int ncountries, GeoIP **gi_out,
    bool *v6_out, char *err, size_t errlen)
{
	GeoIP *gi;
	int rc, ed;

	*gi_out = NULL;
	if ((rc = wn_geoip_probe(path, err, errlen)) != 0)
		return rc;
	gi = GeoIP_open(path, GEOIP_MMAP_CACHE | GEOIP_SILENCE);
	if (gi == NULL)
		return wn_geoip_fail(err, errlen, WN_EFORMAT,
		    "%s: not a GeoIP database", path);
	ed = GeoIP_database_edition(gi);
	switch (ed) {
	case GEOIP_COUNTRY_EDITION:
	case GEOIP_LARGE_COUNTRY_EDITION:
		*v6_out = false;
		break;
	case GEOIP_COUNTRY_EDITION_V6:
	case GEOIP_LARGE_COUNTRY_EDITION_V6:
		*v6_out = true;
		break;
	default:
		GeoIP_delete(gi);
		return wn_geoip_fail(err, errlen, WN_EFORMAT,
		    "%s: a GeoIP database of edition %d, not a country "
		    "database", path, ed);
	}
	if ((rc = wn_geoip_legacy_check(gi, ncountries)) != 0) {
		GeoIP_delete(gi);
		if (rc == WN_ENOMEM)
			return wn_geoip_fail(err, errlen, rc, "%s: %s", path,
			    wn_strerror(rc));
		return wn_geoip_fail(err, errlen, WN_EFORMAT,
		    "%s: corrupt or truncated GeoIP database", path);
	}
	*gi_out = gi;
	return 0;
}

/* wn_geoip_legacy_add - load path into the slot for its family */
static int
wn_geoip_legacy_add(wn_geoip *g, const char *path, char *err, size_t errlen)
{
	GeoIP *gi;
	bool v6 = false;
	int rc;

	rc = wn_geoip_legacy_load(path, g->ncountries, &gi, &v6, err, errlen);
	if (rc != 0)
		return rc;
	if ((v6 ? g->gi6 : g->gi4) != NULL) {
		GeoIP_delete(gi);
		return wn_geoip_fail(err, errlen, WN_EFORMAT,
		    "%s: a second IPv%d country database", path, v6 ? 6 : 4);
	}
	if (v6)
		g->gi6 = gi;
	else
		g->gi4 = gi;
	return 0;
}

/*
 * wn_geoip_open_legacy - path: the file named by the configuration (or
 * Debian's GeoIP.dat); v6: its companion, used only if it exists.
 */
static int
wn_geoip_open_legacy(const char *path, const char *v6, wn_geoip **out,
    char *err, size_t errlen)
{
	wn_geoip *g;
	int rc;

	if ((rc = wn_geoip_alloc(WN_GEOIP_LEGACY, &g)) != 0)
		return wn_geoip_fail(err, errlen, rc, "%s: %s", path,
		    wn_strerror(rc));
	g->ncountries = (int)GeoIP_num_countries();
	if ((rc = wn_geoip_legacy_add(g, path, err, errlen)) != 0)
		goto fail;
	if (g->gi6 == NULL && v6 != NULL && strcmp(v6, path) != 0 &&
	    wn_geoip_exists(v6) &&
	    (rc = wn_geoip_legacy_add(g, v6, err, errlen)) != 0)
		goto fail;
	if ((rc = wn_geoip_set_desc(g, "legacy:%s", path)) != 0) {
		wn_geoip_fail(err, errlen, rc, "%s: %s", path, wn_strerror(rc));
		goto fail;
	}
	*out = g;
	return 0;
fail:
	wn_geoip_close(&g);
	return rc;
}

static bool
wn_geoip_legacy_country(const wn_geoip *g, const wn_ipaddr *a, char cc[3])
{
	GeoIP local;
	GeoIPLookup gl;
	geoipv6_t a6;
	int id;

	if (a->family == 4 && g->gi4 != NULL) {
		unsigned long ipnum = (unsigned long)a->b[0] << 24 |
		    (unsigned long)a->b[1] << 16 | (unsigned long)a->b[2] << 8 |
		    a->b[3];

		local = *g->gi4;	/* see the top of this file */
		id = GeoIP_id_by_ipnum_gl(&local, ipnum, &gl);
	} else if (g->gi6 != NULL) {
		/* The IPv6 database also answers for ::ffff:a.b.c.d when
		 * there is no IPv4 one. */
		memset(&a6, 0, sizeof(a6));
		if (a->family == 4) {
			a6.s6_addr[10] = a6.s6_addr[11] = 0xff;
			memcpy(&a6.s6_addr[12], a->b, 4);
		} else {
			memcpy(a6.s6_addr, a->b, 16);
		}
		local = *g->gi6;
		id = GeoIP_id_by_ipnum_v6_gl(&local, a6, &gl);
	} else {
		return false;
	}
	if (id <= 0 || id >= g->ncountries)
		return false;
	return wn_geoip_code(GeoIP_code_by_id(id), 2, cc);
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
