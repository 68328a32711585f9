/*
 * cmd_rules_pkg.c - `winnow rules pack|sign|keygen|verify`: signed
 * rule-set packages, the maintainer's side (pack, keygen, sign) and the
 * operator's (verify). The work is in lib/ruleset_pkg*.c; this file reads
 * options and prints one line per outcome.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <winnow/err.h>
#include <winnow/ruleset_pkg.h>

#include "cli.h"


/* the exit status for a library error: 70 when out of memory */
static int
wn_rules_pkg_fail(const char *cmd, int rc, const char *err)
{
	fprintf(stderr, "winnow rules %s: %s\n", cmd, err);
	return rc == WN_ENOMEM ? WN_EXIT_SOFTWARE : WN_EXIT_FAIL;
}

/* parse the options of cmd: one positional and required long options */
static int
wn_rules_pkg_args(const char *cmd, int argc, char **argv,
    const char *shortopts, const struct option *opts, const char **vals,
    const char **pos)
{
	int ch, i;

	optind = 1;
	while ((ch = getopt_long(argc, argv, shortopts, opts, &i)) != -1) {
		if (ch == 'o')
			ch = 0;	/* -o is --out for pack */
		else if (ch == '?' || ch == ':')
			return wn_cli_usage_error(cmd, "unknown option or "
			    "missing value");
		else
			ch -= 1;
		vals[ch] = optarg;
	}
	if (pos != NULL) {
		if (optind != argc - 1)
			return wn_cli_usage_error(cmd, "give one path");
		*pos = argv[optind];
	} else if (optind != argc) {
		return wn_cli_usage_error(cmd, "no path expected");
	}
	return 0;
}

static int
wn_rules_pack(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 1 },
		{ NULL, 0, NULL, 0 }
	};
	const char *vals[1] = { NULL }, *dir = NULL;
	char err[WN_RULESET_PKG_ERR_LEN];
	wn_ruleset_pkg p;
	int rc;

	if ((rc = wn_rules_pkg_args("rules pack", argc, argv, "o:", opts, vals,
	    &dir)) != 0)
		return rc;
	if (vals[0] == NULL)
		return wn_cli_usage_error("rules pack", "give -o FILE");
	if ((rc = wn_ruleset_pkg_pack(dir, vals[0], &p, err)) != 0)
		return wn_rules_pkg_fail("pack", rc, err);
	printf("%s: packed %s (%zu files, unsigned) into %s\n", dir, p.top,
	    p.n_files, vals[0]);
	wn_ruleset_pkg_fini(&p);
	return WN_EXIT_OK;
}

static int
wn_rules_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 1 },
		{ NULL, 0, NULL, 0 }
	};
	const char *vals[1] = { NULL }, *file = NULL;
	char err[WN_RULESET_PKG_ERR_LEN];
	wn_ruleset_pkg p;
	wn_seckey k;
	int rc;

	if ((rc = wn_rules_pkg_args("rules sign", argc, argv, "", opts, vals,
	    &file)) != 0)
		return rc;
	if (vals[0] == NULL)
		return wn_cli_usage_error("rules sign", "give --key FILE");
	if ((rc = wn_seckey_load(vals[0], &k)) != 0) {
		fprintf(stderr, "winnow rules sign: %s: %s\n", vals[0],
		    rc == WN_EFORMAT ? "not a winnow secret key" :
		    strerror(errno));
		return WN_EXIT_FAIL;
	}
	rc = wn_ruleset_pkg_sign(file, &k, &p, err);
	memset(&k, 0, sizeof(k));
	if (rc != 0)
		return wn_rules_pkg_fail("sign", rc, err);
	printf("%s: %s signed by key %s\n", file, p.top, p.key_id);
	wn_ruleset_pkg_fini(&p);
	return WN_EXIT_OK;
}

static int
wn_rules_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 1 },
		{ "name", required_argument, NULL, 2 },
		{ NULL, 0, NULL, 0 }
	};
	const char *vals[2] = { NULL, "maintainer" };
	wn_seckey k;
	int rc;

	if ((rc = wn_rules_pkg_args("rules keygen", argc, argv, "", opts, vals,
	    NULL)) != 0)
		return rc;
	if (vals[0] == NULL || *vals[1] == '\0' || vals[1][0] == '.' ||
	    strchr(vals[1], '/') != NULL)
		return wn_cli_usage_error("rules keygen", "give --out DIR and "
		    "a plain --name");
	if (wn_seckey_generate(&k) != 0) {
		fprintf(stderr, "winnow rules keygen: libsodium did not "
		    "initialise\n");
		return WN_EXIT_SOFTWARE;
	}
	rc = wn_seckey_save(&k, vals[0], vals[1]);
	memset(&k.sk, 0, sizeof(k.sk));
	if (rc != 0) {
		fprintf(stderr, "winnow rules keygen: %s/%s.key: %s\n", vals[0],
		    vals[1], errno == EEXIST ? "a key is already there; not "
		    "overwritten" : strerror(errno));
		return WN_EXIT_FAIL;
	}
	printf("key id %s\nsecret key %s/%s.key (keep it; mode 0600)\n"
	    "public key %s/%s.pub: operators put it in the folder they give "
	    "to\n  winnow rules verify --trusted DIR\n", k.pub.id, vals[0],
	    vals[1], vals[0], vals[1]);
	return WN_EXIT_OK;
}

static int
wn_rules_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "trusted", required_argument, NULL, 1 },
		{ NULL, 0, NULL, 0 }
	};
	const char *vals[1] = { NULL }, *file = NULL;
	char err[WN_RULESET_PKG_ERR_LEN];
	wn_ruleset_pkg p;
	int rc;

	if ((rc = wn_rules_pkg_args("rules verify", argc, argv, "", opts, vals,
	    &file)) != 0)
		return rc;
	if (vals[0] == NULL)
		return wn_cli_usage_error("rules verify", "give --trusted DIR");
	if ((rc = wn_ruleset_pkg_verify(file, vals[0], NULL, &p, err)) != 0)
		return wn_rules_pkg_fail("verify", rc, err);
	printf("%s %s: signature by %s holds (%zu files)\n", p.manifest.name,
	    p.manifest.version, p.key_id, p.n_files);
	wn_ruleset_pkg_fini(&p);
	return WN_EXIT_OK;
}

/*
 * wn_cmd_rules_pkg - run `winnow rules SUB ...` for the package
 * subcommands (argv[0] is SUB); -1 when SUB is none of them.
 */
int
wn_cmd_rules_pkg(int argc, char **argv)
{
	if (strcmp(argv[0], "pack") == 0)
		return wn_rules_pack(argc, argv);
	if (strcmp(argv[0], "sign") == 0)
		return wn_rules_sign(argc, argv);
	if (strcmp(argv[0], "keygen") == 0)
		return wn_rules_keygen(argc, argv);
	if (strcmp(argv[0], "verify") == 0)
		return wn_rules_verify(argc, argv);
	return -1;
}
