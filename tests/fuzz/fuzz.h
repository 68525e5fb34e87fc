/* fuzz.h: what the libFuzzer targets of tests/fuzz share. Each fuzz_NAME.c is
 * one target: LLVMFuzzerTestOneInput feeds one input to one parser of outside
 * input, under ASan+UBSan (make fuzz). A property that must hold is checked
 * with FUZZ_ASSERT, which aborts so that libFuzzer keeps the input. */
#ifndef CLOUDCTL_FUZZ_H
#define CLOUDCTL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_ASSERT(cond)                                                             \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                      \
		}                                                                     \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (a copy to free). */
char *fuzz_str(const uint8_t *data, size_t size);
/* The input written to a file in a private directory; its path (static). */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);

#endif
