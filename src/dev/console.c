/* The host side of guest consoles (dev.h): stdout/stdin, and the helpers the devices share
 * (dev_internal.h): the non-blocking input poll and registration on bus and machine. */
#include "dev/dev.h"
#include "dev/dev_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

/* stdout's own stdio buffer holds the output (no buffer of ours, no global state); flushing at each
 * newline keeps line-by-line output visible when stdout is a pipe, without a write() per byte. */
static void stdio_put(void *opaque, uint8_t byte)
{
    (void)opaque;
    putchar(byte);
    if (byte == '\n') fflush(stdout);
}

void dev_console_stdio(struct dev_console *console)
{
    console->put = stdio_put;
    console->opaque = NULL;
    console->in_fd = STDIN_FILENO;
}

void dev_console_flush_stdio(void)
{
    fflush(stdout);
}

int dev_input_poll(int fd)
{
    if (fd < 0) return DEV_INPUT_EOF;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int ready = poll(&pfd, 1, 0);
    if (ready < 0) return errno == EINTR || errno == EAGAIN ? DEV_INPUT_NONE : DEV_INPUT_EOF;
    if (ready == 0) return DEV_INPUT_NONE;
    if (pfd.revents & POLLNVAL) return DEV_INPUT_EOF;
    /* POLLIN, or POLLHUP/POLLERR: read() then tells data from end of input. */
    uint8_t byte;
    ssize_t n = read(fd, &byte, 1);
    if (n == 1) return byte;
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return DEV_INPUT_NONE;
    return DEV_INPUT_EOF;
}

int dev_register(struct machine *m, bool port_io, const struct bus_region *region,
                 void (*destroy)(void *object), char *err, size_t errlen)
{
    if (m->n_owned >= MACHINE_MAX_OWNED) {
        snprintf(err, errlen, "device %s: the machine cannot own more than %d devices",
                 region->name, MACHINE_MAX_OWNED);
        return -1;
    }
    int rc = port_io ? bus_add_ports(&m->bus, region, err, errlen)
                     : bus_add_mmio(&m->bus, region, err, errlen);
    if (rc < 0) return -1;
    return machine_own(m, region->dev, destroy); /* cannot fail: room was checked above */
}
