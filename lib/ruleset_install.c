/*
 * ruleset_install.c - installed rule sets on the operator's machine:
 * the update lock, staging a package, switching, rollback marks, removal
 * (ruleset_install.h; the listing is ruleset_installed.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winnow/err.h>
#include <winnow/ruleset_check.h>
#include <winnow/ruleset_install.h>
#include <winnow/str.h>

#include "ruleset_install_int.h"

int
wn_ruleset_lock(const char *root, int *fd_out, char *err)
{
	char path[4096];
	int fd;

	*fd_out = -1;
	if (mkdir(root, 0755) != 0 && errno != EEXIST)
		return wn__inst_err(err, WN_EIO, "%s: %s", root,
		    strerror(errno));
	wn_path(path, sizeof(path), "%s/.lock", root);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return wn__inst_err(err, WN_EIO, "%s: %s", path,
		    strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		close(fd);
		if (e == EWOULDBLOCK)
			return wn__inst_err(err, WN_ETEMP, "%s: another "
			    "winnow rules command is changing the installed "
			    "sets", path);
		return wn__inst_err(err, WN_EIO, "%s: %s", path, strerror(e));
	}
	*fd_out = fd;
	return 0;
}

void
wn_ruleset_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* releases the flock */
}

static int
wn_inst_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

static int
wn_inst_rm_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	return nftw(path, wn_inst_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* does dir/CHECKSUMS hold the same bytes as the package's */
static bool
wn_inst_same_checksums(const char *dir, const wn_ruleset_pkg *p)
{
	const wn_ruleset_member *m = NULL;
	char path[4096], *buf;
	size_t i, got;
	bool same;
	FILE *f;

	for (i = 0; i < p->n_members; i++)
		if (strcmp(p->members[i].rel, "CHECKSUMS") == 0)
			m = &p->members[i];
	wn_path(path, sizeof(path), "%s/CHECKSUMS", dir);
	if (m == NULL || (f = fopen(path, "rb")) == NULL)
		return false;
	if ((buf = malloc(m->len + 1)) == NULL) {
		fclose(f);
		return false;
	}
	got = fread(buf, 1, m->len + 1, f);
	fclose(f);
	same = got == m->len && memcmp(buf, m->data, m->len) == 0;
	free(buf);
	return same;
}

int
wn_ruleset_stage(const char *root, const void *pkg, size_t len,
    const wn_pubkey *keys, size_t n_keys, wn_ruleset_staged *out,
    wn_diag_list *d, char *err)
{
	char perr[WN_RULESET_PKG_ERR_LEN], setdir[4096];
	wn_ruleset_pkg p;
	wn_ruleset_check_result res;
	struct stat st;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	rc = wn_ruleset_pkg_verify_mem(pkg, len, keys, n_keys, NULL, &p, perr);
	if (rc != 0)
		return wn__inst_err(err, rc, "%s", perr);
	snprintf(out->name, sizeof(out->name), "%s", p.manifest.name);
	snprintf(out->version, sizeof(out->version), "%s",
	    p.manifest.version);
	snprintf(out->key_id, sizeof(out->key_id), "%s", p.key_id);
	wn_path(setdir, sizeof(setdir), "%s/%s", root, out->name);
	wn_path(out->dir, sizeof(out->dir), "%s/%s", setdir, out->version);
	if ((mkdir(root, 0755) != 0 && errno != EEXIST) ||
	    (mkdir(setdir, 0755) != 0 && errno != EEXIST)) {
		rc = wn__inst_err(err, WN_EIO, "%s: %s", setdir,
		    strerror(errno));
		goto out;
	}
	if (lstat(out->dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode) || !wn_inst_same_checksums(out->dir,
		    &p)) {
			rc = wn__inst_err(err, WN_EFORMAT, "%s: installed "
			    "already with other content; a version never "
			    "changes (remove the folder to reinstall)",
			    out->dir);
			goto out;
		}
	} else {
		if ((rc = wn_ruleset_pkg_write_dir(&p, out->dir, perr)) != 0) {
			rc = wn__inst_err(err, rc, "%s", perr);
			goto out;
		}
		out->fresh = true;
	}
	rc = wn_ruleset_check(out->dir, d, &res, NULL, NULL);
	if (rc == WN_ENOMEM)
		wn__inst_err(err, rc, "out of memory");
	else if (rc != 0)
		rc = wn__inst_err(err, WN_EFORMAT, "%s %s: the set does not "
		    "pass its own check (%zu finding%s)", out->name,
		    out->version, d->errors, d->errors == 1 ? "" : "s");
out:
	if (rc != 0 && out->fresh) {
		wn_inst_rm_tree(out->dir);
		out->fresh = false;
	}
	if (rc != 0)
		rmdir(setdir);	/* only when empty: a set never installed */
	wn_ruleset_pkg_fini(&p);
	return rc;
}

int
wn_ruleset_unstage(const char *root, const wn_ruleset_staged *st, char *err)
{
	char setdir[4096];

	if (!st->fresh)
		return 0;
	if (wn_inst_rm_tree(st->dir) != 0)
		return wn__inst_err(err, WN_EIO, "%s: %s", st->dir,
		    strerror(errno));
	wn_path(setdir, sizeof(setdir), "%s/%s", root, st->name);
	rmdir(setdir);	/* only when empty */
	return 0;
}

/* point ROOT/NAME/LINK at version, atomically */
static int
wn_inst_relink(const char *setdir, const char *link, const char *version,
    char *err)
{
	char tmp[4096], path[4096];

	wn_path(tmp, sizeof(tmp), "%s/.%s.tmp", setdir, link);
	wn_path(path, sizeof(path), "%s/%s", setdir, link);
	if ((unlink(tmp) != 0 && errno != ENOENT) ||
	    symlink(version, tmp) != 0 || rename(tmp, path) != 0) {
		int e = errno;

		unlink(tmp);
		return wn__inst_err(err, WN_EIO, "%s: %s", path, strerror(e));
	}
	return 0;
}

static void
wn_inst_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int
wn_ruleset_switch(const char *root, const char *name, const char *version,
    char *err)
{
	char setdir[4096], dir[4096], cur[WN_MANIFEST_MAX_NAME + 1];
	char skip[WN_MANIFEST_MAX_NAME + 1];
	struct stat st;
	int rc, cmp = 0;

	if (!wn_manifest_name_valid(name) || !wn_version_valid(version))
		return wn__inst_err(err, WN_EINVAL, "'%s %s' is not a rule-set "
		    "name and version", name, version);
	wn_path(setdir, sizeof(setdir), "%s/%s", root, name);
	wn_path(dir, sizeof(dir), "%s/%s", setdir, version);
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return wn__inst_err(err, WN_ENOENT, "%s: not installed", dir);
	wn__inst_link(root, name, "current", cur, sizeof(cur));
	if (strcmp(cur, version) == 0)
		return 0;
	if ((rc = wn_inst_relink(setdir, "current", version, err)) != 0)
		return rc;
	if (cur[0] != '\0' &&
	    (rc = wn_inst_relink(setdir, "previous", cur, err)) != 0)
		return rc;
	wn__inst_skip_read(root, name, skip, sizeof(skip));
	if (skip[0] != '\0' && wn_version_cmp(version, skip, &cmp) == 0 &&
	    cmp >= 0) {
		char path[4096];

		wn_path(path, sizeof(path), "%s/skip", setdir);
		unlink(path);
	}
	wn_inst_sync_dir(setdir);
	return 0;
}

int
wn_ruleset_rollback_target(const wn_installed_set *set, char *version_out,
    size_t len, char *err)
{
	size_t i;
	int cmp = 0;

	version_out[0] = '\0';
	if (set->current[0] == '\0')
		return wn__inst_err(err, WN_ENOENT, "%s: no current version "
		    "to roll back from", set->name);
	for (i = 0; i < set->n_versions; i++)
		if (strcmp(set->versions[i], set->previous) == 0 &&
		    wn_version_cmp(set->previous, set->current, &cmp) == 0 &&
		    cmp < 0) {
			snprintf(version_out, len, "%s", set->previous);
			return 0;
		}
	for (i = set->n_versions; i-- > 0; )
		if (wn_version_cmp(set->versions[i], set->current, &cmp) ==
		    0 && cmp < 0) {
			snprintf(version_out, len, "%s", set->versions[i]);
			return 0;
		}
	return wn__inst_err(err, WN_ENOENT, "%s: no version older than %s "
	    "is installed", set->name, set->current);
}

int
wn_ruleset_mark_skip(const char *root, const char *name, const char *version,
    char *err)
{
	char path[4096], tmp[4096];
	FILE *f;

	wn_path(path, sizeof(path), "%s/%s/skip", root, name);
	wn_path(tmp, sizeof(tmp), "%s/%s/.skip.tmp", root, name);
	if ((f = fopen(tmp, "w")) == NULL)
		return wn__inst_err(err, WN_EIO, "%s: %s", tmp,
		    strerror(errno));
	fprintf(f, "%s\n", version);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		int e = errno;

		unlink(tmp);
		return wn__inst_err(err, WN_EIO, "%s: %s", path, strerror(e));
	}
	return 0;
}

int
wn_ruleset_remove(const char *root, const char *name, char *err)
{
	char setdir[4096], path[4096];
	struct stat st;

	if (!wn_manifest_name_valid(name))
		return wn__inst_err(err, WN_EINVAL, "'%s' is not a rule-set "
		    "name", name);
	wn_path(setdir, sizeof(setdir), "%s/%s", root, name);
	if (lstat(setdir, &st) != 0 || !S_ISDIR(st.st_mode))
		return wn__inst_err(err, WN_ENOENT, "%s: not installed", setdir);
	wn_path(path, sizeof(path), "%s/current", setdir);
	if (unlink(path) != 0 && errno != ENOENT)
		return wn__inst_err(err, WN_EIO, "%s: %s", path,
		    strerror(errno));
	wn_inst_sync_dir(setdir);
	if (wn_inst_rm_tree(setdir) != 0)
		return wn__inst_err(err, WN_EIO, "%s: %s", setdir,
		    strerror(errno));
	return 0;
}

int
wn_ruleset_prune(const char *root, const char *name, size_t keep, char *err)
{
	wn_installed_set s;
	size_t i, kept = 0;
	int rc;

	memset(&s, 0, sizeof(s));
	if (!wn_manifest_name_valid(name))
		return wn__inst_err(err, WN_EINVAL, "'%s' is not a rule-set "
		    "name", name);
	snprintf(s.name, sizeof(s.name), "%s", name);
	wn__inst_link(root, name, "current", s.current, sizeof(s.current));
	wn__inst_link(root, name, "previous", s.previous, sizeof(s.previous));
	if ((rc = wn__inst_versions(root, &s, err)) != 0)
		goto out;
	for (i = s.n_versions; i-- > 0; ) {
		char dir[4096];

		if (strcmp(s.versions[i], s.current) == 0 ||
		    strcmp(s.versions[i], s.previous) == 0 || kept++ < keep)
			continue;
		wn_path(dir, sizeof(dir), "%s/%s/%s", root, name,
		    s.versions[i]);
		if (wn_inst_rm_tree(dir) != 0) {
			rc = wn__inst_err(err, WN_EIO, "%s: %s", dir,
			    strerror(errno));
			break;
		}
	}
out:
	for (i = 0; i < s.n_versions; i++)
		free(s.versions[i]);
	free(s.versions);
	return rc;
}
