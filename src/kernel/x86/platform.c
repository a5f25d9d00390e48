/* The PC devices both x86 kernels drive (design.md "Platforms"): COM1 as console (polled), the TSC
 * as clock, isa-debug-exit at port 0xF4 to stop the machine, and the two 8259 PICs, which are only
 * masked: the kernels poll and take no interrupts, but user mode runs with IF = 1 (as on Linux) and
 * the BIOS QEMU runs first leaves the timer interrupt unmasked. */
#include "kernel.h"

/* NS16550 registers (offsets from COM1, DLAB = 0) */
#define UART_RBR 0
#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_LSR 5
#define LSR_DR   0x01
#define LSR_THRE 0x20

/* The TSC's rate is not architectural; clock_gettime only needs a monotonic clock, so the kernel
 * calls it 1 GHz. */
#define TSC_HZ 1000000000ull

void x86_platform_init(void)
{
    outb(PIC1_DATA, 0xff); /* 8259A OCW1: mask every interrupt line of both controllers */
    outb(PIC2_DATA, 0xff);
    outb(COM1 + UART_IER, 0);    /* no interrupts: the kernel polls */
    outb(COM1 + UART_LCR, 0x03); /* 8 data bits, no parity, 1 stop bit */
    outb(COM1 + UART_FCR, 0x07); /* enable and clear the FIFOs */
}

void arch_console_putc(char c)
{
    while (!(inb(COM1 + UART_LSR) & LSR_THRE))
        ;
    outb(COM1 + UART_THR, (uint8_t)c);
}

int arch_console_getc(void)
{
    if (!(inb(COM1 + UART_LSR) & LSR_DR)) return -1;
    return inb(COM1 + UART_RBR);
}

uint64_t arch_clock_ticks(void)
{
    return rdtsc();
}

uint64_t arch_clock_hz(void)
{
    return TSC_HZ;
}

/* The status goes to isa-debug-exit; if nothing stops the machine there, it halts for good. */
void arch_shutdown(int status)
{
    outb(EXIT_PORT, (uint8_t)status);
    for (;;)
        __asm__ volatile("cli; hlt");
}

bool cpu_is_intel(void)
{
    uint32_t a, b, c, d;
    cpuid(0, &a, &b, &c, &d);
    /* SDM Vol. 2A CPUID leaf 0: the vendor string in EBX, EDX, ECX */
    return b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e; /* "Genu" "ineI" "ntel" */
}

/* SDM Vol. 3A 5.8.7 (and Vol. 2A CPUID, SEP): early Pentium Pro processors (family 6, model < 3,
 * stepping < 3) report SEP without having SYSENTER/SYSEXIT. */
bool cpu_has_sep(void)
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    uint32_t family = (a >> 8) & 0xf, model = (a >> 4) & 0xf, stepping = a & 0xf;
    if (family == 6 && model < 3 && stepping < 3) return false;
    return (d & CPUID_1_EDX_SEP) != 0;
}

/* Multiboot 0.6.96 3.3: flags bit 2 = cmdline, bit 3 = mods_count/mods_addr, bit 6 = mmap, bit 0 =
 * mem_lower/mem_upper. */
int mb_read(uint32_t magic, uint64_t mbi_pa, void *(*mb_phys)(uint64_t pa), struct mb_info *out,
            const char **why)
{
    if (magic != 0x2badb002) return *why = "not started by a Multiboot loader (EAX)", -1;
    const uint32_t *mbi = mb_phys(mbi_pa);
    uint32_t flags = mbi[0];
    out->cmdline[0] = '\0';
    if (flags & (1u << 2)) {
        const char *s = mb_phys(mbi[4]);
        size_t n = strlen(s);
        if (n >= sizeof out->cmdline) return *why = "command line too long", -1;
        memcpy(out->cmdline, s, n + 1);
    }
    out->has_module = false;
    if ((flags & (1u << 3)) && mbi[5] > 0) {
        const uint32_t *mod = mb_phys(mbi[6]); /* mod_start, mod_end, string, reserved */
        out->has_module = true;
        out->mod_start = mod[0];
        out->mod_end = mod[1];
    }
    out->ram_end = 0;
    if (flags & (1u << 6)) {
        /* entries: size (not counting itself), base_addr, length, type; 1 = available RAM */
        uint64_t at = mbi[12], end = at + mbi[11];
        while (at < end) {
            const uint8_t *e = mb_phys(at);
            uint32_t size;
            uint64_t base, len;
            uint32_t type;
            memcpy(&size, e, 4);
            memcpy(&base, e + 4, 8);
            memcpy(&len, e + 12, 8);
            memcpy(&type, e + 20, 4);
            if (type == 1 && base + len > out->ram_end) out->ram_end = base + len;
            at += size + 4;
        }
    } else if (flags & 1) {
        out->ram_end = 0x100000 + (uint64_t)mbi[2] * 1024; /* mem_upper: KiB above 1 MiB */
    }
    if (out->ram_end <= 0x100000) return *why = "no memory map from the boot loader", -1;
    return 0;
}
