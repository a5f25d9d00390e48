/* String instructions (SDM Vol. 1 7.3.9, Vol. 2B MOVS/CMPS/STOS/LODS/SCAS, REP/REPE/REPNE).
 *
 * Sources are seg:(E)SI (DS unless overridden), destinations ES:(E)DI (never overridden); the
 * index and count registers are SI/DI/CX, ESI/EDI/ECX or RSI/RDI/RCX by the address size, and
 * step by the element size, down when DF = 1. With a repeat prefix and a zero count nothing
 * happens. Each iteration commits its registers, so a fault in the middle leaves the progress
 * made and RIP at the instruction, which restarts where it stopped (SDM Vol. 2B REP). The whole
 * repetition retires as one instruction. */
#include "cpu/x86/internal.h"

enum str_op { STR_MOVS, STR_CMPS, STR_STOS, STR_LODS, STR_SCAS, STR_INS, STR_OUTS };

static x86_status string_op(struct x86_cpu *cpu, const struct x86_insn *insn, enum str_op op)
{
    unsigned size = (insn->flags & XF_BYTE) ? 1 : insn->osize;
    if ((op == STR_INS || op == STR_OUTS) && size > 4) size = 4;
    unsigned as = insn->asize;
    uint64_t amask = x86_size_mask(as);
    uint64_t step = (cpu->rflags & X86_DF) ? (uint64_t)0 - size : size;
    bool rep = insn->rep != REP_NONE;
    bool cond = op == STR_CMPS || op == STR_SCAS; /* REPE/REPNE look at ZF */

    for (;;) {
        if (rep && (cpu->gpr[X86_RCX] & amask) == 0) return X86_OK;
        uint64_t si = cpu->gpr[X86_RSI] & amask, di = cpu->gpr[X86_RDI] & amask;
        uint64_t a = 0, b = 0;
        x86_status st = X86_OK;
        switch (op) {
        case STR_MOVS:
            st = x86_mem_read(cpu, insn->seg, si, size, &a);
            if (!st) st = x86_mem_write(cpu, X86_ES, di, size, a);
            break;
        case STR_CMPS:
            st = x86_mem_read(cpu, insn->seg, si, size, &a);
            if (!st) st = x86_mem_read(cpu, X86_ES, di, size, &b);
            break;
        case STR_STOS: st = x86_mem_write(cpu, X86_ES, di, size, cpu->gpr[X86_RAX]); break;
        case STR_LODS: st = x86_mem_read(cpu, insn->seg, si, size, &a); break;
        case STR_SCAS:
            a = cpu->gpr[X86_RAX] & x86_size_mask(size);
            st = x86_mem_read(cpu, X86_ES, di, size, &b);
            break;
        case STR_INS: {
            /* the destination is checked before the port is read, so a segment fault does not
             * lose the device's data (SDM Vol. 2A INS: a page fault may still follow the read) */
            uint32_t v = 0;
            st = x86_mem_check_write(cpu, X86_ES, di, size);
            if (st) break;
            bus_port_in(&cpu->m->bus, (uint16_t)cpu->gpr[X86_RDX], size, &v);
            x86_dbg_io(cpu, (uint16_t)cpu->gpr[X86_RDX], size);
            st = x86_mem_write(cpu, X86_ES, di, size, v);
            break;
        }
        case STR_OUTS:
            st = x86_mem_read(cpu, insn->seg, si, size, &a);
            if (st) break;
            bus_port_out(&cpu->m->bus, (uint16_t)cpu->gpr[X86_RDX], size, (uint32_t)a);
            x86_dbg_io(cpu, (uint16_t)cpu->gpr[X86_RDX], size);
            break;
        }
        if (st) return st;
        if (op == STR_LODS) x86_set_reg(cpu, X86_RAX, size, insn->has_rex, a);
        if (cond) {
            /* flags as CMP: CMPS compares [SI] with [DI], SCAS compares AL with [DI] */
            x86_cmp_flags(cpu, a, b, size);
        }
        if (op == STR_MOVS || op == STR_CMPS || op == STR_LODS || op == STR_OUTS)
            x86_set_reg(cpu, X86_RSI, as, true, si + step);
        if (op != STR_LODS && op != STR_OUTS) x86_set_reg(cpu, X86_RDI, as, true, di + step);
        if (!rep) return X86_OK;
        x86_set_reg(cpu, X86_RCX, as, true, (cpu->gpr[X86_RCX] - 1) & amask);
        if (cond) {
            bool zf = cpu->rflags & X86_ZF;
            if ((insn->rep == REP_F3 && !zf) || (insn->rep == REP_F2 && zf)) return X86_OK;
        }
        /* SDM Vol. 3B 17.3.1.2: a data or I/O breakpoint met by a repeated string instruction
         * is reported after the iteration that met it; with iterations left, RIP stays at the
         * instruction (the registers hold the progress), which resumes when the handler
         * returns. After the last iteration the run loop reports it as for any instruction. */
        if (cpu->dbg_hits && (cpu->gpr[X86_RCX] & amask) != 0) return x86_dbg_trap(cpu);
    }
}

x86_status x86_op_movs(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    return string_op(cpu, insn, STR_MOVS);
}
x86_status x86_op_cmps(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    return string_op(cpu, insn, STR_CMPS);
}
x86_status x86_op_stos(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    return string_op(cpu, insn, STR_STOS);
}
x86_status x86_op_lods(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    return string_op(cpu, insn, STR_LODS);
}
x86_status x86_op_scas(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    return string_op(cpu, insn, STR_SCAS);
}

/* INS/OUTS (SDM Vol. 2A INS, Vol. 2B OUTS): the port is DX; in protected mode with CPL > IOPL
 * the TSS I/O permission bitmap decides (x86_io_permitted); the operand is at most 32 bits. */
x86_status x86_op_ins(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->osize > 4 ? 4 : insn->osize;
    if (insn->flags & XF_BYTE) size = 1;
    x86_status st = x86_io_permitted(cpu, (uint16_t)cpu->gpr[X86_RDX], size);
    return st ? st : string_op(cpu, insn, STR_INS);
}
x86_status x86_op_outs(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->osize > 4 ? 4 : insn->osize;
    if (insn->flags & XF_BYTE) size = 1;
    x86_status st = x86_io_permitted(cpu, (uint16_t)cpu->gpr[X86_RDX], size);
    return st ? st : string_op(cpu, insn, STR_OUTS);
}
