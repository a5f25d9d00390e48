/* LAR, LSL, VERR, VERW (SDM Vol. 2A LAR, LSL; Vol. 2B VERR/VERW): probing a selector sets ZF
 * without faulting for null, out-of-table, invisible (DPL < CPL or RPL) or unaccepted
 * descriptors; conforming code is always visible; IA-32e mode narrows the system types. */
#include "x86/helpers.h"

static void zf(struct x86_cpu *cpu, bool want)
{
    assert_int_equal(!!(cpu->rflags & X86_ZF), want);
}

/* One probe: CX = sel, run the instruction at XT_CODE_ADDR, EAX starts as 0xdead. */
static void probe(struct xt *t, const uint8_t *code, unsigned len, uint16_t sel)
{
    t->cpu->rip = XT_CODE_ADDR;
    t->cpu->gpr[X86_RCX] = sel;
    t->cpu->gpr[X86_RAX] = 0xdead;
    xt_code(t->cpu, code, len);
    assert_int_equal(x86_step(t->cpu), X86_OK);
}

static const uint8_t lar[] = {0x0f, 0x02, 0xc1};  /* lar eax, ecx */
static const uint8_t lsl[] = {0x0f, 0x03, 0xc1};  /* lsl eax, ecx */
static const uint8_t verr[] = {0x0f, 0x00, 0xe1}; /* verr cx */
static const uint8_t verw[] = {0x0f, 0x00, 0xe9}; /* verw cx */

/* CPL 0: access rights masked with 00FxFF00H, limits byte-granular, TSS accepted. */
static void test_lar_lsl_cpl0(void **state)
{
    struct xt *t = *state;
    xt_pm_env(t->cpu);
    probe(t, lar, 3, XT_KCODE);
    zf(t->cpu, true);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x00c09a00u | (xt_read(t->cpu, XT_GDT + 13, 1) & 1)
                                                             << 8);
    probe(t, lsl, 3, XT_KDATA);
    zf(t->cpu, true);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xffffffffu);
    probe(t, lsl, 3, XT_TSSSEL);
    zf(t->cpu, true);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x67);
    probe(t, lar, 3, XT_TSSSEL);
    zf(t->cpu, true);
    assert_int_equal(t->cpu->gpr[X86_RAX] & 0xff00u, 0x8900u);
    /* null and out-of-table selectors: ZF = 0, no fault, EAX unchanged */
    probe(t, lar, 3, 0);
    zf(t->cpu, false);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xdead);
    probe(t, lsl, 3, 0x400);
    zf(t->cpu, false);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xdead);
}

/* CPL 3: ring-0 descriptors are invisible, except conforming code; RPL counts too. */
static void test_lar_cpl3(void **state)
{
    struct xt *t = *state;
    xt_pm_env(t->cpu);
    xt_enter_user(t->cpu);
    probe(t, lar, 3, XT_KDATA);
    zf(t->cpu, false);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xdead);
    probe(t, lar, 3, XT_CONFORM);
    zf(t->cpu, true);
    probe(t, lsl, 3, XT_UDATA);
    zf(t->cpu, true);
    xt_pm_env(t->cpu);
    probe(t, lsl, 3, XT_KDATA | 3); /* RPL 3 > DPL 0 */
    zf(t->cpu, false);
}

/* VERR: readable code or data; VERW: writable data; both with the privilege rule. */
static void test_verr_verw(void **state)
{
    struct xt *t = *state;
    xt_pm_env(t->cpu);
    xt_enter_user(t->cpu);
    probe(t, verr, 3, XT_UCODE);
    zf(t->cpu, true);
    probe(t, verw, 3, XT_UCODE);
    zf(t->cpu, false);
    probe(t, verw, 3, XT_UDATA);
    zf(t->cpu, true);
    probe(t, verr, 3, XT_KDATA);
    zf(t->cpu, false);
    probe(t, verr, 3, XT_TSSSEL); /* a system descriptor */
    zf(t->cpu, false);
    xt_pm_env(t->cpu);
    xt_gdt_set(t->cpu, 6, 0, 0xffff, 0x98, 0x4); /* execute-only code */
    probe(t, verr, 3, 0x30);
    zf(t->cpu, false);
}

/* IA-32e mode: LSL refuses a 16-bit TSS (type 1) and call gates; LAR accepts a 64-bit TSS. */
static void test_ia32e_types(void **state)
{
    struct xt *t = *state;
    xt_lm_env(t->cpu);
    probe(t, lar, 3, XT_LM_TSS);
    zf(t->cpu, true);
    xt_gdt_set(t->cpu, 6, 0, 0x2b, 0x81, 0); /* 16-bit TSS */
    probe(t, lsl, 3, 0x30);
    zf(t->cpu, false);
    /* legacy protected mode accepts it */
    t->cpu->msr[X86_MSR_EFER] = 0;
    t->cpu->cr0 &= ~(uint64_t)X86_CR0_PG;
    xt_load_cache(t->cpu, X86_CS, XT_KCODE);
    probe(t, lsl, 3, 0x30);
    zf(t->cpu, true);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x2b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lar_lsl_cpl0, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_lar_cpl3, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_verr_verw, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_ia32e_types, xt_setup, xt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
