/* String instructions with REP/REPE/REPNE and DF (SDM Vol. 1 7.3.9; Vol. 2B MOVS, CMPS, STOS,
 * LODS, SCAS, REP/REPE/REPZ/REPNE/REPNZ). */
#include "x86/helpers.h"

#define SRC 0x20000u
#define DST 0x30000u

static x86_status run(struct xt *t)
{
    return x86_step(t->cpu);
}

/* rep movsd copies ECX doublewords upwards and leaves ECX = 0; one instruction retires. */
static void test_rep_movs(void **state)
{
    struct xt *t = *state;
    for (unsigned i = 0; i < 4; i++)
        xt_write(t->cpu, SRC + 4 * i, 4, 0x1000 + i);
    t->cpu->gpr[X86_RSI] = SRC;
    t->cpu->gpr[X86_RDI] = DST;
    t->cpu->gpr[X86_RCX] = 4;
    XT_CODE(t->cpu, 0xf3, 0xa5); /* rep movsd */
    assert_int_equal(run(t), X86_OK);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(xt_read(t->cpu, DST + 4 * i, 4), 0x1000 + i);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0);
    assert_int_equal(t->cpu->gpr[X86_RSI], SRC + 16);
    assert_int_equal(t->cpu->gpr[X86_RDI], DST + 16);
    assert_int_equal(t->m.insns, 1);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 2);
}

/* With DF = 1 the indexes step down; movsb without REP moves one byte. */
static void test_movsb_backwards(void **state)
{
    struct xt *t = *state;
    xt_write(t->cpu, SRC, 1, 0x5a);
    t->cpu->rflags |= X86_DF;
    t->cpu->gpr[X86_RSI] = SRC;
    t->cpu->gpr[X86_RDI] = DST;
    t->cpu->gpr[X86_RCX] = 7;
    XT_CODE(t->cpu, 0xa4); /* movsb */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, DST, 1), 0x5a);
    assert_int_equal(t->cpu->gpr[X86_RSI], SRC - 1);
    assert_int_equal(t->cpu->gpr[X86_RDI], DST - 1);
    assert_int_equal(t->cpu->gpr[X86_RCX], 7);
}

/* REP with ECX = 0 does nothing at all. */
static void test_rep_zero_count(void **state)
{
    struct xt *t = *state;
    xt_write(t->cpu, DST, 4, 0x77);
    t->cpu->gpr[X86_RDI] = DST;
    t->cpu->gpr[X86_RCX] = 0;
    t->cpu->gpr[X86_RAX] = 0x99;
    XT_CODE(t->cpu, 0xf3, 0xab); /* rep stosd */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, DST, 4), 0x77);
    assert_int_equal(t->cpu->gpr[X86_RDI], DST);
}

/* rep stosw fills words; lodsb loads AL. */
static void test_stos_lods(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RDI] = DST;
    t->cpu->gpr[X86_RCX] = 3;
    t->cpu->gpr[X86_RAX] = 0xbeef;
    XT_CODE(t->cpu, 0x66, 0xf3, 0xab, 0xac); /* rep stosw; lodsb */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, DST, 4), 0xbeefbeef);
    assert_int_equal(xt_read(t->cpu, DST + 4, 4), 0xbeef);
    assert_int_equal(t->cpu->gpr[X86_RDI], DST + 6);
    t->cpu->gpr[X86_RSI] = DST + 1;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xbebe);
    assert_int_equal(t->cpu->gpr[X86_RSI], DST + 2);
}

/* repe cmpsb stops at the first difference, with the flags of that comparison. */
static void test_repe_cmps(void **state)
{
    struct xt *t = *state;
    bus_copy_to_ram(&t->m.bus, SRC, "abcX", 4);
    bus_copy_to_ram(&t->m.bus, DST, "abcd", 4);
    t->cpu->gpr[X86_RSI] = SRC;
    t->cpu->gpr[X86_RDI] = DST;
    t->cpu->gpr[X86_RCX] = 10;
    XT_CODE(t->cpu, 0xf3, 0xa6); /* repe cmpsb */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RCX], 6);
    assert_int_equal(t->cpu->gpr[X86_RSI], SRC + 4);
    /* 'X' (0x58) - 'd' (0x64) = 0xF4: CF SF, AF (8 - 4 no borrow? 0x8 - 0x4: no) */
    assert_int_equal(XT_ARITH(t->cpu), X86_CF | X86_SF);
}

/* repne scasb finds a byte: ECX counts what was scanned, ZF = 1. */
static void test_repne_scas(void **state)
{
    struct xt *t = *state;
    bus_copy_to_ram(&t->m.bus, DST, "hello\0", 6);
    t->cpu->gpr[X86_RDI] = DST;
    t->cpu->gpr[X86_RCX] = 0xffffffffu;
    t->cpu->gpr[X86_RAX] = 0;
    XT_CODE(t->cpu, 0xf2, 0xae); /* repne scasb */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RDI], DST + 6);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0xffffffffu - 6);
    assert_int_equal(XT_ARITH(t->cpu) & X86_ZF, X86_ZF);
}

/* A fault in the middle of rep movs keeps the progress made and RIP at the instruction, so it
 * restarts where it stopped (SDM Vol. 2B REP). */
static void test_rep_fault_keeps_progress(void **state)
{
    struct xt *t = *state;
    struct x86_seg es = t->cpu->seg[X86_ES];
    x86_set_seg(t->cpu, X86_ES, es.sel, 0, DST + 7, es.attr & ~(uint32_t)X86_SEG_G);
    t->cpu->gpr[X86_RSI] = SRC;
    t->cpu->gpr[X86_RDI] = DST;
    t->cpu->gpr[X86_RCX] = 4;
    XT_CODE(t->cpu, 0xf3, 0xa5); /* rep movsd: the third store is past ES.limit */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    assert_int_equal(t->cpu->gpr[X86_RCX], 2);
    assert_int_equal(t->cpu->gpr[X86_RDI], DST + 8);
    assert_int_equal(t->m.insns, 0);
}

/* A port that serves an incrementing byte stream and records what is written. */
struct stream_port {
    uint8_t next;
    uint8_t got[16];
    unsigned n;
};
static enum bus_status sp_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    struct stream_port *p = dev;
    (void)offset;
    (void)size;
    *value = p->next++;
    return BUS_OK;
}
static enum bus_status sp_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct stream_port *p = dev;
    (void)offset;
    (void)size;
    if (p->n < sizeof p->got) p->got[p->n++] = (uint8_t)value;
    return BUS_OK;
}
static const struct bus_ops sp_ops = {sp_read, sp_write};

/* rep insb / rep outsb (SDM Vol. 2A INS, Vol. 2B OUTS): DX is the port; CPL > IOPL is #GP(0). */
static void test_ins_outs(void **state)
{
    struct xt *t = *state;
    struct stream_port port = {.next = 0x40};
    struct bus_region region = {"stream", 0x300, 1, &sp_ops, &port};
    char err[128];
    assert_int_equal(bus_add_ports(&t->m.bus, &region, err, sizeof err), 0);
    t->cpu->gpr[X86_RDX] = 0x300;
    t->cpu->gpr[X86_RDI] = DST;
    t->cpu->gpr[X86_RCX] = 3;
    XT_CODE(t->cpu, 0xf3, 0x6c, 0xf3, 0x6e); /* rep insb; rep outsb */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, DST, 4), 0x00424140);
    assert_int_equal(t->cpu->gpr[X86_RDI], DST + 3);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0);
    t->cpu->gpr[X86_RSI] = DST + 1;
    t->cpu->gpr[X86_RCX] = 2;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(port.n, 2);
    assert_int_equal(port.got[0], 0x41);
    assert_int_equal(port.got[1], 0x42);
    assert_int_equal(t->cpu->gpr[X86_RSI], DST + 3);
    /* CPL 3 > IOPL with a TSS whose I/O map base lies at its limit (no map): #GP(0) (SDM Vol. 1
     * 19.5.2) */
    t->cpu->tr.base = XT_TSS;
    t->cpu->tr.limit = 0x67;
    xt_write(t->cpu, XT_TSS + 102, 2, 0x68);
    xt_enter_user(t->cpu);
    t->cpu->rip = XT_CODE_ADDR;
    t->cpu->gpr[X86_RCX] = 1;
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    assert_int_equal(port.next, 0x43); /* no port read happened */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_rep_movs),
        T(test_movsb_backwards),
        T(test_rep_zero_count),
        T(test_stos_lods),
        T(test_repe_cmps),
        T(test_repne_scas),
        T(test_rep_fault_keeps_progress),
        T(test_ins_outs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
