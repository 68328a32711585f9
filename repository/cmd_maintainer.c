/*
 * cmd_maintainer.c - `winnow-repository maintainer add|list|revoke`: the
 * administrator's register of rule-set maintainer keys.
 *
 * A maintainer is a public key (NAME.pub from `winnow rules keygen`) and
 * a maintainer name; several keys may share a name, and a rule set
 * belongs to the name of the key that published it first. Revoking a
 * key keeps it and what it published, but it publishes and promotes
 * nothing more and the versions it signed are no longer offered.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <winnow/arena.h>
#include <winnow/err.h>

#include "cmd.h"
#include "day.h"
#include "db.h"

static void
wn_maintainer_usage(FILE *f)
{
	fprintf(f, "usage: " WN_REPO_PROG " maintainer add --db URL --name "
	    "NAME --key FILE.pub\n"
	    "                                      register a key; prints its "
	    "key id\n"
	    "       " WN_REPO_PROG " maintainer list --db URL    the "
	    "registered keys\n"
	    "       " WN_REPO_PROG " maintainer revoke --db URL KEYID\n"
	    "                                      refuse its packages and "
	    "withdraw its versions\n");
}

static int
wn_maintainer_open(const char *url, wn_repo_db **db)
{
	int rc;

	if (url == NULL)
		return wn_repo_usage_error("maintainer", "--db URL is "
		    "required");
	rc = wn_repo_db_open(url, 1, db);
	return rc == 0 ? 0 : wn_repo_exit_db(rc);
}

/* a maintainer name: 1 to 127 printable bytes (UTF-8 allowed) */
static bool
wn_maintainer_name_ok(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n >= WN_RS_MAINTAINER_LEN)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return false;
	return true;
}

static int
wn_maintainer_add(const char *url, const char *key, const char *name)
{
	wn_repo_db *db = NULL;
	wn_maintainer m;
	int rc, ex;

	if (key == NULL || name == NULL)
		return wn_repo_usage_error("maintainer", "add needs --name and "
		    "--key");
	memset(&m, 0, sizeof(m));
	if (!wn_maintainer_name_ok(name)) {
		fprintf(stderr, WN_REPO_PROG " maintainer add: --name: "
		    "expected 1 to %d bytes without control characters\n",
		    WN_RS_MAINTAINER_LEN - 1);
		return EX_DATAERR;
	}
	snprintf(m.name, sizeof(m.name), "%s", name);
	rc = wn_pubkey_load(key, &m.key);
	if (rc != 0) {
		fprintf(stderr, WN_REPO_PROG " maintainer add: %s: %s\n", key,
		    rc == WN_EFORMAT ? "not a winnow public key file" :
		    strerror(errno));
		return rc == WN_EFORMAT ? EX_DATAERR : rc == WN_ENOENT ?
		    EX_NOINPUT : EX_IOERR;
	}
	m.added = (int64_t)time(NULL);
	if ((ex = wn_maintainer_open(url, &db)) != 0)
		return ex;
	rc = wn_repo_db_maintainer_add(db, &m);
	wn_repo_db_close(&db);
	if (rc == WN_EINVAL) {
		fprintf(stderr, WN_REPO_PROG " maintainer add: key %s (%s) is "
		    "registered already\n", m.key.id, key);
		return EX_DATAERR;
	}
	if (rc != 0)
		return rc == WN_ENOMEM ? EX_SOFTWARE : EX_IOERR;
	printf("%s\n", m.key.id);
	return 0;
}

static int
wn_maintainer_list(const char *url)
{
	wn_repo_db *db = NULL;
	wn_maintainer *v = NULL;
	wn_arena *a;
	char added[21], revoked[21];
	size_t i, n = 0;
	int rc, ex;

	if ((ex = wn_maintainer_open(url, &db)) != 0)
		return ex;
	if ((a = wn_arena_new(0)) == NULL) {
		wn_repo_db_close(&db);
		return EX_SOFTWARE;
	}
	rc = wn_repo_db_maintainer_list(db, a, &v, &n);
	wn_repo_db_close(&db);
	if (rc != 0) {
		wn_arena_free(&a);
		return rc == WN_ENOMEM ? EX_SOFTWARE : EX_IOERR;
	}
	printf("%-16s  %-20s  %-20s  %s\n", "KEY ID", "ADDED", "REVOKED",
	    "NAME");
	for (i = 0; i < n; i++) {
		wn_day_time_format(v[i].added, added, sizeof(added));
		if (v[i].revoked != 0)
			wn_day_time_format(v[i].revoked, revoked,
			    sizeof(revoked));
		else
			strcpy(revoked, "-");
		printf("%-16s  %-20s  %-20s  %s\n", v[i].key.id, added,
		    revoked, v[i].name);
	}
	wn_arena_free(&a);
	return ferror(stdout) ? EX_IOERR : 0;
}

static int
wn_maintainer_revoke(const char *url, const char *key_id)
{
	wn_repo_db *db = NULL;
	int rc, ex;

	if ((ex = wn_maintainer_open(url, &db)) != 0)
		return ex;
	rc = wn_repo_db_maintainer_revoke(db, key_id, (int64_t)time(NULL));
	wn_repo_db_close(&db);
	if (rc == WN_ENOENT || rc == WN_EINVAL) {
		fprintf(stderr, WN_REPO_PROG " maintainer revoke: key %s: "
		    "%s\n", key_id, rc == WN_ENOENT ? "no maintainer has this "
		    "key id" : "revoked already");
		return EX_DATAERR;
	}
	if (rc != 0)
		return rc == WN_ENOMEM ? EX_SOFTWARE : EX_IOERR;
	printf("%s revoked\n", key_id);
	return 0;
}

int
wn_repo_cmd_maintainer(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "key", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL, *key = NULL, *name = NULL, *action;
	int ch;

	if (argc < 2) {
		wn_maintainer_usage(stderr);
		return EX_USAGE;
	}
	action = argv[1];
	if (strcmp(action, "-h") == 0 || strcmp(action, "--help") == 0) {
		wn_maintainer_usage(stdout);
		return 0;
	}
	optind = 2;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'k': key = optarg; break;
		case 'n': name = optarg; break;
		case 'h': wn_maintainer_usage(stdout); return 0;
		default: wn_maintainer_usage(stderr); return EX_USAGE;
		}
	}
	if (strcmp(action, "add") == 0) {
		if (optind != argc)
			return wn_repo_usage_error("maintainer", "add: "
			    "unexpected argument \"%s\"", argv[optind]);
		return wn_maintainer_add(db, key, name);
	}
	if (strcmp(action, "list") == 0) {
		if (optind != argc)
			return wn_repo_usage_error("maintainer", "list: "
			    "unexpected argument \"%s\"", argv[optind]);
		return wn_maintainer_list(db);
	}
	if (strcmp(action, "revoke") == 0) {
		if (optind + 1 != argc)
			return wn_repo_usage_error("maintainer", "revoke needs "
			    "one KEYID");
		return wn_maintainer_revoke(db, argv[optind]);
	}
	return wn_repo_usage_error("maintainer", "unknown action \"%s\" (add, "
	    "list or revoke)", action);
}
