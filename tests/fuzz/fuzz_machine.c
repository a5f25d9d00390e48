/* Fuzz target: arbitrary bytes as guest code on a whole machine, as `ringside run --kernel` runs
 * it: the platform's devices, a CPU core, the timing model attached (batches and blocks), for a
 * bounded number of instructions and cycles. The host must never crash, whatever the guest does
 * (faults, traps in loops, device registers, wfi/hlt, page tables of random bytes).
 *
 * Input: byte 0 picks the architecture (bit 0: riscv64 or x86) and the timing profile (bit 1);
 * the rest is copied to the entry point (riscv64: DRAM base, M-mode; x86: 1 MiB, 32-bit
 * protected mode with flat segments, as a Multiboot loader leaves it) and repeated to fill
 * 64 KiB, so that jumps land in fuzzer-chosen bytes. So that a first fault does not end the run,
 * traps land in that code too: on riscv64 mtvec and stvec point into it and PMP is open (as
 * firmware leaves it); on x86 a GDT (flat ring-0 and ring-3 code and data, a 64-bit code segment,
 * a TSS with a ring-0 stack) and an IDT of 256 DPL-3 interrupt gates into the code are set up, as
 * a kernel would before running anything. */
#include "fuzz.h"

#include <string.h>

#include "cpu/riscv/riscv.h"
#include "cpu/x86/x86.h"
#include "machine/platform.h"
#include "timing/timing.h"

/* x86 descriptor tables (SDM Vol. 3A 3.4.5, 6.11, 7.2.1) below the code, and the registers
 * pointing at them. */
enum { GDT = 0x1000, IDT = 0x2000, TSS = 0x3000, STACK0 = 0x9000 };
static int x86_tables(struct machine *m, struct x86_cpu *cpu, uint64_t code)
{
    static const uint64_t gdt[] = {
        0,                                           /* null */
        0,                                           /* 0x08: unused */
        0x00cf9a000000ffffull,                       /* 0x10: ring-0 code, 32-bit, flat */
        0x00cf92000000ffffull,                       /* 0x18: ring-0 data, flat */
        0x00cffa000000ffffull,                       /* 0x20: ring-3 code */
        0x00cff2000000ffffull,                       /* 0x28: ring-3 data */
        0x0000890000000067ull | (uint64_t)TSS << 16, /* 0x30: 32-bit TSS, available */
        0x00af9a000000ffffull,                       /* 0x38: 64-bit code */
    };
    uint64_t idt[256];
    for (unsigned v = 0; v < 256; v++) {
        uint32_t off = (uint32_t)(code + (v * 97u) % 0x10000);
        idt[v] =
            (uint64_t)(off & 0xffff0000u) << 32 | 0xee00ull << 32 | 0x10u << 16 | (off & 0xffff);
    }
    uint32_t tss[26] = {0};
    tss[1] = STACK0; /* ESP0 */
    tss[2] = 0x18;   /* SS0 */
    if (bus_copy_to_ram(&m->bus, GDT, gdt, sizeof gdt) < 0 ||
        bus_copy_to_ram(&m->bus, IDT, idt, sizeof idt) < 0 ||
        bus_copy_to_ram(&m->bus, TSS, tss, sizeof tss) < 0)
        return -1;
    cpu->gdtr = (struct x86_dtr){GDT, sizeof gdt - 1};
    cpu->idtr = (struct x86_dtr){IDT, sizeof idt - 1};
    cpu->tr = (struct x86_seg){.sel = 0x30, .attr = 0xbu | X86_SEG_P, .base = TSS, .limit = 0x67};
    return 0;
}

static void discard(void *opaque, uint8_t byte)
{
    (void)opaque, (void)byte;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    bool riscv = !(data[0] & 1), alt = data[0] & 2;
    data++, size--;
    enum mach_arch arch = riscv ? ARCH_RISCV64 : ARCH_I386;
    static struct machine m;
    struct platform p;
    struct dev_console console = {.put = discard, .in_fd = -1};
    char err[256];
    if (platform_create(&m, &p, arch, PLATFORM_MIN_RAM, &console, err, sizeof err) < 0) return 0;
    uint64_t entry = riscv ? VIRT_DRAM_BASE : 0x100000;
    static uint8_t code[65536];
    for (size_t off = 0; off < sizeof code; off += size)
        memcpy(code + off, data, sizeof code - off < size ? sizeof code - off : size);
    struct boot_state boot = {.entry = entry};
    int rc = bus_copy_to_ram(&m.bus, entry, code, sizeof code);
    if (rc == 0)
        rc = riscv ? rv_cpu_attach(&m, &boot, err, sizeof err)
                   : x86_cpu_attach_vendor(&m, &boot, x86_vendor_find(alt ? "amd" : "intel"), err,
                                           sizeof err);
    if (rc == 0 && riscv) {
        struct rv_hart *h = m.cpu;
        rv_csr_set(h, RV_CSR_pmpaddr0, (1ull << 54) - 1); /* NAPOT over everything, RWX */
        rv_csr_set(h, RV_CSR_pmpcfg0, 0x1f);
        rv_csr_set(h, RV_CSR_mtvec, entry + 0x100);
        rv_csr_set(h, RV_CSR_stvec, entry + 0x200);
    } else if (rc == 0) {
        rc = x86_tables(&m, m.cpu, entry);
    }
    struct tm_model model;
    const struct tm_profile *profile = riscv ? (alt ? &tm_profile_rocket : &tm_profile_u74)
                                             : (alt ? &tm_profile_amd : &tm_profile_intel);
    if (rc == 0 && tm_model_attach(&model, profile, &m) == 0) {
        m.max_insns = 20000;
        m.max_cycles = 2000000;
        machine_run(&m);
        tm_model_destroy(&model);
    }
    machine_destroy(&m);
    return 0;
}
