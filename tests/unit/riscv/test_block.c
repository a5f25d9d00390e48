/* Decoded blocks (src/cpu/riscv/block.c, events.h "Blocks"): the run loop executes a block's
 * instructions without fetching each and reports them as one EV_BLOCK when every subscriber of
 * instructions takes blocks. Whatever a block does, the architectural outcome and the stream of
 * instructions and accesses are those of one step at a time: registers, memory, pc, counters,
 * the trap taken (priv. spec 3.1.15-3.1.16) and the budget met exactly. A store into a block's
 * own code is seen once FENCE.I has run (unpriv. spec 3.1, "Zifencei"). */
#include "riscv/helpers.h"

#define DATA    (RVT_BASE + 0x8000)
#define HANDLER (RVT_BASE + 0x400)

/* What a subscriber saw: the address of every retired instruction (an EV_BLOCK's instructions
 * one by one), and every access. */
struct seen {
    unsigned ninsn, nmem, blocks;
    uint64_t insn[4096];
    uint64_t mem[4096]; /* vaddr, with the type in the low bits' place above 2^60 */
};

static void see(struct seen *s, const struct ev *e)
{
    if (e->kind == EV_INSN) {
        assert_true(s->ninsn < 4096);
        s->insn[s->ninsn++] = e->pc;
    } else if (e->kind == EV_BLOCK) {
        const struct ev_block *d = e->block.desc;
        s->blocks++;
        for (unsigned k = e->block.first; k < e->block.first + e->block.n; k++) {
            assert_true(s->ninsn < 4096);
            s->insn[s->ninsn++] = d->pc + d->offset[k];
        }
    } else if (e->kind == EV_MEM) {
        assert_true(s->nmem < 4096);
        s->mem[s->nmem++] = e->mem.vaddr | (uint64_t)e->mem.type << 60;
    }
}
static void one(void *opaque, const struct ev *e)
{
    see(opaque, e);
}
static void many(void *opaque, struct ev *events, unsigned n, unsigned insns)
{
    (void)insns;
    for (unsigned i = 0; i < n; i++)
        see(opaque, &events[i]);
}

/* A second machine like the fixture's, for the run one step at a time. */
struct pair {
    struct rvt *blk, *one;
    struct seen seen_blk, seen_one;
};

static void pair_init(struct pair *p, struct rvt *t)
{
    void *other;
    assert_int_equal(rvt_setup(&other), 0);
    p->blk = t;
    p->one = other;
    memset(&p->seen_blk, 0, sizeof p->seen_blk);
    memset(&p->seen_one, 0, sizeof p->seen_one);
    uint32_t mask = EV_MASK(EV_INSN) | EV_MASK(EV_BLOCK) | EV_MASK(EV_MEM);
    assert_true(ev_subscribe_batch(&t->m.events, mask, one, many, &p->seen_blk) >= 0);
    assert_true(ev_subscribe(&p->one->m.events, mask, one, &p->seen_one) >= 0);
    assert_true(t->m.events.blocks);
    assert_false(p->one->m.events.blocks);
    for (int i = 0; i < 2; i++) {
        struct rvt *r = i ? p->one : p->blk;
        r->m.cpu = r->h;
        r->m.cpu_ops = &rv_cpu_ops;
        r->h->x[5] = DATA; /* t0 */
    }
}

static void pair_prog(struct pair *p, uint64_t pc, const uint32_t *words, size_t n)
{
    rvt_prog(p->blk, pc, words, n);
    rvt_prog(p->one, pc, words, n);
}

/* Runs both for at most max instructions, then compares them. */
static void pair_run_and_compare(struct pair *p, uint64_t max)
{
    for (int i = 0; i < 2; i++) {
        struct rvt *r = i ? p->one : p->blk;
        r->m.stop.reason = STOP_NONE;
        r->m.max_insns = max;
        machine_run(&r->m);
    }
    struct rvt *a = p->blk, *b = p->one;
    assert_int_equal(a->m.stop.reason, b->m.stop.reason);
    assert_int_equal(a->m.insns, b->m.insns);
    assert_int_equal(a->m.time, b->m.time);
    assert_int_equal(a->h->pc, b->h->pc);
    assert_memory_equal(a->h->x, b->h->x, sizeof a->h->x);
    static const unsigned csrs[] = {RV_CSR_mepc, RV_CSR_mcause, RV_CSR_mtval, RV_CSR_minstret};
    for (unsigned i = 0; i < sizeof csrs / sizeof csrs[0]; i++)
        assert_int_equal(rvt_csr(a, csrs[i]), rvt_csr(b, csrs[i]));
    assert_int_equal(rvt_get64(a, DATA), rvt_get64(b, DATA));
    assert_int_equal(rvt_get64(a, DATA + 8), rvt_get64(b, DATA + 8));
    machine_sync(&a->m);
    assert_int_equal(p->seen_blk.ninsn, p->seen_one.ninsn);
    assert_memory_equal(p->seen_blk.insn, p->seen_one.insn, p->seen_blk.ninsn * sizeof(uint64_t));
    assert_int_equal(p->seen_blk.nmem, p->seen_one.nmem);
    assert_memory_equal(p->seen_blk.mem, p->seen_one.mem, p->seen_blk.nmem * sizeof(uint64_t));
    assert_int_equal(a->m.events.count[EV_INSN], b->m.events.count[EV_INSN]);
    assert_int_equal(a->m.events.count[EV_INSN], a->m.insns);
}

static void pair_free(struct pair *p)
{
    void *other = p->one;
    rvt_teardown(&other);
}

/* t0 = DATA; 20 times: load, add, store, count down; then j . */
static void put_loop(struct pair *p)
{
    const uint32_t loop[] = {
        ADDI(6, 0, 20),                /* t1 = 20 */
        NOP,                           /* t0 = DATA (pair_init) */
        rvt_i(0, 5, 3, 7, OP_LOAD),    /* 8: ld t2, 0(t0) */
        ADDI(7, 7, 3),                 /* addi t2, t2, 3 */
        rvt_s(0, 7, 5, 3, OP_STORE),   /* sd t2, 0(t0) */
        rvt_r(0, 6, 7, 0, 28, OP_REG), /* add t3, t2, t1 */
        rvt_s(8, 28, 5, 3, OP_STORE),  /* sd t3, 8(t0) */
        ADDI(6, 6, -1),                /* addi t1, t1, -1 */
        rvt_b(-24, 0, 6, 1),           /* bne t1, zero, 8 */
        rvt_j(0, 0),                   /* j . */
    };
    pair_prog(p, RVT_BASE, loop, sizeof loop / sizeof loop[0]);
}

/* A loop run as blocks: the same outcome and the same instructions and accesses, in order. */
static void blocks_run_like_steps(void **state)
{
    struct pair p;
    pair_init(&p, *state);
    put_loop(&p);
    pair_run_and_compare(&p, 2 + 7 * 20 + 5);
    assert_int_equal(rvt_get64(p.blk, DATA), 60);
    assert_true(p.seen_blk.blocks >= 19); /* the loop body, once per pass after the first */
    pair_free(&p);
}

/* The budget ends a run in the middle of the loop body: a block that does not fit is stepped. */
static void budget_ends_inside_a_block(void **state)
{
    struct pair p;
    pair_init(&p, *state);
    put_loop(&p);
    for (uint64_t max = 30; max < 60; max += 3)
        pair_run_and_compare(&p, max);
    pair_free(&p);
}

/* A load faulting in the middle of a block (priv. spec 3.1.15: access fault, mtval the
 * address): the instructions before it retired, it did not, the handler runs. */
static void trap_inside_a_block(void **state)
{
    struct pair p;
    pair_init(&p, *state);
    const uint32_t prog[] = {
        ADDI(6, 0, 5),                /* t1 = 5 */
        ADDI(7, 0, 1),                /* 4: t2 = 1 */
        ADDI(28, 0, -1),              /* t3 = -1: an address with no memory */
        ADDI(7, 7, 1),                /* t2 = 2 */
        rvt_i(0, 28, 3, 29, OP_LOAD), /* ld t4, 0(t3): faults */
        ADDI(7, 7, 100),              /* not reached */
        rvt_j(0, 0),
    };
    pair_prog(&p, RVT_BASE, prog, sizeof prog / sizeof prog[0]);
    /* the handler counts in t5 and returns after the load */
    const uint32_t handler[] = {
        ADDI(30, 30, 1),
        CSRRS(31, RV_CSR_mepc, 0),
        ADDI(31, 31, 4),
        CSRRW(0, RV_CSR_mepc, 31),
        MRET,
    };
    pair_prog(&p, HANDLER, handler, sizeof handler / sizeof handler[0]);
    rvt_set_csr(p.blk, RV_CSR_mtvec, HANDLER);
    rvt_set_csr(p.one, RV_CSR_mtvec, HANDLER);
    pair_run_and_compare(&p, 12);
    assert_int_equal(p.blk->h->x[30], 1);
    assert_int_equal(p.blk->h->x[7], 102);
    assert_int_equal(rvt_csr(p.blk, RV_CSR_mcause), RV_EXC_LOAD_ACCESS);
    assert_int_equal(rvt_csr(p.blk, RV_CSR_mtval), UINT64_MAX);
    assert_int_equal(rvt_csr(p.blk, RV_CSR_mepc), RVT_BASE + 16 + 4); /* the handler's */
    pair_free(&p);
}

/* Code rewritten by a store: after FENCE.I the new instruction runs (Zifencei), whether or not
 * the old one was part of a decoded block. */
static void rewritten_code_runs_after_fence_i(void **state)
{
    struct pair p;
    pair_init(&p, *state);
    const uint32_t new_word = ADDI(7, 7, 10); /* replaces "addi t2, t2, 1" at BODY */
    const uint32_t prog[] = {
        ADDI(6, 0, 4),                   /* t1 = 4 passes */
        NOP,                             /* t0 = RVT_BASE (below) */
        rvt_u(new_word >> 12, 28, 0x37), /* lui t3, hi(new) */
        ADDI(28, 28, (int32_t)(new_word & 0xfff) - ((new_word & 0x800) ? 0x1000 : 0)), /* lo */
        ADDI(7, 7, 1), /* 16 BODY: replaced after the first pass */
        ADDI(6, 6, -1),
        rvt_s(16, 28, 5, 2, OP_STORE), /* sw t3, 16(t0): rewrite BODY */
        0x0000100fu,                   /* fence.i */
        rvt_b(-16, 0, 6, 1),           /* bne t1, zero, BODY */
        rvt_j(0, 0),
    };
    pair_prog(&p, RVT_BASE, prog, sizeof prog / sizeof prog[0]);
    p.blk->h->x[5] = p.one->h->x[5] = RVT_BASE;
    pair_run_and_compare(&p, 4 + 5 * 4 + 3);
    assert_int_equal(p.blk->h->x[7], 1 + 3 * 10);
    pair_free(&p);
}

/* A store to the next instruction of the same block, without FENCE.I: the block ends after the
 * store and the new instruction runs, as one step at a time (which re-checks every instruction's
 * bytes) runs it. */
static void a_store_into_the_running_block_ends_it(void **state)
{
    struct pair p;
    pair_init(&p, *state);
    const uint32_t new_word = ADDI(7, 7, 10); /* replaces "addi t2, t2, 1" at +16 */
    const uint32_t prog[] = {
        rvt_u(new_word >> 12, 28, 0x37),                                               /* lui t3 */
        ADDI(28, 28, (int32_t)(new_word & 0xfff) - ((new_word & 0x800) ? 0x1000 : 0)), /* lo */
        NOP,
        rvt_s(16, 28, 5, 2, OP_STORE), /* 12: sw t3, 16(t0): the next instruction */
        ADDI(7, 7, 1),                 /* 16: rewritten before it runs */
        ADDI(7, 7, 100),
        rvt_j(0, 0),
    };
    pair_prog(&p, RVT_BASE, prog, sizeof prog / sizeof prog[0]);
    p.blk->h->x[5] = p.one->h->x[5] = RVT_BASE;
    pair_run_and_compare(&p, 1); /* one step, then the rest as one block */
    pair_run_and_compare(&p, 7);
    assert_int_equal(p.blk->h->x[7], 110);
    pair_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(blocks_run_like_steps, rvt_setup, rvt_teardown),
        cmocka_unit_test_setup_teardown(budget_ends_inside_a_block, rvt_setup, rvt_teardown),
        cmocka_unit_test_setup_teardown(trap_inside_a_block, rvt_setup, rvt_teardown),
        cmocka_unit_test_setup_teardown(rewritten_code_runs_after_fence_i, rvt_setup, rvt_teardown),
        cmocka_unit_test_setup_teardown(a_store_into_the_running_block_ends_it, rvt_setup,
                                        rvt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
