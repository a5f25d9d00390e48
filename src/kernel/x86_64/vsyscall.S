/* The three versions of the x86_64 vsyscall page; kmain copies the one chosen at boot into the
 * page it maps at VSYSCALL_VA in every process. Layout (the guest libc reads it,
 * guests/libc/x86_64/syscall_arch.h):
 *   offset 0:    uint32 abi: 0 = the x86-64 ABI (RAX number, RDI RSI RDX R10 R8 R9 arguments,
 *                RAX result, RCX and R11 clobbered), 1 = the i386 compat ABI (i386 numbers and
 *                structure layouts; the arguments still come in RDI RSI RDX R10 R8 R9)
 *   offset 0x10: __kernel_vsyscall, whose address AT_SYSINFO gives
 *   offset 0x80: where the kernel's SYSEXITQ returns (`pop %rdx; ret`), in every version, since
 *                the SYSENTER MSRs are set on every Intel CPU whichever version the page has
 * Position independent: they run at VSYSCALL_VA, not where they are linked. */
#define SYSENTER_RETURN 0x80 /* trap.c: vsyscall_return */
.macro SYSENTER_RET start
    .org    \start + SYSENTER_RETURN
    popq    %rdx
    ret
.endm
    .section .rodata
    .code64

    .globl  vsys_syscall_start, vsys_syscall_end
    .balign 16
vsys_syscall_start:
    .long   0
    .balign 16
    syscall
    ret
    SYSENTER_RET vsys_syscall_start
vsys_syscall_end:

/* sysenter: SYSEXITQ takes RIP from RDX and RSP from RCX. RDX (the third argument) is pushed and
 * restored at SYSENTER_RETURN; RCX (clobbered by the ABI, as by syscall) carries the stack
 * pointer. */
    .globl  vsys_sysenter_start, vsys_sysenter_end
    .balign 16
vsys_sysenter_start:
    .long   0
    .balign 16
    pushq   %rdx
    movq    %rsp, %rcx
    sysenter
    SYSENTER_RET vsys_sysenter_start
vsys_sysenter_end:

/* int $0x80: the i386 compat ABI. The caller passes an i386 number in EAX and the arguments where
 * the x86-64 ABI has them; they move to EBX ECX EDX ESI EDI EBP (RBX and RBP are the caller's:
 * saved). RCX, RSI and RDI are clobbered. */
    .globl  vsys_int80_start, vsys_int80_end
    .balign 16
vsys_int80_start:
    .long   1
    .balign 16
    pushq   %rbx
    pushq   %rbp
    movl    %edi, %ebx
    movl    %esi, %ecx
    movl    %r10d, %esi
    movl    %r8d, %edi
    movl    %r9d, %ebp
    int     $0x80
    popq    %rbp
    popq    %rbx
    ret
    SYSENTER_RET vsys_int80_start
vsys_int80_end:
