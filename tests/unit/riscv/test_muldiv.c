/* M extension (unpriv. spec chapter 7): products, division by zero and overflow (7.2, table 7.1),
 * W forms sign-extending. */
#include "riscv/helpers.h"

static uint64_t mop(struct rvt *t, unsigned f3, bool w, uint64_t a, uint64_t b)
{
    t->h->pc = RVT_BASE;
    t->h->x[1] = a;
    t->h->x[2] = b;
    assert_int_equal(rvt_exec(t, rvt_r(1, 2, 1, f3, 3, w ? OP_REG32 : OP_REG)), RV_STEP_RETIRED);
    assert_int_equal(t->h->pc, RVT_BASE + 4);
    return t->h->x[3];
}
enum { MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU };
#define MIN64 0x8000000000000000ull
#define M1    UINT64_MAX

/* 7.1 MUL/MULH/MULHSU/MULHU: low and high halves of the signed/unsigned product */
static void test_multiply_7_1(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(mop(t, MUL, false, 0x100000001ull, 0x100000001ull), 0x200000001ull);
    assert_int_equal(mop(t, MUL, false, M1, M1), 1);
    assert_int_equal(mop(t, MULH, false, M1, M1), 0); /* (-1)*(-1) = 1 */
    assert_int_equal(mop(t, MULH, false, MIN64, MIN64), 0x4000000000000000ull);
    assert_int_equal(mop(t, MULH, false, MIN64, 1), M1);
    assert_int_equal(mop(t, MULHU, false, M1, M1), M1 - 1); /* (2^64-1)^2 >> 64 */
    assert_int_equal(mop(t, MULHU, false, MIN64, 2), 1);
    assert_int_equal(mop(t, MULHSU, false, M1, M1), M1); /* -1 * (2^64-1) */
    assert_int_equal(mop(t, MULHSU, false, 2, M1), 1);
    assert_int_equal(mop(t, MULHSU, false, MIN64, MIN64), 0xc000000000000000ull);
}

/* 7.1 MULW: low 32 bits of the product, sign-extended; upper operand bits ignored */
static void test_mulw_7_1(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(mop(t, 0, true, 0xffffffff00010000ull, 0x8000), 0xffffffff80000000ull);
    assert_int_equal(mop(t, 0, true, 0x7fffffff, 2), UINT64_MAX - 1);
    assert_int_equal(mop(t, 0, true, 3, 4), 12);
}

/* 7.2 table 7.1: x/0 = all ones, x%0 = x; overflow: MIN/-1 = MIN, MIN%-1 = 0 */
static void test_divide_by_zero_and_overflow_7_2(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(mop(t, DIV, false, 42, 0), M1);
    assert_int_equal(mop(t, DIVU, false, 42, 0), M1);
    assert_int_equal(mop(t, REM, false, (uint64_t)-42, 0), (uint64_t)-42);
    assert_int_equal(mop(t, REMU, false, 42, 0), 42);
    assert_int_equal(mop(t, DIV, false, MIN64, M1), MIN64);
    assert_int_equal(mop(t, REM, false, MIN64, M1), 0);
    /* ordinary cases: rounding toward zero, remainder has the dividend's sign */
    assert_int_equal(mop(t, DIV, false, (uint64_t)-7, 2), (uint64_t)-3);
    assert_int_equal(mop(t, REM, false, (uint64_t)-7, 2), (uint64_t)-1);
    assert_int_equal(mop(t, DIV, false, 7, (uint64_t)-2), (uint64_t)-3);
    assert_int_equal(mop(t, REM, false, 7, (uint64_t)-2), 1);
    assert_int_equal(mop(t, DIVU, false, M1, 2), M1 >> 1);
    assert_int_equal(mop(t, REMU, false, M1, 10), 5);
}

/* 7.2 W forms: 32-bit operands, result sign-extended; same special cases at 32 bits */
static void test_divide_w_forms_7_2(void **state)
{
    struct rvt *t = *state;
    const uint64_t min32 = 0xffffffff80000000ull;
    assert_int_equal(mop(t, DIV, true, 42, 0x100000000ull), M1); /* divisor low 32 = 0 */
    assert_int_equal(mop(t, DIVU, true, 42, 0), M1);
    assert_int_equal(mop(t, REM, true, 0x80000000ull, 0), min32); /* dividend sign-extended */
    assert_int_equal(mop(t, REMU, true, 0x180000000ull, 0), min32);
    assert_int_equal(mop(t, DIV, true, 0x80000000ull, 0xffffffffull), min32);
    assert_int_equal(mop(t, REM, true, 0x80000000ull, 0xffffffffull), 0);
    assert_int_equal(mop(t, DIV, true, (uint64_t)-7, 2), (uint64_t)-3);
    assert_int_equal(mop(t, REM, true, (uint64_t)-7, 2), (uint64_t)-1);
    assert_int_equal(mop(t, DIVU, true, 0xffffffffull, 1), M1); /* 0xffffffff sign-extended */
    assert_int_equal(mop(t, DIVU, true, 0xfffffffe, 2), 0x7fffffff);
    assert_int_equal(mop(t, REMU, true, 0xffffffff, 0x10), 0xf);
}

#define T(f) cmocka_unit_test_setup_teardown(f, rvt_setup, rvt_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_multiply_7_1),
        T(test_mulw_7_1),
        T(test_divide_by_zero_and_overflow_7_2),
        T(test_divide_w_forms_7_2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
