/* IA-32e mode: interrupt delivery with the 64-bit IDT and frame (SDM Vol. 3A 6.14), IRETQ to
 * 64-bit and compatibility mode (SDM Vol. 2A IRET "IA-32e-MODE"), LTR with a 16-byte TSS
 * descriptor (SDM Vol. 3A 8.2.3, 8.7), FS/GS bases from their MSRs (3.4.4, Vol. 2B WRMSR). */
#include "x86/helpers.h"

#define HANDLER 0x3000u

static uint64_t q(struct xt *t, uint64_t addr)
{
    return xt_read(t->cpu, addr, 8);
}

static void lm(struct xt *t)
{
    xt_lm_env(t->cpu);
    t->cpu->gpr[X86_RSP] = XT_STACK_TOP;
}

/* Ring 3 in 64-bit mode with RSP = sp. */
static void user64(struct xt *t, uint64_t sp)
{
    xt_load_cache(t->cpu, X86_CS, XT_LM_UCODE);
    xt_load_cache(t->cpu, X86_SS, XT_LM_UDATA);
    xt_load_cache(t->cpu, X86_DS, XT_LM_UDATA);
    xt_load_cache(t->cpu, X86_ES, XT_LM_UDATA);
    t->cpu->cpl = 3;
    t->cpu->gpr[X86_RSP] = sp;
}

/* 6.14.2-6.14.4: INT n from CPL 3 through a DPL-3 64-bit interrupt gate: RSP from TSS.RSP0, SS
 * a null selector with RPL 0, and SS, RSP, RFLAGS, CS, RIP pushed as quadwords; IF cleared. */
static void test_int80_ring3_frame(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    xt_idt64_set(cpu, 0x80, XT_LM_KCODE, HANDLER, 0xe, 3, 0, true);
    user64(t, 0x7123);
    cpu->rflags |= X86_IF | X86_CF;
    XT_CODE(cpu, 0xcd, 0x80);
    assert_int_equal(xt_run1(cpu), X86_TRAP_SOFT(0x80));
    assert_int_equal(cpu->cpl, 0);
    assert_int_equal(cpu->rip, HANDLER);
    assert_int_equal(cpu->code_bits, 64);
    assert_int_equal(cpu->seg[X86_CS].sel, XT_LM_KCODE);
    assert_int_equal(cpu->seg[X86_SS].sel, 0);
    assert_int_equal(cpu->gpr[X86_RSP], XT_KSTACK - 40);
    assert_int_equal(q(t, XT_KSTACK - 8), XT_LM_UDATA);
    assert_int_equal(q(t, XT_KSTACK - 16), 0x7123);
    assert_int_equal(q(t, XT_KSTACK - 24), X86_FLAGS_FIXED1 | X86_IF | X86_CF);
    assert_int_equal(q(t, XT_KSTACK - 32), XT_LM_UCODE);
    assert_int_equal(q(t, XT_KSTACK - 40), XT_CODE_ADDR + 2);
    assert_false(cpu->rflags & X86_IF);
    assert_int_equal(t->m.insns, 1); /* INT retired with its delivery */
}

/* 6.14.2: at the same privilege the frame still holds SS:RSP, and RSP is aligned to 16 first;
 * an exception's error code follows RIP. */
static void test_same_privilege_aligned(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    xt_idt64_set(cpu, X86_VEC_GP, XT_LM_KCODE, HANDLER, 0xe, 0, 0, true);
    cpu->gpr[X86_RSP] = 0x7ffc;
    cpu->gpr[X86_RAX] = 0x1233; /* beyond the GDT limit */
    XT_CODE(cpu, 0x8e, 0xd8);   /* mov ds, eax -> #GP(0x1230) */
    xt_run1(cpu);
    assert_int_equal(cpu->rip, HANDLER);
    assert_int_equal(cpu->gpr[X86_RSP], 0x7ff0 - 48);
    assert_int_equal(q(t, 0x7ff0 - 8), XT_LM_KDATA);
    assert_int_equal(q(t, 0x7ff0 - 16), 0x7ffc);
    assert_int_equal(q(t, 0x7ff0 - 32), XT_LM_KCODE);
    assert_int_equal(q(t, 0x7ff0 - 40), XT_CODE_ADDR); /* a fault: the instruction itself */
    assert_int_equal(q(t, 0x7ff0 - 48), 0x1230);
    assert_int_equal(cpu->seg[X86_SS].sel, XT_LM_KDATA); /* unchanged */
}

/* 6.14.5: a gate with IST = n switches to TSS.ISTn even without a privilege change. A #PF in
 * 64-bit mode saves CR2 and its error code. */
static void test_ist_page_fault(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    xt_idt64_set(cpu, X86_VEC_PF, XT_LM_KCODE, 0xffff800000001000ull, 0xe, 0, 1, true);
    /* the handler at a high canonical address: PML4[256] -> the same PDPT */
    xt_write(cpu, XT_PML4 + 256 * 8, 8, XT_PDPT | 0x3);
    cpu->gpr[X86_RBX] = 0x1000000; /* not mapped */
    XT_CODE(cpu, 0x48, 0x89, 0x03);
    xt_run1(cpu);
    assert_int_equal(cpu->rip, 0xffff800000001000ull);
    assert_int_equal(cpu->cr2, 0x1000000);
    assert_int_equal(cpu->gpr[X86_RSP], XT_IST1 - 48);
    assert_int_equal(q(t, XT_IST1 - 16), XT_STACK_TOP);
    assert_int_equal(q(t, XT_IST1 - 48), 0x2); /* W, not present */
}

/* 6.14.1: the gate's code segment must be a 64-bit code segment: a 32-bit one is #GP(selector),
 * delivered next (INT n is benign, Table 6-5). Gate DPL < CPL for INT n: #GP(vector * 8 + 2). */
static void test_gate_checks(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    xt_idt64_set(cpu, 0x80, XT_KCODE, HANDLER, 0xe, 3, 0, true);
    xt_idt64_set(cpu, 0x81, XT_LM_KCODE, HANDLER, 0xe, 0, 0, true);
    xt_idt64_set(cpu, X86_VEC_GP, XT_LM_KCODE, 0x4000, 0xe, 0, 0, true);
    XT_CODE(cpu, 0xcd, 0x80);
    xt_run1(cpu);
    assert_int_equal(cpu->rip, 0x4000);
    assert_int_equal(q(t, cpu->gpr[X86_RSP]), XT_KCODE);
    cpu->rip = XT_CODE_ADDR;
    user64(t, 0x7000);
    XT_CODE(cpu, 0xcd, 0x81);
    xt_run1(cpu);
    assert_int_equal(cpu->rip, 0x4000);
    assert_int_equal(q(t, cpu->gpr[X86_RSP]), 0x81 * 8 + 2);
    assert_int_equal(q(t, cpu->gpr[X86_RSP] + 8), XT_CODE_ADDR); /* INT did not retire */
}

/* IRET "IA-32e-MODE": IRETQ pops RIP, CS, RFLAGS, RSP, SS; to CPL 3 it loads SS from the
 * frame. Round trip with test_int80_ring3_frame's frame. */
static void test_iretq_to_ring3(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    xt_idt64_set(cpu, 0x80, XT_LM_KCODE, HANDLER, 0xe, 3, 0, true);
    static const uint8_t iretq[] = {0x48, 0xcf};
    assert_int_equal(bus_copy_to_ram(&t->m.bus, HANDLER, iretq, sizeof iretq), 0);
    user64(t, 0x7128);
    cpu->rflags |= X86_IF;
    XT_CODE(cpu, 0xcd, 0x80);
    xt_run1(cpu);
    assert_int_equal(xt_run1(cpu), X86_OK);
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->rip, XT_CODE_ADDR + 2);
    assert_int_equal(cpu->gpr[X86_RSP], 0x7128);
    assert_int_equal(cpu->seg[X86_SS].sel, XT_LM_UDATA);
    assert_int_equal(cpu->seg[X86_CS].sel, XT_LM_UCODE);
    assert_int_equal(cpu->code_bits, 64);
    assert_true(cpu->rflags & X86_IF);
}

/* IRETQ to a compatibility-mode (L = 0) ring-3 code segment: 32-bit code under LMA. From there
 * INT n delivers the same 64-bit frame (6.14). */
static void test_iretq_to_compat_and_back(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    xt_idt64_set(cpu, 0x80, XT_LM_KCODE, HANDLER, 0xe, 3, 0, true);
    cpu->gpr[X86_RSP] = 0x7000 - 40;
    xt_write(cpu, 0x7000 - 40, 8, 0x5000);
    xt_write(cpu, 0x7000 - 32, 8, XT_UCODE);
    xt_write(cpu, 0x7000 - 24, 8, X86_FLAGS_FIXED1);
    xt_write(cpu, 0x7000 - 16, 8, 0x6ff0);
    xt_write(cpu, 0x7000 - 8, 8, XT_UDATA);
    XT_CODE(cpu, 0x48, 0xcf);
    assert_int_equal(xt_run1(cpu), X86_OK);
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->code_bits, 32);
    assert_int_equal(cpu->rip, 0x5000);
    assert_int_equal(cpu->gpr[X86_RSP], 0x6ff0);
    static const uint8_t int80[] = {0xcd, 0x80};
    assert_int_equal(bus_copy_to_ram(&t->m.bus, 0x5000, int80, sizeof int80), 0);
    xt_run1(cpu);
    assert_int_equal(cpu->code_bits, 64);
    assert_int_equal(cpu->gpr[X86_RSP], XT_KSTACK - 40);
    assert_int_equal(q(t, XT_KSTACK - 8), XT_UDATA);
    assert_int_equal(q(t, XT_KSTACK - 16), 0x6ff0);
    assert_int_equal(q(t, XT_KSTACK - 32), XT_UCODE);
    assert_int_equal(q(t, XT_KSTACK - 40), 0x5002);
}

/* IRET "IA-32e-MODE": a non-canonical RIP for a 64-bit return is #GP(0); a null SS for a return
 * to CPL 3 is #GP(0); a null SS is fine for a return to CPL 0 in 64-bit mode; NT = 1 is #GP(0).
 * Nothing changes on a fault. */
static void test_iretq_checks(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    cpu->gpr[X86_RSP] = 0x7000 - 40;
    xt_write(cpu, 0x7000 - 40, 8, 0x0000900000000000ull);
    xt_write(cpu, 0x7000 - 32, 8, XT_LM_UCODE);
    xt_write(cpu, 0x7000 - 24, 8, X86_FLAGS_FIXED1);
    xt_write(cpu, 0x7000 - 16, 8, 0x6ff0);
    xt_write(cpu, 0x7000 - 8, 8, XT_LM_UDATA);
    XT_CODE(cpu, 0x48, 0xcf);
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_GP, 0);
    xt_write(cpu, 0x7000 - 40, 8, 0x5000);
    xt_write(cpu, 0x7000 - 8, 8, 3); /* null SS, RPL 3 */
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_GP, 0);
    assert_int_equal(cpu->cpl, 0);
    assert_int_equal(cpu->gpr[X86_RSP], 0x7000 - 40);
    cpu->rflags |= X86_NT;
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_GP, 0);
    cpu->rflags &= ~(uint64_t)X86_NT;
    xt_write(cpu, 0x7000 - 32, 8, XT_LM_KCODE);
    xt_write(cpu, 0x7000 - 8, 8, 0); /* null SS at CPL 0 */
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->rip, 0x5000);
    assert_int_equal(cpu->gpr[X86_RSP], 0x6ff0);
    assert_int_equal(cpu->seg[X86_SS].sel, 0);
}

/* 8.2.3, Vol. 2B LTR: in IA-32e mode the TSS descriptor is 16 bytes; base 63:32 come from the
 * second half; the descriptor becomes busy. A selector whose second half lies beyond the GDT
 * limit is #GP(selector). */
static void test_ltr_64bit_tss(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    xt_write(cpu, XT_GDT + 15 * 8, 8, 0xffff8000ull);
    cpu->gpr[X86_RAX] = XT_LM_TSS;
    XT_CODE(cpu, 0x0f, 0x00, 0xd8); /* ltr ax */
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->tr.base, 0xffff800000000000ull | XT_TSS64);
    assert_int_equal(cpu->tr.sel, XT_LM_TSS);
    assert_int_equal((xt_read(cpu, XT_GDT + 14 * 8 + 5, 1) & 0xf), 0xb);
    cpu->gdtr.limit = 15 * 8 - 1;
    xt_gdt_set(cpu, 14, XT_TSS64, 0x67, 0x89, 0x0);
    cpu->rip = XT_CODE_ADDR;
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_GP, XT_LM_TSS);
}

/* 3.4.4 and Vol. 2B WRMSR: FS_BASE/GS_BASE are the FS/GS bases used in 64-bit mode (the other
 * bases are ignored); a non-canonical value is #GP(0). */
static void test_fs_gs_base(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    cpu->seg[X86_DS].base = 0x100000; /* ignored in 64-bit mode */
    assert_int_equal(x86_wrmsr(cpu, 0xc0000100u, 0x300000), X86_OK);
    assert_int_equal(x86_wrmsr(cpu, 0xc0000101u, 0x0000800000000000ull),
                     X86_TRAP_EC(X86_VEC_GP, 0));
    assert_int_equal(x86_wrmsr(cpu, 0xc0000102u, 0x0000800000000000ull),
                     X86_TRAP_EC(X86_VEC_GP, 0));
    uint64_t v;
    assert_int_equal(x86_rdmsr(cpu, 0xc0000100u, &v), X86_OK);
    assert_int_equal(v, 0x300000);
    xt_write(cpu, 0x300010, 8, 0xf5);
    xt_write(cpu, 0x10, 8, 0xd5);
    /* mov rax, fs:[0x10]; mov rbx, [0x10] */
    XT_CODE(cpu, 0x64, 0x48, 0x8b, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00, 0x48, 0x8b, 0x1c, 0x25, 0x10,
            0x00, 0x00, 0x00);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RAX], 0xf5);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RBX], 0xd5);
}

/* 6.15 Table 6-5 in IA-32e mode: a #GP whose gate is not present raises #NP during delivery,
 * contributory after contributory: #DF, delivered through its IST stack with error code 0 and
 * the faulting instruction's RIP; a fault delivering #DF shuts down (triple fault). */
static void test_double_fault_ist(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    xt_idt64_set(cpu, X86_VEC_DF, XT_LM_KCODE, 0x5000, 0xe, 0, 1, true);
    cpu->gpr[X86_RAX] = 0x1233;
    XT_CODE(cpu, 0x8e, 0xd8); /* mov ds, eax -> #GP(0x1230), gate 13 absent -> #NP -> #DF */
    xt_run1(cpu);
    assert_int_equal(cpu->rip, 0x5000);
    assert_int_equal(cpu->gpr[X86_RSP], XT_IST1 - 48);
    assert_int_equal(q(t, XT_IST1 - 48), 0);
    assert_int_equal(q(t, XT_IST1 - 40), XT_CODE_ADDR);
    assert_int_equal(q(t, XT_IST1 - 16), XT_STACK_TOP);
    /* without a #DF gate the next fault is a triple fault: the run ends (6.15 "Interrupt 8") */
    xt_idt64_set(cpu, X86_VEC_DF, XT_LM_KCODE, 0x5000, 0xe, 0, 1, false);
    cpu->rip = XT_CODE_ADDR;
    cpu->gpr[X86_RSP] = XT_STACK_TOP;
    xt_run1(cpu);
    assert_int_equal(t->m.stop.reason, STOP_FATAL);
    assert_int_equal(machine_exit_status(&t->m), EXIT_GUEST_FATAL);
}

/* Vol. 2B MOV: in 64-bit mode a null SS may be loaded at CPL < 3 (RPL = CPL); at CPL 3, or
 * outside 64-bit mode, it is #GP(0). CR8 (Vol. 3A 10.8.6.1) exists only in 64-bit mode; bits
 * 63:4 are reserved. */
static void test_null_ss_and_cr8(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    cpu->gpr[X86_RAX] = 0;
    cpu->gpr[X86_RBX] = 0x10;
    cpu->gpr[X86_RCX] = 0x7;
    /* mov ss, eax; push rax; mov cr8, rbx; (at +6) mov cr8, rcx; mov rdx, cr8 */
    XT_CODE(cpu, 0x8e, 0xd0, 0x50, 0x44, 0x0f, 0x22, 0xc3, 0x44, 0x0f, 0x22, 0xc1, 0x44, 0x0f, 0x20,
            0xc2);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->seg[X86_SS].sel, 0);
    assert_int_equal(x86_step(cpu), X86_OK); /* stack references work with a null SS */
    assert_int_equal(cpu->gpr[X86_RSP], XT_STACK_TOP - 8);
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_GP, 0);
    assert_int_equal(cpu->cr8, 0);
    cpu->rip += 4;
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->gpr[X86_RDX], 7);
    /* compatibility mode: a null SS is #GP(0) */
    xt_load_cache(cpu, X86_CS, XT_KCODE);
    cpu->rip = XT_CODE_ADDR;
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_GP, 0);
}

/* 3.5.1: in IA-32e mode the GDT base is 64 bits, also while compatibility-mode code runs: a
 * segment load from 32-bit code reads the descriptor above 4 GiB. */
static void test_gdt_high_in_compat(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    /* 0xffff8000_00000000.. -> physical 0x400000.. (PML4[256] -> 0x210000 -> 0x211000) */
    xt_write(cpu, XT_PML4 + 256 * 8, 8, 0x210000 | 0x3);
    xt_write(cpu, 0x210000, 8, 0x211000 | 0x3);
    xt_write(cpu, 0x211000, 8, 0x400000 | 0x83);
    /* the high GDT's entry 2: data with base 0x1000 (the low GDT's has base 0) */
    uint64_t d = xt_read(cpu, XT_GDT + 16, 8) | (0x1000ull << 16);
    xt_write(cpu, 0x400000 + XT_GDT + 16, 8, d);
    cpu->gdtr.base = 0xffff800000000000ull | XT_GDT;
    xt_load_cache(cpu, X86_CS, XT_KCODE); /* compatibility mode, CPL 0 */
    x86_tlb_flush(cpu);
    cpu->gpr[X86_RAX] = XT_KDATA;
    XT_CODE(cpu, 0x8e, 0xd8); /* mov ds, eax */
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->seg[X86_DS].sel, XT_KDATA);
    assert_int_equal(cpu->seg[X86_DS].base, 0x1000);
}

/* RET "IA-32e mode": RETF with REX.W from CPL 0 to a CPL-3 64-bit segment pops RIP, CS, RSP and
 * SS as quadwords and loads the whole RSP; to the same privilege it pops RIP and CS only. */
static void test_retfq(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    lm(t);
    cpu->gpr[X86_RSP] = 0x7000 - 32;
    xt_write(cpu, 0x7000 - 32, 8, 0x5000);
    xt_write(cpu, 0x7000 - 24, 8, XT_LM_UCODE);
    xt_write(cpu, 0x7000 - 16, 8, 0x6ff8);
    xt_write(cpu, 0x7000 - 8, 8, XT_LM_UDATA);
    XT_CODE(cpu, 0x48, 0xcb); /* retfq */
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->rip, 0x5000);
    assert_int_equal(cpu->code_bits, 64);
    assert_int_equal(cpu->gpr[X86_RSP], 0x6ff8);
    assert_int_equal(cpu->seg[X86_SS].sel, XT_LM_UDATA);
    /* same privilege: back to ring 0 is refused from ring 3 (RPL < CPL) */
    cpu->gpr[X86_RSP] = 0x6000;
    xt_write(cpu, 0x6000, 8, 0x5100);
    xt_write(cpu, 0x6008, 8, XT_LM_KCODE);
    static const uint8_t retfq[] = {0x48, 0xcb};
    assert_int_equal(bus_copy_to_ram(&t->m.bus, 0x5000, retfq, sizeof retfq), 0);
    xt_assert_trap(cpu, x86_step(cpu), X86_VEC_GP, XT_LM_KCODE);
    /* same privilege in ring 3: pops RIP and CS only */
    xt_write(cpu, 0x6008, 8, XT_LM_UCODE);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->rip, 0x5100);
    assert_int_equal(cpu->gpr[X86_RSP], 0x6010);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_int80_ring3_frame, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_same_privilege_aligned, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_ist_page_fault, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_gate_checks, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_iretq_to_ring3, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_iretq_to_compat_and_back, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_iretq_checks, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_ltr_64bit_tss, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_fs_gs_base, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_double_fault_ist, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_null_ss_and_cr8, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_gdt_high_in_compat, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_retfq, xt_setup, xt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
