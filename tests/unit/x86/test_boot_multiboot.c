/* End to end: the bare-metal Multiboot image i386_multiboot_hello boots on the x86 core in the
 * Multiboot v1 hand-off state (Multiboot spec 3.2 "Machine state"), prints on COM1 by polling
 * LSR.THRE and exits through the isa-debug-exit port 0xF4. The devices and the loading are
 * test-only stand-ins (the real UART, exit device and loader live in src/dev and src/loader). */
#include "x86/helpers.h"

#include <gelf.h>
#include <stdlib.h>

#include "loader/loader.h"

#define MB_INFO_ADDR        0x9000u
#define MB_BOOTLOADER_MAGIC 0x2BADB002u

/* COM1 stand-in: LSR (offset 5) reads THRE | TEMT; THR writes (offset 0) are collected. */
struct com1 {
    char out[256];
    size_t n;
};
static enum bus_status com1_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    (void)dev;
    (void)size;
    *value = offset == 5 ? 0x60 : 0;
    return BUS_OK;
}
static enum bus_status com1_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct com1 *c = dev;
    (void)size;
    if (offset == 0 && c->n + 1 < sizeof c->out) c->out[c->n++] = (char)value;
    return BUS_OK;
}
static const struct bus_ops com1_ops = {com1_read, com1_write};

/* isa-debug-exit stand-in: ringside exits with the value written (design.md "Platforms"). */
static enum bus_status exit_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    (void)dev;
    (void)offset;
    (void)size;
    *value = 0xff;
    return BUS_OK;
}
static enum bus_status exit_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    (void)offset;
    (void)size;
    machine_request_stop(dev, STOP_EXIT, (int)value, "isa-debug-exit %llu",
                         (unsigned long long)value);
    return BUS_OK;
}
static const struct bus_ops exit_ops = {exit_read, exit_write};

/* Loads every PT_LOAD segment at its physical address; returns the entry point. */
static uint64_t load_elf(struct machine *m, const struct embedded_image *img)
{
    assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
    Elf *elf = elf_memory((char *)img->start, (size_t)(img->end - img->start));
    assert_non_null(elf);
    GElf_Ehdr eh;
    assert_non_null(gelf_getehdr(elf, &eh));
    assert_int_equal(eh.e_machine, EM_386);
    size_t n;
    assert_int_equal(elf_getphdrnum(elf, &n), 0);
    unsigned loaded = 0;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        assert_non_null(gelf_getphdr(elf, (int)i, &ph));
        if (ph.p_type != PT_LOAD) continue;
        assert_true(ph.p_offset + ph.p_filesz <= (uint64_t)(img->end - img->start));
        assert_int_equal(
            bus_copy_to_ram(&m->bus, ph.p_paddr, img->start + ph.p_offset, ph.p_filesz), 0);
        assert_int_equal(bus_zero_ram(&m->bus, ph.p_paddr + ph.p_filesz, ph.p_memsz - ph.p_filesz),
                         0);
        loaded++;
    }
    assert_true(loaded > 0);
    uint64_t entry = eh.e_entry;
    elf_end(elf);
    return entry;
}

static const struct embedded_image *find_image(const char *name)
{
    for (unsigned i = 0; i < embedded_image_count; i++)
        if (!strcmp(embedded_images[i].name, name)) return &embedded_images[i];
    return NULL;
}

static void test_multiboot_hello(void **state)
{
    (void)state;
    struct machine *m = calloc(1, sizeof *m);
    char err[256];
    assert_non_null(m);
    assert_int_equal(machine_init(m, ARCH_I386, 0, 64ull << 20, err, sizeof err), 0);

    struct com1 com1 = {{0}, 0};
    struct bus_region uart = {"com1", 0x3f8, 8, &com1_ops, &com1};
    struct bus_region exitdev = {"isa-debug-exit", 0xf4, 1, &exit_ops, m};
    assert_int_equal(bus_add_ports(&m->bus, &uart, err, sizeof err), 0);
    assert_int_equal(bus_add_ports(&m->bus, &exitdev, err, sizeof err), 0);

    const struct embedded_image *img = find_image("i386_multiboot_hello");
    assert_non_null(img);
    uint64_t entry = load_elf(m, img);

    /* Multiboot information (Multiboot spec 3.3): flags bit 2 = cmdline at offset 16. */
    uint32_t info[22] = {0};
    info[0] = 1u << 2;
    info[4] = MB_INFO_ADDR + 0x100;
    assert_int_equal(bus_copy_to_ram(&m->bus, MB_INFO_ADDR, info, sizeof info), 0);
    assert_int_equal(bus_copy_to_ram(&m->bus, MB_INFO_ADDR + 0x100, "", 1), 0);

    struct boot_state boot = {.entry = entry, .arg0 = MB_BOOTLOADER_MAGIC, .arg1 = MB_INFO_ADDR};
    assert_int_equal(x86_cpu_attach(m, &boot, err, sizeof err), 0);
    struct x86_cpu *cpu = m->cpu;
    /* the hand-off state itself */
    assert_int_equal(cpu->gpr[X86_RAX], MB_BOOTLOADER_MAGIC);
    assert_int_equal(cpu->gpr[X86_RBX], MB_INFO_ADDR);
    assert_int_equal(cpu->rip, entry);
    assert_int_equal(cpu->cr0 & (X86_CR0_PE | X86_CR0_PG), X86_CR0_PE);
    assert_int_equal(cpu->rflags & (X86_IF | X86_VM), 0);
    assert_int_equal(cpu->code_bits, 32);
    assert_int_equal(cpu->seg[X86_CS].limit, 0xffffffffu);
    assert_int_equal(cpu->seg[X86_SS].base, 0);

    m->max_insns = 100000;
    assert_int_equal(machine_run(m), STOP_EXIT);
    assert_int_equal(machine_exit_status(m), 0);
    com1.out[com1.n] = '\0';
    assert_string_equal(com1.out, "hello from i386 bare metal (com1)\n");
    assert_true(m->insns > 34);
    assert_int_equal(m->events.count[EV_INSN], m->insns);
    machine_destroy(m);
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multiboot_hello),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
