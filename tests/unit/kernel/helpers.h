/* Host tests of the guest kernel's common part (src/kernel/common): the kernel's C code compiled
 * for the host against a fake architecture (helpers.c) whose user address space is a list of
 * pages with permissions, whose console is a buffer, and whose shutdown returns to the test. */
#ifndef TESTS_UNIT_KERNEL_HELPERS_H
#define TESTS_UNIT_KERNEL_HELPERS_H

#include <setjmp.h>

#include "kernel/common/kernel.h"

/* The console: what the kernel wrote, and what it will read. */
extern char fake_console_out[8192];
extern size_t fake_console_len;
extern const char *fake_console_in;

/* arch_shutdown() longjmps here with status + 1 when fake_shutdown_armed. */
extern jmp_buf fake_shutdown_jmp;
extern int fake_shutdown_armed;

/* A fresh process with an empty fake address space. */
void fake_reset(struct proc *p);
/* Maps one zeroed page at va with prot (PROT_*), bypassing the kernel. */
void fake_map(uint64_t va, int prot);
/* The fake page's bytes at va, or NULL (for checks). */
uint8_t *fake_mem(uint64_t va);

#endif
