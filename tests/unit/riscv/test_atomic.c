/* A extension (unpriv. spec chapter 8): LR/SC pairing and reservation loss (8.2-8.3), every AMO
 * in W and D form with signedness and sign extension (8.4), misaligned addresses. */
#include "riscv/helpers.h"

#define DATA   (RVT_BASE + 0x1000)
#define OP_AMO 0x2f
#define AMO_WORD(f5, aqrl, rs2, rs1, f3, rd)                                                       \
    (((uint32_t)(f5) << 27) | ((uint32_t)(aqrl) << 25) | rvt_r(0, rs2, rs1, f3, rd, OP_AMO))
#define W 2
#define D 3
enum {
    F_ADD = 0x00,
    F_SWAP = 0x01,
    F_LR = 0x02,
    F_SC = 0x03,
    F_XOR = 0x04,
    F_OR = 0x08,
    F_AND = 0x0c,
    F_MIN = 0x10,
    F_MAX = 0x14,
    F_MINU = 0x18,
    F_MAXU = 0x1c
};

static int atomic_setup(void **state)
{
    int rc = rvt_setup(state);
    struct rvt *t = *state;
    rvt_set_csr(t, RV_CSR_mtvec, RVT_BASE + 0x800);
    return rc;
}

static enum rv_step_result run(struct rvt *t, uint32_t word)
{
    t->h->pc = RVT_BASE;
    return rvt_exec(t, word);
}

/* Encodings against llvm-mc (clang --target=riscv64 -march=rv64gc) */
static void test_encodings_match_llvm(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(AMO_WORD(F_LR, 0, 0, 11, W, 10), 0x1005a52f);    /* lr.w a0, (a1) */
    assert_int_equal(AMO_WORD(F_LR, 3, 0, 8, D, 5), 0x160432af);      /* lr.d.aqrl t0, (s0) */
    assert_int_equal(AMO_WORD(F_SC, 0, 13, 14, W, 12), 0x18d7262f);   /* sc.w a2, a3, (a4) */
    assert_int_equal(AMO_WORD(F_SWAP, 2, 11, 12, W, 10), 0x0cb6252f); /* amoswap.w.aq */
    assert_int_equal(rv_decode(t->h, 0x1005a52f), RV_INSN_lr_w);
    assert_int_equal(rv_decode(t->h, 0x160432af), RV_INSN_lr_d);
    assert_int_equal(rv_decode(t->h, 0x1ad7362f), RV_INSN_sc_d);
    assert_int_equal(rv_decode(t->h, 0x0cb6252f), RV_INSN_amoswap_w);
    assert_int_equal(rv_decode(t->h, 0x00b6352f), RV_INSN_amoadd_d);
    assert_int_equal(rv_decode(t->h, 0xe0b6252f), RV_INSN_amomaxu_w);
    assert_int_equal(rv_decode(t->h, 0xc1f1302f), RV_INSN_amominu_d);
    assert_int_equal(rv_decode(t->h, 0x1015a52f), -1); /* lr.w with rs2 != 0: reserved */
    assert_true(rvt_csr(t, RV_CSR_misa) & RV_MISA_EXT('A'));
}

/* 8.2: LR then SC to the same address succeeds (rd = 0) and stores; LR.W sign-extends */
static void test_lr_sc_pair_8_2(void **state)
{
    struct rvt *t = *state;
    rvt_put64(t, DATA, 0x00000000fffffffeull);
    t->h->x[1] = DATA;
    t->h->x[2] = 0x1234;
    assert_int_equal(run(t, AMO_WORD(F_LR, 0, 0, 1, W, 3)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[3], (uint64_t)-2);
    assert_int_equal(run(t, AMO_WORD(F_SC, 0, 2, 1, W, 4)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[4], 0);
    assert_int_equal(rvt_get64(t, DATA), 0x1234);
    /* the reservation is gone: a second SC fails and stores nothing */
    t->h->x[2] = 0x5678;
    assert_int_equal(run(t, AMO_WORD(F_SC, 0, 2, 1, W, 4)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[4], 1);
    assert_int_equal(rvt_get64(t, DATA), 0x1234);
    /* doubleword */
    t->h->x[2] = 0x1122334455667788ull;
    assert_int_equal(run(t, AMO_WORD(F_LR, 0, 0, 1, D, 3)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[3], 0x1234);
    assert_int_equal(run(t, AMO_WORD(F_SC, 3, 2, 1, D, 4)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[4], 0);
    assert_int_equal(rvt_get64(t, DATA), 0x1122334455667788ull);
}

/* 8.2/8.3: SC fails without a matching reservation: no LR, another address, another size,
 * after a failed SC, after a trap or an xRET */
static void test_sc_reservation_loss_8_3(void **state)
{
    struct rvt *t = *state;
    rvt_put64(t, DATA, 7);
    t->h->x[1] = DATA;
    t->h->x[5] = DATA + 8;
    t->h->x[2] = 99;
    /* no LR */
    assert_int_equal(run(t, AMO_WORD(F_SC, 0, 2, 1, D, 4)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[4], 1);
    /* another address; and the failed SC cleared the reservation */
    assert_int_equal(run(t, AMO_WORD(F_LR, 0, 0, 1, D, 3)), RV_STEP_RETIRED);
    assert_int_equal(run(t, AMO_WORD(F_SC, 0, 2, 5, D, 4)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[4], 1);
    assert_int_equal(run(t, AMO_WORD(F_SC, 0, 2, 1, D, 4)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[4], 1);
    /* another size */
    assert_int_equal(run(t, AMO_WORD(F_LR, 0, 0, 1, D, 3)), RV_STEP_RETIRED);
    assert_int_equal(run(t, AMO_WORD(F_SC, 0, 2, 1, W, 4)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[4], 1);
    /* a trap in between */
    assert_int_equal(run(t, AMO_WORD(F_LR, 0, 0, 1, D, 3)), RV_STEP_RETIRED);
    assert_int_equal(run(t, ECALL), RV_STEP_EXCEPTION);
    assert_int_equal(run(t, AMO_WORD(F_SC, 0, 2, 1, D, 4)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[4], 1);
    /* an mret in between */
    assert_int_equal(run(t, AMO_WORD(F_LR, 0, 0, 1, D, 3)), RV_STEP_RETIRED);
    rvt_set_csr(t, RV_CSR_mstatus, 3ull << 11);
    rvt_set_csr(t, RV_CSR_mepc, RVT_BASE);
    assert_int_equal(run(t, MRET), RV_STEP_RETIRED);
    assert_int_equal(run(t, AMO_WORD(F_SC, 0, 2, 1, D, 4)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[4], 1);
    assert_int_equal(rvt_get64(t, DATA), 7);
}

struct amo_case {
    unsigned f5, f3;
    uint64_t mem, rs2, expect_mem;
};

/* 8.4: each AMO returns the old value (sign-extended for W) and stores op(old, rs2) */
static void test_amo_operations_8_4(void **state)
{
    struct rvt *t = *state;
    static const struct amo_case cases[] = {
        {F_SWAP, D, 5, 9, 9},
        {F_ADD, D, UINT64_MAX, 2, 1},
        {F_XOR, D, 0xff00, 0x0ff0, 0xf0f0},
        {F_AND, D, 0xff00, 0x0ff0, 0x0f00},
        {F_OR, D, 0xff00, 0x0ff0, 0xfff0},
        {F_MIN, D, (uint64_t)-5, 3, (uint64_t)-5},
        {F_MAX, D, (uint64_t)-5, 3, 3},
        {F_MINU, D, (uint64_t)-5, 3, 3},
        {F_MAXU, D, (uint64_t)-5, 3, (uint64_t)-5},
        /* W: 32-bit, the upper half of memory untouched, rs2's upper half ignored */
        {F_SWAP, W, 0xaaaaaaaa00000005ull, 0xffffffff00000009ull, 0xaaaaaaaa00000009ull},
        {F_ADD, W, 0xaaaaaaaaffffffffull, 2, 0xaaaaaaaa00000001ull},
        {F_XOR, W, 0xff00, 0x0ff0, 0xf0f0},
        {F_AND, W, 0xff00, 0x0ff0, 0x0f00},
        {F_OR, W, 0xff00, 0x0ff0, 0xfff0},
        {F_MIN, W, 0x80000000, 1, 0x80000000},
        {F_MAX, W, 0x80000000, 1, 1},
        {F_MINU, W, 0x80000000, 1, 1},
        {F_MAXU, W, 0x80000000, 1, 0x80000000},
        {F_MIN, W, 5, 0x1ffffffffull, 0xffffffff}, /* rs2 as a word is -1 */
        {F_MAXU, W, 5, 0x1ffffffffull, 0xffffffff},
    };
    t->h->x[1] = DATA;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct amo_case *c = &cases[i];
        rvt_put64(t, DATA, c->mem);
        t->h->x[2] = c->rs2;
        assert_int_equal(run(t, AMO_WORD(c->f5, 0, 2, 1, c->f3, 3)), RV_STEP_RETIRED);
        uint64_t old = c->f3 == W ? rv_sext((uint32_t)c->mem, 32) : c->mem;
        if (t->h->x[3] != old || rvt_get64(t, DATA) != c->expect_mem)
            fail_msg("case %zu: rd %#llx mem %#llx", i, (unsigned long long)t->h->x[3],
                     (unsigned long long)rvt_get64(t, DATA));
    }
    /* rd = rs2: the old value wins, the store used rs2's value */
    rvt_put64(t, DATA, 10);
    t->h->x[2] = 3;
    assert_int_equal(run(t, AMO_WORD(F_ADD, 0, 2, 1, D, 2)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[2], 10);
    assert_int_equal(rvt_get64(t, DATA), 13);
}

/* 8.2/8.4: misaligned LR -> load address misaligned (4); misaligned SC/AMO -> store/AMO address
 * misaligned (6); nothing changes */
static void test_misaligned_atomics_8_4(void **state)
{
    struct rvt *t = *state;
    rvt_put64(t, DATA, 1);
    rvt_put64(t, DATA + 8, 2);
    t->h->x[1] = DATA + 4;
    t->h->x[3] = 77;
    assert_int_equal(run(t, AMO_WORD(F_LR, 0, 0, 1, D, 3)), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_LOAD_MISALIGNED);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), DATA + 4);
    t->h->x[1] = DATA + 2;
    assert_int_equal(run(t, AMO_WORD(F_SC, 0, 2, 1, W, 3)), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_STORE_MISALIGNED);
    assert_int_equal(run(t, AMO_WORD(F_ADD, 0, 2, 1, W, 3)), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_STORE_MISALIGNED);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), DATA + 2);
    t->h->x[1] = DATA + 4; /* word-aligned, not doubleword-aligned */
    assert_int_equal(run(t, AMO_WORD(F_SWAP, 0, 2, 1, D, 3)), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_STORE_MISALIGNED);
    assert_int_equal(t->h->x[3], 77);
    assert_int_equal(rvt_get64(t, DATA), 1);
    assert_int_equal(rvt_get64(t, DATA + 8), 2);
    assert_int_equal(run(t, AMO_WORD(F_SWAP, 0, 2, 1, W, 3)), RV_STEP_RETIRED); /* 4-aligned W */
}

/* Priv. 3.7: an AMO where there is no memory is a store/AMO access fault (7) */
static void test_amo_access_fault_3_7(void **state)
{
    struct rvt *t = *state;
    t->h->x[1] = 0x1000;
    assert_int_equal(run(t, AMO_WORD(F_OR, 0, 2, 1, D, 3)), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_STORE_ACCESS);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), 0x1000);
    assert_int_equal(run(t, AMO_WORD(F_LR, 0, 0, 1, W, 3)), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_LOAD_ACCESS);
}

#define T(f) cmocka_unit_test_setup_teardown(f, atomic_setup, rvt_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_encodings_match_llvm),    T(test_lr_sc_pair_8_2),
        T(test_sc_reservation_loss_8_3), T(test_amo_operations_8_4),
        T(test_misaligned_atomics_8_4),  T(test_amo_access_fault_3_7),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
