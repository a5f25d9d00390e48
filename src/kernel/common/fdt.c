/* Flattened device tree reader (Devicetree Specification v0.4, 5.2 header, 5.3 memory reservation
 * block, 5.4 structure block). Called once by the architecture's boot code, before paging. */
#include "fdt.h"
#include "kernel.h"

#define FDT_MAGIC      0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* A property value of 1 or 2 cells (4 or 8 bytes) as a number; false for other lengths. */
static bool cells_value(const uint8_t *v, uint32_t len, uint64_t *out)
{
    if (len == 4)
        *out = be32(v);
    else if (len == 8)
        *out = be64(v);
    else
        return false;
    return true;
}

static bool name_is(const char *name, const char *want)
{
    size_t n = strlen(want);
    return strncmp(name, want, n) == 0 && (name[n] == '\0' || name[n] == '@');
}

int fdt_read(const void *blob, struct fdt_info *info, const char **why)
{
    const uint8_t *b = blob;
    memset(info, 0, sizeof *info);
    if (!b || be32(b) != FDT_MAGIC) {
        *why = "no device tree (bad magic)";
        return -1;
    }
    uint32_t total = be32(b + 4), off_struct = be32(b + 8), off_strings = be32(b + 12);
    uint32_t off_rsv = be32(b + 16), version = be32(b + 20);
    uint32_t size_strings = be32(b + 32), size_struct = be32(b + 36);
    if (version < 17 || total < 40 || off_struct > total || size_struct > total - off_struct ||
        off_strings > total || size_strings > total - off_strings || off_rsv > total ||
        (off_rsv & 7)) {
        *why = "malformed device tree header";
        return -1;
    }
    info->totalsize = total;
    for (uint32_t o = off_rsv; o + 16 <= total; o += 16) { /* 5.3: (address, size) until 0, 0 */
        uint64_t base = be64(b + o), size = be64(b + o + 8);
        if (!base && !size) break;
        if (info->n_reserved < FDT_MAX_RESERVED) {
            info->reserved[info->n_reserved].base = base;
            info->reserved[info->n_reserved].size = size;
            info->n_reserved++;
        }
    }

    uint32_t addr_cells = 2, size_cells = 1; /* 2.3.5: defaults when the root does not say */
    const char *node1 = "", *node2 = "";     /* the current child of the root, and its child */
    int depth = 0;
    bool have_memory = false, have_start = false, have_end = false;
    uint64_t cpu_timebase = 0;
    const uint8_t *s = b + off_struct, *end = s + size_struct;
    while (s + 4 <= end) {
        uint32_t token = be32(s);
        s += 4;
        if (token == FDT_BEGIN_NODE) {
            const char *name = (const char *)s;
            while (s < end && *s)
                s++;
            if (s >= end) break;
            s = b + ((s + 1 - b + 3) & ~(uintptr_t)3);
            depth++;
            if (depth == 2) /* the root is depth 1 */
                node1 = name;
            else if (depth == 3)
                node2 = name;
        } else if (token == FDT_END_NODE) {
            if (--depth < 0) break;
        } else if (token == FDT_PROP) {
            if (s + 8 > end) break;
            uint32_t len = be32(s), nameoff = be32(s + 4);
            const uint8_t *v = s + 8;
            if (len > (uint32_t)(end - v) || nameoff >= size_strings) break;
            s = b + ((v + len - b + 3) & ~(uintptr_t)3);
            const char *prop = (const char *)b + off_strings + nameoff;
            if (depth == 1 && strcmp(prop, "#address-cells") == 0 && len == 4)
                addr_cells = be32(v);
            else if (depth == 1 && strcmp(prop, "#size-cells") == 0 && len == 4)
                size_cells = be32(v);
            else if (depth == 2 && name_is(node1, "memory") && strcmp(prop, "reg") == 0 &&
                     !have_memory && addr_cells >= 1 && addr_cells <= 2 && size_cells >= 1 &&
                     size_cells <= 2 && len >= 4 * (addr_cells + size_cells)) {
                cells_value(v, 4 * addr_cells, &info->mem_base);
                cells_value(v + 4 * addr_cells, 4 * size_cells, &info->mem_size);
                have_memory = true;
            } else if (depth == 2 && name_is(node1, "chosen")) {
                if (strcmp(prop, "bootargs") == 0 && len > 0 && v[len - 1] == '\0')
                    info->bootargs = (const char *)v;
                else if (strcmp(prop, "linux,initrd-start") == 0)
                    have_start = cells_value(v, len, &info->initrd_start);
                else if (strcmp(prop, "linux,initrd-end") == 0)
                    have_end = cells_value(v, len, &info->initrd_end);
            } else if (name_is(node1, "cpus") && strcmp(prop, "timebase-frequency") == 0) {
                if (depth == 2)
                    cells_value(v, len, &info->timebase_hz);
                else if (depth == 3 && name_is(node2, "cpu") && !cpu_timebase)
                    cells_value(v, len, &cpu_timebase);
            }
        } else if (token == FDT_NOP) {
            continue;
        } else if (token == FDT_END) {
            break;
        } else {
            *why = "malformed device tree structure block";
            return -1;
        }
    }
    if (!info->timebase_hz) info->timebase_hz = cpu_timebase;
    if (!have_memory || !info->mem_size) {
        *why = "device tree has no /memory node";
        return -1;
    }
    info->has_initrd = have_start && have_end && info->initrd_end > info->initrd_start;
    return 0;
}
