/* 32-bit paging (SDM Vol. 3A 4.3 "32-Bit Paging", 4.6 access rights, 4.7 page-fault exceptions,
 * 4.8 accessed and dirty flags, 4.10.4 INVLPG): translations through 4 KiB and 4 MiB pages,
 * #PF error codes and CR2, U/S and R/W with CR0.WP, A/D bits, delivery of #PF. */
#include "x86/helpers.h"

#define PD  0x100000u /* page directory */
#define PT0 0x101000u /* identity map of 0..4 MiB, user read/write */
#define PT1 0x102000u /* maps linear 4 MiB.. */
#define P   0x1u
#define RW  0x2u
#define US  0x4u
#define A   0x20u
#define D   0x40u
#define PS  0x80u

static x86_status run(struct xt *t)
{
    return x86_step(t->cpu);
}

static void paging_on(struct xt *t)
{
    for (unsigned i = 0; i < 1024; i++) {
        xt_write(t->cpu, PD + 4 * i, 4, 0);
        xt_write(t->cpu, PT0 + 4 * i, 4, (i << 12) | P | RW | US);
        xt_write(t->cpu, PT1 + 4 * i, 4, 0);
    }
    xt_write(t->cpu, PD, 4, PT0 | P | RW | US);
    xt_write(t->cpu, PD + 4, 4, PT1 | P | RW | US);
    t->cpu->cr3 = PD;
    t->cpu->cr0 |= X86_CR0_PG;
    x86_tlb_flush(t->cpu);
}

/* MOV CR0 sets PG; the next fetch goes through the tables and sets their accessed flags. */
static void test_enable_paging(void **state)
{
    struct xt *t = *state;
    paging_on(t);
    t->cpu->cr0 &= ~(uint64_t)X86_CR0_PG;
    xt_write(t->cpu, PD, 4, PT0 | P | RW | US); /* accessed flags clear */
    t->cpu->gpr[X86_RAX] = PD;
    t->cpu->gpr[X86_RBX] = X86_CR0_PE | X86_CR0_PG;
    XT_CODE(t->cpu, 0x0f, 0x22, 0xd8, 0x0f, 0x22, 0xc3, 0x90); /* mov cr3,eax; mov cr0,ebx; nop */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(run(t), X86_OK);
    assert_true(t->cpu->cr0 & X86_CR0_PG);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, PD, 4) & A, A);
    assert_int_equal(xt_read(t->cpu, PT0 + 4 * 1, 4) & (A | D), A); /* code page: read only */
}

/* A 4 KiB translation; reads set A, writes set D (SDM 4.8). */
static void test_4k_page_and_dirty(void **state)
{
    struct xt *t = *state;
    paging_on(t);
    xt_write(t->cpu, PT1 + 4 * 2, 4, 0x300000u | P | RW); /* 0x402000 -> 0x300000 */
    xt_write(t->cpu, 0x300010, 4, 0x600d);
    /* mov eax, [0x402010]; mov [0x402014], eax */
    XT_CODE(t->cpu, 0xa1, 0x10, 0x20, 0x40, 0x00, 0xa3, 0x14, 0x20, 0x40, 0x00);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x600d);
    assert_int_equal(xt_read(t->cpu, PT1 + 8, 4) & (A | D), A);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, 0x300014, 4), 0x600d);
    assert_int_equal(xt_read(t->cpu, PT1 + 8, 4) & (A | D), A | D);
}

/* 4 MiB pages with CR4.PSE (SDM 4.3, Table 4-4); bits 21:13 set are reserved here (no PSE-36):
 * #PF with P and RSVD. Without CR4.PSE the PS bit is ignored and the entry is a page table. */
static void test_4m_page(void **state)
{
    struct xt *t = *state;
    paging_on(t);
    t->cpu->cr4 |= X86_CR4_PSE;
    xt_write(t->cpu, PD + 4 * 2, 4, 0x400000u | PS | P | RW); /* 8 MiB.. -> 4 MiB.. */
    xt_write(t->cpu, 0x4abcd0, 4, 0x4444);
    XT_CODE(t->cpu, 0xa1, 0xd0, 0xbc, 0x8a, 0x00); /* mov eax, [0x8abcd0] */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x4444);
    assert_int_equal(xt_read(t->cpu, PD + 8, 4) & (A | D), A);
    xt_write(t->cpu, PD + 4 * 2, 4, 0x400000u | (1u << 13) | PS | P | RW);
    x86_tlb_flush(t->cpu);
    t->cpu->rip = XT_CODE_ADDR;
    xt_assert_trap(t->cpu, run(t), X86_VEC_PF, 0x9); /* P | RSVD */
    assert_int_equal(t->cpu->cr2, 0x8abcd0);
}

/* Not-present entries: error code P = 0, W for writes, U for CPL 3; CR2 = the address. */
static void test_not_present(void **state)
{
    struct xt *t = *state;
    paging_on(t);
    /* mov eax, [0xc00004]; mov [0xc00008], eax */
    XT_CODE(t->cpu, 0xa1, 0x04, 0x00, 0xc0, 0x00, 0xa3, 0x08, 0x00, 0xc0, 0x00);
    xt_assert_trap(t->cpu, run(t), X86_VEC_PF, 0);
    assert_int_equal(t->cpu->cr2, 0xc00004);
    t->cpu->rip = XT_CODE_ADDR + 5;
    xt_assert_trap(t->cpu, run(t), X86_VEC_PF, 0x2);
    assert_int_equal(t->cpu->cr2, 0xc00008);
    xt_enter_user(t->cpu);
    t->cpu->rip = XT_CODE_ADDR;
    xt_assert_trap(t->cpu, run(t), X86_VEC_PF, 0x4);
    /* a present PDE with a not-present PTE */
    XT_CODE(t->cpu, 0xa1, 0x00, 0x50, 0x40, 0x00); /* mov eax, [0x405000] */
    xt_assert_trap(t->cpu, run(t), X86_VEC_PF, 0x4);
    assert_int_equal(t->cpu->cr2, 0x405000);
}

/* SDM 4.6.1: user accesses need U/S = 1 in the PDE and the PTE. */
static void test_user_supervisor(void **state)
{
    struct xt *t = *state;
    paging_on(t);
    xt_write(t->cpu, PT1 + 4 * 3, 4, 0x303000u | P | RW); /* supervisor page */
    xt_write(t->cpu, PT1 + 4 * 4, 4, 0x304000u | P | RW | US);
    XT_CODE(t->cpu, 0xa1, 0x00, 0x30, 0x40, 0x00, 0xa1, 0x00, 0x40, 0x40, 0x00);
    assert_int_equal(run(t), X86_OK); /* CPL 0 may read it */
    xt_enter_user(t->cpu);
    t->cpu->rip = XT_CODE_ADDR;
    xt_assert_trap(t->cpu, run(t), X86_VEC_PF, 0x5); /* P | U */
    t->cpu->rip = XT_CODE_ADDR + 5;
    assert_int_equal(run(t), X86_OK);
    /* U/S = 0 in the PDE alone also refuses */
    xt_write(t->cpu, PD + 4, 4, PT1 | P | RW);
    x86_tlb_flush(t->cpu);
    t->cpu->rip = XT_CODE_ADDR + 5;
    xt_assert_trap(t->cpu, run(t), X86_VEC_PF, 0x5);
}

/* SDM 4.6.1: read-only pages; supervisor writes are refused only with CR0.WP = 1. */
static void test_write_protect(void **state)
{
    struct xt *t = *state;
    paging_on(t);
    xt_write(t->cpu, PT1 + 4 * 5, 4, 0x305000u | P | US); /* read-only user page */
    t->cpu->gpr[X86_RAX] = 0x77;
    XT_CODE(t->cpu, 0xa3, 0x00, 0x50, 0x40, 0x00); /* mov [0x405000], eax */
    assert_int_equal(run(t), X86_OK);              /* WP = 0: allowed */
    assert_int_equal(xt_read(t->cpu, 0x305000, 4), 0x77);
    t->cpu->cr0 |= X86_CR0_WP;
    x86_tlb_flush(t->cpu);
    t->cpu->rip = XT_CODE_ADDR;
    xt_assert_trap(t->cpu, run(t), X86_VEC_PF, 0x3); /* P | W */
    t->cpu->cr0 &= ~(uint64_t)X86_CR0_WP;
    x86_tlb_flush(t->cpu);
    xt_enter_user(t->cpu);
    xt_assert_trap(t->cpu, run(t), X86_VEC_PF, 0x7); /* P | W | U */
}

/* INVLPG drops the cached translation so a changed PTE takes effect. */
static void test_invlpg(void **state)
{
    struct xt *t = *state;
    paging_on(t);
    xt_write(t->cpu, PT1 + 4 * 6, 4, 0x306000u | P | RW);
    xt_write(t->cpu, 0x306000, 4, 1);
    xt_write(t->cpu, 0x307000, 4, 2);
    /* mov eax, [0x406000]; invlpg [0x406000]; mov eax, [0x406000] */
    XT_CODE(t->cpu, 0xa1, 0x00, 0x60, 0x40, 0x00, 0x0f, 0x01, 0x3d, 0x00, 0x60, 0x40, 0x00, 0xa1,
            0x00, 0x60, 0x40, 0x00);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 1);
    xt_write(t->cpu, PT1 + 4 * 6, 4, 0x307000u | P | RW);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->m.events.count[EV_TLB_FLUSH], 1);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 2);
}

/* A write straddling into a not-present page faults with CR2 on the second page and leaves the
 * first page unchanged. */
static void test_page_crossing_write(void **state)
{
    struct xt *t = *state;
    paging_on(t);
    xt_write(t->cpu, PT1 + 4 * 7, 4, 0x308000u | P | RW);
    xt_write(t->cpu, 0x308ffc, 4, 0x11111111);
    t->cpu->gpr[X86_RAX] = 0x22222222;
    XT_CODE(t->cpu, 0xa3, 0xfe, 0x7f, 0x40, 0x00); /* mov [0x407ffe], eax */
    xt_assert_trap(t->cpu, run(t), X86_VEC_PF, 0x2);
    assert_int_equal(t->cpu->cr2, 0x408000);
    assert_int_equal(xt_read(t->cpu, 0x308ffc, 4), 0x11111111);
}

/* #PF through the IDT: the error code is pushed and CR2 holds the address; descriptor-table and
 * stack accesses of the delivery are supervisor accesses even from CPL 3. */
static void test_pf_delivery(void **state)
{
    struct xt *t = *state;
    xt_pm_env(t->cpu);
    paging_on(t);
    /* the GDT, IDT, TSS and kernel stack are supervisor-only pages */
    for (unsigned a = XT_GDT; a <= XT_TSS; a += 0x1000)
        xt_write(t->cpu, PT0 + 4 * (a >> 12), 4, a | P | RW);
    xt_write(t->cpu, PT0 + 4 * ((XT_KSTACK - 4) >> 12), 4, ((XT_KSTACK - 4) & ~0xfffu) | P | RW);
    xt_idt_set(t->cpu, X86_VEC_PF, XT_KCODE, 0x6000, 0xe, 0, true);
    xt_enter_user(t->cpu);
    t->cpu->gpr[X86_RSP] = 0x7000;
    XT_CODE(t->cpu, 0xa1, 0x04, 0x00, 0xc0, 0x00); /* mov eax, [0xc00004] */
    xt_run1(t->cpu);
    assert_int_equal(t->cpu->rip, 0x6000);
    assert_int_equal(t->cpu->cpl, 0);
    assert_int_equal(t->cpu->cr2, 0xc00004);
    assert_int_equal(t->cpu->gpr[X86_RSP], XT_KSTACK - 24);
    assert_int_equal(xt_read(t->cpu, XT_KSTACK - 24, 4), 0x4); /* U, not present, read */
    assert_int_equal(xt_read(t->cpu, XT_KSTACK - 20, 4), XT_CODE_ADDR);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_enable_paging), T(test_4k_page_and_dirty),   T(test_4m_page),
        T(test_not_present),   T(test_user_supervisor),     T(test_write_protect),
        T(test_invlpg),        T(test_page_crossing_write), T(test_pf_delivery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
