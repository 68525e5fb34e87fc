/* iso9660.c: see iso9660.h.
 *
 * Layout (2048-byte sectors, ECMA-119):
 *   0-15   system area (zeros)
 *   16     Primary Volume Descriptor
 *   17     Volume Descriptor Set Terminator
 *   18     type L path table (little-endian)
 *   19     type M path table (big-endian)
 *   20..   root directory extent ("." ".." then the files, sorted by ISO name)
 *   next   SUSP continuation area holding the ER entry (too big for the "." record)
 *   next.. file extents, in directory order, each starting on a sector boundary
 *
 * Rock Ridge: the root "." record carries SP (SUSP is in use), CE (the
 * continuation area, holding ER "RRIP_1991A": Linux turns Rock Ridge on when it
 * sees ER) and PX; ".." carries PX; every file record carries NM (the real
 * name) and PX. PX is the 36-byte RRIP 1.10 form that matches RRIP_1991A. */
#define _POSIX_C_SOURCE 200809L
#include "iso9660.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SECTOR 2048u
#define SEC_PVD 16u
#define SEC_LPATH 18u
#define SEC_MPATH 19u
#define SEC_ROOT 20u
#define NAME_MAX_LEN 64
#define LABEL_MAX_LEN 32

#define MODE_FILE 0100444u
#define MODE_DIR 040555u

/* ER identifier, descriptor and source as RRIP 1.10 (and mkisofs) word them. */
static const char er_id[] = "RRIP_1991A";
static const char er_des[] = "THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS";
static const char er_src[] = "PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE.  "
			     "SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT INFORMATION.";

/* Fixed dates so that the output is deterministic: 1970-01-01 00:00:00 UTC. */
static const unsigned char dr_date[7] = { 70, 1, 1, 0, 0, 0, 0 };
static const char vd_date[] = "1970010100000000";   /* + a zero GMT-offset byte */
static const char vd_nodate[] = "0000000000000000"; /* "not specified" */

struct ent {
	const struct iso_file *f;
	char id[NAME_MAX_LEN + 4]; /* "USER_DATA.;1" */
	uint32_t extent;
};

/* Both-endian and single-endian numbers (ECMA-119 7.2, 7.3). */
static void le16(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

static void be16(unsigned char *p, uint32_t v)
{
	p[0] = (v >> 8) & 0xff;
	p[1] = v & 0xff;
}

static void le32(unsigned char *p, uint32_t v)
{
	le16(p, v & 0xffff);
	le16(p + 2, v >> 16);
}

static void be32(unsigned char *p, uint32_t v)
{
	be16(p, v >> 16);
	be16(p + 2, v & 0xffff);
}

static void both16(unsigned char *p, uint32_t v)
{
	le16(p, v);
	be16(p + 2, v);
}

static void both32(unsigned char *p, uint32_t v)
{
	le32(p, v);
	be32(p + 4, v);
}

static void pad_str(unsigned char *p, const char *s, size_t n)
{
	size_t l = strlen(s);
	memset(p, ' ', n);
	memcpy(p, s, l < n ? l : n);
}

/* SUSP entry header: signature, length, version 1. */
static unsigned char *su_head(unsigned char *p, const char *sig, size_t len)
{
	p[0] = sig[0];
	p[1] = sig[1];
	p[2] = len;
	p[3] = 1;
	return p + 4;
}

static size_t put_px(unsigned char *p, uint32_t mode, uint32_t nlink)
{
	unsigned char *q = su_head(p, "PX", 36);
	both32(q, mode);
	both32(q + 8, nlink);
	both32(q + 16, 0); /* uid */
	both32(q + 24, 0); /* gid */
	return 36;
}

static size_t put_nm(unsigned char *p, const char *name)
{
	size_t l = strlen(name);
	unsigned char *q = su_head(p, "NM", 5 + l);
	q[0] = 0; /* flags: not CONTINUE/CURRENT/PARENT */
	memcpy(q + 1, name, l);
	return 5 + l;
}

/* Length of a directory record for identifier length idlen with su bytes of
 * system use: 33 fixed bytes, the identifier, a pad byte to make the system use
 * area start at an even offset, and the whole record even (ECMA-119 9.1). */
static size_t dr_len(size_t idlen, size_t su)
{
	size_t n = 33 + idlen + (idlen % 2 == 0);
	n += su;
	return n + (n & 1);
}

/* Fill a directory record at p (zeroed); returns the offset of its system use area. */
static size_t put_dr(unsigned char *p, size_t len, uint32_t extent, uint32_t size, int dir,
		     const char *id, size_t idlen)
{
	p[0] = len;
	p[1] = 0; /* no extended attribute record */
	both32(p + 2, extent);
	both32(p + 10, size);
	memcpy(p + 18, dr_date, 7);
	p[25] = dir ? 2 : 0;
	both16(p + 28, 1); /* volume sequence number */
	p[32] = idlen;
	memcpy(p + 33, id, idlen);
	return 33 + idlen + (idlen % 2 == 0);
}

/* Path table with the root as its only entry (ECMA-119 9.4). */
static void put_path_table(unsigned char *p, int big)
{
	p[0] = 1; /* identifier length */
	p[1] = 0;
	if (big) {
		be32(p + 2, SEC_ROOT);
		be16(p + 6, 1);
	} else {
		le32(p + 2, SEC_ROOT);
		le16(p + 6, 1);
	}
	p[8] = 0; /* the root's identifier: one 0x00 byte, then a pad byte */
}

static void put_vd_date(unsigned char *p, const char *d)
{
	memcpy(p, d, 16);
	p[16] = 0;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > NAME_MAX_LEN || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		      *s == '-'))
			return 0;
	return 1;
}

static int valid_label(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > LABEL_MAX_LEN)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* "user-data" -> "USER_DATA.;1": d-characters only, no extension, version 1. */
static void iso_id(char *out, const char *name)
{
	size_t i;
	for (i = 0; name[i]; i++) {
		char c = name[i];
		out[i] = (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : (c == '-' || c == '.') ? '_' : c;
	}
	memcpy(out + i, ".;1", 4);
}

/* Every identifier ends in ".;1" and d-characters sort after '.', so strcmp
 * gives ECMA-119 9.3 order (names compared as if padded with spaces). */
static int ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->id, ((const struct ent *)b)->id);
}

static int fail(struct strbuf *err, const char *fmt, const char *arg)
{
	if (err)
		sb_addf(err, fmt, arg);
	return -1;
}

int iso9660_build(struct strbuf *out, const char *label, const struct iso_file *files,
		  size_t nfiles, struct strbuf *err)
{
	if (!label || !valid_label(label))
		return fail(err, "bad volume label '%s': want 1-32 of [A-Za-z0-9._-]",
			    label ? label : "(null)");
	struct ent *e = xcalloc(nfiles ? nfiles : 1, sizeof(*e));
	size_t i;
	for (i = 0; i < nfiles; i++) {
		const char *nm = files[i].name;
		if (!nm || !valid_name(nm)) {
			free(e);
			return fail(err, "bad file name '%s': want 1-64 of [a-z0-9._-]", nm ? nm : "(null)");
		}
		if (files[i].len > UINT32_MAX - SECTOR || (files[i].len && !files[i].data)) {
			free(e);
			return fail(err, "file '%s': too large or no data", nm);
		}
		e[i].f = &files[i];
		iso_id(e[i].id, nm);
	}
	if (nfiles)
		qsort(e, nfiles, sizeof(*e), ent_cmp);
	for (i = 1; i < nfiles; i++)
		if (!strcmp(e[i - 1].id, e[i].id)) {
			/* "a-b" and "a.b" both map to "A_B.;1"; identical names too */
			if (err)
				sb_addf(err, "file names '%s' and '%s' collide as ISO 9660 name '%s'",
					e[i - 1].f->name, e[i].f->name, e[i].id);
			free(e);
			return -1;
		}

	/* Root directory: records never cross a sector boundary (ECMA-119 6.8.1.1). */
	size_t self_su = 7 + 28 + 36; /* SP, CE, PX */
	size_t dot_len = dr_len(1, self_su), dotdot_len = dr_len(1, 36);
	size_t dir_sectors = 1, off = dot_len + dotdot_len;
	for (i = 0; i < nfiles; i++) {
		size_t l = dr_len(strlen(e[i].id), strlen(e[i].f->name) + 5 + 36);
		if (off + l > SECTOR) {
			dir_sectors++;
			off = 0;
		}
		off += l;
	}
	uint64_t ce_sec = SEC_ROOT + dir_sectors, next = ce_sec + 1;
	int empty_at_end = 0;
	for (i = 0; i < nfiles; i++) {
		/* An empty file still gets a real extent number (the next free sector, not
		 * reserved): readers may drop files whose extent is 0, as mkisofs notes. */
		e[i].extent = next;
		next += (e[i].f->len + SECTOR - 1) / SECTOR;
		empty_at_end = e[i].f->len == 0;
	}
	if (empty_at_end)
		next++; /* keep that extent number inside the volume */
	if (next > UINT32_MAX / SECTOR) {
		free(e);
		return fail(err, "image too large%s", "");
	}
	uint32_t total = next;

	size_t base = out->len, sz = (size_t)total * SECTOR;
	sb_grow(out, sz);
	unsigned char *img = (unsigned char *)out->buf + base;
	memset(img, 0, sz);

	/* Primary Volume Descriptor (ECMA-119 8.4). */
	unsigned char *p = img + SEC_PVD * SECTOR;
	p[0] = 1;
	memcpy(p + 1, "CD001", 5);
	p[6] = 1;
	pad_str(p + 8, "", 32); /* system identifier */
	pad_str(p + 40, label, 32);
	both32(p + 80, total);
	both16(p + 120, 1);      /* volume set size */
	both16(p + 124, 1);      /* volume sequence number */
	both16(p + 128, SECTOR); /* logical block size */
	both32(p + 132, 10);     /* path table size: one 10-byte entry */
	le32(p + 140, SEC_LPATH);
	be32(p + 148, SEC_MPATH);
	put_dr(p + 156, 34, SEC_ROOT, dir_sectors * SECTOR, 1, "\0", 1);
	pad_str(p + 190, "", 128); /* volume set */
	pad_str(p + 318, "", 128); /* publisher */
	pad_str(p + 446, "", 128); /* data preparer */
	pad_str(p + 574, "CLOUDCTL", 128); /* application */
	pad_str(p + 702, "", 37 * 3); /* copyright, abstract, bibliographic files */
	put_vd_date(p + 813, vd_date);   /* creation */
	put_vd_date(p + 830, vd_date);   /* modification */
	put_vd_date(p + 847, vd_nodate); /* expiration */
	put_vd_date(p + 864, vd_nodate); /* effective */
	p[881] = 1; /* file structure version */

	/* Volume Descriptor Set Terminator. */
	p = img + (SEC_PVD + 1) * SECTOR;
	p[0] = 255;
	memcpy(p + 1, "CD001", 5);
	p[6] = 1;

	put_path_table(img + SEC_LPATH * SECTOR, 0);
	put_path_table(img + SEC_MPATH * SECTOR, 1);

	/* Root directory. */
	uint32_t dir_size = dir_sectors * SECTOR;
	p = img + SEC_ROOT * SECTOR;
	size_t su = put_dr(p, dot_len, SEC_ROOT, dir_size, 1, "\0", 1);
	unsigned char *q = su_head(p + su, "SP", 7);
	q[0] = 0xbe;
	q[1] = 0xef;
	q[2] = 0; /* no bytes skipped before SUSP entries */
	q = su_head(p + su + 7, "CE", 28);
	size_t er_len = 8 + strlen(er_id) + strlen(er_des) + strlen(er_src);
	both32(q, ce_sec);
	both32(q + 8, 0);
	both32(q + 16, er_len);
	put_px(p + su + 35, MODE_DIR, 2);
	p += dot_len;
	su = put_dr(p, dotdot_len, SEC_ROOT, dir_size, 1, "\1", 1);
	put_px(p + su, MODE_DIR, 2);
	p += dotdot_len;
	off = dot_len + dotdot_len;
	for (i = 0; i < nfiles; i++) {
		size_t idl = strlen(e[i].id), l = dr_len(idl, strlen(e[i].f->name) + 5 + 36);
		if (off + l > SECTOR) {
			p += SECTOR - off; /* the rest of the sector stays zero */
			off = 0;
		}
		su = put_dr(p, l, e[i].extent, e[i].f->len, 0, e[i].id, idl);
		su += put_nm(p + su, e[i].f->name);
		put_px(p + su, MODE_FILE, 1);
		p += l;
		off += l;
	}

	/* Continuation area: the ER entry (SUSP 5.5). */
	p = img + ce_sec * SECTOR;
	q = su_head(p, "ER", er_len);
	q[0] = strlen(er_id);
	q[1] = strlen(er_des);
	q[2] = strlen(er_src);
	q[3] = 1; /* extension version */
	memcpy(q + 4, er_id, strlen(er_id));
	memcpy(q + 4 + strlen(er_id), er_des, strlen(er_des));
	memcpy(q + 4 + strlen(er_id) + strlen(er_des), er_src, strlen(er_src));

	for (i = 0; i < nfiles; i++)
		if (e[i].f->len)
			memcpy(img + (size_t)e[i].extent * SECTOR, e[i].f->data, e[i].f->len);

	out->len += sz;
	out->buf[out->len] = '\0';
	free(e);
	return 0;
}
