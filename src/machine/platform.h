/* The two platforms ringside emulates, laid out as QEMU lays them out so that the same guest
 * kernel boots on both (design.md "Platforms"). */
#ifndef RINGSIDE_MACHINE_PLATFORM_H
#define RINGSIDE_MACHINE_PLATFORM_H

#include "dev/dev.h"
#include "machine/machine.h"

/* RISC-V: QEMU's virt machine (hw/riscv/virt.c memory map). */
#define VIRT_TEST_BASE   0x00100000ull
#define VIRT_CLINT_BASE  0x02000000ull
#define VIRT_UART0_BASE  0x10000000ull
#define VIRT_UART0_IRQ   10
#define VIRT_DRAM_BASE   0x80000000ull
#define VIRT_TIMEBASE_HZ 10000000ull /* /cpus/timebase-frequency, as QEMU's virt */
/* Machine clock ticks per CLINT mtime tick: a 1 GHz nominal core clock over the 10 MHz timebase. */
#define VIRT_CLINT_DIVISOR 100

/* x86: a PC subset. */
#define PC_RAM_BASE  0x0ull
#define PC_COM1_PORT 0x3F8
#define PC_COM1_IRQ  4
#define PC_EXIT_PORT 0xF4
#define PC_PIT_IRQ   0 /* the 8254's counter 0 on the master 8259A's IR0 */

#define PLATFORM_DEFAULT_RAM (128ull << 20)
#define PLATFORM_MIN_RAM     (16ull << 20)
#define PLATFORM_MAX_RAM     (64ull << 30)

struct platform {
    struct dev_console console;
    struct dev_uart *uart;
    struct dev_clint *clint;        /* RISC-V */
    struct dev_sifive_test *test;   /* RISC-V */
    struct dev_isa_exit *exit_port; /* x86 */
    struct dev_pic *pic;            /* x86: the 8259A pair */
    struct dev_pit *pit;            /* x86: the 8254's counter 0 */
};

/* Initialises m for arch with ram_size bytes of RAM and the platform's devices. */
int platform_create(struct machine *m, struct platform *p, enum mach_arch arch, uint64_t ram_size,
                    const struct dev_console *console, char *err, size_t errlen);

#endif
