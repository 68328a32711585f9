/*
 * dashboard_rulesets.h - the dashboard's "Rule sets" section: the
 * published sets with what their channels offer, and how the rules of
 * each set's current version did in the selected period's reports.
 *
 * The version whose rules are shown is what the stable channel offers,
 * or the testing channel's when no version is stable. A rule's hits are
 * the rule_spam and rule_ham rollups of the selection (the same numbers
 * as the "Top rules" table, but for every scoring rule of the set, not
 * only the top ones); its hit rate on spam is its spam hits over all
 * spam of the selection.
 *
 * Lifecycle: wn_dash_rulesets_load (everything in its arena) ->
 * wn_dashboard_render_with (dashboard.h) -> wn_dash_rulesets_fini.
 */
#ifndef WINNOW_REPOSITORY_DASHBOARD_RULESETS_H
#define WINNOW_REPOSITORY_DASHBOARD_RULESETS_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/arena.h>
#include <winnow/buf.h>

#include "aggregate.h"
#include "db.h"
#include "rulesets.h"

typedef struct wn_dash_rs_rule {
	const char *set;		/* the set's name */
	const char *version;		/* the version shown */
	const char *rule;
	uint64_t spam, ham;		/* hits in the selection */
} wn_dash_rs_rule;

typedef struct wn_dash_rulesets {
	wn_arena *arena;		/* owns everything below */
	wn_rs_set *sets;		/* by name */
	size_t n_sets;
	wn_dash_rs_rule *rules;		/* by set, spam hits desc, name */
	size_t n_rules;
} wn_dash_rulesets;

/*
 * wn_dash_rulesets_load - the sets, the scoring rules of each set's
 * shown version and their hits in the rollups of q. Returns 0, WN_EIO,
 * WN_ENOMEM; out is empty (and needs no fini) on failure.
 */
int wn_dash_rulesets_load(wn_repo_db *db, const wn_agg_query *q,
    wn_dash_rulesets *out);

/* wn_dash_rulesets_fini - free what load allocated */
void wn_dash_rulesets_fini(wn_dash_rulesets *rs);

/*
 * wn_dash_rulesets_render - the section (id sec-rulesets) with the
 * table-rulesets table and the table-ruleset-rules table, or a note when
 * nothing is published; agg gives the selection's spam total.
 */
void wn_dash_rulesets_render(wn_buf *out, const wn_agg *agg,
    const wn_dash_rulesets *rs);

#endif
