/* Internal to the monitor part: the session state shared by monitor.c and inspect.c. */
#ifndef RINGSIDE_MONITOR_INTERNAL_H
#define RINGSIDE_MONITOR_INTERNAL_H

#include "monitor/monitor.h"

#define MON_MAX_BPS         64
#define MON_GROUP_EVENTS    64   /* events of one step kept for the transition view */
#define MON_MAX_TRANSITIONS 4096 /* info transitions keeps the first ones */

/* Why execution should stop at the next step boundary (bits). */
enum mon_want { MON_WANT_STEPS = 1, MON_WANT_USER = 2, MON_WANT_CHECK_PC = 4 };

/* One user -> kernel -> user round trip, from the EV_PRIV events. */
struct mon_transition {
    uint8_t entry_mech, exit_mech;
    uint8_t kernel_priv;
    bool complete;
    uint64_t entry_pc, exit_pc; /* the instruction that left user mode / returned to it */
    uint64_t number;            /* the system-call number register at entry (a7, eax) */
    uint64_t entry_insns, exit_insns, entry_time, exit_time;
    unsigned sysreg_writes, tlb_flushes;
};

/* The registers a transition view compares before and after a step (GPRs, pc, privilege; x86
 * also EFLAGS, the segment selectors, r8-r15 and the FS/GS/KERNEL_GS bases). */
#define MON_SNAP_REGS 40
struct mon_regs {
    uint64_t r[MON_SNAP_REGS];
};

/* How much of the events the running command prints as they happen. */
enum mon_verbosity { MON_QUIET, MON_TRANSITIONS, MON_INSNS };

struct mon {
    struct machine *m;
    const struct mon_config *cfg;
    FILE *out;
    const struct elf_image *kernel;
    struct elf_image prog;
    bool have_prog;
    unsigned user_priv; /* RISC-V 0, x86 3 */
    int sub;            /* event subscription handle */
    void *capstone;     /* csh of the x86 disassembler, or NULL */
    bool capstone_open;

    struct mon_bp bps[MON_MAX_BPS];
    unsigned n_bps, next_id;
    unsigned n_addr_bps; /* enabled address breakpoints: the EV_INSN handler reads the pc */

    /* The running command. */
    unsigned want;       /* enum mon_want */
    uint64_t steps_left; /* MON_WANT_STEPS */
    enum mon_verbosity verbosity;
    int hit;           /* index of the breakpoint that stopped the run, -1 */
    bool hit_event;    /* ... by an event (stop after this step) */
    uint64_t hit_addr; /* watchpoint: the access */
    uint8_t hit_access;
    unsigned hit_size;

    /* The events of the current step (the transition view) */
    struct ev group[MON_GROUP_EVENTS];
    unsigned n_group, group_dropped;
    bool group_trap; /* the group is a trap delivery (no EV_INSN closes it) */
    bool group_printed_head;
    struct ev last_trans[MON_GROUP_EVENTS]; /* the last group with a privilege change */
    unsigned n_last_trans;
    bool last_trans_has_pc;
    uint64_t last_trans_pc;

    struct mon_regs before;                  /* the state before the current step */
    struct mon_regs last_before, last_after; /* around the last group with a privilege change */

    /* RISC-V: the load that last filled each register (while a command prints events) */
    struct {
        uint64_t vaddr, pc;
        bool valid;
    } src[32];
    uint64_t last_load_pc, last_load_vaddr;
    bool last_load_valid;

    struct mon_transition trans[MON_MAX_TRANSITIONS];
    unsigned n_trans;
    uint64_t n_trans_total;
    bool in_kernel_trans; /* trans[n_trans - 1] is open */
    uint64_t trap_pc;     /* the pc of the trap being delivered (EV_EXCEPTION) */
    bool trap_pc_valid;

    char last_line[512]; /* the last repeatable command, for an empty line */
    unsigned xsize;      /* the x command's last unit */
    unsigned source_depth;
    bool quit;
    int completing_what; /* monitor.c: what tab completion offers for the current word */
    bool interactive_tty;
};

/* inspect.c */
int mon_resolve(void *mon, const char *text, uint64_t *value);
/* "sym+0x10" for addr, or "" when no symbol is near; buf of at least 96 bytes. */
const char *mon_symbolize(struct mon *mon, uint64_t addr, char *buf, size_t len);
/* Reads guest memory at a virtual address through the current translation, without side effects
 * (RAM only, no accessed/dirty bits). 0, or -1 when some byte is not mapped to RAM. */
int mon_read_virt(struct mon *mon, uint64_t va, void *dst, size_t len);
int mon_write_virt(struct mon *mon, uint64_t va, const void *src, size_t len);
/* Translates va as the CPU would now (read-only walk); -1 when not mapped. */
int mon_translate(struct mon *mon, uint64_t va, uint64_t *pa);
/* Disassembles one instruction at va into buf; returns its length, 0 when unreadable. */
unsigned mon_disas_one(struct mon *mon, uint64_t va, char *buf, size_t len);
/* Is the instruction at va a call (jal/jalr with rd = ra; x86 CALL)? */
bool mon_is_call(struct mon *mon, uint64_t va, unsigned *len);
uint64_t mon_pc(struct mon *mon);
unsigned mon_priv(struct mon *mon);
const char *mon_priv_name(struct mon *mon, unsigned priv);
void mon_print_where(struct mon *mon, const char *mark, uint64_t pc);
void mon_disas_init(struct mon *mon);
void mon_disas_fini(struct mon *mon);

int mon_cmd_regs(struct mon *mon, int argc, char **argv);
int mon_cmd_info_csr(struct mon *mon, int argc, char **argv);
int mon_cmd_info_msr(struct mon *mon, int argc, char **argv);
int mon_cmd_info_seg(struct mon *mon, int argc, char **argv);
int mon_cmd_info_gdt(struct mon *mon, int argc, char **argv);
int mon_cmd_info_idt(struct mon *mon, int argc, char **argv);
int mon_cmd_info_tss(struct mon *mon, int argc, char **argv);
int mon_cmd_info_tlb(struct mon *mon, int argc, char **argv);
int mon_cmd_pt(struct mon *mon, int argc, char **argv);
int mon_cmd_x(struct mon *mon, int argc, char **argv);
int mon_cmd_disas(struct mon *mon, int argc, char **argv);
int mon_cmd_set(struct mon *mon, int argc, char **argv);
/* Registers before and after a step, and what changed between them. */
void mon_snapshot(struct mon *mon, struct mon_regs *regs);
void mon_print_reg_diff(struct mon *mon, const struct mon_regs *before,
                        const struct mon_regs *after);
/* After the differences of a step that changed privilege: where the new values came from, where
 * no EV_EXPLAIN says it (x86: the gate, the TSS, the popped frame, the MSRs). */
void mon_print_sources(struct mon *mon, const struct ev *events, unsigned n,
                       const struct mon_regs *before, const struct mon_regs *after);
/* The names tab completion offers besides commands and symbols. */
const char *const *mon_reg_names(struct mon *mon, size_t *count);
/* A CSR's value with its named fields ("mstatus = 0x... [SIE=0 ...]"). */
void mon_print_csr_fields(struct mon *mon, const char *name, uint64_t value);
const char *mon_cause_name(struct mon *mon, uint64_t cause, bool interrupt);

#endif
