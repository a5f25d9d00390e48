/* The devices of the virt platform the kernel drives (memlayout.h): the NS16550A UART as console,
 * the CLINT's mtime as clock, the SiFive test finisher to stop the machine. All are reached at
 * their physical addresses: from M-mode and S-mode before paging directly, and through the kernel
 * page table's direct map afterwards. */
#include "rv64.h"

/* NS16550A registers (byte offsets, DLAB = 0) */
#define UART_RBR 0 /* receive buffer (read) */
#define UART_THR 0 /* transmit holding (write) */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_LSR 5
#define LSR_DR   0x01 /* data ready */
#define LSR_THRE 0x20 /* transmit holding register empty */

/* SiFive test finisher (QEMU hw/misc/sifive_test.c) */
#define FINISHER_PASS 0x5555
#define FINISHER_FAIL 0x3333 /* | status << 16 */

static volatile uint8_t *const uart = (volatile uint8_t *)UART0_BASE;
static uint64_t clock_hz = 10000000; /* QEMU virt's timebase, until the device tree says */

void uart_init(void)
{
    uart[UART_IER] = 0;    /* no interrupts: the kernel polls */
    uart[UART_LCR] = 0x03; /* 8 data bits, no parity, 1 stop bit */
    uart[UART_FCR] = 0x07; /* enable and clear the FIFOs */
}

void arch_console_putc(char c)
{
    while (!(uart[UART_LSR] & LSR_THRE))
        ;
    uart[UART_THR] = (uint8_t)c;
}

int arch_console_getc(void)
{
    if (!(uart[UART_LSR] & LSR_DR)) return -1;
    return uart[UART_RBR];
}

void clock_init(uint64_t timebase_hz)
{
    if (timebase_hz) clock_hz = timebase_hz;
}

uint64_t arch_clock_ticks(void)
{
    return *(volatile uint64_t *)CLINT_MTIME;
}

uint64_t arch_clock_hz(void)
{
    return clock_hz;
}

/* Stops the machine: status 0 as "pass", anything else as "fail" with the status in bits 31..16,
 * which QEMU (and ringside) turn into their own exit status. */
void arch_shutdown(int status)
{
    volatile uint32_t *finisher = (volatile uint32_t *)FINISHER_BASE;
    *finisher = status == 0 ? FINISHER_PASS : (uint32_t)(status & 0xffff) << 16 | FINISHER_FAIL;
    for (;;)
        __asm__ volatile("wfi");
}
