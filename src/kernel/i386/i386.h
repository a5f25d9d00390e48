/* The i386 kernel's internal interfaces (main.c, vm.c, trap.c, entry.S, boot.S). */
#ifndef KERNEL_I386_I386_H
#define KERNEL_I386_I386_H

#include "kernel.h"

#define PTE_P   0x001 /* SDM Vol. 3A 4.3, Tables 4-5 and 4-6: present */
#define PTE_W   0x002 /* writable */
#define PTE_U   0x004 /* user (U/S = 1): CPL 3 may access */
#define PTE_PS  0x080
#define PDX(va) (((uint32_t)(va) >> 22) & 0x3ff)
#define PTX(va) (((uint32_t)(va) >> 12) & 0x3ff)

extern char kernel_end[], kstack_guard[], kstack_top[];
extern uint32_t boot_pgdir[1024];
extern struct regs thread_regs;
extern const char vsys_int80_start[], vsys_int80_end[];
extern const char vsys_sysenter_start[], vsys_sysenter_end[];
#define VSYS_SYSENTER_RETURN 0x20 /* vsyscall.S: SYSEXIT returns here in every page version */
extern const uint32_t exc_stubs[32];
void int80_entry(void), sysenter_entry(void);
__attribute__((noreturn)) void enter_user(void);

/* vm.c */
void kvm_init(uint64_t ram_end); /* the kernel page directory: RAM at KERNBASE, the guard page */
uint32_t *uvm_create(void);      /* a process page directory sharing the kernel's upper half */
int vsyscall_map(uint32_t *pgdir, const char *code, uint32_t len); /* the vsyscall page */

/* trap.c */
extern uint32_t vsyscall_return; /* where sysexit returns: VSYSCALL_VA + VSYS_SYSENTER_RETURN */
void trap(struct regs *r);
void int80_syscall(struct regs *r);
void sysenter_syscall(struct regs *r);

#endif
