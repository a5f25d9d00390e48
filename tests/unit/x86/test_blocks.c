/* Decoded blocks (cpu.c "Blocks"): with the timing model attached the run loop executes
 * straight-line blocks and reports each as one EV_BLOCK; the same code with a subscriber of
 * single EV_INSNs (blocks off) must end in the same state, instruction count and guest time.
 * Self-modifying code: a store into the block being executed ends it, so the next instruction is
 * the new one (SDM Vol. 3A 8.1.3), and a block whose bytes were written since it was decoded is
 * decoded again when entered. */
#include "x86/helpers.h"

#include "timing/timing.h"

struct run {
    struct xt *t;
    struct tm_model md;
    uint64_t singles; /* EV_INSNs seen one at a time (blocks off) */
};

static void one_insn(void *opaque, const struct ev *e)
{
    (void)e;
    ((struct run *)opaque)->singles++;
}

/* A fresh machine with code at XT_CODE_ADDR and the timing model; pm: the protected-mode
 * environment of xt_pm_env. */
static void run_init(struct run *r, const uint8_t *code, size_t n, bool blocks, bool pm)
{
    void *state = NULL;
    memset(r, 0, sizeof *r);
    assert_int_equal(xt_setup(&state), 0);
    r->t = state;
    struct x86_cpu *cpu = r->t->cpu;
    if (pm) xt_pm_env(cpu);
    xt_code(cpu, code, n);
    assert_int_equal(tm_model_attach(&r->md, tm_profile_default(ARCH_I386), &r->t->m), 0);
    if (!blocks) assert_true(ev_subscribe(&r->t->m.events, EV_MASK(EV_INSN), one_insn, r) >= 0);
    assert_int_equal(r->t->m.events.blocks, blocks);
}

static void run_done(struct run *r)
{
    void *state = r->t;
    tm_model_destroy(&r->md);
    xt_teardown(&state);
}

/* Both runs retired the same instructions in the same guest time and left the same registers;
 * the one with blocks used them. */
static void assert_same(const struct run *a, const struct run *b)
{
    const struct machine *ma = &a->t->m, *mb = &b->t->m;
    assert_int_equal(ma->insns, mb->insns);
    assert_int_equal(ma->time, mb->time);
    assert_int_equal(ma->events.count[EV_INSN], mb->events.count[EV_INSN]);
    assert_int_equal(ma->events.count[EV_MEM], mb->events.count[EV_MEM]);
    assert_int_equal(ma->events.count[EV_EXCEPTION], mb->events.count[EV_EXCEPTION]);
    assert_memory_equal(a->t->cpu->gpr, b->t->cpu->gpr, sizeof a->t->cpu->gpr);
    assert_int_equal(a->t->cpu->rip, b->t->cpu->rip);
    assert_int_equal(a->t->cpu->rflags, b->t->cpu->rflags);
    assert_true(ma->events.count[EV_BLOCK] > 0);
    assert_int_equal(ma->events.count[EV_INSN], b->singles);
}

/* The first instruction runs alone (the fetch TLB is empty); the block starting at the store
 * holds the MOV whose immediate it rewrites. */
static const uint8_t smc_same_block[] = {
    0x90,                                     /* 1000: nop */
    0xc6, 0x05, 0x09, 0x10, 0x00, 0x00, 0x41, /* 1001: mov byte [0x1009], 0x41 */
    0xb8, 0x01, 0x00, 0x00, 0x00,             /* 1008: mov eax, 1 (immediate at 1009) */
    0x40,                                     /* 100d: inc eax */
    0xeb, 0xfe,                               /* 100e: jmp $ */
};

static void test_store_into_the_running_block(void **state)
{
    (void)state;
    struct run blk, one;
    run_init(&blk, smc_same_block, sizeof smc_same_block, true, false);
    run_init(&one, smc_same_block, sizeof smc_same_block, false, false);
    assert_int_equal(machine_step(&blk.t->m, 4), STOP_NONE);
    assert_int_equal(machine_step(&one.t->m, 4), STOP_NONE);
    /* the MOV executed is the stored one: 0x41, then INC */
    assert_int_equal(blk.t->cpu->gpr[X86_RAX], 0x42);
    assert_same(&blk, &one);
    run_done(&blk);
    run_done(&one);
}

/* Block A (MOV, ADD, JMP) and block B (a store into A's MOV immediate, JMP back): A runs again
 * with the new immediate. */
static const uint8_t smc_other_block[] = {
    0x90,                                     /* 1000: nop */
    0xb8, 0x01, 0x00, 0x00, 0x00,             /* 1001: mov eax, 1 (immediate at 1002) */
    0x01, 0xc1,                               /* 1006: add ecx, eax */
    0xeb, 0x06,                               /* 1008: jmp 1010 */
    0x90, 0x90, 0x90, 0x90, 0x90, 0x90,       /* 100a */
    0xc6, 0x05, 0x02, 0x10, 0x00, 0x00, 0x05, /* 1010: mov byte [0x1002], 5 */
    0xeb, 0xe8,                               /* 1017: jmp 1001 */
};

static void test_block_written_before_it_runs_again(void **state)
{
    (void)state;
    struct run blk, one;
    run_init(&blk, smc_other_block, sizeof smc_other_block, true, false);
    run_init(&one, smc_other_block, sizeof smc_other_block, false, false);
    /* nop, A, B, A */
    assert_int_equal(machine_step(&blk.t->m, 9), STOP_NONE);
    assert_int_equal(machine_step(&one.t->m, 9), STOP_NONE);
    assert_int_equal(blk.t->cpu->gpr[X86_RCX], 1 + 5);
    assert_int_equal(blk.t->cpu->rip, 0x1010);
    assert_same(&blk, &one);
    run_done(&blk);
    run_done(&one);
}

/* Runs A, then B (which stores value at byte pos of A), then A again, from code with A at
 * XT_CODE_ADDR + 1 (a: its bytes, insns: its instructions, a JMP to B last); returns EAX. */
static uint64_t run_rewritten(const uint8_t *a, unsigned size, unsigned insns, unsigned pos,
                              uint8_t value)
{
    uint8_t code[128];
    unsigned len = 0, start = XT_CODE_ADDR + 1;
    code[len++] = 0x90; /* 1000: nop, alone (the fetch TLB is empty) */
    memcpy(&code[len], a, size);
    len += size;
    uint32_t target = start + pos, back = start - (XT_CODE_ADDR + len + 7 + 5);
    code[len++] = 0xc6; /* B: mov byte [A + pos], value */
    code[len++] = 0x05;
    memcpy(&code[len], &target, 4);
    len += 4;
    code[len++] = value;
    code[len++] = 0xe9; /* jmp A */
    memcpy(&code[len], &back, 4);
    len += 4;
    struct run r;
    run_init(&r, code, len, true, false);
    assert_int_equal(machine_step(&r.t->m, 1 + insns + 2 + insns), STOP_NONE);
    assert_true(r.t->m.events.count[EV_BLOCK] >= 3);
    uint64_t eax = r.t->cpu->gpr[X86_RAX];
    run_done(&r);
    return eax;
}

/* A block entered again after another block rewrote one of its bytes is decoded again, for
 * every block size and byte position: the byte compare of block_at (a plan of four words up to
 * 32 bytes, a word at a time beyond) sees each change. Blocks of 1-16 NOPs and a JMP (3-18
 * bytes: a NOP becomes INC EAX), and of 1-16 ADD EAX, imm32 and a JMP (7-82 bytes: an immediate
 * byte becomes 1). */
static void test_block_written_at_every_byte(void **state)
{
    (void)state;
    for (unsigned n = 1; n <= 16; n++) {
        uint8_t a[96];
        unsigned size = 0;
        for (unsigned i = 0; i < n; i++)
            a[size++] = 0x90;
        a[size++] = 0xeb; /* jmp B (the next byte) */
        a[size++] = 0x00;
        for (unsigned pos = 0; pos < n; pos++)
            if (run_rewritten(a, size, n + 1, pos, 0x40) != 1)
                fail_msg("%u NOPs, byte %u written: not seen", n, pos);
    }
    for (unsigned n = 1; n <= 16; n++) {
        uint8_t a[96] = {0};
        unsigned size = 0;
        for (unsigned i = 0; i < n; i++, size += 5)
            a[size] = 0x05; /* add eax, 0 */
        a[size++] = 0xeb;
        a[size++] = 0x00;
        for (unsigned pos = 0; pos < 5 * n; pos++)
            if (pos % 5 && run_rewritten(a, size, n + 1, pos, 1) != 1ull << (8 * (pos % 5 - 1)))
                fail_msg("%u ADDs, byte %u written: not seen", n, pos);
    }
}

/* A loop of one block (cpu.c run_blocks runs it again without the block lookup): each pass is
 * an EV_BLOCK, and the run ends as one instruction at a time does. */
static const uint8_t one_block_loop[] = {
    0x90,                         /* 1000: nop */
    0x01, 0xc8,                   /* 1001: add eax, ecx */
    0xa3, 0x00, 0x00, 0x01, 0x00, /* 1003: mov [0x10000], eax */
    0x49,                         /* 1008: dec ecx */
    0x75, 0xf6,                   /* 1009: jnz 1001 */
    0xeb, 0xfe,                   /* 100b: jmp $ */
};

static void test_loop_of_one_block(void **state)
{
    (void)state;
    struct run r[2];
    for (unsigned i = 0; i < 2; i++) {
        run_init(&r[i], one_block_loop, sizeof one_block_loop, i == 0, false);
        struct x86_cpu *cpu = r[i].t->cpu;
        cpu->gpr[X86_RCX] = 100;
        /* the NOP, 100 passes of four, the JMP twice */
        assert_int_equal(machine_step(&r[i].t->m, 1 + 400 + 2), STOP_NONE);
        assert_int_equal(cpu->gpr[X86_RAX], 5050);
        assert_int_equal(xt_read(cpu, XT_DATA_ADDR, 4), 5050);
        assert_int_equal(cpu->rip, 0x100b);
    }
    assert_same(&r[0], &r[1]);
    assert_true(r[0].t->m.events.count[EV_BLOCK] >= 100);
    run_done(&r[0]);
    run_done(&r[1]);
}

/* A loop of one block that ends with a CALL to its own start, with the stack in its bytes: the
 * return address the CALL pushes replaces the MOV's immediate, and the next pass loads the new
 * one (SDM Vol. 3A 8.1.3), although the block ran to its end. */
static const uint8_t call_into_itself[] = {
    0x90,                         /* 1000: nop */
    0xb8, 0x01, 0x00, 0x00, 0x00, /* 1001: mov eax, 1 (immediate at 1002) */
    0x01, 0xc1,                   /* 1006: add ecx, eax */
    0xe8, 0xf4, 0xff, 0xff, 0xff, /* 1008: call 1001 (pushes 0x100d at 1002) */
};

static void test_loop_of_one_block_writes_itself(void **state)
{
    (void)state;
    struct run r[2];
    for (unsigned i = 0; i < 2; i++) {
        run_init(&r[i], call_into_itself, sizeof call_into_itself, i == 0, false);
        struct x86_cpu *cpu = r[i].t->cpu;
        cpu->gpr[X86_RSP] = 0x1006;
        /* the NOP, then two passes: the second adds the pushed return address */
        assert_int_equal(machine_step(&r[i].t->m, 1 + 3 + 2), STOP_NONE);
        assert_int_equal(cpu->gpr[X86_RCX], 1 + 0x100d);
        assert_int_equal(cpu->rip, 0x1008);
        assert_int_equal(cpu->gpr[X86_RSP], 0x1002);
    }
    assert_same(&r[0], &r[1]);
    run_done(&r[0]);
    run_done(&r[1]);
}

/* A #DE in the middle of a block: the instructions before it retire, the handler (which sets
 * the divisor) runs, IRET returns to the DIV. */
#define DE_HANDLER 0x1100u
static const uint8_t divide[] = {
    0x90,                         /* 1000: nop */
    0xb8, 0x64, 0x00, 0x00, 0x00, /* 1001: mov eax, 100 */
    0x31, 0xd2,                   /* 1006: xor edx, edx */
    0xf7, 0xf1,                   /* 1008: div ecx (ecx = 0: #DE) */
    0x83, 0xc0, 0x07,             /* 100a: add eax, 7 */
    0xeb, 0xfe,                   /* 100d: jmp $ */
};
static const uint8_t de_handler[] = {
    0xb9, 0x03, 0x00, 0x00, 0x00, /* mov ecx, 3 */
    0xcf,                         /* iret */
};

static void test_fault_inside_a_block(void **state)
{
    (void)state;
    struct run r[2];
    for (unsigned i = 0; i < 2; i++) {
        run_init(&r[i], divide, sizeof divide, i == 0, true);
        struct x86_cpu *cpu = r[i].t->cpu;
        assert_int_equal(bus_copy_to_ram(&cpu->m->bus, DE_HANDLER, de_handler, sizeof de_handler),
                         0);
        xt_idt_set(cpu, X86_VEC_DE, XT_KCODE, DE_HANDLER, 0xe, 0, true);
        /* nop, mov, xor, (#DE) mov ecx, iret, div, add */
        assert_int_equal(machine_step(&r[i].t->m, 7), STOP_NONE);
        assert_int_equal(cpu->gpr[X86_RAX], 100 / 3 + 7);
        assert_int_equal(cpu->gpr[X86_RDX], 100 % 3);
        assert_int_equal(r[i].t->m.events.count[EV_EXCEPTION], 1);
    }
    assert_same(&r[0], &r[1]);
    run_done(&r[0]);
    run_done(&r[1]);
}

/* A CS load that lowers the limit below a decoded block's bytes (same base and code size): the
 * instruction that no longer fits faults (#GP(0), SDM Vol. 3A 5.3) instead of running from the
 * block. */
#define GP_HANDLER 0x1100u
static const uint8_t loop[] = {
    0x90,                         /* 1000: nop */
    0xb8, 0x01, 0x00, 0x00, 0x00, /* 1001: mov eax, 1 */
    0x40,                         /* 1006: inc eax */
    0xeb, 0xf7,                   /* 1007: jmp 1000 */
};
static const uint8_t gp_handler[] = {
    0xbb, 0x07, 0x00, 0x00, 0x00, /* mov ebx, 7 */
    0xeb, 0xfe,                   /* jmp $ */
};

static void test_cs_limit_below_a_block(void **state)
{
    (void)state;
    struct run r[2];
    for (unsigned i = 0; i < 2; i++) {
        run_init(&r[i], loop, sizeof loop, i == 0, true);
        struct x86_cpu *cpu = r[i].t->cpu;
        assert_int_equal(bus_copy_to_ram(&cpu->m->bus, GP_HANDLER, gp_handler, sizeof gp_handler),
                         0);
        xt_idt_set(cpu, X86_VEC_GP, XT_KCODE, GP_HANDLER, 0xe, 0, true);
        /* twice round the loop, then one more NOP */
        assert_int_equal(machine_step(&r[i].t->m, 9), STOP_NONE);
        assert_int_equal(cpu->rip, 0x1001);
        const struct x86_seg *cs = &cpu->seg[X86_CS];
        x86_set_seg(cpu, X86_CS, cs->sel, cs->base, 0x1003, cs->attr);
        /* MOV (1001..1005) is beyond the limit: #GP; the handler's two instructions */
        assert_int_equal(machine_step(&r[i].t->m, 2), STOP_NONE);
        assert_int_equal(cpu->gpr[X86_RBX], 7);
        assert_int_equal(cpu->rip, GP_HANDLER + 5);
        assert_int_equal(r[i].t->m.events.count[EV_EXCEPTION], 1);
    }
    assert_same(&r[0], &r[1]);
    run_done(&r[0]);
    run_done(&r[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_into_the_running_block),
        cmocka_unit_test(test_block_written_before_it_runs_again),
        cmocka_unit_test(test_block_written_at_every_byte),
        cmocka_unit_test(test_loop_of_one_block),
        cmocka_unit_test(test_loop_of_one_block_writes_itself),
        cmocka_unit_test(test_fault_inside_a_block),
        cmocka_unit_test(test_cs_limit_below_a_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
