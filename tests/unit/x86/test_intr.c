/* External interrupts through the run loop (SDM Vol. 3A 6.3.1, 6.8.1 EFLAGS.IF, 6.8.3 the STI
 * and MOV SS/POP SS shadow, 6.12 delivery; Vol. 2A HLT): a fake interrupt controller drives
 * MACHINE_LINE_INTR and answers the acknowledge with its vector. */
#include "x86/helpers.h"

#define VEC     0x40u
#define HANDLER 0x3000u

struct fake_pic {
    struct machine *m;
    int acks;
    uint64_t raise_at; /* clocked: the guest time at which the line goes high */
};

static int fake_ack(void *dev)
{
    struct fake_pic *p = dev;
    p->acks++;
    machine_set_irq(p->m, MACHINE_LINE_INTR, false); /* one request, now in service */
    return VEC;
}
static uint64_t fake_deadline(void *dev)
{
    return ((struct fake_pic *)dev)->raise_at;
}
static void fake_tick(void *dev, uint64_t now)
{
    struct fake_pic *p = dev;
    (void)now;
    p->raise_at = UINT64_MAX;
    machine_set_irq(p->m, MACHINE_LINE_INTR, true);
}

static struct fake_pic pic;

/* Ring 0 protected mode, an interrupt gate for VEC at HANDLER (NOPs there), the fake controller
 * attached, the line low. */
static void env(struct xt *t)
{
    xt_pm_env(t->cpu);
    xt_idt_set(t->cpu, VEC, XT_KCODE, HANDLER, 0xe, 0, true);
    for (unsigned i = 0; i < 16; i++)
        xt_write(t->cpu, HANDLER + i, 1, 0x90);
    pic = (struct fake_pic){.m = &t->m, .raise_at = UINT64_MAX};
    t->m.int_ack = fake_ack;
    t->m.int_dev = &pic;
    t->m.limit_insns = 0;
    t->m.limit_time = 0;
}

/* The frame of an interrupt taken at CPL 0 with ESP = XT_STACK_TOP: EIP, CS, EFLAGS. */
static void assert_taken_at(struct xt *t, uint32_t eip)
{
    struct x86_cpu *cpu = t->cpu;
    assert_int_equal(pic.acks, 1);
    assert_int_equal(cpu->gpr[X86_RSP], XT_STACK_TOP - 12);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 12, 4), eip);
    assert_int_equal(xt_read(cpu, XT_STACK_TOP - 8, 4), XT_KCODE);
    uint32_t fl = (uint32_t)xt_read(cpu, XT_STACK_TOP - 4, 4);
    assert_true(fl & X86_IF);
    assert_false(fl & X86_RF);          /* not a fault */
    assert_false(cpu->rflags & X86_IF); /* interrupt gate */
}

/* IF = 1: the interrupt is taken at the first instruction boundary after the line rises, with
 * the EIP of the next instruction saved (SDM Vol. 3A 6.8.1, 6.5 "interrupts ... at instruction
 * boundaries"). */
static void test_intr_at_boundary(void **state)
{
    struct xt *t = *state;
    env(t);
    t->cpu->rflags |= X86_IF;
    XT_CODE(t->cpu, 0x90, 0x90, 0x90, 0x90);
    assert_int_equal(machine_step(&t->m, 2), STOP_NONE);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 2);
    machine_set_irq(&t->m, MACHINE_LINE_INTR, true);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE); /* taken, then the handler's NOP */
    assert_int_equal(t->cpu->rip, HANDLER + 1);
    assert_taken_at(t, XT_CODE_ADDR + 2);
    assert_int_equal(t->m.insns, 3); /* the delivery retires nothing */
}

/* IF = 0: the request waits; CLI/STI decide (SDM Vol. 3A 6.8.1). */
static void test_intr_masked_by_if(void **state)
{
    struct xt *t = *state;
    env(t);
    XT_CODE(t->cpu, 0x90, 0x90, 0x90);
    machine_set_irq(&t->m, MACHINE_LINE_INTR, true);
    assert_int_equal(machine_step(&t->m, 3), STOP_NONE);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 3);
    assert_int_equal(pic.acks, 0);
}

/* STI with INTR already high: the instruction after STI completes before the interrupt is taken
 * (SDM Vol. 3A 6.8.3; Vol. 2B STI). */
static void test_sti_shadow(void **state)
{
    struct xt *t = *state;
    env(t);
    XT_CODE(t->cpu, 0xfb, 0x90, 0x90, 0x90); /* sti; nop; nop */
    machine_set_irq(&t->m, MACHINE_LINE_INTR, true);
    assert_int_equal(machine_step(&t->m, 2), STOP_NONE); /* sti, then the shadowed nop */
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 2);
    assert_int_equal(pic.acks, 0);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_taken_at(t, XT_CODE_ADDR + 2);
    assert_int_equal(t->cpu->rip, HANDLER + 1);
}

/* STI when IF is already 1 makes no shadow: taken right after it. */
static void test_sti_no_shadow_when_set(void **state)
{
    struct xt *t = *state;
    env(t);
    t->cpu->rflags |= X86_IF;
    XT_CODE(t->cpu, 0xfb, 0x90, 0x90);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    machine_set_irq(&t->m, MACHINE_LINE_INTR, true);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_taken_at(t, XT_CODE_ADDR + 1);
}

/* MOV SS and POP SS hold interrupts off for one instruction (SDM Vol. 3A 6.8.3; Vol. 2B MOV
 * "Loading the SS register ... inhibits all interrupts until after the next instruction"). */
static void test_mov_ss_pop_ss_shadow(void **state)
{
    struct xt *t = *state;
    env(t);
    t->cpu->rflags |= X86_IF;
    t->cpu->gpr[X86_RAX] = XT_KDATA;
    XT_CODE(t->cpu, 0x90, 0x8e, 0xd0, 0x90, 0x90);       /* nop; mov ss, eax; nop; nop */
    assert_int_equal(machine_step(&t->m, 2), STOP_NONE); /* nop; mov ss */
    machine_set_irq(&t->m, MACHINE_LINE_INTR, true);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE); /* the shadowed nop */
    assert_int_equal(pic.acks, 0);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 4);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_taken_at(t, XT_CODE_ADDR + 4);
    pic.acks = 0;
    t->cpu->rflags |= X86_IF;
    /* pop ss at a boundary where the interrupt is not pending, then raise it */
    machine_set_irq(&t->m, MACHINE_LINE_INTR, false);
    t->cpu->rip = XT_CODE_ADDR;
    xt_write(t->cpu, XT_STACK_TOP - 4, 4, XT_KDATA);
    t->cpu->gpr[X86_RSP] = XT_STACK_TOP - 4;
    XT_CODE(t->cpu, 0x17, 0x90, 0x90); /* pop ss; nop; nop */
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    machine_set_irq(&t->m, MACHINE_LINE_INTR, true);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE); /* the shadowed nop */
    assert_int_equal(pic.acks, 0);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 2);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_taken_at(t, XT_CODE_ADDR + 2);
}

/* HLT waits until the interrupt: guest time passes to the device's deadline without executing
 * anything, the interrupt is taken with the EIP after HLT saved (SDM Vol. 2A HLT). */
static void test_hlt_wakes_on_intr(void **state)
{
    struct xt *t = *state;
    env(t);
    struct machine_clocked c = {fake_deadline, fake_tick, &pic};
    assert_int_equal(machine_add_clocked(&t->m, &c), 0);
    pic.raise_at = 5000;
    t->cpu->rflags |= X86_IF;
    XT_CODE(t->cpu, 0xf4, 0x90);                         /* hlt */
    assert_int_equal(machine_step(&t->m, 2), STOP_NONE); /* hlt; the handler's first nop */
    assert_int_equal(t->m.insns, 2);
    assert_true(t->m.time >= 5000);
    assert_false(t->cpu->halted);
    assert_int_equal(t->cpu->rip, HANDLER + 1);
    assert_taken_at(t, XT_CODE_ADDR + 1);
}

/* An external interrupt's delivery faults report EXT = 1: a vector whose gate is absent is
 * #NP(vector * 8 + 2 + 1) (SDM Vol. 3A 6.13 "EXT"). */
static void test_intr_ext_bit(void **state)
{
    struct xt *t = *state;
    env(t);
    xt_idt_set(t->cpu, VEC, XT_KCODE, HANDLER, 0xe, 0, false);
    xt_idt_set(t->cpu, X86_VEC_NP, XT_KCODE, HANDLER + 8, 0xe, 0, true);
    t->cpu->rflags |= X86_IF;
    XT_CODE(t->cpu, 0x90, 0x90);
    machine_set_irq(&t->m, MACHINE_LINE_INTR, true);
    assert_int_equal(machine_step(&t->m, 1), STOP_NONE);
    assert_int_equal(t->cpu->rip, HANDLER + 9);
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 16, 4), VEC * 8 + 2 + 1);
    assert_int_equal(xt_read(t->cpu, XT_STACK_TOP - 12, 4), XT_CODE_ADDR);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_intr_at_boundary),       T(test_intr_masked_by_if),    T(test_sti_shadow),
        T(test_sti_no_shadow_when_set), T(test_mov_ss_pop_ss_shadow), T(test_hlt_wakes_on_intr),
        T(test_intr_ext_bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
