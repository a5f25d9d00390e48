/* --timeline FILE: the transitions as a Chrome trace-event file (the JSON Object Format of the
 * "Trace Event Format" document, which Perfetto's UI and chrome://tracing open).
 *
 * One process ("ringside <arch>"), one thread ("hart 0" / "cpu 0"). Complete events ("ph": "X"):
 * a "user" span between two transitions, and for each transition a span named after the system
 * call (or trap) with its mechanism as category, containing three nested spans "entry", "kernel"
 * and "exit". Timestamps and durations are guest cycles written as microseconds ("ts" 1 = one
 * cycle), since the format has no cycle unit; the "args" of each span say so. */
#include <inttypes.h>
#include <string.h>

#include "timing/timing.h"

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(out, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(out, "\\u%04x", (unsigned char)*s);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

static void begin_event(struct tm_timeline *tl)
{
    fputs(tl->first ? "\n  " : ",\n  ", tl->out);
    tl->first = false;
}

static void span(struct tm_timeline *tl, const char *name, const char *cat, uint64_t ts,
                 uint64_t dur)
{
    begin_event(tl);
    fputs("{\"name\": ", tl->out);
    json_string(tl->out, name);
    fputs(", \"cat\": ", tl->out);
    json_string(tl->out, cat);
    fprintf(tl->out,
            ", \"ph\": \"X\", \"ts\": %" PRIu64 ", \"dur\": %" PRIu64 ", \"pid\": 1, \"tid\": 1",
            ts, dur);
}

void tm_timeline_begin(struct tm_timeline *tl, FILE *out, enum mach_arch arch)
{
    memset(tl, 0, sizeof *tl);
    tl->out = out;
    tl->first = true;
    fputs("{\"displayTimeUnit\": \"ns\", \"otherData\": {\"generator\": \"ringside\", "
          "\"time_unit\": \"1 us in ts/dur = 1 guest cycle\"},\n \"traceEvents\": [",
          out);
    begin_event(tl);
    fprintf(out,
            "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 1, \"args\": "
            "{\"name\": \"ringside %s\"}}",
            mach_arch_name(arch));
    begin_event(tl);
    fprintf(out,
            "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 1, \"args\": "
            "{\"name\": \"%s\"}}",
            arch == ARCH_RISCV64 ? "hart 0" : "cpu 0");
}

void tm_timeline_transition(void *opaque, const struct tm_transition *t)
{
    struct tm_timeline *tl = opaque;
    char name[64];
    tm_transition_name(t, name, sizeof name);
    const char *mech = ev_mech_name(t->mech);
    if (tl->have_last && t->t_entry >= tl->last_end) {
        span(tl, "user", "user", tl->last_end, t->t_entry - tl->last_end);
        fputs("}", tl->out);
    }
    uint64_t end = t->t_end >= t->t_entry ? t->t_end : t->t_entry;
    span(tl, name, mech, t->t_entry, end - t->t_entry);
    fputs(", \"args\": {\"mechanism\": ", tl->out);
    json_string(tl->out, mech);
    fputs(", \"return\": ", tl->out);
    json_string(tl->out, t->returned ? ev_mech_name(t->ret_mech) : "none");
    fputs(", \"call\": ", tl->out);
    json_string(tl->out, name);
    if (t->abi != TM_ABI_NONE)
        fprintf(tl->out, ", \"abi\": \"%s\", \"number\": %" PRIu64, tm_abi_regs(t->abi)->name,
                t->nr);
    fprintf(tl->out, ", \"seq\": %" PRIu64 ", \"unit\": \"cycles\"}}", t->seq);
    static const char *const parts[TM_PART_COUNT] = {"entry", "kernel", "exit"};
    uint64_t start[TM_PART_COUNT] = {t->t_entry, t->t_kernel, t->t_exit};
    for (int p = 0; p < TM_PART_COUNT; p++) {
        if (p == TM_EXIT && !t->returned) continue;
        span(tl, parts[p], mech, start[p], t->count[p][TM_CYCLES]);
        fprintf(tl->out, ", \"args\": {\"instructions\": %" PRIu64 ", \"cycles\": %" PRIu64 "}}",
                t->count[p][TM_INSNS], t->count[p][TM_CYCLES]);
    }
    tl->last_end = end;
    tl->have_last = true;
}

void tm_timeline_end(struct tm_timeline *tl)
{
    fputs("\n]}\n", tl->out);
}
