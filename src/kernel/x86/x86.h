/* What the i386 and x86-64 kernels share: port I/O, CPUID, MSRs, control registers, descriptor
 * encodings and the Multiboot hand-off. Included by both through their own <arch>/arch.h, so
 * unsigned long is the register width (4 bytes on i386, 8 on x86-64). */
#ifndef KERNEL_X86_X86_H
#define KERNEL_X86_X86_H

#include <stdbool.h>
#include <stdint.h>

/* Platform (design.md "Platforms"): COM1 16550 UART, isa-debug-exit, the legacy 8259 PICs. */
#define COM1      0x3f8
#define EXIT_PORT 0xf4 /* QEMU exits with (value << 1) | 1, ringside with the value */
#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

/* MSRs (SDM Vol. 4, Table 2-2, architectural MSRs) */
#define MSR_SYSENTER_CS    0x174      /* SDM Vol. 3A 5.8.7: the ring-0 CS for SYSENTER */
#define MSR_SYSENTER_ESP   0x175      /* ring-0 stack pointer loaded by SYSENTER */
#define MSR_SYSENTER_EIP   0x176      /* ring-0 entry point of SYSENTER */
#define MSR_EFER           0xc0000080 /* SCE bit 0, LME bit 8, LMA bit 10, NXE bit 11 */
#define MSR_STAR           0xc0000081 /* SYSCALL/SYSRET CS and SS bases (SDM Vol. 3A 5.8.8) */
#define MSR_LSTAR          0xc0000082 /* SYSCALL entry RIP in 64-bit mode */
#define MSR_CSTAR          0xc0000083 /* SYSCALL entry from compatibility mode (AMD only) */
#define MSR_SFMASK         0xc0000084 /* RFLAGS bits SYSCALL clears */
#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102 /* swapped with GS.base by SWAPGS */
#define EFER_SCE           (1u << 0)
#define EFER_LME           (1u << 8)

#define CPUID_1_EDX_SEP (1u << 11) /* SDM Vol. 2A CPUID, Table 3-11: SYSENTER and SYSEXIT */

/* EFLAGS (SDM Vol. 1 3.4.3) */
#define FL_TF        0x100
#define FL_IF        0x200
#define FL_DF        0x400
#define FL_AC        0x40000
#define FL_RESERVED1 0x2 /* bit 1 reads as 1 */

/* Exception vectors (SDM Vol. 3A 6.3.1, Table 6-1) */
#define VEC_DE    0
#define VEC_DB    1
#define VEC_BP    3
#define VEC_UD    6
#define VEC_DF    8
#define VEC_GP    13
#define VEC_PF    14
#define VEC_INT80 0x80

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
static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}
static inline unsigned long read_cr2(void)
{
    unsigned long v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
static inline void write_cr3(unsigned long v)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}
static inline void invlpg(unsigned long va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* A code or data segment descriptor (SDM Vol. 3A 3.4.5, Figure 3-8): base 0, limit 0xFFFFF in
 * 4-KiB units (G = 1); access = P | DPL | S | type; flags = G, D/B, L. */
static inline uint64_t seg_desc(uint8_t access, uint8_t flags)
{
    return 0xffffull | (0xfull << 48) | (uint64_t)access << 40 | (uint64_t)(flags & 0xf) << 52;
}
#define SEG_ACCESS_KCODE 0x9a /* P, DPL 0, S, execute/read */
#define SEG_ACCESS_KDATA 0x92 /* P, DPL 0, S, read/write */
#define SEG_ACCESS_UCODE 0xfa /* P, DPL 3, S, execute/read */
#define SEG_ACCESS_UDATA 0xf2 /* P, DPL 3, S, read/write */
#define SEG_FLAGS_32     0xc  /* G, D/B = 32-bit */
#define SEG_FLAGS_64     0xa  /* G, L = 64-bit code (D must be 0) */

/* The low 8 bytes of a TSS descriptor (SDM Vol. 3A 7.2.2, Figure 7-3; type 9 = available 32-bit
 * TSS, or 64-bit TSS in IA-32e mode, where the upper 8 bytes hold base[63:32], 7.2.3). */
static inline uint64_t tss_desc_low(uint64_t base, uint32_t limit)
{
    return (limit & 0xffffull) | (base & 0xffffffull) << 16 | 0x89ull << 40 |
           (uint64_t)((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xffull) << 56;
}

/* The Multiboot hand-off (Multiboot Specification 0.6.96, 3.3), read by mb_read() before the
 * kernel reuses low memory. */
struct mb_info {
    char cmdline[4096];
    bool has_module;
    uint64_t mod_start, mod_end; /* physical */
    uint64_t ram_end;            /* physical end of the highest available RAM range */
};
/* Reads the information structure at physical mbi_pa through mb_phys(), a function mapping a
 * physical address the boot page table covers to a pointer. Returns 0 or -1 with *why. */
int mb_read(uint32_t magic, uint64_t mbi_pa, void *(*mb_phys)(uint64_t pa), struct mb_info *out,
            const char **why);

/* Shared platform code (x86/platform.c). */
void x86_platform_init(void); /* COM1 8N1 without interrupts; both PICs masked */
bool cpu_is_intel(void);      /* CPUID.0 vendor "GenuineIntel" */
bool cpu_has_sep(void);       /* CPUID.1:EDX.SEP */

/* The page allocator (x86/kalloc.c): kernel-virtual pointers to zeroed pages. */
struct phys_range {
    uint64_t base, end;
};
void kalloc_init(uint64_t base, uint64_t end, const struct phys_range *reserved, int n);
void *kalloc(void);
uint64_t kalloc_pages_left(void);

#endif
