/*
 * report.h - a sealed period turned into the report a repository receives
 * (docs/report-schema.json), and the signed envelope it travels in
 * (docs/repository-api.md).
 *
 * The sharing level decides which sections a report has; in the
 * open-ended breakdowns (rules, countries, prefixes) every cell below the
 * minimum count is merged into one named "other", so no small group of
 * messages stands out. The bulk fingerprints of a cooperative report
 * (docs/arch/bulk-sharing.md) are keys without counts, of texts that
 * were bulk already: nothing to merge. Building is deterministic: the
 * same period and options give the same bytes, which is what a preview
 * shows and what is signed.
 */
#ifndef WINNOW_REPORT_H
#define WINNOW_REPORT_H

#include <stdint.h>
#include <time.h>

#include <winnow/buf.h>
#include <winnow/sign.h>
#include <winnow/stats.h>

enum wn_sharing {
	WN_SHARING_MINIMAL,
	WN_SHARING_STANDARD,
	WN_SHARING_COOPERATIVE
};

typedef struct wn_report_opts {
	enum wn_sharing sharing;
	uint64_t min_count;		/* cells below it merge into other */
	uint64_t prefix_min_count;	/* networks below it are merged */
	char country[3];		/* declared; "" : ZZ */
	const char *operator_type;	/* isp, hosting, ... */
	const char *key_id;		/* the reporter's key id */
} wn_report_opts;

/* The schema's words, NULL-terminated: winnow.conf, the report and the
 * repository take them from here. */
extern const char *const wn_sharing_names[];	/* by enum wn_sharing */
extern const char *const wn_operator_types[];

/* wn_sharing_parse - "minimal", "standard", "cooperative"; -1 otherwise */
int wn_sharing_parse(const char *s);
const char *wn_sharing_name(enum wn_sharing s);

/* wn_operator_type_valid - one of the schema's operator types */
bool wn_operator_type_valid(const char *s);

/* wn_report_build - the report JSON (one line, no newline) into out.
 * WN_ENOMEM. */
int wn_report_build(const wn_stats_period *p, const wn_report_opts *o,
    wn_buf *out);

/*
 * wn_report_envelope - the signed envelope for report[0..len), signed now
 * with a fresh nonce, into out (JSON, one line). WN_ENOMEM.
 */
int wn_report_envelope(const char *report, size_t len, const wn_seckey *k,
    time_t now, wn_buf *out);

/* wn_time_format - RFC 3339 UTC "2026-11-23T10:00:00Z" into buf[21] */
void wn_time_format(int64_t t, char buf[21]);

#endif
