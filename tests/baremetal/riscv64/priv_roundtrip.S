/* Self-checking privilege round trip (issue 3, "Done when"): M drops to S with mret, S takes an
 * ecall to M, S drops to U with sret, U's ecall and an illegal instruction are delegated to S
 * (medeleg), S returns with sret; every CSR on the way is checked (mstatus MPP/MPIE/MIE,
 * sstatus SPP/SPIE/SIE, mepc/sepc, mcause/scause, mtval/stval, medeleg). Each check prints
 * "PASS: ..." or "FAIL: ..." on the virt UART; the run ends through the SiFive test finisher with
 * status 0 only when every check passed (else 1). Runs the same under `ringside run --kernel` and
 * `qemu-system-riscv64 -machine virt -bios none` (tests/e2e/priv_roundtrip.sh).
 *
 * Spec references: priv. spec 3.1.6.1 (xPP, xPIE, xIE stacking), 3.1.8 (medeleg), 3.1.14-3.1.16
 * (xepc, xcause, xtval), 3.3.1 (ecall), 3.3.2 (mret/sret), 3.7 (PMP, opened for S and U below),
 * 4.1.1 (sstatus), 4.1.7-4.1.9 (sepc, scause, stval). */

#define UART      0x10000000
#define FINISHER  0x100000
#define MSTATUS_MIE  (1 << 3)
#define MSTATUS_MPIE (1 << 7)
#define MSTATUS_MPP  (3 << 11)
#define MPP_S        (1 << 11)
#define SSTATUS_SIE  (1 << 1)
#define SSTATUS_SPIE (1 << 5)
#define SSTATUS_SPP  (1 << 8)

/* CHECK reg, expected, "text": reg == expected (an immediate) */
.macro CHECK reg, expected, text
    .pushsection .rodata
.Lmsg\@: .asciz "\text"
    .popsection
    mv      a1, \reg
    li      a2, \expected
    la      a0, .Lmsg\@
    call    check
.endm
/* CHECK_MASK reg, mask, expected, "text": (reg & mask) == expected */
.macro CHECK_MASK reg, mask, expected, text
    li      t4, \mask
    and     t4, \reg, t4
    CHECK   t4, \expected, "\text"
.endm
/* CHECK_ADDR reg, label, "text": reg == the address of label */
.macro CHECK_ADDR reg, label, text
    .pushsection .rodata
.Lmsg\@: .asciz "\text"
    .popsection
    mv      a1, \reg
    la      a2, \label
    la      a0, .Lmsg\@
    call    check
.endm

    .section .text.start, "ax"
    .globl _start
_start:
    li      s11, 0                  /* failures */
    li      s10, 0                  /* phase, read by the trap handlers */
    la      t0, m_trap
    csrw    mtvec, t0
    la      t0, s_trap
    csrw    stvec, t0
    /* PMP entry 0: NAPOT over all of memory, RWX, so that S and U may access it (3.7.1) */
    li      t0, -1
    csrw    pmpaddr0, t0
    li      t0, 0x1f
    csrw    pmpcfg0, t0
    /* 3.1.8: delegate ecall from U (8) and illegal instruction (2) to S */
    li      t0, (1 << 8) | (1 << 2)
    csrw    medeleg, t0
    csrr    t1, medeleg
    CHECK   t1, (1 << 8) | (1 << 2), "M: medeleg holds ecall-from-U and illegal instruction"
    csrr    t1, misa
    CHECK_MASK t1, (1 << 18) | (1 << 20), (1 << 18) | (1 << 20), "M: misa has S and U"

    /* M -> S: MPP = S, MPIE = 1, MIE = 0 (3.1.6.1, 3.3.2) */
    li      t0, MSTATUS_MPP | MSTATUS_MIE
    csrc    mstatus, t0
    li      t0, MPP_S | MSTATUS_MPIE
    csrs    mstatus, t0
    csrr    t1, mstatus
    CHECK_MASK t1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE, MPP_S | MSTATUS_MPIE, "M: mstatus before mret: MPP=S MPIE=1 MIE=0"
    la      t0, s_entry
    csrw    mepc, t0
    csrr    t1, mepc
    CHECK_ADDR t1, s_entry, "M: mepc holds the S entry"
    mret

s_entry:
    csrr    t1, sstatus
    CHECK_MASK t1, SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE, 0, "S: sstatus after mret: SPP=U SPIE=0 SIE=0"
    li      s10, 1
s_ecall:
    ecall                           /* from S, not delegated: M, mcause 9 */
    /* back from M through mret */
    CHECK   s10, 2, "S: resumed after the ecall by mret"

    /* S -> U: SPP = U, SPIE = 1 (4.1.1, 3.3.2) */
    li      t0, SSTATUS_SPP
    csrc    sstatus, t0
    li      t0, SSTATUS_SPIE
    csrs    sstatus, t0
    la      t0, u_entry
    csrw    sepc, t0
    csrr    t1, sepc
    CHECK_ADDR t1, u_entry, "S: sepc holds the U entry"
    li      s10, 3
    sret

u_entry:
u_ecall:
    ecall                           /* from U, delegated: S, scause 8 */
    li      s10, 5
u_illegal:
    csrr    t1, sstatus             /* illegal in U, delegated: S, scause 2, stval = the bits */
    li      s10, 7
    ecall                           /* the end: S ecalls to M */
1:  j       1b

/* S-mode trap handler */
    .p2align 2
s_trap:
    csrr    s9, scause              /* s9: the cause (the checks clobber t registers) */
    li      t2, 8
    beq     s9, t2, s_from_u_ecall
    li      t2, 2
    beq     s9, t2, s_from_u_illegal
    CHECK   s9, -1, "S: unexpected trap"
    j       s_final

s_from_u_ecall:
    li      t2, 7
    beq     s10, t2, s_final
    CHECK   s10, 3, "S: ecall from U arrives after sret"
    CHECK   s9, 8, "S: scause = 8 (ecall from U)"
    csrr    t1, sepc
    CHECK_ADDR t1, u_ecall, "S: sepc = the ecall in U"
    csrr    t1, stval
    CHECK   t1, 0, "S: stval = 0 for ecall"
    csrr    t1, sstatus
    CHECK_MASK t1, SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE, SSTATUS_SPIE, "S: sstatus on trap from U: SPP=U SPIE=1 SIE=0"
    csrr    t0, sepc
    addi    t0, t0, 4
    csrw    sepc, t0
    li      s10, 4
    sret

s_from_u_illegal:
    CHECK   s10, 5, "S: illegal instruction from U arrives after the second sret"
    CHECK   s9, 2, "S: scause = 2 (illegal instruction)"
    csrr    t1, sepc
    CHECK_ADDR t1, u_illegal, "S: sepc = the illegal instruction"
    csrr    t1, stval
    CHECK   t1, 0x10002373, "S: stval = the instruction bits (csrr t1, sstatus)"
    csrr    t1, sstatus
    CHECK_MASK t1, SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE, SSTATUS_SPIE, "S: sstatus: SPIE=1 again (sret had set SIE=1)"
    csrr    t0, sepc
    addi    t0, t0, 4
    csrw    sepc, t0
    li      s10, 6
    sret

s_final:
    li      s10, 8
s_final_ecall:
    ecall                           /* to M: the summary and the exit */
2:  j       2b

/* M-mode trap handler */
    .p2align 2
m_trap:
    csrr    s9, mcause
    li      t2, 8
    beq     s10, t2, m_final
    CHECK   s10, 1, "M: first trap is the ecall from S"
    CHECK   s9, 9, "M: mcause = 9 (ecall from S)"
    csrr    t1, mepc
    CHECK_ADDR t1, s_ecall, "M: mepc = the ecall in S"
    csrr    t1, mtval
    CHECK   t1, 0, "M: mtval = 0 for ecall"
    csrr    t1, mstatus
    CHECK_MASK t1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE, MPP_S | MSTATUS_MPIE, "M: mstatus on trap from S: MPP=S MPIE=1 (mret had set MIE=1) MIE=0"
    csrr    t0, mepc
    addi    t0, t0, 4
    csrw    mepc, t0
    li      s10, 2
    mret

m_final:
    CHECK   s9, 9, "M: final mcause = 9 (ecall from S)"
    csrr    t1, mepc
    CHECK_ADDR t1, s_final_ecall, "M: final mepc = the ecall in S"
    csrr    t1, mstatus
    CHECK_MASK t1, MSTATUS_MPP, MPP_S, "M: final mstatus.MPP = S"
    csrr    t1, medeleg
    CHECK   t1, (1 << 8) | (1 << 2), "M: medeleg unchanged"
    bnez    s11, 3f
    la      a0, all_pass
    call    puts
    li      t0, FINISHER
    li      t1, 0x5555              /* FINISHER_PASS */
    sw      t1, 0(t0)
    j       .
3:  la      a0, some_fail
    call    puts
    li      t0, FINISHER
    li      t1, (1 << 16) | 0x3333  /* FINISHER_FAIL, status 1 */
    sw      t1, 0(t0)
    j       .

/* check(a0 = text, a1 = value, a2 = expected): prints PASS/FAIL, counts failures in s11 */
check:
    mv      t6, ra
    mv      t5, a0
    la      a0, pass_text
    beq     a1, a2, 4f
    la      a0, fail_text
    addi    s11, s11, 1
4:  call    puts
    mv      a0, t5
    call    puts
    la      a0, newline
    call    puts
    mv      ra, t6
    ret

/* puts(a0): polls LSR.THRE (bit 5) before each byte; clobbers a0, t0-t2 */
puts:
    li      t0, UART
5:  lbu     t1, 0(a0)
    beqz    t1, 7f
6:  lbu     t2, 5(t0)
    andi    t2, t2, 0x20
    beqz    t2, 6b
    sb      t1, 0(t0)
    addi    a0, a0, 1
    j       5b
7:  ret

    .section .rodata
pass_text: .asciz "PASS: "
fail_text: .asciz "FAIL: "
newline:   .asciz "\n"
all_pass:  .asciz "priv_roundtrip: all checks passed\n"
some_fail: .asciz "priv_roundtrip: some checks FAILED\n"
