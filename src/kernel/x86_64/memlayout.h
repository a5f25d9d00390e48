/* The x86_64 kernel's memory layout: plain #defines, shared by C and assembly.
 *
 * Physical: as the i386 kernel's (i386/memlayout.h): the kernel image at 1 MiB, loaded by its
 * p_paddr from the ELF32 container, then the module (the user program), then free pages.
 *
 * Virtual (4-level paging, SDM Vol. 3A 4.5; one PML4 per process whose upper half is the
 * kernel's):
 *   0x0000_1000 .. USER_LOAD_END     the program's segments, then its heap (brk)      user
 *   (guard page)
 *   USER_STACK_TOP - USER_STACK_SIZE .. USER_STACK_TOP  the stack, below 2 GiB like everything
 *                                    of the program's, so that its pointers fit the 32-bit
 *                                    registers of the int $0x80 compat ABI
 *   KERNBASE 0xffff_ffff_8000_0000   all RAM up to DIRECT_MAX (physical + KERNBASE, the top 2 GiB
 *                                    that -mcmodel=kernel code addresses), supervisor only; the
 *                                    kernel stack's guard page is left unmapped
 *   VSYSCALL_VA 0xffff_ffff_ff60_0000  the vsyscall page (user, read + execute), at the address
 *                                    of Linux x86-64's legacy vsyscall page
 */
#ifndef KERNEL_X86_64_MEMLAYOUT_H
#define KERNEL_X86_64_MEMLAYOUT_H

#define PAGE_SIZE 4096

#define KERNBASE    0xffffffff80000000
#define KERNEL_PHYS 0x100000
#define DIRECT_MAX  0x40000000 /* at most 1 GiB of RAM is mapped and used */
#define BOOT_MAP    0x01000000 /* boot.S maps 16 MiB twice, at 0 and at KERNBASE (2-MiB pages) */

#define VSYSCALL_VA 0xffffffffff600000

#define USER_MIN_VA     PAGE_SIZE
#define USER_STACK_TOP  0x7fffe000
#define USER_STACK_SIZE (16 * PAGE_SIZE)
#define USER_LOAD_END   (USER_STACK_TOP - USER_STACK_SIZE - PAGE_SIZE)
#define USER_MMAP_END   0x800000000000 /* mmap: the whole lower half (SDM Vol. 1 3.3.7.1) */

#define KSTACK_PAGES 4

#ifndef __ASSEMBLER__
#define P2V(pa) ((void *)((uint64_t)(pa) + KERNBASE))
#define V2P(va) ((uint64_t)(va)-KERNBASE)
#endif

#endif
