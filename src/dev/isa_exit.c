/* QEMU's isa-debug-exit (dev.h; hw/misc/debugexit.c) on an x86 I/O port.
 *
 * The device decodes 4 ports, as with QEMU's "-device isa-debug-exit,iobase=0xf4,iosize=0x04",
 * and takes 1-, 2- and 4-byte accesses (QEMU: valid.min_access_size 1, max_access_size 4). Any
 * write ends the run. QEMU exits with (value << 1) | 1 so that a guest can never fake a clean exit;
 * ringside exits with the value itself (design.md "Platforms"), which machine_exit_status() reduces
 * to 0..255; the detail keeps the raw value. Reads return 0, as QEMU's debug_exit_read does (not
 * the all-ones of an unclaimed ISA port, so a guest can tell that the device is there). */
#include "dev/dev.h"
#include "dev/dev_internal.h"
#include "machine/machine.h"

#include <stdio.h>
#include <stdlib.h>

#define ISA_EXIT_PORTS 4

struct dev_isa_exit {
    struct machine *m;
    uint16_t port;
};

static enum bus_status isa_exit_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    (void)dev;
    (void)offset;
    (void)size;
    *value = 0;
    return BUS_OK;
}

static enum bus_status isa_exit_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct dev_isa_exit *e = dev;
    machine_request_stop(e->m, STOP_EXIT, (int)(value & 0x7fffffff),
                         "isa-debug-exit: %u-byte write of %#llx to port %#x", size,
                         (unsigned long long)value, (unsigned)(e->port + offset));
    return BUS_OK;
}

static const struct bus_ops isa_exit_ops = {.read = isa_exit_read, .write = isa_exit_write};

struct dev_isa_exit *dev_isa_exit_attach(struct machine *m, uint16_t port, char *err, size_t errlen)
{
    struct dev_isa_exit *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "isa-debug-exit: out of memory");
        return NULL;
    }
    e->m = m;
    e->port = port;
    struct bus_region region = {.name = "isa-debug-exit",
                                .base = port,
                                .size = ISA_EXIT_PORTS,
                                .ops = &isa_exit_ops,
                                .dev = e};
    if (dev_register(m, true, &region, free, err, errlen) < 0) {
        free(e);
        return NULL;
    }
    return e;
}
