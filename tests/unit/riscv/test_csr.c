/* CSRs: the table (csr.def), the Zicsr access rules (unpriv. spec 9.1) and each CSR's WARL and
 * privilege rules (priv. spec chapters 2, 3.1, 4.1). */
#include "riscv/helpers.h"

#define HANDLER (RVT_BASE + 0x800)

static int csr_setup(void **state)
{
    int rc = rvt_setup(state);
    struct rvt *t = *state;
    rvt_set_csr(t, RV_CSR_mtvec, HANDLER);
    return rc;
}

/* Executes word at RVT_BASE in the current mode; returns what happened. */
static enum rv_step_result run(struct rvt *t, uint32_t word)
{
    t->h->pc = RVT_BASE;
    return rvt_exec(t, word);
}

static void assert_illegal(struct rvt *t, uint32_t word)
{
    uint64_t x5 = t->h->x[5];
    unsigned priv = t->h->priv;
    assert_int_equal(run(t, word), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_ILLEGAL);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), word); /* priv. spec 3.1.16 */
    assert_int_equal(rvt_csr(t, RV_CSR_mepc), RVT_BASE);
    assert_int_equal(t->h->x[5], x5); /* rd untouched */
    rvt_set_priv(t, priv);
}

/* Writes v through csrrw x5, csr, x6 in M-mode and returns the value read back. */
static uint64_t write_read(struct rvt *t, unsigned csr, uint64_t v)
{
    t->h->x[6] = v;
    assert_int_equal(run(t, CSRRW(5, csr, 6)), RV_STEP_RETIRED);
    assert_int_equal(run(t, CSRRS(5, csr, 0)), RV_STEP_RETIRED);
    return t->h->x[5];
}

/* Priv. spec 2.1: bits 11:10 = 3 mean read-only, bits 9:8 the lowest privilege. The table agrees,
 * numbers and names are unique, and lookup finds every row. */
static void test_table_matches_number_encoding_2_1(void **state)
{
    (void)state;
    size_t n;
    const struct rv_csr_info *tab = rv_csr_table(&n);
    assert_true(n > 100);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(tab[i].read_only, ((tab[i].number >> 10) & 3) == 3);
        assert_int_equal(tab[i].priv, (tab[i].number >> 8) & 3);
        assert_ptr_equal(rv_csr_lookup(tab[i].number), &tab[i]);
        if (tab[i].read_only) assert_int_equal(tab[i].write_mask, 0);
        for (size_t j = i + 1; j < n; j++) {
            assert_int_not_equal(tab[i].number, tab[j].number);
            assert_string_not_equal(tab[i].name, tab[j].name);
        }
    }
    assert_string_equal(rv_csr_lookup(0x300)->name, "mstatus");
    assert_null(rv_csr_lookup(0x3a1)); /* pmpcfg1 does not exist on RV64 (priv. 3.7.1) */
    assert_null(rv_csr_lookup(0x7a0)); /* no debug triggers */
}

/* Unpriv. 9.1: CSRRS/CSRRC with rs1 = x0 and CSRRSI/CSRRCI with uimm = 0 do not write, so a
 * read-only CSR does not fault; every real write to it does (priv. 2.1). */
static void test_read_only_faults_only_on_write_9_1(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(run(t, CSRRS(5, RV_CSR_mvendorid, 0)), RV_STEP_RETIRED);
    assert_int_equal(run(t, CSRRC(5, RV_CSR_mhartid, 0)), RV_STEP_RETIRED);
    assert_int_equal(run(t, CSRRSI(5, RV_CSR_mimpid, 0)), RV_STEP_RETIRED);
    assert_int_equal(run(t, CSRRCI(5, RV_CSR_marchid, 0)), RV_STEP_RETIRED);
    assert_int_equal(run(t, CSRRS(5, RV_CSR_cycle, 0)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[5], rvt_csr(t, RV_CSR_mcycle) - 1);
    t->h->x[5] = 0x55;
    t->h->x[6] = 0;
    assert_illegal(t, CSRRS(5, RV_CSR_mhartid, 6)); /* rs1 != x0, even if its value is 0 */
    assert_illegal(t, CSRRW(0, RV_CSR_mhartid, 0)); /* csrrw always writes */
    assert_illegal(t, CSRRWI(5, RV_CSR_mvendorid, 0));
    assert_illegal(t, CSRRSI(5, RV_CSR_instret, 1));
    assert_illegal(t, CSRRCI(5, RV_CSR_cycle, 1));
}

/* Unpriv. 9.1: CSRRW reads the old value into rd; CSRRS/CSRRC set/clear the bits of rs1;
 * the immediate forms use the 5-bit zero-extended uimm. */
static void test_csr_instruction_semantics_9_1(void **state)
{
    struct rvt *t = *state;
    t->h->x[6] = 0x1234;
    assert_int_equal(run(t, CSRRW(5, RV_CSR_mscratch, 6)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[5], 0);
    t->h->x[6] = 0xff00;
    assert_int_equal(run(t, CSRRS(5, RV_CSR_mscratch, 6)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[5], 0x1234);
    t->h->x[6] = 0x0f0f;
    assert_int_equal(run(t, CSRRC(5, RV_CSR_mscratch, 6)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[5], 0xff34);
    assert_int_equal(run(t, CSRRWI(5, RV_CSR_mscratch, 31)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[5], 0xf030);
    assert_int_equal(run(t, CSRRCI(5, RV_CSR_mscratch, 1)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[5], 31);
    assert_int_equal(run(t, CSRRSI(5, RV_CSR_mscratch, 0x10)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[5], 30);
    assert_int_equal(rvt_csr(t, RV_CSR_mscratch), 30);
    /* rd = rs1: the old value lands in rd, the new value came from rs1 before */
    t->h->x[7] = 99;
    assert_int_equal(run(t, CSRRW(7, RV_CSR_mscratch, 7)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[7], 30);
    assert_int_equal(rvt_csr(t, RV_CSR_mscratch), 99);
}

/* Priv. 2.1 / 3.1.6.x: access below a CSR's privilege, and nonexistent CSRs, are illegal */
static void test_privilege_and_existence_2_1(void **state)
{
    struct rvt *t = *state;
    assert_illegal(t, CSRRS(5, 0x7a0, 0)); /* tselect: not implemented */
    assert_illegal(t, CSRRS(5, 0x3a1, 0)); /* pmpcfg1: RV32 only */
    assert_illegal(t, CSRRS(5, 0x001, 0)); /* fflags: no F yet */
    rvt_set_priv(t, RV_PRIV_S);
    assert_illegal(t, CSRRS(5, RV_CSR_mstatus, 0));
    assert_illegal(t, CSRRS(5, RV_CSR_mscratch, 0));
    assert_int_equal(rvt_csr(t, RV_CSR_mstatus) & RV_MSTATUS_MPP, 1ull << 11); /* from S */
    rvt_set_priv(t, RV_PRIV_S);
    assert_int_equal(run(t, CSRRS(5, RV_CSR_sscratch, 0)), RV_STEP_RETIRED);
    rvt_set_priv(t, RV_PRIV_U);
    assert_illegal(t, CSRRS(5, RV_CSR_sstatus, 0));
    rvt_set_priv(t, RV_PRIV_U);
    assert_illegal(t, CSRRS(5, RV_CSR_satp, 0));
}

/* Priv. 3.1.6: mstatus WARL. UXL = SXL = 2 read-only; FS writable, XS read-only 0, SD = (FS ==
 * Dirty) (3.1.6.6);
 * MPP = 2 (reserved) becomes U; MIE, MPIE, SIE, SPIE, SPP, MPRV, SUM, MXR, TVM, TW, TSR write. */
static void test_mstatus_warl_3_1_6(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(rvt_csr(t, RV_CSR_mstatus), (2ull << 32) | (2ull << 34)); /* reset */
    uint64_t all = write_read(t, RV_CSR_mstatus, UINT64_MAX);
    assert_int_equal(all, RV_MSTATUS_WMASK | RV_MSTATUS_FIXED | RV_MSTATUS_SD);
    /* SD follows FS: a direct write to SD is ignored */
    assert_int_equal(write_read(t, RV_CSR_mstatus, RV_MSTATUS_SD | (2ull << 13)),
                     RV_MSTATUS_FIXED | (2ull << 13));
    assert_int_equal(write_read(t, RV_CSR_mstatus, 2ull << 11) & RV_MSTATUS_MPP, 0);
    assert_int_equal(write_read(t, RV_CSR_mstatus, 1ull << 11) & RV_MSTATUS_MPP, 1ull << 11);
    assert_int_equal(write_read(t, RV_CSR_mstatus, 0), RV_MSTATUS_FIXED);
    /* UXL/SXL cannot be changed */
    assert_int_equal(write_read(t, RV_CSR_mstatus, 1ull << 32) & (0xfull << 32), 0xaull << 32);
}

/* Priv. 4.1.1: sstatus is a restricted view of mstatus */
static void test_sstatus_view_4_1_1(void **state)
{
    struct rvt *t = *state;
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_MIE | RV_MSTATUS_TSR | RV_MSTATUS_SIE);
    assert_int_equal(rvt_csr(t, RV_CSR_sstatus), RV_MSTATUS_SIE | (2ull << 32));
    uint64_t v = write_read(t, RV_CSR_sstatus, UINT64_MAX);
    assert_int_equal(v, RV_SSTATUS_WMASK | (2ull << 32) | RV_MSTATUS_SD); /* FS = Dirty: SD */
    /* M-only fields survive a full sstatus write */
    assert_int_equal(rvt_csr(t, RV_CSR_mstatus), RV_MSTATUS_MIE | RV_MSTATUS_TSR |
                                                     RV_SSTATUS_WMASK | RV_MSTATUS_FIXED |
                                                     RV_MSTATUS_SD);
    write_read(t, RV_CSR_sstatus, 0);
    assert_int_equal(rvt_csr(t, RV_CSR_mstatus),
                     RV_MSTATUS_MIE | RV_MSTATUS_TSR | RV_MSTATUS_FIXED);
}

/* Priv. 3.1.1-3.1.5, 3.1.17: misa (read-only here: writes ignored), ids read 0 */
static void test_misa_and_ids_3_1_1(void **state)
{
    struct rvt *t = *state;
    uint64_t misa = rvt_csr(t, RV_CSR_misa);
    assert_int_equal(misa >> 62, 2);
    assert_true(misa & RV_MISA_EXT('I'));
    assert_true(misa & RV_MISA_EXT('M'));
    assert_true(misa & RV_MISA_EXT('S'));
    assert_true(misa & RV_MISA_EXT('U'));
    assert_true(misa & RV_MISA_EXT('C'));
    assert_false(misa & RV_MISA_EXT('E'));
    assert_int_equal(write_read(t, RV_CSR_misa, 0), misa);
    static const unsigned ids[] = {RV_CSR_mvendorid, RV_CSR_marchid, RV_CSR_mimpid, RV_CSR_mhartid,
                                   RV_CSR_mconfigptr};
    for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(run(t, CSRRS(5, ids[i], 0)), RV_STEP_RETIRED);
        assert_int_equal(t->h->x[5], 0);
    }
}

/* Priv. 3.1.8: medeleg (ecall from M read-only 0), mideleg (S interrupts only) */
static void test_delegation_registers_3_1_8(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(write_read(t, RV_CSR_medeleg, UINT64_MAX), 0xb3ff);
    assert_int_equal(write_read(t, RV_CSR_mideleg, UINT64_MAX), 0x222);
}

/* Priv. 3.1.9 / 4.1.3: mie, mip and the sie/sip views */
static void test_mie_mip_sie_sip_3_1_9(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(write_read(t, RV_CSR_mie, UINT64_MAX), 0xaaa);
    /* mip: SSIP, STIP, SEIP writable by M; MSIP/MTIP follow the CLINT lines */
    assert_int_equal(write_read(t, RV_CSR_mip, UINT64_MAX), 0x222);
    machine_set_irq(&t->m, 7, true);
    assert_int_equal(write_read(t, RV_CSR_mip, 0), 0x80);
    machine_set_irq(&t->m, 3, true);
    assert_int_equal(rvt_csr(t, RV_CSR_mip), 0x88);
    machine_set_irq(&t->m, 10, true); /* a PLIC line, not a mip bit */
    assert_int_equal(rvt_csr(t, RV_CSR_mip), 0x88);
    machine_set_irq(&t->m, 3, false);
    machine_set_irq(&t->m, 7, false);
    /* nothing delegated: sie and sip read 0 and ignore writes */
    assert_int_equal(write_read(t, RV_CSR_sie, UINT64_MAX), 0);
    assert_int_equal(write_read(t, RV_CSR_sip, UINT64_MAX), 0);
    rvt_set_csr(t, RV_CSR_mip, 0x222);
    assert_int_equal(rvt_csr(t, RV_CSR_sip), 0);
    /* SSI and STI delegated */
    rvt_set_csr(t, RV_CSR_mideleg, 0x22);
    assert_int_equal(rvt_csr(t, RV_CSR_sip), 0x22);
    assert_int_equal(rvt_csr(t, RV_CSR_sie), 0x22); /* mie is 0xaaa */
    assert_int_equal(write_read(t, RV_CSR_sie, 0), 0);
    assert_int_equal(rvt_csr(t, RV_CSR_mie), 0xaaa & ~0x22ull);
    assert_int_equal(write_read(t, RV_CSR_sip, 0), 0x20); /* only SSIP is writable via sip */
    assert_int_equal(rvt_csr(t, RV_CSR_mip), 0x220);
}

/* Priv. 3.1.7 / 4.1.2: tvec MODE 0 and 1; reserved modes: the write is ignored (WARL) */
static void test_tvec_modes_3_1_7(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(write_read(t, RV_CSR_mtvec, 0x80001001), 0x80001001);
    assert_int_equal(write_read(t, RV_CSR_mtvec, 0x80002002), 0x80001001);
    assert_int_equal(write_read(t, RV_CSR_mtvec, 0x80002003), 0x80001001);
    assert_int_equal(write_read(t, RV_CSR_mtvec, 0x80002000), 0x80002000);
    assert_int_equal(write_read(t, RV_CSR_stvec, 0x80003001), 0x80003001);
    assert_int_equal(write_read(t, RV_CSR_stvec, 0x80004002), 0x80003001);
}

/* Priv. 3.1.14-3.1.16, 4.1.7-4.1.9: xepc bit 0 zero (IALIGN = 16), xcause WLRL, scratch, tval */
static void test_epc_cause_scratch_tval_3_1_14(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(write_read(t, RV_CSR_mepc, UINT64_MAX), ~1ull);
    assert_int_equal(write_read(t, RV_CSR_sepc, 0x80000007), 0x80000006);
    assert_int_equal(write_read(t, RV_CSR_mcause, UINT64_MAX), 0x800000000000003full);
    assert_int_equal(write_read(t, RV_CSR_scause, 13), 13);
    assert_int_equal(write_read(t, RV_CSR_mtval, UINT64_MAX), UINT64_MAX);
    assert_int_equal(write_read(t, RV_CSR_stval, 0x1234), 0x1234);
    assert_int_equal(write_read(t, RV_CSR_sscratch, UINT64_MAX), UINT64_MAX);
}

/* Priv. 4.1.11: satp Bare accepted; an unsupported MODE makes the whole write have no effect;
 * a write emits EV_TLB_FLUSH and EV_SYSREG. 3.1.6.5: TVM makes satp illegal in S-mode. */
static void test_satp_modes_and_tvm_4_1_11(void **state)
{
    struct rvt *t = *state;
    uint64_t flushes = t->m.events.count[EV_TLB_FLUSH];
    uint64_t sysregs = t->m.events.count[EV_SYSREG];
    assert_int_equal(write_read(t, RV_CSR_satp, 0x0000123400005678ull), 0x0000123400005678ull);
    assert_int_equal(t->m.events.count[EV_TLB_FLUSH], flushes + 1);
    assert_int_equal(t->m.events.count[EV_SYSREG], sysregs + 1);
    assert_int_equal(write_read(t, RV_CSR_satp, (9ull << 60) | 5),
                     0x0000123400005678ull); /* Sv48 */
    assert_int_equal(write_read(t, RV_CSR_satp, (1ull << 60) | 5), 0x0000123400005678ull);
    rvt_set_priv(t, RV_PRIV_S);
    assert_int_equal(run(t, CSRRS(5, RV_CSR_satp, 0)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[5], 0x0000123400005678ull);
    rvt_set_csr(t, RV_CSR_mstatus, RV_MSTATUS_TVM);
    assert_illegal(t, CSRRS(5, RV_CSR_satp, 0));
    rvt_set_priv(t, RV_PRIV_M); /* TVM does not apply to M */
    assert_int_equal(run(t, CSRRS(5, RV_CSR_satp, 0)), RV_STEP_RETIRED);
}

/* Priv. 3.1.11, 4.1.5: cycle/time/instret from S need the mcounteren bit, from U both
 * mcounteren and scounteren; M always may read them. */
static uint64_t fake_timer(void *dev)
{
    (void)dev;
    return 4242;
}

static void test_counter_enables_3_1_11(void **state)
{
    struct rvt *t = *state;
    t->m.read_timer = fake_timer;
    static const unsigned ctr[] = {RV_CSR_cycle, RV_CSR_time, RV_CSR_instret, RV_CSR_hpmcounter3};
    for (unsigned i = 0; i < 4; i++) {
        unsigned bit = 1u << (ctr[i] & 31);
        rvt_set_csr(t, RV_CSR_mcounteren, 0);
        rvt_set_csr(t, RV_CSR_scounteren, UINT64_MAX);
        rvt_set_priv(t, RV_PRIV_S);
        assert_illegal(t, CSRRS(5, ctr[i], 0));
        rvt_set_priv(t, RV_PRIV_U);
        assert_illegal(t, CSRRS(5, ctr[i], 0));
        rvt_set_csr(t, RV_CSR_mcounteren, bit);
        rvt_set_csr(t, RV_CSR_scounteren, 0);
        rvt_set_priv(t, RV_PRIV_S);
        assert_int_equal(run(t, CSRRS(5, ctr[i], 0)), RV_STEP_RETIRED);
        rvt_set_priv(t, RV_PRIV_U);
        assert_illegal(t, CSRRS(5, ctr[i], 0));
        rvt_set_csr(t, RV_CSR_scounteren, bit);
        rvt_set_priv(t, RV_PRIV_U);
        assert_int_equal(run(t, CSRRS(5, ctr[i], 0)), RV_STEP_RETIRED);
        rvt_set_priv(t, RV_PRIV_M);
    }
    assert_int_equal(run(t, CSRRS(5, RV_CSR_time, 0)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[5], 4242);
    assert_int_equal(run(t, CSRRS(5, RV_CSR_hpmcounter3, 0)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[5], 0);
    /* no platform timer: time traps */
    t->m.read_timer = NULL;
    assert_illegal(t, CSRRS(5, RV_CSR_time, 0));
    assert_int_equal(write_read(t, RV_CSR_mcounteren, UINT64_MAX), 0xffffffffull);
}

/* Priv. 3.1.10, unpriv. 10.1: minstret counts retired instructions; a write to it takes effect
 * after the writing instruction, which does not increment the written value. Same for mcycle
 * while a cycle is one retired instruction. */
static void test_minstret_write_suppresses_increment_3_1_10(void **state)
{
    struct rvt *t = *state;
    t->h->x[6] = 100;
    assert_int_equal(run(t, CSRRW(0, RV_CSR_minstret, 6)), RV_STEP_RETIRED);
    assert_int_equal(rvt_csr(t, RV_CSR_minstret), 100);
    assert_int_equal(run(t, CSRRS(5, RV_CSR_minstret, 0)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[5], 100); /* reads the count before itself */
    assert_int_equal(rvt_csr(t, RV_CSR_minstret), 101);
    assert_int_equal(rvt_csr(t, RV_CSR_instret), 101);
    t->h->x[6] = 500;
    assert_int_equal(run(t, CSRRW(0, RV_CSR_mcycle, 6)), RV_STEP_RETIRED);
    assert_int_equal(rvt_csr(t, RV_CSR_mcycle), 500);
    assert_int_equal(run(t, NOP), RV_STEP_RETIRED);
    assert_int_equal(rvt_csr(t, RV_CSR_cycle), 501);
    /* ecall does not retire: minstret unchanged (design.md counting rule) */
    uint64_t before = rvt_csr(t, RV_CSR_minstret);
    assert_int_equal(before, 103);
    assert_int_equal(run(t, ECALL), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_minstret), before);
    /* hpm counters and mcountinhibit are read-only zero */
    assert_int_equal(write_read(t, RV_CSR_mhpmcounter3, 7), 0);
    assert_int_equal(write_read(t, RV_CSR_mhpmevent31, 7), 0);
    assert_int_equal(write_read(t, RV_CSR_mcountinhibit, 5), 0);
}

/* Priv. 3.1.18, 4.1.10: envcfg WARL: only FIOM is implemented */
static void test_envcfg_warl_3_1_18(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(write_read(t, RV_CSR_menvcfg, UINT64_MAX), 1);
    assert_int_equal(write_read(t, RV_CSR_senvcfg, UINT64_MAX), 1);
    assert_int_equal(write_read(t, RV_CSR_menvcfg, 0), 0);
}

/* Priv. 3.7.1: PMP registers keep their WARL rules (reserved bits 0, R=0/W=1 reads W=0, pmpaddr
 * 54 bits, locked entries ignore writes), and a locked entry binds M too (enforcement: test_pmp) */
static void test_pmp_warl_3_7_1(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(write_read(t, RV_CSR_pmpcfg0, 0x0706050403020100ull), 0x0704050403000100ull);
    assert_int_equal(write_read(t, RV_CSR_pmpcfg0, 0x7f), 0x1f);
    assert_int_equal(write_read(t, RV_CSR_pmpaddr63, UINT64_MAX), (1ull << 54) - 1);
    /* lock entry 9 as TOR (L | A=TOR, no permissions): it and pmpaddr8 ignore writes */
    rvt_set_csr(t, RV_CSR_pmpaddr8, 0x100);
    assert_int_equal(write_read(t, RV_CSR_pmpcfg2, 0x8800ull), 0x8800ull);
    assert_int_equal(write_read(t, RV_CSR_pmpcfg2, 0x0707ull), 0x8807ull);
    assert_int_equal(write_read(t, RV_CSR_pmpaddr8, 0x200), 0x100);
    assert_int_equal(write_read(t, RV_CSR_pmpaddr9, 0x300), 0); /* entry 9 itself locked */
    assert_int_equal(write_read(t, RV_CSR_pmpaddr7, 0x300), 0x300);
    /* entry 0: locked NA4 without permissions at RVT_BASE + 0x100; entry 1: all, RWX. M may load
     * next to it, not from it (3.7.1.2: L makes the entry bind M-mode too) */
    rvt_set_csr(t, RV_CSR_pmpaddr0, (RVT_BASE + 0x100) >> 2);
    rvt_set_csr(t, RV_CSR_pmpaddr1, UINT64_MAX);
    rvt_set_csr(t, RV_CSR_pmpcfg0, 0x1f90); /* entry 0: L | NA4; entry 1: NAPOT | RWX */
    t->h->x[1] = RVT_BASE + 0x104;
    assert_int_equal(run(t, rvt_i(0, 1, 2, 3, OP_LOAD)), RV_STEP_RETIRED);
    t->h->x[1] = RVT_BASE + 0x100;
    assert_int_equal(run(t, rvt_i(0, 1, 2, 3, OP_LOAD)), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_LOAD_ACCESS);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), RVT_BASE + 0x100);
}

/* EV_SYSREG carries the CSR number, old and new value (design.md events) */
struct sysreg_seen {
    unsigned n;
    struct ev last;
};
static void on_sysreg(void *opaque, const struct ev *e)
{
    struct sysreg_seen *s = opaque;
    s->n++;
    s->last = *e;
}

static void test_sysreg_event(void **state)
{
    struct rvt *t = *state;
    struct sysreg_seen seen = {0};
    ev_subscribe(&t->m.events, EV_MASK(EV_SYSREG), on_sysreg, &seen);
    rvt_set_csr(t, RV_CSR_mscratch, 5);
    t->h->x[6] = 9;
    assert_int_equal(run(t, CSRRW(0, RV_CSR_mscratch, 6)), RV_STEP_RETIRED);
    assert_int_equal(run(t, CSRRS(5, RV_CSR_mscratch, 0)), RV_STEP_RETIRED); /* no write */
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.last.sysreg.number, RV_CSR_mscratch);
    assert_int_equal(seen.last.sysreg.old_value, 5);
    assert_int_equal(seen.last.sysreg.new_value, 9);
    assert_int_equal(seen.last.pc, RVT_BASE);
}

#define T(f) cmocka_unit_test_setup_teardown(f, csr_setup, rvt_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_table_matches_number_encoding_2_1),
        T(test_read_only_faults_only_on_write_9_1),
        T(test_csr_instruction_semantics_9_1),
        T(test_privilege_and_existence_2_1),
        T(test_mstatus_warl_3_1_6),
        T(test_sstatus_view_4_1_1),
        T(test_misa_and_ids_3_1_1),
        T(test_delegation_registers_3_1_8),
        T(test_mie_mip_sie_sip_3_1_9),
        T(test_tvec_modes_3_1_7),
        T(test_epc_cause_scratch_tval_3_1_14),
        T(test_satp_modes_and_tvm_4_1_11),
        T(test_counter_enables_3_1_11),
        T(test_minstret_write_suppresses_increment_3_1_10),
        T(test_envcfg_warl_3_1_18),
        T(test_pmp_warl_3_7_1),
        T(test_sysreg_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
