/*
 * cmd_tokens.c - `winnow tokens`: the features the classifier sees.
 *
 * One feature per line: kind, 64-bit hash in hex, readable form. The hash
 * is what a token store keys on; the readable form exists for people.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include <winnow/arena.h>
#include <winnow/buf.h>
#include <winnow/err.h>
#include <winnow/mime.h>
#include <winnow/tokenize.h>

#include "cli.h"

typedef struct wn_tokens_opts {
	wn_tokenize_opts tok;
	wn_mime_limits limits;
	wn_arena *arena;
	wn_buf out;
	bool count_only;
	int n_paths;
} wn_tokens_opts;

static const char wn_tokens_usage[] =
    "usage: winnow tokens [OPTIONS] PATH...\n"
    "Print the features of each message, one per line:\n"
    "KIND<TAB>HASH<TAB>TEXT, in order of first appearance.\n\n"
    "  --osb N           sparse bigram window, 1 = no bigrams (default 1)\n"
    "  --count           print only the number of features per message\n"
    "  -h, --help        this help\n"
    "PATH: message file, mbox, maildir, folder, or - for standard input.\n";

static int
wn_tokens_one(const wn_input_msg *m, void *arg)
{
	wn_tokens_opts *o = arg;
	wn_mime_msg *msg;
	wn_tokens toks;
	size_t i;
	int rc;

	wn_arena_reset(o->arena);
	wn_buf_reset(&o->out);
	if ((rc = wn_mime_parse(o->arena, m->data, m->len, &o->limits,
	    &msg)) != 0 ||
	    (rc = wn_tokenize(o->arena, msg, &o->tok, &toks)) != 0) {
		fprintf(stderr, "winnow: %s: %s\n", m->path, wn_strerror(rc));
		return rc == WN_ENOMEM ? WN_EXIT_SOFTWARE : WN_EXIT_FAIL;
	}
	if (o->count_only) {
		wn_buf_printf(&o->out, "%zu\t%s", toks.n, m->path);
		if (m->index)
			wn_buf_printf(&o->out, " #%zu", m->index);
		wn_buf_putc(&o->out, '\n');
	} else {
		if (m->index)
			wn_buf_printf(&o->out, "# %s #%zu\n", m->path, m->index);
		else if (o->n_paths > 1 || m->index)
			wn_buf_printf(&o->out, "# %s\n", m->path);
		for (i = 0; i < toks.n; i++) {
			const wn_token *t = &toks.v[i];

			wn_buf_printf(&o->out, "%s\t%016" PRIx64 "\t",
			    wn_token_kind_name(t->kind), t->hash);
			wn_buf_append(&o->out, t->text, t->len);
			wn_buf_putc(&o->out, '\n');
		}
	}
	if (o->out.failed)
		return WN_EXIT_SOFTWARE;
	fwrite(o->out.data, 1, o->out.len, stdout);
	return 0;
}

int
wn_cmd_tokens(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "osb", required_argument, NULL, 'o' },
		{ "count", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	wn_tokens_opts o = { 0 };
	unsigned long long v;
	int c, rc;

	wn_tokenize_opts_default(&o.tok);
	o.tok.keep_text = true;
	wn_mime_limits_default(&o.limits);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if ((rc = wn_cli_size_arg("tokens", "--osb", optarg, 1,
			    8, &v)) != 0)
				return rc;
			o.tok.osb_window = (unsigned)v;
			break;
		case 'c':
			o.count_only = true;
			o.tok.keep_text = false;
			break;
		case 'h':
			fputs(wn_tokens_usage, stdout);
			return WN_EXIT_OK;
		default:
			return wn_cli_usage_error("tokens", "unknown option");
		}
	}
	if (optind >= argc)
		return wn_cli_usage_error("tokens", "no PATH given");
	o.n_paths = argc - optind;
	if ((o.arena = wn_arena_new(0)) == NULL) {
		fprintf(stderr, "winnow: out of memory\n");
		return WN_EXIT_SOFTWARE;
	}
	wn_buf_init(&o.out);
	rc = wn_cli_each_message(argv + optind, argc - optind, wn_tokens_one,
	    &o);
	wn_buf_fini(&o.out);
	wn_arena_free(&o.arena);
	if (fflush(stdout) != 0) {
		perror("winnow: stdout");
		return WN_EXIT_FAIL;
	}
	return rc;
}
