/* Control and status registers, and the bits the kernel uses (RISC-V Privileged Architecture,
 * version 20211203; section numbers below refer to it). */
#ifndef KERNEL_RISCV64_RISCV_H
#define KERNEL_RISCV64_RISCV_H

#include <stdint.h>

#define csr_read(csr)                                                                              \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("csrr %0, " #csr : "=r"(v_));                                             \
        v_;                                                                                        \
    })
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"r"((uint64_t)(val)))

/* 3.1.6 mstatus / 4.1.1 sstatus */
#define MSTATUS_MIE   (1ull << 3)
#define MSTATUS_MPP   (3ull << 11)
#define MSTATUS_MPP_S (1ull << 11)
#define MSTATUS_MPRV  (1ull << 17)
#define SSTATUS_SIE   (1ull << 1)
#define SSTATUS_SPIE  (1ull << 5)
#define SSTATUS_SPP   (1ull << 8)

/* 3.1.8 medeleg: exception causes handed to S-mode (Table 3.6) */
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL          2
#define CAUSE_BREAKPOINT       3
#define CAUSE_MISALIGNED_LOAD  4
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS     7
#define CAUSE_ECALL_U          8
#define CAUSE_ECALL_S          9
#define CAUSE_ECALL_M          11
#define CAUSE_FETCH_PAGE       12
#define CAUSE_LOAD_PAGE        13
#define CAUSE_STORE_PAGE       15
#define SCAUSE_INTERRUPT       (1ull << 63)

/* 3.1.9 mideleg / mip: the S-level interrupts */
#define MIP_SSIP (1ull << 1)
#define MIP_STIP (1ull << 5)
#define MIP_SEIP (1ull << 9)

/* 4.1.11 satp: MODE 8 = Sv39 */
#define SATP_SV39     (8ull << 60)
#define MAKE_SATP(pt) (SATP_SV39 | ((uint64_t)(pt) >> 12))

/* 4.4.1 Sv39 page table entries */
#define PTE_V          (1ull << 0)
#define PTE_R          (1ull << 1)
#define PTE_W          (1ull << 2)
#define PTE_X          (1ull << 3)
#define PTE_U          (1ull << 4)
#define PTE_G          (1ull << 5)
#define PTE_A          (1ull << 6)
#define PTE_D          (1ull << 7)
#define PTE_LEAF       (PTE_R | PTE_W | PTE_X)
#define PTE_PA(pte)    (((pte) >> 10) << 12)
#define PA_PTE(pa)     (((uint64_t)(pa) >> 12) << 10)
#define VPN(va, level) (((uint64_t)(va) >> (12 + 9 * (level))) & 0x1ff)

static inline void sfence_vma(void)
{
    __asm__ volatile("sfence.vma zero, zero" ::: "memory");
}

#endif
