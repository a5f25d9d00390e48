/* The physical page allocator of both x86 kernels: RAM after the kernel image, minus what the boot
 * loader placed there (the module, that is the user program). As on riscv64 the kernel runs one
 * process and never frees, so a cursor hands out pages in ascending order, stepping over the
 * reserved ranges. Pages are returned by their kernel-virtual (direct-map) address, zeroed. */
#include "kernel.h"

#define MAX_RESERVED 4

static uint64_t next, limit;
static struct phys_range reserved[MAX_RESERVED];
static int n_reserved;

void kalloc_init(uint64_t base, uint64_t end, const struct phys_range *res, int n)
{
    if (n > MAX_RESERVED) panic("kalloc_init: %d reserved ranges", n);
    next = PAGE_ROUND_UP(base);
    limit = PAGE_ROUND_DOWN(end);
    for (int i = 0; i < n; i++)
        reserved[i] = res[i];
    n_reserved = n;
}

void *kalloc(void)
{
    for (;;) {
        if (next >= limit) return NULL;
        uint64_t pa = next;
        next += PAGE_SIZE;
        bool taken = false;
        for (int i = 0; i < n_reserved && !taken; i++)
            if (pa < reserved[i].end && reserved[i].base < pa + PAGE_SIZE) {
                taken = true;
                if (reserved[i].end > next) next = PAGE_ROUND_UP(reserved[i].end);
            }
        if (taken) continue;
        unsigned long *words = P2V(pa);
        for (unsigned i = 0; i < PAGE_SIZE / sizeof *words; i++)
            words[i] = 0;
        return words;
    }
}

uint64_t kalloc_pages_left(void)
{
    return (limit - next) / PAGE_SIZE;
}
