/*
 * netaddr.h - IPv4 and IPv6 addresses and networks, for trusted networks.
 *
 * A wn_net is an address with a prefix length; wn_net_parse reads
 * "192.0.2.0/24", "2001:db8::/32" or a bare address (a host network).
 * IPv4-mapped IPv6 addresses (::ffff:192.0.2.1) match IPv4 networks, since
 * an MTA listening on an IPv6 socket reports IPv4 clients that way. Plain
 * values; no allocation; thread-safe.
 */
#ifndef WINNOW_NETADDR_H
#define WINNOW_NETADDR_H

#include <stdbool.h>
#include <stdint.h>

struct sockaddr;

typedef struct wn_ipaddr {
	uint8_t family;		/* 4 or 6; 0: none */
	uint8_t b[16];		/* IPv4 in b[0..4) */
} wn_ipaddr;

typedef struct wn_net {
	wn_ipaddr addr;		/* host bits cleared */
	uint8_t prefix;		/* 0..32 or 0..128 */
} wn_net;

/* wn_ipaddr_parse - a textual address; WN_EINVAL if it is not one */
int wn_ipaddr_parse(const char *s, wn_ipaddr *out);

/* wn_ipaddr_from_sockaddr - address of an AF_INET/AF_INET6 socket address;
 * WN_EINVAL for other families (unix sockets) */
int wn_ipaddr_from_sockaddr(const struct sockaddr *sa, wn_ipaddr *out);

/* wn_ipaddr_format - text into buf (at least 46 bytes); mapped IPv4
 * addresses are written as IPv4 */
const char *wn_ipaddr_format(const wn_ipaddr *a, char *buf, unsigned len);

/* wn_net_parse - "ADDR" or "ADDR/LEN"; WN_EINVAL on bad syntax */
int wn_net_parse(const char *s, wn_net *out);

/* wn_net_contains - whether a lies in n (IPv4-mapped IPv6 counts as IPv4) */
bool wn_net_contains(const wn_net *n, const wn_ipaddr *a);

#endif
