/*
 * geoip_int.h - private declarations shared by the geoip*.c files.
 *
 * geoip.c         the interface; special ranges, code check, file probe,
 *                 allocation and description of a handle
 * geoip_mmdb.c    MaxMind DB files (libmaxminddb)
 * geoip_legacy.c  legacy GeoIP country files (libGeoIP)
 *
 * Not a public API.
 */
#ifndef WINNOW_GEOIP_INT_H
#define WINNOW_GEOIP_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <GeoIP.h>
#include <maxminddb.h>

#include <winnow/geoip.h>

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

/* wn_geoip_fail - the message into err (if err and len); returns rc */
int wn_geoip_fail(char *err, size_t len, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* wn_geoip_code - s (n bytes) into cc if it is two of [A-Z0-9] */
bool wn_geoip_code(const char *s, size_t n, char cc[3]);

/* wn_geoip_probe - 0 if path is a readable non-empty regular file */
int wn_geoip_probe(const char *path, char *err, size_t errlen);

/* wn_geoip_exists - whether path exists (stat succeeds) */
bool wn_geoip_exists(const char *path);

/* wn_geoip_alloc - a zeroed handle of the given kind; 0 or WN_ENOMEM */
int wn_geoip_alloc(enum wn_geoip_kind kind, wn_geoip **out);

/* wn_geoip_set_desc - format g->desc for wn_geoip_describe; 0 or WN_ENOMEM */
int wn_geoip_set_desc(wn_geoip *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* wn_geoip_open_mmdb - a handle on the MaxMind DB file path */
int wn_geoip_open_mmdb(const char *path, wn_geoip **out, char *err,
    size_t errlen);

/* wn_geoip_mmdb_country - look a (not mapped, not special) address up */
bool wn_geoip_mmdb_country(const wn_geoip *g, const wn_ipaddr *a, char cc[3]);

/* wn_geoip_open_legacy - a handle on path and its v6 companion if present */
int wn_geoip_open_legacy(const char *path, const char *v6, wn_geoip **out,
    char *err, size_t errlen);

/* wn_geoip_legacy_country - look a (not mapped, not special) address up */
bool wn_geoip_legacy_country(const wn_geoip *g, const wn_ipaddr *a,
    char cc[3]);

#endif
