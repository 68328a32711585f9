/*
 * fuzz_config.c - libFuzzer target for the winnow.conf parser
 * (wn_settings_parse) and the network parser behind trusted_networks.
 *
 * The contract: a parse either succeeds with every string key set and
 * within its table's bounds, or fails with at least one error naming a
 * line of the input; never both, never neither. A violation aborts.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/config.h>
#include <winnow/err.h>

static void
fuzz_config_check(const wn_settings *s)
{
	if (s->socket == NULL || s->pid_file == NULL || s->user == NULL ||
	    s->store == NULL || s->subject_tag == NULL ||
	    s->reject_text == NULL || s->header_prefix == NULL ||
	    s->authserv_id == NULL || s->log_level == NULL)
		abort();
	if (s->n_rules > WN_CONFIG_MAX_RULES ||
	    s->n_trusted > WN_CONFIG_MAX_NETS)
		abort();
	if (isnan(s->thresholds.mark) || s->max_size < 1024 ||
	    s->spf_timeout < 1 || s->spf_timeout > 30)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wn_settings *s = NULL;
	wn_diag_list d;
	int rc;

	wn_diag_list_init(&d);
	rc = wn_settings_parse((const char *)data, size, "fuzz.conf", &d, &s);
	if (rc == 0) {
		if (s == NULL || d.errors != 0)
			abort();
		fuzz_config_check(s);
	} else if (rc == WN_EINVAL) {
		if (s != NULL || d.errors == 0)
			abort();
		if (d.n > 0 && d.v[0].severity == WN_DIAG_ERROR &&
		    d.v[0].line == 0)
			abort();
	} else if (rc != WN_ENOMEM) {
		abort();
	}
	wn_settings_free(&s);
	wn_diag_list_fini(&d);
	return 0;
}
