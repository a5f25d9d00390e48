/* 64-bit fast system-call round trips from ring 3, shaped like the L4Re null system call
 * (shared/reference/timing.md: `syscall` to a minimal kernel path and `sysret` back, ~147
 * instructions retired per call): a 32-bit Multiboot v1 stub switches to long mode (as
 * tests/baremetal/x86/ring3_fastcall_64.S), ring 3 reads the TSC around N calls and reports the
 * difference with one last call, and the kernel prints "cycles per round trip: <n>" on COM1 and
 * exits through port 0xF4. One kernel path, three ways in and out (CFLAGS):
 *   (default)      `syscall`, SWAPGS, stack switch, save, dispatch, restore, SWAPGS, `sysretq`
 *   -DRET_IRET     the same path returning by `iretq` to ring 3 (the frame built from RCX, R11
 *                  and the saved RSP, as Linux's IRET path): the IRET-vs-SYSRET comparison of
 *                  Linux commit 2a23c6b8a9c4
 *   -DVIA_SYSENTER `sysenter` in (RDX = return RIP, RCX = RSP) and `sysexitq` out, the same path
 *                  without the SWAPGS pair's user GS (Intel only: AMD raises #UD for SYSENTER in
 *                  long mode, and the #UD handler reports that)
 * The kernel path's work between the entry and the return is padded with independent loads and
 * ALU operations on the per-CPU block so that a round trip retires about 147 instructions, the
 * L4Re figure's count; it is not Fiasco's code. */
#define KCODE  0x08   /* STAR[47:32] = SYSENTER_CS */
#define KDATA  0x10
#define UDATA  0x1b   /* STAR[63:48] = 0x10: SYSRETQ SS = 0x18 | 3, CS = 0x20 | 3 */
#define UCODE  0x23
#define UCODE2 0x2b   /* SYSEXITQ: SYSENTER_CS + 32 | 3, SS + 40 | 3 */
#define UDATA2 0x33
#define TSSEL  0x38
#define N      1000
#define PAD    30     /* four instructions each: 149 instructions per syscall round trip */

#include "multiboot_header.inc"
#include "descriptors.inc"
#include "long_mode_stub.inc"

    .text
    .code32
    .globl _start
_start:
    long_mode_enter 0x101           /* EFER.LME, EFER.SCE */

    .code64
long_entry:
    mov     $KDATA, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    xor     %eax, %eax
    mov     %ax, %fs
    mov     %ax, %gs
    mov     $kstack_top, %rsp
    set_tss_base
    movq    $kstack_top, tss + 4
    movq    $ist_top, tss + 36
    mov     $ud_handler, %eax       /* #UD: 64-bit interrupt gate, IST1 */
    mov     %ax, idt + 6 * 16
    movw    $KCODE, idt + 6 * 16 + 2
    movw    $0x8e01, idt + 6 * 16 + 4
    shr     $16, %eax
    mov     %ax, idt + 6 * 16 + 6
    lidt    idtr
    mov     $TSSEL, %ax
    ltr     %ax
    mov     $0xC0000081, %ecx       /* STAR */
    xor     %eax, %eax
    mov     $(0x10 << 16 | KCODE), %edx
    wrmsr
    mov     $0xC0000082, %ecx       /* LSTAR */
    mov     $kernel_entry, %eax
    xor     %edx, %edx
    wrmsr
    mov     $0xC0000084, %ecx       /* SFMASK: TF, IF, DF */
    mov     $0x700, %eax
    wrmsr
    mov     $0xC0000101, %ecx       /* GS_BASE: the user's */
    mov     $user_gs, %eax
    wrmsr
    mov     $0xC0000102, %ecx       /* KERNEL_GS_BASE: the per-CPU block */
    mov     $percpu, %eax
    wrmsr
    mov     $0x174, %ecx            /* SYSENTER_CS, _ESP, _EIP */
    mov     $KCODE, %eax
    wrmsr
    mov     $0x175, %ecx
    mov     $kstack_top, %eax
    wrmsr
    mov     $0x176, %ecx
    mov     $kernel_entry, %eax
    wrmsr
    pushq   $UDATA
    pushq   $ustack_top
    pushq   $0x002
    pushq   $UCODE
    pushq   $user
    iretq

/* ---- ring 3 ---- */
user:
    mov     $N, %r12d
    rdtsc
    shl     $32, %rdx
    or      %rax, %rdx
    mov     %rdx, %r13
2:  xor     %eax, %eax              /* the null call */
#ifdef VIA_SYSENTER
    mov     $3f, %rdx
    mov     %rsp, %rcx
    sysenter
3:
#else
    syscall
#endif
    dec     %r12d
    jnz     2b
    rdtsc
    shl     $32, %rdx
    or      %rax, %rdx
    sub     %r13, %rdx
    mov     %rdx, %rdi
    mov     $1, %eax                /* report(rdi) */
#ifdef VIA_SYSENTER
    mov     %rsp, %rcx
    sysenter
#else
    syscall
#endif
4:  jmp     4b

/* ---- ring 0 ---- */
#ifdef VIA_SYSENTER
kernel_entry:
    push    %rdx                    /* the return RIP and RSP */
    push    %rcx
#else
kernel_entry:
    swapgs
    mov     %rsp, %gs:8             /* the user's RSP */
    mov     %gs:16, %rsp            /* the kernel stack */
    push    %rcx                    /* the return RIP and RFLAGS */
    push    %r11
#endif
    push    %rbx
    push    %rbp
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    cmp     $1, %eax
    je      report
    /* the kernel path's work: independent loads and ALU operations on the per-CPU block */
    .rept   PAD
    mov     percpu + 24, %rbx
    add     $1, %rbp
    mov     percpu + 32, %r14
    xor     %r15, %r15
    .endr
    xor     %eax, %eax              /* result 0 */
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbp
    pop     %rbx
#ifdef VIA_SYSENTER
    pop     %rcx
    pop     %rdx
    sysexitq
#else
    pop     %r11
    pop     %rcx
#ifdef RET_IRET
    mov     %gs:8, %rsi             /* the user's RSP, before the user's GS comes back */
    swapgs
    pushq   $UDATA
    push    %rsi
    push    %r11
    pushq   $UCODE
    push    %rcx
    iretq
#else
    mov     %gs:8, %rsp
    swapgs
    sysretq
#endif
#endif

/* report(rdi): cycles of N round trips */
report:
    mov     $msg_cycles, %esi
    call    puts
    mov     %rdi, %rax
    xor     %edx, %edx
    mov     $N, %ecx
    div     %rcx
    call    putdec
    mov     $msg_calls, %esi
    call    puts
    mov     $N, %eax
    call    putdec
    mov     $msg_nl, %esi
    call    puts
    xor     %eax, %eax
    outb    %al, $0xF4
5:  hlt
    jmp     5b

/* #UD (IST1): SYSENTER on AMD in long mode */
ud_handler:
    mov     $msg_ud, %esi
    call    puts
    mov     $3, %al
    outb    %al, $0xF4
6:  hlt
    jmp     6b

/* puts(%rsi), putc(%al), putdec(%rax) on COM1 */
#include "com1_64.inc"
putdec:
    lea     numbuf + 23(%rip), %rsi
    movb    $0, (%rsi)
    mov     $10, %ecx
1:  xor     %edx, %edx
    div     %rcx
    add     $'0', %dl
    dec     %rsi
    mov     %dl, (%rsi)
    test    %rax, %rax
    jnz     1b
    jmp     puts

    .section .rodata
msg_cycles: .asciz "cycles per round trip: "
msg_calls:  .asciz "\nround trips: "
msg_nl:     .asciz "\n"
msg_ud:     .asciz "#UD: sysenter is not available in long mode on this CPU\n"

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
    .quad   0x0000890000000067      /* 0x38 64-bit TSS, base filled in */
    .quad   0
gdt_end:
gdtr:
    .word   gdt_end - gdt - 1
    .quad   gdt
idtr:
    .word   256 * 16 - 1
    .quad   idt
    .balign 8
percpu:
    .quad   0                       /* 0: unused */
    .quad   0                       /* 8: the user's RSP */
    .quad   kstack_top              /* 16: the kernel stack */
    .quad   1, 2                    /* 24, 32: what the padded path reads */
user_gs:
    .quad   0
numbuf:
    .fill   24, 1, 0

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
ustack_top:
