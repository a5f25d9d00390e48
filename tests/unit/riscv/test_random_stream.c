/* Robustness (design.md "Testing"): random instruction streams in every privilege mode, with and
 * without Sv39, never crash the host (run under ASan/UBSan in CI) and keep the architectural
 * invariants: x0 = 0, pc 2-byte aligned, a valid privilege, retired + trapped = steps. */
#include "riscv/helpers.h"

static uint64_t next(uint64_t *s)
{
    /* xorshift64* */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static void run_random(struct rvt *t, uint64_t seed, unsigned priv, bool paging)
{
    uint64_t s = seed;
    /* 64 KiB of random words, with a bias toward valid opcodes so that execution goes on */
    static const uint8_t opcodes[] = {0x03, 0x13, 0x1b, 0x23, 0x2f,
                                      0x33, 0x37, 0x3b, 0x63, 0x67,
                                      0x6f, 0x73, 0x0f, 0x17, /* F/D: */ 0x07,
                                      0x27, 0x43, 0x47, 0x4b, 0x4f,
                                      0x53, 0x53, 0x53};
    for (uint64_t a = 0; a < 0x10000; a += 4) {
        uint32_t w = (uint32_t)next(&s);
        if (next(&s) % 4) w = (w & ~0x7fu) | opcodes[next(&s) % sizeof opcodes];
        rvt_put32(t, RVT_BASE + a, w);
    }
    rv_hart_reset(t->h, RVT_BASE);
    rvt_open_pmp(t);                            /* reset turned PMP off: let S and U reach memory */
    rvt_set_csr(t, RV_CSR_mstatus, 1ull << 13); /* FS = Initial: the F/D words execute */
    for (unsigned i = 0; i < 32; i++)
        t->h->f[i] = (next(&s) & 1) ? (0xffffffff00000000ull | (uint32_t)next(&s)) : next(&s);
    for (unsigned i = 1; i < 32; i++)
        t->h->x[i] = (next(&s) & 1) ? RVT_BASE + (next(&s) % RVT_RAM) : next(&s);
    rvt_set_csr(t, RV_CSR_mtvec, RVT_BASE + (next(&s) % 0x10000));
    rvt_set_csr(t, RV_CSR_stvec, RVT_BASE + (next(&s) % 0x10000));
    rvt_set_csr(t, RV_CSR_medeleg, next(&s));
    rvt_set_csr(t, RV_CSR_mideleg, next(&s));
    if (paging) /* a root table of random entries inside the random code */
        rvt_set_csr(t, RV_CSR_satp, (8ull << 60) | ((RVT_BASE + 0x8000) >> 12));
    rvt_set_priv(t, priv);
    uint64_t retired = t->m.insns, traps = t->m.events.count[EV_EXCEPTION];
    unsigned steps = 0;
    static const unsigned privs[] = {RV_PRIV_U, RV_PRIV_S, RV_PRIV_M};
    for (; steps < 20000; steps++) {
        enum rv_step_result r = rv_step(t->h);
        assert_int_equal(t->h->x[0], 0);
        assert_int_equal(t->h->pc & 1, 0);
        assert_true(t->h->priv == RV_PRIV_U || t->h->priv == RV_PRIV_S || t->h->priv == RV_PRIV_M);
        if (r == RV_STEP_WAITING)
            t->h->waiting = false; /* the wfi retired; wake the hart, the test has no timer */
        /* After a trap (the handler is random code too), or now and then, go on somewhere else
         * in the random code with random modes, so that one bad word does not end the run. */
        if (r == RV_STEP_EXCEPTION || t->m.stop.reason != STOP_NONE || next(&s) % 64 == 0) {
            t->m.stop.reason = STOP_NONE;
            t->h->pc = RVT_BASE + (next(&s) % 0x10000 & ~1ull);
            rvt_set_priv(t, privs[next(&s) % 3]);
            rvt_set_csr(t, RV_CSR_mstatus, next(&s) | 1ull << 13); /* FS on */
        }
    }
    uint64_t n_retired = t->m.insns - retired, n_traps = t->m.events.count[EV_EXCEPTION] - traps;
    assert_true(n_retired + n_traps <= steps);
    print_message("seed %#llx priv %u paging %d: %u steps, %llu retired, %llu traps, stop %d\n",
                  (unsigned long long)seed, priv, paging, steps, (unsigned long long)n_retired,
                  (unsigned long long)n_traps, t->m.stop.reason);
}

static void test_random_streams(void **state)
{
    struct rvt *t = *state;
    for (uint64_t seed = 1; seed <= 24; seed++) {
        run_random(t, seed * 0x9e3779b97f4a7c15ull, (unsigned[]){0, 1, 3}[seed % 3], seed & 4);
    }
}

#define T(f) cmocka_unit_test_setup_teardown(f, rvt_setup, rvt_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_random_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
