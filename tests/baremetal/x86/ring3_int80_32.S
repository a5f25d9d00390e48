/* A 32-bit Multiboot v1 kernel for the ring-3 system-call round trip (SDM Vol. 3A 6.12.1): it
 * loads a GDT, an IDT with a DPL-3 interrupt gate for vector 0x80 and a TSS (SS0:ESP0), drops to
 * ring 3 with IRET, and from ring 3 runs `int $0x80`. The handler checks the frame the processor
 * pushed on the TSS.ESP0 stack (EIP, CS, EFLAGS, ESP, SS: a privilege change, Figure 6-4), prints
 * it on COM1, and returns with IRET; a second `int $0x80` ends the run through port 0xF4 with the
 * number of failed checks. The same output under QEMU and ringside (tests/e2e). */
#define KCODE 0x08
#define KDATA 0x10
#define UCODE 0x1b
#define UDATA 0x23
#define TSSEL 0x28

#include "multiboot_header.inc"
#include "descriptors.inc"

    .text
    .code32
    .globl _start
_start:
    cmpl    $0x2BADB002, %eax
    jne     bad_boot
    lgdt    gdtr
    ljmp    $KCODE, $1f
1:  mov     $KDATA, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     %ax, %fs
    mov     %ax, %gs
    mov     $kstack_top, %esp
    /* TSS descriptor base, TSS.SS0:ESP0, and the 0x80 gate, filled in at run time */
    set_tss_base
    movl    $kstack_top, tss + 4
    movl    $KDATA, tss + 8
    mov     $handler, %eax
    mov     %ax, idt + 0x80 * 8
    movw    $KCODE, idt + 0x80 * 8 + 2
    movw    $0xee00, idt + 0x80 * 8 + 4      /* present, DPL 3, 32-bit interrupt gate */
    shr     $16, %eax
    mov     %ax, idt + 0x80 * 8 + 6
    lidt    idtr
    mov     $TSSEL, %ax
    ltr     %ax
    mov     $msg_setup, %esi
    call    puts
    /* IRET to ring 3: SS, ESP, EFLAGS (IF = 0: QEMU's PIC may have the timer unmasked), CS, EIP */
    push    $UDATA
    push    $ustack_top
    push    $0x002
    push    $UCODE
    push    $user
    iret

/* ---- ring 3 ---- */
user:
    mov     $UDATA, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     $1, %eax                /* call 1: check the frame */
    stc                             /* EFLAGS.CF = 1 in the saved image */
    int     $0x80
after_int:
    mov     %cs, %ebx
    and     $3, %ebx
    cmp     $3, %ebx                /* back at CPL 3 */
    jne     user_bad
    cmp     $0x600d, %eax           /* the handler's return value */
    jne     user_bad
    mov     $2, %eax                /* call 2: report and exit */
    int     $0x80
user_bad:
    mov     $3, %eax                /* call 3: ring 3 saw a bad return */
    int     $0x80

/* ---- ring 0: the int 0x80 handler ---- */
handler:
    cmp     $1, %eax
    jne     2f
    mov     %esp, %ebp
    /* the stack switched to TSS.ESP0 and holds five doublewords (no error code) */
    mov     $kstack_top - 20, %eax
    mov     $name_esp0, %esi
    mov     %ebp, %edx
    call    check
    mov     $name_eip, %esi
    mov     $after_int, %eax
    mov     0(%ebp), %edx
    call    check
    mov     $name_cs, %esi
    mov     $UCODE, %eax
    mov     4(%ebp), %edx
    call    check
    mov     $name_eflags, %esi
    mov     $0x003, %eax
    mov     8(%ebp), %edx
    call    check
    mov     $name_esp, %esi
    mov     $ustack_top, %eax
    mov     12(%ebp), %edx
    call    check
    mov     $name_ss, %esi
    mov     $UDATA, %eax
    mov     16(%ebp), %edx
    call    check
    mov     $name_cpl, %esi          /* CS now the ring-0 selector */
    mov     $KCODE, %eax
    mov     %cs, %edx
    call    check
    mov     $name_kss, %esi
    mov     $KDATA, %eax
    mov     %ss, %edx
    call    check
    mov     $0x600d, %eax
    iret
2:  cmp     $2, %eax
    jne     3f
    mov     $msg_back, %esi
    call    puts
    jmp     exit
3:  mov     $msg_user_bad, %esi
    call    puts
    incl    failures
#include "exit_failures.inc"

bad_boot:
    mov     $msg_bad_boot, %esi
    call    puts
    mov     $1, %al
    outb    %al, $0xF4
5:  hlt
    jmp     5b

#include "com1_32.inc"

    .section .rodata
hexdigits:    .ascii "0123456789abcdef"
msg_setup:    .asciz "i386: GDT, IDT, TSS loaded; iret to ring 3\n"
msg_back:     .asciz "i386: back in ring 3 after iret with eax=0000600d\n"
msg_user_bad: .asciz "i386: ring 3 saw a bad return from int $0x80\n"
msg_done:     .asciz "i386: failures="
msg_expected: .asciz " expected "
msg_nl:       .asciz "\n"
msg_bad_boot: .asciz "bad multiboot hand-off\n"
name_esp0:    .asciz "int 0x80 frame at esp"
name_eip:     .asciz "  eip"
name_cs:      .asciz "  cs"
name_eflags:  .asciz "  eflags"
name_esp:     .asciz "  esp"
name_ss:      .asciz "  ss"
name_cpl:     .asciz "handler cs"
name_kss:     .asciz "handler ss"

    .data
    .balign 8
gdt:
    .quad   0
    .quad   0x00cf9a000000ffff      /* 0x08 ring-0 code */
    .quad   0x00cf92000000ffff      /* 0x10 ring-0 data */
    .quad   0x00cffa000000ffff      /* 0x18 ring-3 code */
    .quad   0x00cff2000000ffff      /* 0x20 ring-3 data */
    .quad   0x0000890000000067      /* 0x28 32-bit TSS, base filled in */
gdt_end:
gdtr:
    .word   gdt_end - gdt - 1
    .long   gdt
idtr:
    .word   256 * 8 - 1
    .long   idt
failures:
    .long   0

    .bss
    .balign 16
idt:        .space 256 * 8
tss:        .space 0x68
            .balign 16
            .space 4096
kstack_top:
            .space 4096
ustack_top:
