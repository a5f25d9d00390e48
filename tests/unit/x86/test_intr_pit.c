/* An x86 guest on the PC's interrupt hardware (src/dev pic8259.c, pit8254.c): it programs the
 * 8259A pair and the 8254's counter 0 with OUT, and takes the timer interrupt through its IDT
 * (SDM Vol. 3A 6.3.1, 6.8.1, 6.8.3; Vol. 2A HLT). One instruction takes one machine tick here,
 * and one PIT clock is 10^9 / 1193182 ticks: a count of 1 fires 838 ticks after it is loaded. */
#include "x86/helpers.h"

#include "dev/dev.h"

#define VEC     0x20u /* ICW2 of the master */
#define HANDLER 0x3000u

static uint8_t code[4096];
static size_t len;

static void emit(const uint8_t *b, size_t n)
{
    memcpy(code + len, b, n);
    len += n;
}
#define EMIT(...)                                                                                  \
    do {                                                                                           \
        static const uint8_t b_[] = {__VA_ARGS__};                                                 \
        emit(b_, sizeof b_);                                                                       \
    } while (0)
#define OUTB(port, v) EMIT(0xb0, (v), 0xe6, (port)) /* mov al, v; out port, al */

/* Ring 0, an interrupt gate for VEC at HANDLER (NOPs), the 8259A pair and the 8254 attached; the
 * guest's setup: ICW1-4 (vectors 0x20/0x28), only IR0 unmasked, counter 0 mode 2 count 1. */
static void env(struct xt *t)
{
    char err[256];
    assert_non_null(dev_pic_attach(&t->m, err, sizeof err));
    assert_non_null(dev_pit_attach(&t->m, 0, err, sizeof err));
    xt_pm_env(t->cpu);
    xt_idt_set(t->cpu, VEC, XT_KCODE, HANDLER, 0xe, 0, true);
    for (unsigned i = 0; i < 64; i++)
        xt_write(t->cpu, HANDLER + i, 1, 0x90);
    t->m.limit_insns = 0;
    t->m.limit_time = 0;
    len = 0;
    OUTB(0x20, 0x11);
    OUTB(0x21, 0x20);
    OUTB(0x21, 0x04);
    OUTB(0x21, 0x01);
    OUTB(0x21, 0xfe);
    OUTB(0x43, 0x34);
    OUTB(0x40, 0x01);
    OUTB(0x40, 0x00); /* the count is loaded by this OUT */
}

static void load(struct xt *t)
{
    xt_code(t->cpu, code, len);
}

/* The guest time the count was loaded: the setup's 16 instructions end with that OUT. */
static uint64_t run_setup(struct xt *t)
{
    assert_int_equal(machine_step(&t->m, 15), STOP_NONE);
    uint64_t loaded = t->m.time; /* the OUT executes at this time */
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    return loaded;
}

/* IF = 1: the interrupt is taken at the boundary where guest time reaches the deadline; the
 * saved EIP is the instruction that would have run then. */
static void test_pit_intr_exact_boundary(void **state)
{
    struct xt *t = *state;
    env(t);
    EMIT(0xfb); /* sti */
    size_t nops = len;
    for (unsigned i = 0; i < 2000; i++)
        EMIT(0x90);
    load(t);
    uint64_t loaded = run_setup(t);
    uint64_t deadline = loaded + 1000000000ull / DEV_PIT_HZ; /* 838 */
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);     /* sti */
    uint64_t first_nop_time = t->m.time;
    t->m.max_cycles = deadline + 10;
    assert_int_equal(machine_run(&t->m), STOP_CYCLE_BUDGET);
    uint32_t eip = (uint32_t)xt_read(t->cpu, XT_STACK_TOP - 12, 4);
    assert_int_equal(eip, XT_CODE_ADDR + nops + (deadline - first_nop_time));
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 8, 4), XT_KCODE);
    assert_true(t->cpu->rip > HANDLER && t->cpu->rip < HANDLER + 64);
    assert_false(t->cpu->rflags & X86_IF);
}

/* The timer fires with IF = 0 and waits; STI then lets one more instruction run (its shadow)
 * before the interrupt is taken (SDM Vol. 3A 6.8.3). */
static void test_pit_intr_after_sti_shadow(void **state)
{
    struct xt *t = *state;
    env(t);
    for (unsigned i = 0; i < 1000; i++) /* past the deadline with IF = 0 */
        EMIT(0x90);
    size_t sti = len;
    EMIT(0xfb, 0x90, 0x90, 0x90);
    load(t);
    run_setup(t);
    assert_int_equal(machine_step(&t->m, 1000), STOP_NONE);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + sti);
    assert_int_equal(machine_step(&t->m, 2), STOP_NONE); /* sti; nop (shadowed) */
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + sti + 2);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE); /* taken; the handler's first nop */
    assert_int_equal(t->cpu->rip, HANDLER + 1);
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 12, 4), XT_CODE_ADDR + sti + 2);
}

/* STI; HLT: HLT runs in the shadow, then the CPU waits; guest time jumps to the timer's deadline
 * without executing anything, and the interrupt returns to the instruction after HLT. */
static void test_pit_wakes_hlt(void **state)
{
    struct xt *t = *state;
    env(t);
    size_t sti = len;
    EMIT(0xfb, 0xf4, 0x90); /* sti; hlt; nop */
    load(t);
    uint64_t loaded = run_setup(t);
    uint64_t insns = t->m.insns;
    assert_int_equal(machine_step(&t->m, 3), STOP_NONE); /* sti; hlt; the handler's nop */
    assert_int_equal(t->m.insns, insns + 3);
    assert_true(t->m.time >= loaded + 1000000000ull / DEV_PIT_HZ);
    assert_int_equal(t->cpu->rip, HANDLER + 1);
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 12, 4), XT_CODE_ADDR + sti + 2);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_pit_intr_exact_boundary),
        T(test_pit_intr_after_sti_shadow),
        T(test_pit_wakes_hlt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
