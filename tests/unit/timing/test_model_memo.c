/* The timing model's shortcuts price exactly what the plain computation prices:
 *   blocks      batches of events (events.h "Batches") priced in straight-line blocks and
 *               replayed from the block memo (model.c run_block), against the reference fed one
 *               event at a time, on the same streams; compared whenever a batch was handed over
 *   core blocks the same streams reported as a core reports its decoded blocks (events.h
 *               "Blocks": EV_BLOCK, open blocks handed over in parts, blocks left early, code
 *               rewritten under a block, single EV_INSNs in between), priced by model.c
 *               run_desc
 *   memo        the per-instruction static info (class costs, pipes, registers, branch kind,
 *               refill) memoized by pc and checked by word and class, against a model that
 *               computes it afresh for every instruction (tm_model.memo_off), on long
 *               pseudo-random RISC-V and x86 event streams: loops, jumps, a word rewritten at the
 *               same pc (self-modifying code), memory accesses, CSR writes, traps, and pcs whose
 *               memo slots collide; guest time after every event and every counter must agree
 *   cache       tm_cache_access_fast (the inline last-block and hint hits) against
 *               tm_cache_access on the same address stream: the same hit/miss answers and the
 *               same contents, with flushes in between
 * tests/e2e/model_cycles.sh checks whole runs against cycle totals recorded before the shortcuts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/riscv/riscv.h"
#include "timing/timing.h"

struct fx {
    struct machine m;
    struct tm_model md;
};

/* How a fixture's model gets its events. */
enum mode {
    SINGLE,     /* one event at a time, memoized static info */
    REFERENCE,  /* one event at a time, everything computed afresh (memo_off) */
    BLOCKS,     /* tm_model_attach, batches priced in blocks */
    CORE_BLOCKS /* as ringside runs it: BLOCKS, and the instructions come as EV_BLOCK */
};

/* A core that reports its instructions as blocks (events.h "Blocks"): a block is up to 4
 * instructions straight on within 64 bytes, built from the code as it is when the block starts
 * (key_at), rebuilt with a new id when the code changed; the stream may leave it early. */
enum { CORE_DESCS = 1024, CORE_BLOCK = 4 };
struct core {
    bool on;
    struct ev_block desc[CORE_DESCS];
    uint32_t ids;
    struct ev_block *open; /* the block being executed, k of its instructions retired */
    bool alone;            /* the next instruction runs alone (a REP string instruction) */
    unsigned k;
    uint64_t pc; /* the current instruction's address (the stream's open_pc) */
    uint64_t (*key_at)(uint64_t pc);
};
static struct core core;

static void fx_init(struct fx *f, const struct tm_profile *p, enum mode mode)
{
    memset(f, 0, sizeof *f);
    if (mode != REFERENCE) memset(&core, 0, sizeof core); /* the fixture under test's */
    if (mode == CORE_BLOCKS) {
        core.on = true;
        mode = BLOCKS;
    }
    ev_stream_init(&f->m.events);
    f->m.arch = p->arch;
    f->m.limit_time = UINT64_MAX;
    f->m.events.clock = &f->m.time;
    f->m.events.clock_limit = &f->m.limit_time;
    if (mode == BLOCKS) {
        assert_int_equal(tm_model_attach(&f->md, p, &f->m), 0);
        return;
    }
    assert_int_equal(tm_model_init(&f->md, p, &f->m), 0);
    f->md.memo_off = mode == REFERENCE;
    assert_true(ev_subscribe(&f->m.events, EV_MASK_ALL, tm_model_event, &f->md) >= 0);
}

static uint64_t rng_state;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

/* Feeds e to both models (with the core's tick where the core ticks) and compares them: after
 * every event, or when a's events are batched, whenever a has priced them (a batch handed over)
 * and every 997 events (a's queue handed over first, as reading guest time does). */
/* The core retires the instruction of e (its EV_MEMs are queued already). */
static void core_retire(struct machine *m, const struct ev *e)
{
    uint64_t key = ev_insn_key(e);
    if (core.open &&
        (core.open->pc + core.open->offset[core.k] != e->pc || core.open->key[core.k] != key)) {
        ev_block_close(&m->events, core.k); /* left early */
        core.open = NULL;
    }
    if (!core.open && (core.alone || rnd() % 8 == 0)) { /* runs alone: an EV_INSN */
        core.alone = false;
        m->insns++;
        m->time++;
        ev_emit_insn(&m->events, e->pc, e->insn.op_class, e->insn.len, e->insn.raw);
        return;
    }
    if (!core.open) {
        struct ev_block *d = &core.desc[(e->pc >> 1) % CORE_DESCS];
        bool same = d->pc == e->pc && d->n;
        uint64_t pc = e->pc;
        for (unsigned k = 0; same && k < d->n; k++, pc += (uint8_t)(d->key[k - 1] >> 16))
            same = d->key[k] == core.key_at(pc);
        if (!same) {
            machine_sync(m); /* no queued EV_BLOCK may point at it */
            d->pc = pc = e->pc;
            d->id = ++core.ids;
            d->n = 0;
            do {
                d->offset[d->n] = (uint16_t)(pc - d->pc);
                d->key[d->n] = core.key_at(pc);
                pc += (uint8_t)(d->key[d->n++] >> 16);
            } while (d->n < CORE_BLOCK && pc / 64 == d->pc / 64);
        }
        assert_true(ev_block_fits(&m->events, d->n, 2 * d->n));
        core.open = d;
        core.k = 0;
        ev_block_open(&m->events, d, &core.pc);
    }
    m->insns++;
    m->time++;
    if (++core.k == core.open->n) {
        ev_block_close(&m->events, core.k);
        core.open = NULL;
    } else {
        core.pc = core.open->pc + core.open->offset[core.k];
    }
}

static unsigned long fed;
static void both(struct fx *a, struct fx *b, const struct ev *e, bool tick_before)
{
    struct fx *f[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        if (i == 0 && core.on && e->kind == EV_INSN) {
            core_retire(&a->m, e);
            continue;
        }
        if (i == 0 && core.on) {
            /* a real core ends its block at the branch: here the stream's jump shows now */
            if (core.open && core.open->pc + core.open->offset[core.k] != e->pc) {
                ev_block_close(&a->m.events, core.k);
                core.open = NULL;
            }
            core.pc = e->pc; /* the instruction executing */
        }
        if (tick_before) {
            f[i]->m.insns++;
            f[i]->m.time++;
        }
        if (e->kind == EV_INSN)
            ev_emit_insn(&f[i]->m.events, e->pc, e->insn.op_class, e->insn.len, e->insn.raw);
        else if (e->kind == EV_MEM)
            ev_emit_mem(&f[i]->m.events, e->pc, e->mem.vaddr, e->mem.paddr, e->mem.size,
                        e->mem.type);
        else
            ev_emit(&f[i]->m.events, e);
    }
    if (++fed % 997 == 0) machine_sync(&a->m);
    if (ev_pending(&a->m.events)) return;
    assert_int_equal(a->m.time, b->m.time);
    assert_int_equal(a->md.t_guest, b->md.t_guest);
}

static void compare_end(struct fx *a, struct fx *b)
{
    if (core.open) ev_block_close(&a->m.events, core.k);
    core.open = NULL;
    machine_sync(&a->m);
    assert_int_equal(a->m.time, b->m.time);
    assert_int_equal(a->md.t_guest, b->md.t_guest);
    assert_int_equal(a->m.events.batch_overruns, 0);
    if (a->md.blocks && a->m.events.batched) /* the blocks were replayed, not only priced */
        assert_true(a->md.block_hits > 1000);
    assert_memory_equal(&a->md.st, &b->md.st, sizeof a->md.st);
    assert_int_equal(a->md.horizon, b->md.horizon);
    tm_model_destroy(&a->md);
    tm_model_destroy(&b->md);
}

/* A valid word of a random RISC-V instruction (its fixed bits from the decoder's table). */
static uint32_t random_rv_word(uint16_t *op_class)
{
    const struct rv_insn_info *in = &rv_insn_table[rnd() % RV_INSN_COUNT];
    *op_class = in->op_class;
    return in->match | (rnd() & ~in->mask);
}

enum { RV_CODE = 3072 }; /* 12 KiB of code: memo slots (by pc) collide */
static uint32_t rv_word[RV_CODE];
static uint16_t rv_cls[RV_CODE];

static uint64_t rv_key_at(uint64_t pc)
{
    unsigned i = (unsigned)((pc - 0x80000000u) / 4 % RV_CODE);
    return rv_cls[i] | 4ull << 16 | (uint64_t)rv_word[i] << 32;
}

static void riscv_stream(const struct tm_profile *p, enum mode mode)
{
    static struct fx a, b;
    fx_init(&a, p, mode);
    fx_init(&b, p, REFERENCE);
    core.key_at = rv_key_at;
    for (unsigned i = 0; i < RV_CODE; i++)
        rv_word[i] = random_rv_word(&rv_cls[i]);
    uint64_t base = 0x80000000u, idx = 0;
    for (unsigned n = 0; n < 300000; n++) {
        unsigned r = rnd() % 1000;
        if (r < 5) { /* self-modifying code: a new rv_word at this pc */
            rv_word[idx] = random_rv_word(&rv_cls[idx]);
        } else if (r < 7) { /* a CSR write (serializes), sometimes satp: paging on or off */
            struct ev e = {.kind = EV_SYSREG, .pc = base + 4 * idx};
            e.sysreg.space = EV_SYSREG_CSR;
            e.sysreg.number = (rnd() & 1) ? RV_CSR_satp : RV_CSR_sscratch;
            e.sysreg.new_value = (rnd() & 1) ? (8ull << 60 | (uint64_t)(rnd() & 3) << 44) : 0;
            both(&a, &b, &e, false);
        } else if (r < 9) { /* a trap to S and back to U */
            struct ev e = {.kind = EV_EXCEPTION, .pc = base + 4 * idx};
            e.exception.vector = 8;
            both(&a, &b, &e, false);
            a.m.time++, b.m.time++; /* the RISC-V core ticks after EV_EXCEPTION */
            struct ev pv = {.kind = EV_PRIV, .pc = base + 4 * idx};
            pv.priv.from = 0;
            pv.priv.to = (rnd() & 1) ? 1 : 0;
            both(&a, &b, &pv, false);
        }
        if (rv_cls[idx] == RV_OPC_LOAD || rv_cls[idx] == RV_OPC_STORE ||
            rv_cls[idx] == RV_OPC_ATOMIC) {
            struct ev e = {.kind = EV_MEM, .pc = base + 4 * idx};
            e.mem.vaddr = e.mem.paddr = base + 0x100000 + (rnd() % 65536) * 8;
            e.mem.size = 8;
            e.mem.type = rv_cls[idx] == RV_OPC_LOAD ? EV_MEM_READ : EV_MEM_WRITE;
            both(&a, &b, &e, false);
        }
        struct ev e = {.kind = EV_INSN, .pc = base + 4 * idx};
        e.insn.op_class = rv_cls[idx];
        e.insn.len = 4;
        e.insn.raw = rv_word[idx];
        both(&a, &b, &e, true);
        /* next pc: mostly straight on in a loop of 64, sometimes a jump anywhere */
        r = rnd() % 100;
        if (r < 3)
            idx = rnd() % RV_CODE;
        else if (r < 30)
            idx = idx & ~63ull;
        else
            idx = (idx + 1) % RV_CODE;
    }
    compare_end(&a, &b);
}

static void riscv_memo_prices_like_the_reference(void **state)
{
    (void)state;
    rng_state = 0x9e3779b97f4a7c15ull;
    riscv_stream(&tm_profile_u74, SINGLE);
    riscv_stream(&tm_profile_rocket, SINGLE);
}

/* Batches and blocks (model.c run_block) against the reference, on the same streams. */
static void riscv_blocks_price_like_the_reference(void **state)
{
    (void)state;
    rng_state = 0x9e3779b97f4a7c15ull;
    riscv_stream(&tm_profile_u74, BLOCKS);
    riscv_stream(&tm_profile_rocket, BLOCKS);
}

enum { X86_CODE = 4096 };
static uint16_t x86_cls[X86_CODE];
static uint8_t x86_len[X86_CODE];

static uint64_t x86_key_at(uint64_t pc)
{
    unsigned i = (unsigned)(pc % X86_CODE);
    return x86_cls[i] | (uint64_t)x86_len[i] << 16;
}

static void x86_stream(const struct tm_profile *p, enum mode mode)
{
    static struct fx a, b;
    fx_init(&a, p, mode);
    fx_init(&b, p, REFERENCE);
    core.key_at = x86_key_at;
    for (unsigned i = 0; i < X86_CODE; i++) {
        x86_cls[i] = (uint16_t)(rnd() % 40); /* some beyond the profile's classes */
        x86_len[i] = (uint8_t)(1 + rnd() % 15);
    }
    uint64_t pc = 0x100000;
    for (unsigned n = 0; n < 300000; n++) {
        unsigned i = (unsigned)(pc % X86_CODE);
        if (rnd() % 1000 < 5) x86_cls[i] = (uint16_t)(rnd() % 40); /* new code at this address */
        if (rnd() % 4 == 0) {
            struct ev e = {.kind = EV_MEM, .pc = pc};
            e.mem.vaddr = e.mem.paddr = 0x200000 + (rnd() % 16384) * 4;
            e.mem.size = 4;
            e.mem.type = (rnd() & 1) ? EV_MEM_READ : EV_MEM_WRITE;
            both(&a, &b, &e, false);
        } else if (rnd() % 2000 == 0) {
            /* a REP string instruction: hundreds of accesses, more than a batch holds, before
             * its one EV_INSN; a core runs it alone, outside any block */
            if (core.on && core.open) {
                ev_block_close(&a.m.events, core.k);
                core.open = NULL;
            }
            core.alone = core.on;
            for (unsigned r = 0; r < 700; r++) {
                struct ev e = {.kind = EV_MEM, .pc = pc};
                e.mem.vaddr = e.mem.paddr = 0x200000 + (uint64_t)r * 4;
                e.mem.size = 4;
                e.mem.type = r & 1 ? EV_MEM_WRITE : EV_MEM_READ;
                both(&a, &b, &e, false);
            }
        }
        struct ev e = {.kind = EV_INSN, .pc = pc};
        e.insn.op_class = x86_cls[i];
        e.insn.len = x86_len[i];
        both(&a, &b, &e, true);
        unsigned r = rnd() % 100;
        if (r < 5)
            pc = 0x100000 + rnd() % X86_CODE;
        else if (r < 30)
            pc = 0x100000 + (pc & ~127ull) % X86_CODE;
        else
            pc += x86_len[i];
    }
    compare_end(&a, &b);
}

static void x86_memo_prices_like_the_reference(void **state)
{
    (void)state;
    rng_state = 0x243f6a8885a308d3ull;
    x86_stream(&tm_profile_intel, SINGLE);
    x86_stream(&tm_profile_amd, SINGLE);
}

static void x86_blocks_price_like_the_reference(void **state)
{
    (void)state;
    rng_state = 0x243f6a8885a308d3ull;
    x86_stream(&tm_profile_intel, BLOCKS);
    x86_stream(&tm_profile_amd, BLOCKS);
}

/* EV_BLOCK (model.c run_desc) against the reference, on the same streams. */
static void riscv_core_blocks_price_like_the_reference(void **state)
{
    (void)state;
    rng_state = 0x9e3779b97f4a7c15ull;
    riscv_stream(&tm_profile_u74, CORE_BLOCKS);
    riscv_stream(&tm_profile_rocket, CORE_BLOCKS);
}

static void x86_core_blocks_price_like_the_reference(void **state)
{
    (void)state;
    rng_state = 0x243f6a8885a308d3ull;
    x86_stream(&tm_profile_intel, CORE_BLOCKS);
    x86_stream(&tm_profile_amd, CORE_BLOCKS);
}

static void cache_fast_path_answers_like_the_full_lookup(void **state)
{
    (void)state;
    rng_state = 0x13198a2e03707344ull;
    static const struct {
        uint32_t size, ways, line;
    } geoms[] = {{32 * 1024, 2, 64}, {40 * 4096, 40, 4096}, {512 * 4096, 1, 4096}, {0, 0, 0}};
    for (unsigned g = 0; g < sizeof geoms / sizeof geoms[0]; g++) {
        struct tm_cache fast, full;
        assert_int_equal(tm_cache_init(&fast, geoms[g].size, geoms[g].ways, geoms[g].line), 0);
        assert_int_equal(tm_cache_init(&full, geoms[g].size, geoms[g].ways, geoms[g].line), 0);
        for (unsigned n = 0; n < 200000; n++) {
            unsigned r = rnd() % 1000;
            if (r == 0) {
                tm_cache_flush(&fast, UINT64_MAX, UINT32_MAX);
                tm_cache_flush(&full, UINT64_MAX, UINT32_MAX);
            } else if (r < 3) {
                uint64_t a = (uint64_t)(rnd() % 4096) << 12;
                tm_cache_flush(&fast, a, r == 1 ? UINT32_MAX : 1);
                tm_cache_flush(&full, a, r == 1 ? UINT32_MAX : 1);
            }
            /* mostly a few hot blocks, sometimes anywhere in 16 MiB */
            uint64_t addr = (rnd() % 4) ? (uint64_t)(rnd() % 8) * 4096 + (rnd() % 256) * 16
                                        : (uint64_t)(rnd() % (16u << 20));
            uint32_t asid = rnd() % 3;
            assert_int_equal(tm_cache_access_fast(&fast, addr, asid),
                             tm_cache_access(&full, addr, asid));
        }
        size_t slots = (size_t)fast.sets * fast.ways;
        if (slots) assert_memory_equal(fast.tag, full.tag, slots * sizeof *fast.tag);
        assert_int_equal(fast.hits, full.hits);
        assert_int_equal(fast.misses, full.misses);
        tm_cache_free(&fast);
        tm_cache_free(&full);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(riscv_memo_prices_like_the_reference),
        cmocka_unit_test(x86_memo_prices_like_the_reference),
        cmocka_unit_test(riscv_blocks_price_like_the_reference),
        cmocka_unit_test(x86_blocks_price_like_the_reference),
        cmocka_unit_test(riscv_core_blocks_price_like_the_reference),
        cmocka_unit_test(x86_core_blocks_price_like_the_reference),
        cmocka_unit_test(cache_fast_path_answers_like_the_full_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
