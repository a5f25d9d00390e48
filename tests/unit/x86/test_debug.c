/* Debug registers and INT1: MOV to/from DR0-DR7 (SDM Vol. 2B "MOV-Move to/from Debug
 * Registers", Vol. 3B 17.2: DR4/DR5 aliases with CR4.DE = 0, #UD with CR4.DE = 1, DR7.GD, the
 * fixed bits of DR6/DR7, CPL 0, 64-bit operands) and INT1 (SDM Vol. 2A INT n/INTO/INT3/INT1,
 * Vol. 3A 6.12.1.1: no gate DPL check, the next EIP saved). */
#include "x86/helpers.h"

static x86_status run(struct xt *t)
{
    return x86_step(t->cpu);
}

/* DR0 holds any value; DR7 keeps bit 10 set and bits 11, 12, 14, 15 clear (17.2.4); DR6 keeps
 * its reserved ones (17.2.3). */
static void test_mov_dr(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    cpu->gpr[X86_RAX] = 0x12345678;
    cpu->gpr[X86_RBX] = 0xffffffffu;
    /* mov dr0,eax; mov ecx,dr0 (0f 21 c1); mov dr7,ebx; mov edx,dr7 (0f 21 fa); mov edi,dr6 */
    XT_CODE(cpu, 0x0f, 0x23, 0xc0, 0x0f, 0x21, 0xc1, 0x0f, 0x23, 0xfb, 0x0f, 0x21, 0xfa, 0x0f, 0x21,
            0xf7);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->gpr[X86_RCX], 0x12345678);
    cpu->gpr[X86_RBX] &= ~(uint64_t)X86_DR7_GD; /* GD tested below */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->gpr[X86_RDX], 0xffff07ffu);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->gpr[X86_RDI], X86_DR6_RESET);
}

/* 17.2.2: DR4/DR5 are DR6/DR7 with CR4.DE = 0; with CR4.DE = 1 they are #UD. */
static void test_dr4_dr5(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    XT_CODE(cpu, 0x0f, 0x21, 0xe8); /* mov eax, dr5 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX], X86_DR7_RESET);
    cpu->rip = XT_CODE_ADDR;
    cpu->cr4 |= X86_CR4_DE;
    xt_assert_trap(cpu, run(t), X86_VEC_UD, -1);
}

/* Vol. 2B MOV DR: CPL > 0 is #GP(0); 17.2.4: DR7.GD makes any access #DB with DR6.BD set and
 * GD cleared, so the handler can reach the registers. */
static void test_dr_faults(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    xt_enter_user(cpu);
    XT_CODE(cpu, 0x0f, 0x21, 0xc0); /* mov eax, dr0 */
    xt_assert_trap(cpu, run(t), X86_VEC_GP, 0);
    cpu->cpl = 0;
    x86_set_seg(cpu, X86_CS, 0x10, 0, 0xffffffffu,
                0xbu | X86_SEG_S | X86_SEG_P | X86_SEG_DB | X86_SEG_G);
    cpu->dr7 |= X86_DR7_GD;
    xt_assert_trap(cpu, run(t), X86_VEC_DB, -1);
    assert_true(cpu->dr6 & X86_DR6_BD);
    assert_false(cpu->dr7 & X86_DR7_GD);
    assert_int_equal(run(t), X86_OK);
}

/* 64-bit mode: 64-bit operands; bits 63:32 of DR6/DR7 must be zero (#GP(0)). */
static void test_dr_64bit(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    xt_lm_env(cpu);
    cpu->gpr[X86_RAX] = 0xffff800000001000ull;
    /* mov dr1, rax; mov rcx, dr1; mov dr7, rax */
    XT_CODE(cpu, 0x0f, 0x23, 0xc8, 0x0f, 0x21, 0xc9, 0x0f, 0x23, 0xf8);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->gpr[X86_RCX], 0xffff800000001000ull);
    xt_assert_trap(cpu, run(t), X86_VEC_GP, 0);
    assert_int_equal(cpu->dr7, X86_DR7_RESET);
}

/* 6.12.1.1: INT1 from CPL 3 through a DPL-0 gate is delivered (INT n would be #GP); the saved
 * EIP is the next instruction's and INT1 retires with its delivery. */
static void test_int1(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    xt_pm_env(cpu);
    xt_idt_set(cpu, X86_VEC_DB, XT_KCODE, 0x3000, 0xe, 0, true);
    xt_enter_user(cpu);
    xt_load_cache(cpu, X86_CS, XT_UCODE);
    xt_load_cache(cpu, X86_SS, XT_UDATA);
    cpu->gpr[X86_RSP] = 0x7000;
    XT_CODE(cpu, 0xf1);
    assert_int_equal(xt_run1(cpu), X86_TRAP_INT1);
    assert_int_equal(cpu->rip, 0x3000);
    assert_int_equal(cpu->cpl, 0);
    assert_int_equal(xt_read(cpu, XT_KSTACK - 20, 4), XT_CODE_ADDR + 1);
    assert_int_equal(t->m.insns, 1);
    /* INT 1 (CD 01) through the same DPL-0 gate: #GP(1 * 8 + 2) */
    xt_idt_set(cpu, X86_VEC_GP, XT_KCODE, 0x4000, 0xe, 0, true);
    xt_enter_user(cpu);
    xt_load_cache(cpu, X86_CS, XT_UCODE);
    xt_load_cache(cpu, X86_SS, XT_UDATA);
    cpu->rip = XT_CODE_ADDR;
    cpu->gpr[X86_RSP] = 0x7000;
    XT_CODE(cpu, 0xcd, 0x01);
    xt_run1(cpu);
    assert_int_equal(cpu->rip, 0x4000);
    assert_int_equal(xt_read(cpu, XT_KSTACK - 24, 4), 1 * 8 + 2);
}

/* ---- TF single-step and instruction breakpoints through the run loop (SDM Vol. 3B 17.3.1) -- */

#define DB_HANDLER 0x3000u

/* Ring 0 protected mode, an interrupt gate for #DB at DB_HANDLER: "or dword [esp+8], 0x10000;
 * iret" (sets RF in the saved EFLAGS, as a debugger's handler does), the run loop's limits
 * cleared for machine_step. */
static void db_env(struct xt *t)
{
    xt_pm_env(t->cpu);
    xt_idt_set(t->cpu, X86_VEC_DB, XT_KCODE, DB_HANDLER, 0xe, 0, true);
    static const uint8_t h[] = {0x81, 0x4c, 0x24, 0x08, 0x00, 0x00, 0x01, 0x00, 0xcf};
    for (unsigned i = 0; i < sizeof h; i++)
        xt_write(t->cpu, DB_HANDLER + i, 1, h[i]);
    t->m.limit_insns = 0;
    t->m.limit_time = 0;
}

/* 17.3.1.4: TF = 1 at an instruction's start: #DB after it completes, DR6.BS set, the next EIP
 * and the EFLAGS with TF saved, TF cleared for the handler. */
static void test_tf_single_step(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    db_env(t);
    XT_CODE(cpu, 0x90, 0x90);
    cpu->rflags |= X86_TF;
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(cpu->rip, DB_HANDLER);
    assert_true(cpu->dr6 & X86_DR6_BS);
    assert_false(cpu->rflags & X86_TF);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 12, 4), XT_CODE_ADDR + 1);
    assert_true(xt_read(cpu, XT_STACK_TOP - 4, 4) & X86_TF);
    assert_int_equal(t->m.insns, 1);
}

/* POPF that sets TF: the trap comes after the next instruction (TF was 0 when POPF began). */
static void test_tf_set_by_popf(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    db_env(t);
    cpu->gpr[X86_RSP] = XT_STACK_TOP - 16;
    xt_write(cpu, XT_STACK_TOP - 16, 4, 0x2 | X86_TF);
    XT_CODE(cpu, 0x9d, 0x90, 0x90); /* popf; nop; nop */
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(cpu->rip, XT_CODE_ADDR + 1);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(cpu->rip, DB_HANDLER);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 24, 4), XT_CODE_ADDR + 2);
}

/* 17.2.4-17.2.5, 17.3.1.1: DR0 an instruction breakpoint (R/W0 = 00, L0): #DB before the
 * instruction executes (a fault: its EIP saved, RF clear in the image), DR6.B0; the handler
 * sets RF in the image and IRET returns with RF = 1, which lets the instruction run once, and
 * RF is cleared after it. */
static void test_instruction_breakpoint_rf(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    db_env(t);
    XT_CODE(cpu, 0x90, 0x90, 0x90, 0x90);
    cpu->dr[0] = XT_CODE_ADDR + 1;
    cpu->dr7 = X86_DR7_RESET | 1u;                       /* L0, R/W0 = 00, LEN0 = 00 */
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE); /* the nop at +0 */
    assert_int_equal(cpu->rip, XT_CODE_ADDR + 1);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE); /* the fault at +1; the handler's or */
    assert_int_equal(cpu->rip, DB_HANDLER + 8);
    assert_int_equal(cpu->dr6 & 0xf, 1);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 12, 4), XT_CODE_ADDR + 1);
    assert_int_equal(t->m.insns, 2);                     /* the faulting nop did not retire */
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE); /* iret */
    assert_int_equal(cpu->rip, XT_CODE_ADDR + 1);
    assert_true(cpu->rflags & X86_RF);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE); /* the nop at +1 runs once */
    assert_int_equal(cpu->rip, XT_CODE_ADDR + 2);
    assert_false(cpu->rflags & X86_RF);
    /* disabled in DR7: no fault */
    cpu->dr7 = X86_DR7_RESET;
    cpu->rip = XT_CODE_ADDR;
    assert_int_equal(machine_step(&t->m, 2), STOP_NONE);
    assert_int_equal(cpu->rip, XT_CODE_ADDR + 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mov_dr, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_dr4_dr5, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_dr_faults, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_dr_64bit, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_int1, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_tf_single_step, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_tf_set_by_popf, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_instruction_breakpoint_rf, xt_setup, xt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
