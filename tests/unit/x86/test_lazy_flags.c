/* Lazy arithmetic flags (src/cpu/x86/internal.h "Lazy flags"): two flag-setting instructions and
 * a Jcc run once through the run loop, where the flags stay recorded between the instructions
 * and Jcc evaluates its condition from the record (SDM Vol. 1 B.1), and once through x86_step,
 * which leaves RFLAGS architectural after every instruction. The branch taken, the registers and
 * RFLAGS must be the same (SDM Vol. 1 3.4.3.1 status flags; Vol. 2 ADD, SUB, CMP, AND, OR, XOR,
 * TEST, ADC, SBB, INC, DEC, NEG, SAL/SAR/SHL/SHR, ROL/ROR: the flags each defines; a rotate
 * changes CF and OF only). */
#include "x86/helpers.h"

struct op {
    const char *name;
    uint8_t bytes[4];
    unsigned len;
};

/* EAX is the destination; EBX, an immediate or [ECX] (holding EBX's value) the source. */
static const struct op ops[] = {
    {"add eax, ebx", {0x01, 0xd8}, 2},
    {"or eax, ebx", {0x09, 0xd8}, 2},
    {"adc eax, ebx", {0x11, 0xd8}, 2},
    {"sbb eax, ebx", {0x19, 0xd8}, 2},
    {"and eax, ebx", {0x21, 0xd8}, 2},
    {"sub eax, ebx", {0x29, 0xd8}, 2},
    {"xor eax, ebx", {0x31, 0xd8}, 2},
    {"cmp eax, ebx", {0x39, 0xd8}, 2},
    {"test eax, ebx", {0x85, 0xd8}, 2},
    {"inc eax", {0x40}, 1},
    {"dec eax", {0x48}, 1},
    {"cmp al, bl", {0x38, 0xd8}, 2},
    {"add al, bl", {0x00, 0xd8}, 2},
    {"sub ax, bx", {0x66, 0x29, 0xd8}, 3},
    {"cmp ax, bx", {0x66, 0x39, 0xd8}, 3},
    {"inc ax", {0x66, 0x40}, 2},
    {"dec al", {0xfe, 0xc8}, 2},
    {"cmp eax, 1", {0x83, 0xf8, 0x01}, 3},
    {"cmp eax, [ecx]", {0x3b, 0x01}, 2},
    {"sub eax, [ecx]", {0x2b, 0x01}, 2},
    {"and al, [ecx]", {0x22, 0x01}, 2},
    {"neg eax", {0xf7, 0xd8}, 2},
    {"shl eax, 1", {0xd1, 0xe0}, 2},
    {"cmp [ecx], eax", {0x39, 0x01}, 2},
    {"mov eax, ebx", {0x89, 0xd8}, 2},
    {"shr eax, 1", {0xd1, 0xe8}, 2},
    {"shr eax, 31", {0xc1, 0xe8, 0x1f}, 3},
    {"sar eax, 5", {0xc1, 0xf8, 0x05}, 3},
    {"sar al, 7", {0xc0, 0xf8, 0x07}, 3},
    {"shl eax, cl (cl = 0)", {0xd3, 0xe0}, 2},
    {"sal ax, 15", {0x66, 0xc1, 0xf0, 0x0f}, 4},
    {"shr al, 1", {0xd0, 0xe8}, 2},
    {"neg al", {0xf6, 0xd8}, 2},
    {"rol eax, 1", {0xd1, 0xc0}, 2},
    {"ror eax, 3", {0xc1, 0xc8, 0x03}, 3},
    {"rol al, 4", {0xc0, 0xc0, 0x04}, 3},
    {"ror ax, 1", {0x66, 0xd1, 0xc8}, 3},
    {"rol eax, cl (cl = 0)", {0xd3, 0xc0}, 2},
    {"not eax", {0xf7, 0xd0}, 2},
    {"lea eax, [eax + 1]", {0x8d, 0x40, 0x01}, 3},
};
#define NOPS (sizeof ops / sizeof ops[0])

static const uint32_t values[][2] = {
    {0, 0},          {1, 1},          {0, 1},           {1, 0},
    {0x7fffffff, 1}, {0x80000000, 1}, {0xffffffff, 1},  {0x80000000, 0x7fffffff},
    {0x7f, 0x80},    {0xff, 0x01},    {0x7fff, 0x8000}, {0x12345678, 0x9abcdef0},
};
#define NVALUES (sizeof values / sizeof values[0])

struct outcome {
    uint64_t rip, rax, rflags;
};

static void reset(struct xt *t, const uint8_t *code, unsigned len, uint32_t a, uint32_t b,
                  uint64_t arith)
{
    struct x86_cpu *cpu = t->cpu;
    xt_alu_case(cpu, code, len, a, b, b, arith);
    cpu->gpr[X86_RDX] = 0;
}

static struct outcome outcome(const struct x86_cpu *cpu)
{
    return (struct outcome){cpu->rip, cpu->gpr[X86_RAX], cpu->rflags};
}

/* op1; op2; Jcc +2; mov dl, 1 */
static void check(struct xt *t, const struct op *op1, const struct op *op2, unsigned cc, uint32_t a,
                  uint32_t b, uint64_t arith)
{
    uint8_t code[16];
    unsigned len = 0;
    memcpy(code + len, op1->bytes, op1->len), len += op1->len;
    memcpy(code + len, op2->bytes, op2->len), len += op2->len;
    code[len++] = (uint8_t)(0x70 | cc);
    code[len++] = 0x02;
    code[len++] = 0xb2;
    code[len++] = 0x01;

    reset(t, code, len, a, b, arith);
    assert_int_equal(machine_step(&t->m, 3), STOP_NONE);
    struct outcome run = outcome(t->cpu);

    reset(t, code, len, a, b, arith);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(x86_step(t->cpu), X86_OK);
    struct outcome stepped = outcome(t->cpu);

    if (run.rip != stepped.rip || run.rax != stepped.rax || run.rflags != stepped.rflags)
        fail_msg("%s; %s; j%x with eax=%#x ebx=%#x flags=%#llx: run rip=%#llx rflags=%#llx, "
                 "stepped rip=%#llx rflags=%#llx",
                 op1->name, op2->name, cc, a, b, (unsigned long long)arith,
                 (unsigned long long)run.rip, (unsigned long long)run.rflags,
                 (unsigned long long)stepped.rip, (unsigned long long)stepped.rflags);
}

/* Every pair of operations, every condition, operand values at the sign and carry edges, CF
 * clear and set before (ADC, SBB, INC and DEC read or keep it). */
static void test_lazy_flags_match_eager(void **state)
{
    struct xt *t = *state;
    for (unsigned i = 0; i < NOPS; i++)
        for (unsigned j = 0; j < NOPS; j++)
            for (unsigned v = 0; v < NVALUES; v++)
                for (unsigned cc = 0; cc < 16; cc++) {
                    check(t, &ops[i], &ops[j], cc, values[v][0], values[v][1], 0);
                    check(t, &ops[i], &ops[j], cc, values[v][0], values[v][1],
                          X86_CF | X86_ZF | X86_OF);
                }
}

/* An event subscriber reading RFLAGS inside the run loop (the monitor's register view, a trace)
 * sees the architectural value: x86_get_rflags computes the recorded flags. */
struct probe {
    struct xt *t;
    uint64_t last; /* the last value seen */
};

static void insn_probe(void *opaque, const struct ev *e)
{
    struct probe *p = opaque;
    (void)e;
    uint64_t v = 0;
    assert_true(p->t->m.cpu_ops->get_reg(p->t->cpu, "eflags", &v));
    assert_int_equal(v, x86_get_rflags(p->t->cpu));
    p->last = v;
}

static void test_lazy_flags_seen_by_subscribers(void **state)
{
    struct xt *t = *state;
    struct probe p = {t, 0};
    XT_CODE(t->cpu, 0x39, 0xd8, 0x90); /* cmp eax, ebx; nop */
    t->cpu->gpr[X86_RAX] = 1;
    t->cpu->gpr[X86_RBX] = 2;
    xt_set_arith(t->cpu, 0);
    int h = ev_subscribe(&t->m.events, EV_MASK(EV_INSN), insn_probe, &p);
    assert_true(h >= 0);
    assert_int_equal(machine_step(&t->m, 2), STOP_NONE);
    ev_unsubscribe(&t->m.events, h);
    /* 1 - 2: CF (borrow), SF, AF (borrow from bit 4), PF (0xff has eight ones) */
    uint64_t want = X86_CF | X86_SF | X86_AF | X86_PF;
    assert_int_equal(p.last & X86_FLAGS_ARITH, want);
    assert_int_equal(XT_ARITH(t->cpu), want);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_lazy_flags_match_eager),
        T(test_lazy_flags_seen_by_subscribers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
