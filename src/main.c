/* ringside command line: `ringside run`, `ringside monitor`, `ringside demo`.
 *
 * main.c ties the parts together: it validates the command line, opens the program and the kernel
 * with the loader, builds the platform, attaches the CPU core for the architecture, runs the
 * machine and turns the way the run ended into an exit status. Usage errors and bad input files
 * exit 2 with one line; a part of ringside that does not exist yet says so and exits 3.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/riscv/riscv.h"
#include "cpu/x86/x86.h"
#include "loader/loader.h"
#include "machine/machine.h"
#include "machine/platform.h"
#include "monitor/monitor.h"
#include "timing/timing.h"
#include "version.h"

/* x86: --cpu chooses the vendor profile (CPUID and the vendor rules); Intel by default. */
static int attach_x86(struct machine *m, const struct boot_state *boot, const char *profile,
                      char *err, size_t errlen)
{
    return x86_cpu_attach_vendor(m, boot, x86_vendor_find(profile ? profile : "intel"), err,
                                 errlen);
}

static int attach_riscv(struct machine *m, const struct boot_state *boot, const char *profile,
                        char *err, size_t errlen)
{
    (void)profile; /* riscv64 profiles are timing profiles only (attached in boot_and_run) */
    return rv_cpu_attach(m, boot, err, errlen);
}

/* The CPU cores that exist, by architecture. A missing entry means the core is not built yet.
 * An x86-64 kernel comes as an ELF32 container (design.md "Platforms"), so it is ARCH_I386 here
 * and the same core switches to long mode when the kernel asks. */
static const struct {
    enum mach_arch arch;
    int (*attach)(struct machine *m, const struct boot_state *boot, const char *profile, char *err,
                  size_t errlen);
} cpu_cores[] = {
    {ARCH_RISCV64, attach_riscv},
    {ARCH_I386, attach_x86},
};

/* Values accepted by options, with the architectures they apply to. */
static const char *const mech_names[] = {"auto", "ecall", "int80", "sysenter", "syscall"};
static const char *const cpu_names[] = {"intel", "amd", "u74", "rocket"};

/* The profiles of --cpu: intel and amd choose the x86 vendor (CPUID and vendor rules) and the x86
 * timing profile; u74 and rocket are RISC-V timing profiles (src/timing/profile_*.c). Each
 * architecture has a default: u74 for riscv64, intel for x86. */
static bool cpu_fits(const char *cpu, enum mach_arch arch)
{
    if (strcmp(cpu, "u74") == 0 || strcmp(cpu, "rocket") == 0) return arch == ARCH_RISCV64;
    return arch == ARCH_I386 || arch == ARCH_X86_64;
}
static const char *const report_names[] = {"text", "json", "csv"};
enum trace_flag { TRACE_SYSCALLS = 1, TRACE_INSNS = 2, TRACE_EVENTS = 4 };
static const struct {
    const char *name;
    unsigned flag;
} trace_kinds[] = {
    {"syscalls", TRACE_SYSCALLS}, /* the transition log (src/timing) */
    {"insns", TRACE_INSNS},
    {"events", TRACE_EVENTS},
};

struct options {
    const char *kernel;
    const char *append; /* extra kernel command-line words, before `--` */
    const char *mech;
    const char *cpu;
    uint64_t mem;
    uint64_t max_insns, max_cycles;
    unsigned trace;
    const char *report; /* NULL: none */
    const char *timeline;
    bool monitor;
    const char *monitor_script;
    char **prog_argv; /* PROG ARGS..., NULL-terminated; NULL if none */
    int prog_argc;
    FILE *out;                     /* --trace and --report (stderr; the demo: stdout) */
    bool demo_summary;             /* the demo: the transition tables after the run */
    struct demo_table *demo_table; /* the demo: one row per mechanism of each run */
    const char *demo_arch;         /* the demo: the program's architecture, for the table */
};

static void usage(FILE *out)
{
    fputs(
        "usage: ringside run [OPTIONS] PROG [ARGS...]\n"
        "       ringside run --kernel KERNEL [OPTIONS] [PROG [ARGS...]]\n"
        "       ringside monitor [OPTIONS] PROG [ARGS...]\n"
        "       ringside demo\n"
        "       ringside --help | --version\n"
        "\n"
        "ringside emulates RISC-V (RV64) and x86 (i386, x86-64) machines, boots its own guest\n"
        "kernel on them, runs the ELF program PROG as a user process, and accounts the cycles of\n"
        "every crossing between user and kernel mode. The architecture comes from PROG's ELF\n"
        "header; PROG's output is ringside's output and PROG's exit status is ringside's.\n"
        "\n"
        "Commands:\n"
        "  run        run PROG on the embedded guest kernel (or boot KERNEL, see --kernel)\n"
        "  monitor    like run --monitor\n"
        "  demo       run the built-in demonstration\n"
        "\n"
        "Options of run and monitor:\n"
        "  -k, --kernel=FILE       boot FILE (an ELF kernel or bare-metal image) instead of the\n"
        "                          embedded guest kernel; PROG, if given, is handed to it as the\n"
        "                          initrd (riscv64) or Multiboot module (x86)\n"
        "  -m, --mech=MECH         system-call mechanism: auto, ecall (riscv64), int80, sysenter\n"
        "                          (i386, x86_64), syscall (x86_64); passed to the kernel as "
        "mech=\n"
        "  -c, --cpu=PROFILE       CPU vendor and timing profile: intel, amd (x86), u74, rocket\n"
        "                          (riscv64); defaults: intel, u74\n"
        "  -a, --append=ARGS       add ARGS to the kernel command line, before the program's\n"
        "                          arguments (the guest kernel knows verbose and kfault)\n"
        "      --mem=SIZE          guest RAM, with optional K, M or G suffix (default 128M,\n"
        "                          16M to 64G)\n"
        "  -n, --max-insns=N       stop after N instructions (exit status 124)\n"
        "      --max-cycles=N      stop after N cycles of guest time (exit status 124)\n"
        "  -t, --trace=LIST        print to stderr, comma-separated: syscalls (one line per\n"
        "                          crossing into the kernel), insns, events\n"
        "  -r, --report[=FORMAT]   at the end, report the run and its transitions per system\n"
        "                          call and per mechanism on stderr: text (default), json, csv\n"
        "      --timeline=FILE     write the transitions as a Chrome trace-event file (JSON;\n"
        "                          opens in Perfetto; 1 us on its time axis = 1 cycle)\n"
        "      --monitor           stop in the interactive monitor before the first instruction\n"
        "      --monitor-script=FILE  run monitor commands from FILE\n"
        "\n"
        "Exit status: the guest's exit status; 1 host error; 2 usage error or bad input file;\n"
        "3 the requested part of ringside is not built yet; 124 a budget ran out; 125 the guest\n"
        "cannot go on (triple fault, kernel fault, waits forever).\n",
        out);
}

/* One line on stderr, then the exit status. */
static int fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ringside: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return status;
}

static bool one_of(const char *value, const char *const *names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(value, names[i]) == 0) return true;
    return false;
}

static void join_names(char *buf, size_t len, const char *const *names, size_t count)
{
    buf[0] = '\0';
    for (size_t i = 0; i < count; i++)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "", names[i]);
}

/* Parses a decimal count; 0 and garbage are refused. */
static int parse_count(const char *text, uint64_t *value)
{
    char *end;
    if (text[0] < '0' || text[0] > '9') return -1;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || v == 0) return -1;
    *value = v;
    return 0;
}

/* Parses SIZE[K|M|G] (binary units). */
static int parse_size(const char *text, uint64_t *value)
{
    char *end;
    if (text[0] < '0' || text[0] > '9') return -1;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno) return -1;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    if (shift) end++;
    if ((*end == 'i' || *end == 'B') && shift) end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
    if (*end || v > (UINT64_MAX >> shift)) return -1;
    *value = (uint64_t)v << shift;
    return 0;
}

static int parse_trace(const char *text, unsigned *flags)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    *flags = 0;
    for (char *save = NULL, *item = strtok_r(buf, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        size_t i;
        for (i = 0; i < sizeof trace_kinds / sizeof trace_kinds[0]; i++)
            if (strcmp(item, trace_kinds[i].name) == 0) break;
        if (i == sizeof trace_kinds / sizeof trace_kinds[0])
            return fail(EXIT_USAGE, "--trace: unknown item '%s' (syscalls, insns, events)", item);
        *flags |= trace_kinds[i].flag;
    }
    if (!*flags) return fail(EXIT_USAGE, "--trace: empty list");
    return 0;
}

/* Parses the options of run/monitor. Returns 0, or an exit status after printing one line. */
static int parse_run_options(int argc, char **argv, struct options *o)
{
    enum { OPT_MEM = 256, OPT_MAX_CYCLES, OPT_TIMELINE, OPT_MONITOR, OPT_MONITOR_SCRIPT };
    static const struct option longopts[] = {
        {"kernel", required_argument, NULL, 'k'},
        {"append", required_argument, NULL, 'a'},
        {"mech", required_argument, NULL, 'm'},
        {"cpu", required_argument, NULL, 'c'},
        {"mem", required_argument, NULL, OPT_MEM},
        {"max-insns", required_argument, NULL, 'n'},
        {"max-cycles", required_argument, NULL, OPT_MAX_CYCLES},
        {"trace", required_argument, NULL, 't'},
        {"report", optional_argument, NULL, 'r'},
        {"timeline", required_argument, NULL, OPT_TIMELINE},
        {"monitor", no_argument, NULL, OPT_MONITOR},
        {"monitor-script", required_argument, NULL, OPT_MONITOR_SCRIPT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char names[128];
    int c, rc;
    o->mem = PLATFORM_DEFAULT_RAM;
    o->mech = "auto";
    opterr = 0;
    optind = 1;
    /* '+': options end at PROG, so PROG's own options reach PROG. */
    while ((c = getopt_long(argc, argv, "+:k:a:m:c:n:t:r::h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k': o->kernel = optarg; break;
        case 'a': o->append = optarg; break;
        case 'm':
            if (!one_of(optarg, mech_names, sizeof mech_names / sizeof mech_names[0])) {
                join_names(names, sizeof names, mech_names, sizeof mech_names / sizeof *mech_names);
                return fail(EXIT_USAGE, "--mech: unknown mechanism '%s' (%s)", optarg, names);
            }
            o->mech = optarg;
            break;
        case 'c':
            if (!one_of(optarg, cpu_names, sizeof cpu_names / sizeof cpu_names[0])) {
                join_names(names, sizeof names, cpu_names, sizeof cpu_names / sizeof *cpu_names);
                return fail(EXIT_USAGE, "--cpu: unknown profile '%s' (%s)", optarg, names);
            }
            o->cpu = optarg;
            break;
        case OPT_MEM:
            if (parse_size(optarg, &o->mem) < 0)
                return fail(EXIT_USAGE, "--mem: '%s' is not a size (like 128M or 1G)", optarg);
            if (o->mem < PLATFORM_MIN_RAM || o->mem > PLATFORM_MAX_RAM || o->mem % 4096)
                return fail(EXIT_USAGE, "--mem: %s is outside 16M..64G or not a multiple of 4K",
                            optarg);
            break;
        case 'n':
            if (parse_count(optarg, &o->max_insns) < 0)
                return fail(EXIT_USAGE, "--max-insns: '%s' is not a positive number", optarg);
            break;
        case OPT_MAX_CYCLES:
            if (parse_count(optarg, &o->max_cycles) < 0)
                return fail(EXIT_USAGE, "--max-cycles: '%s' is not a positive number", optarg);
            break;
        case 't':
            if ((rc = parse_trace(optarg, &o->trace)) != 0) return rc;
            break;
        case 'r':
            o->report = optarg ? optarg : "text";
            if (!one_of(o->report, report_names, sizeof report_names / sizeof report_names[0]))
                return fail(EXIT_USAGE, "--report: unknown format '%s' (text, json, csv)", optarg);
            break;
        case OPT_TIMELINE: o->timeline = optarg; break;
        case OPT_MONITOR: o->monitor = true; break;
        case OPT_MONITOR_SCRIPT: o->monitor_script = optarg; break;
        case 'h': usage(stdout); return -1;
        case ':': return fail(EXIT_USAGE, "option '%s' needs a value", argv[optind - 1]);
        default:
            if (optopt)
                return fail(EXIT_USAGE, "unknown option '-%c' (see ringside --help)", optopt);
            return fail(EXIT_USAGE, "unknown option '%s' (see ringside --help)", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        o->prog_argv = argv + optind;
        o->prog_argc = argc - optind;
    }
    if (!o->prog_argv && !o->kernel)
        return fail(EXIT_USAGE, "run: no program given (ringside run PROG [ARGS...])");
    return 0;
}

/* Does --mech fit the architecture? */
static bool mech_fits(const char *mech, enum mach_arch arch)
{
    if (strcmp(mech, "auto") == 0) return true;
    if (strcmp(mech, "ecall") == 0) return arch == ARCH_RISCV64;
    if (strcmp(mech, "syscall") == 0) return arch == ARCH_X86_64;
    return arch == ARCH_I386 || arch == ARCH_X86_64; /* int80, sysenter */
}

/* --mech and --cpu against the architecture of the run. */
static int check_arch_options(const struct options *o, enum mach_arch arch)
{
    if (!mech_fits(o->mech, arch))
        return fail(EXIT_USAGE, "--mech=%s does not exist on %s", o->mech, mach_arch_name(arch));
    if (o->cpu && !cpu_fits(o->cpu, arch))
        return fail(EXIT_USAGE, "--cpu=%s does not apply to %s", o->cpu, mach_arch_name(arch));
    return 0;
}

/* The kernel command line: "mech=M [APPEND] -- ARGV0 ARGS...", each argument with backslash escapes
 * for space, tab, newline, quote and backslash, so the kernel can split it exactly. */
static char *build_cmdline(const struct options *o)
{
    size_t len = 64 + (o->append ? strlen(o->append) + 1 : 0);
    for (int i = 0; i < o->prog_argc; i++)
        len += 2 * strlen(o->prog_argv[i]) + 1;
    char *cmd = malloc(len);
    if (!cmd) return NULL;
    char *p = cmd + sprintf(cmd, "mech=%s", o->mech);
    if (o->append) p += sprintf(p, " %s", o->append);
    if (o->prog_argc) {
        p += sprintf(p, " --");
        for (int i = 0; i < o->prog_argc; i++) {
            *p++ = ' ';
            for (const char *s = o->prog_argv[i]; *s; s++) {
                if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '"' || *s == '\\') *p++ = '\\';
                *p++ = *s;
            }
        }
    }
    *p = '\0';
    return cmd;
}

/* Reads a whole file (the initrd / module of a bare-metal run). */
static uint8_t *read_file(const char *path, size_t *size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    uint8_t *data = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *grown = cap > (1ull << 30) ? NULL : realloc(data, cap);
            if (!grown) {
                snprintf(err, errlen, "%s: too large", path);
                free(data);
                fclose(f);
                return NULL;
            }
            data = grown;
        }
        size_t n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0) break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "%s: read error", path);
        free(data);
        return NULL;
    }
    *size = len;
    return data;
}

/* --trace=insns,events: print from the event stream. */
static void trace_event(void *opaque, const struct ev *e)
{
    FILE *out = opaque;
    switch (e->kind) {
    case EV_INSN:
        fprintf(out, "insn  pc=%#" PRIx64 " len=%u class=%u\n", e->pc, e->insn.len,
                e->insn.op_class);
        break;
    case EV_EXCEPTION:
        fprintf(out, "%s pc=%#" PRIx64 " vector=%u info=%#" PRIx64 "\n",
                e->exception.interrupt ? "interrupt" : "exception", e->pc, e->exception.vector,
                e->exception.info);
        break;
    case EV_PRIV:
        fprintf(out, "priv  pc=%#" PRIx64 " %u -> %u by %s\n", e->pc, e->priv.from, e->priv.to,
                ev_mech_name(e->priv.mech));
        break;
    case EV_SYSREG:
        fprintf(out, "sysreg pc=%#" PRIx64 " space=%u number=%#x %#" PRIx64 " -> %#" PRIx64 "\n",
                e->pc, e->sysreg.space, e->sysreg.number, e->sysreg.old_value, e->sysreg.new_value);
        break;
    case EV_TLB_FLUSH:
        fprintf(out, "tlb-flush pc=%#" PRIx64 " vaddr=%#" PRIx64 " asid=%#x\n", e->pc,
                e->tlb_flush.vaddr, e->tlb_flush.asid);
        break;
    case EV_EXPLAIN:
        fprintf(out, "explain pc=%#" PRIx64 " %s (%#" PRIx64 ")\n", e->pc, e->explain.text,
                e->explain.value);
        break;
    default: break;
    }
}

/* --report: the run's outcome, the event counters and the transitions (src/timing). */
static void report_run(const struct machine *m, const struct tm_log *log, const char *format,
                       FILE *out)
{
    if (strcmp(format, "json") == 0) {
        fprintf(out, "{\"arch\": \"%s\", \"stop\": \"%s\", \"exit_status\": %d, ",
                mach_arch_name(m->arch), stop_reason_name(m->stop.reason), machine_exit_status(m));
        fprintf(out, "\"instructions\": %" PRIu64 ", \"time\": %" PRIu64 ", \"events\": {",
                m->insns, m->time);
        for (int k = 0; k < EV_KINDS_REPORTED; k++)
            fprintf(out, "%s\"%s\": %" PRIu64, k ? ", " : "", ev_kind_name(k), m->events.count[k]);
        fprintf(out, "}, \"transitions\": ");
        tm_report_json(log, out);
        fprintf(out, "}\n");
    } else if (strcmp(format, "csv") == 0) {
        fprintf(out, "arch,stop,exit_status,instructions,time");
        for (int k = 0; k < EV_KINDS_REPORTED; k++)
            fprintf(out, ",%s", ev_kind_name(k));
        fprintf(out, "\n%s,%s,%d,%" PRIu64 ",%" PRIu64, mach_arch_name(m->arch),
                stop_reason_name(m->stop.reason), machine_exit_status(m), m->insns, m->time);
        for (int k = 0; k < EV_KINDS_REPORTED; k++)
            fprintf(out, ",%" PRIu64, m->events.count[k]);
        fprintf(out, "\n\n"); /* an empty line, then the transition table */
        tm_report_csv(log, out);
    } else {
        fprintf(out, "ringside report: %s, %s (exit status %d)\n", mach_arch_name(m->arch),
                stop_reason_name(m->stop.reason), machine_exit_status(m));
        fprintf(out, "  instructions %" PRIu64 ", guest time %" PRIu64 " ticks\n", m->insns,
                m->time);
        for (int k = 0; k < EV_KINDS_REPORTED; k++)
            fprintf(out, "  %-10s %" PRIu64 "\n", ev_kind_name(k), m->events.count[k]);
        tm_report_text(log, out);
    }
}

/* The demo's closing table: every mechanism on every architecture that ran. */
struct demo_table {
    char row[32][128];
    unsigned n;
};

static void demo_table_add(struct demo_table *dt, const char *arch, const struct tm_log *log,
                           const char *cpu)
{
    for (size_t i = 0; i < log->mechanisms.n && dt->n < 32; i++) {
        const struct tm_group *g = &log->mechanisms.g[i];
        if (!g->returned) continue;
        struct tm_stats st[TM_PART_COUNT];
        for (int p = 0; p < TM_PART_COUNT; p++)
            tm_series_stats(&g->part[p][TM_CYCLES], &st[p]);
        char mech[40];
        snprintf(mech, sizeof mech, "%s -> %s", ev_mech_name(g->mech), ev_mech_name(g->ret_mech));
        snprintf(dt->row[dt->n++], sizeof dt->row[0],
                 "  %-8s %-7s %-18s %6" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64,
                 arch, cpu, mech, g->returned, st[TM_ENTRY].median, st[TM_KERNEL].median,
                 st[TM_EXIT].median,
                 st[TM_ENTRY].median + st[TM_KERNEL].median + st[TM_EXIT].median);
    }
}

/* Where each closed transition goes: the --trace=syscalls line and the --timeline spans. */
struct transition_sinks {
    FILE *trace;
    struct tm_timeline *timeline;
};
static void on_transition(void *opaque, const struct tm_transition *t)
{
    struct transition_sinks *s = opaque;
    if (s->trace) tm_trace_transition(s->trace, t);
    if (s->timeline) tm_timeline_transition(s->timeline, t);
}

/* Boots kernel on its platform with params and runs it to the end. */
static int boot_and_run(const struct elf_image *kernel, const struct boot_params *params,
                        const struct options *o)
{
    char err[512];
    int (*attach)(struct machine *, const struct boot_state *, const char *, char *, size_t) = NULL;
    for (size_t i = 0; i < sizeof cpu_cores / sizeof cpu_cores[0]; i++)
        if (cpu_cores[i].arch == kernel->arch) attach = cpu_cores[i].attach;
    struct machine m;
    struct platform platform;
    struct dev_console console;
    struct boot_state boot;
    dev_console_stdio(&console);
    if (o->monitor) console.in_fd = -1; /* the monitor reads its commands there: input ends */
    if (platform_create(&m, &platform, kernel->arch, o->mem, &console, err, sizeof err) < 0)
        return fail(EXIT_HOST_ERROR, "%s", err);
    int rc = kernel->arch == ARCH_RISCV64
                 ? boot_riscv_virt(&m, kernel, params, &boot, err, sizeof err)
                 : boot_multiboot(&m, kernel, params, &boot, err, sizeof err);
    if (rc < 0) {
        machine_destroy(&m);
        return fail(EXIT_USAGE, "%s", err);
    }
    if (!attach) {
        machine_destroy(&m);
        return fail(EXIT_NOT_BUILT, "the %s CPU core is not built yet",
                    mach_arch_name(kernel->arch));
    }
    if (kernel->arch == ARCH_RISCV64) {
        /* Spike's HTIF, for images that define tohost and fromhost (design.md "Platforms"). */
        const struct elf_symbol *tohost = elf_find_symbol(kernel, "tohost");
        const struct elf_symbol *fromhost = elf_find_symbol(kernel, "fromhost");
        if (tohost && fromhost &&
            !dev_htif_attach(&m, tohost->value, fromhost->value, &console, err, sizeof err)) {
            machine_destroy(&m);
            return fail(EXIT_USAGE, "%s: tohost/fromhost: %s", kernel->name, err);
        }
    }
    if (attach(&m, &boot, o->cpu, err, sizeof err) < 0) {
        machine_destroy(&m);
        return fail(EXIT_HOST_ERROR, "%s", err);
    }
    m.max_insns = o->max_insns;
    m.max_cycles = o->max_cycles;
    uint32_t trace_mask = 0;
    if (o->trace & TRACE_INSNS) trace_mask |= EV_MASK(EV_INSN);
    if (o->trace & TRACE_EVENTS) trace_mask |= EV_MASK_ALL & ~EV_MASK(EV_INSN) & ~EV_MASK(EV_MEM);
    FILE *out = o->out ? o->out : stderr;
    if (trace_mask) ev_subscribe(&m.events, trace_mask, trace_event, out);
    /* The timing model, always: guest time is its cycles. Subscribed before the log, so the log
     * reads the cycles of the event it handles. */
    const struct tm_profile *profile =
        o->cpu ? tm_profile_find(o->cpu, m.arch) : tm_profile_default(m.arch);
    struct tm_model model;
    if (!profile || tm_model_attach(&model, profile, &m) < 0) {
        machine_destroy(&m);
        return fail(EXIT_HOST_ERROR, "the timing model cannot be attached");
    }
    /* The transition log costs a call per instruction: only when something prints it. */
    struct tm_log log;
    tm_log_init(&log, m.arch, m.cpu_ops, m.cpu);
    FILE *timeline = NULL;
    if (o->timeline) {
        timeline = fopen(o->timeline, "w");
        if (!timeline) {
            tm_model_destroy(&model);
            machine_destroy(&m);
            return fail(EXIT_USAGE, "--timeline: %s: %s", o->timeline, strerror(errno));
        }
    }
    if ((o->trace & TRACE_SYSCALLS) || o->report || o->demo_summary || o->demo_table || timeline) {
        if (tm_log_attach_model(&log, &m, &model) < 0) {
            machine_destroy(&m);
            return fail(EXIT_HOST_ERROR, "no event subscriber slot left for the transition log");
        }
    }
    struct tm_timeline tl;
    struct transition_sinks sinks = {(o->trace & TRACE_SYSCALLS) ? out : NULL,
                                     timeline ? &tl : NULL};
    if (timeline) tm_timeline_begin(&tl, timeline, m.arch);
    if (sinks.trace || sinks.timeline) {
        log.on_close = on_transition;
        log.on_close_opaque = &sinks;
    }

    enum stop_reason reason;
    if (o->monitor || o->monitor_script) {
        /* The monitor drives the same run loop; PROG (the initrd) gives it the user symbols. */
        struct mon_config mc = {.kernel = kernel,
                                .program = o->prog_argv ? o->prog_argv[0] : NULL,
                                .script = o->monitor_script,
                                .interactive = o->monitor,
                                .in = stdin,
                                .out = stdout};
        reason = mon_run(&m, &mc);
    } else {
        reason = machine_run(&m);
    }
    dev_console_flush_stdio();
    tm_log_finish(&log);
    int status = machine_exit_status(&m);
    if (reason != STOP_EXIT) {
        fprintf(stderr, "ringside: stopped after %" PRIu64 " instructions: %s\n", m.insns,
                m.stop.detail);
        if (reason == STOP_FATAL && m.cpu_ops && m.cpu_ops->dump) m.cpu_ops->dump(m.cpu, stderr);
    }
    if (o->report) {
        report_run(&m, &log, o->report, out);
        if (strcmp(o->report, "text") == 0) tm_model_report_text(&model, out);
    }
    if (o->demo_summary) tm_report_text(&log, out);
    if (o->demo_table)
        demo_table_add(o->demo_table, o->demo_arch ? o->demo_arch : mach_arch_name(m.arch), &log,
                       profile->name);
    if (timeline) {
        tm_timeline_end(&tl);
        if (fclose(timeline) != 0) fprintf(stderr, "ringside: --timeline: write error\n");
    }
    tm_log_destroy(&log);
    tm_model_destroy(&model);
    machine_destroy(&m);
    return status;
}

static const struct embedded_image *find_embedded(const char *arch, const char *role)
{
    for (unsigned i = 0; i < embedded_image_count; i++)
        if (strcmp(embedded_images[i].arch, arch) == 0 &&
            strcmp(embedded_images[i].role, role) == 0)
            return &embedded_images[i];
    return NULL;
}

static int cmd_run(int argc, char **argv, bool monitor)
{
    struct options o = {0};
    int rc = parse_run_options(argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    o.monitor = o.monitor || monitor;

    char err[512];
    struct elf_image kernel = {0};
    struct boot_params params = {0};
    uint8_t *initrd = NULL;
    enum mach_arch arch;
    if (o.kernel) {
        if (elf_open_file(o.kernel, &kernel, err, sizeof err) < 0)
            return fail(EXIT_USAGE, "%s", err);
        arch = kernel.arch;
        if (o.prog_argv) {
            initrd = read_file(o.prog_argv[0], &params.initrd_size, err, sizeof err);
            if (!initrd) {
                elf_close(&kernel);
                return fail(EXIT_USAGE, "%s", err);
            }
        }
    } else {
        struct elf_image prog;
        if (elf_open_file(o.prog_argv[0], &prog, err, sizeof err) < 0)
            return fail(EXIT_USAGE, "%s", err);
        arch = prog.arch;
        elf_close(&prog);
        if ((rc = check_arch_options(&o, arch)) != 0) return rc;
        const struct embedded_image *k = find_embedded(mach_arch_name(arch), "kernel");
        if (!k)
            return fail(EXIT_NOT_BUILT,
                        "no %s guest kernel is built yet (ringside run --kernel FILE boots a "
                        "bare-metal image)",
                        mach_arch_name(arch));
        if (elf_open_memory(k->start, (size_t)(k->end - k->start), k->name, &kernel, err,
                            sizeof err) < 0)
            return fail(EXIT_HOST_ERROR, "embedded kernel: %s", err);
        initrd = read_file(o.prog_argv[0], &params.initrd_size, err, sizeof err);
        if (!initrd) {
            elf_close(&kernel);
            return fail(EXIT_USAGE, "%s", err);
        }
    }
    rc = check_arch_options(&o, arch);
    if (rc) {
        free(initrd);
        elf_close(&kernel);
        return rc;
    }
    char *cmdline = build_cmdline(&o);
    params.cmdline = cmdline;
    params.initrd = initrd;
    params.initrd_name = o.prog_argv ? o.prog_argv[0] : NULL;
    rc = cmdline ? boot_and_run(&kernel, &params, &o) : fail(EXIT_HOST_ERROR, "out of memory");
    free(cmdline);
    free(initrd);
    elf_close(&kernel);
    return rc;
}

/* The demonstration (issues 4, 7, 9): each embedded guest kernel runs embedded user programs
 * (cmake: ringside_embed_image(... ROLE demo)), each handed over as the initrd exactly as
 * `ringside run` hands over a file, under every system-call mechanism its CPU profiles offer;
 * every crossing is traced or summarised on stdout and the closing table compares them. */
static const struct {
    const char *image; /* embedded image name */
    const char *arch;  /* its architecture: which embedded kernel runs it */
    const char *mech, *cpu;
    const char *argv[4];
    bool trace;   /* one line per system call */
    bool summary; /* the run's transition tables */
} demo_runs[] = {
    {"riscv64_hello", "riscv64", "ecall", NULL, {"hello", "from", "the demo", NULL}, true, true},
    {"riscv64_syscall_loop", "riscv64", "ecall", NULL, {"syscall-loop", "100", NULL}, false, true},
    {"i386_hello", "i386", "sysenter", "intel", {"hello", "from", "i386", NULL}, true, false},
    {"i386_syscall_loop", "i386", "int80", "intel", {"syscall-loop", "100", NULL}, false, false},
    {"i386_syscall_loop", "i386", "sysenter", "intel", {"syscall-loop", "100", NULL}, false, false},
    {"x86_64_hello", "x86_64", "syscall", "intel", {"hello", "from", "x86_64", NULL}, true, false},
    {"x86_64_syscall_loop",
     "x86_64",
     "syscall",
     "intel",
     {"syscall-loop", "100", NULL},
     false,
     false},
    {"x86_64_syscall_loop",
     "x86_64",
     "int80",
     "intel",
     {"syscall-loop", "100", NULL},
     false,
     false},
    {"x86_64_syscall_loop",
     "x86_64",
     "sysenter",
     "intel",
     {"syscall-loop", "100", NULL},
     false,
     false},
    {"x86_64_syscall_loop",
     "x86_64",
     "syscall",
     "amd",
     {"syscall-loop", "100", NULL},
     false,
     false},
};

static const struct embedded_image *find_embedded_name(const char *name)
{
    for (unsigned i = 0; i < embedded_image_count; i++)
        if (strcmp(embedded_images[i].name, name) == 0) return &embedded_images[i];
    return NULL;
}

static int cmd_demo(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) return fail(EXIT_USAGE, "demo takes no arguments");
    printf("ringside %s demo: the embedded guest kernels boot on the emulated machines and run\n"
           "user programs. On riscv64 each system call leaves U-mode by ecall, enters S-mode\n"
           "through the trampoline page and returns by sret; on i386 by int $0x80 or sysenter\n"
           "(through the vsyscall page), on x86_64 by syscall/sysret with swapgs, int $0x80 or\n"
           "sysenter (Intel only). ringside follows every crossing in the event stream and\n"
           "prices it with the timing model of the CPU profile: instructions, cycles and\n"
           "cache/TLB misses of entry, kernel and exit.\n",
           RINGSIDE_VERSION);
    int worst = 0;
    struct demo_table table = {.n = 0};
    for (size_t r = 0; r < sizeof demo_runs / sizeof demo_runs[0]; r++) {
        const struct embedded_image *p = find_embedded_name(demo_runs[r].image);
        const struct embedded_image *k = find_embedded(demo_runs[r].arch, "kernel");
        struct elf_image kernel;
        char err[512];
        if (!p || !k) {
            worst = fail(EXIT_NOT_BUILT, "demo: %s is not embedded",
                         p ? demo_runs[r].arch : demo_runs[r].image);
            continue;
        }
        if (elf_open_memory(k->start, (size_t)(k->end - k->start), k->name, &kernel, err,
                            sizeof err) < 0) {
            worst = fail(EXIT_HOST_ERROR, "embedded kernel: %s", err);
            continue;
        }
        struct options o = {.mech = demo_runs[r].mech,
                            .cpu = demo_runs[r].cpu,
                            .mem = PLATFORM_DEFAULT_RAM,
                            .max_insns = 100000000,
                            .prog_argv = (char **)demo_runs[r].argv,
                            .out = stdout,
                            .demo_summary = demo_runs[r].summary,
                            .demo_table = &table,
                            .demo_arch = demo_runs[r].arch};
        while (o.prog_argv[o.prog_argc])
            o.prog_argc++;
        if (demo_runs[r].trace) o.trace = TRACE_SYSCALLS;
        char *cmdline = build_cmdline(&o);
        struct boot_params params = {.cmdline = cmdline,
                                     .initrd = p->start,
                                     .initrd_size = (size_t)(p->end - p->start),
                                     .initrd_name = p->name};
        printf("\n==");
        for (int i = 0; i < o.prog_argc; i++)
            printf(strchr(o.prog_argv[i], ' ') ? " '%s'" : " %s", o.prog_argv[i]);
        printf("   (%s.elf on %s, --cpu=%s%s)\n   kernel command line: %s\n", p->name, k->name,
               o.cpu ? o.cpu : "u74", demo_runs[r].trace ? ", --trace=syscalls" : "",
               cmdline ? cmdline : "?");
        fflush(stdout);
        int rc = cmdline ? boot_and_run(&kernel, &params, &o) : fail(EXIT_HOST_ERROR, "no memory");
        fflush(stdout);
        printf("   exit status %d\n", rc);
        if (rc != 0) worst = rc;
        free(cmdline);
        elf_close(&kernel);
    }
    printf("\n== every mechanism on every architecture that ran (median cycles)\n"
           "  %-8s %-7s %-18s %6s %8s %8s %8s %8s\n",
           "arch", "cpu", "mechanism", "calls", "entry", "kernel", "exit", "total");
    for (unsigned i = 0; i < table.n; i++)
        printf("%s\n", table.row[i]);
    return worst;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("ringside %s\n", RINGSIDE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 1, argv + 1, false);
    if (strcmp(cmd, "monitor") == 0) return cmd_run(argc - 1, argv + 1, true);
    if (strcmp(cmd, "demo") == 0) return cmd_demo(argc - 1, argv + 1);
    if (cmd[0] == '-') return fail(EXIT_USAGE, "unknown option '%s' (see ringside --help)", cmd);
    return fail(EXIT_USAGE, "unknown command '%s' (run, monitor, demo; see ringside --help)", cmd);
}
