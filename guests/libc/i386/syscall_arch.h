/* i386 Linux system calls: EAX number, EBX ECX EDX ESI EDI EBP arguments, EAX result (or a negative
 * errno) (man 2 syscall), entered through AT_SYSINFO's __kernel_vsyscall (start.S). */
#ifndef LIBC_SYSCALL_ARCH_H
#define LIBC_SYSCALL_ARCH_H

#define SYS_exit            1
#define SYS_read            3
#define SYS_write           4
#define SYS_getpid          20
#define SYS_brk             45
#define SYS_ioctl           54
#define SYS_getppid         64
#define SYS_uname           122
#define SYS_writev          146
#define SYS_sched_yield     158
#define SYS_exit_group      252
#define SYS_set_tid_address 258
#define SYS_clock_gettime   265

#define AT_SYSINFO 32
extern unsigned long __libc_sysinfo; /* __kernel_vsyscall, or 0: int $0x80 */
#define LIBC_ARCH_INIT() (__libc_sysinfo = getauxval(AT_SYSINFO))

long __i386_syscall(long n, long a, long b, long c, long d, long e, long f);

static inline long __syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    return __i386_syscall(n, a, b, c, d, e, f);
}

#endif
