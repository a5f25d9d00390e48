/* The first instructions of the kernel, the M-mode trap vector and the S-mode kernel trap vector.
 * Built with -march=rv64ima: no compressed instructions, no floating point. */
#include "memlayout.h"

    .section .text.entry, "ax"
    .globl _start
/* _start: the platform (QEMU -bios none, or ringside) jumps here in M-mode with a0 = hart id and
 * a1 = the device tree (design.md "Platforms"). Hart 0 sets up M-mode (mstart.c), then drops to
 * S-mode at s_entry with mret, keeping a0 and a1; other harts wait forever. */
_start:
    bnez    a0, park
    la      sp, m_stack_top
    mv      s0, a0
    mv      s1, a1
    call    m_setup                 /* delegation, PMP, mtvec, mstatus.MPP = S */
    la      t0, s_entry
    csrw    mepc, t0                /* Priv. 3.3.2: mret jumps to mepc ... */
    mv      a0, s0
    mv      a1, s1
    mret                            /* ... in the mode mstatus.MPP names: S */
park:
    wfi
    j       park

/* m_trapvec: mtvec. With every exception but ecall-from-M and every S-level interrupt delegated,
 * and machine interrupts left disabled (no timer: the kernel does not preempt), only a fault in
 * m_setup or an S-mode ecall (there is no SBI) ends up here: m_trap() reports it and stops. */
    .balign 4
    .globl m_trapvec
m_trapvec:
    la      sp, m_stack_top
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    call    m_trap                  /* does not return */
1:  j       1b

/* pmp_open: called by m_setup() in M-mode. Opens PMP entry 0 over all of physical memory
 * (pmpaddr0 = all ones, NAPOT; pmpcfg0 = R|W|X|NAPOT) and returns 1. A hart without PMP may make
 * these CSRs illegal (Priv. 3.7.1 lets a hart implement no entries; QEMU's pmp=false traps): then
 * pmp_skip catches each illegal-instruction trap, steps over the csrw, and pmp_open returns 0;
 * without PMP, S and U reach memory anyway. mtvec is m_trapvec again on return. */
    .globl pmp_open
pmp_open:
    la      t0, pmp_skip
    csrrw   t1, mtvec, t0           /* t1 = the caller's mtvec */
    li      a0, 1
    li      t2, -1
    srli    t2, t2, 10              /* 0x003f_ffff_ffff_ffff: pmpaddr holds address bits 55..2 */
    csrw    pmpaddr0, t2
    li      t2, 0x1f                /* R | W | X | A = NAPOT (3 << 3) */
    csrw    pmpcfg0, t2
    csrw    mtvec, t1
    ret
    .balign 4
pmp_skip:
    li      a0, 0                   /* no PMP */
    csrr    t3, mepc
    addi    t3, t3, 4               /* csrw is 4 bytes (no compressed instructions here) */
    csrw    mepc, t3
    mret                            /* back to M-mode: the trap set mstatus.MPP = M */

/* s_entry: S-mode, paging off, a0 = hart id, a1 = device tree. Traps go to kernelvec until
 * usertrapret() points stvec at the trampoline. */
s_entry:
    la      sp, boot_stack_top
    la      t0, kernelvec
    csrw    stvec, t0
    mv      tp, a0                  /* tp holds the hart id in the kernel, as in xv6 */
    call    kmain                   /* does not return: it ends in userret */
1:  j       1b

/* kernelvec: stvec while the kernel runs. The kernel enables no interrupts, so a trap here is a
 * fault in the kernel (a bad pointer, a kernel stack overflow into its guard page): switch to a
 * stack of its own, since the faulting one may be what overflowed, and let kernel_trap() print
 * scause, sepc, stval and the old sp and stop the machine with status 125. */
    .balign 4
    .globl kernelvec
kernelvec:
    csrw    sscratch, sp
    la      sp, fault_stack_top
    csrr    a0, scause
    csrr    a1, sepc
    csrr    a2, stval
    csrr    a3, sscratch
    call    kernel_trap             /* does not return */
1:  j       1b

    .section .bss
    .balign 16
m_stack:    .space 4096
m_stack_top:
boot_stack: .space 16384
boot_stack_top:
fault_stack: .space 4096
fault_stack_top:
