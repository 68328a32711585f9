/*
 * cmd_parse.c - `winnow parse`: the parsed structure of messages.
 *
 * Text form for people; --json prints one JSON object per message per line
 * (the layout of docs/parse-json.md), --pretty indents it, --text adds the
 * rendered text of every part.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <winnow/arena.h>
#include <winnow/buf.h>
#include <winnow/err.h>
#include <winnow/json.h>
#include <winnow/mime.h>
#include <winnow/mime_dump.h>

#include "cli.h"

typedef struct wn_parse_opts {
	bool json;
	bool pretty;
	unsigned dump;
	wn_mime_limits limits;
	wn_arena *arena;
	wn_buf out;
} wn_parse_opts;

static const char wn_parse_usage[] =
    "usage: winnow parse [OPTIONS] PATH...\n"
    "Show the structure of each message: headers, part tree, rendered\n"
    "text length, URLs and anomaly flags.\n\n"
    "  --json            one JSON object per message (docs/parse-json.md)\n"
    "  --pretty          indent the JSON\n"
    "  --text            include the rendered text of every part\n"
    "  --max-scan N      bytes of a message to look at (default 4M)\n"
    "  --max-depth N     multipart nesting limit (default 16)\n"
    "  --max-parts N     parts per message (default 256)\n"
    "  -h, --help        this help\n"
    "PATH: message file, mbox, maildir, folder, or - for standard input.\n";

static int
wn_parse_one(const wn_input_msg *m, void *arg)
{
	wn_parse_opts *o = arg;
	wn_mime_msg *msg;
	wn_json j;
	int rc;

	wn_arena_reset(o->arena);
	wn_buf_reset(&o->out);
	if ((rc = wn_mime_parse(o->arena, m->data, m->len, &o->limits,
	    &msg)) != 0) {
		fprintf(stderr, "winnow: %s: %s\n", m->path, wn_strerror(rc));
		return rc == WN_ENOMEM ? WN_EXIT_SOFTWARE : WN_EXIT_FAIL;
	}
	if (o->json) {
		wn_json_init(&j, &o->out, o->pretty ? 2 : 0);
		wn_json_obj_begin(&j);
		wn_json_key(&j, "path");
		wn_json_str(&j, m->path);
		wn_json_key(&j, "index");
		wn_json_uint(&j, m->index);
		wn_mime_dump_json(msg, o->dump, &j);
		wn_json_obj_end(&j);
		wn_buf_putc(&o->out, '\n');
	} else {
		if (m->index)
			wn_buf_printf(&o->out, "==> %s #%zu\n", m->path,
			    m->index);
		else
			wn_buf_printf(&o->out, "==> %s\n", m->path);
		wn_mime_dump_text(msg, o->dump, &o->out);
	}
	if (o->out.failed)
		return WN_EXIT_SOFTWARE;
	fwrite(o->out.data, 1, o->out.len, stdout);
	return 0;
}

int
wn_cmd_parse(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'P' },
		{ "text", no_argument, NULL, 't' },
		{ "max-scan", required_argument, NULL, 's' },
		{ "max-depth", required_argument, NULL, 'd' },
		{ "max-parts", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	wn_parse_opts o = { 0 };
	unsigned long long v;
	int c, rc;

	wn_mime_limits_default(&o.limits);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'P':
			o.pretty = true;
			break;
		case 't':
			o.dump |= WN_DUMP_TEXT;
			break;
		case 's':
			if ((rc = wn_cli_size_arg("parse", "--max-scan", optarg,
			    1024, 1ull << 32, &v)) != 0)
				return rc;
			o.limits.max_scan_bytes = (size_t)v;
			break;
		case 'd':
			if ((rc = wn_cli_size_arg("parse", "--max-depth", optarg,
			    1, 1000, &v)) != 0)
				return rc;
			o.limits.max_depth = (unsigned)v;
			break;
		case 'p':
			if ((rc = wn_cli_size_arg("parse", "--max-parts", optarg,
			    1, 100000, &v)) != 0)
				return rc;
			o.limits.max_parts = (unsigned)v;
			break;
		case 'h':
			fputs(wn_parse_usage, stdout);
			return WN_EXIT_OK;
		default:
			return wn_cli_usage_error("parse", "unknown option");
		}
	}
	if (optind >= argc)
		return wn_cli_usage_error("parse", "no PATH given");
	if ((o.arena = wn_arena_new(0)) == NULL) {
		fprintf(stderr, "winnow: out of memory\n");
		return WN_EXIT_SOFTWARE;
	}
	wn_buf_init(&o.out);
	rc = wn_cli_each_message(argv + optind, argc - optind, wn_parse_one,
	    &o);
	wn_buf_fini(&o.out);
	wn_arena_free(&o.arena);
	if (fflush(stdout) != 0) {
		perror("winnow: stdout");
		return WN_EXIT_FAIL;
	}
	return rc;
}
