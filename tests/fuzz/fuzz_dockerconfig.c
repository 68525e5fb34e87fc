/* fuzz_dockerconfig.c: ~/.docker/config.json (auths; credHelpers are not run:
 * PATH is empty so no helper program can be found). */
#include "fuzz.h"
#include "oci/auth.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setenv("PATH", "", 1);
	const char *path = fuzz_file("config.json", data, size);
	struct registry_cred cred;
	struct strbuf err = STRBUF_INIT;
	memset(&cred, 0, sizeof cred);
	if (docker_auth_lookup(path, "registry.example:5000", &cred, &err) == 0)
		registry_cred_release(&cred);
	sb_release(&err);
	return 0;
}
