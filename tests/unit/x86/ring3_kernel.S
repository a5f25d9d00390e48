/* Source of the code bytes in test_ring3.c. Regenerate with:
 *   clang --target=i386-unknown-elf -c ring3_kernel.S -o r.o
 *   ld.lld -m elf_i386 -Ttext=0x2000 -Tdata=0x3000 -Tbss=0x4000 -e _start r.o -o r.elf
 *   llvm-objcopy -O binary --only-section=.text r.elf text.bin (and .data -> data.bin) */
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
    mov     $0x9000, %esp
    /* TSS descriptor base and the int 0x80 gate, built at run time */
    mov     $tss, %eax
    mov     %ax, gdt + 0x28 + 2
    shr     $16, %eax
    mov     %al, gdt + 0x28 + 4
    mov     %ah, gdt + 0x28 + 7
    mov     $handler, %eax
    mov     %ax, idt + 0x80 * 8
    movw    $0x08, idt + 0x80 * 8 + 2
    movw    $0xee00, idt + 0x80 * 8 + 4
    shr     $16, %eax
    mov     %ax, idt + 0x80 * 8 + 6
    mov     $0x28, %ax
    ltr     %ax
    /* to ring 3 */
    push    $0x23
    push    $0x7000
    pushf
    push    $0x1b
    push    $user
    iret

user:
    mov     $0x23, %ax
    mov     %ax, %ds
    mov     $'h', %ebx
    mov     $1, %eax            /* putc(ebx), returns ebx + 1 */
    int     $0x80
    cmp     $'i', %eax
    jne     fail
    mov     %eax, %ebx
    mov     $1, %eax
    int     $0x80
    mov     $'\n', %ebx
    mov     $1, %eax
    int     $0x80
    cmp     $0x7000, %esp
    jne     fail
    mov     $2, %eax            /* exit(0) */
    xor     %ebx, %ebx
    int     $0x80
fail:
    ud2

handler:
    /* the frame: EIP, CS, EFLAGS, ESP, SS of ring 3 */
    cmpl    $0x1b, 4(%esp)
    jne     bad
    cmpl    $0x23, 16(%esp)
    jne     bad
    cmp     $1, %eax
    je      sys_putc
    cmp     $2, %eax
    je      sys_exit
bad:
    mov     $1, %al
    out     %al, $0xf4
    hlt
sys_putc:
    push    %edx
    mov     %ebx, %eax
    mov     $0x3f8, %dx
    out     %al, %dx
    pop     %edx
    lea     1(%ebx), %eax
    iret
sys_exit:
    mov     %bl, %al
    out     %al, $0xf4
    hlt

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
    .long   0, 0x9000, 0x10     /* link, ESP0, SS0 */
    .fill   23, 4, 0
    .bss
    .balign 8
idt:
    .fill   256, 8, 0
