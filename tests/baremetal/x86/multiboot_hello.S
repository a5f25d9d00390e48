/* A Multiboot v1 kernel that checks its hand-off (EAX = 0x2BADB002, EBX -> an information block
 * whose flags say a command line is present), prints a line on COM1 (polling LSR.THRE), and exits
 * through the isa-debug-exit port 0xF4 (ringside exits with the value written). */
    .section .multiboot, "a"
    .balign 4
    .long   0x1BADB002              /* magic */
    .long   0x00000003              /* flags: page-align modules, memory information */
    .long   -(0x1BADB002 + 0x00000003)

    .text
    .code32
    .globl _start
_start:
    cmpl    $0x2BADB002, %eax
    jne     fail
    testl   $0x4, (%ebx)            /* flags bit 2: cmdline valid */
    jz      fail
    movl    $message, %esi
    call    puts
    movb    $0, %al
    outb    %al, $0xF4
1:  hlt
    jmp     1b

fail:
    movl    $failure, %esi
    call    puts
    movb    $1, %al
    outb    %al, $0xF4
2:  hlt
    jmp     2b

/* puts(%esi) on COM1: wait for LSR (0x3FD) bit 5, then write THR (0x3F8). */
puts:
    movw    $0x3FD, %dx
3:  movb    (%esi), %cl
    testb   %cl, %cl
    jz      5f
4:  inb     %dx, %al
    testb   $0x20, %al
    jz      4b
    movw    $0x3F8, %dx
    movb    %cl, %al
    outb    %al, %dx
    movw    $0x3FD, %dx
    incl    %esi
    jmp     3b
5:  ret

    .section .rodata
message: .asciz "hello from i386 bare metal (com1)\n"
failure: .asciz "bad multiboot hand-off\n"
