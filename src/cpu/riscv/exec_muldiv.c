/* M extension: multiplication and division (unpriv. spec chapter 7 "M Standard Extension"). */
#include "cpu/riscv/internal.h"

#define RS1 (h->x[rv_rs1(insn)])
#define RS2 (h->x[rv_rs2(insn)])
#define RD  (h->x[rv_rd(insn)])

#define OP(name, expr)                                                                             \
    int rv_exec_##name(struct rv_hart *h, uint32_t insn)                                           \
    {                                                                                              \
        uint64_t a = RS1, b = RS2;                                                                 \
        RD = (expr);                                                                               \
        return RV_OK;                                                                              \
    }

/* 7.1 Multiplication: MULH* return the upper 64 bits of the 128-bit product */
static uint64_t mulh_ss(uint64_t a, uint64_t b)
{
    return (uint64_t)(((__int128)(int64_t)a * (__int128)(int64_t)b) >> 64);
}
static uint64_t mulh_su(uint64_t a, uint64_t b)
{
    return (uint64_t)(((__int128)(int64_t)a * (__int128)(unsigned __int128)b) >> 64);
}
static uint64_t mulh_uu(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

OP(mul, a *b)
OP(mulh, mulh_ss(a, b))
OP(mulhsu, mulh_su(a, b))
OP(mulhu, mulh_uu(a, b))
OP(mulw, rv_sext((uint32_t)(a *b), 32))

/* 7.2 Division, table 7.1: division by zero gives quotient all ones and remainder = dividend;
 * signed overflow (most negative / -1) gives quotient = dividend and remainder 0. No traps. */
static uint64_t div_s(int64_t a, int64_t b)
{
    if (b == 0) return UINT64_MAX;
    if (a == INT64_MIN && b == -1) return (uint64_t)a;
    return (uint64_t)(a / b);
}
static uint64_t rem_s(int64_t a, int64_t b)
{
    if (b == 0) return (uint64_t)a;
    if (a == INT64_MIN && b == -1) return 0;
    return (uint64_t)(a % b);
}
static uint64_t div_u(uint64_t a, uint64_t b)
{
    return b == 0 ? UINT64_MAX : a / b;
}
static uint64_t rem_u(uint64_t a, uint64_t b)
{
    return b == 0 ? a : a % b;
}

OP(div, div_s((int64_t)a, (int64_t)b))
OP(divu, div_u(a, b))
OP(rem, rem_s((int64_t)a, (int64_t)b))
OP(remu, rem_u(a, b))
/* W forms: operate on the low 32 bits, sign-extend the 32-bit result (7.2). The 32-bit signed
 * operands widened to 64 bits cannot overflow, so only the 32-bit overflow case needs care. */
static uint64_t divw(int32_t a, int32_t b)
{
    if (b == 0) return UINT64_MAX;
    if (a == INT32_MIN && b == -1) return rv_sext((uint32_t)a, 32);
    return rv_sext((uint32_t)(a / b), 32);
}
static uint64_t remw(int32_t a, int32_t b)
{
    if (b == 0) return rv_sext((uint32_t)a, 32);
    if (a == INT32_MIN && b == -1) return 0;
    return rv_sext((uint32_t)(a % b), 32);
}
OP(divw, divw((int32_t)a, (int32_t)b))
OP(remw, remw((int32_t)a, (int32_t)b))
OP(divuw, rv_sext((uint32_t)b == 0 ? UINT32_MAX : (uint32_t)a / (uint32_t)b, 32))
OP(remuw, rv_sext((uint32_t)b == 0 ? (uint32_t)a : (uint32_t)a % (uint32_t)b, 32))
