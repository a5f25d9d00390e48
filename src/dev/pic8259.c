/* Two Intel 8259A programmable interrupt controllers in the PC's master/slave pair (dev.h): the
 * master at ports 0x20-0x21 with the slave's output on its IR2, the slave at 0xA0-0xA1, as in
 * the IBM PC/AT (Intel 8259A data sheet, order no. 231468: "Initialization Command Words",
 * "Operation Command Words", "Interrupt Sequence", "Cascading", "Special Mask Mode", "Poll
 * Command").
 *
 * Inputs are the machine's lines 0-15 (machine_set_irq); the master's output is the CPU's INTR,
 * line MACHINE_LINE_INTR; the CPU's INTA is machine.int_ack. Modelled: ICW1-ICW4 (edge or level
 * triggering, single or cascade, the vector base from ICW2, automatic EOI from ICW4), OCW1 (the
 * mask), OCW2 (non-specific and specific EOI, rotation on either EOI, rotation in automatic EOI
 * mode, set priority: "Automatic Rotation", "Specific Rotation"), OCW3 (reading IRR or ISR, the
 * special mask mode, the poll command), fully nested priority (an in-service request blocks
 * those of equal and lower priority; IR0 highest until a rotation makes another IR the lowest),
 * and the spurious IR7 when a request goes away before INTA. In the special mask mode the
 * in-service bits block nothing: any request not masked and not itself in service is presented
 * ("enables interrupts from all other levels (lower as well as higher) that are not masked"),
 * and a non-specific EOI leaves masked in-service bits alone. After a poll command the chip's
 * next read, of either port (the data sheet: the next RD pulse with CS low), is an interrupt
 * acknowledge that returns the poll word: bit 7 set if a request was acknowledged, bits 2-0 its
 * level (the other bits, and bits 2-0 without a request, read 0). Not modelled: the special fully
 * nested mode, 8080/8085 mode. Until initialised each chip masks every input (IMR = 0xFF), so a
 * guest that never programs them sees no interrupt. */
#include "dev/dev.h"
#include "dev/dev_internal.h"
#include "machine/machine.h"

#include <stdio.h>
#include <stdlib.h>

struct pic_chip {
    uint8_t irr, isr, imr;
    uint8_t base;      /* ICW2 & 0xF8 */
    uint8_t icw_step;  /* 0: initialised; 2, 3, 4: the ICW expected next */
    bool icw4, single; /* ICW1 IC4, SNGL */
    bool level;        /* ICW1 LTIM */
    bool aeoi;         /* ICW4 AEOI */
    bool rotate_aeoi;  /* OCW2 R = 1, SL = 0, EOI = 0: rotate in automatic EOI mode */
    uint8_t lowest;    /* the IR of lowest priority (7 after ICW1); the next one is highest */
    bool read_isr;     /* OCW3 RR/RIS */
    bool special_mask; /* OCW3 ESMM/SMM: the special mask mode */
    bool poll;         /* OCW3 P: the next read returns the poll word */
    uint8_t lines;     /* the inputs' levels last seen (edge detection) */
};

struct dev_pic;
struct pic_port { /* the bus region's device: one chip of the pair */
    struct dev_pic *pic;
    unsigned index;
};
struct dev_pic {
    struct pic_port port[2]; /* first: the master's region frees the pair through port[0] */
    struct machine *m;
    struct pic_chip chip[2]; /* master, slave */
};

/* The IR of highest priority among the bits of v (nonzero): priorities run from IR lowest + 1
 * (highest) round to IR lowest. */
static unsigned highest(const struct pic_chip *c, unsigned v)
{
    unsigned first = (c->lowest + 1u) & 7u;
    unsigned rotated = ((v >> first) | (v << (8 - first))) & 0xffu; /* bit 0: IR first */
    return (first + (unsigned)__builtin_ctz(rotated)) & 7u;
}
/* Priority rank of an IR: 0 highest, 7 lowest. */
static unsigned rank(const struct pic_chip *c, unsigned irq)
{
    return (irq - c->lowest - 1u) & 7u;
}

/* The request the chip would present: in fully nested mode, the highest-priority unmasked IRR
 * bit with no in-service bit of equal or higher priority; in the special mask mode, the
 * highest-priority IRR bit neither masked nor in service. -1 for none. */
static int chip_pending(const struct pic_chip *c)
{
    unsigned req = c->irr & (uint8_t)~c->imr;
    if (c->special_mask) req &= (uint8_t)~c->isr;
    if (!req) return -1;
    if (c->special_mask) return (int)highest(c, req);
    unsigned irq = highest(c, req);
    if (c->isr && rank(c, highest(c, c->isr)) <= rank(c, irq)) return -1;
    return (int)irq;
}

static void chip_input(struct pic_chip *c, uint8_t lines)
{
    /* edge-triggered: a rising edge sets IRR; level-triggered: IRR follows the line until
     * acknowledged (data sheet "Edge and Level Triggered Modes") */
    uint8_t rising = lines & (uint8_t)~c->lines;
    c->irr |= c->level ? lines : rising;
    if (c->level) c->irr &= lines | c->isr;
    c->lines = lines;
}

/* Recomputes the slave's output (the master's IR2) and the master's (INTR). */
static void update(struct dev_pic *p)
{
    struct pic_chip *master = &p->chip[0], *slave = &p->chip[1];
    uint8_t mlines = (uint8_t)(p->m->irq_lines & 0xfb);
    if (chip_pending(slave) >= 0) mlines |= 1u << 2;
    chip_input(master, mlines);
    if (!(mlines & 4) && !master->level) master->irr &= (uint8_t)~4u; /* cascade: follows */
    machine_set_irq(p->m, MACHINE_LINE_INTR, chip_pending(master) >= 0);
}

static void lines_changed(void *dev, uint64_t lines)
{
    struct dev_pic *p = dev;
    chip_input(&p->chip[1], (uint8_t)(lines >> 8));
    update(p);
}

/* INTA: the vector of the highest request, which goes in service (not with AEOI); with none
 * left, the chip's IR7 vector (the data sheet's spurious interrupt, ISR unchanged). */
static int chip_ack(struct pic_chip *c, int *irq_out)
{
    int irq = chip_pending(c);
    *irq_out = irq;
    if (irq < 0) return c->base | 7;
    c->irr &= (uint8_t) ~(1u << irq);
    if (!c->aeoi)
        c->isr |= (uint8_t)(1u << irq);
    else if (c->rotate_aeoi)
        c->lowest = (uint8_t)irq; /* "Automatic Rotation" in AEOI mode: at the end of INTA */
    return c->base | irq;
}

static int pic_ack(void *dev)
{
    struct dev_pic *p = dev;
    int irq, sirq;
    int vector = chip_ack(&p->chip[0], &irq);
    if (irq == 2 && !p->chip[0].single) vector = chip_ack(&p->chip[1], &sirq);
    update(p);
    return vector;
}

static enum bus_status pic_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    struct pic_port *pp = dev;
    struct pic_chip *c = &pp->pic->chip[pp->index];
    (void)size;
    if (c->poll) { /* "Poll Command": this read acknowledges, as INTA would on this chip */
        int irq;
        c->poll = false;
        chip_ack(c, &irq);
        *value = irq >= 0 ? 0x80u | (unsigned)irq : 0;
        update(pp->pic);
        return BUS_OK;
    }
    *value = (offset & 1) ? c->imr : c->read_isr ? c->isr : c->irr;
    return BUS_OK;
}

static enum bus_status pic_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct pic_port *pp = dev;
    struct pic_chip *c = &pp->pic->chip[pp->index];
    uint8_t v = (uint8_t)value;
    (void)size;
    if (!(offset & 1)) {
        if (v & 0x10) { /* ICW1 */
            c->icw_step = 2;
            c->icw4 = v & 1;
            c->single = v & 2;
            c->level = v & 8;
            c->imr = 0;
            c->isr = 0;
            c->irr = 0;
            c->aeoi = false;
            c->rotate_aeoi = false;
            c->lowest = 7; /* "IR7 input is assigned priority 7" */
            c->read_isr = false;
            c->special_mask = false; /* ICW1 clears the special mask mode */
            c->poll = false;
        } else if (v & 0x08) { /* OCW3: ESMM, SMM, P, RR, RIS in bits 6, 5, 2, 1, 0 */
            if (v & 0x40) c->special_mask = v & 0x20;
            if (v & 4) c->poll = true; /* overrides RR for the next read */
            if (v & 2) c->read_isr = v & 1;
        } else { /* OCW2: R, SL, EOI in bits 7-5, the level L in 2-0 */
            unsigned cmd = v >> 5, level = v & 7;
            switch (cmd) {
            case 1: /* non-specific EOI: the highest-priority in-service level (in the special
                     * mask mode, of those not masked) */
            case 5: /* rotate on non-specific EOI: that level becomes the lowest */
            {
                uint8_t ins = c->special_mask ? c->isr & (uint8_t)~c->imr : c->isr;
                if (ins) {
                    unsigned irq = highest(c, ins);
                    c->isr &= (uint8_t) ~(1u << irq);
                    if (cmd == 5) c->lowest = (uint8_t)irq;
                }
                break;
            }
            case 3: /* specific EOI */
            case 7: /* rotate on specific EOI: L becomes the lowest */
                c->isr &= (uint8_t) ~(1u << level);
                if (cmd == 7) c->lowest = (uint8_t)level;
                break;
            case 6: c->lowest = (uint8_t)level; break; /* set priority: L lowest */
            case 4: c->rotate_aeoi = true; break;      /* rotate in AEOI mode (set) */
            case 0: c->rotate_aeoi = false; break;     /* rotate in AEOI mode (clear) */
            default: break;                            /* 2: no operation */
            }
        }
    } else {
        switch (c->icw_step) {
        case 2: /* ICW2: T7-T3 */
            c->base = v & 0xf8;
            c->icw_step = c->single ? (c->icw4 ? 4 : 0) : 3;
            break;
        case 3: /* ICW3: the cascade wiring (fixed here) */ c->icw_step = c->icw4 ? 4 : 0; break;
        case 4: /* ICW4 */
            c->aeoi = v & 2;
            c->icw_step = 0;
            break;
        default: c->imr = v; break; /* OCW1 */
        }
    }
    update(pp->pic);
    return BUS_OK;
}

static const struct bus_ops pic_ops = {.read = pic_read, .write = pic_write};

static void nothing(void *object)
{
    (void)object;
}

struct dev_pic *dev_pic_attach(struct machine *m, char *err, size_t errlen)
{
    struct dev_pic *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "8259A: out of memory");
        return NULL;
    }
    p->m = m;
    static const uint16_t bases[2] = {DEV_PIC_MASTER_PORT, DEV_PIC_SLAVE_PORT};
    static const char *const names[2] = {"8259A master", "8259A slave"};
    for (unsigned i = 0; i < 2; i++) {
        p->chip[i].imr = 0xff;
        p->chip[i].lowest = 7;
        p->port[i] = (struct pic_port){p, i};
        struct bus_region region = {
            .name = names[i], .base = bases[i], .size = 2, .ops = &pic_ops, .dev = &p->port[i]};
        /* the master's region owns the allocation; the slave's frees nothing */
        if (dev_register(m, true, &region, i == 0 ? free : nothing, err, errlen) < 0) {
            if (i == 0) free(p);
            return NULL;
        }
    }
    m->int_ack = pic_ack;
    m->int_dev = p;
    m->int_lines_changed = lines_changed;
    return p;
}

uint8_t dev_pic_isr(const struct dev_pic *p, unsigned chip)
{
    return p->chip[chip & 1].isr;
}
