/* Test helpers for the device tests (see helpers.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev/helpers.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

void test_machine_init(struct machine *m, enum mach_arch arch)
{
    char err[256] = "";
    int rc = machine_init(m, arch, arch == ARCH_RISCV64 ? TEST_RAM_BASE : 0, TEST_RAM_SIZE, err,
                          sizeof err);
    if (rc != 0) fail_msg("machine_init: %s", err);
}

static void buffer_put(void *opaque, uint8_t byte)
{
    struct test_console *c = opaque;
    if (c->out_len < sizeof c->out - 1) c->out[c->out_len++] = (char)byte;
    c->out[c->out_len] = '\0';
}

void test_console_init(struct test_console *c, int with_input)
{
    memset(c, 0, sizeof *c);
    c->console.put = buffer_put;
    c->console.opaque = c;
    c->console.in_fd = -1;
    c->pipe_read = c->pipe_write = -1;
    if (with_input) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        /* Non-blocking, so that a device that wrongly reads without polling fails the test
         * instead of hanging it. */
        assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
        c->pipe_read = fds[0];
        c->pipe_write = fds[1];
        c->console.in_fd = fds[0];
    }
}

void test_console_close(struct test_console *c)
{
    if (c->pipe_read >= 0) close(c->pipe_read);
    if (c->pipe_write >= 0) close(c->pipe_write);
    c->pipe_read = c->pipe_write = -1;
}

void test_console_feed(struct test_console *c, const char *bytes, size_t len, int close_after)
{
    assert_true(c->pipe_write >= 0);
    if (len) assert_int_equal(write(c->pipe_write, bytes, len), (ssize_t)len);
    if (close_after) {
        close(c->pipe_write);
        c->pipe_write = -1;
    }
}
