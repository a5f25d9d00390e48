/* Privilege walk for the QEMU oracle test (test_qemu_oracle.c): M -> S -> U, ecall and ebreak
 * delegated to S, an illegal CSR access from U to M, ecall from S to M, a delegated vectored
 * supervisor software interrupt, TSR, and an Sv39 load page fault. Every handler prints its
 * CSRs in hex on the virt UART; the run ends through the SiFive test finisher. */
#define UART 0x10000000
    .section .text.start, "ax"
    .globl _start
_start:
    la sp, stack_top
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    la t0, m_handler
    csrw mtvec, t0
    la t0, s_handler
    csrw stvec, t0
    li t0, (1 << 8) | (1 << 3)      /* delegate ecall-from-U and breakpoint */
    csrw medeleg, t0
    li t0, (1 << 1)
    csrw mideleg, t0
    csrr a0, mstatus
    call print
    csrr a0, medeleg
    call print
    csrr a0, mideleg
    call print
    li t0, (1 << 11) | (1 << 7) | (1 << 5) | (1 << 1)   /* MPP=S, MPIE, SPIE, SIE */
    csrw mstatus, t0
    csrr a0, mstatus
    call print
    la t0, s_entry
    csrw mepc, t0
    mret
s_entry:
    li a0, 0x5001
    call print
    csrr a0, sstatus
    call print
    la t0, u_entry
    csrw sepc, t0
    li t0, (1 << 8)
    csrc sstatus, t0                 /* SPP = U */
    csrr a0, sstatus
    call print
    sret
u_entry:
    li a0, 0x0001                    /* U cannot touch the UART directly? it can: bare */
    ecall                            /* -> S */
    ebreak                           /* -> S (delegated) */
    csrr a1, sstatus                 /* illegal in U -> M */
    li a0, 0xdead
    j .
    .align 2
s_handler:
    csrr a0, scause
    call print
    csrr a0, sepc
    call print
    csrr a0, stval
    call print
    csrr a0, sstatus
    call print
    csrr t0, sepc
    addi t0, t0, 4
    csrr t1, scause
    li t2, 3
    bne t1, t2, 1f
    addi t0, t0, -2                  /* c.ebreak is 2 bytes */
1:  csrw sepc, t0
    sret
    .align 2
m_handler:
    csrr a0, mcause
    call print
    csrr a0, mepc
    call print
    csrr a0, mtval
    call print
    csrr a0, mstatus
    call print
    addi s11, s11, 1
    li t0, 1
    beq s11, t0, phase_secall
    li t0, 2
    beq s11, t0, phase_ssi
    li t0, 3
    beq s11, t0, phase_tsr
    li t0, 4
    beq s11, t0, phase_sv39
finish:
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
    j .

/* phase 1: ecall from S, not delegated -> M (cause 9, MPP = S) */
phase_secall:
    la t0, s2_entry
    csrw mepc, t0
    li t0, (3 << 11)
    csrc mstatus, t0
    li t0, (1 << 11)
    csrs mstatus, t0
    mret
s2_entry:
    ecall
    j .

/* phase 2: supervisor software interrupt, delegated, vectored stvec */
phase_ssi:
    la t0, s_vectors
    ori t0, t0, 1
    csrw stvec, t0
    li t0, (1 << 1)
    csrs mie, t0
    la t0, s3_entry
    csrw mepc, t0
    li t0, (3 << 11)
    csrc mstatus, t0
    li t0, (1 << 11) | (1 << 1)
    csrs mstatus, t0
    mret
s3_entry:
    csrsi sip, 2
    li a0, 0x5003
    call print
    ecall
    .align 2
s_vectors:
    .option push
    .option norvc
    j s_exc
    j s_ssi
    .option pop
s_exc:
    j s_handler
s_ssi:
    csrr a0, scause
    call print
    csrr a0, sepc
    call print
    csrr a0, sstatus
    call print
    csrci sip, 2
    sret

/* phase 3: TSR -> sret in S is illegal */
phase_tsr:
    la t0, s4_entry
    csrw mepc, t0
    li t0, (1 << 22)
    csrs mstatus, t0
    mret
s4_entry:
    sret
    j .

/* phase 4: Sv39, S loads a U page without SUM -> load page fault to M */
phase_sv39:
    li t0, (1 << 22)
    csrc mstatus, t0
    la t0, root
    li t1, (0x80000 << 10) | 0xcf
    sd t1, 16(t0)
    la t1, l1
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 1
    sd t1, 0(t0)
    la t0, l1
    la t1, l0
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 1
    sd t1, 0(t0)
    la t0, l0
    la t1, upage
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 0xd7
    sd t1, 8(t0)
    la t0, root
    srli t0, t0, 12
    li t1, 8
    slli t1, t1, 60
    or t0, t0, t1
    csrw satp, t0
    csrr a0, satp
    call print
    la t0, s5_entry
    csrw mepc, t0
    mret
s5_entry:
    li t0, 0x1008
    ld a0, 0(t0)
    j .
/* print a0 as 16 hex digits and a newline (clobbers t3-t6) */
print:
    li t3, UART
    li t4, 60
2:  srl t5, a0, t4
    andi t5, t5, 15
    li t6, 10
    blt t5, t6, 3f
    addi t5, t5, 'a' - 10 - '0'
3:  addi t5, t5, '0'
    sb t5, 0(t3)
    addi t4, t4, -4
    bgez t4, 2b
    li t5, '\n'
    sb t5, 0(t3)
    ret
    .bss
    .align 12
root: .space 4096
l1: .space 4096
l0: .space 4096
upage: .space 4096
    .space 4096
stack_top:
