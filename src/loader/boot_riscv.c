/* RISC-V virt boot: the kernel, the initrd and a flattened device tree, handed over as QEMU's
 * `-machine virt -kernel K -initrd P -append ARGS` hands them over (design.md "Platforms").
 *
 * RAM layout, from the top of guest RAM down (ram_end = ram_base + ram_size):
 *
 *   fdt_addr .. ram_end     the device tree, in an area of a multiple of 64 KiB (at least 64 KiB,
 *                           more for a long command line) that starts 64 KiB-aligned, as high as
 *                           it fits;
 *   initrd_start .. fdt_addr  the initrd, its start page-aligned (4 KiB), just below the tree;
 *   the kernel              wherever its PT_LOAD segments say (p_paddr), usually at ram_base.
 *
 * The three must not overlap: a kernel that reaches into the top area means RAM is too small, and
 * that is reported before anything is written to guest RAM.
 */
#include "loader/loader.h"
#include "loader/loader_internal.h"
#include "machine/platform.h"

#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOOT_FDT_ALIGN    0x10000ull /* 64 KiB */
#define BOOT_PAGE         0x1000ull
#define BOOT_INTC_PHANDLE 1

/* Interrupt numbers on the hart-local controller (priv. spec 3.1.9, mip/mie bits). */
#define BOOT_IRQ_M_SOFT  3
#define BOOT_IRQ_M_TIMER 7

typedef unsigned long long ull;

/* reg = <base size> with #address-cells = #size-cells = 2 (devicetree spec 2.3.6). */
static int fdt_reg(void *fdt, uint64_t base, uint64_t size)
{
    fdt64_t reg[2] = {cpu_to_fdt64(base), cpu_to_fdt64(size)};
    return fdt_property(fdt, "reg", reg, sizeof reg);
}

struct fdt_layout {
    uint64_t ram_base, ram_size;
    const char *cmdline;
    bool has_initrd;
    uint64_t initrd_start, initrd_end;
};

/* The tree QEMU's virt machine builds (hw/riscv/virt.c), restricted to the devices ringside has:
 * devicetree spec v0.4 chapter 3 (root, /memory, /chosen, /cpus) and the Linux bindings
 * riscv/cpus.yaml, interrupt-controller/riscv,cpu-intc.yaml, timer/sifive,clint.yaml,
 * serial/8250.yaml, power/reset/syscon-poweroff (the test finisher). */
static int build_fdt(void *buf, int bufsize, const struct fdt_layout *l)
{
    char node[64];
    int rc = fdt_create(buf, bufsize);
#define F(call)                                                                                    \
    do {                                                                                           \
        if (rc == 0) rc = (call);                                                                  \
    } while (0)
    F(fdt_finish_reservemap(buf));
    F(fdt_begin_node(buf, ""));
    F(fdt_property_cell(buf, "#address-cells", 2));
    F(fdt_property_cell(buf, "#size-cells", 2));
    F(fdt_property_string(buf, "compatible", "riscv-virtio"));
    F(fdt_property_string(buf, "model", "riscv-virtio,ringside"));

    /* /chosen: devicetree spec 3.6; linux,initrd-* as 64-bit values, as QEMU writes them. */
    F(fdt_begin_node(buf, "chosen"));
    F(fdt_property_string(buf, "bootargs", l->cmdline));
    snprintf(node, sizeof node, "/soc/serial@%llx", (ull)VIRT_UART0_BASE);
    F(fdt_property_string(buf, "stdout-path", node));
    if (l->has_initrd) {
        F(fdt_property_u64(buf, "linux,initrd-start", l->initrd_start));
        F(fdt_property_u64(buf, "linux,initrd-end", l->initrd_end));
    }
    F(fdt_end_node(buf));

    /* /memory: devicetree spec 3.4. */
    snprintf(node, sizeof node, "memory@%llx", (ull)l->ram_base);
    F(fdt_begin_node(buf, node));
    F(fdt_property_string(buf, "device_type", "memory"));
    F(fdt_reg(buf, l->ram_base, l->ram_size));
    F(fdt_end_node(buf));

    /* /cpus: devicetree spec 3.7; timebase-frequency is the rate of the time CSR (mtime). */
    F(fdt_begin_node(buf, "cpus"));
    F(fdt_property_cell(buf, "#address-cells", 1));
    F(fdt_property_cell(buf, "#size-cells", 0));
    F(fdt_property_cell(buf, "timebase-frequency", (uint32_t)VIRT_TIMEBASE_HZ));
    F(fdt_begin_node(buf, "cpu@0"));
    F(fdt_property_string(buf, "device_type", "cpu"));
    F(fdt_property_cell(buf, "reg", 0));
    F(fdt_property_string(buf, "status", "okay"));
    F(fdt_property_string(buf, "compatible", "riscv"));
    F(fdt_property_string(buf, "riscv,isa", "rv64imafdc"));
    F(fdt_property_string(buf, "mmu-type", "riscv,sv39"));
    F(fdt_begin_node(buf, "interrupt-controller"));
    F(fdt_property_cell(buf, "#interrupt-cells", 1));
    F(fdt_property(buf, "interrupt-controller", NULL, 0));
    F(fdt_property_string(buf, "compatible", "riscv,cpu-intc"));
    F(fdt_property_cell(buf, "phandle", BOOT_INTC_PHANDLE));
    F(fdt_end_node(buf));
    F(fdt_end_node(buf)); /* cpu@0 */
    F(fdt_end_node(buf)); /* cpus */

    /* /soc: a simple-bus with an identity mapping (empty ranges, devicetree spec 2.3.8). */
    F(fdt_begin_node(buf, "soc"));
    F(fdt_property_cell(buf, "#address-cells", 2));
    F(fdt_property_cell(buf, "#size-cells", 2));
    F(fdt_property_string(buf, "compatible", "simple-bus"));
    F(fdt_property(buf, "ranges", NULL, 0));

    snprintf(node, sizeof node, "serial@%llx", (ull)VIRT_UART0_BASE);
    F(fdt_begin_node(buf, node));
    F(fdt_property_string(buf, "compatible", "ns16550a"));
    F(fdt_reg(buf, VIRT_UART0_BASE, 0x100));
    F(fdt_property_cell(buf, "clock-frequency", 3686400));
    F(fdt_end_node(buf));

    /* The CLINT raises the hart's machine software (3) and timer (7) interrupts. */
    static const char clint_compat[] = "sifive,clint0\0riscv,clint0";
    const fdt32_t clint_irqs[4] = {cpu_to_fdt32(BOOT_INTC_PHANDLE), cpu_to_fdt32(BOOT_IRQ_M_SOFT),
                                   cpu_to_fdt32(BOOT_INTC_PHANDLE), cpu_to_fdt32(BOOT_IRQ_M_TIMER)};
    snprintf(node, sizeof node, "clint@%llx", (ull)VIRT_CLINT_BASE);
    F(fdt_begin_node(buf, node));
    F(fdt_property(buf, "compatible", clint_compat, sizeof clint_compat));
    F(fdt_reg(buf, VIRT_CLINT_BASE, 0x10000));
    F(fdt_property(buf, "interrupts-extended", clint_irqs, sizeof clint_irqs));
    F(fdt_end_node(buf));

    static const char test_compat[] = "sifive,test1\0sifive,test0\0syscon";
    snprintf(node, sizeof node, "test@%llx", (ull)VIRT_TEST_BASE);
    F(fdt_begin_node(buf, node));
    F(fdt_property(buf, "compatible", test_compat, sizeof test_compat));
    F(fdt_reg(buf, VIRT_TEST_BASE, 0x1000));
    F(fdt_end_node(buf));

    F(fdt_end_node(buf)); /* soc */
    F(fdt_end_node(buf)); /* root */
    F(fdt_finish(buf));
#undef F
    return rc;
}

int boot_riscv_virt(struct machine *m, const struct elf_image *kernel,
                    const struct boot_params *params, struct boot_state *state, char *err,
                    size_t errlen)
{
    static const struct boot_params none = {0};
    const char *name = kernel->name;
    if (!params) params = &none;
    if (kernel->arch != ARCH_RISCV64)
        return loader_fail(err, errlen, name, "not a RISC-V kernel (%s)",
                           mach_arch_name(kernel->arch));
    if (m->arch != ARCH_RISCV64)
        return loader_fail(err, errlen, name, "the machine is %s, not riscv64",
                           mach_arch_name(m->arch));
    if (params->initrd_size && !params->initrd)
        return loader_fail(err, errlen, name, "initrd has a size but no data");
    if (elf_check_in_ram(kernel, &m->bus, err, errlen)) return -1;

    struct bus *bus = &m->bus;
    uint64_t ram_end = bus->ram_base + bus->ram_size;
    const char *cmdline = params->cmdline ? params->cmdline : "";
    size_t cmdlen = strlen(cmdline);
    if (cmdlen > (1u << 20))
        return loader_fail(err, errlen, name, "command line too long (%zu bytes, limit 1 MiB)",
                           cmdlen);
    /* The fixed part of the tree is under 2 KiB; 8 KiB leaves room beside the command line. */
    uint64_t fdt_area = (cmdlen + 8192 + BOOT_FDT_ALIGN - 1) & ~(BOOT_FDT_ALIGN - 1);

    uint64_t klo, khi;
    elf_paddr_range(kernel, &klo, &khi);
    uint64_t fdt_addr = 0, initrd_start = 0, bottom = 0;
    bool fits = bus->ram_size >= fdt_area + BOOT_FDT_ALIGN;
    if (fits) {
        fdt_addr = (ram_end - fdt_area) & ~(BOOT_FDT_ALIGN - 1);
        bottom = fdt_addr;
        if (params->initrd_size) {
            fits = params->initrd_size <= fdt_addr - bus->ram_base;
            if (fits) {
                initrd_start = (fdt_addr - params->initrd_size) & ~(BOOT_PAGE - 1);
                bottom = initrd_start;
            }
        }
    }
    if (!fits || bottom < bus->ram_base ||
        boot_ranges_overlap(klo, khi - klo, bottom, ram_end - bottom))
        return loader_fail(
            err, errlen, name,
            "guest RAM 0x%llx-0x%llx is too small for the kernel (0x%llx-0x%llx), an "
            "initrd of %zu bytes and the device tree",
            (ull)bus->ram_base, (ull)ram_end, (ull)klo, (ull)khi, params->initrd_size);

    void *fdt = calloc(1, fdt_area);
    if (!fdt) return loader_fail(err, errlen, name, "out of memory");
    struct fdt_layout layout = {
        .ram_base = bus->ram_base,
        .ram_size = bus->ram_size,
        .cmdline = cmdline,
        .has_initrd = params->initrd_size != 0,
        .initrd_start = initrd_start,
        .initrd_end = initrd_start + params->initrd_size,
    };
    int rc = build_fdt(fdt, (int)fdt_area, &layout);
    if (rc < 0) {
        free(fdt);
        return loader_fail(err, errlen, name, "cannot build the device tree: %s", fdt_strerror(rc));
    }

    /* Everything is checked: write the kernel, the initrd and the tree. */
    if (elf_load(kernel, bus, NULL, err, errlen)) {
        free(fdt);
        return -1;
    }
    if (bus_copy_to_ram(bus, initrd_start, params->initrd, params->initrd_size) ||
        bus_copy_to_ram(bus, fdt_addr, fdt, fdt_totalsize(fdt))) {
        free(fdt);
        return loader_fail(err, errlen, name, "cannot write guest RAM");
    }
    free(fdt);

    /* The hart starts in M-mode with a0 = hart id and a1 = the tree (design.md "Platforms"). */
    state->entry = elf_entry_paddr(kernel);
    state->arg0 = 0;
    state->arg1 = fdt_addr;
    return 0;
}
