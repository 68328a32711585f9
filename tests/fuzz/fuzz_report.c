/*
 * fuzz_report.c - libFuzzer target for what winnow-repository reads from
 * the network: the signed envelope (wn_envelope_parse), the report inside
 * it and the same bytes as a report (wn_report_parse), and the rollup
 * rows of every report that passes.
 *
 * The contract: a parse either succeeds with every field within the
 * schema's bounds, or fails with WN_EINVAL and a message; the rollup rows
 * of a valid report are sorted, unique and never 0 (but reports/count).
 * A violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/arena.h>
#include <winnow/buf.h>
#include <winnow/err.h>

#include <winnow/report.h>

#include "report_in.h"
#include "rollup.h"

static void
fuzz_report_check(const wn_report *r, wn_arena *a)
{
	wn_rollup_row *rows;
	size_t n, i;

	if (strlen(r->report_id) != 32 || strlen(r->key_id) != 16 ||
	    r->end < r->start || r->length < 60 || r->length > 604800 ||
	    r->min_count < 1 || r->n_rules > 4096 || r->n_countries > 1024 ||
	    r->n_prefixes > 4096 || r->n_rulesets > 32 ||
	    r->n_anomalies > 64 || r->total > WN_REPORT_MAX_COUNT ||
	    !wn_operator_type_valid(r->operator_type))
		abort();
	for (i = 0; i < r->n_rules; i++)
		if (r->rules[i].name == NULL || strlen(r->rules[i].name) < 1 ||
		    strlen(r->rules[i].name) > 64)
			abort();
	if (wn_rollup_build(r, a, &rows, &n) != 0)
		return;		/* out of memory */
	if (n == 0)
		abort();	/* reports/count is always there */
	for (i = 0; i < n; i++) {
		int c = i > 0 ? strcmp(rows[i - 1].metric, rows[i].metric) : -1;

		if (i > 0 && (c > 0 || (c == 0 &&
		    strcmp(rows[i - 1].key, rows[i].key) >= 0)))
			abort();
		if (rows[i].value == 0 || rows[i].value > INT64_MAX)
			abort();
	}
}

static void
fuzz_report_parse(const char *text, size_t len)
{
	wn_arena *a = wn_arena_new(0);
	char err[WN_REPORT_ERR_LEN];
	wn_report r;
	int rc;

	if (a == NULL)
		return;
	rc = wn_report_parse(text, len, a, &r, err);
	if (rc == 0)
		fuzz_report_check(&r, a);
	else if (rc != WN_ENOMEM && (rc != WN_EINVAL || err[0] == '\0'))
		abort();
	wn_arena_free(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[WN_REPORT_ERR_LEN];
	wn_envelope env;
	wn_buf signed_text;
	int rc;

	rc = wn_envelope_parse((const char *)data, size, &env, err);
	if (rc == 0) {
		if (strlen(env.key_id) != 16 || strlen(env.nonce) != 32 ||
		    strlen(env.signature) != WN_SIGN_SIG_B64_LEN ||
		    env.report == NULL)
			abort();
		wn_buf_init(&signed_text);
		wn_envelope_signed_text(env.key_id, env.signed_at, env.nonce,
		    env.report, env.report_len, &signed_text);
		if (!signed_text.failed && signed_text.len < env.report_len)
			abort();
		wn_buf_fini(&signed_text);
		fuzz_report_parse(env.report, env.report_len);
		wn_envelope_fini(&env);
	} else if (rc != WN_ENOMEM && (rc != WN_EINVAL || err[0] == '\0')) {
		abort();
	}
	fuzz_report_parse((const char *)data, size);
	return 0;
}
