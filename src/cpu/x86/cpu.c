/* The CPU object, the Multiboot hand-off state, one-instruction step and the run loop. */
#include <inttypes.h>
#include <stdlib.h>

#include "cpu/x86/internal.h"

/* The decoded-instruction cache: decoding depends only on the instruction bytes and the code
 * size, so an entry is reused when the bytes fetched now (through segmentation and paging, as
 * always) equal the ones it was decoded from. Self-modifying code and remapped pages therefore
 * need no invalidation: they fail the comparison and are decoded again. */
struct x86_dcache_entry {
    uint64_t key; /* linear address + 1; 0: empty */
    uint8_t code_bits;
    uint8_t bytes[16];
    uint64_t mask0, mask1; /* which of bytes[0..7] and bytes[8..15] the instruction has */
    /* The fetch checks passed for host (16 bytes in one RAM page) under fetch_gen == gen at
     * privilege user: until the next TLB flush or CS load they need not be repeated. */
    uint64_t gen;
    const uint8_t *host;
    bool user;
    struct x86_insn insn;
};

/* ---- Blocks ------------------------------------------------------------------------------ */

/* A decoded block (events.h "Blocks"): a straight-line run of instructions within one 4 KiB page
 * of linear addresses, decoded once, executed without a fetch per instruction and reported as one
 * EV_BLOCK. Like a decoded entry it is reused while the fetch checks it passed hold (no TLB flush
 * since, the same privilege, code size and CS base, a CS limit that covers it) and its bytes are
 * unchanged: they are compared when it is entered, and a store into them while it runs ends it
 * after the storing instruction, so that the next one is fetched anew (SDM Vol. 3A 8.1.3,
 * "Handling Self- and Cross-Modifying Code"). Blocks are used only when the event stream takes
 * EV_BLOCK; otherwise, and for the instructions a block may not hold, the step runs one
 * instruction at a time.
 *
 * A block has at most EV_BLOCK_INSNS instructions; the timing model replays the blocks it
 * memoized up to 16 instructions long (timing.h TM_BLOCK_INSNS) and prices longer ones one
 * instruction at a time, so blocks end after 16. */
#define X86_BLOCK_INSNS 16
_Static_assert(X86_BLOCK_INSNS <= EV_BLOCK_INSNS, "a block fits an ev_block");

struct x86_block {
    /* What block_at reads, in the first cache line (the array is line-aligned) */
    uint64_t key;        /* linear address + 1; 0: empty */
    uint64_t gen;        /* tlb_gen when its page was found in the fetch TLB */
    const uint8_t *host; /* its first byte, through the fetch TLB */
    uint16_t size;       /* bytes */
    uint16_t accesses;   /* the most EV_MEMs its instructions can emit */
    uint16_t reach;      /* its last instruction's offset + 15: within the CS limit from RIP */
    uint8_t code_bits;
    bool user;
    uint8_t mru; /* the set's first way: the way used last (the other one is replaced) */
    /* block_same's plan for up to 32 bytes: words at 0 and at these offsets, under same_mask */
    uint8_t same_off[3];
    uint64_t same_mask;
    struct ev_block desc; /* n = 0: no block starts here (its first instruction runs alone) */
    uint8_t bytes[X86_BLOCK_INSNS * X86_MAX_INSN_LEN];
    struct x86_insn insn[X86_BLOCK_INSNS];
} __attribute__((aligned(64)));

void x86_set_seg(struct x86_cpu *cpu, enum x86_sreg sreg, uint16_t sel, uint64_t base,
                 uint32_t limit, uint32_t attr)
{
    struct x86_seg *s = &cpu->seg[sreg];
    s->sel = sel;
    s->base = base;
    s->limit = limit;
    s->attr = attr;
    if (sreg == X86_CS) x86_update_mode(cpu);
}

void x86_update_mode(struct x86_cpu *cpu)
{
    cpu->fetch_gen++; /* CS changed: the decoded instructions' fetch checks are redone */
    uint32_t attr = cpu->seg[X86_CS].attr;
    if ((cpu->msr[X86_MSR_EFER] & X86_EFER_LMA) && (attr & X86_SEG_L))
        cpu->code_bits = 64;
    else if ((cpu->cr0 & X86_CR0_PE) && (attr & X86_SEG_DB))
        cpu->code_bits = 32;
    else
        cpu->code_bits = 16;
    cpu->ip_mask = x86_size_mask(cpu->code_bits / 8);
}

/* Flat 4 GiB segments of the Multiboot hand-off (Multiboot spec 3.2): code execute/read and
 * data read/write, both accessed, DPL 0, present, 32-bit, 4 KiB granularity. Selectors as
 * QEMU's Multiboot loader leaves them (0x10 code, 0x18 data). */
#define FLAT_CODE_ATTR (0xbu | X86_SEG_S | X86_SEG_P | X86_SEG_DB | X86_SEG_G)
#define FLAT_DATA_ATTR (0x3u | X86_SEG_S | X86_SEG_P | X86_SEG_DB | X86_SEG_G)

#define X86_BOOT_ESP 0x7c00u

static void x86_run(void *opaque);
static void x86_dump_op(void *opaque, FILE *out)
{
    x86_dump(opaque, out);
}
static void x86_destroy(void *opaque)
{
    struct x86_cpu *cpu = opaque;
    free(cpu->blocks);
    free(cpu->dcache);
    free(cpu);
}

static const struct cpu_ops x86_ops = {
    .name = "x86",
    .run = x86_run,
    .dump = x86_dump_op,
    .destroy = x86_destroy,
    .get_reg = x86_reg_by_name,
    .set_reg = x86_set_reg_by_name,
};

int x86_cpu_attach_vendor(struct machine *m, const struct boot_state *boot,
                          const struct x86_vendor *vendor, char *err, size_t errlen)
{
    struct x86_cpu *cpu = calloc(1, sizeof *cpu);
    struct x86_dcache_entry *dcache = calloc(X86_DCACHE_SIZE, sizeof *dcache);
    struct x86_block *blocks = aligned_alloc(64, X86_BLOCKS * sizeof *blocks);
    if (!cpu || !dcache || !blocks) {
        free(cpu);
        free(dcache);
        free(blocks);
        snprintf(err, errlen, "x86: out of memory");
        return -1;
    }
    memset(blocks, 0, X86_BLOCKS * sizeof *blocks); /* key 0: empty */
    cpu->dcache = dcache;
    cpu->blocks = blocks;
    cpu->fetch_gen = 1; /* entries start with gen 0: never current */
    cpu->tlb_gen = 1;
    cpu->m = m;
    cpu->vendor = vendor ? vendor : &x86_vendor_intel;
    for (unsigned i = 0; i < X86_MSR_COUNT; i++)
        cpu->msr[i] = x86_msr_table[i].reset;
    cpu->cr0 = X86_CR0_PE | X86_CR0_ET;
    cpu->dr6 = X86_DR6_RESET;
    cpu->dr7 = X86_DR7_RESET;
    cpu->rflags = X86_FLAGS_FIXED1; /* IF = 0, VM = 0 */
    cpu->cpl = 0;
    x86_set_seg(cpu, X86_CS, 0x10, 0, 0xffffffffu, FLAT_CODE_ATTR);
    for (unsigned s = 0; s < X86_NSEG; s++)
        if (s != X86_CS) x86_set_seg(cpu, (enum x86_sreg)s, 0x18, 0, 0xffffffffu, FLAT_DATA_ATTR);
    /* GDTR as at reset (SDM Vol. 3A Table 10-1); IDTR with limit 0, so that an exception before
     * the kernel's LIDT ends in a triple fault rather than reading gates from address 0. */
    cpu->gdtr.base = 0;
    cpu->gdtr.limit = 0xffff;
    cpu->idtr.base = 0;
    cpu->idtr.limit = 0;
    cpu->ldtr.attr = X86_SEG_UNUSABLE;
    cpu->tr.limit = 0xffff;
    cpu->tr.attr = 0xbu | X86_SEG_P; /* busy 32-bit TSS */
    cpu->delivering = -1;
    cpu->rip = boot ? boot->entry & 0xffffffffu : 0;
    cpu->gpr[X86_RAX] = boot ? boot->arg0 & 0xffffffffu : 0;
    cpu->gpr[X86_RBX] = boot ? boot->arg1 & 0xffffffffu : 0;
    /* Multiboot leaves ESP undefined ("the OS image must create its own stack as soon as it
     * needs one"); a boot loader always has one, and small test kernels use it (QEMU's
     * option ROM leaves its real-mode stack). Ours is the PC boot-sector stack top, 0x7C00,
     * in conventional memory below the information block. */
    cpu->gpr[X86_RSP] = X86_BOOT_ESP;
    m->cpu = cpu;
    m->cpu_ops = &x86_ops;
    return 0;
}

int x86_cpu_attach(struct machine *m, const struct boot_state *boot, char *err, size_t errlen)
{
    return x86_cpu_attach_vendor(m, boot, &x86_vendor_intel, err, errlen);
}

static inline void retire(struct x86_cpu *cpu, uint8_t len, uint8_t op_class)
{
    struct machine *m = cpu->m;
    machine_retired(m);
    ev_emit_insn(&m->events, cpu->insn_rip, op_class, len, 0);
}

void x86_retire(struct x86_cpu *cpu, uint8_t len, uint8_t op_class)
{
    retire(cpu, len, op_class);
}

/* The first len bytes of a and b (16-byte buffers) are equal: two word compares under a mask,
 * not a library call on the hot path. */
static inline bool same_bytes(const uint8_t *a, const uint8_t *b, unsigned len)
{
    uint64_t a0, a1, b0, b1;
    memcpy(&a0, a, 8);
    memcpy(&a1, a + 8, 8);
    memcpy(&b0, b, 8);
    memcpy(&b1, b + 8, 8);
    uint64_t m0 = len >= 8 ? UINT64_MAX : (1ull << (8 * len)) - 1;
    uint64_t m1 = len <= 8 ? 0 : len >= 16 ? UINT64_MAX : (1ull << (8 * (len - 8))) - 1;
    return (((a0 ^ b0) & m0) | ((a1 ^ b1) & m1)) == 0;
}

/* The entry's instruction bytes equal the 16 at p (under the precomputed masks). */
static inline bool entry_matches(const struct x86_dcache_entry *e, const uint8_t *p)
{
    uint64_t a0, a1, b0, b1;
    memcpy(&a0, e->bytes, 8);
    memcpy(&a1, e->bytes + 8, 8);
    memcpy(&b0, p, 8);
    memcpy(&b1, p + 8, 8);
    return (((a0 ^ b0) & e->mask0) | ((a1 ^ b1) & e->mask1)) == 0;
}

/* The slow path of a step: the full fetch (segment limit, paging, faults) and, when the cached
 * entry does not match the bytes, a decode into it. */
static __attribute__((noinline)) x86_status fetch_decode(struct x86_cpu *cpu,
                                                         struct x86_dcache_entry *e, uint64_t key)
{
    uint8_t bytes[16] = {0};
    x86_status fault;
    unsigned avail = x86_fetch(cpu, bytes, &fault);
    if (e->key == key && e->code_bits == cpu->code_bits && avail >= e->insn.len &&
        same_bytes(e->bytes, bytes, e->insn.len))
        return X86_OK;
    x86_status st = x86_decode(cpu, bytes, avail, fault, &e->insn);
    if (st) {
        e->key = 0;
        return st;
    }
    e->key = key;
    e->code_bits = (uint8_t)cpu->code_bits;
    memcpy(e->bytes, bytes, sizeof e->bytes);
    unsigned len = e->insn.len;
    e->mask0 = len >= 8 ? UINT64_MAX : (1ull << (8 * len)) - 1;
    e->mask1 = len <= 8 ? 0 : len >= 16 ? UINT64_MAX : (1ull << (8 * (len - 8))) - 1;
    return X86_OK;
}

static inline __attribute__((always_inline)) x86_status step(struct x86_cpu *cpu)
{
    uint64_t rip = cpu->rip;
    const struct x86_seg *cs = &cpu->seg[X86_CS];
    cpu->insn_rip = rip;
    cpu->next_rip = rip;
    uint64_t lin = cpu->code_bits == 64 ? rip : (cs->base + rip) & 0xffffffffull;
    uint64_t key = lin + 1;
    struct x86_dcache_entry *e = &cpu->dcache[key % X86_DCACHE_SIZE];
    const struct x86_insn *insn = &e->insn;
    const bool user = cpu->cpl == 3;
    /* The fastest path: the entry's fetch checks still hold (no TLB flush or CS load since), so
     * only the bytes are compared, which keeps self-modifying code and stores to code pages
     * correct without any invalidation. */
    if (e->key != key || e->gen != cpu->fetch_gen || e->user != user ||
        e->code_bits != cpu->code_bits || !entry_matches(e, e->host)) {
        /* The fast path: the bytes at RIP straight from the fetch TLB's host page; the CS limit
         * must allow all 16 (else the full fetch checks it). */
        const uint8_t *host = x86_fetch_host16(cpu, lin);
        bool in_limit = cpu->code_bits == 64 || rip + 15 <= cs->limit;
        if (!host || e->key != key || e->code_bits != cpu->code_bits || !in_limit ||
            !entry_matches(e, host)) {
            x86_status st = fetch_decode(cpu, e, key);
            if (st) return st;
            host = x86_fetch_host16(cpu, lin); /* the full fetch may have filled the TLB */
        }
        e->gen = host && in_limit ? cpu->fetch_gen : 0;
        e->host = host;
        e->user = user;
    }
    /* SDM Vol. 3A 5.9: privileged instructions at CPL > 0 raise #GP(0). */
    if ((insn->flags & XF_PRIV) && cpu->cpl != 0) return X86_TRAP_EC(X86_VEC_GP, 0);
    if (!insn->lazy_ok) x86_flags_sync(cpu); /* the handler reads or writes RFLAGS itself */
    cpu->next_rip = (rip + insn->len) & cpu->ip_mask;
    x86_status st = insn->exec(cpu, insn);
    if (st == X86_OK || st == X86_HALT) {
        cpu->rip = cpu->next_rip;
        retire(cpu, insn->len, insn->op_class);
    } else if (X86_IS_TRAP(st) && (st & X86_TRAP_SOFT_BIT)) {
        /* INT n / INT3 / INTO complete as instructions once their delivery succeeds: then
         * x86_deliver() retires them and saves next_rip. RIP stays here in case delivery faults,
         * which reports the INT instruction itself. */
        cpu->soft_len = insn->len;
        cpu->soft_class = insn->op_class;
    }
    return st;
}

/* ---- Blocks (see struct x86_block) ------------------------------------------------------ */

enum block_role { ROLE_NONE, ROLE_PLAIN, ROLE_LAST };

/* The instructions a block may hold, by the row's handler. Plain ones compute on registers, flags
 * and memory through the data paths: their only events are EV_MEMs, a bounded number of them,
 * and they never change mode, privilege, paging, segments, the interrupt flag or the debug
 * registers, nor do I/O or read guest time. Their faults (#DE, #GP, #SS, #PF, #BR, #UD of LOCK)
 * are ordinary ones. Near control transfers may end a block. Everything else (system
 * instructions, segment loads, far transfers, INT and IRET, CLI/STI/POPF, HLT, IN/OUT, RDTSC,
 * CPUID, REP string instructions...) runs alone through the step. */
static const x86_handler block_plain[] = {
    x86_op_aaa,   x86_op_aad,   x86_op_aam,     x86_op_alu,       x86_op_bswap,
    x86_op_cbw,   x86_op_cmov,  x86_op_cmpxchg, x86_op_cmpxchg8b, x86_op_cwd,
    x86_op_daa,   x86_op_dec,   x86_op_inc,     x86_op_lea,       x86_op_neg,
    x86_op_not,   x86_op_test,  x86_op_xadd,    x86_op_setcc,     x86_op_bsf,
    x86_op_bt,    x86_op_div,   x86_op_idiv,    x86_op_mul,       x86_op_imul1,
    x86_op_imul2, x86_op_imul3, x86_op_shift,   x86_op_shld,      x86_op_flagop,
    x86_op_lahf,  x86_op_sahf,  x86_op_bound,   x86_op_xlat,      x86_op_mov,
    x86_op_movsx, x86_op_movzx, x86_op_xchg,    x86_op_xchg_acc,  x86_op_mov_from_sreg,
    x86_op_nop,   x86_op_enter, x86_op_leave,   x86_op_push,      x86_op_pop,
    x86_op_pusha, x86_op_popa,  x86_op_pushf,   x86_op_push_sreg,
};
static const x86_handler block_string[] = {x86_op_movs, x86_op_cmps, x86_op_stos, x86_op_lods,
                                           x86_op_scas};
static const x86_handler block_last[] = {x86_op_jcc,  x86_op_jcxz, x86_op_jmp,      x86_op_jmp_ind,
                                         x86_op_loop, x86_op_call, x86_op_call_ind, x86_op_ret};

static bool handler_in(x86_handler h, const x86_handler *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == h) return true;
    return false;
}

static enum block_role block_role(const struct x86_insn *insn)
{
    x86_handler h = insn->info->exec;
    if (insn->flags & XF_PRIV) return ROLE_NONE;
    if (handler_in(h, block_plain, sizeof block_plain / sizeof *block_plain)) return ROLE_PLAIN;
    /* REP: as many accesses as the count says */
    if (handler_in(h, block_string, sizeof block_string / sizeof *block_string))
        return insn->rep == REP_NONE ? ROLE_PLAIN : ROLE_NONE;
    if (handler_in(h, block_last, sizeof block_last / sizeof *block_last)) return ROLE_LAST;
    return ROLE_NONE;
}

/* The most EV_MEMs a block instruction emits: an access that crosses a page boundary is two.
 * At most two accesses, except PUSHA/POPA (eight), CMPXCHG16B (four) and ENTER (a frame pointer
 * per nesting level, SDM Vol. 2A ENTER "Operation"). */
static unsigned block_accesses(const struct x86_insn *insn)
{
    x86_handler h = insn->info->exec;
    if (h == x86_op_pusha || h == x86_op_popa) return 2 * 8;
    if (h == x86_op_cmpxchg8b) return 2 * 4;
    if (h == x86_op_enter) return 2 * (2 * (unsigned)(insn->imm2 % 32) + 2);
    return 2 * 2;
}

/* Blocks are kept in sets of two ways, so that two blocks whose addresses meet in one set (a
 * kernel's entry and the user code that calls it) do not evict each other on every pass. */
static inline struct x86_block *block_set(struct x86_cpu *cpu, uint64_t lin)
{
    return &cpu->blocks[2 * (unsigned)((lin ^ lin >> 10) % (X86_BLOCKS / 2))];
}

/* block_same's plan, set when the block is built: the words at 0 and at same_off cover its bytes
 * when it has 8 to 32 of them (the offsets clamped to the last word: some words are compared
 * twice); under 8 bytes, every word is the one at 0 under a mask (the first instruction's 16 bytes
 * lie in the page). Longer blocks compare a word at a time. */
static void block_plan_same(struct x86_block *b)
{
    unsigned size = b->size, last = size >= 8 ? size - 8 : 0;
    for (unsigned j = 0; j < 3; j++)
        b->same_off[j] = (uint8_t)(8 * (j + 1) < last ? 8 * (j + 1) : last);
    b->same_mask = size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

static inline uint64_t word_diff(const uint8_t *p, const uint8_t *q, unsigned off)
{
    uint64_t x, y;
    memcpy(&x, p + off, 8);
    memcpy(&y, q + off, 8);
    return x ^ y;
}

/* The block's bytes are still in memory. Up to 32 bytes: four words by the block's plan, without
 * a loop whose exit depends on the block's size. */
static inline bool block_same(const struct x86_block *b)
{
    const uint8_t *p = b->host, *q = b->bytes;
    unsigned size = b->size;
    if (__builtin_expect(size > 32, 0)) {
        uint64_t diff = word_diff(p, q, size - 8);
        for (unsigned i = 0; i + 8 < size; i += 8)
            diff |= word_diff(p, q, i);
        return diff == 0;
    }
    uint64_t diff = word_diff(p, q, 0) | word_diff(p, q, b->same_off[0]) |
                    word_diff(p, q, b->same_off[1]) | word_diff(p, q, b->same_off[2]);
    return (diff & b->same_mask) == 0;
}

/* Decodes the block at rip (linear address lin) into b. Each instruction passes the checks of
 * the step's fast path: its 16 bytes in the page of the fetch TLB's entry and within the CS
 * limit; RIP does not wrap inside a block. */
static void block_build(struct x86_cpu *cpu, struct x86_block *b, uint64_t rip, uint64_t lin,
                        const uint8_t *host)
{
    /* a queued EV_BLOCK may refer to the descriptor: the subscribers see it first */
    if (b->desc.n) machine_sync(cpu->m);
    const struct x86_seg *cs = &cpu->seg[X86_CS];
    unsigned off = 0, n = 0, accesses = 0;
    while (n < X86_BLOCK_INSNS) {
        if ((lin & 0xfff) + off > 4096 - 16) break;
        if (cpu->code_bits != 64 && (rip + off + 15 > cs->limit || rip + off + 15 > cpu->ip_mask))
            break;
        struct x86_insn *insn = &b->insn[n];
        if (x86_decode(cpu, host + off, X86_MAX_INSN_LEN, X86_TRAP_EC(X86_VEC_GP, 0), insn)) break;
        enum block_role role = block_role(insn);
        if (role == ROLE_NONE) break;
        b->desc.offset[n] = (uint16_t)off;
        b->desc.key[n] = insn->op_class | (uint64_t)insn->len << 16;
        accesses += block_accesses(insn);
        off += insn->len;
        n++;
        if (role == ROLE_LAST) break;
    }
    b->key = lin + 1;
    b->gen = cpu->tlb_gen;
    b->reach = (uint16_t)(n ? b->desc.offset[n - 1] + 15 : 0);
    b->user = cpu->cpl == 3;
    b->code_bits = (uint8_t)cpu->code_bits;
    b->host = host;
    b->size = (uint16_t)off;
    b->accesses = (uint16_t)accesses;
    memcpy(b->bytes, host, off);
    block_plan_same(b);
    b->desc.pc = rip;
    b->desc.id = ++cpu->block_ids; /* the timing model memoizes by descriptor and id */
    b->desc.n = (uint16_t)n;
}

/* b is the block at rip (linear address lin) for the current privilege and code size (with the
 * same linear address and RIP, the same CS base). */
static inline bool block_is(const struct x86_cpu *cpu, const struct x86_block *b, uint64_t rip,
                            uint64_t lin)
{
    return b->key == lin + 1 && b->user == (cpu->cpl == 3) && b->code_bits == cpu->code_bits &&
           b->desc.pc == rip;
}

/* The CS limit covers each instruction's 16 bytes, as for the step's fast path. */
static inline bool block_in_limit(const struct x86_cpu *cpu, const struct x86_block *b,
                                  uint64_t rip)
{
    return cpu->code_bits == 64 || rip + b->reach <= cpu->seg[X86_CS].limit;
}

/* b is the block at RIP and its fetch checks hold. */
static inline bool block_current(const struct x86_cpu *cpu, const struct x86_block *b, uint64_t rip,
                                 uint64_t lin)
{
    return block_is(cpu, b, rip, lin) && b->gen == cpu->tlb_gen && block_in_limit(cpu, b, rip);
}

/* block_at's slow path: the fetch checks again, after a TLB flush or a CS load that moved the
 * limit, or for a block not in the set. A block whose bytes are found unchanged is kept, with its
 * descriptor and id (the timing model's memo of it stays good); else it is decoded again, in its
 * way or in the way used less recently. NULL: the fetch TLB does not hold the page (the step
 * fills it). */
static __attribute__((noinline)) struct x86_block *
block_refresh(struct x86_cpu *cpu, struct x86_block *set, uint64_t rip, uint64_t lin)
{
    const uint8_t *host = x86_fetch_host16(cpu, lin);
    if (!host) return NULL;
    unsigned way = block_is(cpu, &set[0], rip, lin) ? 0 : block_is(cpu, &set[1], rip, lin) ? 1 : 2;
    if (way < 2) {
        struct x86_block *b = &set[way];
        set[0].mru = (uint8_t)way;
        if (block_in_limit(cpu, b, rip)) {
            b->host = host;
            b->gen = cpu->tlb_gen;
            if (block_same(b)) return b;
        }
        block_build(cpu, b, rip, lin, host);
        return b;
    }
    way = !set[0].mru;
    set[0].mru = (uint8_t)way;
    block_build(cpu, &set[way], rip, lin, host);
    return &set[way];
}

/* The linear address of RIP (CS base added outside 64-bit mode). */
static inline uint64_t block_lin(const struct x86_cpu *cpu)
{
    uint64_t rip = cpu->rip;
    return cpu->code_bits == 64 ? rip : (cpu->seg[X86_CS].base + rip) & 0xffffffffull;
}

/* The block at RIP, decoded if it is not current; NULL or n = 0: none starts here. */
static inline struct x86_block *block_at(struct x86_cpu *cpu)
{
    uint64_t rip = cpu->rip, lin = block_lin(cpu);
    struct x86_block *set = block_set(cpu, lin), *b = set;
    if (!block_current(cpu, b, rip, lin)) {
        b = &set[1];
        if (!block_current(cpu, b, rip, lin)) return block_refresh(cpu, set, rip, lin);
    }
    set[0].mru = (uint8_t)(b - set);
    if (!block_same(b)) block_build(cpu, b, rip, lin, b->host); /* the code was written */
    return b;
}

/* Executes the first n instructions of block b as the step would, one EV_BLOCK for them; stops
 * early at a fault (the faulting instruction has not retired: the block is closed before it, so
 * that the exception's events follow its retired part), at an exit request, or after a store into
 * the block's bytes. *retired: the instructions that retired. */
static inline __attribute__((always_inline)) x86_status
block_run(struct x86_cpu *cpu, const struct x86_block *b, unsigned n, unsigned *retired)
{
    struct machine *m = cpu->m;
    uint64_t rip = cpu->rip;
    x86_status st = X86_OK;
    unsigned k = 0;
    code_watch_begin(&cpu->code, b->host, b->size);
    ev_block_open(&m->events, &b->desc, &cpu->insn_rip);
    /* Unrolled: each position in a block calls its handler from a call site of its own, which
     * the host's indirect-branch predictor learns apart. With run_blocks' loop of one block,
     * x86_mips_bench 4% faster; each alone changed nothing (bench/README.md, fifth session). */
#pragma GCC unroll 16
    for (k = 0; k < X86_BLOCK_INSNS; k++) {
        if (k >= n) break;
        const struct x86_insn *insn = &b->insn[k];
        cpu->insn_rip = rip;
        if (!insn->lazy_ok) x86_flags_sync(cpu);
        cpu->next_rip = (rip + insn->len) & cpu->ip_mask;
        st = insn->exec(cpu, insn);
        if (st != X86_OK) break;
        rip = cpu->rip = cpu->next_rip;
        machine_retired(m);
        if (m->exit_request || cpu->code.written) {
            k++;
            break;
        }
    }
    ev_block_close(&m->events, k);
    code_watch_end(&cpu->code);
    *retired = k;
    return st;
}

/* The run loop's steps with blocks: up to n instructions, fewer at a trap, a HLT or an exit
 * request. A block runs whole when the budget and the event queue allow (events.h
 * ev_block_fits), else its instructions are stepped. */
static x86_status run_blocks(struct x86_cpu *cpu, uint64_t n)
{
    struct machine *m = cpu->m;
    const struct x86_block *b = block_at(cpu);
    for (;;) {
        unsigned len = !b ? 0 : b->desc.n < n ? b->desc.n : (unsigned)n;
        bool watched = false;
        x86_status st;
        if (len && ev_block_fits(&m->events, len, b->accesses)) {
            unsigned k;
            st = block_run(cpu, b, len, &k);
            n -= k;
            watched = true;
        } else {
            unsigned k = len ? len : 1;
            do {
                st = step(cpu);
                n--;
            } while (st == X86_OK && --k && !m->exit_request);
        }
        if (st != X86_OK || !n || m->exit_request) return st;
        /* A loop of one block runs again without the lookup: its bytes were watched while it
         * ran, so they are unchanged unless the watch saw a store or a device access (then
         * block_at compares them); its fetch checks are redone, as one of its instructions may
         * have changed them. */
        if (!watched || cpu->rip != b->desc.pc || cpu->code.written ||
            !block_current(cpu, b, cpu->rip, block_lin(cpu)))
            b = block_at(cpu);
    }
}

/* One instruction with the debug features (SDM Vol. 3B 17.3.1): the instruction breakpoints of
 * DR0-DR3 (R/W = 00, enabled in DR7) fault before it unless RF = 1 (DR6.Bn; RF suppresses one
 * instruction and is cleared when an instruction completes); with TF = 1 at its start, a
 * single-step #DB trap follows its completion (DR6.BS), with the next EIP saved. The data and
 * I/O breakpoints its accesses met (R/W = 01, 11, 10: memory.c records them in dbg_hits) are
 * a #DB trap after it completes (17.3.1.2: DR6.Bn, RF does not suppress them), in the same #DB
 * as a single step; an instruction that faults or stops did not complete, and what it met is
 * dropped. The run loop takes this path only when TF, RF or a DR7 enable is set.
 *
 * What the accesses of a delivery met (IDT, GDT and TSS reads, the frame pushes; x86_deliver
 * clears dbg_hits when it starts) is left in dbg_hits: 17.3.1.2 reports a data breakpoint after
 * the instruction that made the access, and for INT n, INT3, INTO and INT1 the delivery is that
 * instruction's execution; an exception's or an external interrupt's delivery is taken the same
 * way, as the TSS T-bit trap is reported after a task switch completes (17.3.1.5). So the run
 * loop reports them as a #DB trap at the boundary after the delivery, before the handler's first
 * instruction (its saved EIP) and before that instruction's breakpoint check: Vol. 3A 6.9 ranks
 * traps on the previous instruction above NMI, maskable interrupts and code-breakpoint faults. A
 * #DB delivery that meets a breakpoint again is followed by another #DB there, one per loop
 * iteration, each taking guest time like any delivery. */
static x86_status debug_step(struct x86_cpu *cpu)
{
    bool tf = cpu->rflags & X86_TF, rf = cpu->rflags & X86_RF;
    if ((cpu->dr7 & X86_DR7_ENABLES) && !(cpu->rflags & X86_RF)) {
        uint64_t lin =
            cpu->code_bits == 64 ? cpu->rip : (cpu->seg[X86_CS].base + cpu->rip) & 0xffffffffull;
        unsigned hits = 0;
        for (unsigned i = 0; i < 4; i++) {
            bool enabled = (cpu->dr7 >> (2 * i)) & 3;
            unsigned rw = (unsigned)(cpu->dr7 >> (16 + 4 * i)) & 3;
            if (enabled && rw == 0 && cpu->dr[i] == lin) hits |= 1u << i;
        }
        if (hits) {
            cpu->dr6 = (cpu->dr6 & ~0xfull) | hits; /* 17.2.3: B0-B3 of this exception */
            return X86_TRAP(X86_VEC_DB);            /* a fault: RIP stays */
        }
    }
    x86_status st = step(cpu);
    if (st != X86_OK && st != X86_HALT) {
        cpu->dbg_hits = 0; /* not completed (x86_deliver clears them too; X86_STOP has none) */
        return st;
    }
    /* 17.3.1.1: RF is cleared once an instruction completes; IRET loads it (the RF it had at
     * the start is what it cleared; an IRET started with RF = 1 is not modelled apart) */
    if (rf) cpu->rflags &= ~(uint64_t)X86_RF;
    if (!tf && !cpu->dbg_hits) return st;
    cpu->dr6 = (cpu->dr6 & ~0xfull) | cpu->dbg_hits | (tf ? X86_DR6_BS : 0);
    cpu->dbg_hits = 0;
    if (st == X86_HALT)
        cpu->halted = false;     /* the trap is taken first; its IRET returns past HLT */
    return X86_TRAP(X86_VEC_DB); /* a trap: RIP is already the next instruction */
}

x86_status x86_step(struct x86_cpu *cpu)
{
    /* x86.h: the breakpoint hits pending at this boundary are its #DB trap, before any
     * instruction (as in the run loop); an instruction that did not complete drops its own. */
    if (cpu->dbg_hits) return x86_dbg_trap(cpu);
    x86_status st = step(cpu);
    if (st != X86_OK && st != X86_HALT) cpu->dbg_hits = 0;
    x86_flags_sync(cpu); /* callers see an architectural RFLAGS */
    return st;
}

/* The run loop (machine.h cpu_ops.run contract). The #DB trap for the breakpoints a delivery's
 * accesses met (debug_step's comment), then external interrupts, are taken at the instruction
 * boundaries where the loop body starts: when run is entered (after a device raised a line:
 * machine_set_irq sets exit_request, which ends the inner loop) and after a trap, a HLT or a
 * batch; STI, POPF and IRET end the batch (x86_intr_window) when INTR is high, so the steps
 * themselves never look at it (SDM Vol. 3A 6.8.1: IF; 6.8.3: the shadow). */
static void x86_run(void *opaque)
{
    struct x86_cpu *cpu = opaque;
    struct machine *m = cpu->m;
    while (m->insns < m->limit_insns && m->time < m->limit_time && !m->exit_request) {
        bool shadowed = false;
        /* What the last delivery's accesses met: a #DB trap after that delivery, before INTR
         * (SDM Vol. 3A 6.9). It may be pending from an earlier run whose limits ended it right
         * after the delivery (INT n retires with its delivery). Checked once per batch. */
        if (cpu->dbg_hits) {
            x86_deliver(cpu, x86_dbg_trap(cpu));
            continue;
        }
        if ((m->irq_lines >> MACHINE_LINE_INTR & 1) && (cpu->rflags & X86_IF) && m->int_ack) {
            if (m->insns >= cpu->shadow_end) {
                int vector = m->int_ack(m->int_dev); /* INTA */
                if (vector >= 0) {
                    x86_deliver(cpu, X86_TRAP_INTR(vector));
                    continue;
                }
            } else {
                shadowed = true; /* one instruction, then sample again */
            }
        }
        if (cpu->halted) {
            /* Nothing pending that can be taken: time passes to the next deadline (a device
             * that may raise a line); with IF = 0 and no deadline the guest can never wake. */
            if (m->limit_time == UINT64_MAX && !(cpu->rflags & X86_IF)) {
                machine_request_stop(m, STOP_FATAL, EXIT_GUEST_FATAL,
                                     "hlt with interrupts disabled at eip %#" PRIx64, cpu->rip);
                return;
            }
            machine_sync(m); /* the model prices what ran before the halt */
            m->time = m->limit_time;
            return;
        }
        /* The limits are fixed during run (machine.h) and a step advances insns and time by
         * one: run the steps both budgets allow without re-reading them. */
        uint64_t n = m->limit_insns - m->insns;
        if (m->limit_time - m->time < n) n = m->limit_time - m->time;
        if (shadowed) n = 1;
        x86_status st;
        if ((cpu->rflags & (X86_TF | X86_RF)) || (cpu->dr7 & X86_DR7_ENABLES)) {
            st = debug_step(cpu);
        } else if (m->events.blocks) {
            st = run_blocks(cpu, n);
        } else {
            do
                st = step(cpu);
            while (st == X86_OK && --n && !m->exit_request);
        }
        /* delivery pushes RFLAGS, and the run loop's callers read it */
        x86_flags_sync(cpu);
        if (st == X86_OK) continue;
        if (st == X86_HALT)
            cpu->halted = true;
        else if (X86_IS_TRAP(st))
            x86_deliver(cpu, st);
    }
}

static const char *const sreg_names[X86_NSEG] = {"es", "cs", "ss", "ds", "fs", "gs"};
static const char *const gpr_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

void x86_dump(struct x86_cpu *cpu, FILE *out)
{
    fprintf(out, "x86 %s, %u-bit code, cpl %u%s\n", cpu->vendor->name, cpu->code_bits, cpu->cpl,
            cpu->halted ? ", halted" : "");
    unsigned n = cpu->code_bits == 64 ? 16 : 8;
    for (unsigned i = 0; i < n; i++)
        fprintf(out, "%s=%016" PRIx64 "%s", gpr_names[i], cpu->gpr[i], i % 4 == 3 ? "\n" : " ");
    fprintf(out, "rip=%016" PRIx64 " rflags=%08" PRIx64 "\n", cpu->rip, cpu->rflags);
    for (unsigned s = 0; s < X86_NSEG; s++)
        fprintf(out, "%s=%04x base=%016" PRIx64 " limit=%08x attr=%05x\n", sreg_names[s],
                cpu->seg[s].sel, cpu->seg[s].base, cpu->seg[s].limit, cpu->seg[s].attr);
    fprintf(
        out, "ldtr=%04x base=%016" PRIx64 " limit=%08x  tr=%04x base=%016" PRIx64 " limit=%08x\n",
        cpu->ldtr.sel, cpu->ldtr.base, cpu->ldtr.limit, cpu->tr.sel, cpu->tr.base, cpu->tr.limit);
    fprintf(out, "gdtr=%016" PRIx64 "/%04x idtr=%016" PRIx64 "/%04x\n", cpu->gdtr.base,
            cpu->gdtr.limit, cpu->idtr.base, cpu->idtr.limit);
    fprintf(out,
            "cr0=%08" PRIx64 " cr2=%016" PRIx64 " cr3=%016" PRIx64 " cr4=%08" PRIx64
            " efer=%" PRIx64 "\n",
            cpu->cr0, cpu->cr2, cpu->cr3, cpu->cr4, cpu->msr[X86_MSR_EFER]);
    x86_dump_pending(cpu, out);
}

void x86_dump_pending(const struct x86_cpu *cpu, FILE *out)
{
    if (!cpu->dbg_hits) return;
    fprintf(out, "pending #DB before the next instruction: data/I/O breakpoint");
    for (unsigned n = 0; n < 4; n++)
        if (cpu->dbg_hits >> n & 1) fprintf(out, " B%u", n);
    fprintf(out, "\n");
}

const char *x86_vector_name(unsigned vector)
{
    static const char *const names[32] = {
        [0] = "#DE",  [1] = "#DB",  [2] = "NMI",  [3] = "#BP",  [4] = "#OF",  [5] = "#BR",
        [6] = "#UD",  [7] = "#NM",  [8] = "#DF",  [10] = "#TS", [11] = "#NP", [12] = "#SS",
        [13] = "#GP", [14] = "#PF", [16] = "#MF", [17] = "#AC", [18] = "#MC", [19] = "#XM",
    };
    return vector < 32 && names[vector] ? names[vector] : "int";
}
