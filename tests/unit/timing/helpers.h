/* Reference system-call numbers from the host's Linux headers, one translation unit per ABI
 * (their __NR_ macros clash): helpers_unistd_32.c (i386), helpers_unistd_64.c (x86_64);
 * test_syscall_names.c reads the asm-generic table (riscv64) itself. */
#ifndef TESTS_UNIT_TIMING_HELPERS_H
#define TESTS_UNIT_TIMING_HELPERS_H

#include <stddef.h>

struct ref_syscall {
    const char *name;
    long number;
};
extern const struct ref_syscall ref_i386[], ref_x86_64[];
extern const size_t ref_i386_count, ref_x86_64_count;

#endif
