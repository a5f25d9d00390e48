/* The 64-bit fast system calls from ring 3, on a bare machine: a 32-bit Multiboot v1 stub switches
 * to long mode (as ring3_int80_64.S), then
 *  A. SYSCALL/SYSRETQ with SWAPGS (SDM Vol. 2B SYSCALL, SYSRET, SWAPGS; AMD APM Vol. 3): EFER.SCE,
 *     STAR, LSTAR, SFMASK and KERNEL_GS_BASE written; ring 3 runs `syscall` with CF and DF set;
 *     the entry does SWAPGS, finds its per-CPU block through GS, saves the user RSP, takes its
 *     stack, and checks RCX (the return RIP), R11 (the user RFLAGS), RFLAGS & ~SFMASK, CS and SS
 *     from STAR[47:32]; it returns with SWAPGS and SYSRETQ, and ring 3 checks CS and SS from
 *     STAR[63:48], RFLAGS from R11 and its own GS base.
 *  B. SYSRETQ to a non-canonical RCX: the vendors differ (issue 6). Intel raises #GP(0) in ring 0
 *     on the SYSRET itself (SDM Vol. 2B SYSRET); AMD returns and the fetch faults in ring 3 (APM
 *     Vol. 3 SYSRET has no such check). The #GP handler (IST1) checks the CS it interrupted
 *     against what CPUID's vendor string says.
 *  C. SYSENTER/SYSEXITQ from 64-bit ring 3: Intel enters 64-bit ring 0 from SYSENTER_CS/ESP/EIP
 *     and SYSEXITQ returns to CS = SYSENTER_CS + 32 | 3, SS = + 40 | 3 (SDM Vol. 2B SYSENTER,
 *     SYSEXIT "IA-32e Mode Operation"); AMD raises #UD (APM Vol. 3 SYSENTER: #UD in long mode),
 *     which the #UD handler (IST1) accepts only on an AMD CPU.
 * A final `syscall` exits through port 0xF4 with the number of failed checks; every check prints
 * its value on COM1. QEMU 7.2 misses Intel's ring-0 #GP of part B: under an Intel vendor string it
 * reports one failure there (tests/e2e/x86_fastcall_baremetal.sh). */
#define KCODE  0x08   /* 64-bit ring-0 code = STAR[47:32] = SYSENTER_CS */
#define KDATA  0x10
#define UDATA  0x1b   /* STAR[63:48] = 0x10: SYSRETQ SS = 0x18 | 3, CS = 0x20 | 3 */
#define UCODE  0x23
#define UCODE2 0x2b   /* SYSEXITQ: SYSENTER_CS + 32 | 3, SS + 40 | 3 */
#define UDATA2 0x33
#define TSSEL  0x38   /* 16-byte 64-bit TSS descriptor */
#define NONCANONICAL 0x0000800000000000

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
    xor     %eax, %eax
    mov     %ax, %fs
    mov     %ax, %gs                /* null: the GS base is the MSR's from here on */
    mov     $kstack_top, %rsp
    /* TSS: descriptor base, RSP0, IST1; #UD and #GP through 64-bit interrupt gates on IST1 */
    set_tss_base
    movq    $kstack_top, tss + 4
    movq    $ist_top, tss + 36
    mov     $6, %edi
    mov     $ud_handler, %esi
    call    set_gate
    mov     $13, %edi
    mov     $gp_handler, %esi
    call    set_gate
    lidt    idtr
    mov     $TSSEL, %ax
    ltr     %ax
    /* the vendor: CPUID.0 EBX = "Genu" on Intel */
    xor     %eax, %eax
    cpuid
    cmp     $0x756e6547, %ebx
    sete    is_intel
    mov     $msg_amd, %esi
    cmpb    $0, is_intel
    je      1f
    mov     $msg_intel, %esi
1:  call    puts
    /* SYSCALL: EFER.SCE, STAR, LSTAR, SFMASK (TF, IF, DF), GS bases */
    mov     $0xC0000080, %ecx
    rdmsr
    or      $1, %eax
    wrmsr
    mov     $0xC0000081, %ecx
    xor     %eax, %eax
    mov     $(0x10 << 16 | KCODE), %edx
    wrmsr
    mov     $0xC0000082, %ecx
    mov     $syscall_entry, %eax
    xor     %edx, %edx
    wrmsr
    mov     $0xC0000084, %ecx
    mov     $0x700, %eax
    wrmsr
    mov     $0xC0000101, %ecx       /* GS_BASE: the user's */
    mov     $user_gs, %eax
    wrmsr
    mov     $0xC0000102, %ecx       /* KERNEL_GS_BASE: the per-CPU block */
    mov     $percpu, %eax
    wrmsr
    /* SYSENTER (used on Intel only; AMD keeps the MSRs but SYSENTER is #UD in long mode) */
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
    /* IRETQ to ring 3 (IF = 0) */
    pushq   $UDATA
    pushq   $ustack_top
    pushq   $0x002
    pushq   $UCODE
    pushq   $user_a
    iretq

/* set_gate(%edi vector, %esi handler): present, DPL 0, 64-bit interrupt gate, IST1 */
set_gate:
    shl     $4, %edi
    mov     %si, idt(%edi)
    movw    $KCODE, idt + 2(%edi)
    movw    $0x8e01, idt + 4(%edi)
    shr     $16, %esi
    mov     %si, idt + 6(%edi)
    ret

/* ---- ring 3 ---- */
user_a:
    mov     $1, %eax                /* call 1: part A */
    stc
    std
    syscall
after_syscall:
    pushfq
    pop     %rbx
    cld
    mov     %cs, %edx
    cmp     $UCODE, %edx
    jne     user_bad
    mov     %ss, %edx
    cmp     $UDATA, %edx
    jne     user_bad
    cmp     $ustack_top, %rsp
    jne     user_bad
    cmp     $0x403, %rbx            /* RFLAGS from R11: CF and DF back */
    jne     user_bad
    cmp     $0x600d, %rax
    jne     user_bad
    cmpq    $0x75736572, %gs:0      /* "resu": the user's GS base is back */
    jne     user_bad
    mov     $2, %eax                /* call 2: part B */
    syscall
user_bad:
    mov     $9, %eax
    syscall
user_c:
    mov     $after_sysenter, %rdx
    mov     %rsp, %rcx
    sysenter
after_sysenter:
    mov     %cs, %edx
    cmp     $UCODE2, %edx
    jne     user_bad
    mov     %ss, %edx
    cmp     $UDATA2, %edx
    jne     user_bad
    cmp     $ustack_top, %rsp
    jne     user_bad
    cmp     $0x5e7, %rax
    jne     user_bad
    mov     $3, %eax                /* call 3: the end */
    syscall

/* ---- ring 0: the SYSCALL entry ---- */
syscall_entry:
    swapgs
    mov     %rsp, %gs:8             /* the user's RSP */
    mov     %gs:16, %rsp            /* the kernel stack */
    push    %rcx
    push    %r11
    pushfq                          /* before any instruction that sets flags */
    cmp     $1, %eax
    jne     2f
    mov     $name_gs, %esi
    mov     $0x6e72656b, %eax       /* "kern" through GS = KERNEL_GS_BASE */
    mov     %gs:0, %rdx
    call    check
    mov     $name_rcx, %esi
    mov     $after_syscall, %eax
    mov     16(%rsp), %rdx
    call    check
    mov     $name_r11, %esi
    mov     $0x403, %eax
    mov     8(%rsp), %rdx
    call    check
    mov     $name_rflags, %esi      /* DF cleared by SFMASK */
    mov     $0x003, %eax
    mov     (%rsp), %rdx
    call    check
    mov     $name_cs, %esi
    mov     $KCODE, %eax
    mov     %cs, %edx
    call    check
    mov     $name_ss, %esi
    mov     $KDATA, %eax
    mov     %ss, %edx
    call    check
    mov     $0x600d, %eax
    add     $8, %rsp
    pop     %r11
    pop     %rcx
    mov     %gs:8, %rsp
    swapgs
    sysretq
2:  cmp     $2, %eax
    jne     3f
    /* part B: back to ring 3 with a non-canonical RIP */
    mov     $msg_b, %esi
    call    puts
    add     $8, %rsp
    pop     %r11
    pop     %rcx
    mov     %gs:8, %rsp
    swapgs
    mov     $NONCANONICAL, %rcx
sysret_b:
    sysretq
3:  cmp     $3, %eax
    jne     4f
    mov     $msg_back, %esi
    call    puts
    jmp     exit
4:  mov     $msg_user_bad, %esi
    call    puts
    incl    failures
#include "exit_failures.inc"

/* #GP (IST1): part B's fault. Frame: error code, RIP, CS, RFLAGS, RSP, SS. Intel: in ring 0 at
 * the SYSRETQ; AMD: in ring 3 at the non-canonical RIP. Then part C from a fresh ring 3. */
gp_handler:
    mov     %rsp, %rbp
    mov     $msg_gp, %esi
    call    puts
    mov     $name_gp_cs, %esi
    mov     $UCODE, %eax
    cmpb    $0, is_intel
    je      1f
    mov     $KCODE, %eax
1:  mov     16(%rbp), %rdx
    call    check
    mov     $name_gp_rip, %esi
    mov     $NONCANONICAL, %rax
    cmpb    $0, is_intel
    je      1f
    mov     $sysret_b, %eax
1:  mov     8(%rbp), %rdx
    call    check
    /* the GS base is the user's again in both cases */
    mov     $name_gp_gs, %esi
    mov     $0x75736572, %eax
    mov     %gs:0, %rdx
    call    check
    mov     $msg_c, %esi
    call    puts
    mov     $ist_top, %rsp
    pushq   $UDATA
    pushq   $ustack_top
    pushq   $0x002
    pushq   $UCODE
    pushq   $user_c
    iretq

/* ---- ring 0: the SYSENTER entry (Intel) ---- */
sysenter_entry:
    mov     %rdx, %rdi
    mov     %rcx, %rbp
    mov     $name_sysenter_rsp, %esi
    mov     $sysenter_stack_top, %eax
    mov     %rsp, %rdx
    call    check
    mov     $name_cs, %esi
    mov     $KCODE, %eax
    mov     %cs, %edx
    call    check
    mov     $name_ss, %esi
    mov     $KDATA, %eax
    mov     %ss, %edx
    call    check
    mov     $name_rdx, %esi
    mov     $after_sysenter, %eax
    mov     %rdi, %rdx
    call    check
    cmpb    $0, is_intel
    jne     1f
    incl    failures                /* an AMD CPU must not get here */
1:  mov     $0x5e7, %eax
    mov     %rdi, %rdx
    mov     %rbp, %rcx
    sysexitq

/* #UD (IST1): part C on AMD, SYSENTER in 64-bit mode. */
ud_handler:
    mov     %rsp, %rbp
    mov     $msg_ud, %esi
    call    puts
    mov     $name_gp_cs, %esi
    mov     $UCODE, %eax
    mov     8(%rbp), %rdx
    call    check
    cmpb    $0, is_intel
    je      exit                    /* AMD: expected */
    incl    failures
    jmp     exit

#include "check_64.inc"

#include "com1_64.inc"

    .section .rodata
hexdigits:    .ascii "0123456789abcdef"
msg_intel:    .asciz "x86_64: GenuineIntel: SYSRETQ to a non-canonical RIP faults in ring 0; SYSENTER works\n"
msg_amd:      .asciz "x86_64: not Intel: SYSRETQ to a non-canonical RIP faults in ring 3; SYSENTER is #UD\n"
msg_setup:    .asciz "x86_64: SYSCALL and SYSENTER MSRs loaded; iretq to ring 3\n"
msg_b:        .asciz "B: sysretq to rcx=0000800000000000\n"
msg_gp:       .asciz "B: #GP(0)\n"
msg_c:        .asciz "C: sysenter from 64-bit ring 3\n"
msg_ud:       .asciz "C: #UD\n"
msg_back:     .asciz "x86_64: back in ring 3 after sysexitq\n"
msg_user_bad: .asciz "x86_64: ring 3 saw a bad return\n"
msg_done:     .asciz "x86_64: failures="
msg_expected: .asciz " expected "
msg_nl:       .asciz "\n"
name_gs:      .asciz "A: syscall: gs:0"
name_rcx:     .asciz "  rcx"
name_r11:     .asciz "  r11"
name_rflags:  .asciz "  rflags"
name_cs:      .asciz "  cs"
name_ss:      .asciz "  ss"
name_gp_cs:   .asciz "  interrupted cs"
name_gp_rip:  .asciz "  interrupted rip"
name_gp_gs:   .asciz "  gs:0"
name_sysenter_rsp: .asciz "C: sysenter: rsp"
name_rdx:     .asciz "  rdx"

    .data
    .balign 8
gdt:
    .quad   0
    .quad   0x00af9a000000ffff      /* 0x08 ring-0 64-bit code */
    .quad   0x00cf92000000ffff      /* 0x10 ring-0 data */
    .quad   0x00cff2000000ffff      /* 0x18 ring-3 data (SYSRET SS) */
    .quad   0x00affa000000ffff      /* 0x20 ring-3 64-bit code (SYSRETQ CS) */
    .quad   0x00affa000000ffff      /* 0x28 ring-3 64-bit code (SYSEXITQ CS) */
    .quad   0x00cff2000000ffff      /* 0x30 ring-3 data (SYSEXITQ SS) */
    .quad   0x0000890000000067      /* 0x38 64-bit TSS (type 9), base filled in */
    .quad   0
gdt_end:
gdtr:
    .word   gdt_end - gdt - 1
    .quad   gdt
idtr:
    .word   256 * 16 - 1
    .quad   idt
failures:
    .long   0
is_intel:
    .byte   0
    .balign 8
percpu:
    .quad   0x6e72656b              /* "kern" */
    .quad   0                       /* the user's RSP */
    .quad   kstack_top              /* the kernel stack */
user_gs:
    .quad   0x75736572              /* "resu" */

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
ist_top:
            .space 4096
sysenter_stack_top:
            .space 4096
ustack_top:
