/*
 * mime_dump.c - the JSON and text dumps of a parsed message.
 *
 * The JSON layout is documented in docs/parse-json.md; golden tests diff
 * it, so field order is fixed and fields are only ever added. Parts are a
 * flat list in depth-first order, each naming its parent's index, which
 * diffs better than a nested tree.
 */
#include <inttypes.h>
#include <string.h>

#include <winnow/mime_dump.h>

static const struct {
	uint32_t bit;
	const char *name;
} wn_url_flag_table[] = {
	{ WN_URL_FROM_HTML, "html" },
	{ WN_URL_NO_SCHEME, "no_scheme" },
	{ WN_URL_IP, "ip" },
	{ WN_URL_OBFUSCATED_IP, "obfuscated_ip" },
	{ WN_URL_USERINFO, "userinfo" },
	{ WN_URL_PERCENT_HOST, "percent_host" },
	{ WN_URL_MAILTO, "mailto" },
	{ WN_URL_BAD_HOST, "bad_host" },
	{ WN_URL_IDN, "idn" },
};

void
wn_url_flag_names(uint32_t flags, wn_buf *out)
{
	size_t i;
	bool first = true;

	for (i = 0; i < sizeof(wn_url_flag_table) / sizeof(wn_url_flag_table[0]);
	    i++)
		if (flags & wn_url_flag_table[i].bit) {
			if (!first)
				wn_buf_putc(out, ',');
			wn_buf_puts(out, wn_url_flag_table[i].name);
			first = false;
		}
}

static void
wn_dump_flags_json(wn_json *j, uint64_t flags)
{
	unsigned bit;

	wn_json_arr_begin(j);
	for (bit = 0; bit < WN_MIME_FLAG_COUNT; bit++)
		if (flags & (1ull << bit))
			wn_json_str(j, wn_mime_flag_name(1ull << bit));
	wn_json_arr_end(j);
}

static void
wn_dump_addrs_json(wn_json *j, const char *key, const wn_addr_list *l)
{
	size_t i;

	wn_json_key(j, key);
	wn_json_arr_begin(j);
	for (i = 0; i < l->n; i++) {
		wn_json_obj_begin(j);
		wn_json_key(j, "name");
		wn_json_str(j, l->v[i].name);
		wn_json_key(j, "local");
		wn_json_str(j, l->v[i].local);
		wn_json_key(j, "domain");
		wn_json_str(j, l->v[i].domain);
		wn_json_obj_end(j);
	}
	wn_json_arr_end(j);
}

static const char *
wn_disposition_name(enum wn_mime_disposition d)
{
	return d == WN_MIME_DISP_ATTACHMENT ? "attachment" :
	    d == WN_MIME_DISP_INLINE ? "inline" : NULL;
}

static void
wn_dump_part_json(wn_json *j, const wn_mime_part *p, unsigned opts)
{
	wn_buf ty;

	wn_buf_init(&ty);
	wn_buf_printf(&ty, "%s/%s", p->type, p->subtype);
	wn_json_obj_begin(j);
	wn_json_key(j, "index");
	wn_json_uint(j, p->index);
	wn_json_key(j, "parent");
	if (p->parent)
		wn_json_uint(j, p->parent->index);
	else
		wn_json_null(j);
	wn_json_key(j, "depth");
	wn_json_uint(j, p->depth);
	wn_json_key(j, "type");
	wn_json_strn(j, ty.data, ty.len);
	wn_json_key(j, "type_defaulted");
	wn_json_bool(j, p->type_defaulted);
	wn_json_key(j, "charset");
	wn_json_str(j, p->charset);
	wn_json_key(j, "encoding");
	wn_json_str(j, wn_mime_encoding_name(p->encoding));
	wn_json_key(j, "disposition");
	wn_json_str(j, wn_disposition_name(p->disposition));
	wn_json_key(j, "filename");
	wn_json_str(j, p->filename);
	wn_json_key(j, "attachment");
	wn_json_bool(j, p->is_attachment);
	wn_json_key(j, "headers");
	wn_json_uint(j, p->n_headers);
	wn_json_key(j, "raw_size");
	wn_json_uint(j, p->raw_body.len);
	wn_json_key(j, "decoded_size");
	wn_json_uint(j, p->decoded_size);
	wn_json_key(j, "text_charset");
	wn_json_str(j, p->text_charset);
	wn_json_key(j, "text_length");
	wn_json_uint(j, p->text.len);
	wn_json_key(j, "hidden_length");
	wn_json_uint(j, p->hidden_text.len);
	if (opts & WN_DUMP_TEXT) {
		wn_json_key(j, "text");
		wn_json_strn(j, p->text.p, p->text.len);
		wn_json_key(j, "hidden_text");
		wn_json_strn(j, p->hidden_text.p, p->hidden_text.len);
	}
	wn_json_key(j, "flags");
	wn_dump_flags_json(j, p->flags);
	wn_json_obj_end(j);
	wn_buf_fini(&ty);
}

void
wn_mime_dump_json(const wn_mime_msg *msg, unsigned opts, wn_json *j)
{
	const wn_mime_part *p;
	wn_buf fl;
	size_t i;

	wn_buf_init(&fl);
	wn_json_key(j, "size");
	wn_json_uint(j, msg->size);
	wn_json_key(j, "scanned");
	wn_json_uint(j, msg->scanned);
	wn_json_key(j, "header_bytes");
	wn_json_uint(j, msg->header_bytes);
	wn_json_key(j, "subject");
	wn_json_str(j, msg->subject);
	wn_dump_addrs_json(j, "from", &msg->from);
	wn_dump_addrs_json(j, "to", &msg->to);
	wn_dump_addrs_json(j, "cc", &msg->cc);
	wn_dump_addrs_json(j, "reply_to", &msg->reply_to);
	wn_json_key(j, "flags");
	wn_dump_flags_json(j, msg->flags);
	wn_json_key(j, "headers");
	wn_json_arr_begin(j);
	for (i = 0; i < msg->root->n_headers; i++) {
		const wn_mime_header *h = &msg->root->headers[i];

		wn_json_obj_begin(j);
		wn_json_key(j, "name");
		wn_json_strn(j, h->name.p, h->name.len);
		wn_json_key(j, "value");
		wn_json_strn(j, h->value.p, h->value.len);
		wn_json_obj_end(j);
	}
	wn_json_arr_end(j);
	wn_json_key(j, "parts");
	wn_json_arr_begin(j);
	for (p = msg->root; p != NULL; p = wn_mime_part_next(p))
		wn_dump_part_json(j, p, opts);
	wn_json_arr_end(j);
	wn_json_key(j, "text_bytes");
	wn_json_uint(j, msg->text_bytes);
	wn_json_key(j, "urls");
	wn_json_arr_begin(j);
	for (i = 0; i < msg->urls.n; i++) {
		const wn_url *u = &msg->urls.v[i];

		wn_json_obj_begin(j);
		wn_json_key(j, "url");
		wn_json_str(j, u->url);
		wn_json_key(j, "host");
		wn_json_str(j, u->host);
		wn_json_key(j, "domain");
		wn_json_str(j, u->domain);
		wn_json_key(j, "flags");
		wn_buf_reset(&fl);
		wn_url_flag_names(u->flags, &fl);
		wn_json_arr_begin(j);
		for (const char *s = fl.data; s != NULL && *s;) {
			const char *c = strchr(s, ',');
			size_t n = c ? (size_t)(c - s) : strlen(s);

			wn_json_strn(j, s, n);
			s = c ? c + 1 : s + n;
		}
		wn_json_arr_end(j);
		wn_json_obj_end(j);
	}
	wn_json_arr_end(j);
	wn_buf_fini(&fl);
}

static void
wn_dump_flags_text(wn_buf *out, uint64_t flags)
{
	unsigned bit;

	for (bit = 0; bit < WN_MIME_FLAG_COUNT; bit++)
		if (flags & (1ull << bit))
			wn_buf_printf(out, " %s", wn_mime_flag_name(1ull << bit));
}

void
wn_mime_dump_text(const wn_mime_msg *msg, unsigned opts, wn_buf *out)
{
	const wn_mime_part *p;
	size_t i;

	wn_buf_printf(out, "size %zu, scanned %zu, header bytes %zu\n",
	    msg->size, msg->scanned, msg->header_bytes);
	wn_buf_printf(out, "subject: %s\n", msg->subject);
	for (i = 0; i < msg->from.n; i++)
		wn_buf_printf(out, "from: \"%s\" <%s@%s>\n", msg->from.v[i].name,
		    msg->from.v[i].local, msg->from.v[i].domain);
	wn_buf_printf(out, "headers: %zu, text bytes: %zu, urls: %zu\n",
	    msg->root->n_headers, msg->text_bytes, msg->urls.n);
	if (msg->flags) {
		wn_buf_puts(out, "flags:");
		wn_dump_flags_text(out, msg->flags);
		wn_buf_putc(out, '\n');
	}
	wn_buf_puts(out, "parts:\n");
	for (p = msg->root; p != NULL; p = wn_mime_part_next(p)) {
		wn_buf_printf(out, "%*s[%u] %s/%s", (int)(2 + 2 * p->depth), "",
		    p->index, p->type, p->subtype);
		if (p->charset)
			wn_buf_printf(out, " charset=%s", p->charset);
		wn_buf_printf(out, " %s", wn_mime_encoding_name(p->encoding));
		if (p->filename)
			wn_buf_printf(out, " filename=\"%s\"", p->filename);
		if (p->is_attachment)
			wn_buf_puts(out, " attachment");
		wn_buf_printf(out, " size=%zu", p->decoded_size);
		if (p->text.p)
			wn_buf_printf(out, " text=%zu", p->text.len);
		if (p->hidden_text.len)
			wn_buf_printf(out, " hidden=%zu", p->hidden_text.len);
		wn_dump_flags_text(out, p->flags);
		wn_buf_putc(out, '\n');
		if ((opts & WN_DUMP_TEXT) && p->text.len) {
			wn_buf_append(out, p->text.p, p->text.len);
			wn_buf_putc(out, '\n');
		}
	}
	if (msg->urls.n)
		wn_buf_puts(out, "urls:\n");
	for (i = 0; i < msg->urls.n; i++) {
		wn_buf_printf(out, "  %s host=%s domain=%s", msg->urls.v[i].url,
		    msg->urls.v[i].host, msg->urls.v[i].domain);
		if (msg->urls.v[i].flags) {
			wn_buf_putc(out, ' ');
			wn_url_flag_names(msg->urls.v[i].flags, out);
		}
		wn_buf_putc(out, '\n');
	}
}
