/* illegal: executes an illegal instruction (all zero bits, illegal in every RISC-V and not an x86
 * instruction that faults, so it is written per architecture). The kernel kills the program with
 * status 132 (128 + SIGILL). */
#include "libc.h"

int main(void)
{
    printf("illegal: executing an illegal instruction\n");
#if defined(__riscv)
    __asm__ volatile(".word 0");
#else
    __asm__ volatile("ud2");
#endif
    printf("illegal: still alive, which is wrong\n");
    return 1;
}
