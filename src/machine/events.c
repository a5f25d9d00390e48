/* The event stream (see events.h). */
#include "machine/events.h"

#include <string.h>

void ev_stream_init(struct ev_stream *stream)
{
    memset(stream, 0, sizeof *stream);
}

static void recompute_wanted(struct ev_stream *stream)
{
    if (ev_pending(stream)) ev_flush(stream); /* the queue was for the old subscribers */
    stream->wanted = 0;
    uint32_t unbatched = 0;
    for (unsigned i = 0; i < stream->n_subs; i++) {
        if (!stream->subs[i].handler) continue;
        stream->wanted |= stream->subs[i].mask;
        if (!stream->subs[i].batch) unbatched |= stream->subs[i].mask;
    }
    /* A kind is queued only when no subscriber of it wants single events. */
    stream->batched = stream->wanted & EV_BATCHABLE & ~unbatched;
    /* Blocks stand for EV_INSNs: only when every subscriber of those takes them in batches and
     * wants EV_BLOCK too. */
    stream->blocks = (stream->batched & EV_MASK(EV_INSN)) != 0;
    for (unsigned i = 0; i < stream->n_subs; i++)
        if ((stream->subs[i].mask & EV_MASK(EV_INSN)) &&
            !(stream->subs[i].mask & EV_MASK(EV_BLOCK)))
            stream->blocks = false;
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
    if (ev_pending(stream)) ev_flush(stream);
    stream->subs[handle].handler = NULL;
    stream->subs[handle].batch = NULL;
    stream->subs[handle].mask = 0;
    recompute_wanted(stream);
}

void ev_batch_limit_changed(struct ev_stream *stream)
{
    uint32_t cost = 0; /* the most one queued unit can cost (only EV_INSN and EV_MEM queue) */
    if ((stream->batched & EV_MASK(EV_INSN)) && stream->batch_cost[EV_INSN] > cost)
        cost = stream->batch_cost[EV_INSN];
    if ((stream->batched & EV_MASK(EV_MEM)) && stream->batch_cost[EV_MEM] > cost)
        cost = stream->batch_cost[EV_MEM];
    /* In units (an EV_BLOCK is its n instructions): hand the queue over at the first unit that
     * could reach the limit. */
    uint64_t units = (uint64_t)stream->batch_n + stream->batch_extra, cap = EV_BATCH_UNITS_MAX;
    if (stream->clock && stream->clock_limit && cost) {
        /* The guest time left, less one tick that a core adds after a trap's event (RISC-V) and
         * the bound of what is queued already (k units cost at most k * cost). */
        uint64_t now = *stream->clock, limit = *stream->clock_limit;
        uint64_t room = limit > now + 1 ? limit - now - 1 : 0;
        uint64_t used = units * cost;
        room = room > used ? room - used : 0;
        if (room < (uint64_t)EV_BATCH_UNITS_MAX * cost) { /* else the common case: no division */
            uint64_t more = (room + cost - 1) / cost;     /* ceil: the first k, k * cost >= room */
            if (more == 0) more = 1;
            cap = units + more;
        }
    }
    /* in events: the units less the blocks' extra ones, and never beyond the array */
    cap = cap > stream->batch_extra ? cap - stream->batch_extra : 0;
    stream->batch_cap = cap < EV_BATCH_MAX ? (unsigned)cap : EV_BATCH_MAX;
}

/* A hand-over inside an open block: the instructions before the current one go first. */
static void queue_open_part(struct ev_stream *stream)
{
    const struct ev_block *desc = stream->open_desc;
    uint64_t off = *stream->open_pc - desc->pc;
    unsigned k = stream->open_first;
    while (k < desc->n && desc->offset[k] != off)
        k++;
    if (k == stream->open_first || k == desc->n) return;
    ev_put_block(stream, desc, stream->open_first, k - stream->open_first);
    stream->open_first = k;
}

void ev_flush(struct ev_stream *stream)
{
    if (stream->open_desc) queue_open_part(stream);
    unsigned n = stream->batch_n;
    if (!n) return;
    unsigned insns = stream->batch_insns;
    uint64_t t0 = stream->clock ? *stream->clock : 0;
    unsigned accesses = n + stream->batch_extra - insns; /* the EV_MEMs */
    uint64_t bound = (uint64_t)insns * stream->batch_cost[EV_INSN] +
                     (uint64_t)accesses * stream->batch_cost[EV_MEM];
    stream->batch_n = 0;
    stream->batch_insns = 0;
    stream->batch_extra = 0;
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
