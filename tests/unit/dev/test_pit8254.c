/* The 8254 (src/dev/pit8254.c) through its ports, port 0x61 and the machine's clocked hook,
 * against the Intel 8254 data sheet (231164): "Control Word Format", "Mode 0" to "Mode 3",
 * "Gate Pin Operations Summary", "Counter Latch Command", "Read-Back Command", "Status Byte";
 * port 0x61 as the PC/AT has it (bit 0 GATE 2, bit 5 OUT 2, bit 4 the refresh toggle). Clock k
 * of a count falls floor(k * 10^9 / 1193182) machine ticks after it is loaded. */
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

/* Machine ticks from a count's load to its clock k. */
static uint64_t clk(uint64_t k)
{
    return k * 1000000000ull / DEV_PIT_HZ;
}

#define OUT2(m) ((in(m, 0x61) >> 5) & 1)

/* Reads counter n's count through the counter latch command (RW = 3: LSB, MSB). */
static unsigned read_count(struct machine *m, unsigned n)
{
    out(m, 0x43, (uint8_t)(n << 6));
    unsigned lo = in(m, (uint16_t)(0x40 + n));
    return in(m, (uint16_t)(0x40 + n)) << 8 | lo;
}

static void load_count(struct machine *m, unsigned n, unsigned control, unsigned count)
{
    out(m, 0x43, (uint8_t)control);
    out(m, (uint16_t)(0x40 + n), (uint8_t)count);
    out(m, (uint16_t)(0x40 + n), (uint8_t)(count >> 8));
}

/* Mode 0 on counter 2: OUT is low from the control word; GATE 2 (port 0x61 bit 0) low holds the
 * count, high lets it count; OUT (port 0x61 bit 5) goes high at the terminal count. GATE low in
 * the middle pauses the count, which resumes where it stopped. */
static void counter2_mode0_gate(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    assert_int_equal(in(m, 0x61) & 1, 0); /* GATE 2 low */
    load_count(m, 2, 0xb0, 1000);         /* counter 2, LSB then MSB, mode 0 */
    assert_int_equal(OUT2(m), 0);
    m->time = 5000000;
    assert_int_equal(read_count(m, 2), 1000); /* not counting */
    out(m, 0x61, 0x01);
    uint64_t t0 = m->time;
    m->time = t0 + clk(999);
    assert_int_equal(read_count(m, 2), 1);
    assert_int_equal(OUT2(m), 0);
    m->time = t0 + clk(1000);
    assert_int_equal(OUT2(m), 1);
    assert_int_equal(in(m, 0x61) & 0x21, 0x21);
    m->time = t0 + clk(1010); /* it counts on past 0: FFFFH, ... */
    assert_int_equal(read_count(m, 2), 0x10000 - 10);
    assert_int_equal(OUT2(m), 1);
    /* pause: 400 clocks, GATE low for a while, then the other 600 */
    m->time = 10000000;
    load_count(m, 2, 0xb0, 1000);
    t0 = m->time;
    m->time = t0 + clk(400);
    out(m, 0x61, 0x00);
    m->time += 3000000;
    assert_int_equal(read_count(m, 2), 600);
    assert_int_equal(OUT2(m), 0);
    out(m, 0x61, 0x01);
    uint64_t t1 = m->time;
    m->time = t1 + clk(599);
    assert_int_equal(OUT2(m), 0);
    m->time = t1 + clk(600);
    assert_int_equal(OUT2(m), 1);
}

/* Mode 3 on counter 2: OUT high for (N + 1) / 2 clocks, low for N / 2; GATE low sets OUT high at
 * once and stops the count; GATE's rising edge reloads it (a new period starts). */
static void counter2_mode3_square_wave(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    out(m, 0x61, 0x01);
    load_count(m, 2, 0xb6, 5); /* counter 2, LSB then MSB, mode 3 */
    uint64_t t0 = m->time;
    static const int expect[] = {1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1};
    for (unsigned k = 0; k < sizeof expect / sizeof expect[0]; k++) {
        m->time = t0 + clk(k);
        assert_int_equal(OUT2(m), expect[k]);
    }
    m->time = t0 + clk(13); /* low */
    assert_int_equal(OUT2(m), 0);
    out(m, 0x61, 0x00);
    assert_int_equal(OUT2(m), 1);
    m->time += 1000000;
    out(m, 0x61, 0x01); /* reload: high for 3 clocks from here */
    t0 = m->time;
    m->time = t0 + clk(2);
    assert_int_equal(OUT2(m), 1);
    m->time = t0 + clk(3);
    assert_int_equal(OUT2(m), 0);
}

/* Mode 1 on counter 2 (hardware retriggerable one-shot): OUT stays high until GATE's rising
 * edge, then is low for N clocks; a new rising edge retriggers. */
static void counter2_mode1_one_shot(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    load_count(m, 2, 0xb2, 10);
    m->time = 100000;
    assert_int_equal(OUT2(m), 1);
    assert_int_equal(read_count(m, 2), 10);
    out(m, 0x61, 0x01);
    uint64_t t0 = m->time;
    m->time = t0 + clk(6);
    assert_int_equal(OUT2(m), 0);
    assert_int_equal(read_count(m, 2), 4);
    out(m, 0x61, 0x00);
    out(m, 0x61, 0x01); /* retrigger: N clocks from now */
    t0 = m->time;
    m->time = t0 + clk(9);
    assert_int_equal(OUT2(m), 0);
    m->time = t0 + clk(10);
    assert_int_equal(OUT2(m), 1);
}

/* Counter 1 in mode 2 (the PC's refresh timer, count 18): it counts with GATE tied high, and
 * port 0x61 bit 4 toggles with each of its periods. Bits 0-3 of port 0x61 read back, 6-7 are 0. */
static void counter1_refresh_toggle(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    load_count(m, 1, 0x74, 18); /* counter 1, LSB then MSB, mode 2 */
    uint64_t t0 = m->time;
    m->time = t0 + clk(5);
    assert_int_equal(read_count(m, 1), 13);
    assert_int_equal(in(m, 0x61) & 0x10, 0);
    m->time = t0 + clk(18);
    assert_int_equal(in(m, 0x61) & 0x10, 0x10);
    m->time = t0 + clk(35);
    assert_int_equal(in(m, 0x61) & 0x10, 0x10);
    m->time = t0 + clk(36);
    assert_int_equal(in(m, 0x61) & 0x10, 0);
    out(m, 0x61, 0xff);
    assert_int_equal(in(m, 0x61) & 0xcf, 0x0f);
    assert_int_equal(f->edges, 0); /* only counter 0 drives IRQ 0 */
}

/* Mode 0 on counter 0: one rising edge on IRQ 0 at the terminal count, none after. */
static void counter0_mode0_once(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    m->time = 500;
    load_count(m, 0, 0x30, 100); /* counter 0, LSB then MSB, mode 0 */
    assert_int_equal(deadline(m), 500 + clk(100));
    advance(m, deadline(m));
    assert_int_equal(f->edges, 1);
    assert_int_equal(deadline(m), UINT64_MAX);
    m->time = 500 + clk(150);
    assert_int_equal(read_count(m, 0), 0x10000 - 50);
}

/* Read-back (control word 11xxxxxxB): the status byte (OUT, NULL COUNT, RW, mode, BCD) comes out
 * before the latched count; NULL COUNT is set between a control word and its count. */
static void read_back(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    load_count(m, 0, 0x34, 0x1234); /* mode 2, OUT high */
    out(m, 0x43, 0xc2);             /* latch count and status of counter 0 */
    assert_int_equal(in(m, 0x40), 0xb4);
    assert_int_equal(in(m, 0x40), 0x34);
    assert_int_equal(in(m, 0x40), 0x12);
    out(m, 0x43, 0xb0); /* counter 2, mode 0, no count yet: OUT low, NULL COUNT */
    out(m, 0x43, 0xe8); /* latch the status of counter 2 only */
    assert_int_equal(in(m, 0x42), 0x70);
}

/* "Control Word Format" (BCD = 1: four-decade BCD counter) and "Mode 0": counter 0 loaded with
 * 0100H in BCD counts 100 clocks to its terminal count, not 256; the count reads back as BCD
 * digits (latched, LSB then MSB) and wraps from 0000 to 9999, not to FFFFH. */
static void bcd_mode0_countdown(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    m->time = 700;
    load_count(m, 0, 0x31, 0x0100); /* counter 0, LSB then MSB, mode 0, BCD */
    assert_int_equal(deadline(m), 700 + clk(100));
    m->time = 700 + clk(1);
    assert_int_equal(read_count(m, 0), 0x0099);
    m->time = 700 + clk(37);
    assert_int_equal(read_count(m, 0), 0x0063);
    m->time = 700 + clk(99);
    assert_int_equal(read_count(m, 0), 0x0001);
    advance(m, 700 + clk(100) - 1);
    assert_int_equal(f->edges, 0);
    advance(m, 700 + clk(100));
    assert_int_equal(f->edges, 1);
    assert_int_equal(read_count(m, 0), 0x0000);
    m->time = 700 + clk(101);
    assert_int_equal(read_count(m, 0), 0x9999);
    m->time = 700 + clk(100 + 1234);
    assert_int_equal(read_count(m, 0), 0x8766);
}

/* "Control Word Format" and the maximum initial count: 0 is 10^4 in BCD (2^16 in binary). Mode 2
 * with count 0 in BCD: one IRQ 0 edge every 10000 clocks; the unlatched count (LSB, MSB) reads
 * 9999 one clock in and 0000 (10000) at the reload. */
static void bcd_zero_is_10000(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    load_count(m, 0, 0x35, 0x0000); /* counter 0, LSB then MSB, mode 2, BCD */
    uint64_t t0 = m->time;
    assert_int_equal(deadline(m), t0 + clk(10000));
    m->time = t0 + clk(1);
    unsigned lo = in(m, 0x40), hi = in(m, 0x40);
    assert_int_equal(hi << 8 | lo, 0x9999);
    advance(m, t0 + clk(10000));
    assert_int_equal(f->edges, 1);
    assert_int_equal(deadline(m), t0 + clk(20000));
    m->time = t0 + clk(10000 + 4321);
    assert_int_equal(read_count(m, 0), 0x5679);
    /* binary, for contrast: 0 is 65536 */
    m->time = 0;
    load_count(m, 0, 0x34, 0x0000);
    assert_int_equal(deadline(m), clk(65536));
}

/* "Control Word Format" with RW = 01 (LSB only) and 10 (MSB only) in BCD, "Mode 2" and "Read
 * Operations": counter 1 loaded through its MSB alone with 12H holds 1200 (BCD) and reads its
 * MSB as BCD digits, unlatched and through the counter latch command; counter 2 loaded through
 * its LSB alone with 50H counts 50. */
static void bcd_lsb_msb_only(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    out(m, 0x43, 0x65); /* counter 1, MSB only, mode 2, BCD */
    out(m, 0x41, 0x12);
    uint64_t t0 = m->time;
    m->time = t0 + clk(345); /* 1200 - 345 = 855 */
    assert_int_equal(in(m, 0x41), 0x08);
    m->time = t0 + clk(1200 + 1); /* reloaded: 1199 */
    out(m, 0x43, 0x40);           /* latch counter 1 */
    m->time = t0 + clk(1200 + 500);
    assert_int_equal(in(m, 0x41), 0x11);
    /* period 1200: port 0x61 bit 4 toggles at 1200 clocks, not at 0x1200 = 4608 */
    m->time = t0 + clk(1199);
    assert_int_equal(in(m, 0x61) & 0x10, 0);
    m->time = t0 + clk(1200);
    assert_int_equal(in(m, 0x61) & 0x10, 0x10);

    out(m, 0x61, 0x01); /* GATE 2 high */
    out(m, 0x43, 0x95); /* counter 2, LSB only, mode 2, BCD */
    out(m, 0x42, 0x50);
    t0 = m->time;
    m->time = t0 + clk(12);
    assert_int_equal(in(m, 0x42), 0x38);
    m->time = t0 + clk(48);
    assert_int_equal(in(m, 0x42), 0x02);
    assert_int_equal(OUT2(m), 1);
    m->time = t0 + clk(49); /* count 1: OUT low for one clock */
    assert_int_equal(OUT2(m), 0);
    m->time = t0 + clk(50);
    assert_int_equal(OUT2(m), 1);
    assert_int_equal(in(m, 0x42), 0x50);
}

/* "Mode 3" in BCD: count 0010H is 10 clocks, so OUT is high for 5 and low for 5 (binary 10H
 * would be 8 and 8); counter 0's IRQ 0 edges come every 10 clocks. */
static void bcd_mode3_square_wave(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    out(m, 0x61, 0x01);
    load_count(m, 2, 0xb7, 0x0010); /* counter 2, LSB then MSB, mode 3, BCD */
    uint64_t t0 = m->time;
    static const int expect[] = {1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0};
    for (unsigned k = 0; k < sizeof expect / sizeof expect[0]; k++) {
        m->time = t0 + clk(k);
        assert_int_equal(OUT2(m), expect[k]);
    }
    m->time = 0;
    load_count(m, 0, 0x37, 0x0010); /* counter 0, mode 3, BCD */
    assert_int_equal(deadline(m), clk(10));
    advance(m, clk(10));
    assert_int_equal(deadline(m), clk(20));
}

/* "Read-Back Command" and "Status Byte": bit 0 reports BCD; the latched count that follows the
 * status is in BCD digits. */
static void read_back_bcd(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    load_count(m, 0, 0x35, 0x1234); /* counter 0, LSB then MSB, mode 2, BCD */
    uint64_t t0 = m->time;
    m->time = t0 + clk(234);
    out(m, 0x43, 0xc2); /* latch count and status of counter 0 */
    assert_int_equal(in(m, 0x40), 0xb5);
    assert_int_equal(in(m, 0x40), 0x00);
    assert_int_equal(in(m, 0x40), 0x10);
    out(m, 0x43, 0xb1); /* counter 2, mode 0, BCD, no count yet: OUT low, NULL COUNT */
    out(m, 0x43, 0xe8); /* latch the status of counter 2 only */
    assert_int_equal(in(m, 0x42), 0x71);
    out(m, 0x43, 0xb0); /* the same, binary */
    out(m, 0x43, 0xe8);
    assert_int_equal(in(m, 0x42), 0x70);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(idle_until_count, setup, teardown),
        cmocka_unit_test_setup_teardown(mode2_period, setup, teardown),
        cmocka_unit_test_setup_teardown(mode3_and_latch, setup, teardown),
        cmocka_unit_test_setup_teardown(counter2_mode0_gate, setup, teardown),
        cmocka_unit_test_setup_teardown(counter2_mode3_square_wave, setup, teardown),
        cmocka_unit_test_setup_teardown(counter2_mode1_one_shot, setup, teardown),
        cmocka_unit_test_setup_teardown(counter1_refresh_toggle, setup, teardown),
        cmocka_unit_test_setup_teardown(counter0_mode0_once, setup, teardown),
        cmocka_unit_test_setup_teardown(read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(bcd_mode0_countdown, setup, teardown),
        cmocka_unit_test_setup_teardown(bcd_zero_is_10000, setup, teardown),
        cmocka_unit_test_setup_teardown(bcd_lsb_msb_only, setup, teardown),
        cmocka_unit_test_setup_teardown(bcd_mode3_square_wave, setup, teardown),
        cmocka_unit_test_setup_teardown(read_back_bcd, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
