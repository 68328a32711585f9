/*
 * config.h - winnowd's settings and the configuration snapshot.
 *
 * Settings are what winnow.conf says, every key with a default
 * (winnow.conf(5) lists them; the table is in lib/config_keys.c). A
 * configuration snapshot (wn_config) is everything built from them: the
 * compiled rule set, the open token store, the SPF checker, the scan
 * settings and the thresholds. A snapshot is immutable once built and is
 * shared read-only by all threads; it carries an atomic reference count,
 * and the last wn_config_unref frees it.
 *
 * A wn_config_slot holds the current snapshot: sessions take a reference
 * with wn_config_acquire at connect and at each MAIL FROM; a reload
 * builds a new snapshot outside any lock and swaps it in with
 * wn_config_slot_swap, so a message is never scanned with a half-built
 * configuration and an old snapshot lives until its last message ends.
 */
#ifndef WINNOW_CONFIG_H
#define WINNOW_CONFIG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <pthread.h>

#include <winnow/action.h>
#include <winnow/arena.h>
#include <winnow/bulk.h>
#include <winnow/diag.h>
#include <winnow/netaddr.h>
#include <winnow/rules.h>
#include <winnow/scan.h>
#include <winnow/spf.h>
#include <winnow/store.h>

#define WN_CONFIG_MAX_RULES 32
#define WN_CONFIG_MAX_NETS 64

enum wn_on_error {
	WN_ON_ERROR_ACCEPT,
	WN_ON_ERROR_TEMPFAIL
};

typedef struct wn_settings {
	wn_arena *arena;		/* owns the strings below */
	const char *file;		/* "" when built from defaults */

	/* daemon (read at start; a change needs a restart) */
	const char *socket;
	const char *pid_file;
	const char *user;
	const char *log_level;
	double spf_timeout;		/* seconds per DNS query */

	/* classification */
	const char *store;		/* "" : no Bayes */
	double store_retry;		/* seconds between tries of a network
					 * store that did not answer */
	const char *rules[WN_CONFIG_MAX_RULES];
	size_t n_rules;
	bool rules_skip_broken;
	const char *rules_installed;	/* sets from channels; "" none */
	const char *rules_channels;	/* "NAME[:STAGE] ..." to update */
	const char *rules_repository;	/* "" : report_repository */
	const char *rules_trusted_keys;	/* folder of maintainers' *.pub */
	size_t max_size;		/* larger messages are not scanned */

	/* actions */
	wn_thresholds thresholds;
	const char *subject_tag;
	const char *reject_text;
	const char *tempfail_text;
	enum wn_on_error on_error;

	/* headers */
	bool add_headers;
	const char *header_prefix;
	const char *authserv_id;	/* "" : this host's name */

	/* SPF */
	bool spf;
	double spf_weight[WN_SPF_RESULT_COUNT];

	/* bulk detection (winnow.conf(5), "Bulk") */
	bool bulk;
	const char *bulk_store;		/* LMDB path or Redis URL */
	double bulk_window;		/* seconds */
	double bulk_low, bulk_medium, bulk_high;	/* recipients */
	double bulk_senders;		/* distinct senders */
	double bulk_attachment;		/* recipients of one attachment */
	double bulk_low_weight, bulk_medium_weight, bulk_high_weight;
	double bulk_senders_weight, bulk_attachment_weight;
	const char *bulk_feed;		/* shared keys file; "" none */
	const char *bulk_feed_key;	/* the repository's public key */
	const char *bulk_feed_repository;	/* "" : report_repository */
	double bulk_shared_weight;

	/* who is not scanned */
	wn_net trusted[WN_CONFIG_MAX_NETS];
	size_t n_trusted;
	bool skip_authenticated;

	/* autolearn */
	bool autolearn;
	double autolearn_spam;
	double autolearn_ham;

	/* statistics and reports (winnow.conf(5), "Statistics") */
	const char *report_spool;	/* "" : nothing is counted */
	double report_period;		/* seconds; divides a day */
	const char *report_sharing;	/* minimal, standard, cooperative */
	double report_min_count;
	double report_prefix_min_count;
	const char *report_country;	/* ISO 3166 code; "" undeclared */
	const char *report_operator_type;
	const char *report_repository;	/* URL for winnow report send */
	const char *report_key;		/* signing key for winnow report */
	const char *geoip_db;		/* "" Debian's; "none" no lookups */
} wn_settings;

/*
 * wn_settings_load - defaults, then the file at path (NULL: defaults
 * only). Every finding, with its line, goes to diags. Returns 0 with *out
 * set when there were no errors; WN_EINVAL (errors in diags), WN_ENOENT /
 * WN_EIO (file unreadable, in diags), WN_ENOMEM.
 */
int wn_settings_load(const char *path, wn_diag_list *diags,
    wn_settings **out);

/* wn_settings_parse - the same over text in memory; name labels diags */
int wn_settings_parse(const char *text, size_t len, const char *name,
    wn_diag_list *diags, wn_settings **out);

void wn_settings_free(wn_settings **sp);

/* wn_settings_print - every key with its effective value, in file
 * syntax (winnowd -t -v) */
void wn_settings_print(const wn_settings *s, FILE *f);

/* wn_settings_restart_keys - names of keys that differ between a and b
 * and need a restart to apply, space-separated into buf ("" if none) */
void wn_settings_restart_keys(const wn_settings *a, const wn_settings *b,
    char *buf, size_t len);

/* The snapshot. Fields are read-only once built. */
typedef struct wn_config wn_config;

struct wn_config {
	atomic_int refs;
	unsigned long generation;	/* counts builds in this process */
	wn_settings *settings;		/* owned */
	wn_scan_config scan;		/* store and rules point below */
	wn_rules *rules;		/* NULL when no rule paths */
	struct wn_ruleset_source *sources;	/* what rules was loaded from */
	size_t n_sources;
	struct wn_config_store *store;	/* shared with later snapshots */
	wn_spf *spf;			/* NULL when SPF is off */
	struct wn_config_bulk *bulk;	/* shared like store; NULL: off */
	bool stores_pending;		/* a network store was unreachable:
					 * worth building again later */
	wn_bulk_params bulk_params;
	struct wn_bulk_feed *bulk_feed;	/* owned; NULL: no feed */
	bool store_writable;		/* autolearn can write the store */
	char authserv_id[256];

	/* rule workers (per-thread match state) lent to messages */
	pthread_mutex_t pool_lock;
	wn_rules_worker **pool;
	size_t pool_n, pool_cap;
};

/*
 * wn_config_build - a snapshot from settings (taken over: freed with the
 * snapshot, or at once on failure). prev, if not NULL, is the snapshot
 * being replaced: its store handle is reused when the path and file are
 * the same (LMDB allows one open per process and file). Findings go to
 * diags. flags: WN_CONFIG_*. Returns 0 with *out holding one reference; WN_EINVAL when the
 * rules have errors and rules_skip_broken is off; WN_EIO / WN_ENOENT when
 * a rule path cannot be read; WN_ENOMEM. A store that does not exist is
 * not an error: Bayes is off until one is learned (a warning says so).
 */
int wn_config_build(wn_settings *s, const wn_config *prev, unsigned flags,
    wn_diag_list *diags, wn_config **out);

/*
 * The bulk store of a snapshot (config_bulk.c): wn_config_bulk_get opens
 * it, or adopts prev's when bulk_store names the same store, and fills
 * c->bulk_params; a store that cannot be opened turns bulk detection off
 * with a warning in diags (an unreadable LMDB file is moved aside and a
 * new one started, also with a warning). Returns 0 or WN_ENOMEM.
 * wn_config_bulk_store is the open store or NULL.
 */
int wn_config_bulk_get(wn_config *c, const wn_config *prev, unsigned flags,
    wn_diag_list *diags);
void wn_config_bulk_unref(struct wn_config_bulk **bp);
wn_bulk_store *wn_config_bulk_store(const wn_config *c);

/* wn_config_build flags */
enum {
	WN_CONFIG_CHECK = 1u << 0	/* only checking: create no files
					 * (autolearn's new store) */
};

/* wn_config_ref - one more reference; returns c */
wn_config *wn_config_ref(wn_config *c);

/* wn_config_unref - drop a reference; frees at zero; *cp becomes NULL */
void wn_config_unref(wn_config **cp);

/* wn_config_worker_take - a rule worker for one message (NULL when there
 * are no rules or memory ran out); give it back with _give */
wn_rules_worker *wn_config_worker_take(wn_config *c);
void wn_config_worker_give(wn_config *c, wn_rules_worker **wp);

/* wn_config_trusted - whether the client address is in trusted_networks */
bool wn_config_trusted(const wn_config *c, const wn_ipaddr *ip);

typedef struct wn_config_slot {
	pthread_mutex_t lock;
	wn_config *current;
} wn_config_slot;

/* wn_config_slot_init - the slot takes over the reference c */
void wn_config_slot_init(wn_config_slot *slot, wn_config *c);
void wn_config_slot_fini(wn_config_slot *slot);

/* wn_config_acquire - a reference to the current snapshot */
wn_config *wn_config_acquire(wn_config_slot *slot);

/* wn_config_slot_swap - make c (its reference taken over) current; the
 * slot's reference to the old one is dropped */
void wn_config_slot_swap(wn_config_slot *slot, wn_config *c);

#endif
