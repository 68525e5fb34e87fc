/* fuzz_record.c: the record reader (kv and JSON Lines). Property: a line that
 * parses, written back as kv, parses to the same fields. */
#include "fuzz.h"
#include "record.h"

#include <string.h>

static void write_kv(const struct record *r, struct strbuf *out)
{
	for (size_t i = 0; i < r->n; i++) {
		if (i)
			sb_addc(out, ' ');
		sb_adds(out, r->f[i].key);
		sb_addc(out, '=');
		rec_quote_value(out, r->f[i].val);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record r = RECORD_INIT, again = RECORD_INIT;
	struct strbuf err = STRBUF_INIT, kv = STRBUF_INIT;
	if (rec_parse_line((const char *)data, size, &r, &err) == 0 && r.n > 0) {
		write_kv(&r, &kv);
		FUZZ_ASSERT(rec_parse_line(kv.buf, kv.len, &again, &err) == 0);
		FUZZ_ASSERT(again.n == r.n);
		for (size_t i = 0; i < r.n; i++) {
			FUZZ_ASSERT(strcmp(again.f[i].key, r.f[i].key) == 0);
			FUZZ_ASSERT(strcmp(again.f[i].val, r.f[i].val) == 0);
		}
	}
	rec_clear(&r);
	rec_clear(&again);
	sb_release(&err);
	sb_release(&kv);
	return 0;
}
