/* The decoder: prefixes, REX, opcode maps, ModRM/SIB/displacement, immediates (SDM Vol. 2A
 * chapter 2 "Instruction Format"), driven by the opcode table in opcodes.def.
 *
 * Decoding depends only on the bytes and the code size (16/32/64), never on register values, so
 * the decoded instruction is cached (cpu.c, validated by the bytes). Checks that depend on the
 * state (CPL, IOPL, segment limits) happen when the instruction executes. */
#include "cpu/x86/internal.h"

/* The SDM's operand codes, for the table below only. */
#define __  X86_OPND(OK_NONE, OS_NONE)
#define Eb  X86_OPND(OK_E, OS_B)
#define Ew  X86_OPND(OK_E, OS_W)
#define Ev  X86_OPND(OK_E, OS_V)
#define Ed  X86_OPND(OK_E, OS_D)
#define Gb  X86_OPND(OK_G, OS_B)
#define Gv  X86_OPND(OK_G, OS_V)
#define Gw  X86_OPND(OK_G, OS_W)
#define M   X86_OPND(OK_M, OS_V)
#define Mp  X86_OPND(OK_M, OS_P)
#define Mq  X86_OPND(OK_M, OS_Q)
#define Ap  X86_OPND(OK_A, OS_P)
#define Rd  X86_OPND(OK_R, OS_D)
#define Cd  X86_OPND(OK_C, OS_D)
#define Dd  X86_OPND(OK_D, OS_D)
#define Sw  X86_OPND(OK_S, OS_W)
#define Ib  X86_OPND(OK_I, OS_B)
#define Ibs X86_OPND(OK_IS, OS_V)
#define Ib2 X86_OPND(OK_I2, OS_B)
#define Iw  X86_OPND(OK_I, OS_W)
#define Iz  X86_OPND(OK_I, OS_Z)
#define Iv  X86_OPND(OK_I, OS_V)
#define Jb  X86_OPND(OK_J, OS_B)
#define Jz  X86_OPND(OK_J, OS_Z)
#define Zb  X86_OPND(OK_Z, OS_B)
#define Zv  X86_OPND(OK_Z, OS_V)
#define Zy  X86_OPND(OK_Z, OS_Y)
#define AL  X86_OPND(OK_ACC, OS_B)
#define eAX X86_OPND(OK_ACC, OS_V)
#define ONE X86_OPND(OK_ONE, OS_B)
#define CL  X86_OPND(OK_CL, OS_B)
#define DX  X86_OPND(OK_DX, OS_W)
#define Ob  X86_OPND(OK_O, OS_B)
#define Ov  X86_OPND(OK_O, OS_V)

#define NEEDS_MODRM(o)                                                                             \
    (X86_OPND_KIND(o) == OK_E || X86_OPND_KIND(o) == OK_G || X86_OPND_KIND(o) == OK_M ||           \
     X86_OPND_KIND(o) == OK_R || X86_OPND_KIND(o) == OK_S || X86_OPND_KIND(o) == OK_C ||           \
     X86_OPND_KIND(o) == OK_D)
#define ROW_FLAGS(o0, o1, o2, flags)                                                               \
    ((flags) | (NEEDS_MODRM(o0) || NEEDS_MODRM(o1) || NEEDS_MODRM(o2) ? XF_MODRM : 0))

const struct x86_opinfo x86_optab[512] = {
#define X86_OP(map, opc, mnem, o0, o1, o2, flags, cls, aux, handler)                               \
    [(map) << 8 | (opc)] = {                                                                       \
        mnem, handler, {o0, o1, o2}, ROW_FLAGS(o0, o1, o2, flags), X86_CLASS_##cls, (aux), 0},
#define X86_GROUP(map, opc, group, o1, flags)                                                      \
    [(map) << 8 | (opc)] = {NULL, NULL, {__, o1, __}, (flags) | XF_MODRM, 0, 0, (group) + 1},
#define X86_GOP(group, reg, mnem, o0, o1, o2, flags, cls, aux, handler)
#define X86_GOP_R(group, reg, rm, mnem, o0, o1, o2, flags, cls, aux, handler)
#define X86_OP_L(map, opc, mnem, o0, o1, o2, flags, cls, aux, handler)
#include "cpu/x86/opcodes.def"
#undef X86_OP
#undef X86_GROUP
#undef X86_GOP
#undef X86_GOP_R
#undef X86_OP_L
};

const struct x86_opinfo x86_groups[X86_NGROUPS][8] = {
#define X86_OP(map, opc, mnem, o0, o1, o2, flags, cls, aux, handler)
#define X86_GROUP(map, opc, group, o1, flags)
#define X86_GOP(group, reg, mnem, o0, o1, o2, flags, cls, aux, handler)                            \
    [group][reg] = {mnem, handler, {o0, o1, o2}, (flags) | XF_MODRM, X86_CLASS_##cls, (aux), 0},
#define X86_GOP_R(group, reg, rm, mnem, o0, o1, o2, flags, cls, aux, handler)
#define X86_OP_L(map, opc, mnem, o0, o1, o2, flags, cls, aux, handler)
#include "cpu/x86/opcodes.def"
#undef X86_OP
#undef X86_GROUP
#undef X86_GOP
#undef X86_GOP_R
#undef X86_OP_L
};

const struct x86_opinfo x86_group7_mod3[8][8] = {
#define X86_OP(map, opc, mnem, o0, o1, o2, flags, cls, aux, handler)
#define X86_GROUP(map, opc, group, o1, flags)
#define X86_GOP(group, reg, mnem, o0, o1, o2, flags, cls, aux, handler)
#define X86_GOP_R(group, reg, rm, mnem, o0, o1, o2, flags, cls, aux, handler)                      \
    [(group) == X86_G7 ? (reg) : -1][rm] = {                                                       \
        mnem, handler, {o0, o1, o2}, (flags) | XF_MODRM, X86_CLASS_##cls, (aux), 0},
#define X86_OP_L(map, opc, mnem, o0, o1, o2, flags, cls, aux, handler)
#include "cpu/x86/opcodes.def"
#undef X86_OP
#undef X86_GROUP
#undef X86_GOP
#undef X86_GOP_R
#undef X86_OP_L
};

/* The X86_OP_L rows, with their index; few, so searched (only XF_O64 rows outside 64-bit mode
 * come here). */
static const struct {
    uint16_t index;
    struct x86_opinfo row;
} optab_legacy[] = {
#define X86_OP(map, opc, mnem, o0, o1, o2, flags, cls, aux, handler)
#define X86_GROUP(map, opc, group, o1, flags)
#define X86_GOP(group, reg, mnem, o0, o1, o2, flags, cls, aux, handler)
#define X86_GOP_R(group, reg, rm, mnem, o0, o1, o2, flags, cls, aux, handler)
#define X86_OP_L(map, opc, mnem, o0, o1, o2, flags, cls, aux, handler)                             \
    {(map) << 8 | (opc),                                                                           \
     {mnem, handler, {o0, o1, o2}, ROW_FLAGS(o0, o1, o2, flags), X86_CLASS_##cls, (aux), 0}},
#include "cpu/x86/opcodes.def"
#undef X86_OP
#undef X86_GROUP
#undef X86_GOP
#undef X86_GOP_R
#undef X86_OP_L
};

const struct x86_opinfo *x86_optab_legacy(unsigned index)
{
    for (size_t i = 0; i < sizeof optab_legacy / sizeof optab_legacy[0]; i++)
        if (optab_legacy[i].index == index) return &optab_legacy[i].row;
    return NULL;
}

#define GP0 X86_TRAP_EC(X86_VEC_GP, 0)
#define UD  X86_TRAP(X86_VEC_UD)

/* A byte beyond what could be fetched: the 15-byte limit (#GP(0), SDM Vol. 2A 2.3.11) or the
 * fault fetching it (limit, page). */
#define NEED(n)                                                                                    \
    do {                                                                                           \
        if (pos + (n) > avail) return pos + (n) > X86_MAX_INSN_LEN ? GP0 : fault_at_avail;         \
    } while (0)

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static int64_t sext(uint64_t v, unsigned bytes)
{
    unsigned shift = 64 - 8 * bytes;
    return (int64_t)(v << shift) >> shift;
}

/* 16-bit ModRM addressing (SDM Vol. 2A Table 2-1). */
static const int8_t modrm16_base[8] = {X86_RBX, X86_RBX, X86_RBP, X86_RBP,
                                       -1,      -1,      X86_RBP, X86_RBX};
static const int8_t modrm16_index[8] = {X86_RSI, X86_RDI, X86_RSI, X86_RDI,
                                        X86_RSI, X86_RDI, -1,      -1};

x86_status x86_decode(const struct x86_cpu *cpu, const uint8_t *bytes, unsigned avail,
                      x86_status fault_at_avail, struct x86_insn *insn)
{
    const bool mode64 = cpu->code_bits == 64;
    const unsigned def = cpu->code_bits == 16 ? 2 : 4;
    unsigned pos = 0;
    bool opsize_prefix = false, addrsize_prefix = false;

    memset(insn, 0, sizeof *insn);
    insn->seg_override = -1;
    insn->base = insn->index = -1;

    /* Legacy prefixes in any order; a REX prefix counts only directly before the opcode (SDM
     * Vol. 2A 2.2.1). */
    for (;;) {
        NEED(1);
        uint8_t b = bytes[pos];
        if (mode64 && (b & 0xf0) == 0x40) {
            insn->rex = b;
            insn->has_rex = true;
            pos++;
            continue;
        }
        switch (b) {
        case 0x66: opsize_prefix = true; break;
        case 0x67: addrsize_prefix = true; break;
        case 0xf0: insn->lock = true; break;
        case 0xf2: insn->rep = REP_F2; break;
        case 0xf3: insn->rep = REP_F3; break;
        /* 64-bit mode ignores the CS/DS/ES/SS overrides (SDM Vol. 1 3.3.7.1). */
        case 0x26: insn->seg_override = mode64 ? insn->seg_override : X86_ES; break;
        case 0x2e: insn->seg_override = mode64 ? insn->seg_override : X86_CS; break;
        case 0x36: insn->seg_override = mode64 ? insn->seg_override : X86_SS; break;
        case 0x3e: insn->seg_override = mode64 ? insn->seg_override : X86_DS; break;
        case 0x64: insn->seg_override = X86_FS; break;
        case 0x65: insn->seg_override = X86_GS; break;
        default: goto opcode;
        }
        insn->rex = 0; /* a REX followed by a legacy prefix is ignored */
        insn->has_rex = false;
        pos++;
    }

opcode:;
    unsigned map = 0;
    uint8_t opc = bytes[pos++];
    if (opc == 0x0f) {
        NEED(1);
        map = 1;
        opc = bytes[pos++];
    }
    insn->map = (uint8_t)map;
    insn->opcode = opc;

    const struct x86_opinfo *row = &x86_optab[map << 8 | opc];
    if ((row->flags & XF_O64) && !mode64) {
        /* the opcode's other instruction outside 64-bit mode (63: ARPL), or #UD */
        row = x86_optab_legacy(map << 8 | opc);
        if (!row) return UD;
    }
    uint16_t flags = row->flags;
    memcpy(insn->opnd, row->opnd, sizeof insn->opnd);
    if (row->group) {
        NEED(1);
        const struct x86_opinfo *g = &x86_groups[row->group - 1][(bytes[pos] >> 3) & 7];
        /* mod = 11B rows of group 7 (SWAPGS...); without one, the X86_GOP row decides */
        const struct x86_opinfo *r = &x86_group7_mod3[(bytes[pos] >> 3) & 7][bytes[pos] & 7];
        if (row->group - 1 == X86_G7 && (bytes[pos] >> 6) == 3 && r->mnemonic) g = r;
        if (!g->mnemonic) return UD;
        flags |= g->flags;
        insn->opnd[0] = g->opnd[0];
        if (g->opnd[1]) insn->opnd[1] = g->opnd[1];
        insn->opnd[2] = g->opnd[2];
        row = g;
    } else if (!row->mnemonic) {
        return UD;
    }
    insn->info = row;
    insn->flags = flags;
    if ((flags & XF_I64) && mode64) return UD;
    if ((flags & XF_O64) && !mode64) return UD;

    /* Operand and address size (SDM Vol. 1 3.6, Vol. 2A 2.2.1.2 Table 2-4). */
    unsigned osize, asize;
    if (mode64) {
        if (insn->rex & 8)
            osize = 8;
        else if (flags & XF_F64)
            osize = 8;
        else if (flags & XF_D64)
            osize = opsize_prefix ? 2 : 8;
        else
            osize = opsize_prefix ? 2 : 4;
        asize = addrsize_prefix ? 4 : 8;
    } else {
        osize = opsize_prefix ? def ^ 6 : def; /* 2 <-> 4 */
        asize = addrsize_prefix ? def ^ 6 : def;
    }
    insn->osize = (uint8_t)osize;
    insn->asize = (uint8_t)asize;

    unsigned default_seg = X86_DS;
    if (flags & XF_MODRM) {
        NEED(1);
        uint8_t modrm = bytes[pos++];
        insn->mod = modrm >> 6;
        insn->reg = ((modrm >> 3) & 7) | (insn->rex & 4 ? 8 : 0);
        insn->rm = modrm & 7;
        /* MOV to/from CR/DR ignore mod and use rm as a register (SDM Vol. 2B MOV-Control). */
        bool reg_only =
            X86_OPND_KIND(insn->opnd[0]) == OK_R || X86_OPND_KIND(insn->opnd[1]) == OK_R;
        if (insn->mod == 3 || reg_only) {
            insn->rm |= insn->rex & 1 ? 8 : 0;
        } else if (asize == 2) {
            /* SDM Vol. 2A Table 2-1 */
            insn->has_mem = true;
            if (insn->mod == 0 && insn->rm == 6) {
                NEED(2);
                insn->disp = sext(get_le(bytes + pos, 2), 2);
                pos += 2;
            } else {
                insn->base = modrm16_base[insn->rm];
                insn->index = modrm16_index[insn->rm];
                if (insn->base == X86_RBP) default_seg = X86_SS;
            }
            if (insn->mod == 1) {
                NEED(1);
                insn->disp = sext(bytes[pos++], 1);
            } else if (insn->mod == 2) {
                NEED(2);
                insn->disp = sext(get_le(bytes + pos, 2), 2);
                pos += 2;
            }
        } else {
            /* SDM Vol. 2A Tables 2-2 and 2-3; 2.2.1.6 for RIP-relative addressing */
            insn->has_mem = true;
            unsigned base_low = insn->rm;
            bool no_base = false;
            if (insn->rm == 4) {
                NEED(1);
                uint8_t sib = bytes[pos++];
                unsigned index = ((sib >> 3) & 7) | (insn->rex & 2 ? 8 : 0);
                insn->scale = sib >> 6;
                insn->index = index == 4 ? -1 : (int8_t)index;
                base_low = sib & 7;
                if (base_low == 5 && insn->mod == 0) no_base = true;
            } else if (insn->rm == 5 && insn->mod == 0) {
                no_base = true;
                if (mode64) insn->base = X86_BASE_RIP;
            }
            if (!no_base) {
                insn->base = (int8_t)(base_low | (insn->rex & 1 ? 8 : 0));
                if (insn->base == X86_RSP || insn->base == X86_RBP) default_seg = X86_SS;
            }
            if (insn->mod == 1) {
                NEED(1);
                insn->disp = sext(bytes[pos++], 1);
            } else if (insn->mod == 2 || no_base) {
                NEED(4);
                insn->disp = sext(get_le(bytes + pos, 4), 4);
                pos += 4;
            }
        }
    } else {
        insn->rm = (opc & 7) | (insn->rex & 1 ? 8 : 0);
    }

    /* Operands: sizes, immediates, operand legality. */
    for (unsigned i = 0; i < 3; i++) {
        uint16_t o = insn->opnd[i];
        unsigned size;
        switch (X86_OPND_SIZE(o)) {
        case OS_B: size = 1; break;
        case OS_W: size = 2; break;
        case OS_D: size = 4; break;
        case OS_Q: size = 8; break;
        case OS_Z: size = osize == 2 ? 2 : 4; break;
        case OS_Y: size = insn->rex & 8 ? 8 : 4; break;
        case OS_P: size = osize + 2; break;
        default: size = osize; break;
        }
        insn->opsz[i] = (uint8_t)size;
        switch (X86_OPND_KIND(o)) {
        case OK_M:
            if (insn->mod == 3) return UD;
            break;
        case OK_S:
            if ((insn->reg & 7) >= X86_NSEG) return UD;
            break;
        case OK_I:
            /* Iz is 4 bytes and sign-extended for 64-bit operands; Iv is 8 bytes there. */
            NEED(size);
            insn->imm = (uint64_t)sext(get_le(bytes + pos, size), size);
            pos += size;
            insn->opsz[i] = (uint8_t)(X86_OPND_SIZE(o) == OS_Z ? osize : size);
            break;
        case OK_IS:
            NEED(1);
            insn->imm = (uint64_t)sext(bytes[pos++], 1);
            break;
        case OK_I2:
            NEED(1);
            insn->imm2 = bytes[pos++];
            break;
        case OK_J: {
            unsigned n = X86_OPND_SIZE(o) == OS_B ? 1 : (osize == 2 ? 2 : 4);
            NEED(n);
            insn->imm = (uint64_t)sext(get_le(bytes + pos, n), n);
            pos += n;
            break;
        }
        case OK_O:
            NEED(asize);
            insn->disp = (int64_t)get_le(bytes + pos, asize);
            pos += asize;
            insn->has_mem = true;
            break;
        case OK_A:
            NEED(osize + 2);
            insn->imm = get_le(bytes + pos, osize);
            insn->imm2 = get_le(bytes + pos + osize, 2);
            pos += osize + 2;
            break;
        default: break;
        }
    }
    insn->seg = (uint8_t)(insn->seg_override >= 0 ? (unsigned)insn->seg_override : default_seg);
    insn->len = (uint8_t)pos;
    insn->exec = row->exec;
    x86_specialize(insn);

    /* SDM Vol. 2A LOCK: #UD unless the instruction is one of the lockable ones and its
     * destination is in memory. */
    if (insn->lock &&
        (!(flags & XF_LOCK) || !insn->has_mem ||
         (X86_OPND_KIND(insn->opnd[0]) != OK_E && X86_OPND_KIND(insn->opnd[0]) != OK_M)))
        return UD;
    return X86_OK;
}

/* The register an operand names (not AH..BH), an immediate (-1), or neither (-2). */
static int fast_reg(const struct x86_insn *insn, unsigned n)
{
    /* without REX, byte registers 4-7 are AH CH DH BH: not for the specialized forms */
    if (insn->opsz[0] == 1 && !insn->has_rex && n >= 4 && n < 8) return -2;
    return (int)n;
}

static int fast_operand(const struct x86_insn *insn, unsigned i)
{
    switch (X86_OPND_KIND(insn->opnd[i])) {
    case OK_E: return insn->has_mem ? -2 : fast_reg(insn, insn->rm);
    case OK_G: return fast_reg(insn, insn->reg);
    case OK_Z: return fast_reg(insn, insn->rm);
    case OK_ACC: return X86_RAX;
    case OK_I:
    case OK_IS: return -1;
    default: return -2;
    }
}

/* The 32-bit forms of x86_op_alu_r and x86_op_test_r, by operation (ADC and SBB keep the
 * general handler). s: the source register, or -1 for the immediate. */
static void specialize32(struct x86_insn *insn, int s)
{
    static const x86_handler rr[8] = {
        x86_op_add_rr32, x86_op_or_rr32,  NULL,           NULL, x86_op_and_rr32,
        x86_op_sub_rr32, x86_op_xor_rr32, x86_op_cmp_rr32};
    static const x86_handler ri[8] = {
        x86_op_add_ri32, x86_op_or_ri32,  NULL,           NULL, x86_op_and_ri32,
        x86_op_sub_ri32, x86_op_xor_ri32, x86_op_cmp_ri32};
    x86_handler h = NULL;
    if (insn->exec == x86_op_alu_r)
        h = (s < 0 ? ri : rr)[insn->info->aux & 7];
    else if (insn->exec == x86_op_test_r)
        h = s < 0 ? x86_op_test_ri32 : x86_op_test_rr32;
    if (h) insn->exec = h;
}

void x86_specialize(struct x86_insn *insn)
{
    /* Jcc reads the lazy flags itself (x86_cond_now); these neither read nor write the
     * arithmetic flags; the handlers chosen below keep them */
    insn->op_class = insn->info->op_class;
    x86_handler e = insn->exec;
    insn->lazy_ok = e == x86_op_jcc || e == x86_op_mov || e == x86_op_lea || e == x86_op_push ||
                    e == x86_op_pop || e == x86_op_not || e == x86_op_movzx || e == x86_op_movsx ||
                    e == x86_op_jmp || e == x86_op_call || e == x86_op_ret || e == x86_op_nop ||
                    e == x86_op_leave || e == x86_op_xchg || e == x86_op_xchg_acc;
    if (insn->lock) return;
    if (e == x86_op_jcc) {
        insn->exec = x86_jcc_by_cond[insn->opcode & 0xf];
        return;
    }
    int d = fast_operand(insn, 0), s = fast_operand(insn, 1);
    if ((e == x86_op_inc || e == x86_op_dec || e == x86_op_neg) && d >= 0) {
        insn->exec = e == x86_op_inc ? x86_op_inc_r : e == x86_op_dec ? x86_op_dec_r : x86_op_neg_r;
        insn->fast_dst = (int8_t)d;
        insn->lazy_ok = true;
        return;
    }
    /* SHL/SAL, SHR, SAR (group 2 rows 4-7) by 1, an immediate or CL */
    enum x86_opnd_kind k1 = X86_OPND_KIND(insn->opnd[1]);
    if (e == x86_op_shift && d >= 0 && insn->info->aux >= 4 &&
        (k1 == OK_ONE || k1 == OK_I || k1 == OK_CL)) {
        insn->exec = x86_op_shift_r;
        insn->fast_dst = (int8_t)d;
        insn->lazy_ok = true;
        return;
    }
    /* ROL, ROR (rows 0-1) likewise */
    if (e == x86_op_shift && d >= 0 && insn->info->aux <= 1 &&
        (k1 == OK_ONE || k1 == OK_I || k1 == OK_CL)) {
        insn->exec = x86_op_rot_r;
        insn->fast_dst = (int8_t)d;
        insn->lazy_ok = true;
        return;
    }
    bool mem0 = X86_OPND_KIND(insn->opnd[0]) == OK_E && insn->has_mem;
    bool mem1 = X86_OPND_KIND(insn->opnd[1]) == OK_E && insn->has_mem;
    if (insn->exec == x86_op_movzx && d >= 0 && mem1) {
        insn->exec = x86_op_movzx_load;
        insn->fast_dst = (int8_t)d;
        insn->lazy_ok = true;
        return;
    }
    /* MOVZX from a register; without REX, byte registers 4-7 are AH CH DH BH: not here */
    if (insn->exec == x86_op_movzx && d >= 0 && X86_OPND_KIND(insn->opnd[1]) == OK_E &&
        !insn->has_mem &&
        !(insn->opsz[1] == 1 && !insn->has_rex && insn->rm >= 4 && insn->rm < 8)) {
        insn->exec = x86_op_movzx_r;
        insn->fast_dst = (int8_t)d;
        insn->fast_src = (int8_t)insn->rm;
        insn->lazy_ok = true;
        return;
    }
    if (insn->opsz[0] != insn->opsz[1]) return;
    if (insn->exec == x86_op_alu && d >= 0 && s >= -1) {
        insn->exec = x86_op_alu_r;
    } else if (insn->exec == x86_op_alu && d >= 0 && mem1) {
        insn->exec = x86_op_alu_rm;
    } else if (insn->exec == x86_op_alu && mem0 && s >= -1 && (insn->info->aux & 7) != 2 &&
               (insn->info->aux & 7) != 3) {
        insn->exec = x86_op_alu_mr; /* ADC and SBB read CF: the general handler */
    } else if (insn->exec == x86_op_test && d >= 0 && s >= -1) {
        insn->exec = x86_op_test_r;
    } else if (insn->exec == x86_op_mov && d >= 0 && s >= -1) {
        insn->exec = x86_op_mov_r;
    } else if (insn->exec == x86_op_mov && d >= 0 && mem1) {
        insn->exec = x86_op_mov_load;
    } else if (insn->exec == x86_op_mov && mem0 && s >= -1) {
        insn->exec = x86_op_mov_store;
    } else {
        return;
    }
    insn->fast_dst = (int8_t)d;
    insn->fast_src = (int8_t)s;
    insn->lazy_ok = true;
    if (insn->opsz[0] == 4) specialize32(insn, s);
}
