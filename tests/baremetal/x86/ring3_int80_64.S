/* The long-mode ring-3 system-call round trip: a 32-bit Multiboot v1 stub builds 4-level page
 * tables (2 MiB pages, identity), sets CR4.PAE, EFER.LME and CR0.PG and far-jumps to a 64-bit code
 * segment (SDM Vol. 3A 10.8.5); the 64-bit part loads a 64-bit IDT (16-byte gates) and a 64-bit
 * TSS, drops to ring 3 with IRETQ, and runs `int $0x80` there. The handler checks the 64-bit frame
 * (6.14.2: SS:RSP always pushed, the new stack from TSS.RSP0 aligned down to 16 bytes, SS a null
 * selector), prints it on COM1, returns with IRETQ; a second `int $0x80` exits through port 0xF4
 * with the number of failed checks. Same output under QEMU and ringside (tests/e2e). */
#define KCODE 0x08   /* 64-bit ring-0 code */
#define KDATA 0x10
#define UDATA 0x1b   /* ring-3 data, then ring-3 code: the order SYSRET expects */
#define UCODE 0x23
#define TSSEL 0x28   /* 16-byte 64-bit TSS descriptor */

#include "multiboot_header.inc"
#include "descriptors.inc"
#include "long_mode_stub.inc"

    .text
    .code32
    .globl _start
_start:
    cmpl    $0x2BADB002, %eax
    jne     bad_boot32
    long_mode_enter 0x100           /* EFER.LME */

bad_boot32:
    mov     $1, %al
    outb    %al, $0xF4
1:  hlt
    jmp     1b

    .code64
long_entry:
    mov     $KDATA, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     $kstack_top, %rsp
    /* TSS descriptor base and TSS.RSP0 (deliberately not 16-byte aligned), the 0x80 gate */
    set_tss_base
    movq    $kstack_top - 8, tss + 4
    mov     $handler, %eax
    mov     %ax, idt + 0x80 * 16
    movw    $KCODE, idt + 0x80 * 16 + 2
    movw    $0xee00, idt + 0x80 * 16 + 4     /* present, DPL 3, 64-bit interrupt gate, IST 0 */
    shr     $16, %eax
    mov     %ax, idt + 0x80 * 16 + 6
    lidt    idtr
    mov     $TSSEL, %ax
    ltr     %ax
    mov     $msg_setup, %esi
    call    puts
    /* IRETQ to ring 3: SS, RSP, RFLAGS (IF = 0), CS, RIP */
    pushq   $UDATA
    pushq   $ustack_top
    pushq   $0x002
    pushq   $UCODE
    pushq   $user
    iretq

/* ---- ring 3 ---- */
user:
    mov     $1, %eax                /* call 1: check the frame */
    stc
    int     $0x80
after_int:
    mov     %cs, %ebx
    and     $3, %ebx
    cmp     $3, %ebx
    jne     user_bad
    cmp     $0x600d, %rax
    jne     user_bad
    mov     $2, %eax                /* call 2: report and exit */
    int     $0x80
user_bad:
    mov     $3, %eax
    int     $0x80

/* ---- ring 0: the int 0x80 handler ---- */
handler:
    cmp     $1, %eax
    jne     2f
    mov     %rsp, %rbp
    /* RSP0 = kstack_top - 8, aligned down to kstack_top - 16, then five quadwords */
    mov     $kstack_top - 16 - 40, %eax
    mov     $name_rsp0, %esi
    mov     %rbp, %rdx
    call    check
    mov     $name_rip, %esi
    mov     $after_int, %eax
    mov     0(%rbp), %rdx
    call    check
    mov     $name_cs, %esi
    mov     $UCODE, %eax
    mov     8(%rbp), %rdx
    call    check
    mov     $name_rflags, %esi
    mov     $0x003, %eax
    mov     16(%rbp), %rdx
    call    check
    mov     $name_rsp, %esi
    mov     $ustack_top, %eax
    mov     24(%rbp), %rdx
    call    check
    mov     $name_ss, %esi
    mov     $UDATA, %eax
    mov     32(%rbp), %rdx
    call    check
    mov     $name_kcs, %esi
    mov     $KCODE, %eax
    mov     %cs, %edx
    call    check
    mov     $name_kss, %esi          /* a null selector with RPL 0 (6.14.4) */
    xor     %eax, %eax
    mov     %ss, %edx
    call    check
    mov     $0x600d, %eax
    iretq
2:  cmp     $2, %eax
    jne     3f
    mov     $msg_back, %esi
    call    puts
    jmp     exit
3:  mov     $msg_user_bad, %esi
    call    puts
    incl    failures
#include "exit_failures.inc"

#include "check_64.inc"

#include "com1_64.inc"

    .section .rodata
hexdigits:    .ascii "0123456789abcdef"
msg_setup:    .asciz "x86_64: long mode, IDT, TSS loaded; iretq to ring 3\n"
msg_back:     .asciz "x86_64: back in ring 3 after iretq with rax=000000000000600d\n"
msg_user_bad: .asciz "x86_64: ring 3 saw a bad return from int $0x80\n"
msg_done:     .asciz "x86_64: failures="
msg_expected: .asciz " expected "
msg_nl:       .asciz "\n"
name_rsp0:    .asciz "int 0x80 frame at rsp"
name_rip:     .asciz "  rip"
name_cs:      .asciz "  cs"
name_rflags:  .asciz "  rflags"
name_rsp:     .asciz "  rsp"
name_ss:      .asciz "  ss"
name_kcs:     .asciz "handler cs"
name_kss:     .asciz "handler ss"

    .data
    .balign 8
gdt:
    .quad   0
    .quad   0x00af9a000000ffff      /* 0x08 ring-0 64-bit code (L = 1) */
    .quad   0x00cf92000000ffff      /* 0x10 ring-0 data */
    .quad   0x00cff2000000ffff      /* 0x18 ring-3 data */
    .quad   0x00affa000000ffff      /* 0x20 ring-3 64-bit code */
    .quad   0x0000890000000067      /* 0x28 64-bit TSS (type 9), base filled in */
    .quad   0                       /*      base 63:32 */
gdt_end:
gdtr:
    .word   gdt_end - gdt - 1
    .quad   gdt
idtr:
    .word   256 * 16 - 1
    .quad   idt
failures:
    .long   0

    .bss
    .balign 4096
pml4:       .space 4096
pdpt:       .space 4096
pd:         .space 4096
idt:        .space 256 * 16
tss:        .space 0x68
            .balign 16
            .space 4096
kstack_top:
            .space 4096
ustack_top:
