/* Test helpers for the RISC-V core: a machine with RAM at VIRT_DRAM_BASE and one hart, and
 * instruction encoders (unpriv. spec 2.2-2.3 formats). */
#ifndef RINGSIDE_TESTS_RISCV_HELPERS_H
#define RINGSIDE_TESTS_RISCV_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cpu/riscv/internal.h"
#include "cpu/riscv/riscv.h"
#include "machine/machine.h"

#define RVT_BASE 0x80000000ull
#define RVT_RAM  (1ull << 20)

struct rvt {
    struct machine m;
    struct rv_hart *h;
};

/* cmocka setup/teardown: *state becomes a struct rvt with the hart at RVT_BASE in M-mode, PMP
 * entry 0 open over all memory (rvt_open_pmp) so that S and U can run. */
int rvt_setup(void **state);
void rvt_open_pmp(struct rvt *t);
int rvt_teardown(void **state);

void rvt_put32(struct rvt *t, uint64_t addr, uint32_t word);
void rvt_put64(struct rvt *t, uint64_t addr, uint64_t value);
uint64_t rvt_get64(struct rvt *t, uint64_t addr);
/* Places words at pc, one after another. */
void rvt_prog(struct rvt *t, uint64_t pc, const uint32_t *words, size_t n);
/* Places one instruction at the hart's pc and steps it; returns what rv_step did. */
enum rv_step_result rvt_exec(struct rvt *t, uint32_t word);
uint64_t rvt_csr(struct rvt *t, unsigned number);
void rvt_set_csr(struct rvt *t, unsigned number, uint64_t value);
/* Drops the hart to priv with a plain register write (no trap or xret). */
void rvt_set_priv(struct rvt *t, unsigned priv);

/* Encoders */
uint32_t rvt_r(unsigned f7, unsigned rs2, unsigned rs1, unsigned f3, unsigned rd, unsigned op);
uint32_t rvt_i(int32_t imm, unsigned rs1, unsigned f3, unsigned rd, unsigned op);
uint32_t rvt_s(int32_t imm, unsigned rs2, unsigned rs1, unsigned f3, unsigned op);
uint32_t rvt_b(int32_t imm, unsigned rs2, unsigned rs1, unsigned f3);
uint32_t rvt_u(uint32_t imm20, unsigned rd, unsigned op);
uint32_t rvt_j(int32_t imm, unsigned rd);

#define OP_IMM    0x13
#define OP_IMM32  0x1b
#define OP_REG    0x33
#define OP_REG32  0x3b
#define OP_LOAD   0x03
#define OP_STORE  0x23
#define OP_SYSTEM 0x73

#define ADDI(rd, rs1, imm)   rvt_i(imm, rs1, 0, rd, OP_IMM)
#define CSRRW(rd, csr, rs1)  rvt_i((int32_t)(csr), rs1, 1, rd, OP_SYSTEM)
#define CSRRS(rd, csr, rs1)  rvt_i((int32_t)(csr), rs1, 2, rd, OP_SYSTEM)
#define CSRRC(rd, csr, rs1)  rvt_i((int32_t)(csr), rs1, 3, rd, OP_SYSTEM)
#define CSRRWI(rd, csr, u)   rvt_i((int32_t)(csr), u, 5, rd, OP_SYSTEM)
#define CSRRSI(rd, csr, u)   rvt_i((int32_t)(csr), u, 6, rd, OP_SYSTEM)
#define CSRRCI(rd, csr, u)   rvt_i((int32_t)(csr), u, 7, rd, OP_SYSTEM)
#define ECALL                0x00000073u
#define EBREAK               0x00100073u
#define SRET                 0x10200073u
#define MRET                 0x30200073u
#define WFI                  0x10500073u
#define SFENCE_VMA(rs1, rs2) (0x12000073u | ((rs2) << 20) | ((rs1) << 15))
#define NOP                  ADDI(0, 0, 0)

#endif
