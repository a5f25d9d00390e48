/* Sv39 through the hart (priv. spec 4.1.11, 4.3, 4.4, 3.1.6.3): which accesses translate, the
 * page-fault causes and tvals, MPRV, SUM, sfence.vma and satp writes against the software TLB,
 * and accesses that cross a page boundary. */
#include "riscv/helpers.h"

#define ROOT      (RVT_BASE + 0x10000)
#define L1        (RVT_BASE + 0x11000)
#define L0        (RVT_BASE + 0x12000)
#define DATA      (RVT_BASE + 0x20000) /* physical page mapped at va 0x1000 */
#define DATA2     (RVT_BASE + 0x21000) /* physical page mapped at va 0x2000 or elsewhere */
#define CODE      (RVT_BASE + 0x100)
#define MTVEC     (RVT_BASE + 0x800)
#define SATP_SV39 ((8ull << 60) | (ROOT >> 12))
#define PV        MMU_PTE_V
#define PR        MMU_PTE_R
#define PW        MMU_PTE_W
#define PX        MMU_PTE_X
#define PU        MMU_PTE_U
#define PA        MMU_PTE_A
#define PD        MMU_PTE_D

static uint64_t pte(uint64_t pa, uint64_t flags)
{
    return ((pa >> 12) << 10) | flags;
}
static void put_pte(struct rvt *t, uint64_t table, unsigned index, uint64_t v)
{
    rvt_put64(t, table + 8 * index, v);
}

/* root[2]: the 1 GiB at 0x80000000 identity-mapped for S (code and tables); root[0] -> L1 ->
 * L0 for the low addresses; va 0x1000 -> DATA with flags. */
static void map_data(struct rvt *t, uint64_t flags)
{
    put_pte(t, L0, 1, pte(DATA, flags));
}

static int paging_setup(void **state)
{
    int rc = rvt_setup(state);
    struct rvt *t = *state;
    put_pte(t, ROOT, 2, pte(0x80000000ull, PV | PR | PW | PX | PA | PD));
    put_pte(t, ROOT, 0, pte(L1, PV));
    put_pte(t, L1, 0, pte(L0, PV));
    map_data(t, PV | PR | PW | PA | PD);
    rvt_put64(t, DATA + 8, 0x1122334455667788ull);
    rvt_put64(t, DATA2 + 8, 0xaaaabbbbccccddddull);
    rvt_set_csr(t, RV_CSR_mtvec, MTVEC);
    rvt_set_csr(t, RV_CSR_satp, SATP_SV39);
    t->h->pc = CODE;
    return rc;
}

static enum rv_step_result exec_at(struct rvt *t, unsigned priv, uint32_t word)
{
    rvt_set_priv(t, priv);
    t->h->pc = CODE;
    return rvt_exec(t, word);
}

#define LD(rd, rs1, imm)  rvt_i(imm, rs1, 3, rd, OP_LOAD)
#define SD(rs2, rs1, imm) rvt_s(imm, rs2, rs1, 3, OP_STORE)

static void assert_trap(struct rvt *t, uint64_t cause, uint64_t tval, uint64_t epc)
{
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), cause);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), tval);
    assert_int_equal(rvt_csr(t, RV_CSR_mepc), epc);
    assert_int_equal(t->h->priv, RV_PRIV_M);
}

/* 4.1.11: satp accepts Sv39 */
static void test_satp_accepts_sv39_4_1_11(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(rvt_csr(t, RV_CSR_satp), SATP_SV39);
}

/* 4.3.2: S-mode loads and stores translate; M-mode does not */
static void test_s_mode_translates_m_does_not_4_3_2(void **state)
{
    struct rvt *t = *state;
    t->h->x[1] = 0x1000;
    assert_int_equal(exec_at(t, RV_PRIV_S, LD(3, 1, 8)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[3], 0x1122334455667788ull);
    t->h->x[2] = 42;
    assert_int_equal(exec_at(t, RV_PRIV_S, SD(2, 1, 16)), RV_STEP_RETIRED);
    assert_int_equal(rvt_get64(t, DATA + 16), 42);
    /* M-mode: va 0x1008 is a physical address with no memory */
    assert_int_equal(exec_at(t, RV_PRIV_M, LD(3, 1, 8)), RV_STEP_EXCEPTION);
    assert_trap(t, RV_EXC_LOAD_ACCESS, 0x1008, CODE);
}

/* 4.3.2 / 3.1.16: page faults: load 13, store 15, fetch 12, tval = the virtual address */
static void test_page_fault_causes_and_tval_4_3_2(void **state)
{
    struct rvt *t = *state;
    t->h->x[1] = 0x3000; /* unmapped */
    t->h->x[3] = 7;
    assert_int_equal(exec_at(t, RV_PRIV_S, LD(3, 1, 0x10)), RV_STEP_EXCEPTION);
    assert_trap(t, RV_EXC_LOAD_PAGE, 0x3010, CODE);
    assert_int_equal(t->h->x[3], 7);
    assert_int_equal(exec_at(t, RV_PRIV_S, SD(3, 1, 0)), RV_STEP_EXCEPTION);
    assert_trap(t, RV_EXC_STORE_PAGE, 0x3000, CODE);
    map_data(t, PV | PR | PA | PD); /* read-only */
    t->h->x[1] = 0x1000;
    assert_int_equal(exec_at(t, RV_PRIV_S, SD(3, 1, 0)), RV_STEP_EXCEPTION);
    assert_trap(t, RV_EXC_STORE_PAGE, 0x1000, CODE);
    /* fetch from a non-executable page */
    rvt_set_priv(t, RV_PRIV_S);
    t->h->pc = 0x1004;
    assert_int_equal(rv_step(t->h), RV_STEP_EXCEPTION);
    assert_trap(t, RV_EXC_INSN_PAGE, 0x1004, 0x1004);
    /* a non-canonical pc */
    rvt_set_priv(t, RV_PRIV_S);
    t->h->pc = 0x4000000000ull;
    assert_int_equal(rv_step(t->h), RV_STEP_EXCEPTION);
    assert_trap(t, RV_EXC_INSN_PAGE, 0x4000000000ull, 0x4000000000ull);
}

/* 3.1.8 + 4.3: a page fault from U delegated to S lands in S with stval = va */
static void test_page_fault_delegated_to_s(void **state)
{
    struct rvt *t = *state;
    rvt_set_csr(t, RV_CSR_medeleg, 1u << RV_EXC_LOAD_PAGE);
    rvt_set_csr(t, RV_CSR_stvec, RVT_BASE + 0x900);
    /* U code page at va 0x0 -> CODE's page, user-executable */
    put_pte(t, L0, 0, pte(RVT_BASE, PV | PR | PX | PU | PA));
    rvt_put32(t, RVT_BASE + 0x40, LD(3, 1, 0));
    t->h->x[1] = 0x1000; /* a supervisor page: U may not load */
    rvt_set_priv(t, RV_PRIV_U);
    t->h->pc = 0x40;
    assert_int_equal(rv_step(t->h), RV_STEP_EXCEPTION);
    assert_int_equal(t->h->priv, RV_PRIV_S);
    assert_int_equal(rvt_csr(t, RV_CSR_scause), RV_EXC_LOAD_PAGE);
    assert_int_equal(rvt_csr(t, RV_CSR_stval), 0x1000);
    assert_int_equal(rvt_csr(t, RV_CSR_sepc), 0x40);
    assert_int_equal(t->h->pc, RVT_BASE + 0x900);
}

/* 4.1.1 SUM: S loads/stores to U pages only with SUM; 3.1.6.3 MXR through the hart */
static void test_sum_and_mxr_via_mstatus_4_1_1(void **state)
{
    struct rvt *t = *state;
    map_data(t, PV | PR | PW | PU | PA | PD);
    t->h->x[1] = 0x1000;
    assert_int_equal(exec_at(t, RV_PRIV_S, LD(3, 1, 8)), RV_STEP_EXCEPTION);
    assert_trap(t, RV_EXC_LOAD_PAGE, 0x1008, CODE);
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_SUM);
    assert_int_equal(exec_at(t, RV_PRIV_S, LD(3, 1, 8)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[3], 0x1122334455667788ull);
    /* clearing SUM takes effect at once although the translation is cached */
    rvt_set_csr(t, RV_CSR_mstatus, 0);
    assert_int_equal(exec_at(t, RV_PRIV_S, LD(3, 1, 8)), RV_STEP_EXCEPTION);
    /* MXR: execute-only page */
    map_data(t, PV | PX | PA);
    mmu_tlb_flush(&t->h->tlb, UINT64_MAX, UINT32_MAX);
    assert_int_equal(exec_at(t, RV_PRIV_S, LD(3, 1, 8)), RV_STEP_EXCEPTION);
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_MXR);
    assert_int_equal(exec_at(t, RV_PRIV_S, LD(3, 1, 8)), RV_STEP_RETIRED);
}

/* 3.1.6.3 MPRV: M-mode loads and stores translate as MPP; fetches do not */
static void test_mprv_4_3_and_3_1_6_3(void **state)
{
    struct rvt *t = *state;
    t->h->x[1] = 0x1000;
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_MPRV | (1ull << 11)); /* MPP = S */
    assert_int_equal(exec_at(t, RV_PRIV_M, LD(3, 1, 8)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[3], 0x1122334455667788ull);
    assert_int_equal(t->h->pc, CODE + 4); /* fetched untranslated (CODE is physical) */
    /* MPP = U: the supervisor page faults */
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_MPRV);
    assert_int_equal(exec_at(t, RV_PRIV_M, LD(3, 1, 8)), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_LOAD_PAGE);
    /* MPP = M: physical */
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_MPRV | (3ull << 11));
    t->h->x[1] = DATA;
    assert_int_equal(exec_at(t, RV_PRIV_M, LD(3, 1, 8)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[3], 0x1122334455667788ull);
}

/* 4.3.2: the walker sets A and D in the PTE in memory */
static void test_hart_sets_accessed_dirty_4_3_2(void **state)
{
    struct rvt *t = *state;
    map_data(t, PV | PR | PW);
    t->h->x[1] = 0x1000;
    assert_int_equal(exec_at(t, RV_PRIV_S, LD(3, 1, 8)), RV_STEP_RETIRED);
    assert_int_equal(rvt_get64(t, L0 + 8), pte(DATA, PV | PR | PW | PA));
    assert_int_equal(exec_at(t, RV_PRIV_S, SD(3, 1, 0)), RV_STEP_RETIRED);
    assert_int_equal(rvt_get64(t, L0 + 8), pte(DATA, PV | PR | PW | PA | PD));
}

/* 4.2.1: after a PTE change, sfence.vma (by address, or all) makes the new mapping visible;
 * a satp write starts afresh too */
static void test_sfence_and_satp_flush_4_2_1(void **state)
{
    struct rvt *t = *state;
    t->h->x[1] = 0x1000;
    assert_int_equal(exec_at(t, RV_PRIV_S, LD(3, 1, 8)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[3], 0x1122334455667788ull);
    put_pte(t, L0, 1, pte(DATA2, PV | PR | PA));
    assert_int_equal(exec_at(t, RV_PRIV_S, SFENCE_VMA(1, 0)), RV_STEP_RETIRED);
    assert_int_equal(exec_at(t, RV_PRIV_S, LD(3, 1, 8)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[3], 0xaaaabbbbccccddddull);
    put_pte(t, L0, 1, pte(DATA, PV | PR | PA));
    t->h->x[6] = SATP_SV39;
    assert_int_equal(exec_at(t, RV_PRIV_S, CSRRW(0, RV_CSR_satp, 6)), RV_STEP_RETIRED);
    assert_int_equal(exec_at(t, RV_PRIV_S, LD(3, 1, 8)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[3], 0x1122334455667788ull);
    put_pte(t, L0, 1, 0);
    assert_int_equal(exec_at(t, RV_PRIV_S, SFENCE_VMA(0, 0)), RV_STEP_RETIRED);
    assert_int_equal(exec_at(t, RV_PRIV_S, LD(3, 1, 8)), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_LOAD_PAGE);
}

/* Misaligned accesses across a page boundary: performed when both pages translate; a fault on
 * the second page reports its address and a store writes nothing (priv. 3.1.16) */
static void test_cross_page_access(void **state)
{
    struct rvt *t = *state;
    rvt_put64(t, DATA + 0xff8, 0x0807060504030201ull);
    rvt_put64(t, DATA2, 0x100f0e0d0c0b0a09ull);
    t->h->x[1] = 0x1ffc;
    assert_int_equal(exec_at(t, RV_PRIV_S, LD(3, 1, 0)), RV_STEP_EXCEPTION); /* 0x2000 unmapped */
    assert_trap(t, RV_EXC_LOAD_PAGE, 0x2000, CODE);
    t->h->x[2] = UINT64_MAX;
    assert_int_equal(exec_at(t, RV_PRIV_S, SD(2, 1, 0)), RV_STEP_EXCEPTION);
    assert_trap(t, RV_EXC_STORE_PAGE, 0x2000, CODE);
    assert_int_equal(rvt_get64(t, DATA + 0xff8), 0x0807060504030201ull);
    put_pte(t, L0, 2, pte(DATA2, PV | PR | PW | PA | PD));
    assert_int_equal(exec_at(t, RV_PRIV_S, LD(3, 1, 0)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[3], 0x0c0b0a0908070605ull);
    assert_int_equal(exec_at(t, RV_PRIV_S, SD(2, 1, 0)), RV_STEP_RETIRED);
    assert_int_equal(rvt_get64(t, DATA + 0xff8), 0xffffffff04030201ull);
    assert_int_equal(rvt_get64(t, DATA2), 0x100f0e0dffffffffull);
}

#define T(f) cmocka_unit_test_setup_teardown(f, paging_setup, rvt_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_satp_accepts_sv39_4_1_11),
        T(test_s_mode_translates_m_does_not_4_3_2),
        T(test_page_fault_causes_and_tval_4_3_2),
        T(test_page_fault_delegated_to_s),
        T(test_sum_and_mxr_via_mstatus_4_1_1),
        T(test_mprv_4_3_and_3_1_6_3),
        T(test_hart_sets_accessed_dirty_4_3_2),
        T(test_sfence_and_satp_flush_4_2_1),
        T(test_cross_page_access),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
