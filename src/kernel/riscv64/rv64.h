/* Internal interfaces of the riscv64 kernel (the common part's interface is common/kernel.h). */
#ifndef KERNEL_RISCV64_RV64_H
#define KERNEL_RISCV64_RV64_H

#include "kernel.h"
#include "riscv.h"

/* Linker symbols (kernel.ld) and assembly entry points (entry.S, trampoline.S). */
extern char trampoline[], trampoline_end[], text_end[], kernel_end[];
extern char uservec[], userret[], kernelvec[], m_trapvec[];

/* mstart.c: whether the hart has PMP (m_setup() opened it) */
extern int pmp_present;

/* platform.c */
void uart_init(void);
void clock_init(uint64_t timebase_hz);

/* kalloc.c: zeroed 4 KiB physical pages, never freed; the kernel reaches them at their physical
 * address. */
struct phys_range {
    uint64_t base, end;
};
void kalloc_init(uint64_t base, uint64_t end, const struct phys_range *reserved, int n_reserved);
void *kalloc(void);               /* a zeroed page, or NULL */
uint64_t kalloc_pages_left(void); /* not counting reserved ranges ahead */

/* vm.c */
void kvm_init(uint64_t ram_base, uint64_t ram_end); /* builds the kernel table and the kstack */
void kvm_enable(void);                              /* satp = kernel table (on this hart) */
uint64_t kvm_satp(void);
uint64_t *uvm_create(struct trapframe *tf); /* trampoline + trapframe, nothing else */

/* trap.c */
__attribute__((noreturn)) void usertrapret(void);

#endif
