/* ref.h: image references as users write them, by distribution's grammar
 * (distribution/reference):
 *
 *     host[:port]/path[:tag][@sha256:hex]      e.g. 127.0.0.1:5443/shop/web:3f2a1bc
 *
 * - host: DNS labels joined by '.', "localhost", or an IPv6 address in
 *   brackets, with an optional port. The first component is the host only when
 *   it has a '.' or a ':' or is "localhost"; cloudctl never defaults to Docker
 *   Hub, so "ubuntu:22.04" or "library/ubuntu" is an error that says so.
 * - path: lower-case components [a-z0-9]+ joined by '.', '_', '__' or runs of
 *   '-', separated by '/'; host and path at most 255 characters.
 * - tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
 * - digest: sha256 (64 lower-case hex digits) or sha512 (128).
 * Errors read "invalid image reference 'X': why" and return 64 (usage). */
#ifndef CLOUDCTL_OCI_REF_H
#define CLOUDCTL_OCI_REF_H

#include "util.h"

struct oci_ref {
	char *host;   /* "127.0.0.1:5443" */
	char *repo;   /* "shop/web" */
	char *tag;    /* NULL when none was given */
	char *digest; /* "sha256:..." or NULL */
};
#define OCI_REF_INIT { NULL, NULL, NULL, NULL }

/* Parse s into out (released first). Returns 0, or 64 with err set and out empty. */
int oci_ref_parse(const char *s, struct oci_ref *out, struct strbuf *err);
void oci_ref_release(struct oci_ref *r);

/* "host/repo[:tag][@digest]" */
char *oci_ref_string(const struct oci_ref *r);
/* What to ask the registry for: the digest when there is one, else the tag, else NULL. */
const char *oci_ref_reference(const struct oci_ref *r);

/* The parts on their own, for names that come from elsewhere (--repo, --tag). */
int oci_ref_repo_valid(const char *repo);
int oci_ref_tag_valid(const char *tag);
int oci_ref_host_valid(const char *host);
/* "sha256:" + 64 lower-case hex, or "sha512:" + 128. */
int oci_ref_digest_valid(const char *digest);

#endif
