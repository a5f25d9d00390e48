/* _start: where the kernel (or Linux, or qemu-user) starts a static program. Linux ABI: sp points
 * at argc, then argv[], NULL, envp[], NULL, the auxiliary vector; sp is 16-byte aligned and every
 * other register is zero (a0 would be a function for atexit on Linux; it is ignored here). */
    .section .text.start, "ax"
    .globl _start
_start:
    mv      a0, sp
    call    __libc_start            /* does not return: it calls exit(main(...)) */
1:  j       1b
