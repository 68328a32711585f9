/*
 * fuzz_repo_promote.c - libFuzzer target for what winnow-repository reads
 * from the network to promote a rule-set version: the JSON body
 * (wn_rs_promote_parse) and the NAME and VERSION of the path
 * (wn_rs_name_valid, wn_rs_version_valid), here the input up to and
 * after its first '/'.
 *
 * The contract: a body either parses with every field in its form (stage
 * stable, a time of exactly "YYYY-MM-DDTHH:MM:SSZ", 16 lowercase hex
 * digits, an 88-character signature) or fails with WN_EINVAL and a
 * message; a name or version the checks accept holds nothing a path or
 * a line feed could be made of. A violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/err.h>
#include <winnow/sign.h>

#include "ruleset_intake.h"
#include "rulesets.h"

static void
fuzz_promote_body(const char *data, size_t size)
{
	char err[WN_RS_ERR_LEN];
	wn_rs_promote_req r;
	size_t i;
	int rc;

	err[0] = '\0';
	rc = wn_rs_promote_parse(data, size, &r, err);
	if (rc == 0) {
		if (r.stage != WN_RS_STABLE || strlen(r.time) != 20 ||
		    r.time[19] != 'Z' ||
		    strlen(r.key_id) != WN_SIGN_KEY_ID_LEN ||
		    strlen(r.signature) != WN_SIGN_SIG_B64_LEN)
			abort();
		for (i = 0; i < WN_SIGN_KEY_ID_LEN; i++)
			if (strchr("0123456789abcdef", r.key_id[i]) == NULL)
				abort();
	} else if (rc != WN_ENOMEM && (rc != WN_EINVAL || err[0] == '\0')) {
		abort();
	}
}

static void
fuzz_promote_name(const char *s)
{
	if (wn_rs_name_valid(s) && (strlen(s) == 0 ||
	    strlen(s) > WN_RS_NAME_LEN || s[0] == '.' ||
	    strpbrk(s, "/\\\n%? ") != NULL))
		abort();
	if (wn_rs_version_valid(s) && (strlen(s) == 0 ||
	    strspn(s, "0123456789.") != strlen(s) || strstr(s, "..") != NULL))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *slash;

	fuzz_promote_body((const char *)data, size);
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if ((slash = strchr(s, '/')) != NULL) {
		*slash = '\0';
		fuzz_promote_name(slash + 1);
	}
	fuzz_promote_name(s);
	free(s);
	return 0;
}
