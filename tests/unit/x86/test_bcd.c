/* DAA, DAS, AAA, AAS, AAM, AAD (SDM Vol. 2A, each instruction's "Operation" and examples), and
 * #UD for each in 64-bit mode ("64-Bit Mode Exceptions"). */
#include "x86/helpers.h"

/* Steps the instruction at XT_CODE_ADDR and puts RIP back there for the next XT_CODE. */
static x86_status run(struct xt *t)
{
    t->cpu->rip = XT_CODE_ADDR;
    x86_status st = x86_step(t->cpu);
    if (st == X86_OK) t->cpu->rip = XT_CODE_ADDR;
    return st;
}

#define AX(t) ((uint16_t)(t)->cpu->gpr[X86_RAX])

/* SDM DAA example: ADD AL, BL with 79H + 35H = AEH, then DAA: AL = 14H, CF = 1, AF = 1. */
static void test_daa(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0xae;
    xt_set_arith(t->cpu, 0);
    XT_CODE(t->cpu, 0x27);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(AX(t), 0x14);
    assert_int_equal(XT_ARITH(t->cpu) & (X86_CF | X86_AF | X86_ZF), X86_CF | X86_AF);
    /* 0x45 + 0x45 = 0x8a (AF = 0): DAA gives 0x90, CF = 0 */
    t->cpu->gpr[X86_RAX] = 0x8a;
    xt_set_arith(t->cpu, 0);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(AX(t), 0x90);
    assert_int_equal(XT_ARITH(t->cpu) & (X86_CF | X86_AF | X86_SF), X86_AF | X86_SF);
}

/* SDM DAS example: SUB AL, BL with 35H - 47H = EEH (CF = 1, AF = 1), then DAS: AL = 88H,
 * CF = 1, AF = 1. */
static void test_das(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0xee;
    xt_set_arith(t->cpu, X86_CF | X86_AF);
    XT_CODE(t->cpu, 0x2f);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(AX(t), 0x88);
    assert_int_equal(XT_ARITH(t->cpu) & (X86_CF | X86_AF), X86_CF | X86_AF);
}

/* AAA: 5 + 6 = 0BH: AX = 0101H, AF = CF = 1; AAS: 8 - 9 = FFH (AF = 1): AX = FF09H. */
static void test_aaa_aas(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x000b;
    xt_set_arith(t->cpu, 0);
    XT_CODE(t->cpu, 0x37);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(AX(t), 0x0101);
    assert_int_equal(XT_ARITH(t->cpu) & (X86_CF | X86_AF), X86_CF | X86_AF);
    t->cpu->gpr[X86_RAX] = 0x0004; /* no adjustment: AL & 0FH, CF = AF = 0 */
    xt_set_arith(t->cpu, 0);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(AX(t), 0x0004);
    assert_int_equal(XT_ARITH(t->cpu) & (X86_CF | X86_AF), 0);
    t->cpu->gpr[X86_RAX] = 0x00ff;
    xt_set_arith(t->cpu, X86_AF | X86_CF);
    XT_CODE(t->cpu, 0x3f);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(AX(t), 0xff09);
    assert_int_equal(XT_ARITH(t->cpu) & (X86_CF | X86_AF), X86_CF | X86_AF);
}

/* AAM 10: 63 = 3FH -> AH = 6, AL = 3; AAD 10 back: AL = 3FH, AH = 0; AAM 0 is #DE; another
 * base (AAM 16 splits nibbles). */
static void test_aam_aad(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x3f;
    XT_CODE(t->cpu, 0xd4, 0x0a);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(AX(t), 0x0603);
    XT_CODE(t->cpu, 0xd5, 0x0a);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(AX(t), 0x003f);
    assert_false(t->cpu->rflags & X86_ZF);
    XT_CODE(t->cpu, 0xd4, 0x10);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(AX(t), 0x030f);
    XT_CODE(t->cpu, 0xd4, 0x00);
    xt_assert_trap(t->cpu, run(t), X86_VEC_DE, -1);
    assert_int_equal(AX(t), 0x030f);
}

/* 64-bit mode: all six are #UD. */
static void test_bcd_ud_in_64bit(void **state)
{
    struct xt *t = *state;
    xt_lm_env(t->cpu);
    static const uint8_t ops[][2] = {{0x27, 0x90}, {0x2f, 0x90}, {0x37, 0x90},
                                     {0x3f, 0x90}, {0xd4, 0x0a}, {0xd5, 0x0a}};
    for (unsigned i = 0; i < 6; i++) {
        t->cpu->rip = XT_CODE_ADDR;
        xt_code(t->cpu, ops[i], 2);
        xt_assert_trap(t->cpu, run(t), X86_VEC_UD, -1);
    }
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_daa), T(test_das), T(test_aaa_aas), T(test_aam_aad), T(test_bcd_ud_in_64bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
