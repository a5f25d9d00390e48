/* The hart at reset and as the machine's core (priv. spec 3.4 "Reset"; machine.h contract). */
#include "riscv/helpers.h"

#include <stdlib.h>
#include <string.h>

/* 3.4: M-mode, mstatus.MIE = MPRV = 0, misa at its reset value, pc = the reset vector; ringside
 * resets the rest to zero (documented in hart.c). rv_cpu_attach: a0/a1 from the boot state. */
static void test_attach_reset_state_3_4(void **state)
{
    (void)state;
    struct machine m;
    char err[128];
    assert_int_equal(machine_init(&m, ARCH_RISCV64, RVT_BASE, RVT_RAM, err, sizeof err), 0);
    struct boot_state boot = {.entry = RVT_BASE + 0x40, .arg0 = 0, .arg1 = 0x87e00000};
    assert_int_equal(rv_cpu_attach(&m, &boot, err, sizeof err), 0);
    assert_ptr_equal(m.cpu_ops, &rv_cpu_ops);
    assert_string_equal(m.cpu_ops->name, "riscv64");
    struct rv_hart *h = m.cpu;
    assert_ptr_equal(h->m, &m);
    assert_int_equal(h->priv, RV_PRIV_M);
    assert_int_equal(h->pc, RVT_BASE + 0x40);
    assert_int_equal(h->x[10], 0);
    assert_int_equal(h->x[11], 0x87e00000);
    for (unsigned i = 1; i < 32; i++)
        if (i != 11) assert_int_equal(h->x[i], 0);
    uint64_t v;
    assert_int_equal(rv_csr_get(h, RV_CSR_mstatus, &v), 0);
    assert_int_equal(v & (RV_MSTATUS_MIE | RV_MSTATUS_MPRV), 0);
    assert_int_equal(v, RV_MSTATUS_FIXED);
    assert_int_equal(rv_csr_get(h, RV_CSR_misa, &v), 0);
    assert_int_equal(v, RV_MISA_VALUE);
    static const unsigned zero[] = {RV_CSR_mcause,   RV_CSR_satp,   RV_CSR_medeleg,
                                    RV_CSR_mideleg,  RV_CSR_mie,    RV_CSR_mip,
                                    RV_CSR_minstret, RV_CSR_mcycle, RV_CSR_mcounteren};
    for (unsigned i = 0; i < sizeof zero / sizeof zero[0]; i++) {
        assert_int_equal(rv_csr_get(h, zero[i], &v), 0);
        assert_int_equal(v, 0);
    }
    assert_false(h->waiting);
    assert_false(h->resv_valid);
    machine_destroy(&m); /* destroys the hart through cpu_ops */
}

/* rv_csr_get/rv_csr_set refuse CSRs that do not exist */
static void test_debugger_csr_access(void **state)
{
    struct rvt *t = *state;
    uint64_t v = 5;
    assert_int_equal(rv_csr_get(t->h, 0x7a0, &v), -1);
    assert_int_equal(v, 5);
    assert_int_equal(rv_csr_set(t->h, 0x7a0, 1), -1);
    /* the debugger writes with the WARL rules but without privilege checks */
    rvt_set_priv(t, RV_PRIV_U);
    assert_int_equal(rv_csr_set(t->h, RV_CSR_mstatus, 2ull << 11), 0);
    assert_int_equal(rvt_csr(t, RV_CSR_mstatus) & RV_MSTATUS_MPP, 0);
}

/* cpu_ops.dump: the registers and the trap CSRs, by name */
static void test_dump(void **state)
{
    struct rvt *t = *state;
    t->h->x[10] = 0x1234abcd;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    rv_dump(t->h, f);
    fclose(f);
    assert_non_null(strstr(text, "pc 0000000080000000  priv M"));
    assert_non_null(strstr(text, "a0   000000001234abcd"));
    assert_non_null(strstr(text, "mstatus"));
    assert_non_null(strstr(text, "satp"));
    free(text);
}

#define T(f) cmocka_unit_test_setup_teardown(f, rvt_setup, rvt_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attach_reset_state_3_4),
        T(test_debugger_csr_access),
        T(test_dump),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
