/*
 * report_in.h - one winnowd statistics report, parsed from its JSON text and
 * validated against docs/report-schema.json, plus the signed envelope it
 * travels in (docs/repository-api.md).
 *
 * Both parsers take untrusted bytes and either fill their output or fail
 * with a one-line message naming what was wrong ("messages.action.reject:
 * ..."). They are bounded by the input (jansson builds the tree; depth is
 * limited by jansson's parser), never recurse on input structure
 * themselves, and hold no state between calls; thread-safe.
 *
 * Lifecycle: wn_report_parse fills a wn_report whose strings and arrays
 * live in the caller's arena. wn_envelope_parse fills a wn_envelope that
 * must be released with wn_envelope_fini (it keeps the parsed tree that
 * holds the report text).
 */
#ifndef WINNOW_REPOSITORY_REPORT_IN_H
#define WINNOW_REPOSITORY_REPORT_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/arena.h>
#include <winnow/buf.h>
#include <winnow/sign.h>

#include "aggregate.h"

#define WN_REPORT_ERR_LEN 256
#define WN_REPORT_NONCE_LEN 32		/* hex digits */
#define WN_REPORT_ID_LEN 32		/* hex digits */
#define WN_REPORT_MAX_COUNT 9007199254740991ULL	/* 2^53 - 1 */

/* the sections beyond "messages" a report may carry */
enum {
	WN_REPORT_HAS_SPF = 1u << 0,
	WN_REPORT_HAS_BAYES = 1u << 1,
	WN_REPORT_HAS_SCORES = 1u << 2,
	WN_REPORT_HAS_SCAN_TIME = 1u << 3,
	WN_REPORT_HAS_ANOMALIES = 1u << 4,
	WN_REPORT_HAS_RULES = 1u << 5,
	WN_REPORT_HAS_COUNTRIES = 1u << 6,
	WN_REPORT_HAS_PREFIXES = 1u << 7,
	WN_REPORT_HAS_BULK = 1u << 8,
	WN_REPORT_HAS_BULK_FP = 1u << 9
};

/* bulk_fingerprints: items per report, band keys per item */
#define WN_REPORT_FP_MAX 1024
#define WN_REPORT_FP_BANDS 16

/* one fingerprint of bulk_fingerprints: its digest key and band keys */
typedef struct wn_report_fp {
	uint64_t d;
	uint64_t b[WN_REPORT_FP_BANDS];
} wn_report_fp;

typedef struct wn_report_rule {
	const char *name;
	uint64_t spam, ham;
} wn_report_rule;

typedef struct wn_report_country {
	char country[8];	/* "US", "unknown", "other" */
	uint64_t messages, spam;
} wn_report_country;

typedef struct wn_report {
	char report_id[WN_REPORT_ID_LEN + 1];
	char key_id[WN_SIGN_KEY_ID_LEN + 1];
	char country[3];		/* declared; "ZZ" when not set */
	char operator_type[16];
	char software_version[33];
	char sharing[12];
	int64_t start, end;		/* seconds since the epoch */
	int64_t length;
	uint64_t min_count;
	unsigned sections;		/* WN_REPORT_HAS_* */
	uint64_t total, scanned, skipped, failed;
	uint64_t ham, spam;
	uint64_t action[WN_AGG_ACTIONS];
	uint64_t spf[WN_AGG_SPF];	/* when WN_REPORT_HAS_SPF */
	uint64_t bayes[3];		/* scored, abstained, unavailable */
	/* when WN_REPORT_HAS_BULK, in wn_report_bulk_names order */
	uint64_t bulk_ham[WN_AGG_BULK], bulk_spam[WN_AGG_BULK];
	wn_report_rule *rules;
	size_t n_rules;
	wn_report_country *countries;
	size_t n_countries;
	size_t n_rulesets, n_anomalies, n_prefixes;
	/* when WN_REPORT_HAS_BULK_FP (only at sharing cooperative) */
	int64_t fp_version;
	wn_report_fp *fps;
	size_t n_fps;
	uint64_t fp_dropped;
} wn_report;

/*
 * wn_report_parse - parse text[0..len) as a report and check every
 * constraint of the schema, plus period.end >= period.start and, per
 * class of bulk, no count above checked and low + medium + high + exempt
 * not above it either, and bulk_fingerprints only at sharing
 * cooperative. Returns 0,
 * WN_EINVAL with err (WN_REPORT_ERR_LEN bytes) set to what was wrong,
 * WN_ENOMEM.
 */
int wn_report_parse(const char *text, size_t len, wn_arena *a,
    wn_report *out, char *err);

/* the names the schema allows, in report order */
extern const char *const wn_report_action_names[WN_AGG_ACTIONS];
extern const char *const wn_report_spf_names[WN_AGG_SPF];
extern const char *const wn_report_bulk_names[WN_AGG_BULK];


typedef struct wn_envelope {
	void *root;			/* the parsed tree (json_t) */
	char key_id[WN_SIGN_KEY_ID_LEN + 1];
	char signed_at[21];
	int64_t signed_time;
	char nonce[WN_REPORT_NONCE_LEN + 1];
	const char *report;		/* the report text, inside root */
	size_t report_len;
	char signature[WN_SIGN_SIG_B64_LEN + 1];
} wn_envelope;

#define WN_ENVELOPE_FORMAT "winnow-signed-report-1"

/*
 * wn_envelope_parse - the envelope in body[0..len): a JSON object with
 * the six fields as strings of their forms (format, a 16-hex key id, a
 * UTC time, a 32-hex nonce, the report text, a base64 signature). Fields
 * beyond the six are ignored. Returns 0, WN_EINVAL with err set,
 * WN_ENOMEM. On success call wn_envelope_fini.
 */
int wn_envelope_parse(const char *body, size_t len, wn_envelope *out,
    char *err);
void wn_envelope_fini(wn_envelope *e);

/*
 * wn_envelope_signed_text - the bytes the signature covers:
 * "winnow-signed-report-1\n<key_id>\n<signed_at>\n<nonce>\n<report>",
 * appended to out.
 */
void wn_envelope_signed_text(const char *key_id, const char *signed_at,
    const char *nonce, const char *report, size_t report_len, wn_buf *out);

#endif
