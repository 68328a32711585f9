/*
 * ruleset_pkg_write.c - make packages: a rule-set folder packed into a
 * deterministic .tar.gz with CHECKSUMS, and a package signed by adding
 * CHECKSUMS.sig.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include <winnow/err.h>

#include "ruleset_pkg_int.h"

static la_ssize_t
wn_ruleset_write_cb(struct archive *a, void *arg, const void *buf, size_t n)
{
	wn_buf *out = arg;

	wn_buf_append(out, buf, n);
	return out->failed ? -1 : (la_ssize_t)n;
}

/* one member; mtime 0, owner 0, fixed modes: the same input, same bytes */
static int
wn_ruleset_write_member(struct archive *a, struct archive_entry *e,
    const wn_ruleset_member *m)
{
	archive_entry_clear(e);
	archive_entry_set_pathname(e, m->path);
	archive_entry_set_filetype(e, m->dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(e, m->dir ? 0755 : 0644);
	archive_entry_set_size(e, m->dir ? 0 : (la_int64_t)m->len);
	archive_entry_set_mtime(e, 0, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		return -1;
	if (!m->dir && m->len > 0 &&
	    archive_write_data(a, m->data, m->len) != (la_ssize_t)m->len)
		return -1;
	return 0;
}

int
wn__ruleset_pkg_write_mem(const wn_ruleset_pkg *p, wn_buf *out, char *err)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t i;
	int rc = 0;

	if (a == NULL || e == NULL) {
		rc = wn__ruleset_err(err, WN_ENOMEM, "out of memory");
		goto out;
	}
	/* no time in the gzip header either */
	if (archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) !=
	    ARCHIVE_OK ||
	    archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, out, NULL, wn_ruleset_write_cb, NULL) !=
	    ARCHIVE_OK) {
		rc = wn__ruleset_err(err, WN_EIO, "cannot write the archive: "
		    "%s", archive_error_string(a) != NULL ?
		    archive_error_string(a) : "libarchive failed");
		goto out;
	}
	for (i = 0; i < p->n_members && rc == 0; i++)
		if (wn_ruleset_write_member(a, e, &p->members[i]) != 0)
			rc = -1;
	if (archive_write_close(a) != ARCHIVE_OK)
		rc = -1;
	if (rc != 0)
		rc = wn__ruleset_err(err, out->failed ? WN_ENOMEM : WN_EIO,
		    "cannot write the archive: %s", out->failed ?
		    "out of memory" : archive_error_string(a) != NULL ?
		    archive_error_string(a) : "libarchive failed");
out:
	archive_entry_free(e);
	archive_write_free(a);
	return rc;
}

typedef struct wn_ruleset_walk {
	wn_ruleset_pkg *p;
	wn_ruleset_pkg_limits lim;
	size_t total;
	char *err;
} wn_ruleset_walk;

static int
wn_ruleset_walk_add(wn_ruleset_walk *w, const char *rel, bool dir,
    uint8_t *data, size_t len)
{
	char *path = NULL;
	int rc;

	if (asprintf(&path, "%s/%s", w->p->top, rel) < 0) {
		free(data);
		return wn__ruleset_err(w->err, WN_ENOMEM, "out of memory");
	}
	if (strlen(path) > w->lim.max_path)
		rc = wn__ruleset_err(w->err, WN_ELIMIT, "'%s': path over %zu "
		    "bytes", path, w->lim.max_path);
	else if (w->p->n_members >= w->lim.max_members)
		rc = wn__ruleset_err(w->err, WN_ELIMIT, "more than %zu files "
		    "and folders", w->lim.max_members);
	else if (wn__ruleset_pkg_add(w->p, path, dir, data, len) != 0)
		rc = wn__ruleset_err(w->err, WN_ENOMEM, "out of memory");
	else
		rc = 0;
	if (rc != 0)
		free(data);
	free(path);
	return rc;
}

static int
wn_ruleset_walk_dir(wn_ruleset_walk *w, const char *fs, const char *rel)
{
	struct dirent **ents = NULL;
	int n, i, rc = 0;

	n = scandir(fs, &ents, NULL, alphasort);
	if (n < 0)
		return wn__ruleset_err(w->err, WN_EIO, "%s: %s", fs,
		    strerror(errno));
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		char *f = NULL, *r = NULL;
		const char *why;
		struct stat st;

		if (rc != 0 || name[0] == '.')
			goto next;	/* hidden: .git, editor files */
		if (asprintf(&f, "%s/%s", fs, name) < 0 ||
		    asprintf(&r, "%s%s%s", rel, *rel ? "/" : "", name) < 0) {
			rc = wn__ruleset_err(w->err, WN_ENOMEM, "out of memory");
			goto next;
		}
		if (lstat(f, &st) != 0) {
			rc = wn__ruleset_err(w->err, WN_EIO, "%s: %s", f,
			    strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			rc = wn_ruleset_walk_add(w, r, true, NULL, 0);
			if (rc == 0)
				rc = wn_ruleset_walk_dir(w, f, r);
		} else if (!S_ISREG(st.st_mode)) {
			rc = wn__ruleset_err(w->err, WN_EFORMAT, "%s: not a "
			    "regular file or folder; a package holds no links "
			    "or devices", f);
		} else if (strcmp(r, WN__RULESET_CHECKSUMS) == 0 ||
		    strcmp(r, WN__RULESET_SIG) == 0) {
			rc = wn__ruleset_err(w->err, WN_EFORMAT, "%s: a name "
			    "the package itself uses", f);
		} else if ((why = wn__ruleset_rel_allowed(r)) != NULL) {
			rc = wn__ruleset_err(w->err, WN_EFORMAT, "%s %s", f, why);
		} else {
			uint8_t *data = NULL;
			size_t len = 0;

			rc = wn__ruleset_file_read(f, w->lim.max_unpacked -
			    w->total, &data, &len, w->err);
			if (rc == WN_ELIMIT)
				wn__ruleset_err(w->err, rc, "%s: the set is over "
				    "%zu bytes", f, w->lim.max_unpacked);
			if (rc == 0) {
				w->total += len;
				rc = wn_ruleset_walk_add(w, r, false, data,
				    len);
			}
		}
next:
		free(f);
		free(r);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/* CHECKSUMS over the files, added in its sorted place */
static int
wn_ruleset_add_checksums(wn_ruleset_pkg *p, char *err)
{
	wn_buf sums;
	uint8_t *copy;
	size_t len;
	char *path = NULL;

	wn__ruleset_pkg_sort(p);
	wn_buf_init(&sums);
	if (wn__ruleset_checksums(p, &sums) != 0) {
		wn_buf_fini(&sums);
		return wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	}
	len = sums.len;
	copy = malloc(len + 1);
	if (copy != NULL) {
		if (len > 0)
			memcpy(copy, sums.data, len);
		copy[len] = '\0';
	}
	wn_buf_fini(&sums);
	if (copy == NULL || asprintf(&path, "%s/%s", p->top,
	    WN__RULESET_CHECKSUMS) < 0 ||
	    wn__ruleset_pkg_add(p, path, false, copy, len) != 0) {
		free(copy);
		free(path);
		return wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	}
	free(path);
	wn__ruleset_pkg_sort(p);
	return 0;
}

/* the package as a file, refused when over the compressed limit */
static int
wn_ruleset_pkg_save(const wn_ruleset_pkg *p, const char *out_path,
    const wn_ruleset_pkg_limits *lim, char *err)
{
	wn_buf tgz;
	int rc;

	wn_buf_init(&tgz);
	rc = wn__ruleset_pkg_write_mem(p, &tgz, err);
	if (rc == 0 && tgz.len > lim->max_compressed)
		rc = wn__ruleset_err(err, WN_ELIMIT, "%s: the package would be "
		    "%zu bytes, over the limit of %zu", out_path, tgz.len,
		    lim->max_compressed);
	if (rc == 0)
		rc = wn__ruleset_file_write(out_path, tgz.data, tgz.len, err);
	wn_buf_fini(&tgz);
	return rc;
}

int
wn_ruleset_pkg_pack(const char *dir, const char *out_path,
    wn_ruleset_pkg *info_out, char *err)
{
	wn_ruleset_pkg p;
	wn_ruleset_walk w;
	int rc;

	memset(&p, 0, sizeof(p));
	memset(&w, 0, sizeof(w));
	w.p = &p;
	w.err = err;
	wn_ruleset_pkg_limits_default(&w.lim);
	rc = wn_manifest_read_dir(dir, &p.manifest, err);
	if (rc != 0)
		return rc;
	if (asprintf(&p.top, "%s-%s", p.manifest.name, p.manifest.version) < 0)
	{
		p.top = NULL;
		wn_ruleset_pkg_fini(&p);
		return wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	}
	rc = wn__ruleset_pkg_add(&p, p.top, true, NULL, 0);
	if (rc != 0)
		rc = wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	if (rc == 0)
		rc = wn_ruleset_walk_dir(&w, dir, "");
	if (rc == 0)
		rc = wn_ruleset_add_checksums(&p, err);
	if (rc == 0) {
		size_t i;

		for (i = 0; i < p.n_members; i++)
			if (!p.members[i].dir && strcmp(p.members[i].rel,
			    WN__RULESET_CHECKSUMS) != 0)
				p.n_files++;
		rc = wn_ruleset_pkg_save(&p, out_path, &w.lim, err);
	}
	if (rc == 0 && info_out != NULL)
		*info_out = p;
	else
		wn_ruleset_pkg_fini(&p);
	return rc;
}

/* replace CHECKSUMS.sig by one made with k */
static int
wn_ruleset_add_sig(wn_ruleset_pkg *p, const wn_seckey *k, char *err)
{
	const wn_ruleset_member *sums;
	char b64[WN_SIGN_SIG_B64_LEN + 1], *line = NULL, *path = NULL;
	wn_buf text;
	int n;

	wn__ruleset_pkg_remove(p, WN__RULESET_SIG);
	sums = wn__ruleset_pkg_find(p, WN__RULESET_CHECKSUMS);
	wn_buf_init(&text);
	if (sums == NULL || wn__ruleset_signed_text(sums, &text) != 0) {
		wn_buf_fini(&text);
		return wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	}
	wn_sign_detached(k, text.data, text.len, b64);
	wn_buf_fini(&text);
	n = asprintf(&line, "%s %s %s\n", WN_RULESET_SIG_TAG, k->pub.id, b64);
	if (n < 0 || asprintf(&path, "%s/%s", p->top, WN__RULESET_SIG) < 0 ||
	    wn__ruleset_pkg_add(p, path, false, (uint8_t *)line, (size_t)n) !=
	    0) {
		free(n < 0 ? NULL : line);
		free(path);
		return wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	}
	free(path);
	wn__ruleset_pkg_sort(p);
	memcpy(p->key_id, k->pub.id, sizeof(p->key_id));
	return 0;
}

int
wn_ruleset_pkg_sign(const char *path, const wn_seckey *k,
    wn_ruleset_pkg *info_out, char *err)
{
	wn_ruleset_pkg_limits lim;
	char why[WN_RULESET_PKG_ERR_LEN];
	wn_ruleset_pkg p;
	uint8_t *data = NULL;
	size_t len = 0;
	int rc;

	memset(&p, 0, sizeof(p));
	wn_ruleset_pkg_limits_default(&lim);
	rc = wn__ruleset_file_read(path, lim.max_compressed, &data, &len, err);
	if (rc != 0)
		return rc;
	rc = wn__ruleset_pkg_load(data, len, &lim, NULL, 0, 0, &p, why);
	free(data);
	if (rc != 0)
		return wn__ruleset_err(err, rc, "%s: %s", path, why);
	rc = wn_ruleset_add_sig(&p, k, err);
	if (rc == 0)
		rc = wn_ruleset_pkg_save(&p, path, &lim, err);
	if (rc == 0 && info_out != NULL)
		*info_out = p;
	else
		wn_ruleset_pkg_fini(&p);
	return rc;
}
