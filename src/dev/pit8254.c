/* The Intel 8254 programmable interval timer (dev.h), as the PC wires it: ports 0x40-0x42
 * (counters 0-2) and 0x43 (control word); counter 0's OUT on IRQ 0; counters 0 and 1 with GATE
 * tied high; counter 2's GATE and OUT on the system control port B, 0x61 (Intel 8254 data sheet,
 * order no. 231164: "Control Word Format", "Modes" 0-5, "Gate Pin Operations Summary", "Read
 * Operations", "Counter Latch Command", "Read-Back Command"; the PC/AT technical reference for
 * port 0x61).
 *
 * A counter runs at DEV_PIT_HZ in guest time: n PIT clocks are n * 10^9 / DEV_PIT_HZ machine
 * ticks (a nominal 1 GHz machine clock, as the RISC-V platform's CLINT divisor assumes). Rather
 * than ticking, each counter keeps the guest time its counting (re)started and the clocks it
 * counted before (a GATE-paused mode 0 or 4), so its count and OUT are computed when read. A count
 * is taken to load at the instant it is written (the data sheet loads it on the next CLK, one
 * clock later). Counter 0's OUT rising edges (one per period in modes 2 and 3, one at the
 * terminal count in modes 0 and 4) pulse IRQ 0, which the edge-triggered 8259A latches. Modes 2
 * and 3 take a new count at once (the data sheet: at the end of the current period); mode 3's
 * count reads as mode 2's (it counts by two there). The control word's BCD bit selects binary
 * counting (a count of 0 means 65536, the count wraps from 0 to FFFFH) or four-decade BCD
 * counting (0 means 10000, the count wraps from 0 to 9999, and the count reads back as BCD
 * digits): the counter keeps the initial count as a number of clocks either way and converts
 * when reading. A BCD count with a digit above 9 is not defined by the data sheet; here each
 * nibble weighs its decade. */
#include "dev/dev.h"
#include "dev/dev_internal.h"
#include "machine/machine.h"

#include <stdio.h>
#include <stdlib.h>

#define NS_PER_S 1000000000ull

/* Port 0x61 (PC/AT system control port B): bits this device reads and writes. */
#define P61_GATE2   0x01u /* counter 2's GATE (read/write) */
#define P61_SPEAKER 0x02u /* speaker data enable (read/write, kept) */
#define P61_STORED  0x0fu /* bits 0-3 read back as written (2, 3: parity/IOCHK enables) */
#define P61_REFRESH 0x10u /* toggles with every counter 1 period (the refresh request) */
#define P61_OUT2    0x20u /* counter 2's OUT */

struct pit_counter {
    uint8_t rw;        /* control word RW: 1 LSB, 2 MSB, 3 LSB then MSB */
    uint8_t mode;      /* control word M2-M0, 6 and 7 folded to 2 and 3 */
    bool bcd;          /* control word BCD: four-decade BCD counting */
    bool write_msb;    /* RW = 3: the next write is the MSB */
    bool read_msb;     /* RW = 3: the next read is the MSB */
    uint16_t count_in; /* the count register: the count being written (BCD digits if bcd) */
    bool running;      /* a count has been loaded since the last control word */
    bool gate;         /* the GATE input */
    bool triggered;    /* modes 1 and 5: a GATE rising edge has started the count */
    uint32_t period;   /* the initial count N in clocks (1..65536, or 1..10000 in BCD) */
    uint64_t start;    /* guest time counting (re)started */
    uint64_t done;     /* PIT clocks counted before start (GATE pauses modes 0 and 4) */
    uint64_t edges;    /* counter 0: OUT rising edges signalled since start */
    bool latched;      /* counter latch command: latch holds the count */
    uint16_t latch;
    bool status_latched; /* read-back command: status is read before anything else */
    uint8_t status;
};

struct dev_pit {
    struct machine *m;
    unsigned irq;
    struct pit_counter c[3];
    uint8_t port61; /* the bits of P61_STORED */
};

/* Machine ticks of n PIT clocks. */
static uint64_t pit_to_machine(uint64_t n)
{
    return n / DEV_PIT_HZ * NS_PER_S + n % DEV_PIT_HZ * NS_PER_S / DEV_PIT_HZ;
}
/* PIT clocks elapsed after t machine ticks: the largest k with pit_to_machine(k) <= t, so that
 * a count read at counter 0's deadline agrees with the edge signalled there. */
static uint64_t machine_to_pit(uint64_t t)
{
    return t / NS_PER_S * DEV_PIT_HZ + ((t % NS_PER_S + 1) * DEV_PIT_HZ - 1) / NS_PER_S;
}

/* The counter counts now: a count is loaded and, by mode, GATE is high (0, 2, 3, 4: "GATE = 1
 * enables counting") or a GATE rising edge has triggered it (1, 5). */
static bool counting(const struct pit_counter *c)
{
    if (!c->running) return false;
    return (c->mode == 1 || c->mode == 5) ? c->triggered : c->gate;
}

/* PIT clocks counted since the count was loaded (or last reloaded by GATE). */
static uint64_t clocks(const struct pit_counter *c, uint64_t now)
{
    return c->done + (counting(c) ? machine_to_pit(now - c->start) : 0);
}

/* The initial count N of a count register value (data sheet "Control Word Format" and the
 * minimum and maximum initial counts): 0 is 2^16 in binary and 10^4 in BCD. */
static uint32_t initial_count(uint16_t reg, bool bcd)
{
    if (!bcd) return reg ? reg : 65536u;
    uint32_t n = (reg >> 12 & 0xfu) * 1000u + (reg >> 8 & 0xfu) * 100u + (reg >> 4 & 0xfu) * 10u +
                 (reg & 0xfu);
    return n ? n : 10000u;
}

/* Four BCD digits of v (0..9999). */
static uint16_t to_bcd(uint32_t v)
{
    return (uint16_t)((v / 1000u) << 12 | (v / 100u % 10u) << 8 | (v / 10u % 10u) << 4 | v % 10u);
}

/* The counting element (data sheet "Modes"): modes 0, 1, 4, 5 count down from N once and wrap
 * on (binary: modulo 2^16; BCD: modulo 10^4, read as BCD digits); modes 2 and 3 reload N every
 * period. */
static uint16_t counter_value(const struct pit_counter *c, uint64_t now)
{
    if (!c->running || ((c->mode == 1 || c->mode == 5) && !c->triggered)) return c->count_in;
    uint64_t n = clocks(c, now);
    if (c->mode == 2 || c->mode == 3) {
        uint32_t v = (uint32_t)(c->period - n % c->period);
        return c->bcd ? to_bcd(v % 10000u) : (uint16_t)v;
    }
    if (c->bcd) return to_bcd((c->period % 10000u + 10000u - (uint32_t)(n % 10000u)) % 10000u);
    return (uint16_t)(c->period - n);
}

/* OUT (data sheet "Modes"): after a control word it is low in mode 0 and high in the others.
 * Mode 0: high from the terminal count on; mode 1: low from the trigger to the terminal count;
 * mode 2: low for the clock the count is 1; mode 3: high for the first (N + 1) / 2 clocks of a
 * period, low for the rest; modes 4 and 5: low for the clock after the terminal count. GATE low
 * sets OUT high at once in modes 2 and 3. */
static bool counter_out(const struct pit_counter *c, uint64_t now)
{
    if (!c->running) return c->mode != 0;
    uint64_t n = clocks(c, now), N = c->period;
    switch (c->mode) {
    case 0: return n >= N;
    case 1: return !c->triggered || n >= N;
    case 2: return !c->gate || n % N != N - 1;
    case 3: return !c->gate || n % N < (N + 1) / 2;
    case 4: return n != N;
    default: return !c->triggered || n != N;
    }
}

/* The clock count (since the load) of counter 0's next OUT rising edge, or UINT64_MAX. */
static uint64_t next_edge(const struct pit_counter *c)
{
    if (!counting(c)) return UINT64_MAX;
    switch (c->mode) {
    case 2:
    case 3: return (c->edges + 1) * c->period;
    case 0:
    case 1: return c->edges ? UINT64_MAX : c->period;
    default: return c->edges ? UINT64_MAX : c->period + 1;
    }
}

static uint64_t pit_deadline(void *dev)
{
    struct dev_pit *p = dev;
    const struct pit_counter *c = &p->c[0];
    uint64_t edge = next_edge(c);
    if (edge == UINT64_MAX) return UINT64_MAX;
    return c->start + pit_to_machine(edge > c->done ? edge - c->done : 0);
}

static void pit_tick(void *dev, uint64_t now)
{
    struct dev_pit *p = dev;
    while (pit_deadline(p) <= now)
        p->c[0].edges++;
    machine_set_irq(p->m, p->irq, true); /* the rising edge of OUT, latched by the 8259A */
    machine_set_irq(p->m, p->irq, false);
}

/* GATE of counter 2 changes (data sheet "Gate Pin Operations Summary"): modes 0 and 4 pause on
 * low and resume on high; modes 2 and 3 stop on low and reload on the rising edge; modes 1 and
 * 5 start (or restart) on the rising edge. */
static void set_gate(struct pit_counter *c, bool level, uint64_t now)
{
    if (level == c->gate) return;
    if (c->running) {
        if (!level) {
            if (c->mode != 1 && c->mode != 5) c->done = clocks(c, now);
        } else if (c->mode == 0 || c->mode == 4) {
            c->start = now;
        } else {
            c->start = now;
            c->done = 0;
            c->edges = 0;
            c->triggered = true; /* modes 1 and 5 */
        }
    }
    c->gate = level;
}

static uint8_t read_counter(struct pit_counter *c, uint64_t now)
{
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    uint16_t v = c->latched ? c->latch : counter_value(c, now);
    bool msb = c->rw == 2 || (c->rw == 3 && c->read_msb);
    if (c->rw == 3) c->read_msb = !c->read_msb;
    if (c->latched && (c->rw != 3 || !c->read_msb)) c->latched = false;
    return (uint8_t)(msb ? v >> 8 : v & 0xff);
}

/* Read-back status byte (data sheet "Status Byte"): OUT, NULL COUNT (no count loaded since the
 * control word; counts load at once here), RW, mode, BCD. */
static uint8_t status_byte(const struct pit_counter *c, uint64_t now)
{
    return (uint8_t)((counter_out(c, now) ? 0x80 : 0) | (c->running ? 0 : 0x40) | c->rw << 4 |
                     c->mode << 1 | (c->bcd ? 1 : 0));
}

static void write_control(struct dev_pit *p, uint8_t v, uint64_t now)
{
    unsigned sc = v >> 6;
    if (sc == 3) {
        /* read-back: D5 = 0 latches the counts, D4 = 0 the status, of the counters D3-D1
         * select; a second latch before the first is read is ignored */
        for (unsigned i = 0; i < 3; i++) {
            struct pit_counter *c = &p->c[i];
            if (!(v & (2u << i))) continue;
            if (!(v & 0x20) && !c->latched) {
                c->latch = counter_value(c, now);
                c->latched = true;
            }
            if (!(v & 0x10) && !c->status_latched) {
                c->status = status_byte(c, now);
                c->status_latched = true;
            }
        }
        return;
    }
    struct pit_counter *c = &p->c[sc];
    unsigned rw = (v >> 4) & 3;
    if (rw == 0) { /* counter latch command */
        if (!c->latched) c->latch = counter_value(c, now);
        c->latched = true;
        return;
    }
    c->rw = (uint8_t)rw;
    c->mode = (v >> 1) & 7;
    if (c->mode >= 6) c->mode -= 4; /* 110 and 111 are modes 2 and 3 */
    c->bcd = v & 1;
    c->write_msb = c->read_msb = false;
    c->running = false; /* a control word stops the counter until a count is written */
    c->triggered = false;
    c->latched = c->status_latched = false;
    if (sc == 0) p->m->exit_request = 1; /* the deadline changed */
}

static void write_count(struct dev_pit *p, unsigned index, uint8_t v, uint64_t now)
{
    struct pit_counter *c = &p->c[index];
    if (c->rw == 1) {
        c->count_in = v;
    } else if (c->rw == 2) {
        c->count_in = (uint16_t)(v << 8);
    } else {
        if (!c->write_msb) {
            c->count_in = (uint16_t)((c->count_in & 0xff00) | v);
            c->write_msb = true;
            return;
        }
        c->count_in = (uint16_t)((c->count_in & 0xff) | v << 8);
        c->write_msb = false;
    }
    /* the count is loaded: counting starts now (modes 1 and 5 wait for a GATE rising edge) */
    c->period = initial_count(c->count_in, c->bcd);
    c->start = now;
    c->done = 0;
    c->edges = 0;
    c->running = true;
    if (index == 0) p->m->exit_request = 1; /* the run loop asks for the new deadline */
}

static enum bus_status pit_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    struct dev_pit *p = dev;
    (void)size;
    /* the control port is write-only */
    *value = offset < 3 ? read_counter(&p->c[offset], machine_now(p->m)) : 0xff;
    return BUS_OK;
}

static enum bus_status pit_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct dev_pit *p = dev;
    (void)size;
    if (offset == 3)
        write_control(p, (uint8_t)value, machine_now(p->m));
    else
        write_count(p, (unsigned)offset, (uint8_t)value, machine_now(p->m));
    return BUS_OK;
}

static const struct bus_ops pit_ops = {.read = pit_read, .write = pit_write};

/* Port 0x61: bit 4 toggles with each counter 1 period (the refresh request; 0 when counter 1
 * does not run in mode 2 or 3), bit 5 is counter 2's OUT, bits 0-3 read back; 6 and 7 (parity
 * and I/O channel check) are 0. */
static enum bus_status port61_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    struct dev_pit *p = dev;
    (void)offset;
    (void)size;
    uint64_t now = machine_now(p->m);
    const struct pit_counter *c1 = &p->c[1];
    bool refresh =
        (c1->mode == 2 || c1->mode == 3) && counting(c1) && (clocks(c1, now) / c1->period) & 1;
    *value = p->port61 | (refresh ? P61_REFRESH : 0) | (counter_out(&p->c[2], now) ? P61_OUT2 : 0);
    return BUS_OK;
}

static enum bus_status port61_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct dev_pit *p = dev;
    (void)offset;
    (void)size;
    p->port61 = (uint8_t)(value & P61_STORED);
    set_gate(&p->c[2], value & P61_GATE2, machine_now(p->m));
    return BUS_OK;
}

static const struct bus_ops port61_ops = {.read = port61_read, .write = port61_write};

static void nothing(void *object)
{
    (void)object;
}

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
    for (unsigned i = 0; i < 3; i++) {
        p->c[i].rw = 3;
        p->c[i].gate = i < 2; /* the PC ties GATE 0 and 1 high; GATE 2 is port 0x61 bit 0 */
    }
    struct bus_region region = {
        .name = "8254 PIT", .base = DEV_PIT_PORT, .size = 4, .ops = &pit_ops, .dev = p};
    if (dev_register(m, true, &region, free, err, errlen) < 0) {
        free(p);
        return NULL;
    }
    /* the PIT's region owns the allocation; port 0x61's frees nothing */
    struct bus_region port61 = {.name = "port 0x61 (PIT gate 2, speaker)",
                                .base = DEV_PIT_PORT61,
                                .size = 1,
                                .ops = &port61_ops,
                                .dev = p};
    if (dev_register(m, true, &port61, nothing, err, errlen) < 0) return NULL;
    struct machine_clocked clocked = {.next_deadline = pit_deadline, .tick = pit_tick, .dev = p};
    machine_add_clocked(m, &clocked); /* room was checked above */
    return p;
}
