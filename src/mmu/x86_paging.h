/* x86 paging: the 32-bit two-level page walk with 4 MiB pages (SDM Vol. 3A 4.3 "32-Bit Paging"),
 * access rights (4.6), accessed and dirty flags (4.8) and #PF error codes (4.7). PAE and 4-level
 * paging come later. The CPU core keeps its own TLB of host pointers over this walker. */
#ifndef RINGSIDE_MMU_X86_PAGING_H
#define RINGSIDE_MMU_X86_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/bus.h"

enum mmu_x86_access { MMU_X86_READ, MMU_X86_WRITE, MMU_X86_FETCH };

/* #PF error code bits (SDM Vol. 3A 4.7, Figure 4-12). */
#define MMU_X86_PF_P    0x01u /* 0: not present; 1: protection violation */
#define MMU_X86_PF_W    0x02u /* the access was a write */
#define MMU_X86_PF_U    0x04u /* the access was a user-mode access */
#define MMU_X86_PF_RSVD 0x08u /* a reserved bit was set in a paging-structure entry */
#define MMU_X86_PF_I    0x10u /* instruction fetch (only with SMEP or PAE+NXE: never here) */

/* The control-register state a walk depends on. */
struct mmu_x86_regs {
    uint64_t cr0, cr3, cr4;
};

struct mmu_x86_result {
    uint64_t phys;      /* the physical address of the byte */
    uint32_t page_size; /* 4 KiB or 4 MiB */
};

/* Translates linear address lin for an access at user (CPL 3, not an implicit supervisor
 * access) or supervisor privilege. Returns true with *out filled and the accessed (and, for a
 * write, dirty) flags set in the entries, or false with the #PF error code in *pf_error and no
 * entry changed. */
bool mmu_x86_translate32(struct bus *bus, const struct mmu_x86_regs *regs, uint32_t lin,
                         enum mmu_x86_access acc, bool user, struct mmu_x86_result *out,
                         uint32_t *pf_error);

#endif
