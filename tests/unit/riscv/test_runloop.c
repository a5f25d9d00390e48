/* The core under the machine's run loop (machine.h contract): budgets, wfi letting time pass to
 * the next device deadline, a timer interrupt waking the hart at that time (priv. spec 3.1.9,
 * 3.3.3), and stepping giving the same result as running. */
#include "riscv/helpers.h"

/* A one-shot timer: raises MTIP (line 7) at guest time 'at'. */
struct timer {
    struct machine *m;
    uint64_t at;
    bool fired;
};
static uint64_t timer_deadline(void *dev)
{
    struct timer *t = dev;
    return t->fired ? UINT64_MAX : t->at;
}
static void timer_tick(void *dev, uint64_t now)
{
    struct timer *t = dev;
    if (!t->fired && now >= t->at) {
        t->fired = true;
        machine_set_irq(t->m, RV_IRQ_MTI, true);
    }
}

#define HANDLER (RVT_BASE + 0x400)

/* wfi: time jumps to the timer's deadline; the interrupt is taken there, mepc after the wfi */
static void test_wfi_sleeps_until_timer_3_3_3(void **state)
{
    struct rvt *t = *state;
    const uint32_t prog[] = {
        ADDI(5, 0, 1 << 7),
        CSRRS(0, RV_CSR_mie, 5),      /* MTIE */
        CSRRSI(0, RV_CSR_mstatus, 8), /* MIE */
        WFI,
        ADDI(6, 6, 1),
        rvt_j(-4, 0), /* never reached: t1++ loop */
    };
    rvt_prog(t, RVT_BASE, prog, sizeof prog / sizeof prog[0]);
    rvt_put32(t, HANDLER, CSRRS(7, RV_CSR_mcause, 0));
    rvt_put32(t, HANDLER + 4, rvt_j(0, 0)); /* j . */
    rvt_set_csr(t, RV_CSR_mtvec, HANDLER);
    t->m.cpu = t->h;
    t->m.cpu_ops = &rv_cpu_ops;
    struct timer timer = {&t->m, 5000, false};
    struct machine_clocked c = {timer_deadline, timer_tick, &timer};
    assert_int_equal(machine_add_clocked(&t->m, &c), 0);

    t->m.max_insns = 4; /* the three setup instructions and the wfi */
    assert_int_equal(machine_run(&t->m), STOP_INSN_BUDGET);
    assert_true(t->h->waiting);
    assert_int_equal(t->m.time, 4);

    t->m.stop.reason = STOP_NONE;
    t->m.max_insns = 6; /* the handler's two instructions */
    assert_int_equal(machine_run(&t->m), STOP_INSN_BUDGET);
    assert_true(timer.fired);
    assert_false(t->h->waiting);
    assert_int_equal(t->h->x[7], RV_CAUSE_INTERRUPT | RV_IRQ_MTI);
    assert_int_equal(rvt_csr(t, RV_CSR_mepc), RVT_BASE + 16);
    assert_int_equal(t->h->x[6], 0);
    /* slept to 5000, one tick for the trap, two instructions */
    assert_int_equal(t->m.time, 5003);
}

/* The instruction budget stops exactly; running in slices gives the same state as one run */
static void test_budget_and_slicing(void **state)
{
    struct rvt *t = *state;
    const uint32_t prog[] = {ADDI(5, 5, 1), ADDI(6, 6, 2), rvt_j(-8, 0)};
    rvt_prog(t, RVT_BASE, prog, 3);
    t->m.cpu = t->h;
    t->m.cpu_ops = &rv_cpu_ops;
    t->m.max_insns = 1000;
    assert_int_equal(machine_run(&t->m), STOP_INSN_BUDGET);
    assert_int_equal(t->m.insns, 1000);
    uint64_t x5 = t->h->x[5], x6 = t->h->x[6], pc = t->h->pc;
    /* again from reset, 1000 single steps */
    rv_hart_reset(t->h, RVT_BASE);
    t->m.insns = 0;
    t->m.time = 0;
    t->m.stop.reason = STOP_NONE;
    t->m.max_insns = 0;
    for (int i = 0; i < 1000; i++)
        assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(t->h->x[5], x5);
    assert_int_equal(t->h->x[6], x6);
    assert_int_equal(t->h->pc, pc);
    assert_int_equal(t->m.insns, 1000);
}

#define T(f) cmocka_unit_test_setup_teardown(f, rvt_setup, rvt_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_wfi_sleeps_until_timer_3_3_3),
        T(test_budget_and_slicing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
