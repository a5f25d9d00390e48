/* Two-level 32-bit paging (SDM Vol. 3A 4.3). The kernel page directory maps RAM (up to
 * DIRECT_MAX) at KERNBASE with supervisor pages; each process gets a page directory whose upper
 * half (PDEs 512-1023) points at the kernel's page tables, so the kernel is mapped in every
 * address space but, with U/S = 0 there, unreachable from ring 3. User pages have U/S = 1 in both
 * levels (4.6: the access rights of a page are those of every level combined). */
#include "i386.h"

static uint32_t *kernel_pgdir;

static uint32_t *pt_for(uint32_t *pgdir, uint32_t va, bool alloc, uint32_t pde_flags)
{
    uint32_t *pde = &pgdir[PDX(va)];
    if (!(*pde & PTE_P)) {
        if (!alloc) return NULL;
        uint32_t *pt = kalloc();
        if (!pt) return NULL;
        *pde = (uint32_t)V2P(pt) | pde_flags;
    }
    return P2V(*pde & ~0xfffu);
}

/* Called by kmain() once, on the boot page directory (boot.S). */
void kvm_init(uint64_t ram_end)
{
    if (ram_end > DIRECT_MAX) ram_end = DIRECT_MAX;
    kernel_pgdir = kalloc();
    if (!kernel_pgdir) panic("kvm_init: out of memory");
    for (uint64_t pa = 0; pa < ram_end; pa += PAGE_SIZE) {
        uint32_t *pt = pt_for(kernel_pgdir, KERNBASE + (uint32_t)pa, true, PTE_P | PTE_W);
        if (!pt) panic("kvm_init: out of memory for page tables");
        pt[PTX(KERNBASE + pa)] = (uint32_t)pa | PTE_P | PTE_W;
    }
    /* an overflow of the kernel stack faults on its guard page instead of corrupting .bss */
    uint32_t *pt = pt_for(kernel_pgdir, (uint32_t)kstack_guard, false, 0);
    pt[PTX(kstack_guard)] = 0;
    /* the page table of the vsyscall page's 4-MiB region: U/S = 1 in the PDE so that the one user
     * page in it (vsyscall_map) is reachable; every other PTE in it stays absent */
    if (!pt_for(kernel_pgdir, VSYSCALL_VA, true, PTE_P | PTE_U)) panic("kvm_init: out of memory");
    write_cr3((uint32_t)V2P(kernel_pgdir)); /* the boot directory's identity half is gone */
}

uint32_t *uvm_create(void)
{
    uint32_t *pgdir = kalloc();
    if (!pgdir) return NULL;
    for (int i = PDX(KERNBASE); i < 1024; i++)
        pgdir[i] = kernel_pgdir[i];
    return pgdir;
}

/* The vsyscall page: one page, a copy of the chosen code, user read + execute, shared by
 * every process (the page table is the kernel's). */
int vsyscall_map(uint32_t *pgdir, const char *code, uint32_t len)
{
    uint8_t *page = kalloc();
    if (!page || len > PAGE_SIZE) return -ENOMEM;
    memcpy(page, code, len);
    uint32_t *pt = pt_for(pgdir, VSYSCALL_VA, false, 0);
    pt[PTX(VSYSCALL_VA)] = (uint32_t)V2P(page) | PTE_P | PTE_U;
    invlpg(VSYSCALL_VA);
    return 0;
}

int arch_user_map(struct proc *p, uint64_t va, uint64_t len, int prot)
{
    if (va + len < va || va + len > KERNBASE) return -ENOMEM;
    for (uint64_t a = va; a < va + len; a += PAGE_SIZE) {
        /* the PDE allows everything; the PTE says what this page allows */
        uint32_t *pt = pt_for(p->arch.pgdir, (uint32_t)a, true, PTE_P | PTE_W | PTE_U);
        if (!pt) return -ENOMEM;
        uint32_t *pte = &pt[PTX(a)];
        if (!(*pte & PTE_P)) {
            void *page = kalloc();
            if (!page) return -ENOMEM;
            *pte = (uint32_t)V2P(page) | PTE_P | PTE_U;
        }
        if (prot & PROT_WRITE) *pte |= PTE_W;
        invlpg((uint32_t)a); /* a page may have gained write access */
    }
    return 0;
}

uint8_t *arch_user_ptr(struct proc *p, uint64_t va, enum user_access access)
{
    if (va >= (1ull << 32)) return NULL;
    uint32_t pde = p->arch.pgdir[PDX(va)];
    if ((pde & (PTE_P | PTE_U)) != (PTE_P | PTE_U)) return NULL;
    uint32_t pte = ((uint32_t *)P2V(pde & ~0xfffu))[PTX(va)];
    if ((pte & (PTE_P | PTE_U)) != (PTE_P | PTE_U)) return NULL;
    if (access == UA_WRITE && !((pte & PTE_W) && (pde & PTE_W))) return NULL;
    return (uint8_t *)P2V(pte & ~0xfffu) + (va & (PAGE_SIZE - 1));
}
