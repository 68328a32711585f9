/*
 * ruleset_pkg_extract.c - install a verified package into a fresh folder:
 * everything is checked in memory first, written into a temporary folder
 * beside the destination, and renamed into place only when complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winnow/err.h>

#include "ruleset_pkg_int.h"

static int
wn_ruleset_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) != 0 ? -1 : 0;
}

/* the folders leading to rel inside root (a package may omit them) */
static int
wn_ruleset_mkparents(char *full, size_t root_len)
{
	char *s;

	for (s = strchr(full + root_len + 1, '/'); s != NULL;
	    s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(full, 0755) != 0 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return 0;
}

static int
wn_ruleset_write_one(const char *root, const wn_ruleset_member *m)
{
	char *full = NULL;
	int fd, rc = -1;

	if (asprintf(&full, "%s/%s", root, m->rel) < 0)
		return -1;
	if (wn_ruleset_mkparents(full, strlen(root)) != 0)
		goto out;
	if (m->dir) {
		rc = mkdir(full, 0755) == 0 || errno == EEXIST ? 0 : -1;
		goto out;
	}
	fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd < 0)
		goto out;
	if (write(fd, m->data, m->len) == (ssize_t)m->len && fsync(fd) == 0)
		rc = 0;
	if (close(fd) != 0)
		rc = -1;
out:
	free(full);
	return rc;
}

/* dest must not exist; rename without replacing what appeared meanwhile */
static int
wn_ruleset_rename_fresh(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* XXX: a file system without RENAME_NOREPLACE; a small race */
	if (access(to, F_OK) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

int
wn_ruleset_pkg_write_dir(const wn_ruleset_pkg *p, const char *dest_dir,
    char *err)
{
	struct stat st;
	char *tmp = NULL;
	size_t i;
	int rc = 0, e;

	if (lstat(dest_dir, &st) == 0)
		return wn__ruleset_err(err, WN_EINVAL, "%s: already exists; "
		    "a package is extracted into a fresh folder", dest_dir);
	if (asprintf(&tmp, "%s.tmp-XXXXXX", dest_dir) < 0)
		return wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	if (mkdtemp(tmp) == NULL) {
		rc = wn__ruleset_err(err, WN_EIO, "%s: %s", dest_dir,
		    strerror(errno));
		free(tmp);
		return rc;
	}
	for (i = 0; i < p->n_members && rc == 0; i++) {
		if (*p->members[i].rel == '\0')
			continue;	/* the top folder is dest_dir */
		if (wn_ruleset_write_one(tmp, &p->members[i]) != 0)
			rc = wn__ruleset_err(err, WN_EIO, "%s/%s: %s", dest_dir,
			    p->members[i].rel, strerror(errno));
	}
	if (rc == 0 && (chmod(tmp, 0755) != 0 ||
	    wn_ruleset_rename_fresh(tmp, dest_dir) != 0))
		rc = wn__ruleset_err(err, WN_EIO, "%s: %s", dest_dir,
		    strerror(errno));
	if (rc != 0) {
		e = errno;
		nftw(tmp, wn_ruleset_rm_one, 16, FTW_DEPTH | FTW_PHYS);
		errno = e;
	}
	free(tmp);
	return rc;
}

int
wn_ruleset_pkg_extract(const char *path, const char *trusted_dir,
    const char *dest_dir, const wn_ruleset_pkg_limits *lim,
    wn_ruleset_pkg *out, char *err)
{
	wn_ruleset_pkg p;
	struct stat st;
	int rc;

	memset(&p, 0, sizeof(p));
	if (lstat(dest_dir, &st) == 0)
		return wn__ruleset_err(err, WN_EINVAL, "%s: already exists; "
		    "a package is extracted into a fresh folder", dest_dir);
	rc = wn_ruleset_pkg_verify(path, trusted_dir, lim, &p, err);
	if (rc == 0)
		rc = wn_ruleset_pkg_write_dir(&p, dest_dir, err);
	if (rc == 0 && out != NULL)
		*out = p;
	else
		wn_ruleset_pkg_fini(&p);
	return rc;
}
