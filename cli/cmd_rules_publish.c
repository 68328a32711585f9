/*
 * cmd_rules_publish.c - `winnow rules publish|promote`: a maintainer puts
 * a signed rule-set package on winnow-repository, where it starts in
 * stage testing, and later promotes a version to stable. The talking is
 * in rules_remote.c; this file reads options and the package and prints
 * one line per outcome.
 *
 * The repository verifies the signature and the rules, so the package is
 * only checked here for what can be told without trusted keys: readable,
 * a gzip file, not over the size a repository accepts. Exit statuses as
 * for `winnow report send`: 0 done, 1 refused, 75 (EX_TEMPFAIL) when the
 * repository did not answer or answered 5xx, 64 usage, 70 out of memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winnow/err.h>
#include <winnow/ruleset_pkg.h>

#include "cli.h"
#include "rules_remote.h"

#define WN_EXIT_TEMPFAIL 75	/* EX_TEMPFAIL */

/* what publish and promote take besides their positional arguments */
typedef struct wn_publish_args {
	char **pos;
	int n_pos;
	const char *key;
	const char *stage;
	wn_remote_opts ro;
} wn_publish_args;

static int
wn_publish_exit(int rc)
{
	if (rc == WN_ETEMP)
		return WN_EXIT_TEMPFAIL;
	return rc == WN_ENOMEM ? WN_EXIT_SOFTWARE : WN_EXIT_FAIL;
}

/* options of cmd; promote also takes --key and --stage */
static int
wn_publish_args_parse(const char *cmd, int argc, char **argv, bool promote,
    wn_publish_args *a)
{
	static const struct option opts[] = {
		{ "repository", required_argument, NULL, 'r' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "timeout", required_argument, NULL, 't' },
		{ "key", required_argument, NULL, 'k' },
		{ "stage", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long long timeout = 30;
	int ch, rc;

	memset(a, 0, sizeof(*a));
	a->stage = "stable";
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': a->ro.base = optarg; break;
		case 'C': a->ro.cacert = optarg; break;
		case 't':
			if ((rc = wn_cli_size_arg(cmd, "--timeout", optarg, 1,
			    600, &timeout)) != 0)
				return rc;
			break;
		case 'k':
		case 's':
			if (!promote)
				return wn_cli_usage_error(cmd,
				    "unknown option");
			if (ch == 'k')
				a->key = optarg;
			else
				a->stage = optarg;
			break;
		default:
			return wn_cli_usage_error(cmd, "unknown option or "
			    "missing value");
		}
	}
	a->ro.timeout = (long)timeout;
	a->pos = argv + optind;
	a->n_pos = argc - optind;
	if (a->ro.base == NULL)
		return wn_cli_usage_error(cmd, "give --repository URL");
	if (strncasecmp(a->ro.base, "http://", 7) != 0 &&
	    strncasecmp(a->ro.base, "https://", 8) != 0)
		return wn_cli_usage_error(cmd, "--repository takes an http:// "
		    "or https:// URL");
	return 0;
}

/* the package file at path into *data_out (heap); 0 or an exit status
 * after saying why */
static int
wn_publish_read(const char *path, char **data_out, size_t *len_out)
{
	wn_ruleset_pkg_limits lim;
	struct stat st;
	char *data;
	size_t off = 0;
	ssize_t n;
	int fd;

	wn_ruleset_pkg_limits_default(&lim);
	if ((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "winnow rules publish: %s: %s\n", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return WN_EXIT_FAIL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		fprintf(stderr, "winnow rules publish: %s: %s\n", path,
		    st.st_size == 0 ? "empty" : "not a regular file");
		close(fd);
		return WN_EXIT_FAIL;
	}
	if ((uint64_t)st.st_size > lim.max_compressed) {
		fprintf(stderr, "winnow rules publish: %s: over the %zu MiB a "
		    "repository accepts\n", path, lim.max_compressed >> 20);
		close(fd);
		return WN_EXIT_FAIL;
	}
	if ((data = malloc((size_t)st.st_size)) == NULL) {
		close(fd);
		fprintf(stderr, "winnow rules publish: out of memory\n");
		return WN_EXIT_SOFTWARE;
	}
	while (off < (size_t)st.st_size && (n = read(fd, data + off,
	    (size_t)st.st_size - off)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "winnow rules publish: %s: %s\n", path,
			    strerror(errno));
			close(fd);
			free(data);
			return WN_EXIT_FAIL;
		}
		off += (size_t)n;
	}
	close(fd);
	/* a package is a .tar.gz: refuse anything else before the upload */
	if (off < 2 || (unsigned char)data[0] != 0x1f ||
	    (unsigned char)data[1] != 0x8b) {
		fprintf(stderr, "winnow rules publish: %s: not a rule-set "
		    "package (winnow rules pack, then sign)\n", path);
		free(data);
		return WN_EXIT_FAIL;
	}
	*data_out = data;
	*len_out = off;
	return 0;
}

/*
 * wn_cmd_rules_publish - `winnow rules publish PACKAGE --repository URL
 * [--cacert FILE] [--timeout S]`
 */
int
wn_cmd_rules_publish(int argc, char **argv)
{
	char err[WN_REMOTE_ERR_LEN], merr[WN_RULESET_META_ERR_LEN];
	wn_publish_args a;
	wn_ruleset_meta m;
	wn_buf answer;
	char *data = NULL;
	size_t len = 0;
	int rc;

	if ((rc = wn_publish_args_parse("rules publish", argc, argv, false,
	    &a)) != 0)
		return rc;
	if (a.n_pos != 1)
		return wn_cli_usage_error("rules publish", "give one PACKAGE");
	if ((rc = wn_publish_read(a.pos[0], &data, &len)) != 0)
		return rc;
	wn_buf_init(&answer);
	rc = wn_remote_publish(&a.ro, data, len, &answer, err);
	free(data);
	if (rc < 0) {
		wn_buf_fini(&answer);
		fprintf(stderr, "winnow rules publish: %s\n", err);
		return wn_publish_exit(rc);
	}
	/* stored either way; the answer only tells what was stored */
	if (wn_ruleset_meta_parse(answer.data ? answer.data : "", answer.len,
	    &m, merr) != 0) {
		fprintf(stderr, "winnow rules publish: %s: the answer does not "
		    "read: %s\n", a.ro.base, merr);
		printf("%s to %s\n", rc == 0 ? "published" :
		    "already published", a.ro.base);
	} else if (rc == 0) {
		printf("published %s %s (%s) to %s\n", m.name, m.version,
		    m.stage, a.ro.base);
	} else {
		printf("%s %s was already published\n", m.name, m.version);
	}
	wn_buf_fini(&answer);
	return WN_EXIT_OK;
}

/*
 * wn_cmd_rules_promote - `winnow rules promote NAME VERSION --key KEYFILE
 * --repository URL [--stage stable] [--cacert FILE] [--timeout S]`
 */
int
wn_cmd_rules_promote(int argc, char **argv)
{
	char err[WN_REMOTE_ERR_LEN];
	const char *name, *version;
	wn_publish_args a;
	wn_seckey k;
	int rc;

	if ((rc = wn_publish_args_parse("rules promote", argc, argv, true,
	    &a)) != 0)
		return rc;
	if (a.n_pos != 2)
		return wn_cli_usage_error("rules promote", "give NAME and "
		    "VERSION");
	name = a.pos[0];
	version = a.pos[1];
	if (!wn_manifest_name_valid(name))
		return wn_cli_usage_error("rules promote", "NAME is letters, "
		    "digits, '.', '_' and '-'");
	if (strlen(version) > WN_MANIFEST_MAX_NAME ||
	    !wn_version_valid(version))
		return wn_cli_usage_error("rules promote", "VERSION is a "
		    "dotted number (1.2.0)");
	if (a.key == NULL)
		return wn_cli_usage_error("rules promote", "give --key FILE");
	if (strcmp(a.stage, "stable") != 0 && strcmp(a.stage, "testing") != 0)
		return wn_cli_usage_error("rules promote", "--stage is stable "
		    "or testing");
	if ((rc = wn_seckey_load(a.key, &k)) != 0) {
		fprintf(stderr, "winnow rules promote: %s: %s\n", a.key,
		    rc == WN_EFORMAT ? "not a winnow secret key" :
		    strerror(errno));
		return WN_EXIT_FAIL;
	}
	rc = wn_remote_promote(&a.ro, name, version, a.stage, &k, err);
	memset(&k, 0, sizeof(k));
	if (rc != 0) {
		fprintf(stderr, "winnow rules promote: %s\n", err);
		return wn_publish_exit(rc);
	}
	printf("promoted %s %s to %s\n", name, version, a.stage);
	return WN_EXIT_OK;
}
