/* The event stream's batches (src/machine/events.h "Batches"): which kinds are queued, that
 * subscribers still see every event in order, and when the queue is handed over: when full,
 * before any other event, when guest time is read (machine_now), on unsubscribe, and as soon as
 * the queued events could have brought guest time to the run's limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "machine/machine.h"

/* A subscriber that logs what it sees: kind and pc, and whether it came in a batch. */
struct seen {
    unsigned n, batches;
    enum ev_kind kind[4096];
    uint64_t pc[4096];
    bool in_batch[4096];
    unsigned block_first[4096], block_n[4096];
};

static void record(struct seen *s, const struct ev *e, bool batch)
{
    assert_true(s->n < 4096);
    s->kind[s->n] = e->kind;
    s->pc[s->n] = e->pc;
    s->block_first[s->n] = e->kind == EV_BLOCK ? e->block.first : 0;
    s->block_n[s->n] = e->kind == EV_BLOCK ? e->block.n : 0;
    s->in_batch[s->n++] = batch;
}

static void one(void *opaque, const struct ev *e)
{
    record(opaque, e, false);
}

static void many(void *opaque, struct ev *events, unsigned n, unsigned insns)
{
    struct seen *s = opaque;
    unsigned counted = 0;
    s->batches++;
    for (unsigned i = 0; i < n; i++) {
        record(s, &events[i], true);
        counted += events[i].kind == EV_INSN    ? 1
                   : events[i].kind == EV_BLOCK ? events[i].block.n
                                                : 0;
    }
    assert_int_equal(counted, insns);
}

static void emit(struct ev_stream *st, enum ev_kind kind, uint64_t pc)
{
    if (kind == EV_INSN) {
        ev_emit_insn(st, pc, 0, 4, 0);
    } else if (kind == EV_MEM) {
        ev_emit_mem(st, pc, 0x1000, 0x1000, 8, EV_MEM_READ);
    } else {
        struct ev e = {.kind = kind, .pc = pc};
        ev_emit(st, &e);
    }
}

/* Only kinds whose every subscriber takes batches are queued. */
static void kinds_are_queued_only_for_batch_subscribers(void **state)
{
    (void)state;
    static struct ev_stream st;
    static struct seen a, b;
    ev_stream_init(&st);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    assert_true(ev_subscribe_batch(&st, EV_MASK(EV_INSN) | EV_MASK(EV_MEM), one, many, &a) >= 0);
    assert_int_equal(st.batched, EV_MASK(EV_INSN) | EV_MASK(EV_MEM));
    int h = ev_subscribe(&st, EV_MASK(EV_INSN), one, &b); /* a single-event subscriber */
    assert_int_equal(st.batched, EV_MASK(EV_MEM));
    ev_unsubscribe(&st, h);
    assert_int_equal(st.batched, EV_MASK(EV_INSN) | EV_MASK(EV_MEM));
    /* EV_EXCEPTION is never queued, even for a batch subscriber */
    assert_true(ev_subscribe_batch(&st, EV_MASK(EV_EXCEPTION), one, many, &b) >= 0);
    assert_int_equal(st.batched & EV_MASK(EV_EXCEPTION), 0);
}

/* Every event reaches every subscriber once, in emission order, and the counts are kept. */
static void subscribers_see_every_event_in_order(void **state)
{
    (void)state;
    static struct ev_stream st;
    static struct seen a;
    ev_stream_init(&st);
    memset(&a, 0, sizeof a);
    assert_true(ev_subscribe_batch(&st, EV_MASK_ALL, one, many, &a) >= 0);
    static const enum ev_kind pattern[] = {EV_MEM,  EV_INSN, EV_INSN, EV_EXCEPTION, EV_PRIV,
                                           EV_INSN, EV_MEM,  EV_MEM,  EV_INSN,      EV_SYSREG};
    unsigned n = 0;
    for (unsigned r = 0; r < 300; r++)
        for (unsigned k = 0; k < sizeof pattern / sizeof pattern[0]; k++)
            emit(&st, pattern[k], n++);
    emit(&st, EV_INSN, n++); /* left in the queue */
    assert_int_equal(a.n + st.batch_n, n);
    ev_flush(&st);
    assert_int_equal(a.n, n);
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(a.pc[i], i);
        enum ev_kind want = i == n - 1 ? EV_INSN : pattern[i % 10];
        assert_int_equal(a.kind[i], want);
        assert_int_equal(a.in_batch[i], want == EV_INSN || want == EV_MEM);
    }
    assert_int_equal(st.count[EV_INSN], 1201);
    assert_int_equal(st.count[EV_MEM], 900);
    assert_int_equal(st.count[EV_EXCEPTION], 300);
}

/* A full queue is handed over at EV_BATCH_MAX events. */
static void a_full_queue_is_handed_over(void **state)
{
    (void)state;
    static struct ev_stream st;
    static struct seen a;
    ev_stream_init(&st);
    memset(&a, 0, sizeof a);
    assert_true(ev_subscribe_batch(&st, EV_MASK(EV_INSN), one, many, &a) >= 0);
    for (unsigned i = 0; i < EV_BATCH_MAX - 1; i++)
        emit(&st, EV_INSN, i);
    assert_int_equal(a.n, 0);
    emit(&st, EV_INSN, EV_BATCH_MAX - 1);
    assert_int_equal(a.n, EV_BATCH_MAX);
    assert_int_equal(a.batches, 1);
    assert_int_equal(st.batch_n, 0);
}

/* With a clock, a limit and a cost per event, the queue is handed over at the first event that
 * could bring the clock to the limit: with cost 10 and 95 ticks left (one kept for a trap's
 * tick), the 10th event; then, at the limit, every event alone. */
static void the_queue_stops_short_of_the_limit(void **state)
{
    (void)state;
    static struct ev_stream st;
    static struct seen a;
    uint64_t clock = 1000, limit = 1096;
    ev_stream_init(&st);
    memset(&a, 0, sizeof a);
    st.clock = &clock;
    st.clock_limit = &limit;
    assert_true(ev_subscribe_batch(&st, EV_MASK(EV_INSN), one, many, &a) >= 0);
    st.batch_cost[EV_INSN] = 10;
    ev_batch_limit_changed(&st);
    for (unsigned i = 0; i < 9; i++)
        emit(&st, EV_INSN, i);
    assert_int_equal(a.n, 0); /* 9 events cost at most 90 < 95 */
    emit(&st, EV_INSN, 9);
    assert_int_equal(a.n, 10); /* 100 >= 95: handed over */
    clock = 1096;              /* the subscriber moved time to the limit */
    ev_batch_limit_changed(&st);
    emit(&st, EV_INSN, 10);
    assert_int_equal(a.n, 11);
    /* No clock: only the queue size limits it. */
    st.clock = NULL;
    ev_batch_limit_changed(&st);
    emit(&st, EV_INSN, 11);
    assert_int_equal(a.n, 11);
    assert_int_equal(st.batch_n, 1);
}

/* Reading guest time hands the queue over first, so a subscriber that moves time (the model)
 * has priced everything before the read; unsubscribing hands it over too. */
static void reading_time_and_unsubscribing_flush(void **state)
{
    (void)state;
    static struct machine m;
    static struct seen a;
    char err[128];
    assert_int_equal(machine_init(&m, ARCH_RISCV64, 0x80000000u, 1 << 20, err, sizeof err), 0);
    memset(&a, 0, sizeof a);
    int h = ev_subscribe_batch(&m.events, EV_MASK(EV_INSN), one, many, &a);
    assert_true(h >= 0);
    m.limit_time = UINT64_MAX;
    ev_batch_limit_changed(&m.events);
    emit(&m.events, EV_INSN, 1);
    emit(&m.events, EV_INSN, 2);
    assert_int_equal(a.n, 0);
    (void)machine_now(&m);
    assert_int_equal(a.n, 2);
    emit(&m.events, EV_INSN, 3);
    ev_unsubscribe(&m.events, h);
    assert_int_equal(a.n, 3);
    assert_int_equal(m.events.batch_n, 0);
    machine_destroy(&m);
}

/* Blocks (events.h "Blocks"): a core may report them only while every subscriber of
 * instructions takes batches and wants EV_BLOCK. */
static void blocks_only_when_every_insn_subscriber_takes_them(void **state)
{
    (void)state;
    static struct ev_stream st;
    static struct seen a, b;
    ev_stream_init(&st);
    assert_false(st.blocks);
    int h = ev_subscribe_batch(&st, EV_MASK(EV_INSN) | EV_MASK(EV_BLOCK), one, many, &a);
    assert_true(st.blocks);
    int h2 = ev_subscribe_batch(&st, EV_MASK(EV_INSN), one, many, &b); /* no EV_BLOCK */
    assert_false(st.blocks);
    ev_unsubscribe(&st, h2);
    assert_true(st.blocks);
    h2 = ev_subscribe(&st, EV_MASK(EV_INSN) | EV_MASK(EV_BLOCK), one, &b); /* one at a time */
    assert_false(st.blocks);
    ev_unsubscribe(&st, h2);
    h2 = ev_subscribe(&st, EV_MASK(EV_EXCEPTION), one, &b); /* not of instructions */
    assert_true(st.blocks);
    ev_unsubscribe(&st, h);
    assert_false(st.blocks);
}

/* A block handed over while open (a trap's event, guest time read): the instructions retired
 * so far go first, after their accesses and before the event; the rest at the close. Each part
 * counts as its instructions. */
static void an_open_block_is_handed_over_in_parts(void **state)
{
    (void)state;
    static struct ev_stream st;
    static struct seen a;
    static struct ev_block d = {.pc = 0x1000, .id = 1, .n = 4, .offset = {0, 4, 8, 12}};
    ev_stream_init(&st);
    memset(&a, 0, sizeof a);
    assert_true(ev_subscribe_batch(&st, EV_MASK_ALL, one, many, &a) >= 0);
    uint64_t pc = 0x1000; /* the core's current instruction */
    assert_true(ev_block_fits(&st, 4, 2));
    ev_block_open(&st, &d, &pc);
    emit(&st, EV_MEM, pc);
    pc = 0x1004;
    emit(&st, EV_MEM, pc);
    pc = 0x1008;
    emit(&st, EV_EXCEPTION, pc); /* hands over the two before it */
    assert_int_equal(a.n, 4);
    assert_int_equal(a.kind[0], EV_MEM);
    assert_int_equal(a.kind[1], EV_MEM);
    assert_int_equal(a.kind[2], EV_BLOCK);
    assert_int_equal(a.pc[2], 0x1000);
    assert_int_equal(a.block_first[2], 0);
    assert_int_equal(a.block_n[2], 2);
    assert_int_equal(a.kind[3], EV_EXCEPTION);
    assert_false(a.in_batch[3]);
    pc = 0x1010;
    ev_block_close(&st, 4);
    assert_int_equal(st.batch_insns, 2);
    ev_flush(&st);
    assert_int_equal(a.n, 5);
    assert_int_equal(a.kind[4], EV_BLOCK);
    assert_int_equal(a.pc[4], 0x1008);
    assert_int_equal(a.block_first[4], 2);
    assert_int_equal(a.block_n[4], 2);
    assert_int_equal(st.count[EV_INSN], 4);
    assert_int_equal(st.count[EV_BLOCK], 2);
    /* a close with nothing retired since the last part queues nothing */
    ev_block_open(&st, &d, &pc);
    ev_block_close(&st, 0);
    assert_int_equal(st.batch_n, 0);
}

/* A block runs as one only when the queue cannot reach the run's limit inside it: with cost 10
 * and 95 ticks left, 10 units (a block counts as its instructions and its accesses' bound). */
static void a_block_fits_only_short_of_the_limit(void **state)
{
    (void)state;
    static struct ev_stream st;
    static struct seen a;
    static struct ev_block d = {.pc = 0x2000, .id = 1, .n = 4, .offset = {0, 4, 8, 12}};
    uint64_t clock = 1000, limit = 1096, pc = 0x2000;
    ev_stream_init(&st);
    memset(&a, 0, sizeof a);
    st.clock = &clock;
    st.clock_limit = &limit;
    assert_true(ev_subscribe_batch(&st, EV_MASK(EV_INSN) | EV_MASK(EV_BLOCK), one, many, &a) >= 0);
    st.batch_cost[EV_INSN] = 10;
    ev_batch_limit_changed(&st);
    assert_true(ev_block_fits(&st, 4, 2));  /* 6 units */
    assert_false(ev_block_fits(&st, 8, 2)); /* 10: could reach the limit */
    ev_block_open(&st, &d, &pc);
    ev_block_close(&st, 4); /* 4 units queued */
    assert_int_equal(a.n, 0);
    assert_true(ev_block_fits(&st, 5, 0)); /* 9 */
    assert_true(ev_block_fits(&st, 6, 0)); /* 10: handed over first, then 6 of 10 */
    assert_int_equal(a.n, 1);
    clock = 1090; /* the subscriber moved time: 5 ticks left */
    ev_batch_limit_changed(&st);
    assert_false(ev_block_fits(&st, 1, 0)); /* even one instruction could reach it */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kinds_are_queued_only_for_batch_subscribers),
        cmocka_unit_test(subscribers_see_every_event_in_order),
        cmocka_unit_test(a_full_queue_is_handed_over),
        cmocka_unit_test(the_queue_stops_short_of_the_limit),
        cmocka_unit_test(reading_time_and_unsubscribing_flush),
        cmocka_unit_test(blocks_only_when_every_insn_subscriber_takes_them),
        cmocka_unit_test(an_open_block_is_handed_over_in_parts),
        cmocka_unit_test(a_block_fits_only_short_of_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
