/* F/D through the whole machine (unpriv. spec 11-12, priv. spec 3.1.6.6), compared with QEMU by
 * tests/e2e/riscv_fp_system.sh: with mstatus.FS = Off an FP instruction and an fcsr access are
 * illegal instructions (mcause 2, mtval = the bits); with FS = Initial the results and fflags of
 * divisions in all five static rounding modes and the dynamic one, a fused multiply-add, a square
 * root, a saturating conversion and a single-to-double conversion of an improperly NaN-boxed
 * value are printed in hex; afterwards FS must be Dirty and SD set. Lines "name value"; the
 * finisher exits with 0, or 1 when a self-check (the traps, FS, SD) failed. */
#define UART     0x10000000
#define FINISHER 0x100000

    .section .text.start, "ax"
    .globl _start
_start:
    li      s11, 0
    la      t0, m_trap
    csrw    mtvec, t0
    /* FS = Off: fadd.d traps, csrr fcsr traps */
    li      t0, 3 << 13
    csrc    mstatus, t0
    li      s10, 0                  /* traps seen */
trap1:
    fadd.d  ft0, ft1, ft2
    la      a0, t_fadd
    mv      a1, s10
    call    print                   /* expected 1 */
trap2:
    csrr    t1, fcsr
    la      a0, t_fcsr
    mv      a1, s10
    call    print                   /* expected 2 */
    li      t0, 2
    beq     s10, t0, 1f
    addi    s11, s11, 1
1:
    /* FS = Initial */
    li      t0, 1 << 13
    csrs    mstatus, t0
    csrr    a1, mstatus
    srli    a1, a1, 13
    andi    a1, a1, 3
    la      a0, t_fs_initial
    call    print
    la      s0, data
    fld     fs0, 0(s0)              /* 1.0 */
    fld     fs1, 8(s0)              /* 3.0 */
    fld     fs2, 16(s0)             /* -1.0 */
    fld     fs3, 24(s0)             /* 2^31 + 0.5 */

    .irp rm, rne, rtz, rdn, rup, rmm
    csrw    fflags, zero
    fdiv.d  fa0, fs0, fs1, \rm
    fmv.x.d a1, fa0
    la      a0, t_div_\rm
    call    print
    csrr    a1, fflags
    la      a0, t_flags
    call    print
    fdiv.d  fa0, fs2, fs1, \rm
    fmv.x.d a1, fa0
    la      a0, t_ndiv_\rm
    call    print
    .endr
    li      t0, 3                   /* frm = RUP, dynamic */
    csrw    frm, t0
    fdiv.s  fa1, fs0, fs1           /* operands not NaN-boxed: canonical NaN */
    fmv.x.d a1, fa1
    la      a0, t_dyn_unboxed
    call    print
    fcvt.s.d fa2, fs0
    fcvt.s.d fa3, fs1
    fdiv.s  fa1, fa2, fa3
    fmv.x.d a1, fa1
    la      a0, t_dyn
    call    print
    csrw    fflags, zero
    fmadd.d fa4, fs1, fs1, fs2      /* 3*3 - 1 */
    fsqrt.d fa5, fa4, rne           /* sqrt(8) */
    fmv.x.d a1, fa5
    la      a0, t_sqrt
    call    print
    fcvt.w.d a1, fs3, rne           /* 2^31 + 0.5: out of range, NV, 0x7fffffff */
    la      a0, t_cvt
    call    print
    fcvt.wu.d a1, fs2, rtz          /* -1: NV, 0 */
    la      a0, t_cvtu
    call    print
    csrr    a1, fcsr
    la      a0, t_fcsr_after
    call    print
    /* FS = Dirty and SD after writes */
    csrr    a1, mstatus
    srli    t1, a1, 13
    andi    t1, t1, 3
    li      t2, 3
    beq     t1, t2, 2f
    addi    s11, s11, 1
2:  srli    a1, a1, 63
    bnez    a1, 3f
    addi    s11, s11, 1
3:  la      a0, t_sd
    call    print
    la      a0, t_failures
    mv      a1, s11
    call    print
    li      t0, FINISHER
    li      t1, 0x5555
    beqz    s11, 4f
    li      t1, (1 << 16) | 0x3333
4:  sw      t1, 0(t0)
    j       .

/* M trap: expects illegal instructions at trap1/trap2 with tval = the bits; skips them */
    .p2align 2
m_trap:
    csrr    t1, mcause
    li      t2, 2
    bne     t1, t2, 5f
    csrr    t1, mtval
    csrr    t2, mepc
    lwu     t3, 0(t2)
    bne     t1, t3, 5f
    addi    s10, s10, 1
    addi    t2, t2, 4
    csrw    mepc, t2
    mret
5:  addi    s11, s11, 1
    la      a0, t_unexpected
    mv      a1, t1
    call    print
    li      t0, FINISHER
    li      t1, (1 << 16) | 0x3333
    sw      t1, 0(t0)
    j       .

/* print(a0 = name, a1 = value): "name 0x<16 hex digits>\n"; clobbers a0, a2, t0-t4 */
print:
    mv      t4, ra
    call    puts
    li      a0, ' '
    call    putc
    li      a2, 16
6:  srli    t3, a1, 60
    la      a0, hexdigits
    add     a0, a0, t3
    lbu     a0, 0(a0)
    call    putc
    slli    a1, a1, 4
    addi    a2, a2, -1
    bnez    a2, 6b
    li      a0, '\n'
    call    putc
    mv      ra, t4
    ret
putc:
    li      t0, UART
7:  lbu     t2, 5(t0)
    andi    t2, t2, 0x20
    beqz    t2, 7b
    sb      a0, 0(t0)
    ret
puts:
    mv      t1, a0
    mv      t3, ra
8:  lbu     a0, 0(t1)
    beqz    a0, 9f
    call    putc
    addi    t1, t1, 1
    j       8b
9:  mv      ra, t3
    ret

    .section .rodata
    .p2align 3
data:   .double 1.0, 3.0, -1.0, 2147483648.5
hexdigits: .ascii "0123456789abcdef"
t_fadd: .asciz "traps-after-fadd"
t_fcsr: .asciz "traps-after-fcsr"
t_fs_initial: .asciz "fs"
t_flags: .asciz "  fflags"
t_div_rne: .asciz "div-rne"
t_div_rtz: .asciz "div-rtz"
t_div_rdn: .asciz "div-rdn"
t_div_rup: .asciz "div-rup"
t_div_rmm: .asciz "div-rmm"
t_ndiv_rne: .asciz "ndiv-rne"
t_ndiv_rtz: .asciz "ndiv-rtz"
t_ndiv_rdn: .asciz "ndiv-rdn"
t_ndiv_rup: .asciz "ndiv-rup"
t_ndiv_rmm: .asciz "ndiv-rmm"
t_dyn_unboxed: .asciz "div.s-unboxed"
t_dyn: .asciz "div.s-dyn-rup"
t_sqrt: .asciz "sqrt"
t_cvt: .asciz "fcvt.w.d"
t_cvtu: .asciz "fcvt.wu.d"
t_fcsr_after: .asciz "fcsr"
t_sd: .asciz "sd"
t_failures: .asciz "failures"
t_unexpected: .asciz "unexpected-trap"
