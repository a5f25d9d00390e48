/* RISC-V virt boot (src/loader/boot_riscv.c): the device tree is read back out of guest RAM with
 * libfdt and checked against the devicetree specification v0.4 (chapter 3: root, /chosen,
 * /memory, /cpus) and the Linux bindings QEMU's virt machine follows (riscv/cpus.yaml,
 * riscv,cpu-intc, sifive,clint0, ns16550a, sifive,test1/syscon). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "loader/helpers.h"
#include "loader/loader.h"
#include "machine/platform.h"

#define MIB      (1ull << 20)
#define RAM_SIZE (64 * MIB)
#define RAM_END  (VIRT_DRAM_BASE + RAM_SIZE)

struct booted {
    struct machine m;
    struct tb_image img;
    struct elf_image kernel;
    struct boot_state state;
    void *fdt;
};

static void open_kernel(struct booted *b, const struct tb_spec *spec)
{
    char err[256];
    tb_build(spec, &b->img);
    if (elf_open_memory(b->img.data, b->img.size, "kernel.elf", &b->kernel, err, sizeof err))
        fail_msg("%s", err);
}

/* Boots the standard RISC-V image with params; returns boot_riscv_virt's result, err filled. */
static int boot(struct booted *b, const struct boot_params *params, uint64_t ram_size, char *err,
                size_t errlen)
{
    struct tb_spec spec;
    memset(b, 0, sizeof *b);
    tb_spec_riscv64(&spec);
    assert_int_equal(machine_init(&b->m, ARCH_RISCV64, VIRT_DRAM_BASE, ram_size, err, errlen), 0);
    open_kernel(b, &spec);
    return boot_riscv_virt(&b->m, &b->kernel, params, &b->state, err, errlen);
}

/* Copies the tree out of guest RAM and checks its header (devicetree spec 5.2). */
static void read_fdt(struct booted *b)
{
    uint8_t header[sizeof(struct fdt_header)];
    assert_int_equal(bus_copy_from_ram(&b->m.bus, b->state.arg1, header, sizeof header), 0);
    uint32_t size = fdt_totalsize(header);
    assert_true(size >= sizeof header && size <= RAM_END - b->state.arg1);
    b->fdt = malloc(size);
    assert_int_equal(bus_copy_from_ram(&b->m.bus, b->state.arg1, b->fdt, size), 0);
    assert_int_equal(fdt_check_header(b->fdt), 0);
}

static void done(struct booted *b)
{
    free(b->fdt);
    elf_close(&b->kernel);
    tb_free(&b->img);
    machine_destroy(&b->m);
}

static const void *prop(const void *fdt, const char *path, const char *name, int *len)
{
    int node = fdt_path_offset(fdt, path);
    if (node < 0) fail_msg("no node %s: %s", path, fdt_strerror(node));
    const void *p = fdt_getprop(fdt, node, name, len);
    if (!p) fail_msg("no property %s in %s", name, path);
    return p;
}

/* Property values are only 4-byte aligned (devicetree spec 5.4.1): read 64-bit cells bytewise. */
static uint64_t be64_at(const void *p, unsigned i)
{
    fdt64_t v;
    memcpy(&v, (const uint8_t *)p + 8 * i, sizeof v);
    return fdt64_to_cpu(v);
}

static uint32_t prop_u32(const void *fdt, const char *path, const char *name)
{
    int len;
    const fdt32_t *p = prop(fdt, path, name, &len);
    assert_int_equal(len, 4);
    return fdt32_to_cpu(*p);
}

static uint64_t prop_u64(const void *fdt, const char *path, const char *name)
{
    int len;
    const void *p = prop(fdt, path, name, &len);
    assert_int_equal(len, 8);
    return be64_at(p, 0);
}

static void prop_string(const void *fdt, const char *path, const char *name, const char *want)
{
    int len;
    const char *p = prop(fdt, path, name, &len);
    assert_int_equal(len, (int)strlen(want) + 1);
    assert_string_equal(p, want);
}

/* A stringlist property: the strings back to back, each NUL-terminated (devicetree spec 2.2.4). */
static void prop_stringlist(const void *fdt, const char *path, const char *name, const char *want,
                            int want_len)
{
    int len;
    const char *p = prop(fdt, path, name, &len);
    assert_int_equal(len, want_len);
    assert_memory_equal(p, want, (size_t)want_len);
}

/* reg = <base size> in two 2-cell values (#address-cells = #size-cells = 2). */
static void prop_reg(const void *fdt, const char *path, uint64_t base, uint64_t size)
{
    int len;
    const void *p = prop(fdt, path, "reg", &len);
    assert_int_equal(len, 16);
    assert_int_equal(be64_at(p, 0), base);
    assert_int_equal(be64_at(p, 1), size);
}

/* Devicetree spec 3.4-3.7 and the virt machine's devices, with an initrd and a command line. */
static void test_fdt_describes_virt_machine(void **state)
{
    (void)state;
    struct booted b;
    char err[256];
    uint8_t *initrd = malloc(10000);
    for (unsigned i = 0; i < 10000; i++)
        initrd[i] = (uint8_t)(i * 13 + 5);
    struct boot_params params = {"console=ttyS0 --mech ecall", initrd, 10000, "prog.elf"};
    if (boot(&b, &params, RAM_SIZE, err, sizeof err)) fail_msg("%s", err);

    /* design.md "Platforms": a0 = hart id, a1 = the tree; the pc is the ELF entry. */
    assert_int_equal(b.state.entry, 0x80000010);
    assert_int_equal(b.state.arg0, 0);
    /* The tree sits in the last 64 KiB of RAM. */
    assert_int_equal(b.state.arg1, RAM_END - 0x10000);
    read_fdt(&b);
    const void *fdt = b.fdt;

    /* Root: devicetree spec 3.2. */
    assert_int_equal(prop_u32(fdt, "/", "#address-cells"), 2);
    assert_int_equal(prop_u32(fdt, "/", "#size-cells"), 2);
    prop_string(fdt, "/", "compatible", "riscv-virtio");
    int len;
    assert_non_null(prop(fdt, "/", "model", &len));

    /* /chosen: spec 3.6; Linux's linux,initrd-start/end (64-bit, end exclusive). */
    prop_string(fdt, "/chosen", "bootargs", "console=ttyS0 --mech ecall");
    prop_string(fdt, "/chosen", "stdout-path", "/soc/serial@10000000");
    uint64_t start = prop_u64(fdt, "/chosen", "linux,initrd-start");
    uint64_t end = prop_u64(fdt, "/chosen", "linux,initrd-end");
    assert_int_equal(end - start, 10000);
    assert_int_equal(start % 4096, 0);
    assert_true(end <= b.state.arg1);            /* below the tree */
    assert_true(start >= b.state.arg1 - 0x4000); /* just below it */
    uint8_t *got = malloc(10000);
    assert_int_equal(bus_copy_from_ram(&b.m.bus, start, got, 10000), 0);
    assert_memory_equal(got, initrd, 10000);
    free(got);

    /* /memory: spec 3.4. */
    prop_string(fdt, "/memory@80000000", "device_type", "memory");
    prop_reg(fdt, "/memory@80000000", VIRT_DRAM_BASE, RAM_SIZE);

    /* /cpus and cpu@0: spec 3.7 and 3.8; Linux riscv/cpus.yaml. */
    assert_int_equal(prop_u32(fdt, "/cpus", "#address-cells"), 1);
    assert_int_equal(prop_u32(fdt, "/cpus", "#size-cells"), 0);
    assert_int_equal(prop_u32(fdt, "/cpus", "timebase-frequency"), VIRT_TIMEBASE_HZ);
    prop_string(fdt, "/cpus/cpu@0", "device_type", "cpu");
    assert_int_equal(prop_u32(fdt, "/cpus/cpu@0", "reg"), 0);
    prop_string(fdt, "/cpus/cpu@0", "status", "okay");
    prop_string(fdt, "/cpus/cpu@0", "compatible", "riscv");
    prop_string(fdt, "/cpus/cpu@0", "riscv,isa", "rv64imafdc");
    prop_string(fdt, "/cpus/cpu@0", "mmu-type", "riscv,sv39");
    const char *intc = "/cpus/cpu@0/interrupt-controller";
    assert_int_equal(prop_u32(fdt, intc, "#interrupt-cells"), 1);
    prop(fdt, intc, "interrupt-controller", &len);
    assert_int_equal(len, 0);
    prop_string(fdt, intc, "compatible", "riscv,cpu-intc");
    assert_int_equal(prop_u32(fdt, intc, "phandle"), 1);
    assert_int_equal(fdt_node_offset_by_phandle(fdt, 1), fdt_path_offset(fdt, intc));

    /* /soc: a simple-bus with an identity ranges (spec 2.3.8, 4.5). */
    prop_string(fdt, "/soc", "compatible", "simple-bus");
    prop(fdt, "/soc", "ranges", &len);
    assert_int_equal(len, 0);
    assert_int_equal(prop_u32(fdt, "/soc", "#address-cells"), 2);
    assert_int_equal(prop_u32(fdt, "/soc", "#size-cells"), 2);

    prop_string(fdt, "/soc/serial@10000000", "compatible", "ns16550a");
    prop_reg(fdt, "/soc/serial@10000000", VIRT_UART0_BASE, 0x100);
    assert_int_equal(prop_u32(fdt, "/soc/serial@10000000", "clock-frequency"), 3686400);

    static const char clint_compat[] = "sifive,clint0\0riscv,clint0";
    prop_stringlist(fdt, "/soc/clint@2000000", "compatible", clint_compat, sizeof clint_compat);
    prop_reg(fdt, "/soc/clint@2000000", VIRT_CLINT_BASE, 0x10000);
    /* <intc M-software(3) intc M-timer(7)>: priv. spec 3.1.9 interrupt numbers. */
    const fdt32_t *irqs = prop(fdt, "/soc/clint@2000000", "interrupts-extended", &len);
    assert_int_equal(len, 16);
    assert_int_equal(fdt32_to_cpu(irqs[0]), 1);
    assert_int_equal(fdt32_to_cpu(irqs[1]), 3);
    assert_int_equal(fdt32_to_cpu(irqs[2]), 1);
    assert_int_equal(fdt32_to_cpu(irqs[3]), 7);

    static const char test_compat[] = "sifive,test1\0sifive,test0\0syscon";
    prop_stringlist(fdt, "/soc/test@100000", "compatible", test_compat, sizeof test_compat);
    prop_reg(fdt, "/soc/test@100000", VIRT_TEST_BASE, 0x1000);

    /* The kernel itself was loaded, at p_paddr. */
    uint8_t k[16];
    assert_int_equal(bus_copy_from_ram(&b.m.bus, 0x80000000, k, sizeof k), 0);
    for (unsigned i = 0; i < sizeof k; i++)
        assert_int_equal(k[i], tb_pattern(0, i));
    free(initrd);
    done(&b);
}

/* Without an initrd there are no linux,initrd-* properties, and bootargs is "" (spec 3.6). */
static void test_no_initrd_no_cmdline(void **state)
{
    (void)state;
    struct booted b;
    char err[256];
    if (boot(&b, NULL, RAM_SIZE, err, sizeof err)) fail_msg("%s", err);
    read_fdt(&b);
    prop_string(b.fdt, "/chosen", "bootargs", "");
    int node = fdt_path_offset(b.fdt, "/chosen");
    int len;
    assert_null(fdt_getprop(b.fdt, node, "linux,initrd-start", &len));
    assert_null(fdt_getprop(b.fdt, node, "linux,initrd-end", &len));
    done(&b);
}

/* A long command line gets a bigger tree area, still 64 KiB-aligned at the top of RAM. */
static void test_long_cmdline(void **state)
{
    (void)state;
    struct booted b;
    char err[256];
    size_t n = 100000;
    char *cmdline = malloc(n + 1);
    memset(cmdline, 'a', n);
    cmdline[n] = 0;
    struct boot_params params = {cmdline, (const uint8_t *)"xyz", 3, "p"};
    if (boot(&b, &params, RAM_SIZE, err, sizeof err)) fail_msg("%s", err);
    assert_int_equal(b.state.arg1 % 0x10000, 0);
    assert_true(b.state.arg1 <= RAM_END - 0x20000);
    read_fdt(&b);
    prop_string(b.fdt, "/chosen", "bootargs", cmdline);
    uint64_t start = prop_u64(b.fdt, "/chosen", "linux,initrd-start");
    assert_int_equal(prop_u64(b.fdt, "/chosen", "linux,initrd-end"), start + 3);
    assert_true(start + 3 <= b.state.arg1);
    free(cmdline);
    done(&b);
}

/* RAM too small: the kernel's .bss reaches into the initrd/tree area; nothing is written. */
static void test_ram_too_small(void **state)
{
    (void)state;
    struct booted b;
    struct tb_spec spec;
    char err[256];
    memset(&b, 0, sizeof b);
    tb_spec_riscv64(&spec);
    spec.segs[1].memsz = 16 * MIB - 0x1000 - 0x8000; /* ends 32 KiB below the top of 16 MiB */
    assert_int_equal(machine_init(&b.m, ARCH_RISCV64, VIRT_DRAM_BASE, 16 * MIB, err, sizeof err),
                     0);
    open_kernel(&b, &spec);
    struct boot_params params = {"", (const uint8_t *)"x", 1, "p"};
    assert_int_equal(boot_riscv_virt(&b.m, &b.kernel, &params, &b.state, err, sizeof err), -1);
    assert_non_null(strstr(err, "kernel.elf: guest RAM 0x80000000-0x81000000 is too small"));
    uint8_t k[16];
    assert_int_equal(bus_copy_from_ram(&b.m.bus, 0x80000000, k, sizeof k), 0);
    for (unsigned i = 0; i < sizeof k; i++)
        assert_int_equal(k[i], 0);
    done(&b);

    /* An initrd bigger than RAM. */
    memset(&b, 0, sizeof b);
    assert_int_equal(machine_init(&b.m, ARCH_RISCV64, VIRT_DRAM_BASE, 16 * MIB, err, sizeof err),
                     0);
    tb_spec_riscv64(&spec);
    open_kernel(&b, &spec);
    uint8_t *big = calloc(1, 17 * MIB);
    struct boot_params params2 = {"", big, 17 * MIB, "p"};
    assert_int_equal(boot_riscv_virt(&b.m, &b.kernel, &params2, &b.state, err, sizeof err), -1);
    assert_non_null(strstr(err, "is too small"));
    free(big);
    done(&b);
}

/* The kernel must be RV64 (design.md "Platforms"), and lie in RAM. */
static void test_wrong_kernel(void **state)
{
    (void)state;
    struct booted b;
    struct tb_spec spec;
    char err[256];
    memset(&b, 0, sizeof b);
    assert_int_equal(machine_init(&b.m, ARCH_RISCV64, VIRT_DRAM_BASE, RAM_SIZE, err, sizeof err),
                     0);
    tb_spec_i386(&spec);
    open_kernel(&b, &spec);
    assert_int_equal(boot_riscv_virt(&b.m, &b.kernel, NULL, &b.state, err, sizeof err), -1);
    assert_string_equal(err, "kernel.elf: not a RISC-V kernel (i386)");
    elf_close(&b.kernel);
    tb_free(&b.img);

    tb_spec_riscv64(&spec);
    for (unsigned i = 0; i < 2; i++)
        spec.segs[i].paddr -= 0x80000000, spec.segs[i].vaddr -= 0x80000000;
    spec.entry -= 0x80000000;
    open_kernel(&b, &spec);
    assert_int_equal(boot_riscv_virt(&b.m, &b.kernel, NULL, &b.state, err, sizeof err), -1);
    assert_string_equal(err, "kernel.elf: segment 0 at 0x0-0x100 lies outside guest RAM "
                             "0x80000000-0x84000000");
    done(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fdt_describes_virt_machine),
        cmocka_unit_test(test_no_initrd_no_cmdline),
        cmocka_unit_test(test_long_cmdline),
        cmocka_unit_test(test_ram_too_small),
        cmocka_unit_test(test_wrong_kernel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
