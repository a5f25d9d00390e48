/* The 8259A pair (src/dev/pic8259.c) through its ports and machine lines, against the Intel 8259A
 * data sheet (231468): "Initialization Command Words", "Operation Command Words", "Interrupt
 * Sequence", "Cascading", "Automatic Rotation", "Specific Rotation", "Special Mask Mode", "Poll
 * Command", and the PC/AT wiring (slave on the master's IR2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev/helpers.h"

#include <stdlib.h>

#define INTR(m) (((m)->irq_lines >> MACHINE_LINE_INTR) & 1)

struct fixture {
    struct machine m;
    struct dev_pic *pic;
};

static void out(struct machine *m, uint16_t port, uint8_t v)
{
    assert_int_equal(bus_port_out(&m->bus, port, 1, v), BUS_OK);
}
static uint8_t in(struct machine *m, uint16_t port)
{
    uint32_t v;
    assert_int_equal(bus_port_in(&m->bus, port, 1, &v), BUS_OK);
    return (uint8_t)v;
}

/* The initialisation Linux and the BIOS use: edge-triggered, cascade, ICW4; master vectors 0x20,
 * slave 0x28, slave on IR2; 8086 mode; all unmasked. */
static void init_pair(struct machine *m)
{
    out(m, 0x20, 0x11);
    out(m, 0x21, 0x20);
    out(m, 0x21, 0x04);
    out(m, 0x21, 0x01);
    out(m, 0xa0, 0x11);
    out(m, 0xa1, 0x28);
    out(m, 0xa1, 0x02);
    out(m, 0xa1, 0x01);
    out(m, 0x21, 0x00);
    out(m, 0xa1, 0x00);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    test_machine_init(&f->m, ARCH_I386);
    char err[256] = "";
    f->pic = dev_pic_attach(&f->m, err, sizeof err);
    if (!f->pic) fail_msg("attach: %s", err);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    machine_destroy(&f->m);
    free(f);
    return 0;
}

/* Before initialisation every input is masked (IMR = 0xFF): a line raises nothing. */
static void masked_until_programmed(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(in(&f->m, 0x21), 0xff);
    assert_int_equal(in(&f->m, 0xa1), 0xff);
    machine_set_irq(&f->m, 4, true);
    assert_int_equal(INTR(&f->m), 0);
    assert_int_equal(in(&f->m, 0x20), 0x10); /* IRR (OCW3 default) holds the request */
}

/* ICW2 sets the vector base; INTA gives base + IR, moves the request from IRR to ISR; the
 * in-service level blocks equal and lower priorities until EOI (fully nested mode). */
static void vector_isr_and_eoi(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    init_pair(m);
    machine_set_irq(m, 4, true);
    assert_int_equal(INTR(m), 1);
    assert_int_equal(m->int_ack(m->int_dev), 0x24);
    assert_int_equal(INTR(m), 0);
    assert_int_equal(dev_pic_isr(f->pic, 0), 0x10);
    out(m, 0x20, 0x0b); /* OCW3: read ISR */
    assert_int_equal(in(m, 0x20), 0x10);
    /* IR6 (lower priority) waits behind IR4 in service; IR0 (higher) is presented */
    machine_set_irq(m, 6, true);
    assert_int_equal(INTR(m), 0);
    machine_set_irq(m, 0, true);
    assert_int_equal(INTR(m), 1);
    assert_int_equal(m->int_ack(m->int_dev), 0x20);
    assert_int_equal(dev_pic_isr(f->pic, 0), 0x11);
    out(m, 0x20, 0x20); /* OCW2 non-specific EOI: the highest in service (IR0) */
    assert_int_equal(dev_pic_isr(f->pic, 0), 0x10);
    assert_int_equal(INTR(m), 0);
    out(m, 0x20, 0x64); /* OCW2 specific EOI for IR4 */
    assert_int_equal(dev_pic_isr(f->pic, 0), 0);
    assert_int_equal(INTR(m), 1); /* IR6 now */
    assert_int_equal(m->int_ack(m->int_dev), 0x26);
}

/* Edge triggering: a level held high requests once; a new request needs a new rising edge. */
static void edge_triggered(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    init_pair(m);
    machine_set_irq(m, 3, true);
    assert_int_equal(m->int_ack(m->int_dev), 0x23);
    out(m, 0x20, 0x20);
    assert_int_equal(INTR(m), 0); /* still high, no new edge */
    machine_set_irq(m, 3, false);
    machine_set_irq(m, 3, true);
    assert_int_equal(INTR(m), 1);
}

/* OCW1 masks: a masked request stays in IRR and is presented when unmasked. */
static void mask_ocw1(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    init_pair(m);
    out(m, 0x21, 0x10);
    assert_int_equal(in(m, 0x21), 0x10);
    machine_set_irq(m, 4, true);
    assert_int_equal(INTR(m), 0);
    out(m, 0x21, 0x00);
    assert_int_equal(INTR(m), 1);
}

/* Cascade: a slave request (IRQ 8-15) reaches INTR through the master's IR2; INTA gives the
 * slave's vector and puts IR2 in service on the master and the IR in service on the slave. */
static void cascade(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    init_pair(m);
    machine_set_irq(m, 12, true);
    assert_int_equal(INTR(m), 1);
    assert_int_equal(m->int_ack(m->int_dev), 0x2c);
    assert_int_equal(dev_pic_isr(f->pic, 0), 0x04);
    assert_int_equal(dev_pic_isr(f->pic, 1), 0x10);
    out(m, 0xa0, 0x20);
    out(m, 0x20, 0x20);
    assert_int_equal(dev_pic_isr(f->pic, 0), 0);
    assert_int_equal(dev_pic_isr(f->pic, 1), 0);
}

/* A request gone before INTA: the spurious IR7 vector, nothing in service. */
static void spurious_ir7(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    init_pair(m);
    assert_int_equal(m->int_ack(m->int_dev), 0x27);
    assert_int_equal(dev_pic_isr(f->pic, 0), 0);
}

/* A rising edge on line n. */
static void pulse(struct machine *m, unsigned n)
{
    machine_set_irq(m, n, false);
    machine_set_irq(m, n, true);
}

/* "Specific Rotation": OCW2 set priority (R = 1, SL = 1, EOI = 0) makes IR L the lowest, so IR
 * L + 1 is the highest: with IR4 lowest, IR6 goes before IR1, and IR1 waits behind IR6 in
 * service. */
static void set_priority(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    init_pair(m);
    out(m, 0x20, 0xc4);
    machine_set_irq(m, 1, true);
    machine_set_irq(m, 6, true);
    assert_int_equal(m->int_ack(m->int_dev), 0x26);
    assert_int_equal(dev_pic_isr(f->pic, 0), 0x40);
    assert_int_equal(INTR(m), 0);
    out(m, 0x20, 0x20); /* non-specific EOI: IR6 */
    assert_int_equal(INTR(m), 1);
    assert_int_equal(m->int_ack(m->int_dev), 0x21);
}

/* "Automatic Rotation": rotate on non-specific EOI (R = 1, SL = 0, EOI = 1) ends the highest
 * in-service level and makes it the lowest, so devices of equal priority take turns. The
 * non-specific EOI follows the rotated order. */
static void rotate_on_nonspecific_eoi(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    init_pair(m);
    machine_set_irq(m, 3, true);
    machine_set_irq(m, 5, true);
    assert_int_equal(m->int_ack(m->int_dev), 0x23);
    out(m, 0x20, 0xa0); /* IR3 ends and becomes the lowest: IR4 highest */
    assert_int_equal(dev_pic_isr(f->pic, 0), 0);
    assert_int_equal(m->int_ack(m->int_dev), 0x25);
    pulse(m, 3); /* IR3 is below IR5 in service now */
    assert_int_equal(INTR(m), 0);
    out(m, 0x20, 0xa0); /* IR5 ends, becomes the lowest */
    assert_int_equal(INTR(m), 1);
    assert_int_equal(m->int_ack(m->int_dev), 0x23);
    /* IR3 lowest (order 4 5 6 7 0 1 2 3): IR1 in service, then IR6 nests above it; a
     * non-specific EOI ends IR6, the higher of the two, not IR1 */
    out(m, 0x20, 0x63); /* specific EOI: IR3 */
    pulse(m, 1);
    assert_int_equal(m->int_ack(m->int_dev), 0x21);
    pulse(m, 6);
    assert_int_equal(m->int_ack(m->int_dev), 0x26);
    assert_int_equal(dev_pic_isr(f->pic, 0), 0x42);
    out(m, 0x20, 0x20);
    assert_int_equal(dev_pic_isr(f->pic, 0), 0x02);
}

/* "Specific Rotation": rotate on specific EOI (R = 1, SL = 1, EOI = 1) ends IR L and makes it
 * the lowest: with IR4 lowest, IR5 goes before IR0, and IR0 waits behind it in service. */
static void rotate_on_specific_eoi(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    init_pair(m);
    machine_set_irq(m, 4, true);
    assert_int_equal(m->int_ack(m->int_dev), 0x24);
    out(m, 0x20, 0xe4);
    assert_int_equal(dev_pic_isr(f->pic, 0), 0);
    machine_set_irq(m, 0, true);
    machine_set_irq(m, 5, true);
    assert_int_equal(m->int_ack(m->int_dev), 0x25);
    assert_int_equal(INTR(m), 0);
    out(m, 0x20, 0x20);
    assert_int_equal(m->int_ack(m->int_dev), 0x20);
}

/* "Automatic Rotation" in automatic EOI mode: with the rotate-in-AEOI flip-flop set (OCW2 R = 1,
 * SL = 0, EOI = 0), each acknowledged IR becomes the lowest at the end of INTA; cleared (OCW2
 * 000), the priorities stay. */
static void rotate_in_aeoi(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    out(m, 0x20, 0x11);
    out(m, 0x21, 0x20);
    out(m, 0x21, 0x04);
    out(m, 0x21, 0x03); /* ICW4: AEOI, 8086 mode */
    out(m, 0x21, 0x00);
    out(m, 0x20, 0x80);
    machine_set_irq(m, 1, true);
    assert_int_equal(m->int_ack(m->int_dev), 0x21);
    assert_int_equal(dev_pic_isr(f->pic, 0), 0); /* AEOI */
    pulse(m, 1);
    machine_set_irq(m, 7, true);
    assert_int_equal(m->int_ack(m->int_dev), 0x27); /* IR1 is the lowest */
    assert_int_equal(m->int_ack(m->int_dev), 0x21); /* IR7 became the lowest */
    out(m, 0x20, 0x00);                             /* clear: IR1 stays the lowest */
    pulse(m, 7);
    machine_set_irq(m, 0, true);
    assert_int_equal(m->int_ack(m->int_dev), 0x27);
    pulse(m, 7);
    assert_int_equal(m->int_ack(m->int_dev), 0x27); /* still before IR0 */
    assert_int_equal(m->int_ack(m->int_dev), 0x20);
}

/* "Special Mask Mode" (OCW3 ESMM = 1, SMM = 1 sets it; ESMM = 1, SMM = 0 resets it; ESMM = 0
 * leaves it): IR1 in service and masked by its routine holds IR5 off in fully nested mode, but
 * not in the special mask mode, where a mask bit inhibits only its own level and every level not
 * masked (lower as well as higher) is enabled. A masked in-service bit is not what a
 * non-specific EOI ends there. */
static void special_mask_mode(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    init_pair(m);
    machine_set_irq(m, 1, true);
    assert_int_equal(m->int_ack(m->int_dev), 0x21);
    out(m, 0x21, 0x02); /* the IR1 routine masks its own level */
    machine_set_irq(m, 5, true);
    assert_int_equal(INTR(m), 0); /* fully nested: IR1 in service blocks IR5 */
    out(m, 0x20, 0x28);           /* SMM without ESMM: no change */
    assert_int_equal(INTR(m), 0);
    out(m, 0x20, 0x68); /* OCW3: set special mask */
    assert_int_equal(INTR(m), 1);
    assert_int_equal(m->int_ack(m->int_dev), 0x25);
    assert_int_equal(dev_pic_isr(f->pic, 0), 0x22);
    assert_int_equal(INTR(m), 0); /* IR5 is in service itself */
    pulse(m, 1);
    assert_int_equal(INTR(m), 0); /* IR1 is masked */
    out(m, 0x20, 0x20);           /* non-specific EOI: IR5, not the masked IR1 */
    assert_int_equal(dev_pic_isr(f->pic, 0), 0x02);
    /* unmasked in-service levels do not block either: IR3 nests below IR1 */
    out(m, 0x21, 0x00);
    assert_int_equal(INTR(m), 0); /* IR1's new request: IR1 is still in service */
    machine_set_irq(m, 3, true);
    assert_int_equal(INTR(m), 1);
    assert_int_equal(m->int_ack(m->int_dev), 0x23);
    assert_int_equal(dev_pic_isr(f->pic, 0), 0x0a);
    out(m, 0x20, 0x61); /* specific EOI: IR1 */
    out(m, 0x20, 0x63); /* specific EOI: IR3 */
    /* reset special mask: fully nested again */
    out(m, 0x20, 0x48);
    assert_int_equal(m->int_ack(m->int_dev), 0x21); /* IR1's pending request */
    out(m, 0x21, 0x02);
    pulse(m, 6);
    assert_int_equal(INTR(m), 0);
    out(m, 0x20, 0x68);
    assert_int_equal(INTR(m), 1);
    /* ICW1 clears the special mask mode: IR4 in service and masked blocks IR6 again */
    init_pair(m);
    pulse(m, 4);
    assert_int_equal(m->int_ack(m->int_dev), 0x24);
    out(m, 0x21, 0x10);
    pulse(m, 6);
    assert_int_equal(INTR(m), 0);
}

/* "Poll Command" (OCW3 P = 1): the next read is an interrupt acknowledge and returns the poll
 * word, bit 7 = an interrupt, bits 2-0 = the highest-priority level requesting service; the IS
 * bit is set and the IRR bit cleared as INTA would; without a request bit 7 is 0 and nothing
 * goes in service. Only that one read: the next reads IRR again. Requests blocked in fully nested
 * mode are not polled. P overrides RR for that read; the RR/RIS choice holds for the reads
 * after. */
static void poll_command(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    init_pair(m);
    out(m, 0x20, 0x0c); /* poll, nothing requested */
    assert_int_equal(in(m, 0x20), 0x00);
    assert_int_equal(dev_pic_isr(f->pic, 0), 0);
    machine_set_irq(m, 3, true);
    machine_set_irq(m, 6, true);
    assert_int_equal(in(m, 0x20), 0x48); /* no poll pending: IRR */
    out(m, 0x20, 0x0c);
    assert_int_equal(in(m, 0x20), 0x83);
    assert_int_equal(dev_pic_isr(f->pic, 0), 0x08);
    assert_int_equal(in(m, 0x20), 0x40); /* IRR, IR3 acknowledged */
    assert_int_equal(INTR(m), 0);        /* IR6 waits behind IR3 in service */
    out(m, 0x20, 0x0c);
    assert_int_equal(in(m, 0x20), 0x00); /* nor is it polled */
    assert_int_equal(dev_pic_isr(f->pic, 0), 0x08);
    out(m, 0x20, 0x20);
    assert_int_equal(INTR(m), 1);
    out(m, 0x20, 0x0f); /* poll with read ISR: the poll word first */
    assert_int_equal(in(m, 0x20), 0x86);
    assert_int_equal(in(m, 0x20), 0x40); /* then ISR */
    assert_int_equal(INTR(m), 0);
    out(m, 0x20, 0x20);
    assert_int_equal(dev_pic_isr(f->pic, 0), 0);
    /* the data sheet's "next RD pulse": a read of the mask port answers the poll too */
    out(m, 0x20, 0x0a); /* back to IRR */
    pulse(m, 5);
    out(m, 0x20, 0x0c);
    assert_int_equal(in(m, 0x21), 0x85);
    assert_int_equal(in(m, 0x21), 0x00); /* IMR after */
    assert_int_equal(dev_pic_isr(f->pic, 0), 0x20);
}

/* "Poll Command" on the slave: it acknowledges on the slave alone (IR2 of the slave for IRQ 10);
 * the slave's output drops, so the master's INTR goes away with nothing in service there. */
static void poll_slave(void **state)
{
    struct fixture *f = *state;
    struct machine *m = &f->m;
    init_pair(m);
    machine_set_irq(m, 10, true);
    assert_int_equal(INTR(m), 1);
    out(m, 0xa0, 0x0c);
    assert_int_equal(in(m, 0xa0), 0x82);
    assert_int_equal(dev_pic_isr(f->pic, 1), 0x04);
    assert_int_equal(dev_pic_isr(f->pic, 0), 0);
    assert_int_equal(INTR(m), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(masked_until_programmed, setup, teardown),
        cmocka_unit_test_setup_teardown(vector_isr_and_eoi, setup, teardown),
        cmocka_unit_test_setup_teardown(edge_triggered, setup, teardown),
        cmocka_unit_test_setup_teardown(mask_ocw1, setup, teardown),
        cmocka_unit_test_setup_teardown(cascade, setup, teardown),
        cmocka_unit_test_setup_teardown(spurious_ir7, setup, teardown),
        cmocka_unit_test_setup_teardown(set_priority, setup, teardown),
        cmocka_unit_test_setup_teardown(rotate_on_nonspecific_eoi, setup, teardown),
        cmocka_unit_test_setup_teardown(rotate_on_specific_eoi, setup, teardown),
        cmocka_unit_test_setup_teardown(rotate_in_aeoi, setup, teardown),
        cmocka_unit_test_setup_teardown(special_mask_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(poll_command, setup, teardown),
        cmocka_unit_test_setup_teardown(poll_slave, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
