/* Model-specific registers: RDMSR/WRMSR over the one table in msr.def (SDM Vol. 2B RDMSR, WRMSR;
 * Vol. 4 Table 2-2). A number not in the table, or a write that sets a bit outside the row's
 * writable mask, raises #GP(0). */
#include "cpu/x86/internal.h"

#define GP0 X86_TRAP_EC(X86_VEC_GP, 0)

const struct x86_msr_info x86_msr_table[X86_MSR_COUNT] = {
#define X86_MSR(name, number, reset, writable) {#name, (number), (reset), (writable)},
#include "cpu/x86/msr.def"
#undef X86_MSR
};

int x86_msr_find(uint32_t number)
{
    for (int i = 0; i < X86_MSR_COUNT; i++)
        if (x86_msr_table[i].number == number) return i;
    return -1;
}

x86_status x86_rdmsr(struct x86_cpu *cpu, uint32_t number, uint64_t *value)
{
    int i = x86_msr_find(number);
    if (i < 0) return GP0;
    *value = cpu->msr[i];
    /* FS_BASE/GS_BASE are the FS and GS segment bases (SDM Vol. 3A 3.4.4) */
    if (i == X86_MSR_FS_BASE) *value = cpu->seg[X86_FS].base;
    if (i == X86_MSR_GS_BASE) *value = cpu->seg[X86_GS].base;
    if (i == X86_MSR_TSC) /* the counter runs with guest time; the row holds the offset */
        *value += machine_now(cpu->m);
    return X86_OK;
}

x86_status x86_wrmsr(struct x86_cpu *cpu, uint32_t number, uint64_t value)
{
    int i = x86_msr_find(number);
    if (i < 0) return GP0;
    uint64_t old;
    x86_rdmsr(cpu, number, &old);
    if (i == X86_MSR_EFER) {
        /* LMA is the CPU's (SDM Vol. 3A 2.2.1, Table 2-1 "R"): a written LMA is ignored here, as
         * software writes back what RDMSR returned. LME cannot change while paging is on
         * (SDM Vol. 3A 10.8.5: #GP(0)). */
        value = (value & ~(uint64_t)X86_EFER_LMA) | (old & X86_EFER_LMA);
        if ((cpu->cr0 & X86_CR0_PG) && ((value ^ old) & X86_EFER_LME)) return GP0;
        if ((value & ~(uint64_t)X86_EFER_LMA) & ~x86_msr_table[i].writable) return GP0;
    } else if (value & ~x86_msr_table[i].writable) {
        return GP0;
    }
    /* SDM Vol. 2B WRMSR, AMD APM Vol. 2 4.5.3/6.1.1: a non-canonical value in an MSR that holds
     * an address is #GP(0); which MSRs is vendor data (x86_vendor.canonical_msrs). */
    if (((cpu->vendor->canonical_msrs >> i) & 1) && !x86_canonical(value)) return GP0;
    if (i == X86_MSR_FS_BASE) cpu->seg[X86_FS].base = value;
    if (i == X86_MSR_GS_BASE) cpu->seg[X86_GS].base = value;
    cpu->msr[i] = i == X86_MSR_TSC ? value - machine_now(cpu->m) : value;
    struct ev e = {.kind = EV_SYSREG, .pc = cpu->insn_rip};
    e.sysreg.space = EV_SYSREG_MSR;
    e.sysreg.number = number;
    e.sysreg.old_value = old;
    e.sysreg.new_value = value;
    ev_emit(&cpu->m->events, &e);
    return X86_OK;
}

/* RDMSR: EDX:EAX = MSR[ECX] (CPL 0 by the table's XF_PRIV). */
x86_status x86_op_rdmsr(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)insn;
    uint64_t v;
    x86_status st = x86_rdmsr(cpu, (uint32_t)cpu->gpr[X86_RCX], &v);
    if (st) return st;
    x86_set_reg(cpu, X86_RAX, 4, false, v & 0xffffffffu);
    x86_set_reg(cpu, X86_RDX, 4, false, v >> 32);
    return X86_OK;
}

/* WRMSR: MSR[ECX] = EDX:EAX. */
x86_status x86_op_wrmsr(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)insn;
    uint64_t v = (cpu->gpr[X86_RDX] & 0xffffffffu) << 32 | (cpu->gpr[X86_RAX] & 0xffffffffu);
    return x86_wrmsr(cpu, (uint32_t)cpu->gpr[X86_RCX], v);
}
