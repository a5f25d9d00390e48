/* SYSCALL and SYSRET in every mode on both vendor profiles (issue 6's matrix): Intel SDM Vol. 2B
 * SYSCALL, SYSRET ("Operation" and the exception tables), AMD APM Vol. 3 SYSCALL, SYSRET. Each
 * case asserts the whole resulting state, or the exact exception with nothing changed and no
 * event emitted. */
#include "x86/fastcall_common.h"

#define USER_FLAGS (X86_FLAGS_FIXED1 | X86_IF | X86_TF | X86_DF | X86_CF | X86_ZF | X86_AC)

/* ---- SYSCALL in 64-bit mode: both vendors (SDM Vol. 2B SYSCALL; APM Vol. 3 SYSCALL_LONG_MODE) */
static void syscall_64(void **state, bool amd)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, amd);
    fc_user64(cpu);
    cpu->gpr[X86_RSP] = 0x7ff0;
    cpu->gpr[X86_RCX] = 0x1111;
    cpu->gpr[11] = 0x2222;
    cpu->rflags = USER_FLAGS;
    uint64_t gs = cpu->seg[X86_GS].base;
    XT_CODE(cpu, 0x0f, 0x05);
    struct fc_rec r;
    fc_record(t, &r);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->rip, FC_LSTAR);
    assert_int_equal(cpu->gpr[X86_RCX], XT_CODE_ADDR + 2);
    assert_int_equal(cpu->gpr[11], USER_FLAGS);
    assert_int_equal(cpu->rflags, (USER_FLAGS & ~(uint64_t)FC_SFMASK) | X86_FLAGS_FIXED1);
    assert_int_equal(cpu->gpr[X86_RSP], 0x7ff0); /* SYSCALL does not touch RSP */
    fc_assert_seg(cpu, X86_CS, 0x50, FC_CODE64);
    fc_assert_seg(cpu, X86_SS, 0x58, FC_STACK);
    assert_int_equal(cpu->cpl, 0);
    assert_int_equal(cpu->code_bits, 64);
    assert_int_equal(cpu->seg[X86_GS].base, gs);
    assert_int_equal(t->m.insns, 1);
    fc_assert_explained(&r, "RCX <- RIP", XT_CODE_ADDR + 2);
    fc_assert_explained(&r, "R11 <- RFLAGS", USER_FLAGS);
    fc_assert_explained(&r, "RIP <- LSTAR", FC_LSTAR);
    fc_assert_explained(&r, "RFLAGS <- RFLAGS & ~SFMASK", cpu->rflags);
    fc_assert_explained(&r, "CS.sel <- STAR[47:32]", 0x50);
    fc_assert_explained(&r, "SS.sel <- STAR[47:32]+8", 0x58);
    fc_assert_priv(&r, 3, 0, EV_MECH_SYSCALL);
}
static void test_syscall_64_intel(void **state)
{
    syscall_64(state, false);
}
static void test_syscall_64_amd(void **state)
{
    syscall_64(state, true);
}

/* SDM Vol. 2B SYSCALL: CS.sel = STAR[47:32] AND FFFCH, SS.sel = STAR[47:32] + 8 (the RPL bits of
 * the field reach SS unmasked). */
static void test_syscall_star_rpl_bits(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, false);
    fc_user64(cpu);
    cpu->msr[X86_MSR_STAR] = 0x0053ull << 32;
    XT_CODE(cpu, 0x0f, 0x05);
    assert_int_equal(x86_step(cpu), X86_OK);
    fc_assert_seg(cpu, X86_CS, 0x50, FC_CODE64);
    fc_assert_seg(cpu, X86_SS, 0x5b, FC_STACK);
}

/* SDM Vol. 2B SYSCALL / APM Vol. 3 SYSCALL: #UD when EFER.SCE = 0, on both vendors and in
 * 64-bit and legacy mode. */
static void syscall_sce0(void **state, bool amd, bool legacy)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    if (legacy) {
        fc_legacy(cpu, amd);
        xt_enter_user(cpu);
    } else {
        fc_long(cpu, amd);
        fc_user64(cpu);
    }
    cpu->msr[X86_MSR_EFER] &= ~(uint64_t)X86_EFER_SCE;
    XT_CODE(cpu, 0x0f, 0x05);
    struct fc_snap s;
    fc_snap(cpu, &s);
    struct fc_rec r;
    fc_record(t, &r);
    fc_assert_fault(t, x86_step(cpu), FC_UD, &s, &r);
}
static void test_syscall_sce0_ud_intel(void **state)
{
    syscall_sce0(state, false, false);
}
static void test_syscall_sce0_ud_amd(void **state)
{
    syscall_sce0(state, true, false);
}
static void test_syscall_sce0_ud_legacy_amd(void **state)
{
    syscall_sce0(state, true, true);
}

/* Legacy protected mode: Intel #UD (SDM Vol. 2B SYSCALL "Protected Mode Exceptions"); AMD
 * SYSCALL_LEGACY_MODE (APM Vol. 3 SYSCALL): ECX = next EIP, EIP = STAR[31:0], RFLAGS.VM/IF/RF
 * cleared (SFMASK not applied, R11 untouched), 32-bit flat CS/SS at DPL 0. */
static void test_syscall_legacy_intel_ud(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_legacy(cpu, false);
    xt_enter_user(cpu);
    XT_CODE(cpu, 0x0f, 0x05);
    struct fc_snap s;
    fc_snap(cpu, &s);
    struct fc_rec r;
    fc_record(t, &r);
    fc_assert_fault(t, x86_step(cpu), FC_UD, &s, &r);
}
static void test_syscall_legacy_amd(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_legacy(cpu, true);
    xt_enter_user(cpu);
    cpu->gpr[X86_RSP] = 0x7000;
    cpu->gpr[11] = 0x2222;
    cpu->rflags = USER_FLAGS;
    XT_CODE(cpu, 0x0f, 0x05);
    struct fc_rec r;
    fc_record(t, &r);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->rip, FC_STAR_LEGACY_EIP);
    assert_int_equal(cpu->gpr[X86_RCX], XT_CODE_ADDR + 2);
    assert_int_equal(cpu->gpr[11], 0x2222);
    assert_int_equal(cpu->rflags, USER_FLAGS & ~(uint64_t)X86_IF);
    assert_int_equal(cpu->gpr[X86_RSP], 0x7000);
    fc_assert_seg(cpu, X86_CS, 0x50, FC_CODE32);
    fc_assert_seg(cpu, X86_SS, 0x58, FC_STACK);
    assert_int_equal(cpu->cpl, 0);
    assert_int_equal(cpu->code_bits, 32);
    fc_assert_explained(&r, "ECX <- EIP", XT_CODE_ADDR + 2);
    fc_assert_explained(&r, "EIP <- STAR[31:0]", FC_STAR_LEGACY_EIP);
    fc_assert_priv(&r, 3, 0, EV_MECH_SYSCALL);
}

/* Compatibility mode: Intel #UD (SDM Vol. 2B SYSCALL "Compatibility Mode Exceptions"); AMD
 * SYSCALL_LONG_MODE with RIP = CSTAR (APM Vol. 3 SYSCALL), into 64-bit mode. */
static void test_syscall_compat_intel_ud(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, false);
    fc_compat(cpu, 3);
    XT_CODE(cpu, 0x0f, 0x05);
    struct fc_snap s;
    fc_snap(cpu, &s);
    struct fc_rec r;
    fc_record(t, &r);
    fc_assert_fault(t, x86_step(cpu), FC_UD, &s, &r);
}
static void test_syscall_compat_amd(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, true);
    fc_compat(cpu, 3);
    cpu->gpr[X86_RCX] = 0xdeadbeef00000000ull;
    cpu->rflags = USER_FLAGS;
    XT_CODE(cpu, 0x0f, 0x05);
    struct fc_rec r;
    fc_record(t, &r);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->rip, FC_CSTAR);
    assert_int_equal(cpu->gpr[X86_RCX], XT_CODE_ADDR + 2);
    assert_int_equal(cpu->gpr[11], USER_FLAGS);
    assert_int_equal(cpu->rflags, (USER_FLAGS & ~(uint64_t)FC_SFMASK) | X86_FLAGS_FIXED1);
    fc_assert_seg(cpu, X86_CS, 0x50, FC_CODE64);
    fc_assert_seg(cpu, X86_SS, 0x58, FC_STACK);
    assert_int_equal(cpu->cpl, 0);
    assert_int_equal(cpu->code_bits, 64);
    fc_assert_explained(&r, "RIP <- CSTAR", FC_CSTAR);
    fc_assert_priv(&r, 3, 0, EV_MECH_SYSCALL);
}

/* ---- SYSRET ------------------------------------------------------------------------------- */

/* 64-bit SYSRET (REX.W): RIP = RCX, RFLAGS = (R11 & 3C7FD7H) | 2, CS = STAR[63:48] + 16 | 3 with
 * 64-bit DPL-3 attributes, SS.sel = STAR[63:48] + 8 | 3, CPL 3 (SDM Vol. 2B SYSRET, APM Vol. 3
 * SYSRET). SS's cache: Intel loads flat DPL-3 attributes; AMD keeps the old ones ("SS base,
 * limit, attributes unchanged"). */
static void sysretq(void **state, bool amd)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, amd);
    /* the SS cache a SYSCALL left, marked so that AMD's "unchanged" is visible */
    x86_set_seg(cpu, X86_SS, 0x58, 0x1000, 0xfffff, FC_STACK);
    cpu->gpr[X86_RCX] = 0x2345;
    cpu->gpr[11] = 0xffffffffffffffffull; /* every bit: the mask decides */
    cpu->gpr[X86_RSP] = 0x7788;
    uint64_t gs = cpu->seg[X86_GS].base;
    XT_CODE(cpu, 0x48, 0x0f, 0x07);
    struct fc_rec r;
    fc_record(t, &r);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->rip, 0x2345);
    assert_int_equal(cpu->rflags, 0x3c7fd7u | X86_FLAGS_FIXED1);
    assert_false(cpu->rflags & (X86_RF | X86_VM));
    assert_int_equal(cpu->gpr[X86_RSP], 0x7788);
    assert_int_equal(cpu->gpr[X86_RCX], 0x2345);
    fc_assert_seg(cpu, X86_CS, 0x6b, FC_CODE64 | FC_DPL3);
    if (amd) {
        assert_int_equal(cpu->seg[X86_SS].sel, 0x63);
        assert_int_equal(cpu->seg[X86_SS].base, 0x1000);
        assert_int_equal(cpu->seg[X86_SS].limit, 0xfffff);
        assert_int_equal(cpu->seg[X86_SS].attr, FC_STACK);
    } else {
        fc_assert_seg(cpu, X86_SS, 0x63, FC_STACK | FC_DPL3);
    }
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->code_bits, 64);
    assert_int_equal(cpu->seg[X86_GS].base, gs);
    fc_assert_explained(&r, "RIP <- RCX", 0x2345);
    fc_assert_explained(&r, "RFLAGS <- R11", cpu->rflags);
    fc_assert_explained(&r, "CS.sel <- STAR[63:48]+16 | 3", 0x6b);
    fc_assert_priv(&r, 0, 3, EV_MECH_SYSRET);
}
static void test_sysretq_intel(void **state)
{
    sysretq(state, false);
}
static void test_sysretq_amd(void **state)
{
    sysretq(state, true);
}

/* SYSRET without REX.W from 64-bit mode: to compatibility mode, RIP = ECX, CS = STAR[63:48] | 3
 * with 32-bit attributes (SDM Vol. 2B SYSRET; APM Vol. 3 SYSRET, OPERAND_SIZE 32). */
static void sysret32(void **state, bool amd)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, amd);
    cpu->gpr[X86_RCX] = 0xffffffff00012345ull;
    cpu->gpr[11] = X86_IF | X86_CF;
    XT_CODE(cpu, 0x0f, 0x07);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->rip, 0x12345);
    assert_int_equal(cpu->rflags, X86_IF | X86_CF | X86_FLAGS_FIXED1);
    fc_assert_seg(cpu, X86_CS, 0x5b, FC_CODE32 | FC_DPL3);
    assert_int_equal(cpu->seg[X86_SS].sel, 0x63);
    if (!amd) assert_int_equal(cpu->seg[X86_SS].attr, FC_STACK | FC_DPL3);
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->code_bits, 32);
}
static void test_sysret32_intel(void **state)
{
    sysret32(state, false);
}
static void test_sysret32_amd(void **state)
{
    sysret32(state, true);
}

/* SYSRET to a non-canonical RCX: Intel #GP(0) at CPL 0 with nothing changed (SDM Vol. 2B SYSRET
 * "Operation": IF (RCX is not canonical) THEN #GP(0)); AMD completes the return and the fetch at
 * CPL 3 raises #GP(0) (APM Vol. 3 SYSRET has no such check; the fault is the user's). */
static void test_sysret_noncanonical_intel_gp_ring0(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, false);
    cpu->gpr[X86_RCX] = 0x0000800000000000ull;
    XT_CODE(cpu, 0x48, 0x0f, 0x07);
    struct fc_snap s;
    fc_snap(cpu, &s);
    struct fc_rec r;
    fc_record(t, &r);
    fc_assert_fault(t, x86_step(cpu), FC_GP0, &s, &r);
    assert_int_equal(cpu->cpl, 0);
}
static void test_sysret_noncanonical_amd_faults_in_ring3(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, true);
    cpu->gpr[X86_RCX] = 0x0000800000000000ull;
    XT_CODE(cpu, 0x48, 0x0f, 0x07);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->rip, 0x0000800000000000ull);
    fc_assert_seg(cpu, X86_CS, 0x6b, FC_CODE64 | FC_DPL3);
    struct fc_snap s;
    fc_snap(cpu, &s);
    /* the next fetch: #GP(0), now at CPL 3 */
    assert_int_equal(x86_step(cpu), FC_GP0);
    fc_assert_unchanged(cpu, &s);
}

/* SYSRET at CPL 3: #GP(0) on both (SDM Vol. 2B SYSRET: IF CPL != 0 THEN #GP(0); APM Vol. 3). */
static void sysret_cpl3(void **state, bool amd)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, amd);
    fc_user64(cpu);
    cpu->gpr[X86_RCX] = 0x2000;
    XT_CODE(cpu, 0x48, 0x0f, 0x07);
    struct fc_snap s;
    fc_snap(cpu, &s);
    struct fc_rec r;
    fc_record(t, &r);
    fc_assert_fault(t, x86_step(cpu), FC_GP0, &s, &r);
}
static void test_sysret_cpl3_gp_intel(void **state)
{
    sysret_cpl3(state, false);
}
static void test_sysret_cpl3_gp_amd(void **state)
{
    sysret_cpl3(state, true);
}

/* SYSRET with EFER.SCE = 0: #UD, even at CPL 3 (the #UD check comes first on both). */
static void sysret_sce0(void **state, bool amd)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, amd);
    fc_user64(cpu);
    cpu->msr[X86_MSR_EFER] &= ~(uint64_t)X86_EFER_SCE;
    XT_CODE(cpu, 0x48, 0x0f, 0x07);
    struct fc_snap s;
    fc_snap(cpu, &s);
    struct fc_rec r;
    fc_record(t, &r);
    fc_assert_fault(t, x86_step(cpu), FC_UD, &s, &r);
}
static void test_sysret_sce0_ud_intel(void **state)
{
    sysret_sce0(state, false);
}
static void test_sysret_sce0_ud_amd(void **state)
{
    sysret_sce0(state, true);
}

/* Legacy protected mode: Intel #UD (SDM Vol. 2B SYSRET "Protected Mode Exceptions"); AMD
 * SYSRET_LEGACY_MODE (APM Vol. 3 SYSRET): EIP = ECX, CS = STAR[63:48] | 3 32-bit DPL 3,
 * SS.sel = STAR[63:48] + 8 | 3 with its attributes unchanged, RFLAGS.IF = 1 (R11 unused). */
static void test_sysret_legacy_intel_ud(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_legacy(cpu, false);
    XT_CODE(cpu, 0x0f, 0x07);
    struct fc_snap s;
    fc_snap(cpu, &s);
    struct fc_rec r;
    fc_record(t, &r);
    fc_assert_fault(t, x86_step(cpu), FC_UD, &s, &r);
}
static void test_sysret_legacy_amd(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_legacy(cpu, true);
    cpu->gpr[X86_RCX] = 0x2468;
    cpu->gpr[11] = 0;
    cpu->rflags = X86_FLAGS_FIXED1 | X86_CF;
    struct x86_seg ss = cpu->seg[X86_SS];
    XT_CODE(cpu, 0x0f, 0x07);
    struct fc_rec r;
    fc_record(t, &r);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->rip, 0x2468);
    assert_int_equal(cpu->rflags, X86_FLAGS_FIXED1 | X86_CF | X86_IF);
    fc_assert_seg(cpu, X86_CS, 0x5b, FC_CODE32 | FC_DPL3);
    assert_int_equal(cpu->seg[X86_SS].sel, 0x63);
    assert_int_equal(cpu->seg[X86_SS].attr, ss.attr);
    assert_int_equal(cpu->seg[X86_SS].base, ss.base);
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->code_bits, 32);
    fc_assert_explained(&r, "RFLAGS.IF <- 1", cpu->rflags);
    fc_assert_priv(&r, 0, 3, EV_MECH_SYSRET);
}

/* Compatibility mode at CPL 0: Intel #UD (SYSRET is 64-bit mode only); AMD returns as from
 * 64-bit mode (APM Vol. 3 SYSRET: LONG_MODE covers compatibility mode). The table says
 * "n/a" here; the APM makes it a real cell. */
static void test_sysret_compat_intel_ud(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, false);
    fc_compat(cpu, 0);
    XT_CODE(cpu, 0x0f, 0x07);
    struct fc_snap s;
    fc_snap(cpu, &s);
    struct fc_rec r;
    fc_record(t, &r);
    fc_assert_fault(t, x86_step(cpu), FC_UD, &s, &r);
}
static void test_sysret_compat_amd(void **state)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, true);
    fc_compat(cpu, 0);
    cpu->gpr[X86_RCX] = 0x1357;
    cpu->gpr[11] = X86_IF;
    XT_CODE(cpu, 0x0f, 0x07);
    assert_int_equal(x86_step(cpu), X86_OK);
    assert_int_equal(cpu->rip, 0x1357);
    assert_int_equal(cpu->rflags, X86_IF | X86_FLAGS_FIXED1);
    fc_assert_seg(cpu, X86_CS, 0x5b, FC_CODE32 | FC_DPL3);
    assert_int_equal(cpu->seg[X86_SS].sel, 0x63);
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->code_bits, 32);
}

/* Real mode: Intel #UD (not 64-bit mode), AMD #GP(0) ("IF (!PROTECTED_MODE) || (CPL != 0)"). */
static void sysret_real(void **state, bool amd)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_vendor(cpu, amd);
    fc_msrs(cpu);
    cpu->cr0 &= ~(uint64_t)X86_CR0_PE;
    x86_set_seg(cpu, X86_CS, 0, 0, 0xffff, 0xbu | X86_SEG_S | X86_SEG_P);
    XT_CODE(cpu, 0x0f, 0x07);
    struct fc_snap s;
    fc_snap(cpu, &s);
    struct fc_rec r;
    fc_record(t, &r);
    fc_assert_fault(t, x86_step(cpu), amd ? FC_GP0 : FC_UD, &s, &r);
}
static void test_sysret_real_mode_intel_ud(void **state)
{
    sysret_real(state, false);
}
static void test_sysret_real_mode_amd_gp(void **state)
{
    sysret_real(state, true);
}

/* The round trip ring 3 -> ring 0 -> ring 3 through SYSCALL and SYSRETQ, on the run loop's
 * path (xt_run1): the user's RIP and RFLAGS come back through RCX and R11. */
static void round_trip(void **state, bool amd)
{
    struct xt *t = *state;
    struct x86_cpu *cpu = t->cpu;
    fc_long(cpu, amd);
    fc_user64(cpu);
    cpu->rflags = X86_FLAGS_FIXED1 | X86_IF | X86_CF;
    XT_CODE(cpu, 0x0f, 0x05);
    xt_write(cpu, FC_LSTAR, 4, 0x070f48); /* sysretq */
    assert_int_equal(xt_run1(cpu), X86_OK);
    assert_int_equal(cpu->cpl, 0);
    assert_false(cpu->rflags & X86_IF);
    assert_int_equal(xt_run1(cpu), X86_OK);
    assert_int_equal(cpu->cpl, 3);
    assert_int_equal(cpu->rip, XT_CODE_ADDR + 2);
    assert_int_equal(cpu->rflags, X86_FLAGS_FIXED1 | X86_IF | X86_CF);
    assert_int_equal(cpu->seg[X86_CS].sel, 0x6b);
    assert_int_equal(cpu->seg[X86_SS].sel, 0x63);
    assert_int_equal(t->m.insns, 2);
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
        T(test_syscall_64_intel),
        T(test_syscall_64_amd),
        T(test_syscall_star_rpl_bits),
        T(test_syscall_sce0_ud_intel),
        T(test_syscall_sce0_ud_amd),
        T(test_syscall_sce0_ud_legacy_amd),
        T(test_syscall_legacy_intel_ud),
        T(test_syscall_legacy_amd),
        T(test_syscall_compat_intel_ud),
        T(test_syscall_compat_amd),
        T(test_sysretq_intel),
        T(test_sysretq_amd),
        T(test_sysret32_intel),
        T(test_sysret32_amd),
        T(test_sysret_noncanonical_intel_gp_ring0),
        T(test_sysret_noncanonical_amd_faults_in_ring3),
        T(test_sysret_cpl3_gp_intel),
        T(test_sysret_cpl3_gp_amd),
        T(test_sysret_sce0_ud_intel),
        T(test_sysret_sce0_ud_amd),
        T(test_sysret_legacy_intel_ud),
        T(test_sysret_legacy_amd),
        T(test_sysret_compat_intel_ud),
        T(test_sysret_compat_amd),
        T(test_sysret_real_mode_intel_ud),
        T(test_sysret_real_mode_amd_gp),
        T(test_round_trip_intel),
        T(test_round_trip_amd),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
