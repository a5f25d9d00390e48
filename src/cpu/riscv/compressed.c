/* C extension: expansion of the 16-bit encodings (rvc.def) into their 32-bit equivalents
 * (unpriv. spec chapter 16; the expansions are those of 16.3-16.6). */
#include "cpu/riscv/internal.h"

const struct rvc_info rvc_table[RVC_COUNT] = {
#define X(id, mnemonic, match, mask, expander) {mnemonic, match, mask},
#include "cpu/riscv/rvc.def"
#undef X
};

typedef uint32_t rvc_expand_fn(uint32_t p);
#define X(id, mnemonic, match, mask, expander) static rvc_expand_fn expander;
#include "cpu/riscv/rvc.def"
#undef X
static rvc_expand_fn *const rvc_expand_table[RVC_COUNT] = {
#define X(id, mnemonic, match, mask, expander) expander,
#include "cpu/riscv/rvc.def"
#undef X
};

/* 32-bit encoders (unpriv. spec 2.3) */
static uint32_t enc_i(uint32_t op, unsigned f3, unsigned rd, unsigned rs1, uint32_t imm)
{
    return ((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
static uint32_t enc_r(uint32_t op, unsigned f3, unsigned f7, unsigned rd, unsigned rs1,
                      unsigned rs2)
{
    return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
static uint32_t enc_s(uint32_t op, unsigned f3, unsigned rs1, unsigned rs2, uint32_t imm)
{
    return ((imm >> 5 & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) |
           op;
}
static uint32_t enc_b(unsigned f3, unsigned rs1, unsigned rs2, uint32_t imm)
{
    return ((imm >> 12 & 1) << 31) | ((imm >> 5 & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) |
           (f3 << 12) | ((imm >> 1 & 0xf) << 8) | ((imm >> 11 & 1) << 7) | 0x63;
}
static uint32_t enc_j(unsigned rd, uint32_t imm)
{
    return ((imm >> 20 & 1) << 31) | ((imm >> 1 & 0x3ff) << 21) | ((imm >> 11 & 1) << 20) |
           ((imm >> 12 & 0xff) << 12) | (rd << 7) | 0x6f;
}

enum {
    OP_LOAD = 0x03,
    OP_LOAD_FP = 0x07,
    OP_IMM = 0x13,
    OP_IMM32 = 0x1b,
    OP_STORE = 0x23,
    OP_STORE_FP = 0x27,
    OP = 0x33,
    OP_LUI = 0x37,
    OP_32 = 0x3b,
    OP_JALR = 0x67
};

/* Fields (16.2, figure 16.1) */
static unsigned bit(uint32_t p, unsigned n)
{
    return (p >> n) & 1;
}
static unsigned bits(uint32_t p, unsigned hi, unsigned lo)
{
    return (p >> lo) & ((1u << (hi - lo + 1)) - 1);
}
static unsigned rd_full(uint32_t p)
{
    return bits(p, 11, 7);
}
static unsigned rs2_full(uint32_t p)
{
    return bits(p, 6, 2);
}
static unsigned r_9_7(uint32_t p)
{
    return 8 + bits(p, 9, 7);
} /* rs1', rd' */
static unsigned r_4_2(uint32_t p)
{
    return 8 + bits(p, 4, 2);
} /* rs2', rd' */
/* imm[5] = p[12], imm[4:0] = p[6:2], sign-extended */
static uint32_t imm6(uint32_t p)
{
    return (uint32_t)rv_sext((bit(p, 12) << 5) | bits(p, 6, 2), 6);
}
static unsigned shamt6(uint32_t p)
{
    return (bit(p, 12) << 5) | bits(p, 6, 2);
}
/* Offsets of CL/CS word and doubleword accesses */
static uint32_t uimm_w(uint32_t p)
{
    return (bits(p, 12, 10) << 3) | (bit(p, 6) << 2) | (bit(p, 5) << 6);
}
static uint32_t uimm_d(uint32_t p)
{
    return (bits(p, 12, 10) << 3) | (bits(p, 6, 5) << 6);
}

/* Quadrant 0 */
static uint32_t rvc_addi4spn(uint32_t p)
{
    uint32_t imm =
        (bits(p, 12, 11) << 4) | (bits(p, 10, 7) << 6) | (bit(p, 6) << 2) | (bit(p, 5) << 3);
    if (imm == 0) /* nzuimm = 0 is reserved; the all-zero parcel is the defined illegal one */
        return 0;
    return enc_i(OP_IMM, 0, r_4_2(p), 2, imm);
}
static uint32_t rvc_fld(uint32_t p)
{
    return enc_i(OP_LOAD_FP, 3, r_4_2(p), r_9_7(p), uimm_d(p));
}
static uint32_t rvc_lw(uint32_t p)
{
    return enc_i(OP_LOAD, 2, r_4_2(p), r_9_7(p), uimm_w(p));
}
static uint32_t rvc_ld(uint32_t p)
{
    return enc_i(OP_LOAD, 3, r_4_2(p), r_9_7(p), uimm_d(p));
}
static uint32_t rvc_fsd(uint32_t p)
{
    return enc_s(OP_STORE_FP, 3, r_9_7(p), r_4_2(p), uimm_d(p));
}
static uint32_t rvc_sw(uint32_t p)
{
    return enc_s(OP_STORE, 2, r_9_7(p), r_4_2(p), uimm_w(p));
}
static uint32_t rvc_sd(uint32_t p)
{
    return enc_s(OP_STORE, 3, r_9_7(p), r_4_2(p), uimm_d(p));
}

/* Quadrant 1 */
static uint32_t rvc_addi(uint32_t p)
{
    return enc_i(OP_IMM, 0, rd_full(p), rd_full(p), imm6(p));
}
static uint32_t rvc_addiw(uint32_t p)
{
    if (rd_full(p) == 0) /* 16.5: reserved */
        return 0;
    return enc_i(OP_IMM32, 0, rd_full(p), rd_full(p), imm6(p));
}
static uint32_t rvc_li(uint32_t p)
{
    return enc_i(OP_IMM, 0, rd_full(p), 0, imm6(p));
}
static uint32_t rvc_addi16sp(uint32_t p)
{
    uint32_t imm = (bit(p, 12) << 9) | (bit(p, 6) << 4) | (bit(p, 5) << 6) | (bits(p, 4, 3) << 7) |
                   (bit(p, 2) << 5);
    if (imm == 0) /* nzimm = 0 is reserved */
        return 0;
    return enc_i(OP_IMM, 0, 2, 2, (uint32_t)rv_sext(imm, 10));
}
static uint32_t rvc_lui(uint32_t p)
{
    uint32_t imm = imm6(p); /* nzimm[17:12] */
    if (imm == 0)           /* reserved */
        return 0;
    return ((imm & 0xfffff) << 12) | (rd_full(p) << 7) | OP_LUI;
}
static uint32_t rvc_srli(uint32_t p)
{
    return enc_i(OP_IMM, 5, r_9_7(p), r_9_7(p), shamt6(p));
}
static uint32_t rvc_srai(uint32_t p)
{
    return enc_i(OP_IMM, 5, r_9_7(p), r_9_7(p), 0x400 | shamt6(p));
}
static uint32_t rvc_andi(uint32_t p)
{
    return enc_i(OP_IMM, 7, r_9_7(p), r_9_7(p), imm6(p));
}
static uint32_t rvc_sub(uint32_t p)
{
    return enc_r(OP, 0, 0x20, r_9_7(p), r_9_7(p), r_4_2(p));
}
static uint32_t rvc_xor(uint32_t p)
{
    return enc_r(OP, 4, 0, r_9_7(p), r_9_7(p), r_4_2(p));
}
static uint32_t rvc_or(uint32_t p)
{
    return enc_r(OP, 6, 0, r_9_7(p), r_9_7(p), r_4_2(p));
}
static uint32_t rvc_and(uint32_t p)
{
    return enc_r(OP, 7, 0, r_9_7(p), r_9_7(p), r_4_2(p));
}
static uint32_t rvc_subw(uint32_t p)
{
    return enc_r(OP_32, 0, 0x20, r_9_7(p), r_9_7(p), r_4_2(p));
}
static uint32_t rvc_addw(uint32_t p)
{
    return enc_r(OP_32, 0, 0, r_9_7(p), r_9_7(p), r_4_2(p));
}
static uint32_t rvc_j(uint32_t p)
{
    /* offset[11|4|9:8|10|6|7|3:1|5] = p[12|11|10:9|8|7|6|5:3|2] */
    uint32_t off = (bit(p, 12) << 11) | (bit(p, 11) << 4) | (bits(p, 10, 9) << 8) |
                   (bit(p, 8) << 10) | (bit(p, 7) << 6) | (bit(p, 6) << 7) | (bits(p, 5, 3) << 1) |
                   (bit(p, 2) << 5);
    return enc_j(0, (uint32_t)rv_sext(off, 12));
}
static uint32_t branch_offset(uint32_t p)
{
    /* offset[8|4:3] = p[12|11:10], offset[7:6|2:1|5] = p[6:5|4:3|2] */
    uint32_t off = (bit(p, 12) << 8) | (bits(p, 11, 10) << 3) | (bits(p, 6, 5) << 6) |
                   (bits(p, 4, 3) << 1) | (bit(p, 2) << 5);
    return (uint32_t)rv_sext(off, 9);
}
static uint32_t rvc_beqz(uint32_t p)
{
    return enc_b(0, r_9_7(p), 0, branch_offset(p));
}
static uint32_t rvc_bnez(uint32_t p)
{
    return enc_b(1, r_9_7(p), 0, branch_offset(p));
}

/* Quadrant 2 */
static uint32_t rvc_slli(uint32_t p)
{
    return enc_i(OP_IMM, 1, rd_full(p), rd_full(p), shamt6(p));
}
static uint32_t uimm_lwsp(uint32_t p)
{
    return (bit(p, 12) << 5) | (bits(p, 6, 4) << 2) | (bits(p, 3, 2) << 6);
}
static uint32_t uimm_ldsp(uint32_t p)
{
    return (bit(p, 12) << 5) | (bits(p, 6, 5) << 3) | (bits(p, 4, 2) << 6);
}
static uint32_t rvc_fldsp(uint32_t p)
{
    return enc_i(OP_LOAD_FP, 3, rd_full(p), 2, uimm_ldsp(p));
}
static uint32_t rvc_lwsp(uint32_t p)
{
    if (rd_full(p) == 0) /* reserved */
        return 0;
    return enc_i(OP_LOAD, 2, rd_full(p), 2, uimm_lwsp(p));
}
static uint32_t rvc_ldsp(uint32_t p)
{
    if (rd_full(p) == 0) /* reserved */
        return 0;
    return enc_i(OP_LOAD, 3, rd_full(p), 2, uimm_ldsp(p));
}
static uint32_t rvc_ebreak(uint32_t p)
{
    (void)p;
    return 0x00100073;
}
static uint32_t rvc_jr(uint32_t p)
{
    if (rd_full(p) == 0) /* rs1 = 0 is reserved */
        return 0;
    return enc_i(OP_JALR, 0, 0, rd_full(p), 0);
}
static uint32_t rvc_jalr(uint32_t p)
{
    return enc_i(OP_JALR, 0, 1, rd_full(p), 0);
}
static uint32_t rvc_mv(uint32_t p)
{
    return enc_r(OP, 0, 0, rd_full(p), 0, rs2_full(p));
}
static uint32_t rvc_add(uint32_t p)
{
    return enc_r(OP, 0, 0, rd_full(p), rd_full(p), rs2_full(p));
}
static uint32_t uimm_swsp(uint32_t p)
{
    return (bits(p, 12, 9) << 2) | (bits(p, 8, 7) << 6);
}
static uint32_t uimm_sdsp(uint32_t p)
{
    return (bits(p, 12, 10) << 3) | (bits(p, 9, 7) << 6);
}
static uint32_t rvc_fsdsp(uint32_t p)
{
    return enc_s(OP_STORE_FP, 3, 2, rs2_full(p), uimm_sdsp(p));
}
static uint32_t rvc_swsp(uint32_t p)
{
    return enc_s(OP_STORE, 2, 2, rs2_full(p), uimm_swsp(p));
}
static uint32_t rvc_sdsp(uint32_t p)
{
    return enc_s(OP_STORE, 3, 2, rs2_full(p), uimm_sdsp(p));
}

/* Buckets: quadrant (p[1:0], 0-2) and funct3 (p[15:13]) */
static unsigned rvc_bucket(uint32_t p)
{
    return ((p & 3) << 3) | (p >> 13);
}

void rv_rvc_init(struct rv_hart *h)
{
    unsigned n = 0;
    for (unsigned b = 0; b < RV_RVC_BUCKETS; b++) {
        uint32_t p = (b >> 3) | ((b & 7) << 13);
        h->rvc_start[b] = (uint8_t)n;
        for (unsigned i = 0; i < RVC_COUNT; i++)
            if (((p ^ rvc_table[i].match) & rvc_table[i].mask & 0xe003) == 0 &&
                n < sizeof h->rvc_list)
                h->rvc_list[n++] = (uint8_t)i;
    }
    h->rvc_start[RV_RVC_BUCKETS] = (uint8_t)n;
}

int rv_rvc_decode(const struct rv_hart *h, uint32_t parcel)
{
    unsigned b = rvc_bucket(parcel);
    for (unsigned k = h->rvc_start[b]; k < h->rvc_start[b + 1]; k++) {
        const struct rvc_info *in = &rvc_table[h->rvc_list[k]];
        if ((parcel & in->mask) == in->match) return h->rvc_list[k];
    }
    return -1;
}

uint32_t rv_rvc_expand(const struct rv_hart *h, uint32_t parcel)
{
    int i = rv_rvc_decode(h, parcel);
    return i < 0 ? 0 : rvc_expand_table[i](parcel);
}
