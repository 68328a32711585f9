/*
 * ruleset_tool.c - helper of the rule-set channel tests: the signed body
 * of a promotion, so shell scripts can post it with curl.
 *
 *   ruleset_tool promote --key K.key --name NAME --version VERSION
 *       [--stage STAGE] [--time ISO | --skew SECONDS] [--tamper]
 *       print {"stage", "time", "key_id", "signature"} signed by K over
 *       wn_ruleset_promote_text: stage "stable" unless given, time now
 *       (or ISO, or now + SECONDS); --tamper signs another version than
 *       the one named, so the signature does not hold
 *
 * Exit 0, 64 on a bad command line, 1 on any other failure.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <winnow/buf.h>
#include <winnow/json.h>
#include <winnow/ruleset_meta.h>
#include <winnow/sign.h>

static int
tool_usage(void)
{
	fprintf(stderr, "usage: ruleset_tool promote --key K.key --name NAME "
	    "--version VERSION\n"
	    "           [--stage STAGE] [--time ISO | --skew SECONDS] "
	    "[--tamper]\n");
	return 64;
}

static int
tool_promote(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' },
		{ "version", required_argument, NULL, 'v' },
		{ "stage", required_argument, NULL, 's' },
		{ "time", required_argument, NULL, 't' },
		{ "skew", required_argument, NULL, 'w' },
		{ "tamper", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 }
	};
	const char *key = NULL, *name = NULL, *version = NULL;
	const char *stage = "stable", *at = NULL;
	char now_s[32], sig[WN_SIGN_SIG_B64_LEN + 1];
	time_t now = time(NULL);
	int tamper = 0, ch;
	wn_buf text, out;
	wn_seckey k;
	wn_json j;

	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': key = optarg; break;
		case 'n': name = optarg; break;
		case 'v': version = optarg; break;
		case 's': stage = optarg; break;
		case 't': at = optarg; break;
		case 'w': now += atol(optarg); break;
		case 'x': tamper = 1; break;
		default: return tool_usage();
		}
	}
	if (key == NULL || name == NULL || version == NULL || optind != argc)
		return tool_usage();
	if (wn_seckey_load(key, &k) != 0) {
		fprintf(stderr, "ruleset_tool: %s: cannot load the key\n", key);
		return 1;
	}
	if (at == NULL) {
		strftime(now_s, sizeof(now_s), "%Y-%m-%dT%H:%M:%SZ",
		    gmtime(&now));
		at = now_s;
	}
	wn_buf_init(&text);
	wn_buf_init(&out);
	if (wn_ruleset_promote_text(name, tamper ? "0.0.0" : version, stage,
	    at, &text) != 0) {
		fprintf(stderr, "ruleset_tool: cannot frame the text\n");
		return 1;
	}
	wn_sign_detached(&k, text.data, text.len, sig);
	wn_json_init(&j, &out, 0);
	wn_json_obj_begin(&j);
	wn_json_key(&j, "stage");
	wn_json_str(&j, stage);
	wn_json_key(&j, "time");
	wn_json_str(&j, at);
	wn_json_key(&j, "key_id");
	wn_json_str(&j, k.pub.id);
	wn_json_key(&j, "signature");
	wn_json_str(&j, sig);
	wn_json_obj_end(&j);
	fwrite(out.data, 1, out.len, stdout);
	putchar('\n');
	wn_buf_fini(&text);
	wn_buf_fini(&out);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return tool_usage();
	if (wn_sign_init() != 0)
		return 1;
	if (strcmp(argv[1], "promote") == 0)
		return tool_promote(argc, argv);
	return tool_usage();
}
