/* F and D: single- and double-precision floating point (unpriv. spec chapter 11 "F Standard
 * Extension" and chapter 12 "D Standard Extension"). The arithmetic is fpu.c's; this file reads
 * and writes the f registers (NaN boxing, 12.2), checks mstatus.FS and the rounding mode, accrues
 * fflags, and marks the state dirty.
 *
 * - Priv. spec 3.1.6.6: with FS = Off every F/D instruction is illegal. Any instruction that
 *   writes an f register or sets fflags makes FS Dirty (and SD = 1); this hart sets Dirty exactly
 *   then (an instruction that only reads FP state, such as FSW or FMV.X.W, leaves FS alone).
 * - 11.2: rm = 5 or 6 is reserved, and rm = 7 (dynamic) with frm = 5, 6 or 7 is illegal; the check
 *   applies to every instruction with an rm field, also to those whose result is exact.
 * - 12.2: a single read from an f register whose upper 32 bits are not all ones is the canonical
 *   NaN; singles are written NaN-boxed. FSW, FMV.X.W and FSGNJ* move bits and never canonicalise
 *   (FSGNJ.S still reads an improperly boxed operand as the canonical NaN).
 */
#include "cpu/riscv/internal.h"

static inline bool fs_off(const struct rv_hart *h)
{
    return (h->csr.mstatus & RV_MSTATUS_FS) == 0;
}

/* The rounding mode of insn, or -1 when it is reserved (11.2) */
static inline int rounding_mode(const struct rv_hart *h, uint32_t insn)
{
    unsigned rm = (insn >> 12) & 7;
    if (rm == RV_RM_DYN) rm = h->csr.frm;
    return rm <= RV_RM_RMM ? (int)rm : -1;
}

/* 12.2: the single in f register r, unboxed */
static inline uint64_t read_s(const struct rv_hart *h, unsigned r)
{
    uint64_t v = h->f[r];
    return (v & RV_NANBOX) == RV_NANBOX ? (uint32_t)v : rv_fp_canonical_nan(&rv_fp_s);
}
static inline uint64_t read_d(const struct rv_hart *h, unsigned r)
{
    return h->f[r];
}
static inline uint64_t read_f(const struct rv_hart *h, const struct rv_fp_fmt *f, unsigned r)
{
    return f == &rv_fp_s ? read_s(h, r) : read_d(h, r);
}

static inline void write_f(struct rv_hart *h, const struct rv_fp_fmt *f, unsigned r, uint64_t v)
{
    h->f[r] = f == &rv_fp_s ? (RV_NANBOX | (uint32_t)v) : v;
    rv_fs_dirty(h);
}

static inline void accrue(struct rv_hart *h, unsigned flags)
{
    if (flags) {
        h->csr.fflags |= (uint8_t)flags;
        rv_fs_dirty(h);
    }
}

#define FP_CHECK()                                                                                 \
    do {                                                                                           \
        if (fs_off(h)) return rv_illegal(h);                                                       \
    } while (0)
#define FP_RM()                                                                                    \
    FP_CHECK();                                                                                    \
    int rm = rounding_mode(h, insn);                                                               \
    if (rm < 0) return rv_illegal(h);                                                              \
    unsigned fl = 0

#define FS1 read_f(h, fmt, rv_rs1(insn))
#define FS2 read_f(h, fmt, rv_rs2(insn))
#define FS3 read_f(h, fmt, insn >> 27)

/* ---- 11.5 / 12.3 loads and stores: FLW NaN-boxes, FSW stores the low 32 bits as they are ---- */
int rv_exec_flw(struct rv_hart *h, uint32_t insn)
{
    FP_CHECK();
    uint64_t v;
    int rc = rv_load(h, h->x[rv_rs1(insn)] + rv_imm_i(insn), 4, &v);
    if (rc != RV_OK) return rc;
    write_f(h, &rv_fp_s, rv_rd(insn), v);
    return RV_OK;
}
int rv_exec_fld(struct rv_hart *h, uint32_t insn)
{
    FP_CHECK();
    uint64_t v;
    int rc = rv_load(h, h->x[rv_rs1(insn)] + rv_imm_i(insn), 8, &v);
    if (rc != RV_OK) return rc;
    write_f(h, &rv_fp_d, rv_rd(insn), v);
    return RV_OK;
}
int rv_exec_fsw(struct rv_hart *h, uint32_t insn)
{
    FP_CHECK();
    return rv_store(h, h->x[rv_rs1(insn)] + rv_imm_s(insn), 4, (uint32_t)h->f[rv_rs2(insn)]);
}
int rv_exec_fsd(struct rv_hart *h, uint32_t insn)
{
    FP_CHECK();
    return rv_store(h, h->x[rv_rs1(insn)] + rv_imm_s(insn), 8, h->f[rv_rs2(insn)]);
}

/* ---- 11.6 computational instructions ---- */

/* The fused forms (11.6): FMSUB = a*b - c, FNMSUB = -(a*b) + c, FNMADD = -(a*b) - c, each with
 * one rounding; negation flips the sign bit of the operand (a NaN stays a NaN). */
#define FMA(name, F, neg_prod, neg_add)                                                            \
    int rv_exec_##name(struct rv_hart *h, uint32_t insn)                                           \
    {                                                                                              \
        const struct rv_fp_fmt *fmt = (F);                                                         \
        FP_RM();                                                                                   \
        uint64_t sign = 1ull << ((F)->p + (F)->ebits - 1);                                         \
        uint64_t a = FS1, b = FS2, c = FS3;                                                        \
        if (neg_prod && !rv_fp_is_nan(F, a)) a ^= sign;                                            \
        if (neg_add && !rv_fp_is_nan(F, c)) c ^= sign;                                             \
        uint64_t r = rv_fp_fma(F, a, b, c, (unsigned)rm, &fl);                                     \
        write_f(h, F, rv_rd(insn), r);                                                             \
        accrue(h, fl);                                                                             \
        return RV_OK;                                                                              \
    }
#define S (&rv_fp_s)
#define D (&rv_fp_d)
FMA(fmadd_s, S, 0, 0)
FMA(fmsub_s, S, 0, 1)
FMA(fnmsub_s, S, 1, 0)
FMA(fnmadd_s, S, 1, 1)
FMA(fmadd_d, D, 0, 0)
FMA(fmsub_d, D, 0, 1)
FMA(fnmsub_d, D, 1, 0)
FMA(fnmadd_d, D, 1, 1)

#define BINARY(name, F, fn)                                                                        \
    int rv_exec_##name(struct rv_hart *h, uint32_t insn)                                           \
    {                                                                                              \
        const struct rv_fp_fmt *fmt = (F);                                                         \
        FP_RM();                                                                                   \
        uint64_t r = fn(F, FS1, FS2, (unsigned)rm, &fl);                                           \
        write_f(h, F, rv_rd(insn), r);                                                             \
        accrue(h, fl);                                                                             \
        return RV_OK;                                                                              \
    }
BINARY(fadd_s, S, rv_fp_add)
BINARY(fsub_s, S, rv_fp_sub)
BINARY(fmul_s, S, rv_fp_mul)
BINARY(fdiv_s, S, rv_fp_div)
BINARY(fadd_d, D, rv_fp_add)
BINARY(fsub_d, D, rv_fp_sub)
BINARY(fmul_d, D, rv_fp_mul)
BINARY(fdiv_d, D, rv_fp_div)

#define SQRT(name, F)                                                                              \
    int rv_exec_##name(struct rv_hart *h, uint32_t insn)                                           \
    {                                                                                              \
        const struct rv_fp_fmt *fmt = (F);                                                         \
        FP_RM();                                                                                   \
        uint64_t r = rv_fp_sqrt(F, FS1, (unsigned)rm, &fl);                                        \
        write_f(h, F, rv_rd(insn), r);                                                             \
        accrue(h, fl);                                                                             \
        return RV_OK;                                                                              \
    }
SQRT(fsqrt_s, S)
SQRT(fsqrt_d, D)

/* 11.6 sign injection: the result takes all bits but the sign from fs1; the sign is fs2's sign,
 * its inverse, or the XOR of both signs. No flags, no canonicalisation. */
#define SGNJ(name, F, expr)                                                                        \
    int rv_exec_##name(struct rv_hart *h, uint32_t insn)                                           \
    {                                                                                              \
        const struct rv_fp_fmt *fmt = (F);                                                         \
        FP_CHECK();                                                                                \
        uint64_t sign = 1ull << ((F)->p + (F)->ebits - 1);                                         \
        uint64_t a = FS1, b = FS2;                                                                 \
        write_f(h, F, rv_rd(insn), (a & ~sign) | ((expr)&sign));                                   \
        return RV_OK;                                                                              \
    }
SGNJ(fsgnj_s, S, b)
SGNJ(fsgnjn_s, S, ~b)
SGNJ(fsgnjx_s, S, a ^ b)
SGNJ(fsgnj_d, D, b)
SGNJ(fsgnjn_d, D, ~b)
SGNJ(fsgnjx_d, D, a ^ b)

#define MINMAX(name, F, max)                                                                       \
    int rv_exec_##name(struct rv_hart *h, uint32_t insn)                                           \
    {                                                                                              \
        const struct rv_fp_fmt *fmt = (F);                                                         \
        FP_CHECK();                                                                                \
        unsigned fl = 0;                                                                           \
        uint64_t r = rv_fp_minmax(F, FS1, FS2, max, &fl);                                          \
        write_f(h, F, rv_rd(insn), r);                                                             \
        accrue(h, fl);                                                                             \
        return RV_OK;                                                                              \
    }
MINMAX(fmin_s, S, false)
MINMAX(fmax_s, S, true)
MINMAX(fmin_d, D, false)
MINMAX(fmax_d, D, true)

/* 12.5: FCVT.S.D rounds; FCVT.D.S is exact */
int rv_exec_fcvt_s_d(struct rv_hart *h, uint32_t insn)
{
    FP_RM();
    uint64_t r = rv_fp_convert(S, D, read_d(h, rv_rs1(insn)), (unsigned)rm, &fl);
    write_f(h, S, rv_rd(insn), r);
    accrue(h, fl);
    return RV_OK;
}
int rv_exec_fcvt_d_s(struct rv_hart *h, uint32_t insn)
{
    FP_RM();
    uint64_t r = rv_fp_convert(D, S, read_s(h, rv_rs1(insn)), (unsigned)rm, &fl);
    write_f(h, D, rv_rd(insn), r);
    accrue(h, fl);
    return RV_OK;
}

/* 11.8 comparisons write 0 or 1 to an x register */
#define CMP(name, F, fn)                                                                           \
    int rv_exec_##name(struct rv_hart *h, uint32_t insn)                                           \
    {                                                                                              \
        const struct rv_fp_fmt *fmt = (F);                                                         \
        FP_CHECK();                                                                                \
        unsigned fl = 0;                                                                           \
        h->x[rv_rd(insn)] = fn(F, FS1, FS2, &fl);                                                  \
        accrue(h, fl);                                                                             \
        return RV_OK;                                                                              \
    }
CMP(feq_s, S, rv_fp_eq)
CMP(flt_s, S, rv_fp_lt)
CMP(fle_s, S, rv_fp_le)
CMP(feq_d, D, rv_fp_eq)
CMP(flt_d, D, rv_fp_lt)
CMP(fle_d, D, rv_fp_le)

/* 11.7 / 12.5 conversions to integers (table 11.4 for the out-of-range results) */
#define TO_INT(name, F, bits, is_signed)                                                           \
    int rv_exec_##name(struct rv_hart *h, uint32_t insn)                                           \
    {                                                                                              \
        const struct rv_fp_fmt *fmt = (F);                                                         \
        FP_RM();                                                                                   \
        h->x[rv_rd(insn)] = rv_fp_to_int(F, FS1, bits, is_signed, (unsigned)rm, &fl);              \
        accrue(h, fl);                                                                             \
        return RV_OK;                                                                              \
    }
TO_INT(fcvt_w_s, S, 32, true)
TO_INT(fcvt_wu_s, S, 32, false)
TO_INT(fcvt_l_s, S, 64, true)
TO_INT(fcvt_lu_s, S, 64, false)
TO_INT(fcvt_w_d, D, 32, true)
TO_INT(fcvt_wu_d, D, 32, false)
TO_INT(fcvt_l_d, D, 64, true)
TO_INT(fcvt_lu_d, D, 64, false)

/* ... and from integers: the W forms take the low 32 bits of rs1 (signed or unsigned) */
#define FROM_INT(name, F, expr, is_signed)                                                         \
    int rv_exec_##name(struct rv_hart *h, uint32_t insn)                                           \
    {                                                                                              \
        FP_RM();                                                                                   \
        uint64_t v = h->x[rv_rs1(insn)];                                                           \
        write_f(h, F, rv_rd(insn), rv_fp_from_int(F, (expr), is_signed, (unsigned)rm, &fl));       \
        accrue(h, fl);                                                                             \
        return RV_OK;                                                                              \
    }
FROM_INT(fcvt_s_w, S, rv_sext(v, 32), true)
FROM_INT(fcvt_s_wu, S, (uint32_t)v, false)
FROM_INT(fcvt_s_l, S, v, true)
FROM_INT(fcvt_s_lu, S, v, false)
FROM_INT(fcvt_d_w, D, rv_sext(v, 32), true)
FROM_INT(fcvt_d_wu, D, (uint32_t)v, false)
FROM_INT(fcvt_d_l, D, v, true)
FROM_INT(fcvt_d_lu, D, v, false)

/* 11.7 / 12.6 bit moves: FMV.X.W sign-extends the low 32 bits of the register (NaN boxing is not
 * checked); FMV.W.X NaN-boxes. */
int rv_exec_fmv_x_w(struct rv_hart *h, uint32_t insn)
{
    FP_CHECK();
    h->x[rv_rd(insn)] = rv_sext((uint32_t)h->f[rv_rs1(insn)], 32);
    return RV_OK;
}
int rv_exec_fmv_w_x(struct rv_hart *h, uint32_t insn)
{
    FP_CHECK();
    write_f(h, S, rv_rd(insn), (uint32_t)h->x[rv_rs1(insn)]);
    return RV_OK;
}
int rv_exec_fmv_x_d(struct rv_hart *h, uint32_t insn)
{
    FP_CHECK();
    h->x[rv_rd(insn)] = h->f[rv_rs1(insn)];
    return RV_OK;
}
int rv_exec_fmv_d_x(struct rv_hart *h, uint32_t insn)
{
    FP_CHECK();
    write_f(h, D, rv_rd(insn), h->x[rv_rs1(insn)]);
    return RV_OK;
}

/* 11.9 FCLASS */
int rv_exec_fclass_s(struct rv_hart *h, uint32_t insn)
{
    FP_CHECK();
    h->x[rv_rd(insn)] = rv_fp_class(S, read_s(h, rv_rs1(insn)));
    return RV_OK;
}
int rv_exec_fclass_d(struct rv_hart *h, uint32_t insn)
{
    FP_CHECK();
    h->x[rv_rd(insn)] = rv_fp_class(D, read_d(h, rv_rs1(insn)));
    return RV_OK;
}
