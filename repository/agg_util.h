/*
 * agg_util.h - reading a wn_agg for people: shares, counts with thousands
 * separators, percentages and dates as the dashboard prints them.
 *
 * The writers append to a wn_buf and never use the C locale's number
 * format, so the same figures give the same bytes on every host. Pure
 * functions; thread-safe.
 */
#ifndef WINNOW_REPOSITORY_AGG_UTIL_H
#define WINNOW_REPOSITORY_AGG_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/buf.h>

#include "aggregate.h"

/* U+202F NARROW NO-BREAK SPACE: groups thousands (SI style) and never
 * breaks a number across lines */
#define WN_AGG_THOUSANDS "\xe2\x80\xaf"
/* U+2014 EM DASH: a share whose divisor is 0 */
#define WN_AGG_NO_VALUE "\xe2\x80\x94"

/* "YYYY-MM-DD" and its NUL */
#define WN_AGG_DAY_LEN 11

/* wn_agg_spf_checked - messages whose SPF was checked (all but
 * not_checked) */
uint64_t wn_agg_spf_checked(const wn_agg_volume *v);

/* wn_agg_ratio - part / whole, or -1 when whole is 0 */
double wn_agg_ratio(uint64_t part, uint64_t whole);

/*
 * wn_agg_put_number - v rounded half away from zero to decimals (0..6)
 * places, the integer part grouped by threes with sep (NULL: no grouping),
 * '.' before the decimals. NAN prints WN_AGG_NO_VALUE. Magnitudes beyond
 * 9e18 / 10^decimals are clamped.
 */
void wn_agg_put_number(wn_buf *out, double v, int decimals, const char *sep);

/* wn_agg_put_count - n with WN_AGG_THOUSANDS between groups: "1 234 567" */
void wn_agg_put_count(wn_buf *out, uint64_t n);

/* wn_agg_put_share - share (0..1) as a percentage with one decimal,
 * "41.6%"; WN_AGG_NO_VALUE when share is negative or NAN */
void wn_agg_put_share(wn_buf *out, double share);

/* wn_agg_day_format - day (days since 1970-01-01) as "YYYY-MM-DD" into
 * out; "?" outside the years 0000..9999 */
void wn_agg_day_format(int64_t day, char out[WN_AGG_DAY_LEN]);

/* wn_agg_group_name - "day", "week" or "month", as the API spells it */
const char *wn_agg_group_name(enum wn_agg_group g);

/* wn_agg_action_label - the report's name of action slot i ("accept" ..
 * "reject"); "?" out of range */
const char *wn_agg_action_label(size_t i);

#endif
