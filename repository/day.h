/*
 * day.h - calendar arithmetic for the repository: days since 1970-01-01
 * (UTC), the ISO 8601 texts reports and queries use, and the week and
 * month buckets of the statistics.
 *
 * Pure functions over the proleptic Gregorian calendar; thread-safe.
 * Years are limited to 0000-9999, which is all the texts can hold.
 */
#ifndef WINNOW_REPOSITORY_DAY_H
#define WINNOW_REPOSITORY_DAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* wn_day_from_ymd - day number of a valid date (no checking) */
int64_t wn_day_from_ymd(int y, int m, int d);

/* wn_day_to_ymd - the date of a day number */
void wn_day_to_ymd(int64_t day, int *y, int *m, int *d);

/* wn_day_valid - whether y-m-d names a real date (year 0-9999) */
bool wn_day_valid(int y, int m, int d);

/*
 * wn_day_parse - "YYYY-MM-DD" (exactly n bytes) into a day number.
 * Returns 0 or WN_EINVAL.
 */
int wn_day_parse(const char *s, size_t n, int64_t *day_out);

/* wn_day_format - "YYYY-MM-DD" into buf (at least 11 bytes) */
void wn_day_format(int64_t day, char *buf, size_t len);

/*
 * wn_day_time_parse - "YYYY-MM-DDTHH:MM:SSZ" (exactly n bytes) into seconds
 * since the epoch. A leap second (:60) counts as the next second.
 * Returns 0 or WN_EINVAL.
 */
int wn_day_time_parse(const char *s, size_t n, int64_t *t_out);

/* wn_day_time_format - "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes) */
void wn_day_time_format(int64_t t, char *buf, size_t len);

/* wn_day_of_time - the day a time falls on */
int64_t wn_day_of_time(int64_t t);

/* wn_day_weekday - 0 Monday ... 6 Sunday */
int wn_day_weekday(int64_t day);

/*
 * wn_day_bucket_start - first day of the bucket holding day: the day
 * itself (group 0), its ISO week's Monday (1) or its month's first (2),
 * as enum wn_agg_group counts them.
 */
int64_t wn_day_bucket_start(int64_t day, int group);

/* wn_day_bucket_next - first day of the bucket after the one at start */
int64_t wn_day_bucket_next(int64_t start, int group);

/*
 * wn_day_bucket_label - "2026-11-01", "2026-W44" (ISO week-year) or
 * "2026-11" into buf (at least 11 bytes)
 */
void wn_day_bucket_label(int64_t start, int group, char *buf, size_t len);

#endif
