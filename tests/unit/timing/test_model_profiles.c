/* The timing profiles: every step of every transition table names its source, the profiles are
 * found by their --cpu names, and the calibrated step tables add up to the figures they were
 * calibrated on (shared/reference/timing.md):
 *   amd    SYSCALL 27, SYSRET 35 cycles (AMD #25112, appendix C, table 13, K8)
 *   intel  SYSCALL + SYSRET = 160 - ceil(147 / 4) (L4Re Ice Lake-SP null syscall: 160 cycles with
 * ~147 instructions, at the profile's issue width), split 27:35 as K8; SYSEXIT = SYSRET + 30
 * (Linux 4214a16b0297); IRET to ring 3 = SYSRET + 80 ns at an assumed 3 GHz (Linux 2a23c6b8a9c4) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cpu/riscv/riscv.h"
#include "cpu/x86/internal.h"
#include "timing/timing.h"

static void every_step_names_its_source(void **state)
{
    (void)state;
    const struct tm_profile *all[] = {&tm_profile_u74, &tm_profile_rocket, &tm_profile_intel,
                                      &tm_profile_amd};
    for (unsigned i = 0; i < 4; i++) {
        assert_non_null(all[i]->sources);
        for (unsigned f = 0; f < TM_X86_FLOW_COUNT; f++)
            for (unsigned s = 0; s < all[i]->x86[f].n; s++) {
                assert_non_null(all[i]->x86[f].step[s].what);
                assert_non_null(all[i]->x86[f].step[s].source);
                assert_true(all[i]->x86[f].step[s].cycles > 0);
            }
    }
    /* an x86 profile has every flow; a RISC-V one none */
    for (unsigned f = 0; f < TM_X86_FLOW_COUNT; f++) {
        assert_true(tm_profile_intel.x86[f].n > 0);
        assert_true(tm_profile_amd.x86[f].n > 0);
        assert_int_equal(tm_profile_u74.x86[f].n, 0);
    }
}

static void profiles_by_cpu_name(void **state)
{
    (void)state;
    assert_ptr_equal(tm_profile_find("u74", ARCH_RISCV64), &tm_profile_u74);
    assert_ptr_equal(tm_profile_find("rocket", ARCH_RISCV64), &tm_profile_rocket);
    assert_ptr_equal(tm_profile_find("intel", ARCH_I386), &tm_profile_intel);
    assert_ptr_equal(tm_profile_find("amd", ARCH_X86_64), &tm_profile_amd);
    assert_null(tm_profile_find("u74", ARCH_I386));
    assert_null(tm_profile_find("intel", ARCH_RISCV64));
    assert_ptr_equal(tm_profile_default(ARCH_RISCV64), &tm_profile_u74);
    assert_ptr_equal(tm_profile_default(ARCH_I386), &tm_profile_intel);
}

static void calibrated_tables_add_up_to_their_figures(void **state)
{
    (void)state;
    assert_int_equal(tm_steps_cycles(&tm_profile_amd.x86[TM_X86_SYSCALL]), 27);
    assert_int_equal(tm_steps_cycles(&tm_profile_amd.x86[TM_X86_SYSRET]), 35);
    unsigned w = tm_profile_intel.issue_width;
    unsigned pair = 160 - (147 + w - 1) / w; /* 147 instructions take ceil(147 / w) cycles */
    unsigned sc = tm_steps_cycles(&tm_profile_intel.x86[TM_X86_SYSCALL]);
    unsigned sr = tm_steps_cycles(&tm_profile_intel.x86[TM_X86_SYSRET]);
    assert_int_equal(sc + sr, pair);
    assert_int_equal(sc, (pair * 27 + 31) / 62); /* 27:35, rounded */
    /* Linux 4214a16b0297: SYSEXIT about 30 cycles slower than SYSRETL (Intel) */
    assert_int_equal(tm_steps_cycles(&tm_profile_intel.x86[TM_X86_SYSEXIT]), sr + 30);
    /* Linux 2a23c6b8a9c4: IRET instead of SYSRET about +80 ns, at an assumed 3 GHz 240 cycles */
    unsigned iret = tm_steps_cycles(&tm_profile_intel.x86[TM_X86_IRET_SAME]) +
                    tm_steps_cycles(&tm_profile_intel.x86[TM_X86_IRET_OUTER]);
    assert_int_equal(iret, sr + 80 * 3);
}

/* The profiles index their class tables by the cores' operation classes: the x86 profile file
 * and model.c name the x86 classes by position (src/cpu/x86/internal.h X86_CLASSES), so a
 * change of that order must show here. */
static void class_numbers_match_the_cores(void **state)
{
    (void)state;
    assert_int_equal(X86_CLASS_COUNT, 24);
    assert_int_equal(X86_CLASS_LOAD, 3);
    assert_int_equal(X86_CLASS_DIV, 6);
    assert_int_equal(X86_CLASS_BRANCH, 9);
    assert_int_equal(X86_CLASS_CALL, 10);
    assert_int_equal(X86_CLASS_RET, 11);
    assert_int_equal(X86_CLASS_SERIAL, 17);
    assert_int_equal(X86_CLASS_INT, 18);
    assert_int_equal(X86_CLASS_SYSCALL, 19);
    assert_int_equal(X86_CLASS_SYSRET, 20);
    assert_int_equal(X86_CLASS_SYSENTER, 21);
    assert_int_equal(X86_CLASS_SYSEXIT, 22);
    assert_int_equal(X86_CLASS_SWAPGS, 23);
    assert_true(RV_OPC_COUNT <= TM_MAX_CLASSES);
    assert_true(X86_CLASS_COUNT <= TM_MAX_CLASSES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_step_names_its_source),
        cmocka_unit_test(profiles_by_cpu_name),
        cmocka_unit_test(calibrated_tables_add_up_to_their_figures),
        cmocka_unit_test(class_numbers_match_the_cores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
