/* Control transfer and the stack (SDM Vol. 1 6.2-6.3, 7.3.8): JMP, Jcc, CALL, RET, LOOP, JCXZ,
 * PUSH, POP, PUSHA, POPA, ENTER, LEAVE, PUSHF, POPF. Near branches check the target against the
 * CS limit before anything else changes (SDM Vol. 2A CALL/JMP "Operation"). */
#include "cpu/x86/internal.h"

x86_status x86_op_jmp(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    return x86_branch(cpu, cpu->next_rip + insn->imm, insn->osize);
}

x86_status x86_op_jcc(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    if (!x86_cond_now(cpu, insn->opcode & 0xf)) return X86_OK;
    return x86_branch(cpu, cpu->next_rip + insn->imm, insn->osize);
}

/* Jcc by condition (x86_specialize): with cc a constant, x86_cond_now keeps only that
 * condition's test of each lazy flags record, without a jump through a table of conditions. */
#define X86_JCC_COND(cc)                                                                           \
    static x86_status jcc_##cc(struct x86_cpu *cpu, const struct x86_insn *insn)                   \
    {                                                                                              \
        if (!x86_cond_now(cpu, cc)) return X86_OK;                                                 \
        return x86_branch(cpu, cpu->next_rip + insn->imm, insn->osize);                            \
    }
X86_JCC_COND(0)
X86_JCC_COND(1)
X86_JCC_COND(2)
X86_JCC_COND(3)
X86_JCC_COND(4)
X86_JCC_COND(5)
X86_JCC_COND(6)
X86_JCC_COND(7)
X86_JCC_COND(8)
X86_JCC_COND(9)
X86_JCC_COND(10)
X86_JCC_COND(11)
X86_JCC_COND(12)
X86_JCC_COND(13)
X86_JCC_COND(14)
X86_JCC_COND(15)
#undef X86_JCC_COND
const x86_handler x86_jcc_by_cond[16] = {jcc_0,  jcc_1,  jcc_2,  jcc_3, jcc_4,  jcc_5,
                                         jcc_6,  jcc_7,  jcc_8,  jcc_9, jcc_10, jcc_11,
                                         jcc_12, jcc_13, jcc_14, jcc_15};

x86_status x86_op_jmp_ind(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t target;
    x86_status st = x86_read_opnd(cpu, insn, 0, &target);
    return st ? st : x86_branch(cpu, target, insn->osize);
}

static x86_status call_to(struct x86_cpu *cpu, const struct x86_insn *insn, uint64_t target)
{
    uint64_t ret = cpu->next_rip;
    x86_status st = x86_branch(cpu, target, insn->osize);
    if (st) return st;
    st = x86_push(cpu, insn->osize, ret);
    if (st) cpu->next_rip = ret;
    return st;
}

x86_status x86_op_call(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    return call_to(cpu, insn, cpu->next_rip + insn->imm);
}

x86_status x86_op_call_ind(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t target;
    x86_status st = x86_read_opnd(cpu, insn, 0, &target);
    return st ? st : call_to(cpu, insn, target);
}

/* RET / RET imm16: pop the return address, check it, then release imm16 more bytes. */
x86_status x86_op_ret(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t target;
    x86_status st = x86_stack_peek(cpu, 0, insn->osize, &target);
    if (!st) st = x86_branch(cpu, target, insn->osize);
    if (st) return st;
    unsigned ssize = x86_stack_asize(cpu);
    uint64_t release = insn->osize + (insn->opnd[0] ? (insn->imm & 0xffff) : 0);
    x86_set_reg(cpu, X86_RSP, ssize, true, cpu->gpr[X86_RSP] + release);
    return X86_OK;
}

/* LOOP/LOOPE/LOOPNE (aux 2/1/0): the count register is CX, ECX or RCX by the address size; the
 * branch is taken when it is not zero after the decrement (and ZF matches). No flags change. */
x86_status x86_op_loop(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned as = insn->asize;
    uint64_t count = (cpu->gpr[X86_RCX] - 1) & x86_size_mask(as);
    bool take = count != 0;
    if (insn->info->aux == 1)
        take = take && (cpu->rflags & X86_ZF);
    else if (insn->info->aux == 0)
        take = take && !(cpu->rflags & X86_ZF);
    if (take) {
        x86_status st = x86_branch(cpu, cpu->next_rip + insn->imm, insn->osize);
        if (st) return st;
    }
    x86_set_reg(cpu, X86_RCX, as, true, count);
    return X86_OK;
}

/* JCXZ/JECXZ/JRCXZ by the address size. */
x86_status x86_op_jcxz(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    if (cpu->gpr[X86_RCX] & x86_size_mask(insn->asize)) return X86_OK;
    return x86_branch(cpu, cpu->next_rip + insn->imm, insn->osize);
}

/* ---- Stack --------------------------------------------------------------------------------- */

/* PUSH r / imm / r/m. PUSH ESP pushes the value before the decrement (SDM Vol. 2B PUSH). */
x86_status x86_op_push(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t v;
    x86_status st = x86_read_opnd(cpu, insn, 0, &v);
    return st ? st : x86_push(cpu, insn->osize, v);
}

/* PUSH Sreg: with a 32-bit operand size the selector is written as a doubleword (zero-extended
 * here; recent Intel processors write only the low 16 bits - SDM Vol. 2B PUSH, "IA-32
 * Architecture Compatibility"). */
x86_status x86_op_push_sreg(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    return x86_push(cpu, insn->osize, cpu->seg[insn->info->aux].sel);
}

/* POP r / r/m: ESP is incremented before a memory destination's address is computed, and POP ESP
 * leaves the popped value in ESP (SDM Vol. 2B POP). */
x86_status x86_op_pop(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t v, old_sp = cpu->gpr[X86_RSP];
    x86_status st = x86_pop(cpu, insn->osize, &v);
    if (st) return st;
    st = x86_write_opnd(cpu, insn, 0, v);
    if (st) cpu->gpr[X86_RSP] = old_sp;
    return st;
}

/* PUSHA/PUSHAD: EAX ECX EDX EBX (original ESP) EBP ESI EDI. The eight stores are checked before
 * any is made, and ESP changes last. */
x86_status x86_op_pusha(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->osize, ssize = x86_stack_asize(cpu);
    uint64_t sp = cpu->gpr[X86_RSP];
    for (unsigned i = 1; i <= 8; i++) {
        x86_status st =
            x86_mem_check_write(cpu, X86_SS, (sp - i * size) & x86_size_mask(ssize), size);
        if (st) return st;
    }
    for (unsigned r = 0; r < 8; r++) {
        uint64_t v = r == X86_RSP ? sp : cpu->gpr[r];
        x86_status st =
            x86_mem_write(cpu, X86_SS, (sp - (r + 1) * size) & x86_size_mask(ssize), size, v);
        if (st) return st;
    }
    x86_set_reg(cpu, X86_RSP, ssize, true, sp - 8 * size);
    return X86_OK;
}

/* POPA/POPAD: EDI ESI EBP (skip) EBX EDX ECX EAX; all eight loads happen before any register
 * changes. */
x86_status x86_op_popa(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->osize, ssize = x86_stack_asize(cpu);
    uint64_t v[8];
    for (unsigned i = 0; i < 8; i++) {
        x86_status st = x86_stack_peek(cpu, i * size, size, &v[7 - i]);
        if (st) return st;
    }
    for (unsigned r = 0; r < 8; r++)
        if (r != X86_RSP) x86_set_reg(cpu, r, size, true, v[r]);
    x86_set_reg(cpu, X86_RSP, ssize, true, cpu->gpr[X86_RSP] + 8 * size);
    return X86_OK;
}

/* ENTER imm16, imm8 (SDM Vol. 2A ENTER "Operation"), with the registers changed only once every
 * access has succeeded. */
x86_status x86_op_enter(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->osize, ssize = x86_stack_asize(cpu);
    uint64_t smask = x86_size_mask(ssize);
    uint64_t alloc = insn->imm & 0xffff;
    unsigned level = (unsigned)(insn->imm2 % 32);
    uint64_t sp = cpu->gpr[X86_RSP];
    uint64_t bp = cpu->gpr[X86_RBP];
    x86_status st;

    sp = (sp - size) & smask;
    if ((st = x86_mem_write(cpu, X86_SS, sp, size, bp & x86_size_mask(size)))) return st;
    uint64_t frame = sp;
    if (level > 0) {
        for (unsigned i = 1; i < level; i++) {
            uint64_t v;
            bp = (bp - size) & x86_size_mask(ssize);
            if ((st = x86_mem_read(cpu, X86_SS, bp, size, &v))) return st;
            sp = (sp - size) & smask;
            if ((st = x86_mem_write(cpu, X86_SS, sp, size, v))) return st;
        }
        sp = (sp - size) & smask;
        if ((st = x86_mem_write(cpu, X86_SS, sp, size, frame))) return st;
    }
    sp = (sp - alloc) & smask;
    /* The new stack top must be writable (SDM: #SS if the new ESP is outside the segment). */
    if (alloc && (st = x86_mem_check_write(cpu, X86_SS, sp, 1))) return st;
    x86_set_reg(cpu, X86_RBP, size, true, frame);
    x86_set_reg(cpu, X86_RSP, ssize, true, sp);
    return X86_OK;
}

/* LEAVE: ESP = EBP, then pop EBP (stack-address size for ESP, operand size for EBP). */
x86_status x86_op_leave(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->osize, ssize = x86_stack_asize(cpu);
    uint64_t sp = cpu->gpr[X86_RBP] & x86_size_mask(ssize);
    uint64_t v;
    x86_status st = x86_mem_read(cpu, X86_SS, sp, size, &v);
    if (st) return st;
    x86_set_reg(cpu, X86_RSP, ssize, true, sp + size);
    x86_set_reg(cpu, X86_RBP, size, true, v);
    return X86_OK;
}

/* ---- Flags on the stack ------------------------------------------------------------------ */

/* PUSHF/PUSHFD: VM and RF are stored as 0 (SDM Vol. 2B PUSHF). */
x86_status x86_op_pushf(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t fl = (cpu->rflags | X86_FLAGS_FIXED1) & ~(uint64_t)(X86_VM | X86_RF);
    return x86_push(cpu, insn->osize, fl);
}

/* POPF/POPFD in protected mode (SDM Vol. 2B POPF "Operation"): at CPL 0 every flag but VIP VIF VM
 * may change; at 0 < CPL <= IOPL also IOPL stays; at CPL > IOPL IOPL and IF stay (without a
 * fault). RF is cleared; reserved bits keep their fixed values. A 16-bit POPF changes only the low
 * word. Virtual-8086 mode is not modelled. */
#define POPF_BITS (X86_FLAGS_ARITH | X86_TF | X86_IF | X86_DF | X86_IOPL | X86_NT | X86_AC | X86_ID)
x86_status x86_op_popf(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t v;
    x86_status st = x86_pop(cpu, insn->osize, &v);
    if (st) return st;
    uint64_t mask = POPF_BITS;
    if (cpu->cpl > 0) mask &= ~(uint64_t)X86_IOPL;
    if (cpu->cpl > x86_iopl(cpu)) mask &= ~(uint64_t)X86_IF;
    if (insn->osize == 2) mask &= 0xffff;
    cpu->rflags = ((cpu->rflags & ~mask) | (v & mask) | X86_FLAGS_FIXED1) & ~(uint64_t)X86_RF;
    x86_intr_window(cpu); /* no shadow after POPF (SDM Vol. 3A 6.8.3 names STI only) */
    return X86_OK;
}
