/*
 * stats_int.h - the layout of a period file, shared by stats.c (counting
 * into the live file) and stats_period.c (reading sealed ones).
 *
 * One fixed-size structure, mapped as is: native byte order (the header
 * records it), so a spool is read on the host that wrote it. Open-ended
 * keys (symbol names, networks) live in open-addressing tables whose slots
 * are claimed with a compare-and-swap of their 64-bit key.
 *
 * Versions only ever append: a file of version N is the first
 * wn_stats_file_size(N) bytes of the current structure, and what later
 * versions added reads as zero in it. Version 1 ends before bulk[];
 * version 2 added the bulk detections; version 3 the bulk fingerprints
 * (below). Everything else in the header (magic, byte order, size) is
 * checked as strictly for every version.
 *
 * Bulk fingerprints (version 3, counted only with WN_STATS_FPS_ON). Two
 * parts: an index of the digest keys seen in the period, an
 * open-addressing table of WN_STATS_FP_INDEX 64-bit keys claimed by
 * compare-and-swap (so each text is taken once however many threads
 * see it at the same moment), and WN_STATS_FPS items handed out in
 * order by an atomic counter to the thread whose claim won. The winner
 * writes the item's keys, then publishes it by storing ready = 1 with
 * release order; a reader loads ready with acquire order and ignores an
 * item that is not ready (a crash between the claim and the publication,
 * which loses that one text). A claim beyond WN_STATS_FPS items, or one
 * that finds the index full, counts in fp_dropped instead. The index
 * being twice the items keeps its probe sequences short below the cap
 * and lets texts dropped beyond it be counted once each, until the
 * index is full too; from then on every new copy counts.
 */
#ifndef WINNOW_STATS_INT_H
#define WINNOW_STATS_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/stats.h>

#define WN_STATS_MAGIC "WNSTATS1"
#define WN_STATS_VERSION 3		/* what new files are written as */
#define WN_STATS_BYTE_ORDER 0x01020304u
#define WN_STATS_SEALED 1u
#define WN_STATS_PREFIXES_ON 2u
#define WN_STATS_FPS_ON 4u		/* bulk fingerprints counted */
#define WN_STATS_PROBES 64		/* slots tried before "other" */
#define WN_STATS_FP_INDEX (2 * WN_STATS_FPS)	/* digest index slots */

/* country codes [A-Z0-9]{2}: slot 1 + 36 * c0 + c1; slot 0 is unknown */
#define WN_STATS_COUNTRY_SLOTS (1 + 36 * 36)

enum wn_stats_counter {
	WN_SC_SCANNED,
	WN_SC_SKIPPED,
	WN_SC_FAILED,
	WN_SC_HAM,
	WN_SC_SPAM,
	WN_SC_ACTION,
	WN_SC_SPF = WN_SC_ACTION + 7,
	WN_SC_BAYES = WN_SC_SPF + 8,
	WN_SC_SCORE = WN_SC_BAYES + 3,
	WN_SC_TIME = WN_SC_SCORE + WN_STATS_SCORE_BOUNDS + 1,
	WN_SC_ANOMALY = WN_SC_TIME + WN_STATS_TIME_BOUNDS + 1,
	WN_SC_RULES_OTHER_SPAM = WN_SC_ANOMALY + WN_STATS_ANOMALIES,
	WN_SC_RULES_OTHER_HAM,
	WN_SC_PREFIX_OTHER,
	WN_SC_COUNT
};

/* bulk detections, per class (bulk[spam][i]); version 2 */
enum wn_stats_bulk_counter {
	WN_SB_CHECKED,
	WN_SB_EXEMPT,
	WN_SB_FLAGGED,
	WN_SB_LOW,
	WN_SB_MEDIUM,
	WN_SB_HIGH,
	WN_SB_SENDERS,
	WN_SB_ATTACHMENT,
	WN_SB_COUNT
};

struct wn_stats_hdr {
	char magic[8];
	uint32_t version;
	uint32_t byte_order;
	uint64_t size;			/* sizeof(struct wn_stats_file) */
	int64_t start;
	int64_t end;			/* 0 while live */
	uint32_t period;
	uint32_t flags;			/* WN_STATS_SEALED, _PREFIXES_ON */
	char report_id[33];
	char pad[7];
	char rulesets[512];
};

struct wn_stats_rule_slot {
	_Atomic uint64_t key;		/* hash of name; 0 free */
	_Atomic uint64_t spam;
	_Atomic uint64_t ham;
	char name[WN_STATS_NAME_LEN];	/* written once by the claimer */
};

struct wn_stats_prefix_slot {
	_Atomic uint64_t key;		/* family << 56 | network bits */
	_Atomic uint64_t spam;
};

/* one kept fingerprint; version 3 */
struct wn_stats_fp_item {
	uint64_t d;				/* the digest key */
	uint64_t b[WN_FINGERPRINT_BANDS];	/* the band keys */
	_Atomic uint64_t ready;		/* 1: d and b are whole */
};

struct wn_stats_file {
	struct wn_stats_hdr h;
	_Atomic uint64_t c[WN_SC_COUNT];
	_Atomic uint64_t country[WN_STATS_COUNTRY_SLOTS][2]; /* msgs, spam */
	struct wn_stats_rule_slot rules[WN_STATS_RULES];
	struct wn_stats_prefix_slot prefixes[WN_STATS_PREFIXES];
	/* version 2 */
	_Atomic uint64_t bulk[2][WN_SB_COUNT];	/* [ham, spam] */
	/* version 3 */
	uint32_t fp_version;		/* WN_FINGERPRINT_VERSION counted */
	uint32_t fp_pad;
	_Atomic uint64_t fp_claimed;	/* items handed out; may pass the cap */
	_Atomic uint64_t fp_dropped;	/* qualifying texts left out */
	_Atomic uint64_t fp_index[WN_STATS_FP_INDEX];	/* 0: free */
	struct wn_stats_fp_item fp[WN_STATS_FPS];
};

/*
 * wn_stats_file_size - the size of a period file of version v, 0 for a
 * version this code does not know
 */
size_t wn_stats_file_size(uint32_t version);

/*
 * wn_stats_hdr_ok - whether h is the header of a period file of a known
 * version whose file has file_size bytes: magic, byte order, and the
 * version, the recorded size and the file's size all agreeing
 */
bool wn_stats_hdr_ok(const struct wn_stats_hdr *h, uint64_t file_size);

/* wn_stats_fail - the message into err (errno kept); returns rc */
int wn_stats_fail(char *err, size_t len, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* wn_stats_country_slot - slot of a code ("" or invalid: 0) */
unsigned wn_stats_country_slot(const char *cc);

/* wn_stats_country_code - the code of slot i (i > 0) into cc[3] */
void wn_stats_country_code(unsigned i, char cc[3]);

/* wn_stats_prefix_key - the table key of a /24 or /48; 0 if no address */
uint64_t wn_stats_prefix_key(const wn_ipaddr *a);

/* wn_stats_prefix_net - the network a key stands for */
void wn_stats_prefix_net(uint64_t key, wn_ipaddr *net);

#endif
