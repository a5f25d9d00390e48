/* A 32-bit Multiboot v1 kernel for the ring-3 SYSENTER/SYSEXIT round trip (SDM Vol. 2B SYSENTER,
 * SYSEXIT; SDM Vol. 3A 5.8.7; AMD APM Vol. 3 SYSENTER, SYSEXIT: both vendors in legacy protected
 * mode). It writes IA32_SYSENTER_CS/ESP/EIP, drops to ring 3 with IRET, and from ring 3 runs
 * `sysenter` with EDX = the return EIP and ECX = the user ESP (as Linux's vDSO and NOVA do). The
 * entry checks what SYSENTER loaded (CS = SYSENTER_CS, SS = CS + 8, ESP = SYSENTER_ESP, EFLAGS
 * with VM, IF and RF cleared, EDX and ECX untouched), prints it on COM1 and returns with SYSEXIT
 * (EIP = EDX, ESP = ECX, CS = SYSENTER_CS + 16 | 3, SS = + 24 | 3); ring 3 checks its CS, SS, ESP
 * and the value returned in EAX; a second `sysenter` ends the run through port 0xF4 with the
 * number of failed checks. The same output under QEMU and ringside (tests/e2e), either vendor.
 * The GDT is laid out as SYSEXIT requires: ring-0 code, ring-0 data, ring-3 code, ring-3 data. */
#define KCODE 0x08
#define KDATA 0x10
#define UCODE 0x1b
#define UDATA 0x23

#include "multiboot_header.inc"

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
    /* IA32_SYSENTER_CS (0x174), _ESP (0x175), _EIP (0x176) */
    xor     %edx, %edx
    mov     $0x174, %ecx
    mov     $KCODE, %eax
    wrmsr
    mov     $0x175, %ecx
    mov     $sysenter_stack_top, %eax
    wrmsr
    mov     $0x176, %ecx
    mov     $sysenter_entry, %eax
    wrmsr
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
    mov     $1, %eax                /* call 1: check what SYSENTER loaded */
    mov     $after_sysenter, %edx   /* where SYSEXIT returns */
    mov     %esp, %ecx              /* the user stack SYSEXIT restores */
    stc                             /* EFLAGS.CF = 1: kept by SYSENTER */
    sysenter
after_sysenter:
    mov     %cs, %ebx
    cmp     $UCODE, %ebx            /* SYSENTER_CS + 16 | 3 */
    jne     user_bad
    mov     %ss, %ebx
    cmp     $UDATA, %ebx            /* SYSENTER_CS + 24 | 3 */
    jne     user_bad
    cmp     $ustack_top, %esp
    jne     user_bad
    cmp     $0x600d, %eax           /* the entry's return value */
    jne     user_bad
    mov     $2, %eax                /* call 2: report and exit */
    sysenter
user_bad:
    mov     $3, %eax                /* call 3: ring 3 saw a bad return */
    sysenter

/* ---- ring 0: the SYSENTER entry ---- */
sysenter_entry:
    mov     %edx, %edi              /* keep the return EIP and user ESP for SYSEXIT */
    mov     %ecx, %ebp
    pushf
    pop     %ebx
    mov     %eax, call_nr
    cmpl    $1, call_nr
    jne     2f
    mov     $sysenter_stack_top, %eax
    mov     $name_esp, %esi
    mov     %esp, %edx
    call    check
    mov     $name_cs, %esi
    mov     $KCODE, %eax
    mov     %cs, %edx
    call    check
    mov     $name_ss, %esi
    mov     $KDATA, %eax
    mov     %ss, %edx
    call    check
    mov     $name_eflags, %esi      /* CF kept; VM, IF, RF cleared */
    mov     $0x003, %eax
    mov     %ebx, %edx
    call    check
    mov     $name_edx, %esi
    mov     $after_sysenter, %eax
    mov     %edi, %edx
    call    check
    mov     $name_ecx, %esi
    mov     $ustack_top, %eax
    mov     %ebp, %edx
    call    check
    mov     $0x600d, %eax
    mov     %edi, %edx
    mov     %ebp, %ecx
    sysexit
2:  cmpl    $2, call_nr
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
msg_setup:    .asciz "i386: GDT and SYSENTER MSRs loaded; iret to ring 3\n"
msg_back:     .asciz "i386: back in ring 3 after sysexit with eax=0000600d\n"
msg_user_bad: .asciz "i386: ring 3 saw a bad return from sysenter\n"
msg_done:     .asciz "i386: failures="
msg_expected: .asciz " expected "
msg_nl:       .asciz "\n"
msg_bad_boot: .asciz "bad multiboot hand-off\n"
name_esp:     .asciz "sysenter: esp"
name_cs:      .asciz "  cs"
name_ss:      .asciz "  ss"
name_eflags:  .asciz "  eflags"
name_edx:     .asciz "  edx"
name_ecx:     .asciz "  ecx"

    .data
    .balign 8
gdt:
    .quad   0
    .quad   0x00cf9a000000ffff      /* 0x08 ring-0 code = SYSENTER_CS */
    .quad   0x00cf92000000ffff      /* 0x10 ring-0 data = SYSENTER_CS + 8 */
    .quad   0x00cffa000000ffff      /* 0x18 ring-3 code = SYSENTER_CS + 16 */
    .quad   0x00cff2000000ffff      /* 0x20 ring-3 data = SYSENTER_CS + 24 */
gdt_end:
gdtr:
    .word   gdt_end - gdt - 1
    .long   gdt
failures:
    .long   0
call_nr:
    .long   0

    .bss
    .balign 16
            .space 4096
kstack_top:
            .space 4096
sysenter_stack_top:
            .space 4096
ustack_top:
