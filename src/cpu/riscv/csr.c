/* CSR storage, views, WARL rules and access checks, driven by the CSR table (csr.def).
 *
 * Choices where the priv. spec leaves options (each is a WARL field or an implementation option):
 * - misa is read-only (3.1.1 allows it): writes are ignored.
 * - mstatus.MPP: writing 2 (reserved) stores U, as Spike legalises it (3.1.6.1: MPP is WARL).
 * - mtvec/stvec: a write with a reserved MODE (>= 2) is ignored entirely (3.1.7: WARL).
 * - satp: MODE Bare or Sv39; a write with another MODE has no effect at all (4.1.11). ASIDLEN is
 *   16 (all ASID bits writable), PPN all 44 bits.
 * - mvendorid/marchid/mimpid/mhartid/mconfigptr read 0; mcountinhibit and the hpm counters and
 *   event selectors are read-only zero (3.1.10, 3.1.12 allow it); hpmcounter3-31 read 0.
 * - PMP: 64 entries with their WARL rules (reserved bits, R=0/W=1, locks), granularity 4 bytes,
 *   enforced by pmp.c (which lists what it does not check). pmpcfg1, 3, ... do not exist on RV64
 *   (3.7.1) and are illegal.
 * - mip: M may write SSIP, STIP and SEIP (3.1.9; SEIP is software-injected, ORed with the
 *   external line once there is a PLIC); MSIP and MTIP follow the CLINT lines and are read-only.
 *   sip: only SSIP is writable, and only when delegated (4.1.3).
 * - xcause is WLRL: the interrupt bit and a 6-bit code are kept.
 * - menvcfg/senvcfg: FIOM is writable; the fields of extensions not implemented read 0.
 * - FS is writable (all four values); XS is read-only 0; SD reads 1 exactly when FS = Dirty
 *   (3.1.6.6). UXL = SXL = 2, read-only; UBE/SBE/MBE 0 (little-endian).
 * - frm holds any 3-bit value; a reserved one traps only when an instruction uses it (unpriv.
 *   11.2). fcsr bits 63:8 are reserved zero.
 */
#include "cpu/riscv/internal.h"

enum csr_index {
#define X(num, name, priv, ro, wmask, effect) CSR_INDEX_##name,
#include "cpu/riscv/csr.def"
#undef X
    CSR_INDEX_COUNT
};

static const struct rv_csr_info csr_table[CSR_INDEX_COUNT] = {
#define X(num, name, priv, ro, wmask, effect) {num, #name, priv, ro, wmask},
#include "cpu/riscv/csr.def"
#undef X
};

static const uint8_t csr_effect[CSR_INDEX_COUNT] = {
#define X(num, name, priv, ro, wmask, effect) effect,
#include "cpu/riscv/csr.def"
#undef X
};

static int csr_index(unsigned number)
{
    switch (number) {
#define X(num, name, priv, ro, wmask, effect)                                                      \
    case num:                                                                                      \
        return CSR_INDEX_##name;
#include "cpu/riscv/csr.def"
#undef X
    default: return -1;
    }
}

const struct rv_csr_info *rv_csr_lookup(unsigned number)
{
    int i = csr_index(number);
    return i < 0 ? NULL : &csr_table[i];
}

const struct rv_csr_info *rv_csr_table(size_t *count)
{
    *count = CSR_INDEX_COUNT;
    return csr_table;
}

uint64_t rv_mip(const struct rv_hart *h)
{
    return h->csr.mip | (h->m->irq_lines & RV_PLATFORM_INTS);
}

static bool pmp_locked(const struct rv_hart *h, unsigned entry)
{
    return (h->csr.pmpcfg[entry] & 0x80) != 0;
}

static uint64_t csr_read(const struct rv_hart *h, unsigned number)
{
    const struct rv_csrs *c = &h->csr;
    struct machine *m = h->m;
    if (number >= RV_CSR_pmpcfg0 && number <= RV_CSR_pmpcfg14) {
        uint64_t v = 0;
        unsigned base = (number - RV_CSR_pmpcfg0) * 4;
        for (unsigned i = 0; i < 8; i++)
            v |= (uint64_t)c->pmpcfg[base + i] << (8 * i);
        return v;
    }
    if (number >= RV_CSR_pmpaddr0 && number <= RV_CSR_pmpaddr63)
        return c->pmpaddr[number - RV_CSR_pmpaddr0];
    switch (number) {
    case RV_CSR_mstatus: return c->mstatus;
    case RV_CSR_sstatus: return c->mstatus & RV_SSTATUS_RMASK;
    case RV_CSR_misa: return RV_MISA_VALUE;
    case RV_CSR_medeleg: return c->medeleg;
    case RV_CSR_mideleg: return c->mideleg;
    case RV_CSR_mie: return c->mie;
    /* 4.1.3: sie/sip show the bits of interrupts delegated to S; the rest read as zero */
    case RV_CSR_sie: return c->mie & c->mideleg;
    case RV_CSR_mip: return rv_mip(h);
    case RV_CSR_sip: return rv_mip(h) & c->mideleg;
    case RV_CSR_mtvec: return c->mtvec;
    case RV_CSR_stvec: return c->stvec;
    case RV_CSR_mepc: return c->mepc;
    case RV_CSR_sepc: return c->sepc;
    case RV_CSR_mcause: return c->mcause;
    case RV_CSR_scause: return c->scause;
    case RV_CSR_mtval: return c->mtval;
    case RV_CSR_stval: return c->stval;
    case RV_CSR_mscratch: return c->mscratch;
    case RV_CSR_sscratch: return c->sscratch;
    case RV_CSR_satp: return c->satp;
    case RV_CSR_mcounteren: return c->mcounteren;
    case RV_CSR_scounteren: return c->scounteren;
    case RV_CSR_menvcfg: return c->menvcfg;
    case RV_CSR_senvcfg: return c->senvcfg;
    case RV_CSR_fflags: return c->fflags;
    case RV_CSR_frm: return c->frm;
    case RV_CSR_fcsr: return (uint64_t)c->frm << 5 | c->fflags;
    case RV_CSR_mcycle:
    case RV_CSR_cycle: return machine_now(m) + c->cycle_offset;
    case RV_CSR_minstret:
    case RV_CSR_instret: return m->insns + c->instret_offset;
    case RV_CSR_time: return m->read_timer ? m->read_timer(m->timer_dev) : 0;
    default: return 0; /* the read-only-zero registers listed at the top */
    }
}

/* 3.1.6.6: SD summarises FS (XS is always 0): set when FS is Dirty */
static void status_sd(struct rv_csrs *c)
{
    if ((c->mstatus & RV_MSTATUS_FS) == RV_MSTATUS_FS)
        c->mstatus |= RV_MSTATUS_SD;
    else
        c->mstatus &= ~RV_MSTATUS_SD;
}

/* Applies a write of value (already combined by the instruction) to CSR number, with the WARL
 * rules. in_insn: written by an instruction, which is still to retire (counters, 3.1.10). */
static void csr_write(struct rv_hart *h, int index, unsigned number, uint64_t value, bool in_insn)
{
    struct rv_csrs *c = &h->csr;
    struct machine *m = h->m;
    uint64_t wmask = csr_table[index].write_mask;
#define MERGE(field) (c->field = (c->field & ~wmask) | (value & wmask))
    if (number >= RV_CSR_pmpcfg0 && number <= RV_CSR_pmpcfg14) {
        unsigned base = (number - RV_CSR_pmpcfg0) * 4;
        for (unsigned i = 0; i < 8; i++) {
            uint8_t b = (uint8_t)(value >> (8 * i)) & 0x9f;
            if ((b & 3) == 2) /* 3.7.1: R = 0, W = 1 is reserved; W reads back 0 */
                b &= (uint8_t)~2;
            if (!pmp_locked(h, base + i)) /* 3.7.1.2: a locked entry ignores writes */
                c->pmpcfg[base + i] = b;
        }
        rv_pmp_update(h);
        rv_xlate_changed(h); /* the fetch page was filled under the old rules */
        return;
    }
    if (number >= RV_CSR_pmpaddr0 && number <= RV_CSR_pmpaddr63) {
        unsigned e = number - RV_CSR_pmpaddr0;
        /* 3.7.1.2: locked, or the top of a locked TOR range of the next entry */
        bool locked = pmp_locked(h, e) ||
                      (e + 1 < 64 && pmp_locked(h, e + 1) && ((c->pmpcfg[e + 1] >> 3) & 3) == 1);
        if (!locked) MERGE(pmpaddr[e]);
        rv_pmp_update(h);
        rv_xlate_changed(h);
        return;
    }
    switch (number) {
    case RV_CSR_mstatus:
        MERGE(mstatus);
        /* 3.1.6.1: MPP is WARL over U, S, M; the reserved 2 becomes U */
        if (((c->mstatus & RV_MSTATUS_MPP) >> RV_MSTATUS_MPP_SHIFT) == 2)
            c->mstatus &= ~RV_MSTATUS_MPP;
        status_sd(c);
        break;
    case RV_CSR_sstatus:
        MERGE(mstatus);
        status_sd(c);
        break;
    /* unpriv. 11.2: fflags and frm are views of fcsr; writing FP state makes FS Dirty */
    case RV_CSR_fflags:
        c->fflags = value & 0x1f;
        rv_fs_dirty(h);
        break;
    case RV_CSR_frm:
        c->frm = value & 7;
        rv_fs_dirty(h);
        break;
    case RV_CSR_fcsr:
        c->fflags = value & 0x1f;
        c->frm = (value >> 5) & 7;
        rv_fs_dirty(h);
        break;
    case RV_CSR_medeleg: MERGE(medeleg); break;
    case RV_CSR_mideleg: MERGE(mideleg); break;
    case RV_CSR_mie: MERGE(mie); break;
    case RV_CSR_sie:
        wmask &= c->mideleg;
        MERGE(mie);
        break;
    case RV_CSR_mip: MERGE(mip); break;
    case RV_CSR_sip: /* 4.1.3: only SSIP is writable through sip, and only when delegated */
        wmask &= c->mideleg;
        MERGE(mip);
        break;
    case RV_CSR_mtvec:
        if ((value & 3) < 2) c->mtvec = value;
        break;
    case RV_CSR_stvec:
        if ((value & 3) < 2) c->stvec = value;
        break;
    case RV_CSR_mepc: MERGE(mepc); break;
    case RV_CSR_sepc: MERGE(sepc); break;
    case RV_CSR_mcause: MERGE(mcause); break;
    case RV_CSR_scause: MERGE(scause); break;
    case RV_CSR_mtval: MERGE(mtval); break;
    case RV_CSR_stval: MERGE(stval); break;
    case RV_CSR_mscratch: MERGE(mscratch); break;
    case RV_CSR_sscratch: MERGE(sscratch); break;
    case RV_CSR_satp: {
        uint64_t mode = value >> RV_SATP_MODE_SHIFT;
        if (mode != RV_SATP_MODE_BARE && mode != RV_SATP_MODE_SV39)
            break; /* 4.1.11: an unsupported MODE makes the whole write have no effect */
        MERGE(satp);
        /* the software TLB holds translations of one satp: start afresh (mmu.h) */
        mmu_tlb_flush(&h->tlb, UINT64_MAX, UINT32_MAX);
        rv_xlate_changed(h);
        break;
    }
    case RV_CSR_mcounteren: MERGE(mcounteren); break;
    case RV_CSR_scounteren: MERGE(scounteren); break;
    case RV_CSR_menvcfg: MERGE(menvcfg); break;
    case RV_CSR_senvcfg: MERGE(senvcfg); break;
    /* 3.1.10 and unpriv. 10.1: a counter write takes effect after the writing instruction, which
     * therefore does not increment the value written. */
    case RV_CSR_mcycle: c->cycle_offset = value - (machine_now(m) + (in_insn ? 1 : 0)); break;
    case RV_CSR_minstret: c->instret_offset = value - (m->insns + (in_insn ? 1 : 0)); break;
    default: break; /* read-only zero, or read-only views: writes are ignored */
    }
#undef MERGE
}

/* Priv. spec 2.1 and 3.1.11 (mcounteren), 4.1.5 (scounteren), 3.1.6.5 (TVM). */
static int csr_check(struct rv_hart *h, unsigned number, bool write, int *index)
{
    int i = csr_index(number);
    if (i < 0 || h->priv < csr_table[i].priv || (write && csr_table[i].read_only))
        return rv_illegal(h);
    /* 3.1.6.6: with FS = Off, fcsr and its fields are inaccessible */
    if (csr_effect[i] == RV_CSR_FX_FP && !(h->csr.mstatus & RV_MSTATUS_FS)) return rv_illegal(h);
    if (number == RV_CSR_satp && h->priv == RV_PRIV_S && (h->csr.mstatus & RV_MSTATUS_TVM))
        return rv_illegal(h);
    if (number >= RV_CSR_cycle && number <= RV_CSR_hpmcounter31) {
        uint64_t bit = 1ull << (number - RV_CSR_cycle);
        if (h->priv < RV_PRIV_M && !(h->csr.mcounteren & bit)) return rv_illegal(h);
        if (h->priv < RV_PRIV_S && !(h->csr.scounteren & bit)) return rv_illegal(h);
        /* no platform timer: time does not exist and traps (for M-mode emulation) */
        if (number == RV_CSR_time && !h->m->read_timer) return rv_illegal(h);
    }
    *index = i;
    return RV_OK;
}

int rv_csr_read_insn(struct rv_hart *h, unsigned number, uint64_t *value)
{
    int index, rc = csr_check(h, number, false, &index);
    if (rc == RV_OK) *value = csr_read(h, number);
    return rc;
}

int rv_csr_write_insn(struct rv_hart *h, unsigned number, uint64_t value)
{
    int index, rc = csr_check(h, number, true, &index);
    if (rc != RV_OK) return rc;
    uint64_t old = csr_read(h, number);
    csr_write(h, index, number, value, true);
    struct ev ev = {.kind = EV_SYSREG, .pc = h->pc};
    ev.sysreg.space = EV_SYSREG_CSR;
    ev.sysreg.number = number;
    ev.sysreg.old_value = old;
    ev.sysreg.new_value = csr_read(h, number);
    ev_emit(&h->m->events, &ev);
    if (csr_effect[index] == RV_CSR_FX_TLB) {
        /* a satp write changes translation: the software TLB follows (4.1.11) */
        struct ev flush = {.kind = EV_TLB_FLUSH, .pc = h->pc};
        flush.tlb_flush.vaddr = UINT64_MAX;
        flush.tlb_flush.asid = UINT32_MAX;
        ev_emit(&h->m->events, &flush);
    }
    return RV_OK;
}

int rv_csr_get(struct rv_hart *h, unsigned number, uint64_t *value)
{
    if (csr_index(number) < 0) return -1;
    *value = csr_read(h, number);
    return 0;
}

int rv_csr_set(struct rv_hart *h, unsigned number, uint64_t value)
{
    int i = csr_index(number);
    if (i < 0) return -1;
    csr_write(h, i, number, value, false);
    return 0;
}
