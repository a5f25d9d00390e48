/* The monitor's inspection commands: registers, CSRs and MSRs from their tables, segments and
 * descriptor tables, page walks, the TLBs, memory and disassembly.
 *
 * Inspection must not change the machine: memory is read from RAM only (a device register read
 * can have side effects, a UART receive buffer pops), and the page walks here read page tables
 * without setting accessed/dirty bits (mmu_sv39_walk() and the x86 walker set them, as hardware
 * does, so the monitor has its own read-only walk). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#ifdef RINGSIDE_HAVE_CAPSTONE
#include <capstone/capstone.h>
#endif

#include "cpu/riscv/riscv.h"
#include "cpu/x86/x86.h"
#include "mmu/x86_paging.h"
#include "monitor/internal.h"

static bool is_riscv(const struct mon *mon)
{
    return mon->m->arch == ARCH_RISCV64;
}

uint64_t mon_pc(struct mon *mon)
{
    uint64_t pc = 0;
    mon->m->cpu_ops->get_reg(mon->m->cpu, "pc", &pc);
    return pc;
}

unsigned mon_priv(struct mon *mon)
{
    uint64_t priv = 0;
    mon->m->cpu_ops->get_reg(mon->m->cpu, "priv", &priv);
    return (unsigned)priv;
}

const char *mon_priv_name(struct mon *mon, unsigned priv)
{
    if (is_riscv(mon)) {
        static const char *const names[4] = {"U", "S", "?", "M"};
        return names[priv & 3];
    }
    static const char *const rings[4] = {"ring 0", "ring 1", "ring 2", "ring 3"};
    return rings[priv & 3];
}

/* ---- Translation (read-only walks) --------------------------------------------------------- */

static int read_phys(struct mon *mon, uint64_t pa, void *dst, size_t len)
{
    return bus_copy_from_ram(&mon->m->bus, pa, dst, len) < 0 ? -1 : 0;
}

/* One level of a walk, for pt and for translation. */
struct walk_step {
    uint64_t entry_addr, entry;
    int level;
    bool leaf;
    uint64_t rsvd; /* x86 4-level: the reserved bits set in the entry (the walk stops) */
};

/* IA-32e mode: EFER.LMA (SDM Vol. 3A 2.2.1). */
static bool x86_long_mode(const struct x86_cpu *cpu)
{
    return (cpu->msr[X86_MSR_EFER] & X86_EFER_LMA) != 0;
}

/* A canonical 48-bit linear address: bits 63:47 all equal (SDM Vol. 1 3.3.7.1). */
static bool x86_canonical48(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

/* Sv39 (priv. spec 4.3.2 with LEVELS = 3): the steps taken; returns the number of steps and
 * sets *pa (or leaves it when the walk faults; *ok says which). */
static int walk_sv39(struct mon *mon, uint64_t satp, uint64_t va, struct walk_step *steps,
                     uint64_t *pa, bool *ok)
{
    *ok = false;
    if (!mmu_sv39_canonical(va)) return 0;
    uint64_t table = (satp & ((1ull << 44) - 1)) << 12;
    int n = 0;
    for (int level = 2; level >= 0; level--) {
        uint64_t vpn = (va >> (12 + 9 * level)) & 0x1ff;
        uint64_t addr = table + vpn * 8, pte;
        if (read_phys(mon, addr, &pte, 8) < 0) return n;
        steps[n] = (struct walk_step){.entry_addr = addr, .entry = pte, .level = level};
        n++;
        if (!(pte & MMU_PTE_V) || (!(pte & MMU_PTE_R) && (pte & MMU_PTE_W))) return n;
        if (pte & (MMU_PTE_R | MMU_PTE_X)) {
            steps[n - 1].leaf = true;
            uint64_t span = 1ull << (12 + 9 * level);
            *pa = (((pte >> 10) << 12) & ~(span - 1)) | (va & (span - 1));
            *ok = true;
            return n;
        }
        table = (pte >> 10) << 12;
    }
    return n;
}

/* x86 32-bit paging (SDM Vol. 3A 4.3): PDE, then PTE unless the PDE maps a 4 MiB page. */
static int walk_x86_32(struct mon *mon, const struct x86_cpu *cpu, uint64_t va,
                       struct walk_step *steps, uint64_t *pa, bool *ok)
{
    *ok = false;
    uint32_t pde, pte;
    uint64_t addr = (cpu->cr3 & 0xfffff000u) + ((va >> 22) & 0x3ff) * 4;
    if (read_phys(mon, addr, &pde, 4) < 0) return 0;
    steps[0] = (struct walk_step){.entry_addr = addr, .entry = pde, .level = 1};
    if (!(pde & 1)) return 1;
    if ((pde & 0x80) && (cpu->cr4 & X86_CR4_PSE)) {
        steps[0].leaf = true;
        *pa = (pde & 0xffc00000u) | (va & 0x3fffff);
        *ok = true;
        return 1;
    }
    addr = (pde & 0xfffff000u) + ((va >> 12) & 0x3ff) * 4;
    if (read_phys(mon, addr, &pte, 4) < 0) return 1;
    steps[1] = (struct walk_step){.entry_addr = addr, .entry = pte, .level = 0, .leaf = true};
    if (!(pte & 1)) return 2;
    *pa = (pte & 0xfffff000u) | (va & 0xfff);
    *ok = true;
    return 2;
}

/* x86 4-level paging (SDM Vol. 3A 4.5): PML4E (level 3), PDPTE (2), PDE (1), PTE (0), stopping
 * at a 1 GiB or 2 MiB page, a not-present entry or one with reserved bits set (4.5.5, Tables
 * 4-14 to 4-20, MAXPHYADDR as the CPU's: MMU_X86_MAXPHYADDR). Reads only: no A/D bits. */
/* The 8-byte entries of x86 paging from level top down to the PTE (level 0), starting at table,
 * appended to steps[*n]: 4-level paging (SDM Vol. 3A 4.5) from the PML4 (top 3), PAE paging
 * (4.4) from a page directory (top 1). Reserved bits: 63:MAXPHYADDR, XD without EFER.NXE,
 * PML4E.PS, and a large page's address bits below its boundary (Tables 4-11, 4-15). */
static void walk_x86_levels(struct mon *mon, const struct x86_cpu *cpu, uint64_t va, uint64_t table,
                            int top, struct walk_step *steps, int *n, uint64_t *pa, bool *ok)
{
    const uint64_t addr_mask = ((1ull << MMU_X86_MAXPHYADDR) - 1) & ~0xfffull;
    const uint64_t rsvd_all = (((1ull << 52) - 1) & ~((1ull << MMU_X86_MAXPHYADDR) - 1)) |
                              (cpu->msr[X86_MSR_EFER] & X86_EFER_NXE ? 0 : 1ull << 63);
    for (int level = top; level >= 0; level--) {
        unsigned shift = 12 + 9 * (unsigned)level;
        uint64_t addr = table + ((va >> shift) & 0x1ff) * 8, e;
        if (read_phys(mon, addr, &e, 8) < 0) return;
        steps[*n] = (struct walk_step){.entry_addr = addr, .entry = e, .level = level};
        (*n)++;
        if (!(e & 1)) return;
        uint64_t rsvd = rsvd_all;
        bool leaf = level == 0;
        if (level == 3)
            rsvd |= 0x80; /* PML4E.PS is reserved */
        else if ((level == 2 || level == 1) && (e & 0x80)) {
            rsvd |= level == 2 ? 0x3fffe000ull : 0x1fe000ull; /* the large page's address bits */
            leaf = true;
        }
        if (e & rsvd) {
            steps[*n - 1].rsvd = e & rsvd;
            return;
        }
        if (leaf) {
            uint64_t span = 1ull << shift;
            steps[*n - 1].leaf = true;
            *pa = (e & addr_mask & ~(span - 1)) | (va & (span - 1));
            *ok = true;
            return;
        }
        table = e & addr_mask;
    }
}

static int walk_x86_4(struct mon *mon, const struct x86_cpu *cpu, uint64_t va,
                      struct walk_step *steps, uint64_t *pa, bool *ok)
{
    *ok = false;
    if (!x86_canonical48(va)) return 0;
    int n = 0;
    walk_x86_levels(mon, cpu, va, cpu->cr3 & ((1ull << MMU_X86_MAXPHYADDR) - 1) & ~0xfffull, 3,
                    steps, &n, pa, ok);
    return n;
}

/* PAE paging (SDM Vol. 3A 4.4): the PDPTE comes from the register the CPU loaded (cpu->pdpte,
 * shown at its address in CR3's table; PDPTEs hold no access rights, 4.4.1), then the PDE and PTE
 * as in 4-level paging. va is a 32-bit linear address. */
static int walk_x86_pae(struct mon *mon, const struct x86_cpu *cpu, uint64_t va,
                        struct walk_step *steps, uint64_t *pa, bool *ok)
{
    *ok = false;
    unsigned i = (unsigned)(va >> 30) & 3;
    uint64_t e = cpu->pdpte[i];
    steps[0] =
        (struct walk_step){.entry_addr = (cpu->cr3 & 0xffffffe0u) + i * 8, .entry = e, .level = 2};
    int n = 1;
    if (e & 1)
        walk_x86_levels(mon, cpu, va, e & ((1ull << MMU_X86_MAXPHYADDR) - 1) & ~0xfffull, 1, steps,
                        &n, pa, ok);
    return n;
}

/* x86: 4-level paging when CR4.PAE with EFER.LME; PAE paging when CR4.PAE without it. */
static bool x86_paging4(const struct x86_cpu *cpu)
{
    return (cpu->cr4 & X86_CR4_PAE) && (cpu->msr[X86_MSR_EFER] & X86_EFER_LME);
}

static bool x86_paging_pae(const struct x86_cpu *cpu)
{
    return (cpu->cr4 & X86_CR4_PAE) && !(cpu->msr[X86_MSR_EFER] & X86_EFER_LME);
}

int mon_translate(struct mon *mon, uint64_t va, uint64_t *pa)
{
    struct walk_step steps[4];
    bool ok;
    if (is_riscv(mon)) {
        struct rv_hart *h = mon->m->cpu;
        /* the monitor looks at memory as the hart's instruction fetch would (MPRV aside) */
        if (h->priv == RV_PRIV_M || (h->csr.satp >> 60) != 8) {
            *pa = va;
            return 0;
        }
        walk_sv39(mon, h->csr.satp, va, steps, pa, &ok);
        return ok ? 0 : -1;
    }
    struct x86_cpu *cpu = mon->m->cpu;
    if (!(cpu->cr0 & X86_CR0_PG)) {
        *pa = va & 0xffffffffu;
        return 0;
    }
    if (x86_paging4(cpu))
        walk_x86_4(mon, cpu, va, steps, pa, &ok);
    else if (x86_paging_pae(cpu))
        walk_x86_pae(mon, cpu, va & 0xffffffffu, steps, pa, &ok);
    else
        walk_x86_32(mon, cpu, va, steps, pa, &ok);
    return ok ? 0 : -1;
}

static int access_virt(struct mon *mon, uint64_t va, void *buf, size_t len, bool write)
{
    uint8_t *p = buf;
    while (len) {
        uint64_t pa;
        size_t chunk = 4096 - (va & 4095);
        if (chunk > len) chunk = len;
        if (mon_translate(mon, va, &pa) < 0) return -1;
        int rc = write ? bus_copy_to_ram(&mon->m->bus, pa, p, chunk)
                       : bus_copy_from_ram(&mon->m->bus, pa, p, chunk);
        if (rc < 0) return -1;
        va += chunk;
        p += chunk;
        len -= chunk;
    }
    return 0;
}

int mon_read_virt(struct mon *mon, uint64_t va, void *dst, size_t len)
{
    return access_virt(mon, va, dst, len, false);
}

int mon_write_virt(struct mon *mon, uint64_t va, const void *src, size_t len)
{
    return access_virt(mon, va, (void *)src, len, true);
}

/* ---- Symbols -------------------------------------------------------------------------------- */

static bool in_image(const struct elf_image *img, uint64_t addr, bool physical)
{
    for (size_t i = 0; i < img->n_segments; i++) {
        uint64_t base = physical ? img->segments[i].paddr : img->segments[i].vaddr;
        if (addr >= base && addr - base < img->segments[i].memsz) return true;
    }
    return false;
}

static const char *name_at(const struct elf_image *img, uint64_t addr, char *buf, size_t len)
{
    uint64_t off = 0;
    const struct elf_symbol *s = elf_symbol_at(img, addr, &off);
    if (!s) return NULL;
    if (off)
        snprintf(buf, len, "%s+%#" PRIx64, s->name, off);
    else
        snprintf(buf, len, "%s", s->name);
    return buf;
}

/* The x86_64 kernel ships as an ELF32 container (design.md "Platforms"): its symbols and
 * segments hold the low 32 bits of addresses in the top 2 GiB (-mcmodel=kernel), so
 * 0xffffffff80104806 is 0x80104806 there. */
static bool kernel_in_elf32(const struct mon *mon)
{
    return !is_riscv(mon) && mon->kernel->elf_class == 32;
}

/* Is the kernel a 64-bit one: the program it runs is x86-64, or the CPU is in IA-32e mode. */
static bool kernel_is_64(struct mon *mon)
{
    if (is_riscv(mon)) return false;
    return (mon->have_prog && mon->prog.elf_class == 64) ||
           (((const struct x86_cpu *)mon->m->cpu)->msr[X86_MSR_EFER] & X86_EFER_LMA);
}

/* The program's symbols for its own addresses; the kernel's for its addresses, also where the
 * kernel maps its code at another virtual address (the RISC-V trampoline page), found through
 * the current translation. */
const char *mon_symbolize(struct mon *mon, uint64_t addr, char *buf, size_t len)
{
    buf[0] = '\0';
    if (mon->have_prog && in_image(&mon->prog, addr, false) && name_at(&mon->prog, addr, buf, len))
        return buf;
    uint64_t kaddr = addr;
    if (kernel_in_elf32(mon) && (addr >> 32) == 0xffffffffu && (addr & 0x80000000u))
        kaddr = (uint32_t)addr; /* the ELF32 container's symbols of a 64-bit kernel */
    if (in_image(mon->kernel, kaddr, false) && name_at(mon->kernel, kaddr, buf, len)) return buf;
    uint64_t pa;
    if (mon_translate(mon, addr, &pa) == 0 && pa != addr && in_image(mon->kernel, pa, true) &&
        name_at(mon->kernel, pa, buf, len))
        return buf;
    buf[0] = '\0';
    return buf;
}

static const struct elf_symbol *find_symbol(struct mon *mon, const char *name)
{
    const struct elf_symbol *s = mon->have_prog ? elf_find_symbol(&mon->prog, name) : NULL;
    return s ? s : elf_find_symbol(mon->kernel, name);
}

/* NUMBER, SYMBOL or $REGISTER ($pc, $sp, $a0), with an optional +OFFSET or -OFFSET. */
int mon_resolve(void *opaque, const char *text, uint64_t *value)
{
    struct mon *mon = opaque;
    if (mon_parse_u64(text, value) == 0) return 0;
    char name[128];
    snprintf(name, sizeof name, "%s", text);
    uint64_t off = 0;
    bool minus = false;
    char *sign = strpbrk(name + 1, "+-");
    if (sign) {
        minus = *sign == '-';
        *sign = '\0';
        if (mon_parse_u64(sign + 1, &off) < 0) return -1;
    }
    uint64_t base;
    if (name[0] == '$') {
        if (!mon->m->cpu_ops->get_reg(mon->m->cpu, name + 1, &base)) return -1;
    } else if (mon_parse_u64(name, &base) < 0) {
        const struct elf_symbol *s = find_symbol(mon, name);
        if (!s) return -1;
        base = s->value;
        /* a kernel symbol of a 64-bit kernel's ELF32 container: its address sign-extended */
        bool from_kernel = !(mon->have_prog && elf_find_symbol(&mon->prog, name));
        if (from_kernel && kernel_in_elf32(mon) && kernel_is_64(mon) && (base & 0x80000000u) &&
            base >> 32 == 0)
            base |= 0xffffffff00000000ull;
    }
    *value = minus ? base - off : base + off;
    return 0;
}

/* ---- Disassembly ------------------------------------------------------------------------ */

void mon_disas_init(struct mon *mon)
{
    mon->capstone = NULL;
    mon->capstone_open = false;
}

void mon_disas_fini(struct mon *mon)
{
#ifdef RINGSIDE_HAVE_CAPSTONE
    if (mon->capstone_open) {
        csh handle = (csh)(uintptr_t)mon->capstone;
        cs_close(&handle);
    }
#endif
    mon->capstone_open = false;
}

unsigned mon_disas_one(struct mon *mon, uint64_t va, char *buf, size_t len)
{
    if (is_riscv(mon)) {
        uint16_t lo, hi = 0;
        if (mon_read_virt(mon, va, &lo, 2) < 0) return 0;
        if ((lo & 3) == 3 && mon_read_virt(mon, va + 2, &hi, 2) < 0) return 0;
        return rv_disasm(mon->m->cpu, va, (uint32_t)lo | (uint32_t)hi << 16, buf, len);
    }
#ifdef RINGSIDE_HAVE_CAPSTONE
    struct x86_cpu *cpu = mon->m->cpu;
    uint8_t bytes[16];
    size_t n = 16;
    while (n && mon_read_virt(mon, va, bytes, n) < 0)
        n--;
    if (!n) return 0;
    cs_mode mode = cpu->code_bits == 64   ? CS_MODE_64
                   : cpu->code_bits == 16 ? CS_MODE_16
                                          : CS_MODE_32;
    csh handle;
    if (cs_open(CS_ARCH_X86, mode, &handle) != CS_ERR_OK) {
        snprintf(buf, len, "(capstone cannot open)");
        return 0;
    }
    cs_insn *insn;
    size_t count = cs_disasm(handle, bytes, n, va, 1, &insn);
    unsigned size = 0;
    if (count) {
        snprintf(buf, len, "%s%s%s", insn[0].mnemonic, insn[0].op_str[0] ? " " : "",
                 insn[0].op_str);
        size = insn[0].size;
        cs_free(insn, count);
    } else {
        snprintf(buf, len, "(bad)");
        size = 1;
    }
    cs_close(&handle);
    return size;
#else
    uint8_t b;
    if (mon_read_virt(mon, va, &b, 1) < 0) return 0;
    snprintf(buf, len, ".byte %#x (x86 disassembly needs Capstone)", b);
    return 1;
#endif
}

bool mon_is_call(struct mon *mon, uint64_t va, unsigned *len)
{
    if (is_riscv(mon)) {
        uint32_t w = 0;
        uint16_t lo;
        if (mon_read_virt(mon, va, &lo, 2) < 0) return false;
        if ((lo & 3) != 3) {
            /* c.jalr rs1 (rd = ra implicitly): 1001 rs1 00000 10, rs1 != 0 */
            *len = 2;
            return (lo & 0xf07f) == 0x9002 && ((lo >> 7) & 0x1f) != 0;
        }
        if (mon_read_virt(mon, va, &w, 4) < 0) return false;
        *len = 4;
        unsigned opcode = w & 0x7f, rd = (w >> 7) & 0x1f;
        return (opcode == 0x6f || opcode == 0x67) && rd == 1; /* jal/jalr ra, ... */
    }
    char text[128];
    unsigned n = mon_disas_one(mon, va, text, sizeof text);
    *len = n;
    return n && strncmp(text, "call", 4) == 0;
}

void mon_print_where(struct mon *mon, const char *mark, uint64_t pc)
{
    char sym[128], text[128];
    mon_symbolize(mon, pc, sym, sizeof sym);
    unsigned n = mon_disas_one(mon, pc, text, sizeof text);
    fprintf(mon->out, "%s 0x%016" PRIx64 " %s%s%s  %s\n", mark, pc, sym[0] ? "<" : "", sym,
            sym[0] ? ">" : "", n ? text : "(not mapped)");
}

int mon_cmd_disas(struct mon *mon, int argc, char **argv)
{
    uint64_t pc = mon_pc(mon), addr = pc, n = 8;
    if (argc > 1 && mon_resolve(mon, argv[1], &addr) < 0) {
        fprintf(mon->out, "disas: '%s' is not an address or a symbol\n", argv[1]);
        return -1;
    }
    if (argc > 2 && (mon_parse_u64(argv[2], &n) < 0 || n == 0 || n > 1000)) {
        fprintf(mon->out, "disas: '%s' is not a count (1..1000)\n", argv[2]);
        return -1;
    }
    for (uint64_t i = 0; i < n; i++) {
        char text[128];
        if (!mon_disas_one(mon, addr, text, sizeof text)) {
            fprintf(mon->out, "cannot access memory at %#" PRIx64 "\n", addr);
            return i ? 0 : -1;
        }
        unsigned len = mon_disas_one(mon, addr, text, sizeof text);
        mon_print_where(mon, addr == pc ? "=>" : "  ", addr);
        addr += len;
    }
    return 0;
}

/* ---- Registers ---------------------------------------------------------------------------- */

static const char *const rv_names[] = {"zero", "ra", "sp", "gp", "tp", "t0", "t1",  "t2", "s0",
                                       "s1",   "a0", "a1", "a2", "a3", "a4", "a5",  "a6", "a7",
                                       "s2",   "s3", "s4", "s5", "s6", "s7", "s8",  "s9", "s10",
                                       "s11",  "t3", "t4", "t5", "t6", "pc", "priv"};
static const char *const x86_names[] = {
    "eax",     "ecx",           "edx", "ebx",    "esp",  "ebp",  "esi",   "edi",    "eip",
    "eflags",  "cpl",           "cs",  "ss",     "ds",   "es",   "fs",    "gs",     "cr0",
    "cr2",     "cr3",           "cr4", "rax",    "rcx",  "rdx",  "rbx",   "rsp",    "rbp",
    "rsi",     "rdi",           "rip", "rflags", "r8",   "r9",   "r10",   "r11",    "r12",
    "r13",     "r14",           "r15", "cr8",    "efer", "star", "lstar", "sfmask", "fs_base",
    "gs_base", "kernel_gs_base"};

const char *const *mon_reg_names(struct mon *mon, size_t *count)
{
    if (is_riscv(mon)) {
        *count = sizeof rv_names / sizeof rv_names[0];
        return rv_names;
    }
    *count = sizeof x86_names / sizeof x86_names[0];
    return x86_names;
}

int mon_cmd_regs(struct mon *mon, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            uint64_t v;
            if (!mon->m->cpu_ops->get_reg(mon->m->cpu, argv[i], &v)) {
                fprintf(mon->out, "regs: no register '%s'\n", argv[i]);
                return -1;
            }
            fprintf(mon->out, "%-8s 0x%016" PRIx64 "\n", argv[i], v);
        }
        return 0;
    }
    char sym[128];
    uint64_t pc = mon_pc(mon);
    mon_symbolize(mon, pc, sym, sizeof sym);
    if (is_riscv(mon)) {
        struct rv_hart *h = mon->m->cpu;
        fprintf(mon->out, "pc   0x%016" PRIx64 " %s%s%s  priv %s\n", h->pc, sym[0] ? "<" : "", sym,
                sym[0] ? ">" : "", mon_priv_name(mon, h->priv));
        for (unsigned r = 0; r < 32; r++)
            fprintf(mon->out, "%-4s 0x%016" PRIx64 "%s", rv_names[r], h->x[r],
                    r % 4 == 3 ? "\n" : "  ");
        return 0;
    }
    struct x86_cpu *cpu = mon->m->cpu;
    static const char *const gpr[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    bool lm = x86_long_mode(cpu);
    if (lm) {
        /* IA-32e mode: all sixteen registers at 64 bits, whichever mode the code is in */
        static const char *const gpr64[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp",
                                              "rsi", "rdi", "r8",  "r9",  "r10", "r11",
                                              "r12", "r13", "r14", "r15"};
        fprintf(mon->out, "rip    0x%016" PRIx64 " %s%s%s  cpl %u  %s\n", cpu->rip,
                sym[0] ? "<" : "", sym, sym[0] ? ">" : "", cpu->cpl,
                cpu->code_bits == 64 ? "64-bit mode" : "compatibility mode");
        for (unsigned r = 0; r < 16; r++)
            fprintf(mon->out, "%-6s 0x%016" PRIx64 "%s", gpr64[r], cpu->gpr[r],
                    r % 4 == 3 ? "\n" : "  ");
    } else {
        fprintf(mon->out, "eip    0x%08" PRIx64 " %s%s%s  cpl %u  %u-bit code\n", cpu->rip,
                sym[0] ? "<" : "", sym, sym[0] ? ">" : "", cpu->cpl, cpu->code_bits);
        for (unsigned r = 0; r < 8; r++)
            fprintf(mon->out, "%-6s 0x%08" PRIx64 "%s", gpr[r], cpu->gpr[r] & 0xffffffffu,
                    r % 4 == 3 ? "\n" : "  ");
    }
    static const struct {
        const char *name;
        uint32_t bit;
    } flags[] = {{"CF", X86_CF}, {"PF", X86_PF}, {"AF", X86_AF}, {"ZF", X86_ZF}, {"SF", X86_SF},
                 {"TF", X86_TF}, {"IF", X86_IF}, {"DF", X86_DF}, {"OF", X86_OF}, {"NT", X86_NT},
                 {"RF", X86_RF}, {"VM", X86_VM}, {"AC", X86_AC}, {"ID", X86_ID}};
    fprintf(mon->out, "%s 0x%08" PRIx64 " [", lm ? "rflags" : "eflags", cpu->rflags);
    bool first = true;
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (cpu->rflags & flags[i].bit) {
            fprintf(mon->out, "%s%s", first ? "" : " ", flags[i].name);
            first = false;
        }
    fprintf(mon->out, "] IOPL=%u\n", (unsigned)((cpu->rflags & X86_IOPL) >> X86_IOPL_SHIFT));
    static const char *const sregs[X86_NSEG] = {"es", "cs", "ss", "ds", "fs", "gs"};
    for (unsigned s = 0; s < X86_NSEG; s++)
        fprintf(mon->out, "%s %04x%s", sregs[s], cpu->seg[s].sel, s + 1 < X86_NSEG ? "  " : "\n");
    x86_dump_pending(cpu, mon->out);
    if (lm) {
        uint64_t kgs = cpu->msr[X86_MSR_KERNEL_GS_BASE];
        fprintf(mon->out,
                "fs.base 0x%016" PRIx64 "  gs.base 0x%016" PRIx64 "  kernel_gs_base 0x%016" PRIx64
                "\n",
                cpu->seg[X86_FS].base, cpu->seg[X86_GS].base, kgs);
        fprintf(mon->out,
                "cr0 0x%08" PRIx64 "  cr2 0x%016" PRIx64 "  cr3 0x%016" PRIx64 "  cr4 0x%08" PRIx64
                "  cr8 %" PRIu64 "  efer 0x%" PRIx64 "\n",
                cpu->cr0, cpu->cr2, cpu->cr3, cpu->cr4, cpu->cr8, cpu->msr[X86_MSR_EFER]);
        return 0;
    }
    fprintf(mon->out,
            "cr0 0x%08" PRIx64 "  cr2 0x%08" PRIx64 "  cr3 0x%08" PRIx64 "  cr4 0x%08" PRIx64 "\n",
            cpu->cr0, cpu->cr2, cpu->cr3, cpu->cr4);
    return 0;
}

/* ---- Register differences (the transition view) -------------------------------------------- */

/* The order of struct mon_regs for each architecture. */
#define X86_SNAP 28
static const char *const rv_snap_names[34] = {
    "zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2", "s0", "s1",  "a0", "a1",
    "a2",   "a3", "a4",  "a5",  "a6", "a7", "s2", "s3", "s4", "s5",  "s6", "s7",
    "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6", "pc", "priv"};
static const char *const x86_snap_names[X86_SNAP] = {
    "eax", "ecx", "edx",    "ebx", "esp",     "ebp",     "esi",
    "edi", "eip", "eflags", "cpl", "es",      "cs",      "ss",
    "ds",  "fs",  "gs",     "r8",  "r9",      "r10",     "r11",
    "r12", "r13", "r14",    "r15", "fs.base", "gs.base", "kernel_gs_base"};
/* IA-32e mode: the same registers by their 64-bit names */
static const char *const x86_snap_names64[X86_SNAP] = {
    "rax", "rcx", "rdx",    "rbx", "rsp",     "rbp",     "rsi",
    "rdi", "rip", "rflags", "cpl", "es",      "cs",      "ss",
    "ds",  "fs",  "gs",     "r8",  "r9",      "r10",     "r11",
    "r12", "r13", "r14",    "r15", "fs.base", "gs.base", "kernel_gs_base"};

/* Straight from the core's structure: this runs after every instruction while the monitor
 * watches, so it must cost a copy, not a lookup by name. */
void mon_snapshot(struct mon *mon, struct mon_regs *regs)
{
    if (is_riscv(mon)) {
        const struct rv_hart *h = mon->m->cpu;
        memcpy(regs->r, h->x, sizeof h->x);
        regs->r[32] = h->pc;
        regs->r[33] = h->priv;
        return;
    }
    const struct x86_cpu *cpu = mon->m->cpu;
    memcpy(regs->r, cpu->gpr, 8 * sizeof cpu->gpr[0]);
    regs->r[8] = cpu->rip;
    regs->r[9] = x86_get_rflags(cpu); /* inside the run loop: flags may be lazy */
    regs->r[10] = cpu->cpl;
    for (unsigned s = 0; s < X86_NSEG; s++)
        regs->r[11 + s] = cpu->seg[s].sel;
    memcpy(regs->r + 17, cpu->gpr + 8, 8 * sizeof cpu->gpr[0]);
    regs->r[25] = cpu->seg[X86_FS].base;
    regs->r[26] = cpu->seg[X86_GS].base;
    regs->r[27] = cpu->msr[X86_MSR_KERNEL_GS_BASE];
}

void mon_print_reg_diff(struct mon *mon, const struct mon_regs *before,
                        const struct mon_regs *after)
{
    bool rv = is_riscv(mon);
    size_t n = rv ? 34 : X86_SNAP;
    bool lm = !rv && x86_long_mode(mon->m->cpu);
    for (size_t i = 0; i < n; i++) {
        if (before->r[i] == after->r[i]) continue;
        const char *name = rv ? rv_snap_names[i] : lm ? x86_snap_names64[i] : x86_snap_names[i];
        fprintf(mon->out, "      %-12s %#" PRIx64 " -> %#" PRIx64, name, before->r[i], after->r[i]);
        if ((rv && i == 33) || (!rv && i == 10))
            fprintf(mon->out, " (%s -> %s)", mon_priv_name(mon, (unsigned)before->r[i]),
                    mon_priv_name(mon, (unsigned)after->r[i]));
        fprintf(mon->out, "\n");
    }
}

/* ---- CSRs ---------------------------------------------------------------------------------- */

struct field {
    const char *name;
    uint8_t lo, width;
    bool fields_address;
};
#define F(name, lo, width)                                                                         \
    {                                                                                              \
        name, lo, width, false                                                                     \
    }
static const struct field f_mstatus[] = {
    F("SIE", 1, 1),  F("MIE", 3, 1),  F("SPIE", 5, 1), F("UBE", 6, 1),     F("MPIE", 7, 1),
    F("SPP", 8, 1),  F("MPP", 11, 2), F("FS", 13, 2),  F("XS", 15, 2),     F("MPRV", 17, 1),
    F("SUM", 18, 1), F("MXR", 19, 1), F("TVM", 20, 1), F("TW", 21, 1),     F("TSR", 22, 1),
    F("UXL", 32, 2), F("SXL", 34, 2), F("SD", 63, 1),  {NULL, 0, 0, false}};
static const struct field f_sstatus[] = {F("SIE", 1, 1),  F("SPIE", 5, 1),    F("UBE", 6, 1),
                                         F("SPP", 8, 1),  F("FS", 13, 2),     F("XS", 15, 2),
                                         F("SUM", 18, 1), F("MXR", 19, 1),    F("UXL", 32, 2),
                                         F("SD", 63, 1),  {NULL, 0, 0, false}};
static const struct field f_cause[] = {
    F("Interrupt", 63, 1), F("Code", 0, 63), {NULL, 0, 0, false}};
static const struct field f_satp[] = {
    F("MODE", 60, 4), F("ASID", 44, 16), F("PPN", 0, 44), {NULL, 0, 0, false}};
static const struct field f_ip[] = {F("SSI", 1, 1),     F("MSI", 3, 1), F("STI", 5, 1),
                                    F("MTI", 7, 1),     F("SEI", 9, 1), F("MEI", 11, 1),
                                    {NULL, 0, 0, false}};
static const struct field f_tvec[] = {{"BASE", 2, 62, true}, F("MODE", 0, 2), {NULL, 0, 0, false}};
#undef F

/* The CSRs whose fields the monitor names (priv. spec 3.1.6, 3.1.9, 3.1.15, 4.1.11). */
static const struct {
    const char *csr;
    const struct field *fields;
} csr_fields[] = {
    {"mstatus", f_mstatus}, {"sstatus", f_sstatus}, {"mcause", f_cause}, {"scause", f_cause},
    {"satp", f_satp},       {"mip", f_ip},          {"mie", f_ip},       {"sip", f_ip},
    {"sie", f_ip},          {"mtvec", f_tvec},      {"stvec", f_tvec},
};

const char *mon_cause_name(struct mon *mon, uint64_t cause, bool interrupt)
{
    if (!is_riscv(mon))
        return cause < 32 ? x86_vector_name((unsigned)cause) : interrupt ? "external" : "INT n";
    static const char *const exc[16] = {"instruction address misaligned",
                                        "instruction access fault",
                                        "illegal instruction",
                                        "breakpoint",
                                        "load address misaligned",
                                        "load access fault",
                                        "store/AMO address misaligned",
                                        "store/AMO access fault",
                                        "ecall from U",
                                        "ecall from S",
                                        NULL,
                                        "ecall from M",
                                        "instruction page fault",
                                        "load page fault",
                                        NULL,
                                        "store/AMO page fault"};
    static const char *const irq[12] = {NULL, "S software", NULL, "M software", NULL, "S timer",
                                        NULL, "M timer",    NULL, "S external", NULL, "M external"};
    const char *name =
        interrupt ? (cause < 12 ? irq[cause] : NULL) : (cause < 16 ? exc[cause] : NULL);
    return name ? name : "reserved";
}

void mon_print_csr_fields(struct mon *mon, const char *name, uint64_t value)
{
    for (size_t i = 0; i < sizeof csr_fields / sizeof csr_fields[0]; i++) {
        if (strcmp(csr_fields[i].csr, name) != 0) continue;
        fprintf(mon->out, "  [");
        for (const struct field *f = csr_fields[i].fields; f->name; f++) {
            uint64_t mask = f->width == 64 ? UINT64_MAX : (1ull << f->width) - 1;
            uint64_t v = (value >> f->lo) & mask;
            if (f->fields_address) v <<= f->lo; /* tvec.BASE: an address, shown as one */
            if (f->width > 8)
                fprintf(mon->out, "%s%s=%#" PRIx64, f == csr_fields[i].fields ? "" : " ", f->name,
                        v);
            else
                fprintf(mon->out, "%s%s=%" PRIu64, f == csr_fields[i].fields ? "" : " ", f->name,
                        v);
        }
        fprintf(mon->out, "]");
        if (csr_fields[i].fields == f_cause)
            fprintf(mon->out, " %s", mon_cause_name(mon, value & ~RV_CAUSE_INTERRUPT, value >> 63));
        if (csr_fields[i].fields == f_satp)
            fprintf(mon->out, " %s",
                    (value >> 60) == 8   ? "Sv39"
                    : (value >> 60) == 0 ? "Bare"
                                         : "?");
        return;
    }
}

int mon_cmd_info_csr(struct mon *mon, int argc, char **argv)
{
    if (!is_riscv(mon)) {
        fprintf(mon->out, "info csr: RISC-V only (x86: info msr, regs)\n");
        return -1;
    }
    struct rv_hart *h = mon->m->cpu;
    size_t count;
    const struct rv_csr_info *table = rv_csr_table(&count);
    bool all = argc > 2 && strcmp(argv[2], "all") == 0;
    if (argc > 2 && !all) {
        for (int a = 2; a < argc; a++) {
            size_t i;
            for (i = 0; i < count; i++)
                if (strcmp(table[i].name, argv[a]) == 0) break;
            if (i == count) {
                fprintf(mon->out, "info csr: no CSR '%s'\n", argv[a]);
                return -1;
            }
            uint64_t v = 0;
            rv_csr_get(h, table[i].number, &v);
            fprintf(mon->out, "%-10s 0x%03x 0x%016" PRIx64, table[i].name, table[i].number, v);
            mon_print_csr_fields(mon, table[i].name, v);
            fprintf(mon->out, "\n");
        }
        return 0;
    }
    unsigned zero = 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t v = 0;
        rv_csr_get(h, table[i].number, &v);
        if (!v && !all) {
            zero++;
            continue;
        }
        fprintf(mon->out, "%-10s 0x%03x 0x%016" PRIx64, table[i].name, table[i].number, v);
        mon_print_csr_fields(mon, table[i].name, v);
        fprintf(mon->out, "\n");
    }
    if (zero) fprintf(mon->out, "(%u CSRs are zero: info csr all lists them)\n", zero);
    return 0;
}

/* ---- x86: MSRs, segments, descriptor tables, the TSS ---------------------------------------- */

static struct x86_cpu *x86_of(struct mon *mon, const char *what)
{
    if (is_riscv(mon)) {
        fprintf(mon->out, "%s: x86 only (RISC-V: info csr)\n", what);
        return NULL;
    }
    return mon->m->cpu;
}

int mon_cmd_info_msr(struct mon *mon, int argc, char **argv)
{
    (void)argc, (void)argv;
    struct x86_cpu *cpu = x86_of(mon, "info msr");
    if (!cpu) return -1;
    for (int i = 0; i < X86_MSR_COUNT; i++) {
        uint64_t v = cpu->msr[i];
        /* as RDMSR reads them (FS_BASE/GS_BASE are the segment bases; reading has no effects) */
        x86_rdmsr(cpu, x86_msr_table[i].number, &v);
        fprintf(mon->out, "%-16s 0x%08x 0x%016" PRIx64, x86_msr_table[i].name,
                x86_msr_table[i].number, v);
        /* the fields of the MSRs that take part in transitions (SDM Vol. 4 Table 2-2) */
        if (i == X86_MSR_EFER)
            fprintf(mon->out, "  [SCE=%u LME=%u LMA=%u NXE=%u]", (unsigned)(v & 1),
                    (unsigned)(v >> 8) & 1, (unsigned)(v >> 10) & 1, (unsigned)(v >> 11) & 1);
        else if (i == X86_MSR_STAR) {
            /* SDM Vol. 2B SYSCALL, SYSRET: SS = CS + 8; 64-bit SYSRET: CS = STAR[63:48] + 16 */
            unsigned sc = (unsigned)(v >> 32) & 0xffff, sr = (unsigned)(v >> 48) & 0xffff;
            fprintf(mon->out,
                    "  [SYSCALL CS=%04x SYSRET CS=%04x EIP=%08x; SYSCALL SS=%04x, "
                    "SYSRETQ CS=%04x SS=%04x]",
                    sc, sr, (unsigned)v, (sc + 8) & 0xfffc, ((sr + 16) & 0xfffc) | 3,
                    ((sr + 8) & 0xfffc) | 3);
        } else if (i == X86_MSR_SFMASK) {
            static const struct {
                const char *name;
                uint32_t bit;
            } fl[] = {{"CF", X86_CF}, {"TF", X86_TF}, {"IF", X86_IF},
                      {"DF", X86_DF}, {"OF", X86_OF}, {"NT", X86_NT},
                      {"RF", X86_RF}, {"AC", X86_AC}, {"IOPL", X86_IOPL}};
            fprintf(mon->out, "  [SYSCALL clears:");
            bool any = false;
            for (size_t f = 0; f < sizeof fl / sizeof fl[0]; f++)
                if (v & fl[f].bit) fprintf(mon->out, " %s", fl[f].name), any = true;
            fprintf(mon->out, "%s]", any ? "" : " nothing");
        } else if ((i == X86_MSR_LSTAR || i == X86_MSR_CSTAR || i == X86_MSR_SYSENTER_EIP ||
                    i == X86_MSR_KERNEL_GS_BASE || i == X86_MSR_GS_BASE || i == X86_MSR_FS_BASE) &&
                   v) {
            char sym[128];
            mon_symbolize(mon, v, sym, sizeof sym);
            if (sym[0]) fprintf(mon->out, "  <%s>", sym);
            if (i == X86_MSR_LSTAR) fprintf(mon->out, "  (64-bit SYSCALL target)");
            if (i == X86_MSR_CSTAR) fprintf(mon->out, "  (compatibility-mode SYSCALL target)");
            if (i == X86_MSR_KERNEL_GS_BASE)
                fprintf(mon->out, "  (SWAPGS exchanges it with GS_BASE)");
        } else if (i == X86_MSR_SYSENTER_CS)
            fprintf(mon->out, "  [CS=%04x SS=%04x; SYSEXIT CS=%04x SS=%04x]", (unsigned)v & 0xfffc,
                    ((unsigned)v + 8) & 0xfffc, ((unsigned)v + 16) | 3, ((unsigned)v + 24) | 3);
        else if (i == X86_MSR_APIC_BASE)
            fprintf(mon->out, "  [BSP=%u EN=%u BASE=%#" PRIx64 "]", (unsigned)(v >> 8) & 1,
                    (unsigned)(v >> 11) & 1, v & ~(uint64_t)0xfff);
        fprintf(mon->out, "\n");
    }
    return 0;
}

/* Descriptor types of system segments and gates (SDM Vol. 3A 3.5, Table 3-2). */
static const char *system_type(unsigned type)
{
    static const char *const names[16] = {"reserved",
                                          "16-bit TSS (available)",
                                          "LDT",
                                          "16-bit TSS (busy)",
                                          "16-bit call gate",
                                          "task gate",
                                          "16-bit interrupt gate",
                                          "16-bit trap gate",
                                          "reserved",
                                          "32-bit TSS (available)",
                                          "reserved",
                                          "32-bit TSS (busy)",
                                          "32-bit call gate",
                                          "reserved",
                                          "32-bit interrupt gate",
                                          "32-bit trap gate"};
    return names[type & 15];
}

/* The same in IA-32e mode (Table 3-2, IA-32e column): 16-byte system descriptors and gates. */
static const char *system_type64(unsigned type)
{
    static const char *const names[16] = {"reserved",
                                          "reserved",
                                          "LDT",
                                          "reserved",
                                          "reserved",
                                          "reserved",
                                          "reserved",
                                          "reserved",
                                          "reserved",
                                          "64-bit TSS (available)",
                                          "reserved",
                                          "64-bit TSS (busy)",
                                          "64-bit call gate",
                                          "reserved",
                                          "64-bit interrupt gate",
                                          "64-bit trap gate"};
    return names[type & 15];
}

static bool long_mode_of(struct mon *mon)
{
    return !is_riscv(mon) && x86_long_mode(mon->m->cpu);
}

static void print_attr(struct mon *mon, uint32_t attr)
{
    unsigned type = X86_SEG_TYPE(attr);
    bool lm = long_mode_of(mon);
    if (attr & X86_SEG_UNUSABLE) {
        fprintf(mon->out, "unusable");
        return;
    }
    if (attr & X86_SEG_S) {
        if (type & X86_SEG_TYPE_CODE)
            fprintf(mon->out, "code %s%s", type & X86_SEG_TYPE_R ? "r-x" : "--x",
                    type & X86_SEG_TYPE_C ? " conforming" : "");
        else
            fprintf(mon->out, "data %s%s", type & X86_SEG_TYPE_W ? "rw-" : "r--",
                    type & X86_SEG_TYPE_E ? " expand-down" : "");
    } else {
        fprintf(mon->out, "%s", lm ? system_type64(type) : system_type(type));
    }
    fprintf(mon->out, " dpl=%u%s%s%s%s", X86_SEG_DPL(attr),
            attr & X86_SEG_P ? " P" : " not-present", attr & X86_SEG_DB ? " D/B=32" : "",
            attr & X86_SEG_L ? " L" : "", attr & X86_SEG_G ? " G=4K" : "");
    /* IA-32e mode: what a code segment runs (SDM Vol. 3A 5.2.1: L = 1 is 64-bit code) */
    if (lm && (attr & X86_SEG_S) && (type & X86_SEG_TYPE_CODE) && !(attr & X86_SEG_UNUSABLE))
        fprintf(mon->out, " (%s)",
                attr & X86_SEG_L    ? "64-bit code"
                : attr & X86_SEG_DB ? "compatibility mode, 32-bit"
                                    : "compatibility mode, 16-bit");
}

int mon_cmd_info_seg(struct mon *mon, int argc, char **argv)
{
    (void)argc, (void)argv;
    struct x86_cpu *cpu = x86_of(mon, "info seg");
    if (!cpu) return -1;
    static const char *const names[X86_NSEG] = {"es", "cs", "ss", "ds", "fs", "gs"};
    fprintf(mon->out, "reg  sel   (index ti rpl)  hidden cache: base, limit, attributes\n");
    for (unsigned s = 0; s <= X86_NSEG + 1; s++) {
        const struct x86_seg *seg = s < X86_NSEG    ? &cpu->seg[s]
                                    : s == X86_NSEG ? &cpu->ldtr
                                                    : &cpu->tr;
        const char *name = s < X86_NSEG ? names[s] : s == X86_NSEG ? "ldtr" : "tr";
        fprintf(mon->out, "%-4s %04x  (%4u %s %u)  base=0x%0*" PRIx64 " limit=0x%08x ", name,
                seg->sel, seg->sel >> 3, seg->sel & 4 ? "LDT" : "GDT", seg->sel & 3,
                seg->base >> 32 ? 16 : 8, seg->base, seg->limit);
        print_attr(mon, seg->attr);
        fprintf(mon->out, "\n");
    }
    fprintf(mon->out,
            "gdtr base=0x%08" PRIx64 " limit=0x%04x   idtr base=0x%08" PRIx64 " limit=0x%04x\n",
            cpu->gdtr.base, cpu->gdtr.limit, cpu->idtr.base, cpu->idtr.limit);
    /* the mode the code runs in (SDM Vol. 3A 2.2: EFER.LMA, CS.L, CS.D) */
    const uint32_t cs = cpu->seg[X86_CS].attr;
    if (x86_long_mode(cpu)) {
        uint64_t fs = 0, gs = 0;
        x86_rdmsr(cpu, x86_msr_table[X86_MSR_FS_BASE].number, &fs);
        x86_rdmsr(cpu, x86_msr_table[X86_MSR_GS_BASE].number, &gs);
        fprintf(mon->out, "mode: IA-32e, %s (EFER.LMA=1 CS.L=%u CS.D=%u)\n",
                cpu->code_bits == 64 ? "64-bit mode" : "compatibility mode",
                (unsigned)!!(cs & X86_SEG_L), (unsigned)!!(cs & X86_SEG_DB));
        fprintf(mon->out,
                "FS_BASE 0x%016" PRIx64 "  GS_BASE 0x%016" PRIx64 "  KERNEL_GS_BASE 0x%016" PRIx64
                "\n",
                fs, gs, cpu->msr[X86_MSR_KERNEL_GS_BASE]);
        if (cpu->code_bits == 64)
            fprintf(mon->out, "(64-bit mode: the bases of CS, DS, ES and SS are 0 and no limits "
                              "are checked; FS and GS keep their bases)\n");
    } else if (cpu->cr0 & X86_CR0_PE) {
        fprintf(mon->out, "mode: protected, %u-bit code%s\n", cpu->code_bits,
                cpu->rflags & X86_VM ? " (virtual-8086)" : "");
    } else {
        fprintf(mon->out, "mode: real\n");
    }
    return 0;
}

int mon_cmd_info_gdt(struct mon *mon, int argc, char **argv)
{
    (void)argc, (void)argv;
    struct x86_cpu *cpu = x86_of(mon, "info gdt");
    if (!cpu) return -1;
    bool lm = x86_long_mode(cpu);
    unsigned n = ((unsigned)cpu->gdtr.limit + 1) / 8;
    fprintf(mon->out, "GDT at %#" PRIx64 ", limit %#x: %u descriptors\n", cpu->gdtr.base,
            cpu->gdtr.limit, n);
    unsigned null = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t d;
        if (mon_read_virt(mon, cpu->gdtr.base + 8 * i, &d, 8) < 0) {
            fprintf(mon->out, "cannot access memory at %#" PRIx64 "\n", cpu->gdtr.base + 8 * i);
            return -1;
        }
        if (!d) {
            /* the null descriptor, and the empty slots of a table (a reset GDTR spans 64 KiB) */
            if (i == 0)
                fprintf(mon->out, "%3u sel %04x  null\n", i, i * 8);
            else
                null++;
            continue;
        }
        /* SDM Vol. 3A 3.4.5, Figure 3-8 */
        uint64_t base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
        uint32_t limit = (uint32_t)((d & 0xffff) | (((d >> 48) & 0xf) << 16));
        uint32_t attr = (uint32_t)(((d >> 40) & 0xff) | (((d >> 52) & 0xf) << 12));
        if (attr & X86_SEG_G) limit = (limit << 12) | 0xfff;
        /* IA-32e mode: LDT and TSS descriptors (and call gates) take 16 bytes, the upper eight
         * holding base 63:32 (Figure 8-4) */
        unsigned type = X86_SEG_TYPE(attr);
        bool wide = lm && !(attr & X86_SEG_S) &&
                    (type == 2 || type == 9 || type == 11 || type == 12) && i + 1 < n;
        uint64_t hi = 0;
        if (wide && mon_read_virt(mon, cpu->gdtr.base + 8 * (i + 1), &hi, 8) < 0) wide = false;
        if (wide && type == 12) {
            /* a 64-bit call gate: selector and a 64-bit offset */
            uint64_t off = (d & 0xffff) | ((d >> 48) << 16) | (hi & 0xffffffffu) << 32;
            fprintf(mon->out,
                    "%3u sel %04x  %016" PRIx64 " %016" PRIx64 "  sel %04x offset 0x%016" PRIx64
                    " ",
                    i, i * 8, d, hi, (unsigned)(d >> 16) & 0xffff, off);
        } else if (wide) {
            base |= (hi & 0xffffffffu) << 32;
            fprintf(mon->out,
                    "%3u sel %04x  %016" PRIx64 " %016" PRIx64 "  base=0x%016" PRIx64
                    " limit=0x%08x ",
                    i, i * 8, d, hi, base, limit);
        } else {
            fprintf(mon->out, "%3u sel %04x  %016" PRIx64 "  base=0x%08" PRIx64 " limit=0x%08x ", i,
                    i * 8, d, base, limit);
        }
        print_attr(mon, attr);
        fprintf(mon->out, "\n");
        if (wide) i++; /* the upper half is no descriptor of its own */
    }
    if (null) fprintf(mon->out, "(%u more null descriptors)\n", null);
    return 0;
}

/* IA-32e mode: 16-byte gates (SDM Vol. 3A 6.14.1, Figure 6-8): offset 63:0, selector, IST,
 * type, DPL, P. */
static int info_idt64(struct mon *mon, struct x86_cpu *cpu)
{
    unsigned n = ((unsigned)cpu->idtr.limit + 1) / 16;
    if (cpu->idtr.limit == 0) n = 0;
    fprintf(mon->out,
            "IDT at %#" PRIx64 ", limit %#x: %u 16-byte gates, IA-32e mode (present ones listed)\n",
            cpu->idtr.base, cpu->idtr.limit, n);
    if (n > 256) n = 256;
    for (unsigned i = 0; i < n; i++) {
        uint64_t d[2];
        if (mon_read_virt(mon, cpu->idtr.base + 16 * i, d, 16) < 0) {
            fprintf(mon->out, "cannot access memory at %#" PRIx64 "\n", cpu->idtr.base + 16 * i);
            return -1;
        }
        if (!((d[0] >> 47) & 1)) continue;
        uint64_t offset =
            (d[0] & 0xffff) | (((d[0] >> 48) & 0xffff) << 16) | ((d[1] & 0xffffffffu) << 32);
        unsigned type = (unsigned)(d[0] >> 40) & 15, ist = (unsigned)(d[0] >> 32) & 7;
        char sym[128];
        mon_symbolize(mon, offset, sym, sizeof sym);
        fprintf(mon->out, "%3u %-4s %-22s sel %04x offset 0x%016" PRIx64 " ist=%u dpl=%u %s", i,
                i < 32 ? x86_vector_name(i) : "", system_type64(type),
                (unsigned)(d[0] >> 16) & 0xffff, offset, ist, (unsigned)(d[0] >> 45) & 3, sym);
        if (type != 14 && type != 15) fprintf(mon->out, " (not a gate an IDT may hold: #GP)");
        fprintf(mon->out, "\n");
    }
    return 0;
}

int mon_cmd_info_idt(struct mon *mon, int argc, char **argv)
{
    (void)argc, (void)argv;
    struct x86_cpu *cpu = x86_of(mon, "info idt");
    if (!cpu) return -1;
    if (x86_long_mode(cpu)) return info_idt64(mon, cpu);
    unsigned n = ((unsigned)cpu->idtr.limit + 1) / 8;
    if (cpu->idtr.limit == 0) n = 0;
    fprintf(mon->out, "IDT at %#" PRIx64 ", limit %#x: %u gates (present ones listed)\n",
            cpu->idtr.base, cpu->idtr.limit, n);
    if (n > 256) n = 256;
    for (unsigned i = 0; i < n; i++) {
        uint64_t d;
        if (mon_read_virt(mon, cpu->idtr.base + 8 * i, &d, 8) < 0) {
            fprintf(mon->out, "cannot access memory at %#" PRIx64 "\n", cpu->idtr.base + 8 * i);
            return -1;
        }
        if (!((d >> 47) & 1)) continue;
        /* SDM Vol. 3A 6.11, Figure 6-2 */
        uint32_t offset = (uint32_t)((d & 0xffff) | (((d >> 48) & 0xffff) << 16));
        char sym[128];
        mon_symbolize(mon, offset, sym, sizeof sym);
        fprintf(mon->out, "%3u %-4s %-22s sel %04x offset 0x%08x dpl=%u %s\n", i,
                i < 32 ? x86_vector_name(i) : "", system_type((unsigned)(d >> 40) & 15),
                (unsigned)(d >> 16) & 0xffff, offset, (unsigned)(d >> 45) & 3, sym);
    }
    return 0;
}

/* IA-32e mode: the 64-bit TSS (SDM Vol. 3A 8.7, Figure 8-11): RSP0-2, IST1-7, the I/O map base;
 * fields at 4-byte offsets that are not 8-byte aligned, so read byte-wise. */
static int info_tss64(struct mon *mon, struct x86_cpu *cpu)
{
    uint8_t t[104];
    if (mon_read_virt(mon, cpu->tr.base, t, sizeof t) < 0) {
        fprintf(mon->out, "cannot access memory at %#" PRIx64 "\n", cpu->tr.base);
        return -1;
    }
    uint64_t q[10];
    for (unsigned i = 0; i < 10; i++) /* RSP0-2 at 4, 12, 20; IST1-7 at 36 .. 84 */
        memcpy(&q[i], t + (i < 3 ? 4 + 8 * i : 36 + 8 * (i - 3)), 8);
    uint16_t iomap;
    memcpy(&iomap, t + 102, 2);
    fprintf(mon->out, "64-bit TSS at %#" PRIx64 " (tr %04x, limit %#x)\n", cpu->tr.base,
            cpu->tr.sel, cpu->tr.limit);
    /* no symbols: a stack's top is the address after it, which names the next object */
    for (unsigned i = 0; i < 3; i++)
        fprintf(mon->out, "rsp%u 0x%016" PRIx64 "%s\n", i, q[i],
                i == 0 ? "   (the kernel stack of a ring 3 -> 0 transition, aligned down to 16)"
                       : "");
    for (unsigned i = 3; i < 10; i++)
        fprintf(mon->out, "ist%u 0x%016" PRIx64 "%s", i - 2, q[i], i == 6 || i == 9 ? "\n" : "  ");
    fprintf(mon->out, "I/O map base 0x%04x%s\n", iomap,
            iomap > cpu->tr.limit ? " (beyond the limit: no I/O permission bitmap)" : "");
    return 0;
}

int mon_cmd_info_tss(struct mon *mon, int argc, char **argv)
{
    (void)argc, (void)argv;
    struct x86_cpu *cpu = x86_of(mon, "info tss");
    if (!cpu) return -1;
    if (cpu->tr.sel == 0 && cpu->tr.base == 0) {
        fprintf(mon->out, "info tss: no task register loaded (tr = 0)\n");
        return -1;
    }
    if (x86_long_mode(cpu)) return info_tss64(mon, cpu);
    uint32_t t[26];
    if (mon_read_virt(mon, cpu->tr.base, t, sizeof t) < 0) {
        fprintf(mon->out, "cannot access memory at %#" PRIx64 "\n", cpu->tr.base);
        return -1;
    }
    /* SDM Vol. 3A 8.2.1, Figure 8-2: the 32-bit TSS */
    fprintf(mon->out, "TSS at %#" PRIx64 " (tr %04x, limit %#x)\n", cpu->tr.base, cpu->tr.sel,
            cpu->tr.limit);
    fprintf(mon->out, "link %04x\n", t[0] & 0xffff);
    fprintf(mon->out, "esp0 0x%08x  ss0 %04x   (the kernel stack of a ring 3 -> 0 transition)\n",
            t[1], t[2] & 0xffff);
    fprintf(mon->out, "esp1 0x%08x  ss1 %04x\n", t[3], t[4] & 0xffff);
    fprintf(mon->out, "esp2 0x%08x  ss2 %04x\n", t[5], t[6] & 0xffff);
    fprintf(mon->out, "cr3 0x%08x  eip 0x%08x  eflags 0x%08x\n", t[7], t[8], t[9]);
    fprintf(mon->out, "eax 0x%08x ecx 0x%08x edx 0x%08x ebx 0x%08x\n", t[10], t[11], t[12], t[13]);
    fprintf(mon->out, "esp 0x%08x ebp 0x%08x esi 0x%08x edi 0x%08x\n", t[14], t[15], t[16], t[17]);
    fprintf(mon->out, "es %04x cs %04x ss %04x ds %04x fs %04x gs %04x ldt %04x\n", t[18] & 0xffff,
            t[19] & 0xffff, t[20] & 0xffff, t[21] & 0xffff, t[22] & 0xffff, t[23] & 0xffff,
            t[24] & 0xffff);
    fprintf(mon->out, "T %u  I/O map base 0x%04x\n", t[25] & 1, t[25] >> 16);
    return 0;
}

/* ---- Where a transition's values came from (x86) ------------------------------------------- */

/* The x86 core emits no EV_EXPLAIN: the monitor names the sources of what a transition changed
 * from the architecture's rules, reading the tables and MSRs as they are now (SDM Vol. 3A
 * 6.12.1 and 6.14 for delivery through a gate, Vol. 2A IRET, Vol. 2B SYSCALL/SYSRET and
 * SYSENTER/SYSEXIT). */
static void x86_gate_sources(struct mon *mon, const struct x86_cpu *cpu, unsigned vector,
                             const struct mon_regs *before, const struct mon_regs *after)
{
    FILE *out = mon->out;
    bool lm = x86_long_mode(cpu);
    uint64_t g[2] = {0, 0};
    if (mon_read_virt(mon, cpu->idtr.base + (lm ? 16u : 8u) * vector, g, lm ? 16 : 8) < 0) return;
    uint64_t offset = (g[0] & 0xffff) | (((g[0] >> 48) & 0xffff) << 16);
    if (lm) offset |= (g[1] & 0xffffffffu) << 32;
    unsigned type = (unsigned)(g[0] >> 40) & 15, ist = lm ? (unsigned)(g[0] >> 32) & 7 : 0;
    fprintf(out, "      %-12s <- IDT[%u] offset %#" PRIx64 " (%s, dpl=%u)\n", lm ? "rip" : "eip",
            vector, offset, lm ? system_type64(type) : system_type(type),
            (unsigned)(g[0] >> 45) & 3);
    fprintf(out, "      %-12s <- IDT[%u] selector %#x\n", "cs", vector,
            (unsigned)(g[0] >> 16) & 0xffff);
    unsigned cpl = (unsigned)after->r[10];
    bool ring_change = before->r[10] != after->r[10];
    if (lm && (ring_change || ist)) {
        /* 6.14.4, 6.14.5: RSPn or ISTn, aligned down to 16, then SS:RSP always pushed */
        uint64_t src = 0;
        unsigned field = ist ? 36 + 8 * (ist - 1) : 4 + 8 * cpl;
        if (mon_read_virt(mon, cpu->tr.base + field, &src, 8) < 0) return;
        uint64_t top = src & ~15ull;
        fprintf(out,
                "      %-12s <- TSS.%s%u %#" PRIx64 ", aligned down to 16, less %" PRIu64
                " bytes pushed (ss rsp rflags cs rip%s)\n",
                "rsp", ist ? "IST" : "RSP", ist ? ist : cpl, src, top - after->r[4],
                top - after->r[4] > 40 ? " error-code" : "");
        if (ring_change)
            fprintf(out,
                    "      %-12s <- a null selector with RPL %u (a ring change in IA-32e mode)\n",
                    "ss", cpl);
    } else if (!lm && ring_change) {
        /* 6.12.1: the inner stack from the TSS */
        uint32_t esp = 0;
        uint16_t ss = 0;
        if (mon_read_virt(mon, cpu->tr.base + 4 + 8 * cpl, &esp, 4) < 0 ||
            mon_read_virt(mon, cpu->tr.base + 8 + 8 * cpl, &ss, 2) < 0)
            return;
        fprintf(out,
                "      %-12s <- TSS.esp%u %#x, less %" PRIu64
                " bytes pushed (ss esp eflags cs eip...)\n",
                "esp", cpl, esp, (uint64_t)esp - (uint32_t)after->r[4]);
        fprintf(out, "      %-12s <- TSS.ss%u %#x\n", "ss", cpl, ss);
    }
    fprintf(out, "      %-12s TF NT RF VM cleared%s\n", lm ? "rflags" : "eflags",
            type == 14 || type == 6 ? ", IF cleared (an interrupt gate)" : "");
}

static void x86_iret_sources(struct mon *mon, const struct mon_regs *before, uint64_t pc)
{
    char text[64];
    if (!mon_disas_one(mon, pc, text, sizeof text)) return;
    bool q = strncmp(text, "iretq", 5) == 0;
    unsigned size = q ? 8 : 4;
    uint64_t sp = before->r[4], v[5] = {0, 0, 0, 0, 0};
    for (unsigned i = 0; i < 5; i++)
        if (mon_read_virt(mon, sp + size * i, &v[i], size) < 0) return;
    fprintf(mon->out,
            "      %s frame at %#" PRIx64 ": %s %#" PRIx64 ", cs %#" PRIx64 ", %s %#" PRIx64,
            q ? "iretq" : "iret", sp, q ? "rip" : "eip", v[0], v[1], q ? "rflags" : "eflags", v[2]);
    if (q || (v[1] & 3) != (before->r[10] & 3))
        fprintf(mon->out, ", %s %#" PRIx64 ", ss %#" PRIx64, q ? "rsp" : "esp", v[3], v[4]);
    fprintf(mon->out, " (popped)\n");
}

void mon_print_sources(struct mon *mon, const struct ev *events, unsigned n,
                       const struct mon_regs *before, const struct mon_regs *after)
{
    if (is_riscv(mon)) return; /* RISC-V traps explain themselves (EV_EXPLAIN) */
    const struct x86_cpu *cpu = mon->m->cpu;
    FILE *out = mon->out;
    const struct ev *exc = NULL, *priv = NULL;
    for (unsigned i = 0; i < n; i++) {
        if (events[i].kind == EV_EXPLAIN) return; /* the core said it itself */
        if (events[i].kind == EV_EXCEPTION) exc = &events[i];
        if (events[i].kind == EV_PRIV) priv = &events[i];
    }
    if (exc) {
        x86_gate_sources(mon, cpu, exc->exception.vector, before, after);
        return;
    }
    if (!priv) return;
    const uint64_t star = cpu->msr[X86_MSR_STAR];
    switch (priv->priv.mech) {
    case EV_MECH_IRET: x86_iret_sources(mon, before, priv->pc); break;
    case EV_MECH_SYSCALL:
        fprintf(out, "      %-12s <- %s %#" PRIx64 "\n", "rip",
                x86_long_mode(cpu) ? "LSTAR" : "STAR[31:0]",
                x86_long_mode(cpu) ? cpu->msr[X86_MSR_LSTAR] : star & 0xffffffffu);
        fprintf(out, "      %-12s <- STAR[47:32] %#x, ss <- STAR[47:32] + 8\n", "cs",
                (unsigned)(star >> 32) & 0xfffc);
        fprintf(out, "      %-12s <- the return rip, r11 <- rflags\n", "rcx");
        fprintf(out, "      %-12s &= ~SFMASK %#" PRIx64 "\n", "rflags", cpu->msr[X86_MSR_SFMASK]);
        break;
    case EV_MECH_SYSRET:
        fprintf(out, "      %-12s <- rcx, rflags <- r11\n", "rip");
        fprintf(out,
                "      %-12s <- STAR[63:48] %#x + 16 (64-bit) or + 0 (32-bit), RPL 3; ss <- "
                "STAR[63:48] + 8\n",
                "cs", (unsigned)(star >> 48) & 0xffff);
        break;
    case EV_MECH_SYSENTER:
        fprintf(out, "      %-12s <- SYSENTER_EIP %#" PRIx64 "\n", "rip",
                cpu->msr[X86_MSR_SYSENTER_EIP]);
        fprintf(out, "      %-12s <- SYSENTER_ESP %#" PRIx64 "\n", "rsp",
                cpu->msr[X86_MSR_SYSENTER_ESP]);
        fprintf(out, "      %-12s <- SYSENTER_CS %#x, ss <- SYSENTER_CS + 8\n", "cs",
                (unsigned)cpu->msr[X86_MSR_SYSENTER_CS] & 0xfffc);
        break;
    case EV_MECH_SYSEXIT:
        fprintf(out, "      %-12s <- rdx, rsp <- rcx\n", "rip");
        fprintf(out, "      %-12s <- SYSENTER_CS %#x + 16 (32-bit) or + 32 (64-bit), RPL 3\n", "cs",
                (unsigned)cpu->msr[X86_MSR_SYSENTER_CS] & 0xfffc);
        break;
    default: break;
    }
}

/* ---- Page walks and TLBs ------------------------------------------------------------------ */

/* An entry's flags by name. x86: bit 7 is PS in a PDE/PDPTE (PML4E: reserved) and PAT in a PTE;
 * bit 63 is XD (4-level paging). */
static void print_pte_flags(struct mon *mon, uint64_t pte, bool x86, bool pte_level)
{
    static const char *const rv[8] = {"V", "R", "W", "X", "U", "G", "A", "D"};
    static const char *const ia[9] = {"P", "RW", "US", "PWT", "PCD", "A", "D", "PS", "G"};
    fprintf(mon->out, "[");
    bool first = true;
    for (unsigned b = 0; b < (x86 ? 9u : 8u); b++)
        if (pte & (1ull << b)) {
            fprintf(mon->out, "%s%s", first ? "" : " ",
                    x86 ? (b == 7 && pte_level ? "PAT" : ia[b]) : rv[b]);
            first = false;
        }
    if (x86 && (pte >> 63)) fprintf(mon->out, "%sXD", first ? "" : " ");
    fprintf(mon->out, "]");
}

static const char *step_name(struct mon *mon, const struct walk_step *st, bool four)
{
    if (is_riscv(mon)) return st->level == 2 ? "L2 pte" : st->level == 1 ? "L1 pte" : "L0 pte";
    if (!four) return st->level == 1 ? "PDE" : "PTE";
    static const char *const names[4] = {"PTE", "PDE", "PDPTE", "PML4E"};
    return names[st->level & 3];
}

static const char *page_name(struct mon *mon, int level, bool four)
{
    if (is_riscv(mon) || four) return level == 2 ? "1 GiB" : level == 1 ? "2 MiB" : "4 KiB";
    return level == 1 ? "4 MiB" : "4 KiB";
}

/* The x86 walk's header: the control registers it depends on, the address's indices. Returns 0
 * when paging is off (nothing to walk), -1 when the address cannot be walked, 1 for a 32-bit or
 * 4-level walk (*four tells which) and 2 for a PAE walk. */
static int pt_x86_head(struct mon *mon, struct x86_cpu *cpu, uint64_t va, bool *four)
{
    uint64_t efer = cpu->msr[X86_MSR_EFER];
    *four = x86_paging4(cpu);
    fprintf(mon->out,
            "cr0 0x%08" PRIx64 " (PG=%u WP=%u)  cr3 0x%08" PRIx64 "  cr4 0x%08" PRIx64
            " (PSE=%u PAE=%u)",
            cpu->cr0, (unsigned)(cpu->cr0 >> 31) & 1, (unsigned)(cpu->cr0 >> 16) & 1, cpu->cr3,
            cpu->cr4, (unsigned)(cpu->cr4 >> 4) & 1, (unsigned)(cpu->cr4 >> 5) & 1);
    if (*four || efer)
        fprintf(mon->out, "  efer 0x%" PRIx64 " (LME=%u LMA=%u NXE=%u)", efer,
                (unsigned)(efer >> 8) & 1, (unsigned)(efer >> 10) & 1, (unsigned)(efer >> 11) & 1);
    fprintf(mon->out, "\n");
    if (!(cpu->cr0 & X86_CR0_PG)) {
        fprintf(mon->out, "no translation (CR0.PG = 0): physical = linear = %#" PRIx64 "\n",
                va & 0xffffffffu);
        return 0;
    }
    if (*four) {
        if (!x86_canonical48(va)) {
            fprintf(mon->out,
                    "%#" PRIx64 " is not canonical (bits 63:47 are not all equal): #GP, no walk\n",
                    va);
            return -1;
        }
        fprintf(mon->out,
                "linear %#" PRIx64 ": pml4=%#" PRIx64 " pdpt=%#" PRIx64 " pd=%#" PRIx64
                " pt=%#" PRIx64 " offset=%#" PRIx64 "\n",
                va, (va >> 39) & 0x1ff, (va >> 30) & 0x1ff, (va >> 21) & 0x1ff, (va >> 12) & 0x1ff,
                va & 0xfff);
        return 1;
    }
    if (x86_paging_pae(cpu)) {
        /* the entries are named and shown as in 4-level paging, from the PDPTE down */
        *four = true;
        va &= 0xffffffffu;
        fprintf(mon->out,
                "linear %#" PRIx64 " (PAE paging): pdpte=%#" PRIx64 " pd=%#" PRIx64 " pt=%#" PRIx64
                " offset=%#" PRIx64 "\n",
                va, (va >> 30) & 3, (va >> 21) & 0x1ff, (va >> 12) & 0x1ff, va & 0xfff);
        return 2;
    }
    fprintf(mon->out,
            "linear %#" PRIx64 ": directory=%#" PRIx64 " table=%#" PRIx64 " offset=%#" PRIx64 "\n",
            va, (va >> 22) & 0x3ff, (va >> 12) & 0x3ff, va & 0xfff);
    return 1;
}

int mon_cmd_pt(struct mon *mon, int argc, char **argv)
{
    uint64_t va, pa = 0;
    if (argc != 2 || mon_resolve(mon, argv[1], &va) < 0) {
        fprintf(mon->out, "pt: %s\n", argc != 2 ? "pt ADDR" : "not an address or a symbol");
        return -1;
    }
    struct walk_step steps[4];
    bool ok, four = false, pae = false;
    int n;
    if (is_riscv(mon)) {
        struct rv_hart *h = mon->m->cpu;
        uint64_t satp = h->csr.satp;
        fprintf(mon->out, "satp 0x%016" PRIx64, satp);
        mon_print_csr_fields(mon, "satp", satp);
        fprintf(mon->out, "\n");
        if ((satp >> 60) != 8) {
            fprintf(mon->out, "no translation (satp.MODE = Bare): pa = va = %#" PRIx64 "\n", va);
            return 0;
        }
        if (!mmu_sv39_canonical(va)) {
            fprintf(mon->out, "%#" PRIx64 " is not canonical for Sv39 (bits 63:39 != bit 38)\n",
                    va);
            return -1;
        }
        fprintf(mon->out,
                "va %#" PRIx64 ": vpn[2]=%#" PRIx64 " vpn[1]=%#" PRIx64 " vpn[0]=%#" PRIx64
                " offset=%#" PRIx64 "\n",
                va, (va >> 30) & 0x1ff, (va >> 21) & 0x1ff, (va >> 12) & 0x1ff, va & 0xfff);
        n = walk_sv39(mon, satp, va, steps, &pa, &ok);
    } else {
        struct x86_cpu *cpu = mon->m->cpu;
        int head = pt_x86_head(mon, cpu, va, &four);
        if (head <= 0) return head;
        pae = head == 2;
        n = pae    ? walk_x86_pae(mon, cpu, va & 0xffffffffu, steps, &pa, &ok)
            : four ? walk_x86_4(mon, cpu, va, steps, &pa, &ok)
                   : walk_x86_32(mon, cpu, va, steps, &pa, &ok);
    }
    /* x86: the rights of a page combine over the levels (SDM Vol. 3A 4.6) */
    uint64_t rights = 6, xd = 0;
    for (int i = 0; i < n; i++) {
        const struct walk_step *st = &steps[i];
        fprintf(mon->out, "  %-5s @%#" PRIx64 " = 0x%016" PRIx64 " ", step_name(mon, st, four),
                st->entry_addr, st->entry);
        print_pte_flags(mon, st->entry, !is_riscv(mon), st->level == 0);
        if (!(pae && st->level == 2)) { /* a PAE PDPTE holds no rights (SDM Vol. 3A 4.4.1) */
            rights &= st->entry;
            xd |= st->entry >> 63;
        }
        bool present = is_riscv(mon) ? (st->entry & MMU_PTE_V) : (st->entry & 1);
        if (!present)
            fprintf(mon->out, " not present");
        else if (st->rsvd)
            fprintf(mon->out, " reserved bits set: %#" PRIx64, st->rsvd);
        else if (st->leaf && ok)
            fprintf(mon->out, " leaf, %s page", page_name(mon, st->level, four));
        else if (i + 1 < n || (!ok && !is_riscv(mon)))
            fprintf(mon->out, " -> next table %#" PRIx64,
                    (uint64_t)(is_riscv(mon) ? (st->entry >> 10) << 12
                               : four ? st->entry & ((1ull << MMU_X86_MAXPHYADDR) - 1) & ~0xfffull
                                      : st->entry & 0xfffff000u));
        fprintf(mon->out, "\n");
    }
    if (ok) {
        fprintf(mon->out, "-> pa %#" PRIx64, pa);
        if (!is_riscv(mon)) {
            const struct x86_cpu *cpu = mon->m->cpu;
            bool nx = four && (cpu->msr[X86_MSR_EFER] & X86_EFER_NXE) && xd;
            fprintf(mon->out, "  (%s, %s, %s)", rights & 4 ? "user" : "supervisor only",
                    rights & 2 ? "writable" : "read-only", nx ? "no-execute" : "executable");
        }
        fprintf(mon->out, "\n");
    } else if (n && steps[n - 1].rsvd) {
        fprintf(mon->out, "-> not mapped: reserved bits in the %s (#PF with RSVD=1)\n",
                step_name(mon, &steps[n - 1], four));
    } else if (!is_riscv(mon) && n && (steps[n - 1].entry & 1)) {
        fprintf(mon->out, "-> not mapped: the %s points outside RAM\n",
                step_name(mon, &steps[n - 1], four));
    } else if (!is_riscv(mon) && n) {
        fprintf(mon->out, "-> not mapped: the %s is not present (#PF with P=0)\n",
                step_name(mon, &steps[n - 1], four));
    } else {
        fprintf(mon->out, "-> not mapped (the walk stops at level %d)\n",
                n ? steps[n - 1].level : -1);
    }
    return ok ? 0 : -1;
}

int mon_cmd_info_tlb(struct mon *mon, int argc, char **argv)
{
    (void)argc, (void)argv;
    unsigned shown = 0;
    if (is_riscv(mon)) {
        struct rv_hart *h = mon->m->cpu;
        fprintf(mon->out, "Sv39 software TLB, %u entries (direct-mapped by page):\n",
                MMU_TLB_ENTRIES);
        for (unsigned i = 0; i < MMU_TLB_ENTRIES; i++) {
            const struct mmu_tlb_entry *e = &h->tlb.e[i];
            if (!mmu_tlb_valid(&h->tlb, e)) continue;
            char sym[128];
            uint64_t va = (e->tag - 1) << 12;
            fprintf(mon->out, "%3u va 0x%016" PRIx64 " -> pa 0x%010" PRIx64 " asid %u level %u ", i,
                    va, e->paddr, e->asid, e->level);
            print_pte_flags(mon, e->pte, false, false);
            mon_symbolize(mon, va, sym, sizeof sym);
            fprintf(mon->out, "%s%s\n", sym[0] ? " " : "", sym);
            shown++;
        }
    } else {
        struct x86_cpu *cpu = mon->m->cpu;
        struct bus *bus = &mon->m->bus;
        int width = x86_long_mode(cpu) ? 16 : 8;
        for (int w = 0; w < 3; w++) {
            const struct x86_tlb_entry *t = w == 2 ? cpu->tlb_fetch
                                            : w    ? cpu->tlb_write
                                                   : cpu->tlb_read;
            fprintf(mon->out, "%s TLB, %u entries (linear page -> host page of RAM):\n",
                    w == 2 ? "fetch"
                    : w    ? "write"
                           : "read",
                    X86_TLB_SIZE);
            for (unsigned i = 0; i < X86_TLB_SIZE; i++) {
                if (!t[i].tag) continue;
                /* the core's key: (page number << 1 | user) + 1 (X86_TLB_KEY, cpu/x86) */
                uint64_t key = t[i].tag - 1, lin = (key >> 1) << 12;
                uint64_t pa = (uint64_t)(t[i].host - bus->ram) + bus->ram_base;
                char sym[128];
                mon_symbolize(mon, lin, sym, sizeof sym);
                fprintf(mon->out, "%3u linear 0x%0*" PRIx64 " -> pa 0x%08" PRIx64 " %s%s%s\n", i,
                        width, lin, pa, key & 1 ? "user" : "supervisor", sym[0] ? " " : "", sym);
                shown++;
            }
        }
    }
    if (!shown) fprintf(mon->out, "(empty)\n");
    return 0;
}

/* ---- Memory --------------------------------------------------------------------------------- */

int mon_cmd_x(struct mon *mon, int argc, char **argv)
{
    unsigned count, size = mon->xsize;
    const char *fmt = argv[0] + 1; /* after the x */
    if (mon_parse_xfmt(fmt, &count, &size) < 0) {
        fprintf(mon->out, "x: bad format '%s' (x/<count><b|h|w|g>)\n", argv[0]);
        return -1;
    }
    uint64_t addr;
    if (argc != 2 || mon_resolve(mon, argv[1], &addr) < 0) {
        fprintf(mon->out, "x: %s\n",
                argc != 2 ? "x/<n><b|h|w|g> ADDR" : "not an address or a symbol");
        return -1;
    }
    mon->xsize = size;
    unsigned per_line = 16 / size;
    for (unsigned i = 0; i < count; i++) {
        uint64_t a = addr + (uint64_t)i * size, v = 0;
        if (i % per_line == 0) {
            char sym[128];
            mon_symbolize(mon, a, sym, sizeof sym);
            if (i) fprintf(mon->out, "\n");
            fprintf(mon->out, "0x%016" PRIx64 "%s%s%s:", a, sym[0] ? " <" : "", sym,
                    sym[0] ? ">" : "");
        }
        if (mon_read_virt(mon, a, &v, size) < 0) {
            fprintf(mon->out, "\ncannot access memory at %#" PRIx64 "\n", a);
            return -1;
        }
        fprintf(mon->out, " 0x%0*" PRIx64, 2 * (int)size, v);
    }
    fprintf(mon->out, "\n");
    return 0;
}

int mon_cmd_set(struct mon *mon, int argc, char **argv)
{
    uint64_t value;
    if (argc != 3) {
        fprintf(mon->out, "set: set REG VALUE, or set *ADDR[/b|h|w|g] VALUE\n");
        return -1;
    }
    if (mon_resolve(mon, argv[2], &value) < 0) {
        fprintf(mon->out, "set: '%s' is not a number\n", argv[2]);
        return -1;
    }
    if (argv[1][0] == '*') {
        char spec[128];
        snprintf(spec, sizeof spec, "%s", argv[1] + 1);
        unsigned count, size = is_riscv(mon) ? 8 : 4;
        char *slash = strchr(spec, '/');
        if (slash) {
            if (mon_parse_xfmt(slash, &count, &size) < 0 || count != 1) {
                fprintf(mon->out, "set: bad size '%s' (/b, /h, /w or /g)\n", slash);
                return -1;
            }
            *slash = '\0';
        }
        uint64_t addr;
        if (mon_resolve(mon, spec, &addr) < 0) {
            fprintf(mon->out, "set: '%s' is not an address or a symbol\n", spec);
            return -1;
        }
        if (mon_write_virt(mon, addr, &value, size) < 0) {
            fprintf(mon->out, "cannot access memory at %#" PRIx64 "\n", addr);
            return -1;
        }
        fprintf(mon->out, "*%#" PRIx64 " (%u bytes) = %#" PRIx64 "\n", addr, size, value);
        return 0;
    }
    uint64_t old;
    const char *name = argv[1][0] == '$' ? argv[1] + 1 : argv[1];
    if (!mon->m->cpu_ops->get_reg(mon->m->cpu, name, &old) ||
        !mon->m->cpu_ops->set_reg(mon->m->cpu, name, value)) {
        fprintf(mon->out, "set: no writable register '%s'\n", name);
        return -1;
    }
    uint64_t now = 0;
    mon->m->cpu_ops->get_reg(mon->m->cpu, name, &now);
    fprintf(mon->out, "%s = %#" PRIx64 " (was %#" PRIx64 ")\n", name, now, old);
    return 0;
}
