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
