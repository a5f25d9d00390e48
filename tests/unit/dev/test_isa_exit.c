/* isa-debug-exit (src/dev/isa_exit.c) against QEMU's hw/misc/debugexit.c and design.md
 * "Platforms" (ringside exits with the value written), driven only through port I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev/helpers.h"

#include <stdlib.h>
#include <string.h>

#define PORT 0xF4

static int setup(void **state)
{
    struct machine *m = calloc(1, sizeof *m);
    assert_non_null(m);
    test_machine_init(m, ARCH_I386);
    char err[256] = "";
    if (!dev_isa_exit_attach(m, PORT, err, sizeof err)) fail_msg("attach: %s", err);
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    machine_destroy(*state);
    free(*state);
    return 0;
}

/* design.md: ringside exits with the value written (QEMU would use (value << 1) | 1). */
static void byte_write_exits_with_value(void **state)
{
    struct machine *m = *state;
    assert_int_equal(bus_port_out(&m->bus, PORT, 1, 42), BUS_OK);
    assert_int_equal(m->stop.reason, STOP_EXIT);
    assert_int_equal(machine_exit_status(m), 42);
}

/* QEMU iosize=4: the device answers on all four ports, with 2-byte accesses too. */
static void word_write_on_last_ports(void **state)
{
    struct machine *m = *state;
    assert_int_equal(bus_port_out(&m->bus, PORT + 2, 2, 7), BUS_OK);
    assert_int_equal(m->stop.reason, STOP_EXIT);
    assert_int_equal(machine_exit_status(m), 7);
}

/* A 4-byte write: the process status is the value's low 8 bits; the detail keeps the raw value. */
static void dword_write_keeps_raw_value_in_detail(void **state)
{
    struct machine *m = *state;
    assert_int_equal(bus_port_out(&m->bus, PORT, 4, 0x12345603), BUS_OK);
    assert_int_equal(m->stop.reason, STOP_EXIT);
    assert_int_equal(machine_exit_status(m), 3);
    assert_non_null(strstr(m->stop.detail, "0x12345603"));
}

/* Writing zero is a clean exit with status 0 (QEMU could not express that). */
static void zero_exits_cleanly(void **state)
{
    struct machine *m = *state;
    assert_int_equal(bus_port_out(&m->bus, PORT + 1, 1, 0), BUS_OK);
    assert_int_equal(m->stop.reason, STOP_EXIT);
    assert_int_equal(machine_exit_status(m), 0);
}

/* QEMU's debug_exit_read returns 0 (an unclaimed ISA port would read all ones). */
static void reads_return_zero(void **state)
{
    struct machine *m = *state;
    uint32_t v = 0xdead;
    assert_int_equal(bus_port_in(&m->bus, PORT, 1, &v), BUS_OK);
    assert_int_equal(v, 0);
    assert_int_equal(bus_port_in(&m->bus, PORT, 4, &v), BUS_OK);
    assert_int_equal(v, 0);
    assert_int_equal(m->stop.reason, STOP_NONE);
}

/* The device is four ports wide and no wider: 0xF8 is not decoded. */
static void neighbouring_port_is_not_decoded(void **state)
{
    struct machine *m = *state;
    uint32_t v = 0;
    assert_int_equal(bus_port_in(&m->bus, PORT + 4, 1, &v), BUS_UNMAPPED);
    assert_int_equal(v, 0xff);
    assert_int_equal(bus_port_out(&m->bus, PORT + 4, 1, 1), BUS_UNMAPPED);
    assert_int_equal(bus_port_out(&m->bus, PORT - 1, 1, 1), BUS_UNMAPPED);
    assert_int_equal(m->stop.reason, STOP_NONE);
}

/* An exit port overlapping the first one is refused with a message. */
static void overlapping_attach_fails(void **state)
{
    struct machine *m = *state;
    char err[256] = "";
    assert_null(dev_isa_exit_attach(m, PORT + 3, err, sizeof err));
    assert_non_null(strstr(err, "overlaps"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(byte_write_exits_with_value, setup, teardown),
        cmocka_unit_test_setup_teardown(word_write_on_last_ports, setup, teardown),
        cmocka_unit_test_setup_teardown(dword_write_keeps_raw_value_in_detail, setup, teardown),
        cmocka_unit_test_setup_teardown(zero_exits_cleanly, setup, teardown),
        cmocka_unit_test_setup_teardown(reads_return_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(neighbouring_port_is_not_decoded, setup, teardown),
        cmocka_unit_test_setup_teardown(overlapping_attach_fails, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
