/*
 * manifest.c - read a rule set's manifest ("key: value" lines) and
 * compare dotted-number versions.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <winnow/err.h>
#include <winnow/manifest.h>

#define WN_VERSION_MAX_PARTS 8

/* the keys we read; offsets into wn_manifest */
static const struct wn_manifest_key {
	const char *key;
	size_t off;
	bool required;
} wn_manifest_keys[] = {
	{ "name", offsetof(wn_manifest, name), true },
	{ "version", offsetof(wn_manifest, version), true },
	{ "maintainer", offsetof(wn_manifest, maintainer), true },
	{ "licence", offsetof(wn_manifest, licence), true },
	{ "min-engine", offsetof(wn_manifest, min_engine), true },
	{ "description", offsetof(wn_manifest, description), false },
};
#define WN_MANIFEST_NKEYS \
	(sizeof(wn_manifest_keys) / sizeof(wn_manifest_keys[0]))

static int wn_manifest_err(char *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
wn_manifest_err(char *err, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, WN_MANIFEST_ERR_LEN, fmt, ap);
	va_end(ap);
	return rc;
}

static char **
wn_manifest_field(wn_manifest *m, size_t k)
{
	return (char **)(void *)((char *)m + wn_manifest_keys[k].off);
}

/* parse "N[.N]..." into parts; the number of parts, or -1 */
static int
wn_version_parts(const char *s, unsigned long parts[WN_VERSION_MAX_PARTS])
{
	int n = 0;

	for (;;) {
		unsigned long v = 0;
		int digits = 0;

		while (*s >= '0' && *s <= '9') {
			if (++digits > 9)
				return -1;
			v = v * 10 + (unsigned long)(*s++ - '0');
		}
		if (digits == 0 || n == WN_VERSION_MAX_PARTS)
			return -1;
		parts[n++] = v;
		if (*s == '\0')
			return n;
		if (*s++ != '.')
			return -1;
	}
}

bool
wn_version_valid(const char *s)
{
	unsigned long p[WN_VERSION_MAX_PARTS];

	return wn_version_parts(s, p) > 0;
}

int
wn_version_cmp(const char *a, const char *b, int *cmp_out)
{
	unsigned long pa[WN_VERSION_MAX_PARTS], pb[WN_VERSION_MAX_PARTS];
	int na = wn_version_parts(a, pa), nb = wn_version_parts(b, pb), i;

	if (na < 0 || nb < 0)
		return WN_EFORMAT;
	for (i = 0; i < WN_VERSION_MAX_PARTS; i++) {
		unsigned long x = i < na ? pa[i] : 0, y = i < nb ? pb[i] : 0;

		if (x != y) {
			*cmp_out = x < y ? -1 : 1;
			return 0;
		}
	}
	*cmp_out = 0;
	return 0;
}

bool
wn_manifest_name_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > WN_MANIFEST_MAX_NAME || s[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* the values that must have a shape: name, version, min-engine */
static int
wn_manifest_check(const wn_manifest *m, char *err)
{
	size_t k;

	for (k = 0; k < WN_MANIFEST_NKEYS; k++)
		if (wn_manifest_keys[k].required &&
		    *wn_manifest_field((wn_manifest *)m, k) == NULL)
			return wn_manifest_err(err, WN_EFORMAT,
			    "manifest has no '%s'", wn_manifest_keys[k].key);
	if (!wn_manifest_name_valid(m->name))
		return wn_manifest_err(err, WN_EFORMAT, "manifest: name '%.64s' "
		    "is not 1-64 letters, digits, '.', '_' or '-'", m->name);
	if (strlen(m->version) > WN_MANIFEST_MAX_NAME ||
	    !wn_version_valid(m->version))
		return wn_manifest_err(err, WN_EFORMAT, "manifest: version "
		    "'%.64s' is not dotted numbers like 1.0.0", m->version);
	if (!wn_version_valid(m->min_engine))
		return wn_manifest_err(err, WN_EFORMAT, "manifest: min-engine "
		    "'%.64s' is not dotted numbers like 0.1.0", m->min_engine);
	return 0;
}

/* one "key: value" line (without its newline) */
static int
wn_manifest_line(wn_manifest *m, const char *line, size_t n, unsigned lineno,
    char *err)
{
	const char *colon, *v;
	size_t klen, vlen, k;
	char **field;

	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
	    line[n - 1] == '\t'))
		n--;
	if (n == 0 || line[0] == '#')
		return 0;
	colon = memchr(line, ':', n);
	if (colon == NULL)
		return wn_manifest_err(err, WN_EFORMAT, "manifest line %u: not "
		    "'key: value'", lineno);
	klen = (size_t)(colon - line);
	v = colon + 1;
	while (v < line + n && (*v == ' ' || *v == '\t'))
		v++;
	vlen = (size_t)(line + n - v);
	for (k = 0; k < WN_MANIFEST_NKEYS; k++)
		if (strlen(wn_manifest_keys[k].key) == klen &&
		    memcmp(wn_manifest_keys[k].key, line, klen) == 0)
			break;
	if (k == WN_MANIFEST_NKEYS)
		return 0;	/* a key of a newer version */
	field = wn_manifest_field(m, k);
	if (*field != NULL)
		return wn_manifest_err(err, WN_EFORMAT, "manifest line %u: "
		    "'%s' given twice", lineno, wn_manifest_keys[k].key);
	if (vlen == 0)
		return wn_manifest_err(err, WN_EFORMAT, "manifest line %u: "
		    "'%s' is empty", lineno, wn_manifest_keys[k].key);
	if ((*field = strndup(v, vlen)) == NULL)
		return wn_manifest_err(err, WN_ENOMEM, "out of memory");
	return 0;
}

int
wn_manifest_parse(const char *text, size_t len, wn_manifest *out,
    char *err)
{
	size_t off = 0;
	unsigned lineno = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (len > WN_MANIFEST_MAX_SIZE)
		return wn_manifest_err(err, WN_ELIMIT, "manifest is over %d "
		    "bytes", WN_MANIFEST_MAX_SIZE);
	if (memchr(text, '\0', len) != NULL)
		return wn_manifest_err(err, WN_EFORMAT, "manifest holds a NUL "
		    "byte");
	while (off < len && rc == 0) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;

		rc = wn_manifest_line(out, text + off, end - off, ++lineno,
		    err);
		off = end + 1;
	}
	if (rc == 0)
		rc = wn_manifest_check(out, err);
	if (rc != 0)
		wn_manifest_fini(out);
	return rc;
}

int
wn_manifest_read_dir(const char *dir, wn_manifest *out, char *err)
{
	char path[4096], *buf;
	ssize_t n = 0;
	size_t len = 0;
	int fd, rc;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/manifest", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return wn_manifest_err(err, errno == ENOENT ? WN_ENOENT :
		    WN_EIO, "%s: %s", path, strerror(errno));
	buf = malloc(WN_MANIFEST_MAX_SIZE + 1);
	if (buf == NULL) {
		close(fd);
		return wn_manifest_err(err, WN_ENOMEM, "out of memory");
	}
	while (len <= WN_MANIFEST_MAX_SIZE &&
	    (n = read(fd, buf + len, WN_MANIFEST_MAX_SIZE + 1 - len)) > 0)
		len += (size_t)n;
	if (len <= WN_MANIFEST_MAX_SIZE && n < 0) {
		rc = wn_manifest_err(err, WN_EIO, "%s: %s", path,
		    strerror(errno));
	} else {
		char why[WN_MANIFEST_ERR_LEN];

		rc = wn_manifest_parse(buf, len, out, why);
		if (rc != 0)
			wn_manifest_err(err, rc, "%s: %s", path, why);
	}
	free(buf);
	close(fd);
	return rc;
}

void
wn_manifest_fini(wn_manifest *m)
{
	size_t k;

	for (k = 0; k < WN_MANIFEST_NKEYS; k++)
		free(*wn_manifest_field(m, k));
	memset(m, 0, sizeof(*m));
}
