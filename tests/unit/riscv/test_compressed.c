/* C extension (unpriv. spec chapter 16): every compressed form expands to the 32-bit instruction
 * the spec names (checked against llvm-mc: the same instruction assembled with and without
 * compression), reserved encodings are illegal, and compressed code executes with pc += 2. */
#include "riscv/helpers.h"

/* {compressed parcel, 32-bit equivalent}: clang --target=riscv64 -march=rv64gc, c.* mnemonics,
 * and the expansion assembled under .option norvc. */
static const struct {
    uint16_t c;
    uint32_t w;
} pairs[] = {
    {0x0048, 0x00410513}, /* c.addi4spn a0, sp, 4 -> addi a0, sp, 4 */
    {0x1fe0, 0x3fc10413}, /* c.addi4spn s0, sp, 1020 -> addi s0, sp, 1020 */
    {0x3ffc, 0x0f87b787}, /* c.fld fa5, 248(a5) -> fld fa5, 248(a5) */
    {0x5de8, 0x07c5a503}, /* c.lw a0, 124(a1) -> lw a0, 124(a1) */
    {0x43c4, 0x0047a483}, /* c.lw s1, 4(a5) -> lw s1, 4(a5) */
    {0x7ef0, 0x0f86b603}, /* c.ld a2, 248(a3) -> ld a2, 248(a3) */
    {0xa080, 0x0084b027}, /* c.fsd fs0, 0(s1) -> fsd fs0, 0(s1) */
    {0xc124, 0x04952023}, /* c.sw s1, 64(a0) -> sw s1, 64(a0) */
    {0xe41c, 0x00f43423}, /* c.sd a5, 8(s0) -> sd a5, 8(s0) */
    {0x1501, 0xfe050513}, /* c.addi a0, -32 -> addi a0, a0, -32 */
    {0x02fd, 0x01f28293}, /* c.addi t0, 31 -> addi t0, t0, 31 */
    {0x0001, 0x00000013}, /* c.nop -> addi zero, zero, 0 */
    {0x35fd, 0xfff5859b}, /* c.addiw a1, -1 -> addiw a1, a1, -1 */
    {0x247d, 0x01f4041b}, /* c.addiw s0, 31 -> addiw s0, s0, 31 */
    {0x5501, 0xfe000513}, /* c.li a0, -32 -> addi a0, zero, -32 */
    {0x4ffd, 0x01f00f93}, /* c.li t6, 31 -> addi t6, zero, 31 */
    {0x7101, 0xe0010113}, /* c.addi16sp sp, -512 -> addi sp, sp, -512 */
    {0x617d, 0x1f010113}, /* c.addi16sp sp, 496 -> addi sp, sp, 496 */
    {0x6141, 0x01010113}, /* c.addi16sp sp, 16 -> addi sp, sp, 16 */
    {0x7501, 0xfffe0537}, /* c.lui a0, 0xfffe0 -> lui a0, 0xfffe0 */
    {0x62fd, 0x0001f2b7}, /* c.lui t0, 31 -> lui t0, 31 */
    {0x6485, 0x000014b7}, /* c.lui s1, 1 -> lui s1, 1 */
    {0x917d, 0x03f55513}, /* c.srli a0, 63 -> srli a0, a0, 63 */
    {0x8085, 0x0014d493}, /* c.srli s1, 1 -> srli s1, s1, 1 */
    {0x9781, 0x4207d793}, /* c.srai a5, 32 -> srai a5, a5, 32 */
    {0x8405, 0x40145413}, /* c.srai s0, 1 -> srai s0, s0, 1 */
    {0x997d, 0xfff57513}, /* c.andi a0, -1 -> andi a0, a0, -1 */
    {0x887d, 0x01f47413}, /* c.andi s0, 31 -> andi s0, s0, 31 */
    {0x8d0d, 0x40b50533}, /* c.sub a0, a1 -> sub a0, a0, a1 */
    {0x8c3d, 0x00f44433}, /* c.xor s0, a5 -> xor s0, s0, a5 */
    {0x8e55, 0x00d66633}, /* c.or a2, a3 -> or a2, a2, a3 */
    {0x8f65, 0x00977733}, /* c.and a4, s1 -> and a4, a4, s1 */
    {0x9d0d, 0x40b5053b}, /* c.subw a0, a1 -> subw a0, a0, a1 */
    {0x9fa1, 0x008787bb}, /* c.addw a5, s0 -> addw a5, a5, s0 */
    {0xb001, 0x801ff06f}, /* c.j -2048 -> jal zero, -2048 */
    {0xaffd, 0x7fe0006f}, /* c.j 2046 -> jal zero, 2046 */
    {0xab99, 0x5560006f}, /* c.j 1366 -> jal zero, 1366 */
    {0xd001, 0xf00400e3}, /* c.beqz s0, -256 -> beq s0, zero, -256 */
    {0xeffd, 0x0e079f63}, /* c.bnez a5, 254 -> bne a5, zero, 254 */
    {0xc54d, 0x0a050563}, /* c.beqz a0, 170 -> beq a0, zero, 170 */
    {0x157e, 0x03f51513}, /* c.slli a0, 63 -> slli a0, a0, 63 */
    {0x0286, 0x00129293}, /* c.slli t0, 1 -> slli t0, t0, 1 */
    {0x357e, 0x1f813507}, /* c.fldsp fa0, 504(sp) -> fld fa0, 504(sp) */
    {0x557e, 0x0fc12503}, /* c.lwsp a0, 252(sp) -> lw a0, 252(sp) */
    {0x4312, 0x00412303}, /* c.lwsp t1, 4(sp) -> lw t1, 4(sp) */
    {0x70fe, 0x1f813083}, /* c.ldsp ra, 504(sp) -> ld ra, 504(sp) */
    {0x6922, 0x00813903}, /* c.ldsp s2, 8(sp) -> ld s2, 8(sp) */
    {0x8082, 0x00008067}, /* c.jr ra -> jalr zero, 0(ra) */
    {0x8282, 0x00028067}, /* c.jr t0 -> jalr zero, 0(t0) */
    {0x9502, 0x000500e7}, /* c.jalr a0 -> jalr ra, 0(a0) */
    {0x852e, 0x00b00533}, /* c.mv a0, a1 -> add a0, zero, a1 */
    {0x8fee, 0x01b00fb3}, /* c.mv t6, s11 -> add t6, zero, s11 */
    {0x952e, 0x00b50533}, /* c.add a0, a1 -> add a0, a0, a1 */
    {0x9002, 0x00100073}, /* c.ebreak -> ebreak */
    {0xbfa6, 0x1e913c27}, /* c.fsdsp fs1, 504(sp) -> fsd fs1, 504(sp) */
    {0xdfaa, 0x0ea12e23}, /* c.swsp a0, 252(sp) -> sw a0, 252(sp) */
    {0xc21e, 0x00712223}, /* c.swsp t2, 4(sp) -> sw t2, 4(sp) */
    {0xff86, 0x1e113c23}, /* c.sdsp ra, 504(sp) -> sd ra, 504(sp) */
    {0xe44e, 0x01313423}, /* c.sdsp s3, 8(sp) -> sd s3, 8(sp) */
};

/* 16.8 tables 16.4-16.6: the expansions */
static void test_expansions_match_llvm_16_8(void **state)
{
    struct rvt *t = *state;
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        uint32_t w = rv_rvc_expand(t->h, pairs[i].c);
        if (w != pairs[i].w)
            fail_msg("parcel %#06x expands to %#010x, expected %#010x", pairs[i].c, w, pairs[i].w);
    }
}

/* Every table row is reached by at least one pair above */
static void test_every_row_covered(void **state)
{
    struct rvt *t = *state;
    bool seen[RVC_COUNT] = {0};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        int row = rv_rvc_decode(t->h, pairs[i].c);
        assert_true(row >= 0);
        seen[row] = true;
    }
    for (unsigned i = 0; i < RVC_COUNT; i++)
        if (!seen[i]) fail_msg("%s has no test pair", rvc_table[i].mnemonic);
}

/* rvc.def: an earlier row that overlaps a later one is a strict refinement of it (its mask
 * contains the later mask and its match agrees under the later mask); quadrant 3 is not C. */
static void test_table_overlaps_are_refinements(void **state)
{
    (void)state;
    for (unsigned i = 0; i < RVC_COUNT; i++) {
        const struct rvc_info *a = &rvc_table[i];
        assert_int_equal(a->match & ~a->mask, 0);
        assert_int_not_equal(a->match & 3, 3);
        for (unsigned j = i + 1; j < RVC_COUNT; j++) {
            const struct rvc_info *b = &rvc_table[j];
            uint16_t common = a->mask & b->mask;
            if ((a->match ^ b->match) & common) continue; /* disjoint */
            if ((a->mask & b->mask) != b->mask || a->mask == b->mask)
                fail_msg("%s overlaps %s without refining it", a->mnemonic, b->mnemonic);
        }
    }
}

/* 16.2-16.6: reserved encodings are illegal instructions, tval = the 16-bit parcel */
static void test_reserved_encodings_illegal_16(void **state)
{
    struct rvt *t = *state;
    static const uint16_t reserved[] = {
        0x0000,         /* all zeros: defined illegal */
        0x0004,         /* c.addi4spn nzuimm = 0 */
        0x8000,         /* quadrant 0 funct3 100 */
        0x2005,         /* c.addiw rd = 0 */
        0x6101,         /* c.addi16sp nzimm = 0 */
        0x6501,         /* c.lui nzimm = 0 */
        0x9c41,         /* reserved in the c.subw/c.addw group */
        0x9c61, 0x4002, /* c.lwsp rd = 0 */
        0x6002,         /* c.ldsp rd = 0 */
        0x8002,         /* c.jr rs1 = 0 */
    };
    rvt_set_csr(t, RV_CSR_mtvec, RVT_BASE + 0x800);
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        assert_int_equal(rv_rvc_expand(t->h, reserved[i]), 0);
        t->h->pc = RVT_BASE;
        rvt_put32(t, RVT_BASE, reserved[i]);
        assert_int_equal(rv_step(t->h), RV_STEP_EXCEPTION);
        assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_ILLEGAL);
        assert_int_equal(rvt_csr(t, RV_CSR_mtval), reserved[i]);
    }
    /* c.fld expands to fld, which is illegal while mstatus.FS = Off (priv. 3.1.6.6; FS resets to
     * Off): the tval is the 16-bit parcel */
    t->h->pc = RVT_BASE;
    rvt_put32(t, RVT_BASE, 0x3ffc);
    assert_int_equal(rv_step(t->h), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), 0x3ffc);
}

/* 16.1: compressed instructions advance pc by 2; c.jalr links pc + 2; 32-bit instructions may
 * sit at 2-byte aligned addresses */
static void test_compressed_execution_16_1(void **state)
{
    struct rvt *t = *state;
    /* c.li a0, 5; c.addi a0, -1; addi a1, a0, 100 (at +4, 4 bytes); c.jalr a2; */
    uint8_t code[] = {0x15, 0x45, 0x7d, 0x15, 0x93, 0x05, 0x45, 0x06, 0x02, 0x96};
    assert_int_equal(bus_copy_to_ram(&t->m.bus, RVT_BASE, code, sizeof code), 0);
    t->h->x[12] = RVT_BASE + 0x40;
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->pc, RVT_BASE + 2);
    assert_int_equal(t->h->x[10], 5);
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[10], 4);
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->pc, RVT_BASE + 8);
    assert_int_equal(t->h->x[11], 104);
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->pc, RVT_BASE + 0x40);
    assert_int_equal(t->h->x[1], RVT_BASE + 10);
    assert_int_equal(t->m.events.count[EV_INSN], 4);
}

/* A 32-bit instruction whose second parcel lies outside RAM: instruction access fault with the
 * address of that parcel in tval (priv. 3.1.16 allows the portion's address), epc = pc */
static void test_fetch_fault_second_parcel(void **state)
{
    struct rvt *t = *state;
    uint64_t last = RVT_BASE + RVT_RAM - 2;
    uint16_t lo = 0x0513; /* first half of addi a0, ... */
    assert_int_equal(bus_copy_to_ram(&t->m.bus, last, &lo, 2), 0);
    rvt_set_csr(t, RV_CSR_mtvec, RVT_BASE + 0x800);
    t->h->pc = last;
    assert_int_equal(rv_step(t->h), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_INSN_ACCESS);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), last + 2);
    assert_int_equal(rvt_csr(t, RV_CSR_mepc), last);
}

/* 16.4: c.ebreak is ebreak (cause 3, tval = pc) */
static void test_c_ebreak_16_4(void **state)
{
    struct rvt *t = *state;
    rvt_put32(t, RVT_BASE, 0x9002);
    assert_int_equal(rv_step(t->h), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_BREAKPOINT);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), RVT_BASE);
}

#define T(f) cmocka_unit_test_setup_teardown(f, rvt_setup, rvt_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_expansions_match_llvm_16_8),
        T(test_every_row_covered),
        T(test_table_overlaps_are_refinements),
        T(test_reserved_encodings_illegal_16),
        T(test_compressed_execution_16_1),
        T(test_fetch_fault_second_parcel),
        T(test_c_ebreak_16_4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
