/*
 * cli_rules.c - loading rule sets for the commands, with their findings.
 */
#include <stdio.h>

#include <winnow/err.h>
#include <winnow/rules.h>

#include "cli.h"

void
wn_cli_print_diags(FILE *f, const wn_diag_list *d, bool with_warnings)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const wn_diag *g = &d->v[i];
		const char *sev = g->severity == WN_DIAG_ERROR ? "error" :
		    "warning";

		if (g->severity == WN_DIAG_WARNING && !with_warnings)
			continue;
		if (g->line > 0)
			fprintf(f, "%s:%u: %s: %s\n", g->file, g->line, sev,
			    g->msg);
		else
			fprintf(f, "%s: %s: %s\n", g->file, sev, g->msg);
	}
	if (d->n < d->errors + d->warnings)
		fprintf(f, "(%zu more findings not shown)\n",
		    d->errors + d->warnings - d->n);
}

int
wn_cli_rule_path_add(const char *cmd, wn_cli_rule_paths *p, const char *path)
{
	if (p->n == WN_CLI_MAX_RULES)
		return wn_cli_usage_error(cmd, "too many --rules");
	p->v[p->n++] = path;
	return 0;
}

int
wn_cli_load_rules(const char *cmd, const char *const *paths, size_t n,
    bool keep_going, wn_rules **out)
{
	wn_diag_list d;
	int rc;

	wn_diag_list_init(&d);
	rc = wn_rules_load(paths, n, NULL, &d, out);
	if (rc == WN_ENOMEM) {
		fprintf(stderr, "winnow %s: out of memory loading rules\n", cmd);
		wn_diag_list_fini(&d);
		return WN_EXIT_SOFTWARE;
	}
	wn_cli_print_diags(stderr, &d, false);
	if (d.errors > 0 && !keep_going) {
		fprintf(stderr, "winnow %s: %zu error%s in the rules; nothing "
		    "scanned (see winnow rules lint)\n", cmd, d.errors,
		    d.errors == 1 ? "" : "s");
		wn_rules_free(out);
		wn_diag_list_fini(&d);
		return WN_EXIT_FAIL;
	}
	if (rc != 0 && !keep_going) {
		wn_rules_free(out);
		wn_diag_list_fini(&d);
		return WN_EXIT_FAIL;
	}
	if (*out == NULL) {
		wn_diag_list_fini(&d);
		return WN_EXIT_FAIL;
	}
	if (d.warnings > 0)
		fprintf(stderr, "winnow %s: rules loaded with %zu warning%s "
		    "(see winnow rules lint)\n", cmd, d.warnings,
		    d.warnings == 1 ? "" : "s");
	wn_diag_list_fini(&d);
	return 0;
}
