/* Timing profile: an in-order RV64 core shaped after the SiFive U74 (U7 series), data only.
 *
 * Sources, cited beside each number:
 *   [LLVM7]  LLVM's SiFive 7-series scheduling model, llvm/lib/Target/RISCV/RISCVSchedSiFive7.td
 *            (SiFive7Model: IssueWidth = 2, LoadLatency = 3, MispredictPenalty = 3; pipes A and
 *            B; IMul latency 3; IDiv/IRem 66 (64-bit), 34 (32-bit), unpipelined) and review
 *            D153666 (scalar stages AG, M1, M2, WB; ALU results fully bypassed: 1 cycle)
 *   [U74M]   SiFive U74 Manual 20G1.03.00 release notes: L1 I$ 2-way, D$ 4-way (koala)
 *   [E31M]   SiFive E31 Core Complex Manual, branch prediction: 28-entry BTB, 512-entry BHT,
 *            6-entry RAS, 64-byte cache lines (the SiFive predictor of this family; the U74
 *            manual's own predictor sizes could not be retrieved while writing this)
 *   [recall] SiFive U74 Core Complex Manual 21G1 as recalled (32 KiB L1 caches on the
 *            JH7110/FU740 configurations, 40-entry fully associative L1 TLBs, 512-entry
 *            direct-mapped L2 TLB, no ASID bits as on the U54): to be checked against the text
 *   [assume] an assumption, not measured; bench/README.md says what it affects
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
    .l1i = {32 * 1024, 2, 64, 0},    /* [recall] 32 KiB, [U74M] 2-way, [E31M] 64-byte lines */
    .l1d = {32 * 1024, 4, 64, 3},    /* [recall] 32 KiB, [U74M] 4-way; hit = LoadLatency */
    .l2 = {2048 * 1024, 16, 64, 20}, /* [recall] 2 MiB 16-way (JH7110); [assume] 20 cycles */
    .mem_latency = 150,              /* [assume] ~100 ns DRAM at 1.5 GHz */
    .itlb = {40, 40, 0},             /* [recall] 40 entries, fully associative */
    .dtlb = {40, 40, 0},             /* [recall] */
    .l2tlb = {512, 1, 2},            /* [recall] 512 direct-mapped; [assume] 2 cycles */
    .walk_levels = 3,                /* Sv39, priv. spec 4.4 */
    .walk_overhead = 2,              /* [assume] */
    .asid_bits = 0,                  /* [recall] satp.ASID reads as 0: a switch flushes */
    .sources = "LLVM RISCVSchedSiFive7.td (issue, latencies, mispredict); SiFive E31 manual "
               "(predictor sizes); U74 manual 20G1 release notes (cache ways); assumptions for "
               "L2/DRAM latencies and CSR serialization",
};

/* A single-issue in-order RV64 core after Rocket (rocket-chip), the class of the SiFive U54 in
 * the U540 of the seL4 figure. Sources:
 *   [LLVMR]  LLVM's RISCVSchedRocket.td: IssueWidth = 1, LoadLatency = 3 (LB/LH 3, LW/LD 2),
 *            MispredictPenalty = 3, IMul 4, IDiv 33 (64-bit) / 34 (32-bit), divider unpipelined
 *   [RC]     rocket-chip BTBParams defaults: 28-40 BTB entries by version, 512-entry BHT, 6-entry
 *            RAS; default L1 caches 64 sets x 4 ways x 64 bytes = 16 KiB, 32-entry TLBs (the
 *            last two as recalled)
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
    /* Five stages (F D X M W); a trap or xRET takes effect at writeback and fetch restarts:
     * the handler issues 5 cycles after the trapping instruction [assume from the stages] */
    .trap_flush = 5,
    .xret_flush = 5,
    .csr_write_serialize = 5, /* [assume] */
    .fence_cost = 5,
    .sfence_cost = 5,
    .l1i = {16 * 1024, 4, 64, 0},    /* [RC] */
    .l1d = {16 * 1024, 4, 64, 2},    /* [RC]; hit = LoadLatency of LD */
    .l2 = {2048 * 1024, 16, 64, 20}, /* [assume] the U540's 2 MiB L2 */
    .mem_latency = 150,              /* [assume] */
    .itlb = {32, 32, 0},             /* [RC] */
    .dtlb = {32, 32, 0},             /* [RC] */
    .l2tlb = {0, 0, 0},              /* none */
    .walk_levels = 3,
    .walk_overhead = 2, /* [assume] */
    .asid_bits = 0,     /* [assume] as the U54 */
    .sources = "LLVM RISCVSchedRocket.td; rocket-chip defaults; assumptions as u74",
};
