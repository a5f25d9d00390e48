/* What the transition log prints: one line per crossing (--trace=syscalls, in the manner of
 * strace) and the per-system-call and per-mechanism tables of --report in text, JSON and CSV.
 * README.md "--report" documents the JSON and CSV schema; every count is a number of
 * instructions until the timing model adds cycles (timing.h). */
#include <inttypes.h>
#include <string.h>

#include "cpu/x86/x86.h"
#include "timing/timing.h"

static bool is_syscall(const struct tm_transition *t)
{
    return t->abi != TM_ABI_NONE;
}

static const char *arch_label(const struct tm_transition *t)
{
    return is_syscall(t) ? tm_abi_regs(t->abi)->name : mach_arch_name(t->arch);
}

void tm_transition_name(const struct tm_transition *t, char *buf, size_t len)
{
    if (is_syscall(t)) {
        const struct tm_syscall_name *s = tm_syscall_lookup(t->abi, t->nr);
        if (s)
            snprintf(buf, len, "%s", s->name);
        else
            snprintf(buf, len, "syscall_%" PRIu64, t->nr);
    } else if (t->arch == ARCH_RISCV64) {
        const char *name = t->has_cause ? tm_riscv_cause_name(t->cause, t->interrupt) : NULL;
        if (name)
            snprintf(buf, len, "%s", name);
        else
            snprintf(buf, len, "%s %" PRIu32, t->interrupt ? "interrupt" : "exception", t->cause);
    } else {
        snprintf(buf, len, "%s", x86_vector_name(t->cause));
        if (strcmp(buf, "int") == 0) snprintf(buf, len, "int $%#" PRIx32, t->cause);
    }
}

/* Small values in decimal, addresses and the like in hex (no per-call argument types yet). */
static void print_value(FILE *out, uint64_t v)
{
    if (v < 0x10000)
        fprintf(out, "%" PRIu64, v);
    else
        fprintf(out, "%#" PRIx64, v);
}

static void print_counts(FILE *out, const struct tm_transition *t)
{
    for (int k = 0; k < TM_METRIC_COUNT; k++) {
        fprintf(out, "%sentry %" PRIu64 " / kernel %" PRIu64, k ? ", " : "   ",
                t->count[TM_ENTRY][k], t->count[TM_KERNEL][k]);
        if (t->returned) fprintf(out, " / exit %" PRIu64, t->count[TM_EXIT][k]);
        fprintf(out, " %s", tm_metric_name((enum tm_metric)k));
    }
    if (t->nested) fprintf(out, ", %" PRIu32 " nested trap(s)", t->nested);
    if (!t->returned) fputs(" (no return: the run ended in the kernel)", out);
    fputc('\n', out);
}

void tm_trace_print(const struct tm_transition *t, FILE *out)
{
    char name[64];
    tm_transition_name(t, name, sizeof name);
    fprintf(out, "[%s %s] ", arch_label(t), ev_mech_name(t->mech));
    if (is_syscall(t)) {
        const struct tm_syscall_name *s = tm_syscall_lookup(t->abi, t->nr);
        int nargs = s ? (s->nargs < TM_SYSCALL_ARGS ? s->nargs : TM_SYSCALL_ARGS) : TM_SYSCALL_ARGS;
        fprintf(out, "%s(", name);
        for (int i = 0; i < nargs; i++) {
            if (i) fputs(", ", out);
            print_value(out, t->args[i]);
        }
        if (s && s->nargs > TM_SYSCALL_ARGS) fputs(", ...", out);
        fputs(") = ", out);
        if (!t->returned) {
            fputs("?", out);
        } else {
            int64_t r = (int64_t)t->ret;
            const char *err = r < 0 && r >= -4095 ? tm_errno_name((uint64_t)-r) : NULL;
            if (r < 0 && r >= -4095)
                fprintf(out, "%" PRId64 "%s%s", r, err ? " " : "", err ? err : "");
            else
                print_value(out, t->ret);
        }
    } else if (t->arch == ARCH_RISCV64) {
        /* Priv. spec 4.1.8-4.1.9 (scause, stval) or 3.1.15-3.1.16 (mcause, mtval) */
        const char *x = t->kernel == 3 ? "m" : "s";
        fprintf(out, "%s (%scause=%" PRIu32 ", %stval=%#" PRIx64 ") at pc %#" PRIx64, name, x,
                t->cause, x, t->info, t->pc);
    } else {
        fprintf(out, "%s (vector %" PRIu32 ", error code %#" PRIx64 ") at eip %#" PRIx64, name,
                t->cause, t->info, t->pc);
    }
    if (t->returned) fprintf(out, " -> %s", ev_mech_name(t->ret_mech));
    print_counts(out, t);
}

void tm_trace_transition(void *file, const struct tm_transition *t)
{
    tm_trace_print(t, file);
}

static void group_name(const struct tm_group *g, char *buf, size_t len)
{
    const struct tm_syscall_name *s = tm_syscall_lookup(g->abi, g->nr);
    if (s)
        snprintf(buf, len, "%s", s->name);
    else
        snprintf(buf, len, "syscall_%" PRIu64, g->nr);
}

static const char *ret_name(const struct tm_group *g)
{
    return g->ret_mech == EV_MECH_NONE ? "-" : ev_mech_name(g->ret_mech);
}

static void text_stats(FILE *out, const struct tm_group *g, int k)
{
    for (int p = 0; p < TM_PART_COUNT; p++) {
        struct tm_stats st;
        tm_series_stats(&g->part[p][k], &st);
        char cell[64];
        if (st.n)
            snprintf(cell, sizeof cell, "%" PRIu64 "/%" PRIu64 "/%" PRIu64, st.min, st.median,
                     st.max);
        else
            snprintf(cell, sizeof cell, "-");
        fprintf(out, "  %18s", cell);
    }
    fputc('\n', out);
}

void tm_report_text(const struct tm_log *log, FILE *out)
{
    fprintf(out,
            "transitions: %" PRIu64 " from user to kernel mode, %" PRIu64 " returned, %" PRIu64
            " still in the kernel at the end\n  returns to user mode without an entry (the kernel "
            "starting a program): %" PRIu64 "\n",
            log->transitions, log->returned, log->open_at_end, log->returns_without_entry);
    fprintf(out,
            "  instructions outside transitions: %" PRIu64 " in user mode, %" PRIu64
            " in the kernel (boot)\n",
            log->user_insns, log->kernel_outside_insns);
    if (!log->transitions) return;
    for (int k = 0; k < TM_METRIC_COUNT; k++) {
        const char *unit = k == TM_INSNS ? "instructions" : tm_metric_name((enum tm_metric)k);
        fprintf(out, "  %s per part (min/median/max):\n", unit);
        if (log->syscalls.n) {
            fprintf(out, "  %-8s %-16s %6s %7s  %18s  %18s  %18s\n", "abi", "system call", "number",
                    "count", "entry", "kernel", "exit");
            for (size_t i = 0; i < log->syscalls.n; i++) {
                const struct tm_group *g = &log->syscalls.g[i];
                char name[48];
                group_name(g, name, sizeof name);
                fprintf(out, "  %-8s %-16s %6" PRIu64 " %7" PRIu64, tm_abi_regs(g->abi)->name, name,
                        g->nr, g->count);
                text_stats(out, g, k);
            }
        }
        fprintf(out, "  %-8s %-16s %6s %7s  %18s  %18s  %18s\n", "", "mechanism", "return", "count",
                "entry", "kernel", "exit");
        for (size_t i = 0; i < log->mechanisms.n; i++) {
            const struct tm_group *g = &log->mechanisms.g[i];
            fprintf(out, "  %-8s %-16s %6s %7" PRIu64, "", ev_mech_name(g->mech), ret_name(g),
                    g->count);
            text_stats(out, g, k);
        }
    }
    if (log->errors)
        fprintf(out, "  (%" PRIu64 " accounting error(s): registers unreadable or memory short)\n",
                log->errors);
}

static void json_parts(FILE *out, const struct tm_group *g)
{
    for (int p = 0; p < TM_PART_COUNT; p++) {
        fprintf(out, ", \"%s\": {", tm_part_name((enum tm_part)p));
        for (int k = 0; k < TM_METRIC_COUNT; k++) {
            struct tm_stats st;
            tm_series_stats(&g->part[p][k], &st);
            fprintf(out, "%s\"%s\": ", k ? ", " : "", tm_metric_name((enum tm_metric)k));
            if (st.n)
                fprintf(out,
                        "{\"min\": %" PRIu64 ", \"median\": %" PRIu64 ", \"max\": %" PRIu64 "}",
                        st.min, st.median, st.max);
            else
                fputs("null", out);
        }
        fputc('}', out);
    }
}

void tm_report_json(const struct tm_log *log, FILE *out)
{
    fprintf(out, "{\"units\": [");
    for (int k = 0; k < TM_METRIC_COUNT; k++)
        fprintf(out, "%s\"%s\"", k ? ", " : "", tm_metric_name((enum tm_metric)k));
    fprintf(out,
            "], \"count\": %" PRIu64 ", \"returned\": %" PRIu64 ", \"open_at_end\": %" PRIu64
            ", \"returns_without_entry\": %" PRIu64 ", \"user_insns\": %" PRIu64
            ", \"kernel_outside_insns\": %" PRIu64 ", \"errors\": %" PRIu64 ", \"syscalls\": [",
            log->transitions, log->returned, log->open_at_end, log->returns_without_entry,
            log->user_insns, log->kernel_outside_insns, log->errors);
    for (size_t i = 0; i < log->syscalls.n; i++) {
        const struct tm_group *g = &log->syscalls.g[i];
        char name[48];
        group_name(g, name, sizeof name);
        fprintf(out,
                "%s{\"abi\": \"%s\", \"name\": \"%s\", \"number\": %" PRIu64 ", \"count\": %" PRIu64
                ", \"returned\": %" PRIu64,
                i ? ", " : "", tm_abi_regs(g->abi)->name, name, g->nr, g->count, g->returned);
        json_parts(out, g);
        fputc('}', out);
    }
    fprintf(out, "], \"mechanisms\": [");
    for (size_t i = 0; i < log->mechanisms.n; i++) {
        const struct tm_group *g = &log->mechanisms.g[i];
        fprintf(out, "%s{\"mechanism\": \"%s\", \"return\": ", i ? ", " : "",
                ev_mech_name(g->mech));
        if (g->ret_mech == EV_MECH_NONE)
            fputs("null", out);
        else
            fprintf(out, "\"%s\"", ev_mech_name(g->ret_mech));
        fprintf(out, ", \"count\": %" PRIu64 ", \"returned\": %" PRIu64, g->count, g->returned);
        json_parts(out, g);
        fputc('}', out);
    }
    fprintf(out, "]}");
}

static void csv_row(FILE *out, const char *table, const char *abi, const char *name,
                    const char *number, const char *mech, const char *ret, const struct tm_group *g)
{
    fprintf(out, "%s,%s,%s,%s,%s,%s,%" PRIu64 ",%" PRIu64, table, abi, name, number, mech, ret,
            g->count, g->returned);
    for (int p = 0; p < TM_PART_COUNT; p++)
        for (int k = 0; k < TM_METRIC_COUNT; k++) {
            struct tm_stats st;
            tm_series_stats(&g->part[p][k], &st);
            if (st.n)
                fprintf(out, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64, st.min, st.median, st.max);
            else
                fputs(",,,", out);
        }
    fputc('\n', out);
}

void tm_report_csv(const struct tm_log *log, FILE *out)
{
    fputs("table,abi,name,number,mechanism,return,count,returned", out);
    for (int p = 0; p < TM_PART_COUNT; p++)
        for (int k = 0; k < TM_METRIC_COUNT; k++)
            for (int s = 0; s < 3; s++)
                fprintf(out, ",%s_%s_%s", tm_part_name((enum tm_part)p),
                        tm_metric_name((enum tm_metric)k),
                        s == 0   ? "min"
                        : s == 1 ? "median"
                                 : "max");
    fputc('\n', out);
    for (size_t i = 0; i < log->syscalls.n; i++) {
        const struct tm_group *g = &log->syscalls.g[i];
        char name[48], number[24];
        group_name(g, name, sizeof name);
        snprintf(number, sizeof number, "%" PRIu64, g->nr);
        csv_row(out, "syscall", tm_abi_regs(g->abi)->name, name, number, "", "", g);
    }
    for (size_t i = 0; i < log->mechanisms.n; i++) {
        const struct tm_group *g = &log->mechanisms.g[i];
        csv_row(out, "mechanism", "", "", "", ev_mech_name(g->mech),
                g->ret_mech == EV_MECH_NONE ? "" : ev_mech_name(g->ret_mech), g);
    }
}
