/* Physical memory protection (priv. spec 3.7, pmp.c): address matching (TOR, NA4, NAPOT,
 * 3.7.1.1), priority and partial matches (3.7.1.3), locking and M-mode (3.7.1.2), no match for S/U
 * (3.7.1), MPRV (3.1.6.3), AMOs, fetches; access faults carry the virtual address (3.1.16). */
#include "riscv/helpers.h"

#define LOAD_D(rd, rs1)        rvt_i(0, rs1, 3, rd, OP_LOAD)
#define STORE_D(rs2, rs1)      rvt_s(0, rs2, rs1, 3, OP_STORE)
#define AMOADD_W(rd, rs1, rs2) (0x0000202fu | ((rs2) << 20) | ((rs1) << 15) | ((rd) << 7))

enum { R = 1, W = 2, X = 4, TOR = 1 << 3, NA4 = 2 << 3, NAPOT = 3 << 3, L = 0x80 };
#define DATA (RVT_BASE + 0x8000)

static int setup(void **state)
{
    int rc = rvt_setup(state);
    struct rvt *t = *state;
    for (unsigned i = 0; i < 8; i++)
        rv_csr_set(t->h, RV_CSR_pmpaddr0 + i, 0);
    rv_csr_set(t->h, RV_CSR_pmpcfg0, 0); /* all entries off again */
    rvt_set_csr(t, RV_CSR_mtvec, RVT_BASE + 0x800);
    return rc;
}

/* cfg byte of entry i within pmpcfg0 */
static void entry(struct rvt *t, unsigned i, uint64_t pmpaddr, uint8_t cfg)
{
    rvt_set_csr(t, RV_CSR_pmpaddr0 + i, pmpaddr);
    uint64_t c = rvt_csr(t, RV_CSR_pmpcfg0);
    c = (c & ~(0xffull << (8 * i))) | ((uint64_t)cfg << (8 * i));
    rvt_set_csr(t, RV_CSR_pmpcfg0, c);
}

/* Runs insn at RVT_BASE in priv; returns the cause of the exception, or -1 when it retired */
static int try(struct rvt *t, unsigned priv, uint32_t insn)
{
    t->h->pc = RVT_BASE;
    rvt_set_priv(t, priv);
    if (rvt_exec(t, insn) == RV_STEP_RETIRED) return -1;
    return (int)rvt_csr(t, RV_CSR_mcause);
}

/* the code page at RVT_BASE: executable for S/U through entry 7 (NAPOT 4 KiB) */
static void code_entry(struct rvt *t)
{
    entry(t, 7, (RVT_BASE >> 2) | 0x1ff, NAPOT | X);
}

/* 3.7.1: with every entry off, S and U accesses fail, M accesses succeed */
static void test_no_match_3_7_1(void **state)
{
    struct rvt *t = *state;
    t->h->x[5] = DATA;
    assert_int_equal(try(t, RV_PRIV_M, LOAD_D(6, 5)), -1);
    assert_int_equal(try(t, RV_PRIV_S, LOAD_D(6, 5)), RV_EXC_INSN_ACCESS); /* the fetch fails */
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), RVT_BASE);
    code_entry(t);
    assert_int_equal(try(t, RV_PRIV_S, LOAD_D(6, 5)), RV_EXC_LOAD_ACCESS);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), DATA);
    assert_int_equal(try(t, RV_PRIV_U, STORE_D(6, 5)), RV_EXC_STORE_ACCESS);
}

/* 3.7.1.1: TOR [pmpaddr[i-1] << 2, pmpaddr[i] << 2), NA4, NAPOT; R, W, X per access type */
static void test_address_matching_3_7_1_1(void **state)
{
    struct rvt *t = *state;
    code_entry(t);
    entry(t, 0, DATA >> 2, 0);                                /* entry 0 off: the bottom of TOR */
    entry(t, 1, (DATA + 0x100) >> 2, TOR | R);                /* [DATA, DATA + 0x100): read-only */
    entry(t, 2, (DATA + 0x200) >> 2, NA4 | R | W);            /* [DATA + 0x200, + 4) */
    entry(t, 3, ((DATA + 0x400) >> 2) | 0x1f, NAPOT | W | R); /* [DATA + 0x400, + 256) */
    t->h->x[5] = DATA + 0xf8;
    assert_int_equal(try(t, RV_PRIV_U, LOAD_D(6, 5)), -1);
    assert_int_equal(try(t, RV_PRIV_U, STORE_D(6, 5)), RV_EXC_STORE_ACCESS);
    t->h->x[5] = DATA + 0x100; /* just past the TOR top */
    assert_int_equal(try(t, RV_PRIV_U, LOAD_D(6, 5)), RV_EXC_LOAD_ACCESS);
    t->h->x[5] = DATA + 0x200;
    assert_int_equal(try(t, RV_PRIV_S, rvt_s(0, 6, 5, 2, OP_STORE)), -1);    /* sw: 4 bytes */
    assert_int_equal(try(t, RV_PRIV_S, STORE_D(6, 5)), RV_EXC_STORE_ACCESS); /* sd: 8 > NA4 */
    t->h->x[5] = DATA + 0x4f8;
    assert_int_equal(try(t, RV_PRIV_S, STORE_D(6, 5)), -1);
    t->h->x[5] = DATA + 0x500;
    assert_int_equal(try(t, RV_PRIV_S, STORE_D(6, 5)), RV_EXC_STORE_ACCESS);
    /* a TOR entry whose bottom is not below its top matches nothing */
    entry(t, 1, DATA >> 2, TOR | R);
    t->h->x[5] = DATA;
    assert_int_equal(try(t, RV_PRIV_U, LOAD_D(6, 5)), RV_EXC_LOAD_ACCESS);
}

/* 3.7.1.3: the lowest-numbered entry that matches any byte decides, and must match all bytes */
static void test_priority_and_partial_match_3_7_1_3(void **state)
{
    struct rvt *t = *state;
    code_entry(t);
    entry(t, 0, (DATA + 0x10) >> 2, NA4);                    /* no permissions */
    entry(t, 1, ((uint64_t)1 << 54) - 1, NAPOT | R | W | X); /* everything */
    t->h->x[5] = DATA + 0x10;
    assert_int_equal(try(t, RV_PRIV_S, LOAD_D(6, 5)), RV_EXC_LOAD_ACCESS);
    t->h->x[5] = DATA + 0x8;
    assert_int_equal(try(t, RV_PRIV_S, LOAD_D(6, 5)), -1);
    t->h->x[5] = DATA + 0xc; /* 8 bytes straddle entry 0: fails although entry 1 allows */
    assert_int_equal(try(t, RV_PRIV_S, LOAD_D(6, 5)), RV_EXC_LOAD_ACCESS);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), DATA + 0xc);
    /* entry 0 with R W: the partial match still fails (entries are not combined) */
    entry(t, 0, (DATA + 0x10) >> 2, NA4 | R | W);
    assert_int_equal(try(t, RV_PRIV_S, LOAD_D(6, 5)), RV_EXC_LOAD_ACCESS);
    /* M is not bound by unlocked entries */
    entry(t, 0, (DATA + 0x10) >> 2, NA4);
    t->h->x[5] = DATA + 0x10;
    assert_int_equal(try(t, RV_PRIV_M, LOAD_D(6, 5)), -1);
    entry(t, 0, (DATA + 0x10) >> 2, NA4 | L);
    assert_int_equal(try(t, RV_PRIV_M, LOAD_D(6, 5)), RV_EXC_LOAD_ACCESS);
}

/* 3.1.6.3: with MPRV, M's loads and stores are checked at MPP's privilege; fetches are not */
static void test_mprv_3_1_6_3(void **state)
{
    struct rvt *t = *state;
    t->h->x[5] = DATA;
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_MPRV); /* MPP = U */
    assert_int_equal(try(t, RV_PRIV_M, LOAD_D(6, 5)), RV_EXC_LOAD_ACCESS);
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_MPRV | (3ull << 11)); /* MPP = M */
    assert_int_equal(try(t, RV_PRIV_M, LOAD_D(6, 5)), -1);
}

/* AMOs read and write: R without W is a store/AMO access fault, and memory is unchanged */
static void test_amo_needs_read_and_write(void **state)
{
    struct rvt *t = *state;
    code_entry(t);
    entry(t, 0, ((DATA >> 2) | 0x1f), NAPOT | R);
    rvt_put64(t, DATA, 5);
    t->h->x[5] = DATA;
    t->h->x[7] = 1;
    assert_int_equal(try(t, RV_PRIV_S, AMOADD_W(6, 5, 7)), RV_EXC_STORE_ACCESS);
    assert_int_equal(rvt_get64(t, DATA), 5);
    entry(t, 0, ((DATA >> 2) | 0x1f), NAPOT | R | W);
    assert_int_equal(try(t, RV_PRIV_S, AMOADD_W(6, 5, 7)), -1);
    assert_int_equal(rvt_get64(t, DATA), 6);
}

/* Fetches need X; a 32-bit instruction whose second half is outside X faults at that half */
static void test_fetch_needs_x(void **state)
{
    struct rvt *t = *state;
    entry(t, 0, ((RVT_BASE >> 2) | 0x1ff), NAPOT | R | W); /* the code page without X */
    assert_int_equal(try(t, RV_PRIV_U, NOP), RV_EXC_INSN_ACCESS);
    entry(t, 0, ((RVT_BASE >> 2) | 0x1ff), NAPOT | X);
    assert_int_equal(try(t, RV_PRIV_U, NOP), -1);
    /* X ends at RVT_BASE + 0x1000: a 32-bit instruction at + 0xffe */
    entry(t, 1, ((RVT_BASE + 0x1000) >> 2) | 0x1ff, NAPOT | R);
    t->h->pc = RVT_BASE + 0xffe;
    rvt_set_priv(t, RV_PRIV_U);
    rvt_put32(t, RVT_BASE + 0xffc, 0x00130000); /* upper half of addi at 0xffe, low half 0x0013 */
    rvt_put32(t, RVT_BASE + 0x1000, 0);
    assert_int_equal(rv_step(t->h), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_INSN_ACCESS);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), RVT_BASE + 0x1000);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, rvt_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_no_match_3_7_1),
        T(test_address_matching_3_7_1_1),
        T(test_priority_and_partial_match_3_7_1_3),
        T(test_mprv_3_1_6_3),
        T(test_amo_needs_read_and_write),
        T(test_fetch_needs_x),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
