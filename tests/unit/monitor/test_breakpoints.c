/* Breakpoint specifications and matching: addresses and symbols through the resolver,
 * transitions by mechanism (EV_PRIV), vectors and causes (EV_EXCEPTION), changes of mode,
 * watchpoints on data accesses (EV_MEM), disabled breakpoints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "monitor/monitor.h"

/* A resolver with two symbols, as the monitor's resolves ELF symbols. */
static int resolve(void *opaque, const char *text, uint64_t *value)
{
    (void)opaque;
    if (strcmp(text, "main") == 0) return *value = 0x10af0, 0;
    if (strcmp(text, "buf") == 0) return *value = 0x12000, 0;
    return mon_parse_u64(text, value);
}

static int parse(const char *spec, struct mon_bp *bp)
{
    char line[128], err[160];
    char *argv[MON_MAX_ARGS];
    snprintf(line, sizeof line, "%s", spec);
    int argc = mon_tokenize(line, argv, MON_MAX_ARGS);
    return mon_bp_parse(argc, argv, resolve, NULL, bp, err, sizeof err);
}

static struct ev priv_event(unsigned from, unsigned to, unsigned mech)
{
    struct ev e = {.kind = EV_PRIV, .pc = 0x1000};
    e.priv.from = (uint8_t)from;
    e.priv.to = (uint8_t)to;
    e.priv.mech = (uint8_t)mech;
    return e;
}

static struct ev exception_event(unsigned vector, bool interrupt)
{
    struct ev e = {.kind = EV_EXCEPTION, .pc = 0x1000};
    e.exception.vector = vector;
    e.exception.interrupt = interrupt;
    return e;
}

static struct ev mem_event(uint64_t vaddr, unsigned size, unsigned type)
{
    struct ev e = {.kind = EV_MEM, .pc = 0x1000};
    e.mem.vaddr = vaddr;
    e.mem.size = (uint8_t)size;
    e.mem.type = (uint8_t)type;
    return e;
}

static void addresses_and_symbols(void **state)
{
    (void)state;
    struct mon_bp bp;
    assert_int_equal(parse("main", &bp), 0);
    assert_int_equal(bp.kind, MON_BP_ADDR);
    assert_true(bp.addr == 0x10af0);
    assert_true(mon_bp_hits_pc(&bp, 0x10af0));
    assert_false(mon_bp_hits_pc(&bp, 0x10af4));
    assert_string_equal(bp.what, "main");
    assert_int_equal(parse("*0x80000000", &bp), 0);
    assert_true(bp.addr == 0x80000000u);
    bp.enabled = false;
    assert_false(mon_bp_hits_pc(&bp, 0x80000000u));
    /* an address breakpoint never matches an event */
    struct ev e = priv_event(0, 1, EV_MECH_ECALL);
    assert_false(mon_bp_hits_event(&bp, &e, 0));
}

static void transitions_by_mechanism(void **state)
{
    (void)state;
    static const struct {
        const char *word;
        unsigned mech;
    } cases[] = {{"syscall", EV_MECH_SYSCALL},   {"sysret", EV_MECH_SYSRET},
                 {"sysenter", EV_MECH_SYSENTER}, {"sysexit", EV_MECH_SYSEXIT},
                 {"iret", EV_MECH_IRET},         {"ecall", EV_MECH_ECALL},
                 {"sret", EV_MECH_SRET},         {"mret", EV_MECH_MRET}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mon_bp bp;
        assert_int_equal(parse(cases[i].word, &bp), 0);
        assert_int_equal(bp.kind, MON_BP_MECH);
        struct ev hit = priv_event(0, 1, cases[i].mech);
        struct ev other =
            priv_event(0, 1, cases[i].mech == EV_MECH_ECALL ? EV_MECH_SRET : EV_MECH_ECALL);
        struct ev insn = {.kind = EV_INSN, .pc = 0x1000};
        assert_true(mon_bp_hits_event(&bp, &hit, 0));
        assert_false(mon_bp_hits_event(&bp, &other, 0));
        assert_false(mon_bp_hits_event(&bp, &insn, 0));
    }
}

static void vectors_and_causes(void **state)
{
    (void)state;
    struct mon_bp bp;
    struct ev int80 = exception_event(0x80, false), gp = exception_event(13, false);
    struct ev timer = exception_event(5, true), ecall_u = exception_event(8, false);
    assert_int_equal(parse("int 0x80", &bp), 0);
    assert_true(mon_bp_hits_event(&bp, &int80, 3));
    assert_false(mon_bp_hits_event(&bp, &gp, 3));
    assert_int_equal(parse("exception 13", &bp), 0);
    assert_true(mon_bp_hits_event(&bp, &gp, 3));
    assert_false(mon_bp_hits_event(&bp, &int80, 3));
    assert_int_equal(parse("exception", &bp), 0); /* any exception, no interrupt */
    assert_true(mon_bp_hits_event(&bp, &ecall_u, 0));
    assert_false(mon_bp_hits_event(&bp, &timer, 0));
    assert_int_equal(parse("interrupt 5", &bp), 0);
    assert_true(mon_bp_hits_event(&bp, &timer, 0));
    assert_false(mon_bp_hits_event(&bp, &ecall_u, 0));
}

static void changes_of_mode(void **state)
{
    (void)state;
    struct mon_bp bp;
    /* RISC-V: user is 0 */
    struct ev u_to_s = priv_event(0, 1, EV_MECH_ECALL), s_to_u = priv_event(1, 0, EV_MECH_SRET);
    struct ev m_to_s = priv_event(3, 1, EV_MECH_MRET);
    assert_int_equal(parse("mode user->kernel", &bp), 0);
    assert_true(mon_bp_hits_event(&bp, &u_to_s, 0));
    assert_false(mon_bp_hits_event(&bp, &s_to_u, 0));
    assert_false(mon_bp_hits_event(&bp, &m_to_s, 0)); /* kernel to kernel */
    assert_int_equal(parse("mode kernel->user", &bp), 0);
    assert_true(mon_bp_hits_event(&bp, &s_to_u, 0));
    assert_false(mon_bp_hits_event(&bp, &u_to_s, 0));
    assert_int_equal(parse("mode any", &bp), 0);
    assert_true(mon_bp_hits_event(&bp, &s_to_u, 0));
    assert_true(mon_bp_hits_event(&bp, &u_to_s, 0));
    /* x86: user is ring 3 */
    struct ev r3_to_r0 = priv_event(3, 0, EV_MECH_INT);
    assert_int_equal(parse("mode user->kernel", &bp), 0);
    assert_true(mon_bp_hits_event(&bp, &r3_to_r0, 3));
    assert_false(mon_bp_hits_event(&bp, &r3_to_r0, 0));
}

static void watchpoints_match_overlapping_accesses(void **state)
{
    (void)state;
    struct mon_bp bp;
    char line[] = "buf 8", err[160];
    char *argv[MON_MAX_ARGS];
    int argc = mon_tokenize(line, argv, MON_MAX_ARGS);
    assert_int_equal(mon_watch_parse(argc, argv, resolve, NULL, &bp, err, sizeof err), 0);
    assert_int_equal(bp.kind, MON_BP_WATCH);
    assert_true(bp.addr == 0x12000 && bp.len == 8);
    struct ev w_in = mem_event(0x12004, 4, EV_MEM_WRITE),
              w_over = mem_event(0x11ffc, 8, EV_MEM_WRITE);
    struct ev w_before = mem_event(0x11ff8, 8, EV_MEM_WRITE),
              w_after = mem_event(0x12008, 1, EV_MEM_WRITE);
    struct ev r_in = mem_event(0x12000, 8, EV_MEM_READ),
              fetch = mem_event(0x12000, 4, EV_MEM_FETCH);
    assert_true(mon_bp_hits_event(&bp, &w_in, 0));
    assert_true(mon_bp_hits_event(&bp, &w_over, 0));
    assert_false(mon_bp_hits_event(&bp, &w_before, 0));
    assert_false(mon_bp_hits_event(&bp, &w_after, 0));
    assert_false(mon_bp_hits_event(&bp, &r_in, 0)); /* writes only by default */
    assert_false(mon_bp_hits_event(&bp, &fetch, 0));
    char rw[] = "buf 8 rw";
    argc = mon_tokenize(rw, argv, MON_MAX_ARGS);
    assert_int_equal(mon_watch_parse(argc, argv, resolve, NULL, &bp, err, sizeof err), 0);
    assert_true(mon_bp_hits_event(&bp, &r_in, 0));
    assert_true(mon_bp_hits_event(&bp, &w_in, 0));
    bp.enabled = false;
    assert_false(mon_bp_hits_event(&bp, &w_in, 0));
}

static void bad_specifications_say_why(void **state)
{
    (void)state;
    struct mon_bp bp;
    const char *bad[] = {"",     "nosuchsymbol",  "int",       "int 256",       "int x",
                         "mode", "mode sideways", "syscall 3", "exception 1 2", "main extra"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char line[64], err[160] = "";
        char *argv[MON_MAX_ARGS];
        snprintf(line, sizeof line, "%s", bad[i]);
        int argc = mon_tokenize(line, argv, MON_MAX_ARGS);
        assert_int_equal(mon_bp_parse(argc, argv, resolve, NULL, &bp, err, sizeof err), -1);
        assert_true(strlen(err) > 10);
        assert_null(strchr(err, '\n')); /* one line */
    }
    char line[] = "buf 0", err[160];
    char *argv[MON_MAX_ARGS];
    int argc = mon_tokenize(line, argv, MON_MAX_ARGS);
    assert_int_equal(mon_watch_parse(argc, argv, resolve, NULL, &bp, err, sizeof err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(addresses_and_symbols),
        cmocka_unit_test(transitions_by_mechanism),
        cmocka_unit_test(vectors_and_causes),
        cmocka_unit_test(changes_of_mode),
        cmocka_unit_test(watchpoints_match_overlapping_accesses),
        cmocka_unit_test(bad_specifications_say_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
