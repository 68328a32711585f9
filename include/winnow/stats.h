/*
 * stats.h - anonymised counters of the mail a winnowd saw, per period, in
 * a spool directory.
 *
 * The counters of the running period live in a memory-mapped file,
 * SPOOL/live-START.stats, updated with relaxed atomic additions: counting
 * takes no lock, and a crash of the process loses nothing the kernel has
 * (the mapping is shared with the file). At the period's end (aligned to
 * the period length since the epoch, so hourly periods end on the hour)
 * wn_stats_tick opens the next live file, switches writers to it, waits
 * until no writer is still inside the old one, stamps its end, syncs it
 * and renames it to SPOOL/period-START-REPORTID.stats: one atomic rename,
 * so a period is either live or sealed, never both, and never counted
 * twice. wn_stats_open seals live files left by an earlier run whose
 * period has ended, and continues the one of the current period.
 * wn_stats_shutdown seals the current period at shutdown; the next run
 * starts a new file for the rest of that period. One process counts into
 * a spool at a time (an flock on SPOOL/lock).
 *
 * A period file holds counts only: no address, name, subject or content.
 * Client addresses become a country code before they get here; network
 * prefixes (IPv4 /24, IPv6 /48) of spam sources are counted only when the
 * sharing level is cooperative. So are bulk fingerprints
 * (docs/arch/bulk-sharing.md): the keys (hashes) of up to WN_STATS_FPS
 * distinct texts per period that were spam, bulk (BULK_LOW or above), not
 * exempt and not WN_FINGERPRINT_SHORT; later copies of a text add
 * nothing, and texts beyond the cap are only counted as dropped.
 *
 * Reading sealed files (for reports) is wn_stats_period_load; they are
 * read into memory and validated, never trusted. The file format has a
 * version: files of version 1 (before bulk detections were counted) and 2
 * (before bulk fingerprints were) still load, with bulk_counted or
 * fingerprints_counted false, so a spool keeps what it held across an
 * upgrade; a live file of an earlier version left by a crash is sealed
 * as it is.
 */
#ifndef WINNOW_STATS_H
#define WINNOW_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <winnow/action.h>
#include <winnow/fingerprint.h>
#include <winnow/netaddr.h>
#include <winnow/verdict.h>

/* Histogram bounds: counts[i] holds bounds[i-1] <= v < bounds[i]. */
#define WN_STATS_SCORE_BOUNDS 13
#define WN_STATS_TIME_BOUNDS 14
extern const double wn_stats_score_bounds[WN_STATS_SCORE_BOUNDS];
extern const double wn_stats_time_bounds_ms[WN_STATS_TIME_BOUNDS];

#define WN_STATS_RULES 1024		/* distinct symbols per period */
#define WN_STATS_PREFIXES 4096		/* distinct spam networks */
#define WN_STATS_FPS 1024		/* distinct bulk fingerprints */
#define WN_STATS_NAME_LEN 64		/* symbol names, with the NUL */
#define WN_STATS_ANOMALIES 64		/* WN_MIME_* bits */
#define WN_STATS_SPF_NOT_CHECKED 7	/* after the enum wn_spf_result */

enum wn_stats_outcome {
	WN_STATS_SCANNED,
	WN_STATS_SKIPPED,	/* trusted, authenticated, oversize */
	WN_STATS_FAILED		/* the scan failed; on_error decided */
};

enum wn_stats_bayes {
	WN_STATS_BAYES_SCORED,
	WN_STATS_BAYES_ABSTAINED,
	WN_STATS_BAYES_UNAVAILABLE
};

/* What bulk detection (bulk.h) said about a scanned message. */
enum wn_stats_bulk {
	WN_STATS_BULK_OFF,	/* not checked: off, or its store failed */
	WN_STATS_BULK_NONE,	/* checked, under every recipient threshold */
	WN_STATS_BULK_LOW,	/* BULK_LOW */
	WN_STATS_BULK_MEDIUM,	/* BULK_MEDIUM */
	WN_STATS_BULK_HIGH,	/* BULK_HIGH */
	WN_STATS_BULK_EXEMPT	/* a `tflags nobulk` rule hit: no symbol */
};

/* What one message contributes. Pointers are borrowed for the call. */
typedef struct wn_stats_msg {
	enum wn_stats_outcome outcome;
	/* the rest counts only for scanned messages */
	enum wn_action action;
	bool spam;
	double score;
	int spf;			/* enum wn_spf_result; -1 not checked */
	enum wn_stats_bayes bayes;
	uint64_t anomalies;		/* WN_MIME_* flags */
	const wn_symbol *symbols;	/* the verdict's symbols */
	size_t n_symbols;
	double scan_ms;
	char country[3];		/* client's country; "" unknown */
	const wn_ipaddr *client;	/* for prefixes; NULL none */
	enum wn_stats_bulk bulk;	/* the text's recipient level */
	bool bulk_senders;		/* BULK_SENDERS (not when exempt) */
	bool bulk_attachment;		/* BULK_ATTACHMENT (not when exempt) */
	const wn_fingerprint *fingerprint; /* the text's; NULL: no bulk check */
} wn_stats_msg;

typedef struct wn_stats wn_stats;

typedef struct wn_stats_opts {
	const char *spool;		/* a directory; created if missing */
	unsigned period;		/* seconds; divides 86400 */
	/* the cooperative sharing level: count spam source networks and
	 * keep bulk spam fingerprints */
	bool cooperative;
} wn_stats_opts;

/*
 * wn_stats_open - counting into spool from now on. Seals earlier live
 * files whose period ended, continues the current one. Returns 0 with
 * *out set; WN_EIO (errno set; also when another process counts into
 * spool), WN_EINVAL, WN_ENOMEM; err says what and names the file.
 */
int wn_stats_open(const wn_stats_opts *o, time_t now, wn_stats **out,
    char *err, size_t errlen);

/* wn_stats_record - count one message; lock-free, any thread. Counts go
 * nowhere (and are tallied as lost) while no live file could be opened. */
void wn_stats_record(wn_stats *st, const wn_stats_msg *m);

/*
 * wn_stats_tick - seal the live period if it ended at or before now and
 * open the next; also retries opening a live file after a failure. One
 * thread calls it, about once a second. Returns 1 when a period was
 * sealed, 0 when nothing was due, WN_EIO with err set when the spool
 * failed (counting goes on in the old period until a new file opens).
 */
int wn_stats_tick(wn_stats *st, time_t now, char *err, size_t errlen);

/* wn_stats_sync - write the live file's pages to disk (msync); for a
 * periodic checkpoint against power loss */
void wn_stats_sync(wn_stats *st);

/* wn_stats_set_rulesets - "name version" lines of the rule sets in use,
 * written into the live period (and each one after) */
void wn_stats_set_rulesets(wn_stats *st, const char *lines);

/* wn_stats_lost - messages not counted for want of a live file */
uint64_t wn_stats_lost(const wn_stats *st);

/*
 * wn_stats_shutdown - seal the current period as ending now. Later
 * records count as lost; st stays valid for writers that are still
 * finishing. Returns 0 or WN_EIO with err set (the live file is then
 * kept and the next run seals it).
 */
int wn_stats_shutdown(wn_stats *st, time_t now, char *err, size_t errlen);

/* wn_stats_free - free st once no thread can record any more; seals the
 * current period first if wn_stats_shutdown did not */
void wn_stats_free(wn_stats **stp, time_t now);

/* A sealed period, read back. */
typedef struct wn_stats_rule {
	char name[WN_STATS_NAME_LEN];
	uint64_t spam, ham;
} wn_stats_rule;

typedef struct wn_stats_country {
	char country[3];		/* "" : unknown */
	uint64_t messages, spam;
} wn_stats_country;

typedef struct wn_stats_prefix {
	wn_ipaddr net;			/* /24 or /48 */
	uint64_t spam;
} wn_stats_prefix;

/*
 * Bulk detections among the scanned messages of one class (spam or ham
 * verdict). checked counts every message bulk detection ran on, exempt
 * ones included; low, medium, high and exempt exclude each other;
 * flagged counts the messages with at least one BULK_* symbol, so it is
 * at least each of low + medium + high, senders and attachment.
 */
typedef struct wn_stats_bulk_counts {
	uint64_t checked, exempt, flagged;
	uint64_t low, medium, high;
	uint64_t senders, attachment;
} wn_stats_bulk_counts;

/* A kept bulk fingerprint: its keys as bulk_feed.h writes them. */
typedef struct wn_stats_fingerprint {
	uint64_t d;				/* digest key */
	uint64_t b[WN_FINGERPRINT_BANDS];	/* band keys */
} wn_stats_fingerprint;

typedef struct wn_stats_period {
	char report_id[33];
	int64_t start, end;		/* seconds since the epoch */
	unsigned period;
	bool prefixes_counted;
	char rulesets[512];		/* "name version" lines */
	uint64_t scanned, skipped, failed;
	uint64_t ham, spam;
	uint64_t action[7];
	uint64_t spf[8];		/* enum wn_spf_result, not checked */
	uint64_t bayes[3];
	uint64_t score[WN_STATS_SCORE_BOUNDS + 1];
	uint64_t scan_time[WN_STATS_TIME_BOUNDS + 1];
	uint64_t anomalies[WN_STATS_ANOMALIES];
	wn_stats_rule *rules;		/* hit at least once, by name */
	size_t n_rules;
	uint64_t rules_other_spam, rules_other_ham;	/* table full */
	wn_stats_country *countries;	/* seen at least once, by code */
	size_t n_countries;
	wn_stats_prefix *prefixes;	/* by spam count, descending */
	size_t n_prefixes;
	uint64_t prefixes_other;	/* table full */
	bool bulk_counted;		/* false: a version 1 file */
	wn_stats_bulk_counts bulk_ham, bulk_spam;
	/* false: not cooperative, or a file of version 1 or 2 */
	bool fingerprints_counted;
	unsigned fingerprint_version;	/* of the keys (fingerprint.h) */
	wn_stats_fingerprint *fingerprints;	/* by digest key, ascending */
	size_t n_fingerprints;
	uint64_t fingerprints_dropped;	/* left out: table full, or lost */
} wn_stats_period;

/*
 * wn_stats_period_load - a sealed period file. Returns 0 with *out set;
 * WN_ENOENT / WN_EIO (errno set), WN_EFORMAT (not a sealed period file of
 * a version this code reads, or damaged), WN_ENOMEM; err names the file
 * and the fault.
 */
int wn_stats_period_load(const char *path, wn_stats_period **out,
    char *err, size_t errlen);
void wn_stats_period_free(wn_stats_period **pp);

/*
 * wn_stats_spool_list - the sealed period files in spool, oldest first,
 * as full paths (free with wn_stats_spool_list_free). Returns 0, WN_EIO,
 * WN_ENOMEM.
 */
int wn_stats_spool_list(const char *spool, char ***paths_out, size_t *n_out);
void wn_stats_spool_list_free(char **paths, size_t n);

/* wn_stats_percentile - the q-quantile (0..1) of a time histogram in ms,
 * interpolated within its bucket; 0 for an empty histogram */
double wn_stats_percentile(const uint64_t counts[WN_STATS_TIME_BOUNDS + 1],
    double q);

#endif
