/* Trap delivery and return (priv. spec 3.1.6-3.1.9, 3.1.14-3.1.16, 3.3, 4.1): ecall/ebreak,
 * delegation, interrupts (enables, priority, vectoring), mret/sret, TSR/TVM/TW, wfi. */
#include "riscv/helpers.h"

#define MTVEC (RVT_BASE + 0x1000)
#define STVEC (RVT_BASE + 0x2000)
#define PC0   (RVT_BASE + 0x100)

struct seen {
    unsigned n_priv, n_exc;
    struct ev priv, exc;
};
static void on_event(void *opaque, const struct ev *e)
{
    struct seen *s = opaque;
    if (e->kind == EV_PRIV) {
        s->n_priv++;
        s->priv = *e;
    } else {
        s->n_exc++;
        s->exc = *e;
    }
}

static int trap_setup(void **state)
{
    int rc = rvt_setup(state);
    struct rvt *t = *state;
    rvt_set_csr(t, RV_CSR_mtvec, MTVEC);
    rvt_set_csr(t, RV_CSR_stvec, STVEC);
    t->h->pc = PC0;
    return rc;
}

static uint64_t mstatus(struct rvt *t)
{
    return rvt_csr(t, RV_CSR_mstatus);
}
static unsigned mpp(struct rvt *t)
{
    return (unsigned)(mstatus(t) >> 11) & 3;
}

/* 3.3.1, 3.1.14-3.1.16: ecall from M: mcause 11, mepc = the ecall, mtval 0, MPP = M,
 * MPIE <- MIE, MIE <- 0; no retire (minstret unchanged); EV_EXCEPTION, no EV_PRIV (M to M). */
static void test_ecall_from_m_3_3_1(void **state)
{
    struct rvt *t = *state;
    struct seen s = {0};
    ev_subscribe(&t->m.events, EV_MASK(EV_PRIV) | EV_MASK(EV_EXCEPTION), on_event, &s);
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_MIE);
    rvt_set_csr(t, RV_CSR_mtval, 0x55);
    rvt_set_csr(t, RV_CSR_medeleg, UINT64_MAX); /* cannot delegate from M */
    assert_int_equal(rvt_exec(t, ECALL), RV_STEP_EXCEPTION);
    assert_int_equal(t->h->pc, MTVEC);
    assert_int_equal(t->h->priv, RV_PRIV_M);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_ECALL_M);
    assert_int_equal(rvt_csr(t, RV_CSR_mepc), PC0);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), 0);
    assert_int_equal(mpp(t), RV_PRIV_M);
    assert_int_equal(mstatus(t) & (RV_MSTATUS_MIE | RV_MSTATUS_MPIE), RV_MSTATUS_MPIE);
    assert_int_equal(t->m.insns, 0);
    assert_int_equal(rvt_csr(t, RV_CSR_minstret), 0);
    assert_int_equal(s.n_exc, 1);
    assert_int_equal(s.exc.exception.vector, 11);
    assert_false(s.exc.exception.interrupt);
    assert_int_equal(s.exc.pc, PC0);
    assert_int_equal(s.n_priv, 0);
}

/* 3.1.8: ecall from U, not delegated: to M with MPP = U, EV_PRIV U->M (ecall) */
static void test_ecall_from_u_to_m_3_1_8(void **state)
{
    struct rvt *t = *state;
    struct seen s = {0};
    ev_subscribe(&t->m.events, EV_MASK(EV_PRIV), on_event, &s);
    rvt_set_priv(t, RV_PRIV_U);
    assert_int_equal(rvt_exec(t, ECALL), RV_STEP_EXCEPTION);
    assert_int_equal(t->h->priv, RV_PRIV_M);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_ECALL_U);
    assert_int_equal(mpp(t), RV_PRIV_U);
    assert_int_equal(t->h->pc, MTVEC);
    assert_int_equal(s.n_priv, 1);
    assert_int_equal(s.priv.priv.from, RV_PRIV_U);
    assert_int_equal(s.priv.priv.to, RV_PRIV_M);
    assert_int_equal(s.priv.priv.mech, EV_MECH_ECALL);
}

/* 3.1.8, 4.1.1: delegated ecall from U goes to S: sepc, scause 8, stval 0, SPP = U,
 * SPIE <- SIE, SIE <- 0, pc = stvec; the M-mode trap state is untouched */
static void test_ecall_from_u_delegated_to_s_3_1_8(void **state)
{
    struct rvt *t = *state;
    rvt_set_csr(t, RV_CSR_medeleg, 1u << RV_EXC_ECALL_U);
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_SIE | RV_MSTATUS_SPP | (3ull << 11));
    rvt_set_csr(t, RV_CSR_mepc, 0x1234);
    rvt_set_priv(t, RV_PRIV_U);
    assert_int_equal(rvt_exec(t, ECALL), RV_STEP_EXCEPTION);
    assert_int_equal(t->h->priv, RV_PRIV_S);
    assert_int_equal(t->h->pc, STVEC);
    assert_int_equal(rvt_csr(t, RV_CSR_scause), RV_EXC_ECALL_U);
    assert_int_equal(rvt_csr(t, RV_CSR_sepc), PC0);
    assert_int_equal(rvt_csr(t, RV_CSR_stval), 0);
    uint64_t st = mstatus(t);
    assert_int_equal(st & (RV_MSTATUS_SIE | RV_MSTATUS_SPIE | RV_MSTATUS_SPP), RV_MSTATUS_SPIE);
    assert_int_equal(mpp(t), RV_PRIV_M);
    assert_int_equal(rvt_csr(t, RV_CSR_mepc), 0x1234);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), 0);
}

/* 3.1.8: ecall from S delegated stays in S (SPP = S); not delegated goes to M (cause 9) */
static void test_ecall_from_s_3_1_8(void **state)
{
    struct rvt *t = *state;
    rvt_set_priv(t, RV_PRIV_S);
    assert_int_equal(rvt_exec(t, ECALL), RV_STEP_EXCEPTION);
    assert_int_equal(t->h->priv, RV_PRIV_M);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_ECALL_S);
    assert_int_equal(mpp(t), RV_PRIV_S);
    rvt_set_csr(t, RV_CSR_medeleg, 1u << RV_EXC_ECALL_S);
    rvt_set_priv(t, RV_PRIV_S);
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, ECALL), RV_STEP_EXCEPTION);
    assert_int_equal(t->h->priv, RV_PRIV_S);
    assert_int_equal(rvt_csr(t, RV_CSR_scause), RV_EXC_ECALL_S);
    assert_true(mstatus(t) & RV_MSTATUS_SPP);
}

/* 3.1.16: ebreak raises breakpoint with tval = its address; delegation from M is impossible */
static void test_ebreak_3_3_1(void **state)
{
    struct rvt *t = *state;
    rvt_set_csr(t, RV_CSR_medeleg, 1u << RV_EXC_BREAKPOINT);
    assert_int_equal(rvt_exec(t, EBREAK), RV_STEP_EXCEPTION);
    assert_int_equal(t->h->priv, RV_PRIV_M);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_BREAKPOINT);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), PC0);
    assert_int_equal(t->m.insns, 0);
    /* from U, delegated: S */
    rvt_set_priv(t, RV_PRIV_U);
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, EBREAK), RV_STEP_EXCEPTION);
    assert_int_equal(t->h->priv, RV_PRIV_S);
    assert_int_equal(rvt_csr(t, RV_CSR_stval), PC0);
}

/* 3.3.2: mret: priv <- MPP, MIE <- MPIE, MPIE <- 1, MPP <- U, pc <- mepc; 3.1.6.3: MPRV <- 0
 * when the new privilege is not M, kept when it is */
static void test_mret_state_changes_3_3_2(void **state)
{
    struct rvt *t = *state;
    struct seen s = {0};
    ev_subscribe(&t->m.events, EV_MASK(EV_PRIV), on_event, &s);
    rvt_set_csr(t, RV_CSR_mepc, RVT_BASE + 0x300);
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_MPIE | (1ull << 11) | RV_MSTATUS_MPRV);
    assert_int_equal(rvt_exec(t, MRET), RV_STEP_RETIRED);
    assert_int_equal(t->h->pc, RVT_BASE + 0x300);
    assert_int_equal(t->h->priv, RV_PRIV_S);
    assert_int_equal(mstatus(t), RV_MSTATUS_MIE | RV_MSTATUS_MPIE | RV_MSTATUS_FIXED);
    assert_int_equal(t->m.insns, 1);
    assert_int_equal(s.priv.priv.mech, EV_MECH_MRET);
    assert_int_equal(s.priv.priv.from, RV_PRIV_M);
    assert_int_equal(s.priv.priv.to, RV_PRIV_S);
    /* to M: MPRV stays; MPIE = 0 gives MIE = 0 */
    rvt_set_priv(t, RV_PRIV_M);
    rvt_set_csr(t, RV_CSR_mstatus, (3ull << 11) | RV_MSTATUS_MPRV | RV_MSTATUS_MIE);
    assert_int_equal(rvt_exec(t, MRET), RV_STEP_RETIRED);
    assert_int_equal(t->h->priv, RV_PRIV_M);
    assert_int_equal(mstatus(t), RV_MSTATUS_MPRV | RV_MSTATUS_MPIE | RV_MSTATUS_FIXED);
    /* to U */
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_MPRV);
    assert_int_equal(rvt_exec(t, MRET), RV_STEP_RETIRED);
    assert_int_equal(t->h->priv, RV_PRIV_U);
    assert_int_equal(mstatus(t) & RV_MSTATUS_MPRV, 0);
}

/* 3.3.2: mret below M is illegal */
static void test_mret_below_m_illegal_3_3_2(void **state)
{
    struct rvt *t = *state;
    static const unsigned privs[] = {RV_PRIV_S, RV_PRIV_U};
    for (unsigned i = 0; i < 2; i++) {
        rvt_set_priv(t, privs[i]);
        t->h->pc = PC0;
        assert_int_equal(rvt_exec(t, MRET), RV_STEP_EXCEPTION);
        assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_ILLEGAL);
        assert_int_equal(rvt_csr(t, RV_CSR_mtval), MRET);
        assert_int_equal(mpp(t), privs[i]);
    }
}

/* 3.3.2, 4.1.1: sret: priv <- SPP, SIE <- SPIE, SPIE <- 1, SPP <- U, pc <- sepc, MPRV <- 0 */
static void test_sret_state_changes_3_3_2(void **state)
{
    struct rvt *t = *state;
    struct seen s = {0};
    ev_subscribe(&t->m.events, EV_MASK(EV_PRIV), on_event, &s);
    rvt_set_csr(t, RV_CSR_sepc, RVT_BASE + 0x400);
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_SPIE | RV_MSTATUS_MPRV | (3ull << 11));
    rvt_set_priv(t, RV_PRIV_S);
    assert_int_equal(rvt_exec(t, SRET), RV_STEP_RETIRED);
    assert_int_equal(t->h->priv, RV_PRIV_U);
    assert_int_equal(t->h->pc, RVT_BASE + 0x400);
    assert_int_equal(mstatus(t),
                     RV_MSTATUS_SIE | RV_MSTATUS_SPIE | (3ull << 11) | RV_MSTATUS_FIXED);
    assert_int_equal(s.priv.priv.mech, EV_MECH_SRET);
    assert_int_equal(s.priv.priv.from, RV_PRIV_S);
    /* sret in M to S (SPP = S), SPIE = 0 */
    rvt_set_priv(t, RV_PRIV_M);
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_SPP | RV_MSTATUS_SIE);
    assert_int_equal(rvt_exec(t, SRET), RV_STEP_RETIRED);
    assert_int_equal(t->h->priv, RV_PRIV_S);
    assert_int_equal(mstatus(t), RV_MSTATUS_SPIE | RV_MSTATUS_FIXED);
}

/* 3.1.6.5 TSR: sret in S with TSR = 1 is illegal (not in M); 3.3.2: sret in U is illegal */
static void test_sret_tsr_and_u_illegal_3_1_6_5(void **state)
{
    struct rvt *t = *state;
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_TSR);
    rvt_set_priv(t, RV_PRIV_S);
    assert_int_equal(rvt_exec(t, SRET), RV_STEP_EXCEPTION);
    assert_int_equal(t->h->priv, RV_PRIV_M);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_ILLEGAL);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), SRET);
    assert_int_equal(rvt_csr(t, RV_CSR_mepc), PC0);
    /* in M, TSR does not apply */
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_TSR);
    rvt_set_csr(t, RV_CSR_sepc, PC0);
    assert_int_equal(rvt_exec(t, SRET), RV_STEP_RETIRED);
    assert_int_equal(t->h->priv, RV_PRIV_U);
    /* in U: illegal, even delegated illegal goes to S */
    rvt_set_csr(t, RV_CSR_medeleg, 1u << RV_EXC_ILLEGAL);
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, SRET), RV_STEP_EXCEPTION);
    assert_int_equal(t->h->priv, RV_PRIV_S);
    assert_int_equal(rvt_csr(t, RV_CSR_scause), RV_EXC_ILLEGAL);
    assert_int_equal(rvt_csr(t, RV_CSR_stval), SRET);
}

/* 3.1.6.5 TW and 3.3.3: wfi is illegal in U; in S only with TW = 1; never in M */
static void test_wfi_tw_3_1_6_5(void **state)
{
    struct rvt *t = *state;
    rvt_set_priv(t, RV_PRIV_U);
    assert_int_equal(rvt_exec(t, WFI), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_ILLEGAL);
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_TW);
    rvt_set_priv(t, RV_PRIV_S);
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, WFI), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), WFI);
    /* M with TW = 1: waits */
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, WFI), RV_STEP_RETIRED);
    assert_true(t->h->waiting);
    assert_int_equal(t->h->pc, PC0 + 4);
    assert_int_equal(rv_step(t->h), RV_STEP_WAITING);
    /* S without TW */
    t->h->waiting = false;
    rvt_set_csr(t, RV_CSR_mstatus, 0);
    rvt_set_priv(t, RV_PRIV_S);
    assert_int_equal(rvt_exec(t, WFI), RV_STEP_RETIRED);
    assert_true(t->h->waiting);
}

/* 3.3.3: wfi resumes when an interrupt is pending and enabled in mie, whatever the global enable;
 * with MIE = 0 in M it just continues after the wfi */
static void test_wfi_wakes_on_pending_3_3_3(void **state)
{
    struct rvt *t = *state;
    rvt_put32(t, PC0 + 4, NOP);
    rvt_set_csr(t, RV_CSR_mie, 1u << RV_IRQ_MTI);
    assert_int_equal(rvt_exec(t, WFI), RV_STEP_RETIRED);
    assert_int_equal(rv_step(t->h), RV_STEP_WAITING);
    machine_set_irq(&t->m, RV_IRQ_MTI, true);
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED); /* the nop: MIE = 0, no trap */
    assert_false(t->h->waiting);
    assert_int_equal(t->h->pc, PC0 + 8);
    /* already pending: wfi does not wait at all */
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, WFI), RV_STEP_RETIRED);
    assert_false(t->h->waiting);
}

/* The run-loop contract (machine.h): waiting lets time pass to the next deadline; with no
 * deadline and nothing that can wake the hart, the run stops as fatal. */
static void test_wfi_in_run_loop(void **state)
{
    struct rvt *t = *state;
    rvt_put32(t, PC0, WFI);
    t->m.cpu = t->h;
    t->m.cpu_ops = &rv_cpu_ops;
    t->m.max_cycles = 1000;
    rvt_set_csr(t, RV_CSR_mie, 1u << RV_IRQ_MTI);
    assert_int_equal(machine_run(&t->m), STOP_CYCLE_BUDGET);
    assert_int_equal(t->m.time, 1000);
    assert_int_equal(t->m.insns, 1);
    /* no budget and no deadline: fatal */
    t->m.stop.reason = STOP_NONE;
    t->m.max_cycles = 0;
    assert_int_equal(machine_run(&t->m), STOP_FATAL);
    assert_int_equal(t->m.stop.exit_status, EXIT_GUEST_FATAL);
    t->m.cpu = NULL; /* the test owns the hart */
}

/* 4.2.1 / 3.1.6.5: sfence.vma is illegal in U, and in S with TVM; it emits EV_TLB_FLUSH */
struct flush_seen {
    unsigned n;
    struct ev last;
};
static void on_flush(void *opaque, const struct ev *e)
{
    struct flush_seen *f = opaque;
    f->n++;
    f->last = *e;
}

static void test_sfence_vma_4_2_1(void **state)
{
    struct rvt *t = *state;
    struct flush_seen f = {0};
    ev_subscribe(&t->m.events, EV_MASK(EV_TLB_FLUSH), on_flush, &f);
    rvt_set_priv(t, RV_PRIV_U);
    assert_int_equal(rvt_exec(t, SFENCE_VMA(0, 0)), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_ILLEGAL);
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_TVM);
    rvt_set_priv(t, RV_PRIV_S);
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, SFENCE_VMA(0, 0)), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), SFENCE_VMA(0, 0));
    assert_int_equal(f.n, 0);
    rvt_set_csr(t, RV_CSR_mstatus, 0);
    rvt_set_priv(t, RV_PRIV_S);
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, SFENCE_VMA(0, 0)), RV_STEP_RETIRED);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.last.tlb_flush.vaddr, UINT64_MAX);
    assert_int_equal(f.last.tlb_flush.asid, UINT32_MAX);
    t->h->x[10] = 0x4000;
    t->h->x[11] = 7;
    assert_int_equal(rvt_exec(t, SFENCE_VMA(10, 11)), RV_STEP_RETIRED);
    assert_int_equal(f.last.tlb_flush.vaddr, 0x4000);
    assert_int_equal(f.last.tlb_flush.asid, 7);
    /* M with TVM: allowed */
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_TVM);
    rvt_set_priv(t, RV_PRIV_M);
    assert_int_equal(rvt_exec(t, SFENCE_VMA(0, 0)), RV_STEP_RETIRED);
}

/* 3.1.9: an M interrupt in M needs MIE; the trap: mcause = interrupt bit | code, mepc = the next
 * instruction not yet executed, MPIE <- MIE, MIE <- 0; direct mode: pc = BASE */
static void test_interrupt_m_enable_3_1_9(void **state)
{
    struct rvt *t = *state;
    struct seen s = {0};
    ev_subscribe(&t->m.events, EV_MASK(EV_EXCEPTION), on_event, &s);
    rvt_put32(t, PC0, NOP);
    rvt_set_csr(t, RV_CSR_mie, 1u << RV_IRQ_MTI);
    machine_set_irq(&t->m, RV_IRQ_MTI, true);
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED); /* MIE = 0 */
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_MIE);
    assert_int_equal(rv_step(t->h), RV_STEP_INTERRUPT);
    assert_int_equal(t->h->pc, MTVEC);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_CAUSE_INTERRUPT | RV_IRQ_MTI);
    assert_int_equal(rvt_csr(t, RV_CSR_mepc), PC0 + 4);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), 0);
    assert_int_equal(mstatus(t) & (RV_MSTATUS_MIE | RV_MSTATUS_MPIE), RV_MSTATUS_MPIE);
    assert_int_equal(s.exc.exception.vector, RV_IRQ_MTI);
    assert_true(s.exc.exception.interrupt);
    /* disabled in mie: nothing */
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_MIE);
    rvt_set_csr(t, RV_CSR_mie, 1u << RV_IRQ_MSI);
    rvt_put32(t, MTVEC, NOP);
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
}

/* 3.1.9: below M, M interrupts are enabled whatever MIE says */
static void test_interrupt_m_from_lower_always_enabled_3_1_9(void **state)
{
    struct rvt *t = *state;
    struct seen s = {0};
    ev_subscribe(&t->m.events, EV_MASK(EV_PRIV), on_event, &s);
    rvt_set_csr(t, RV_CSR_mie, 1u << RV_IRQ_MSI);
    machine_set_irq(&t->m, RV_IRQ_MSI, true);
    static const unsigned privs[] = {RV_PRIV_S, RV_PRIV_U};
    for (unsigned i = 0; i < 2; i++) {
        rvt_set_csr(t, RV_CSR_mstatus, 0);
        rvt_set_priv(t, privs[i]);
        t->h->pc = PC0;
        assert_int_equal(rv_step(t->h), RV_STEP_INTERRUPT);
        assert_int_equal(t->h->priv, RV_PRIV_M);
        assert_int_equal(mpp(t), privs[i]);
        assert_int_equal(rvt_csr(t, RV_CSR_mepc), PC0);
        assert_int_equal(s.priv.priv.mech, EV_MECH_INTERRUPT);
    }
}

/* 3.1.9: delegated interrupts go to S: in S only with SIE, in U always, in M never */
static void test_interrupt_delegated_to_s_3_1_9(void **state)
{
    struct rvt *t = *state;
    rvt_put32(t, PC0, NOP);
    rvt_set_csr(t, RV_CSR_mideleg, 1u << RV_IRQ_STI);
    rvt_set_csr(t, RV_CSR_mie, 1u << RV_IRQ_STI);
    rvt_set_csr(t, RV_CSR_mip, 1u << RV_IRQ_STI);
    /* M, even with SIE and MIE: not taken */
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_SIE | RV_MSTATUS_MIE);
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    /* S with SIE = 0: not taken */
    rvt_set_csr(t, RV_CSR_mstatus, 0);
    rvt_set_priv(t, RV_PRIV_S);
    t->h->pc = PC0;
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    /* S with SIE = 1 */
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_SIE);
    t->h->pc = PC0;
    assert_int_equal(rv_step(t->h), RV_STEP_INTERRUPT);
    assert_int_equal(t->h->priv, RV_PRIV_S);
    assert_int_equal(rvt_csr(t, RV_CSR_scause), RV_CAUSE_INTERRUPT | RV_IRQ_STI);
    assert_int_equal(rvt_csr(t, RV_CSR_sepc), PC0);
    assert_int_equal(mstatus(t) & (RV_MSTATUS_SIE | RV_MSTATUS_SPIE | RV_MSTATUS_SPP),
                     RV_MSTATUS_SPIE | RV_MSTATUS_SPP);
    /* U with SIE = 0 */
    rvt_set_csr(t, RV_CSR_mstatus, 0);
    rvt_set_priv(t, RV_PRIV_U);
    t->h->pc = PC0;
    assert_int_equal(rv_step(t->h), RV_STEP_INTERRUPT);
    assert_int_equal(t->h->priv, RV_PRIV_S);
    assert_int_equal(mstatus(t) & RV_MSTATUS_SPP, 0);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), 0);
}

/* 3.1.9: priority MEI > MSI > MTI > SEI > SSI > STI for M; interrupts for M before those for S */
static void test_interrupt_priority_3_1_9(void **state)
{
    struct rvt *t = *state;
    rvt_set_csr(t, RV_CSR_mie, 0xaaa);
    rvt_set_csr(t, RV_CSR_mip, 0x222);
    machine_set_irq(&t->m, RV_IRQ_MSI, true);
    machine_set_irq(&t->m, RV_IRQ_MTI, true);
    rvt_set_priv(t, RV_PRIV_U);
    static const unsigned order[] = {RV_IRQ_MSI, RV_IRQ_MTI, RV_IRQ_SEI, RV_IRQ_SSI, RV_IRQ_STI};
    for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(rv_interrupt_pending(t->h), (int)order[i]);
        if (order[i] == RV_IRQ_MSI || order[i] == RV_IRQ_MTI)
            machine_set_irq(&t->m, order[i], false);
        else
            rvt_set_csr(t, RV_CSR_mip, rvt_csr(t, RV_CSR_mip) & ~(1ull << order[i]));
    }
    assert_int_equal(rv_interrupt_pending(t->h), -1);
    /* an M interrupt (MTI, not delegated) beats a delegated SSI even though SSI is for S */
    rvt_set_csr(t, RV_CSR_mideleg, 1u << RV_IRQ_SSI);
    rvt_set_csr(t, RV_CSR_mip, 1u << RV_IRQ_SSI);
    machine_set_irq(&t->m, RV_IRQ_MTI, true);
    assert_int_equal(rv_interrupt_pending(t->h), RV_IRQ_MTI);
    /* not delegated SEI (to M) before delegated SSI (to S) */
    machine_set_irq(&t->m, RV_IRQ_MTI, false);
    rvt_set_csr(t, RV_CSR_mip, (1u << RV_IRQ_SSI) | (1u << RV_IRQ_STI));
    assert_int_equal(rv_interrupt_pending(t->h), RV_IRQ_STI); /* STI to M, SSI to S */
}

/* 3.1.7 / 4.1.2: vectored mode: interrupts to BASE + 4 * cause, exceptions to BASE */
static void test_vectored_tvec_3_1_7(void **state)
{
    struct rvt *t = *state;
    rvt_set_csr(t, RV_CSR_mtvec, MTVEC | 1);
    rvt_set_csr(t, RV_CSR_mie, 1u << RV_IRQ_MTI);
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_MIE);
    machine_set_irq(&t->m, RV_IRQ_MTI, true);
    assert_int_equal(rv_step(t->h), RV_STEP_INTERRUPT);
    assert_int_equal(t->h->pc, MTVEC + 4 * RV_IRQ_MTI);
    machine_set_irq(&t->m, RV_IRQ_MTI, false);
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, ECALL), RV_STEP_EXCEPTION);
    assert_int_equal(t->h->pc, MTVEC);
    /* stvec vectored, SSI delegated, from U */
    rvt_set_csr(t, RV_CSR_stvec, STVEC | 1);
    rvt_set_csr(t, RV_CSR_mideleg, 1u << RV_IRQ_SSI);
    rvt_set_csr(t, RV_CSR_mie, 1u << RV_IRQ_SSI);
    rvt_set_csr(t, RV_CSR_mip, 1u << RV_IRQ_SSI);
    rvt_set_priv(t, RV_PRIV_U);
    assert_int_equal(rv_step(t->h), RV_STEP_INTERRUPT);
    assert_int_equal(t->h->pc, STVEC + 4 * RV_IRQ_SSI);
    assert_int_equal(t->h->priv, RV_PRIV_S);
}

/* A trap whose handler faults at its own address would repeat forever: the run stops as fatal
 * (mtvec = 0 after reset, nothing mapped at 0). */
static void test_trap_loop_is_fatal(void **state)
{
    struct rvt *t = *state;
    rvt_set_csr(t, RV_CSR_mtvec, 0);
    t->m.cpu = t->h;
    t->m.cpu_ops = &rv_cpu_ops;
    rvt_put32(t, PC0, ECALL);
    assert_int_equal(machine_run(&t->m), STOP_FATAL);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_INSN_ACCESS);
    assert_int_equal(rvt_csr(t, RV_CSR_mepc), 0);
    t->m.cpu = NULL;
}

/* A round trip U -> S -> U through a delegated ecall and sret, as the guest kernel does. */
static void test_round_trip_u_s_u(void **state)
{
    struct rvt *t = *state;
    const uint32_t handler[] = {
        CSRRW(10, RV_CSR_sscratch, 10), /* csrrw a0, sscratch, a0 */
        CSRRS(5, RV_CSR_sepc, 0),       /* csrr t0, sepc */
        ADDI(5, 5, 4),                  /* skip the ecall */
        CSRRW(0, RV_CSR_sepc, 5),       /* csrw sepc, t0 */
        CSRRW(10, RV_CSR_sscratch, 10), /* swap back */
        ADDI(10, 10, 1),                /* result */
        SRET,
    };
    rvt_prog(t, STVEC, handler, 7);
    rvt_put32(t, PC0, ECALL);
    rvt_put32(t, PC0 + 4, ADDI(11, 10, 0));
    rvt_set_csr(t, RV_CSR_medeleg, 1u << RV_EXC_ECALL_U);
    rvt_set_csr(t, RV_CSR_sscratch, 0x5000);
    t->h->x[10] = 41;
    rvt_set_priv(t, RV_PRIV_U);
    assert_int_equal(rv_step(t->h), RV_STEP_EXCEPTION);
    for (int i = 0; i < 7; i++)
        assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->priv, RV_PRIV_U);
    assert_int_equal(t->h->pc, PC0 + 4);
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[11], 42);
    assert_int_equal(rvt_csr(t, RV_CSR_sscratch), 0x5000);
    assert_int_equal(t->m.insns, 8); /* the ecall did not retire */
}

#define T(f) cmocka_unit_test_setup_teardown(f, trap_setup, rvt_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_ecall_from_m_3_3_1),
        T(test_ecall_from_u_to_m_3_1_8),
        T(test_ecall_from_u_delegated_to_s_3_1_8),
        T(test_ecall_from_s_3_1_8),
        T(test_ebreak_3_3_1),
        T(test_mret_state_changes_3_3_2),
        T(test_mret_below_m_illegal_3_3_2),
        T(test_sret_state_changes_3_3_2),
        T(test_sret_tsr_and_u_illegal_3_1_6_5),
        T(test_wfi_tw_3_1_6_5),
        T(test_wfi_wakes_on_pending_3_3_3),
        T(test_wfi_in_run_loop),
        T(test_sfence_vma_4_2_1),
        T(test_interrupt_m_enable_3_1_9),
        T(test_interrupt_m_from_lower_always_enabled_3_1_9),
        T(test_interrupt_delegated_to_s_3_1_9),
        T(test_interrupt_priority_3_1_9),
        T(test_vectored_tvec_3_1_7),
        T(test_trap_loop_is_fatal),
        T(test_round_trip_u_s_u),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
