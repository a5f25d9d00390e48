/* x86 paging: the 32-bit two-level page walk with 4 MiB pages (SDM Vol. 3A 4.3 "32-Bit Paging"),
 * PAE paging's walk from the four PDPTE registers with 2 MiB pages and execute-disable (4.4 "PAE
 * Paging"), and the 4-level walk of IA-32e mode with 2 MiB and 1 GiB pages and execute-disable
 * (4.5 "4-Level Paging"), access rights (4.6), accessed and dirty flags (4.8) and #PF error codes
 * (4.7). The CPU core keeps its own TLB of host pointers over these walkers, and the PDPTE
 * registers. */
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
#define MMU_X86_PF_I    0x10u /* instruction fetch (4-level paging with EFER.NXE = 1) */

/* MAXPHYADDR of the modelled CPUs (CPUID.80000008H:EAX[7:0]): physical-address bits above it in a
 * paging-structure entry are reserved (SDM Vol. 3A 4.5.5 Tables 4-15 to 4-20). */
#define MMU_X86_MAXPHYADDR 40
#define MMU_X86_EFER_NXE   (1u << 11)

/* The control-register state a walk depends on. */
struct mmu_x86_regs {
    uint64_t cr0, cr3, cr4, efer;
};

struct mmu_x86_result {
    uint64_t phys;      /* the physical address of the byte */
    uint32_t page_size; /* 4 KiB, 2 MiB, 4 MiB or 1 GiB */
    bool nx;            /* PAE and 4-level paging: execution is disabled for this page */
};

/* Translates linear address lin for an access at user (CPL 3, not an implicit supervisor
 * access) or supervisor privilege. Returns true with *out filled and the accessed (and, for a
 * write, dirty) flags set in the entries, or false with the #PF error code in *pf_error and no
 * entry changed. */
bool mmu_x86_translate32(struct bus *bus, const struct mmu_x86_regs *regs, uint32_t lin,
                         enum mmu_x86_access acc, bool user, struct mmu_x86_result *out,
                         uint32_t *pf_error);

/* PAE paging (CR0.PG = 1, CR4.PAE = 1, EFER.LME = 0; SDM Vol. 3A 4.4.1): loads the four PDPTEs
 * from the 32-byte-aligned table at CR3[31:5] into pdpte[]. Returns false, leaving pdpte[]
 * unchanged, when a present PDPTE has a reserved bit set (bits 2:1, 8:5 or 63:MAXPHYADDR, Table
 * 4-8): the MOV to CR0/CR3/CR4 that loads them then raises #GP(0). */
bool mmu_x86_load_pdptes(struct bus *bus, uint64_t cr3, uint64_t pdpte[4]);

/* Translates as mmu_x86_translate32 does, for PAE paging (4.4.2): lin[31:30] selects a PDPTE
 * register (not memory: a PDPT changed in memory takes effect when the PDPTEs are reloaded), the
 * 8-byte PDE and PTE come from memory; PS = 1 in a PDE maps a 2 MiB page. Error codes add RSVD
 * for a reserved bit in the PDE or PTE (XD when EFER.NXE = 0) and I/D for a fetch with
 * EFER.NXE = 1 (4.7); a fetch from a page with XD = 1 (EFER.NXE = 1) is a protection fault. */
bool mmu_x86_translate_pae(struct bus *bus, const struct mmu_x86_regs *regs,
                           const uint64_t pdpte[4], uint32_t lin, enum mmu_x86_access acc,
                           bool user, struct mmu_x86_result *out, uint32_t *pf_error);

/* The same for 4-level paging (CR0.PG, CR4.PAE and EFER.LME; SDM Vol. 3A 4.5): lin is a
 * canonical 48-bit linear address. Error codes add RSVD for a reserved bit in any entry used and
 * I/D for a fetch with EFER.NXE = 1 (4.7); a fetch from a page with XD = 1 in any entry used
 * (EFER.NXE = 1) is a protection fault (4.6). */
bool mmu_x86_translate4(struct bus *bus, const struct mmu_x86_regs *regs, uint64_t lin,
                        enum mmu_x86_access acc, bool user, struct mmu_x86_result *out,
                        uint32_t *pf_error);

#endif
