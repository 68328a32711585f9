/*
 * dashboard.h - the regulator's page: an aggregate rendered as one HTML
 * document with inline SVG charts, readable without JavaScript.
 */
#ifndef WINNOW_REPOSITORY_DASHBOARD_H
#define WINNOW_REPOSITORY_DASHBOARD_H

#include <winnow/buf.h>

#include "aggregate.h"

/*
 * wn_dashboard_render - the page for agg (whose query fills the filter
 * form; "all" in a select is no filter) into out. Every text taken from
 * the database is HTML-escaped.
 */
void wn_dashboard_render(const wn_agg *agg, wn_buf *out);

/* dashboard_rulesets.h */
typedef struct wn_dash_rulesets wn_dash_rulesets;

/* wn_dashboard_render_with - the same page with the "Rule sets" section
 * of rs (NULL: without it) */
void wn_dashboard_render_with(const wn_agg *agg, const wn_dash_rulesets *rs,
    wn_buf *out);

#endif
