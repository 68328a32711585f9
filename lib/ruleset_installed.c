/*
 * ruleset_installed.c - the rule sets installed on the operator's machine,
 * as rule loading and `winnow rules list` see them: each set's versions,
 * its current and previous version and its skip mark
 * (ruleset_install.h). Apart from staging and switching
 * (ruleset_install.c), so that loading rules needs no package reader.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winnow/err.h>
#include <winnow/ruleset_check.h>
#include <winnow/ruleset_install.h>
#include <winnow/str.h>

#include "ruleset_install_int.h"

int
wn__inst_err(char *err, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, WN_RULESET_INSTALL_ERR_LEN, fmt, ap);
	va_end(ap);
	return rc;
}

/* the target of ROOT/NAME/LINK, a version, into out; "" when none */
void
wn__inst_link(const char *root, const char *name, const char *link,
    char *out, size_t len)
{
	char path[4096];
	ssize_t n;

	out[0] = '\0';
	wn_path(path, sizeof(path), "%s/%s/%s", root, name, link);
	n = readlink(path, out, len - 1);
	if (n <= 0)
		out[0] = '\0';
	else
		out[n] = '\0';
	if (!wn_version_valid(out))
		out[0] = '\0';
}

void
wn__inst_skip_read(const char *root, const char *name, char *out, size_t len)
{
	char path[4096];
	FILE *f;

	out[0] = '\0';
	wn_path(path, sizeof(path), "%s/%s/skip", root, name);
	if ((f = fopen(path, "r")) == NULL)
		return;
	if (fgets(out, (int)len, f) == NULL)
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	if (!wn_version_valid(out))
		out[0] = '\0';
}

static int
wn_inst_version_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int cmp = 0;

	(void)wn_version_cmp(x, y, &cmp);
	return cmp;
}

/* the VERSION folders of ROOT/NAME, oldest first */
int
wn__inst_versions(const char *root, wn_installed_set *s, char *err)
{
	char path[4096];
	struct dirent *e;
	DIR *d;

	wn_path(path, sizeof(path), "%s/%s", root, s->name);
	if ((d = opendir(path)) == NULL)
		return wn__inst_err(err, WN_EIO, "%s: %s", path,
		    strerror(errno));
	while ((e = readdir(d)) != NULL) {
		char sub[4096], **nv;
		struct stat st;

		if (!wn_version_valid(e->d_name))
			continue;
		wn_path(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (lstat(sub, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		nv = realloc(s->versions, (s->n_versions + 1) * sizeof(*nv));
		if (nv == NULL || (nv[s->n_versions] = strdup(e->d_name)) ==
		    NULL) {
			if (nv != NULL)
				s->versions = nv;
			closedir(d);
			return wn__inst_err(err, WN_ENOMEM, "out of memory");
		}
		s->versions = nv;
		s->n_versions++;
	}
	closedir(d);
	if (s->n_versions > 1)
		qsort(s->versions, s->n_versions, sizeof(char *),
		    wn_inst_version_cmp);
	return 0;
}

static int
wn_inst_name_cmp(const void *a, const void *b)
{
	return strcmp(((const wn_installed_set *)a)->name,
	    ((const wn_installed_set *)b)->name);
}

void
wn_ruleset_installed_free(wn_installed_set *sets, size_t n)
{
	size_t i, k;

	for (i = 0; sets != NULL && i < n; i++) {
		for (k = 0; k < sets[i].n_versions; k++)
			free(sets[i].versions[k]);
		free(sets[i].versions);
	}
	free(sets);
}

int
wn_ruleset_installed(const char *root, wn_installed_set **sets_out,
    size_t *n_out, char *err)
{
	wn_installed_set *v = NULL;
	size_t n = 0;
	struct dirent *e;
	DIR *d;
	int rc = 0;

	*sets_out = NULL;
	*n_out = 0;
	if ((d = opendir(root)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return wn__inst_err(err, WN_EIO, "%s: %s", root,
		    strerror(errno));
	}
	while (rc == 0 && (e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		wn_installed_set *nv;

		if (!wn_manifest_name_valid(e->d_name))
			continue;
		wn_path(path, sizeof(path), "%s/%s", root, e->d_name);
		if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		if ((nv = realloc(v, (n + 1) * sizeof(*v))) == NULL) {
			rc = wn__inst_err(err, WN_ENOMEM, "out of memory");
			break;
		}
		v = nv;
		memset(&v[n], 0, sizeof(v[n]));
		memcpy(v[n].name, e->d_name, strnlen(e->d_name,
		    sizeof(v[n].name) - 1));	/* checked: at most 64 */
		n++;
		wn__inst_link(root, e->d_name, "current", v[n - 1].current,
		    sizeof(v[n - 1].current));
		wn__inst_link(root, e->d_name, "previous", v[n - 1].previous,
		    sizeof(v[n - 1].previous));
		wn__inst_skip_read(root, e->d_name, v[n - 1].skip,
		    sizeof(v[n - 1].skip));
		rc = wn__inst_versions(root, &v[n - 1], err);
	}
	closedir(d);
	if (rc != 0) {
		wn_ruleset_installed_free(v, n);
		return rc;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), wn_inst_name_cmp);
	*sets_out = v;
	*n_out = n;
	return 0;
}
