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
#include <stdint.h>

#define EV_KINDS(X)                                                                                \
    X(INSN, "insn")           /* an instruction retired */                                         \
    X(MEM, "mem")             /* a data access, after translation */                               \
    X(EXCEPTION, "exception") /* an exception or interrupt is being delivered */                   \
    X(PRIV, "priv")           /* the privilege level changed */                                    \
    X(SYSREG, "sysreg")       /* an MSR, CSR or control register was written */                    \
    X(TLB_FLUSH, "tlb-flush") /* sfence.vma, invlpg, a satp or CR3 write */                        \
    X(EXPLAIN, "explain")     /* one step of a transition: "RIP <- LSTAR" */

enum ev_kind {
#define X(name, text) EV_##name,
    EV_KINDS(X)
#undef X
        EV_KIND_COUNT
};

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
    };
};

typedef void (*ev_handler)(void *opaque, const struct ev *event);

#define EV_MAX_SUBSCRIBERS 8

struct ev_stream {
    uint64_t count[EV_KIND_COUNT];
    uint32_t wanted; /* union of the subscribers' masks: kinds worth dispatching */
    unsigned n_subs;
    struct {
        ev_handler handler;
        void *opaque;
        uint32_t mask; /* 1u << EV_x for each kind wanted */
    } subs[EV_MAX_SUBSCRIBERS];
};

#define EV_MASK(kind) (1u << (kind))
#define EV_MASK_ALL   ((1u << EV_KIND_COUNT) - 1)

void ev_stream_init(struct ev_stream *stream);
/* Returns a handle (>= 0) for ev_unsubscribe, or -1 when all slots are taken. */
int ev_subscribe(struct ev_stream *stream, uint32_t mask, ev_handler handler, void *opaque);
void ev_unsubscribe(struct ev_stream *stream, int handle);

/* Calls the subscribers that want the event's kind, in subscription order. Inline: the cores call
 * it for every retired instruction when the timing model listens (always), so the call into the
 * subscriber is the only one left on that path. An unsubscribed slot has mask 0. */
static inline void ev_dispatch(struct ev_stream *stream, const struct ev *event)
{
    uint32_t bit = EV_MASK(event->kind);
    for (unsigned i = 0; i < stream->n_subs; i++)
        if (stream->subs[i].mask & bit) stream->subs[i].handler(stream->subs[i].opaque, event);
}

const char *ev_kind_name(enum ev_kind kind);
const char *ev_mech_name(enum ev_mech mech);

/* The hot path: count, and dispatch only if a subscriber wants this kind. */
static inline void ev_emit(struct ev_stream *stream, const struct ev *event)
{
    stream->count[event->kind]++;
    if (stream->wanted & EV_MASK(event->kind)) ev_dispatch(stream, event);
}

#endif
