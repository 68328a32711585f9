/*
 * agg_util.c - shares of a wn_agg and the number and date formats the
 * dashboard shows them in.
 *
 * Numbers are formatted with integer arithmetic instead of printf("%f"),
 * whose decimal point follows LC_NUMERIC: a server that once called
 * setlocale must not start writing "41,6" into the page or "12,5" into
 * SVG coordinates.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <winnow/action.h>

#include "agg_util.h"

double
wn_agg_ratio(uint64_t part, uint64_t whole)
{
	if (whole == 0)
		return -1;
	return (double)part / (double)whole;
}

double
wn_agg_spam_share(const wn_agg_volume *v)
{
	/* spam + ham cannot overflow in practice; guard anyway */
	if (v->spam > UINT64_MAX - v->ham)
		return (double)v->spam / ((double)v->spam + (double)v->ham);
	return wn_agg_ratio(v->spam, v->spam + v->ham);
}

uint64_t
wn_agg_spf_checked(const wn_agg_volume *v)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < WN_AGG_SPF; i++)
		if (i != WN_AGG_SPF_NOT_CHECKED)
			n += v->spf[i];
	return n;
}

double
wn_agg_spf_pass_share(const wn_agg_volume *v)
{
	/* index 2 is pass in enum wn_spf_result order (aggregate.h) */
	return wn_agg_ratio(v->spf[2], wn_agg_spf_checked(v));
}

uint64_t
wn_agg_bulk_checked(const wn_agg_volume *v)
{
	return v->bulk_ham[WN_AGG_BULK_CHECKED] +
	    v->bulk_spam[WN_AGG_BULK_CHECKED];
}

uint64_t
wn_agg_bulk_flagged(const wn_agg_volume *v)
{
	return v->bulk_ham[WN_AGG_BULK_FLAGGED] +
	    v->bulk_spam[WN_AGG_BULK_FLAGGED];
}

double
wn_agg_bulk_share(const wn_agg_volume *v)
{
	return wn_agg_ratio(wn_agg_bulk_flagged(v), wn_agg_bulk_checked(v));
}

/* Digits of n grouped by threes from the right, sep between groups. */
static void
wn_agg_put_grouped(wn_buf *out, uint64_t n, const char *sep)
{
	char digits[24];
	int len, i;

	len = snprintf(digits, sizeof(digits), "%" PRIu64, n);
	for (i = 0; i < len; i++) {
		if (sep != NULL && i > 0 && (len - i) % 3 == 0)
			wn_buf_puts(out, sep);
		wn_buf_putc(out, digits[i]);
	}
}

void
wn_agg_put_number(wn_buf *out, double v, int decimals, const char *sep)
{
	static const uint64_t wn_agg_pow10[] = {
		1, 10, 100, 1000, 10000, 100000, 1000000
	};
	uint64_t scale, r;
	double a;

	if (isnan(v)) {
		wn_buf_puts(out, WN_AGG_NO_VALUE);
		return;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	scale = wn_agg_pow10[decimals];
	a = fabs(v) * (double)scale + 0.5;
	if (!(a < 9e18))
		a = 9e18;
	r = (uint64_t)a;
	/* no "-0" for values that round to zero */
	if (v < 0 && r != 0)
		wn_buf_putc(out, '-');
	wn_agg_put_grouped(out, r / scale, sep);
	if (decimals > 0)
		wn_buf_printf(out, ".%0*" PRIu64, decimals, r % scale);
}

void
wn_agg_put_count(wn_buf *out, uint64_t n)
{
	wn_agg_put_grouped(out, n, WN_AGG_THOUSANDS);
}

void
wn_agg_put_share(wn_buf *out, double share)
{
	if (isnan(share) || share < 0) {
		wn_buf_puts(out, WN_AGG_NO_VALUE);
		return;
	}
	wn_agg_put_number(out, share * 100, 1, WN_AGG_THOUSANDS);
	wn_buf_putc(out, '%');
}

void
wn_agg_day_format(int64_t day, char out[WN_AGG_DAY_LEN])
{
	/* 0000-01-01 and 9999-12-31 as days since the epoch */
	const int64_t first = -719528, last = 2932896;
	struct tm tm;
	time_t t;

	if (day < first || day > last) {
		strcpy(out, "?");
		return;
	}
	t = (time_t)(day * 86400);
	if (gmtime_r(&t, &tm) == NULL) {
		strcpy(out, "?");
		return;
	}
	/* the bounds tell the compiler the text fits */
	snprintf(out, WN_AGG_DAY_LEN, "%04u-%02u-%02u",
	    (unsigned)(tm.tm_year + 1900) % 10000u,
	    (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
}

const char *
wn_agg_group_name(enum wn_agg_group g)
{
	switch (g) {
	case WN_AGG_WEEK:
		return "week";
	case WN_AGG_MONTH:
		return "month";
	case WN_AGG_DAY:
	default:
		return "day";
	}
}

const char *
wn_agg_action_label(size_t i)
{
	if (i >= WN_AGG_ACTIONS)
		return "?";
	return wn_action_name((enum wn_action)i);
}
