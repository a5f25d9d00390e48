/* Exception and interrupt delivery: the one place that changes control flow for a trap.
 *
 * First slice: protected-mode delivery through the IDT is not written yet, so every trap is
 * fatal: the run stops with the vector, the error code and a register dump, as a triple fault
 * will. */
#include "cpu/x86/internal.h"

void x86_deliver(struct x86_cpu *cpu, x86_status trap) {
    unsigned vector = X86_TRAP_VECTOR(trap);
    struct ev e = {.kind = EV_EXCEPTION, .pc = cpu->insn_rip};
    e.exception.vector = vector;
    e.exception.interrupt = false;
    e.exception.info = X86_TRAP_HAS_EC(trap) ? X86_TRAP_ERRCODE(trap) : 0;
    ev_emit(&cpu->m->events, &e);
    if (cpu->m->cpu_ops && cpu->m->cpu_ops->dump) cpu->m->cpu_ops->dump(cpu, stderr);
    machine_request_stop(cpu->m, STOP_FATAL, EXIT_GUEST_FATAL,
                         "x86: %s (vector %u, error code %#x) at eip %#llx: delivery not "
                         "implemented",
                         x86_vector_name(vector), vector, X86_TRAP_ERRCODE(trap),
                         (unsigned long long)cpu->insn_rip);
}
