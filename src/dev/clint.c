/* SiFive CLINT for one hart (dev.h), laid out as in QEMU's virt machine (hw/intc/riscv_aclint.c:
 * an MSWI part at 0x0 and an MTIMER part at 0x4000) and the SiFive FU540-C000 manual, chapter 9
 * "Core Local Interruptor (CLINT)": msip at 0x0, mtimecmp at 0x4000, mtime at 0xBFF8.
 *
 * mtime is not stored: it is derived from guest time, (machine_now / divisor) + offset, where a
 * guest write to mtime only changes offset (priv. spec 3.2.1: mtime is writable). MTIP follows
 * mtime >= mtimecmp (priv. spec 3.2.1: "A machine timer interrupt becomes pending whenever mtime
 * contains a value greater than or equal to mtimecmp"); the machine_clocked hook tells the run
 * loop the exact guest time at which that becomes true, so MTIP rises at the same guest time
 * however the run is sliced.
 *
 * Access rules, as QEMU's ACLINT enforces them: accesses are naturally aligned and 4 bytes wide in
 * the MSWI part (valid.min/max_access_size 4), 4 or 8 bytes in the MTIMER part (4..8); any other
 * width or a misaligned access is BUS_BAD_ACCESS. mtimecmp and mtime can be accessed whole or as
 * two 32-bit halves. Offsets that hold no register (other harts' msip, other harts' mtimecmp, the
 * gaps) read as 0 and ignore writes, as QEMU does (it logs them as unimplemented). */
#include "dev/dev.h"
#include "dev/dev_internal.h"
#include "machine/machine.h"

#include <stdio.h>
#include <stdlib.h>

#define CLINT_MSIP         0x0
#define CLINT_MTIMECMP     0x4000
#define CLINT_MTIME        0xBFF8
#define CLINT_MTIMER_START 0x4000 /* first offset of QEMU's MTIMER part */

struct dev_clint {
    struct machine *m;
    uint64_t divisor; /* machine clock ticks per mtime tick */
    uint64_t offset;  /* mtime - machine_now / divisor, changed by writes to mtime */
    uint64_t mtimecmp;
    uint32_t msip; /* bit 0 only */
    bool mtip;     /* the level last driven on DEV_CLINT_MTIP_LINE */
};

static uint64_t clint_mtime_at(const struct dev_clint *c, uint64_t now)
{
    return now / c->divisor + c->offset;
}

uint64_t dev_clint_mtime(const struct dev_clint *clint)
{
    return clint_mtime_at(clint, machine_now(clint->m));
}

static uint64_t read_timer(void *dev)
{
    return dev_clint_mtime(dev);
}

static void update_mtip(struct dev_clint *c)
{
    c->mtip = dev_clint_mtime(c) >= c->mtimecmp;
    machine_set_irq(c->m, DEV_CLINT_MTIP_LINE, c->mtip);
}

/* The guest time at which mtime reaches mtimecmp. mtime counts up from now/divisor, so it reaches
 * mtimecmp after (mtimecmp - mtime) more mtime ticks, at the first machine tick of that mtime
 * period. UINT64_MAX when that lies beyond the 64-bit guest clock, or when MTIP is already raised
 * (it then stays raised until a register write, which re-evaluates it at once). */
static uint64_t clint_next_deadline(void *dev)
{
    struct dev_clint *c = dev;
    uint64_t now = machine_now(c->m);
    uint64_t mtime = clint_mtime_at(c, now);
    if (mtime >= c->mtimecmp)
        return c->mtip ? UINT64_MAX : now; /* due and not yet signalled: tick now */
    uint64_t delta = c->mtimecmp - mtime;
    uint64_t period = now / c->divisor;
    if (period > UINT64_MAX - delta || period + delta > UINT64_MAX / c->divisor) return UINT64_MAX;
    return (period + delta) * c->divisor;
}

static void clint_tick(void *dev, uint64_t now)
{
    (void)now;
    update_mtip(dev);
}

/* A register write that moves mtime or mtimecmp: MTIP is re-evaluated now, and the core is asked
 * to return to the run loop so that the loop asks for the new deadline. */
static void timer_changed(struct dev_clint *c)
{
    update_mtip(c);
    c->m->exit_request = 1;
}

/* Replaces the 4 or 8 bytes at byte offset 'half' (0 or 4) of *reg with value. */
static void write_part(uint64_t *reg, uint64_t half, unsigned size, uint64_t value)
{
    if (size == 8)
        *reg = value;
    else if (half == 0)
        *reg = (*reg & 0xffffffff00000000ull) | (value & 0xffffffffu);
    else
        *reg = (*reg & 0xffffffffu) | (value << 32);
}

static uint64_t read_part(uint64_t reg, uint64_t half, unsigned size)
{
    if (size == 8) return reg;
    return half == 0 ? reg & 0xffffffffu : reg >> 32;
}

static bool access_ok(uint64_t offset, unsigned size)
{
    if (offset % size) return false;
    return offset < CLINT_MTIMER_START ? size == 4 : size == 4 || size == 8;
}

static enum bus_status clint_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    struct dev_clint *c = dev;
    if (!access_ok(offset, size)) return BUS_BAD_ACCESS;
    if (offset == CLINT_MSIP)
        *value = c->msip;
    else if (offset - CLINT_MTIMECMP < 8)
        *value = read_part(c->mtimecmp, offset - CLINT_MTIMECMP, size);
    else if (offset - CLINT_MTIME < 8)
        *value = read_part(dev_clint_mtime(c), offset - CLINT_MTIME, size);
    else
        *value = 0;
    return BUS_OK;
}

static enum bus_status clint_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct dev_clint *c = dev;
    if (!access_ok(offset, size)) return BUS_BAD_ACCESS;
    if (offset == CLINT_MSIP) {
        /* FU540-C000 manual, CLINT "MSIP Registers": bit 0 is the hart's MSIP, the upper 31 bits
         * are hardwired to zero. */
        c->msip = value & 1;
        machine_set_irq(c->m, DEV_CLINT_MSIP_LINE, c->msip);
    } else if (offset - CLINT_MTIMECMP < 8) {
        write_part(&c->mtimecmp, offset - CLINT_MTIMECMP, size, value);
        timer_changed(c);
    } else if (offset - CLINT_MTIME < 8) {
        uint64_t now = machine_now(c->m);
        uint64_t mtime = clint_mtime_at(c, now);
        write_part(&mtime, offset - CLINT_MTIME, size, value);
        c->offset = mtime - now / c->divisor; /* modulo 2^64, as the counter wraps */
        timer_changed(c);
    }
    return BUS_OK;
}

static const struct bus_ops clint_ops = {.read = clint_read, .write = clint_write};

struct dev_clint *dev_clint_attach(struct machine *m, uint64_t base, uint64_t divisor, char *err,
                                   size_t errlen)
{
    if (divisor == 0) {
        snprintf(err, errlen, "CLINT: the mtime divisor must not be 0");
        return NULL;
    }
    if (m->n_clocked >= MACHINE_MAX_CLOCKED) {
        snprintf(err, errlen, "CLINT: the machine cannot clock more than %d devices",
                 MACHINE_MAX_CLOCKED);
        return NULL;
    }
    struct dev_clint *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "CLINT: out of memory");
        return NULL;
    }
    c->m = m;
    c->divisor = divisor;
    /* Reset: the priv. spec (3.2.1) and the ACLINT spec give mtimecmp no reset value; all ones
     * keeps MTIP low until the guest programs it, so no timer interrupt is pending at boot. */
    c->mtimecmp = UINT64_MAX;
    struct bus_region region = {
        .name = "clint", .base = base, .size = DEV_CLINT_SIZE, .ops = &clint_ops, .dev = c};
    if (dev_register(m, false, &region, free, err, errlen) < 0) {
        free(c);
        return NULL;
    }
    struct machine_clocked clocked = {
        .next_deadline = clint_next_deadline, .tick = clint_tick, .dev = c};
    machine_add_clocked(m, &clocked); /* cannot fail: room was checked above */
    m->read_timer = read_timer;
    m->timer_dev = c;
    update_mtip(c);
    return c;
}
