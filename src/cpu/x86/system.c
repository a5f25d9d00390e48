/* Flag control, HLT, port I/O, CPUID, UD2 and the software interrupts (which only return their
 * trap value: delivery happens in interrupt.c). */
#include "cpu/x86/internal.h"
#include "mmu/x86_paging.h"

#define GP0 X86_TRAP_EC(X86_VEC_GP, 0)

/* CMC CLC STC CLD STD (aux 0-4). */
x86_status x86_op_flagop(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    switch (insn->info->aux) {
    case 0: cpu->rflags ^= X86_CF; break;
    case 1: cpu->rflags &= ~(uint64_t)X86_CF; break;
    case 2: cpu->rflags |= X86_CF; break;
    case 3: cpu->rflags &= ~(uint64_t)X86_DF; break;
    default: cpu->rflags |= X86_DF; break;
    }
    return X86_OK;
}

/* CLI/STI in protected mode: #GP(0) when CPL > IOPL (SDM Vol. 2A CLI, Vol. 2B STI). The
 * virtual-interrupt variants (CR4.PVI, VME) are not modelled: with CPL > IOPL this core always
 * faults. STI that sets IF holds interrupts off for one more instruction (SDM Vol. 3A 6.8.3). */
x86_status x86_op_cli(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)insn;
    if (x86_protected(cpu) && cpu->cpl > x86_iopl(cpu)) return GP0;
    cpu->rflags &= ~(uint64_t)X86_IF;
    return X86_OK;
}

x86_status x86_op_sti(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)insn;
    if (x86_protected(cpu) && cpu->cpl > x86_iopl(cpu)) return GP0;
    if (!(cpu->rflags & X86_IF)) x86_intr_shadow(cpu);
    cpu->rflags |= X86_IF;
    x86_intr_window(cpu);
    return X86_OK;
}

/* HLT (CPL 0 checked by the table's XF_PRIV): retires, then the CPU waits. */
x86_status x86_op_hlt(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)cpu;
    (void)insn;
    return X86_HALT;
}

/* SDM Vol. 1 19.5.1-19.5.2 "I/O Permission Bit Map": in protected mode with CPL > IOPL (or in
 * virtual-8086 mode, not modelled) an access to ports port..port+size-1 is allowed only when the
 * TSS (32-bit or 64-bit) has an I/O map whose bits for those ports are all 0. The map starts at
 * the 16-bit offset at TSS+102; the processor reads the two bytes holding the first port's bit,
 * and any byte beyond the TSS limit counts as all ones: #GP(0). */
x86_status x86_io_permitted(struct x86_cpu *cpu, uint16_t port, unsigned size)
{
    if (!x86_protected(cpu) || cpu->cpl <= x86_iopl(cpu)) return X86_OK;
    unsigned type = X86_SEG_TYPE(cpu->tr.attr);
    if ((cpu->tr.attr & X86_SEG_UNUSABLE) || (type != 0x9 && type != 0xb)) return GP0;
    if (cpu->tr.limit < 103) return GP0;
    uint64_t base;
    x86_status st = x86_read_linear_sv(cpu, cpu->tr.base + 102, 2, &base);
    if (st) return st;
    uint64_t off = base + port / 8;
    if (off + 1 > cpu->tr.limit) return GP0;
    uint64_t bits;
    if ((st = x86_read_linear_sv(cpu, cpu->tr.base + off, 2, &bits))) return st;
    uint64_t mask = ((1u << size) - 1) << (port % 8);
    return (bits & mask) ? GP0 : X86_OK;
}

x86_status x86_op_in(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t port;
    x86_read_opnd(cpu, insn, 1, &port);
    unsigned size = insn->opsz[0] > 4 ? 4 : insn->opsz[0];
    x86_status st = x86_io_permitted(cpu, (uint16_t)port, size);
    if (st) return st;
    uint32_t v = 0;
    bus_port_in(&cpu->m->bus, (uint16_t)port, size, &v);
    x86_set_reg(cpu, X86_RAX, size, false, v);
    x86_dbg_io(cpu, (uint16_t)port, size); /* SDM Vol. 3B 17.2.4: R/Wn = 10 */
    return X86_OK;
}

x86_status x86_op_out(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t port;
    x86_read_opnd(cpu, insn, 0, &port);
    unsigned size = insn->opsz[1] > 4 ? 4 : insn->opsz[1];
    x86_status st = x86_io_permitted(cpu, (uint16_t)port, size);
    if (st) return st;
    bus_port_out(&cpu->m->bus, (uint16_t)port, size,
                 (uint32_t)(cpu->gpr[X86_RAX] & x86_size_mask(size)));
    x86_dbg_io(cpu, (uint16_t)port, size); /* SDM Vol. 3B 17.2.4: R/Wn = 10 */
    return X86_OK;
}

/* CPUID from the vendor profile (SDM Vol. 2A CPUID; APM Vol. 3 CPUID). A leaf above the maximum:
 * Intel returns the highest basic leaf's data, AMD returns zeros; this core returns zeros for
 * both (noted for issue 6's vendor matrix). */
static uint32_t str4(const char *s)
{
    return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 | (uint32_t)(uint8_t)s[2] << 16 |
           (uint32_t)(uint8_t)s[3] << 24;
}

x86_status x86_op_cpuid(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)insn;
    const struct x86_vendor *v = cpu->vendor;
    uint32_t leaf = (uint32_t)cpu->gpr[X86_RAX];
    uint32_t a = 0, b = 0, c = 0, d = 0;
    if (leaf == 0) {
        a = v->max_leaf;
        b = str4(v->id); /* "Genu" "ineI" "ntel": EBX, EDX, ECX */
        d = str4(v->id + 4);
        c = str4(v->id + 8);
    } else if (leaf == 1 && v->max_leaf >= 1) {
        a = v->leaf1_eax;
        b = 8u << 8 | 1u << 16; /* CLFLUSH line size 8 * 8 bytes, one logical processor */
        c = v->leaf1_ecx;
        d = v->leaf1_edx;
    } else if (leaf == 0x80000000u) {
        a = v->max_ext_leaf;
    } else if (leaf == 0x80000001u && v->max_ext_leaf >= 0x80000001u) {
        c = v->ext1_ecx;
        d = v->ext1_edx;
        /* SDM Vol. 2A CPUID Table 3-8: Intel reports SYSCALL/SYSRET only in 64-bit mode */
        if (v->syscall_cpuid_64bit_only && !x86_long64(cpu)) d &= ~(1u << 11);
    } else if (leaf == 0x80000008u && v->max_ext_leaf >= 0x80000008u) {
        /* EAX[7:0] physical-address bits (the page walker's MAXPHYADDR), [15:8] linear bits */
        a = MMU_X86_MAXPHYADDR | 48u << 8;
    }
    x86_set_reg(cpu, X86_RAX, 4, false, a);
    x86_set_reg(cpu, X86_RBX, 4, false, b);
    x86_set_reg(cpu, X86_RCX, 4, false, c);
    x86_set_reg(cpu, X86_RDX, 4, false, d);
    return X86_OK;
}

x86_status x86_op_ud2(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)cpu;
    (void)insn;
    return X86_TRAP(X86_VEC_UD);
}

/* INT n, INT3, INTO: software interrupts (SDM Vol. 2A INT n/INTO/INT3). They return a trap value
 * with the software bit: the gate DPL check and the saved EIP (the next instruction) follow from
 * it in x86_deliver(). */
x86_status x86_op_int(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)cpu;
    return X86_TRAP_SOFT(insn->imm & 0xff);
}

x86_status x86_op_int3(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)cpu;
    (void)insn;
    return X86_TRAP_SOFT(X86_VEC_BP);
}

/* INT1 (F1; SDM Vol. 2A INT n/INTO/INT3/INT1): a #DB trap delivered as a hardware exception
 * would be (no gate DPL check), with the next instruction's EIP saved. */
x86_status x86_op_int1(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)cpu;
    (void)insn;
    return X86_TRAP_INT1;
}

x86_status x86_op_into(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)insn;
    return (cpu->rflags & X86_OF) ? X86_TRAP_SOFT(X86_VEC_OF) : X86_OK;
}

/* BOUND r16, m16&16 / r32, m32&32 (62 /r; SDM Vol. 2A BOUND): the signed index in the register
 * must lie within the signed bounds at m (lower) and m + operand size (upper), else #BR (a
 * fault: the saved EIP is BOUND's). A register operand is #UD (the table's M), as is 64-bit mode
 * (XF_I64). Both bounds are read before the comparison, so either read may fault. */
x86_status x86_op_bound(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    unsigned size = insn->osize;
    uint64_t ea = x86_ea(cpu, insn), lo, hi;
    x86_status st = x86_mem_read(cpu, insn->seg, ea, size, &lo);
    if (!st) st = x86_mem_read(cpu, insn->seg, (ea + size) & x86_size_mask(insn->asize), size, &hi);
    if (st) return st;
    unsigned shift = 64 - 8 * size;
    int64_t index = (int64_t)(x86_get_reg(cpu, insn->reg, size, true) << shift) >> shift;
    int64_t lower = (int64_t)(lo << shift) >> shift, upper = (int64_t)(hi << shift) >> shift;
    if (index < lower || index > upper) return X86_TRAP(X86_VEC_BR);
    return X86_OK;
}

/* RDTSC (SDM Vol. 2B RDTSC): EDX:EAX = the time-stamp counter; with CR4.TSD = 1 only CPL 0 may
 * read it (#GP(0)). The counter is guest time (machine ticks) plus the offset a WRMSR to
 * IA32_TSC set. */
x86_status x86_op_rdtsc(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    (void)insn;
    if ((cpu->cr4 & X86_CR4_TSD) && cpu->cpl != 0 && x86_protected(cpu))
        return X86_TRAP_EC(X86_VEC_GP, 0);
    uint64_t tsc;
    x86_rdmsr(cpu, 0x10, &tsc);
    x86_set_reg(cpu, X86_RAX, 4, false, tsc & 0xffffffffu);
    x86_set_reg(cpu, X86_RDX, 4, false, tsc >> 32);
    return X86_OK;
}

/* RDTSCP (0F 01 F9; SDM Vol. 2B RDTSCP, AMD APM Vol. 3 RDTSCP): EDX:EAX = the time-stamp counter
 * as RDTSC, and ECX = IA32_TSC_AUX[31:0]. #UD if CPUID.80000001H:EDX.RDTSCP[bit 27] is not
 * reported; #GP(0) under CR4.TSD at CPL > 0, as RDTSC. */
x86_status x86_op_rdtscp(struct x86_cpu *cpu, const struct x86_insn *insn)
{
    if (!(cpu->vendor->ext1_edx & X86_CPUID_EXT1_EDX_RDTSCP)) return X86_TRAP(X86_VEC_UD);
    x86_status st = x86_op_rdtsc(cpu, insn);
    if (st) return st;
    uint64_t aux;
    x86_rdmsr(cpu, 0xc0000103u, &aux);
    x86_set_reg(cpu, X86_RCX, 4, false, aux & 0xffffffffu);
    return X86_OK;
}
