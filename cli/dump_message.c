/*
 * dump_message.c - the learned messages of a token dump (`winnow bayes
 * dump` and `load`): one line each, after the tokens,
 *
 *     message DIGEST32HEX spam|ham DAY SAMPLEHEX
 *
 * SAMPLEHEX is the linear stage's sample of the message as the store
 * keeps it, or "-" when it keeps none. With them a loaded store knows
 * which messages it learned (learning one again is a duplicate) and can
 * fit the linear stage as the dumped one did.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/str.h>

#include "cli.h"

static int
wn_dump_message_fn(const wn_store_message *m, void *arg)
{
	FILE *f = arg;
	size_t i;

	if (fputs("message ", f) == EOF)
		return 1;
	for (i = 0; i < WN_DIGEST_LEN; i++)
		if (fprintf(f, "%02x", m->digest[i]) < 0)
			return 1;
	if (fprintf(f, " %s %" PRIu32 " ", m->cls == WN_LEARN_SPAM ? "spam" :
	    "ham", m->sample ? m->day : 0) < 0)
		return 1;
	if (m->sample == NULL)
		return fputs("-\n", f) == EOF;
	for (i = 0; i < m->sample_len; i++)
		if (fprintf(f, "%02x", m->sample[i]) < 0)
			return 1;
	return fputc('\n', f) == EOF;
}

int
wn_dump_messages(FILE *f, wn_store *st)
{
	if (st->ops->messages_each == NULL)
		return 0;
	return st->ops->messages_each(st, wn_dump_message_fn, f);
}

/* Lowercase hex s[0..2n) into out[0..n); false for anything else. */
static bool
wn_hex_decode(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int hi = wn_hex_value_lower((unsigned char)s[2 * i]);
		int lo = wn_hex_value_lower((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

int
wn_dump_message_parse(const char *line, wn_store_message *m,
    uint8_t **sample_out)
{
	const char *p = line + strlen("message ");
	char *end;
	unsigned long day;
	size_t hex;

	*sample_out = NULL;
	memset(m, 0, sizeof(*m));
	if (strncmp(line, "message ", 8) != 0 ||
	    strspn(p, "0123456789abcdef") != 2 * WN_DIGEST_LEN ||
	    !wn_hex_decode(p, m->digest, WN_DIGEST_LEN))
		return WN_EFORMAT;
	p += 2 * WN_DIGEST_LEN;
	if (strncmp(p, " spam ", 6) == 0) {
		m->cls = WN_LEARN_SPAM;
		p += 6;
	} else if (strncmp(p, " ham ", 5) == 0) {
		m->cls = WN_LEARN_HAM;
		p += 5;
	} else
		return WN_EFORMAT;
	if (*p < '0' || *p > '9')
		return WN_EFORMAT;
	day = strtoul(p, &end, 10);
	if (day > UINT32_MAX || *end != ' ')
		return WN_EFORMAT;
	m->day = (uint32_t)day;
	p = end + 1;
	if (strcmp(p, "-\n") == 0 || strcmp(p, "-") == 0)
		return 0;
	hex = strspn(p, "0123456789abcdef");
	if (hex == 0 || hex % 2 != 0 || (p[hex] != '\0' &&
	    strcmp(p + hex, "\n") != 0))
		return WN_EFORMAT;
	if ((*sample_out = wn_malloc(hex / 2)) == NULL)
		return WN_ENOMEM;
	wn_hex_decode(p, *sample_out, hex / 2);
	m->sample = *sample_out;
	m->sample_len = hex / 2;
	return 0;
}
