/* kubeconfig.c: see kubeconfig.h. */
#include "kube/kubeconfig.h"
#include "secret.h"
#include "log.h"
#include "yamlread.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The merged view: named entries (first file wins) and the current context. */
struct merged {
	json_t *clusters, *users, *contexts; /* name -> the inner object */
	char *current;
};


/* client-go resolves relative paths in a kubeconfig against the file's directory. */
static void resolve_paths(json_t *obj, const char *dir)
{
	static const char *const keys[] = { "certificate-authority", "client-certificate", "client-key", "tokenFile" };
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *v = json_string_value(json_object_get(obj, keys[i]));
		if (v && *v && v[0] != '/') {
			char *abs = xasprintf("%s/%s", dir, v);
			json_object_set_new(obj, keys[i], json_string(abs));
			free(abs);
		}
	}
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? xstrndup(path, (size_t)(slash - path) ? (size_t)(slash - path) : 1) : xstrdup(".");
}

/* clusters: [{name: x, cluster: {...}}, ...] -> map[name] = {...}, keeping earlier names. */
static int merge_list(json_t *doc, const char *list, const char *inner, json_t *into, const char *file,
		      struct strbuf *err)
{
	json_t *arr = json_object_get(doc, list);
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return sb_fail(err, EXIT_CONFIG, "%s: '%s' is not a list", file, list);
	char *dir = dir_of(file);
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		json_t *obj = json_object_get(e, inner);
		if (!name || !json_is_object(obj)) {
			free(dir);
			return sb_fail(err, EXIT_CONFIG, "%s: %s[%zu] needs a name and a '%s' map", file, list, i, inner);
		}
		if (json_object_get(into, name))
			continue; /* the first file to set it wins */
		json_t *copy = json_deep_copy(obj);
		resolve_paths(copy, dir);
		json_object_set_new(into, name, copy);
	}
	free(dir);
	return 0;
}

static int merge_file(struct merged *m, const char *file, struct strbuf *err)
{
	json_t *docs = NULL;
	struct strbuf perr = STRBUF_INIT;
	if (yaml_read_file(file, &docs, &perr) < 0) {
		int rc = sb_fail(err, EXIT_CONFIG, "%s", perr.buf);
		sb_release(&perr);
		return rc;
	}
	sb_release(&perr);
	json_t *doc = json_array_get(docs, 0);
	int rc = 0;
	if (doc && !json_is_null(doc) && !json_is_object(doc))
		rc = sb_fail(err, EXIT_CONFIG, "%s: not a kubeconfig (a map at the top)", file);
	if (!rc && json_is_object(doc)) {
		const char *cur = json_string_value(json_object_get(doc, "current-context"));
		if (cur && *cur && !m->current)
			m->current = xstrdup(cur);
		rc = merge_list(doc, "clusters", "cluster", m->clusters, file, err);
		rc = rc ? rc : merge_list(doc, "users", "user", m->users, file, err);
		rc = rc ? rc : merge_list(doc, "contexts", "context", m->contexts, file, err);
	}
	json_decref(docs);
	return rc;
}

int kube_file_check(const char *what, const char *path, struct strbuf *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sb_fail(err, exit_for_errno(errno), "%s '%s': %s", what, path, strerror(errno));
	int dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
	close(fd);
	return dir ? sb_fail(err, EXIT_NOTFOUND, "%s '%s': is a directory, not a file", what, path) : 0;
}

/* The files to read, in order: --kubeconfig, else KUBECONFIG's existing entries, else ~/.kube/config. */
static int file_list(const char *path, struct strlist *files, struct strbuf *err)
{
	struct stat st;
	if (path) {
		int rc = kube_file_check("--kubeconfig", path, err);
		if (!rc)
			strlist_add(files, path);
		return rc;
	}
	const char *env = getenv("KUBECONFIG");
	if (env && *env) {
		char *copy = xstrdup(env), *save = NULL;
		/* as kubectl: files that do not exist are passed over; one there that
		 * cannot be read is an error */
		int rc = 0;
		for (char *f = strtok_r(copy, ":", &save); f && !rc; f = strtok_r(NULL, ":", &save))
			if (stat(f, &st) == 0 && !(rc = kube_file_check("KUBECONFIG: file", f, err)))
				strlist_add(files, f);
		free(copy);
		if (rc)
			return rc;
	} else {
		const char *home = getenv("HOME");
		char *def = xasprintf("%s/.kube/config", home ? home : "");
		int rc = stat(def, &st) == 0 ? kube_file_check("kubeconfig", def, err) : -1;
		if (rc == 0)
			strlist_add(files, def);
		free(def);
		if (rc > 0)
			return rc;
	}
	if (!files->n)
		return sb_fail(err, EXIT_NOTFOUND, "no kubeconfig found (%s)",
			    env && *env ? "none of the files in KUBECONFIG exists" : "~/.kube/config does not exist");
	return 0;
}

/* ---- credentials ---- */

int kube_private_dir(struct kube_target *t, struct strbuf *err)
{
	if (t->tmpdir)
		return 0;
	char tmpl[] = "/tmp/cloudctl-kube.XXXXXX";
	if (!mkdtemp(tmpl))
		return sb_fail(err, EXIT_OSERR, "cannot make a temporary directory: %s", strerror(errno));
	t->tmpdir = xstrdup(tmpl);
	return 0;
}

/* A *-data value (base64) into a 0600 file of the private directory. */
static int data_file(struct kube_target *t, const char *what, const char *b64, char **out, struct strbuf *err)
{
	struct strbuf raw = STRBUF_SECRET_INIT; /* a client key among them: wiped */
	if (base64_decode(b64, &raw) < 0) {
		secret_sb_release(&raw);
		return sb_fail(err, EXIT_CONFIG, "%s: not valid base64", what);
	}
	int rc = kube_private_dir(t, err);
	if (!rc) {
		char *path = xasprintf("%s/%s", t->tmpdir, what);
		if (write_file_atomic(path, raw.buf, raw.len, 0600) < 0) {
			rc = sb_fail(err, EXIT_IOERR, "cannot write '%s': %s", path, strerror(errno));
			free(path);
		} else {
			*out = path;
		}
	}
	secret_sb_release(&raw);
	return rc;
}

static const char *str_of(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));
	return v && *v ? v : NULL;
}

/* A file the kubeconfig names: there (66) and readable (77) before any
 * request, with the entry that names it in the message. */
static int named_file(struct kube_target *t, const char *entry, const char *name, const char *key, const char *path,
		      struct strbuf *err)
{
	struct strbuf what = STRBUF_INIT;
	sb_addf(&what, "%s '%s': %s", entry, name, key);
	int rc = kube_file_check(what.buf, path, err);
	sb_release(&what);
	return rc;
}

static int cluster_fields(struct kube_target *t, json_t *c, struct strbuf *err)
{
	const char *server = str_of(c, "server");
	if (!server)
		return sb_fail(err, EXIT_CONFIG, "cluster '%s' has no server", t->cluster);
	t->server = xstrdup(server);
	t->insecure = json_is_true(json_object_get(c, "insecure-skip-tls-verify"));
	if (str_of(c, "certificate-authority-data"))
		return data_file(t, "ca.crt", str_of(c, "certificate-authority-data"), &t->ca_file, err);
	if (str_of(c, "certificate-authority")) {
		t->ca_file = xstrdup(str_of(c, "certificate-authority"));
		return named_file(t, "cluster", t->cluster, "certificate-authority", t->ca_file, err);
	}
	return 0;
}

static int read_token_file(struct kube_target *t, const char *path, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT, what = STRBUF_INIT;
	sb_addf(&what, "user '%s': tokenFile", t->user);
	int rc = kube_file_check(what.buf, path, err);
	sb_release(&what);
	if (rc)
		return rc;
	if (sb_read_file(&sb, path) < 0) {
		rc = sb_fail(err, EXIT_IOERR, "user '%s': tokenFile '%s': %s", t->user, path, strerror(errno));
		sb_release(&sb);
		return rc;
	}
	while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == '\r' || sb.buf[sb.len - 1] == ' '))
		sb.buf[--sb.len] = '\0';
	t->token = sb_detach(&sb);
	return 0;
}

int kube_exec_credential(struct kube_target *t, json_t *exec, struct strbuf *err);

static int user_fields(struct kube_target *t, json_t *u, struct strbuf *err)
{
	if (json_object_get(u, "auth-provider"))
		return sb_fail(err, EXIT_CONFIG, "user '%s': auth-provider is not supported (use an exec plugin)", t->user);
	int rc = 0;
	if (str_of(u, "token"))
		t->token = xstrdup(str_of(u, "token"));
	else if (str_of(u, "tokenFile"))
		rc = read_token_file(t, str_of(u, "tokenFile"), err);
	if (!rc && str_of(u, "client-certificate-data"))
		rc = data_file(t, "client.crt", str_of(u, "client-certificate-data"), &t->cert_file, err);
	else if (!rc && str_of(u, "client-certificate"))
		t->cert_file = xstrdup(str_of(u, "client-certificate"));
	if (!rc && str_of(u, "client-key-data"))
		rc = data_file(t, "client.key", str_of(u, "client-key-data"), &t->key_file, err);
	else if (!rc && str_of(u, "client-key"))
		t->key_file = xstrdup(str_of(u, "client-key"));
	if (!rc && (!t->cert_file) != (!t->key_file))
		rc = sb_fail(err, EXIT_CONFIG, "user '%s': a client certificate needs both a certificate and a key", t->user);
	if (!rc && str_of(u, "client-certificate") && !str_of(u, "client-certificate-data"))
		rc = named_file(t, "user", t->user, "client-certificate", t->cert_file, err);
	if (!rc && str_of(u, "client-key") && !str_of(u, "client-key-data"))
		rc = named_file(t, "user", t->user, "client-key", t->key_file, err);
	if (!rc && json_is_object(json_object_get(u, "exec")) && !t->token && !t->cert_file)
		rc = kube_exec_credential(t, json_object_get(u, "exec"), err);
	return rc;
}

static int resolve(struct merged *m, const char *context, struct kube_target *t, struct strbuf *err)
{
	const char *name = context ? context : m->current;
	if (!name)
		return sb_fail(err, EXIT_CONFIG, "no context: the kubeconfig has no current-context; give --context");
	json_t *ctx = json_object_get(m->contexts, name);
	if (!ctx)
		return sb_fail(err, EXIT_CONFIG, "context '%s' is not in the kubeconfig", name);
	t->context = xstrdup(name);
	const char *cl = str_of(ctx, "cluster"), *us = str_of(ctx, "user"), *ns = str_of(ctx, "namespace");
	t->namespace = xstrdup(ns ? ns : "default");
	if (!cl || !json_object_get(m->clusters, cl))
		return sb_fail(err, EXIT_CONFIG, "context '%s': cluster '%s' is not in the kubeconfig", name, cl ? cl : "");
	t->cluster = xstrdup(cl);
	t->user = xstrdup(us ? us : "");
	int rc = cluster_fields(t, json_object_get(m->clusters, cl), err);
	if (!rc && us) {
		json_t *u = json_object_get(m->users, us);
		if (!u)
			return sb_fail(err, EXIT_CONFIG, "context '%s': user '%s' is not in the kubeconfig", name, us);
		rc = user_fields(t, u, err);
	}
	return rc;
}

int kube_config_load(const char *path, const char *context, struct kube_target *t, struct strbuf *err)
{
	memset(t, 0, sizeof *t);
	struct strlist files = STRLIST_INIT;
	struct merged m = { json_object(), json_object(), json_object(), NULL };
	int rc = file_list(path, &files, err);
	for (size_t i = 0; !rc && i < files.n; i++)
		rc = merge_file(&m, files.v[i], err);
	if (!rc)
		rc = resolve(&m, context, t, err);
	if (rc)
		kube_target_free(t);
	json_decref(m.clusters);
	json_decref(m.users);
	json_decref(m.contexts);
	free(m.current);
	strlist_clear(&files);
	return rc;
}

static void remove_file(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	unlink(p);
	free(p);
}

void kube_target_free(struct kube_target *t)
{
	if (t->tmpdir) {
		remove_file(t->tmpdir, "ca.crt");
		remove_file(t->tmpdir, "client.crt");
		remove_file(t->tmpdir, "client.key");
		rmdir(t->tmpdir);
	}
	free(t->context);
	free(t->cluster);
	free(t->user);
	free(t->namespace);
	free(t->server);
	free(t->ca_file);
	secret_free(t->token);
	free(t->cert_file);
	free(t->key_file);
	free(t->tmpdir);
	memset(t, 0, sizeof *t);
}
