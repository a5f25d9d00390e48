/* Timing profiles for x86: an Intel Skylake-class and an AMD Zen 2-class core, data only.
 *
 * The x86 core reports an operation class per instruction (src/cpu/x86/opcodes.def, the classes
 * of X86_CLASSES in src/cpu/x86/internal.h, in this order) but no operand registers, so these
 * profiles price classes (issue slots, ports, latencies as throughput) and the micro-steps of
 * each transition; the out-of-order overlap is not modeled.
 *
 * Sources:
 *   [AFI]    Agner Fog, "Instruction tables" (Skylake; Zen 2): IMUL r32 latency 3; DIV r32
 *            ~26 (Skylake), 14-30 (Zen 2); RDTSC ~25; CPUID ~100-250 (as recalled)
 *   [AFM]    Agner Fog, "The microarchitecture of Intel, AMD and VIA CPUs": 4-wide issue;
 *            branch mispredict penalty 15-20 (Skylake), ~18 (Zen 2); L1D load-to-use 4-5;
 *            Skylake: 2 load ports, 1 store port; Zen 2: 4 ALUs, 2 loads + 1 store per cycle
 *   [SDM]    Intel SDM Vol. 2/3A: what INT n, IRET, SYSCALL, SYSRET, SYSENTER, SYSEXIT and
 *            SWAPGS read and write (the steps; not their costs)
 *   [CACHE]  cache and TLB geometry of the cores (Intel and AMD optimization manuals, as
 *            recalled: Skylake L1 32 KiB 8-way, L2 256 KiB 4-way ~12 cycles, DTLB 64 4-way,
 *            ITLB 128 8-way, STLB 1536 12-way; Zen 2 L1 32 KiB 8-way, L2 512 KiB 8-way ~12,
 *            L1 TLBs 64 fully associative, L2 DTLB 2048 16-way)
 *   [L4Re]   calibration: l4re.org "Syscall" table, Ice Lake-SP null syscall 160 cycles with
 *            ~147 instructions (shared/reference/timing.md): 160 - ceil(147 / 4) (the kernel's
 *            instructions at the profile's issue width, a crude estimate) = 123 cycles for
 *            SYSCALL + SYSRET, split 27:35 as [K8] (54 + 69); the MSR steps are what remains
 *            after the other steps (34 = 54 - 20, 49 = 69 - 20). Validation: L4Re N100 (188)
 *   [K8]     AMD #25112 appendix C table 13: SYSCALL 27, SYSRET 35 cycles (K8): the split of
 *            the calibrated syscall/sysret sum between the two directions
 *   [IRET80] calibration: Linux commit 2a23c6b8a9c4 ("x86_64, entry: Use sysret to return to
 *            userspace when possible"): returning by IRET instead of SYSRET costs about 80 ns on a
 *            ~280 ns getpid (Intel, model and clock not stated). At an assumed 3 GHz [assume]
 *            that is 240 cycles of IRET to ring 3 over SYSRET; the IRET step that is not an L1D
 *            read or a refill (the segment checks and descriptor-cache loads of the return to an
 *            outer level, SDM Vol. 2A IRET "RETURN-TO-OUTER-PRIVILEGE-LEVEL") takes the rest:
 *            IRET_SAME + IRET_OUTER = SYSRET + 240. No other figure validates it (bench/README.md)
 *   [SYSX30] calibration: Linux commit 4214a16b0297 ("x86/asm/entry/64/compat: Use SYSRETL to
 *            return from compat mode SYSENTER"): SYSEXIT about 30 cycles slower than SYSRETL for
 *            the same return (Intel): SYSEXIT = SYSRET + 30
 *   Not found: the brief asked for Agner Fog's instruction tables / uops.info rows for INT, IRET,
 *            SYSCALL, SYSRET, SYSENTER, SYSEXIT and SWAPGS on Skylake and Zen 2. The stored copies
 *            searched (2026-11-26) have no such rows (uops.info measures user-mode instructions;
 *            Agner's Skylake and Zen 2 tables list none of these), so none is cited; SWAPGS is an
 *            assumption on both profiles. Searched again 2026-11-26 (pages, docs, code, issues,
 *            LLVM's x86 scheduling models) for a SWAPGS cost and for the microcode cost of the
 *            INT/IRET descriptor checks: none published, both stay [assume]
 *   [assume] an assumption, not measured
 */
#include <string.h>

#include "timing/timing.h"

/* X86_CLASSES order (src/cpu/x86/internal.h). */
enum {
    C_NOP,
    C_ALU,
    C_MOV,
    C_LOAD,
    C_STORE,
    C_MUL,
    C_DIV,
    C_SHIFT,
    C_BIT,
    C_BRANCH,
    C_CALL,
    C_RET,
    C_STACK,
    C_STRING,
    C_IO,
    C_FLAGS,
    C_SYSTEM,
    C_SERIAL,
    C_INT,
    C_SYSCALL, /* the fast system calls: issue alone (pipes 0), priced by their step tables */
    C_SYSRET,
    C_SYSENTER,
    C_SYSEXIT,
    C_SWAPGS
};

/* Ports as pipe bits: four issue slots; loads on two, stores on one. */
#define ANY   0x0f
#define LDP   0x03
#define STP   0x04
#define BRP   0x09
#define MULP  0x02
#define ALONE 0

/* Per-profile figures that the transition steps below reuse: a descriptor or TSS read is an L1D
 * hit, and a refetch after a serializing transfer costs what a mispredict does. */
#define INTEL_L1D        5  /* [AFM] L1D load-to-use 4-5 */
#define AMD_L1D          4  /* [AFM] */
#define INTEL_MISPREDICT 16 /* [AFM] Skylake 15-20 */
#define AMD_MISPREDICT   18 /* [AFM] Zen 2 */

/* The micro-steps of each transition, each stated once. Columns: what the processor does, its
 * cycles on the intel profile, on the amd profile, and where those numbers come from (both
 * profiles' sources where they differ). */
#define INT_SAME_STEPS(S)                                                                          \
    S("read the IDT gate (8 bytes)", INTEL_L1D, AMD_L1D, "[AFM] L1D hit")                          \
    S("read the CS descriptor from the GDT", INTEL_L1D, AMD_L1D, "[AFM] L1D hit")                  \
    S("check gate and CS (type, DPL, present)", 10, 10, "[assume] microcode")                      \
    S("push EFLAGS, CS, EIP (+ error code)", 3, 3, "[AFM] 1 store/cycle")                          \
    S("clear IF/TF/NT, load CS:EIP", 2, 2, "[assume]")                                             \
    S("refetch at the handler (serializing)", INTEL_MISPREDICT, AMD_MISPREDICT,                    \
      "[AFM] like a mispredict")
#define INT_STACK_STEPS(S)                                                                         \
    S("read SS0:ESP0 from the TSS", INTEL_L1D, AMD_L1D, "[AFM] L1D hit")                           \
    S("read the SS descriptor", INTEL_L1D, AMD_L1D, "[AFM] L1D hit")                               \
    S("check SS (type, DPL = RPL = CPL)", 10, 10, "[assume] microcode")                            \
    S("push the old SS and ESP", 2, 2, "[AFM] 1 store/cycle")
/* IRET_SAME on intel: 6 + 5 + 10 + 16 = 37 cycles. */
#define IRET_SAME_STEPS(S)                                                                         \
    S("pop EIP, CS, EFLAGS", INTEL_L1D + 1, AMD_L1D + 1, "[AFM] 2 loads/cycle + L1D hit")          \
    S("read the CS descriptor", INTEL_L1D, AMD_L1D, "[AFM] L1D hit")                               \
    S("check CS (RPL, DPL, present)", 10, 10, "[assume] microcode")                                \
    S("refetch at the return address (serializing)", INTEL_MISPREDICT, AMD_MISPREDICT,             \
      "[AFM] like a mispredict")
/* intel calibrated [IRET80]: IRET_SAME + IRET_OUTER = SYSRET (69) + 240 = 309. No AMD figure: amd
 * takes intel's check step. */
#define IRET_OUTER_STEPS(S)                                                                        \
    S("pop ESP, SS", 1, 1, "[AFM] 2 loads/cycle")                                                  \
    S("read the SS descriptor", INTEL_L1D, AMD_L1D, "[AFM] L1D hit")                               \
    S("check SS, DS, ES, FS, GS against the new CPL; load the caches", 266, 266,                   \
      "intel: calibrated [IRET80], 309 - 37 (IRET_SAME) - 1 - 5; amd: [assume] as intel")
/* intel: SYSCALL + SYSRET calibrated [L4Re]; amd: [K8] 27 and 35 cycles in all. */
#define SYSCALL_STEPS(S)                                                                           \
    S("read STAR, LSTAR, SFMASK", 34, 5,                                                           \
      "intel: calibrated [L4Re] with [K8] split; amd: [K8] 27 minus the steps below")              \
    S("RCX <- RIP, R11 <- RFLAGS, mask RFLAGS", 2, 2, "[SDM]; [assume]")                           \
    S("load the fixed CS and SS from STAR (no descriptor read)", 2, 2, "[SDM]; [assume]")          \
    S("refetch at LSTAR", INTEL_MISPREDICT, AMD_MISPREDICT, "[AFM] like a mispredict")
#define SYSRET_STEPS(S)                                                                            \
    S("read STAR; canonical check of RCX (Intel only)", 49, 13,                                    \
      "intel: calibrated [L4Re] with [K8] split; amd: [K8] 35 minus the steps below")              \
    S("RIP <- RCX, RFLAGS <- R11", 2, 2, "[SDM]; [assume]")                                        \
    S("load the fixed CS and SS from STAR", 2, 2, "[SDM]; [assume]")                               \
    S("refetch at RCX", INTEL_MISPREDICT, AMD_MISPREDICT, "[AFM] like a mispredict")
/* AMD: SYSENTER/SYSEXIT only in legacy mode (#UD in long and compatibility mode,
 * shared/reference/timing.md); amd prices them as its SYSCALL/SYSRET. */
#define SYSENTER_STEPS(S)                                                                          \
    S("read SYSENTER_CS, _ESP, _EIP", 34, 5, "as SYSCALL's MSR step")                              \
    S("load flat CS and SS (no descriptor read)", 2, 2, "[SDM]")                                   \
    S("refetch at SYSENTER_EIP", INTEL_MISPREDICT, AMD_MISPREDICT, "[AFM] like a mispredict")
/* intel calibrated [SYSX30]: SYSEXIT = SYSRET (69) + 30 = 99. */
#define SYSEXIT_STEPS(S)                                                                           \
    S("read SYSENTER_CS; EIP <- EDX, ESP <- ECX", 81, 13,                                          \
      "intel: calibrated [SYSX30], 99 - 2 - 16; amd: as SYSRET's MSR step")                        \
    S("load flat CS and SS", 2, 2, "[SDM]")                                                        \
    S("refetch at EDX", INTEL_MISPREDICT, AMD_MISPREDICT, "[AFM] like a mispredict")
#define SWAPGS_STEPS(S)                                                                            \
    S("exchange GS.base and KERNEL_GS_BASE", 8, 8, "[assume] microcoded MSR swap")

/* One profile's column of the step tables, as its struct tm_steps. */
#define INTEL_STEP(what, intel, amd, source) {what, intel, source},
#define AMD_STEP(what, intel, amd, source)   {what, amd, source},
#define COUNT_STEP(what, intel, amd, source) +1
#define STEPS(table, column)                                                                       \
    {                                                                                              \
        .n = 0 table(COUNT_STEP), .step = { table(column) }                                        \
    }
#define X86_STEPS(column)                                                                          \
    {                                                                                              \
        [TM_X86_INT_SAME] = STEPS(INT_SAME_STEPS, column),                                         \
        [TM_X86_INT_STACK] = STEPS(INT_STACK_STEPS, column),                                       \
        [TM_X86_IRET_SAME] = STEPS(IRET_SAME_STEPS, column),                                       \
        [TM_X86_IRET_OUTER] = STEPS(IRET_OUTER_STEPS, column),                                     \
        [TM_X86_SYSCALL] = STEPS(SYSCALL_STEPS, column),                                           \
        [TM_X86_SYSRET] = STEPS(SYSRET_STEPS, column),                                             \
        [TM_X86_SYSENTER] = STEPS(SYSENTER_STEPS, column),                                         \
        [TM_X86_SYSEXIT] = STEPS(SYSEXIT_STEPS, column),                                           \
        [TM_X86_SWAPGS] = STEPS(SWAPGS_STEPS, column),                                             \
    }

const struct tm_profile tm_profile_intel = {
    .name = "intel",
    .description = "Intel Skylake-class core (4-wide; classes priced, no out-of-order overlap)",
    .arch = ARCH_I386,
    .issue_width = 4, /* [AFM] */
    .issue = {[C_NOP] = 1,
              [C_ALU] = 1,
              [C_MOV] = 1,
              [C_LOAD] = 1,
              [C_STORE] = 1,
              [C_MUL] = 1,
              [C_DIV] = 6, /* [AFI] DIV r32 reciprocal throughput ~6 */
              [C_SHIFT] = 1,
              [C_BIT] = 1,
              [C_BRANCH] = 1,
              [C_CALL] = 2,
              [C_RET] = 2,
              [C_STACK] = 1,
              [C_STRING] = 4,   /* [assume] one MOVS/STOS step */
              [C_IO] = 30,      /* [assume] microcoded port I/O */
              [C_FLAGS] = 9,    /* [assume] between PUSHF (1) and POPF (~20) [AFI] */
              [C_SYSTEM] = 25,  /* [AFI] RDTSC ~25; other microcoded system reads alike */
              [C_SERIAL] = 120, /* [AFI] CPUID ~100-250; serializing writes alike [assume] */
              [C_INT] = 1},
    .latency = {[C_ALU] = 1,
                [C_MOV] = 1,
                [C_LOAD] = 5 /* [AFM] 4-5 */,
                [C_MUL] = 3 /* [AFI] */,
                [C_DIV] = 26 /* [AFI] */,
                [C_SHIFT] = 1,
                [C_BIT] = 1,
                [C_STACK] = 1},
    .pipes = {[C_NOP] = ANY,
              [C_ALU] = ANY,
              [C_MOV] = ANY,
              [C_LOAD] = LDP,
              [C_STORE] = STP,
              [C_MUL] = MULP,
              [C_DIV] = MULP,
              [C_SHIFT] = BRP,
              [C_BIT] = ANY,
              [C_BRANCH] = BRP,
              [C_CALL] = BRP,
              [C_RET] = BRP,
              [C_STACK] = LDP | STP},
    .mispredict = INTEL_MISPREDICT,
    .bht_entries = 4096, /* [assume] bimodal stand-in for a much better predictor */
    .btb_entries = 4096, /* [assume] */
    .ras_entries = 16,   /* [AFM] */
    .l1i = {32 * 1024, 8, 64, 0},
    .l1d = {32 * 1024, 8, 64, INTEL_L1D}, /* [CACHE] */
    .l2 = {256 * 1024, 4, 64, 12},        /* [CACHE] */
    .mem_latency = 42,                    /* [assume] an L3 hit (no L3 or DRAM modeled) */
    .itlb = {128, 8, 0},                  /* [CACHE] */
    .dtlb = {64, 4, 0},                   /* [CACHE] */
    .l2tlb = {1536, 12, 9},               /* [CACHE]; [assume] 9 cycles */
    .walk_levels = 2,                     /* 32-bit paging (SDM Vol. 3A 4.3); long mode: 4 */
    .walk_overhead = 4,                   /* [assume] */
    .asid_bits = 0,                       /* no PCID in the x86 core: CR3 writes flush */
    .x86 = X86_STEPS(INTEL_STEP),
    .sources = "Agner Fog instruction tables and microarchitecture guide (Skylake); Intel SDM "
               "(steps); SYSCALL/SYSRET MSR steps calibrated on the L4Re Ice Lake-SP null "
               "syscall (160 cycles), split as AMD K8 27:35; IRET to ring 3 on Linux "
               "2a23c6b8a9c4 (SYSRET + 80 ns at an assumed 3 GHz); SYSEXIT on Linux "
               "4214a16b0297 (SYSRET + 30 cycles)",
};

const struct tm_profile tm_profile_amd = {
    .name = "amd",
    .description = "AMD Zen 2-class core (4-wide; classes priced, no out-of-order overlap)",
    .arch = ARCH_I386,
    .issue_width = 4, /* [AFM] */
    .issue = {[C_NOP] = 1,
              [C_ALU] = 1,
              [C_MOV] = 1,
              [C_LOAD] = 1,
              [C_STORE] = 1,
              [C_MUL] = 1,
              [C_DIV] = 8, /* [AFI] DIV r32 14-30 latency, [assume] 8 throughput */
              [C_SHIFT] = 1,
              [C_BIT] = 1,
              [C_BRANCH] = 1,
              [C_CALL] = 2,
              [C_RET] = 2,
              [C_STACK] = 1,
              [C_STRING] = 4,
              [C_IO] = 30,
              [C_FLAGS] = 9,
              [C_SYSTEM] = 36,  /* [AFI] RDTSC on Zen 2 ~36 (as recalled) */
              [C_SERIAL] = 120, /* [assume] as Intel */
              [C_INT] = 1},
    .latency = {[C_ALU] = 1,
                [C_MOV] = 1,
                [C_LOAD] = 4 /* [AFM] */,
                [C_MUL] = 3 /* [AFI] */,
                [C_DIV] = 30 /* [AFI] upper bound */,
                [C_SHIFT] = 1,
                [C_BIT] = 1,
                [C_STACK] = 1},
    .pipes = {[C_NOP] = ANY,
              [C_ALU] = ANY,
              [C_MOV] = ANY,
              [C_LOAD] = LDP,
              [C_STORE] = STP,
              [C_MUL] = MULP,
              [C_DIV] = MULP,
              [C_SHIFT] = ANY,
              [C_BIT] = ANY,
              [C_BRANCH] = BRP,
              [C_CALL] = BRP,
              [C_RET] = BRP,
              [C_STACK] = LDP | STP},
    .mispredict = AMD_MISPREDICT,
    .bht_entries = 4096,
    .btb_entries = 4096,
    .ras_entries = 32, /* [AFM] Zen 2 return stack 32 (as recalled) */
    .l1i = {32 * 1024, 8, 64, 0},
    .l1d = {32 * 1024, 8, 64, AMD_L1D},
    .l2 = {512 * 1024, 8, 64, 12},
    .mem_latency = 40, /* [assume] an L3 hit */
    .itlb = {64, 64, 0},
    .dtlb = {64, 64, 0},
    .l2tlb = {2048, 16, 7}, /* [CACHE]; [assume] 7 cycles */
    .walk_levels = 2,
    .walk_overhead = 4,
    .asid_bits = 0,
    .x86 = X86_STEPS(AMD_STEP),
    .sources = "Agner Fog instruction tables and microarchitecture guide (Zen 2); Intel SDM "
               "(steps); SYSCALL/SYSRET calibrated on AMD K8 27/35 cycles (#25112 table 13); "
               "IRET to ring 3 as the intel profile (no AMD figure)",
};

static const struct tm_profile *const profiles[] = {&tm_profile_u74, &tm_profile_rocket,
                                                    &tm_profile_intel, &tm_profile_amd};

const struct tm_profile *tm_profile_find(const char *name, enum mach_arch arch)
{
    enum mach_arch want = arch == ARCH_X86_64 ? ARCH_I386 : arch;
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
        if (strcmp(profiles[i]->name, name) == 0 && profiles[i]->arch == want) return profiles[i];
    return NULL;
}

const struct tm_profile *tm_profile_default(enum mach_arch arch)
{
    return arch == ARCH_RISCV64 ? &tm_profile_u74 : &tm_profile_intel;
}
