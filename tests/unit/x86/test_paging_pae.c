/* PAE paging (SDM Vol. 3A 4.4 "PAE Paging": the PDPTE registers loaded by MOV to CR0/CR3/CR4 with
 * the reserved-bit #GP(0) of 4.4.1 and Table 4-8, the walk of 4.4.2 with 2 MiB pages; 4.6 access
 * rights and execute-disable; 4.7 #PF error codes with RSVD and I/D; 4.8 accessed and dirty
 * flags). */
#include "x86/helpers.h"

#define PDPT 0x100020u /* 32-byte aligned (CR3[31:5]), not page aligned */
#define PD0  0x101000u /* linear 0..1 GiB: 4 KiB pages below 2 MiB (PT0), a 2 MiB page above */
#define PT0  0x102000u
#define PD1  0x103000u /* linear 1..2 GiB: one 2 MiB page */
#define BIG0 0x600000u /* the frame of linear 0x200000 */
#define BIG1 0x800000u /* the frame of linear 0x40000000 */
#define P    0x1ull
#define RW   0x2ull
#define US   0x4ull
#define A    0x20ull
#define D    0x40ull
#define PS   0x80ull
#define XD   (1ull << 63)

#define EC_P    0x1u
#define EC_W    0x2u
#define EC_U    0x4u
#define EC_RSVD 0x8u
#define EC_I    0x10u

static x86_status run(struct xt *t)
{
    return x86_step(t->cpu);
}

/* Runs one instruction at XT_CODE_ADDR (bytes placed there) and returns its status. */
static x86_status run_at_code(struct xt *t)
{
    t->cpu->rip = XT_CODE_ADDR;
    return x86_step(t->cpu);
}

/* The tables, then MOV CR3, MOV CR4 (PAE), MOV CR0 (PG) as a kernel does it; RIP back at
 * XT_CODE_ADDR. */
static void pae_on(struct xt *t)
{
    struct x86_cpu *cpu = t->cpu;
    for (unsigned i = 0; i < 512; i++) {
        xt_write(cpu, PD0 + 8 * i, 8, 0);
        xt_write(cpu, PT0 + 8 * i, 8, ((uint64_t)i << 12) | P | RW | US);
        xt_write(cpu, PD1 + 8 * i, 8, 0);
    }
    xt_write(cpu, PDPT, 8, PD0 | P);
    xt_write(cpu, PDPT + 8, 8, PD1 | P);
    xt_write(cpu, PDPT + 16, 8, 0);
    xt_write(cpu, PDPT + 24, 8, 0);
    xt_write(cpu, PD0, 8, PT0 | P | RW | US);
    xt_write(cpu, PD0 + 8, 8, BIG0 | PS | P | RW | US);
    xt_write(cpu, PD1, 8, BIG1 | PS | P | RW | US);
    cpu->gpr[X86_RAX] = PDPT;
    cpu->gpr[X86_RBX] = X86_CR4_PAE;
    cpu->gpr[X86_RCX] = X86_CR0_PE | X86_CR0_ET | X86_CR0_PG;
    /* mov cr3, eax; mov cr4, ebx; mov cr0, ecx */
    XT_CODE(cpu, 0x0f, 0x22, 0xd8, 0x0f, 0x22, 0xe3, 0x0f, 0x22, 0xc1);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(run(t), X86_OK);
    assert_true(cpu->cr0 & X86_CR0_PG);
    assert_false(cpu->msr[X86_MSR_EFER] & X86_EFER_LMA); /* PAE paging, not IA-32e mode */
    cpu->rip = XT_CODE_ADDR;
}

/* mov eax, [addr] / mov [addr], eax */
static x86_status load(struct xt *t, uint32_t addr)
{
    uint8_t code[5] = {0xa1, (uint8_t)addr, (uint8_t)(addr >> 8), (uint8_t)(addr >> 16),
                       (uint8_t)(addr >> 24)};
    t->cpu->rip = XT_CODE_ADDR;
    xt_code(t->cpu, code, sizeof code);
    x86_tlb_flush(t->cpu); /* the tests edit the tables: every access walks them */
    return run_at_code(t);
}
static x86_status store(struct xt *t, uint32_t addr)
{
    uint8_t code[5] = {0xa3, (uint8_t)addr, (uint8_t)(addr >> 8), (uint8_t)(addr >> 16),
                       (uint8_t)(addr >> 24)};
    t->cpu->rip = XT_CODE_ADDR;
    xt_code(t->cpu, code, sizeof code);
    x86_tlb_flush(t->cpu);
    return run_at_code(t);
}

static void assert_pf(struct xt *t, x86_status st, uint32_t ec, uint32_t cr2)
{
    xt_assert_trap(t->cpu, st, X86_VEC_PF, (int)ec);
    assert_int_equal(t->cpu->cr2, cr2);
}

/* 4.4.2: lin[31:30] picks the PDPTE, [29:21] the PDE, [20:12] the PTE; a PDE with PS = 1 maps
 * 2 MiB. 4.8: A in the PDE and PTE used, D in the leaf on a write. */
static void test_pae_walk(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    pae_on(t);
    xt_write(cpu, BIG0 + 0x10, 4, 0x1234);
    assert_int_equal(load(t, 0x200010), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX], 0x1234);
    assert_int_equal(xt_read(cpu, PD0, 8) & (A | D), A); /* the fetch walked PDE 0 and PT0 */
    assert_int_equal(xt_read(cpu, PT0 + 8, 8) & (A | D), A);
    assert_int_equal(xt_read(cpu, PD0 + 8, 8) & (A | D), A);
    assert_int_equal(store(t, 0x3ffffc), X86_OK); /* the last bytes of the 2 MiB page */
    assert_int_equal(xt_read(cpu, BIG0 + 0x1ffffc, 4), 0x1234);
    assert_int_equal(xt_read(cpu, PD0 + 8, 8) & (A | D), A | D);
    /* a 4 KiB page: D in the PTE, not in the PDE */
    assert_int_equal(store(t, XT_DATA_ADDR + 4), X86_OK);
    assert_int_equal(xt_read(cpu, XT_DATA_ADDR + 4, 4), 0x1234);
    assert_int_equal(xt_read(cpu, PT0 + 8 * 0x10, 8) & (A | D), A | D);
    assert_int_equal(xt_read(cpu, PD0, 8) & D, 0);
    /* PDPTE 1 */
    xt_write(cpu, BIG1 + 0x123458, 4, 0xbeef);
    assert_int_equal(load(t, 0x40123458), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX], 0xbeef);
    /* PDPTEs have no accessed flag in PAE paging (Table 4-8) */
    assert_int_equal(xt_read(cpu, PDPT + 8, 8), PD1 | P);
}

/* 4.4.1: the walk uses the PDPTE registers: a PDPT changed in memory counts only once MOV CR3
 * reloads it. 4.7: a not-present PDPTE, PDE or PTE is #PF with P = 0, W and U/S of the access,
 * CR2 the linear address. */
static void test_pae_pdpte_registers_and_not_present(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    pae_on(t);
    xt_write(cpu, PDPT + 8, 8, 0);
    assert_int_equal(load(t, 0x40000000), X86_OK);
    cpu->gpr[X86_RAX] = PDPT;
    cpu->rip = XT_CODE_ADDR;
    XT_CODE(cpu, 0x0f, 0x22, 0xd8); /* mov cr3, eax */
    assert_int_equal(run_at_code(t), X86_OK);
    assert_pf(t, load(t, 0x40000000), 0, 0x40000000);
    assert_pf(t, store(t, 0xc0000000), EC_W, 0xc0000000); /* PDPTE 3 */
    assert_pf(t, load(t, 0x00400000), 0, 0x00400000);     /* PDE 2 */
    xt_write(cpu, PT0 + 8 * 0x11, 8, 0);
    assert_pf(t, store(t, 0x11000), EC_W, 0x11000); /* PTE */
    xt_enter_user(cpu);
    assert_pf(t, load(t, 0x00400000), EC_U, 0x00400000);
}

/* 4.4.1, Table 4-8: a present PDPTE with a reserved bit (2:1, 8:5, 63:MAXPHYADDR; bit 63 too:
 * PDPTEs have no XD) makes MOV CR3 #GP(0), leaving CR3 and the PDPTE registers; PWT/PCD and the
 * ignored bits 11:9 are allowed, and a not-present PDPTE is not checked. */
static void test_pae_pdpte_reserved_bits(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    pae_on(t);
    static const uint64_t bad[] = {0x2, 0x4, 0x20, 0x100, 1ull << 40, 1ull << 63};
    cpu->gpr[X86_RAX] = PDPT;
    XT_CODE(cpu, 0x0f, 0x22, 0xd8); /* mov cr3, eax */
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        xt_write(cpu, PDPT + 16, 8, PD1 | P | bad[i]);
        cpu->cr3 = 0x7000; /* seen unchanged after the fault */
        xt_assert_trap(cpu, run_at_code(t), X86_VEC_GP, 0);
        assert_int_equal(cpu->cr3, 0x7000);
    }
    /* the registers were not replaced: PDPTE 2 is still not present */
    cpu->cr3 = PDPT;
    XT_CODE(cpu, 0xa1, 0x00, 0x00, 0x00, 0x80); /* mov eax, [0x80000000] */
    x86_tlb_flush(cpu);
    assert_pf(t, run_at_code(t), 0, 0x80000000);
    xt_write(cpu, PDPT + 16, 8, PD1 | 0x2 | 0xe00); /* not present: reserved bits unchecked */
    XT_CODE(cpu, 0x0f, 0x22, 0xd8);
    assert_int_equal(run_at_code(t), X86_OK);
    xt_write(cpu, PDPT + 16, 8, PD1 | P | 0x18 | 0xe00); /* PWT, PCD, ignored bits */
    assert_int_equal(run_at_code(t), X86_OK);
    assert_int_equal(load(t, 0x80000010), X86_OK); /* PDPTE 2 now maps PD1 */
}

/* 4.4.1: MOV CR0 that sets PG, and MOV CR4 that changes PSE (or PAE, PGE) with PAE paging in use
 * after it, load the PDPTEs too (#GP(0) for a reserved bit, the register unchanged); a CR4 write
 * that changes none of those bits does not. */
static void test_pae_pdpte_load_on_cr0_cr4(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    pae_on(t);
    xt_write(cpu, PDPT + 24, 8, PD1 | P | 0x40); /* PDPTE 3: reserved bit 6 */
    cpu->gpr[X86_RBX] = X86_CR4_PAE | X86_CR4_TSD;
    XT_CODE(cpu, 0x0f, 0x22, 0xe3); /* mov cr4, ebx */
    assert_int_equal(run_at_code(t), X86_OK);
    cpu->gpr[X86_RBX] = X86_CR4_PAE | X86_CR4_PSE;
    xt_assert_trap(cpu, run_at_code(t), X86_VEC_GP, 0);
    assert_int_equal(cpu->cr4, X86_CR4_PAE | X86_CR4_TSD);
    /* paging off, then MOV CR0 setting PG: the same check */
    cpu->cr0 &= ~(uint64_t)X86_CR0_PG;
    x86_tlb_flush(cpu);
    cpu->gpr[X86_RCX] = X86_CR0_PE | X86_CR0_ET | X86_CR0_PG;
    XT_CODE(cpu, 0x0f, 0x22, 0xc1); /* mov cr0, ecx */
    xt_assert_trap(cpu, run_at_code(t), X86_VEC_GP, 0);
    assert_false(cpu->cr0 & X86_CR0_PG);
    xt_write(cpu, PDPT + 24, 8, 0);
    assert_int_equal(run_at_code(t), X86_OK);
    assert_true(cpu->cr0 & X86_CR0_PG);
}

/* 4.7, Tables 4-9 to 4-11: a reserved bit in a PDE or PTE is #PF with P = 1 and RSVD = 1: bits
 * 20:13 of a 2 MiB PDE, bits 62:MAXPHYADDR, and XD (bit 63) while EFER.NXE = 0. */
static void test_pae_reserved_bits_pf(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    pae_on(t);
    xt_write(cpu, PD0 + 8, 8, BIG0 | PS | P | RW | US | 0x2000);
    assert_pf(t, load(t, 0x200000), EC_P | EC_RSVD, 0x200000);
    xt_write(cpu, PD0 + 8, 8, BIG0 | PS | P | RW | US | 1ull << 50);
    assert_pf(t, store(t, 0x200000), EC_P | EC_RSVD | EC_W, 0x200000);
    xt_write(cpu, PD0 + 8, 8, BIG0 | PS | P | RW | US | 0x1000); /* bit 12: PAT, allowed */
    assert_int_equal(load(t, 0x200000), X86_OK);
    xt_write(cpu, PT0 + 8 * 0x12, 8, 0x12000 | P | RW | US | 1ull << 40);
    assert_pf(t, load(t, 0x12000), EC_P | EC_RSVD, 0x12000);
    xt_write(cpu, PT0 + 8 * 0x12, 8, 0x12000 | P | RW | US | XD);
    assert_pf(t, load(t, 0x12000), EC_P | EC_RSVD, 0x12000);
    cpu->msr[X86_MSR_EFER] |= X86_EFER_NXE; /* XD is a permission bit now */
    assert_int_equal(load(t, 0x12000), X86_OK);
}

/* 4.6.2: with EFER.NXE = 1, XD = 1 in the PDE or PTE forbids instruction fetches (reads stay
 * allowed): #PF with P = 1 and I/D = 1; 4.7: I/D is set for every fetch fault with NXE = 1 (a
 * not-present one too) and never with NXE = 0. */
static void test_pae_execute_disable(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    pae_on(t);
    cpu->msr[X86_MSR_EFER] |= X86_EFER_NXE;
    xt_write(cpu, 0x5000, 1, 0x90);
    xt_write(cpu, PT0 + 8 * 5, 8, 0x5000 | P | RW | US | XD);
    x86_tlb_flush(cpu);
    cpu->rip = 0x5000;
    assert_pf(t, run(t), EC_P | EC_I, 0x5000);
    assert_int_equal(load(t, 0x5000), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX] & 0xff, 0x90);
    /* XD in the 2 MiB PDE */
    xt_write(cpu, BIG0, 1, 0x90);
    xt_write(cpu, PD0 + 8, 8, BIG0 | PS | P | RW | US | XD);
    x86_tlb_flush(cpu);
    cpu->rip = 0x200000;
    assert_pf(t, run(t), EC_P | EC_I, 0x200000);
    /* without XD the fetch works */
    xt_write(cpu, PD0 + 8, 8, BIG0 | PS | P | RW | US);
    x86_tlb_flush(cpu);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->rip, 0x200001);
    /* not present: I/D with NXE = 1, not without */
    cpu->rip = 0x400000;
    assert_pf(t, run(t), EC_I, 0x400000);
    cpu->msr[X86_MSR_EFER] &= ~(uint64_t)X86_EFER_NXE;
    assert_pf(t, run(t), 0, 0x400000);
}

/* 4.6.1: U/S and R/W combine over the PDE and PTE (the PDPTEs carry none): a user access needs
 * U/S = 1 in both, a user write R/W = 1 in both; a supervisor write to a read-only page faults
 * only with CR0.WP = 1. */
static void test_pae_access_rights(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    pae_on(t);
    xt_write(cpu, PT0 + 8 * 0x13, 8, 0x13000 | P | US); /* read-only user page */
    assert_int_equal(store(t, 0x13000), X86_OK);        /* supervisor, WP = 0 */
    cpu->cr0 |= X86_CR0_WP;
    assert_pf(t, store(t, 0x13000), EC_P | EC_W, 0x13000);
    xt_write(cpu, PD0 + 8, 8, BIG0 | PS | P | RW); /* supervisor-only 2 MiB page */
    xt_enter_user(cpu);
    assert_pf(t, load(t, 0x200000), EC_P | EC_U, 0x200000);
    assert_pf(t, store(t, 0x13000), EC_P | EC_W | EC_U, 0x13000);
    assert_int_equal(load(t, 0x13000), X86_OK);
    /* R/W = 0 in the PDE makes every page under it read-only */
    xt_write(cpu, PD0, 8, PT0 | P | US);
    assert_pf(t, store(t, XT_DATA_ADDR), EC_P | EC_W | EC_U, XT_DATA_ADDR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pae_walk, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_pae_pdpte_registers_and_not_present, xt_setup,
                                        xt_teardown),
        cmocka_unit_test_setup_teardown(test_pae_pdpte_reserved_bits, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_pae_pdpte_load_on_cr0_cr4, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_pae_reserved_bits_pf, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_pae_execute_disable, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_pae_access_rights, xt_setup, xt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
