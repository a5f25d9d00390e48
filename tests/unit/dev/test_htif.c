/* HTIF (src/dev/htif.c) against Spike's front-end server (riscv-isa-sim fesvr: htif.cc,
 * device.cc bcd_t, syscall.cc syscall_t), QEMU's hw/char/riscv_htif.c (4-byte halves) and the
 * riscv-tests syscall() protocol (magic memory, wait for fromhost != 0, clear it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev/helpers.h"

#include <stdlib.h>
#include <string.h>

#define TOHOST   0x80001000ull
#define FROMHOST 0x80001040ull
#define MAGIC    0x80002000ull
#define BUF      0x80003000ull

#define CMD(dev, cmd, payload) (((uint64_t)(dev) << 56) | ((uint64_t)(cmd) << 48) | (payload))

struct fixture {
    struct machine m;
    struct test_console con;
    struct dev_htif *htif;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    test_machine_init(&f->m, ARCH_RISCV64);
    test_console_init(&f->con, 1);
    char err[256] = "";
    f->htif = dev_htif_attach(&f->m, TOHOST, FROMHOST, &f->con.console, err, sizeof err);
    if (!f->htif) fail_msg("attach: %s", err);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    machine_destroy(&f->m);
    test_console_close(&f->con);
    free(f);
    return 0;
}

static uint64_t rd(struct fixture *f, uint64_t addr, unsigned size)
{
    uint64_t v = 0xdeadbeef;
    assert_int_equal(bus_read(&f->m.bus, addr, size, &v), BUS_OK);
    return v;
}

static void wr(struct fixture *f, uint64_t addr, unsigned size, uint64_t v)
{
    assert_int_equal(bus_write(&f->m.bus, addr, size, v), BUS_OK);
}

static void put_string(struct fixture *f, uint64_t addr, const char *s)
{
    for (size_t i = 0; s[i]; i++)
        wr(f, addr + i, 1, (uint8_t)s[i]);
}

/* riscv-tests syscall(): magic_mem = {which, arg0, arg1, arg2}; tohost = &magic_mem. */
static void syscall3(struct fixture *f, uint64_t which, uint64_t a0, uint64_t a1, uint64_t a2)
{
    wr(f, MAGIC, 8, which);
    wr(f, MAGIC + 8, 8, a0);
    wr(f, MAGIC + 16, 8, a1);
    wr(f, MAGIC + 24, 8, a2);
    wr(f, TOHOST, 8, MAGIC);
}

/* fesvr syscall_t::handle_syscall: payload bit 0 set = exit with payload >> 1, no answer. */
static void tohost_exit_status(void **state)
{
    struct fixture *f = *state;
    wr(f, TOHOST, 8, (7 << 1) | 1);
    assert_int_equal(f->m.stop.reason, STOP_EXIT);
    assert_int_equal(machine_exit_status(&f->m), 7);
    assert_int_equal(rd(f, TOHOST, 8), 0);
    assert_int_equal(rd(f, FROMHOST, 8), 0);
}

/* riscv-tests RVTEST_PASS writes 1: exit status 0. */
static void tohost_pass(void **state)
{
    struct fixture *f = *state;
    wr(f, TOHOST, 8, 1);
    assert_int_equal(f->m.stop.reason, STOP_EXIT);
    assert_int_equal(machine_exit_status(&f->m), 0);
}

/* fesvr bcd_t::handle_write: the byte goes out and the answer is 0x100 | byte with device 1 and
 * command 1 kept; tohost reads 0 once taken; the guest clears fromhost. */
static void console_putc(void **state)
{
    struct fixture *f = *state;
    wr(f, TOHOST, 8, CMD(1, 1, 'h'));
    assert_string_equal(f->con.out, "h");
    assert_int_equal(rd(f, TOHOST, 8), 0);
    assert_int_equal(rd(f, FROMHOST, 8), CMD(1, 1, 0x100 | 'h'));
    wr(f, FROMHOST, 8, 0);
    assert_int_equal(rd(f, FROMHOST, 8), 0);
    assert_int_equal(f->m.stop.reason, STOP_NONE);
}

/* fesvr htif_t::run: an answer is written only while fromhost is 0; the others wait in order. */
static void answers_wait_for_fromhost_clear(void **state)
{
    struct fixture *f = *state;
    wr(f, TOHOST, 8, CMD(1, 1, 'a'));
    wr(f, TOHOST, 8, CMD(1, 1, 'b'));
    assert_string_equal(f->con.out, "ab");
    assert_int_equal(rd(f, FROMHOST, 8), CMD(1, 1, 0x100 | 'a'));
    assert_int_equal(rd(f, FROMHOST, 8), CMD(1, 1, 0x100 | 'a'));
    wr(f, FROMHOST, 8, 0);
    assert_int_equal(rd(f, FROMHOST, 8), CMD(1, 1, 0x100 | 'b'));
    wr(f, FROMHOST, 8, 0);
    assert_int_equal(rd(f, FROMHOST, 8), 0);
}

/* Syscall proxy, SYS_write (64) to fd 1: bytes from guest RAM to the console, the byte count in
 * magic_mem[0], then fromhost = 1 (what riscv-tests' syscall() waits for). */
static void syscall_write_stdout(void **state)
{
    struct fixture *f = *state;
    put_string(f, BUF, "hello\n");
    syscall3(f, 64, 1, BUF, 6);
    assert_string_equal(f->con.out, "hello\n");
    assert_int_equal(rd(f, MAGIC, 8), 6);
    assert_int_equal(rd(f, FROMHOST, 8), 1);
    assert_int_equal(rd(f, TOHOST, 8), 0);
}

/* fd 2 goes to the console as well; a longer buffer crosses the copy chunks. */
static void syscall_write_stderr_long(void **state)
{
    struct fixture *f = *state;
    char text[700];
    for (size_t i = 0; i < sizeof text - 1; i++)
        text[i] = (char)('a' + i % 26);
    text[sizeof text - 1] = '\0';
    put_string(f, BUF, text);
    syscall3(f, 64, 2, BUF, sizeof text - 1);
    assert_string_equal(f->con.out, text);
    assert_int_equal(rd(f, MAGIC, 8), sizeof text - 1);
}

/* Other file descriptors: -EBADF (-9), nothing written, still answered. */
static void syscall_write_bad_fd(void **state)
{
    struct fixture *f = *state;
    put_string(f, BUF, "x");
    syscall3(f, 64, 3, BUF, 1);
    assert_int_equal(f->con.out_len, 0);
    assert_int_equal((int64_t)rd(f, MAGIC, 8), -9);
    assert_int_equal(rd(f, FROMHOST, 8), 1);
}

/* A buffer not wholly in RAM: -EFAULT (-14) and nothing written (not even the part in RAM). */
static void syscall_write_bad_buffer(void **state)
{
    struct fixture *f = *state;
    syscall3(f, 64, 1, 0x1000, 4);
    assert_int_equal((int64_t)rd(f, MAGIC, 8), -14);
    wr(f, FROMHOST, 8, 0);
    put_string(f, TEST_RAM_BASE + TEST_RAM_SIZE - 2, "ok");
    syscall3(f, 64, 1, TEST_RAM_BASE + TEST_RAM_SIZE - 2, 3);
    assert_int_equal((int64_t)rd(f, MAGIC, 8), -14);
    assert_int_equal(f->con.out_len, 0);
    assert_int_equal(rd(f, FROMHOST, 8), 1);
}

/* Unknown system calls: -ENOSYS (-38). */
static void syscall_unknown(void **state)
{
    struct fixture *f = *state;
    syscall3(f, 1234, 0, 0, 0);
    assert_int_equal((int64_t)rd(f, MAGIC, 8), -38);
    assert_int_equal(rd(f, FROMHOST, 8), 1);
    assert_int_equal(f->m.stop.reason, STOP_NONE);
}

/* SYS_exit (93) ends the run with status arg0 (fesvr sys_exit). */
static void syscall_exit(void **state)
{
    struct fixture *f = *state;
    syscall3(f, 93, 3, 0, 0);
    assert_int_equal(f->m.stop.reason, STOP_EXIT);
    assert_int_equal(machine_exit_status(&f->m), 3);
    assert_int_equal(rd(f, MAGIC, 8), 0);
}

/* A syscall block outside RAM: Spike stops ("Access exception"); ringside stops as fatal. */
static void syscall_block_outside_ram(void **state)
{
    struct fixture *f = *state;
    wr(f, TOHOST, 8, 0x2000);
    assert_int_equal(f->m.stop.reason, STOP_FATAL);
    assert_int_equal(machine_exit_status(&f->m), EXIT_GUEST_FATAL);
    assert_int_equal(rd(f, FROMHOST, 8), 0);
}

/* RV32 guests store tohost as two words, lower first; the upper store completes the command
 * (QEMU riscv_htif.c TOHOST_OFFSET1/2). */
static void halves_complete_command(void **state)
{
    struct fixture *f = *state;
    wr(f, TOHOST, 4, 'x');
    assert_int_equal(f->con.out_len, 0);
    assert_int_equal(rd(f, TOHOST, 4), 'x');
    wr(f, TOHOST + 4, 4, 0x01010000);
    assert_string_equal(f->con.out, "x");
    assert_int_equal(rd(f, TOHOST, 8), 0);
    assert_int_equal(rd(f, FROMHOST + 4, 4), 0x01010000);
    assert_int_equal(rd(f, FROMHOST, 4), 0x100 | 'x');
    wr(f, FROMHOST, 4, 0);
    wr(f, FROMHOST + 4, 4, 0);
    assert_int_equal(rd(f, FROMHOST, 8), 0);
    wr(f, TOHOST, 4, (5 << 1) | 1);
    wr(f, TOHOST + 4, 4, 0);
    assert_int_equal(f->m.stop.reason, STOP_EXIT);
    assert_int_equal(machine_exit_status(&f->m), 5);
}

/* An upper-half store with no lower half before it is ignored (QEMU's allow_tohost). */
static void lone_upper_half_ignored(void **state)
{
    struct fixture *f = *state;
    wr(f, TOHOST + 4, 4, 0x01010000);
    assert_int_equal(f->con.out_len, 0);
    assert_int_equal(rd(f, FROMHOST, 8), 0);
    assert_int_equal(f->m.stop.reason, STOP_NONE);
}

/* Registers take 8-byte accesses and aligned 4-byte halves only. */
static void bad_widths(void **state)
{
    struct fixture *f = *state;
    uint64_t v;
    assert_int_equal(bus_write(&f->m.bus, TOHOST, 1, 1), BUS_BAD_ACCESS);
    assert_int_equal(bus_write(&f->m.bus, TOHOST, 2, 1), BUS_BAD_ACCESS);
    assert_int_equal(bus_write(&f->m.bus, TOHOST + 2, 4, 1), BUS_BAD_ACCESS);
    assert_int_equal(bus_read(&f->m.bus, FROMHOST + 1, 1, &v), BUS_BAD_ACCESS);
    assert_int_equal(bus_write(&f->m.bus, FROMHOST, 2, 1), BUS_BAD_ACCESS);
    assert_int_equal(f->m.stop.reason, STOP_NONE);
}

/* The guest's own stores to fromhost are kept (it clears it, and may write anything). */
static void fromhost_guest_writes_kept(void **state)
{
    struct fixture *f = *state;
    wr(f, FROMHOST, 8, 0x123456789ull);
    assert_int_equal(rd(f, FROMHOST, 8), 0x123456789ull);
    wr(f, FROMHOST + 4, 4, 0xabc);
    assert_int_equal(rd(f, FROMHOST, 8), 0xabc23456789ull);
}

/* fesvr bcd_t::handle_read/tick: a console read is answered with 0x100 | byte once input is
 * there; here the guest's polling of fromhost is what finds the input. */
static void console_getc(void **state)
{
    struct fixture *f = *state;
    wr(f, TOHOST, 8, CMD(1, 0, 0));
    assert_int_equal(rd(f, TOHOST, 8), 0);
    assert_int_equal(rd(f, FROMHOST, 8), 0); /* nothing typed yet */
    test_console_feed(&f->con, "k", 1, 0);
    assert_int_equal(rd(f, FROMHOST, 8), CMD(1, 0, 0x100 | 'k'));
    wr(f, FROMHOST, 8, 0);
    assert_int_equal(rd(f, FROMHOST, 8), 0); /* one read, one answer */
}

/* At end of input a console read is never answered (Spike: no byte, no answer), and the device
 * stops polling the closed descriptor. */
static void console_getc_at_eof(void **state)
{
    struct fixture *f = *state;
    test_console_feed(&f->con, "", 0, 1);
    wr(f, TOHOST, 8, CMD(1, 0, 0));
    for (int i = 0; i < 3; i++)
        assert_int_equal(rd(f, FROMHOST, 8), 0);
    assert_int_equal(f->m.stop.reason, STOP_NONE);
}

/* Unknown devices and commands are ignored without an answer (fesvr null device/command). */
static void unknown_commands_ignored(void **state)
{
    struct fixture *f = *state;
    wr(f, TOHOST, 8, CMD(2, 1, 'q'));
    wr(f, TOHOST, 8, CMD(1, 7, 'q'));
    wr(f, TOHOST, 8, CMD(0, 1, 3));
    assert_int_equal(f->con.out_len, 0);
    assert_int_equal(rd(f, FROMHOST, 8), 0);
    assert_int_equal(rd(f, TOHOST, 8), 0);
    assert_int_equal(f->m.stop.reason, STOP_NONE);
}

/* The registers lie over RAM and win: what the image holds there is not what the guest reads,
 * and bus_ram_ptr refuses the page so cores take the slow path. */
static void registers_over_ram(void **state)
{
    struct fixture *f = *state;
    uint64_t ones = UINT64_MAX;
    assert_int_equal(bus_copy_to_ram(&f->m.bus, TOHOST, &ones, 8), 0);
    assert_int_equal(rd(f, TOHOST, 8), 0);
    assert_null(bus_ram_ptr(&f->m.bus, TOHOST & ~0xfffull, 16));
    assert_non_null(bus_ram_ptr(&f->m.bus, MAGIC, 16));
}

/* tohost and fromhost overlapping each other, or another device, are refused; nothing is left
 * on the bus or owned. */
static void overlaps_refused(void **state)
{
    struct fixture *f = *state;
    char err[256] = "";
    unsigned n_mmio = f->m.bus.n_mmio, n_owned = f->m.n_owned;
    assert_null(dev_htif_attach(&f->m, 0x80005000, 0x80005004, NULL, err, sizeof err));
    assert_non_null(strstr(err, "overlap"));
    err[0] = '\0';
    assert_null(dev_htif_attach(&f->m, 0x80005000, FROMHOST + 4, NULL, err, sizeof err));
    assert_non_null(strstr(err, "overlaps"));
    assert_int_equal(f->m.bus.n_mmio, n_mmio);
    assert_int_equal(f->m.n_owned, n_owned);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(tohost_exit_status, setup, teardown),
        cmocka_unit_test_setup_teardown(tohost_pass, setup, teardown),
        cmocka_unit_test_setup_teardown(console_putc, setup, teardown),
        cmocka_unit_test_setup_teardown(answers_wait_for_fromhost_clear, setup, teardown),
        cmocka_unit_test_setup_teardown(syscall_write_stdout, setup, teardown),
        cmocka_unit_test_setup_teardown(syscall_write_stderr_long, setup, teardown),
        cmocka_unit_test_setup_teardown(syscall_write_bad_fd, setup, teardown),
        cmocka_unit_test_setup_teardown(syscall_write_bad_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(syscall_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(syscall_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(syscall_block_outside_ram, setup, teardown),
        cmocka_unit_test_setup_teardown(halves_complete_command, setup, teardown),
        cmocka_unit_test_setup_teardown(lone_upper_half_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_widths, setup, teardown),
        cmocka_unit_test_setup_teardown(fromhost_guest_writes_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(console_getc, setup, teardown),
        cmocka_unit_test_setup_teardown(console_getc_at_eof, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_commands_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(registers_over_ram, setup, teardown),
        cmocka_unit_test_setup_teardown(overlaps_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
