/* fsbase (x86_64 only): arch_prctl(ARCH_SET_FS) makes FS's base point at a variable, which a
 * %fs-relative load then reads (how C libraries reach thread-local storage); ARCH_GET_FS reads
 * the base back. An i386 program has no arch_prctl(ARCH_SET_FS), so this runs with the x86-64
 * ABI mechanisms only (syscall, sysenter). */
#include "libc.h"

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

static unsigned long tls_word = 0x5eed;

int main(void)
{
    long r = syscall(158 /* arch_prctl */, ARCH_SET_FS, (long)&tls_word, 0l, 0l, 0l, 0l);
    unsigned long via_fs, base = 0;
    __asm__ volatile("movq %%fs:0, %0" : "=r"(via_fs));
    long g = syscall(158, ARCH_GET_FS, (long)&base, 0l, 0l, 0l, 0l);
    printf("arch_prctl(ARCH_SET_FS) = %ld, %%fs:0 = 0x%lx\n", r, via_fs);
    printf("arch_prctl(ARCH_GET_FS) = %ld, the base is the variable: %s\n", g,
           base == (unsigned long)&tls_word ? "yes" : "no");
    printf("arch_prctl(0x1234) = %ld\n", syscall(158, 0x1234l, 0l, 0l, 0l, 0l, 0l));
    return via_fs == 0x5eed ? 0 : 1;
}
