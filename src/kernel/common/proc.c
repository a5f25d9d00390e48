/* The one process and the two ways it ends: exit (its own status) and being killed for a fault
 * (128 + the signal Linux would send, as a shell reports it). Either way the machine stops with
 * that status through the platform's exit device. */
#include "kernel.h"

struct proc proc0 = {.pid = 1, .ppid = 0, .name = "init"};

void proc_exit(struct proc *p, int status)
{
    (void)p;
    arch_shutdown(status & 0xff); /* Linux keeps the low 8 bits of the status */
}

void proc_kill(struct proc *p, int sig, const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kprintf("killed: pid %d: %s\n", p->pid, buf);
    arch_shutdown(128 + sig);
}
