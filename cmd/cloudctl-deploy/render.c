/* render.c: what a kustomization would render for an image, by kustomize's
 * own images-transformer rules, so that a bump, rollback or promote that
 * would not deploy what it says is refused before anything is committed.
 *
 * The rules, as kustomize (api/internal/image, api/filters/imagetag) applies
 * them, read in its source, not copied:
 * - Every images[] entry is its own transformer, applied in the list's order to
 *   every image the directory's resources (and the bases and components they
 *   name, each already transformed by its own kustomization) carry: the image
 *   of every element of a "containers" or "initContainers" sequence at any
 *   depth (not in a CustomResourceDefinition), and spec/volumes[]/image/reference
 *   (also under spec/template).
 * - An entry matches an image when the image is its name, optionally followed
 *   by ":TAG" and then "@ALGORITHM:HEX". (kustomize compiles the name into a
 *   regular expression; we compare it literally, so a name with "." matches
 *   only itself here, where kustomize would also match any character there.)
 * - The image is split into name, tag and digest (the first ":" or "@" after
 *   the first "/"). newName replaces the name; newTag and digest together set
 *   both, newTag alone sets the tag and drops the digest, digest alone drops
 *   the tag, tagSuffix appends to the tag. The result is NAME[:TAG][@DIGEST]:
 *   a runtime pulls the digest whatever the tag says.
 * Components are walked as bases are: their images entries apply to their own
 * resources only (kustomize applies a component's transformers to everything
 * accumulated before it).
 * Resources outside the repository (URLs), Helm charts and generators cannot be
 * followed: when the entry matches nothing we can see and some were skipped,
 * the check says so in a warning instead of refusing. */
#include "deploy.h"

#include <ctype.h>
#include <string.h>

#include "yamlread.h"

/* --- image references as a cluster pulls them --- */

/* [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)* : a path component of the
 * distribution reference grammar. */
static int path_component_ok(const char *s, size_t n)
{
	if (n == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isupper(c))
			return 0;
		if (isalnum(c))
			continue;
		if (c != '.' && c != '_' && c != '-')
			return 0;
		/* separators: one "." or "_", "__", or any run of "-" */
		if (c == '.' && !isalnum((unsigned char)s[i + 1]))
			return 0;
		if (c == '_' && !(isalnum((unsigned char)s[i + 1]) || (s[i + 1] == '_' && isalnum((unsigned char)s[i + 2]))))
			return 0;
	}
	return 1;
}

/* host[:port]: letters, digits, "-", "." (or an IPv6 address in brackets) */
static int domain_ok(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t hn = colon ? (size_t)(colon - s) : n;
	if (hn == 0)
		return 0;
	if (s[0] == '[')
		return memchr(s, ']', n) != NULL;
	for (size_t i = 0; i < hn; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
			return 0;
	if (colon) {
		if (colon + 1 == s + n)
			return 0;
		for (const char *p = colon + 1; p < s + n; p++)
			if (!isdigit((unsigned char)*p))
				return 0;
	}
	return 1;
}

const char *image_repo_problem(const char *repo)
{
	if (str_starts(repo, "oci:"))
		return "an OCI image layout on this machine, which no cluster can pull";
	if (repo[0] == '/' || repo[0] == '.' || repo[0] == '~')
		return "a local path, which no cluster can pull";
	if (strlen(repo) > 255)
		return "longer than 255 characters";
	const char *p = repo, *slash = strchr(repo, '/');
	/* The first component is a registry when it looks like one (has "." or ":", or is localhost). */
	if (slash && (memchr(repo, '.', (size_t)(slash - repo)) || memchr(repo, ':', (size_t)(slash - repo)) ||
		      !strncmp(repo, "localhost/", 10))) {
		if (!domain_ok(repo, (size_t)(slash - repo)))
			return "not a registry host[:port] before the first /";
		p = slash + 1;
	}
	for (;;) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (!path_component_ok(p, n))
			return "not a repository name (lower-case letters, digits and . _ - between them, / between parts)";
		if (!end)
			return NULL;
		p = end + 1;
	}
}

const char *image_tag_problem(const char *tag)
{
	size_t n = strlen(tag);
	if (n == 0 || n > 128)
		return "a tag has 1 to 128 characters";
	if (!isalnum((unsigned char)tag[0]) && tag[0] != '_')
		return "a tag starts with a letter, digit or _";
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)tag[i]) && !strchr("_.-", tag[i]))
			return "a tag has only letters, digits, _ . -";
	return NULL;
}

const char *image_digest_problem(const char *d)
{
	const char *colon = strchr(d, ':');
	if (!colon || colon == d)
		return "a digest is ALGORITHM:HEX";
	size_t hex = strlen(colon + 1);
	for (const char *p = colon + 1; *p; p++)
		if (!isxdigit((unsigned char)*p) || isupper((unsigned char)*p))
			return "a digest's hex is lower-case 0-9a-f";
	if (str_starts(d, "sha256:") && hex != 64)
		return "a sha256 digest has 64 hex digits";
	if (str_starts(d, "sha512:") && hex != 128)
		return "a sha512 digest has 128 hex digits";
	if (!str_starts(d, "sha256:") && !str_starts(d, "sha512:"))
		return "the digest's algorithm is not sha256 or sha512";
	return NULL;
}

/* --- kustomize's image rules --- */

/* api/internal/image: IsImageMatched, with name taken literally */
static int image_matches(const char *img, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(img, name, n) != 0)
		return 0;
	const char *r = img + n;
	if (*r == ':')
		for (r++; isalnum((unsigned char)*r) || (*r && strchr("_.{}-", *r)); r++)
			;
	if (*r == '@') {
		const char *a = ++r;
		while (isalnum((unsigned char)*r) || (*r && strchr("+._-", *r)))
			r++;
		if (r == a || *r != ':')
			return 0;
		for (r++; isalnum((unsigned char)*r) || (*r && strchr("_.{}-", *r)); r++)
			;
	}
	return *r == 0;
}

/* api/internal/image: Split */
static void image_split(const char *img, char **name, char **tag, char **digest)
{
	const char *slash = strchr(img, '/');
	const char *search = slash && slash > img ? slash : img;
	const char *at = strchr(search, '@'), *colon = strchr(search, ':');
	*tag = *digest = NULL;
	if (!at && !colon) {
		*name = xstrdup(img);
		return;
	}
	if (at && (!colon || at < colon)) {
		*name = xstrndup(img, (size_t)(at - img));
		*digest = xstrdup(at + 1);
		return;
	}
	*name = xstrndup(img, (size_t)(colon - img));
	*tag = at ? xstrndup(colon + 1, (size_t)(at - colon - 1)) : xstrdup(colon + 1);
	if (at)
		*digest = xstrdup(at + 1);
}

static const char *field_str(const json_t *e, const char *k)
{
	const char *s = json_string_value(json_object_get(e, k));
	return s && *s ? s : NULL;
}

/* api/filters/imagetag: imageTagUpdater.SetImageValue. Returns a new string,
 * or NULL when entry e does not match img. */
static char *apply_entry(const json_t *e, const char *img)
{
	const char *ename = field_str(e, "name");
	if (!ename || !image_matches(img, ename))
		return NULL;
	char *name, *tag, *digest;
	image_split(img, &name, &tag, &digest);
	const char *nn = field_str(e, "newName"), *nt = field_str(e, "newTag"), *nd = field_str(e, "digest"),
		   *sfx = field_str(e, "tagSuffix");
	if (nn)
		free(name), name = xstrdup(nn);
	if (nt || nd) {
		free(tag), free(digest);
		tag = nt ? xstrdup(nt) : NULL;
		digest = nd ? xstrdup(nd) : NULL;
	} else if (sfx) {
		char *t = xasprintf("%s%s", tag ? tag : "", sfx);
		free(tag), free(digest);
		tag = t, digest = NULL;
	}
	struct strbuf out = STRBUF_INIT;
	sb_adds(&out, name);
	if (tag && *tag)
		sb_addf(&out, ":%s", tag);
	if (digest && *digest)
		sb_addf(&out, "@%s", digest);
	free(name), free(tag), free(digest);
	return sb_detach(&out);
}

/* --- the images of a directory's resources --- */

struct render {
	struct gitr *g;
	const git_oid *tip;
	struct strlist imgs;      /* every image, as transformed so far */
	struct strlist skipped;   /* what could not be followed, and why */
	const char *watch;        /* the top kustomization's entry to watch */
	size_t *hit;              /* indices in imgs that entry matched */
	size_t nhit, caphit;
};

static void add_image(struct render *r, const json_t *v)
{
	const char *s = json_string_value(v);
	if (s)
		strlist_add(&r->imgs, s);
}

/* legacy.go's walk: "containers" and "initContainers" sequences at any depth */
static void walk_containers(struct render *r, const json_t *v)
{
	const char *k;
	const json_t *x, *c;
	size_t i;
	if (json_is_object(v))
		json_object_foreach((json_t *)v, k, x) {
			walk_containers(r, x);
			if ((!strcmp(k, "containers") || !strcmp(k, "initContainers")) && json_is_array(x))
				json_array_foreach(x, i, c) add_image(r, json_object_get(c, "image"));
		}
	else if (json_is_array(v))
		json_array_foreach(v, i, x) walk_containers(r, x);
}

static void collect_doc(struct render *r, const json_t *doc)
{
	const char *kind = json_string_value(json_object_get(doc, "kind"));
	if (kind && !strcmp(kind, "CustomResourceDefinition"))
		return;
	walk_containers(r, doc);
	const json_t *spec = json_object_get(doc, "spec"), *tspec = json_object_get(json_object_get(spec, "template"), "spec");
	const json_t *vols[2] = { json_object_get(spec, "volumes"), json_object_get(tspec, "volumes") }, *v;
	size_t i;
	for (int j = 0; j < 2; j++)
		json_array_foreach(vols[j], i, v) add_image(r, json_object_get(json_object_get(v, "image"), "reference"));
}

/* dir/rel with "." and ".." resolved; NULL when it leaves the repository */
static char *join_path(const char *dir, const char *rel)
{
	struct strlist parts = STRLIST_INIT;
	char *all = *dir ? xasprintf("%s/%s", dir, rel) : xstrdup(rel), *save = NULL;
	for (char *t = strtok_r(all, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (!strcmp(t, "."))
			continue;
		if (!strcmp(t, "..")) {
			if (!parts.n) {
				strlist_clear(&parts);
				free(all);
				return NULL;
			}
			free(parts.v[--parts.n]);
			parts.v[parts.n] = NULL;
			continue;
		}
		strlist_add(&parts, t);
	}
	struct strbuf out = STRBUF_INIT;
	for (size_t i = 0; i < parts.n; i++)
		sb_addf(&out, "%s%s", i ? "/" : "", parts.v[i]);
	strlist_clear(&parts);
	free(all);
	return sb_detach(&out);
}

static void render_dir(struct render *r, const char *dir, const json_t *kdoc, int depth);

static void render_resource(struct render *r, const char *dir, const char *res, int depth)
{
	if (strstr(res, "://") || strstr(res, "?ref=") || str_starts(res, "github.com/") || str_starts(res, "git@")) {
		strlist_add(&r->skipped, res);
		return;
	}
	char *path = join_path(dir, res);
	if (!path) {
		strlist_add(&r->skipped, res);
		return;
	}
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	json_t *docs = NULL;
	if (gitr_is_dir(r->g, r->tip, path))
		render_dir(r, path, NULL, depth + 1);
	else if (gitr_read(r->g, r->tip, path, &text, &err) != 0 || yaml_read(path, text.buf, text.len, &docs, &err) < 0)
		strlist_add(&r->skipped, path);
	else {
		size_t i;
		const json_t *d;
		json_array_foreach(docs, i, d) {
			const json_t *items = json_object_get(d, "items"), *it;
			size_t j;
			collect_doc(r, d);
			json_array_foreach(items, j, it) collect_doc(r, it); /* a List */
		}
	}
	json_decref(docs);
	sb_release(&text);
	sb_release(&err);
	free(path);
}

/* The resources of dir (its kustomization kdoc, or read from the tip),
 * collected and then transformed by its images list, as kustomize builds it. */
static void render_dir(struct render *r, const char *dir, const json_t *kdoc, int depth)
{
	json_t *own = NULL;
	if (depth > 16) {
		strlist_add(&r->skipped, dir);
		return;
	}
	if (!kdoc) {
		struct strbuf err = STRBUF_INIT, text = STRBUF_INIT;
		char *file = NULL;
		json_t *docs = NULL;
		if (find_kustomization(r->g, r->tip, dir, &file, &err) == 0 && gitr_read(r->g, r->tip, file, &text, &err) == 0 &&
		    yaml_read(file, text.buf, text.len, &docs, &err) == 0 && json_array_size(docs) == 1)
			own = json_incref(json_array_get(docs, 0));
		json_decref(docs);
		free(file);
		sb_release(&err);
		sb_release(&text);
		if (!own) {
			strlist_add(&r->skipped, dir);
			return;
		}
		kdoc = own;
	}
	size_t first = r->imgs.n, i, j;
	static const char *const lists[] = { "resources", "bases", "components" };
	const json_t *v;
	for (size_t k = 0; k < ARRAY_SIZE(lists); k++)
		json_array_foreach(json_object_get(kdoc, lists[k]), i, v)
			if (json_string_value(v))
				render_resource(r, dir, json_string_value(v), depth);
	if (json_object_get(kdoc, "helmCharts"))
		strlist_add(&r->skipped, "helmCharts");
	json_array_foreach(json_object_get(kdoc, "images"), j, v) {
		int watched = depth == 0 && r->watch && field_str(v, "name") && !strcmp(field_str(v, "name"), r->watch);
		for (i = first; i < r->imgs.n; i++) {
			char *to = apply_entry(v, r->imgs.v[i]);
			if (!to)
				continue;
			free(r->imgs.v[i]);
			r->imgs.v[i] = to;
			if (watched) {
				r->hit = xgrow(r->hit, &r->caphit, r->nhit + 1, sizeof *r->hit);
				r->hit[r->nhit++] = i;
			}
		}
		if (watched)
			r->watch = NULL; /* the first entry of that name: kustomize's duplicates are refused by yamledit */
	}
	json_decref(own);
}

static void list_names(struct strbuf *out, const struct strlist *l, size_t max)
{
	for (size_t i = 0; i < l->n && i < max; i++)
		sb_addf(out, "%s%s", i ? ", " : "", l->v[i]);
	if (l->n > max)
		sb_addf(out, ", ... (%zu in all)", l->n);
	if (!l->n)
		sb_adds(out, "none");
}

int render_check(struct gitr *g, const git_oid *tip, const char *dir, const char *file, const json_t *kdoc,
		 const char *entry, const char *repo, const char *tag, const char *digest, struct strbuf *err)
{
	struct render r = { g, tip, STRLIST_INIT, STRLIST_INIT, entry, NULL, 0, 0 };
	render_dir(&r, dir, kdoc, 0);
	int rc = 0;
	char *want = xasprintf("%s%s%s%s%s", repo, tag ? ":" : "", tag ? tag : "", digest ? "@" : "", digest ? digest : "");
	if (r.nhit == 0 && r.skipped.n) {
		struct strbuf s = STRBUF_INIT;
		list_names(&s, &r.skipped, 3);
		warnx("%s: cannot check that %s renders %s: no image it matches here, and not followed: %s", file, entry, want,
		      s.buf);
		sb_release(&s);
	} else if (r.nhit == 0) {
		struct strbuf s = STRBUF_INIT;
		list_names(&s, &r.imgs, 6);
		rc = sb_fail(err, EXIT_DATA, "%s: images entry %s matches no image of %s's workloads, so %s would not be "
			     "deployed (their images after kustomize: %s)", file, entry, *dir ? dir : ".", want, s.buf);
		sb_release(&s);
	}
	for (size_t i = 0; i < r.nhit && !rc; i++) {
		char *n, *t, *d;
		const char *got = r.imgs.v[r.hit[i]];
		image_split(got, &n, &t, &d);
		if (strcmp(n, repo) != 0)
			rc = sb_fail(err, EXIT_DATA, "%s: kustomize would render %s, not %s: a later images entry renames it",
				     file, got, want);
		else if (digest && (!d || strcmp(d, digest)))
			rc = sb_fail(err, EXIT_DATA, "%s: kustomize would render %s, not %s", file, got, want);
		else if (!digest && d)
			rc = sb_fail(err, EXIT_DATA, "%s: kustomize would render %s, not %s: the entry's digest %s is what gets "
				     "pulled (--pin digest, or remove the digest line)", file, got, want, d);
		else if (!digest && tag && (!t || strcmp(t, tag)))
			rc = sb_fail(err, EXIT_DATA, "%s: kustomize would render %s, not %s", file, got, want);
		free(n), free(t), free(d);
	}
	free(want);
	free(r.hit);
	strlist_clear(&r.imgs);
	strlist_clear(&r.skipped);
	return rc;
}
