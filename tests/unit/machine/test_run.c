/* The run loop: budgets, device deadlines, stop requests, stepping. A fake CPU stands in for a
 * core: it retires one instruction per tick and can be told to stop the machine or to wait. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "machine/machine.h"

struct fake_cpu {
    struct machine *m;
    uint64_t exit_at;  /* request a guest exit when this many instructions have retired */
    bool waiting;      /* like wfi/hlt: lets time pass without retiring */
    unsigned runs;     /* how often the run loop called us */
    uint64_t ev_insns; /* instructions seen by an event subscriber */
};

static void fake_run(void *opaque)
{
    struct fake_cpu *cpu = opaque;
    struct machine *m = cpu->m;
    cpu->runs++;
    if (cpu->waiting) {
        if (m->limit_time == UINT64_MAX)
            machine_request_stop(m, STOP_FATAL, EXIT_GUEST_FATAL, "waits forever");
        else
            m->time = m->limit_time;
        return;
    }
    while (m->insns < m->limit_insns && m->time < m->limit_time && !m->exit_request) {
        struct ev e = {.kind = EV_INSN, .pc = m->insns * 4, .insn = {.len = 4}};
        ev_emit(&m->events, &e);
        m->insns++;
        m->time++;
        if (m->insns == cpu->exit_at) machine_request_stop(m, STOP_EXIT, 300 + 42, "exit");
    }
}

static const struct cpu_ops fake_ops = {.name = "fake", .run = fake_run};

/* A timer device: wants a tick at 'deadline'; each tick moves the deadline by 'period'. */
struct fake_timer {
    uint64_t deadline, period;
    uint64_t ticked_at[8];
    unsigned ticks;
};

static uint64_t timer_deadline(void *dev)
{
    return ((struct fake_timer *)dev)->deadline;
}

static void timer_tick(void *dev, uint64_t now)
{
    struct fake_timer *t = dev;
    if (t->ticks < 8) t->ticked_at[t->ticks] = now;
    t->ticks++;
    t->deadline = t->period ? now + t->period : UINT64_MAX;
}

static void new_machine(struct machine *m, struct fake_cpu *cpu)
{
    char err[128];
    assert_int_equal(machine_init(m, ARCH_RISCV64, 0x80000000, 1 << 20, err, sizeof err), 0);
    memset(cpu, 0, sizeof *cpu);
    cpu->m = m;
    m->cpu = cpu;
    m->cpu_ops = &fake_ops;
}

static void guest_exit_stops_with_status(void **state)
{
    (void)state;
    struct machine m;
    struct fake_cpu cpu;
    new_machine(&m, &cpu);
    cpu.exit_at = 1000;
    assert_int_equal(machine_run(&m), STOP_EXIT);
    assert_int_equal(m.insns, 1000);
    assert_int_equal(machine_exit_status(&m), 342 & 0xff); /* a process status is 8 bits */
    assert_string_equal(m.stop.detail, "exit");
    machine_destroy(&m);
}

static void instruction_budget_stops_exactly(void **state)
{
    (void)state;
    struct machine m;
    struct fake_cpu cpu;
    new_machine(&m, &cpu);
    m.max_insns = 12345;
    assert_int_equal(machine_run(&m), STOP_INSN_BUDGET);
    assert_int_equal(m.insns, 12345);
    assert_int_equal(machine_exit_status(&m), EXIT_BUDGET);
    assert_non_null(strstr(m.stop.detail, "12345"));
    machine_destroy(&m);
}

static void cycle_budget_stops_a_waiting_cpu(void **state)
{
    (void)state;
    struct machine m;
    struct fake_cpu cpu;
    new_machine(&m, &cpu);
    cpu.waiting = true;
    m.max_cycles = 5000;
    assert_int_equal(machine_run(&m), STOP_CYCLE_BUDGET);
    assert_int_equal(m.time, 5000);
    assert_int_equal(m.insns, 0);
    machine_destroy(&m);
}

static void waiting_forever_is_fatal(void **state)
{
    (void)state;
    struct machine m;
    struct fake_cpu cpu;
    new_machine(&m, &cpu);
    cpu.waiting = true;
    assert_int_equal(machine_run(&m), STOP_FATAL);
    assert_int_equal(machine_exit_status(&m), EXIT_GUEST_FATAL);
    machine_destroy(&m);
}

static void devices_tick_exactly_at_their_deadlines(void **state)
{
    (void)state;
    struct machine m;
    struct fake_cpu cpu;
    new_machine(&m, &cpu);
    struct fake_timer t = {.deadline = 100, .period = 250};
    struct machine_clocked c = {timer_deadline, timer_tick, &t};
    assert_int_equal(machine_add_clocked(&m, &c), 0);
    m.max_insns = 700;
    machine_run(&m);
    assert_int_equal(t.ticks, 3);
    assert_int_equal(t.ticked_at[0], 100);
    assert_int_equal(t.ticked_at[1], 350);
    assert_int_equal(t.ticked_at[2], 600);
    machine_destroy(&m);
}

static void stepping_gives_the_same_ticks_as_running(void **state)
{
    (void)state;
    struct machine m;
    struct fake_cpu cpu;
    new_machine(&m, &cpu);
    struct fake_timer t = {.deadline = 10, .period = 7};
    struct machine_clocked c = {timer_deadline, timer_tick, &t};
    machine_add_clocked(&m, &c);
    for (int i = 0; i < 30; i++)
        assert_int_equal(machine_step(&m, 1), STOP_NONE);
    assert_int_equal(m.insns, 30);
    assert_int_equal(t.ticks, 3); /* at 10, 17, 24: as an unsliced run would */
    assert_int_equal(t.ticked_at[2], 24);
    machine_destroy(&m);
}

static void first_stop_request_wins(void **state)
{
    (void)state;
    struct machine m;
    struct fake_cpu cpu;
    new_machine(&m, &cpu);
    machine_request_stop(&m, STOP_FATAL, EXIT_GUEST_FATAL, "triple fault at %#x", 0x1234);
    machine_request_stop(&m, STOP_EXIT, 0, "later");
    assert_int_equal(m.stop.reason, STOP_FATAL);
    assert_string_equal(m.stop.detail, "triple fault at 0x1234");
    assert_int_equal(m.exit_request, 1);
    assert_int_equal(machine_run(&m), STOP_FATAL);
    assert_int_equal(cpu.runs, 0);
    machine_destroy(&m);
}

static void irq_lines_wake_the_cpu(void **state)
{
    (void)state;
    struct machine m;
    struct fake_cpu cpu;
    new_machine(&m, &cpu);
    machine_set_irq(&m, 7, true);
    assert_int_equal(m.irq_lines, 1u << 7);
    assert_int_equal(m.exit_request, 1);
    m.exit_request = 0;
    machine_set_irq(&m, 7, true); /* no change, no wake-up */
    assert_int_equal(m.exit_request, 0);
    machine_set_irq(&m, 7, false);
    assert_int_equal(m.irq_lines, 0);
    assert_int_equal(m.exit_request, 1);
    machine_destroy(&m);
}

static void count_insns(void *opaque, const struct ev *e)
{
    struct fake_cpu *cpu = opaque;
    if (e->kind == EV_INSN) cpu->ev_insns++;
}

static void events_are_counted_and_dispatched_by_kind(void **state)
{
    (void)state;
    struct machine m;
    struct fake_cpu cpu;
    new_machine(&m, &cpu);
    int other = ev_subscribe(&m.events, EV_MASK(EV_EXCEPTION), count_insns, &cpu);
    int h = ev_subscribe(&m.events, EV_MASK(EV_INSN), count_insns, &cpu);
    assert_true(h >= 0 && other >= 0 && h != other);
    m.max_insns = 50;
    machine_run(&m);
    assert_int_equal(m.events.count[EV_INSN], 50);
    assert_int_equal(cpu.ev_insns, 50);
    ev_unsubscribe(&m.events, h);
    assert_int_equal(m.events.wanted, EV_MASK(EV_EXCEPTION));
    m.max_insns = 80;
    m.stop.reason = STOP_NONE;
    machine_run(&m);
    assert_int_equal(m.events.count[EV_INSN], 80); /* still counted */
    assert_int_equal(cpu.ev_insns, 50);            /* no longer dispatched */
    assert_string_equal(ev_kind_name(EV_TLB_FLUSH), "tlb-flush");
    assert_string_equal(ev_mech_name(EV_MECH_SYSRET), "sysret");
    machine_destroy(&m);
}

static void free_tracked(void *object)
{
    test_free(object);
}

static void owned_objects_are_destroyed(void **state)
{
    (void)state;
    struct machine m;
    struct fake_cpu cpu;
    new_machine(&m, &cpu);
    int *a = test_malloc(sizeof *a);
    assert_int_equal(machine_own(&m, a, free_tracked), 0);
    machine_destroy(&m); /* cmocka reports a leak if a is not freed */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(guest_exit_stops_with_status),
        cmocka_unit_test(instruction_budget_stops_exactly),
        cmocka_unit_test(cycle_budget_stops_a_waiting_cpu),
        cmocka_unit_test(waiting_forever_is_fatal),
        cmocka_unit_test(devices_tick_exactly_at_their_deadlines),
        cmocka_unit_test(stepping_gives_the_same_ticks_as_running),
        cmocka_unit_test(first_stop_request_wins),
        cmocka_unit_test(irq_lines_wake_the_cpu),
        cmocka_unit_test(events_are_counted_and_dispatched_by_kind),
        cmocka_unit_test(owned_objects_are_destroyed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
