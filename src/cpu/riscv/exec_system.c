/* System instructions: ECALL, EBREAK, FENCE, FENCE.I, and the privileged MRET, SRET, WFI and
 * SFENCE.VMA (unpriv. spec 2.7, 2.8, chapter 3; priv. spec 3.3, 4.2.1). */
#include "cpu/riscv/internal.h"

/* Priv. spec 3.3.1: ECALL raises environment-call-from-U/S/M (8, 9, 11 = 8 + privilege) and
 * EBREAK a breakpoint (3); neither retires, so neither counts in minstret (design.md "Counting
 * rule"). xtval: 0 for ecall; the address of the ebreak for the breakpoint (3.1.16). */
int rv_exec_ecall(struct rv_hart *h, uint32_t insn)
{
    (void)insn;
    h->tval = 0;
    return RV_TRAP(RV_EXC_ECALL_U + h->priv);
}

int rv_exec_ebreak(struct rv_hart *h, uint32_t insn)
{
    (void)insn;
    h->tval = h->pc;
    return RV_TRAP(RV_EXC_BREAKPOINT);
}

/* One hart, in-order, no caches: FENCE orders nothing further. */
int rv_exec_fence(struct rv_hart *h, uint32_t insn)
{
    (void)h;
    (void)insn;
    return RV_OK;
}

/* Zifencei: stores are visible to fetch at once: the decoded-instruction cache checks an entry's
 * bits against memory on every use (mem.c). */
int rv_exec_fence_i(struct rv_hart *h, uint32_t insn)
{
    (void)h;
    (void)insn;
    return RV_OK;
}

int rv_exec_mret(struct rv_hart *h, uint32_t insn)
{
    (void)insn;
    return rv_xret(h, RV_PRIV_M);
}

int rv_exec_sret(struct rv_hart *h, uint32_t insn)
{
    (void)insn;
    return rv_xret(h, RV_PRIV_S);
}

/* Priv. spec 3.3.3 and 3.1.6.5: WFI is illegal in U-mode (this hart's time limit for it is zero),
 * and in S-mode when mstatus.TW = 1. It retires at once; the hart then waits until an interrupt
 * is pending and locally enabled in mie, whatever the global enables say. */
int rv_exec_wfi(struct rv_hart *h, uint32_t insn)
{
    (void)insn;
    if (h->priv == RV_PRIV_U || (h->priv == RV_PRIV_S && (h->csr.mstatus & RV_MSTATUS_TW)))
        return rv_illegal(h);
    if (!(rv_mip(h) & h->csr.mie)) h->waiting = true;
    return RV_OK;
}

/* Priv. spec 4.2.1 and 3.1.6.5: SFENCE.VMA is illegal in U-mode, and in S-mode when
 * mstatus.TVM = 1. rs1 = x0: every address; rs2 = x0: every address space. */
int rv_exec_sfence_vma(struct rv_hart *h, uint32_t insn)
{
    if (h->priv == RV_PRIV_U || (h->priv == RV_PRIV_S && (h->csr.mstatus & RV_MSTATUS_TVM)))
        return rv_illegal(h);
    unsigned rs1 = rv_rs1(insn), rs2 = rv_rs2(insn);
    struct ev ev = {.kind = EV_TLB_FLUSH, .pc = h->pc};
    ev.tlb_flush.vaddr = rs1 ? h->x[rs1] : UINT64_MAX;
    ev.tlb_flush.asid = rs2 ? (uint32_t)(h->x[rs2] & 0xffff) : UINT32_MAX;
    mmu_tlb_flush(&h->tlb, ev.tlb_flush.vaddr, ev.tlb_flush.asid);
    rv_xlate_changed(h);
    ev_emit(&h->m->events, &ev);
    return RV_OK;
}
