/* Devices of the two platforms (design.md "Platforms"). Each device attaches itself to a machine:
 * it is created, placed on the bus (memory-mapped or I/O ports), and owned by the machine, which
 * destroys it. Devices signal the machine through machine_set_irq() and machine_request_stop(). */
#ifndef RINGSIDE_DEV_DEV_H
#define RINGSIDE_DEV_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;

/* The host side of a guest console: where output goes and where input comes from. */
struct dev_console {
    void (*put)(void *opaque, uint8_t byte); /* one byte of guest output */
    void *opaque;
    int in_fd; /* host file descriptor read without blocking for guest input; -1: none */
};
/* Output to host stdout (flushed at each newline and when the run stops), input from stdin. */
void dev_console_stdio(struct dev_console *console);
void dev_console_flush_stdio(void);

/* NS16550A UART: eight byte-wide registers (DLAB, IER, IIR/FCR, LCR, MCR, LSR, MSR, SCR).
 * Transmit is immediate (THRE and TEMT always set); receive polls in_fd when the guest looks. */
#define DEV_UART_SIZE 8
struct dev_uart;
struct dev_uart *dev_uart_attach(struct machine *m, bool port_io, uint64_t base, int irq_line,
                                 const struct dev_console *console, char *err, size_t errlen);

/* SiFive CLINT: msip at 0x0, mtimecmp at 0x4000, mtime at 0xBFF8, for one hart. mtime advances
 * with guest time: one tick every 'divisor' machine clock ticks. Drives the MSIP and MTIP lines. */
#define DEV_CLINT_SIZE      0x10000
#define DEV_CLINT_MSIP_LINE 3 /* mip bit numbers (priv. spec 3.1.9) */
#define DEV_CLINT_MTIP_LINE 7
struct dev_clint;
struct dev_clint *dev_clint_attach(struct machine *m, uint64_t base, uint64_t divisor, char *err,
                                   size_t errlen);
uint64_t dev_clint_mtime(const struct dev_clint *clint);

/* SiFive test finisher: a 32-bit store of 0x5555 ends the run with status 0, (code << 16) | 0x3333
 * with status code, 0x7777 asks for a reset (ringside stops: reset is not supported). */
#define DEV_SIFIVE_TEST_SIZE 0x1000
struct dev_sifive_test;
struct dev_sifive_test *dev_sifive_test_attach(struct machine *m, uint64_t base, char *err,
                                               size_t errlen);

/* HTIF (Spike's host-target interface) at the ELF symbols tohost and fromhost. A store to tohost
 * with device 0, command 0 and bit 0 set ends the run with status payload >> 1; device 0 with bit
 * 0 clear points at a syscall block (write and exit are served); device 1 command 1 writes a byte
 * to the console. */
struct dev_htif;
struct dev_htif *dev_htif_attach(struct machine *m, uint64_t tohost, uint64_t fromhost,
                                 const struct dev_console *console, char *err, size_t errlen);

/* QEMU's isa-debug-exit on an I/O port: a write ends the run with the value written (QEMU would
 * exit with (value << 1) | 1; design.md "Platforms"). */
struct dev_isa_exit;
struct dev_isa_exit *dev_isa_exit_attach(struct machine *m, uint16_t port, char *err,
                                         size_t errlen);

/* The PC's 8259A pair (pic8259.c): master at ports 0x20-0x21, slave at 0xA0-0xA1 on the master's
 * IR2. Inputs are machine lines 0-15; the output drives MACHINE_LINE_INTR and the machine's
 * int_ack answers the CPU's acknowledge. Both chips start with every input masked. */
#define DEV_PIC_MASTER_PORT 0x20
#define DEV_PIC_SLAVE_PORT  0xA0
struct dev_pic;
struct dev_pic *dev_pic_attach(struct machine *m, char *err, size_t errlen);
/* The in-service register of chip 0 (master) or 1 (slave), for tests and the monitor. */
uint8_t dev_pic_isr(const struct dev_pic *p, unsigned chip);

/* The 8254 PIT (pit8254.c) at ports 0x40-0x43: three counters in modes 0-5, binary or BCD, at
 * 1.193182 MHz of guest time (machine ticks at a nominal 1 GHz), the counter latch and read-back
 * commands. Counter 0's OUT rising edges pulse line 'irq'; counter 2's GATE is bit 0 of port
 * 0x61 and its OUT reads as bit 5 there (bit 4 toggles with counter 1's periods, the PC's
 * refresh request). Until a count is written a counter does not count. */
#define DEV_PIT_PORT   0x40
#define DEV_PIT_PORT61 0x61
#define DEV_PIT_HZ     1193182u
struct dev_pit;
struct dev_pit *dev_pit_attach(struct machine *m, unsigned irq, char *err, size_t errlen);

#endif
