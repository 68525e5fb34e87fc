/* openstack/api.h: JSON calls on top of os_request (auth.h), shared by every
 * OpenStack verb of cloudctl-vm and cloudctl-net.
 *
 * - os_client: the cloud's config (clouds.yaml, secure.yaml, OS_*) and a session.
 * - os_call: one JSON object out, one in. Compute calls carry the Nova
 *   microversion cloudctl needs (OS_COMPUTE_MICROVERSION); a cloud that does not
 *   offer it gets a one-line error naming the version, not a silent downgrade.
 * - os_list: every page of a collection. Nova and Neutron give "<key>_links" with
 *   rel=next (absolute URLs), Glance a "next" path; each is followed until there
 *   is none, so nothing is cut at Nova's max_limit of 1000.
 * - os_find: a name or an ID to the one object it names (66 when none, 65 when
 *   several share the name).
 * API reference: https://docs.openstack.org/api-ref/compute/ (microversions,
 * pagination), https://docs.openstack.org/api-ref/network/v2/ (pagination),
 * https://docs.openstack.org/api-ref/image/v2/ (images "next"). */
#ifndef CLOUDCTL_OPENSTACK_API_H
#define CLOUDCTL_OPENSTACK_API_H

#include <jansson.h>

#include "openstack/auth.h"
#include "openstack/config.h"

/* 2.47: a server embeds its flavor (vcpus, ram, original_name), so listing
 * servers needs no flavor call; 2.79 is in every release since Train. */
#define OS_COMPUTE_MICROVERSION "2.79"

struct os_client {
	struct os_cloud cloud;
	struct os_session s;
	int open; /* the session is open (os_client_close is safe either way) */
};

/* Load the cloud (o may be NULL) and open a session; nothing is sent yet. */
int os_client_open(struct os_client *c, const struct os_config_opts *o, struct strbuf *err);
void os_client_close(struct os_client *c);

/* METHOD service path [body] -> *out (NULL for an empty body, e.g. 204; out may
 * be NULL when the answer is not wanted). path is relative to the service's
 * endpoint, or an absolute URL. Returns 0 or the exit code of auth.h with err set. */
int os_call(struct os_session *s, const char *method, const char *service, const char *path, json_t *body,
	    json_t **out, struct strbuf *err);

/* GET path and every next page; *items is a new array of the elements of "key". */
int os_list(struct os_session *s, const char *service, const char *path, const char *key, json_t **items,
	    struct strbuf *err);

/* The object of collection (e.g. "/servers", key "server"/"servers") whose ID
 * or name is ref; key1 NULL: GET collection/ID answers the object itself (Glance). what names it in errors ("server", "flavor"). For Nova the
 * name filter is a regular expression: only exact names are kept. */
int os_find(struct os_session *s, const char *service, const char *collection, const char *key1,
	    const char *keyn, const char *what, const char *ref, json_t **obj, struct strbuf *err);

/* A string member, or NULL. */
const char *os_jstr(const json_t *o, const char *key);

#endif
