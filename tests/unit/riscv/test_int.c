/* RV64I integer instructions (unpriv. spec chapter 2 "RV32I" and chapter 5 "RV64I"). */
#include "riscv/helpers.h"

#define PC0 RVT_BASE

/* The test encoders against llvm-objdump's encodings (clang --target=riscv64, -march=rv64g). */
static void test_encoders_match_llvm(void **state)
{
    (void)state;
    assert_int_equal(rvt_r(0, 12, 11, 0, 10, OP_REG), 0x00c58533); /* add a0, a1, a2 */
    assert_int_equal(ADDI(5, 6, -2048), 0x80030293);               /* addi t0, t1, -2048 */
    assert_int_equal(rvt_s(-8, 9, 2, 3, OP_STORE), 0xfe913c23);    /* sd s1, -8(sp) */
    assert_int_equal(rvt_b(-4096, 11, 10, 0), 0x80b50063);         /* beq a0, a1, -4096 */
    assert_int_equal(rvt_b(4094, 11, 10, 1), 0x7eb51fe3);          /* bne a0, a1, 4094 */
    assert_int_equal(rvt_j(-1048576, 1), 0x800000ef);              /* jal ra, -1048576 */
    assert_int_equal(rvt_j(1048574, 1), 0x7ffff0ef);               /* jal ra, 1048574 */
    assert_int_equal(rvt_u(0xfffff, 15, 0x37), 0xfffff7b7);        /* lui a5, 0xfffff */
    assert_int_equal(CSRRW(10, 0x300, 11), 0x30059573);            /* csrrw a0, mstatus, a1 */
    assert_int_equal(CSRRSI(0, 0x104, 31), 0x104fe073);            /* csrsi sie, 31 */
    assert_int_equal(rvt_i(63, 10, 1, 10, OP_IMM), 0x03f51513);    /* slli a0, a0, 63 */
    assert_int_equal(rvt_i(0x400 | 31, 10, 5, 10, OP_IMM32), 0x41f5551b); /* sraiw a0, a0, 31 */
}

/* Runs one R-type op on a = x1, b = x2 into x3. */
static uint64_t op_rr(struct rvt *t, unsigned f7, unsigned f3, unsigned opcode, uint64_t a,
                      uint64_t b)
{
    t->h->pc = PC0;
    t->h->x[1] = a;
    t->h->x[2] = b;
    assert_int_equal(rvt_exec(t, rvt_r(f7, 2, 1, f3, 3, opcode)), RV_STEP_RETIRED);
    assert_int_equal(t->h->pc, PC0 + 4);
    return t->h->x[3];
}

static uint64_t op_ri(struct rvt *t, unsigned f3, unsigned opcode, uint64_t a, int32_t imm)
{
    t->h->pc = PC0;
    t->h->x[1] = a;
    assert_int_equal(rvt_exec(t, rvt_i(imm, 1, f3, 3, opcode)), RV_STEP_RETIRED);
    return t->h->x[3];
}

/* 2.4.1 register-immediate: ADDI/SLTI/SLTIU/XORI/ORI/ANDI sign-extend the 12-bit immediate */
static void test_alu_immediate_2_4_1(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(op_ri(t, 0, OP_IMM, 5, -7), (uint64_t)-2);
    assert_int_equal(op_ri(t, 0, OP_IMM, UINT64_MAX, 1), 0);
    assert_int_equal(op_ri(t, 2, OP_IMM, (uint64_t)-5, -4), 1); /* slti signed */
    assert_int_equal(op_ri(t, 2, OP_IMM, 3, -4), 0);
    assert_int_equal(op_ri(t, 3, OP_IMM, 5, -1), 1); /* sltiu: imm = 2^64 - 1 */
    assert_int_equal(op_ri(t, 3, OP_IMM, 0, 1), 1);  /* seqz idiom */
    assert_int_equal(op_ri(t, 3, OP_IMM, 1, 1), 0);
    assert_int_equal(op_ri(t, 4, OP_IMM, 0x0f0f, -1), ~0x0f0full); /* not */
    assert_int_equal(op_ri(t, 6, OP_IMM, 0x100, 0x0ff), 0x1ff);
    assert_int_equal(op_ri(t, 7, OP_IMM, UINT64_MAX, -2048), 0xfffffffffffff800ull);
}

/* 2.4.1 LUI/AUIPC: 20-bit upper immediate, sign-extended from bit 31 on RV64 (5.2) */
static void test_lui_auipc_sign_extend_5_2(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(rvt_exec(t, rvt_u(0x80000, 5, 0x37)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[5], 0xffffffff80000000ull);
    assert_int_equal(rvt_exec(t, rvt_u(0x7ffff, 5, 0x37)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[5], 0x7ffff000ull);
    uint64_t pc = t->h->pc;
    assert_int_equal(rvt_exec(t, rvt_u(0xfffff, 6, 0x17)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[6], pc - 0x1000);
}

/* 2.4.2 register-register ops */
static void test_alu_register_2_4_2(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(op_rr(t, 0, 0, OP_REG, UINT64_MAX, 2), 1);       /* add wraps */
    assert_int_equal(op_rr(t, 0x20, 0, OP_REG, 0, 1), UINT64_MAX);    /* sub */
    assert_int_equal(op_rr(t, 0, 2, OP_REG, (uint64_t)-1, 0), 1);     /* slt */
    assert_int_equal(op_rr(t, 0, 3, OP_REG, (uint64_t)-1, 0), 0);     /* sltu */
    assert_int_equal(op_rr(t, 0, 3, OP_REG, 0, 5), 1);                /* snez idiom */
    assert_int_equal(op_rr(t, 0, 4, OP_REG, 0xff00, 0x0ff0), 0xf0f0); /* xor */
    assert_int_equal(op_rr(t, 0, 6, OP_REG, 0xff00, 0x0ff0), 0xfff0); /* or */
    assert_int_equal(op_rr(t, 0, 7, OP_REG, 0xff00, 0x0ff0), 0x0f00); /* and */
}

/* 5.2: shifts use the low 6 bits of rs2 (5 for the W forms); at and past the width */
static void test_shifts_at_and_past_width_5_2(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(op_rr(t, 0, 1, OP_REG, 1, 63), 1ull << 63); /* sll */
    assert_int_equal(op_rr(t, 0, 1, OP_REG, 1, 64), 1);          /* 64 -> 0 */
    assert_int_equal(op_rr(t, 0, 1, OP_REG, 1, 65), 2);
    assert_int_equal(op_rr(t, 0, 5, OP_REG, 1ull << 63, 63), 1);             /* srl */
    assert_int_equal(op_rr(t, 0x20, 5, OP_REG, 1ull << 63, 63), UINT64_MAX); /* sra */
    assert_int_equal(op_rr(t, 0x20, 5, OP_REG, 1ull << 63, 127), UINT64_MAX);
    /* immediate shifts, shamt 63 */
    assert_int_equal(op_ri(t, 1, OP_IMM, 1, 63), 1ull << 63);
    assert_int_equal(op_ri(t, 5, OP_IMM, 1ull << 63, 63), 1);
    assert_int_equal(op_ri(t, 5, OP_IMM, 1ull << 63, 0x400 | 63), UINT64_MAX);
    /* W forms: 32-bit shift, result sign-extended */
    assert_int_equal(op_rr(t, 0, 1, OP_REG32, 1, 31), 0xffffffff80000000ull); /* sllw */
    assert_int_equal(op_rr(t, 0, 1, OP_REG32, 1, 32), 1);                     /* 32 -> 0 */
    assert_int_equal(op_rr(t, 0, 5, OP_REG32, 0xffffffff80000000ull, 31), 1); /* srlw */
    assert_int_equal(op_rr(t, 0, 5, OP_REG32, 0x80000000ull, 0), 0xffffffff80000000ull);
    assert_int_equal(op_rr(t, 0x20, 5, OP_REG32, 0x80000000ull, 31), UINT64_MAX); /* sraw */
    assert_int_equal(op_rr(t, 0x20, 5, OP_REG32, 0x1234580000000ull, 4), 0xfffffffff8000000ull);
    assert_int_equal(op_ri(t, 1, OP_IMM32, 0xffffffff00000001ull, 31), 0xffffffff80000000ull);
    assert_int_equal(op_ri(t, 5, OP_IMM32, 0x80000000ull, 31), 1);                  /* srliw */
    assert_int_equal(op_ri(t, 5, OP_IMM32, 0x80000000ull, 0x400 | 31), UINT64_MAX); /* sraiw */
}

/* 5.2: a W-form immediate shift with insn[25] set is reserved: illegal instruction */
static void test_w_shift_imm_bit25_reserved_5_2(void **state)
{
    struct rvt *t = *state;
    uint32_t word = rvt_i(32, 1, 1, 3, OP_IMM32); /* slliw with shamt[5] = 1 */
    assert_int_equal(rvt_exec(t, word), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_ILLEGAL);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), word);
}

/* 5.2: ADDW/SUBW/ADDIW compute 32 bits and sign-extend; addiw rd, rs, 0 is sext.w */
static void test_w_forms_sign_extend_5_2(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(op_rr(t, 0, 0, OP_REG32, 0x7fffffff, 1), 0xffffffff80000000ull);
    assert_int_equal(op_rr(t, 0x20, 0, OP_REG32, 0x100000000ull, 1), UINT64_MAX);
    assert_int_equal(op_ri(t, 0, OP_IMM32, 0x12345678ffffffffull, 0), UINT64_MAX);
    assert_int_equal(op_ri(t, 0, OP_IMM32, 0x7fffffff, 1), 0xffffffff80000000ull);
}

/* 2.1: x0 is hardwired to zero; writes are discarded */
static void test_x0_writes_discarded_2_1(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(rvt_exec(t, ADDI(0, 0, 5)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[0], 0);
    assert_int_equal(rvt_exec(t, rvt_u(0x12345, 0, 0x37)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[0], 0);
    assert_int_equal(rvt_exec(t, ADDI(1, 0, 7)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[1], 7);
}

/* 2.5.1 JAL/JALR: link = pc + 4, JALR clears bit 0 of the target and reads rs1 before writing rd */
static void test_jal_jalr_2_5_1(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(rvt_exec(t, rvt_j(0x100, 1)), RV_STEP_RETIRED);
    assert_int_equal(t->h->pc, PC0 + 0x100);
    assert_int_equal(t->h->x[1], PC0 + 4);
    t->h->x[5] = PC0 + 0x201; /* bit 0 cleared */
    assert_int_equal(rvt_exec(t, rvt_i(-0x100, 5, 0, 5, 0x67)), RV_STEP_RETIRED); /* rd = rs1 */
    assert_int_equal(t->h->pc, PC0 + 0x100);
    assert_int_equal(t->h->x[5], PC0 + 0x104);
    assert_int_equal(rvt_exec(t, rvt_j(-0x100, 0)), RV_STEP_RETIRED); /* j: no link */
    assert_int_equal(t->h->pc, PC0);
    assert_int_equal(t->h->x[0], 0);
}

/* 2.5 and 16.1: with C, IALIGN = 16: a jump to a 2-byte aligned target is fine; JALR clears bit 0,
 * and branch/jump offsets are even, so no jump can raise instruction-address-misaligned. */
static void test_jump_targets_ialign16_2_5(void **state)
{
    struct rvt *t = *state;
    t->h->x[5] = PC0 + 0x103;
    assert_int_equal(rvt_exec(t, rvt_i(0, 5, 0, 1, 0x67)), RV_STEP_RETIRED);
    assert_int_equal(t->h->pc, PC0 + 0x102);
    assert_int_equal(t->h->x[1], PC0 + 4);
    t->h->pc = PC0;
    t->h->x[1] = 1;
    t->h->x[2] = 2;
    assert_int_equal(rvt_exec(t, rvt_b(6, 2, 1, 1)), RV_STEP_RETIRED); /* bne taken */
    assert_int_equal(t->h->pc, PC0 + 6);
    assert_int_equal(t->m.insns, 2);
}

/* 2.5.2 conditional branches: signed and unsigned compares, backward offsets */
static void test_branches_2_5_2(void **state)
{
    struct rvt *t = *state;
    static const struct {
        unsigned f3;
        uint64_t a, b;
        bool taken;
    } cases[] = {
        {0, 5, 5, true},
        {0, 5, 6, false},
        {1, 5, 6, true},
        {1, 5, 5, false},
        {4, (uint64_t)-1, 0, true},
        {4, 0, (uint64_t)-1, false},
        {5, 0, (uint64_t)-1, true},
        {5, 3, 3, true},
        {5, (uint64_t)-1, 0, false},
        {6, 0, (uint64_t)-1, true},
        {6, (uint64_t)-1, 0, false},
        {7, (uint64_t)-1, 0, true},
        {7, 3, 3, true},
        {7, 0, 1, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t->h->pc = PC0 + 0x100;
        t->h->x[1] = cases[i].a;
        t->h->x[2] = cases[i].b;
        assert_int_equal(rvt_exec(t, rvt_b(-0x80, 2, 1, cases[i].f3)), RV_STEP_RETIRED);
        assert_int_equal(t->h->pc, cases[i].taken ? PC0 + 0x80 : PC0 + 0x104);
    }
}

/* 2.6 and 5.3: loads sign- or zero-extend; stores write the low bytes; misaligned accesses are
 * performed (Zicclsm) */
static void test_loads_stores_2_6(void **state)
{
    struct rvt *t = *state;
    uint64_t data = PC0 + 0x1000;
    rvt_put64(t, data, 0x8899aabbccddeeffull);
    t->h->x[1] = data + 8;
    static const struct {
        unsigned f3;
        uint64_t expect;
    } loads[] = {
        {0, 0xffffffffffffffffull}, {4, 0xff},       {1, 0xffffffffffffeeffull}, {5, 0xeeff},
        {2, 0xffffffffccddeeffull}, {6, 0xccddeeff}, {3, 0x8899aabbccddeeffull},
    };
    for (size_t i = 0; i < sizeof loads / sizeof loads[0]; i++) {
        t->h->pc = PC0;
        assert_int_equal(rvt_exec(t, rvt_i(-8, 1, loads[i].f3, 3, OP_LOAD)), RV_STEP_RETIRED);
        assert_int_equal(t->h->x[3], loads[i].expect);
    }
    /* misaligned load crossing a word */
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, rvt_i(-5, 1, 2, 3, OP_LOAD)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[3], 0xffffffff99aabbccull);
    /* stores */
    t->h->x[2] = 0x1122334455667788ull;
    rvt_put64(t, data + 8, 0);
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, rvt_s(0, 2, 1, 0, OP_STORE)), RV_STEP_RETIRED);
    assert_int_equal(rvt_get64(t, data + 8), 0x88);
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, rvt_s(2, 2, 1, 1, OP_STORE)), RV_STEP_RETIRED);
    assert_int_equal(rvt_get64(t, data + 8), 0x77880088ull);
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, rvt_s(0, 2, 1, 3, OP_STORE)), RV_STEP_RETIRED);
    assert_int_equal(rvt_get64(t, data + 8), 0x1122334455667788ull);
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, rvt_s(-4, 2, 1, 2, OP_STORE)), RV_STEP_RETIRED); /* sw */
    assert_int_equal(rvt_get64(t, data), 0x55667788ccddeeffull);
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, rvt_s(-1, 0, 1, 3, OP_STORE)),
                     RV_STEP_RETIRED); /* misaligned sd */
    assert_int_equal(rvt_get64(t, data), 0x00667788ccddeeffull);
    assert_int_equal(rvt_get64(t, data + 8), 0x1100000000000000ull);
}

/* Priv. spec 3.7 (physical memory attributes): an access where no RAM or device is raises an
 * access fault with the address in tval; the load's rd is not written. */
static void test_access_faults_3_7(void **state)
{
    struct rvt *t = *state;
    t->h->x[1] = 0x1000;
    t->h->x[3] = 77;
    assert_int_equal(rvt_exec(t, rvt_i(8, 1, 3, 3, OP_LOAD)), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_LOAD_ACCESS);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), 0x1008);
    assert_int_equal(t->h->x[3], 77);
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, rvt_s(4, 3, 1, 2, OP_STORE)), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_STORE_ACCESS);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), 0x1004);
    /* a load straddling the end of RAM */
    t->h->pc = PC0;
    t->h->x[1] = RVT_BASE + RVT_RAM - 4;
    assert_int_equal(rvt_exec(t, rvt_i(0, 1, 3, 3, OP_LOAD)), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_LOAD_ACCESS);
    /* fetch from nowhere: instruction access fault, tval = pc */
    rvt_set_csr(t, RV_CSR_mtvec, PC0 + 0x400);
    t->h->pc = 0x2000;
    assert_int_equal(rv_step(t->h), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_INSN_ACCESS);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), 0x2000);
    assert_int_equal(rvt_csr(t, RV_CSR_mepc), 0x2000);
    assert_int_equal(t->h->pc, PC0 + 0x400);
}

static unsigned device_reads;
static enum bus_status count_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    (void)dev;
    (void)offset;
    (void)size;
    device_reads++;
    *value = 0x13; /* would decode as a nop */
    return BUS_OK;
}

/* Priv. spec 3.6.1: I/O regions are not executable here: a fetch from a device is an instruction
 * access fault and the device sees no read; loads from it work. RAM under a device (HTIF) stays
 * fetchable outside the device's bytes. */
static void test_fetch_from_device_faults_3_6_1(void **state)
{
    struct rvt *t = *state;
    static const struct bus_ops ops = {count_read, NULL};
    struct bus_region dev = {"dev", 0x10000000, 0x100, &ops, NULL};
    struct bus_region over = {"over-ram", RVT_BASE + 0x2040, 0x40, &ops, NULL};
    char err[128];
    assert_int_equal(bus_add_mmio(&t->m.bus, &dev, err, sizeof err), 0);
    assert_int_equal(bus_add_mmio(&t->m.bus, &over, err, sizeof err), 0);
    rvt_set_csr(t, RV_CSR_mtvec, PC0 + 0x400);
    device_reads = 0;
    t->h->pc = 0x10000000;
    assert_int_equal(rv_step(t->h), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_INSN_ACCESS);
    assert_int_equal(rvt_csr(t, RV_CSR_mtval), 0x10000000);
    t->h->pc = RVT_BASE + 0x2040;
    assert_int_equal(rv_step(t->h), RV_STEP_EXCEPTION);
    assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_INSN_ACCESS);
    assert_int_equal(device_reads, 0);
    rvt_put32(t, RVT_BASE + 0x2000, ADDI(5, 0, 9)); /* same page as the device, outside it */
    t->h->pc = RVT_BASE + 0x2000;
    assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[5], 9);
    t->h->x[1] = 0x10000000;
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, rvt_i(0, 1, 2, 3, OP_LOAD)), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[3], 0x13);
    assert_int_equal(device_reads, 1);
}

/* 2.7: FENCE (any pred/succ, FENCE.TSO) and FENCE.I retire as no-ops on this single hart */
static void test_fence_fence_i_2_7(void **state)
{
    struct rvt *t = *state;
    assert_int_equal(rvt_exec(t, 0x0ff0000f), RV_STEP_RETIRED); /* fence iorw, iorw */
    assert_int_equal(rvt_exec(t, 0x8330000f), RV_STEP_RETIRED); /* fence.tso */
    assert_int_equal(rvt_exec(t, 0x0000100f), RV_STEP_RETIRED); /* fence.i */
    assert_int_equal(t->h->pc, PC0 + 12);
    assert_int_equal(t->m.insns, 3);
}

/* Unpriv. spec 2.2 / 1.5: the all-zero word and undefined opcodes are illegal, tval = the bits */
static void test_illegal_encodings(void **state)
{
    struct rvt *t = *state;
    rvt_set_csr(t, RV_CSR_mtvec, PC0 + 0x400);
    const uint32_t bad[] = {0x00000000,
                            0xffffffff,
                            0x0000007b,
                            0x80000033 /* add f7=0x40 */,
                            0x00007003 /* load f3=7 */,
                            0x00004023 /* store f3=4 */,
                            0x00002063 /* branch f3=2 */,
                            0x00001067 /* jalr f3=1 */};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t->h->pc = PC0;
        assert_int_equal(rvt_exec(t, bad[i]), RV_STEP_EXCEPTION);
        assert_int_equal(rvt_csr(t, RV_CSR_mcause), RV_EXC_ILLEGAL);
        assert_int_equal(rvt_csr(t, RV_CSR_mtval), bad[i]);
        assert_int_equal(rvt_csr(t, RV_CSR_mepc), PC0);
    }
    assert_int_equal(t->m.insns, 0);
}

struct mem_seen {
    unsigned n;
    struct ev last;
};
static void on_mem(void *opaque, const struct ev *e)
{
    struct mem_seen *s = opaque;
    s->n++;
    s->last = *e;
}

/* EV_MEM: one event per data access that happened, after translation; none for a fault */
static void test_mem_events(void **state)
{
    struct rvt *t = *state;
    struct mem_seen seen = {0};
    ev_subscribe(&t->m.events, EV_MASK(EV_MEM), on_mem, &seen);
    t->h->x[1] = PC0 + 0x1000;
    assert_int_equal(rvt_exec(t, rvt_i(-3, 1, 2, 3, OP_LOAD)), RV_STEP_RETIRED);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.last.mem.vaddr, PC0 + 0x1000 - 3);
    assert_int_equal(seen.last.mem.paddr, PC0 + 0x1000 - 3);
    assert_int_equal(seen.last.mem.size, 4);
    assert_int_equal(seen.last.mem.type, EV_MEM_READ);
    assert_int_equal(seen.last.pc, PC0);
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, rvt_s(8, 3, 1, 3, OP_STORE)), RV_STEP_RETIRED);
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.last.mem.type, EV_MEM_WRITE);
    assert_int_equal(seen.last.mem.size, 8);
    t->h->x[1] = 0x1000; /* nothing there */
    rvt_set_csr(t, RV_CSR_mtvec, PC0 + 0x400);
    t->h->pc = PC0;
    assert_int_equal(rvt_exec(t, rvt_i(0, 1, 3, 3, OP_LOAD)), RV_STEP_EXCEPTION);
    assert_int_equal(seen.n, 2);
    assert_int_equal(t->m.events.count[EV_MEM], 2);
}

/* A short program: the retire count and EV_INSN events (design.md "Counting rule"). */
static void test_program_counts_retired(void **state)
{
    struct rvt *t = *state;
    const uint32_t prog[] = {
        ADDI(1, 0, 10),     /* x1 = 10 */
        ADDI(2, 2, 3),      /* loop: x2 += 3 */
        ADDI(1, 1, -1),     /* x1-- */
        rvt_b(-8, 0, 1, 1), /* bnez x1, loop */
    };
    rvt_prog(t, PC0, prog, 4);
    for (int i = 0; i < 31; i++)
        assert_int_equal(rv_step(t->h), RV_STEP_RETIRED);
    assert_int_equal(t->h->x[2], 30);
    assert_int_equal(t->h->x[1], 0);
    assert_int_equal(t->h->pc, PC0 + 16);
    assert_int_equal(t->m.insns, 31);
    assert_int_equal(t->m.time, 31);
    assert_int_equal(t->m.events.count[EV_INSN], 31);
    assert_int_equal(rvt_csr(t, RV_CSR_minstret), 31);
}

#define T(f) cmocka_unit_test_setup_teardown(f, rvt_setup, rvt_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_encoders_match_llvm),
        T(test_alu_immediate_2_4_1),
        T(test_lui_auipc_sign_extend_5_2),
        T(test_alu_register_2_4_2),
        T(test_shifts_at_and_past_width_5_2),
        T(test_w_shift_imm_bit25_reserved_5_2),
        T(test_w_forms_sign_extend_5_2),
        T(test_x0_writes_discarded_2_1),
        T(test_jal_jalr_2_5_1),
        T(test_jump_targets_ialign16_2_5),
        T(test_branches_2_5_2),
        T(test_loads_stores_2_6),
        T(test_access_faults_3_7),
        T(test_fetch_from_device_faults_3_6_1),
        T(test_fence_fence_i_2_7),
        T(test_illegal_encodings),
        T(test_mem_events),
        T(test_program_counts_retired),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
