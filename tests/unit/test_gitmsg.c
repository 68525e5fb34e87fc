/* test_gitmsg.c: cloudctl-deploy's commit messages and trailers written and read
 * back (cmd/cloudctl-deploy/msg.c), source times, image references. msg.c lives
 * with the tool, not in a library: it is compiled into this test as it is. */
#include "../../cmd/cloudctl-deploy/msg.c"

#include "check.h"

static struct deploy_entry entry(const char *verb, const char *name, const char *old, const char *new_,
				 const char *source, long long stime, const char *digest, const char *rollback_to)
{
	struct deploy_entry e = { (char *)verb, (char *)name, (char *)old, (char *)new_, (char *)source,
				  (char *)digest, stime, (char *)rollback_to };
	return e;
}

#define P "apps/shop/overlays/dev"

static void test_build_one(void)
{
	struct deploy_entry e = entry("deploy", "registry.local/shop/frontend", "3f2a1bc", "9d8e7f6", "9d8e7f6aaaa",
				      1704153600, "sha256:1111", NULL);
	struct strbuf m = STRBUF_INIT;
	dmsg_build(&m, P, &e, 1, NULL);
	CHECK_STR(m.buf, "deploy(" P "): registry.local/shop/frontend 3f2a1bc -> 9d8e7f6\n"
			 "\n"
			 "Image: registry.local/shop/frontend\n"
			 "Source-Commit: 9d8e7f6aaaa\n"
			 "Source-Time: 1704153600\n"
			 "Image-Digest: sha256:1111\n");
	sb_release(&m);
	/* a new entry (no old tag), no source, no time, no digest */
	e = entry("deploy", "registry.local/shop/web", NULL, "1", NULL, -1, NULL, NULL);
	dmsg_build(&m, P, &e, 1, NULL);
	CHECK_STR(m.buf, "deploy(" P "): registry.local/shop/web none -> 1\n\nImage: registry.local/shop/web\n");
	sb_release(&m);
}

static void test_build_many(void)
{
	struct deploy_entry es[2] = {
		entry("promote", "a.local/x", "1", "2", "s1", 100, NULL, NULL),
		entry("promote", "a.local/y", "3", "4", NULL, -1, "sha256:2", NULL),
	};
	struct strbuf m = STRBUF_INIT;
	dmsg_build(&m, "apps/prod", es, 2, "Promoted-From: apps/dev\n");
	CHECK_STR(m.buf, "promote(apps/prod): 2 images\n"
			 "\n"
			 "promote(apps/prod): a.local/x 1 -> 2\n"
			 "promote(apps/prod): a.local/y 3 -> 4\n"
			 "\n"
			 "Image: a.local/x\n"
			 "Source-Commit: s1\n"
			 "Source-Time: 100\n"
			 "Image: a.local/y\n"
			 "Image-Digest: sha256:2\n"
			 "Promoted-From: apps/dev\n");
	sb_release(&m);
}

/* Build a message of es, parse it back for path, and compare every field. */
static void round_trip(const char *path, const struct deploy_entry *es, size_t n)
{
	struct strbuf m = STRBUF_INIT;
	dmsg_build(&m, path, es, n, "Promoted-From: elsewhere\n");
	struct deploy_log log = { 0 };
	dmsg_parse(m.buf, path, &log);
	CHECK_INT(log.n, n);
	for (size_t i = 0; i < n && i < log.n; i++) {
		const struct deploy_entry *w = &es[i], *g = &log.e[i];
		CHECK_STR(g->verb, w->verb);
		CHECK_STR(g->name, w->name);
		CHECK_STR(g->old, w->old ? w->old : "none");
		CHECK_STR(g->new_, w->new_);
		CHECK(!w->source ? !g->source : g->source && !strcmp(g->source, w->source));
		CHECK(!w->digest ? !g->digest : g->digest && !strcmp(g->digest, w->digest));
		CHECK(!w->rollback_to ? !g->rollback_to : g->rollback_to && !strcmp(g->rollback_to, w->rollback_to));
		CHECK_INT(g->stime, w->stime);
	}
	dlog_clear(&log);
	CHECK(log.e == NULL && log.n == 0);
	sb_release(&m);
}

static void test_round_trip(void)
{
	struct deploy_entry one = entry("deploy", "r.local/a", "1.0", "1.1", "abc", 1700000000, "sha256:aa", NULL);
	round_trip(P, &one, 1);
	struct deploy_entry rb = entry("rollback", "r.local/a", "1.1", "1.0", "abc", 1700000000, NULL,
				       "0123456789abcdef0123456789abcdef01234567");
	round_trip(P, &rb, 1);
	struct deploy_entry three[3] = {
		entry("deploy", "r.local/a", "1", "2", "s-a", 10, "sha256:a", NULL),
		entry("deploy", "r.local/b", NULL, "3", NULL, -1, NULL, NULL),
		entry("deploy", "r.local/c", "r.local/c:4", "r.local/other:5", "s-c", 0, NULL, NULL),
	};
	round_trip("charts/shop", three, 3);
}

static void test_parse_other_paths_and_text(void)
{
	struct deploy_log log = { 0 };
	const char *msg = "deploy(apps/shop/overlays/dev): r.local/a 1 -> 2\n"
			  "deploy(apps/shop/overlays/prod): r.local/a 5 -> 6\n"
			  "deploy(apps/shop): r.local/b 7 -> 8\n"
			  "fix(apps/shop/overlays/dev): r.local/a 1 -> 2\n"
			  "deploy(apps/shop/overlays/dev): r.local/a 1 to 2\n"
			  "deploy(apps/shop/overlays/dev): r.local/a 1 -> 2 extra\n"
			  "\n"
			  "Source-Commit: before-any-image\n"
			  "Image: r.local/a\n"
			  "Source-Commit: s\n"
			  "Source-Time: 2024-01-01T00:00:00Z\n"
			  "Unknown-Trailer: ignored\n"
			  "Image: r.local/not-in-message\n"
			  "Source-Commit: lost\n";
	dmsg_parse(msg, "apps/shop/overlays/dev", &log);
	CHECK_INT(log.n, 1);
	if (log.n == 1) {
		CHECK_STR(log.e[0].new_, "2");
		CHECK_STR(log.e[0].source, "s");
		CHECK_INT(log.e[0].stime, 1704067200);
	}
	dlog_clear(&log);
	dmsg_parse("Merge branch 'x'\n\nno deploys here\n", "apps/shop/overlays/dev", &log);
	CHECK_INT(log.n, 0);
	dlog_clear(&log);
	/* the same image twice in a message: the trailers go to the first without any */
	dmsg_parse("deploy(p): 2 images\n\ndeploy(p): r/a 1 -> 2\ndeploy(p): r/a 2 -> 3\n\n"
		   "Image: r/a\nSource-Commit: one\nImage: r/a\nSource-Commit: two\n",
		   "p", &log);
	CHECK_INT(log.n, 2);
	if (log.n == 2) {
		CHECK_STR(log.e[0].source, "one");
		CHECK_STR(log.e[1].source, "two");
	}
	dlog_clear(&log);
}

static void test_source_time(void)
{
	CHECK_INT(parse_source_time("1704067200"), 1704067200);
	CHECK_INT(parse_source_time("0"), 0);
	CHECK_INT(parse_source_time("2024-01-01T00:00:00Z"), 1704067200);
	CHECK_INT(parse_source_time("2024-01-01T00:00:00.123456z"), 1704067200);
	CHECK_INT(parse_source_time("2024-01-01T02:30:00+02:30"), 1704067200);
	CHECK_INT(parse_source_time("2023-12-31T22:00:00-02:00"), 1704067200);
	CHECK_INT(parse_source_time(""), -1);
	CHECK_INT(parse_source_time(NULL), -1);
	CHECK_INT(parse_source_time("-5"), -1);
	CHECK_INT(parse_source_time("2024-01-01"), -1);
	CHECK_INT(parse_source_time("2024-01-01T00:00:00"), -1);
	CHECK_INT(parse_source_time("2024-01-01T00:00:00+0200"), -1);
	CHECK_INT(parse_source_time("2024-01-01T00:00:00Zjunk"), -1);
	char buf[32];
	fmt_time(buf, sizeof buf, 1704067200);
	CHECK_STR(buf, "2024-01-01T00:00:00Z");
	fmt_time(buf, sizeof buf, parse_source_time("2024-02-29T12:34:56+01:00"));
	CHECK_STR(buf, "2024-02-29T11:34:56Z");
}

static void test_image_ref(void)
{
	struct image_ref r;
	CHECK_INT(image_ref_parse("registry.local:5000/shop/frontend:9d8e7f6@sha256:abc", &r), 0);
	CHECK_STR(r.repo, "registry.local:5000/shop/frontend");
	CHECK_STR(r.tag, "9d8e7f6");
	CHECK_STR(r.digest, "sha256:abc");
	image_ref_clear(&r);
	CHECK_INT(image_ref_parse("registry.local:5000/shop/frontend", &r), 0);
	CHECK_STR(r.repo, "registry.local:5000/shop/frontend");
	CHECK(r.tag == NULL && r.digest == NULL);
	image_ref_clear(&r);
	CHECK_INT(image_ref_parse("nginx@sha256:abc", &r), 0);
	CHECK_STR(r.repo, "nginx");
	CHECK(r.tag == NULL);
	CHECK_STR(r.digest, "sha256:abc");
	image_ref_clear(&r);
	CHECK_INT(image_ref_parse(":", &r), -1);
	CHECK_INT(image_ref_parse("nginx:", &r), -1);
	CHECK_INT(image_ref_parse("nginx@nodigest", &r), -1);
	CHECK_INT(image_ref_parse("", &r), -1);
	CHECK(r.repo == NULL && r.tag == NULL && r.digest == NULL);
}

int main(void)
{
	RUN(test_build_one);
	RUN(test_build_many);
	RUN(test_round_trip);
	RUN(test_parse_other_paths_and_text);
	RUN(test_source_time);
	RUN(test_image_ref);
	return CHECK_DONE("gitmsg");
}
