/*
 * ruleset_pkg.h - signed rule-set packages: pack a rule-set folder into a
 * .tar.gz, sign it, and verify or extract one against trusted keys.
 *
 * A package is a gzip'd tar whose members all sit under one folder
 * NAME-VERSION/ (from the manifest): the set's manifest, *.cf files and
 * tests/, plus NAME-VERSION/CHECKSUMS, one line per other file,
 *
 *     sha256 HEX  PATH        (PATH relative to NAME-VERSION/, sorted)
 *
 * and, once signed, NAME-VERSION/CHECKSUMS.sig, one line
 *
 *     winnow-rules-signature-1 KEYID BASE64SIG
 *
 * where the Ed25519 signature (sign.h) is over the text
 * "winnow-rules-signature-1\n" followed by the bytes of CHECKSUMS; the
 * framing keeps a report signature from ever holding for a package.
 * Packing is deterministic: members sorted by path, mtime 0, owner 0,
 * modes 0644 and 0755 (folders), no gzip timestamp.
 *
 * Rules are data only. Verification refuses, before anything else is
 * believed: members outside the one top folder, absolute paths, "." and
 * ".." components, anything but regular files and folders (links,
 * devices, fifos, sparse files), duplicates, executable or set-id files,
 * files other than manifest, CHECKSUMS, CHECKSUMS.sig, *.cf and files
 * under tests/, and packages over the limits. Then the signature must
 * hold under a trusted key, every file must match CHECKSUMS and be listed
 * there, the manifest must read and name the top folder, and its
 * min-engine must not be newer than this winnow (WN_VERSION).
 *
 * Errors are negative WN_E* codes with one line of text in err
 * (WN_RULESET_PKG_ERR_LEN bytes), written once, naming the file or member:
 * WN_ELIMIT (over a limit), WN_EFORMAT (not a package, refused content,
 * checksum or signature failure), WN_ENOENT / WN_EIO (errno kept),
 * WN_ENOMEM. A wn_ruleset_pkg filled by these functions owns its memory
 * until wn_ruleset_pkg_fini. No global state; thread-safe once
 * wn_sign_init has run.
 */
#ifndef WINNOW_RULESET_PKG_H
#define WINNOW_RULESET_PKG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/manifest.h>
#include <winnow/sign.h>

#define WN_RULESET_PKG_ERR_LEN 512
#define WN_RULESET_SIG_TAG "winnow-rules-signature-1"

typedef struct wn_ruleset_pkg_limits {
	size_t max_compressed;	/* bytes of the .tar.gz (8 MiB) */
	size_t max_unpacked;	/* bytes of all files together (32 MiB) */
	size_t max_members;	/* tar entries, folders included (2000) */
	size_t max_path;	/* bytes of one member's path (255) */
} wn_ruleset_pkg_limits;

typedef struct wn_ruleset_member {
	char *path;		/* "NAME-VERSION/tests/x.eml"; no trailing / */
	const char *rel;	/* inside path: after the top folder, or "" */
	bool dir;
	uint8_t *data;		/* files: the content (NUL after it) */
	size_t len;
} wn_ruleset_member;

typedef struct wn_ruleset_pkg {
	wn_manifest manifest;
	char *top;		/* NAME-VERSION */
	char key_id[WN_SIGN_KEY_ID_LEN + 1];	/* the signer; "" if none */
	size_t n_files;		/* files listed in CHECKSUMS */
	wn_ruleset_member *members;	/* sorted by path */
	size_t n_members;
} wn_ruleset_pkg;

/* wn_ruleset_pkg_limits_default - the limits above */
void wn_ruleset_pkg_limits_default(wn_ruleset_pkg_limits *l);

/* wn_ruleset_pkg_fini - free what a package holds; accepts a zeroed one */
void wn_ruleset_pkg_fini(wn_ruleset_pkg *p);

/*
 * wn_ruleset_pkg_pack - pack the rule-set folder dir into out_path
 * (written to a temporary file, then renamed; unsigned). Hidden entries
 * (".name") are skipped; anything else that is not rule data, a link, or
 * a folder whose manifest does not read is refused. When info_out is not
 * NULL it receives the package on success.
 */
int wn_ruleset_pkg_pack(const char *dir, const char *out_path,
    wn_ruleset_pkg *info_out, char *err);

/*
 * wn_ruleset_pkg_sign - check the package at path (everything but the
 * signature) and rewrite it with CHECKSUMS.sig by key k, replacing an
 * older signature. Temporary file and rename; info_out as for pack.
 */
int wn_ruleset_pkg_sign(const char *path, const wn_seckey *k,
    wn_ruleset_pkg *info_out, char *err);

/*
 * wn_ruleset_trusted_load - the public keys in dir's *.pub files
 * (*keys_out is heap memory to free). A file that is not a public key is
 * an error naming it; a folder without keys is WN_ENOENT.
 */
int wn_ruleset_trusted_load(const char *dir, wn_pubkey **keys_out,
    size_t *n_out, char *err);

/*
 * wn_ruleset_pkg_verify_mem - verify the package given as bytes against
 * keys[0..n_keys) (see above). On success out holds its members and
 * manifest. On failure out is zeroed but for key_id, which names the key
 * the package says it is signed by, when its signature line reads ("" if
 * not): not among keys, or a signature that does not hold under it.
 * err does not name the package.
 */
int wn_ruleset_pkg_verify_mem(const void *data, size_t len,
    const wn_pubkey *keys, size_t n_keys, const wn_ruleset_pkg_limits *lim,
    wn_ruleset_pkg *out, char *err);

/* wn_ruleset_pkg_verify - the same for the file at path and the keys in
 * trusted_dir; lim NULL means the defaults. err starts with the path. */
int wn_ruleset_pkg_verify(const char *path, const char *trusted_dir,
    const wn_ruleset_pkg_limits *lim, wn_ruleset_pkg *out, char *err);

/*
 * wn_ruleset_pkg_extract - verify, then write the set into dest_dir, which
 * must not exist: files go to a temporary folder beside it that is
 * renamed into place once all are written, so nothing appears at
 * dest_dir unless the whole package held and was written (files 0644,
 * folders 0755, the top folder stripped). out may be NULL.
 */
int wn_ruleset_pkg_extract(const char *path, const char *trusted_dir,
    const char *dest_dir, const wn_ruleset_pkg_limits *lim,
    wn_ruleset_pkg *out, char *err);

/*
 * wn_ruleset_pkg_write_dir - write the files of a verified package p into
 * dest_dir, which must not exist, the same way as extract: a temporary
 * folder beside it, renamed into place once complete.
 */
int wn_ruleset_pkg_write_dir(const wn_ruleset_pkg *p, const char *dest_dir,
    char *err);

#endif
