/* sysenter-probe (x86 only): executes SYSENTER directly in 64-bit user code, the way the
 * x86_64 guest kernel's vsyscall page does (RDX pushed, RSP in RCX; the kernel returns into that
 * page, whose `pop %rdx; ret` comes back here), asking for getpid. On Intel CPUs the kernel
 * answers; on AMD CPUs SYSENTER is invalid in 64-bit mode (AMD APM Vol. 3 SYSENTER: #UD), and the
 * program dies with SIGILL: status 132, natively too. */
#include "libc.h"

int main(void)
{
    printf("sysenter-probe: executing sysenter in 64-bit mode\n");
    long ret;
    __asm__ volatile("call 1f\n\t"
                     "jmp 2f\n"
                     "1:\n\t"
                     "pushq %%rdx\n\t"
                     "movq %%rsp, %%rcx\n\t"
                     "sysenter\n"
                     "2:"
                     : "=a"(ret)
                     : "a"(39L) /* x86-64 getpid */
                     : "rcx", "rdx", "r11", "memory");
    printf("sysenter-probe: getpid through sysenter = %ld\n", ret);
    return 0;
}
