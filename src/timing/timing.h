/* Timing: transition accounting from the event stream, the syscall log and its reports.
 *
 * Files:
 *   transitions.c   the subscriber: recognises each crossing from user to kernel mode and its
 *                   return, splits it into entry / kernel / exit, and aggregates per system call
 *                   and per mechanism (design.md "Timing", last paragraph)
 *   syscall_names.c Linux system-call names by number (riscv64 asm-generic, i386, x86_64), errno
 *                   names, RISC-V trap-cause names
 *   report.c        the --trace=syscalls line and the --report tables (text, json, csv)
 *
 * What is counted (issue 4: "until the timing model exists nothing here is called a cycle"):
 * instructions. A crossing opens at the EV_PRIV event that leaves the user level (RISC-V U = 0,
 * x86 CPL 3) and closes at the first user instruction after the EV_PRIV event that comes back.
 *   entry   the instruction that leaves user mode (ecall, int, syscall, sysenter, the faulting
 *           instruction), counted even when it does not retire (design.md "Counting rule":
 *           ecall and faulting instructions do not); 0 for an interrupt, which has no instruction
 *   kernel  every instruction retired from the first kernel instruction up to the returning
 *           instruction, excluded; nested traps in the kernel (any level above user) included
 *   exit    the returning instruction (sret, mret, iret, sysret, sysexit)
 * Each part keeps one value per metric (enum tm_metric): instructions now; the timing model
 * adds cycles as a second metric, and the reports print one column group per metric.
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

/* What is measured per part. The timing model adds X(CYCLES, "cycles"). */
#define TM_METRICS(X) X(INSNS, "insns")
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
};

/* Sets up log for a machine of arch whose registers are read with ops->get_reg(cpu, ...). */
void tm_log_init(struct tm_log *log, enum mach_arch arch, const struct cpu_ops *ops, void *cpu);
/* tm_log_init for m, and subscribes to its event stream (EV_INSN, EV_EXCEPTION, EV_PRIV).
 * Returns 0, or -1 when every subscriber slot is taken. */
int tm_log_attach(struct tm_log *log, struct machine *m);
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

#endif
