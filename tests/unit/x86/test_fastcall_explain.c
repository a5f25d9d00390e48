/* The explained transitions of INT n and IRET (for the monitor's transition view, issue 6 item
 * 5): after a delivery through a DPL-3 gate from ring 3 (SDM Vol. 3A 6.12.1 in legacy mode, 6.14
 * in IA-32e mode), EV_EXPLAIN names where the new stack and entry point came from, before
 * EV_PRIV; IRET to ring 3 (SDM Vol. 2A IRET) names what it popped. A delivery at the same
 * privilege level explains nothing (no crossing). */
#include "x86/fastcall_common.h"

#define HANDLER 0x3000u

/* Legacy protected mode: INT 0x80 from ring 3 through a DPL-3 interrupt gate, IRET back. */
static void test_int80_iret_legacy(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    xt_pm_env(cpu);
    xt_idt_set(cpu, 0x80, XT_KCODE, HANDLER, 0xe, 3, true);
    xt_write(cpu, HANDLER, 1, 0xcf); /* iret */
    xt_enter_user(cpu);
    cpu->gpr[X86_RSP] = 0x7000;
    cpu->rflags = X86_FLAGS_FIXED1 | X86_IF;
    XT_CODE(cpu, 0xcd, 0x80);
    struct fc_rec r;
    fc_record(t, &r);
    assert_int_equal(xt_run1(cpu), X86_TRAP_SOFT(0x80));
    assert_int_equal(cpu->cpl, 0);
    fc_assert_explained(&r, "SS.sel <- TSS.ss0", XT_KDATA);
    fc_assert_explained(&r, "ESP <- TSS.esp0", XT_KSTACK);
    fc_assert_explained(&r, "push SS:ESP, EFLAGS, CS:EIP", XT_KSTACK - 20);
    fc_assert_explained(&r, "CS:EIP <- IDT gate", HANDLER);
    fc_assert_explained(&r, "CPL <- CS.DPL", 0);
    fc_assert_priv(&r, 3, 0, EV_MECH_INT);

    struct fc_rec r2; /* r stays subscribed, and in scope */
    fc_record(t, &r2);
    assert_int_equal(xt_run1(cpu), X86_OK);
    assert_int_equal(cpu->cpl, 3);
    fc_assert_explained(&r2, "EIP <- pop", XT_CODE_ADDR + 2);
    fc_assert_explained(&r2, "CS <- pop", XT_UCODE);
    fc_assert_explained(&r2, "ESP <- pop", 0x7000);
    fc_assert_explained(&r2, "SS <- pop", XT_UDATA);
    fc_assert_priv(&r2, 0, 3, EV_MECH_IRET);
}

/* 64-bit mode: INT 0x80 from ring 3 (RSP from TSS.RSP0, SS null), IRETQ back. */
static void test_int80_iretq_long(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, false);
    xt_idt64_set(cpu, 0x80, XT_LM_KCODE, HANDLER, 0xe, 3, 0, true);
    xt_write(cpu, HANDLER, 2, 0xcf48); /* iretq */
    fc_user64(cpu);
    cpu->gpr[X86_RSP] = 0x7000;
    cpu->rflags = X86_FLAGS_FIXED1 | X86_IF;
    XT_CODE(cpu, 0xcd, 0x80);
    struct fc_rec r;
    fc_record(t, &r);
    assert_int_equal(xt_run1(cpu), X86_TRAP_SOFT(0x80));
    fc_assert_explained(&r, "RSP <- TSS.rsp0", XT_KSTACK);
    fc_assert_explained(&r, "CS:RIP <- IDT gate", HANDLER);
    fc_assert_explained(&r, "RFLAGS.IF <- 0 (interrupt gate)", X86_FLAGS_FIXED1);
    fc_assert_priv(&r, 3, 0, EV_MECH_INT);

    struct fc_rec r2; /* r stays subscribed, and in scope */
    fc_record(t, &r2);
    assert_int_equal(xt_run1(cpu), X86_OK);
    assert_int_equal(cpu->cpl, 3);
    fc_assert_explained(&r2, "RIP <- pop", XT_CODE_ADDR + 2);
    fc_assert_explained(&r2, "RSP <- pop", 0x7000);
    fc_assert_explained(&r2, "SS <- pop", XT_LM_UDATA);
    fc_assert_explained(&r2, "RFLAGS <- pop", X86_FLAGS_FIXED1 | X86_IF);
    fc_assert_priv(&r2, 0, 3, EV_MECH_IRET);
}

/* A fault at CPL 0 delivered at CPL 0: no crossing, nothing explained. */
static void test_same_level_explains_nothing(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    xt_pm_env(cpu);
    xt_idt_set(cpu, X86_VEC_UD, XT_KCODE, HANDLER, 0xe, 0, true);
    XT_CODE(cpu, 0x0f, 0x0b); /* ud2 */
    struct fc_rec r;
    fc_record(t, &r);
    xt_run1(cpu);
    assert_int_equal(cpu->rip, HANDLER);
    assert_int_equal(r.n_explain, 0);
    assert_int_equal(r.n_priv, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
        T(test_int80_iret_legacy),
        T(test_int80_iretq_long),
        T(test_same_level_explains_nothing),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
