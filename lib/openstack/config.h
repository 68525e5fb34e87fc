/* openstack/config.h: which cloud to talk to and how to log in, found the way
 * openstacksdk (0.101, Zed) finds it, so a clouds.yaml that works with the
 * `openstack` client works here.
 *
 * - clouds.yaml: the first of clouds.{yaml,yml,json} in ./, $XDG_CONFIG_HOME/openstack
 *   (default ~/.config/openstack), ~/.config/openstack, /etc/xdg/openstack (the first
 *   of $XDG_CONFIG_DIRS), /etc/openstack; $OS_CLIENT_CONFIG_FILE goes before them.
 *   secure.{yaml,yml,json} is searched in the same places ($OS_CLIENT_SECURE_FILE
 *   first; openstacksdk does not look next to OS_CLIENT_CONFIG_FILE) and merged over
 *   clouds.yaml key by key (nested maps merged, other values replaced).
 * - The cloud: --os-cloud, else $OS_CLOUD. With neither: when OS_* variables other
 *   than the selectors (OS_CLOUD, OS_REGION_NAME, OS_CLIENT_CONFIG_FILE,
 *   OS_CLIENT_SECURE_FILE, OS_CLOUD_NAME) are set, they make the cloud "envvars"
 *   ($OS_CLOUD_NAME renames it); else the only cloud of clouds.yaml; else an error.
 * - A named cloud ignores OS_USERNAME, OS_PASSWORD and the other credential
 *   variables, as openstacksdk does (python-openstackclient would mix them in: a
 *   stray OS_PASSWORD silently changing who logs in is what we avoid). The two
 *   selectors OS_REGION_NAME and OS_INTERFACE do apply to it, below --os-region-name
 *   and --os-interface.
 * - auth_type: password (v3password) or v3applicationcredential; when it is not
 *   given, an application credential secret without a password selects the
 *   latter. As python-openstackclient does, a user or project given by name
 *   without a domain is in domain "default" (OS_DEFAULT_DOMAIN / default_domain).
 *
 * - <service_type>_endpoint_override (or <service_type>_endpoint), e.g.
 *   compute_endpoint_override: that URL instead of the catalog's for the service,
 *   as openstacksdk's CloudRegion.get_endpoint (OS_COMPUTE_ENDPOINT_OVERRIDE for the
 *   OS_* variables); %(project_id)s in it is filled in.
 *
 * Errors are one line naming the file and the key ("FILE: clouds.NAME.auth.auth_url:
 * ..."); the code returned is 78 (EX_CONFIG), or 66 when a file named by
 * OS_CLIENT_CONFIG_FILE does not exist. */
#ifndef CLOUDCTL_OPENSTACK_CONFIG_H
#define CLOUDCTL_OPENSTACK_CONFIG_H

#include "util.h"

enum os_auth_type { OS_AUTH_PASSWORD, OS_AUTH_APPCRED };

struct os_cloud {
	char *name;        /* the cloud's name ("envvars" for OS_* variables) */
	char *config_file; /* clouds.yaml read, or NULL */
	char *secure_file; /* secure.yaml merged, or NULL */
	enum os_auth_type auth_type;
	char *auth_url;    /* Keystone, as given (with or without /v3) */
	char *username, *user_id, *password;
	char *user_domain_name, *user_domain_id;
	char *project_name, *project_id;
	char *project_domain_name, *project_domain_id;
	char *domain_name, *domain_id; /* domain scope, when no project is given */
	char *appcred_id, *appcred_name, *appcred_secret;
	char *region_name; /* NULL: any region */
	char *interface;   /* public (default), internal or admin */
	char *cacert;      /* CA bundle, or NULL for the system store */
	char *cert, *key;  /* client certificate and key, or NULL */
	int insecure;      /* verify: false / OS_INSECURE=true */
	struct strlist endpoint_overrides; /* pairs: service type key ('_' for '-'), URL */
};

/* What the command line says; every field may be NULL. */
struct os_config_opts {
	const char *cloud;     /* --os-cloud */
	const char *region;    /* --os-region-name */
	const char *interface; /* --os-interface */
};

/* Find and read the configuration. Returns 0 and fills *c (release it with
 * os_cloud_release), or an exit code with a one-line reason in err. Secrets
 * never appear in err. */
int os_config_load(const struct os_config_opts *o, struct os_cloud *c, struct strbuf *err);
void os_cloud_release(struct os_cloud *c);

/* The URL configured for a service type instead of the catalog's, or NULL. */
const char *os_endpoint_override(const struct os_cloud *c, const char *service_type);

/* The clouds.yaml that would be read (OS_CLIENT_CONFIG_FILE or the first that
 * exists on the search path), or NULL: for messages such as "no cloud selected". */
char *os_config_find_file(const char *base);

#endif
