/* test_gitcbcopy.c: the credential state of a remote (lib/git/remote_callbacks.c)
 * keeps its own copies of the strings of gitr_opts. cloudctl-deploy reads
 * --password-file into a buffer and wipes and frees it once gitr_open returns,
 * while libgit2 asks the credential callback at every later connection (a push,
 * a fetch after a refused push): a kept pointer was a use-after-free that made
 * every such https bump fail with 77 (issue 16). Under ASan, a pointer kept
 * again is reported here as well. */
#include "check.h"
#include "git/remote_private.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static void test_strings_copied(void)
{
	char *pass = xstrdup("s3cret-token"), *user = xstrdup("ci"), *key = xstrdup("/tmp/id_ed25519");
	struct gitr_opts o = { 0 };
	struct gitr g;
	memset(&g, 0, sizeof g);
	g.url = xstrdup("https://git.example/ops/gitops.git");
	o.url = g.url;
	o.password = pass;
	o.username = user;
	o.ssh_key = key;
	gitr_cb_new(&g, &o);
	/* what deploy_open does with its buffers once gitr_open has returned */
	memset(pass, 'x', strlen(pass));
	free(pass);
	free(user);
	free(key);
	CHECK_STR(g.cb->password, "s3cret-token");
	CHECK_STR(g.cb->username, "ci");
	CHECK_STR(g.cb->ssh_key, "/tmp/id_ed25519");
	gitr_cb_free(g.cb);
	free(g.url);
}

static void test_none_given(void)
{
	struct gitr_opts o = { 0 };
	struct gitr g;
	memset(&g, 0, sizeof g);
	g.url = xstrdup("/srv/git/gitops.git");
	o.url = g.url;
	gitr_cb_new(&g, &o);
	CHECK(g.cb->password == NULL && g.cb->username == NULL && g.cb->ssh_key == NULL);
	gitr_cb_free(g.cb);
	free(g.url);
}

int main(void)
{
	RUN(test_strings_copied);
	RUN(test_none_given);
	return CHECK_DONE("gitcbcopy");
}
