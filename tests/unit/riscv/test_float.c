/* F and D (unpriv. spec chapters 11 and 12): loads and stores with NaN boxing (11.5, 12.2), the
 * rounding modes and fflags (11.2), computation (11.6), conversions (11.7, table 11.4), comparisons
 * (11.8), FCLASS (11.9), the canonical NaN (11.3), mstatus.FS (priv. spec 3.1.6.6), and a table of
 * qemu-riscv64 results (fp/vectors.inc, fp/regenerate.py) covering every OP-FP and fused row. */
#include "riscv/helpers.h"

#include <string.h>

struct fp_vector {
    uint32_t insn;
    uint8_t frm;
    uint64_t f11, f12, f13, x11, f10, x10, fflags;
};
#include "riscv/fp/vectors.inc"

#define BOX(v)   (0xffffffff00000000ull | (uint32_t)(v))
#define CNAN_S   BOX(0x7fc00000)
#define CNAN_D   0x7ff8000000000000ull
#define OP_FP    0x53
#define FS_DIRTY (3ull << 13)

__attribute__((unused)) static uint64_t dbits(double d)
{
    uint64_t b;
    memcpy(&b, &d, 8);
    return b;
}
__attribute__((unused)) static uint64_t sbits(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    return BOX(b);
}

/* OP-FP encoders: funct5, fmt (0 = S, 1 = D), rs2, rs1, rm, rd */
__attribute__((unused)) static uint32_t fp_r(unsigned f5, unsigned fmt, unsigned rs2, unsigned rs1,
                                             unsigned rm, unsigned rd)
{
    return rvt_r((f5 << 2) | fmt, rs2, rs1, rm, rd, OP_FP);
}
#define FADD(fmt, rd, a, b, rm)             fp_r(0, fmt, b, a, rm, rd)
#define FSUB(fmt, rd, a, b, rm)             fp_r(1, fmt, b, a, rm, rd)
#define FMUL(fmt, rd, a, b, rm)             fp_r(2, fmt, b, a, rm, rd)
#define FDIV(fmt, rd, a, b, rm)             fp_r(3, fmt, b, a, rm, rd)
#define FSQRT(fmt, rd, a, rm)               fp_r(0xb, fmt, 0, a, rm, rd)
#define FMIN(fmt, rd, a, b)                 fp_r(5, fmt, b, a, 0, rd)
#define FMAX(fmt, rd, a, b)                 fp_r(5, fmt, b, a, 1, rd)
#define FEQ(fmt, rd, a, b)                  fp_r(0x14, fmt, b, a, 2, rd)
#define FLT(fmt, rd, a, b)                  fp_r(0x14, fmt, b, a, 1, rd)
#define FLE(fmt, rd, a, b)                  fp_r(0x14, fmt, b, a, 0, rd)
#define FCVT_TO_INT(fmt, kind, rd, a, rm)   fp_r(0x18, fmt, kind, a, rm, rd)
#define FCVT_FROM_INT(fmt, kind, rd, a, rm) fp_r(0x1a, fmt, kind, a, rm, rd)
#define FSGNJ(fmt, k, rd, a, b)             fp_r(4, fmt, b, a, k, rd)
#define FCLASS(fmt, rd, a)                  fp_r(0x1c, fmt, 0, a, 1, rd)
#define FMV_X(fmt, rd, a)                   fp_r(0x1c, fmt, 0, a, 0, rd)
#define FMV_F(fmt, rd, a)                   fp_r(0x1e, fmt, 0, a, 0, rd)
#define FMADD(fmt, rd, a, b, c, rm)                                                                \
    (0x43u | ((rd) << 7) | ((rm) << 12) | ((a) << 15) | ((b) << 20) | ((fmt) << 25) |              \
     ((unsigned)(c) << 27))
#define FLW(rd, rs1, imm)  rvt_i(imm, rs1, 2, rd, 0x07)
#define FLD(rd, rs1, imm)  rvt_i(imm, rs1, 3, rd, 0x07)
#define FSW(rs2, rs1, imm) rvt_s(imm, rs2, rs1, 2, 0x27)
#define FSD(rs2, rs1, imm) rvt_s(imm, rs2, rs1, 3, 0x27)

enum { RNE, RTZ, RDN, RUP, RMM, DYN = 7 };
enum { NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16 };

static int fp_setup(void **state)
{
    int rc = rvt_setup(state);
    struct rvt *t = *state;
    rvt_set_csr(t, RV_CSR_mstatus, 1ull << 13); /* FS = Initial */
    return rc;
}

/* Runs one OP-FP instruction from a clean fflags; returns fflags */
static unsigned run_fp(struct rvt *t, uint32_t insn)
{
    t->h->csr.fflags = 0;
    assert_int_equal(rvt_exec(t, insn), RV_STEP_RETIRED);
    return t->h->csr.fflags;
}

/* The qemu-riscv64 table: result register and fflags for every vector */
static void test_qemu_vectors_11_12(void **state)
{
    struct rvt *t = *state;
    unsigned bad = 0;
    size_t n = sizeof fp_vectors / sizeof fp_vectors[0];
    for (size_t i = 0; i < n; i++) {
        const struct fp_vector *v = &fp_vectors[i];
        t->h->pc = RVT_BASE;
        t->h->f[11] = v->f11;
        t->h->f[12] = v->f12;
        t->h->f[13] = v->f13;
        t->h->x[11] = v->x11;
        t->h->f[10] = 0;
        t->h->x[10] = 0;
        t->h->csr.frm = v->frm;
        unsigned fl = run_fp(t, v->insn);
        if ((t->h->f[10] != v->f10 || t->h->x[10] != v->x10 || fl != v->fflags) && bad++ < 30) {
            char dis[64];
            rv_disasm(t->h, 0, v->insn, dis, sizeof dis);
            print_error("%s (frm %u) %#llx %#llx %#llx x %#llx: ringside f %#llx x %#llx fl %#x, "
                        "qemu f %#llx x %#llx fl %#llx\n",
                        dis, v->frm, (unsigned long long)v->f11, (unsigned long long)v->f12,
                        (unsigned long long)v->f13, (unsigned long long)v->x11,
                        (unsigned long long)t->h->f[10], (unsigned long long)t->h->x[10], fl,
                        (unsigned long long)v->f10, (unsigned long long)v->x10,
                        (unsigned long long)v->fflags);
        }
    }
    if (bad) fail_msg("%u of %zu vectors differ from qemu-riscv64", bad, n);
}

/* Every F/D row of insn.def is exercised: the OP-FP and fused rows by the QEMU vectors, the
 * loads and stores by test_nan_boxing_12_2 and test_load_store_12_3 */
static void test_vectors_cover_every_row(void **state)
{
    struct rvt *t = *state;
    bool seen[RV_INSN_COUNT] = {0};
    for (size_t i = 0; i < sizeof fp_vectors / sizeof fp_vectors[0]; i++) {
        int id = rv_decode(t->h, fp_vectors[i].insn);
        assert_true(id >= 0);
        seen[id] = true;
    }
    for (unsigned i = 0; i < RV_INSN_COUNT; i++) {
        unsigned fmt = rv_insn_table[i].fmt;
        if (fmt >= RV_FMT_F_R4 && !seen[i])
            fail_msg("%s has no vector: run fp/regenerate.py", rv_insn_table[i].mnemonic);
    }
}

static void assert_illegal_insn(struct rvt *t, uint32_t insn)
{
    t->h->pc = RVT_BASE;
    rvt_set_csr(t, RV_CSR_mtvec, RVT_BASE + 0x800);
    assert_int_equal(rvt_exec(t, insn), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_ILLEGAL);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), insn);
    t->h->pc = RVT_BASE;
}

/* Priv. 3.1.6.6: FS = Off makes F/D instructions and fcsr/frm/fflags accesses illegal; FS resets
 * to Off; SD reads 1 exactly when FS = Dirty */
static void test_fs_off_is_illegal_3_1_6_6(void **state)
{
    struct rvt *t = *state;
    rvt_set_csr(t, RV_CSR_mstatus, 0);
    t->h->f[1] = dbits(1.0);
    assert_illegal_insn(t, FADD(1, 2, 1, 1, RNE));
    assert_illegal_insn(t, FLD(2, 0, 0));
    assert_illegal_insn(t, FSD(1, 0, 0));
    assert_illegal_insn(t, FMV_X(1, 5, 1));
    assert_illegal_insn(t, FMADD(0, 1, 1, 1, 1, RNE));
    assert_illegal_insn(t, CSRRS(5, RV_CSR_fcsr, 0));
    assert_illegal_insn(t, CSRRW(0, RV_CSR_frm, 5));
    assert_illegal_insn(t, CSRRS(5, RV_CSR_fflags, 0));
    assert_int_equal(t->h->f[2], 0);
    /* Initial and Clean allow access; SD only with Dirty */
    for (uint64_t fs = 1; fs <= 3; fs++) {
        rvt_set_csr(t, RV_CSR_mstatus, fs << 13);
        assert_int_equal(rvt_csr(t, RV_CSR_mstatus) >> 63, fs == 3);
        assert_int_equal(rvt_csr(t, RV_CSR_sstatus) >> 63, fs == 3);
    }
    /* reset: Off */
    rv_hart_reset(t->h, RVT_BASE);
    assert_int_equal(rvt_csr(t, RV_CSR_mstatus) & (3ull << 13), 0);
}

/* Priv. 3.1.6.6: an instruction that writes FP state sets FS = Dirty and SD; one that only reads
 * it (FSD, FMV.X.D, a quiet FEQ) leaves FS alone; sstatus.FS is the same field */
static void test_fs_dirty_3_1_6_6(void **state)
{
    struct rvt *t = *state;
    t->h->f[1] = dbits(2.0);
    t->h->x[6] = RVT_BASE + 0x400;
    run_fp(t, FSD(1, 6, 0));
    run_fp(t, FMV_X(1, 5, 1));
    run_fp(t, FEQ(1, 5, 1, 1));
    assert_int_equal(rvt_csr(t, RV_CSR_mstatus) & FS_DIRTY, 1ull << 13);
    run_fp(t, FADD(1, 2, 1, 1, RNE));
    assert_int_equal(rvt_csr(t, RV_CSR_mstatus) & FS_DIRTY, FS_DIRTY);
    assert_true(rvt_csr(t, RV_CSR_mstatus) >> 63);
    assert_int_equal(t->h->f[2], dbits(4.0));
    /* a flag-only change (FLT with a NaN sets NV) dirties too */
    rvt_set_csr(t, RV_CSR_sstatus, 2ull << 13); /* Clean through sstatus */
    assert_int_equal(rvt_csr(t, RV_CSR_mstatus) & FS_DIRTY, 2ull << 13);
    t->h->f[3] = CNAN_D;
    assert_int_equal(run_fp(t, FLT(1, 5, 1, 3)), NV);
    assert_int_equal(rvt_csr(t, RV_CSR_mstatus) & FS_DIRTY, FS_DIRTY);
    /* a CSR write to fflags dirties */
    rvt_set_csr(t, RV_CSR_mstatus, 1ull << 13);
    t->h->pc = RVT_BASE;
    assert_int_equal(rvt_exec(t, CSRRWI(0, RV_CSR_fflags, 0)), RV_STEP_RETIRED);
    assert_int_equal(rvt_csr(t, RV_CSR_mstatus) & FS_DIRTY, FS_DIRTY);
}

/* Unpriv. 11.2: fcsr = frm[7:5] | fflags[4:0]; fflags and frm are views; bits above 7 read 0 */
static void test_fcsr_fields_11_2(void **state)
{
    struct rvt *t = *state;
    t->h->x[5] = 0xffffffffffffffffull;
    assert_int_equal(rvt_exec(t, CSRRW(6, RV_CSR_fcsr, 5)), RV_STEP_RETIRED);
    assert_int_equal(rvt_csr(t, RV_CSR_fcsr), 0xff);
    assert_int_equal(rvt_csr(t, RV_CSR_frm), 7);
    assert_int_equal(rvt_csr(t, RV_CSR_fflags), 0x1f);
    assert_int_equal(rvt_exec(t, CSRRWI(6, RV_CSR_frm, 2)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[6], 7);
    assert_int_equal(rvt_csr(t, RV_CSR_fcsr), 0x5f);
    assert_int_equal(rvt_exec(t, CSRRCI(6, RV_CSR_fflags, 0x11)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[6], 0x1f);
    assert_int_equal(rvt_csr(t, RV_CSR_fcsr), 0x4e);
    /* flags accrue: they are ORed in, never cleared by an instruction */
    t->h->f[1] = dbits(1.0);
    t->h->f[2] = dbits(3.0);
    t->h->csr.fflags = UF;
    assert_int_equal(rvt_exec(t, FDIV(1, 3, 1, 2, RNE)), RV_STEP_RETIRED);
    assert_int_equal(t->h->csr.fflags, UF | NX);
}

/* Unpriv. 11.2: rm 5 and 6 are reserved; dynamic rm with frm 5-7 is illegal, also for
 * instructions whose result is exact (fcvt.d.w) */
static void test_reserved_rounding_modes_11_2(void **state)
{
    struct rvt *t = *state;
    assert_illegal_insn(t, FADD(0, 1, 2, 3, 5));
    assert_illegal_insn(t, FSQRT(1, 1, 2, 6));
    assert_illegal_insn(t, FMADD(1, 1, 2, 3, 4, 5));
    for (unsigned frm = 5; frm <= 7; frm++) {
        t->h->csr.frm = (uint8_t)frm;
        assert_illegal_insn(t, FMUL(1, 1, 2, 3, DYN));
        assert_illegal_insn(t, FCVT_FROM_INT(1, 0, 1, 5, DYN));
        assert_illegal_insn(t, FCVT_TO_INT(0, 0, 5, 1, DYN));
    }
    /* instructions without rm do not care */
    t->h->csr.frm = 7;
    run_fp(t, FSGNJ(1, 0, 1, 2, 2));
    run_fp(t, FMIN(1, 1, 2, 2));
    /* dynamic with a valid frm: RTZ */
    t->h->csr.frm = RTZ;
    t->h->f[1] = dbits(1.0);
    t->h->f[2] = dbits(3.0);
    run_fp(t, FDIV(1, 3, 1, 2, DYN));
    assert_int_equal(t->h->f[3], 0x3fd5555555555555ull);
    t->h->csr.frm = RUP;
    run_fp(t, FDIV(1, 3, 1, 2, DYN));
    assert_int_equal(t->h->f[3], 0x3fd5555555555556ull);
}

/* Unpriv. 11.2 table 11.1: each rounding mode on ties and on non-ties, both signs */
static void test_rounding_modes_11_2(void **state)
{
    struct rvt *t = *state;
    /* 1 + 2^-53 is a tie between 1 and 1 + 2^-52 (even: 1); 1 + 3*2^-53 ties to 1 + 2^-51 */
    static const struct {
        uint64_t a, b;
        uint64_t r[5]; /* RNE RTZ RDN RUP RMM */
    } c[] = {
        {0x3ff0000000000000ull,
         0x3ca0000000000000ull,
         {0x3ff0000000000000ull, 0x3ff0000000000000ull, 0x3ff0000000000000ull,
          0x3ff0000000000001ull, 0x3ff0000000000001ull}},
        {0xbff0000000000000ull,
         0xbca0000000000000ull,
         {0xbff0000000000000ull, 0xbff0000000000000ull, 0xbff0000000000001ull,
          0xbff0000000000000ull, 0xbff0000000000001ull}},
        {0x3ff0000000000001ull,
         0x3ca0000000000000ull, /* tie, odd below: RNE goes up */
         {0x3ff0000000000002ull, 0x3ff0000000000001ull, 0x3ff0000000000001ull,
          0x3ff0000000000002ull, 0x3ff0000000000002ull}},
        {0x3ff0000000000000ull,
         0x3c90000000000000ull, /* below half: only RUP moves */
         {0x3ff0000000000000ull, 0x3ff0000000000000ull, 0x3ff0000000000000ull,
          0x3ff0000000000001ull, 0x3ff0000000000000ull}},
    };
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++)
        for (unsigned rm = 0; rm < 5; rm++) {
            t->h->f[1] = c[i].a;
            t->h->f[2] = c[i].b;
            t->h->pc = RVT_BASE;
            assert_int_equal(run_fp(t, FADD(1, 3, 1, 2, rm)), NX);
            assert_int_equal(t->h->f[3], c[i].r[rm]);
        }
    /* singles too: 1 + 2^-24 ties; RMM rounds away */
    t->h->f[1] = sbits(1.0f);
    t->h->f[2] = BOX(0x33800000);
    assert_int_equal(run_fp(t, FADD(0, 3, 1, 2, RMM)), NX);
    assert_int_equal(t->h->f[3], BOX(0x3f800001));
    assert_int_equal(run_fp(t, FADD(0, 3, 1, 2, RNE)), NX);
    assert_int_equal(t->h->f[3], BOX(0x3f800000));
}

/* Unpriv. 11.6 / IEEE 754-2019 7.4: overflow gives infinity or the largest finite value by mode,
 * with OF and NX */
static void test_overflow_by_mode_11_6(void **state)
{
    struct rvt *t = *state;
    static const uint64_t pos[5] = {0x7ff0000000000000ull, 0x7fefffffffffffffull,
                                    0x7fefffffffffffffull, 0x7ff0000000000000ull,
                                    0x7ff0000000000000ull};
    static const uint64_t neg[5] = {0xfff0000000000000ull, 0xffefffffffffffffull,
                                    0xfff0000000000000ull, 0xffefffffffffffffull,
                                    0xfff0000000000000ull};
    for (unsigned rm = 0; rm < 5; rm++) {
        t->h->f[1] = 0x7fefffffffffffffull;
        t->h->f[2] = dbits(2.0);
        t->h->f[4] = dbits(-2.0);
        assert_int_equal(run_fp(t, FMUL(1, 3, 1, 2, rm)), OF | NX);
        assert_int_equal(t->h->f[3], pos[rm]);
        assert_int_equal(run_fp(t, FMUL(1, 3, 1, 4, rm)), OF | NX);
        assert_int_equal(t->h->f[3], neg[rm]);
    }
}

/* Unpriv. 11.6: tininess is detected after rounding. (1 - 2^-25) * 2^-126 rounds (RNE, unbounded
 * exponent) to 2^-126, so it is not tiny: NX without UF; in RTZ it stays below: UF and NX. */
static void test_underflow_after_rounding_11_6(void **state)
{
    struct rvt *t = *state;
    t->h->f[1] = 0x380fffffff000000ull; /* (1 - 2^-25) * 2^-126 as a double */
    assert_int_equal(run_fp(t, fp_r(8, 0, 1, 1, RNE, 3)), NX); /* fcvt.s.d */
    assert_int_equal(t->h->f[3], BOX(0x00800000));
    assert_int_equal(run_fp(t, fp_r(8, 0, 1, 1, RTZ, 3)), UF | NX);
    assert_int_equal(t->h->f[3], BOX(0x007fffff));
    /* exact subnormal results raise nothing: 2^-1074 * 1 */
    t->h->f[1] = 1;
    t->h->f[2] = dbits(1.0);
    assert_int_equal(run_fp(t, FMUL(1, 3, 1, 2, RNE)), 0);
    assert_int_equal(t->h->f[3], 1);
    /* 2^-1074 / 2 ties to 0 (even) in RNE, to 2^-1074 in RMM: UF | NX both */
    t->h->f[2] = dbits(2.0);
    assert_int_equal(run_fp(t, FDIV(1, 3, 1, 2, RNE)), UF | NX);
    assert_int_equal(t->h->f[3], 0);
    assert_int_equal(run_fp(t, FDIV(1, 3, 1, 2, RMM)), UF | NX);
    assert_int_equal(t->h->f[3], 1);
}

/* Unpriv. 11.3/11.6: invalid operations give the canonical NaN with NV; NaN operands give the
 * canonical NaN (payloads are not propagated), NV only for a signaling NaN; x/0 gives DZ */
static void test_nan_and_invalid_11_3(void **state)
{
    struct rvt *t = *state;
    t->h->f[1] = 0;
    t->h->f[2] = 0x7ff0000000000000ull;
    t->h->f[3] = 0x7ff4000000000000ull; /* sNaN */
    t->h->f[4] = 0xfff8000000000123ull; /* qNaN with payload */
    t->h->f[5] = dbits(1.0);
    assert_int_equal(run_fp(t, FDIV(1, 9, 1, 1, RNE)), NV); /* 0/0 */
    assert_int_equal(t->h->f[9], CNAN_D);
    assert_int_equal(run_fp(t, FSUB(1, 9, 2, 2, RNE)), NV); /* inf - inf */
    assert_int_equal(t->h->f[9], CNAN_D);
    assert_int_equal(run_fp(t, FMUL(1, 9, 1, 2, RNE)), NV); /* 0 * inf */
    assert_int_equal(run_fp(t, FSQRT(1, 9, 5, RNE)), 0);
    assert_int_equal(t->h->f[9], dbits(1.0));
    t->h->f[6] = dbits(-1.0);
    assert_int_equal(run_fp(t, FSQRT(1, 9, 6, RNE)), NV);
    assert_int_equal(t->h->f[9], CNAN_D);
    t->h->f[6] = 1ull << 63; /* sqrt(-0) = -0 */
    assert_int_equal(run_fp(t, FSQRT(1, 9, 6, RNE)), 0);
    assert_int_equal(t->h->f[9], 1ull << 63);
    assert_int_equal(run_fp(t, FADD(1, 9, 4, 5, RNE)), 0); /* quiet NaN: no flag */
    assert_int_equal(t->h->f[9], CNAN_D);
    assert_int_equal(run_fp(t, FADD(1, 9, 5, 3, RNE)), NV); /* signaling */
    assert_int_equal(t->h->f[9], CNAN_D);
    assert_int_equal(run_fp(t, FDIV(1, 9, 5, 1, RNE)), DZ);
    assert_int_equal(t->h->f[9], 0x7ff0000000000000ull);
    assert_int_equal(run_fp(t, FDIV(1, 9, 2, 1, RNE)), 0); /* inf / 0: no DZ */
    /* 11.6: fma(inf, 0, qNaN) is invalid */
    assert_int_equal(run_fp(t, FMADD(1, 9, 2, 1, 4, RNE)), NV);
    assert_int_equal(t->h->f[9], CNAN_D);
    /* singles: canonical 0x7fc00000, boxed */
    t->h->f[1] = sbits(0.0f);
    assert_int_equal(run_fp(t, FDIV(0, 9, 1, 1, RNE)), NV);
    assert_int_equal(t->h->f[9], CNAN_S);
}

/* IEEE 754-2019 6.3: an exact zero sum of opposite signs is +0, except -0 in RDN; x - x likewise */
static void test_signed_zero_sums_11_6(void **state)
{
    struct rvt *t = *state;
    t->h->f[1] = dbits(1.5);
    for (unsigned rm = 0; rm < 5; rm++) {
        assert_int_equal(run_fp(t, FSUB(1, 3, 1, 1, rm)), 0);
        assert_int_equal(t->h->f[3], rm == RDN ? 1ull << 63 : 0);
    }
    t->h->f[1] = 1ull << 63;
    assert_int_equal(run_fp(t, FADD(1, 3, 1, 1, RNE)), 0); /* -0 + -0 = -0 */
    assert_int_equal(t->h->f[3], 1ull << 63);
}

/* Unpriv. 11.6: FMIN/FMAX are minimumNumber/maximumNumber: -0 < +0, one NaN is ignored, two give
 * the canonical NaN, a signaling NaN sets NV */
static void test_min_max_11_6(void **state)
{
    struct rvt *t = *state;
    t->h->f[1] = 0;
    t->h->f[2] = 1ull << 63;
    run_fp(t, FMIN(1, 3, 1, 2));
    assert_int_equal(t->h->f[3], 1ull << 63);
    run_fp(t, FMAX(1, 3, 2, 1));
    assert_int_equal(t->h->f[3], 0);
    t->h->f[4] = 0x7ff4000000000000ull; /* sNaN */
    t->h->f[5] = dbits(-3.0);
    assert_int_equal(run_fp(t, FMIN(1, 3, 4, 5)), NV);
    assert_int_equal(t->h->f[3], dbits(-3.0));
    t->h->f[6] = CNAN_D;
    assert_int_equal(run_fp(t, FMAX(1, 3, 5, 6)), 0);
    assert_int_equal(t->h->f[3], dbits(-3.0));
    assert_int_equal(run_fp(t, FMAX(1, 3, 6, 4)), NV);
    assert_int_equal(t->h->f[3], CNAN_D);
    t->h->f[7] = BOX(0xff800000); /* -inf single */
    t->h->f[8] = BOX(0x3f800000);
    run_fp(t, FMIN(0, 3, 8, 7));
    assert_int_equal(t->h->f[3], BOX(0xff800000));
}

/* Unpriv. 11.8: FEQ is quiet (NV only for sNaN), FLT/FLE signal on any NaN; -0 == +0 */
static void test_compare_11_8(void **state)
{
    struct rvt *t = *state;
    t->h->f[1] = 0;
    t->h->f[2] = 1ull << 63;
    t->h->f[3] = CNAN_D;
    t->h->f[4] = 0x7ff0000000000001ull;
    t->h->x[5] = 7;
    assert_int_equal(run_fp(t, FEQ(1, 5, 1, 2)), 0);
    assert_int_equal(t->h->x[5], 1);
    assert_int_equal(run_fp(t, FLT(1, 5, 2, 1)), 0);
    assert_int_equal(t->h->x[5], 0);
    assert_int_equal(run_fp(t, FLE(1, 5, 2, 1)), 0);
    assert_int_equal(t->h->x[5], 1);
    assert_int_equal(run_fp(t, FEQ(1, 5, 3, 3)), 0);
    assert_int_equal(t->h->x[5], 0);
    assert_int_equal(run_fp(t, FEQ(1, 5, 4, 1)), NV);
    assert_int_equal(run_fp(t, FLT(1, 5, 3, 1)), NV);
    assert_int_equal(t->h->x[5], 0);
    assert_int_equal(run_fp(t, FLE(1, 5, 1, 3)), NV);
    t->h->f[6] = dbits(-2.0);
    t->h->f[7] = dbits(-1.0);
    assert_int_equal(run_fp(t, FLT(1, 5, 6, 7)), 0);
    assert_int_equal(t->h->x[5], 1);
}

/* Unpriv. 11.9, table 11.5: one bit per class */
static void test_fclass_11_9(void **state)
{
    struct rvt *t = *state;
    static const struct {
        uint64_t v;
        unsigned fmt, bit;
    } c[] = {
        {0xfff0000000000000ull, 1, 0},
        {0xbff0000000000000ull, 1, 1},
        {(1ull << 63) | 1, 1, 2},
        {1ull << 63, 1, 3},
        {0, 1, 4},
        {1, 1, 5},
        {0x3ff0000000000000ull, 1, 6},
        {0x7ff0000000000000ull, 1, 7},
        {0x7ff0000000000001ull, 1, 8},
        {CNAN_D, 1, 9},
        {BOX(0x80000001), 0, 2},
        {BOX(0x7f800001), 0, 8},
        {0x000000003f800000ull, 0, 9}, /* not boxed: qNaN */
    };
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
        t->h->f[1] = c[i].v;
        run_fp(t, FCLASS(c[i].fmt, 5, 1));
        assert_int_equal(t->h->x[5], 1u << c[i].bit);
    }
}

/* Unpriv. 11.7 table 11.4: out-of-range and NaN conversions saturate with NV; in range, inexact
 * gives NX; the 32-bit results are sign-extended (also FCVT.WU) */
static void test_convert_to_int_saturation_11_7(void **state)
{
    struct rvt *t = *state;
    static const struct {
        uint64_t v;
        unsigned kind, rm; /* 0 W, 1 WU, 2 L, 3 LU */
        uint64_t r;
        unsigned fl;
    } c[] = {
        {0x7ff8000000000000ull, 0, RNE, 0x7fffffff, NV},
        {0x7ff8000000000000ull, 1, RNE, 0xffffffffffffffffull, NV},
        {0x7ff8000000000000ull, 2, RNE, 0x7fffffffffffffffull, NV},
        {0x7ff8000000000000ull, 3, RNE, 0xffffffffffffffffull, NV},
        {0xfff0000000000000ull, 0, RNE, 0xffffffff80000000ull, NV},
        {0xfff0000000000000ull, 1, RNE, 0, NV},
        {0xfff0000000000000ull, 2, RNE, 0x8000000000000000ull, NV},
        {0x7ff0000000000000ull, 3, RNE, 0xffffffffffffffffull, NV},
        {0x41dfffffffc00000ull, 0, RNE, 0x7fffffff, 0},             /* 2^31 - 1 */
        {0x41dfffffffe00000ull, 0, RNE, 0x7fffffff, NV},            /* 2^31 - 0.5 rounds up: out */
        {0x41dfffffffe00000ull, 0, RTZ, 0x7fffffff, NX},            /* ... but not in RTZ */
        {0xc1e0000000000000ull, 0, RNE, 0xffffffff80000000ull, 0},  /* -2^31 */
        {0xc1e0000000100000ull, 0, RTZ, 0xffffffff80000000ull, NX}, /* -2^31 - 0.5, RTZ */
        {0xc1e0000000100000ull, 0, RNE, 0xffffffff80000000ull, NX}, /* ties to even: -2^31 */
        {0xc1e0000000200000ull, 0, RNE, 0xffffffff80000000ull, NV}, /* -2^31 - 1 */
        {0x41efffffffe00000ull, 1, RNE, 0xffffffffffffffffull, 0},  /* 2^32 - 1, sign-extended */
        {0x41f0000000000000ull, 1, RNE, 0xffffffffffffffffull, NV}, /* 2^32 */
        {0xbfe0000000000000ull, 1, RTZ, 0, NX},                     /* -0.5 -> 0 is in range */
        {0xbfe0000000000000ull, 1, RDN, 0, NV},                     /* -0.5 -> -1: out */
        {0xbff0000000000000ull, 3, RNE, 0, NV},
        {0x43e0000000000000ull, 2, RNE, 0x7fffffffffffffffull, NV}, /* 2^63 */
        {0xc3e0000000000000ull, 2, RNE, 0x8000000000000000ull, 0},  /* -2^63 */
        {0x43efffffffffffffull, 3, RNE, 0xfffffffffffff800ull, 0},
        {0x43f0000000000000ull, 3, RNE, 0xffffffffffffffffull, NV}, /* 2^64 */
        {0x4004000000000000ull, 2, RNE, 2, NX},                     /* 2.5 */
        {0x4004000000000000ull, 2, RMM, 3, NX},
        {0xc004000000000000ull, 2, RDN, (uint64_t)-3, NX},
        {0xc004000000000000ull, 2, RUP, (uint64_t)-2, NX},
        {1, 2, RUP, 1, NX}, /* smallest subnormal */
    };
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
        t->h->f[1] = c[i].v;
        t->h->x[5] = 0x5555;
        assert_int_equal(run_fp(t, FCVT_TO_INT(1, c[i].kind, 5, 1, c[i].rm)), c[i].fl);
        assert_int_equal(t->h->x[5], c[i].r);
    }
}

/* Unpriv. 11.7 / 12.5: integer to float rounds (32-bit source is rs1's low word) */
static void test_convert_from_int_11_7(void **state)
{
    struct rvt *t = *state;
    t->h->x[5] = 0xffffffff00000001ull; /* W: 1; WU: 1 */
    run_fp(t, FCVT_FROM_INT(1, 0, 1, 5, RNE));
    assert_int_equal(t->h->f[1], dbits(1.0));
    t->h->x[5] = 0xffffffffffffffffull;
    assert_int_equal(run_fp(t, FCVT_FROM_INT(1, 0, 1, 5, RNE)), 0);
    assert_int_equal(t->h->f[1], dbits(-1.0));
    assert_int_equal(run_fp(t, FCVT_FROM_INT(1, 1, 1, 5, RNE)), 0); /* WU: 2^32 - 1 */
    assert_int_equal(t->h->f[1], dbits(4294967295.0));
    assert_int_equal(run_fp(t, FCVT_FROM_INT(1, 3, 1, 5, RNE)), NX); /* LU: 2^64 - 1 */
    assert_int_equal(t->h->f[1], dbits(18446744073709551616.0));
    assert_int_equal(run_fp(t, FCVT_FROM_INT(1, 3, 1, 5, RTZ)), NX);
    assert_int_equal(t->h->f[1], 0x43efffffffffffffull);
    t->h->x[5] = 0x1000001; /* 2^24 + 1 to single: tie to even */
    assert_int_equal(run_fp(t, FCVT_FROM_INT(0, 0, 1, 5, RNE)), NX);
    assert_int_equal(t->h->f[1], BOX(0x4b800000));
    assert_int_equal(run_fp(t, FCVT_FROM_INT(0, 0, 1, 5, RMM)), NX);
    assert_int_equal(t->h->f[1], BOX(0x4b800001));
    t->h->x[5] = 0;
    assert_int_equal(run_fp(t, FCVT_FROM_INT(0, 2, 1, 5, RDN)), 0);
    assert_int_equal(t->h->f[1], BOX(0)); /* +0 in every mode */
}

/* Unpriv. 12.2: FLW NaN-boxes; an operand that is not properly boxed reads as the canonical NaN;
 * FSW stores the low 32 bits untouched; FMV.X.W sign-extends the low word without checking the
 * box; FMV.W.X boxes; FSGNJ.S of an unboxed operand yields a boxed canonical NaN */
static void test_nan_boxing_12_2(void **state)
{
    struct rvt *t = *state;
    uint64_t buf = RVT_BASE + 0x400;
    rvt_put64(t, buf, 0x123456783f800000ull);
    t->h->x[6] = buf;
    run_fp(t, FLW(1, 6, 0));
    assert_int_equal(t->h->f[1], BOX(0x3f800000));
    run_fp(t, FLD(2, 6, 0));
    assert_int_equal(t->h->f[2], 0x123456783f800000ull);
    /* f2 is a double whose low word is 1.0f: as a single it is the canonical NaN */
    assert_int_equal(run_fp(t, FADD(0, 3, 2, 1, RNE)), 0);
    assert_int_equal(t->h->f[3], CNAN_S);
    run_fp(t, FSGNJ(0, 0, 3, 2, 2));
    assert_int_equal(t->h->f[3], CNAN_S);
    run_fp(t, FMV_X(0, 5, 2));
    assert_int_equal(t->h->x[5], 0x3f800000);
    t->h->f[4] = 0x00000000bf800000ull;
    run_fp(t, FMV_X(0, 5, 4));
    assert_int_equal(t->h->x[5], 0xffffffffbf800000ull);
    run_fp(t, FSW(4, 6, 8));
    assert_int_equal(rvt_get64(t, buf + 8) & 0xffffffff, 0xbf800000);
    t->h->x[7] = 0xabcdef0140490fdbull;
    run_fp(t, FMV_F(0, 8, 7));
    assert_int_equal(t->h->f[8], BOX(0x40490fdb));
    run_fp(t, FMV_F(1, 8, 7));
    assert_int_equal(t->h->f[8], 0xabcdef0140490fdbull);
    run_fp(t, FMV_X(1, 9, 8));
    assert_int_equal(t->h->x[9], 0xabcdef0140490fdbull);
    /* fcvt.d.s of an unboxed single: canonical NaN, no flag */
    assert_int_equal(run_fp(t, fp_r(8, 1, 0, 2, RNE, 3)), 0);
    assert_int_equal(t->h->f[3], CNAN_D);
}

/* Unpriv. 11.5/12.3: FLD/FSD move 64 bits; misaligned accesses are performed (Zicclsm);
 * a fault leaves the f register unchanged */
static void test_load_store_12_3(void **state)
{
    struct rvt *t = *state;
    t->h->x[6] = RVT_BASE + 0x403;
    t->h->f[1] = 0x0123456789abcdefull;
    run_fp(t, FSD(1, 6, 0));
    run_fp(t, FLD(2, 6, 0));
    assert_int_equal(t->h->f[2], 0x0123456789abcdefull);
    t->h->x[6] = 0x1000; /* no memory */
    rvt_set_csr(t, RV_CSR_mtvec, RVT_BASE + 0x800);
    t->h->pc = RVT_BASE;
    assert_int_equal(rvt_exec(t, FLD(2, 6, 8)), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_LOAD_ACCESS);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), 0x1008);
    assert_int_equal(t->h->f[2], 0x0123456789abcdefull);
    /* c.fld fa5, 248(a5) and c.fsdsp through the compressed table */
    rvt_set_csr(t, RV_CSR_mstatus, 1ull << 13);
    t->h->pc = RVT_BASE;
    t->h->x[15] = RVT_BASE + 0x300;
    rvt_put64(t, RVT_BASE + 0x300 + 248, 0x4045000000000000ull);
    rvt_put32(t, RVT_BASE, 0x3ffc);
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->f[15], 0x4045000000000000ull);
    assert_int_equal(t->h->pc, RVT_BASE + 2);
}

/* Unpriv. 11.6: the fused forms round once: fma(1 + 2^-52, 1 + 2^-52, -(1 + 2^-51)) = 2^-104
 * exactly, which a separate multiply would lose; signs of FMSUB/FNMSUB/FNMADD */
static void test_fused_11_6(void **state)
{
    struct rvt *t = *state;
    t->h->f[1] = 0x3ff0000000000001ull;
    t->h->f[2] = 0x3ff0000000000001ull;
    t->h->f[3] = 0xbff0000000000002ull;
    assert_int_equal(run_fp(t, FMADD(1, 4, 1, 2, 3, RNE)), 0);
    assert_int_equal(t->h->f[4], 0x3970000000000000ull); /* 2^-104 */
    assert_int_equal(run_fp(t, FMUL(1, 5, 1, 2, RNE)), NX);
    assert_int_equal(run_fp(t, FADD(1, 5, 5, 3, RNE)), 0);
    assert_int_equal(t->h->f[5], 0); /* unfused: lost */
    t->h->f[1] = dbits(2.0);
    t->h->f[2] = dbits(3.0);
    t->h->f[3] = dbits(1.0);
    run_fp(t, FMADD(1, 4, 1, 2, 3, RNE) | (1u << 2)); /* fmsub: 6 - 1 */
    assert_int_equal(t->h->f[4], dbits(5.0));
    run_fp(t, FMADD(1, 4, 1, 2, 3, RNE) | (2u << 2)); /* fnmsub: -6 + 1 */
    assert_int_equal(t->h->f[4], dbits(-5.0));
    run_fp(t, FMADD(1, 4, 1, 2, 3, RNE) | (3u << 2)); /* fnmadd: -6 - 1 */
    assert_int_equal(t->h->f[4], dbits(-7.0));
}

#define T(f) cmocka_unit_test_setup_teardown(f, fp_setup, rvt_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_qemu_vectors_11_12),
        T(test_vectors_cover_every_row),
        T(test_fs_off_is_illegal_3_1_6_6),
        T(test_fs_dirty_3_1_6_6),
        T(test_fcsr_fields_11_2),
        T(test_reserved_rounding_modes_11_2),
        T(test_rounding_modes_11_2),
        T(test_overflow_by_mode_11_6),
        T(test_underflow_after_rounding_11_6),
        T(test_nan_and_invalid_11_3),
        T(test_signed_zero_sums_11_6),
        T(test_min_max_11_6),
        T(test_compare_11_8),
        T(test_fclass_11_9),
        T(test_convert_to_int_saturation_11_7),
        T(test_convert_from_int_11_7),
        T(test_nan_boxing_12_2),
        T(test_load_store_12_3),
        T(test_fused_11_6),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
