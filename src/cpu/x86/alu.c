/* Arithmetic, logic, shifts and rotates, multiply and divide, bit instructions (SDM Vol. 1 7.3;
 * Vol. 2 instruction pages). Flags are computed eagerly and exactly for every defined flag;
 * where the SDM leaves a flag undefined the choice is noted (the differential tests mask those). */
#include "cpu/x86/internal.h"

#define ARITH X86_FLAGS_ARITH

static inline unsigned msb_shift(unsigned size)
{
    return size * 8 - 1;
}

static inline uint64_t sign_extend(uint64_t v, unsigned size)
{
    unsigned s = 64 - size * 8;
    return (uint64_t)((int64_t)(v << s) >> s);
}

/* PF, ZF, SF of a result (SDM Vol. 1 3.4.3.1): PF is the even parity of the low byte. */
static inline uint64_t flags_szp(uint64_t res, unsigned size)
{
    res &= x86_size_mask(size);
    uint64_t f = __builtin_parity((unsigned)(res & 0xff)) ? 0 : X86_PF;
    if (res == 0) f |= X86_ZF;
    if ((res >> msb_shift(size)) & 1) f |= X86_SF;
    return f;
}

static inline void set_flags(struct x86_cpu *cpu, uint64_t mask, uint64_t value)
{
    cpu->rflags = (cpu->rflags & ~mask) | (value & mask);
}

/* a + b + carry_in, with CF OF AF SF ZF PF. The carry out of each bit is majority(a, b, c_in),
 * written without the carries as (a & b) | ((a | b) & ~res). */
static inline __attribute__((always_inline)) uint64_t
add_flags(uint64_t a, uint64_t b, unsigned cin, unsigned size, uint64_t *flags)
{
    uint64_t mask = x86_size_mask(size);
    a &= mask;
    b &= mask;
    uint64_t res = (a + b + cin) & mask;
    uint64_t carries = (a & b) | ((a | b) & ~res);
    uint64_t f = flags_szp(res, size);
    if ((carries >> msb_shift(size)) & 1) f |= X86_CF;
    if ((((a ^ res) & (b ^ res)) >> msb_shift(size)) & 1) f |= X86_OF;
    if ((a ^ b ^ res) & 0x10) f |= X86_AF;
    *flags = f;
    return res;
}

/* a - b - borrow_in, with CF OF AF SF ZF PF; borrows = (~a & b) | (~(a ^ b) & res). */
static inline __attribute__((always_inline)) uint64_t
sub_flags(uint64_t a, uint64_t b, unsigned bin, unsigned size, uint64_t *flags)
{
    uint64_t mask = x86_size_mask(size);
    a &= mask;
    b &= mask;
    uint64_t res = (a - b - bin) & mask;
    uint64_t borrows = (~a & b) | (~(a ^ b) & res);
    uint64_t f = flags_szp(res, size);
    if ((borrows >> msb_shift(size)) & 1) f |= X86_CF;
    if ((((a ^ b) & (a ^ res)) >> msb_shift(size)) & 1) f |= X86_OF;
    if ((a ^ b ^ res) & 0x10) f |= X86_AF;
    *flags = f;
    return res;
}

/* The eight ALU operations of opcodes 00-3F and group 1 (aux: ADD OR ADC SBB AND SUB XOR CMP).
 * AND/OR/XOR clear CF and OF; AF is undefined (cleared here). */
static inline __attribute__((always_inline)) uint64_t alu(struct x86_cpu *cpu, unsigned op,
                                                          uint64_t a, uint64_t b, unsigned size)
{
    uint64_t f, res;
    unsigned cf = (unsigned)(cpu->rflags & X86_CF);
    switch (op) {
    case 0: res = add_flags(a, b, 0, size, &f); break;
    case 1:
        res = (a | b) & x86_size_mask(size);
        f = flags_szp(res, size);
        break;
    case 2: res = add_flags(a, b, cf, size, &f); break;
    case 3: res = sub_flags(a, b, cf, size, &f); break;
    case 4:
        res = a & b & x86_size_mask(size);
        f = flags_szp(res, size);
        break;
    case 6:
        res = (a ^ b) & x86_size_mask(size);
        f = flags_szp(res, size);
        break;
    default: res = sub_flags(a, b, 0, size, &f); break; /* SUB, CMP */
    }
    set_flags(cpu, ARITH, f);
    return res;
}

void x86_cmp_flags(struct x86_cpu *cpu, uint64_t a, uint64_t b, unsigned size)
{
    alu(cpu, 7, a, b, size);
}

/* The flags of SHL/SAL, SHR and SAR of a (masked to size) by count (1..63) giving res: CF is the
 * last bit shifted out (0 once it is beyond the operand); OF is MSB(res) XOR CF for SHL, MSB(a)
 * for SHR, 0 for SAR (SDM Vol. 2B SAL/SAR/SHL/SHR "Flags Affected"; for counts other than 1 OF
 * is undefined and this formula is the core's choice); AF is undefined (cleared). */
static inline uint64_t shl_flags(uint64_t a, uint64_t count, uint64_t res, unsigned size)
{
    unsigned bits = size * 8;
    unsigned out = count <= bits ? (unsigned)(a >> (bits - count)) & 1 : 0;
    return flags_szp(res, size) | (out ? X86_CF : 0) |
           ((((res >> (bits - 1)) & 1) ^ out) ? X86_OF : 0);
}
static inline uint64_t shr_flags(uint64_t a, uint64_t count, uint64_t res, unsigned size)
{
    unsigned bits = size * 8;
    unsigned out = count <= bits ? (unsigned)(a >> (count - 1)) & 1 : 0;
    return flags_szp(res, size) | (out ? X86_CF : 0) | (((a >> (bits - 1)) & 1) ? X86_OF : 0);
}
static inline uint64_t sar_flags(uint64_t a, uint64_t count, uint64_t res, unsigned size)
{
    unsigned bits = size * 8;
    int64_t sa = (int64_t)sign_extend(a, size);
    unsigned c = count < bits ? (unsigned)count : bits;
    unsigned out = (unsigned)((sa >> (c - 1)) & 1);
    return flags_szp(res, size) | (out ? X86_CF : 0);
}
static inline uint64_t shl_result(uint64_t a, uint64_t count, unsigned size)
{
    return count < 64 ? (a << count) & x86_size_mask(size) : 0;
}
static inline uint64_t shr_result(uint64_t a, uint64_t count, unsigned size)
{
    return count < size * 8u ? a >> count : 0;
}
static inline uint64_t sar_result(uint64_t a, uint64_t count, unsigned size)
{
    int64_t sa = (int64_t)sign_extend(a, size);
    unsigned c = count < size * 8u ? (unsigned)count : size * 8u;
    return (uint64_t)(c < 64 ? sa >> c : sa >> 63) & x86_size_mask(size);
}

/* ROL (right = false) or ROR of a (masked to size) by a masked count (not 0); *f gets CF and
 * OF: ROL: CF = LSB(result), OF = MSB(result) XOR CF; ROR: CF = MSB(result), OF = the two most
 * significant bits of the result XORed (SDM Vol. 2B RCL/RCR/ROL/ROR; OF is defined for a count
 * of 1 only, and this formula is the core's choice for the others). Only CF and OF change. */
static inline uint64_t rotate(uint64_t a, uint64_t count, unsigned size, bool right, uint64_t *f)
{
    unsigned bits = size * 8, c = (unsigned)(count % bits);
    uint64_t mask = x86_size_mask(size), res;
    if (!right) {
        res = c ? ((a << c) | (a >> (bits - c))) & mask : a;
        unsigned cf = res & 1;
        *f = (cf ? X86_CF : 0) | ((((res >> (bits - 1)) & 1) ^ cf) ? X86_OF : 0);
    } else {
        res = c ? ((a >> c) | (a << (bits - c))) & mask : a;
        unsigned msb = (res >> (bits - 1)) & 1, msb1 = (res >> (bits - 2)) & 1;
        *f = (msb ? X86_CF : 0) | ((msb ^ msb1) ? X86_OF : 0);
    }
    return res;
}

/* ---- Lazy flags (internal.h) ------------------------------------------------------------- */

/* The flags a record of kind op defines, and which ones (*mask). */
static uint64_t record_flags(const struct x86_cpu *cpu, unsigned op, uint64_t *mask)
{
    unsigned size = cpu->lf_size;
    uint64_t f;
    *mask = ARITH;
    switch (op) {
    case LF_ADD: add_flags(cpu->lf_a, cpu->lf_b, 0, size, &f); break;
    case LF_SUB: sub_flags(cpu->lf_a, cpu->lf_b, 0, size, &f); break;
    case LF_INC:
        add_flags(cpu->lf_a, 1, 0, size, &f);
        *mask &= ~(uint64_t)X86_CF;
        break;
    case LF_DEC:
        sub_flags(cpu->lf_a, 1, 0, size, &f);
        *mask &= ~(uint64_t)X86_CF;
        break;
    case LF_SHL: f = shl_flags(cpu->lf_a, cpu->lf_b, cpu->lf_res, size); break;
    case LF_SHR: f = shr_flags(cpu->lf_a, cpu->lf_b, cpu->lf_res, size); break;
    case LF_SAR: f = sar_flags(cpu->lf_a, cpu->lf_b, cpu->lf_res, size); break;
    default: f = flags_szp(cpu->lf_res, size); break; /* LF_LOGIC */
    }
    return f;
}

uint64_t x86_get_rflags(const struct x86_cpu *cpu)
{
    uint64_t mask, f;
    switch (cpu->lf_op) {
    case LF_NONE: return cpu->rflags;
    case LF_ROT:
        f = record_flags(cpu, cpu->lf_rot, &mask);
        mask = X86_SF | X86_ZF | X86_AF | X86_PF; /* CF and OF: the rotate's, in rflags */
        break;
    default: f = record_flags(cpu, cpu->lf_op, &mask); break;
    }
    return (cpu->rflags & ~mask) | (f & mask);
}

void x86_flags_materialize(struct x86_cpu *cpu)
{
    cpu->rflags = x86_get_rflags(cpu);
    cpu->lf_op = LF_NONE;
}

/* The eight ALU operations recording their flags lazily; ADC and SBB read CF, so they
 * materialize the flags and compute eagerly. a and b are masked to size. */
static inline __attribute__((always_inline)) uint64_t
alu_lazy(struct x86_cpu *cpu, unsigned op, uint64_t a, uint64_t b, unsigned size)
{
    uint64_t res;
    enum x86_lazy_op lop;
    switch (op) {
    case 0: res = a + b, lop = LF_ADD; break;
    case 1: res = a | b, lop = LF_LOGIC; break;
    case 2:
    case 3: x86_flags_sync(cpu); return alu(cpu, op, a, b, size);
    case 4: res = a & b, lop = LF_LOGIC; break;
    case 6: res = a ^ b, lop = LF_LOGIC; break;
    default: res = a - b, lop = LF_SUB; break; /* SUB, CMP */
    }
    res &= x86_size_mask(size);
    x86_lazy_set(cpu, lop, size, a, b, res);
    return res;
}

/* INC/DEC keep CF: the CF of a pending record moves into rflags first. */
static inline void lazy_keep_cf(struct x86_cpu *cpu)
{
    uint64_t cf;
    switch (cpu->lf_op) {
    case LF_ADD: cf = cpu->lf_res < cpu->lf_a; break;
    case LF_SUB: cf = cpu->lf_a < cpu->lf_b; break;
    case LF_LOGIC: cf = 0; break;
    case LF_SHL:
    case LF_SHR:
    case LF_SAR: cf = x86_get_rflags(cpu) & X86_CF; break;
    default: return; /* none pending, or INC/DEC: rflags holds CF */
    }
    cpu->rflags = (cpu->rflags & ~(uint64_t)X86_CF) | (cf ? X86_CF : 0);
}

x86_status x86_op_alu(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t a, b;
    x86_status st = x86_read_opnd(cpu, insn, 0, &a);
    if (!st) st = x86_read_opnd(cpu, insn, 1, &b);
    if (st) return st;
    uint64_t saved = cpu->rflags;
    unsigned op = insn->info->aux;
    uint64_t res = alu(cpu, op, a, b, insn->opsz[0]);
    if (op != 7) {
        st = x86_write_opnd(cpu, insn, 0, res);
        if (st) cpu->rflags = saved; /* the write faulted: the instruction did not happen */
    }
    return st;
}

/* x86_op_alu between registers or a register and an immediate (x86_specialize). */
x86_status x86_op_alu_r(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->opsz[0], op = insn->info->aux;
    uint64_t mask = x86_size_mask(size);
    uint64_t a = cpu->gpr[insn->fast_dst] & mask;
    uint64_t b = (insn->fast_src < 0 ? insn->imm : cpu->gpr[insn->fast_src]) & mask;
    uint64_t res = alu_lazy(cpu, op, a, b, size);
    if (op != 7) x86_set_reg(cpu, (unsigned)insn->fast_dst, size, true, res);
    return X86_OK;
}

/* x86_op_alu_r for 32-bit operands, one handler per operation and source kind (register: rr,
 * immediate: ri), chosen by x86_specialize: no operation switch and no size masks left. A 32-bit
 * destination is zero-extended (SDM Vol. 1 3.4.1.1); CMP and TEST write nothing. */
#define ALU32(name, expr, lop, writes)                                                             \
    x86_status x86_op_##name##_rr32(struct x86_cpu *cpu, const struct x86_insn *insn)              \
    {                                                                                              \
        uint64_t a = (uint32_t)cpu->gpr[insn->fast_dst];                                           \
        uint64_t b = (uint32_t)cpu->gpr[insn->fast_src];                                           \
        uint64_t res = (uint32_t)(expr);                                                           \
        x86_lazy_set(cpu, lop, 4, a, b, res);                                                      \
        if (writes) cpu->gpr[insn->fast_dst] = res;                                                \
        return X86_OK;                                                                             \
    }                                                                                              \
    x86_status x86_op_##name##_ri32(struct x86_cpu *cpu, const struct x86_insn *insn)              \
    {                                                                                              \
        uint64_t a = (uint32_t)cpu->gpr[insn->fast_dst];                                           \
        uint64_t b = (uint32_t)insn->imm;                                                          \
        uint64_t res = (uint32_t)(expr);                                                           \
        x86_lazy_set(cpu, lop, 4, a, b, res);                                                      \
        if (writes) cpu->gpr[insn->fast_dst] = res;                                                \
        return X86_OK;                                                                             \
    }
ALU32(add, a + b, LF_ADD, true)
ALU32(or, a | b, LF_LOGIC, true)
ALU32(and, (a & b), LF_LOGIC, true)
ALU32(sub, a - b, LF_SUB, true)
ALU32(xor, a ^ b, LF_LOGIC, true)
ALU32(cmp, a - b, LF_SUB, false)
ALU32(test, (a & b), LF_LOGIC, false)
#undef ALU32

/* x86_op_alu with a register destination and a memory source (x86_specialize). */
x86_status x86_op_alu_rm(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->opsz[0], op = insn->info->aux;
    uint64_t b;
    x86_status st = x86_mem_read(cpu, insn->seg, x86_ea(cpu, insn), size, &b);
    if (st) return st;
    uint64_t res = alu_lazy(cpu, op, cpu->gpr[insn->fast_dst] & x86_size_mask(size), b, size);
    if (op != 7) x86_set_reg(cpu, (unsigned)insn->fast_dst, size, true, res);
    return X86_OK;
}

/* x86_op_alu with a memory destination and a register or immediate source, for the operations
 * that do not read CF (not ADC or SBB; x86_specialize): the result is written before the flags
 * are recorded, so that a write that faults leaves them as they were (the instruction did not
 * happen); CMP writes nothing. */
x86_status x86_op_alu_mr(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->opsz[0], op = insn->info->aux;
    uint64_t mask = x86_size_mask(size), ea = x86_ea(cpu, insn), a, res;
    x86_status st = x86_mem_read(cpu, insn->seg, ea, size, &a);
    if (st) return st;
    uint64_t b = (insn->fast_src < 0 ? insn->imm : cpu->gpr[insn->fast_src]) & mask;
    enum x86_lazy_op lop;
    switch (op) {
    case 0: res = a + b, lop = LF_ADD; break;
    case 1: res = a | b, lop = LF_LOGIC; break;
    case 4: res = a & b, lop = LF_LOGIC; break;
    case 6: res = a ^ b, lop = LF_LOGIC; break;
    default: res = a - b, lop = LF_SUB; break; /* SUB, CMP */
    }
    res &= mask;
    if (op != 7 && (st = x86_mem_write(cpu, insn->seg, ea, size, res))) return st;
    x86_lazy_set(cpu, lop, size, a, b, res);
    return X86_OK;
}

/* x86_op_test between registers or a register and an immediate (x86_specialize). */
x86_status x86_op_test_r(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->opsz[0];
    uint64_t b = insn->fast_src < 0 ? insn->imm : cpu->gpr[insn->fast_src];
    uint64_t res = cpu->gpr[insn->fast_dst] & b & x86_size_mask(size);
    x86_lazy_set(cpu, LF_LOGIC, size, 0, 0, res);
    return X86_OK;
}

/* INC/DEC of a register (x86_specialize): CF unchanged. */
x86_status x86_op_inc_r(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->opsz[0];
    uint64_t mask = x86_size_mask(size);
    uint64_t a = cpu->gpr[insn->fast_dst] & mask, res = (a + 1) & mask;
    lazy_keep_cf(cpu);
    x86_lazy_set(cpu, LF_INC, size, a, 1, res);
    x86_set_reg(cpu, (unsigned)insn->fast_dst, size, true, res);
    return X86_OK;
}
x86_status x86_op_dec_r(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->opsz[0];
    uint64_t mask = x86_size_mask(size);
    uint64_t a = cpu->gpr[insn->fast_dst] & mask, res = (a - 1) & mask;
    lazy_keep_cf(cpu);
    x86_lazy_set(cpu, LF_DEC, size, a, 1, res);
    x86_set_reg(cpu, (unsigned)insn->fast_dst, size, true, res);
    return X86_OK;
}

x86_status x86_op_test(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t a, b;
    x86_status st = x86_read_opnd(cpu, insn, 0, &a);
    if (!st) st = x86_read_opnd(cpu, insn, 1, &b);
    if (!st) alu(cpu, 4, a, b, insn->opsz[0]);
    return st;
}

/* INC/DEC: like ADD/SUB 1, CF unchanged (SDM Vol. 2A INC, DEC). */
static x86_status incdec(struct x86_cpu *cpu, const struct x86_insn *insn, bool dec)
{
    uint64_t a, f;
    x86_status st = x86_read_opnd(cpu, insn, 0, &a);
    if (st) return st;
    unsigned size = insn->opsz[0];
    uint64_t res = dec ? sub_flags(a, 1, 0, size, &f) : add_flags(a, 1, 0, size, &f);
    st = x86_write_opnd(cpu, insn, 0, res);
    if (!st) set_flags(cpu, ARITH & ~(uint64_t)X86_CF, f);
    return st;
}
x86_status x86_op_inc(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    return incdec(cpu, insn, false);
}
x86_status x86_op_dec(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    return incdec(cpu, insn, true);
}

/* NEG: 0 - dest; CF = (dest != 0) falls out of the borrow (SDM Vol. 2B NEG). */
x86_status x86_op_neg(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t a, f;
    x86_status st = x86_read_opnd(cpu, insn, 0, &a);
    if (st) return st;
    uint64_t res = sub_flags(0, a, 0, insn->opsz[0], &f);
    st = x86_write_opnd(cpu, insn, 0, res);
    if (!st) set_flags(cpu, ARITH, f);
    return st;
}

/* NEG of a register (x86_specialize): recorded as SUB 0, dest. */
x86_status x86_op_neg_r(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->opsz[0];
    uint64_t mask = x86_size_mask(size);
    uint64_t a = cpu->gpr[insn->fast_dst] & mask, res = (0 - a) & mask;
    x86_lazy_set(cpu, LF_SUB, size, 0, a, res);
    x86_set_reg(cpu, (unsigned)insn->fast_dst, size, true, res);
    return X86_OK;
}

/* NOT: no flags. */
x86_status x86_op_not(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t a;
    x86_status st = x86_read_opnd(cpu, insn, 0, &a);
    return st ? st : x86_write_opnd(cpu, insn, 0, ~a);
}

/* ---- Shifts and rotates (SDM Vol. 2B SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR) -------------------- */

/* The count is masked to 5 bits (6 with 64-bit operands). A masked count of 0 changes nothing,
 * not even the flags. OF is defined for a count of 1; for other counts the SDM leaves it
 * undefined and this core computes the count-1 formula from the final values. AF is undefined
 * after shifts (cleared here). */
x86_status x86_op_shift(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t a, count;
    x86_status st = x86_read_opnd(cpu, insn, 0, &a);
    if (!st) st = x86_read_opnd(cpu, insn, 1, &count);
    if (st) return st;
    unsigned size = insn->opsz[0], bits = size * 8;
    count &= size == 8 ? 0x3f : 0x1f;
    if (count == 0) return X86_OK;
    uint64_t mask = x86_size_mask(size);
    uint64_t res, f = 0, fmask;
    unsigned cf = (unsigned)(cpu->rflags & X86_CF);
    unsigned kind = insn->info->aux;
    switch (kind) {
    case 0: /* ROL */
    case 1: /* ROR */
        res = rotate(a, count, size, kind == 1, &f);
        fmask = X86_CF | X86_OF;
        break;
    case 2: { /* RCL: rotate through CF; 8/16-bit counts are taken MOD 9/17 */
        unsigned c = (unsigned)(bits < 32 ? count % (bits + 1) : count);
        res = a;
        for (unsigned i = 0; i < c; i++) {
            unsigned out = (res >> (bits - 1)) & 1;
            res = ((res << 1) | cf) & mask;
            cf = out;
        }
        f = (cf ? X86_CF : 0) | ((((res >> (bits - 1)) & 1) ^ cf) ? X86_OF : 0);
        fmask = X86_CF | X86_OF;
        break;
    }
    case 3: { /* RCR: OF = MSB(dest) XOR CF before the rotation */
        unsigned c = (unsigned)(bits < 32 ? count % (bits + 1) : count);
        unsigned of = ((a >> (bits - 1)) & 1) ^ cf;
        res = a;
        for (unsigned i = 0; i < c; i++) {
            unsigned out = res & 1;
            res = (res >> 1) | ((uint64_t)cf << (bits - 1));
            cf = out;
        }
        f = (cf ? X86_CF : 0) | (of ? X86_OF : 0);
        fmask = X86_CF | X86_OF;
        break;
    }
    case 4:
    case 6: /* SHL/SAL */
        res = shl_result(a, count, size);
        f = shl_flags(a, count, res, size);
        fmask = ARITH;
        break;
    case 5: /* SHR */
        res = shr_result(a, count, size);
        f = shr_flags(a, count, res, size);
        fmask = ARITH;
        break;
    default: /* SAR */
        res = sar_result(a, count, size);
        f = sar_flags(a, count, res, size);
        fmask = ARITH;
        break;
    }
    st = x86_write_opnd(cpu, insn, 0, res);
    if (!st) set_flags(cpu, fmask, f);
    return st;
}

/* The count of a shift or rotate of a register by 1, an immediate or CL, masked to 5 bits (6
 * for 64-bit operands; SDM Vol. 2B SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR). */
static inline uint64_t reg_shift_count(const struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t count;
    switch (X86_OPND_KIND(insn->opnd[1])) {
    case OK_ONE: count = 1; break;
    case OK_CL: count = cpu->gpr[X86_RCX]; break;
    default: count = insn->imm; break;
    }
    return count & (insn->opsz[0] == 8 ? 0x3f : 0x1f);
}

/* SHL/SAL, SHR and SAR of a register by 1, an immediate or CL (x86_specialize), recording the
 * flags; a masked count of 0 changes nothing. */
x86_status x86_op_shift_r(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->opsz[0];
    uint64_t count = reg_shift_count(cpu, insn);
    if (count == 0) return X86_OK;
    uint64_t a = cpu->gpr[insn->fast_dst] & x86_size_mask(size), res;
    enum x86_lazy_op op;
    switch (insn->info->aux) {
    case 5: res = shr_result(a, count, size), op = LF_SHR; break;
    case 7: res = sar_result(a, count, size), op = LF_SAR; break;
    default: res = shl_result(a, count, size), op = LF_SHL; break; /* SHL, SAL */
    }
    x86_lazy_set(cpu, op, size, a, count, res);
    x86_set_reg(cpu, (unsigned)insn->fast_dst, size, true, res);
    return X86_OK;
}

/* ROL and ROR of a register by 1, an immediate or CL (x86_specialize). A rotate changes only CF
 * and OF, so a pending record is kept for the other four (LF_ROT) instead of being computed; a
 * masked count of 0 changes nothing. */
x86_status x86_op_rot_r(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->opsz[0];
    uint64_t count = reg_shift_count(cpu, insn), f;
    if (count == 0) return X86_OK;
    uint64_t a = cpu->gpr[insn->fast_dst] & x86_size_mask(size);
    uint64_t res = rotate(a, count, size, insn->info->aux == 1, &f);
    if (cpu->lf_op != LF_NONE && cpu->lf_op != LF_ROT) {
        cpu->lf_rot = cpu->lf_op;
        cpu->lf_op = LF_ROT;
    }
    cpu->rflags = (cpu->rflags & ~(uint64_t)(X86_CF | X86_OF)) | f;
    x86_set_reg(cpu, (unsigned)insn->fast_dst, size, true, res);
    return X86_OK;
}

/* ---- Multiply and divide (SDM Vol. 2A DIV, IDIV, IMUL; Vol. 2B MUL) ----------------------- */

/* MUL/IMUL leave SF ZF AF PF undefined: this core sets SF ZF PF from the low half, clears AF. */
static void set_mul_flags(struct x86_cpu *cpu, uint64_t low, unsigned size, bool overflow)
{
    uint64_t f = flags_szp(low, size) | (overflow ? X86_CF | X86_OF : 0);
    set_flags(cpu, ARITH, f);
}

/* Writes the double-width product/dividend registers: AX for bytes, DX:AX, EDX:EAX, RDX:RAX. */
static void set_wide(struct x86_cpu *cpu, unsigned size, uint64_t low, uint64_t high)
{
    if (size == 1) {
        x86_set_reg(cpu, X86_RAX, 2, false, (low & 0xff) | (high & 0xff) << 8);
        return;
    }
    x86_set_reg(cpu, X86_RAX, size, false, low);
    x86_set_reg(cpu, X86_RDX, size, false, high);
}

x86_status x86_op_mul(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t b;
    x86_status st = x86_read_opnd(cpu, insn, 0, &b);
    if (st) return st;
    unsigned size = insn->opsz[0];
    uint64_t a = cpu->gpr[X86_RAX] & x86_size_mask(size);
    unsigned __int128 p = (unsigned __int128)a * b;
    uint64_t low = (uint64_t)p & x86_size_mask(size);
    uint64_t high = size == 8 ? (uint64_t)(p >> 64) : (uint64_t)(p >> (size * 8));
    set_wide(cpu, size, low, high);
    set_mul_flags(cpu, low, size, high != 0);
    return X86_OK;
}

x86_status x86_op_imul1(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t b;
    x86_status st = x86_read_opnd(cpu, insn, 0, &b);
    if (st) return st;
    unsigned size = insn->opsz[0];
    __int128 p =
        (__int128)(int64_t)sign_extend(cpu->gpr[X86_RAX], size) * (int64_t)sign_extend(b, size);
    uint64_t low = (uint64_t)p & x86_size_mask(size);
    uint64_t high = (uint64_t)(p >> (size * 8)) & x86_size_mask(size);
    set_wide(cpu, size, low, high);
    /* CF = OF = 1 when the product does not fit the low half sign-extended */
    set_mul_flags(cpu, low, size, (__int128)(int64_t)sign_extend(low, size) != p);
    return X86_OK;
}

static x86_status imul_trunc(struct x86_cpu *cpu, const struct x86_insn *insn, uint64_t a,
                             uint64_t b)
{
    unsigned size = insn->opsz[0];
    __int128 p = (__int128)(int64_t)sign_extend(a, size) * (int64_t)sign_extend(b, size);
    uint64_t low = (uint64_t)p & x86_size_mask(size);
    x86_status st = x86_write_opnd(cpu, insn, 0, low);
    if (!st) set_mul_flags(cpu, low, size, (__int128)(int64_t)sign_extend(low, size) != p);
    return st;
}

/* IMUL r, r/m */
x86_status x86_op_imul2(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t a, b;
    x86_status st = x86_read_opnd(cpu, insn, 0, &a);
    if (!st) st = x86_read_opnd(cpu, insn, 1, &b);
    return st ? st : imul_trunc(cpu, insn, a, b);
}

/* IMUL r, r/m, imm */
x86_status x86_op_imul3(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t a, b;
    x86_status st = x86_read_opnd(cpu, insn, 1, &a);
    if (!st) st = x86_read_opnd(cpu, insn, 2, &b);
    return st ? st : imul_trunc(cpu, insn, a, b);
}

/* DIV: #DE for a zero divisor or a quotient too large for the destination. Flags undefined
 * (left unchanged here). */
x86_status x86_op_div(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t d;
    x86_status st = x86_read_opnd(cpu, insn, 0, &d);
    if (st) return st;
    if (d == 0) return X86_TRAP(X86_VEC_DE);
    unsigned size = insn->opsz[0];
    unsigned __int128 n;
    if (size == 1)
        n = cpu->gpr[X86_RAX] & 0xffff;
    else
        n = (unsigned __int128)(cpu->gpr[X86_RDX] & x86_size_mask(size)) << (size * 8) |
            (cpu->gpr[X86_RAX] & x86_size_mask(size));
    unsigned __int128 q = n / d;
    uint64_t r = (uint64_t)(n % d);
    if (q > x86_size_mask(size)) return X86_TRAP(X86_VEC_DE);
    if (size == 1)
        x86_set_reg(cpu, X86_RAX, 2, false, ((uint64_t)q & 0xff) | (r << 8));
    else
        set_wide(cpu, size, (uint64_t)q, r);
    return X86_OK;
}

/* IDIV: #DE for a zero divisor or a quotient outside the signed range (e.g. -2^31 / -1). */
x86_status x86_op_idiv(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t d;
    x86_status st = x86_read_opnd(cpu, insn, 0, &d);
    if (st) return st;
    if ((d & x86_size_mask(insn->opsz[0])) == 0) return X86_TRAP(X86_VEC_DE);
    unsigned size = insn->opsz[0];
    __int128 n;
    if (size == 1)
        n = (int16_t)(cpu->gpr[X86_RAX] & 0xffff);
    else
        n = (__int128)(((unsigned __int128)(int64_t)sign_extend(cpu->gpr[X86_RDX], size)
                        << (size * 8)) |
                       (cpu->gpr[X86_RAX] & x86_size_mask(size)));
    __int128 dv = (int64_t)sign_extend(d, size);
    __int128 q, r;
    if (dv == -1) { /* n / -1 in C overflows for the most negative n: do it by hand */
        if (n == (__int128)((unsigned __int128)1 << 127)) return X86_TRAP(X86_VEC_DE);
        q = -n;
        r = 0;
    } else {
        q = n / dv;
        r = n % dv;
    }
    __int128 max = ((__int128)1 << (size * 8 - 1)) - 1, min = -max - 1;
    if (q > max || q < min) return X86_TRAP(X86_VEC_DE);
    if (size == 1)
        x86_set_reg(cpu, X86_RAX, 2, false, ((uint64_t)q & 0xff) | (((uint64_t)r & 0xff) << 8));
    else
        set_wide(cpu, size, (uint64_t)q, (uint64_t)r);
    return X86_OK;
}

/* ---- Bit instructions --------------------------------------------------------------------- */

/* BT/BTS/BTR/BTC (aux 0-3; SDM Vol. 2A BT): CF = the selected bit. With a register bit offset
 * and a memory operand the offset is signed and may address outside the operand; with an
 * immediate it is taken modulo the operand size. OF SF AF PF are undefined (unchanged here);
 * ZF is unchanged. */
x86_status x86_op_bt(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->opsz[0], bits = size * 8;
    uint64_t off;
    x86_status st = x86_read_opnd(cpu, insn, 1, &off);
    if (st) return st;
    bool imm = X86_OPND_KIND(insn->opnd[1]) != OK_G;
    uint64_t v, bit;
    uint64_t ea = 0;
    if (insn->has_mem) {
        ea = x86_ea(cpu, insn);
        if (!imm) {
            int64_t soff = (int64_t)sign_extend(off, size);
            /* arithmetic shift: floor division, so negative offsets address lower units */
            ea = (ea + (uint64_t)((soff >> (size == 8   ? 6
                                            : size == 4 ? 5
                                                        : 4)) *
                                  (int64_t)size)) &
                 x86_size_mask(insn->asize);
        }
        bit = off & (bits - 1);
        st = x86_mem_read(cpu, insn->seg, ea, size, &v);
        if (st) return st;
    } else {
        bit = off & (bits - 1);
        v = x86_get_reg(cpu, insn->rm, size, insn->has_rex);
    }
    unsigned cf = (v >> bit) & 1;
    unsigned op = insn->info->aux;
    if (op != 0) {
        uint64_t nv = op == 1   ? v | (1ull << bit)
                      : op == 2 ? v & ~(1ull << bit)
                                : v ^ (1ull << bit);
        if (insn->has_mem)
            st = x86_mem_write(cpu, insn->seg, ea, size, nv);
        else
            x86_set_reg(cpu, insn->rm, size, insn->has_rex, nv);
        if (st) return st;
    }
    set_flags(cpu, X86_CF, cf ? X86_CF : 0);
    return X86_OK;
}

/* BSF/BSR (aux 0/1): source 0 sets ZF and leaves the destination unchanged (the SDM says
 * undefined, the APM says unchanged, and both vendors' hardware leaves it). CF OF SF AF PF are
 * undefined (unchanged here). */
x86_status x86_op_bsf(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t src;
    x86_status st = x86_read_opnd(cpu, insn, 1, &src);
    if (st) return st;
    if (src == 0) {
        cpu->rflags |= X86_ZF;
        return X86_OK;
    }
    uint64_t idx =
        insn->info->aux ? 63 - (unsigned)__builtin_clzll(src) : (unsigned)__builtin_ctzll(src);
    x86_write_opnd(cpu, insn, 0, idx);
    cpu->rflags &= ~(uint64_t)X86_ZF;
    return X86_OK;
}

/* BSWAP: with a 16-bit operand the result is undefined (SDM Vol. 2A BSWAP); this core writes
 * zero to the low word, as Intel and AMD hardware do. */
x86_status x86_op_bswap(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->opsz[0];
    if (insn->osize == 2) {
        x86_set_reg(cpu, insn->rm, 2, true, 0);
        return X86_OK;
    }
    uint64_t v = x86_get_reg(cpu, insn->rm, size, true);
    v = size == 8 ? __builtin_bswap64(v) : __builtin_bswap32((uint32_t)v);
    x86_set_reg(cpu, insn->rm, size, true, v);
    return X86_OK;
}

/* XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (SDM Vol. 2B XADD); flags as ADD. */
x86_status x86_op_xadd(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t d, s, f;
    x86_status st = x86_read_opnd(cpu, insn, 0, &d);
    if (!st) st = x86_read_opnd(cpu, insn, 1, &s);
    if (st) return st;
    uint64_t sum = add_flags(d, s, 0, insn->opsz[0], &f);
    if (insn->has_mem) {
        st = x86_write_opnd(cpu, insn, 0, sum);
        if (st) return st;
        x86_write_opnd(cpu, insn, 1, d);
    } else {
        x86_write_opnd(cpu, insn, 1, d);
        x86_write_opnd(cpu, insn, 0, sum);
    }
    set_flags(cpu, ARITH, f);
    return X86_OK;
}

/* CMPXCHG: flags as CMP accumulator, dest. Equal: dest = src. Not equal: accumulator = dest,
 * and the destination is written back with its own value (SDM Vol. 2A CMPXCHG: "the
 * destination operand is written back if the comparison fails"), so a read-only destination
 * faults either way. */
x86_status x86_op_cmpxchg(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t d, s, f;
    unsigned size = insn->opsz[0];
    x86_status st = x86_read_opnd(cpu, insn, 0, &d);
    if (!st) st = x86_read_opnd(cpu, insn, 1, &s);
    if (st) return st;
    uint64_t acc = cpu->gpr[X86_RAX] & x86_size_mask(size);
    sub_flags(acc, d, 0, size, &f);
    if (acc == d) {
        st = x86_write_opnd(cpu, insn, 0, s);
    } else {
        if (insn->has_mem) st = x86_write_opnd(cpu, insn, 0, d);
        if (!st) x86_set_reg(cpu, X86_RAX, size, false, d);
    }
    if (!st) set_flags(cpu, ARITH, f);
    return st;
}

/* ---- Conditions (x86_cond is inline in internal.h) --------------------------------------- */

x86_status x86_op_setcc(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    return x86_write_opnd(cpu, insn, 0, x86_cond(cpu->rflags, insn->info->aux));
}

/* CMOVcc: the source is read (and may fault) whatever the condition; with a 32-bit operand in
 * 64-bit mode the destination is zero-extended even when the condition is false. */
x86_status x86_op_cmov(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t s;
    x86_status st = x86_read_opnd(cpu, insn, 1, &s);
    if (st) return st;
    if (x86_cond(cpu->rflags, insn->info->aux))
        x86_write_opnd(cpu, insn, 0, s);
    else if (insn->opsz[0] == 4)
        x86_set_reg(cpu, insn->reg, 4, true, cpu->gpr[insn->reg]);
    return X86_OK;
}

/* CBW/CWDE/CDQE and CWD/CDQ/CQO. */
x86_status x86_op_cbw(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->osize;
    x86_set_reg(cpu, X86_RAX, size, false, sign_extend(cpu->gpr[X86_RAX], size / 2));
    return X86_OK;
}

x86_status x86_op_cwd(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->osize;
    uint64_t sign = (cpu->gpr[X86_RAX] >> (size * 8 - 1)) & 1;
    x86_set_reg(cpu, X86_RDX, size, false, sign ? UINT64_MAX : 0);
    return X86_OK;
}

/* SHLD/SHRD (aux 0/1; SDM Vol. 2B SHLD, SHRD): the destination shifted with bits of the source
 * filling in. The count is masked to 5 bits (6 for 64-bit operands); 0 changes nothing. A count
 * above the operand size (16-bit operands only) leaves the result and flags undefined; this core
 * then keeps shifting source bits in (they are not compared by the tests). CF is the
 * last bit shifted out of the destination; OF (defined for count 1) is set when the sign
 * changed; AF is undefined (cleared here). */
x86_status x86_op_shld(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t d, s, count;
    x86_status st = x86_read_opnd(cpu, insn, 0, &d);
    if (!st) st = x86_read_opnd(cpu, insn, 1, &s);
    if (!st) st = x86_read_opnd(cpu, insn, 2, &count);
    if (st) return st;
    unsigned size = insn->opsz[0], bits = size * 8;
    count &= size == 8 ? 0x3f : 0x1f;
    if (count == 0) return X86_OK;
    uint64_t mask = x86_size_mask(size), res;
    unsigned out;
    if (insn->info->aux == 0) {
        out = count <= bits ? (unsigned)(d >> (bits - count)) & 1 : 0;
        res = count < bits ? ((d << count) | (s >> (bits - count))) & mask
                           : (s << (count - bits)) & mask;
    } else {
        out = count <= bits ? (unsigned)(d >> (count - 1)) & 1 : 0;
        res = count < bits ? ((d >> count) | (s << (bits - count))) & mask
                           : (s >> (count - bits)) & mask;
    }
    uint64_t f =
        flags_szp(res, size) | (out ? X86_CF : 0) | ((((res ^ d) >> (bits - 1)) & 1) ? X86_OF : 0);
    st = x86_write_opnd(cpu, insn, 0, res);
    if (!st) set_flags(cpu, ARITH, f);
    return st;
}
