/*
 * ruleset_check.h - the gate a rule set passes before it is published or
 * installed: its manifest reads, its rules compile without error, and its
 * own test messages agree with it.
 *
 * A rule set is a folder: manifest (manifest.h), *.cf rule files and
 * tests/NAME.eml. Each test message starts with lines
 *
 *     # hit: RULE...
 *     # miss: RULE...
 *
 * naming rules that must and must not hit it (other leading '#' lines are
 * comments); the message follows. Every scoring rule needs at least one
 * hit test and one miss test.
 *
 * The same function serves `winnow rules test`, winnow-repository when a
 * maintainer publishes, and `winnow rules update` before it switches, so
 * all three judge a set alike. No global state; thread-safe.
 */
#ifndef WINNOW_RULESET_CHECK_H
#define WINNOW_RULESET_CHECK_H

#include <stddef.h>

#include <winnow/diag.h>
#include <winnow/manifest.h>
#include <winnow/rules.h>

#define WN_RULESET_MAX_TEST_SIZE (4u << 20)	/* bytes of one test message */

typedef struct wn_ruleset_check_result {
	size_t rules;		/* usable rules */
	size_t scoring;		/* rules that can add to a score */
	size_t covered;		/* scoring rules with a hit and a miss test */
	size_t messages;	/* test messages run */
	size_t expectations;	/* "# hit:" / "# miss:" names checked */
	size_t failures;	/* failed expectations and uncovered rules */
} wn_ruleset_check_result;

/*
 * wn_ruleset_check - check the rule set in dir: dir/manifest reads and
 * its min-engine is not newer than this winnow (WN_VERSION), dir's *.cf
 * files load with no error, there is at least one tests/NAME.eml, every
 * expectation holds, every scoring rule is covered both ways.
 *
 * Every finding is an error in d, one line each, naming the file (and the
 * line for rules): "DIR/tests/x.eml: RULE should hit but did not",
 * "RULE: no miss test". out (may be NULL) gets the counts, manifest_out
 * (may be NULL; wn_manifest_fini it) the manifest when it read, rules_out
 * (may be NULL) the compiled set when it loaded (wn_rules_free it).
 *
 * Returns 0 when the set passes, WN_EFORMAT when it does not (d says
 * why), WN_ENOENT when dir is not a folder, WN_ENOMEM.
 */
int wn_ruleset_check(const char *dir, wn_diag_list *d,
    wn_ruleset_check_result *out, wn_manifest *manifest_out,
    wn_rules **rules_out);

#endif
