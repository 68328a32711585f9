/*
 * report_check.c - value checks for the report validator, with the JSON
 * path of the value in every message.
 *
 * The schema's patterns are written out as small matchers rather than
 * compiled regular expressions: each is a fixed shape of a few character
 * classes, and a matcher cannot go quadratic on hostile input. Names
 * taken from the input are quoted in messages only after being made
 * printable and short.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <winnow/err.h>

#include "day.h"
#include "report_in.h"
#include "report_check.h"

void
wn_rv_init(wn_rv *rv, char *err)
{
	rv->path[0] = '\0';
	rv->plen = 0;
	rv->err = err;
	err[0] = '\0';
}

size_t
wn_rv_enter(wn_rv *rv, const char *key, size_t index)
{
	size_t mark = rv->plen, room = sizeof(rv->path) - rv->plen;
	int n;

	if (key != NULL)
		n = snprintf(rv->path + rv->plen, room, "%s%s",
		    rv->plen > 0 ? "." : "", key);
	else
		n = snprintf(rv->path + rv->plen, room, "[%zu]", index);
	if (n > 0)
		rv->plen += (size_t)n < room ? (size_t)n : room - 1;
	return mark;
}

void
wn_rv_leave(wn_rv *rv, size_t mark)
{
	rv->plen = mark;
	rv->path[mark] = '\0';
}

int
wn_rv_fail(wn_rv *rv, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(rv->err, WN_REPORT_ERR_LEN, "%s: ",
	    rv->plen > 0 ? rv->path : "report");
	if (n < 0 || n >= WN_REPORT_ERR_LEN)
		return WN_EINVAL;
	va_start(ap, fmt);
	vsnprintf(rv->err + n, WN_REPORT_ERR_LEN - (size_t)n, fmt, ap);
	va_end(ap);
	return WN_EINVAL;
}

/* a member name from the input, printable and at most 40 bytes */
static void
wn_rv_quote(const char *s, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; s[i] != '\0' && o + 4 < len; i++) {
		if (i == 40) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		buf[o++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	}
	buf[o] = '\0';
}

static const char *
wn_rv_kind(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static bool
wn_rv_listed(const char *const *names, const char *s)
{
	for (; *names != NULL; names++)
		if (strcmp(*names, s) == 0)
			return true;
	return false;
}

int
wn_rv_object(wn_rv *rv, json_t *v, const char *const *props,
    const char *const *required)
{
	const char *k;
	json_t *m;
	char q[48];

	if (!json_is_object(v))
		return wn_rv_fail(rv, "expected an object, got %s",
		    wn_rv_kind(v));
	json_object_foreach(v, k, m) {
		if (!wn_rv_listed(props, k)) {
			wn_rv_quote(k, q, sizeof(q));
			return wn_rv_fail(rv, "unknown property \"%s\"", q);
		}
	}
	for (; *required != NULL; required++)
		if (json_object_get(v, *required) == NULL)
			return wn_rv_fail(rv, "required property \"%s\" is "
			    "missing", *required);
	return 0;
}

/*
 * An "integer" in JSON Schema is any number with no fractional part, so
 * 3.0 is one; jansson keeps it as a real.
 */
static bool
wn_rv_integral(json_t *v, double *d_out)
{
	double d;

	if (json_is_integer(v)) {
		*d_out = (double)json_integer_value(v);
		return true;
	}
	if (!json_is_real(v))
		return false;
	d = json_real_value(v);
	if (!isfinite(d) || floor(d) != d)
		return false;
	*d_out = d;
	return true;
}

int
wn_rv_int(wn_rv *rv, json_t *v, int64_t min, int64_t max, int64_t *out)
{
	double d;

	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);

		if (x < min || x > max)
			return wn_rv_fail(rv, "expected an integer from %lld "
			    "to %lld", (long long)min, (long long)max);
		*out = x;
		return 0;
	}
	/* Bounds compared as doubles; every bound used is exact in one. */
	if (!wn_rv_integral(v, &d) || d < (double)min || d > (double)max)
		return wn_rv_fail(rv, "expected an integer from %lld to %lld",
		    (long long)min, (long long)max);
	*out = (int64_t)d;
	return 0;
}

int
wn_rv_count(wn_rv *rv, json_t *obj, const char *key, uint64_t *out)
{
	size_t mark = wn_rv_enter(rv, key, 0);
	int64_t x = 0;
	int rc;

	rc = wn_rv_int(rv, json_object_get(obj, key), 0,
	    (int64_t)WN_REPORT_MAX_COUNT, &x);
	wn_rv_leave(rv, mark);
	*out = (uint64_t)x;
	return rc;
}

int
wn_rv_number(wn_rv *rv, json_t *v, double min, double *out)
{
	double d;

	if (!json_is_number(v))
		return wn_rv_fail(rv, "expected a number, got %s",
		    wn_rv_kind(v));
	d = json_number_value(v);
	if (!isnan(min) && !(d >= min))
		return wn_rv_fail(rv, "expected a number of at least %g", min);
	*out = d;
	return 0;
}

int
wn_rv_string(wn_rv *rv, json_t *v, const wn_rv_pattern *p,
    const char **s_out, size_t *n_out)
{
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return wn_rv_fail(rv, "expected a string, got %s",
		    wn_rv_kind(v));
	s = json_string_value(v);
	n = json_string_length(v);
	if (p != NULL && !p->match(s, n))
		return wn_rv_fail(rv, "expected a string matching %s",
		    p->text);
	if (s_out != NULL)
		*s_out = s;
	if (n_out != NULL)
		*n_out = n;
	return 0;
}

int
wn_rv_enum(wn_rv *rv, json_t *v, const char *const *names,
    size_t *index_out)
{
	char list[160];
	size_t i, o = 0;

	if (json_is_string(v)) {
		for (i = 0; names[i] != NULL; i++) {
			if (strlen(names[i]) == json_string_length(v) &&
			    strcmp(names[i], json_string_value(v)) == 0) {
				if (index_out != NULL)
					*index_out = i;
				return 0;
			}
		}
	}
	list[0] = '\0';
	for (i = 0; names[i] != NULL && o < sizeof(list); i++) {
		int n = snprintf(list + o, sizeof(list) - o, "%s\"%s\"",
		    i > 0 ? ", " : "", names[i]);

		if (n < 0)
			break;
		o += (size_t)n;
	}
	return wn_rv_fail(rv, "expected %s%s", names[1] ? "one of " : "",
	    list);
}

int
wn_rv_array(wn_rv *rv, json_t *v, size_t min, size_t max)
{
	size_t n;

	if (!json_is_array(v))
		return wn_rv_fail(rv, "expected an array, got %s",
		    wn_rv_kind(v));
	n = json_array_size(v);
	if (n < min)
		return wn_rv_fail(rv, "expected at least %zu elements, got %zu",
		    min, n);
	if (n > max)
		return wn_rv_fail(rv, "expected at most %zu elements, got %zu",
		    max, n);
	return 0;
}

/* --- the schema's patterns ------------------------------------------ */

static bool
wn_rv_all(const char *s, size_t n, size_t min, size_t max,
    bool (*cls)(unsigned char))
{
	size_t i;

	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!cls((unsigned char)s[i]))
			return false;
	return true;
}

static bool
wn_rv_c_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool
wn_rv_c_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
wn_rv_c_upper_digit(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool
wn_rv_c_alnum(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9');
}

static bool
wn_rv_c_version(unsigned char c)
{
	return wn_rv_c_alnum(c) || c == '.' || c == '+' || c == '~' ||
	    c == '-';
}

static bool
wn_rv_c_ruleset(unsigned char c)
{
	return wn_rv_c_alnum(c) || c == '.' || c == '_' || c == '-';
}

static bool
wn_rv_c_rule(unsigned char c)
{
	return wn_rv_c_alnum(c) || c == '_' || c == '.' || c == ':' ||
	    c == '-';
}

static bool
wn_rv_c_anomaly(unsigned char c)
{
	return wn_rv_c_upper_digit(c) || c == '_';
}

static bool
wn_rv_c_v6(unsigned char c)
{
	return wn_rv_c_hex(c) || c == ':';
}

static bool
wn_rv_c_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
wn_rv_c_base64(unsigned char c)
{
	return wn_rv_c_alnum(c) || c == '+' || c == '/';
}

static bool
wn_rv_m_hex16(const char *s, size_t n)
{
	return wn_rv_all(s, n, 16, 16, wn_rv_c_hex);
}

static bool
wn_rv_m_hex32(const char *s, size_t n)
{
	return wn_rv_all(s, n, 32, 32, wn_rv_c_hex);
}

static bool
wn_rv_m_time(const char *s, size_t n)
{
	int64_t t;

	return wn_day_time_parse(s, n, &t) == 0;
}

static bool
wn_rv_m_declared_country(const char *s, size_t n)
{
	return wn_rv_all(s, n, 2, 2, wn_rv_c_upper);
}

static bool
wn_rv_m_source_country(const char *s, size_t n)
{
	return wn_rv_all(s, n, 2, 2, wn_rv_c_upper_digit) ||
	    (n == 5 && memcmp(s, "other", 5) == 0) ||
	    (n == 7 && memcmp(s, "unknown", 7) == 0);
}

static bool
wn_rv_m_version(const char *s, size_t n)
{
	return wn_rv_all(s, n, 1, 32, wn_rv_c_version);
}

static bool
wn_rv_m_ruleset_name(const char *s, size_t n)
{
	return wn_rv_all(s, n, 1, 64, wn_rv_c_ruleset);
}

static bool
wn_rv_m_rule_name(const char *s, size_t n)
{
	return wn_rv_all(s, n, 1, 64, wn_rv_c_rule);
}

static bool
wn_rv_m_anomaly(const char *s, size_t n)
{
	return n > 5 && memcmp(s, "MIME_", 5) == 0 &&
	    wn_rv_all(s + 5, n - 5, 1, 40, wn_rv_c_anomaly);
}

/* one to three digits ending at a '.' or the end; advances *i */
static bool
wn_rv_octet(const char *s, size_t n, size_t *i)
{
	size_t start = *i;

	while (*i < n && *i - start < 3 && wn_rv_c_digit((unsigned char)s[*i]))
		(*i)++;
	return *i > start;
}

static bool
wn_rv_m_prefix(const char *s, size_t n)
{
	size_t i = 0;
	int k;

	if (n == 5 && memcmp(s, "other", 5) == 0)
		return true;
	if (n > 3 && memcmp(s + n - 3, "/48", 3) == 0)
		return wn_rv_all(s, n - 3, 2, 39, wn_rv_c_v6);
	/* [0-9]{1,3} . [0-9]{1,3} . [0-9]{1,3} .0/24 */
	for (k = 0; k < 3; k++) {
		if (!wn_rv_octet(s, n, &i) || i >= n || s[i] != '.')
			return false;
		i++;
	}
	return n - i == 4 && memcmp(s + i, "0/24", 4) == 0;
}

/* 64 bytes in base64: 86 characters and "==" */
static bool
wn_rv_m_base64_sig(const char *s, size_t n)
{
	return n == WN_SIGN_SIG_B64_LEN &&
	    wn_rv_all(s, n - 2, n - 2, n - 2, wn_rv_c_base64) &&
	    s[n - 2] == '=' && s[n - 1] == '=';
}

const wn_rv_pattern wn_rv_hex16 = { wn_rv_m_hex16, "^[0-9a-f]{16}$" };
const wn_rv_pattern wn_rv_hex32 = { wn_rv_m_hex32, "^[0-9a-f]{32}$" };
const wn_rv_pattern wn_rv_time = { wn_rv_m_time,
	"YYYY-MM-DDTHH:MM:SSZ (a valid UTC date and time)" };
const wn_rv_pattern wn_rv_declared_country = { wn_rv_m_declared_country,
	"^([A-Z]{2}|ZZ)$" };
const wn_rv_pattern wn_rv_source_country = { wn_rv_m_source_country,
	"^([A-Z0-9]{2}|other|unknown)$" };
const wn_rv_pattern wn_rv_version = { wn_rv_m_version,
	"^[0-9A-Za-z.+~-]{1,32}$" };
const wn_rv_pattern wn_rv_ruleset_name = { wn_rv_m_ruleset_name,
	"^[A-Za-z0-9._-]{1,64}$" };
const wn_rv_pattern wn_rv_rule_name = { wn_rv_m_rule_name,
	"^[A-Za-z0-9_.:-]{1,64}$" };
const wn_rv_pattern wn_rv_anomaly = { wn_rv_m_anomaly,
	"^MIME_[A-Z0-9_]{1,40}$" };
const wn_rv_pattern wn_rv_prefix = { wn_rv_m_prefix,
	"an IPv4 /24 (a.b.c.0/24), an IPv6 /48 or \"other\"" };
const wn_rv_pattern wn_rv_base64_sig = { wn_rv_m_base64_sig,
	"the base64 of a 64-byte signature" };
