/* One-way IPC shaped like seL4's Call / ReplyRecv on the SiFive U540 (sel4.systems performance
 * page: 663-865 cycles one way): a client thread and a server thread in two address spaces (two
 * Sv39 roots) call each other through the S-mode kernel. Each one-way IPC is a U-mode `ecall`, a
 * kernel that saves the caller's 31 registers to its thread control block, switches satp to the
 * other thread's root and fences (`sfence.vma`, as seL4 does without ASIDs), restores the other
 * thread's registers and returns with `sret`. The client reads `cycle` around N round trips (2N
 * one-way IPCs) and passes the difference to the kernel, which prints
 * "cycles per one-way IPC: <n>".
 * Memory: the kernel and its data identity-mapped by a 1 GiB page at 0x80000000 (not user); user
 * code on a 4 KiB page at virtual 0x40000000 (three-level walks, as for seL4's user pages). */
    .equ N, 500
    .equ UVA, 0x40000000
    .equ PTE_V, 1
    .equ PTE_RWX, 0xe
    .equ PTE_U, 0x10
    .equ PTE_AD, 0xc0
    /* TCB layout: 32 registers (x0 slot unused), pc at 256, satp at 264, other at 272 */
    .equ TCB_PC, 256
    .equ TCB_SATP, 264
    .equ TCB_OTHER, 272

    .section .text.start, "ax"
    .globl _start
_start:
    /* page tables: rootA and rootB alike; root[2] = 1 GiB kernel page, root[1] -> l1u -> l0u */
    la      t0, rootA
    call    fill_root
    la      t0, rootB
    call    fill_root
    la      t1, l1u
    la      t2, l0u
    srli    t3, t2, 12
    slli    t3, t3, 10
    ori     t3, t3, PTE_V
    sd      t3, 0(t1)               /* l1u[0] -> l0u */
    la      t3, user_page
    srli    t3, t3, 12
    slli    t3, t3, 10
    ori     t3, t3, PTE_V | 0xa | PTE_U | PTE_AD   /* R X U A D */
    sd      t3, 0(t2)               /* l0u[0]: the user code page */
    /* TCBs: client (rootA) starts at UVA + client offset, server (rootB) at its loop */
    la      t0, tcb_client
    la      t1, tcb_server
    la      t3, user_page
    li      t4, UVA
    la      t2, client
    sub     t2, t2, t3
    add     t2, t2, t4
    sd      t2, TCB_PC(t0)
    la      t2, server
    sub     t2, t2, t3
    add     t2, t2, t4
    sd      t2, TCB_PC(t1)
    la      t2, rootA
    srli    t2, t2, 12
    li      t3, 8 << 60
    or      t2, t2, t3
    sd      t2, TCB_SATP(t0)
    la      t3, rootB
    srli    t3, t3, 12
    li      t4, 8 << 60
    or      t3, t3, t4
    sd      t3, TCB_SATP(t1)
    sd      t1, TCB_OTHER(t0)
    sd      t0, TCB_OTHER(t1)
    /* M: delegate ecall from U to S; counters readable below M */
    li      t0, 1 << 8
    csrw    medeleg, t0
    li      t0, 7
    csrw    mcounteren, t0
    csrw    scounteren, t0
    la      t0, s_start
    csrw    mepc, t0
    /* PMP entry 0: all of memory, RWX, NAPOT, as firmware leaves it; without a matching entry S
     * and U can access nothing (priv. spec 3.7.1). */
    li      t0, -1
    csrw    pmpaddr0, t0
    li      t0, 0x1f                /* R | W | X | A=NAPOT */
    csrw    pmpcfg0, t0
    li      t0, 1 << 11             /* MPP = S */
    csrw    mstatus, t0
    mret

fill_root:
    li      t1, 0x80000000
    srli    t1, t1, 12
    slli    t1, t1, 10
    ori     t1, t1, PTE_V | PTE_RWX | PTE_AD
    sd      t1, 16(t0)              /* root[2]: 0x80000000, 1 GiB */
    li      t1, PTE_V | 0x6 | PTE_AD
    sd      t1, 0(t0)               /* root[0]: devices (UART, finisher), 1 GiB, R W */
    la      t1, l1u
    srli    t1, t1, 12
    slli    t1, t1, 10
    ori     t1, t1, PTE_V
    sd      t1, 8(t0)               /* root[1] -> l1u */
    ret

s_start:
    la      t0, s_trap
    csrw    stvec, t0
    la      sp, tcb_client
    csrw    sscratch, sp
    ld      t0, TCB_SATP(sp)
    csrw    satp, t0
    sfence.vma
    ld      t0, TCB_PC(sp)
    csrw    sepc, t0                /* sstatus.SPP = 0 (U) after reset */
    sret

/* The kernel's IPC path: save the caller, switch address space, restore the callee. */
    .balign 4
s_trap:
    csrrw   sp, sscratch, sp        /* sp = current TCB, sscratch = the thread's sp */
    sd      x1, 8(sp)
    sd      x3, 24(sp)
    sd      x4, 32(sp)
    sd      x5, 40(sp)
    sd      x6, 48(sp)
    sd      x7, 56(sp)
    sd      x8, 64(sp)
    sd      x9, 72(sp)
    sd      x10, 80(sp)
    sd      x11, 88(sp)
    sd      x12, 96(sp)
    sd      x13, 104(sp)
    sd      x14, 112(sp)
    sd      x15, 120(sp)
    sd      x16, 128(sp)
    sd      x17, 136(sp)
    sd      x18, 144(sp)
    sd      x19, 152(sp)
    sd      x20, 160(sp)
    sd      x21, 168(sp)
    sd      x22, 176(sp)
    sd      x23, 184(sp)
    sd      x24, 192(sp)
    sd      x25, 200(sp)
    sd      x26, 208(sp)
    sd      x27, 216(sp)
    sd      x28, 224(sp)
    sd      x29, 232(sp)
    sd      x30, 240(sp)
    sd      x31, 248(sp)
    csrr    t0, sscratch
    sd      t0, 16(sp)
    csrr    t0, sepc
    addi    t0, t0, 4
    sd      t0, TCB_PC(sp)
    li      t1, 1                   /* a7 = 1: the client's report */
    beq     a7, t1, report
    ld      sp, TCB_OTHER(sp)       /* the other thread */
    csrw    sscratch, sp
    ld      t0, TCB_SATP(sp)
    csrw    satp, t0
    sfence.vma
    ld      t0, TCB_PC(sp)
    csrw    sepc, t0
    ld      x1, 8(sp)
    ld      x3, 24(sp)
    ld      x4, 32(sp)
    ld      x5, 40(sp)
    ld      x6, 48(sp)
    ld      x7, 56(sp)
    ld      x8, 64(sp)
    ld      x9, 72(sp)
    ld      x10, 80(sp)
    ld      x11, 88(sp)
    ld      x12, 96(sp)
    ld      x13, 104(sp)
    ld      x14, 112(sp)
    ld      x15, 120(sp)
    ld      x16, 128(sp)
    ld      x17, 136(sp)
    ld      x18, 144(sp)
    ld      x19, 152(sp)
    ld      x20, 160(sp)
    ld      x21, 168(sp)
    ld      x22, 176(sp)
    ld      x23, 184(sp)
    ld      x24, 192(sp)
    ld      x25, 200(sp)
    ld      x26, 208(sp)
    ld      x27, 216(sp)
    ld      x28, 224(sp)
    ld      x29, 232(sp)
    ld      x30, 240(sp)
    ld      x31, 248(sp)
    ld      sp, 16(sp)
    sret

report:                             /* a0 = cycles of N round trips */
    mv      s0, a0
    la      a0, msg_cycles
    call    puts
    li      t0, 2 * N
    divu    a0, s0, t0
    call    putdec
    la      a0, msg_ipcs
    call    puts
    li      a0, 2 * N
    call    putdec
    la      a0, msg_nl
    call    puts
    j       finish

#include "rv_common.inc"

/* The user page (mapped at UVA, U R X). */
    .balign 4096
user_page:
client:
    li      s4, N
    rdcycle s2
1:  li      a7, 0                   /* Call */
    ecall
    addi    s4, s4, -1
    bnez    s4, 1b
    rdcycle s3
    sub     a0, s3, s2
    li      a7, 1
    ecall                           /* report: does not return */
2:  j       2b
server:
    li      a7, 0                   /* ReplyRecv */
    ecall
    j       server
    .balign 4096

    .section .rodata
msg_cycles: .asciz "cycles per one-way IPC: "
msg_ipcs:   .asciz "\none-way IPCs: "
msg_nl:     .asciz "\n"

    .section .bss
    .balign 4096
rootA:  .space 4096
rootB:  .space 4096
l1u:    .space 4096
l0u:    .space 4096
    .balign 64
tcb_client: .space 512
tcb_server: .space 512
numbuf: .space 24
