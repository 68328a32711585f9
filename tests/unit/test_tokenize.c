/* test_tokenize.c - features of a parsed message. */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include <winnow/err.h>
#include <winnow/mime.h>
#include <winnow/tokenize.h>

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

TestSuite(tokenize, .init = setup, .fini = teardown);

static wn_tokens
tokens_seeded(const char *s, unsigned osb, uint64_t seed)
{
	wn_tokenize_opts o;
	wn_mime_msg *m;
	wn_tokens t;

	wn_tokenize_opts_default(&o);
	o.seed = seed;
	o.keep_text = true;
	o.osb_window = osb;
	cr_assert_eq(wn_mime_parse(arena, s, strlen(s), NULL, &m), 0);
	cr_assert_eq(wn_tokenize(arena, m, &o, &t), 0);
	return t;
}

static wn_tokens
tokens_of(const char *s, unsigned osb)
{
	return tokens_seeded(s, osb, WN_TOKENIZE_DEFAULT_SEED);
}

static const wn_token *
find(const wn_tokens *t, const char *text)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].text && strcmp(t->v[i].text, text) == 0)
			return &t->v[i];
	return NULL;
}

#define assert_has(t, s) \
	cr_assert_not_null(find(&(t), (s)), "missing token \"%s\"", (s))
#define assert_lacks(t, s) \
	cr_assert_null(find(&(t), (s)), "unexpected token \"%s\"", (s))

Test(tokenize, body_words_are_case_folded_and_short_ones_dropped)
{
	wn_tokens t = tokens_of("Subject: x\n\nFREE Money to you, Ünïcode ÉTÉ!\n",
	    1);

	assert_has(t, "free");
	assert_has(t, "money");
	assert_has(t, "you");
	assert_has(t, "\xc3\xbcn\xc3\xaf" "code");
	assert_has(t, "\xc3\xa9t\xc3\xa9");
	assert_lacks(t, "to");
	/* Capitals are a feature too, besides the folded word. */
	assert_has(t, "FREE");
	assert_has(t, "Money");
	assert_lacks(t, "you,");
	assert_has(t, "!");
}

Test(tokenize, punctuation_runs_are_features_of_their_field)
{
	wn_tokens t = tokens_of("Subject: Act now!!!!\n\nSave 50% today?? "
	    "Just $$$ and cash!\n", 1);

	assert_has(t, "subj:!!!");
	assert_has(t, "!");
	assert_has(t, "??");
	assert_has(t, "$$$");
	assert_has(t, "%");
	assert_has(t, "cash");
	assert_has(t, "today");
	assert_lacks(t, "!!!");
	assert_lacks(t, "subj:!!!!");
}

Test(tokenize, a_store_of_feature_set_1_keeps_its_features)
{
	uint64_t v1 = WN_TOKENIZE_SEED_BASE | 1;
	wn_tokens t = tokens_seeded("Subject: x\n\nFREE Money now!!\n", 1, v1);

	cr_assert_eq(wn_tokenize_features(v1), 1);
	cr_assert_eq(wn_tokenize_features(WN_TOKENIZE_DEFAULT_SEED),
	    WN_TOKENIZE_FEATURES);
	/* A seed of someone else's: the newest set. */
	cr_assert_eq(wn_tokenize_features(0x1234), WN_TOKENIZE_FEATURES);
	assert_has(t, "free");
	assert_has(t, "money");
	assert_lacks(t, "FREE");
	assert_lacks(t, "Money");
	assert_lacks(t, "!!");
}

Test(tokenize, fields_a_mailing_list_adds_are_left_out)
{
	static const char msg[] = "Subject: x\n"
	    "List-Id: Ports <ports.example.org>\n"
	    "List-Unsubscribe: <mailto:ports-off@example.org>\n"
	    "Sender: owner-ports@example.org\n"
	    "Precedence: bulk\n"
	    "X-Loop: example.org\n"
	    "X-Mailer: Mutt\n"
	    "\nbody text\n";
	wn_tokens t = tokens_of(msg, 1);
	wn_tokens t2 = tokens_seeded(msg, 1, WN_TOKENIZE_SEED_BASE | 2);

	assert_lacks(t, "list:ports <ports.example.org>");
	assert_lacks(t, "hdr:list-id");
	assert_lacks(t, "hdr:list-unsubscribe");
	assert_lacks(t, "hdr:sender");
	assert_lacks(t, "hdr:precedence");
	assert_lacks(t, "hdr:x-loop");
	/* The author's fields stay. */
	assert_has(t, "hdr:x-mailer");
	assert_has(t, "xm:mutt");
	assert_has(t, "text");
	/* A store of feature set 2 keeps being fed them. */
	assert_has(t2, "list:ports <ports.example.org>");
	assert_has(t2, "hdr:list-id");
	assert_has(t2, "hdr:sender");
}

Test(tokenize, numbers_prices_and_joined_words_stay_whole)
{
	wn_tokens t = tokens_of("Subject: x\n\nOnly $1,000.50 for e-mail "
	    "users, don't wait. End.\n", 1);

	assert_has(t, "$1,000.50");
	assert_has(t, "e-mail");
	assert_has(t, "don't");
	assert_has(t, "wait");
	assert_has(t, "end");
}

Test(tokenize, long_words_become_skip_tokens)
{
	wn_tokens t = tokens_of("Subject: x\n\nshort "
	    "aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeee end\n", 1);

	assert_has(t, "skip:a 50");
	assert_has(t, "short");
}

Test(tokenize, duplicates_are_removed)
{
	wn_tokens t = tokens_of("Subject: x\n\nspam spam SPAM Spam\n", 1);
	size_t i, n = 0;

	for (i = 0; i < t.n; i++)
		if (strcmp(t.v[i].text, "spam") == 0)
			n++;
	cr_assert_eq(n, 1);
	for (i = 0; i < t.n; i++)
		for (size_t j = i + 1; j < t.n; j++)
			cr_assert_neq(t.v[i].hash, t.v[j].hash, "%s and %s",
			    t.v[i].text, t.v[j].text);
}

Test(tokenize, osb_bigrams_cover_the_window)
{
	wn_tokens t = tokens_of("Subject: x\n\nclick here now please\n", 3);

	assert_has(t, "click here");
	assert_has(t, "click _ now");
	assert_has(t, "here now");
	assert_has(t, "here _ please");
	assert_lacks(t, "click _ _ please");
	cr_assert_eq(find(&t, "click here")->kind, WN_TOKEN_BIGRAM);
}

Test(tokenize, header_features_are_prefixed)
{
	wn_tokens t = tokens_of("From: \"Big Deals\" <deals@Promo.Example>\n"
	    "To: you@dest.example\n"
	    "Subject: Limited offer\n"
	    "Message-ID: <ABC123.456@mailer.example>\n"
	    "X-Mailer: SuperMailer 5.0\n"
	    "Received: from relay.sender.example (relay.sender.example "
	    "[203.0.113.9]) by mx.dest.example\n"
	    "Content-Type: text/plain; charset=utf-8\n\nbody\n", 1);

	assert_has(t, "subj:limited");
	assert_has(t, "subj:offer");
	assert_has(t, "from:promo.example");
	assert_has(t, "from:deals");
	assert_has(t, "from:big");
	assert_has(t, "to:dest.example");
	assert_has(t, "mid:mailer.example");
	assert_has(t, "xm:supermailer");
	assert_has(t, "rcvd:relay.sender.example");
	assert_has(t, "rcvd:203.0.113.9");
	assert_has(t, "rcvd:mx.dest.example");
	assert_has(t, "ct:text/plain");
	assert_has(t, "ct:charset:utf-8");
	assert_has(t, "hdr:x-mailer");
	cr_assert_eq(find(&t, "subj:offer")->kind, WN_TOKEN_HEADER);
}

Test(tokenize, urls_and_flags_are_features)
{
	wn_tokens t = tokens_of("Subject: x\nContent-Type: text/html\n\n"
	    "<a href=\"http://www.shop.example.co.uk/p\">buy</a>"
	    "<span style=\"display:none\">hidden words</span>\n", 1);

	assert_has(t, "url:www.shop.example.co.uk");
	assert_has(t, "dom:example.co.uk");
	assert_has(t, "flag:MIME_HTML_ONLY");
	assert_has(t, "hid:hidden");
	assert_lacks(t, "hidden");
	cr_assert_eq(find(&t, "url:www.shop.example.co.uk")->kind,
	    WN_TOKEN_URL);
}

Test(tokenize, cjk_text_gives_character_pairs)
{
	wn_tokens t = tokens_of("Subject: x\nContent-Type: text/plain; "
	    "charset=utf-8\n\n\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\n", 1);

	assert_has(t, "\xe4\xbd\xa0\xe5\xa5\xbd");
	assert_has(t, "\xe5\xa5\xbd\xe4\xb8\x96");
}

Test(tokenize, hashes_do_not_depend_on_keep_text)
{
	static const char msg[] = "Subject: same hashes\n\nwith or without "
	    "readable text\n";
	wn_tokenize_opts o;
	wn_mime_msg *m;
	wn_tokens a, b;
	size_t i;

	wn_tokenize_opts_default(&o);
	cr_assert_eq(wn_mime_parse(arena, msg, sizeof(msg) - 1, NULL, &m), 0);
	cr_assert_eq(wn_tokenize(arena, m, &o, &a), 0);
	o.keep_text = true;
	cr_assert_eq(wn_tokenize(arena, m, &o, &b), 0);
	cr_assert_eq(a.n, b.n);
	for (i = 0; i < a.n; i++) {
		cr_assert_eq(a.v[i].hash, b.v[i].hash);
		cr_assert_null(a.v[i].text);
	}
}

Test(tokenize, seed_changes_every_hash)
{
	static const char msg[] = "Subject: seeded\n\nsome words here\n";
	wn_tokenize_opts o;
	wn_mime_msg *m;
	wn_tokens a, b;

	wn_tokenize_opts_default(&o);
	cr_assert_eq(wn_mime_parse(arena, msg, sizeof(msg) - 1, NULL, &m), 0);
	cr_assert_eq(wn_tokenize(arena, m, &o, &a), 0);
	o.seed ^= 1;
	cr_assert_eq(wn_tokenize(arena, m, &o, &b), 0);
	cr_assert_eq(a.n, b.n);
	for (size_t i = 0; i < a.n; i++)
		cr_assert_neq(a.v[i].hash, b.v[i].hash);
}

Test(tokenize, token_limit_is_enforced)
{
	wn_tokenize_opts o;
	wn_mime_msg *m;
	wn_tokens t;
	char body[20000];
	size_t n = 0;
	int i;

	n += (size_t)snprintf(body, sizeof(body), "Subject: x\n\n");
	for (i = 0; i < 2000; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "w%d ", i);
	wn_tokenize_opts_default(&o);
	o.max_tokens = 100;
	cr_assert_eq(wn_mime_parse(arena, body, n, NULL, &m), 0);
	cr_assert_eq(wn_tokenize(arena, m, &o, &t), 0);
	cr_assert_eq(t.n, 100);
	cr_assert(t.flags & WN_TOKENS_LIMIT);
}

Test(tokenize, letters_whose_lower_case_is_longer_do_not_overflow)
{
	/* U+023A is two bytes, its lower case U+2C65 three. */
	char msg[512];
	size_t n = 0, i;
	wn_tokens t;

	n += (size_t)snprintf(msg, sizeof(msg), "Subject: x\n\n");
	for (i = 0; i < 100; i++) {
		memcpy(msg + n, "\xc8\xba", 2);
		n += 2;
	}
	memcpy(msg + n, " \xc8\xba\xc8\xba\xc8\xba\n", 9);
	n += 9;
	msg[n] = '\0';
	t = tokens_of(msg, 1);
	assert_has(t, "skip:u 200");
	assert_has(t, "\xe2\xb1\xa5\xe2\xb1\xa5\xe2\xb1\xa5");
}
