/* test_iso9660.c: the ISO 9660 writer, checked against real readers: isoinfo
 * (genisoimage) for the label, the Rock Ridge names and the file bytes, blkid
 * for the label and type. Without isoinfo the reader tests are skipped (and not
 * counted as passed). */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "iso9660.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[64];
static char iso_path[128];
static char *big; /* 100 KiB, spans 50 sectors */
static size_t big_len = 100 * 1024;

static const char ud[] = "#cloud-config\nhostname: web-1\n";
static const char md[] = "instance-id: iid-web-1\nlocal-hostname: web-1\n";

static void seed_files(struct iso_file *f)
{
	f[0] = (struct iso_file){ "user-data", ud, sizeof(ud) - 1 };
	f[1] = (struct iso_file){ "meta-data", md, sizeof(md) - 1 };
	f[2] = (struct iso_file){ "network-config", big, big_len };
	f[3] = (struct iso_file){ "vendor-data", "", 0 };
}

static int have(const char *prog)
{
	char *cmd = xasprintf("command -v %s >/dev/null 2>&1", prog);
	int ok = system(cmd) == 0;
	free(cmd);
	return ok;
}

/* Run a shell command; its stdout into out. Returns the exit status. */
static int run(const char *cmd, struct strbuf *out)
{
	FILE *f = popen(cmd, "r");
	char buf[4096];
	size_t n;
	sb_reset(out);
	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(out, buf, n);
	return pclose(f);
}

static int write_iso(const struct strbuf *img)
{
	FILE *f = fopen(iso_path, "wb");
	if (!f)
		return -1;
	size_t n = fwrite(img->buf, 1, img->len, f);
	return (fclose(f) == 0 && n == img->len) ? 0 : -1;
}

static void test_build_layout(void)
{
	struct iso_file f[4];
	struct strbuf img = STRBUF_INIT, err = STRBUF_INIT;
	seed_files(f);
	CHECK_INT(iso9660_build(&img, "cidata", f, 4, &err), 0);
	CHECK_STR(err.buf, "");
	CHECK_INT(img.len % 2048, 0);
	/* system area + PVD + VDST + 2 path tables + root dir + CE + 1 + 1 + 50 sectors,
	 * + 1 because the empty vendor-data sorts last and its extent must lie inside */
	CHECK_INT(img.len / 2048, 16 + 2 + 2 + 1 + 1 + 1 + 1 + 50 + 1);
	const unsigned char *pvd = (const unsigned char *)img.buf + 16 * 2048;
	CHECK(pvd[0] == 1 && memcmp(pvd + 1, "CD001", 5) == 0);
	CHECK(memcmp(pvd + 40, "cidata                          ", 32) == 0);
	/* volume space size, both-endian */
	unsigned v = pvd[80] | pvd[81] << 8 | pvd[82] << 16 | (unsigned)pvd[83] << 24;
	unsigned vb = pvd[87] | pvd[86] << 8 | pvd[85] << 16 | (unsigned)pvd[84] << 24;
	CHECK_INT(v, img.len / 2048);
	CHECK_INT(vb, img.len / 2048);
	CHECK(img.buf[17 * 2048] == (char)255);
	if (write_iso(&img) != 0)
		CHECK(!"cannot write the image");
	sb_release(&img);
	sb_release(&err);
}

static void test_deterministic(void)
{
	struct iso_file f[4], g[4];
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	seed_files(f);
	/* Order of the inputs does not matter either. */
	g[0] = f[3];
	g[1] = f[2];
	g[2] = f[0];
	g[3] = f[1];
	CHECK_INT(iso9660_build(&a, "cidata", f, 4, NULL), 0);
	CHECK_INT(iso9660_build(&b, "cidata", g, 4, NULL), 0);
	CHECK(a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0);
	sb_release(&a);
	sb_release(&b);
}

static void test_bad_names(void)
{
	static const char *bad[] = { "User-Data", "", "a/b", "with space", ".", "..", "x\n",
				     "this-name-is-far-too-long-for-a-seed-file-0123456789-0123456789-x" };
	struct strbuf img = STRBUF_INIT, err = STRBUF_INIT;
	size_t i;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct iso_file f = { bad[i], "x", 1 };
		sb_reset(&err);
		CHECK_INT(iso9660_build(&img, "cidata", &f, 1, &err), -1);
		CHECK(strstr(err.buf, "bad file name") != NULL);
		CHECK_INT(img.len, 0);
	}
	/* "a-b" and "a.b" both become "A_B.;1" */
	struct iso_file two[2] = { { "a-b", "1", 1 }, { "a.b", "2", 1 } };
	sb_reset(&err);
	CHECK_INT(iso9660_build(&img, "cidata", two, 2, &err), -1);
	CHECK(strstr(err.buf, "collide") != NULL);
	struct iso_file dup[2] = { { "user-data", "1", 1 }, { "user-data", "2", 1 } };
	CHECK_INT(iso9660_build(&img, "cidata", dup, 2, NULL), -1);
	struct iso_file ok = { "user-data", "1", 1 };
	sb_reset(&err);
	CHECK_INT(iso9660_build(&img, "", &ok, 1, &err), -1);
	CHECK(strstr(err.buf, "bad volume label") != NULL);
	CHECK_INT(iso9660_build(&img, "a label with spaces", &ok, 1, NULL), -1);
	CHECK_INT(iso9660_build(&img, "0123456789abcdef0123456789abcdefX", &ok, 1, NULL), -1);
	CHECK_INT(img.len, 0);
	sb_release(&img);
	sb_release(&err);
}

static void test_isoinfo_label(void)
{
	struct strbuf out = STRBUF_INIT;
	char *cmd = xasprintf("isoinfo -d -i %s", iso_path);
	CHECK_INT(run(cmd, &out), 0);
	CHECK(strstr(out.buf, "Volume id: cidata\n") != NULL);
	CHECK(strstr(out.buf, "Logical block size is: 2048\n") != NULL);
	CHECK(strstr(out.buf, "Rock Ridge signatures version 1 found") != NULL);
	char *want = xasprintf("Volume size is: %d\n", 16 + 2 + 2 + 1 + 1 + 1 + 1 + 50 + 1);
	CHECK(strstr(out.buf, want) != NULL);
	free(want);
	free(cmd);
	sb_release(&out);
}

static void test_isoinfo_names(void)
{
	struct strbuf out = STRBUF_INIT;
	/* -f prints full paths, one per line, in directory (ISO name) order. */
	char *cmd = xasprintf("isoinfo -R -f -i %s", iso_path);
	CHECK_INT(run(cmd, &out), 0);
	CHECK_STR(out.buf, "/meta-data\n/network-config\n/user-data\n/vendor-data\n");
	free(cmd);
	cmd = xasprintf("isoinfo -f -i %s", iso_path);
	CHECK_INT(run(cmd, &out), 0);
	CHECK_STR(out.buf, "/META_DATA.;1\n/NETWORK_CONFIG.;1\n/USER_DATA.;1\n/VENDOR_DATA.;1\n");
	free(cmd);
	/* modes from PX */
	cmd = xasprintf("isoinfo -R -l -i %s | grep -c -- '-r--r--r--'", iso_path);
	CHECK_INT(run(cmd, &out), 0);
	CHECK_STR(out.buf, "4\n");
	free(cmd);
	sb_release(&out);
}

static void check_extract(const char *name, const char *data, size_t len)
{
	struct strbuf out = STRBUF_INIT;
	char *cmd = xasprintf("isoinfo -R -x /%s -i %s", name, iso_path);
	CHECK_INT(run(cmd, &out), 0);
	CHECK_INT(out.len, len);
	CHECK(out.len == len && memcmp(out.buf, data, len) == 0);
	free(cmd);
	sb_release(&out);
}

static void test_isoinfo_extract(void)
{
	check_extract("user-data", ud, sizeof(ud) - 1);
	check_extract("meta-data", md, sizeof(md) - 1);
	check_extract("network-config", big, big_len);
	check_extract("vendor-data", "", 0);
}

static void test_blkid(void)
{
	struct strbuf out = STRBUF_INIT;
	char *cmd = xasprintf("blkid -p -o value -s LABEL %s", iso_path);
	CHECK_INT(run(cmd, &out), 0);
	CHECK_STR(out.buf, "cidata\n");
	free(cmd);
	cmd = xasprintf("blkid -p -o value -s TYPE %s", iso_path);
	CHECK_INT(run(cmd, &out), 0);
	CHECK_STR(out.buf, "iso9660\n");
	free(cmd);
	sb_release(&out);
}

int main(void)
{
	size_t i;
	big = xmalloc(big_len);
	for (i = 0; i < big_len; i++)
		big[i] = (char)(i * 7 + i / 2048);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_iso9660.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(iso_path, sizeof(iso_path), "%s/seed.iso", tmpdir);

	RUN(test_build_layout);
	RUN(test_deterministic);
	RUN(test_bad_names);
	if (have("isoinfo")) {
		RUN(test_isoinfo_label);
		RUN(test_isoinfo_names);
		RUN(test_isoinfo_extract);
	} else {
		printf("skip - isoinfo not installed (apt-get install genisoimage)\n");
	}
	if (have("blkid"))
		RUN(test_blkid);
	else
		printf("skip - blkid not installed (apt-get install util-linux)\n");

	unlink(iso_path);
	rmdir(tmpdir);
	free(big);
	return CHECK_DONE("iso9660");
}
