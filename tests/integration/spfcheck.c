/*
 * spfcheck: print the libspf2 verdict for one SMTP client.
 *
 *   spfcheck IP MAIL-FROM [HELO]
 *
 * Prints SPF_strresult() of the MAIL FROM check on stdout ("pass", "fail",
 * "softfail", "neutral", "none", "permerror", "temperror", or "(invalid)"
 * when libspf2 gives no verdict at all).  An empty MAIL-FROM is the null
 * sender: the HELO name is checked instead (RFC 7208 section 2.4).  Any
 * messages libspf2 attached to the response go to stderr.
 *
 * It uses libspf2's normal resolver (res_ninit/res_nquery, so
 * /etc/resolv.conf and RES_OPTIONS apply), exactly as a milter would.
 * Exit status: 0 when a check was made, 2 on bad usage or setup failure.
 */
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <spf2/spf.h>

int
main(int argc, char **argv)
{
	SPF_server_t *server;
	SPF_request_t *req;
	SPF_response_t *resp = NULL;
	const char *ip, *from, *helo;
	int i;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: spfcheck IP MAIL-FROM [HELO]\n");
		return 2;
	}
	ip = argv[1];
	from = argv[2];
	helo = argc > 3 ? argv[3] : NULL;
	if (*from == '\0' && (helo == NULL || *helo == '\0')) {
		fprintf(stderr, "spfcheck: an empty MAIL-FROM needs a HELO\n");
		return 2;
	}

	server = SPF_server_new(SPF_DNS_CACHE, 0);
	if (server == NULL) {
		fprintf(stderr, "spfcheck: SPF_server_new failed\n");
		return 2;
	}
	req = SPF_request_new(server);
	if (req == NULL || SPF_request_set_ipv4_str(req, ip) != SPF_E_SUCCESS) {
		fprintf(stderr, "spfcheck: bad IPv4 address '%s'\n", ip);
		return 2;
	}
	/* HELO first: with an empty MAIL FROM libspf2 then checks
	 * postmaster@HELO, which is the HELO identity check. */
	if (helo != NULL && *helo != '\0')
		SPF_request_set_helo_dom(req, helo);
	if (SPF_request_set_env_from(req, from) != 0) {
		fprintf(stderr, "spfcheck: bad MAIL FROM '%s'\n", from);
		return 2;
	}

	SPF_request_query_mailfrom(req, &resp);
	if (resp == NULL) {
		fprintf(stderr, "spfcheck: no response from libspf2\n");
		return 2;
	}
	printf("%s\n", SPF_strresult(SPF_response_result(resp)));
	for (i = 0; i < SPF_response_messages(resp); i++)
		fprintf(stderr, "spfcheck: %s: %s\n",
		    SPF_error_errorp(SPF_response_message(resp, i)) ?
		    "error" : "warning",
		    SPF_error_message(SPF_response_message(resp, i)));

	SPF_response_free(resp);
	SPF_request_free(req);
	SPF_server_free(server);
	return 0;
}
