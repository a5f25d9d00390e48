/* Integer arithmetic and logic (SDM Vol. 1 7.3.2, Vol. 2 ADD/ADC/SUB/SBB/CMP/AND/OR/XOR/INC/DEC/
 * NEG/NOT/TEST): results and every defined flag (CF PF AF ZF SF OF) on the edge cases. */
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

/* SDM Vol. 2A ADD: signed overflow and auxiliary carry: 0x7FFFFFFF + 1. */
static void test_add_overflow(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x7fffffff;
    t->cpu->gpr[X86_RBX] = 1;
    XT_CODE(t->cpu, 0x01, 0xd8); /* add eax, ebx */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x80000000u);
    assert_int_equal(XT_ARITH(t->cpu), OF | SF | AF | PF);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 2);
    assert_int_equal(t->m.insns, 1);
}

/* ADD byte: carry out and zero: 0xFF + 1 = 0 (CF ZF AF PF). */
static void test_add_carry_byte(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x123456ff;
    t->cpu->gpr[X86_RBX] = 0x01;
    XT_CODE(t->cpu, 0x00, 0xd8); /* add al, bl */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x12345600u);
    assert_int_equal(XT_ARITH(t->cpu), CF | ZF | AF | PF);
}

/* High byte registers without REX (SDM Vol. 2A Table 2-2 r8: AH CH DH BH). */
static void test_add_high_byte(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x00007f00;
    t->cpu->gpr[X86_RBX] = 0x01;
    XT_CODE(t->cpu, 0x00, 0xdc); /* add ah, bl */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x8000u);
    assert_int_equal(XT_ARITH(t->cpu), OF | SF | AF);
}

/* 16-bit operand size keeps the upper half of EAX (SDM Vol. 1 3.4.1.1). */
static void test_add_16bit(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0xabcdffff;
    t->cpu->gpr[X86_RBX] = 1;
    XT_CODE(t->cpu, 0x66, 0x01, 0xd8); /* add ax, bx */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xabcd0000u);
    assert_int_equal(XT_ARITH(t->cpu), CF | ZF | AF | PF);
}

/* SDM Vol. 2A ADC: the carry in is added: 0xFFFFFFFF + 0 + 1 and 0x7FFFFFFF + 0 + 1. */
static void test_adc(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0xffffffff;
    t->cpu->gpr[X86_RBX] = 0;
    xt_set_arith(t->cpu, CF);
    XT_CODE(t->cpu, 0x11, 0xd8, 0x11, 0xd8); /* adc eax, ebx; adc eax, ebx */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0);
    assert_int_equal(XT_ARITH(t->cpu), CF | ZF | AF | PF);
    t->cpu->gpr[X86_RAX] = 0x7fffffff;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x80000000u);
    assert_int_equal(XT_ARITH(t->cpu), OF | SF | AF | PF);
}

/* SDM Vol. 2B SUB: 0x80000000 - 1 overflows; 0 - 1 borrows. */
static void test_sub(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x80000000u;
    t->cpu->gpr[X86_RBX] = 1;
    XT_CODE(t->cpu, 0x29, 0xd8, 0x29, 0xd8); /* sub eax, ebx; sub eax, ebx */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x7fffffffu);
    assert_int_equal(XT_ARITH(t->cpu), OF | AF | PF);
    t->cpu->gpr[X86_RAX] = 0;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xffffffffu);
    assert_int_equal(XT_ARITH(t->cpu), CF | SF | AF | PF);
}

/* SDM Vol. 2B SBB: 5 - 5 - 1 = -1; 0 - 0xFFFFFFFF - 1 = 0 with a borrow. */
static void test_sbb(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 5;
    t->cpu->gpr[X86_RBX] = 5;
    xt_set_arith(t->cpu, CF);
    XT_CODE(t->cpu, 0x19, 0xd8, 0x19, 0xd8); /* sbb eax, ebx; sbb eax, ebx */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xffffffffu);
    assert_int_equal(XT_ARITH(t->cpu), CF | SF | AF | PF);
    t->cpu->gpr[X86_RAX] = 0;
    t->cpu->gpr[X86_RBX] = 0xffffffffu;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0);
    assert_int_equal(XT_ARITH(t->cpu), CF | ZF | AF | PF);
}

/* CMP sets flags like SUB and writes nothing; memory source. */
static void test_cmp(void **state)
{
    struct xt *t = *state;
    xt_write(t->cpu, XT_DATA_ADDR, 4, 3);
    t->cpu->gpr[X86_RAX] = 2;
    t->cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    XT_CODE(t->cpu, 0x3b, 0x03); /* cmp eax, [ebx] */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 2);
    assert_int_equal(XT_ARITH(t->cpu), CF | SF | AF | PF);
}

/* AND/OR/XOR/TEST clear CF and OF (SDM Vol. 2A AND). */
static void test_logic(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0xf0;
    t->cpu->gpr[X86_RBX] = 0x0f;
    xt_set_arith(t->cpu, CF | OF);
    /* and eax, ebx; or eax, 0x80000000; xor eax, eax; test al, 0x01 */
    XT_CODE(t->cpu, 0x21, 0xd8, 0x0d, 0x00, 0x00, 0x00, 0x80, 0x31, 0xc0, 0xa8, 0x01);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0);
    assert_int_equal(XT_ARITH(t->cpu), ZF | PF);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x80000000u);
    assert_int_equal(XT_ARITH(t->cpu), SF | PF);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0);
    assert_int_equal(XT_ARITH(t->cpu), ZF | PF);
    t->cpu->gpr[X86_RAX] = 3;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 3);
    assert_int_equal(XT_ARITH(t->cpu), 0);
}

/* Group 1 83 /5 with a sign-extended byte immediate on memory: sub dword ptr [0x10000], -1. */
static void test_group1_sign_extended(void **state)
{
    struct xt *t = *state;
    xt_write(t->cpu, XT_DATA_ADDR, 4, 5);
    XT_CODE(t->cpu, 0x83, 0x2d, 0x00, 0x00, 0x01, 0x00, 0xff);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, XT_DATA_ADDR, 4), 6);
    assert_int_equal(XT_ARITH(t->cpu), CF | AF | PF);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 7);
}

/* Group 1 80 /0 and 81 /7 forms. */
static void test_group1_forms(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RCX] = 0x1ff;
    /* add cl, 0x01; cmp ecx, 0x00000100 */
    XT_CODE(t->cpu, 0x80, 0xc1, 0x01, 0x81, 0xf9, 0x00, 0x01, 0x00, 0x00);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0x100);
    assert_int_equal(XT_ARITH(t->cpu), CF | ZF | AF | PF);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(XT_ARITH(t->cpu), ZF | PF);
}

/* SDM Vol. 2A INC/DEC: CF is not affected. */
static void test_inc_dec(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0xffffffffu;
    t->cpu->gpr[X86_RCX] = 0x80000000u;
    xt_set_arith(t->cpu, CF);
    XT_CODE(t->cpu, 0x40, 0x49); /* inc eax; dec ecx */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0);
    assert_int_equal(XT_ARITH(t->cpu), CF | ZF | AF | PF);
    xt_set_arith(t->cpu, 0);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0x7fffffffu);
    assert_int_equal(XT_ARITH(t->cpu), OF | AF | PF);
}

/* SDM Vol. 2B NEG: CF = (operand != 0); NEG of the most negative value overflows. NOT: no flags. */
static void test_neg_not(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0;
    XT_CODE(t->cpu, 0xf7, 0xd8, 0xf7, 0xd8, 0xf7, 0xd0); /* neg eax; neg eax; not eax */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0);
    assert_int_equal(XT_ARITH(t->cpu), ZF | PF);
    t->cpu->gpr[X86_RAX] = 0x80000000u;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x80000000u);
    assert_int_equal(XT_ARITH(t->cpu), CF | OF | SF | PF);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x7fffffffu);
    assert_int_equal(XT_ARITH(t->cpu), CF | OF | SF | PF);
}

/* A read-modify-write whose write faults changes neither memory, nor the flags, nor EIP
 * (here: a read-only DS, SDM Vol. 3A 5.5). */
static void test_rmw_fault_changes_nothing(void **state)
{
    struct xt *t = *state;
    struct x86_seg ds = t->cpu->seg[X86_DS];
    x86_set_seg(t->cpu, X86_DS, ds.sel, ds.base, ds.limit, (ds.attr & ~0xfu) | 0x1u);
    xt_write(t->cpu, XT_DATA_ADDR, 4, 7);
    t->cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    t->cpu->gpr[X86_RAX] = 1;
    xt_set_arith(t->cpu, SF);
    XT_CODE(t->cpu, 0x01, 0x03); /* add [ebx], eax */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    assert_int_equal(xt_read(t->cpu, XT_DATA_ADDR, 4), 7);
    assert_int_equal(XT_ARITH(t->cpu), SF);
    assert_int_equal(t->m.insns, 0);
}

/* One ALU instruction at XT_CODE_ADDR with EAX = a, EBX = b, ECX = XT_DATA_ADDR holding a and
 * the given CF; returns the destination (EAX or the dword at [ECX]) and the flags after. */
static void alu_once(struct xt *t, const uint8_t *code, unsigned len, uint32_t a, uint32_t b,
                     uint64_t cf, bool mem, uint32_t *dest, uint64_t *flags)
{
    struct x86_cpu *cpu = t->cpu;
    xt_alu_case(cpu, code, len, a, b, a, cf);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->rip, XT_CODE_ADDR + len);
    *dest = mem ? (uint32_t)xt_read(cpu, XT_DATA_ADDR, 4) : (uint32_t)cpu->gpr[X86_RAX];
    *flags = XT_ARITH(cpu);
}

/* SDM Vol. 2A ADD ... XOR, CMP: the operation and its flags do not depend on where the
 * destination is. A memory destination ([ECX], the read-modify-write forms 00-39 /r and
 * 80/81/83 /op) against EAX (checked against the host CPU by test_diff_native), for the eight
 * operations, three sizes, a register and an immediate source, values at the edges, CF clear
 * and set (ADC, SBB read it). The bytes above the operand stay as they were. */
static void test_memory_destination_matches_register(void **state)
{
    struct xt *t = *state;
    static const uint32_t values[][2] = {
        {0, 0},
        {1, 1},
        {0, 1},
        {0x7fffffff, 1},
        {0x80000000, 1},
        {0xffffffff, 1},
        {0x7f, 0x80},
        {0xff, 0x01},
        {0x7fff, 0x8000},
        {0x8000, 0xffff},
        {0x12345678, 0x9abcdef0},
        {0xdeadbeef, 0xdeadbeef},
    };
    for (unsigned op = 0; op < 8; op++)
        for (unsigned form = 0; form < 6; form++) {
            /* 0-2: op r/m, reg for sizes 1, 2, 4; 3-5: 83 /op ib (80 /op ib for size 1) */
            unsigned size = form % 3 == 0 ? 1 : form % 3 == 1 ? 2 : 4;
            bool imm = form >= 3;
            for (unsigned v = 0; v < sizeof values / sizeof values[0]; v++)
                for (uint64_t cf = 0; cf <= X86_CF; cf += X86_CF) {
                    uint8_t reg[5], mem[5];
                    unsigned n = 0;
                    if (size == 2) reg[n] = mem[n] = 0x66, n++;
                    uint32_t b = values[v][1];
                    if (imm) {
                        reg[n] = mem[n] = size == 1 ? 0x80 : 0x83;
                        reg[n + 1] = (uint8_t)(0xc0 | op << 3); /* EAX */
                        mem[n + 1] = (uint8_t)(0x01 | op << 3); /* [ECX] */
                        reg[n + 2] = mem[n + 2] = (uint8_t)b;
                        n += 3;
                        b = (uint32_t)(int32_t)(int8_t)b; /* what the operation sees */
                    } else {
                        reg[n] = mem[n] = (uint8_t)(op << 3 | (size == 1 ? 0 : 1));
                        reg[n + 1] = 0xd8; /* EAX, EBX */
                        mem[n + 1] = 0x19; /* [ECX], EBX */
                        n += 2;
                    }
                    uint32_t a = values[v][0], r_dest, m_dest;
                    uint64_t r_flags, m_flags;
                    alu_once(t, reg, n, a, values[v][1], cf, false, &r_dest, &r_flags);
                    alu_once(t, mem, n, a, values[v][1], cf, true, &m_dest, &m_flags);
                    if (r_dest != m_dest || r_flags != m_flags)
                        fail_msg("op %u size %u %s a=%#x b=%#x cf=%u: register %#x flags %#llx, "
                                 "memory %#x flags %#llx",
                                 op, size, imm ? "imm" : "reg", a, b, (unsigned)cf, r_dest,
                                 (unsigned long long)r_flags, m_dest, (unsigned long long)m_flags);
                }
        }
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_add_overflow),
        T(test_add_carry_byte),
        T(test_add_high_byte),
        T(test_add_16bit),
        T(test_adc),
        T(test_sub),
        T(test_sbb),
        T(test_cmp),
        T(test_logic),
        T(test_group1_sign_extended),
        T(test_group1_forms),
        T(test_inc_dec),
        T(test_neg_not),
        T(test_rmw_fault_changes_nothing),
        T(test_memory_destination_matches_register),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
