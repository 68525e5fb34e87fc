/* fip.c: floating IPs: list, show, create, associate (to a server's port or a
 * port), disassociate, delete. A floating IP is named by its ID or address. */
#include "osnet.h"

#include <stdlib.h>
#include <string.h>

/* fip's options (net.h). */
static const struct net_fip_opts *const asked = &net_opts.fip;

static int fip_create(struct osn *x)
{
	json_t *ext = NULL, *o = NULL;
	int rc = osn_external_net(x, asked->external_net, &ext);
	if (rc)
		return osn_fail(x, asked->external_net, rc);
	json_t *b = json_pack("{s:s}", "floating_network_id", os_jstr(ext, "id"));
	if (net_opts.create.description)
		json_object_set_new(b, "description", json_string(net_opts.create.description));
	if ((rc = osn_post(x, &K_FIP, b, &o)))
		osn_fail(x, os_jstr(ext, "name"), rc);
	else
		osn_emit(x, &K_FIP, o, "created", "true");
	json_decref(o);
	json_decref(ext);
	return rc;
}

/* The one port of a server (Nova's ID, from its name): GET /ports?device_id=. */
static int server_port(struct osn *x, const char *ref, char **port_id)
{
	json_t *server = NULL, *ports = NULL;
	int rc = os_find(&x->c.s, "compute", "/servers", "server", "servers", "server", ref, &server, &x->err);
	if (rc)
		return rc;
	const char *owner = os_jstr(server, "tenant_id");
	if (x->project && !net_opts.target.all_projects && owner && strcmp(owner, x->project)) {
		rc = sb_fail(&x->err, EXIT_NOTFOUND, "the server is project %s's, not %s's", owner, x->project);
		json_decref(server);
		return rc;
	}
	char *q = xasprintf("?device_id=%s", os_jstr(server, "id"));
	rc = osn_get_list(x, &K_PORT, q, &ports);
	free(q);
	size_t n = ports ? json_array_size(ports) : 0;
	if (!rc && n == 0)
		rc = sb_fail(&x->err, EXIT_NOTFOUND, "the server has no port");
	else if (!rc && n > 1)
		rc = sb_fail(&x->err, EXIT_DATA, "the server has %zu ports: give --port", n);
	else if (!rc)
		*port_id = xstrdup(os_jstr(json_array_get(ports, 0), "id"));
	json_decref(ports);
	json_decref(server);
	return rc;
}

static int fip_set_port(struct osn *x, const json_t *fip, const char *port_id)
{
	json_t *b = json_pack("{s:o}", "port_id", port_id ? json_string(port_id) : json_null()), *o = NULL;
	int rc = osn_put(x, &K_FIP, os_jstr(fip, "id"), b, &o);
	if (rc)
		osn_fail(x, os_jstr(fip, "floating_ip_address"), rc);
	else
		osn_emit(x, &K_FIP, o, NULL, NULL);
	json_decref(o);
	return rc;
}

static int fip_associate(struct osn *x, const char *ref)
{
	json_t *fip = NULL, *port = NULL;
	char *port_id = NULL;
	int rc = osn_find(x, &K_FIP, ref, &fip);
	if (rc)
		return osn_fail(x, ref, rc);
	if (asked->port) {
		if ((rc = osn_find(x, &K_PORT, asked->port, &port)))
			osn_fail(x, asked->port, rc);
		else
			port_id = xstrdup(os_jstr(port, "id"));
	} else if ((rc = server_port(x, asked->server, &port_id)))
		osn_fail(x, asked->server, rc);
	if (!rc)
		rc = fip_set_port(x, fip, port_id);
	free(port_id);
	json_decref(port);
	json_decref(fip);
	return rc;
}

static int fip_disassociate(struct osn *x, int argc, char **argv)
{
	json_t *objs = NULL, *o;
	int rc = osn_targets(x, &K_FIP, argc, argv, OSN_OWN, &objs);
	size_t i;
	json_array_foreach(objs, i, o) {
		int r = fip_set_port(x, o, NULL);
		rc = r ? r : rc;
	}
	json_decref(objs);
	return rc;
}

int cmd_fip(int argc, char **argv)
{
	static const char *const actions[] = { "list", "show", "create", "associate", "disassociate", "delete",
					       NULL };
	struct osn x = { .err = STRBUF_INIT };
	int rc = osn_begin(&x, "fip", argc, argv, actions);
	if (rc)
		return rc;
	const char *a = x.action;
	argc--, argv++;
	if ((!strcmp(a, "list") || !strcmp(a, "create")) && (rc = osn_operands(&x, argc, 0, NULL)))
		return rc;
	if (!strcmp(a, "associate")) {
		if ((rc = osn_operands(&x, argc, 1, "FIP")))
			return rc;
		if (!asked->server == !asked->port)
			return osn_usage(&x, "--server or --port is needed (one of them)");
	}
	if ((rc = osn_open(&x, K_FIP.cols)))
		return rc;
	if (!strcmp(a, "list"))
		rc = osn_list_action(&x, &K_FIP, NULL);
	else if (!strcmp(a, "show"))
		rc = osn_show_action(&x, &K_FIP, argc, argv);
	else if (!strcmp(a, "create"))
		rc = fip_create(&x);
	else if (!strcmp(a, "associate"))
		rc = fip_associate(&x, argv[0]);
	else if (!strcmp(a, "disassociate"))
		rc = fip_disassociate(&x, argc, argv);
	else
		rc = osn_delete_action(&x, &K_FIP, argc, argv);
	return osn_close(&x, rc);
}
