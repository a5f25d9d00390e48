/* _start: where the kernel (or Linux, or qemu-i386) starts a static i386 program. Linux ABI (i386
 * psABI "Process Initialization"): ESP points at argc, then argv[], NULL, envp[], NULL, the
 * auxiliary vector. __libc_start gets that pointer as its (cdecl) argument, on a 16-byte aligned
 * stack. */
    .section .text.start, "ax"
    .globl _start
_start:
    xorl    %ebp, %ebp
    movl    %esp, %eax
    andl    $-16, %esp
    subl    $12, %esp
    pushl   %eax
    call    __libc_start            /* does not return: it calls exit(main(...)) */
1:  jmp     1b

/* long __i386_syscall(long n, long a, long b, long c, long d, long e, long f): the i386 Linux
 * convention (EAX number, EBX ECX EDX ESI EDI EBP arguments, EAX result) through
 * __kernel_vsyscall when the kernel gave AT_SYSINFO (__libc_sysinfo, libc.c), which uses the
 * mechanism the kernel chose at boot (sysenter or int $0x80), else int $0x80 itself, as glibc
 * does. EBX, ESI, EDI and EBP belong to the caller (psABI) and are restored. */
    .text
    .globl __i386_syscall
__i386_syscall:
    pushl   %ebp
    pushl   %edi
    pushl   %esi
    pushl   %ebx
    movl    20(%esp), %eax
    movl    24(%esp), %ebx
    movl    28(%esp), %ecx
    movl    32(%esp), %edx
    movl    36(%esp), %esi
    movl    40(%esp), %edi
    movl    44(%esp), %ebp
    cmpl    $0, __libc_sysinfo
    je      2f
    call    *__libc_sysinfo
    jmp     3f
2:  int     $0x80
3:  popl    %ebx
    popl    %esi
    popl    %edi
    popl    %ebp
    ret
