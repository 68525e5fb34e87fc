/* fuzz_kubeconfig.c: a kubeconfig file (contexts, clusters, users). */
#include "fuzz.h"
#include "kube/kubeconfig.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("kubeconfig", data, size);
	struct kube_target t;
	struct strbuf err = STRBUF_INIT;
	memset(&t, 0, sizeof t);
	if (kube_config_load(path, NULL, &t, &err) == 0)
		kube_target_free(&t);
	sb_release(&err);
	return 0;
}
