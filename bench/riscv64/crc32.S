/* Compute-bound bare-metal benchmark for the RISC-V core (bench/riscv_mips.sh): CRC-32
 * (reflected polynomial 0xEDB88320) over a 4 KiB buffer filled by an LCG, ROUNDS times.
 * Default: bitwise, 62 instructions per byte (ALU and branches: QEMU's best case), ~508 million
 * for 2000 rounds. With -DTABLE: a 1 KiB lookup table built first, then 10 instructions per byte
 * with two loads (a memory-heavier mix), ~500 million for 12000 rounds. The exact count is what
 * `ringside run --report=json` reports. Prints the last CRC in hex on the virt
 * UART, so ringside and QEMU can be compared, and exits through the SiFive test finisher. Loads,
 * stores, ALU operations, compressed and 32-bit encodings, and taken branches are all in the
 * loop. */
#ifndef ROUNDS
#ifdef TABLE
#define ROUNDS 12000
#else
#define ROUNDS 2000
#endif
#endif
#define UART     0x10000000
#define FINISHER 0x100000
#define BUFSIZE  4096

    .section .text.start, "ax"
    .globl _start
_start:
    /* fill the buffer: x = x * 6364136223846793005 + 1442695040888963407, top byte */
    la      a0, buf
    li      a1, BUFSIZE
    li      t0, 6364136223846793005
    li      t1, 1442695040888963407
    li      t2, 12345
1:  mul     t2, t2, t0
    add     t2, t2, t1
    srli    t3, t2, 56
    sb      t3, 0(a0)
    addi    a0, a0, 1
    addi    a1, a1, -1
    bnez    a1, 1b

    la      t0, rounds              /* from memory: the same instructions for every ROUNDS */
    ld      s0, 0(t0)
    li      a3, 0xedb88320
#ifdef TABLE
    /* table[i] = CRC of the byte i, bitwise */
    la      s2, table
    li      t3, 0
7:  mv      a2, t3
    li      t1, 8
8:  andi    t2, a2, 1
    neg     t2, t2
    and     t2, t2, a3
    srli    a2, a2, 1
    xor     a2, a2, t2
    addi    t1, t1, -1
    bnez    t1, 8b
    slli    t0, t3, 2
    add     t0, t0, s2
    sw      a2, 0(t0)
    addi    t3, t3, 1
    li      t0, 256
    bne     t3, t0, 7b
outer:
    la      a0, buf
    li      a1, BUFSIZE
    add     a1, a1, a0
    li      a2, 0xffffffff          /* 32-bit CRC state, zero-extended */
byte:
    lbu     t0, 0(a0)
    xor     t0, t0, a2
    andi    t0, t0, 0xff
    slli    t0, t0, 2
    add     t0, t0, s2
    lwu     t0, 0(t0)
    srli    a2, a2, 8
    xor     a2, a2, t0
    addi    a0, a0, 1
    bne     a0, a1, byte
#else
outer:
    la      a0, buf
    li      a1, BUFSIZE
    li      a2, 0xffffffff          /* 32-bit CRC state, zero-extended */
byte:
    lbu     t0, 0(a0)
    xor     a2, a2, t0
    li      t1, 8
bit:
    andi    t2, a2, 1
    neg     t2, t2
    and     t2, t2, a3
    srli    a2, a2, 1
    xor     a2, a2, t2
    addi    t1, t1, -1
    bnez    t1, bit
    addi    a0, a0, 1
    addi    a1, a1, -1
    bnez    a1, byte
#endif
    not     a2, a2
    /* the CRC feeds the next round: store it into the buffer's first word */
    la      a0, buf
    sw      a2, 0(a0)
    addi    s0, s0, -1
    bnez    s0, outer

    /* print "crc32 XXXXXXXX\n" */
    la      a0, label
    call    puts
    slli    a2, a2, 32
    li      s1, 8
2:  srli    t0, a2, 60
    la      t1, hexdigits
    add     t1, t1, t0
    lbu     a0, 0(t1)
    call    putc
    slli    a2, a2, 4
    addi    s1, s1, -1
    bnez    s1, 2b
    li      a0, '\n'
    call    putc
    li      t0, FINISHER
    li      t1, 0x5555
    sw      t1, 0(t0)
3:  j       3b

/* putc(a0), puts(a0): poll LSR.THRE before each byte */
putc:
    li      t0, UART
4:  lbu     t2, 5(t0)
    andi    t2, t2, 0x20
    beqz    t2, 4b
    sb      a0, 0(t0)
    ret
puts:
    mv      t3, a0
    mv      t4, ra
5:  lbu     a0, 0(t3)
    beqz    a0, 6f
    call    putc
    addi    t3, t3, 1
    j       5b
6:  mv      ra, t4
    ret

    .section .rodata
    .p2align 3
rounds:    .dword ROUNDS
label:     .asciz "crc32 "
hexdigits: .ascii "0123456789abcdef"

    .section .bss
    .p2align 3
buf: .zero BUFSIZE
table: .zero 1024
