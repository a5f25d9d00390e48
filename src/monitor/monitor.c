/* The monitor session: input, the command table, execution, breakpoints, the transition view.
 *
 * Execution never leaves the run loop's hands (design.md "Conventions"): a command sets what it
 * waits for (a number of steps, a return to user mode, breakpoints), calls machine_run() or
 * machine_step(), and the event subscriber (on_event) asks the run loop to stop with
 * machine_request_stop(STOP_BREAKPOINT) when the wait is over. The core finishes the step it is
 * in (an instruction, or a whole trap delivery) and returns; the monitor clears the stop
 * (machine_clear_stop) so the next command continues the same run.
 *
 * A "step" is what the core does between two checks of the stop request: one instruction, or
 * the delivery of one trap (RISC-V ecall does not retire: its step is the trap delivery). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cpu/riscv/riscv.h"
#include "dev/dev.h"
#include "monitor/internal.h"

#define PROMPT "(ringside) "

/* ---- Events ------------------------------------------------------------------------------- */

static const char *sysreg_space_name(unsigned space)
{
    static const char *const names[] = {"csr", "msr", "cr", "dr", "seg"};
    return space < sizeof names / sizeof names[0] ? names[space] : "?";
}

/* ---- Where a value came from (RISC-V) ---------------------------------------------------- */

/* The 32-bit form of the instruction at pc (compressed ones expanded), or 0 when unreadable. */
static uint32_t rv_word_at(struct mon *mon, uint64_t pc)
{
    uint16_t lo, hi;
    if (mon_read_virt(mon, pc, &lo, 2) < 0) return 0;
    if ((lo & 3) != 3) return rv_rvc_expand(mon->m->cpu, lo);
    if (mon_read_virt(mon, pc + 2, &hi, 2) < 0) return 0;
    return (uint32_t)lo | (uint32_t)hi << 16;
}

/* After an instruction retired: which register it wrote, and whether a load filled it, so that a
 * CSR write can say where its value came from ("satp <- t1, loaded from the trapframe"). The
 * major opcodes that write rd (unpriv. spec chapter 24, table 24.1). */
static void track_sources(struct mon *mon, const struct ev *insn)
{
    uint32_t w = rv_word_at(mon, insn->pc);
    unsigned opcode = w & 0x7f, rd = (w >> 7) & 31, funct3 = (w >> 12) & 7;
    bool writes = opcode == 0x03 || opcode == 0x13 || opcode == 0x17 || opcode == 0x1b ||
                  opcode == 0x33 || opcode == 0x37 || opcode == 0x3b || opcode == 0x67 ||
                  opcode == 0x6f || opcode == 0x2f || (opcode == 0x73 && funct3 != 0);
    if (w && writes && rd) {
        bool loaded = opcode == 0x03 && mon->last_load_valid && mon->last_load_pc == insn->pc;
        mon->src[rd].valid = loaded;
        mon->src[rd].vaddr = mon->last_load_vaddr;
        mon->src[rd].pc = insn->pc;
    }
    mon->last_load_valid = false;
}

/* The second line of a CSR write: the register the csrw read, and the load that filled it. */
static void print_csr_source(struct mon *mon, const struct ev *e)
{
    uint32_t w = rv_word_at(mon, e->pc);
    unsigned funct3 = (w >> 12) & 7, rs1 = (w >> 15) & 31;
    if ((w & 0x7f) != 0x73 || funct3 == 0 || funct3 > 3 || !rs1 || !mon->src[rs1].valid) return;
    char text[128], sym[128], data[128];
    mon_disas_one(mon, mon->src[rs1].pc, text, sizeof text);
    mon_symbolize(mon, mon->src[rs1].pc, sym, sizeof sym);
    mon_symbolize(mon, mon->src[rs1].vaddr, data, sizeof data);
    fprintf(mon->out, "%19s%s was loaded from %#" PRIx64 "%s%s%s by %s%s%s%s\n", "",
            rv_reg_name(rs1), mon->src[rs1].vaddr, data[0] ? " <" : "", data, data[0] ? ">" : "",
            text, sym[0] ? " at <" : "", sym, sym[0] ? ">" : "");
}

/* One notable event as a line of the transition view: what changed and where it came from. */
static void print_event(struct mon *mon, const struct ev *e, bool live)
{
    FILE *out = mon->out;
    char sym[128], text[128];
    switch (e->kind) {
    case EV_EXCEPTION:
        mon_symbolize(mon, e->pc, sym, sizeof sym);
        fprintf(out, "   -- %s %u (%s) at %#" PRIx64 "%s%s%s, %s %#" PRIx64 "\n",
                e->exception.interrupt ? "interrupt" : "trap", e->exception.vector,
                mon_cause_name(mon, e->exception.vector, e->exception.interrupt), e->pc,
                sym[0] ? " <" : "", sym, sym[0] ? ">" : "",
                mon->m->arch == ARCH_RISCV64 ? "tval" : "error code", e->exception.info);
        break;
    case EV_EXPLAIN: {
        /* "scause <- cause": name the cause; "pc <- stvec": name the handler */
        fprintf(out, "      %-30s = %#" PRIx64, e->explain.text, e->explain.value);
        if (strstr(e->explain.text, "cause <-"))
            fprintf(out, " (%s)",
                    mon_cause_name(mon, e->explain.value & ~(1ull << 63), e->explain.value >> 63));
        else if (strncmp(e->explain.text, "pc <-", 5) == 0 ||
                 strncmp(e->explain.text, "RIP", 3) == 0 ||
                 strncmp(e->explain.text, "EIP", 3) == 0) {
            mon_symbolize(mon, e->explain.value, sym, sizeof sym);
            if (sym[0]) fprintf(out, " <%s>", sym);
        } else if (strncmp(e->explain.text, "priv <-", 7) == 0)
            fprintf(out, " (%s)", mon_priv_name(mon, (unsigned)e->explain.value));
        fprintf(out, "\n");
        break;
    }
    case EV_PRIV:
        fprintf(out, "   -- privilege %s -> %s by %s\n", mon_priv_name(mon, e->priv.from),
                mon_priv_name(mon, e->priv.to), ev_mech_name(e->priv.mech));
        break;
    case EV_SYSREG: {
        unsigned n = mon_disas_one(mon, e->pc, text, sizeof text);
        mon_symbolize(mon, e->pc, sym, sizeof sym);
        const char *name = NULL;
        if (mon->m->arch == ARCH_RISCV64 && e->sysreg.space == EV_SYSREG_CSR) {
            const struct rv_csr_info *info = rv_csr_lookup(e->sysreg.number);
            name = info ? info->name : NULL;
        }
        char label[32];
        if (!name) {
            snprintf(label, sizeof label, "%s %#x", sysreg_space_name(e->sysreg.space),
                     e->sysreg.number);
            name = label;
        }
        fprintf(out, "      %-12s %#" PRIx64 " -> %#" PRIx64 "   by %s%s%s%s\n", name,
                e->sysreg.old_value, e->sysreg.new_value, n ? text : "?", sym[0] ? " at <" : "",
                sym, sym[0] ? ">" : "");
        /* live only: the sources describe the registers as they are now */
        if (live && mon->m->arch == ARCH_RISCV64 && e->sysreg.space == EV_SYSREG_CSR)
            print_csr_source(mon, e);
        break;
    }
    case EV_TLB_FLUSH:
        mon_symbolize(mon, e->pc, sym, sizeof sym);
        fprintf(out, "      tlb flush    %s, %s%s%s%s\n",
                e->tlb_flush.vaddr == UINT64_MAX ? "all addresses" : "one page",
                e->tlb_flush.asid == UINT32_MAX ? "all address spaces" : "one address space",
                sym[0] ? " at <" : "", sym, sym[0] ? ">" : "");
        break;
    default: break;
    }
}

static bool notable(enum ev_kind kind)
{
    return kind == EV_EXCEPTION || kind == EV_PRIV || kind == EV_EXPLAIN || kind == EV_SYSREG ||
           kind == EV_TLB_FLUSH;
}

/* Closes the events of one step: prints them as the command asked, and keeps the last group
 * with a privilege change for a breakpoint's transition view. */
/* The instruction a group belongs to: the one that retired (EV_INSN), or the one whose trap was
 * delivered (EV_EXCEPTION; none for an interrupt, which comes between instructions). */
static bool group_pc(const struct ev *events, unsigned n, const struct ev *insn, uint64_t *pc)
{
    if (insn) {
        *pc = insn->pc;
        return true;
    }
    for (unsigned i = 0; i < n; i++)
        if (events[i].kind == EV_EXCEPTION && !events[i].exception.interrupt) {
            *pc = events[i].pc;
            return true;
        }
    return false;
}

/* A step's events: its instruction, then what changed and where it came from. */
static void print_group(struct mon *mon, const struct ev *events, unsigned n, bool has_pc,
                        uint64_t pc, bool live)
{
    if (has_pc) mon_print_where(mon, "  ", pc);
    for (unsigned i = 0; i < n; i++)
        print_event(mon, &events[i], live);
}

/* A group with a privilege change ends with the registers it changed (on x86 the stack switch,
 * CS:EIP, EFLAGS and CPL that no event explains yet). */
static void print_trans_group(struct mon *mon, const struct ev *events, unsigned n, bool has_pc,
                              uint64_t pc)
{
    print_group(mon, events, n, has_pc, pc, false);
    mon_print_reg_diff(mon, &mon->last_before, &mon->last_after);
    mon_print_sources(mon, events, n, &mon->last_before, &mon->last_after);
}

/* Closes the events of one step: prints them as the command asked, and keeps the last group
 * with a privilege change for a breakpoint's transition view. */
static void close_group(struct mon *mon, const struct ev *insn)
{
    bool priv = false;
    for (unsigned i = 0; i < mon->n_group; i++)
        if (mon->group[i].kind == EV_PRIV || mon->group[i].kind == EV_EXCEPTION) priv = true;
    uint64_t pc = 0;
    bool has_pc = group_pc(mon->group, mon->n_group, insn, &pc);
    if (priv) {
        mon->last_before = mon->before;
        mon_snapshot(mon, &mon->last_after);
    }
    if (mon->verbosity == MON_INSNS)
        print_group(mon, mon->group, mon->n_group, has_pc, pc, true);
    else if (mon->verbosity == MON_TRANSITIONS)
        print_group(mon, mon->group, mon->n_group, false, 0, true);
    if (priv && mon->verbosity != MON_QUIET) {
        mon_print_reg_diff(mon, &mon->last_before, &mon->last_after);
        mon_print_sources(mon, mon->group, mon->n_group, &mon->last_before, &mon->last_after);
    }
    if (mon->group_dropped && mon->verbosity != MON_QUIET)
        fprintf(mon->out, "      (%u more events)\n", mon->group_dropped);
    if (priv) {
        memcpy(mon->last_trans, mon->group, mon->n_group * sizeof mon->group[0]);
        mon->n_last_trans = mon->n_group;
        mon->last_trans_has_pc = has_pc;
        mon->last_trans_pc = pc;
    }
    mon->n_group = 0;
    mon->group_dropped = 0;
    mon->group_trap = false;
}

static void record_priv(struct mon *mon, const struct ev *e)
{
    struct machine *m = mon->m;
    if (e->priv.from == mon->user_priv && e->priv.to != mon->user_priv) {
        mon->n_trans_total++;
        mon->in_kernel_trans = false;
        if (mon->n_trans == MON_MAX_TRANSITIONS) return;
        struct mon_transition *t = &mon->trans[mon->n_trans++];
        memset(t, 0, sizeof *t);
        t->entry_mech = e->priv.mech;
        t->kernel_priv = e->priv.to;
        /* the instruction that left user mode: a trap's EV_PRIV comes after the pc moved */
        t->entry_pc = mon->trap_pc_valid ? mon->trap_pc : e->pc;
        t->entry_insns = m->insns;
        t->entry_time = m->time;
        m->cpu_ops->get_reg(m->cpu, m->arch == ARCH_RISCV64 ? "a7" : "eax", &t->number);
        mon->in_kernel_trans = true;
    } else if (e->priv.to == mon->user_priv && mon->in_kernel_trans) {
        struct mon_transition *t = &mon->trans[mon->n_trans - 1];
        t->exit_mech = e->priv.mech;
        t->exit_pc = e->pc;
        t->exit_insns = m->insns;
        t->exit_time = m->time;
        t->complete = true;
        mon->in_kernel_trans = false;
    }
}

static void stop_for(struct mon *mon, int bp)
{
    if (mon->hit < 0) mon->hit = bp;
    machine_request_stop(mon->m, STOP_BREAKPOINT, 0, "monitor");
}

static void on_event(void *opaque, const struct ev *e)
{
    struct mon *mon = opaque;
    /* A trap delivery has no EV_INSN of its own (RISC-V ecall does not retire; x86 INT n retires
     * at the end of its delivery, with the trap's pc): the first event of another instruction
     * closes it. EV_EXPLAIN and EV_PRIV belong to the delivery whatever pc they carry (RISC-V
     * emits EV_PRIV after the pc moved to the handler). */
    if (mon->group_trap && e->kind != EV_EXPLAIN && e->kind != EV_PRIV && e->kind != EV_EXCEPTION &&
        e->pc != mon->trap_pc)
        close_group(mon, NULL);
    if (e->kind == EV_EXCEPTION && mon->n_group) close_group(mon, NULL);
    if (notable(e->kind)) {
        if (mon->n_group < MON_GROUP_EVENTS)
            mon->group[mon->n_group++] = *e;
        else
            mon->group_dropped++;
        if (e->kind == EV_EXCEPTION) mon->group_trap = true;
    }
    if (e->kind == EV_EXCEPTION) {
        mon->trap_pc = e->pc;
        mon->trap_pc_valid = true;
    } else if (e->kind == EV_INSN) {
        mon->trap_pc_valid = false;
    }
    if (e->kind == EV_PRIV) record_priv(mon, e);
    if (e->kind == EV_MEM && e->mem.type == EV_MEM_READ) {
        mon->last_load_valid = true;
        mon->last_load_pc = e->pc;
        mon->last_load_vaddr = e->mem.vaddr;
    }
    if (mon->in_kernel_trans && mon->n_trans) {
        if (e->kind == EV_SYSREG) mon->trans[mon->n_trans - 1].sysreg_writes++;
        if (e->kind == EV_TLB_FLUSH) mon->trans[mon->n_trans - 1].tlb_flushes++;
    }

    /* Breakpoints on events: the run stops after the step the event belongs to. */
    for (unsigned i = 0; i < mon->n_bps; i++) {
        struct mon_bp *bp = &mon->bps[i];
        if (bp->kind == MON_BP_ADDR || !mon_bp_hits_event(bp, e, mon->user_priv)) continue;
        if (bp->kind == MON_BP_WATCH) {
            mon->hit_addr = e->mem.vaddr;
            mon->hit_size = e->mem.size;
            mon->hit_access = e->mem.type;
        }
        stop_for(mon, (int)i);
    }
    if ((mon->want & MON_WANT_USER) && e->kind == EV_PRIV && e->priv.to == mon->user_priv)
        machine_request_stop(mon->m, STOP_BREAKPOINT, 0, "monitor: back in user mode");

    /* Step boundaries: an instruction retired, or a trap is being delivered. */
    if (e->kind == EV_INSN || e->kind == EV_EXCEPTION) {
        if (e->kind == EV_INSN) {
            close_group(mon, e);
            if (mon->verbosity != MON_QUIET && mon->m->arch == ARCH_RISCV64) track_sources(mon, e);
            mon_snapshot(mon, &mon->before); /* the state the next step starts from */
        }
        if ((mon->want & MON_WANT_STEPS) && mon->steps_left && --mon->steps_left == 0)
            machine_request_stop(mon->m, STOP_BREAKPOINT, 0, "monitor: step");
        if (mon->n_addr_bps) {
            if (e->kind == EV_EXCEPTION) {
                /* the handler's address is known once the delivery is done: look then */
                mon->want |= MON_WANT_CHECK_PC;
                machine_request_stop(mon->m, STOP_BREAKPOINT, 0, "monitor: check");
            } else {
                uint64_t pc = mon_pc(mon);
                for (unsigned i = 0; i < mon->n_bps; i++)
                    if (mon_bp_hits_pc(&mon->bps[i], pc)) stop_for(mon, (int)i);
            }
        }
    }
}

/* ---- Execution -------------------------------------------------------------------------- */

static bool check_running(struct mon *mon)
{
    struct machine *m = mon->m;
    if (m->stop.reason == STOP_NONE) return true;
    fprintf(mon->out, "the program is not running: %s\n", m->stop.detail);
    return false;
}

static void count_addr_bps(struct mon *mon)
{
    mon->n_addr_bps = 0;
    for (unsigned i = 0; i < mon->n_bps; i++)
        if (mon->bps[i].enabled && mon->bps[i].kind == MON_BP_ADDR) mon->n_addr_bps++;
}

static void delete_bp(struct mon *mon, unsigned index)
{
    memmove(&mon->bps[index], &mon->bps[index + 1], (mon->n_bps - index - 1) * sizeof mon->bps[0]);
    mon->n_bps--;
    count_addr_bps(mon);
}

static void print_transition(struct mon *mon, const struct mon_transition *t, unsigned index)
{
    char a[128], b[128];
    mon_symbolize(mon, t->entry_pc, a, sizeof a);
    fprintf(mon->out, "#%-4u %-9s at %#" PRIx64 "%s%s%s nr=%" PRIu64, index,
            ev_mech_name(t->entry_mech), t->entry_pc, a[0] ? " <" : "", a, a[0] ? ">" : "",
            t->number);
    if (!t->complete) {
        fprintf(mon->out, " -> in the kernel (%s)\n", mon_priv_name(mon, t->kernel_priv));
        return;
    }
    mon_symbolize(mon, t->exit_pc, b, sizeof b);
    fprintf(mon->out,
            " -> %s at %#" PRIx64 "%s%s%s: %" PRIu64 " instructions, %" PRIu64
            " ticks, %u system-register writes, %u TLB flushes\n",
            ev_mech_name(t->exit_mech), t->exit_pc, b[0] ? " <" : "", b, b[0] ? ">" : "",
            t->exit_insns - t->entry_insns, t->exit_time - t->entry_time, t->sysreg_writes,
            t->tlb_flushes);
}

/* Runs until the wait set up by the caller ends, a breakpoint or the guest stops the run. With
 * count > 0 it runs exactly count retired instructions with machine_step() (run N). */
static void execute(struct mon *mon, uint64_t count, enum mon_verbosity verbosity)
{
    struct machine *m = mon->m;
    size_t trans0 = mon->n_trans_total;
    bool was_in_kernel = mon->in_kernel_trans;
    bool stopped_on_transition = false;
    mon->verbosity = verbosity;
    mon->hit = -1;
    mon_snapshot(mon, &mon->before); /* set/stepping state may have changed since */
    uint64_t end = m->insns + count;
    for (;;) {
        enum stop_reason r = count ? machine_step(m, end - m->insns) : machine_run(m);
        if (r == STOP_BREAKPOINT && (mon->want & MON_WANT_CHECK_PC) && mon->hit < 0) {
            /* a look at the pc after a trap delivery */
            mon->want &= ~MON_WANT_CHECK_PC;
            uint64_t pc = mon_pc(mon);
            for (unsigned i = 0; i < mon->n_bps; i++)
                if (mon_bp_hits_pc(&mon->bps[i], pc)) mon->hit = (int)i;
            bool other = strcmp(m->stop.detail, "monitor: check") != 0;
            if (mon->hit < 0 && !other) {
                machine_clear_stop(m);
                if (count && m->insns >= end) break;
                continue;
            }
        }
        break;
    }
    mon->want = 0;
    if (mon->n_group) close_group(mon, NULL);
    dev_console_flush_stdio();
    if (m->stop.reason == STOP_BREAKPOINT) {
        if (mon->hit >= 0) {
            struct mon_bp *bp = &mon->bps[mon->hit];
            bp->hits++;
            if (!bp->temporary) {
                fprintf(mon->out, "%s %u: %s",
                        bp->kind == MON_BP_WATCH ? "watchpoint" : "breakpoint", bp->id, bp->what);
                if (bp->kind == MON_BP_WATCH)
                    fprintf(mon->out, " (%s of %u bytes at %#" PRIx64 ")",
                            mon->hit_access == EV_MEM_WRITE ? "write" : "read", mon->hit_size,
                            mon->hit_addr);
                fprintf(mon->out, "\n");
            }
            if (verbosity == MON_QUIET && mon->n_last_trans &&
                (bp->kind == MON_BP_MECH || bp->kind == MON_BP_MODE || bp->kind == MON_BP_VECTOR)) {
                print_trans_group(mon, mon->last_trans, mon->n_last_trans, mon->last_trans_has_pc,
                                  mon->last_trans_pc);
                stopped_on_transition = true;
            }
            if (bp->temporary) delete_bp(mon, (unsigned)mon->hit);
        }
        machine_clear_stop(m);
    } else if (m->stop.reason == STOP_EXIT) {
        fprintf(mon->out, "the guest exited with status %d after %" PRIu64 " instructions\n",
                machine_exit_status(m), m->insns);
        return;
    } else if (m->stop.reason != STOP_NONE) {
        fprintf(mon->out, "the run stopped after %" PRIu64 " instructions: %s\n", m->insns,
                m->stop.detail);
        return;
    }
    /* A round trip that ended in this command: its summary. */
    if (mon->n_trans_total != trans0 || (was_in_kernel && !mon->in_kernel_trans)) {
        if (mon->n_trans && mon->trans[mon->n_trans - 1].complete &&
            (verbosity != MON_QUIET || stopped_on_transition)) {
            fprintf(mon->out, "transition complete: ");
            print_transition(mon, &mon->trans[mon->n_trans - 1], mon->n_trans);
        }
    }
    mon_print_where(mon, "=>", mon_pc(mon));
}

static int parse_count_arg(struct mon *mon, int argc, char **argv, uint64_t *n)
{
    *n = 1;
    if (argc > 2) {
        fprintf(mon->out, "%s: one count at most\n", argv[0]);
        return -1;
    }
    if (argc == 2 && (mon_parse_u64(argv[1], n) < 0 || *n == 0 || *n > (1ull << 40))) {
        fprintf(mon->out, "%s: '%s' is not a count\n", argv[0], argv[1]);
        return -1;
    }
    return 0;
}

static int cmd_step(struct mon *mon, int argc, char **argv)
{
    uint64_t n;
    if (parse_count_arg(mon, argc, argv, &n) < 0 || !check_running(mon)) return -1;
    mon->want = MON_WANT_STEPS;
    mon->steps_left = n;
    execute(mon, 0, n <= 1000 ? MON_INSNS : MON_QUIET);
    return 0;
}

static int add_temp_bp(struct mon *mon, const struct mon_bp *bp)
{
    if (mon->n_bps == MON_MAX_BPS) {
        fprintf(mon->out, "too many breakpoints (%d)\n", MON_MAX_BPS);
        return -1;
    }
    mon->bps[mon->n_bps] = *bp;
    mon->bps[mon->n_bps].temporary = true;
    mon->n_bps++;
    count_addr_bps(mon);
    return 0;
}

static void drop_temp_bps(struct mon *mon)
{
    for (unsigned i = mon->n_bps; i > 0; i--)
        if (mon->bps[i - 1].temporary) delete_bp(mon, i - 1);
}

static int cmd_next(struct mon *mon, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(mon->out, "next: no arguments\n");
        return -1;
    }
    if (!check_running(mon)) return -1;
    unsigned len;
    uint64_t pc = mon_pc(mon);
    if (!mon_is_call(mon, pc, &len)) {
        mon->want = MON_WANT_STEPS;
        mon->steps_left = 1;
        execute(mon, 0, MON_INSNS);
        return 0;
    }
    struct mon_bp bp = {.kind = MON_BP_ADDR, .enabled = true, .addr = pc + len, .vector = -1};
    snprintf(bp.what, sizeof bp.what, "next");
    if (add_temp_bp(mon, &bp) < 0) return -1;
    execute(mon, 0, MON_QUIET);
    drop_temp_bps(mon);
    return 0;
}

static int cmd_continue(struct mon *mon, int argc, char **argv)
{
    (void)argc, (void)argv;
    if (!check_running(mon)) return -1;
    execute(mon, 0, MON_QUIET);
    return 0;
}

static int cmd_until(struct mon *mon, int argc, char **argv)
{
    struct mon_bp bp;
    char err[160];
    if (!check_running(mon)) return -1;
    if (mon_bp_parse(argc - 1, argv + 1, mon_resolve, mon, &bp, err, sizeof err) < 0) {
        fprintf(mon->out, "until: %s\n", strncmp(err, "break", 5) == 0 ? err + 7 : err);
        return -1;
    }
    if (add_temp_bp(mon, &bp) < 0) return -1;
    execute(mon, 0, MON_QUIET);
    drop_temp_bps(mon);
    return 0;
}

static int cmd_finish(struct mon *mon, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(mon->out, "finish: no arguments\n");
        return -1;
    }
    if (!check_running(mon)) return -1;
    if (mon_priv(mon) == mon->user_priv) {
        fprintf(mon->out,
                "finish: already in user mode (finish runs to the end of a transition)\n");
        return -1;
    }
    mon->want = MON_WANT_USER;
    execute(mon, 0, MON_TRANSITIONS);
    return 0;
}

static int cmd_run(struct mon *mon, int argc, char **argv)
{
    uint64_t n;
    if (argc != 2) {
        fprintf(mon->out, "run: how many instructions? (run N)\n");
        return -1;
    }
    if (parse_count_arg(mon, argc, argv, &n) < 0 || !check_running(mon)) return -1;
    execute(mon, n, MON_QUIET);
    return 0;
}

/* ---- Breakpoints ------------------------------------------------------------------------- */

static int add_bp(struct mon *mon, struct mon_bp *bp)
{
    if (mon->n_bps == MON_MAX_BPS) {
        fprintf(mon->out, "too many breakpoints (%d)\n", MON_MAX_BPS);
        return -1;
    }
    bp->id = ++mon->next_id;
    mon->bps[mon->n_bps++] = *bp;
    count_addr_bps(mon);
    fprintf(mon->out, "%s %u: %s", bp->kind == MON_BP_WATCH ? "watchpoint" : "breakpoint", bp->id,
            bp->what);
    if (bp->kind == MON_BP_ADDR) {
        char sym[128];
        mon_symbolize(mon, bp->addr, sym, sizeof sym);
        fprintf(mon->out, " at %#" PRIx64 "%s%s%s", bp->addr, sym[0] ? " <" : "", sym,
                sym[0] ? ">" : "");
    }
    fprintf(mon->out, "\n");
    return 0;
}

static int cmd_break(struct mon *mon, int argc, char **argv)
{
    struct mon_bp bp;
    char err[160];
    if (mon_bp_parse(argc - 1, argv + 1, mon_resolve, mon, &bp, err, sizeof err) < 0) {
        fprintf(mon->out, "%s\n", err);
        return -1;
    }
    return add_bp(mon, &bp);
}

static int cmd_watch(struct mon *mon, int argc, char **argv)
{
    struct mon_bp bp;
    char err[160];
    if (mon_watch_parse(argc - 1, argv + 1, mon_resolve, mon, &bp, err, sizeof err) < 0) {
        fprintf(mon->out, "%s\n", err);
        return -1;
    }
    return add_bp(mon, &bp);
}

static int find_bp(struct mon *mon, const char *word)
{
    uint64_t id;
    if (mon_parse_u64(word, &id) < 0) {
        fprintf(mon->out, "'%s' is not a breakpoint number\n", word);
        return -1;
    }
    for (unsigned i = 0; i < mon->n_bps; i++)
        if (mon->bps[i].id == id) return (int)i;
    fprintf(mon->out, "no breakpoint %s\n", word);
    return -1;
}

static int cmd_delete(struct mon *mon, int argc, char **argv)
{
    if (argc == 1) {
        mon->n_bps = 0;
        count_addr_bps(mon);
        fprintf(mon->out, "all breakpoints deleted\n");
        return 0;
    }
    for (int a = 1; a < argc; a++) {
        int i = find_bp(mon, argv[a]);
        if (i < 0) return -1;
        fprintf(mon->out, "deleted %u\n", mon->bps[i].id);
        delete_bp(mon, (unsigned)i);
    }
    return 0;
}

static int set_enabled(struct mon *mon, int argc, char **argv, bool enabled)
{
    if (argc < 2) {
        fprintf(mon->out, "%s: which breakpoint? (%s N...)\n", argv[0], argv[0]);
        return -1;
    }
    for (int a = 1; a < argc; a++) {
        int i = find_bp(mon, argv[a]);
        if (i < 0) return -1;
        mon->bps[i].enabled = enabled;
        fprintf(mon->out, "%s %u\n", enabled ? "enabled" : "disabled", mon->bps[i].id);
    }
    count_addr_bps(mon);
    return 0;
}

static int cmd_disable(struct mon *mon, int argc, char **argv)
{
    return set_enabled(mon, argc, argv, false);
}

static int cmd_enable(struct mon *mon, int argc, char **argv)
{
    return set_enabled(mon, argc, argv, true);
}

static int info_break(struct mon *mon, int argc, char **argv)
{
    (void)argc, (void)argv;
    if (!mon->n_bps) {
        fprintf(mon->out, "no breakpoints\n");
        return 0;
    }
    static const char *const kinds[] = {"address", "transition", "vector", "mode", "watch"};
    fprintf(mon->out, "num  type        enabled  hits  what\n");
    for (unsigned i = 0; i < mon->n_bps; i++) {
        const struct mon_bp *bp = &mon->bps[i];
        fprintf(mon->out, "%-4u %-11s %-8s %-5" PRIu64 " %s", bp->id, kinds[bp->kind],
                bp->enabled ? "yes" : "no", bp->hits, bp->what);
        if (bp->kind == MON_BP_ADDR || bp->kind == MON_BP_WATCH)
            fprintf(mon->out, " (%#" PRIx64 ")", bp->addr);
        fprintf(mon->out, "\n");
    }
    return 0;
}

static int info_transitions(struct mon *mon, int argc, char **argv)
{
    (void)argc, (void)argv;
    if (!mon->n_trans) {
        fprintf(mon->out, "no transitions yet\n");
        return 0;
    }
    fprintf(mon->out, "%" PRIu64 " user -> kernel transitions\n", mon->n_trans_total);
    for (unsigned i = 0; i < mon->n_trans; i++)
        print_transition(mon, &mon->trans[i], i + 1);
    if (mon->n_trans_total > mon->n_trans)
        fprintf(mon->out, "(the first %u are kept)\n", mon->n_trans);
    return 0;
}

static int info_last(struct mon *mon, int argc, char **argv)
{
    (void)argc, (void)argv;
    if (!mon->n_last_trans) {
        fprintf(mon->out, "no transition step seen yet\n");
        return 0;
    }
    print_trans_group(mon, mon->last_trans, mon->n_last_trans, mon->last_trans_has_pc,
                      mon->last_trans_pc);
    return 0;
}

static int info_stats(struct mon *mon, int argc, char **argv)
{
    (void)argc, (void)argv;
    struct machine *m = mon->m;
    fprintf(mon->out, "%s, %" PRIu64 " instructions, guest time %" PRIu64 " ticks, %s\n",
            mach_arch_name(m->arch), m->insns, m->time,
            m->stop.reason == STOP_NONE ? "running" : m->stop.detail);
    for (int k = 0; k < EV_KINDS_REPORTED; k++)
        fprintf(mon->out, "  %-10s %" PRIu64 "\n", ev_kind_name(k), m->events.count[k]);
    return 0;
}

static int info_registers(struct mon *mon, int argc, char **argv)
{
    return mon_cmd_regs(mon, argc - 1, argv + 1);
}

/* info's subcommands: a table as well, so help lists them. */
static const struct {
    const char *name;
    int (*handler)(struct mon *mon, int argc, char **argv);
    const char *help;
} info_table[] = {
    {"break", info_break, "breakpoints and watchpoints"},
    {"csr", mon_cmd_info_csr, "RISC-V CSRs from the CSR table with named fields [NAME...|all]"},
    {"msr", mon_cmd_info_msr, "x86 MSRs from the MSR table"},
    {"seg", mon_cmd_info_seg, "x86 segment registers with their hidden descriptor caches"},
    {"gdt", mon_cmd_info_gdt, "x86 global descriptor table"},
    {"idt", mon_cmd_info_idt, "x86 interrupt descriptor table (present gates)"},
    {"tss", mon_cmd_info_tss, "x86 task-state segment (esp0/ss0 ...)"},
    {"tlb", mon_cmd_info_tlb, "the software TLB's entries"},
    {"transitions", info_transitions, "user <-> kernel round trips seen so far"},
    {"last", info_last, "the events of the last step that changed privilege"},
    {"stats", info_stats, "instructions, guest time, event counts"},
    {"registers", info_registers, "same as regs"},
};

static int cmd_info(struct mon *mon, int argc, char **argv)
{
    if (argc < 2) {
        fprintf(mon->out, "info what?");
        for (size_t i = 0; i < sizeof info_table / sizeof info_table[0]; i++)
            fprintf(mon->out, " %s", info_table[i].name);
        fprintf(mon->out, "\n");
        return -1;
    }
    for (size_t i = 0; i < sizeof info_table / sizeof info_table[0]; i++)
        if (strcmp(argv[1], info_table[i].name) == 0 ||
            (strlen(argv[1]) >= 2 && strncmp(argv[1], info_table[i].name, strlen(argv[1])) == 0))
            return info_table[i].handler(mon, argc, argv);
    fprintf(mon->out, "info: unknown subject '%s' (help info)\n", argv[1]);
    return -1;
}

static int run_line(struct mon *mon, const char *line, bool may_repeat);

static int cmd_source(struct mon *mon, int argc, char **argv)
{
    if (argc != 2) {
        fprintf(mon->out, "source FILE\n");
        return -1;
    }
    if (mon->source_depth >= 8) {
        fprintf(mon->out, "source: nested too deeply\n");
        return -1;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        fprintf(mon->out, "source: %s: %s\n", argv[1], strerror(errno));
        return -1;
    }
    mon->source_depth++;
    char line[512];
    while (!mon->quit && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        fprintf(mon->out, PROMPT "%s\n", line);
        run_line(mon, line, false);
    }
    mon->source_depth--;
    fclose(f);
    return 0;
}

static int cmd_quit(struct mon *mon, int argc, char **argv)
{
    (void)argc, (void)argv;
    mon->quit = true;
    return 0;
}

static int cmd_help(struct mon *mon, int argc, char **argv);

/* The command table: help, completion and dispatch all read it. */
static const struct mon_command commands[] = {
    {"step", "s si stepi", "[N]",
     "execute N steps (an instruction or a trap delivery), printing each with its events", cmd_step,
     true},
    {"next", "n ni nexti", "", "step over a call (jal/jalr with rd=ra; x86 CALL)", cmd_next, true},
    {"continue", "c cont", "", "run until a breakpoint or the end", cmd_continue, false},
    {"until", "u", "ADDR|SYMBOL|TRANSITION",
     "run until an address or a transition (as break takes them)", cmd_until, false},
    {"finish", "fin", "",
     "run to the end of the current transition: back in user mode, with the transition view",
     cmd_finish, false},
    {"run", "r", "N", "run N instructions (machine_step)", cmd_run, false},
    {"break", "b",
     "ADDR|SYMBOL|syscall|sysret|sysenter|sysexit|int N|iret|ecall|sret|mret|exception "
     "[N]|interrupt [N]|mode user->kernel|kernel->user|any",
     "stop at an address or after a transition", cmd_break, false},
    {"watch", "w", "ADDR [LEN] [r|w|rw]",
     "stop after a data access to [ADDR, ADDR+LEN) (writes by default)", cmd_watch, false},
    {"delete", "d", "[N...]", "delete breakpoints (all without arguments)", cmd_delete, false},
    {"disable", "", "N...", "disable breakpoints", cmd_disable, false},
    {"enable", "", "N...", "enable breakpoints", cmd_enable, false},
    {"info", "i", "break|csr|msr|seg|gdt|idt|tss|tlb|transitions|last|stats|registers",
     "show machine state (help info)", cmd_info, false},
    {"regs", "registers", "[NAME...]",
     "general registers, pc and privilege (or the named registers)", mon_cmd_regs, false},
    {"pt", "", "ADDR", "walk the page tables for ADDR level by level, with each entry's flags",
     mon_cmd_pt, false},
    {"x", "", "/<N><b|h|w|g> ADDR|SYMBOL", "examine memory: N units of 1, 2, 4 or 8 bytes",
     mon_cmd_x, false},
    {"disas", "disassemble", "[ADDR [N]]", "disassemble N instructions (8) at ADDR (the pc)",
     mon_cmd_disas, false},
    {"set", "", "REG VALUE | *ADDR[/b|h|w|g] VALUE", "write a register or memory", mon_cmd_set,
     false},
    {"source", "", "FILE", "run the commands in FILE", cmd_source, false},
    {"help", "h ?", "[COMMAND]", "list the commands, or describe one", cmd_help, false},
    {"quit", "q exit", "", "leave the monitor (the run ends where it is)", cmd_quit, false},
};

const struct mon_command *mon_commands(size_t *count)
{
    *count = sizeof commands / sizeof commands[0];
    return commands;
}

static bool has_alias(const char *aliases, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = aliases; *p;) {
        size_t len = strcspn(p, " ");
        if (len == n && strncmp(p, name, n) == 0) return true;
        p += len;
        while (*p == ' ')
            p++;
    }
    return false;
}

const struct mon_command *mon_find_command(const char *name)
{
    size_t n = sizeof commands / sizeof commands[0];
    if (!*name) return NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(commands[i].name, name) == 0 || has_alias(commands[i].aliases, name))
            return &commands[i];
    /* a unique prefix */
    const struct mon_command *found = NULL;
    for (size_t i = 0; i < n; i++)
        if (strncmp(commands[i].name, name, strlen(name)) == 0) {
            if (found) return NULL;
            found = &commands[i];
        }
    return found;
}

static int cmd_help(struct mon *mon, int argc, char **argv)
{
    if (argc > 1) {
        const struct mon_command *c = mon_find_command(argv[1]);
        if (!c) {
            fprintf(mon->out, "help: no command '%s'\n", argv[1]);
            return -1;
        }
        fprintf(mon->out, "%s %s\n  %s\n", c->name, c->args, c->help);
        if (c->aliases[0]) fprintf(mon->out, "  aliases: %s\n", c->aliases);
        if (c->handler == cmd_info)
            for (size_t i = 0; i < sizeof info_table / sizeof info_table[0]; i++)
                fprintf(mon->out, "  info %-12s %s\n", info_table[i].name, info_table[i].help);
        return 0;
    }
    fprintf(mon->out, "commands (an empty line repeats step/next; help COMMAND for more):\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(mon->out, "  %-9s %s\n", commands[i].name, commands[i].help);
    return 0;
}

/* ---- Input -------------------------------------------------------------------------------- */

/* Runs one command line. An empty line repeats the last step command when may_repeat (typed
 * input); lines of a sourced file and comment lines never repeat anything. */
static int run_line(struct mon *mon, const char *text, bool may_repeat)
{
    char line[512];
    snprintf(line, sizeof line, "%s", text);
    bool blank = text[strspn(text, " \t\r\n")] == '\0';
    char *hash = strchr(line, '#');
    if (hash && (hash == line || hash[-1] == ' ')) *hash = '\0'; /* comments in scripts */
    char *argv[MON_MAX_ARGS];
    int argc = mon_tokenize(line, argv, MON_MAX_ARGS);
    if (argc == 0) {
        /* Enter repeats the last step command */
        if (!blank || !may_repeat || !mon->last_line[0]) return 0;
        snprintf(line, sizeof line, "%s", mon->last_line);
        argc = mon_tokenize(line, argv, MON_MAX_ARGS);
    }
    const struct mon_command *c;
    if (argv[0][0] == 'x' && (argv[0][1] == '/' || argv[0][1] == '\0'))
        c = mon_find_command("x");
    else
        c = mon_find_command(argv[0]);
    if (!c) {
        fprintf(mon->out, "unknown command '%s' (help lists the commands)\n", argv[0]);
        return -1;
    }
    if (!c->repeats)
        mon->last_line[0] = '\0';
    else if (text[0] && text != mon->last_line)
        snprintf(mon->last_line, sizeof mon->last_line, "%s", text);
    return c->handler(mon, argc, argv);
}

/* Tab completion: readline's completion callbacks take no context argument, so the session
 * they complete for is the one global the monitor keeps; it is set only while readline runs. */
static struct mon *completing;

/* What the word being completed can be: the first word is a command, the word after info an
 * info subject, any other word a register, a CSR or a symbol. */
enum complete_what { COMPLETE_COMMAND, COMPLETE_INFO, COMPLETE_OPERAND };

static char *complete_word(const char *text, int state)
{
    /* readline's generator protocol: state 0 starts a new word; the position in the lists is
     * kept between calls in these two statics (readline runs one completion at a time) */
    static size_t index, phase;
    if (!state) index = 0, phase = 0;
    size_t len = strlen(text);
    struct mon *mon = completing;
    for (;;) {
        const char *cand = NULL;
        if (mon->completing_what == COMPLETE_COMMAND) {
            if (index >= sizeof commands / sizeof commands[0]) return NULL;
            cand = commands[index++].name;
        } else if (mon->completing_what == COMPLETE_INFO) {
            if (index >= sizeof info_table / sizeof info_table[0]) return NULL;
            cand = info_table[index++].name;
        } else if (phase == 0) {
            size_t n;
            const char *const *names = mon_reg_names(mon, &n);
            if (index < n)
                cand = names[index++];
            else
                phase++, index = 0;
        } else if (phase == 1) {
            size_t n = 0;
            const struct rv_csr_info *t = mon->m->arch == ARCH_RISCV64 ? rv_csr_table(&n) : NULL;
            if (index < n)
                cand = t[index++].name;
            else
                phase++, index = 0;
        } else if (phase == 2 || phase == 3) {
            const struct elf_image *img =
                phase == 2 ? (mon->have_prog ? &mon->prog : NULL) : mon->kernel;
            if (img && index < img->n_symbols)
                cand = img->symbols[index++].name;
            else
                phase++, index = 0;
        } else {
            return NULL;
        }
        if (cand && strncmp(cand, text, len) == 0) return strdup(cand);
    }
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    struct mon *mon = completing;
    /* the words before the one being completed */
    char before[512], *words[MON_MAX_ARGS];
    snprintf(before, sizeof before, "%.*s", start, rl_line_buffer);
    int n = mon_tokenize(before, words, MON_MAX_ARGS);
    const struct mon_command *c = n ? mon_find_command(words[0]) : NULL;
    if (n == 0 || (n == 1 && c && c->handler == cmd_help))
        mon->completing_what = COMPLETE_COMMAND;
    else if (n == 1 && c && c->handler == cmd_info)
        mon->completing_what = COMPLETE_INFO;
    else
        mon->completing_what = COMPLETE_OPERAND;
    rl_attempted_completion_over = 1; /* no file names */
    return rl_completion_matches(text, complete_word);
}

/* Reads one line: readline on a terminal (prompt, history, completion), else from cfg->in with
 * the line echoed after the prompt, so a transcript reads like a session. NULL at the end. */
static char *read_line(struct mon *mon, FILE *in, bool tty)
{
    if (tty) {
        completing = mon;
        char *line = readline(PROMPT);
        completing = NULL;
        if (line && line[0]) add_history(line);
        return line;
    }
    char buf[512];
    if (!fgets(buf, sizeof buf, in)) return NULL;
    buf[strcspn(buf, "\n")] = '\0';
    fprintf(mon->out, PROMPT "%s\n", buf);
    return strdup(buf);
}

static void session(struct mon *mon, FILE *in, bool tty)
{
    while (!mon->quit) {
        fflush(mon->out);
        char *line = read_line(mon, in, tty);
        if (!line) break;
        run_line(mon, line, true);
        free(line);
    }
}

enum stop_reason mon_run(struct machine *m, const struct mon_config *cfg)
{
    struct mon *mon = calloc(1, sizeof *mon);
    if (!mon) {
        machine_request_stop(m, STOP_HOST_ERROR, EXIT_HOST_ERROR, "monitor: out of memory");
        return m->stop.reason;
    }
    mon->m = m;
    mon->cfg = cfg;
    mon->out = cfg->out ? cfg->out : stdout;
    mon->kernel = cfg->kernel;
    mon->user_priv = m->arch == ARCH_RISCV64 ? 0 : 3;
    mon->xsize = m->arch == ARCH_RISCV64 ? 8 : 4;
    char err[256];
    if (cfg->program && elf_open_file(cfg->program, &mon->prog, err, sizeof err) == 0)
        mon->have_prog = true; /* a bare-metal run's module may be no ELF at all: no symbols */
    mon_disas_init(mon);
    mon->sub = ev_subscribe(&m->events, EV_MASK_ALL, on_event, mon);
    if (mon->sub < 0) {
        fprintf(mon->out, "monitor: no event subscription left\n");
    } else {
        rl_attempted_completion_function = complete;
        rl_readline_name = "ringside";
        fprintf(mon->out, "ringside monitor: %s, %s%s%s (help lists the commands)\n",
                mach_arch_name(m->arch), mon->kernel->name, mon->have_prog ? ", program " : "",
                mon->have_prog ? mon->prog.name : "");
        mon_print_where(mon, "=>", mon_pc(mon));
        if (cfg->script) {
            char *argv[2] = {"source", (char *)cfg->script};
            cmd_source(mon, 2, argv);
        }
        if (cfg->interactive && !mon->quit) {
            FILE *in = cfg->in ? cfg->in : stdin;
            session(mon, in, isatty(fileno(in)) && isatty(fileno(mon->out)));
        }
        ev_unsubscribe(&m->events, mon->sub);
    }
    fflush(mon->out);
    mon_disas_fini(mon);
    if (mon->have_prog) elf_close(&mon->prog);
    free(mon);
    if (m->stop.reason == STOP_NONE)
        machine_request_stop(m, STOP_BREAKPOINT, 0, "left the monitor");
    return m->stop.reason;
}
