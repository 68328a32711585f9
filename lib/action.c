/*
 * action.c - actions by score thresholds and the X-Spam-* header values.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/action.h>

static const char *const wn_action_names[] = {
	[WN_ACTION_ACCEPT] = "accept",
	[WN_ACTION_MARK] = "mark",
	[WN_ACTION_SUBJECT] = "subject",
	[WN_ACTION_TEMPFAIL] = "tempfail",
	[WN_ACTION_QUARANTINE] = "quarantine",
	[WN_ACTION_DISCARD] = "discard",
	[WN_ACTION_REJECT] = "reject",
};

double
wn_score_round(double score)
{
	return round(score * 10) / 10;
}

static bool
wn_reaches(double score, double threshold)
{
	return !isnan(threshold) && score >= threshold;
}

enum wn_action
wn_action_choose(const wn_thresholds *t, double score)
{
	/* Decide on the shown score, so the headers and the action agree. */
	double s = wn_score_round(score);

	if (!t->never_reject && wn_reaches(s, t->reject))
		return WN_ACTION_REJECT;
	if (!t->never_reject && wn_reaches(s, t->discard))
		return WN_ACTION_DISCARD;
	if (wn_reaches(s, t->quarantine))
		return WN_ACTION_QUARANTINE;
	if (!t->never_reject && wn_reaches(s, t->tempfail))
		return WN_ACTION_TEMPFAIL;
	if (wn_reaches(s, t->subject))
		return WN_ACTION_SUBJECT;
	if (wn_reaches(s, t->mark))
		return WN_ACTION_MARK;
	return WN_ACTION_ACCEPT;
}

const char *
wn_action_name(enum wn_action a)
{
	if ((unsigned)a >= sizeof(wn_action_names) / sizeof(wn_action_names[0]))
		return "?";
	return wn_action_names[a];
}

int
wn_action_from_name(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(wn_action_names) / sizeof(wn_action_names[0]);
	    i++)
		if (strcmp(s, wn_action_names[i]) == 0)
			return (int)i;
	return -1;
}

static int
wn_symbol_cmp(const void *a, const void *b)
{
	const wn_symbol *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Append s to the value, folding before it when the line would pass 78
 * columns. col tracks the current line's length. */
static char *
wn_fold_append(char *p, size_t *col, const char *s, bool space)
{
	size_t n = strlen(s);

	if (space) {
		if (*col + 1 + n > 77) {
			memcpy(p, "\n\t", 2);
			p += 2;
			*col = 8;
		} else {
			*p++ = ' ';
			(*col)++;
		}
	}
	memcpy(p, s, n);
	*col += n;
	return p + n;
}

char *
wn_spam_status(wn_arena *a, const wn_verdict *v, bool spam,
    const char *autolearn)
{
	wn_symbol *sorted = NULL;
	size_t i, need, col;
	char head[96], *out, *p;

	need = 256 + (autolearn ? strlen(autolearn) : 0);
	for (i = 0; i < v->n; i++)
		need += strlen(v->v[i].name) + 3;
	if ((out = wn_arena_alloc(a, need)) == NULL)
		return NULL;
	if (v->n > 0) {
		if ((sorted = wn_arena_alloc(a, v->n * sizeof(*sorted))) == NULL)
			return NULL;
		memcpy(sorted, v->v, v->n * sizeof(*sorted));
		qsort(sorted, v->n, sizeof(*sorted), wn_symbol_cmp);
	}
	snprintf(head, sizeof(head), "%s, score=%.1f required=%.1f",
	    spam ? "Yes" : "No", wn_score_round(v->score) + 0.0,
	    v->required);
	/* "X-Spam-Status: " precedes the value on the first line. */
	col = 15;
	p = wn_fold_append(out, &col, head, false);
	/* tests=A,B,C: commas join symbols; a fold may follow a comma. */
	if (v->n == 0) {
		p = wn_fold_append(p, &col, "tests=none", true);
	} else {
		char item[160];

		for (i = 0; i < v->n; i++) {
			snprintf(item, sizeof(item), "%s%s%s",
			    i == 0 ? "tests=" : "", sorted[i].name,
			    i + 1 < v->n ? "," : "");
			if (i == 0) {
				p = wn_fold_append(p, &col, item, true);
			} else if (col + strlen(item) > 77) {
				p = wn_fold_append(p, &col, item, true);
			} else {
				p = wn_fold_append(p, &col, item, false);
			}
		}
	}
	if (autolearn != NULL) {
		char al[64];

		snprintf(al, sizeof(al), "autolearn=%s", autolearn);
		p = wn_fold_append(p, &col, al, true);
	}
	p = wn_fold_append(p, &col, "version=winnow-" WN_VERSION, true);
	*p = '\0';
	return out;
}

char *
wn_spam_score(wn_arena *a, double score)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.1f", wn_score_round(score) + 0.0);
	return wn_arena_strdup(a, buf);
}

char *
wn_spam_level(wn_arena *a, double score)
{
	char buf[51];
	int n;

	score = wn_score_round(score);
	n = score >= 50 ? 50 : score >= 1 ? (int)score : 0;

	memset(buf, '*', (size_t)n);
	buf[n] = '\0';
	return wn_arena_strdup(a, buf);
}
