/* IEEE 754 arithmetic for the F and D extensions (unpriv. spec chapter 11 "F", 12 "D"), with
 * RISC-V's rules: five rounding modes (11.2, table 11.1), tininess detected after rounding (11.6),
 * exact accrued flags, the canonical NaN (11.3).
 *
 * How results are computed (design note):
 * - Everything but + - * / sqrt and the fused multiply-add is done in software on the bits:
 *   sign injection, min/max, comparisons, classification, conversions between the formats and
 *   to and from integers. The one rounding routine (round_pack) rounds a 64-bit significand to
 *   24 or 53 bits in any of the five modes, with overflow, underflow (after rounding) and inexact.
 * - + - * / sqrt and fma run on the host's x87 80-bit format (64-bit significand) in round toward
 *   zero with the inexact flag read back from <fenv.h>: the truncated result with its lowest bit
 *   ORed with "inexact" is the operation rounded to odd, and a result rounded to odd to at least
 *   p + 2 bits rounds correctly to p bits in every mode (Boldo and Melquiond, "Emulation of FMA and
 *   correctly-rounded sums: proved algorithms using rounding to odd", IEEE TC 2008). The x87
 *   exponent range holds every exact product and quotient of doubles, so the host never overflows
 *   or underflows; round_pack then decides OF, UF and NX for the target format. RMM, which the host
 *   does not have, costs nothing extra. Invalid (NV) and divide by zero (DZ) come from the host
 *   operation; NaN operands never reach the host (NaN results are canonical, sNaN raises NV).
 * - Volatile operands keep the compiler from moving the arithmetic across fesetround/fetestexcept
 *   (GCC does not implement #pragma STDC FENV_ACCESS).
 */
#include <fenv.h>
#include <float.h>
#include <math.h>

#include "cpu/riscv/internal.h"

/* to_ld/from_ld build and take apart the x87 80-bit format (x86-64 Linux hosts) */
_Static_assert(LDBL_MANT_DIG == 64 && LDBL_MAX_EXP == 16384,
               "fpu.c needs the x87 80-bit long double (64-bit significand)");

const struct rv_fp_fmt rv_fp_s = {24, 8, -126, 127};
const struct rv_fp_fmt rv_fp_d = {53, 11, -1022, 1023};

/* An unpacked finite nonzero value: (-1)^sign * m * 2^(e - 63), m normalised (bit 63 set). */
struct unpacked {
    bool sign;
    uint64_t m;
    int e;
};

static unsigned width(const struct rv_fp_fmt *f)
{
    return f->p + f->ebits;
}
static uint64_t sign_bit(const struct rv_fp_fmt *f)
{
    return 1ull << (width(f) - 1);
}
static uint64_t exp_field(const struct rv_fp_fmt *f, uint64_t a)
{
    return (a >> (f->p - 1)) & ((1ull << f->ebits) - 1);
}
static uint64_t frac_field(const struct rv_fp_fmt *f, uint64_t a)
{
    return a & ((1ull << (f->p - 1)) - 1);
}
static uint64_t exp_max(const struct rv_fp_fmt *f)
{
    return (1ull << f->ebits) - 1;
}

uint64_t rv_fp_canonical_nan(const struct rv_fp_fmt *f)
{
    /* 11.3: the canonical NaN has a positive sign and all significand bits clear except the MSB */
    return (exp_max(f) << (f->p - 1)) | (1ull << (f->p - 2));
}

bool rv_fp_is_nan(const struct rv_fp_fmt *f, uint64_t a)
{
    return exp_field(f, a) == exp_max(f) && frac_field(f, a) != 0;
}
bool rv_fp_is_snan(const struct rv_fp_fmt *f, uint64_t a)
{
    return rv_fp_is_nan(f, a) && !(a & (1ull << (f->p - 2)));
}
static bool is_inf(const struct rv_fp_fmt *f, uint64_t a)
{
    return exp_field(f, a) == exp_max(f) && frac_field(f, a) == 0;
}
static bool is_zero(const struct rv_fp_fmt *f, uint64_t a)
{
    return (a & (sign_bit(f) - 1)) == 0;
}
static bool sign_of(const struct rv_fp_fmt *f, uint64_t a)
{
    return (a & sign_bit(f)) != 0;
}
static uint64_t inf_of(const struct rv_fp_fmt *f, bool sign)
{
    return (sign ? sign_bit(f) : 0) | (exp_max(f) << (f->p - 1));
}

/* Finite nonzero a, unpacked (subnormals normalised). */
static struct unpacked unpack(const struct rv_fp_fmt *f, uint64_t a)
{
    struct unpacked u = {sign_of(f, a), frac_field(f, a), 0};
    uint64_t ex = exp_field(f, a);
    int e;
    if (ex == 0) { /* subnormal: 0.frac * 2^emin */
        e = f->emin;
    } else {
        u.m |= 1ull << (f->p - 1);
        e = (int)ex - (f->emax);
    }
    /* now value = m * 2^(e - (p - 1)); normalise m to bit 63 */
    int lz = __builtin_clzll(u.m);
    u.m <<= lz;
    u.e = e + (63 - (int)(f->p - 1)) - lz;
    return u;
}

/* m >> sh rounded in mode rm for a value of sign neg; *inexact when bits were lost. */
static uint64_t shift_round(uint64_t m, unsigned sh, bool neg, unsigned rm, bool *inexact)
{
    uint64_t q;
    bool rbit, sticky;
    if (sh == 0) {
        *inexact = false;
        return m;
    }
    if (sh > 64) {
        q = 0;
        rbit = false;
        sticky = m != 0;
    } else if (sh == 64) {
        q = 0;
        rbit = m >> 63;
        sticky = (m << 1) != 0;
    } else {
        q = m >> sh;
        rbit = (m >> (sh - 1)) & 1;
        sticky = (m & ((1ull << (sh - 1)) - 1)) != 0;
    }
    *inexact = rbit || sticky;
    bool up = false;
    switch (rm) {
    case RV_RM_RNE: up = rbit && (sticky || (q & 1)); break;
    case RV_RM_RTZ: up = false; break;
    case RV_RM_RDN: up = *inexact && neg; break;
    case RV_RM_RUP: up = *inexact && !neg; break;
    case RV_RM_RMM: up = rbit; break;
    }
    return q + up;
}

/* 11.6 / IEEE 754-2019 7.4-7.6: rounds u (finite, nonzero) to format f in mode rm, with overflow,
 * underflow (tiny after rounding and inexact) and inexact. */
static uint64_t round_pack(const struct rv_fp_fmt *f, struct unpacked u, unsigned rm,
                           unsigned *flags)
{
    uint64_t sign = u.sign ? sign_bit(f) : 0;
    bool ix;
    unsigned p = f->p;
    uint64_t q = shift_round(u.m, 64 - p, u.sign, rm, &ix);
    int e = u.e;
    if (e >= f->emin) {
        if (q >> p) { /* rounding carried into a new bit */
            q >>= 1;
            e++;
        }
        if (e > f->emax) {
            *flags |= RV_FFLAG_OF | RV_FFLAG_NX;
            bool to_inf = rm == RV_RM_RNE || rm == RV_RM_RMM || (rm == RV_RM_RDN && u.sign) ||
                          (rm == RV_RM_RUP && !u.sign);
            return to_inf ? inf_of(f, u.sign) : sign | (inf_of(f, false) - 1);
        }
        if (ix) *flags |= RV_FFLAG_NX;
        return sign | ((uint64_t)(e + f->emax) << (p - 1)) | (q & ((1ull << (p - 1)) - 1));
    }
    /* below the normal range: tiny when even the unbounded-exponent rounding stays below it */
    bool tiny = !(e + 1 == f->emin && (q >> p));
    unsigned sh = 64 - p + (unsigned)(f->emin - e);
    q = shift_round(u.m, sh, u.sign, rm, &ix);
    if (ix) *flags |= RV_FFLAG_NX | (tiny ? RV_FFLAG_UF : 0);
    return sign | q; /* q = 2^(p-1) is the smallest normal number, by the encoding */
}

/* ---- the host x87 path for + - * / sqrt fma ---- */

static long double to_ld(struct unpacked u)
{
    /* x87 extended: 64-bit significand with explicit integer bit, 15-bit exponent (bias 16383) */
    unsigned char b[sizeof(long double)] = {0};
    uint16_t se = (uint16_t)((u.sign ? 0x8000 : 0) | (uint16_t)(u.e + 16383));
    memcpy(b, &u.m, 8);
    memcpy(b + 8, &se, 2);
    long double x;
    memcpy(&x, b, sizeof x);
    return x;
}

static struct unpacked from_ld(long double x)
{
    unsigned char b[sizeof(long double)];
    memcpy(b, &x, sizeof x);
    struct unpacked u;
    uint16_t se;
    memcpy(&u.m, b, 8);
    memcpy(&se, b + 8, 2);
    u.sign = se >> 15;
    u.e = (int)(se & 0x7fff) - 16383;
    return u;
}

static long double bits_to_ld(const struct rv_fp_fmt *f, uint64_t a)
{
    if (is_zero(f, a)) return sign_of(f, a) ? -0.0L : 0.0L;
    if (is_inf(f, a)) return sign_of(f, a) ? -INFINITY : INFINITY;
    return to_ld(unpack(f, a));
}

enum host_op { H_ADD, H_SUB, H_MUL, H_DIV, H_SQRT, H_FMA };

static long double host_op(enum host_op op, long double x, long double y, long double z)
{
    volatile long double a = x, b = y, c = z, r;
    switch (op) {
    case H_ADD: r = a + b; break;
    case H_SUB: r = a - b; break;
    case H_MUL: r = a * b; break;
    case H_DIV: r = a / b; break;
    case H_SQRT: r = sqrtl(a); break;
    default: r = fmal(a, b, c); break;
    }
    return r;
}

static const int host_mode[5] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD, FE_TONEAREST};

/* The operation on non-NaN operands a, b, c (as needed), rounded to f in mode rm. */
static uint64_t arith(const struct rv_fp_fmt *f, enum host_op op, uint64_t a, uint64_t b,
                      uint64_t c, unsigned rm, unsigned *flags)
{
    long double x = bits_to_ld(f, a), y = bits_to_ld(f, b), z = bits_to_ld(f, c);
    int saved = fegetround();
    fesetround(FE_TOWARDZERO);
    feclearexcept(FE_ALL_EXCEPT);
    long double r = host_op(op, x, y, z);
    int ex = fetestexcept(FE_INVALID | FE_DIVBYZERO | FE_INEXACT);
    if (r == 0 && !(ex & FE_INEXACT)) {
        /* an exact zero: its sign depends on the rounding mode (IEEE 754-2019 6.3: x + (-x) is
         * -0 only when rounding toward negative), so compute it again in the real mode */
        fesetround(host_mode[rm]);
        r = host_op(op, x, y, z);
    }
    fesetround(saved);
    if (ex & FE_INVALID) {
        *flags |= RV_FFLAG_NV;
        return rv_fp_canonical_nan(f);
    }
    if (ex & FE_DIVBYZERO) *flags |= RV_FFLAG_DZ;
    if (isinf(r)) return inf_of(f, signbit(r) != 0); /* exact infinity (from infinite operands) */
    if (r == 0) return signbit(r) ? sign_bit(f) : 0;
    struct unpacked u = from_ld(r);
    if (ex & FE_INEXACT) u.m |= 1; /* rounding to odd */
    return round_pack(f, u, rm, flags);
}

static uint64_t nan_result(const struct rv_fp_fmt *f, unsigned *flags, uint64_t a, uint64_t b,
                           uint64_t c, unsigned n)
{
    if (rv_fp_is_snan(f, a) || (n > 1 && rv_fp_is_snan(f, b)) || (n > 2 && rv_fp_is_snan(f, c)))
        *flags |= RV_FFLAG_NV;
    return rv_fp_canonical_nan(f);
}

uint64_t rv_fp_add(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, unsigned rm, unsigned *fl)
{
    if (rv_fp_is_nan(f, a) || rv_fp_is_nan(f, b)) return nan_result(f, fl, a, b, 0, 2);
    return arith(f, H_ADD, a, b, 0, rm, fl);
}
uint64_t rv_fp_sub(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, unsigned rm, unsigned *fl)
{
    if (rv_fp_is_nan(f, a) || rv_fp_is_nan(f, b)) return nan_result(f, fl, a, b, 0, 2);
    return arith(f, H_SUB, a, b, 0, rm, fl);
}
uint64_t rv_fp_mul(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, unsigned rm, unsigned *fl)
{
    if (rv_fp_is_nan(f, a) || rv_fp_is_nan(f, b)) return nan_result(f, fl, a, b, 0, 2);
    return arith(f, H_MUL, a, b, 0, rm, fl);
}
uint64_t rv_fp_div(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, unsigned rm, unsigned *fl)
{
    if (rv_fp_is_nan(f, a) || rv_fp_is_nan(f, b)) return nan_result(f, fl, a, b, 0, 2);
    return arith(f, H_DIV, a, b, 0, rm, fl);
}
uint64_t rv_fp_sqrt(const struct rv_fp_fmt *f, uint64_t a, unsigned rm, unsigned *fl)
{
    if (rv_fp_is_nan(f, a)) return nan_result(f, fl, a, 0, 0, 1);
    if (sign_of(f, a) && !is_zero(f, a)) { /* sqrt(-0) = -0; below that, invalid */
        *fl |= RV_FFLAG_NV;
        return rv_fp_canonical_nan(f);
    }
    return arith(f, H_SQRT, a, 0, 0, rm, fl);
}
/* a * b + c with one rounding (11.6). 11.6: fma(inf, 0, qNaN) raises NV, where IEEE leaves it to
 * the implementation. */
uint64_t rv_fp_fma(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, uint64_t c, unsigned rm,
                   unsigned *fl)
{
    if (rv_fp_is_nan(f, a) || rv_fp_is_nan(f, b) || rv_fp_is_nan(f, c)) {
        if ((is_inf(f, a) && is_zero(f, b)) || (is_zero(f, a) && is_inf(f, b))) *fl |= RV_FFLAG_NV;
        return nan_result(f, fl, a, b, c, 3);
    }
    return arith(f, H_FMA, a, b, c, rm, fl);
}

/* 11.6 FMIN/FMAX: IEEE 754-2019 minimumNumber/maximumNumber: a NaN operand is ignored, two NaNs
 * give the canonical NaN, a signaling NaN raises NV, and -0 is less than +0. */
uint64_t rv_fp_minmax(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, bool max, unsigned *fl)
{
    bool na = rv_fp_is_nan(f, a), nb = rv_fp_is_nan(f, b);
    if (rv_fp_is_snan(f, a) || rv_fp_is_snan(f, b)) *fl |= RV_FFLAG_NV;
    if (na && nb) return rv_fp_canonical_nan(f);
    if (na) return b;
    if (nb) return a;
    bool lt = rv_fp_lt(f, a, b, fl) || (sign_of(f, a) && !sign_of(f, b)); /* -0 < +0 */
    return (lt != max) ? a : b;
}

/* a < b on non-NaN operands by their bits (sign-magnitude order); -0 == +0. */
static bool less(const struct rv_fp_fmt *f, uint64_t a, uint64_t b)
{
    bool sa = sign_of(f, a), sb = sign_of(f, b);
    uint64_t ma = a & (sign_bit(f) - 1), mb = b & (sign_bit(f) - 1);
    if (ma == 0 && mb == 0) return false;
    if (sa != sb) return sa;
    return sa ? ma > mb : ma < mb;
}

/* 11.8: FEQ is a quiet comparison (NV only for signaling NaNs), FLT and FLE signaling (NV for
 * any NaN); with a NaN operand the result is 0. */
bool rv_fp_eq(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, unsigned *fl)
{
    if (rv_fp_is_nan(f, a) || rv_fp_is_nan(f, b)) {
        if (rv_fp_is_snan(f, a) || rv_fp_is_snan(f, b)) *fl |= RV_FFLAG_NV;
        return false;
    }
    return a == b || (is_zero(f, a) && is_zero(f, b));
}
bool rv_fp_lt(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, unsigned *fl)
{
    if (rv_fp_is_nan(f, a) || rv_fp_is_nan(f, b)) {
        *fl |= RV_FFLAG_NV;
        return false;
    }
    return less(f, a, b);
}
bool rv_fp_le(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, unsigned *fl)
{
    if (rv_fp_is_nan(f, a) || rv_fp_is_nan(f, b)) {
        *fl |= RV_FFLAG_NV;
        return false;
    }
    return !less(f, b, a);
}

/* 11.9 FCLASS, table 11.5 */
unsigned rv_fp_class(const struct rv_fp_fmt *f, uint64_t a)
{
    bool s = sign_of(f, a);
    if (rv_fp_is_nan(f, a)) return rv_fp_is_snan(f, a) ? 1u << 8 : 1u << 9;
    if (is_inf(f, a)) return s ? 1u << 0 : 1u << 7;
    if (is_zero(f, a)) return s ? 1u << 3 : 1u << 4;
    if (exp_field(f, a) == 0) return s ? 1u << 2 : 1u << 5;
    return s ? 1u << 1 : 1u << 6;
}

/* FCVT.S.D / FCVT.D.S (12.5): NaNs become the canonical NaN, sNaN raises NV. */
uint64_t rv_fp_convert(const struct rv_fp_fmt *to, const struct rv_fp_fmt *from, uint64_t a,
                       unsigned rm, unsigned *fl)
{
    if (rv_fp_is_nan(from, a)) {
        nan_result(from, fl, a, 0, 0, 1);
        return rv_fp_canonical_nan(to);
    }
    if (is_inf(from, a)) return inf_of(to, sign_of(from, a));
    if (is_zero(from, a)) return sign_of(from, a) ? sign_bit(to) : 0;
    return round_pack(to, unpack(from, a), rm, fl);
}

/* FCVT.S.W and friends (11.7): from a 64-bit integer (sign-extended or zero-extended by the
 * caller's choice of is_signed). */
uint64_t rv_fp_from_int(const struct rv_fp_fmt *f, uint64_t v, bool is_signed, unsigned rm,
                        unsigned *fl)
{
    bool neg = is_signed && (int64_t)v < 0;
    uint64_t mag = neg ? 0 - v : v;
    if (mag == 0) return 0;
    int lz = __builtin_clzll(mag);
    struct unpacked u = {neg, mag << lz, 63 - lz};
    return round_pack(f, u, rm, fl);
}

/* FCVT.W.S and friends (11.7, table 11.4): rounds a to an integer in mode rm; out of range, the
 * result saturates and NV is raised (NaN: the largest value); in range but inexact: NX. bits is 32
 * or 64; the 32-bit results are sign-extended to 64 bits (also for the unsigned ones). */
uint64_t rv_fp_to_int(const struct rv_fp_fmt *f, uint64_t a, unsigned bits, bool is_signed,
                      unsigned rm, unsigned *fl)
{
    uint64_t umax = bits == 64 ? UINT64_MAX : UINT32_MAX;
    uint64_t smax = bits == 64 ? (uint64_t)INT64_MAX : (uint64_t)INT32_MAX;
    uint64_t hi = is_signed ? smax : umax;      /* largest result */
    uint64_t lo_mag = is_signed ? smax + 1 : 0; /* magnitude of the smallest result */
    uint64_t lo = is_signed ? (uint64_t)0 - lo_mag : 0;
    uint64_t r;
    if (rv_fp_is_nan(f, a)) {
        *fl |= RV_FFLAG_NV;
        r = hi;
    } else if (is_inf(f, a)) {
        *fl |= RV_FFLAG_NV;
        r = sign_of(f, a) ? lo : hi;
    } else if (is_zero(f, a)) {
        r = 0;
    } else {
        struct unpacked u = unpack(f, a);
        bool ix = false;
        uint64_t q;
        bool big = u.e > 63;
        q = big ? 0 : shift_round(u.m, (unsigned)(63 - u.e), u.sign, rm, &ix);
        if (!u.sign) {
            if (big || q > hi) {
                *fl |= RV_FFLAG_NV;
                r = hi;
            } else {
                r = q;
                if (ix) *fl |= RV_FFLAG_NX;
            }
        } else {
            if (big || q > lo_mag) {
                *fl |= RV_FFLAG_NV;
                r = lo;
            } else {
                r = 0 - q;
                if (ix) *fl |= RV_FFLAG_NX;
            }
        }
    }
    return bits == 32 ? rv_sext(r, 32) : r;
}
