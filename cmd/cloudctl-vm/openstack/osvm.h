/* osvm.h: the OpenStack driver of cloudctl-vm (cloudctl-vm-openstack.so).
 * Nova servers become vm records; images are named from one Glance list;
 * the flavor comes embedded in the server (microversion >= 2.47), so listing
 * never costs a call per server. Bulk verbs run one os_session per thread
 * (a session is not thread-safe; the token cache makes extra sessions cheap).
 * No libvirt here: vmopts.h, not vm.h. */
#ifndef CLOUDCTL_OSVM_H
#define CLOUDCTL_OSVM_H

#include <jansson.h>

#include "openstack/api.h"
#include "target.h"
#include "../vmopts.h"

/* Where this command acts (driver, cloud, project), set by osvm_open: vm
 * records carry it, and piped records naming another are refused (target.h). */
extern struct target_spec osvm_target;

/* The client of --os-cloud/--os-region-name/--os-interface (else OS_*), logged
 * in (the token names the project: osvm_target). Errors are reported
 * ("VERB: why"); returns 0 or the exit code. */
int osvm_open(const char *verb, struct os_client *c);

/* Run job(s, i, ctx) for i in [0, n) on up to --jobs threads, each with its own
 * session (s is c's own when one thread does). Returns the first error by index
 * (each job reports its own errors); every job runs regardless. */
typedef int (*osvm_job)(struct os_session *s, size_t i, void *ctx);
int osvm_parallel(struct os_client *c, size_t n, osvm_job job, void *ctx);

/* What a vm record names that Nova does not give: {"images": image ID ->
 * name of every image the project sees, "net_ids": port MAC -> the ID of
 * its Neutron network}, one paginated list each, whatever the number of
 * servers. *names is a new object; a list that fails leaves its member out,
 * and a warning says why (image= shows IDs, net_id= is left out). */
void osvm_names(struct os_session *s, json_t **names);

/* "running", "shutoff", ... for a Nova status ("ACTIVE", "SHUTOFF", ...). */
const char *osvm_state(const char *status);
/* The Nova status a state of ours stands for (wait --state); NULL if none. */
const char *osvm_status_for(const char *state);

enum { OSREC_DETAIL = 1 };
/* The vm record of a server (GET /servers/detail element). names: from
 * osvm_names (may be NULL: the image ID is written, no net_id). */
void osvm_record(const json_t *server, const json_t *names, unsigned what, struct record *r);
/* Add the fields of in that out lacks, except those the driver owns. */
void osvm_merge_input(struct record *out, const struct record *in);

/* GET /servers/{id}: 0, or the exit code with err set. */
int osvm_get_server(struct os_session *s, const char *id, json_t **server, struct strbuf *err);
/* Servers named exactly name (Nova filters by regex: escaped and anchored). */
int osvm_servers_named(struct os_session *s, const char *name, json_t **servers, struct strbuf *err);
/* The servers whose names start with prefix (every one for ""): one list
 * for many names at once. */
int osvm_servers_prefixed(struct os_session *s, const char *prefix, json_t **servers, struct strbuf *err);
/* A server of the command's project by UUID or exact name: 66 when none, 65
 * when the name is ambiguous (osvm_ambiguous's message). */
/* err = "NAME: 2 servers match (ID1, ID2); give an ID"; returns 65. */
int osvm_ambiguous(const char *name, const json_t *servers, struct strbuf *err);
int osvm_find_server(struct os_session *s, const char *ref, json_t **server, struct strbuf *err);

/* The servers a verb acts on: operands (names or IDs), or vm records on stdin
 * ("-" or no operand). All are resolved before anything is done. */
struct ostarget {
	struct record in; /* the input record, passed through; empty for operands */
	char *ref;        /* what the user called it (for messages) */
	json_t *server;   /* as found */
};
struct ostargets {
	struct ostarget *t;
	size_t n, cap;
};
int osvm_targets(const char *verb, struct os_session *s, int argc, char **argv, struct ostargets *ts);
void osvm_targets_free(struct ostargets *ts);

/* Poll a server until done(server, ctx) says so (1), it fails (ERROR while
 * not waiting for it: 69, or 75 for a quota; an API error: its code; each
 * said on stderr), it is gone (404: done when want_gone, else 66), or
 * timeout_ms passes (OSVM_TIMEOUT, said by the caller, who exits 75), or a
 * signal arrives (130: interrupt.h; the caller writes what it knows).
 * *last holds the last server seen (may be NULL). */
#define OSVM_TIMEOUT 1000
/* A server in ERROR: one line with Nova's fault, and the exit code (75 for a
 * quota, which Nova checks again when it builds; else 69). 0 otherwise. */
int osvm_in_error(const char *verb, const char *name, const json_t *server);
/* The server of a list with this ID, or NULL (borrowed). */
const json_t *osvm_find_id(const json_t *servers, const char *id);
int osvm_poll(struct os_session *s, const char *verb, const char *id, const char *name,
	      int (*done)(const json_t *server, const void *ctx), const void *ctx, int want_gone,
	      long long timeout_ms, json_t **last);
/* The first fixed IPv4 address of a server, or NULL. */
const char *osvm_first_ipv4(const json_t *server, const char **net);

/* The keypair to give a new server (keypair.c): key_name alone must exist;
 * with ssh_key (a public key file) it is made when missing (a keypair of that
 * name holding another key is an error, 73). ssh_key alone: the keypair that
 * holds that key, else a new one named "cloudctl-" and a hash of the key.
 * *name is a new string; *made: it was made here (undone when no server is). */
int osvm_keypair(struct os_session *s, const char *key_name, const char *ssh_key, char **name, int *made,
		 struct strbuf *err);
/* DELETE /os-keypairs/NAME: 0 or the exit code with err set. */
int osvm_keypair_delete(struct os_session *s, const char *name, struct strbuf *err);


/* --timeout or the default, in ms; 64 (reported) when malformed. */
int osvm_timeout(const char *verb, const char *given, const char *dflt, long long *ms);

#endif
