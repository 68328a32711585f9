/*
 * remote_probe.c - drives cli/rules_remote.c against broken_server.py,
 * for test_rules_remote.sh: every answer a misbehaving repository can
 * give must map to the code rules_remote.h promises, with an error line
 * that names the URL, and a promotion must carry a signature that holds.
 *
 * usage: remote_probe PORT DEADPORT STATEDIR
 * Prints each failed check; exits 0 when all held, else 1.
 *
 *        remote_probe fetch BASE NAME STAGE
 * Fetches the latest version of a channel and its package from a real
 * repository at BASE and prints "NAME VERSION STAGE SIZE"; exits 0, or 1
 * with the error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include <winnow/err.h>
#include <winnow/sign.h>

#include "rules_remote.h"

#define PROBE_PACKAGE "not really a package\n"

static int probe_pass, probe_fail;
static char probe_base[256];

static void
probe_expect(const char *what, int got, int want, const char *err)
{
	if (got == want) {
		probe_pass++;
		return;
	}
	probe_fail++;
	printf("FAIL %s: got %d (%s), want %d (%s): %s\n", what, got,
	    wn_strerror(got), want, wn_strerror(want), err);
}

static void
probe_err_has(const char *what, const char *err, const char *text)
{
	if (strstr(err, text) != NULL) {
		probe_pass++;
		return;
	}
	probe_fail++;
	printf("FAIL %s: '%s' not in '%s'\n", what, text, err);
}

/* err is one line of printable ASCII */
static void
probe_err_clean(const char *what, const char *err)
{
	const char *p;

	for (p = err; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
			probe_fail++;
			printf("FAIL %s: byte 0x%02x in '%s'\n", what,
			    (unsigned char)*p, err);
			return;
		}
	probe_pass++;
}

static wn_remote_opts
probe_opts(int port, const char *mode, long timeout)
{
	wn_remote_opts o = { NULL, NULL, timeout };

	snprintf(probe_base, sizeof(probe_base), "http://127.0.0.1:%d/%s",
	    port, mode);
	o.base = probe_base;
	return o;
}

/* wn_remote_latest of "core" from mode; the code, err in err */
static int
probe_latest(int port, const char *mode, const char *stage, long timeout,
    wn_ruleset_meta *m, char *err)
{
	wn_remote_opts o = probe_opts(port, mode, timeout);

	err[0] = '\0';
	return wn_remote_latest(&o, "core", stage, m, err);
}

static void
probe_latest_cases(int port, int dead)
{
	static const struct {
		const char *mode;
		int want;
		const char *text;
	} cases[] = {
		{ "garbage", WN_EFORMAT, "metadata: not JSON" },
		{ "status-500", WN_ETEMP, "HTTP 500: error 500" },
		{ "status-503", WN_ETEMP, "HTTP 503" },
		{ "status-429", WN_ETEMP, "HTTP 429" },
		{ "status-404", WN_ENOENT, "HTTP 404: error 404" },
		{ "status-410", WN_EINVAL, "HTTP 410: error 410" },
		{ "status-403", WN_EINVAL, "HTTP 403: error 403" },
		{ "html-409", WN_EINVAL, "HTTP 409" },
		{ "status-204", WN_EFORMAT, "unexpected answer HTTP 204" },
		{ "meta-other", WN_EFORMAT, "about rule set other" },
		{ "meta-testing", WN_EFORMAT, "stable channel offers a test" },
		{ "endless", WN_ELIMIT, "larger than 65536 bytes" },
		{ "raw", WN_EFORMAT, "not an HTTP answer" },
		{ "redirect", WN_EFORMAT, "unexpected answer HTTP 302" },
		{ "escape", WN_EINVAL, "HTTP 400: evil?[2J??second line" },
	};
	char err[WN_REMOTE_ERR_LEN], what[64], url[256];
	wn_remote_opts o;
	wn_ruleset_meta m;
	size_t i;
	int rc;

	rc = probe_latest(port, "meta", "stable", 10, &m, err);
	probe_expect("latest", rc, 0, err);
	if (rc == 0 && (strcmp(m.name, "core") != 0 ||
	    strcmp(m.version, "1.1.0") != 0 || m.size != 5123)) {
		probe_fail++;
		printf("FAIL latest: got %s %s %llu\n", m.name, m.version,
		    (unsigned long long)m.size);
	}
	rc = probe_latest(port, "meta-testing", "testing", 10, &m, err);
	probe_expect("latest_testing", rc, 0, err);
	rc = probe_latest(port, "meta//", "stable", 10, &m, err);
	probe_expect("latest_trailing_slashes", rc, 0, err);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&m, 0x5a, sizeof(m));
		rc = probe_latest(port, cases[i].mode, "stable", 10, &m, err);
		snprintf(what, sizeof(what), "latest_%s", cases[i].mode);
		probe_expect(what, rc, cases[i].want, err);
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/%s/api/v1/"
		    "rulesets/core/latest?stage=stable", port, cases[i].mode);
		probe_err_has(what, err, url);
		probe_err_has(what, err, cases[i].text);
		probe_err_clean(what, err);
		if (m.name[0] != '\0' || m.size != 0) {
			probe_fail++;
			printf("FAIL %s: out not zeroed\n", what);
		}
	}

	rc = probe_latest(port, "slow", "stable", 1, &m, err);
	probe_expect("latest_timeout", rc, WN_ETEMP, err);
	rc = probe_latest(dead, "meta", "stable", 10, &m, err);
	probe_expect("latest_closed_port", rc, WN_ETEMP, err);
	probe_err_has("latest_closed_port", err, "127.0.0.1");

	o = probe_opts(port, "meta", 10);
	rc = wn_remote_latest(&o, "../etc", "stable", &m, err);
	probe_expect("latest_bad_name", rc, WN_EINVAL, err);
	rc = wn_remote_latest(&o, "core", "beta", &m, err);
	probe_expect("latest_bad_stage", rc, WN_EINVAL, err);
	o.base = "ftp://127.0.0.1/";
	rc = wn_remote_latest(&o, "core", "stable", &m, err);
	probe_expect("latest_ftp", rc, WN_EINVAL, err);
}

/* metadata for the server's package, its size and sha256 adjustable */
static void
probe_meta(wn_ruleset_meta *m, uint64_t size, bool right_sha)
{
	uint8_t h[crypto_hash_sha256_BYTES];

	memset(m, 0, sizeof(*m));
	strcpy(m->name, "core");
	strcpy(m->version, "1.1.0");
	strcpy(m->stage, "stable");
	strcpy(m->key_id, "0123456789abcdef");
	strcpy(m->url, "/api/v1/rulesets/core/1.1.0");
	m->size = size;
	crypto_hash_sha256(h, (const uint8_t *)PROBE_PACKAGE,
	    strlen(PROBE_PACKAGE));
	if (!right_sha)
		h[0] ^= 1;
	sodium_bin2hex(m->sha256, sizeof(m->sha256), h, sizeof(h));
}

static void
probe_package_cases(int port, int dead)
{
	static const struct {
		const char *what, *mode;
		uint64_t size, max;
		bool right_sha;
		int want;
	} cases[] = {
		{ "package_wrong_sha256", "pkg", 21, 1024, false, WN_EFORMAT },
		{ "package_shorter_than_said", "pkg", 22, 1024, true,
		    WN_EFORMAT },
		{ "package_longer_than_said", "pkg", 20, 1024, true,
		    WN_EFORMAT },
		{ "package_over_max", "pkg", 5, 10, true, WN_ELIMIT },
		{ "package_said_over_max", "pkg", 2048, 1024, true, WN_ELIMIT },
		{ "package_endless", "endless", 100, 1 << 20, true, WN_ELIMIT },
		{ "package_404", "status-404", 21, 1024, true, WN_ENOENT },
		{ "package_410", "status-410", 21, 1024, true, WN_EINVAL },
		{ "package_500", "status-500", 21, 1024, true, WN_ETEMP },
		{ "package_raw", "raw", 21, 1024, true, WN_EFORMAT },
	};
	char err[WN_REMOTE_ERR_LEN];
	wn_ruleset_meta m;
	wn_remote_opts o;
	size_t i;
	wn_buf out;
	int rc;

	wn_buf_init(&out);
	wn_buf_puts(&out, "kept");
	o = probe_opts(port, "pkg", 10);
	probe_meta(&m, strlen(PROBE_PACKAGE), true);
	rc = wn_remote_package(&o, &m, 1024, &out, err);
	probe_expect("package", rc, 0, err);
	if (out.len != 4 + strlen(PROBE_PACKAGE) ||
	    memcmp(out.data, "kept" PROBE_PACKAGE, out.len) != 0) {
		probe_fail++;
		printf("FAIL package: not appended: '%s'\n", out.data);
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		wn_buf_reset(&out);
		wn_buf_puts(&out, "kept");
		o = probe_opts(port, cases[i].mode, 10);
		probe_meta(&m, cases[i].size, cases[i].right_sha);
		err[0] = '\0';
		rc = wn_remote_package(&o, &m, cases[i].max, &out, err);
		probe_expect(cases[i].what, rc, cases[i].want, err);
		probe_err_has(cases[i].what, err,
		    "/api/v1/rulesets/core/1.1.0");
		probe_err_clean(cases[i].what, err);
		if (out.len != 4 || strcmp(out.data, "kept") != 0) {
			probe_fail++;
			printf("FAIL %s: out changed\n", cases[i].what);
		}
	}
	o = probe_opts(dead, "pkg", 10);
	probe_meta(&m, strlen(PROBE_PACKAGE), true);
	rc = wn_remote_package(&o, &m, 1024, &out, err);
	probe_expect("package_closed_port", rc, WN_ETEMP, err);
	wn_buf_fini(&out);
}

/* the file STATEDIR/name, NUL-terminated, in heap memory */
static char *
probe_read(const char *state, const char *name, size_t *len)
{
	char path[512], *data;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", state, name);
	if ((f = fopen(path, "rb")) == NULL || (data = calloc(1, 65536)) ==
	    NULL) {
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	*len = fread(data, 1, 65535, f);
	fclose(f);
	return data;
}

static void
probe_publish_cases(int port, int dead, const char *state)
{
	char err[WN_REMOTE_ERR_LEN], *body, *ctype;
	wn_remote_opts o;
	size_t len;
	wn_buf ans;
	int rc;

	wn_buf_init(&ans);
	o = probe_opts(port, "publish-201", 10);
	rc = wn_remote_publish(&o, "\x1f\x8bpkg\0bytes", 11, &ans, err);
	probe_expect("publish_201", rc, 0, err);
	probe_err_has("publish_answer", ans.data ? ans.data : "",
	    "\"stage\": \"testing\"");
	body = probe_read(state, "body", &len);
	ctype = probe_read(state, "ctype", &len);
	if (body == NULL || ctype == NULL ||
	    memcmp(body, "\x1f\x8bpkg\0bytes", 11) != 0 ||
	    strcmp(ctype, "application/gzip") != 0) {
		probe_fail++;
		printf("FAIL publish: the server got another body or type "
		    "'%s'\n", ctype ? ctype : "");
	}
	free(body);
	free(ctype);
	o = probe_opts(port, "publish-200", 10);
	rc = wn_remote_publish(&o, "\x1f\x8b", 2, NULL, err);
	probe_expect("publish_200", rc, 1, err);
	o = probe_opts(port, "refused", 10);
	rc = wn_remote_publish(&o, "\x1f\x8b", 2, NULL, err);
	probe_expect("publish_refused", rc, WN_EINVAL, err);
	probe_err_has("publish_refused", err, "HTTP 400: the set's own tests "
	    "fail: tests/spam.eml: BODY_X should hit but did not; 20_body.cf:3:"
	    " bad regular expression");
	o = probe_opts(port, "publish-202", 10);
	rc = wn_remote_publish(&o, "\x1f\x8b", 2, NULL, err);
	probe_expect("publish_202", rc, WN_EFORMAT, err);
	o = probe_opts(port, "status-502", 10);
	rc = wn_remote_publish(&o, "\x1f\x8b", 2, NULL, err);
	probe_expect("publish_502", rc, WN_ETEMP, err);
	o = probe_opts(dead, "publish-201", 10);
	rc = wn_remote_publish(&o, "\x1f\x8b", 2, NULL, err);
	probe_expect("publish_closed_port", rc, WN_ETEMP, err);
	wn_buf_fini(&ans);
}

/* the promotion the server got must be signed by k over the framed text */
static void
probe_promotion_holds(const char *state, const wn_seckey *k)
{
	const char *stage, *t, *id, *sig;
	json_t *root;
	size_t len;
	char *body;
	wn_buf text;

	body = probe_read(state, "body", &len);
	root = body ? json_loadb(body, len, 0, NULL) : NULL;
	stage = json_string_value(json_object_get(root, "stage"));
	t = json_string_value(json_object_get(root, "time"));
	id = json_string_value(json_object_get(root, "key_id"));
	sig = json_string_value(json_object_get(root, "signature"));
	wn_buf_init(&text);
	if (stage == NULL || t == NULL || id == NULL || sig == NULL ||
	    strcmp(stage, "stable") != 0 || strcmp(id, k->pub.id) != 0 ||
	    strlen(t) != 20 || t[19] != 'Z' ||
	    wn_ruleset_promote_text("core", "1.1.0", stage, t, &text) != 0 ||
	    !wn_sign_verify(&k->pub, text.data, text.len, sig)) {
		probe_fail++;
		printf("FAIL promote: the promotion does not hold: %s\n",
		    body ? body : "(none)");
	} else {
		probe_pass++;
	}
	wn_buf_fini(&text);
	json_decref(root);
	free(body);
}

static void
probe_promote_cases(int port, int dead, const char *state)
{
	char err[WN_REMOTE_ERR_LEN], *ctype;
	wn_remote_opts o;
	wn_seckey k;
	size_t len;
	int rc;

	if (wn_seckey_generate(&k) != 0) {
		probe_fail++;
		printf("FAIL promote: no key\n");
		return;
	}
	o = probe_opts(port, "promote", 10);
	rc = wn_remote_promote(&o, "core", "1.1.0", "stable", &k, err);
	probe_expect("promote", rc, 0, err);
	probe_promotion_holds(state, &k);
	ctype = probe_read(state, "ctype", &len);
	probe_err_has("promote_json", ctype ? ctype : "", "application/json");
	free(ctype);
	o = probe_opts(port, "status-403", 10);
	rc = wn_remote_promote(&o, "core", "1.1.0", "stable", &k, err);
	probe_expect("promote_403", rc, WN_EINVAL, err);
	probe_err_has("promote_403", err, "/api/v1/rulesets/core/1.1.0/promote:"
	    " HTTP 403: error 403");
	o = probe_opts(port, "status-404", 10);
	rc = wn_remote_promote(&o, "core", "1.1.0", "stable", &k, err);
	probe_expect("promote_404", rc, WN_ENOENT, err);
	rc = wn_remote_promote(&o, "core", "1.x", "stable", &k, err);
	probe_expect("promote_bad_version", rc, WN_EINVAL, err);
	rc = wn_remote_promote(&o, "co/re", "1.1.0", "stable", &k, err);
	probe_expect("promote_bad_name", rc, WN_EINVAL, err);
	o = probe_opts(dead, "promote", 10);
	rc = wn_remote_promote(&o, "core", "1.1.0", "stable", &k, err);
	probe_expect("promote_closed_port", rc, WN_ETEMP, err);
	memset(&k, 0, sizeof(k));
}

static int
probe_fetch(const char *base, const char *name, const char *stage)
{
	wn_remote_opts o = { base, NULL, 10 };
	char err[WN_REMOTE_ERR_LEN];
	wn_ruleset_meta m;
	wn_buf pkg;
	int rc;

	if ((rc = wn_remote_latest(&o, name, stage, &m, err)) != 0) {
		printf("%s\n", err);
		return 1;
	}
	wn_buf_init(&pkg);
	rc = wn_remote_package(&o, &m, 8 << 20, &pkg, err);
	if (rc != 0)
		printf("%s\n", err);
	else
		printf("%s %s %s %zu\n", m.name, m.version, m.stage, pkg.len);
	wn_buf_fini(&pkg);
	return rc == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	int port, dead;

	if (argc == 5 && strcmp(argv[1], "fetch") == 0)
		return probe_fetch(argv[2], argv[3], argv[4]);
	if (argc != 4) {
		fprintf(stderr, "usage: remote_probe PORT DEADPORT STATEDIR\n"
		    "       remote_probe fetch BASE NAME STAGE\n");
		return 64;
	}
	port = atoi(argv[1]);
	dead = atoi(argv[2]);
	if (wn_sign_init() != 0)
		return 70;
	probe_latest_cases(port, dead);
	probe_package_cases(port, dead);
	probe_publish_cases(port, dead, argv[3]);
	probe_promote_cases(port, dead, argv[3]);
	printf("remote_probe: %d passed, %d failed\n", probe_pass, probe_fail);
	return probe_fail == 0 ? 0 : 1;
}
