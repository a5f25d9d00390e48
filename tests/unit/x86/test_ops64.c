/* 64-bit operand size and REX (SDM Vol. 1 3.4.1.1, Vol. 2A 2.2.1): MOVSXD, MOV r64, imm64,
 * PUSH/POP defaulting to 64 bits, RIP-relative addressing (2.2.1.6), CQO/CDQE, CMPXCHG16B with
 * its alignment #GP, 32-bit results zero-extended, REX byte registers, 64-bit MUL, CPUID's long
 * mode bits. */
#include "x86/helpers.h"

static void lm(struct xt *t)
{
    xt_lm_env(t->cpu);
    t->cpu->gpr[X86_RSP] = XT_STACK_TOP;
}

/* Vol. 2B MOVSX/MOVSXD: 63 /r with REX.W sign-extends a doubleword; outside 64-bit mode 63 is
 * ARPL (Vol. 2A ARPL). */
static void test_movsxd(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    cpu->gpr[X86_RCX] = 0xffffffff80000001ull;
    cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    xt_write(cpu, XT_DATA_ADDR, 4, 0x7ffffffe);
    XT_CODE(cpu, 0x48, 0x63, 0xc1, 0x48, 0x63, 0x13); /* movsxd rax,ecx; movsxd rdx,[rbx] */
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX], 0xffffffff80000001ull);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RDX], 0x7ffffffe);
    /* outside 64-bit mode 63 is ARPL (test_bound_arpl.c): arpl cx, ax */
    xt_pm_env(cpu);
    cpu->rip = XT_CODE_ADDR;
    cpu->gpr[X86_RAX] = 3;
    cpu->gpr[X86_RCX] = 0x10;
    XT_CODE(cpu, 0x63, 0xc1);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RCX], 0x13);
}

/* Vol. 2B MOV: B8+r with REX.W takes an 8-byte immediate; 32-bit writes zero-extend (Vol. 1
 * 3.4.1.1); REX makes register 4 of a byte operation SPL, not AH. */
static void test_mov_imm64_zero_extend(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    cpu->gpr[X86_RAX] = 0x1111111111111111ull;
    cpu->gpr[X86_RSP] = 0x7000;
    XT_CODE(cpu, 0x49, 0xb9, 0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12, /* mov r9, imm64 */
            0xb8, 0xff, 0xff, 0xff, 0xff,                                    /* mov eax, -1 */
            0x40, 0xb4, 0x05);                                               /* mov spl, 5 */
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[9], 0x123456789abcdef0ull);
    assert_int_equal(cpu->rip, XT_CODE_ADDR + 10);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX], 0xffffffffull);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RSP], 0x7005);
    assert_int_equal(cpu->gpr[X86_RAX], 0xffffffffull); /* AH untouched */
}

/* Vol. 2B PUSH/POP: 64-bit by default in 64-bit mode, 16-bit with 66h; PUSH imm32 sign-extends
 * to 64 bits. */
static void test_push_pop_64(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    cpu->gpr[X86_RAX] = 0x8877665544332211ull;
    /* push rax; push ax; push 0xffffff80 (68 80 ff ff ff); pop r12; pop r13w (66 41 5d) */
    XT_CODE(cpu, 0x50, 0x66, 0x50, 0x68, 0x80, 0xff, 0xff, 0xff, 0x41, 0x5c, 0x66, 0x41, 0x5d);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RSP], XT_STACK_TOP - 8);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 8, 8), 0x8877665544332211ull);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RSP], XT_STACK_TOP - 10);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RSP], XT_STACK_TOP - 18);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[12], 0xffffffffffffff80ull);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[13] & 0xffff, 0x2211);
    assert_int_equal(cpu->gpr[X86_RSP], XT_STACK_TOP - 8);
}

/* Vol. 2A 2.2.1.6: ModRM mod = 00, rm = 101 is RIP + disp32 in 64-bit mode, relative to the next
 * instruction; LEA gives the address itself. */
static void test_rip_relative(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    xt_write(cpu, XT_CODE_ADDR + 7 + 0x100, 8, 0xabcdef);
    /* mov rax,[rip+0x100]; lea rcx,[rip-8] */
    XT_CODE(cpu, 0x48, 0x8b, 0x05, 0x00, 0x01, 0x00, 0x00, 0x48, 0x8d, 0x0d, 0xf8, 0xff, 0xff,
            0xff);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX], 0xabcdef);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RCX], XT_CODE_ADDR + 14 - 8);
}

/* Vol. 2A CBW/CWDE/CDQE and CWD/CDQ/CQO with REX.W. */
static void test_cdqe_cqo(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    cpu->gpr[X86_RAX] = 0x1234567880000000ull;
    XT_CODE(cpu, 0x48, 0x98, 0x48, 0x99); /* cdqe; cqo */
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX], 0xffffffff80000000ull);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RDX], UINT64_MAX);
}

/* Vol. 2A CMPXCHG8B/CMPXCHG16B: REX.W compares RDX:RAX with m128; equal: ZF = 1, RCX:RBX stored;
 * unequal: ZF = 0, RDX:RAX loaded. A misaligned operand is #GP(0) with nothing changed. */
static void test_cmpxchg16b(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    uint64_t m = XT_DATA_ADDR;
    xt_write(cpu, m, 8, 1);
    xt_write(cpu, m + 8, 8, 2);
    cpu->gpr[X86_RAX] = 1;
    cpu->gpr[X86_RDX] = 2;
    cpu->gpr[X86_RBX] = 0x33;
    cpu->gpr[X86_RCX] = 0x44;
    cpu->gpr[X86_RSI] = m;
    XT_CODE(cpu, 0x48, 0x0f, 0xc7, 0x0e); /* cmpxchg16b [rsi] */
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_true(cpu->rflags & X86_ZF);
    assert_int_equal(xt_read(cpu, m, 8), 0x33);
    assert_int_equal(xt_read(cpu, m + 8, 8), 0x44);
    cpu->rip = XT_CODE_ADDR;
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_false(cpu->rflags & X86_ZF);
    assert_int_equal(cpu->gpr[X86_RAX], 0x33);
    assert_int_equal(cpu->gpr[X86_RDX], 0x44);
    cpu->rip = XT_CODE_ADDR;
    cpu->gpr[X86_RSI] = m + 8;
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_GP, 0);
    assert_int_equal(xt_read(cpu, m + 8, 8), 0x44);
}

/* Vol. 2B MUL r/m64: RDX:RAX = RAX * r/m64; CF = OF = (RDX != 0). */
static void test_mul64(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    cpu->gpr[X86_RAX] = 0x100000000ull;
    cpu->gpr[X86_RCX] = 0x300000001ull;
    XT_CODE(cpu, 0x48, 0xf7, 0xe1);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX], 0x100000000ull);
    assert_int_equal(cpu->gpr[X86_RDX], 3);
    assert_true(cpu->rflags & X86_CF);
    assert_true(cpu->rflags & X86_OF);
}

/* Vol. 2A CPUID: 80000001H:EDX reports LM (29), NX (20) and Page1GB (26); 80000008H the
 * physical (40) and linear (48) address widths; 1:ECX CX16. */
static void test_cpuid_long_mode(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    cpu->gpr[X86_RAX] = 0x80000001u;
    XT_CODE(cpu, 0x0f, 0xa2, 0x0f, 0xa2, 0x0f, 0xa2);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RDX] & (1u << 29 | 1u << 26 | 1u << 20),
                     1u << 29 | 1u << 26 | 1u << 20);
    cpu->gpr[X86_RAX] = 0x80000008u;
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX], 0x3028);
    cpu->gpr[X86_RAX] = 1;
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_true(cpu->gpr[X86_RCX] & (1u << 13));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_movsxd, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_mov_imm64_zero_extend, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_push_pop_64, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_rip_relative, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_cdqe_cqo, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_cmpxchg16b, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_mul64, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_cpuid_long_mode, xt_setup, xt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
