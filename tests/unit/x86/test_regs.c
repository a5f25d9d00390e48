/* Registers by name (cpu_ops.get_reg/set_reg), as traces, transition accounting and the monitor
 * use them: the register views of SDM Vol. 1 3.4.1, RFLAGS reserved bits (Vol. 1 3.4.3), MOV CR
 * rules (Vol. 3A 2.5) and the MSR table. */
#include "helpers.h"

static void general_register_views(void **state)
{
    struct xt *t = *state;
    const struct cpu_ops *ops = t->m.cpu_ops;
    uint64_t v = 0;
    assert_true(ops->set_reg(t->cpu, "rax", 0x1122334455667788ull));
    assert_true(ops->get_reg(t->cpu, "eax", &v));
    assert_int_equal(v, 0x55667788);
    assert_true(ops->get_reg(t->cpu, "ax", &v));
    assert_int_equal(v, 0x7788);
    assert_true(ops->set_reg(t->cpu, "ax", 0xbeef)); /* a 16-bit write keeps the rest */
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x112233445566beefull);
    assert_true(ops->set_reg(t->cpu, "eax", 0xffffffff0000abcdull)); /* zero-extends */
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xabcd);
    assert_true(ops->set_reg(t->cpu, "r15d", 7));
    assert_int_equal(t->cpu->gpr[15], 7);
    assert_false(ops->get_reg(t->cpu, "r16", &v));
}

static void rip_rflags_cpl_selectors(void **state)
{
    struct xt *t = *state;
    const struct cpu_ops *ops = t->m.cpu_ops;
    uint64_t v = 0;
    assert_true(ops->set_reg(t->cpu, "eip", 0x2000));
    assert_true(ops->get_reg(t->cpu, "pc", &v));
    assert_int_equal(v, 0x2000);
    assert_true(ops->set_reg(t->cpu, "eflags", UINT64_MAX));
    assert_int_equal(t->cpu->rflags & X86_FLAGS_FIXED1, X86_FLAGS_FIXED1);
    assert_int_equal(t->cpu->rflags & (1u << 3), 0); /* reserved bit 3 reads 0 */
    assert_true(ops->get_reg(t->cpu, "priv", &v));
    assert_int_equal(v, 0);
    assert_true(ops->get_reg(t->cpu, "cs", &v));
    assert_int_equal(v, t->cpu->seg[X86_CS].sel);
    assert_false(ops->set_reg(t->cpu, "cs", 0x23)); /* selectors load through instructions */
}

static void control_registers_and_msrs(void **state)
{
    struct xt *t = *state;
    const struct cpu_ops *ops = t->m.cpu_ops;
    uint64_t v = 0;
    assert_true(ops->set_reg(t->cpu, "lstar", 0xffffffff81000000ull));
    assert_true(ops->get_reg(t->cpu, "LSTAR", &v));
    assert_int_equal(v, 0xffffffff81000000ull);
    assert_true(ops->set_reg(t->cpu, "sysenter_cs", 0x10));
    assert_int_equal(t->cpu->msr[X86_MSR_SYSENTER_CS], 0x10);
    /* WRMSR rules apply: a reserved EFER bit is refused (SDM Vol. 2B WRMSR, #GP(0)). */
    assert_false(ops->set_reg(t->cpu, "efer", 1ull << 20));
    assert_true(ops->set_reg(t->cpu, "cr3", 0x5000));
    assert_true(ops->get_reg(t->cpu, "cr3", &v));
    assert_int_equal(v, 0x5000);
    assert_false(ops->get_reg(t->cpu, "cr5", &v));
    /* debug registers read by name (SDM Vol. 3B 17.2: DR7 resets to 400H); FS_BASE is FS's
     * base (Vol. 3A 3.4.4) */
    assert_true(ops->get_reg(t->cpu, "dr7", &v));
    assert_int_equal(v, 0x400);
    assert_false(ops->get_reg(t->cpu, "dr4", &v));
    t->cpu->seg[X86_FS].base = 0x1234000;
    assert_true(ops->get_reg(t->cpu, "fs_base", &v));
    assert_int_equal(v, 0x1234000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(general_register_views, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(rip_rflags_cpl_selectors, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(control_registers_and_msrs, xt_setup, xt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
