/* kustomize.h: kustomize's images: rules (kustomize.config.k8s.io/v1beta1) on
 * the generic YAML editor: what cloudctl-deploy bump, rollback and promote
 * change in a kustomization. */
#ifndef CLOUDCTL_DEPLOY_KUSTOMIZE_H
#define CLOUDCTL_DEPLOY_KUSTOMIZE_H

#include "yamledit.h"

/* Set FIELD ("newTag", "digest" or "newName") of the entry of the top-level
 * `images:` list whose name is IMAGE, adding the field, the entry or the list
 * as yedit_set_item does. Any other field is refused ("NAME: images field
 * "F": not one of newTag, digest, newName"). Results as yedit_set_item. */
int kustomize_set_image(struct yedit *e, const char *image, const char *field, const char *value,
			char **old, struct strbuf *err);

#endif
