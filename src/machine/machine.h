/* The machine: guest RAM and devices on a bus, one CPU, the event stream, and the run loop.
 *
 * The run loop is the only place that decides when the CPU runs and when it stops (design.md
 * "Conventions": only the run loop and trap delivery change control flow). A run ends with exactly
 * one stop reason and, for a guest exit, the guest's exit status.
 */
#ifndef RINGSIDE_MACHINE_MACHINE_H
#define RINGSIDE_MACHINE_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "machine/bus.h"
#include "machine/events.h"

/* ringside's own exit statuses; a guest exit passes the guest's status through unchanged. */
enum {
    EXIT_HOST_ERROR = 1,    /* the host failed (out of memory, I/O error) */
    EXIT_USAGE = 2,         /* bad command line or bad input file */
    EXIT_NOT_BUILT = 3,     /* the requested part of ringside does not exist yet */
    EXIT_BUDGET = 124,      /* --max-insns / --max-cycles ran out (as timeout(1) reports) */
    EXIT_GUEST_FATAL = 125, /* the guest cannot go on: triple fault, fault in its kernel, hang */
};

enum mach_arch { ARCH_NONE = 0, ARCH_RISCV64, ARCH_I386, ARCH_X86_64 };
const char *mach_arch_name(enum mach_arch arch);

#define STOP_REASONS(X)                                                                            \
    X(NONE, "running")                                                                             \
    X(EXIT, "guest exit")                                                                          \
    X(INSN_BUDGET, "instruction budget exhausted")                                                 \
    X(CYCLE_BUDGET, "cycle budget exhausted")                                                      \
    X(BREAKPOINT, "breakpoint")                                                                    \
    X(FATAL, "fatal guest state")                                                                  \
    X(HOST_ERROR, "host error")

enum stop_reason {
#define X(name, text) STOP_##name,
    STOP_REASONS(X)
#undef X
};
const char *stop_reason_name(enum stop_reason reason);

struct machine;

/* Register state the platform's firmware leaves for the kernel (loader -> CPU core). */
struct boot_state {
    uint64_t entry; /* pc / eip */
    uint64_t arg0;  /* RISC-V a0 = hart id;   x86 EAX = 0x2BADB002 */
    uint64_t arg1;  /* RISC-V a1 = FDT address; x86 EBX = Multiboot information address */
};

/* What a CPU core offers the run loop. */
struct cpu_ops {
    const char *name;
    /* Execute instructions while m->insns < m->limit_insns, m->time < m->limit_time and
     * m->exit_request is clear. The core increments m->insns for every retired instruction,
     * advances m->time, and emits its events into m->events. A core waiting for an interrupt (wfi,
     * hlt) lets time pass: it sets m->time to m->limit_time and returns. */
    void (*run)(void *cpu);
    /* Architectural register dump, for fatal stops and the monitor. */
    void (*dump)(void *cpu, FILE *out);
    void (*destroy)(void *cpu);
    /* Registers by name, for traces, transition accounting and the monitor: general registers
     * by architectural and ABI names ("x17"/"a7", "rax"/"eax"), "pc", the privilege level
     * "priv" (numbered as EV_PRIV numbers it), and system registers (CSRs by name, x86 control
     * registers, segment selectors, MSRs by table name). false: no such register. set_reg
     * follows the register's write rules (WARL), not the privilege checks of instructions. */
    bool (*get_reg)(void *cpu, const char *name, uint64_t *value);
    bool (*set_reg)(void *cpu, const char *name, uint64_t value);
};

/* A device whose state changes with guest time (timers). next_deadline is the guest time at which
 * it next needs tick() (UINT64_MAX: none); the run loop stops the CPU exactly there, so results do
 * not depend on how the run is sliced (stepping gives the same results as running). */
struct machine_clocked {
    uint64_t (*next_deadline)(void *dev);
    void (*tick)(void *dev, uint64_t now);
    void *dev;
};

#define MACHINE_MAX_CLOCKED 4
#define MACHINE_LINE_INTR   63 /* the interrupt controller's output (x86 INTR); see int_ack */
#define MACHINE_MAX_OWNED   16

/* A core's constructor: creates the CPU in its reset-and-booted state (boot), sets m->cpu and
 * m->cpu_ops. Returns 0, or -1 with a message. */
typedef int (*cpu_attach_fn)(struct machine *m, const struct boot_state *boot, char *err,
                             size_t errlen);

struct machine {
    enum mach_arch arch;
    struct bus bus;
    struct ev_stream events;

    /* CPU */
    void *cpu;
    const struct cpu_ops *cpu_ops;
    uint64_t insns;       /* instructions retired so far */
    uint64_t time;        /* guest time in machine clock ticks (see machine_now) */
    uint64_t limit_insns; /* set by the run loop for cpu_ops->run */
    uint64_t limit_time;
    uint64_t irq_lines;        /* level of each platform interrupt line (bit = line) */
    volatile int exit_request; /* set by devices and stop requests: the core returns soon */

    /* Budgets (0: none) and the outcome. */
    uint64_t max_insns;
    uint64_t max_cycles;
    struct {
        enum stop_reason reason;
        int exit_status;
        char detail[256];
    } stop;

    /* The platform's real-time counter as the guest reads it (RISC-V `time` CSR = CLINT mtime),
     * installed by the timer device; NULL when the platform has none. */
    uint64_t (*read_timer)(void *dev);
    void *timer_dev;

    /* The platform's interrupt controller as an x86 CPU acknowledges it (the INTA cycle): the
     * vector of the highest-priority pending request, which goes in service, or -1 when none is
     * left. Its output, the CPU's INTR input, is line MACHINE_LINE_INTR of irq_lines. NULL:
     * none. */
    int (*int_ack)(void *dev);
    void *int_dev;
    /* Called by machine_set_irq with the new levels when a line changes, so the controller sees
     * its inputs' edges. NULL: none. */
    void (*int_lines_changed)(void *dev, uint64_t lines);

    struct machine_clocked clocked[MACHINE_MAX_CLOCKED];
    unsigned n_clocked;
    struct {
        void *object;
        void (*destroy)(void *object);
    } owned[MACHINE_MAX_OWNED];
    unsigned n_owned;
};

int machine_init(struct machine *m, enum mach_arch arch, uint64_t ram_base, uint64_t ram_size,
                 char *err, size_t errlen);
/* Destroys the CPU and every owned device, then RAM. */
void machine_destroy(struct machine *m);

/* The machine takes ownership of object (a device): destroy(object) runs in machine_destroy. */
int machine_own(struct machine *m, void *object, void (*destroy)(void *object));
int machine_add_clocked(struct machine *m, const struct machine_clocked *clocked);

/* Hands queued events over (events.h "Batches"), so that m->time includes every instruction
 * retired so far. Whoever reads or sets guest time while a core runs calls this first. */
static inline void machine_sync(struct machine *m)
{
    if (ev_pending(&m->events)) ev_flush(&m->events);
}

/* A core retired an instruction: one more instruction and one tick of guest time. Two 8-byte
 * additions: merged into one 16-byte one (as a vectorizing compiler does), the first after the
 * timing model's 8-byte store of m->time would wait for it (no store-to-load forwarding). */
static inline void machine_retired(struct machine *m)
{
    m->insns++;
    __asm__("" : "+m"(m->insns));
    m->time++;
}

/* The host bytes of the decoded block a core is running (events.h "Blocks"): a store into them,
 * or a device access (a device may write RAM in turn), marks the watch written, and the core
 * ends the block after that instruction, so that what follows is fetched again, as one step at
 * a time would. The range begins 7 bytes early: one compare covers a store of up to 8 bytes
 * that begins before the block and reaches into it. */
struct code_watch {
    uintptr_t lo, len; /* len 0: no block running */
    bool written;
};

static inline void code_watch_begin(struct code_watch *w, const uint8_t *host, unsigned size)
{
    w->lo = (uintptr_t)host - 7;
    w->len = size + 7u;
    w->written = false;
}

static inline void code_watch_end(struct code_watch *w)
{
    w->len = 0;
}

/* A store of up to 8 bytes into RAM at host address p. */
static inline void code_watch_store(struct code_watch *w, const uint8_t *p)
{
    if ((uintptr_t)p - w->lo < w->len) w->written = true;
}

/* A device access, read or write. */
static inline void code_watch_device(struct code_watch *w)
{
    if (w->len) w->written = true;
}

/* Guest time in ticks of the machine clock: a core advances it by one per retired instruction,
 * and the timing model (src/timing) by the rest of the instruction's cycles. */
static inline uint64_t machine_now(struct machine *m)
{
    machine_sync(m);
    return m->time;
}

/* Raise or lower platform interrupt line 'line'. Wakes the core so it samples interrupts. */
void machine_set_irq(struct machine *m, unsigned line, bool level);

/* The first stop request wins; later ones are ignored. */
void machine_request_stop(struct machine *m, enum stop_reason reason, int exit_status,
                          const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Forgets a STOP_BREAKPOINT stop (the monitor's), so the next machine_run()/machine_step()
 * continues the same run; any other stop reason is final and stays. */
void machine_clear_stop(struct machine *m);

/* Run until a stop is requested or a budget runs out. Returns the stop reason. */
enum stop_reason machine_run(struct machine *m);
/* Run at most n more instructions (the monitor's step); returns the stop reason, STOP_NONE when
 * the n instructions ran and nothing else stopped the machine. */
enum stop_reason machine_step(struct machine *m, uint64_t n);

/* The process exit status for how the run ended (guest status, or one of the EXIT_ codes). */
int machine_exit_status(const struct machine *m);

#endif
