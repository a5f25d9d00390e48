/* Control transfer and the stack (SDM Vol. 1 6.2-6.3; Vol. 2 JMP, Jcc, CALL, RET, LOOP, JCXZ,
 * PUSH, POP, PUSHA, POPA, ENTER, LEAVE, PUSHF, POPF). */
#include "x86/helpers.h"

#define CF X86_CF
#define ZF X86_ZF
#define SF X86_SF
#define OF X86_OF

static x86_status run(struct xt *t)
{
    return x86_step(t->cpu);
}
static uint32_t esp(struct xt *t)
{
    return (uint32_t)t->cpu->gpr[X86_RSP];
}

/* JMP rel8 backwards and rel32 forwards: relative to the next instruction. */
static void test_jmp(void **state)
{
    struct xt *t = *state;
    XT_CODE(t->cpu, 0xe9, 0x00, 0x01, 0x00, 0x00); /* jmp +0x100 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 5 + 0x100);
    XT_CODE(t->cpu, 0xeb, 0xfe); /* jmp $ */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 5 + 0x100);
    XT_CODE(t->cpu, 0xff, 0xe0); /* jmp eax */
    t->cpu->gpr[X86_RAX] = 0x2000;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, 0x2000);
}

/* SDM Vol. 2A JMP: #GP(0) when the target is beyond the CS limit; nothing changes. */
static void test_jmp_beyond_limit(void **state)
{
    struct xt *t = *state;
    struct x86_seg cs = t->cpu->seg[X86_CS];
    x86_set_seg(t->cpu, X86_CS, cs.sel, 0, 0xffff, cs.attr & ~(uint32_t)X86_SEG_G);
    XT_CODE(t->cpu, 0xe9, 0x00, 0x00, 0x01, 0x00); /* jmp +0x10000 */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
}

/* Jcc rel8/rel32 on each flag combination of SDM Vol. 1 Table B-1. */
static void test_jcc(void **state)
{
    struct xt *t = *state;
    static const struct {
        uint8_t cc;
        uint64_t flags;
        bool taken;
    } cases[] = {
        {0x0, OF, true},           {0x1, OF, false},      {0x2, CF, true},
        {0x3, CF, false},          {0x4, ZF, true},       {0x5, 0, true},
        {0x6, ZF, true},           {0x7, CF, false},      {0x7, 0, true},
        {0x8, SF, true},           {0xa, X86_PF, true},   {0xb, 0, true},
        {0xc, SF, true},           {0xc, SF | OF, false}, {0xd, OF, false},
        {0xe, ZF | SF | OF, true}, {0xe, SF | OF, false}, {0xf, 0, true},
        {0xf, ZF, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t->cpu->rip = XT_CODE_ADDR;
        xt_set_arith(t->cpu, cases[i].flags);
        uint8_t short_form[2] = {(uint8_t)(0x70 | cases[i].cc), 0x10};
        xt_code(t->cpu, short_form, 2);
        assert_int_equal(run(t), X86_OK);
        assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 2 + (cases[i].taken ? 0x10 : 0));
        t->cpu->rip = XT_CODE_ADDR;
        uint8_t near_form[6] = {0x0f, (uint8_t)(0x80 | cases[i].cc), 0xf0, 0xff, 0xff, 0xff};
        xt_code(t->cpu, near_form, 6);
        assert_int_equal(run(t), X86_OK);
        assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 6 - (cases[i].taken ? 0x10 : 0));
    }
}

/* CALL pushes the next EIP; RET imm16 pops it and releases imm16 bytes more. */
static void test_call_ret(void **state)
{
    struct xt *t = *state;
    XT_CODE(t->cpu, 0xe8, 0xfb, 0x0f, 0x00, 0x00); /* call 0x2000 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, 0x2000);
    assert_int_equal(esp(t), XT_STACK_TOP - 4);
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 4, 4), XT_CODE_ADDR + 5);
    XT_CODE(t->cpu, 0xc2, 0x08, 0x00); /* ret 8 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 5);
    assert_int_equal(esp(t), XT_STACK_TOP + 8);
    /* call eax; ret */
    t->cpu->gpr[X86_RAX] = 0x3000;
    t->cpu->gpr[X86_RSP] = XT_STACK_TOP;
    XT_CODE(t->cpu, 0xff, 0xd0);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, 0x3000);
    XT_CODE(t->cpu, 0xc3);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 7);
    assert_int_equal(esp(t), XT_STACK_TOP);
}

/* A CALL whose push faults (#SS(0), stack segment limit) leaves ESP and EIP alone. */
static void test_call_stack_fault(void **state)
{
    struct xt *t = *state;
    struct x86_seg ss = t->cpu->seg[X86_SS];
    x86_set_seg(t->cpu, X86_SS, ss.sel, 0, 0xfff, ss.attr & ~(uint32_t)X86_SEG_G);
    t->cpu->gpr[X86_RSP] = 0x1002; /* the push would write 0xffe..0x1001 */
    XT_CODE(t->cpu, 0xe8, 0x00, 0x00, 0x00, 0x00);
    xt_assert_trap(t->cpu, run(t), X86_VEC_SS, 0);
    assert_int_equal(esp(t), 0x1002);
}

/* LOOP decrements ECX without touching flags; LOOPE also needs ZF; JECXZ tests ECX. */
static void test_loop_jecxz(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RCX] = 2;
    xt_set_arith(t->cpu, 0);
    XT_CODE(t->cpu, 0xe2, 0xfe); /* loop $ */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR);
    assert_int_equal(t->cpu->gpr[X86_RCX], 1);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 2);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0);
    assert_int_equal(XT_ARITH(t->cpu), 0);
    t->cpu->rip = XT_CODE_ADDR;
    t->cpu->gpr[X86_RCX] = 5;
    XT_CODE(t->cpu, 0xe1, 0x10); /* loope +16 with ZF = 0: not taken */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 2);
    assert_int_equal(t->cpu->gpr[X86_RCX], 4);
    t->cpu->rip = XT_CODE_ADDR;
    t->cpu->gpr[X86_RCX] = 0x10000; /* jcxz (67 e3) looks at CX only */
    XT_CODE(t->cpu, 0x67, 0xe3, 0x10);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 3 + 0x10);
    t->cpu->rip = XT_CODE_ADDR;
    XT_CODE(t->cpu, 0xe3, 0x10); /* jecxz */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 2);
}

/* PUSH reg/imm/mem, POP reg/mem; PUSH ESP pushes the old value, POP ESP loads the popped one,
 * POP [ESP+4] addresses with the incremented ESP (SDM Vol. 2B PUSH, POP). */
static void test_push_pop(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x11111111;
    t->cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    xt_write(t->cpu, XT_DATA_ADDR, 4, 0x22222222);
    /* push eax; push 0x12345678; push -2; push dword ptr [ebx]; push esp */
    XT_CODE(t->cpu, 0x50, 0x68, 0x78, 0x56, 0x34, 0x12, 0x6a, 0xfe, 0xff, 0x33, 0x54);
    for (int i = 0; i < 5; i++)
        assert_int_equal(run(t), X86_OK);
    assert_int_equal(esp(t), XT_STACK_TOP - 20);
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 4, 4), 0x11111111);
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 8, 4), 0x12345678);
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 12, 4), 0xfffffffe);
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 16, 4), 0x22222222);
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 20, 4), XT_STACK_TOP - 16);
    /* pop ecx; pop dword ptr [esp+4]; pop esp */
    XT_CODE(t->cpu, 0x59, 0x8f, 0x44, 0x24, 0x04, 0x5c);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RCX], XT_STACK_TOP - 16);
    assert_int_equal(run(t), X86_OK); /* pops 0x22222222 and stores at (ESP after pop) + 4 */
    assert_int_equal(esp(t), XT_STACK_TOP - 12);
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 8, 4), 0x22222222);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(esp(t), 0xfffffffe);
}

/* PUSHAD stores the original ESP; POPAD skips it. */
static void test_pusha_popa(void **state)
{
    struct xt *t = *state;
    for (unsigned r = 0; r < 8; r++)
        if (r != X86_RSP) t->cpu->gpr[r] = 0x100 + r;
    XT_CODE(t->cpu, 0x60, 0x61); /* pushad; popad */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(esp(t), XT_STACK_TOP - 32);
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 4, 4), 0x100);         /* EAX */
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 20, 4), XT_STACK_TOP); /* ESP */
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 32, 4), 0x107);        /* EDI */
    for (unsigned r = 0; r < 8; r++)
        if (r != X86_RSP) t->cpu->gpr[r] = 0;
    xt_write(t->cpu, XT_STACK_TOP - 20, 4, 0xdead);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(esp(t), XT_STACK_TOP);
    for (unsigned r = 0; r < 8; r++)
        if (r != X86_RSP) assert_int_equal(t->cpu->gpr[r], 0x100 + r);
}

/* ENTER 16, 2 / LEAVE (SDM Vol. 2A ENTER "Operation"). */
static void test_enter_leave(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RBP] = 0x7000;
    xt_write(t->cpu, 0x7000 - 4, 4, 0xabcd);       /* the outer frame's display entry */
    XT_CODE(t->cpu, 0xc8, 0x10, 0x00, 0x02, 0xc9); /* enter 16, 2; leave */
    assert_int_equal(run(t), X86_OK);
    uint32_t frame = XT_STACK_TOP - 4;
    assert_int_equal(t->cpu->gpr[X86_RBP], frame);
    assert_int_equal(xt_read(t->cpu, frame, 4), 0x7000);     /* old EBP */
    assert_int_equal(xt_read(t->cpu, frame - 4, 4), 0xabcd); /* copied display entry */
    assert_int_equal(xt_read(t->cpu, frame - 8, 4), frame);  /* frame pointer */
    assert_int_equal(esp(t), frame - 8 - 16);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RBP], 0x7000);
    assert_int_equal(esp(t), XT_STACK_TOP);
}

/* PUSHFD stores VM and RF as 0 (bit 1 as 1); POPFD at CPL 0 sets IOPL and IF. */
static void test_pushf_popf_cpl0(void **state)
{
    struct xt *t = *state;
    t->cpu->rflags = X86_FLAGS_FIXED1 | X86_RF | CF;
    XT_CODE(t->cpu, 0x9c, 0x9d); /* pushfd; popfd */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 4, 4), X86_FLAGS_FIXED1 | CF);
    xt_write(t->cpu, XT_STACK_TOP - 4, 4, X86_IOPL | X86_IF | X86_DF | ZF | X86_VM | 0x8);
    assert_int_equal(run(t), X86_OK);
    /* VM and the reserved bit 3 are not loaded; bit 1 stays set */
    assert_int_equal(t->cpu->rflags, X86_IOPL | X86_IF | X86_DF | ZF | X86_FLAGS_FIXED1);
}

/* SDM Vol. 2B POPF: at CPL 3 with IOPL 0, IOPL and IF do not change and nothing faults. */
static void test_popf_user(void **state)
{
    struct xt *t = *state;
    xt_enter_user(t->cpu);
    t->cpu->rflags = X86_FLAGS_FIXED1;
    xt_write(t->cpu, XT_STACK_TOP, 4, X86_IOPL | X86_IF | CF | X86_AC);
    XT_CODE(t->cpu, 0x9d);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rflags, X86_FLAGS_FIXED1 | CF | X86_AC);
    /* with IOPL 3, CPL 3 may change IF (but still not IOPL) */
    t->cpu->rflags = X86_FLAGS_FIXED1 | X86_IOPL;
    t->cpu->rip = XT_CODE_ADDR;
    t->cpu->gpr[X86_RSP] = XT_STACK_TOP;
    xt_write(t->cpu, XT_STACK_TOP, 4, X86_IF);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rflags, X86_FLAGS_FIXED1 | X86_IOPL | X86_IF);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_jmp),
        T(test_jmp_beyond_limit),
        T(test_jcc),
        T(test_call_ret),
        T(test_call_stack_fault),
        T(test_loop_jecxz),
        T(test_push_pop),
        T(test_pusha_popa),
        T(test_enter_leave),
        T(test_pushf_popf_cpl0),
        T(test_popf_user),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
