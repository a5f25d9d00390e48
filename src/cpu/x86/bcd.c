/* The decimal (BCD) adjustments DAA, DAS, AAA, AAS, AAM and AAD (SDM Vol. 2A, each
 * instruction's "Operation"); 16- and 32-bit modes only, the table's XF_I64 makes them #UD in
 * 64-bit mode. Flags the SDM leaves undefined keep their values here. */
#include "cpu/x86/internal.h"

/* SF, ZF, PF from an 8-bit result. */
static void szp8(struct x86_cpu *cpu, uint8_t v)
{
    uint64_t f = cpu->rflags & ~(uint64_t)(X86_SF | X86_ZF | X86_PF);
    if (v & 0x80) f |= X86_SF;
    if (!v) f |= X86_ZF;
    if (!__builtin_parity(v)) f |= X86_PF;
    cpu->rflags = f;
}

static void set_flag(struct x86_cpu *cpu, uint64_t flag, bool on)
{
    cpu->rflags = on ? cpu->rflags | flag : cpu->rflags & ~flag;
}

/* DAA (aux 0) and DAS (aux 1): AL adjusted after a packed-BCD addition or subtraction. */
x86_status x86_op_daa(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    bool sub = insn->info->aux;
    uint8_t al = (uint8_t)cpu->gpr[X86_RAX], old_al = al;
    bool old_cf = cpu->rflags & X86_CF, cf = false;
    if ((al & 0x0f) > 9 || (cpu->rflags & X86_AF)) {
        cf = old_cf || (sub ? al < 6 : al > 0xff - 6);
        al = (uint8_t)(sub ? al - 6 : al + 6);
        set_flag(cpu, X86_AF, true);
    } else {
        set_flag(cpu, X86_AF, false);
    }
    if (old_al > 0x99 || old_cf) {
        al = (uint8_t)(sub ? al - 0x60 : al + 0x60);
        cf = true;
    } else if (!sub) {
        cf = false; /* DAA's ELSE CF <- 0; DAS keeps the first step's CF */
    }
    set_flag(cpu, X86_CF, cf);
    x86_set_reg(cpu, X86_RAX, 1, false, al);
    szp8(cpu, al);
    return X86_OK;
}

/* AAA (aux 0) and AAS (aux 1): AL adjusted after an unpacked-BCD addition or subtraction, the
 * carry into AH. */
x86_status x86_op_aaa(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint16_t ax = (uint16_t)cpu->gpr[X86_RAX];
    bool adjust = (ax & 0x0f) > 9 || (cpu->rflags & X86_AF);
    if (adjust) {
        if (insn->info->aux) /* AAS: AX <- AX - 6; AH <- AH - 1 */
            ax = (uint16_t)((ax - 6) - 0x100);
        else /* AAA: AX <- AX + 106H */
            ax = (uint16_t)(ax + 0x106);
    }
    set_flag(cpu, X86_AF, adjust);
    set_flag(cpu, X86_CF, adjust);
    x86_set_reg(cpu, X86_RAX, 2, false, ax & 0xff0f);
    return X86_OK;
}

/* AAM imm8: AH <- AL / imm8, AL <- AL mod imm8; imm8 = 0 is #DE. */
x86_status x86_op_aam(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint8_t base = (uint8_t)insn->imm, al = (uint8_t)cpu->gpr[X86_RAX];
    if (!base) return X86_TRAP(X86_VEC_DE);
    uint8_t q = al / base, r = al % base;
    x86_set_reg(cpu, X86_RAX, 2, false, (uint16_t)(q << 8 | r));
    szp8(cpu, r);
    return X86_OK;
}

/* AAD imm8: AL <- (AL + AH * imm8) AND FFH, AH <- 0. */
x86_status x86_op_aad(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint8_t base = (uint8_t)insn->imm, al = (uint8_t)cpu->gpr[X86_RAX];
    uint8_t ah = (uint8_t)(cpu->gpr[X86_RAX] >> 8);
    uint8_t v = (uint8_t)(al + ah * base);
    x86_set_reg(cpu, X86_RAX, 2, false, v);
    szp8(cpu, v);
    return X86_OK;
}
