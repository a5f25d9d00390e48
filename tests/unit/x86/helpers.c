/* Helpers for the x86 core's unit tests (see helpers.h). */
#include "x86/helpers.h"

#include <stdlib.h>

int xt_setup(void **state) {
    struct xt *t = calloc(1, sizeof *t);
    char err[256];
    if (!t || machine_init(&t->m, ARCH_I386, 0, XT_RAM_SIZE, err, sizeof err) != 0) return -1;
    struct boot_state boot = {.entry = XT_CODE_ADDR, .arg0 = 0, .arg1 = 0};
    if (x86_cpu_attach(&t->m, &boot, err, sizeof err) != 0) return -1;
    t->cpu = t->m.cpu;
    t->cpu->gpr[X86_RSP] = XT_STACK_TOP;
    t->m.limit_insns = UINT64_MAX;
    t->m.limit_time = UINT64_MAX;
    *state = t;
    return 0;
}

int xt_teardown(void **state) {
    struct xt *t = *state;
    machine_destroy(&t->m);
    free(t);
    return 0;
}

void xt_code(struct x86_cpu *cpu, const uint8_t *bytes, size_t n) {
    assert_int_equal(bus_copy_to_ram(&cpu->m->bus, cpu->seg[X86_CS].base + cpu->rip, bytes, n), 0);
}

uint64_t xt_read(struct x86_cpu *cpu, uint64_t addr, unsigned size) {
    uint64_t v = 0;
    assert_int_equal(bus_copy_from_ram(&cpu->m->bus, addr, &v, size), 0);
    return v;
}

void xt_write(struct x86_cpu *cpu, uint64_t addr, unsigned size, uint64_t value) {
    assert_int_equal(bus_copy_to_ram(&cpu->m->bus, addr, &value, size), 0);
}

void xt_set_arith(struct x86_cpu *cpu, uint64_t f) {
    cpu->rflags = (cpu->rflags & ~(uint64_t)X86_FLAGS_ARITH) | f;
}

void xt_assert_trap(struct x86_cpu *cpu, x86_status st, unsigned vector, int ec) {
    assert_true(X86_IS_TRAP(st));
    assert_int_equal(X86_TRAP_VECTOR(st), vector);
    if (ec < 0) {
        assert_false(X86_TRAP_HAS_EC(st));
    } else {
        assert_true(X86_TRAP_HAS_EC(st));
        assert_int_equal(X86_TRAP_ERRCODE(st), ec);
    }
    assert_int_equal(cpu->rip, cpu->insn_rip);
}

void xt_enter_user(struct x86_cpu *cpu) {
    const uint32_t dpl3 = 3u << 5;
    uint32_t code = 0xbu | X86_SEG_S | X86_SEG_P | X86_SEG_DB | X86_SEG_G | dpl3;
    uint32_t data = 0x3u | X86_SEG_S | X86_SEG_P | X86_SEG_DB | X86_SEG_G | dpl3;
    x86_set_seg(cpu, X86_CS, 0x1b, 0, 0xffffffffu, code);
    x86_set_seg(cpu, X86_SS, 0x23, 0, 0xffffffffu, data);
    x86_set_seg(cpu, X86_DS, 0x23, 0, 0xffffffffu, data);
    x86_set_seg(cpu, X86_ES, 0x23, 0, 0xffffffffu, data);
    cpu->cpl = 3;
}
