/*
 * cmd_reporter.c - `winnow-repository reporter add|list|revoke`: the
 * administrator's register of reporter keys.
 *
 * A reporter is a public key (the operator's NAME.pub from `winnow report
 * keygen`), a name for people, and the country its reports count for.
 * Revoking keeps the reporter and its reports; only new reports are
 * refused (403).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <winnow/arena.h>
#include <winnow/err.h>

#include <winnow/report.h>

#include "cmd.h"
#include "day.h"
#include "db.h"

static void
wn_reporter_usage(FILE *f)
{
	fprintf(f, "usage: " WN_REPO_PROG " reporter add --db URL --key "
	    "FILE.pub --name NAME --country CC\n"
	    "           [--operator-type TYPE]   register a key; prints its "
	    "key id\n"
	    "       " WN_REPO_PROG " reporter list --db URL        the "
	    "registered keys\n"
	    "       " WN_REPO_PROG " reporter revoke --db URL KEYID  refuse "
	    "its reports from now on\n"
	    "TYPE is isp, hosting, enterprise, education, government or "
	    "other.\n");
}

static int
wn_reporter_open(const char *url, wn_repo_db **db)
{
	int rc;

	if (url == NULL)
		return wn_repo_usage_error("reporter", "--db URL is required");
	rc = wn_repo_db_open(url, 1, db);
	return rc == 0 ? 0 : wn_repo_exit_db(rc);
}

static int
wn_reporter_add(const char *url, const char *key, const char *name,
    const char *country, const char *optype)
{
	wn_repo_db *db = NULL;
	wn_reporter r;
	int rc, ex;

	if (key == NULL || name == NULL || country == NULL)
		return wn_repo_usage_error("reporter", "add needs --key, "
		    "--name and --country");
	memset(&r, 0, sizeof(r));
	if (strlen(country) != 2 || !isalpha((unsigned char)country[0]) ||
	    !isalpha((unsigned char)country[1])) {
		fprintf(stderr, WN_REPO_PROG " reporter add: --country \"%s\": "
		    "expected a two-letter code (ISO 3166-1 alpha-2)\n",
		    country);
		return EX_DATAERR;
	}
	r.country[0] = (char)toupper((unsigned char)country[0]);
	r.country[1] = (char)toupper((unsigned char)country[1]);
	if (optype != NULL && !wn_operator_type_valid(optype)) {
		fprintf(stderr, WN_REPO_PROG " reporter add: --operator-type "
		    "\"%s\": expected isp, hosting, enterprise, education, "
		    "government or other\n", optype);
		return EX_DATAERR;
	}
	if (optype != NULL)
		snprintf(r.operator_type, sizeof(r.operator_type), "%s",
		    optype);
	if (name[0] == '\0' || strlen(name) >= sizeof(r.name)) {
		fprintf(stderr, WN_REPO_PROG " reporter add: --name: expected "
		    "1 to %zu bytes\n", sizeof(r.name) - 1);
		return EX_DATAERR;
	}
	snprintf(r.name, sizeof(r.name), "%s", name);
	rc = wn_pubkey_load(key, &r.key);
	if (rc != 0) {
		fprintf(stderr, WN_REPO_PROG " reporter add: %s: %s\n", key,
		    rc == WN_EFORMAT ? "not a winnow public key file" :
		    strerror(errno));
		return rc == WN_EFORMAT ? EX_DATAERR : rc == WN_ENOENT ?
		    EX_NOINPUT : EX_IOERR;
	}
	r.added = (int64_t)time(NULL);
	if ((ex = wn_reporter_open(url, &db)) != 0)
		return ex;
	rc = wn_repo_db_reporter_add(db, &r);
	wn_repo_db_close(&db);
	if (rc == WN_EINVAL) {
		fprintf(stderr, WN_REPO_PROG " reporter add: key %s (%s) is "
		    "registered already\n", r.key.id, key);
		return EX_DATAERR;
	}
	if (rc != 0)
		return rc == WN_ENOMEM ? EX_SOFTWARE : EX_IOERR;
	printf("%s\n", r.key.id);
	return 0;
}

static int
wn_reporter_list(const char *url)
{
	wn_repo_db *db = NULL;
	wn_reporter *v = NULL;
	wn_arena *a;
	char added[21], revoked[21];
	size_t i, n = 0;
	int rc, ex;

	if ((ex = wn_reporter_open(url, &db)) != 0)
		return ex;
	if ((a = wn_arena_new(0)) == NULL) {
		wn_repo_db_close(&db);
		return EX_SOFTWARE;
	}
	rc = wn_repo_db_reporter_list(db, a, &v, &n);
	wn_repo_db_close(&db);
	if (rc != 0) {
		wn_arena_free(&a);
		return rc == WN_ENOMEM ? EX_SOFTWARE : EX_IOERR;
	}
	printf("%-16s  %-7s  %-10s  %-20s  %-20s  %s\n", "KEY ID", "COUNTRY",
	    "TYPE", "ADDED", "REVOKED", "NAME");
	for (i = 0; i < n; i++) {
		wn_day_time_format(v[i].added, added, sizeof(added));
		if (v[i].revoked != 0)
			wn_day_time_format(v[i].revoked, revoked,
			    sizeof(revoked));
		else
			strcpy(revoked, "-");
		printf("%-16s  %-7s  %-10s  %-20s  %-20s  %s\n", v[i].key.id,
		    v[i].country, v[i].operator_type[0] ?
		    v[i].operator_type : "-", added, revoked, v[i].name);
	}
	wn_arena_free(&a);
	return ferror(stdout) ? EX_IOERR : 0;
}

static int
wn_reporter_revoke(const char *url, const char *key_id)
{
	wn_repo_db *db = NULL;
	int rc, ex;

	if ((ex = wn_reporter_open(url, &db)) != 0)
		return ex;
	rc = wn_repo_db_reporter_revoke(db, key_id, (int64_t)time(NULL));
	wn_repo_db_close(&db);
	if (rc == WN_ENOENT || rc == WN_EINVAL) {
		fprintf(stderr, WN_REPO_PROG " reporter revoke: key %s: %s\n",
		    key_id, rc == WN_ENOENT ? "no reporter has this key id" :
		    "revoked already");
		return EX_DATAERR;
	}
	if (rc != 0)
		return rc == WN_ENOMEM ? EX_SOFTWARE : EX_IOERR;
	printf("%s revoked\n", key_id);
	return 0;
}

int
wn_repo_cmd_reporter(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "key", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' },
		{ "country", required_argument, NULL, 'c' },
		{ "operator-type", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL, *key = NULL, *name = NULL, *country = NULL;
	const char *optype = NULL, *action;
	int ch;

	if (argc < 2) {
		wn_reporter_usage(stderr);
		return EX_USAGE;
	}
	action = argv[1];
	if (strcmp(action, "-h") == 0 || strcmp(action, "--help") == 0) {
		wn_reporter_usage(stdout);
		return 0;
	}
	optind = 2;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'k': key = optarg; break;
		case 'n': name = optarg; break;
		case 'c': country = optarg; break;
		case 't': optype = optarg; break;
		case 'h': wn_reporter_usage(stdout); return 0;
		default: wn_reporter_usage(stderr); return EX_USAGE;
		}
	}
	if (strcmp(action, "add") == 0) {
		if (optind != argc)
			return wn_repo_usage_error("reporter", "add: "
			    "unexpected argument \"%s\"", argv[optind]);
		return wn_reporter_add(db, key, name, country, optype);
	}
	if (strcmp(action, "list") == 0) {
		if (optind != argc)
			return wn_repo_usage_error("reporter", "list: "
			    "unexpected argument \"%s\"", argv[optind]);
		return wn_reporter_list(db);
	}
	if (strcmp(action, "revoke") == 0) {
		if (optind + 1 != argc)
			return wn_repo_usage_error("reporter", "revoke needs "
			    "one KEYID");
		return wn_reporter_revoke(db, argv[optind]);
	}
	return wn_repo_usage_error("reporter", "unknown action \"%s\" (add, "
	    "list or revoke)", action);
}
