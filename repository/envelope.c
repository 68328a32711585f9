/*
 * envelope.c - the signed envelope a report travels in: its six fields,
 * each checked for its form, and the exact bytes its signature covers.
 *
 * The forms are checked before anything else looks at them because they
 * are joined with line feeds into the signed text: a key id or nonce
 * holding a line feed could otherwise shift the framing.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <winnow/err.h>

#include "day.h"
#include "report_in.h"
#include "report_check.h"

/* the string member key of root matching pat (NULL: any string) */
static int
wn_envelope_field(wn_rv *rv, json_t *root, const char *key,
    const wn_rv_pattern *pat, const char **s_out, size_t *n_out)
{
	size_t mark = wn_rv_enter(rv, key, 0);
	json_t *v = json_object_get(root, key);
	int rc;

	if (v == NULL)
		rc = wn_rv_fail(rv, "missing");
	else
		rc = wn_rv_string(rv, v, pat, s_out, n_out);
	wn_rv_leave(rv, mark);
	return rc;
}

static int
wn_envelope_fields(wn_rv *rv, json_t *root, wn_envelope *e)
{
	const char *s = NULL;
	size_t n = 0;
	int rc;

	if (!json_is_object(root)) {
		snprintf(rv->err, WN_REPORT_ERR_LEN, "envelope: expected a "
		    "JSON object");
		return WN_EINVAL;
	}
	if ((rc = wn_envelope_field(rv, root, "format", NULL, &s, &n)) != 0)
		return rc;
	if (n != strlen(WN_ENVELOPE_FORMAT) ||
	    memcmp(s, WN_ENVELOPE_FORMAT, n) != 0) {
		snprintf(rv->err, WN_REPORT_ERR_LEN, "envelope: format: "
		    "unknown format, expected \"%s\"", WN_ENVELOPE_FORMAT);
		return WN_EINVAL;
	}
	if ((rc = wn_envelope_field(rv, root, "key_id", &wn_rv_hex16, &s,
	    &n)) != 0)
		return rc;
	memcpy(e->key_id, s, n + 1);
	if ((rc = wn_envelope_field(rv, root, "signed_at", &wn_rv_time, &s,
	    &n)) != 0)
		return rc;
	memcpy(e->signed_at, s, n + 1);
	wn_day_time_parse(s, n, &e->signed_time);
	if ((rc = wn_envelope_field(rv, root, "nonce", &wn_rv_hex32, &s,
	    &n)) != 0)
		return rc;
	memcpy(e->nonce, s, n + 1);
	if ((rc = wn_envelope_field(rv, root, "report", NULL, &e->report,
	    &e->report_len)) != 0)
		return rc;
	if ((rc = wn_envelope_field(rv, root, "signature", &wn_rv_base64_sig,
	    &s, &n)) != 0)
		return rc;
	memcpy(e->signature, s, n + 1);
	return 0;
}

int
wn_envelope_parse(const char *body, size_t len, wn_envelope *out, char *err)
{
	json_error_t je;
	json_t *root;
	wn_rv rv;
	int rc;

	memset(out, 0, sizeof(*out));
	wn_rv_init(&rv, err);
	/* "envelope.key_id: ..." reads better than a bare field name */
	wn_rv_enter(&rv, "envelope", 0);
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		snprintf(err, WN_REPORT_ERR_LEN, "envelope: not JSON: %s "
		    "(line %d, column %d)", je.text, je.line, je.column);
		return WN_EINVAL;
	}
	rc = wn_envelope_fields(&rv, root, out);
	if (rc != 0) {
		json_decref(root);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->root = root;
	return 0;
}

void
wn_envelope_fini(wn_envelope *e)
{
	if (e->root != NULL)
		json_decref((json_t *)e->root);
	memset(e, 0, sizeof(*e));
}

void
wn_envelope_signed_text(const char *key_id, const char *signed_at,
    const char *nonce, const char *report, size_t report_len, wn_buf *out)
{
	wn_buf_printf(out, "%s\n%s\n%s\n%s\n", WN_ENVELOPE_FORMAT, key_id,
	    signed_at, nonce);
	wn_buf_append(out, report, report_len);
}
