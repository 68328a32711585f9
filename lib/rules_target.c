/*
 * rules_target.c - the texts of one message that rules look at.
 *
 * Built once per message on first use and kept in the message arena:
 * header values by name and modifier (cached), the header block the header
 * prefilter scans, body paragraphs, rawbody lines, the URI list and the
 * full message. docs/arch/rules.md says what each holds.
 */
#include <stdint.h>
#include <string.h>

#include <winnow/addr.h>
#include <winnow/buf.h>
#include <winnow/err.h>

#include "rules_int.h"

void
wn__targets_init(wn__targets *t, wn_arena *arena, const wn_mime_msg *msg,
    const char *data, size_t len, size_t n_hdr_slots)
{
	memset(t, 0, sizeof(*t));
	t->n_hdr_slots = n_hdr_slots;
	t->arena = arena;
	t->msg = msg;
	t->data = data;
	t->len = len < msg->scanned ? len : msg->scanned;
}

/* append p[0..n) with CR LF turned into LF, as SpamAssassin reads mail */
static void
wn_targets_append_lf(wn_buf *b, const char *p, size_t n)
{
	const char *e = p + n, *cr;

	while (p < e && (cr = memchr(p, '\r', (size_t)(e - p))) != NULL) {
		wn_buf_append(b, p, (size_t)(cr - p));
		if (cr + 1 == e || cr[1] != '\n')
			wn_buf_putc(b, '\r');
		p = cr + 1;
	}
	if (p < e)
		wn_buf_append(b, p, (size_t)(e - p));
}

static wn_str
wn_targets_keep(wn__targets *t, wn_buf *b, int *oom)
{
	char *p;

	if (b->failed) {
		*oom = 1;
		return WN_STR_NULL;
	}
	p = wn_arena_memdup(t->arena, b->len ? b->data : "", b->len);
	if (p == NULL) {
		*oom = 1;
		return WN_STR_NULL;
	}
	return wn_str_make(p, b->len);
}

static void
wn_targets_addrs(wn__targets *t, wn_buf *b, const wn_mime_header *h,
    enum wn__hdr_mod mod)
{
	wn_addr_list l;
	size_t i;

	if (wn_addr_parse_list(t->arena, h->value.p, h->value.len, 64, &l) != 0)
		return;
	for (i = 0; i < l.n; i++) {
		if (mod == WN__HDR_NAME) {
			wn_buf_puts(b, l.v[i].name);
		} else {
			wn_buf_puts(b, l.v[i].local);
			if (*l.v[i].domain != '\0') {
				wn_buf_putc(b, '@');
				wn_buf_puts(b, l.v[i].domain);
			}
		}
		wn_buf_putc(b, '\n');
	}
}

static void
wn_targets_field(wn__targets *t, wn_buf *b, const wn_mime_header *h,
    enum wn__hdr_mod mod)
{
	switch (mod) {
	case WN__HDR_RAW:
		wn_targets_append_lf(b, h->raw.p, h->raw.len);
		wn_buf_putc(b, '\n');
		break;
	case WN__HDR_ADDR:
	case WN__HDR_NAME:
		wn_targets_addrs(t, b, h, mod);
		break;
	default:
		wn_buf_append(b, h->value.p, h->value.len);
		wn_buf_putc(b, '\n');
	}
}

/* every field named in names[], in order; found tells whether any was */
static void
wn_targets_fields(wn__targets *t, wn_buf *b, const char *const *names,
    size_t n, enum wn__hdr_mod mod, bool *found)
{
	const wn_mime_part *root = t->msg->root;
	size_t i, k;

	for (i = 0; i < root->n_headers; i++)
		for (k = 0; k < n; k++)
			if (wn_str_ieq(root->headers[i].name, names[k])) {
				*found = true;
				wn_targets_field(t, b, &root->headers[i], mod);
				break;
			}
}

static void
wn_targets_anomalies(const wn__targets *t, wn_buf *b)
{
	unsigned bit;

	for (bit = 0; bit < WN_MIME_FLAG_COUNT; bit++)
		if (t->msg->flags & (1ull << bit)) {
			if (b->len)
				wn_buf_putc(b, ' ');
			wn_buf_puts(b, wn_mime_flag_name(1ull << bit));
		}
	wn_buf_putc(b, '\n');
}

static void
wn_targets_all(const wn__targets *t, wn_buf *b, enum wn__hdr_mod mod)
{
	const wn_mime_part *root = t->msg->root;
	size_t i;

	for (i = 0; i < root->n_headers; i++) {
		const wn_mime_header *h = &root->headers[i];

		wn_buf_append(b, h->name.p, h->name.len);
		if (mod == WN__HDR_RAW) {
			/* the raw value keeps its leading white space */
			wn_buf_putc(b, ':');
			wn_targets_append_lf(b, h->raw.p, h->raw.len);
		} else {
			wn_buf_puts(b, ": ");
			wn_buf_append(b, h->value.p, h->value.len);
		}
		wn_buf_putc(b, '\n');
	}
}

wn_str
wn__targets_header(wn__targets *t, const wn__rule *r, int *oom)
{
	static const char *const tocc[] = { "To", "Cc" };
	static const char *const msgid[] = {
		"Message-Id", "Resent-Message-Id", "X-Message-Id"
	};
	wn_buf b;
	bool found = false;
	wn_str v;

	if (t->hdr_value == NULL) {
		t->hdr_value = wn_arena_calloc(t->arena, t->n_hdr_slots + 1,
		    sizeof(*t->hdr_value));
		t->hdr_done = wn_arena_calloc(t->arena, t->n_hdr_slots + 1, 1);
		if (t->hdr_value == NULL || t->hdr_done == NULL) {
			t->hdr_value = NULL;
			*oom = 1;
			return WN_STR_NULL;
		}
	}
	if (t->hdr_done[r->hdr_slot])
		return t->hdr_value[r->hdr_slot];
	wn_buf_init(&b);
	switch (r->hdr_kind) {
	case WN__HDR_ALL:
		wn_targets_all(t, &b, r->hdr_mod);
		found = true;
		break;
	case WN__HDR_TOCC:
		wn_targets_fields(t, &b, tocc, 2, r->hdr_mod, &found);
		break;
	case WN__HDR_MESSAGEID:
		wn_targets_fields(t, &b, msgid, 3, r->hdr_mod, &found);
		break;
	case WN__HDR_ANOMALIES:
		wn_targets_anomalies(t, &b);
		found = true;
		break;
	default:
		wn_targets_fields(t, &b, &r->hdr_name, 1, r->hdr_mod, &found);
	}
	v = found ? wn_targets_keep(t, &b, oom) : WN_STR_NULL;
	wn_buf_fini(&b);
	if (!*oom) {
		t->hdr_value[r->hdr_slot] = v;
		t->hdr_done[r->hdr_slot] = 1;
	}
	return v;
}

bool
wn__targets_header_exists(const wn__targets *t, const char *name)
{
	const wn_mime_part *root = t->msg->root;
	size_t i;

	for (i = 0; i < root->n_headers; i++)
		if (wn_str_ieq(root->headers[i].name, name))
			return true;
	return false;
}

/*
 * Body: the Subject, then each text part's rendered text as paragraphs,
 * one a line: a line break inside a paragraph becomes a space, blank lines
 * end a paragraph.
 */
static void
wn_targets_body(const wn__targets *t, wn_buf *b)
{
	const wn_mime_part *p;

	wn_buf_puts(b, t->msg->subject);
	wn_buf_putc(b, '\n');
	for (p = t->msg->root; p != NULL; p = wn_mime_part_next(p)) {
		const char *s, *e;
		bool in_par = false;

		if (!wn_mime_part_is_text(p) || p->text.len == 0)
			continue;
		s = p->text.p;
		e = s + p->text.len;
		while (s < e) {
			const char *nl = memchr(s, '\n', (size_t)(e - s));
			const char *le = nl ? nl : e, *q = s;

			while (q < le && (*q == ' ' || *q == '\t' || *q == '\r'))
				q++;
			if (q == le) {		/* blank: paragraph ends */
				if (in_par)
					wn_buf_putc(b, '\n');
				in_par = false;
			} else {
				const char *te = le;

				if (te > s && te[-1] == '\r')
					te--;	/* CR LF line end */
				if (in_par)
					wn_buf_putc(b, ' ');
				wn_buf_append(b, s, (size_t)(te - s));
				in_par = true;
			}
			s = nl ? nl + 1 : e;
		}
		if (in_par)
			wn_buf_putc(b, '\n');
	}
}

static void
wn_targets_rawbody(const wn__targets *t, wn_buf *b)
{
	const wn_mime_part *p;

	for (p = t->msg->root; p != NULL; p = wn_mime_part_next(p)) {
		if (!wn_mime_part_is_text(p) || p->body.len == 0)
			continue;
		wn_targets_append_lf(b, p->body.p, p->body.len);
		if (p->body.p[p->body.len - 1] != '\n')
			wn_buf_putc(b, '\n');
	}
}

/* URIs one a line; t->uris[i].p holds the offset until the text is kept */
static int
wn_targets_uris(wn__targets *t, wn_buf *b)
{
	const wn_url_list *l = &t->msg->urls;
	size_t i, n = 0;

	t->uris = wn_arena_alloc(t->arena, (2 * l->n + 1) * sizeof(*t->uris));
	if (t->uris == NULL)
		return WN_ENOMEM;
	for (i = 0; i < l->n; i++) {
		const wn_url *u = &l->v[i];
		size_t start = b->len, len, s2;

		wn_buf_puts(b, u->url);
		len = b->len - start;
		t->uris[n++] = wn_str_make((const char *)(uintptr_t)start, len);
		wn_buf_putc(b, '\n');
		if (*u->scheme == '\0' || *u->host == '\0' ||
		    (u->flags & WN_URL_MAILTO))
			continue;
		/* the normalised form, when it differs */
		s2 = b->len;
		wn_buf_puts(b, u->scheme);
		wn_buf_puts(b, "://");
		wn_buf_puts(b, u->host);
		wn_buf_puts(b, u->path);
		if (b->failed)
			return WN_ENOMEM;
		if (b->len - s2 == len &&
		    memcmp(b->data + s2, b->data + start, len) == 0) {
			b->len = s2;
			b->data[s2] = '\0';
			continue;
		}
		t->uris[n++] = wn_str_make((const char *)(uintptr_t)s2,
		    b->len - s2);
		wn_buf_putc(b, '\n');
	}
	t->n_uris = n;
	return 0;
}

int
wn__targets_group(wn__targets *t, enum wn__group_id g, wn_str *out)
{
	wn_buf b;
	int oom = 0;

	if (t->have_group[g]) {
		*out = t->group[g];
		return 0;
	}
	if (g == WN__G_FULL && memchr(t->data, '\r', t->len) == NULL) {
		t->group[g] = wn_str_make(t->data, t->len);
		t->have_group[g] = true;
		*out = t->group[g];
		return 0;
	}
	wn_buf_init(&b);
	switch (g) {
	case WN__G_FULL:
		wn_targets_append_lf(&b, t->data, t->len);
		break;
	case WN__G_HEADER:
		/* decoded and raw fields: a literal of a header target that
		 * does not span the line break between two fields occurs in
		 * one of them (rules_build.c drops the others' filters) */
		wn_targets_all(t, &b, WN__HDR_DECODED);
		wn_targets_all(t, &b, WN__HDR_RAW);
		break;
	case WN__G_BODY:
		wn_targets_body(t, &b);
		break;
	case WN__G_RAWBODY:
		wn_targets_rawbody(t, &b);
		break;
	case WN__G_URI:
		if (wn_targets_uris(t, &b) != 0)
			oom = 1;
		break;
	default:
		break;
	}
	t->group[g] = wn_targets_keep(t, &b, &oom);
	wn_buf_fini(&b);
	if (oom)
		return WN_ENOMEM;
	if (g == WN__G_URI) {
		/* offsets become pointers into the kept copy */
		size_t i;

		for (i = 0; i < t->n_uris; i++)
			t->uris[i].p = t->group[g].p +
			    (uintptr_t)t->uris[i].p;
	}
	t->have_group[g] = true;
	*out = t->group[g];
	return 0;
}
