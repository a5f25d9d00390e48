/* Shared by the fast system-call tests (test_fastcall_*.c): the environments (legacy protected
 * mode, 64-bit and compatibility mode, ring 0 and ring 3, either vendor), a snapshot of the
 * architectural state to prove that a faulting instruction changed nothing, and a recorder of
 * the EV_EXPLAIN / EV_PRIV events an instruction emits. */
#ifndef RINGSIDE_TESTS_X86_FASTCALL_COMMON_H
#define RINGSIDE_TESTS_X86_FASTCALL_COMMON_H

#include "x86/helpers.h"

/* The fixed descriptor caches of the SDM/APM pseudo-code (x86.h attr encoding). */
#define FC_CODE64 (0xbu | X86_SEG_S | X86_SEG_P | X86_SEG_L | X86_SEG_G)
#define FC_CODE32 (0xbu | X86_SEG_S | X86_SEG_P | X86_SEG_DB | X86_SEG_G)
#define FC_STACK  (0x3u | X86_SEG_S | X86_SEG_P | X86_SEG_DB | X86_SEG_G)
#define FC_DPL3   (3u << 5)

#define FC_GP0 X86_TRAP_EC(X86_VEC_GP, 0)
#define FC_UD  X86_TRAP(X86_VEC_UD)

/* STAR as a Linux-style kernel sets it in xt_lm_env's GDT: SYSCALL CS = 0x50 (SS 0x58), SYSRET
 * base 0x5b: CS = 0x6b (64-bit) or 0x5b (32-bit), SS = 0x63. Target EIP for legacy SYSCALL in
 * STAR[31:0]. */
#define FC_STAR_LEGACY_EIP 0x3000u
#define FC_STAR            (0x005bull << 48 | 0x0050ull << 32 | FC_STAR_LEGACY_EIP)
#define FC_LSTAR           0x4000u
#define FC_CSTAR           0x5000u
#define FC_SFMASK          (X86_IF | X86_TF | X86_DF | X86_AC)
/* SYSENTER: kernel CS 0x08 (SS 0x10); SYSEXIT 32-bit CS 0x1b SS 0x23; 64-bit CS 0x2b SS 0x33 */
#define FC_SYSENTER_CS  0x08u
#define FC_SYSENTER_ESP 0x6000u
#define FC_SYSENTER_EIP 0x3800u

static inline void fc_vendor(struct x86_cpu *cpu, bool amd)
{
    cpu->vendor = amd ? &x86_vendor_amd : &x86_vendor_intel;
}

static inline void fc_msrs(struct x86_cpu *cpu)
{
    cpu->msr[X86_MSR_EFER] |= X86_EFER_SCE;
    cpu->msr[X86_MSR_STAR] = FC_STAR;
    cpu->msr[X86_MSR_LSTAR] = FC_LSTAR;
    cpu->msr[X86_MSR_CSTAR] = FC_CSTAR;
    cpu->msr[X86_MSR_SFMASK] = FC_SFMASK;
    cpu->msr[X86_MSR_SYSENTER_CS] = FC_SYSENTER_CS;
    cpu->msr[X86_MSR_SYSENTER_ESP] = FC_SYSENTER_ESP;
    cpu->msr[X86_MSR_SYSENTER_EIP] = FC_SYSENTER_EIP;
}

/* Legacy protected mode (xt_pm_env), CPL 0, the MSRs set. */
static inline void fc_legacy(struct x86_cpu *cpu, bool amd)
{
    fc_vendor(cpu, amd);
    xt_pm_env(cpu);
    fc_msrs(cpu);
}
/* Long mode (xt_lm_env), 64-bit mode at CPL 0, the MSRs set. */
static inline void fc_long(struct x86_cpu *cpu, bool amd)
{
    fc_vendor(cpu, amd);
    xt_lm_env(cpu);
    fc_msrs(cpu);
}
/* Ring 3 in 64-bit mode (long mode must be set up). */
static inline void fc_user64(struct x86_cpu *cpu)
{
    xt_load_cache(cpu, X86_CS, XT_LM_UCODE);
    xt_load_cache(cpu, X86_SS, XT_LM_UDATA);
    xt_load_cache(cpu, X86_DS, XT_LM_UDATA);
    xt_load_cache(cpu, X86_ES, XT_LM_UDATA);
    cpu->cpl = 3;
}
/* Compatibility mode (32-bit code with EFER.LMA = 1) at privilege cpl. */
static inline void fc_compat(struct x86_cpu *cpu, unsigned cpl)
{
    uint32_t dpl = cpl << 5;
    x86_set_seg(cpu, X86_CS, (uint16_t)(0x78 | cpl), 0, 0xffffffffu, FC_CODE32 | dpl);
    x86_set_seg(cpu, X86_SS, (uint16_t)(0x80 | cpl), 0, 0xffffffffu, FC_STACK | dpl);
    cpu->cpl = cpl;
    assert_int_equal(cpu->code_bits, 32);
}

/* ---- State snapshot ------------------------------------------------------------------------ */

struct fc_snap {
    uint64_t gpr[16], rip, rflags;
    struct x86_seg seg[X86_NSEG];
    unsigned cpl, code_bits;
    uint64_t msr[X86_MSR_COUNT];
};

static inline void fc_snap(const struct x86_cpu *cpu, struct fc_snap *s)
{
    memcpy(s->gpr, cpu->gpr, sizeof s->gpr);
    s->rip = cpu->rip;
    s->rflags = cpu->rflags;
    for (unsigned i = 0; i < X86_NSEG; i++)
        s->seg[i] = cpu->seg[i];
    s->cpl = cpu->cpl;
    s->code_bits = cpu->code_bits;
    memcpy(s->msr, cpu->msr, sizeof s->msr);
}

static inline void fc_assert_unchanged(const struct x86_cpu *cpu, const struct fc_snap *s)
{
    for (unsigned i = 0; i < 16; i++)
        assert_int_equal(cpu->gpr[i], s->gpr[i]);
    assert_int_equal(cpu->rip, s->rip);
    assert_int_equal(cpu->rflags, s->rflags);
    for (unsigned i = 0; i < X86_NSEG; i++) {
        assert_int_equal(cpu->seg[i].sel, s->seg[i].sel);
        assert_int_equal(cpu->seg[i].attr, s->seg[i].attr);
        assert_int_equal(cpu->seg[i].base, s->seg[i].base);
        assert_int_equal(cpu->seg[i].limit, s->seg[i].limit);
    }
    assert_int_equal(cpu->cpl, s->cpl);
    assert_int_equal(cpu->code_bits, s->code_bits);
    for (unsigned i = 0; i < X86_MSR_COUNT; i++)
        assert_int_equal(cpu->msr[i], s->msr[i]);
}

/* A flat segment cache: selector, base 0, 4 GiB limit, attributes. */
static inline void fc_assert_seg(const struct x86_cpu *cpu, enum x86_sreg sreg, uint16_t sel,
                                 uint32_t attr)
{
    assert_int_equal(cpu->seg[sreg].sel, sel);
    assert_int_equal(cpu->seg[sreg].base, 0);
    assert_int_equal(cpu->seg[sreg].limit, 0xffffffffu);
    assert_int_equal(cpu->seg[sreg].attr, attr);
}

/* ---- Events -------------------------------------------------------------------------------- */

#define FC_MAX_EV 16
struct fc_rec {
    unsigned n_explain, n_priv;
    const char *text[FC_MAX_EV];
    uint64_t value[FC_MAX_EV];
    unsigned priv_from, priv_to, priv_mech;
    unsigned explains_before_priv;
};

static inline void fc_on_event(void *opaque, const struct ev *e)
{
    struct fc_rec *r = opaque;
    if (e->kind == EV_EXPLAIN) {
        if (r->n_explain < FC_MAX_EV) {
            r->text[r->n_explain] = e->explain.text;
            r->value[r->n_explain] = e->explain.value;
        }
        r->n_explain++;
    } else if (e->kind == EV_PRIV) {
        r->n_priv++;
        r->priv_from = e->priv.from;
        r->priv_to = e->priv.to;
        r->priv_mech = e->priv.mech;
        r->explains_before_priv = r->n_explain;
    }
}

static inline void fc_record(struct xt *t, struct fc_rec *r)
{
    memset(r, 0, sizeof *r);
    assert_true(
        ev_subscribe(&t->m.events, EV_MASK(EV_EXPLAIN) | EV_MASK(EV_PRIV), fc_on_event, r) >= 0);
}

/* The explanation text was emitted with this value. */
static inline void fc_assert_explained(const struct fc_rec *r, const char *text, uint64_t value)
{
    for (unsigned i = 0; i < r->n_explain && i < FC_MAX_EV; i++)
        if (!strcmp(r->text[i], text)) {
            assert_int_equal(r->value[i], value);
            return;
        }
    fail_msg("no EV_EXPLAIN \"%s\"", text);
}

/* One privilege change from -> to by mech, after all the explanations. */
static inline void fc_assert_priv(const struct fc_rec *r, unsigned from, unsigned to,
                                  enum ev_mech mech)
{
    assert_int_equal(r->n_priv, 1);
    assert_int_equal(r->priv_from, from);
    assert_int_equal(r->priv_to, to);
    assert_int_equal(r->priv_mech, mech);
    assert_int_equal(r->explains_before_priv, r->n_explain);
}

/* A fault: the exact exception, nothing changed, nothing explained, nothing retired. */
static inline void fc_assert_fault(struct xt *t, x86_status st, x86_status want,
                                   const struct fc_snap *s, const struct fc_rec *r)
{
    assert_int_equal(st, want);
    fc_assert_unchanged(t->cpu, s);
    assert_int_equal(r->n_explain, 0);
    assert_int_equal(r->n_priv, 0);
    assert_int_equal(t->m.insns, 0);
}

#endif
