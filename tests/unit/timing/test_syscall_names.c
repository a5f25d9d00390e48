/* The system-call name tables (src/timing/syscall_names.c) against the host's Linux headers:
 * every row's number is the kernel's number for that name (asm-generic/unistd.h for riscv64,
 * asm/unistd_32.h for i386, asm/unistd_64.h for x86_64), the tables are sorted and lookups find
 * each row; every call the guest kernel implements (src/kernel/README.md) is named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* riscv64 uses the generic table with the 64-bit stat calls (arch/riscv/include/uapi/asm/unistd.h
 * defines __ARCH_WANT_NEW_STAT for 64-bit). */
#define __ARCH_WANT_NEW_STAT
#include <asm-generic/unistd.h>

#include "timing/helpers.h"
#include "timing/timing.h"

#define NAMES(X)                                                                                   \
    X(getcwd)                                                                                      \
    X(dup)                                                                                         \
    X(dup3)                                                                                        \
    X(fcntl)                                                                                       \
    X(ioctl)                                                                                       \
    X(mkdirat)                                                                                     \
    X(unlinkat)                                                                                    \
    X(ftruncate)                                                                                   \
    X(faccessat)                                                                                   \
    X(chdir)                                                                                       \
    X(openat)                                                                                      \
    X(close)                                                                                       \
    X(pipe2)                                                                                       \
    X(getdents64)                                                                                  \
    X(lseek)                                                                                       \
    X(read)                                                                                        \
    X(write)                                                                                       \
    X(readv)                                                                                       \
    X(writev)                                                                                      \
    X(pread64)                                                                                     \
    X(pwrite64)                                                                                    \
    X(pselect6)                                                                                    \
    X(ppoll)                                                                                       \
    X(readlinkat)                                                                                  \
    X(newfstatat)                                                                                  \
    X(fstat)                                                                                       \
    X(exit)                                                                                        \
    X(exit_group)                                                                                  \
    X(set_tid_address)                                                                             \
    X(futex)                                                                                       \
    X(set_robust_list)                                                                             \
    X(nanosleep)                                                                                   \
    X(clock_gettime)                                                                               \
    X(clock_getres)                                                                                \
    X(clock_nanosleep)                                                                             \
    X(sched_yield)                                                                                 \
    X(kill)                                                                                        \
    X(tkill)                                                                                       \
    X(tgkill)                                                                                      \
    X(sigaltstack)                                                                                 \
    X(rt_sigaction)                                                                                \
    X(rt_sigprocmask)                                                                              \
    X(rt_sigreturn)                                                                                \
    X(times)                                                                                       \
    X(uname)                                                                                       \
    X(getrusage)                                                                                   \
    X(prctl)                                                                                       \
    X(gettimeofday)                                                                                \
    X(getpid)                                                                                      \
    X(getppid)                                                                                     \
    X(getuid)                                                                                      \
    X(geteuid)                                                                                     \
    X(getgid)                                                                                      \
    X(getegid)                                                                                     \
    X(gettid)                                                                                      \
    X(sysinfo)                                                                                     \
    X(socket)                                                                                      \
    X(connect)                                                                                     \
    X(brk)                                                                                         \
    X(munmap)                                                                                      \
    X(mremap)                                                                                      \
    X(clone)                                                                                       \
    X(execve)                                                                                      \
    X(mmap)                                                                                        \
    X(mprotect)                                                                                    \
    X(madvise)                                                                                     \
    X(wait4)                                                                                       \
    X(prlimit64)                                                                                   \
    X(getrandom)                                                                                   \
    X(statx)                                                                                       \
    X(rseq)

static const struct ref_syscall ref_riscv64[] = {
#define X(n) {#n, __NR_##n},
    NAMES(X)
#undef X
};

static void check_table(enum tm_abi abi, const struct ref_syscall *ref, size_t ref_count)
{
    size_t n;
    const struct tm_syscall_name *t = tm_syscall_table(abi, &n);
    assert_non_null(t);
    assert_int_equal(n, ref_count); /* every row has a reference */
    for (size_t i = 0; i < n; i++) {
        if (i) assert_true(t[i - 1].number < t[i].number);
        size_t j;
        for (j = 0; j < ref_count; j++)
            if (strcmp(ref[j].name, t[i].name) == 0) break;
        if (j == ref_count) fail_msg("%s: no reference for %s", tm_abi_regs(abi)->name, t[i].name);
        if ((long)t[i].number != ref[j].number)
            fail_msg("%s %s: %u, the kernel says %ld", tm_abi_regs(abi)->name, t[i].name,
                     t[i].number, ref[j].number);
        assert_ptr_equal(tm_syscall_lookup(abi, t[i].number), &t[i]);
        assert_true(t[i].nargs <= 6);
    }
}

static void riscv64_table_matches_asm_generic(void **state)
{
    (void)state;
    check_table(TM_ABI_RISCV64, ref_riscv64, sizeof ref_riscv64 / sizeof ref_riscv64[0]);
}

static void i386_table_matches_unistd_32(void **state)
{
    (void)state;
    check_table(TM_ABI_I386, ref_i386, ref_i386_count);
}

static void x86_64_table_matches_unistd_64(void **state)
{
    (void)state;
    check_table(TM_ABI_X86_64, ref_x86_64, ref_x86_64_count);
}

/* src/kernel/README.md "System calls": the guest kernel's calls all have names. */
static void every_guest_kernel_call_is_named(void **state)
{
    (void)state;
    static const struct {
        unsigned nr;
        const char *name;
    } kernel[] = {{63, "read"},           {64, "write"},        {66, "writev"},
                  {93, "exit"},           {94, "exit_group"},   {96, "set_tid_address"},
                  {113, "clock_gettime"}, {124, "sched_yield"}, {160, "uname"},
                  {172, "getpid"},        {173, "getppid"},     {178, "gettid"},
                  {214, "brk"},           {29, "ioctl"}};
    for (size_t i = 0; i < sizeof kernel / sizeof kernel[0]; i++) {
        const struct tm_syscall_name *s = tm_syscall_lookup(TM_ABI_RISCV64, kernel[i].nr);
        assert_non_null(s);
        assert_string_equal(s->name, kernel[i].name);
    }
    assert_null(tm_syscall_lookup(TM_ABI_RISCV64, 999));
    assert_null(tm_syscall_lookup(TM_ABI_NONE, 64));
}

/* errno-base.h; Priv. spec Table 4.2. */
static void errno_and_cause_names(void **state)
{
    (void)state;
    assert_string_equal(tm_errno_name(14), "EFAULT");
    assert_string_equal(tm_errno_name(38), "ENOSYS");
    assert_string_equal(tm_errno_name(25), "ENOTTY");
    assert_null(tm_errno_name(0));
    assert_null(tm_errno_name(4000));
    assert_string_equal(tm_riscv_cause_name(13, false), "load page fault");
    assert_string_equal(tm_riscv_cause_name(2, false), "illegal instruction");
    assert_string_equal(tm_riscv_cause_name(5, true), "supervisor timer interrupt");
    assert_null(tm_riscv_cause_name(14, false));
    assert_null(tm_riscv_cause_name(99, true));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(riscv64_table_matches_asm_generic),
        cmocka_unit_test(i386_table_matches_unistd_32),
        cmocka_unit_test(x86_64_table_matches_unistd_64),
        cmocka_unit_test(every_guest_kernel_call_is_named),
        cmocka_unit_test(errno_and_cause_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
