/* Flag control, HLT, port I/O, CPUID, segment limit checks and the privilege rules of the first
 * slice (SDM Vol. 2 CLI/STI/CLC/STC/CMC/CLD/STD/HLT/IN/OUT/CPUID; Vol. 3A 5.3 limit checking,
 * 5.9 privileged instructions; Vol. 1 19.5.1 I/O privilege level). */
#include "x86/helpers.h"

#include "cpu/x86/internal.h"

static x86_status run(struct xt *t)
{
    return x86_step(t->cpu);
}

/* CLC STC CMC CLD STD change exactly their flag. */
static void test_flag_instructions(void **state)
{
    struct xt *t = *state;
    t->cpu->rflags = X86_FLAGS_FIXED1;
    XT_CODE(t->cpu, 0xf9, 0xf5, 0xf5, 0xf8, 0xfd, 0xfc); /* stc cmc cmc clc std cld */
    static const uint64_t after[] = {X86_CF, 0, X86_CF, 0, X86_DF, 0};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(run(t), X86_OK);
        assert_int_equal(t->cpu->rflags, X86_FLAGS_FIXED1 | after[i]);
    }
}

/* CLI/STI: allowed when CPL <= IOPL, #GP(0) otherwise (SDM Vol. 2A CLI "Protected Mode"). */
static void test_cli_sti_iopl(void **state)
{
    struct xt *t = *state;
    XT_CODE(t->cpu, 0xfb, 0xfa); /* sti; cli */
    assert_int_equal(run(t), X86_OK);
    assert_true(t->cpu->rflags & X86_IF);
    assert_int_equal(run(t), X86_OK);
    assert_false(t->cpu->rflags & X86_IF);
    xt_enter_user(t->cpu);
    t->cpu->rip = XT_CODE_ADDR;
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    assert_false(t->cpu->rflags & X86_IF);
    t->cpu->rflags |= X86_IOPL; /* IOPL 3 */
    assert_int_equal(run(t), X86_OK);
    assert_true(t->cpu->rflags & X86_IF);
}

/* HLT at CPL > 0 is #GP(0) (SDM Vol. 2A HLT). At CPL 0 it retires and the CPU waits; with IF = 0
 * and no device deadline the run stops as fatal. */
static void test_hlt(void **state)
{
    struct xt *t = *state;
    XT_CODE(t->cpu, 0xf4);
    xt_enter_user(t->cpu);
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    t->cpu->cpl = 0;
    assert_int_equal(machine_run(&t->m), STOP_FATAL);
    assert_int_equal(machine_exit_status(&t->m), EXIT_GUEST_FATAL);
    assert_int_equal(t->m.insns, 1);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 1);
    assert_true(t->cpu->halted);
}

/* A port device that records writes and answers reads with the port number. */
struct port_log {
    uint64_t last_offset, last_value;
    unsigned last_size, writes;
};
static enum bus_status port_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    (void)dev;
    *value =
        (0xa0 + offset) * 0x01010101u & ((size == 4 ? 0xffffffffull : (1ull << (8 * size)) - 1));
    return BUS_OK;
}
static enum bus_status port_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct port_log *log = dev;
    log->last_offset = offset;
    log->last_value = value;
    log->last_size = size;
    log->writes++;
    return BUS_OK;
}
static const struct bus_ops port_ops = {port_read, port_write};

/* IN/OUT with imm8 and DX port numbers, byte/word/doubleword; CPL > IOPL without an I/O
 * permission bitmap in the TSS (map base at the limit) is #GP(0) (SDM Vol. 1 19.5.2). */
static void test_in_out(void **state)
{
    struct xt *t = *state;
    struct port_log log = {0};
    struct bus_region region = {"test", 0x80, 8, &port_ops, &log};
    char err[128];
    assert_int_equal(bus_add_ports(&t->m.bus, &region, err, sizeof err), 0);
    t->cpu->gpr[X86_RAX] = 0x11223344;
    t->cpu->gpr[X86_RDX] = 0x84;
    /* out 0x81, al; out dx, eax; in al, 0x82; in ax, dx; in eax, 0x90 (no device) */
    XT_CODE(t->cpu, 0xe6, 0x81, 0xef, 0xe4, 0x82, 0x66, 0xed, 0xe5, 0x90);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(log.last_offset, 1);
    assert_int_equal(log.last_value, 0x44);
    assert_int_equal(log.last_size, 1);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(log.last_offset, 4);
    assert_int_equal(log.last_value, 0x11223344);
    assert_int_equal(log.last_size, 4);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x112233a2);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0x1122a4a4);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xffffffffu); /* unclaimed ports read all ones */
    /* user mode, IOPL 0, the TSS without an I/O map */
    t->cpu->tr.base = XT_TSS;
    t->cpu->tr.limit = 0x67;
    xt_write(t->cpu, XT_TSS + 102, 2, 0x68);
    xt_enter_user(t->cpu);
    t->cpu->rip = XT_CODE_ADDR;
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    assert_int_equal(log.writes, 2);
    t->cpu->rflags |= X86_IOPL;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(log.writes, 3);
}

/* SDM Vol. 1 19.5.2: at CPL > IOPL the TSS I/O permission bitmap decides, bit by bit over all
 * the ports an access touches (a doubleword at 0x84 checks 0x84-0x87); a bitmap byte beyond the
 * TSS limit counts as set. */
static void test_io_bitmap(void **state)
{
    struct xt *t = *state;
    struct port_log log = {0};
    struct bus_region region = {"test", 0x80, 8, &port_ops, &log};
    char err[128];
    assert_int_equal(bus_add_ports(&t->m.bus, &region, err, sizeof err), 0);
    t->cpu->tr.base = XT_TSS;
    t->cpu->tr.limit = 0x68 + 0x20;
    xt_write(t->cpu, XT_TSS + 102, 2, 0x68);
    for (unsigned i = 0; i < 0x21; i++)
        xt_write(t->cpu, XT_TSS + 0x68 + i, 1, 0);
    xt_write(t->cpu, XT_TSS + 0x68 + 0x10, 1, 0x02); /* port 0x81 denied */
    xt_enter_user(t->cpu);
    t->cpu->gpr[X86_RDX] = 0x84;
    /* out dx, eax (0x84-0x87 allowed); out 0x81, al (denied); out 0x80, ax (0x80-0x81: denied) */
    XT_CODE(t->cpu, 0xef, 0xe6, 0x81, 0x66, 0xe7, 0x80);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(log.writes, 1);
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    t->cpu->rip += 2;
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    xt_write(t->cpu, XT_TSS + 0x68 + 0x10, 1, 0x00);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(log.writes, 2);
    /* the port's byte beyond the limit: port 0x100 needs byte 0x20 and 0x21 */
    t->cpu->gpr[X86_RDX] = 0x100;
    t->cpu->rip = XT_CODE_ADDR;
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    assert_int_equal(log.writes, 2);
}

/* CPUID leaf 0: the vendor string in EBX EDX ECX; leaf 1 from the profile (SDM Vol. 2A CPUID). */
static void test_cpuid(void **state)
{
    struct xt *t = *state;
    t->cpu->gpr[X86_RAX] = 0;
    XT_CODE(t->cpu, 0x0f, 0xa2, 0x0f, 0xa2); /* cpuid; cpuid */
    assert_int_equal(run(t), X86_OK);
    char id[13] = {0};
    memcpy(id, &t->cpu->gpr[X86_RBX], 4);
    memcpy(id + 4, &t->cpu->gpr[X86_RDX], 4);
    memcpy(id + 8, &t->cpu->gpr[X86_RCX], 4);
    assert_string_equal(id, "GenuineIntel");
    assert_true(t->cpu->gpr[X86_RAX] >= 1);
    t->cpu->vendor = &x86_vendor_amd;
    t->cpu->gpr[X86_RAX] = 1;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], x86_vendor_amd.leaf1_eax);
    assert_int_equal(t->cpu->gpr[X86_RDX], x86_vendor_amd.leaf1_edx);
    t->cpu->rip = XT_CODE_ADDR;
    t->cpu->gpr[X86_RAX] = 0;
    assert_int_equal(run(t), X86_OK);
    memcpy(id, &t->cpu->gpr[X86_RBX], 4);
    memcpy(id + 4, &t->cpu->gpr[X86_RDX], 4);
    memcpy(id + 8, &t->cpu->gpr[X86_RCX], 4);
    assert_string_equal(id, "AuthenticAMD");
}

/* SDM Vol. 3A 5.3: an access past a data segment's limit is #GP(0), past SS's is #SS(0); an
 * access straddling the limit faults too. */
static void test_segment_limits(void **state)
{
    struct xt *t = *state;
    struct x86_seg ds = t->cpu->seg[X86_DS];
    x86_set_seg(t->cpu, X86_DS, ds.sel, 0x1000, 0xfff, ds.attr & ~(uint32_t)X86_SEG_G);
    x86_set_seg(t->cpu, X86_SS, ds.sel, 0, 0xfff, ds.attr & ~(uint32_t)X86_SEG_G);
    t->cpu->gpr[X86_RBX] = 0xffd; /* [ebx] dword covers 0xffd..0x1000 */
    XT_CODE(t->cpu, 0x8b, 0x03);  /* mov eax, [ebx] */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    t->cpu->gpr[X86_RBX] = 0xffc; /* in bounds: reads linear 0x1ffc (DS base 0x1000) */
    xt_write(t->cpu, 0x1ffc, 4, 0xcafe);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0xcafe);
    t->cpu->gpr[X86_RBP] = 0xffe;
    XT_CODE(t->cpu, 0x8b, 0x45, 0x00); /* mov eax, [ebp+0]: SS by default */
    xt_assert_trap(t->cpu, run(t), X86_VEC_SS, 0);
    t->cpu->gpr[X86_RBP] = 0xffc;
    XT_CODE(t->cpu, 0x3e, 0x8b, 0x45, 0x00); /* mov eax, ds:[ebp+0]: DS, in bounds */
    assert_int_equal(run(t), X86_OK);
}

/* Expand-down data segments: valid offsets lie above the limit (SDM Vol. 3A 5.3). */
static void test_expand_down(void **state)
{
    struct xt *t = *state;
    uint32_t attr = 0x7u | X86_SEG_S | X86_SEG_P | X86_SEG_DB; /* data, RW, expand-down */
    x86_set_seg(t->cpu, X86_ES, 0x18, 0, 0xffff, attr);
    t->cpu->gpr[X86_RBX] = 0xffff;
    XT_CODE(t->cpu, 0x26, 0x8b, 0x03); /* mov eax, es:[ebx] */
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    t->cpu->gpr[X86_RBX] = 0x10000;
    assert_int_equal(run(t), X86_OK);
}

/* INT n, INT3, INTO return software-interrupt trap values (delivery is x86_deliver's). */
static void test_software_interrupts(void **state)
{
    struct xt *t = *state;
    XT_CODE(t->cpu, 0xce, 0xcd, 0x80); /* into (OF = 0: nothing); int 0x80 */
    xt_set_arith(t->cpu, 0);
    assert_int_equal(run(t), X86_OK);
    x86_status st = run(t);
    assert_int_equal(st, X86_TRAP_SOFT(0x80));
    assert_int_equal(t->cpu->next_rip, XT_CODE_ADDR + 3);
    t->cpu->rip = XT_CODE_ADDR;
    xt_set_arith(t->cpu, X86_OF);
    assert_int_equal(run(t), X86_TRAP_SOFT(X86_VEC_OF));
    XT_CODE(t->cpu, 0xcc);
    assert_int_equal(run(t), X86_TRAP_SOFT(X86_VEC_BP));
}

/* The run loop emits one EV_INSN per retired instruction with its length and class. */
struct insn_log {
    unsigned n;
    uint8_t len[4];
    uint16_t cls[4];
};
static void on_insn(void *opaque, const struct ev *e)
{
    struct insn_log *log = opaque;
    if (log->n < 4) {
        log->len[log->n] = e->insn.len;
        log->cls[log->n] = e->insn.op_class;
    }
    log->n++;
}

static void test_events(void **state)
{
    struct xt *t = *state;
    struct insn_log log = {0};
    ev_subscribe(&t->m.events, EV_MASK(EV_INSN), on_insn, &log);
    XT_CODE(t->cpu, 0x05, 0x01, 0x00, 0x00, 0x00, 0xf7, 0xf3, 0xf4); /* add eax,1; div ebx; hlt */
    t->cpu->gpr[X86_RBX] = 0;
    t->m.max_insns = 10;
    machine_run(&t->m);
    assert_int_equal(log.n, 1); /* the DIV faulted: it does not retire */
    assert_int_equal(log.len[0], 5);
    assert_int_equal(log.cls[0], X86_CLASS_ALU);
    assert_int_equal(t->m.stop.reason, STOP_FATAL);
}

/* RDTSC: the counter follows guest time; IA32_TSC writes set it; CR4.TSD makes it CPL 0 only
 * (SDM Vol. 2B RDTSC). */
static void test_rdtsc(void **state)
{
    struct xt *t = *state;
    XT_CODE(t->cpu, 0x0f, 0x31, 0x89, 0xc6, 0x0f, 0x31); /* rdtsc; mov esi, eax; rdtsc */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal((uint32_t)(t->cpu->gpr[X86_RAX] - t->cpu->gpr[X86_RSI]), 2);
    assert_int_equal(t->cpu->gpr[X86_RDX], 0);
    assert_int_equal(x86_wrmsr(t->cpu, 0x10, 0x500000000ull), X86_OK);
    t->cpu->rip = XT_CODE_ADDR;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RDX], 5);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0);
    t->cpu->cr4 |= X86_CR4_TSD;
    xt_enter_user(t->cpu);
    t->cpu->rip = XT_CODE_ADDR;
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
}

/* RDTSCP (SDM Vol. 2B RDTSCP): EDX:EAX = TSC as RDTSC reads it, ECX = IA32_TSC_AUX[31:0], the
 * upper halves of RAX, RDX and RCX cleared in 64-bit mode; CPUID.80000001H:EDX[27] reports it in
 * both profiles (SDM Vol. 2A Table 3-8, AMD APM Vol. 3 E.4.2). */
static void test_rdtscp(void **state)
{
    struct xt *t = *state;
    const struct x86_vendor *vendors[] = {&x86_vendor_intel, &x86_vendor_amd};
    for (unsigned i = 0; i < 2; i++) {
        t->cpu->vendor = vendors[i];
        t->cpu->gpr[X86_RAX] = 0x80000001u;
        t->cpu->rip = XT_CODE_ADDR;
        XT_CODE(t->cpu, 0x0f, 0xa2); /* cpuid */
        assert_int_equal(run(t), X86_OK);
        assert_true(t->cpu->gpr[X86_RDX] & (1u << 27));
    }
    assert_int_equal(x86_wrmsr(t->cpu, 0xc0000103u, 0xcafe0007u), X86_OK);
    assert_int_equal(x86_wrmsr(t->cpu, 0x10, 0x700000000ull), X86_OK);
    t->cpu->gpr[X86_RCX] = 0;
    t->cpu->rip = XT_CODE_ADDR;
    XT_CODE(t->cpu, 0x0f, 0x01, 0xf9); /* rdtscp */
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->rip, XT_CODE_ADDR + 3);
    assert_int_equal(t->cpu->gpr[X86_RDX], 7);
    assert_int_equal(t->cpu->gpr[X86_RAX], 0); /* no guest time since the write, as RDTSC */
    assert_int_equal(t->cpu->gpr[X86_RCX], 0xcafe0007u);
    /* the TSD rule of RDTSC: #GP(0) at CPL 3, nothing written */
    t->cpu->cr4 |= X86_CR4_TSD;
    xt_enter_user(t->cpu);
    t->cpu->gpr[X86_RCX] = 0x55;
    t->cpu->rip = XT_CODE_ADDR;
    xt_assert_trap(t->cpu, run(t), X86_VEC_GP, 0);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0x55);
    /* CR4.TSD = 0: CPL 3 may read it */
    t->cpu->cr4 &= ~(uint64_t)X86_CR4_TSD;
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0xcafe0007u);
}

/* RDTSCP: #UD when CPUID.80000001H:EDX.RDTSCP[bit 27] = 0 (SDM Vol. 2B RDTSCP "Protected Mode
 * Exceptions"); a profile without the bit. */
static void test_rdtscp_unreported_ud(void **state)
{
    struct xt *t = *state;
    struct x86_vendor old = x86_vendor_intel;
    old.ext1_edx &= ~X86_CPUID_EXT1_EDX_RDTSCP;
    t->cpu->vendor = &old;
    XT_CODE(t->cpu, 0x0f, 0x01, 0xf9);
    xt_assert_trap(t->cpu, run(t), X86_VEC_UD, -1);
}

/* RDTSCP in 64-bit mode: the upper halves of RAX, RDX and RCX are cleared (SDM Vol. 2B RDTSCP
 * "Operation": IA-32e mode). */
static void test_rdtscp_long(void **state)
{
    struct xt *t = *state;
    xt_lm_env(t->cpu);
    assert_int_equal(x86_wrmsr(t->cpu, 0xc0000103u, 0x12345678u), X86_OK);
    t->cpu->gpr[X86_RCX] = ~0ull;
    t->cpu->gpr[X86_RDX] = ~0ull;
    XT_CODE(t->cpu, 0x0f, 0x01, 0xf9);
    assert_int_equal(run(t), X86_OK);
    assert_int_equal(t->cpu->gpr[X86_RCX], 0x12345678u);
    assert_true(t->cpu->gpr[X86_RDX] <= 0xffffffffu);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, xt_setup, xt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_flag_instructions),
        T(test_cli_sti_iopl),
        T(test_io_bitmap),
        T(test_hlt),
        T(test_in_out),
        T(test_cpuid),
        T(test_segment_limits),
        T(test_expand_down),
        T(test_software_interrupts),
        T(test_events),
        T(test_rdtsc),
        T(test_rdtscp),
        T(test_rdtscp_unreported_ud),
        T(test_rdtscp_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
