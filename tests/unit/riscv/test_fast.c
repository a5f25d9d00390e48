/* The run loop's inline forms (fast.h, design.md "Speed") against the handlers of the same rows
 * (exec_int.c): for random instances of every row that has a form, from the same state, the same
 * status, registers, next pc, trap value, memory and EV_MEM count (unpriv. spec chapter 2 and
 * chapter 5; the loads and stores also in U-mode and under MPRV, priv. spec 3.1.6.3). */
#include "riscv/helpers.h"

#include "cpu/riscv/fast.h"

#define PC0    (RVT_BASE + 0x100)
#define DATA   (RVT_BASE + 0x2000) /* loads and stores land in [DATA, DATA + 0x3000) */
#define REGION 0x4000

static uint64_t next(uint64_t *s)
{
    /* xorshift64* */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

struct outcome {
    int rc;
    uint64_t x[32], npc, tval, mem_events;
    uint8_t mem[REGION];
};

static void outcome_take(struct rvt *t, struct outcome *o, int rc, uint64_t npc, uint64_t events0)
{
    o->rc = rc;
    t->h->x[0] = 0; /* the run loop's rule */
    memcpy(o->x, t->h->x, sizeof o->x);
    o->npc = npc;
    o->tval = rc == RV_OK ? 0 : t->h->tval;
    o->mem_events = t->m.events.count[EV_MEM] - events0;
    assert_int_equal(bus_copy_from_ram(&t->m.bus, DATA - 0x800, o->mem, REGION), 0);
}

/* Every row with an inline form: n random instances in the current privilege, each run through
 * the form and through the handler from the same registers and memory. */
static unsigned check_rows(struct rvt *t, uint64_t *seed, unsigned n)
{
    static struct outcome a, b;
    static uint8_t mem0[REGION];
    unsigned rows = 0;
    for (unsigned id = 0; id < RV_INSN_COUNT; id++) {
        const struct rv_insn_info *in = &rv_insn_table[id];
        struct rv_dinsn d = {.exec = rv_exec_table[id], .paddr = PC0, .id = (uint16_t)id, .len = 4};
        d.word = in->match | ((uint32_t)next(seed) & ~in->mask);
        rv_fast_prepare(&d);
        if (d.fast == RV_FAST_NONE) continue;
        rows++;
        for (unsigned k = 0; k < n; k++) {
            uint32_t w = in->match | ((uint32_t)next(seed) & ~in->mask);
            if (rv_decode(t->h, w) != (int)id) continue; /* a more specific row takes it */
            d.word = d.raw = w;
            rv_fast_prepare(&d);
            assert_int_not_equal(d.fast, RV_FAST_NONE);
            uint64_t x0[32];
            /* half the registers from the edge cases of compares, shifts and sign extension,
             * including the instruction's own immediate and each other */
            uint64_t edges[] = {0,           1,          ~0ull,       1ull << 63,  (1ull << 63) - 1,
                                0xffffffffu, 1ull << 31, rv_imm_i(w), rv_imm_b(w), 0};
            for (unsigned r = 0; r < 32; r++) {
                uint64_t v = next(seed);
                edges[9] = r > 1 ? x0[r - 1] : 0;
                x0[r] = !r ? 0 : (v & 1) ? next(seed) : edges[(v >> 1) % 10];
            }
            /* loads and stores: most addresses in RAM (some crossing a page), some anywhere */
            if ((in->op_class == RV_OPC_LOAD || in->op_class == RV_OPC_STORE) && rv_rs1(w) &&
                next(seed) % 8)
                x0[rv_rs1(w)] = DATA + next(seed) % 0x3000 -
                                (in->op_class == RV_OPC_LOAD ? rv_imm_i(w) : rv_imm_s(w));
            for (unsigned i = 0; i < REGION; i++)
                mem0[i] = (uint8_t)next(seed);
            assert_int_equal(bus_copy_to_ram(&t->m.bus, DATA - 0x800, mem0, REGION), 0);
            memcpy(t->h->x, x0, sizeof x0);
            t->h->pc = PC0;
            t->h->tval = 0;
            uint64_t events0 = t->m.events.count[EV_MEM];
            uint64_t npc = PC0 + 4;
            int rc = rv_fast_exec(t->h, &d, PC0, &npc);
            outcome_take(t, &a, rc, npc, events0);

            assert_int_equal(bus_copy_to_ram(&t->m.bus, DATA - 0x800, mem0, REGION), 0);
            memcpy(t->h->x, x0, sizeof x0);
            t->h->tval = 0;
            t->h->npc = PC0 + 4;
            t->h->insn_raw = w;
            events0 = t->m.events.count[EV_MEM];
            rc = rv_exec_table[id](t->h, w);
            outcome_take(t, &b, rc, t->h->npc, events0);

            if (memcmp(&a, &b, sizeof a) != 0)
                fail_msg("%s %08x: inline form and handler differ (rc %d/%d, npc %llx/%llx)",
                         in->mnemonic, w, a.rc, b.rc, (unsigned long long)a.npc,
                         (unsigned long long)b.npc);
        }
    }
    return rows;
}

static void test_forms_equal_handlers_m(void **state)
{
    struct rvt *t = *state;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    assert_true(check_rows(t, &seed, 300) >= 40);
}

/* 3.1.6.3: with MPRV, M-mode loads and stores are checked as MPP (U here, with PMP open) */
static void test_forms_equal_handlers_mprv(void **state)
{
    struct rvt *t = *state;
    uint64_t seed = 0x1234567887654321ull;
    rvt_set_csr(t, RV_CSR_mstatus, rvt_csr(t, RV_CSR_mstatus) | RV_MSTATUS_MPRV);
    assert_true(check_rows(t, &seed, 100) >= 40);
}

/* U-mode, satp Bare, PMP entry 0 open; then with no PMP entry at all (every access faults) */
static void test_forms_equal_handlers_u(void **state)
{
    struct rvt *t = *state;
    uint64_t seed = 0x0badc0ffee0ddf00ull;
    rvt_set_priv(t, RV_PRIV_U);
    assert_true(check_rows(t, &seed, 100) >= 40);
    rv_csr_set(t->h, RV_CSR_pmpcfg0, 0);
    assert_true(check_rows(t, &seed, 100) >= 40);
}

/* Sv39 (priv. spec 4.3, 4.4): RAM mapped at its own address by one gigapage, so the loads and
 * stores hit the software TLB after their first walk; the permission check of a hit (4.3.1: U
 * pages, SUM, W and D) decides as the walk does. */
static void map_ram(struct rvt *t, uint64_t flags)
{
    const uint64_t root = RVT_BASE + 0x80000;
    for (unsigned i = 0; i < 512; i++)
        rvt_put64(t, root + 8 * i, 0);
    rvt_put64(t, root + 8 * (RVT_BASE >> 30), ((RVT_BASE >> 12) << 10) | flags);
    rvt_set_csr(t, RV_CSR_satp, (8ull << 60) | (root >> 12));
}

static void test_forms_equal_handlers_sv39_4_3(void **state)
{
    struct rvt *t = *state;
    uint64_t seed = 0x5eed5eed5eed5eedull;
    const uint64_t vr = MMU_PTE_V | MMU_PTE_R | MMU_PTE_X | MMU_PTE_A;
    const uint64_t all = vr | MMU_PTE_W | MMU_PTE_U | MMU_PTE_D;
    /* each privilege change keeps the TLB (only satp writes flush it here): the next run hits
     * entries filled under other rules */
    map_ram(t, all);
    rvt_set_priv(t, RV_PRIV_U);
    assert_true(check_rows(t, &seed, 100) >= 40);
    rvt_set_priv(t, RV_PRIV_S); /* a U page from S: only with SUM */
    assert_true(check_rows(t, &seed, 50) >= 40);
    rvt_set_csr(t, RV_CSR_mstatus, rvt_csr(t, RV_CSR_mstatus) | RV_MSTATUS_SUM);
    assert_true(check_rows(t, &seed, 50) >= 40);
    map_ram(t, all & ~(uint64_t)MMU_PTE_D); /* stores set D through the walk */
    assert_true(check_rows(t, &seed, 50) >= 40);
    map_ram(t, vr | MMU_PTE_U); /* read-only */
    assert_true(check_rows(t, &seed, 50) >= 40);
    map_ram(t, all & ~(uint64_t)MMU_PTE_U);
    rvt_set_priv(t, RV_PRIV_S);
    assert_true(check_rows(t, &seed, 50) >= 40);
    rvt_set_priv(t, RV_PRIV_U); /* an S page from U faults */
    assert_true(check_rows(t, &seed, 50) >= 40);
}

#define T(f) cmocka_unit_test_setup_teardown(f, rvt_setup, rvt_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_forms_equal_handlers_m),
        T(test_forms_equal_handlers_mprv),
        T(test_forms_equal_handlers_u),
        T(test_forms_equal_handlers_sv39_4_3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
