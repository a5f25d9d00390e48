/* QEMU as an oracle for the privileged architecture: oracle/priv_walk.S walks M -> S -> U and
 * back through ecall, ebreak, an illegal CSR access, a delegated vectored supervisor software
 * interrupt, TSR and an Sv39 page fault, printing the trap CSRs (xcause, xepc, xtval, xstatus)
 * at every step. oracle/priv_walk.inc holds its image and what qemu-system-riscv64 (virt,
 * h=false) printed (oracle/regenerate.sh). ringside must print the same, except where it
 * deliberately differs:
 *   - ebreak: QEMU writes stval = 0, ringside the ebreak's address (priv. spec 3.1.16 allows
 *     both; ringside does what Spike does).
 * PMP is programmed by the walk for QEMU's sake; ringside stores it without enforcing it. */
#include "riscv/helpers.h"

#include <string.h>

#include "machine/platform.h"
#include "riscv/oracle/priv_walk.inc"

struct out {
    char text[4096];
    size_t n;
};

static enum bus_status uart_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    (void)dev;
    (void)size;
    *value = offset == 5 ? 0x60 : 0; /* LSR: THRE | TEMT */
    return BUS_OK;
}

static enum bus_status uart_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct out *o = dev;
    (void)size;
    if (offset == 0 && o->n + 1 < sizeof o->text) o->text[o->n++] = (char)value;
    return BUS_OK;
}

static enum bus_status finisher_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    (void)offset;
    (void)size;
    machine_request_stop(dev, STOP_EXIT, (value & 0xffff) == 0x5555 ? 0 : 1, "finisher");
    return BUS_OK;
}

static void test_priv_walk_matches_qemu(void **state)
{
    (void)state;
    static const struct bus_ops uart_ops = {uart_read, uart_write};
    static const struct bus_ops finisher_ops = {NULL, finisher_write};
    struct machine m;
    struct out out = {0};
    char err[256];
    assert_int_equal(machine_init(&m, ARCH_RISCV64, VIRT_DRAM_BASE, 16ull << 20, err, sizeof err),
                     0);
    struct bus_region u = {"test-uart", VIRT_UART0_BASE, 8, &uart_ops, &out};
    struct bus_region f = {"test-finisher", VIRT_TEST_BASE, 0x1000, &finisher_ops, &m};
    assert_int_equal(bus_add_mmio(&m.bus, &u, err, sizeof err), 0);
    assert_int_equal(bus_add_mmio(&m.bus, &f, err, sizeof err), 0);
    assert_int_equal(
        bus_copy_to_ram(&m.bus, VIRT_DRAM_BASE, priv_walk_image, sizeof priv_walk_image), 0);
    struct boot_state bs = {.entry = VIRT_DRAM_BASE};
    assert_int_equal(rv_cpu_attach(&m, &bs, err, sizeof err), 0);
    m.max_insns = 1000000;
    assert_int_equal(machine_run(&m), STOP_EXIT);
    assert_int_equal(machine_exit_status(&m), 0);

    /* expected: QEMU's lines; line 14 (stval after the ebreak) becomes line 13 (its sepc) */
    char expected[4096];
    assert_true(strlen(priv_walk_qemu_output) < sizeof expected);
    strcpy(expected, priv_walk_qemu_output);
    char *line[64];
    unsigned n = 0;
    for (char *p = expected; *p && n < 64;) {
        line[n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl) break;
        p = nl + 1;
    }
    assert_true(n >= 40);
    assert_memory_equal(line[13], "0000000000000000\n", 17);
    memcpy(line[13], line[12], 16);
    assert_string_equal(out.text, expected);
    machine_destroy(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_priv_walk_matches_qemu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
