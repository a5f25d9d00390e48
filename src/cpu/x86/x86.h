/* The x86 CPU core: decoder, integer instruction set, segmentation, exceptions and interrupts.
 *
 * The core is one struct x86_cpu per machine. Instruction code never changes control flow on its
 * own: each instruction returns an x86_status (X86_OK, a wait/stop request, or a trap value) and
 * only the run loop (cpu.c) and the delivery function x86_deliver() (interrupt.c) act on it
 * (design.md "Conventions").
 *
 * The fast system-call instructions (SYSENTER/SYSEXIT, SYSCALL/SYSRET, SWAPGS: fastcall.c) read
 * their MSRs (IA32_SYSENTER_*, EFER.SCE, STAR/LSTAR/CSTAR/SFMASK, KERNEL_GS_BASE) from the one MSR
 * table (msr.def), and where Intel and AMD differ, the rule is runtime data of the vendor profile
 * (struct x86_vendor).
 */
#ifndef RINGSIDE_CPU_X86_X86_H
#define RINGSIDE_CPU_X86_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "machine/machine.h"

/* ---- Status and trap values -------------------------------------------------------------- */

/* An instruction's outcome. 0 is success; small values are requests to the run loop; values with
 * bit 31 set are traps: vector in bits 16-23, an error code in bits 0-15 when bit 30 is set, and
 * bit 29 for software interrupts (INT n, INT3, INTO: SDM Vol. 3A 6.12.1.1 checks the gate DPL for
 * these and the saved EIP is the next instruction's). */
typedef uint32_t x86_status;

#define X86_OK   0u
#define X86_HALT 1u /* HLT retired: the CPU waits for an interrupt */
/* X86_STOP: not executed; it needs something not modelled yet, and the run was stopped. */
#define X86_STOP             2u
#define X86_TRAP_BIT         0x80000000u
#define X86_TRAP_EC_BIT      0x40000000u
#define X86_TRAP_SOFT_BIT    0x20000000u
#define X86_TRAP(vec)        (X86_TRAP_BIT | ((uint32_t)(vec) << 16))
#define X86_TRAP_EC(vec, ec) (X86_TRAP(vec) | X86_TRAP_EC_BIT | ((uint32_t)(ec)&0xffffu))
#define X86_TRAP_SOFT(vec)   (X86_TRAP(vec) | X86_TRAP_SOFT_BIT)
/* INT1 (ICEBP, F1): completes like a software interrupt (the saved EIP is the next
 * instruction's) but is delivered as a hardware #DB: no gate DPL check, EXT = 1 (SDM Vol. 3A
 * 6.12.1.1, 6.13). */
#define X86_TRAP_INT1_BIT 0x10000000u
#define X86_TRAP_INT1     (X86_TRAP_SOFT(1) | X86_TRAP_INT1_BIT)
/* An external (maskable) interrupt from the interrupt controller: delivered as hardware events
 * are (EXT = 1 in error codes, no gate DPL check), the EIP of the next instruction saved, and
 * accounted as an interrupt whatever its vector (SDM Vol. 3A 6.3.1). */
#define X86_TRAP_INTR_BIT    0x08000000u
#define X86_TRAP_INTR(vec)   (X86_TRAP(vec) | X86_TRAP_INTR_BIT)
#define X86_IS_TRAP(st)      (((st)&X86_TRAP_BIT) != 0)
#define X86_TRAP_VECTOR(st)  (((st) >> 16) & 0xffu)
#define X86_TRAP_HAS_EC(st)  (((st)&X86_TRAP_EC_BIT) != 0)
#define X86_TRAP_ERRCODE(st) ((st)&0xffffu)

/* Exception vectors (SDM Vol. 3A 6.3.1, Table 6-1). */
enum x86_vector {
    X86_VEC_DE = 0,
    X86_VEC_DB = 1,
    X86_VEC_NMI = 2,
    X86_VEC_BP = 3,
    X86_VEC_OF = 4,
    X86_VEC_BR = 5,
    X86_VEC_UD = 6,
    X86_VEC_NM = 7,
    X86_VEC_DF = 8,
    X86_VEC_TS = 10,
    X86_VEC_NP = 11,
    X86_VEC_SS = 12,
    X86_VEC_GP = 13,
    X86_VEC_PF = 14,
    X86_VEC_MF = 16,
    X86_VEC_AC = 17,
    X86_VEC_MC = 18,
    X86_VEC_XM = 19,
};

/* ---- Registers ---------------------------------------------------------------------------- */

enum x86_gpr { X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI };
enum x86_sreg { X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS, X86_NSEG };

/* RFLAGS bits (SDM Vol. 1 3.4.3). */
#define X86_CF           (1u << 0)
#define X86_PF           (1u << 2)
#define X86_AF           (1u << 4)
#define X86_ZF           (1u << 6)
#define X86_SF           (1u << 7)
#define X86_TF           (1u << 8)
#define X86_IF           (1u << 9)
#define X86_DF           (1u << 10)
#define X86_OF           (1u << 11)
#define X86_IOPL         (3u << 12)
#define X86_IOPL_SHIFT   12
#define X86_NT           (1u << 14)
#define X86_RF           (1u << 16)
#define X86_VM           (1u << 17)
#define X86_AC           (1u << 18)
#define X86_VIF          (1u << 19)
#define X86_VIP          (1u << 20)
#define X86_ID           (1u << 21)
#define X86_FLAGS_ARITH  (X86_CF | X86_PF | X86_AF | X86_ZF | X86_SF | X86_OF)
#define X86_FLAGS_FIXED1 (1u << 1) /* bit 1 always reads as 1 */

/* Control register bits (SDM Vol. 3A 2.5). */
#define X86_CR0_PE  (1u << 0)
#define X86_CR0_MP  (1u << 1)
#define X86_CR0_EM  (1u << 2)
#define X86_CR0_TS  (1u << 3)
#define X86_CR0_ET  (1u << 4)
#define X86_CR0_NE  (1u << 5)
#define X86_CR0_WP  (1u << 16)
#define X86_CR0_AM  (1u << 18)
#define X86_CR0_NW  (1u << 29)
#define X86_CR0_CD  (1u << 30)
#define X86_CR0_PG  (1u << 31)
#define X86_CR4_VME (1u << 0)
#define X86_CR4_PVI (1u << 1)
#define X86_CR4_TSD (1u << 2)
/* CPUID.80000001H:EDX bit 27: RDTSCP and IA32_TSC_AUX (SDM Vol. 2A Table 3-8) */
#define X86_CPUID_EXT1_EDX_RDTSCP (1u << 27)
#define X86_CR4_DE                (1u << 3)
/* DR6/DR7 (SDM Vol. 3B 17.2): reset values, BD, GD. */
#define X86_DR6_RESET      0xffff0ff0u
#define X86_DR7_RESET      0x00000400u
#define X86_DR6_BD         (1u << 13)
#define X86_DR7_GD         (1u << 13)
#define X86_DR6_BS         (1u << 14) /* single step (SDM Vol. 3B 17.2.3) */
#define X86_DR7_ENABLES    0xffu      /* L0 G0 ... L3 G3 (SDM Vol. 3B 17.2.4) */
#define X86_CR4_PSE        (1u << 4)
#define X86_CR4_PAE        (1u << 5)
#define X86_CR4_PGE        (1u << 7)
#define X86_CR4_OSFXSR     (1u << 9)
#define X86_CR4_OSXMMEXCPT (1u << 10)
#define X86_EFER_SCE       (1u << 0)
#define X86_EFER_LME       (1u << 8)
#define X86_EFER_LMA       (1u << 10)
#define X86_EFER_NXE       (1u << 11)

/* DR7 R/Wn (bits 16 + 4n) and LENn (bits 18 + 4n) of breakpoint n (SDM Vol. 3B 17.2.4-17.2.5) */
#define X86_DR7_RW(dr7, n)  ((unsigned)((dr7) >> (16 + 4 * (n))) & 3u)
#define X86_DR7_LEN(dr7, n) ((unsigned)((dr7) >> (18 + 4 * (n))) & 3u)
#define X86_DR7_RW_EXEC     0u /* instruction execution */
#define X86_DR7_RW_WRITE    1u /* data writes */
#define X86_DR7_RW_IO       2u /* I/O reads or writes (CR4.DE = 1; undefined otherwise) */
#define X86_DR7_RW_RDWR     3u /* data reads or writes, not fetches */

/* A segment register: the visible selector and the hidden descriptor cache (SDM Vol. 3A 3.4.3).
 * attr packs the descriptor's access rights as VMX does (SDM Vol. 3C 24.4.1): bits 0-3 type, 4 S,
 * 5-6 DPL, 7 P, 12 AVL, 13 L, 14 D/B, 15 G, 16 unusable (null selector loaded). limit is the byte
 * limit after granularity scaling. */
struct x86_seg {
    uint16_t sel;
    uint32_t attr;
    uint64_t base;
    uint32_t limit;
};
#define X86_SEG_TYPE(attr) ((attr)&0xfu)
#define X86_SEG_S          (1u << 4)
#define X86_SEG_DPL(attr)  (((attr) >> 5) & 3u)
#define X86_SEG_P          (1u << 7)
#define X86_SEG_AVL        (1u << 12)
#define X86_SEG_L          (1u << 13)
#define X86_SEG_DB         (1u << 14)
#define X86_SEG_G          (1u << 15)
#define X86_SEG_UNUSABLE   (1u << 16)
/* Type bits of code/data descriptors (SDM Vol. 3A 3.4.5.1, Table 3-1). */
#define X86_SEG_TYPE_A    1u /* accessed */
#define X86_SEG_TYPE_W    2u /* data: writable */
#define X86_SEG_TYPE_R    2u /* code: readable */
#define X86_SEG_TYPE_E    4u /* data: expand-down */
#define X86_SEG_TYPE_C    4u /* code: conforming */
#define X86_SEG_TYPE_CODE 8u

/* GDTR/IDTR (SDM Vol. 3A 2.4.1) and LDTR/TR (2.4.2, 2.4.4: selector + descriptor cache). */
struct x86_dtr {
    uint64_t base;
    uint16_t limit;
};

/* ---- MSRs: one table (msr.def) ----------------------------------------------------------- */

enum x86_msr_index {
#define X86_MSR(name, number, reset, writable) X86_MSR_##name,
#include "cpu/x86/msr.def"
#undef X86_MSR
    X86_MSR_COUNT
};

/* One row of msr.def: for RDMSR/WRMSR, the monitor and the tests. */
struct x86_msr_info {
    const char *name;
    uint32_t number;
    uint64_t reset;
    uint64_t writable; /* bits a WRMSR may set; others: #GP(0) */
};
extern const struct x86_msr_info x86_msr_table[X86_MSR_COUNT];
/* The table index of MSR number, or -1. */
int x86_msr_find(uint32_t number);

/* ---- CPU profiles ------------------------------------------------------------------------- */

/* A vendor profile: what CPUID reports and which vendor rule applies (issue 6). Data, not
 * #ifdefs: the same binary runs either profile. */
struct x86_vendor {
    const char *name;   /* "intel", "amd" */
    char id[13];        /* CPUID.0: "GenuineIntel" / "AuthenticAMD" */
    uint32_t max_leaf;  /* CPUID.0:EAX */
    uint32_t leaf1_eax; /* family/model/stepping */
    uint32_t leaf1_ecx; /* feature flags */
    uint32_t leaf1_edx;
    uint32_t max_ext_leaf; /* CPUID.80000000h:EAX */
    uint32_t ext1_ecx;     /* CPUID.80000001h */
    uint32_t ext1_edx;

    /* The fast system-call rules where the vendors differ (issue 6; fastcall.c). One flag per
     * rule, each with the manual sections it comes from. */
    /* SYSCALL/SYSRET outside 64-bit mode: AMD APM Vol. 3 SYSCALL/SYSRET "Operation" has
     * SYSCALL_LEGACY_MODE (target STAR[31:0]) and compatibility-mode SYSCALL through CSTAR;
     * Intel SDM Vol. 2B SYSCALL/SYSRET: #UD unless CS.L = 1 and EFER.LMA = 1. */
    bool syscall_outside_64bit;
    /* SYSENTER/SYSEXIT in IA-32e mode (64-bit and compatibility mode): Intel SDM Vol. 2B
     * SYSENTER/SYSEXIT "IA-32e Mode Operation"; AMD APM Vol. 3 SYSENTER/SYSEXIT: #UD in long
     * mode. */
    bool sysenter_in_long_mode;
    /* SYSRET with a non-canonical RCX raises #GP(0) at CPL 0 (Intel SDM Vol. 2B SYSRET
     * "Operation"); AMD APM Vol. 3 SYSRET makes no check: the fetch at CPL 3 faults. */
    bool sysret_noncanonical_faults_in_ring0;
    /* SYSRET changes only the SS selector, not its descriptor cache (AMD APM Vol. 3 SYSRET
     * "Operation": "SS base, limit, attributes unchanged"); Intel SDM Vol. 2B SYSRET loads
     * fixed DPL-3 flat attributes. */
    bool sysret_keeps_ss_attributes;
    /* CPUID.80000001H:EDX.SYSCALL[11] reads 1 only in 64-bit mode (Intel SDM Vol. 2A CPUID,
     * Table 3-8 footnote); AMD reports it in every mode (APM Vol. 3 E.4.2). */
    bool syscall_cpuid_64bit_only;
    /* Loading a null selector into DS, ES, FS or GS leaves the segment's base and limit (AMD
     * Zen 1 and earlier: Linux's X86_BUG_NULL_SEG; Zen 3 reports "Null Selector Clears Base" in
     * CPUID 80000021H:EAX[6], and Zen 2 clears without the bit). Intel clears the base (SDM Vol.
     * 3A 3.4.4). Both profiles here clear it (Skylake, Zen 2); the rule is data for older AMD
     * profiles. */
    bool null_selector_keeps_base;
    /* MSRs whose WRMSR value must be canonical (1ull << enum x86_msr_index): Intel SDM Vol. 2B
     * WRMSR lists FS_BASE, GS_BASE, KERNEL_GS_BASE, LSTAR, SYSENTER_EIP, SYSENTER_ESP (not
     * CSTAR); AMD APM Vol. 2 4.5.3 / 6.1.1: FS/GS/KernelGS base, LSTAR and CSTAR (the SYSENTER MSRs
     * serve legacy mode only there). */
    uint64_t canonical_msrs;
};
extern const struct x86_vendor x86_vendor_intel;
extern const struct x86_vendor x86_vendor_amd;
/* The profile called name ("intel", "amd"), or NULL. */
const struct x86_vendor *x86_vendor_find(const char *name);

/* ---- The CPU ------------------------------------------------------------------------------ */

/* A small software TLB: linear page -> host pointer, separately for reads, writes and fetches.
 * Flushed by
 * every write to CR0/CR3/CR4 and by anything that could change a translation. */
#define X86_TLB_SIZE 256
struct x86_tlb_entry {
    uint64_t tag;  /* linear page number + 1; 0: empty */
    uint8_t *host; /* host address of the page */
};

struct x86_dcache_entry;
#define X86_DCACHE_SIZE 4096
struct x86_block;
#define X86_BLOCKS 2048 /* two ways per set */

struct x86_cpu {
    struct machine *m;
    const struct x86_vendor *vendor;

    uint64_t gpr[16]; /* RAX..R15, indexed by enum x86_gpr / REX-extended numbers */
    uint64_t rip;
    /* Architectural whenever the run loop and x86_step are not running. Inside them, while
     * lf_op != 0, its arithmetic flags (CF PF AF ZF SF OF; CF excepted for INC/DEC, CF and OF
     * after a rotate) are those of the last ALU operation, kept as lf_* and computed when read
     * (internal.h "Lazy flags"); the other bits are always current. */
    uint64_t rflags;
    uint8_t lf_op, lf_size;      /* enum x86_lazy_op, the operand size in bytes */
    uint8_t lf_rot;              /* LF_ROT: the kind of the record it keeps SF ZF AF PF of */
    uint64_t lf_a, lf_b, lf_res; /* the operands and result, masked to lf_size */
    struct x86_seg seg[X86_NSEG];
    uint64_t cr0, cr2, cr3, cr4, cr8; /* EFER is msr[X86_MSR_EFER] */
    /* PAE paging's PDPTE registers, loaded from CR3's table by MOV to CR0/CR3/CR4 (SDM Vol. 3A
     * 4.4.1); the walk uses them, not memory. */
    uint64_t pdpte[4];
    uint64_t dr[4], dr6, dr7; /* debug registers (SDM Vol. 3B 17.2) */
    /* Data and I/O breakpoints (B0-B3) the current instruction's or delivery's accesses met;
     * reported as a #DB trap when it completes, a delivery's at the next boundary (cpu.c
     * debug_step and x86_run; memory.c x86_dbg_match); dropped when it faults. */
    uint8_t dbg_hits;
    struct x86_dtr gdtr, idtr;
    struct x86_seg ldtr, tr;
    unsigned cpl;
    uint64_t msr[X86_MSR_COUNT];

    /* Derived from CS (and EFER.LMA): 16, 32 or 64, the default code size. */
    unsigned code_bits;
    uint64_t ip_mask; /* RIP's width in code_bits code: 0xFFFF, 0xFFFFFFFF or all ones */
    bool halted;
    /* The interrupt shadow of STI and MOV SS/POP SS (SDM Vol. 3A 6.8.3): no external interrupt
     * is taken before m->insns reaches shadow_end (one instruction after the shadowing one). */
    uint64_t shadow_end;

    /* The instruction being executed: its first byte and the address execution continues at
     * when it completes (branches change next_rip; software interrupts push it). */
    uint64_t insn_rip;
    uint64_t next_rip;
    uint8_t soft_len, soft_class; /* a software interrupt waiting to retire when delivered */
    /* Exception delivery nesting (SDM Vol. 3A 6.15, Table 6-5): the vector being delivered, -1
     * for none, so a fault during delivery becomes #DF, and one during #DF a triple fault. */
    int delivering;

    struct x86_dcache_entry *dcache; /* X86_DCACHE_SIZE decoded instructions (cpu.c) */
    struct x86_tlb_entry tlb_read[X86_TLB_SIZE];
    struct x86_tlb_entry tlb_write[X86_TLB_SIZE];
    struct x86_tlb_entry tlb_fetch[X86_TLB_SIZE]; /* execute-disable makes fetches differ */
    bool tlb_has_large;                           /* an entry comes from a page larger than 4 KiB */
    /* Bumped by every TLB flush and CS load: a decoded instruction that recorded its host
     * bytes under the current value may skip the fetch checks (cpu.c). */
    uint64_t fetch_gen;
    /* Bumped by every TLB flush only: a decoded block checks the CS limit, base and code size
     * itself, so that CS loads (every system call) leave it current (cpu.c). */
    uint64_t tlb_gen;

    /* Decoded blocks (cpu.c "Blocks"), used when the event stream takes EV_BLOCK. */
    struct x86_block *blocks; /* X86_BLOCKS of them */
    /* The bytes of the block being executed (machine.h code_watch): a store into them ends it
     * after the storing instruction (self-modifying code, SDM Vol. 3A 8.1.3). */
    struct code_watch code;
    uint32_t block_ids; /* the last ev_block id given */
};

/* The cpu_attach_fn of machine.h: creates the CPU in the Multiboot v1 hand-off state (Multiboot
 * spec 3.2 "Machine state"): protected mode without paging, flat 4 GiB CS (execute/read) and data
 * segments, EFLAGS.IF = EFLAGS.VM = 0, EIP = boot->entry, EAX = boot->arg0, EBX = boot->arg1,
 * ESP = 0x7C00 (undefined in the spec). GDTR is the reset value (base 0, limit 0xFFFF) and IDTR
 * has limit 0: the kernel loads its own. The vendor profile is Intel. */
int x86_cpu_attach(struct machine *m, const struct boot_state *boot, char *err, size_t errlen);
/* The same with a chosen vendor profile (NULL: Intel). */
int x86_cpu_attach_vendor(struct machine *m, const struct boot_state *boot,
                          const struct x86_vendor *vendor, char *err, size_t errlen);

/* Executes one instruction at RIP without delivering what it raises: returns X86_OK (retired;
 * counted and emitted as the run loop does), X86_HALT (HLT retired), X86_STOP (it needs
 * something not modelled yet; the run was stopped; nothing changed), or a trap value (the
 * instruction did not retire; the state is as before it, except for the progress a REP string
 * instruction made). Tests and the monitor use it; the run loop uses it and then x86_deliver().
 * It has none of the run loop's debug features (TF, instruction breakpoints) except this: data
 * and I/O breakpoint hits pending in dbg_hits (from the last completed instruction or delivery)
 * are returned as the #DB trap without executing anything (DR6.B0-B3 set, RIP unchanged), so
 * that a step-and-deliver caller takes them where the run loop does. */
x86_status x86_step(struct x86_cpu *cpu);

/* Delivers a trap value (an exception, INT n, INT1, or an external interrupt) through the IDT as
 * SDM Vol. 3A 6.12 (protected mode) and 6.14 (IA-32e mode: 16-byte gates, the 64-bit frame,
 * RSP0/IST) describe; a fault during delivery becomes #DF, a fault during #DF a triple fault
 * (machine_request_stop(STOP_FATAL, EXIT_GUEST_FATAL, ...)). */
void x86_deliver(struct x86_cpu *cpu, x86_status trap);

/* RFLAGS as the architecture has it, also while the run loop is running (an event subscriber
 * reading it computes lazily recorded flags; see x86_cpu.rflags). */
uint64_t x86_get_rflags(const struct x86_cpu *cpu);

/* Architectural register dump (cpu_ops.dump). */
void x86_dump(struct x86_cpu *cpu, FILE *out);
/* What the next boundary delivers before any instruction runs, as one line: the #DB for the
 * data and I/O breakpoints the last instruction or delivery met (dbg_hits; SDM Vol. 3B
 * 17.3.1.2, Vol. 3A 6.9). After INT n, whose delivery retires it, RIP is already the handler's.
 * Nothing when none is pending. */
void x86_dump_pending(const struct x86_cpu *cpu, FILE *out);

/* Loads a segment register in protected mode as MOV Sreg does, with its checks; X86_OK or the
 * fault. Also used by far transfers and delivery. */
x86_status x86_load_seg(struct x86_cpu *cpu, enum x86_sreg sreg, uint16_t sel);
/* Sets a segment register's cache directly (boot state, tests). */
void x86_set_seg(struct x86_cpu *cpu, enum x86_sreg sreg, uint16_t sel, uint64_t base,
                 uint32_t limit, uint32_t attr);

/* Guest-linear memory access as the CPU sees it at the current privilege level (no segment).
 * X86_OK or the fault (#PF once paging exists). */
x86_status x86_read_linear(struct x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t *value);
x86_status x86_write_linear(struct x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t value);

/* RDMSR/WRMSR semantics without the instruction (the monitor, tests, issue 6): X86_OK or
 * #GP(0) for an unknown MSR or a reserved bit. */
x86_status x86_rdmsr(struct x86_cpu *cpu, uint32_t number, uint64_t *value);
x86_status x86_wrmsr(struct x86_cpu *cpu, uint32_t number, uint64_t value);

/* cpu_ops.get_reg / set_reg (machine.h): rax/eax/ax.., rip, rflags, cpl, cr0-cr8, segment
 * selectors and dr0-dr3/dr6/dr7 (read only), MSRs by their msr.def name in lower case. */
bool x86_reg_by_name(void *cpu, const char *name, uint64_t *value);
bool x86_set_reg_by_name(void *cpu, const char *name, uint64_t value);

/* Flushes the software TLB (CR0/CR3/CR4 writes, INVLPG, tests that edit page tables). */
void x86_tlb_flush(struct x86_cpu *cpu);

const char *x86_vector_name(unsigned vector);

#endif
