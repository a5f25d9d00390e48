/* Shifts and rotates (SDM Vol. 2B SAL/SAR/SHL/SHR and RCL/RCR/ROL/ROR): count masking, count 0
 * leaves flags alone, CF is the last bit out, OF is defined for count 1. */
#include "x86/helpers.h"

#define CF X86_CF
#define PF X86_PF
#define AF X86_AF
#define ZF X86_ZF
#define SF X86_SF
#define OF X86_OF

static x86_status run(struct xt *t)
{
    return x86_step(t->cpu);
}

/* Count 0 (also after masking: CL = 32) changes neither the operand nor any flag. */
static void test_count_zero(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x80000001u;
    t->cpu->gpr[X86_RCX] = 32;
    xt_set_arith(t->cpu, CF | ZF | OF | AF);
    XT_CODE(t->cpu, 0xc1, 0xe0, 0x00, 0xd3, 0xe0, 0xd3,
            0xc0); /* shl eax,0; shl eax,cl; rol eax,cl */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(run(t), X86_OK);
        assert_int_equal(t->cpu->gpr[X86_RAX], 0x80000001u);
        assert_int_equal(XT_ARITH(t->cpu), CF | ZF | OF | AF);
    }
}

/* SHL by 1: CF = old MSB, OF = MSB(result) XOR CF. Count 33 is masked to 1. */
static void test_shl_one(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0xc0000000u;
    XT_CODE(t->cpu, 0xd1, 0xe0, 0xc1, 0xe0, 0x21); /* shl eax, 1; shl eax, 33 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x80000000u);
    assert_int_equal(XT_ARITH(t->cpu), CF | SF | PF);
    t->cpu->gpr[X86_RAX] = 0x40000000u;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x80000000u);
    assert_int_equal(XT_ARITH(t->cpu), OF | SF | PF);
}

/* SHL of a byte by its width: the result is 0 (CF is undefined then and not checked). */
static void test_shl_byte_by_width(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x1201;
    XT_CODE(t->cpu, 0xc0, 0xe0, 0x08); /* shl al, 8 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x1200);
    assert_int_equal(XT_ARITH(t->cpu) & (ZF | SF | PF), ZF | PF);
}

/* SHR by 1: OF = MSB of the original; SAR by 1: OF = 0, the sign is kept. */
static void test_shr_sar(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x80000001u;
    t->cpu->gpr[X86_RBX] = 0x80000001u;
    XT_CODE(t->cpu, 0xd1, 0xe8, 0xd1, 0xfb, 0xc1, 0xfa,
            0x1f); /* shr eax,1; sar ebx,1; sar edx,31 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x40000000u);
    assert_int_equal(XT_ARITH(t->cpu), CF | OF | PF);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RBX], 0xc0000000u);
    assert_int_equal(XT_ARITH(t->cpu), CF | SF | PF);
    /* sar edx, 31 of 0x80000000: all ones; CF = bit 30 = 0 */
    t->cpu->gpr[X86_RDX] = 0x80000000u;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RDX], 0xffffffffu);
    assert_int_equal(XT_ARITH(t->cpu) & (CF | SF | ZF | PF), SF | PF);
}

/* ROL/ROR change only CF and OF. */
static void test_rol_ror(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x80;
    xt_set_arith(t->cpu, ZF | SF);
    XT_CODE(t->cpu, 0xd0, 0xc0, 0xd0, 0xc8, 0xc0, 0xc0, 0x08); /* rol al,1; ror al,1; rol al,8 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x01);
    assert_int_equal(XT_ARITH(t->cpu), ZF | SF | CF | OF);
    xt_set_arith(t->cpu, 0);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x80);
    assert_int_equal(XT_ARITH(t->cpu), CF | OF);
    /* rol al, 8: rotation by 8 mod 8 = 0 leaves the value, but the masked count is not 0, so
     * CF = LSB(result) */
    t->cpu->gpr[X86_RAX] = 0x01;
    xt_set_arith(t->cpu, 0);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x01);
    assert_int_equal(XT_ARITH(t->cpu) & CF, CF);
}

/* RCL/RCR rotate through CF; byte counts are taken modulo 9. */
static void test_rcl_rcr(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x80;
    xt_set_arith(t->cpu, 0);
    /* rcl al,1; rcr al,1; rcl al,9 */
    XT_CODE(t->cpu, 0xd0, 0xd0, 0xd0, 0xd8, 0xc0, 0xd0, 0x09);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x00);
    assert_int_equal(XT_ARITH(t->cpu), CF | OF); /* OF = MSB(0) XOR CF(1); ZF untouched */
    t->cpu->gpr[X86_RAX] = 0x01;
    assert_int_equal(run(t), X86_OK); /* CF=1: OF = MSB(1) ^ 1 = 1; result 0x80, CF = 1 */
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x80);
    assert_int_equal(XT_ARITH(t->cpu), CF | OF);
    t->cpu->gpr[X86_RAX] = 0x55;
    xt_set_arith(t->cpu, 0);
    assert_int_equal(run(t), X86_OK); /* 9 mod 9 = 0: nothing rotates */
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x55);
    assert_int_equal(XT_ARITH(t->cpu) & CF, 0);
}

/* RCR by 2 of a word: 0x0003 with CF=0 -> 0x8000, CF = 1. */
static void test_rcr_word(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0xffff0003u;
    xt_set_arith(t->cpu, 0);
    XT_CODE(t->cpu, 0x66, 0xc1, 0xd8, 0x02); /* rcr ax, 2 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xffff8000u);
    assert_int_equal(XT_ARITH(t->cpu) & CF, CF);
}

/* SHLD/SHRD (SDM Vol. 2B): source bits shift in; CF is the last bit out of the destination; OF
 * (count 1) says whether the sign changed; count 0 changes nothing. */
static void test_shld_shrd(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x12345678;
    t->cpu->gpr[X86_RBX] = 0x9abcdef0;
    /* shld eax, ebx, 4; shrd eax, ebx, 4; shld eax, ebx, 0; shld eax, ebx, 1 */
    XT_CODE(t->cpu, 0x0f, 0xa4, 0xd8, 0x04, 0x0f, 0xac, 0xd8, 0x04, 0x0f, 0xa4, 0xd8, 0x00, 0x0f,
            0xa4, 0xd8, 0x01);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x23456789);
    assert_int_equal(XT_ARITH(t->cpu) & (CF | ZF | SF | PF), CF);
    assert_int_equal(run(t), X86_OK); /* back: low nibble of EBX (0) shifts in at the top */
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x02345678);
    assert_int_equal(XT_ARITH(t->cpu) & (CF | ZF | SF | PF), CF | PF); /* 0x78: even parity */
    xt_set_arith(t->cpu, ZF | OF);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x02345678);
    assert_int_equal(XT_ARITH(t->cpu), ZF | OF);
    t->cpu->gpr[X86_RAX] = 0x40000000;
    t->cpu->gpr[X86_RBX] = 0x80000000;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x80000001u);
    assert_int_equal(XT_ARITH(t->cpu), OF | SF);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_count_zero), T(test_shl_one), T(test_shl_byte_by_width), T(test_shr_sar),
        T(test_rol_ror),    T(test_rcl_rcr), T(test_rcr_word),          T(test_shld_shrd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
