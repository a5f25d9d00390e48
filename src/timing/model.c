/* The cycle model: an event subscriber that prices each retired instruction and each trap from a
 * timing profile (profile_*.c) and the modeled microarchitectural state, and advances guest time
 * by the difference to the core's own tick (timing.h, "The cycle model").
 *
 * The pipeline is an in-order issue model in the model's own cycle count:
 *   - an instruction issues at the first cycle where the issue stage is free (the previous
 *     group's occupancy), the front end has the right path (after a mispredict, trap or
 *     serialization), and its source registers are ready (scoreboard: load-use and mul/div
 *     latencies); up to issue_width instructions of the same cycle pair when the pipes their
 *     classes may use can hold them all and none depends on another of the group;
 *   - a branch is resolved when the next event shows where execution went (the next EV_INSN or
 *     EV_EXCEPTION pc against the branch's fall-through): a wrong direction or target puts the
 *     next issue at branch issue + 1 + mispredict, so the penalty shows on the next instruction;
 *   - data accesses (EV_MEM, which comes before the instruction's EV_INSN) go through the modeled
 *     D-TLB and L1D/L2; their miss cycles stall the instruction (blocking caches); fetch goes
 *     through the I-TLB and L1I at each EV_INSN's pc;
 *   - a trap issues like an instruction at the commit point and the front end refills
 *     (trap_flush on RISC-V; the x86 profiles' micro-step tables); xRET, serializing CSR writes
 *     and fences do the same after their own issue.
 * x86 instructions carry no operand registers in the event stream (ev.insn.raw = 0): on x86 the
 * model has no register dependences, only class costs, pairing, prediction, caches and the
 * transition micro-steps.
 *
 * Batches of EV_INSN/EV_MEM (model_batch) are priced in blocks (run_block): the lookups per
 * instruction in event order, then the pipeline per instruction (pipeline(), shared with the
 * one-event path on_insn) or, for a block seen before from the same entry state with no miss,
 * replayed from the block memo (timing.h "The cycle model", struct tm_block).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/riscv/riscv.h"
#include "timing/timing.h"

/* x86 operation classes (src/cpu/x86/internal.h X86_CLASSES, in that order): the ones the model
 * treats specially. The fast system-call instructions have a class each (src/cpu/x86/opcodes.def),
 * which selects their profile step table (enum tm_x86_flow). */
enum {
    X86C_BRANCH = 9,
    X86C_CALL = 10,
    X86C_RET = 11,
    X86C_INT = 18,
    X86C_SYSCALL = 19,
    X86C_SYSRET = 20,
    X86C_SYSENTER = 21,
    X86C_SYSEXIT = 22,
    X86C_SWAPGS = 23
};

/* The step table of an x86 class, or TM_X86_FLOW_COUNT: none. */
static uint8_t x86_class_flow(unsigned cls)
{
    switch (cls) {
    case X86C_SYSCALL: return TM_X86_SYSCALL;
    case X86C_SYSRET: return TM_X86_SYSRET;
    case X86C_SYSENTER: return TM_X86_SYSENTER;
    case X86C_SYSEXIT: return TM_X86_SYSEXIT;
    case X86C_SWAPGS: return TM_X86_SWAPGS;
    default: return TM_X86_FLOW_COUNT;
    }
}

enum { BR_NONE, BR_COND, BR_JUMP, BR_INDIRECT, BR_RETURN };

static inline bool is_riscv(const struct tm_model *md)
{
    return md->riscv;
}

/* n - 1 when n is a power of two (x % n == x & (n - 1)), else 0. */
static uint32_t pow2_mask(uint32_t n)
{
    return n && !(n & (n - 1)) ? n - 1 : 0;
}

int tm_model_init(struct tm_model *md, const struct tm_profile *p, struct machine *m)
{
    memset(md, 0, sizeof *md);
    md->p = p;
    md->m = m;
    md->handle = -1;
    md->priv = p->arch == ARCH_RISCV64 ? 3 : 0; /* reset: M-mode; x86 CPL 0 */
    md->bht = calloc(p->bht_entries ? p->bht_entries : 1, 1);
    md->btb = calloc(p->btb_entries ? p->btb_entries : 1, 2 * sizeof *md->btb);
    md->ras = calloc(p->ras_entries ? p->ras_entries : 1, sizeof *md->ras);
    md->blocks = calloc(TM_BLOCKS, sizeof *md->blocks);
    if (!md->bht || !md->btb || !md->ras || !md->blocks) goto fail;
    for (uint32_t i = 0; i < p->bht_entries; i++)
        md->bht[i] = 1; /* weakly not taken */
    if (tm_cache_init(&md->l1i, p->l1i.size, p->l1i.ways, p->l1i.line) < 0 ||
        tm_cache_init(&md->l1d, p->l1d.size, p->l1d.ways, p->l1d.line) < 0 ||
        tm_cache_init(&md->l2, p->l2.size, p->l2.ways, p->l2.line) < 0 ||
        tm_cache_init(&md->itlb, p->itlb.entries * 4096u, p->itlb.ways, 4096) < 0 ||
        tm_cache_init(&md->dtlb, p->dtlb.entries * 4096u, p->dtlb.ways, 4096) < 0 ||
        tm_cache_init(&md->l2tlb, p->l2tlb.entries * 4096u, p->l2tlb.ways, 4096) < 0)
        goto fail;
    for (unsigned f = 0; f < TM_X86_FLOW_COUNT; f++)
        md->flow_cycles[f] = tm_steps_cycles(&p->x86[f]);
    md->bht_mask = pow2_mask(p->bht_entries);
    md->btb_mask = pow2_mask(p->btb_entries);
    md->riscv = p->arch == ARCH_RISCV64;
    for (unsigned i = 0; i < TM_INFO_MEMO; i++)
        md->info[i].op_class = UINT16_MAX;
    md->next_free = 1;
    md->horizon = 1;
    md->t_guest = m ? m->time : 0;
    return 0;
fail:
    tm_model_destroy(md);
    return -1;
}

static unsigned max_u(unsigned a, unsigned b)
{
    return a > b ? a : b;
}

/* Upper bounds of the guest time one EV_INSN and one EV_MEM can add (the queue's batch_cost,
 * events.h "Batches"), from the profile, twice over for safety. An instruction's cycles are at
 * most: its fetch missing everything (I-TLB, the second-level TLB, a walk of up to four levels
 * missing L1D and L2, then L1I and L2), waiting for an operand or a busy unit (a latency, plus
 * the latency still in flight beyond the last issue), its own issue, a refill or transition
 * step table, and a mispredict of the branch before it. A data access: the same walk and a miss
 * to memory. */
static void batch_costs(const struct tm_profile *p, const uint32_t *flow_cycles, uint32_t *insn,
                        uint32_t *mem)
{
    unsigned miss = p->l1d.latency + p->l2.latency + p->mem_latency;
    unsigned walk = p->l2tlb.latency + p->walk_overhead + 4 * miss;
    unsigned fetch = walk + p->l1i.latency + p->l2.latency + p->mem_latency;
    unsigned issue = 1, latency = p->div32_latency, refill = 0;
    for (unsigned c = 0; c < TM_MAX_CLASSES; c++) {
        issue = max_u(issue, p->issue[c]);
        latency = max_u(latency, p->latency[c]);
    }
    refill = max_u(max_u(p->trap_flush, p->xret_flush),
                   max_u(p->csr_write_serialize, max_u(p->fence_cost, p->sfence_cost)));
    for (unsigned f = 0; f < TM_X86_FLOW_COUNT; f++)
        refill += flow_cycles[f];
    *insn = 2 * (1 + fetch + 2 * latency + issue + refill + 1 + p->mispredict);
    *mem = 2 * (walk + miss);
}

static void model_batch(void *opaque, struct ev *events, unsigned n, unsigned insns);

int tm_model_attach(struct tm_model *md, const struct tm_profile *p, struct machine *m)
{
    if (tm_model_init(md, p, m) < 0) return -1;
    md->handle = ev_subscribe_batch(&m->events,
                                    EV_MASK(EV_INSN) | EV_MASK(EV_BLOCK) | EV_MASK(EV_MEM) |
                                        EV_MASK(EV_EXCEPTION) | EV_MASK(EV_PRIV) |
                                        EV_MASK(EV_SYSREG) | EV_MASK(EV_TLB_FLUSH),
                                    tm_model_event, model_batch, md);
    if (md->handle < 0) {
        tm_model_destroy(md);
        return -1;
    }
    batch_costs(p, md->flow_cycles, &m->events.batch_cost[EV_INSN], &m->events.batch_cost[EV_MEM]);
    ev_batch_limit_changed(&m->events);
    md->t_guest = m->time;
    return 0;
}

void tm_model_destroy(struct tm_model *md)
{

    if (md->handle >= 0 && md->m) ev_unsubscribe(&md->m->events, md->handle);
    md->handle = -1;
    free(md->bht);
    free(md->btb);
    free(md->ras);
    free(md->blocks);
    md->blocks = NULL;
    md->bht = NULL;
    md->btb = NULL;
    md->ras = NULL;
    tm_cache_free(&md->l1i);
    tm_cache_free(&md->l1d);
    tm_cache_free(&md->l2);
    tm_cache_free(&md->itlb);
    tm_cache_free(&md->dtlb);
    tm_cache_free(&md->l2tlb);
}

uint64_t tm_model_clock(void *opaque)
{
    return ((const struct tm_model *)opaque)->t_guest;
}

uint64_t tm_model_misses(void *opaque)
{
    const struct tm_model_stats *s = &((const struct tm_model *)opaque)->st;
    return s->icache_misses + s->dcache_misses + s->itlb_misses + s->dtlb_misses;
}

unsigned tm_steps_cycles(const struct tm_steps *s)
{
    unsigned sum = 0;
    for (unsigned i = 0; i < s->n; i++)
        sum += s->step[i].cycles;
    return sum;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* The model priced an event (an instruction or a trap) that issued at cycle t, and updated the
 * pipeline state after it. Guest time becomes the horizon: the first cycle at which the next
 * instruction can issue (max(next_free, front_ready)), so an instruction that reads the time
 * (rdcycle, rdtsc) reads its own issue cycle unless it waits for an operand or a fetch miss; a
 * mispredict penalty, found at the next event, shows from the next instruction on. The core's one
 * tick for the event is part of the difference. tick_done: the core's tick came before the event
 * (EV_INSN, x86 EV_EXCEPTION); otherwise it comes right after (RISC-V EV_EXCEPTION). */
static inline __attribute__((always_inline)) void advance(struct tm_model *md, uint64_t t,
                                                          bool tick_done)
{
    md->now = t;
    uint64_t h = max64(max64(md->next_free, md->front_ready), md->horizon);
    uint64_t delta = h - md->horizon;
    md->horizon = h;
    md->st.cycles += delta;
    if (delta != 1) md->m->time += delta - 1; /* the core's tick is one of the delta cycles */
    /* Guest time as it was right after this event: in a batch, the core has already ticked for
     * the instructions after it (tick_lag of them). */
    uint64_t time = md->m->time - md->tick_lag;
    /* the event's own issue cycle in guest time, for the transition log */
    md->t_guest = time + (tick_done ? 0 : 1) - (h - t);
    /* The cores batch steps assuming one tick each; once guest time reaches the slice's end (a
     * device deadline or the cycle budget) ask the core to return, so a deadline is overshot by
     * at most this one instruction's (or trap's) cost. The rule reads guest time after the
     * event, which is the same whether events come one by one or in batches (events.h). */
    if (time >= md->m->limit_time) md->m->exit_request = 1;
}

/* ---- memory hierarchy ----------------------------------------------------------------------- */

/* Cycles of a miss in a first-level cache for the line at paddr: L2, then memory. */
static unsigned beyond_l1(struct tm_model *md, uint64_t paddr)
{
    const struct tm_profile *p = md->p;
    if (tm_cache_access(&md->l2, paddr, 0)) return p->l2.latency;
    md->st.l2_misses++;
    return p->l2.latency + p->mem_latency;
}

/* One page-table reference of the walker: through L1D and L2 (the walker shares the data-side
 * hierarchy, as Rocket's page-table walker does; assumption for the profiles). */
static unsigned walk_ref(struct tm_model *md, uint64_t pte_addr)
{
    if (tm_cache_access(&md->l1d, pte_addr, 0)) return md->p->l1d.latency;
    md->st.dcache_misses++;
    return md->p->l1d.latency + beyond_l1(md, pte_addr);
}

static bool read_pte(struct tm_model *md, uint64_t addr, unsigned size, uint64_t *pte)
{
    *pte = 0;
    return bus_copy_from_ram(&md->m->bus, addr, pte, size) == 0;
}

/* The walk for vaddr: the PTE addresses the hardware would read (read-only: the model never
 * changes guest memory; A/D updates are the functional MMU's), each through the caches. */
static unsigned page_walk(struct tm_model *md, uint64_t vaddr)
{
    const struct tm_profile *p = md->p;
    unsigned cycles = p->walk_overhead;
    md->st.walks++;
    if (is_riscv(md)) {
        /* Priv. spec 4.3.2 with Sv39 (4.4): a = satp.PPN * 4096; pte = a + VPN[i] * 8 */
        uint64_t a = (md->root & ((1ull << 44) - 1)) << 12;
        for (int level = 2; level >= 0; level--) {
            uint64_t pte_addr = a + ((vaddr >> (12 + 9 * level)) & 0x1ff) * 8, pte;
            cycles += walk_ref(md, pte_addr);
            if (!read_pte(md, pte_addr, 8, &pte) || !(pte & MMU_PTE_V)) break;
            if (pte & (MMU_PTE_R | MMU_PTE_X)) break; /* a leaf */
            a = (pte >> 10) << 12;
        }
    } else {
        /* SDM Vol. 3A 4.3, 32-bit paging: PDE at CR3[31:12] + va[31:22] * 4, PTE at
         * PDE[31:12] + va[21:12] * 4; a PDE with PS = 1 maps 4 MiB (no PTE read). Long mode's
         * four levels are priced as walk_levels references of the same cost as the PDE's. */
        uint64_t pde_addr = (md->root & 0xfffff000u) + ((vaddr >> 22) & 0x3ff) * 4, pde;
        cycles += walk_ref(md, pde_addr);
        if (p->walk_levels > 2) cycles += (p->walk_levels - 2) * walk_ref(md, pde_addr);
        if (read_pte(md, pde_addr, 4, &pde) && (pde & 1) && !(pde & 0x80))
            cycles += walk_ref(md, (pde & 0xfffff000u) + ((vaddr >> 12) & 0x3ff) * 4);
    }
    return cycles;
}

/* A first-level TLB miss: the second-level TLB, then the walk; cycles of the misses. */
static __attribute__((noinline)) unsigned tlb_miss(struct tm_model *md, uint64_t vaddr, bool fetch)
{
    if (fetch)
        md->st.itlb_misses++;
    else
        md->st.dtlb_misses++;
    if (tm_cache_access(&md->l2tlb, vaddr, md->asid)) return md->p->l2tlb.latency;
    return md->p->l2tlb.latency + page_walk(md, vaddr);
}

/* A translation through a first-level TLB and the second-level one; cycles of the misses. The
 * hit is inline: every fetch line and data access with paging on comes here. */
static inline __attribute__((always_inline)) unsigned
translate(struct tm_model *md, struct tm_cache *l1tlb, uint64_t vaddr, bool fetch)
{
    if (!md->paging) return 0;
    if (tm_cache_access_fast(l1tlb, vaddr, md->asid)) return 0;
    return tlb_miss(md, vaddr, fetch);
}

/* A data access through the D-TLB and L1D/L2: the cycles it stalls its instruction. */
static inline __attribute__((always_inline)) unsigned mem_lookup(struct tm_model *md,
                                                                 const struct ev *e)
{
    unsigned stall = md->paging ? translate(md, &md->dtlb, e->mem.vaddr, false) : 0;
    if (!tm_cache_access_fast(&md->l1d, e->mem.paddr, 0)) {
        md->st.dcache_misses++;
        unsigned miss = beyond_l1(md, e->mem.paddr);
        /* Stores drain through the store buffer: their misses do not stall issue. */
        if (e->mem.type != EV_MEM_WRITE) stall += miss;
    }
    return stall;
}

static inline void on_mem(struct tm_model *md, const struct ev *e)
{
    md->stall += mem_lookup(md, e);
}

/* A flush reported during an instruction's execution (EV_SYSREG satp, EV_TLB_FLUSH) comes before
 * that instruction's EV_INSN; it takes effect after the instruction's own fetch is priced. */
static void flush_tlbs(struct tm_model *md, uint64_t vaddr, uint32_t asid)
{
    tm_cache_flush(&md->itlb, vaddr, asid);
    tm_cache_flush(&md->dtlb, vaddr, asid);
    tm_cache_flush(&md->l2tlb, vaddr, asid);
}

static void apply_pending_flush(struct tm_model *md)
{
    if (!md->flush_pending) return;
    md->flush_pending = false;
    flush_tlbs(md, md->flush_vaddr, md->flush_asid);
}

static void defer_flush(struct tm_model *md, uint64_t vaddr, uint32_t asid)
{
    if (md->flush_pending && (md->flush_vaddr != vaddr || md->flush_asid != asid)) {
        vaddr = UINT64_MAX; /* two different flushes in one instruction: the union, roughly */
        asid = UINT32_MAX;
    }
    md->flush_pending = true;
    md->flush_vaddr = vaddr;
    md->flush_asid = asid;
}

/* ---- branch prediction ------------------------------------------------------------------------
 */

static uint8_t *bht_slot(struct tm_model *md, uint64_t pc)
{
    uint64_t i = pc >> 1;
    return &md->bht[md->bht_mask ? i & md->bht_mask : i % md->p->bht_entries];
}

/* (pc >> 1) % entries; a BTB of 28 entries (not a power of two) would divide at every branch,
 * so the last few indexes are remembered by pc. */
static uint64_t btb_index(struct tm_model *md, uint64_t pc)
{
    uint64_t i = pc >> 1;
    if (md->btb_mask) return i & md->btb_mask;
    struct tm_index_memo *memo = &md->btb_memo[i & (TM_INDEX_MEMO - 1)];
    if (memo->key != i + 1) {
        memo->key = i + 1;
        memo->index = i % md->p->btb_entries;
    }
    return memo->index;
}

static uint64_t *btb_slot(struct tm_model *md, uint64_t pc)
{
    return &md->btb[2 * btb_index(md, pc)];
}

/* Direct-mapped BTB: pairs (pc tag, target). Returns the predicted target or UINT64_MAX. */
static uint64_t btb_lookup(struct tm_model *md, uint64_t pc)
{
    if (!md->p->btb_entries) return UINT64_MAX;
    uint64_t *slot = btb_slot(md, pc);
    return slot[0] == pc + 1 ? slot[1] : UINT64_MAX;
}

static void btb_update(struct tm_model *md, uint64_t pc, uint64_t target)
{
    if (!md->p->btb_entries) return;
    uint64_t *slot = btb_slot(md, pc);
    slot[0] = pc + 1;
    slot[1] = target;
}

/* The last instruction was a branch; execution went on at next. */
static __attribute__((noinline)) bool resolve_pending(struct tm_model *md, uint64_t next)
{
    md->branch_pending = false;
    uint64_t pc = md->branch_pc;
    bool taken = next != md->branch_fallthrough, wrong;
    md->st.branches++;
    switch (md->branch_kind) {
    case BR_COND: {
        uint8_t *c = md->p->bht_entries ? bht_slot(md, pc) : NULL;
        bool predict_taken = c && *c >= 2;
        wrong = predict_taken != taken;
        if (c) *c = taken ? (*c < 3 ? *c + 1 : 3) : (*c ? *c - 1 : 0);
        if (taken) { /* btb_lookup, then btb_update, with the slot found once */
            uint64_t *slot = md->p->btb_entries ? btb_slot(md, pc) : NULL;
            wrong = wrong || !slot || slot[0] != pc + 1 || slot[1] != next;
            if (slot) {
                slot[0] = pc + 1;
                slot[1] = next;
            }
        }
        break;
    }
    case BR_RETURN: {
        uint64_t predicted = UINT64_MAX;
        if (md->ras_depth) {
            md->ras_depth--;
            /* (top + n - 1) % n for top < n */
            md->ras_top = md->ras_top ? md->ras_top - 1 : md->p->ras_entries - 1;
            predicted = md->ras[md->ras_top];
        }
        wrong = predicted != next;
        break;
    }
    default: /* direct and indirect jumps: the BTB */
        wrong = btb_lookup(md, pc) != next;
        btb_update(md, pc, next);
        break;
    }
    if (md->branch_call && md->p->ras_entries) {
        md->ras[md->ras_top] = md->branch_fallthrough;
        md->ras_top = md->ras_top + 1 < md->p->ras_entries ? md->ras_top + 1 : 0;
        if (md->ras_depth < md->p->ras_entries) md->ras_depth++;
    }
    if (wrong) {
        md->st.mispredicts++;
        md->front_ready = max64(md->front_ready, md->branch_issue + 1 + md->p->mispredict);
    }
    return wrong;
}

/* resolve_pending's common case inline: a conditional branch predicted right, its counter found
 * by mask. It updates the counter as resolve_pending would (a right prediction
 * moves it to the saturated end: 2 or 3 to 3 when taken, 0 or 1 to 0 when not; the BTB slot
 * already holds the target). false: not that case, nothing changed. */
static inline bool resolve_predicted_cond(struct tm_model *md, uint64_t next)
{
    if (md->branch_kind != BR_COND || md->branch_call || !md->bht_mask) return false;
    uint64_t pc = md->branch_pc;
    uint8_t *c = &md->bht[(pc >> 1) & md->bht_mask];
    if (next != md->branch_fallthrough) {
        if (*c < 2 || !md->p->btb_entries) return false;
        const uint64_t *slot = btb_slot(md, pc); /* by mask, or the index memo (U74: 28) */
        if (slot[0] != pc + 1 || slot[1] != next) return false;
        *c = 3;
    } else {
        if (*c >= 2) return false;
        *c = 0;
    }
    md->branch_pending = false;
    md->st.branches++;
    return true;
}

static inline void resolve_branch(struct tm_model *md, uint64_t next)
{
    if (md->branch_pending) resolve_pending(md, next);
}

/* ---- instructions -----------------------------------------------------------------------------
 */

/* Registers of a RISC-V instruction word by its major opcode (unpriv. spec 2.2-2.3, chapter 24):
 * which of rd, rs1, rs2 the format has. Floating-point opcodes name f registers: none here. */
static void rv_regs(uint32_t w, unsigned *rd, unsigned *rs1, unsigned *rs2)
{
    unsigned op = w & 0x7f, d = (w >> 7) & 31, s1 = (w >> 15) & 31, s2 = (w >> 20) & 31;
    *rd = *rs1 = *rs2 = 0;
    switch (op) {
    case 0x37:
    case 0x17:
    case 0x6f: *rd = d; break; /* U, J */
    case 0x67:
    case 0x03:
    case 0x13:
    case 0x1b:
        *rd = d;
        *rs1 = s1;
        break; /* I */
    case 0x73: /* SYSTEM: CSR */
        *rd = d;
        if (!((w >> 14) & 1)) *rs1 = s1; /* csrrw/s/c read rs1; the i forms an immediate */
        break;
    case 0x33:
    case 0x3b:
    case 0x2f:
        *rd = d;
        *rs1 = s1;
        *rs2 = s2;
        break; /* R, AMO */
    case 0x23:
    case 0x63:
        *rs1 = s1;
        *rs2 = s2;
        break; /* S, B */
    default: break;
    }
}

/* Set bits of a pipe mask (no popcnt instruction in the x86-64 baseline: a nibble table). */
static inline unsigned bits8(uint8_t v)
{
    static const uint8_t nibble[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
    return nibble[v & 15] + nibble[v >> 4];
}

/* Can an instruction using pipes mask join the group issued in the current cycle? Two
 * instructions that each have only the same one pipe cannot pair; the group's pipes must number
 * more than its instructions. */
static inline bool fits_group(const struct tm_model *md, uint8_t mask)
{
    if (!mask || md->group_n == 0 || md->group_n >= md->p->issue_width || md->group_alone)
        return false;
    if (!(mask & (mask - 1)) && (md->group_single & mask)) return false;
    return bits8(md->group_union | mask) > md->group_n;
}

static inline uint8_t single_pipe(uint8_t mask)
{
    return mask & (mask - 1) ? 0 : mask;
}

static bool is_xret(uint32_t w)
{
    return w == 0x10200073u || w == 0x30200073u; /* sret, mret (priv. spec 3.3.2) */
}

/* The static facts of the instruction of e: everything on_insn derives from its word and class
 * alone (the reference computation; insn_info memoizes it). */
static void info_compute(const struct tm_model *md, uint32_t raw, uint16_t op_class,
                         struct tm_insn_info *s)
{
    const struct tm_profile *p = md->p;
    unsigned cls = op_class < TM_MAX_CLASSES ? op_class : 0;
    unsigned rd = 0, rs1 = 0, rs2 = 0;
    memset(s, 0, sizeof *s);
    s->raw = raw;
    s->op_class = op_class;
    s->x86_flow = TM_X86_FLOW_COUNT;
    if (is_riscv(md)) rv_regs(raw, &rd, &rs1, &rs2);
    s->cls = (uint8_t)cls;
    s->rd = (uint8_t)rd;
    s->rs1 = (uint8_t)rs1;
    s->rs2 = (uint8_t)rs2;
    s->mask = p->pipes[cls];
    s->unpipelined = p->unpipelined[cls];
    s->latency = p->latency[cls];
    if (is_riscv(md) && cls == RV_OPC_DIV && (raw & 0x7f) == 0x3b)
        s->latency = p->div32_latency; /* divw, remw, ... */
    s->issue = p->issue[cls] ? p->issue[cls] : 1;

    /* What this instruction does to the front end after it (the fixed part). */
    if (is_riscv(md)) {
        if (is_xret(raw)) {
            s->refill = p->xret_flush;
            s->xret = true;
        } else if (cls == RV_OPC_FENCE) {
            s->refill = p->fence_cost;
        } else if (raw == 0x00000073u || raw == 0x00100073u) {
            s->refill = 0; /* ecall/ebreak trap: priced at EV_EXCEPTION */
        } else if ((raw & 0xfe007fffu) == 0x12000073u) {
            s->refill = p->sfence_cost; /* sfence.vma */
        }
    } else {
        s->x86_iret = cls == X86C_INT; /* IRET (INT n retires after its priced delivery) */
        s->x86_flow = x86_class_flow(cls);
    }

    /* Control flow: resolved by the next event's pc. */
    uint8_t kind = BR_NONE;
    bool call = false;
    if (is_riscv(md)) {
        unsigned op = raw & 0x7f;
        bool link_rd = rd == 1 || rd == 5, link_rs = rs1 == 1 || rs1 == 5;
        if (op == 0x63) {
            kind = BR_COND;
        } else if (op == 0x6f) {
            kind = BR_JUMP;
            call = link_rd;
        } else if (op == 0x67) {
            /* unpriv. spec 2.5, table 2.1: RAS hints by rd/rs1 being x1 or x5 */
            kind = (!link_rd && link_rs) ? BR_RETURN : BR_INDIRECT;
            call = link_rd;
        }
    } else {
        if (cls == X86C_BRANCH) kind = BR_COND;
        if (cls == X86C_CALL) {
            kind = BR_INDIRECT;
            call = true;
        }
        if (cls == X86C_RET) kind = BR_RETURN;
    }
    s->branch_kind = kind;
    s->call = call;
}

/* The instruction at pc whose ev_insn_key is key. */
static inline const struct tm_insn_info *insn_info_of(struct tm_model *md, uint64_t pc,
                                                      uint64_t key)
{
    /* Indexed by pc (a loop's instructions get distinct slots), checked by word and class. */
    uint32_t raw = (uint32_t)(key >> 32);
    uint16_t op_class = (uint16_t)key;
    struct tm_insn_info *s = &md->info[(pc >> 1) & (TM_INFO_MEMO - 1)];
    if (__builtin_expect(s->raw != raw || s->op_class != op_class || md->memo_off, 0))
        info_compute(md, raw, op_class, s);
    return s;
}

static inline const struct tm_insn_info *insn_info(struct tm_model *md, const struct ev *e)
{
    return insn_info_of(md, e->pc, ev_insn_key(e));
}

/* The fetch of the instruction at pc: I-TLB and L1I (virtually indexed; see README). Returns the
 * miss cycles. */
static inline __attribute__((always_inline)) unsigned fetch_lookup(struct tm_model *md, uint64_t pc)
{
    unsigned fetch = md->paging ? translate(md, &md->itlb, pc, true) : 0;
    if (!tm_cache_access_fast(&md->l1i, pc, md->asid)) {
        md->st.icache_misses++;
        fetch += beyond_l1(md, pc);
    }
    return fetch;
}

/* The pipeline part of an instruction (on_insn after the lookups): issue against the scoreboard,
 * the issue group and the front end, given its fetch miss cycles and the stall of its data
 * accesses; then its effect on the front end, guest time, and the branch it leaves pending. */
static inline __attribute__((always_inline)) void pipeline(struct tm_model *md,
                                                           const struct tm_insn_info *s,
                                                           uint64_t pc, uint8_t len, unsigned fetch,
                                                           uint64_t stall)
{
    const struct tm_profile *p = md->p;
    unsigned cls = s->cls;
    uint64_t ready = max64(md->reg_ready[s->rs1], md->reg_ready[s->rs2]);
    if (s->unpipelined) ready = max64(ready, md->unit_busy[cls]);
    uint64_t load_ready = ready;
    uint8_t mask = s->mask;
    uint64_t t;
    if (!fetch && ready <= md->now && md->front_ready <= md->now && fits_group(md, mask)) {
        t = md->now; /* dual issue with the instruction(s) before */
        md->group_n++;
        md->group_union |= mask;
        md->group_single |= single_pipe(mask);
    } else {
        t = max64(max64(md->next_free, md->front_ready), ready);
        if (fetch) t = max64(max64(md->next_free, md->front_ready) + fetch, ready);
        if (load_ready > max64(md->next_free, md->front_ready) && load_ready == t)
            md->st.load_use_stalls++;
        md->group_n = 1;
        md->group_union = mask;
        md->group_single = single_pipe(mask);
        md->group_alone = !mask;
    }
    if (s->rd) md->reg_ready[s->rd] = t + s->latency + stall;
    if (s->unpipelined) md->unit_busy[cls] = t + s->latency;
    md->next_free = t + s->issue + stall;
    md->st.insns++;

    /* What this instruction does to the front end after it. */
    unsigned refill = s->refill;
    if (is_riscv(md)) {
        md->st.xrets += s->xret;
        if (md->csr_written) {
            refill = refill > p->csr_write_serialize ? refill : p->csr_write_serialize;
            md->st.serializations++;
        }
    } else {
        if (s->x86_iret) {
            refill = md->flow_cycles[TM_X86_IRET_SAME];
            if (md->priv_changed) refill += md->flow_cycles[TM_X86_IRET_OUTER];
            md->st.xrets++;
        }
        /* SYSCALL, SYSRET, SYSENTER, SYSEXIT, SWAPGS: their own step table, by class (a
         * faulting one raises its exception instead and never gets here) */
        if (s->x86_flow < TM_X86_FLOW_COUNT) refill += md->flow_cycles[s->x86_flow];
    }
    md->csr_written = false;
    md->priv_changed = false;
    if (refill) {
        md->front_ready = max64(md->front_ready, t + refill);
        md->group_alone = true;
    }
    advance(md, t, true);

    /* Control flow: resolved by the next event's pc. */
    if (s->branch_kind != BR_NONE) {
        md->branch_pending = true;
        md->branch_kind = s->branch_kind;
        md->branch_call = s->call;
        md->branch_pc = pc;
        md->branch_fallthrough = pc + len;
        md->branch_issue = t;
    }
}

static inline __attribute__((always_inline)) void on_insn(struct tm_model *md, const struct ev *e)
{
    resolve_branch(md, e->pc);
    /* x86 INT n retires after its delivery, which was priced at its EV_EXCEPTION. */
    if (__builtin_expect(md->soft_int_pending, 0)) {
        md->soft_int_pending = false;
        if (e->pc == md->soft_int_pc) {
            md->st.insns++;
            advance(md, md->now, true);
            return;
        }
    }
    const struct tm_insn_info *s = insn_info(md, e);
    unsigned fetch = fetch_lookup(md, e->pc);
    apply_pending_flush(md);
    uint64_t stall = md->stall;
    md->stall = 0;
    pipeline(md, s, e->pc, e->insn.len, fetch, stall);
}

/* A trap: the instruction at the commit point does not complete; the front end refills. */
static void on_exception(struct tm_model *md, const struct ev *e)
{
    const struct tm_profile *p = md->p;
    resolve_branch(md, e->pc);
    uint64_t t = max64(md->next_free, md->front_ready);
    unsigned refill;
    if (is_riscv(md)) {
        refill = p->trap_flush;
    } else {
        refill = md->flow_cycles[TM_X86_INT_SAME];
        md->soft_int_pending = !e->exception.interrupt;
        md->soft_int_pc = e->pc;
    }
    md->stall = 0; /* the accesses of an instruction that faulted are replayed */
    apply_pending_flush(md);
    md->st.traps++;
    md->next_free = t + 1;
    md->front_ready = t + refill;
    md->group_n = 0;
    /* RISC-V: the core ticks after EV_EXCEPTION; x86 before. */
    advance(md, t, !is_riscv(md));
}

static void on_priv(struct tm_model *md, const struct ev *e)
{
    md->priv = e->priv.to;
    md->priv_changed = true;
    if (is_riscv(md)) {
        md->paging = md->priv < 3 && (md->root >> 60) != 0; /* M-mode is not translated */
        return;
    }
    switch (e->priv.mech) {
    case EV_MECH_INT:
    case EV_MECH_EXCEPTION:
    case EV_MECH_INTERRUPT:
        /* SDM Vol. 3A 6.12.1: to an inner level, SS:ESP from the TSS, then the old SS:ESP pushed:
         * on top of the same-level delivery priced at EV_EXCEPTION */
        if (e->priv.to < e->priv.from) md->front_ready += md->flow_cycles[TM_X86_INT_STACK];
        break;
    default: break; /* the fast system calls: priced by their class in on_insn */
    }
}

/* Address-space switches: satp (priv. spec 4.1.11) and CR0/CR3 (SDM Vol. 3A 4.10.4.1). */
static void on_sysreg(struct tm_model *md, const struct ev *e)
{
    const struct tm_profile *p = md->p;
    if (e->sysreg.space == EV_SYSREG_CSR) {
        md->csr_written = true;
        if (e->sysreg.number != RV_CSR_satp) return;
        md->root = e->sysreg.new_value;
        uint32_t asid_mask = p->asid_bits ? (1u << p->asid_bits) - 1 : 0;
        md->asid = (uint32_t)(e->sysreg.new_value >> 44) & 0xffff & asid_mask;
        md->paging = md->priv < 3 && (md->root >> 60) != 0;
        /* Without ASIDs a switch leaves no entry usable: flush. With ASIDs the entries of other
         * address spaces stay; stale ones of this ASID are software's to sfence (4.2.1). The core
         * also reports the write as an EV_TLB_FLUSH of everything: that one is this rule's. */
        if (!p->asid_bits) defer_flush(md, UINT64_MAX, UINT32_MAX);
        md->satp_flush_pending = true;
        md->satp_flush_pc = e->pc;
    } else if (e->sysreg.space == EV_SYSREG_CR) {
        if (e->sysreg.number == 0) md->paging = (e->sysreg.new_value >> 31) & 1;
        if (e->sysreg.number == 3) md->root = e->sysreg.new_value;
    }
}

static void on_tlb_flush(struct tm_model *md, const struct ev *e)
{
    if (md->satp_flush_pending && e->pc == md->satp_flush_pc) {
        md->satp_flush_pending = false;
        return;
    }
    /* sfence.vma rs1/rs2 (priv. spec 4.2.1), invlpg (one page), CR3 writes (everything but
     * global pages; no PCID here): the event says which addresses and address spaces. */
    uint32_t asid = e->tlb_flush.asid == UINT32_MAX ? UINT32_MAX : e->tlb_flush.asid;
    if (asid != UINT32_MAX && md->p->asid_bits)
        asid &= (1u << md->p->asid_bits) - 1;
    else if (asid != UINT32_MAX)
        asid = 0;
    defer_flush(md, e->tlb_flush.vaddr, asid);
}

static void consume_pending(struct tm_model *md);

void tm_model_event(void *opaque, const struct ev *e)
{
    struct tm_model *md = opaque;
    md->link_from = NULL;               /* the state changes here */
    if (md->npend) consume_pending(md); /* a batch's last accesses come before this event */
    if (__builtin_expect(e->kind == EV_INSN, 1)) {
        on_insn(md, e);
        return;
    }
    if (e->kind == EV_MEM) {
        on_mem(md, e);
        return;
    }
    switch (e->kind) {
    case EV_MEM: on_mem(md, e); break;
    case EV_EXCEPTION: on_exception(md, e); break;
    case EV_PRIV: on_priv(md, e); break;
    case EV_SYSREG: on_sysreg(md, e); break;
    case EV_TLB_FLUSH: on_tlb_flush(md, e); break;
    default: break;
    }
}

/* ---- blocks (timing.h, struct tm_block) ---------------------------------------------------- */

static inline uint64_t insn_key(const struct ev *e)
{
    return ev_insn_key(e);
}

/* x relative to now; 0 for any cycle at or before it. */
static inline uint64_t rel(uint64_t x, uint64_t now)
{
    return x > now ? x - now : 0;
}

/* The pipeline state before a block, relative to md->now; false when a value does not fit. */
static bool entry_state(const struct tm_model *md, struct tm_block_state *in)
{
    uint64_t h = rel(md->horizon, md->now), nf = rel(md->next_free, md->now),
             fr = rel(md->front_ready, md->now);
    memset(in, 0, sizeof *in);
    in->horizon = (uint32_t)h;
    in->next_free = (uint32_t)nf;
    in->front_ready = (uint32_t)fr;
    in->group_n = md->group_n;
    in->group_union = md->group_union;
    in->group_single = md->group_single;
    in->group_alone = md->group_alone;
    return (h | nf | fr) <= UINT32_MAX;
}

static inline bool same_state(const struct tm_block_state *a, const struct tm_block_state *b)
{
    return a->horizon == b->horizon && a->next_free == b->next_free &&
           a->front_ready == b->front_ready && a->group_n == b->group_n &&
           a->group_union == b->group_union && a->group_single == b->group_single &&
           a->group_alone == b->group_alone;
}

/* The registers b reads before writing them are as ready as when it was priced. */
static inline bool live_ready(const struct tm_model *md, const struct tm_block *b)
{
    for (unsigned k = 0; k < b->nlive; k++)
        if (rel(md->reg_ready[b->live_reg[k]], md->now) != b->live_ready[k]) return false;
    return true;
}

/* The memo slot of a block at pc entered in state in: one block may be kept for several entry
 * states (an x86 loop entered from different issue groups). */
static inline unsigned block_slot(uint64_t pc, const struct tm_block_state *in)
{
    uint64_t h = (pc >> 1) ^ (uint64_t)in->horizon * 0x9e3779b1u ^
                 (uint64_t)in->next_free * 0x85ebca6bu ^ (uint64_t)in->front_ready * 0xc2b2ae35u ^
                 (uint64_t)in->group_n << 3 ^ (uint64_t)in->group_union << 7 ^
                 (uint64_t)in->group_alone << 11;
    return (unsigned)(h ^ h >> 17) & (TM_BLOCKS - 1);
}

/* The instructions of a block being priced, gathered by run_block (from EV_INSN events) or
 * run_desc (from a core's EV_BLOCK) with their lookups made, in the order of one event per
 * instruction. */
struct blk {
    unsigned count;
    bool hit;     /* the memo slot b holds this block for this entry state */
    bool whole;   /* the block is complete: it may be replayed or recorded */
    bool quiet;   /* no fetch miss and no data stall in it */
    bool in_fits; /* the entry state fits a struct tm_block_state */
    struct tm_block_state in;
    struct tm_block *b;
    const struct ev_block *desc; /* run_desc's block, for the memo; NULL: from events */
    uint64_t pc[TM_BLOCK_INSNS], key[TM_BLOCK_INSNS];
    unsigned fetch[TM_BLOCK_INSNS]; /* fetch miss cycles */
    uint64_t stall[TM_BLOCK_INSNS]; /* data stall cycles of the instruction's accesses */
    uint64_t time[TM_BLOCK_INSNS];  /* out: each instruction's first cycle (the stamps) */
    uint8_t nsched, nmem, sched[TM_BLOCK_INSNS + TM_BLOCK_MEMS], mem_k[TM_BLOCK_MEMS];
    struct tm_insn_info info[TM_BLOCK_INSNS]; /* copies when !hit (x86 pcs share memo slots) */
};

static inline uint8_t key_len(uint64_t key)
{
    return (uint8_t)(key >> 16); /* ev_insn_key: len at byte 2 */
}

static inline uint64_t all_misses(const struct tm_model *md)
{
    return md->st.icache_misses + md->st.dcache_misses + md->st.itlb_misses + md->st.dtlb_misses;
}

/* Replays the memo block b, whose last instruction is at last_pc (ev_insn_key last_key): the state
 * after it, guest time, counters, and the branch it ends with. Returns the stamp base: the first
 * cycle of instruction k is base + b->issue[k]. */
static inline __attribute__((always_inline)) uint64_t
block_replay_at(struct tm_model *md, const struct tm_block *b, uint64_t last_pc, uint64_t last_key)
{
    uint64_t now0 = md->now, h0 = md->horizon;
    /* guest time after an instruction = time before the block + its horizon's advance, so its
     * first cycle (advance: time - (horizon - issue)) = time before - h0 + issue */
    uint64_t base = md->m->time - md->tick_lag - h0 + now0;
    for (unsigned k = 0; k < b->nout; k++)
        md->reg_ready[b->out_reg[k]] = now0 + b->out_ready[k];
    md->now = now0 + b->out_now;
    md->horizon = now0 + b->out.horizon;
    md->next_free = now0 + b->out.next_free;
    md->front_ready = now0 + b->out.front_ready;
    md->group_n = b->out.group_n;
    md->group_union = b->out.group_union;
    md->group_single = b->out.group_single;
    md->group_alone = b->out.group_alone;
    md->st.insns += b->n;
    md->st.load_use_stalls += b->load_use_stalls;
    md->st.xrets += b->xrets;
    /* advance() once for the whole block: each instruction's tick is already in m->time */
    uint64_t delta = md->horizon - h0;
    md->st.cycles += delta;
    md->m->time += delta - b->n;
    md->tick_lag -= b->n;
    uint64_t time = md->m->time - md->tick_lag;
    md->t_guest = time - (md->horizon - md->now);
    if (time >= md->m->limit_time) md->m->exit_request = 1;
    if (b->last_kind != BR_NONE) {
        md->branch_pending = true;
        md->branch_kind = b->last_kind;
        md->branch_call = b->last_call;
        md->branch_pc = last_pc;
        md->branch_fallthrough = last_pc + key_len(last_key);
        md->branch_issue = now0 + b->out_branch;
    }
    return base;
}

/* block_replay_at for the block gathered in w. */
static inline __attribute__((always_inline)) uint64_t block_replay(struct tm_model *md,
                                                                   const struct blk *w)
{
    return block_replay_at(md, w->b, w->pc[w->b->n - 1], w->key[w->b->n - 1]);
}

/* Prices w one instruction at a time, and records it in its memo slot when it may be replayed
 * later (whole, quiet, no branch before its last instruction, every value in range). */
static inline __attribute__((always_inline)) void block_price(struct tm_model *md, struct blk *w)
{
    md->block_runs++;
    unsigned count = w->count;
    bool record = w->quiet && w->whole && w->in_fits;
    /* recorded in place (a copy of the whole entry cost more than the pricing), the slot
     * emptied if the block turns out not to be recordable */
    struct tm_block *rec = record ? w->b : &md->block_scratch;
    rec->gen++; /* the links to what the slot held no longer hold */
    rec->next = NULL;
    rec->in = w->in;
    uint64_t now0 = md->now, lu0 = md->st.load_use_stalls, xr0 = md->st.xrets;
    uint32_t written = 0, live = 0;
    rec->nlive = rec->nout = 0;
    const struct tm_insn_info *s = NULL;
    for (unsigned k = 0; k < count; k++) {
        if (k) {
            if (md->branch_pending) record = false; /* a branch inside (a core's block) */
            resolve_branch(md, w->pc[k]);
        }
        s = w->hit ? insn_info_of(md, w->pc[k], w->key[k]) : &w->info[k];
        if (record) {
            uint8_t src[2] = {s->rs1, s->rs2};
            for (unsigned r = 0; r < 2; r++) {
                uint32_t bit = 1u << src[r];
                if (!src[r] || ((written | live) & bit)) continue;
                live |= bit;
                rec->live_reg[rec->nlive] = src[r];
                rec->live_ready[rec->nlive++] = (uint32_t)rel(md->reg_ready[src[r]], now0);
                if (rel(md->reg_ready[src[r]], now0) > UINT32_MAX) record = false;
            }
            if (s->rd) written |= 1u << s->rd;
            if (s->unpipelined) record = false; /* the unit's busy time is not in the state */
            rec->key[k] = w->key[k];
        }
        md->tick_lag--;
        pipeline(md, s, w->pc[k], key_len(w->key[k]), w->fetch[k], w->stall[k]);
        rec->issue[k] = (uint32_t)(md->now - now0);
        w->time[k] = md->t_guest;
    }
    if (!record || md->now - now0 > UINT32_MAX || md->horizon - now0 > UINT32_MAX ||
        md->next_free - now0 > UINT32_MAX || rel(md->front_ready, now0) > UINT32_MAX) {
        rec->n = 0;
        return;
    }
    rec->pc = w->pc[0];
    rec->nsched = w->desc ? w->nsched : TM_SCHED_NONE;
    rec->nmem = w->nmem;
    if (rec->nsched != TM_SCHED_NONE) {
        memcpy(rec->sched, w->sched, w->nsched);
        memcpy(rec->mem_k, w->mem_k, w->nmem);
    }
    rec->desc = w->desc;
    rec->desc_id = w->desc ? w->desc->id : 0;
    rec->n = (uint8_t)count;
    for (unsigned r = 1; r < 32; r++)
        if (written & (1u << r)) {
            rec->out_reg[rec->nout] = (uint8_t)r;
            rec->out_ready[rec->nout++] = (uint32_t)(md->reg_ready[r] - now0);
        }
    rec->out.horizon = (uint32_t)(md->horizon - now0);
    rec->out.next_free = (uint32_t)(md->next_free - now0);
    rec->out.front_ready = (uint32_t)rel(md->front_ready, now0);
    rec->out.group_n = md->group_n;
    rec->out.group_union = md->group_union;
    rec->out.group_single = md->group_single;
    rec->out.group_alone = md->group_alone;
    rec->out_now = (uint32_t)(md->now - now0);
    rec->out_branch = (uint32_t)(md->branch_issue - now0);
    rec->last_kind = s->branch_kind;
    rec->last_call = s->call;
    rec->load_use_stalls = (uint16_t)(md->st.load_use_stalls - lu0);
    rec->xrets = (uint8_t)(md->st.xrets - xr0);
}

/* The memo slot for a block at pc0 entered in the current state. */
static inline void block_enter(struct tm_model *md, struct blk *w, uint64_t pc0)
{
    resolve_branch(md, pc0);
    w->in_fits = entry_state(md, &w->in);
    w->b = &md->blocks[block_slot(pc0, &w->in)];
}

/* Prices the straight-line instructions from events[i] (an EV_INSN) to the first branch, at most
 * TM_BLOCK_INSNS: first the lookups every instruction makes whatever the pipeline state (caches,
 * TLBs, and the predictor for the branch before), in event order; then the pipeline, replayed
 * from the block memo when the block and its entry state recur and nothing missed, else one
 * instruction at a time (recording the block when it may be replayed). Returns the index of
 * the first event after the block. */
static unsigned run_block(struct tm_model *md, struct ev *events, unsigned i, unsigned n)
{
    uint64_t pc0 = events[i].pc;
    struct blk w;
    block_enter(md, &w, pc0);
    struct tm_block *b = w.b;
    w.desc = NULL;
    w.nsched = TM_SCHED_NONE;
    w.nmem = 0;
    w.hit = w.in_fits && b->n && b->pc == pc0 && !b->desc && same_state(&w.in, &b->in);
    unsigned idx[TM_BLOCK_INSNS], count, j;
    uint64_t misses[TM_BLOCK_INSNS], acc;

    /* One pass over the events: the block's extent (the memo's instructions at consecutive
     * addresses, or up to the first branch), and the lookups, in event order (an instruction's
     * data accesses come before it). A fetch from the line of the instruction before hits in
     * L1I and the I-TLB: nothing else touched them since, and a repeated hit changes no state
     * (tm_cache_access_fast), so it is not looked up again. */
    unsigned shift = md->l1i.sets ? md->l1i.line_shift : 12;
again:
    count = 0;
    w.whole = false;
    w.quiet = true;
    acc = md->stall;
    uint64_t pc = pc0, line = UINT64_MAX;
    for (j = i; j < n; j++) {
        struct ev *e = &events[j];
        if (e->kind == EV_MEM) {
            if (!md->m->events.blocks) { /* then the next instruction's is an EV_INSN */
                acc += mem_lookup(md, e);
                continue;
            }
            /* The accesses of the next instruction, looked up here when it is an EV_INSN of
             * this batch; those of a core's EV_BLOCK (which come before it, for all of its
             * instructions) or of the next batch's wait for it (md->pend). */
            unsigned q = j + 1;
            while (q < n && events[q].kind == EV_MEM)
                q++;
            if (q == n || events[q].kind != EV_INSN) break;
            for (; j < q; j++)
                acc += mem_lookup(md, &events[j]);
            e = &events[j];
        }
        if (e->kind != EV_INSN) break; /* a core's EV_BLOCK: run_desc's */
        if (e->pc != pc) break;        /* not straight on (x86 far transfers): the next block's */
        uint64_t key = insn_key(e);
        if (w.hit) {
            if (key != b->key[count]) {
                if (count) break;
                w.hit = false; /* another block at this pc: nothing looked up yet */
                goto again;
            }
        } else {
            w.info[count] = *insn_info(md, e);
        }
        uint64_t this_line = e->pc >> shift;
        w.fetch[count] = this_line == line ? 0 : fetch_lookup(md, e->pc);
        line = this_line;
        w.stall[count] = acc;
        if (md->stamp) misses[count] = all_misses(md);
        w.quiet = w.quiet && !w.fetch[count] && !acc;
        acc = 0;
        w.pc[count] = e->pc;
        w.key[count] = key;
        idx[count++] = j;
        pc = e->pc + e->insn.len;
        if (w.hit ? count == b->n
                  : w.info[count - 1].branch_kind != BR_NONE || count == TM_BLOCK_INSNS) {
            w.whole = true;
            j++;
            break;
        }
    }
    md->stall = acc; /* accesses of the instruction after the block */
    w.count = count;

    if (w.hit && w.whole && w.quiet && live_ready(md, b)) {
        md->block_hits++;
        uint64_t base = block_replay(md, &w);
        if (md->stamp)
            for (unsigned k = 0; k < count; k++) {
                md->stamps[idx[k]].time = base + b->issue[k];
                md->stamps[idx[k]].misses = misses[k];
            }
        return j;
    }
    block_price(md, &w);
    if (md->stamp)
        for (unsigned k = 0; k < count; k++) {
            md->stamps[idx[k]].time = w.time[k];
            md->stamps[idx[k]].misses = misses[k];
        }
    return j;
}

/* The EV_MEMs held for the next instruction, looked up now (they stall it: on_mem). */
static void consume_pending(struct tm_model *md)
{
    for (unsigned j = 0; j < md->npend; j++)
        on_mem(md, md->pend[j]);
    md->npend = 0;
}

static void stamp_block(struct tm_stamp *s, uint64_t time_first, uint64_t misses_first,
                        uint64_t time, uint64_t misses)
{
    s->time_first = time_first;
    s->misses_first = misses_first;
    s->time = time;
    s->misses = misses;
}

/* A core's EV_BLOCK as its EV_INSNs, one at a time (the reference; part of a block, or a block
 * after an event that on_insn must see). */
static void desc_one_by_one(struct tm_model *md, const struct ev *e, struct tm_stamp *stamp)
{
    const struct ev_block *d = e->block.desc;
    unsigned j = 0;
    uint64_t time_first = 0, misses_first = 0;
    for (unsigned k = 0; k < e->block.n; k++) {
        unsigned i = e->block.first + k;
        struct ev one = {.kind = EV_INSN, .pc = d->pc + d->offset[i]};
        memcpy(&one.insn, &d->key[i], sizeof d->key[i]);
        while (j < md->npend && md->pend[j]->pc <= one.pc)
            on_mem(md, md->pend[j++]);
        md->tick_lag--;
        on_insn(md, &one);
        if (k == 0) {
            time_first = md->t_guest;
            misses_first = all_misses(md);
        }
    }
    while (j < md->npend)
        on_mem(md, md->pend[j++]);
    md->npend = 0;
    stamp_block(stamp, time_first, misses_first, md->t_guest, all_misses(md));
}

/* The accesses waiting in md->pend are those of the instructions of b's schedule. */
static inline bool same_accesses(const struct tm_model *md, const struct tm_block *b,
                                 const struct ev_block *d)
{
    if (b->nsched == TM_SCHED_NONE || md->npend != b->nmem) return false;
    for (unsigned j = 0; j < b->nmem; j++)
        if (md->pend[j]->pc != d->pc + d->offset[b->mem_k[j]]) return false;
    return true;
}

/* run_desc's block after its schedule's lookups, when something missed or the registers it
 * reads are not as ready as when it was recorded: priced one instruction at a time, with the
 * lookups' cycles by instruction. */
static __attribute__((noinline)) void desc_price_scheduled(struct tm_model *md, const struct ev *e,
                                                           struct tm_stamp *stamp, struct blk *w,
                                                           const uint64_t *cycles, uint64_t any,
                                                           uint64_t carried, uint64_t misses_first)
{
    const struct ev_block *d = e->block.desc;
    const struct tm_block *b = w->b;
    unsigned n = e->block.n;
    w->desc = d;
    w->whole = true;
    w->count = n;
    memset(w->fetch, 0, n * sizeof w->fetch[0]);
    memset(w->stall, 0, n * sizeof w->stall[0]);
    w->stall[0] = carried;
    for (unsigned i = 0, j = 0; i < b->nsched; i++) {
        uint8_t op = b->sched[i];
        if (op & TM_SCHED_FETCH)
            w->fetch[op & ~TM_SCHED_FETCH] = (unsigned)cycles[i];
        else
            w->stall[b->mem_k[j++]] += cycles[i];
    }
    w->quiet = !any;
    w->nsched = b->nsched;
    w->nmem = b->nmem;
    memcpy(w->sched, b->sched, b->nsched);
    memcpy(w->mem_k, b->mem_k, b->nmem);
    for (unsigned k = 0; k < n; k++) {
        w->pc[k] = d->pc + d->offset[k];
        w->key[k] = d->key[k];
    }
    block_price(md, w);
    stamp_block(stamp, w->time[0], misses_first, w->time[n - 1], all_misses(md));
}

/* run_desc's block without a schedule to follow (not in the memo for this entry state, or its
 * accesses came from other instructions): the walk over its instructions, which records the
 * schedule. */
static __attribute__((noinline)) void desc_walk(struct tm_model *md, const struct ev *e,
                                                struct tm_stamp *stamp, struct blk *w)
{
    const struct ev_block *d = e->block.desc;
    struct tm_block *b = w->b;
    unsigned n = e->block.n;
    uint64_t pc0 = d->pc, misses_first = 0;
    w->desc = d;
    w->whole = true;
    w->count = n;
    w->quiet = true;
    w->nsched = w->nmem = 0;
    unsigned shift = md->l1i.sets ? md->l1i.line_shift : 12, j = 0, np = md->npend;
    uint64_t acc = md->stall, line = UINT64_MAX;
    for (unsigned k = 0; k < n; k++) {
        uint64_t pc = pc0 + d->offset[k];
        while (j < np && md->pend[j]->pc <= pc) {
            acc += mem_lookup(md, md->pend[j++]);
            if (w->nsched != TM_SCHED_NONE && w->nmem < TM_BLOCK_MEMS) {
                w->mem_k[w->nmem++] = (uint8_t)k;
                w->sched[w->nsched++] = 0;
            } else {
                w->nsched = TM_SCHED_NONE;
            }
        }
        w->pc[k] = pc;
        w->key[k] = d->key[k];
        if (!w->hit) w->info[k] = *insn_info_of(md, pc, d->key[k]);
        uint64_t this_line = pc >> shift;
        w->fetch[k] = 0;
        if (this_line != line) {
            w->fetch[k] = fetch_lookup(md, pc);
            if (w->nsched != TM_SCHED_NONE) w->sched[w->nsched++] = (uint8_t)(TM_SCHED_FETCH | k);
        }
        line = this_line;
        w->stall[k] = acc;
        w->quiet = w->quiet && !w->fetch[k] && !acc;
        acc = 0;
        if (k == 0) misses_first = all_misses(md);
    }
    if (j < np) w->nsched = TM_SCHED_NONE; /* accesses after the block's instructions */
    while (j < np)
        acc += mem_lookup(md, md->pend[j++]);
    md->npend = 0;
    md->stall = acc;

    if (w->hit && w->quiet && live_ready(md, b)) {
        md->block_hits++;
        b->nsched = w->nsched; /* the schedule, for the next time */
        b->nmem = w->nmem;
        memcpy(b->sched, w->sched, w->nsched == TM_SCHED_NONE ? 0 : w->nsched);
        memcpy(b->mem_k, w->mem_k, w->nmem);
        uint64_t base = block_replay(md, w);
        stamp_block(stamp, base + b->issue[0], misses_first, base + b->issue[n - 1],
                    all_misses(md));
        return;
    }
    block_price(md, w);
    stamp_block(stamp, w->time[0], misses_first, w->time[n - 1], all_misses(md));
}

/* The memo entry of core block d entered in state in: a core's blocks are kept in pairs of
 * slots (two ways), so that two blocks whose entries meet in one slot (a loop and the code it
 * calls) do not evict each other on every pass. *hit: it holds d for that state; else the entry
 * to record into (an empty way, or the one used less recently). */
static inline struct tm_block *desc_entry(struct tm_model *md, const struct ev_block *d,
                                          uint64_t pc0, const struct tm_block_state *in,
                                          bool in_fits, bool *hit)
{
    unsigned i = block_slot(pc0, in);
    struct tm_block *pair = &md->blocks[i & ~1u];
    for (unsigned k = 0; k < 2; k++) {
        struct tm_block *b = &pair[(i ^ k) & 1];
        if (in_fits && b->n && b->desc == d && b->desc_id == d->id && b->pc == pc0 &&
            same_state(in, &b->in)) {
            pair->mru = (uint8_t)(b - pair);
            *hit = true;
            return b;
        }
    }
    *hit = false;
    unsigned way = !pair[0].n ? 0 : !pair[1].n ? 1 : !pair->mru;
    pair->mru = (uint8_t)way;
    return &pair[way];
}

/* A core's EV_BLOCK (events.h "Blocks"): run_block's work without an event per instruction.
 * The EV_MEMs before it (md->pend) are looked up in the order of one event per instruction: an
 * instruction's accesses (their pc is its address), then its fetch. The memo knows a core's
 * block by the core's descriptor and its id, which the core renews when it rebuilds it; when the
 * block recurs with its accesses from the same instructions, the lookups follow the memo's
 * schedule instead of a walk over the instructions (the common case, here; the others in
 * functions of their own). */
static inline __attribute__((always_inline)) void run_desc(struct tm_model *md, const struct ev *e,
                                                           struct tm_stamp *stamp)
{
    const struct ev_block *d = e->block.desc;
    unsigned n = e->block.n;
    struct tm_block *from = md->link_from, *b;
    md->link_from = NULL;
    if (md->memo_off || e->block.first || n != d->n || n > TM_BLOCK_INSNS || md->soft_int_pending ||
        md->csr_written || md->priv_changed || md->flush_pending) {
        desc_one_by_one(md, e, stamp);
        return;
    }
    uint64_t pc0 = d->pc;
    struct blk w;
    bool wrong = md->branch_pending && !resolve_predicted_cond(md, pc0) && resolve_pending(md, pc0);
    /* After the replay of from and a branch predicted right, the state at this block's entry is
     * from's out state: when this block came after it so before, its entry is from->next. */
    b = from && !wrong ? from->next : NULL;
    if (b && b->gen == from->next_gen && b->n && b->desc == d && b->desc_id == d->id &&
        b->pc == pc0) {
        w.b = b;
        w.in = b->in;
        w.in_fits = w.hit = true;
    } else {
        w.in_fits = entry_state(md, &w.in);
        w.b = b = desc_entry(md, d, pc0, &w.in, w.in_fits, &w.hit);
        if (w.hit && from && !wrong) {
            from->next = b;
            from->next_gen = b->gen;
        }
    }
    if (!w.hit || !same_accesses(md, b, d)) {
        desc_walk(md, e, stamp, &w);
        return;
    }
    /* The schedule. Each lookup's cycles are kept for the pricing when something missed;
     * misses_first is taken after the lookups of instruction 0. */
    uint64_t any = md->stall, cycles[TM_BLOCK_INSNS + TM_BLOCK_MEMS], misses_first = 0;
    bool first_done = !md->stamp; /* no one reads the stamps: nothing to take */
    for (unsigned i = 0, j = 0; i < b->nsched; i++) {
        uint8_t op = b->sched[i];
        unsigned k = (op & TM_SCHED_FETCH) ? op & ~TM_SCHED_FETCH : b->mem_k[j];
        if (k && !first_done) {
            misses_first = all_misses(md);
            first_done = true;
        }
        cycles[i] = (op & TM_SCHED_FETCH) ? fetch_lookup(md, pc0 + d->offset[k])
                                          : mem_lookup(md, md->pend[j++]);
        any |= cycles[i];
    }
    if (!first_done) misses_first = all_misses(md);
    uint64_t carried = md->stall;
    md->npend = 0;
    md->stall = 0;
    if (any || !live_ready(md, b)) {
        desc_price_scheduled(md, e, stamp, &w, cycles, any, carried, misses_first);
        return;
    }
    md->block_hits++;
    md->link_from = b;
    uint64_t base = block_replay_at(md, b, pc0 + d->offset[n - 1], d->key[n - 1]);
    if (md->stamp)
        stamp_block(stamp, base + b->issue[0], misses_first, base + b->issue[n - 1],
                    all_misses(md));
}

/* A batch of EV_INSN, EV_BLOCK and EV_MEM (events.h "Batches"): priced in blocks, or one by one
 * when the model is the reference (memo_off). Each instruction is stamped with its first cycle
 * and the miss count at it, which the transition log, after the model in subscription order,
 * reads instead of the model's clock. An EV_MEM waits for the instruction it belongs to. */
static void model_batch(void *opaque, struct ev *events, unsigned n, unsigned insns)
{
    struct tm_model *md = opaque;
    md->tick_lag = insns;
    bool blocks = md->m->events.blocks; /* else no EV_BLOCK comes */
    unsigned i = 0;
    while (i < n) {
        struct ev *e = &events[i];
        if (e->kind == EV_MEM) {
            /* Held only while they may be an EV_BLOCK's, whose accesses are fewer than the
             * queue holds (ev_block_fits): more in a row are an instruction's that runs alone
             * (a REP string instruction), looked up in order as they come. */
            if (blocks && md->npend == TM_PEND_MAX) consume_pending(md);
            if (blocks)
                md->pend[md->npend++] = e;
            else
                on_mem(md, e); /* an EV_INSN comes next: no need to wait */
            i++;
            continue;
        }
        if (e->kind == EV_BLOCK) {
            run_desc(md, e, &md->stamps[i]);
            i++;
            continue;
        }
        if (e->kind != EV_INSN) {
            i++;
            continue;
        }
        md->link_from = NULL; /* an EV_INSN: the state changes here */
        if (md->npend) consume_pending(md);
        if (md->memo_off || md->soft_int_pending || md->csr_written || md->priv_changed ||
            md->flush_pending) {
            md->tick_lag--; /* what an event between the batches left for this instruction */
            on_insn(md, e);
            md->stamps[i].time = md->t_guest;
            md->stamps[i].misses = all_misses(md);
            i++;
        } else {
            i = run_block(md, events, i, n);
        }
    }
    /* accesses of an instruction whose EV_BLOCK comes in the next batch */
    for (unsigned j = 0; j < md->npend; j++) {
        if (md->pend[j] == &md->carry[j]) continue;
        md->carry[j] = *md->pend[j];
        md->pend[j] = &md->carry[j];
    }
}

void tm_model_report_text(const struct tm_model *md, FILE *out)
{
    const struct tm_model_stats *s = &md->st;
    fprintf(out,
            "timing model %s: %" PRIu64 " cycles for %" PRIu64 " instructions (IPC %.2f)\n"
            "  load-use stalls %" PRIu64 ", branches %" PRIu64 " (%" PRIu64
            " mispredicted), traps %" PRIu64 ", xRET/IRET %" PRIu64 ", serializing writes %" PRIu64
            "\n  misses: L1I %" PRIu64 ", L1D %" PRIu64 ", L2 %" PRIu64 ", I-TLB %" PRIu64
            ", D-TLB %" PRIu64 ", page walks %" PRIu64 "\n",
            md->p->name, s->cycles, s->insns,
            s->cycles ? (double)s->insns / (double)s->cycles : 0.0, s->load_use_stalls, s->branches,
            s->mispredicts, s->traps, s->xrets, s->serializations, s->icache_misses,
            s->dcache_misses, s->l2_misses, s->itlb_misses, s->dtlb_misses, s->walks);
}
