/* 16-bit code and stack segments in protected mode (SDM Vol. 1 3.6 operand and address size;
 * Vol. 3A 5.2 D/B flag): default 16-bit operands and ModRM addressing, the 66h/67h overrides,
 * SP/IP/CX/SI/DI wrapping at 64 KiB, CALL/RET/Jcc with 16-bit offsets, IRET with 16-bit frames. */
#include "x86/helpers.h"

#define SS16 0x30u /* GDT entry 6 rewritten as a 16-bit data segment */

static x86_status run(struct xt *t)
{
    return x86_step(t->cpu);
}

static void code16(struct xt *t)
{
    xt_pm_env(t->cpu);
    xt_gdt_set(t->cpu, 6, 0, 0xffff, 0x93, 0x0); /* 16-bit data: B = 0 */
    xt_load_cache(t->cpu, X86_CS, XT_CODE16);
    xt_load_cache(t->cpu, X86_SS, SS16);
    assert_int_equal(t->cpu->code_bits, 16);
}

/* Default operand and address size 16; 66h selects 32-bit operands. */
static void test_sizes(void **state)
{
    struct xt *t = *state;
    code16(t);
    t->cpu->gpr[X86_RBX] = 0x9000;
    t->cpu->gpr[X86_RSI] = 0x7000 - 2 + 0x100; /* BX + SI + 2 = 0x10100 -> 0x0100 */
    xt_write(t->cpu, 0x100, 2, 0xbeef);
    t->cpu->gpr[X86_RAX] = 0xffffffffu;
    /* mov ax, [bx+si+2]; mov eax, 0x12345678 */
    XT_CODE(t->cpu, 0x8b, 0x40, 0x02, 0x66, 0xb8, 0x78, 0x56, 0x34, 0x12);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xffffbeefu);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x12345678u);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 9);
}

/* A 16-bit stack: SP wraps from 0 to 0xFFFE; the upper half of ESP is left alone. */
static void test_stack_wrap(void **state)
{
    struct xt *t = *state;
    code16(t);
    t->cpu->gpr[X86_RSP] = 0xabcd0000u;
    t->cpu->gpr[X86_RAX] = 0x1234;
    XT_CODE(t->cpu, 0x50, 0x59); /* push ax; pop cx */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RSP], 0xabcdfffeu);
    assert_int_equal(xt_read(t->cpu, 0xfffe, 2), 0x1234);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RCX] & 0xffff, 0x1234);
    assert_int_equal(t->cpu->gpr[X86_RSP], 0xabcd0000u);
}

/* CALL rel16 pushes a 16-bit IP; RET pops it; Jcc rel16. */
static void test_call_ret_jcc(void **state)
{
    struct xt *t = *state;
    code16(t);
    t->cpu->gpr[X86_RSP] = 0x8000;
    XT_CODE(t->cpu, 0xe8, 0xfd, 0x0f); /* call +0x0ffd -> 0x2000 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, 0x2000);
    assert_int_equal(t->cpu->gpr[X86_RSP], 0x7ffe);
    assert_int_equal(xt_read(t->cpu, 0x7ffe, 2), XT_CODE_ADDR + 3);
    static const uint8_t ret[] = {0xc3};
    bus_copy_to_ram(&t->m.bus, 0x2000, ret, 1);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 3);
    assert_int_equal(t->cpu->gpr[X86_RSP], 0x8000);
    xt_set_arith(t->cpu, 0);
    XT_CODE(t->cpu, 0x0f, 0x85, 0x00, 0xf0); /* jne -0x1000: IP wraps to 16 bits */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, (XT_CODE_ADDR + 3 + 4 - 0x1000) & 0xffff);
}

/* LOOP counts CX; REP MOVSB steps SI/DI/CX at 16 bits. */
static void test_loop_and_strings(void **state)
{
    struct xt *t = *state;
    code16(t);
    t->cpu->gpr[X86_RCX] = 0x10001;          /* CX = 1: one iteration, ECX's upper half stays */
    XT_CODE(t->cpu, 0xe2, 0xfe, 0xf3, 0xa4); /* loop $; rep movsb */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0x10000);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 2);
    xt_write(t->cpu, 0xffff, 1, 0x5a);
    xt_write(t->cpu, 0x0000, 1, 0xa5);
    t->cpu->gpr[X86_RSI] = 0xffff; /* SI wraps to 0 */
    t->cpu->gpr[X86_RDI] = 0x3000;
    t->cpu->gpr[X86_RCX] = 2;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, 0x3000, 2), 0xa55a);
    assert_int_equal(t->cpu->gpr[X86_RSI], 1);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0);
}

/* IRET with a 16-bit operand size pops IP, CS and FLAGS as words; IRETD (66 CF) as doublewords. */
static void test_iret16(void **state)
{
    struct xt *t = *state;
    code16(t);
    t->cpu->gpr[X86_RSP] = 0x7000;
    xt_write(t->cpu, 0x7000, 2, 0x2345);
    xt_write(t->cpu, 0x7002, 2, XT_CODE16);
    xt_write(t->cpu, 0x7004, 2, X86_CF | X86_ZF);
    t->cpu->rflags = X86_FLAGS_FIXED1 | X86_AC; /* upper flags survive a 16-bit IRET */
    XT_CODE(t->cpu, 0xcf);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, 0x2345);
    assert_int_equal(t->cpu->gpr[X86_RSP], 0x7006);
    assert_int_equal(t->cpu->rflags, X86_FLAGS_FIXED1 | X86_AC | X86_CF | X86_ZF);
    /* iretd back to 32-bit code */
    static const uint8_t iretd[] = {0x66, 0xcf};
    bus_copy_to_ram(&t->m.bus, 0x2345, iretd, 2);
    xt_write(t->cpu, 0x7006, 4, 0x1000);
    xt_write(t->cpu, 0x700a, 4, XT_KCODE);
    xt_write(t->cpu, 0x700e, 4, X86_FLAGS_FIXED1);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->code_bits, 32);
    assert_int_equal(t->cpu->rip, 0x1000);
    assert_int_equal(t->cpu->gpr[X86_RSP], 0x7012);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_sizes),  T(test_stack_wrap), T(test_call_ret_jcc), T(test_loop_and_strings),
        T(test_iret16),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
