/* The physical bus: guest RAM, memory-mapped devices and the x86 I/O-port space.
 *
 * Every physical access of a CPU core goes either through a host pointer that bus_ram_ptr() handed
 * out (the fast path, RAM only) or through bus_read()/bus_write(). An access that no RAM and no
 * device claims returns BUS_UNMAPPED; the core turns that into its access fault (RISC-V load/store/
 * instruction access fault, priv. spec 3.7; x86 has no bus error and the core decides).
 */
#ifndef RINGSIDE_MACHINE_BUS_H
#define RINGSIDE_MACHINE_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum bus_status {
    BUS_OK = 0,
    BUS_UNMAPPED,   /* no RAM and no device at this address */
    BUS_BAD_ACCESS, /* a device refused the access (width, alignment, read-only register) */
};

/* A device's handlers. offset is relative to the region's base; size is 1, 2, 4 or 8 bytes and
 * the access lies wholly inside the region. Values are little-endian, zero-extended. */
struct bus_ops {
    enum bus_status (*read)(void *dev, uint64_t offset, unsigned size, uint64_t *value);
    enum bus_status (*write)(void *dev, uint64_t offset, unsigned size, uint64_t value);
};

struct bus_region {
    const char *name;
    uint64_t base;
    uint64_t size;
    const struct bus_ops *ops;
    void *dev;
};

#define BUS_MAX_REGIONS 16
#define BUS_PAGE_SIZE   4096u

struct bus {
    uint8_t *ram; /* host mapping of guest RAM, committed lazily by the host kernel */
    uint64_t ram_base;
    uint64_t ram_size;
    struct bus_region mmio[BUS_MAX_REGIONS];
    unsigned n_mmio;
    unsigned n_mmio_over_ram; /* devices placed over RAM (HTIF tohost): their pages are slow-path */
    struct bus_region ports[BUS_MAX_REGIONS];
    unsigned n_ports;
};

/* Maps ram_size bytes of guest RAM at guest-physical ram_base. Returns 0, or -1 with a message. */
int bus_init(struct bus *bus, uint64_t ram_base, uint64_t ram_size, char *err, size_t errlen);
void bus_destroy(struct bus *bus);

/* Adds a device. Devices may not overlap each other; a device may lie over RAM (it then wins, and
 * bus_ram_ptr() refuses the pages it touches). Returns 0, or -1 with a message. */
int bus_add_mmio(struct bus *bus, const struct bus_region *region, char *err, size_t errlen);
int bus_add_ports(struct bus *bus, const struct bus_region *region, char *err, size_t errlen);

enum bus_status bus_read(struct bus *bus, uint64_t paddr, unsigned size, uint64_t *value);
enum bus_status bus_write(struct bus *bus, uint64_t paddr, unsigned size, uint64_t value);

/* x86 IN/OUT. A port no device claims reads as all ones and ignores writes, as on a PC's ISA bus
 * (no bus error exists for port I/O); the return value still says BUS_UNMAPPED so traces can tell.
 */
enum bus_status bus_port_in(struct bus *bus, uint16_t port, unsigned size, uint32_t *value);
enum bus_status bus_port_out(struct bus *bus, uint16_t port, unsigned size, uint32_t value);

/* Host pointer for [paddr, paddr + len) if the whole range is plain RAM with no device over any of
 * its pages, else NULL. This is what a core's fast TLB caches. */
uint8_t *bus_ram_ptr(struct bus *bus, uint64_t paddr, uint64_t len);

/* Copies between host memory and guest RAM (loader, boot information). -1 if the range is not
 * wholly RAM. */
int bus_copy_to_ram(struct bus *bus, uint64_t paddr, const void *src, uint64_t len);
int bus_copy_from_ram(struct bus *bus, uint64_t paddr, void *dst, uint64_t len);
int bus_zero_ram(struct bus *bus, uint64_t paddr, uint64_t len);

/* A 1-, 2-, 4- or 8-byte little-endian value at host pointer p into guest RAM (the host is
 * little-endian, as both guests are): what the cores' fast paths read and write once they hold a
 * RAM pointer. Inline, so a constant size folds to one move. */
static inline uint64_t bus_ram_load(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return p[0];
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    default: {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    }
}

static inline void bus_ram_store(uint8_t *p, unsigned size, uint64_t value)
{
    switch (size) {
    case 1: p[0] = (uint8_t)value; break;
    case 2: {
        uint16_t v = (uint16_t)value;
        memcpy(p, &v, 2);
        break;
    }
    case 4: {
        uint32_t v = (uint32_t)value;
        memcpy(p, &v, 4);
        break;
    }
    default: memcpy(p, &value, 8); break;
    }
}

#endif
