/* The physical page allocator. kmain() hands it RAM after the kernel image, minus what the boot
 * loader placed there (the initrd and the device tree) and the device tree's reservations. The
 * kernel runs one process and never gives memory back (the machine stops when the process ends),
 * so pages are handed out in ascending order from a cursor that steps over the reserved ranges:
 * boot costs nothing per page of RAM, which matters on an emulator that counts every instruction
 * and may be given gigabytes. */
#include "rv64.h"

#define MAX_RESERVED 16

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
                if (reserved[i].end > next) /* skip the rest of the range at once */
                    next = PAGE_ROUND_UP(reserved[i].end);
            }
        if (taken) continue;
        uint64_t *words = (uint64_t *)pa; /* 512 stores rather than memset's 4096 */
        for (int i = 0; i < PAGE_SIZE / 8; i++)
            words[i] = 0;
        return words;
    }
}

uint64_t kalloc_pages_left(void)
{
    return (limit - next) / PAGE_SIZE;
}
