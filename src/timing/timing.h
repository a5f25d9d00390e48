/* Timing: transition accounting from the event stream, the syscall log and its reports.
 *
 * Files:
 *   transitions.c   the subscriber: recognises each crossing from user to kernel mode and its
 *                   return, splits it into entry / kernel / exit, and aggregates per system call
 *                   and per mechanism (design.md "Timing", last paragraph)
 *   syscall_names.c Linux system-call names by number (riscv64 asm-generic, i386, x86_64), errno
 *                   names, RISC-V trap-cause names
 *   report.c        the --trace=syscalls line and the --report tables (text, json, csv)
 *   timeline.c      --timeline: Chrome trace-event JSON
 *   model.c         the cycle model (below); cache.c its caches and TLBs
 *   profile_u74.c   RISC-V timing profiles (u74, rocket); profile_x86.c x86 ones (intel, amd)
 *                   and the profile lookup
 *
 * What is counted: instructions, cycles and misses per part (enum tm_metric). A crossing opens at
 * the EV_PRIV event that leaves the user level (RISC-V U = 0, x86 CPL 3) and closes at the first
 * user instruction after the EV_PRIV event that comes back. entry   the instruction that leaves
 * user mode (ecall, int, syscall, sysenter, the faulting instruction), counted even when it does
 * not retire (design.md "Counting rule": ecall and faulting instructions do not); 0 for an
 * interrupt, which has no instruction kernel  every instruction retired from the first kernel
 * instruction up to the returning instruction, excluded; nested traps in the kernel (any level
 * above user) included exit    the returning instruction (sret, mret, iret, sysret, sysexit)
 * (instructions; cycles and misses run between the first cycles of the parts, see TM_METRICS).
 * Each part keeps one value per metric; the reports print one column group per metric.
 */
#ifndef RINGSIDE_TIMING_TIMING_H
#define RINGSIDE_TIMING_TIMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "machine/events.h"
#include "machine/machine.h"

/* The parts of a transition (design.md "Timing"). */
enum tm_part { TM_ENTRY, TM_KERNEL, TM_EXIT, TM_PART_COUNT };
const char *tm_part_name(enum tm_part part); /* "entry", "kernel", "exit" */

/* What is measured per part: retired instructions, cycles of guest time as the timing model
 * (model.c) prices them, and the model's cache and TLB misses (L1I, L1D, I-TLB, D-TLB), each
 * counted with the instruction that takes it. Cycles of a part run from the first cycle of its
 * first instruction to the first cycle of the next part's first instruction (design.md "Timing").
 */
#define TM_METRICS(X) X(INSNS, "insns") X(CYCLES, "cycles") X(MISSES, "misses")
enum tm_metric {
#define X(name, text) TM_##name,
    TM_METRICS(X)
#undef X
        TM_METRIC_COUNT
};
const char *tm_metric_name(enum tm_metric metric);

/* Linux system-call ABIs: which table names the number and which registers hold the number, the
 * first arguments and the result (man 2 syscall, "Architecture calling conventions"). */
enum tm_abi { TM_ABI_NONE, TM_ABI_RISCV64, TM_ABI_I386, TM_ABI_X86_64, TM_ABI_COUNT };
#define TM_SYSCALL_ARGS 3 /* arguments the log keeps and prints */

struct tm_abi_regs {
    const char *name;                  /* "riscv64", "i386", "x86_64" */
    const char *nr;                    /* "a7", "eax", "rax" */
    const char *args[TM_SYSCALL_ARGS]; /* a0-a2, ebx/ecx/edx, rdi/rsi/rdx */
    const char *ret;                   /* "a0", "eax", "rax" */
    unsigned ret_bits;                 /* 64, or 32 for i386's eax */
};
const struct tm_abi_regs *tm_abi_regs(enum tm_abi abi);

/* One name table row: a Linux system-call number, its name and how many arguments it takes. */
struct tm_syscall_name {
    uint32_t number;
    uint8_t nargs;
    const char *name;
};
/* The table of abi, sorted by number. */
const struct tm_syscall_name *tm_syscall_table(enum tm_abi abi, size_t *count);
/* The row for number, or NULL when the table does not name it (printed as "syscall_<n>"). */
const struct tm_syscall_name *tm_syscall_lookup(enum tm_abi abi, uint64_t number);
/* "EFAULT" for 14, or NULL (Linux errno numbers, the same on riscv64, i386 and x86_64). */
const char *tm_errno_name(uint64_t err);
/* "load page fault" for a RISC-V exception cause, "supervisor timer" for an interrupt
 * (Priv. spec Table 4.2, scause); NULL when the code is reserved. */
const char *tm_riscv_cause_name(uint32_t cause, bool interrupt);

/* One crossing from user mode into the kernel and, if it came, its return. */
struct tm_transition {
    uint64_t seq;         /* 0 for the run's first crossing, then 1, 2, ... */
    enum mach_arch arch;  /* the machine's architecture */
    uint8_t mech;         /* enum ev_mech of the crossing out of user mode */
    uint8_t ret_mech;     /* enum ev_mech of the return; EV_MECH_NONE while none came */
    uint8_t user, kernel; /* privilege levels: from and to (EV_PRIV numbering) */
    bool has_cause;       /* an EV_EXCEPTION came with it (exceptions, interrupts, ecall) */
    bool interrupt;       /* asynchronous: no instruction left user mode */
    uint32_t cause;       /* RISC-V cause code / x86 vector */
    uint64_t info;        /* RISC-V xtval / x86 error code */
    uint64_t pc;          /* the instruction that left user mode (or would have run next) */
    enum tm_abi abi;      /* TM_ABI_NONE: not a system call */
    uint64_t nr;          /* system-call number, read at entry */
    uint64_t args[TM_SYSCALL_ARGS];
    uint64_t ret;    /* the result register at the return, sign-extended */
    bool returned;   /* a return to user mode came */
    bool closed;     /* the first user instruction after the return came */
    uint32_t nested; /* exceptions and interrupts taken in the kernel meanwhile */
    uint64_t count[TM_PART_COUNT][TM_METRIC_COUNT];
    /* Guest time (the log's clock) where the parts begin and where the crossing ends: entry at
     * t_entry, kernel at t_kernel, exit at t_exit, the first user instruction at t_end. */
    uint64_t t_entry, t_kernel, t_exit, t_end;
    uint64_t mi_entry, mi_kernel, mi_exit, mi_end; /* the miss counter at the same points */
};

/* Values of one part and metric over a group of transitions, for min / median / max. */
struct tm_series {
    uint64_t *v;
    size_t n, cap;
};
struct tm_stats {
    size_t n;
    uint64_t min, median, max; /* median: the lower middle value when n is even */
};
void tm_series_stats(const struct tm_series *s, struct tm_stats *out);

/* Transitions aggregated by system call (abi, nr) or by mechanism (mech, ret_mech). */
struct tm_group {
    enum tm_abi abi;
    uint64_t nr;
    uint8_t mech, ret_mech;
    uint64_t count, returned;
    struct tm_series part[TM_PART_COUNT][TM_METRIC_COUNT];
};
struct tm_groups {
    struct tm_group *g;
    size_t n, cap;
};

enum tm_phase { TM_OUTSIDE, TM_IN_ENTRY, TM_IN_KERNEL, TM_IN_EXIT };

typedef void (*tm_transition_fn)(void *opaque, const struct tm_transition *t);

struct tm_log {
    enum mach_arch arch;
    unsigned user_level; /* RISC-V U = 0; x86 CPL 3 */
    const struct cpu_ops *ops;
    void *cpu;
    const struct machine *m; /* tm_log_attach: cpu and cpu_ops are read from it when needed */

    enum tm_phase phase;
    bool in_user;
    struct tm_transition cur;
    bool trap_insn_seen, ret_insn_seen;
    uint64_t ret_pc, last_insn_pc;
    bool have_last_insn;
    struct { /* the last EV_EXCEPTION taken in user mode, for the EV_PRIV that follows */
        bool valid, interrupt;
        uint32_t vector;
        uint64_t info, pc;
    } pending;

    uint64_t transitions, returned, open_at_end, returns_without_entry, errors;
    uint64_t user_insns, kernel_outside_insns; /* instructions outside any transition */
    struct tm_groups syscalls, mechanisms;

    tm_transition_fn on_close; /* each transition when it closes, and at tm_log_finish */
    void *on_close_opaque;

    /* Cycles: the clock gives the first cycle of the event being handled (the timing model's
     * tm_model_clock); without one, m->time (one tick per instruction) is used. */
    uint64_t (*clock)(void *opaque);
    uint64_t (*misses)(void *opaque); /* tm_model_misses, with clock_opaque; NULL: none */
    void *clock_opaque;
    uint64_t last_insn_time, last_insn_misses; /* stamps of the last EV_INSN */
    bool stamped; /* handling a batch: the clock and misses are the instruction's stamps */
    uint64_t stamp_time, stamp_misses;
    const struct tm_stamp *stamps; /* the model's, for the batch being handed over */
};

/* Sets up log for a machine of arch whose registers are read with ops->get_reg(cpu, ...). */
void tm_log_init(struct tm_log *log, enum mach_arch arch, const struct cpu_ops *ops, void *cpu);
/* tm_log_init for m, and subscribes to its event stream (EV_INSN, EV_EXCEPTION, EV_PRIV).
 * Returns 0, or -1 when every subscriber slot is taken. */
int tm_log_attach(struct tm_log *log, struct machine *m);
struct tm_model;
/* tm_log_attach with model's clock and misses, subscribed after model for batches of events
 * (events.h "Batches"), whose EV_INSN the model stamps. */
int tm_log_attach_model(struct tm_log *log, struct machine *m, struct tm_model *model);
/* The subscriber (ev_handler): feed every EV_INSN, EV_EXCEPTION and EV_PRIV event in order. */
void tm_log_event(void *log, const struct ev *event);
/* The run ended: a crossing still in the kernel is recorded as open (it never returned). */
void tm_log_finish(struct tm_log *log);
void tm_log_destroy(struct tm_log *log);

/* The name of t's call: "write", "syscall_999", or for a trap "load page fault", "#PF". */
void tm_transition_name(const struct tm_transition *t, char *buf, size_t len);
/* The --trace=syscalls line for t (with a newline). */
void tm_trace_print(const struct tm_transition *t, FILE *out);
/* tm_transition_fn that prints to the FILE * opaque. */
void tm_trace_transition(void *file, const struct tm_transition *t);

/* The transition part of --report: text tables, the value of the JSON "transitions" member, or
 * the CSV table (README.md "--report" documents the schema). */
void tm_report_text(const struct tm_log *log, FILE *out);
void tm_report_json(const struct tm_log *log, FILE *out);
void tm_report_csv(const struct tm_log *log, FILE *out);

/* --timeline: Chrome trace-event JSON of the transitions (timeline.c). */
struct tm_timeline {
    FILE *out;
    bool first, have_last;
    uint64_t last_end;
};
void tm_timeline_begin(struct tm_timeline *tl, FILE *out, enum mach_arch arch);
/* tm_transition_fn: one transition's spans (user before it, the call, entry/kernel/exit). */
void tm_timeline_transition(void *timeline, const struct tm_transition *t);
void tm_timeline_end(struct tm_timeline *tl);

/* ---- The cycle model (model.c, cache.c, profile_*.c) ------------------------------------------
 *
 * An event subscriber that prices every retired instruction and every trap from a timing profile
 * and its own microarchitectural state (pipeline scoreboard, branch predictor, caches, TLBs), and
 * moves guest time by the difference to the core's own one tick: m->time += cycles - 1. The cores
 * keep no cycle numbers; the model changes no architectural state (design.md "How data flows").
 * Guest time is what rdcycle/mcycle, rdtime/CLINT mtime and rdtsc read, so a guest that measures
 * itself sees the model's cycles. A device deadline can be overshot by at most one instruction's
 * (or one trap's) cost: the run loop slices at deadlines counted in ticks, and the model adds the
 * rest of an instruction's cycles after the core's tick.
 *
 * Speed (design.md "Speed"): EV_INSN and EV_MEM reach the model in batches (events.h "Batches";
 * the queue is handed over before guest time is read and before the events could reach the
 * run's limit, so nothing observable changes). The model prices a batch in blocks, straight-line
 * instructions up to a branch: the cache, TLB and predictor lookups for every instruction, and
 * the pipeline once per block and entry state, replayed from a memo (struct tm_block) when the
 * same block comes again from the same state with nothing missing. Every shortcut prices exactly
 * what the instruction-by-instruction computation prices (tests/unit/timing/test_model_memo.c,
 * tests/e2e/model_cycles.sh). */

#define TM_MAX_CLASSES 32

/* One micro-step of a transition (x86 profiles): what the processor does and its cost. */
struct tm_step {
    const char *what; /* "read IDT gate", "push EFLAGS, CS, EIP" */
    uint16_t cycles;
    const char *source; /* where the number comes from */
};
#define TM_MAX_STEPS 12
struct tm_steps {
    uint8_t n;
    struct tm_step step[TM_MAX_STEPS];
};

/* Transition step tables of an x86 profile, by what happens. */
enum tm_x86_flow {
    TM_X86_INT_SAME,   /* INT n / exception / interrupt without privilege change */
    TM_X86_INT_STACK,  /* ... plus the stack switch from the TSS (privilege change) */
    TM_X86_IRET_SAME,  /* IRET to the same privilege */
    TM_X86_IRET_OUTER, /* ... plus the pops of ESP/SS and the data-segment checks */
    TM_X86_SYSCALL,
    TM_X86_SYSRET,
    TM_X86_SYSENTER,
    TM_X86_SYSEXIT,
    TM_X86_SWAPGS,
    TM_X86_FLOW_COUNT
};

struct tm_cache_geom {
    uint32_t size, ways, line; /* bytes, associativity, line bytes; size 0: not modeled */
    uint16_t latency;          /* cycles from a hit here to the data, beyond the pipeline's own */
};
struct tm_tlb_geom {
    uint32_t entries, ways; /* ways == entries: fully associative; 0 entries: not modeled */
    uint16_t latency;       /* extra cycles when this level hits after the level before missed */
};

struct tm_profile {
    const char *name; /* --cpu value: "u74", "rocket", "intel", "amd" */
    const char *description;
    enum mach_arch arch; /* ARCH_RISCV64, or ARCH_I386 for the x86 profiles (32- and 64-bit) */
    /* Issue: instructions per cycle at most; the class table says which can pair. */
    uint8_t issue_width;
    /* Per operation class (the core's enum): issue cycles (occupancy of the issue slot), result
     * latency for a dependent instruction, which pipe(s) it can use (bit mask; 0: issues alone),
     * and whether the unit is busy for the whole latency (unpipelined divider). */
    uint16_t issue[TM_MAX_CLASSES];
    uint16_t latency[TM_MAX_CLASSES];
    uint8_t pipes[TM_MAX_CLASSES];
    bool unpipelined[TM_MAX_CLASSES];
    uint16_t div32_latency; /* RISC-V divw/remw forms */
    /* Control flow. */
    uint16_t mispredict;  /* cycles from the branch's issue to the right path's issue, beyond 1 */
    uint32_t bht_entries; /* 2-bit counters indexed by pc */
    uint32_t btb_entries; /* direct-mapped target buffer */
    uint32_t ras_entries; /* return-address stack */
    /* Serialization (RISC-V): pipeline refill after a trap and after xRET; a CSR write that
     * serializes; fence / fence.i / sfence.vma. */
    uint16_t trap_flush, xret_flush, csr_write_serialize, fence_cost, sfence_cost;
    /* Memory hierarchy. */
    struct tm_cache_geom l1i, l1d, l2;
    uint16_t mem_latency; /* cycles to DRAM beyond the last cache level */
    struct tm_tlb_geom itlb, dtlb, l2tlb;
    uint8_t walk_levels;    /* page-table levels a walk reads (Sv39: 3; x86 32-bit: 2) */
    uint16_t walk_overhead; /* page walker start-up cycles, beyond its memory references */
    uint8_t asid_bits;      /* 0: an address-space switch flushes every non-global entry */
    /* x86 transitions. */
    struct tm_steps x86[TM_X86_FLOW_COUNT];
    /* Where the profile's numbers come from, one line per group (printed by bench/). */
    const char *sources;
};

/* The profiles built in; default for an architecture: u74 for riscv64, intel for x86. */
const struct tm_profile *tm_profile_find(const char *name, enum mach_arch arch);
const struct tm_profile *tm_profile_default(enum mach_arch arch);
extern const struct tm_profile tm_profile_u74, tm_profile_rocket, tm_profile_intel, tm_profile_amd;
unsigned tm_steps_cycles(const struct tm_steps *s);

/* A set-associative cache or TLB with LRU replacement (cache.c). */
#define TM_CACHE_HINTS 64
struct tm_cache {
    uint32_t sets, ways, line_shift;
    uint64_t *tag;   /* sets * ways: (block number + 1) << 16 | asid; meaningful below valid */
    uint64_t *stamp; /* LRU */
    uint16_t *valid; /* per set: its valid blocks are in ways 0 .. valid - 1 */
    /* A flush of everything starts a new generation: a set whose set_gen is not gen holds
     * nothing (cache.c set_valid), so the flush writes no tags. */
    uint32_t *set_gen;
    uint32_t gen;
    uint64_t clock;
    uint64_t hits, misses;
    uint64_t last_tag; /* the block of the last access and its slot */
    size_t last_idx;
    uint32_t hint[TM_CACHE_HINTS]; /* slot + 1 where a block with these low bits was found */
};
int tm_cache_init(struct tm_cache *c, uint32_t entries_or_bytes, uint32_t ways, uint32_t line);
void tm_cache_free(struct tm_cache *c);
/* true on a hit; on a miss the block is filled. tag_extra: ASID for TLBs (0 for caches). */
bool tm_cache_access(struct tm_cache *c, uint64_t addr, uint32_t tag_extra);
/* Drops entries: addr UINT64_MAX = all, tag_extra UINT32_MAX = every ASID. keep_extra: an ASID
 * value that is never dropped by an all-ASID flush (global pages), UINT32_MAX: none. */
void tm_cache_flush(struct tm_cache *c, uint64_t addr, uint32_t tag_extra);

/* tm_cache_access with its hit paths inline: first a hit on the block of the last access
 * (straight-line fetch, a page's accesses). Skipping the LRU stamp here changes nothing: that block
 * already holds the newest stamp of the whole cache, and only the order of stamps within a set is
 * ever compared. */
static inline bool tm_cache_access_fast(struct tm_cache *c, uint64_t addr, uint32_t tag_extra)
{
    if (!c->sets) return true;
    uint64_t block = addr >> c->line_shift;
    uint64_t tag = ((block + 1) << 16) | (tag_extra & 0xffff);
    if (tag == c->last_tag && c->tag[c->last_idx] == tag) {
        c->hits++;
        return true;
    }
    /* tm_cache_access's hint step, inline: a hit without the set scan */
    uint32_t hint = c->hint[block % TM_CACHE_HINTS];
    if (hint && c->tag[hint - 1] == tag) {
        c->stamp[hint - 1] = ++c->clock;
        c->hits++;
        c->last_tag = tag;
        c->last_idx = hint - 1;
        return true;
    }
    return tm_cache_access(c, addr, tag_extra);
}

/* What the model needs of one instruction that does not change from one retirement to the next
 * (class costs, pipes, registers, branch kind, static front-end refill), computed once per
 * (instruction word, class) and kept in a small direct-mapped memo (design.md "Speed"). */
struct tm_insn_info {
    uint32_t raw;      /* key: ev.insn.raw (RISC-V word; 0 on x86) */
    uint16_t op_class; /* key: ev.insn.op_class; UINT16_MAX: empty slot */
    uint8_t cls;       /* op_class, or 0 when out of the profile's range */
    uint8_t rd, rs1, rs2;
    uint8_t mask; /* pipes[cls] */
    uint8_t branch_kind;
    bool call, unpipelined, xret, x86_iret;
    uint8_t x86_flow; /* enum tm_x86_flow of the class; TM_X86_FLOW_COUNT: none */
    uint16_t latency; /* latency[cls], or div32_latency for divw/remw */
    uint16_t issue;   /* issue[cls], at least 1 */
    uint16_t refill;  /* RISC-V: xRET, fence, sfence.vma refill (before the CSR-write rule) */
};
#define TM_INFO_MEMO 1024

/* A block: up to TM_BLOCK_INSNS straight-line instructions ending at a branch, priced once for a
 * given pipeline state at its entry and replayed while that state recurs (design.md "Speed": the
 * static part summed per block). States are relative to the issue cycle before the block ('now');
 * values at or below it are 0 (the pipeline only compares them with now or later cycles). */
#define TM_BLOCK_INSNS 16
#define TM_BLOCK_MEMS  16
#define TM_BLOCKS      512
struct tm_block_state {
    uint32_t horizon, next_free, front_ready;
    uint8_t group_n, group_union, group_single;
    bool group_alone;
};
struct tm_block {
    uint64_t pc;                 /* the first instruction */
    const struct ev_block *desc; /* recorded from a core's EV_BLOCK: its identity (desc, id) */
    uint32_t desc_id;
    uint8_t n; /* instructions; 0: empty */
    uint8_t nlive, nout, xrets;
    uint8_t last_kind; /* the branch that ends it (BR_*), and whether it is a call */
    bool last_call;
    uint16_t load_use_stalls;
    uint64_t key[TM_BLOCK_INSNS]; /* each instruction's ev_insn_key */
    struct tm_block_state in, out;
    uint32_t out_now, out_branch;         /* the last instruction's issue */
    uint32_t issue[TM_BLOCK_INSNS];       /* each instruction's issue (for the EV_INSN stamps) */
    uint8_t live_reg[2 * TM_BLOCK_INSNS]; /* registers read before written, and their readiness */
    uint32_t live_ready[2 * TM_BLOCK_INSNS];
    uint8_t out_reg[TM_BLOCK_INSNS]; /* registers written, and their readiness after */
    uint32_t out_ready[TM_BLOCK_INSNS];
    /* A core's block (desc): its lookups in the order of one event per instruction, made again
     * without walking its instructions when its accesses come from the same instructions:
     * sched[i] is TM_SCHED_FETCH | k for the fetch of a new line at instruction k, else the
     * next access, whose instruction is mem_k[the access]. nsched TM_SCHED_NONE: not known. */
    uint8_t nsched, nmem;
    uint8_t sched[TM_BLOCK_INSNS + TM_BLOCK_MEMS];
    uint8_t mem_k[TM_BLOCK_MEMS];
    /* gen counts the recordings made in this slot. next: the entry that followed this one's
     * replay last time, with no mispredict in between, as it was at its recording next_gen:
     * then the state at its entry is its in, found without computing and hashing it. */
    uint32_t gen, next_gen;
    struct tm_block *next;
    uint8_t mru; /* in the first entry of a pair of slots (model.c desc_entry): the way used last */
};
#define TM_SCHED_FETCH 0x80
#define TM_SCHED_NONE  0xff

/* What the model found for an instruction of a batch (events.h "Batches"), for the subscribers
 * after it (the transition log): its first cycle in guest time and the model's miss count after
 * its lookups; for an EV_BLOCK, those of its last instruction and its first. By event index. */
struct tm_stamp {
    uint64_t time, misses;
    uint64_t time_first, misses_first; /* EV_BLOCK */
};

/* Counts of modeled events, for reports and tests. */
struct tm_model_stats {
    uint64_t cycles, insns, load_use_stalls, mispredicts, branches, traps, xrets, serializations;
    uint64_t icache_misses, dcache_misses, l2_misses, itlb_misses, dtlb_misses, walks;
};

struct tm_model {
    const struct tm_profile *p;
    struct machine *m;
    /* Pipeline, in the model's own cycle count (starts at 0). */
    uint64_t now;         /* issue cycle of the last instruction or trap */
    uint64_t horizon;     /* max(next_free, front_ready) after it: guest time follows this */
    uint64_t next_free;   /* first cycle the issue stage takes a new group */
    uint64_t front_ready; /* earliest issue after a flush, mispredict or serialization */
    uint8_t group_n;      /* instructions issued in cycle 'now' */
    uint8_t group_union;  /* the pipe masks of the group, or'ed */
    uint8_t group_single; /* the single-pipe masks among them, or'ed */
    bool group_alone;     /* the group holds an instruction that issues alone */
    uint64_t reg_ready[32];
    uint64_t unit_busy[TM_MAX_CLASSES];
    uint64_t stall;    /* memory stall cycles gathered from EV_MEM for the next EV_INSN */
    uint64_t t_guest;  /* guest time at the first cycle of the last priced event */
    uint64_t tick_lag; /* in a batch: instructions after the one priced (the core ticked them) */
    /* The branch of the last instruction, resolved by the next event's pc. */
    bool branch_pending, branch_call;
    uint8_t branch_kind;
    uint64_t branch_pc, branch_fallthrough, branch_issue;
    uint8_t *bht;
    uint64_t *btb;
    uint64_t *ras;
    uint32_t ras_top, ras_depth;
    /* Architectural facts the model follows from events (never reads them back into state). */
    uint8_t priv;     /* EV_PRIV numbering */
    bool paging;      /* translation on for the current privilege */
    uint64_t root;    /* satp / CR3 */
    uint32_t asid;    /* satp.ASID masked to asid_bits */
    bool csr_written; /* an EV_SYSREG CSR write by the instruction about to retire */
    bool priv_changed;
    /* x86: a delivered INT n retires after its delivery, which is already priced. */
    bool soft_int_pending;
    uint64_t soft_int_pc;
    /* RISC-V: a satp write's own EV_TLB_FLUSH is handled by the ASID rule on EV_SYSREG. */
    bool satp_flush_pending;
    uint64_t satp_flush_pc;
    /* A TLB flush of the instruction about to retire (applied after its fetch is priced). */
    bool flush_pending;
    uint64_t flush_vaddr;
    uint32_t flush_asid;
    struct tm_cache l1i, l1d, l2, itlb, dtlb, l2tlb;
    struct tm_model_stats st;
    int handle;
    /* Precomputed from the profile: x86 step-table sums per flow, branch-table index masks
     * (entries - 1 when a power of two, else 0: use the modulo). */
    uint32_t flow_cycles[TM_X86_FLOW_COUNT];
    uint32_t bht_mask, btb_mask;
#define TM_INDEX_MEMO 16
    struct tm_index_memo {
        uint64_t key; /* (pc >> 1) + 1; 0: empty */
        uint64_t index;
    } btb_memo[TM_INDEX_MEMO];
    bool riscv;
    bool memo_off; /* tests: compute every instruction's static info afresh and price every
                      instruction alone, without blocks (the reference) */
    bool stamp;    /* a subscriber reads the stamps (tm_log_attach_model) */
    struct tm_stamp stamps[EV_BATCH_MAX + 1];
    uint64_t block_hits, block_runs; /* blocks replayed; blocks priced instruction by instruction */
    struct tm_block *blocks;         /* TM_BLOCKS, direct-mapped by first pc */
    struct tm_block *link_from;      /* the entry run_desc replayed last, if nothing came since */
    struct tm_block block_scratch;   /* where a block that cannot be recorded is priced */
    /* In a batch, the EV_MEMs before an EV_BLOCK: looked up at the block, in the order of one
     * event per instruction (an instruction's accesses, then its fetch). Those left at the end of
     * a batch are copied to carry (the block comes in the next one). */
#define TM_PEND_MAX (EV_BATCH_MAX + 1)
    unsigned npend;
    const struct ev *pend[TM_PEND_MAX];
    struct ev carry[TM_PEND_MAX];
    struct tm_insn_info info[TM_INFO_MEMO];
};

/* Sets up a model of profile p for m (does not subscribe). Returns 0, or -1 out of memory. */
int tm_model_init(struct tm_model *model, const struct tm_profile *p, struct machine *m);
/* tm_model_init, and subscribes (first, so later subscribers see priced time). */
int tm_model_attach(struct tm_model *model, const struct tm_profile *p, struct machine *m);
void tm_model_destroy(struct tm_model *model);
/* The subscriber (ev_handler). */
void tm_model_event(void *model, const struct ev *event);
/* The clock for tm_log: guest time at the first cycle of the event being handled. */
uint64_t tm_model_clock(void *model);
/* The model's L1I + L1D + I-TLB + D-TLB misses so far (the log's miss counter). */
uint64_t tm_model_misses(void *model);
/* The model's stall/miss counters as text lines (--report). */
void tm_model_report_text(const struct tm_model *model, FILE *out);

#endif
