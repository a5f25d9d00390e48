/* Interrupt and exception delivery, and IRET: the one place that changes control flow for a
 * trap (design.md "Conventions").
 *
 * Protected-mode delivery follows the pseudo-code of SDM Vol. 2A "INT n/INTO/INT3/INT1" in its
 * order: IDT gate lookup, software-interrupt DPL check, gate presence, code-segment checks, then
 * either the privilege change through the TSS (SS0:ESP0 ... SS2:ESP2, pushing SS:ESP) or the
 * same-privilege frame. Every check happens before any register changes; the frame is written
 * before the registers are committed, so a fault while delivering leaves the interrupted state
 * intact for the next delivery. A fault during delivery is combined with the event being
 * delivered by SDM Vol. 3A 6.15 Table 6-5 into #DF; a fault while delivering #DF shuts the
 * processor down (triple fault), which ends the run.
 *
 * IA-32e mode (64-bit and compatibility mode) delivers through 16-byte gates with the 64-bit frame
 * (SDM Vol. 3A 6.14): SS:RSP are always pushed, the stack is aligned to 16 bytes, and the new RSP
 * comes from the 64-bit TSS (RSP0-2, or IST1-7 when the gate names one).
 *
 * Not modelled yet (they stop the run loudly): task gates and task switches, 16-bit gates and
 * TSSs, virtual-8086 mode. */
#include <inttypes.h>

#include "cpu/x86/internal.h"

/* Error code bits (SDM Vol. 3A 6.13): EXT, the event was external to the program; IDT, the
 * selector index refers to an IDT gate. */
#define EXT         1u
#define IDT         2u
#define SEL_EC(sel) ((sel)&0xfffcu)

/* Gate types (SDM Vol. 3A Table 3-2). */
#define GATE_TASK   0x5u
#define GATE_INT16  0x6u
#define GATE_TRAP16 0x7u
#define GATE_INT32  0xeu
#define GATE_TRAP32 0xfu

static x86_status unsupported(struct x86_cpu *cpu, const char *what, unsigned vector)
{
    machine_request_stop(cpu->m, STOP_FATAL, EXIT_NOT_BUILT,
                         "x86: delivering vector %u needs %s, not supported yet", vector, what);
    return X86_STOP;
}

/* Offset/size checks against a descriptor cache that is not (yet) in a segment register: the
 * new SS of a privilege change. Expand-up and expand-down as x86_seg_linear. */
static bool fits(const struct x86_seg *s, uint64_t offset, unsigned size)
{
    uint64_t last = offset + size - 1;
    if (X86_SEG_TYPE(s->attr) & X86_SEG_TYPE_E) {
        uint64_t upper = (s->attr & X86_SEG_DB) ? 0xffffffffull : 0xffffull;
        return offset > s->limit && last <= upper && last >= offset;
    }
    return last <= s->limit && last >= offset;
}

void x86_emit_priv(struct x86_cpu *cpu, unsigned from, unsigned to, enum ev_mech mech,
                   unsigned from_bits)
{
    if (from == to) return;
    struct ev e = {.kind = EV_PRIV, .pc = cpu->insn_rip};
    e.priv.from = (uint8_t)from;
    e.priv.to = (uint8_t)to;
    e.priv.mech = (uint8_t)mech;
    e.priv.from_bits = (uint8_t)from_bits;
    ev_emit(&cpu->m->events, &e);
}

static bool is_code(uint32_t attr)
{
    return (attr & X86_SEG_S) && (X86_SEG_TYPE(attr) & X86_SEG_TYPE_CODE);
}
static bool is_writable_data(uint32_t attr)
{
    return (attr & X86_SEG_S) && !(X86_SEG_TYPE(attr) & X86_SEG_TYPE_CODE) &&
           (X86_SEG_TYPE(attr) & X86_SEG_TYPE_W);
}

/* Writes n 32-bit values downwards from offset top in the stack segment s (values[0] at the
 * highest address). The caller has checked the range. */
static x86_status push_frame(struct x86_cpu *cpu, const struct x86_seg *s, uint64_t top,
                             uint64_t smask, const uint32_t *values, unsigned n, unsigned new_cpl)
{
    for (unsigned i = 0; i < n; i++) {
        uint64_t off = (top - 4 * (i + 1)) & smask;
        uint64_t lin = (s->base + off) & 0xffffffffull;
        /* pushes onto a CPL < 3 stack are supervisor accesses (SDM Vol. 3A 4.6) */
        x86_status st = new_cpl < 3 ? x86_write_linear_sv(cpu, lin, 4, values[i])
                                    : x86_write_linear(cpu, lin, 4, values[i]);
        if (st) return st;
    }
    return X86_OK;
}

struct event {
    unsigned vector;
    bool soft;     /* INT n, INT3, INTO */
    bool external; /* EXT for error codes: hardware interrupts and exceptions */
    bool intr;     /* an external interrupt (INTR) */
    bool has_ec;
    uint32_t ec;
    uint64_t ret_eip; /* the EIP saved: the faulting instruction, or the next one */
};

/* SDM Vol. 2A INT n "Operation", PROTECTED-MODE through INTRA-/INTER-PRIVILEGE-LEVEL-INTERRUPT. */
static x86_status deliver_protected(struct x86_cpu *cpu, const struct event *ev)
{
    const unsigned ext = ev->external ? EXT : 0;
    const unsigned cpl = cpu->cpl;
    const uint32_t gate_ec = ev->vector * 8 + IDT + ext;
    x86_status st;

    if (ev->vector * 8 + 7 > cpu->idtr.limit) return X86_TRAP_EC(X86_VEC_GP, gate_ec);
    uint64_t gate;
    if ((st = x86_read_linear_sv(cpu, (cpu->idtr.base + ev->vector * 8) & 0xffffffffull, 8, &gate)))
        return st;
    unsigned type = (unsigned)(gate >> 40) & 0xf;
    unsigned gate_dpl = (unsigned)(gate >> 45) & 3;
    bool s_bit = (gate >> 44) & 1;
    if (s_bit || (type != GATE_TASK && type != GATE_INT16 && type != GATE_TRAP16 &&
                  type != GATE_INT32 && type != GATE_TRAP32))
        return X86_TRAP_EC(X86_VEC_GP, gate_ec);
    /* software interrupts check the gate's DPL (not INT1 and not hardware events) */
    if (ev->soft && gate_dpl < cpl) return X86_TRAP_EC(X86_VEC_GP, ev->vector * 8 + IDT);
    if (!((gate >> 47) & 1)) return X86_TRAP_EC(X86_VEC_NP, gate_ec);
    if (type == GATE_TASK) return unsupported(cpu, "a task gate", ev->vector);
    if (type == GATE_INT16 || type == GATE_TRAP16)
        return unsupported(cpu, "a 16-bit gate", ev->vector);

    uint16_t cs_sel = (uint16_t)(gate >> 16);
    uint32_t target = (uint32_t)(gate & 0xffff) | (uint32_t)((gate >> 32) & 0xffff0000u);
    if ((cs_sel & 0xfffc) == 0) return X86_TRAP_EC(X86_VEC_GP, ext);
    uint64_t cs_raw, cs_addr;
    if ((st = x86_read_descriptor(cpu, cs_sel, &cs_raw, &cs_addr)))
        return X86_IS_TRAP(st) && X86_TRAP_VECTOR(st) == X86_VEC_GP
                   ? X86_TRAP_EC(X86_VEC_GP, SEL_EC(cs_sel) | ext)
                   : st;
    struct x86_seg cs;
    x86_parse_descriptor(cs_raw, &cs);
    unsigned cs_dpl = X86_SEG_DPL(cs.attr);
    if (!is_code(cs.attr) || cs_dpl > cpl) return X86_TRAP_EC(X86_VEC_GP, SEL_EC(cs_sel) | ext);
    if (!(cs.attr & X86_SEG_P)) return X86_TRAP_EC(X86_VEC_NP, SEL_EC(cs_sel) | ext);
    bool conforming = X86_SEG_TYPE(cs.attr) & X86_SEG_TYPE_C;
    bool interrupt_gate = type == GATE_INT32;
    unsigned new_cpl = (!conforming && cs_dpl < cpl) ? cs_dpl : cpl;

    /* The EFLAGS image: RF = 1 for fault-class exceptions (SDM Vol. 3B 17.3.1.1). */
    uint32_t eflags = (uint32_t)cpu->rflags;
    if (!ev->soft && !ev->intr && ev->external && ev->vector != X86_VEC_DF &&
        ev->vector != X86_VEC_MC && ev->vector != X86_VEC_DB && ev->vector != X86_VEC_NMI &&
        ev->vector < 32)
        eflags |= X86_RF;

    uint32_t frame[6];
    unsigned n = 0;
    struct x86_seg ss = cpu->seg[X86_SS];
    uint64_t esp = cpu->gpr[X86_RSP];
    uint64_t ss_raw = 0, ss_addr = 0;
    if (new_cpl < cpl) {
        /* INTER-PRIVILEGE-LEVEL-INTERRUPT: the new stack from the 32-bit TSS. */
        unsigned tss_type = X86_SEG_TYPE(cpu->tr.attr);
        if ((cpu->tr.attr & X86_SEG_UNUSABLE) || (tss_type != 0x9 && tss_type != 0xb))
            return unsupported(cpu, "a 16-bit or missing TSS", ev->vector);
        uint64_t tss_off = (uint64_t)(new_cpl << 3) + 4;
        if (tss_off + 5 > cpu->tr.limit) return X86_TRAP_EC(X86_VEC_TS, SEL_EC(cpu->tr.sel) | ext);
        uint64_t new_esp, new_ss;
        if ((st = x86_read_linear_sv(cpu, (cpu->tr.base + tss_off) & 0xffffffffull, 4, &new_esp)) ||
            (st =
                 x86_read_linear_sv(cpu, (cpu->tr.base + tss_off + 4) & 0xffffffffull, 2, &new_ss)))
            return st;
        uint16_t ss_sel = (uint16_t)new_ss;
        if ((ss_sel & 0xfffc) == 0) return X86_TRAP_EC(X86_VEC_TS, ext);
        st = x86_read_descriptor(cpu, ss_sel, &ss_raw, &ss_addr);
        if (st)
            return X86_IS_TRAP(st) && X86_TRAP_VECTOR(st) == X86_VEC_GP
                       ? X86_TRAP_EC(X86_VEC_TS, SEL_EC(ss_sel) | ext)
                       : st;
        if ((ss_sel & 3) != new_cpl) return X86_TRAP_EC(X86_VEC_TS, SEL_EC(ss_sel) | ext);
        x86_parse_descriptor(ss_raw, &ss);
        if (X86_SEG_DPL(ss.attr) != new_cpl || !is_writable_data(ss.attr))
            return X86_TRAP_EC(X86_VEC_TS, SEL_EC(ss_sel) | ext);
        if (!(ss.attr & X86_SEG_P)) return X86_TRAP_EC(X86_VEC_SS, SEL_EC(ss_sel) | ext);
        ss.sel = ss_sel;
        ss.attr |= X86_SEG_TYPE_A;
        frame[n++] = cpu->seg[X86_SS].sel;
        frame[n++] = (uint32_t)cpu->gpr[X86_RSP];
        esp = new_esp;
    }
    frame[n++] = eflags;
    frame[n++] = cpu->seg[X86_CS].sel;
    frame[n++] = (uint32_t)ev->ret_eip;
    if (ev->has_ec) frame[n++] = ev->ec;

    /* room on the (new) stack: #SS(new SS | EXT) for a privilege change, #SS(EXT) otherwise */
    uint64_t smask = (ss.attr & X86_SEG_DB) ? 0xffffffffull : 0xffffull;
    uint64_t top = esp & smask;
    uint64_t bottom = (top - 4 * n) & smask;
    if (!fits(&ss, bottom, 4 * n) || bottom > top)
        return X86_TRAP_EC(X86_VEC_SS, (new_cpl < cpl ? SEL_EC(ss.sel) : 0) | ext);
    if (target > cs.limit) return X86_TRAP_EC(X86_VEC_GP, ext);
    if ((st = push_frame(cpu, &ss, top, smask, frame, n, new_cpl))) return st;
    /* accessed bits (SDM Vol. 3A 3.4.5.1) */
    if (!(cs_raw & (1ull << 40)))
        x86_write_linear_sv(cpu, cs_addr + 5, 1, ((cs_raw >> 40) & 0xff) | 1);
    if (new_cpl < cpl && !(ss_raw & (1ull << 40)))
        x86_write_linear_sv(cpu, ss_addr + 5, 1, ((ss_raw >> 40) & 0xff) | 1);

    /* Commit. */
    if (new_cpl < cpl) cpu->seg[X86_SS] = ss;
    x86_set_reg(cpu, X86_RSP, (ss.attr & X86_SEG_DB) ? 4 : 2, true, bottom);
    cs.sel = (uint16_t)(SEL_EC(cs_sel) | new_cpl);
    cs.attr |= X86_SEG_TYPE_A;
    cpu->seg[X86_CS] = cs;
    cpu->cpl = new_cpl;
    x86_update_mode(cpu);
    cpu->rip = target;
    if (interrupt_gate) cpu->rflags &= ~(uint64_t)X86_IF;
    cpu->rflags &= ~(uint64_t)(X86_TF | X86_VM | X86_RF | X86_NT);
    if (new_cpl != cpl) {
        /* the explained transition (SDM Vol. 3A 6.12.1, Figure 6-4) */
        x86_explain(cpu, "SS.sel <- TSS.ss0", ss.sel);
        x86_explain(cpu, "ESP <- TSS.esp0", esp);
        x86_explain(cpu, "push SS:ESP, EFLAGS, CS:EIP", bottom);
        x86_explain(cpu, "CS:EIP <- IDT gate", target);
        if (interrupt_gate) x86_explain(cpu, "RFLAGS.IF <- 0 (interrupt gate)", cpu->rflags);
        x86_explain(cpu, "CPL <- CS.DPL", new_cpl);
    }
    if (new_cpl != cpl)
        x86_emit_priv(cpu, cpl, new_cpl,
                      ev->soft                       ? EV_MECH_INT
                      : ev->vector < 32 && !ev->intr ? EV_MECH_EXCEPTION
                                                     : EV_MECH_INTERRUPT,
                      0);
    return X86_OK;
}

/* SDM Vol. 2A INT n "Operation", IA-32e-MODE and SDM Vol. 3A 6.14.1-6.14.5: 64-bit gates, the
 * target a 64-bit code segment, the stack from RSP0-2 or IST, aligned to 16 bytes, and SS:RSP,
 * RFLAGS, CS:RIP (and the error code) pushed as quadwords. On a privilege change SS becomes a
 * null selector with RPL = the new CPL. */
static x86_status deliver_long(struct x86_cpu *cpu, const struct event *ev)
{
    const unsigned ext = ev->external ? EXT : 0;
    const unsigned cpl = cpu->cpl;
    const uint32_t gate_ec = ev->vector * 8 + IDT + ext;
    x86_status st;

    if (ev->vector * 16 + 15 > cpu->idtr.limit) return X86_TRAP_EC(X86_VEC_GP, gate_ec);
    uint64_t gate, gate_hi;
    if ((st = x86_read_linear_sv(cpu, cpu->idtr.base + ev->vector * 16, 8, &gate)) ||
        (st = x86_read_linear_sv(cpu, cpu->idtr.base + ev->vector * 16 + 8, 8, &gate_hi)))
        return st;
    unsigned type = (unsigned)(gate >> 40) & 0xf;
    unsigned gate_dpl = (unsigned)(gate >> 45) & 3;
    /* 6.14.1: only 64-bit interrupt and trap gates; the upper type field must be 0 */
    if (((gate >> 44) & 1) || (type != GATE_INT32 && type != GATE_TRAP32) ||
        ((gate_hi >> 40) & 0x1f) != 0)
        return X86_TRAP_EC(X86_VEC_GP, gate_ec);
    if (ev->soft && gate_dpl < cpl) return X86_TRAP_EC(X86_VEC_GP, ev->vector * 8 + IDT);
    if (!((gate >> 47) & 1)) return X86_TRAP_EC(X86_VEC_NP, gate_ec);

    uint16_t cs_sel = (uint16_t)(gate >> 16);
    uint64_t target = (gate & 0xffff) | ((gate >> 32) & 0xffff0000u) | (gate_hi << 32);
    unsigned ist = (unsigned)(gate >> 32) & 7;
    if ((cs_sel & 0xfffc) == 0) return X86_TRAP_EC(X86_VEC_GP, ext);
    uint64_t cs_raw, cs_addr;
    if ((st = x86_read_descriptor(cpu, cs_sel, &cs_raw, &cs_addr)))
        return X86_IS_TRAP(st) && X86_TRAP_VECTOR(st) == X86_VEC_GP
                   ? X86_TRAP_EC(X86_VEC_GP, SEL_EC(cs_sel) | ext)
                   : st;
    struct x86_seg cs;
    x86_parse_descriptor(cs_raw, &cs);
    unsigned cs_dpl = X86_SEG_DPL(cs.attr);
    /* the target must be a 64-bit code segment (L = 1, D = 0) at DPL <= CPL */
    if (!is_code(cs.attr) || cs_dpl > cpl || !(cs.attr & X86_SEG_L) || (cs.attr & X86_SEG_DB))
        return X86_TRAP_EC(X86_VEC_GP, SEL_EC(cs_sel) | ext);
    if (!(cs.attr & X86_SEG_P)) return X86_TRAP_EC(X86_VEC_NP, SEL_EC(cs_sel) | ext);
    bool conforming = X86_SEG_TYPE(cs.attr) & X86_SEG_TYPE_C;
    unsigned new_cpl = (!conforming && cs_dpl < cpl) ? cs_dpl : cpl;
    if (!x86_canonical(target)) return X86_TRAP_EC(X86_VEC_GP, ext);

    /* 6.14.4/6.14.5: the new RSP from the TSS: IST when the gate names one, else RSPn on a
     * privilege change, else the current RSP. */
    uint64_t rsp = cpu->gpr[X86_RSP];
    if (ist || new_cpl < cpl) {
        if ((cpu->tr.attr & X86_SEG_UNUSABLE) || X86_SEG_TYPE(cpu->tr.attr) != 0xb)
            return unsupported(cpu, "a 64-bit TSS", ev->vector);
        uint64_t off = ist ? 36 + 8 * (uint64_t)(ist - 1) : 4 + 8 * (uint64_t)new_cpl;
        if (off + 7 > cpu->tr.limit) return X86_TRAP_EC(X86_VEC_TS, SEL_EC(cpu->tr.sel) | ext);
        if ((st = x86_read_linear_sv(cpu, cpu->tr.base + off, 8, &rsp))) return st;
        if (!x86_canonical(rsp)) return X86_TRAP_EC(X86_VEC_SS, ext);
    }
    rsp &= ~0xfull; /* 6.14.2: aligned to 16 bytes */

    /* The RFLAGS image: RF = 1 for fault-class exceptions (SDM Vol. 3B 17.3.1.1). */
    uint64_t rflags = cpu->rflags;
    if (!ev->soft && !ev->intr && ev->external && ev->vector != X86_VEC_DF &&
        ev->vector != X86_VEC_MC && ev->vector != X86_VEC_DB && ev->vector != X86_VEC_NMI &&
        ev->vector < 32)
        rflags |= X86_RF;
    uint64_t frame[6];
    unsigned n = 0;
    frame[n++] = cpu->seg[X86_SS].sel;
    frame[n++] = cpu->gpr[X86_RSP]; /* zero-extended from compatibility mode: it is */
    frame[n++] = rflags;
    frame[n++] = cpu->seg[X86_CS].sel;
    frame[n++] = ev->ret_eip;
    if (ev->has_ec) frame[n++] = ev->ec;
    uint64_t bottom = rsp - 8 * n;
    if (!x86_canonical(bottom) || !x86_canonical(rsp - 1)) return X86_TRAP_EC(X86_VEC_SS, ext);
    for (unsigned i = 0; i < n; i++) {
        uint64_t lin = rsp - 8 * (i + 1);
        st = new_cpl < 3 ? x86_write_linear_sv(cpu, lin, 8, frame[i])
                         : x86_write_linear(cpu, lin, 8, frame[i]);
        if (st) return st;
    }
    if (!(cs_raw & (1ull << 40)))
        x86_write_linear_sv(cpu, cs_addr + 5, 1, ((cs_raw >> 40) & 0xff) | 1);

    /* Commit. */
    if (new_cpl < cpl) {
        /* 6.14.4: SS is loaded with a null selector whose RPL is the new CPL */
        struct x86_seg *ss = &cpu->seg[X86_SS];
        ss->sel = (uint16_t)new_cpl;
        ss->base = 0;
        ss->limit = 0;
        ss->attr = X86_SEG_UNUSABLE | (uint32_t)new_cpl << 5;
    }
    cpu->gpr[X86_RSP] = bottom;
    cs.sel = (uint16_t)(SEL_EC(cs_sel) | new_cpl);
    cs.attr |= X86_SEG_TYPE_A;
    cpu->seg[X86_CS] = cs;
    cpu->cpl = new_cpl;
    x86_update_mode(cpu);
    cpu->rip = target;
    if (type == GATE_INT32) cpu->rflags &= ~(uint64_t)X86_IF;
    cpu->rflags &= ~(uint64_t)(X86_TF | X86_VM | X86_RF | X86_NT);
    if (new_cpl != cpl) {
        /* the explained transition (SDM Vol. 3A 6.14.2-6.14.5) */
        x86_explain(cpu, ist ? "RSP <- TSS.IST" : "RSP <- TSS.rsp0", rsp);
        x86_explain(cpu, "SS.sel <- null (RPL = new CPL)", new_cpl);
        x86_explain(cpu, "push SS:RSP, RFLAGS, CS:RIP", bottom);
        x86_explain(cpu, "CS:RIP <- IDT gate", target);
        if (type == GATE_INT32) x86_explain(cpu, "RFLAGS.IF <- 0 (interrupt gate)", cpu->rflags);
        x86_explain(cpu, "CPL <- CS.DPL", new_cpl);
    }
    if (new_cpl != cpl)
        x86_emit_priv(cpu, cpl, new_cpl,
                      ev->soft                       ? EV_MECH_INT
                      : ev->vector < 32 && !ev->intr ? EV_MECH_EXCEPTION
                                                     : EV_MECH_INTERRUPT,
                      0);
    return X86_OK;
}

/* SDM Vol. 3A 6.15 Table 6-5: the classes that combine into a double fault. */
enum exc_class { EXC_BENIGN, EXC_CONTRIBUTORY, EXC_PAGE_FAULT, EXC_DOUBLE };
static enum exc_class exc_class(unsigned vector, bool soft)
{
    if (soft) return EXC_BENIGN;
    switch (vector) {
    case X86_VEC_DE:
    case X86_VEC_TS:
    case X86_VEC_NP:
    case X86_VEC_SS:
    case X86_VEC_GP: return EXC_CONTRIBUTORY;
    case X86_VEC_PF: return EXC_PAGE_FAULT;
    case X86_VEC_DF: return EXC_DOUBLE;
    default: return EXC_BENIGN;
    }
}

static void emit_exception(struct x86_cpu *cpu, const struct event *ev)
{
    struct ev e = {.kind = EV_EXCEPTION, .pc = cpu->insn_rip};
    e.exception.vector = ev->vector;
    e.exception.interrupt = ev->intr || (!ev->soft && ev->vector >= 32);
    e.exception.info = ev->has_ec ? ev->ec : 0;
    ev_emit(&cpu->m->events, &e);
}

static void triple_fault(struct x86_cpu *cpu, const struct event *ev, x86_status second)
{
    if (cpu->m->cpu_ops && cpu->m->cpu_ops->dump) cpu->m->cpu_ops->dump(cpu, stderr);
    machine_request_stop(cpu->m, STOP_FATAL, EXIT_GUEST_FATAL,
                         "triple fault: %s (error code %#x) while delivering %s at eip %#" PRIx64,
                         x86_vector_name(X86_TRAP_VECTOR(second)), X86_TRAP_ERRCODE(second),
                         x86_vector_name(ev->vector), cpu->rip);
}

void x86_deliver(struct x86_cpu *cpu, x86_status trap)
{
    struct event ev = {
        .vector = X86_TRAP_VECTOR(trap),
        .soft = (trap & X86_TRAP_SOFT_BIT) && !(trap & X86_TRAP_INT1_BIT),
        .has_ec = X86_TRAP_HAS_EC(trap),
        .ec = X86_TRAP_ERRCODE(trap),
    };
    ev.external = !ev.soft;
    ev.intr = (trap & X86_TRAP_INTR_BIT) != 0;
    /* INT n, INT3, INTO and INT1 complete as instructions once delivered (not after a fault) */
    bool completes = (trap & X86_TRAP_SOFT_BIT) != 0;
    ev.ret_eip = completes ? cpu->next_rip : cpu->rip;
    cpu->halted = false;

    for (;;) {
        /* SDM Vol. 3B 17.3.1.2: data and I/O breakpoints are traps reported after the
         * instruction that made the access. An instruction that faulted did not complete, so what
         * its accesses met is not reported (INT n, INT3, INTO and INT1 make no access besides
         * their delivery), nor what a delivery that faulted met. What this attempt's accesses
         * meet (the IDT, GDT, TSS reads and the frame pushes) stays in dbg_hits when it
         * completes: the run loop reports it as a #DB trap at the next boundary (cpu.c). */
        cpu->dbg_hits = 0;
        /* A delivery takes guest time even though nothing retires, so that a handler that
         * faults forever still reaches device deadlines and cycle budgets. */
        machine_sync(cpu->m); /* queued instructions are priced before this tick */
        cpu->m->time++;
        emit_exception(cpu, &ev);
        x86_status st;
        if (!x86_protected(cpu))
            st = unsupported(cpu, "real mode", ev.vector);
        else if (x86_lma(cpu))
            st = deliver_long(cpu, &ev);
        else
            st = deliver_protected(cpu, &ev);
        if (st == X86_OK) {
            if (completes) x86_retire(cpu, cpu->soft_len, cpu->soft_class);
            return;
        }
        if (!X86_IS_TRAP(st)) return; /* stopped */
        completes = false;
        /* A fault while delivering ev (Table 6-5). */
        enum exc_class first = exc_class(ev.vector, ev.soft);
        enum exc_class second = exc_class(X86_TRAP_VECTOR(st), false);
        if (first == EXC_DOUBLE) {
            triple_fault(cpu, &ev, st);
            return;
        }
        bool df =
            (first == EXC_CONTRIBUTORY && second == EXC_CONTRIBUTORY) ||
            (first == EXC_PAGE_FAULT && (second == EXC_CONTRIBUTORY || second == EXC_PAGE_FAULT));
        struct event next = {.external = true, .ret_eip = cpu->rip};
        if (df) {
            next.vector = X86_VEC_DF;
            next.has_ec = true;
            next.ec = 0;
        } else { /* benign first event: the second is handled serially */
            next.vector = X86_TRAP_VECTOR(st);
            next.has_ec = X86_TRAP_HAS_EC(st);
            next.ec = X86_TRAP_ERRCODE(st);
        }
        ev = next;
    }
}

/* ---- IRET and RET far ---------------------------------------------------------------------- */

/* The part IRET and RET far share (SDM Vol. 2A IRET PROTECTED-MODE-RETURN, RET "far return to
 * same / outer privilege level"): the return CS checks, and for a return to an outer level the
 * SS:ESP found at stack offset ss_off with their checks; then the commit. Flags are IRET's to
 * set (flag_mask/flags, by the old CPL's rights); release is RET's imm16, which is released on
 * both stacks. */
static x86_status far_return(struct x86_cpu *cpu, unsigned size, uint64_t eip, uint16_t cs_sel,
                             uint64_t ss_off, uint64_t release, uint64_t flag_mask, uint64_t flags,
                             enum ev_mech mech)
{
    x86_status st;
    unsigned rpl = cs_sel & 3, cpl = cpu->cpl;
    if (rpl < cpl) return X86_TRAP_EC(X86_VEC_GP, SEL_EC(cs_sel));
    if ((cs_sel & 0xfffc) == 0) return X86_TRAP_EC(X86_VEC_GP, 0);
    uint64_t cs_raw, cs_addr;
    if ((st = x86_read_descriptor(cpu, cs_sel, &cs_raw, &cs_addr))) return st;
    struct x86_seg cs;
    x86_parse_descriptor(cs_raw, &cs);
    unsigned cs_dpl = X86_SEG_DPL(cs.attr);
    if (!is_code(cs.attr)) return X86_TRAP_EC(X86_VEC_GP, SEL_EC(cs_sel));
    if ((X86_SEG_TYPE(cs.attr) & X86_SEG_TYPE_C) ? cs_dpl > rpl : cs_dpl != rpl)
        return X86_TRAP_EC(X86_VEC_GP, SEL_EC(cs_sel));
    if (!(cs.attr & X86_SEG_P)) return X86_TRAP_EC(X86_VEC_NP, SEL_EC(cs_sel));

    struct x86_seg ss = cpu->seg[X86_SS];
    uint64_t new_esp = 0, ss_raw = 0, ss_addr = 0;
    bool outer = rpl > cpl;
    if (outer) {
        /* RETURN-TO-OUTER-PRIVILEGE-LEVEL: SS:ESP follow on the stack */
        uint64_t esp_v, ss_v;
        if ((st = x86_stack_peek(cpu, ss_off, size, &esp_v)) ||
            (st = x86_stack_peek(cpu, ss_off + size, size, &ss_v)))
            return st;
        uint16_t ss_sel = (uint16_t)ss_v;
        /* (IA-32e mode would allow a null SS for a return to 64-bit code at CPL 1 or 2; this
         * core refuses it as legacy mode does: no modelled kernel uses rings 1-2) */
        if ((ss_sel & 0xfffc) == 0) return X86_TRAP_EC(X86_VEC_GP, 0);
        if ((st = x86_read_descriptor(cpu, ss_sel, &ss_raw, &ss_addr))) return st;
        x86_parse_descriptor(ss_raw, &ss);
        if ((ss_sel & 3) != rpl || !is_writable_data(ss.attr) || X86_SEG_DPL(ss.attr) != rpl)
            return X86_TRAP_EC(X86_VEC_GP, SEL_EC(ss_sel));
        if (!(ss.attr & X86_SEG_P)) return X86_TRAP_EC(X86_VEC_SS, SEL_EC(ss_sel));
        ss.sel = ss_sel;
        ss.attr |= X86_SEG_TYPE_A;
        new_esp = esp_v;
    }
    eip &= x86_size_mask(size);
    /* a 64-bit code segment has no limit; its RIP must be canonical (RET "64-bit mode") */
    if (x86_lma(cpu) && (cs.attr & X86_SEG_L) ? !x86_canonical(eip) : eip > cs.limit)
        return X86_TRAP_EC(X86_VEC_GP, 0);

    /* Commit. */
    if (!(cs_raw & (1ull << 40)))
        x86_write_linear_sv(cpu, cs_addr + 5, 1, ((cs_raw >> 40) & 0xff) | 1);
    if (outer && !(ss_raw & (1ull << 40)))
        x86_write_linear_sv(cpu, ss_addr + 5, 1, ((ss_raw >> 40) & 0xff) | 1);
    cpu->rflags = ((cpu->rflags & ~flag_mask) | (flags & flag_mask)) | X86_FLAGS_FIXED1;
    cs.sel = cs_sel;
    cs.attr |= X86_SEG_TYPE_A;
    unsigned ssize = x86_stack_asize(cpu);
    cpu->seg[X86_CS] = cs;
    x86_update_mode(cpu);
    cpu->next_rip = eip;
    if (!outer) {
        x86_set_reg(cpu, X86_RSP, ssize, true, cpu->gpr[X86_RSP] + ss_off);
        return X86_OK;
    }
    cpu->cpl = rpl;
    cpu->seg[X86_SS] = ss;
    if (x86_lma(cpu)) /* RET "IA-32e mode": RSP <- the popped value (+ imm16) */
        cpu->gpr[X86_RSP] = new_esp + release;
    else
        x86_set_reg(cpu, X86_RSP, (ss.attr & X86_SEG_DB) ? 4 : 2, true, new_esp + release);
    /* Data segment registers the new CPL may not use become null. */
    static const enum x86_sreg data_segs[] = {X86_ES, X86_FS, X86_GS, X86_DS};
    for (unsigned i = 0; i < 4; i++) {
        struct x86_seg *s = &cpu->seg[data_segs[i]];
        bool conforming_code = is_code(s->attr) && (X86_SEG_TYPE(s->attr) & X86_SEG_TYPE_C);
        if ((s->attr & X86_SEG_UNUSABLE) || (X86_SEG_DPL(s->attr) < rpl && !conforming_code)) {
            s->sel = 0;
            s->attr = X86_SEG_UNUSABLE;
        }
    }
    /* the explained transition (SDM Vol. 2A IRET / RET: RETURN-TO-OUTER-PRIVILEGE-LEVEL) */
    x86_explain(cpu, "EIP <- pop", eip);
    x86_explain(cpu, "CS <- pop", cs_sel);
    if (mech == EV_MECH_IRET) x86_explain(cpu, "EFLAGS <- pop", cpu->rflags);
    x86_explain(cpu, "ESP <- pop", new_esp);
    x86_explain(cpu, "SS <- pop", ss.sel);
    x86_explain(cpu, "CPL <- CS.RPL", rpl);
    x86_emit_priv(cpu, cpl, rpl, mech, 0);
    return X86_OK;
}

static x86_status not_modelled(struct x86_cpu *cpu, const char *what)
{
    machine_request_stop(cpu->m, STOP_FATAL, EXIT_NOT_BUILT, "x86: %s is not supported yet", what);
    return X86_STOP;
}

/* SDM Vol. 2A IRET "Operation", IA-32e-MODE: RIP, CS, RFLAGS and (from 64-bit mode, or to an
 * outer privilege level) RSP and SS are popped at the operand size (IRETQ: 8 bytes); the return
 * CS may be 64-bit (RIP canonical) or a compatibility-mode segment (EIP within the limit); a null
 * SS is allowed only for a return to 64-bit mode at CPL < 3. */
static x86_status iret_ia32e(struct x86_cpu *cpu, unsigned size, uint64_t mask)
{
    x86_status st;
    uint64_t rip, cs_v, fl, rsp_v = 0, ss_v = 0;
    if ((st = x86_stack_peek(cpu, 0, size, &rip)) ||
        (st = x86_stack_peek(cpu, size, size, &cs_v)) ||
        (st = x86_stack_peek(cpu, 2 * size, size, &fl)))
        return st;
    if (size == 2) fl = (cpu->rflags & ~0xffffull) | (fl & 0xffff);
    uint16_t cs_sel = (uint16_t)cs_v;
    unsigned rpl = cs_sel & 3, cpl = cpu->cpl;
    bool pop_ss = cpu->code_bits == 64 || rpl > cpl;
    if (pop_ss && ((st = x86_stack_peek(cpu, 3 * size, size, &rsp_v)) ||
                   (st = x86_stack_peek(cpu, 4 * size, size, &ss_v))))
        return st;
    if ((cs_sel & 0xfffc) == 0) return X86_TRAP_EC(X86_VEC_GP, 0);
    if (rpl < cpl) return X86_TRAP_EC(X86_VEC_GP, SEL_EC(cs_sel));
    uint64_t cs_raw, cs_addr;
    if ((st = x86_read_descriptor(cpu, cs_sel, &cs_raw, &cs_addr))) return st;
    struct x86_seg cs;
    x86_parse_descriptor(cs_raw, &cs);
    unsigned cs_dpl = X86_SEG_DPL(cs.attr);
    if (!is_code(cs.attr) || ((cs.attr & X86_SEG_L) && (cs.attr & X86_SEG_DB)))
        return X86_TRAP_EC(X86_VEC_GP, SEL_EC(cs_sel));
    if ((X86_SEG_TYPE(cs.attr) & X86_SEG_TYPE_C) ? cs_dpl > rpl : cs_dpl != rpl)
        return X86_TRAP_EC(X86_VEC_GP, SEL_EC(cs_sel));
    if (!(cs.attr & X86_SEG_P)) return X86_TRAP_EC(X86_VEC_NP, SEL_EC(cs_sel));
    bool to64 = (cs.attr & X86_SEG_L) != 0;

    struct x86_seg ss = cpu->seg[X86_SS];
    uint64_t ss_raw = 0, ss_addr = 0;
    uint16_t ss_sel = (uint16_t)ss_v;
    if (pop_ss) {
        if ((ss_sel & 0xfffc) == 0) {
            if (!to64 || rpl == 3) return X86_TRAP_EC(X86_VEC_GP, 0);
            if ((ss_sel & 3) != rpl) return X86_TRAP_EC(X86_VEC_GP, SEL_EC(ss_sel));
            ss.sel = ss_sel;
            ss.base = 0;
            ss.limit = 0;
            ss.attr = X86_SEG_UNUSABLE | (uint32_t)rpl << 5;
        } else {
            if ((st = x86_read_descriptor(cpu, ss_sel, &ss_raw, &ss_addr))) return st;
            x86_parse_descriptor(ss_raw, &ss);
            if ((ss_sel & 3) != rpl || !is_writable_data(ss.attr) || X86_SEG_DPL(ss.attr) != rpl)
                return X86_TRAP_EC(X86_VEC_GP, SEL_EC(ss_sel));
            if (!(ss.attr & X86_SEG_P)) return X86_TRAP_EC(X86_VEC_SS, SEL_EC(ss_sel));
            ss.sel = ss_sel;
            ss.attr |= X86_SEG_TYPE_A;
        }
    }
    if (to64) {
        if (!x86_canonical(rip)) return X86_TRAP_EC(X86_VEC_GP, 0);
    } else {
        rip &= 0xffffffffu;
        if (rip > cs.limit) return X86_TRAP_EC(X86_VEC_GP, 0);
    }

    /* Commit. */
    if (!(cs_raw & (1ull << 40)))
        x86_write_linear_sv(cpu, cs_addr + 5, 1, ((cs_raw >> 40) & 0xff) | 1);
    if (ss_raw && !(ss_raw & (1ull << 40)))
        x86_write_linear_sv(cpu, ss_addr + 5, 1, ((ss_raw >> 40) & 0xff) | 1);
    cpu->rflags = ((cpu->rflags & ~mask) | (fl & mask)) | X86_FLAGS_FIXED1;
    cs.sel = cs_sel;
    cs.attr |= X86_SEG_TYPE_A;
    unsigned old_bits = cpu->code_bits;
    cpu->seg[X86_CS] = cs;
    cpu->cpl = rpl;
    x86_update_mode(cpu);
    cpu->next_rip = rip;
    if (pop_ss) {
        cpu->seg[X86_SS] = ss;
        /* from 64-bit mode RSP is loaded whole (zero-extended for IRETD/IRET) */
        cpu->gpr[X86_RSP] = rsp_v;
    } else {
        x86_set_reg(cpu, X86_RSP, old_bits == 64 ? 8 : x86_stack_asize(cpu), true,
                    cpu->gpr[X86_RSP] + 3 * size);
    }
    if (rpl > cpl) {
        static const enum x86_sreg data_segs[] = {X86_ES, X86_FS, X86_GS, X86_DS};
        for (unsigned i = 0; i < 4; i++) {
            struct x86_seg *s = &cpu->seg[data_segs[i]];
            bool conforming_code = is_code(s->attr) && (X86_SEG_TYPE(s->attr) & X86_SEG_TYPE_C);
            if (!(s->attr & X86_SEG_UNUSABLE) && X86_SEG_DPL(s->attr) < rpl && !conforming_code) {
                s->sel = 0;
                s->attr = X86_SEG_UNUSABLE;
                /* SDM 3.4.4: in 64-bit mode the FS/GS bases stay (they are the MSRs) */
                if (data_segs[i] != X86_FS && data_segs[i] != X86_GS) s->base = 0;
            }
        }
        /* the explained transition (SDM Vol. 2A IRET, IA-32e-MODE) */
        x86_explain(cpu, "RIP <- pop", rip);
        x86_explain(cpu, "CS <- pop", cs_sel);
        x86_explain(cpu, "RFLAGS <- pop", cpu->rflags);
        x86_explain(cpu, "RSP <- pop", rsp_v);
        x86_explain(cpu, "SS <- pop", ss_sel);
        x86_explain(cpu, "CPL <- CS.RPL", rpl);
        x86_emit_priv(cpu, cpl, rpl, EV_MECH_IRET, 0);
    }
    return X86_OK;
}

/* SDM Vol. 2A IRET "Operation", PROTECTED-MODE-RETURN (32- and 16-bit operand size) through
 * RETURN-TO-SAME-PRIVILEGE-LEVEL and RETURN-TO-OUTER-PRIVILEGE-LEVEL. Nested-task returns
 * (NT = 1) and returns to virtual-8086 mode are not supported and stop the run. */
static x86_status iret(struct x86_cpu *cpu, const struct x86_insn *insn);
/* IRET: IF, TF and RF may be restored; the run loop looks at the boundary after it. */
x86_status x86_op_iret(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    x86_status st = iret(cpu, insn);
    if (st == X86_OK) x86_intr_window(cpu);
    return st;
}

static x86_status iret(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->osize;
    if (!x86_protected(cpu)) return not_modelled(cpu, "IRET outside protected mode");
    /* IA-32e mode has no task switches: NT = 1 is #GP(0) */
    if (x86_lma(cpu) && (cpu->rflags & X86_NT)) return X86_TRAP_EC(X86_VEC_GP, 0);
    if (cpu->rflags & X86_NT) return not_modelled(cpu, "IRET with NT = 1 (task return)");
    /* the flags IRET may set, by the old CPL (SDM IRET: "IF CPL <= IOPL", "IF CPL = 0") */
    uint64_t mask = X86_FLAGS_ARITH | X86_TF | X86_DF | X86_NT;
    if (size >= 4) mask |= X86_RF | X86_AC | X86_ID;
    if (cpu->cpl <= x86_iopl(cpu)) mask |= X86_IF;
    if (cpu->cpl == 0) {
        mask |= X86_IOPL;
        if (size >= 4) mask |= X86_VIF | X86_VIP;
    }
    if (x86_lma(cpu)) return iret_ia32e(cpu, size, mask);
    uint64_t eip, cs_v, fl;
    x86_status st;
    if ((st = x86_stack_peek(cpu, 0, size, &eip)) ||
        (st = x86_stack_peek(cpu, size, size, &cs_v)) ||
        (st = x86_stack_peek(cpu, 2 * size, size, &fl)))
        return st;
    if (size == 2) fl = (cpu->rflags & ~0xffffull) | (fl & 0xffff);
    if ((fl & X86_VM) && cpu->cpl == 0) return not_modelled(cpu, "IRET to virtual-8086 mode");
    return far_return(cpu, size, eip, (uint16_t)cs_v, 3 * size, 0, mask, fl, EV_MECH_IRET);
}

/* RET far / RET far imm16 (CB, CA; SDM Vol. 2A RET "Operation", protected mode): to the same or
 * an outer privilege level; imm16 bytes are released on the called procedure's stack and, for an
 * outer return, on the caller's too. */
x86_status x86_op_retf(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->osize;
    if (!x86_protected(cpu)) return not_modelled(cpu, "RET far outside protected mode");
    uint64_t release = insn->opnd[0] ? insn->imm & 0xffff : 0;
    uint64_t eip, cs_v;
    x86_status st;
    if ((st = x86_stack_peek(cpu, 0, size, &eip)) || (st = x86_stack_peek(cpu, size, size, &cs_v)))
        return st;
    return far_return(cpu, size, eip, (uint16_t)cs_v, 2 * size + release, release, 0, 0,
                      EV_MECH_FAR_TRANSFER);
}
