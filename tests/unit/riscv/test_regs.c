/* Registers by name (cpu_ops.get_reg/set_reg), as traces, transition accounting and the monitor
 * use them: unpriv. spec 2.1 (x0 hardwired), psABI register names, CSR names of csr.def. */
#include "helpers.h"

static void general_registers_by_both_names(void **state)
{
    struct rvt *t = *state;
    const struct cpu_ops *ops = &rv_cpu_ops;
    uint64_t v = 0;
    assert_true(ops->set_reg(t->h, "a7", 172));
    assert_int_equal(t->h->x[17], 172);
    assert_true(ops->get_reg(t->h, "x17", &v));
    assert_int_equal(v, 172);
    assert_true(ops->set_reg(t->h, "fp", 5)); /* s0 */
    assert_int_equal(t->h->x[8], 5);
    assert_true(ops->set_reg(t->h, "zero", 99)); /* accepted, but x0 stays 0 */
    assert_true(ops->get_reg(t->h, "x0", &v));
    assert_int_equal(v, 0);
    assert_false(ops->get_reg(t->h, "x32", &v));
    assert_false(ops->get_reg(t->h, "a8", &v));
    assert_false(ops->set_reg(t->h, "x1x", 1));
}

/* f registers (unpriv. spec 12.1, FLEN = 64) by fN and ABI names (psABI: ft0-11, fs0-11,
 * fa0-7); the raw bits, NaN-boxing included; fcsr fields by CSR name */
static void float_registers_by_both_names(void **state)
{
    struct rvt *t = *state;
    const struct cpu_ops *ops = &rv_cpu_ops;
    uint64_t v = 0;
    assert_true(ops->set_reg(t->h, "fa0", 0xffffffff3f800000ull));
    assert_int_equal(t->h->f[10], 0xffffffff3f800000ull);
    assert_true(ops->get_reg(t->h, "f10", &v));
    assert_int_equal(v, 0xffffffff3f800000ull);
    assert_true(ops->set_reg(t->h, "ft11", 7));
    assert_int_equal(t->h->f[31], 7);
    assert_true(ops->set_reg(t->h, "fs11", 8));
    assert_int_equal(t->h->f[27], 8);
    assert_false(ops->get_reg(t->h, "f32", &v));
    assert_false(ops->get_reg(t->h, "fa8", &v));
    assert_true(ops->set_reg(t->h, "frm", 3));
    assert_true(ops->get_reg(t->h, "fcsr", &v));
    assert_int_equal(v, 3 << 5);
}

static void pc_priv_and_csrs(void **state)
{
    struct rvt *t = *state;
    const struct cpu_ops *ops = &rv_cpu_ops;
    uint64_t v = 0;
    assert_true(ops->set_reg(t->h, "pc", RVT_BASE + 0x41));
    assert_int_equal(t->h->pc, RVT_BASE + 0x40); /* bit 0 of pc is always 0 */
    assert_true(ops->get_reg(t->h, "priv", &v));
    assert_int_equal(v, RV_PRIV_M);
    assert_true(ops->set_reg(t->h, "priv", RV_PRIV_S));
    assert_int_equal(t->h->priv, RV_PRIV_S);
    assert_false(ops->set_reg(t->h, "priv", 2)); /* reserved privilege encoding */
    /* CSRs by name follow their WARL rules: sepc bit 0 is always 0 (priv. spec 4.1.7). */
    assert_true(ops->set_reg(t->h, "sepc", 0x1001));
    assert_true(ops->get_reg(t->h, "sepc", &v));
    assert_int_equal(v, 0x1000);
    assert_true(ops->set_reg(t->h, "sscratch", 0xabc));
    assert_int_equal(rvt_csr(t, RV_CSR_sscratch), 0xabc);
    assert_false(ops->set_reg(t->h, "mhartid", 1)); /* read-only */
    assert_false(ops->get_reg(t->h, "nosuchcsr", &v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(general_registers_by_both_names, rvt_setup, rvt_teardown),
        cmocka_unit_test_setup_teardown(float_registers_by_both_names, rvt_setup, rvt_teardown),
        cmocka_unit_test_setup_teardown(pc_priv_and_csrs, rvt_setup, rvt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
