/* SiFive test finisher (src/dev/sifive_test.c) against QEMU's hw/misc/sifive_test.c behaviour,
 * driven only through the bus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev/helpers.h"

#include <stdlib.h>
#include <string.h>

#define BASE 0x00100000ull

static int setup(void **state)
{
    struct machine *m = calloc(1, sizeof *m);
    assert_non_null(m);
    test_machine_init(m, ARCH_RISCV64);
    char err[256] = "";
    if (!dev_sifive_test_attach(m, BASE, err, sizeof err)) fail_msg("attach: %s", err);
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    machine_destroy(*state);
    free(*state);
    return 0;
}

/* QEMU: status 0x5555 (FINISHER_PASS) ends the run with exit status 0. */
static void pass_exits_with_zero(void **state)
{
    struct machine *m = *state;
    assert_int_equal(bus_write(&m->bus, BASE, 4, 0x5555), BUS_OK);
    assert_int_equal(m->stop.reason, STOP_EXIT);
    assert_int_equal(machine_exit_status(m), 0);
    assert_true(m->exit_request);
}

/* QEMU: status 0x3333 (FINISHER_FAIL) exits with the code in bits 31:16. */
static void fail_exits_with_code(void **state)
{
    struct machine *m = *state;
    assert_int_equal(bus_write(&m->bus, BASE, 4, (42u << 16) | 0x3333), BUS_OK);
    assert_int_equal(m->stop.reason, STOP_EXIT);
    assert_int_equal(m->stop.exit_status, 42);
    assert_int_equal(machine_exit_status(m), 42);
}

/* The code field is 16 bits wide: 0x1ff exits with 0x1ff, reduced to 0xff by the process. */
static void fail_code_is_sixteen_bits(void **state)
{
    struct machine *m = *state;
    assert_int_equal(bus_write(&m->bus, BASE, 4, (0x1ffu << 16) | 0x3333), BUS_OK);
    assert_int_equal(m->stop.exit_status, 0x1ff);
    assert_int_equal(machine_exit_status(m), 0xff);
}

/* QEMU: 0x7777 (FINISHER_RESET) asks for a reset; ringside cannot reset and stops as fatal. */
static void reset_is_fatal(void **state)
{
    struct machine *m = *state;
    assert_int_equal(bus_write(&m->bus, BASE, 4, 0x7777), BUS_OK);
    assert_int_equal(m->stop.reason, STOP_FATAL);
    assert_int_equal(machine_exit_status(m), EXIT_GUEST_FATAL);
    assert_non_null(strstr(m->stop.detail, "reset"));
}

/* QEMU: other status values are logged as guest errors and ignored. */
static void other_values_are_ignored(void **state)
{
    struct machine *m = *state;
    assert_int_equal(bus_write(&m->bus, BASE, 4, 0x1234), BUS_OK);
    assert_int_equal(bus_write(&m->bus, BASE, 4, 0x5555u << 16),
                     BUS_OK); /* pass code, not status */
    assert_int_equal(m->stop.reason, STOP_NONE);
    assert_false(m->exit_request);
}

/* QEMU decodes only offset 0: the same value elsewhere in the page does nothing. */
static void other_offsets_are_ignored(void **state)
{
    struct machine *m = *state;
    assert_int_equal(bus_write(&m->bus, BASE + 4, 4, 0x5555), BUS_OK);
    assert_int_equal(bus_write(&m->bus, BASE + 0xffc, 4, 0x5555), BUS_OK);
    assert_int_equal(m->stop.reason, STOP_NONE);
}

/* QEMU: valid.min_access_size = 2 (for Linux's 16-bit syscon-poweroff store). */
static void sixteen_bit_store_works(void **state)
{
    struct machine *m = *state;
    assert_int_equal(bus_write(&m->bus, BASE, 2, 0x5555), BUS_OK);
    assert_int_equal(m->stop.reason, STOP_EXIT);
    assert_int_equal(machine_exit_status(m), 0);
}

/* QEMU: valid sizes are 2..4; bytes and doublewords are refused and do nothing. */
static void byte_and_dword_are_bad_accesses(void **state)
{
    struct machine *m = *state;
    uint64_t v = 1;
    assert_int_equal(bus_write(&m->bus, BASE, 1, 0x55), BUS_BAD_ACCESS);
    assert_int_equal(bus_write(&m->bus, BASE, 8, 0x5555), BUS_BAD_ACCESS);
    assert_int_equal(bus_read(&m->bus, BASE, 1, &v), BUS_BAD_ACCESS);
    assert_int_equal(bus_read(&m->bus, BASE, 8, &v), BUS_BAD_ACCESS);
    assert_int_equal(m->stop.reason, STOP_NONE);
}

/* QEMU's sifive_test_read returns 0. */
static void reads_return_zero(void **state)
{
    struct machine *m = *state;
    uint64_t v = 0xdead;
    assert_int_equal(bus_read(&m->bus, BASE, 4, &v), BUS_OK);
    assert_int_equal(v, 0);
    v = 0xdead;
    assert_int_equal(bus_read(&m->bus, BASE + 0x10, 2, &v), BUS_OK);
    assert_int_equal(v, 0);
}

/* The region is 0x1000 bytes: a second finisher inside it is refused with a message. */
static void overlapping_attach_fails(void **state)
{
    struct machine *m = *state;
    char err[256] = "";
    assert_null(dev_sifive_test_attach(m, BASE + 0x800, err, sizeof err));
    assert_non_null(strstr(err, "overlaps"));
    assert_int_equal(bus_write(&m->bus, BASE + 0x1000, 4, 0x5555), BUS_UNMAPPED);
}

static void no_destroy(void *object)
{
    (void)object;
}

/* When the machine cannot own another device, attach fails before touching the bus, so the bus
 * never refers to a device nobody frees. */
static void attach_fails_cleanly_when_machine_is_full(void **state)
{
    struct machine *m = *state;
    static const char dummy = 0;
    while (m->n_owned < MACHINE_MAX_OWNED)
        assert_int_equal(machine_own(m, (void *)&dummy, no_destroy), 0);
    unsigned n_mmio = m->bus.n_mmio;
    char err[256] = "";
    assert_null(dev_sifive_test_attach(m, 0x200000, err, sizeof err));
    assert_true(err[0] != '\0');
    assert_int_equal(m->bus.n_mmio, n_mmio);
    assert_int_equal(bus_write(&m->bus, 0x200000, 4, 0x5555), BUS_UNMAPPED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pass_exits_with_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(fail_exits_with_code, setup, teardown),
        cmocka_unit_test_setup_teardown(fail_code_is_sixteen_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(reset_is_fatal, setup, teardown),
        cmocka_unit_test_setup_teardown(other_values_are_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(other_offsets_are_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(sixteen_bit_store_works, setup, teardown),
        cmocka_unit_test_setup_teardown(byte_and_dword_are_bad_accesses, setup, teardown),
        cmocka_unit_test_setup_teardown(reads_return_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(overlapping_attach_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(attach_fails_cleanly_when_machine_is_full, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
