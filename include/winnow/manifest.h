/*
 * manifest.h - the manifest of a rule set: who made it, which version,
 * and the oldest engine it runs on.
 *
 * A manifest is text of "key: value" lines; lines starting with '#' and
 * empty lines are ignored, as are keys this version does not know (so a
 * newer manifest still reads). name, version, maintainer, licence and
 * min-engine must be present, each once; description is optional. name
 * is letters, digits, '.', '_' and '-' (not starting with '.'); version
 * and min-engine are dotted numbers ("1.0.0"), so NAME-VERSION is a safe
 * folder name.
 *
 * wn_manifest_parse / wn_manifest_read_dir fill caller storage with heap
 * strings that wn_manifest_fini frees (it accepts a zeroed or failed
 * manifest). Errors are returned as WN_E* with one line of text in err
 * (WN_MANIFEST_ERR_LEN bytes). No global state; thread-safe.
 */
#ifndef WINNOW_MANIFEST_H
#define WINNOW_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#define WN_MANIFEST_ERR_LEN 256
#define WN_MANIFEST_MAX_SIZE (64 * 1024)	/* bytes of manifest text */
#define WN_MANIFEST_MAX_NAME 64			/* bytes of name or version */

typedef struct wn_manifest {
	char *name;
	char *version;
	char *maintainer;
	char *licence;
	char *min_engine;	/* key "min-engine" */
	char *description;	/* NULL when absent */
} wn_manifest;

/*
 * wn_manifest_parse - read manifest text (len bytes, NUL not needed).
 * Returns 0, WN_EFORMAT (err says which line or key), WN_ELIMIT (text
 * over WN_MANIFEST_MAX_SIZE) or WN_ENOMEM.
 */
int wn_manifest_parse(const char *text, size_t len, wn_manifest *out,
    char *err);

/* wn_manifest_read_dir - DIR/manifest; as parse, plus WN_ENOENT/WN_EIO.
 * err names the file. */
int wn_manifest_read_dir(const char *dir, wn_manifest *out, char *err);

/* wn_manifest_fini - free the strings; leaves the manifest zeroed */
void wn_manifest_fini(wn_manifest *m);

/*
 * wn_version_cmp - compare dotted-number versions ("0.1.0" < "0.10");
 * missing components count as 0, so "1.0" equals "1.0.0". Sets *cmp_out
 * to -1, 0 or 1; returns WN_EFORMAT when either is not dotted numbers
 * (at most 8 components of at most 9 digits).
 */
int wn_version_cmp(const char *a, const char *b, int *cmp_out);

/*
 * wn_manifest_name_valid - is s a rule-set name: letters, digits, '.',
 * '_' and '-', not starting with '.', 1 to WN_MANIFEST_MAX_NAME bytes
 * (so it is always a safe file name and URL path segment)
 */
bool wn_manifest_name_valid(const char *s);

/* wn_version_valid - is s a dotted-number version */
bool wn_version_valid(const char *s);

#endif
