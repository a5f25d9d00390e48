/* The fetch path's caches (design.md "Speed"): decoded instructions by physical address and the
 * current fetch page. Architecturally invisible: stores to code are seen by the next fetch (which
 * is stronger than Zifencei requires, unpriv. spec chapter 3), and translation changes are seen
 * after sfence.vma, satp writes and privilege changes (priv. spec 4.2.1). */
#include "riscv/helpers.h"

#define CODE (RVT_BASE + 0x100)

/* Unpriv. ch. 3: a store to an instruction already executed is seen by the next fetch */
static void test_store_to_code_is_seen(void **state)
{
    struct rvt *t = *state;
    const uint32_t prog[] = {
        ADDI(1, 1, 1),               /* CODE: x1++ */
        rvt_s(0, 2, 3, 2, OP_STORE), /* sw x2, 0(x3): overwrite CODE */
        rvt_j(-8, 0),                /* j CODE */
    };
    rvt_prog(t, CODE, prog, 3);
    t->h->pc = CODE;
    t->h->x[2] = ADDI(1, 1, 100);
    t->h->x[3] = CODE;
    for (int i = 0; i < 4; i++)
        assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[1], 101); /* 1 + 100: the new instruction ran */
}

/* A host write (loader, monitor) is seen too, including a change of length (C <-> 32-bit) */
static void test_host_write_and_length_change(void **state)
{
    struct rvt *t = *state;
    uint16_t c_li = 0x4515; /* c.li a0, 5 */
    assert_int_equal(bus_copy_to_ram(&t->m.bus, CODE, &c_li, 2), 0);
    t->h->pc = CODE;
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[10], 5);
    assert_int_equal(t->h->pc, CODE + 2);
    rvt_put32(t, CODE, ADDI(10, 0, 7));
    t->h->pc = CODE;
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[10], 7);
    assert_int_equal(t->h->pc, CODE + 4);
    /* an illegal word is not remembered: replaced, it executes */
    rvt_put32(t, CODE, 0xffffffff);
    t->h->pc = CODE;
    rvt_set_csr(t, RV_CSR_mtvec, RVT_BASE + 0x800);
    assert_int_equal(rv_step(t->h), RV_STEP_EXCEPTION);
    rvt_put32(t, CODE, ADDI(10, 0, 9));
    t->h->pc = CODE;
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[10], 9);
}

/* A 32-bit instruction in the last two bytes of a page spans two pages */
static void test_instruction_spanning_pages(void **state)
{
    struct rvt *t = *state;
    uint64_t at = RVT_BASE + 0x1ffe;
    uint32_t w = ADDI(10, 0, 33);
    assert_int_equal(bus_copy_to_ram(&t->m.bus, at, &w, 4), 0);
    t->h->pc = at;
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[10], 33);
    assert_int_equal(t->h->pc, at + 4);
}

/* Priv. 4.2.1 / 4.1.11: the fetch page follows privilege changes, sfence.vma and satp writes:
 * va CODE maps to another physical page in S than in M */
#define ROOT (RVT_BASE + 0x10000)
#define L1   (RVT_BASE + 0x11000)
#define L0   (RVT_BASE + 0x12000)
#define ALT  (RVT_BASE + 0x30000)
#define ALT2 (RVT_BASE + 0x31000)
static uint64_t pte(uint64_t pa, uint64_t flags)
{
    return ((pa >> 12) << 10) | flags;
}

static void test_fetch_follows_translation_4_2_1(void **state)
{
    struct rvt *t = *state;
    const uint64_t va = 0x100; /* va page 0 -> ALT, later ALT2 */
    const uint64_t rwx = MMU_PTE_V | MMU_PTE_R | MMU_PTE_W | MMU_PTE_X | MMU_PTE_A | MMU_PTE_D;
    rvt_put64(t, ROOT, pte(L1, MMU_PTE_V));
    rvt_put64(t, L1, pte(L0, MMU_PTE_V));
    rvt_put64(t, L0, pte(ALT, rwx));
    rvt_put64(t, ROOT + 8 * 2, pte(0x80000000ull, rwx)); /* identity for the rest */
    rvt_put32(t, ALT + va, ADDI(10, 0, 1));
    rvt_put32(t, ALT2 + va, ADDI(10, 0, 2));
    rvt_put32(t, RVT_BASE + va, ADDI(10, 0, 3)); /* physical RVT_BASE + 0x100 */
    rvt_set_csr(t, RV_CSR_satp, (8ull << 60) | (ROOT >> 12));
    /* M: physical */
    t->h->pc = RVT_BASE + va;
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[10], 3);
    /* S: va 0x100 -> ALT */
    rvt_set_priv(t, RV_PRIV_S);
    t->h->pc = va;
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[10], 1);
    /* remap to ALT2 and sfence.vma (executed from the identity-mapped page) */
    rvt_put64(t, L0, pte(ALT2, rwx));
    rvt_put32(t, RVT_BASE + 0x200, SFENCE_VMA(0, 0));
    t->h->pc = RVT_BASE + 0x200;
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    t->h->pc = va;
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[10], 2);
    /* remapped under the running code (va page 0 still fetched from ALT2): the instruction
     * after the sfence.vma comes from the new page within the same virtual page */
    rvt_put32(t, ALT2 + va + 4, SFENCE_VMA(0, 0));
    rvt_put32(t, ALT + va + 8, ADDI(10, 0, 11));
    rvt_put32(t, ALT2 + va + 8, ADDI(10, 0, 22));
    rvt_put64(t, L0, pte(ALT, rwx));
    assert_int_equal(t->h->pc, va + 4);
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED); /* the sfence.vma, from ALT2 */
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[10], 11);
    /* back to ALT through a satp write */
    rvt_put64(t, L0, pte(ALT, rwx));
    rvt_set_priv(t, RV_PRIV_M);
    t->h->x[6] = (8ull << 60) | (ROOT >> 12);
    rvt_put32(t, RVT_BASE + 0x200, CSRRW(0, RV_CSR_satp, 6));
    t->h->pc = RVT_BASE + 0x200;
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    rvt_set_priv(t, RV_PRIV_S);
    t->h->pc = va;
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[10], 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, rvt_setup, rvt_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_store_to_code_is_seen),
        T(test_host_write_and_length_change),
        T(test_instruction_spanning_pages),
        T(test_fetch_follows_translation_4_2_1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
