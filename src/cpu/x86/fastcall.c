/* The fast system-call instructions: SYSENTER/SYSEXIT (0F 34 / 0F 35), SYSCALL/SYSRET (0F 05 /
 * 0F 07) and SWAPGS (0F 01 F8), for both vendor profiles and in every mode (issue 6).
 *
 * Each handler follows the "Operation" pseudo-code of its page in the Intel SDM Vol. 2B and the
 * AMD APM Vol. 3; where the two differ the rule is a flag of struct x86_vendor (x86.h, set in
 * vendor.c), read here in exactly one place:
 *
 *   instruction      legacy protected mode   compatibility mode        64-bit mode
 *   SYSCALL          AMD: STAR[31:0]         AMD: CSTAR                both: LSTAR
 *                    Intel: #UD              Intel: #UD
 *   SYSRET           AMD: to 32-bit code     AMD: at CPL 0, as in      both; a non-canonical RCX:
 *                    Intel: #UD              64-bit mode; Intel: #UD   #GP(0) on Intel only
 *   SYSENTER/SYSEXIT both                    Intel: to 64-bit mode     Intel: yes (REX.W SYSEXIT
 *                                            AMD: #UD                  to 64-bit code); AMD: #UD
 *   SWAPGS           #UD                     #UD                       CPL 0 (else #GP(0))
 *
 * Every check comes before any state changes: a faulting instruction changes nothing and emits
 * nothing. After the commit each instruction emits EV_EXPLAIN events (which MSR or register fed
 * which architectural field, in the order of the pseudo-code) and, when the CPL changed,
 * EV_PRIV with its mechanism. The new CS and SS descriptor caches are the fixed values of the
 * pseudo-code, not descriptors read from the GDT (SDM Vol. 3A 5.8.7, 5.8.8). */
#include "cpu/x86/internal.h"

#define GP0 X86_TRAP_EC(X86_VEC_GP, 0)
#define UD  X86_TRAP(X86_VEC_UD)

/* The fixed descriptor caches (attr as in x86.h): flat, 4 GiB limit (G = 1, limit FFFFFH),
 * code type 1011B (execute/read, accessed), stack type 0011B (read/write, accessed), B = 1. */
#define CODE64_ATTR (0xbu | X86_SEG_S | X86_SEG_P | X86_SEG_L | X86_SEG_G)
#define CODE32_ATTR (0xbu | X86_SEG_S | X86_SEG_P | X86_SEG_DB | X86_SEG_G)
#define STACK_ATTR  (0x3u | X86_SEG_S | X86_SEG_P | X86_SEG_DB | X86_SEG_G)
#define DPL3        (3u << 5)

/* SDM Vol. 2B SYSRET: RFLAGS <- (R11 & 3C7FD7H) | 2: RF, VM and the reserved bits cleared, bit 1
 * set (AMD APM Vol. 3 SYSRET: "RF=0, VM=0"). */
#define SYSRET_RFLAGS_MASK 0x3c7fd7ull

static void set_flat(struct x86_cpu *cpu, enum x86_sreg sreg, uint16_t sel, uint32_t attr)
{
    x86_set_seg(cpu, sreg, sel, 0, 0xffffffffu, attr);
}

/* ---- SYSCALL ------------------------------------------------------------------------------- */

/* SDM Vol. 2B SYSCALL "Operation": #UD unless CS.L = 1, EFER.LMA = 1 and EFER.SCE = 1.
 * AMD APM Vol. 3 SYSCALL "Operation": #UD if EFER.SCE = 0; then SYSCALL_LONG_MODE (RCX = next
 * RIP, R11 = RFLAGS, RIP = LSTAR in 64-bit mode or CSTAR in compatibility mode, RFLAGS &=
 * ~SFMASK) or SYSCALL_LEGACY_MODE (ECX = next EIP, EIP = STAR[31:0], VM, IF and RF cleared).
 * Both: CS.sel = STAR[47:32] & FFFCH, SS.sel = STAR[47:32] + 8, CPL 0. */
x86_status x86_op_syscall(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)insn;
    const bool mode64 = x86_long64(cpu);
    if (!(cpu->msr[X86_MSR_EFER] & X86_EFER_SCE)) return UD;
    if (!mode64 && !cpu->vendor->syscall_outside_64bit) return UD;

    const unsigned from = cpu->cpl, from_bits = cpu->code_bits;
    const uint64_t star = cpu->msr[X86_MSR_STAR];
    const uint16_t cs_sel = (uint16_t)(star >> 32) & 0xfffc;
    const uint16_t ss_sel = (uint16_t)((star >> 32) + 8);
    const uint64_t ret = cpu->next_rip;
    const uint64_t old_flags = cpu->rflags;

    if (x86_lma(cpu)) {
        const uint64_t target = mode64 ? cpu->msr[X86_MSR_LSTAR] : cpu->msr[X86_MSR_CSTAR];
        const uint64_t mask = cpu->msr[X86_MSR_SFMASK];
        cpu->gpr[X86_RCX] = ret;
        cpu->gpr[11] = old_flags;
        cpu->rflags = (old_flags & ~mask & ~(uint64_t)X86_RF) | X86_FLAGS_FIXED1;
        set_flat(cpu, X86_CS, cs_sel, CODE64_ATTR);
        set_flat(cpu, X86_SS, ss_sel, STACK_ATTR);
        cpu->cpl = 0;
        x86_update_mode(cpu);
        cpu->next_rip = target;
        x86_explain(cpu, "RCX <- RIP", ret);
        x86_explain(cpu, "R11 <- RFLAGS", old_flags);
        x86_explain(cpu, mode64 ? "RIP <- LSTAR" : "RIP <- CSTAR", target);
        x86_explain(cpu, "RFLAGS <- RFLAGS & ~SFMASK", cpu->rflags);
    } else {
        const uint64_t target = star & 0xffffffffu;
        x86_set_reg(cpu, X86_RCX, 4, false, ret);
        cpu->rflags = old_flags & ~(uint64_t)(X86_VM | X86_IF | X86_RF);
        set_flat(cpu, X86_CS, cs_sel, CODE32_ATTR);
        set_flat(cpu, X86_SS, ss_sel, STACK_ATTR);
        cpu->cpl = 0;
        x86_update_mode(cpu);
        cpu->next_rip = target;
        x86_explain(cpu, "ECX <- EIP", ret & 0xffffffffu);
        x86_explain(cpu, "EIP <- STAR[31:0]", target);
        x86_explain(cpu, "RFLAGS.VM,IF,RF <- 0", cpu->rflags);
    }
    x86_explain(cpu, "CS.sel <- STAR[47:32]", cs_sel);
    x86_explain(cpu, "SS.sel <- STAR[47:32]+8", ss_sel);
    x86_explain(cpu, "CPL <- 0", 0);
    x86_emit_priv(cpu, from, 0, EV_MECH_SYSCALL, from_bits);
    return X86_OK;
}

/* ---- SYSRET -------------------------------------------------------------------------------- */

/* SDM Vol. 2B SYSRET "Operation": #UD unless CS.L = 1, EFER.LMA = 1 and EFER.SCE = 1; #GP(0) if
 * CPL != 0; with REX.W, #GP(0) if RCX is not canonical, RIP = RCX, CS.sel = STAR[63:48] + 16;
 * without, RIP = ECX, CS.sel = STAR[63:48] (compatibility mode); RFLAGS = (R11 & 3C7FD7H) | 2;
 * CS.sel |= 3; SS.sel = (STAR[63:48] + 8) | 3 with fixed flat DPL-3 attributes; CPL 3.
 * AMD APM Vol. 3 SYSRET "Operation": #UD if EFER.SCE = 0; #GP(0) outside protected mode or at
 * CPL != 0; no canonical check (a non-canonical RIP faults on the fetch, at CPL 3); in legacy
 * mode RIP = ECX, CS.sel = STAR[63:48] | 3 (32-bit code) and only RFLAGS.IF is set; "SS.sel =
 * MSR_STAR.SYSRET_CS + 8 // SS base, limit, attributes unchanged" (RPL 3). */
x86_status x86_op_sysret(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    const struct x86_vendor *v = cpu->vendor;
    const bool mode64 = x86_long64(cpu);
    if (!(cpu->msr[X86_MSR_EFER] & X86_EFER_SCE)) return UD;
    if (!mode64 && !v->syscall_outside_64bit) return UD;
    if (!x86_protected(cpu) || cpu->cpl != 0) return GP0;

    const uint64_t star = cpu->msr[X86_MSR_STAR];
    const uint16_t base_sel = (uint16_t)(star >> 48);
    const bool to64 = x86_lma(cpu) && insn->osize == 8; /* REX.W: back to 64-bit mode */
    const uint64_t target = to64 ? cpu->gpr[X86_RCX] : cpu->gpr[X86_RCX] & 0xffffffffu;
    if (to64 && !x86_canonical(target) && v->sysret_noncanonical_faults_in_ring0) return GP0;

    const uint16_t cs_sel = (uint16_t)((to64 ? base_sel + 16 : base_sel) | 3);
    const uint16_t ss_sel = (uint16_t)((base_sel + 8) | 3);
    const uint64_t r11 = cpu->gpr[11];
    const bool lma = x86_lma(cpu);
    if (lma)
        cpu->rflags = (r11 & SYSRET_RFLAGS_MASK) | X86_FLAGS_FIXED1;
    else
        cpu->rflags |= X86_IF;
    set_flat(cpu, X86_CS, cs_sel, (to64 ? CODE64_ATTR : CODE32_ATTR) | DPL3);
    if (v->sysret_keeps_ss_attributes)
        cpu->seg[X86_SS].sel = ss_sel;
    else
        set_flat(cpu, X86_SS, ss_sel, STACK_ATTR | DPL3);
    cpu->cpl = 3;
    x86_update_mode(cpu);
    cpu->next_rip = target;

    x86_explain(cpu, to64 ? "RIP <- RCX" : "RIP <- ECX", target);
    if (lma)
        x86_explain(cpu, "RFLAGS <- R11", cpu->rflags);
    else
        x86_explain(cpu, "RFLAGS.IF <- 1", cpu->rflags);
    x86_explain(cpu, to64 ? "CS.sel <- STAR[63:48]+16 | 3" : "CS.sel <- STAR[63:48] | 3", cs_sel);
    x86_explain(cpu,
                v->sysret_keeps_ss_attributes ? "SS.sel <- STAR[63:48]+8 | 3 (SS attributes kept)"
                                              : "SS.sel <- STAR[63:48]+8 | 3",
                ss_sel);
    x86_explain(cpu, "CPL <- 3", 3);
    x86_emit_priv(cpu, 0, 3, EV_MECH_SYSRET, 0);
    return X86_OK;
}

/* ---- SYSENTER ------------------------------------------------------------------------------ */

/* SDM Vol. 2B SYSENTER "Operation": #GP(0) if CR0.PE = 0 or SYSENTER_CS[15:2] = 0; RFLAGS.VM,
 * IF, RF cleared; in IA-32e mode RSP = SYSENTER_ESP, RIP = SYSENTER_EIP and CS is 64-bit code
 * (L = 1), otherwise ESP/EIP from their low halves and CS 32-bit; CS.sel = SYSENTER_CS & FFFCH,
 * SS.sel = CS.sel + 8, flat DPL-0 caches, CPL 0. AMD APM Vol. 3 SYSENTER: #UD in long mode
 * (x86_vendor.sysenter_in_long_mode). */
x86_status x86_op_sysenter(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)insn;
    const bool lma = x86_lma(cpu);
    if (lma && !cpu->vendor->sysenter_in_long_mode) return UD;
    const uint16_t cs_msr = (uint16_t)cpu->msr[X86_MSR_SYSENTER_CS];
    if (!(cpu->cr0 & X86_CR0_PE) || (cs_msr & 0xfffc) == 0) return GP0;

    const unsigned from = cpu->cpl, from_bits = cpu->code_bits;
    const uint16_t cs_sel = cs_msr & 0xfffc;
    const uint16_t ss_sel = (uint16_t)(cs_sel + 8);
    uint64_t esp = cpu->msr[X86_MSR_SYSENTER_ESP], eip = cpu->msr[X86_MSR_SYSENTER_EIP];
    if (!lma) {
        esp &= 0xffffffffu;
        eip &= 0xffffffffu;
    }
    cpu->rflags &= ~(uint64_t)(X86_VM | X86_IF | X86_RF);
    cpu->gpr[X86_RSP] = esp;
    set_flat(cpu, X86_CS, cs_sel, lma ? CODE64_ATTR : CODE32_ATTR);
    set_flat(cpu, X86_SS, ss_sel, STACK_ATTR);
    cpu->cpl = 0;
    x86_update_mode(cpu);
    cpu->next_rip = eip;

    x86_explain(cpu, "RFLAGS.VM,IF,RF <- 0", cpu->rflags);
    x86_explain(cpu, lma ? "RSP <- SYSENTER_ESP" : "ESP <- SYSENTER_ESP", esp);
    x86_explain(cpu, lma ? "RIP <- SYSENTER_EIP" : "EIP <- SYSENTER_EIP", eip);
    x86_explain(cpu, "CS.sel <- SYSENTER_CS", cs_sel);
    x86_explain(cpu, "SS.sel <- SYSENTER_CS+8", ss_sel);
    x86_explain(cpu, "CPL <- 0", 0);
    x86_emit_priv(cpu, from, 0, EV_MECH_SYSENTER, from_bits);
    return X86_OK;
}

/* ---- SYSEXIT ------------------------------------------------------------------------------- */

/* SDM Vol. 2B SYSEXIT "Operation": #GP(0) if SYSENTER_CS[15:2] = 0, CR0.PE = 0 or CPL != 0;
 * with REX.W (64-bit mode exceptions: #GP(0) if RCX or RDX is not canonical) RSP = RCX, RIP =
 * RDX, CS.sel = SYSENTER_CS + 32 (64-bit code); otherwise ESP = ECX, EIP = EDX, CS.sel =
 * SYSENTER_CS + 16 (32-bit code); CS.sel |= 3, SS.sel = CS.sel + 8, flat DPL-3 caches, CPL 3.
 * RFLAGS is not changed. AMD APM Vol. 3 SYSEXIT: #UD in long mode. */
x86_status x86_op_sysexit(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    const bool lma = x86_lma(cpu);
    if (lma && !cpu->vendor->sysenter_in_long_mode) return UD;
    const uint16_t cs_msr = (uint16_t)cpu->msr[X86_MSR_SYSENTER_CS];
    if ((cs_msr & 0xfffc) == 0 || !(cpu->cr0 & X86_CR0_PE) || cpu->cpl != 0) return GP0;
    const bool to64 = x86_long64(cpu) && insn->osize == 8;
    uint64_t rsp = cpu->gpr[X86_RCX], rip = cpu->gpr[X86_RDX];
    if (to64) {
        if (!x86_canonical(rsp) || !x86_canonical(rip)) return GP0;
    } else {
        rsp &= 0xffffffffu;
        rip &= 0xffffffffu;
    }

    const uint16_t cs_sel = (uint16_t)((cs_msr + (to64 ? 32 : 16)) | 3);
    const uint16_t ss_sel = (uint16_t)(cs_sel + 8);
    cpu->gpr[X86_RSP] = rsp;
    set_flat(cpu, X86_CS, cs_sel, (to64 ? CODE64_ATTR : CODE32_ATTR) | DPL3);
    set_flat(cpu, X86_SS, ss_sel, STACK_ATTR | DPL3);
    cpu->cpl = 3;
    x86_update_mode(cpu);
    cpu->next_rip = rip;

    x86_explain(cpu, to64 ? "RSP <- RCX" : "ESP <- ECX", rsp);
    x86_explain(cpu, to64 ? "RIP <- RDX" : "EIP <- EDX", rip);
    x86_explain(cpu, to64 ? "CS.sel <- SYSENTER_CS+32 | 3" : "CS.sel <- SYSENTER_CS+16 | 3",
                cs_sel);
    x86_explain(cpu, to64 ? "SS.sel <- SYSENTER_CS+40 | 3" : "SS.sel <- SYSENTER_CS+24 | 3",
                ss_sel);
    x86_explain(cpu, "CPL <- 3", 3);
    x86_emit_priv(cpu, 0, 3, EV_MECH_SYSEXIT, 0);
    return X86_OK;
}

/* ---- SWAPGS -------------------------------------------------------------------------------- */

/* SDM Vol. 2B SWAPGS, AMD APM Vol. 3 SWAPGS: #UD outside 64-bit mode (the row's XF_O64), #GP(0)
 * at CPL != 0 (XF_PRIV); exchanges GS.base with IA32_KERNEL_GS_BASE. */
x86_status x86_op_swapgs(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)insn;
    const uint64_t gs = cpu->seg[X86_GS].base;
    cpu->seg[X86_GS].base = cpu->msr[X86_MSR_KERNEL_GS_BASE];
    cpu->msr[X86_MSR_KERNEL_GS_BASE] = gs;
    x86_explain(cpu, "GS.base <-> KERNEL_GS_BASE", cpu->seg[X86_GS].base);
    return X86_OK;
}
