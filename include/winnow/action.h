/*
 * action.h - from a verdict to what happens to a message.
 *
 * Thresholds map the score to one action, the most severe whose threshold
 * the score reaches: reject > discard > quarantine > tempfail > rewrite
 * subject > mark (X-Spam-Flag: YES) > accept. A threshold that is NAN is
 * off. In never-reject mode reject, discard and tempfail are not chosen,
 * so the next action down applies.
 *
 * The X-Spam-* header values follow SpamAssassin's conventions, so Sieve
 * scripts and mail clients written for it work unchanged. Formatted values
 * come from the caller's arena. Pure functions; thread-safe.
 */
#ifndef WINNOW_ACTION_H
#define WINNOW_ACTION_H

#include <stdbool.h>

#include <winnow/arena.h>
#include <winnow/verdict.h>

enum wn_action {
	WN_ACTION_ACCEPT,	/* headers only */
	WN_ACTION_MARK,		/* X-Spam-Flag: YES */
	WN_ACTION_SUBJECT,	/* mark and tag the Subject */
	WN_ACTION_TEMPFAIL,	/* 4xx, greylisting-style */
	WN_ACTION_QUARANTINE,	/* held by the MTA (Postfix: HOLD) */
	WN_ACTION_DISCARD,	/* accepted and dropped */
	WN_ACTION_REJECT	/* 5xx */
};

typedef struct wn_thresholds {
	double mark;		/* the required score; never NAN */
	double subject;
	double tempfail;
	double quarantine;
	double discard;
	double reject;
	bool never_reject;
} wn_thresholds;

/* wn_action_choose - the action for a score */
enum wn_action wn_action_choose(const wn_thresholds *t, double score);

/* wn_action_name - "accept", "mark", "subject", "tempfail", ... */
const char *wn_action_name(enum wn_action a);

/* wn_action_from_name - the action named s; -1 if none */
int wn_action_from_name(const char *s);

/* wn_score_round - a score rounded to one decimal as the headers show it */
double wn_score_round(double score);

/*
 * wn_spam_status - the X-Spam-Status value: "Yes, score=7.3 required=5.0
 * tests=A,B autolearn=no version=winnow-V", symbols sorted by name and
 * folded to lines under 78 columns with "\n\t". autolearn may be NULL.
 * NULL on allocation failure.
 */
char *wn_spam_status(wn_arena *a, const wn_verdict *v, bool spam,
    const char *autolearn);

/* wn_spam_score - "7.3" */
char *wn_spam_score(wn_arena *a, double score);

/* wn_spam_level - one '*' per whole point of a positive score, at most
 * 50; "" for scores under 1 */
char *wn_spam_level(wn_arena *a, double score);

#endif
