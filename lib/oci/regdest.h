/* regdest.h: a registry repository as an oci_dest (dest.h), on the
 * distribution client in registry.h.
 *
 * The reference is "HOST[:PORT]/PATH[:TAG|@DIGEST]" (ref.h). d->name is
 * "HOST/PATH"; d->tag the tag, or the digest when one was given (a digest
 * wins over a tag, as in distribution). Temporary files (a layer being built,
 * a base blob being copied) go in a private directory under $TMPDIR (else
 * /var/tmp), made on first use and removed by close.
 *
 * Threads: an oci_dest is used by one thread at a time; regdest_clone gives a
 * worker its own (its own registry handle and connection, the same
 * credentials, tokens and temporary directory). Close the clones before the
 * dest they came from. */
#ifndef CLOUDCTL_OCI_REGDEST_H
#define CLOUDCTL_OCI_REGDEST_H

#include "util.h"
#include "oci/dest.h"

struct regdest_opts {
	const char *cacert;    /* PEM CA bundle instead of the system store */
	int insecure;          /* TLS unverified; plain http when the registry has no TLS */
	const char *auth_file; /* docker config; NULL: auth.h's rules */
	int jobs;              /* clones the caller will make (a hint) */
	/* Blob bytes going out, from the thread doing it (registry.h) */
	void (*progress)(void *arg, const char *digest, long long done, long long total);
	void *progress_arg;
};

/* Open the repository ref names. digest_ok: "@sha256:..." is allowed (a
 * base image, resolve); otherwise it is a usage error (64). Nothing is sent
 * yet. Returns 0 or an exit code with err set. */
int regdest_open(const char *ref, const struct regdest_opts *o, int digest_ok, struct oci_dest **out,
		 struct strbuf *err);
/* Whether d is a registry repository. */
int regdest_is(const struct oci_dest *d);
/* Another handle on the same repository for another thread. */
struct oci_dest *regdest_clone(struct oci_dest *d);
/* When dest and base are repositories on the same registry, let dest mount
 * blobs from base's repository (dest->same_host_repo). */
void regdest_link_base(struct oci_dest *dest, const struct oci_dest *base);
/* Blob bytes the registry accepted from d and from its clones closed so far. */
unsigned long long regdest_bytes_sent(const struct oci_dest *d);

#endif
