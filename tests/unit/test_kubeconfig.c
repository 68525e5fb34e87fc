/* test_kubeconfig.c: kubeconfig loading as kubectl does it: the KUBECONFIG list
 * merged (first file wins), --kubeconfig alone, contexts, relative paths, inline
 * data written 0600, tokens, token files and exec credential plugins. */
#include "check.h"
#include "kube/kubeconfig.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static char *path_of(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void put(const char *name, const char *text, unsigned mode)
{
	char *p = path_of(name);
	CHECK(write_file_atomic(p, text, strlen(text), mode) == 0);
	free(p);
}

static const char config1[] =
	"apiVersion: v1\nkind: Config\ncurrent-context: a\n"
	"clusters:\n- name: c1\n  cluster:\n    server: https://one.example:6443\n    certificate-authority: ca/one.crt\n"
	"contexts:\n- name: a\n  context:\n    cluster: c1\n    user: u1\n"
	"users:\n- name: u1\n  user:\n    token: tok-one\n";

/* c1 again (loses: the first file wins), context b with a namespace, a token file,
 * inline CA data ("hello\n" in base64), and an exec plugin user. */
static const char config2[] =
	"current-context: b\n"
	"clusters:\n- name: c1\n  cluster:\n    server: https://two.example:6443\n"
	"- name: c2\n  cluster:\n    server: https://c2.example\n    certificate-authority-data: aGVsbG8K\n"
	"    insecure-skip-tls-verify: true\n"
	"contexts:\n- name: b\n  context:\n    cluster: c2\n    user: u2\n    namespace: team-a\n"
	"- name: e\n  context:\n    cluster: c2\n    user: ex\n"
	"- name: bad-exec\n  context:\n    cluster: c2\n    user: exfail\n"
	"- name: nouser\n  context:\n    cluster: c9\n"
	"users:\n- name: u2\n  user:\n    tokenFile: secrets/token\n"
	"- name: ex\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: PLUGIN\n"
	"      args: [\"--flag\"]\n      env:\n      - name: CC_TOKEN\n        value: tok-exec\n"
	"- name: exfail\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/false\n";

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/cc-kubeconfig.XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	char *sub = path_of("secrets");
	mkdir(sub, 0700);
	free(sub);
	sub = path_of("ca");
	mkdir(sub, 0700);
	free(sub);
	put("ca/one.crt", "not read by kube_config_load, only checked\n", 0600);
	put("config1", config1, 0600);
	char *plugin = path_of("plugin.sh");
	/* the plugin checks its argument and KUBERNETES_EXEC_INFO, then prints a token */
	put("plugin.sh",
	    "#!/bin/sh\n[ \"$1\" = --flag ] || exit 3\n"
	    "case \"$KUBERNETES_EXEC_INFO\" in *ExecCredential*) ;; *) exit 4;; esac\n"
	    "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
	    "\"status\":{\"token\":\"%s\"}}' \"$CC_TOKEN\"\n",
	    0700);
	struct strbuf c2 = STRBUF_INIT;
	sb_adds(&c2, config2);
	char *at = strstr(c2.buf, "PLUGIN");
	struct strbuf fixed = STRBUF_INIT;
	sb_add(&fixed, c2.buf, (size_t)(at - c2.buf));
	sb_adds(&fixed, plugin);
	sb_adds(&fixed, at + 6);
	put("config2", fixed.buf, 0600);
	put("secrets/token", "tok-file\n", 0600);
	sb_release(&c2);
	sb_release(&fixed);
	free(plugin);
}

static void use_list(void)
{
	char *list = xasprintf("%s/config1:%s/missing:%s/config2", dir, dir, dir);
	setenv("KUBECONFIG", list, 1);
	free(list);
}

static void test_merge_first_wins(void)
{
	struct kube_target t;
	struct strbuf err = STRBUF_INIT;
	use_list();
	CHECK_INT(kube_config_load(NULL, NULL, &t, &err), 0);
	CHECK_STR(t.context, "a"); /* current-context from the first file that sets it */
	CHECK_STR(t.server, "https://one.example:6443");
	char *ca = xasprintf("%s/ca/one.crt", dir);
	CHECK_STR(t.ca_file, ca); /* relative to the file's directory */
	CHECK_STR(t.token, "tok-one");
	CHECK_STR(t.namespace, "default");
	free(ca);
	kube_target_free(&t);
	sb_release(&err);
}

static void test_context_token_file_inline_ca(void)
{
	struct kube_target t;
	struct strbuf err = STRBUF_INIT, ca = STRBUF_INIT;
	use_list();
	CHECK_INT(kube_config_load(NULL, "b", &t, &err), 0);
	CHECK_STR(t.namespace, "team-a");
	CHECK_STR(t.token, "tok-file");
	CHECK_INT(t.insecure, 1);
	CHECK(t.ca_file && sb_read_file(&ca, t.ca_file) == 0);
	CHECK_STR(ca.buf, "hello\n");
	struct stat st;
	CHECK(stat(t.ca_file, &st) == 0 && (st.st_mode & 0777) == 0600);
	char *tmp = xstrdup(t.tmpdir);
	kube_target_free(&t);
	CHECK(access(tmp, F_OK) != 0); /* removed with the target */
	free(tmp);
	sb_release(&ca);
	sb_release(&err);
}

static void test_exec_plugin(void)
{
	struct kube_target t;
	struct strbuf err = STRBUF_INIT;
	use_list();
	CHECK_INT(kube_config_load(NULL, "e", &t, &err), 0);
	CHECK_STR(t.token, "tok-exec");
	kube_target_free(&t);
	CHECK_INT(kube_config_load(NULL, "bad-exec", &t, &err), EXIT_CONFIG);
	CHECK_STR(err.buf, "exec credential plugin '/bin/false': exited 1");
	sb_release(&err);
}

static void test_errors(void)
{
	struct kube_target t;
	struct strbuf err = STRBUF_INIT;
	use_list();
	CHECK_INT(kube_config_load(NULL, "nope", &t, &err), EXIT_CONFIG);
	CHECK_STR(err.buf, "context 'nope' is not in the kubeconfig");
	CHECK_INT(kube_config_load(NULL, "nouser", &t, &err), EXIT_CONFIG);
	CHECK_STR(err.buf, "context 'nouser': cluster 'c9' is not in the kubeconfig");
	char *only = path_of("config1");
	CHECK_INT(kube_config_load(only, "b", &t, &err), EXIT_CONFIG); /* --kubeconfig: that file alone */
	CHECK_STR(err.buf, "context 'b' is not in the kubeconfig");
	free(only);
	CHECK_INT(kube_config_load("/nonexistent/kubeconfig", NULL, &t, &err), EXIT_NOTFOUND);
	CHECK_STR(err.buf, "--kubeconfig '/nonexistent/kubeconfig': No such file or directory");
	setenv("KUBECONFIG", "/nonexistent/a:/nonexistent/b", 1);
	CHECK_INT(kube_config_load(NULL, NULL, &t, &err), EXIT_NOTFOUND);
	CHECK_STR(err.buf, "no kubeconfig found (none of the files in KUBECONFIG exists)");
	put("broken", "clusters: [\n", 0600);
	char *broken = path_of("broken");
	CHECK_INT(kube_config_load(broken, NULL, &t, &err), EXIT_CONFIG);
	CHECK(strncmp(err.buf, broken, strlen(broken)) == 0); /* names the file */
	free(broken);
	sb_release(&err);
}

/* Files a kubeconfig names: missing 66, a directory 66 (77 for one that may not
 * be read needs a user other than root: tests/cli/k8s-files.sh). */
static void test_named_files(void)
{
	struct kube_target t;
	struct strbuf err = STRBUF_INIT;
	put("noca", "current-context: x\nclusters:\n- name: c\n  cluster:\n    server: https://x\n"
		    "    certificate-authority: nosuch.crt\ncontexts:\n- name: x\n  context:\n    cluster: c\n", 0600);
	char *p = path_of("noca"), *want = xasprintf("cluster 'c': certificate-authority '%s/nosuch.crt': No such file "
						     "or directory", dir);
	CHECK_INT(kube_config_load(p, NULL, &t, &err), EXIT_NOTFOUND);
	CHECK_STR(err.buf, want);
	free(p);
	free(want);
	put("notoken", "current-context: x\nclusters:\n- name: c\n  cluster:\n    server: https://x\n"
		       "contexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n"
		       "users:\n- name: u\n  user:\n    tokenFile: secrets\n", 0600);
	p = path_of("notoken");
	want = xasprintf("user 'u': tokenFile '%s/secrets': is a directory, not a file", dir);
	CHECK_INT(kube_config_load(p, NULL, &t, &err), EXIT_NOTFOUND);
	CHECK_STR(err.buf, want);
	free(p);
	free(want);
	p = path_of("secrets");
	want = xasprintf("--kubeconfig '%s': is a directory, not a file", p);
	CHECK_INT(kube_config_load(p, NULL, &t, &err), EXIT_NOTFOUND);
	CHECK_STR(err.buf, want);
	free(p);
	free(want);
	sb_release(&err);
}

static void test_base64(void)
{
	struct strbuf out = STRBUF_INIT;
	CHECK_INT(base64_decode("aGVs\nbG8K", &out), 0);
	CHECK_STR(out.buf, "hello\n");
	sb_reset(&out);
	CHECK_INT(base64_decode("YQ==", &out), 0);
	CHECK_STR(out.buf, "a");
	CHECK_INT(base64_decode("a*b", &out), -1);
	sb_release(&out);
}

int main(void)
{
	setup();
	RUN(test_merge_first_wins);
	RUN(test_context_token_file_inline_ca);
	RUN(test_exec_plugin);
	RUN(test_errors);
	RUN(test_named_files);
	RUN(test_base64);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	return CHECK_DONE("kubeconfig");
}
