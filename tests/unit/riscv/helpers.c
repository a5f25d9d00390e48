/* Test helpers for the RISC-V core (see helpers.h). */
#include "riscv/helpers.h"

#include <stdlib.h>

int rvt_setup(void **state)
{
    struct rvt *t = calloc(1, sizeof *t);
    char err[256];
    if (!t || machine_init(&t->m, ARCH_RISCV64, RVT_BASE, RVT_RAM, err, sizeof err) < 0) return -1;
    t->h = rv_hart_create(&t->m, RVT_BASE);
    if (!t->h) return -1;
    rvt_open_pmp(t);
    *state = t;
    return 0;
}

void rvt_open_pmp(struct rvt *t)
{
    /* as firmware does (priv. 3.7.1): entry 0 NAPOT over all 2^56 bytes, R W X */
    rv_csr_set(t->h, RV_CSR_pmpaddr0, (1ull << 54) - 1);
    rv_csr_set(t->h, RV_CSR_pmpcfg0, 0x1f);
}

int rvt_teardown(void **state)
{
    struct rvt *t = *state;
    if (t->m.cpu == t->h) /* a test ran the hart under the machine: the test owns it */
        t->m.cpu = NULL;
    rv_hart_destroy(t->h);
    machine_destroy(&t->m);
    free(t);
    return 0;
}

void rvt_put32(struct rvt *t, uint64_t addr, uint32_t word)
{
    assert_int_equal(bus_copy_to_ram(&t->m.bus, addr, &word, 4), 0);
}

void rvt_put64(struct rvt *t, uint64_t addr, uint64_t value)
{
    assert_int_equal(bus_copy_to_ram(&t->m.bus, addr, &value, 8), 0);
}

uint64_t rvt_get64(struct rvt *t, uint64_t addr)
{
    uint64_t v = 0;
    assert_int_equal(bus_copy_from_ram(&t->m.bus, addr, &v, 8), 0);
    return v;
}

void rvt_prog(struct rvt *t, uint64_t pc, const uint32_t *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rvt_put32(t, pc + 4 * i, words[i]);
}

enum rv_step_result rvt_exec(struct rvt *t, uint32_t word)
{
    rvt_put32(t, t->h->pc, word);
    return rv_step(t->h);
}

uint64_t rvt_csr(struct rvt *t, unsigned number)
{
    uint64_t v = 0;
    assert_int_equal(rv_csr_get(t->h, number, &v), 0);
    return v;
}

void rvt_set_csr(struct rvt *t, unsigned number, uint64_t value)
{
    assert_int_equal(rv_csr_set(t->h, number, value), 0);
}

void rvt_set_priv(struct rvt *t, unsigned priv)
{
    rv_hart_set_priv(t->h, priv);
}

uint32_t rvt_r(unsigned f7, unsigned rs2, unsigned rs1, unsigned f3, unsigned rd, unsigned op)
{
    return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}

uint32_t rvt_i(int32_t imm, unsigned rs1, unsigned f3, unsigned rd, unsigned op)
{
    return ((uint32_t)imm << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}

uint32_t rvt_s(int32_t imm, unsigned rs2, unsigned rs1, unsigned f3, unsigned op)
{
    uint32_t u = (uint32_t)imm;
    return ((u >> 5 & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((u & 31) << 7) | op;
}

uint32_t rvt_b(int32_t imm, unsigned rs2, unsigned rs1, unsigned f3)
{
    uint32_t u = (uint32_t)imm;
    return ((u >> 12 & 1) << 31) | ((u >> 5 & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) |
           (f3 << 12) | ((u >> 1 & 0xf) << 8) | ((u >> 11 & 1) << 7) | 0x63;
}

uint32_t rvt_u(uint32_t imm20, unsigned rd, unsigned op)
{
    return (imm20 << 12) | (rd << 7) | op;
}

uint32_t rvt_j(int32_t imm, unsigned rd)
{
    uint32_t u = (uint32_t)imm;
    return ((u >> 20 & 1) << 31) | ((u >> 1 & 0x3ff) << 21) | ((u >> 11 & 1) << 20) |
           ((u >> 12 & 0xff) << 12) | (rd << 7) | 0x6f;
}
