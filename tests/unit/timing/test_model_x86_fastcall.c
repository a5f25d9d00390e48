/* The x86 fast system calls in the cycle model: SYSCALL, SYSRET, SYSENTER, SYSEXIT and SWAPGS
 * each have an operation class of their own (src/cpu/x86/opcodes.def), and the model prices each
 * by its profile's step table for that class (src/timing/profile_x86.c). On a synthetic event
 * stream in the core's order (EV_PRIV during execution, the tick, then EV_INSN), the cycles from
 * the instruction's issue to the next instruction's issue are the sum of its steps, computed here
 * from the step table itself, never typed in. Also: the Intel and AMD profiles price an
 * instruction differently exactly where their tables differ, and on both SYSRET is a cheaper
 * return to ring 3 than IRET (Linux commit 2a23c6b8a9c4, shared/reference/timing.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/x86/internal.h"
#include "timing/timing.h"

struct fast {
    const char *name;
    unsigned cls;
    enum tm_x86_flow flow;
    bool priv; /* the core reports a privilege change (SWAPGS: none) */
    uint8_t from, to, mech;
};

static const struct fast fast[] = {
    {"syscall", X86_CLASS_SYSCALL, TM_X86_SYSCALL, true, 3, 0, EV_MECH_SYSCALL},
    {"sysret", X86_CLASS_SYSRET, TM_X86_SYSRET, true, 0, 3, EV_MECH_SYSRET},
    {"sysenter", X86_CLASS_SYSENTER, TM_X86_SYSENTER, true, 3, 0, EV_MECH_SYSENTER},
    {"sysexit", X86_CLASS_SYSEXIT, TM_X86_SYSEXIT, true, 0, 3, EV_MECH_SYSEXIT},
    {"swapgs", X86_CLASS_SWAPGS, TM_X86_SWAPGS, false, 0, 0, 0},
};
#define NFAST (sizeof fast / sizeof fast[0])

struct fx {
    struct machine m;
    struct tm_model md;
};

static void start(struct fx *f, const struct tm_profile *p)
{
    memset(f, 0, sizeof *f);
    ev_stream_init(&f->m.events);
    f->m.arch = ARCH_I386;
    f->m.limit_time = UINT64_MAX;
    assert_int_equal(tm_model_init(&f->md, p, &f->m), 0);
    assert_true(ev_subscribe(&f->m.events, EV_MASK_ALL, tm_model_event, &f->md) >= 0);
}

static void stop(struct fx *f)
{
    tm_model_destroy(&f->md);
}

static void retire(struct fx *f, uint64_t pc, unsigned cls, uint8_t len)
{
    f->m.insns++;
    f->m.time++;
    struct ev e = {.kind = EV_INSN, .pc = pc};
    e.insn.op_class = (uint16_t)cls;
    e.insn.len = len;
    ev_emit(&f->m.events, &e);
}

static void priv(struct fx *f, uint64_t pc, uint8_t from, uint8_t to, uint8_t mech)
{
    struct ev e = {.kind = EV_PRIV, .pc = pc};
    e.priv.from = from;
    e.priv.to = to;
    e.priv.mech = mech;
    ev_emit(&f->m.events, &e);
}

/* nop at pc, the instruction of class cls at pc + 1 (with its EV_PRIV first when it changes the
 * privilege), nop at target: cycles from the instruction's issue to the target's issue. */
static uint64_t step_once(struct fx *f, uint64_t pc, unsigned cls, bool has_priv, uint8_t from,
                          uint8_t to, uint8_t mech, uint64_t target)
{
    retire(f, pc, X86_CLASS_NOP, 1);
    if (has_priv) priv(f, target, from, to, mech);
    retire(f, pc + 1, cls, cls == X86_CLASS_INT ? 1 : 2);
    uint64_t issue = f->md.now;
    retire(f, target, X86_CLASS_NOP, 1);
    return f->md.now - issue;
}

/* The same sequence twice: the first warms the modeled L1I and TLBs, the second is measured. */
static uint64_t measure(const struct tm_profile *p, unsigned cls, bool has_priv, uint8_t from,
                        uint8_t to, uint8_t mech)
{
    struct fx *f = malloc(sizeof *f);
    assert_non_null(f);
    start(f, p);
    step_once(f, 0x1000, cls, has_priv, from, to, mech, 0x2000);
    uint64_t cycles = step_once(f, 0x1000, cls, has_priv, from, to, mech, 0x2000);
    stop(f);
    free(f);
    return cycles;
}

/* The sum of a step table, added up here (the model's own tm_steps_cycles is what is tested). */
static unsigned table_sum(const struct tm_steps *s)
{
    unsigned sum = 0;
    for (unsigned i = 0; i < s->n; i++)
        sum += s->step[i].cycles;
    return sum;
}

static void each_fast_call_costs_its_own_steps(void **state)
{
    (void)state;
    const struct tm_profile *profiles[] = {&tm_profile_intel, &tm_profile_amd};
    for (unsigned i = 0; i < 2; i++)
        for (unsigned k = 0; k < NFAST; k++) {
            const struct fast *x = &fast[k];
            const struct tm_steps *t = &profiles[i]->x86[x->flow];
            assert_true(t->n > 0);
            uint64_t got = measure(profiles[i], x->cls, x->priv, x->from, x->to, x->mech);
            if (got != table_sum(t))
                fail_msg("%s %s: %llu cycles, its steps add up to %u", profiles[i]->name, x->name,
                         (unsigned long long)got, table_sum(t));
            assert_int_equal(tm_steps_cycles(t), table_sum(t));
        }
}

/* The class selects the table, not the mechanism of the EV_PRIV: an instruction of a plain
 * serializing class with a SYSCALL privilege change costs its class's issue, not SYSCALL's
 * steps; and SWAPGS, which reports no privilege change, still costs its steps (above). */
static void the_class_selects_the_table(void **state)
{
    (void)state;
    const struct tm_profile *p = &tm_profile_intel;
    uint64_t serial = measure(p, X86_CLASS_SERIAL, true, 3, 0, EV_MECH_SYSCALL);
    assert_int_equal(serial, p->issue[X86_CLASS_SERIAL]);
    assert_int_not_equal(serial, table_sum(&p->x86[TM_X86_SYSCALL]));
}

static void intel_and_amd_differ_where_their_tables_do(void **state)
{
    (void)state;
    unsigned differ = 0;
    for (unsigned k = 0; k < NFAST; k++) {
        const struct fast *x = &fast[k];
        unsigned ti = table_sum(&tm_profile_intel.x86[x->flow]);
        unsigned ta = table_sum(&tm_profile_amd.x86[x->flow]);
        uint64_t mi = measure(&tm_profile_intel, x->cls, x->priv, x->from, x->to, x->mech);
        uint64_t ma = measure(&tm_profile_amd, x->cls, x->priv, x->from, x->to, x->mech);
        assert_true((ti != ta) == (mi != ma));
        differ += ti != ta;
    }
    /* SYSCALL, SYSRET (K8 against the L4Re calibration), SYSENTER, SYSEXIT at least */
    assert_true(differ >= 4);
}

/* IRET back to ring 3 (class INT, EV_PRIV 0 -> 3 with EV_MECH_IRET) against SYSRET. */
static void sysret_is_a_cheaper_return_than_iret(void **state)
{
    (void)state;
    const struct tm_profile *profiles[] = {&tm_profile_intel, &tm_profile_amd};
    for (unsigned i = 0; i < 2; i++) {
        const struct tm_profile *p = profiles[i];
        uint64_t iret = measure(p, X86_CLASS_INT, true, 0, 3, EV_MECH_IRET);
        uint64_t sysret = measure(p, X86_CLASS_SYSRET, true, 0, 3, EV_MECH_SYSRET);
        assert_int_equal(iret, table_sum(&p->x86[TM_X86_IRET_SAME]) +
                                   table_sum(&p->x86[TM_X86_IRET_OUTER]));
        if (!(sysret < iret))
            fail_msg("%s: sysret %llu, iret %llu", p->name, (unsigned long long)sysret,
                     (unsigned long long)iret);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_fast_call_costs_its_own_steps),
        cmocka_unit_test(the_class_selects_the_table),
        cmocka_unit_test(intel_and_amd_differ_where_their_tables_do),
        cmocka_unit_test(sysret_is_a_cheaper_return_than_iret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
