/* Timing profile: an in-order RV64 core shaped after the SiFive U74 (U7 series), data only.
 *
 * Sources, cited beside each number:
 *   [LLVM7]  LLVM's SiFive 7-series scheduling model, llvm/lib/Target/RISCV/RISCVSchedSiFive7.td
 *            (SiFive7Model: IssueWidth = 2, LoadLatency = 3, MispredictPenalty = 3; pipes A and
 *            B; IMul latency 3; IDiv/IRem 66 (64-bit), 34 (32-bit), unpipelined) and review
 *            D153666 (scalar stages AG, M1, M2, WB; ALU results fully bypassed: 1 cycle)
 *   [U74M]   SiFive U74 Manual 20G1.03.00 release notes: L1 I$ 2-way, D$ 4-way (koala); not the
 *            configuration of the FU740 / JH7110 chips, whose ways [DTS] gives (so not used)
 *   [E31M]   SiFive E31 Core Complex Manual, branch prediction: 28-entry BTB, 512-entry BHT,
 *            6-entry RAS, 64-byte cache lines (the SiFive predictor of this family; the U74
 *            manual's own predictor sizes could not be retrieved while writing this; the notes
 *            of gem5's FU740 board, github.com/darchr/gem5
 *            src/python/gem5/prebuilt/hifiveunmatched/README.md, give a 16-entry BTB, 3.6 KiB
 *            BHT and 6-entry RAS, after FU740 manual 4.2.5: not adopted, see bench/README.md)
 *   [DTS]    Linux device trees of the two U74 chips, arch/riscv/boot/dts/sifive/fu740-c000.dtsi
 *            and arch/riscv/boot/dts/starfive/jh7110.dtsi (U74 harts): L1 I$ and D$ 32 KiB with
 *            64-byte blocks; D$ 64 sets (8-way) on both; I$ 128 sets (4-way) on the FU740, 64 sets
 *            (8-way) on the JH7110; I- and D-TLB 40 entries in 1 set (fully associative); the L2
 *            (ccache) 2 MiB in 2048 sets of 64 bytes (16-way). gem5's FU740 model
 *            (riscvmatched_cache.py, after FU740 manual table 7) agrees: I$ 4-way, D$ 8-way
 *   [ASID]   satp.ASID is not implemented (ASIDLEN 0) on the JH7110's U74: an ASID written to
 *            satp reads back as 0 (github.com/starfive-tech/VisionFive2 issue 104;
 *            github.com/riscv/sail-riscv issue 1846, VisionFive 2)
 *   [recall] SiFive U74 Core Complex Manual 21G1 as recalled (512-entry direct-mapped L2 TLB):
 *            not found in the sources searched (2026-11-26: docs, pages, code and issues for the
 *            U74 / U74-MC manual, the FU740 and JH7110 manuals, LLVM and gem5 U74 models)
 *   [assume] an assumption, not measured; bench/README.md says what it affects. No published
 *            L2-hit or DRAM latency of the FU740 or JH7110 was found (searched: VisionFive 2 and
 *            HiFive Unmatched tinymembench / ramlat / lmbench results, Chips and Cheese); gem5's
 *            FU740 model sets a 20-cycle L2 data latency, a simulator setting, not a measurement
 * Calibrated: nothing. The two published RISC-V transition figures (shared/reference/timing.md)
 * validate the profile in bench/transitions.
 */
#include "cpu/riscv/riscv.h"
#include "timing/timing.h"

enum { PIPE_A = 1, PIPE_B = 2 }; /* [LLVM7]: A memory + ALU, B ALU + branch + mul/div */

const struct tm_profile tm_profile_u74 = {
    .name = "u74",
    .description = "in-order dual-issue RV64 core shaped after the SiFive U74",
    .arch = ARCH_RISCV64,
    .issue_width = 2, /* [LLVM7] IssueWidth = 2 */
    .issue =
        {
            [RV_OPC_ALU] = 1,
            [RV_OPC_MUL] = 1,
            [RV_OPC_DIV] = 1,
            [RV_OPC_LOAD] = 1,
            [RV_OPC_STORE] = 1,
            [RV_OPC_BRANCH] = 1,
            [RV_OPC_JUMP] = 1,
            [RV_OPC_CSR] = 1,
            [RV_OPC_SYSTEM] = 1,
            [RV_OPC_FENCE] = 1,
            [RV_OPC_ATOMIC] = 1,
        },
    .latency =
        {
            [RV_OPC_ALU] = 1,    /* [LLVM7] D153666: fully bypassed */
            [RV_OPC_MUL] = 3,    /* [LLVM7] WriteIMul Latency = 3 */
            [RV_OPC_DIV] = 66,   /* [LLVM7] WriteIDiv Latency = 66 */
            [RV_OPC_LOAD] = 3,   /* [LLVM7] LoadLatency = 3 (L1D hit) */
            [RV_OPC_STORE] = 1,  /* no result */
            [RV_OPC_BRANCH] = 1, /* no result */
            [RV_OPC_JUMP] = 1,   /* the link register, like an ALU result */
            [RV_OPC_CSR] = 1,    /* [assume] CSR reads forward like ALU results */
            [RV_OPC_SYSTEM] = 1,
            [RV_OPC_FENCE] = 1,
            [RV_OPC_ATOMIC] = 3, /* [LLVM7] WriteAtomicD Latency = 3 */
        },
    .pipes =
        {
            [RV_OPC_ALU] = PIPE_A | PIPE_B,
            [RV_OPC_MUL] = PIPE_B,
            [RV_OPC_DIV] = PIPE_B,
            [RV_OPC_LOAD] = PIPE_A,
            [RV_OPC_STORE] = PIPE_A,
            [RV_OPC_BRANCH] = PIPE_B,
            [RV_OPC_JUMP] = PIPE_B,
            [RV_OPC_ATOMIC] = PIPE_A,
            /* CSR, SYSTEM, FENCE: 0, they issue alone [assume] */
        },
    .unpipelined = {[RV_OPC_DIV] = true}, /* [LLVM7] SiFive7IDiv ReleaseAtCycles = 65 */
    .div32_latency = 34,                  /* [LLVM7] WriteIDiv32 Latency = 34 */
    .mispredict = 3,                      /* [LLVM7] MispredictPenalty = 3; [E31M] 3 cycles */
    .bht_entries = 512,                   /* [E31M] */
    .btb_entries = 28,                    /* [E31M] */
    .ras_entries = 6,                     /* [E31M] */
    /* A trap or xRET is taken at writeback; the handler's first instruction issues after the
     * front end (F1 F2 D1 D2) and the scalar stages up to writeback (AG M1 M2 WB) refill: 7
     * cycles after the trapping instruction's issue [LLVM7 D153666 stages; recall F/D stages]. */
    .trap_flush = 7,
    .xret_flush = 7,
    .csr_write_serialize = 7,        /* [assume] a CSR write drains the pipeline like a trap */
    .fence_cost = 7,                 /* [assume] fence/fence.i refetch after the pipeline drains */
    .sfence_cost = 7,                /* [assume] likewise, plus the TLB flush itself */
    .l1i = {32 * 1024, 4, 64, 0},    /* [DTS] 32 KiB, 4-way (FU740), 64-byte lines */
    .l1d = {32 * 1024, 8, 64, 3},    /* [DTS] 32 KiB, 8-way; hit = LoadLatency */
    .l2 = {2048 * 1024, 16, 64, 20}, /* [DTS] 2 MiB 16-way; [assume] 20 cycles */
    .mem_latency = 150,              /* [assume] ~100 ns DRAM at 1.5 GHz */
    .itlb = {40, 40, 0},             /* [DTS] 40 entries, fully associative */
    .dtlb = {40, 40, 0},             /* [DTS] */
    .l2tlb = {512, 1, 2},            /* [recall] 512 direct-mapped; [assume] 2 cycles */
    .walk_levels = 3,                /* Sv39, priv. spec 4.4 */
    .walk_overhead = 2,              /* [assume] */
    .asid_bits = 0,                  /* [ASID] satp.ASID reads as 0: a switch flushes */
    .sources = "LLVM RISCVSchedSiFive7.td (issue, latencies, mispredict); SiFive E31 manual "
               "(predictor sizes); Linux FU740/JH7110 device trees (caches, TLBs); VisionFive 2 "
               "satp probe (no ASIDs); assumptions for L2/DRAM latencies and CSR serialization",
};

/* A single-issue in-order RV64 core after Rocket (rocket-chip), the class of the SiFive U54 in
 * the U540 of the seL4 figure. Sources:
 *   [LLVMR]  LLVM's RISCVSchedRocket.td: IssueWidth = 1, LoadLatency = 3 (LB/LH 3, LW/LD 2),
 *            MispredictPenalty = 3, IMul 4, IDiv 33 (64-bit) / 34 (32-bit), divider unpipelined
 *   [RC]     rocket-chip defaults: src/main/scala/rocket/BTB.scala BTBParams (28 BTB entries,
 *            28-40 by version; 512-entry BHT; 6-entry RAS); rocket/HellaCache.scala DCacheParams
 *            and rocket/ICache.scala ICacheParams (64 sets x 4 ways x 64 bytes = 16 KiB; TLB 1 set
 *            x 32 ways); rocket/RocketCore.scala RocketCoreParams (nL2TLBEntries 0: no L2 TLB);
 *            src/main/scala/coreplex/Configs.scala of 2017, the U54's generation
 *            (BaseCoreplexConfig ASIdBits 0). The U540's own U54 (Linux
 *            arch/riscv/boot/dts/sifive/fu540-c000.dtsi) has 32 KiB 8-way L1 caches, 32-entry
 *            fully associative TLBs and a 2 MiB L2; the profile keeps the rocket-chip defaults
 *   [assume] as in the u74 profile */
const struct tm_profile tm_profile_rocket = {
    .name = "rocket",
    .description = "in-order single-issue RV64 core after Rocket (U54 class)",
    .arch = ARCH_RISCV64,
    .issue_width = 1, /* [LLVMR] */
    .issue =
        {
            [RV_OPC_ALU] = 1,
            [RV_OPC_MUL] = 1,
            [RV_OPC_DIV] = 1,
            [RV_OPC_LOAD] = 1,
            [RV_OPC_STORE] = 1,
            [RV_OPC_BRANCH] = 1,
            [RV_OPC_JUMP] = 1,
            [RV_OPC_CSR] = 1,
            [RV_OPC_SYSTEM] = 1,
            [RV_OPC_FENCE] = 1,
            [RV_OPC_ATOMIC] = 1,
        },
    .latency =
        {
            [RV_OPC_ALU] = 1,
            [RV_OPC_MUL] = 4,  /* [LLVMR] */
            [RV_OPC_DIV] = 33, /* [LLVMR] */
            [RV_OPC_LOAD] = 2, /* [LLVMR] LW/LD */
            [RV_OPC_STORE] = 1,
            [RV_OPC_BRANCH] = 1,
            [RV_OPC_JUMP] = 1,
            [RV_OPC_CSR] = 1,
            [RV_OPC_SYSTEM] = 1,
            [RV_OPC_FENCE] = 1,
            [RV_OPC_ATOMIC] = 2, /* [LLVMR] WriteAtomicD */
        },
    .pipes = {[RV_OPC_ALU] = 1,
              [RV_OPC_MUL] = 1,
              [RV_OPC_DIV] = 1,
              [RV_OPC_LOAD] = 1,
              [RV_OPC_STORE] = 1,
              [RV_OPC_BRANCH] = 1,
              [RV_OPC_JUMP] = 1,
              [RV_OPC_ATOMIC] = 1},
    .unpipelined = {[RV_OPC_DIV] = true}, /* [LLVMR] ReleaseAtCycles = latency */
    .div32_latency = 34,                  /* [LLVMR] */
    .mispredict = 3,                      /* [LLVMR] */
    .bht_entries = 512,                   /* [RC] */
    .btb_entries = 28,                    /* [RC] */
    .ras_entries = 6,                     /* [RC] */
    /* Five stages (F D X M W); a trap or xRET takes effect at writeback and fetch restarts
     * (rocket/RocketCore.scala: the exception and xRET redirect is taken from the writeback
     * stage): the handler issues 5 cycles after the trapping instruction [assume from the
     * stages] */
    .trap_flush = 5,
    .xret_flush = 5,
    .csr_write_serialize = 5, /* [assume] */
    .fence_cost = 5,
    .sfence_cost = 5,
    .l1i = {16 * 1024, 4, 64, 0},    /* [RC] */
    .l1d = {16 * 1024, 4, 64, 2},    /* [RC]; hit = LoadLatency of LD */
    .l2 = {2048 * 1024, 16, 64, 20}, /* 2 MiB: fu540-c000.dtsi; [assume] 16-way, 20 cycles */
    .mem_latency = 150,              /* [assume] */
    .itlb = {32, 32, 0},             /* [RC]; fu540-c000.dtsi likewise */
    .dtlb = {32, 32, 0},             /* [RC]; fu540-c000.dtsi likewise */
    .l2tlb = {0, 0, 0},              /* [RC] none */
    .walk_levels = 3,
    .walk_overhead = 2, /* [assume] */
    .asid_bits = 0,     /* [RC] ASIdBits 0 */
    .sources = "LLVM RISCVSchedRocket.td; rocket-chip defaults; assumptions as u74",
};
