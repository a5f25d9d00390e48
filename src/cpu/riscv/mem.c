/* Memory accesses of the hart: translation (Bare, or Sv39 through the MMU part and its software
 * TLB) and the physical bus, with a fast path straight into guest RAM. */
#include "cpu/riscv/internal.h"

enum access { ACC_FETCH, ACC_LOAD, ACC_STORE };

static const uint8_t access_fault[] = {RV_EXC_INSN_ACCESS, RV_EXC_LOAD_ACCESS, RV_EXC_STORE_ACCESS};

static const uint8_t page_fault[] = {RV_EXC_INSN_PAGE, RV_EXC_LOAD_PAGE, RV_EXC_STORE_PAGE};

/* Virtual -> physical (priv. spec 4.1.11, 4.3, 4.4). Loads and stores in M-mode with MPRV = 1
 * translate and check as the privilege in MPP (3.1.6.3); M-mode accesses and satp.MODE = Bare
 * use physical addresses. Faults: page fault (12/13/15) or, when the walk finds no memory, access
 * fault (1/5/7), with tval = the virtual address. */
static int translate_slow(struct rv_hart *h, uint64_t vaddr, enum access acc, uint64_t *paddr)
{
    uint64_t st = h->csr.mstatus;
    unsigned priv = h->priv;
    if (acc != ACC_FETCH && (st & RV_MSTATUS_MPRV))
        priv = (unsigned)((st & RV_MSTATUS_MPP) >> RV_MSTATUS_MPP_SHIFT);
    if (priv == RV_PRIV_M || (h->csr.satp >> RV_SATP_MODE_SHIFT) == RV_SATP_MODE_BARE) {
        *paddr = vaddr;
        return RV_OK;
    }
    bool sum = (st & RV_MSTATUS_SUM) != 0, mxr = (st & RV_MSTATUS_MXR) != 0;
    const struct mmu_tlb_entry *e = mmu_tlb_lookup(&h->tlb, vaddr);
    /* A hit serves only what the walk would: a store needs D already set in the cached PTE, and
     * the permission check is redone for the current privilege, SUM and MXR. */
    if (e && (acc != ACC_STORE || (e->pte & MMU_PTE_D)) &&
        mmu_sv39_check(e->pte, acc, priv, sum, mxr) == MMU_OK) {
        *paddr = e->paddr | (vaddr & 0xfff);
        return RV_OK;
    }
    struct mmu_sv39_request req = {h->csr.satp, vaddr, (uint8_t)acc, (uint8_t)priv, sum, mxr};
    struct mmu_sv39_result res;
    enum mmu_fault f = mmu_sv39_walk(&h->m->bus, &req, &res);
    if (f != MMU_OK) {
        h->tval = vaddr;
        return RV_TRAP(f == MMU_PAGE_FAULT ? page_fault[acc] : access_fault[acc]);
    }
    mmu_tlb_insert(&h->tlb, vaddr, &res, (uint16_t)(h->csr.satp >> 44));
    *paddr = res.paddr;
    return RV_OK;
}

/* The common cases first, inlined: M-mode without MPRV, and Bare translation. */
__attribute__((always_inline)) static inline int translate(struct rv_hart *h, uint64_t vaddr,
                                                           enum access acc, uint64_t *paddr)
{
    if ((h->priv == RV_PRIV_M && !(h->csr.mstatus & RV_MSTATUS_MPRV)) ||
        (h->csr.satp >> RV_SATP_MODE_SHIFT) == RV_SATP_MODE_BARE) {
        *paddr = vaddr;
        return RV_OK;
    }
    return translate_slow(h, vaddr, acc, paddr);
}

/* Priv. 3.7: PMP on the physical bytes [paddr, paddr + size) of an access, at the effective
 * privilege (MPRV applies to loads and stores, 3.1.6.3); a denied access is an access fault with
 * the virtual address in xtval. Nothing to check in the common case (pmp.c, pmp_open). */
__attribute__((always_inline)) static inline int
pmp_check(struct rv_hart *h, uint64_t vaddr, uint64_t paddr, unsigned size, enum access acc)
{
    if (h->pmp_open == RV_PMP_ALL_OPEN) return RV_OK;
    unsigned priv = h->priv;
    if (acc != ACC_FETCH && (h->csr.mstatus & RV_MSTATUS_MPRV))
        priv = (unsigned)((h->csr.mstatus & RV_MSTATUS_MPP) >> RV_MSTATUS_MPP_SHIFT);
    if ((h->pmp_open >> priv) & 1) return RV_OK;
    if (rv_pmp_allows(h, paddr, size, acc, priv)) return RV_OK;
    h->tval = vaddr;
    return RV_TRAP(access_fault[acc]);
}

/* Physical access; an address no RAM or device answers is an access fault (3.7) with the
 * virtual address in xtval. */
__attribute__((always_inline)) static inline int phys_read(struct rv_hart *h, uint64_t vaddr,
                                                           uint64_t paddr, unsigned size,
                                                           enum access acc, uint64_t *value)
{
    struct bus *bus = &h->m->bus;
    uint64_t off = paddr - bus->ram_base;
    if (off < bus->ram_size && size <= bus->ram_size - off && !bus->n_mmio_over_ram) {
        *value = bus_ram_load(bus->ram + off, size);
        return RV_OK;
    }
    code_watch_device(&h->code);
    if (bus_read(bus, paddr, size, value) != BUS_OK) {
        h->tval = vaddr;
        return RV_TRAP(access_fault[acc]);
    }
    return RV_OK;
}

__attribute__((always_inline)) static inline int
phys_write(struct rv_hart *h, uint64_t vaddr, uint64_t paddr, unsigned size, uint64_t value)
{
    struct bus *bus = &h->m->bus;
    uint64_t off = paddr - bus->ram_base;
    if (off < bus->ram_size && size <= bus->ram_size - off && !bus->n_mmio_over_ram) {
        bus_ram_store(bus->ram + off, size, value);
        code_watch_store(&h->code, bus->ram + off);
        return RV_OK;
    }
    code_watch_device(&h->code);
    if (bus_write(bus, paddr, size, value) != BUS_OK) {
        h->tval = vaddr;
        return RV_TRAP(RV_EXC_STORE_ACCESS);
    }
    return RV_OK;
}

/* An access that crosses a page boundary is split: both pages are translated before any byte
 * moves (a store that faults on its second page writes nothing), and a fault reports the address
 * of the part that faulted (priv. spec 3.1.16). */
static bool crosses_page(uint64_t vaddr, unsigned size)
{
    return (vaddr & 0xfff) + size > 0x1000;
}

/* EV_MEM for a data access that happened (a faulting access is not one), counted always and
 * built only for subscribers, as ev_emit does. */
static inline void mem_event(struct rv_hart *h, uint64_t vaddr, uint64_t paddr, unsigned size,
                             enum ev_mem_type type)
{
    ev_emit_mem(&h->m->events, h->pc, vaddr, paddr, (uint8_t)size, (uint8_t)type);
}

int rv_load(struct rv_hart *h, uint64_t vaddr, unsigned size, uint64_t *value)
{
    uint64_t paddr, paddr2;
    int rc = translate(h, vaddr, ACC_LOAD, &paddr);
    if (rc != RV_OK) return rc;
    if (!crosses_page(vaddr, size)) {
        if ((rc = pmp_check(h, vaddr, paddr, size, ACC_LOAD)) != RV_OK) return rc;
        rc = phys_read(h, vaddr, paddr, size, ACC_LOAD, value);
        if (rc == RV_OK) mem_event(h, vaddr, paddr, size, EV_MEM_READ);
        return rc;
    }
    unsigned first = 0x1000 - (unsigned)(vaddr & 0xfff);
    if ((rc = translate(h, vaddr + first, ACC_LOAD, &paddr2)) != RV_OK) return rc;
    if ((rc = pmp_check(h, vaddr, paddr, first, ACC_LOAD)) != RV_OK ||
        (rc = pmp_check(h, vaddr + first, paddr2, size - first, ACC_LOAD)) != RV_OK)
        return rc;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint64_t byte;
        uint64_t pa = i < first ? paddr + i : paddr2 + (i - first);
        if ((rc = phys_read(h, vaddr + i, pa, 1, ACC_LOAD, &byte)) != RV_OK) return rc;
        v |= byte << (8 * i);
    }
    *value = v;
    mem_event(h, vaddr, paddr, size, EV_MEM_READ); /* one access; paddr of its first byte */
    return RV_OK;
}

int rv_store(struct rv_hart *h, uint64_t vaddr, unsigned size, uint64_t value)
{
    uint64_t paddr, paddr2;
    int rc = translate(h, vaddr, ACC_STORE, &paddr);
    if (rc != RV_OK) return rc;
    if (!crosses_page(vaddr, size)) {
        if ((rc = pmp_check(h, vaddr, paddr, size, ACC_STORE)) != RV_OK) return rc;
        rc = phys_write(h, vaddr, paddr, size, value);
        if (rc == RV_OK) mem_event(h, vaddr, paddr, size, EV_MEM_WRITE);
        return rc;
    }
    unsigned first = 0x1000 - (unsigned)(vaddr & 0xfff);
    if ((rc = translate(h, vaddr + first, ACC_STORE, &paddr2)) != RV_OK) return rc;
    if ((rc = pmp_check(h, vaddr, paddr, first, ACC_STORE)) != RV_OK ||
        (rc = pmp_check(h, vaddr + first, paddr2, size - first, ACC_STORE)) != RV_OK)
        return rc;
    for (unsigned i = 0; i < size; i++) {
        uint64_t pa = i < first ? paddr + i : paddr2 + (i - first);
        if ((rc = phys_write(h, vaddr + i, pa, 1, value >> (8 * i))) != RV_OK) return rc;
    }
    mem_event(h, vaddr, paddr, size, EV_MEM_WRITE);
    return RV_OK;
}

/* Fetches the instruction at pc in 16-bit parcels (unpriv. spec 1.5: the low two bits of the
 * first parcel say whether it is a 16-bit (C) or a 32-bit instruction). A 32-bit instruction may
 * span two pages; a fault on its second parcel reports that parcel's address in xtval. */
/* Instructions come from RAM only (priv. spec 3.6.1: an I/O region says which accesses it
 * supports; on this platform none is executable): a fetch where a device or nothing answers is an
 * instruction access fault, and device registers never see a fetch's read side effects. RAM under
 * a device (HTIF tohost) is fetchable outside the device's own bytes. */
static int phys_fetch(struct rv_hart *h, uint64_t vaddr, uint64_t paddr, uint64_t *value)
{
    const struct bus *bus = &h->m->bus;
    uint64_t off = paddr - bus->ram_base;
    bool ok = off < bus->ram_size && bus->ram_size - off >= 2;
    for (unsigned i = 0; ok && bus->n_mmio_over_ram && i < bus->n_mmio; i++)
        if (paddr + 2 > bus->mmio[i].base && paddr < bus->mmio[i].base + bus->mmio[i].size)
            ok = false;
    if (!ok) {
        h->tval = vaddr;
        return RV_TRAP(RV_EXC_INSN_ACCESS);
    }
    uint16_t v;
    memcpy(&v, bus->ram + off, 2);
    *value = v;
    return RV_OK;
}

int rv_fetch(struct rv_hart *h, uint64_t pc, uint32_t *word, unsigned *len)
{
    uint64_t paddr, lo, hi;
    int rc = translate(h, pc, ACC_FETCH, &paddr);
    if (rc == RV_OK) rc = pmp_check(h, pc, paddr, 2, ACC_FETCH);
    if (rc == RV_OK) rc = phys_fetch(h, pc, paddr, &lo);
    if (rc != RV_OK) return rc;
    if ((lo & 3) != 3) {
        *word = (uint32_t)lo;
        *len = 2;
        return RV_OK;
    }
    rc = translate(h, pc + 2, ACC_FETCH, &paddr);
    if (rc == RV_OK) rc = pmp_check(h, pc + 2, paddr, 2, ACC_FETCH);
    if (rc == RV_OK) rc = phys_fetch(h, pc + 2, paddr, &hi);
    if (rc != RV_OK) return rc;
    *word = (uint32_t)(lo | hi << 16);
    *len = 4;
    return RV_OK;
}

int rv_translate_data(struct rv_hart *h, uint64_t vaddr, bool store, uint64_t *paddr)
{
    return translate(h, vaddr, store ? ACC_STORE : ACC_LOAD, paddr);
}

int rv_phys_load(struct rv_hart *h, uint64_t vaddr, uint64_t paddr, unsigned size, bool amo,
                 uint64_t *value)
{
    /* an AMO reads and writes: it needs R and W, and faults as a store/AMO (3.7.1) */
    int rc = pmp_check(h, vaddr, paddr, size, ACC_LOAD);
    if (rc == RV_OK && amo) rc = pmp_check(h, vaddr, paddr, size, ACC_STORE);
    if (rc != RV_OK) return amo ? RV_TRAP(RV_EXC_STORE_ACCESS) : rc;
    rc = phys_read(h, vaddr, paddr, size, amo ? ACC_STORE : ACC_LOAD, value);
    if (rc == RV_OK) mem_event(h, vaddr, paddr, size, EV_MEM_READ);
    return rc;
}

int rv_phys_store(struct rv_hart *h, uint64_t vaddr, uint64_t paddr, unsigned size, uint64_t value)
{
    int rc = pmp_check(h, vaddr, paddr, size, ACC_STORE);
    if (rc == RV_OK) rc = phys_write(h, vaddr, paddr, size, value);
    if (rc == RV_OK) mem_event(h, vaddr, paddr, size, EV_MEM_WRITE);
    return rc;
}

int rv_decode_into(struct rv_hart *h, uint64_t paddr, uint32_t raw, struct rv_dinsn *d)
{
    unsigned len = (raw & 3) == 3 ? 4 : 2;
    if (len == 2) raw &= 0xffff;
    h->insn_raw = raw;
    /* C: expand, then decode through the same table (unpriv. 16.1) */
    uint32_t word = len == 2 ? rv_rvc_expand(h, raw) : raw;
    int id = word ? rv_decode(h, word) : -1;
    if (id < 0) return -1;
    d->exec = rv_exec_table[id];
    d->paddr = paddr;
    d->raw = raw;
    d->word = word;
    d->id = (uint16_t)id;
    d->len = (uint8_t)len;
    d->rawmask = len == 2 ? 0xffffu : 0xffffffffu;
    d->op_class = (uint8_t)rv_insn_table[id].op_class;
    rv_fast_prepare(d);
    return 0;
}

int rv_fetch_decoded(struct rv_hart *h, uint64_t pc, const struct rv_dinsn **out)
{
    uint64_t off = pc & 0xfff;
    if ((pc & ~0xfffull) != h->fetch_vpage || h->fetch_gen != h->xlate_gen) {
        uint64_t paddr;
        int rc = translate(h, pc, ACC_FETCH, &paddr);
        if (rc != RV_OK) return rc;
        h->fetch_vpage = pc & ~0xfffull;
        h->fetch_ppage = paddr & ~0xfffull;
        h->fetch_gen = h->xlate_gen;
        /* with PMP checks to make (3.7), every fetch takes the parcel path, which checks */
        h->fetch_host =
            ((h->pmp_open >> h->priv) & 1) ? bus_ram_ptr(&h->m->bus, h->fetch_ppage, 4096) : NULL;
        h->fetch_fast = h->fetch_host ? h->fetch_vpage : 1;
    }
    /* Not plain RAM, or an instruction that may cross the page: the parcel-by-parcel path. */
    if (!h->fetch_host || off > 0xffc) {
        uint32_t word;
        unsigned len;
        int rc = rv_fetch(h, pc, &word, &len);
        if (rc != RV_OK) return rc;
        if (rv_decode_into(h, UINT64_MAX, word, &h->dscratch) < 0) return rv_illegal(h);
        *out = &h->dscratch;
        return RV_OK;
    }
    uint32_t raw;
    memcpy(&raw, h->fetch_host + off, 4);
    uint64_t paddr = h->fetch_ppage | off;
    struct rv_dinsn *d = &h->icache[(paddr >> 1) % RV_ICACHE_ENTRIES];
    if (d->paddr != paddr || (raw & d->rawmask) != d->raw) {
        if (rv_decode_into(h, paddr, raw, d) < 0) {
            d->len = 0;
            d->paddr = RV_DINSN_EMPTY;
            return rv_illegal(h);
        }
    }
    h->insn_raw = d->raw;
    *out = d;
    return RV_OK;
}
