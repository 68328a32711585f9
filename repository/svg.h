/*
 * svg.h - small chart primitives written as inline SVG into a wn_buf.
 *
 * Each chart function writes one complete <svg> element: role="img", the
 * caller's id, a <title> (also the aria-label) and <desc>, axes with
 * "nice" ticks, gridlines and the marks. Geometry lives in a viewBox
 * WN_SVG_WIDTH units wide and the element is drawn at 100% width, so the
 * page scales it. Colours come from CSS: wn_svg_style writes the rules for
 * the classes the primitives use, and each series or bar part names a
 * class of the caller's that sets the custom property --c (its colour).
 *
 * Output depends only on the arguments (no locale, no clock, no state),
 * so the same data gives the same bytes. Every text is escaped; labels
 * longer than WN_SVG_LABEL_MAX characters are shortened with an ellipsis
 * in the drawing and kept whole in the tooltip. On allocation failure the
 * wn_buf's sticky failed flag is set, as for any append.
 */
#ifndef WINNOW_REPOSITORY_SVG_H
#define WINNOW_REPOSITORY_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include <winnow/buf.h>

#define WN_SVG_WIDTH 720
#define WN_SVG_MAX_PARTS 3
#define WN_SVG_LABEL_MAX 24

/* the value axis of a chart */
typedef struct wn_svg_axis {
	const char *label;	/* caption, NULL none */
	double max;		/* fixed top of the scale; 0: from the data */
	bool integral;		/* counts: ticks on whole numbers */
	const char *unit;	/* after tick labels and values ("%"), NULL */
	int decimals;		/* of values in tooltips */
} wn_svg_axis;

/* what every chart has */
typedef struct wn_svg_chart {
	const char *id;		/* the <svg> element's id */
	const char *title;	/* <title> and aria-label */
	const char *desc;	/* <desc>, NULL none */
	const char *category_label;	/* caption of the category axis */
	wn_svg_axis value;
} wn_svg_chart;

/* one row of a horizontal bar chart */
typedef struct wn_svg_hbar {
	const char *label;	/* the category, left of the bar */
	double part[WN_SVG_MAX_PARTS];	/* stacked lengths, >= 0 */
	const char *note;	/* right of the bar, NULL none */
} wn_svg_hbar;

/* the stacked parts every bar of a chart is made of */
typedef struct wn_svg_parts {
	size_t n;		/* 1 .. WN_SVG_MAX_PARTS */
	const char *name[WN_SVG_MAX_PARTS];	/* legend, drawn when n > 1 */
	const char *cls[WN_SVG_MAX_PARTS];	/* CSS class setting --c */
} wn_svg_parts;

enum wn_svg_mark {
	WN_SVG_BARS,		/* a column per bucket */
	WN_SVG_LINE		/* a line through the buckets, dots if few */
};

/* one value per bucket of a time series */
typedef struct wn_svg_series {
	const char *const *labels;	/* n bucket labels, in order */
	const double *values;	/* n values; NAN: no data, drawn as a gap */
	size_t n;
	enum wn_svg_mark mark;
	const char *cls;	/* CSS class setting --c */
} wn_svg_series;

/*
 * wn_svg_nice_step - a tick step of 1, 2 or 5 times a power of ten that
 * divides 0..max into at most max_ticks intervals (at least 1); integral
 * steps are at least 1. max <= 0 is taken as 1.
 */
double wn_svg_nice_step(double max, int max_ticks, bool integral);

/*
 * wn_svg_hbars - horizontal bar chart of n rows, in the given order.
 * The value axis runs along the bottom from 0.
 */
void wn_svg_hbars(wn_buf *out, const wn_svg_chart *c, const wn_svg_parts *p,
    const wn_svg_hbar *rows, size_t n);

/*
 * wn_svg_timeseries - one series over n buckets (n >= 1): values up the
 * y axis from 0, bucket labels along the bottom, thinned so they never
 * overlap. Runs of buckets without data are shaded and the line breaks
 * there; they are never drawn as 0.
 */
void wn_svg_timeseries(wn_buf *out, const wn_svg_chart *c,
    const wn_svg_series *s);

/* wn_svg_escape - s as XML/HTML text or attribute value: & < > " ' are
 * escaped, invalid UTF-8 and control characters become U+FFFD */
void wn_svg_escape(wn_buf *out, const char *s);

/* wn_svg_escape_n - the same for at most the first n bytes of s (stops
 * at a NUL), for fixed-size fields */
void wn_svg_escape_n(wn_buf *out, const char *s, size_t n);

/* wn_svg_style - CSS rules for the classes the primitives use, to go
 * inside the page's <style> */
void wn_svg_style(wn_buf *out);

#endif
