/* x86-64 Linux system calls: `syscall` with RAX number, RDI RSI RDX R10 R8 R9 arguments, RAX result
 * (or a negative errno); RCX and R11 are clobbered (man 2 syscall).
 *
 * On the ringside guest kernel, AT_SYSINFO points at __kernel_vsyscall in its vsyscall page
 * (src/kernel/x86_64/vsyscall.S), which uses the mechanism chosen at boot; the page's first word
 * says which ABI it takes: 0 = the x86-64 one (syscall, or sysenter on Intel CPUs), 1 = the i386
 * compat ABI of int $0x80 (i386 numbers, and struct iovec and struct timespec of 32-bit fields),
 * which this file translates to. Linux gives no AT_SYSINFO to x86-64 programs, so there (and
 * under qemu-x86_64) every call is a plain `syscall`. */
#ifndef LIBC_SYSCALL_ARCH_H
#define LIBC_SYSCALL_ARCH_H

#define SYS_read            0
#define SYS_write           1
#define SYS_brk             12
#define SYS_ioctl           16
#define SYS_writev          20
#define SYS_sched_yield     24
#define SYS_getpid          39
#define SYS_exit            60
#define SYS_uname           63
#define SYS_getppid         110
#define SYS_arch_prctl      158
#define SYS_set_tid_address 218
#define SYS_clock_gettime   228
#define SYS_exit_group      231

#define AT_SYSINFO 32
extern unsigned long __libc_sysinfo; /* the guest kernel's __kernel_vsyscall, or 0 */
static unsigned __libc_vsyscall_abi; /* the vsyscall page's first word */
#define LIBC_ARCH_INIT()                                                                           \
    ((__libc_sysinfo = getauxval(AT_SYSINFO)),                                                     \
     (__libc_vsyscall_abi = __libc_sysinfo ? *(const unsigned *)(__libc_sysinfo & ~4095ul) : 0))

long __x64_vsyscall(long n, long a, long b, long c, long d, long e, long f);

static inline long __x64_syscall(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

/* x86-64 numbers -> i386 numbers (arch/x86/entry/syscalls/syscall_{64,32}.tbl). A number not
 * listed gets one no i386 kernel knows (-ENOSYS), except numbers above every table, which pass. */
static long __i386_number(long n)
{
    static const short map[][2] = {{SYS_read, 3},
                                   {SYS_write, 4},
                                   {SYS_brk, 45},
                                   {SYS_ioctl, 54},
                                   {SYS_writev, 146},
                                   {SYS_sched_yield, 158},
                                   {SYS_getpid, 20},
                                   {SYS_exit, 1},
                                   {SYS_uname, 122},
                                   {SYS_getppid, 64},
                                   {SYS_set_tid_address, 258},
                                   {SYS_clock_gettime, 265},
                                   {SYS_exit_group, 252}};
    for (unsigned i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i][0] == n) return map[i][1];
    return n >= 1000 || n < 0 ? n : 0xffff;
}

extern char _end[];

/* The i386 compat ABI through int $0x80 (vsyscall abi 1): struct iovec arrays are rebuilt with
 * 32-bit fields (an array the program cannot have, outside its data and stack, is passed as is
 * so that the kernel refuses it instead of this code faulting), and a 32-bit struct timespec is
 * widened in place. */
static long __x64_compat(long n, long a, long b, long c, long d, long e, long f)
{
    long n32 = __i386_number(n);
    if (n == SYS_writev && c > 0 && c <= 64) {
        unsigned long lo = 0x10000, hi = (unsigned long)_end;
        unsigned long sp = (unsigned long)__libc_initial_sp;
        unsigned long at = (unsigned long)b;
        if ((at >= lo && at < hi) || (at + 0x100000 >= sp && at < sp)) {
            const unsigned long *iov = (const unsigned long *)b;
            unsigned iov32[2 * 64];
            for (long i = 0; i < c; i++)
                iov32[2 * i] = (unsigned)iov[2 * i], iov32[2 * i + 1] = (unsigned)iov[2 * i + 1];
            return __x64_vsyscall(n32, a, (long)iov32, c, 0, 0, 0);
        }
    }
    long r = __x64_vsyscall(n32, a, b, c, d, e, f);
    if (n == SYS_clock_gettime && r == 0) {
        int *ts32 = (int *)b;
        long sec = ts32[0], nsec = ts32[1];
        ((long *)b)[0] = sec, ((long *)b)[1] = nsec;
    }
    return r;
}

static inline long __syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    if (!__libc_sysinfo) return __x64_syscall(n, a, b, c, d, e, f);
    if (__libc_vsyscall_abi == 1) return __x64_compat(n, a, b, c, d, e, f);
    return __x64_vsyscall(n, a, b, c, d, e, f);
}

#endif
