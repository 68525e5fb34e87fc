/* fuzz_ocimanifest.c: OCI/Docker manifests and indexes from a registry, and
 * image references. */
#include "fuzz.h"
#include "oci/image.h"
#include "oci/ref.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *b = (const char *)data;
	struct strbuf err = STRBUF_INIT;
	struct oci_manifest m;
	memset(&m, 0, sizeof m);
	if (image_manifest_parse(b, size, "fuzz", &m, &err) == 0)
		image_manifest_clear(&m);
	image_is_index("application/vnd.oci.image.index.v1+json", b, size);
	char *s = fuzz_str(data, size);
	struct oci_ref r;
	memset(&r, 0, sizeof r);
	if (oci_ref_parse(s, &r, &err) == 0) {
		char *again = oci_ref_string(&r);
		struct oci_ref r2;
		memset(&r2, 0, sizeof r2);
		FUZZ_ASSERT(oci_ref_parse(again, &r2, &err) == 0);
		char *twice = oci_ref_string(&r2);
		FUZZ_ASSERT(strcmp(again, twice) == 0);
		free(twice);
		free(again);
		oci_ref_release(&r2);
		oci_ref_release(&r);
	}
	free(s);
	sb_release(&err);
	return 0;
}
