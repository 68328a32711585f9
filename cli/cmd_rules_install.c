/*
 * cmd_rules_install.c - `winnow rules update|list|rollback|remove`: the
 * operator's side of rule-set channels.
 *
 * update fetches, for each channel, the version the repository offers,
 * and installs it only when every step holds: the package's size and
 * SHA-256 match the metadata, its signature holds under a trusted key, it
 * unpacks as data only, its rules compile and its own tests pass, and the
 * whole list winnowd would load (ruleset_install.h) compiles with it.
 * Then current is switched (one rename) and winnowd reloads. Any failure
 * leaves the installed sets as they were and says why.
 *
 * Exit: 0, 1 (a set was refused or a step failed), 75 (the repository
 * could not be reached; nothing changed for that set), 64 usage,
 * 70 out of memory.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <winnow/buf.h>
#include <winnow/config.h>
#include <winnow/err.h>
#include <winnow/ruleset_install.h>
#include <winnow/ruleset_pkg.h>
#include <winnow/sign.h>

#include "cli.h"
#include "rules_remote.h"

#define WN_DEFAULT_CONF "/etc/winnow/winnow.conf"
#define WN_EXIT_TEMPFAIL 75
#define WN_INST_HELP (-1)	/* --help was answered */

typedef struct wn_inst_opts {
	const char *conf;
	const char *root;
	const char *repository;
	const char *trusted;
	const char *cacert;
	const char *pid_file;
	long timeout;
	bool reload;
} wn_inst_opts;

typedef struct wn_inst_ctx {
	const char *cmd;
	wn_inst_opts o;
	wn_settings *s;
	wn_pubkey *keys;
	size_t n_keys;
	int lock_fd;
} wn_inst_ctx;

static const char wn_inst_usage[] =
    "usage: winnow rules update [OPTIONS] [NAME[:STAGE]...]\n"
    "       winnow rules list [-c FILE] [--root DIR]\n"
    "       winnow rules rollback [OPTIONS] NAME\n"
    "       winnow rules remove [OPTIONS] NAME\n"
    "Rule sets from winnow-repository channels (winnow.conf rules_*).\n\n"
    "  update    install the version each channel offers (the\n"
    "            configured rules_channels, or those named)\n"
    "  list      what winnowd loads, and the installed sets\n"
    "  rollback  return NAME to the version before; that version is\n"
    "            not installed again until a newer one comes\n"
    "  remove    uninstall NAME\n\n"
    "  -c FILE            winnow.conf (default " WN_DEFAULT_CONF ")\n"
    "  --root DIR         installed sets (default: rules_installed)\n"
    "  --repository URL   (default: rules_repository, else\n"
    "                     report_repository)\n"
    "  --trusted DIR      maintainers' *.pub keys (default:\n"
    "                     rules_trusted_keys)\n"
    "  --cacert FILE      CA certificates for https\n"
    "  --timeout S        seconds per request (default 30)\n"
    "  --no-reload        do not ask winnowd to reload\n"
    "  --pid-file PATH    winnowd's pid file (default: pid_file)\n";

static int
wn_inst_args(wn_inst_ctx *x, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "repository", required_argument, NULL, 'R' },
		{ "trusted", required_argument, NULL, 't' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "no-reload", no_argument, NULL, 'n' },
		{ "pid-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int ch;

	x->o.reload = true;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': x->o.conf = optarg; break;
		case 'r': x->o.root = optarg; break;
		case 'R': x->o.repository = optarg; break;
		case 't': x->o.trusted = optarg; break;
		case 'C': x->o.cacert = optarg; break;
		case 'P': x->o.pid_file = optarg; break;
		case 'n': x->o.reload = false; break;
		case 'T':
			errno = 0;
			x->o.timeout = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || x->o.timeout < 1 ||
			    x->o.timeout > 3600)
				return wn_cli_usage_error(x->cmd, "--timeout "
				    "is 1..3600 seconds");
			break;
		case 'h':
			fputs(wn_inst_usage, stdout);
			return WN_INST_HELP;
		default:
			fputs(wn_inst_usage, stderr);
			return WN_EXIT_USAGE;
		}
	}
	return 0;
}

/* settings, then the defaults the options did not override */
static int
wn_inst_settings(wn_inst_ctx *x)
{
	wn_diag_list d;
	int rc;

	if (x->o.conf == NULL && access(WN_DEFAULT_CONF, F_OK) == 0)
		x->o.conf = WN_DEFAULT_CONF;
	wn_diag_list_init(&d);
	rc = wn_settings_load(x->o.conf, &d, &x->s);
	wn_cli_print_diags(stderr, &d, false);
	wn_diag_list_fini(&d);
	if (rc != 0) {
		fprintf(stderr, "winnow %s: %s is not usable (%s)\n", x->cmd,
		    x->o.conf ? x->o.conf : "the built-in configuration",
		    wn_strerror(rc));
		return rc == WN_ENOMEM ? WN_EXIT_SOFTWARE : WN_EXIT_FAIL;
	}
	if (x->o.root == NULL)
		x->o.root = x->s->rules_installed;
	if (x->o.root[0] == '\0' || strcmp(x->o.root, "none") == 0) {
		fprintf(stderr, "winnow %s: rules_installed is off in %s\n",
		    x->cmd, x->o.conf ? x->o.conf : "the configuration");
		return WN_EXIT_FAIL;
	}
	if (x->o.repository == NULL)
		x->o.repository = x->s->rules_repository[0] != '\0' ?
		    x->s->rules_repository : x->s->report_repository;
	if (x->o.trusted == NULL)
		x->o.trusted = x->s->rules_trusted_keys;
	if (x->o.pid_file == NULL)
		x->o.pid_file = x->s->pid_file;
	return 0;
}

static void
wn_inst_fini(wn_inst_ctx *x)
{
	wn_ruleset_unlock(x->lock_fd);
	free(x->keys);
	wn_settings_free(&x->s);
}

static int
wn_inst_lock(wn_inst_ctx *x)
{
	char err[WN_RULESET_INSTALL_ERR_LEN];
	int rc = wn_ruleset_lock(x->o.root, &x->lock_fd, err);

	if (rc == 0)
		return 0;
	fprintf(stderr, "winnow %s: %s\n", x->cmd, err);
	return rc == WN_ETEMP ? WN_EXIT_TEMPFAIL : WN_EXIT_FAIL;
}

/*
 * Compile everything winnowd would load with name at version in place
 * (version NULL: as installed now), under winnowd's own rule about
 * broken rules. Prints the findings; returns 0 or an exit status.
 */
static int
wn_inst_compile_all(wn_inst_ctx *x, const char *name, const char *version)
{
	wn_ruleset_source *src;
	const char *paths[WN_RULESET_MAX_SOURCES];
	wn_diag_list d;
	wn_rules *rs = NULL;
	size_t n = 0, i;
	int rc;

	if ((src = calloc(WN_RULESET_MAX_SOURCES, sizeof(*src))) == NULL)
		return WN_EXIT_SOFTWARE;
	wn_diag_list_init(&d);
	rc = wn_ruleset_sources(x->s->rules, x->s->n_rules, x->o.root,
	    version != NULL ? name : NULL, version, src, &n, &d);
	for (i = 0; i < n; i++)
		paths[i] = src[i].path;
	if (rc == 0 && n > 0)
		rc = wn_rules_load(paths, n, NULL, &d, &rs);
	if (rc == 0 && d.errors > 0 && x->s->rules_skip_broken)
		rc = 0;
	else if (rc == 0 && d.errors > 0)
		rc = WN_EINVAL;
	if (rc != 0) {
		wn_cli_print_diags(stderr, &d, false);
		fprintf(stderr, "winnow %s: the rule sets winnowd loads do not "
		    "compile with %s %s (%s); nothing was switched\n", x->cmd,
		    name, version != NULL ? version : "removed",
		    wn_strerror(rc));
	}
	wn_rules_free(&rs);
	wn_diag_list_fini(&d);
	free(src);
	return rc == 0 ? 0 : rc == WN_ENOMEM ? WN_EXIT_SOFTWARE :
	    WN_EXIT_FAIL;
}

/* ask winnowd to load the sets now */
static void
wn_inst_reload(wn_inst_ctx *x)
{
	long pid;
	int rc;

	if (!x->o.reload)
		return;
	rc = wn_cli_signal_reload(x->cmd, x->o.pid_file, &pid);
	if (rc == 0)
		printf("winnowd (pid %ld) is reloading; its log has the "
		    "outcome\n", pid);
	else if (rc == 1)
		printf("winnowd is not running; it loads the sets when it "
		    "starts\n");
}

static const wn_installed_set *
wn_inst_find(const wn_installed_set *sets, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(sets[i].name, name) == 0)
			return &sets[i];
	return NULL;
}

/*
 * One channel. Returns 0 (installed or nothing to do; *changed says
 * which), WN_EXIT_FAIL or WN_EXIT_TEMPFAIL after saying why.
 */
static int
wn_inst_update_one(wn_inst_ctx *x, const wn_ruleset_channel *ch,
    const wn_installed_set *set, bool *changed)
{
	char err[WN_RULESET_INSTALL_ERR_LEN > WN_REMOTE_ERR_LEN ?
	    WN_RULESET_INSTALL_ERR_LEN : WN_REMOTE_ERR_LEN];
	const char *cur = set != NULL ? set->current : "";
	wn_remote_opts ro = { x->o.repository, x->o.cacert, x->o.timeout };
	wn_ruleset_meta m;
	wn_ruleset_staged st;
	wn_diag_list d;
	wn_buf pkg;
	int rc, cmp = 0;

	*changed = false;
	rc = wn_remote_latest(&ro, ch->name, ch->stage, &m, err);
	if (rc != 0) {
		fprintf(stderr, "winnow rules update: %s (%s): %s\n", ch->name,
		    ch->stage, err);
		return rc == WN_ETEMP ? WN_EXIT_TEMPFAIL : WN_EXIT_FAIL;
	}
	if (cur[0] != '\0' && wn_version_cmp(m.version, cur, &cmp) == 0 &&
	    cmp <= 0) {
		if (cmp == 0)
			printf("%s %s is current (%s)\n", ch->name, cur,
			    ch->stage);
		else
			printf("%s: the repository offers %s, older than the "
			    "installed %s; not going back (winnow rules "
			    "rollback does that on purpose)\n", ch->name,
			    m.version, cur);
		return 0;
	}
	if (set != NULL && strcmp(set->skip, m.version) == 0) {
		printf("%s %s was rolled back; staying on %s until a newer "
		    "version comes\n", ch->name, m.version,
		    cur[0] ? cur : "none");
		return 0;
	}
	wn_buf_init(&pkg);
	rc = wn_remote_package(&ro, &m, 8u << 20, &pkg, err);
	if (rc != 0) {
		fprintf(stderr, "winnow rules update: %s %s: %s\n", ch->name,
		    m.version, err);
		wn_buf_fini(&pkg);
		return rc == WN_ETEMP ? WN_EXIT_TEMPFAIL : WN_EXIT_FAIL;
	}
	wn_diag_list_init(&d);
	rc = wn_ruleset_stage(x->o.root, pkg.data, pkg.len, x->keys,
	    x->n_keys, &st, &d, err);
	wn_buf_fini(&pkg);
	wn_cli_print_diags(stderr, &d, false);
	wn_diag_list_fini(&d);
	if (rc != 0) {
		fprintf(stderr, "winnow rules update: %s %s refused: %s; the "
		    "installed sets are unchanged\n", ch->name, m.version, err);
		return rc == WN_ENOMEM ? WN_EXIT_SOFTWARE : WN_EXIT_FAIL;
	}
	if (strcmp(st.name, ch->name) != 0 ||
	    strcmp(st.version, m.version) != 0) {
		fprintf(stderr, "winnow rules update: %s %s: the package holds "
		    "%s %s; refused, the installed sets are unchanged\n",
		    ch->name, m.version, st.name, st.version);
		(void)wn_ruleset_unstage(x->o.root, &st, err);
		return WN_EXIT_FAIL;
	}
	if ((rc = wn_inst_compile_all(x, st.name, st.version)) != 0) {
		(void)wn_ruleset_unstage(x->o.root, &st, err);
		return rc;
	}
	if ((rc = wn_ruleset_switch(x->o.root, st.name, st.version,
	    err)) != 0) {
		fprintf(stderr, "winnow rules update: %s\n", err);
		return WN_EXIT_FAIL;
	}
	(void)wn_ruleset_prune(x->o.root, st.name, 1, err);
	printf("%s: %s -> %s (%s, signed by %s)\n", st.name,
	    cur[0] ? cur : "none", st.version, ch->stage, st.key_id);
	*changed = true;
	return 0;
}

int
wn_cmd_rules_update(int argc, char **argv)
{
	wn_inst_ctx x = { .cmd = "rules update", .lock_fd = -1 };
	wn_ruleset_channel ch[WN_RULESET_MAX_CHANNELS];
	char err[WN_RULESET_INSTALL_ERR_LEN > WN_RULESET_PKG_ERR_LEN ?
	    WN_RULESET_INSTALL_ERR_LEN : WN_RULESET_PKG_ERR_LEN];
	wn_installed_set *sets = NULL;
	size_t n_ch = 0, n_sets = 0, i;
	bool any = false, changed;
	int rc, worst = 0;

	if ((rc = wn_inst_args(&x, argc, argv)) != 0)
		return rc == WN_INST_HELP ? WN_EXIT_OK : rc;
	if ((rc = wn_inst_settings(&x)) != 0)
		goto out;
	if (optind < argc) {
		char *joined = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&joined, &len);

		for (i = (size_t)optind; f != NULL && i < (size_t)argc; i++)
			fprintf(f, "%s ", argv[i]);
		if (f == NULL || fclose(f) != 0) {
			rc = WN_EXIT_SOFTWARE;
			goto out;
		}
		rc = wn_ruleset_channels_parse(joined, ch,
		    WN_RULESET_MAX_CHANNELS, &n_ch, err);
		free(joined);
	} else
		rc = wn_ruleset_channels_parse(x.s->rules_channels, ch,
		    WN_RULESET_MAX_CHANNELS, &n_ch, err);
	if (rc != 0) {
		rc = wn_cli_usage_error(x.cmd, err);
		goto out;
	}
	if (n_ch == 0) {
		printf("no channels: set rules_channels in %s, or name them "
		    "(winnow rules update NAME[:testing])\n",
		    x.o.conf ? x.o.conf : WN_DEFAULT_CONF);
		rc = WN_EXIT_OK;
		goto out;
	}
	if (x.o.repository[0] == '\0') {
		fprintf(stderr, "winnow %s: no repository (rules_repository "
		    "or report_repository, or --repository URL)\n", x.cmd);
		rc = WN_EXIT_FAIL;
		goto out;
	}
	if ((rc = wn_ruleset_trusted_load(x.o.trusted, &x.keys, &x.n_keys,
	    err)) != 0) {
		fprintf(stderr, "winnow %s: %s; no package can be trusted\n",
		    x.cmd, err);
		rc = rc == WN_ENOMEM ? WN_EXIT_SOFTWARE : WN_EXIT_FAIL;
		goto out;
	}
	if ((rc = wn_inst_lock(&x)) != 0)
		goto out;
	if ((rc = wn_ruleset_installed(x.o.root, &sets, &n_sets, err)) != 0) {
		fprintf(stderr, "winnow %s: %s\n", x.cmd, err);
		rc = WN_EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < n_ch; i++) {
		rc = wn_inst_update_one(&x, &ch[i],
		    wn_inst_find(sets, n_sets, ch[i].name), &changed);
		any |= changed;
		/* a refusal outweighs an unreachable repository */
		if (rc == WN_EXIT_SOFTWARE || (rc == WN_EXIT_FAIL &&
		    worst != WN_EXIT_SOFTWARE) || (rc != 0 && worst == 0))
			worst = rc;
	}
	if (any)
		wn_inst_reload(&x);
	rc = worst;
out:
	wn_ruleset_installed_free(sets, n_sets);
	wn_inst_fini(&x);
	return rc;
}

int
wn_cmd_rules_list(int argc, char **argv)
{
	wn_inst_ctx x = { .cmd = "rules list", .lock_fd = -1 };
	char err[WN_RULESET_INSTALL_ERR_LEN];
	wn_ruleset_source *src = NULL;
	wn_installed_set *sets = NULL;
	size_t n_src = 0, n_sets = 0, i, k;
	wn_diag_list d;
	int rc;

	if ((rc = wn_inst_args(&x, argc, argv)) != 0)
		return rc == WN_INST_HELP ? WN_EXIT_OK : rc;
	if (optind != argc)
		return wn_cli_usage_error(x.cmd, "no arguments expected");
	if ((rc = wn_inst_settings(&x)) != 0)
		goto out;
	if ((src = calloc(WN_RULESET_MAX_SOURCES, sizeof(*src))) == NULL) {
		rc = WN_EXIT_SOFTWARE;
		goto out;
	}
	wn_diag_list_init(&d);
	rc = wn_ruleset_sources(x.s->rules, x.s->n_rules, x.o.root, NULL,
	    NULL, src, &n_src, &d);
	wn_cli_print_diags(stderr, &d, true);
	wn_diag_list_fini(&d);
	if (rc == 0)
		rc = wn_ruleset_installed(x.o.root, &sets, &n_sets, err);
	if (rc != 0) {
		fprintf(stderr, "winnow %s: %s\n", x.cmd, rc == WN_EIO ? err :
		    wn_strerror(rc));
		rc = WN_EXIT_FAIL;
		goto out;
	}
	printf("winnowd loads:\n");
	for (i = 0; i < n_src; i++)
		printf("  %-16s %-10s %s%s\n", src[i].name[0] ? src[i].name :
		    "-", src[i].version[0] ? src[i].version : "-",
		    src[i].path, src[i].installed ? "  (installed)" : "");
	if (n_src == 0)
		printf("  (no rules)\n");
	printf("installed in %s:\n", x.o.root);
	for (i = 0; i < n_sets; i++) {
		printf("  %-16s current %s", sets[i].name,
		    sets[i].current[0] ? sets[i].current : "none");
		if (sets[i].previous[0] != '\0')
			printf(", previous %s", sets[i].previous);
		if (sets[i].skip[0] != '\0')
			printf(", %s rolled back", sets[i].skip);
		printf("; versions");
		for (k = 0; k < sets[i].n_versions; k++)
			printf(" %s", sets[i].versions[k]);
		printf("\n");
	}
	if (n_sets == 0)
		printf("  (none)\n");
	printf("channels: %s\n", x.s->rules_channels[0] ?
	    x.s->rules_channels : "(none)");
	rc = WN_EXIT_OK;
out:
	free(src);
	wn_ruleset_installed_free(sets, n_sets);
	wn_inst_fini(&x);
	return rc;
}

/* the installed set NAME under the lock, for rollback and remove */
static int
wn_inst_one_set(wn_inst_ctx *x, int argc, char **argv,
    wn_installed_set **sets, size_t *n_sets, const wn_installed_set **set)
{
	char err[WN_RULESET_INSTALL_ERR_LEN];
	int rc;

	if ((rc = wn_inst_args(x, argc, argv)) != 0)
		return rc == WN_INST_HELP ? WN_EXIT_OK : rc;
	if (optind + 1 != argc)
		return wn_cli_usage_error(x->cmd, "give one NAME");
	if ((rc = wn_inst_settings(x)) != 0 || (rc = wn_inst_lock(x)) != 0)
		return rc;
	if ((rc = wn_ruleset_installed(x->o.root, sets, n_sets, err)) != 0) {
		fprintf(stderr, "winnow %s: %s\n", x->cmd, err);
		return WN_EXIT_FAIL;
	}
	if ((*set = wn_inst_find(*sets, *n_sets, argv[optind])) == NULL) {
		fprintf(stderr, "winnow %s: %s is not installed in %s\n",
		    x->cmd, argv[optind], x->o.root);
		return WN_EXIT_FAIL;
	}
	return 0;
}

int
wn_cmd_rules_rollback(int argc, char **argv)
{
	wn_inst_ctx x = { .cmd = "rules rollback", .lock_fd = -1 };
	char err[WN_RULESET_INSTALL_ERR_LEN], to[WN_MANIFEST_MAX_NAME + 1];
	wn_installed_set *sets = NULL;
	const wn_installed_set *set = NULL;
	size_t n_sets = 0;
	int rc;

	if ((rc = wn_inst_one_set(&x, argc, argv, &sets, &n_sets, &set)) != 0)
		goto out;
	if ((rc = wn_ruleset_rollback_target(set, to, sizeof(to), err)) != 0) {
		fprintf(stderr, "winnow %s: %s\n", x.cmd, err);
		rc = WN_EXIT_FAIL;
		goto out;
	}
	if ((rc = wn_inst_compile_all(&x, set->name, to)) != 0)
		goto out;
	if (wn_ruleset_switch(x.o.root, set->name, to, err) != 0 ||
	    wn_ruleset_mark_skip(x.o.root, set->name, set->current,
	    err) != 0) {
		fprintf(stderr, "winnow %s: %s\n", x.cmd, err);
		rc = WN_EXIT_FAIL;
		goto out;
	}
	printf("%s: %s -> %s; %s is not installed again until a newer "
	    "version comes\n", set->name, set->current, to, set->current);
	wn_inst_reload(&x);
	rc = WN_EXIT_OK;
out:
	wn_ruleset_installed_free(sets, n_sets);
	wn_inst_fini(&x);
	return rc;
}

int
wn_cmd_rules_remove(int argc, char **argv)
{
	wn_inst_ctx x = { .cmd = "rules remove", .lock_fd = -1 };
	wn_ruleset_channel ch[WN_RULESET_MAX_CHANNELS];
	char err[WN_RULESET_INSTALL_ERR_LEN];
	wn_installed_set *sets = NULL;
	const wn_installed_set *set = NULL;
	size_t n_sets = 0, n_ch = 0, i;
	int rc;

	if ((rc = wn_inst_one_set(&x, argc, argv, &sets, &n_sets, &set)) != 0)
		goto out;
	if ((rc = wn_ruleset_remove(x.o.root, set->name, err)) != 0) {
		fprintf(stderr, "winnow %s: %s\n", x.cmd, err);
		rc = WN_EXIT_FAIL;
		goto out;
	}
	printf("%s removed\n", set->name);
	if (wn_ruleset_channels_parse(x.s->rules_channels, ch,
	    WN_RULESET_MAX_CHANNELS, &n_ch, err) == 0)
		for (i = 0; i < n_ch; i++)
			if (strcmp(ch[i].name, set->name) == 0)
				printf("note: %s is still in rules_channels; "
				    "the next update installs it again\n",
				    set->name);
	wn_inst_reload(&x);
	rc = WN_EXIT_OK;
out:
	wn_ruleset_installed_free(sets, n_sets);
	wn_inst_fini(&x);
	return rc;
}
