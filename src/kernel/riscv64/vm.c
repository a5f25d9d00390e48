/* Sv39 page tables (Priv. spec 4.4): the kernel table (direct map of the devices and RAM, the
 * trampoline, the kernel stack with its guard page) and the per-process user table (the program,
 * its heap and stack, the trapframe and the trampoline). Page-table pages come from kalloc() and
 * are reached at their physical address, which the direct map keeps valid once paging is on.
 * Leaf entries are created with A and D set, so no hart needs to update them (4.3.1 allows
 * hardware to fault instead). */
#include "rv64.h"

#define MEGAPAGE (512ull * PAGE_SIZE)

static uint64_t *kernel_pagetable;

/* The entry for va at level (0: 4 KiB page, 1: 2 MiB megapage) in table pt, creating the tables
 * on the way if alloc. NULL if a table is missing (and !alloc or out of memory) or a leaf at a
 * higher level already covers va. */
static uint64_t *walk(uint64_t *pt, uint64_t va, int level, bool alloc)
{
    for (int l = 2; l > level; l--) {
        uint64_t *pte = &pt[VPN(va, l)];
        if (*pte & PTE_V) {
            if (*pte & PTE_LEAF) return NULL;
            pt = (uint64_t *)PTE_PA(*pte);
        } else {
            if (!alloc) return NULL;
            uint64_t *next = kalloc();
            if (!next) return NULL;
            *pte = PA_PTE(next) | PTE_V; /* non-leaf: R = W = X = 0 */
            pt = next;
        }
    }
    return &pt[VPN(va, level)];
}

/* Kernel mappings: va..va+size -> pa, megapages where both are aligned. Boot-time only: a failure
 * is a kernel bug or a machine without memory, so it panics. */
static void kmap(uint64_t va, uint64_t pa, uint64_t size, uint64_t perm)
{
    for (uint64_t end = va + size; va < end;) {
        int level = ((va | pa) & (MEGAPAGE - 1)) == 0 && end - va >= MEGAPAGE ? 1 : 0;
        uint64_t *pte = walk(kernel_pagetable, va, level, true);
        if (!pte || (*pte & PTE_V)) panic("kmap: cannot map 0x%lx", va);
        *pte = PA_PTE(pa) | perm | PTE_A | PTE_D | PTE_V;
        uint64_t step = level ? MEGAPAGE : PAGE_SIZE;
        va += step, pa += step;
    }
}

/* Called once by kmain(), paging still off: the direct map, the trampoline, the kernel stack. */
void kvm_init(uint64_t ram_base, uint64_t ram_end)
{
    kernel_pagetable = kalloc();
    if (!kernel_pagetable) panic("no memory for the kernel page table");
    kmap(FINISHER_BASE, FINISHER_BASE, PAGE_SIZE, PTE_R | PTE_W);
    kmap(CLINT_BASE, CLINT_BASE, CLINT_SIZE, PTE_R | PTE_W);
    kmap(UART0_BASE, UART0_BASE, PAGE_SIZE, PTE_R | PTE_W);
    /* RAM: the kernel's text (with the trampoline) read-execute, everything else read-write */
    uint64_t text = (uint64_t)text_end;
    kmap(ram_base, ram_base, text - ram_base, PTE_R | PTE_X);
    kmap(text, text, ram_end - text, PTE_R | PTE_W);
    kmap(TRAMPOLINE, (uint64_t)trampoline, PAGE_SIZE, PTE_R | PTE_X);
    /* The kernel stack, with KSTACK_GUARD left unmapped below it and one page left unmapped
     * between it and the trampoline. */
    for (uint64_t va = KSTACK_TOP - KSTACK_SIZE; va < KSTACK_TOP; va += PAGE_SIZE) {
        void *page = kalloc();
        if (!page) panic("no memory for the kernel stack");
        kmap(va, (uint64_t)page, PAGE_SIZE, PTE_R | PTE_W);
    }
}

/* The kernel's satp: for kvm_enable() and for the trapframe, where uservec finds it. */
uint64_t kvm_satp(void)
{
    return MAKE_SATP(kernel_pagetable);
}

/* Called once by kmain() after kvm_init(): paging on. The code runs on at the same addresses
 * because the kernel is direct-mapped. */
void kvm_enable(void)
{
    sfence_vma();
    csr_write(satp, kvm_satp());
    sfence_vma();
}

/* Called by kmain() to create the process: a user table with only the trampoline and the
 * trapframe; exec adds the program, its stack and (through brk) its heap. */
uint64_t *uvm_create(struct trapframe *tf)
{
    uint64_t *pt = kalloc();
    if (!pt) return NULL;
    uint64_t *pte = walk(pt, TRAMPOLINE, 0, true);
    if (!pte) return NULL;
    *pte = PA_PTE(trampoline) | PTE_R | PTE_X | PTE_A | PTE_V; /* no U: only the hart's trap path */
    pte = walk(pt, TRAPFRAME, 0, true);
    if (!pte) return NULL;
    *pte = PA_PTE(tf) | PTE_R | PTE_W | PTE_A | PTE_D | PTE_V; /* no U */
    return pt;
}

/* Called by exec (segments, stack) and brk (heap) in the common part. */
int arch_user_map(struct proc *p, uint64_t va, uint64_t len, int prot)
{
    uint64_t perm =
        PTE_U | PTE_R | (prot & PROT_WRITE ? PTE_W : 0) | (prot & PROT_EXEC ? PTE_X : 0);
    for (uint64_t end = va + len; va < end; va += PAGE_SIZE) {
        if (va >= USER_LOAD_END && !(va >= USER_STACK_TOP - USER_STACK_SIZE && va < USER_STACK_TOP))
            return -ENOMEM; /* never over the guard pages, the trapframe or the trampoline */
        uint64_t *pte = walk(p->arch.pagetable, va, 0, true);
        if (!pte) return -ENOMEM;
        if (*pte & PTE_V) { /* shared with the segment before: keep it, widen the permissions */
            *pte |= perm;
            continue;
        }
        void *page = kalloc();
        if (!page) return -ENOMEM;
        *pte = PA_PTE(page) | perm | PTE_A | PTE_D | PTE_V;
    }
    return 0;
}

/* Called by copyin/copyout/copyinstr and exec's loader (common part) for every user page they
 * touch: a software walk of the user table, checking V, U and R or W as the hardware would. */
uint8_t *arch_user_ptr(struct proc *p, uint64_t va, enum user_access access)
{
    if (va >= MAXVA) /* kernel half, or not a canonical user address */
        return NULL;
    uint64_t *pte = walk(p->arch.pagetable, va, 0, false);
    if (!pte || !(*pte & PTE_V) || !(*pte & PTE_U)) return NULL;
    if ((access == UA_READ && !(*pte & PTE_R)) || (access == UA_WRITE && !(*pte & PTE_W)))
        return NULL;
    return (uint8_t *)(PTE_PA(*pte) + (va & (PAGE_SIZE - 1)));
}
