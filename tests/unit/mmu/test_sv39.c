/* Sv39 page walk and software TLB (priv. spec 20211203, 4.3.1-4.3.2 and 4.4), driven directly on
 * a bus with RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "machine/bus.h"
#include "mmu/mmu.h"

#define BASE 0x80000000ull
#define ROOT (BASE + 0x10000)
#define L1   (BASE + 0x11000)
#define L0   (BASE + 0x12000)
#define PAGE (BASE + 0x20000)
#define V    MMU_PTE_V
#define R    MMU_PTE_R
#define W    MMU_PTE_W
#define X    MMU_PTE_X
#define U    MMU_PTE_U
#define G    MMU_PTE_G
#define A    MMU_PTE_A
#define D    MMU_PTE_D

static int setup(void **state)
{
    struct bus *bus = calloc(1, sizeof *bus);
    char err[128];
    if (!bus || bus_init(bus, BASE, 4ull << 20, err, sizeof err) < 0) return -1;
    *state = bus;
    return 0;
}

static int teardown(void **state)
{
    bus_destroy(*state);
    free(*state);
    return 0;
}

static uint64_t pte(uint64_t pa, uint64_t flags)
{
    return ((pa >> 12) << 10) | flags;
}

static void put(struct bus *bus, uint64_t table, unsigned index, uint64_t value)
{
    assert_int_equal(bus_write(bus, table + 8 * index, 8, value), BUS_OK);
}

static uint64_t get(struct bus *bus, uint64_t table, unsigned index)
{
    uint64_t v;
    assert_int_equal(bus_read(bus, table + 8 * index, 8, &v), BUS_OK);
    return v;
}

static unsigned vpn(uint64_t va, unsigned level)
{
    return (va >> (12 + 9 * level)) & 0x1ff;
}

/* ROOT -> L1 -> L0 pointers for va, and the leaf at level 0 */
static void map4k(struct bus *bus, uint64_t va, uint64_t pa, uint64_t flags)
{
    put(bus, ROOT, vpn(va, 2), pte(L1, V));
    put(bus, L1, vpn(va, 1), pte(L0, V));
    put(bus, L0, vpn(va, 0), pte(pa, flags));
}

static enum mmu_fault walk(struct bus *bus, uint64_t va, unsigned access, unsigned priv, bool sum,
                           bool mxr, struct mmu_sv39_result *res)
{
    struct mmu_sv39_request req = {
        (8ull << 60) | (ROOT >> 12), va, (uint8_t)access, (uint8_t)priv, sum, mxr};
    return mmu_sv39_walk(bus, &req, res);
}

/* 4.3.2: a three-level walk to a 4 KiB page; pa = ppn << 12 | offset */
static void test_walk_4k_page_4_3_2(void **state)
{
    struct bus *bus = *state;
    struct mmu_sv39_result r;
    map4k(bus, 0x12345000, PAGE, V | R | W | X | A | D);
    assert_int_equal(walk(bus, 0x12345678, MMU_LOAD, 1, false, false, &r), MMU_OK);
    assert_int_equal(r.paddr, PAGE + 0x678);
    assert_int_equal(r.level, 0);
    assert_int_equal(r.pte_addr, L0 + 8 * vpn(0x12345000, 0));
}

/* 4.4.1: superpages: gigapage (level 2) and megapage (level 1); pa takes va's low vpns */
static void test_walk_superpages_4_4_1(void **state)
{
    struct bus *bus = *state;
    struct mmu_sv39_result r;
    put(bus, ROOT, 2, pte(0x80000000ull, V | R | W | X | A | D)); /* 1 GiB at 0x80000000 */
    assert_int_equal(walk(bus, 0x8abcdef0, MMU_FETCH, 1, false, false, &r), MMU_OK);
    assert_int_equal(r.paddr, 0x8abcdef0ull);
    assert_int_equal(r.level, 2);
    put(bus, ROOT, 0, pte(L1, V));
    put(bus, L1, 3, pte(0x80200000ull, V | R | A)); /* 2 MiB at va 0x600000 */
    assert_int_equal(walk(bus, 0x6abcde, MMU_LOAD, 1, false, false, &r), MMU_OK);
    assert_int_equal(r.paddr, 0x802abcdeull);
    assert_int_equal(r.level, 1);
    /* canonical high half: root entry 256 covers 0xffffffc000000000 */
    put(bus, ROOT, 256, pte(0x80000000ull, V | R | A));
    assert_int_equal(walk(bus, 0xffffffc000001234ull, MMU_LOAD, 1, false, false, &r), MMU_OK);
    assert_int_equal(r.paddr, 0x80001234ull);
}

/* 4.3.2 step 6: a superpage whose ppn[i-1:0] is not zero is misaligned: page fault */
static void test_misaligned_superpage_faults_4_3_2(void **state)
{
    struct bus *bus = *state;
    struct mmu_sv39_result r;
    put(bus, ROOT, 0, pte(L1, V));
    put(bus, L1, 1, pte(0x80201000ull, V | R | A)); /* megapage with ppn[0] = 1 */
    assert_int_equal(walk(bus, 0x200000, MMU_LOAD, 1, false, false, &r), MMU_PAGE_FAULT);
    put(bus, ROOT, 2, pte(0x80200000ull, V | R | A)); /* gigapage with ppn[1] != 0 */
    assert_int_equal(walk(bus, 0x80000000, MMU_LOAD, 1, false, false, &r), MMU_PAGE_FAULT);
}

/* 4.3.2 step 3, 4.4.1, 4.3.1: invalid PTEs, W without R, reserved bits 63:54, D/A/U in
 * non-leaf PTEs, and a pointer at level 0 are page faults */
static void test_invalid_and_reserved_ptes_4_3_2(void **state)
{
    struct bus *bus = *state;
    struct mmu_sv39_result r;
    const uint64_t va = 0x5000;
    static const uint64_t bad_leaf[] = {
        R | W | X | A | D,        /* V = 0 */
        V | W | A | D,            /* W without R */
        V | W | X | A | D,        /* W and X without R */
        V | R | A | (1ull << 54), /* reserved */
        V | R | A | (1ull << 63), /* N: Svnapot not implemented */
        V | R | A | (1ull << 61), /* PBMT: Svpbmt not implemented */
        V,                        /* pointer at level 0 */
    };
    for (unsigned i = 0; i < sizeof bad_leaf / sizeof bad_leaf[0]; i++) {
        map4k(bus, va, PAGE, 0);
        put(bus, L0, vpn(va, 0), pte(PAGE, 0) | bad_leaf[i]);
        assert_int_equal(walk(bus, va, MMU_LOAD, 1, false, false, &r), MMU_PAGE_FAULT);
    }
    map4k(bus, va, PAGE, V | R | A);
    assert_int_equal(walk(bus, va, MMU_LOAD, 1, false, false, &r), MMU_OK);
    put(bus, L1, vpn(va, 1), pte(L0, V | A)); /* A in a non-leaf */
    assert_int_equal(walk(bus, va, MMU_LOAD, 1, false, false, &r), MMU_PAGE_FAULT);
    put(bus, L1, vpn(va, 1), pte(L0, V | U)); /* U in a non-leaf */
    assert_int_equal(walk(bus, va, MMU_LOAD, 1, false, false, &r), MMU_PAGE_FAULT);
}

/* 4.4.1: addresses whose bits 63:39 differ from bit 38 fault without a walk */
static void test_non_canonical_4_4_1(void **state)
{
    struct bus *bus = *state;
    struct mmu_sv39_result r;
    put(bus, ROOT, 0, pte(0x80000000ull, V | R | W | X | A | D));
    assert_int_equal(walk(bus, 0x1000, MMU_LOAD, 1, false, false, &r), MMU_OK);
    assert_int_equal(walk(bus, 0x8000001000ull, MMU_LOAD, 1, false, false, &r), MMU_PAGE_FAULT);
    assert_int_equal(walk(bus, 1ull << 63, MMU_FETCH, 1, false, false, &r), MMU_PAGE_FAULT);
    assert_false(mmu_sv39_canonical(0x0000004000000000ull));
    assert_true(mmu_sv39_canonical(0xffffffc000000000ull));
    assert_true(mmu_sv39_canonical(0x0000003fffffffffull));
}

/* 4.3.2 step 5: R for loads (or X with MXR), W for stores, X for fetches */
static void test_permissions_and_mxr_3_1_6_3(void **state)
{
    struct bus *bus = *state;
    struct mmu_sv39_result r;
    const uint64_t va = 0x7000;
    map4k(bus, va, PAGE, V | X | A | D); /* execute-only */
    assert_int_equal(walk(bus, va, MMU_FETCH, 1, false, false, &r), MMU_OK);
    assert_int_equal(walk(bus, va, MMU_LOAD, 1, false, false, &r), MMU_PAGE_FAULT);
    assert_int_equal(walk(bus, va, MMU_LOAD, 1, false, true, &r), MMU_OK); /* MXR */
    assert_int_equal(walk(bus, va, MMU_STORE, 1, false, true, &r), MMU_PAGE_FAULT);
    map4k(bus, va, PAGE, V | R | A | D); /* read-only */
    assert_int_equal(walk(bus, va, MMU_LOAD, 1, false, false, &r), MMU_OK);
    assert_int_equal(walk(bus, va, MMU_STORE, 1, false, false, &r), MMU_PAGE_FAULT);
    assert_int_equal(walk(bus, va, MMU_FETCH, 1, false, false, &r), MMU_PAGE_FAULT);
    map4k(bus, va, PAGE, V | R | W | A | D);
    assert_int_equal(walk(bus, va, MMU_STORE, 1, false, false, &r), MMU_OK);
}

/* 4.3.1, 4.1.1 SUM: U pages are for U; S may load/store them only with SUM and never fetch;
 * S pages are never accessible from U */
static void test_user_bit_and_sum_4_3_1(void **state)
{
    struct bus *bus = *state;
    struct mmu_sv39_result r;
    const uint64_t va = 0x9000;
    map4k(bus, va, PAGE, V | R | W | X | U | A | D);
    assert_int_equal(walk(bus, va, MMU_FETCH, 0, false, false, &r), MMU_OK);
    assert_int_equal(walk(bus, va, MMU_LOAD, 0, false, false, &r), MMU_OK);
    assert_int_equal(walk(bus, va, MMU_LOAD, 1, false, false, &r), MMU_PAGE_FAULT);
    assert_int_equal(walk(bus, va, MMU_STORE, 1, false, false, &r), MMU_PAGE_FAULT);
    assert_int_equal(walk(bus, va, MMU_LOAD, 1, true, false, &r), MMU_OK);
    assert_int_equal(walk(bus, va, MMU_STORE, 1, true, false, &r), MMU_OK);
    assert_int_equal(walk(bus, va, MMU_FETCH, 1, true, false, &r), MMU_PAGE_FAULT);
    map4k(bus, va, PAGE, V | R | W | X | A | D); /* supervisor page */
    assert_int_equal(walk(bus, va, MMU_LOAD, 0, true, false, &r), MMU_PAGE_FAULT);
    assert_int_equal(walk(bus, va, MMU_FETCH, 0, false, false, &r), MMU_PAGE_FAULT);
    assert_int_equal(walk(bus, va, MMU_FETCH, 1, false, false, &r), MMU_OK);
}

/* 4.3.2 step 7 (hardware A/D update): A set on any access, D on stores; a faulting access
 * changes nothing */
static void test_accessed_dirty_update_4_3_2(void **state)
{
    struct bus *bus = *state;
    struct mmu_sv39_result r;
    const uint64_t va = 0xb000;
    map4k(bus, va, PAGE, V | R | W);
    assert_int_equal(walk(bus, va, MMU_LOAD, 1, false, false, &r), MMU_OK);
    assert_int_equal(get(bus, L0, vpn(va, 0)), pte(PAGE, V | R | W | A));
    assert_int_equal(r.pte, pte(PAGE, V | R | W | A));
    assert_int_equal(walk(bus, va, MMU_STORE, 1, false, false, &r), MMU_OK);
    assert_int_equal(get(bus, L0, vpn(va, 0)), pte(PAGE, V | R | W | A | D));
    map4k(bus, va, PAGE, V | R);
    assert_int_equal(walk(bus, va, MMU_STORE, 1, false, false, &r), MMU_PAGE_FAULT);
    assert_int_equal(get(bus, L0, vpn(va, 0)), pte(PAGE, V | R));
    /* superpage leaf updated in place */
    put(bus, ROOT, 2, pte(0x80000000ull, V | R | W));
    assert_int_equal(walk(bus, 0x80000040, MMU_STORE, 1, false, false, &r), MMU_OK);
    assert_int_equal(get(bus, ROOT, 2), pte(0x80000000ull, V | R | W | A | D));
}

/* 4.3.2 step 2: a PTE address with no memory is an access fault */
static void test_pte_outside_ram_is_access_fault_4_3_2(void **state)
{
    struct bus *bus = *state;
    struct mmu_sv39_result r;
    struct mmu_sv39_request req = {
        (8ull << 60) | (0x1000 >> 12), 0x1000, MMU_LOAD, 1, false, false};
    assert_int_equal(mmu_sv39_walk(bus, &req, &r), MMU_ACCESS_FAULT);
    put(bus, ROOT, 0, pte(0x2000, V)); /* next level outside RAM */
    assert_int_equal(walk(bus, 0x1000, MMU_LOAD, 1, false, false, &r), MMU_ACCESS_FAULT);
    assert_int_equal(r.pte_addr, 0x2000 + 8 * vpn(0x1000, 1));
}

static enum bus_status dev_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    (void)dev;
    (void)offset;
    (void)size;
    *value = pte(0x80000000ull, V | R | W | X | A | D); /* would be a valid leaf */
    return BUS_OK;
}

/* 3.6: page tables must be in memory that supports the walk: a PTE address in a device is an
 * access fault, and the device sees no read */
static void test_pte_in_device_is_access_fault_3_6(void **state)
{
    struct bus *bus = *state;
    static const struct bus_ops ops = {dev_read, NULL};
    struct bus_region dev = {"dev", 0x10000000, 0x1000, &ops, NULL};
    char err[128];
    assert_int_equal(bus_add_mmio(bus, &dev, err, sizeof err), 0);
    struct mmu_sv39_result r;
    struct mmu_sv39_request req = {
        (8ull << 60) | (0x10000000 >> 12), 0x80000000ull, MMU_LOAD, 1, false, false};
    assert_int_equal(mmu_sv39_walk(bus, &req, &r), MMU_ACCESS_FAULT);
    assert_int_equal(r.pte_addr, 0x10000000 + 8 * 2);
}

/* The TLB: lookup by page; flush all, by address (a superpage's pages together), by ASID
 * (global entries stay) (4.2.1) */
static void test_tlb_flush_rules_4_2_1(void **state)
{
    (void)state;
    struct mmu_tlb *tlb = calloc(1, sizeof *tlb);
    assert_non_null(tlb);
    struct mmu_sv39_result small = {.paddr = 0x80005123, .pte = V | R | A, .level = 0};
    struct mmu_sv39_result mega = {.paddr = 0x80200000, .pte = V | R | A, .level = 1};
    struct mmu_sv39_result global = {.paddr = 0x80300000, .pte = V | R | A | G, .level = 0};
    mmu_tlb_insert(tlb, 0x5123, &small, 1);
    mmu_tlb_insert(tlb, 0x200000, &mega, 1);
    mmu_tlb_insert(tlb, 0x201000, &mega, 1);
    mmu_tlb_insert(tlb, 0x300000, &global, 1);
    assert_non_null(mmu_tlb_lookup(tlb, 0x5fff));
    assert_int_equal(mmu_tlb_lookup(tlb, 0x5000)->paddr, 0x80005000);
    assert_null(mmu_tlb_lookup(tlb, 0x6000));
    assert_null(mmu_tlb_lookup(tlb, 0x5000 + MMU_TLB_ENTRIES * 4096ull)); /* same slot */
    mmu_tlb_flush(tlb, 0x3ff000, UINT32_MAX);                             /* inside the megapage */
    assert_null(mmu_tlb_lookup(tlb, 0x200000));
    assert_null(mmu_tlb_lookup(tlb, 0x201000));
    assert_non_null(mmu_tlb_lookup(tlb, 0x5000));
    mmu_tlb_flush(tlb, UINT64_MAX, 2); /* other ASID */
    assert_non_null(mmu_tlb_lookup(tlb, 0x5000));
    mmu_tlb_flush(tlb, UINT64_MAX, 1);
    assert_null(mmu_tlb_lookup(tlb, 0x5000));
    assert_non_null(mmu_tlb_lookup(tlb, 0x300000)); /* global */
    mmu_tlb_flush(tlb, UINT64_MAX, UINT32_MAX);
    assert_null(mmu_tlb_lookup(tlb, 0x300000));
    free(tlb);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_walk_4k_page_4_3_2),
        T(test_walk_superpages_4_4_1),
        T(test_misaligned_superpage_faults_4_3_2),
        T(test_invalid_and_reserved_ptes_4_3_2),
        T(test_non_canonical_4_4_1),
        T(test_permissions_and_mxr_3_1_6_3),
        T(test_user_bit_and_sum_4_3_1),
        T(test_accessed_dirty_update_4_3_2),
        T(test_pte_outside_ram_is_access_fault_4_3_2),
        T(test_pte_in_device_is_access_fault_3_6),
        T(test_tlb_flush_rules_4_2_1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
