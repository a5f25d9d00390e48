/* The numbers of every i386 call src/timing/syscall_names.c names, from the host's
 * <asm/unistd_32.h> (the kernel's arch/x86/entry/syscalls table, as installed by linux-libc-dev).
 */
#include <asm/unistd_32.h>

#include "timing/helpers.h"

#define NAMES(X)                                                                                   \
    X(exit)                                                                                        \
    X(fork)                                                                                        \
    X(read)                                                                                        \
    X(write)                                                                                       \
    X(open)                                                                                        \
    X(close)                                                                                       \
    X(waitpid)                                                                                     \
    X(execve)                                                                                      \
    X(chdir)                                                                                       \
    X(time)                                                                                        \
    X(lseek)                                                                                       \
    X(getpid)                                                                                      \
    X(getuid)                                                                                      \
    X(access)                                                                                      \
    X(kill)                                                                                        \
    X(mkdir)                                                                                       \
    X(dup)                                                                                         \
    X(pipe)                                                                                        \
    X(brk)                                                                                         \
    X(getgid)                                                                                      \
    X(geteuid)                                                                                     \
    X(getegid)                                                                                     \
    X(ioctl)                                                                                       \
    X(fcntl)                                                                                       \
    X(dup2)                                                                                        \
    X(getppid)                                                                                     \
    X(gettimeofday)                                                                                \
    X(readlink)                                                                                    \
    X(mmap)                                                                                        \
    X(munmap)                                                                                      \
    X(wait4)                                                                                       \
    X(sigreturn)                                                                                   \
    X(clone)                                                                                       \
    X(uname)                                                                                       \
    X(mprotect)                                                                                    \
    X(_llseek)                                                                                     \
    X(readv)                                                                                       \
    X(writev)                                                                                      \
    X(sched_yield)                                                                                 \
    X(nanosleep)                                                                                   \
    X(rt_sigreturn)                                                                                \
    X(rt_sigaction)                                                                                \
    X(rt_sigprocmask)                                                                              \
    X(getcwd)                                                                                      \
    X(mmap2)                                                                                       \
    X(stat64)                                                                                      \
    X(fstat64)                                                                                     \
    X(getuid32)                                                                                    \
    X(getgid32)                                                                                    \
    X(geteuid32)                                                                                   \
    X(getegid32)                                                                                   \
    X(getdents64)                                                                                  \
    X(gettid)                                                                                      \
    X(futex)                                                                                       \
    X(set_thread_area)                                                                             \
    X(exit_group)                                                                                  \
    X(set_tid_address)                                                                             \
    X(clock_gettime)                                                                               \
    X(clock_getres)                                                                                \
    X(tgkill)                                                                                      \
    X(openat)                                                                                      \
    X(set_robust_list)                                                                             \
    X(getrandom)                                                                                   \
    X(statx)                                                                                       \
    X(clock_gettime64)

const struct ref_syscall ref_i386[] = {
#define X(n) {#n, __NR_##n},
    NAMES(X)
#undef X
};
const size_t ref_i386_count = sizeof ref_i386 / sizeof ref_i386[0];
