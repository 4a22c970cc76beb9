/* fuzz.h — what the fuzz targets share. Each target is a libFuzzer entry
 * point (LLVMFuzzerTestOneInput); `make fuzz` builds them with clang's
 * -fsanitize=fuzzer,address,undefined and runs each for a bounded time, and
 * the test suite links them with replay.c instead, a main() that feeds
 * them the kept corpus and crash reproducers (tests/fuzz/corpus/TARGET/)
 * under the sanitizer build. A target aborts (abort()) on a property that
 * fails, so that both drivers report it. */
#ifndef AIAPREP_FUZZ_H
#define AIAPREP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input written to this process's scratch file (path + suffix);
 * returns its name (fuzz_file.c). */
const char *fuzz_file(const uint8_t *data, size_t size, const char *suffix);

#define FUZZ_REQUIRE(cond)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
