/* Prints a line through the HTIF console (device 1, command 1: one byte per tohost write, waiting
 * for fromhost to acknowledge) and exits through tohost with status 7 (payload (7 << 1) | 1), as
 * programs written for Spike do. */
    .section .text.start, "ax"
    .globl _start
_start:
    la      s0, message
    la      s1, tohost
    la      s2, fromhost
1:  lbu     t1, 0(s0)
    beqz    t1, 3f
    li      t2, (1 << 56) | (1 << 48)   /* device 1 (console), command 1 (write) */
    or      t2, t2, t1
    sd      t2, 0(s1)
2:  ld      t3, 0(s2)                   /* wait for the host's answer */
    beqz    t3, 2b
    sd      zero, 0(s2)
    addi    s0, s0, 1
    j       1b
3:  li      t2, (7 << 1) | 1            /* device 0, command 0: exit with status 7 */
    sd      t2, 0(s1)
4:  j       4b

    .section .rodata
message: .asciz "hello from riscv64 bare metal (htif)\n"

    .section .tohost, "aw", @progbits
    .balign 64
    .globl tohost
    .type tohost, @object
    .size tohost, 8
tohost: .dword 0
    .balign 64
    .globl fromhost
    .type fromhost, @object
    .size fromhost, 8
fromhost: .dword 0
