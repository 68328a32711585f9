/*
 * day.c - civil dates as day numbers and back.
 *
 * The conversion counts 400-year eras of 146097 days starting on March 1st,
 * so that the leap day is the last day of a shifted year and every month
 * length except February's follows a linear formula.
 */
#include <stdio.h>

#include <winnow/err.h>

#include "day.h"

/* floor division for possibly negative numerators */
static int64_t
wn_day_floordiv(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

int64_t
wn_day_from_ymd(int y, int m, int d)
{
	int64_t yy = y - (m <= 2);
	int64_t era = wn_day_floordiv(yy, 400);
	int64_t yoe = yy - era * 400;			/* 0..399 */
	int64_t mp = (m + 9) % 12;			/* March is 0 */
	int64_t doy = (153 * mp + 2) / 5 + d - 1;	/* 0..365 */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void
wn_day_to_ymd(int64_t day, int *y, int *m, int *d)
{
	int64_t z = day + 719468;
	int64_t era = wn_day_floordiv(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int mm = (int)(mp < 10 ? mp + 3 : mp - 9);

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = mm;
	*y = (int)(yoe + era * 400 + (mm <= 2));
}

static bool
wn_day_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool
wn_day_valid(int y, int m, int d)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int max;

	if (y < 0 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	max = mdays[m - 1] + (m == 2 && wn_day_leap(y));
	return d <= max;
}

/* n decimal digits at s into *v; false if any is not a digit */
static bool
wn_day_digits(const char *s, int n, int *v)
{
	int i, x = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return true;
}

int
wn_day_parse(const char *s, size_t n, int64_t *day_out)
{
	int y, m, d;

	if (n != 10 || s[4] != '-' || s[7] != '-' ||
	    !wn_day_digits(s, 4, &y) || !wn_day_digits(s + 5, 2, &m) ||
	    !wn_day_digits(s + 8, 2, &d) || !wn_day_valid(y, m, d))
		return WN_EINVAL;
	*day_out = wn_day_from_ymd(y, m, d);
	return 0;
}

void
wn_day_format(int64_t day, char *buf, size_t len)
{
	int y, m, d;

	wn_day_to_ymd(day, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
}

int
wn_day_time_parse(const char *s, size_t n, int64_t *t_out)
{
	int64_t day;
	int hh, mm, ss;

	if (n != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != 'Z' || wn_day_parse(s, 10, &day) != 0 ||
	    !wn_day_digits(s + 11, 2, &hh) || !wn_day_digits(s + 14, 2, &mm) ||
	    !wn_day_digits(s + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60)
		return WN_EINVAL;
	*t_out = day * 86400 + hh * 3600 + mm * 60 + ss;
	return 0;
}

int64_t
wn_day_of_time(int64_t t)
{
	return wn_day_floordiv(t, 86400);
}

void
wn_day_time_format(int64_t t, char *buf, size_t len)
{
	int64_t day = wn_day_of_time(t), s = t - day * 86400;
	int y, m, d;

	wn_day_to_ymd(day, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
	    (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
}

int
wn_day_weekday(int64_t day)
{
	/* 1970-01-01 was a Thursday (3 counting from Monday as 0). */
	int64_t w = (day + 3) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

int64_t
wn_day_bucket_start(int64_t day, int group)
{
	int y, m, d;

	switch (group) {
	case 1:
		return day - wn_day_weekday(day);
	case 2:
		wn_day_to_ymd(day, &y, &m, &d);
		return wn_day_from_ymd(y, m, 1);
	default:
		return day;
	}
}

int64_t
wn_day_bucket_next(int64_t start, int group)
{
	int y, m, d;

	switch (group) {
	case 1:
		return start + 7;
	case 2:
		wn_day_to_ymd(start, &y, &m, &d);
		return m == 12 ? wn_day_from_ymd(y + 1, 1, 1) :
		    wn_day_from_ymd(y, m + 1, 1);
	default:
		return start + 1;
	}
}

void
wn_day_bucket_label(int64_t start, int group, char *buf, size_t len)
{
	int y, m, d, wy, wm, wd;
	int64_t thursday;

	switch (group) {
	case 1:
		/* An ISO week belongs to the year of its Thursday; it is
		 * week 1 + (days since that year's first Thursday's week)/7. */
		thursday = start - wn_day_weekday(start) + 3;
		wn_day_to_ymd(thursday, &wy, &wm, &wd);
		snprintf(buf, len, "%04d-W%02d", wy,
		    (int)((thursday - wn_day_from_ymd(wy, 1, 1)) / 7 + 1));
		break;
	case 2:
		wn_day_to_ymd(start, &y, &m, &d);
		snprintf(buf, len, "%04d-%02d", y, m);
		break;
	default:
		wn_day_format(start, buf, len);
		break;
	}
}
