/* The x86_64 kernel's internal interfaces (main.c, vm.c, trap.c, entry.S, boot.S). */
#ifndef KERNEL_X86_64_X86_64_H
#define KERNEL_X86_64_X86_64_H

#include "kernel.h"

#define PTE_P         0x001ull /* SDM Vol. 3A 4.5, Tables 4-14 to 4-19: present */
#define PTE_W         0x002ull /* writable */
#define PTE_U         0x004ull /* user: CPL 3 may access if every level says so (4.6) */
#define PTE_ADDR      0x000ffffffffff000ull
#define PX(level, va) (((uint64_t)(va) >> (12 + 9 * (level))) & 0x1ff)

extern char kernel_end[], kstack_guard[], kstack_top[];
extern uint64_t gdt[GDT_ENTRIES];
extern struct regs initial_regs;
extern struct thread thread0;
extern const char vsys_syscall_start[], vsys_syscall_end[];
extern const char vsys_sysenter_start[], vsys_sysenter_end[];
#define VSYS_SYSENTER_RETURN 0x80 /* vsyscall.S: SYSEXITQ returns here in every page version */
extern const char vsys_int80_start[], vsys_int80_end[];
extern const uint64_t exc_stubs[32];
extern const char iretq_insn[];
void int80_entry(void), syscall_entry(void), sysenter_entry(void);
__attribute__((noreturn)) void enter_user(void);

/* vm.c */
void kvm_init(uint64_t ram_end);
uint64_t *uvm_create(void);
int vsyscall_map(uint64_t *pml4, const char *code, uint64_t len);

/* trap.c */
extern uint64_t vsyscall_return;
void trap(struct regs *r);
void int80_compat(struct regs *r);
int syscall64(struct regs *r);
void sysenter64(struct regs *r);

#endif
