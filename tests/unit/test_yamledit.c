/* test_yamledit.c: edits that change only the bytes of one scalar (or add
 * whole lines in the file's own style), compared with the whole expected file
 * byte for byte; every refusal with its exact message and position; random
 * edits on a corpus that must always read back (yaml_read) as the expected
 * JSON; and unified diffs that apply back to the new text. */
#include "check.h"
#include "udiff.h"
#include "util.h"
#include "yamledit.h"
#include "yamlread.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

/* The item edit on the list most files here hold: kustomize's images:, whose
 * rules (which fields) are cloudctl-deploy's and tested in test_kustomize.c. */
static int set_image(struct yedit *e, const char *image, const char *field, const char *value,
		     char **old, struct strbuf *err)
{
	return yedit_set_item(e, "images", "name", image, field, value, old, err);
}

struct result {
	int rc;
	char *text; /* the new text, or the error message */
	char *old;
};

static void result_free(struct result *r)
{
	free(r->text);
	free(r->old);
}

/* One edit of text: set_image when image is set, else set_path (path in field). */
static struct result edit(const char *text, const char *image, const char *field,
			  const char *value)
{
	struct result r = { 0 };
	struct yedit e;
	struct strbuf err = STRBUF_INIT;
	if (yedit_load(&e, "k.yaml", text, strlen(text), &err) < 0) {
		r.rc = -2;
		r.text = sb_detach(&err);
		return r;
	}
	r.rc = image ? set_image(&e, image, field, value, &r.old, &err)
		     : yedit_set_path(&e, field, value, &r.old, &err);
	r.text = r.rc < 0 ? sb_detach(&err) : xstrdup(yedit_text(&e, NULL));
	if (r.rc < 0)
		CHECK_STR(yedit_text(&e, NULL), text); /* nothing half-done */
	CHECK_INT(e.changed, r.rc == YEDIT_CHANGED);
	sb_release(&err);
	yedit_release(&e);
	return r;
}

#define CHECK_EDIT(in_, image_, field_, value_, want_rc, want_text, want_old)      \
	do {                                                                         \
		struct result r_ = edit(in_, image_, field_, value_);                \
		CHECK_INT(r_.rc, want_rc);                                           \
		CHECK_STR(r_.text, want_text);                                       \
		if ((want_old) || r_.old)                                            \
			CHECK_STR(r_.old, want_old);                                 \
		result_free(&r_);                                                    \
	} while (0)

#define CHECK_REFUSED(in_, image_, field_, value_, want_msg)                       \
	CHECK_EDIT(in_, image_, field_, value_, -1, want_msg, NULL)

#define FRONT "registry.local/shop/frontend"
#define BACK "registry.local/shop/backend"

static const char *const kust =
	"# GitOps overlay: shop, dev\n"
	"apiVersion: kustomize.config.k8s.io/v1beta1\n"
	"kind: Kustomization\n"
	"\n"
	"resources:\n"
	"  - ../../base   # the base\n"
	"\n"
	"images:\n"
	"  # the frontend, bumped by CI\n"
	"  - name: " FRONT "\n"
	"    newTag: 3f2a1bc   # from main\n"
	"  # the backend\n"
	"  - newName: registry.local/shop/api\n"
	"    name: " BACK "\n"
	"    newTag: \"1.0\"\n"
	"\n"
	"# trailing comment\n";

/* ---- replacing a scalar ---- */

static void test_replace_tag(void)
{
	CHECK_EDIT(kust, FRONT, "newTag", "9c1e2d4", YEDIT_CHANGED,
		   "# GitOps overlay: shop, dev\n"
		   "apiVersion: kustomize.config.k8s.io/v1beta1\n"
		   "kind: Kustomization\n"
		   "\n"
		   "resources:\n"
		   "  - ../../base   # the base\n"
		   "\n"
		   "images:\n"
		   "  # the frontend, bumped by CI\n"
		   "  - name: " FRONT "\n"
		   "    newTag: 9c1e2d4   # from main\n"
		   "  # the backend\n"
		   "  - newName: registry.local/shop/api\n"
		   "    name: " BACK "\n"
		   "    newTag: \"1.0\"\n"
		   "\n"
		   "# trailing comment\n",
		   "3f2a1bc");
	/* Double quotes stay, key order stays; newName replaced in place. */
	CHECK_EDIT(kust, BACK, "newTag", "1.10", YEDIT_CHANGED,
		   "# GitOps overlay: shop, dev\n"
		   "apiVersion: kustomize.config.k8s.io/v1beta1\n"
		   "kind: Kustomization\n"
		   "\n"
		   "resources:\n"
		   "  - ../../base   # the base\n"
		   "\n"
		   "images:\n"
		   "  # the frontend, bumped by CI\n"
		   "  - name: " FRONT "\n"
		   "    newTag: 3f2a1bc   # from main\n"
		   "  # the backend\n"
		   "  - newName: registry.local/shop/api\n"
		   "    name: " BACK "\n"
		   "    newTag: \"1.10\"\n"
		   "\n"
		   "# trailing comment\n",
		   "1.0");
	CHECK_EDIT(kust, BACK, "newName", "registry.local/shop/api2", YEDIT_CHANGED,
		   "# GitOps overlay: shop, dev\n"
		   "apiVersion: kustomize.config.k8s.io/v1beta1\n"
		   "kind: Kustomization\n"
		   "\n"
		   "resources:\n"
		   "  - ../../base   # the base\n"
		   "\n"
		   "images:\n"
		   "  # the frontend, bumped by CI\n"
		   "  - name: " FRONT "\n"
		   "    newTag: 3f2a1bc   # from main\n"
		   "  # the backend\n"
		   "  - newName: registry.local/shop/api2\n"
		   "    name: " BACK "\n"
		   "    newTag: \"1.0\"\n"
		   "\n"
		   "# trailing comment\n",
		   "registry.local/shop/api");
}

/* Values a YAML reader would take for something other than a string. */
static void test_quoting(void)
{
	static const char *const plain = "images:\n- name: a\n  newTag: v1\n";
	static const char *const cases[][2] = {
		{ "1.10", "\"1.10\"" }, { "0x1f", "\"0x1f\"" }, { "1e3", "\"1e3\"" },
		{ "true", "\"true\"" }, { "~", "\"~\"" }, { "null", "\"null\"" },
		{ "yes", "\"yes\"" }, { "Off", "\"Off\"" }, { "012", "\"012\"" },
		{ "1_000", "\"1_000\"" }, { "2024-01-02", "\"2024-01-02\"" },
		{ "1:20", "\"1:20\"" }, { ".inf", "\".inf\"" }, { "", "\"\"" },
		{ "3f2a1bc", "3f2a1bc" }, { "1234567", "\"1234567\"" },
		{ "v1.2.3", "v1.2.3" }, { "1.2.3", "1.2.3" }, { "latest", "latest" },
		{ "sha256:9c1e", "sha256:9c1e" }, { "a: b", "\"a: b\"" },
		{ "a #b", "\"a #b\"" }, { "-x", "\"-x\"" }, { "*x", "\"*x\"" },
		{ "say \"hi\"\\", "say \"hi\"\\" }, { "\"hi\"", "\"\\\"hi\\\"\"" },
		{ "'hi'", "\"'hi'\"" }, { "y", "\"y\"" }, { "ümlaut", "ümlaut" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *want = xasprintf("images:\n- name: a\n  newTag: %s\n", cases[i][1]);
		CHECK_EDIT(plain, "a", "newTag", cases[i][0], YEDIT_CHANGED, want, "v1");
		free(want);
	}
	/* Quoted stays quoted, in its own style, also where plain would do. */
	CHECK_EDIT("images:\n- name: a\n  newTag: 'v1'\n", "a", "newTag", "it's 1.10", YEDIT_CHANGED,
		   "images:\n- name: a\n  newTag: 'it''s 1.10'\n", "v1");
	CHECK_EDIT("images:\n- name: a\n  newTag: 'v1'\n", "a", "newTag", "v2", YEDIT_CHANGED,
		   "images:\n- name: a\n  newTag: 'v2'\n", "v1");
	CHECK_EDIT("images:\n- name: a\n  newTag: \"v1\"\n", "a", "newTag", "v2", YEDIT_CHANGED,
		   "images:\n- name: a\n  newTag: \"v2\"\n", "v1");
	/* A name written quoted still matches. */
	CHECK_EDIT("images:\n- name: 'a'\n  newTag: v1 # x\n", "a", "newTag", "v2", YEDIT_CHANGED,
		   "images:\n- name: 'a'\n  newTag: v2 # x\n", "v1");
}

static void test_unchanged(void)
{
	CHECK_EDIT(kust, FRONT, "newTag", "3f2a1bc", YEDIT_UNCHANGED, kust, "3f2a1bc");
	CHECK_EDIT(kust, BACK, "newTag", "1.0", YEDIT_UNCHANGED, kust, "1.0");
	/* Written plain, 1.10 reads as the number 1.1: the string needs quotes. */
	CHECK_EDIT("images:\n- name: a\n  newTag: 1.10\n", "a", "newTag", "1.10", YEDIT_CHANGED,
		   "images:\n- name: a\n  newTag: \"1.10\"\n", "1.10");
	/* Twice on one yedit: the second reports unchanged. */
	struct yedit e;
	struct strbuf err = STRBUF_INIT;
	char *old = NULL;
	CHECK(yedit_load(&e, "k.yaml", kust, strlen(kust), &err) == 0);
	CHECK_INT(set_image(&e, FRONT, "newTag", "1e3", &old, &err), YEDIT_CHANGED);
	CHECK_STR(old, "3f2a1bc");
	free(old);
	CHECK_INT(set_image(&e, FRONT, "newTag", "1e3", &old, &err), YEDIT_UNCHANGED);
	CHECK_STR(old, "1e3");
	free(old);
	CHECK(strstr(yedit_text(&e, NULL), "newTag: \"1e3\"   # from main\n") != NULL);
	CHECK_INT(e.changed, 1);
	CHECK_STR(err.buf, "");
	yedit_release(&e);
	sb_release(&err);
}

/* ---- adding keys, entries, the list ---- */

static void test_add_field(void)
{
	CHECK_EDIT(kust, FRONT, "digest", "sha256:9c1e", YEDIT_CHANGED,
		   "# GitOps overlay: shop, dev\n"
		   "apiVersion: kustomize.config.k8s.io/v1beta1\n"
		   "kind: Kustomization\n"
		   "\n"
		   "resources:\n"
		   "  - ../../base   # the base\n"
		   "\n"
		   "images:\n"
		   "  # the frontend, bumped by CI\n"
		   "  - name: " FRONT "\n"
		   "    newTag: 3f2a1bc   # from main\n"
		   "    digest: sha256:9c1e\n"
		   "  # the backend\n"
		   "  - newName: registry.local/shop/api\n"
		   "    name: " BACK "\n"
		   "    newTag: \"1.0\"\n"
		   "\n"
		   "# trailing comment\n",
		   NULL);
	/* The last entry of the list; a wide gap after the dash. */
	CHECK_EDIT("images:\n-   name: a\n    newName: b  # c\nresources:\n- x\n", "a", "newTag", "1.0",
		   YEDIT_CHANGED,
		   "images:\n-   name: a\n    newName: b  # c\n    newTag: \"1.0\"\nresources:\n- x\n", NULL);
	/* An empty field is null: filled in after its colon. */
	CHECK_EDIT("images:\n- name: a\n  newTag:   # todo\n", "a", "newTag", "v2", YEDIT_CHANGED,
		   "images:\n- name: a\n  newTag: v2   # todo\n", NULL);
	CHECK_EDIT("images:\n- name: a\n  newTag: ~\n", "a", "newTag", "v2", YEDIT_CHANGED,
		   "images:\n- name: a\n  newTag: v2\n", NULL);
}

static void test_add_entry(void)
{
	CHECK_EDIT(kust, "registry.local/shop/cart", "newTag", "0123", YEDIT_CHANGED,
		   "# GitOps overlay: shop, dev\n"
		   "apiVersion: kustomize.config.k8s.io/v1beta1\n"
		   "kind: Kustomization\n"
		   "\n"
		   "resources:\n"
		   "  - ../../base   # the base\n"
		   "\n"
		   "images:\n"
		   "  # the frontend, bumped by CI\n"
		   "  - name: " FRONT "\n"
		   "    newTag: 3f2a1bc   # from main\n"
		   "  # the backend\n"
		   "  - newName: registry.local/shop/api\n"
		   "    name: " BACK "\n"
		   "    newTag: \"1.0\"\n"
		   "  - name: registry.local/shop/cart\n"
		   "    newTag: \"0123\"\n"
		   "\n"
		   "# trailing comment\n",
		   NULL);
	/* Not indented, as kustomize writes it. */
	CHECK_EDIT("images:\n- name: a\n  newTag: v1\n", "b", "digest", "sha256:00", YEDIT_CHANGED,
		   "images:\n- name: a\n  newTag: v1\n- name: b\n  digest: sha256:00\n", NULL);
	/* The entry's lines inherit a wide gap after the dash. */
	CHECK_EDIT("images:\n-   name: a\n    newTag: v1\n", "b", "newTag", "v2", YEDIT_CHANGED,
		   "images:\n-   name: a\n    newTag: v1\n-   name: b\n    newTag: v2\n", NULL);
	/* Two edits: newName for a new entry, then its tag under it. */
	struct yedit e;
	struct strbuf err = STRBUF_INIT;
	const char *t = "images:\n  - name: a\n    newTag: v1\n";
	CHECK(yedit_load(&e, "k.yaml", t, strlen(t), &err) == 0);
	CHECK_INT(set_image(&e, "b", "newName", "c", NULL, &err), YEDIT_CHANGED);
	CHECK_INT(set_image(&e, "b", "newTag", "v2", NULL, &err), YEDIT_CHANGED);
	CHECK_STR(yedit_text(&e, NULL),
		  "images:\n  - name: a\n    newTag: v1\n  - name: b\n    newName: c\n    newTag: v2\n");
	CHECK_STR(err.buf, "");
	yedit_release(&e);
	sb_release(&err);
}

static void test_create_images(void)
{
	/* After the trailing comment; entries indented like resources. */
	CHECK_EDIT("resources:\n  - a.yaml\n# end\n", "img", "newTag", "v1", YEDIT_CHANGED,
		   "resources:\n  - a.yaml\n# end\nimages:\n  - name: img\n    newTag: v1\n", NULL);
	/* kustomize's style when the file has no block sequence. */
	CHECK_EDIT("kind: Kustomization\n", "img", "newTag", "v1", YEDIT_CHANGED,
		   "kind: Kustomization\nimages:\n- name: img\n  newTag: v1\n", NULL);
	/* No final newline: still none after the edit. */
	CHECK_EDIT("kind: Kustomization", "img", "newTag", "v1", YEDIT_CHANGED,
		   "kind: Kustomization\nimages:\n- name: img\n  newTag: v1", NULL);
	/* Before an explicit document end. */
	CHECK_EDIT("---\nkind: Kustomization\n...\n", "img", "newTag", "v1", YEDIT_CHANGED,
		   "---\nkind: Kustomization\nimages:\n- name: img\n  newTag: v1\n...\n", NULL);
	/* An empty or null images: the entry goes under it. */
	CHECK_EDIT("images:   # none yet\nkind: K\n", "img", "newTag", "v1", YEDIT_CHANGED,
		   "images:   # none yet\n- name: img\n  newTag: v1\nkind: K\n", NULL);
	CHECK_EDIT("images: ~ # none\nkind: K\n", "img", "newTag", "v1", YEDIT_CHANGED,
		   "images:  # none\n- name: img\n  newTag: v1\nkind: K\n", NULL);
	CHECK_EDIT("kind: K\nimages:", "img", "newTag", "v1", YEDIT_CHANGED,
		   "kind: K\nimages:\n- name: img\n  newTag: v1", NULL);
}

/* ---- line ends, encodings ---- */

static void test_no_final_newline(void)
{
	const char *t = "images:\n- name: a\n  newTag: v1 # last";
	CHECK_EDIT(t, "a", "newTag", "1.10", YEDIT_CHANGED,
		   "images:\n- name: a\n  newTag: \"1.10\" # last", "v1");
	CHECK_EDIT(t, "a", "digest", "sha256:1", YEDIT_CHANGED,
		   "images:\n- name: a\n  newTag: v1 # last\n  digest: sha256:1", NULL);
	CHECK_EDIT(t, "b", "newTag", "v2", YEDIT_CHANGED,
		   "images:\n- name: a\n  newTag: v1 # last\n- name: b\n  newTag: v2", NULL);
	CHECK_EDIT("images:\r\n- name: a\r\n  newTag: v1", "a", "newName", "x", YEDIT_CHANGED,
		   "images:\r\n- name: a\r\n  newTag: v1\r\n  newName: x", NULL);
	CHECK_EDIT("images:\n- name: a\n  newTag:", "a", "newTag", "v2", YEDIT_CHANGED,
		   "images:\n- name: a\n  newTag: v2", NULL);
}

static void test_crlf(void)
{
	const char *t = "# c\r\nimages:\r\n  - name: a\r\n    newTag: v1 # x\r\n";
	CHECK_EDIT(t, "a", "newTag", "v2", YEDIT_CHANGED,
		   "# c\r\nimages:\r\n  - name: a\r\n    newTag: v2 # x\r\n", "v1");
	CHECK_EDIT(t, "a", "digest", "sha256:1", YEDIT_CHANGED,
		   "# c\r\nimages:\r\n  - name: a\r\n    newTag: v1 # x\r\n    digest: sha256:1\r\n", NULL);
	CHECK_EDIT(t, "b", "newTag", "v2", YEDIT_CHANGED,
		   "# c\r\nimages:\r\n  - name: a\r\n    newTag: v1 # x\r\n"
		   "  - name: b\r\n    newTag: v2\r\n", NULL);
	CHECK_EDIT("kind: K\r\n", "b", "newTag", "v2", YEDIT_CHANGED,
		   "kind: K\r\nimages:\r\n- name: b\r\n  newTag: v2\r\n", NULL);
	CHECK_EDIT("kind: K\r\nx: 1", "b", "newTag", "v2", YEDIT_CHANGED,
		   "kind: K\r\nx: 1\r\nimages:\r\n- name: b\r\n  newTag: v2", NULL);
}

static void test_utf8(void)
{
	/* Multibyte characters before the scalar, on its line and above it:
	 * libyaml counts characters, the edit must land on bytes. */
	const char *t = "# Überblick: größere Änderungen ✓\n"
			"images:\n"
			"  - name: reg/ä # ünïcödé\n"
			"    newTag: \"vé1\" # ✓✓\n";
	CHECK_EDIT(t, "reg/ä", "newTag", "v2", YEDIT_CHANGED,
		   "# Überblick: größere Änderungen ✓\n"
		   "images:\n"
		   "  - name: reg/ä # ünïcödé\n"
		   "    newTag: \"v2\" # ✓✓\n",
		   "vé1");
	CHECK_EDIT(t, "reg/ä", "digest", "sha256:ö", YEDIT_CHANGED,
		   "# Überblick: größere Änderungen ✓\n"
		   "images:\n"
		   "  - name: reg/ä # ünïcödé\n"
		   "    newTag: \"vé1\" # ✓✓\n"
		   "    digest: sha256:ö\n",
		   NULL);
	/* A BOM stays, and is not counted by libyaml. */
	CHECK_EDIT("\xEF\xBB\xBFimages:\n- name: a\n  newTag: v1\n", "a", "newTag", "v2", YEDIT_CHANGED,
		   "\xEF\xBB\xBFimages:\n- name: a\n  newTag: v2\n", "v1");
	CHECK_REFUSED("images:\n- name: a\n", "a", "newTag", "v\n2",
		      "k.yaml: images[name=a].newTag: the value is not UTF-8 text without control characters");
	CHECK_REFUSED("images:\n- name: a\n", "a", "newTag", "v\xff",
		      "k.yaml: images[name=a].newTag: the value is not UTF-8 text without control characters");
	/* Overlong forms, surrogates and code points above U+10FFFF are not UTF-8. */
	const char *ill[] = { "v\xe0\x80\xaf", "v\xf0\x80\x80\xaf", "v\xed\xa0\x80",
			      "v\xf4\x90\x80\x80", "v\xc0\xaf", "v\xe2\x9c" };
	for (size_t i = 0; i < sizeof ill / sizeof ill[0]; i++)
		CHECK_REFUSED("images:\n- name: a\n", "a", "newTag", ill[i],
			      "k.yaml: images[name=a].newTag: the value is not UTF-8 text without control characters");
}

/* ---- refusals ---- */

static void test_refused(void)
{
	CHECK_EDIT("images:\n- name: a\n  newTag: [v1\n", "a", "newTag", "v2", -2,
		   "k.yaml:4:1: not valid YAML: did not find expected ',' or ']' (while parsing a flow sequence at 3:11)",
		   NULL);
	CHECK_EDIT("images:\n- name: a\n\tnewTag: v1\n", "a", "newTag", "v2", -2,
		   "k.yaml:3:1: not valid YAML: a tab in the indentation (YAML indents with spaces only)",
		   NULL);
	CHECK_EDIT("images:\n- name: a\n---\nkind: K\n", "a", "newTag", "v2", -2,
		   "k.yaml:3:1: a second YAML document: only files with one document can be edited", NULL);
	CHECK_EDIT("# only a comment\n", "a", "newTag", "v2", -2, "k.yaml:1:1: no YAML document in the file",
		   NULL);
	CHECK_EDIT("images:\n- name: a\n  newTag: v1\n  newTag: v2\n", "a", "newTag", "v2", -2,
		   "k.yaml:4:3: duplicate key \"newTag\"", NULL);
	CHECK_REFUSED("images: [{name: a, newTag: v1}]\n", "a", "newTag", "v2",
		      "k.yaml:1:9: images is in flow style ([...]): cloudctl edits block style only, never rewrites flow style");
	CHECK_REFUSED("images:\n- {name: a, newTag: v1}\n", "a", "newTag", "v2",
		      "k.yaml:2:3: the images entry for a is in flow style ({...}): cloudctl edits block style only, never rewrites flow style");
	CHECK_REFUSED("images: a\n", "a", "newTag", "v2", "k.yaml:1:9: images is not a sequence");
	CHECK_REFUSED("images:\n- a\n", "a", "newTag", "v2", "k.yaml:2:3: images[0] is not a mapping");
	CHECK_REFUSED("images:\n- name: a\n  newTag: v1\n- name: b\n- name: a\n", "a", "newTag", "v2",
		      "k.yaml:5:3: duplicate images entries for a (lines 2 and 5)");
	CHECK_REFUSED("images:\n- name: a\n  newTag: &t v1\n- name: b\n  newTag: *t\n", "a", "newTag", "v2",
		      "k.yaml:3:11: images[name=a].newTag has an anchor (&): cloudctl does not edit shared nodes");
	CHECK_REFUSED("images:\n- name: a\n  newTag: &t v1\n- name: b\n  newTag: *t\n", "b", "newTag", "v2",
		      "k.yaml:5:11: images[name=b].newTag is an alias (*): cloudctl does not edit shared nodes");
	CHECK_REFUSED("x: &e {newTag: v1}\nimages:\n- <<: *e\n  name: a\n", "a", "newTag", "v2",
		      "k.yaml:3:3: the images entry for a uses a merge key (<<): cloudctl does not edit merged mappings");
	CHECK_REFUSED("images: &i\n- name: a\n", "a", "newTag", "v2",
		      "k.yaml:1:9: images has an anchor (&): cloudctl does not edit shared nodes");
	CHECK_REFUSED("images:\n- name: a\n  newTag: !!str v1\n", "a", "newTag", "v2",
		      "k.yaml:3:11: images[name=a].newTag has an explicit tag (!): cloudctl does not edit tagged nodes");
	CHECK_REFUSED("images:\n- name: a\n  newTag: |\n    v1\n", "a", "newTag", "v2",
		      "k.yaml:3:11: images[name=a].newTag is a block scalar (| or >): cloudctl does not rewrite it");
	CHECK_REFUSED("images:\n- name: a\n  newTag:\n    x: 1\n", "a", "newTag", "v2",
		      "k.yaml:4:5: images[name=a].newTag is a mapping, not a scalar");
	CHECK_REFUSED("- a\n", "a", "newTag", "v2", "k.yaml:1:1: the document is not a mapping");
	CHECK_REFUSED("{images: []}\n", "a", "newTag", "v2",
		      "k.yaml:1:1: the document is in flow style ({...}): cloudctl edits block style only, never rewrites flow style");
}

/* Nothing in the editor knows images: any list, any key, any field. */
static void test_other_list(void)
{
	const char *text = "env:\n  - key: A # first\n    value: \"1\"\n";
	struct yedit e;
	struct strbuf err = STRBUF_INIT;
	char *old = NULL;
	CHECK(yedit_load(&e, "f.yaml", text, strlen(text), &err) == 0);
	CHECK_INT(yedit_set_item(&e, "env", "key", "A", "value", "2", &old, &err), YEDIT_CHANGED);
	CHECK_STR(old, "1");
	CHECK_INT(yedit_set_item(&e, "env", "key", "B", "tag", "true", NULL, &err), YEDIT_CHANGED);
	CHECK_INT(yedit_set_item(&e, "users", "id", "u1", "role", "admin", NULL, &err), YEDIT_CHANGED);
	CHECK_STR(yedit_text(&e, NULL),
		  "env:\n  - key: A # first\n    value: \"2\"\n  - key: B\n    tag: \"true\"\n"
		  "users:\n  - id: u1\n    role: admin\n");
	CHECK_INT(yedit_set_item(&e, "env", "key", "A", "value", "2", NULL, &err), YEDIT_UNCHANGED);
	free(old);
	yedit_release(&e);
	text = "env:\n- key: A\n- key: A\n";
	CHECK(yedit_load(&e, "f.yaml", text, strlen(text), &err) == 0);
	CHECK_INT(yedit_set_item(&e, "env", "key", "A", "value", "1", NULL, &err), -1);
	CHECK_STR(err.buf, "f.yaml:3:3: duplicate env entries for A (lines 2 and 3)");
	yedit_release(&e);
	sb_release(&err);
}

/* ---- key paths (Helm values) ---- */

static const char *const values =
	"# Default values for shop.\n"
	"replicaCount: 1\n"
	"\n"
	"image:\n"
	"  repository: registry.local/shop/frontend   # the image\n"
	"  # Overrides the image tag whose default is the chart appVersion.\n"
	"  tag: \"\"\n"
	"  pullPolicy: IfNotPresent\n"
	"\n"
	"service:\n"
	"  type: ClusterIP\n";

static void test_path(void)
{
	CHECK_EDIT(values, NULL, "image.tag", "3f2a1bc", YEDIT_CHANGED,
		   "# Default values for shop.\n"
		   "replicaCount: 1\n"
		   "\n"
		   "image:\n"
		   "  repository: registry.local/shop/frontend   # the image\n"
		   "  # Overrides the image tag whose default is the chart appVersion.\n"
		   "  tag: \"3f2a1bc\"\n"
		   "  pullPolicy: IfNotPresent\n"
		   "\n"
		   "service:\n"
		   "  type: ClusterIP\n",
		   "");
	CHECK_EDIT(values, NULL, "image.digest", "sha256:1", YEDIT_CHANGED,
		   "# Default values for shop.\n"
		   "replicaCount: 1\n"
		   "\n"
		   "image:\n"
		   "  repository: registry.local/shop/frontend   # the image\n"
		   "  # Overrides the image tag whose default is the chart appVersion.\n"
		   "  tag: \"\"\n"
		   "  pullPolicy: IfNotPresent\n"
		   "  digest: sha256:1\n"
		   "\n"
		   "service:\n"
		   "  type: ClusterIP\n",
		   NULL);
	CHECK_EDIT(values, NULL, "replicaCount", "2", YEDIT_CHANGED,
		   "# Default values for shop.\n"
		   "replicaCount: \"2\"\n"
		   "\n"
		   "image:\n"
		   "  repository: registry.local/shop/frontend   # the image\n"
		   "  # Overrides the image tag whose default is the chart appVersion.\n"
		   "  tag: \"\"\n"
		   "  pullPolicy: IfNotPresent\n"
		   "\n"
		   "service:\n"
		   "  type: ClusterIP\n",
		   "1");
	CHECK_EDIT("a:\n  b:\n    c: x\n", NULL, "a.b.c", "z", YEDIT_CHANGED, "a:\n  b:\n    c: z\n", "x");
	CHECK_EDIT("a:\n  b:\n    c: x\n", NULL, "a.b.c", "y", YEDIT_CHANGED, "a:\n  b:\n    c: \"y\"\n", "x");
	CHECK_EDIT("a:\n  b:\n    c: x\n", NULL, "a.b.c", "x", YEDIT_UNCHANGED, "a:\n  b:\n    c: x\n", "x");
	CHECK_REFUSED(values, NULL, "img.tag", "v2",
		      "k.yaml:2:1: img: no such key (keys on the way are not created)");
	CHECK_REFUSED(values, NULL, "image.repository.tag", "v2",
		      "k.yaml:5:15: image.repository is not a mapping");
	CHECK_REFUSED("image: {tag: v1}\n", NULL, "image.tag", "v2",
		      "k.yaml:1:8: image is in flow style ({...}): cloudctl edits block style only, never rewrites flow style");
	CHECK_REFUSED(values, NULL, "image..tag", "v2",
		      "k.yaml: key path \"image..tag\": keys separated by single dots");
	CHECK_REFUSED(values, NULL, "", "v2", "k.yaml: key path \"\": keys separated by single dots");
}

/* ---- random edits on a corpus ---- */

static const char *const corpus[] = {
	NULL, /* kust */
	"images:\n- name: a\n  newTag: 1.10\n- name: b # b\n  digest: 'sha256:0'\n",
	"apiVersion: v1\r\nimages:\r\n    -   name: a\r\n        newName: x\r\n# end\r\n",
	"resources:\n   - r.yaml\nkind: Kustomization",
	"images:\n",
	"# only images below\nimages:\n  - name: \"c\"\n    newTag: \"v1\"  # pinned ✓\n\n\n",
};

static const char *const names[] = { "a", "b", "c", FRONT, BACK, "reg/ä" };
static const char *const fields[] = { "newTag", "digest", "newName" };
static const char *const vals[] = {
	"v1", "1.10", "0x1f", "1e3", "true", "~", "", "it's", "say \"x\"", "#x", "a: b",
	"sha256:0", "3f2a1bc", "0123", "ü", "null", "-1", "x y",
};

static unsigned long rng_state = 12345;
static size_t rnd(size_t n)
{
	rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
	return (size_t)((rng_state >> 33) % n);
}

/* The model's images[name].field; NULL when missing. */
static json_t *model_field(json_t *doc, const char *name, const char *field)
{
	json_t *imgs = json_object_get(doc, "images");
	for (size_t i = 0; i < json_array_size(imgs); i++) {
		json_t *it = json_array_get(imgs, i);
		if (str_eq(json_string_value(json_object_get(it, "name")), name))
			return json_object_get(it, field);
	}
	return NULL;
}

static void model_set(json_t *doc, const char *name, const char *field, const char *value)
{
	json_t *imgs = json_object_get(doc, "images"), *entry = NULL;
	if (!json_is_array(imgs)) {
		imgs = json_array();
		json_object_set_new(doc, "images", imgs);
	}
	for (size_t i = 0; i < json_array_size(imgs) && !entry; i++)
		if (str_eq(json_string_value(json_object_get(json_array_get(imgs, i), "name")), name))
			entry = json_array_get(imgs, i);
	if (!entry) {
		entry = json_pack("{ss}", "name", name);
		json_array_append_new(imgs, entry);
	}
	json_object_set_new(entry, field, json_string(value));
}

static json_t *read_doc(const char *text)
{
	struct strbuf err = STRBUF_INIT;
	json_t *docs = NULL, *doc = NULL;
	if (yaml_read("f", text, strlen(text), &docs, &err) == 0)
		doc = json_incref(json_array_get(docs, 0));
	else
		printf("    reread: %s\n", err.buf);
	json_decref(docs);
	sb_release(&err);
	return doc;
}

static int fuzz_changes;

static int fuzz_one(struct yedit *e, json_t *model)
{
	const char *name = names[rnd(ARRAY_SIZE(names))], *field = fields[rnd(ARRAY_SIZE(fields))];
	const char *value = vals[rnd(ARRAY_SIZE(vals))];
	struct strbuf err = STRBUF_INIT;
	char *before = xstrdup(yedit_text(e, NULL));
	json_t *had = model_field(model, name, field), *want = json_string(value);
	int expect = json_equal(had, want) ? YEDIT_UNCHANGED : YEDIT_CHANGED;
	int rc = set_image(e, name, field, value, NULL, &err);
	int ok = rc == expect;
	fuzz_changes += rc == YEDIT_CHANGED;
	if (rc == YEDIT_UNCHANGED)
		ok = ok && strcmp(before, yedit_text(e, NULL)) == 0;
	model_set(model, name, field, value);
	json_t *got = read_doc(yedit_text(e, NULL));
	ok = ok && got && json_equal(got, model);
	if (!ok)
		printf("    set %s %s [%s]: rc %d want %d (%s)\n    before:\n%s\n    after:\n%s\n", name,
		       field, value, rc, expect, err.buf, before, yedit_text(e, NULL));
	json_decref(got);
	json_decref(want);
	free(before);
	sb_release(&err);
	return ok;
}

static void test_fuzz(void)
{
	for (size_t c = 0; c < ARRAY_SIZE(corpus); c++) {
		const char *text = corpus[c] ? corpus[c] : kust;
		for (int round = 0; round < 40; round++) {
			struct yedit e;
			struct strbuf err = STRBUF_INIT;
			CHECK(yedit_load(&e, "f", text, strlen(text), &err) == 0);
			json_t *model = read_doc(text);
			if (!json_is_object(model)) {
				json_decref(model);
				model = json_object();
			}
			int ok = 1;
			for (int i = 0; i < 25 && ok; i++)
				ok = fuzz_one(&e, model);
			CHECK(ok);
			json_decref(model);
			yedit_release(&e);
			sb_release(&err);
			if (!ok)
				return;
		}
	}
	CHECK(fuzz_changes > 2000); /* most of the 6000 edits change something */
}

static const char *const path_corpus[] = {
	NULL, /* values */
	"image:\n    tag: 1.0 # one\n    repository: 'r'\nservice:\n    port: 80\n",
	"replicaCount: 3\r\nimage:\r\n  tag: ~\r\nservice:\r\n  type: \"x\"",
};
static const char *const paths[] = { "image.tag", "image.repository", "image.digest",
				     "replicaCount", "service.type", "service.port" };

static int fuzz_path_one(struct yedit *e, json_t *model)
{
	const char *path = paths[rnd(ARRAY_SIZE(paths))], *value = vals[rnd(ARRAY_SIZE(vals))];
	char *parent = xstrdup(path), *dot = strchr(parent, '.');
	json_t *obj = model;
	if (dot) {
		*dot = '\0';
		obj = json_object_get(model, parent);
	}
	const char *leaf = dot ? dot + 1 : path;
	json_t *want = json_string(value);
	int expect = !obj ? -1 : json_equal(json_object_get(obj, leaf), want) ? YEDIT_UNCHANGED
									      : YEDIT_CHANGED;
	struct strbuf err = STRBUF_INIT;
	int rc = yedit_set_path(e, path, value, NULL, &err);
	if (obj)
		json_object_set(obj, leaf, want);
	json_t *got = read_doc(yedit_text(e, NULL));
	int ok = rc == expect && got && json_equal(got, model);
	fuzz_changes += rc == YEDIT_CHANGED;
	if (!ok)
		printf("    set %s [%s]: rc %d want %d (%s)\n    after:\n%s\n", path, value, rc, expect,
		       err.buf, yedit_text(e, NULL));
	json_decref(got);
	json_decref(want);
	free(parent);
	sb_release(&err);
	return ok;
}

static void test_fuzz_path(void)
{
	fuzz_changes = 0;
	for (size_t c = 0; c < ARRAY_SIZE(path_corpus); c++) {
		const char *text = path_corpus[c] ? path_corpus[c] : values;
		for (int round = 0; round < 40; round++) {
			struct yedit e;
			struct strbuf err = STRBUF_INIT;
			CHECK(yedit_load(&e, "f", text, strlen(text), &err) == 0);
			json_t *model = read_doc(text);
			int ok = 1;
			for (int i = 0; i < 25 && ok; i++)
				ok = fuzz_path_one(&e, model);
			CHECK(ok);
			json_decref(model);
			yedit_release(&e);
			sb_release(&err);
			if (!ok)
				return;
		}
	}
	CHECK(fuzz_changes > 1000);
}

/* ---- unified diffs ---- */

/* Apply a unified diff to a (strictly: context must match); NULL if it does not. */
static char *apply_udiff(const char *a, const char *diff)
{
	struct strbuf out = STRBUF_INIT;
	const char *ap = a, *d = strstr(diff, "\n@@ ");
	size_t aline = 1;
	while (d) {
		d++;
		size_t as, bs;
		if (sscanf(d, "@@ -%zu", &as) != 1 || sscanf(strchr(d, '+'), "+%zu", &bs) != 1)
			break;
		if (strstr(d, ",0 +") && strstr(d, ",0 +") < strchr(d, '\n'))
			as++; /* an empty old range names the line before */
		while (aline < as) { /* copy unchanged lines */
			const char *nl = strchr(ap, '\n');
			size_t n = nl ? (size_t)(nl - ap) + 1 : strlen(ap);
			sb_add(&out, ap, n);
			ap += n;
			aline++;
		}
		d = strchr(d, '\n') + 1;
		while (*d == ' ' || *d == '-' || *d == '+') {
			const char *nl = strchr(d, '\n');
			size_t n = (size_t)(nl - d); /* without the '\n' */
			int no_eol = strncmp(nl + 1, "\\ No newline", 12) == 0;
			size_t len = n - 1 + !no_eol;
			if (*d != '+') {
				if (strncmp(ap, d + 1, len) != 0)
					goto bad;
				ap += len;
				aline++;
			}
			if (*d != '-')
				sb_add(&out, d + 1, len);
			d = nl + 1;
			if (no_eol)
				d = strchr(d, '\n') + 1;
		}
		d = *d ? d - 1 : NULL;
		if (d && strncmp(d, "\n@@ ", 4) != 0)
			break;
	}
	sb_adds(&out, ap);
	return sb_detach(&out);
bad:
	sb_release(&out);
	return NULL;
}

static char *diff_of(const char *a, const char *b, int context)
{
	struct strbuf out = STRBUF_INIT;
	udiff(&out, "a/k.yaml", "b/k.yaml", a, strlen(a), b, strlen(b), context);
	return sb_detach(&out);
}

static void test_udiff(void)
{
	char *d = diff_of("a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nc\nd\nE\nf\ng\nh\n", 3);
	CHECK_STR(d, "--- a/k.yaml\n+++ b/k.yaml\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n");
	free(d);
	d = diff_of("x\n", "x\n", 3);
	CHECK_STR(d, "");
	free(d);
	d = diff_of("", "a\n", 3);
	CHECK_STR(d, "--- a/k.yaml\n+++ b/k.yaml\n@@ -0,0 +1 @@\n+a\n");
	free(d);
	d = diff_of("a\nb", "a\nc", 1);
	CHECK_STR(d, "--- a/k.yaml\n+++ b/k.yaml\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
		     "\\ No newline at end of file\n");
	free(d);
	d = diff_of("a\nb\n", "a\nb", 3);
	CHECK_STR(d, "--- a/k.yaml\n+++ b/k.yaml\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n");
	free(d);
	/* Two hunks: more than 2 * context unchanged lines between the changes. */
	d = diff_of("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "0\n2\n3\n4\n5\n6\n7\n8\nX\n", 2);
	CHECK_STR(d, "--- a/k.yaml\n+++ b/k.yaml\n@@ -1,3 +1,3 @@\n-1\n+0\n 2\n 3\n@@ -7,3 +7,3 @@\n 7\n 8\n-9\n+X\n");
	free(d);
	d = diff_of("1\n2\n3\n4\n5\n", "0\n2\n3\n4\n5\nX\n", 2);
	CHECK_STR(d, "--- a/k.yaml\n+++ b/k.yaml\n@@ -1,5 +1,6 @@\n-1\n+0\n 2\n 3\n 4\n 5\n+X\n");
	free(d);
	/* Beyond UDIFF_MAX_EDITS changes: one hunk, still right. */
	struct strbuf big_a = STRBUF_INIT, big_b = STRBUF_INIT;
	sb_adds(&big_a, "same\n");
	sb_adds(&big_b, "same\n");
	for (int i = 0; i < UDIFF_MAX_EDITS; i++) {
		sb_addf(&big_a, "a%d\n", i);
		sb_addf(&big_b, "b%d\n", i);
	}
	sb_adds(&big_a, "end\n");
	sb_adds(&big_b, "end\n");
	d = diff_of(big_a.buf, big_b.buf, 3);
	char *big = apply_udiff(big_a.buf, d);
	CHECK_STR(big, big_b.buf);
	CHECK(str_starts(d, "--- a/k.yaml\n+++ b/k.yaml\n@@ -1,1002 +1,1002 @@\n same\n-a0\n"));
	free(big);
	free(d);
	sb_release(&big_a);
	sb_release(&big_b);
	/* Random line edits: every diff applies back to the new text. */
	static const char *const pool[] = { "a\n", "b\n", "c\n", "d\r\n", "# x\n", "\n" };
	for (int round = 0; round < 300; round++) {
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		size_t na = rnd(20);
		for (size_t i = 0; i < na; i++)
			sb_adds(&a, pool[rnd(ARRAY_SIZE(pool))]);
		for (size_t i = 0; i < na + 3; i++) {
			size_t r = rnd(4);
			const char *line = i < na ? pool[rnd(ARRAY_SIZE(pool))] : "z\n";
			if (r == 0 || r == 1)
				sb_adds(&b, line);
			if (r == 2)
				sb_adds(&b, "new\n");
		}
		if (rnd(3) == 0 && b.len)
			b.buf[--b.len] = '\0'; /* no final newline */
		char *df = diff_of(a.buf, b.buf, (int)rnd(4));
		char *back = apply_udiff(a.buf, df);
		if (!back || strcmp(back, b.buf) != 0) {
			printf("    diff of [%s] -> [%s]:\n%s", a.buf, b.buf, df);
			CHECK_STR(back, b.buf);
			round = 1000;
		}
		free(back);
		free(df);
		sb_release(&a);
		sb_release(&b);
	}
}

int main(void)
{
	RUN(test_replace_tag);
	RUN(test_quoting);
	RUN(test_unchanged);
	RUN(test_add_field);
	RUN(test_add_entry);
	RUN(test_create_images);
	RUN(test_no_final_newline);
	RUN(test_crlf);
	RUN(test_utf8);
	RUN(test_refused);
	RUN(test_other_list);
	RUN(test_path);
	RUN(test_fuzz);
	RUN(test_fuzz_path);
	RUN(test_udiff);
	return CHECK_DONE("yamledit");
}
