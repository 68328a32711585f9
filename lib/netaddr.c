/*
 * netaddr.c - parsing and matching IP addresses and networks.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <winnow/err.h>
#include <winnow/netaddr.h>

static const uint8_t wn_mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* An IPv4-mapped IPv6 address becomes the IPv4 address it carries. */
static void
wn_ipaddr_unmap(wn_ipaddr *a)
{
	if (a->family == 6 && memcmp(a->b, wn_mapped_prefix, 12) == 0) {
		memmove(a->b, a->b + 12, 4);
		memset(a->b + 4, 0, 12);
		a->family = 4;
	}
}

int
wn_ipaddr_parse(const char *s, wn_ipaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->b) == 1) {
		out->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->b) == 1) {
		out->family = 6;
		wn_ipaddr_unmap(out);
		return 0;
	}
	return WN_EINVAL;
}

int
wn_ipaddr_from_sockaddr(const struct sockaddr *sa, wn_ipaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa == NULL)
		return WN_EINVAL;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		memcpy(out->b, &in->sin_addr, 4);
		out->family = 4;
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		memcpy(out->b, &in6->sin6_addr, 16);
		out->family = 6;
		wn_ipaddr_unmap(out);
		return 0;
	}
	return WN_EINVAL;
}

const char *
wn_ipaddr_format(const wn_ipaddr *a, char *buf, unsigned len)
{
	int af = a->family == 4 ? AF_INET : AF_INET6;

	if (a->family == 0 || inet_ntop(af, a->b, buf, len) == NULL) {
		if (len > 0)
			buf[0] = '\0';
	}
	return buf;
}

int
wn_net_parse(const char *s, wn_net *out)
{
	char text[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max, i;
	long plen;
	char *end;

	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= sizeof(text))
		return WN_EINVAL;
	memcpy(text, s, alen);
	text[alen] = '\0';
	if (wn_ipaddr_parse(text, &out->addr) != 0)
		return WN_EINVAL;
	/* The prefix counts bits of the address as written. */
	max = strchr(text, ':') != NULL ? 128 : 32;
	plen = max;
	if (slash != NULL) {
		if (slash[1] < '0' || slash[1] > '9')
			return WN_EINVAL;
		plen = strtol(slash + 1, &end, 10);
		if (*end != '\0' || plen < 0 || plen > (long)max)
			return WN_EINVAL;
		/* ::ffff:192.0.2.0/120 was unmapped: keep the IPv4 part;
		 * a prefix shorter than the mapping covers all of IPv4. */
		if (max == 128 && out->addr.family == 4)
			plen = plen >= 96 ? plen - 96 : 0;
	} else if (out->addr.family == 4) {
		plen = 32;
	}
	out->prefix = (uint8_t)plen;
	for (i = 0; i < 16; i++) {
		unsigned bit = i * 8;

		if (bit >= (unsigned)plen)
			out->addr.b[i] = 0;
		else if (bit + 8 > (unsigned)plen)
			out->addr.b[i] &= (uint8_t)(0xff << (8 - (plen - bit)));
	}
	return 0;
}

bool
wn_net_contains(const wn_net *n, const wn_ipaddr *a)
{
	unsigned full = n->prefix / 8, rest = n->prefix % 8;

	if (n->addr.family != a->family)
		return false;
	if (memcmp(n->addr.b, a->b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((n->addr.b[full] ^ a->b[full]) & (0xff << (8 - rest))) == 0;
}
