/* The C side of every entry (entry.S): system calls through int $0x80 and sysenter, and
 * exceptions. A fault in user mode kills the program with 128 + the signal Linux sends for it; a
 * fault in the kernel is reported and stops the machine with EXIT_KERNEL_FAULT (125), as the
 * riscv64 kernel does. */
#include <stddef.h>

#include "i386.h"

#define SIGFPE 8

_Static_assert(offsetof(struct regs, edi) == R_EDI, "regs edi");
_Static_assert(offsetof(struct regs, esp0) == R_ESP0, "regs esp0");
_Static_assert(offsetof(struct regs, eax) == R_EAX, "regs eax");
_Static_assert(offsetof(struct regs, ds) == R_DS, "regs ds");
_Static_assert(offsetof(struct regs, gs) == R_GS, "regs gs");
_Static_assert(offsetof(struct regs, vector) == R_VECTOR, "regs vector");
_Static_assert(offsetof(struct regs, eip) == R_EIP, "regs eip");
_Static_assert(offsetof(struct regs, cs) == R_CS, "regs cs");
_Static_assert(offsetof(struct regs, ss) == R_SS, "regs ss");
_Static_assert(sizeof(struct regs) == R_SIZE, "regs size");

struct regs thread_regs;
uint32_t vsyscall_return;

static const char *const exc_names[32] = {"divide error",
                                          "debug",
                                          "NMI",
                                          "breakpoint",
                                          "overflow",
                                          "BOUND range exceeded",
                                          "invalid opcode",
                                          "device not available",
                                          "double fault",
                                          "coprocessor segment overrun",
                                          "invalid TSS",
                                          "segment not present",
                                          "stack-segment fault",
                                          "general protection",
                                          "page fault",
                                          "reserved",
                                          "x87 floating-point error",
                                          "alignment check",
                                          "machine check",
                                          "SIMD floating-point",
                                          "virtualization",
                                          "control protection",
                                          "reserved",
                                          "reserved",
                                          "reserved",
                                          "reserved",
                                          "reserved",
                                          "reserved",
                                          "hypervisor injection",
                                          "VMM communication",
                                          "security",
                                          "reserved"};

/* Arguments in EBX ECX EDX ESI EDI EBP (the i386 Linux convention), result in EAX. */
void int80_syscall(struct regs *r)
{
    const uint64_t a[6] = {r->ebx, r->ecx, r->edx, r->esi, r->edi, r->ebp};
    r->eax = (uint32_t)syscall_dispatch(&proc0, r->eax, a);
}

/* After sysenter (vsyscall.S): EBP is the user's stack, where the vsyscall code pushed the
 * caller's EBP (the sixth argument), EDX and ECX. The return goes to the page's SYSENTER_RETURN
 * point with EDX = its address and ECX = the user's stack, which ret_sysexit's POPA loads for
 * SYSEXIT. */
void sysenter_syscall(struct regs *r)
{
    uint32_t arg6 = 0;
    int64_t result;
    r->eip = vsyscall_return; /* for reports: where the program resumes */
    r->esp = r->ebp;
    r->cs = UCODE_SEL, r->ss = UDATA_SEL, r->eflags = FL_IF | FL_RESERVED1;
    if (copyin(&proc0, &arg6, r->ebp, 4) < 0) {
        result = -EFAULT;
    } else {
        const uint64_t a[6] = {r->ebx, r->ecx, r->edx, r->esi, r->edi, arg6};
        result = syscall_dispatch(&proc0, r->eax, a);
    }
    r->eax = (uint32_t)result;
    r->edx = vsyscall_return;
    r->ecx = r->ebp;
}

__attribute__((noreturn)) static void kernel_fault(struct regs *r)
{
    uint32_t cr2 = (uint32_t)read_cr2();
    kprintf("kernel fault: vector %u (%s) error 0x%x eip 0x%x cr2 0x%x\n", r->vector,
            r->vector < 32 ? exc_names[r->vector] : "?", r->error, r->eip, cr2);
    if (r->vector == VEC_PF && cr2 >= (uint32_t)kstack_guard &&
        cr2 < (uint32_t)kstack_guard + PAGE_SIZE)
        kprintf("kernel fault: the address is the kernel stack's guard page (stack overflow)\n");
    kprintf("kernel: stopping the machine (exit status %d)\n", EXIT_KERNEL_FAULT);
    arch_shutdown(EXIT_KERNEL_FAULT);
}

/* Called by exc_common (entry.S) for vectors 0-31. */
void trap(struct regs *r)
{
    if ((r->cs & 3) == 0) kernel_fault(r);
    struct proc *p = &proc0;
    const char *name = exc_names[r->vector & 31];
    switch (r->vector) {
    case VEC_PF:
        /* SDM Vol. 3A 4.7: error code bit 0 = protection violation, bit 1 = write, bit 2 = user */
        proc_kill(p, SIGSEGV, "page fault (error 0x%x) at va 0x%x eip 0x%x", r->error,
                  (uint32_t)read_cr2(), r->eip);
    case VEC_UD: proc_kill(p, SIGILL, "invalid opcode (#UD) at eip 0x%x", r->eip);
    case VEC_DE: proc_kill(p, SIGFPE, "divide error (#DE) at eip 0x%x", r->eip);
    case VEC_DB:
    case VEC_BP: proc_kill(p, SIGTRAP, "%s at eip 0x%x", name, r->eip);
    case 17: proc_kill(p, SIGBUS, "alignment check at eip 0x%x", r->eip);
    default:
        proc_kill(p, SIGSEGV, "%s (vector %u, error 0x%x) at eip 0x%x", name, r->vector, r->error,
                  r->eip);
    }
}
