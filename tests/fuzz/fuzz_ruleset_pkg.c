/*
 * fuzz_ruleset_pkg.c - libFuzzer target for rule-set package
 * verification over bytes (wn_ruleset_pkg_verify_mem), with small limits.
 *
 * The signature check comes first, so the input is also read without it
 * (wn__ruleset_pkg_load) to reach CHECKSUMS and the manifest. The
 * contract: success leaves a package whose every member sits under its
 * top folder and is data; failure leaves it empty with a reason. A
 * violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/err.h>
#include <winnow/ruleset_pkg.h>

#include "ruleset_pkg_int.h"

/* does a component of path equal ".." */
static int
fuzz_ruleset_has_dotdot(const char *path)
{
	const char *c = path;

	for (;;) {
		if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == '\0'))
			return 1;
		if ((c = strchr(c, '/')) == NULL)
			return 0;
		c++;
	}
}

static void
fuzz_ruleset_pkg_check(int rc, const wn_ruleset_pkg *p, const char *err)
{
	size_t i, tl;

	if (rc != 0) {
		if (p->n_members != 0 || p->top != NULL || err[0] == '\0')
			abort();
		if (rc != WN_EFORMAT && rc != WN_ELIMIT && rc != WN_ENOMEM)
			abort();
		return;
	}
	tl = strlen(p->top);
	if (p->manifest.name == NULL || p->n_files > p->n_members)
		abort();
	for (i = 0; i < p->n_members; i++) {
		const wn_ruleset_member *m = &p->members[i];

		if (strncmp(m->path, p->top, tl) != 0 ||
		    (m->path[tl] != '/' && m->path[tl] != '\0') ||
		    fuzz_ruleset_has_dotdot(m->path) || m->path[0] == '/')
			abort();
		if (!m->dir && wn__ruleset_rel_allowed(m->rel) != NULL)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t pk[WN_SIGN_PK_LEN] = { 1, 2, 3 };
	char err[WN_RULESET_PKG_ERR_LEN];
	wn_ruleset_pkg_limits lim;
	wn_ruleset_pkg p;
	wn_pubkey key;
	int rc;

	memset(&key, 0, sizeof(key));
	memcpy(key.pk, pk, sizeof(pk));
	memcpy(key.id, "0123456789abcdef", WN_SIGN_KEY_ID_LEN + 1);
	wn_ruleset_pkg_limits_default(&lim);
	lim.max_compressed = 1 << 20;
	lim.max_unpacked = 1 << 20;
	lim.max_members = 200;

	err[0] = '\0';
	rc = wn_ruleset_pkg_verify_mem(data, size, &key, 1, &lim, &p, err);
	if (rc == 0)
		abort();	/* no input is signed by this made-up key */
	fuzz_ruleset_pkg_check(rc, &p, err);

	err[0] = '\0';
	rc = wn__ruleset_pkg_load(data, size, &lim, NULL, 0, 0, &p, err);
	fuzz_ruleset_pkg_check(rc, &p, err);
	wn_ruleset_pkg_fini(&p);
	return 0;
}
