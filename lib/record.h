/* record.h: the record stream that joins the tools (see man/cloudctl.7).
 *
 * A record is an ordered list of key=value fields. On the wire it is one line of
 * logfmt (kv) or one JSON object (JSON Lines). This is the only place that parses
 * or writes that format. */
#ifndef CLOUDCTL_RECORD_H
#define CLOUDCTL_RECORD_H

#include <stdio.h>
#include <stddef.h>
#include "util.h"

struct field {
	char *key;
	char *val;
};

struct record {
	struct field *f;
	size_t n, cap;
	long line; /* input line number, 0 when made by the program */
};

#define RECORD_INIT { NULL, 0, 0, 0 }

/* Keys are [a-z][a-z0-9_.]* */
int rec_key_valid(const char *key);

const char *rec_get(const struct record *r, const char *key);
/* Set (replace in place, or append) key to val; val NULL removes the key. */
void rec_set(struct record *r, const char *key, const char *val);
void rec_setf(struct record *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void rec_del(struct record *r, const char *key);
void rec_copy(struct record *dst, const struct record *src);
void rec_clear(struct record *r); /* frees fields, keeps the struct usable */

/* A list of records, read as a whole before anything acts on them. */
struct recset {
	struct record *r;
	size_t n, cap;
};
#define RECSET_INIT { NULL, 0, 0 }
struct record *recset_add(struct recset *s); /* a new empty record at the end */
void recset_clear(struct recset *s);

/* The longest line accepted, in bytes without the newline. */
#define REC_LINE_MAX (64 * 1024 * 1024)

/* Parse one line (kv or, when it starts with '{', a JSON object) into r, which
 * is emptied first (r->line is kept). A trailing newline or CRLF is ignored.
 * Returns 0, or -1 with a one-line reason in err
 * ("unterminated quoted value for key 'name'"). */
int rec_parse_line(const char *line, size_t len, struct record *r, struct strbuf *err);

/* A streaming reader: one line in memory at a time, so a tool can act on a
 * million records in bounded memory. Blank lines and lines starting with '#'
 * (after blanks) are skipped; every line, comments included, must be UTF-8
 * without NUL bytes and at most REC_LINE_MAX bytes long. name is used in
 * errors; NULL means "<stdin>". The reader does not own or close f. */
struct rec_reader;
struct rec_reader *rec_reader_new(FILE *f, const char *name);
/* The next record into r, which is emptied first. Returns 1 with a record in r
 * (r->line set); 0 at the end of input; -1 on a malformed line or a read error,
 * with r empty and err holding "NAME:LINE: reason" (or "NAME: read error: ...").
 * The reader stops at the first error: once it has returned 0 or -1, every
 * later call returns the same (and the same err). */
int rec_reader_next(struct rec_reader *rd, struct record *r, struct strbuf *err);
/* The number of the last line read: the record's just returned, the malformed
 * one, or at the end the count of lines. */
long rec_reader_line(const struct rec_reader *rd);
void rec_reader_free(struct rec_reader *rd); /* NULL is fine */

/* Read every record from f (with a rec_reader), appending to out. On a
 * malformed line: returns -1 and err holds "NAME:LINE: reason" (NAME is e.g.
 * "<stdin>"); out is left as it was, so nothing has been acted on. Returns 0
 * otherwise. */
int rec_read_all(FILE *f, const char *name, struct recset *out, struct strbuf *err);

/* Output formats. The values are stable: new ones go at the end. */
enum rec_format { FMT_AUTO, FMT_KV, FMT_TABLE, FMT_JSON, FMT_TSV, FMT_CSV, FMT_MD };

/* "kv", "table", "json", "tsv", "csv", "md" -> format; -1 when unknown. */
int rec_format_parse(const char *name);

/* Decide the format: explicit (-o) when not FMT_AUTO, else $CLOUDCTL_OUTPUT when
 * set (off a terminal only when it names kv or json, what tools read), else
 * table when out is a terminal, else kv. Returns -1 (and err) when
 * CLOUDCTL_OUTPUT names an unknown format. */
int rec_format_pick(int explicit_fmt, FILE *out, struct strbuf *err);

/* The writer. columns: a comma-separated list (-c), or NULL. When NULL, table,
 * tsv, csv and md use default_cols (comma-separated, may be NULL: then the union
 * of keys in first-seen order); kv and json write every field in record order.
 * With -c, every format writes just those columns, in that order.
 * The pseudo column "tags" is the comma-joined "k=v" of the record's tag.* fields.
 * Table and md output are buffered and laid out at rec_writer_finish; tsv and
 * csv are too when the columns are the union of keys; the others stream.
 * Formats with a header (table, tsv, csv, md) write nothing for no records.
 *   csv: RFC 4180 with a header line, but lines end in \n.
 *   md:  a GitHub-flavoured Markdown table; columns of numbers are right-aligned. */
struct rec_writer;
struct rec_writer *rec_writer_new(FILE *out, enum rec_format fmt, const char *columns,
				  const char *default_cols);
void rec_write(struct rec_writer *w, const struct record *r);
/* Flush (for table: print); frees w. Returns 0, or -1 when a write failed
 * (not when the reader went away: log.h's reader_gone). When
 * rec_columns_strict is set (tool_main sets it: the columns come from -c), a
 * column that no record written had, and that is none of default_cols, "tags"
 * or a field of the FIELD TYPES table, is a usage error: each is named on
 * stderr, the buffered formats print nothing, and the process exits 64. */
extern int rec_columns_strict;
/* The columns the running verb declares (struct verb's .columns, space
 * separated fnmatch patterns), or NULL: the writer knows them too, so a column
 * accepted before the verb acted is never refused after it. */
extern const char *rec_columns_declared;
int rec_writer_finish(struct rec_writer *w);

/* Copy into out each field of in (may be NULL) that out has not and that
 * matches none of own (space separated fnmatch patterns, may be NULL: the
 * fields a tool sets itself, so a stale input value never survives). */
void rec_merge_input(struct record *out, const struct record *in, const char *own);

/* Whether col matches one of patterns (space separated, fnmatch, "tag.*"). */
int rec_column_matches(const char *patterns, const char *col);

/* The JSON type of a field (see cloudctl(7), FIELD TYPES): -o json writes
 * a value of an integer, number or boolean field as that JSON type when it has
 * its shape, and every other value as a string. kind may be NULL. */
enum rec_type { REC_STRING, REC_INTEGER, REC_NUMBER, REC_BOOLEAN };
enum rec_type rec_field_type(const char *kind, const char *key);

/* Append the kv encoding of one value (quoted and escaped when needed). */
void rec_quote_value(struct strbuf *sb, const char *val);

#endif
