/* The interactive monitor: the face of the monitor part (design.md "Who uses it and how").
 *
 * The monitor sits on the run loop. It never executes guest code itself: every execution command
 * (step, next, continue, until, finish, run) calls machine_run()/machine_step(), and every stop it
 * wants (a step count reached, a breakpoint, a watchpoint, a transition) is a
 * machine_request_stop(STOP_BREAKPOINT) from an event subscriber (events.h). After such a stop
 * the monitor clears it with machine_clear_stop() and the next command continues the same run, so
 * stepping runs exactly the code path of a plain run.
 *
 *   monitor.c   the session: input (readline on a terminal, lines otherwise), the command table,
 *               execution and breakpoints, the transition view
 *   inspect.c   memory, symbols, disassembly, page walks (Sv39, x86 32-bit and 4-level) without
 *               side effects, the x86 transition view's sources
 *   parse.c     the pure parts (tokens, numbers, x/ formats, breakpoint specs and matching), which
 *               tests/unit/monitor drives directly
 */
#ifndef RINGSIDE_MONITOR_MONITOR_H
#define RINGSIDE_MONITOR_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "loader/loader.h"
#include "machine/events.h"
#include "machine/machine.h"

/* What main.c hands the monitor. */
struct mon_config {
    const struct elf_image *kernel; /* the booted kernel (its symbols); never NULL */
    const char *program;            /* the user program's file (its symbols), or NULL */
    const char *script;             /* --monitor-script FILE, or NULL */
    bool interactive;               /* --monitor / `monitor`: read commands after the script */
    /* Commands: readline with its prompt when in and out are terminals; otherwise lines read
     * from in, each echoed after the prompt on out, so a transcript reads like a session and
     * tests see every command next to its output. */
    FILE *in;
    FILE *out; /* everything the monitor prints (stdout) */
};

/* Runs a monitor session on a booted machine. Returns how the run ended, as machine_run() does:
 * the guest's stop reason, or STOP_BREAKPOINT when the session ended (quit, end of input) with
 * the guest still alive. */
enum stop_reason mon_run(struct machine *m, const struct mon_config *cfg);

/* ---- The pure parts (parse.c), for the unit tests ---------------------------------------- */

#define MON_MAX_ARGS 16
/* Splits line in place at blanks into at most MON_MAX_ARGS words; returns the count. */
int mon_tokenize(char *line, char **argv, int max);

/* A number: decimal, 0x hex, 0b binary, 0o octal, with an optional leading '-' (two's
 * complement). 0 on success, -1 for anything else ("12q", "", "0x"). */
int mon_parse_u64(const char *text, uint64_t *value);

/* The x command's format "/<count><b|h|w|g>" (gdb's letters: 1, 2, 4, 8 bytes), both parts
 * optional: "x" = 1 unit of the previous size (*size on entry, 8 by default). -1 when bad. */
int mon_parse_xfmt(const char *suffix, unsigned *count, unsigned *size);

/* Breakpoints: on an address, a transition (the mechanism of an EV_PRIV event), a vector or
 * cause (EV_EXCEPTION), a change of mode (EV_PRIV into or out of user mode), or a memory range
 * (EV_MEM, a watchpoint). */
enum mon_bp_kind { MON_BP_ADDR, MON_BP_MECH, MON_BP_VECTOR, MON_BP_MODE, MON_BP_WATCH };
enum mon_mode_dir { MON_TO_KERNEL = 1, MON_TO_USER = 2 };
enum mon_watch_access { MON_WATCH_READ = 1, MON_WATCH_WRITE = 2 };

struct mon_bp {
    unsigned id;
    enum mon_bp_kind kind;
    bool enabled;
    bool temporary;     /* until/next: deleted when hit */
    uint64_t addr, len; /* ADDR (len 0), WATCH */
    uint8_t mech;       /* MECH: enum ev_mech */
    int vector;         /* VECTOR: the number, -1 for any */
    bool interrupt;     /* VECTOR: interrupts instead of exceptions / software interrupts */
    unsigned dir;       /* MODE: enum mon_mode_dir bits */
    unsigned access;    /* WATCH: enum mon_watch_access bits */
    uint64_t hits;
    char what[96]; /* how the user wrote it, for info break */
};

/* Resolves an address expression (number, symbol, symbol+offset): 0 or -1. */
typedef int (*mon_resolve_fn)(void *opaque, const char *text, uint64_t *value);

/* Parses the words of `break` (or `until`, `watch`) into *bp: "syscall", "sysret", "sysenter",
 * "sysexit", "iret", "ecall", "sret", "mret", "int N", "exception [N]", "interrupt [N]",
 * "mode user->kernel", "mode kernel->user", "mode any", "*ADDR" / "ADDR" / "SYMBOL". Writes one
 * line to err and returns -1 when the words mean nothing. */
int mon_bp_parse(int argc, char **argv, mon_resolve_fn resolve, void *opaque, struct mon_bp *bp,
                 char *err, size_t errlen);
/* Parses `watch ADDR [LEN] [r|w|rw]`. */
int mon_watch_parse(int argc, char **argv, mon_resolve_fn resolve, void *opaque, struct mon_bp *bp,
                    char *err, size_t errlen);

/* Does event e hit bp? user_priv is the architecture's user level (RISC-V 0, x86 3). Address
 * breakpoints are matched on the next pc with mon_bp_hits_pc() instead. */
bool mon_bp_hits_event(const struct mon_bp *bp, const struct ev *e, unsigned user_priv);
bool mon_bp_hits_pc(const struct mon_bp *bp, uint64_t pc);

/* ---- The command table -------------------------------------------------------------------- */

struct mon;
struct mon_command {
    const char *name;
    const char *aliases; /* blank-separated, or "" */
    const char *args;    /* the argument synopsis for help */
    const char *help;    /* one line */
    int (*handler)(struct mon *mon, int argc, char **argv);
    bool repeats; /* an empty line repeats it (the step commands) */
};
/* The table; *count receives its length. */
const struct mon_command *mon_commands(size_t *count);
/* The command called name (or one of its aliases, or its unique prefix), or NULL. */
const struct mon_command *mon_find_command(const char *name);

#endif
