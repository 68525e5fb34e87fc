/* keypair.c: --key-name / --ssh-key for create; see osvm.h. */
#include "osvm.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

/* "ssh-ed25519 AAAA... comment" -> "ssh-ed25519 AAAA...": what identifies a key. */
static char *key_id(const char *line)
{
	const char *p = line + strspn(line, " \t");
	size_t type = strcspn(p, " \t\r\n");
	const char *b = p + type + strspn(p + type, " \t");
	size_t blob = strcspn(b, " \t\r\n");
	if (!type || !blob)
		return NULL;
	return xasprintf("%.*s %.*s", (int)type, p, (int)blob, b);
}

static int read_key(const char *file, char **key, char **id, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	if (sb_read_file(&sb, file) < 0) {
		int e = errno;
		sb_release(&sb);
		return sb_fail(err, exit_for_errno(e), "%s", strerror(e));
	}
	while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == '\r'))
		sb.buf[--sb.len] = 0;
	*id = key_id(sb.buf);
	if (!*id || strchr(sb.buf, '\n') || strstr(sb.buf, "PRIVATE KEY")) {
		free(*id);
		*id = NULL; /* the caller frees it too */
		sb_release(&sb);
		return sb_fail(err, EXIT_DATA, "not an OpenSSH public key (one line: TYPE BASE64 [COMMENT])");
	}
	*key = sb_detach(&sb);
	return 0;
}

/* FNV-1a, 64 bits: a stable name for a key, not a security property. */
static char *name_for(const char *id)
{
	uint64_t h = 14695981039346656037ULL;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return xasprintf("cloudctl-%016llx", (unsigned long long)h);
}

static int get_keypair(struct os_session *s, const char *name, json_t **kp, struct strbuf *err)
{
	char *esc = http_escape(name), *path = xasprintf("/os-keypairs/%s", esc);
	json_t *doc = NULL;
	int rc = os_call(s, "GET", "compute", path, NULL, &doc, err);
	*kp = rc ? NULL : json_incref(json_object_get(doc, "keypair"));
	json_decref(doc);
	free(esc);
	free(path);
	return rc;
}

/* The name of the project user's keypair holding key id, or NULL. */
static int find_by_key(struct os_session *s, const char *id, char **name, struct strbuf *err)
{
	json_t *all = NULL, *e;
	size_t i;
	*name = NULL;
	int rc = os_list(s, "compute", "/os-keypairs", "keypairs", &all, err);
	json_array_foreach(all, i, e) {
		const json_t *kp = json_object_get(e, "keypair"); /* [{"keypair": {...}}] */
		char *kid = key_id(os_jstr(kp, "public_key") ? os_jstr(kp, "public_key") : "");
		if (!*name && kid && !strcmp(kid, id))
			*name = xstrdup(os_jstr(kp, "name"));
		free(kid);
	}
	json_decref(all);
	return rc;
}

static int make_keypair(struct os_session *s, const char *name, const char *key, struct strbuf *err)
{
	json_t *body = json_pack("{s:{s:s,s:s}}", "keypair", "name", name, "public_key", key);
	json_t *out = NULL;
	int rc = os_call(s, "POST", "compute", "/os-keypairs", body, &out, err);
	if (!rc)
		info("create: made keypair '%s'", name);
	json_decref(out);
	json_decref(body);
	return rc;
}

int osvm_keypair(struct os_session *s, const char *key_name, const char *ssh_key, char **name, int *made,
		 struct strbuf *err)
{
	char *key = NULL, *id = NULL;
	json_t *kp = NULL;
	int rc = ssh_key ? read_key(ssh_key, &key, &id, err) : 0;
	*name = NULL;
	*made = 0;
	if (!rc && !key_name) {
		rc = find_by_key(s, id, name, err);
		if (!rc && !*name) {
			*name = name_for(id);
			rc = make_keypair(s, *name, key, err);
			*made = !rc;
		}
	} else if (!rc) {
		rc = get_keypair(s, key_name, &kp, err);
		char *have = kp ? key_id(os_jstr(kp, "public_key") ? os_jstr(kp, "public_key") : "") : NULL;
		if (rc == EXIT_NOTFOUND && key) {
			sb_reset(err);
			rc = make_keypair(s, key_name, key, err);
			*made = !rc;
		} else if (rc == EXIT_NOTFOUND) {
			rc = sb_fail(err, EXIT_NOTFOUND, "no keypair named '%s' (--ssh-key FILE makes it)", key_name);
		} else if (!rc && id && !str_eq(have, id)) {
			rc = sb_fail(err, EXIT_EXISTS, "keypair '%s' exists and holds another key", key_name);
		}
		free(have);
		if (!rc)
			*name = xstrdup(key_name);
	}
	if (rc) {
		free(*name);
		*name = NULL;
	}
	json_decref(kp);
	free(key);
	free(id);
	return rc;
}

int osvm_keypair_delete(struct os_session *s, const char *name, struct strbuf *err)
{
	char *esc = http_escape(name), *path = xasprintf("/os-keypairs/%s", esc);
	int rc = os_call(s, "DELETE", "compute", path, NULL, NULL, err);
	free(esc);
	free(path);
	return rc;
}
