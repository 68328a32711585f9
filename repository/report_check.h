/*
 * report_check.h - the building blocks of the report validator: a JSON
 * path for messages, and checks for the schema's kinds of values (closed
 * objects, counts, integers, numbers, strings with a pattern, enums).
 *
 * Private to report_parse.c and envelope.c. Every check returns 0 or
 * WN_EINVAL after writing "<path>: <what was wrong>" into rv->err, so a
 * caller just propagates the first failure.
 */
#ifndef WINNOW_REPOSITORY_REPORT_CHECK_H
#define WINNOW_REPOSITORY_REPORT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

typedef struct wn_rv {
	char path[192];
	size_t plen;
	char *err;		/* WN_REPORT_ERR_LEN bytes */
} wn_rv;

/* a string pattern: whether s[0..n) matches, and its schema text */
typedef struct wn_rv_pattern {
	bool (*match)(const char *s, size_t n);
	const char *text;
} wn_rv_pattern;

void wn_rv_init(wn_rv *rv, char *err);

/* wn_rv_enter - append ".key" (or "[i]" with key NULL) to the path and
 * return the length to restore with wn_rv_leave */
size_t wn_rv_enter(wn_rv *rv, const char *key, size_t index);
void wn_rv_leave(wn_rv *rv, size_t mark);

int wn_rv_fail(wn_rv *rv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * wn_rv_object - v is an object whose members are all named in props and
 * which has every member named in required (both NULL-ended).
 */
int wn_rv_object(wn_rv *rv, json_t *v, const char *const *props,
    const char *const *required);

/* wn_rv_count - member key of obj is an integer in [0, 2^53 - 1] */
int wn_rv_count(wn_rv *rv, json_t *obj, const char *key, uint64_t *out);

/* wn_rv_int - v is an integer (an integral number) in [min, max] */
int wn_rv_int(wn_rv *rv, json_t *v, int64_t min, int64_t max,
    int64_t *out);

/* wn_rv_number - v is a number, at least min unless min is NAN */
int wn_rv_number(wn_rv *rv, json_t *v, double min, double *out);

/* wn_rv_string - v is a string matching p; *s_out, *n_out point into v */
int wn_rv_string(wn_rv *rv, json_t *v, const wn_rv_pattern *p,
    const char **s_out, size_t *n_out);

/* wn_rv_enum - v is a string equal to one of names (NULL-ended); its
 * index into *index_out */
int wn_rv_enum(wn_rv *rv, json_t *v, const char *const *names,
    size_t *index_out);

/* wn_rv_array - v is an array of at most max elements */
int wn_rv_array(wn_rv *rv, json_t *v, size_t min, size_t max);

/* patterns of the schema */
extern const wn_rv_pattern wn_rv_hex16, wn_rv_hex32, wn_rv_time,
    wn_rv_declared_country, wn_rv_source_country, wn_rv_version,
    wn_rv_ruleset_name, wn_rv_rule_name, wn_rv_anomaly, wn_rv_prefix,
    wn_rv_base64_sig;

#endif
