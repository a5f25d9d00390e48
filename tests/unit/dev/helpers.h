/* Test helpers for the device tests: a machine to attach devices to, and a console whose output
 * lands in a buffer and whose input comes from a pipe. */
#ifndef RINGSIDE_TESTS_DEV_HELPERS_H
#define RINGSIDE_TESTS_DEV_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include "dev/dev.h"
#include "machine/machine.h"

#define TEST_RAM_BASE 0x80000000ull
#define TEST_RAM_SIZE (16ull << 20)

struct test_console {
    struct dev_console console;
    char out[8192];
    size_t out_len;
    int pipe_read, pipe_write; /* input: the test writes, the device reads */
};

/* machine_init with 16 MiB of RAM, at 0x80000000 for riscv64 (virt) and at 0 for x86 (PC); fails
 * the test on error. */
void test_machine_init(struct machine *m, enum mach_arch arch);
/* A console with an empty output buffer and a non-blocking input pipe (or in_fd -1 if !with_input).
 */
void test_console_init(struct test_console *c, int with_input);
void test_console_close(struct test_console *c);
/* Writes len bytes into the input pipe; closes the write end afterwards if close_after. */
void test_console_feed(struct test_console *c, const char *bytes, size_t len, int close_after);

#endif
