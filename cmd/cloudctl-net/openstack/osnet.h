/* osnet.h: what the files of the OpenStack (Neutron) driver of cloudctl-net
 * share. API reference: https://docs.openstack.org/api-ref/network/v2/ */
#ifndef CLOUDCTL_NET_OSNET_H
#define CLOUDCTL_NET_OSNET_H

#include <jansson.h>

#include "../net.h"
#include "cidr.h"
#include "openstack/api.h"

struct osn;

/* One Neutron resource type and its record. */
struct kind {
	const char *kind;   /* the record's kind: "net" */
	const char *what;   /* in messages: "network" */
	const char *path;   /* the collection: "/v2.0/networks" */
	const char *key1, *keyn; /* "network", "networks" */
	int named;          /* found by name (rules by ID only; floating IPs also by address) */
	int has_status;     /* Neutron gives it a status (else its state is "active") */
	const struct kind *refs; /* the kind its records name by net=, secgroup= (NULL: none) */
	void (*fill)(struct osn *x, struct record *r, const json_t *o);
	const char *cols;   /* the table's default columns */
};
extern const struct kind K_NET, K_SUBNET, K_ROUTER, K_SECGROUP, K_RULE, K_FIP, K_PORT;

/* One run of a verb: the client, the output, the words of error messages. */
struct osn {
	struct os_client c;
	const char *verb, *action;
	struct strbuf err;
	struct rec_writer *w;
	int opened;
	const char *project; /* the token's project ID (a copy): names resolve there (NULL: no project) */
	json_t *names;       /* ID -> name of networks, subnets, groups named in records */
	json_t *inputs;      /* ID -> the index of the record on stdin that named it */
};

/* Where a name or an ID is looked for. OSN_OWN: the objects of the command's
 * project (what it acts on: delete, create, tenant, an interface, a rule's
 * group). OSN_USE: those, and the shared and external networks of other
 * projects, which the project can use (list, show, --network, --external).
 * --all-projects: every object the credentials see, either way. */
enum osn_scope { OSN_OWN, OSN_USE };

/* "cloudctl-net: VERB ACTION: NAME: why" from x->err (the API's message, without
 * the request line); returns rc. name may be NULL. */
int osn_fail(struct osn *x, const char *name, int rc);
/* A usage error: "cloudctl-net: VERB ACTION: ..." and 64. */
int osn_usage(struct osn *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int osn_open(struct osn *x, const char *default_cols);
int osn_close(struct osn *x, int rc);

/* cloud= of the records: the cloud's name, or "env" (OS_* variables). */
const char *osn_cloud(const struct osn *x);
/* The object's record: kind id name state driver cloud project, the kind's
 * fields, then Neutron's own status word. */
void osn_record(struct osn *x, struct record *r, const struct kind *k, const json_t *o);
/* The name of the network, subnet or security group with this ID (NULL when
 * it has none or cannot be seen); each ID is asked for once a run. */
const char *osn_name_of(struct osn *x, const struct kind *k, const char *id);
/* Set key to the name of the object with the ID id and key_id to the ID. */
void osn_set_ref(struct osn *x, struct record *r, const struct kind *k, const char *key, const char *id);
void osn_emit(struct osn *x, const struct kind *k, const json_t *o, const char *key, const char *val);

/* GET path (relative to /v2.0, e.g. "/ports?device_id=X") -> every item. */
int osn_get_list(struct osn *x, const struct kind *k, const char *query, json_t **items);
/* A name, an ID (or for floating IPs an address) to the object, in scope: 66
 * when none (or one of another project), 65 when several share the name
 * ("2 networks match (ID1, ID2); give an ID"). osn_find is OSN_OWN. */
int osn_lookup(struct osn *x, const struct kind *k, const char *ref, enum osn_scope scope, json_t **obj);
int osn_find(struct osn *x, const struct kind *k, const char *ref, json_t **obj);
/* Whether the object is in scope (above). */
int osn_in_scope(const struct osn *x, const struct kind *k, const json_t *o, enum osn_scope scope);
/* POST {key1: body} -> *obj (the new object; may be NULL). body is stolen. */
int osn_post(struct osn *x, const struct kind *k, json_t *body, json_t **obj);
/* PUT {key1: body} on the object -> *obj (may be NULL). body is stolen. */
int osn_put(struct osn *x, const struct kind *k, const char *id, json_t *body, json_t **obj);
int osn_delete_id(struct osn *x, const struct kind *k, const char *id);

/* Operands (names or IDs) or, for none or "-", records on stdin (records of
 * another kind are passed over): every one resolved in scope before anything
 * is done. *objs: a new array. Reports the error itself. An empty stream gives
 * an empty array: nothing to do. */
int osn_targets(struct osn *x, const struct kind *k, int argc, char **argv, enum osn_scope scope,
		json_t **objs);

/* The generic actions. */
/* query: "?network_id=..." or NULL; the project's filter is added to it. */
int osn_list_action(struct osn *x, const struct kind *k, const char *query);
int osn_show_action(struct osn *x, const struct kind *k, int argc, char **argv);
int osn_delete_action(struct osn *x, const struct kind *k, int argc, char **argv);
/* create NAME: with --if-missing an existing one is reported (created=false). */
int osn_create_named(struct osn *x, const struct kind *k, const char *name, json_t *body);

/* The only external network the project sees (or the one named), for --external. */
int osn_external_net(struct osn *x, const char *ref, json_t **net);

/* The action words: a verb's first operand. */
int osn_action_is(const char *action, const char *const *actions);

/* The start of every verb: x->verb and x->action set, the action checked
 * against actions (NULL-terminated); 0 or 64 (reported). */
int osn_begin(struct osn *x, const char *verb, int argc, char **argv, const char *const *actions);
/* The action takes exactly n operands after it (usage error otherwise). */
int osn_operands(struct osn *x, int argc, int n, const char *what);
/* list / show / delete / create NAME: the common part of a verb. check: the
 * options of create, before anything is sent (may be NULL); create_body: the
 * new object's body, after the client is open (NULL: failed, *rc reported). */
int osn_simple(struct osn *x, const struct kind *k, int argc, char **argv, const char *query,
	       int (*check)(struct osn *x), json_t *(*create_body)(struct osn *x, int *rc));

/* router.c: PUT add_router_interface / remove_router_interface; *out the answer. */
int router_interface(struct osn *x, const char *router_id, const char *subnet_id, int add, json_t **out);

int cmd_network(int argc, char **argv);
int cmd_subnet(int argc, char **argv);
int cmd_router(int argc, char **argv);
int cmd_secgroup(int argc, char **argv);
int cmd_rule(int argc, char **argv);
int cmd_fip(int argc, char **argv);
int cmd_port(int argc, char **argv);
int cmd_tenant(int argc, char **argv);

/* subnet.c: the --cidr/--gateway/--dns/--pool checks and the subnet's body. */
int subnet_check(struct osn *x, const char *cidr, const char *gateway, const struct strlist *dns,
		 const struct strlist *pools, int *ip_version);
json_t *subnet_body(const char *net_id, const char *cidr, int ip_version, const char *gateway, int dhcp,
		    const struct strlist *dns, const struct strlist *pools);
/* rule.c: a rule's body from its words (protocol "any", ports NULL, remote NULL). */
int rule_check(struct osn *x, const char *direction, const char *protocol, const char *ports, const char *remote);
json_t *rule_body(const char *sg_id, const char *direction, const char *protocol, const char *ports,
		  const char *remote);

#endif
