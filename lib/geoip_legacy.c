/*
 * geoip_legacy.c - the legacy GeoIP backend of geoip.c (libGeoIP 1.6):
 * open Debian's country databases (GeoIP.dat, GeoIPv6.dat), check them,
 * and look the country of an address up in them.
 *
 * With GEOIP_MMAP_CACHE and without GEOIP_CHECK_CACHE the _gl lookups
 * only read the mapping, except that _GeoIP_seek_record_gl also stores the
 * netmask of the last lookup in the shared GeoIP struct (gi->netmask, kept
 * for the deprecated GeoIP_last_netmask). Several threads writing that int
 * at once is a data race, so each lookup works on its own copy of the
 * GeoIP struct (a few dozen bytes on the stack; it points at the same
 * mapping) and the shared struct is never written after open.
 * GEOIP_CHECK_CACHE, which would remap the file under a running lookup, is
 * never set.
 *
 * libGeoIP does not check that a country database's tree stays inside the
 * file: a truncated GeoIP.dat opens fine, and lookups then read past the
 * mapping and return ids beyond the end of the code table (which
 * GeoIP_country_code_by_* would index unchecked). Open therefore walks the
 * whole tree once and refuses a file in which any branch points outside it
 * or any leaf outside the table; lookups also check the id.
 */
#include <stdint.h>
#include <string.h>

#include <GeoIP.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/geoip.h>

#include "geoip_int.h"

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
int
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

bool
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
