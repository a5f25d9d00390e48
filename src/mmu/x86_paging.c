/* 32-bit, PAE and 4-level paging (SDM Vol. 3A 4.3, 4.4, 4.5, 4.6-4.8). */
#include "mmu/x86_paging.h"

#define PTE_P  (1u << 0)
#define PTE_RW (1u << 1)
#define PTE_US (1u << 2)
#define PTE_A  (1u << 5)
#define PTE_D  (1u << 6)
#define PDE_PS (1u << 7)
#define CR0_WP (1u << 16)

/* SDM Vol. 3A 4.6: whether the rights combined over the entries used (rights: the AND of their
 * R/W and U/S bits) allow the access. User accesses need U/S = 1, user writes R/W = 1, supervisor
 * writes R/W = 1 only with CR0.WP = 1; no_exec: a fetch from a page with XD = 1 under EFER.NXE
 * (4.6.2). SMEP/SMAP are not modelled. */
static bool access_allowed(const struct mmu_x86_regs *regs, bool user, bool write, uint64_t rights,
                           bool no_exec)
{
    if (user && !(rights & PTE_US)) return false;
    if (write && !(rights & PTE_RW) && (user || (regs->cr0 & CR0_WP))) return false;
    return !no_exec;
}
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
    /* Fetches are reads here: 32-bit paging has no XD (4.6.2). */
    if (!access_allowed(regs, user, write, rights, false)) {
        *pf_error = ec_base | MMU_X86_PF_P;
        return false;
    }
    set_flags(bus, pde_addr, pde, PTE_A | (large && write ? PTE_D : 0));
    if (large) {
        out->phys = (pde & 0xffc00000u) | (lin & 0x3fffffu);
        out->page_size = 4u << 20;
        out->nx = false;
    } else {
        set_flags(bus, pte_addr, pte, PTE_A | (write ? PTE_D : 0));
        out->phys = (pte & 0xfffff000u) | (lin & 0xfffu);
        out->page_size = 4096;
        out->nx = false;
    }
    return true;
}

/* ---- 4-level paging (SDM Vol. 3A 4.5) ------------------------------------------------------ */

#define E_P  (1ull << 0)
#define E_RW (1ull << 1)
#define E_US (1ull << 2)
#define E_A  (1ull << 5)
#define E_D  (1ull << 6)
#define E_PS (1ull << 7)
#define E_XD (1ull << 63)
/* Physical-address bits 51:MAXPHYADDR are reserved in every entry (Tables 4-15 to 4-20). */
#define E_ADDR_RSVD (((1ull << 52) - 1) & ~((1ull << MMU_X86_MAXPHYADDR) - 1))
#define E_ADDR      (((1ull << MMU_X86_MAXPHYADDR) - 1) & ~0xfffull)

static bool read_entry64(struct bus *bus, uint64_t addr, uint64_t *entry)
{
    return bus_read(bus, addr, 8, entry) == BUS_OK;
}

bool mmu_x86_translate4(struct bus *bus, const struct mmu_x86_regs *regs, uint64_t lin,
                        enum mmu_x86_access acc, bool user, struct mmu_x86_result *out,
                        uint32_t *pf_error)
{
    const bool write = acc == MMU_X86_WRITE;
    const bool nxe = (regs->efer & MMU_X86_EFER_NXE) != 0;
    /* SDM 4.7: I/D is set for fetches when NXE = 1 (or SMEP, not modelled) */
    const uint32_t ec_base = (write ? MMU_X86_PF_W : 0) | (user ? MMU_X86_PF_U : 0) |
                             (acc == MMU_X86_FETCH && nxe ? MMU_X86_PF_I : 0);
    /* Reserved bits common to all levels: the high address bits, and XD when NXE = 0 (4.5.5). */
    const uint64_t rsvd_all = E_ADDR_RSVD | (nxe ? 0 : E_XD);
    uint64_t table = regs->cr3 & E_ADDR;
    uint64_t addrs[4], entries[4];
    uint64_t rights = E_RW | E_US, xd = 0;
    unsigned level; /* 3 = PML4E, 2 = PDPTE, 1 = PDE, 0 = PTE */
    uint64_t page_mask = 0xfff;
    for (level = 4; level-- > 0;) {
        unsigned shift = 12 + 9 * level;
        uint64_t addr = table + ((lin >> shift) & 0x1ff) * 8;
        uint64_t e;
        if (!read_entry64(bus, addr, &e) || !(e & E_P)) {
            *pf_error = ec_base;
            return false;
        }
        uint64_t rsvd = rsvd_all;
        bool leaf = level == 0;
        if (level == 3) {
            rsvd |= E_PS; /* PML4E bit 7 is reserved (Table 4-15) */
        } else if ((level == 2 || level == 1) && (e & E_PS)) {
            /* 1 GiB page: address bits 29:13 reserved; 2 MiB page: bits 20:13 (Tables 4-17, 4-19)
             */
            rsvd |= level == 2 ? 0x3fffe000ull : 0x1fe000ull;
            leaf = true;
        }
        if (e & rsvd) {
            *pf_error = ec_base | MMU_X86_PF_P | MMU_X86_PF_RSVD;
            return false;
        }
        addrs[level] = addr;
        entries[level] = e;
        rights &= e;
        xd |= e & E_XD;
        if (leaf) {
            page_mask = (1ull << shift) - 1;
            break;
        }
        table = e & E_ADDR;
    }
    /* 4.6.1: U/S and R/W combine over all levels; XD in any of them (4.6.2). */
    if (!access_allowed(regs, user, write, rights, acc == MMU_X86_FETCH && nxe && xd)) {
        *pf_error = ec_base | MMU_X86_PF_P;
        return false;
    }
    /* Accessed flags in every entry used, dirty in the leaf for a write (4.8). */
    for (unsigned l = 4; l-- > level;) {
        uint64_t set = E_A | (l == level && write ? E_D : 0);
        if ((entries[l] & set) != set) bus_write(bus, addrs[l], 8, entries[l] | set);
    }
    out->phys = (entries[level] & E_ADDR & ~page_mask) | (lin & page_mask);
    out->page_size = (uint32_t)(page_mask + 1);
    out->nx = nxe && xd;
    return true;
}

/* ---- PAE paging (SDM Vol. 3A 4.4) ---------------------------------------------------------- */

/* Table 4-8: PDPTE bits 2:1 and 8:5 are reserved, and 63:MAXPHYADDR (PAE PDPTEs have no XD). */
#define PDPTE_RSVD (0x1e6ull | ~((1ull << MMU_X86_MAXPHYADDR) - 1))
/* Tables 4-9 to 4-11: bits 62:MAXPHYADDR of a PDE or PTE are reserved, and bit 63 (XD) when
 * EFER.NXE = 0; a 2 MiB PDE also reserves bits 20:13. */
#define PAE_ADDR_RSVD (((1ull << 63) - 1) & ~((1ull << MMU_X86_MAXPHYADDR) - 1))

bool mmu_x86_load_pdptes(struct bus *bus, uint64_t cr3, uint64_t pdpte[4])
{
    /* 4.4.1: CR3[31:5] is the PDPT's physical address */
    uint64_t table = cr3 & 0xffffffe0u, e[4];
    for (unsigned i = 0; i < 4; i++) {
        if (!read_entry64(bus, table + 8 * i, &e[i])) e[i] = 0; /* no memory: not present */
        if ((e[i] & E_P) && (e[i] & PDPTE_RSVD)) return false;
    }
    for (unsigned i = 0; i < 4; i++)
        pdpte[i] = e[i];
    return true;
}

bool mmu_x86_translate_pae(struct bus *bus, const struct mmu_x86_regs *regs,
                           const uint64_t pdpte[4], uint32_t lin, enum mmu_x86_access acc,
                           bool user, struct mmu_x86_result *out, uint32_t *pf_error)
{
    const bool write = acc == MMU_X86_WRITE;
    const bool nxe = (regs->efer & MMU_X86_EFER_NXE) != 0;
    /* 4.7: I/D is set for fetches when PAE paging is in use with NXE = 1 */
    const uint32_t ec_base = (write ? MMU_X86_PF_W : 0) | (user ? MMU_X86_PF_U : 0) |
                             (acc == MMU_X86_FETCH && nxe ? MMU_X86_PF_I : 0);
    const uint64_t rsvd = PAE_ADDR_RSVD | (nxe ? 0 : E_XD);
    /* 4.4.2: a PDPTE register with P = 0 is a not-present fault */
    uint64_t dir = pdpte[lin >> 30];
    if (!(dir & E_P)) {
        *pf_error = ec_base;
        return false;
    }
    uint64_t pde_addr = (dir & E_ADDR) + ((lin >> 21) & 0x1ff) * 8, pde, pte = 0, pte_addr = 0;
    if (!read_entry64(bus, pde_addr, &pde) || !(pde & E_P)) {
        *pf_error = ec_base;
        return false;
    }
    /* Table 4-9: PS = 1 maps a 2 MiB page (whatever CR4.PSE says) */
    bool large = pde & E_PS;
    if (pde & (rsvd | (large ? 0x1fe000ull : 0))) {
        *pf_error = ec_base | MMU_X86_PF_P | MMU_X86_PF_RSVD;
        return false;
    }
    uint64_t rights = pde, xd = pde & E_XD;
    if (!large) {
        pte_addr = (pde & E_ADDR) + ((lin >> 12) & 0x1ff) * 8;
        if (!read_entry64(bus, pte_addr, &pte) || !(pte & E_P)) {
            *pf_error = ec_base;
            return false;
        }
        if (pte & rsvd) {
            *pf_error = ec_base | MMU_X86_PF_P | MMU_X86_PF_RSVD;
            return false;
        }
        rights &= pte;
        xd |= pte & E_XD;
    }
    /* 4.6.1: the PDPTEs carry no rights; U/S and R/W combine over the PDE and PTE; XD in
     * either (4.6.2). */
    if (!access_allowed(regs, user, write, rights, acc == MMU_X86_FETCH && nxe && xd)) {
        *pf_error = ec_base | MMU_X86_PF_P;
        return false;
    }
    /* 4.8: accessed flags in the PDE and PTE (the PDPTEs have none), dirty in the leaf */
    uint64_t set = E_A | (large && write ? E_D : 0);
    if ((pde & set) != set) bus_write(bus, pde_addr, 8, pde | set);
    if (large) {
        out->phys = (pde & E_ADDR & ~0x1fffffull) | (lin & 0x1fffffu);
        out->page_size = 2u << 20;
    } else {
        set = E_A | (write ? E_D : 0);
        if ((pte & set) != set) bus_write(bus, pte_addr, 8, pte | set);
        out->phys = (pte & E_ADDR) | (lin & 0xfffu);
        out->page_size = 4096;
    }
    out->nx = nxe && xd;
    return true;
}
