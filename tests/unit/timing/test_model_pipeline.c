/* The cycle model's in-order pipeline on synthetic RISC-V event streams, in the order the RISC-V
 * core emits them (src/cpu/riscv/hart.c, trap.c): the core ticks m->time once per retired
 * instruction before its EV_INSN, and once per trap after its EV_EXCEPTION. Every expectation is
 * computed from the u74 profile's parameters (src/timing/profile_u74.c), not typed in:
 *   load-use     a dependent instruction issues latency[LOAD] cycles after the load
 *   pairing      an independent ALU instruction issues with the load (dual issue, pipes A/B)
 *   mispredict   a first taken branch is predicted not taken: the target issues 1 + mispredict
 *                cycles after the branch
 *   divide       a use of div's result waits latency[DIV] (divw: div32_latency)
 *   trap + sret  the handler's first instruction issues trap_flush cycles after the trap, the
 *                user instruction after sret xret_flush cycles after sret; the transition log
 *                reports them as the entry and exit cycles
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/riscv/riscv.h"
#include "timing/timing.h"

struct fx {
    struct machine m;
    struct tm_model md;
    const struct tm_profile *p;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    ev_stream_init(&f->m.events);
    f->m.arch = ARCH_RISCV64;
    f->m.limit_time = UINT64_MAX;
    f->p = &tm_profile_u74;
    assert_int_equal(tm_model_init(&f->md, f->p, &f->m), 0);
    assert_true(ev_subscribe(&f->m.events, EV_MASK_ALL, tm_model_event, &f->md) >= 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    tm_model_destroy(&f->md);
    free(f);
    return 0;
}

/* Retires the instruction word w at pc (4 bytes) as the core does; returns the cycles it added
 * to guest time. */
static uint64_t insn(struct fx *f, uint64_t pc, uint32_t w)
{
    uint64_t before = f->m.time;
    int id = -1;
    for (int i = 0; i < RV_INSN_COUNT; i++)
        if ((w & rv_insn_table[i].mask) == rv_insn_table[i].match) id = i;
    assert_true(id >= 0);
    f->m.insns++;
    f->m.time++;
    struct ev e = {.kind = EV_INSN, .pc = pc};
    e.insn.op_class = rv_insn_table[id].op_class;
    e.insn.len = 4;
    e.insn.raw = w;
    ev_emit(&f->m.events, &e);
    return f->m.time - before;
}

/* A trap at pc into privilege to: EV_EXCEPTION, the core's tick, EV_PRIV. */
static uint64_t trap(struct fx *f, uint64_t pc, uint32_t cause, uint8_t from, uint8_t to,
                     uint64_t handler)
{
    uint64_t before = f->m.time;
    struct ev e = {.kind = EV_EXCEPTION, .pc = pc};
    e.exception.vector = cause;
    ev_emit(&f->m.events, &e);
    f->m.time++;
    struct ev p = {.kind = EV_PRIV, .pc = handler};
    p.priv.from = from;
    p.priv.to = to;
    p.priv.mech = EV_MECH_ECALL;
    ev_emit(&f->m.events, &p);
    return f->m.time - before;
}

static void priv(struct fx *f, uint64_t pc, uint8_t from, uint8_t to, uint8_t mech)
{
    struct ev p = {.kind = EV_PRIV, .pc = pc};
    p.priv.from = from;
    p.priv.to = to;
    p.priv.mech = mech;
    ev_emit(&f->m.events, &p);
}

/* Encodings (unpriv. spec chapter 24). */
#define LD(rd, rs1)       (0x00003003u | (rd) << 7 | (rs1) << 15)
#define ADDI(rd, rs1, i)  (0x00000013u | (rd) << 7 | (rs1) << 15 | (uint32_t)(i) << 20)
#define DIV(rd, rs1, rs2) (0x02004033u | (rd) << 7 | (rs1) << 15 | (rs2) << 20)
#define DIVW(rd, r1, r2)  (0x0200403bu | (rd) << 7 | (r1) << 15 | (r2) << 20)
#define BEQ_FWD8(r1, r2)  (0x00000463u | (r1) << 15 | (r2) << 20) /* beq r1, r2, .+8 */
#define NOP               ADDI(0, 0, 0)
#define ECALL             0x00000073u
#define SRET              0x10200073u

/* Warms the I-cache lines of the code the test runs, so fetch costs nothing below. */
static void warm(struct fx *f, uint64_t pc)
{
    insn(f, pc, NOP);
}

/* Unpriv. spec 2.6 loads; SiFive 7 series: a use of a load's result waits for LoadLatency. */
static void load_use_stalls_for_the_load_latency(void **state)
{
    struct fx *f = *state;
    warm(f, 0x1000);
    insn(f, 0x1000, LD(10, 11));                     /* ld a0, 0(a1) */
    uint64_t use = insn(f, 0x1004, ADDI(12, 10, 1)); /* addi a2, a0, 1 */
    assert_int_equal(use, f->p->latency[RV_OPC_LOAD]);
    assert_int_equal(f->md.st.load_use_stalls, 1);
    /* The same pair without the dependence issues together (dual issue, pipes A and B). */
    insn(f, 0x1008, NOP);
    insn(f, 0x100c, LD(10, 11));
    uint64_t indep = insn(f, 0x1010, ADDI(12, 13, 1)); /* addi a2, a3, 1 */
    assert_int_equal(indep, f->p->issue_width > 1 ? 0 : 1);
}

/* A first taken branch: the 2-bit counter starts weakly not taken, so the target issues after
 * the mispredict penalty; the second time the counter still says not taken (weakly taken
 * needs two), the third time it is predicted. */
static void taken_branch_mispredicts_until_learned(void **state)
{
    struct fx *f = *state;
    warm(f, 0x1000);
    insn(f, 0x1000, NOP);
    insn(f, 0x1004, BEQ_FWD8(0, 0));        /* beq zero, zero, 0x100c */
    uint64_t target = insn(f, 0x100c, NOP); /* the target: 1 + mispredict after */
    assert_int_equal(target, 1 + f->p->mispredict);
    assert_int_equal(f->md.st.mispredicts, 1);
    /* Now the counter is 2 (weakly taken) and the BTB has the target: predicted. */
    insn(f, 0x1010, NOP);
    insn(f, 0x1004, BEQ_FWD8(0, 0));
    uint64_t again = insn(f, 0x100c, NOP);
    assert_true(again <= 1);
    assert_int_equal(f->md.st.mispredicts, 1);
}

/* SiFive 7 series divider: 64-bit 66 cycles, 32-bit (divw) 34, not pipelined. */
static void divide_result_waits_for_the_divider(void **state)
{
    struct fx *f = *state;
    warm(f, 0x1000);
    insn(f, 0x1000, DIV(10, 11, 12));
    assert_int_equal(insn(f, 0x1004, ADDI(13, 10, 0)), f->p->latency[RV_OPC_DIV]);
    insn(f, 0x1008, DIVW(10, 11, 12));
    assert_int_equal(insn(f, 0x100c, ADDI(13, 10, 0)), f->p->div32_latency);
}

static void keep_last(void *opaque, const struct tm_transition *t)
{
    *(struct tm_transition *)opaque = *t;
}

/* Priv. spec 3.3.1 ecall, 3.3.2 sret: the handler's first instruction issues trap_flush cycles
 * after the trap, the first user instruction xret_flush cycles after sret; the transition log
 * on the model's clock reports the same numbers as entry and exit. */
static void trap_and_sret_flush_the_pipeline(void **state)
{
    struct fx *f = *state;
    struct tm_log log;
    tm_log_init(&log, ARCH_RISCV64, NULL, NULL);
    log.clock = tm_model_clock;
    log.clock_opaque = &f->md;
    struct tm_transition last;
    memset(&last, 0, sizeof last);
    log.on_close = keep_last;
    log.on_close_opaque = &last;
    assert_true(ev_subscribe(&f->m.events,
                             EV_MASK(EV_INSN) | EV_MASK(EV_EXCEPTION) | EV_MASK(EV_PRIV),
                             tm_log_event, &log) >= 0);
    warm(f, 0x2000);                     /* the handler's line */
    warm(f, 0x1000);                     /* the user's line */
    priv(f, 0x1000, 1, 0, EV_MECH_SRET); /* the kernel drops to user mode */
    insn(f, 0x1000, NOP);
    insn(f, 0x1004, NOP);
    uint64_t read_before = f->m.time; /* what rdcycle at 0x1008 would read */
    /* Guest time runs to the first cycle at which the next instruction can issue: after the
     * trap, the refill; the handler's first instruction then takes its one cycle. */
    uint64_t t_trap = trap(f, 0x1008, RV_EXC_ECALL_U, 0, 1, 0x2000);
    assert_int_equal(t_trap, f->p->trap_flush);
    assert_int_equal(insn(f, 0x2000, NOP), 1);
    assert_int_equal(insn(f, 0x2004, ADDI(10, 0, 1)), 0); /* pairs with the nop */
    priv(f, 0x2008, 1, 0, EV_MECH_SRET);
    assert_int_equal(insn(f, 0x2008, SRET), f->p->xret_flush); /* issues alone, then refill */
    uint64_t read_after = f->m.time; /* what rdcycle at 0x100c reads: its own issue cycle */
    assert_int_equal(insn(f, 0x100c, NOP), 1);
    /* Guest-visible time follows the model: a guest reading the cycle counter just before the
     * ecall and as the first instruction after the return sees exactly the transition's cycles
     * (the crossing opens at the ecall's issue, the cycle the first read would have been at). */
    assert_int_equal(last.t_end, read_after);
    assert_int_equal(read_after - read_before, last.count[TM_ENTRY][TM_CYCLES] +
                                                   last.count[TM_KERNEL][TM_CYCLES] +
                                                   last.count[TM_EXIT][TM_CYCLES]);
    assert_int_equal(log.transitions, 1);
    const struct tm_group *g = &log.mechanisms.g[0];
    assert_int_equal(g->part[TM_ENTRY][TM_CYCLES].v[0], f->p->trap_flush);
    assert_int_equal(g->part[TM_EXIT][TM_CYCLES].v[0], f->p->xret_flush);
    /* kernel: two instructions (nop; addi pairs with it) then sret, alone after a group */
    assert_int_equal(g->part[TM_KERNEL][TM_CYCLES].v[0], 1);
    tm_log_destroy(&log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(load_use_stalls_for_the_load_latency, setup, teardown),
        cmocka_unit_test_setup_teardown(taken_branch_mispredicts_until_learned, setup, teardown),
        cmocka_unit_test_setup_teardown(divide_result_waits_for_the_divider, setup, teardown),
        cmocka_unit_test_setup_teardown(trap_and_sret_flush_the_pipeline, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
