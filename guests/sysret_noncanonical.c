/* sysret-noncanonical (x86_64 only): a `syscall` in the last two bytes of the lower canonical half
 * (0x7ffffffffffe), so that the return address in RCX, 0x800000000000, is not canonical. SYSRETQ
 * to it would raise #GP in ring 0 on Intel CPUs with the user's RSP loaded (SDM Vol. 2B SYSRET;
 * the 2012 "SYSRET" vulnerability); a kernel must return with IRETQ instead, which faults with a
 * proper frame, and the program dies with SIGSEGV (139), as on Linux. */
#include "libc.h"

int main(void)
{
    printf("sysret-noncanonical: syscall at 0x7ffffffffffe returns to 0x800000000000\n");
    long r = syscall(9 /* mmap */, 0x7ffffffff000l, 4096l, 7l /* rwx */,
                     0x100022l /* MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE */, -1l, 0l);
    if (r != 0x7ffffffff000l) {
        printf("sysret-noncanonical: mmap = %ld\n", r);
        return 1;
    }
    volatile unsigned char *code = (volatile unsigned char *)0x7ffffffffffel;
    code[0] = 0x0f, code[1] = 0x05;        /* syscall */
    __asm__ volatile("movl $39, %%eax\n\t" /* getpid */
                     "jmp *%0"
                     :
                     : "r"(code)
                     : "rax", "rcx", "r11", "memory");
    printf("sysret-noncanonical: still alive, which is wrong\n");
    return 1;
}
