/* The images embedded in ringside (cmake/guest.cmake, embedded_images[]): each one passes ELF
 * validation (gABI "ELF Header", "Program Header"), has the architecture its table entry names,
 * and boots with its platform's boot function (RISC-V virt device tree; Multiboot 0.6.96). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <string.h>

#include "loader/loader.h"
#include "machine/platform.h"

#define MIB (1ull << 20)

/* The arch the table names; an "x86_64" kernel for Multiboot may be an ELF32 EM_386 container
 * (design.md "Platforms"), which the loader reports as i386. */
static void check_arch(const struct embedded_image *ei, const struct elf_image *e)
{
    if (strcmp(ei->arch, "riscv64") == 0)
        assert_int_equal(e->arch, ARCH_RISCV64);
    else if (strcmp(ei->arch, "i386") == 0)
        assert_int_equal(e->arch, ARCH_I386);
    else if (strcmp(ei->arch, "x86_64") == 0)
        assert_true(e->arch == ARCH_X86_64 || (e->arch == ARCH_I386 && e->elf_class == 32));
    else
        fail_msg("%s: unknown arch \"%s\" in embedded_images[]", ei->name, ei->arch);
}

static void test_every_embedded_image_validates_and_boots(void **state)
{
    (void)state;
    unsigned booted = 0, programs = 0;
    for (unsigned i = 0; i < embedded_image_count; i++) {
        const struct embedded_image *ei = &embedded_images[i];
        char err[256];
        struct elf_image e;
        assert_non_null(ei->start);
        assert_true(ei->end > ei->start);
        assert_true(strcmp(ei->role, "kernel") == 0 || strcmp(ei->role, "test") == 0 ||
                    strcmp(ei->role, "demo") == 0);
        if (elf_open_memory(ei->start, (size_t)(ei->end - ei->start), ei->name, &e, err,
                            sizeof err))
            fail_msg("%s", err);
        check_arch(ei, &e);
        if (strcmp(ei->role, "demo") == 0) {
            /* A user program for the guest kernel (gABI: ET_EXEC, a static executable), not
             * something the platform boots. */
            assert_int_equal(e.type, ET_EXEC);
            assert_true(e.entry >= 0x10000 && e.entry < VIRT_DRAM_BASE);
            elf_close(&e);
            programs++;
            continue;
        }

        struct machine m;
        struct boot_state bs;
        static const uint8_t program[] = "\x7f"
                                         "ELF user program stand-in";
        struct boot_params params = {"--test", program, sizeof program, "prog.elf"};
        int rc;
        if (e.arch == ARCH_RISCV64) {
            assert_int_equal(
                machine_init(&m, ARCH_RISCV64, VIRT_DRAM_BASE, 64 * MIB, err, sizeof err), 0);
            rc = boot_riscv_virt(&m, &e, &params, &bs, err, sizeof err);
        } else {
            enum mach_arch arch = strcmp(ei->arch, "x86_64") == 0 ? ARCH_X86_64 : ARCH_I386;
            assert_int_equal(machine_init(&m, arch, PC_RAM_BASE, 64 * MIB, err, sizeof err), 0);
            rc = boot_multiboot(&m, &e, &params, &bs, err, sizeof err);
        }
        if (rc) fail_msg("%s", err);
        /* The entry lies in an executable segment that was loaded. */
        bool found = false;
        for (size_t s = 0; s < e.n_segments; s++)
            if ((e.segments[s].flags & PF_X) && bs.entry >= e.segments[s].paddr &&
                bs.entry < e.segments[s].paddr + e.segments[s].memsz)
                found = true;
        assert_true(found);
        if (e.arch == ARCH_RISCV64)
            assert_int_equal(bs.arg0, 0);
        else
            assert_int_equal(bs.arg0, 0x2BADB002);
        machine_destroy(&m);
        elf_close(&e);
        booted++;
    }
    assert_int_equal(booted + programs, embedded_image_count);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_embedded_image_validates_and_boots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
