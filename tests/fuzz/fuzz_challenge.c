/* fuzz_challenge.c: a registry's WWW-Authenticate challenge. */
#include "fuzz.h"
#include "oci/registry_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct challenge c;
	reg_parse_challenge(s, &c);
	reg_challenge_release(&c);
	free(s);
	return 0;
}
