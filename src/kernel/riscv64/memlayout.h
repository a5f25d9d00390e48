/* The riscv64 kernel's memory layout: plain #defines, shared by C and assembly.
 *
 * Physical (QEMU virt / ringside riscv64, design.md "Platforms"):
 *   0x0010_0000  SiFive test finisher (exit device)
 *   0x0200_0000  CLINT (mtime at +0xbff8)
 *   0x1000_0000  NS16550A UART
 *   0x8000_0000  the kernel image (text, trampoline page, rodata, data, bss with the boot stacks),
 *                then free pages up to the end of RAM, except the initrd (the user program) and the
 *                device tree, wherever the boot loader put them (QEMU: initrd at RAM + min(RAM/2,
 *                128 MiB), the device tree near the top of RAM).
 *
 * Kernel virtual (Sv39, kernel page table): devices and all of RAM mapped at their physical
 * addresses (the direct map), and at the top of the address space:
 *   TRAMPOLINE   uservec/userret, the same page as in every user page table
 *   (one unmapped page)
 *   KSTACK       the process's kernel stack, KSTACK_PAGES pages below KSTACK_TOP
 *   (one unmapped guard page below it: an overflow faults instead of corrupting memory)
 *
 * User virtual (Sv39, per-process page table), all below MAXVA:
 *   USER_MIN_VA .. USER_LOAD_END   the program's segments, then its heap (brk)
 *   (guard page)
 *   USER_STACK_TOP - USER_STACK_SIZE .. USER_STACK_TOP   the stack
 *   (guard page)
 *   TRAPFRAME    the saved user registers (no U bit: only the kernel and the trampoline use it)
 *   TRAMPOLINE   the same physical page as in the kernel table (no U bit)
 */
#ifndef KERNEL_RISCV64_MEMLAYOUT_H
#define KERNEL_RISCV64_MEMLAYOUT_H

#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##ull /* 64-bit constants in C; the assembler's expressions are 64-bit anyway */
#endif

#define PAGE_SIZE 4096

#define UART0_BASE    0x10000000
#define CLINT_BASE    0x2000000
#define CLINT_SIZE    0x10000
#define CLINT_MTIME   (CLINT_BASE + 0xbff8)
#define FINISHER_BASE 0x100000

/* One bit less than Sv39 allows, as xv6 does: every address below MAXVA has bit 38 clear, so no
 * address needs sign extension (Priv. spec 4.4.1: bits 63..39 must equal bit 38). */
#define MAXVA      (UL(1) << 38)
#define TRAMPOLINE (MAXVA - PAGE_SIZE)      /* 0x3f_ffff_f000 */
#define TRAPFRAME  (TRAMPOLINE - PAGE_SIZE) /* 0x3f_ffff_e000, user page table only */

#define KSTACK_PAGES 4
#define KSTACK_TOP   (TRAMPOLINE - PAGE_SIZE) /* 0x3f_ffff_e000, kernel page table only */
#define KSTACK_SIZE  (KSTACK_PAGES * PAGE_SIZE)
#define KSTACK_GUARD (KSTACK_TOP - KSTACK_SIZE - PAGE_SIZE) /* 0x3f_ffff_9000, never mapped */

#define USER_MIN_VA     PAGE_SIZE               /* page 0 is never mapped */
#define USER_STACK_TOP  (TRAPFRAME - PAGE_SIZE) /* 0x3f_ffff_d000 */
#define USER_STACK_SIZE (16 * PAGE_SIZE)
#define USER_LOAD_END   (USER_STACK_TOP - USER_STACK_SIZE - PAGE_SIZE) /* 0x3f_fffe_c000 */

#endif
