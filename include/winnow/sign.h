/*
 * sign.h - Ed25519 keys and signatures (libsodium) for reports and rule
 * packages.
 *
 * A key pair is two text files: the secret key "NAME.key" (mode 0600) and
 * the public key "NAME.pub", each one line:
 *
 *     winnow-ed25519-secret <base64 of the 64-byte libsodium secret key>
 *     winnow-ed25519-public <base64 of the 32-byte public key>
 *
 * A key id is the first 8 bytes of BLAKE2b-256 of the public key, as 16
 * lowercase hex digits: short enough to log, and what a repository uses
 * to find the registered key. Signatures are detached, 64 bytes, carried
 * as base64. The caller frames what is signed (see docs/repository-api.md)
 * so a signature made for one purpose never verifies for another.
 */
#ifndef WINNOW_SIGN_H
#define WINNOW_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WN_SIGN_PK_LEN 32
#define WN_SIGN_SK_LEN 64
#define WN_SIGN_SIG_LEN 64
#define WN_SIGN_KEY_ID_LEN 16		/* hex digits, without the NUL */
#define WN_SIGN_SIG_B64_LEN 88		/* base64 of a signature, no NUL */

typedef struct wn_pubkey {
	uint8_t pk[WN_SIGN_PK_LEN];
	char id[WN_SIGN_KEY_ID_LEN + 1];
} wn_pubkey;

typedef struct wn_seckey {
	uint8_t sk[WN_SIGN_SK_LEN];	/* holds the public key in its tail */
	wn_pubkey pub;
} wn_seckey;

/* wn_sign_init - initialise libsodium once; WN_EINVAL if it cannot */
int wn_sign_init(void);

/* wn_seckey_generate - a fresh key pair */
int wn_seckey_generate(wn_seckey *out);

/*
 * wn_seckey_save - write DIR/NAME.key (0600, refused if it exists) and
 * DIR/NAME.pub. Returns 0, WN_EIO (errno set; EEXIST when a key is
 * already there).
 */
int wn_seckey_save(const wn_seckey *k, const char *dir, const char *name);

/*
 * wn_seckey_load / wn_pubkey_load - read a key file. Returns 0, WN_ENOENT
 * / WN_EIO (errno set), WN_EFORMAT (not a winnow key file of that kind).
 */
int wn_seckey_load(const char *path, wn_seckey *out);
int wn_pubkey_load(const char *path, wn_pubkey *out);

/* wn_pubkey_parse - a public key from its file text (one line) or from
 * the bare base64; WN_EFORMAT */
int wn_pubkey_parse(const char *text, size_t len, wn_pubkey *out);

/* wn_pubkey_format - the key's file line, without newline, into buf
 * (at least 80 bytes) */
void wn_pubkey_format(const wn_pubkey *k, char *buf, size_t len);

/* wn_sign_detached - signature over msg as base64 into sig_b64
 * (WN_SIGN_SIG_B64_LEN + 1 bytes) */
void wn_sign_detached(const wn_seckey *k, const void *msg, size_t len,
    char sig_b64[WN_SIGN_SIG_B64_LEN + 1]);

/* wn_sign_verify - does the base64 signature hold for msg under k */
bool wn_sign_verify(const wn_pubkey *k, const void *msg, size_t len,
    const char *sig_b64);

/* wn_sign_random_hex - n random bytes as 2n hex digits plus NUL */
void wn_sign_random_hex(char *out, size_t n);

#endif
