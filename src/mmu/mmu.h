/* Address translation: the face of the MMU part (design.md "Layout").
 *
 * Sv39 (RISC-V privileged spec 20211203, 4.3 "Sv32" for the algorithm, 4.4 "Sv39"): the page walk
 * as a function of the request and the page tables in guest memory (it reads PTEs and sets their
 * A and D bits through the bus, and keeps no state of its own), and a software TLB that caches the
 * walk's results per 4 KiB page. The TLB is a functional cache: it holds only what a walk returned,
 * is flushed by sfence.vma and satp writes, and has nothing to do with the timing model's TLBs.
 * Results differ from an uncached walk only where the spec leaves them unspecified (page tables
 * changed without sfence.vma).
 */
#ifndef RINGSIDE_MMU_MMU_H
#define RINGSIDE_MMU_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/bus.h"

enum mmu_access { MMU_FETCH, MMU_LOAD, MMU_STORE };
enum mmu_fault { MMU_OK = 0, MMU_PAGE_FAULT, MMU_ACCESS_FAULT };

/* PTE bits (priv. spec 4.3.1, figure 4.18) */
#define MMU_PTE_V (1u << 0)
#define MMU_PTE_R (1u << 1)
#define MMU_PTE_W (1u << 2)
#define MMU_PTE_X (1u << 3)
#define MMU_PTE_U (1u << 4)
#define MMU_PTE_G (1u << 5)
#define MMU_PTE_A (1u << 6)
#define MMU_PTE_D (1u << 7)

/* Privilege for the check: 0 = U, 1 = S (M-mode accesses are not translated). */
struct mmu_sv39_request {
    uint64_t satp; /* PPN of the root table in bits 43:0 */
    uint64_t vaddr;
    uint8_t access; /* enum mmu_access */
    uint8_t priv;
    bool sum; /* mstatus.SUM: S may load/store U pages */
    bool mxr; /* mstatus.MXR: loads from executable pages */
};

struct mmu_sv39_result {
    uint64_t paddr;    /* the translation of vaddr */
    uint64_t pte;      /* the leaf PTE as stored after the A/D update */
    uint64_t pte_addr; /* where the walk stopped (the faulting PTE for faults) */
    unsigned level;    /* 0: 4 KiB page, 1: 2 MiB megapage, 2: 1 GiB gigapage */
};

/* Sv39: bits 63:39 of a virtual address equal bit 38 (4.4.1); otherwise a page fault. */
static inline bool mmu_sv39_canonical(uint64_t vaddr)
{
    return (uint64_t)((int64_t)(vaddr << 25) >> 25) == vaddr;
}

/* The permission check of a leaf PTE for an access (4.3.2 step 5, 3.1.6.3 SUM/MXR). */
enum mmu_fault mmu_sv39_check(uint64_t pte, unsigned access, unsigned priv, bool sum, bool mxr);

/* The page walk (4.3.2 with LEVELS = 3, PTESIZE = 8). Sets A, and D for stores, in the leaf PTE
 * (hardware A/D update, as QEMU does; no Svade). Returns MMU_OK with *result, MMU_PAGE_FAULT, or
 * MMU_ACCESS_FAULT when a PTE address is not plain RAM (nothing there, or a device). */
enum mmu_fault mmu_sv39_walk(struct bus *bus, const struct mmu_sv39_request *req,
                             struct mmu_sv39_result *result);

/* The software TLB: direct-mapped by virtual page number, one 4 KiB page per entry (superpages
 * fill one entry per page touched). A flush of everything (each satp write, and sfence.vma
 * without operands: twice per system call on an xv6-style kernel) starts a new generation
 * instead of clearing the entries; an entry of an older generation is empty. */
#define MMU_TLB_ENTRIES 256
struct mmu_tlb_entry {
    uint64_t tag;   /* vaddr >> 12, plus 1; 0 = empty */
    uint64_t paddr; /* physical address of the 4 KiB page */
    uint16_t asid;
    uint8_t pte;   /* low PTE bits: V R W X U G A D */
    uint8_t level; /* of the leaf: address flushes cover the whole superpage */
    uint32_t gen;  /* the generation it was filled in */
};
struct mmu_tlb {
    struct mmu_tlb_entry e[MMU_TLB_ENTRIES];
    uint32_t gen;
};

static inline struct mmu_tlb_entry *mmu_tlb_slot(struct mmu_tlb *tlb, uint64_t vaddr)
{
    return &tlb->e[(vaddr >> 12) % MMU_TLB_ENTRIES];
}
/* Whether e holds a translation now. */
static inline bool mmu_tlb_valid(const struct mmu_tlb *tlb, const struct mmu_tlb_entry *e)
{
    return e->tag && e->gen == tlb->gen;
}
/* The entry for vaddr's page, or NULL. */
static inline const struct mmu_tlb_entry *mmu_tlb_lookup(struct mmu_tlb *tlb, uint64_t vaddr)
{
    const struct mmu_tlb_entry *e = mmu_tlb_slot(tlb, vaddr);
    return e->tag == (vaddr >> 12) + 1 && e->gen == tlb->gen ? e : NULL;
}
void mmu_tlb_insert(struct mmu_tlb *tlb, uint64_t vaddr, const struct mmu_sv39_result *result,
                    uint16_t asid);
/* sfence.vma semantics (4.2.1): vaddr UINT64_MAX = every address, asid UINT32_MAX = every
 * address space; an ASID-specific flush keeps global mappings. */
void mmu_tlb_flush(struct mmu_tlb *tlb, uint64_t vaddr, uint32_t asid);

#endif
