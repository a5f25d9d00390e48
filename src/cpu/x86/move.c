/* Data movement (SDM Vol. 1 7.3.1): MOV, MOVZX/MOVSX, LEA, XCHG, XLAT, LAHF/SAHF, NOP. */
#include "cpu/x86/internal.h"

x86_status x86_op_mov(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t v;
    x86_status st = x86_read_opnd(cpu, insn, 1, &v);
    return st ? st : x86_write_opnd(cpu, insn, 0, v);
}

/* x86_op_mov's common shapes (x86_specialize): register or immediate to register, a load into
 * a register, a store of a register or an immediate. */
x86_status x86_op_mov_r(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->opsz[0];
    uint64_t v = insn->fast_src < 0 ? insn->imm : cpu->gpr[insn->fast_src];
    x86_set_reg(cpu, (unsigned)insn->fast_dst, size, true, v & x86_size_mask(size));
    return X86_OK;
}

x86_status x86_op_mov_load(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->opsz[0];
    uint64_t v;
    x86_status st = x86_mem_read(cpu, insn->seg, x86_ea(cpu, insn), size, &v);
    if (st) return st;
    x86_set_reg(cpu, (unsigned)insn->fast_dst, size, true, v);
    return X86_OK;
}

/* MOVZX r, r8/r16 (x86_specialize; AH..BH excluded): the source's low bits, zero-extended. */
x86_status x86_op_movzx_r(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t v = cpu->gpr[insn->fast_src] & x86_size_mask(insn->opsz[1]);
    x86_set_reg(cpu, (unsigned)insn->fast_dst, insn->opsz[0], true, v);
    return X86_OK;
}

/* MOVZX r, m8/m16 (x86_specialize): the load zero-extends. */
x86_status x86_op_movzx_load(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t v;
    x86_status st = x86_mem_read(cpu, insn->seg, x86_ea(cpu, insn), insn->opsz[1], &v);
    if (st) return st;
    x86_set_reg(cpu, (unsigned)insn->fast_dst, insn->opsz[0], true, v);
    return X86_OK;
}

x86_status x86_op_mov_store(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->opsz[0];
    uint64_t v = insn->fast_src < 0 ? insn->imm : cpu->gpr[insn->fast_src];
    return x86_mem_write(cpu, insn->seg, x86_ea(cpu, insn), size, v & x86_size_mask(size));
}

x86_status x86_op_movzx(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    return x86_op_mov(cpu, insn); /* the source read is zero-extended already */
}

x86_status x86_op_movsx(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t v;
    x86_status st = x86_read_opnd(cpu, insn, 1, &v);
    if (st) return st;
    unsigned s = 64 - insn->opsz[1] * 8;
    return x86_write_opnd(cpu, insn, 0, (uint64_t)((int64_t)(v << s) >> s));
}

/* LEA: the effective address, computed at the address size, truncated or zero-extended to the
 * operand size (SDM Vol. 2A LEA, Table 3-54); no segment, no memory access. */
x86_status x86_op_lea(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    return x86_write_opnd(cpu, insn, 0, x86_ea(cpu, insn));
}

/* MOV r/m, Sreg: a register destination gets the selector zero-extended (P6 and later); a memory
 * destination is always 16 bits (SDM Vol. 2B MOV, "Description"). */
x86_status x86_op_mov_from_sreg(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t sel = cpu->seg[insn->reg & 7].sel;
    if (insn->has_mem) return x86_mem_write(cpu, insn->seg, x86_ea(cpu, insn), 2, sel);
    x86_set_reg(cpu, insn->rm, insn->osize, insn->has_rex, sel);
    return X86_OK;
}

/* XCHG r/m, r: with a memory operand the exchange is locked whether or not LOCK is given. */
x86_status x86_op_xchg(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t a, b;
    x86_status st = x86_read_opnd(cpu, insn, 0, &a);
    if (!st) st = x86_read_opnd(cpu, insn, 1, &b);
    if (!st) st = x86_write_opnd(cpu, insn, 0, b);
    if (!st) x86_write_opnd(cpu, insn, 1, a);
    return st;
}

/* 90+r: XCHG r, eAX. 90 itself is NOP (and F3 90 PAUSE), except with REX.B where it exchanges
 * R8 (SDM Vol. 2B NOP, XCHG): in 64-bit mode, XCHG EAX, EAX would zero-extend RAX, NOP does not. */
x86_status x86_op_xchg_acc(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    if (insn->rm == 0) return X86_OK;
    return x86_op_xchg(cpu, insn);
}

x86_status x86_op_nop(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)cpu;
    (void)insn;
    return X86_OK;
}

/* XLAT: AL = [seg:(E)BX + AL] (SDM Vol. 2B XLAT). */
x86_status x86_op_xlat(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t ea = (cpu->gpr[X86_RBX] + (cpu->gpr[X86_RAX] & 0xff)) & x86_size_mask(insn->asize);
    uint64_t v;
    x86_status st = x86_mem_read(cpu, insn->seg, ea, 1, &v);
    if (!st) x86_set_reg(cpu, X86_RAX, 1, false, v);
    return st;
}

/* LAHF/SAHF: AH <-> SF ZF AF PF CF (bits 7 6 4 2 0); bit 1 reads as 1 (SDM Vol. 2A LAHF).
 * Both exist in 64-bit mode only with CPUID.80000001H:ECX.LAHF-SAHF; the profiles set it. */
#define AH_FLAGS (X86_SF | X86_ZF | X86_AF | X86_PF | X86_CF)
x86_status x86_op_lahf(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)insn;
    x86_set_reg(cpu, 4, 1, false, (cpu->rflags & AH_FLAGS) | X86_FLAGS_FIXED1);
    return X86_OK;
}

x86_status x86_op_sahf(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)insn;
    uint64_t ah = (cpu->gpr[X86_RAX] >> 8) & 0xff;
    cpu->rflags = (cpu->rflags & ~(uint64_t)AH_FLAGS) | (ah & AH_FLAGS);
    return X86_OK;
}

/* CMPXCHG8B m64 / CMPXCHG16B m128 (REX.W; SDM Vol. 2A CMPXCHG8B/CMPXCHG16B): compare EDX:EAX
 * (RDX:RAX) with the memory operand; equal: ZF = 1 and ECX:EBX (RCX:RBX) is stored; else ZF = 0
 * and the accumulator pair is loaded. The destination is written either way (the old value back
 * when unequal). CMPXCHG16B needs a 16-byte aligned operand: #GP(0) otherwise. */
x86_status x86_op_cmpxchg8b(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t ea = x86_ea(cpu, insn), m;
    if (insn->osize == 8) {
        uint64_t lo, hi, lin;
        x86_status st = x86_seg_linear(cpu, insn->seg, ea, 16, X86_ACC_WRITE, &lin);
        if (st) return st;
        if (lin & 15) return X86_TRAP_EC(X86_VEC_GP, 0);
        st = x86_mem_read(cpu, insn->seg, ea, 8, &lo);
        if (!st) st = x86_mem_read(cpu, insn->seg, ea + 8, 8, &hi);
        if (st) return st;
        bool eq = lo == cpu->gpr[X86_RAX] && hi == cpu->gpr[X86_RDX];
        uint64_t nlo = eq ? cpu->gpr[X86_RBX] : lo, nhi = eq ? cpu->gpr[X86_RCX] : hi;
        if ((st = x86_mem_write(cpu, insn->seg, ea, 8, nlo)) ||
            (st = x86_mem_write(cpu, insn->seg, ea + 8, 8, nhi)))
            return st;
        if (eq) {
            cpu->rflags |= X86_ZF;
        } else {
            cpu->gpr[X86_RAX] = lo;
            cpu->gpr[X86_RDX] = hi;
            cpu->rflags &= ~(uint64_t)X86_ZF;
        }
        return X86_OK;
    }
    x86_status st = x86_mem_read(cpu, insn->seg, ea, 8, &m);
    if (st) return st;
    uint64_t cmp = (cpu->gpr[X86_RDX] & 0xffffffffu) << 32 | (cpu->gpr[X86_RAX] & 0xffffffffu);
    if (m == cmp) {
        uint64_t v = (cpu->gpr[X86_RCX] & 0xffffffffu) << 32 | (cpu->gpr[X86_RBX] & 0xffffffffu);
        if ((st = x86_mem_write(cpu, insn->seg, ea, 8, v))) return st;
        cpu->rflags |= X86_ZF;
    } else {
        if ((st = x86_mem_write(cpu, insn->seg, ea, 8, m))) return st;
        x86_set_reg(cpu, X86_RAX, 4, false, m & 0xffffffffu);
        x86_set_reg(cpu, X86_RDX, 4, false, m >> 32);
        cpu->rflags &= ~(uint64_t)X86_ZF;
    }
    return X86_OK;
}
