/* The disassembler (disasm.c) against llvm-objdump: disasm/corpus.inc holds random instances of
 * every row of insn.def and rvc.def with llvm-objdump's text for them (disasm/regenerate.py). */
#include "riscv/helpers.h"

#include <string.h>

struct disasm_case {
    uint64_t pc;
    uint32_t raw;
    const char *text;
};
#include "riscv/disasm/corpus.inc"

static void test_matches_llvm_objdump(void **state)
{
    struct rvt *t = *state;
    unsigned bad = 0;
    size_t n = sizeof disasm_corpus / sizeof disasm_corpus[0];
    for (size_t i = 0; i < n; i++) {
        const struct disasm_case *c = &disasm_corpus[i];
        char buf[96];
        unsigned len = rv_disasm(t->h, c->pc, c->raw, buf, sizeof buf);
        assert_int_equal(len, (c->raw & 3) == 3 ? 4 : 2);
        if (strcmp(buf, c->text) != 0 && bad++ < 40)
            print_error("%#010x: ringside \"%s\", llvm-objdump \"%s\"\n", c->raw, buf, c->text);
    }
    if (bad) fail_msg("%u of %zu differ", bad, n);
}

/* Every row of both tables appears in the corpus (so a new row needs a regenerate) */
static void test_corpus_covers_every_row(void **state)
{
    struct rvt *t = *state;
    bool seen[RV_INSN_COUNT] = {0}, cseen[RVC_COUNT] = {0};
    for (size_t i = 0; i < sizeof disasm_corpus / sizeof disasm_corpus[0]; i++) {
        uint32_t raw = disasm_corpus[i].raw;
        if ((raw & 3) != 3) {
            int row = rv_rvc_decode(t->h, raw & 0xffff);
            if (row >= 0) cseen[row] = true;
            raw = rv_rvc_expand(t->h, raw & 0xffff);
        }
        int id = raw ? rv_decode(t->h, raw) : -1;
        if (id >= 0) seen[id] = true;
    }
    for (unsigned i = 0; i < RV_INSN_COUNT; i++)
        if (!seen[i]) fail_msg("%s is not in the corpus", rv_insn_table[i].mnemonic);
    for (unsigned i = 0; i < RVC_COUNT; i++)
        if (!cseen[i]) fail_msg("%s is not in the corpus", rvc_table[i].mnemonic);
}

/* Small buffers are cut, never overrun */
static void test_truncates(void **state)
{
    struct rvt *t = *state;
    char buf[6];
    memset(buf, 'x', sizeof buf);
    rv_disasm(t->h, 0, 0x00c58533, buf, 4); /* add a0, a1, a2 */
    assert_string_equal(buf, "add");
    assert_int_equal(buf[4], 'x');
}

#define T(f) cmocka_unit_test_setup_teardown(f, rvt_setup, rvt_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_matches_llvm_objdump),
        T(test_corpus_covers_every_row),
        T(test_truncates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
