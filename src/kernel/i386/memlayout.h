/* The i386 kernel's memory layout: plain #defines, shared by C and assembly.
 *
 * Physical (the PC platform, design.md "Platforms"):
 *   0x0000_9000  the Multiboot information (ringside; QEMU puts it elsewhere below 1 MiB)
 *   0x0010_0000  the kernel image (text, rodata, data, bss with the boot page tables and stacks),
 *                loaded at its p_paddr; then the module (the user program), then free pages up
 *                to the end of RAM.
 *
 * Virtual (two-level 32-bit paging, SDM Vol. 3A 4.3; one page directory per process whose upper
 * half is the kernel's):
 *   0x0000_1000 .. USER_LOAD_END    the program's segments, then its heap (brk)     user
 *   (guard page)
 *   USER_STACK_TOP - USER_STACK_SIZE .. USER_STACK_TOP   the user stack             user
 *   KERNBASE 0x8000_0000 ..         all RAM up to DIRECT_MAX (physical + KERNBASE), supervisor
 *                                   only: the kernel image, the page tables, every page the
 *                                   allocator hands out; the kernel stack's guard page is left
 *                                   unmapped so an overflow faults
 *   VSYSCALL_VA 0xffff_e000         the vsyscall page (user, read + execute: 32-bit paging has
 *                                   no execute-disable bit), as Linux 2.6's fixed vsyscall page
 */
#ifndef KERNEL_I386_MEMLAYOUT_H
#define KERNEL_I386_MEMLAYOUT_H

#define PAGE_SIZE 4096

#define KERNBASE    0x80000000
#define KERNEL_PHYS 0x100000
#define DIRECT_MAX  0x40000000 /* at most 1 GiB of RAM is mapped and used */
#define BOOT_MAP    0x01000000 /* boot.S maps the first 16 MiB twice: identity and at KERNBASE */

#define VSYSCALL_VA 0xffffe000

#define USER_MIN_VA     PAGE_SIZE
#define USER_STACK_TOP  0x7fffe000
#define USER_STACK_SIZE (16 * PAGE_SIZE)
#define USER_LOAD_END   (USER_STACK_TOP - USER_STACK_SIZE - PAGE_SIZE) /* 0x7ffe_d000 */

#define KSTACK_PAGES 4 /* the kernel stack (boot.S), below it one guard page */

#ifndef __ASSEMBLER__
#define P2V(pa) ((void *)(uintptr_t)((uint64_t)(pa) + KERNBASE))
#define V2P(va) ((uint64_t)(uintptr_t)(va)-KERNBASE)
#endif

#endif
