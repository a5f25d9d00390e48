/* SiFive test finisher (dev.h), as QEMU's virt machine has it at 0x100000 (hw/misc/sifive_test.c).
 *
 * A store to offset 0 is a command in its low 16 bits: 0x5555 = pass (exit 0), 0x3333 = fail with
 * the code in bits 31:16, 0x7777 = reset. Other values and other offsets are ignored, and reads
 * return 0, as in QEMU. QEMU accepts 2- and 4-byte accesses (min_access_size 2 since its commit
 * "hw/riscv/sifive_test: Allow 16-bit writes to sifive_test", for Linux's syscon-poweroff);
 * 1- and 8-byte accesses are refused with BUS_BAD_ACCESS, as QEMU's memory core refuses them. */
#include "dev/dev.h"
#include "dev/dev_internal.h"
#include "machine/machine.h"

#include <stdio.h>
#include <stdlib.h>

enum {
    FINISHER_FAIL = 0x3333,
    FINISHER_PASS = 0x5555,
    FINISHER_RESET = 0x7777,
};

struct dev_sifive_test {
    struct machine *m;
};

static bool valid_size(unsigned size)
{
    return size == 2 || size == 4;
}

static enum bus_status test_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    (void)dev;
    (void)offset;
    *value = 0;
    return valid_size(size) ? BUS_OK : BUS_BAD_ACCESS;
}

static enum bus_status test_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct dev_sifive_test *t = dev;
    if (!valid_size(size)) return BUS_BAD_ACCESS;
    if (offset != 0) return BUS_OK;
    unsigned status = value & 0xffff;
    unsigned code = (value >> 16) & 0xffff;
    switch (status) {
    case FINISHER_PASS:
        machine_request_stop(t->m, STOP_EXIT, 0, "SiFive test finisher: pass (%#llx)",
                             (unsigned long long)value);
        break;
    case FINISHER_FAIL:
        machine_request_stop(t->m, STOP_EXIT, (int)code, "SiFive test finisher: fail, code %u",
                             code);
        break;
    case FINISHER_RESET:
        /* QEMU resets the machine; ringside has no reset, so the guest cannot go on. */
        machine_request_stop(t->m, STOP_FATAL, EXIT_GUEST_FATAL,
                             "SiFive test finisher: guest asked for a reset, which ringside does "
                             "not support");
        break;
    default: break; /* QEMU logs a guest error and carries on */
    }
    return BUS_OK;
}

static const struct bus_ops test_ops = {.read = test_read, .write = test_write};

struct dev_sifive_test *dev_sifive_test_attach(struct machine *m, uint64_t base, char *err,
                                               size_t errlen)
{
    struct dev_sifive_test *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "SiFive test finisher: out of memory");
        return NULL;
    }
    t->m = m;
    struct bus_region region = {.name = "sifive-test",
                                .base = base,
                                .size = DEV_SIFIVE_TEST_SIZE,
                                .ops = &test_ops,
                                .dev = t};
    if (dev_register(m, false, &region, free, err, errlen) < 0) {
        free(t);
        return NULL;
    }
    return t;
}
