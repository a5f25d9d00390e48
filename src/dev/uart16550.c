/* NS16550A UART (dev.h), following the TI (National) PC16550D datasheet: eight byte-wide
 * registers, the receiver FIFO, the four interrupt sources with their priorities, and loopback.
 *
 * What is modelled and what is not:
 * - Transmit is immediate: a THR write reaches the console at once, so THRE and TEMT are always
 *   set, and the THRE interrupt (when enabled) is pending again right after each THR write.
 * - Receive takes one byte from console->in_fd when the guest looks (reads LSR or RBR with nothing
 *   buffered), and, when the received-data interrupt is enabled and an interrupt line exists, also
 *   every UART_POLL_TICKS of guest time through a machine_clocked hook, so that interrupt-driven
 *   drivers that never poll LSR still receive. End of input (or a read error) stops polling.
 * - Line parameters (LCR, divisor) are stored and read back but have no effect; there are no
 *   parity, framing or break errors. Overrun (OE) happens when the receiver is full, which only
 *   loopback can cause.
 * - The FIFO character time-out (IIR 0x0C) has no character timing to measure: when FIFOs are on
 *   and fewer bytes than the trigger level wait, it is reported at once, as if the four character
 *   times had already passed.
 * - Modem inputs are those of a connected terminal (DCD, DSR, CTS asserted, RI not), as QEMU's
 *   serial reset sets them; in loopback they follow the MCR outputs.
 * - The interrupt output goes straight to irq_line. On a PC, OUT2 gates IRQ4 on the board, not in
 *   the UART; ringside does not model that gate (neither does QEMU's 16550).
 * - The chip has a byte-wide data bus. Memory-mapped (the RISC-V virt platform), a naturally
 *   aligned 2-, 4- or 8-byte access reaches the register at its address with the low byte (a
 *   read gives that byte, zero-extended), as QEMU's virt UART takes them (qemu-system-riscv64 7.2
 *   prints the low byte of sh, sw and sd to THR); misaligned wide accesses are BUS_BAD_ACCESS.
 *   On I/O ports (the PC) only 1-byte accesses are taken. Writes to the read-only LSR and MSR
 *   are ignored: the datasheet reserves LSR writes for factory test and no bus error exists for
 *   them (QEMU ignores them too). */
#include "dev/dev.h"
#include "dev/dev_internal.h"
#include "machine/machine.h"

#include <stdio.h>
#include <stdlib.h>

/* Register offsets (datasheet, register summary table). */
enum {
    REG_RBR_THR_DLL = 0,
    REG_IER_DLM = 1,
    REG_IIR_FCR = 2,
    REG_LCR = 3,
    REG_MCR = 4,
    REG_LSR = 5,
    REG_MSR = 6,
    REG_SCR = 7,
};

#define IER_ERBFI 0x01 /* received data available (and FIFO time-out) */
#define IER_ETBEI 0x02 /* transmitter holding register empty */
#define IER_ELSI  0x04 /* receiver line status */
#define IER_EDSSI 0x08 /* modem status */

#define IIR_NONE    0x01 /* bit 0 = 1: no interrupt pending */
#define IIR_RLS     0x06 /* priority 1: OE, PE, FE or BI */
#define IIR_RDA     0x04 /* priority 2: received data available (trigger level reached) */
#define IIR_TIMEOUT 0x0C /* priority 2: character time-out (FIFO mode) */
#define IIR_THRE    0x02 /* priority 3: THR empty */
#define IIR_MS      0x00 /* priority 4: CTS, DSR, RI or DCD changed */
#define IIR_FIFOS   0xC0 /* bits 7:6 set when FCR0 = 1 */

#define FCR_ENABLE   0x01
#define FCR_RX_RESET 0x02
#define FCR_TRIGGER  0xC0

#define LCR_DLAB 0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1F /* bits 7:5 are always 0 */

#define LSR_DR     0x01
#define LSR_OE     0x02
#define LSR_ERRORS 0x1E /* OE, PE, FE, BI: cleared by reading LSR */
#define LSR_THRE   0x20
#define LSR_TEMT   0x40

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS  0x10
#define MSR_DSR  0x20
#define MSR_RI   0x40
#define MSR_DCD  0x80

#define UART_FIFO_SIZE 16
/* Guest time between input polls for interrupt-driven receive: 100 us at platform.h's 1 GHz nominal
 * clock, about one character time at 115200 baud (a 10-bit frame takes 87 us), so polling is not
 * much slower than the line it stands for. */
#define UART_POLL_TICKS 100000u

struct dev_uart {
    struct machine *m;
    bool mmio; /* memory-mapped: aligned wide accesses reach one register */
    struct dev_console console;
    int in_fd; /* console.in_fd until end of input, then -1 */
    int irq_line;

    uint8_t rx[UART_FIFO_SIZE];
    unsigned rx_head, rx_count;
    uint8_t last_rx; /* what RBR reads when nothing waits (the old holding-register value) */

    uint8_t ier, lcr, mcr, scr, dll, dlm;
    uint8_t fcr;        /* FCR_ENABLE and FCR_TRIGGER as last programmed */
    uint8_t lsr_errors; /* LSR_ERRORS bits */
    uint8_t msr;        /* inputs (bits 7:4) and deltas (bits 3:0) */
    bool thr_ipending;  /* THRE interrupt latched, cleared by an IIR read that reports it */
    uint64_t next_poll; /* guest time of the next interrupt-driven input poll */
};

static unsigned rx_capacity(const struct dev_uart *u)
{
    return (u->fcr & FCR_ENABLE) ? UART_FIFO_SIZE : 1;
}

static unsigned rx_trigger(const struct dev_uart *u)
{
    static const unsigned levels[4] = {1, 4, 8, 14}; /* FCR bits 7:6 */
    return levels[(u->fcr & FCR_TRIGGER) >> 6];
}

static void rx_clear(struct dev_uart *u)
{
    u->rx_head = u->rx_count = 0;
}

static void rx_push(struct dev_uart *u, uint8_t byte)
{
    if (u->rx_count == rx_capacity(u)) {
        /* Overrun. FIFO mode: the new character is lost and the FIFO kept. 16450 mode: the
         * holding register is overwritten, destroying the previous character. */
        u->lsr_errors |= LSR_OE;
        if (u->fcr & FCR_ENABLE) return;
        rx_clear(u);
    }
    u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
    u->rx_count++;
}

static uint8_t rx_pop(struct dev_uart *u)
{
    if (u->rx_count == 0) return u->last_rx;
    u->last_rx = u->rx[u->rx_head];
    u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
    u->rx_count--;
    return u->last_rx;
}

/* One byte from the host when nothing is buffered. In loopback the serial input is disconnected
 * from the receiver (datasheet, MCR bit 4), so the host is not asked. */
static void poll_input(struct dev_uart *u)
{
    if (u->rx_count || u->in_fd < 0 || (u->mcr & MCR_LOOP)) return;
    int c = dev_input_poll(u->in_fd);
    if (c >= 0)
        rx_push(u, (uint8_t)c);
    else if (c == DEV_INPUT_EOF)
        u->in_fd = -1;
}

/* The highest-priority pending interrupt, as IIR bits 3:0 (datasheet, IIR priority table). */
static uint8_t pending_interrupt(const struct dev_uart *u)
{
    if ((u->ier & IER_ELSI) && u->lsr_errors) return IIR_RLS;
    if ((u->ier & IER_ERBFI) && u->rx_count)
        return !(u->fcr & FCR_ENABLE) || u->rx_count >= rx_trigger(u) ? IIR_RDA : IIR_TIMEOUT;
    if ((u->ier & IER_ETBEI) && u->thr_ipending) return IIR_THRE;
    if ((u->ier & IER_EDSSI) && (u->msr & 0x0F)) return IIR_MS;
    return IIR_NONE;
}

static void update_irq(struct dev_uart *u)
{
    if (u->irq_line >= 0)
        machine_set_irq(u->m, (unsigned)u->irq_line, pending_interrupt(u) != IIR_NONE);
}

/* The modem inputs: a connected terminal, or in loopback the MCR outputs (DTR -> DSR, RTS -> CTS,
 * OUT1 -> RI, OUT2 -> DCD; datasheet, MCR bit 4). */
static uint8_t modem_inputs(const struct dev_uart *u)
{
    if (!(u->mcr & MCR_LOOP)) return MSR_DCD | MSR_DSR | MSR_CTS;
    return ((u->mcr & MCR_DTR) ? MSR_DSR : 0) | ((u->mcr & MCR_RTS) ? MSR_CTS : 0) |
           ((u->mcr & MCR_OUT1) ? MSR_RI : 0) | ((u->mcr & MCR_OUT2) ? MSR_DCD : 0);
}

/* Sets the MSR inputs and the delta bits their changes cause (TERI: RI went from on to off). */
static void set_modem_inputs(struct dev_uart *u, uint8_t inputs)
{
    uint8_t old = u->msr & 0xF0;
    uint8_t changed = old ^ inputs;
    uint8_t deltas = 0;
    if (changed & MSR_CTS) deltas |= MSR_DCTS;
    if (changed & MSR_DSR) deltas |= MSR_DDSR;
    if ((old & MSR_RI) && !(inputs & MSR_RI)) deltas |= MSR_TERI;
    if (changed & MSR_DCD) deltas |= MSR_DDCD;
    u->msr = inputs | (u->msr & 0x0F) | deltas;
}

/* An access of size bytes at offset reaches one register (see the top of the file). */
static bool access_ok(const struct dev_uart *u, uint64_t offset, unsigned size)
{
    if (size == 1) return true;
    return u->mmio && (size == 2 || size == 4 || size == 8) && offset % size == 0;
}

static enum bus_status uart_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    struct dev_uart *u = dev;
    if (!access_ok(u, offset, size)) return BUS_BAD_ACCESS;
    uint8_t v = 0;
    switch (offset) {
    case REG_RBR_THR_DLL:
        if (u->lcr & LCR_DLAB) {
            v = u->dll;
        } else {
            poll_input(u);
            v = rx_pop(u);
        }
        break;
    case REG_IER_DLM: v = (u->lcr & LCR_DLAB) ? u->dlm : u->ier; break;
    case REG_IIR_FCR: {
        uint8_t id = pending_interrupt(u);
        /* Reading IIR while it reports THRE clears that interrupt (datasheet, IIR table). */
        if (id == IIR_THRE) u->thr_ipending = false;
        v = id | ((u->fcr & FCR_ENABLE) ? IIR_FIFOS : 0);
        break;
    }
    case REG_LCR: v = u->lcr; break;
    case REG_MCR: v = u->mcr; break;
    case REG_LSR:
        poll_input(u);
        v = (u->rx_count ? LSR_DR : 0) | u->lsr_errors | LSR_THRE | LSR_TEMT;
        u->lsr_errors = 0; /* OE, PE, FE and BI are reset when the CPU reads the LSR */
        break;
    case REG_MSR:
        v = u->msr;
        u->msr &= 0xF0; /* the delta bits are reset when the CPU reads the MSR */
        break;
    case REG_SCR: v = u->scr; break;
    }
    *value = v;
    update_irq(u);
    return BUS_OK;
}

static void write_fcr(struct dev_uart *u, uint8_t v)
{
    /* Changing FCR0 clears both FIFOs; the other bits are only programmed while FCR0 is set. */
    if ((v ^ u->fcr) & FCR_ENABLE) rx_clear(u);
    if (!(v & FCR_ENABLE)) {
        u->fcr = 0;
        return;
    }
    if (v & FCR_RX_RESET) rx_clear(u);
    u->fcr = v & (FCR_ENABLE | FCR_TRIGGER); /* bit 2 (XMIT reset): nothing waits to be sent */
}

static enum bus_status uart_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct dev_uart *u = dev;
    if (!access_ok(u, offset, size)) return BUS_BAD_ACCESS;
    uint8_t v = (uint8_t)value;
    switch (offset) {
    case REG_RBR_THR_DLL:
        if (u->lcr & LCR_DLAB) {
            u->dll = v;
            break;
        }
        /* Loopback: the transmitter output goes to the receiver input, not to the line. */
        if (u->mcr & MCR_LOOP)
            rx_push(u, v);
        else if (u->console.put)
            u->console.put(u->console.opaque, v);
        /* The byte leaves at once, so THR is empty again: writing THR clears the THRE interrupt
         * and the empty THR raises it again. */
        u->thr_ipending = true;
        break;
    case REG_IER_DLM:
        if (u->lcr & LCR_DLAB) {
            u->dlm = v;
            break;
        }
        /* Enabling ETBEI while THR is empty (always, here) raises the THRE interrupt. */
        if ((v & IER_ETBEI) && !(u->ier & IER_ETBEI)) u->thr_ipending = true;
        u->ier = v & 0x0F; /* bits 7:4 are always 0 */
        break;
    case REG_IIR_FCR: write_fcr(u, v); break;
    case REG_LCR: u->lcr = v; break;
    case REG_MCR:
        u->mcr = v & MCR_MASK;
        set_modem_inputs(u, modem_inputs(u));
        break;
    case REG_LSR:
    case REG_MSR: break; /* read-only (see the top of this file) */
    case REG_SCR: u->scr = v; break;
    }
    update_irq(u);
    return BUS_OK;
}

static const struct bus_ops uart_ops = {.read = uart_read, .write = uart_write};

/* Interrupt-driven receive: poll the host while the guest waits for a received-data interrupt. */
static bool wants_poll(const struct dev_uart *u)
{
    return u->irq_line >= 0 && (u->ier & IER_ERBFI) && u->rx_count == 0 && u->in_fd >= 0 &&
           !(u->mcr & MCR_LOOP);
}

static uint64_t uart_next_deadline(void *dev)
{
    struct dev_uart *u = dev;
    return wants_poll(u) ? u->next_poll : UINT64_MAX;
}

static void uart_tick(void *dev, uint64_t now)
{
    struct dev_uart *u = dev;
    poll_input(u);
    u->next_poll = now > UINT64_MAX - UART_POLL_TICKS ? UINT64_MAX : now + UART_POLL_TICKS;
    update_irq(u);
}

struct dev_uart *dev_uart_attach(struct machine *m, bool port_io, uint64_t base, int irq_line,
                                 const struct dev_console *console, char *err, size_t errlen)
{
    if (irq_line > 63) {
        snprintf(err, errlen, "UART: interrupt line %d does not exist", irq_line);
        return NULL;
    }
    if (irq_line >= 0 && m->n_clocked >= MACHINE_MAX_CLOCKED) {
        snprintf(err, errlen, "UART: the machine cannot clock more than %d devices",
                 MACHINE_MAX_CLOCKED);
        return NULL;
    }
    struct dev_uart *u = calloc(1, sizeof *u);
    if (!u) {
        snprintf(err, errlen, "UART: out of memory");
        return NULL;
    }
    u->m = m;
    u->mmio = !port_io;
    if (console)
        u->console = *console;
    else
        u->console.in_fd = -1;
    u->in_fd = u->console.in_fd;
    u->irq_line = irq_line < 0 ? -1 : irq_line;
    u->msr = modem_inputs(u); /* no deltas at reset */
    struct bus_region region = {
        .name = "uart16550", .base = base, .size = DEV_UART_SIZE, .ops = &uart_ops, .dev = u};
    if (dev_register(m, port_io, &region, free, err, errlen) < 0) {
        free(u);
        return NULL;
    }
    if (u->irq_line >= 0) {
        struct machine_clocked clocked = {
            .next_deadline = uart_next_deadline, .tick = uart_tick, .dev = u};
        machine_add_clocked(m, &clocked); /* cannot fail: room was checked above */
    }
    return u;
}
