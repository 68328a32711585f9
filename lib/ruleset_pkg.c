/*
 * ruleset_pkg.c - the member list of a rule-set package, the data-only
 * rule, and the CHECKSUMS text (see ruleset_pkg.h for the format).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <winnow/err.h>

#include "ruleset_pkg_int.h"

void
wn_ruleset_pkg_limits_default(wn_ruleset_pkg_limits *l)
{
	l->max_compressed = (size_t)8 << 20;
	l->max_unpacked = (size_t)32 << 20;
	l->max_members = 2000;
	l->max_path = 255;
}

void
wn_ruleset_pkg_fini(wn_ruleset_pkg *p)
{
	size_t i;

	for (i = 0; i < p->n_members; i++) {
		free(p->members[i].path);
		free(p->members[i].data);
	}
	free(p->members);
	free(p->top);
	wn_manifest_fini(&p->manifest);
	memset(p, 0, sizeof(*p));
}

int
wn__ruleset_err(char *err, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, WN_RULESET_PKG_ERR_LEN, fmt, ap);
	va_end(ap);
	return rc;
}

int
wn__ruleset_pkg_add(wn_ruleset_pkg *p, const char *path, bool dir,
    uint8_t *data, size_t len)
{
	size_t n = p->n_members;
	wn_ruleset_member *m;

	/* capacity: 16, then doubled whenever n reaches a power of two */
	if (n == 0 || (n >= 16 && (n & (n - 1)) == 0)) {
		wn_ruleset_member *nv = realloc(p->members,
		    (n ? n * 2 : 16) * sizeof(*nv));

		if (nv == NULL)
			return WN_ENOMEM;
		p->members = nv;
	}
	m = &p->members[p->n_members];
	if ((m->path = strdup(path)) == NULL)
		return WN_ENOMEM;
	m->dir = dir;
	m->data = data;
	m->len = len;
	m->rel = "";
	p->n_members++;
	return 0;
}

static int
wn_ruleset_member_cmp(const void *a, const void *b)
{
	return strcmp(((const wn_ruleset_member *)a)->path,
	    ((const wn_ruleset_member *)b)->path);
}

void
wn__ruleset_pkg_sort(wn_ruleset_pkg *p)
{
	size_t i, tl = p->top != NULL ? strlen(p->top) : 0;

	if (p->n_members > 1)
		qsort(p->members, p->n_members, sizeof(*p->members),
		    wn_ruleset_member_cmp);
	for (i = 0; i < p->n_members; i++) {
		wn_ruleset_member *m = &p->members[i];

		m->rel = tl > 0 && strncmp(m->path, p->top, tl) == 0 &&
		    m->path[tl] == '/' ? m->path + tl + 1 : "";
	}
}

wn_ruleset_member *
wn__ruleset_pkg_find(const wn_ruleset_pkg *p, const char *rel)
{
	wn_ruleset_member key;
	char path[1024];

	if (p->top == NULL || p->n_members == 0)
		return NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", p->top, rel) >=
	    sizeof(path))
		return NULL;
	key.path = path;
	return bsearch(&key, p->members, p->n_members, sizeof(*p->members),
	    wn_ruleset_member_cmp);
}

void
wn__ruleset_pkg_remove(wn_ruleset_pkg *p, const char *rel)
{
	wn_ruleset_member *m = wn__ruleset_pkg_find(p, rel);
	size_t i;

	if (m == NULL)
		return;
	i = (size_t)(m - p->members);
	free(m->path);
	free(m->data);
	memmove(m, m + 1, (p->n_members - i - 1) * sizeof(*m));
	p->n_members--;
}

const char *
wn__ruleset_rel_allowed(const char *rel)
{
	size_t n = strlen(rel);
	const char *base = strrchr(rel, '/');

	base = base != NULL ? base + 1 : rel;
	if (strcmp(rel, "manifest") == 0 ||
	    strcmp(rel, WN__RULESET_CHECKSUMS) == 0 ||
	    strcmp(rel, WN__RULESET_SIG) == 0)
		return NULL;
	if (strncmp(rel, "tests/", 6) == 0 && n > 6)
		return NULL;
	if (strlen(base) > 3 && strcmp(rel + n - 3, ".cf") == 0)
		return NULL;
	return "is not rule data (allowed: manifest, *.cf, tests/...)";
}

void
wn__ruleset_sha256_hex(const uint8_t *data, size_t len, char hex[65])
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

int
wn__ruleset_checksums(const wn_ruleset_pkg *p, wn_buf *out)
{
	size_t i;

	for (i = 0; i < p->n_members; i++) {
		const wn_ruleset_member *m = &p->members[i];
		char hex[65];

		if (m->dir || *m->rel == '\0' ||
		    strcmp(m->rel, WN__RULESET_CHECKSUMS) == 0 ||
		    strcmp(m->rel, WN__RULESET_SIG) == 0)
			continue;
		wn__ruleset_sha256_hex(m->data, m->len, hex);
		wn_buf_printf(out, "sha256 %s  %s\n", hex, m->rel);
	}
	return out->failed ? WN_ENOMEM : 0;
}

int
wn__ruleset_signed_text(const wn_ruleset_member *checksums, wn_buf *out)
{
	wn_buf_puts(out, WN_RULESET_SIG_TAG "\n");
	wn_buf_append(out, checksums->data, checksums->len);
	return out->failed ? WN_ENOMEM : 0;
}

int
wn__ruleset_file_read(const char *path, size_t max, uint8_t **data_out,
    size_t *len_out, char *err)
{
	struct stat st;
	uint8_t *buf;
	size_t len = 0;
	ssize_t n = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return wn__ruleset_err(err, errno == ENOENT ? WN_ENOENT :
		    WN_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return wn__ruleset_err(err, WN_EIO, "%s: not a regular file",
		    path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return wn__ruleset_err(err, WN_ELIMIT, "%s: %lld bytes, over "
		    "the limit of %zu", path, (long long)st.st_size, max);
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	}
	/* read one byte more than fstat said, to see a file that grew */
	while (len <= (size_t)st.st_size &&
	    (n = read(fd, buf + len, (size_t)st.st_size + 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0 || len > (size_t)st.st_size) {
		free(buf);
		return wn__ruleset_err(err, WN_EIO, "%s: %s", path, n < 0 ?
		    strerror(errno) : "changed while read");
	}
	buf[len] = '\0';
	*data_out = buf;
	*len_out = len;
	return 0;
}

int
wn__ruleset_file_write(const char *path, const void *data, size_t len,
    char *err)
{
	char *tmp = NULL;
	int fd, e;

	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0)
		return wn__ruleset_err(err, WN_ENOMEM, "out of memory");
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		free(tmp);
		return wn__ruleset_err(err, WN_EIO, "%s: %s", path,
		    strerror(e));
	}
	if (fchmod(fd, 0644) != 0 || write(fd, data, len) != (ssize_t)len ||
	    fsync(fd) != 0) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		e = errno;
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	errno = e;
	return wn__ruleset_err(err, WN_EIO, "%s: %s", path, strerror(e));
}
