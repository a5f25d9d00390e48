/* segfault: stores to the kernel's address. The hart raises a store page fault, the kernel kills
 * the program, and the run ends with status 139 (128 + SIGSEGV), as a shell reports it. */
#include "libc.h"

int main(void)
{
    printf("segfault: storing to kernel address 0x80000000\n");
    *(volatile int *)0x80000000ul = 1;
    printf("segfault: still alive, which is wrong\n");
    return 1;
}
