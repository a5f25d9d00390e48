/* The Intel 8254 programmable interval timer's counter 0 (dev.h), as the PC wires it: ports
 * 0x40 (counter 0) and 0x43 (control word), its OUT on IRQ 0 (Intel 8254 data sheet, order no.
 * 231164: "Control Word Format", "Mode 2 - Rate Generator", "Mode 3 - Square Wave Mode", "Read
 * Operations", "Counter Latch Command").
 *
 * The counter runs at DEV_PIT_HZ in guest time: n PIT clocks are n * 10^9 / DEV_PIT_HZ machine
 * ticks (a nominal 1 GHz machine clock, as the RISC-V platform's CLINT divisor assumes). Modes 2
 * and 3 reload the count every period and give OUT one rising edge per period; the line is
 * pulsed (raised and lowered) at that edge, which the edge-triggered 8259A latches. Counter 1
 * and 2, the read-back command, BCD counting and the gate input are not modelled; the other
 * modes count as mode 2 does. A count of 0 means 65536. */
#include "dev/dev.h"
#include "dev/dev_internal.h"
#include "machine/machine.h"

#include <stdio.h>
#include <stdlib.h>

#define NS_PER_S 1000000000ull

struct dev_pit {
    struct machine *m;
    unsigned irq;
    uint8_t rw;        /* control word RW: 1 LSB, 2 MSB, 3 LSB then MSB */
    uint8_t mode;      /* control word M2-M0 */
    bool write_msb;    /* RW = 3: the next write is the MSB */
    bool read_msb;     /* RW = 3: the next read is the MSB */
    uint16_t count_in; /* the count being written */
    bool running;      /* a count has been loaded */
    uint32_t period;   /* PIT clocks per period (1..65536) */
    uint64_t start;    /* guest time the count was loaded */
    uint64_t edges;    /* rising edges of OUT so far */
    bool latched;
    uint16_t latch;
};

/* Machine ticks of n PIT clocks from the count's start. */
static uint64_t pit_to_machine(uint64_t n)
{
    return n / DEV_PIT_HZ * NS_PER_S + n % DEV_PIT_HZ * NS_PER_S / DEV_PIT_HZ;
}

static uint64_t pit_deadline(void *dev)
{
    struct dev_pit *p = dev;
    if (!p->running) return UINT64_MAX;
    return p->start + pit_to_machine((p->edges + 1) * p->period);
}

static void pit_tick(void *dev, uint64_t now)
{
    struct dev_pit *p = dev;
    while (p->running && pit_deadline(p) <= now)
        p->edges++;
    machine_set_irq(p->m, p->irq, true); /* the rising edge of OUT, latched by the 8259A */
    machine_set_irq(p->m, p->irq, false);
}

/* The counting element now: it counts down from the period and reloads. */
static uint16_t pit_current(const struct dev_pit *p)
{
    if (!p->running) return p->count_in;
    uint64_t elapsed = machine_now(p->m) - p->start;
    uint64_t clocks = elapsed / NS_PER_S * DEV_PIT_HZ + elapsed % NS_PER_S * DEV_PIT_HZ / NS_PER_S;
    return (uint16_t)(p->period - clocks % p->period);
}

static enum bus_status pit_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    struct dev_pit *p = dev;
    (void)size;
    if (offset != 0) { /* counters 1, 2 not modelled; the control port is write-only */
        *value = 0xff;
        return BUS_OK;
    }
    uint16_t v = p->latched ? p->latch : pit_current(p);
    bool msb = p->rw == 2 || (p->rw == 3 && p->read_msb);
    *value = msb ? v >> 8 : v & 0xff;
    if (p->rw == 3) p->read_msb = !p->read_msb;
    if (p->latched && (p->rw != 3 || !p->read_msb)) p->latched = false;
    return BUS_OK;
}

static enum bus_status pit_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct dev_pit *p = dev;
    uint8_t v = (uint8_t)value;
    (void)size;
    if (offset == 3) {
        if (v >> 6) return BUS_OK; /* counters 1, 2 and read-back: not modelled */
        unsigned rw = (v >> 4) & 3;
        if (rw == 0) { /* counter latch command */
            if (!p->latched) p->latch = pit_current(p);
            p->latched = true;
            return BUS_OK;
        }
        p->rw = (uint8_t)rw;
        p->mode = (v >> 1) & 7;
        p->write_msb = p->read_msb = false;
        p->running = false; /* a control word stops the counter until a count is written */
        p->m->exit_request = 1;
        return BUS_OK;
    }
    if (offset != 0) return BUS_OK;
    if (p->rw == 1) {
        p->count_in = v;
    } else if (p->rw == 2) {
        p->count_in = (uint16_t)(v << 8);
    } else {
        if (!p->write_msb) {
            p->count_in = (uint16_t)((p->count_in & 0xff00) | v);
            p->write_msb = true;
            return BUS_OK;
        }
        p->count_in = (uint16_t)((p->count_in & 0xff) | v << 8);
        p->write_msb = false;
    }
    /* the count is loaded: the period starts now (modes 2 and 3 reload it every period) */
    p->period = p->count_in ? p->count_in : 65536u;
    p->start = machine_now(p->m);
    p->edges = 0;
    p->running = true;
    p->m->exit_request = 1; /* the run loop asks for the new deadline */
    return BUS_OK;
}

static const struct bus_ops pit_ops = {.read = pit_read, .write = pit_write};

struct dev_pit *dev_pit_attach(struct machine *m, unsigned irq, char *err, size_t errlen)
{
    if (m->n_clocked >= MACHINE_MAX_CLOCKED) {
        snprintf(err, errlen, "8254: no room for another clocked device");
        return NULL;
    }
    struct dev_pit *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "8254: out of memory");
        return NULL;
    }
    p->m = m;
    p->irq = irq;
    p->rw = 3;
    struct bus_region region = {
        .name = "8254 PIT", .base = DEV_PIT_PORT, .size = 4, .ops = &pit_ops, .dev = p};
    if (dev_register(m, true, &region, free, err, errlen) < 0) {
        free(p);
        return NULL;
    }
    struct machine_clocked clocked = {.next_deadline = pit_deadline, .tick = pit_tick, .dev = p};
    machine_add_clocked(m, &clocked); /* room was checked above */
    return p;
}
