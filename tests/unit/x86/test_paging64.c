/* IA-32e mode and 4-level paging: the switch into long mode (SDM Vol. 3A 10.8.5 "Initializing
 * IA-32e Mode"), 4-level translations with 4 KiB, 2 MiB and 1 GiB pages (4.5), reserved bits
 * (4.5.5, #PF with RSVD), execute-disable (4.6.2, #PF with I/D), U/S and R/W with CR0.WP (4.6.1),
 * accessed and dirty flags (4.8), CR2 (4.7), INVLPG (4.10.4) and canonical addresses (3.3.7.1). */
#include "x86/helpers.h"

#define P  0x1ull
#define RW 0x2ull
#define US 0x4ull
#define A  0x20ull
#define D  0x40ull
#define PS 0x80ull
#define XD (1ull << 63)

#define PF_P    0x1u
#define PF_W    0x2u
#define PF_U    0x4u
#define PF_RSVD 0x8u
#define PF_I    0x10u

static void lm(struct xt *t)
{
    xt_lm_env(t->cpu);
    t->cpu->gpr[X86_RSP] = XT_STACK_TOP;
}

/* 10.8.5: CR4.PAE, EFER.LME, then CR0.PG sets EFER.LMA; the code stays 32-bit (compatibility
 * mode) until a far JMP loads a CS with L = 1. */
static void test_enter_ia32e(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    /* back to protected mode without paging, with the tables in place */
    cpu->cr0 &= ~(uint64_t)X86_CR0_PG;
    cpu->cr4 = 0;
    cpu->msr[X86_MSR_EFER] = 0;
    xt_load_cache(cpu, X86_CS, XT_KCODE);
    x86_tlb_flush(cpu);
    cpu->gpr[X86_RAX] = X86_CR4_PAE;
    cpu->gpr[X86_RBX] = XT_PML4;
    /* mov cr4,eax; mov cr3,ebx; mov ecx,0xc0000080; mov eax,0x100; wrmsr;
     * mov eax,0x80000011; mov cr0,eax; jmp far 0x50:0x1100 */
    XT_CODE(cpu, 0x0f, 0x22, 0xe0, 0x0f, 0x22, 0xdb, 0xb9, 0x80, 0x00, 0x00, 0xc0, 0xb8, 0x00, 0x01,
            0x00, 0x00, 0x0f, 0x30, 0xb8, 0x11, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0, 0xea, 0x00,
            0x11, 0x00, 0x00, 0x50, 0x00);
    for (int i = 0; i < 6; i++)
        assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->msr[X86_MSR_EFER] & X86_EFER_LMA, 0);
    assert_int_equal(x86_step(cpu), X86_OK); /* mov cr0 */
    assert_int_equal(cpu->msr[X86_MSR_EFER] & X86_EFER_LMA, X86_EFER_LMA);
    assert_int_equal(cpu->code_bits, 32); /* compatibility mode */
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->code_bits, 64);
    assert_int_equal(cpu->rip, 0x1100);
    assert_int_equal(cpu->seg[X86_CS].sel, XT_LM_KCODE);
}

/* 10.8.5 / Vol. 2B MOV CR0: setting PG with LME = 1 and PAE = 0 is #GP(0). */
static void test_enter_without_pae(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    xt_pm_env(cpu);
    cpu->msr[X86_MSR_EFER] = X86_EFER_LME;
    cpu->gpr[X86_RAX] = 0x80000011u;
    XT_CODE(cpu, 0x0f, 0x22, 0xc0);
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_GP, 0);
    assert_int_equal(cpu->cr0 & X86_CR0_PG, 0);
    assert_int_equal(cpu->msr[X86_MSR_EFER] & X86_EFER_LMA, 0);
}

/* Vol. 2B MOV CR4: clearing PAE with LMA = 1 is #GP(0); APM 14.7: clearing PG in 64-bit mode is
 * #GP(0); Vol. 2B WRMSR / SDM 10.8.5: changing LME with paging on is #GP(0). */
static void test_leave_checks(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    cpu->gpr[X86_RAX] = 0;
    XT_CODE(cpu, 0x0f, 0x22, 0xe0); /* mov cr4, rax */
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_GP, 0);
    assert_true(cpu->cr4 & X86_CR4_PAE);
    cpu->gpr[X86_RAX] = X86_CR0_PE;
    XT_CODE(cpu, 0x0f, 0x22, 0xc0); /* mov cr0, rax */
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_GP, 0);
    assert_true(cpu->cr0 & X86_CR0_PG);
    assert_int_equal(x86_wrmsr(cpu, 0xc0000080u, X86_EFER_NXE), X86_TRAP_EC(X86_VEC_GP, 0));
    assert_true(cpu->msr[X86_MSR_EFER] & X86_EFER_LMA);
}

/* Leaving IA-32e mode from compatibility mode: clearing PG clears LMA (10.8.5.4). */
static void test_leave_from_compat(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    xt_load_cache(cpu, X86_CS, XT_KCODE);
    assert_int_equal(cpu->code_bits, 32);
    cpu->gpr[X86_RAX] = X86_CR0_PE;
    XT_CODE(cpu, 0x0f, 0x22, 0xc0);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->msr[X86_MSR_EFER] & X86_EFER_LMA, 0);
    assert_int_equal(cpu->code_bits, 32);
}

/* 4.5: a 4 KiB translation through all four levels; A in every entry, D in the PTE on a write. */
static void test_4k_walk_ad(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    /* linear 0x0000_0080_0000_3000 -> 0x300000: PML4[1] -> PDPT2 -> PD2 -> PT2 */
    xt_write(cpu, XT_PML4 + 8, 8, 0x210000 | P | RW);
    xt_write(cpu, 0x210000, 8, 0x211000 | P | RW);
    xt_write(cpu, 0x211000, 8, 0x212000 | P | RW);
    xt_write(cpu, 0x212000 + 3 * 8, 8, 0x300000 | P | RW);
    xt_write(cpu, 0x300008, 8, 0x1122334455667788ull);
    cpu->gpr[X86_RBX] = 0x8000003000ull;
    /* mov rax,[rbx+8]; mov [rbx+16],rax */
    XT_CODE(cpu, 0x48, 0x8b, 0x43, 0x08, 0x48, 0x89, 0x43, 0x10);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX], 0x1122334455667788ull);
    assert_int_equal(xt_read(cpu, XT_PML4 + 8, 8) & (A | D), A);
    assert_int_equal(xt_read(cpu, 0x210000, 8) & (A | D), A);
    assert_int_equal(xt_read(cpu, 0x211000, 8) & (A | D), A);
    assert_int_equal(xt_read(cpu, 0x212018, 8) & (A | D), A);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(xt_read(cpu, 0x300010, 8), 0x1122334455667788ull);
    assert_int_equal(xt_read(cpu, 0x212018, 8) & (A | D), A | D);
}

/* 4.5: 2 MiB pages (PDE.PS) and 1 GiB pages (PDPTE.PS); the offset comes from the linear
 * address's low 21 / 30 bits. */
static void test_large_pages(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    xt_write(cpu, 0x5abcd8, 8, 0x2222);
    /* 1 GiB page: linear 0x40000000.. -> physical 0.. */
    xt_write(cpu, XT_PDPT + 8, 8, 0 | PS | P | RW);
    cpu->gpr[X86_RBX] = 0x405abcd8ull;
    XT_CODE(cpu, 0x48, 0x8b, 0x03, 0x48, 0x89, 0x43, 0x08); /* mov rax,[rbx]; mov [rbx+8],rax */
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX], 0x2222);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(xt_read(cpu, 0x5abce0, 8), 0x2222);
    assert_int_equal(xt_read(cpu, XT_PDPT + 8, 8) & (A | D), A | D);
    /* 2 MiB page: PD[4] maps 8 MiB.. to 4 MiB.. */
    xt_write(cpu, XT_PD + 4 * 8, 8, 0x400000 | PS | P | RW);
    xt_write(cpu, 0x4abcd0, 8, 0x4444);
    cpu->gpr[X86_RBX] = 0x8abcd0;
    XT_CODE(cpu, 0x48, 0x8b, 0x03);
    x86_tlb_flush(cpu);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX], 0x4444);
}

/* 4.5.5 and 4.7: a reserved bit set in an entry used is #PF with P and RSVD, CR2 = the address.
 * Reserved: PML4E.PS, address bits at or above MAXPHYADDR, 2 MiB PDE bits 20:13, 1 GiB PDPTE
 * bits 29:13, XD with EFER.NXE = 0. */
static void test_reserved_bits(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    static const struct {
        uint64_t addr, value;
        bool nxe;
    } cases[] = {
        {XT_PML4, XT_PDPT | P | RW | US | PS, true},
        {XT_PD + 4 * 8, 0x400000 | PS | P | RW | US | (1ull << 13), true},
        {XT_PDPT, 0 | PS | P | RW | US | (1ull << 20), true},
        {XT_PD + 4 * 8, 0x400000 | PS | P | RW | US | (1ull << 45), true},
        {XT_PD + 4 * 8, 0x400000 | PS | P | RW | US | XD, false},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lm(t);
        if (!cases[i].nxe) cpu->msr[X86_MSR_EFER] &= ~(uint64_t)X86_EFER_NXE;
        xt_write(cpu, XT_PD + 4 * 8, 8, 0x400000 | PS | P | RW | US);
        xt_write(cpu, cases[i].addr, 8, cases[i].value);
        cpu->gpr[X86_RBX] = 0x800010;
        XT_CODE(cpu, 0x48, 0x89, 0x03); /* mov [rbx], rax */
        if (cases[i].addr == XT_PML4 || cases[i].addr == XT_PDPT) {
            /* the code page is also behind the bad entry: the fetch faults first */
            xt_assert_trap(cpu, x86_step(cpu), X86_VEC_PF, PF_P | PF_RSVD | PF_I);
            assert_int_equal(cpu->cr2, XT_CODE_ADDR);
        } else {
            xt_assert_trap(cpu, x86_step(cpu), X86_VEC_PF, PF_P | PF_RSVD | PF_W);
            assert_int_equal(cpu->cr2, 0x800010);
        }
        /* nothing was written, and no accessed flag set in the faulting walk's leaf */
        assert_int_equal(xt_read(cpu, cases[i].addr, 8), cases[i].value);
    }
}

/* 4.6.2: with EFER.NXE = 1 a fetch from a page with XD = 1 (at any level) is #PF with P and I/D;
 * reads of the page still work. A fetch from a not-present page carries I/D too (4.7). */
static void test_execute_disable(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    xt_write(cpu, XT_PD + 4 * 8, 8, 0x400000 | PS | P | RW | XD);
    xt_write(cpu, 0x400000, 1, 0x90);
    cpu->gpr[X86_RBX] = 0x800000;
    XT_CODE(cpu, 0x8a, 0x03, 0xff, 0xe3); /* mov al,[rbx]; jmp rbx */
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX] & 0xff, 0x90);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->rip, 0x800000);
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_PF, PF_P | PF_I);
    assert_int_equal(cpu->cr2, 0x800000);
    /* a fetch from a not-present page */
    cpu->rip = 0x1000000; /* PD[8]: not present */
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_PF, PF_I);
    /* with NXE = 0 the I/D bit stays clear (4.7) */
    cpu->msr[X86_MSR_EFER] &= ~(uint64_t)X86_EFER_NXE;
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_PF, 0);
}

/* 4.6.1: user accesses need U/S = 1 at every level; user writes R/W = 1 at every level;
 * supervisor writes to read-only pages succeed with CR0.WP = 0 and fault with WP = 1. */
static void test_us_rw_wp(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    xt_write(cpu, XT_PD + 4 * 8, 8, 0x400000 | PS | P | US); /* read-only user page */
    xt_write(cpu, XT_PD + 5 * 8, 8, 0xa00000 | PS | P | RW); /* supervisor page */
    cpu->gpr[X86_RBX] = 0x800000;
    cpu->gpr[X86_RCX] = 0xa00000;
    XT_CODE(cpu, 0x48, 0x89, 0x03);          /* mov [rbx], rax */
    assert_int_equal(x86_step(cpu), X86_OK); /* WP = 0 */
    cpu->rip = XT_CODE_ADDR;
    cpu->cr0 |= X86_CR0_WP;
    x86_tlb_flush(cpu);
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_PF, PF_P | PF_W);
    /* user mode */
    xt_load_cache(cpu, X86_CS, XT_LM_UCODE);
    xt_load_cache(cpu, X86_SS, XT_LM_UDATA);
    cpu->cpl = 3;
    cpu->cr0 &= ~(uint64_t)X86_CR0_WP;
    x86_tlb_flush(cpu);
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_PF, PF_P | PF_W | PF_U);
    XT_CODE(cpu, 0x48, 0x8b, 0x01); /* mov rax, [rcx] */
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_PF, PF_P | PF_U);
    assert_int_equal(cpu->cr2, 0xa00000);
}

/* 4.10.4.1: INVLPG drops a stale translation; for a 2 MiB page the whole page goes. */
static void test_invlpg(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    xt_write(cpu, XT_PD + 4 * 8, 8, 0x400000 | PS | P | RW);
    xt_write(cpu, 0x400000, 8, 1);
    xt_write(cpu, 0x600000, 8, 2);
    cpu->gpr[X86_RBX] = 0x800000;
    /* mov rax,[rbx]; mov rax,[rbx]; invlpg [rbx+0x1000]; mov rax,[rbx] */
    XT_CODE(cpu, 0x48, 0x8b, 0x03, 0x48, 0x8b, 0x03, 0x0f, 0x01, 0xbb, 0x00, 0x10, 0x00, 0x00, 0x48,
            0x8b, 0x03);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX], 1);
    xt_write(cpu, XT_PD + 4 * 8, 8, 0x600000 | PS | P | RW);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX], 1); /* the TLB is not coherent */
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX], 2);
}

/* 3.3.7.1 and Vol. 2 "64-Bit Mode Exceptions": a non-canonical data address is #GP(0); through
 * RSP or RBP (an SS reference) #SS(0). A non-canonical RIP after a branch is #GP(0) at the
 * branch. */
static void test_canonical(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    cpu->gpr[X86_RBX] = 0x0000800000000000ull;
    cpu->gpr[X86_RBP] = 0xffff7fffffff0000ull;
    XT_CODE(cpu, 0x48, 0x8b, 0x03); /* mov rax, [rbx] */
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_GP, 0);
    XT_CODE(cpu, 0x48, 0x8b, 0x45, 0x00); /* mov rax, [rbp+0] */
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_SS, 0);
    XT_CODE(cpu, 0xff, 0xe3); /* jmp rbx */
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_GP, 0);
    /* the last byte crossing into the non-canonical hole counts too */
    cpu->gpr[X86_RBX] = 0x00007ffffffffffcull;
    XT_CODE(cpu, 0x48, 0x8b, 0x03);
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_GP, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_enter_ia32e, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_enter_without_pae, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_leave_checks, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_leave_from_compat, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_4k_walk_ad, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_large_pages, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_reserved_bits, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_execute_disable, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_us_rw_wp, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_invlpg, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_canonical, xt_setup, xt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
