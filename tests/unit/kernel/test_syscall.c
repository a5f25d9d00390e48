/* The system call table and copyin/copyout (src/kernel/common/syscall.c, usercopy.c): Linux
 * riscv64 numbers (asm-generic unistd.h), negative errno results, and user pointers that are
 * checked page by page: unmapped, kernel and read-only memory give -EFAULT (14). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

static struct proc p;

#define RO 0x10000 /* a read-only page */
#define RW 0x20000 /* two read-write pages, then nothing */

static int64_t call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    const uint64_t a[6] = {a0, a1, a2, 0, 0, 0};
    return syscall_dispatch(&p, nr, a);
}

static int setup(void **state)
{
    (void)state;
    fake_reset(&p);
    fake_map(RO, PROT_READ | PROT_EXEC);
    memcpy(fake_mem(RO), "read-only text", 15);
    fake_map(RW, PROT_READ | PROT_WRITE);
    fake_map(RW + PAGE_SIZE, PROT_READ | PROT_WRITE);
    p.brk_start = p.brk = p.brk_mapped = 0x40000;
    p.brk_limit = 0x80000;
    return 0;
}

static void write_copies_user_memory_to_the_console(void **state)
{
    (void)state;
    memcpy(fake_mem(RW + PAGE_SIZE - 3), "hel", 3); /* across a page boundary */
    memcpy(fake_mem(RW + PAGE_SIZE), "lo", 2);
    assert_int_equal(call(64, 1, RW + PAGE_SIZE - 3, 5), 5);
    assert_int_equal(call(64, 2, RO, 9), 9); /* reading read-only memory is fine */
    assert_int_equal(fake_console_len, 14);
    assert_memory_equal(fake_console_out, "helloread-only", 14);
    assert_int_equal(call(64, 1, RW, 0), 0);
    assert_int_equal(call(64, 3, RW, 1), -EBADF);
}

static void bad_pointers_give_efault_and_write_nothing(void **state)
{
    (void)state;
    assert_int_equal(call(64, 1, 0x80000000, 8), -EFAULT);            /* the kernel's RAM */
    assert_int_equal(call(64, 1, 0xffffffc000000000ull, 8), -EFAULT); /* kernel half */
    assert_int_equal(call(64, 1, TRAPFRAME, 8), -EFAULT);
    assert_int_equal(call(64, 1, 0x1000, 8), -EFAULT);                 /* unmapped */
    assert_int_equal(call(64, 1, RW + 2 * PAGE_SIZE - 4, 8), -EFAULT); /* runs off the end */
    assert_int_equal(call(64, 1, ~0ull - 2, 8), -EFAULT);              /* wraps around */
    assert_int_equal(fake_console_len, 0);
    fake_console_in = "typed";
    assert_int_equal(call(63, 0, RO, 8), -EFAULT); /* read into read-only memory */
    assert_int_equal(call(63, 0, 0x80000000, 8), -EFAULT);
    assert_string_equal(fake_console_in, "typed"); /* nothing consumed */
}

static void read_returns_what_the_console_has(void **state)
{
    (void)state;
    fake_console_in = "ab\ncd";
    assert_int_equal(call(63, 0, RW, 100), 3); /* up to the newline */
    assert_memory_equal(fake_mem(RW), "ab\n", 3);
    assert_int_equal(call(63, 0, RW, 100), 2);
    assert_int_equal(call(63, 0, RW, 100), 0); /* nothing waiting: end of file */
    assert_int_equal(call(63, 1, RW, 100), -EBADF);
}

static void writev_checks_the_array_and_every_buffer(void **state)
{
    (void)state;
    uint64_t iov[6] = {RO, 4, RW + 100, 0, RO + 4, 5};
    memcpy(fake_mem(RW), iov, sizeof iov);
    assert_int_equal(call(66, 1, RW, 3), 9);
    assert_memory_equal(fake_console_out, "read-only", 9);
    iov[2] = 0x80000000, iov[3] = 1; /* one bad buffer: nothing is written */
    memcpy(fake_mem(RW), iov, sizeof iov);
    fake_console_len = 0;
    assert_int_equal(call(66, 1, RW, 3), -EFAULT);
    assert_int_equal(fake_console_len, 0);
    assert_int_equal(call(66, 1, 0x80000000, 1), -EFAULT);
    assert_int_equal(call(66, 1, RW, 1025), -EINVAL);
}

static void unknown_numbers_give_enosys(void **state)
{
    (void)state;
    assert_int_equal(call(0, 0, 0, 0), -ENOSYS);   /* io_setup: inside the table, not there */
    assert_int_equal(call(57, 0, 0, 0), -ENOSYS);  /* close */
    assert_int_equal(call(215, 0, 0, 0), -ENOSYS); /* just past brk, the last entry */
    assert_int_equal(call(999, 0, 0, 0), -ENOSYS);
    assert_int_equal(call(~0ull, 0, 0, 0), -ENOSYS);
    assert_int_equal(call(29, 1, 0x5401, RW), -ENOTTY); /* ioctl(TCGETS) */
}

static void small_calls(void **state)
{
    (void)state;
    assert_int_equal(call(172, 0, 0, 0), 1);  /* getpid */
    assert_int_equal(call(173, 0, 0, 0), 0);  /* getppid */
    assert_int_equal(call(124, 0, 0, 0), 0);  /* sched_yield */
    assert_int_equal(call(96, RW, 0, 0), 1);  /* set_tid_address returns the tid */
    assert_int_equal(call(160, RW, 0, 0), 0); /* uname */
    assert_string_equal((char *)fake_mem(RW), "Linux");
    assert_string_equal((char *)fake_mem(RW + 4 * 65), "riscv64");
    assert_int_equal(call(160, RO, 0, 0), -EFAULT);
    assert_int_equal(call(113, 1, RW, 0), 0); /* clock_gettime: 25000000 ticks at 10 MHz */
    int64_t ts[2];
    memcpy(ts, fake_mem(RW), sizeof ts);
    assert_int_equal(ts[0], 2);
    assert_int_equal(ts[1], 500000000);
    assert_int_equal(call(113, 99, RW, 0), -EINVAL);
    assert_int_equal(call(113, 0, RO, 0), -EFAULT);
}

/* A caller with a 4-byte long (i386 programs; the x86-64 kernel's int $0x80 compat path): struct
 * iovec and struct timespec are pairs of 32-bit words, and counts turn negative at bit 31. */
static int64_t call32(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    const uint64_t a[6] = {a0, a1, a2, 0, 0, 0};
    return syscall_dispatch_abi(&p, nr, a, 4);
}

static void four_byte_longs_use_32_bit_layouts(void **state)
{
    (void)state;
    uint32_t iov[4] = {RO, 4, RO + 4, 5};
    memcpy(fake_mem(RW), iov, sizeof iov);
    assert_int_equal(call32(66, 1, RW, 2), 9);
    assert_memory_equal(fake_console_out, "read-only", 9);
    iov[1] = 0x80000000u; /* a negative length */
    memcpy(fake_mem(RW), iov, sizeof iov);
    assert_int_equal(call32(66, 1, RW, 2), -EINVAL);
    assert_int_equal(call32(64, 1, RO, 0xffffffffu), -EINVAL); /* count -1 */
    assert_int_equal(call32(64, 1ull << 32 | 1, RO, 4), 4);    /* upper halves mean nothing */
    memset(fake_mem(RW), 0xee, 16);
    assert_int_equal(call32(113, 1, RW, 0), 0); /* 25000000 ticks at 10 MHz */
    int32_t ts[2];
    memcpy(ts, fake_mem(RW), sizeof ts);
    assert_int_equal(ts[0], 2);
    assert_int_equal(ts[1], 500000000);
    assert_int_equal(*(uint32_t *)fake_mem(RW + 8), 0xeeeeeeee); /* 8 bytes, not 16 */
    assert_int_equal(call32(0xffffffffu, 0, 0, 0), -ENOSYS);
}

static void brk_follows_linux(void **state)
{
    (void)state;
    assert_int_equal(call(214, 0, 0, 0), 0x40000);
    assert_int_equal(call(214, 0x40000 + 5000, 0, 0), 0x40000 + 5000);
    assert_non_null(arch_user_ptr(&p, 0x41000, UA_WRITE));
    *fake_mem(0x41000) = 7;
    assert_int_equal(call(214, 0x40010, 0, 0), 0x40010); /* shrink */
    assert_int_equal(call(214, 0x42000, 0, 0), 0x42000); /* grow again: zero once more */
    assert_int_equal(*fake_mem(0x41000), 0);
    assert_int_equal(call(214, 0x90000, 0, 0), 0x42000); /* past the limit: unchanged */
    assert_int_equal(call(214, 0x1000, 0, 0), 0x42000);  /* below the start: unchanged */
}

static void copyinstr_stops_at_bad_pages_and_length(void **state)
{
    (void)state;
    char buf[16];
    memcpy(fake_mem(RW), "short", 6);
    assert_int_equal(copyinstr(&p, buf, RW, sizeof buf), 5);
    assert_string_equal(buf, "short");
    memset(fake_mem(RW + 2 * PAGE_SIZE - 4), 'x', 4); /* no NUL before the unmapped page */
    assert_int_equal(copyinstr(&p, buf, RW + 2 * PAGE_SIZE - 4, sizeof buf), -EFAULT);
    memset(fake_mem(RW), 'y', 32);
    assert_int_equal(copyinstr(&p, buf, RW, sizeof buf), -ENAMETOOLONG);
}

static void exit_and_kill_stop_the_machine_with_the_status(void **state)
{
    (void)state;
    int jumped;
    fake_shutdown_armed = 1;
    if ((jumped = setjmp(fake_shutdown_jmp)) == 0)
        call(94, 0x12a, 0, 0); /* exit_group keeps the low 8 bits: 42 */
    assert_int_equal(jumped - 1, 42);
    if ((jumped = setjmp(fake_shutdown_jmp)) == 0)
        proc_kill(&p, SIGSEGV, "page fault (scause %d) at va 0x%x", 13, 0x80000000);
    assert_int_equal(jumped - 1, 139);
    fake_shutdown_armed = 0;
    fake_console_out[fake_console_len] = '\0';
    assert_string_equal(fake_console_out,
                        "killed: pid 1: page fault (scause 13) at va 0x80000000\n");
}

static void kernel_printf_formats(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(ksnprintf(buf, sizeof buf, "%d %5d %05d %x %lx %s %c %%", -3, 42, -42, 255,
                               0x3ffffff000ul, "s", 'c'),
                     strlen("-3    42 -0042 ff 3ffffff000 s c %"));
    assert_string_equal(buf, "-3    42 -0042 ff 3ffffff000 s c %");
    assert_int_equal(ksnprintf(buf, 4, "%s", "truncated"), 9);
    assert_string_equal(buf, "tru");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(write_copies_user_memory_to_the_console, setup),
        cmocka_unit_test_setup(bad_pointers_give_efault_and_write_nothing, setup),
        cmocka_unit_test_setup(read_returns_what_the_console_has, setup),
        cmocka_unit_test_setup(writev_checks_the_array_and_every_buffer, setup),
        cmocka_unit_test_setup(unknown_numbers_give_enosys, setup),
        cmocka_unit_test_setup(small_calls, setup),
        cmocka_unit_test_setup(four_byte_longs_use_32_bit_layouts, setup),
        cmocka_unit_test_setup(brk_follows_linux, setup),
        cmocka_unit_test_setup(copyinstr_stops_at_bad_pages_and_length, setup),
        cmocka_unit_test_setup(exit_and_kill_stop_the_machine_with_the_status, setup),
        cmocka_unit_test_setup(kernel_printf_formats, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
