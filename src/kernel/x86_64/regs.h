/* The x86_64 kernel's selectors, saved registers and per-thread context, shared by C and assembly.
 *
 * GDT (SDM Vol. 3A 3.4.5 and 7.2.3; 5.8.8 for SYSCALL/SYSRET, 5.8.7 and Vol. 2B SYSEXIT for
 * SYSENTER/SYSEXIT fix the order):
 *   0x08 kernel code (64-bit)   SYSENTER_CS and STAR[47:32]: SYSCALL/SYSENTER load CS = 0x08,
 *   0x10 kernel data              SS = 0x10
 *   0x18 user code (32-bit)     STAR[63:48] = 0x18|3: SYSRET to 32-bit code loads CS = 0x1b;
 *   0x20 user data                SYSRETQ loads SS = 0x18 + 8 = 0x23, CS = 0x18 + 16 = 0x2b
 *   0x28 user code (64-bit)     SYSEXITQ: CS = SYSENTER_CS + 32 = 0x2b, SS = CS + 8 = 0x33
 *   0x30 user data (the SS of SYSEXITQ; SYSEXIT to 32-bit code uses 0x18 and 0x20 like SYSRET)
 *   0x38 TSS (16 bytes in IA-32e mode)
 */
#ifndef KERNEL_X86_64_REGS_H
#define KERNEL_X86_64_REGS_H

#define KCODE_SEL   0x08
#define KDATA_SEL   0x10
#define UCODE32_SEL 0x1b
#define UDATA_SEL   0x23
#define UCODE_SEL   0x2b
#define UDATA2_SEL  0x33
#define TSS_SEL     0x38
#define GDT_ENTRIES 9 /* 7 descriptors, then the TSS's two quadwords */

/* struct regs byte offsets: the general registers the entry stubs push, the vector and error
 * code, then the frame the CPU pushes on an interrupt in 64-bit mode (SDM Vol. 3A 6.14.2, Figure
 * 6-9: SS, RSP, RFLAGS, CS, RIP, always). The syscall and sysenter entries build the same frame
 * themselves. */
#define R_R15    0
#define R_R14    8
#define R_R13    16
#define R_R12    24
#define R_RBP    32
#define R_RBX    40
#define R_R11    48
#define R_R10    56
#define R_R9     64
#define R_R8     72
#define R_RAX    80
#define R_RCX    88
#define R_RDX    96
#define R_RSI    104
#define R_RDI    112
#define R_VECTOR 120
#define R_ERROR  128
#define R_RIP    136
#define R_CS     144
#define R_RFLAGS 152
#define R_RSP    160
#define R_SS     168
#define R_SIZE   176

#define VEC_SYSCALL  0x100 /* not vectors: which entry saved the frame */
#define VEC_SYSENTER 0x101

/* struct thread byte offsets: what syscall_entry finds through GS after SWAPGS */
#define T_USER_RSP   0
#define T_KSTACK_TOP 8

#ifndef __ASSEMBLER__
#include <stdint.h>
struct regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};
/* The per-thread context; IA32_KERNEL_GS_BASE holds its address while the thread is in user mode,
 * so SWAPGS makes it GS's base on entry (SDM Vol. 2B SWAPGS). */
struct thread {
    uint64_t user_rsp;   /* 0: the user's RSP at SYSCALL */
    uint64_t kstack_top; /* 8: the kernel stack to run on (also TSS.RSP0 and SYSENTER_ESP) */
};
#endif

#endif
