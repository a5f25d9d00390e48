/* Memory accesses of the hart: translation (Bare for now; Sv39 is the MMU part's job) and the
 * physical bus, with a fast path straight into guest RAM. */
#include "cpu/riscv/internal.h"

enum access { ACC_FETCH, ACC_LOAD, ACC_STORE };

static const uint8_t access_fault[] = {RV_EXC_INSN_ACCESS, RV_EXC_LOAD_ACCESS, RV_EXC_STORE_ACCESS};

/* Virtual -> physical. Priv. spec 3.1.6.3: loads and stores in M-mode with MPRV = 1 translate as
 * the privilege in MPP; 4.1.11: satp.MODE = Bare, and M-mode, use physical addresses. Only Bare
 * can be written to satp so far, so every address is physical. */
static int translate(struct rv_hart *h, uint64_t vaddr, enum access acc, uint64_t *paddr) {
    (void)acc;
    (void)h;
    *paddr = vaddr;
    return RV_OK;
}

/* Physical access; an address no RAM or device answers is an access fault (3.7) with the
 * virtual address in xtval. */
static int phys_read(struct rv_hart *h, uint64_t vaddr, uint64_t paddr, unsigned size,
                     enum access acc, uint64_t *value) {
    struct bus *bus = &h->m->bus;
    uint64_t off = paddr - bus->ram_base;
    if (off < bus->ram_size && size <= bus->ram_size - off && !bus->n_mmio_over_ram) {
        uint64_t v = 0;
        memcpy(&v, bus->ram + off, size); /* little-endian host and guest */
        *value = v;
        return RV_OK;
    }
    if (bus_read(bus, paddr, size, value) != BUS_OK) {
        h->tval = vaddr;
        return RV_TRAP(access_fault[acc]);
    }
    return RV_OK;
}

static int phys_write(struct rv_hart *h, uint64_t vaddr, uint64_t paddr, unsigned size,
                      uint64_t value) {
    struct bus *bus = &h->m->bus;
    uint64_t off = paddr - bus->ram_base;
    if (off < bus->ram_size && size <= bus->ram_size - off && !bus->n_mmio_over_ram) {
        memcpy(bus->ram + off, &value, size);
        return RV_OK;
    }
    if (bus_write(bus, paddr, size, value) != BUS_OK) {
        h->tval = vaddr;
        return RV_TRAP(RV_EXC_STORE_ACCESS);
    }
    return RV_OK;
}

int rv_load(struct rv_hart *h, uint64_t vaddr, unsigned size, uint64_t *value) {
    uint64_t paddr;
    int rc = translate(h, vaddr, ACC_LOAD, &paddr);
    if (rc != RV_OK) return rc;
    return phys_read(h, vaddr, paddr, size, ACC_LOAD, value);
}

int rv_store(struct rv_hart *h, uint64_t vaddr, unsigned size, uint64_t value) {
    uint64_t paddr;
    int rc = translate(h, vaddr, ACC_STORE, &paddr);
    if (rc != RV_OK) return rc;
    return phys_write(h, vaddr, paddr, size, value);
}

/* Fetches the instruction at pc in 16-bit parcels (unpriv. spec 1.5: the low two bits of the
 * first parcel say whether it is a 16-bit (C) or a 32-bit instruction). A 32-bit instruction may
 * span two pages; a fault on its second parcel reports that parcel's address in xtval. */
int rv_fetch(struct rv_hart *h, uint64_t pc, uint32_t *word, unsigned *len) {
    uint64_t paddr, lo, hi;
    int rc = translate(h, pc, ACC_FETCH, &paddr);
    if (rc == RV_OK) rc = phys_read(h, pc, paddr, 2, ACC_FETCH, &lo);
    if (rc != RV_OK) return rc;
    if ((lo & 3) != 3) {
        *word = (uint32_t)lo;
        *len = 2;
        return RV_OK;
    }
    rc = translate(h, pc + 2, ACC_FETCH, &paddr);
    if (rc == RV_OK) rc = phys_read(h, pc + 2, paddr, 2, ACC_FETCH, &hi);
    if (rc != RV_OK) return rc;
    *word = (uint32_t)(lo | hi << 16);
    *len = 4;
    return RV_OK;
}
