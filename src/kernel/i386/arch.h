/* What the common kernel part (src/kernel/common) needs to know about i386. */
#ifndef KERNEL_I386_ARCH_H
#define KERNEL_I386_ARCH_H

#include <stdint.h>

#include "memlayout.h"
#include "regs.h"
#include "x86.h"

#define ARCH_NAME      "i386"
#define ELF_MACHINE    3 /* EM_386 */
#define ELF_CLASS      1 /* ELFCLASS32 */
#define USER_LONG_SIZE 4
#define UNAME_MACHINE  "i686" /* what Linux i386 (and qemu-i386) report on a P6-class CPU */

struct arch_proc {
    uint32_t *pgdir; /* the process's page directory, by its kernel-virtual address */
};

#endif
