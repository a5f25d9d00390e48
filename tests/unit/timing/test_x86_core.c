/* The transition log on a real core: the x86 ring-3 round trip of tests/unit/x86/test_ring3.c
 * (the same bytes, from tests/unit/x86/ring3_kernel.S) runs with the log subscribed to the
 * core's own event stream. The kernel IRETs to ring 3 (a return without an entry), the user
 * code makes three int $0x80 "putc" calls (eax = 1, returns ebx + 1) and one "exit" (eax = 2)
 * that never returns. INT n retires after its delivery (SDM Vol. 3A 6.12), after its EV_PRIV:
 * each entry is still that one instruction. The kernel parts are the handler's instructions,
 * counted by hand from ring3_kernel.S. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/x86/x86.h"
#include "machine/machine.h"
#include "timing/timing.h"

#include "x86/ring3_kernel_bytes.h"

struct com1 {
    char out[64];
    size_t n;
};
static enum bus_status com1_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    (void)dev;
    (void)size;
    *value = offset == 5 ? 0x60 : 0;
    return BUS_OK;
}
static enum bus_status com1_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct com1 *c = dev;
    (void)size;
    if (offset == 0 && c->n + 1 < sizeof c->out) c->out[c->n++] = (char)value;
    return BUS_OK;
}
static const struct bus_ops com1_ops = {com1_read, com1_write};

static enum bus_status exit_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    (void)dev;
    (void)offset;
    (void)size;
    *value = 0xff;
    return BUS_OK;
}
static enum bus_status exit_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    (void)offset;
    (void)size;
    machine_request_stop(dev, STOP_EXIT, (int)value, "exit %llu", (unsigned long long)value);
    return BUS_OK;
}
static const struct bus_ops exit_ops = {exit_read, exit_write};

struct collected {
    struct tm_transition t[8];
    unsigned n;
};
static void collect(void *opaque, const struct tm_transition *t)
{
    struct collected *c = opaque;
    if (c->n < 8) c->t[c->n] = *t;
    c->n++;
}

static void x86_int80_round_trips_on_the_core(void **state)
{
    (void)state;
    struct machine m;
    char err[256];
    assert_int_equal(machine_init(&m, ARCH_I386, 0, 1u << 20, err, sizeof err), 0);
    struct boot_state boot = {.entry = 0x2000};
    assert_int_equal(x86_cpu_attach(&m, &boot, err, sizeof err), 0);
    struct com1 com1 = {{0}, 0};
    struct bus_region uart = {"com1", 0x3f8, 8, &com1_ops, &com1};
    struct bus_region exitdev = {"exit", 0xf4, 1, &exit_ops, &m};
    assert_int_equal(bus_add_ports(&m.bus, &uart, err, sizeof err), 0);
    assert_int_equal(bus_add_ports(&m.bus, &exitdev, err, sizeof err), 0);
    assert_int_equal(bus_copy_to_ram(&m.bus, 0x2000, kernel_text, sizeof kernel_text), 0);
    assert_int_equal(bus_copy_to_ram(&m.bus, 0x3000, kernel_data, sizeof kernel_data), 0);
    assert_int_equal(bus_zero_ram(&m.bus, 0x4000, 0x800), 0);
    struct tm_log log;
    struct collected got = {0};
    assert_int_equal(tm_log_attach(&log, &m), 0);
    log.on_close = collect;
    log.on_close_opaque = &got;
    m.max_insns = 10000;
    assert_int_equal(machine_run(&m), STOP_EXIT);
    tm_log_finish(&log);
    assert_int_equal(machine_exit_status(&m), 0);

    assert_int_equal(log.returns_without_entry, 1);
    assert_int_equal(log.transitions, 4);
    assert_int_equal(log.returned, 3);
    assert_int_equal(log.open_at_end, 1);
    assert_int_equal(log.errors, 0);
    assert_int_equal(got.n, 4);
    static const uint64_t arg[3] = {'h', 'i', '\n'};
    for (unsigned i = 0; i < 3; i++) {
        const struct tm_transition *t = &got.t[i];
        assert_int_equal(t->mech, EV_MECH_INT);
        assert_int_equal(t->ret_mech, EV_MECH_IRET);
        assert_int_equal(t->cause, 0x80);
        assert_int_equal(t->abi, TM_ABI_I386);
        assert_int_equal(t->nr, 1);
        assert_int_equal(t->args[0], arg[i]); /* ebx */
        assert_int_equal(t->ret, arg[i] + 1); /* eax = ebx + 1 */
        assert_int_equal(t->count[TM_ENTRY][TM_INSNS], 1);
        /* cmpl, jne, cmpl, jne, cmp, je; push, mov, mov, out, pop, lea */
        assert_int_equal(t->count[TM_KERNEL][TM_INSNS], 12);
        assert_int_equal(t->count[TM_EXIT][TM_INSNS], 1); /* iret */
    }
    const struct tm_transition *t = &got.t[3];
    assert_int_equal(t->nr, 2);
    assert_false(t->returned);
    /* cmpl, jne, cmpl, jne, cmp, je (not taken), cmp, je; mov, out (the exit port stops) */
    assert_int_equal(t->count[TM_KERNEL][TM_INSNS], 10);
    /* every instruction is in exactly one place: user, boot kernel, or a transition's part
     * (each INT retired, so the sum is the instructions retired) */
    uint64_t sum = log.user_insns + log.kernel_outside_insns;
    for (unsigned i = 0; i < 4; i++)
        for (int p = 0; p < TM_PART_COUNT; p++)
            sum += got.t[i].count[p][TM_INSNS];
    assert_int_equal(sum, m.insns);
    tm_log_destroy(&log);
    machine_destroy(&m);
}

/* The same run with the timing model: from the second call on (code, stack and the user's line
 * in the modeled caches, paging off), the entry of an int $0x80 from ring 3 is the profile's
 * same-level delivery steps plus the TSS stack switch (SDM Vol. 3A 6.12.1), and the exit is the
 * IRET steps plus the return to the outer level (SDM Vol. 2A IRET): sums of the step tables. */
static void x86_int80_cycles_are_the_profile_steps(const struct tm_profile *p)
{
    struct machine m;
    char err[256];
    assert_int_equal(machine_init(&m, ARCH_I386, 0, 1u << 20, err, sizeof err), 0);
    struct boot_state boot = {.entry = 0x2000};
    assert_int_equal(x86_cpu_attach(&m, &boot, err, sizeof err), 0);
    struct com1 com1 = {{0}, 0};
    struct bus_region uart = {"com1", 0x3f8, 8, &com1_ops, &com1};
    struct bus_region exitdev = {"exit", 0xf4, 1, &exit_ops, &m};
    assert_int_equal(bus_add_ports(&m.bus, &uart, err, sizeof err), 0);
    assert_int_equal(bus_add_ports(&m.bus, &exitdev, err, sizeof err), 0);
    assert_int_equal(bus_copy_to_ram(&m.bus, 0x2000, kernel_text, sizeof kernel_text), 0);
    assert_int_equal(bus_copy_to_ram(&m.bus, 0x3000, kernel_data, sizeof kernel_data), 0);
    assert_int_equal(bus_zero_ram(&m.bus, 0x4000, 0x800), 0);
    struct tm_model model;
    assert_int_equal(tm_model_attach(&model, p, &m), 0);
    struct tm_log log;
    struct collected got = {0};
    assert_int_equal(tm_log_attach(&log, &m), 0);
    log.clock = tm_model_clock;
    log.clock_opaque = &model;
    log.on_close = collect;
    log.on_close_opaque = &got;
    m.max_insns = 10000;
    assert_int_equal(machine_run(&m), STOP_EXIT);
    tm_log_finish(&log);
    assert_int_equal(got.n, 4);
    unsigned entry =
        tm_steps_cycles(&p->x86[TM_X86_INT_SAME]) + tm_steps_cycles(&p->x86[TM_X86_INT_STACK]);
    unsigned exit =
        tm_steps_cycles(&p->x86[TM_X86_IRET_SAME]) + tm_steps_cycles(&p->x86[TM_X86_IRET_OUTER]);
    for (unsigned i = 1; i < 3; i++) {
        assert_int_equal(got.t[i].count[TM_ENTRY][TM_CYCLES], entry);
        assert_int_equal(got.t[i].count[TM_EXIT][TM_CYCLES], exit);
        /* 12 kernel instructions with an OUT among them: more cycles than instructions */
        assert_true(got.t[i].count[TM_KERNEL][TM_CYCLES] > got.t[i].count[TM_KERNEL][TM_INSNS]);
    }
    assert_true(got.t[0].count[TM_ENTRY][TM_CYCLES] >= entry);
    /* Guest time is the model's cycles, not the instruction count. */
    assert_true(m.time != m.insns);
    tm_log_destroy(&log);
    tm_model_destroy(&model);
    machine_destroy(&m);
}

static void x86_int80_cycles_intel(void **state)
{
    (void)state;
    x86_int80_cycles_are_the_profile_steps(&tm_profile_intel);
}

static void x86_int80_cycles_amd(void **state)
{
    (void)state;
    x86_int80_cycles_are_the_profile_steps(&tm_profile_amd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(x86_int80_round_trips_on_the_core),
        cmocka_unit_test(x86_int80_cycles_intel),
        cmocka_unit_test(x86_int80_cycles_amd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
