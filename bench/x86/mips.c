/* The x86 speed benchmark: compute-bound integer code as a compiler emits it (loads, stores,
 * ALU, shifts, multiplies, branches, calls), with its data on the same pages as its code, as guest
 * kernels have them (design.md "Speed"). Deterministic: the instruction count is the same on
 * every run and every emulator, so MIPS compare. Prints a checksum on COM1. */
#include <stdint.h>

#define ROUNDS 300

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static void putc(char c)
{
    while (!(inb(0x3fd) & 0x20)) {
    }
    outb(0x3f8, (uint8_t)c);
}
static void puts(const char *s)
{
    while (*s)
        putc(*s++);
}
static void puthex(uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4)
        putc("0123456789abcdef"[(v >> i) & 15]);
}

/* data in .text: stores land on pages holding decoded code */
__attribute__((section(".text.data"))) static uint8_t sieve[8192];
__attribute__((section(".text.data"))) static uint32_t table[256];

static uint32_t crc32(const uint8_t *p, uint32_t n, uint32_t crc)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    return ~crc;
}

static uint32_t primes(void)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < sizeof sieve; i++)
        sieve[i] = 1;
    for (uint32_t i = 2; i < sizeof sieve; i++) {
        if (!sieve[i]) continue;
        count++;
        for (uint32_t j = i * 2; j < sizeof sieve; j += i)
            sieve[j] = 0;
    }
    return count;
}

static uint32_t mix(uint32_t seed)
{
    uint32_t x = seed;
    for (int i = 0; i < 256; i++) {
        x = x * 1103515245u + 12345u;
        table[i] = x ^ (x >> 13);
    }
    uint32_t h = 0;
    for (int r = 0; r < 64; r++)
        for (int i = 0; i < 256; i++)
            h = (h << 5 | h >> 27) + table[(i * 7 + r) & 255] * 31u;
    return h;
}

uint32_t bench_main(void)
{
    uint32_t sum = 0;
    for (int r = 0; r < ROUNDS; r++) {
        sum += primes();
        sum = crc32(sieve, 1024, sum);
        sum ^= mix(sum + (uint32_t)r);
    }
    puts("x86 mips benchmark: checksum ");
    puthex(sum);
    puts("\n");
    return 0;
}
