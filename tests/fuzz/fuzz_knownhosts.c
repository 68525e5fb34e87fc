/* fuzz_knownhosts.c: an OpenSSH known_hosts file, checked for one host key. */
#include "fuzz.h"
#include "git/knownhosts.h"

/* ssh-ed25519 with 32 zero bytes: type string then key string */
static const unsigned char key[] = { 0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9', 0, 0, 0, 32,
				     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *files[] = { fuzz_file("known_hosts", data, size), NULL };
	struct strbuf where = STRBUF_INIT, err = STRBUF_INIT;
	kh_check(files, "git.example", 22, key, sizeof key, &where, &err);
	kh_check(files, "127.0.0.1", 2222, key, sizeof key, &where, &err);
	sb_release(&where);
	sb_release(&err);
	return 0;
}
