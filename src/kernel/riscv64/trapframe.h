/* The trapframe: one page per process, mapped at TRAPFRAME in the user page table (without the U
 * bit) and reached through the direct map by the kernel. uservec saves the user registers in it and
 * finds there what it needs to enter the kernel; userret restores the registers from it. The byte
 * offsets are used by trampoline.S; trap.c checks them against the structure. */
#ifndef KERNEL_RISCV64_TRAPFRAME_H
#define KERNEL_RISCV64_TRAPFRAME_H

#define TF_X(n)          (8 * (n)) /*   0..255: x1..x31 at 8*n (slot 0 unused: x0 is zero) */
#define TF_KERNEL_SATP   256       /* the kernel page table, for uservec's satp switch */
#define TF_KERNEL_SP     264       /* top of the process's kernel stack */
#define TF_KERNEL_TRAP   272       /* address of usertrap(), where uservec jumps */
#define TF_KERNEL_HARTID 280       /* the hart id, loaded into tp */
#define TF_PC            288       /* user pc: sepc, saved and restored by trap.c */
#define TF_SIZE          296

#ifndef __ASSEMBLER__
#include <stdint.h>
struct trapframe {
    uint64_t x[32];         /*   0 */
    uint64_t kernel_satp;   /* 256 */
    uint64_t kernel_sp;     /* 264 */
    uint64_t kernel_trap;   /* 272 */
    uint64_t kernel_hartid; /* 280 */
    uint64_t pc;            /* 288 */
};
#endif

#endif
