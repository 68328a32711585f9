/*
 * align.c - which of the domains a header names agree (align.h).
 *
 * One pass over the header block for the single fields, one more over
 * its Received fields: each relay name is reduced to its domain and
 * compared with From's, Return-Path's and Message-ID's on the spot, so
 * nothing is kept but three domains in fixed buffers.
 */
#include <stdbool.h>
#include <string.h>

#include <winnow/align.h>
#include <winnow/str.h>

#define WN_DOMAIN_MAX 256

typedef struct wn_domain {
	char s[WN_DOMAIN_MAX];
	bool set;
} wn_domain;

/* A field: its name and its value up to the end of its last line. */
typedef struct wn_field {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
} wn_field;

static bool
wn_is_name_char(unsigned char c)
{
	return wn_ascii_is_alpha(c) || wn_ascii_is_digit(c) || c == '_' ||
	    c == '-' || c == '.';
}

static bool
wn_is_local_char(unsigned char c)
{
	return wn_is_name_char(c) || c == '+' || c == '=';
}

static bool
wn_is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\f' || c == '\v';
}

/*
 * The field starting at *pos, or false at the end of the block (its end
 * or an empty line). A field runs over the lines that begin with blanks
 * after it.
 */
static bool
wn_next_field(const char *h, size_t len, size_t *pos, wn_field *f)
{
	size_t i = *pos, end, colon;

	/* continuation lines with no field before them */
	while (i < len && (h[i] == ' ' || h[i] == '\t')) {
		const char *nl = memchr(h + i, '\n', len - i);

		i = nl ? (size_t)(nl - h) + 1 : len;
	}
	if (i >= len || h[i] == '\n' || (h[i] == '\r' && i + 1 < len &&
	    h[i + 1] == '\n'))
		return false;
	end = i;
	for (;;) {
		const char *nl = memchr(h + end, '\n', len - end);

		end = nl ? (size_t)(nl - h) + 1 : len;
		if (end >= len || (h[end] != ' ' && h[end] != '\t'))
			break;
	}
	for (colon = i; colon < end && h[colon] != ':'; colon++)
		;
	f->name = h + i;
	f->name_len = colon - i;
	while (f->name_len > 0 && wn_is_blank((unsigned char)
	    f->name[f->name_len - 1]))
		f->name_len--;
	f->value = colon < end ? h + colon + 1 : h + end;
	f->value_len = colon < end ? end - colon - 1 : 0;
	*pos = end;
	return true;
}

static bool
wn_field_is(const wn_field *f, const char *name)
{
	return wn_str_ieq(wn_str_make(f->name, f->name_len), name);
}

/*
 * The domain of the host name s[0..n): its last two labels, or three
 * under a two-letter country's co, com, net, org, ac or gov; lower case,
 * empty labels dropped. Unset when no label is left.
 */
static void
wn_domain_of(const char *s, size_t n, wn_domain *d)
{
	const char *lab[3];
	size_t lab_len[3], k = 0, i = n, want, o = 0;

	while (i > 0 && k < 3) {
		size_t e = i;

		while (i > 0 && s[i - 1] != '.')
			i--;
		if (e > i) {
			lab[k] = s + i;
			lab_len[k] = e - i;
			k++;
		}
		if (i > 0)
			i--;
	}
	d->set = false;
	if (k == 0)
		return;
	want = k < 2 ? k : 2;
	if (k == 3 && lab_len[0] == 2) {
		static const char *const second[] = { "co", "com", "net",
		    "org", "ac", "gov" };
		wn_str l = wn_str_make(lab[1], lab_len[1]);
		size_t j;

		for (j = 0; j < sizeof(second) / sizeof(second[0]); j++)
			if (wn_str_ieq(l, second[j]))
				want = 3;
	}
	while (want-- > 0) {
		size_t j;

		for (j = 0; j < lab_len[want] && o + 1 < WN_DOMAIN_MAX; j++)
			d->s[o++] = (char)wn_ascii_lower((unsigned char)
			    lab[want][j]);
		if (want > 0 && o + 1 < WN_DOMAIN_MAX)
			d->s[o++] = '.';
	}
	d->s[o] = '\0';
	d->set = true;
}

/* The domain of the first "local@domain" in v[0..n). */
static void
wn_address_domain(const char *v, size_t n, wn_domain *d)
{
	size_t i;

	d->set = false;
	for (i = 1; i + 1 < n; i++) {
		size_t e;

		if (v[i] != '@' || !wn_is_local_char((unsigned char)v[i - 1]) ||
		    !wn_is_name_char((unsigned char)v[i + 1]))
			continue;
		for (e = i + 1; e < n && wn_is_name_char((unsigned char)v[e]);
		    e++)
			;
		wn_domain_of(v + i + 1, e - i - 1, d);
		return;
	}
}

static bool
wn_domain_eq(const wn_domain *a, const wn_domain *b)
{
	return a->set && b->set && strcmp(a->s, b->s) == 0;
}

typedef struct wn_relay_check {
	const wn_domain *from, *return_path, *message_id;
	bool from_hit, return_path_hit, message_id_hit;
} wn_relay_check;

static void
wn_relay_name(wn_relay_check *rc, const char *s, size_t n)
{
	wn_domain d;

	wn_domain_of(s, n, &d);
	if (wn_domain_eq(&d, rc->from))
		rc->from_hit = true;
	if (wn_domain_eq(&d, rc->return_path))
		rc->return_path_hit = true;
	if (wn_domain_eq(&d, rc->message_id))
		rc->message_id_hit = true;
}

/*
 * The relay names of one Received field: a name after "from" or "by"
 * and blanks, and a name in parentheses ending in a dot and two or more
 * letters, before blanks and "[" (a reverse lookup's "(host.example
 * [192.0.2.1])").
 */
static void
wn_received_names(wn_relay_check *rc, const char *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		wn_str rest = wn_str_make(v + i, n - i);
		size_t w = wn_str_iprefix(rest, "from") ? 4 :
		    wn_str_iprefix(rest, "by") ? 2 : 0;
		size_t s, e;

		if (w == 0) {
			i++;
			continue;
		}
		for (s = i + w; s < n && wn_is_blank((unsigned char)v[s]); s++)
			;
		for (e = s; e < n && wn_is_name_char((unsigned char)v[e]); e++)
			;
		if (s == i + w || e == s) {
			i++;
			continue;
		}
		wn_relay_name(rc, v + s, e - s);
		i = e;
	}
	for (i = 0; i < n; i++) {
		size_t s = i + 1, e, b, k;

		if (v[i] != '(')
			continue;
		for (e = s; e < n && wn_is_name_char((unsigned char)v[e]); e++)
			;
		for (b = e; b < n && wn_is_blank((unsigned char)v[b]); b++)
			;
		if (b >= n || v[b] != '[')
			continue;
		for (k = e; k > s && wn_ascii_is_alpha((unsigned char)v[k - 1]);
		    k--)
			;
		if (e - k >= 2 && k > s + 1 && v[k - 1] == '.')
			wn_relay_name(rc, v + s, e - s);
	}
}

unsigned
wn_align_flags(const char *hdr, size_t len)
{
	wn_domain from = { .set = false }, return_path = { .set = false };
	wn_domain message_id = { .set = false }, reply_to = { .set = false };
	wn_domain to = { .set = false };
	bool seen[5] = { false };
	static const char *const names[5] = { "from", "return-path",
	    "message-id", "reply-to", "to" };
	wn_domain *doms[5] = { &from, &return_path, &message_id, &reply_to,
	    &to };
	wn_relay_check rc = { &from, &return_path, &message_id, false, false,
	    false };
	wn_field f;
	size_t pos = 0;
	unsigned flags = 0;
	int k;

	while (wn_next_field(hdr, len, &pos, &f))
		for (k = 0; k < 5; k++)
			if (!seen[k] && wn_field_is(&f, names[k])) {
				seen[k] = true;
				wn_address_domain(f.value, f.value_len,
				    doms[k]);
			}
	pos = 0;
	while (wn_next_field(hdr, len, &pos, &f))
		if (wn_field_is(&f, "received"))
			wn_received_names(&rc, f.value, f.value_len);
	if (wn_domain_eq(&from, &return_path))
		flags |= 1u << WN_ALIGN_FROM_RETURN_PATH;
	if (wn_domain_eq(&from, &message_id))
		flags |= 1u << WN_ALIGN_FROM_MESSAGE_ID;
	if (rc.from_hit)
		flags |= 1u << WN_ALIGN_FROM_RELAY;
	if (rc.return_path_hit)
		flags |= 1u << WN_ALIGN_RETURN_PATH_RELAY;
	if (rc.message_id_hit)
		flags |= 1u << WN_ALIGN_MESSAGE_ID_RELAY;
	if (reply_to.set && !wn_domain_eq(&reply_to, &from))
		flags |= 1u << WN_ALIGN_REPLY_TO_ELSEWHERE;
	if (wn_domain_eq(&from, &to))
		flags |= 1u << WN_ALIGN_FROM_TO;
	if (!message_id.set)
		flags |= 1u << WN_ALIGN_NO_MESSAGE_ID;
	return flags;
}
