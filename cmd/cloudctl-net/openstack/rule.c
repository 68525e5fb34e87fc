/* rule.c: security group rules: list, create, delete. */
#include "osnet.h"

#include <stdlib.h>
#include <string.h>

/* rule's options (net.h). */
static const struct net_rule_opts *const asked = &net_opts.rule;

int rule_check(struct osn *x, const char *direction, const char *protocol, const char *ports, const char *remote)
{
	static const char *const dirs[] = { "ingress", "egress", NULL };
	static const char *const protos[] = { "tcp", "udp", "icmp", "any", NULL };
	if (direction && !osn_action_is(direction, dirs))
		return osn_usage(x, "--direction %s: ingress or egress", direction);
	if (protocol && !osn_action_is(protocol, protos))
		return osn_usage(x, "--protocol %s: tcp, udp, icmp or any", protocol);
	if (ports) {
		if (!protocol || (strcmp(protocol, "tcp") && strcmp(protocol, "udp")))
			return osn_usage(x, "--port: only with --protocol tcp or udp");
		long long lo, hi;
		const char *dash = strchr(ports, '-');
		char *first = xstrndup(ports, dash ? (size_t)(dash - ports) : strlen(ports));
		int bad = parse_ll(first, 1, 65535, &lo) || (dash && parse_ll(dash + 1, 1, 65535, &hi)) ||
			  (dash && hi < lo);
		free(first);
		if (bad)
			return osn_usage(x, "--port %s: not N or N-M, ports from 1 to 65535", ports);
	}
	int fam, prefix;
	unsigned char a[16];
	if (remote && cidr_parse(remote, &fam, a, &prefix))
		return osn_usage(x, "--remote %s: not a network address with a prefix length (e.g. 0.0.0.0/0)", remote);
	return 0;
}

json_t *rule_body(const char *sg_id, const char *direction, const char *protocol, const char *ports,
		  const char *remote)
{
	json_t *b = json_object();
	json_object_set_new(b, "security_group_id", json_string(sg_id));
	json_object_set_new(b, "direction", json_string(direction ? direction : "ingress"));
	int fam = 4, prefix;
	unsigned char a[16];
	if (remote && !cidr_parse(remote, &fam, a, &prefix))
		json_object_set_new(b, "remote_ip_prefix", json_string(remote));
	json_object_set_new(b, "ethertype", json_string(fam == 6 ? "IPv6" : "IPv4"));
	if (protocol && strcmp(protocol, "any"))
		json_object_set_new(b, "protocol", json_string(protocol));
	if (ports) {
		const char *dash = strchr(ports, '-');
		json_object_set_new(b, "port_range_min", json_integer(atoll(ports)));
		json_object_set_new(b, "port_range_max", json_integer(atoll(dash ? dash + 1 : ports)));
	}
	return b;
}

static int rule_create(struct osn *x)
{
	json_t *sg = NULL, *o = NULL;
	int rc = osn_find(x, &K_SECGROUP, asked->security_group, &sg);
	if (rc)
		return osn_fail(x, asked->security_group, rc);
	json_t *b = rule_body(os_jstr(sg, "id"), asked->direction, asked->protocol, asked->ports, asked->remote);
	if ((rc = osn_post(x, &K_RULE, b, &o)))
		osn_fail(x, asked->security_group, rc);
	else
		osn_emit(x, &K_RULE, o, "created", "true");
	json_decref(o);
	json_decref(sg);
	return rc;
}

static int rule_list(struct osn *x)
{
	if (!asked->security_group)
		return osn_list_action(x, &K_RULE, NULL);
	json_t *sg = NULL;
	int rc = osn_find(x, &K_SECGROUP, asked->security_group, &sg);
	if (rc)
		return osn_fail(x, asked->security_group, rc);
	char *q = xasprintf("?security_group_id=%s", os_jstr(sg, "id"));
	rc = osn_list_action(x, &K_RULE, q);
	free(q);
	json_decref(sg);
	return rc;
}

int cmd_rule(int argc, char **argv)
{
	static const char *const actions[] = { "list", "create", "delete", "show", NULL };
	struct osn x = { .err = STRBUF_INIT };
	int rc = osn_begin(&x, "rule", argc, argv, actions);
	if (rc)
		return rc;
	const char *a = x.action;
	argc--, argv++;
	if (!strcmp(a, "create")) {
		if ((rc = osn_operands(&x, argc, 0, NULL)))
			return rc;
		if (!asked->security_group)
			return osn_usage(&x, "--security-group is needed");
		if ((rc = rule_check(&x, asked->direction, asked->protocol, asked->ports, asked->remote)))
			return rc;
	}
	if (!strcmp(a, "list") && (rc = osn_operands(&x, argc, 0, NULL)))
		return rc;
	if ((rc = osn_open(&x, K_RULE.cols)))
		return rc;
	if (!strcmp(a, "create"))
		rc = rule_create(&x);
	else if (!strcmp(a, "list"))
		rc = rule_list(&x);
	else if (!strcmp(a, "show"))
		rc = osn_show_action(&x, &K_RULE, argc, argv);
	else
		rc = osn_delete_action(&x, &K_RULE, argc, argv);
	return osn_close(&x, rc);
}
