/* Decoded blocks (riscv.h struct rv_block; design.md "Speed"): the run loop executes a block's
 * decoded instructions one after another without fetching each, and hands the timing model the
 * block as one EV_BLOCK (events.h "Blocks").
 *
 * A block ends after a branch or jump (its last instruction may change the pc), and before an
 * instruction that must run alone: CSR instructions, SYSTEM (ecall, ebreak, xRET, wfi,
 * sfence.vma) and fences, which may change the privilege, translation, interrupt enables or what
 * is fetched (the run loop looks for interrupts only after them). Every other instruction
 * continues at pc + its length or traps; a trap ends the block at that instruction.
 *
 * Coherence: a block is used only while the bytes at its address equal the bytes it was decoded
 * from, checked when it is entered; a store into its own bytes while it runs (or a device
 * access, which may write RAM) ends it after that instruction. So a block runs exactly what one
 * step at a time runs, which re-checks every instruction's bytes, even for code that stores to
 * the instructions ahead without FENCE.I (which Zifencei, unpriv. spec 3.1, would allow to see
 * the old bytes): `ringside run` and the monitor agree. */
#include <string.h>

#include "cpu/riscv/internal.h"

/* The EV_MEMs an instruction can emit: an access crossing a page is two, an AMO a load and a
 * store (mem.c). */
static unsigned accesses_of(const struct rv_dinsn *d)
{
    bool memory =
        d->op_class == RV_OPC_LOAD || d->op_class == RV_OPC_STORE || d->op_class == RV_OPC_ATOMIC;
    return memory ? 2 : 0;
}

static bool runs_alone(const struct rv_dinsn *d)
{
    return d->op_class == RV_OPC_CSR || d->op_class == RV_OPC_SYSTEM || d->op_class == RV_OPC_FENCE;
}

static bool ends_block(const struct rv_dinsn *d)
{
    return d->op_class == RV_OPC_BRANCH || d->op_class == RV_OPC_JUMP;
}

struct rv_block *rv_block_build(struct rv_hart *h, uint64_t pc, struct rv_block *b)
{
    /* No queued EV_BLOCK may refer to the slot's old block while it changes. */
    machine_sync(h->m);
    uint32_t saved_raw = h->insn_raw;
    unsigned off0 = (unsigned)(pc & 0xfff), off = off0, n = 0, accesses = 0;
    const uint8_t *page = h->fetch_host;
    b->paddr = h->fetch_ppage | off0;
    b->ev.pc = pc;
    b->ev.id = ++h->block_ids;
    /* An instruction within the page's last 4 bytes may cross it: the fetch path's. */
    while (n < RV_BLOCK_INSNS && off <= 0xffc) {
        uint32_t raw;
        memcpy(&raw, page + off, 4);
        struct rv_dinsn *d = &b->insn[n];
        if (rv_decode_into(h, h->fetch_ppage | off, raw, d) < 0 || runs_alone(d)) break;
        b->ev.offset[n] = (uint16_t)(off - off0);
        b->ev.key[n] = d->op_class | (uint64_t)d->len << 16 | (uint64_t)d->word << 32;
        accesses += accesses_of(d);
        off += d->len;
        n++;
        if (ends_block(d)) break;
    }
    b->ev.n = (uint16_t)n;
    b->accesses = (uint8_t)accesses;
    /* Without instructions, the bytes of the one that runs alone: the slot says so until they
     * change. */
    if (!n && off0 <= 0xffc) off = off0 + ((page[off0] & 3) == 3 ? 4 : 2);
    b->bytes = (uint16_t)(off - off0);
    memcpy(b->code, page + off0, b->bytes);
    h->insn_raw = saved_raw;
    return b;
}
