/* fuzz_yamlread.c: lib/yamlread (Kubernetes' YAML rules) on any bytes. */
#include "fuzz.h"
#include "yamlread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *docs = NULL;
	struct strbuf err = STRBUF_INIT;
	if (yaml_read("fuzz", (const char *)data, size, &docs, &err) == 0)
		json_decref(docs);
	sb_release(&err);
	return 0;
}
