/*
 * fuzz_addr.c - libFuzzer target for the address-list parser (addr.h).
 *
 * Parses the input as a raw header value with a small address bound and
 * checks the contract: at most max addresses; every part non-NULL and
 * valid UTF-8; display names collapsed and trimmed; no control bytes but
 * tab in local parts, none in domains; domains lowercased, without blanks
 * or a trailing dot.
 * A violation aborts, which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/addr.h>
#include <winnow/arena.h>
#include <winnow/codec.h>
#include <winnow/err.h>

#define FUZZ_ADDR_MAX	8

static void
fuzz_addr_check_utf8(const char *s)
{
	if (s == NULL || !wn_utf8_valid(s, strlen(s)))
		abort();
}

static void
fuzz_addr_check_name(const char *s)
{
	size_t i, len = strlen(s);

	if (len > 0 && (s[0] == ' ' || s[len - 1] == ' '))
		abort();
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || (c == ' ' && s[i + 1] == ' '))
			abort();
	}
}

static void
fuzz_addr_check_local(const char *s)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			abort();
}

static void
fuzz_addr_check_domain(const char *s)
{
	size_t i, len = strlen(s);

	if (len > 0 && s[len - 1] == '.')
		abort();
	for (i = 0; i < len; i++)
		if ((s[i] >= 'A' && s[i] <= 'Z') || s[i] == ' ' ||
		    (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wn_arena *a;
	wn_addr_list l;
	size_t i;
	int rc;

	if ((a = wn_arena_new(0)) == NULL)
		return 0;
	rc = wn_addr_parse_list(a, (const char *)data, size, FUZZ_ADDR_MAX,
	    &l);
	if (rc != 0 && rc != WN_ENOMEM)
		abort();
	if (rc == 0) {
		if (l.n > FUZZ_ADDR_MAX || (l.n > 0 && l.v == NULL))
			abort();
		if (l.flags & ~(uint32_t)(WN_ADDR_MALFORMED | WN_ADDR_LIMIT))
			abort();
		for (i = 0; i < l.n; i++) {
			fuzz_addr_check_utf8(l.v[i].name);
			fuzz_addr_check_utf8(l.v[i].local);
			fuzz_addr_check_utf8(l.v[i].domain);
			fuzz_addr_check_name(l.v[i].name);
			fuzz_addr_check_local(l.v[i].local);
			fuzz_addr_check_domain(l.v[i].domain);
		}
	}
	wn_arena_free(&a);
	return 0;
}
