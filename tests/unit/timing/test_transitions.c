/* Transition accounting (src/timing/transitions.c) on synthetic event streams, in the orders the
 * cores emit them (src/cpu/riscv/trap.c: EV_EXCEPTION then EV_PRIV for a trap, EV_PRIV then
 * EV_INSN for sret; src/cpu/x86/interrupt.c: INT n retires after its EV_PRIV), with registers
 * read through a fake cpu_ops.get_reg. Each test names the behaviour it checks; timing.h says
 * what entry, kernel and exit count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "timing/timing.h"

/* A CPU with named registers only. */
struct fake_cpu {
    const char *name[16];
    uint64_t value[16];
    unsigned n;
    unsigned reads;
};

static void set_reg(struct fake_cpu *c, const char *name, uint64_t value)
{
    for (unsigned i = 0; i < c->n; i++)
        if (strcmp(c->name[i], name) == 0) {
            c->value[i] = value;
            return;
        }
    assert_true(c->n < 16);
    c->name[c->n] = name;
    c->value[c->n++] = value;
}

static bool fake_get_reg(void *cpu, const char *name, uint64_t *value)
{
    struct fake_cpu *c = cpu;
    c->reads++;
    for (unsigned i = 0; i < c->n; i++)
        if (strcmp(c->name[i], name) == 0) {
            *value = c->value[i];
            return true;
        }
    return false;
}

static const struct cpu_ops fake_ops = {.name = "fake", .get_reg = fake_get_reg};

/* The transitions handed to on_close, in order. */
struct collected {
    struct tm_transition t[16];
    unsigned n;
};
static void collect(void *opaque, const struct tm_transition *t)
{
    struct collected *c = opaque;
    assert_true(c->n < 16);
    c->t[c->n++] = *t;
}

struct fixture {
    struct fake_cpu cpu;
    struct tm_log log;
    struct collected got;
};

static struct fixture *setup_arch(enum mach_arch arch)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    tm_log_init(&f->log, arch, &fake_ops, &f->cpu);
    f->log.on_close = collect;
    f->log.on_close_opaque = &f->got;
    return f;
}

static int setup_riscv(void **state)
{
    *state = setup_arch(ARCH_RISCV64);
    return 0;
}
static int setup_x86(void **state)
{
    *state = setup_arch(ARCH_I386);
    return 0;
}
static int teardown(void **state)
{
    struct fixture *f = *state;
    tm_log_destroy(&f->log);
    free(f);
    return 0;
}

static void insn(struct fixture *f, uint64_t pc)
{
    struct ev e = {.kind = EV_INSN, .pc = pc};
    e.insn.len = 4;
    tm_log_event(&f->log, &e);
}
static void insns(struct fixture *f, uint64_t pc, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        insn(f, pc + 4 * i);
}
static void exception(struct fixture *f, uint64_t pc, uint32_t vector, bool interrupt,
                      uint64_t info)
{
    struct ev e = {.kind = EV_EXCEPTION, .pc = pc};
    e.exception.vector = vector;
    e.exception.interrupt = interrupt;
    e.exception.info = info;
    tm_log_event(&f->log, &e);
}
static void priv(struct fixture *f, uint64_t pc, unsigned from, unsigned to, enum ev_mech mech)
{
    struct ev e = {.kind = EV_PRIV, .pc = pc};
    e.priv.from = (uint8_t)from;
    e.priv.to = (uint8_t)to;
    e.priv.mech = (uint8_t)mech;
    tm_log_event(&f->log, &e);
}

#define USER_PC   0x10000ull
#define KERNEL_PC 0x80001000ull
#define TRAMP     0x3ffffff000ull
#define SRET_PC   0x3ffffff13cull

/* The kernel's first drop to U-mode (no entry before it), then n user instructions. */
static void boot_to_user(struct fixture *f, unsigned n)
{
    insns(f, KERNEL_PC, 10);
    priv(f, SRET_PC, 1, 0, EV_MECH_SRET);
    insn(f, SRET_PC);
    insns(f, USER_PC, n);
}

/* One riscv64 system call as the hart emits it: ecall at pc (does not retire), kernel_insns
 * kernel instructions, sret, and the first user instruction after the ecall. */
static void riscv_syscall(struct fixture *f, uint64_t pc, uint64_t nr, uint64_t a0, uint64_t a1,
                          uint64_t a2, unsigned kernel_insns, uint64_t result)
{
    set_reg(&f->cpu, "a7", nr);
    set_reg(&f->cpu, "a0", a0);
    set_reg(&f->cpu, "a1", a1);
    set_reg(&f->cpu, "a2", a2);
    exception(f, pc, 8, false, 0); /* Priv. spec Table 4.2: 8 = environment call from U-mode */
    priv(f, TRAMP, 0, 1, EV_MECH_ECALL);
    insns(f, TRAMP, kernel_insns);
    set_reg(&f->cpu, "a0", result);
    priv(f, SRET_PC, 1, 0, EV_MECH_SRET);
    insn(f, SRET_PC);
    insn(f, pc + 4);
}

static void ecall_round_trip_is_entry_kernel_exit(void **state)
{
    struct fixture *f = *state;
    boot_to_user(f, 3);
    riscv_syscall(f, USER_PC + 12, 64, 1, 0x12345, 13, 183, 13);
    assert_int_equal(f->got.n, 1);
    const struct tm_transition *t = &f->got.t[0];
    assert_int_equal(t->mech, EV_MECH_ECALL);
    assert_int_equal(t->ret_mech, EV_MECH_SRET);
    assert_int_equal(t->abi, TM_ABI_RISCV64);
    assert_int_equal(t->nr, 64);
    assert_int_equal(t->args[0], 1);
    assert_int_equal(t->args[1], 0x12345);
    assert_int_equal(t->args[2], 13);
    assert_int_equal(t->ret, 13);
    assert_int_equal(t->pc, USER_PC + 12);
    assert_true(t->returned && t->closed);
    /* the ecall (not retired) / 183 kernel instructions / the sret */
    assert_int_equal(t->count[TM_ENTRY][TM_INSNS], 1);
    assert_int_equal(t->count[TM_KERNEL][TM_INSNS], 183);
    assert_int_equal(t->count[TM_EXIT][TM_INSNS], 1);
    assert_int_equal(t->nested, 0);
    char name[32];
    tm_transition_name(t, name, sizeof name);
    assert_string_equal(name, "write");
    /* the instructions around it: 10 kernel (boot) + the first sret; 3 + 1 user */
    assert_int_equal(f->log.kernel_outside_insns, 11);
    assert_int_equal(f->log.user_insns, 4);
    assert_int_equal(f->log.returns_without_entry, 1);
    assert_int_equal(f->log.transitions, 1);
    assert_int_equal(f->log.returned, 1);
    assert_int_equal(f->log.errors, 0);
}

/* The transition closes at the first user instruction, not at the return. */
static void transition_closes_at_the_first_user_instruction(void **state)
{
    struct fixture *f = *state;
    boot_to_user(f, 1);
    set_reg(&f->cpu, "a7", 172);
    exception(f, USER_PC, 8, false, 0);
    priv(f, TRAMP, 0, 1, EV_MECH_ECALL);
    insns(f, TRAMP, 5);
    priv(f, SRET_PC, 1, 0, EV_MECH_SRET);
    assert_int_equal(f->got.n, 0);
    insn(f, SRET_PC); /* the sret itself retires after its EV_PRIV */
    assert_int_equal(f->got.n, 0);
    insn(f, USER_PC + 4);
    assert_int_equal(f->got.n, 1);
    assert_int_equal(f->got.t[0].count[TM_KERNEL][TM_INSNS], 5);
    assert_int_equal(f->got.t[0].count[TM_EXIT][TM_INSNS], 1);
}

/* x86: INT $0x80 retires after its delivery (SDM Vol. 3A 6.12), so its EV_INSN comes after the
 * EV_PRIV; it is the entry's one instruction, not kernel work. The i386 ABI: eax, ebx, ecx, edx;
 * a 32-bit result is sign-extended (-14 = -EFAULT). */
static void x86_int80_counts_the_int_once(void **state)
{
    struct fixture *f = *state;
    const uint64_t int_pc = 0x8048100, iret_pc = 0xc0001234;
    priv(f, iret_pc, 0, 3, EV_MECH_IRET); /* the kernel's first drop to ring 3 */
    insn(f, iret_pc);
    insns(f, 0x8048000, 2);
    set_reg(&f->cpu, "eax", 4);
    set_reg(&f->cpu, "ebx", 1);
    set_reg(&f->cpu, "ecx", 0x8049000);
    set_reg(&f->cpu, "edx", 5);
    exception(f, int_pc, 0x80, false, 0);
    priv(f, int_pc, 3, 0, EV_MECH_INT);
    insn(f, int_pc); /* the INT retires */
    insns(f, 0xc0001000, 7);
    set_reg(&f->cpu, "eax", 0xfffffff2);
    priv(f, iret_pc, 0, 3, EV_MECH_IRET);
    insn(f, iret_pc);
    insn(f, int_pc + 2);
    assert_int_equal(f->got.n, 1);
    const struct tm_transition *t = &f->got.t[0];
    assert_int_equal(t->abi, TM_ABI_I386);
    assert_int_equal(t->nr, 4);
    assert_int_equal(t->args[1], 0x8049000);
    assert_int_equal((int64_t)t->ret, -14);
    assert_int_equal(t->count[TM_ENTRY][TM_INSNS], 1);
    assert_int_equal(t->count[TM_KERNEL][TM_INSNS], 7);
    assert_int_equal(t->count[TM_EXIT][TM_INSNS], 1);
    char name[32];
    tm_transition_name(t, name, sizeof name);
    assert_string_equal(name, "write"); /* i386 4 = write */
}

/* SYSENTER and SYSCALL take the ABI of the code that made them (EV_PRIV from_bits): from 64-bit
 * code the x86-64 numbers and registers, from 32-bit code the i386 ones (SDM Vol. 2B SYSENTER:
 * valid in 64-bit mode on Intel; AMD APM Vol. 3 SYSCALL: legacy and compatibility mode). */
static void crossing_abi(struct fixture *f, enum ev_mech in, enum ev_mech out, unsigned bits,
                         enum tm_abi want_abi, uint64_t want_nr)
{
    const uint64_t user_pc = 0x401000, kernel_pc = 0xffffffff80100000ull;
    priv(f, kernel_pc, 0, 3, out);
    insn(f, user_pc - 2);
    set_reg(&f->cpu, "rax", 1); /* x86-64 write, i386 exit */
    set_reg(&f->cpu, "eax", 1);
    struct ev e = {.kind = EV_PRIV, .pc = user_pc};
    e.priv.from = 3;
    e.priv.to = 0;
    e.priv.mech = (uint8_t)in;
    e.priv.from_bits = (uint8_t)bits;
    tm_log_event(&f->log, &e);
    insn(f, user_pc);
    insns(f, kernel_pc, 3);
    priv(f, kernel_pc + 12, 0, 3, out);
    insn(f, kernel_pc + 12);
    insn(f, user_pc + 2);
    assert_int_equal(f->got.n, 1);
    assert_int_equal(f->got.t[0].abi, want_abi);
    assert_int_equal(f->got.t[0].nr, want_nr);
}

static void sysenter_from_64bit_code_is_the_x86_64_abi(void **state)
{
    crossing_abi(*state, EV_MECH_SYSENTER, EV_MECH_SYSEXIT, 64, TM_ABI_X86_64, 1);
}
static void sysenter_from_32bit_code_is_the_i386_abi(void **state)
{
    crossing_abi(*state, EV_MECH_SYSENTER, EV_MECH_SYSEXIT, 32, TM_ABI_I386, 1);
}
static void syscall_from_compatibility_mode_is_the_i386_abi(void **state)
{
    crossing_abi(*state, EV_MECH_SYSCALL, EV_MECH_SYSRET, 32, TM_ABI_I386, 1);
}
static void syscall_from_64bit_code_is_the_x86_64_abi(void **state)
{
    crossing_abi(*state, EV_MECH_SYSCALL, EV_MECH_SYSRET, 64, TM_ABI_X86_64, 1);
}

/* INT n with another vector is a software interrupt, not a system call. */
static void x86_int3_is_not_a_system_call(void **state)
{
    struct fixture *f = *state;
    priv(f, 0xc0000000, 0, 3, EV_MECH_IRET);
    insn(f, 0xc0000000);
    insn(f, 0x8048000);
    exception(f, 0x8048004, 3, false, 0);
    priv(f, 0x8048004, 3, 0, EV_MECH_INT);
    insn(f, 0x8048004);
    insns(f, 0xc0002000, 4);
    tm_log_finish(&f->log);
    assert_int_equal(f->got.n, 1);
    assert_int_equal(f->got.t[0].abi, TM_ABI_NONE);
    assert_int_equal(f->got.t[0].count[TM_KERNEL][TM_INSNS], 4);
    assert_int_equal(f->log.syscalls.n, 0);
    char name[32];
    tm_transition_name(&f->got.t[0], name, sizeof name);
    assert_string_equal(name, "#BP");
}

/* A core that retires the returning instruction before its EV_PRIV: it still counts as exit. */
static void return_retired_before_its_priv_event_counts_as_exit(void **state)
{
    struct fixture *f = *state;
    boot_to_user(f, 1);
    set_reg(&f->cpu, "a7", 172);
    exception(f, USER_PC, 8, false, 0);
    priv(f, TRAMP, 0, 1, EV_MECH_ECALL);
    insns(f, TRAMP, 6);
    insn(f, SRET_PC);
    priv(f, SRET_PC, 1, 0, EV_MECH_SRET);
    insn(f, USER_PC + 4);
    assert_int_equal(f->got.n, 1);
    assert_int_equal(f->got.t[0].count[TM_KERNEL][TM_INSNS], 6);
    assert_int_equal(f->got.t[0].count[TM_EXIT][TM_INSNS], 1);
}

/* Traps taken inside the kernel (here a machine timer interrupt handled in M-mode, S -> M ->
 * S) are kernel work of the open transition and counted as nested. */
static void nested_exception_in_the_kernel_is_kernel_work(void **state)
{
    struct fixture *f = *state;
    boot_to_user(f, 1);
    set_reg(&f->cpu, "a7", 63);
    exception(f, USER_PC, 8, false, 0);
    priv(f, TRAMP, 0, 1, EV_MECH_ECALL);
    insns(f, TRAMP, 4);
    exception(f, TRAMP + 16, 7, true, 0); /* machine timer interrupt */
    priv(f, 0x80000000, 1, 3, EV_MECH_INTERRUPT);
    insns(f, 0x80000000, 9);
    priv(f, 0x80000024, 3, 1, EV_MECH_MRET);
    insn(f, 0x80000024);
    insns(f, TRAMP + 16, 3);
    exception(f, TRAMP + 28, 13, false, 0x1234); /* a load page fault in S-mode: S -> S */
    insns(f, 0x80002000, 2);
    priv(f, SRET_PC, 1, 0, EV_MECH_SRET);
    insn(f, SRET_PC);
    insn(f, USER_PC + 4);
    assert_int_equal(f->got.n, 1);
    const struct tm_transition *t = &f->got.t[0];
    assert_int_equal(t->nested, 2);
    assert_int_equal(t->count[TM_KERNEL][TM_INSNS], 4 + 9 + 1 + 3 + 2);
    assert_int_equal(t->mech, EV_MECH_ECALL);
    assert_int_equal(t->ret_mech, EV_MECH_SRET);
    assert_int_equal(f->log.transitions, 1);
}

/* sret to U with no crossing open (the kernel starting the first program) is counted, not
 * recorded as a transition. */
static void return_without_entry_is_counted_not_recorded(void **state)
{
    struct fixture *f = *state;
    priv(f, SRET_PC, 1, 0, EV_MECH_SRET);
    insn(f, SRET_PC);
    insns(f, USER_PC, 5);
    tm_log_finish(&f->log);
    assert_int_equal(f->got.n, 0);
    assert_int_equal(f->log.transitions, 0);
    assert_int_equal(f->log.returns_without_entry, 1);
    assert_int_equal(f->log.user_insns, 5);
    assert_int_equal(f->log.kernel_outside_insns, 1);
}

/* exit_group never returns: at the end of the run the transition is recorded as open, with its
 * entry and kernel parts and no exit. */
static void transition_open_at_the_end_of_the_run(void **state)
{
    struct fixture *f = *state;
    boot_to_user(f, 2);
    set_reg(&f->cpu, "a7", 94);
    set_reg(&f->cpu, "a0", 3);
    exception(f, USER_PC + 8, 8, false, 0);
    priv(f, TRAMP, 0, 1, EV_MECH_ECALL);
    insns(f, TRAMP, 57);
    assert_int_equal(f->got.n, 0);
    tm_log_finish(&f->log);
    assert_int_equal(f->got.n, 1);
    const struct tm_transition *t = &f->got.t[0];
    assert_false(t->returned);
    assert_int_equal(t->ret_mech, EV_MECH_NONE);
    assert_int_equal(t->nr, 94);
    assert_int_equal(t->args[0], 3);
    assert_int_equal(t->count[TM_ENTRY][TM_INSNS], 1);
    assert_int_equal(t->count[TM_KERNEL][TM_INSNS], 57);
    assert_int_equal(t->count[TM_EXIT][TM_INSNS], 0);
    assert_int_equal(f->log.open_at_end, 1);
    assert_int_equal(f->log.returned, 0);
    /* the group has entry and kernel values, and no exit value */
    assert_int_equal(f->log.syscalls.n, 1);
    const struct tm_group *g = &f->log.syscalls.g[0];
    assert_int_equal(g->count, 1);
    assert_int_equal(g->returned, 0);
    assert_int_equal(g->part[TM_KERNEL][TM_INSNS].n, 1);
    assert_int_equal(g->part[TM_EXIT][TM_INSNS].n, 0);
    assert_int_equal(f->log.mechanisms.n, 1);
    assert_int_equal(f->log.mechanisms.g[0].ret_mech, EV_MECH_NONE);
}

/* A page fault in U-mode crosses like a system call; it has no number, and its name is the
 * cause (Priv. spec Table 4.2: 15 = store/AMO page fault). */
static void user_page_fault_is_an_exception_transition(void **state)
{
    struct fixture *f = *state;
    boot_to_user(f, 1);
    f->cpu.reads = 0;
    exception(f, USER_PC + 4, 15, false, 0x80000000);
    priv(f, TRAMP, 0, 1, EV_MECH_EXCEPTION);
    insns(f, TRAMP, 300);
    tm_log_finish(&f->log);
    assert_int_equal(f->got.n, 1);
    const struct tm_transition *t = &f->got.t[0];
    assert_int_equal(t->abi, TM_ABI_NONE);
    assert_int_equal(f->cpu.reads, 0); /* no syscall registers read */
    assert_true(t->has_cause);
    assert_int_equal(t->cause, 15);
    assert_int_equal(t->info, 0x80000000);
    assert_int_equal(t->pc, USER_PC + 4);
    assert_int_equal(t->count[TM_ENTRY][TM_INSNS], 1);
    char name[40];
    tm_transition_name(t, name, sizeof name);
    assert_string_equal(name, "store/AMO page fault");
    assert_int_equal(f->log.syscalls.n, 0);
    assert_int_equal(f->log.mechanisms.g[0].mech, EV_MECH_EXCEPTION);
}

/* An interrupt comes between instructions: no instruction is the entry's. */
static void interrupt_from_user_has_an_empty_entry(void **state)
{
    struct fixture *f = *state;
    boot_to_user(f, 3);
    exception(f, USER_PC + 12, 5, true, 0); /* supervisor timer interrupt */
    priv(f, TRAMP, 0, 1, EV_MECH_INTERRUPT);
    insns(f, TRAMP, 40);
    priv(f, SRET_PC, 1, 0, EV_MECH_SRET);
    insn(f, SRET_PC);
    insn(f, USER_PC + 12); /* the interrupted instruction runs now */
    assert_int_equal(f->got.n, 1);
    const struct tm_transition *t = &f->got.t[0];
    assert_true(t->interrupt);
    assert_int_equal(t->count[TM_ENTRY][TM_INSNS], 0);
    assert_int_equal(t->count[TM_KERNEL][TM_INSNS], 40);
    assert_int_equal(t->count[TM_EXIT][TM_INSNS], 1);
}

/* Back to back: the first user instruction after a return is itself an ecall (it does not
 * retire): the previous transition closes there and the next one opens. */
static void trap_right_after_a_return_closes_the_previous_transition(void **state)
{
    struct fixture *f = *state;
    boot_to_user(f, 1);
    set_reg(&f->cpu, "a7", 172);
    exception(f, USER_PC, 8, false, 0);
    priv(f, TRAMP, 0, 1, EV_MECH_ECALL);
    insns(f, TRAMP, 8);
    priv(f, SRET_PC, 1, 0, EV_MECH_SRET);
    insn(f, SRET_PC);
    set_reg(&f->cpu, "a7", 173);
    exception(f, USER_PC + 4, 8, false, 0);
    assert_int_equal(f->got.n, 1);
    assert_int_equal(f->got.t[0].nr, 172);
    assert_int_equal(f->got.t[0].count[TM_EXIT][TM_INSNS], 1);
    priv(f, TRAMP, 0, 1, EV_MECH_ECALL);
    insns(f, TRAMP, 9);
    priv(f, SRET_PC, 1, 0, EV_MECH_SRET);
    insn(f, SRET_PC);
    insn(f, USER_PC + 8);
    assert_int_equal(f->got.n, 2);
    assert_int_equal(f->got.t[1].nr, 173);
    assert_int_equal(f->got.t[1].seq, 1);
    assert_int_equal(f->got.t[1].count[TM_KERNEL][TM_INSNS], 9);
}

/* Per-syscall groups: N getpid calls are N values; min / median (the lower middle for an even
 * count) / max. */
static void groups_aggregate_per_syscall_and_mechanism(void **state)
{
    struct fixture *f = *state;
    boot_to_user(f, 1);
    static const unsigned kernel[] = {30, 10, 40, 20};
    for (unsigned i = 0; i < 4; i++)
        riscv_syscall(f, USER_PC + 0x100, 172, 0, 0, 0, kernel[i], 1);
    riscv_syscall(f, USER_PC + 0x200, 999, 0, 0, 0, 50, (uint64_t)-38);
    assert_int_equal(f->log.syscalls.n, 2);
    const struct tm_group *g = &f->log.syscalls.g[0];
    assert_int_equal(g->nr, 172);
    assert_int_equal(g->count, 4);
    assert_int_equal(g->returned, 4);
    struct tm_stats st;
    tm_series_stats(&g->part[TM_KERNEL][TM_INSNS], &st);
    assert_int_equal(st.n, 4);
    assert_int_equal(st.min, 10);
    assert_int_equal(st.median, 20);
    assert_int_equal(st.max, 40);
    tm_series_stats(&g->part[TM_EXIT][TM_INSNS], &st);
    assert_int_equal(st.min, 1);
    assert_int_equal(st.max, 1);
    assert_int_equal(f->log.mechanisms.n, 1);
    assert_int_equal(f->log.mechanisms.g[0].count, 5);
    char name[32];
    tm_transition_name(&f->got.t[4], name, sizeof name);
    assert_string_equal(name, "syscall_999");
}

/* The --trace=syscalls line: strace-like call, result with the errno name, the three parts. */
static void trace_line_reads_like_strace(void **state)
{
    struct fixture *f = *state;
    boot_to_user(f, 1);
    riscv_syscall(f, USER_PC + 4, 64, 1, 0x3fffffca28, 13, 183, 13);
    riscv_syscall(f, USER_PC + 8, 999, 7, 0, 0, 20, (uint64_t)-38);
    set_reg(&f->cpu, "a7", 94);
    set_reg(&f->cpu, "a0", 0);
    exception(f, USER_PC + 12, 8, false, 0);
    priv(f, TRAMP, 0, 1, EV_MECH_ECALL);
    insns(f, TRAMP, 57);
    tm_log_finish(&f->log);
    assert_int_equal(f->got.n, 3);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    for (unsigned i = 0; i < 3; i++)
        tm_trace_print(&f->got.t[i], out);
    fclose(out);
    assert_non_null(
        strstr(buf, "[riscv64 ecall] write(1, 0x3fffffca28, 13) = 13 -> sret   entry "
                    "1 / kernel 183 / exit 1 insns, entry 0 / kernel 0 / exit 0 cycles, entry 0 / "
                    "kernel 0 / exit 0 misses\n"));
    assert_non_null(strstr(buf, "[riscv64 ecall] syscall_999(7, 0, 0) = -38 ENOSYS -> sret"));
    assert_non_null(strstr(buf, "[riscv64 ecall] exit_group(0) = ?   entry 1 / kernel 57 insns"));
    free(buf);
}

/* The reports carry both tables; the JSON has its members. */
static void reports_carry_both_tables(void **state)
{
    struct fixture *f = *state;
    boot_to_user(f, 1);
    riscv_syscall(f, USER_PC + 4, 172, 0, 0, 0, 100, 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    tm_report_json(&f->log, out);
    fclose(out);
    assert_non_null(strstr(buf, "\"syscalls\": [{\"abi\": \"riscv64\", \"name\": \"getpid\", "
                                "\"number\": 172, \"count\": 1, \"returned\": 1, \"entry\": "
                                "{\"insns\": {\"min\": 1, \"median\": 1, \"max\": 1}, "
                                "\"cycles\": {\"min\": 0, \"median\": 0, \"max\": 0}, "
                                "\"misses\": {\"min\": 0, \"median\": 0, \"max\": 0}}, "
                                "\"kernel\": {\"insns\": {\"min\": 100, \"median\": 100, "
                                "\"max\": 100}, \"cycles\""));
    assert_non_null(
        strstr(buf, "\"mechanisms\": [{\"mechanism\": \"ecall\", \"return\": \"sret\""));
    free(buf);
    out = open_memstream(&buf, &len);
    tm_report_csv(&f->log, out);
    fclose(out);
    assert_non_null(strstr(buf, "table,abi,name,number,mechanism,return,count,returned,"
                                "entry_insns_min,entry_insns_median,entry_insns_max,"));
    assert_non_null(strstr(
        buf, "\nsyscall,riscv64,getpid,172,,,1,1,1,1,1,0,0,0,0,0,0,100,100,100,0,0,0,0,0,0,1,1,1,0,"
             "0,0,0,0,0\n"));
    assert_non_null(strstr(buf, "\nmechanism,,,,ecall,sret,1,1,"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ecall_round_trip_is_entry_kernel_exit, setup_riscv,
                                        teardown),
        cmocka_unit_test_setup_teardown(transition_closes_at_the_first_user_instruction,
                                        setup_riscv, teardown),
        cmocka_unit_test_setup_teardown(x86_int80_counts_the_int_once, setup_x86, teardown),
        cmocka_unit_test_setup_teardown(sysenter_from_64bit_code_is_the_x86_64_abi, setup_x86,
                                        teardown),
        cmocka_unit_test_setup_teardown(sysenter_from_32bit_code_is_the_i386_abi, setup_x86,
                                        teardown),
        cmocka_unit_test_setup_teardown(syscall_from_compatibility_mode_is_the_i386_abi, setup_x86,
                                        teardown),
        cmocka_unit_test_setup_teardown(syscall_from_64bit_code_is_the_x86_64_abi, setup_x86,
                                        teardown),
        cmocka_unit_test_setup_teardown(x86_int3_is_not_a_system_call, setup_x86, teardown),
        cmocka_unit_test_setup_teardown(return_retired_before_its_priv_event_counts_as_exit,
                                        setup_riscv, teardown),
        cmocka_unit_test_setup_teardown(nested_exception_in_the_kernel_is_kernel_work, setup_riscv,
                                        teardown),
        cmocka_unit_test_setup_teardown(return_without_entry_is_counted_not_recorded, setup_riscv,
                                        teardown),
        cmocka_unit_test_setup_teardown(transition_open_at_the_end_of_the_run, setup_riscv,
                                        teardown),
        cmocka_unit_test_setup_teardown(user_page_fault_is_an_exception_transition, setup_riscv,
                                        teardown),
        cmocka_unit_test_setup_teardown(interrupt_from_user_has_an_empty_entry, setup_riscv,
                                        teardown),
        cmocka_unit_test_setup_teardown(trap_right_after_a_return_closes_the_previous_transition,
                                        setup_riscv, teardown),
        cmocka_unit_test_setup_teardown(groups_aggregate_per_syscall_and_mechanism, setup_riscv,
                                        teardown),
        cmocka_unit_test_setup_teardown(trace_line_reads_like_strace, setup_riscv, teardown),
        cmocka_unit_test_setup_teardown(reports_carry_both_tables, setup_riscv, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
