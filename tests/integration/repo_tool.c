/*
 * repo_tool.c - helper of the repository tests: key pairs and signed
 * envelopes, so shell scripts can post reports with curl.
 *
 *   repo_tool keygen DIR NAME
 *       write DIR/NAME.key and DIR/NAME.pub; print the key id
 *   repo_tool envelope --key K.key --report FILE [--signed-at ISO]
 *       [--nonce HEX] [--tamper]
 *       print the signed envelope of the report in FILE: signed now (or
 *       at --signed-at) with a fresh nonce (or --nonce); --tamper changes
 *       one byte of the report after signing
 *   repo_tool feed-verify --key K.pub FILE
 *       check the signed bulk feed in FILE as winnowd does
 *       (wn_bulk_feed_parse, now): print "digests D bands B
 *       min_reporters M key_id K", or the reason it is refused
 *
 * Exit 0, 64 on a bad command line, 1 on any other failure (a feed
 * refused included).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <winnow/buf.h>
#include <winnow/bulk_feed.h>
#include <winnow/err.h>
#include <winnow/json.h>
#include <winnow/sign.h>

static int
tool_usage(void)
{
	fprintf(stderr, "usage: repo_tool keygen DIR NAME\n"
	    "       repo_tool envelope --key K.key --report FILE "
	    "[--signed-at ISO] [--nonce HEX] [--tamper]\n"
	    "       repo_tool feed-verify --key K.pub FILE\n");
	return 64;
}

static int
tool_keygen(int argc, char **argv)
{
	wn_seckey k;

	if (argc != 4)
		return tool_usage();
	if (wn_seckey_generate(&k) != 0 ||
	    wn_seckey_save(&k, argv[2], argv[3]) != 0) {
		perror("repo_tool keygen");
		return 1;
	}
	printf("%s\n", k.pub.id);
	return 0;
}

static int
tool_read(const char *path, wn_buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		wn_buf_append(out, chunk, n);
	fclose(f);
	/* a report file written by a shell ends in a line feed; the report
	 * is the JSON text without it */
	while (out->len > 0 && out->data[out->len - 1] == '\n')
		out->data[--out->len] = '\0';
	return out->failed ? -1 : 0;
}

static int
tool_envelope(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "report", required_argument, NULL, 'r' },
		{ "signed-at", required_argument, NULL, 's' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "tamper", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char *key = NULL, *report = NULL, *signed_at = NULL;
	const char *nonce_arg = NULL;
	char nonce[33], at[32], sig[WN_SIGN_SIG_B64_LEN + 1];
	int tamper = 0, ch;
	wn_buf rep, msg, out;
	wn_seckey k;
	wn_json j;
	time_t now = time(NULL);

	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': key = optarg; break;
		case 'r': report = optarg; break;
		case 's': signed_at = optarg; break;
		case 'n': nonce_arg = optarg; break;
		case 't': tamper = 1; break;
		default: return tool_usage();
		}
	}
	if (key == NULL || report == NULL || optind != argc)
		return tool_usage();
	if (wn_seckey_load(key, &k) != 0) {
		fprintf(stderr, "repo_tool: %s: cannot load the key\n", key);
		return 1;
	}
	if (signed_at == NULL) {
		strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
		signed_at = at;
	}
	if (nonce_arg != NULL)
		snprintf(nonce, sizeof(nonce), "%s", nonce_arg);
	else
		wn_sign_random_hex(nonce, 16);
	wn_buf_init(&rep);
	wn_buf_init(&msg);
	wn_buf_init(&out);
	if (tool_read(report, &rep) != 0)
		return 1;
	wn_buf_printf(&msg, "winnow-signed-report-1\n%s\n%s\n%s\n",
	    k.pub.id, signed_at, nonce);
	wn_buf_append(&msg, rep.data, rep.len);
	wn_sign_detached(&k, msg.data, msg.len, sig);
	if (tamper && rep.len > 0) {
		/* a digit changed keeps the report valid JSON */
		char *p = strpbrk(rep.data, "123456789");

		if (p != NULL)
			*p = *p == '9' ? '8' : (char)(*p + 1);
		else
			rep.data[rep.len - 1] ^= 1;
	}
	wn_json_init(&j, &out, 0);
	wn_json_obj_begin(&j);
	wn_json_key(&j, "format");
	wn_json_str(&j, "winnow-signed-report-1");
	wn_json_key(&j, "key_id");
	wn_json_str(&j, k.pub.id);
	wn_json_key(&j, "signed_at");
	wn_json_str(&j, signed_at);
	wn_json_key(&j, "nonce");
	wn_json_str(&j, nonce);
	wn_json_key(&j, "report");
	wn_json_strn(&j, rep.data, rep.len);
	wn_json_key(&j, "signature");
	wn_json_str(&j, sig);
	wn_json_obj_end(&j);
	fwrite(out.data, 1, out.len, stdout);
	putchar('\n');
	wn_buf_fini(&rep);
	wn_buf_fini(&msg);
	wn_buf_fini(&out);
	return 0;
}

static int
tool_feed_verify(int argc, char **argv)
{
	const wn_bulk_feed_info *info;
	wn_bulk_feed *f = NULL;
	wn_pubkey pk;
	char err[256];
	int rc;

	if (argc != 5 || strcmp(argv[2], "--key") != 0)
		return tool_usage();
	if (wn_pubkey_load(argv[3], &pk) != 0) {
		fprintf(stderr, "repo_tool: %s: cannot load the key\n",
		    argv[3]);
		return 1;
	}
	rc = wn_bulk_feed_load(argv[4], &pk, (int64_t)time(NULL), &f, err,
	    sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "repo_tool: %s: %s\n", argv[4], err);
		return 1;
	}
	info = wn_bulk_feed_info_get(f);
	printf("digests %zu bands %zu min_reporters %u key_id %s\n",
	    info->n_digests, info->n_bands, info->min_reporters,
	    info->key_id);
	wn_bulk_feed_free(&f);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return tool_usage();
	if (wn_sign_init() != 0)
		return 1;
	if (strcmp(argv[1], "keygen") == 0)
		return tool_keygen(argc, argv);
	if (strcmp(argv[1], "envelope") == 0)
		return tool_envelope(argc, argv);
	if (strcmp(argv[1], "feed-verify") == 0)
		return tool_feed_verify(argc, argv);
	return tool_usage();
}
