/* The SBI null call, shaped like the T-Head C907 measurement (SyterKit PR 200: cycles per SBI call
 * from S-mode into M-mode firmware and back): S-mode code calls `ecall` N times in a loop, reading
 * the `cycle` counter before and after; M-mode handles each call and returns with `mret`.
 * Two M-mode handlers (chosen at build time with -DHANDLER_SBI):
 *   empty  the least a handler can do: mepc += 4, mret
 *   sbi    shaped like RustSBI's entry: swap sp with mscratch, save the 31 general registers to a
 *          context, dispatch on a7 (the SBI extension), a0 = SBI_SUCCESS, a1 = 0, mepc += 4,
 *          restore, swap back, mret (OpenSBI does the same and more)
 * Prints "cycles per call: <n>" (guest-measured, rdcycle) and "calls: <N>". */
    .equ N, 1000
    .section .text.start, "ax"
    .globl _start
_start:
    la      t0, m_handler
    csrw    mtvec, t0
    la      t0, m_context_end
    csrw    mscratch, t0
    li      t0, 7
    csrw    mcounteren, t0          /* S may read cycle, time, instret */
    /* PMP entry 0: all of memory, RWX, NAPOT, as firmware leaves it; without a matching entry S
     * and U can access nothing (priv. spec 3.7.1). */
    li      t0, -1
    csrw    pmpaddr0, t0
    li      t0, 0x1f                /* R | W | X | A=NAPOT */
    csrw    pmpcfg0, t0
    li      t0, 1 << 11             /* mstatus.MPP = S */
    csrw    mstatus, t0
    la      t0, s_main
    csrw    mepc, t0
    mret

s_main:
    li      s4, N
    li      a7, 0x10                /* SBI base extension */
    li      a6, 0                   /* get_spec_version */
    csrr    s2, cycle
1:  ecall
    addi    s4, s4, -1
    bnez    s4, 1b
    csrr    s3, cycle
    la      a0, msg_cycles
    call    puts
    sub     a0, s3, s2
    li      t0, N
    divu    a0, a0, t0
    call    putdec
    la      a0, msg_calls
    call    puts
    li      a0, N
    call    putdec
    la      a0, msg_nl
    call    puts
    j       finish

    .balign 4
m_handler:
#ifdef HANDLER_SBI
    csrrw   sp, mscratch, sp        /* sp: the firmware context; mscratch: S's sp */
    addi    sp, sp, -256
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
    csrr    t0, mscratch
    sd      t0, 16(sp)              /* S's sp */
    csrr    t1, mcause
    li      t2, 9                   /* ecall from S */
    bne     t1, t2, 9f
    li      t2, 0x10                /* dispatch on the extension in a7 */
    bne     a7, t2, 8f
    li      t3, 0                   /* get_spec_version */
    bne     a6, t3, 8f
    li      t4, 2                   /* SBI 2.0 */
    sd      zero, 80(sp)            /* a0 = SBI_SUCCESS */
    sd      t4, 88(sp)              /* a1 = the version */
    j       7f
8:  li      t4, -2                  /* SBI_ERR_NOT_SUPPORTED */
    sd      t4, 80(sp)
7:  csrr    t0, mepc
    addi    t0, t0, 4
    csrw    mepc, t0
    ld      t0, 16(sp)
    csrw    mscratch, t0
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
    addi    sp, sp, 256
    csrrw   sp, mscratch, sp
    mret
9:  j       finish                  /* not an ecall: stop */
#else
    csrr    t0, mepc
    addi    t0, t0, 4
    csrw    mepc, t0
    mret
#endif

#include "rv_common.inc"

    .section .rodata
msg_cycles: .asciz "cycles per call: "
msg_calls:  .asciz "\ncalls: "
msg_nl:     .asciz "\n"
    .section .bss
    .balign 16
m_context:  .space 512
m_context_end:
numbuf:     .space 24
