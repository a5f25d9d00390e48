/* The numbers of every x86_64 call src/timing/syscall_names.c names, from the host's
 * <asm/unistd_64.h> (the kernel's arch/x86/entry/syscalls table, as installed by linux-libc-dev).
 */
#include <asm/unistd_64.h>

#include "timing/helpers.h"

#define NAMES(X)                                                                                   \
    X(read)                                                                                        \
    X(write)                                                                                       \
    X(open)                                                                                        \
    X(close)                                                                                       \
    X(stat)                                                                                        \
    X(fstat)                                                                                       \
    X(lstat)                                                                                       \
    X(lseek)                                                                                       \
    X(mmap)                                                                                        \
    X(mprotect)                                                                                    \
    X(munmap)                                                                                      \
    X(brk)                                                                                         \
    X(rt_sigaction)                                                                                \
    X(rt_sigprocmask)                                                                              \
    X(rt_sigreturn)                                                                                \
    X(ioctl)                                                                                       \
    X(pread64)                                                                                     \
    X(pwrite64)                                                                                    \
    X(readv)                                                                                       \
    X(writev)                                                                                      \
    X(access)                                                                                      \
    X(pipe)                                                                                        \
    X(sched_yield)                                                                                 \
    X(dup)                                                                                         \
    X(dup2)                                                                                        \
    X(nanosleep)                                                                                   \
    X(getpid)                                                                                      \
    X(clone)                                                                                       \
    X(fork)                                                                                        \
    X(execve)                                                                                      \
    X(exit)                                                                                        \
    X(wait4)                                                                                       \
    X(kill)                                                                                        \
    X(uname)                                                                                       \
    X(fcntl)                                                                                       \
    X(getcwd)                                                                                      \
    X(chdir)                                                                                       \
    X(readlink)                                                                                    \
    X(gettimeofday)                                                                                \
    X(getuid)                                                                                      \
    X(getgid)                                                                                      \
    X(geteuid)                                                                                     \
    X(getegid)                                                                                     \
    X(getppid)                                                                                     \
    X(arch_prctl)                                                                                  \
    X(gettid)                                                                                      \
    X(time)                                                                                        \
    X(futex)                                                                                       \
    X(getdents64)                                                                                  \
    X(set_tid_address)                                                                             \
    X(clock_gettime)                                                                               \
    X(clock_getres)                                                                                \
    X(clock_nanosleep)                                                                             \
    X(exit_group)                                                                                  \
    X(tgkill)                                                                                      \
    X(openat)                                                                                      \
    X(newfstatat)                                                                                  \
    X(set_robust_list)                                                                             \
    X(prlimit64)                                                                                   \
    X(getrandom)                                                                                   \
    X(statx)                                                                                       \
    X(rseq)

const struct ref_syscall ref_x86_64[] = {
#define X(n) {#n, __NR_##n},
    NAMES(X)
#undef X
};
const size_t ref_x86_64_count = sizeof ref_x86_64 / sizeof ref_x86_64[0];
