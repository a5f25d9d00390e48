/* A whole ring-3 round trip through the instruction stream (SDM Vol. 3A 6.12, Vol. 2A INT n,
 * IRET): a tiny kernel loads its GDT, IDT and TSS (LGDT, LIDT, LTR), reloads CS with a far JMP
 * and the data segments with MOV, builds a DPL-3 interrupt gate, IRETs to ring 3, and serves
 * three int $0x80 "putc" calls and an "exit" call. The handler checks the ring-3 frame (CS 0x1B,
 * SS 0x23) and prints through a COM1 stand-in; the user code checks the return values and that
 * its stack pointer came back. Source: ring3_kernel.S (assembled with clang/ld.lld). */
#include <stdlib.h>

#include "x86/helpers.h"

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

struct priv_log {
    unsigned n;
    uint8_t from[8], to[8], mech[8];
};
static void on_priv(void *opaque, const struct ev *e)
{
    struct priv_log *log = opaque;
    if (log->n < 8) {
        log->from[log->n] = e->priv.from;
        log->to[log->n] = e->priv.to;
        log->mech[log->n] = e->priv.mech;
    }
    log->n++;
}

static void test_ring3_int80_round_trips(void **state)
{
    struct xt *t = *state;
    struct com1 com1 = {{0}, 0};
    struct bus_region uart = {"com1", 0x3f8, 8, &com1_ops, &com1};
    struct bus_region exitdev = {"exit", 0xf4, 1, &exit_ops, &t->m};
    char err[128];
    assert_int_equal(bus_add_ports(&t->m.bus, &uart, err, sizeof err), 0);
    assert_int_equal(bus_add_ports(&t->m.bus, &exitdev, err, sizeof err), 0);
    assert_int_equal(bus_copy_to_ram(&t->m.bus, 0x2000, kernel_text, sizeof kernel_text), 0);
    assert_int_equal(bus_copy_to_ram(&t->m.bus, 0x3000, kernel_data, sizeof kernel_data), 0);
    assert_int_equal(bus_zero_ram(&t->m.bus, 0x4000, 0x800), 0);
    struct priv_log log = {0};
    ev_subscribe(&t->m.events, EV_MASK(EV_PRIV), on_priv, &log);
    t->cpu->rip = 0x2000;
    t->m.max_insns = 10000;
    assert_int_equal(machine_run(&t->m), STOP_EXIT);
    assert_int_equal(machine_exit_status(&t->m), 0);
    com1.out[com1.n] = 0;
    assert_string_equal(com1.out, "hi\n");
    /* IRET to ring 3, then four int $0x80 entries, three IRET returns (exit stays in ring 0) */
    assert_int_equal(log.n, 8);
    assert_int_equal(log.mech[0], EV_MECH_IRET);
    assert_int_equal(log.from[0], 0);
    assert_int_equal(log.to[0], 3);
    for (unsigned i = 1; i < 8; i++) {
        assert_int_equal(log.mech[i], i % 2 ? EV_MECH_INT : EV_MECH_IRET);
        assert_int_equal(log.to[i], i % 2 ? 0 : 3);
    }
    assert_int_equal(t->cpu->cpl, 0);
    assert_int_equal(t->cpu->tr.sel, 0x28);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ring3_int80_round_trips, xt_setup, xt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
