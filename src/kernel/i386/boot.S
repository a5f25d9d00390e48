/* The i386 kernel's first instructions. The Multiboot loader (QEMU, ringside; Multiboot 0.6.96
 * 3.2) jumps to _start in 32-bit protected mode with paging off, EAX = 0x2BADB002 and EBX = the
 * physical address of the information structure. The kernel is linked at KERNBASE + its physical
 * address (kernel.ld), so this code, which runs before paging, uses physical addresses
 * (symbol - KERNBASE). It maps the first 16 MiB twice, at 0 (so the next instruction after
 * turning paging on still exists) and at KERNBASE, turns paging on, and jumps to kmain on the
 * kernel stack. kmain builds the real page tables and drops the identity half. */
#include "memlayout.h"

#define PTE_P 0x001
#define PTE_W 0x002
#define CR0_PE 0x00000001
#define CR0_WP 0x00010000 /* SDM Vol. 3A 2.5: supervisor writes honour read-only pages */
#define CR0_PG 0x80000000
#define BOOT_PTS (BOOT_MAP / 0x400000)

    /* Multiboot header (3.1.1-3.1.2): in the first 8 KiB, 4-byte aligned. Flags: bit 0 modules
     * page aligned, bit 1 memory information wanted. ELF loading (no bit 16). */
    .section .multiboot, "a"
    .balign 4
    .long   0x1BADB002
    .long   0x00000003
    .long   -(0x1BADB002 + 0x00000003)

    .section .boot, "ax"
    .code32
    .globl  _start
_start:
    cli
    cld
    movl    %eax, %esi                  /* the loader's magic and information, for kmain */
    movl    %ebx, %ebp
    /* boot_pt[i] = (i * 4096) | P | W for the first BOOT_MAP bytes */
    movl    $(boot_pt - KERNBASE), %edi
    movl    $(PTE_P | PTE_W), %eax
    movl    $(BOOT_PTS * 1024), %ecx
1:  stosl
    addl    $PAGE_SIZE, %eax
    loop    1b
    /* PDEs 0.. and KERNBASE/4M.. point at the same tables */
    movl    $(boot_pt - KERNBASE + (PTE_P | PTE_W)), %eax
    xorl    %ebx, %ebx
2:  movl    %eax, boot_pgdir - KERNBASE(,%ebx,4)
    movl    %eax, boot_pgdir - KERNBASE + (KERNBASE >> 22) * 4(,%ebx,4)
    addl    $PAGE_SIZE, %eax
    incl    %ebx
    cmpl    $BOOT_PTS, %ebx
    jne     2b
    movl    $(boot_pgdir - KERNBASE), %eax
    movl    %eax, %cr3
    movl    %cr0, %eax
    orl     $(CR0_PE | CR0_WP | CR0_PG), %eax
    movl    %eax, %cr0
    movl    $high, %eax                 /* the first instruction at its linked address */
    jmp     *%eax

    .text
high:
    movl    $kstack_top, %esp
    pushl   %ebp                        /* kmain(magic, mbi_pa) */
    pushl   %esi
    call    kmain
3:  hlt
    jmp     3b

    .bss
    .balign PAGE_SIZE
    .globl  boot_pgdir
boot_pgdir:
    .skip   PAGE_SIZE
boot_pt:
    .skip   BOOT_PTS * PAGE_SIZE
    /* the kernel stack, with an unmapped guard page below it (kmain unmaps it) */
    .globl  kstack_guard, kstack_top
kstack_guard:
    .skip   PAGE_SIZE
    .skip   KSTACK_PAGES * PAGE_SIZE
kstack_top:
