/* Every way into the i386 kernel from user mode, and the two ways back.
 *
 * The thread's saved registers are one struct regs (regs.h), thread_regs. TSS.ESP0 points at its
 * end, so an exception or int $0x80 in ring 3 makes the CPU push SS, ESP, EFLAGS, CS, EIP there
 * (SDM Vol. 3A 6.12.1); the stub pushes an error code and the vector, then SAVE_ALL pushes the
 * segment registers and the general registers, which fills the rest of thread_regs. SYSENTER_ESP
 * points at thread_regs.ds, the end of its general registers, so the sysenter entry's PUSHA stores
 * the user's registers straight into it (as NOVA's entry does). Each entry then loads the kernel
 * stack (kstack_top, boot.S) and calls C with a pointer to thread_regs.
 *
 * Back to user mode: ret_iret (RESTORE_ALL + IRET) after exceptions, int $0x80 and at the first
 * entry into the program; ret_sysexit (POPA, STI, SYSEXIT) after sysenter. Both start by pointing
 * ESP at thread_regs. */
#include "memlayout.h"
#include "regs.h"

#define ENOSYS 38

/* SAVE_ALL: below the vector and error code, the data segment registers, then the general
 * registers in PUSHA's order (regs.h), with 0 in the ESP slot. */
.macro SAVE_ALL
    pushl   %gs
    pushl   %fs
    pushl   %es
    pushl   %ds
    pushl   %eax
    pushl   %ecx
    pushl   %edx
    pushl   %ebx
    pushl   $0
    pushl   %ebp
    pushl   %esi
    pushl   %edi
    movl    $KDATA_SEL, %eax        /* the kernel's own data segment (the user's is flat too, but
                                       the kernel does not run on the user's selectors) */
    movl    %eax, %ds
    movl    %eax, %es
    cld                             /* the C ABI wants DF = 0 (System V i386 psABI 2.2.1) */
.endm

/* Exception stubs: the CPU pushes an error code for vectors 8, 10-14, 17, 21, 29, 30 (SDM Vol. 3A
 * Table 6-1); the others push 0 so every frame has the same shape. */
.macro EXC vec, has_error
    .text
exc\vec:
    .if \has_error == 0
    pushl   $0
    .endif
    pushl   $\vec
    jmp     exc_common
    .section .rodata
    .long   exc\vec
.endm

    .section .rodata
    .balign 4
    .globl  exc_stubs               /* exc_stubs[32]: the IDT's entries 0-31 (main.c) */
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
/* Exceptions. From ring 3 the frame is thread_regs and the kernel stack is loaded; from ring 0 the
 * CPU pushed a shorter frame (no ESP, SS) on the kernel stack itself, which stays. */
exc_common:
    SAVE_ALL
    movl    %esp, %ebx
    testl   $3, R_CS(%esp)
    jz      1f
    movl    $kstack_top, %esp
1:  pushl   %ebx
    call    trap                    /* trap.c: returns only when the program goes on */
    jmp     ret_iret

/* int $0x80: the i386 Linux system call (EAX number, EBX ECX EDX ESI EDI EBP arguments, EAX
 * result). IDT entry 0x80 is a DPL-3 trap gate (main.c). */
    .globl  int80_entry
int80_entry:
    pushl   $0                      /* no error code */
    pushl   $0x80
    SAVE_ALL
    movl    %esp, %ebx              /* = &thread_regs */
    movl    $kstack_top, %esp
    movl    R_EAX(%ebx), %eax
    cmpl    syscall_table_entries, %eax /* numbers past the table: -ENOSYS without a call */
    jae     2f
    pushl   %ebx
    call    int80_syscall           /* trap.c: dispatches, stores EAX */
    jmp     ret_iret
2:  movl    $-ENOSYS, R_EAX(%ebx)

/* RESTORE_ALL and IRET: back to the program from thread_regs. Also the first entry into the program
 * (enter_user). */
    .globl  ret_iret, enter_user
enter_user:
ret_iret:
    cli                             /* from here on ESP is the user frame, not a kernel stack */
    movl    $thread_regs, %esp
    popl    %edi
    popl    %esi
    popl    %ebp
    addl    $4, %esp                /* the ESP slot */
    popl    %ebx
    popl    %edx
    popl    %ecx
    popl    %eax
    popl    %ds
    popl    %es
    popl    %fs
    popl    %gs
    addl    $8, %esp                /* vector, error code */
    iret                            /* SDM Vol. 2A IRET: to CPL 3, pops EIP CS EFLAGS ESP SS */

/* sysenter (SDM Vol. 2B SYSENTER): CS = SYSENTER_CS, SS = CS + 8, ESP = SYSENTER_ESP = &thread_regs.ds,
 * EIP = here, EFLAGS.IF = VM = RF = 0. The user's EIP and ESP are not saved by the CPU: the
 * vsyscall page (vsyscall.S) keeps its ESP in EBP, and the kernel returns to a fixed address in
 * that page. */
    .globl  sysenter_entry
sysenter_entry:
    pushal                          /* the user's general registers into thread_regs */
    movl    %ds, %eax               /* EAX is saved: now free */
    movl    %eax, R_DS(%esp)
    movl    %es, %eax
    movl    %eax, R_ES(%esp)
    movl    %fs, %eax
    movl    %eax, R_FS(%esp)
    movl    %gs, %eax
    movl    %eax, R_GS(%esp)
    movl    $VEC_SYSENTER, R_VECTOR(%esp)
    movl    $KDATA_SEL, %eax
    movl    %eax, %ds
    movl    %eax, %es
    cld
    movl    %esp, %ebx              /* = &thread_regs */
    movl    $kstack_top, %esp       /* the kernel stack */
    pushl   %ebx
    call    sysenter_syscall        /* trap.c: dispatches; sets EAX, and EDX/ECX for SYSEXIT */
/* POPA, STI, SYSEXIT (SDM Vol. 2B SYSEXIT: EIP = EDX, ESP = ECX, CS = SYSENTER_CS + 16,
 * SS = SYSENTER_CS + 24, CPL 3). STI enables interrupts after the next instruction (SDM Vol. 2B
 * STI), so none can arrive between it and SYSEXIT, on the kernel's side of the return. */
    .globl  ret_sysexit
ret_sysexit:
    cli
    movl    $thread_regs, %esp
    movl    R_GS(%esp), %eax
    movl    %eax, %gs
    movl    R_FS(%esp), %eax
    movl    %eax, %fs
    movl    R_ES(%esp), %eax
    movl    %eax, %es
    movl    R_DS(%esp), %eax
    movl    %eax, %ds
    popal
    sti
    sysexit
