/* auth.h: registry credentials from a docker config file, as docker, podman,
 * skopeo and buildah read it.
 *
 * The file: $REGISTRY_AUTH_FILE (podman's auth.json), else
 * $DOCKER_CONFIG/config.json, else ~/.docker/config.json. For a registry host:
 *   1. "credHelpers": {"HOST": "NAME"}  -> docker-credential-NAME get
 *   2. "credsStore": "NAME"             -> docker-credential-NAME get; when it has
 *                                          nothing for HOST, "auths" is read still
 *   3. "auths": {"HOST": {"auth": base64("user:password")}} or
 *               {"username": U, "password": P}; "identitytoken" is kept too.
 * An auths key may be a URL ("https://HOST/v1/"): its host part is compared.
 * A helper is run with "get", the host on its stdin; it answers
 * {"ServerURL": ..., "Username": ..., "Secret": ...} on stdout, or fails saying
 * "credentials not found" (no credentials, no error). A helper that is not
 * installed is a warning, once, and no credentials: the registry may allow
 * anonymous access. A file with credentials readable by group or others gets a
 * warning, as ssh gives one. */
#ifndef CLOUDCTL_OCI_AUTH_H
#define CLOUDCTL_OCI_AUTH_H

#include "util.h"

struct registry_cred {
	char *username;       /* NULL: no credentials */
	char *password;       /* a secret */
	char *identity_token; /* an OAuth2 refresh token (a secret), or NULL */
	char *source;         /* where they came from, for messages: a path or "docker-credential-NAME" */
};
#define REGISTRY_CRED_INIT { NULL, NULL, NULL, NULL }

/* The file to read, by the order above; NULL when there is no HOME either. */
char *docker_config_path(void);

/* Credentials for host ("host[:port]") from the file at path (NULL: docker_config_path()).
 * A missing file or no entry for host is no credentials: 0 with cred->username NULL.
 * Returns 0, or 78 (config) with err set: a file that is not JSON, an "auth" that
 * is not base64 of "user:password", a helper that fails or answers nonsense. */
int docker_auth_lookup(const char *path, const char *host, struct registry_cred *cred, struct strbuf *err);

/* "Basic base64(user:password)", the value of an Authorization header. */
char *registry_cred_basic(const struct registry_cred *c);

/* Wipe the secrets and free. */
void registry_cred_release(struct registry_cred *c);

#endif
