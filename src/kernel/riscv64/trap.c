/* Traps: from U-mode through the trampoline (uservec -> usertrap -> usertrapret -> userret), and
 * from S-mode through kernelvec (entry.S) to kernel_trap, which is always fatal. */
#include <stddef.h>

#include "rv64.h"

_Static_assert(offsetof(struct trapframe, x[1]) == TF_X(1), "trapframe x1");
_Static_assert(offsetof(struct trapframe, x[31]) == TF_X(31), "trapframe x31");
_Static_assert(offsetof(struct trapframe, kernel_satp) == TF_KERNEL_SATP, "trapframe satp");
_Static_assert(offsetof(struct trapframe, kernel_sp) == TF_KERNEL_SP, "trapframe sp");
_Static_assert(offsetof(struct trapframe, kernel_trap) == TF_KERNEL_TRAP, "trapframe trap");
_Static_assert(offsetof(struct trapframe, kernel_hartid) == TF_KERNEL_HARTID, "trapframe hartid");
_Static_assert(offsetof(struct trapframe, pc) == TF_PC, "trapframe pc");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trapframe size");

__attribute__((noreturn)) void usertrap(void);
__attribute__((noreturn)) void kernel_trap(uint64_t scause, uint64_t sepc, uint64_t stval,
                                           uint64_t sp);

/* Priv. spec Table 4.2, the exception codes of scause */
static const char *cause_name(uint64_t scause)
{
    static const char *const names[16] = {"instruction address misaligned",
                                          "instruction access fault",
                                          "illegal instruction",
                                          "breakpoint",
                                          "load address misaligned",
                                          "load access fault",
                                          "store/AMO address misaligned",
                                          "store/AMO access fault",
                                          "environment call from U-mode",
                                          "environment call from S-mode",
                                          "reserved",
                                          "environment call from M-mode",
                                          "instruction page fault",
                                          "load page fault",
                                          "reserved",
                                          "store/AMO page fault"};
    if (scause & SCAUSE_INTERRUPT) return "interrupt";
    return scause < 16 ? names[scause] : "reserved";
}

/* Called by uservec (trampoline.S) with jr, on the process's kernel stack, with the kernel page
 * table in satp and the user registers in the trapframe. */
void usertrap(void)
{
    csr_write(stvec, (uint64_t)kernelvec); /* a trap from here on is the kernel's own */
    struct proc *p = &proc0;
    struct trapframe *tf = p->arch.tf;
    if (csr_read(sstatus) & SSTATUS_SPP) panic("usertrap: trap not from user mode");
    tf->pc = csr_read(sepc);
    uint64_t scause = csr_read(scause), stval = csr_read(stval);
    if (scause & SCAUSE_INTERRUPT) panic("usertrap: unexpected interrupt (scause 0x%lx)", scause);
    switch (scause) {
    case CAUSE_ECALL_U: {
        /* Linux convention: a7 = number, a0..a5 = arguments, a0 = result (negative errno) */
        tf->pc += 4; /* return after the ecall (it is 4 bytes: no compressed form exists) */
        const uint64_t args[6] = {tf->x[10], tf->x[11], tf->x[12], tf->x[13], tf->x[14], tf->x[15]};
        tf->x[10] = (uint64_t)syscall_dispatch(p, tf->x[17], args);
        break;
    }
    case CAUSE_FETCH_PAGE:
    case CAUSE_LOAD_PAGE:
    case CAUSE_STORE_PAGE:
        proc_kill(p, SIGSEGV, "page fault (scause %lu) at va 0x%lx pc 0x%lx", scause, stval,
                  tf->pc);
    case CAUSE_FETCH_ACCESS:
    case CAUSE_LOAD_ACCESS:
    case CAUSE_STORE_ACCESS:
        proc_kill(p, SIGSEGV, "access fault (scause %lu) at va 0x%lx pc 0x%lx", scause, stval,
                  tf->pc);
    case CAUSE_ILLEGAL:
        proc_kill(p, SIGILL, "illegal instruction (scause %lu) 0x%lx at pc 0x%lx", scause, stval,
                  tf->pc);
    case CAUSE_MISALIGNED_FETCH:
    case CAUSE_MISALIGNED_LOAD:
    case CAUSE_MISALIGNED_STORE:
        proc_kill(p, SIGBUS, "misaligned access (scause %lu) at va 0x%lx pc 0x%lx", scause, stval,
                  tf->pc);
    case CAUSE_BREAKPOINT:
        proc_kill(p, SIGTRAP, "breakpoint (scause %lu) at pc 0x%lx", scause, tf->pc);
    default:
        proc_kill(p, SIGSEGV, "%s (scause %lu) at pc 0x%lx", cause_name(scause), scause, tf->pc);
    }
    usertrapret();
}

/* Returns to the program: called by usertrap() after a system call and by kmain() to start the
 * program. Fills the kernel's half of the trapframe for the next uservec, sets up sret (U-mode,
 * interrupts stay off, sepc = user pc) and jumps to userret at its TRAMPOLINE address, since the
 * code after the satp switch must be mapped in the user table too. */
void usertrapret(void)
{
    struct proc *p = &proc0;
    struct trapframe *tf = p->arch.tf;
    tf->kernel_satp = kvm_satp();
    tf->kernel_sp = KSTACK_TOP;
    tf->kernel_trap = (uint64_t)usertrap;
    uint64_t tp;
    __asm__ volatile("mv %0, tp" : "=r"(tp));
    tf->kernel_hartid = tp;
    uint64_t sstatus = csr_read(sstatus);
    sstatus &= ~(SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE); /* to U-mode, no interrupts */
    csr_write(sstatus, sstatus);
    csr_write(sepc, tf->pc);
    /* Last: from here until sret a trap would enter uservec in S-mode, so nothing may fault. */
    csr_write(stvec, TRAMPOLINE + (uint64_t)(uservec - trampoline));
    void (*ret)(uint64_t satp) =
        (void (*)(uint64_t))(TRAMPOLINE + (uint64_t)(userret - trampoline));
    ret(MAKE_SATP(p->arch.pagetable));
    __builtin_unreachable();
}

/* Called by kernelvec (entry.S) on its own stack: a trap while the kernel ran. The kernel has no
 * way to recover, so it reports the trap and stops the machine with EXIT_KERNEL_FAULT (125). */
void kernel_trap(uint64_t scause, uint64_t sepc, uint64_t stval, uint64_t sp)
{
    kprintf("kernel fault: scause 0x%lx (%s) sepc 0x%lx stval 0x%lx sp 0x%lx\n", scause,
            cause_name(scause), sepc, stval, sp);
    if (stval >= KSTACK_GUARD && stval < KSTACK_GUARD + PAGE_SIZE)
        kprintf("kernel fault: the address is the kernel stack's guard page (stack overflow)\n");
    kprintf("kernel: stopping the machine (exit status %d)\n", EXIT_KERNEL_FAULT);
    arch_shutdown(EXIT_KERNEL_FAULT);
}
