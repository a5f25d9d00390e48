/* segfault: stores to the kernel's address (riscv64 and i386: 0x80000000; x86-64:
 * 0xffffffff80000000, where both the x86_64 guest kernel and Linux x86-64 map the kernel image).
 * The CPU raises a page fault, the kernel kills the program, and the run ends with status 139 (128
 * + SIGSEGV), as a shell reports it. */
#include "libc.h"

#if defined(__x86_64__)
#define KERNEL_ADDR "0xffffffff80000000"
#else
#define KERNEL_ADDR "0x80000000"
#endif

int main(void)
{
    printf("segfault: storing to kernel address " KERNEL_ADDR "\n");
#if defined(__x86_64__)
    *(volatile int *)0xffffffff80000000ul = 1;
#else
    *(volatile int *)0x80000000ul = 1;
#endif
    printf("segfault: still alive, which is wrong\n");
    return 1;
}
