/* The physical page allocator: a free list of 4 KiB pages threaded through the pages themselves.
 * kmain() hands it RAM after the kernel image, minus what the boot loader placed there (the initrd
 * and the device tree) and the device tree's reservations. */
#include "rv64.h"

struct free_page {
    struct free_page *next;
};

static struct free_page *free_list;
static uint64_t free_pages;

void kalloc_init(uint64_t base, uint64_t end, const struct phys_range *reserved, int n_reserved) {
    for (uint64_t pa = PAGE_ROUND_UP(base); pa + PAGE_SIZE <= end; pa += PAGE_SIZE) {
        bool taken = false;
        for (int i = 0; i < n_reserved && !taken; i++)
            taken = pa < reserved[i].end && reserved[i].base < pa + PAGE_SIZE;
        if (taken) continue;
        struct free_page *page = (struct free_page *)pa;
        page->next = free_list;
        free_list = page;
        free_pages++;
    }
}

void *kalloc(void) {
    struct free_page *page = free_list;
    if (!page) return NULL;
    free_list = page->next;
    free_pages--;
    uint64_t *words = (uint64_t *)page; /* 512 stores rather than memset's 4096 */
    for (int i = 0; i < PAGE_SIZE / 8; i++)
        words[i] = 0;
    return page;
}

uint64_t kalloc_free_pages(void) {
    return free_pages;
}
