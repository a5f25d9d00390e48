/* Fuzz targets (design.md "Testing", robustness): each file defines LLVMFuzzerTestOneInput, the
 * libFuzzer entry point. Built with -DRINGSIDE_FUZZ=ON they link libFuzzer for coverage-guided
 * fuzzing; always, they link driver.c and run under ctest on deterministic random inputs, so a
 * target that stops compiling or crashes on its own regression inputs fails the build's tests.
 * tests/fuzz/README.md says how to fuzz. */
#ifndef RINGSIDE_TESTS_FUZZ_H
#define RINGSIDE_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
