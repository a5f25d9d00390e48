/* copyin/copyout: the only way the kernel touches user memory. Every page of a user range is looked
 * up in the process's own page table (arch_user_ptr) and must be a user page with the permission
 * the access needs; kernel addresses, unmapped pages and read-only pages give -EFAULT and leave the
 * kernel running. Data is copied into a kernel buffer before the kernel looks at it, so the program
 * cannot change it between the check and the use. */
#include "kernel.h"

/* Copies n bytes between kernel buffer k and user range uva page by page. */
static int user_copy(struct proc *p, uint64_t uva, void *k, uint64_t n, enum user_access access)
{
    uint8_t *kb = k;
    if (uva + n < uva) /* wraps around: not a user range */
        return -EFAULT;
    while (n) {
        uint8_t *kp = arch_user_ptr(p, uva, access);
        if (!kp) return -EFAULT;
        uint64_t chunk = PAGE_SIZE - (uva & (PAGE_SIZE - 1));
        if (chunk > n) chunk = n;
        if (access == UA_READ)
            memcpy(kb, kp, chunk);
        else
            memcpy(kp, kb, chunk);
        kb += chunk, uva += chunk, n -= chunk;
    }
    return 0;
}

int user_range_ok(struct proc *p, uint64_t uva, uint64_t n, enum user_access access)
{
    if (uva + n < uva) return -EFAULT;
    if (!n) return 0;
    for (uint64_t va = PAGE_ROUND_DOWN(uva); va < uva + n; va += PAGE_SIZE)
        if (!arch_user_ptr(p, va, access)) return -EFAULT;
    return 0;
}

int copyin(struct proc *p, void *dst, uint64_t uva, uint64_t n)
{
    return user_copy(p, uva, dst, n, UA_READ);
}

int copyout(struct proc *p, uint64_t uva, const void *src, uint64_t n)
{
    return user_copy(p, uva, (void *)src, n, UA_WRITE);
}

int64_t copyinstr(struct proc *p, char *dst, uint64_t uva, uint64_t max)
{
    for (uint64_t i = 0; i < max; i++) {
        const uint8_t *kp = arch_user_ptr(p, uva + i, UA_READ);
        if (!kp || uva + i < uva) return -EFAULT;
        dst[i] = (char)*kp;
        if (!dst[i]) return (int64_t)i;
    }
    return -ENAMETOOLONG;
}
