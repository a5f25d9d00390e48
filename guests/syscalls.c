/* syscalls: the Linux initial stack and auxiliary vector, and the system calls beyond read and
 * write, checked in ways that give the same output on the guest kernel and on Linux/qemu-user
 * (addresses and ids that differ between the two are not printed, only facts about them). */
#include "libc.h"

extern char _start[];

static const char *yes(int ok)
{
    return ok ? "yes" : "no";
}

int main(int argc, char **argv, char **envp)
{
    /* The initial stack (System V ABI; Linux create_elf_tables). */
    printf("sp 16-byte aligned: %s\n", yes(((unsigned long)__libc_initial_sp & 15) == 0));
    printf("argc %d, argv[argc] NULL: %s, envp empty: %s\n", argc, yes(argv[argc] == 0),
           yes(envp[0] == 0));
    printf("AT_PAGESZ = %lu\n", getauxval(AT_PAGESZ));
    printf("AT_PHENT = %lu, AT_PHNUM = %lu\n", getauxval(AT_PHENT), getauxval(AT_PHNUM));
    printf("AT_ENTRY is _start: %s\n", yes(getauxval(AT_ENTRY) == (unsigned long)_start));
    const unsigned int *phdr = (const unsigned int *)getauxval(AT_PHDR);
    printf("AT_PHDR points at a PT_LOAD header: %s\n", yes(phdr && phdr[0] == 1));
    const unsigned char *random = (const unsigned char *)getauxval(AT_RANDOM);
    unsigned or = 0;
    for (int i = 0; random && i < 16; i++)
        or |= random[i];
    printf("AT_RANDOM: 16 readable bytes, not all zero: %s\n", yes(random && or));

    /* brk: Linux semantics (the new break, or the old one on failure). */
    char *start = (char *)brk(0);
    char *grown = (char *)brk(start + 10000);
    printf("brk grows by 10000: %s\n", yes(grown == start + 10000));
    int zero = 1;
    for (int i = 0; i < 10000; i++)
        zero &= start[i] == 0;
    start[9999] = 'x';
    printf("new heap reads zero and is writable: %s\n", yes(zero && start[9999] == 'x'));
    printf("brk(0) is the new break: %s\n", yes((char *)brk(0) == start + 10000));
#if __SIZEOF_LONG__ == 8
    printf("brk(1 TiB) fails and keeps the break: %s\n",
           yes((char *)brk((void *)(1ul << 40)) == start + 10000));
#else /* 32-bit: the top page of the address space */
    printf("brk(4 GiB - 4 KiB) fails and keeps the break: %s\n",
           yes((char *)brk((void *)0xfffff000ul) == start + 10000));
#endif
    printf("brk shrinks back: %s\n", yes((char *)brk(start) == start));

    struct timespec t1, t2;
    long r1 = clock_gettime(1, &t1), r2 = clock_gettime(1, &t2);
    printf("clock_gettime(MONOTONIC) = %ld, %ld; monotonic: %s; tv_nsec < 1e9: %s\n", r1, r2,
           yes(t2.tv_sec > t1.tv_sec || (t2.tv_sec == t1.tv_sec && t2.tv_nsec >= t1.tv_nsec)),
           yes(t1.tv_nsec >= 0 && t1.tv_nsec < 1000000000));
    printf("clock_gettime(0) = %ld, clock_gettime(99) = %ld\n", clock_gettime(0, &t1),
           clock_gettime(99, &t1));

    struct utsname u;
    long r = uname(&u);
    printf("uname = %ld: sysname %s, machine %s\n", r, u.sysname, u.machine);
    long pid = getpid();
    printf("getpid > 0: %s, getppid >= 0: %s\n", yes(pid > 0), yes(getppid() >= 0));
    int tid;
    printf("set_tid_address returns the pid: %s\n", yes(set_tid_address(&tid) == pid));
    printf("sched_yield = %ld\n", sched_yield());
    char termios[64];
    printf("ioctl(1, TCGETS) = %ld\n", ioctl(1, 0x5401, termios));
    printf("write(1000) = %ld, read(1000) = %ld\n", (long)write(1000, "x", 1),
           (long)read(1000, termios, 1));
    struct iovec iov[3] = {{"writev: ", 8}, {"", 0}, {"two pieces\n", 11}};
    printf("writev = %ld\n", (long)writev(1, iov, 3));
    printf("syscalls: done\n");
    return 0;
}
