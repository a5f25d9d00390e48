/* A 32-bit `int $0x80` / `iret` round trip from ring 3, as a Linux i386 system call enters and
 * leaves (a DPL-3 trap gate, the TSS stack switch, IRET to ring 3), with the least kernel work:
 * the handler returns at once. User code reads the TSC (rdtsc, allowed at CPL 3 with CR4.TSD = 0)
 * around N calls and passes the difference to the kernel with eax = 2, which prints
 * "cycles per round trip: <n>" on COM1 and exits through port 0xF4.
 * Segments and the TSS as in tests/unit/x86/ring3_kernel.S.
 * -DVIA_SYSENTER: the same loop through `sysenter` (EDX = return EIP, ECX = ESP) and `sysexit`
 * (to CS = SYSENTER_CS + 16 | 3 = 0x1b, SS = + 24 | 3 = 0x23: the ring-3 selectors below), both
 * vendors in 32-bit protected mode (SDM Vol. 2B SYSENTER, SYSEXIT; AMD APM Vol. 3). */
    .equ N, 1000
#include "multiboot_header.inc"

    .text
    .code32
    .globl _start
_start:
    lgdt    gdtr
    lidt    idtr
    ljmp    $0x08, $1f
1:  mov     $0x10, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     $kstack_top, %esp
    mov     $kstack_top, %eax
    mov     %eax, tss + 4            /* ESP0 */
    mov     $tss, %eax
    mov     %ax, gdt + 0x28 + 2
    shr     $16, %eax
    mov     %al, gdt + 0x28 + 4
    mov     %ah, gdt + 0x28 + 7
    mov     $handler, %eax
    mov     %ax, idt + 0x80 * 8
    movw    $0x08, idt + 0x80 * 8 + 2
    movw    $0xef00, idt + 0x80 * 8 + 4   /* present, DPL 3, 32-bit trap gate */
    shr     $16, %eax
    mov     %ax, idt + 0x80 * 8 + 6
    mov     $0x28, %ax
    ltr     %ax
#ifdef VIA_SYSENTER
    mov     $0x174, %ecx            /* SYSENTER_CS, _ESP, _EIP */
    mov     $0x08, %eax
    xor     %edx, %edx
    wrmsr
    mov     $0x175, %ecx
    mov     $kstack_top, %eax
    wrmsr
    mov     $0x176, %ecx
    mov     $sysenter_handler, %eax
    wrmsr
#endif
    push    $0x23
    push    $ustack_top
    pushf
    push    $0x1b
    push    $user
    iret

user:
    mov     $0x23, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     $N, %esi
    rdtsc
    mov     %eax, %edi
2:  mov     $20, %eax               /* getpid: the handler returns at once */
#ifdef VIA_SYSENTER
    mov     $8f, %edx
    mov     %esp, %ecx
    sysenter
8:
#else
    int     $0x80
#endif
    dec     %esi
    jnz     2b
    rdtsc
    sub     %edi, %eax
    mov     %eax, %ebx
    mov     $2, %eax                /* report(ebx) */
#ifdef VIA_SYSENTER
    mov     %esp, %ecx
    sysenter
#else
    int     $0x80
#endif
3:  jmp     3b

handler:
    cmp     $2, %eax
    je      report
    iret

#ifdef VIA_SYSENTER
sysenter_handler:
    cmp     $2, %eax
    je      report
    sysexit
#endif

report:
    mov     $0x10, %ax
    mov     %ax, %ds
    mov     $msg_cycles, %esi
    call    puts
    mov     %ebx, %eax
    xor     %edx, %edx
    mov     $N, %ecx
    div     %ecx
    call    putdec
    mov     $msg_calls, %esi
    call    puts
    mov     $N, %eax
    call    putdec
    mov     $msg_nl, %esi
    call    puts
    movb    $0, %al
    outb    %al, $0xF4
4:  hlt
    jmp     4b

/* puts(esi): COM1, polling LSR.THRE */
puts:
    mov     $0x3fd, %dx
5:  inb     %dx, %al
    test    $0x20, %al
    jz      5b
    lodsb
    test    %al, %al
    jz      6f
    mov     $0x3f8, %dx
    outb    %al, %dx
    jmp     puts
6:  ret

/* putdec(eax) */
putdec:
    mov     $numbuf + 15, %edi
    movb    $0, (%edi)
    mov     $10, %ecx
7:  xor     %edx, %edx
    div     %ecx
    add     $'0', %dl
    dec     %edi
    mov     %dl, (%edi)
    test    %eax, %eax
    jnz     7b
    mov     %edi, %esi
    jmp     puts

    .section .rodata
msg_cycles: .asciz "cycles per round trip: "
msg_calls:  .asciz "\nround trips: "
msg_nl:     .asciz "\n"

    .data
    .balign 8
gdt:
    .quad   0
    .quad   0x00cf9b000000ffff  /* 0x08 ring-0 code */
    .quad   0x00cf93000000ffff  /* 0x10 ring-0 data */
    .quad   0x00cffb000000ffff  /* 0x18 ring-3 code */
    .quad   0x00cff3000000ffff  /* 0x20 ring-3 data */
    .quad   0x0000890000000067  /* 0x28 TSS (base filled in) */
gdt_end:
gdtr:
    .word   gdt_end - gdt - 1
    .long   gdt
idtr:
    .word   256 * 8 - 1
    .long   idt
    .balign 4
tss:
    .long   0, 0, 0x10          /* link, ESP0 (filled in), SS0 */
    .fill   23, 4, 0
numbuf:
    .fill   16, 1, 0
    .bss
    .balign 8
idt:
    .fill   256, 8, 0
    .balign 16
    .fill   4096, 1, 0
kstack_top:
    .fill   4096, 1, 0
ustack_top:
