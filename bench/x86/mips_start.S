/* Multiboot v1 entry of the x86 speed benchmark (bench/x86_mips.sh): a stack, then bench_main();
 * its return value goes to the isa-debug-exit port 0xF4. */
    .section .multiboot, "a"
    .balign 4
    .long   0x1BADB002
    .long   0x00000003
    .long   -(0x1BADB002 + 0x00000003)

    .text
    .code32
    .globl _start
_start:
    mov     $stack_top, %esp
    call    bench_main
    outb    %al, $0xF4
1:  hlt
    jmp     1b

    .bss
    .balign 16
    .space  16384
stack_top:
