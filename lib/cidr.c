/* cidr.c: see cidr.h. */
#include "cidr.h"
#include "util.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

int ip_parse(const char *s, int *family, unsigned char addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = 6;
		return 0;
	}
	return -1;
}

uint32_t ipv4_of(const unsigned char addr[16])
{
	return (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 | (uint32_t)addr[2] << 8 | addr[3];
}

int ipv4_parse(const char *s, uint32_t *out)
{
	unsigned char a[16];
	int family;
	if (ip_parse(s, &family, a) < 0 || family != 4)
		return -1;
	*out = ipv4_of(a);
	return 0;
}

int cidr_split(const char *s, int *family, unsigned char addr[16], int *prefix)
{
	const char *slash = strchr(s, '/');
	long long len;
	if (!slash)
		return -1;
	char *ip = xstrndup(s, (size_t)(slash - s));
	int rc = ip_parse(ip, family, addr);
	free(ip);
	if (rc || parse_ll(slash + 1, 0, *family == 4 ? 32 : 128, &len))
		return -1;
	*prefix = (int)len;
	return 0;
}

int cidr_parse(const char *s, int *family, unsigned char addr[16], int *prefix)
{
	if (cidr_split(s, family, addr, prefix) < 0)
		return -1;
	int bytes = *family == 4 ? 4 : 16;
	for (int bit = *prefix; bit < bytes * 8; bit++)
		if (addr[bit / 8] & (0x80 >> (bit % 8)))
			return -1;
	return 0;
}

int ip_in_cidr(const unsigned char ip[16], const unsigned char net[16], int prefix)
{
	for (int bit = 0; bit < prefix; bit++) {
		unsigned char m = (unsigned char)(0x80 >> (bit % 8));
		if ((ip[bit / 8] & m) != (net[bit / 8] & m))
			return 0;
	}
	return 1;
}
