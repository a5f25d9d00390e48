/* The two versions of the i386 vsyscall page. main.c copies one into the page it maps at
 * VSYSCALL_VA in every process, chosen at boot (as Linux chose its vsyscall page), and the program
 * finds __kernel_vsyscall (the page's first byte) through AT_SYSINFO. Both follow the i386 system
 * call convention (EAX number, EBX ECX EDX ESI EDI EBP arguments, EAX result, every other register
 * kept) and are position independent: they run at VSYSCALL_VA, not where they are linked. Both
 * have the sysenter return point at offset SYSENTER_RETURN, since the SYSENTER MSRs are set
 * whenever the CPU has SEP, whichever version the page has. */
#define SYSENTER_RETURN 0x20 /* trap.c: vsyscall_return */
.macro SYSENTER_RET start
    .org    \start + SYSENTER_RETURN
    popl    %ebp
    popl    %edx
    popl    %ecx
    ret
.endm
    .section .rodata
    .code32

/* int $0x80 */
    .globl  vsys_int80_start, vsys_int80_end
vsys_int80_start:
    int     $0x80
    ret
    SYSENTER_RET vsys_int80_start
vsys_int80_end:

/* sysenter. SYSEXIT takes the return EIP from EDX and ESP from ECX, which hold arguments on the way
 * in, and the CPU saves neither EIP nor ESP. So ECX, EDX and EBP (the sixth argument) are pushed,
 * EBP = ESP tells the kernel where they are (it reads the sixth argument at [EBP]), and the kernel
 * returns to SYSENTER_RETURN with EDX = that address and ECX = EBP, as Linux's
 * __kernel_vsyscall and SYSENTER_RETURN do. */
    .globl  vsys_sysenter_start, vsys_sysenter_end
vsys_sysenter_start:
    pushl   %ecx
    pushl   %edx
    pushl   %ebp
    movl    %esp, %ebp
    sysenter
    SYSENTER_RET vsys_sysenter_start
vsys_sysenter_end:
