/* exec.c: client-go's exec credential plugins (client.authentication.k8s.io/v1
 * and v1beta1): the kubeconfig names a command; we run it with
 * KUBERNETES_EXEC_INFO set and read an ExecCredential on its stdout, whose status
 * holds a token or a client certificate and key (PEM). */
#include "kube/kubeconfig.h"
#include "secret.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXEC_OUTPUT_MAX (1 << 20)

int kube_exec_credential(struct kube_target *t, json_t *exec, struct strbuf *err);

static int exec_fail(struct strbuf *err, const char *cmd, const char *why)
{
	sb_reset(err);
	sb_addf(err, "exec credential plugin '%s': %s", cmd, why);
	return EXIT_CONFIG;
}

static char **exec_argv(const char *cmd, json_t *args)
{
	size_t n = json_array_size(args);
	char **argv = xcalloc(n + 2, sizeof *argv);
	argv[0] = (char *)cmd;
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = (char *)(json_string_value(json_array_get(args, i)) ? json_string_value(json_array_get(args, i)) : "");
	return argv;
}

static void child(const char *cmd, json_t *exec, int out_fd)
{
	const char *api = json_string_value(json_object_get(exec, "apiVersion"));
	char *info = xasprintf("{\"apiVersion\":\"%s\",\"kind\":\"ExecCredential\",\"spec\":{\"interactive\":false}}",
			       api ? api : "client.authentication.k8s.io/v1");
	setenv("KUBERNETES_EXEC_INFO", info, 1);
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(exec, "env"), i, e) {
		const char *k = json_string_value(json_object_get(e, "name"));
		const char *v = json_string_value(json_object_get(e, "value"));
		if (k && v)
			setenv(k, v, 1);
	}
	dup2(out_fd, STDOUT_FILENO);
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0)
		dup2(devnull, STDIN_FILENO); /* never interactive */
	char **argv = exec_argv(cmd, json_object_get(exec, "args"));
	execvp(cmd, argv);
	_exit(127);
}

/* Run the plugin; its stdout into out. Returns the exit status, -1 when it could not run. */
static int run_plugin(const char *cmd, json_t *exec, struct strbuf *out)
{
	int fds[2];
	if (pipe(fds) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child(cmd, exec, fds[1]);
	}
	close(fds[1]);
	char buf[8192];
	ssize_t n;
	while ((n = read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && out->len < EXEC_OUTPUT_MAX)
			sb_add(out, buf, (size_t)n);
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int pem_file(struct kube_target *t, const char *name, const char *pem, char **out, struct strbuf *err)
{
	int rc = kube_private_dir(t, err);
	if (rc)
		return rc;
	*out = xasprintf("%s/%s", t->tmpdir, name);
	if (write_file_atomic(*out, pem, strlen(pem), 0600) < 0)
		return exec_fail(err, name, strerror(errno));
	return 0;
}

static int take_status(struct kube_target *t, const char *cmd, json_t *cred, struct strbuf *err)
{
	const char *kind = json_string_value(json_object_get(cred, "kind"));
	json_t *status = json_object_get(cred, "status");
	if (!kind || strcmp(kind, "ExecCredential") != 0 || !json_is_object(status))
		return exec_fail(err, cmd, "did not print an ExecCredential with a status");
	const char *token = json_string_value(json_object_get(status, "token"));
	const char *cert = json_string_value(json_object_get(status, "clientCertificateData"));
	const char *key = json_string_value(json_object_get(status, "clientKeyData"));
	if (token && *token) {
		t->token = xstrdup(token);
		return 0;
	}
	if (cert && key) {
		int rc = pem_file(t, "client.crt", cert, &t->cert_file, err);
		return rc ? rc : pem_file(t, "client.key", key, &t->key_file, err);
	}
	return exec_fail(err, cmd, "its ExecCredential has neither a token nor a client certificate and key");
}

int kube_exec_credential(struct kube_target *t, json_t *exec, struct strbuf *err)
{
	const char *cmd = json_string_value(json_object_get(exec, "command"));
	const char *api = json_string_value(json_object_get(exec, "apiVersion"));
	if (!cmd || !*cmd)
		return exec_fail(err, "", "no command");
	if (api && strcmp(api, "client.authentication.k8s.io/v1") && strcmp(api, "client.authentication.k8s.io/v1beta1"))
		return exec_fail(err, cmd, "unsupported apiVersion (client.authentication.k8s.io/v1 or v1beta1)");
	struct strbuf out = STRBUF_SECRET_INIT;
	int status = run_plugin(cmd, exec, &out);
	int rc = 0;
	if (status != 0) {
		char why[64];
		snprintf(why, sizeof why, status == 127 ? "not found or not executable" : "exited %d", status);
		rc = exec_fail(err, cmd, why);
	} else {
		json_error_t je;
		json_t *cred = json_loadb(out.buf, out.len, 0, &je);
		rc = cred ? take_status(t, cmd, cred, err) : exec_fail(err, cmd, "printed something that is not JSON");
		json_decref(cred);
	}
	secret_sb_release(&out);
	return rc;
}
