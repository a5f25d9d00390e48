/* Data movement and bit instructions (SDM Vol. 1 7.3.1, 7.3.7; Vol. 2 MOV, MOVZX, MOVSX, LEA,
 * XCHG, CBW/CWDE, CWD/CDQ, BSWAP, XADD, CMPXCHG, CMOVcc, SETcc, BT/BTS/BTR/BTC, BSF/BSR,
 * LAHF/SAHF, XLAT, NOP). */
#include "x86/helpers.h"

#define CF X86_CF
#define PF X86_PF
#define AF X86_AF
#define ZF X86_ZF
#define SF X86_SF
#define OF X86_OF

static x86_status run(struct xt *t)
{
    return x86_step(t->cpu);
}

/* MOV r/m8, imm8; MOV EAX, moffs32; MOV moffs32, EAX (SDM Vol. 2B MOV). */
static void test_mov_forms(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    xt_write(t->cpu, XT_DATA_ADDR, 8, 0);
    /* mov byte ptr [ebx+4], 0x12; mov eax, [0x10000]; mov [0x10000], eax */
    XT_CODE(t->cpu, 0xc6, 0x43, 0x04, 0x12, 0xa1, 0x00, 0x00, 0x01, 0x00, 0xa3, 0x00, 0x00, 0x01,
            0x00);
    xt_set_arith(t->cpu, CF | ZF);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, XT_DATA_ADDR + 4, 1), 0x12);
    xt_write(t->cpu, XT_DATA_ADDR, 4, 0xdeadbeef);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xdeadbeefu);
    t->cpu->gpr[X86_RAX] = 0x11223344;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, XT_DATA_ADDR, 4), 0x11223344);
    assert_int_equal(XT_ARITH(t->cpu), CF | ZF); /* MOV leaves the flags */
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 14);
}

/* MOVZX/MOVSX from bytes (including AH) and words. */
static void test_movzx_movsx(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    xt_write(t->cpu, XT_DATA_ADDR, 2, 0x8001);
    t->cpu->gpr[X86_RAX] = 0x0000f280;
    /* movsx eax, word ptr [ebx]; movzx ecx, ah (before: eax = 0xf280); movsx ecx, al */
    XT_CODE(t->cpu, 0x0f, 0xb6, 0xcc, 0x0f, 0xbe, 0xc8, 0x0f, 0xbf, 0x03);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0xf2);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0xffffff80u);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xffff8001u);
}

/* SDM Vol. 2B MOVZX from registers (the specialized form): the byte or word zero-extended; a
 * 32-bit destination clears the upper half, a 16-bit one keeps the bits above it. */
static void test_movzx_registers(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RBX] = 0x123456f7u;
    t->cpu->gpr[X86_RSI] = 0xabcd8765u;
    t->cpu->gpr[X86_RCX] = 0xffffffffffffffffull;
    t->cpu->gpr[X86_RDX] = 0xffffffffffffff80ull;
    /* movzx ecx, bl; movzx edx, si; movzx cx, dl */
    XT_CODE(t->cpu, 0x0f, 0xb6, 0xcb, 0x0f, 0xb7, 0xd6, 0x66, 0x0f, 0xb6, 0xca);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0xf7);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RDX], 0x8765);
    t->cpu->gpr[X86_RCX] = 0xdeadbeefu;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0xdead0065u);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 10);
}

/* LEA computes without a memory access; a 16-bit destination takes the low word. */
static void test_lea(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RBX] = 0xfff00000u;
    t->cpu->gpr[X86_RCX] = 0x20000000u;
    t->cpu->gpr[X86_RAX] = 0xaaaaaaaau;
    /* lea eax, [ebx+8*ecx+16]; lea ax, [ebx+8*ecx+16] */
    XT_CODE(t->cpu, 0x8d, 0x44, 0xcb, 0x10, 0x66, 0x8d, 0x44, 0xcb, 0x10);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xfff00010u); /* wraps at 32 bits */
    t->cpu->gpr[X86_RAX] = 0xaaaaaaaau;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xaaaa0010u);
}

static void test_xchg(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 1;
    t->cpu->gpr[X86_RCX] = 2;
    t->cpu->gpr[X86_RDX] = 3;
    t->cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    xt_write(t->cpu, XT_DATA_ADDR, 4, 4);
    XT_CODE(t->cpu, 0x91, 0x87, 0x13, 0x90); /* xchg eax, ecx; xchg [ebx], edx; nop */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 2);
    assert_int_equal(t->cpu->gpr[X86_RCX], 1);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RDX], 4);
    assert_int_equal(xt_read(t->cpu, XT_DATA_ADDR, 4), 3);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 2);
}

/* CBW/CWDE/CWD/CDQ (SDM Vol. 2A). */
static void test_sign_extensions(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x12348000u;
    t->cpu->gpr[X86_RDX] = 0x55555555u;
    XT_CODE(t->cpu, 0x98, 0x99, 0x66, 0x98, 0x66, 0x99); /* cwde; cdq; cbw; cwd */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xffff8000u);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RDX], 0xffffffffu);
    t->cpu->gpr[X86_RAX] = 0x1234567f;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x1234007fu);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RDX], 0xffff0000u);
}

static void test_bswap(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RCX] = 0x11223344;
    XT_CODE(t->cpu, 0x0f, 0xc9); /* bswap ecx */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0x44332211);
}

/* XADD [ebx], ecx: ECX gets the old memory value, memory the sum, flags as ADD. */
static void test_xadd(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    t->cpu->gpr[X86_RCX] = 1;
    xt_write(t->cpu, XT_DATA_ADDR, 4, 0xffffffffu);
    XT_CODE(t->cpu, 0xf0, 0x0f, 0xc1, 0x0b); /* lock xadd [ebx], ecx */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0xffffffffu);
    assert_int_equal(xt_read(t->cpu, XT_DATA_ADDR, 4), 0);
    assert_int_equal(XT_ARITH(t->cpu), CF | ZF | AF | PF);
}

/* CMPXCHG: equal -> dest = src, ZF = 1; not equal -> EAX = dest, ZF = 0. */
static void test_cmpxchg(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 5;
    t->cpu->gpr[X86_RCX] = 5;
    t->cpu->gpr[X86_RDX] = 9;
    XT_CODE(t->cpu, 0x0f, 0xb1, 0xd1, 0x0f, 0xb1, 0xd1); /* cmpxchg ecx, edx (twice) */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RCX], 9);
    assert_int_equal(XT_ARITH(t->cpu), ZF | PF);
    assert_int_equal(run(t), X86_OK); /* EAX = 5 != ECX = 9 */
    assert_int_equal(t->cpu->gpr[X86_RAX], 9);
    assert_int_equal(t->cpu->gpr[X86_RCX], 9);
    assert_int_equal(XT_ARITH(t->cpu), CF | SF | AF | PF); /* 5 - 9 = 0xFFFFFFFC */
}

/* CMOVcc and SETcc read the condition codes of SDM Vol. 1 Appendix B. */
static void test_cmov_setcc(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 1;
    t->cpu->gpr[X86_RCX] = 2;
    t->cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    xt_write(t->cpu, XT_DATA_ADDR, 1, 0x77);
    xt_set_arith(t->cpu, ZF | SF); /* SF != OF: "less" */
    /* cmove eax, ecx; cmovne eax, ecx(not taken); setl al; setg [ebx] */
    XT_CODE(t->cpu, 0x0f, 0x44, 0xc1, 0x0f, 0x45, 0xc1, 0x0f, 0x9c, 0xc0, 0x0f, 0x9f, 0x03);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 2);
    t->cpu->gpr[X86_RCX] = 3;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 2);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 1);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, XT_DATA_ADDR, 1), 0);
}

/* BT family (SDM Vol. 2A BT): CF = the bit; a register offset reaches outside the addressed
 * doubleword in memory; ZF is unchanged. */
static void test_bt_family(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0x80000000u;
    t->cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    t->cpu->gpr[X86_RCX] = 35; /* bit 3 of the doubleword at [ebx+4] */
    t->cpu->gpr[X86_RDX] = 1;
    xt_write(t->cpu, XT_DATA_ADDR, 8, 0);
    xt_set_arith(t->cpu, ZF);
    /* bt eax, 31; bts [ebx], ecx; btr ecx, edx; btc eax, 3 */
    XT_CODE(t->cpu, 0x0f, 0xba, 0xe0, 0x1f, 0x0f, 0xab, 0x0b, 0x0f, 0xb3, 0xd1, 0x0f, 0xba, 0xf8,
            0x03);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(XT_ARITH(t->cpu) & (CF | ZF), CF | ZF);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, XT_DATA_ADDR + 4, 4), 0x8);
    assert_int_equal(xt_read(t->cpu, XT_DATA_ADDR, 4), 0);
    assert_int_equal(XT_ARITH(t->cpu) & CF, 0);
    assert_int_equal(run(t), X86_OK); /* btr ecx(35 = 0b100011), 1 */
    assert_int_equal(t->cpu->gpr[X86_RCX], 33);
    assert_int_equal(XT_ARITH(t->cpu) & CF, CF);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x80000008u);
    assert_int_equal(XT_ARITH(t->cpu) & CF, 0);
}

/* A negative register bit offset addresses below the operand. */
static void test_bt_negative_offset(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RBX] = XT_DATA_ADDR + 8;
    t->cpu->gpr[X86_RCX] = (uint32_t)-1; /* bit 31 of [ebx-4] */
    xt_write(t->cpu, XT_DATA_ADDR, 8, 0);
    XT_CODE(t->cpu, 0x0f, 0xab, 0x0b); /* bts [ebx], ecx */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, XT_DATA_ADDR + 4, 4), 0x80000000u);
}

/* BSF/BSR: the index of the lowest/highest set bit; a zero source sets ZF and leaves the
 * destination. */
static void test_bsf_bsr(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RCX] = 0x00f00100u;
    XT_CODE(t->cpu, 0x0f, 0xbc, 0xc1, 0x0f, 0xbd, 0xc1, 0x0f, 0xbc, 0xc1); /* bsf; bsr; bsf */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 8);
    assert_int_equal(XT_ARITH(t->cpu) & ZF, 0);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 23);
    t->cpu->gpr[X86_RCX] = 0;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 23);
    assert_int_equal(XT_ARITH(t->cpu) & ZF, ZF);
}

/* LAHF/SAHF move SF ZF AF PF CF through AH; XLAT; MOV from segment registers; NOP Ev. */
static void test_misc_moves(void **state)
{
    struct xt *t = *state;
    xt_set_arith(t->cpu, SF | CF | OF);
    t->cpu->gpr[X86_RBX] = XT_DATA_ADDR;
    xt_write(t->cpu, XT_DATA_ADDR + 0x83, 1, 0x5a);
    /* lahf; sahf; xlatb; mov eax, es; mov word ptr [ebx], ss; nop dword ptr [eax+eax] */
    XT_CODE(t->cpu, 0x9f, 0x9e, 0xd7, 0x8c, 0xc0, 0x8c, 0x13, 0x0f, 0x1f, 0x04, 0x00);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal((t->cpu->gpr[X86_RAX] >> 8) & 0xff, 0x83); /* SF | bit 1 | CF */
    t->cpu->gpr[X86_RAX] = (X86_ZF | X86_AF) << 8;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(XT_ARITH(t->cpu), ZF | AF | OF); /* OF is not in AH */
    t->cpu->gpr[X86_RAX] = 0x83;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x5a);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x18);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, XT_DATA_ADDR, 2), 0x18);
    t->cpu->gpr[X86_RAX] = 0x7ffffff0u; /* NOP Ev never touches memory */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 11);
}

/* CMPXCHG8B m64 (SDM Vol. 2A): equal -> m64 = ECX:EBX, ZF = 1; not equal -> EDX:EAX = m64,
 * ZF = 0; other flags unchanged; a register operand is #UD. */
static void test_cmpxchg8b(void **state)
{
    struct xt *t = *state;
    xt_write(t->cpu, XT_DATA_ADDR, 8, 0x1122334455667788ull);
    t->cpu->gpr[X86_RSI] = XT_DATA_ADDR;
    t->cpu->gpr[X86_RDX] = 0x11223344;
    t->cpu->gpr[X86_RAX] = 0x55667788;
    t->cpu->gpr[X86_RCX] = 0xaaaaaaaa;
    t->cpu->gpr[X86_RBX] = 0xbbbbbbbb;
    xt_set_arith(t->cpu, CF);
    XT_CODE(t->cpu, 0xf0, 0x0f, 0xc7, 0x0e); /* lock cmpxchg8b [esi] */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(xt_read(t->cpu, XT_DATA_ADDR, 8), 0xaaaaaaaabbbbbbbbull);
    assert_int_equal(XT_ARITH(t->cpu), CF | ZF);
    t->cpu->rip = XT_CODE_ADDR;
    assert_int_equal(run(t), X86_OK); /* now unequal */
    assert_int_equal(t->cpu->gpr[X86_RDX], 0xaaaaaaaa);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xbbbbbbbb);
    assert_int_equal(XT_ARITH(t->cpu), CF);
    XT_CODE(t->cpu, 0x0f, 0xc7, 0xce); /* register operand */
    xt_assert_trap(t->cpu, run(t), X86_VEC_UD, -1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_mov_forms),  T(test_movzx_movsx), T(test_movzx_registers),
        T(test_lea),        T(test_xchg),        T(test_sign_extensions),
        T(test_bswap),      T(test_xadd),        T(test_cmpxchg),
        T(test_cmov_setcc), T(test_bt_family),   T(test_bt_negative_offset),
        T(test_bsf_bsr),    T(test_misc_moves),  T(test_cmpxchg8b),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
