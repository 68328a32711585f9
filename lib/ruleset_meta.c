/*
 * ruleset_meta.c - read what winnow-repository says about one rule-set
 * version, trusting nothing in it, and frame the text a promotion's
 * signature covers.
 *
 * The metadata arrives over the network and its fields end up in file
 * names (NAME-VERSION), in a URL that is fetched next and in messages, so
 * every field is checked for its exact form before it is copied out.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <winnow/err.h>
#include <winnow/ruleset_meta.h>

#define WN_RULESET_META_URL_PREFIX "/api/v1/rulesets/"

static int wn_ruleset_meta_err(char *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* format err (one line, printable ASCII only); returns WN_EFORMAT */
static int
wn_ruleset_meta_err(char *err, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(err, WN_RULESET_META_ERR_LEN, fmt, ap);
	va_end(ap);
	/* jansson's messages quote the input they choked on */
	for (p = err; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	return WN_EFORMAT;
}

static bool
wn_ruleset_meta_hex(const char *s, size_t want)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == want;
}

/* a manifest name: 1-64 letters, digits, '.', '_', '-', not leading '.' */
/* a path under the rule-set API that cannot climb out of it or carry a
 * query, a fragment, escapes or anything a terminal would interpret */
static bool
wn_ruleset_meta_url_ok(const char *s)
{
	size_t pl = strlen(WN_RULESET_META_URL_PREFIX);
	const char *p;

	if (strncmp(s, WN_RULESET_META_URL_PREFIX, pl) != 0 || s[pl] == '\0' ||
	    strstr(s, "..") != NULL)
		return false;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '?' ||
		    *p == '#' || *p == '%' || *p == '\\')
			return false;
	return true;
}

/* copy the string member key of root into dst (cap bytes with the NUL) */
static int
wn_ruleset_meta_str(json_t *root, const char *key, char *dst, size_t cap,
    char *err)
{
	json_t *v = json_object_get(root, key);
	const char *s;
	size_t n;

	if (v == NULL)
		return wn_ruleset_meta_err(err, "%s: missing", key);
	if (!json_is_string(v))
		return wn_ruleset_meta_err(err, "%s: not a string", key);
	s = json_string_value(v);
	n = json_string_length(v);
	if (n != strlen(s))
		return wn_ruleset_meta_err(err, "%s: holds a NUL", key);
	if (n >= cap)
		return wn_ruleset_meta_err(err, "%s: longer than %zu bytes",
		    key, cap - 1);
	memcpy(dst, s, n + 1);
	return 0;
}

static int
wn_ruleset_meta_fields(json_t *root, wn_ruleset_meta *m, char *err)
{
	json_t *v;
	int rc;

	if ((rc = wn_ruleset_meta_str(root, "name", m->name, sizeof(m->name),
	    err)) != 0)
		return rc;
	if (!wn_manifest_name_valid(m->name))
		return wn_ruleset_meta_err(err, "name: not 1-%d letters, "
		    "digits, '.', '_' or '-'", WN_MANIFEST_MAX_NAME);
	if ((rc = wn_ruleset_meta_str(root, "version", m->version,
	    sizeof(m->version), err)) != 0)
		return rc;
	if (!wn_version_valid(m->version))
		return wn_ruleset_meta_err(err, "version: not a dotted number");
	if ((rc = wn_ruleset_meta_str(root, "stage", m->stage,
	    sizeof(m->stage), err)) != 0)
		return rc;
	if (strcmp(m->stage, "testing") != 0 && strcmp(m->stage, "stable") != 0)
		return wn_ruleset_meta_err(err, "stage: neither \"testing\" "
		    "nor \"stable\"");
	if ((rc = wn_ruleset_meta_str(root, "sha256", m->sha256,
	    sizeof(m->sha256), err)) != 0)
		return rc;
	if (!wn_ruleset_meta_hex(m->sha256, 64))
		return wn_ruleset_meta_err(err, "sha256: not 64 lowercase hex "
		    "digits");
	if ((v = json_object_get(root, "size")) == NULL)
		return wn_ruleset_meta_err(err, "size: missing");
	if (!json_is_integer(v))
		return wn_ruleset_meta_err(err, "size: not an integer");
	if (json_integer_value(v) <= 0)
		return wn_ruleset_meta_err(err, "size: not positive");
	m->size = (uint64_t)json_integer_value(v);
	if ((rc = wn_ruleset_meta_str(root, "key_id", m->key_id,
	    sizeof(m->key_id), err)) != 0)
		return rc;
	if (!wn_ruleset_meta_hex(m->key_id, WN_SIGN_KEY_ID_LEN))
		return wn_ruleset_meta_err(err, "key_id: not %d lowercase hex "
		    "digits", WN_SIGN_KEY_ID_LEN);
	if ((rc = wn_ruleset_meta_str(root, "url", m->url, sizeof(m->url),
	    err)) != 0)
		return rc;
	if (!wn_ruleset_meta_url_ok(m->url))
		return wn_ruleset_meta_err(err, "url: not a plain path under "
		    "%s", WN_RULESET_META_URL_PREFIX);
	return 0;
}

int
wn_ruleset_meta_parse(const char *json, size_t len, wn_ruleset_meta *out,
    char *err)
{
	json_error_t je;
	json_t *root;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > WN_RULESET_META_MAX) {
		snprintf(err, WN_RULESET_META_ERR_LEN, "metadata: over %d "
		    "bytes", WN_RULESET_META_MAX);
		return WN_ELIMIT;
	}
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return wn_ruleset_meta_err(err, "metadata: not JSON: %s (line "
		    "%d, column %d)", je.text, je.line, je.column);
	if (!json_is_object(root))
		rc = wn_ruleset_meta_err(err, "metadata: not a JSON object");
	else
		rc = wn_ruleset_meta_fields(root, out, err);
	json_decref(root);
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

int
wn_ruleset_promote_text(const char *name, const char *version,
    const char *stage, const char *time, wn_buf *out)
{
	const char *f[4] = { name, version, stage, time };
	size_t i;

	/* the fields are framed by line feeds: one inside would let a
	 * signature made for one promotion hold for another */
	for (i = 0; i < 4; i++)
		if (f[i] == NULL || f[i][0] == '\0' ||
		    strchr(f[i], '\n') != NULL)
			return WN_EINVAL;
	wn_buf_printf(out, "%s\n%s\n%s\n%s\n%s\n", WN_RULESET_PROMOTE_TAG,
	    name, version, stage, time);
	return out->failed ? WN_ENOMEM : 0;
}
