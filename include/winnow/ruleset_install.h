/*
 * ruleset_install.h - rule sets installed from repository channels on an
 * operator's machine, and the list of rule sets winnowd loads.
 *
 * Layout under ROOT (winnow.conf rules_installed, /var/lib/winnow/rules):
 *
 *     ROOT/.lock              one change at a time (flock)
 *     ROOT/NAME/VERSION/      an installed version: manifest, *.cf, tests/;
 *                             written once, complete, never changed
 *     ROOT/NAME/current       symlink "VERSION": what winnowd loads
 *     ROOT/NAME/previous      symlink "VERSION": what current was before
 *     ROOT/NAME/skip          "VERSION\n": rolled back, not installed again
 *
 * A switch writes a new symlink beside current and renames it over
 * current, so a reader sees the old version or the new one, never a mix
 * or nothing; winnowd reads the folders only while it loads (at start and
 * on reload), and a folder it may still be reading is never deleted by a
 * switch. Errors are negative WN_E* codes with one line in err
 * (WN_RULESET_INSTALL_ERR_LEN bytes) naming the file. No global state.
 */
#ifndef WINNOW_RULESET_INSTALL_H
#define WINNOW_RULESET_INSTALL_H

#include <stdbool.h>
#include <stddef.h>

#include <winnow/diag.h>
#include <winnow/manifest.h>
#include <winnow/ruleset_pkg.h>

#define WN_RULESET_INSTALL_ERR_LEN 1024
#define WN_RULESET_MAX_CHANNELS 32
#define WN_RULESET_MAX_SOURCES 64

/* one entry of winnow.conf rules_channels: "NAME" or "NAME:STAGE" */
typedef struct wn_ruleset_channel {
	char name[WN_MANIFEST_MAX_NAME + 1];
	char stage[16];			/* "stable" (default) or "testing" */
} wn_ruleset_channel;

/*
 * wn_ruleset_channels_parse - the white-space separated channels in text
 * into out[0..max). Returns 0, WN_EINVAL (err says which word; a name
 * twice is an error too) or WN_ELIMIT (more than max).
 */
int wn_ruleset_channels_parse(const char *text, wn_ruleset_channel *out,
    size_t max, size_t *n_out, char *err);

/* an installed set, as wn_ruleset_installed lists it */
typedef struct wn_installed_set {
	char name[WN_MANIFEST_MAX_NAME + 1];
	char current[WN_MANIFEST_MAX_NAME + 1];	/* "" when none */
	char previous[WN_MANIFEST_MAX_NAME + 1];	/* "" when none */
	char skip[WN_MANIFEST_MAX_NAME + 1];	/* "" when none */
	char **versions;		/* installed, oldest first */
	size_t n_versions;
} wn_installed_set;

/*
 * wn_ruleset_installed - the sets under root, sorted by name (*sets_out
 * heap memory; wn_ruleset_installed_free). A root that does not exist
 * holds no sets. Entries that are not NAME folders are ignored.
 */
int wn_ruleset_installed(const char *root, wn_installed_set **sets_out,
    size_t *n_out, char *err);
void wn_ruleset_installed_free(wn_installed_set *sets, size_t n);

/*
 * wn_ruleset_lock - take ROOT/.lock (root is made, 0755, if missing);
 * WN_ETEMP when another process holds it. Release with
 * wn_ruleset_unlock.
 */
int wn_ruleset_lock(const char *root, int *fd_out, char *err);
void wn_ruleset_unlock(int fd);

/* what wn_ruleset_stage did */
typedef struct wn_ruleset_staged {
	char name[WN_MANIFEST_MAX_NAME + 1];
	char version[WN_MANIFEST_MAX_NAME + 1];
	char key_id[WN_SIGN_KEY_ID_LEN + 1];
	char dir[4096];			/* ROOT/NAME/VERSION */
	bool fresh;			/* written now (else already there) */
} wn_ruleset_staged;

/*
 * wn_ruleset_stage - verify the package bytes against keys (signature,
 * data-only content, checksums, min-engine: ruleset_pkg.h), write it into
 * ROOT/NAME/VERSION and check it there (wn_ruleset_check: rules compile,
 * its tests pass; findings in d). Nothing is switched. On any failure a
 * folder written now is removed again, and the installed sets are as
 * before. A version already installed with the same CHECKSUMS is reused;
 * with other content it is WN_EFORMAT. Returns 0, WN_EFORMAT (refused:
 * err says why; for a failed check, d lists the findings), WN_ELIMIT,
 * WN_EIO, WN_ENOMEM.
 */
int wn_ruleset_stage(const char *root, const void *pkg, size_t len,
    const wn_pubkey *keys, size_t n_keys, wn_ruleset_staged *out,
    wn_diag_list *d, char *err);

/*
 * wn_ruleset_unstage - undo a stage that a later step refused: remove
 * st->dir when the stage wrote it (st->fresh), and ROOT/NAME when that
 * leaves it empty.
 */
int wn_ruleset_unstage(const char *root, const wn_ruleset_staged *st,
    char *err);

/*
 * wn_ruleset_switch - make ROOT/NAME/VERSION (installed) current;
 * previous becomes the version current was, and a skip mark for VERSION
 * or older is cleared. Switching to the current version does nothing.
 */
int wn_ruleset_switch(const char *root, const char *name, const char *version,
    char *err);

/*
 * wn_ruleset_rollback_target - the version a rollback of NAME goes to:
 * previous when it is installed and older than current, else the newest
 * installed version older than current. WN_ENOENT when there is none.
 */
int wn_ruleset_rollback_target(const wn_installed_set *set, char *version_out,
    size_t len, char *err);

/* wn_ruleset_mark_skip - write ROOT/NAME/skip (the version rolled back) */
int wn_ruleset_mark_skip(const char *root, const char *name,
    const char *version, char *err);

/*
 * wn_ruleset_remove - remove NAME: its current link first (so a load
 * after this call no longer sees the set), then every version.
 */
int wn_ruleset_remove(const char *root, const char *name, char *err);

/*
 * wn_ruleset_prune - delete installed versions of NAME other than current
 * and previous beyond the newest keep of them.
 */
int wn_ruleset_prune(const char *root, const char *name, size_t keep,
    char *err);

/* one rule set winnowd loads */
typedef struct wn_ruleset_source {
	char path[4096];		/* file or folder to load */
	char name[WN_MANIFEST_MAX_NAME + 1];	/* "" without a manifest */
	char version[WN_MANIFEST_MAX_NAME + 1];
	bool installed;			/* from root, not rules = */
} wn_ruleset_source;

/*
 * wn_ruleset_sources - what to load: the configured rule paths in order,
 * where a path whose manifest names a set installed under root is
 * replaced by that set's current version, then the other installed sets
 * by name. root NULL or "" means none installed. When override_name is
 * not NULL, set override_name is taken at override_version (installed)
 * instead of its current one, added when it is not there yet: how an
 * update compiles the whole list before it switches. Installed sets
 * without a current link are skipped. Findings (an unreadable manifest)
 * are warnings in d. Returns 0, WN_ELIMIT (more than
 * WN_RULESET_MAX_SOURCES) or WN_EIO.
 */
int wn_ruleset_sources(const char *const *paths, size_t n_paths,
    const char *root, const char *override_name,
    const char *override_version, wn_ruleset_source *out, size_t *n_out,
    wn_diag_list *d);

#endif
