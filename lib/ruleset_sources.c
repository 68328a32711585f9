/*
 * ruleset_sources.c - which rule sets winnowd loads (the configured paths
 * with installed sets in place of same-named ones) and the channels an
 * update follows (ruleset_install.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winnow/err.h>
#include <winnow/ruleset_install.h>
#include <winnow/str.h>

int
wn_ruleset_channels_parse(const char *text, wn_ruleset_channel *out,
    size_t max, size_t *n_out, char *err)
{
	const char *p = text;
	size_t n = 0, i;

	*n_out = 0;
	for (;;) {
		const char *w, *colon, *end;
		char name[WN_MANIFEST_MAX_NAME + 1];
		size_t len, name_len;

		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		w = p;
		len = strcspn(w, " \t");
		p = w + len;
		end = w + len;
		colon = memchr(w, ':', len);
		name_len = colon != NULL ? (size_t)(colon - w) : len;
		if (name_len < sizeof(out[0].name))
			memcpy(name, w, name_len);
		name[name_len < sizeof(out[0].name) ? name_len : 0] = '\0';
		if (!wn_manifest_name_valid(name)) {
			snprintf(err, WN_RULESET_INSTALL_ERR_LEN, "'%.*s' is not "
			    "a rule-set name (letters, digits, '.', '_', '-')",
			    (int)name_len, w);
			return WN_EINVAL;
		}
		if (n == max) {
			snprintf(err, WN_RULESET_INSTALL_ERR_LEN, "more than %zu "
			    "channels", max);
			return WN_ELIMIT;
		}
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(out[n].name, w, name_len);
		if (colon == NULL)
			snprintf(out[n].stage, sizeof(out[n].stage), "stable");
		else if ((size_t)(end - colon - 1) == 6 &&
		    memcmp(colon + 1, "stable", 6) == 0)
			snprintf(out[n].stage, sizeof(out[n].stage), "stable");
		else if ((size_t)(end - colon - 1) == 7 &&
		    memcmp(colon + 1, "testing", 7) == 0)
			snprintf(out[n].stage, sizeof(out[n].stage), "testing");
		else {
			snprintf(err, WN_RULESET_INSTALL_ERR_LEN, "'%.*s': the "
			    "stage is stable or testing", (int)len, w);
			return WN_EINVAL;
		}
		for (i = 0; i < n; i++)
			if (strcmp(out[i].name, out[n].name) == 0) {
				snprintf(err, WN_RULESET_INSTALL_ERR_LEN, "'%s' "
				    "is named twice", out[n].name);
				return WN_EINVAL;
			}
		n++;
	}
	*n_out = n;
	return 0;
}

/* name and version of the set at path, when it is a folder with a
 * manifest; "" otherwise (a warning when the manifest does not read) */
static void
wn_src_identify(wn_ruleset_source *s, wn_diag_list *d)
{
	char mpath[4200], err[WN_MANIFEST_ERR_LEN];
	wn_manifest m;

	s->name[0] = s->version[0] = '\0';
	wn_path(mpath, sizeof(mpath), "%s/manifest", s->path);
	if (access(mpath, F_OK) != 0)
		return;
	if (wn_manifest_read_dir(s->path, &m, err) != 0) {
		wn_diag_add(d, WN_DIAG_WARNING, "", 0, "%s", err);
		return;
	}
	snprintf(s->name, sizeof(s->name), "%s", m.name);
	snprintf(s->version, sizeof(s->version), "%s", m.version);
	wn_manifest_fini(&m);
}

static void
wn_src_installed(wn_ruleset_source *s, const char *root, const char *name,
    const char *version)
{
	memset(s, 0, sizeof(*s));
	wn_path(s->path, sizeof(s->path), "%s/%s/%s", root, name, version);
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->version, sizeof(s->version), "%s", version);
	s->installed = true;
}

int
wn_ruleset_sources(const char *const *paths, size_t n_paths,
    const char *root, const char *override_name,
    const char *override_version, wn_ruleset_source *out, size_t *n_out,
    wn_diag_list *d)
{
	wn_installed_set *sets = NULL;
	size_t n_sets = 0, n = 0, i, k;
	char err[WN_RULESET_INSTALL_ERR_LEN];
	bool *placed = NULL, override_placed = false;
	int rc = 0;

	*n_out = 0;
	if (n_paths > WN_RULESET_MAX_SOURCES)
		return WN_ELIMIT;
	if (root != NULL && *root != '\0' &&
	    (rc = wn_ruleset_installed(root, &sets, &n_sets, err)) != 0) {
		wn_diag_add(d, WN_DIAG_ERROR, "", 0, "%s", err);
		return rc;
	}
	if (n_sets > 0 && (placed = calloc(n_sets, sizeof(bool))) == NULL) {
		rc = WN_ENOMEM;
		goto out;
	}
	for (i = 0; i < n_paths; i++) {
		wn_ruleset_source *s = &out[n++];

		memset(s, 0, sizeof(*s));
		snprintf(s->path, sizeof(s->path), "%s", paths[i]);
		wn_src_identify(s, d);
		if (s->name[0] == '\0')
			continue;
		if (override_name != NULL &&
		    strcmp(s->name, override_name) == 0) {
			wn_src_installed(s, root, override_name,
			    override_version);
			override_placed = true;
		}
		for (k = 0; k < n_sets; k++)
			if (strcmp(sets[k].name, s->name) == 0) {
				placed[k] = true;
				if (s->installed || sets[k].current[0] == '\0')
					continue;
				wn_src_installed(s, root, sets[k].name,
				    sets[k].current);
			}
	}
	for (k = 0; k < n_sets; k++) {
		const char *version = sets[k].current;

		if (placed[k])
			continue;
		if (override_name != NULL &&
		    strcmp(sets[k].name, override_name) == 0) {
			version = override_version;
			override_placed = true;
		}
		if (version[0] == '\0')
			continue;
		if (n == WN_RULESET_MAX_SOURCES) {
			rc = WN_ELIMIT;
			goto out;
		}
		wn_src_installed(&out[n++], root, sets[k].name, version);
	}
	if (override_name != NULL && !override_placed) {
		if (n == WN_RULESET_MAX_SOURCES) {
			rc = WN_ELIMIT;
			goto out;
		}
		wn_src_installed(&out[n++], root, override_name,
		    override_version);
	}
	*n_out = n;
out:
	if (rc == WN_ELIMIT)
		wn_diag_add(d, WN_DIAG_ERROR, "", 0, "more than %d rule sets "
		    "to load", WN_RULESET_MAX_SOURCES);
	free(placed);
	wn_ruleset_installed_free(sets, n_sets);
	return rc;
}
