/* What the common kernel part (src/kernel/common) needs to know about riscv64. */
#ifndef KERNEL_RISCV64_ARCH_H
#define KERNEL_RISCV64_ARCH_H

#include <stdint.h>

#include "memlayout.h"
#include "trapframe.h"

#define ARCH_NAME   "riscv64"
#define ELF_MACHINE 243 /* EM_RISCV */

struct arch_proc {
    uint64_t *pagetable;  /* the user page table (Sv39 root), a physical = kernel address */
    struct trapframe *tf; /* the trapframe page, by its kernel (direct-map) address */
};

#endif
