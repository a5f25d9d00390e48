/* The run loop's inline forms of the most common RV64I instructions (design.md "Speed": dispatch
 * is through the decoded form). decode.c (rv_fast_prepare) picks a form when an instruction is
 * decoded and keeps its register numbers and immediate in the decoded entry; hart.c executes the
 * form in place instead of calling the row's handler. The semantics are exec_int.c's, line for
 * line (unpriv. spec chapter 2 and chapter 5); everything else goes through the handler. */
#ifndef RINGSIDE_CPU_RISCV_FAST_H
#define RINGSIDE_CPU_RISCV_FAST_H

#include "cpu/riscv/internal.h"

/* The host address of the size bytes at vaddr when a data access there is a plain RAM access
 * that cannot fault: physical addresses (M-mode without MPRV, or satp Bare: priv. spec 3.1.6.3,
 * 4.1.11), PMP open at that privilege (3.7, pmp.c), and RAM with no device over it. NULL: take
 * rv_load/rv_store, which do the whole job. The same checks as mem.c's, in the same order of
 * outcome, so the access and its EV_MEM are exactly rv_load's/rv_store's. */
__attribute__((always_inline)) static inline uint8_t *rv_fast_ram(struct rv_hart *h, uint64_t vaddr,
                                                                  unsigned size)
{
    uint64_t st = h->csr.mstatus;
    unsigned priv = h->priv;
    if (priv == RV_PRIV_M && (st & RV_MSTATUS_MPRV))
        priv = (unsigned)((st & RV_MSTATUS_MPP) >> RV_MSTATUS_MPP_SHIFT);
    if (priv != RV_PRIV_M && (h->csr.satp >> RV_SATP_MODE_SHIFT) != RV_SATP_MODE_BARE) return NULL;
    if (!((h->pmp_open >> priv) & 1)) return NULL;
    const struct bus *bus = &h->m->bus;
    uint64_t off = vaddr - bus->ram_base;
    if (off >= bus->ram_size || size > bus->ram_size - off || bus->n_mmio_over_ram) return NULL;
    return bus->ram + off;
}

/* rv_load (size 1, 2, 4 or 8: a constant where it is inlined) with rv_fast_ram's case inline. */
__attribute__((always_inline)) static inline int rv_fast_load(struct rv_hart *h, uint64_t vaddr,
                                                              unsigned size, uint64_t *value)
{
    const uint8_t *p = rv_fast_ram(h, vaddr, size);
    if (!p) return rv_load(h, vaddr, size, value);
    *value = bus_ram_load(p, size);
    ev_emit_mem(&h->m->events, h->pc, vaddr, vaddr, (uint8_t)size, EV_MEM_READ);
    return RV_OK;
}

__attribute__((always_inline)) static inline int rv_fast_store(struct rv_hart *h, uint64_t vaddr,
                                                               unsigned size, uint64_t value)
{
    uint8_t *p = rv_fast_ram(h, vaddr, size);
    if (!p) return rv_store(h, vaddr, size, value);
    bus_ram_store(p, size, value);
    code_watch_store(&h->code, p);
    ev_emit_mem(&h->m->events, h->pc, vaddr, vaddr, (uint8_t)size, EV_MEM_WRITE);
    return RV_OK;
}

/* Executes d at pc (d->fast != RV_FAST_NONE): writes rd and *npc (pc + length on entry), returns
 * RV_OK or a trap with h->tval set, exactly as the row's handler would. x0 may be written; the
 * run loop re-zeroes it. */
__attribute__((always_inline)) static inline int
rv_fast_exec(struct rv_hart *h, const struct rv_dinsn *d, uint64_t pc, uint64_t *npc)
{
    uint64_t *x = h->x;
    uint64_t a = x[d->rs1], b = x[d->rs2];
    uint64_t imm = (uint64_t)(int64_t)d->imm;
    uint64_t v;
    int rc;
    switch (d->fast) {
    /* 2.4.1 register-immediate, 5.2 W forms (imm of a shift is its shamt) */
    case RV_FAST_ADDI: x[d->rd] = a + imm; return RV_OK;
    case RV_FAST_ANDI: x[d->rd] = a & imm; return RV_OK;
    case RV_FAST_ORI: x[d->rd] = a | imm; return RV_OK;
    case RV_FAST_XORI: x[d->rd] = a ^ imm; return RV_OK;
    case RV_FAST_SLTIU: x[d->rd] = a < imm; return RV_OK;
    case RV_FAST_ADDIW: x[d->rd] = rv_sext((uint32_t)(a + imm), 32); return RV_OK;
    case RV_FAST_SLLI: x[d->rd] = a << imm; return RV_OK;
    case RV_FAST_SRLI: x[d->rd] = a >> imm; return RV_OK;
    case RV_FAST_SRAI: x[d->rd] = (uint64_t)((int64_t)a >> imm); return RV_OK;
    case RV_FAST_SLLIW: x[d->rd] = rv_sext((uint32_t)(a << imm), 32); return RV_OK;
    case RV_FAST_SRLIW: x[d->rd] = rv_sext((uint32_t)a >> imm, 32); return RV_OK;
    case RV_FAST_SRAIW: x[d->rd] = (uint64_t)(int64_t)((int32_t)a >> imm); return RV_OK;
    case RV_FAST_LUI: x[d->rd] = imm; return RV_OK;
    case RV_FAST_AUIPC: x[d->rd] = pc + imm; return RV_OK;
    /* 2.4.2 register-register */
    case RV_FAST_ADD: x[d->rd] = a + b; return RV_OK;
    case RV_FAST_SUB: x[d->rd] = a - b; return RV_OK;
    case RV_FAST_AND: x[d->rd] = a & b; return RV_OK;
    case RV_FAST_OR: x[d->rd] = a | b; return RV_OK;
    case RV_FAST_XOR: x[d->rd] = a ^ b; return RV_OK;
    case RV_FAST_SLTU: x[d->rd] = a < b; return RV_OK;
    case RV_FAST_SLL: x[d->rd] = a << (b & 63); return RV_OK;
    case RV_FAST_SRL: x[d->rd] = a >> (b & 63); return RV_OK;
    case RV_FAST_ADDW: x[d->rd] = rv_sext((uint32_t)(a + b), 32); return RV_OK;
    case RV_FAST_SUBW: x[d->rd] = rv_sext((uint32_t)(a - b), 32); return RV_OK;
    /* 2.5 control transfer: with C (IALIGN = 16) no target can be misaligned (rv_jump) */
    case RV_FAST_JAL:
        x[d->rd] = *npc;
        *npc = pc + imm;
        return RV_OK;
    case RV_FAST_JALR: {
        uint64_t target = (a + imm) & ~1ull; /* rs1 is read before rd is written (2.5.1) */
        x[d->rd] = *npc;
        *npc = target;
        return RV_OK;
    }
    case RV_FAST_BEQ:
        if (a == b) *npc = pc + imm;
        return RV_OK;
    case RV_FAST_BNE:
        if (a != b) *npc = pc + imm;
        return RV_OK;
    case RV_FAST_BLT:
        if ((int64_t)a < (int64_t)b) *npc = pc + imm;
        return RV_OK;
    case RV_FAST_BGE:
        if ((int64_t)a >= (int64_t)b) *npc = pc + imm;
        return RV_OK;
    case RV_FAST_BLTU:
        if (a < b) *npc = pc + imm;
        return RV_OK;
    case RV_FAST_BGEU:
        if (a >= b) *npc = pc + imm;
        return RV_OK;
    /* 2.6 loads and stores, 5.3; effective address = rs1 + imm */
    case RV_FAST_LB:
        rc = rv_fast_load(h, a + imm, 1, &v);
        if (rc == RV_OK) x[d->rd] = rv_sext(v, 8);
        return rc;
    case RV_FAST_LBU:
        rc = rv_fast_load(h, a + imm, 1, &v);
        if (rc == RV_OK) x[d->rd] = v;
        return rc;
    case RV_FAST_LH:
        rc = rv_fast_load(h, a + imm, 2, &v);
        if (rc == RV_OK) x[d->rd] = rv_sext(v, 16);
        return rc;
    case RV_FAST_LHU:
        rc = rv_fast_load(h, a + imm, 2, &v);
        if (rc == RV_OK) x[d->rd] = v;
        return rc;
    case RV_FAST_LW:
        rc = rv_fast_load(h, a + imm, 4, &v);
        if (rc == RV_OK) x[d->rd] = rv_sext(v, 32);
        return rc;
    case RV_FAST_LWU:
        rc = rv_fast_load(h, a + imm, 4, &v);
        if (rc == RV_OK) x[d->rd] = v;
        return rc;
    case RV_FAST_LD:
        rc = rv_fast_load(h, a + imm, 8, &v);
        if (rc == RV_OK) x[d->rd] = v;
        return rc;
    case RV_FAST_SB: return rv_fast_store(h, a + imm, 1, b);
    case RV_FAST_SH: return rv_fast_store(h, a + imm, 2, b);
    case RV_FAST_SW: return rv_fast_store(h, a + imm, 4, b);
    case RV_FAST_SD: return rv_fast_store(h, a + imm, 8, b);
    default: break; /* RV_FAST_NONE: the caller calls the handler */
    }
    __builtin_unreachable();
}

#endif
