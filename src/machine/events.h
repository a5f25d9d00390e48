/* The event stream: what CPU cores tell the rest of ringside.
 *
 * Cores emit one event per retired instruction and per architectural event (memory access,
 * exception, privilege change, MSR/CSR/control-register write, TLB flush, and the explained steps
 * of a transition). Subscribers (counters, the timing model, traces, the monitor) read them; no
 * subscriber changes architectural state (design.md "How data flows"). Every event kind is counted
 * whether or not anyone subscribes; dispatch to subscribers costs only for the kinds they asked
 * for.
 */
#ifndef RINGSIDE_MACHINE_EVENTS_H
#define RINGSIDE_MACHINE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define EV_KINDS(X)                                                                                \
    X(INSN, "insn")           /* an instruction retired */                                         \
    X(MEM, "mem")             /* a data access, after translation */                               \
    X(EXCEPTION, "exception") /* an exception or interrupt is being delivered */                   \
    X(PRIV, "priv")           /* the privilege level changed */                                    \
    X(SYSREG, "sysreg")       /* an MSR, CSR or control register was written */                    \
    X(TLB_FLUSH, "tlb-flush") /* sfence.vma, invlpg, a satp or CR3 write */                        \
    X(EXPLAIN, "explain")     /* one step of a transition: "RIP <- LSTAR" */                       \
    X(BLOCK, "block")         /* instructions of a decoded block retired (see "Blocks") */

enum ev_kind {
#define X(name, text) EV_##name,
    EV_KINDS(X)
#undef X
        EV_KIND_COUNT
};
/* The kinds that say what happened, for reports: EV_BLOCK (last) is a form in which instructions
 * travel, which depends on who listens, and is counted in EV_INSN as well. */
#define EV_KINDS_REPORTED EV_BLOCK

/* How a privilege change happened; shared by both architectures so that transition accounting,
 * traces and the monitor name mechanisms the same way. */
#define EV_MECHS(X)                                                                                \
    X(NONE, "none")                                                                                \
    X(EXCEPTION, "exception")                                                                      \
    X(INTERRUPT, "interrupt")                                                                      \
    X(ECALL, "ecall")                                                                              \
    X(SRET, "sret")                                                                                \
    X(MRET, "mret")                                                                                \
    X(INT, "int")                                                                                  \
    X(IRET, "iret")                                                                                \
    X(SYSCALL, "syscall")                                                                          \
    X(SYSRET, "sysret")                                                                            \
    X(SYSENTER, "sysenter")                                                                        \
    X(SYSEXIT, "sysexit")                                                                          \
    X(FAR_TRANSFER, "far-transfer")

enum ev_mech {
#define X(name, text) EV_MECH_##name,
    EV_MECHS(X)
#undef X
        EV_MECH_COUNT
};

enum ev_mem_type { EV_MEM_READ, EV_MEM_WRITE, EV_MEM_FETCH };

/* Blocks (design.md "Speed": the timing model's static part is priced per decoded block).
 * A straight-line run of instructions that a core decoded once, described for the subscribers:
 * owned by the core, which keeps it unchanged while a queued EV_BLOCK refers to it (it hands
 * the queue over, ev_flush, before it rebuilds one). */
#define EV_BLOCK_INSNS 32
struct ev_block {
    uint64_t pc;                     /* the first instruction's address */
    uint32_t id;                     /* new whenever the core (re)builds a block: memo identity */
    uint16_t n;                      /* instructions */
    uint16_t offset[EV_BLOCK_INSNS]; /* each instruction's address - pc */
    uint64_t key[EV_BLOCK_INSNS];    /* each instruction's identity, as ev_insn_key */
};
enum ev_sysreg_space { EV_SYSREG_CSR, EV_SYSREG_MSR, EV_SYSREG_CR, EV_SYSREG_DR, EV_SYSREG_SEG };

struct ev {
    enum ev_kind kind;
    uint64_t pc; /* address of the instruction the event belongs to */
    union {
        struct {
            uint16_t op_class; /* the core's operation class (timing) */
            uint8_t len;       /* instruction length in bytes */
            uint32_t raw;      /* RISC-V: the 32-bit instruction executed (a compressed one
                                  expanded), for register dependences in the timing model;
                                  x86: 0 */
        } insn;
        struct {
            uint64_t vaddr, paddr;
            uint8_t size;
            uint8_t type; /* enum ev_mem_type */
        } mem;
        struct {
            uint32_t vector; /* RISC-V cause code / x86 vector */
            bool interrupt;  /* asynchronous */
            uint64_t info;   /* RISC-V xtval / x86 error code */
        } exception;
        struct {
            uint8_t from, to;  /* privilege levels: RISC-V 0=U 1=S 3=M; x86 CPL */
            uint8_t mech;      /* enum ev_mech */
            uint8_t from_bits; /* code size of the code that left (x86: 16/32/64); 0: not given.
                                * Picks the system-call ABI of SYSCALL and SYSENTER. */
        } priv;
        struct {
            uint8_t space; /* enum ev_sysreg_space */
            uint32_t number;
            uint64_t old_value, new_value;
        } sysreg;
        struct {
            uint64_t vaddr; /* UINT64_MAX: every address */
            uint32_t asid;  /* UINT32_MAX: every address space */
        } tlb_flush;
        struct {
            const char *text; /* static string, "RIP <- LSTAR" */
            uint64_t value;
        } explain;
        /* Instructions first .. first + n - 1 of desc retired, in order (pc: the first of them's
         * address); their EV_MEMs were queued before this event. Only in batches. */
        struct {
            const struct ev_block *desc;
            uint16_t first, n;
        } block;
    };
};

/* ev_insn_key's layout of ev.insn */
_Static_assert(offsetof(struct ev, insn.op_class) + 2 == offsetof(struct ev, insn.len) &&
                   offsetof(struct ev, insn.len) + 2 == offsetof(struct ev, insn.raw),
               "ev.insn: op_class, len, a pad byte, raw");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "a little-endian host");

typedef void (*ev_handler)(void *opaque, const struct ev *event);
/* A subscriber's batch handler: the queued events, in order (see "Batches" below), insns of them
 * EV_INSN. It may write
 * into them. */
typedef void (*ev_batch_handler)(void *opaque, struct ev *events, unsigned n, unsigned insns);

#define EV_MAX_SUBSCRIBERS 8

/* Batches (design.md "Speed": the cores hand the model blocks, not single instructions).
 * EV_INSN and EV_MEM come once per retired instruction and per data access. When every
 * subscriber that wants them gives a batch handler, they are queued instead of dispatched, and
 * handed over as one array: when the queue is full, before any other event is dispatched (so
 * subscribers see every event in order), when someone reads guest time (machine_now), and when a
 * core's run returns. A subscriber that moves guest time (the timing model) says how much one
 * queued event can move it at most (batch_cost); the queue is handed over as soon as the queued
 * events could have brought guest time to the run's limit, so that the core stops after the same
 * instruction as it would with one dispatch per event. */
#define EV_BATCH_MAX       256
#define EV_BATCH_UNITS_MAX (16 * EV_BATCH_MAX) /* blocks count as their instructions */
#define EV_BATCHABLE       (EV_MASK(EV_INSN) | EV_MASK(EV_MEM) | EV_MASK(EV_BLOCK))

/* Blocks, continued. A core may report retired instructions as EV_BLOCK instead of one EV_INSN
 * each when stream->blocks says so: every subscriber that wants EV_INSN takes batches and wants
 * EV_BLOCK too. A block event stands for its n instructions everywhere: count[EV_INSN] grows by
 * n, the batch handlers' insns count them, and the run's limit is checked against n times an
 * instruction's bound ("units" below). The protocol, for a core executing a block:
 *   - ev_block_fits(stream, n, accesses) before it starts: false when the queue could reach the
 *     run's limit inside the block (then it steps one instruction at a time, with EV_INSN);
 *   - ev_block_open(stream, desc, &pc) with the address of its current-instruction pc;
 *   - each instruction's EV_MEMs as usual;
 *   - ev_block_close(stream, k) when it stops before instruction k (a trap: k is the faulting
 *     one; the end: k = desc->n), which queues the EV_BLOCK of what retired.
 * A hand-over while a block is open (guest time read by a device, a trap's event) first queues
 * the instructions before *pc as an EV_BLOCK, so that subscribers see them in order. */

struct ev_stream {
    uint64_t count[EV_KIND_COUNT];
    uint32_t wanted;  /* union of the subscribers' masks: kinds worth dispatching */
    uint32_t batched; /* of them, the kinds that are queued (EV_BATCHABLE, see above) */
    unsigned n_subs;
    struct {
        ev_handler handler;
        ev_batch_handler batch; /* NULL: one event at a time */
        void *opaque;
        uint32_t mask; /* 1u << EV_x for each kind wanted */
    } subs[EV_MAX_SUBSCRIBERS];

    bool blocks; /* cores may emit EV_BLOCK (see "Blocks") */

    /* The queue. */
    unsigned batch_n;
    unsigned batch_insns; /* instructions in it: EV_INSN, and the n of each EV_BLOCK */
    unsigned batch_extra; /* units beyond one per event: n - 1 for each EV_BLOCK */
    /* Hand the queue over when it holds this many events: at most EV_BATCH_MAX, and fewer when
     * the run's limit is near (see below), less batch_extra. */
    unsigned batch_cap;
    /* The open block (ev_block_open): instructions first.. of desc; *pc is the current one's. */
    const struct ev_block *open_desc;
    unsigned open_first;
    const uint64_t *open_pc;
    uint32_t batch_cost[EV_KIND_COUNT];  /* most guest time one queued event of a kind adds */
    const uint64_t *clock, *clock_limit; /* guest time and the run's limit; NULL: no limit */
    uint64_t batches, batch_overruns;    /* hand-overs; ones whose time exceeded the bound */
    struct ev batch[EV_BATCH_MAX + 1];   /* one spare: the open block's part at a hand-over */
};

#define EV_MASK(kind) (1u << (kind))
#define EV_MASK_ALL   ((1u << EV_KIND_COUNT) - 1)

void ev_stream_init(struct ev_stream *stream);
/* Returns a handle (>= 0) for ev_unsubscribe, or -1 when all slots are taken. */
int ev_subscribe(struct ev_stream *stream, uint32_t mask, ev_handler handler, void *opaque);
/* ev_subscribe with a batch handler for the kinds in EV_BATCHABLE (handler gets the others). */
int ev_subscribe_batch(struct ev_stream *stream, uint32_t mask, ev_handler handler,
                       ev_batch_handler batch, void *opaque);
void ev_unsubscribe(struct ev_stream *stream, int handle);
/* Hands the queued events to the batch handlers (in subscription order) and empties the queue. */
void ev_flush(struct ev_stream *stream);
/* The run's limit changed (or guest time moved outside a batch): recompute batch_cap, the
 * number of queued events after which they could have brought guest time to the limit. */
void ev_batch_limit_changed(struct ev_stream *stream);

/* Calls the subscribers that want the event's kind, in subscription order. Inline: the cores call
 * it for every retired instruction when the timing model listens (always), so the call into the
 * subscriber is the only one left on that path. An unsubscribed slot has mask 0. */
static inline void ev_dispatch(struct ev_stream *stream, const struct ev *event)
{
    uint32_t bit = EV_MASK(event->kind);
    for (unsigned i = 0; i < stream->n_subs; i++)
        if (stream->subs[i].mask & bit) stream->subs[i].handler(stream->subs[i].opaque, event);
}

/* The queue's next slot for an event of a batched kind: the caller fills it and calls ev_queued,
 * which hands the queue over when it reaches batch_cap. */
static inline struct ev *ev_queue_slot(struct ev_stream *stream)
{
    return &stream->batch[stream->batch_n];
}

static inline void ev_queued(struct ev_stream *stream)
{
    if (++stream->batch_n >= stream->batch_cap) ev_flush(stream);
}

/* Whether a hand-over has anything to hand over (queued events or an open block's part). */
static inline bool ev_pending(const struct ev_stream *stream)
{
    return stream->batch_n || stream->open_desc;
}

/* Blocks (see above). Whether a block of n instructions making at most accesses EV_MEMs can run
 * without the queue reaching the run's limit inside it; the queue is handed over first if that
 * makes room. */
static inline bool ev_block_fits(struct ev_stream *stream, unsigned n, unsigned accesses)
{
    /* after it: batch_n + accesses + 1 events against a cap lower by n - 1 */
    if (stream->batch_n + accesses + n < stream->batch_cap) return true;
    if (ev_pending(stream)) ev_flush(stream);
    return accesses + n < stream->batch_cap;
}

static inline void ev_block_open(struct ev_stream *stream, const struct ev_block *desc,
                                 const uint64_t *pc)
{
    stream->open_desc = desc;
    stream->open_first = 0;
    stream->open_pc = pc;
}

/* Puts the EV_BLOCK of instructions first .. first + n - 1 of desc in the queue (the caller hands
 * the queue over when due; ev_flush uses the spare slot). */
static inline void ev_put_block(struct ev_stream *stream, const struct ev_block *desc,
                                unsigned first, unsigned n)
{
    stream->count[EV_INSN] += n;
    stream->count[EV_BLOCK]++;
    struct ev *e = &stream->batch[stream->batch_n++];
    e->kind = EV_BLOCK;
    e->pc = desc->pc + desc->offset[first];
    e->block.desc = desc;
    e->block.first = (uint16_t)first;
    e->block.n = (uint16_t)n;
    stream->batch_insns += n;
    stream->batch_extra += n - 1;
    stream->batch_cap = stream->batch_cap > n - 1 ? stream->batch_cap - (n - 1) : 0;
}

/* The open block stops before its instruction end (end = desc->n: all of it retired). */
static inline void ev_block_close(struct ev_stream *stream, unsigned end)
{
    const struct ev_block *desc = stream->open_desc;
    unsigned first = stream->open_first;
    stream->open_desc = NULL;
    if (end <= first) return;
    ev_put_block(stream, desc, first, end - first);
    if (stream->batch_n >= stream->batch_cap) ev_flush(stream);
}

const char *ev_kind_name(enum ev_kind kind);
const char *ev_mech_name(enum ev_mech mech);

/* The first 8 bytes of ev.insn (op_class, len, a zero pad byte, raw) as one word: an
 * instruction's identity for the timing model's block memo. ev_emit_insn stores them whole. */
static inline uint64_t ev_insn_key(const struct ev *e)
{
    uint64_t key;
    memcpy(&key, &e->insn, sizeof key);
    return key;
}

/* The cores' two per-instruction events, built straight into the queue when they are batched. */
static inline void ev_emit_insn(struct ev_stream *stream, uint64_t pc, uint16_t op_class,
                                uint8_t len, uint32_t raw)
{
    stream->count[EV_INSN]++;
    if (!(stream->wanted & EV_MASK(EV_INSN))) return;
    struct ev local, *e = (stream->batched & EV_MASK(EV_INSN)) ? ev_queue_slot(stream) : &local;
    e->kind = EV_INSN;
    e->pc = pc;
    /* op_class at offset 0, len at 2, a pad byte at 3, raw at 4 (little-endian host) */
    uint64_t key = op_class | (uint64_t)len << 16 | (uint64_t)raw << 32;
    memcpy(&e->insn, &key, sizeof key);
    if (e != &local) {
        stream->batch_insns++;
        ev_queued(stream);
        return;
    }
    if (ev_pending(stream)) ev_flush(stream);
    ev_dispatch(stream, e);
}

static inline void ev_emit_mem(struct ev_stream *stream, uint64_t pc, uint64_t vaddr,
                               uint64_t paddr, uint8_t size, uint8_t type)
{
    stream->count[EV_MEM]++;
    if (!(stream->wanted & EV_MASK(EV_MEM))) return;
    struct ev local, *e = (stream->batched & EV_MASK(EV_MEM)) ? ev_queue_slot(stream) : &local;
    e->kind = EV_MEM;
    e->pc = pc;
    e->mem.vaddr = vaddr;
    e->mem.paddr = paddr;
    e->mem.size = size;
    e->mem.type = type;
    if (e != &local) {
        ev_queued(stream);
        return;
    }
    if (ev_pending(stream)) ev_flush(stream);
    ev_dispatch(stream, e);
}

/* The hot path: count, and dispatch only if a subscriber wants this kind; queue it if it is
 * batched, and hand the queue over first if it is not (events stay in order). */
static inline void ev_emit(struct ev_stream *stream, const struct ev *event)
{
    stream->count[event->kind]++;
    uint32_t bit = EV_MASK(event->kind);
    if (!(stream->wanted & bit)) return;
    if (stream->batched & bit) {
        *ev_queue_slot(stream) = *event;
        stream->batch_insns += event->kind == EV_INSN;
        ev_queued(stream);
        return;
    }
    if (ev_pending(stream)) ev_flush(stream);
    ev_dispatch(stream, event);
    /* a trap or a privilege change may have moved guest time (the timing model) */
    if (stream->batched) ev_batch_limit_changed(stream);
}

#endif
