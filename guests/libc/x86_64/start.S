/* _start: where the kernel (or Linux, or qemu-x86_64) starts a static x86-64 program. Linux ABI
 * (System V AMD64 psABI 3.4.1): RSP points at argc, then argv[], NULL, envp[], NULL, the
 * auxiliary vector, 16-byte aligned. */
    .section .text.start, "ax"
    .globl _start
_start:
    xorl    %ebp, %ebp
    movq    %rsp, %rdi
    andq    $-16, %rsp
    call    __libc_start            /* does not return: it calls exit(main(...)) */
1:  jmp     1b

/* long __x64_vsyscall(long n, long a, long b, long c, long d, long e, long f): moves a C call's
 * arguments to the system call registers (RAX number, RDI RSI RDX R10 R8 R9) and jumps to the
 * guest kernel's __kernel_vsyscall (AT_SYSINFO, __libc_sysinfo), which returns to our caller. */
    .text
    .globl __x64_vsyscall
__x64_vsyscall:
    movq    %rdi, %rax
    movq    %rsi, %rdi
    movq    %rdx, %rsi
    movq    %rcx, %rdx
    movq    %r8, %r10
    movq    %r9, %r8
    movq    8(%rsp), %r9
    jmpq    *__libc_sysinfo(%rip)
