/* fuzz_keystone.c: Keystone's answer to a login (the X-Subject-Token header, the
 * token's expiry, user, project and catalog), the endpoints found in that
 * catalog, then an API error answer read for its one-line message (Keystone,
 * Nova, Neutron and Placement shapes). Properties: a login that succeeds holds
 * a token and an expiry; an endpoint found ends without '/'. */
#include "fuzz.h"
#include "fuzz_http.h"
#include "fuzz_os.h"

#include <string.h>

static void find_endpoints(struct os_session *s)
{
	static const char *const types[] = { "compute", "network", "image", "block-storage", "placement", "identity" };
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		char *url = NULL;
		struct strbuf err = STRBUF_INIT;
		if (os_endpoint(s, types[i], &url, &err) == 0) {
			size_t n = strlen(url);
			FUZZ_ASSERT(n == 0 || url[n - 1] != '/');
		}
		free(url);
		sb_release(&err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct os_session s;
	fuzz_os_open(&s);
	fuzz_http_script(NULL, (const char *)data, size);
	struct strbuf err = STRBUF_INIT;
	if (os_authenticate(&s, 0, &err) == 0) {
		FUZZ_ASSERT(s.token && *s.token && s.expires_at > 0);
		find_endpoints(&s);
		/* the next answer: to an API call, read as an error when it is one */
		struct os_req req = { "GET", "compute", "/servers", NULL, NULL, 0, 0 };
		struct http_response resp = HTTP_RESPONSE_INIT;
		os_request(&s, &req, &resp, &err);
		http_response_release(&resp);
	}
	sb_release(&err);
	os_session_close(&s);
	return 0;
}
