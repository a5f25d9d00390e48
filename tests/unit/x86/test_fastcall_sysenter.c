/* SYSENTER and SYSEXIT in every mode on both vendor profiles (issue 6's matrix): Intel SDM Vol. 2B
 * SYSENTER, SYSEXIT ("Operation", "IA-32e Mode Operation" and the exception tables), SDM Vol. 3A
 * 5.8.7; AMD APM Vol. 3 SYSENTER, SYSEXIT (#UD in long mode). */
#include "x86/fastcall_common.h"

#define USER_FLAGS (X86_FLAGS_FIXED1 | X86_IF | X86_DF | X86_CF | X86_RF)

/* ---- SYSENTER ----------------------------------------------------------------------------- */

/* Legacy protected mode, both vendors: ESP/EIP from the MSRs' low halves, CS = SYSENTER_CS &
 * FFFCH (32-bit flat, DPL 0), SS = CS + 8, VM/IF/RF cleared, CPL 0 (SDM Vol. 2B SYSENTER
 * "Operation"; APM Vol. 3 SYSENTER). */
static void sysenter_legacy(void **state, bool amd)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_legacy(cpu, amd);
    xt_enter_user(cpu);
    cpu->msr[X86_MSR_SYSENTER_CS] = FC_SYSENTER_CS | 3; /* RPL bits are masked off */
    cpu->msr[X86_MSR_SYSENTER_ESP] = 0x100000000ull | FC_SYSENTER_ESP;
    cpu->msr[X86_MSR_SYSENTER_EIP] = 0x200000000ull | FC_SYSENTER_EIP;
    cpu->gpr[X86_RSP] = 0x7000;
    cpu->gpr[X86_RCX] = 0x1234;
    cpu->gpr[X86_RDX] = 0x5678;
    cpu->rflags = USER_FLAGS;
    XT_CODE(cpu, 0x0f, 0x34);
    struct fc_rec r;
    fc_record(t, &r);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->rip, FC_SYSENTER_EIP);
    assert_int_equal(cpu->gpr[X86_RSP], FC_SYSENTER_ESP);
    assert_int_equal(cpu->gpr[X86_RCX], 0x1234); /* the user's ESP/EIP are not saved */
    assert_int_equal(cpu->gpr[X86_RDX], 0x5678);
    assert_int_equal(cpu->rflags, X86_FLAGS_FIXED1 | X86_DF | X86_CF);
    fc_assert_seg(cpu, X86_CS, 0x08, FC_CODE32);
    fc_assert_seg(cpu, X86_SS, 0x10, FC_STACK);
    assert_int_equal(cpu->cpl, 0);
    assert_int_equal(cpu->code_bits, 32);
    assert_int_equal(t->m.insns, 1);
    fc_assert_explained(&r, "ESP <- SYSENTER_ESP", FC_SYSENTER_ESP);
    fc_assert_explained(&r, "EIP <- SYSENTER_EIP", FC_SYSENTER_EIP);
    fc_assert_explained(&r, "CS.sel <- SYSENTER_CS", 0x08);
    fc_assert_explained(&r, "SS.sel <- SYSENTER_CS+8", 0x10);
    fc_assert_priv(&r, 3, 0, EV_MECH_SYSENTER);
}
static void test_sysenter_legacy_intel(void **state)
{
    sysenter_legacy(state, false);
}
static void test_sysenter_legacy_amd(void **state)
{
    sysenter_legacy(state, true);
}

/* #GP(0) if SYSENTER_CS[15:2] = 0 (SDM Vol. 2B SYSENTER "Protected Mode Exceptions"; APM Vol. 3
 * SYSENTER: "SYSENTER_CS was a null selector"), for 0 and for a selector with only RPL bits. */
static void sysenter_null_cs(void **state, bool amd, uint16_t cs)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_legacy(cpu, amd);
    xt_enter_user(cpu);
    cpu->msr[X86_MSR_SYSENTER_CS] = cs;
    XT_CODE(cpu, 0x0f, 0x34);
    struct fc_snap s;
    fc_snap(cpu, &s);
    struct fc_rec r;
    fc_record(t, &r);
    fc_assert_fault(t, x86_step(cpu), FC_GP0, &s, &r);
}
static void test_sysenter_null_cs_intel(void **state)
{
    sysenter_null_cs(state, false, 0);
}
static void test_sysenter_null_cs_rpl_intel(void **state)
{
    sysenter_null_cs(state, false, 3);
}
static void test_sysenter_null_cs_amd(void **state)
{
    sysenter_null_cs(state, true, 0);
}

/* Real mode: #GP(0) (SDM Vol. 2B SYSENTER "Real-Address Mode Exceptions"; APM Vol. 3). */
static void sysenter_real(void **state, bool amd)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_vendor(cpu, amd);
    fc_msrs(cpu);
    cpu->cr0 &= ~(uint64_t)X86_CR0_PE;
    x86_set_seg(cpu, X86_CS, 0, 0, 0xffff, 0xbu | X86_SEG_S | X86_SEG_P);
    XT_CODE(cpu, 0x0f, 0x34);
    struct fc_snap s;
    fc_snap(cpu, &s);
    struct fc_rec r;
    fc_record(t, &r);
    fc_assert_fault(t, x86_step(cpu), FC_GP0, &s, &r);
}
static void test_sysenter_real_mode_intel(void **state)
{
    sysenter_real(state, false);
}
static void test_sysenter_real_mode_amd(void **state)
{
    sysenter_real(state, true);
}

/* IA-32e mode, Intel: RSP and RIP take all 64 bits of the MSRs, CS is 64-bit code (L = 1), from
 * 64-bit and from compatibility mode alike (SDM Vol. 2B SYSENTER "IA-32e Mode Operation"). */
static void sysenter_ia32e_intel(void **state, bool compat)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, false);
    if (compat)
        fc_compat(cpu, 3);
    else
        fc_user64(cpu);
    cpu->msr[X86_MSR_SYSENTER_ESP] = 0xffff800000006000ull;
    cpu->msr[X86_MSR_SYSENTER_EIP] = 0xffff800000003800ull;
    cpu->rflags = USER_FLAGS;
    uint64_t gs = cpu->seg[X86_GS].base;
    XT_CODE(cpu, 0x0f, 0x34);
    struct fc_rec r;
    fc_record(t, &r);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->rip, 0xffff800000003800ull);
    assert_int_equal(cpu->gpr[X86_RSP], 0xffff800000006000ull);
    assert_int_equal(cpu->rflags, X86_FLAGS_FIXED1 | X86_DF | X86_CF);
    fc_assert_seg(cpu, X86_CS, 0x08, FC_CODE64);
    fc_assert_seg(cpu, X86_SS, 0x10, FC_STACK);
    assert_int_equal(cpu->cpl, 0);
    assert_int_equal(cpu->code_bits, 64);
    assert_int_equal(cpu->seg[X86_GS].base, gs);
    fc_assert_explained(&r, "RSP <- SYSENTER_ESP", 0xffff800000006000ull);
    fc_assert_explained(&r, "RIP <- SYSENTER_EIP", 0xffff800000003800ull);
    fc_assert_priv(&r, 3, 0, EV_MECH_SYSENTER);
}
static void test_sysenter_64_intel(void **state)
{
    sysenter_ia32e_intel(state, false);
}
static void test_sysenter_compat_intel(void **state)
{
    sysenter_ia32e_intel(state, true);
}

/* AMD: SYSENTER and SYSEXIT are #UD in long mode, 64-bit and compatibility mode (APM Vol. 3
 * SYSENTER, SYSEXIT: "#UD ... in long mode"); the #UD comes before the CPL check of SYSEXIT. */
static void amd_long_ud(void **state, bool compat, const uint8_t *code, size_t n, unsigned cpl)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, true);
    if (compat)
        fc_compat(cpu, cpl);
    else if (cpl == 3)
        fc_user64(cpu);
    xt_code(cpu, code, n);
    struct fc_snap s;
    fc_snap(cpu, &s);
    struct fc_rec r;
    fc_record(t, &r);
    fc_assert_fault(t, x86_step(cpu), FC_UD, &s, &r);
}
static const uint8_t op_sysenter[] = {0x0f, 0x34};
static const uint8_t op_sysexit[] = {0x0f, 0x35};
static const uint8_t op_sysexitq[] = {0x48, 0x0f, 0x35};
static void test_sysenter_64_amd_ud(void **state)
{
    amd_long_ud(state, false, op_sysenter, sizeof op_sysenter, 3);
}
static void test_sysenter_compat_amd_ud(void **state)
{
    amd_long_ud(state, true, op_sysenter, sizeof op_sysenter, 3);
}
static void test_sysexitq_64_amd_ud(void **state)
{
    amd_long_ud(state, false, op_sysexitq, sizeof op_sysexitq, 0);
}
static void test_sysexit_64_amd_ud_at_cpl3(void **state)
{
    amd_long_ud(state, false, op_sysexit, sizeof op_sysexit, 3);
}
static void test_sysexit_compat_amd_ud(void **state)
{
    amd_long_ud(state, true, op_sysexit, sizeof op_sysexit, 0);
}

/* ---- SYSEXIT ------------------------------------------------------------------------------ */

/* Legacy protected mode, both vendors: ESP = ECX, EIP = EDX, CS = SYSENTER_CS + 16 | 3 (32-bit
 * flat DPL 3), SS = SYSENTER_CS + 24 | 3, CPL 3, RFLAGS unchanged (SDM Vol. 2B SYSEXIT; APM Vol.
 * 3 SYSEXIT). */
static void sysexit_legacy(void **state, bool amd)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_legacy(cpu, amd);
    cpu->gpr[X86_RCX] = 0x7abc;
    cpu->gpr[X86_RDX] = 0x2def;
    cpu->rflags = X86_FLAGS_FIXED1 | X86_ZF; /* IF stays 0: the kernel's STI does that */
    XT_CODE(cpu, 0x0f, 0x35);
    struct fc_rec r;
    fc_record(t, &r);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->rip, 0x2def);
    assert_int_equal(cpu->gpr[X86_RSP], 0x7abc);
    assert_int_equal(cpu->rflags, X86_FLAGS_FIXED1 | X86_ZF);
    fc_assert_seg(cpu, X86_CS, 0x1b, FC_CODE32 | FC_DPL3);
    fc_assert_seg(cpu, X86_SS, 0x23, FC_STACK | FC_DPL3);
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->code_bits, 32);
    fc_assert_explained(&r, "ESP <- ECX", 0x7abc);
    fc_assert_explained(&r, "EIP <- EDX", 0x2def);
    fc_assert_explained(&r, "CS.sel <- SYSENTER_CS+16 | 3", 0x1b);
    fc_assert_explained(&r, "SS.sel <- SYSENTER_CS+24 | 3", 0x23);
    fc_assert_priv(&r, 0, 3, EV_MECH_SYSEXIT);
}
static void test_sysexit_legacy_intel(void **state)
{
    sysexit_legacy(state, false);
}
static void test_sysexit_legacy_amd(void **state)
{
    sysexit_legacy(state, true);
}

/* #GP(0) at CPL > 0 and with a null SYSENTER_CS (SDM Vol. 2B SYSEXIT "Protected Mode
 * Exceptions"; APM Vol. 3 SYSEXIT). */
static void sysexit_gp(void **state, bool amd, bool user, uint16_t cs)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_legacy(cpu, amd);
    if (user) xt_enter_user(cpu);
    cpu->msr[X86_MSR_SYSENTER_CS] = cs;
    XT_CODE(cpu, 0x0f, 0x35);
    struct fc_snap s;
    fc_snap(cpu, &s);
    struct fc_rec r;
    fc_record(t, &r);
    fc_assert_fault(t, x86_step(cpu), FC_GP0, &s, &r);
}
static void test_sysexit_cpl3_gp_intel(void **state)
{
    sysexit_gp(state, false, true, FC_SYSENTER_CS);
}
static void test_sysexit_cpl3_gp_amd(void **state)
{
    sysexit_gp(state, true, true, FC_SYSENTER_CS);
}
static void test_sysexit_null_cs_gp_intel(void **state)
{
    sysexit_gp(state, false, false, 0);
}
static void test_sysexit_null_cs_gp_amd(void **state)
{
    sysexit_gp(state, true, false, 0);
}

/* Intel 64-bit mode: REX.W SYSEXIT returns to 64-bit mode, RSP = RCX, RIP = RDX, CS =
 * SYSENTER_CS + 32 | 3, SS = SYSENTER_CS + 40 | 3; without REX.W to compatibility mode with
 * CS + 16 and the low halves (SDM Vol. 2B SYSEXIT "IA-32e Mode Operation"). */
static void test_sysexitq_intel(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, false);
    cpu->gpr[X86_RCX] = 0x00007fffffffe000ull;
    cpu->gpr[X86_RDX] = 0x0000000100002000ull;
    cpu->rflags = X86_FLAGS_FIXED1 | X86_IF;
    XT_CODE(cpu, 0x48, 0x0f, 0x35);
    struct fc_rec r;
    fc_record(t, &r);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->rip, 0x0000000100002000ull);
    assert_int_equal(cpu->gpr[X86_RSP], 0x00007fffffffe000ull);
    assert_int_equal(cpu->rflags, X86_FLAGS_FIXED1 | X86_IF);
    fc_assert_seg(cpu, X86_CS, 0x2b, FC_CODE64 | FC_DPL3);
    fc_assert_seg(cpu, X86_SS, 0x33, FC_STACK | FC_DPL3);
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->code_bits, 64);
    fc_assert_explained(&r, "RSP <- RCX", 0x00007fffffffe000ull);
    fc_assert_explained(&r, "RIP <- RDX", 0x0000000100002000ull);
    fc_assert_explained(&r, "CS.sel <- SYSENTER_CS+32 | 3", 0x2b);
    fc_assert_priv(&r, 0, 3, EV_MECH_SYSEXIT);
}
static void test_sysexit32_from_64_intel(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, false);
    cpu->gpr[X86_RCX] = 0xffffffff00007000ull;
    cpu->gpr[X86_RDX] = 0xffffffff00002000ull;
    XT_CODE(cpu, 0x0f, 0x35);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->rip, 0x2000);
    assert_int_equal(cpu->gpr[X86_RSP], 0x7000);
    fc_assert_seg(cpu, X86_CS, 0x1b, FC_CODE32 | FC_DPL3);
    fc_assert_seg(cpu, X86_SS, 0x23, FC_STACK | FC_DPL3);
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->code_bits, 32);
}

/* Intel 64-bit SYSEXIT: #GP(0) if RCX or RDX is not canonical (SDM Vol. 2B SYSEXIT "64-Bit Mode
 * Exceptions"). */
static void sysexitq_noncanonical(void **state, uint64_t rcx, uint64_t rdx)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, false);
    cpu->gpr[X86_RCX] = rcx;
    cpu->gpr[X86_RDX] = rdx;
    XT_CODE(cpu, 0x48, 0x0f, 0x35);
    struct fc_snap s;
    fc_snap(cpu, &s);
    struct fc_rec r;
    fc_record(t, &r);
    fc_assert_fault(t, x86_step(cpu), FC_GP0, &s, &r);
}
static void test_sysexitq_noncanonical_rdx_gp(void **state)
{
    sysexitq_noncanonical(state, 0x7000, 0x0000800000000000ull);
}
static void test_sysexitq_noncanonical_rcx_gp(void **state)
{
    sysexitq_noncanonical(state, 0x8000000000000000ull, 0x2000);
}

/* The NOVA-style round trip of the i386 kernel: SYSENTER from ring 3, SYSEXIT back with EDX =
 * the return EIP and ECX = the user ESP, on both vendors. */
static void round_trip(void **state, bool amd)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_legacy(cpu, amd);
    xt_enter_user(cpu);
    cpu->rflags = X86_FLAGS_FIXED1 | X86_IF;
    cpu->gpr[X86_RCX] = 0x7100; /* user ESP */
    cpu->gpr[X86_RDX] = XT_CODE_ADDR + 2;
    XT_CODE(cpu, 0x0f, 0x34);
    xt_write(cpu, FC_SYSENTER_EIP, 4, 0x350ffb); /* sti; sysexit */
    assert_int_equal(xt_run1(cpu), X86_OK);
    assert_int_equal(cpu->cpl, 0);
    assert_int_equal(xt_run1(cpu), X86_OK);
    assert_int_equal(xt_run1(cpu), X86_OK);
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->rip, XT_CODE_ADDR + 2);
    assert_int_equal(cpu->gpr[X86_RSP], 0x7100);
    assert_true(cpu->rflags & X86_IF);
    assert_int_equal(cpu->seg[X86_CS].sel, 0x1b);
    assert_int_equal(cpu->seg[X86_SS].sel, 0x23);
}
static void test_round_trip_intel(void **state)
{
    round_trip(state, false);
}
static void test_round_trip_amd(void **state)
{
    round_trip(state, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
        T(test_sysenter_legacy_intel),
        T(test_sysenter_legacy_amd),
        T(test_sysenter_null_cs_intel),
        T(test_sysenter_null_cs_rpl_intel),
        T(test_sysenter_null_cs_amd),
        T(test_sysenter_real_mode_intel),
        T(test_sysenter_real_mode_amd),
        T(test_sysenter_64_intel),
        T(test_sysenter_compat_intel),
        T(test_sysenter_64_amd_ud),
        T(test_sysenter_compat_amd_ud),
        T(test_sysexitq_64_amd_ud),
        T(test_sysexit_64_amd_ud_at_cpl3),
        T(test_sysexit_compat_amd_ud),
        T(test_sysexit_legacy_intel),
        T(test_sysexit_legacy_amd),
        T(test_sysexit_cpl3_gp_intel),
        T(test_sysexit_cpl3_gp_amd),
        T(test_sysexit_null_cs_gp_intel),
        T(test_sysexit_null_cs_gp_amd),
        T(test_sysexitq_intel),
        T(test_sysexit32_from_64_intel),
        T(test_sysexitq_noncanonical_rdx_gp),
        T(test_sysexitq_noncanonical_rcx_gp),
        T(test_round_trip_intel),
        T(test_round_trip_amd),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
