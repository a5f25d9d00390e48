/* The RV64 hart: the face of the RISC-V core (design.md "Layout").
 *
 * One hart with the machine (M), supervisor (S) and user (U) privilege levels of the RISC-V
 * privileged specification (20211203, "priv. spec") running RV64IMAC with Zicsr, Zifencei and
 * Zicntr of the unprivileged specification (20191213, "unpriv. spec"), and F and D (RV64GC); see
 * RV_MISA_VALUE.
 *
 *   insn.def      the instruction table: decode, disassembly, operation class (timing)
 *   rvc.def       the compressed table: each C encoding and its 32-bit expansion
 *   csr.def       the CSR table: number, name, privilege, read-only, WARL mask, effect
 *   decode.c      the decoder index over insn.def;  compressed.c  C expansion
 *   exec_int.c exec_muldiv.c exec_atomic.c exec_csr.c exec_system.c exec_float.c   one family each
 *   fpu.c         IEEE 754 arithmetic for F and D (rounding, flags, NaNs, conversions)
 *   csr.c         CSR storage, views, WARL rules, access checks
 *   trap.c        trap delivery (the only one), interrupt selection, mret/sret
 *   pmp.c         physical memory protection (priv. spec 3.7)
 *   mem.c         translation (Sv39 through src/mmu), physical accesses, fetch + decode caches
 *   hart.c        reset, the step and the run loop, cpu_ops;  disasm.c  the disassembler
 *
 * The run loop contract is machine.h's: rv_cpu_attach() installs the hart as m->cpu with cpu_ops
 * "riscv64". Tests drive the hart directly with rv_hart_create() and rv_step().
 */
#ifndef RINGSIDE_CPU_RISCV_RISCV_H
#define RINGSIDE_CPU_RISCV_RISCV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "machine/machine.h"
#include "mmu/mmu.h"

/* Privilege levels, encoded as in mstatus.MPP (priv. spec 1.2, table 1.1). */
enum rv_priv { RV_PRIV_U = 0, RV_PRIV_S = 1, RV_PRIV_M = 3 };

/* Exception codes of mcause/scause (priv. spec 3.1.15, table 3.6), interrupt bit clear. */
enum rv_exc {
    RV_EXC_INSN_MISALIGNED = 0,
    RV_EXC_INSN_ACCESS = 1,
    RV_EXC_ILLEGAL = 2,
    RV_EXC_BREAKPOINT = 3,
    RV_EXC_LOAD_MISALIGNED = 4,
    RV_EXC_LOAD_ACCESS = 5,
    RV_EXC_STORE_MISALIGNED = 6,
    RV_EXC_STORE_ACCESS = 7,
    RV_EXC_ECALL_U = 8,
    RV_EXC_ECALL_S = 9,
    RV_EXC_ECALL_M = 11,
    RV_EXC_INSN_PAGE = 12,
    RV_EXC_LOAD_PAGE = 13,
    RV_EXC_STORE_PAGE = 15,
};

/* Interrupt codes, which are also the bit numbers of mip/mie (priv. spec 3.1.9). */
enum rv_irq {
    RV_IRQ_SSI = 1,
    RV_IRQ_MSI = 3,
    RV_IRQ_STI = 5,
    RV_IRQ_MTI = 7,
    RV_IRQ_SEI = 9,
    RV_IRQ_MEI = 11,
};
#define RV_CAUSE_INTERRUPT (1ull << 63)

/* CSR numbers, from csr.def: RV_CSR_mstatus, RV_CSR_satp, ... */
enum rv_csr_number {
#define X(num, name, priv, ro, wmask, kind) RV_CSR_##name = num,
#include "cpu/riscv/csr.def"
#undef X
};

/* One row of the CSR table (csr.def): what the monitor, the traces and the tests read. */
struct rv_csr_info {
    uint16_t number;
    const char *name;
    uint8_t priv;        /* lowest privilege that may access it (enum rv_priv) */
    bool read_only;      /* any write is an illegal instruction */
    uint64_t write_mask; /* WARL: the bits a write can change (before side rules) */
};
/* The table row for CSR number, or NULL when the CSR does not exist on this hart. */
const struct rv_csr_info *rv_csr_lookup(unsigned number);
const struct rv_csr_info *rv_csr_table(size_t *count);

/* CSR state. Views (sstatus, sie, sip, cycle, ...) have no storage of their own. */
struct rv_csrs {
    uint64_t mstatus;
    uint64_t medeleg, mideleg;
    uint64_t mie;
    uint64_t mip; /* the software-writable bits (SSIP, STIP, SEIP); MSIP/MTIP come from irq_lines */
    uint64_t mtvec, stvec;
    uint64_t mepc, sepc;
    uint64_t mcause, scause;
    uint64_t mtval, stval;
    uint64_t mscratch, sscratch;
    uint64_t satp;
    uint64_t mcounteren, scounteren;
    uint64_t menvcfg, senvcfg;
    uint8_t fflags, frm;     /* fcsr (unpriv. spec 11.2): accrued exceptions and rounding mode */
    uint64_t cycle_offset;   /* mcycle = m->time + cycle_offset */
    uint64_t instret_offset; /* minstret = m->insns + instret_offset */
    uint8_t pmpcfg[64];      /* enforced by pmp.c */
    uint64_t pmpaddr[64];
};

/* The decoder's index over the instruction table, built once per hart from insn.def. */
#define RV_DECODE_BUCKETS 1024 /* opcode[6:0] x funct3 */
#define RV_RVC_BUCKETS    24   /* quadrant 0-2 x funct3 */
#define RV_ICACHE_ENTRIES 8192 /* decoded instructions, direct-mapped by physical address */

/* paddr of an empty decoded entry: odd, so no fetch address matches it */
#define RV_DINSN_EMPTY UINT64_MAX

struct rv_hart;
struct rv_dinsn {
    int (*exec)(struct rv_hart *h, uint32_t insn); /* the row's handler */
    uint64_t paddr;
    uint32_t raw;     /* the bits as fetched: 16 (len 2) or 32 (len 4) */
    uint32_t rawmask; /* of the 32 bits at paddr, the ones that are raw's */
    uint32_t word;    /* the 32-bit instruction executed (compressed ones expanded) */
    uint16_t id;      /* row of insn.def */
    uint8_t len;      /* 0: empty (then paddr is RV_DINSN_EMPTY) */
    uint8_t op_class; /* the row's operation class (for EV_INSN) */
    /* The run loop's inline form (fast.h, enum rv_fast; 0: call exec) and its operands */
    uint8_t fast, rd, rs1, rs2;
    int32_t imm;
};

/* A decoded block (block.c): the straight-line instructions from one address to the first
 * branch or jump, or to the first instruction that must run alone (CSR, SYSTEM, fence), at most
 * RV_BLOCK_INSNS, within one page. The run loop executes it without fetching, and reports it to
 * the event stream as one EV_BLOCK (events.h "Blocks"). It is used only while the bytes in memory
 * still equal the bytes it was decoded from (code), like the decoded-instruction cache. */
#define RV_BLOCK_INSNS 16   /* the timing model replays blocks of up to TM_BLOCK_INSNS */
#define RV_BLOCKS      2048 /* direct-mapped by the physical address of the first instruction */
struct rv_block {
    uint64_t paddr;     /* of the first instruction; RV_DINSN_EMPTY: empty */
    uint16_t bytes;     /* of code */
    uint8_t accesses;   /* the most EV_MEMs its instructions can emit */
    struct ev_block ev; /* pc (the virtual address it was decoded at), id, n (0: the
                           instruction at pc runs alone), offsets and keys */
    struct rv_dinsn insn[RV_BLOCK_INSNS];
    uint8_t code[RV_BLOCK_INSNS * 4];
};

struct rv_hart {
    uint64_t x[32];
    uint64_t f[32]; /* F/D registers, FLEN = 64; singles NaN-boxed (unpriv. spec 12.2) */
    uint64_t pc;
    uint8_t priv; /* enum rv_priv */
    bool waiting; /* in wfi, until an interrupt is pending and locally enabled */
    struct rv_csrs csr;
    struct machine *m;
    /* A: the LR reservation (unpriv. spec 8.2), a physical address and size */
    bool resv_valid;
    uint8_t resv_size;
    uint64_t resv_addr;

    /* Per-instruction scratch of the execution loop. */
    uint64_t npc;  /* the next pc: pc + length, or the target of a taken jump */
    uint64_t tval; /* the trap value that goes with a trap returned by instruction code */
    uint32_t
        insn_raw; /* the instruction's bits as fetched (16 or 32), for illegal-instruction tval */

    uint16_t dec_start[RV_DECODE_BUCKETS + 1];
    uint16_t dec_list[RV_DECODE_BUCKETS * 4];
    struct mmu_tlb tlb; /* Sv39 translations (mmu.h); flushed by sfence.vma and satp writes */

    /* Fetch: the virtual page last fetched from and its host mapping, valid while fetch_gen equals
     * xlate_gen (bumped by every TLB flush and privilege change). */
    uint64_t fetch_vpage, fetch_ppage, fetch_gen, xlate_gen;
    uint8_t *fetch_host;
    /* fetch_vpage while it is valid and fetch_host is set (the run loop's one-compare check),
     * else 1, which no page address equals */
    uint64_t fetch_fast;
    /* Decoded instructions by physical address; an entry is used only when the bits in memory
     * still equal the bits it was decoded from, so it is coherent with every store by
     * construction (fence.i has nothing to do). */
    struct rv_dinsn icache[RV_ICACHE_ENTRIES];
    struct rv_dinsn dscratch; /* decode of an instruction that is not cached */
    struct rv_block blocks[RV_BLOCKS];
    uint32_t block_ids; /* the last ev_block id given */
    /* The bytes of the block being run (machine.h code_watch): a store into them, or a device
     * access, ends it after that instruction (hart.c run_block). */
    struct code_watch code;

    /* PMP (pmp.c): bit p set when no access at privilege p can fail, so none is checked */
    uint8_t pmp_open;

    uint8_t rvc_start[RV_RVC_BUCKETS + 1];
    uint8_t rvc_list[128];
};

/* Instruction formats (unpriv. spec 2.2-2.3), for the disassembler and the table test. */
enum rv_fmt {
    RV_FMT_R,
    RV_FMT_I,
    RV_FMT_I_SHIFT,
    RV_FMT_LOAD,
    RV_FMT_S,
    RV_FMT_B,
    RV_FMT_U,
    RV_FMT_J,
    RV_FMT_CSR,
    RV_FMT_CSRI,
    RV_FMT_FENCE,
    RV_FMT_SFENCE,
    RV_FMT_LR,
    RV_FMT_AMO,
    RV_FMT_NONE,
    /* F and D: operands from the f registers (F), the x registers (X), rm = rounding mode */
    RV_FMT_F_LOAD,  /* fd, imm(rs1) */
    RV_FMT_F_STORE, /* fs2, imm(rs1) */
    RV_FMT_F_R4,    /* fd, fs1, fs2, fs3, rm */
    RV_FMT_F_RRM,   /* fd, fs1, fs2, rm */
    RV_FMT_F_RR,    /* fd, fs1, fs2 */
    RV_FMT_F_F_RM,  /* fd, fs1, rm */
    RV_FMT_X_F_RM,  /* rd, fs1, rm */
    RV_FMT_F_X_RM,  /* fd, rs1, rm */
    RV_FMT_X_F,     /* rd, fs1 */
    RV_FMT_F_X,     /* fd, rs1 */
    RV_FMT_X_FF,    /* rd, fs1, fs2 */
};

/* Operation classes: what the timing model prices (EV_INSN op_class). */
enum rv_op_class {
    RV_OPC_ALU,
    RV_OPC_MUL,
    RV_OPC_DIV,
    RV_OPC_LOAD,
    RV_OPC_STORE,
    RV_OPC_BRANCH,
    RV_OPC_JUMP,
    RV_OPC_CSR,
    RV_OPC_SYSTEM,
    RV_OPC_FENCE,
    RV_OPC_ATOMIC,
    RV_OPC_FP,     /* F/D computation, conversion, move, compare */
    RV_OPC_FP_DIV, /* F/D divide and square root */
    RV_OPC_COUNT
};

/* The instruction table (insn.def): RV_INSN_add, RV_INSN_fence_i, ... */
enum rv_insn_id {
#define X(id, mnemonic, match, mask, fmt, op_class, handler) RV_INSN_##id,
#include "cpu/riscv/insn.def"
#undef X
    RV_INSN_COUNT
};

struct rv_insn_info {
    const char *mnemonic;
    uint32_t match, mask; /* an instruction word w is this instruction when (w & mask) == match */
    uint8_t fmt;          /* enum rv_fmt */
    uint8_t op_class;     /* enum rv_op_class */
};
extern const struct rv_insn_info rv_insn_table[RV_INSN_COUNT];

/* The table row that a 32-bit instruction word decodes to on h, or -1 (illegal). */
int rv_decode(const struct rv_hart *h, uint32_t word);

/* The compressed table (rvc.def): RVC_c_addi, ... */
enum rv_rvc_id {
#define X(id, mnemonic, match, mask, expander) RVC_##id,
#include "cpu/riscv/rvc.def"
#undef X
    RVC_COUNT
};

struct rvc_info {
    const char *mnemonic;
    uint16_t match, mask;
};
extern const struct rvc_info rvc_table[RVC_COUNT];

/* The rvc.def row of a 16-bit parcel, or -1; and its 32-bit expansion, 0 when the parcel is
 * reserved or undefined (illegal instruction). */
int rv_rvc_decode(const struct rv_hart *h, uint32_t parcel);
uint32_t rv_rvc_expand(const struct rv_hart *h, uint32_t parcel);

/* Disassembles the instruction at pc whose bits are raw (a 16-bit parcel, or 32 bits; the low
 * two bits say which) into buf, as llvm-objdump prints it by default (aliases, ABI register
 * names, absolute branch targets without symbols, CSR names, "<unknown>" for what does not
 * decode). Returns the instruction's length in bytes. */
unsigned rv_disasm(const struct rv_hart *h, uint64_t pc, uint32_t raw, char *buf, size_t size);
const char *rv_reg_name(unsigned r);

/* cpu_ops.get_reg / set_reg (machine.h): x0-x31, ABI names, pc, priv, CSRs by name. */
bool rv_get_reg(void *hart, const char *name, uint64_t *value);
bool rv_set_reg(void *hart, const char *name, uint64_t value);

/* What rv_step() did. */
enum rv_step_result {
    RV_STEP_RETIRED,   /* one instruction retired */
    RV_STEP_EXCEPTION, /* a synchronous exception was delivered (the instruction did not retire) */
    RV_STEP_INTERRUPT, /* an interrupt was delivered before the next instruction */
    RV_STEP_WAITING,   /* in wfi with nothing to wake it */
};

/* The machine's core constructor (cpu_attach_fn): the hart at reset (priv. spec 3.4) with
 * pc = boot->entry, a0 = boot->arg0, a1 = boot->arg1; sets m->cpu and m->cpu_ops. */
int rv_cpu_attach(struct machine *m, const struct boot_state *boot, char *err, size_t errlen);
extern const struct cpu_ops rv_cpu_ops;

/* A hart on m at reset state in M-mode, pc = entry, not installed as m->cpu (tests). NULL when out
 * of memory. */
struct rv_hart *rv_hart_create(struct machine *m, uint64_t entry);
void rv_hart_destroy(struct rv_hart *h);
/* Priv. spec 3.4 reset: M-mode, mstatus.MIE = MPRV = 0, misa at its reset value, pc = entry. */
void rv_hart_reset(struct rv_hart *h, uint64_t entry);

/* The debugger's privilege change (monitor, tests): no trap, no event. */
void rv_hart_set_priv(struct rv_hart *h, unsigned priv);

/* Executes one instruction, or delivers the interrupt or exception that comes first. Counts,
 * events and wfi as in the run loop. */
enum rv_step_result rv_step(struct rv_hart *h);
/* The run loop body (cpu_ops.run). */
void rv_run(void *hart);
void rv_dump(struct rv_hart *h, FILE *out);

/* The debugger's CSR view: reads and writes as the hart would from M-mode with the WARL rules and
 * side effects, without privilege or read-only checks. Return 0, or -1 for a CSR that does not
 * exist. */
int rv_csr_get(struct rv_hart *h, unsigned number, uint64_t *value);
int rv_csr_set(struct rv_hart *h, unsigned number, uint64_t value);

/* The effective mip: software-writable bits plus the platform lines (m->irq_lines MSIP/MTIP). */
uint64_t rv_mip(const struct rv_hart *h);

/* misa (priv. spec 3.1.1): MXL = 2 (64-bit) and the extensions implemented. Read-only. */
#define RV_MISA_EXT(letter) (1ull << ((letter) - 'A'))
#define RV_MISA_VALUE                                                                              \
    ((2ull << 62) | RV_MISA_EXT('A') | RV_MISA_EXT('C') | RV_MISA_EXT('D') | RV_MISA_EXT('F') |    \
     RV_MISA_EXT('I') | RV_MISA_EXT('M') | RV_MISA_EXT('S') | RV_MISA_EXT('U'))

#endif
