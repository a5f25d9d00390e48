/* Sv39 page walk and the software TLB (see mmu.h). */
#include "mmu/mmu.h"

#include <string.h>

#define PTE_PPN(pte) (((pte) >> 10) & ((1ull << 44) - 1))
/* Bits 63:54: N (Svnapot), PBMT (Svpbmt) and reserved bits, none implemented here (4.4.1) */
#define PTE_RESERVED (~0ull << 54)

enum mmu_fault mmu_sv39_check(uint64_t pte, unsigned access, unsigned priv, bool sum, bool mxr)
{
    /* 4.3.2 step 5; 4.3.1: U pages: U-mode only; S-mode may load/store them with SUM but never
     * execute them; S pages are never accessible from U. */
    if (pte & MMU_PTE_U) {
        if (priv == 1 && (access == MMU_FETCH || !sum)) return MMU_PAGE_FAULT;
    } else if (priv == 0) {
        return MMU_PAGE_FAULT;
    }
    switch (access) {
    case MMU_FETCH: return (pte & MMU_PTE_X) ? MMU_OK : MMU_PAGE_FAULT;
    /* 3.1.6.3 MXR: loads from pages marked readable or executable */
    case MMU_LOAD: return (pte & MMU_PTE_R) || (mxr && (pte & MMU_PTE_X)) ? MMU_OK : MMU_PAGE_FAULT;
    default: return (pte & MMU_PTE_W) ? MMU_OK : MMU_PAGE_FAULT;
    }
}

enum mmu_fault mmu_sv39_walk(struct bus *bus, const struct mmu_sv39_request *req,
                             struct mmu_sv39_result *result)
{
    uint64_t va = req->vaddr;
    memset(result, 0, sizeof *result);
    if (!mmu_sv39_canonical(va)) return MMU_PAGE_FAULT;
    /* step 1: a = satp.ppn * PAGESIZE, i = LEVELS - 1 */
    uint64_t a = (req->satp & ((1ull << 44) - 1)) << 12;
    for (int i = 2; i >= 0; i--) {
        /* step 2: pte = the PTE at a + va.vpn[i] * PTESIZE. Page tables live in RAM: a PTE
         * address where a device or nothing answers is an access fault (3.6: the walk's
         * implicit accesses are checked against the physical memory attributes too). */
        uint64_t pte_addr = a + ((va >> (12 + 9 * i)) & 0x1ff) * 8, pte;
        result->pte_addr = pte_addr;
        uint8_t *host = bus_ram_ptr(bus, pte_addr, 8);
        if (!host) return MMU_ACCESS_FAULT;
        memcpy(&pte, host, 8);
        /* step 3: invalid, W without R, or reserved bits set: page fault */
        if (!(pte & MMU_PTE_V) || (!(pte & MMU_PTE_R) && (pte & MMU_PTE_W)) || (pte & PTE_RESERVED))
            return MMU_PAGE_FAULT;
        /* step 4: not a leaf: next level. 4.3.1: D, A and U are reserved in non-leaf PTEs. */
        if (!(pte & (MMU_PTE_R | MMU_PTE_X))) {
            if (pte & (MMU_PTE_D | MMU_PTE_A | MMU_PTE_U)) return MMU_PAGE_FAULT;
            a = PTE_PPN(pte) << 12;
            continue;
        }
        /* step 5: permissions */
        if (mmu_sv39_check(pte, req->access, req->priv, req->sum, req->mxr) != MMU_OK)
            return MMU_PAGE_FAULT;
        /* step 6: a misaligned superpage (ppn[i-1:0] != 0) is a page fault */
        uint64_t low_ppn_mask = (1ull << (9 * i)) - 1;
        if (PTE_PPN(pte) & low_ppn_mask) return MMU_PAGE_FAULT;
        /* step 7: A, and D for a store, set by the walker, in the same RAM word */
        uint64_t want = MMU_PTE_A | (req->access == MMU_STORE ? MMU_PTE_D : 0);
        if ((pte & want) != want) {
            pte |= want;
            memcpy(host, &pte, 8);
        }
        /* step 8: pa.pgoff = va.pgoff; superpages take ppn[i-1:0] from va.vpn[i-1:0] */
        uint64_t page_mask = (1ull << (12 + 9 * i)) - 1;
        result->paddr = ((PTE_PPN(pte) << 12) & ~page_mask) | (va & page_mask);
        result->pte = pte;
        result->level = (unsigned)i;
        return MMU_OK;
    }
    return MMU_PAGE_FAULT; /* step 4: i < 0 */
}

void mmu_tlb_insert(struct mmu_tlb *tlb, uint64_t vaddr, const struct mmu_sv39_result *result,
                    uint16_t asid)
{
    struct mmu_tlb_entry *e = mmu_tlb_slot(tlb, vaddr);
    e->tag = (vaddr >> 12) + 1;
    e->paddr = result->paddr & ~0xfffull;
    e->asid = asid;
    e->pte = (uint8_t)result->pte;
    e->level = (uint8_t)result->level;
    e->gen = tlb->gen;
}

void mmu_tlb_flush(struct mmu_tlb *tlb, uint64_t vaddr, uint32_t asid)
{
    if (vaddr == UINT64_MAX && asid == UINT32_MAX) {
        if (++tlb->gen == 0) memset(tlb->e, 0, sizeof tlb->e); /* generations wrapped */
        return;
    }
    for (unsigned k = 0; k < MMU_TLB_ENTRIES; k++) {
        struct mmu_tlb_entry *e = &tlb->e[k];
        if (!mmu_tlb_valid(tlb, e)) continue;
        if (vaddr != UINT64_MAX) {
            /* the leaf covering vaddr: for a superpage, every 4 KiB page cached from it */
            unsigned shift = 9 * e->level;
            if (((e->tag - 1) >> shift) != ((vaddr >> 12) >> shift)) continue;
        }
        if (asid != UINT32_MAX && (e->asid != (uint16_t)asid || (e->pte & MMU_PTE_G))) continue;
        e->tag = 0;
    }
}
