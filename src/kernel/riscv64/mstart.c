/* M-mode: what runs before the kernel proper. Called by _start (entry.S) on hart 0 with the stack
 * m_stack. The kernel runs in S-mode and its programs in U-mode; M-mode only hands everything
 * over. Timers are left off: the kernel runs one process and does not preempt it, so no machine
 * timer interrupt is set up (mie = 0) and nothing is forwarded to S-mode as STIP. */
#include "rv64.h"

void m_setup(void);
int pmp_open(void); /* entry.S */

int pmp_present; /* set by m_setup() for kmain()'s boot summary */
__attribute__((noreturn)) void m_trap(uint64_t mcause, uint64_t mepc, uint64_t mtval);

void m_setup(void)
{
    /* First, so that a fault in what follows (a CSR this hart lacks) is reported, not lost. */
    csr_write(mtvec, (uint64_t)m_trapvec);
    /* Priv. 3.1.8: hand every exception but ecall-from-M (which cannot be delegated) to S-mode:
     * misaligned/access faults, illegal instruction, breakpoint, ecall from U and S, page faults.
     */
    csr_write(medeleg,
              (1u << CAUSE_MISALIGNED_FETCH) | (1u << CAUSE_FETCH_ACCESS) | (1u << CAUSE_ILLEGAL) |
                  (1u << CAUSE_BREAKPOINT) | (1u << CAUSE_MISALIGNED_LOAD) |
                  (1u << CAUSE_LOAD_ACCESS) | (1u << CAUSE_MISALIGNED_STORE) |
                  (1u << CAUSE_STORE_ACCESS) | (1u << CAUSE_ECALL_U) | (1u << CAUSE_ECALL_S) |
                  (1u << CAUSE_FETCH_PAGE) | (1u << CAUSE_LOAD_PAGE) | (1u << CAUSE_STORE_PAGE));
    /* ... and the S-level interrupts (none is enabled, but they belong to S-mode) */
    csr_write(mideleg, MIP_SSIP | MIP_STIP | MIP_SEIP);
    csr_write(mie, 0);
    /* Priv. 3.7.1: with PMP implemented, S and U may access nothing until an entry allows it.
     * One NAPOT entry with an address of all ones covers the whole physical address space. */
    pmp_present = pmp_open();
    csr_write(satp, 0); /* S-mode starts with paging off; kmain() turns it on */
    uint64_t mstatus = csr_read(mstatus);
    mstatus &= ~(MSTATUS_MPP | MSTATUS_MIE | MSTATUS_MPRV);
    mstatus |= MSTATUS_MPP_S; /* Priv. 3.1.6.1: mret goes to the mode in MPP */
    csr_write(mstatus, mstatus);
}

/* A trap that reached M-mode (see m_trapvec in entry.S): report it and stop with status 125. */
void m_trap(uint64_t mcause, uint64_t mepc, uint64_t mtval)
{
    kprintf("machine-mode trap: mcause 0x%lx mepc 0x%lx mtval 0x%lx\n", mcause, mepc, mtval);
    arch_shutdown(EXIT_KERNEL_FAULT);
}
