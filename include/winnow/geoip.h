/*
 * geoip.h - the country of an SMTP client address, for statistics.
 *
 * winnowd counts spam sources by country; this module maps a client
 * address to an ISO 3166-1 alpha-2 code from one of two kinds of database:
 * a MaxMind DB file (.mmdb: GeoLite2-Country, DB-IP country lite, or any
 * database whose records carry country.iso_code) read with libmaxminddb,
 * or the legacy GeoIP country files of Debian's geoip-database package
 * (GeoIP.dat for IPv4, GeoIPv6.dat for IPv6) read with libGeoIP.
 *
 * Lifecycle: wn_geoip_open when a configuration snapshot is built, any
 * number of wn_geoip_country calls, wn_geoip_close when the last user of
 * the snapshot lets go. Files are memory-mapped read-only; a database
 * update must replace the file (rename) rather than rewrite it in place,
 * and takes effect at the next open (reload).
 *
 * Thread-safety: one wn_geoip is shared by all sessions; wn_geoip_country
 * may run on many threads at once without locks and allocates nothing.
 * Open and close are not concurrent with lookups on the same handle.
 *
 * Addresses that cannot have a country (private, loopback, link-local,
 * documentation, multicast and other special-purpose ranges) are answered
 * "unknown" without consulting the database. Codes from a database are
 * accepted only as two characters of [A-Z0-9]; anything else, and the
 * legacy "--", is "unknown".
 */
#ifndef WINNOW_GEOIP_H
#define WINNOW_GEOIP_H

#include <stdbool.h>
#include <stddef.h>

#include <winnow/netaddr.h>

typedef struct wn_geoip wn_geoip;

/* wn_geoip_open - path NULL or "": Debian's legacy databases when present
 * (/usr/share/GeoIP/GeoIP.dat, GeoIPv6.dat), otherwise no database (every
 * lookup says "unknown"); a path ending in .mmdb: MaxMind DB; a .dat path:
 * legacy GeoIP (the v6 file beside it named GeoIPv6.dat used if present).
 * Returns 0 with *out set; WN_ENOENT / WN_EIO / WN_EFORMAT with a message
 * naming the file in err. */
int wn_geoip_open(const char *path, wn_geoip **out, char *err, size_t errlen);

/* wn_geoip_open_none - a handle without a database: every lookup says
 * "unknown" and wn_geoip_describe says "none". Returns 0 or WN_ENOMEM. */
int wn_geoip_open_none(wn_geoip **out);

/* wn_geoip_country - two upper-case letters into cc (3 bytes) and true;
 * "unknown" is not written: false when no database, no entry, a private,
 * loopback, link-local or documentation address. Thread-safe: many
 * sessions call it at once on one wn_geoip. */
bool wn_geoip_country(const wn_geoip *g, const wn_ipaddr *ip, char cc[3]);

/* wn_geoip_describe - "maxmind:/path (GeoLite2-Country, built 2026-11-01)",
 * "legacy:/usr/share/GeoIP/GeoIP.dat", or "none" */
const char *wn_geoip_describe(const wn_geoip *g);

/* wn_geoip_special - whether ip is in a special-purpose range that
 * wn_geoip_country answers "unknown" without a lookup (also for the
 * unspecified address and family 0) */
bool wn_geoip_special(const wn_ipaddr *ip);

/* wn_geoip_close - unmap and free; accepts NULL and *gp NULL, leaves NULL */
void wn_geoip_close(wn_geoip **gp);

#endif
