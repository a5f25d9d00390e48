/* 4-level paging (SDM Vol. 3A 4.5). The kernel PML4 maps RAM (up to DIRECT_MAX) at KERNBASE with
 * 4-KiB supervisor pages; each process gets a PML4 whose upper half (entries 256-511) is the
 * kernel's, so the kernel is in every address space but unreachable from ring 3 (U/S = 0). User
 * pages have U/S = 1 at every level (4.6). */
#include "x86_64.h"

static uint64_t *kernel_pml4;

/* The PTE for va in the tree at pml4, allocating missing tables with flags in the entries that
 * point at them (when alloc), or NULL. */
static uint64_t *walk(uint64_t *pml4, uint64_t va, bool alloc, uint64_t flags)
{
    uint64_t *table = pml4;
    for (int level = 3; level > 0; level--) {
        uint64_t *e = &table[PX(level, va)];
        if (!(*e & PTE_P)) {
            if (!alloc) return NULL;
            uint64_t *next = kalloc();
            if (!next) return NULL;
            *e = V2P(next) | flags;
        } else if (alloc) {
            *e |= flags; /* a table may gain U or W for a new user page */
        }
        table = P2V(*e & PTE_ADDR);
    }
    return &table[PX(0, va)];
}

/* Called by kmain() once, on the boot tables (boot.S). */
void kvm_init(uint64_t ram_end)
{
    if (ram_end > DIRECT_MAX) ram_end = DIRECT_MAX;
    kernel_pml4 = kalloc();
    if (!kernel_pml4) panic("kvm_init: out of memory");
    for (uint64_t pa = 0; pa < ram_end; pa += PAGE_SIZE) {
        uint64_t *pte = walk(kernel_pml4, KERNBASE + pa, true, PTE_P | PTE_W);
        if (!pte) panic("kvm_init: out of memory for page tables");
        *pte = pa | PTE_P | PTE_W;
    }
    *walk(kernel_pml4, (uint64_t)kstack_guard, false, 0) = 0; /* the guard page */
    /* the tables down to the vsyscall page, with U/S = 1 at every level (vsyscall_map) */
    if (!walk(kernel_pml4, VSYSCALL_VA, true, PTE_P | PTE_U)) panic("kvm_init: out of memory");
    write_cr3(V2P(kernel_pml4)); /* the boot tables' identity map is gone */
}

uint64_t *uvm_create(void)
{
    uint64_t *pml4 = kalloc();
    if (!pml4) return NULL;
    for (int i = 256; i < 512; i++)
        pml4[i] = kernel_pml4[i];
    return pml4;
}

int vsyscall_map(uint64_t *pml4, const char *code, uint64_t len)
{
    uint8_t *page = kalloc();
    if (!page || len > PAGE_SIZE) return -ENOMEM;
    memcpy(page, code, len);
    *walk(pml4, VSYSCALL_VA, false, 0) = V2P(page) | PTE_P | PTE_U; /* read + execute */
    invlpg(VSYSCALL_VA);
    return 0;
}

int arch_user_map(struct proc *p, uint64_t va, uint64_t len, int prot)
{
    if (va + len < va || va + len > (1ull << 47)) return -ENOMEM;
    for (uint64_t a = va; a < va + len; a += PAGE_SIZE) {
        uint64_t *pte = walk(p->arch.pml4, a, true, PTE_P | PTE_W | PTE_U);
        if (!pte) return -ENOMEM;
        if (!(*pte & PTE_P)) {
            void *page = kalloc();
            if (!page) return -ENOMEM;
            *pte = V2P(page) | PTE_P | PTE_U;
        }
        if (prot & PROT_WRITE) *pte |= PTE_W;
        invlpg(a);
    }
    return 0;
}

uint8_t *arch_user_ptr(struct proc *p, uint64_t va, enum user_access access)
{
    uint64_t *table = p->arch.pml4, e = 0;
    bool writable = true;
    if (va >> 47 != 0 && va >> 47 != 0x1ffff) return NULL; /* not canonical (SDM Vol. 1 3.3.7.1) */
    for (int level = 3; level >= 0; level--) {
        e = table[PX(level, va)];
        if ((e & (PTE_P | PTE_U)) != (PTE_P | PTE_U)) return NULL;
        writable = writable && (e & PTE_W);
        table = P2V(e & PTE_ADDR);
    }
    if (access == UA_WRITE && !writable) return NULL;
    return (uint8_t *)P2V(e & PTE_ADDR) + (va & (PAGE_SIZE - 1));
}
