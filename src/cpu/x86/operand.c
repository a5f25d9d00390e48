/* Operand access for the decoded instruction, the stack, and near branches. */
#include "cpu/x86/internal.h"

/* The out-of-line parts of x86_read_opnd/x86_write_opnd (internal.h): memory operands and the
 * rare kinds. */
x86_status x86_read_opnd_slow(struct x86_cpu *cpu, const struct x86_insn *insn, unsigned i,
                              uint64_t *value)
{
    uint16_t o = insn->opnd[i];
    unsigned size = insn->opsz[i];
    switch (X86_OPND_KIND(o)) {
    case OK_E:
    case OK_M:
    case OK_O: return x86_mem_read(cpu, insn->seg, x86_ea(cpu, insn), size, value);
    case OK_R:
    case OK_Z: *value = x86_get_reg(cpu, insn->rm, size, insn->has_rex); return X86_OK;
    case OK_ACC: *value = cpu->gpr[X86_RAX] & x86_size_mask(size); return X86_OK;
    case OK_I2: *value = insn->imm2; return X86_OK;
    case OK_ONE: *value = 1; return X86_OK;
    case OK_CL: *value = cpu->gpr[X86_RCX] & 0xff; return X86_OK;
    case OK_DX: *value = cpu->gpr[X86_RDX] & 0xffff; return X86_OK;
    case OK_S: *value = cpu->seg[insn->reg & 7].sel; return X86_OK;
    default: *value = 0; return X86_OK;
    }
}

x86_status x86_write_opnd_slow(struct x86_cpu *cpu, const struct x86_insn *insn, unsigned i,
                               uint64_t value)
{
    uint16_t o = insn->opnd[i];
    unsigned size = insn->opsz[i];
    switch (X86_OPND_KIND(o)) {
    case OK_E:
    case OK_M:
    case OK_O: return x86_mem_write(cpu, insn->seg, x86_ea(cpu, insn), size, value);
    case OK_R:
    case OK_Z: x86_set_reg(cpu, insn->rm, size, insn->has_rex, value); return X86_OK;
    case OK_ACC: x86_set_reg(cpu, X86_RAX, size, insn->has_rex, value); return X86_OK;
    default: return X86_TRAP(X86_VEC_UD); /* not a destination: a table error */
    }
}

/* ---- Stack ------------------------------------------------------------------------------- */

unsigned x86_stack_asize(const struct x86_cpu *cpu)
{
    if (cpu->code_bits == 64) return 8;
    return (cpu->seg[X86_SS].attr & X86_SEG_DB) ? 4 : 2;
}

static void set_sp(struct x86_cpu *cpu, unsigned ssize, uint64_t sp)
{
    x86_set_reg(cpu, X86_RSP, ssize, true, sp);
}

x86_status x86_push(struct x86_cpu *cpu, unsigned size, uint64_t value)
{
    unsigned ssize = x86_stack_asize(cpu);
    uint64_t sp = (cpu->gpr[X86_RSP] - size) & x86_size_mask(ssize);
    x86_status st = x86_mem_write(cpu, X86_SS, sp, size, value);
    if (st) return st;
    set_sp(cpu, ssize, sp);
    return X86_OK;
}

x86_status x86_stack_peek(struct x86_cpu *cpu, uint64_t offset, unsigned size, uint64_t *value)
{
    unsigned ssize = x86_stack_asize(cpu);
    uint64_t sp = (cpu->gpr[X86_RSP] + offset) & x86_size_mask(ssize);
    return x86_mem_read(cpu, X86_SS, sp, size, value);
}

x86_status x86_pop(struct x86_cpu *cpu, unsigned size, uint64_t *value)
{
    unsigned ssize = x86_stack_asize(cpu);
    x86_status st = x86_stack_peek(cpu, 0, size, value);
    if (st) return st;
    set_sp(cpu, ssize, cpu->gpr[X86_RSP] + size);
    return X86_OK;
}

/* Near branches: x86_branch is inline in internal.h. */
