/* Every way into the x86_64 kernel from user mode, and the three ways back.
 *
 * Exceptions and int $0x80 go through the IDT: the CPU switches to TSS.RSP0 (the top of the
 * kernel stack) and pushes SS, RSP, RFLAGS, CS, RIP (SDM Vol. 3A 6.14.2); the stub adds an error
 * code and the vector, SAVE_REGS the general registers: a struct regs (regs.h) at the top of the
 * kernel stack. Back with RESTORE_REGS and IRETQ (ret_iretq).
 *
 * syscall (SDM Vol. 2B SYSCALL): RCX = the user's RIP, R11 = its RFLAGS, CS/SS from STAR, RIP from
 * LSTAR, RFLAGS &= ~SFMASK (IF, DF, TF, AC, NT: interrupts are off), RSP unchanged, the user's.
 * syscall_entry does SWAPGS to reach the thread's context (struct thread) through GS, keeps the
 * user RSP there, loads the kernel stack, builds the same struct regs, and SWAPGS back before STI,
 * so the kernel runs with the user's GS base and no exception or interrupt ever meets the
 * kernel's GS base (the window between the two SWAPGS has interrupts off), as PatchworkOS does it.
 * Back with SYSRETQ, or IRETQ when the return RIP is not canonical (SYSRET would raise #GP in ring 0
 * on Intel CPUs: SDM Vol. 2B SYSRET).
 *
 * sysenter from 64-bit code (Intel only; SDM Vol. 2B SYSENTER): RSP = SYSENTER_ESP (the kernel
 * stack top), RIP = SYSENTER_EIP, IF = 0; the user's RIP and RSP are not saved: the vsyscall page
 * passes its RSP in RCX and the kernel returns to a fixed address in that page. Back with
 * SYSEXITQ (RIP = RDX, RSP = RCX, CS = SYSENTER_CS + 32, SS = + 40). */
#include "memlayout.h"
#include "regs.h"

.macro SAVE_REGS
    pushq   %rdi
    pushq   %rsi
    pushq   %rdx
    pushq   %rcx
    pushq   %rax
    pushq   %r8
    pushq   %r9
    pushq   %r10
    pushq   %r11
    pushq   %rbx
    pushq   %rbp
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    cld
.endm

.macro RESTORE_REGS
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbp
    popq    %rbx
    popq    %r11
    popq    %r10
    popq    %r9
    popq    %r8
    popq    %rax
    popq    %rcx
    popq    %rdx
    popq    %rsi
    popq    %rdi
.endm

.macro EXC vec, has_error
    .text
exc\vec:
    .if \has_error == 0
    pushq   $0
    .endif
    pushq   $\vec
    jmp     exc_common
    .section .rodata
    .quad   exc\vec
.endm

    .section .rodata
    .balign 8
    .globl  exc_stubs               /* exc_stubs[32]: IDT entries 0-31 (main.c) */
exc_stubs:
    EXC 0, 0
    EXC 1, 0
    EXC 2, 0
    EXC 3, 0
    EXC 4, 0
    EXC 5, 0
    EXC 6, 0
    EXC 7, 0
    EXC 8, 1
    EXC 9, 0
    EXC 10, 1
    EXC 11, 1
    EXC 12, 1
    EXC 13, 1
    EXC 14, 1
    EXC 15, 0
    EXC 16, 0
    EXC 17, 1
    EXC 18, 0
    EXC 19, 0
    EXC 20, 0
    EXC 21, 1
    EXC 22, 0
    EXC 23, 0
    EXC 24, 0
    EXC 25, 0
    EXC 26, 0
    EXC 27, 0
    EXC 28, 0
    EXC 29, 1
    EXC 30, 1
    EXC 31, 0

    .text
exc_common:
    SAVE_REGS
    movq    %rsp, %rdi
    call    trap                    /* trap.c: returns only if the program goes on */
    jmp     ret_iretq

/* int $0x80: the i386 ABI from 64-bit code (IDT entry 0x80: DPL-3 interrupt gate). */
    .globl  int80_entry
int80_entry:
    pushq   $0
    pushq   $0x80
    SAVE_REGS
    movq    %rsp, %rdi
    call    int80_compat            /* trap.c: EAX number, EBX ECX EDX ESI EDI EBP */
    .globl  ret_iretq, enter_user, iretq_insn
ret_iretq:
    cli
    movq    $(kstack_top - R_SIZE), %rsp
    RESTORE_REGS
    addq    $16, %rsp               /* vector, error code */
iretq_insn:                         /* trap.c recognizes a #GP here: a bad user RIP */
    iretq

/* The first entry into the program: kmain prepared initial_regs; they become the frame at the
 * top of the kernel stack (kmain's own frame there is abandoned), then IRETQ. */
enter_user:
    cli
    movq    $(kstack_top - R_SIZE), %rsp
    movq    %rsp, %rdi
    movq    $initial_regs, %rsi
    movl    $(R_SIZE / 8), %ecx
    rep movsq
    jmp     ret_iretq

/* syscall: x86-64 Linux ABI, RAX number, RDI RSI RDX R10 R8 R9 arguments, RAX result. */
    .globl  syscall_entry
syscall_entry:
    swapgs                          /* GS.base = &thread (IA32_KERNEL_GS_BASE) */
    movq    %rsp, %gs:T_USER_RSP
    movq    %gs:T_KSTACK_TOP, %rsp
    pushq   $UDATA_SEL              /* the frame IRETQ would use: SS, RSP, RFLAGS, CS, RIP */
    pushq   %gs:T_USER_RSP
    pushq   %r11
    pushq   $UCODE_SEL
    pushq   %rcx
    pushq   $0
    pushq   $VEC_SYSCALL
    SAVE_REGS
    swapgs                          /* the user's GS base again, before interrupts are on */
    sti
    movq    %rsp, %rdi
    call    syscall64               /* trap.c: returns 0 for SYSRET, 1 when IRETQ must return */
    cli
    testl   %eax, %eax
    jnz     ret_iretq
    RESTORE_REGS
    addq    $16, %rsp               /* vector, error code */
    popq    %rcx                    /* RIP */
    addq    $8, %rsp                /* CS */
    popq    %r11                    /* RFLAGS */
    popq    %rsp                    /* the user stack; interrupts stay off until SYSRETQ */
    sysretq                         /* RIP = RCX, RFLAGS = R11, CS = 0x2b, SS = 0x23, CPL 3 */

/* sysenter from 64-bit user code, through the vsyscall page (vsyscall.S): x86-64 numbers and
 * registers as for syscall; the user RSP in RCX, the caller's RDX saved on the user stack. */
    .globl  sysenter_entry
sysenter_entry:
    pushq   $UDATA2_SEL
    pushq   %rcx                    /* the user's RSP */
    pushq   $0x202                  /* RFLAGS: not saved by SYSENTER; IF, bit 1 */
    pushq   $UCODE_SEL
    pushq   $0                      /* RIP: the vsyscall page's return point, set by C */
    pushq   $0
    pushq   $VEC_SYSENTER
    SAVE_REGS
    sti
    movq    %rsp, %rdi
    call    sysenter64              /* trap.c: sets RAX, and RDX/RCX for SYSEXITQ */
    cli
    RESTORE_REGS
    sti                             /* takes effect after SYSEXITQ (SDM Vol. 2B STI) */
    sysexitq                        /* REX.W SYSEXIT: RIP = RDX, RSP = RCX, to 64-bit code */
