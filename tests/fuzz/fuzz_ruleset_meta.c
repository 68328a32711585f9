/*
 * fuzz_ruleset_meta.c - libFuzzer target for the rule-set metadata a
 * repository answers (wn_ruleset_meta_parse) and the promotion text
 * framed from it (wn_ruleset_promote_text).
 *
 * The contract: a parse either succeeds with every field of its exact
 * form, checked here again independently, or fails with WN_EFORMAT (or
 * WN_ELIMIT, only over the size limit), the output zeroed and one
 * printable line of error. A promotion text is refused when a field is
 * empty or holds a newline, else it is exactly five lines. A violation
 * aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/buf.h>
#include <winnow/err.h>
#include <winnow/ruleset_meta.h>

static void
fuzz_meta_check_chars(const char *s, size_t cap, const char *allowed)
{
	size_t n = strnlen(s, cap);

	if (n == 0 || n == cap || s[strspn(s, allowed)] != '\0')
		abort();
}

static void
fuzz_meta_check(const wn_ruleset_meta *m)
{
	static const char pre[] = "/api/v1/rulesets/";
	const char *p;

	fuzz_meta_check_chars(m->name, sizeof(m->name),
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-");
	if (m->name[0] == '.')
		abort();
	fuzz_meta_check_chars(m->version, sizeof(m->version), "0123456789.");
	if (!wn_version_valid(m->version))
		abort();
	if (strcmp(m->stage, "testing") != 0 && strcmp(m->stage, "stable") != 0)
		abort();
	fuzz_meta_check_chars(m->sha256, sizeof(m->sha256), "0123456789abcdef");
	fuzz_meta_check_chars(m->key_id, sizeof(m->key_id), "0123456789abcdef");
	if (strlen(m->sha256) != 64 ||
	    strlen(m->key_id) != WN_SIGN_KEY_ID_LEN || m->size == 0 ||
	    m->size > INT64_MAX)
		abort();
	if (strnlen(m->url, sizeof(m->url)) == sizeof(m->url) ||
	    strncmp(m->url, pre, sizeof(pre) - 1) != 0 ||
	    strstr(m->url, "..") != NULL)
		abort();
	for (p = m->url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f ||
		    strchr("?#%\\", *p) != NULL)
			abort();
}

static void
fuzz_meta_check_failure(int rc, size_t size, const wn_ruleset_meta *m,
    const char *err)
{
	const unsigned char *b = (const unsigned char *)m;
	const char *p;
	size_t i;

	if (rc != WN_EFORMAT && rc != WN_ELIMIT)
		abort();
	if ((rc == WN_ELIMIT) != (size > WN_RULESET_META_MAX))
		abort();
	for (i = 0; i < sizeof(*m); i++)
		if (b[i] != 0)
			abort();
	if (err[0] == '\0')
		abort();
	for (p = err; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			abort();
}

/* frame a promotion of m at time t (the input up to its first NUL) */
static void
fuzz_meta_promote(const wn_ruleset_meta *m, const char *t)
{
	size_t lines = 0, i;
	int rc;
	wn_buf b;

	wn_buf_init(&b);
	rc = wn_ruleset_promote_text(m->name, m->version, m->stage, t, &b);
	if (t[0] == '\0' || strchr(t, '\n') != NULL) {
		if (rc != WN_EINVAL || b.len != 0)
			abort();
	} else if (rc == 0) {
		for (i = 0; i < b.len; i++)
			lines += b.data[i] == '\n';
		if (lines != 5 || b.data[b.len - 1] != '\n' ||
		    strncmp(b.data, WN_RULESET_PROMOTE_TAG "\n",
		    sizeof(WN_RULESET_PROMOTE_TAG)) != 0)
			abort();
	} else if (rc != WN_ENOMEM) {
		abort();
	}
	wn_buf_fini(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[WN_RULESET_META_ERR_LEN] = "";
	wn_ruleset_meta m;
	char *t;
	int rc;

	memset(&m, 0x5a, sizeof(m));
	rc = wn_ruleset_meta_parse((const char *)data, size, &m, err);
	if (rc != 0) {
		fuzz_meta_check_failure(rc, size, &m, err);
		return 0;
	}
	fuzz_meta_check(&m);
	if ((t = malloc(size + 1)) == NULL)
		return 0;
	memcpy(t, data, size);
	t[size] = '\0';
	fuzz_meta_promote(&m, t);
	free(t);
	return 0;
}
