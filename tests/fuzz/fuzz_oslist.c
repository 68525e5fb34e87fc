/* fuzz_oslist.c: list pages of Neutron and Nova after a login, and the records
 * made of them: GET /servers/detail and every next page (servers_links), the
 * Glance image list that names their images ("next"), each server as a vm
 * record (cmd/cloudctl-vm/openstack/client.c); before them Neutron's networks
 * and ports as net and port records, with the names they refer to
 * (cmd/cloudctl-net/openstack), a 401 in between making it log in again.
 * Cinder has no list parser of its own: the tools list no volumes.
 * Property: a vm record starts with kind=vm. */
#include "fuzz.h"
#include "fuzz_http.h"
#include "fuzz_os.h"
#include "../../cmd/cloudctl-vm/openstack/osvm.h"
#include "../../cmd/cloudctl-net/openstack/osnet.h"

#include <string.h>

static void list_servers(struct os_session *s)
{
	json_t *servers = NULL, *images = NULL, *sv;
	struct strbuf err = STRBUF_INIT;
	if (os_list(s, "compute", "/servers/detail", "servers", &servers, &err) == 0) {
		osvm_names(s, &images);
		size_t i;
		json_array_foreach(servers, i, sv) {
			struct record r = RECORD_INIT;
			osvm_record(sv, images, i % 2 ? OSREC_DETAIL : 0, &r);
			FUZZ_ASSERT(r.n > 0 && !strcmp(r.f[0].key, "kind") && !strcmp(r.f[0].val, "vm"));
			rec_clear(&r);
		}
	}
	json_decref(servers);
	json_decref(images);
	sb_release(&err);
}

/* As `cloudctl-net network list` and `port list` run, from osn_open (which logs
 * in) to osn_close; then the servers, on the same session. */
static void list_all(void)
{
	struct osn x;
	memset(&x, 0, sizeof x);
	x.verb = "network";
	x.action = "list";
	if (osn_open(&x, K_NET.cols) == 0) {
		osn_list_action(&x, &K_NET, NULL);
		osn_list_action(&x, &K_PORT, NULL);
		list_servers(&x.c.s);
	}
	osn_close(&x, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const login[] = { fuzz_os_login, NULL };
	static int once;
	if (!once) {
		fuzz_os_clouds_yaml();
		/* the records go to stdout, which libFuzzer does not use */
		if (!freopen("/dev/null", "w", stdout))
			abort();
		once = 1;
	}
	fuzz_http_script(login, (const char *)data, size);
	list_all();
	return 0;
}
