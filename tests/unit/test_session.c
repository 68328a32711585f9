/*
 * test_session.c - winnowd's callbacks driven in-process through a fake
 * MTA (milter/mta.h) that records header edits and replies: headers in
 * SpamAssassin's form, every action by threshold, skipped clients, removal
 * of forged headers, on_error, SPF headers, and a reload between messages.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <spf2/spf.h>
#include <spf2/spf_dns_zone.h>

#include <winnow/alloc.h>
#include <winnow/config.h>
#include <winnow/err.h>

#include "session.h"

#define GTUBE "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-" \
	"EMAIL*C.34X"

/* The fake MTA: one connection, edits recorded as text lines. */
typedef struct fake {
	void *priv;
	const char *auth;	/* {auth_authen}, or NULL */
	char edits[256][512];
	int n_edits;
	char reply[512];
	char quarantine[256];
} fake;

static void *
f_getpriv(void *ctx)
{
	return ((fake *)ctx)->priv;
}

static int
f_setpriv(void *ctx, void *priv)
{
	((fake *)ctx)->priv = priv;
	return 0;
}

static const char *
f_getsymval(void *ctx, const char *name)
{
	if (strcmp(name, "i") == 0)
		return "4QUEUEID";
	if (strcmp(name, "{auth_authen}") == 0)
		return ((fake *)ctx)->auth;
	return NULL;
}

static void f_record(fake *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
f_record(fake *f, const char *fmt, ...)
{
	va_list ap;

	cr_assert_lt(f->n_edits, 256);
	va_start(ap, fmt);
	vsnprintf(f->edits[f->n_edits++], 512, fmt, ap);
	va_end(ap);
}

static int
f_addheader(void *ctx, const char *name, const char *value)
{
	f_record(ctx, "add %s: %s", name, value);
	return 0;
}

static int
f_insheader(void *ctx, int idx, const char *name, const char *value)
{
	f_record(ctx, "ins %d %s: %s", idx, name, value);
	return 0;
}

static int
f_chgheader(void *ctx, const char *name, int idx, const char *value)
{
	if (value == NULL)
		f_record(ctx, "del %s %d", name, idx);
	else
		f_record(ctx, "chg %s %d: %s", name, idx, value);
	return 0;
}

static int
f_setreply(void *ctx, const char *rcode, const char *xcode,
    const char *text)
{
	snprintf(((fake *)ctx)->reply, 512, "%s %s %s", rcode, xcode, text);
	return 0;
}

static int
f_quarantine(void *ctx, const char *reason)
{
	snprintf(((fake *)ctx)->quarantine, 256, "%s", reason);
	return 0;
}

static const wn_mta fake_mta = {
	f_getpriv, f_setpriv, f_getsymval, f_addheader, f_insheader,
	f_chgheader, f_setreply, f_quarantine
};

static wn_daemon daemon_state;
static char dir[] = "/tmp/wn-session-XXXXXX";

/* A daemon whose configuration is the default plus conf, with a small
 * rule file: WN_TEST_MONEY hits "lots of money" (score 6). */
static void
start(const char *conf)
{
	char rules[256], text[4096];
	wn_settings *s = NULL;
	wn_config *c = NULL;
	wn_diag_list d;
	FILE *f;

	snprintf(rules, sizeof(rules), "%s/test.cf", dir);
	f = fopen(rules, "w");
	cr_assert_not_null(f);
	fputs("body WN_TEST_MONEY /lots of money/\nscore WN_TEST_MONEY 6\n",
	    f);
	fclose(f);
	snprintf(text, sizeof(text), "store = \nspf = no\nrules = %s\n"
	    "authserv_id = mx.test.example\nbulk_store = %s/bulk.lmdb\n%s",
	    rules, dir, conf);
	wn_diag_list_init(&d);
	cr_assert_eq(wn_settings_parse(text, strlen(text), "test.conf", &d,
	    &s), 0, "settings: %s", d.n ? d.v[0].msg : "?");
	cr_assert_eq(wn_config_build(s, NULL, 0, &d, &c), 0);
	wn_diag_list_fini(&d);
	memset(&daemon_state, 0, sizeof(daemon_state));
	wn_config_slot_init(&daemon_state.config, c);
}

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	wn_config_slot_fini(&daemon_state.config);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
}

TestSuite(session, .init = setup, .fini = teardown);

static void
connect_from(fake *f, const char *ip)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	cr_assert_eq(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	cr_assert_eq(wn_session_connect(&daemon_state, &fake_mta, f,
	    "client.example", (struct sockaddr *)&sin, false),
	    WN_REPLY_CONTINUE);
	cr_assert_eq(wn_session_helo(&fake_mta, f, "client.example"),
	    WN_REPLY_CONTINUE);
}

/* One message: headers as "Name: value" lines, then the body. Returns
 * the reply at end of message (or earlier, if a callback ended it). */
static wn_reply
send_message(fake *f, const char *from, const char *const *headers,
    const char *body)
{
	char *argv[] = { (char *)from, NULL };
	char *rcpt[] = { "<user@test.example>", NULL };
	wn_reply r;
	size_t i;

	f->n_edits = 0;
	f->reply[0] = f->quarantine[0] = '\0';
	if ((r = wn_session_envfrom(&fake_mta, f, argv)) != WN_REPLY_CONTINUE)
		return r;
	cr_assert_eq(wn_session_envrcpt(&fake_mta, f, rcpt), WN_REPLY_CONTINUE);
	for (i = 0; headers[i] != NULL; i++) {
		char name[128];
		const char *colon = strchr(headers[i], ':');

		cr_assert_not_null(colon);
		snprintf(name, sizeof(name), "%.*s", (int)(colon - headers[i]),
		    headers[i]);
		/* libmilter hands over the value without the space. */
		cr_assert_eq(wn_session_header(&fake_mta, f, name,
		    colon[1] == ' ' ? colon + 2 : colon + 1),
		    WN_REPLY_CONTINUE);
	}
	cr_assert_eq(wn_session_eoh(&fake_mta, f), WN_REPLY_CONTINUE);
	cr_assert_eq(wn_session_body(&fake_mta, f,
	    (const unsigned char *)body, strlen(body)), WN_REPLY_CONTINUE);
	return wn_session_eom(&fake_mta, f);
}

static const char *const plain_headers[] = {
	"From: Alice <alice@example.org>",
	"To: user@test.example",
	"Subject: lunch on friday",
	"Message-ID: <1@example.org>",
	"Date: Sat, 21 Nov 2026 10:00:00 +0000",
	NULL
};

static const char *
edit_with(const fake *f, const char *prefix)
{
	int i;

	for (i = 0; i < f->n_edits; i++)
		if (strncmp(f->edits[i], prefix, strlen(prefix)) == 0)
			return f->edits[i];
	return NULL;
}

static void
end(fake *f)
{
	cr_assert_eq(wn_session_close(&fake_mta, f), WN_REPLY_CONTINUE);
	cr_assert_null(f->priv, "close leaves no private state");
}

Test(session, clean_message_gets_status_headers_and_no_flag)
{
	fake f = { 0 };
	const char *st;

	start("");
	connect_from(&f, "192.0.2.10");
	cr_assert_eq(send_message(&f, "<alice@example.org>", plain_headers,
	    "See you at noon.\r\n"), WN_REPLY_CONTINUE);
	st = edit_with(&f, "add X-Spam-Status: ");
	cr_assert_not_null(st, "X-Spam-Status added");
	cr_assert(strstr(st, "No, score=") != NULL, "got %s", st);
	cr_assert(strstr(st, "required=5.0") != NULL, "got %s", st);
	cr_assert(strstr(st, "version=winnow-") != NULL, "got %s", st);
	cr_assert_null(edit_with(&f, "add X-Spam-Flag"));
	cr_assert_not_null(edit_with(&f, "add X-Spam-Score: "));
	cr_assert_not_null(edit_with(&f, "add X-Spam-Level: "));
	end(&f);
}

Test(session, rule_hit_marks_spam_with_flag_and_tests)
{
	fake f = { 0 };
	const char *st;

	start("");
	connect_from(&f, "192.0.2.10");
	cr_assert_eq(send_message(&f, "<bob@example.net>", plain_headers,
	    "You will get lots of money.\r\n"), WN_REPLY_CONTINUE);
	cr_assert_not_null(edit_with(&f, "add X-Spam-Flag: YES"));
	st = edit_with(&f, "add X-Spam-Status: Yes, score=6.0");
	cr_assert_not_null(st, "got %s", f.edits[0]);
	cr_assert(strstr(st, "tests=WN_TEST_MONEY") != NULL, "got %s", st);
	cr_assert_not_null(edit_with(&f, "add X-Spam-Level: ******"));
	end(&f);
}

Test(session, gtube_is_rejected_with_configured_text)
{
	fake f = { 0 };

	start("reject_text = Go away, spam\n");
	connect_from(&f, "192.0.2.10");
	cr_assert_eq(send_message(&f, "<x@example.net>", plain_headers,
	    GTUBE "\r\n"), WN_REPLY_REJECT);
	cr_assert_str_eq(f.reply, "550 5.7.1 Go away, spam");
	cr_assert_eq(f.n_edits, 0, "no header edits on a rejected message");
	end(&f);
}

Test(session, never_reject_marks_instead)
{
	fake f = { 0 };

	start("never_reject = yes\n");
	connect_from(&f, "192.0.2.10");
	cr_assert_eq(send_message(&f, "<x@example.net>", plain_headers,
	    GTUBE "\r\n"), WN_REPLY_CONTINUE);
	cr_assert_str_eq(f.reply, "");
	cr_assert_not_null(edit_with(&f, "add X-Spam-Flag: YES"));
	end(&f);
}

Test(session, thresholds_choose_tempfail_quarantine_discard_subject)
{
	fake f = { 0 };

	start("reject_score = off\ntempfail_score = 5\n");
	connect_from(&f, "192.0.2.10");
	cr_assert_eq(send_message(&f, "<x@example.net>", plain_headers,
	    "lots of money\r\n"), WN_REPLY_TEMPFAIL);
	cr_assert_str_eq(f.reply, "451 4.7.1 Message deferred, try again "
	    "later");
	end(&f);
	wn_config_slot_fini(&daemon_state.config);

	start("reject_score = off\nquarantine_score = 5\n");
	connect_from(&f, "192.0.2.10");
	cr_assert_eq(send_message(&f, "<x@example.net>", plain_headers,
	    "lots of money\r\n"), WN_REPLY_CONTINUE);
	cr_assert_str_eq(f.quarantine, "winnow: spam score 6.0");
	cr_assert_not_null(edit_with(&f, "add X-Spam-Flag: YES"));
	end(&f);
	wn_config_slot_fini(&daemon_state.config);

	start("reject_score = off\ndiscard_score = 5\n");
	connect_from(&f, "192.0.2.10");
	cr_assert_eq(send_message(&f, "<x@example.net>", plain_headers,
	    "lots of money\r\n"), WN_REPLY_DISCARD);
	end(&f);
	wn_config_slot_fini(&daemon_state.config);

	start("subject_score = 5\nsubject_tag = [SPAM]\n");
	connect_from(&f, "192.0.2.10");
	cr_assert_eq(send_message(&f, "<x@example.net>", plain_headers,
	    "lots of money\r\n"), WN_REPLY_CONTINUE);
	cr_assert_not_null(edit_with(&f, "chg Subject 1: [SPAM] lunch on "
	    "friday"));
	end(&f);
}

Test(session, forged_headers_are_removed_last_first)
{
	static const char *const forged[] = {
		"From: a@example.org",
		"X-Spam-Flag: YES",
		"X-Spam-Status: No, score=-100",
		"Authentication-Results: other.example; spf=pass",
		"x-spam-flag: YES",
		"Authentication-Results: mx.test.example; spf=pass "
		    "smtp.mailfrom=forged@example.org",
		"Subject: hi",
		NULL
	};
	fake f = { 0 };
	int i, flag2 = -1, flag1 = -1, ar = -1;

	start("");
	connect_from(&f, "192.0.2.10");
	cr_assert_eq(send_message(&f, "<a@example.org>", forged, "hello\r\n"),
	    WN_REPLY_CONTINUE);
	for (i = 0; i < f.n_edits; i++) {
		if (strcmp(f.edits[i], "del X-Spam-Flag 2") == 0)
			flag2 = i;
		if (strcmp(f.edits[i], "del X-Spam-Flag 1") == 0)
			flag1 = i;
		if (strcmp(f.edits[i], "del Authentication-Results 2") == 0)
			ar = i;
	}
	cr_assert(flag2 >= 0 && flag1 > flag2, "both flags removed, last first");
	cr_assert_geq(ar, 0, "A-R claiming our authserv-id removed");
	cr_assert_null(edit_with(&f, "del Authentication-Results 1"),
	    "another host's A-R stays");
	cr_assert_not_null(edit_with(&f, "del X-Spam-Status 1"));
	end(&f);
}

Test(session, every_forged_copy_is_removed)
{
	fake f = { 0 };
	char *argv[] = { "<a@example.org>", NULL };
	int i, dels = 0;

	start("");
	connect_from(&f, "192.0.2.10");
	cr_assert_eq(wn_session_envfrom(&fake_mta, &f, argv),
	    WN_REPLY_CONTINUE);
	for (i = 0; i < 150; i++)
		cr_assert_eq(wn_session_header(&fake_mta, &f, "X-Spam-Flag",
		    "YES"), WN_REPLY_CONTINUE);
	cr_assert_eq(wn_session_eoh(&fake_mta, &f), WN_REPLY_CONTINUE);
	cr_assert_eq(wn_session_body(&fake_mta, &f,
	    (const unsigned char *)"hi\r\n", 4), WN_REPLY_CONTINUE);
	cr_assert_eq(wn_session_eom(&fake_mta, &f), WN_REPLY_CONTINUE);
	for (i = 0; i < f.n_edits; i++)
		if (strncmp(f.edits[i], "del X-Spam-Flag ", 16) == 0)
			dels++;
	cr_assert_eq(dels, 150, "got %d deletions", dels);
	cr_assert_str_eq(f.edits[0], "del X-Spam-Flag 150");
	end(&f);
}

Test(session, trusted_and_authenticated_clients_are_not_scanned)
{
	fake f = { 0 };

	start("trusted_networks = 198.51.100.0/24\n");
	connect_from(&f, "198.51.100.7");
	cr_assert_eq(send_message(&f, "<x@example.net>", plain_headers,
	    GTUBE), WN_REPLY_ACCEPT);
	cr_assert_eq(f.n_edits, 0);
	end(&f);

	memset(&f, 0, sizeof(f));
	f.auth = "alice";
	connect_from(&f, "192.0.2.10");
	cr_assert_eq(send_message(&f, "<x@example.net>", plain_headers,
	    GTUBE), WN_REPLY_ACCEPT);
	end(&f);
}

Test(session, oversized_message_is_accepted_unscanned)
{
	fake f = { 0 };
	char *big = malloc(3000);

	cr_assert_not_null(big);
	memset(big, 'a', 2998);
	memcpy(big, GTUBE, strlen(GTUBE));
	big[2998] = '\n';
	big[2999] = '\0';
	start("max_size = 2k\n");
	connect_from(&f, "192.0.2.10");
	cr_assert_eq(send_message(&f, "<x@example.net>", plain_headers, big),
	    WN_REPLY_ACCEPT);
	cr_assert_eq(f.n_edits, 0);
	/* The next message on the connection is scanned again. */
	cr_assert_eq(send_message(&f, "<x@example.net>", plain_headers,
	    "lots of money\r\n"), WN_REPLY_CONTINUE);
	cr_assert_not_null(edit_with(&f, "add X-Spam-Flag: YES"));
	free(big);
	end(&f);
}

Test(session, reload_applies_from_the_next_message)
{
	fake f = { 0 };
	wn_settings *s = NULL;
	wn_config *c = NULL;
	wn_diag_list d;
	const char *text = "store = \nspf = no\nrules = none\nbulk = no\n"
	    "required_score = 3.5\n";
	char *argv[] = { "<a@example.org>", NULL };

	start("");
	connect_from(&f, "192.0.2.10");
	/* A message is under way when the new configuration arrives. */
	cr_assert_eq(wn_session_envfrom(&fake_mta, &f, argv),
	    WN_REPLY_CONTINUE);
	wn_diag_list_init(&d);
	cr_assert_eq(wn_settings_parse(text, strlen(text), "new", &d, &s), 0);
	cr_assert_eq(wn_config_build(s, NULL, 0, &d, &c), 0);
	wn_diag_list_fini(&d);
	wn_config_slot_swap(&daemon_state.config, c);
	cr_assert_eq(wn_session_header(&fake_mta, &f, "Subject", "x"),
	    WN_REPLY_CONTINUE);
	cr_assert_eq(wn_session_eoh(&fake_mta, &f), WN_REPLY_CONTINUE);
	cr_assert_eq(wn_session_body(&fake_mta, &f,
	    (const unsigned char *)"lots of money\r\n", 15), WN_REPLY_CONTINUE);
	cr_assert_eq(wn_session_eom(&fake_mta, &f), WN_REPLY_CONTINUE);
	cr_assert_not_null(edit_with(&f, "add X-Spam-Status: Yes, score=6.0 "
	    "required=5.0"), "the old snapshot finished the message");
	cr_assert_eq(send_message(&f, "<a@example.org>", plain_headers,
	    "lots of money\r\n"), WN_REPLY_CONTINUE);
	cr_assert_not_null(edit_with(&f, "add X-Spam-Status: No, score=0.0 "
	    "required=3.5"), "the new one (no rules) the next");
	end(&f);
}

Test(session, autolearn_learns_clear_cases_into_the_store)
{
	fake f = { 0 };
	char conf[512];
	wn_store_totals tot;
	wn_store *st;
	const char *stv;

	snprintf(conf, sizeof(conf), "store = %s/bayes.lmdb\nautolearn = yes\n"
	    "autolearn_spam_score = 12\nautolearn_ham_score = -0.5\n"
	    "never_reject = yes\n", dir);
	/* start() sets "store =" first; the later line wins. */
	start(conf);
	connect_from(&f, "192.0.2.10");
	cr_assert_eq(send_message(&f, "<x@example.net>", plain_headers,
	    GTUBE "\r\n"), WN_REPLY_CONTINUE);
	stv = edit_with(&f, "add X-Spam-Status: Yes");
	cr_assert(stv && strstr(stv, "autolearn=spam"), "got %s",
	    stv ? stv : "none");
	cr_assert_eq(send_message(&f, "<x@example.net>", plain_headers,
	    "an ordinary note\r\n"), WN_REPLY_CONTINUE);
	stv = edit_with(&f, "add X-Spam-Status: No");
	cr_assert(stv && strstr(stv, "autolearn=no"), "got %s",
	    stv ? stv : "none");
	st = daemon_state.config.current->scan.store;
	cr_assert_not_null(st);
	cr_assert_eq(st->ops->totals(st, &tot), 0);
	cr_assert_eq(tot.spam_msgs, 1);
	cr_assert_eq(tot.ham_msgs, 0);
	end(&f);
}

/* Fail every allocation once armed: scanning runs out of memory. */
static int fail_armed;

static void *
fail_malloc(size_t n)
{
	return fail_armed ? NULL : malloc(n);
}

static void *
fail_realloc(void *p, size_t n)
{
	return fail_armed ? NULL : realloc(p, n);
}

static const wn_allocator failing = {
	fail_malloc, fail_realloc, free
};

Test(session, internal_failure_follows_on_error)
{
	fake f = { 0 };
	char *body = malloc(200000);
	char *argv[] = { "<a@example.org>", NULL };

	cr_assert_not_null(body);
	memset(body, 'x', 199999);
	body[199999] = '\0';
	start("on_error = tempfail\n");
	connect_from(&f, "192.0.2.10");
	cr_assert_eq(wn_session_envfrom(&fake_mta, &f, argv),
	    WN_REPLY_CONTINUE);
	cr_assert_eq(wn_session_header(&fake_mta, &f, "Subject", "x"),
	    WN_REPLY_CONTINUE);
	cr_assert_eq(wn_session_eoh(&fake_mta, &f), WN_REPLY_CONTINUE);
	cr_assert_eq(wn_session_body(&fake_mta, &f,
	    (const unsigned char *)body, 199999), WN_REPLY_CONTINUE);
	wn_alloc_replace(&failing);
	fail_armed = 1;
	cr_assert_eq(wn_session_eom(&fake_mta, &f), WN_REPLY_TEMPFAIL);
	fail_armed = 0;
	wn_alloc_replace(NULL);
	cr_assert_str_eq(f.reply, "451 4.3.0 Temporary failure of the "
	    "content filter, try again later");
	/* The connection carries on. */
	cr_assert_eq(send_message(&f, "<a@example.org>", plain_headers,
	    "hi\r\n"), WN_REPLY_CONTINUE);
	free(body);
	end(&f);
}

Test(session, spf_result_becomes_symbol_and_headers)
{
	fake f = { 0 };
	SPF_dns_server_t *zone;
	wn_config *c;
	const char *st, *rs, *ar;

	start("spf = yes\nspf_fail_weight = 2.5\n");
	/* Answers from a zone in memory instead of the resolver. */
	zone = SPF_dns_zone_new(NULL, "test", 0);
	cr_assert_not_null(zone);
	SPF_dns_zone_add_str(zone, "example.net", ns_t_txt, NETDB_SUCCESS,
	    "v=spf1 ip4:198.51.100.0/24 -all");
	c = daemon_state.config.current;
	wn_spf_free(&c->spf);
	cr_assert_eq(wn_spf_new(c->authserv_id, zone, &c->spf), 0);
	connect_from(&f, "192.0.2.10");
	cr_assert_eq(send_message(&f, "<bob@example.net>", plain_headers,
	    "hello\r\n"), WN_REPLY_CONTINUE);
	st = edit_with(&f, "add X-Spam-Status: ");
	cr_assert(st && strstr(st, "SPF_FAIL"), "got %s", st ? st : "none");
	rs = edit_with(&f, "ins 0 Received-SPF: fail (");
	cr_assert_not_null(rs);
	cr_assert(strstr(rs, "client-ip=192.0.2.10;") != NULL, "got %s", rs);
	cr_assert(strstr(rs, "envelope-from=bob@example.net;") != NULL,
	    "got %s", rs);
	cr_assert(strstr(rs, "identity=mailfrom;") != NULL, "got %s", rs);
	ar = edit_with(&f, "ins 0 Authentication-Results: mx.test.example;");
	cr_assert_not_null(ar);
	cr_assert(strstr(ar, "spf=fail smtp.mailfrom=bob@example.net") != NULL,
	    "got %s", ar);
	end(&f);
}

/* The same text, each copy to one recipient from another sender with the
 * greeting changed: from the third copy BULK_LOW (threshold 3 here), and
 * BULK_SENDERS from the third sender. A trusted list's rule exempts. */
Test(session, bulk_copies_earn_bulk_symbols)
{
	static const char body[] = "Dear %s,\r\nour spring collection "
	    "arrived today with new jackets, boots and scarves for the "
	    "whole family, all at prices you will not find elsewhere this "
	    "season.\r\nVisit the shop this week.\r\n";
	static const char *const names[] = { "Anna", "Ben", "Carla", "Dan" };
	char text[512], from[64];
	fake f = { 0 };
	const char *st;
	int i;

	start("bulk_low_recipients = 3\nbulk_low_weight = 0.7\n");
	connect_from(&f, "192.0.2.10");
	for (i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), body, names[i]);
		snprintf(from, sizeof(from), "<shop%d@example.net>", i);
		cr_assert_eq(send_message(&f, from, plain_headers, text),
		    WN_REPLY_CONTINUE);
		st = edit_with(&f, "add X-Spam-Status: ");
		cr_assert_not_null(st);
		if (i < 2)
			cr_expect_null(strstr(st, "BULK_"), "copy %d: %s", i,
			    st);
		else {
			/* the configured weights: 0.7 + 1.0 */
			cr_expect_not_null(strstr(st, "score=1.7 "),
			    "copy %d: %s", i, st);
			cr_expect_not_null(strstr(st, "BULK_LOW"),
			    "copy %d: %s", i, st);
			cr_expect_not_null(strstr(st, "BULK_SENDERS"),
			    "copy %d: %s", i, st);
		}
	}
	end(&f);
}

Test(session, bulk_exempt_by_nobulk_rule)
{
	static const char *const list_headers[] = {
		"From: news@lists.example.org",
		"To: user@test.example",
		"List-Id: <news.lists.example.org>",
		"Subject: weekly news",
		NULL
	};
	char conf[512], rules[256];
	fake f = { 0 };
	const char *st;
	FILE *fp;
	int i;

	snprintf(rules, sizeof(rules), "%s/lists.cf", dir);
	cr_assert_not_null(fp = fopen(rules, "w"));
	fputs("header LOCAL_OUR_LIST List-Id =~ /<news\\.lists\\.example"
	    "\\.org>/\nscore LOCAL_OUR_LIST 0\n"
	    "tflags LOCAL_OUR_LIST nobulk\n", fp);
	fclose(fp);
	snprintf(conf, sizeof(conf), "rules = %s\nbulk_low_recipients = 2\n",
	    rules);
	start(conf);
	connect_from(&f, "192.0.2.10");
	for (i = 0; i < 3; i++) {
		cr_assert_eq(send_message(&f, "<news@lists.example.org>",
		    list_headers, "This week: the new release is out, the "
		    "meeting moved to Thursday, and the library has new "
		    "opening hours for the winter.\r\n"), WN_REPLY_CONTINUE);
		st = edit_with(&f, "add X-Spam-Status: ");
		cr_assert_not_null(st);
		cr_expect_null(strstr(st, "BULK_"), "copy %d: %s", i, st);
	}
	end(&f);
}

/* --- bulk fingerprints in the statistics ----------------------------- */

#include <winnow/stats.h>	/* for the tests below */

/*
 * At the cooperative level winnowd keeps the fingerprint of a text that
 * was bulk (BULK_LOW here from the third copy) and spam, once however
 * many copies; not a bulk ham text, nor a spam text too short to share.
 */
Test(session, cooperative_statistics_keep_bulk_spam_fingerprints)
{
	static const char spam_body[] = "Dear %s,\r\nyou can win lots of "
	    "money this week with our new investment plan, no risk and no "
	    "fees, just reply with your bank details today.\r\n";
	static const char ham_body[] = "Dear %s,\r\nthe reading group meets "
	    "on Thursday evening in the small hall of the library, bring "
	    "the second novel and something to share.\r\n";
	static const char *const names[] = { "Anna", "Ben", "Carla", "Dan" };
	wn_stats_opts o = { NULL, 3600, true };
	char spool[300], text[512], from[64], **paths;
	wn_stats_period *p = NULL;
	fake f = { 0 };
	const char *st;
	size_t n;
	int i;

	start("bulk_low_recipients = 3\nbulk_low_weight = 0.7\n"
	    "bulk_senders_weight = 0\n");
	snprintf(spool, sizeof(spool), "%s/spool", dir);
	o.spool = spool;
	cr_assert_eq(wn_stats_open(&o, time(NULL), &daemon_state.stats, text,
	    sizeof(text)), 0, "%s", text);
	connect_from(&f, "192.0.2.10");
	for (i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), spam_body, names[i]);
		snprintf(from, sizeof(from), "<shop%d@example.net>", i);
		cr_assert_eq(send_message(&f, from, plain_headers, text),
		    WN_REPLY_CONTINUE);
		st = edit_with(&f, "add X-Spam-Status: Yes");
		cr_assert_not_null(st, "copy %d is spam", i);
		if (i >= 2)
			cr_assert_not_null(strstr(st, "BULK_LOW"), "%s", st);
		snprintf(text, sizeof(text), ham_body, names[i]);
		cr_assert_eq(send_message(&f, "<club@example.org>",
		    plain_headers, text), WN_REPLY_CONTINUE);
		st = edit_with(&f, "add X-Spam-Status: No");
		cr_assert_not_null(st, "copy %d is ham", i);
		if (i >= 2)
			cr_assert_not_null(strstr(st, "BULK_LOW"), "%s", st);
		/* 6 words with the subject: short, digest only */
		cr_assert_eq(send_message(&f, from, plain_headers,
		    "lots of money\r\n"), WN_REPLY_CONTINUE);
	}
	end(&f);
	wn_stats_free(&daemon_state.stats, time(NULL));

	cr_assert_eq(wn_stats_spool_list(spool, &paths, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(wn_stats_period_load(paths[0], &p, text, sizeof(text)),
	    0, "%s", text);
	wn_stats_spool_list_free(paths, n);
	cr_assert(p->fingerprints_counted);
	cr_assert_eq(p->bulk_ham.low, 2);
	/* the third and fourth copies of the campaign and of the short
	 * text; of these only the campaign's fingerprint is kept */
	cr_assert_eq(p->bulk_spam.low, 4, "got %llu",
	    (unsigned long long)p->bulk_spam.low);
	cr_assert_eq(p->n_fingerprints, 1, "got %zu", p->n_fingerprints);
	cr_assert_eq(p->fingerprints_dropped, 0);
	cr_assert_neq(p->fingerprints[0].b[0], p->fingerprints[0].b[1]);
	wn_stats_period_free(&p);
}
