/* kubeconfig.h: where and how to reach a Kubernetes API server, read from
 * kubeconfig files as kubectl reads them (client-go's loading rules):
 *   --kubeconfig FILE: that file alone;
 *   else $KUBECONFIG, a ':'-separated list merged so that the first file to set a
 *   key wins (a named cluster, user or context, and current-context);
 *   else ~/.kube/config.
 * The context is --context, else current-context. Credentials: a bearer token
 * (token or tokenFile), a client certificate (client-certificate(-data) and
 * client-key(-data)), or an exec credential plugin (client.authentication.k8s.io/v1
 * or v1beta1) run on demand. Inline *-data values are written, 0600, to a private
 * temporary directory that kube_target_free removes. */
#ifndef CLOUDCTL_KUBECONFIG_H
#define CLOUDCTL_KUBECONFIG_H

#include "util.h"

struct kube_target {
	char *context, *cluster, *user, *namespace; /* namespace: the context's, else "default" */
	char *server;        /* https://host:port */
	char *ca_file;       /* PEM bundle to trust, or NULL for the system store */
	int insecure;        /* insecure-skip-tls-verify */
	char *token;         /* a secret: never print it */
	char *cert_file, *key_file; /* client certificate, or NULL */
	char *tmpdir;        /* holds the files made from *-data values, or NULL */
};

/* Load and resolve. path: --kubeconfig (NULL: KUBECONFIG, then ~/.kube/config);
 * context: --context (NULL: current-context). Returns 0, or an exit code (78 for
 * configuration errors, 66 when no kubeconfig exists or a file it names does not,
 * 77 when one may not be read) with a one-line reason in err naming the file and
 * the entry. */
int kube_config_load(const char *path, const char *context, struct kube_target *t, struct strbuf *err);
void kube_target_free(struct kube_target *t);

/* A file given by name (an option, a kubeconfig entry) that is to be read:
 * 0; 66 when it does not exist or is a directory, 77 when it may not be read,
 * with "WHAT 'PATH': why" in err. */
int kube_file_check(const char *what, const char *path, struct strbuf *err);

/* The target's private 0700 directory for credential files, made on first use. */
int kube_private_dir(struct kube_target *t, struct strbuf *err);

#endif
