/* RDMSR/WRMSR over the MSR table (SDM Vol. 2B RDMSR, WRMSR; Vol. 4 Table 2-2): round trips of
 * 64-bit values, #GP(0) for unknown MSRs, reserved bits and CPL > 0, EFER's read-only LMA. */
#include "x86/helpers.h"

static x86_status run(struct xt *t)
{
    return x86_step(t->cpu);
}

static void wr(struct xt *t, uint32_t msr, uint64_t v)
{
    t->cpu->gpr[X86_RCX] = msr;
    t->cpu->gpr[X86_RAX] = v & 0xffffffffu;
    t->cpu->gpr[X86_RDX] = v >> 32;
}

static void test_round_trip(void **state)
{
    struct xt *t = *state;
    wr(t, 0xc0000081u, 0x0023001000000000ull); /* STAR */
    XT_CODE(t->cpu, 0x0f, 0x30, 0x0f, 0x32);   /* wrmsr; rdmsr */
    assert_int_equal(run(t), X86_OK);
    t->cpu->gpr[X86_RAX] = t->cpu->gpr[X86_RDX] = 0xdead;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0);
    assert_int_equal(t->cpu->gpr[X86_RDX], 0x00230010u);
    assert_int_equal(t->cpu->msr[X86_MSR_STAR], 0x0023001000000000ull);
    assert_int_equal(t->m.events.count[EV_SYSREG], 1);
}

static void test_reset_values(void **state)
{
    struct xt *t = *state;
    assert_int_equal(t->cpu->msr[X86_MSR_PAT], 0x0007040600070406ull);
    assert_int_equal(t->cpu->msr[X86_MSR_EFER], 0);
    assert_int_equal(x86_msr_find(0x176), X86_MSR_SYSENTER_EIP);
    assert_string_equal(x86_msr_table[X86_MSR_KERNEL_GS_BASE].name, "KERNEL_GS_BASE");
}

/* Unknown MSRs: #GP(0) for both directions, registers unchanged. */
static void test_unknown_msr(void **state)
{
    struct xt *t = *state;
    wr(t, 0x12345, 1);
    XT_CODE(t->cpu, 0x0f, 0x32);
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    assert_int_equal(t->cpu->gpr[X86_RAX], 1);
    XT_CODE(t->cpu, 0x0f, 0x30);
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
}

/* Setting a bit outside the row's writable mask is #GP(0) and changes nothing. */
static void test_reserved_bits(void **state)
{
    struct xt *t = *state;
    XT_CODE(t->cpu, 0x0f, 0x30);
    wr(t, 0x174, 0x10008); /* SYSENTER_CS is 16 bits */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    wr(t, 0xc0000080u, 0x2); /* EFER bit 1 is reserved */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    assert_int_equal(t->cpu->msr[X86_MSR_SYSENTER_CS], 0);
    assert_int_equal(t->cpu->msr[X86_MSR_EFER], 0);
    wr(t, 0xc0000080u, X86_EFER_SCE | X86_EFER_LMA); /* LMA is ignored, SCE taken */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->msr[X86_MSR_EFER], X86_EFER_SCE);
}

/* RDMSR/WRMSR at CPL > 0: #GP(0). */
static void test_privilege(void **state)
{
    struct xt *t = *state;
    xt_enter_user(t->cpu);
    wr(t, 0x174, 8);
    XT_CODE(t->cpu, 0x0f, 0x30);
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    XT_CODE(t->cpu, 0x0f, 0x32);
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_round_trip),    T(test_reset_values), T(test_unknown_msr),
        T(test_reserved_bits), T(test_privilege),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
