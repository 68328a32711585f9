/*
 * svg.c - chart primitives: horizontal (stacked) bars and a time series,
 * written as inline SVG with axes, nice ticks and escaped text.
 *
 * Text widths are estimated, not measured: each code point gets the
 * advance it has in DejaVu Sans (Debian's default, and wider than most
 * system fonts) at the 12-unit size, so labels may leave room but do not
 * collide or run off the drawing.
 * Coordinates are rounded to tenths of a unit, written without printf's
 * locale-dependent "%f".
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/codec.h>

#include "agg_util.h"
#include "svg.h"

#define WN_SVG_FONT 12
#define WN_SVG_ELLIPSIS "\xe2\x80\xa6"
#define WN_SVG_REPLACEMENT "\xef\xbf\xbd"

/* time series */
#define WN_SVG_TS_HEIGHT 280
#define WN_SVG_TS_Y_TICKS 5
#define WN_SVG_TS_MAX_BAR 48.0
#define WN_SVG_TS_MIN_GAP_SLOT 5.0	/* narrower buckets: bars touch */
/* buckets up to which every point gets a dot; beyond, only lone points */
#define WN_SVG_TS_DOTS_UPTO 62

/* horizontal bars */
#define WN_SVG_ROW_H 24.0
#define WN_SVG_BAR_H 16.0
#define WN_SVG_MIN_PLOT 240.0

/* a value axis laid out: ticks at 0, step, ... top */
typedef struct wn_svg_scale {
	double top;
	double step;
	int decimals;		/* of tick labels */
} wn_svg_scale;

/* --- text ------------------------------------------------------------ */

/* Code points in s[0..n), stopping at a NUL. */
static size_t
wn_svg_cp_count(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, cps = 0;
	uint32_t cp;

	while (i < n && s[i] != '\0') {
		i += wn_utf8_decode(s + i, n - i, &cp);
		cps++;
	}
	return cps;
}

/*
 * Escape s[0..n) (up to a NUL); at most max_cp code points, the last of
 * them an ellipsis when s is longer.
 */
static void
wn_svg_put_text(wn_buf *out, const char *str, size_t n, size_t max_cp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k, cps = 0, limit;
	uint32_t cp;

	if (str == NULL)
		return;
	n = strnlen(str, n);
	limit = wn_svg_cp_count(str, n);
	if (limit > max_cp)
		limit = max_cp > 0 ? max_cp - 1 : 0;
	while (i < n && cps < limit) {
		k = wn_utf8_decode(s + i, n - i, &cp);
		switch (cp) {
		case '&':
			wn_buf_puts(out, "&amp;");
			break;
		case '<':
			wn_buf_puts(out, "&lt;");
			break;
		case '>':
			wn_buf_puts(out, "&gt;");
			break;
		case '"':
			wn_buf_puts(out, "&quot;");
			break;
		case '\'':
			wn_buf_puts(out, "&#39;");
			break;
		case '\t':
		case '\n':
		case '\r':
			wn_buf_putc(out, (char)cp);
			break;
		default:
			/* XML forbids C0 controls; C1 controls and the
			 * noncharacters U+FFFE/U+FFFF are no text either */
			if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
			    cp == 0xfffe || cp == 0xffff ||
			    (cp == 0xfffd && k == 1))
				wn_buf_puts(out, WN_SVG_REPLACEMENT);
			else
				wn_buf_append(out, s + i, k);
			break;
		}
		i += k;
		cps++;
	}
	if (i < n)
		wn_buf_puts(out, WN_SVG_ELLIPSIS);
}

void
wn_svg_escape(wn_buf *out, const char *s)
{
	wn_svg_put_text(out, s, SIZE_MAX, SIZE_MAX);
}

void
wn_svg_escape_n(wn_buf *out, const char *s, size_t n)
{
	wn_svg_put_text(out, s, n, SIZE_MAX);
}

/* Advance of one code point at the 12-unit font size, rounded up. */
static double
wn_svg_char_width(uint32_t cp)
{
	if (cp >= '0' && cp <= '9')
		return 7.7;
	if (cp >= 'A' && cp <= 'Z')
		return cp == 'M' || cp == 'W' ? 11.9 : 8.9;
	switch (cp) {
	case 'i': case 'j': case 'l': case '.': case ',': case ':':
	case ';': case '\'': case '|': case '!':
		return 3.5;
	case ' ': case 'f': case 't': case 'r': case '(': case ')':
	case '-': case '/':
		return 5.0;
	case 'm': case 'w': case '%':
		return 11.5;
	case 0x202f:		/* the thousands separator */
		return 3.0;
	}
	return cp < 0x80 ? 7.4 : 9.0;
}

/* Estimated drawn width of s[0..n) shortened to max_cp code points. */
static double
wn_svg_text_width(const char *str, size_t n, size_t max_cp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, cps = 0;
	double w = 0;
	uint32_t cp;

	if (str == NULL)
		return 0;
	while (i < n && s[i] != '\0' && cps < max_cp) {
		i += wn_utf8_decode(s + i, n - i, &cp);
		w += wn_svg_char_width(cp);
		cps++;
	}
	return w;
}

static double
wn_svg_label_width(const char *s)
{
	return wn_svg_text_width(s, SIZE_MAX, WN_SVG_LABEL_MAX);
}

/* --- geometry -------------------------------------------------------- */

/* A coordinate rounded to 0.1: "12", "12.5", "-3.2". */
static void
wn_svg_put_coord(wn_buf *out, double v)
{
	long long t;

	if (!isfinite(v))
		v = 0;
	t = llround(v * 10);
	if (t < 0) {
		wn_buf_putc(out, '-');
		t = -t;
	}
	wn_buf_printf(out, "%lld", t / 10);
	if (t % 10 != 0)
		wn_buf_printf(out, ".%lld", t % 10);
}

static void
wn_svg_attr(wn_buf *out, const char *name, double v)
{
	wn_buf_printf(out, " %s=\"", name);
	wn_svg_put_coord(out, v);
	wn_buf_putc(out, '"');
}

static void
wn_svg_line(wn_buf *out, const char *cls, double x1, double y1, double x2,
    double y2)
{
	wn_buf_printf(out, "<line class=\"%s\"", cls);
	wn_svg_attr(out, "x1", x1);
	wn_svg_attr(out, "y1", y1);
	wn_svg_attr(out, "x2", x2);
	wn_svg_attr(out, "y2", y2);
	wn_buf_puts(out, "/>\n");
}

/* <rect ...> left open for a <title> child when open is set */
static void
wn_svg_rect(wn_buf *out, const char *cls, double x, double y, double w,
    double h, bool open)
{
	wn_buf_printf(out, "<rect class=\"%s\"", cls);
	wn_svg_attr(out, "x", x);
	wn_svg_attr(out, "y", y);
	wn_svg_attr(out, "width", w < 0 ? 0 : w);
	wn_svg_attr(out, "height", h < 0 ? 0 : h);
	wn_buf_puts(out, open ? ">" : "/>\n");
}

/* <text ...> opened; the caller writes the content and "</text>" */
static void
wn_svg_text_open(wn_buf *out, const char *cls, double x, double y,
    const char *anchor)
{
	wn_buf_printf(out, "<text class=\"%s\"", cls);
	wn_svg_attr(out, "x", x);
	wn_svg_attr(out, "y", y);
	if (anchor != NULL)
		wn_buf_printf(out, " text-anchor=\"%s\"", anchor);
	wn_buf_putc(out, '>');
}

static void
wn_svg_text(wn_buf *out, const char *cls, double x, double y,
    const char *anchor, const char *s, size_t max_cp)
{
	wn_svg_text_open(out, cls, x, y, anchor);
	wn_svg_put_text(out, s, SIZE_MAX, max_cp);
	wn_buf_puts(out, "</text>\n");
}

/* --- scales ---------------------------------------------------------- */

double
wn_svg_nice_step(double max, int max_ticks, bool integral)
{
	double raw, mag = 1, step;

	/* keep the power-of-ten search finite for any input */
	if (!(max > 1e-9))
		max = 1;
	if (max > 1e18)
		max = 1e18;
	if (max_ticks < 1)
		max_ticks = 1;
	raw = max / max_ticks;
	while (raw >= mag * 10)
		mag *= 10;
	while (raw < mag)
		mag /= 10;
	if (raw <= mag)
		step = mag;
	else if (raw <= 2 * mag)
		step = 2 * mag;
	else if (raw <= 5 * mag)
		step = 5 * mag;
	else
		step = 10 * mag;
	if (integral && step < 1)
		step = 1;
	return step;
}

/* The axis for values up to max (data) or a->max (fixed). */
static wn_svg_scale
wn_svg_scale_make(const wn_svg_axis *a, double max, int max_ticks)
{
	wn_svg_scale sc;
	double p = 1;

	if (a->max > 0)
		max = a->max;
	sc.step = wn_svg_nice_step(max, max_ticks, a->integral);
	if (a->max > 0)
		sc.top = a->max;
	else {
		sc.top = ceil(max / sc.step - 1e-9) * sc.step;
		if (sc.top < sc.step)
			sc.top = sc.step;
	}
	for (sc.decimals = 0; sc.decimals < 6; sc.decimals++, p *= 10)
		if (fabs(sc.step * p - round(sc.step * p)) < 1e-6)
			break;
	return sc;
}

/* A value as the axis shows it: grouped digits, then the unit. */
static void
wn_svg_put_value(wn_buf *out, const wn_svg_axis *a, double v, int decimals)
{
	wn_agg_put_number(out, v, decimals, WN_AGG_THOUSANDS);
	if (a->unit != NULL)
		wn_svg_escape(out, a->unit);
}

/* Estimated width of the widest tick label of sc. */
static double
wn_svg_tick_width(const wn_svg_axis *a, const wn_svg_scale *sc)
{
	wn_buf tmp;
	double w;

	wn_buf_init(&tmp);
	wn_svg_put_value(&tmp, a, sc->top, sc->decimals);
	w = wn_svg_text_width(tmp.data, tmp.len, SIZE_MAX);
	wn_buf_fini(&tmp);
	return w;
}

/* Number of ticks after 0 up to the top. */
static int
wn_svg_tick_count(const wn_svg_scale *sc)
{
	return (int)floor(sc->top / sc->step + 1e-9);
}

/* --- frame ----------------------------------------------------------- */

static void
wn_svg_open(wn_buf *out, const wn_svg_chart *c, double height)
{
	wn_buf_puts(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "class=\"svg-chart\" role=\"img\" id=\"");
	wn_svg_escape(out, c->id);
	wn_buf_puts(out, "\" viewBox=\"0 0 ");
	wn_svg_put_coord(out, WN_SVG_WIDTH);
	wn_buf_putc(out, ' ');
	wn_svg_put_coord(out, height);
	wn_buf_puts(out, "\" width=\"100%\" "
	    "preserveAspectRatio=\"xMidYMid meet\" aria-label=\"");
	wn_svg_escape(out, c->title);
	wn_buf_puts(out, "\">\n<title>");
	wn_svg_escape(out, c->title);
	wn_buf_puts(out, "</title>\n");
	if (c->desc != NULL) {
		wn_buf_puts(out, "<desc>");
		wn_svg_escape(out, c->desc);
		wn_buf_puts(out, "</desc>\n");
	}
}

/* A legend key at x, y (top left of the swatch); returns the next x. */
static double
wn_svg_key(wn_buf *out, double x, double y, const char *rect_cls,
    const char *group_cls, const char *name)
{
	wn_buf_puts(out, "<g class=\"svg-key");
	if (group_cls != NULL) {
		wn_buf_putc(out, ' ');
		wn_svg_escape(out, group_cls);
	}
	wn_buf_puts(out, "\">");
	wn_svg_rect(out, rect_cls, x, y, 12, 12, false);
	wn_svg_text(out, "svg-label", x + 17, y + 10, NULL, name,
	    WN_SVG_LABEL_MAX);
	wn_buf_puts(out, "</g>\n");
	return x + 17 + wn_svg_label_width(name) + 18;
}

/* --- horizontal bars ------------------------------------------------- */

/* The tooltip of a row: "label: name value, name value (note)". */
static void
wn_svg_hbar_title(wn_buf *out, const wn_svg_chart *c, const wn_svg_parts *p,
    const wn_svg_hbar *r)
{
	size_t k;

	wn_buf_puts(out, "<title>");
	wn_svg_escape(out, r->label);
	wn_buf_puts(out, ": ");
	for (k = 0; k < p->n; k++) {
		if (k > 0)
			wn_buf_puts(out, ", ");
		if (p->name[k] != NULL) {
			wn_svg_escape(out, p->name[k]);
			wn_buf_putc(out, ' ');
		}
		wn_svg_put_value(out, &c->value, r->part[k],
		    c->value.decimals);
	}
	if (r->note != NULL) {
		wn_buf_puts(out, " (");
		wn_svg_escape(out, r->note);
		wn_buf_putc(out, ')');
	}
	wn_buf_puts(out, "</title>");
}

void
wn_svg_hbars(wn_buf *out, const wn_svg_chart *c, const wn_svg_parts *p,
    const wn_svg_hbar *rows, size_t n)
{
	double label_w = 30, note_w = 0, max = 0, top, left, right, plot_w;
	double axis_y, height, x, y, w, tick_w;
	size_t i, k, parts = p->n;
	wn_svg_scale sc;
	int t, ticks, max_ticks;

	if (parts < 1)
		parts = 1;
	if (parts > WN_SVG_MAX_PARTS)
		parts = WN_SVG_MAX_PARTS;
	for (i = 0; i < n; i++) {
		double sum = 0;

		for (k = 0; k < parts; k++)
			if (rows[i].part[k] > 0)
				sum += rows[i].part[k];
		if (sum > max)
			max = sum;
		if (wn_svg_label_width(rows[i].label) > label_w)
			label_w = wn_svg_label_width(rows[i].label);
		if (wn_svg_label_width(rows[i].note) > note_w)
			note_w = wn_svg_label_width(rows[i].note);
	}
	left = 8 + label_w + 10;
	if (WN_SVG_WIDTH - left - 16 - note_w < WN_SVG_MIN_PLOT)
		note_w = WN_SVG_WIDTH - left - 16 - WN_SVG_MIN_PLOT;
	right = WN_SVG_WIDTH - 12 - (note_w > 0 ? note_w + 6 : 0);
	plot_w = right - left;

	/* as many ticks as their labels leave room for, at most 6 */
	sc = wn_svg_scale_make(&c->value, max, 6);
	tick_w = wn_svg_tick_width(&c->value, &sc);
	max_ticks = (int)(plot_w / (tick_w + 24));
	if (max_ticks < 6) {
		sc = wn_svg_scale_make(&c->value, max,
		    max_ticks < 1 ? 1 : max_ticks);
	}
	ticks = wn_svg_tick_count(&sc);

	top = parts > 1 ? 34 : 10;
	axis_y = top + (double)n * WN_SVG_ROW_H;
	height = axis_y + (c->value.label != NULL ? 44 : 26);
	wn_svg_open(out, c, height);

	if (parts > 1) {
		x = left;
		for (k = 0; k < parts; k++)
			x = wn_svg_key(out, x, 8, "svg-bar", p->cls[k],
			    p->name[k] != NULL ? p->name[k] : "");
	}

	/* gridlines and value ticks */
	wn_buf_puts(out, "<g class=\"svg-axis-x\">\n");
	for (t = 0; t <= ticks; t++) {
		double v = sc.step * t;

		x = left + plot_w * (v / sc.top);
		if (t > 0)
			wn_svg_line(out, "svg-grid", x, top, x, axis_y);
		wn_svg_text_open(out, "svg-tick", x, axis_y + 17, "middle");
		wn_svg_put_value(out, &c->value, v, sc.decimals);
		wn_buf_puts(out, "</text>\n");
	}
	if (c->value.label != NULL)
		wn_svg_text(out, "svg-caption", left + plot_w / 2,
		    axis_y + 36, "middle", c->value.label, SIZE_MAX);
	wn_buf_puts(out, "</g>\n");

	for (i = 0; i < n; i++) {
		const wn_svg_hbar *r = &rows[i];

		y = top + (double)i * WN_SVG_ROW_H;
		wn_buf_puts(out, "<g class=\"svg-row\">");
		wn_svg_hbar_title(out, c, p, r);
		wn_buf_putc(out, '\n');
		wn_svg_text(out, "svg-label", left - 8,
		    y + WN_SVG_ROW_H / 2 + 4, "end", r->label,
		    WN_SVG_LABEL_MAX);
		x = left;
		for (k = 0; k < parts; k++) {
			double v = r->part[k] > 0 ? r->part[k] : 0;

			if (v > sc.top)
				v = sc.top;
			w = plot_w * (v / sc.top);
			if (x + w > right)
				w = right - x;
			wn_buf_puts(out, "<g class=\"");
			wn_svg_escape(out, p->cls[k]);
			wn_buf_puts(out, "\">");
			wn_svg_rect(out, "svg-bar", x, y +
			    (WN_SVG_ROW_H - WN_SVG_BAR_H) / 2, w, WN_SVG_BAR_H,
			    false);
			wn_buf_puts(out, "</g>\n");
			x += w;
		}
		if (r->note != NULL)
			wn_svg_text(out, "svg-note", x + 6,
			    y + WN_SVG_ROW_H / 2 + 4, NULL, r->note,
			    WN_SVG_LABEL_MAX);
		wn_buf_puts(out, "</g>\n");
	}
	wn_svg_line(out, "svg-axis", left, top, left, axis_y);
	wn_svg_line(out, "svg-axis", left, axis_y, right, axis_y);
	wn_buf_puts(out, "</svg>\n");
}

/* --- time series ----------------------------------------------------- */

/* geometry shared by the parts of a time series */
typedef struct wn_svg_ts_box {
	double left, right, top, bottom;	/* the plot area */
	double slot;		/* width of one bucket */
	wn_svg_scale sc;
} wn_svg_ts_box;

static double
wn_svg_ts_x(const wn_svg_ts_box *b, size_t i)
{
	return b->left + b->slot * ((double)i + 0.5);
}

static double
wn_svg_ts_y(const wn_svg_ts_box *b, double v)
{
	if (v < 0)
		v = 0;
	if (v > b->sc.top)
		v = b->sc.top;
	return b->bottom - (b->bottom - b->top) * (v / b->sc.top);
}

/* "label: value" */
static void
wn_svg_ts_title(wn_buf *out, const wn_svg_chart *c, const wn_svg_series *s,
    size_t i)
{
	wn_buf_puts(out, "<title>");
	wn_svg_escape(out, s->labels[i]);
	wn_buf_puts(out, ": ");
	wn_svg_put_value(out, &c->value, s->values[i], c->value.decimals);
	wn_buf_puts(out, "</title>");
}

/* Shade each run of buckets without data. */
static void
wn_svg_ts_gaps(wn_buf *out, const wn_svg_ts_box *b, const wn_svg_series *s)
{
	size_t i = 0, j;

	while (i < s->n) {
		if (!isnan(s->values[i])) {
			i++;
			continue;
		}
		for (j = i; j + 1 < s->n && isnan(s->values[j + 1]); j++)
			;
		wn_svg_rect(out, "svg-nodata", b->left + b->slot * (double)i,
		    b->top, b->slot * (double)(j - i + 1), b->bottom - b->top,
		    true);
		wn_buf_puts(out, "<title>no data: ");
		wn_svg_escape(out, s->labels[i]);
		if (j > i) {
			wn_buf_puts(out, " \xe2\x80\x93 ");
			wn_svg_escape(out, s->labels[j]);
		}
		wn_buf_puts(out, "</title></rect>\n");
		i = j + 1;
	}
}

static void
wn_svg_ts_bars(wn_buf *out, const wn_svg_chart *c, const wn_svg_ts_box *b,
    const wn_svg_series *s)
{
	double bw = b->slot * 0.8, y;
	size_t i;

	/* narrow buckets: bars touch, or the gaps blur them into a haze;
	 * they overlap a little so rounding leaves no hairline between */
	if (b->slot < WN_SVG_TS_MIN_GAP_SLOT)
		bw = b->slot + 0.4;
	if (bw > WN_SVG_TS_MAX_BAR)
		bw = WN_SVG_TS_MAX_BAR;
	for (i = 0; i < s->n; i++) {
		if (isnan(s->values[i]))
			continue;
		y = wn_svg_ts_y(b, s->values[i]);
		wn_svg_rect(out, "svg-bar", wn_svg_ts_x(b, i) - bw / 2, y, bw,
		    b->bottom - y, true);
		wn_svg_ts_title(out, c, s, i);
		wn_buf_puts(out, "</rect>\n");
	}
}

static void
wn_svg_ts_line(wn_buf *out, const wn_svg_chart *c, const wn_svg_ts_box *b,
    const wn_svg_series *s)
{
	bool pen = false, lone;
	size_t i;

	wn_buf_puts(out, "<path class=\"svg-line\" fill=\"none\" d=\"");
	for (i = 0; i < s->n; i++) {
		if (isnan(s->values[i])) {
			pen = false;
			continue;
		}
		wn_buf_putc(out, pen ? 'L' : 'M');
		wn_svg_put_coord(out, wn_svg_ts_x(b, i));
		wn_buf_putc(out, ' ');
		wn_svg_put_coord(out, wn_svg_ts_y(b, s->values[i]));
		pen = true;
	}
	wn_buf_puts(out, "\"/>\n");

	/* dots: on every point when there is room, else where a point has
	 * no neighbour and the line alone would not show it */
	for (i = 0; i < s->n; i++) {
		if (isnan(s->values[i]))
			continue;
		lone = (i == 0 || isnan(s->values[i - 1])) &&
		    (i + 1 == s->n || isnan(s->values[i + 1]));
		if (s->n > WN_SVG_TS_DOTS_UPTO && !lone)
			continue;
		wn_buf_puts(out, "<circle class=\"svg-dot\"");
		wn_svg_attr(out, "cx", wn_svg_ts_x(b, i));
		wn_svg_attr(out, "cy", wn_svg_ts_y(b, s->values[i]));
		wn_buf_puts(out, " r=\"3\">");
		wn_svg_ts_title(out, c, s, i);
		wn_buf_puts(out, "</circle>\n");
	}
}

/* Bucket labels along the bottom, every "every"-th one. */
static void
wn_svg_ts_labels(wn_buf *out, const wn_svg_ts_box *b, const wn_svg_series *s,
    double label_w)
{
	size_t i, every;

	every = (size_t)ceil((label_w + 12) / b->slot);
	if (every < 1)
		every = 1;
	wn_buf_puts(out, "<g class=\"svg-axis-x\">\n");
	for (i = 0; i < s->n; i += every) {
		double x = wn_svg_ts_x(b, i);

		wn_svg_line(out, "svg-axis", x, b->bottom, x, b->bottom + 4);
		wn_svg_text(out, "svg-tick", x, b->bottom + 17, "middle",
		    s->labels[i], WN_SVG_LABEL_MAX);
	}
	wn_buf_puts(out, "</g>\n");
}

void
wn_svg_timeseries(wn_buf *out, const wn_svg_chart *c, const wn_svg_series *s)
{
	double max = 0, label_w = 0, tick_w, v, y;
	bool gaps = false;
	wn_svg_ts_box b;
	size_t i;
	int t, ticks;

	for (i = 0; i < s->n; i++) {
		if (isnan(s->values[i]))
			gaps = true;
		else if (s->values[i] > max)
			max = s->values[i];
		if (wn_svg_label_width(s->labels[i]) > label_w)
			label_w = wn_svg_label_width(s->labels[i]);
	}
	b.sc = wn_svg_scale_make(&c->value, max, WN_SVG_TS_Y_TICKS);
	tick_w = wn_svg_tick_width(&c->value, &b.sc);
	b.left = (c->value.label != NULL ? 28 : 8) + tick_w + 8;
	b.right = WN_SVG_WIDTH - (label_w / 2 > 16 ? label_w / 2 + 4 : 16);
	b.top = gaps ? 32 : 14;
	b.bottom = WN_SVG_TS_HEIGHT - (c->category_label != NULL ? 46 : 28);
	b.slot = (b.right - b.left) / (double)(s->n > 0 ? s->n : 1);
	ticks = wn_svg_tick_count(&b.sc);

	wn_svg_open(out, c, WN_SVG_TS_HEIGHT);
	if (gaps)
		wn_svg_key(out, b.left, 8, "svg-nodata", NULL,
		    "no data");

	wn_buf_puts(out, "<g class=\"svg-axis-y\">\n");
	for (t = 0; t <= ticks; t++) {
		v = b.sc.step * t;
		y = wn_svg_ts_y(&b, v);
		if (t > 0)
			wn_svg_line(out, "svg-grid", b.left, y, b.right, y);
		wn_svg_text_open(out, "svg-tick", b.left - 6, y + 4, "end");
		wn_svg_put_value(out, &c->value, v, b.sc.decimals);
		wn_buf_puts(out, "</text>\n");
	}
	if (c->value.label != NULL) {
		/* rotated: x and y swap roles under rotate(-90) */
		wn_buf_puts(out, "<text class=\"svg-caption\" "
		    "transform=\"rotate(-90)\"");
		wn_svg_attr(out, "x", -(b.top + b.bottom) / 2);
		wn_svg_attr(out, "y", 14);
		wn_buf_puts(out, " text-anchor=\"middle\">");
		wn_svg_escape(out, c->value.label);
		wn_buf_puts(out, "</text>\n");
	}
	wn_buf_puts(out, "</g>\n");

	if (gaps)
		wn_svg_ts_gaps(out, &b, s);
	wn_buf_puts(out, "<g class=\"svg-marks");
	if (s->cls != NULL) {
		wn_buf_putc(out, ' ');
		wn_svg_escape(out, s->cls);
	}
	wn_buf_putc(out, '"');
	if (s->mark == WN_SVG_BARS && b.slot < WN_SVG_TS_MIN_GAP_SLOT)
		wn_buf_puts(out, " shape-rendering=\"crispEdges\"");
	wn_buf_puts(out, ">\n");
	if (s->mark == WN_SVG_LINE)
		wn_svg_ts_line(out, c, &b, s);
	else
		wn_svg_ts_bars(out, c, &b, s);
	wn_buf_puts(out, "</g>\n");

	wn_svg_ts_labels(out, &b, s, label_w);
	if (c->category_label != NULL)
		wn_svg_text(out, "svg-caption", (b.left + b.right) / 2,
		    WN_SVG_TS_HEIGHT - 8, "middle", c->category_label,
		    SIZE_MAX);
	wn_svg_line(out, "svg-axis", b.left, b.top, b.left, b.bottom);
	wn_svg_line(out, "svg-axis", b.left, b.bottom, b.right, b.bottom);
	wn_buf_puts(out, "</svg>\n");
}

/* --- style ----------------------------------------------------------- */

void
wn_svg_style(wn_buf *out)
{
	wn_buf_puts(out,
	    ".svg-chart{display:block;width:100%;height:auto;"
	    "font-family:inherit;font-size:12px}\n"
	    ".svg-chart text{fill:#2b3440}\n"
	    ".svg-chart .svg-tick{fill:#4a5561;font-variant-numeric:"
	    "tabular-nums}\n"
	    ".svg-chart .svg-caption{font-weight:600;fill:#33404d}\n"
	    ".svg-chart .svg-note{fill:#33404d;font-variant-numeric:"
	    "tabular-nums}\n"
	    ".svg-axis{stroke:#5a6672;stroke-width:1}\n"
	    ".svg-grid{stroke:#e1e5ea;stroke-width:1}\n"
	    ".svg-bar,.svg-dot{fill:var(--c,#44546a)}\n"
	    ".svg-line{fill:none;stroke:var(--c,#44546a);stroke-width:2;"
	    "stroke-linejoin:round;stroke-linecap:round}\n"
	    ".svg-nodata{fill:#eceff2}\n"
	    ".svg-row:hover .svg-bar,.svg-bar:hover,.svg-dot:hover"
	    "{opacity:.8}\n");
}
