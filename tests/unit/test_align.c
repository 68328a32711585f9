/* test_align.c - the header's alignment flags: which of the domains a
 * header names agree. */
#include <string.h>

#include <criterion/criterion.h>

#include <winnow/align.h>

#define F(x) (1u << WN_ALIGN_##x)

static unsigned
flags(const char *h)
{
	return wn_align_flags(h, strlen(h));
}

Test(align, a_company_newsletter_agrees_with_itself)
{
	const char h[] =
	    "Return-Path: <bounce-42@lists.shop.example.com>\r\n"
	    "Received: from mx.isp.example.net by in.isp.example.net\r\n"
	    "Received: from out3.shop.example.com (out3.shop.example.com\r\n"
	    "\t[192.0.2.7]) by mx.isp.example.net with ESMTP\r\n"
	    "From: \"Shop\" <news@shop.example.com>\r\n"
	    "To: reader@isp.example.net\r\n"
	    "Message-ID: <20021004.1@mail.shop.example.com>\r\n"
	    "Subject: October offers\r\n";

	cr_assert_eq(flags(h), F(FROM_RETURN_PATH) | F(FROM_MESSAGE_ID) |
	    F(FROM_RELAY) | F(RETURN_PATH_RELAY) | F(MESSAGE_ID_RELAY));
}

Test(align, forged_mail_agrees_with_nothing)
{
	const char h[] =
	    "Return-Path: <xk3@bulk.example.org>\n"
	    "Received: from unknown (HELO dialup) (203.0.113.5)\n"
	    "  by mx.isp.example.net\n"
	    "From: Your Bank <security@bank.example>\n"
	    "Reply-To: verify@other.example\n"
	    "To: reader@isp.example.net\n"
	    "Subject: verify your account\n";

	cr_assert_eq(flags(h), F(REPLY_TO_ELSEWHERE) | F(NO_MESSAGE_ID));
}

Test(align, domains_are_the_last_two_labels_or_three_under_a_country)
{
	cr_assert(flags("From: a@www.shop.example.co.uk\n"
	    "Return-Path: <b@mail.example.co.uk>\n") & F(FROM_RETURN_PATH));
	cr_assert_not(flags("From: a@example.co.uk\n"
	    "Return-Path: <b@other.co.uk>\n") & F(FROM_RETURN_PATH));
	cr_assert(flags("From: a@x.EXAMPLE.org.\n"
	    "Return-Path: <b@y.example.ORG>\n") & F(FROM_RETURN_PATH));
	/* "com" under a three-letter top-level domain is an ordinary label */
	cr_assert(flags("From: a@com.example\n"
	    "Return-Path: <b@x.com.example>\n") & F(FROM_RETURN_PATH));
}

Test(align, the_first_field_and_its_first_address_count)
{
	const char h[] = "From: \"Sales <sales@a.example>\" <x@b.example>\n"
	    "Return-Path: <r@a.example>\n"
	    "from: y@c.example\n";

	cr_assert(flags(h) & F(FROM_RETURN_PATH));
	/* A field name in any case, blanks before the colon */
	cr_assert(flags("FROM : a@d.example\nreturn-path: <@d.example>\n"
	    "RETURN-PATH: <b@d.example>\n") == F(NO_MESSAGE_ID),
	    "the first Return-Path has no address");
	cr_assert(flags("From: a@d.example\nTo: b@d.example\n") ==
	    (F(FROM_TO) | F(NO_MESSAGE_ID)));
}

Test(align, relay_names_after_from_by_and_in_parentheses)
{
	/* "from" folded onto the next line; "by" in any case; a name in
	 * parentheses only before "[" and with a top-level domain */
	cr_assert(flags("From: a@e.example\nReceived:\n\tfrom\n\t"
	    "relay.e.example\n") & F(FROM_RELAY));
	cr_assert(flags("From: a@e.example\nReceived: from x BY "
	    "mx.e.example\n") & F(FROM_RELAY));
	cr_assert(flags("From: a@e.example\nReceived: from x (host.e.example "
	    "[192.0.2.9])\n") & F(FROM_RELAY));
	cr_assert_not(flags("From: a@e.example\nReceived: from x "
	    "(host.e.example)\n") & F(FROM_RELAY));
	cr_assert_not(flags("From: a@e.example\nReceived: from x "
	    "(e.9 [192.0.2.9])\n") & F(FROM_RELAY));
	/* a name only in another field is no relay */
	cr_assert_not(flags("From: a@e.example\nX-Relay: from mx.e.example\n")
	    & F(FROM_RELAY));
}

Test(align, the_header_ends_at_an_empty_line)
{
	cr_assert_eq(flags("Subject: x\r\n\r\nFrom: a@f.example\r\n"
	    "Message-ID: <1@f.example>\r\n"), F(NO_MESSAGE_ID));
	cr_assert_eq(flags(""), F(NO_MESSAGE_ID));
	cr_assert_eq(flags("Message-ID: <1@f.example>"), 0);
	/* a Reply-To with no From is elsewhere; no address is none */
	cr_assert_eq(flags("Reply-To: a@f.example\nMessage-ID: <x>\n"),
	    F(REPLY_TO_ELSEWHERE) | F(NO_MESSAGE_ID));
}

Test(align, odd_bytes_are_read_safely)
{
	const char h[] = " leading continuation\n@\n:\nFrom:@\nFrom: a@\n"
	    "Received: (\nReceived: from\nReceived: by  \n"
	    "Received: (.ab [\n\xff\xfe: \x01\n";
	size_t i;

	/* every prefix: no read beyond the length given */
	for (i = 0; i <= sizeof(h) - 1; i++)
		(void)wn_align_flags(h, i);
	cr_assert_eq(flags(h), F(NO_MESSAGE_ID));
}
