/* MUL, IMUL (one, two and three operands), DIV, IDIV (SDM Vol. 2A DIV/IDIV/IMUL, 2B MUL):
 * results, CF/OF, and #DE for a zero divisor and for quotient overflow. */
#include "x86/helpers.h"

#define CFOF (X86_CF | X86_OF)

static x86_status run(struct xt *t)
{
    return x86_step(t->cpu);
}

static void test_mul(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x80000000u;
    t->cpu->gpr[X86_RBX] = 2;
    XT_CODE(t->cpu, 0xf7, 0xe3, 0xf6, 0xe3); /* mul ebx; mul bl */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RDX], 1);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0);
    assert_int_equal(XT_ARITH(t->cpu) & CFOF, CFOF);
    /* byte form: AX = AL * r/m8; DX untouched */
    t->cpu->gpr[X86_RAX] = 0xabcd0002u;
    t->cpu->gpr[X86_RBX] = 3;
    t->cpu->gpr[X86_RDX] = 0x1234;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xabcd0006u);
    assert_int_equal(t->cpu->gpr[X86_RDX], 0x1234);
    assert_int_equal(XT_ARITH(t->cpu) & CFOF, 0);
}

static void test_imul_one_operand(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = (uint32_t)-2;
    t->cpu->gpr[X86_RBX] = 3;
    XT_CODE(t->cpu, 0xf7, 0xeb, 0xf7, 0xeb); /* imul ebx; imul ebx */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xfffffffau);
    assert_int_equal(t->cpu->gpr[X86_RDX], 0xffffffffu);
    assert_int_equal(XT_ARITH(t->cpu) & CFOF, 0);
    t->cpu->gpr[X86_RAX] = 0x40000000u;
    t->cpu->gpr[X86_RBX] = 2;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x80000000u);
    assert_int_equal(t->cpu->gpr[X86_RDX], 0);
    assert_int_equal(XT_ARITH(t->cpu) & CFOF, CFOF);
}

static void test_imul_two_three_operands(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x10000;
    t->cpu->gpr[X86_RCX] = 0x10000;
    XT_CODE(t->cpu, 0x0f, 0xaf, 0xc1, 0x6b, 0xc1, 0xfe); /* imul eax, ecx; imul eax, ecx, -2 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0);
    assert_int_equal(XT_ARITH(t->cpu) & CFOF, CFOF);
    t->cpu->gpr[X86_RCX] = 5;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], (uint32_t)-10);
    assert_int_equal(XT_ARITH(t->cpu) & CFOF, 0);
}

static void test_div(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RDX] = 1;
    t->cpu->gpr[X86_RAX] = 5;
    t->cpu->gpr[X86_RBX] = 2;
    XT_CODE(t->cpu, 0xf7, 0xf3, 0xf6, 0xf3); /* div ebx; div bl */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x80000002u);
    assert_int_equal(t->cpu->gpr[X86_RDX], 1);
    t->cpu->gpr[X86_RAX] = 0x0107; /* 263 / 2 = 131 rem 1 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x0183);
}

/* SDM Vol. 2A DIV: #DE if the source is 0 or the quotient is too large; nothing changes. */
static void test_div_faults(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RDX] = 2;
    t->cpu->gpr[X86_RAX] = 0;
    t->cpu->gpr[X86_RBX] = 0;
    XT_CODE(t->cpu, 0xf7, 0xf3); /* div ebx */
    xt_assert_trap(t->cpu, run(t), X86_VEC_DE, -1);
    t->cpu->gpr[X86_RBX] = 2; /* 0x200000000 / 2 does not fit in 32 bits */
    xt_assert_trap(t->cpu, run(t), X86_VEC_DE, -1);
    assert_int_equal(t->cpu->gpr[X86_RDX], 2);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0);
    assert_int_equal(t->m.insns, 0);
}

/* IDIV truncates toward zero; the remainder has the dividend's sign. */
static void test_idiv(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RDX] = 0xffffffffu;
    t->cpu->gpr[X86_RAX] = (uint32_t)-7;
    t->cpu->gpr[X86_RBX] = 2;
    XT_CODE(t->cpu, 0xf7, 0xfb, 0xf6, 0xfb); /* idiv ebx; idiv bl */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], (uint32_t)-3);
    assert_int_equal(t->cpu->gpr[X86_RDX], 0xffffffffu);
    /* -128 / 1 = -128 fits in AL */
    t->cpu->gpr[X86_RAX] = 0xff80;
    t->cpu->gpr[X86_RBX] = 1;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x0080);
}

/* SDM Vol. 2A IDIV: #DE for a quotient outside the signed range: -2^31 / -1 and -32768 / -1. */
static void test_idiv_overflow(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RDX] = 0xffffffffu;
    t->cpu->gpr[X86_RAX] = 0x80000000u;
    t->cpu->gpr[X86_RBX] = 0xffffffffu;
    XT_CODE(t->cpu, 0xf7, 0xfb); /* idiv ebx */
    xt_assert_trap(t->cpu, run(t), X86_VEC_DE, -1);
    t->cpu->gpr[X86_RAX] = 0x8000;
    t->cpu->gpr[X86_RBX] = 0xff;
    XT_CODE(t->cpu, 0xf6, 0xfb); /* idiv bl */
    xt_assert_trap(t->cpu, run(t), X86_VEC_DE, -1);
    t->cpu->gpr[X86_RBX] = 0;
    xt_assert_trap(t->cpu, run(t), X86_VEC_DE, -1);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x8000);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_mul),           T(test_imul_one_operand), T(test_imul_two_three_operands),
        T(test_div),           T(test_div_faults),       T(test_idiv),
        T(test_idiv_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
