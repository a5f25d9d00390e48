/* BOUND (62 /r; SDM Vol. 2A BOUND: #BR when the signed index is outside the bounds, #UD with a
 * register operand and in 64-bit mode) and ARPL (63 /r outside 64-bit mode; SDM Vol. 2A ARPL:
 * the destination selector's RPL raised to the source's, ZF; #UD in real-address mode). */
#include "x86/helpers.h"

/* Steps the instruction at XT_CODE_ADDR and puts RIP back there for the next XT_CODE. */
static x86_status run(struct xt *t)
{
    t->cpu->rip = XT_CODE_ADDR;
    x86_status st = x86_step(t->cpu);
    if (st == X86_OK) t->cpu->rip = XT_CODE_ADDR;
    return st;
}

#define DATA_ATTR (0x3u | X86_SEG_S | X86_SEG_P | X86_SEG_DB | X86_SEG_G)

/* BOUND r32, m32&32: the index may equal either bound; one below the lower or above the upper is
 * #BR (vector 5, no error code, a fault: RIP stays). The comparison is signed. */
static void test_bound32(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    xt_write(cpu, XT_DATA_ADDR, 4, (uint32_t)-5);
    xt_write(cpu, XT_DATA_ADDR + 4, 4, 10);
    cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    XT_CODE(cpu, 0x62, 0x03); /* bound eax, [ebx] */
    cpu->gpr[X86_RAX] = (uint32_t)-5;
    assert_int_equal(run(t), X86_OK);
    cpu->gpr[X86_RAX] = 10;
    assert_int_equal(run(t), X86_OK);
    cpu->gpr[X86_RAX] = 0;
    assert_int_equal(run(t), X86_OK);
    cpu->gpr[X86_RAX] = 11;
    xt_assert_trap(cpu, run(t), X86_VEC_BR, -1);
    cpu->gpr[X86_RAX] = (uint32_t)-6;
    xt_assert_trap(cpu, run(t), X86_VEC_BR, -1);
    cpu->gpr[X86_RAX] = 0x80000000u; /* the most negative index, below -5 */
    xt_assert_trap(cpu, run(t), X86_VEC_BR, -1);
    assert_int_equal(cpu->gpr[X86_RAX], 0x80000000u); /* nothing changes */
}

/* BOUND r16, m16&16 (66h): 16-bit signed bounds at m and m + 2; the upper half of EAX is not
 * part of the index. */
static void test_bound16(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    xt_write(cpu, XT_DATA_ADDR, 2, 0xfff0); /* -16 */
    xt_write(cpu, XT_DATA_ADDR + 2, 2, 0x0010);
    cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    XT_CODE(cpu, 0x66, 0x62, 0x03);  /* bound ax, [ebx] */
    cpu->gpr[X86_RAX] = 0x1234ffffu; /* ax = -1 */
    assert_int_equal(run(t), X86_OK);
    cpu->gpr[X86_RAX] = 0x00000011u;
    xt_assert_trap(cpu, run(t), X86_VEC_BR, -1);
    cpu->gpr[X86_RAX] = 0x0000ffefu; /* -17 */
    xt_assert_trap(cpu, run(t), X86_VEC_BR, -1);
}

/* "Protected Mode Exceptions": #UD if the second operand is a register; #GP(0) if a bound lies
 * outside the segment limit. "64-Bit Mode Exceptions": #UD (62 is the EVEX prefix there). */
static void test_bound_faults(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    XT_CODE(cpu, 0x62, 0xc1); /* bound eax, ecx */
    xt_assert_trap(cpu, run(t), X86_VEC_UD, -1);
    /* DS limit XT_DATA_ADDR + 5: the upper bound (bytes 4-7) crosses it */
    x86_set_seg(cpu, X86_DS, 0x18, 0, XT_DATA_ADDR + 5, DATA_ATTR & ~(uint32_t)X86_SEG_G);
    cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    XT_CODE(cpu, 0x62, 0x03);
    xt_assert_trap(cpu, run(t), X86_VEC_GP, 0);
    xt_lm_env(cpu);
    cpu->rip = XT_CODE_ADDR;
    XT_CODE(cpu, 0x62, 0x03);
    xt_assert_trap(cpu, run(t), X86_VEC_UD, -1);
}

/* #BR through the IDT (SDM Vol. 3A 6.15 "Interrupt 5"): a fault, so the saved EIP is BOUND's
 * own and BOUND does not retire. */
static void test_bound_delivery(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    xt_pm_env(cpu);
    xt_idt_set(cpu, X86_VEC_BR, XT_KCODE, 0x3000, 0xe, 0, true);
    cpu->gpr[X86_RSP] = XT_STACK_TOP;
    xt_write(cpu, XT_DATA_ADDR, 4, 1);
    xt_write(cpu, XT_DATA_ADDR + 4, 4, 2);
    cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    cpu->gpr[X86_RAX] = 3;
    XT_CODE(cpu, 0x62, 0x03);
    assert_int_equal(xt_run1(cpu), X86_TRAP(X86_VEC_BR));
    assert_int_equal(cpu->rip, 0x3000);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 12, 4), XT_CODE_ADDR);
    assert_int_equal(t->m.insns, 0);
}

/* ARPL r/m16, r16 with a register destination: RPL 0 raised to the source's RPL 3, ZF = 1, the
 * upper half of ECX kept; an RPL already >= the source's is left with ZF = 0. The operand size
 * is 16 bits whatever 66h says. */
static void test_arpl_reg(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    XT_CODE(cpu, 0x63, 0xc1); /* arpl cx, ax */
    cpu->gpr[X86_RCX] = 0xdead0018u;
    cpu->gpr[X86_RAX] = 0xffff0003u;
    xt_set_arith(cpu, 0);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->gpr[X86_RCX], 0xdead001bu);
    assert_int_equal(XT_ARITH(cpu), X86_ZF);
    cpu->gpr[X86_RAX] = 2;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->gpr[X86_RCX], 0xdead001bu);
    assert_int_equal(XT_ARITH(cpu), 0);
    XT_CODE(cpu, 0x66, 0x63, 0xc1);
    cpu->gpr[X86_RCX] = 0xdead0019u;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->gpr[X86_RCX], 0xdead001au);
    assert_true(cpu->rflags & X86_ZF);
}

/* ARPL with a memory destination: only the selector word changes; a destination in a read-only
 * segment is #GP(0) even when no change is due; LOCK is #UD. */
static void test_arpl_mem(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    xt_write(cpu, XT_DATA_ADDR, 4, 0xaaaa0020u);
    cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    cpu->gpr[X86_RAX] = 2;
    XT_CODE(cpu, 0x63, 0x03); /* arpl [ebx], ax */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(cpu, XT_DATA_ADDR, 4), 0xaaaa0022u);
    assert_true(cpu->rflags & X86_ZF);
    XT_CODE(cpu, 0xf0, 0x63, 0x03);
    xt_assert_trap(cpu, run(t), X86_VEC_UD, -1);
    x86_set_seg(cpu, X86_DS, 0x18, 0, 0xffffffffu, DATA_ATTR & ~2u); /* read-only data */
    cpu->gpr[X86_RAX] = 0;
    XT_CODE(cpu, 0x63, 0x03);
    xt_assert_trap(cpu, run(t), X86_VEC_GP, 0);
}

/* "Real-Address Mode Exceptions": #UD (ARPL is not recognized in real-address mode). */
static void test_arpl_real_mode(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    XT_CODE(cpu, 0x63, 0xc1);
    cpu->cr0 &= ~(uint64_t)X86_CR0_PE;
    x86_set_seg(cpu, X86_CS, 0, 0, 0xffff, 0xbu | X86_SEG_S | X86_SEG_P);
    xt_assert_trap(cpu, run(t), X86_VEC_UD, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bound32, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_bound16, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_bound_faults, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_bound_delivery, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_arpl_reg, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_arpl_mem, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_arpl_real_mode, xt_setup, xt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
