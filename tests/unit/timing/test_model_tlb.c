/* Modeled TLBs and the page walk: a satp write on a core without ASIDs (the u74 profile) leaves
 * no translation usable, so the next fetch and the next load each miss the L1 TLB and the L2 TLB
 * and walk Sv39's three levels (priv. spec 4.3.2); with the page-table lines still in the L1D each
 * PTE read costs the L1D hit latency. The same run on a profile that differs only in having ASID
 * bits (and the same ASID written) keeps its TLBs, so the difference between the two runs is
 * exactly two walks:
 *   2 * (l2tlb.latency + walk_overhead + 3 * l1d.latency)
 * all from the profile. The walk reads the real page tables, built here in guest RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/riscv/riscv.h"
#include "timing/timing.h"

#define RAM  0x80000000ull
#define ROOT 0x80001000ull
#define L1   0x80002000ull
#define L0   0x80003000ull
#define CODE 0x10000ull                    /* page P */
#define DATA 0x11000ull                    /* page Q */
#define SATP ((8ull << 60) | (ROOT >> 12)) /* Sv39, ASID 0 */

static void put_pte(struct machine *m, uint64_t table, unsigned index, uint64_t pte)
{
    assert_int_equal(bus_copy_to_ram(&m->bus, table + 8 * index, &pte, 8), 0);
}

static uint64_t ptr(uint64_t pa)
{
    return (pa >> 12) << 10 | MMU_PTE_V;
}

static uint64_t leaf(uint64_t pa)
{
    return (pa >> 12) << 10 | MMU_PTE_V | MMU_PTE_R | MMU_PTE_W | MMU_PTE_X | MMU_PTE_A | MMU_PTE_D;
}

static void emit(struct machine *m, struct ev *e)
{
    ev_emit(&m->events, e);
}

static void retire(struct machine *m, uint64_t pc, uint32_t w, unsigned cls)
{
    m->insns++;
    m->time++;
    struct ev e = {.kind = EV_INSN, .pc = pc};
    e.insn.op_class = (uint16_t)cls;
    e.insn.len = 4;
    e.insn.raw = w;
    emit(m, &e);
}

static void load(struct machine *m, uint64_t pc)
{
    struct ev e = {.kind = EV_MEM, .pc = pc};
    e.mem.vaddr = DATA;
    e.mem.paddr = RAM + 0x11000;
    e.mem.size = 8;
    e.mem.type = EV_MEM_READ;
    emit(m, &e);
    retire(m, pc, 0x00003003u | 10u << 7 | 11u << 15, RV_OPC_LOAD); /* ld a0, 0(a1) */
}

/* csrw satp, a0 as the core reports it (src/cpu/riscv/csr.c): EV_SYSREG, EV_TLB_FLUSH, EV_INSN. */
static void write_satp(struct machine *m, uint64_t pc, uint64_t value)
{
    struct ev s = {.kind = EV_SYSREG, .pc = pc};
    s.sysreg.space = EV_SYSREG_CSR;
    s.sysreg.number = RV_CSR_satp;
    s.sysreg.new_value = value;
    emit(m, &s);
    struct ev f = {.kind = EV_TLB_FLUSH, .pc = pc};
    f.tlb_flush.vaddr = UINT64_MAX;
    f.tlb_flush.asid = UINT32_MAX;
    emit(m, &f);
    retire(m, pc, 0x18051073u, RV_OPC_CSR); /* csrw satp, a0 */
}

/* Runs the sequence on profile p; returns the cycles from the satp write to the end, and the
 * number of page walks of the model. */
static uint64_t run(const struct tm_profile *p, uint64_t *walks)
{
    struct machine m;
    char err[128];
    assert_int_equal(machine_init(&m, ARCH_RISCV64, RAM, 16 << 20, err, sizeof err), 0);
    m.limit_time = UINT64_MAX;
    put_pte(&m, ROOT, 0, ptr(L1));
    put_pte(&m, L1, 0, ptr(L0));
    put_pte(&m, L0, (unsigned)(CODE >> 12), leaf(RAM + 0x10000));
    put_pte(&m, L0, (unsigned)(DATA >> 12), leaf(RAM + 0x11000));
    struct tm_model md;
    assert_int_equal(tm_model_init(&md, p, &m), 0);
    assert_true(ev_subscribe(&m.events, EV_MASK_ALL, tm_model_event, &md) >= 0);

    write_satp(&m, RAM, SATP); /* in M-mode: not translated */
    struct ev pr = {.kind = EV_PRIV, .pc = CODE};
    pr.priv.from = 3;
    pr.priv.to = 1;
    pr.priv.mech = EV_MECH_MRET;
    emit(&m, &pr);
    retire(&m, RAM + 4, 0x30200073u, RV_OPC_SYSTEM); /* mret */
    load(&m, CODE);                                  /* warms TLBs, caches, PTE lines */
    load(&m, CODE + 4);
    uint64_t start = m.time;
    uint64_t walks_before = md.st.walks;
    write_satp(&m, CODE + 8, SATP); /* the same root and ASID */
    load(&m, CODE + 12);            /* fetch: I-TLB miss; data: D-TLB miss */
    load(&m, CODE + 16);
    retire(&m, CODE + 20, 0x00000013u, RV_OPC_ALU);
    uint64_t cycles = m.time - start;
    *walks = md.st.walks - walks_before;
    tm_model_destroy(&md);
    machine_destroy(&m);
    return cycles;
}

static void satp_switch_without_asids_costs_two_walks(void **state)
{
    (void)state;
    const struct tm_profile *p = &tm_profile_u74;
    assert_int_equal(p->asid_bits, 0);
    assert_int_equal(p->walk_levels, 3);
    struct tm_profile tagged = *p;
    tagged.asid_bits = 16;
    uint64_t walks_flushed, walks_kept;
    uint64_t flushed = run(p, &walks_flushed);
    uint64_t kept = run(&tagged, &walks_kept);
    assert_int_equal(walks_flushed, 2); /* the fetch from P and the load from Q */
    assert_int_equal(walks_kept, 0);
    uint64_t walk = p->l2tlb.latency + p->walk_overhead + p->walk_levels * p->l1d.latency;
    assert_int_equal(flushed - kept, 2 * walk);
}

/* sfence.vma with rs1 = the page (priv. spec 4.2.1) drops that page only: the next load from it
 * walks, the fetch from the code page does not. */
static void sfence_vma_of_one_page_drops_that_page(void **state)
{
    (void)state;
    struct machine m;
    char err[128];
    assert_int_equal(machine_init(&m, ARCH_RISCV64, RAM, 16 << 20, err, sizeof err), 0);
    m.limit_time = UINT64_MAX;
    put_pte(&m, ROOT, 0, ptr(L1));
    put_pte(&m, L1, 0, ptr(L0));
    put_pte(&m, L0, (unsigned)(CODE >> 12), leaf(RAM + 0x10000));
    put_pte(&m, L0, (unsigned)(DATA >> 12), leaf(RAM + 0x11000));
    struct tm_model md;
    assert_int_equal(tm_model_init(&md, &tm_profile_u74, &m), 0);
    assert_true(ev_subscribe(&m.events, EV_MASK_ALL, tm_model_event, &md) >= 0);
    write_satp(&m, RAM, SATP);
    struct ev pr = {.kind = EV_PRIV, .pc = CODE};
    pr.priv.from = 3;
    pr.priv.to = 1;
    pr.priv.mech = EV_MECH_MRET;
    emit(&m, &pr);
    retire(&m, RAM + 4, 0x30200073u, RV_OPC_SYSTEM);
    load(&m, CODE);
    uint64_t walks = md.st.walks;
    struct ev f = {.kind = EV_TLB_FLUSH, .pc = CODE + 4};
    f.tlb_flush.vaddr = DATA;
    f.tlb_flush.asid = UINT32_MAX;
    emit(&m, &f);
    retire(&m, CODE + 4, 0x12050073u, RV_OPC_SYSTEM); /* sfence.vma a0 */
    load(&m, CODE + 8);
    assert_int_equal(md.st.walks - walks, 1);
    tm_model_destroy(&md);
    machine_destroy(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(satp_switch_without_asids_costs_two_walks),
        cmocka_unit_test(sfence_vma_of_one_page_drops_that_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
