/* The event stream (see events.h). */
#include "machine/events.h"

#include <string.h>

void ev_stream_init(struct ev_stream *stream)
{
    memset(stream, 0, sizeof *stream);
}

static void recompute_wanted(struct ev_stream *stream)
{
    stream->wanted = 0;
    for (unsigned i = 0; i < stream->n_subs; i++)
        if (stream->subs[i].handler) stream->wanted |= stream->subs[i].mask;
}

int ev_subscribe(struct ev_stream *stream, uint32_t mask, ev_handler handler, void *opaque)
{
    for (unsigned i = 0; i < EV_MAX_SUBSCRIBERS; i++) {
        if (i < stream->n_subs && stream->subs[i].handler) continue;
        stream->subs[i].handler = handler;
        stream->subs[i].opaque = opaque;
        stream->subs[i].mask = handler ? mask & EV_MASK_ALL : 0;
        if (i >= stream->n_subs) stream->n_subs = i + 1;
        recompute_wanted(stream);
        return (int)i;
    }
    return -1;
}

void ev_unsubscribe(struct ev_stream *stream, int handle)
{
    if (handle < 0 || (unsigned)handle >= stream->n_subs) return;
    stream->subs[handle].handler = NULL;
    stream->subs[handle].mask = 0;
    recompute_wanted(stream);
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
