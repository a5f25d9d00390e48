/* Debug registers, INT1, single-step and breakpoints: MOV to/from DR0-DR7 (SDM Vol. 2B "MOV-Move
 * to/from Debug Registers", Vol. 3B 17.2: DR4/DR5 aliases with CR4.DE = 0, #UD with CR4.DE = 1,
 * DR7.GD, the fixed bits of DR6/DR7, CPL 0, 64-bit operands) and INT1 (SDM Vol. 2A INT
 * n/INTO/INT3/INT1, Vol. 3A 6.12.1.1: no gate DPL check, the next EIP saved). */
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

/* ---- Data and I/O breakpoints (SDM Vol. 3B 17.2.4-17.2.5, 17.3.1.2) ---------------------- */

/* DR7 for breakpoint n: enable Ln, R/Wn = rw, LENn = len (the field's encoding). */
static uint64_t dr7_bp(unsigned n, unsigned rw, unsigned len)
{
    return X86_DR7_RESET | 1u << (2 * n) | (uint64_t)rw << (16 + 4 * n) |
           (uint64_t)len << (18 + 4 * n);
}

/* 17.3.1.2: a data write breakpoint (R/W0 = 01) is a trap: the store completes and retires, then
 * #DB with DR6.B0 (BS clear) and the next instruction's EIP saved. RF = 1 does not suppress it
 * (17.3.1.1: RF is for instruction breakpoints). A read of the same bytes does not trigger it. */
static void test_data_write_breakpoint(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    db_env(t);
    /* mov eax, [0x10002]; mov [0x10000], eax; nop */
    XT_CODE(cpu, 0xa1, 0x02, 0x00, 0x01, 0x00, 0xa3, 0x00, 0x00, 0x01, 0x00, 0x90);
    xt_write(cpu, XT_DATA_ADDR, 4, 0);
    xt_write(cpu, XT_DATA_ADDR + 2, 4, 0xabcd);
    cpu->dr[0] = XT_DATA_ADDR + 2;
    cpu->dr7 = dr7_bp(0, X86_DR7_RW_WRITE, 0);
    x86_tlb_flush(cpu); /* as MOV DR7 does */
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(cpu->rip, XT_CODE_ADDR + 5);
    assert_int_equal(cpu->gpr[X86_RAX], 0xabcd);
    cpu->rflags |= X86_RF;
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(cpu->rip, DB_HANDLER);
    assert_int_equal(xt_read(cpu, XT_DATA_ADDR, 4), 0xabcd); /* the store completed */
    assert_int_equal(cpu->dr6, X86_DR6_RESET | 1u);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 12, 4), XT_CODE_ADDR + 10);
    assert_int_equal(t->m.insns, 2); /* the store retired before the trap */
}

/* 64-bit mode: 17.2.5, LEN = 10 covers eight bytes; a qword load overlapping them traps, one
 * just past them does not; the 64-bit frame saves the next RIP. */
static void test_data_breakpoint_64bit(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    db_env(t);
    xt_lm_env(cpu);
    cpu->gpr[X86_RSP] = XT_STACK_TOP;
    xt_idt64_set(cpu, X86_VEC_DB, XT_LM_KCODE, DB_HANDLER, 0xe, 0, 0, true);
    /* mov rax, [0x10008]; mov rax, [0x10004] */
    XT_CODE(cpu, 0x48, 0x8b, 0x04, 0x25, 0x08, 0x00, 0x01, 0x00, 0x48, 0x8b, 0x04, 0x25, 0x04, 0x00,
            0x01, 0x00);
    cpu->dr[0] = XT_DATA_ADDR;
    cpu->dr7 = dr7_bp(0, X86_DR7_RW_RDWR, 2);
    x86_tlb_flush(cpu);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(cpu->rip, XT_CODE_ADDR + 8);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(cpu->rip, DB_HANDLER);
    assert_int_equal(cpu->dr6 & 0xf, 1);
    assert_int_equal(xt_read(cpu, cpu->gpr[X86_RSP], 8), XT_CODE_ADDR + 16);
}

/* Runs the one instruction at XT_CODE_ADDR (n bytes) through the run loop and returns DR6.B0-B3
 * of the #DB it raised, or 0 when it completed without one. */
static unsigned access_hits(struct xt *t, const uint8_t *code, unsigned n)
{
    struct x86_cpu *cpu = t->cpu;
    for (unsigned i = 0; i < n; i++)
        xt_write(cpu, XT_CODE_ADDR + i, 1, code[i]);
    cpu->rip = XT_CODE_ADDR;
    cpu->gpr[X86_RSP] = XT_STACK_TOP;
    cpu->dr6 = X86_DR6_RESET;
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    if (cpu->rip == DB_HANDLER) {
        assert_int_equal(xt_read(cpu, XT_STACK_TOP - 12, 4), XT_CODE_ADDR + n); /* a trap */
        return (unsigned)(cpu->dr6 & 0xf);
    }
    assert_int_equal(cpu->rip, XT_CODE_ADDR + n);
    return 0;
}

/* A load (write = false) or store of size bytes at addr with a disp32 operand. */
static unsigned mem_hits(struct xt *t, bool write, uint32_t addr, unsigned size)
{
    uint8_t code[8];
    unsigned n = 0;
    if (size == 2) code[n++] = 0x66;
    code[n++] = (uint8_t)((write ? 0x88 : 0x8a) | (size > 1)); /* mov [m], r / mov r, [m] */
    code[n++] = 0x05;                                          /* eax / al, disp32 */
    for (unsigned i = 0; i < 4; i++)
        code[n++] = (uint8_t)(addr >> (8 * i));
    return access_hits(t, code, n);
}

/* 17.2.5 and its Table 17-1 ("Breakpoint Examples"): DR0 = A0001H R/W 11 LEN 1 byte, DR1 =
 * A0002H R/W 01 LEN 1, DR2 = B0002H R/W 11 LEN 2, DR3 = C0000H R/W 01 LEN 4. Any byte of the
 * access within DRn .. DRn + LEN - 1 triggers; write breakpoints ignore reads. */
static void test_data_breakpoint_table(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    db_env(t);
    cpu->dr[0] = 0xa0001;
    cpu->dr[1] = 0xa0002;
    cpu->dr[2] = 0xb0002;
    cpu->dr[3] = 0xc0000;
    cpu->dr7 = dr7_bp(0, 3, 0) | dr7_bp(1, 1, 0) | dr7_bp(2, 3, 1) | dr7_bp(3, 1, 3);
    x86_tlb_flush(cpu);
    /* the operations that trap */
    assert_int_equal(mem_hits(t, false, 0xa0001, 1), 1);
    assert_int_equal(mem_hits(t, true, 0xa0001, 1), 1);
    assert_int_equal(mem_hits(t, true, 0xa0001, 2), 1 | 2); /* A0001H-A0002H: DR0 and DR1 */
    assert_int_equal(mem_hits(t, true, 0xa0002, 1), 2);
    assert_int_equal(mem_hits(t, true, 0xa0002, 2), 2);
    assert_int_equal(mem_hits(t, false, 0xb0001, 4), 4);
    assert_int_equal(mem_hits(t, true, 0xb0002, 1), 4);
    assert_int_equal(mem_hits(t, false, 0xb0002, 2), 4);
    assert_int_equal(mem_hits(t, true, 0xc0000, 4), 8);
    assert_int_equal(mem_hits(t, true, 0xc0001, 2), 8);
    assert_int_equal(mem_hits(t, true, 0xc0003, 1), 8);
    /* the operations that do not */
    assert_int_equal(mem_hits(t, false, 0xa0000, 1), 0);
    assert_int_equal(mem_hits(t, true, 0xa0000, 1), 0);
    assert_int_equal(mem_hits(t, false, 0xa0002, 1), 0);
    assert_int_equal(mem_hits(t, false, 0xa0003, 4), 0);
    assert_int_equal(mem_hits(t, true, 0xb0000, 2), 0);
    assert_int_equal(mem_hits(t, false, 0xc0000, 2), 0);
    assert_int_equal(mem_hits(t, true, 0xc0004, 4), 0);
    /* 17.2.5: LEN = 10 covers eight bytes; the address bits below the length are not compared
     * (DR0 = D0003H covers D0000H-D0007H) */
    cpu->dr[0] = 0xd0003;
    cpu->dr7 = dr7_bp(0, 3, 2);
    x86_tlb_flush(cpu);
    assert_int_equal(mem_hits(t, false, 0xd0000, 1), 1);
    assert_int_equal(mem_hits(t, true, 0xd0007, 1), 1);
    assert_int_equal(mem_hits(t, false, 0xcfffe, 2), 0);
    assert_int_equal(mem_hits(t, true, 0xd0008, 4), 0);
    /* not enabled (L0 = G0 = 0): nothing; G0 alone enables it */
    cpu->dr7 = dr7_bp(0, 3, 2) & ~(uint64_t)1;
    x86_tlb_flush(cpu);
    assert_int_equal(mem_hits(t, false, 0xd0000, 1), 0);
    cpu->dr7 |= 2;
    x86_tlb_flush(cpu);
    assert_int_equal(mem_hits(t, false, 0xd0000, 1), 1);
}

/* MOV DR0/DR7 arm a data breakpoint on a page the TLB already holds: the write after them traps
 * (MOV DRn drops the page from the TLB), and MOV DR7 ends the batch, so the breakpoint applies
 * from the next instruction on. */
static void test_data_breakpoint_mov_dr(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    db_env(t);
    cpu->gpr[X86_RAX] = XT_DATA_ADDR + 0x10;
    cpu->gpr[X86_RBX] = dr7_bp(0, X86_DR7_RW_WRITE, 3);
    cpu->gpr[X86_RCX] = 0x55;
    /* mov [eax], ecx; mov dr0, eax; mov dr7, ebx; mov [eax+2], cl; nop */
    XT_CODE(cpu, 0x89, 0x08, 0x0f, 0x23, 0xc0, 0x0f, 0x23, 0xfb, 0x88, 0x48, 0x02, 0x90);
    assert_int_equal(machine_step(&t->m, 4), STOP_NONE);
    assert_int_equal(cpu->rip, DB_HANDLER);
    assert_int_equal(cpu->dr6 & 0xf, 1);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 12, 4), XT_CODE_ADDR + 11);
    assert_int_equal(xt_read(cpu, XT_DATA_ADDR + 0x12, 1), 0x55);
    assert_int_equal(t->m.insns, 4);
}

/* 17.3.1.2 with 17.3.1.4: a data breakpoint and a single step at the same boundary are one #DB
 * with DR6.B0 and DR6.BS. */
static void test_data_breakpoint_with_single_step(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    db_env(t);
    XT_CODE(cpu, 0xa3, 0x00, 0x00, 0x01, 0x00); /* mov [0x10000], eax */
    cpu->dr[1] = XT_DATA_ADDR;
    cpu->dr7 = dr7_bp(1, X86_DR7_RW_RDWR, 0);
    x86_tlb_flush(cpu);
    cpu->rflags |= X86_TF;
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(cpu->rip, DB_HANDLER);
    assert_int_equal(cpu->dr6, X86_DR6_RESET | X86_DR6_BS | 2u);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 12, 4), XT_CODE_ADDR + 5);
}

/* 17.3.1.2, Vol. 2B REP: a repeated string instruction reports a data breakpoint after the
 * iteration that met it; with iterations left, the saved EIP is the string instruction and ECX,
 * EDI hold the progress, and the handler's IRET resumes it. A hit in the last iteration is
 * reported as for any instruction (the next EIP saved). */
static void test_data_breakpoint_rep_stos(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    db_env(t);
    XT_CODE(cpu, 0xf3, 0xaa, 0x90); /* rep stosb; nop */
    cpu->gpr[X86_RAX] = 0x77;
    cpu->gpr[X86_RCX] = 4;
    cpu->gpr[X86_RDI] = XT_DATA_ADDR;
    xt_write(cpu, XT_DATA_ADDR, 4, 0);
    cpu->dr[2] = XT_DATA_ADDR + 1;
    cpu->dr7 = dr7_bp(2, X86_DR7_RW_WRITE, 0);
    x86_tlb_flush(cpu);
    /* the trap after two iterations; the string instruction has not retired, so the step
     * also runs the handler's first instruction */
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(cpu->rip, DB_HANDLER + 8);
    assert_int_equal(t->m.insns, 1);
    assert_int_equal(cpu->dr6 & 0xf, 4);
    assert_int_equal(cpu->gpr[X86_RCX], 2);
    assert_int_equal(cpu->gpr[X86_RDI], XT_DATA_ADDR + 2);
    assert_int_equal(xt_read(cpu, XT_DATA_ADDR, 4), 0x7777);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 12, 4), XT_CODE_ADDR);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE); /* iret */
    assert_int_equal(cpu->rip, XT_CODE_ADDR);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE); /* the rest of the repetition */
    assert_int_equal(cpu->rip, XT_CODE_ADDR + 2);
    assert_int_equal(cpu->gpr[X86_RCX], 0);
    assert_int_equal(xt_read(cpu, XT_DATA_ADDR, 4), 0x77777777u);
    /* the hit in the last iteration: reported after the instruction */
    cpu->rip = XT_CODE_ADDR;
    cpu->gpr[X86_RCX] = 2;
    cpu->gpr[X86_RDI] = XT_DATA_ADDR;
    cpu->gpr[X86_RSP] = XT_STACK_TOP;
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(cpu->rip, DB_HANDLER);
    assert_int_equal(cpu->gpr[X86_RCX], 0);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 12, 4), XT_CODE_ADDR + 2);
}

/* 17.2.4: R/W = 10 breaks on I/O reads or writes of the port range in DRn when CR4.DE = 1; with
 * CR4.DE = 0 the encoding is undefined (this core: never a breakpoint). MOV DR7 accepts it. */
static void test_io_breakpoint(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    db_env(t);
    static const uint8_t out80[] = {0xe6, 0x80}; /* out 0x80, al */
    static const uint8_t in_dx[] = {0xec};       /* in al, dx */
    static const uint8_t out84[] = {0xe6, 0x84};
    cpu->dr[3] = 0x80;
    cpu->dr7 = dr7_bp(3, X86_DR7_RW_IO, 1); /* ports 0x80-0x81 */
    assert_int_equal(access_hits(t, out80, sizeof out80), 0);
    cpu->cr4 |= X86_CR4_DE;
    assert_int_equal(access_hits(t, out80, sizeof out80), 8);
    cpu->gpr[X86_RDX] = 0x81;
    assert_int_equal(access_hits(t, in_dx, sizeof in_dx), 8);
    assert_int_equal(access_hits(t, out84, sizeof out84), 0);
    /* an I/O breakpoint does not watch memory at the same address */
    assert_int_equal(mem_hits(t, true, 0x80, 1), 0);
    /* MOV DR7 with R/W0 = 10 and CR4.DE = 0: accepted (Vol. 2B MOV DR lists no fault) */
    cpu->cr4 &= ~(uint64_t)X86_CR4_DE;
    cpu->gpr[X86_RBX] = dr7_bp(0, X86_DR7_RW_IO, 0);
    static const uint8_t mov_dr7[] = {0x0f, 0x23, 0xfb};
    assert_int_equal(access_hits(t, mov_dr7, sizeof mov_dr7), 0);
    assert_int_equal(cpu->dr7, dr7_bp(0, X86_DR7_RW_IO, 0));
}

/* ---- Breakpoints met by a delivery's accesses (SDM Vol. 3B 17.3.1.2, Vol. 3A 6.9) ---------- */

#define INT_HANDLER 0x4000u /* NOPs */
#define EXC_HANDLER 0x4800u /* NOPs */

/* db_env plus NOPs at INT_HANDLER and EXC_HANDLER. */
static void delivery_env(struct xt *t)
{
    db_env(t);
    for (unsigned i = 0; i < 16; i++) {
        xt_write(t->cpu, INT_HANDLER + i, 1, 0x90);
        xt_write(t->cpu, EXC_HANDLER + i, 1, 0x90);
    }
}

/* What x86_dump_pending prints (the monitor's regs and the fatal-stop dump show it). */
static const char *pending_text(const struct x86_cpu *cpu)
{
    static char buf[256];
    memset(buf, 0, sizeof buf);
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    x86_dump_pending(cpu, f);
    fclose(f);
    return buf;
}

/* Ring 3 with CS, SS the flat ring-3 segments and ESP 0x7000. */
static void user_mode(struct x86_cpu *cpu)
{
    xt_enter_user(cpu);
    xt_load_cache(cpu, X86_CS, XT_UCODE);
    xt_load_cache(cpu, X86_SS, XT_UDATA);
    cpu->gpr[X86_RSP] = 0x7000;
}

/* 17.3.1.2: a data breakpoint is a trap after the instruction that made the access; INT n's
 * delivery is its execution. INT 0x80 from ring 3 pushes SS:ESP, EFLAGS, CS:EIP on the ring-0
 * stack, and the SS slot holds a write breakpoint (DR1): the handler is entered (INT retires),
 * then at the next boundary #DB with DR6.B1, the handler's first instruction saved as EIP. An
 * instruction breakpoint there (DR2) comes after it (Vol. 3A 6.9: traps on the previous
 * instruction before code-breakpoint faults); the handler's IRET sets RF, which lets it run. */
static void test_int_frame_push_breakpoint(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    delivery_env(t);
    xt_idt_set(cpu, 0x80, XT_KCODE, INT_HANDLER, 0xe, 3, true);
    user_mode(cpu);
    XT_CODE(cpu, 0xcd, 0x80); /* int 0x80 */
    cpu->dr[1] = XT_KSTACK - 4;
    cpu->dr[2] = INT_HANDLER;
    cpu->dr7 = dr7_bp(1, X86_DR7_RW_WRITE, 3) | dr7_bp(2, 0, 0);
    x86_tlb_flush(cpu);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE); /* INT retires with its delivery */
    assert_int_equal(cpu->rip, INT_HANDLER);
    assert_int_equal(cpu->cpl, 0);
    assert_int_equal(t->m.insns, 1);
    assert_int_equal(cpu->dr6, X86_DR6_RESET); /* the #DB is pending at this boundary */
    assert_string_equal(pending_text(cpu),
                        "pending #DB before the next instruction: data/I/O breakpoint B1\n");
    /* the #DB first, then its handler's first instruction */
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(cpu->rip, DB_HANDLER + 8);
    assert_string_equal(pending_text(cpu), "");
    assert_int_equal(cpu->dr6, X86_DR6_RESET | 2u);
    assert_int_equal(xt_read(cpu, XT_KSTACK - 4, 4), XT_UDATA);          /* the INT frame */
    assert_int_equal(xt_read(cpu, XT_KSTACK - 20, 4), XT_CODE_ADDR + 2); /* INT's next EIP */
    assert_int_equal(xt_read(cpu, XT_KSTACK - 32, 4), INT_HANDLER);      /* the #DB frame */
    assert_int_equal(xt_read(cpu, XT_KSTACK - 28, 4), XT_KCODE);
    assert_int_equal(t->m.insns, 2);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE); /* iret, RF = 1 */
    assert_int_equal(cpu->rip, INT_HANDLER);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE); /* the NOP, RF suppressing DR2 */
    assert_int_equal(cpu->rip, INT_HANDLER + 1);
    assert_int_equal(cpu->dr6, X86_DR6_RESET | 2u);
}

/* The same through x86_step and x86_deliver (xt_run1): the hits pending after the INT's
 * delivery are the next step's #DB, before the handler's first instruction. */
static void test_int_frame_push_breakpoint_step(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    delivery_env(t);
    xt_idt_set(cpu, 0x80, XT_KCODE, INT_HANDLER, 0xe, 3, true);
    user_mode(cpu);
    XT_CODE(cpu, 0xcd, 0x80);
    cpu->dr[1] = XT_KSTACK - 4;
    cpu->dr7 = dr7_bp(1, X86_DR7_RW_WRITE, 3);
    x86_tlb_flush(cpu);
    assert_int_equal(xt_run1(cpu), X86_TRAP_SOFT(0x80));
    assert_int_equal(cpu->rip, INT_HANDLER);
    assert_int_equal(xt_run1(cpu), X86_TRAP(X86_VEC_DB));
    assert_int_equal(cpu->rip, DB_HANDLER);
    assert_int_equal(cpu->dr6, X86_DR6_RESET | 2u);
    assert_int_equal(xt_read(cpu, XT_KSTACK - 32, 4), INT_HANDLER);
    assert_int_equal(t->m.insns, 1);
}

/* 17.3.1.2 for an exception: the read of #UD's IDT gate meets DR0 (R/W = 11, LEN = 8 bytes), a
 * trap reported once the delivery completes: #DB before the #UD handler's first instruction,
 * which is its saved EIP; the #UD frame holds the faulting UD2's EIP. */
static void test_exception_idt_read_breakpoint(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    delivery_env(t);
    xt_idt_set(cpu, X86_VEC_UD, XT_KCODE, EXC_HANDLER, 0xf, 0, true);
    XT_CODE(cpu, 0x0f, 0x0b); /* ud2 */
    cpu->dr[0] = XT_IDT + X86_VEC_UD * 8;
    cpu->dr7 = dr7_bp(0, X86_DR7_RW_RDWR, 2);
    x86_tlb_flush(cpu);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(cpu->rip, DB_HANDLER + 8);
    assert_int_equal(cpu->dr6, X86_DR6_RESET | 1u);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 12, 4), XT_CODE_ADDR); /* #UD: a fault */
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 24, 4), EXC_HANDLER);  /* #DB: the handler */
    assert_int_equal(t->m.insns, 1);
}

/* The same in IA-32e mode: #GP(0) from a non-canonical load, the 16-byte gate read meets DR2;
 * the 64-bit #DB frame saves the #GP handler's RIP. */
static void test_exception_idt_read_breakpoint_64bit(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    delivery_env(t);
    xt_lm_env(cpu);
    cpu->gpr[X86_RSP] = XT_STACK_TOP;
    xt_idt64_set(cpu, X86_VEC_DB, XT_LM_KCODE, DB_HANDLER, 0xe, 0, 0, true);
    xt_idt64_set(cpu, X86_VEC_GP, XT_LM_KCODE, EXC_HANDLER, 0xe, 0, 0, true);
    cpu->gpr[X86_RBX] = 0x8000000000000000ull;
    XT_CODE(cpu, 0x48, 0x8b, 0x03); /* mov rax, [rbx] */
    cpu->dr[2] = XT_IDT + X86_VEC_GP * 16 + 8;
    cpu->dr7 = dr7_bp(2, X86_DR7_RW_RDWR, 0);
    x86_tlb_flush(cpu);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    /* the #GP frame (SS, RSP, RFLAGS, CS, RIP, error code) below XT_STACK_TOP, the #DB frame
     * below it, 16-byte aligned */
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 40, 8), XT_CODE_ADDR);
    assert_int_equal(cpu->dr6, X86_DR6_RESET | 4u);
    assert_int_equal(cpu->rip, DB_HANDLER + 8);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 48 - 40, 8), EXC_HANDLER);
}

/* 17.3.1.2: the trap follows the instruction that made the access; an instruction that faults
 * does not complete. JMP FAR [m] reads its far pointer (DR3, R/W = 11, meets it), then the null
 * selector is #GP(0): the hit is not reported, DR6.B3 stays clear and no #DB follows. */
static void test_faulting_instruction_hit_dropped(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    delivery_env(t);
    xt_idt_set(cpu, X86_VEC_GP, XT_KCODE, EXC_HANDLER, 0xe, 0, true);
    xt_write(cpu, XT_DATA_ADDR, 4, 0x5000);
    xt_write(cpu, XT_DATA_ADDR + 4, 2, 0);            /* the null selector */
    XT_CODE(cpu, 0xff, 0x2d, 0x00, 0x00, 0x01, 0x00); /* jmp far [0x10000] */
    cpu->dr[3] = XT_DATA_ADDR;
    cpu->dr7 = dr7_bp(3, X86_DR7_RW_RDWR, 3);
    x86_tlb_flush(cpu);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(cpu->rip, EXC_HANDLER + 1);             /* #GP, then its handler's first NOP */
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 16, 4), 0); /* error code 0 */
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 12, 4), XT_CODE_ADDR);
    assert_int_equal(cpu->dr6, X86_DR6_RESET);
    assert_int_equal(cpu->dbg_hits, 0);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(cpu->rip, EXC_HANDLER + 2);
}

/* A delivery that faults does not complete either: INT 0x80's gate read meets DR0, the gate is
 * not present, so #NP(0x80 * 8 + 2) is delivered instead (6.12.1.1, 6.13) and the first
 * attempt's hit is not reported. */
static void test_faulting_delivery_hit_dropped(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    delivery_env(t);
    xt_idt_set(cpu, 0x80, XT_KCODE, INT_HANDLER, 0xe, 0, false);
    xt_idt_set(cpu, X86_VEC_NP, XT_KCODE, EXC_HANDLER, 0xe, 0, true);
    XT_CODE(cpu, 0xcd, 0x80);
    cpu->dr[0] = XT_IDT + 0x80 * 8;
    cpu->dr7 = dr7_bp(0, X86_DR7_RW_RDWR, 2);
    x86_tlb_flush(cpu);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(cpu->rip, EXC_HANDLER + 1);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 16, 4), 0x80 * 8 + 2);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 12, 4), XT_CODE_ADDR);
    assert_int_equal(cpu->dr6, X86_DR6_RESET);
    assert_int_equal(cpu->dbg_hits, 0);
}

/* 17.3.1.2 and the run loop's budgets: a breakpoint on #DB's own IDT gate makes every #DB
 * delivery meet it again, so #DB follows #DB at each boundary (the guest's loop, as on the
 * processor). Each delivery takes guest time; the cycle budget ends it. */
static void test_db_delivery_hits_again(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    delivery_env(t);
    XT_CODE(cpu, 0xcc); /* int3 */
    xt_idt_set(cpu, X86_VEC_BP, XT_KCODE, INT_HANDLER, 0xe, 0, true);
    cpu->dr[0] = XT_IDT + X86_VEC_BP * 8;
    cpu->dr[1] = XT_IDT + X86_VEC_DB * 8;
    cpu->dr7 = dr7_bp(0, X86_DR7_RW_RDWR, 2) | dr7_bp(1, X86_DR7_RW_RDWR, 2);
    x86_tlb_flush(cpu);
    t->m.max_cycles = 40;
    assert_int_equal(machine_step(&t->m, 2), STOP_CYCLE_BUDGET);
    assert_int_equal(t->m.insns, 1); /* INT3 only */
    assert_int_equal(cpu->rip, DB_HANDLER);
    assert_int_equal(cpu->dr6 & 0xf, 2);
    /* the first #DB saved INT3's handler; each later one the #DB handler's first instruction */
    uint64_t frames = (XT_STACK_TOP - 12 - cpu->gpr[X86_RSP]) / 12;
    assert_true(frames > 10);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 24, 4), INT_HANDLER);
    assert_int_equal(xt_read(cpu, cpu->gpr[X86_RSP], 4), DB_HANDLER);
}

static struct {
    struct machine *m;
    int acks;
} pic;

static int pic_ack(void *dev)
{
    (void)dev;
    pic.acks++;
    machine_set_irq(pic.m, MACHINE_LINE_INTR, false);
    return 0x40;
}

/* Vol. 3A 6.9: a trap on the previous instruction (a data breakpoint) ranks above a maskable
 * interrupt. INT 0x80 through a trap gate (IF stays 1) meets a write breakpoint with its frame;
 * INTR rises before the next boundary: the #DB is taken there first (its handler runs with IF
 * = 0), and INTR after its IRET, both saving the INT handler's first instruction. */
static void test_delivery_breakpoint_before_intr(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    delivery_env(t);
    xt_idt_set(cpu, 0x80, XT_KCODE, INT_HANDLER, 0xf, 0, true);
    xt_idt_set(cpu, 0x40, XT_KCODE, EXC_HANDLER, 0xe, 0, true);
    pic.m = &t->m;
    pic.acks = 0;
    t->m.int_ack = pic_ack;
    t->m.int_dev = &pic;
    cpu->rflags |= X86_IF;
    XT_CODE(cpu, 0xcd, 0x80);
    cpu->dr[0] = XT_STACK_TOP - 4; /* the EFLAGS slot */
    cpu->dr7 = dr7_bp(0, X86_DR7_RW_WRITE, 3);
    x86_tlb_flush(cpu);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(cpu->rip, INT_HANDLER);
    machine_set_irq(&t->m, MACHINE_LINE_INTR, true);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(pic.acks, 0);
    assert_int_equal(cpu->rip, DB_HANDLER + 8);
    assert_int_equal(cpu->dr6 & 0xf, 1);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 24, 4), INT_HANDLER);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE); /* iret: IF = 1 again */
    assert_int_equal(cpu->rip, INT_HANDLER);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE); /* INTR, then its handler's NOP */
    assert_int_equal(pic.acks, 1);
    assert_int_equal(cpu->rip, EXC_HANDLER + 1);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 24, 4), INT_HANDLER);
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
        cmocka_unit_test_setup_teardown(test_data_write_breakpoint, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_data_breakpoint_table, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_data_breakpoint_64bit, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_data_breakpoint_mov_dr, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_data_breakpoint_with_single_step, xt_setup,
                                        xt_teardown),
        cmocka_unit_test_setup_teardown(test_data_breakpoint_rep_stos, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_io_breakpoint, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_int_frame_push_breakpoint, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_int_frame_push_breakpoint_step, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_exception_idt_read_breakpoint, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_exception_idt_read_breakpoint_64bit, xt_setup,
                                        xt_teardown),
        cmocka_unit_test_setup_teardown(test_faulting_instruction_hit_dropped, xt_setup,
                                        xt_teardown),
        cmocka_unit_test_setup_teardown(test_faulting_delivery_hit_dropped, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_db_delivery_hits_again, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_delivery_breakpoint_before_intr, xt_setup,
                                        xt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
