/* Trap delivery and trap return: the one place that moves the hart into a trap handler
 * (rv_trap_deliver) and the one place that returns from it (rv_xret), in the shape of the
 * privileged spec (3.1.6.1, 3.1.7-3.1.9, 3.1.14-3.1.16, 3.3.2, 4.1.1-4.1.9). */
#include "cpu/riscv/internal.h"

void rv_set_priv(struct rv_hart *h, unsigned priv, unsigned mech)
{
    if (h->priv == priv) return;
    struct ev ev = {.kind = EV_PRIV, .pc = h->pc};
    ev.priv.from = h->priv;
    ev.priv.to = (uint8_t)priv;
    ev.priv.mech = (uint8_t)mech;
    h->priv = (uint8_t)priv;
    rv_xlate_changed(h);
    ev_emit(&h->m->events, &ev);
}

/* EV_EXPLAIN: one step of a trap or trap return, for the monitor's transition view. The text is
 * a static string; pc is the instruction the transition belongs to. */
static void explain(struct rv_hart *h, uint64_t pc, const char *text, uint64_t value)
{
    struct ev ev = {.kind = EV_EXPLAIN, .pc = pc};
    ev.explain.text = text;
    ev.explain.value = value;
    ev_emit(&h->m->events, &ev);
}

/* The steps of a trap delivery (below), as the spec's text lists them; st is the new mstatus. */
static void explain_trap(struct rv_hart *h, bool to_s, unsigned from, uint64_t xcause,
                         uint64_t tval, uint64_t st, uint64_t target, bool vectored)
{
    uint64_t pc = h->pc;
    explain(h, pc, to_s ? "sepc <- pc" : "mepc <- pc", pc & RV_EPC_WMASK);
    explain(h, pc, to_s ? "scause <- cause" : "mcause <- cause", xcause);
    explain(h, pc, to_s ? "stval <- tval" : "mtval <- tval", tval);
    if (to_s) {
        explain(h, pc, "sstatus.SPIE <- sstatus.SIE", (st & RV_MSTATUS_SPIE) != 0);
        explain(h, pc, "sstatus.SIE <- 0", 0);
        explain(h, pc, "sstatus.SPP <- priv", from);
    } else {
        explain(h, pc, "mstatus.MPIE <- mstatus.MIE", (st & RV_MSTATUS_MPIE) != 0);
        explain(h, pc, "mstatus.MIE <- 0", 0);
        explain(h, pc, "mstatus.MPP <- priv", from);
    }
    explain(h, pc,
            to_s ? (vectored ? "pc <- stvec.BASE + 4*cause" : "pc <- stvec")
                 : (vectored ? "pc <- mtvec.BASE + 4*cause" : "pc <- mtvec"),
            target);
    explain(h, pc, to_s ? "priv <- S" : "priv <- M", to_s ? RV_PRIV_S : RV_PRIV_M);
}

/* The steps of MRET/SRET (below); st is the new mstatus, h->npc the new pc. */
static void explain_xret(struct rv_hart *h, bool m, unsigned to, uint64_t st)
{
    explain(h, h->pc, m ? "pc <- mepc" : "pc <- sepc", h->npc);
    explain(h, h->pc, m ? "priv <- mstatus.MPP" : "priv <- sstatus.SPP", to);
    explain(h, h->pc, m ? "mstatus.MIE <- mstatus.MPIE" : "sstatus.SIE <- sstatus.SPIE",
            (st & (m ? RV_MSTATUS_MIE : RV_MSTATUS_SIE)) != 0);
    explain(h, h->pc, m ? "mstatus.MPIE <- 1" : "sstatus.SPIE <- 1", 1);
    explain(h, h->pc, m ? "mstatus.MPP <- U" : "sstatus.SPP <- U", RV_PRIV_U);
    if (to != RV_PRIV_M && (h->csr.mstatus & RV_MSTATUS_MPRV))
        explain(h, h->pc, "mstatus.MPRV <- 0", 0);
}

/* 3.1.9: an interrupt i traps to M if pending and enabled in mie and not delegated in mideleg,
 * and it is globally enabled when the hart runs below M, or in M with mstatus.MIE = 1. A
 * delegated interrupt traps to S; it is globally enabled below S, or in S with sstatus.SIE = 1,
 * and never in M. Interrupts for M come before those for S; within a level the order is
 * MEI, MSI, MTI, SEI, SSI, STI. */
int rv_interrupt_pending(const struct rv_hart *h)
{
    uint64_t pending = rv_mip(h) & h->csr.mie;
    if (!pending) return -1;
    uint64_t st = h->csr.mstatus;
    uint64_t to_m = pending & ~h->csr.mideleg, to_s = pending & h->csr.mideleg;
    if (!(h->priv < RV_PRIV_M || (st & RV_MSTATUS_MIE))) to_m = 0;
    if (!(h->priv < RV_PRIV_S || (h->priv == RV_PRIV_S && (st & RV_MSTATUS_SIE)))) to_s = 0;
    uint64_t enabled = to_m ? to_m : to_s;
    static const uint8_t order[] = {RV_IRQ_MEI, RV_IRQ_MSI, RV_IRQ_MTI,
                                    RV_IRQ_SEI, RV_IRQ_SSI, RV_IRQ_STI};
    for (unsigned i = 0; i < sizeof order; i++)
        if (enabled & (1ull << order[i])) return order[i];
    return -1;
}

/* 3.1.8: a trap is handled in S when the hart is in S or U and the cause is delegated in
 * medeleg/mideleg; otherwise in M. Traps never go to a less privileged mode than the current. */
void rv_trap_deliver(struct rv_hart *h, uint64_t cause, bool interrupt, uint64_t tval)
{
    unsigned from = h->priv;
    uint64_t deleg = interrupt ? h->csr.mideleg : h->csr.medeleg;
    bool to_s = from <= RV_PRIV_S && ((deleg >> cause) & 1);
    uint64_t xcause = cause | (interrupt ? RV_CAUSE_INTERRUPT : 0);
    uint64_t st = h->csr.mstatus, tvec;

    struct ev ev = {.kind = EV_EXCEPTION, .pc = h->pc};
    ev.exception.vector = (uint32_t)cause;
    ev.exception.interrupt = interrupt;
    ev.exception.info = tval;
    ev_emit(&h->m->events, &ev);

    if (to_s) {
        /* 4.1.7-4.1.9: sepc, scause, stval; 4.1.1: SPIE <- SIE, SIE <- 0, SPP <- privilege */
        h->csr.sepc = h->pc & RV_EPC_WMASK;
        h->csr.scause = xcause;
        h->csr.stval = tval;
        st = (st & ~(RV_MSTATUS_SPIE | RV_MSTATUS_SIE | RV_MSTATUS_SPP)) |
             ((st & RV_MSTATUS_SIE) ? RV_MSTATUS_SPIE : 0) | (from ? RV_MSTATUS_SPP : 0);
        tvec = h->csr.stvec;
    } else {
        /* 3.1.14-3.1.16; 3.1.6.1: MPIE <- MIE, MIE <- 0, MPP <- privilege */
        h->csr.mepc = h->pc & RV_EPC_WMASK;
        h->csr.mcause = xcause;
        h->csr.mtval = tval;
        st = (st & ~(RV_MSTATUS_MPIE | RV_MSTATUS_MIE | RV_MSTATUS_MPP)) |
             ((st & RV_MSTATUS_MIE) ? RV_MSTATUS_MPIE : 0) |
             ((uint64_t)from << RV_MSTATUS_MPP_SHIFT);
        tvec = h->csr.mtvec;
    }
    h->csr.mstatus = st;
    /* 3.1.7: MODE 1 (vectored) sends interrupts to BASE + 4 * cause, exceptions to BASE */
    uint64_t target = tvec & ~3ull;
    if ((tvec & 3) == 1 && interrupt) target += 4 * cause;
    explain_trap(h, to_s, from, xcause, tval, st, target, (tvec & 3) == 1 && interrupt);
    h->pc = target;
    h->waiting = false;
    h->resv_valid = false; /* a trap breaks an LR/SC sequence (unpriv. 8.3 allows SC to fail) */

    unsigned mech =
        interrupt ? EV_MECH_INTERRUPT
        : (cause == RV_EXC_ECALL_U || cause == RV_EXC_ECALL_S || cause == RV_EXC_ECALL_M)
            ? EV_MECH_ECALL
            : EV_MECH_EXCEPTION;
    rv_set_priv(h, to_s ? RV_PRIV_S : RV_PRIV_M, mech);
}

/* 3.3.2 MRET/SRET. MRET is illegal below M; SRET is illegal in U and, with mstatus.TSR = 1, in S
 * (3.1.6.5). xRET sets the privilege to xPP, xIE <- xPIE, xPIE <- 1, xPP <- U (the least
 * privileged mode), and clears MPRV when the new privilege is not M (3.1.6.3); pc <- xepc. */
int rv_xret(struct rv_hart *h, unsigned which)
{
    uint64_t st = h->csr.mstatus;
    unsigned to;
    if (which == RV_PRIV_M) {
        if (h->priv < RV_PRIV_M) return rv_illegal(h);
        to = (unsigned)((st & RV_MSTATUS_MPP) >> RV_MSTATUS_MPP_SHIFT);
        st = (st & ~(RV_MSTATUS_MIE | RV_MSTATUS_MPP)) |
             ((st & RV_MSTATUS_MPIE) ? RV_MSTATUS_MIE : 0) | RV_MSTATUS_MPIE;
        h->npc = h->csr.mepc;
    } else {
        if (h->priv < RV_PRIV_S || (h->priv == RV_PRIV_S && (st & RV_MSTATUS_TSR)))
            return rv_illegal(h);
        to = (st & RV_MSTATUS_SPP) ? RV_PRIV_S : RV_PRIV_U;
        st = (st & ~(RV_MSTATUS_SIE | RV_MSTATUS_SPP)) |
             ((st & RV_MSTATUS_SPIE) ? RV_MSTATUS_SIE : 0) | RV_MSTATUS_SPIE;
        h->npc = h->csr.sepc;
    }
    if (to != RV_PRIV_M) st &= ~RV_MSTATUS_MPRV;
    explain_xret(h, which == RV_PRIV_M, to, st);
    h->csr.mstatus = st;
    h->resv_valid = false; /* 3.3.2: xRET may clear the LR reservation; this hart does */
    rv_set_priv(h, to, which == RV_PRIV_M ? EV_MECH_MRET : EV_MECH_SRET);
    return RV_OK;
}
