/* SWAPGS (SDM Vol. 2B SWAPGS; AMD APM Vol. 3 SWAPGS), the canonical checks of WRMSR on the MSRs
 * that hold addresses (SDM Vol. 2B WRMSR; APM Vol. 2 4.5.3, 6.1.1) and the CPUID bits of the fast
 * system calls (SDM Vol. 2A CPUID Tables 3-8 and 3-11; APM Vol. 3 E.3.2, E.4.2), per vendor. */
#include "x86/fastcall_common.h"

#define KGS 0xffff888000001000ull
#define UGS 0x00007f0000002000ull

/* 64-bit mode, CPL 0: GS.base <-> KERNEL_GS_BASE; nothing else changes (both vendors). */
static void swapgs_ok(void **state, bool amd)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, amd);
    cpu->seg[X86_GS].base = UGS;
    cpu->msr[X86_MSR_KERNEL_GS_BASE] = KGS;
    XT_CODE(cpu, 0x0f, 0x01, 0xf8);
    struct fc_snap s;
    fc_snap(cpu, &s);
    struct fc_rec r;
    fc_record(t, &r);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->seg[X86_GS].base, KGS);
    assert_int_equal(cpu->msr[X86_MSR_KERNEL_GS_BASE], UGS);
    uint64_t v;
    assert_int_equal(x86_rdmsr(cpu, 0xc0000101u, &v), X86_OK); /* GS_BASE reads GS.base */
    assert_int_equal(v, KGS);
    assert_int_equal(cpu->rip, XT_CODE_ADDR + 3);
    /* the rest is as before */
    cpu->seg[X86_GS].base = s.seg[X86_GS].base;
    cpu->msr[X86_MSR_KERNEL_GS_BASE] = s.msr[X86_MSR_KERNEL_GS_BASE];
    cpu->rip = s.rip;
    fc_assert_unchanged(cpu, &s);
    assert_int_equal(r.n_priv, 0);
    fc_assert_explained(&r, "GS.base <-> KERNEL_GS_BASE", KGS);
    /* twice is the identity */
    cpu->seg[X86_GS].base = KGS;
    cpu->msr[X86_MSR_KERNEL_GS_BASE] = UGS;
    cpu->rip = XT_CODE_ADDR;
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->seg[X86_GS].base, UGS);
    assert_int_equal(cpu->msr[X86_MSR_KERNEL_GS_BASE], KGS);
}
static void test_swapgs_intel(void **state)
{
    swapgs_ok(state, false);
}
static void test_swapgs_amd(void **state)
{
    swapgs_ok(state, true);
}

/* #GP(0) at CPL != 0 in 64-bit mode; #UD outside 64-bit mode (compatibility mode at CPL 0 and
 * legacy protected mode), whatever the CPL: the mode check comes first. */
enum where { AT_64_CPL3, AT_COMPAT, AT_LEGACY };
static void swapgs_fault(void **state, bool amd, enum where w, x86_status want)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    if (w == AT_LEGACY) {
        fc_legacy(cpu, amd);
        xt_enter_user(cpu);
    } else {
        fc_long(cpu, amd);
        if (w == AT_64_CPL3)
            fc_user64(cpu);
        else
            fc_compat(cpu, 0);
    }
    cpu->seg[X86_GS].base = w == AT_LEGACY ? 0 : UGS;
    cpu->msr[X86_MSR_KERNEL_GS_BASE] = KGS;
    XT_CODE(cpu, 0x0f, 0x01, 0xf8);
    struct fc_snap s;
    fc_snap(cpu, &s);
    struct fc_rec r;
    fc_record(t, &r);
    fc_assert_fault(t, x86_step(cpu), want, &s, &r);
}
static void test_swapgs_cpl3_gp_intel(void **state)
{
    swapgs_fault(state, false, AT_64_CPL3, FC_GP0);
}
static void test_swapgs_cpl3_gp_amd(void **state)
{
    swapgs_fault(state, true, AT_64_CPL3, FC_GP0);
}
static void test_swapgs_compat_ud_intel(void **state)
{
    swapgs_fault(state, false, AT_COMPAT, FC_UD);
}
static void test_swapgs_compat_ud_amd(void **state)
{
    swapgs_fault(state, true, AT_COMPAT, FC_UD);
}
static void test_swapgs_legacy_ud_intel(void **state)
{
    swapgs_fault(state, false, AT_LEGACY, FC_UD);
}
static void test_swapgs_legacy_ud_amd(void **state)
{
    swapgs_fault(state, true, AT_LEGACY, FC_UD);
}

/* The other mod = 11B encodings of 0F 01 /7 that have no row stay #UD (0F 01 FA, AMD's MONITORX,
 * is not implemented), and INVLPG (mod != 11B) still decodes. */
static void test_group7_mod3_rows(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, false);
    XT_CODE(cpu, 0x0f, 0x01, 0xfa);
    assert_int_equal(x86_step(cpu), FC_UD);
    XT_CODE(cpu, 0x0f, 0x01, 0x38); /* invlpg [rax] */
    cpu->gpr[X86_RAX] = 0x5000;
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->rip, XT_CODE_ADDR + 3);
}

/* ---- WRMSR: canonical values ------------------------------------------------------------- */

struct msr_case {
    uint32_t number;
    bool gp_intel, gp_amd;
};
/* SDM Vol. 2B WRMSR "Protected Mode Exceptions": FS_BASE, GS_BASE, KERNEL_GS_BASE, LSTAR,
 * SYSENTER_EIP, SYSENTER_ESP (CSTAR is not listed). AMD: the FS/GS/KernelGS bases (APM Vol. 2
 * 4.5.3), LSTAR and CSTAR (6.1.1); the SYSENTER MSRs are not checked (no SYSENTER in long
 * mode). */
static const struct msr_case msr_cases[] = {
    {0xc0000100u, true, true},  /* FS_BASE */
    {0xc0000101u, true, true},  /* GS_BASE */
    {0xc0000102u, true, true},  /* KERNEL_GS_BASE */
    {0xc0000082u, true, true},  /* LSTAR */
    {0xc0000083u, false, true}, /* CSTAR */
    {0x00000175u, true, false}, /* SYSENTER_ESP */
    {0x00000176u, true, false}, /* SYSENTER_EIP */
};

static void wrmsr_noncanonical(void **state, bool amd)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, amd);
    const uint64_t bad = 0x0000800000000000ull, good = 0xffff800000001000ull;
    for (size_t i = 0; i < sizeof msr_cases / sizeof msr_cases[0]; i++) {
        const struct msr_case *c = &msr_cases[i];
        int idx = x86_msr_find(c->number);
        assert_true(idx >= 0);
        uint64_t before;
        assert_int_equal(x86_rdmsr(cpu, c->number, &before), X86_OK);
        /* through the instruction: ECX = number, EDX:EAX = value */
        cpu->rip = XT_CODE_ADDR;
        XT_CODE(cpu, 0x0f, 0x30);
        cpu->gpr[X86_RCX] = c->number;
        cpu->gpr[X86_RAX] = bad & 0xffffffffu;
        cpu->gpr[X86_RDX] = bad >> 32;
        bool gp = amd ? c->gp_amd : c->gp_intel;
        x86_status st = x86_step(cpu);
        uint64_t after;
        assert_int_equal(x86_rdmsr(cpu, c->number, &after), X86_OK);
        if (gp) {
            assert_int_equal(st, FC_GP0);
            assert_int_equal(after, before);
        } else {
            assert_int_equal(st, X86_OK);
            assert_int_equal(after, bad);
        }
        assert_int_equal(x86_wrmsr(cpu, c->number, good), X86_OK);
        assert_int_equal(x86_rdmsr(cpu, c->number, &after), X86_OK);
        assert_int_equal(after, good);
    }
}
static void test_wrmsr_noncanonical_intel(void **state)
{
    wrmsr_noncanonical(state, false);
}
static void test_wrmsr_noncanonical_amd(void **state)
{
    wrmsr_noncanonical(state, true);
}

/* ---- CPUID -------------------------------------------------------------------------------- */

static void cpuid(struct x86_cpu *cpu, uint32_t leaf, uint32_t *edx)
{
    cpu->rip = XT_CODE_ADDR;
    XT_CODE(cpu, 0x0f, 0xa2);
    cpu->gpr[X86_RAX] = leaf;
    cpu->gpr[X86_RCX] = 0;
    assert_int_equal(x86_step(cpu), X86_OK);
    *edx = (uint32_t)cpu->gpr[X86_RDX];
}

/* SEP (CPUID.1:EDX[11]) on both; SYSCALL (CPUID.80000001H:EDX[11]): AMD in every mode, Intel
 * only when CPUID runs in 64-bit mode (SDM Vol. 2A Table 3-8: "always enumerated as 0 outside
 * 64-bit mode"). */
static void test_cpuid_intel(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_legacy(cpu, false);
    uint32_t d;
    cpuid(cpu, 1, &d);
    assert_true(d & (1u << 11));
    cpuid(cpu, 0x80000001u, &d);
    assert_false(d & (1u << 11));
    assert_true(d & (1u << 29)); /* LM */
    fc_long(cpu, false);
    cpuid(cpu, 0x80000001u, &d);
    assert_true(d & (1u << 11));
    fc_compat(cpu, 0);
    cpuid(cpu, 0x80000001u, &d);
    assert_false(d & (1u << 11));
}
static void test_cpuid_amd(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_legacy(cpu, true);
    uint32_t d;
    cpuid(cpu, 1, &d);
    assert_true(d & (1u << 11));
    cpuid(cpu, 0x80000001u, &d);
    assert_true(d & (1u << 11));
    assert_true(d & (1u << 29)); /* LM */
    fc_long(cpu, true);
    cpuid(cpu, 0x80000001u, &d);
    assert_true(d & (1u << 11));
}

/* A null selector loaded into GS in 64-bit mode clears the base on both profiles (Intel SDM Vol.
 * 3A 3.4.4; AMD Zen 2), and keeps it on a profile with null_selector_keeps_base (AMD Zen 1 and
 * earlier, Linux's X86_BUG_NULL_SEG): the rule is the vendor data, not code. */
static void null_gs(void **state, const struct x86_vendor *v, uint64_t want_base)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, false);
    cpu->vendor = v;
    cpu->seg[X86_GS].base = UGS;
    cpu->gpr[X86_RAX] = 0;
    XT_CODE(cpu, 0x8e, 0xe8); /* mov gs, eax */
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->seg[X86_GS].sel, 0);
    assert_true(cpu->seg[X86_GS].attr & X86_SEG_UNUSABLE);
    assert_int_equal(cpu->seg[X86_GS].base, want_base);
}
static void test_null_selector_clears_base(void **state)
{
    null_gs(state, &x86_vendor_intel, 0);
    null_gs(state, &x86_vendor_amd, 0);
}
static void test_null_selector_keeps_base_old_amd(void **state)
{
    struct x86_vendor zen1 = x86_vendor_amd;
    zen1.null_selector_keeps_base = true;
    null_gs(state, &zen1, UGS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
        T(test_swapgs_intel),
        T(test_swapgs_amd),
        T(test_swapgs_cpl3_gp_intel),
        T(test_swapgs_cpl3_gp_amd),
        T(test_swapgs_compat_ud_intel),
        T(test_swapgs_compat_ud_amd),
        T(test_swapgs_legacy_ud_intel),
        T(test_swapgs_legacy_ud_amd),
        T(test_group7_mod3_rows),
        T(test_wrmsr_noncanonical_intel),
        T(test_wrmsr_noncanonical_amd),
        T(test_cpuid_intel),
        T(test_cpuid_amd),
        T(test_null_selector_clears_base),
        T(test_null_selector_keeps_base_old_amd),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
