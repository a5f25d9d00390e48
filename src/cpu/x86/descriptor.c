/* Protected-mode segmentation: descriptor tables, segment-register loads with their checks, far
 * JMP, the descriptor-table registers and control registers (SDM Vol. 3A chapters 3 and 5;
 * Vol. 2 MOV, POP, JMP, LGDT/LIDT, LLDT, LTR, MOV-to/from-CR, CLTS, LMSW/SMSW). */
#include "cpu/x86/internal.h"
#include "mmu/x86_paging.h"

#define GP0         X86_TRAP_EC(X86_VEC_GP, 0)
#define UD          X86_TRAP(X86_VEC_UD)
#define SEL_EC(sel) ((sel)&0xfffcu) /* error code for a selector: index and TI, EXT = 0 */

/* ---- Descriptors ------------------------------------------------------------------------- */

x86_status x86_read_descriptor(struct x86_cpu *cpu, uint16_t sel, uint64_t *raw, uint64_t *addr)
{
    uint64_t base, limit;
    if (sel & 4) { /* TI: the LDT */
        if (cpu->ldtr.attr & X86_SEG_UNUSABLE) return X86_TRAP_EC(X86_VEC_GP, SEL_EC(sel));
        base = cpu->ldtr.base;
        limit = cpu->ldtr.limit;
    } else {
        base = cpu->gdtr.base;
        limit = cpu->gdtr.limit;
    }
    uint64_t off = sel & 0xfff8u;
    if (off + 7 > limit) return X86_TRAP_EC(X86_VEC_GP, SEL_EC(sel));
    /* IA-32e mode (compatibility mode too) uses 64-bit descriptor-table bases (SDM Vol. 3A
     * 3.5.1, 2.4.1) */
    *addr = (base + off) & (x86_lma(cpu) ? UINT64_MAX : 0xffffffffull);
    return x86_read_linear_sv(cpu, *addr, 8, raw);
}

void x86_parse_descriptor(uint64_t raw, struct x86_seg *seg)
{
    /* SDM Vol. 3A 3.4.5, Figure 3-8 */
    uint32_t limit = (uint32_t)(raw & 0xffff) | (uint32_t)((raw >> 32) & 0xf0000);
    seg->base = ((raw >> 16) & 0xffffff) | ((raw >> 32) & 0xff000000u);
    seg->attr = (uint32_t)((raw >> 40) & 0xff) | (uint32_t)((raw >> 40) & 0xf000);
    seg->limit = (seg->attr & X86_SEG_G) ? (limit << 12) | 0xfff : limit;
}

/* The processor sets the accessed bit of a segment descriptor it loads (SDM Vol. 3A 3.4.5.1). */
static x86_status set_accessed(struct x86_cpu *cpu, uint64_t addr, uint64_t raw)
{
    if (raw & (1ull << 40)) return X86_OK;
    return x86_write_linear_sv(cpu, addr + 5, 1, ((raw >> 40) & 0xff) | 1);
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

static void emit_seg(struct x86_cpu *cpu, unsigned sreg, uint16_t old, uint16_t sel)
{
    struct ev e = {.kind = EV_SYSREG, .pc = cpu->insn_rip};
    e.sysreg.space = EV_SYSREG_SEG;
    e.sysreg.number = sreg;
    e.sysreg.old_value = old;
    e.sysreg.new_value = sel;
    ev_emit(&cpu->m->events, &e);
}

/* MOV/POP to DS ES FS GS SS in protected mode (SDM Vol. 2B MOV "Operation", POP). */
x86_status x86_load_seg(struct x86_cpu *cpu, enum x86_sreg sreg, uint16_t sel)
{
    if (!x86_protected(cpu)) {
        /* real mode: base = selector * 16, the cached limit and attributes stay */
        cpu->seg[sreg].sel = sel;
        cpu->seg[sreg].base = (uint64_t)sel << 4;
        return X86_OK;
    }
    uint16_t old = cpu->seg[sreg].sel;
    unsigned rpl = sel & 3;
    if ((sel & 0xfffc) == 0) {
        /* SDM Vol. 2B MOV: a null SS is #GP(0) except in 64-bit mode at CPL < 3, where it is
         * loaded with RPL = CPL required */
        if (sreg == X86_SS && (cpu->code_bits != 64 || cpu->cpl == 3 || rpl != cpu->cpl))
            return GP0;
        cpu->seg[sreg].sel = sel;
        /* the base is cleared, FS and GS included (Intel, AMD Zen 2 and later; older AMD parts
         * keep base and limit: x86_vendor.null_selector_keeps_base) */
        if (sreg == X86_SS || !cpu->vendor->null_selector_keeps_base) {
            cpu->seg[sreg].base = 0;
            cpu->seg[sreg].limit = 0;
        }
        cpu->seg[sreg].attr = X86_SEG_UNUSABLE | (sreg == X86_SS ? rpl << 5 : 0);
        emit_seg(cpu, sreg, old, sel);
        return X86_OK;
    }
    uint64_t raw, addr;
    x86_status st = x86_read_descriptor(cpu, sel, &raw, &addr);
    if (st) return st;
    struct x86_seg s;
    x86_parse_descriptor(raw, &s);
    unsigned dpl = X86_SEG_DPL(s.attr);
    if (sreg == X86_SS) {
        if (rpl != cpu->cpl || !is_writable_data(s.attr) || dpl != cpu->cpl)
            return X86_TRAP_EC(X86_VEC_GP, SEL_EC(sel));
        if (!(s.attr & X86_SEG_P)) return X86_TRAP_EC(X86_VEC_SS, SEL_EC(sel));
    } else {
        bool code = is_code(s.attr);
        if (!(s.attr & X86_SEG_S) || (code && !(X86_SEG_TYPE(s.attr) & X86_SEG_TYPE_R)))
            return X86_TRAP_EC(X86_VEC_GP, SEL_EC(sel));
        bool conforming = code && (X86_SEG_TYPE(s.attr) & X86_SEG_TYPE_C);
        if (!conforming && (rpl > dpl || cpu->cpl > dpl))
            return X86_TRAP_EC(X86_VEC_GP, SEL_EC(sel));
        if (!(s.attr & X86_SEG_P)) return X86_TRAP_EC(X86_VEC_NP, SEL_EC(sel));
    }
    if ((st = set_accessed(cpu, addr, raw))) return st;
    s.sel = sel;
    s.attr |= X86_SEG_TYPE_A;
    cpu->seg[sreg] = s;
    emit_seg(cpu, sreg, old, sel);
    return X86_OK;
}

/* The target of a far JMP or CALL: a code segment at the current privilege level (SDM Vol. 2A
 * JMP and CALL "Operation": conforming DPL <= CPL; non-conforming RPL <= CPL and DPL = CPL), or
 * a call gate (*gate set, its first eight bytes in *desc_raw; gate_transfer() goes on). Task
 * gates, TSS selectors and 16-bit call gates are not modelled yet: the run stops (X86_STOP); any
 * other descriptor is #GP(selector). The EIP limit check is the caller's (its order differs). */
static x86_status far_target(struct x86_cpu *cpu, uint16_t sel, struct x86_seg *cs_out,
                             uint64_t *desc_addr, uint64_t *desc_raw, bool *gate)
{
    *gate = false;
    if (!x86_protected(cpu)) { /* real mode is not modelled */
        machine_request_stop(cpu->m, STOP_FATAL, EXIT_NOT_BUILT,
                             "x86: far transfer outside protected mode is not supported yet");
        return X86_STOP;
    }
    if ((sel & 0xfffc) == 0) return GP0;
    x86_status st = x86_read_descriptor(cpu, sel, desc_raw, desc_addr);
    if (st) return st;
    struct x86_seg s;
    x86_parse_descriptor(*desc_raw, &s);
    if (!(s.attr & X86_SEG_S)) {
        unsigned type = X86_SEG_TYPE(s.attr);
        /* SDM Vol. 3A 5.8.3.1: in IA-32e mode type 0xC is the 16-byte 64-bit call gate, and
         * 16-bit call gates, task gates and 32-bit TSS types are not valid (#GP(selector)) */
        if (type == 0xc) {
            *gate = true;
            return X86_OK;
        }
        if (!x86_lma(cpu) && (type == 0x4 || type == 0x5 || type == 0x1 || type == 0x9)) {
            machine_request_stop(cpu->m, STOP_FATAL, EXIT_NOT_BUILT,
                                 "x86: far transfer through %s %#x is not supported yet",
                                 type == 0x5   ? "a task gate"
                                 : type == 0x4 ? "a 16-bit call gate"
                                               : "a TSS",
                                 sel);
            return X86_STOP;
        }
        return X86_TRAP_EC(X86_VEC_GP, SEL_EC(sel));
    }
    if (!is_code(s.attr)) return X86_TRAP_EC(X86_VEC_GP, SEL_EC(sel));
    /* IA-32e mode: L = 1 with D = 1 is reserved (SDM Vol. 3A 5.2.1): #GP(selector) */
    if (x86_lma(cpu) && (s.attr & X86_SEG_L) && (s.attr & X86_SEG_DB))
        return X86_TRAP_EC(X86_VEC_GP, SEL_EC(sel));
    unsigned dpl = X86_SEG_DPL(s.attr);
    if (X86_SEG_TYPE(s.attr) & X86_SEG_TYPE_C) {
        if (dpl > cpu->cpl) return X86_TRAP_EC(X86_VEC_GP, SEL_EC(sel));
    } else if ((sel & 3) > cpu->cpl || dpl != cpu->cpl) {
        return X86_TRAP_EC(X86_VEC_GP, SEL_EC(sel));
    }
    if (!(s.attr & X86_SEG_P)) return X86_TRAP_EC(X86_VEC_NP, SEL_EC(sel));
    s.sel = (uint16_t)((sel & 0xfffc) | cpu->cpl); /* CS.RPL <- CPL */
    s.attr |= X86_SEG_TYPE_A;
    *cs_out = s;
    return X86_OK;
}

static void commit_cs(struct x86_cpu *cpu, const struct x86_seg *cs, uint64_t addr, uint64_t raw,
                      uint64_t eip)
{
    set_accessed(cpu, addr, raw);
    uint16_t old = cpu->seg[X86_CS].sel;
    cpu->seg[X86_CS] = *cs;
    x86_update_mode(cpu);
    cpu->next_rip = eip;
    emit_seg(cpu, X86_CS, old, cs->sel);
}

/* The target offset: within the limit, or canonical for a 64-bit code segment (SDM Vol. 2A JMP
 * "IA-32e mode": the limit is not checked in 64-bit mode). */
static bool target_ok(const struct x86_cpu *cpu, const struct x86_seg *cs, uint64_t eip)
{
    if (x86_lma(cpu) && (cs->attr & X86_SEG_L)) return x86_canonical(eip);
    return eip <= cs->limit;
}

/* ---- Call gates (SDM Vol. 3A 5.8.3-5.8.6; Vol. 2A CALL and JMP "call gate") ------------------ */

/* The stack of the more privileged level dpl from the current TSS (SDM Vol. 2A CALL
 * "MORE-PRIVILEGE"): a 32-bit TSS holds SSn:ESPn at 8n + 8 and 8n + 4, a 64-bit TSS RSPn at
 * 8n + 4 with SS a null selector of RPL n. The SS checks are #TS(NewSS), a not-present SS
 * #SS(NewSS). */
static x86_status gate_stack(struct x86_cpu *cpu, unsigned dpl, struct x86_seg *ss, uint64_t *sp,
                             uint64_t *ss_raw, uint64_t *ss_addr)
{
    x86_status st;
    unsigned tss_type = X86_SEG_TYPE(cpu->tr.attr);
    if ((cpu->tr.attr & X86_SEG_UNUSABLE) || (tss_type != 0x9 && tss_type != 0xb)) {
        machine_request_stop(cpu->m, STOP_FATAL, EXIT_NOT_BUILT,
                             "x86: a call gate with a 16-bit or missing TSS is not supported yet");
        return X86_STOP;
    }
    uint64_t off = (uint64_t)dpl * 8 + 4;
    bool lma = x86_lma(cpu);
    if (off + (lma ? 7 : 5) > cpu->tr.limit) return X86_TRAP_EC(X86_VEC_TS, SEL_EC(cpu->tr.sel));
    if (lma) {
        if ((st = x86_read_linear_sv(cpu, cpu->tr.base + off, 8, sp))) return st;
        ss->sel = (uint16_t)dpl; /* SDM Vol. 3A 5.8.6: NULL SS with RPL = new CPL */
        ss->base = 0;
        ss->limit = 0;
        ss->attr = X86_SEG_UNUSABLE | dpl << 5;
        *ss_raw = 1ull << 40; /* nothing to mark accessed */
        return X86_OK;
    }
    uint64_t new_ss;
    if ((st = x86_read_linear_sv(cpu, (cpu->tr.base + off) & 0xffffffffull, 4, sp)) ||
        (st = x86_read_linear_sv(cpu, (cpu->tr.base + off + 4) & 0xffffffffull, 2, &new_ss)))
        return st;
    uint16_t ss_sel = (uint16_t)new_ss;
    if ((ss_sel & 0xfffc) == 0) return X86_TRAP_EC(X86_VEC_TS, 0);
    st = x86_read_descriptor(cpu, ss_sel, ss_raw, ss_addr);
    if (st)
        return X86_IS_TRAP(st) && X86_TRAP_VECTOR(st) == X86_VEC_GP
                   ? X86_TRAP_EC(X86_VEC_TS, SEL_EC(ss_sel))
                   : st;
    if ((ss_sel & 3) != dpl) return X86_TRAP_EC(X86_VEC_TS, SEL_EC(ss_sel));
    x86_parse_descriptor(*ss_raw, ss);
    if (X86_SEG_DPL(ss->attr) != dpl || !is_writable_data(ss->attr))
        return X86_TRAP_EC(X86_VEC_TS, SEL_EC(ss_sel));
    if (!(ss->attr & X86_SEG_P)) return X86_TRAP_EC(X86_VEC_SS, SEL_EC(ss_sel));
    ss->sel = ss_sel;
    ss->attr |= X86_SEG_TYPE_A;
    return X86_OK;
}

/* Far JMP or CALL through the call gate gsel whose first eight bytes are graw (SDM Vol. 2A CALL
 * "CALL-GATE", "MORE-PRIVILEGE", "SAME-PRIVILEGE"; JMP "call gate"; Vol. 3A 5.8.4 Figure 5-12
 * and Table 5-1 for the checks, 5.8.5 Figure 5-13 for the stack switch and the parameter copy,
 * 5.8.6 for IA-32e mode). The offset in the instruction is ignored: the gate gives the entry. */
static x86_status gate_transfer(struct x86_cpu *cpu, const struct x86_insn *insn, uint16_t gsel,
                                uint64_t graw, bool call)
{
    x86_status st;
    const unsigned cpl = cpu->cpl;
    const bool lma = x86_lma(cpu);
    unsigned gate_dpl = (unsigned)(graw >> 45) & 3;
    /* Table 5-1: gate DPL >= CPL and gate DPL >= RPL */
    if (gate_dpl < cpl || gate_dpl < (gsel & 3u)) return X86_TRAP_EC(X86_VEC_GP, SEL_EC(gsel));
    if (!((graw >> 47) & 1)) return X86_TRAP_EC(X86_VEC_NP, SEL_EC(gsel));
    uint16_t cs_sel = (uint16_t)(graw >> 16);
    uint64_t target = (graw & 0xffff) | ((graw >> 32) & 0xffff0000u);
    unsigned params = (unsigned)(graw >> 32) & 0x1f; /* 32-bit gates: the dword count */
    if (lma) {
        /* the 16-byte gate: offset 63:32 and a zero type in the upper half (SDM Vol. 3A 5.8.3.1
         * Figure 5-9; #GP(gate selector) otherwise) */
        uint64_t off = gsel & 0xfff8u, hi;
        uint64_t base = (gsel & 4) ? cpu->ldtr.base : cpu->gdtr.base;
        uint64_t limit = (gsel & 4) ? cpu->ldtr.limit : cpu->gdtr.limit;
        if (off + 15 > limit) return X86_TRAP_EC(X86_VEC_GP, SEL_EC(gsel));
        if ((st = x86_read_linear_sv(cpu, base + off + 8, 8, &hi))) return st;
        if ((hi >> 40) & 0x1f) return X86_TRAP_EC(X86_VEC_GP, SEL_EC(gsel));
        target |= (hi & 0xffffffffull) << 32;
        params = 0; /* no parameter copy through 64-bit gates (SDM Vol. 3A 5.8.6) */
    }
    if ((cs_sel & 0xfffc) == 0) return GP0;
    uint64_t cs_raw, cs_addr;
    if ((st = x86_read_descriptor(cpu, cs_sel, &cs_raw, &cs_addr))) return st;
    struct x86_seg cs;
    x86_parse_descriptor(cs_raw, &cs);
    unsigned dpl = X86_SEG_DPL(cs.attr);
    bool conforming = is_code(cs.attr) && (X86_SEG_TYPE(cs.attr) & X86_SEG_TYPE_C);
    /* CALL: target DPL <= CPL; JMP: conforming DPL <= CPL, non-conforming DPL = CPL */
    if (!is_code(cs.attr) || dpl > cpl || (!call && !conforming && dpl != cpl))
        return X86_TRAP_EC(X86_VEC_GP, SEL_EC(cs_sel));
    /* IA-32e mode: the target must be a 64-bit code segment (L = 1, D = 0) */
    if (lma && (!(cs.attr & X86_SEG_L) || (cs.attr & X86_SEG_DB)))
        return X86_TRAP_EC(X86_VEC_GP, SEL_EC(cs_sel));
    if (!(cs.attr & X86_SEG_P)) return X86_TRAP_EC(X86_VEC_NP, SEL_EC(cs_sel));
    unsigned new_cpl = (call && !conforming && dpl < cpl) ? dpl : cpl;
    cs.sel = (uint16_t)((cs_sel & 0xfffc) | new_cpl); /* CS.RPL <- CPL */
    cs.attr |= X86_SEG_TYPE_A;

    if (!call) {
        if (!target_ok(cpu, &cs, target)) return GP0;
        commit_cs(cpu, &cs, cs_addr, cs_raw, target);
        return X86_OK;
    }

    /* The frame, highest address first: [SS, ESP, parameters (inner call)], CS, EIP, in the
     * gate's size (4 bytes; 8 through a 64-bit gate). */
    const unsigned w = lma ? 8 : 4;
    uint64_t frame[4 + 31];
    unsigned n = 0;
    struct x86_seg ss = cpu->seg[X86_SS];
    uint64_t sp = cpu->gpr[X86_RSP], ss_raw = 1ull << 40, ss_addr = 0;
    if (new_cpl < cpl) {
        if ((st = gate_stack(cpu, new_cpl, &ss, &sp, &ss_raw, &ss_addr))) return st;
        frame[n++] = cpu->seg[X86_SS].sel;
        frame[n++] = cpu->gpr[X86_RSP] & (lma ? UINT64_MAX : 0xffffffffull);
        /* the parameters, read from the caller's stack before anything changes (#SS(0) or #PF
         * there): the one at the highest address is pushed first */
        for (unsigned i = params; i > 0; i--) {
            uint64_t v;
            if ((st = x86_stack_peek(cpu, 4 * (i - 1), 4, &v))) return st;
            frame[n++] = v;
        }
    }
    frame[n++] = cpu->seg[X86_CS].sel;
    frame[n++] = cpu->next_rip;

    /* room on the (new) stack: #SS(NewSS) on a stack switch, #SS(0) otherwise */
    const unsigned ss_ec = new_cpl < cpl ? SEL_EC(ss.sel) : 0;
    uint64_t smask, bottom;
    if (lma) {
        smask = UINT64_MAX;
        bottom = sp - w * n;
        if (!x86_canonical(sp - 1) || !x86_canonical(bottom)) return X86_TRAP_EC(X86_VEC_SS, ss_ec);
    } else {
        smask = (ss.attr & X86_SEG_DB) ? 0xffffffffull : 0xffffull;
        uint64_t top = sp & smask;
        bottom = (top - w * n) & smask;
        bool expand_down = X86_SEG_TYPE(ss.attr) & X86_SEG_TYPE_E;
        bool fits = expand_down ? bottom > ss.limit : bottom + w * n - 1 <= ss.limit;
        if (!fits || bottom > top) return X86_TRAP_EC(X86_VEC_SS, ss_ec);
    }
    if (!target_ok(cpu, &cs, target)) return GP0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t lin = (lma ? 0 : ss.base) + ((sp - w * (i + 1)) & smask);
        if (!lma) lin &= 0xffffffffull;
        /* pushes onto a CPL < 3 stack are supervisor accesses (SDM Vol. 3A 4.6) */
        st = new_cpl < 3 ? x86_write_linear_sv(cpu, lin, w, frame[i])
                         : x86_write_linear(cpu, lin, w, frame[i]);
        if (st) return st;
    }
    if (!(ss_raw & (1ull << 40)))
        x86_write_linear_sv(cpu, ss_addr + 5, 1, ((ss_raw >> 40) & 0xff) | 1);

    /* Commit. */
    if (new_cpl < cpl) cpu->seg[X86_SS] = ss;
    if (lma)
        cpu->gpr[X86_RSP] = bottom;
    else
        x86_set_reg(cpu, X86_RSP, (ss.attr & X86_SEG_DB) ? 4 : 2, true, bottom);
    cpu->cpl = new_cpl;
    commit_cs(cpu, &cs, cs_addr, cs_raw, target);
    (void)insn;
    if (new_cpl != cpl) {
        /* the explained transition (SDM Vol. 3A 5.8.5, Figure 5-13) */
        x86_explain(cpu, lma ? "RSP <- TSS.rsp[CS.DPL]" : "SS:ESP <- TSS.ss:esp[CS.DPL]", sp);
        x86_explain(cpu, "push SS:ESP, parameters, CS:EIP", bottom);
        x86_explain(cpu, "CS:EIP <- call gate", target);
        x86_explain(cpu, "CPL <- CS.DPL", new_cpl);
        x86_emit_priv(cpu, cpl, new_cpl, EV_MECH_FAR_TRANSFER, 0);
    }
    return X86_OK;
}

static x86_status far_jump(struct x86_cpu *cpu, const struct x86_insn *insn, uint16_t sel,
                           uint64_t eip)
{
    struct x86_seg cs;
    uint64_t addr, raw;
    bool gate;
    x86_status st = far_target(cpu, sel, &cs, &addr, &raw, &gate);
    if (st) return st;
    if (gate) return gate_transfer(cpu, insn, sel, raw, false);
    if (!target_ok(cpu, &cs, eip)) return GP0;
    commit_cs(cpu, &cs, addr, raw, eip);
    return X86_OK;
}

/* CALL far to a code segment at the same privilege (SDM Vol. 2A CALL, "far call to same
 * privilege level"): room for CS and EIP on the stack (#SS(0)), the EIP limit (#GP(0)), then
 * push CS (zero-extended to the operand size) and the return EIP. */
static x86_status far_call(struct x86_cpu *cpu, const struct x86_insn *insn, uint16_t sel,
                           uint64_t eip)
{
    struct x86_seg cs;
    uint64_t addr, raw;
    bool gate;
    x86_status st = far_target(cpu, sel, &cs, &addr, &raw, &gate);
    if (st) return st;
    if (gate) return gate_transfer(cpu, insn, sel, raw, true);
    unsigned size = insn->osize, ssize = x86_stack_asize(cpu);
    uint64_t smask = x86_size_mask(ssize), sp = cpu->gpr[X86_RSP];
    if ((st = x86_mem_check_write(cpu, X86_SS, (sp - 2 * size) & smask, 2 * size))) return st;
    if (!target_ok(cpu, &cs, eip)) return GP0;
    if ((st = x86_mem_write(cpu, X86_SS, (sp - size) & smask, size, cpu->seg[X86_CS].sel)) ||
        (st = x86_mem_write(cpu, X86_SS, (sp - 2 * size) & smask, size, cpu->next_rip)))
        return st;
    x86_set_reg(cpu, X86_RSP, ssize, true, sp - 2 * size);
    commit_cs(cpu, &cs, addr, raw, eip);
    return X86_OK;
}

/* JMP ptr16:16/32 (EA, aux 0) and CALL ptr16:16/32 (9A, aux 1). */
x86_status x86_op_jmp_far(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t eip = insn->imm & x86_size_mask(insn->osize);
    if (insn->info->aux) return far_call(cpu, insn, (uint16_t)insn->imm2, eip);
    return far_jump(cpu, insn, (uint16_t)insn->imm2, eip);
}

/* JMP m16:16/32 (FF /5, aux 0) and CALL m16:16/32 (FF /3, aux 1): offset first, then the
 * selector. */
x86_status x86_op_jmp_far_ind(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t ea = x86_ea(cpu, insn), off, sel;
    x86_status st = x86_mem_read(cpu, insn->seg, ea, insn->osize, &off);
    if (!st)
        st = x86_mem_read(cpu, insn->seg, (ea + insn->osize) & x86_size_mask(insn->asize), 2, &sel);
    if (st) return st;
    if (insn->info->aux) return far_call(cpu, insn, (uint16_t)sel, off);
    return far_jump(cpu, insn, (uint16_t)sel, off);
}

/* LDS/LES/LSS/LFS/LGS r, m16:16/32 (SDM Vol. 2A LDS/LES/LFS/LGS/LSS): the segment register is
 * loaded with its checks first; the offset register changes only when that succeeds. */
x86_status x86_op_lxs(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t ea = x86_ea(cpu, insn), off, sel;
    x86_status st = x86_mem_read(cpu, insn->seg, ea, insn->osize, &off);
    if (!st)
        st = x86_mem_read(cpu, insn->seg, (ea + insn->osize) & x86_size_mask(insn->asize), 2, &sel);
    if (!st) st = x86_load_seg(cpu, (enum x86_sreg)insn->info->aux, (uint16_t)sel);
    if (st) return st;
    x86_set_reg(cpu, insn->reg, insn->osize, insn->has_rex, off);
    return X86_OK;
}

/* MOV Sreg, r/m16 (8E): MOV to CS is #UD (SDM Vol. 2B MOV). */
x86_status x86_op_mov_to_sreg(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned sreg = insn->reg & 7;
    if (sreg == X86_CS) return UD;
    uint64_t sel;
    x86_status st = x86_read_opnd(cpu, insn, 1, &sel);
    if (!st) st = x86_load_seg(cpu, (enum x86_sreg)sreg, (uint16_t)sel);
    if (!st && sreg == X86_SS) x86_intr_shadow(cpu); /* SDM Vol. 2B MOV: to SS */
    return st;
}

/* POP Sreg: the stack pointer moves only when the load succeeds. */
x86_status x86_op_pop_sreg(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t sel;
    x86_status st = x86_stack_peek(cpu, 0, insn->osize, &sel);
    if (st) return st;
    uint64_t sp = cpu->gpr[X86_RSP];
    unsigned ssize = x86_stack_asize(cpu); /* before a POP SS changes it */
    st = x86_load_seg(cpu, (enum x86_sreg)insn->info->aux, (uint16_t)sel);
    if (!st) x86_set_reg(cpu, X86_RSP, ssize, true, sp + insn->osize);
    if (!st && insn->info->aux == X86_SS) x86_intr_shadow(cpu); /* SDM Vol. 2B POP: SS */
    return st;
}

/* ---- Descriptor-table registers ------------------------------------------------------------ */

/* LGDT/LIDT m16&32 (0F 01 /2, /3): with a 16-bit operand size only 24 bits of the base are
 * loaded (SDM Vol. 2A LGDT/LIDT). SGDT/SIDT store limit and 32-bit base. */
x86_status x86_op_lgdt(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t ea = x86_ea(cpu, insn), limit, base;
    unsigned bsize = cpu->code_bits == 64 ? 8 : 4;
    x86_status st = x86_mem_read(cpu, insn->seg, ea, 2, &limit);
    if (!st) st = x86_mem_read(cpu, insn->seg, (ea + 2) & x86_size_mask(insn->asize), bsize, &base);
    if (st) return st;
    if (insn->osize == 2 && cpu->code_bits != 64) base &= 0xffffff; /* 64-bit: 10 bytes always */
    struct x86_dtr *dtr = insn->info->aux ? &cpu->idtr : &cpu->gdtr;
    dtr->base = base;
    dtr->limit = (uint16_t)limit;
    return X86_OK;
}

x86_status x86_op_sgdt(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    const struct x86_dtr *dtr = insn->info->aux ? &cpu->idtr : &cpu->gdtr;
    uint64_t ea = x86_ea(cpu, insn);
    unsigned bsize = cpu->code_bits == 64 ? 8 : 4;
    x86_status st = x86_mem_check_write(cpu, insn->seg, ea, 2 + bsize);
    if (!st) st = x86_mem_write(cpu, insn->seg, ea, 2, dtr->limit);
    if (!st)
        st = x86_mem_write(cpu, insn->seg, (ea + 2) & x86_size_mask(insn->asize), bsize, dtr->base);
    return st;
}

/* System-segment types (SDM Vol. 3A Table 3-2). */
#define SYS_LDT         0x2u
#define SYS_TSS32_AVAIL 0x9u
#define SYS_TSS32_BUSY  0xbu
#define SYS_TSS16_AVAIL 0x1u

/* IA-32e mode: LDT and TSS descriptors are 16 bytes; the second half holds base 63:32 and its
 * type field must be 0 (SDM Vol. 3A 8.2.3 Figure 8-4, 3.5.2). Beyond the GDT limit or a nonzero
 * type: #GP(selector). */
static x86_status upper_base(struct x86_cpu *cpu, uint16_t sel, struct x86_seg *s)
{
    uint64_t off = sel & 0xfff8u, hi;
    if (off + 15 > cpu->gdtr.limit) return X86_TRAP_EC(X86_VEC_GP, SEL_EC(sel));
    x86_status st = x86_read_linear_sv(cpu, cpu->gdtr.base + off + 8, 8, &hi);
    if (st) return st;
    if ((hi >> 40) & 0x1f) return X86_TRAP_EC(X86_VEC_GP, SEL_EC(sel));
    s->base |= (hi & 0xffffffffull) << 32;
    return X86_OK;
}

/* LLDT r/m16 (SDM Vol. 2A LLDT): a null selector leaves LDTR unusable; otherwise the selector
 * must name an LDT descriptor in the GDT. */
x86_status x86_op_lldt(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t v;
    x86_status st = x86_read_opnd(cpu, insn, 0, &v);
    if (st) return st;
    uint16_t sel = (uint16_t)v;
    if ((sel & 0xfffc) == 0) {
        cpu->ldtr.sel = sel;
        cpu->ldtr.attr = X86_SEG_UNUSABLE;
        return X86_OK;
    }
    if (sel & 4) return X86_TRAP_EC(X86_VEC_GP, SEL_EC(sel));
    uint64_t raw, addr;
    if ((st = x86_read_descriptor(cpu, sel, &raw, &addr))) return st;
    struct x86_seg s;
    x86_parse_descriptor(raw, &s);
    if ((s.attr & X86_SEG_S) || X86_SEG_TYPE(s.attr) != SYS_LDT)
        return X86_TRAP_EC(X86_VEC_GP, SEL_EC(sel));
    if (x86_lma(cpu) && (st = upper_base(cpu, sel, &s))) return st;
    if (!(s.attr & X86_SEG_P)) return X86_TRAP_EC(X86_VEC_NP, SEL_EC(sel));
    s.sel = sel;
    cpu->ldtr = s;
    return X86_OK;
}

/* LTR r/m16 (SDM Vol. 2B LTR): the selector must name an available TSS in the GDT, which is
 * then marked busy. */
x86_status x86_op_ltr(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t v;
    x86_status st = x86_read_opnd(cpu, insn, 0, &v);
    if (st) return st;
    uint16_t sel = (uint16_t)v;
    if ((sel & 0xfffc) == 0) return GP0;
    if (sel & 4) return X86_TRAP_EC(X86_VEC_GP, SEL_EC(sel));
    uint64_t raw, addr;
    if ((st = x86_read_descriptor(cpu, sel, &raw, &addr))) return st;
    struct x86_seg s;
    x86_parse_descriptor(raw, &s);
    unsigned type = X86_SEG_TYPE(s.attr);
    if ((s.attr & X86_SEG_S) ||
        (type != SYS_TSS32_AVAIL && (type != SYS_TSS16_AVAIL || x86_lma(cpu))))
        return X86_TRAP_EC(X86_VEC_GP, SEL_EC(sel));
    if (x86_lma(cpu) && (st = upper_base(cpu, sel, &s))) return st;
    if (!(s.attr & X86_SEG_P)) return X86_TRAP_EC(X86_VEC_NP, SEL_EC(sel));
    if ((st = x86_write_linear_sv(cpu, addr + 5, 1, ((raw >> 40) & 0xff) | 2))) return st;
    s.sel = sel;
    s.attr |= 2; /* busy */
    cpu->tr = s;
    return X86_OK;
}

/* SLDT/STR r/m16: a register destination gets the selector zero-extended. */
x86_status x86_op_sldt(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint16_t sel = insn->info->aux ? cpu->tr.sel : cpu->ldtr.sel;
    if (insn->has_mem) return x86_mem_write(cpu, insn->seg, x86_ea(cpu, insn), 2, sel);
    x86_set_reg(cpu, insn->rm, insn->osize, insn->has_rex, sel);
    return X86_OK;
}

/* ---- Control registers ------------------------------------------------------------------- */

/* CR4 bits this core accepts (SDM Vol. 3A 2.5); the rest are reserved: #GP(0). VME/PVI are not
 * modelled and so refused. */
#define CR4_ALLOWED                                                                                \
    (X86_CR4_TSD | X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE | (1u << 8) |              \
     X86_CR4_OSFXSR | (1u << 10))

static void emit_cr(struct x86_cpu *cpu, unsigned n, uint64_t old, uint64_t value)
{
    struct ev e = {.kind = EV_SYSREG, .pc = cpu->insn_rip};
    e.sysreg.space = EV_SYSREG_CR;
    e.sysreg.number = n;
    e.sysreg.old_value = old;
    e.sysreg.new_value = value;
    ev_emit(&cpu->m->events, &e);
}

/* EFER.LMA follows CR0.PG while EFER.LME = 1 (SDM Vol. 3A 10.8.5); the code size follows from
 * CS.L once LMA is set (compatibility mode until a far transfer loads a 64-bit CS). */
static void set_lma(struct x86_cpu *cpu, bool on)
{
    uint64_t old = cpu->msr[X86_MSR_EFER];
    uint64_t v = on ? old | X86_EFER_LMA : old & ~(uint64_t)X86_EFER_LMA;
    cpu->msr[X86_MSR_EFER] = v;
    x86_update_mode(cpu);
    struct ev e = {.kind = EV_SYSREG, .pc = cpu->insn_rip};
    e.sysreg.space = EV_SYSREG_MSR;
    e.sysreg.number = 0xc0000080u;
    e.sysreg.old_value = old;
    e.sysreg.new_value = v;
    ev_emit(&cpu->m->events, &e);
}

/* PAE paging is in use with these CR0/CR4 values (SDM Vol. 3A 4.1.1 Table 4-1: PG = 1, PAE = 1,
 * and not IA-32e mode, i.e. EFER.LME = 0 when PG is being set, LMA = 0 after). */
static bool pae_paging(const struct x86_cpu *cpu, uint64_t cr0, uint64_t cr4)
{
    return (cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !(cpu->msr[X86_MSR_EFER] & X86_EFER_LME);
}

/* SDM Vol. 3A 4.4.1: loads the PDPTE registers from the table at cr3, or #GP(0) when a present
 * PDPTE sets a reserved bit (then neither they nor the control register change). */
static x86_status load_pdptes(struct x86_cpu *cpu, uint64_t cr3)
{
    return mmu_x86_load_pdptes(&cpu->m->bus, cr3, cpu->pdpte) ? X86_OK : GP0;
}

/* Writes CRn with the checks of SDM Vol. 2B "MOV-Move to/from Control Registers". */
x86_status x86_write_cr(struct x86_cpu *cpu, unsigned n, uint64_t v)
{
    uint64_t old;
    switch (n) {
    case 0: {
        old = cpu->cr0;
        if ((v >> 32) != 0) return GP0;
        /* PG without PE, or NW without CD: #GP(0) */
        if (((v & X86_CR0_PG) && !(v & X86_CR0_PE)) || ((v & X86_CR0_NW) && !(v & X86_CR0_CD)))
            return GP0;
        v |= X86_CR0_ET; /* hardwired to 1 */
        uint64_t efer = cpu->msr[X86_MSR_EFER];
        bool pg_on = (v & X86_CR0_PG) && !(old & X86_CR0_PG);
        bool pg_off = !(v & X86_CR0_PG) && (old & X86_CR0_PG);
        /* SDM Vol. 3A 10.8.5: IA-32e mode is entered by setting PG with LME = 1, which needs
         * PAE = 1 (#GP(0) otherwise); it is left by clearing PG, which 64-bit code cannot do
         * (APM Vol. 2 14.7: #GP(0); the SDM only allows it from compatibility mode). */
        if (pg_on && (efer & X86_EFER_LME) && !(cpu->cr4 & X86_CR4_PAE)) return GP0;
        if (pg_off && cpu->code_bits == 64) return GP0;
        /* Real mode is not modelled: stop loudly rather than run wrong. */
        if (!(v & X86_CR0_PE)) {
            machine_request_stop(cpu->m, STOP_FATAL, EXIT_NOT_BUILT,
                                 "x86: CR0 = %#llx needs real mode, not implemented yet",
                                 (unsigned long long)v);
            return X86_STOP;
        }
        /* SDM Vol. 3A 4.4.1: a change of PG, CD or NW with PAE paging in use after it loads the
         * PDPTEs (#GP(0) for a reserved bit, CR0 unchanged) */
        const uint64_t pdpte_bits = X86_CR0_PG | X86_CR0_CD | X86_CR0_NW;
        if (((v ^ old) & pdpte_bits) && pae_paging(cpu, v, cpu->cr4)) {
            x86_status st = load_pdptes(cpu, cpu->cr3);
            if (st) return st;
        }
        cpu->cr0 = v;
        if (pg_on && (efer & X86_EFER_LME)) set_lma(cpu, true);
        if (pg_off && (efer & X86_EFER_LMA)) set_lma(cpu, false);
        break;
    }
    case 2:
        old = cpu->cr2;
        cpu->cr2 = v;
        break;
    case 3:
        old = cpu->cr3;
        /* SDM Vol. 3A 4.5.2: with 4-level paging, CR3 bits 63:MAXPHYADDR are reserved */
        if ((cpu->msr[X86_MSR_EFER] & X86_EFER_LMA) && (v >> MMU_X86_MAXPHYADDR)) return GP0;
        /* SDM Vol. 3A 4.4.1: with PAE paging, MOV to CR3 loads the PDPTEs */
        if (pae_paging(cpu, cpu->cr0, cpu->cr4)) {
            x86_status st = load_pdptes(cpu, v);
            if (st) return st;
        }
        cpu->cr3 = v;
        break;
    case 8:
        /* SDM Vol. 3A 10.8.6.1: CR8 is the task-priority register, 64-bit mode only (the
         * caller's #UD); bits 63:4 are reserved. No local APIC is modelled: the priority is
         * stored and read back. */
        old = cpu->cr8;
        if (v & ~0xfull) return GP0;
        cpu->cr8 = v;
        emit_cr(cpu, n, old, v);
        return X86_OK;
    case 4:
        old = cpu->cr4;
        if (v & ~(uint64_t)CR4_ALLOWED) return GP0;
        /* SDM Vol. 2B MOV CR: clearing PAE while IA-32e mode is active: #GP(0) */
        if ((cpu->msr[X86_MSR_EFER] & X86_EFER_LMA) && !(v & X86_CR4_PAE)) return GP0;
        /* SDM Vol. 3A 4.4.1: a change of PAE, PGE or PSE with PAE paging in use after it loads
         * the PDPTEs (SMEP is not modelled) */
        if (((v ^ old) & (X86_CR4_PAE | X86_CR4_PGE | X86_CR4_PSE)) &&
            pae_paging(cpu, cpu->cr0, v)) {
            x86_status st = load_pdptes(cpu, cpu->cr3);
            if (st) return st;
        }
        cpu->cr4 = v;
        break;
    default: return UD;
    }
    if (n != 2) {
        x86_tlb_flush(cpu);
        struct ev e = {.kind = EV_TLB_FLUSH, .pc = cpu->insn_rip};
        e.tlb_flush.vaddr = UINT64_MAX;
        e.tlb_flush.asid = UINT32_MAX;
        ev_emit(&cpu->m->events, &e);
    }
    emit_cr(cpu, n, old, v);
    return X86_OK;
}

/* MOV r32, CRn (0F 20) and MOV CRn, r32 (0F 22): the operand is 32 bits outside 64-bit mode
 * whatever the operand-size prefix; CR1, CR5-CR7 (and CR8 outside 64-bit mode) are #UD. */
x86_status x86_op_mov_from_cr(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = cpu->code_bits == 64 ? 8 : 4;
    uint64_t v;
    switch (insn->reg) {
    case 0: v = cpu->cr0; break;
    case 2: v = cpu->cr2; break;
    case 3: v = cpu->cr3; break;
    case 4: v = cpu->cr4; break;
    case 8:
        if (cpu->code_bits != 64) return UD;
        v = cpu->cr8;
        break;
    default: return UD;
    }
    x86_set_reg(cpu, insn->rm, size, true, v);
    return X86_OK;
}

x86_status x86_op_mov_to_cr(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = cpu->code_bits == 64 ? 8 : 4;
    if (insn->reg == 8 && cpu->code_bits == 64)
        return x86_write_cr(cpu, 8, x86_get_reg(cpu, insn->rm, size, true));
    if (insn->reg != 0 && insn->reg != 2 && insn->reg != 3 && insn->reg != 4) return UD;
    return x86_write_cr(cpu, insn->reg, x86_get_reg(cpu, insn->rm, size, true));
}

/* MOV r, DRn (0F 21) and MOV DRn, r (0F 23; SDM Vol. 2B "MOV-Move to/from Debug Registers",
 * Vol. 3B 17.2): CPL 0 (the table's XF_PRIV); 32-bit operands outside 64-bit mode, 64-bit in it.
 * DR4/DR5 are DR6/DR7 when CR4.DE = 0 and #UD when CR4.DE = 1. With DR7.GD set the access is a
 * #DB fault with DR6.BD set and GD cleared (17.2.4). In 64-bit mode a write of nonzero bits 63:32
 * to DR6/DR7 is #GP(0). DR6 and DR7 keep their fixed bits (17.2.3, 17.2.4). Writing DR0-DR3 or
 * DR7 flushes the TLB, as pages with armed data breakpoints must not stay in it (memory.c), and
 * ends the run loop's batch so that the next instruction takes its debug path (cpu.c). R/Wn = 10
 * with CR4.DE = 0 is accepted: it is undefined, not a fault (Vol. 2B lists no exception for it),
 * and never matches here. */
static x86_status dr_index(struct x86_cpu *cpu, unsigned n, unsigned *index)
{
    if (n == 4 || n == 5) {
        if (cpu->cr4 & X86_CR4_DE) return UD;
        n += 2;
    }
    if (n > 7) return UD; /* DR8-DR15 (REX.R) do not exist */
    if (cpu->dr7 & X86_DR7_GD) {
        cpu->dr6 |= X86_DR6_BD;
        cpu->dr7 &= ~(uint64_t)X86_DR7_GD;
        return X86_TRAP(X86_VEC_DB);
    }
    *index = n;
    return X86_OK;
}

x86_status x86_op_mov_from_dr(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned n;
    x86_status st = dr_index(cpu, insn->reg, &n);
    if (st) return st;
    uint64_t v = n < 4 ? cpu->dr[n] : n == 6 ? cpu->dr6 : cpu->dr7;
    x86_set_reg(cpu, insn->rm, cpu->code_bits == 64 ? 8 : 4, true, v);
    return X86_OK;
}

x86_status x86_op_mov_to_dr(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = cpu->code_bits == 64 ? 8 : 4;
    uint64_t v = x86_get_reg(cpu, insn->rm, size, true);
    unsigned n;
    if (insn->reg == 6 || insn->reg == 7 ||
        ((insn->reg == 4 || insn->reg == 5) && !(cpu->cr4 & X86_CR4_DE))) {
        if (v >> 32) return GP0;
    }
    x86_status st = dr_index(cpu, insn->reg, &n);
    if (st) return st;
    if (n == 6) {
        cpu->dr6 = (v & 0xe00fu) | X86_DR6_RESET; /* B0-B3, BD, BS, BT; the rest fixed */
        return X86_OK;
    }
    if (n < 4)
        cpu->dr[n] = v;
    else
        cpu->dr7 = (v & 0xffff23ffu) | X86_DR7_RESET; /* bit 10 reads 1; 11, 12, 14, 15 read 0 */
    x86_tlb_flush(cpu);
    if (cpu->dr7 & X86_DR7_ENABLES) cpu->m->exit_request = 1;
    return X86_OK;
}

/* ---- LAR, LSL, VERR, VERW ------------------------------------------------------------------ */

/* The descriptor a selector names, for the instructions that probe one without loading it: a null
 * selector or one beyond its table's limit (or a TI = 1 selector without an LDT) is not an error,
 * it just finds nothing (SDM Vol. 2A LAR "Operation"). Only the read itself may fault (#PF). */
static x86_status probe(struct x86_cpu *cpu, uint16_t sel, uint64_t *raw, bool *found)
{
    *found = false;
    if ((sel & 0xfffc) == 0) return X86_OK;
    if ((sel & 4) && (cpu->ldtr.attr & X86_SEG_UNUSABLE)) return X86_OK;
    uint64_t limit = (sel & 4) ? cpu->ldtr.limit : cpu->gdtr.limit;
    if ((uint64_t)(sel & 0xfff8u) + 7 > limit) return X86_OK;
    uint64_t addr;
    x86_status st = x86_read_descriptor(cpu, sel, raw, &addr);
    if (st) return st;
    *found = true;
    return X86_OK;
}

/* The privilege rule the four share: conforming code segments are always visible; anything else
 * needs DPL >= CPL and DPL >= RPL. */
static bool visible(const struct x86_cpu *cpu, uint16_t sel, uint32_t attr)
{
    if (is_code(attr) && (X86_SEG_TYPE(attr) & X86_SEG_TYPE_C)) return true;
    unsigned dpl = X86_SEG_DPL(attr);
    return dpl >= cpu->cpl && dpl >= (sel & 3u);
}

static void set_zf(struct x86_cpu *cpu, bool zf)
{
    cpu->rflags = zf ? cpu->rflags | X86_ZF : cpu->rflags & ~(uint64_t)X86_ZF;
}

/* LAR r, r/m16 (0F 02; SDM Vol. 2A LAR) and LSL r, r/m16 (0F 03; Vol. 2A LSL), aux 0 / 1: ZF = 1
 * and the access rights (second doubleword & 00FxFF00H) or the byte-granular limit when the
 * descriptor is visible and of a type the instruction accepts; else ZF = 0 and the destination
 * is unchanged. System types: LAR 1 2 3 4 5 9 B C (IA-32e mode: 2 9 B C), LSL 1 2 3 9 B (IA-32e
 * mode: 2 9 B). Protected mode only: #UD in real mode. */
x86_status x86_op_lar(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    if (!x86_protected(cpu)) return UD;
    uint64_t v, raw = 0;
    x86_status st = x86_read_opnd(cpu, insn, 1, &v);
    if (st) return st;
    uint16_t sel = (uint16_t)v;
    bool found;
    if ((st = probe(cpu, sel, &raw, &found))) return st;
    bool lsl = insn->info->aux == 1;
    struct x86_seg d;
    x86_parse_descriptor(raw, &d);
    bool ok = found;
    if (ok && !(d.attr & X86_SEG_S)) {
        unsigned type = X86_SEG_TYPE(d.attr);
        static const uint16_t lar_legacy =
            1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 9 | 1u << 11 | 1u << 12;
        static const uint16_t lar_ia32e = 1u << 2 | 1u << 9 | 1u << 11 | 1u << 12;
        static const uint16_t lsl_legacy = 1u << 1 | 1u << 2 | 1u << 3 | 1u << 9 | 1u << 11;
        static const uint16_t lsl_ia32e = 1u << 2 | 1u << 9 | 1u << 11;
        uint16_t allowed =
            lsl ? (x86_lma(cpu) ? lsl_ia32e : lsl_legacy) : (x86_lma(cpu) ? lar_ia32e : lar_legacy);
        ok = (allowed >> type) & 1;
    }
    ok = ok && visible(cpu, sel, d.attr);
    set_zf(cpu, ok);
    if (!ok) return X86_OK;
    uint64_t result = lsl ? d.limit : (raw >> 32) & 0x00f0ff00u;
    x86_set_reg(cpu, insn->reg, insn->osize == 8 ? 4 : insn->osize, insn->has_rex, result);
    return X86_OK;
}

/* ARPL r/m16, r16 (63 /r outside 64-bit mode; SDM Vol. 2A ARPL): when the destination
 * selector's RPL is below the source's, it is raised to the source's and ZF = 1; else ZF = 0 and
 * the destination is unchanged. Protected mode only (#UD in real-address and virtual-8086 mode).
 * A memory destination must be writable (#GP(0) / #SS(0), checked before the read as for any
 * destination); it is written only when it changes. */
x86_status x86_op_arpl(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    if (!x86_protected(cpu)) return UD;
    if (insn->has_mem) {
        x86_status st = x86_mem_check_write(cpu, insn->seg, x86_ea(cpu, insn), 2);
        if (st) return st;
    }
    uint64_t dst, src;
    x86_status st = x86_read_opnd(cpu, insn, 0, &dst);
    if (st) return st;
    x86_read_opnd(cpu, insn, 1, &src);
    bool raise = (dst & 3) < (src & 3);
    if (raise && (st = x86_write_opnd(cpu, insn, 0, (dst & ~3ull) | (src & 3)))) return st;
    set_zf(cpu, raise);
    return X86_OK;
}

/* VERR / VERW r/m16 (0F 00 /4, /5; SDM Vol. 2B VERR/VERW), aux 0 / 1: ZF = 1 when the selector
 * names a visible code or data segment that is readable (VERR: data, or readable code) or
 * writable (VERW: writable data); only ZF changes. */
x86_status x86_op_verr(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    if (!x86_protected(cpu)) return UD;
    uint64_t v, raw = 0;
    x86_status st = x86_read_opnd(cpu, insn, 0, &v);
    if (st) return st;
    uint16_t sel = (uint16_t)v;
    bool found;
    if ((st = probe(cpu, sel, &raw, &found))) return st;
    struct x86_seg d;
    x86_parse_descriptor(raw, &d);
    bool ok = found && (d.attr & X86_SEG_S) && visible(cpu, sel, d.attr);
    if (insn->info->aux == 0)
        ok = ok && (!is_code(d.attr) || (X86_SEG_TYPE(d.attr) & X86_SEG_TYPE_R));
    else
        ok = ok && is_writable_data(d.attr);
    set_zf(cpu, ok);
    return X86_OK;
}

/* CLTS: CR0.TS = 0. */
x86_status x86_op_clts(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)insn;
    uint64_t old = cpu->cr0;
    cpu->cr0 &= ~(uint64_t)X86_CR0_TS;
    emit_cr(cpu, 0, old, cpu->cr0);
    return X86_OK;
}

/* SMSW: the low word of CR0 (a register destination of 32 bits gets all of CR0's low half,
 * as on P6 and later). LMSW: loads PE MP EM TS; it cannot clear PE (SDM Vol. 2A LMSW). */
x86_status x86_op_smsw(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    if (insn->has_mem)
        return x86_mem_write(cpu, insn->seg, x86_ea(cpu, insn), 2, cpu->cr0 & 0xffff);
    x86_set_reg(cpu, insn->rm, insn->osize, insn->has_rex, cpu->cr0);
    return X86_OK;
}

x86_status x86_op_lmsw(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t v;
    x86_status st = x86_read_opnd(cpu, insn, 0, &v);
    if (st) return st;
    uint64_t old = cpu->cr0;
    cpu->cr0 = (cpu->cr0 & ~0xeull) | (v & 0xf) | (cpu->cr0 & X86_CR0_PE);
    emit_cr(cpu, 0, old, cpu->cr0);
    return X86_OK;
}

/* INVLPG m (SDM Vol. 2A INVLPG): drops the TLB entries for the page holding the linear address
 * of the operand. A non-canonical address in 64-bit mode is a no-op. */
x86_status x86_op_invlpg(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t off = x86_ea(cpu, insn);
    uint64_t lin = cpu->code_bits == 64 ? off + (insn->seg >= X86_FS ? cpu->seg[insn->seg].base : 0)
                                        : (cpu->seg[insn->seg].base + off) & 0xffffffffull;
    x86_tlb_flush_page(cpu, lin);
    struct ev e = {.kind = EV_TLB_FLUSH, .pc = cpu->insn_rip};
    e.tlb_flush.vaddr = lin;
    e.tlb_flush.asid = UINT32_MAX;
    ev_emit(&cpu->m->events, &e);
    return X86_OK;
}
