/* The physical bus: routing to RAM, MMIO devices and I/O ports; unmapped accesses are reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "machine/bus.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1ull << 20)

struct fake_dev {
    uint64_t last_offset, last_value;
    unsigned last_size, reads, writes;
    uint64_t read_value;
};

static enum bus_status fake_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    struct fake_dev *d = dev;
    d->reads++;
    d->last_offset = offset;
    d->last_size = size;
    *value = d->read_value;
    return size == 8 ? BUS_BAD_ACCESS : BUS_OK; /* this device refuses 8-byte accesses */
}

static enum bus_status fake_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct fake_dev *d = dev;
    d->writes++;
    d->last_offset = offset;
    d->last_size = size;
    d->last_value = value;
    return BUS_OK;
}

static const struct bus_ops fake_ops = {fake_read, fake_write};

static int setup(void **state)
{
    static struct bus bus;
    char err[128];
    if (bus_init(&bus, RAM_BASE, RAM_SIZE, err, sizeof err) < 0) return -1;
    *state = &bus;
    return 0;
}

static int teardown(void **state)
{
    bus_destroy(*state);
    return 0;
}

static void ram_reads_back_little_endian(void **state)
{
    struct bus *bus = *state;
    uint64_t v;
    assert_int_equal(bus_write(bus, RAM_BASE + 0x100, 8, 0x1122334455667788ull), BUS_OK);
    assert_int_equal(bus_read(bus, RAM_BASE + 0x100, 1, &v), BUS_OK);
    assert_int_equal(v, 0x88);
    assert_int_equal(bus_read(bus, RAM_BASE + 0x102, 2, &v), BUS_OK);
    assert_int_equal(v, 0x5566);
    assert_int_equal(bus_read(bus, RAM_BASE + 0x104, 4, &v), BUS_OK);
    assert_int_equal(v, 0x11223344);
    /* A misaligned access inside RAM is performed (the cores decide about alignment). */
    assert_int_equal(bus_read(bus, RAM_BASE + 0x101, 8, &v), BUS_OK);
    assert_int_equal(v & 0xffffffffffffff, 0x11223344556677);
}

static void ram_edges_are_unmapped_outside(void **state)
{
    struct bus *bus = *state;
    uint64_t v = 123;
    assert_int_equal(bus_read(bus, RAM_BASE + RAM_SIZE - 8, 8, &v), BUS_OK);
    /* Straddling the end of RAM, just past it, just below it: bus errors. */
    assert_int_equal(bus_read(bus, RAM_BASE + RAM_SIZE - 4, 8, &v), BUS_UNMAPPED);
    assert_int_equal(bus_read(bus, RAM_BASE + RAM_SIZE, 1, &v), BUS_UNMAPPED);
    assert_int_equal(bus_read(bus, RAM_BASE - 1, 1, &v), BUS_UNMAPPED);
    assert_int_equal(bus_read(bus, RAM_BASE - 4, 8, &v), BUS_UNMAPPED);
    assert_int_equal(bus_write(bus, UINT64_MAX - 3, 8, 0), BUS_UNMAPPED);
    assert_int_equal(bus_read(bus, RAM_BASE, 3, &v), BUS_BAD_ACCESS);
    assert_null(bus_ram_ptr(bus, RAM_BASE + RAM_SIZE - 1, 2));
    assert_non_null(bus_ram_ptr(bus, RAM_BASE + RAM_SIZE - 1, 1));
}

static void mmio_routes_with_offsets_and_masks_writes(void **state)
{
    struct bus *bus = *state;
    struct fake_dev dev = {.read_value = 0xabcd};
    char err[128];
    struct bus_region r = {"fake", 0x10000000, 0x100, &fake_ops, &dev};
    assert_int_equal(bus_add_mmio(bus, &r, err, sizeof err), 0);
    uint64_t v;
    assert_int_equal(bus_read(bus, 0x10000010, 4, &v), BUS_OK);
    assert_int_equal(v, 0xabcd);
    assert_int_equal(dev.last_offset, 0x10);
    assert_int_equal(dev.last_size, 4);
    assert_int_equal(bus_write(bus, 0x100000ff, 1, 0x1234), BUS_OK);
    assert_int_equal(dev.last_value, 0x34); /* only the bytes of the access reach the device */
    assert_int_equal(dev.last_offset, 0xff);
    /* The device's own refusal comes back unchanged. */
    assert_int_equal(bus_read(bus, 0x10000000, 8, &v), BUS_BAD_ACCESS);
    /* Straddling the device's end: no device decodes it. */
    assert_int_equal(bus_read(bus, 0x100000fe, 4, &v), BUS_UNMAPPED);
    assert_int_equal(bus_read(bus, 0x10000100, 1, &v), BUS_UNMAPPED);
}

static void overlapping_devices_are_refused(void **state)
{
    struct bus *bus = *state;
    struct fake_dev dev = {0};
    char err[128] = "";
    struct bus_region a = {"a", 0x20000000, 0x1000, &fake_ops, &dev};
    struct bus_region b = {"b", 0x20000ff0, 0x10, &fake_ops, &dev};
    struct bus_region empty = {"empty", 0x30000000, 0, &fake_ops, &dev};
    struct bus_region wraps = {"wraps", UINT64_MAX - 0xf, 0x20, &fake_ops, &dev};
    assert_int_equal(bus_add_mmio(bus, &a, err, sizeof err), 0);
    assert_int_equal(bus_add_mmio(bus, &b, err, sizeof err), -1);
    assert_non_null(strstr(err, "b overlaps device a"));
    assert_int_equal(bus_add_mmio(bus, &empty, err, sizeof err), -1);
    assert_int_equal(bus_add_mmio(bus, &wraps, err, sizeof err), -1);
    struct bus_region port_past_end = {"p", 0xfffe, 4, &fake_ops, &dev};
    assert_int_equal(bus_add_ports(bus, &port_past_end, err, sizeof err), -1);
}

static void device_over_ram_wins_and_blocks_fast_path(void **state)
{
    struct bus *bus = *state;
    struct fake_dev dev = {.read_value = 7};
    char err[128];
    uint64_t tohost = RAM_BASE + 0x3040;
    struct bus_region r = {"htif", tohost, 8, &fake_ops, &dev};
    assert_non_null(bus_ram_ptr(bus, RAM_BASE + 0x3000, 8));
    assert_int_equal(bus_add_mmio(bus, &r, err, sizeof err), 0);
    uint64_t v;
    assert_int_equal(bus_read(bus, tohost, 4, &v), BUS_OK);
    assert_int_equal(v, 7);
    assert_int_equal(dev.reads, 1);
    /* The whole page holding the device goes through bus_read/bus_write; others stay fast. */
    assert_null(bus_ram_ptr(bus, RAM_BASE + 0x3000, 8));
    assert_null(bus_ram_ptr(bus, RAM_BASE + 0x2ffc, 8));
    assert_non_null(bus_ram_ptr(bus, RAM_BASE + 0x2000, 0x1000));
    assert_non_null(bus_ram_ptr(bus, RAM_BASE + 0x4000, 8));
}

static void ports_route_and_unclaimed_read_all_ones(void **state)
{
    struct bus *bus = *state;
    struct fake_dev dev = {.read_value = 0x5a};
    char err[128];
    struct bus_region r = {"com1", 0x3f8, 8, &fake_ops, &dev};
    assert_int_equal(bus_add_ports(bus, &r, err, sizeof err), 0);
    uint32_t v;
    assert_int_equal(bus_port_in(bus, 0x3fd, 1, &v), BUS_OK);
    assert_int_equal(v, 0x5a);
    assert_int_equal(dev.last_offset, 5);
    assert_int_equal(bus_port_out(bus, 0x3f8, 1, 0x141), BUS_OK);
    assert_int_equal(dev.last_value, 0x41);
    /* An unclaimed port floats high on the ISA bus; writes vanish. */
    assert_int_equal(bus_port_in(bus, 0x80, 1, &v), BUS_UNMAPPED);
    assert_int_equal(v, 0xff);
    assert_int_equal(bus_port_in(bus, 0x80, 2, &v), BUS_UNMAPPED);
    assert_int_equal(v, 0xffff);
    assert_int_equal(bus_port_in(bus, 0x80, 4, &v), BUS_UNMAPPED);
    assert_int_equal(v, 0xffffffffu);
    assert_int_equal(bus_port_out(bus, 0x80, 1, 0), BUS_UNMAPPED);
    assert_int_equal(bus_port_in(bus, 0x3f8, 8, &v), BUS_BAD_ACCESS);
}

static void copies_check_bounds(void **state)
{
    struct bus *bus = *state;
    uint8_t buf[16] = "0123456789abcdef", out[16];
    assert_int_equal(bus_copy_to_ram(bus, RAM_BASE + 10, buf, sizeof buf), 0);
    assert_int_equal(bus_copy_from_ram(bus, RAM_BASE + 10, out, sizeof out), 0);
    assert_memory_equal(buf, out, sizeof buf);
    assert_int_equal(bus_zero_ram(bus, RAM_BASE + 12, 2), 0);
    assert_int_equal(bus_copy_from_ram(bus, RAM_BASE + 10, out, 4), 0);
    assert_memory_equal(out, "01\0\0", 4);
    assert_int_equal(bus_copy_to_ram(bus, RAM_BASE + RAM_SIZE - 8, buf, sizeof buf), -1);
    assert_int_equal(bus_copy_to_ram(bus, RAM_BASE - 1, buf, 1), -1);
    assert_int_equal(bus_zero_ram(bus, UINT64_MAX, 2), -1);
}

static void bad_ram_geometry_is_refused(void **state)
{
    (void)state;
    struct bus bus;
    char err[128] = "";
    assert_int_equal(bus_init(&bus, 0, 12345, err, sizeof err), -1);
    assert_non_null(strstr(err, "not page-aligned"));
    assert_int_equal(bus_init(&bus, 0, 0, err, sizeof err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ram_reads_back_little_endian, setup, teardown),
        cmocka_unit_test_setup_teardown(ram_edges_are_unmapped_outside, setup, teardown),
        cmocka_unit_test_setup_teardown(mmio_routes_with_offsets_and_masks_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(overlapping_devices_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(device_over_ram_wins_and_blocks_fast_path, setup, teardown),
        cmocka_unit_test_setup_teardown(ports_route_and_unclaimed_read_all_ones, setup, teardown),
        cmocka_unit_test_setup_teardown(copies_check_bounds, setup, teardown),
        cmocka_unit_test(bad_ram_geometry_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
