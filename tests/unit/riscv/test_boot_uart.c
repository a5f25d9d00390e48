/* End to end: the bare-metal image rv64_uart_hello (tests/baremetal/riscv64/uart_hello.S) boots
 * on a machine built as the ringside binary builds it (QEMU virt memory map, design.md
 * "Platforms"), prints through a UART and ends through the SiFive test finisher.
 *
 * The real devices (src/dev) and the ELF loader (src/loader) are written in parallel, so this test
 * brings a minimal UART (THR/LSR only) and finisher of its own, and loads the PT_LOAD segments
 * with libelf directly. */
#include "riscv/helpers.h"

#include <gelf.h>
#include <libelf.h>
#include <string.h>

#include "loader/loader.h"
#include "machine/platform.h"

#define RAM_SIZE (16ull << 20)
#define FDT_ADDR (VIRT_DRAM_BASE + RAM_SIZE - 0x1000)

struct test_uart {
    char out[256];
    size_t n;
};

/* NS16550A subset: THR at 0 collects bytes, LSR at 5 always says THRE | TEMT. */
static enum bus_status uart_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    (void)dev;
    if (size != 1) return BUS_BAD_ACCESS;
    *value = offset == 5 ? 0x60 : 0;
    return BUS_OK;
}

static enum bus_status uart_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct test_uart *u = dev;
    if (size != 1) return BUS_BAD_ACCESS;
    if (offset == 0 && u->n + 1 < sizeof u->out) u->out[u->n++] = (char)value;
    return BUS_OK;
}

/* SiFive test finisher: 0x5555 = pass (status 0), code << 16 | 0x3333 = fail with code. */
static enum bus_status finisher_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct machine *m = dev;
    if (offset != 0 || size != 4) return BUS_BAD_ACCESS;
    if ((value & 0xffff) == 0x5555)
        machine_request_stop(m, STOP_EXIT, 0, "finisher: pass");
    else if ((value & 0xffff) == 0x3333)
        machine_request_stop(m, STOP_EXIT, (int)(value >> 16), "finisher: fail");
    return BUS_OK;
}

static const struct bus_ops uart_ops = {uart_read, uart_write};
static const struct bus_ops finisher_ops = {NULL, finisher_write};

static const struct embedded_image *find_image(const char *name)
{
    for (unsigned i = 0; i < embedded_image_count; i++)
        if (embedded_images[i].name && strcmp(embedded_images[i].name, name) == 0)
            return &embedded_images[i];
    return NULL;
}

/* Loads every PT_LOAD segment at its physical address; returns the entry point. */
static uint64_t load_elf(struct machine *m, const struct embedded_image *img)
{
    assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
    Elf *elf = elf_memory((char *)img->start, (size_t)(img->end - img->start));
    assert_non_null(elf);
    GElf_Ehdr eh;
    assert_non_null(gelf_getehdr(elf, &eh));
    assert_int_equal(eh.e_machine, EM_RISCV);
    size_t n;
    assert_int_equal(elf_getphdrnum(elf, &n), 0);
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        assert_non_null(gelf_getphdr(elf, (int)i, &ph));
        if (ph.p_type != PT_LOAD) continue;
        assert_int_equal(bus_zero_ram(&m->bus, ph.p_paddr, ph.p_memsz), 0);
        assert_int_equal(
            bus_copy_to_ram(&m->bus, ph.p_paddr, img->start + ph.p_offset, ph.p_filesz), 0);
    }
    elf_end(elf);
    return eh.e_entry;
}

static void boot(struct machine *m, struct test_uart *uart, uint64_t hart_id)
{
    char err[256];
    assert_int_equal(machine_init(m, ARCH_RISCV64, VIRT_DRAM_BASE, RAM_SIZE, err, sizeof err), 0);
    struct bus_region u = {"test-uart", VIRT_UART0_BASE, 8, &uart_ops, uart};
    struct bus_region f = {"test-finisher", VIRT_TEST_BASE, 0x1000, &finisher_ops, m};
    assert_int_equal(bus_add_mmio(&m->bus, &u, err, sizeof err), 0);
    assert_int_equal(bus_add_mmio(&m->bus, &f, err, sizeof err), 0);
    const struct embedded_image *img = find_image("rv64_uart_hello");
    assert_non_null(img);
    struct boot_state bs = {.entry = load_elf(m, img), .arg0 = hart_id, .arg1 = FDT_ADDR};
    static const uint8_t fdt_magic[4] = {0xd0, 0x0d, 0xfe, 0xed}; /* big-endian 0xd00dfeed */
    assert_int_equal(bus_copy_to_ram(&m->bus, FDT_ADDR, fdt_magic, 4), 0);
    assert_int_equal(rv_cpu_attach(m, &bs, err, sizeof err), 0);
    assert_string_equal(m->cpu_ops->name, "riscv64");
    m->max_insns = 100000; /* a hang fails the test instead of spinning */
}

static void test_uart_hello_boots(void **state)
{
    (void)state;
    struct machine m;
    struct test_uart uart = {0};
    boot(&m, &uart, 0);
    assert_int_equal(machine_run(&m), STOP_EXIT);
    assert_int_equal(machine_exit_status(&m), 0);
    assert_string_equal(uart.out, "hello from riscv64 bare metal (uart)\n");
    struct rv_hart *h = m.cpu;
    assert_int_equal(h->priv, RV_PRIV_M);
    assert_true(m.insns > 100);
    assert_int_equal(m.events.count[EV_INSN], m.insns);
    assert_int_equal(m.events.count[EV_EXCEPTION], 0);
    machine_destroy(&m);
}

/* The image checks its boot state: a0 != 0 (not hart 0) takes its failure path, exit status 1 */
static void test_uart_hello_rejects_bad_boot_state(void **state)
{
    (void)state;
    struct machine m;
    struct test_uart uart = {0};
    boot(&m, &uart, 1);
    assert_int_equal(machine_run(&m), STOP_EXIT);
    assert_int_equal(machine_exit_status(&m), 1);
    assert_string_equal(uart.out, "bad boot state\n");
    machine_destroy(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uart_hello_boots),
        cmocka_unit_test(test_uart_hello_rejects_bad_boot_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
