/*
 * ruleset_pkg_verify.c - does a package hold: its signature under a
 * trusted key, its files against CHECKSUMS, its manifest against the top
 * folder and this engine's version. The trusted keys are *.pub files.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/err.h>

#include "ruleset_pkg_int.h"

#define WN_RULESET_MAX_TRUSTED 1024

/* CHECKSUMS.sig: "winnow-rules-signature-1 KEYID SIG\n" */
static int
wn_ruleset_check_sig(wn_ruleset_pkg *p, const wn_pubkey *keys, size_t n_keys,
    char *err)
{
	const wn_ruleset_member *sig = wn__ruleset_pkg_find(p, WN__RULESET_SIG);
	const wn_ruleset_member *sums = wn__ruleset_pkg_find(p,
	    WN__RULESET_CHECKSUMS);
	char id[WN_SIGN_KEY_ID_LEN + 1], b64[WN_SIGN_SIG_B64_LEN + 1];
	const char *tag = WN_RULESET_SIG_TAG " ";
	size_t tl = strlen(tag), i, want;
	const char *t;
	bool known = false;
	wn_buf text;
	int rc = 0;

	if (sig == NULL)
		return wn__ruleset_err(err, WN_EFORMAT, "package is not signed "
		    "(no %s/%s)", p->top, WN__RULESET_SIG);
	if (sums == NULL)
		return wn__ruleset_err(err, WN_EFORMAT, "package has no %s/%s",
		    p->top, WN__RULESET_CHECKSUMS);
	t = (const char *)sig->data;
	want = tl + WN_SIGN_KEY_ID_LEN + 1 + WN_SIGN_SIG_B64_LEN;
	if (!(sig->len == want || (sig->len == want + 1 && t[want] == '\n')) ||
	    memcmp(t, tag, tl) != 0 || t[tl + WN_SIGN_KEY_ID_LEN] != ' ')
		return wn__ruleset_err(err, WN_EFORMAT, "%s is not a winnow "
		    "rules signature", WN__RULESET_SIG);
	memcpy(id, t + tl, WN_SIGN_KEY_ID_LEN);
	id[WN_SIGN_KEY_ID_LEN] = '\0';
	memcpy(b64, t + tl + WN_SIGN_KEY_ID_LEN + 1, WN_SIGN_SIG_B64_LEN);
	b64[WN_SIGN_SIG_B64_LEN] = '\0';
	for (i = 0; i < WN_SIGN_KEY_ID_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'f')))
			return wn__ruleset_err(err, WN_EFORMAT, "%s is not a "
			    "winnow rules signature", WN__RULESET_SIG);
	memcpy(p->key_id, id, sizeof(p->key_id));	/* claimed, until checked */
	wn_buf_init(&text);
	if (wn__ruleset_signed_text(sums, &text) != 0) {
		wn_buf_fini(&text);
		return wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	}
	for (i = 0; i < n_keys; i++) {
		if (strcmp(keys[i].id, id) != 0)
			continue;
		known = true;
		if (wn_sign_verify(&keys[i], text.data, text.len, b64))
			break;
	}
	if (!known)
		rc = wn__ruleset_err(err, WN_EFORMAT, "signed by key %s, which "
		    "is not trusted", id);
	else if (i == n_keys)
		rc = wn__ruleset_err(err, WN_EFORMAT, "signature by %s does not "
		    "hold: CHECKSUMS changed after signing", id);
	wn_buf_fini(&text);
	return rc;
}

/* one CHECKSUMS line: "sha256 HEX  PATH"; *path_out points into line */
static bool
wn_ruleset_sum_line(char *line, char **hex_out, char **path_out)
{
	size_t i;

	if (strncmp(line, "sha256 ", 7) != 0)
		return false;
	for (i = 7; i < 7 + 64; i++)
		if (!((line[i] >= '0' && line[i] <= '9') ||
		    (line[i] >= 'a' && line[i] <= 'f')))
			return false;
	if (line[71] != ' ' || line[72] != ' ' || line[73] == '\0')
		return false;
	line[71] = '\0';
	*hex_out = line + 7;
	*path_out = line + 73;
	return true;
}

/* every file listed, every listed file there, every sum right */
static int
wn_ruleset_check_sums(wn_ruleset_pkg *p, char *err)
{
	const wn_ruleset_member *sums = wn__ruleset_pkg_find(p,
	    WN__RULESET_CHECKSUMS);
	char *text, *line, *next, *prev = NULL;
	uint8_t *seen;
	size_t i, files = 0;
	unsigned lineno = 0;
	int rc = 0;

	if (sums == NULL)
		return wn__ruleset_err(err, WN_EFORMAT, "package has no %s/%s",
		    p->top, WN__RULESET_CHECKSUMS);
	if (memchr(sums->data, '\0', sums->len) != NULL ||
	    (sums->len > 0 && sums->data[sums->len - 1] != '\n'))
		return wn__ruleset_err(err, WN_EFORMAT, "%s is not lines of "
		    "text", WN__RULESET_CHECKSUMS);
	text = strndup((const char *)sums->data, sums->len);
	seen = calloc(p->n_members + 1, 1);
	if (text == NULL || seen == NULL) {
		free(text);
		free(seen);
		return wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	}
	for (line = text; rc == 0 && *line != '\0'; line = next) {
		wn_ruleset_member *m;
		char *hex = NULL, *path = NULL, got[65];

		next = strchr(line, '\n');
		*next++ = '\0';
		lineno++;
		if (!wn_ruleset_sum_line(line, &hex, &path))
			rc = wn__ruleset_err(err, WN_EFORMAT, "%s line %u: not "
			    "'sha256 HEX  PATH'", WN__RULESET_CHECKSUMS, lineno);
		else if (prev != NULL && strcmp(prev, path) >= 0)
			rc = wn__ruleset_err(err, WN_EFORMAT, "%s line %u: "
			    "paths not sorted or listed twice",
			    WN__RULESET_CHECKSUMS, lineno);
		else if ((m = wn__ruleset_pkg_find(p, path)) == NULL ||
		    m->dir || strcmp(path, WN__RULESET_CHECKSUMS) == 0 ||
		    strcmp(path, WN__RULESET_SIG) == 0)
			rc = wn__ruleset_err(err, WN_EFORMAT, "'%s' is listed "
			    "in %s but not in the package", path,
			    WN__RULESET_CHECKSUMS);
		else {
			wn__ruleset_sha256_hex(m->data, m->len, got);
			if (strcmp(got, hex) != 0)
				rc = wn__ruleset_err(err, WN_EFORMAT,
				    "checksum mismatch for '%s'", m->path);
			seen[m - p->members] = 1;
		}
		prev = path;
	}
	free(text);
	for (i = 0; rc == 0 && i < p->n_members; i++) {
		const wn_ruleset_member *m = &p->members[i];

		if (m->dir || strcmp(m->rel, WN__RULESET_CHECKSUMS) == 0 ||
		    strcmp(m->rel, WN__RULESET_SIG) == 0)
			continue;
		files++;
		if (!seen[i])
			rc = wn__ruleset_err(err, WN_EFORMAT, "member '%s' is "
			    "not listed in %s", m->path, WN__RULESET_CHECKSUMS);
	}
	free(seen);
	if (rc == 0)
		p->n_files = files;
	return rc;
}

/* the manifest reads, names the top folder, and fits this engine */
static int
wn_ruleset_check_manifest(wn_ruleset_pkg *p, unsigned flags, char *err)
{
	const wn_ruleset_member *m = wn__ruleset_pkg_find(p, "manifest");
	char why[WN_MANIFEST_ERR_LEN];
	int rc, cmp;

	if (m == NULL || m->dir)
		return wn__ruleset_err(err, WN_EFORMAT, "package has no %s/"
		    "manifest", p->top);
	rc = wn_manifest_parse((const char *)m->data, m->len, &p->manifest,
	    why);
	if (rc != 0)
		return wn__ruleset_err(err, rc == WN_ENOMEM ? WN_ENOMEM :
		    WN_EFORMAT, "%s", why);
	if (strlen(p->top) != strlen(p->manifest.name) + 1 +
	    strlen(p->manifest.version) ||
	    strncmp(p->top, p->manifest.name, strlen(p->manifest.name)) != 0 ||
	    p->top[strlen(p->manifest.name)] != '-' ||
	    strcmp(p->top + strlen(p->manifest.name) + 1,
	    p->manifest.version) != 0)
		return wn__ruleset_err(err, WN_EFORMAT, "top folder '%s' is "
		    "not NAME-VERSION of the manifest (%s-%s)", p->top,
		    p->manifest.name, p->manifest.version);
	if (wn_version_cmp(p->manifest.min_engine, WN_VERSION, &cmp) != 0)
		return wn__ruleset_err(err, WN_EFORMAT, "manifest: min-engine "
		    "'%s' is not a version", p->manifest.min_engine);
	if (cmp > 0 && (flags & WN__RULESET_ENGINE))
		return wn__ruleset_err(err, WN_EFORMAT, "rule set needs winnow "
		    "%s or newer (min-engine); this is winnow %s",
		    p->manifest.min_engine, WN_VERSION);
	return 0;
}

int
wn__ruleset_pkg_load(const void *data, size_t len,
    const wn_ruleset_pkg_limits *lim, const wn_pubkey *keys, size_t n_keys,
    unsigned flags, wn_ruleset_pkg *p, char *err)
{
	wn_ruleset_pkg_limits def;
	int rc;

	if (lim == NULL) {
		wn_ruleset_pkg_limits_default(&def);
		lim = &def;
	}
	if (wn_sign_init() != 0)
		return wn__ruleset_err(err, WN_EINVAL, "libsodium did not "
		    "initialise");
	rc = wn__ruleset_pkg_read(data, len, lim, p, err);
	if (rc != 0)
		return rc;
	/* the signature first: nothing else is believed before it holds */
	if (flags & WN__RULESET_NEED_SIG)
		rc = wn_ruleset_check_sig(p, keys, n_keys, err);
	if (rc == 0)
		rc = wn_ruleset_check_sums(p, err);
	if (rc == 0)
		rc = wn_ruleset_check_manifest(p, flags, err);
	if (rc != 0) {
		char claimed[sizeof(p->key_id)];

		memcpy(claimed, p->key_id, sizeof(claimed));
		wn_ruleset_pkg_fini(p);
		memcpy(p->key_id, claimed, sizeof(claimed));
	}
	return rc;
}

int
wn_ruleset_pkg_verify_mem(const void *data, size_t len,
    const wn_pubkey *keys, size_t n_keys, const wn_ruleset_pkg_limits *lim,
    wn_ruleset_pkg *out, char *err)
{
	return wn__ruleset_pkg_load(data, len, lim, keys, n_keys,
	    WN__RULESET_NEED_SIG | WN__RULESET_ENGINE, out, err);
}

static int
wn_ruleset_pub_filter(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 4 &&
	    strcmp(e->d_name + n - 4, ".pub") == 0;
}

int
wn_ruleset_trusted_load(const char *dir, wn_pubkey **keys_out,
    size_t *n_out, char *err)
{
	struct dirent **ents = NULL;
	wn_pubkey *keys;
	int n, i, rc = 0;
	size_t k = 0;

	*keys_out = NULL;
	*n_out = 0;
	n = scandir(dir, &ents, wn_ruleset_pub_filter, alphasort);
	if (n < 0)
		return wn__ruleset_err(err, errno == ENOENT ? WN_ENOENT :
		    WN_EIO, "%s: %s", dir, strerror(errno));
	keys = calloc((size_t)n + 1, sizeof(*keys));
	if (keys == NULL)
		rc = wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	else if (n == 0)
		rc = wn__ruleset_err(err, WN_ENOENT, "%s: no trusted keys "
		    "(*.pub)", dir);
	else if (n > WN_RULESET_MAX_TRUSTED)
		rc = wn__ruleset_err(err, WN_ELIMIT, "%s: more than %d keys",
		    dir, WN_RULESET_MAX_TRUSTED);
	for (i = 0; i < n; i++) {
		char path[4096];
		int r;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		free(ents[i]);
		if (rc != 0)
			continue;
		if ((r = wn_pubkey_load(path, &keys[k])) != 0)
			rc = wn__ruleset_err(err, r == WN_EFORMAT ? WN_EFORMAT :
			    WN_EIO, "%s: %s", path, r == WN_EFORMAT ?
			    "not a winnow public key" : strerror(errno));
		k++;
	}
	free(ents);
	if (rc != 0) {
		free(keys);
		return rc;
	}
	*keys_out = keys;
	*n_out = k;
	return 0;
}

int
wn_ruleset_pkg_verify(const char *path, const char *trusted_dir,
    const wn_ruleset_pkg_limits *lim, wn_ruleset_pkg *out, char *err)
{
	wn_ruleset_pkg_limits def;
	char why[WN_RULESET_PKG_ERR_LEN];
	wn_pubkey *keys = NULL;
	size_t n_keys = 0, len = 0;
	uint8_t *data = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (lim == NULL) {
		wn_ruleset_pkg_limits_default(&def);
		lim = &def;
	}
	rc = wn_ruleset_trusted_load(trusted_dir, &keys, &n_keys, err);
	if (rc != 0)
		return rc;
	rc = wn__ruleset_file_read(path, lim->max_compressed, &data, &len,
	    err);
	if (rc == 0) {
		rc = wn_ruleset_pkg_verify_mem(data, len, keys, n_keys, lim,
		    out, why);
		if (rc != 0)
			wn__ruleset_err(err, rc, "%s: %s", path, why);
	}
	free(data);
	free(keys);
	return rc;
}
