/* fuzz_gitproto.c: what a git server sends over https: pkt-lines, the
 * upload-pack ref advertisement and receive-pack's report. */
#include "fuzz.h"
#include "git/remote_private.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	char *branch = NULL;
	git_oid id;
	gitr_upload_advert(body, size, &branch, &id);
	free(branch);
	branch = strdup("main");
	gitr_upload_advert(body, size, &branch, &id);
	free(branch);
	struct strbuf why = STRBUF_INIT;
	gitr_receive_report(body, size, "refs/heads/main", &why);
	sb_release(&why);
	const char *p = body, *end = body + size, *d;
	size_t n;
	while (gitr_pkt_next(&p, end, &d, &n) == 1)
		FUZZ_ASSERT(d >= body && d + n <= end);
	return 0;
}
