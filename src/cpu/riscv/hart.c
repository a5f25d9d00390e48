/* The hart: creation and reset, the execution loop (rv_step / rv_run), the core's cpu_ops. */
#include <inttypes.h>
#include <stdlib.h>

#include "cpu/riscv/fast.h"
#include "cpu/riscv/internal.h"

static void ops_dump(void *hart, FILE *out)
{
    rv_dump(hart, out);
}
static void ops_destroy(void *hart)
{
    rv_hart_destroy(hart);
}

const struct cpu_ops rv_cpu_ops = {
    .name = "riscv64",
    .run = rv_run,
    .dump = ops_dump,
    .destroy = ops_destroy,
    .get_reg = rv_get_reg,
    .set_reg = rv_set_reg,
};

/* Priv. spec 3.4 "Reset": M-mode, mstatus.MIE = 0 and MPRV = 0, misa at its (only) value, pc at
 * the reset vector, mcause 0 (no distinction of reset causes). mstatus.FS = Off (3.1.6.6 lets
 * it reset to Off), so software enables F/D before using them. Everything else this hart resets
 * to zero too: mtvec = 0, satp Bare, no delegation, counters at 0. */
void rv_hart_reset(struct rv_hart *h, uint64_t entry)
{
    memset(h->x, 0, sizeof h->x);
    memset(h->f, 0, sizeof h->f);
    memset(&h->csr, 0, sizeof h->csr);
    mmu_tlb_flush(&h->tlb, UINT64_MAX, UINT32_MAX);
    rv_xlate_changed(h);
    h->csr.mstatus = RV_MSTATUS_FIXED;
    h->csr.cycle_offset = 0 - machine_now(h->m);
    h->csr.instret_offset = 0 - h->m->insns;
    h->priv = RV_PRIV_M;
    h->waiting = false;
    h->resv_valid = false;
    h->pc = entry;
    rv_pmp_update(h); /* all entries off: S and U cannot access anything (3.7.1) */
}

struct rv_hart *rv_hart_create(struct machine *m, uint64_t entry)
{
    struct rv_hart *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->m = m;
    for (unsigned i = 0; i < RV_ICACHE_ENTRIES; i++)
        h->icache[i].paddr = RV_DINSN_EMPTY; /* len 0 */
    for (unsigned i = 0; i < RV_BLOCKS; i++)
        h->blocks[i].paddr = RV_DINSN_EMPTY;
    rv_decode_init(h);
    rv_rvc_init(h);
    rv_hart_reset(h, entry);
    return h;
}

void rv_hart_set_priv(struct rv_hart *h, unsigned priv)
{
    h->priv = (uint8_t)priv;
    rv_xlate_changed(h);
}

void rv_hart_destroy(struct rv_hart *h)
{
    free(h);
}

int rv_cpu_attach(struct machine *m, const struct boot_state *boot, char *err, size_t errlen)
{
    struct rv_hart *h = rv_hart_create(m, boot->entry);
    if (!h) {
        snprintf(err, errlen, "riscv64: out of memory for the hart");
        return -1;
    }
    h->x[10] = boot->arg0; /* a0: hart id */
    h->x[11] = boot->arg1; /* a1: device tree */
    m->cpu = h;
    m->cpu_ops = &rv_cpu_ops;
    return 0;
}

/* The decoded instruction at pc when the fetch page and the decoded-instruction cache both hit
 * (the common case, kept here so that it inlines into the loop), else NULL: mem.c's full path.
 * One compare for the page (fetch_fast), one for the entry's address and one for its bits. */
static inline const struct rv_dinsn *fetch_hit(const struct rv_hart *h, uint64_t pc)
{
    uint64_t off = pc & 0xfff;
    if ((pc & ~0xfffull) != h->fetch_fast || off > 0xffc) return NULL;
    uint32_t raw;
    memcpy(&raw, h->fetch_host + off, 4);
    uint64_t paddr = h->fetch_ppage | off;
    const struct rv_dinsn *d = &h->icache[(paddr >> 1) % RV_ICACHE_ENTRIES];
    if (d->paddr != paddr || (raw & d->rawmask) != d->raw) return NULL;
    return d;
}

/* The instruction at pc trapped (rc from its code): delivery, and its one tick of guest time. */
static enum rv_step_result trap(struct rv_hart *h, uint64_t pc, int rc)
{
    struct machine *m = h->m;
    rv_trap_deliver(h, (uint64_t)(rc - 1), false, h->tval);
    m->time++;
    /* A fault in the handler's first instruction at the handler's own address repeats forever
     * with the same state: stop instead of spinning. */
    if (h->pc == pc &&
        (rc - 1 == RV_EXC_INSN_ACCESS || rc - 1 == RV_EXC_INSN_PAGE || rc - 1 == RV_EXC_ILLEGAL))
        machine_request_stop(m, STOP_FATAL, EXIT_GUEST_FATAL,
                             "riscv64: trap loop at %#" PRIx64 " (cause %d)", pc, rc - 1);
    return RV_STEP_EXCEPTION;
}

/* Whether a retired instruction of this class can have changed what decides interrupts: mie,
 * mip, mstatus, mideleg and the privilege (CSR instructions, xRET, wfi and the rest of SYSTEM,
 * fences for good measure). The platform lines (m->irq_lines) change only through
 * machine_set_irq, which ends the run loop's batch (exit_request); traps recheck too. */
static inline bool may_change_irq(unsigned op_class)
{
    return op_class == RV_OPC_CSR || op_class == RV_OPC_SYSTEM || op_class == RV_OPC_FENCE;
}

/* One step: a pending enabled interrupt is taken before the next instruction (priv. spec 3.1.9);
 * otherwise fetch, decode, execute (the inline form, or the handler: fast.h). An instruction that
 * traps does not retire (design.md "Counting rule"): no register, pc or counter changes but the
 * trap's. Trap delivery takes one tick of guest time, so that a guest stuck in a trap loop still
 * meets the cycle budget. *check says whether interrupts (and wfi) must be looked at before this
 * instruction: nothing else can have changed the answer since the last look; the step sets it
 * again when what it did can (may_change_irq, traps). */
__attribute__((always_inline)) static inline enum rv_step_result step(struct rv_hart *h,
                                                                      bool *check)
{
    struct machine *m = h->m;
    if (*check) {
        uint64_t pending = h->csr.mie & (h->csr.mip | (m->irq_lines & RV_PLATFORM_INTS));
        if (pending) {
            if (h->waiting) h->waiting = false;
            int irq = rv_interrupt_pending(h);
            if (irq >= 0) {
                rv_trap_deliver(h, (uint64_t)irq, true, 0);
                m->time++;
                return RV_STEP_INTERRUPT;
            }
        } else if (h->waiting) {
            return RV_STEP_WAITING;
        }
        *check = false;
    }

    uint64_t pc = h->pc;
    int rc = RV_OK;
    const struct rv_dinsn *d = fetch_hit(h, pc);
    if (!d) rc = rv_fetch_decoded(h, pc, &d);
    uint64_t npc = pc;
    if (rc == RV_OK) {
        npc += d->len;
        if (d->fast != RV_FAST_NONE) {
            rc = rv_fast_exec(h, d, pc, &npc);
        } else { /* the row's handler, through h->npc (the handler contract) */
            h->npc = npc;
            h->insn_raw = d->raw;
            rc = d->exec(h, d->word);
            npc = h->npc;
            if (may_change_irq(d->op_class)) *check = true; /* no inline form can */
        }
        h->x[0] = 0;
    }
    if (rc != RV_OK) {
        *check = true;
        return trap(h, pc, rc);
    }
    h->pc = npc;
    machine_retired(m);
    ev_emit_insn(&m->events, pc, d->op_class, d->len, d->word);
    return RV_STEP_RETIRED;
}

/* The decoded block at pc (block.c) when pc is on the fetch page, built if needed; NULL when
 * the fetch page is another (a step refreshes it). */
static inline struct rv_block *block_at(struct rv_hart *h, uint64_t pc)
{
    if ((pc & ~0xfffull) != h->fetch_fast) return NULL;
    uint64_t off = pc & 0xfff, paddr = h->fetch_ppage | off;
    struct rv_block *b = &h->blocks[(paddr >> 1) % RV_BLOCKS];
    if (b->paddr != paddr || b->ev.pc != pc || memcmp(h->fetch_host + off, b->code, b->bytes))
        b = rv_block_build(h, pc, b);
    return b;
}

/* Runs the instructions of b from its first (h->pc), as step() would one by one with nothing
 * to look at in between (no interrupt check is due: step's *check is false), reporting them as
 * one EV_BLOCK. Stops early at a trap or when the machine asks the loop to return. Returns the
 * ticks of guest time taken: one per instruction retired, and one for a trap. */
static inline unsigned run_block(struct rv_hart *h, const struct rv_block *b, bool *check)
{
    struct machine *m = h->m;
    unsigned n = b->ev.n;
    uint64_t pc = h->pc;
    code_watch_begin(&h->code, h->fetch_host + (pc & 0xfff), b->bytes);
    ev_block_open(&m->events, &b->ev, &h->pc);
    for (unsigned k = 0; k < n; k++) {
        const struct rv_dinsn *d = &b->insn[k];
        uint64_t npc = pc + d->len;
        int rc;
        if (d->fast != RV_FAST_NONE) {
            rc = rv_fast_exec(h, d, pc, &npc);
        } else {
            h->npc = npc;
            h->insn_raw = d->raw;
            rc = d->exec(h, d->word);
            npc = h->npc;
        }
        h->x[0] = 0;
        if (rc != RV_OK) {
            ev_block_close(&m->events, k); /* the retired ones come before the trap's events */
            code_watch_end(&h->code);
            *check = true;
            trap(h, pc, rc);
            return k + 1;
        }
        h->pc = pc = npc;
        machine_retired(m);
        if (m->exit_request || h->code.written) {
            ev_block_close(&m->events, k + 1);
            code_watch_end(&h->code);
            return k + 1;
        }
    }
    ev_block_close(&m->events, n);
    code_watch_end(&h->code);
    return n;
}

/* Single steps come from the monitor and tests, which may change any state in between: always
 * check. */
enum rv_step_result rv_step(struct rv_hart *h)
{
    bool check = true;
    return step(h, &check);
}

/* cpu_ops.run (machine.h contract). A hart in wfi lets guest time pass to the next deadline; if
 * there is none, or no interrupt that could wake it is enabled, it would wait forever. The
 * platform lines (MSIP, MTIP) are the only interrupts that can arrive from outside the hart. */
void rv_run(void *hart)
{
    struct rv_hart *h = hart;
    struct machine *m = h->m;
    while (m->insns < m->limit_insns && m->time < m->limit_time && !m->exit_request) {
        /* Every step advances m->time by exactly one and m->insns by at most one (wfi leaves
         * the loop), so n steps cannot overrun either limit: check them once per batch. */
        uint64_t n = m->limit_insns - m->insns, n_time = m->limit_time - m->time;
        if (n_time < n) n = n_time;
        enum rv_step_result r = RV_STEP_RETIRED;
        bool check = true; /* devices and the monitor act between batches */
        while (n && !m->exit_request) {
            /* A decoded block when every subscriber of instructions takes blocks, nothing is
             * to be looked at before the next instruction, and the block fits in what is left
             * of the run (instructions, and the queue's room before guest time's limit). */
            if (!check && m->events.blocks) {
                const struct rv_block *b = block_at(h, h->pc);
                if (b && b->ev.n && b->ev.n <= n &&
                    ev_block_fits(&m->events, b->ev.n, b->accesses)) {
                    n -= run_block(h, b, &check);
                    continue;
                }
            }
            n--;
            if ((r = step(h, &check)) == RV_STEP_WAITING) break;
        }
        if (r != RV_STEP_WAITING) continue;
        if (m->limit_time == UINT64_MAX || !(h->csr.mie & RV_PLATFORM_INTS)) {
            machine_request_stop(m, STOP_FATAL, EXIT_GUEST_FATAL,
                                 "riscv64: wfi before %#" PRIx64 " with no interrupt that can come",
                                 h->pc);
            return;
        }
        machine_sync(m); /* the model prices what ran before the wait */
        m->time = m->limit_time;
        return;
    }
}

void rv_dump(struct rv_hart *h, FILE *out)
{
    static const char *const abi[32] = {"zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2",
                                        "s0",   "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
                                        "a6",   "a7", "s2",  "s3",  "s4", "s5", "s6", "s7",
                                        "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
    static const char priv_name[4] = {'U', 'S', '?', 'M'};
    fprintf(out, "pc %016" PRIx64 "  priv %c%s\n", h->pc, priv_name[h->priv & 3],
            h->waiting ? "  (wfi)" : "");
    for (unsigned i = 0; i < 32; i++)
        fprintf(out, "%-4s %016" PRIx64 "%s", abi[i], h->x[i], i % 4 == 3 ? "\n" : "  ");
    static const unsigned shown[] = {RV_CSR_mstatus, RV_CSR_mepc, RV_CSR_mcause,   RV_CSR_mtval,
                                     RV_CSR_mtvec,   RV_CSR_mie,  RV_CSR_mip,      RV_CSR_medeleg,
                                     RV_CSR_mideleg, RV_CSR_sepc, RV_CSR_scause,   RV_CSR_stval,
                                     RV_CSR_stvec,   RV_CSR_satp, RV_CSR_sscratch, RV_CSR_mscratch};
    for (unsigned i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        uint64_t v = 0;
        rv_csr_get(h, shown[i], &v);
        fprintf(out, "%-8s %016" PRIx64 "%s", rv_csr_lookup(shown[i])->name, v,
                i % 4 == 3 ? "\n" : "  ");
    }
}
