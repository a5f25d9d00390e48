/* The monitor under PAE paging (SDM Vol. 3A 4.4): `pt` walks from the PDPTE registers through
 * 8-byte PDEs and PTEs (4 KiB and 2 MiB pages, not-present entries, reserved bits, XD with
 * EFER.NXE), and reading memory by virtual address (`x`) translates the same way. The machine is
 * an x86 core with PAE page tables set up by hand; the session is a script on a memory stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/x86/x86.h"
#include "loader/loader.h"
#include "mmu/x86_paging.h"
#include "monitor/monitor.h"

enum {
    PDPT = 0x10000, /* 32-byte aligned: CR3 */
    PD = 0x11000,
    PT = 0x12000,
    DATA = 0x20000,
    BIG = 0x400000 /* a 2 MiB page */
};

static void put64(struct machine *m, uint64_t addr, uint64_t v)
{
    assert_int_equal(bus_copy_to_ram(&m->bus, addr, &v, 8), 0);
}

/* Runs script on a PAE machine and returns what the monitor printed (malloc'd). */
static char *session(const char *script, bool nxe)
{
    static struct machine m;
    char err[256];
    assert_int_equal(machine_init(&m, ARCH_I386, 0, 16 << 20, err, sizeof err), 0);
    struct boot_state boot = {.entry = 0x1000};
    assert_int_equal(x86_cpu_attach(&m, &boot, err, sizeof err), 0);
    struct x86_cpu *cpu = m.cpu;
    /* PDPTE 0 -> PD; PD[0] -> PT (user, writable); PD[2] -> 2 MiB page at BIG (supervisor,
     * read-only, XD); PT[0x20] -> DATA (user, read-only); PT[0x21] not present; PDPTE 1 absent;
     * PD[3] with a reserved bit (bit 51, beyond MAXPHYADDR). */
    put64(&m, PDPT, PD | 1);
    put64(&m, PD + 0 * 8, PT | 7);
    put64(&m, PD + 2 * 8, BIG | 0x81 | 1ull << 63);
    put64(&m, PD + 3 * 8, PT | 1 | 1ull << 51);
    put64(&m, PT + 0x20 * 8, DATA | 5);
    put64(&m, DATA + 8, 0x1122334455667788ull);
    cpu->cr3 = PDPT;
    cpu->cr4 |= X86_CR4_PAE;
    cpu->cr0 |= X86_CR0_PG;
    if (nxe) cpu->msr[X86_MSR_EFER] |= X86_EFER_NXE;
    assert_true(mmu_x86_load_pdptes(&m.bus, PDPT, cpu->pdpte));

    const struct embedded_image *ei = NULL;
    for (unsigned i = 0; i < embedded_image_count; i++)
        if (!strcmp(embedded_images[i].arch, "i386") && !strcmp(embedded_images[i].role, "test"))
            ei = &embedded_images[i];
    assert_non_null(ei);
    struct elf_image kernel;
    assert_int_equal(elf_open_memory(ei->start, (size_t)(ei->end - ei->start), ei->name, &kernel,
                                     err, sizeof err),
                     0);
    FILE *in = fmemopen((void *)script, strlen(script), "r");
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(in);
    assert_non_null(out);
    struct mon_config cfg = {.kernel = &kernel, .interactive = true, .in = in, .out = out};
    mon_run(&m, &cfg);
    fclose(in);
    fclose(out);
    elf_close(&kernel);
    machine_destroy(&m);
    return text;
}

static void has(const char *text, const char *want)
{
    if (!strstr(text, want)) fail_msg("monitor output lacks \"%s\":\n%s", want, text);
}

/* A 4 KiB page: PDPTE (its register, at its CR3 address), PDE, PTE; the rights of the PDE and PTE
 * combine, the PDPTE has none; `x` reads through the same walk. */
static void pt_walks_a_4k_page(void **state)
{
    (void)state;
    char *out = session("pt 0x20008\nx/1g 0x20008\nquit\n", false);
    has(out, "(PAE paging): pdpte=0 pd=0 pt=0x20 offset=0x8");
    has(out, "PDPTE @0x10000 = 0x0000000000011001");
    has(out, "PDE   @0x11000 = 0x0000000000012007");
    has(out, "PTE   @0x12100 = 0x0000000000020005");
    has(out, "-> pa 0x20008  (user, read-only, executable)");
    has(out, "0x1122334455667788");
    free(out);
}

/* A 2 MiB page with XD: no-execute only with EFER.NXE (else XD is a reserved bit). */
static void pt_walks_a_2m_page_with_xd(void **state)
{
    (void)state;
    char *out = session("pt 0x412345\nquit\n", true);
    has(out, "leaf, 2 MiB page");
    has(out, "-> pa 0x412345  (supervisor only, read-only, no-execute)");
    free(out);
    out = session("pt 0x412345\nquit\n", false);
    has(out, "reserved bits in the PDE");
    free(out);
}

/* Not present at each level, and a reserved address bit. */
static void pt_reports_unmapped_addresses(void **state)
{
    (void)state;
    char *out = session("pt 0x21000\npt 0x40000000\npt 0x600000\nquit\n", false);
    has(out, "the PTE is not present");
    has(out, "the PDPTE is not present");
    has(out, "reserved bits in the PDE");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pt_walks_a_4k_page),
        cmocka_unit_test(pt_walks_a_2m_page_with_xd),
        cmocka_unit_test(pt_reports_unmapped_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
