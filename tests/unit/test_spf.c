/*
 * test_spf.c - SPF results through libspf2 with answers from a zone in
 * memory (the real DNS path is tests/integration/test_spf.sh), and the
 * Received-SPF and Authentication-Results texts.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <spf2/spf.h>
#include <spf2/spf_dns_zone.h>

#include <winnow/spf.h>

static wn_spf *spf;
static wn_arena *arena;

static void
setup(void)
{
	SPF_dns_server_t *z = SPF_dns_zone_new(NULL, "test", 0);

	cr_assert_not_null(z);
	SPF_dns_zone_add_str(z, "pass.example", ns_t_txt, NETDB_SUCCESS,
	    "v=spf1 ip4:192.0.2.0/24 -all");
	SPF_dns_zone_add_str(z, "fail.example", ns_t_txt, NETDB_SUCCESS,
	    "v=spf1 ip4:198.51.100.0/24 -all");
	SPF_dns_zone_add_str(z, "soft.example", ns_t_txt, NETDB_SUCCESS,
	    "v=spf1 ip4:198.51.100.0/24 ~all");
	SPF_dns_zone_add_str(z, "neutral.example", ns_t_txt, NETDB_SUCCESS,
	    "v=spf1 ?all");
	SPF_dns_zone_add_str(z, "broken.example", ns_t_txt, NETDB_SUCCESS,
	    "v=spf1 frobnicate:x -all");
	SPF_dns_zone_add_str(z, "helo.example", ns_t_txt, NETDB_SUCCESS,
	    "v=spf1 ip4:192.0.2.10 -all");
	SPF_dns_zone_add_str(z, "tempfail.example", ns_t_txt, TRY_AGAIN, NULL);
	cr_assert_eq(wn_spf_new("mx.test.example", z, &spf), 0);
	arena = wn_arena_new(0);
}

static void
teardown(void)
{
	wn_spf_free(&spf);
	wn_arena_free(&arena);
}

TestSuite(spf, .init = setup, .fini = teardown);

struct spf_case {
	char from[48];
	char helo[32];
	int want;
	bool helo_identity;
};

static struct spf_case cases[] = {
	{ "a@pass.example", "x.example", WN_SPF_PASS, false },
	{ "a@fail.example", "x.example", WN_SPF_FAIL, false },
	{ "a@soft.example", "x.example", WN_SPF_SOFTFAIL, false },
	{ "a@neutral.example", "x.example", WN_SPF_NEUTRAL, false },
	{ "a@nothing.example", "x.example", WN_SPF_NONE, false },
	{ "a@broken.example", "x.example", WN_SPF_PERMERROR, false },
	{ "a@tempfail.example", "x.example", WN_SPF_TEMPERROR, false },
	{ "", "helo.example", WN_SPF_PASS, true },
	{ "", "[192.0.2.10]", WN_SPF_NONE, true },
};

ParameterizedTestParameters(spf, results)
{
	return cr_make_param_array(struct spf_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct spf_case *c, spf, results)
{
	wn_ipaddr ip;
	wn_spf_check r;

	wn_ipaddr_parse("192.0.2.10", &ip);
	cr_assert_eq(wn_spf_run(spf, arena, &ip, c->helo, c->from, &r), 0);
	cr_assert_eq(r.result, (enum wn_spf_result)c->want,
	    "from '%s' helo '%s': got %s, want %s", c->from, c->helo,
	    wn_spf_result_name(r.result), wn_spf_result_name(c->want));
	cr_assert_eq(r.helo, c->helo_identity);
}

Test(spf, headers_follow_rfc7208_and_rfc8601)
{
	wn_ipaddr ip;
	wn_spf_check r;
	char *rs, *ar;

	wn_ipaddr_parse("192.0.2.10", &ip);
	cr_assert_eq(wn_spf_run(spf, arena, &ip, "x.example",
	    "a\"b@pass.example", &r), 0);
	rs = wn_spf_received(arena, &r, &ip, "x.example", "mx.test.example");
	cr_assert(strncmp(rs, "pass (mx.test.example: domain of ", 33) == 0,
	    "got %s", rs);
	cr_assert(strstr(rs, "envelope-from=\"a\\\"b@pass.example\";") != NULL,
	    "quoted: %s", rs);
	cr_assert(strstr(rs, "receiver=mx.test.example; identity=mailfrom;")
	    != NULL, "got %s", rs);
	ar = wn_spf_auth_results(arena, &r);
	cr_assert_str_eq(ar, "spf=pass smtp.mailfrom=\"a\\\"b@pass.example\"");
	cr_assert_str_eq(wn_spf_symbol(WN_SPF_SOFTFAIL, true),
	    "SPF_HELO_SOFTFAIL");
}
