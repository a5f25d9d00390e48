/* The 8254's counter 0 (src/dev/pit8254.c) through its ports and the machine's clocked hook,
 * against the Intel 8254 data sheet (231164): "Control Word Format", "Mode 2 - Rate Generator",
 * "Mode 3 - Square Wave Mode", "Counter Latch Command". One PIT clock is 10^9 / 1193182 machine
 * ticks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev/helpers.h"

#include <stdlib.h>

struct fixture {
    struct machine m;
    int edges; /* rising edges seen on IRQ 0 */
};

static void out(struct machine *m, uint16_t port, uint8_t v)
{
    assert_int_equal(bus_port_out(&m->bus, port, 1, v), BUS_OK);
}
static uint8_t in(struct machine *m, uint16_t port)
{
    uint32_t v;
    assert_int_equal(bus_port_in(&m->bus, port, 1, &v), BUS_OK);
    return (uint8_t)v;
}

static void count_edges(void *dev, uint64_t lines)
{
    struct fixture *f = dev;
    static uint64_t before;
    if ((lines & 1) && !(before & 1)) f->edges++;
    before = lines;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    test_machine_init(&f->m, ARCH_I386);
    char err[256] = "";
    if (!dev_pit_attach(&f->m, 0, err, sizeof err)) fail_msg("attach: %s", err);
    f->m.int_lines_changed = count_edges; /* stands in for the 8259A */
    f->m.int_dev = f;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    machine_destroy(&f->m);
    free(f);
    return 0;
}

static uint64_t deadline(struct machine *m)
{
    return m->clocked[0].next_deadline(m->clocked[0].dev);
}
static void advance(struct machine *m, uint64_t to)
{
    m->time = to;
    if (deadline(m) <= to) m->clocked[0].tick(m->clocked[0].dev, to);
}

/* Not counting until a count is written. */
static void idle_until_count(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(deadline(&f->m), UINT64_MAX);
    out(&f->m, 0x43, 0x34); /* counter 0, LSB then MSB, mode 2 */
    assert_int_equal(deadline(&f->m), UINT64_MAX);
    out(&f->m, 0x40, 0x9c);
    assert_int_equal(deadline(&f->m), UINT64_MAX); /* the MSB is still to come */
    out(&f->m, 0x40, 0x2e);
    assert_int_not_equal(deadline(&f->m), UINT64_MAX);
}

/* Mode 2 with count 11932 (Linux's HZ=100 LATCH): one edge each 11932 PIT clocks, i.e. every
 * 11932 * 10^9 / 1193182 = 10000150 machine ticks (rounded down), periodically. */
static void mode2_period(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    m->time = 1000;
    out(m, 0x43, 0x34);
    out(m, 0x40, 11932 & 0xff);
    out(m, 0x40, 11932 >> 8);
    assert_int_equal(deadline(m), 1000 + 10000150ull); /* 11932e9 / 1193182, rounded down */
    advance(m, deadline(m) - 1);
    assert_int_equal(f->edges, 0);
    advance(m, deadline(m));
    assert_int_equal(f->edges, 1);
    assert_int_equal(deadline(m), 1000 + 20000301ull);
    advance(m, deadline(m));
    assert_int_equal(f->edges, 2);
    assert_int_equal(m->irq_lines & 1, 0); /* pulsed */
}

/* Mode 3 (square wave) rates the same; the latch command freezes the count for a LSB/MSB read. */
static void mode3_and_latch(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    out(m, 0x43, 0x36); /* counter 0, LSB then MSB, mode 3 */
    out(m, 0x40, 0x00);
    out(m, 0x40, 0x10); /* 4096 */
    m->time = 1000000;  /* 1193.18 PIT clocks: 1193 elapsed */
    out(m, 0x43, 0x00); /* latch counter 0 */
    m->time = 2000000;
    unsigned lo = in(m, 0x40), hi = in(m, 0x40);
    assert_int_equal(hi << 8 | lo, 4096 - 1193);
    advance(m, deadline(m));
    assert_int_equal(f->edges, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(idle_until_count, setup, teardown),
        cmocka_unit_test_setup_teardown(mode2_period, setup, teardown),
        cmocka_unit_test_setup_teardown(mode3_and_latch, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
