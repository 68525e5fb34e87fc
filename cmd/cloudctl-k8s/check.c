/* check.c: the values that go into documents for other programs (manifests for
 * the API server, inventories for Kubespray and Ansible) are checked here, by the
 * rules of the program that reads them, before anything is written. */
#include "k8s.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* RFC 1123 label: what a namespace name must be. */
int k8s_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && !(c == '-' && i > 0 && i + 1 < n))
			return 0;
	}
	return 1;
}

/* RFC 1123 DNS subdomain: labels joined by '.', at most max characters. */
int k8s_subdomain_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return 0;
	char *copy = xstrdup(s), *save = NULL;
	size_t labels = 0, dots = 0;
	int ok = 1;
	for (const char *p = s; *p; p++)
		dots += *p == '.';
	for (char *l = strtok_r(copy, ".", &save); l && ok; l = strtok_r(NULL, ".", &save), labels++)
		ok = k8s_name_ok(l);
	free(copy);
	return ok && labels == dots + 1; /* no empty label: "a..b", ".a", "a." */
}

/* A value as an error message shows it: control characters escaped, so that a
 * value cannot end the line or forge another one. */
const char *k8s_show(struct strbuf *sb, const char *s)
{
	sb_reset(sb);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n')
			sb_adds(sb, "\\n");
		else if (*p == '\t')
			sb_adds(sb, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			sb_addf(sb, "\\x%02x", *p);
		else
			sb_addc(sb, (char)*p);
	}
	return sb->buf;
}

/* A Kubernetes quantity (resource.Quantity): a non-negative decimal number with an
 * optional suffix: binary Ki Mi Gi Ti Pi Ei, decimal n u m k M G T P E, or an
 * exponent e3 / E-2. "16GB" and "-1" are not quantities. Its value goes to *value
 * when value is not NULL. */
static const struct {
	const char *suffix;
	long double factor;
} suffixes[] = {
	{ "", 1 }, { "Ki", 1024.0L }, { "Mi", 1048576.0L }, { "Gi", 1073741824.0L }, { "Ti", 1099511627776.0L },
	{ "Pi", 1125899906842624.0L }, { "Ei", 1152921504606846976.0L }, { "n", 1e-9L }, { "u", 1e-6L },
	{ "m", 1e-3L }, { "k", 1e3L }, { "M", 1e6L }, { "G", 1e9L }, { "T", 1e12L }, { "P", 1e15L }, { "E", 1e18L },
};

static int quantity(const char *s, long double *value)
{
	const char *p = s;
	int digits = 0, dot = 0;
	if (*p == '+')
		p++;
	const char *num = p;
	for (; (*p >= '0' && *p <= '9') || *p == '.'; p++) {
		if (*p == '.' && dot++)
			return 0;
		digits += *p != '.';
	}
	if (!digits)
		return 0;
	long double v = strtold(num, NULL);
	if (*p == 'e' || *p == 'E') {
		const char *q = p + 1;
		if (*q == '+' || *q == '-')
			q++;
		if (*q >= '0' && *q <= '9') {
			while (*q >= '0' && *q <= '9')
				q++;
			if (*q != '\0')
				return 0;
			if (value)
				*value = v * powl(10.0L, strtold(p + 1, NULL));
			return 1;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		if (strcmp(p, suffixes[i].suffix) == 0) {
			if (value)
				*value = v * suffixes[i].factor;
			return 1;
		}
	}
	return 0;
}

int k8s_quantity_ok(const char *s)
{
	return quantity(s, NULL);
}

/* a > b, for two valid quantities ("1" and "1000m" are equal). */
int k8s_quantity_more(const char *a, const char *b)
{
	long double x = 0, y = 0;
	quantity(a, &x);
	quantity(b, &y);
	return x > y * (1 + 1e-12L);
}

/* An address a node can be reached at, in the form Ansible's facts give it
 * (inet_ntop's: Kubespray compares ip with ansible_all_ipv*_addresses as text).
 * 0 and out set, or -1 and *why set. */
int k8s_node_address(const char *s, char out[INET6_ADDRSTRLEN], const char **why)
{
	unsigned char a[16];
	if (inet_pton(AF_INET, s, a) == 1) {
		inet_ntop(AF_INET, a, out, INET6_ADDRSTRLEN);
		*why = a[0] == 0 ? "an unspecified address"
		       : a[0] == 127 ? "a loopback address"
		       : a[0] >= 224 ? "a multicast or reserved address"
		       : a[0] == 169 && a[1] == 254 ? "a link-local address"
		       : NULL;
	} else if (inet_pton(AF_INET6, s, a) == 1) {
		static const unsigned char zero[16], v4mapped[12] = { [10] = 0xff, [11] = 0xff };
		inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN);
		int loopback = !memcmp(a, zero, 15) && a[15] == 1;
		*why = !memcmp(a, zero, 16) ? "an unspecified address"
		       : loopback ? "a loopback address"
		       : a[0] == 0xff ? "a multicast address"
		       : a[0] == 0xfe && (a[1] & 0xc0) == 0x80 ? "a link-local address"
		       : !memcmp(a, v4mapped, 12) ? "an IPv4-mapped address (give the IPv4 address)"
		       : NULL;
	} else {
		*why = "not an IP address";
	}
	return *why ? -1 : 0;
}

/* The name part of a label key, and a label value: [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?,
 * at most 63 (a value may also be empty). */
static int label_word_ok(const char *s, size_t len)
{
	if (len > 63)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && ((c != '-' && c != '_' && c != '.') || i == 0 || i + 1 == len))
			return 0;
	}
	return 1;
}

/* A label as the API server's validation takes it (IsQualifiedName for the key,
 * IsValidLabelValue for the value); NULL, or what is wrong. */
const char *k8s_label_problem(const char *key, const char *value)
{
	const char *slash = strchr(key, '/'), *name = slash ? slash + 1 : key;
	if (slash) {
		char *prefix = xstrndup(key, (size_t)(slash - key));
		int ok = k8s_subdomain_ok(prefix, 253);
		free(prefix);
		if (!ok)
			return "its key's prefix is not a DNS subdomain";
	}
	if (!*name || !label_word_ok(name, strlen(name)))
		return "its key's name is not 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter "
		       "or digit";
	if (!label_word_ok(value, strlen(value)))
		return "its value is not at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter "
		       "or digit";
	return NULL;
}
