/* The physical bus (see bus.h). */
#include "machine/bus.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int bus_init(struct bus *bus, uint64_t ram_base, uint64_t ram_size, char *err, size_t errlen)
{
    memset(bus, 0, sizeof *bus);
    if (ram_size == 0 || ram_size % BUS_PAGE_SIZE || ram_base % BUS_PAGE_SIZE ||
        ram_base + ram_size < ram_base) {
        snprintf(err, errlen, "guest RAM of %#llx bytes at %#llx is not page-aligned",
                 (unsigned long long)ram_size, (unsigned long long)ram_base);
        return -1;
    }
    /* MAP_NORESERVE: pages are committed when the guest first touches them. */
    void *ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED) {
        snprintf(err, errlen, "cannot map %llu MiB of guest RAM: %s",
                 (unsigned long long)(ram_size >> 20), strerror(errno));
        return -1;
    }
    bus->ram = ram;
    bus->ram_base = ram_base;
    bus->ram_size = ram_size;
    return 0;
}

void bus_destroy(struct bus *bus)
{
    if (bus->ram) munmap(bus->ram, bus->ram_size);
    memset(bus, 0, sizeof *bus);
}

/* [a, a + alen) and [b, b + blen) intersect; lengths are non-zero and do not wrap. */
static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

static bool in_ram(const struct bus *bus, uint64_t paddr, uint64_t len)
{
    return paddr >= bus->ram_base && len <= bus->ram_size &&
           paddr - bus->ram_base <= bus->ram_size - len;
}

static int add_region(struct bus_region *table, unsigned *count, const struct bus_region *region,
                      uint64_t space_end, const char *space, char *err, size_t errlen)
{
    if (region->size == 0 || region->base + region->size < region->base ||
        (space_end && region->base + region->size > space_end)) {
        snprintf(err, errlen, "device %s: bad %s range %#llx+%#llx", region->name, space,
                 (unsigned long long)region->base, (unsigned long long)region->size);
        return -1;
    }
    if (*count == BUS_MAX_REGIONS) {
        snprintf(err, errlen, "device %s: too many %s devices", region->name, space);
        return -1;
    }
    for (unsigned i = 0; i < *count; i++) {
        if (ranges_overlap(region->base, region->size, table[i].base, table[i].size)) {
            snprintf(err, errlen, "device %s overlaps device %s in %s space", region->name,
                     table[i].name, space);
            return -1;
        }
    }
    table[(*count)++] = *region;
    return 0;
}

int bus_add_mmio(struct bus *bus, const struct bus_region *region, char *err, size_t errlen)
{
    if (add_region(bus->mmio, &bus->n_mmio, region, 0, "memory", err, errlen) < 0) return -1;
    if (bus->ram && ranges_overlap(region->base, region->size, bus->ram_base, bus->ram_size))
        bus->n_mmio_over_ram++;
    return 0;
}

int bus_add_ports(struct bus *bus, const struct bus_region *region, char *err, size_t errlen)
{
    return add_region(bus->ports, &bus->n_ports, region, 0x10000, "I/O port", err, errlen);
}

/* The device whose region holds the whole access, or NULL. An access that straddles a device's
 * edge is unmapped: no device decodes half of it. */
static const struct bus_region *find_region(const struct bus_region *table, unsigned count,
                                            uint64_t addr, unsigned size)
{
    for (unsigned i = 0; i < count; i++) {
        const struct bus_region *r = &table[i];
        if (addr >= r->base && addr - r->base < r->size)
            return size <= r->size - (addr - r->base) ? r : NULL;
    }
    return NULL;
}

static bool valid_size(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

enum bus_status bus_read(struct bus *bus, uint64_t paddr, unsigned size, uint64_t *value)
{
    *value = 0;
    if (!valid_size(size)) return BUS_BAD_ACCESS;
    const struct bus_region *r = find_region(bus->mmio, bus->n_mmio, paddr, size);
    if (r)
        return r->ops->read ? r->ops->read(r->dev, paddr - r->base, size, value) : BUS_BAD_ACCESS;
    if (!in_ram(bus, paddr, size)) return BUS_UNMAPPED;
    memcpy(value, bus->ram + (paddr - bus->ram_base), size); /* little-endian host and guests */
    return BUS_OK;
}

enum bus_status bus_write(struct bus *bus, uint64_t paddr, unsigned size, uint64_t value)
{
    if (!valid_size(size)) return BUS_BAD_ACCESS;
    const struct bus_region *r = find_region(bus->mmio, bus->n_mmio, paddr, size);
    if (r) {
        uint64_t mask = size == 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
        return r->ops->write ? r->ops->write(r->dev, paddr - r->base, size, value & mask)
                             : BUS_BAD_ACCESS;
    }
    if (!in_ram(bus, paddr, size)) return BUS_UNMAPPED;
    memcpy(bus->ram + (paddr - bus->ram_base), &value, size);
    return BUS_OK;
}

enum bus_status bus_port_in(struct bus *bus, uint16_t port, unsigned size, uint32_t *value)
{
    if (size != 1 && size != 2 && size != 4) {
        *value = 0;
        return BUS_BAD_ACCESS;
    }
    uint32_t all_ones = size == 4 ? UINT32_MAX : (1u << (8 * size)) - 1;
    const struct bus_region *r = find_region(bus->ports, bus->n_ports, port, size);
    if (!r || !r->ops->read) {
        *value = all_ones;
        return BUS_UNMAPPED;
    }
    uint64_t v = 0;
    enum bus_status status = r->ops->read(r->dev, port - r->base, size, &v);
    *value = status == BUS_OK ? (uint32_t)v & all_ones : all_ones;
    return status;
}

enum bus_status bus_port_out(struct bus *bus, uint16_t port, unsigned size, uint32_t value)
{
    if (size != 1 && size != 2 && size != 4) return BUS_BAD_ACCESS;
    const struct bus_region *r = find_region(bus->ports, bus->n_ports, port, size);
    if (!r || !r->ops->write) return BUS_UNMAPPED;
    uint32_t mask = size == 4 ? UINT32_MAX : (1u << (8 * size)) - 1;
    return r->ops->write(r->dev, port - r->base, size, value & mask);
}

uint8_t *bus_ram_ptr(struct bus *bus, uint64_t paddr, uint64_t len)
{
    if (len == 0 || !in_ram(bus, paddr, len)) return NULL;
    if (bus->n_mmio_over_ram) {
        uint64_t first = paddr & ~(uint64_t)(BUS_PAGE_SIZE - 1);
        uint64_t last = (paddr + len - 1) | (BUS_PAGE_SIZE - 1);
        for (unsigned i = 0; i < bus->n_mmio; i++)
            if (ranges_overlap(first, last - first + 1, bus->mmio[i].base, bus->mmio[i].size))
                return NULL;
    }
    return bus->ram + (paddr - bus->ram_base);
}

int bus_copy_to_ram(struct bus *bus, uint64_t paddr, const void *src, uint64_t len)
{
    if (len == 0) return 0;
    if (!in_ram(bus, paddr, len)) return -1;
    memcpy(bus->ram + (paddr - bus->ram_base), src, len);
    return 0;
}

int bus_copy_from_ram(struct bus *bus, uint64_t paddr, void *dst, uint64_t len)
{
    if (len == 0) return 0;
    if (!in_ram(bus, paddr, len)) return -1;
    memcpy(dst, bus->ram + (paddr - bus->ram_base), len);
    return 0;
}

int bus_zero_ram(struct bus *bus, uint64_t paddr, uint64_t len)
{
    if (len == 0) return 0;
    if (!in_ram(bus, paddr, len)) return -1;
    memset(bus->ram + (paddr - bus->ram_base), 0, len);
    return 0;
}
