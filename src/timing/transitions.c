/* Transition accounting: a subscriber to the event stream that follows each crossing from user
 * mode into the kernel and back (timing.h says what entry, kernel and exit count).
 *
 * The cores emit the events of a crossing in this order (src/cpu/riscv/trap.c,
 * src/cpu/x86/interrupt.c):
 *   RISC-V trap   EV_EXCEPTION (pc = the trapping instruction), EV_PRIV (pc = the handler); the
 *                 trapping instruction does not retire (Priv. spec 3.3.1: ecall does not count
 *                 as retired; design.md "Counting rule")
 *   x86 INT n     EV_EXCEPTION, EV_PRIV, then EV_INSN of the INT itself (it retires once its
 *                 delivery succeeded, SDM Vol. 3A 6.12), all with pc = the INT
 *   xRET / IRET   EV_PRIV (pc = the returning instruction), then its EV_INSN
 * The accounting does not depend on whether the instruction that crosses retires before or after
 * its EV_PRIV, or not at all: it is counted once, in entry or exit.
 */
#include <stdlib.h>
#include <string.h>

#include "timing/timing.h"

static const struct tm_abi_regs abi_regs[TM_ABI_COUNT] = {
    [TM_ABI_NONE] = {"none", NULL, {NULL, NULL, NULL}, NULL, 64},
    /* man 2 syscall: riscv: ecall, number a7, arguments a0-a5, result a0 */
    [TM_ABI_RISCV64] = {"riscv64", "a7", {"a0", "a1", "a2"}, "a0", 64},
    /* i386: int $0x80 / sysenter, number eax, arguments ebx, ecx, edx, esi, edi, ebp, result eax */
    [TM_ABI_I386] = {"i386", "eax", {"ebx", "ecx", "edx"}, "eax", 32},
    /* x86-64: syscall, number rax, arguments rdi, rsi, rdx, r10, r8, r9, result rax */
    [TM_ABI_X86_64] = {"x86_64", "rax", {"rdi", "rsi", "rdx"}, "rax", 64},
};

const struct tm_abi_regs *tm_abi_regs(enum tm_abi abi)
{
    return abi < TM_ABI_COUNT ? &abi_regs[abi] : &abi_regs[TM_ABI_NONE];
}

const char *tm_part_name(enum tm_part part)
{
    static const char *const names[TM_PART_COUNT] = {"entry", "kernel", "exit"};
    return part < TM_PART_COUNT ? names[part] : "?";
}

const char *tm_metric_name(enum tm_metric metric)
{
    static const char *const names[] = {
#define X(name, text) text,
        TM_METRICS(X)
#undef X
    };
    return metric < TM_METRIC_COUNT ? names[metric] : "?";
}

/* Which Linux ABI a crossing uses, by its mechanism: ecall is riscv64's; int $0x80 and sysenter
 * are the 32-bit x86 entries (also from 64-bit code, where Linux keeps them for the i386 ABI);
 * syscall is x86-64's. Other vectors of INT n are software interrupts, not system calls. */
/* The system-call ABI a crossing uses. SYSCALL and SYSENTER take the ABI of the code that made
 * them: 64-bit code the x86-64 one; 32-bit code (AMD's legacy and compatibility-mode SYSCALL, or
 * SYSENTER from a 32-bit program) the i386 one. int $0x80 is the i386 ABI from any mode. */
static enum tm_abi abi_of(uint8_t mech, uint8_t from_bits, bool has_cause, uint32_t vector)
{
    switch (mech) {
    case EV_MECH_ECALL: return TM_ABI_RISCV64;
    case EV_MECH_SYSCALL: return from_bits == 0 || from_bits == 64 ? TM_ABI_X86_64 : TM_ABI_I386;
    case EV_MECH_SYSENTER: return from_bits == 64 ? TM_ABI_X86_64 : TM_ABI_I386;
    case EV_MECH_INT: return (!has_cause || vector == 0x80) ? TM_ABI_I386 : TM_ABI_NONE;
    default: return TM_ABI_NONE;
    }
}

static bool read_reg(const struct tm_log *log, const char *name, uint64_t *value)
{
    const struct cpu_ops *ops = log->m ? log->m->cpu_ops : log->ops;
    void *cpu = log->m ? log->m->cpu : log->cpu;
    *value = 0;
    return name && ops && ops->get_reg && ops->get_reg(cpu, name, value);
}

/* The first cycle of the event being handled. */
static inline uint64_t now(const struct tm_log *log)
{
    if (log->stamped) return log->stamp_time; /* in a batch: the model's stamp */
    /* the timing model's clock read in place: no call per instruction (same value) */
    if (log->clock == tm_model_clock) return ((const struct tm_model *)log->clock_opaque)->t_guest;
    if (log->clock) return log->clock(log->clock_opaque);
    return log->m ? log->m->time : 0;
}

static inline uint64_t misses(const struct tm_log *log)
{
    if (log->stamped) return log->stamp_misses;
    if (log->misses == tm_model_misses) {
        const struct tm_model_stats *s = &((const struct tm_model *)log->clock_opaque)->st;
        return s->icache_misses + s->dcache_misses + s->itlb_misses + s->dtlb_misses;
    }
    return log->misses ? log->misses(log->clock_opaque) : 0;
}

void tm_log_init(struct tm_log *log, enum mach_arch arch, const struct cpu_ops *ops, void *cpu)
{
    memset(log, 0, sizeof *log);
    log->arch = arch;
    /* Priv. spec 1.2: U = 0 is the least privileged RISC-V mode; SDM Vol. 3A 5.5: CPL 3. */
    log->user_level = arch == ARCH_RISCV64 ? 0 : 3;
    log->ops = ops;
    log->cpu = cpu;
    log->ret_insn_seen = true; /* no returning instruction to wait for */
}

int tm_log_attach(struct tm_log *log, struct machine *m)
{
    tm_log_init(log, m->arch, NULL, NULL);
    log->m = m;
    return ev_subscribe(&m->events, EV_MASK(EV_INSN) | EV_MASK(EV_EXCEPTION) | EV_MASK(EV_PRIV),
                        tm_log_event, log) < 0
               ? -1
               : 0;
}

static int series_add(struct tm_series *s, uint64_t v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        uint64_t *grown = realloc(s->v, cap * sizeof *grown);
        if (!grown) return -1;
        s->v = grown;
        s->cap = cap;
    }
    s->v[s->n++] = v;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void tm_series_stats(const struct tm_series *s, struct tm_stats *out)
{
    memset(out, 0, sizeof *out);
    out->n = s->n;
    if (!s->n) return;
    uint64_t *sorted = malloc(s->n * sizeof *sorted);
    if (!sorted) { /* min and max without the median */
        out->min = out->max = s->v[0];
        for (size_t i = 1; i < s->n; i++) {
            if (s->v[i] < out->min) out->min = s->v[i];
            if (s->v[i] > out->max) out->max = s->v[i];
        }
        out->median = out->min;
        return;
    }
    memcpy(sorted, s->v, s->n * sizeof *sorted);
    qsort(sorted, s->n, sizeof *sorted, cmp_u64);
    out->min = sorted[0];
    out->median = sorted[(s->n - 1) / 2];
    out->max = sorted[s->n - 1];
    free(sorted);
}

/* The group of t in gs: by (abi, nr) for system calls, by (mech, ret_mech) for mechanisms. */
static struct tm_group *group_for(struct tm_groups *gs, const struct tm_transition *t, bool by_nr)
{
    for (size_t i = 0; i < gs->n; i++) {
        struct tm_group *g = &gs->g[i];
        if (by_nr ? (g->abi == t->abi && g->nr == t->nr)
                  : (g->mech == t->mech && g->ret_mech == t->ret_mech))
            return g;
    }
    if (gs->n == gs->cap) {
        size_t cap = gs->cap ? 2 * gs->cap : 16;
        struct tm_group *grown = realloc(gs->g, cap * sizeof *grown);
        if (!grown) return NULL;
        gs->g = grown;
        gs->cap = cap;
    }
    struct tm_group *g = &gs->g[gs->n++];
    memset(g, 0, sizeof *g);
    if (by_nr) {
        g->abi = t->abi;
        g->nr = t->nr;
    } else {
        g->mech = t->mech;
        g->ret_mech = t->ret_mech;
    }
    return g;
}

/* A part is measured when it ended: entry and kernel always (an open crossing's kernel part is
 * what ran until the run ended), exit only after a return. */
static void group_add(struct tm_log *log, struct tm_groups *gs, const struct tm_transition *t,
                      bool by_nr)
{
    struct tm_group *g = group_for(gs, t, by_nr);
    if (!g) {
        log->errors++;
        return;
    }
    g->count++;
    g->returned += t->returned;
    for (int p = 0; p < TM_PART_COUNT; p++) {
        if (p == TM_EXIT && !t->returned) continue;
        for (int k = 0; k < TM_METRIC_COUNT; k++)
            if (series_add(&g->part[p][k], t->count[p][k]) < 0) log->errors++;
    }
}

/* Records the current transition and hands it to on_close. */
static void record(struct tm_log *log)
{
    struct tm_transition *t = &log->cur;
    uint64_t end = t->closed ? t->t_end : now(log);
    uint64_t mi_end = t->closed ? t->mi_end : misses(log);
    if (!t->closed) {
        t->t_end = end;
        t->mi_end = mi_end;
    }
    if (log->phase == TM_IN_ENTRY) { /* the run ended before a kernel instruction */
        t->t_kernel = end;
        t->mi_kernel = mi_end;
    }
    uint64_t kernel_end = t->returned ? t->t_exit : end;
    uint64_t mi_kernel_end = t->returned ? t->mi_exit : mi_end;
    t->count[TM_ENTRY][TM_CYCLES] = t->t_kernel - t->t_entry;
    t->count[TM_KERNEL][TM_CYCLES] = kernel_end - t->t_kernel;
    t->count[TM_EXIT][TM_CYCLES] = t->returned ? end - t->t_exit : 0;
    t->count[TM_ENTRY][TM_MISSES] = t->mi_kernel - t->mi_entry;
    t->count[TM_KERNEL][TM_MISSES] = mi_kernel_end - t->mi_kernel;
    t->count[TM_EXIT][TM_MISSES] = t->returned ? mi_end - t->mi_exit : 0;
    log->transitions++;
    if (t->returned)
        log->returned++;
    else
        log->open_at_end++;
    if (t->abi != TM_ABI_NONE) group_add(log, &log->syscalls, t, true);
    group_add(log, &log->mechanisms, t, false);
    if (log->on_close) log->on_close(log->on_close_opaque, t);
    log->phase = TM_OUTSIDE;
    log->ret_insn_seen = true;
}

static void close_returned(struct tm_log *log)
{
    log->cur.closed = true;
    log->cur.t_end = now(log);
    log->cur.mi_end = misses(log);
    record(log);
}

/* EV_PRIV from the user level: a crossing opens. */
static void open_transition(struct tm_log *log, const struct ev *e)
{
    struct tm_transition *t = &log->cur;
    uint64_t seq = log->transitions;
    memset(t, 0, sizeof *t);
    t->seq = seq;
    t->arch = log->arch;
    t->mech = e->priv.mech;
    t->ret_mech = EV_MECH_NONE;
    t->user = e->priv.from;
    t->kernel = e->priv.to;
    if (log->pending.valid) {
        t->has_cause = true;
        t->interrupt = log->pending.interrupt;
        t->cause = log->pending.vector;
        t->info = log->pending.info;
        t->pc = log->pending.pc;
    } else {
        t->pc = e->pc; /* x86 emits EV_PRIV with the crossing instruction's address */
    }
    log->pending.valid = false;
    t->interrupt = t->interrupt || e->priv.mech == EV_MECH_INTERRUPT;
    /* The instruction that crosses is the entry's; an interrupt comes between instructions. */
    t->count[TM_ENTRY][TM_INSNS] = t->interrupt ? 0 : 1;
    /* The crossing instruction's first cycle: a core that retired it before this EV_PRIV
     * stamped it then; otherwise the trap being delivered now is its cycle. */
    t->t_entry = now(log);
    t->mi_entry = misses(log);
    /* It already retired when the last EV_INSN was it (a core that retires before EV_PRIV). */
    log->trap_insn_seen =
        t->interrupt || (!t->has_cause && log->have_last_insn && log->last_insn_pc == t->pc);
    if (!t->has_cause && log->trap_insn_seen && !t->interrupt) {
        t->t_entry = log->last_insn_time;
        t->mi_entry = log->last_insn_misses;
    }
    t->abi = abi_of(t->mech, e->priv.from_bits, t->has_cause, t->cause);
    if (t->abi != TM_ABI_NONE) {
        /* The number and the arguments as the program left them: trap delivery changes no
         * general register (Priv. spec 3.1.6; SDM Vol. 3A 6.12.1), nor do SYSCALL/SYSENTER in
         * the ones read here. */
        const struct tm_abi_regs *r = tm_abi_regs(t->abi);
        if (!read_reg(log, r->nr, &t->nr)) log->errors++;
        if (t->abi == TM_ABI_I386) t->nr &= 0xffffffffu;
        for (int i = 0; i < TM_SYSCALL_ARGS; i++)
            if (!read_reg(log, r->args[i], &t->args[i])) log->errors++;
    }
    log->phase = TM_IN_ENTRY;
    log->in_user = false;
}

/* EV_PRIV back to the user level. */
static void return_transition(struct tm_log *log, const struct ev *e)
{
    struct tm_transition *t = &log->cur;
    t->returned = true;
    t->ret_mech = e->priv.mech;
    t->count[TM_EXIT][TM_INSNS] = 1;
    t->t_exit = now(log); /* until the returning instruction's own EV_INSN stamps it */
    t->mi_exit = misses(log);
    log->ret_pc = e->pc;
    log->ret_insn_seen = false;
    /* A core that retires the returning instruction before its EV_PRIV: it was counted as
     * kernel work; move it to the exit. */
    if (log->phase == TM_IN_KERNEL && log->have_last_insn && log->last_insn_pc == e->pc &&
        t->count[TM_KERNEL][TM_INSNS] > 0) {
        t->count[TM_KERNEL][TM_INSNS]--;
        t->t_exit = log->last_insn_time;
        t->mi_exit = log->last_insn_misses;
        log->ret_insn_seen = true;
    }
    if (t->abi != TM_ABI_NONE) {
        const struct tm_abi_regs *r = tm_abi_regs(t->abi);
        if (!read_reg(log, r->ret, &t->ret)) log->errors++;
        if (r->ret_bits == 32) t->ret = (uint64_t)(int64_t)(int32_t)(uint32_t)t->ret;
    }
    log->phase = TM_IN_EXIT;
    log->in_user = true;
}

static void on_insn(struct tm_log *log, const struct ev *e)
{
    uint64_t t_now = now(log), mi_now = misses(log);
    switch (log->phase) {
    case TM_OUTSIDE:
        if (log->in_user && !log->ret_insn_seen && e->pc == log->ret_pc) {
            log->ret_insn_seen = true; /* the returning instruction of a return without entry */
            log->kernel_outside_insns++;
        } else if (log->in_user)
            log->user_insns++;
        else
            log->kernel_outside_insns++;
        break;
    case TM_IN_ENTRY:
        /* The crossing instruction retiring after its EV_PRIV (x86 INT n) is already counted. */
        if (!log->trap_insn_seen && e->pc == log->cur.pc) {
            log->trap_insn_seen = true;
            break;
        }
        log->phase = TM_IN_KERNEL; /* the first kernel instruction */
        log->cur.t_kernel = t_now;
        log->cur.mi_kernel = mi_now;
        log->cur.count[TM_KERNEL][TM_INSNS]++;
        break;
    case TM_IN_KERNEL: log->cur.count[TM_KERNEL][TM_INSNS]++; break;
    case TM_IN_EXIT:
        if (!log->ret_insn_seen && e->pc == log->ret_pc) { /* the returning instruction */
            log->ret_insn_seen = true;
            log->cur.t_exit = t_now;
            log->cur.mi_exit = mi_now;
            break;
        }
        close_returned(log); /* the first user instruction */
        log->user_insns++;
        break;
    }
    log->last_insn_pc = e->pc;
    log->last_insn_time = t_now;
    log->last_insn_misses = mi_now;
    log->have_last_insn = true;
    log->pending.valid = false;
}

static void on_exception(struct tm_log *log, const struct ev *e)
{
    if (log->phase == TM_IN_ENTRY || log->phase == TM_IN_KERNEL) {
        log->cur.nested++; /* a trap taken in the kernel */
        if (log->phase == TM_IN_ENTRY) {
            log->cur.t_kernel = now(log);
            log->cur.mi_kernel = misses(log);
        }
        log->phase = TM_IN_KERNEL;
        return;
    }
    /* The first user instruction after a return traps (or an interrupt comes before it). */
    if (log->phase == TM_IN_EXIT) close_returned(log);
    if (!log->in_user) return; /* kernel traps outside a crossing (boot) */
    log->pending.valid = true;
    log->pending.interrupt = e->exception.interrupt;
    log->pending.vector = e->exception.vector;
    log->pending.info = e->exception.info;
    log->pending.pc = e->pc;
}

static void on_priv(struct tm_log *log, const struct ev *e)
{
    bool from_user = e->priv.from == log->user_level, to_user = e->priv.to == log->user_level;
    if (from_user && !to_user) {
        if (log->phase == TM_IN_EXIT) close_returned(log);
        /* Leaving user mode while a crossing is still in the kernel cannot happen on a real
         * core; a synthetic or broken stream records the old one as open. */
        if (log->phase == TM_IN_ENTRY || log->phase == TM_IN_KERNEL) {
            log->errors++;
            record(log);
        }
        open_transition(log, e);
    } else if (to_user && !from_user) {
        if (log->phase == TM_IN_ENTRY || log->phase == TM_IN_KERNEL) {
            return_transition(log, e);
        } else {
            /* A return without an entry: the kernel's first drop to user mode. */
            if (log->phase == TM_IN_EXIT) close_returned(log);
            log->returns_without_entry++;
            log->in_user = true;
            log->ret_pc = e->pc;
            log->ret_insn_seen = false;
            log->pending.valid = false;
        }
    }
    /* Changes between kernel levels (S <-> M) are kernel work of the open crossing, if any. */
}

void tm_log_event(void *opaque, const struct ev *e)
{
    struct tm_log *log = opaque;
    switch (e->kind) {
    case EV_INSN: on_insn(log, e); break;
    case EV_EXCEPTION: on_exception(log, e); break;
    case EV_PRIV: on_priv(log, e); break;
    default: break;
    }
}

/* Where the instructions of a batch go when nothing in them can move a crossing on (only
 * EV_PRIV and EV_EXCEPTION, never in a batch, do that from the kernel part or from user work);
 * NULL when each must be looked at (on_insn). */
static uint64_t *bulk_counter(struct tm_log *log)
{
    return log->phase == TM_IN_KERNEL ? &log->cur.count[TM_KERNEL][TM_INSNS]
           : log->phase != TM_OUTSIDE ? NULL
           : !log->in_user            ? &log->kernel_outside_insns
           : log->ret_insn_seen       ? &log->user_insns
                                      : NULL;
}

/* The last instruction of a batch, as on_insn remembers it. */
static void remember_last(struct tm_log *log, const struct ev *events, unsigned n)
{
    unsigned i = n - 1;
    while (events[i].kind != EV_INSN && events[i].kind != EV_BLOCK)
        i--;
    const struct ev *e = &events[i];
    if (e->kind == EV_INSN) {
        log->last_insn_pc = e->pc;
    } else {
        const struct ev_block *d = e->block.desc;
        log->last_insn_pc = d->pc + d->offset[e->block.first + e->block.n - 1];
    }
    log->last_insn_time = log->stamps[i].time;
    log->last_insn_misses = log->stamps[i].misses;
    log->have_last_insn = true;
    log->pending.valid = false;
}

/* A batch (events.h "Batches"), after the model's: the model stamped each EV_INSN, and each
 * EV_BLOCK's first and last instruction (struct tm_stamp). A core ends its blocks at every
 * instruction that crosses or returns, so only a block's first instruction can close an entry or
 * a return; the ones after it see the phase it leaves and need no stamps but the last's. */
static void log_batch(void *opaque, struct ev *events, unsigned n, unsigned insns)
{
    struct tm_log *log = opaque;
    log->stamped = true;
    for (unsigned i = 0; i < n; i++) {
        const struct ev *e = &events[i];
        if (e->kind != EV_INSN && e->kind != EV_BLOCK) continue;
        uint64_t *bulk = bulk_counter(log);
        if (bulk) { /* the rest of the batch at once */
            *bulk += insns;
            remember_last(log, events, n);
            break;
        }
        if (e->kind == EV_INSN) {
            log->stamp_time = log->stamps[i].time;
            log->stamp_misses = log->stamps[i].misses;
            on_insn(log, e);
            insns--; /* the instructions left in the batch */
            continue;
        }
        const struct ev_block *d = e->block.desc;
        struct ev one = {.kind = EV_INSN};
        for (unsigned k = 0; k < e->block.n; k++) {
            if (k && (bulk = bulk_counter(log)) != NULL) {
                *bulk += insns;
                remember_last(log, events, n);
                log->stamped = false;
                return;
            }
            bool first = k == 0;
            one.pc = d->pc + d->offset[e->block.first + k];
            log->stamp_time = first ? log->stamps[i].time_first : log->stamps[i].time;
            log->stamp_misses = first ? log->stamps[i].misses_first : log->stamps[i].misses;
            on_insn(log, &one);
            insns--;
        }
    }
    log->stamped = false;
}

int tm_log_attach_model(struct tm_log *log, struct machine *m, struct tm_model *model)
{
    tm_log_init(log, m->arch, NULL, NULL);
    log->m = m;
    log->clock = tm_model_clock;
    log->misses = tm_model_misses;
    log->clock_opaque = model;
    model->stamp = true;
    log->stamps = model->stamps;
    return ev_subscribe_batch(&m->events,
                              EV_MASK(EV_INSN) | EV_MASK(EV_BLOCK) | EV_MASK(EV_EXCEPTION) |
                                  EV_MASK(EV_PRIV),
                              tm_log_event, log_batch, log) < 0
               ? -1
               : 0;
}

void tm_log_finish(struct tm_log *log)
{
    if (log->phase == TM_IN_EXIT)
        close_returned(log); /* returned, but the run ended before a user instruction */
    else if (log->phase == TM_IN_ENTRY || log->phase == TM_IN_KERNEL)
        record(log); /* never returned: exit, a killed process, a budget */
}

static void groups_free(struct tm_groups *gs)
{
    for (size_t i = 0; i < gs->n; i++)
        for (int p = 0; p < TM_PART_COUNT; p++)
            for (int k = 0; k < TM_METRIC_COUNT; k++)
                free(gs->g[i].part[p][k].v);
    free(gs->g);
    memset(gs, 0, sizeof *gs);
}

void tm_log_destroy(struct tm_log *log)
{
    groups_free(&log->syscalls);
    groups_free(&log->mechanisms);
}
