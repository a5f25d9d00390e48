/* NS16550A UART (src/dev/uart16550.c) against the TI PC16550D datasheet: registers, DLAB, FIFO
 * control, line and modem status, loopback, the four interrupt sources and their priority, and
 * non-blocking input from a pipe. Driven only through bus_read/bus_write and port I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev/helpers.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BASE    0x10000000ull
#define IRQ     10
#define IRQ_BIT (1ull << IRQ)

enum {
    RBR = 0,
    THR = 0,
    DLL = 0,
    IER = 1,
    DLM = 1,
    IIR = 2,
    FCR = 2,
    LCR = 3,
    MCR = 4,
    LSR = 5,
    MSR = 6,
    SCR = 7
};

struct fixture {
    struct machine m;
    struct test_console con;
    struct dev_uart *uart;
};

static struct fixture *make(int irq_line, int with_input)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    test_machine_init(&f->m, ARCH_RISCV64);
    test_console_init(&f->con, with_input);
    char err[256] = "";
    f->uart = dev_uart_attach(&f->m, false, BASE, irq_line, &f->con.console, err, sizeof err);
    if (!f->uart) fail_msg("attach: %s", err);
    return f;
}

static int setup(void **state)
{
    *state = make(IRQ, 1);
    return 0;
}

static int setup_no_irq(void **state)
{
    *state = make(-1, 1);
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    machine_destroy(&f->m);
    test_console_close(&f->con);
    free(f);
    return 0;
}

static uint8_t rd(struct fixture *f, unsigned reg)
{
    uint64_t v = 0xdead;
    assert_int_equal(bus_read(&f->m.bus, BASE + reg, 1, &v), BUS_OK);
    assert_true(v <= 0xff);
    return (uint8_t)v;
}

static void wr(struct fixture *f, unsigned reg, uint8_t v)
{
    assert_int_equal(bus_write(&f->m.bus, BASE + reg, 1, v), BUS_OK);
}

static int irq(struct fixture *f)
{
    return (f->m.irq_lines & IRQ_BIT) != 0;
}

/* Reset values: IER 0, IIR 0x01 (none), LCR 0, MCR 0, LSR THRE|TEMT, MSR DCD|DSR|CTS, SCR 0. */
static void reset_values(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(rd(f, IER), 0);
    assert_int_equal(rd(f, IIR), 0x01);
    assert_int_equal(rd(f, LCR), 0);
    assert_int_equal(rd(f, MCR), 0);
    assert_int_equal(rd(f, LSR), 0x60);
    assert_int_equal(rd(f, MSR), 0xB0);
    assert_int_equal(rd(f, SCR), 0);
    assert_int_equal(irq(f), 0);
}

/* THR write with DLAB = 0 transmits at once: the byte reaches the console, THRE and TEMT stay 1. */
static void thr_transmits_immediately(void **state)
{
    struct fixture *f = *state;
    wr(f, THR, 'h');
    assert_int_equal(rd(f, LSR) & 0x60, 0x60);
    wr(f, THR, 'i');
    wr(f, THR, '\n');
    assert_string_equal(f->con.out, "hi\n");
}

/* Memory-mapped, an aligned 2/4/8-byte access reaches the register at its address with the low
 * byte, as on QEMU's virt UART (sh/sw/sd to THR print their low byte there); a misaligned one is
 * refused and has no effect. */
static void aligned_wide_accesses_reach_one_register(void **state)
{
    struct fixture *f = *state;
    uint64_t v = 0;
    assert_int_equal(bus_write(&f->m.bus, BASE, 2, 0x4141), BUS_OK);
    assert_int_equal(bus_write(&f->m.bus, BASE, 4, 0x12345642), BUS_OK);
    assert_int_equal(bus_write(&f->m.bus, BASE, 8, 0xffffffffffffff43ull), BUS_OK);
    assert_string_equal(f->con.out, "ABC");
    assert_int_equal(bus_write(&f->m.bus, BASE + LSR, 2, 0x5a), BUS_BAD_ACCESS); /* odd */
    assert_int_equal(bus_write(&f->m.bus, BASE + 4, 4, 0x0155), BUS_OK);         /* MCR = 0x55 */
    assert_int_equal(rd(f, MCR), 0x15);                                          /* its 5 bits */
    assert_int_equal(bus_read(&f->m.bus, BASE + 2, 4, &v), BUS_BAD_ACCESS);      /* 2 % 4 */
    assert_int_equal(bus_read(&f->m.bus, BASE + 4, 4, &v), BUS_OK); /* MCR, zero-extended */
    assert_int_equal(v, 0x15);
    assert_int_equal(bus_read(&f->m.bus, BASE, 8, &v), BUS_OK); /* RBR: nothing received */
    assert_true(v <= 0xff);
    assert_string_equal(f->con.out, "ABC");
}

/* LCR bit 7 (DLAB) maps the divisor latch over RBR/THR and IER. */
static void dlab_selects_divisor_latch(void **state)
{
    struct fixture *f = *state;
    wr(f, LCR, 0x83);
    wr(f, DLL, 0x0C);
    wr(f, DLM, 0x01);
    assert_int_equal(f->con.out_len, 0); /* not transmitted */
    assert_int_equal(rd(f, DLL), 0x0C);
    assert_int_equal(rd(f, DLM), 0x01);
    assert_int_equal(rd(f, LCR), 0x83);
    wr(f, LCR, 0x03);
    assert_int_equal(rd(f, IER), 0); /* IER untouched by the DLM write */
    wr(f, THR, 'A');
    assert_string_equal(f->con.out, "A");
    wr(f, LCR, 0x80);
    assert_int_equal(rd(f, DLL), 0x0C); /* the latch kept its value */
}

/* SCR is a plain read/write byte; IER bits 7:4 and MCR bits 7:5 read 0. */
static void scratch_and_reserved_bits(void **state)
{
    struct fixture *f = *state;
    wr(f, SCR, 0xA5);
    assert_int_equal(rd(f, SCR), 0xA5);
    wr(f, IER, 0xF0);
    assert_int_equal(rd(f, IER), 0);
    wr(f, MCR, 0xE3);
    assert_int_equal(rd(f, MCR), 0x03);
}

/* LSR and MSR are read-only: writes are ignored (datasheet: LSR writes are for factory test). */
static void lsr_msr_writes_ignored(void **state)
{
    struct fixture *f = *state;
    wr(f, LSR, 0x1F);
    wr(f, MSR, 0x0F);
    assert_int_equal(rd(f, LSR), 0x60);
    assert_int_equal(rd(f, MSR), 0xB0);
}

/* Receive: reading LSR polls the host; DR (bit 0) is set while a byte waits; RBR delivers it. */
static void receive_through_lsr_poll(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(rd(f, LSR) & 0x01, 0);
    test_console_feed(&f->con, "AB", 2, 0);
    assert_int_equal(rd(f, LSR), 0x61);
    assert_int_equal(rd(f, RBR), 'A');
    assert_int_equal(rd(f, LSR), 0x61);
    assert_int_equal(rd(f, RBR), 'B');
    assert_int_equal(rd(f, LSR), 0x60);
}

/* Reading RBR with nothing buffered polls the host too. */
static void receive_through_rbr_poll(void **state)
{
    struct fixture *f = *state;
    test_console_feed(&f->con, "x", 1, 0);
    assert_int_equal(rd(f, RBR), 'x');
    assert_int_equal(rd(f, LSR) & 0x01, 0);
}

/* End of input: DR stays 0 and the device stops reading the descriptor. To prove it, another
 * pipe is put on the same descriptor number with a byte in it: the UART must not return it. */
static void eof_stops_polling(void **state)
{
    struct fixture *f = *state;
    test_console_feed(&f->con, "z", 1, 1); /* one byte, then the writer closes */
    assert_int_equal(rd(f, RBR), 'z');
    assert_int_equal(rd(f, LSR), 0x60); /* EOF seen here */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "!", 1), 1);
    assert_int_equal(dup2(fds[0], f->con.pipe_read), f->con.pipe_read);
    close(fds[0]);
    assert_int_equal(rd(f, LSR), 0x60);
    assert_int_equal(rd(f, LSR), 0x60);
    close(fds[1]);
}

/* MCR bit 4 (loopback): THR goes to the receiver, not to the line. */
static void loopback_thr_to_rbr(void **state)
{
    struct fixture *f = *state;
    wr(f, MCR, 0x10);
    wr(f, THR, 'q');
    assert_int_equal(f->con.out_len, 0);
    assert_int_equal(rd(f, LSR), 0x61);
    assert_int_equal(rd(f, RBR), 'q');
    assert_int_equal(rd(f, LSR), 0x60);
    wr(f, MCR, 0x00);
    wr(f, THR, 'w');
    assert_string_equal(f->con.out, "w");
}

/* Loopback disconnects the serial input: host input waits until loopback ends. */
static void loopback_ignores_host_input(void **state)
{
    struct fixture *f = *state;
    test_console_feed(&f->con, "Z", 1, 0);
    wr(f, MCR, 0x10);
    assert_int_equal(rd(f, LSR), 0x60);
    wr(f, MCR, 0x00);
    assert_int_equal(rd(f, LSR), 0x61);
    assert_int_equal(rd(f, RBR), 'Z');
}

/* Loopback wires RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD; MSR deltas record changes and clear on
 * read. (Linux's 8250 probe writes MCR = LOOP|OUT2|RTS and expects MSR[7:4] = DCD|CTS.) */
static void loopback_modem_lines(void **state)
{
    struct fixture *f = *state;
    rd(f, MSR);
    wr(f, MCR, 0x1A);                   /* LOOP | OUT2 | RTS */
    assert_int_equal(rd(f, MSR), 0x92); /* DCD | CTS, and DDSR: DSR dropped */
    assert_int_equal(rd(f, MSR), 0x90);
    wr(f, MCR, 0x1F);                   /* + DTR, OUT1 */
    assert_int_equal(rd(f, MSR), 0xF2); /* DSR rose: DDSR; RI rose: no TERI */
    wr(f, MCR, 0x1B);                   /* OUT1 off: RI falls, trailing edge */
    assert_int_equal(rd(f, MSR), 0xB4);
}

/* 16450 mode overrun: a second byte overwrites the first and sets OE, cleared by reading LSR. */
static void overrun_without_fifo(void **state)
{
    struct fixture *f = *state;
    wr(f, MCR, 0x10);
    wr(f, THR, 'a');
    wr(f, THR, 'b');
    assert_int_equal(rd(f, LSR), 0x63);
    assert_int_equal(rd(f, LSR), 0x61);
    assert_int_equal(rd(f, RBR), 'b');
}

/* FIFO mode: 16 bytes fit; the 17th is lost and sets OE; the FIFO keeps the first 16. */
static void fifo_holds_sixteen(void **state)
{
    struct fixture *f = *state;
    wr(f, FCR, 0x01);
    wr(f, MCR, 0x10);
    for (int i = 0; i < 17; i++)
        wr(f, THR, (uint8_t)('a' + i));
    assert_int_equal(rd(f, LSR), 0x63);
    for (int i = 0; i < 16; i++)
        assert_int_equal(rd(f, RBR), 'a' + i);
    assert_int_equal(rd(f, LSR), 0x60);
}

/* IIR bits 7:6 are set while FCR0 enables the FIFOs; FCR bit 1 clears the receiver FIFO, and
 * so does changing FCR0. */
static void fcr_enable_and_reset(void **state)
{
    struct fixture *f = *state;
    wr(f, FCR, 0x01);
    assert_int_equal(rd(f, IIR), 0xC1);
    wr(f, MCR, 0x10);
    wr(f, THR, '1');
    wr(f, THR, '2');
    wr(f, FCR, 0x03);
    assert_int_equal(rd(f, LSR), 0x60);
    wr(f, THR, '3');
    wr(f, FCR, 0x00);
    assert_int_equal(rd(f, IIR), 0x01);
    assert_int_equal(rd(f, LSR), 0x60);
}

/* ERBFI: received data raises the line with IIR = 0x04; reading RBR clears it. */
static void rx_interrupt(void **state)
{
    struct fixture *f = *state;
    wr(f, IER, 0x01);
    assert_int_equal(irq(f), 0);
    test_console_feed(&f->con, "k", 1, 0);
    rd(f, LSR);
    assert_int_equal(irq(f), 1);
    assert_int_equal(rd(f, IIR), 0x04);
    assert_int_equal(rd(f, IIR), 0x04); /* reading IIR does not clear it */
    assert_int_equal(rd(f, RBR), 'k');
    assert_int_equal(irq(f), 0);
    assert_int_equal(rd(f, IIR), 0x01);
}

/* ETBEI: enabling it with THR empty raises THRE (IIR = 0x02); reading IIR clears it; a THR
 * write (immediately empty again) raises it again. */
static void thre_interrupt(void **state)
{
    struct fixture *f = *state;
    wr(f, IER, 0x02);
    assert_int_equal(irq(f), 1);
    assert_int_equal(rd(f, IIR), 0x02);
    assert_int_equal(irq(f), 0);
    assert_int_equal(rd(f, IIR), 0x01);
    wr(f, THR, '.');
    assert_int_equal(irq(f), 1);
    assert_int_equal(rd(f, IIR), 0x02);
    wr(f, IER, 0x00);
    wr(f, THR, '.');
    assert_int_equal(irq(f), 0);
}

/* Priority: received data (2) before THRE (3); an IIR read that reports RDA leaves THRE pending. */
static void rx_has_priority_over_thre(void **state)
{
    struct fixture *f = *state;
    wr(f, MCR, 0x10);
    wr(f, THR, 'p'); /* loopback byte; THRE latched by the write */
    wr(f, IER, 0x03);
    assert_int_equal(rd(f, IIR), 0x04);
    assert_int_equal(rd(f, RBR), 'p');
    assert_int_equal(rd(f, IIR), 0x02);
    assert_int_equal(rd(f, IIR), 0x01);
    assert_int_equal(irq(f), 0);
}

/* Priority 1: receiver line status (overrun) with ELSI, IIR = 0x06, cleared by reading LSR. */
static void line_status_interrupt(void **state)
{
    struct fixture *f = *state;
    wr(f, MCR, 0x10);
    wr(f, IER, 0x05);
    wr(f, THR, 'a');
    assert_int_equal(rd(f, IIR), 0x04);
    wr(f, THR, 'b');
    assert_int_equal(rd(f, IIR), 0x06);
    assert_int_equal(rd(f, LSR) & 0x02, 0x02);
    assert_int_equal(rd(f, IIR), 0x04);
}

/* Priority 4: modem status change with EDSSI, IIR = 0x00, cleared by reading MSR. */
static void modem_status_interrupt(void **state)
{
    struct fixture *f = *state;
    wr(f, IER, 0x08);
    assert_int_equal(irq(f), 0);
    wr(f, MCR, 0x10); /* loopback: all inputs drop */
    assert_int_equal(irq(f), 1);
    assert_int_equal(rd(f, IIR), 0x00);
    assert_int_equal(rd(f, MSR), 0x0B); /* DCTS, DDSR, DDCD */
    assert_int_equal(irq(f), 0);
    assert_int_equal(rd(f, IIR), 0x01);
}

/* FIFO mode: below the trigger level the data is reported as a character time-out (0x0C), at the
 * trigger level as received data (0x04), both with the FIFO bits 7:6. */
static void fifo_trigger_and_timeout(void **state)
{
    struct fixture *f = *state;
    wr(f, FCR, 0x41); /* enable, trigger level 4 */
    wr(f, MCR, 0x10);
    wr(f, IER, 0x01);
    wr(f, THR, '1');
    wr(f, THR, '2');
    assert_int_equal(rd(f, IIR), 0xCC);
    wr(f, THR, '3');
    wr(f, THR, '4');
    assert_int_equal(rd(f, IIR), 0xC4);
    rd(f, RBR);
    assert_int_equal(rd(f, IIR), 0xCC);
    rd(f, RBR);
    rd(f, RBR);
    rd(f, RBR);
    assert_int_equal(rd(f, IIR), 0xC1);
    assert_int_equal(irq(f), 0);
}

/* Interrupt-driven receive: with ERBFI set, the clocked hook polls the host, so input raises the
 * interrupt although the guest never reads LSR. */
static void clocked_poll_raises_rx_interrupt(void **state)
{
    struct fixture *f = *state;
    struct machine_clocked *c = &f->m.clocked[0];
    assert_int_equal(f->m.n_clocked, 1);
    assert_int_equal(c->next_deadline(c->dev), UINT64_MAX); /* ERBFI off: no polling */
    wr(f, IER, 0x01);
    uint64_t deadline = c->next_deadline(c->dev);
    assert_true(deadline <= f->m.time);
    c->tick(c->dev, f->m.time);
    assert_int_equal(irq(f), 0);
    deadline = c->next_deadline(c->dev);
    assert_true(deadline > f->m.time && deadline != UINT64_MAX);
    test_console_feed(&f->con, "r", 1, 0);
    f->m.time = deadline;
    c->tick(c->dev, f->m.time);
    assert_int_equal(irq(f), 1);
    assert_int_equal(c->next_deadline(c->dev), UINT64_MAX); /* a byte waits: nothing to poll */
    assert_int_equal(rd(f, RBR), 'r');
    assert_int_equal(irq(f), 0);
}

/* Without an interrupt line, IIR still reports but no line moves and nothing is clocked. */
static void no_irq_line(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(f->m.n_clocked, 0);
    wr(f, IER, 0x02);
    assert_int_equal(rd(f, IIR), 0x02);
    assert_int_equal(f->m.irq_lines, 0);
}

/* No input descriptor (in_fd = -1): nothing is ever received. */
static void no_input_fd(void **state)
{
    (void)state;
    struct fixture *f = make(IRQ, 0);
    assert_int_equal(rd(f, LSR), 0x60);
    assert_int_equal(rd(f, RBR), 0);
    wr(f, IER, 0x01);
    assert_int_equal(f->m.clocked[0].next_deadline(f->m.clocked[0].dev), UINT64_MAX);
    void *p = f;
    teardown(&p);
}

/* x86 COM1: port_io registers the eight registers at I/O ports 0x3F8..0x3FF. */
static void com1_on_io_ports(void **state)
{
    (void)state;
    struct machine m;
    struct test_console con;
    test_machine_init(&m, ARCH_I386);
    test_console_init(&con, 1);
    char err[256] = "";
    assert_non_null(dev_uart_attach(&m, true, 0x3F8, 4, &con.console, err, sizeof err));
    assert_int_equal(bus_port_out(&m.bus, 0x3F8, 1, 'x'), BUS_OK);
    assert_string_equal(con.out, "x");
    uint32_t v = 0;
    assert_int_equal(bus_port_in(&m.bus, 0x3FD, 1, &v), BUS_OK);
    assert_int_equal(v, 0x60);
    assert_int_equal(bus_port_out(&m.bus, 0x3F8, 2, 0x4141), BUS_BAD_ACCESS);
    assert_string_equal(con.out, "x");
    assert_int_equal(bus_port_in(&m.bus, 0x400, 1, &v), BUS_UNMAPPED);
    uint64_t mv;
    assert_int_equal(bus_read(&m.bus, 0x3F8, 1, &mv), BUS_OK); /* not in memory space: RAM */
    machine_destroy(&m);
    test_console_close(&con);
}

/* A second UART over the first is refused with a message and nothing is left registered. */
static void overlapping_attach_fails(void **state)
{
    struct fixture *f = *state;
    char err[256] = "";
    assert_null(dev_uart_attach(&f->m, false, BASE + 4, 11, &f->con.console, err, sizeof err));
    assert_non_null(strstr(err, "overlaps"));
    assert_int_equal(f->m.n_clocked, 1);
    assert_int_equal(f->m.n_owned, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reset_values, setup, teardown),
        cmocka_unit_test_setup_teardown(thr_transmits_immediately, setup, teardown),
        cmocka_unit_test_setup_teardown(aligned_wide_accesses_reach_one_register, setup, teardown),
        cmocka_unit_test_setup_teardown(dlab_selects_divisor_latch, setup, teardown),
        cmocka_unit_test_setup_teardown(scratch_and_reserved_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(lsr_msr_writes_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(receive_through_lsr_poll, setup, teardown),
        cmocka_unit_test_setup_teardown(receive_through_rbr_poll, setup, teardown),
        cmocka_unit_test_setup_teardown(eof_stops_polling, setup, teardown),
        cmocka_unit_test_setup_teardown(loopback_thr_to_rbr, setup, teardown),
        cmocka_unit_test_setup_teardown(loopback_ignores_host_input, setup, teardown),
        cmocka_unit_test_setup_teardown(loopback_modem_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(overrun_without_fifo, setup, teardown),
        cmocka_unit_test_setup_teardown(fifo_holds_sixteen, setup, teardown),
        cmocka_unit_test_setup_teardown(fcr_enable_and_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(rx_interrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(thre_interrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(rx_has_priority_over_thre, setup, teardown),
        cmocka_unit_test_setup_teardown(line_status_interrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(modem_status_interrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(fifo_trigger_and_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(clocked_poll_raises_rx_interrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(no_irq_line, setup_no_irq, teardown),
        cmocka_unit_test(no_input_fd),
        cmocka_unit_test(com1_on_io_ports),
        cmocka_unit_test_setup_teardown(overlapping_attach_fails, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
