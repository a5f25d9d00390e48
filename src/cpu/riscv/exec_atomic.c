/* A extension: load-reserved/store-conditional and atomic memory operations (unpriv. spec
 * chapter 8). One hart, in order: every AMO is atomic by construction and aq/rl order nothing
 * further.
 *
 * Alignment (8.2, 8.4): a misaligned LR raises load-address-misaligned (4); a misaligned SC or
 * AMO raises store/AMO-address-misaligned (6), whatever Zicclsm says for plain accesses. AMOs and
 * SC translate and check as stores (page fault 15, access fault 7).
 *
 * The reservation (8.2): LR reserves its physical address and size. SC succeeds (rd = 0) only
 * when a reservation of the same address and size is held, and every SC clears it; traps and
 * xRET clear it too (trap.c), as the spec allows. */
#include "cpu/riscv/internal.h"

#define RS1 (h->x[rv_rs1(insn)])
#define RS2 (h->x[rv_rs2(insn)])
#define RD  (h->x[rv_rd(insn)])

static uint64_t load_value(uint64_t v, unsigned size)
{
    return size == 4 ? rv_sext(v, 32) : v; /* 8.4: the W forms sign-extend the loaded word */
}

static int lr(struct rv_hart *h, uint32_t insn, unsigned size)
{
    uint64_t va = RS1, pa, v;
    int rc;
    if (va & (size - 1)) {
        h->tval = va;
        return RV_TRAP(RV_EXC_LOAD_MISALIGNED);
    }
    if ((rc = rv_translate_data(h, va, false, &pa)) != RV_OK ||
        (rc = rv_phys_load(h, va, pa, size, false, &v)) != RV_OK)
        return rc;
    h->resv_valid = true;
    h->resv_addr = pa;
    h->resv_size = (uint8_t)size;
    RD = load_value(v, size);
    return RV_OK;
}

static int sc(struct rv_hart *h, uint32_t insn, unsigned size)
{
    uint64_t va = RS1, pa;
    int rc;
    if (va & (size - 1)) {
        h->tval = va;
        return RV_TRAP(RV_EXC_STORE_MISALIGNED);
    }
    if ((rc = rv_translate_data(h, va, true, &pa)) != RV_OK) return rc;
    bool ok = h->resv_valid && h->resv_addr == pa && h->resv_size == size;
    if (ok && (rc = rv_phys_store(h, va, pa, size, RS2)) != RV_OK) return rc;
    h->resv_valid = false;
    RD = ok ? 0 : 1;
    return RV_OK;
}

enum amo_op { AMO_SWAP, AMO_ADD, AMO_XOR, AMO_AND, AMO_OR, AMO_MIN, AMO_MAX, AMO_MINU, AMO_MAXU };

/* 8.4: rd <- M[rs1]; M[rs1] <- op(M[rs1], rs2). The W forms compare and compute on 32 bits. */
static int amo(struct rv_hart *h, uint32_t insn, unsigned size, enum amo_op op)
{
    uint64_t va = RS1, pa, old, src = RS2, v;
    int rc;
    if (va & (size - 1)) {
        h->tval = va;
        return RV_TRAP(RV_EXC_STORE_MISALIGNED);
    }
    if ((rc = rv_translate_data(h, va, true, &pa)) != RV_OK ||
        (rc = rv_phys_load(h, va, pa, size, true, &old)) != RV_OK)
        return rc;
    uint64_t a = load_value(old, size), b = size == 4 ? rv_sext(src, 32) : src; /* rv_sext masks */
    uint64_t ua = size == 4 ? (uint32_t)a : a, ub = size == 4 ? (uint32_t)b : b;
    switch (op) {
    case AMO_SWAP: v = b; break;
    case AMO_ADD: v = a + b; break;
    case AMO_XOR: v = a ^ b; break;
    case AMO_AND: v = a & b; break;
    case AMO_OR: v = a | b; break;
    case AMO_MIN: v = (int64_t)a < (int64_t)b ? a : b; break;
    case AMO_MAX: v = (int64_t)a > (int64_t)b ? a : b; break;
    case AMO_MINU: v = ua < ub ? a : b; break;
    default: v = ua > ub ? a : b; break;
    }
    if ((rc = rv_phys_store(h, va, pa, size, v)) != RV_OK) return rc;
    RD = a;
    return RV_OK;
}

#define FORMS(name, call4, call8)                                                                  \
    int rv_exec_##name##_w(struct rv_hart *h, uint32_t insn)                                       \
    {                                                                                              \
        return call4;                                                                              \
    }                                                                                              \
    int rv_exec_##name##_d(struct rv_hart *h, uint32_t insn)                                       \
    {                                                                                              \
        return call8;                                                                              \
    }
FORMS(lr, lr(h, insn, 4), lr(h, insn, 8))
FORMS(sc, sc(h, insn, 4), sc(h, insn, 8))
#define AMO(name, op) FORMS(name, amo(h, insn, 4, op), amo(h, insn, 8, op))
AMO(amoswap, AMO_SWAP)
AMO(amoadd, AMO_ADD)
AMO(amoxor, AMO_XOR)
AMO(amoand, AMO_AND)
AMO(amoor, AMO_OR)
AMO(amomin, AMO_MIN)
AMO(amomax, AMO_MAX)
AMO(amominu, AMO_MINU)
AMO(amomaxu, AMO_MAXU)
