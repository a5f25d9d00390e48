/* 32-bit paging (SDM Vol. 3A 4.3, 4.6-4.8). */
#include "mmu/x86_paging.h"

#define PTE_P   (1u << 0)
#define PTE_RW  (1u << 1)
#define PTE_US  (1u << 2)
#define PTE_A   (1u << 5)
#define PTE_D   (1u << 6)
#define PDE_PS  (1u << 7)
#define CR0_WP  (1u << 16)
#define CR4_PSE (1u << 4)
/* 4 MiB PDE bits 21:13: physical-address bits 39:32 under PSE-36 and a reserved bit. Without
 * PSE-36 (not advertised) they must be zero (SDM Vol. 3A Table 4-4). */
#define PDE4M_RSVD 0x003fe000u

static bool read_entry(struct bus *bus, uint64_t addr, uint32_t *entry)
{
    uint64_t v;
    if (bus_read(bus, addr, 4, &v) != BUS_OK) return false;
    *entry = (uint32_t)v;
    return true;
}

/* Sets flags in an entry if they are not set yet (SDM Vol. 3A 4.8: the processor sets them
 * atomically; a single-threaded interpreter has no race). */
static void set_flags(struct bus *bus, uint64_t addr, uint32_t entry, uint32_t flags)
{
    if ((entry & flags) != flags) bus_write(bus, addr, 4, entry | flags);
}

bool mmu_x86_translate32(struct bus *bus, const struct mmu_x86_regs *regs, uint32_t lin,
                         enum mmu_x86_access acc, bool user, struct mmu_x86_result *out,
                         uint32_t *pf_error)
{
    const bool write = acc == MMU_X86_WRITE;
    const uint32_t ec_base = (write ? MMU_X86_PF_W : 0) | (user ? MMU_X86_PF_U : 0);
    uint64_t pde_addr = (regs->cr3 & 0xfffff000u) + ((lin >> 22) << 2);
    uint32_t pde, pte;
    if (!read_entry(bus, pde_addr, &pde) || !(pde & PTE_P)) {
        *pf_error = ec_base;
        return false;
    }
    bool large = (pde & PDE_PS) && (regs->cr4 & CR4_PSE);
    if (large && (pde & PDE4M_RSVD)) {
        *pf_error = ec_base | MMU_X86_PF_P | MMU_X86_PF_RSVD;
        return false;
    }
    uint32_t rights = pde; /* the combined U/S and R/W of the entries used (SDM 4.6.1) */
    uint64_t pte_addr = 0;
    if (!large) {
        pte_addr = (pde & 0xfffff000u) + (((lin >> 12) & 0x3ff) << 2);
        if (!read_entry(bus, pte_addr, &pte) || !(pte & PTE_P)) {
            *pf_error = ec_base;
            return false;
        }
        rights &= pte;
    }
    /* SDM 4.6.1: user accesses need U/S = 1 everywhere; user writes need R/W = 1 everywhere;
     * supervisor writes need R/W = 1 only with CR0.WP = 1. Fetches are reads here (no NX in
     * 32-bit paging); SMEP/SMAP are not modelled. */
    bool ok = true;
    if (user && !(rights & PTE_US)) ok = false;
    if (write && !(rights & PTE_RW) && (user || (regs->cr0 & CR0_WP))) ok = false;
    if (!ok) {
        *pf_error = ec_base | MMU_X86_PF_P;
        return false;
    }
    set_flags(bus, pde_addr, pde, PTE_A | (large && write ? PTE_D : 0));
    if (large) {
        out->phys = (pde & 0xffc00000u) | (lin & 0x3fffffu);
        out->page_size = 4u << 20;
    } else {
        set_flags(bus, pte_addr, pte, PTE_A | (write ? PTE_D : 0));
        out->phys = (pte & 0xfffff000u) | (lin & 0xfffu);
        out->page_size = 4096;
    }
    return true;
}
