/*
 * cmd_report.c - `winnow report keygen|preview|send`: the operator's side
 * of statistics reporting.
 *
 * keygen makes the Ed25519 key pair a repository registers; preview
 * prints, for each sealed period in the spool, exactly the report that
 * send would sign and post; send (report_send.c) delivers them. The
 * sharing level, minimum counts, declared country and operator type come
 * from winnow.conf, so preview and send agree with what winnowd counted.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <winnow/config.h>
#include <winnow/err.h>
#include <winnow/json.h>

#include "cli.h"
#include "cli_report.h"

#define WN_DEFAULT_CONF "/etc/winnow/winnow.conf"

static void
wn_report_usage(FILE *f)
{
	fprintf(f,
	    "usage: winnow report keygen --out DIR [--name NAME]\n"
	    "       winnow report preview [-c FILE] [--spool DIR] "
	    "[--key FILE] [--pretty]\n"
	    "       winnow report send [-c FILE] [--spool DIR] "
	    "[--repository URL] [--key FILE]\n"
	    "                          [--cacert FILE] [--attempts N] "
	    "[--timeout SECONDS]\n"
	    "  -c FILE            winnow.conf (default " WN_DEFAULT_CONF
	    " if it exists)\n"
	    "  --spool DIR        sealed periods (default: report_spool)\n"
	    "  --key FILE         the secret key (default: report_key); "
	    "preview also\n"
	    "                     takes the public key\n"
	    "  --repository URL   winnow-repository's base URL "
	    "(default: report_repository)\n"
	    "see winnow(1), section REPORTS\n");
}

int
wn_report_settings(const char *conf, wn_settings **out)
{
	wn_diag_list d;
	int rc;

	if (conf == NULL && access(WN_DEFAULT_CONF, F_OK) == 0)
		conf = WN_DEFAULT_CONF;
	wn_diag_list_init(&d);
	rc = wn_settings_load(conf, &d, out);
	wn_cli_print_diags(stderr, &d, false);
	wn_diag_list_fini(&d);
	if (rc != 0) {
		fprintf(stderr, "winnow report: %s: configuration not usable "
		    "(%s)\n", conf ? conf : "(defaults)", wn_strerror(rc));
		return WN_EXIT_USAGE;
	}
	return 0;
}

void
wn_report_opts_from(const wn_settings *s, const char *key_id,
    wn_report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sharing = (enum wn_sharing)wn_sharing_parse(s->report_sharing);
	o->min_count = (uint64_t)s->report_min_count;
	o->prefix_min_count = (uint64_t)s->report_prefix_min_count;
	snprintf(o->country, sizeof(o->country), "%s", s->report_country);
	o->operator_type = s->report_operator_type;
	o->key_id = key_id;
}

static int
wn_report_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *name = "report";
	char line[128];
	wn_seckey k;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': dir = optarg; break;
		case 'n': name = optarg; break;
		case 'h': wn_report_usage(stdout); return WN_EXIT_OK;
		default: wn_report_usage(stderr); return WN_EXIT_USAGE;
		}
	}
	if (dir == NULL || optind != argc || strchr(name, '/') != NULL) {
		wn_report_usage(stderr);
		return WN_EXIT_USAGE;
	}
	if (wn_seckey_generate(&k) != 0) {
		fprintf(stderr, "winnow report keygen: libsodium did not "
		    "initialise\n");
		return WN_EXIT_SOFTWARE;
	}
	if (wn_seckey_save(&k, dir, name) != 0) {
		fprintf(stderr, "winnow report keygen: %s/%s.key: %s\n", dir,
		    name, errno == EEXIST ? "a key is already there; "
		    "not overwritten" : strerror(errno));
		return WN_EXIT_FAIL;
	}
	wn_pubkey_format(&k.pub, line, sizeof(line));
	printf("key id %s\nsecret key %s/%s.key (keep it; mode 0600)\n"
	    "public key %s/%s.pub: register it with the repository:\n"
	    "  winnow-repository reporter add --key %s/%s.pub ...\n",
	    k.pub.id, dir, name, dir, name, dir, name);
	return WN_EXIT_OK;
}

/* The key id for a preview: from the secret key, or a public key file. */
static int
wn_report_key_id(const char *path, char id[WN_SIGN_KEY_ID_LEN + 1])
{
	wn_seckey k;
	wn_pubkey p;
	int rc = wn_seckey_load(path, &k);

	if (rc == WN_EFORMAT)
		rc = wn_pubkey_load(path, &p);
	else if (rc == 0)
		p = k.pub;
	if (rc != 0) {
		fprintf(stderr, "winnow report: %s: %s\n", path,
		    rc == WN_EFORMAT ? "not a winnow key file" :
		    strerror(errno));
		return WN_EXIT_FAIL;
	}
	memcpy(id, p.id, WN_SIGN_KEY_ID_LEN + 1);
	return 0;
}

/* Indent one line of JSON for reading (the report itself stays one
 * line when sent). */
static void
wn_report_pretty(const char *s, FILE *f)
{
	int depth = 0;
	bool in_str = false;

	for (; *s; s++) {
		char c = *s;

		if (in_str) {
			fputc(c, f);
			if (c == '\\' && s[1] != '\0')
				fputc(*++s, f);
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case '"': in_str = true; fputc(c, f); break;
		case '{': case '[':
			fprintf(f, "%c\n%*s", c, 2 * ++depth, "");
			break;
		case '}': case ']':
			fprintf(f, "\n%*s%c", 2 * --depth, "", c);
			break;
		case ',': fprintf(f, ",\n%*s", 2 * depth, ""); break;
		case ':': fputs(": ", f); break;
		default: fputc(c, f);
		}
	}
	fputc('\n', f);
}

static int
wn_report_preview(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "spool", required_argument, NULL, 's' },
		{ "key", required_argument, NULL, 'k' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *conf = NULL, *spool = NULL, *key = NULL;
	char id[WN_SIGN_KEY_ID_LEN + 1], **paths = NULL, err[512];
	bool pretty = false;
	wn_settings *s = NULL;
	wn_report_opts o;
	size_t n = 0, i;
	int ch, rc, status = WN_EXIT_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 's': spool = optarg; break;
		case 'k': key = optarg; break;
		case 'p': pretty = true; break;
		case 'h': wn_report_usage(stdout); return WN_EXIT_OK;
		default: wn_report_usage(stderr); return WN_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		wn_report_usage(stderr);
		return WN_EXIT_USAGE;
	}
	if ((rc = wn_report_settings(conf, &s)) != 0)
		return rc;
	if (spool == NULL)
		spool = s->report_spool;
	if (key == NULL)
		key = s->report_key;
	if ((rc = wn_report_key_id(key, id)) != 0) {
		wn_settings_free(&s);
		return rc;
	}
	wn_report_opts_from(s, id, &o);
	if ((rc = wn_stats_spool_list(spool, &paths, &n)) != 0) {
		fprintf(stderr, "winnow report preview: %s: %s\n", spool,
		    rc == WN_ENOMEM ? wn_strerror(rc) : strerror(errno));
		wn_settings_free(&s);
		return WN_EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		wn_stats_period *p = NULL;
		wn_buf out;

		if (wn_stats_period_load(paths[i], &p, err, sizeof(err)) != 0) {
			fprintf(stderr, "winnow report preview: %s\n", err);
			status = WN_EXIT_FAIL;
			continue;
		}
		wn_buf_init(&out);
		if (wn_report_build(p, &o, &out) != 0) {
			status = WN_EXIT_SOFTWARE;
		} else if (pretty) {
			wn_report_pretty(out.data, stdout);
		} else {
			fwrite(out.data, 1, out.len, stdout);
			fputc('\n', stdout);
		}
		wn_buf_fini(&out);
		wn_stats_period_free(&p);
	}
	if (n == 0)
		fprintf(stderr, "winnow report preview: %s: no sealed period "
		    "to send\n", spool);
	wn_stats_spool_list_free(paths, n);
	wn_settings_free(&s);
	return status;
}

int
wn_cmd_report(int argc, char **argv)
{
	if (argc < 2) {
		wn_report_usage(stderr);
		return WN_EXIT_USAGE;
	}
	if (strcmp(argv[1], "keygen") == 0)
		return wn_report_keygen(argc - 1, argv + 1);
	if (strcmp(argv[1], "preview") == 0)
		return wn_report_preview(argc - 1, argv + 1);
	if (strcmp(argv[1], "send") == 0)
		return wn_report_send(argc - 1, argv + 1);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		wn_report_usage(stdout);
		return WN_EXIT_OK;
	}
	fprintf(stderr, "winnow report: unknown command '%s'\n", argv[1]);
	wn_report_usage(stderr);
	return WN_EXIT_USAGE;
}
