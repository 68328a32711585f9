/*
 * fuzz_fingerprint.c - libFuzzer target for the fuzzy fingerprint
 * (fingerprint.h).
 *
 * Parses the input as a message with default limits and fingerprints it
 * twice. Checks the contract: the same bytes give the same fingerprint,
 * word and shingle counts agree with the limits and with each other, a
 * short text has an all-zero signature and no bands, a fingerprint is
 * fully similar to itself, and the hex form has its documented length.
 * Then the bulk keys of the message (bulk.h): within their bound, the
 * text keys first, attachment keys distinct and last.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/arena.h>
#include <winnow/bulk.h>
#include <winnow/err.h>
#include <winnow/fingerprint.h>
#include <winnow/mime.h>

static void
fuzz_fp_check(const wn_fingerprint *fp, const wn_fingerprint *again)
{
	char hex[WN_FINGERPRINT_HEX_SIZE];
	size_t i, want;
	bool is_short = fp->n_words < WN_FINGERPRINT_MIN_WORDS;

	if (memcmp(fp, again, sizeof(*fp)) != 0 ||
	    fp->version != WN_FINGERPRINT_VERSION ||
	    fp->n_words > WN_FINGERPRINT_MAX_WORDS ||
	    (fp->flags & ~(uint32_t)(WN_FINGERPRINT_SHORT |
	    WN_FINGERPRINT_TRUNCATED)) != 0 ||
	    is_short != ((fp->flags & WN_FINGERPRINT_SHORT) != 0))
		abort();
	want = fp->n_words >= WN_FINGERPRINT_SHINGLE ?
	    fp->n_words - WN_FINGERPRINT_SHINGLE + 1 : 0;
	if (fp->n_shingles != want)
		abort();
	for (i = 0; is_short && i < WN_FINGERPRINT_SLOTS; i++)
		if (fp->minhash[i] != 0)
			abort();
	for (i = 0; is_short && i < WN_FINGERPRINT_BANDS; i++)
		if (fp->bands[i] != 0)
			abort();
	if (wn_fingerprint_similarity(fp, again) != 1.0 ||
	    wn_fingerprint_shared_bands(fp, again) !=
	    (is_short ? 0 : WN_FINGERPRINT_BANDS))
		abort();
	want = 2 * WN_FINGERPRINT_DIGEST_LEN +
	    (is_short ? 0 : 17 * WN_FINGERPRINT_BANDS);
	if (strlen(wn_fingerprint_hex(fp, hex)) != want)
		abort();
}

static void
fuzz_bulk_keys_check(const wn_mime_msg *m, const wn_fingerprint *fp)
{
	wn_bulk_key keys[WN_BULK_MAX_KEYS];
	size_t n, na, i, j, text;

	n = wn_bulk_keys(m, fp, keys, &na);
	if (n > WN_BULK_MAX_KEYS || na > WN_BULK_MAX_ATTACHMENTS || na > n)
		abort();
	text = n - na;
	for (i = 0; i < n; i++) {
		uint8_t kind = keys[i].b[0];

		if (i < text ? kind == WN_BULK_KEY_ATTACHMENT :
		    kind != WN_BULK_KEY_ATTACHMENT)
			abort();
		for (j = 0; j < i; j++)
			if (memcmp(&keys[i], &keys[j], sizeof(keys[i])) == 0)
				abort();
	}
	if ((fp->flags & WN_FINGERPRINT_SHORT) && text > 1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wn_fingerprint fp, again;
	wn_mime_msg *m;
	wn_arena *a;
	int rc;

	if ((a = wn_arena_new(0)) == NULL)
		return 0;
	rc = wn_mime_parse(a, (const char *)data, size, NULL, &m);
	if (rc != 0 && rc != WN_ENOMEM)
		abort();
	if (rc == 0) {
		if (wn_fingerprint_compute(m, &fp) != 0 ||
		    wn_fingerprint_compute(m, &again) != 0)
			abort();
		fuzz_fp_check(&fp, &again);
		fuzz_bulk_keys_check(m, &fp);
	}
	wn_arena_free(&a);
	return 0;
}
