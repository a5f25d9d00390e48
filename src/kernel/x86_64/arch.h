/* What the common kernel part (src/kernel/common) needs to know about x86-64. */
#ifndef KERNEL_X86_64_ARCH_H
#define KERNEL_X86_64_ARCH_H

#include <stdint.h>

#include "memlayout.h"
#include "regs.h"
#include "x86.h"

#define ARCH_NAME   "x86_64"
#define ELF_MACHINE 62 /* EM_X86_64 */
#define ELF_CLASS   2
#define ARCH_HAS_COMPAT32                                                                          \
    1 /* int $0x80: the i386 numbers and layouts (syscall_dispatch_compat32) */

struct arch_proc {
    uint64_t *pml4; /* the process's top-level page table, by its kernel-virtual address */
};

struct proc;
/* arch_prctl(code, addr) (x86_64/trap.c): ARCH_SET_FS and ARCH_GET_FS. */
int64_t arch_prctl(struct proc *p, uint64_t code, uint64_t addr);

#endif
