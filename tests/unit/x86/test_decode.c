/* The decoder (SDM Vol. 2A chapter 2 "Instruction Format", Vol. 2D Appendix A "Opcode Map"):
 * lengths, prefixes, ModRM/SIB/displacement/immediates in 16-, 32- and 64-bit forms, the 15-byte
 * limit and the LOCK rules. Encodings from llvm-mc (-x86-asm-syntax=intel -show-encoding). */
#include "x86/helpers.h"

#include "cpu/x86/internal.h"

static x86_status decode(unsigned code_bits, const uint8_t *b, size_t n, struct x86_insn *insn)
{
    struct x86_cpu cpu;
    memset(&cpu, 0, sizeof cpu);
    cpu.code_bits = code_bits;
    return x86_decode(&cpu, b, (unsigned)n, X86_TRAP_EC(X86_VEC_GP, 0), insn);
}
#define DECODE(bits, insn, ...)                                                                    \
    ({                                                                                             \
        static const uint8_t b_[] = {__VA_ARGS__};                                                 \
        decode(bits, b_, sizeof b_, insn);                                                         \
    })

/* SDM Vol. 2A 2.1, Table 2-2/2-3: lock add dword ptr [eax+4*ebx+0x12345678], 0x11223344 */
static void test_sib_disp32_imm32(void **state)
{
    (void)state;
    struct x86_insn i;
    assert_int_equal(
        DECODE(32, &i, 0xf0, 0x81, 0x84, 0x98, 0x78, 0x56, 0x34, 0x12, 0x44, 0x33, 0x22, 0x11),
        X86_OK);
    assert_int_equal(i.len, 12);
    assert_true(i.lock);
    assert_string_equal(i.info->mnemonic, "add");
    assert_int_equal(i.base, X86_RAX);
    assert_int_equal(i.index, X86_RBX);
    assert_int_equal(i.scale, 2);
    assert_int_equal(i.disp, 0x12345678);
    assert_int_equal(i.imm, 0x11223344);
    assert_int_equal(i.osize, 4);
    assert_int_equal(i.seg, X86_DS);
}

/* SDM Vol. 2A Table 2-1 (16-bit addressing): mov ax, word ptr es:[bp+si+4] with 66 and 67 in
 * 32-bit code */
static void test_16bit_addressing(void **state)
{
    (void)state;
    struct x86_insn i;
    assert_int_equal(DECODE(32, &i, 0x26, 0x67, 0x66, 0x8b, 0x42, 0x04), X86_OK);
    assert_int_equal(i.len, 6);
    assert_int_equal(i.osize, 2);
    assert_int_equal(i.asize, 2);
    assert_int_equal(i.base, X86_RBP);
    assert_int_equal(i.index, X86_RSI);
    assert_int_equal(i.disp, 4);
    assert_int_equal(i.seg, X86_ES);
    /* without the override, [bp+...] defaults to SS */
    assert_int_equal(DECODE(32, &i, 0x67, 0x8b, 0x42, 0x04), X86_OK);
    assert_int_equal(i.seg, X86_SS);
    assert_int_equal(i.osize, 4);
}

/* lea eax, [esp+2*ecx-8]: SIB with ESP base defaults to SS; disp8 sign-extended. */
static void test_sib_esp_base(void **state)
{
    (void)state;
    struct x86_insn i;
    assert_int_equal(DECODE(32, &i, 0x8d, 0x44, 0x4c, 0xf8), X86_OK);
    assert_int_equal(i.len, 4);
    assert_int_equal(i.base, X86_RSP);
    assert_int_equal(i.index, X86_RCX);
    assert_int_equal(i.scale, 1);
    assert_int_equal(i.disp, -8);
    assert_int_equal(i.seg, X86_SS);
    /* add eax, [0x1234]: mod 0 rm 5 is disp32 with no base in 32-bit code */
    assert_int_equal(DECODE(32, &i, 0x03, 0x05, 0x34, 0x12, 0x00, 0x00), X86_OK);
    assert_int_equal(i.len, 6);
    assert_int_equal(i.base, -1);
    assert_int_equal(i.index, -1);
    assert_int_equal(i.disp, 0x1234);
}

/* SDM Vol. 2A 2.2.1: REX prefixes, RIP-relative addressing (2.2.1.6), REX.W immediates. */
static void test_64bit_forms(void **state)
{
    (void)state;
    struct x86_insn i;
    /* mov rax, qword ptr [rip+16] */
    assert_int_equal(DECODE(64, &i, 0x48, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00), X86_OK);
    assert_int_equal(i.len, 7);
    assert_int_equal(i.osize, 8);
    assert_int_equal(i.base, X86_BASE_RIP);
    assert_int_equal(i.disp, 16);
    /* mov r9d, dword ptr [r12+8*r13+1] */
    assert_int_equal(DECODE(64, &i, 0x47, 0x8b, 0x4c, 0xec, 0x01), X86_OK);
    assert_int_equal(i.reg, 9);
    assert_int_equal(i.base, 12);
    assert_int_equal(i.index, 13);
    assert_int_equal(i.scale, 3);
    assert_int_equal(i.osize, 4);
    /* movabs rax, 0x1122334455667788: Iv is 8 bytes with REX.W */
    assert_int_equal(DECODE(64, &i, 0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
                     X86_OK);
    assert_int_equal(i.len, 10);
    assert_int_equal(i.imm, 0x1122334455667788ull);
    /* push r15: default 64-bit operand size (Table A-2 "d64") */
    assert_int_equal(DECODE(64, &i, 0x41, 0x57), X86_OK);
    assert_int_equal(i.rm, 15);
    assert_int_equal(i.osize, 8);
    /* in 32-bit code the same bytes are inc ecx; push edi */
    assert_int_equal(DECODE(32, &i, 0x41, 0x57), X86_OK);
    assert_int_equal(i.len, 1);
    assert_string_equal(i.info->mnemonic, "inc");
    /* pusha is invalid in 64-bit mode (Table A-2 "i64") */
    assert_int_equal(DECODE(64, &i, 0x60), X86_TRAP(X86_VEC_UD));
}

/* Group opcodes (Table A-6): ModRM.reg selects the operation; group 2's count comes from the
 * opcode; an empty group slot is #UD. */
static void test_groups(void **state)
{
    (void)state;
    struct x86_insn i;
    /* sar ecx, 5 = c1 f9 05 */
    assert_int_equal(DECODE(32, &i, 0xc1, 0xf9, 0x05), X86_OK);
    assert_string_equal(i.info->mnemonic, "sar");
    assert_int_equal(i.len, 3);
    assert_int_equal(i.imm, 5);
    /* shl byte ptr [eax], cl = d2 20 */
    assert_int_equal(DECODE(32, &i, 0xd2, 0x20), X86_OK);
    assert_string_equal(i.info->mnemonic, "shl");
    assert_int_equal(X86_OPND_KIND(i.opnd[1]), OK_CL);
    /* test dword ptr [eax], 0x12345678 = f7 00 imm32; not eax = f7 d0 (no immediate) */
    assert_int_equal(DECODE(32, &i, 0xf7, 0x00, 0x78, 0x56, 0x34, 0x12), X86_OK);
    assert_int_equal(i.len, 6);
    assert_int_equal(DECODE(32, &i, 0xf7, 0xd0), X86_OK);
    assert_string_equal(i.info->mnemonic, "not");
    assert_int_equal(i.len, 2);
    /* FF /7 is reserved */
    assert_int_equal(DECODE(32, &i, 0xff, 0xf8), X86_TRAP(X86_VEC_UD));
    /* 83 /0 ib: the immediate is sign-extended to the operand size */
    assert_int_equal(DECODE(32, &i, 0x83, 0xc0, 0xff), X86_OK);
    assert_int_equal(i.imm, UINT64_MAX);
}

/* SDM Vol. 2A 2.3.11: an instruction longer than 15 bytes raises #GP(0). */
static void test_length_limit(void **state)
{
    (void)state;
    struct x86_insn i;
    /* 14 prefixes + nop = 15 bytes: fine */
    uint8_t b[16];
    memset(b, 0x66, sizeof b);
    b[14] = 0x90;
    assert_int_equal(decode(32, b, 15, &i), X86_OK);
    assert_int_equal(i.len, 15);
    /* 15 prefixes + nop = 16 bytes: #GP(0) */
    memset(b, 0x3e, sizeof b);
    b[15] = 0x90;
    assert_int_equal(decode(32, b, 15, &i), X86_TRAP_EC(X86_VEC_GP, 0));
    /* 12 prefixes + add dword ptr [eax+0x12345678], 0x11 (83 80 disp32 ib = 7 bytes): 19 */
    uint8_t c[15] = {0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                     0x67, 0x67, 0x67, 0x67, 0x83, 0x80, 0x78};
    assert_int_equal(decode(32, c, 15, &i), X86_TRAP_EC(X86_VEC_GP, 0));
}

/* A fetch fault short of the end of the instruction is reported for the missing byte. */
static void test_fetch_fault_passes_through(void **state)
{
    (void)state;
    struct x86_insn i;
    struct x86_cpu cpu;
    memset(&cpu, 0, sizeof cpu);
    cpu.code_bits = 32;
    static const uint8_t b[] = {0xb8, 0x11, 0x22}; /* mov eax, imm32 cut after 3 bytes */
    x86_status pf = X86_TRAP_EC(X86_VEC_PF, 0x10);
    assert_int_equal(x86_decode(&cpu, b, 3, pf, &i), pf);
    assert_int_equal(x86_decode(&cpu, b, 1, pf, &i), pf);
}

/* SDM Vol. 2A LOCK: #UD unless the instruction is lockable and its destination is memory. */
static void test_lock_rules(void **state)
{
    (void)state;
    struct x86_insn i;
    assert_int_equal(DECODE(32, &i, 0xf0, 0x01, 0x18), X86_OK); /* lock add [eax], ebx */
    assert_int_equal(DECODE(32, &i, 0xf0, 0x01, 0xd8),
                     X86_TRAP(X86_VEC_UD)); /* lock add eax, ebx */
    assert_int_equal(DECODE(32, &i, 0xf0, 0x03, 0x18),
                     X86_TRAP(X86_VEC_UD)); /* lock add ebx, [eax] */
    assert_int_equal(DECODE(32, &i, 0xf0, 0x39, 0x18),
                     X86_TRAP(X86_VEC_UD)); /* lock cmp [eax], ebx */
    assert_int_equal(DECODE(32, &i, 0xf0, 0x89, 0x18),
                     X86_TRAP(X86_VEC_UD));                           /* lock mov [eax], ebx */
    assert_int_equal(DECODE(32, &i, 0xf0, 0x0f, 0xb1, 0x0b), X86_OK); /* lock cmpxchg [ebx], ecx */
    assert_int_equal(DECODE(32, &i, 0xf0, 0x87, 0x03), X86_OK);       /* lock xchg [ebx], eax */
    assert_int_equal(DECODE(32, &i, 0xf0, 0xf7, 0x13), X86_OK);       /* lock not dword ptr [ebx] */
    assert_int_equal(DECODE(32, &i, 0xf0, 0xf7, 0x23), X86_TRAP(X86_VEC_UD)); /* lock mul [ebx] */
    assert_int_equal(DECODE(32, &i, 0xf0, 0x90), X86_TRAP(X86_VEC_UD));       /* lock nop */
}

/* Through the CPU: a LOCKed register destination raises #UD and does not retire. */
static void test_lock_register_destination_ud(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 1;
    XT_CODE(t->cpu, 0xf0, 0x01, 0xd8); /* lock add eax, ebx */
    x86_status st = x86_step(t->cpu);
    xt_assert_trap(t->cpu, st, X86_VEC_UD, -1);
    assert_int_equal(t->cpu->gpr[X86_RAX], 1);
    assert_int_equal(t->m.insns, 0);
}

/* Undefined one-byte and 0F opcodes raise #UD; UD2 is the defined one (SDM Vol. 2B UD). */
static void test_undefined(void **state)
{
    (void)state;
    struct x86_insn i;
    assert_int_equal(DECODE(32, &i, 0xd6), X86_TRAP(X86_VEC_UD));
    assert_int_equal(DECODE(32, &i, 0x0f, 0xff), X86_TRAP(X86_VEC_UD));
    assert_int_equal(DECODE(32, &i, 0x8d, 0xc0), X86_TRAP(X86_VEC_UD)); /* lea with mod 3 */
    assert_int_equal(DECODE(32, &i, 0x8e, 0xf8), X86_TRAP(X86_VEC_UD)); /* mov sreg 7 */
    struct xt *t = *state;
    XT_CODE(t->cpu, 0x0f, 0x0b);
    xt_assert_trap(t->cpu, x86_step(t->cpu), X86_VEC_UD, -1);
}

/* The decoded-instruction cache never runs stale code: rewritten instruction bytes (also by
 * the guest itself) and a change of code size are decoded afresh (SDM Vol. 3A 11.6
 * "Self-Modifying Code": a write to a code byte takes effect for the next fetch). */
static void test_decode_cache_coherent(void **state)
{
    struct xt *t = *state;
    XT_CODE(t->cpu, 0xb8, 0x01, 0x00, 0x00, 0x00); /* mov eax, 1 */
    assert_int_equal(x86_step(t->cpu), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 1);
    t->cpu->rip = XT_CODE_ADDR;
    XT_CODE(t->cpu, 0xb8, 0x02, 0x00, 0x00, 0x00); /* mov eax, 2 */
    assert_int_equal(x86_step(t->cpu), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 2);
    t->cpu->rip = XT_CODE_ADDR;
    XT_CODE(t->cpu, 0x40); /* inc eax: shorter than the cached instruction */
    assert_int_equal(x86_step(t->cpu), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 3);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 1);
    /* the guest patches the immediate of the next instruction, then runs it */
    t->cpu->rip = XT_CODE_ADDR;
    XT_CODE(t->cpu, 0xc6, 0x05, 0x08, 0x10, 0x00, 0x00, 0x07, /* mov byte [0x1008], 7 */
            0xb8, 0x01, 0x00, 0x00, 0x00);                    /* mov eax, 1 (imm at 0x1008) */
    t->cpu->rip = XT_CODE_ADDR + 7;
    assert_int_equal(x86_step(t->cpu), X86_OK); /* cached with imm 1 */
    assert_int_equal(t->cpu->gpr[X86_RAX], 1);
    t->cpu->rip = XT_CODE_ADDR;
    assert_int_equal(x86_step(t->cpu), X86_OK);
    assert_int_equal(x86_step(t->cpu), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 7);
    /* the same bytes in 16-bit code: mov ax, 7 is three bytes */
    struct x86_seg cs = t->cpu->seg[X86_CS];
    x86_set_seg(t->cpu, X86_CS, cs.sel, 0, 0xffff, cs.attr & ~(uint32_t)(X86_SEG_DB | X86_SEG_G));
    t->cpu->rip = XT_CODE_ADDR + 7;
    t->cpu->gpr[X86_RAX] = 0xffffffffu;
    assert_int_equal(x86_step(t->cpu), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xffff0007u);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sib_disp32_imm32),
        cmocka_unit_test(test_16bit_addressing),
        cmocka_unit_test(test_sib_esp_base),
        cmocka_unit_test(test_64bit_forms),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_length_limit),
        cmocka_unit_test(test_fetch_fault_passes_through),
        cmocka_unit_test(test_lock_rules),
        cmocka_unit_test_setup_teardown(test_lock_register_destination_ud, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_undefined, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_decode_cache_coherent, xt_setup, xt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
