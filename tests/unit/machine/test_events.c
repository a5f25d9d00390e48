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
};

static void record(struct seen *s, const struct ev *e, bool batch)
{
    assert_true(s->n < 4096);
    s->kind[s->n] = e->kind;
    s->pc[s->n] = e->pc;
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
        counted += events[i].kind == EV_INSN;
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kinds_are_queued_only_for_batch_subscribers),
        cmocka_unit_test(subscribers_see_every_event_in_order),
        cmocka_unit_test(a_full_queue_is_handed_over),
        cmocka_unit_test(the_queue_stops_short_of_the_limit),
        cmocka_unit_test(reading_time_and_unsubscribing_flush),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
