/* addr.c: IP addresses and CIDRs checked before anything is sent. */
#include "osnet.h"

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

/* "10.0.0.0/24": the address, with no host bits set, and the prefix length. */
int cidr_parse(const char *s, int *family, unsigned char addr[16], int *prefix)
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
