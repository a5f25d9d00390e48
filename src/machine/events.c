/* The event stream (see events.h). */
#include "machine/events.h"

#include <string.h>

void ev_stream_init(struct ev_stream *stream)
{
    memset(stream, 0, sizeof *stream);
}

static void recompute_wanted(struct ev_stream *stream)
{
    if (stream->batch_n) ev_flush(stream); /* the queue was for the old subscribers */
    stream->wanted = 0;
    uint32_t unbatched = 0;
    for (unsigned i = 0; i < stream->n_subs; i++) {
        if (!stream->subs[i].handler) continue;
        stream->wanted |= stream->subs[i].mask;
        if (!stream->subs[i].batch) unbatched |= stream->subs[i].mask;
    }
    /* A kind is queued only when no subscriber of it wants single events. */
    stream->batched = stream->wanted & EV_BATCHABLE & ~unbatched;
    ev_batch_limit_changed(stream);
}

int ev_subscribe_batch(struct ev_stream *stream, uint32_t mask, ev_handler handler,
                       ev_batch_handler batch, void *opaque)
{
    for (unsigned i = 0; i < EV_MAX_SUBSCRIBERS; i++) {
        if (i < stream->n_subs && stream->subs[i].handler) continue;
        stream->subs[i].handler = handler;
        stream->subs[i].batch = handler ? batch : NULL;
        stream->subs[i].opaque = opaque;
        stream->subs[i].mask = handler ? mask & EV_MASK_ALL : 0;
        if (i >= stream->n_subs) stream->n_subs = i + 1;
        recompute_wanted(stream);
        return (int)i;
    }
    return -1;
}

int ev_subscribe(struct ev_stream *stream, uint32_t mask, ev_handler handler, void *opaque)
{
    return ev_subscribe_batch(stream, mask, handler, NULL, opaque);
}

void ev_unsubscribe(struct ev_stream *stream, int handle)
{
    if (handle < 0 || (unsigned)handle >= stream->n_subs) return;
    if (stream->batch_n) ev_flush(stream);
    stream->subs[handle].handler = NULL;
    stream->subs[handle].batch = NULL;
    stream->subs[handle].mask = 0;
    recompute_wanted(stream);
}

void ev_batch_limit_changed(struct ev_stream *stream)
{
    uint32_t cost = 0; /* the most one queued event can cost (only EV_INSN and EV_MEM queue) */
    if ((stream->batched & EV_MASK(EV_INSN)) && stream->batch_cost[EV_INSN] > cost)
        cost = stream->batch_cost[EV_INSN];
    if ((stream->batched & EV_MASK(EV_MEM)) && stream->batch_cost[EV_MEM] > cost)
        cost = stream->batch_cost[EV_MEM];
    if (!stream->clock || !stream->clock_limit || !cost) {
        stream->batch_cap = EV_BATCH_MAX;
        return;
    }
    /* The guest time left, less one tick that a core adds after a trap's event (RISC-V) and
     * the bound of what is queued already; the queue is handed over at the first event that
     * could reach the limit (k events cost at most k * cost). */
    uint64_t now = *stream->clock, limit = *stream->clock_limit;
    uint64_t room = limit > now + 1 ? limit - now - 1 : 0;
    uint64_t used = (uint64_t)stream->batch_n * cost;
    room = room > used ? room - used : 0;
    if (room >= (uint64_t)EV_BATCH_MAX * cost) { /* the common case: no division */
        stream->batch_cap = EV_BATCH_MAX;
        return;
    }
    uint64_t more = (room + cost - 1) / cost; /* ceil: the first k with k * cost >= room */
    if (more == 0) more = 1;
    uint64_t cap = stream->batch_n + more;
    stream->batch_cap = cap < EV_BATCH_MAX ? (unsigned)cap : EV_BATCH_MAX;
}

void ev_flush(struct ev_stream *stream)
{
    unsigned n = stream->batch_n;
    if (!n) return;
    unsigned insns = stream->batch_insns;
    uint64_t t0 = stream->clock ? *stream->clock : 0;
    uint64_t bound = (uint64_t)insns * stream->batch_cost[EV_INSN] +
                     (uint64_t)(n - insns) * stream->batch_cost[EV_MEM];
    stream->batch_n = 0;
    stream->batch_insns = 0;
    stream->batches++;
    for (unsigned i = 0; i < stream->n_subs; i++)
        if (stream->subs[i].batch && (stream->subs[i].mask & stream->batched))
            stream->subs[i].batch(stream->subs[i].opaque, stream->batch, n, insns);
    if (stream->clock && *stream->clock > t0 && *stream->clock - t0 > bound)
        stream->batch_overruns++;
    ev_batch_limit_changed(stream);
}

const char *ev_kind_name(enum ev_kind kind)
{
    static const char *const names[] = {
#define X(name, text) text,
        EV_KINDS(X)
#undef X
    };
    return (unsigned)kind < EV_KIND_COUNT ? names[kind] : "?";
}

const char *ev_mech_name(enum ev_mech mech)
{
    static const char *const names[] = {
#define X(name, text) text,
        EV_MECHS(X)
#undef X
    };
    return (unsigned)mech < EV_MECH_COUNT ? names[mech] : "?";
}
