/* The stdio console (src/dev/console.c, dev.h): output to host stdout flushed at each newline and
 * on request, input from stdin. stdout is pointed at a pipe for the duration of a test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev/helpers.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct captured {
    int saved_stdout;
    int pipe_read;
};

static void capture_start(struct captured *c)
{
    int fds[2];
    fflush(stdout);
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
    c->saved_stdout = dup(STDOUT_FILENO);
    assert_true(c->saved_stdout >= 0);
    assert_int_equal(dup2(fds[1], STDOUT_FILENO), STDOUT_FILENO);
    close(fds[1]);
    c->pipe_read = fds[0];
}

/* What has reached the pipe so far (not what still sits in stdio's buffer). */
static size_t captured_now(struct captured *c, char *buf, size_t size)
{
    ssize_t n = read(c->pipe_read, buf, size - 1);
    size_t len = n > 0 ? (size_t)n : 0;
    buf[len] = '\0';
    return len;
}

static void capture_end(struct captured *c)
{
    fflush(stdout);
    assert_int_equal(dup2(c->saved_stdout, STDOUT_FILENO), STDOUT_FILENO);
    close(c->saved_stdout);
    close(c->pipe_read);
}

/* dev.h: input comes from stdin. */
static void stdio_reads_stdin(void **state)
{
    (void)state;
    struct dev_console con;
    memset(&con, 0xff, sizeof con);
    dev_console_stdio(&con);
    assert_non_null(con.put);
    assert_int_equal(con.in_fd, STDIN_FILENO);
}

/* dev.h: output is flushed at each newline, so a line is on stdout when the guest ends it. */
static void newline_flushes(void **state)
{
    (void)state;
    struct dev_console con;
    struct captured cap;
    char buf[64];
    dev_console_stdio(&con);
    capture_start(&cap);
    con.put(con.opaque, 'o');
    con.put(con.opaque, 'k');
    con.put(con.opaque, '\n');
    size_t n = captured_now(&cap, buf, sizeof buf);
    capture_end(&cap);
    assert_int_equal(n, 3);
    assert_string_equal(buf, "ok\n");
}

/* dev.h: dev_console_flush_stdio pushes out a partial line (when the run stops). */
static void flush_pushes_partial_line(void **state)
{
    (void)state;
    struct dev_console con;
    struct captured cap;
    char buf[64];
    dev_console_stdio(&con);
    capture_start(&cap);
    con.put(con.opaque, '$');
    con.put(con.opaque, ' ');
    dev_console_flush_stdio();
    size_t n = captured_now(&cap, buf, sizeof buf);
    capture_end(&cap);
    assert_int_equal(n, 2);
    assert_string_equal(buf, "$ ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stdio_reads_stdin),
        cmocka_unit_test(newline_flushes),
        cmocka_unit_test(flush_pushes_partial_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
