/*
 * fingerprint_int.h - declarations shared by the fingerprint's files.
 *
 * fingerprint_norm.c splits visible text into normalised words;
 * fingerprint.c hashes them into the digest, the MinHash signature and
 * the band keys. Not a public API.
 */
#ifndef WINNOW_FINGERPRINT_INT_H
#define WINNOW_FINGERPRINT_INT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A word sink: receives one normalised word (lowercased UTF-8, n bytes,
 * not NUL-terminated, valid for the call only). Returns false to stop.
 */
typedef bool (*wn__fp_word_fn)(void *ctx, const char *w, size_t n);

/*
 * wn__fp_norm_text - pass the normalised words of UTF-8 text[0..len) to
 * fn, in order (fingerprint.h describes the rules). Returns false if fn
 * stopped it, true once the text is used up.
 */
bool wn__fp_norm_text(const char *text, size_t len, wn__fp_word_fn fn,
    void *ctx);

#endif
