/* Names for what crosses into the kernel: Linux system-call numbers per ABI, errno values and
 * RISC-V trap causes. Numbers are Linux's: include/uapi/asm-generic/unistd.h (riscv64 uses the
 * generic table), arch/x86/entry/syscalls/syscall_32.tbl (i386) and syscall_64.tbl (x86_64);
 * argument counts follow the prototypes in man 2. Every call the guest kernel implements
 * (src/kernel/README.md) is here, with the common calls of a static C program. Each table is
 * sorted by number (tests/unit/timing/test_syscall_names.c checks them against the host's
 * <asm/unistd_*.h>). */
#include "timing/timing.h"

static const struct tm_syscall_name riscv64_names[] = {
    {17, 2, "getcwd"},
    {23, 1, "dup"},
    {24, 3, "dup3"},
    {25, 3, "fcntl"},
    {29, 3, "ioctl"},
    {34, 3, "mkdirat"},
    {35, 3, "unlinkat"},
    {46, 2, "ftruncate"},
    {48, 3, "faccessat"},
    {49, 1, "chdir"},
    {56, 4, "openat"},
    {57, 1, "close"},
    {59, 2, "pipe2"},
    {61, 3, "getdents64"},
    {62, 3, "lseek"},
    {63, 3, "read"},
    {64, 3, "write"},
    {65, 3, "readv"},
    {66, 3, "writev"},
    {67, 4, "pread64"},
    {68, 4, "pwrite64"},
    {72, 6, "pselect6"},
    {73, 5, "ppoll"},
    {78, 4, "readlinkat"},
    {79, 4, "newfstatat"},
    {80, 2, "fstat"},
    {93, 1, "exit"},
    {94, 1, "exit_group"},
    {96, 1, "set_tid_address"},
    {98, 6, "futex"},
    {99, 2, "set_robust_list"},
    {101, 2, "nanosleep"},
    {113, 2, "clock_gettime"},
    {114, 2, "clock_getres"},
    {115, 4, "clock_nanosleep"},
    {124, 0, "sched_yield"},
    {129, 2, "kill"},
    {130, 2, "tkill"},
    {131, 3, "tgkill"},
    {132, 2, "sigaltstack"},
    {134, 4, "rt_sigaction"},
    {135, 4, "rt_sigprocmask"},
    {139, 0, "rt_sigreturn"},
    {153, 1, "times"},
    {160, 1, "uname"},
    {165, 2, "getrusage"},
    {167, 5, "prctl"},
    {169, 2, "gettimeofday"},
    {172, 0, "getpid"},
    {173, 0, "getppid"},
    {174, 0, "getuid"},
    {175, 0, "geteuid"},
    {176, 0, "getgid"},
    {177, 0, "getegid"},
    {178, 0, "gettid"},
    {179, 1, "sysinfo"},
    {198, 3, "socket"},
    {203, 3, "connect"},
    {214, 1, "brk"},
    {215, 2, "munmap"},
    {216, 5, "mremap"},
    {220, 5, "clone"},
    {221, 3, "execve"},
    {222, 6, "mmap"},
    {226, 3, "mprotect"},
    {233, 3, "madvise"},
    {260, 4, "wait4"},
    {261, 4, "prlimit64"},
    {278, 3, "getrandom"},
    {291, 5, "statx"},
    {293, 4, "rseq"},
};

static const struct tm_syscall_name i386_names[] = {
    {1, 1, "exit"},
    {2, 0, "fork"},
    {3, 3, "read"},
    {4, 3, "write"},
    {5, 3, "open"},
    {6, 1, "close"},
    {7, 3, "waitpid"},
    {11, 3, "execve"},
    {12, 1, "chdir"},
    {13, 1, "time"},
    {19, 3, "lseek"},
    {20, 0, "getpid"},
    {24, 0, "getuid"},
    {33, 2, "access"},
    {37, 2, "kill"},
    {39, 2, "mkdir"},
    {41, 1, "dup"},
    {42, 1, "pipe"},
    {45, 1, "brk"},
    {47, 0, "getgid"},
    {49, 0, "geteuid"},
    {50, 0, "getegid"},
    {54, 3, "ioctl"},
    {55, 3, "fcntl"},
    {63, 2, "dup2"},
    {64, 0, "getppid"},
    {78, 2, "gettimeofday"},
    {85, 3, "readlink"},
    {90, 1, "mmap"},
    {91, 2, "munmap"},
    {114, 4, "wait4"},
    {119, 0, "sigreturn"},
    {120, 5, "clone"},
    {122, 1, "uname"},
    {125, 3, "mprotect"},
    {140, 5, "_llseek"},
    {145, 3, "readv"},
    {146, 3, "writev"},
    {158, 0, "sched_yield"},
    {162, 2, "nanosleep"},
    {173, 0, "rt_sigreturn"},
    {174, 4, "rt_sigaction"},
    {175, 4, "rt_sigprocmask"},
    {183, 2, "getcwd"},
    {192, 6, "mmap2"},
    {195, 2, "stat64"},
    {197, 2, "fstat64"},
    {199, 0, "getuid32"},
    {200, 0, "getgid32"},
    {201, 0, "geteuid32"},
    {202, 0, "getegid32"},
    {220, 3, "getdents64"},
    {224, 0, "gettid"},
    {240, 6, "futex"},
    {243, 1, "set_thread_area"},
    {252, 1, "exit_group"},
    {258, 1, "set_tid_address"},
    {265, 2, "clock_gettime"},
    {266, 2, "clock_getres"},
    {270, 3, "tgkill"},
    {295, 4, "openat"},
    {311, 2, "set_robust_list"},
    {355, 3, "getrandom"},
    {383, 5, "statx"},
    {403, 2, "clock_gettime64"},
};

static const struct tm_syscall_name x86_64_names[] = {
    {0, 3, "read"},
    {1, 3, "write"},
    {2, 3, "open"},
    {3, 1, "close"},
    {4, 2, "stat"},
    {5, 2, "fstat"},
    {6, 2, "lstat"},
    {8, 3, "lseek"},
    {9, 6, "mmap"},
    {10, 3, "mprotect"},
    {11, 2, "munmap"},
    {12, 1, "brk"},
    {13, 4, "rt_sigaction"},
    {14, 4, "rt_sigprocmask"},
    {15, 0, "rt_sigreturn"},
    {16, 3, "ioctl"},
    {17, 4, "pread64"},
    {18, 4, "pwrite64"},
    {19, 3, "readv"},
    {20, 3, "writev"},
    {21, 2, "access"},
    {22, 1, "pipe"},
    {24, 0, "sched_yield"},
    {32, 1, "dup"},
    {33, 2, "dup2"},
    {35, 2, "nanosleep"},
    {39, 0, "getpid"},
    {56, 5, "clone"},
    {57, 0, "fork"},
    {59, 3, "execve"},
    {60, 1, "exit"},
    {61, 4, "wait4"},
    {62, 2, "kill"},
    {63, 1, "uname"},
    {72, 3, "fcntl"},
    {79, 2, "getcwd"},
    {80, 1, "chdir"},
    {89, 3, "readlink"},
    {96, 2, "gettimeofday"},
    {102, 0, "getuid"},
    {104, 0, "getgid"},
    {107, 0, "geteuid"},
    {108, 0, "getegid"},
    {110, 0, "getppid"},
    {158, 2, "arch_prctl"},
    {186, 0, "gettid"},
    {201, 1, "time"},
    {202, 6, "futex"},
    {217, 3, "getdents64"},
    {218, 1, "set_tid_address"},
    {228, 2, "clock_gettime"},
    {229, 2, "clock_getres"},
    {230, 4, "clock_nanosleep"},
    {231, 1, "exit_group"},
    {234, 3, "tgkill"},
    {257, 4, "openat"},
    {262, 4, "newfstatat"},
    {273, 2, "set_robust_list"},
    {302, 4, "prlimit64"},
    {318, 3, "getrandom"},
    {332, 5, "statx"},
    {334, 4, "rseq"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const struct tm_syscall_name *tm_syscall_table(enum tm_abi abi, size_t *count)
{
    switch (abi) {
    case TM_ABI_RISCV64: *count = COUNT(riscv64_names); return riscv64_names;
    case TM_ABI_I386: *count = COUNT(i386_names); return i386_names;
    case TM_ABI_X86_64: *count = COUNT(x86_64_names); return x86_64_names;
    default: *count = 0; return NULL;
    }
}

const struct tm_syscall_name *tm_syscall_lookup(enum tm_abi abi, uint64_t number)
{
    size_t n;
    const struct tm_syscall_name *t = tm_syscall_table(abi, &n);
    size_t lo = 0, hi = n; /* binary search: the tables are sorted by number */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].number == number) return &t[mid];
        if (t[mid].number < number)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* include/uapi/asm-generic/errno-base.h and errno.h (x86 uses the same numbers). */
const char *tm_errno_name(uint64_t err)
{
    static const char *const names[] = {
        [1] = "EPERM",   [2] = "ENOENT",   [3] = "ESRCH",      [4] = "EINTR",
        [5] = "EIO",     [6] = "ENXIO",    [7] = "E2BIG",      [8] = "ENOEXEC",
        [9] = "EBADF",   [10] = "ECHILD",  [11] = "EAGAIN",    [12] = "ENOMEM",
        [13] = "EACCES", [14] = "EFAULT",  [15] = "ENOTBLK",   [16] = "EBUSY",
        [17] = "EEXIST", [18] = "EXDEV",   [19] = "ENODEV",    [20] = "ENOTDIR",
        [21] = "EISDIR", [22] = "EINVAL",  [23] = "ENFILE",    [24] = "EMFILE",
        [25] = "ENOTTY", [26] = "ETXTBSY", [27] = "EFBIG",     [28] = "ENOSPC",
        [29] = "ESPIPE", [30] = "EROFS",   [31] = "EMLINK",    [32] = "EPIPE",
        [33] = "EDOM",   [34] = "ERANGE",  [35] = "EDEADLK",   [36] = "ENAMETOOLONG",
        [37] = "ENOLCK", [38] = "ENOSYS",  [39] = "ENOTEMPTY",
    };
    return err < COUNT(names) ? names[err] : NULL;
}

/* Priv. spec Table 4.2 (scause; mcause, Table 3.6, uses the same codes). */
const char *tm_riscv_cause_name(uint32_t cause, bool interrupt)
{
    static const char *const exceptions[] = {
        [0] = "instruction address misaligned",
        [1] = "instruction access fault",
        [2] = "illegal instruction",
        [3] = "breakpoint",
        [4] = "load address misaligned",
        [5] = "load access fault",
        [6] = "store/AMO address misaligned",
        [7] = "store/AMO access fault",
        [8] = "environment call from U-mode",
        [9] = "environment call from S-mode",
        [11] = "environment call from M-mode",
        [12] = "instruction page fault",
        [13] = "load page fault",
        [15] = "store/AMO page fault",
    };
    static const char *const interrupts[] = {
        [1] = "supervisor software interrupt", [3] = "machine software interrupt",
        [5] = "supervisor timer interrupt",    [7] = "machine timer interrupt",
        [9] = "supervisor external interrupt", [11] = "machine external interrupt",
    };
    if (interrupt) return cause < COUNT(interrupts) ? interrupts[cause] : NULL;
    return cause < COUNT(exceptions) ? exceptions[cause] : NULL;
}
