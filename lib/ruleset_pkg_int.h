/*
 * ruleset_pkg_int.h - what the ruleset_pkg*.c files share: the member
 * list, the data-only rule, CHECKSUMS text, archive reading and writing.
 * Not an API; tests and the fuzz target may use it.
 */
#ifndef WINNOW_RULESET_PKG_INT_H
#define WINNOW_RULESET_PKG_INT_H

#include <winnow/buf.h>
#include <winnow/ruleset_pkg.h>

#define WN__RULESET_CHECKSUMS "CHECKSUMS"
#define WN__RULESET_SIG "CHECKSUMS.sig"

/* wn__ruleset_err - format err, return rc */
int wn__ruleset_err(char *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * wn__ruleset_pkg_add - append a member path (copied) with data (taken
 * over; may be NULL for folders). rel is set when top is known.
 */
int wn__ruleset_pkg_add(wn_ruleset_pkg *p, const char *path, bool dir,
    uint8_t *data, size_t len);

/* wn__ruleset_pkg_sort - sort members by path, set each rel from top */
void wn__ruleset_pkg_sort(wn_ruleset_pkg *p);

/* wn__ruleset_pkg_find - the member at top/rel, or NULL (sorted list) */
wn_ruleset_member *wn__ruleset_pkg_find(const wn_ruleset_pkg *p,
    const char *rel);

/* wn__ruleset_pkg_remove - drop the member at top/rel if there */
void wn__ruleset_pkg_remove(wn_ruleset_pkg *p, const char *rel);

/*
 * wn__ruleset_rel_allowed - the data-only rule for a file at rel (path
 * under the top folder): NULL when allowed, else why not.
 */
const char *wn__ruleset_rel_allowed(const char *rel);

/* wn__ruleset_checksums - CHECKSUMS text for the files of p */
int wn__ruleset_checksums(const wn_ruleset_pkg *p, wn_buf *out);

/* wn__ruleset_sha256_hex - 64 hex digits and NUL */
void wn__ruleset_sha256_hex(const uint8_t *data, size_t len, char hex[65]);

/* wn__ruleset_signed_text - the framed text a signature covers */
int wn__ruleset_signed_text(const wn_ruleset_member *checksums, wn_buf *out);

/*
 * wn__ruleset_pkg_read - the archive's members (structure checks and
 * limits only: paths, types, modes, data-only, duplicates); p->top set.
 */
int wn__ruleset_pkg_read(const void *data, size_t len,
    const wn_ruleset_pkg_limits *lim, wn_ruleset_pkg *p, char *err);

/* what wn__ruleset_pkg_load checks besides structure, sums, manifest */
#define WN__RULESET_NEED_SIG	0x1	/* a signature by one of keys */
#define WN__RULESET_ENGINE	0x2	/* min-engine not newer than us */

/*
 * wn__ruleset_pkg_load - read, then check the signature (with
 * WN__RULESET_NEED_SIG), CHECKSUMS, the manifest and (with
 * WN__RULESET_ENGINE) min-engine.
 */
int wn__ruleset_pkg_load(const void *data, size_t len,
    const wn_ruleset_pkg_limits *lim, const wn_pubkey *keys, size_t n_keys,
    unsigned flags, wn_ruleset_pkg *p, char *err);

/* wn__ruleset_pkg_write_mem - the members as a deterministic .tar.gz */
int wn__ruleset_pkg_write_mem(const wn_ruleset_pkg *p, wn_buf *out,
    char *err);

/* wn__ruleset_file_write - data to path via a temporary file + rename */
int wn__ruleset_file_write(const char *path, const void *data, size_t len,
    char *err);

/* wn__ruleset_file_read - a regular file of at most max bytes, into heap
 * memory; err names the file */
int wn__ruleset_file_read(const char *path, size_t max, uint8_t **data_out,
    size_t *len_out, char *err);

#endif
