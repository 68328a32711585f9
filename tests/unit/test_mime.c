/* test_mime.c - the MIME parser: structure, decoding, limits, anomalies. */
#include <stdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/mime.h>

static wn_arena *arena;

static void
setup(void)
{
	arena = wn_arena_new(0);
}

static void
teardown(void)
{
	wn_arena_free(&arena);
}

TestSuite(mime, .init = setup, .fini = teardown);

static wn_mime_msg *
parse_with(const char *s, const wn_mime_limits *lim)
{
	wn_mime_msg *m = NULL;
	int rc = wn_mime_parse(arena, s, strlen(s), lim, &m);

	cr_assert_eq(rc, 0, "parse failed: %s", wn_strerror(rc));
	cr_assert_not_null(m);
	return m;
}

static wn_mime_msg *
parse(const char *s)
{
	return parse_with(s, NULL);
}

static const wn_mime_part *
part_at(const wn_mime_msg *m, unsigned index)
{
	const wn_mime_part *p;

	for (p = m->root; p != NULL; p = wn_mime_part_next(p))
		if (p->index == index)
			return p;
	cr_assert_fail("no part %u", index);
	return NULL;
}

static bool
text_has(const wn_mime_part *p, const char *needle)
{
	return p->text.p != NULL && strstr(p->text.p, needle) != NULL;
}

Test(mime, headers_are_unfolded_trimmed_and_kept_in_order)
{
	wn_mime_msg *m = parse("Received: from a\r\n\tby b\r\n"
	    "Received: from c\r\n"
	    "Subject:   Hello\r\n   world  \r\n"
	    "\r\nbody\r\n");
	const wn_mime_header *h;
	size_t pos = 0;

	cr_assert_eq(m->root->n_headers, 3);
	h = wn_mime_header_find(m->root, "received", &pos);
	cr_assert_str_eq(h->value.p, "from a\tby b");
	h = wn_mime_header_find(m->root, "RECEIVED", &pos);
	cr_assert_str_eq(h->value.p, "from c");
	cr_assert_null(wn_mime_header_find(m->root, "Received", &pos));
	cr_assert_str_eq(m->subject, "Hello   world");
	cr_assert_eq(m->flags & WN_MIME_NO_MIME_VERSION, 0);
	cr_assert(text_has(m->root, "body"));
}

Test(mime, encoded_subject_is_decoded)
{
	wn_mime_msg *m = parse("Subject: =?UTF-8?B?R3LDvMOfZQ==?= =?iso-8859-1?Q?_=E0_tous?=\n\nx\n");

	cr_assert_str_eq(m->subject, "Gr\xc3\xbc\xc3\x9f" "e \xc3\xa0 tous");
}

Test(mime, addresses_are_parsed)
{
	wn_mime_msg *m = parse("From: \"Doe, John\" <John@Example.COM>\n"
	    "To: a@b.example, c@d.example\n\nx\n");

	cr_assert_eq(m->from.n, 1);
	cr_assert_str_eq(m->from.v[0].name, "Doe, John");
	cr_assert_str_eq(m->from.v[0].local, "John");
	cr_assert_str_eq(m->from.v[0].domain, "example.com");
	cr_assert_eq(m->to.n, 2);
}

Test(mime, multipart_alternative_with_preamble_and_epilogue)
{
	wn_mime_msg *m = parse("MIME-Version: 1.0\n"
	    "Content-Type: multipart/alternative; boundary=\"b1\"\n\n"
	    "This is the preamble.\n"
	    "--b1\n"
	    "Content-Type: text/plain; charset=us-ascii\n\n"
	    "plain version\n"
	    "--b1\n"
	    "Content-Type: text/html\n\n"
	    "<p>html <b>version</b></p>\n"
	    "--b1--\n"
	    "epilogue here\n");
	const wn_mime_part *root = m->root;

	cr_assert_eq(m->n_parts, 3);
	cr_assert_str_eq(root->type, "multipart");
	cr_assert_str_eq(root->subtype, "alternative");
	cr_assert_eq(root->preamble.len, strlen("This is the preamble."));
	cr_assert_eq(strncmp(root->epilogue.p, "epilogue here", 13), 0);
	cr_assert(text_has(part_at(m, 1), "plain version"));
	cr_assert_eq(part_at(m, 1)->raw_body.len, strlen("plain version"));
	cr_assert(text_has(part_at(m, 2), "html version"));
	cr_assert_eq(m->flags & (WN_MIME_MISSING_CLOSE | WN_MIME_HTML_ONLY), 0);
}

Test(mime, crlf_boundaries_and_longer_boundary_prefix)
{
	wn_mime_msg *m = parse("MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=abc\r\n\r\n"
	    "--abc\r\n"
	    "Content-Type: multipart/alternative; boundary=abcdef\r\n\r\n"
	    "--abcdef\r\n\r\ninner one\r\n"
	    "--abcdef--\r\n"
	    "--abc\r\n\r\nouter two\r\n"
	    "--abc--\r\n");

	cr_assert_eq(m->n_parts, 4, "got %zu parts", m->n_parts);
	cr_assert(text_has(part_at(m, 2), "inner one"));
	cr_assert(text_has(part_at(m, 3), "outer two"));
	cr_assert_eq(part_at(m, 2)->depth, 2);
	cr_assert_eq(m->flags & WN_MIME_MISSING_CLOSE, 0);
}

Test(mime, missing_close_boundary_is_flagged_and_last_part_kept)
{
	wn_mime_msg *m = parse("Content-Type: multipart/mixed; boundary=x\n\n"
	    "--x\n\nfirst\n--x\n\nsecond and last\n");

	cr_assert_eq(m->n_parts, 3);
	cr_assert(text_has(part_at(m, 2), "second and last"));
	cr_assert(m->flags & WN_MIME_MISSING_CLOSE);
	cr_assert(m->flags & WN_MIME_NO_MIME_VERSION);
}

Test(mime, multipart_without_boundary_is_read_as_text)
{
	wn_mime_msg *m = parse("Content-Type: multipart/mixed\n\nbuy now\n");

	cr_assert(m->flags & WN_MIME_NO_BOUNDARY);
	cr_assert(text_has(m->root, "buy now"));
}

Test(mime, unused_boundary_is_flagged_and_body_read_as_text)
{
	wn_mime_msg *m = parse("Content-Type: multipart/mixed; boundary=zz\n\n"
	    "no delimiters at all\n");

	cr_assert(m->flags & WN_MIME_BOUNDARY_UNUSED);
	cr_assert(text_has(m->root, "no delimiters"));
}

Test(mime, base64_and_qp_bodies_are_decoded)
{
	wn_mime_msg *m = parse("Content-Type: multipart/mixed; boundary=q\n\n"
	    "--q\nContent-Transfer-Encoding: base64\n\naGVsbG8gd29ybGQ=\n"
	    "--q\nContent-Type: text/plain; charset=iso-8859-1\n"
	    "Content-Transfer-Encoding: quoted-printable\n\ncaf=E9 =\nnoir\n"
	    "--q--\n");

	cr_assert_str_eq(part_at(m, 1)->text.p, "hello world");
	cr_assert_eq(part_at(m, 1)->encoding, WN_MIME_ENC_BASE64);
	cr_assert(text_has(part_at(m, 2), "caf\xc3\xa9 noir"));
	cr_assert_str_eq(part_at(m, 2)->text_charset, "windows-1252");
}

Test(mime, bad_base64_is_flagged)
{
	wn_mime_msg *m = parse("Content-Transfer-Encoding: base64\n\n"
	    "aGVsbG8*!!gd29ybGQ=\n");

	cr_assert(m->flags & WN_MIME_BAD_BASE64);
}

Test(mime, attachment_with_rfc2231_filename)
{
	wn_mime_msg *m = parse("Content-Type: multipart/mixed; boundary=a\n\n"
	    "--a\n\nsee attached\n"
	    "--a\nContent-Type: application/pdf\n"
	    "Content-Disposition: attachment;\n"
	    " filename*0*=utf-8''r%C3%A9sum;\n filename*1=\"\xc3\xa9.pdf\"\n"
	    "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--a--\n");
	const wn_mime_part *p = part_at(m, 2);

	cr_assert(p->is_attachment);
	cr_assert_eq(p->disposition, WN_MIME_DISP_ATTACHMENT);
	cr_assert_str_eq(p->filename, "r\xc3\xa9sum\xc3\xa9.pdf");
	cr_assert_eq(p->decoded_size, 9);
	cr_assert_null(p->text.p);
}

Test(mime, encoded_word_filename_and_executable_flag)
{
	wn_mime_msg *m = parse("Content-Type: multipart/mixed; boundary=a\n\n"
	    "--a\nContent-Type: application/octet-stream; "
	    "name=\"=?utf-8?Q?invoice=2Eexe?=\"\n\nMZ\n--a--\n");

	cr_assert_str_eq(part_at(m, 1)->filename, "invoice.exe");
	cr_assert(m->flags & WN_MIME_EXECUTABLE);
}

Test(mime, message_rfc822_is_parsed_as_child)
{
	wn_mime_msg *m = parse("Content-Type: multipart/mixed; boundary=o\n\n"
	    "--o\nContent-Type: message/rfc822\n\n"
	    "Subject: inner\nFrom: x@inner.example\n\ninner body\n"
	    "--o--\n");
	const wn_mime_part *inner = part_at(m, 2);
	size_t pos = 0;

	cr_assert_str_eq(part_at(m, 1)->type, "message");
	cr_assert_eq(inner->parent, part_at(m, 1));
	cr_assert_str_eq(wn_mime_header_find(inner, "Subject", &pos)->value.p,
	    "inner");
	cr_assert(text_has(inner, "inner body"));
}

Test(mime, html_only_message_is_rendered_and_flagged)
{
	wn_mime_msg *m = parse("Content-Type: text/html\n\n"
	    "<html><head><style>p{}</style></head><body>"
	    "<script>evil()</script><p>Visible &amp; bold</p>"
	    "<a href=\"http://www.Example.COM/x\">link</a></body></html>\n");

	cr_assert(text_has(m->root, "Visible & bold"));
	cr_assert_not(text_has(m->root, "evil"));
	cr_assert(m->flags & WN_MIME_HTML_ONLY);
	cr_assert_eq(m->urls.n, 1);
	cr_assert_str_eq(m->urls.v[0].host, "www.example.com");
	cr_assert_str_eq(m->urls.v[0].domain, "example.com");
}

Test(mime, urls_in_plain_text_are_collected)
{
	wn_mime_msg *m = parse("Subject: x\n\nGo to http://198.51.100.7/buy "
	    "or www.shop.example.co.uk today.\n");

	cr_assert_eq(m->urls.n, 2, "got %zu", m->urls.n);
	cr_assert(m->flags & WN_MIME_URL_IP);
	cr_assert_str_eq(m->urls.v[1].host, "www.shop.example.co.uk");
	cr_assert_str_eq(m->urls.v[1].domain, "example.co.uk");
}

Test(mime, eight_bit_header_and_nul_are_flagged)
{
	const char msg[] = "Subject: caf\xe9\nX-Nul: a\0b\n\nbody\n";
	wn_mime_msg *m = NULL;

	cr_assert_eq(wn_mime_parse(arena, msg, sizeof(msg) - 1, NULL, &m), 0);
	cr_assert(m->flags & WN_MIME_8BIT_HEADER);
	cr_assert(m->flags & WN_MIME_NUL_BYTE);
	cr_assert_str_eq(m->subject, "caf\xc3\xa9");
}

Test(mime, mbox_from_line_is_skipped)
{
	wn_mime_msg *m = parse("From someone Thu Aug 22 12:36:23 2002\n"
	    "Subject: s\n\nb\n");

	cr_assert_eq(m->root->n_headers, 1);
	cr_assert_eq(m->flags & WN_MIME_BAD_HEADER_LINE, 0);
}

Test(mime, junk_line_in_headers_starts_the_body)
{
	wn_mime_msg *m = parse("Subject: s\nthis is not a header\nmore\n");

	cr_assert(m->flags & WN_MIME_BAD_HEADER_LINE);
	cr_assert(text_has(m->root, "this is not a header"));
}

Test(mime, message_without_body_separator)
{
	wn_mime_msg *m = parse("Subject: only headers\nFrom: a@b.example");

	cr_assert(m->flags & WN_MIME_NO_BODY_SEPARATOR);
	cr_assert(m->flags & WN_MIME_EMPTY_BODY);
	cr_assert_str_eq(m->subject, "only headers");
}

Test(mime, duplicate_singular_header_is_flagged)
{
	wn_mime_msg *m = parse("Subject: a\nSubject: b\n\nx\n");

	cr_assert(m->flags & WN_MIME_DUP_HEADER);
	cr_assert_str_eq(m->subject, "a");
}

Test(mime, empty_input_parses)
{
	wn_mime_msg *m = NULL;

	cr_assert_eq(wn_mime_parse(arena, NULL, 0, NULL, &m), 0);
	cr_assert_eq(m->n_parts, 1);
	cr_assert_eq(wn_mime_parse(NULL, "", 0, NULL, &m), WN_EINVAL);
}

/* Limits ----------------------------------------------------------------- */

static char *
nested(unsigned depth)
{
	size_t cap = 200 * (depth + 2);
	char *s = malloc(cap);
	size_t n = 0;
	unsigned i;

	for (i = 0; i < depth; i++)
		n += (size_t)snprintf(s + n, cap - n,
		    "Content-Type: multipart/mixed; boundary=b%u\n\n--b%u\n",
		    i, i);
	n += (size_t)snprintf(s + n, cap - n, "\ndeep text\n");
	for (i = depth; i-- > 0;)
		n += (size_t)snprintf(s + n, cap - n, "--b%u--\n", i);
	return s;
}

Test(mime, nesting_beyond_limit_is_flagged_not_followed)
{
	wn_mime_limits lim;
	char *s = nested(40);
	wn_mime_msg *m;

	wn_mime_limits_default(&lim);
	lim.max_depth = 10;
	m = parse_with(s, &lim);
	cr_assert(m->flags & WN_MIME_DEPTH_LIMIT);
	cr_assert_leq(m->n_parts, 11);
	free(s);
}

Test(mime, part_count_beyond_limit_is_flagged)
{
	wn_mime_limits lim;
	char buf[8192];
	size_t n = 0;
	int i;

	n += (size_t)snprintf(buf, sizeof(buf),
	    "Content-Type: multipart/mixed; boundary=p\n\n");
	for (i = 0; i < 50; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "--p\n\npart %d\n", i);
	snprintf(buf + n, sizeof(buf) - n, "--p--\n");
	wn_mime_limits_default(&lim);
	lim.max_parts = 10;
	wn_mime_msg *m = parse_with(buf, &lim);

	cr_assert(m->flags & WN_MIME_PART_LIMIT);
	cr_assert_eq(m->n_parts, 10);
}

Test(mime, scan_limit_cuts_the_message)
{
	wn_mime_limits lim;
	wn_mime_msg *m;

	wn_mime_limits_default(&lim);
	lim.max_scan_bytes = 20;
	m = parse_with("Subject: s\n\n0123456789abcdefghij\n", &lim);
	cr_assert(m->flags & WN_MIME_SCAN_LIMIT);
	cr_assert_eq(m->scanned, 20);
	cr_assert_str_eq(m->root->text.p, "01234567");
}

Test(mime, header_limits_are_enforced)
{
	wn_mime_limits lim;
	wn_mime_msg *m;

	wn_mime_limits_default(&lim);
	lim.max_headers = 2;
	m = parse_with("A: 1\nB: 2\nC: 3\nD: 4\n\nbody\n", &lim);
	cr_assert(m->flags & WN_MIME_HEADER_LIMIT);
	cr_assert_eq(m->root->n_headers, 2);
	cr_assert(text_has(m->root, "body"));

	lim.max_headers = 100;
	lim.max_header_bytes = 12;
	m = parse_with("A: 1\nB: 2\nC: 3\nD: 4\n\nbody\n", &lim);
	cr_assert(m->flags & WN_MIME_HEADER_LIMIT);
	cr_assert_eq(m->root->n_headers, 2);
	cr_assert(text_has(m->root, "body"));
}

Test(mime, decoded_size_limit_is_enforced)
{
	wn_mime_limits lim;
	wn_mime_msg *m;

	wn_mime_limits_default(&lim);
	lim.max_decoded_bytes = 5;
	m = parse_with("Content-Transfer-Encoding: base64\n\n"
	    "aGVsbG8gd29ybGQ=\n", &lim);
	cr_assert(m->flags & WN_MIME_DECODE_LIMIT);
	cr_assert_leq(m->root->decoded_size, 5);
}

Test(mime, text_limit_cuts_rendered_text)
{
	wn_mime_limits lim;
	wn_mime_msg *m;

	wn_mime_limits_default(&lim);
	lim.max_text_bytes = 4;
	m = parse_with("Subject: s\n\nabcdefgh\n", &lim);
	cr_assert(m->flags & WN_MIME_TEXT_LIMIT);
	cr_assert_eq(m->root->text.len, 4);
}

/* Out of memory: every allocation failure gives WN_ENOMEM, never a crash. */
static long fail_at;
static void *
failing_malloc(size_t n)
{
	if (fail_at-- == 0)
		return NULL;
	return malloc(n);
}
static void *
failing_realloc(void *p, size_t n)
{
	if (fail_at-- == 0)
		return NULL;
	return realloc(p, n);
}

Test(mime, every_allocation_failure_is_enomem)
{
	static const wn_allocator failing = { failing_malloc, failing_realloc,
		free };
	static const char msg[] = "From: \"A\" <a@b.example>\n"
	    "Subject: =?utf-8?q?caf=C3=A9?=\n"
	    "Content-Type: multipart/alternative; boundary=z\n\n"
	    "--z\nContent-Type: text/plain; charset=koi8-r\n\n\xd0\xd2 http://x.example/\n"
	    "--z\nContent-Type: text/html\n\n<p>hi <a href=http://y.example>y</a>\n"
	    "--z--\n";
	long i;
	int rc;

	for (i = 0; i < 400; i++) {
		wn_arena *a;
		wn_mime_msg *m;

		fail_at = i;
		wn_alloc_replace(&failing);
		a = wn_arena_new(512);
		if (a == NULL) {
			wn_alloc_replace(NULL);
			continue;
		}
		rc = wn_mime_parse(a, msg, sizeof(msg) - 1, NULL, &m);
		wn_alloc_replace(NULL);
		cr_assert(rc == 0 || rc == WN_ENOMEM, "failure %ld: rc %d", i,
		    rc);
		wn_arena_free(&a);
	}
}

Test(mime, bare_cr_in_header_separates_words)
{
	wn_mime_msg *m = parse("From: a@example.com\n"
	    "Subject: bare\rCR\r\n inside\n\nbody\n");

	cr_assert_str_eq(m->subject, "bare CR inside");
	cr_assert(m->flags & WN_MIME_BARE_CR);
}

Test(mime, empty_charset_parameter_declares_nothing)
{
	wn_mime_msg *m = parse("Content-Type: text/plain; charset=\n\nhi\n");

	cr_assert_null(m->root->charset);
	cr_assert(text_has(m->root, "hi"));
}

Test(mime, rfc2231_filename_wins_over_plain_fallback)
{
	/* Either order: the starred form is what RFC 2231 readers show. */
	static const char *const cd[] = {
		"attachment; filename=\"doc.pdf\"; filename*=utf-8''doc.exe",
		"attachment; filename*=utf-8''doc.exe; filename=\"doc.pdf\"",
		("attachment; filename=\"doc.pdf\"; filename*0=\"doc\";"
		    " filename*1=\".exe\""),
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(cd) / sizeof(cd[0]); i++) {
		snprintf(buf, sizeof(buf), "Content-Type: application/pdf\n"
		    "Content-Disposition: %s\n\nx\n", cd[i]);
		wn_mime_msg *m = parse(buf);

		cr_assert_str_eq(m->root->filename, "doc.exe",
		    "%s: got \"%s\", want \"doc.exe\"", cd[i],
		    m->root->filename);
		cr_assert(m->flags & WN_MIME_EXECUTABLE);
	}
}

Test(mime, empty_filename_does_not_hide_content_type_name)
{
	wn_mime_msg *m = parse("Content-Type: application/octet-stream;"
	    " name=\"a.scr\"\nContent-Disposition: attachment; filename=\"\"\n"
	    "\nx\n");

	cr_assert_str_eq(m->root->filename, "a.scr");
	cr_assert(m->flags & WN_MIME_EXECUTABLE);
}

Test(mime, executable_content_type_name_is_flagged_under_other_filename)
{
	wn_mime_msg *m = parse("Content-Type: application/octet-stream;"
	    " name=\"setup.exe\"\n"
	    "Content-Disposition: attachment; filename=\"notes.txt\"\n\nx\n");

	cr_assert_str_eq(m->root->filename, "notes.txt");
	cr_assert(m->flags & WN_MIME_EXECUTABLE);
}

Test(mime, content_type_may_have_blanks_around_the_slash)
{
	wn_mime_msg *m = parse("Content-Type: text / html ; charset=utf-8\n"
	    "\n<b>bold</b>\n");

	cr_assert_str_eq(m->root->type, "text");
	cr_assert_str_eq(m->root->subtype, "html");
	cr_assert_eq(m->flags & WN_MIME_BAD_CONTENT_TYPE, 0);
	cr_assert(text_has(m->root, "bold"));
	cr_assert_null(strchr(m->root->text.p, '<'));
}

Test(mime, encoded_word_cannot_forge_content_type_parameters)
{
	/* name decodes to: x"; boundary="evil */
	wn_mime_msg *m = parse("Content-Type: multipart/mixed;"
	    " name=\"=?utf-8?B?eCI7IGJvdW5kYXJ5PSJldmls?=\"; boundary=good\n"
	    "\n--good\n\ngood part\n--good--\n--evil\n\nevil part\n"
	    "--evil--\n");

	cr_assert_str_eq(m->root->boundary, "good");
	cr_assert_str_eq(m->root->filename, "x\"; boundary=\"evil");
	cr_assert(text_has(part_at(m, 1), "good part"));
	cr_assert_eq(m->n_parts, 2);
}

Test(mime, boundary_that_looks_like_an_encoded_word_is_kept_raw)
{
	wn_mime_msg *m = parse("Content-Type: multipart/mixed;\n"
	    " boundary=\"=?utf-8?Q?b?=\"\n\n--=?utf-8?Q?b?=\n\nbody\n"
	    "--=?utf-8?Q?b?=--\n");

	cr_assert_str_eq(m->root->boundary, "=?utf-8?Q?b?=");
	cr_assert_eq(m->flags & WN_MIME_BOUNDARY_UNUSED, 0);
	cr_assert(text_has(part_at(m, 1), "body"));
}

Test(mime, from_field_with_blank_before_colon_is_no_mbox_line)
{
	wn_mime_msg *m = parse("From : Alice <alice@example.com>\n"
	    "Subject: obsolete syntax\n\nbody\n");

	cr_assert_eq(m->root->n_headers, 2);
	cr_assert_eq(m->from.n, 1);
	cr_assert_str_eq(m->from.v[0].domain, "example.com");
}
