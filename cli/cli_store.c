/*
 * cli_store.c - opening the token store for a command.
 *
 * A store records the tokenizer settings its hashes were made with; every
 * command that opens one adopts them, so `learn`, `classify` and winnowd
 * always tokenize alike. Errors name the store file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <winnow/err.h>

#include "cli.h"

int
wn_cli_open_store(const char *cmd, const char *path, unsigned flags,
    wn_scan_config *cfg, wn_store **st_out)
{
	wn_store_params params;
	wn_store_totals tot;
	char err[256];
	int rc;

	params.seed = cfg->tokenize.seed;
	params.osb_window = cfg->tokenize.osb_window;
	params.map_size = 0;
	errno = 0;
	rc = wn_store_open(path, flags, &params, st_out, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "winnow %s: %s: %s\n", cmd, path,
		    err[0] ? err : wn_strerror(rc));
		return rc == WN_ENOMEM ? WN_EXIT_SOFTWARE : WN_EXIT_FAIL;
	}
	if ((rc = (*st_out)->ops->totals(*st_out, &tot)) != 0) {
		fprintf(stderr, "winnow %s: %s: %s\n", cmd, path,
		    wn_store_error(*st_out));
		wn_store_close(st_out);
		return WN_EXIT_FAIL;
	}
	cfg->tokenize.seed = tot.seed;
	if (tot.osb_window >= 1 && tot.osb_window <= 8)
		cfg->tokenize.osb_window = tot.osb_window;
	cfg->store = *st_out;
	return 0;
}

const char *
wn_cli_default_db(void)
{
	return WN_CLI_DEFAULT_DB;
}

int
wn_cli_retrain(const char *cmd, const char *path, wn_store *st,
    const wn_linear_params *p, bool quiet)
{
	wn_linear_info info;
	bool trained;
	int rc;

	if (st->ops->samples_each == NULL)
		return 0;	/* Redis: Fisher alone, nothing to train */
	if ((rc = st->ops->flush(st)) != 0 ||
	    (rc = wn_linear_train(st, p, &trained, &info)) != 0) {
		fprintf(stderr, "winnow %s: %s: linear stage: %s\n", cmd, path,
		    st->error[0] ? wn_store_error(st) : wn_strerror(rc));
		return rc == WN_ENOMEM ? WN_EXIT_SOFTWARE : WN_EXIT_FAIL;
	}
	if (quiet)
		return 0;
	if (trained)
		printf("linear stage: trained on %llu spam and %llu ham "
		    "samples\n", (unsigned long long)info.spam,
		    (unsigned long long)info.ham);
	else if (info.uncovered)
		printf("linear stage: not trained, samples kept for %llu of "
		    "%llu spam and %llu of %llu ham learned (learned before "
		    "samples were kept?); learning those messages again keeps "
		    "theirs\n", (unsigned long long)info.spam,
		    (unsigned long long)info.learned_spam,
		    (unsigned long long)info.ham,
		    (unsigned long long)info.learned_ham);
	else
		printf("linear stage: not trained, %llu spam and %llu ham "
		    "samples kept, %llu of each needed\n",
		    (unsigned long long)info.spam, (unsigned long long)info.ham,
		    (unsigned long long)p->min_samples);
	return 0;
}
