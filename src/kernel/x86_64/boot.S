/* The x86_64 kernel's first instructions: a 32-bit Multiboot stub that switches to long mode.
 * The Multiboot loader (Multiboot 0.6.96 3.2) jumps to _start in 32-bit protected mode with paging
 * off, EAX = 0x2BADB002, EBX = the information structure. The kernel is x86-64 code linked at
 * KERNBASE + its physical address and shipped as an ELF32 container (design.md "Platforms"); the
 * stub lives in .boot, linked at its physical address. It follows SDM Vol. 3A 10.8.5
 * ("Initializing IA-32e Mode"): build 4-level page tables that map the first 16 MiB at 0 (the
 * stub keeps running there) and at KERNBASE, CR4.PAE = 1, CR3 = the PML4, IA32_EFER.LME = 1,
 * CR0.PG = 1 (the CPU is now in compatibility mode, EFER.LMA = 1), load a GDT with a 64-bit code
 * segment and jump to it, then to the kernel's linked address and kmain. */
#include "memlayout.h"
#include "regs.h"

#define PTE_P  0x001
#define PTE_W  0x002
#define PTE_PS 0x080 /* in a PDE: a 2-MiB page (SDM Vol. 3A 4.5.4, Table 4-18) */
#define CR0_WP 0x00010000
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define EFER_LME 0x100
#define PHYS(x) ((x) - KERNBASE)

    .section .multiboot, "a"
    .balign 4
    .long   0x1BADB002
    .long   0x00000003              /* page-aligned modules, memory information */
    .long   -(0x1BADB002 + 0x00000003)

    .section .boot, "ax"
    .code32
    .globl  _start
_start:
    cli
    cld
    movl    %eax, %esi              /* magic and information for kmain */
    movl    %ebx, %edi
    /* boot_pd[i] = i * 2 MiB | P | W | PS for the first BOOT_MAP bytes */
    movl    $PHYS(boot_pd), %ebx
    movl    $(PTE_P | PTE_W | PTE_PS), %eax
    xorl    %ecx, %ecx
1:  movl    %eax, (%ebx,%ecx,8)
    movl    $0, 4(%ebx,%ecx,8)
    addl    $0x200000, %eax
    incl    %ecx
    cmpl    $(BOOT_MAP / 0x200000), %ecx
    jne     1b
    /* PML4[0] -> pdpt_lo[0] -> boot_pd (identity); PML4[511] -> pdpt_hi[510] -> boot_pd
     * (0xffff_ffff_8000_0000: PML4 index 511, PDPT index 510) */
    movl    $(PHYS(boot_pd) + PTE_P + PTE_W), PHYS(boot_pdpt_lo)
    movl    $(PHYS(boot_pd) + PTE_P + PTE_W), PHYS(boot_pdpt_hi) + 510 * 8
    movl    $(PHYS(boot_pdpt_lo) + PTE_P + PTE_W), PHYS(boot_pml4)
    movl    $(PHYS(boot_pdpt_hi) + PTE_P + PTE_W), PHYS(boot_pml4) + 511 * 8
    movl    %cr4, %eax
    orl     $CR4_PAE, %eax
    movl    %eax, %cr4
    movl    $PHYS(boot_pml4), %eax
    movl    %eax, %cr3
    movl    $0xc0000080, %ecx       /* IA32_EFER (SDM Vol. 4 Table 2-2) */
    rdmsr
    orl     $EFER_LME, %eax
    wrmsr
    movl    %cr0, %eax
    orl     $(CR0_PG | CR0_WP), %eax
    movl    %eax, %cr0              /* IA-32e mode active, still 32-bit code (compatibility) */
    lgdt    boot_gdtr               /* .boot is linked at its physical address */
    ljmp    $KCODE_SEL, $start64    /* CS.L = 1: 64-bit mode */

    .code64
start64:
    movl    $KDATA_SEL, %eax
    movl    %eax, %ds
    movl    %eax, %es
    movl    %eax, %ss
    xorl    %eax, %eax
    movl    %eax, %fs
    movl    %eax, %gs
    movabsq $high64, %rax
    jmp     *%rax

boot_gdtr:                          /* the GDT by its physical address, for the stub */
    .word   GDT_ENTRIES * 8 - 1
    .quad   PHYS(gdt)

    .text
high64:
    movq    $kstack_top, %rsp
    movl    %esi, %eax              /* kmain(magic, mbi_pa) in EDI, ESI (System V AMD64) */
    movl    %edi, %esi
    movl    %eax, %edi
    call    kmain
2:  hlt
    jmp     2b

    .data
    .balign 16
    .globl  gdt
gdt:                                /* regs.h: base 0, limit 4 GiB, flat */
    .quad   0
    .quad   0x00af9a000000ffff      /* 0x08 kernel code: P, DPL 0, execute/read, L = 1 */
    .quad   0x00cf92000000ffff      /* 0x10 kernel data: P, DPL 0, read/write */
    .quad   0x00cffa000000ffff      /* 0x18 user code, 32-bit: DPL 3, D = 1 */
    .quad   0x00cff2000000ffff      /* 0x20 user data: DPL 3 */
    .quad   0x00affa000000ffff      /* 0x28 user code, 64-bit: DPL 3, L = 1 */
    .quad   0x00cff2000000ffff      /* 0x30 user data, for SYSEXITQ's SS */
    .quad   0, 0                    /* 0x38 TSS: written by kmain */

    .bss
    .balign PAGE_SIZE
boot_pml4:
    .skip   PAGE_SIZE
boot_pdpt_lo:
    .skip   PAGE_SIZE
boot_pdpt_hi:
    .skip   PAGE_SIZE
boot_pd:
    .skip   PAGE_SIZE
    .globl  kstack_guard, kstack_top
kstack_guard:                       /* unmapped by kvm_init: an overflow faults */
    .skip   PAGE_SIZE
    .skip   KSTACK_PAGES * PAGE_SIZE
kstack_top:
