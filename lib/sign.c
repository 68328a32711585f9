/*
 * sign.c - Ed25519 key files and detached signatures over libsodium.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include <winnow/err.h>
#include <winnow/sign.h>

static const char wn_secret_tag[] = "winnow-ed25519-secret";
static const char wn_public_tag[] = "winnow-ed25519-public";

int
wn_sign_init(void)
{
	return sodium_init() < 0 ? WN_EINVAL : 0;
}

static void
wn_pubkey_set_id(wn_pubkey *k)
{
	uint8_t h[32];

	crypto_generichash(h, sizeof(h), k->pk, sizeof(k->pk), NULL, 0);
	sodium_bin2hex(k->id, sizeof(k->id), h, WN_SIGN_KEY_ID_LEN / 2);
}

int
wn_seckey_generate(wn_seckey *out)
{
	if (wn_sign_init() != 0)
		return WN_EINVAL;
	crypto_sign_keypair(out->pub.pk, out->sk);
	wn_pubkey_set_id(&out->pub);
	return 0;
}

/* "TAG base64\n" into path, created with mode; O_EXCL when exclusive */
static int
wn_key_write(const char *path, int mode, const char *tag, const uint8_t *key,
    size_t len)
{
	char b64[128], line[192];
	int fd, n;

	sodium_bin2base64(b64, sizeof(b64), key, len,
	    sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(line, sizeof(line), "%s %s\n", tag, b64);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return WN_EIO;
	if (write(fd, line, (size_t)n) != n || fsync(fd) != 0) {
		int e = errno;

		close(fd);
		unlink(path);
		errno = e;
		return WN_EIO;
	}
	sodium_memzero(line, sizeof(line));
	sodium_memzero(b64, sizeof(b64));
	return close(fd) == 0 ? 0 : WN_EIO;
}

int
wn_seckey_save(const wn_seckey *k, const char *dir, const char *name)
{
	char sec[4096], pub[4096];
	int rc;

	snprintf(sec, sizeof(sec), "%s/%s.key", dir, name);
	snprintf(pub, sizeof(pub), "%s/%s.pub", dir, name);
	if (access(pub, F_OK) == 0) {
		errno = EEXIST;
		return WN_EIO;
	}
	rc = wn_key_write(sec, 0600, wn_secret_tag, k->sk, sizeof(k->sk));
	if (rc != 0)
		return rc;
	rc = wn_key_write(pub, 0644, wn_public_tag, k->pub.pk,
	    sizeof(k->pub.pk));
	if (rc != 0) {
		int e = errno;

		unlink(sec);
		errno = e;
	}
	return rc;
}

/* the base64 after "TAG " in text, decoded into key[len] exactly */
static int
wn_key_parse(const char *text, size_t n, const char *tag, uint8_t *key,
    size_t len)
{
	size_t tl = strlen(tag), decoded = 0;
	const char *end;

	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' ||
	    text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	if (n > tl && memcmp(text, tag, tl) == 0 && text[tl] == ' ') {
		text += tl + 1;
		n -= tl + 1;
	} else if (memchr(text, ' ', n) != NULL) {
		return WN_EFORMAT;	/* another kind of key line */
	}
	if (sodium_base642bin(key, len, text, n, NULL, &decoded, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || decoded != len ||
	    end != text + n)
		return WN_EFORMAT;
	return 0;
}

static int
wn_key_read(const char *path, char *buf, size_t cap, size_t *len_out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT ? WN_ENOENT : WN_EIO;
	n = read(fd, buf, cap);
	close(fd);
	if (n < 0)
		return WN_EIO;
	if ((size_t)n == cap)
		return WN_EFORMAT;	/* far longer than any key line */
	*len_out = (size_t)n;
	return 0;
}

int
wn_seckey_load(const char *path, wn_seckey *out)
{
	char buf[512];
	size_t n;
	int rc;

	if (wn_sign_init() != 0)
		return WN_EINVAL;
	rc = wn_key_read(path, buf, sizeof(buf), &n);
	if (rc == 0)
		rc = wn_key_parse(buf, n, wn_secret_tag, out->sk,
		    sizeof(out->sk));
	sodium_memzero(buf, sizeof(buf));
	if (rc != 0)
		return rc;
	crypto_sign_ed25519_sk_to_pk(out->pub.pk, out->sk);
	wn_pubkey_set_id(&out->pub);
	return 0;
}

int
wn_pubkey_parse(const char *text, size_t len, wn_pubkey *out)
{
	int rc;

	if (wn_sign_init() != 0)
		return WN_EINVAL;
	rc = wn_key_parse(text, len, wn_public_tag, out->pk, sizeof(out->pk));
	if (rc != 0)
		return rc;
	wn_pubkey_set_id(out);
	return 0;
}

int
wn_pubkey_load(const char *path, wn_pubkey *out)
{
	char buf[512];
	size_t n;
	int rc = wn_key_read(path, buf, sizeof(buf), &n);

	return rc != 0 ? rc : wn_pubkey_parse(buf, n, out);
}

void
wn_pubkey_format(const wn_pubkey *k, char *buf, size_t len)
{
	char b64[64];

	sodium_bin2base64(b64, sizeof(b64), k->pk, sizeof(k->pk),
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(buf, len, "%s %s", wn_public_tag, b64);
}

void
wn_sign_detached(const wn_seckey *k, const void *msg, size_t len,
    char sig_b64[WN_SIGN_SIG_B64_LEN + 1])
{
	uint8_t sig[WN_SIGN_SIG_LEN];

	crypto_sign_detached(sig, NULL, msg, len, k->sk);
	sodium_bin2base64(sig_b64, WN_SIGN_SIG_B64_LEN + 1, sig, sizeof(sig),
	    sodium_base64_VARIANT_ORIGINAL);
}

bool
wn_sign_verify(const wn_pubkey *k, const void *msg, size_t len,
    const char *sig_b64)
{
	uint8_t sig[WN_SIGN_SIG_LEN];
	size_t decoded = 0;
	size_t n = strlen(sig_b64);

	if (sodium_base642bin(sig, sizeof(sig), sig_b64, n, NULL, &decoded,
	    NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    decoded != sizeof(sig))
		return false;
	return crypto_sign_verify_detached(sig, msg, len, k->pk) == 0;
}

void
wn_sign_random_hex(char *out, size_t n)
{
	uint8_t b[64];

	if (n > sizeof(b))
		n = sizeof(b);
	randombytes_buf(b, n);
	sodium_bin2hex(out, 2 * n + 1, b, n);
}
