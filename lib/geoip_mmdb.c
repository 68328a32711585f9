/*
 * geoip_mmdb.c - the MaxMind DB backend of geoip.c (libmaxminddb): open a
 * .mmdb file and look the country of an address up in it.
 *
 * MMDB_open does all the setup (metadata, the IPv4 start node of an IPv6
 * tree) and MMDB_lookup_sockaddr takes a const MMDB_s and writes only its
 * result; the library documents itself as thread-safe once opened.
 * MMDB_get_value is avoided because it callocs the path on every call;
 * MMDB_aget_value with a constant path does not. Offsets read from the
 * file are bounds-checked by the library at lookup time.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <netinet/in.h>

#include <maxminddb.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/geoip.h>

#include "geoip_int.h"

static const char *const wn_geoip_path_country[] = {
	"country", "iso_code", NULL
};
static const char *const wn_geoip_path_registered[] = {
	"registered_country", "iso_code", NULL
};

int
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

bool
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
