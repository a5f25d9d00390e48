/* The kernel's device tree reader (src/kernel/common/fdt.c) on trees built with libfdt the way
 * QEMU's virt machine builds them (32-bit initrd cells) and with 64-bit cells, which the
 * specification allows (Devicetree Specification v0.4, 3.6 /chosen; 5 the DTB format). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "helpers.h"
#include "kernel/common/fdt.h"

static char blob[4096];

enum variant { CELLS32, CELLS64, TIMEBASE_IN_CPU, NO_MEMORY, NO_INITRD };

static void build(enum variant v)
{
    assert_int_equal(fdt_create(blob, sizeof blob), 0);
    assert_int_equal(fdt_add_reservemap_entry(blob, 0x87f00000, 0x1000), 0);
    assert_int_equal(fdt_finish_reservemap(blob), 0);
    assert_int_equal(fdt_begin_node(blob, ""), 0);
    assert_int_equal(fdt_property_u32(blob, "#address-cells", 2), 0);
    assert_int_equal(fdt_property_u32(blob, "#size-cells", 2), 0);
    assert_int_equal(fdt_begin_node(blob, "chosen"), 0);
    assert_int_equal(fdt_property_string(blob, "bootargs", "mech=auto -- hello a\\ b"), 0);
    if (v == CELLS64) {
        assert_int_equal(fdt_property_u64(blob, "linux,initrd-start", 0x184000000ull), 0);
        assert_int_equal(fdt_property_u64(blob, "linux,initrd-end", 0x184009330ull), 0);
    } else if (v != NO_INITRD) {
        assert_int_equal(fdt_property_u32(blob, "linux,initrd-start", 0x84000000), 0);
        assert_int_equal(fdt_property_u32(blob, "linux,initrd-end", 0x84009330), 0);
    }
    assert_int_equal(fdt_end_node(blob), 0);
    if (v != NO_MEMORY) {
        assert_int_equal(fdt_begin_node(blob, "memory@80000000"), 0);
        assert_int_equal(fdt_property_string(blob, "device_type", "memory"), 0);
        uint32_t reg[4] = {cpu_to_fdt32(0), cpu_to_fdt32(0x80000000), cpu_to_fdt32(0),
                           cpu_to_fdt32(0x8000000)};
        assert_int_equal(fdt_property(blob, "reg", reg, sizeof reg), 0);
        assert_int_equal(fdt_end_node(blob), 0);
    }
    assert_int_equal(fdt_begin_node(blob, "cpus"), 0);
    if (v != TIMEBASE_IN_CPU)
        assert_int_equal(fdt_property_u32(blob, "timebase-frequency", 10000000), 0);
    assert_int_equal(fdt_begin_node(blob, "cpu@0"), 0);
    if (v == TIMEBASE_IN_CPU)
        assert_int_equal(fdt_property_u32(blob, "timebase-frequency", 1000000), 0);
    assert_int_equal(fdt_end_node(blob), 0);
    assert_int_equal(fdt_end_node(blob), 0);
    assert_int_equal(fdt_end_node(blob), 0);
    assert_int_equal(fdt_finish(blob), 0);
}

static void reads_a_virt_tree(void **state)
{
    (void)state;
    struct fdt_info info;
    const char *why = NULL;
    build(CELLS32);
    assert_int_equal(fdt_read(blob, &info, &why), 0);
    assert_int_equal(info.mem_base, 0x80000000);
    assert_int_equal(info.mem_size, 0x8000000);
    assert_string_equal(info.bootargs, "mech=auto -- hello a\\ b");
    assert_true(info.has_initrd);
    assert_int_equal(info.initrd_start, 0x84000000);
    assert_int_equal(info.initrd_end, 0x84009330);
    assert_int_equal(info.timebase_hz, 10000000);
    assert_int_equal(info.totalsize, fdt_totalsize(blob));
    assert_int_equal(info.n_reserved, 1);
    assert_int_equal(info.reserved[0].base, 0x87f00000);
    assert_int_equal(info.reserved[0].size, 0x1000);
}

static void initrd_cells_may_be_64_bit(void **state)
{
    (void)state;
    struct fdt_info info;
    const char *why = NULL;
    build(CELLS64);
    assert_int_equal(fdt_read(blob, &info, &why), 0);
    assert_true(info.has_initrd);
    assert_int_equal(info.initrd_start, 0x184000000ull);
    assert_int_equal(info.initrd_end, 0x184009330ull);
}

static void timebase_may_sit_in_the_cpu_node(void **state)
{
    (void)state;
    struct fdt_info info;
    const char *why = NULL;
    build(TIMEBASE_IN_CPU);
    assert_int_equal(fdt_read(blob, &info, &why), 0);
    assert_int_equal(info.timebase_hz, 1000000);
}

static void missing_parts(void **state)
{
    (void)state;
    struct fdt_info info;
    const char *why = NULL;
    build(NO_INITRD);
    assert_int_equal(fdt_read(blob, &info, &why), 0);
    assert_false(info.has_initrd);
    build(NO_MEMORY);
    assert_int_equal(fdt_read(blob, &info, &why), -1);
    assert_string_equal(why, "device tree has no /memory node");
    build(CELLS32);
    blob[0] = 0;
    assert_int_equal(fdt_read(blob, &info, &why), -1);
    assert_string_equal(why, "no device tree (bad magic)");
    build(CELLS32);
    fdt_set_size_dt_struct(blob, fdt_totalsize(blob)); /* runs past the end of the blob */
    assert_int_equal(fdt_read(blob, &info, &why), -1);
    assert_string_equal(why, "malformed device tree header");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_a_virt_tree),
        cmocka_unit_test(initrd_cells_may_be_64_bit),
        cmocka_unit_test(timebase_may_sit_in_the_cpu_node),
        cmocka_unit_test(missing_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
