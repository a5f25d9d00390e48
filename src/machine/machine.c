/* The machine and its run loop (see machine.h). */
#include "machine/machine.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *mach_arch_name(enum mach_arch arch)
{
    switch (arch) {
    case ARCH_RISCV64: return "riscv64";
    case ARCH_I386: return "i386";
    case ARCH_X86_64: return "x86_64";
    case ARCH_NONE: break;
    }
    return "none";
}

const char *stop_reason_name(enum stop_reason reason)
{
    static const char *const names[] = {
#define X(name, text) text,
        STOP_REASONS(X)
#undef X
    };
    return (unsigned)reason < sizeof names / sizeof names[0] ? names[reason] : "?";
}

int machine_init(struct machine *m, enum mach_arch arch, uint64_t ram_base, uint64_t ram_size,
                 char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    m->arch = arch;
    ev_stream_init(&m->events);
    m->events.clock = &m->time;
    m->events.clock_limit = &m->limit_time;
    return bus_init(&m->bus, ram_base, ram_size, err, errlen);
}

void machine_destroy(struct machine *m)
{
    if (m->cpu_ops && m->cpu && m->cpu_ops->destroy) m->cpu_ops->destroy(m->cpu);
    m->cpu = NULL;
    while (m->n_owned > 0) {
        m->n_owned--;
        m->owned[m->n_owned].destroy(m->owned[m->n_owned].object);
    }
    bus_destroy(&m->bus);
}

int machine_own(struct machine *m, void *object, void (*destroy)(void *object))
{
    if (m->n_owned == MACHINE_MAX_OWNED) return -1;
    m->owned[m->n_owned].object = object;
    m->owned[m->n_owned].destroy = destroy;
    m->n_owned++;
    return 0;
}

int machine_add_clocked(struct machine *m, const struct machine_clocked *clocked)
{
    if (m->n_clocked == MACHINE_MAX_CLOCKED) return -1;
    m->clocked[m->n_clocked++] = *clocked;
    return 0;
}

void machine_set_irq(struct machine *m, unsigned line, bool level)
{
    uint64_t bit = 1ull << (line & 63);
    uint64_t before = m->irq_lines;
    m->irq_lines = level ? before | bit : before & ~bit;
    if (m->irq_lines == before) return;
    m->exit_request = 1;
    if (m->int_lines_changed) m->int_lines_changed(m->int_dev, m->irq_lines);
}

void machine_request_stop(struct machine *m, enum stop_reason reason, int exit_status,
                          const char *fmt, ...)
{
    if (m->stop.reason != STOP_NONE) return;
    m->stop.reason = reason;
    m->stop.exit_status = exit_status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->stop.detail, sizeof m->stop.detail, fmt, ap);
    va_end(ap);
    m->exit_request = 1;
}

void machine_clear_stop(struct machine *m)
{
    if (m->stop.reason != STOP_BREAKPOINT) return;
    m->stop.reason = STOP_NONE;
    m->stop.exit_status = 0;
    m->stop.detail[0] = '\0';
    m->exit_request = 0;
}

/* Ticks every device whose deadline has come and returns the earliest deadline still ahead. */
static uint64_t tick_devices(struct machine *m)
{
    uint64_t next = UINT64_MAX;
    for (unsigned i = 0; i < m->n_clocked; i++) {
        struct machine_clocked *c = &m->clocked[i];
        uint64_t deadline = c->next_deadline(c->dev);
        if (deadline <= m->time) {
            c->tick(c->dev, m->time);
            deadline = c->next_deadline(c->dev);
        }
        if (deadline < next) next = deadline;
    }
    return next;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* The run loop: runs the CPU in slices that end exactly at the next device deadline, at the
 * budgets, and at step_end (instructions; UINT64_MAX for none). */
static enum stop_reason run_until(struct machine *m, uint64_t step_end)
{
    if (!m->cpu_ops || !m->cpu)
        machine_request_stop(m, STOP_HOST_ERROR, EXIT_HOST_ERROR, "no CPU core for %s",
                             mach_arch_name(m->arch));
    while (m->stop.reason == STOP_NONE) {
        uint64_t next_deadline = tick_devices(m);
        if (m->stop.reason != STOP_NONE) break;
        if (m->max_insns && m->insns >= m->max_insns) {
            machine_request_stop(m, STOP_INSN_BUDGET, EXIT_BUDGET,
                                 "instruction budget of %llu exhausted",
                                 (unsigned long long)m->max_insns);
            break;
        }
        if (m->max_cycles && m->time >= m->max_cycles) {
            machine_request_stop(m, STOP_CYCLE_BUDGET, EXIT_BUDGET,
                                 "cycle budget of %llu exhausted",
                                 (unsigned long long)m->max_cycles);
            break;
        }
        if (m->insns >= step_end) return STOP_NONE;
        m->limit_insns = min_u64(step_end, m->max_insns ? m->max_insns : UINT64_MAX);
        m->limit_time = min_u64(next_deadline, m->max_cycles ? m->max_cycles : UINT64_MAX);
        m->exit_request = 0;
        ev_batch_limit_changed(&m->events);
        m->cpu_ops->run(m->cpu);
        machine_sync(m);
    }
    return m->stop.reason;
}

enum stop_reason machine_run(struct machine *m)
{
    return run_until(m, UINT64_MAX);
}

enum stop_reason machine_step(struct machine *m, uint64_t n)
{
    uint64_t end = m->insns + n < m->insns ? UINT64_MAX : m->insns + n;
    return run_until(m, end);
}

int machine_exit_status(const struct machine *m)
{
    switch (m->stop.reason) {
    case STOP_EXIT: return m->stop.exit_status & 0xff;
    case STOP_NONE:
    case STOP_BREAKPOINT: return 0;
    default: return m->stop.exit_status;
    }
}
