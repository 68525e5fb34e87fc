/* router.c: routers, their interfaces (PUT .../add_router_interface) and their
 * gateways (external_gateway_info). */
#include "osnet.h"

#include <stdlib.h>
#include <string.h>

/* router's options (net.h). */
static const struct net_router_opts *const asked = &net_opts.router;

static json_t *router_body(struct osn *x, int *rc)
{
	json_t *b = json_object(), *ext = NULL;
	*rc = 0;
	if (!asked->external_net || !strcmp(asked->external_net, "none"))
		return b;
	if ((*rc = osn_external_net(x, asked->external_net, &ext))) {
		osn_fail(x, asked->external_net, *rc);
		json_decref(b);
		return NULL;
	}
	json_object_set_new(b, "external_gateway_info", json_pack("{s:s}", "network_id", os_jstr(ext, "id")));
	json_decref(ext);
	return b;
}

/* PUT /routers/ID/add_router_interface or remove_router_interface {subnet_id}. */
int router_interface(struct osn *x, const char *router_id, const char *subnet_id, int add, json_t **out)
{
	char *path = xasprintf("%s/%s/%s_router_interface", K_ROUTER.path, router_id, add ? "add" : "remove");
	info("%s %s: %s the interface of router %s on subnet %s", x->verb, x->action, add ? "adding" : "removing",
	     router_id, subnet_id);
	json_t *b = json_pack("{s:s}", "subnet_id", subnet_id);
	int rc = os_call(&x->c.s, "PUT", "network", path, b, out, &x->err);
	json_decref(b);
	free(path);
	return rc;
}

static int interface_action(struct osn *x, const char *ref, int add)
{
	json_t *router = NULL, *subnet = NULL, *out = NULL;
	int rc = osn_find(x, &K_ROUTER, ref, &router);
	if (rc)
		return osn_fail(x, ref, rc);
	if ((rc = osn_find(x, &K_SUBNET, asked->subnet, &subnet)))
		osn_fail(x, asked->subnet, rc);
	else if ((rc = router_interface(x, os_jstr(router, "id"), os_jstr(subnet, "id"), add, &out)))
		osn_fail(x, ref, rc);
	else {
		struct record r = RECORD_INIT;
		osn_record(x, &r, &K_ROUTER, router);
		osn_set_ref(x, &r, &K_SUBNET, "subnet", os_jstr(subnet, "id"));
		rec_set(&r, "port_id", os_jstr(out, "port_id"));
		rec_set(&r, "interface", add ? "added" : "removed");
		rec_write(x->w, &r);
		rec_clear(&r);
	}
	json_decref(out);
	json_decref(subnet);
	json_decref(router);
	return rc;
}

static int gateway_action(struct osn *x, const char *ref)
{
	json_t *router = NULL, *body = NULL, *updated = NULL;
	int rc = osn_find(x, &K_ROUTER, ref, &router);
	if (rc)
		return osn_fail(x, ref, rc);
	if ((body = router_body(x, &rc))) {
		if (!json_object_get(body, "external_gateway_info"))
			json_object_set_new(body, "external_gateway_info", json_object());
		if ((rc = osn_put(x, &K_ROUTER, os_jstr(router, "id"), body, &updated)))
			osn_fail(x, ref, rc);
		else
			osn_emit(x, &K_ROUTER, updated, NULL, NULL);
	}
	json_decref(updated);
	json_decref(router);
	return rc;
}

int cmd_router(int argc, char **argv)
{
	static const char *const actions[] = { "list", "show", "create", "delete", "add-interface",
					       "remove-interface", "set-gateway", NULL };
	struct osn x = { .err = STRBUF_INIT };
	int rc = osn_begin(&x, "router", argc, argv, actions);
	if (rc)
		return rc;
	const char *a = x.action;
	int iface = str_ends(a, "-interface"), gw = !strcmp(a, "set-gateway");
	if (!iface && !gw)
		return osn_simple(&x, &K_ROUTER, argc - 1, argv + 1, NULL, NULL, router_body);
	if ((rc = osn_operands(&x, argc - 1, 1, "ROUTER")))
		return rc;
	if (iface && !asked->subnet)
		return osn_usage(&x, "--subnet is needed");
	if (gw && !asked->external_net)
		return osn_usage(&x, "--external NET (or none) is needed");
	if ((rc = osn_open(&x, K_ROUTER.cols)))
		return rc;
	rc = iface ? interface_action(&x, argv[1], !strcmp(a, "add-interface")) : gateway_action(&x, argv[1]);
	return osn_close(&x, rc);
}
