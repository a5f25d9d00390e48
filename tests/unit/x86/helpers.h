/* Helpers for the x86 core's unit tests: a machine with RAM and a CPU in the Multiboot hand-off
 * state, instruction bytes placed at EIP, one-instruction steps. */
#ifndef RINGSIDE_TESTS_X86_HELPERS_H
#define RINGSIDE_TESTS_X86_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/x86/x86.h"
#include "machine/machine.h"

#define XT_RAM_SIZE  (16u << 20)
#define XT_CODE_ADDR 0x1000u  /* where tests place instructions */
#define XT_STACK_TOP 0x8000u  /* initial ESP */
#define XT_DATA_ADDR 0x10000u /* scratch data */

struct xt {
    struct machine m;
    struct x86_cpu *cpu;
};

/* cmocka setup/teardown: *state becomes a struct xt * with a fresh machine and CPU. */
int xt_setup(void **state);
int xt_teardown(void **state);

/* Places n bytes at EIP (CS base 0). */
void xt_code(struct x86_cpu *cpu, const uint8_t *bytes, size_t n);
#define XT_CODE(cpu, ...)                                                                          \
    do {                                                                                           \
        static const uint8_t xt_bytes_[] = {__VA_ARGS__};                                          \
        xt_code((cpu), xt_bytes_, sizeof xt_bytes_);                                               \
    } while (0)

/* Guest physical memory. */
uint64_t xt_read(struct x86_cpu *cpu, uint64_t addr, unsigned size);
void xt_write(struct x86_cpu *cpu, uint64_t addr, unsigned size, uint64_t value);

/* The six arithmetic flags of RFLAGS. */
#define XT_ARITH(cpu) ((cpu)->rflags & X86_FLAGS_ARITH)
/* Sets the arithmetic flags to exactly f. */
void xt_set_arith(struct x86_cpu *cpu, uint64_t f);

/* Asserts that x86_step raised vector (with error code ec, or -1 for none) and that RIP did not
 * move. */
void xt_assert_trap(struct x86_cpu *cpu, x86_status st, unsigned vector, int ec);

/* Makes CS/SS/DS/ES DPL-3 flat segments and CPL 3 (user mode) without a descriptor load. */
void xt_enter_user(struct x86_cpu *cpu);

#endif
