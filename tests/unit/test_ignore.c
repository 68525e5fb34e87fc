/* test_ignore.c: .dockerignore rules as Docker (moby/patternmatcher) reads them. */
#include "check.h"
#include "util.h"
#include "oci/ignore.h"

#include <stdlib.h>
#include <string.h>

static struct ignore *rules(const char *text)
{
	struct strbuf err = STRBUF_INIT;
	struct ignore *ig = NULL;
	if (ignore_parse(text, strlen(text), ".dockerignore", &ig, &err))
		printf("    parse failed: %s\n", err.buf);
	sb_release(&err);
	return ig;
}

#define EXCLUDED(text, path)                                                         \
	do {                                                                         \
		CHECK(ignore_match(ig = rules(text), path));                         \
		ignore_free(ig);                                                     \
	} while (0)
#define KEPT(text, path)                                                             \
	do {                                                                         \
		CHECK(!ignore_match(ig = rules(text), path));                        \
		ignore_free(ig);                                                     \
	} while (0)

static void plain_names(void)
{
	struct ignore *ig;
	EXCLUDED("foo.txt", "foo.txt");
	KEPT("foo.txt", "bar.txt");
	KEPT("foo.txt", "sub/foo.txt"); /* unlike .gitignore: only at the top */
	EXCLUDED("/foo.txt", "foo.txt");
	EXCLUDED("./a//b/", "a/b");
	EXCLUDED("a/../b", "b");
}

static void stars(void)
{
	struct ignore *ig;
	EXCLUDED("*.log", "app.log");
	KEPT("*.log", "logs/app.log");
	EXCLUDED("**/*.log", "logs/app.log");
	EXCLUDED("**/*.log", "app.log");
	EXCLUDED("**/*.log", "a/b/c/app.log");
	EXCLUDED("a/**/b", "a/b");
	EXCLUDED("a/**/b", "a/x/y/b");
	KEPT("a/**/b", "a/x/yb");
	EXCLUDED("a/**", "a/x/y");
	EXCLUDED("*/tmp", "src/tmp");
	KEPT("*/tmp", "src/x/tmp");
	EXCLUDED("f?o", "foo");
	KEPT("f?o", "f/o");
	EXCLUDED("f?o", "f\xc3\xa9o"); /* one character, two bytes */
}

static void classes_and_escapes(void)
{
	struct ignore *ig;
	EXCLUDED("[a-c]x", "bx");
	KEPT("[a-c]x", "dx");
	EXCLUDED("[^a-c]x", "dx");
	KEPT("[^a-c]x", "ax");
	EXCLUDED("\\*x", "*x");
	KEPT("\\*x", "ax");
}

static void parents_and_exceptions(void)
{
	struct ignore *ig;
	EXCLUDED("node_modules", "node_modules/a/b.js"); /* a parent matches */
	EXCLUDED("docs\n!docs/keep.md", "docs/other.md");
	KEPT("docs\n!docs/keep.md", "docs/keep.md");
	KEPT("*.md\n!README.md", "README.md");
	EXCLUDED("*.md\n!README.md", "CHANGES.md");
	EXCLUDED("*.md\n!README*.md\nREADME-secret.md", "README-secret.md"); /* the last match decides */
	CHECK(!ignore_has_exceptions(ig = rules("a\nb")));
	ignore_free(ig);
	CHECK(ignore_has_exceptions(ig = rules("a\n!a/b")));
	ignore_free(ig);
}

static void comments_and_blanks(void)
{
	struct ignore *ig = rules("\xef\xbb\xbf# comment\n\n   \n  spaced.txt  \r\n # not a comment\n");
	CHECK_INT(ignore_count(ig), 2);
	CHECK(ignore_match(ig, "spaced.txt"));
	CHECK(ignore_match(ig, "# not a comment"));
	CHECK(!ignore_match(ig, "comment"));
	ignore_free(ig);
	CHECK(!ignore_match(NULL, "anything"));
}

static void bad_patterns(void)
{
	struct strbuf err = STRBUF_INIT;
	struct ignore *ig = NULL;
	CHECK_INT(ignore_parse("ok\n!\n", 5, "x/.dockerignore", &ig, &err), 65);
	CHECK_STR(err.buf, "x/.dockerignore:2: illegal exclusion pattern '!'");
	CHECK(ig == NULL);
	CHECK_INT(ignore_parse("a[b\n", 4, ".dockerignore", &ig, &err), 65);
	CHECK_STR(err.buf, ".dockerignore:1: bad pattern 'a[b' (unclosed '[')");
	CHECK_INT(ignore_load("/nonexistent/.dockerignore", 1, &ig, &err), 0);
	CHECK(ig == NULL);
	CHECK_INT(ignore_load("/nonexistent/.dockerignore", 0, &ig, &err), 66);
	sb_release(&err);
}

int main(void)
{
	RUN(plain_names);
	RUN(stars);
	RUN(classes_and_escapes);
	RUN(parents_and_exceptions);
	RUN(comments_and_blanks);
	RUN(bad_patterns);
	return CHECK_DONE("ignore");
}
