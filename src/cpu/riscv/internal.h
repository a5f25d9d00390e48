/* Internal to the RISC-V core: register bit layouts, the instruction-code contract, and the
 * helpers shared by the execution files. Not part of the face (riscv.h). */
#ifndef RINGSIDE_CPU_RISCV_INTERNAL_H
#define RINGSIDE_CPU_RISCV_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "cpu/riscv/riscv.h"

/* mstatus fields (priv. spec 3.1.6, figure 3.7) */
#define RV_MSTATUS_SIE       (1ull << 1)
#define RV_MSTATUS_MIE       (1ull << 3)
#define RV_MSTATUS_SPIE      (1ull << 5)
#define RV_MSTATUS_UBE       (1ull << 6)
#define RV_MSTATUS_MPIE      (1ull << 7)
#define RV_MSTATUS_SPP       (1ull << 8)
#define RV_MSTATUS_MPP_SHIFT 11
#define RV_MSTATUS_MPP       (3ull << 11)
#define RV_MSTATUS_FS        (3ull << 13)
#define RV_MSTATUS_XS        (3ull << 15)
#define RV_MSTATUS_MPRV      (1ull << 17)
#define RV_MSTATUS_SUM       (1ull << 18)
#define RV_MSTATUS_MXR       (1ull << 19)
#define RV_MSTATUS_TVM       (1ull << 20)
#define RV_MSTATUS_TW        (1ull << 21)
#define RV_MSTATUS_TSR       (1ull << 22)
#define RV_MSTATUS_UXL       (3ull << 32)
#define RV_MSTATUS_SXL       (3ull << 34)
#define RV_MSTATUS_SD        (1ull << 63)
/* UXL = SXL = 2 (64-bit), read-only (priv. spec 3.1.6.2) */
#define RV_MSTATUS_FIXED ((2ull << 32) | (2ull << 34))

/* Writable bits. FS is writable (F/D state, priv. spec 3.1.6.6); XS is read-only zero (no other
 * extension state) and SD is computed from FS; UBE/SBE/MBE are zero (little-endian only;
 * priv. spec 3.1.6.4). */
#define RV_MSTATUS_WMASK                                                                           \
    (RV_MSTATUS_SIE | RV_MSTATUS_MIE | RV_MSTATUS_SPIE | RV_MSTATUS_MPIE | RV_MSTATUS_SPP |        \
     RV_MSTATUS_MPP | RV_MSTATUS_FS | RV_MSTATUS_MPRV | RV_MSTATUS_SUM | RV_MSTATUS_MXR |          \
     RV_MSTATUS_TVM | RV_MSTATUS_TW | RV_MSTATUS_TSR)
/* sstatus: the supervisor view (priv. spec 4.1.1, figure 4.2) */
#define RV_SSTATUS_RMASK                                                                           \
    (RV_MSTATUS_SIE | RV_MSTATUS_SPIE | RV_MSTATUS_UBE | RV_MSTATUS_SPP | RV_MSTATUS_FS |          \
     RV_MSTATUS_XS | RV_MSTATUS_SUM | RV_MSTATUS_MXR | RV_MSTATUS_UXL | RV_MSTATUS_SD)
#define RV_SSTATUS_WMASK                                                                           \
    (RV_MSTATUS_SIE | RV_MSTATUS_SPIE | RV_MSTATUS_SPP | RV_MSTATUS_FS | RV_MSTATUS_SUM |          \
     RV_MSTATUS_MXR)

/* Interrupt bits of mip/mie (priv. spec 3.1.9) */
#define RV_S_INTS ((1ull << RV_IRQ_SSI) | (1ull << RV_IRQ_STI) | (1ull << RV_IRQ_SEI))
#define RV_M_INTS ((1ull << RV_IRQ_MSI) | (1ull << RV_IRQ_MTI) | (1ull << RV_IRQ_MEI))
/* The platform lines (CLINT) that drive mip directly: MSIP and MTIP (m->irq_lines bits). */
#define RV_PLATFORM_INTS ((1ull << RV_IRQ_MSI) | (1ull << RV_IRQ_MTI))

/* medeleg: every exception that can be raised below M may be delegated; ecall from M (11) is
 * read-only zero (priv. spec 3.1.8), as are the reserved codes 10 and 14. */
#define RV_MEDELEG_WMASK                                                                           \
    (0x3ffull | (1ull << RV_EXC_INSN_PAGE) | (1ull << RV_EXC_LOAD_PAGE) |                          \
     (1ull << RV_EXC_STORE_PAGE))

/* xepc: bit 0 is always zero; bit 1 too were IALIGN = 32 (priv. spec 3.1.14). With C,
 * IALIGN = 16 (misa.C is hardwired to 1). */
#define RV_IALIGN_MASK 1ull
#define RV_EPC_WMASK   (~RV_IALIGN_MASK)
/* xcause is WLRL: kept are the interrupt bit and a 6-bit code, which holds every code defined. */
#define RV_CAUSE_WMASK (RV_CAUSE_INTERRUPT | 0x3full)
/* menvcfg/senvcfg (priv. spec 3.1.18, 4.1.10): FIOM is writable; CBIE/CBCFE/CBZE, PBMTE, ADUE,
 * STCE and CDE belong to extensions this hart does not have and are read-only zero. */
#define RV_ENVCFG_WMASK 1ull
/* satp (priv. spec 4.1.11): MODE[63:60], ASID[59:44] (16 bits implemented), PPN[43:0] */
#define RV_SATP_MODE_SHIFT 60
#define RV_SATP_MODE_BARE  0ull
#define RV_SATP_MODE_SV39  8ull
#define RV_SATP_WMASK      ~0ull
/* pmpcfg bytes: R W X A(2) L; bits 5-6 are reserved zero (priv. spec 3.7.1) */
#define RV_PMPCFG_WMASK 0x9f9f9f9f9f9f9f9full
/* pmpaddr: bits 53:0 hold physical address bits 55:2 (priv. spec 3.7.1) */
#define RV_PMPADDR_WMASK ((1ull << 54) - 1)

/* Side effects of a CSR write (csr.def, effect column). */
/* RV_CSR_FX_FP: floating-point state (fflags, frm, fcsr): illegal while mstatus.FS = Off, a
 * write makes FS Dirty (priv. spec 3.1.6.6). */
enum rv_csr_effect {
    RV_CSR_FX_NONE,
    RV_CSR_FX_IRQ,
    RV_CSR_FX_TLB,
    RV_CSR_FX_COUNTER,
    RV_CSR_FX_FP
};

/* The instruction-code contract (design.md "Conventions"). A handler gets the 32-bit word (a
 * compressed instruction arrives expanded), computes, writes rd and h->npc, and returns RV_OK, or
 * RV_TRAP(cause) with h->tval set; it never changes h->pc or delivers a trap. */
#define RV_OK          0
#define RV_TRAP(cause) ((int)(cause) + 1)
typedef int rv_exec_fn(struct rv_hart *h, uint32_t insn);

#define X(id, mnemonic, match, mask, fmt, op_class, handler) rv_exec_fn handler;
#include "cpu/riscv/insn.def"
#undef X

/* The handlers in table order (decode.c), and the decoder index builder. */
extern rv_exec_fn *const rv_exec_table[RV_INSN_COUNT];
void rv_decode_init(struct rv_hart *h);
void rv_rvc_init(struct rv_hart *h);

/* The inline forms of fast.h, chosen at decode (rv_fast_prepare); RV_FAST_NONE calls the handler.
 */
enum rv_fast {
    RV_FAST_NONE,
    RV_FAST_ADDI,
    RV_FAST_ANDI,
    RV_FAST_ORI,
    RV_FAST_XORI,
    RV_FAST_SLTIU,
    RV_FAST_ADDIW,
    RV_FAST_SLLI,
    RV_FAST_SRLI,
    RV_FAST_SRAI,
    RV_FAST_SLLIW,
    RV_FAST_SRLIW,
    RV_FAST_SRAIW,
    RV_FAST_LUI,
    RV_FAST_AUIPC,
    RV_FAST_ADD,
    RV_FAST_SUB,
    RV_FAST_AND,
    RV_FAST_OR,
    RV_FAST_XOR,
    RV_FAST_SLTU,
    RV_FAST_SLL,
    RV_FAST_SRL,
    RV_FAST_ADDW,
    RV_FAST_SUBW,
    RV_FAST_JAL,
    RV_FAST_JALR,
    RV_FAST_BEQ,
    RV_FAST_BNE,
    RV_FAST_BLT,
    RV_FAST_BGE,
    RV_FAST_BLTU,
    RV_FAST_BGEU,
    RV_FAST_LB,
    RV_FAST_LBU,
    RV_FAST_LH,
    RV_FAST_LHU,
    RV_FAST_LW,
    RV_FAST_LWU,
    RV_FAST_LD,
    RV_FAST_SB,
    RV_FAST_SH,
    RV_FAST_SW,
    RV_FAST_SD,
};
struct rv_dinsn;
/* Sets d->fast and its operands from d->id and d->word (decode.c). */
void rv_fast_prepare(struct rv_dinsn *d);

/* Illegal instruction, with the instruction bits in tval (priv. spec 3.1.16). */
static inline int rv_illegal(struct rv_hart *h)
{
    h->tval = h->insn_raw;
    return RV_TRAP(RV_EXC_ILLEGAL);
}

/* Instruction fields (unpriv. spec 2.2, 2.3). Immediates are sign-extended to 64 bits. */
static inline unsigned rv_rd(uint32_t i)
{
    return (i >> 7) & 31;
}
static inline unsigned rv_rs1(uint32_t i)
{
    return (i >> 15) & 31;
}
static inline unsigned rv_rs2(uint32_t i)
{
    return (i >> 20) & 31;
}
/* The low 'bits' bits of v, sign-extended to 64 bits (1 <= bits <= 63). */
static inline uint64_t rv_sext(uint64_t v, unsigned bits)
{
    uint64_t sign = 1ull << (bits - 1);
    return ((v & ((sign << 1) - 1)) ^ sign) - sign;
}
static inline uint64_t rv_imm_i(uint32_t i)
{
    return rv_sext(i >> 20, 12);
}
static inline uint64_t rv_imm_s(uint32_t i)
{
    return rv_sext(((i >> 25) << 5) | ((i >> 7) & 31), 12);
}
static inline uint64_t rv_imm_b(uint32_t i)
{
    uint32_t v = ((i >> 31) << 12) | (((i >> 7) & 1) << 11) | (((i >> 25) & 0x3f) << 5) |
                 (((i >> 8) & 0xf) << 1);
    return rv_sext(v, 13);
}
static inline uint64_t rv_imm_u(uint32_t i)
{
    return rv_sext(i & 0xfffff000u, 32);
}
static inline uint64_t rv_imm_j(uint32_t i)
{
    uint32_t v = ((i >> 31) << 20) | (((i >> 12) & 0xff) << 12) | (((i >> 20) & 1) << 11) |
                 (((i >> 21) & 0x3ff) << 1);
    return rv_sext(v, 21);
}

/* Data accesses by instruction code (mem.c): virtual address -> translation -> bus. Misaligned
 * accesses are performed (Zicclsm, as QEMU and Spike). Return RV_OK or a trap with h->tval. */
int rv_load(struct rv_hart *h, uint64_t vaddr, unsigned size, uint64_t *value);
int rv_store(struct rv_hart *h, uint64_t vaddr, unsigned size, uint64_t value);
/* The pieces of an access, for instructions that need them apart (AMOs): translation as a load
 * or a store (store = true: needs W, faults as store/AMO), and physical reads/writes. */
int rv_translate_data(struct rv_hart *h, uint64_t vaddr, bool store, uint64_t *paddr);
/* amo: memory missing under an AMO is a store/AMO access fault */
int rv_phys_load(struct rv_hart *h, uint64_t vaddr, uint64_t paddr, unsigned size, bool amo,
                 uint64_t *value);
int rv_phys_store(struct rv_hart *h, uint64_t vaddr, uint64_t paddr, unsigned size, uint64_t value);
/* Fetch and decode at pc through the fetch-page and decoded-instruction caches: RV_OK with *d,
 * an instruction fault, or illegal instruction (tval = the bits). Sets h->insn_raw. */
int rv_fetch_decoded(struct rv_hart *h, uint64_t pc, const struct rv_dinsn **d);
/* Decodes raw (its length from its low bits), found at paddr, into d; -1 when illegal. Sets
 * h->insn_raw. */
int rv_decode_into(struct rv_hart *h, uint64_t paddr, uint32_t raw, struct rv_dinsn *d);
/* Decoded blocks (block.c). The block at pc, whose page is the fetch page (h->fetch_fast), built
 * if the slot holds another or its code changed; its ev.n is 0 when the instruction at pc must
 * run alone. */
struct rv_block *rv_block_build(struct rv_hart *h, uint64_t pc, struct rv_block *b);
/* Translation changed (TLB flush, satp write, privilege change): drop the fetch page. */
static inline void rv_xlate_changed(struct rv_hart *h)
{
    h->xlate_gen++;
    h->fetch_fast = 1;
}
/* Instruction fetch of the parcel(s) at pc: RV_OK with *word, or an instruction fault trap. */
int rv_fetch(struct rv_hart *h, uint64_t pc, uint32_t *word, unsigned *len);

/* CSR access by instruction code (csr.c): privilege and read-only checks, WARL, side effects. */
int rv_csr_read_insn(struct rv_hart *h, unsigned number, uint64_t *value);
int rv_csr_write_insn(struct rv_hart *h, unsigned number, uint64_t value);

/* Trap delivery and return (trap.c): the only code that moves pc to a handler or back. */
void rv_trap_deliver(struct rv_hart *h, uint64_t cause, bool interrupt, uint64_t tval);
/* The highest-priority interrupt that is pending and enabled now (priv. spec 3.1.9), or -1. */
int rv_interrupt_pending(const struct rv_hart *h);
int rv_xret(struct rv_hart *h, unsigned from_priv);
/* Privilege change with its EV_PRIV event. */
void rv_set_priv(struct rv_hart *h, unsigned priv, unsigned mech);

/* A jump to target: instruction-address-misaligned when target is not IALIGN-aligned
 * (unpriv. spec 2.5: the exception is raised on the jump, with tval = target). With C
 * (IALIGN = 16) no jump can produce such a target: JALR clears bit 0 and offsets are even. */
static inline int rv_jump(struct rv_hart *h, uint64_t target)
{
    if (target & RV_IALIGN_MASK) {
        h->tval = target;
        return RV_TRAP(RV_EXC_INSN_MISALIGNED);
    }
    h->npc = target;
    return RV_OK;
}

/* F and D (fpu.c): IEEE 754 binary32/binary64 arithmetic with RISC-V's rules. Values are raw bits
 * of the format (a single in the low 32 bits); flags accrue into *fl (RV_FFLAG_*). */
struct rv_fp_fmt {
    unsigned p;     /* significand bits, with the hidden bit */
    unsigned ebits; /* exponent bits */
    int emin, emax; /* emax is also the bias */
};
extern const struct rv_fp_fmt rv_fp_s, rv_fp_d;
/* Rounding modes (unpriv. spec 11.2, table 11.1); 5 and 6 are reserved, 7 is dynamic (frm) */
enum { RV_RM_RNE = 0, RV_RM_RTZ = 1, RV_RM_RDN = 2, RV_RM_RUP = 3, RV_RM_RMM = 4, RV_RM_DYN = 7 };
/* Accrued exception flags, fflags (11.2, table 11.2) */
#define RV_FFLAG_NX 0x01u
#define RV_FFLAG_UF 0x02u
#define RV_FFLAG_OF 0x04u
#define RV_FFLAG_DZ 0x08u
#define RV_FFLAG_NV 0x10u
/* 11.3: single values in the 64-bit f registers are NaN-boxed (upper 32 bits all ones) */
#define RV_NANBOX 0xffffffff00000000ull

uint64_t rv_fp_canonical_nan(const struct rv_fp_fmt *f);
bool rv_fp_is_nan(const struct rv_fp_fmt *f, uint64_t a);
bool rv_fp_is_snan(const struct rv_fp_fmt *f, uint64_t a);
uint64_t rv_fp_add(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, unsigned rm, unsigned *fl);
uint64_t rv_fp_sub(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, unsigned rm, unsigned *fl);
uint64_t rv_fp_mul(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, unsigned rm, unsigned *fl);
uint64_t rv_fp_div(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, unsigned rm, unsigned *fl);
uint64_t rv_fp_sqrt(const struct rv_fp_fmt *f, uint64_t a, unsigned rm, unsigned *fl);
uint64_t rv_fp_fma(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, uint64_t c, unsigned rm,
                   unsigned *fl);
uint64_t rv_fp_minmax(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, bool max, unsigned *fl);
bool rv_fp_eq(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, unsigned *fl);
bool rv_fp_lt(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, unsigned *fl);
bool rv_fp_le(const struct rv_fp_fmt *f, uint64_t a, uint64_t b, unsigned *fl);
unsigned rv_fp_class(const struct rv_fp_fmt *f, uint64_t a);
uint64_t rv_fp_convert(const struct rv_fp_fmt *to, const struct rv_fp_fmt *from, uint64_t a,
                       unsigned rm, unsigned *fl);
uint64_t rv_fp_from_int(const struct rv_fp_fmt *f, uint64_t v, bool is_signed, unsigned rm,
                        unsigned *fl);
uint64_t rv_fp_to_int(const struct rv_fp_fmt *f, uint64_t a, unsigned bits, bool is_signed,
                      unsigned rm, unsigned *fl);

/* PMP (pmp.c, priv. spec 3.7): acc is 0 fetch, 1 load, 2 store (mmu.h's order) */
#define RV_PMP_ALL_OPEN ((1u << RV_PRIV_U) | (1u << RV_PRIV_S) | (1u << RV_PRIV_M))
bool rv_pmp_allows(const struct rv_hart *h, uint64_t paddr, unsigned size, unsigned acc,
                   unsigned priv);
void rv_pmp_update(struct rv_hart *h);

/* mstatus.FS = Dirty, and SD with it (priv. spec 3.1.6.6) */
static inline void rv_fs_dirty(struct rv_hart *h)
{
    h->csr.mstatus |= RV_MSTATUS_FS | RV_MSTATUS_SD;
}

#endif
