/* A small reader for the flattened device tree the platform hands the kernel (Devicetree
 * Specification v0.4, chapter 5 "Flattened Devicetree (DTB) Format"; all fields big-endian). It
 * takes what the kernel needs in one pass and checks every offset against the blob's size. */
#ifndef KERNEL_FDT_H
#define KERNEL_FDT_H

#include <stdbool.h>
#include <stdint.h>

#define FDT_MAX_RESERVED 8

struct fdt_info {
    uint32_t totalsize;          /* the blob's size, to keep it out of the page allocator */
    uint64_t mem_base, mem_size; /* the first range of the first /memory node */
    const char *bootargs;        /* /chosen/bootargs (NUL-terminated inside the blob) */
    bool has_initrd;             /* /chosen/linux,initrd-start and -end */
    uint64_t initrd_start, initrd_end;
    uint64_t timebase_hz; /* /cpus/timebase-frequency (or that of /cpus/cpu@N) */
    int n_reserved;       /* the memory reservation block (spec 5.3) */
    struct {
        uint64_t base, size;
    } reserved[FDT_MAX_RESERVED];
};

/* Reads blob into *info. Returns 0, or -1 with *why saying what is wrong. */
int fdt_read(const void *blob, struct fdt_info *info, const char **why);

#endif
