/* Decode by table: the instruction table (insn.def) and an index over it by opcode and funct3,
 * built once per hart. */
#include "cpu/riscv/internal.h"

const struct rv_insn_info rv_insn_table[RV_INSN_COUNT] = {
#define X(id, mnemonic, match, mask, fmt, op_class, handler) {mnemonic, match, mask, fmt, op_class},
#include "cpu/riscv/insn.def"
#undef X
};

rv_exec_fn *const rv_exec_table[RV_INSN_COUNT] = {
#define X(id, mnemonic, match, mask, fmt, op_class, handler) handler,
#include "cpu/riscv/insn.def"
#undef X
};

/* Bucket of a word: opcode[6:0] and funct3 (bits 14:12). */
static unsigned bucket_of(uint32_t word)
{
    return (word & 0x7f) | ((word >> 5) & 0x380);
}

/* An entry belongs to every bucket whose opcode/funct3 bits agree with its match under its
 * mask (entries without a funct3 field, such as LUI, sit in all eight funct3 buckets). */
void rv_decode_init(struct rv_hart *h)
{
    unsigned n = 0;
    for (unsigned b = 0; b < RV_DECODE_BUCKETS; b++) {
        uint32_t word = (b & 0x7f) | ((uint32_t)(b >> 7) << 12);
        h->dec_start[b] = (uint16_t)n;
        for (unsigned i = 0; i < RV_INSN_COUNT; i++) {
            uint32_t mask = rv_insn_table[i].mask & 0x707f;
            if ((word & mask) == (rv_insn_table[i].match & mask) &&
                n < sizeof h->dec_list / sizeof h->dec_list[0])
                h->dec_list[n++] = (uint16_t)i;
        }
    }
    h->dec_start[RV_DECODE_BUCKETS] = (uint16_t)n;
}

int rv_decode(const struct rv_hart *h, uint32_t word)
{
    unsigned b = bucket_of(word);
    for (unsigned k = h->dec_start[b]; k < h->dec_start[b + 1]; k++) {
        const struct rv_insn_info *in = &rv_insn_table[h->dec_list[k]];
        if ((word & in->mask) == in->match) return h->dec_list[k];
    }
    return -1;
}

/* The inline form of each row that has one (fast.h), and how its immediate is encoded. */
enum imm_kind { IMM_NONE, IMM_I, IMM_S, IMM_B, IMM_U, IMM_J, IMM_SHAMT6, IMM_SHAMT5 };

void rv_fast_prepare(struct rv_dinsn *d)
{
    static const struct {
        uint16_t id;
        uint8_t fast, imm;
    } forms[] = {
        {RV_INSN_addi, RV_FAST_ADDI, IMM_I},
        {RV_INSN_andi, RV_FAST_ANDI, IMM_I},
        {RV_INSN_ori, RV_FAST_ORI, IMM_I},
        {RV_INSN_xori, RV_FAST_XORI, IMM_I},
        {RV_INSN_sltiu, RV_FAST_SLTIU, IMM_I},
        {RV_INSN_addiw, RV_FAST_ADDIW, IMM_I},
        {RV_INSN_slli, RV_FAST_SLLI, IMM_SHAMT6},
        {RV_INSN_srli, RV_FAST_SRLI, IMM_SHAMT6},
        {RV_INSN_srai, RV_FAST_SRAI, IMM_SHAMT6},
        {RV_INSN_slliw, RV_FAST_SLLIW, IMM_SHAMT5},
        {RV_INSN_srliw, RV_FAST_SRLIW, IMM_SHAMT5},
        {RV_INSN_sraiw, RV_FAST_SRAIW, IMM_SHAMT5},
        {RV_INSN_lui, RV_FAST_LUI, IMM_U},
        {RV_INSN_auipc, RV_FAST_AUIPC, IMM_U},
        {RV_INSN_add, RV_FAST_ADD, IMM_NONE},
        {RV_INSN_sub, RV_FAST_SUB, IMM_NONE},
        {RV_INSN_and, RV_FAST_AND, IMM_NONE},
        {RV_INSN_or, RV_FAST_OR, IMM_NONE},
        {RV_INSN_xor, RV_FAST_XOR, IMM_NONE},
        {RV_INSN_sltu, RV_FAST_SLTU, IMM_NONE},
        {RV_INSN_sll, RV_FAST_SLL, IMM_NONE},
        {RV_INSN_srl, RV_FAST_SRL, IMM_NONE},
        {RV_INSN_addw, RV_FAST_ADDW, IMM_NONE},
        {RV_INSN_subw, RV_FAST_SUBW, IMM_NONE},
        {RV_INSN_jal, RV_FAST_JAL, IMM_J},
        {RV_INSN_jalr, RV_FAST_JALR, IMM_I},
        {RV_INSN_beq, RV_FAST_BEQ, IMM_B},
        {RV_INSN_bne, RV_FAST_BNE, IMM_B},
        {RV_INSN_blt, RV_FAST_BLT, IMM_B},
        {RV_INSN_bge, RV_FAST_BGE, IMM_B},
        {RV_INSN_bltu, RV_FAST_BLTU, IMM_B},
        {RV_INSN_bgeu, RV_FAST_BGEU, IMM_B},
        {RV_INSN_lb, RV_FAST_LB, IMM_I},
        {RV_INSN_lbu, RV_FAST_LBU, IMM_I},
        {RV_INSN_lh, RV_FAST_LH, IMM_I},
        {RV_INSN_lhu, RV_FAST_LHU, IMM_I},
        {RV_INSN_lw, RV_FAST_LW, IMM_I},
        {RV_INSN_lwu, RV_FAST_LWU, IMM_I},
        {RV_INSN_ld, RV_FAST_LD, IMM_I},
        {RV_INSN_sb, RV_FAST_SB, IMM_S},
        {RV_INSN_sh, RV_FAST_SH, IMM_S},
        {RV_INSN_sw, RV_FAST_SW, IMM_S},
        {RV_INSN_sd, RV_FAST_SD, IMM_S},
    };
    uint32_t w = d->word;
    d->fast = RV_FAST_NONE;
    d->rd = (uint8_t)rv_rd(w);
    d->rs1 = (uint8_t)rv_rs1(w);
    d->rs2 = (uint8_t)rv_rs2(w);
    d->imm = 0;
    for (unsigned i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (forms[i].id != d->id) continue;
        uint64_t imm = 0;
        switch (forms[i].imm) {
        case IMM_I: imm = rv_imm_i(w); break;
        case IMM_S: imm = rv_imm_s(w); break;
        case IMM_B: imm = rv_imm_b(w); break;
        case IMM_U: imm = rv_imm_u(w); break;
        case IMM_J: imm = rv_imm_j(w); break;
        case IMM_SHAMT6: imm = (w >> 20) & 63; break;
        case IMM_SHAMT5: imm = (w >> 20) & 31; break;
        default: break;
        }
        d->fast = forms[i].fast;
        d->imm = (int32_t)imm; /* every immediate above fits in 32 bits, sign-extended */
        return;
    }
}
