/*
 * bulk_feed.c - the signed feed of shared bulk keys: build, check, match.
 *
 * The checked feed is two sorted arrays of 64-bit keys (digests, bands),
 * searched by bisection: a message costs 17 lookups. Everything read from
 * the file is checked before it is believed: the envelope, the signature
 * over the exact feed text, the inner format, the fingerprint version,
 * the expiry and every key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include <winnow/alloc.h>
#include <winnow/bulk_feed.h>
#include <winnow/err.h>
#include <winnow/json.h>
#include <winnow/report.h>
#include <winnow/str.h>

#define WN_FEED_FORMAT		"winnow-bulk-feed-1"
#define WN_FEED_SIGNED_FORMAT	"winnow-signed-bulk-feed-1"

struct wn_bulk_feed {
	wn_bulk_feed_info info;
	uint64_t *digests;	/* sorted */
	uint64_t *bands;	/* sorted */
};

bool
wn_bulk_feed_key_parse(const char *s, size_t n, char *kind, uint64_t *value)
{
	uint64_t v = 0;
	size_t i;

	if (n != 18 || (s[0] != 'd' && s[0] != 'b') || s[1] != ':')
		return false;
	for (i = 2; i < 18; i++) {
		int h = wn_hex_value_lower((unsigned char)s[i]);

		if (h < 0)
			return false;
		v = v << 4 | (uint64_t)h;
	}
	*kind = s[0];
	*value = v;
	return true;
}

uint64_t
wn_bulk_feed_digest_key(const wn_fingerprint *fp)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < 8; i++)
		v = v << 8 | fp->digest[i];
	return v;
}

/* "YYYY-MM-DDTHH:MM:SSZ" -> Unix seconds; false if not that */
static bool
wn_feed_time_parse(const char *s, int64_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, se;
	char z;

	if (s == NULL || strlen(s) != 20 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se,
	    &z) != 7 || z != 'Z' || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || se > 60)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = (int64_t)timegm(&tm);
	return true;
}

int
wn_bulk_feed_build(const char *const *keys, size_t n, int64_t generated,
    int64_t expires, unsigned min_reporters, const wn_seckey *sk,
    wn_buf *out)
{
	char gen[21], exp[21], sig[WN_SIGN_SIG_B64_LEN + 1], kind;
	wn_buf feed, msg;
	uint64_t v;
	wn_json j;
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++)
		if (!wn_bulk_feed_key_parse(keys[i], strlen(keys[i]), &kind,
		    &v) || (i > 0 && strcmp(keys[i - 1], keys[i]) >= 0))
			return WN_EINVAL;
	wn_time_format(generated, gen);
	wn_time_format(expires, exp);
	wn_buf_init(&feed);
	wn_buf_init(&msg);
	wn_json_init(&j, &feed, 0);
	wn_json_obj_begin(&j);
	wn_json_key(&j, "format");
	wn_json_str(&j, WN_FEED_FORMAT);
	wn_json_key(&j, "generated");
	wn_json_str(&j, gen);
	wn_json_key(&j, "expires");
	wn_json_str(&j, exp);
	wn_json_key(&j, "fingerprint_version");
	wn_json_uint(&j, WN_FINGERPRINT_VERSION);
	wn_json_key(&j, "min_reporters");
	wn_json_uint(&j, min_reporters);
	wn_json_key(&j, "keys");
	wn_json_arr_begin(&j);
	for (i = 0; i < n; i++)
		wn_json_str(&j, keys[i]);
	wn_json_arr_end(&j);
	wn_json_obj_end(&j);
	wn_buf_puts(&msg, WN_FEED_SIGNED_FORMAT "\n");
	wn_buf_puts(&msg, sk->pub.id);
	wn_buf_putc(&msg, '\n');
	wn_buf_append(&msg, feed.data, feed.len);
	if (feed.failed || msg.failed) {
		rc = WN_ENOMEM;
		goto out;
	}
	wn_sign_detached(sk, msg.data, msg.len, sig);
	wn_json_init(&j, out, 0);
	wn_json_obj_begin(&j);
	wn_json_key(&j, "format");
	wn_json_str(&j, WN_FEED_SIGNED_FORMAT);
	wn_json_key(&j, "key_id");
	wn_json_str(&j, sk->pub.id);
	wn_json_key(&j, "feed");
	wn_json_strn(&j, feed.data, feed.len);
	wn_json_key(&j, "signature");
	wn_json_str(&j, sig);
	wn_json_obj_end(&j);
	wn_buf_putc(out, '\n');
	if (out->failed)
		rc = WN_ENOMEM;
out:
	wn_buf_fini(&feed);
	wn_buf_fini(&msg);
	return rc;
}

static int
wn_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Bytes of a feed's own text an error message quotes. */
#define WN_FEED_SHOWN 64

#define WN_FEED_ERR(...) do { \
	snprintf(err, errlen, __VA_ARGS__); \
	rc = WN_EFORMAT; \
	goto fail; \
} while (0)

/* The inner feed: format, times, version, keys. */
static int
wn_feed_inner(const char *text, size_t len, int64_t now, wn_bulk_feed *f,
    char *err, size_t errlen)
{
	json_error_t je;
	json_t *root, *keys, *v;
	const char *fmt, *gen, *exp;
	char shown[WN_FEED_SHOWN + 1];
	json_int_t version = 0, minrep = 0;
	size_t i, n;
	int rc = 0;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		snprintf(err, errlen, "feed is not JSON: %s", je.text);
		return WN_EFORMAT;
	}
	if (json_unpack_ex(root, &je, JSON_STRICT, "{s:s, s:s, s:s, s:I, "
	    "s:I, s:o}", "format", &fmt, "generated", &gen, "expires", &exp,
	    "fingerprint_version", &version, "min_reporters", &minrep,
	    "keys", &keys) != 0)
		WN_FEED_ERR("feed: %s", je.text);
	if (strcmp(fmt, WN_FEED_FORMAT) != 0) {
		wn_str_shown(shown, sizeof(shown), fmt, WN_FEED_SHOWN);
		WN_FEED_ERR("feed format '%s' is not %s", shown,
		    WN_FEED_FORMAT);
	}
	if (!wn_feed_time_parse(gen, &f->info.generated) ||
	    !wn_feed_time_parse(exp, &f->info.expires))
		WN_FEED_ERR("feed times are not YYYY-MM-DDTHH:MM:SSZ");
	if (version != WN_FINGERPRINT_VERSION)
		WN_FEED_ERR("feed has fingerprint version %lld, this winnow "
		    "makes version %d", (long long)version,
		    WN_FINGERPRINT_VERSION);
	if (minrep < 1 || minrep > 1000000)
		WN_FEED_ERR("feed min_reporters %lld out of range",
		    (long long)minrep);
	f->info.min_reporters = (unsigned)minrep;
	if (now > f->info.expires) {
		snprintf(err, errlen, "feed expired at %s", exp);
		rc = WN_EINVAL;
		goto fail;
	}
	if (!json_is_array(keys))
		WN_FEED_ERR("feed keys are not a list");
	n = json_array_size(keys);
	if (n > WN_BULK_FEED_MAX_KEYS) {
		snprintf(err, errlen, "feed has %zu keys, more than %u", n,
		    WN_BULK_FEED_MAX_KEYS);
		rc = WN_ELIMIT;
		goto fail;
	}
	if ((f->digests = wn_calloc(n + 1, sizeof(uint64_t))) == NULL ||
	    (f->bands = wn_calloc(n + 1, sizeof(uint64_t))) == NULL) {
		rc = WN_ENOMEM;
		goto fail;
	}
	json_array_foreach(keys, i, v) {
		char kind;
		uint64_t k;

		if (!json_is_string(v) || !wn_bulk_feed_key_parse(
		    json_string_value(v), json_string_length(v), &kind, &k))
			WN_FEED_ERR("feed key %zu is not d:<16 hex> or "
			    "b:<16 hex>", i + 1);
		if (kind == 'd')
			f->digests[f->info.n_digests++] = k;
		else
			f->bands[f->info.n_bands++] = k;
	}
	qsort(f->digests, f->info.n_digests, sizeof(uint64_t), wn_u64_cmp);
	qsort(f->bands, f->info.n_bands, sizeof(uint64_t), wn_u64_cmp);
fail:
	json_decref(root);
	return rc;
}

int
wn_bulk_feed_parse(const char *text, size_t len, const wn_pubkey *pk,
    int64_t now, wn_bulk_feed **out, char *err, size_t errlen)
{
	const char *fmt, *key_id, *feed, *sig;
	char shown[WN_FEED_SHOWN + 1];
	json_error_t je;
	json_t *root;
	wn_bulk_feed *f = NULL;
	size_t feed_len;
	wn_buf msg;
	int rc = 0;

	*out = NULL;
	snprintf(err, errlen, "%s", "");
	if (len > WN_BULK_FEED_MAX_BYTES) {
		snprintf(err, errlen, "feed larger than %zu bytes",
		    WN_BULK_FEED_MAX_BYTES);
		return WN_ELIMIT;
	}
	wn_buf_init(&msg);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		WN_FEED_ERR("not JSON: %s", je.text);
	if (json_unpack_ex(root, &je, JSON_STRICT, "{s:s, s:s, s:s%, s:s}",
	    "format", &fmt, "key_id", &key_id, "feed", &feed, &feed_len,
	    "signature", &sig) != 0)
		WN_FEED_ERR("not a signed feed: %s", je.text);
	if (strcmp(fmt, WN_FEED_SIGNED_FORMAT) != 0) {
		wn_str_shown(shown, sizeof(shown), fmt, WN_FEED_SHOWN);
		WN_FEED_ERR("format '%s' is not %s", shown,
		    WN_FEED_SIGNED_FORMAT);
	}
	if (strcmp(key_id, pk->id) != 0) {
		wn_str_shown(shown, sizeof(shown), key_id, WN_FEED_SHOWN);
		snprintf(err, errlen, "signed by key %s, not the trusted %s",
		    shown, pk->id);
		rc = WN_EINVAL;
		goto fail;
	}
	wn_buf_puts(&msg, WN_FEED_SIGNED_FORMAT "\n");
	wn_buf_puts(&msg, key_id);
	wn_buf_putc(&msg, '\n');
	wn_buf_append(&msg, feed, feed_len);
	if (msg.failed) {
		rc = WN_ENOMEM;
		goto fail;
	}
	if (!wn_sign_verify(pk, msg.data, msg.len, sig)) {
		snprintf(err, errlen, "signature does not verify under key %s",
		    pk->id);
		rc = WN_EINVAL;
		goto fail;
	}
	if ((f = wn_calloc(1, sizeof(*f))) == NULL) {
		rc = WN_ENOMEM;
		goto fail;
	}
	snprintf(f->info.key_id, sizeof(f->info.key_id), "%s", key_id);
	if ((rc = wn_feed_inner(feed, feed_len, now, f, err, errlen)) != 0)
		goto fail;
	*out = f;
	f = NULL;
fail:
	/* The feed's own text (a key name in jansson's message) stays on
	 * one line. */
	if (rc != 0)
		wn_str_shown(err, errlen, err, errlen);
	wn_bulk_feed_free(&f);
	wn_buf_fini(&msg);
	json_decref(root);
	return rc;
}

int
wn_bulk_feed_load(const char *path, const wn_pubkey *pk, int64_t now,
    wn_bulk_feed **out, char *err, size_t errlen)
{
	FILE *fp;
	char *buf = NULL;
	size_t len = 0, cap = 0, got;
	int rc;

	*out = NULL;
	if ((fp = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return errno == ENOENT ? WN_ENOENT : WN_EIO;
	}
	for (;;) {
		if (len == cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			if (cap > WN_BULK_FEED_MAX_BYTES + 1 ||
			    (nb = wn_realloc(buf, cap)) == NULL) {
				fclose(fp);
				wn_free(buf);
				snprintf(err, errlen, cap > WN_BULK_FEED_MAX_BYTES
				    + 1 ? "feed file too large" :
				    "out of memory");
				return cap > WN_BULK_FEED_MAX_BYTES + 1 ?
				    WN_ELIMIT : WN_ENOMEM;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, fp);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s", strerror(errno));
		fclose(fp);
		wn_free(buf);
		return WN_EIO;
	}
	fclose(fp);
	rc = wn_bulk_feed_parse(buf, len, pk, now, out, err, errlen);
	wn_free(buf);
	return rc;
}

void
wn_bulk_feed_free(wn_bulk_feed **fp)
{
	if (fp == NULL || *fp == NULL)
		return;
	wn_free((*fp)->digests);
	wn_free((*fp)->bands);
	wn_free(*fp);
	*fp = NULL;
}

const wn_bulk_feed_info *
wn_bulk_feed_info_get(const wn_bulk_feed *f)
{
	return &f->info;
}

static bool
wn_feed_has(const uint64_t *v, size_t n, uint64_t k)
{
	return bsearch(&k, v, n, sizeof(uint64_t), wn_u64_cmp) != NULL;
}

bool
wn_bulk_feed_match(const wn_bulk_feed *f, const wn_fingerprint *fp)
{
	size_t i, hits = 0;

	if (f == NULL || (fp->flags & WN_FINGERPRINT_SHORT))
		return false;
	if (wn_feed_has(f->digests, f->info.n_digests,
	    wn_bulk_feed_digest_key(fp)))
		return true;
	for (i = 0; i < WN_FINGERPRINT_BANDS; i++)
		if (wn_feed_has(f->bands, f->info.n_bands, fp->bands[i]) &&
		    ++hits >= 2)
			return true;
	return false;
}
