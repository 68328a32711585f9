/*
 * tokenize.h - features of a parsed message for the Bayesian classifier.
 *
 * wn_tokenize turns a wn_mime_msg into a set of 64-bit feature hashes:
 *
 *   words     from the visible text of every text part: UTF-8 case folding,
 *             words of min_word..max_word bytes (longer ones become a
 *             "skip:" token recording their first letter class and length
 *             in tens), numbers kept whole ("1,000.50", "$100"), inner
 *             . - ' _ joining a word ("e-mail", "don't"), runs of CJK
 *             characters as overlapping character pairs; from feature
 *             set 2 on, a word written with capitals also as written
 *             ("FREE", "Toshiba"), and runs of ! ? $ % as up to three
 *             of the character, with the field's prefix ("!!", "subj:!!!");
 *   hidden    words of HTML text hidden from the reader, prefixed "hid:";
 *   headers   words of selected fields prefixed by a short field tag
 *             (subj:, from:, xm:, ...), the addresses' domains (from:, to:,
 *             rt:, rp:), Received hosts and IPs (rcvd:), content types and
 *             boundary shapes of every part (ct:, ctb:, cte:), the
 *             Message-ID domain and shape (mid:), and "hdr:" + the name of
 *             every top-level field present; from feature set 3 on, the
 *             fields a mailing list adds (List-*, Sender, Precedence,
 *             X-Loop, Errors-To, X-BeenThere, X-Mailman-Version) are left
 *             out: they name the list that carried the message, which
 *             relays spam and ham alike;
 *   urls      "url:" host and "dom:" registrable domain of every link;
 *   flags     "flag:" and the name of every parser anomaly;
 *   bigrams   orthogonal sparse bigrams (OSB) over the body words: the
 *             pair (w[i], w[i+d]) for d = 1 .. window-1, the distance d
 *             part of the feature. Off by default (window 1): with
 *             Fisher combining, the correlated evidence of bigrams ranked
 *             worse in cross-validation (docs/arch/bayes.md).
 *
 * The feature set has a version, kept in the low 16 bits of the seed, so a
 * store learned by an older winnow (its seed is in the store) goes on
 * being fed the features it learned; new stores get WN_TOKENIZE_FEATURES.
 * Set 4 changed only the linear stage's header 4-grams (linear.h).
 *
 * Each feature is hashed once (XXH3, seeded) and de-duplicated per message.
 * Bigram hashes are derived from the two word hashes and the distance, so
 * they cost no string work; the readable form ("subj:free", "w:a _ b") is
 * only built when opts->keep_text is set (debugging, `winnow tokens`).
 *
 * Output lives in the arena. Thread-safe. At most opts->max_tokens distinct
 * features are kept (WN_TOKENS_LIMIT is set beyond).
 */
#ifndef WINNOW_TOKENIZE_H
#define WINNOW_TOKENIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/arena.h>
#include <winnow/mime.h>

enum wn_token_kind {
	WN_TOKEN_WORD,		/* body word */
	WN_TOKEN_BIGRAM,	/* OSB pair of body words */
	WN_TOKEN_HEADER,	/* header-derived feature */
	WN_TOKEN_URL,		/* link host or domain */
	WN_TOKEN_META		/* parser flags, hidden text, skips */
};

typedef struct wn_token {
	uint64_t hash;
	const char *text;	/* readable form if keep_text, else NULL */
	uint32_t len;		/* length of text */
	uint8_t kind;		/* enum wn_token_kind */
} wn_token;

enum {
	WN_TOKENS_LIMIT = 1u << 0	/* max_tokens reached */
};

typedef struct wn_tokens {
	wn_token *v;
	size_t n;
	uint32_t flags;		/* WN_TOKENS_* */
} wn_tokens;

typedef struct wn_tokenize_opts {
	uint64_t seed;		/* hash seed; part of a store's identity */
	unsigned osb_window;	/* 1 disables bigrams (the default) */
	unsigned min_word;	/* bytes; default 3 */
	unsigned max_word;	/* bytes; default 40 */
	size_t max_tokens;	/* distinct features kept; default 20000 */
	size_t max_body_bytes;	/* text bytes tokenized per part */
	bool keep_text;		/* build readable forms */
} wn_tokenize_opts;

#define WN_TOKENIZE_SEED_BASE	0x77696e6e6f770000ull	/* "winnow" */
#define WN_TOKENIZE_FEATURES	5	/* the newest feature set */
#define WN_TOKENIZE_DEFAULT_SEED (WN_TOKENIZE_SEED_BASE | WN_TOKENIZE_FEATURES)

/*
 * wn_tokenize_features - the feature set version a seed stands for: its
 * low 16 bits for winnow's own seeds (1 before capitals and punctuation
 * were features, 2 while list fields were, 3 while the linear stage's
 * header 4-grams still covered them, 4 before the linear stage had the
 * header's alignment flags), WN_TOKENIZE_FEATURES for any other seed.
 */
unsigned wn_tokenize_features(uint64_t seed);

/*
 * wn_tokenize_list_field - whether a header field is one a mailing list
 * adds (List-*, Sender, Precedence, X-Loop, Errors-To, X-BeenThere,
 * X-Mailman-Version). Such a field names the list that carried the
 * message, and a list relays spam as well as ham: learned, it is ham
 * evidence that spam posted to a list inherits. Left out of the features
 * from set 3 on, and of the linear stage's header 4-grams from set 4 on
 * (docs/arch/bayes.md has the cross-validation).
 */
bool wn_tokenize_list_field(wn_str name);

/* wn_tokenize_opts_default - the defaults above */
void wn_tokenize_opts_default(wn_tokenize_opts *o);

/*
 * wn_tokenize - features of msg into *out (arena). Returns 0 or WN_ENOMEM.
 * Token order is the order of first appearance.
 */
int wn_tokenize(wn_arena *arena, const wn_mime_msg *msg,
    const wn_tokenize_opts *opts, wn_tokens *out);

/* wn_token_kind_name - "word", "bigram", "header", "url", "meta" */
const char *wn_token_kind_name(enum wn_token_kind k);

#endif
