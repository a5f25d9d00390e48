/* The instruction table (insn.def): consistency and decode by table. */
#include "riscv/helpers.h"

/* No two encodings overlap: for every pair, some bit fixed in both masks differs in the matches
 * (the table-consistency rule). And every match lies inside its own mask. */
static void test_table_no_overlap(void **state)
{
    (void)state;
    for (unsigned i = 0; i < RV_INSN_COUNT; i++) {
        const struct rv_insn_info *a = &rv_insn_table[i];
        assert_int_equal(a->match & ~a->mask, 0);
        assert_int_equal(a->match & 3, 3); /* 32-bit encodings (unpriv. spec 1.5) */
        for (unsigned j = i + 1; j < RV_INSN_COUNT; j++) {
            const struct rv_insn_info *b = &rv_insn_table[j];
            uint32_t common = a->mask & b->mask;
            if (((a->match ^ b->match) & common) == 0)
                fail_msg("%s and %s overlap", a->mnemonic, b->mnemonic);
        }
    }
}

/* Every table row's match word decodes to that row. */
static void test_every_match_decodes_to_itself(void **state)
{
    struct rvt *t = *state;
    for (unsigned i = 0; i < RV_INSN_COUNT; i++)
        assert_int_equal(rv_decode(t->h, rv_insn_table[i].match), (int)i);
    assert_int_equal(rv_decode(t->h, 0), -1);
    assert_int_equal(rv_decode(t->h, 0x0000007f), -1);
}

/* Known words (llvm-objdump) decode to the named rows. */
static void test_known_words(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(rv_decode(t->h, 0x00c58533), RV_INSN_add);
    assert_int_equal(rv_decode(t->h, 0xfe913c23), RV_INSN_sd);
    assert_int_equal(rv_decode(t->h, 0x30059573), RV_INSN_csrrw);
    assert_int_equal(rv_decode(t->h, 0x12000073), RV_INSN_sfence_vma);
    assert_int_equal(rv_decode(t->h, 0x02c5d53b), RV_INSN_divuw);
    assert_int_equal(rv_decode(t->h, 0x41f5551b), RV_INSN_sraiw);
    assert_int_equal(rv_decode(t->h, 0x0000100f), RV_INSN_fence_i);
    assert_string_equal(rv_insn_table[RV_INSN_fence_i].mnemonic, "fence.i");
    assert_int_equal(rv_insn_table[RV_INSN_div].op_class, RV_OPC_DIV);
}

#define T(f) cmocka_unit_test_setup_teardown(f, rvt_setup, rvt_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_table_no_overlap),
        T(test_every_match_decodes_to_itself),
        T(test_known_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
