/* The C side of every entry (entry.S): syscall, sysenter and int $0x80 system calls, and
 * exceptions. A fault in user mode kills the program with 128 + the signal Linux sends for it; a
 * fault in the kernel is reported and stops the machine with EXIT_KERNEL_FAULT (125). */
#include <stddef.h>

#include "x86_64.h"

#define SIGFPE      8
#define ARCH_SET_FS 0x1002 /* Linux arch/x86/include/uapi/asm/prctl.h */
#define ARCH_GET_FS 0x1003

_Static_assert(offsetof(struct regs, r15) == R_R15, "regs r15");
_Static_assert(offsetof(struct regs, r11) == R_R11, "regs r11");
_Static_assert(offsetof(struct regs, rax) == R_RAX, "regs rax");
_Static_assert(offsetof(struct regs, rdi) == R_RDI, "regs rdi");
_Static_assert(offsetof(struct regs, vector) == R_VECTOR, "regs vector");
_Static_assert(offsetof(struct regs, rip) == R_RIP, "regs rip");
_Static_assert(offsetof(struct regs, ss) == R_SS, "regs ss");
_Static_assert(sizeof(struct regs) == R_SIZE, "regs size");
_Static_assert(offsetof(struct thread, user_rsp) == T_USER_RSP, "thread user_rsp");
_Static_assert(offsetof(struct thread, kstack_top) == T_KSTACK_TOP, "thread kstack_top");

struct regs initial_regs;
struct thread thread0;
uint64_t vsyscall_return;

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

/* int $0x80 from 64-bit code: the i386 ABI. The number in EAX, the arguments in EBX ECX EDX ESI
 * EDI EBP (32-bit values: the upper halves are ignored), the result in RAX. */
void int80_compat(struct regs *r)
{
    const uint64_t a[6] = {(uint32_t)r->rbx, (uint32_t)r->rcx, (uint32_t)r->rdx,
                           (uint32_t)r->rsi, (uint32_t)r->rdi, (uint32_t)r->rbp};
    r->rax = (uint64_t)syscall_dispatch_compat32(&proc0, (uint32_t)r->rax, a);
}

/* A RIP SYSRETQ can return to: canonical (bits 63:47 all equal, SDM Vol. 1 3.3.7.1). The
 * vsyscall page's syscall sits in the upper half, at 0xffffffffff600000, a user page. */
static bool sysret_safe(uint64_t rip)
{
    return rip >> 47 == 0 || rip >> 47 == 0x1ffff;
}

/* syscall: the x86-64 ABI (RAX number; RDI RSI RDX R10 R8 R9; RAX result). Returns 1 when the
 * return must take IRETQ: SYSRETQ with a non-canonical RCX raises #GP in ring 0 on Intel CPUs, on
 * the kernel's stack with the user's RSP already loaded (SDM Vol. 2B SYSRET; AMD CPUs load the
 * address and fault in ring 3). IRETQ to such an address faults in the kernel too, but with a
 * proper frame, which trap() recognizes as the program's fault. */
int syscall64(struct regs *r)
{
    const uint64_t a[6] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9};
    r->rax = (uint64_t)syscall_dispatch(&proc0, r->rax, a);
    r->rcx = r->rip, r->r11 = r->rflags; /* what SYSRETQ reloads, also after IRETQ */
    if (sysret_safe(r->rip)) return 0;
    kprintf("kernel: syscall returns to non-canonical rip 0x%lx: iretq, not sysretq\n", r->rip);
    return 1;
}

/* sysenter from 64-bit code through the vsyscall page: the x86-64 ABI as for syscall; the
 * return goes to the page's SYSENTER_RETURN point with RDX = its address and RCX = the user's RSP.
 */
void sysenter64(struct regs *r)
{
    r->rip = vsyscall_return;
    const uint64_t a[6] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9};
    r->rax = (uint64_t)syscall_dispatch(&proc0, r->rax, a);
    r->rdx = vsyscall_return;
    r->rcx = r->rsp;
}

int64_t arch_prctl(struct proc *p, uint64_t code, uint64_t addr)
{
    switch (code) {
    case ARCH_SET_FS:
        if (addr >= (1ull << 47)) return -EPERM; /* Linux: not a user address */
        wrmsr(MSR_FS_BASE, addr);                /* SDM Vol. 3A 3.4.4.1: FS.base in 64-bit mode */
        return 0;
    case ARCH_GET_FS: {
        uint64_t base = rdmsr(MSR_FS_BASE);
        return copyout(p, addr, &base, sizeof base);
    }
    default: return -EINVAL;
    }
}

__attribute__((noreturn)) static void kernel_fault(struct regs *r)
{
    uint64_t cr2 = read_cr2();
    kprintf("kernel fault: vector %lu (%s) error 0x%lx rip 0x%lx cr2 0x%lx\n", r->vector,
            r->vector < 32 ? exc_names[r->vector] : "?", r->error, r->rip, cr2);
    if (r->vector == VEC_PF && cr2 >= (uint64_t)kstack_guard &&
        cr2 < (uint64_t)kstack_guard + PAGE_SIZE)
        kprintf("kernel fault: the address is the kernel stack's guard page (stack overflow)\n");
    kprintf("kernel: stopping the machine (exit status %d)\n", EXIT_KERNEL_FAULT);
    arch_shutdown(EXIT_KERNEL_FAULT);
}

/* Called by exc_common (entry.S) for vectors 0-31. */
void trap(struct regs *r)
{
    struct proc *p = &proc0;
    if ((r->cs & 3) == 0) {
        /* IRETQ to a non-canonical RIP (syscall64's fallback) faults in ring 0 with #GP(0)
         * (SDM Vol. 2A IRET); the frame it tried is just above this one: the program's fault */
        if (r->vector == VEC_GP && r->rip == (uint64_t)iretq_insn) {
            const struct regs *u = (const struct regs *)((uint64_t)kstack_top - R_SIZE);
            proc_kill(p, SIGSEGV, "return to a non-canonical address 0x%lx (iretq #GP)", u->rip);
        }
        kernel_fault(r);
    }
    const char *name = exc_names[r->vector & 31];
    switch (r->vector) {
    case VEC_PF:
        proc_kill(p, SIGSEGV, "page fault (error 0x%lx) at va 0x%lx rip 0x%lx", r->error,
                  read_cr2(), r->rip);
    case VEC_UD: proc_kill(p, SIGILL, "invalid opcode (#UD) at rip 0x%lx", r->rip);
    case VEC_DE: proc_kill(p, SIGFPE, "divide error (#DE) at rip 0x%lx", r->rip);
    case VEC_DB:
    case VEC_BP: proc_kill(p, SIGTRAP, "%s at rip 0x%lx", name, r->rip);
    case 17: proc_kill(p, SIGBUS, "alignment check at rip 0x%lx", r->rip);
    default:
        proc_kill(p, SIGSEGV, "%s (vector %lu, error 0x%lx) at rip 0x%lx", name, r->vector,
                  r->error, r->rip);
    }
}
