/* cidr.h: IP addresses and CIDR networks, parsed strictly (inet_pton: no
 * shorthand such as "10.1"), for every tool that checks an address or a
 * network before it sends anything (cloudctl-net's Neutron and libvirt
 * networks). Addresses are 16 bytes in network order; IPv4 uses the first 4. */
#ifndef CLOUDCTL_CIDR_H
#define CLOUDCTL_CIDR_H

#include <stdint.h>

/* An IPv4 or IPv6 address: *family 4 or 6. 0, or -1 when s is neither. */
int ip_parse(const char *s, int *family, unsigned char addr[16]);
/* The IPv4 address in the first 4 bytes of addr, in host byte order. */
uint32_t ipv4_of(const unsigned char addr[16]);
/* A dotted quad only, into host byte order. 0 or -1. */
int ipv4_parse(const char *s, uint32_t *out);
/* "ADDRESS/PREFIX" with a prefix the family allows (0-32, 0-128); host bits
 * may be set (the caller says what it makes of them). 0 or -1. */
int cidr_split(const char *s, int *family, unsigned char addr[16], int *prefix);
/* The same, and the address is the network's: no host bit set. 0 or -1. */
int cidr_parse(const char *s, int *family, unsigned char addr[16], int *prefix);
/* Whether ip is inside net/prefix (same family assumed). */
int ip_in_cidr(const unsigned char ip[16], const unsigned char net[16], int prefix);

#endif
