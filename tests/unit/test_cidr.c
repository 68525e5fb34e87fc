/* test_cidr.c: lib/cidr.c, the one parser of IP addresses and CIDR networks
 * (cloudctl-net's Neutron checks and libvirt networks). */
#include "check.h"
#include "cidr.h"

#include <string.h>

static void test_ip_parse(void)
{
	unsigned char a[16];
	int fam = 0;
	CHECK_INT(ip_parse("10.1.2.3", &fam, a), 0);
	CHECK_INT(fam, 4);
	CHECK(a[0] == 10 && a[1] == 1 && a[2] == 2 && a[3] == 3 && a[4] == 0);
	CHECK_INT(ip_parse("fd00::1", &fam, a), 0);
	CHECK_INT(fam, 6);
	CHECK(a[0] == 0xfd && a[15] == 1);
	CHECK_INT(ip_parse("10.1", &fam, a), -1);        /* no shorthand */
	CHECK_INT(ip_parse("10.1.2.256", &fam, a), -1);
	CHECK_INT(ip_parse("", &fam, a), -1);
	CHECK_INT(ip_parse(" 10.1.2.3", &fam, a), -1);
	uint32_t v = 0;
	CHECK_INT(ipv4_parse("192.168.150.1", &v), 0);
	CHECK_INT(v, 0xc0a89601u);
	CHECK_INT(ipv4_parse("::1", &v), -1);            /* IPv4 only */
}

static void test_cidr(void)
{
	unsigned char a[16];
	int fam = 0, prefix = -1;
	CHECK_INT(cidr_parse("10.20.0.0/24", &fam, a, &prefix), 0);
	CHECK_INT(fam, 4);
	CHECK_INT(prefix, 24);
	CHECK_INT(cidr_parse("0.0.0.0/0", &fam, a, &prefix), 0);
	CHECK_INT(prefix, 0);
	CHECK_INT(cidr_parse("fd00:1::/64", &fam, a, &prefix), 0);
	CHECK_INT(fam, 6);
	CHECK_INT(prefix, 64);
	CHECK_INT(cidr_parse("10.20.0.1/24", &fam, a, &prefix), -1); /* a host bit */
	CHECK_INT(cidr_parse("fd00::1/64", &fam, a, &prefix), -1);
	CHECK_INT(cidr_parse("10.20.0.0/33", &fam, a, &prefix), -1);
	CHECK_INT(cidr_parse("fd00::/129", &fam, a, &prefix), -1);
	CHECK_INT(cidr_parse("10.20.0.0", &fam, a, &prefix), -1);
	CHECK_INT(cidr_parse("10.20.0.0/", &fam, a, &prefix), -1);
	CHECK_INT(cidr_parse("10.20.0.0/2x", &fam, a, &prefix), -1);
	CHECK_INT(cidr_parse("/24", &fam, a, &prefix), -1);
	/* cidr_split leaves the host bits to the caller (libvirt's "did you mean") */
	CHECK_INT(cidr_split("10.20.0.1/24", &fam, a, &prefix), 0);
	CHECK_INT(ipv4_of(a), 0x0a140001u);
	CHECK_INT(prefix, 24);
}

static void test_in_cidr(void)
{
	unsigned char net[16], ip[16];
	int fam, prefix;
	CHECK_INT(cidr_parse("10.20.0.0/22", &fam, net, &prefix), 0);
	CHECK_INT(ip_parse("10.20.3.255", &fam, ip), 0);
	CHECK(ip_in_cidr(ip, net, prefix));
	CHECK_INT(ip_parse("10.20.4.0", &fam, ip), 0);
	CHECK(!ip_in_cidr(ip, net, prefix));
	CHECK_INT(cidr_parse("fd00:1::/64", &fam, net, &prefix), 0);
	CHECK_INT(ip_parse("fd00:1::ffff", &fam, ip), 0);
	CHECK(ip_in_cidr(ip, net, prefix));
	CHECK_INT(ip_parse("fd00:2::1", &fam, ip), 0);
	CHECK(!ip_in_cidr(ip, net, prefix));
}

int main(void)
{
	RUN(test_ip_parse);
	RUN(test_cidr);
	RUN(test_in_cidr);
	return CHECK_DONE("cidr");
}
