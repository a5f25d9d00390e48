/* Internal to the x86 core: the decoded instruction, the opcode table's row type, and the helpers
 * the instruction families share (operand access, memory through segments, flags). Not part of
 * the core's face (x86.h). */
#ifndef RINGSIDE_CPU_X86_INTERNAL_H
#define RINGSIDE_CPU_X86_INTERNAL_H

#include <string.h>

#include "cpu/x86/x86.h"

/* ---- The opcode table (opcodes.def) ------------------------------------------------------ */

/* Operand kinds (SDM Vol. 2D A.2.1 "Codes for Addressing Method"). */
enum x86_opnd_kind {
    OK_NONE,
    OK_E,   /* ModRM r/m: register or memory */
    OK_G,   /* ModRM reg: general register */
    OK_M,   /* ModRM r/m, memory only (mod == 3: #UD) */
    OK_R,   /* ModRM r/m, register only */
    OK_S,   /* ModRM reg: segment register */
    OK_C,   /* ModRM reg: control register */
    OK_D,   /* ModRM reg: debug register */
    OK_I,   /* immediate */
    OK_IS,  /* immediate byte, sign-extended to the operand size */
    OK_I2,  /* second immediate (ENTER's nesting level) */
    OK_J,   /* relative branch offset */
    OK_Z,   /* general register in the opcode's low three bits (+REX.B) */
    OK_ACC, /* AL / AX / EAX / RAX */
    OK_ONE, /* the constant 1 (shift by one) */
    OK_CL,  /* CL (shift count) */
    OK_DX,  /* DX (port number) */
    OK_O,   /* moffs: a memory offset in the instruction, address-size wide */
    OK_A,   /* direct far pointer ptr16:16 / ptr16:32 */
};
/* Operand sizes (SDM Vol. 2D A.2.2 "Codes for Operand Type"). */
enum x86_opnd_size {
    OS_NONE,
    OS_B, /* byte */
    OS_W, /* word */
    OS_D, /* doubleword */
    OS_Q, /* quadword */
    OS_V, /* word, doubleword or quadword by the operand size */
    OS_Z, /* word for 16-bit operand size, else doubleword (immediates) */
    OS_Y, /* doubleword, or quadword with REX.W */
    OS_P, /* far pointer: offset of the operand size + 16-bit selector */
};
#define X86_OPND(kind, size) ((uint16_t)((kind) << 4 | (size)))
#define X86_OPND_KIND(o)     ((enum x86_opnd_kind)((o) >> 4))
#define X86_OPND_SIZE(o)     ((enum x86_opnd_size)((o)&0xf))

/* Row flags: legality and operand-size rules. */
#define XF_LOCK  0x001u /* LOCK allowed (with a memory destination) */
#define XF_D64   0x002u /* 64-bit mode: default operand size 64 (66h gives 16) */
#define XF_F64   0x004u /* 64-bit mode: operand size forced to 64 (Intel ignores 66h here) */
#define XF_I64   0x008u /* invalid in 64-bit mode (#UD) */
#define XF_O64   0x010u /* valid only in 64-bit mode */
#define XF_PRIV  0x020u /* CPL 0 only: #GP(0) otherwise */
#define XF_REP   0x040u /* string instruction: F2/F3 are repeat prefixes */
#define XF_MODRM 0x080u /* has a ModRM byte (set for rows with E/G/M/R/S/C operands and groups) */
#define XF_BYTE  0x100u /* the operation is byte-sized */

/* Operation classes for the timing model (ev.insn.op_class). */
#define X86_CLASSES(X)                                                                             \
    X(NOP, "nop")                                                                                  \
    X(ALU, "alu")                                                                                  \
    X(MOV, "mov")                                                                                  \
    X(LOAD, "load")                                                                                \
    X(STORE, "store")                                                                              \
    X(MUL, "mul")                                                                                  \
    X(DIV, "div")                                                                                  \
    X(SHIFT, "shift")                                                                              \
    X(BIT, "bit")                                                                                  \
    X(BRANCH, "branch")                                                                            \
    X(CALL, "call")                                                                                \
    X(RET, "ret")                                                                                  \
    X(STACK, "stack")                                                                              \
    X(STRING, "string")                                                                            \
    X(IO, "io")                                                                                    \
    X(FLAGS, "flags")                                                                              \
    X(SYSTEM, "system")                                                                            \
    X(SERIAL, "serializing")                                                                       \
    X(INT, "int")                                                                                  \
    X(SYSCALL, "syscall")                                                                          \
    X(SYSRET, "sysret")                                                                            \
    X(SYSENTER, "sysenter")                                                                        \
    X(SYSEXIT, "sysexit")                                                                          \
    X(SWAPGS, "swapgs")

enum x86_class {
#define X(name, text) X86_CLASS_##name,
    X86_CLASSES(X)
#undef X
        X86_CLASS_COUNT
};

struct x86_insn;
typedef x86_status (*x86_handler)(struct x86_cpu *cpu, const struct x86_insn *insn);

struct x86_opinfo {
    const char *mnemonic; /* NULL: no instruction here (#UD) */
    x86_handler exec;
    uint16_t opnd[3];
    uint16_t flags;
    uint8_t op_class;
    uint8_t aux;   /* ALU operation, condition code, shift kind, ... */
    uint8_t group; /* 0: none; g + 1: ModRM.reg selects the row in x86_groups[g] */
};

/* Opcode maps: one-byte and 0F (SDM Vol. 2D A.3). Index = map << 8 | opcode. */
extern const struct x86_opinfo x86_optab[512];
#define X86_NGROUPS 16
extern const struct x86_opinfo x86_groups[X86_NGROUPS][8];
/* Group 7's rows for ModRM.mod = 11B, by reg and rm (X86_GOP_R). */
extern const struct x86_opinfo x86_group7_mod3[8][8];
/* The rows outside 64-bit mode of opcodes that are XF_O64 in x86_optab (X86_OP_L), by index
 * map << 8 | opcode; NULL when there is none (then #UD outside 64-bit mode). */
const struct x86_opinfo *x86_optab_legacy(unsigned index);

/* ---- The decoded instruction ------------------------------------------------------------ */

#define X86_MAX_INSN_LEN 15 /* SDM Vol. 2A 2.3.11: longer instructions raise #GP(0) */

enum x86_rep { REP_NONE = 0, REP_F2 = 2, REP_F3 = 3 };

struct x86_insn {
    x86_handler exec;              /* what runs it: info->exec or a specialized form */
    const struct x86_opinfo *info; /* the row (the group's row for group opcodes) */
    uint16_t flags;                /* the row's flags with its X86_GROUP line's */
    uint16_t opnd[3];              /* the operands (a group row's, completed by its line) */
    uint8_t opsz[3];               /* each operand's size in bytes (immediates: their value) */
    uint8_t len;
    uint8_t opcode; /* the last opcode byte */
    uint8_t map;    /* 0: one-byte, 1: 0F */
    uint8_t osize;  /* operand size in bytes: 1, 2, 4, 8 */
    uint8_t asize;  /* address size in bytes: 2, 4, 8 */
    uint8_t rep;    /* enum x86_rep */
    bool lock;
    bool has_rex;
    uint8_t rex;
    int8_t seg_override; /* enum x86_sreg, -1: none */
    /* ModRM, with the REX extensions applied to reg and rm; without ModRM, rm is the register
     * in the opcode's low three bits (+REX.B) */
    uint8_t mod, reg, rm;
    /* memory operand (mod != 3): seg:[base + index*scale + disp], rip-relative when base == RIP */
    bool has_mem;
    int8_t base, index; /* register numbers, -1: none, X86_BASE_RIP: rip-relative */
    uint8_t scale;      /* shift count 0..3 */
    uint8_t seg;        /* effective segment (override or default) */
    int64_t disp;
    uint64_t imm, imm2;
    /* Set by the decoder for the specialized handlers (x86_specialize): operand 0's register,
     * and operand 1's register or -1 for the immediate. */
    int8_t fast_dst, fast_src;
    /* The handler keeps lazy flags correct itself (internal.h "Lazy flags"): the step need not
     * materialize them before it. */
    bool lazy_ok;
    uint8_t op_class; /* info->op_class, here for the step */
};
#define X86_BASE_RIP 16

/* Decodes the instruction whose first len_avail bytes are in bytes (fetched from RIP). When the
 * instruction needs a byte at index >= avail, returns need_fault (the fault fetching that byte
 * raised), or #GP(0) when the 15-byte limit is the cause. */
x86_status x86_decode(const struct x86_cpu *cpu, const uint8_t *bytes, unsigned avail,
                      x86_status fault_at_avail, struct x86_insn *insn);

/* Picks a specialized handler for the common shapes of a few hot instructions (ALU, TEST and
 * MOV between registers and immediates, ALU with a memory source or destination, INC/DEC of a
 * register, MOV loads and stores; AH..BH excluded): same semantics as the row's handler, without
 * the generic operand switch. */
void x86_specialize(struct x86_insn *insn);
x86_status x86_op_alu_r(struct x86_cpu *cpu, const struct x86_insn *insn);
x86_status x86_op_alu_rm(struct x86_cpu *cpu, const struct x86_insn *insn);
x86_status x86_op_alu_mr(struct x86_cpu *cpu, const struct x86_insn *insn);
x86_status x86_op_test_r(struct x86_cpu *cpu, const struct x86_insn *insn);
x86_status x86_op_inc_r(struct x86_cpu *cpu, const struct x86_insn *insn);
x86_status x86_op_dec_r(struct x86_cpu *cpu, const struct x86_insn *insn);
x86_status x86_op_mov_r(struct x86_cpu *cpu, const struct x86_insn *insn);
x86_status x86_op_mov_load(struct x86_cpu *cpu, const struct x86_insn *insn);
x86_status x86_op_movzx_load(struct x86_cpu *cpu, const struct x86_insn *insn);
x86_status x86_op_movzx_r(struct x86_cpu *cpu, const struct x86_insn *insn);
x86_status x86_op_mov_store(struct x86_cpu *cpu, const struct x86_insn *insn);
x86_status x86_op_neg_r(struct x86_cpu *cpu, const struct x86_insn *insn);
/* x86_op_alu_r / x86_op_test_r at 32 bits, by operation: register (rr) or immediate (ri) source */
#define X86_ALU32_HANDLERS(X) X(add) X(or) X(and) X(sub) X(xor) X(cmp) X(test)
#define X(name)                                                                                    \
    x86_status x86_op_##name##_rr32(struct x86_cpu *cpu, const struct x86_insn *insn);             \
    x86_status x86_op_##name##_ri32(struct x86_cpu *cpu, const struct x86_insn *insn);
X86_ALU32_HANDLERS(X)
#undef X
x86_status x86_op_shift_r(struct x86_cpu *cpu, const struct x86_insn *insn);
x86_status x86_op_rot_r(struct x86_cpu *cpu, const struct x86_insn *insn);
/* x86_op_jcc with the condition of its row's low nibble fixed (flow.c) */
extern const x86_handler x86_jcc_by_cond[16];

/* ---- Registers --------------------------------------------------------------------------- */

static inline uint64_t x86_size_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (1ull << (size * 8)) - 1;
}

/* Reads general register n at size bytes; byte registers 4-7 are AH/CH/DH/BH without REX. */
static inline uint64_t x86_get_reg(const struct x86_cpu *cpu, unsigned n, unsigned size,
                                   bool has_rex)
{
    if (size == 1 && !has_rex && n >= 4 && n < 8) return (cpu->gpr[n - 4] >> 8) & 0xff;
    return cpu->gpr[n] & x86_size_mask(size);
}

/* Writes general register n: byte and word writes merge, doubleword writes zero-extend to 64
 * bits (SDM Vol. 1 3.4.1.1), quadword writes replace. */
static inline void x86_set_reg(struct x86_cpu *cpu, unsigned n, unsigned size, bool has_rex,
                               uint64_t value)
{
    switch (size) {
    case 1:
        if (!has_rex && n >= 4 && n < 8)
            cpu->gpr[n - 4] = (cpu->gpr[n - 4] & ~0xff00ull) | ((value & 0xff) << 8);
        else
            cpu->gpr[n] = (cpu->gpr[n] & ~0xffull) | (value & 0xff);
        break;
    case 2: cpu->gpr[n] = (cpu->gpr[n] & ~0xffffull) | (value & 0xffff); break;
    case 4: cpu->gpr[n] = value & 0xffffffffull; break;
    default: cpu->gpr[n] = value; break;
    }
}

static inline bool x86_long64(const struct x86_cpu *cpu)
{
    return cpu->code_bits == 64;
}
static inline bool x86_protected(const struct x86_cpu *cpu)
{
    return (cpu->cr0 & X86_CR0_PE) && !(cpu->rflags & X86_VM);
}
static inline unsigned x86_iopl(const struct x86_cpu *cpu)
{
    return (unsigned)(cpu->rflags >> X86_IOPL_SHIFT) & 3u;
}

/* SDM Vol. 3A 3.3.7.1: a canonical address has bits 63..47 equal (48-bit linear addresses). */
static inline bool x86_canonical(uint64_t lin)
{
    return (uint64_t)((int64_t)(lin << 16) >> 16) == lin;
}
static inline bool x86_lma(const struct x86_cpu *cpu)
{
    return (cpu->msr[X86_MSR_EFER] & X86_EFER_LMA) != 0;
}

/* Recomputes code_bits from CS and EFER.LMA (SDM Vol. 3A 5.2.1). */
void x86_update_mode(struct x86_cpu *cpu);

/* ---- Memory through segments (segment.c) ------------------------------------------------- */

enum x86_access { X86_ACC_READ, X86_ACC_WRITE, X86_ACC_EXEC };

/* Offset -> linear address with the segment's checks: usable, type (read/write), limit
 * (expand-up and expand-down) in legacy modes, canonical form in 64-bit mode. Faults are #GP(0),
 * or #SS(0) for SS (SDM Vol. 3A 5.3, 5.4; Vol. 2 "Protected Mode Exceptions"). */
x86_status x86_seg_linear(const struct x86_cpu *cpu, unsigned sreg, uint64_t offset, unsigned size,
                          enum x86_access acc, uint64_t *lin);

/* x86_seg_linear's common cases inline, for the data paths below: in 64-bit mode a segment
 * without a base (not FS or GS) and a canonical access; elsewhere a usable, expand-up data
 * segment (writable for a write) and an access within its limit. Anything else, faults
 * included, goes through x86_seg_linear (SDM Vol. 3A 3.2.4, 5.3, 5.4.1, 5.5). */
static inline x86_status x86_seg_linear_data(const struct x86_cpu *cpu, unsigned sreg,
                                             uint64_t offset, unsigned size, enum x86_access acc,
                                             uint64_t *lin)
{
    const struct x86_seg *s = &cpu->seg[sreg];
    uint64_t last = offset + size - 1;
    if (cpu->code_bits == 64) {
        if (sreg < X86_FS && x86_canonical(offset) && x86_canonical(last)) {
            *lin = offset;
            return X86_OK;
        }
    } else {
        uint32_t need = acc == X86_ACC_WRITE ? X86_SEG_TYPE_W : 0;
        uint32_t mask = X86_SEG_UNUSABLE | X86_SEG_TYPE_CODE | X86_SEG_TYPE_E | need;
        if ((s->attr & mask) == need && last <= s->limit && last >= offset) {
            *lin = (s->base + offset) & 0xffffffffull;
            return X86_OK;
        }
    }
    return x86_seg_linear(cpu, sreg, offset, size, acc, lin);
}

/* TLB entries used only by the inline fast paths below; they are defined after the TLB key. */
static inline const struct x86_tlb_entry *x86_tlb_hit(const struct x86_tlb_entry *tlb,
                                                      const struct x86_cpu *cpu, uint64_t lin,
                                                      unsigned size);

/* The EV_MEM of an access that hit the TLB (a RAM page, so the physical address follows from the
 * host pointer): built straight into the event queue when the timing model listens, else only
 * counted; the same event memory.c's slow path emits. */
static inline void x86_mem_event(struct x86_cpu *cpu, const struct x86_tlb_entry *t, uint64_t lin,
                                 unsigned size, enum ev_mem_type type)
{
    struct machine *m = cpu->m;
    if (!(m->events.wanted & EV_MASK(EV_MEM))) {
        m->events.count[EV_MEM]++;
        return;
    }
    uint64_t phys = (uint64_t)(t->host - m->bus.ram) + m->bus.ram_base + (lin & 0xfff);
    ev_emit_mem(&m->events, cpu->insn_rip, lin, phys, (uint8_t)size, (uint8_t)type);
}

/* Memory through a segment. The fast path: a TLB hit for a RAM page and the access within it
 * (data breakpoints never hit: their pages get no TLB entry); everything else goes through
 * x86_read_linear/x86_write_linear (memory.c), which fill the TLB. */
static inline x86_status x86_mem_read(struct x86_cpu *cpu, unsigned sreg, uint64_t offset,
                                      unsigned size, uint64_t *value)
{
    uint64_t lin;
    x86_status st = x86_seg_linear_data(cpu, sreg, offset, size, X86_ACC_READ, &lin);
    if (st) return st;
    const struct x86_tlb_entry *t = x86_tlb_hit(cpu->tlb_read, cpu, lin, size);
    if (t) {
        *value = bus_ram_load(t->host + (lin & 0xfff), size);
        x86_mem_event(cpu, t, lin, size, EV_MEM_READ);
        return X86_OK;
    }
    return x86_read_linear(cpu, lin, size, value);
}
static inline x86_status x86_mem_write(struct x86_cpu *cpu, unsigned sreg, uint64_t offset,
                                       unsigned size, uint64_t value)
{
    uint64_t lin;
    x86_status st = x86_seg_linear_data(cpu, sreg, offset, size, X86_ACC_WRITE, &lin);
    if (st) return st;
    const struct x86_tlb_entry *t = x86_tlb_hit(cpu->tlb_write, cpu, lin, size);
    if (t) {
        uint8_t *p = t->host + (lin & 0xfff);
        bus_ram_store(p, size, value);
        code_watch_store(&cpu->code, p);
        x86_mem_event(cpu, t, lin, size, EV_MEM_WRITE);
        return X86_OK;
    }
    return x86_write_linear(cpu, lin, size, value);
}
/* Implicit supervisor-mode accesses (descriptor tables, TSS, delivery stacks). */
x86_status x86_read_linear_sv(struct x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t *value);
x86_status x86_write_linear_sv(struct x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t value);
/* Data and I/O breakpoints (memory.c; SDM Vol. 3B 17.2.4-17.2.5, 17.3.1.2): an access of size
 * bytes at addr (linear address or I/O port) that meets an enabled DR0-DR3 condition sets its
 * bit in cpu->dbg_hits, the implicit supervisor accesses of a delivery too; 17.3.1.2 makes them
 * a trap after the instruction that made the access. The run loop's debug path reports an
 * instruction's as a #DB trap after it; a delivery's (INT n's is that instruction's execution;
 * an exception's or interrupt's is taken the same way) as a #DB trap at the next boundary,
 * before the handler's first instruction and before INTR (Vol. 3A 6.9: traps on the previous
 * instruction first). x86_deliver clears them when each attempt starts: a faulting instruction
 * or delivery did not complete (cpu.c debug_step). Data accesses are matched in memory.c; I/O
 * instructions call x86_dbg_io. */
enum x86_dbg_kind { X86_DBG_READ, X86_DBG_WRITE, X86_DBG_IO };
void x86_dbg_match(struct x86_cpu *cpu, uint64_t addr, unsigned size, enum x86_dbg_kind kind);
static inline void x86_dbg_io(struct x86_cpu *cpu, uint16_t port, unsigned size)
{
    if ((cpu->dr7 & X86_DR7_ENABLES) && (cpu->cr4 & X86_CR4_DE))
        x86_dbg_match(cpu, port, size, X86_DBG_IO);
}
/* Reports the recorded hits: DR6.B0-B3 = the hits, DR6's other bits kept (17.2.3); the #DB. */
static inline x86_status x86_dbg_trap(struct x86_cpu *cpu)
{
    cpu->dr6 = (cpu->dr6 & ~0xfull) | cpu->dbg_hits;
    cpu->dbg_hits = 0;
    return X86_TRAP(X86_VEC_DB);
}
/* Drops the TLB entries of the page holding lin (INVLPG). */
void x86_tlb_flush_page(struct x86_cpu *cpu, uint64_t lin);

/* TLB tags: linear page number and privilege (user 1, supervisor 0), + 1 so that 0 is empty. */
#define X86_TLB_KEY(vpn, user) ((((uint64_t)(vpn)) << 1 | (uint64_t)(user)) + 1)

/* The fast fetch: a host pointer to 16 bytes at linear address lin when the fetch TLB holds its
 * page for the current privilege and the 16 bytes lie in that page; NULL otherwise (then
 * x86_fetch does the full work). A fetch-TLB entry exists only for a translation that passed the
 * canonical, paging and execute checks. */
static inline const uint8_t *x86_fetch_host16(const struct x86_cpu *cpu, uint64_t lin)
{
    uint64_t vpn = lin >> 12;
    const struct x86_tlb_entry *t = &cpu->tlb_fetch[vpn % X86_TLB_SIZE];
    if (t->tag != X86_TLB_KEY(vpn, cpu->cpl == 3) || (lin & 0xfff) > 4096 - 16) return NULL;
    return t->host + (lin & 0xfff);
}

static inline const struct x86_tlb_entry *
x86_tlb_hit(const struct x86_tlb_entry *tlb, const struct x86_cpu *cpu, uint64_t lin, unsigned size)
{
    uint64_t vpn = lin >> 12;
    const struct x86_tlb_entry *t = &tlb[vpn % X86_TLB_SIZE];
    if (t->tag != X86_TLB_KEY(vpn, cpu->cpl == 3) || (lin & 0xfff) > 4096u - size) return NULL;
    return t;
}

/* Instruction fetch: up to 15 bytes at CS:RIP into buf. Returns how many bytes could be fetched
 * and, in *fault, what fetching the next one raised (limit: #GP(0), SDM Vol. 3A 5.3; or #PF). */
unsigned x86_fetch(struct x86_cpu *cpu, uint8_t *buf, x86_status *fault);
/* Checks a write without doing it (instructions with several writes check all first). */
x86_status x86_mem_check_write(struct x86_cpu *cpu, unsigned sreg, uint64_t offset, unsigned size);

/* ---- Operands (operand.c) ---------------------------------------------------------------- */

/* The effective address (offset in the segment) of the memory operand. */
static inline uint64_t x86_ea(const struct x86_cpu *cpu, const struct x86_insn *insn)
{
    uint64_t ea = (uint64_t)insn->disp;
    if (insn->base == X86_BASE_RIP)
        ea += cpu->next_rip; /* SDM Vol. 2A 2.2.1.6: relative to the next instruction */
    else if (insn->base >= 0)
        ea += cpu->gpr[insn->base];
    if (insn->index >= 0) ea += cpu->gpr[insn->index] << insn->scale;
    return ea & x86_size_mask(insn->asize);
}
/* Reads / writes operand i of the instruction, at the operand's size. The register and
 * immediate cases are inline (they are most operands); memory and the rest are in operand.c. */
x86_status x86_read_opnd_slow(struct x86_cpu *cpu, const struct x86_insn *insn, unsigned i,
                              uint64_t *value);
x86_status x86_write_opnd_slow(struct x86_cpu *cpu, const struct x86_insn *insn, unsigned i,
                               uint64_t value);
static inline x86_status x86_read_opnd(struct x86_cpu *cpu, const struct x86_insn *insn, unsigned i,
                                       uint64_t *value)
{
    unsigned size = insn->opsz[i];
    switch (X86_OPND_KIND(insn->opnd[i])) {
    case OK_E:
        if (insn->has_mem) break;
        *value = x86_get_reg(cpu, insn->rm, size, insn->has_rex);
        return X86_OK;
    case OK_G: *value = x86_get_reg(cpu, insn->reg, size, insn->has_rex); return X86_OK;
    case OK_I:
    case OK_IS:
    case OK_J: *value = insn->imm & x86_size_mask(size); return X86_OK;
    default: break;
    }
    return x86_read_opnd_slow(cpu, insn, i, value);
}
static inline x86_status x86_write_opnd(struct x86_cpu *cpu, const struct x86_insn *insn,
                                        unsigned i, uint64_t value)
{
    switch (X86_OPND_KIND(insn->opnd[i])) {
    case OK_E:
        if (insn->has_mem) break;
        x86_set_reg(cpu, insn->rm, insn->opsz[i], insn->has_rex, value);
        return X86_OK;
    case OK_G: x86_set_reg(cpu, insn->reg, insn->opsz[i], insn->has_rex, value); return X86_OK;
    default: break;
    }
    return x86_write_opnd_slow(cpu, insn, i, value);
}

/* Stack (SDM Vol. 1 6.2): the stack-address size comes from SS.B (or is 64 in 64-bit mode). */
unsigned x86_stack_asize(const struct x86_cpu *cpu);
x86_status x86_push(struct x86_cpu *cpu, unsigned size, uint64_t value);
x86_status x86_pop(struct x86_cpu *cpu, unsigned size, uint64_t *value);
/* Reads the stack at RSP + offset without popping. */
x86_status x86_stack_peek(struct x86_cpu *cpu, uint64_t offset, unsigned size, uint64_t *value);

/* Sets RIP for a near branch: truncated to the operand size; outside CS.limit: #GP(0) (SDM Vol.
 * 2A JMP "Protected Mode Exceptions"); non-canonical in 64-bit mode: #GP(0). */
static inline x86_status x86_branch(struct x86_cpu *cpu, uint64_t target, unsigned osize)
{
    target &= x86_size_mask(osize);
    if (cpu->code_bits == 64) {
        if (!x86_canonical(target)) return X86_TRAP_EC(X86_VEC_GP, 0);
    } else if (target > cpu->seg[X86_CS].limit) {
        return X86_TRAP_EC(X86_VEC_GP, 0);
    }
    cpu->next_rip = target;
    return X86_OK;
}

/* ---- Descriptors and system registers (descriptor.c) ------------------------------------ */

/* Reads the 8-byte descriptor for sel from the GDT or LDT; #GP(sel) when it lies beyond the
 * table's limit. *addr receives its linear address. */
x86_status x86_read_descriptor(struct x86_cpu *cpu, uint16_t sel, uint64_t *raw, uint64_t *addr);
/* Base, limit (scaled by G) and attributes of a code/data/system descriptor. */
void x86_parse_descriptor(uint64_t raw, struct x86_seg *seg);
/* MOV to CRn with its checks. */
x86_status x86_write_cr(struct x86_cpu *cpu, unsigned n, uint64_t value);
/* EV_PRIV for a privilege change (none when from == to); from_bits is the code size of the code
 * that left (16/32/64, 0 when the consumer has no use for it). */
void x86_emit_priv(struct x86_cpu *cpu, unsigned from, unsigned to, enum ev_mech mech,
                   unsigned from_bits);
/* Counts a retired instruction and emits EV_INSN (cpu.c). */
void x86_retire(struct x86_cpu *cpu, uint8_t len, uint8_t op_class);

/* One step of a transition for traces and the monitor (EV_EXPLAIN): which MSR, register or
 * table entry fed which architectural field ("RIP <- LSTAR"), with the value. text is static.
 * Emitted only after a transition's checks passed and its state was committed. */
static inline void x86_explain(struct x86_cpu *cpu, const char *text, uint64_t value)
{
    struct ev e = {.kind = EV_EXPLAIN, .pc = cpu->insn_rip};
    e.explain.text = text;
    e.explain.value = value;
    ev_emit(&cpu->m->events, &e);
}

/* IN/OUT/INS/OUTS permission (system.c): X86_OK, or #GP(0) when CPL > IOPL and the TSS I/O
 * permission bitmap denies one of the ports. */
x86_status x86_io_permitted(struct x86_cpu *cpu, uint16_t port, unsigned size);

/* ---- Flags (alu.c) ----------------------------------------------------------------------- */

/* Condition code cc (the low nibble of Jcc/SETcc/CMOVcc, SDM Vol. 1 B.1) on RFLAGS. */
static inline bool x86_cond(uint64_t fl, unsigned cc)
{
    bool r;
    switch (cc >> 1) {
    case 0: r = fl & X86_OF; break;                                          /* O */
    case 1: r = fl & X86_CF; break;                                          /* B */
    case 2: r = fl & X86_ZF; break;                                          /* E */
    case 3: r = fl & (X86_CF | X86_ZF); break;                               /* BE */
    case 4: r = fl & X86_SF; break;                                          /* S */
    case 5: r = fl & X86_PF; break;                                          /* P */
    case 6: r = !(fl & X86_SF) != !(fl & X86_OF); break;                     /* L */
    default: r = (fl & X86_ZF) || (!(fl & X86_SF) != !(fl & X86_OF)); break; /* LE */
    }
    return (cc & 1) ? !r : r;
}

/* Sets the arithmetic flags as CMP a, b does (eagerly: no lazy flags may be pending). */
void x86_cmp_flags(struct x86_cpu *cpu, uint64_t a, uint64_t b, unsigned size);

/* ---- Lazy flags -------------------------------------------------------------------------- */

/* The ALU handlers of x86_specialize (those with insn->lazy_ok) record their operation, operands
 * and result instead of computing CF PF AF ZF SF OF; the flags are computed when something reads
 * them. The step materializes them (x86_flags_sync) before any handler without lazy_ok runs, and
 * the run loop and x86_step before they return or deliver, so all other code sees an
 * architectural RFLAGS. Jcc evaluates the common conditions straight from the record. */
enum x86_lazy_op {
    LF_NONE,  /* rflags is architectural */
    LF_ADD,   /* ADD: all six flags */
    LF_SUB,   /* SUB, CMP: all six flags */
    LF_LOGIC, /* AND, OR, XOR, TEST: CF = OF = AF = 0 (AF undefined, cleared as eagerly) */
    LF_INC,   /* INC: as ADD a, 1, CF kept in rflags */
    LF_DEC,   /* DEC: as SUB a, 1, CF kept in rflags */
    LF_SHL,   /* SHL/SAL a by b (1..63): all six flags */
    LF_SHR,   /* SHR a by b */
    LF_SAR,   /* SAR a by b */
    LF_ROT,   /* ROL/ROR after a record of kind lf_rot: SF ZF AF PF are that record's, CF and OF
                 the rotate's, in rflags (a rotate changes only CF and OF) */
};

/* Computes the recorded flags into rflags (alu.c). */
void x86_flags_materialize(struct x86_cpu *cpu);
static inline void x86_flags_sync(struct x86_cpu *cpu)
{
    if (cpu->lf_op != LF_NONE) x86_flags_materialize(cpu);
}
static inline void x86_lazy_set(struct x86_cpu *cpu, enum x86_lazy_op op, unsigned size, uint64_t a,
                                uint64_t b, uint64_t res)
{
    cpu->lf_op = (uint8_t)op;
    cpu->lf_size = (uint8_t)size;
    cpu->lf_a = a;
    cpu->lf_b = b;
    cpu->lf_res = res;
}

/* Condition code cc (SDM Vol. 1 B.1) on the current flags, lazy or not. After SUB/CMP a, b the
 * conditions are the comparisons of a and b (B: a < b unsigned, L: a < b signed, SF != OF); after
 * a logical operation OF = CF = 0, so L is S and B is never true. */
static inline bool x86_cond_now(struct x86_cpu *cpu, unsigned cc)
{
    bool r;
    unsigned sign = cpu->lf_size * 8u - 1u;
    if (cpu->lf_op == LF_SUB) {
        uint64_t a = cpu->lf_a, b = cpu->lf_b;
        unsigned sh = 63u - sign;
        int64_t sa = (int64_t)(a << sh), sb = (int64_t)(b << sh);
        switch (cc >> 1) {
        case 1: r = a < b; break;
        case 2: r = cpu->lf_res == 0; break;
        case 3: r = a <= b; break;
        case 4: r = (cpu->lf_res >> sign) & 1; break;
        case 6: r = sa < sb; break;
        case 7: r = sa <= sb; break;
        default: goto eager; /* O, P */
        }
        return (cc & 1) ? !r : r;
    }
    if (cpu->lf_op == LF_LOGIC) {
        uint64_t res = cpu->lf_res;
        switch (cc >> 1) {
        case 0:
        case 1: r = false; break; /* O, B */
        case 2:
        case 3: r = res == 0; break; /* E, BE */
        case 4:
        case 6: r = (res >> sign) & 1; break;               /* S, L */
        case 7: r = res == 0 || ((res >> sign) & 1); break; /* LE */
        default: goto eager;                                /* P */
        }
        return (cc & 1) ? !r : r;
    }
    /* INC, DEC, shifts, and a rotate after a record (LF_ROT keeps it): ZF and SF from the result */
    if (cpu->lf_op >= LF_INC) {
        switch (cc >> 1) {
        case 2: r = cpu->lf_res == 0; break;          /* E */
        case 4: r = (cpu->lf_res >> sign) & 1; break; /* S */
        default: goto eager;
        }
        return (cc & 1) ? !r : r;
    }
eager:
    x86_flags_sync(cpu);
    return x86_cond(cpu->rflags, cc);
}

/* An instruction that may set IF, TF or RF (STI, POPF, IRET): with INTR high, or TF or RF set,
 * the run loop must look at the next boundary, so the batch ends there (cpu.c x86_run). */
static inline void x86_intr_window(struct x86_cpu *cpu)
{
    /* TF and RF (POPF, IRET) also need the run loop's single-instruction path */
    if ((cpu->m->irq_lines >> MACHINE_LINE_INTR & 1) || (cpu->rflags & (X86_TF | X86_RF)))
        cpu->m->exit_request = 1;
}
/* STI (when IF was 0), MOV SS and POP SS hold off external interrupts until the next instruction
 * has completed (SDM Vol. 3A 6.8.3; Vol. 2B STI, MOV, POP). m->insns is the count before this
 * instruction retires. */
static inline void x86_intr_shadow(struct x86_cpu *cpu)
{
    cpu->shadow_end = cpu->m->insns + 2;
}

/* ---- Handlers: declared from the table ---------------------------------------------------- */
#define X86_OP(map, opc, mnem, o0, o1, o2, flags, cls, aux, handler)                               \
    x86_status handler(struct x86_cpu *cpu, const struct x86_insn *insn);
#define X86_GROUP(map, opc, group, o1, flags)
#define X86_GOP(group, reg, mnem, o0, o1, o2, flags, cls, aux, handler)                            \
    x86_status handler(struct x86_cpu *cpu, const struct x86_insn *insn);
#define X86_GOP_R(group, reg, rm, mnem, o0, o1, o2, flags, cls, aux, handler)                      \
    x86_status handler(struct x86_cpu *cpu, const struct x86_insn *insn);
#define X86_OP_L(map, opc, mnem, o0, o1, o2, flags, cls, aux, handler)                             \
    x86_status handler(struct x86_cpu *cpu, const struct x86_insn *insn);
#include "cpu/x86/opcodes.def"
#undef X86_OP
#undef X86_GROUP
#undef X86_GOP
#undef X86_GOP_R
#undef X86_OP_L

#endif
