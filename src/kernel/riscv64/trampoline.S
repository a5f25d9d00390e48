/* The trampoline page: the only kernel code mapped in the user page table (at TRAMPOLINE, without
 * the U bit), and mapped at the same address in the kernel page table, so execution continues
 * across the satp switch. Who calls what:
 *   - uservec: the hart, on any trap from U-mode (stvec = TRAMPOLINE + (uservec - trampoline), set
 *     by usertrapret()). Saves the user registers in the trapframe, switches to the kernel page
 *     table and jumps to usertrap() (trap.c) on the process's kernel stack.
 *   - userret: usertrapret() (trap.c), through its TRAMPOLINE address, with a0 = the user satp.
 *     Switches to the user page table, restores the user registers and returns with sret.
 * Offsets into the trapframe are those of trapframe.h: x<n> at 8*n. */
#include "memlayout.h"
#include "trapframe.h"

    .section .text.trampoline, "ax"
    .balign 4096
    .globl uservec
uservec:
    /* sscratch holds TRAPFRAME while the program runs (userret puts it there). Swap: a0 now
     * points at the trapframe (mapped in the user table), sscratch keeps the user's a0. */
    csrrw   a0, sscratch, a0
    sd      x1, TF_X(1)(a0)
    sd      x2, TF_X(2)(a0)
    sd      x3, TF_X(3)(a0)
    sd      x4, TF_X(4)(a0)
    sd      x5, TF_X(5)(a0)
    sd      x6, TF_X(6)(a0)
    sd      x7, TF_X(7)(a0)
    sd      x8, TF_X(8)(a0)
    sd      x9, TF_X(9)(a0)
    /* x10 (a0) is in sscratch: saved below */
    sd      x11, TF_X(11)(a0)
    sd      x12, TF_X(12)(a0)
    sd      x13, TF_X(13)(a0)
    sd      x14, TF_X(14)(a0)
    sd      x15, TF_X(15)(a0)
    sd      x16, TF_X(16)(a0)
    sd      x17, TF_X(17)(a0)
    sd      x18, TF_X(18)(a0)
    sd      x19, TF_X(19)(a0)
    sd      x20, TF_X(20)(a0)
    sd      x21, TF_X(21)(a0)
    sd      x22, TF_X(22)(a0)
    sd      x23, TF_X(23)(a0)
    sd      x24, TF_X(24)(a0)
    sd      x25, TF_X(25)(a0)
    sd      x26, TF_X(26)(a0)
    sd      x27, TF_X(27)(a0)
    sd      x28, TF_X(28)(a0)
    sd      x29, TF_X(29)(a0)
    sd      x30, TF_X(30)(a0)
    sd      x31, TF_X(31)(a0)
    csrr    t0, sscratch
    sd      t0, TF_X(10)(a0)        /* the user's a0 */

    ld      sp, TF_KERNEL_SP(a0)    /* the process's kernel stack */
    ld      tp, TF_KERNEL_HARTID(a0)
    ld      t0, TF_KERNEL_TRAP(a0)  /* usertrap() */
    ld      t1, TF_KERNEL_SATP(a0)
    /* Priv. 4.2.1: order the user-table accesses above before the switch, and make the hart use
     * only the new table after it. */
    sfence.vma zero, zero
    csrw    satp, t1
    sfence.vma zero, zero
    jr      t0                      /* usertrap() never returns here */

    .globl userret
userret:
    /* a0 = the user satp. This page is mapped at the same address in both tables. */
    sfence.vma zero, zero
    csrw    satp, a0
    sfence.vma zero, zero
    li      a0, TRAPFRAME
    csrw    sscratch, a0            /* for the next uservec */
    ld      x1, TF_X(1)(a0)
    ld      x2, TF_X(2)(a0)
    ld      x3, TF_X(3)(a0)
    ld      x4, TF_X(4)(a0)
    ld      x5, TF_X(5)(a0)
    ld      x6, TF_X(6)(a0)
    ld      x7, TF_X(7)(a0)
    ld      x8, TF_X(8)(a0)
    ld      x9, TF_X(9)(a0)
    ld      x11, TF_X(11)(a0)
    ld      x12, TF_X(12)(a0)
    ld      x13, TF_X(13)(a0)
    ld      x14, TF_X(14)(a0)
    ld      x15, TF_X(15)(a0)
    ld      x16, TF_X(16)(a0)
    ld      x17, TF_X(17)(a0)
    ld      x18, TF_X(18)(a0)
    ld      x19, TF_X(19)(a0)
    ld      x20, TF_X(20)(a0)
    ld      x21, TF_X(21)(a0)
    ld      x22, TF_X(22)(a0)
    ld      x23, TF_X(23)(a0)
    ld      x24, TF_X(24)(a0)
    ld      x25, TF_X(25)(a0)
    ld      x26, TF_X(26)(a0)
    ld      x27, TF_X(27)(a0)
    ld      x28, TF_X(28)(a0)
    ld      x29, TF_X(29)(a0)
    ld      x30, TF_X(30)(a0)
    ld      x31, TF_X(31)(a0)
    ld      a0, TF_X(10)(a0)        /* last: a0 was the trapframe pointer */
    /* Priv. 4.1.1: sret returns to the mode in sstatus.SPP (U, set by usertrapret) at sepc */
    sret
