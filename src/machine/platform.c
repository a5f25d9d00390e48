/* The two platforms (see platform.h). */
#include "machine/platform.h"

#include <stdio.h>
#include <string.h>

static int create_riscv_virt(struct machine *m, struct platform *p, char *err, size_t errlen)
{
    p->test = dev_sifive_test_attach(m, VIRT_TEST_BASE, err, errlen);
    p->clint =
        p->test ? dev_clint_attach(m, VIRT_CLINT_BASE, VIRT_CLINT_DIVISOR, err, errlen) : NULL;
    p->uart = p->clint ? dev_uart_attach(m, false, VIRT_UART0_BASE, VIRT_UART0_IRQ, &p->console,
                                         err, errlen)
                       : NULL;
    return p->uart ? 0 : -1;
}

static int create_pc(struct machine *m, struct platform *p, char *err, size_t errlen)
{
    p->uart = dev_uart_attach(m, true, PC_COM1_PORT, PC_COM1_IRQ, &p->console, err, errlen);
    p->exit_port = p->uart ? dev_isa_exit_attach(m, PC_EXIT_PORT, err, errlen) : NULL;
    p->pic = p->exit_port ? dev_pic_attach(m, err, errlen) : NULL;
    p->pit = p->pic ? dev_pit_attach(m, PC_PIT_IRQ, err, errlen) : NULL;
    return p->pit ? 0 : -1;
}

int platform_create(struct machine *m, struct platform *p, enum mach_arch arch, uint64_t ram_size,
                    const struct dev_console *console, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->console = *console;
    if (ram_size < PLATFORM_MIN_RAM || ram_size > PLATFORM_MAX_RAM) {
        snprintf(err, errlen, "guest RAM must be between %llu MiB and %llu GiB",
                 PLATFORM_MIN_RAM >> 20, PLATFORM_MAX_RAM >> 30);
        return -1;
    }
    int rc;
    switch (arch) {
    case ARCH_RISCV64:
        if (machine_init(m, arch, VIRT_DRAM_BASE, ram_size, err, errlen) < 0) return -1;
        rc = create_riscv_virt(m, p, err, errlen);
        break;
    case ARCH_I386:
    case ARCH_X86_64:
        if (machine_init(m, arch, PC_RAM_BASE, ram_size, err, errlen) < 0) return -1;
        rc = create_pc(m, p, err, errlen);
        break;
    default:
        snprintf(err, errlen, "no platform for architecture %s", mach_arch_name(arch));
        return -1;
    }
    if (rc < 0) machine_destroy(m);
    return rc;
}
