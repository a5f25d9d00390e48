/* Far CALL and JMP through call gates (SDM Vol. 3A 5.8.3-5.8.6; Vol. 2A CALL "CALL-GATE",
 * "MORE-PRIVILEGE", "SAME-PRIVILEGE", JMP "call gate") and RET far back to the outer level
 * (Vol. 2A RET "RETURN-TO-OUTER-PRIVILEGE-LEVEL"). */
#include "x86/helpers.h"

static x86_status run(struct xt *t)
{
    return x86_step(t->cpu);
}

#define GATE_IDX  10 /* GDT entry of the gate under test */
#define GATE_SEL  (GATE_IDX * 8)
#define KCODE_NP  0x58u /* entry 11: ring-0 code, not present */
#define KSTACK_NP 0x60u /* entry 12: ring-0 data, not present */
#define UCALL_SP  0x7000u

/* A 32-bit call gate (type 0xC; SDM Vol. 3A 5.8.3 Figure 5-8): selector, offset, parameter
 * count, DPL, present. */
static void gate32(struct x86_cpu *cpu, unsigned idx, uint16_t sel, uint32_t off, unsigned params,
                   unsigned dpl, bool present)
{
    uint64_t raw = (off & 0xffffu) | (uint64_t)sel << 16 | (uint64_t)(params & 0x1f) << 32 |
                   (uint64_t)(0xcu | dpl << 5 | (present ? 0x80u : 0)) << 40 |
                   (uint64_t)(off >> 16) << 48;
    xt_write(cpu, XT_GDT + idx * 8, 8, raw);
}

/* The protected-mode environment with room for the extra entries, CPL 3 at XT_CODE_ADDR. */
static void env32(struct xt *t)
{
    xt_pm_env(t->cpu);
    t->cpu->gdtr.limit = 16 * 8 - 1;
    xt_gdt_set(t->cpu, 11, 0, 0xffffffffu, 0x1b, 0xc); /* ring-0 code, P = 0 */
    xt_gdt_set(t->cpu, 12, 0, 0xffffffffu, 0x13, 0xc); /* ring-0 data, P = 0 */
    xt_enter_user(t->cpu);
    t->cpu->gpr[X86_RSP] = UCALL_SP;
}

/* call far GATE_SEL:0 (9A; the offset is ignored through a gate) */
#define CALL_GATE(cpu) XT_CODE(cpu, 0x9a, 0x78, 0x56, 0x34, 0x12, GATE_SEL, 0x00)

/* CALL from ring 3 through a DPL-3 gate to ring-0 non-conforming code: the stack from
 * TSS.SS0:ESP0, the caller's SS:ESP, two parameter dwords copied in order, CS:EIP pushed
 * (SDM Vol. 3A 5.8.5, Figure 5-13); RET far 8 returns to ring 3 and releases the parameters on
 * both stacks (Vol. 2A RET). */
static void test_call_gate_inner_with_params(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    env32(t);
    gate32(cpu, GATE_IDX, XT_KCODE, 0x3000, 2, 3, true);
    xt_write(cpu, UCALL_SP, 4, 0x11111111u);     /* parameter 0 */
    xt_write(cpu, UCALL_SP + 4, 4, 0x22222222u); /* parameter 1 */
    CALL_GATE(cpu);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->cpl, 0);
    assert_int_equal(cpu->seg[X86_CS].sel, XT_KCODE);
    assert_int_equal(cpu->rip, 0x3000);
    assert_int_equal(cpu->seg[X86_SS].sel, XT_KDATA);
    assert_int_equal(cpu->gpr[X86_RSP], XT_KSTACK - 24);
    assert_int_equal(xt_read(cpu, XT_KSTACK - 4, 4), XT_UDATA);
    assert_int_equal(xt_read(cpu, XT_KSTACK - 8, 4), UCALL_SP);
    assert_int_equal(xt_read(cpu, XT_KSTACK - 12, 4), 0x22222222u);
    assert_int_equal(xt_read(cpu, XT_KSTACK - 16, 4), 0x11111111u);
    assert_int_equal(xt_read(cpu, XT_KSTACK - 20, 4), XT_UCODE);
    assert_int_equal(xt_read(cpu, XT_KSTACK - 24, 4), XT_CODE_ADDR + 7);
    /* ret far 8 (CA 08 00): back to ring 3 past the parameters */
    xt_write(cpu, 0x3000, 1, 0xca);
    xt_write(cpu, 0x3001, 2, 8);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->seg[X86_CS].sel, XT_UCODE);
    assert_int_equal(cpu->rip, XT_CODE_ADDR + 7);
    assert_int_equal(cpu->seg[X86_SS].sel, XT_UDATA);
    assert_int_equal(cpu->gpr[X86_RSP], UCALL_SP + 8);
}

/* CALL through a gate to code at the same privilege (or conforming code): no stack switch, CS
 * and EIP pushed, CS.RPL = CPL (SDM Vol. 2A CALL "SAME-PRIVILEGE"). */
static void test_call_gate_same_and_conforming(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    env32(t);
    gate32(cpu, GATE_IDX, XT_CONFORM, 0x3000, 2, 3, true);
    CALL_GATE(cpu);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->seg[X86_CS].sel, XT_CONFORM | 3);
    assert_int_equal(cpu->seg[X86_SS].sel, XT_UDATA);
    assert_int_equal(cpu->gpr[X86_RSP], UCALL_SP - 8);
    assert_int_equal(xt_read(cpu, UCALL_SP - 4, 4), XT_UCODE);
    assert_int_equal(xt_read(cpu, UCALL_SP - 8, 4), XT_CODE_ADDR + 7);
    /* ring 0 through a DPL-0 gate to ring-0 code */
    xt_pm_env(cpu);
    cpu->gdtr.limit = 16 * 8 - 1;
    gate32(cpu, GATE_IDX, XT_KCODE, 0x3000, 0, 0, true);
    cpu->gpr[X86_RSP] = UCALL_SP;
    cpu->rip = XT_CODE_ADDR;
    CALL_GATE(cpu);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->seg[X86_CS].sel, XT_KCODE);
    assert_int_equal(cpu->gpr[X86_RSP], UCALL_SP - 8);
    assert_int_equal(cpu->rip, 0x3000);
}

/* JMP through a call gate: no push, no privilege change; a non-conforming target must have
 * DPL = CPL (SDM Vol. 2A JMP "call gate", Vol. 3A 5.8.4 Table 5-1). */
static void test_jmp_gate(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    env32(t);
    gate32(cpu, GATE_IDX, XT_UCODE, 0x3000, 0, 3, true);
    XT_CODE(cpu, 0xea, 0, 0, 0, 0, GATE_SEL, 0x00); /* jmp far GATE_SEL:0 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->seg[X86_CS].sel, XT_UCODE);
    assert_int_equal(cpu->rip, 0x3000);
    assert_int_equal(cpu->gpr[X86_RSP], UCALL_SP);
    /* to ring-0 non-conforming code: #GP(code-segment selector) */
    gate32(cpu, GATE_IDX, XT_KCODE, 0x3000, 0, 3, true);
    cpu->rip = XT_CODE_ADDR;
    xt_assert_trap(cpu, run(t), X86_VEC_GP, XT_KCODE);
    assert_int_equal(cpu->cpl, 3);
}

/* The checks of CALL-GATE in order, each with its error code (SDM Vol. 2A CALL "Protected Mode
 * Exceptions"; Vol. 3A 5.8.4): the gate's DPL against CPL and RPL, its P bit, the target
 * selector, DPL and P bit. Nothing changes. */
static void test_call_gate_faults(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    env32(t);
    /* gate DPL 0 < CPL 3: #GP(gate) */
    gate32(cpu, GATE_IDX, XT_KCODE, 0x3000, 0, 0, true);
    CALL_GATE(cpu);
    xt_assert_trap(cpu, run(t), X86_VEC_GP, GATE_SEL);
    /* RPL 3 > gate DPL 2 at CPL 2 */
    gate32(cpu, GATE_IDX, XT_KCODE, 0x3000, 0, 2, true);
    cpu->cpl = 2;
    XT_CODE(cpu, 0x9a, 0, 0, 0, 0, GATE_SEL | 3, 0x00);
    xt_assert_trap(cpu, run(t), X86_VEC_GP, GATE_SEL);
    cpu->cpl = 3;
    /* gate not present: #NP(gate) */
    gate32(cpu, GATE_IDX, XT_KCODE, 0x3000, 0, 3, false);
    CALL_GATE(cpu);
    xt_assert_trap(cpu, run(t), X86_VEC_NP, GATE_SEL);
    /* null target selector: #GP(0) */
    gate32(cpu, GATE_IDX, 0, 0x3000, 0, 3, true);
    xt_assert_trap(cpu, run(t), X86_VEC_GP, 0);
    /* target a data segment: #GP(target) */
    gate32(cpu, GATE_IDX, XT_KDATA, 0x3000, 0, 3, true);
    xt_assert_trap(cpu, run(t), X86_VEC_GP, XT_KDATA);
    /* target not present: #NP(target) */
    gate32(cpu, GATE_IDX, KCODE_NP, 0x3000, 0, 3, true);
    xt_assert_trap(cpu, run(t), X86_VEC_NP, KCODE_NP);
    /* a call to a less privileged level (ring-3 code from CPL 0 through a gate): #GP(target) */
    xt_pm_env(cpu);
    cpu->gdtr.limit = 16 * 8 - 1;
    gate32(cpu, GATE_IDX, XT_UCODE, 0x3000, 0, 3, true);
    cpu->rip = XT_CODE_ADDR;
    CALL_GATE(cpu);
    xt_assert_trap(cpu, run(t), X86_VEC_GP, XT_UCODE & 0xfffc);
    /* entry point beyond the target's limit: #GP(0) */
    gate32(cpu, GATE_IDX, XT_CODE16, 0x10000, 0, 0, true);
    xt_assert_trap(cpu, run(t), X86_VEC_GP, 0);
    assert_int_equal(cpu->seg[X86_CS].sel, XT_KCODE);
}

/* The stack switch's checks (SDM Vol. 2A CALL "MORE-PRIVILEGE"): the TSS limit #TS(TSS), a null
 * SS0 #TS(0), SS0 with RPL != DPL or not writable data #TS(SS0), SS0 not present #SS(SS0), no
 * room for the frame #SS(SS0). The caller's state is untouched. */
static void test_call_gate_stack_faults(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    env32(t);
    gate32(cpu, GATE_IDX, XT_KCODE, 0x3000, 1, 3, true);
    CALL_GATE(cpu);
    cpu->tr.limit = 8; /* SS0 beyond the limit */
    xt_assert_trap(cpu, run(t), X86_VEC_TS, XT_TSSSEL);
    cpu->tr.limit = 0x67;
    xt_write(cpu, XT_TSS + 8, 4, 0);
    xt_assert_trap(cpu, run(t), X86_VEC_TS, 0);
    xt_write(cpu, XT_TSS + 8, 4, XT_UDATA);
    xt_assert_trap(cpu, run(t), X86_VEC_TS, XT_UDATA & 0xfffc);
    xt_write(cpu, XT_TSS + 8, 4, XT_KCODE);
    xt_assert_trap(cpu, run(t), X86_VEC_TS, XT_KCODE);
    xt_write(cpu, XT_TSS + 8, 4, KSTACK_NP);
    xt_assert_trap(cpu, run(t), X86_VEC_SS, KSTACK_NP);
    /* a 16-byte expand-up ring-0 stack at ESP0 = 12: the 5 dwords do not fit */
    xt_gdt_set(cpu, 13, 0x9000, 0xf, 0x93, 0x4);
    xt_write(cpu, XT_TSS + 8, 4, 13 * 8);
    xt_write(cpu, XT_TSS + 4, 4, 12);
    xt_assert_trap(cpu, run(t), X86_VEC_SS, 13 * 8);
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->seg[X86_SS].sel, XT_UDATA);
    assert_int_equal(cpu->gpr[X86_RSP], UCALL_SP);
}

/* IA-32e mode: a 16-byte 64-bit call gate (SDM Vol. 3A 5.8.3.1 Figure 5-9, 5.8.6): from 64-bit
 * ring 3 to 64-bit ring 0, RSP from TSS.RSP0, SS a null selector with RPL 0, SS:RSP and CS:RIP
 * pushed as quadwords, no parameters; RETFQ returns to ring 3. */
static void test_call_gate_64(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    xt_lm_env(cpu);
    uint64_t target = 0x3000;
    uint64_t lo = (target & 0xffff) | (uint64_t)XT_LM_KCODE << 16 | 0xecull << 40 |
                  ((target >> 16) & 0xffff) << 48;
    xt_write(cpu, XT_GDT + 0x78, 8, lo); /* entries 15-16, DPL 3 */
    xt_write(cpu, XT_GDT + 0x80, 8, target >> 32);
    cpu->gdtr.limit = 17 * 8 - 1;
    xt_load_cache(cpu, X86_CS, XT_LM_UCODE);
    xt_load_cache(cpu, X86_SS, XT_LM_UDATA);
    cpu->cpl = 3;
    cpu->gpr[X86_RSP] = UCALL_SP;
    cpu->gpr[X86_RAX] = XT_DATA_ADDR;
    xt_write(cpu, XT_DATA_ADDR, 4, 0);
    xt_write(cpu, XT_DATA_ADDR + 4, 2, 0x78 | 3);
    XT_CODE(cpu, 0xff, 0x18); /* call far [rax] (m16:32) */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->cpl, 0);
    assert_int_equal(cpu->code_bits, 64);
    assert_int_equal(cpu->seg[X86_CS].sel, XT_LM_KCODE);
    assert_int_equal(cpu->rip, 0x3000);
    assert_int_equal(cpu->seg[X86_SS].sel, 0);
    assert_int_equal(cpu->gpr[X86_RSP], XT_KSTACK - 32);
    assert_int_equal(xt_read(cpu, XT_KSTACK - 8, 8), XT_LM_UDATA);
    assert_int_equal(xt_read(cpu, XT_KSTACK - 16, 8), UCALL_SP);
    assert_int_equal(xt_read(cpu, XT_KSTACK - 24, 8), XT_LM_UCODE);
    assert_int_equal(xt_read(cpu, XT_KSTACK - 32, 8), XT_CODE_ADDR + 2);
    xt_write(cpu, 0x3000, 2, 0xcb48); /* retfq */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->seg[X86_CS].sel, XT_LM_UCODE);
    assert_int_equal(cpu->seg[X86_SS].sel, XT_LM_UDATA);
    assert_int_equal(cpu->rip, XT_CODE_ADDR + 2);
    assert_int_equal(cpu->gpr[X86_RSP], UCALL_SP);
    /* the upper half's type must be 0: #GP(gate) */
    xt_write(cpu, XT_GDT + 0x80, 8, 0xcull << 40);
    cpu->rip = XT_CODE_ADDR;
    xt_assert_trap(cpu, run(t), X86_VEC_GP, 0x78);
    /* a 32-bit target code segment (L = 0): #GP(target) */
    xt_write(cpu, XT_GDT + 0x80, 8, 0);
    xt_write(cpu, XT_GDT + 0x78, 8, (lo & ~(0xffffull << 16)) | (uint64_t)XT_KCODE << 16);
    xt_assert_trap(cpu, run(t), X86_VEC_GP, XT_KCODE);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_call_gate_inner_with_params),
        T(test_call_gate_same_and_conforming),
        T(test_jmp_gate),
        T(test_call_gate_faults),
        T(test_call_gate_stack_faults),
        T(test_call_gate_64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
