/* Segment-register loads, far JMP, descriptor-table registers and control registers in
 * protected mode (SDM Vol. 3A 3.4-3.5 and 5.5-5.8; Vol. 2 MOV/POP Sreg, JMP far, LGDT/LIDT,
 * SGDT, LLDT, LTR, MOV CR, SMSW). */
#include "x86/helpers.h"

static x86_status run(struct xt *t)
{
    return x86_step(t->cpu);
}

/* MOV DS loads the descriptor cache and sets the descriptor's accessed bit. */
static void test_mov_ds_loads_cache(void **state)
{
    struct xt *t = *state;
    xt_pm_env(t->cpu);
    xt_gdt_set(t->cpu, 6, 0x12345000u, 0xfff, 0x92, 0x4); /* present, not yet accessed */
    t->cpu->gpr[X86_RAX] = XT_NPDATA;
    XT_CODE(t->cpu, 0x8e, 0xd8); /* mov ds, eax */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->seg[X86_DS].sel, XT_NPDATA);
    assert_int_equal(t->cpu->seg[X86_DS].base, 0x12345000u);
    assert_int_equal(t->cpu->seg[X86_DS].limit, 0xfff);
    assert_int_equal(X86_SEG_TYPE(t->cpu->seg[X86_DS].attr), 0x3);
    assert_int_equal(xt_read(t->cpu, XT_GDT + 6 * 8 + 5, 1), 0x93);
}

/* A null selector may be loaded into DS (then any access is #GP(0)), not into SS. */
static void test_null_selectors(void **state)
{
    struct xt *t = *state;
    xt_pm_env(t->cpu);
    t->cpu->gpr[X86_RAX] = 0;
    XT_CODE(t->cpu, 0x8e, 0xd8, 0x8b, 0x03); /* mov ds, eax; mov eax, [ebx] */
    assert_int_equal(run(t), X86_OK);
    assert_true(t->cpu->seg[X86_DS].attr & X86_SEG_UNUSABLE);
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    t->cpu->rip = XT_CODE_ADDR;
    XT_CODE(t->cpu, 0x8e, 0xd0); /* mov ss, eax */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    assert_int_equal(t->cpu->seg[X86_SS].sel, XT_KDATA);
}

/* The checks of SDM Vol. 2B MOV "Protected Mode Exceptions". */
static void test_load_checks(void **state)
{
    struct xt *t = *state;
    xt_pm_env(t->cpu);
    XT_CODE(t->cpu, 0x8e, 0xd8);               /* mov ds, eax */
    t->cpu->gpr[X86_RAX] = XT_GDT_ENTRIES * 8; /* beyond the GDT limit */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, XT_GDT_ENTRIES * 8);
    t->cpu->gpr[X86_RAX] = XT_NPDATA; /* not present */
    xt_assert_trap(t->cpu, run(t), X86_VEC_NP, XT_NPDATA);
    t->cpu->gpr[X86_RAX] = XT_TSSSEL; /* a system segment */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, XT_TSSSEL);
    t->cpu->gpr[X86_RAX] = XT_KCODE; /* readable code may be loaded into DS */
    assert_int_equal(run(t), X86_OK);
    t->cpu->rip = XT_CODE_ADDR;
    XT_CODE(t->cpu, 0x8e, 0xd0);     /* mov ss, eax */
    t->cpu->gpr[X86_RAX] = XT_KCODE; /* SS must be writable data */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, XT_KCODE);
    t->cpu->gpr[X86_RAX] = XT_UDATA; /* RPL 3 != CPL 0 */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, XT_UDATA & 0xfffc);
    t->cpu->gpr[X86_RAX] = XT_NPDATA; /* not present SS: #SS(selector) */
    xt_assert_trap(t->cpu, run(t), X86_VEC_SS, XT_NPDATA);
    /* MOV CS is #UD */
    XT_CODE(t->cpu, 0x8e, 0xc8);
    xt_assert_trap(t->cpu, run(t), X86_VEC_UD, -1);
}

/* At CPL 3 a DPL-0 data segment cannot be loaded: #GP(selector). */
static void test_load_privilege(void **state)
{
    struct xt *t = *state;
    xt_pm_env(t->cpu);
    xt_enter_user(t->cpu);
    t->cpu->gpr[X86_RAX] = XT_KDATA;
    XT_CODE(t->cpu, 0x8e, 0xc0); /* mov es, eax */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, XT_KDATA);
    t->cpu->gpr[X86_RAX] = XT_UDATA;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->seg[X86_ES].sel, XT_UDATA);
}

/* POP DS: ESP moves only when the load succeeds. */
static void test_pop_sreg(void **state)
{
    struct xt *t = *state;
    xt_pm_env(t->cpu);
    t->cpu->gpr[X86_RSP] = XT_STACK_TOP - 4;
    xt_write(t->cpu, XT_STACK_TOP - 4, 4, XT_NPDATA);
    XT_CODE(t->cpu, 0x1f); /* pop ds */
    xt_assert_trap(t->cpu, run(t), X86_VEC_NP, XT_NPDATA);
    assert_int_equal(t->cpu->gpr[X86_RSP], XT_STACK_TOP - 4);
    xt_write(t->cpu, XT_STACK_TOP - 4, 4, XT_KDATA);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RSP], XT_STACK_TOP);
}

/* JMP ptr16:32 reloads CS; to a 16-bit code segment the code size changes; to a data segment
 * or a more privileged non-conforming segment: #GP(selector) (SDM Vol. 2A JMP). */
static void test_far_jmp(void **state)
{
    struct xt *t = *state;
    xt_pm_env(t->cpu);
    XT_CODE(t->cpu, 0xea, 0x00, 0x20, 0x00, 0x00, XT_KCODE, 0x00); /* jmp 0x08:0x2000 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, 0x2000);
    assert_int_equal(t->cpu->seg[X86_CS].sel, XT_KCODE);
    XT_CODE(t->cpu, 0xea, 0x00, 0x30, 0x00, 0x00, XT_CODE16, 0x00); /* jmp 0x40:0x3000 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->code_bits, 16);
    assert_int_equal(t->cpu->seg[X86_CS].limit, 0xffff);
    /* in 16-bit code, EA takes ptr16:16 */
    XT_CODE(t->cpu, 0xea, 0x00, 0x10, XT_KCODE, 0x00); /* jmp 0x08:0x1000 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->code_bits, 32);
    assert_int_equal(t->cpu->rip, 0x1000);
    XT_CODE(t->cpu, 0xea, 0x00, 0x20, 0x00, 0x00, XT_KDATA, 0x00);
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, XT_KDATA);
    xt_enter_user(t->cpu);
    XT_CODE(t->cpu, 0xea, 0x00, 0x20, 0x00, 0x00, XT_KCODE, 0x00);
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, XT_KCODE);
}

/* LGDT/LIDT load limit and base; SGDT stores them; both loads are CPL-0 only. */
static void test_lgdt_lidt(void **state)
{
    struct xt *t = *state;
    xt_write(t->cpu, XT_DATA_ADDR, 2, 0x1234);
    xt_write(t->cpu, XT_DATA_ADDR + 2, 4, 0xabcd0000u);
    /* lgdt [0x10000]; lidt [0x10000]; sgdt [0x10008] */
    XT_CODE(t->cpu, 0x0f, 0x01, 0x15, 0x00, 0x00, 0x01, 0x00, 0x0f, 0x01, 0x1d, 0x00, 0x00, 0x01,
            0x00, 0x0f, 0x01, 0x05, 0x08, 0x00, 0x01, 0x00);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gdtr.limit, 0x1234);
    assert_int_equal(t->cpu->gdtr.base, 0xabcd0000u);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->idtr.limit, 0x1234);
    assert_int_equal(t->cpu->idtr.base, 0xabcd0000u);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, XT_DATA_ADDR + 8, 2), 0x1234);
    assert_int_equal(xt_read(t->cpu, XT_DATA_ADDR + 10, 4), 0xabcd0000u);
    t->cpu->rip = XT_CODE_ADDR;
    t->cpu->cpl = 3;
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    /* lgdt with a register operand is #UD */
    t->cpu->cpl = 0;
    XT_CODE(t->cpu, 0x0f, 0x01, 0xd0);
    xt_assert_trap(t->cpu, run(t), X86_VEC_UD, -1);
}

/* LTR loads TR from an available TSS and marks it busy; loading a busy TSS or a non-TSS is
 * #GP(selector) (SDM Vol. 2B LTR). LLDT loads LDTR. */
static void test_ltr_lldt(void **state)
{
    struct xt *t = *state;
    xt_pm_env(t->cpu);
    t->cpu->gpr[X86_RAX] = XT_TSSSEL;
    XT_CODE(t->cpu, 0x0f, 0x00, 0xd8); /* ltr ax */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->tr.sel, XT_TSSSEL);
    assert_int_equal(t->cpu->tr.base, XT_TSS);
    assert_int_equal(t->cpu->tr.limit, 0x67);
    assert_int_equal(xt_read(t->cpu, XT_GDT + 5 * 8 + 5, 1), 0x8b); /* busy */
    t->cpu->rip = XT_CODE_ADDR;
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, XT_TSSSEL);
    t->cpu->gpr[X86_RAX] = XT_KDATA;
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, XT_KDATA);
    t->cpu->gpr[X86_RAX] = 0;
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    t->cpu->cpl = 3;
    t->cpu->gpr[X86_RAX] = XT_TSSSEL;
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    t->cpu->cpl = 0;
    t->cpu->gpr[X86_RAX] = XT_LDTSEL;
    XT_CODE(t->cpu, 0x0f, 0x00, 0xd0, 0x0f, 0x00, 0xc9); /* lldt ax; str ecx */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->ldtr.sel, XT_LDTSEL);
    assert_int_equal(t->cpu->ldtr.base, XT_LDT);
    assert_int_equal(t->cpu->ldtr.limit, 0xf);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RCX], XT_TSSSEL);
    t->cpu->rip = XT_CODE_ADDR;
    t->cpu->gpr[X86_RAX] = XT_KDATA; /* not an LDT descriptor */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, XT_KDATA);
}

/* A selector with TI = 1 reads the LDT. */
static void test_ldt_selector(void **state)
{
    struct xt *t = *state;
    xt_pm_env(t->cpu);
    xt_gdt_set(t->cpu, 0, 0, 0, 0, 0);                    /* keep GDT entry 0 null */
    uint64_t d = 0x00cf93000000ffffull | (0x40ull << 16); /* flat data, base 0x40 */
    xt_write(t->cpu, XT_LDT + 8, 8, d);
    t->cpu->gpr[X86_RAX] = XT_LDTSEL;
    XT_CODE(t->cpu, 0x0f, 0x00, 0xd0, 0x8e, 0xe1); /* lldt ax; mov fs, ecx */
    assert_int_equal(run(t), X86_OK);
    t->cpu->gpr[X86_RCX] = 0x0c; /* index 1, TI = 1, RPL 0 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->seg[X86_FS].base, 0x40);
    t->cpu->rip = XT_CODE_ADDR + 3;
    t->cpu->gpr[X86_RCX] = 0x14; /* index 2: beyond the LDT limit 0xF */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0x14);
}

/* MOV to/from CR0/CR3/CR4 (SDM Vol. 2B MOV-Control Registers): CPL 0 only; reserved CR4 bits
 * and CR1 are refused; CR0.ET stays set; NW without CD is #GP(0). */
static void test_mov_cr(void **state)
{
    struct xt *t = *state;
    /* mov eax, cr0; mov cr3, eax; mov cr4, eax; mov eax, cr1 */
    XT_CODE(t->cpu, 0x0f, 0x20, 0xc0, 0x0f, 0x22, 0xd8, 0x0f, 0x22, 0xe0, 0x0f, 0x20, 0xc8);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], X86_CR0_PE | X86_CR0_ET);
    t->cpu->gpr[X86_RAX] = 0x123000;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->cr3, 0x123000);
    assert_int_equal(t->m.events.count[EV_SYSREG], 1);
    t->cpu->gpr[X86_RAX] = X86_CR4_PSE;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->cr4, X86_CR4_PSE);
    xt_assert_trap(t->cpu, run(t), X86_VEC_UD, -1);
    t->cpu->rip = XT_CODE_ADDR + 6;
    t->cpu->gpr[X86_RAX] = X86_CR4_VME; /* not supported: reserved here */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    t->cpu->cpl = 3;
    t->cpu->rip = XT_CODE_ADDR;
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    t->cpu->cpl = 0;
    XT_CODE(t->cpu, 0x0f, 0x22, 0xc0); /* mov cr0, eax */
    t->cpu->gpr[X86_RAX] = X86_CR0_PE | X86_CR0_NW;
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    t->cpu->gpr[X86_RAX] = X86_CR0_PE | X86_CR0_TS;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->cr0, X86_CR0_PE | X86_CR0_TS | X86_CR0_ET);
    XT_CODE(t->cpu, 0x0f, 0x06, 0x0f, 0x01, 0xe0); /* clts; smsw eax */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->cr0, X86_CR0_PE | X86_CR0_ET);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], X86_CR0_PE | X86_CR0_ET);
}

/* CALL ptr16:32 to a code segment at the same privilege pushes CS and EIP; RET far pops them
 * (SDM Vol. 2A CALL, RET); RET far imm16 releases the parameters. */
static void test_far_call_retf(void **state)
{
    struct xt *t = *state;
    xt_pm_env(t->cpu);
    XT_CODE(t->cpu, 0x9a, 0x00, 0x20, 0x00, 0x00, XT_KCODE, 0x00); /* call 0x08:0x2000 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, 0x2000);
    assert_int_equal(t->cpu->gpr[X86_RSP], XT_STACK_TOP - 8);
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 4, 4), XT_KCODE);
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 8, 4), XT_CODE_ADDR + 7);
    static const uint8_t retf8[] = {0xca, 0x08, 0x00}; /* retf 8 */
    assert_int_equal(bus_copy_to_ram(&t->m.bus, 0x2000, retf8, sizeof retf8), 0);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 7);
    assert_int_equal(t->cpu->gpr[X86_RSP], XT_STACK_TOP + 8);
    assert_int_equal(t->cpu->seg[X86_CS].sel, XT_KCODE);
    /* call fword ptr [ebx] through memory */
    t->cpu->gpr[X86_RSP] = XT_STACK_TOP;
    t->cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    xt_write(t->cpu, XT_DATA_ADDR, 4, 0x2000);
    xt_write(t->cpu, XT_DATA_ADDR + 4, 2, XT_KCODE);
    t->cpu->rip = XT_CODE_ADDR;
    XT_CODE(t->cpu, 0xff, 0x1b);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, 0x2000);
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 8, 4), XT_CODE_ADDR + 2);
}

/* RET far to an outer privilege level pops SS:ESP, lowers CPL, and releases imm16 bytes on both
 * stacks; a return CS with RPL < CPL is #GP(selector). */
static void test_retf_outer(void **state)
{
    struct xt *t = *state;
    xt_pm_env(t->cpu);
    t->cpu->gpr[X86_RSP] = XT_STACK_TOP - 24;
    xt_write(t->cpu, XT_STACK_TOP - 24, 4, 0x3000);
    xt_write(t->cpu, XT_STACK_TOP - 20, 4, XT_UCODE);
    xt_write(t->cpu, XT_STACK_TOP - 8, 4, 0x7000); /* after 8 bytes of parameters */
    xt_write(t->cpu, XT_STACK_TOP - 4, 4, XT_UDATA);
    XT_CODE(t->cpu, 0xca, 0x08, 0x00); /* retf 8 */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->cpl, 3);
    assert_int_equal(t->cpu->rip, 0x3000);
    assert_int_equal(t->cpu->seg[X86_SS].sel, XT_UDATA);
    assert_int_equal(t->cpu->gpr[X86_RSP], 0x7008);
    assert_true(t->cpu->seg[X86_DS].attr & X86_SEG_UNUSABLE);
    /* back at CPL 3: a return to ring 0 is refused */
    t->cpu->rip = XT_CODE_ADDR;
    t->cpu->gpr[X86_RSP] = 0x7000;
    xt_write(t->cpu, 0x7000, 4, 0x3000);
    xt_write(t->cpu, 0x7004, 4, XT_KCODE);
    XT_CODE(t->cpu, 0xcb); /* retf */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, XT_KCODE);
}

/* Far transfers through task gates are not modelled yet (call gates are: test_callgate.c): the
 * run stops rather than guess. */
static void test_far_call_gate_not_built(void **state)
{
    struct xt *t = *state;
    xt_pm_env(t->cpu);
    xt_gdt_set(t->cpu, 6, 0, 0, 0x85, 0); /* a task gate */
    XT_CODE(t->cpu, 0x9a, 0x00, 0x20, 0x00, 0x00, XT_NPDATA, 0x00);
    assert_int_equal(run(t), X86_STOP);
    assert_int_equal(t->m.stop.reason, STOP_FATAL);
    assert_int_equal(machine_exit_status(&t->m), EXIT_NOT_BUILT);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR);
}

/* LDS/LSS load a far pointer: the segment with its checks first, then the register. */
static void test_lds_lss(void **state)
{
    struct xt *t = *state;
    xt_pm_env(t->cpu);
    t->cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    xt_write(t->cpu, XT_DATA_ADDR, 4, 0x12345678);
    xt_write(t->cpu, XT_DATA_ADDR + 4, 2, XT_KDATA);
    XT_CODE(t->cpu, 0xc5, 0x03, 0x0f, 0xb2, 0x23); /* lds eax, [ebx]; lss esp, [ebx] */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x12345678);
    assert_int_equal(t->cpu->seg[X86_DS].sel, XT_KDATA);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RSP], 0x12345678);
    /* a not-present selector: #NP and the register is unchanged */
    xt_write(t->cpu, XT_DATA_ADDR + 4, 2, XT_NPDATA);
    t->cpu->rip = XT_CODE_ADDR;
    t->cpu->gpr[X86_RAX] = 0;
    xt_assert_trap(t->cpu, run(t), X86_VEC_NP, XT_NPDATA);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_mov_ds_loads_cache),
        T(test_null_selectors),
        T(test_load_checks),
        T(test_load_privilege),
        T(test_pop_sreg),
        T(test_far_jmp),
        T(test_lgdt_lidt),
        T(test_ltr_lldt),
        T(test_ldt_selector),
        T(test_mov_cr),
        T(test_far_call_retf),
        T(test_retf_outer),
        T(test_far_call_gate_not_built),
        T(test_lds_lss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
