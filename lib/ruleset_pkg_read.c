/*
 * ruleset_pkg_read.c - read a package's tar.gz into a member list, with
 * the structure checks that come before any content is believed: limits,
 * paths (one top folder, no absolute path, no "." or ".."), member types
 * (regular files and folders only), modes, the data-only rule and
 * duplicates.
 */
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include <winnow/err.h>

#include "ruleset_pkg_int.h"

/* why the path (folders without their trailing '/') is refused, or NULL */
static const char *
wn_ruleset_path_bad(const char *path)
{
	const char *c = path;

	if (*path == '/')
		return "is an absolute path";
	if (*path == '\0')
		return "has an empty path";
	while (*c != '\0') {
		const char *slash = strchr(c, '/');
		size_t n = slash != NULL ? (size_t)(slash - c) : strlen(c);

		if (n == 0)
			return "has an empty path component";
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return "has a '..' component";
		if (n == 1 && c[0] == '.')
			return "has a '.' component";
		if (slash == NULL)
			break;
		c = slash + 1;
		if (*c == '\0')
			return "has an empty path component";
	}
	return NULL;
}

/* the member's content, within what is left of the unpacked budget */
static int
wn_ruleset_entry_data(struct archive *a, struct archive_entry *e,
    const char *path, const wn_ruleset_pkg_limits *lim, size_t *total,
    uint8_t **data_out, size_t *len_out, char *err)
{
	int64_t size = archive_entry_size(e);
	size_t left = lim->max_unpacked - *total, got = 0;
	uint8_t *buf;
	la_ssize_t n;

	if (!archive_entry_size_is_set(e) || size < 0)
		return wn__ruleset_err(err, WN_EFORMAT, "member '%s' has no "
		    "size", path);
	if ((uint64_t)size > left)
		return wn__ruleset_err(err, WN_ELIMIT, "package unpacks to "
		    "more than %zu bytes (member '%s')", lim->max_unpacked,
		    path);
	if ((buf = malloc((size_t)size + 1)) == NULL)
		return wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	while (got < (size_t)size &&
	    (n = archive_read_data(a, buf + got, (size_t)size - got)) > 0)
		got += (size_t)n;
	if (got != (size_t)size) {
		free(buf);
		return wn__ruleset_err(err, WN_EFORMAT, "damaged package: "
		    "member '%s': %s", path, archive_error_string(a) != NULL ?
		    archive_error_string(a) : "truncated");
	}
	buf[got] = '\0';
	*total += got;
	*data_out = buf;
	*len_out = got;
	return 0;
}

/* the top folder is the first component of the first member */
static int
wn_ruleset_entry_top(wn_ruleset_pkg *p, const char *path, bool dir,
    char *err)
{
	const char *slash = strchr(path, '/');
	size_t n = slash != NULL ? (size_t)(slash - path) : strlen(path);

	if (p->top == NULL && (p->top = strndup(path, n)) == NULL)
		return wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	if (strlen(p->top) != n || strncmp(p->top, path, n) != 0)
		return wn__ruleset_err(err, WN_EFORMAT, "member '%s' is "
		    "outside the top folder '%s'", path, p->top);
	if (slash == NULL && !dir)
		return wn__ruleset_err(err, WN_EFORMAT, "member '%s' is a "
		    "file, not the top folder", path);
	return 0;
}

static int
wn_ruleset_entry(struct archive *a, struct archive_entry *e,
    const wn_ruleset_pkg_limits *lim, size_t *total, wn_ruleset_pkg *p,
    char *err)
{
	const char *name = archive_entry_pathname(e), *why, *c;
	unsigned type = archive_entry_filetype(e);
	uint8_t *data = NULL;
	size_t n, len = 0;
	char *path;
	bool dir = type == AE_IFDIR;
	int rc;

	if (name == NULL)
		return wn__ruleset_err(err, WN_EFORMAT, "a member has no "
		    "name");
	for (c = name; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return wn__ruleset_err(err, WN_EFORMAT, "a member's "
			    "name holds a control character");
	if ((n = strlen(name)) > lim->max_path)
		return wn__ruleset_err(err, WN_ELIMIT, "member '%.60s...' has "
		    "a path of %zu bytes, over the limit of %zu", name, n,
		    lim->max_path);
	if (archive_entry_hardlink(e) != NULL)
		return wn__ruleset_err(err, WN_EFORMAT, "member '%s' is a hard "
		    "link", name);
	if (type == AE_IFLNK || archive_entry_symlink(e) != NULL)
		return wn__ruleset_err(err, WN_EFORMAT, "member '%s' is a "
		    "symbolic link", name);
	if (type != AE_IFREG && !dir)
		return wn__ruleset_err(err, WN_EFORMAT, "member '%s' is not a "
		    "regular file or folder", name);
	if (!dir && n > 0 && name[n - 1] == '/')
		return wn__ruleset_err(err, WN_EFORMAT, "member '%s' is a file "
		    "named like a folder", name);
	if ((path = strdup(name)) == NULL)
		return wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	if (dir && n > 1 && path[n - 1] == '/')
		path[n - 1] = '\0';
	if ((why = wn_ruleset_path_bad(path)) != NULL) {
		rc = wn__ruleset_err(err, WN_EFORMAT, "member '%s' %s", name,
		    why);
		goto out;
	}
	if ((rc = wn_ruleset_entry_top(p, path, dir, err)) != 0)
		goto out;
	if (dir) {
		if (archive_entry_size(e) != 0)
			rc = wn__ruleset_err(err, WN_EFORMAT, "folder '%s' has "
			    "content", path);
	} else if ((archive_entry_mode(e) & 07111) != 0) {
		rc = wn__ruleset_err(err, WN_EFORMAT, "member '%s' is "
		    "executable (mode %04o); rules are data only", path,
		    (unsigned)(archive_entry_mode(e) & 07777));
	} else if ((why = wn__ruleset_rel_allowed(path + strlen(p->top) +
	    1)) != NULL) {
		rc = wn__ruleset_err(err, WN_EFORMAT, "member '%s' %s", path,
		    why);
	} else if (archive_entry_sparse_count(e) > 0) {
		rc = wn__ruleset_err(err, WN_EFORMAT, "member '%s' is a "
		    "sparse file", path);
	} else {
		rc = wn_ruleset_entry_data(a, e, path, lim, total, &data, &len,
		    err);
	}
	if (rc == 0 && wn__ruleset_pkg_add(p, path, dir, data, len) != 0) {
		free(data);
		rc = wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	}
out:
	free(path);
	return rc;
}

static wn_ruleset_member *
wn_ruleset_find_path(const wn_ruleset_pkg *p, const char *path)
{
	size_t lo = 0, hi = p->n_members;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(p->members[mid].path, path);

		if (c == 0)
			return &p->members[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* no path twice, and no file that another member needs as a folder */
static int
wn_ruleset_pkg_unique(const wn_ruleset_pkg *p, char *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < p->n_members && rc == 0; i++) {
		const char *path = p->members[i].path;
		char *copy, *s;

		if (i > 0 && strcmp(p->members[i - 1].path, path) == 0)
			return wn__ruleset_err(err, WN_EFORMAT, "member '%s' "
			    "appears twice", path);
		if ((copy = strdup(path)) == NULL)
			return wn__ruleset_err(err, WN_ENOMEM, "out of memory");
		for (s = strchr(copy, '/'); s != NULL && rc == 0;
		    s = strchr(s + 1, '/')) {
			const wn_ruleset_member *parent;

			*s = '\0';
			parent = wn_ruleset_find_path(p, copy);
			*s = '/';
			if (parent != NULL && !parent->dir)
				rc = wn__ruleset_err(err, WN_EFORMAT,
				    "member '%s' is a file and a folder",
				    parent->path);
		}
		free(copy);
	}
	return rc;
}

int
wn__ruleset_pkg_read(const void *data, size_t len,
    const wn_ruleset_pkg_limits *lim, wn_ruleset_pkg *p, char *err)
{
	struct archive *a;
	struct archive_entry *e;
	size_t total = 0, entries = 0;
	int r, rc = 0;

	memset(p, 0, sizeof(*p));
	if (len > lim->max_compressed)
		return wn__ruleset_err(err, WN_ELIMIT, "package is %zu bytes, "
		    "over the limit of %zu", len, lim->max_compressed);
	if ((a = archive_read_new()) == NULL)
		return wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		rc = wn__ruleset_err(err, WN_EFORMAT, "not a .tar.gz package "
		    "(%s)", archive_error_string(a) != NULL ?
		    archive_error_string(a) : "unreadable");
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (r != ARCHIVE_OK) {
			rc = wn__ruleset_err(err, WN_EFORMAT, "damaged "
			    "package: %s", archive_error_string(a) != NULL ?
			    archive_error_string(a) : "unreadable");
			break;
		}
		if (entries == 0 &&
		    archive_filter_code(a, 0) != ARCHIVE_FILTER_GZIP) {
			rc = wn__ruleset_err(err, WN_EFORMAT, "not a .tar.gz "
			    "package (not gzip-compressed)");
			break;
		}
		if (++entries > lim->max_members) {
			rc = wn__ruleset_err(err, WN_ELIMIT, "package has more "
			    "than %zu members", lim->max_members);
			break;
		}
		if ((rc = wn_ruleset_entry(a, e, lim, &total, p, err)) != 0)
			break;
	}
	if (rc == 0 && entries == 0)
		rc = wn__ruleset_err(err, WN_EFORMAT, "empty package");
	if (rc == 0) {
		wn__ruleset_pkg_sort(p);
		rc = wn_ruleset_pkg_unique(p, err);
	}
out:
	archive_read_free(a);
	if (rc != 0)
		wn_ruleset_pkg_fini(p);
	return rc;
}
