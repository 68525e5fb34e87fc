/* fuzz_os.h: an OpenStack session for the targets that fuzz what Keystone,
 * Nova and Neutron answer, its requests going to the scripted transport of
 * fuzz_http.h. */
#ifndef CLOUDCTL_FUZZ_OS_H
#define CLOUDCTL_FUZZ_OS_H

#include "openstack/auth.h"

/* The cloud every session uses: password login, a project scope, the public
 * interface, no token cache. */
const struct os_cloud *fuzz_os_cloud(void);
/* A session on it; nothing is sent yet. */
void fuzz_os_open(struct os_session *s);

/* The same cloud in a clouds.yaml (OS_CLIENT_CONFIG_FILE, OS_CLOUD=fuzz), for
 * the code that loads its own (os_client_open). */
void fuzz_os_clouds_yaml(void);

/* A Keystone answer with a token and a catalog of compute, network and image,
 * for the targets whose input starts after the login. */
extern const char fuzz_os_login[];

#endif
