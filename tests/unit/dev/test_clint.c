/* SiFive CLINT (src/dev/clint.c): register semantics (FU540-C000 manual, CLINT chapter; priv. spec
 * 3.2.1 "Machine Timer Registers"; QEMU hw/intc/riscv_aclint.c access rules), the MSIP/MTIP lines,
 * and the deadline hook, both called directly and through machine_run with a fake CPU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev/helpers.h"

#include <stdlib.h>
#include <string.h>

#define BASE     0x02000000ull
#define MSIP     (BASE + 0x0)
#define MTIMECMP (BASE + 0x4000)
#define MTIME    (BASE + 0xBFF8)
#define DIV      100 /* VIRT_CLINT_DIVISOR */
#define MSIP_BIT (1ull << DEV_CLINT_MSIP_LINE)
#define MTIP_BIT (1ull << DEV_CLINT_MTIP_LINE)

struct fixture {
    struct machine m;
    struct dev_clint *clint;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    test_machine_init(&f->m, ARCH_RISCV64);
    char err[256] = "";
    f->clint = dev_clint_attach(&f->m, BASE, DIV, err, sizeof err);
    if (!f->clint) fail_msg("attach: %s", err);
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

static uint64_t rd(struct machine *m, uint64_t addr, unsigned size)
{
    uint64_t v = 0xdeadbeef;
    assert_int_equal(bus_read(&m->bus, addr, size, &v), BUS_OK);
    return v;
}

static void wr(struct machine *m, uint64_t addr, unsigned size, uint64_t v)
{
    assert_int_equal(bus_write(&m->bus, addr, size, v), BUS_OK);
}

/* The run loop's use of the hook (machine.c tick_devices), for tests that move time by hand. */
static void run_hooks(struct machine *m)
{
    struct machine_clocked *c = &m->clocked[0];
    if (c->next_deadline(c->dev) <= m->time) c->tick(c->dev, m->time);
}

/* Reset: mtimecmp is all ones, msip 0, mtime 0 at time 0, no interrupt line raised. */
static void reset_state(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    assert_int_equal(rd(m, MTIMECMP, 8), UINT64_MAX);
    assert_int_equal(rd(m, MSIP, 4), 0);
    assert_int_equal(rd(m, MTIME, 8), 0);
    assert_int_equal(m->irq_lines, 0);
    assert_int_equal(m->clocked[0].next_deadline(m->clocked[0].dev), UINT64_MAX);
}

/* mtime = machine time / divisor, through the bus, dev_clint_mtime and the time-CSR hook. */
static void mtime_follows_guest_time(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    m->time = 123456;
    assert_int_equal(rd(m, MTIME, 8), 1234);
    assert_int_equal(dev_clint_mtime(f->clint), 1234);
    assert_non_null(m->read_timer);
    assert_int_equal(m->read_timer(m->timer_dev), 1234);
    m->time = (5ull << 32) * DIV + 7 * DIV;
    assert_int_equal(rd(m, MTIME, 4), 7);
    assert_int_equal(rd(m, MTIME + 4, 4), 5);
}

/* FU540 manual, MSIP registers: bit 0 drives MSIP, the other bits are hardwired to zero. */
static void msip_drives_line_and_only_bit0_is_writable(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    wr(m, MSIP, 4, 0xffffffff);
    assert_int_equal(rd(m, MSIP, 4), 1);
    assert_int_equal(m->irq_lines, MSIP_BIT);
    assert_true(m->exit_request);
    wr(m, MSIP, 4, 0xfffffffe);
    assert_int_equal(rd(m, MSIP, 4), 0);
    assert_int_equal(m->irq_lines, 0);
}

/* QEMU ACLINT: MSWI registers are 4 bytes (min = max = 4); timer registers 4 or 8; no 1/2-byte
 * or misaligned accesses. */
static void access_widths(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    uint64_t v;
    assert_int_equal(bus_write(&m->bus, MSIP, 8, 1), BUS_BAD_ACCESS);
    assert_int_equal(bus_write(&m->bus, MSIP, 1, 1), BUS_BAD_ACCESS);
    assert_int_equal(bus_read(&m->bus, MSIP, 2, &v), BUS_BAD_ACCESS);
    assert_int_equal(bus_read(&m->bus, MTIMECMP, 1, &v), BUS_BAD_ACCESS);
    assert_int_equal(bus_read(&m->bus, MTIME + 2, 4, &v), BUS_BAD_ACCESS);
    assert_int_equal(bus_write(&m->bus, MTIMECMP + 4, 8, 0), BUS_BAD_ACCESS);
    assert_int_equal(m->irq_lines, 0);
    assert_int_equal(rd(m, MTIMECMP, 8), UINT64_MAX);
}

/* Holes (other harts' msip and mtimecmp, gaps) read 0 and ignore writes, as in QEMU. */
static void holes_read_zero_and_ignore_writes(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    wr(m, BASE + 4, 4, 1);      /* hart 1's msip */
    wr(m, BASE + 0x4008, 8, 0); /* hart 1's mtimecmp */
    wr(m, BASE + 0x8000, 4, 5);
    assert_int_equal(rd(m, BASE + 4, 4), 0);
    assert_int_equal(rd(m, BASE + 0x4008, 8), 0);
    assert_int_equal(rd(m, BASE + 0xfff8, 8), 0);
    assert_int_equal(m->irq_lines, 0);
    assert_int_equal(rd(m, MTIMECMP, 8), UINT64_MAX);
}

/* mtimecmp is readable and writable whole and as two 32-bit halves. */
static void mtimecmp_halves(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    wr(m, MTIMECMP, 8, 0x1122334455667788ull);
    assert_int_equal(rd(m, MTIMECMP, 4), 0x55667788);
    assert_int_equal(rd(m, MTIMECMP + 4, 4), 0x11223344);
    wr(m, MTIMECMP + 4, 4, 0xaabbccdd);
    assert_int_equal(rd(m, MTIMECMP, 8), 0xaabbccdd55667788ull);
    wr(m, MTIMECMP, 4, 0x01020304);
    assert_int_equal(rd(m, MTIMECMP, 8), 0xaabbccdd01020304ull);
}

/* Priv. spec 3.2.1: MTIP is pending whenever mtime >= mtimecmp; a write re-evaluates it at once
 * and asks the core to return so the run loop recomputes the deadline. */
static void mtimecmp_write_reevaluates_mtip(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    m->time = 10 * DIV + 3; /* mtime 10 */
    m->exit_request = 0;
    wr(m, MTIMECMP, 8, 11);
    assert_int_equal(m->irq_lines & MTIP_BIT, 0);
    assert_true(m->exit_request);
    wr(m, MTIMECMP, 8, 10); /* equal counts as reached */
    assert_int_equal(m->irq_lines & MTIP_BIT, MTIP_BIT);
    m->exit_request = 0;
    wr(m, MTIMECMP, 8, UINT64_MAX); /* the usual way to clear MTIP */
    assert_int_equal(m->irq_lines & MTIP_BIT, 0);
    assert_true(m->exit_request);
}

/* Priv. spec 3.2.1: mtime is writable; it then keeps counting from the value written. */
static void mtime_write_keeps_counting(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    m->time = 5 * DIV + 50;
    m->exit_request = 0;
    wr(m, MTIME, 8, 1000);
    assert_true(m->exit_request);
    assert_int_equal(rd(m, MTIME, 8), 1000);
    m->time = 8 * DIV; /* three mtime ticks later */
    assert_int_equal(rd(m, MTIME, 8), 1003);
    assert_int_equal(m->read_timer(m->timer_dev), 1003);
    wr(m, MTIME + 4, 4, 2); /* upper half only */
    assert_int_equal(rd(m, MTIME, 8), (2ull << 32) | 1003);
    wr(m, MTIME, 4, 7); /* lower half only */
    assert_int_equal(rd(m, MTIME, 8), (2ull << 32) | 7);
    m->time = 9 * DIV;
    assert_int_equal(rd(m, MTIME, 8), (2ull << 32) | 8);
}

/* Moving mtime past mtimecmp raises MTIP; moving it back lowers it. */
static void mtime_write_reevaluates_mtip(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    wr(m, MTIMECMP, 8, 500);
    wr(m, MTIME, 8, 500);
    assert_int_equal(m->irq_lines & MTIP_BIT, MTIP_BIT);
    wr(m, MTIME, 8, 499);
    assert_int_equal(m->irq_lines & MTIP_BIT, 0);
}

/* The hook: the deadline is the first machine tick at which mtime == mtimecmp; MTIP rises in
 * tick() there and not one tick earlier; once raised, there is no further deadline. */
static void deadline_is_exact(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    struct machine_clocked *c = &m->clocked[0];
    m->time = 150; /* mtime 1 */
    wr(m, MTIMECMP, 8, 50);
    assert_int_equal(c->next_deadline(c->dev), 50 * DIV);
    m->time = 50 * DIV - 1;
    run_hooks(m);
    assert_int_equal(m->irq_lines & MTIP_BIT, 0);
    assert_int_equal(c->next_deadline(c->dev), 50 * DIV);
    m->time = 50 * DIV;
    run_hooks(m);
    assert_int_equal(m->irq_lines & MTIP_BIT, MTIP_BIT);
    assert_int_equal(c->next_deadline(c->dev), UINT64_MAX);
}

/* With mtime moved by a write (offset), the deadline still lands where mtime reaches mtimecmp. */
static void deadline_with_mtime_offset(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    struct machine_clocked *c = &m->clocked[0];
    m->time = 1000 * DIV + 42;
    wr(m, MTIME, 8, 5); /* mtime 5 at machine period 1000 */
    wr(m, MTIMECMP, 8, 8);
    assert_int_equal(c->next_deadline(c->dev), 1003 * DIV);
    m->time = 1003 * DIV;
    assert_int_equal(rd(m, MTIME, 8), 8);
}

/* A core that overshoots the deadline (a long instruction) still gets MTIP at its next check. */
static void overshoot_still_raises(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    wr(m, MTIMECMP, 8, 3);
    m->time = 77 * DIV + 5;
    run_hooks(m);
    assert_int_equal(m->irq_lines & MTIP_BIT, MTIP_BIT);
}

/* A mtimecmp beyond what the 64-bit guest clock can reach has no deadline. */
static void unreachable_deadline(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    struct machine_clocked *c = &m->clocked[0];
    wr(m, MTIMECMP, 8, UINT64_MAX / DIV + 1);
    assert_int_equal(c->next_deadline(c->dev), UINT64_MAX);
    wr(m, MTIMECMP, 8, UINT64_MAX - 1);
    assert_int_equal(c->next_deadline(c->dev), UINT64_MAX);
    assert_int_equal(m->irq_lines & MTIP_BIT, 0);
}

/* A fake core: runs to limit_time one instruction per tick, and stops the machine when it sees
 * MTIP, recording when. Optionally programs mtimecmp through the bus on its first slice. */
struct fake_cpu {
    struct machine *m;
    uint64_t program_cmp; /* 0: none */
    uint64_t mtip_seen_at;
    unsigned slices;
};

static void fake_run(void *opaque)
{
    struct fake_cpu *cpu = opaque;
    struct machine *m = cpu->m;
    cpu->slices++;
    if (m->irq_lines & MTIP_BIT) {
        cpu->mtip_seen_at = m->time;
        machine_request_stop(m, STOP_EXIT, 0, "fake core saw MTIP");
        return;
    }
    if (cpu->program_cmp) {
        uint64_t cmp = cpu->program_cmp;
        cpu->program_cmp = 0;
        m->time += 10; /* ten instructions, then the store to mtimecmp */
        m->insns += 10;
        assert_int_equal(bus_write(&m->bus, MTIMECMP, 8, cmp), BUS_OK);
        if (m->exit_request) /* machine.h: the core returns when exit_request is set */
            return;
    }
    assert_true(m->limit_time != UINT64_MAX);
    m->insns += m->limit_time - m->time;
    m->time = m->limit_time;
}

static void fake_dump(void *cpu, FILE *out)
{
    (void)cpu;
    (void)out;
}

static void fake_destroy(void *cpu)
{
    (void)cpu;
}

static const struct cpu_ops fake_ops = {
    .name = "fake", .run = fake_run, .dump = fake_dump, .destroy = fake_destroy};

/* Through machine_run: with mtimecmp programmed before the run, the loop stops the core exactly
 * when mtime reaches mtimecmp, and MTIP is up at that guest time. */
static void run_loop_raises_mtip_on_time(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    struct fake_cpu cpu = {.m = m};
    m->cpu = &cpu;
    m->cpu_ops = &fake_ops;
    m->max_cycles = 1000000; /* safety net */
    wr(m, MTIMECMP, 8, 1234);
    assert_int_equal(machine_run(m), STOP_EXIT);
    assert_int_equal(cpu.mtip_seen_at, 1234 * DIV);
    assert_int_equal(m->time, 1234 * DIV);
    assert_int_equal(dev_clint_mtime(f->clint), 1234);
    m->cpu = NULL; /* the fixture owns the fake core */
}

/* Through machine_run: a store to mtimecmp by the running core makes it return, the loop takes the
 * new deadline, and MTIP rises exactly there. */
static void run_loop_takes_new_deadline_after_store(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    struct fake_cpu cpu = {.m = m, .program_cmp = 20};
    m->cpu = &cpu;
    m->cpu_ops = &fake_ops;
    m->max_cycles = 1000000;
    assert_int_equal(machine_run(m), STOP_EXIT);
    assert_int_equal(cpu.mtip_seen_at, 20 * DIV);
    assert_int_equal(m->insns, 20 * DIV);
    assert_true(cpu.slices >= 3); /* store slice, run to the deadline, see MTIP */
    m->cpu = NULL;
}

static void divisor_zero_is_refused(void **state)
{
    (void)state;
    struct machine m;
    test_machine_init(&m, ARCH_RISCV64);
    char err[256] = "";
    assert_null(dev_clint_attach(&m, BASE, 0, err, sizeof err));
    assert_non_null(strstr(err, "divisor"));
    assert_int_equal(m.n_owned, 0);
    assert_int_equal(m.n_clocked, 0);
    machine_destroy(&m);
}

/* A second CLINT over the first is refused, leaving the first in place and nothing registered. */
static void overlapping_attach_fails(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    char err[256] = "";
    assert_null(dev_clint_attach(m, BASE + 0x8000, DIV, err, sizeof err));
    assert_non_null(strstr(err, "overlaps"));
    assert_int_equal(m->n_clocked, 1);
    assert_int_equal(m->n_owned, 1);
    assert_ptr_equal(m->timer_dev, f->clint);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reset_state, setup, teardown),
        cmocka_unit_test_setup_teardown(mtime_follows_guest_time, setup, teardown),
        cmocka_unit_test_setup_teardown(msip_drives_line_and_only_bit0_is_writable, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(access_widths, setup, teardown),
        cmocka_unit_test_setup_teardown(holes_read_zero_and_ignore_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(mtimecmp_halves, setup, teardown),
        cmocka_unit_test_setup_teardown(mtimecmp_write_reevaluates_mtip, setup, teardown),
        cmocka_unit_test_setup_teardown(mtime_write_keeps_counting, setup, teardown),
        cmocka_unit_test_setup_teardown(mtime_write_reevaluates_mtip, setup, teardown),
        cmocka_unit_test_setup_teardown(deadline_is_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(deadline_with_mtime_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(overshoot_still_raises, setup, teardown),
        cmocka_unit_test_setup_teardown(unreachable_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(run_loop_raises_mtip_on_time, setup, teardown),
        cmocka_unit_test_setup_teardown(run_loop_takes_new_deadline_after_store, setup, teardown),
        cmocka_unit_test(divisor_zero_is_refused),
        cmocka_unit_test_setup_teardown(overlapping_attach_fails, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
