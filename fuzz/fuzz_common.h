/* Shared helpers of the libFuzzer targets: the readers take a path, so each
 * input is written to an anonymous memory file (memfd) and passed as
 * /proc/self/fd/N; a checking sink touches every byte of every record (so
 * that ASan sees any view pointing outside the reader's buffers) and aborts
 * when a record breaks the contract of bilan/record.h. */
#ifndef BILAN_FUZZ_COMMON_H
#define BILAN_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "bilan/record.h"

/* The libFuzzer entry point, declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A memfd holding data, its path written into path (at least 32 bytes).
 * Returns the descriptor (close it when done) or aborts: a fuzzer that
 * cannot make its input must not report success. */
int fz_memfd(const uint8_t *data, size_t size, char path[32]);

/* A sink that checks and consumes every record; never stops the reader. */
extern const bl_sink fz_sink;

/* Touches n bytes at p (ASan checks the reads). */
void fz_touch(const void *p, size_t n);

#endif
