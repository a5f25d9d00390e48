/* The fake architecture under the kernel's common code (helpers.h), and the common code itself,
 * compiled here for the host. string.c is left out: the host's C library provides those. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#include "kernel/common/cmdline.c"
#include "kernel/common/console.c"
#include "kernel/common/exec.c"
#include "kernel/common/fdt.c"
#include "kernel/common/proc.c"
#include "kernel/common/syscall.c"
#include "kernel/common/usercopy.c"

#define MAX_PAGES 64

static struct {
    uint8_t data[PAGE_SIZE] __attribute__((aligned(16)));
    uint64_t va;
    int prot;
} pages[MAX_PAGES];
static int n_pages;

char fake_console_out[8192];
size_t fake_console_len;
const char *fake_console_in = "";
jmp_buf fake_shutdown_jmp;
int fake_shutdown_armed;

void fake_reset(struct proc *p)
{
    n_pages = 0;
    fake_console_len = 0;
    fake_console_in = "";
    memset(p, 0, sizeof *p);
    p->pid = 1;
}

static int find(uint64_t va)
{
    for (int i = 0; i < n_pages; i++)
        if (pages[i].va == PAGE_ROUND_DOWN(va)) return i;
    return -1;
}

void fake_map(uint64_t va, int prot)
{
    if (n_pages == MAX_PAGES) abort();
    pages[n_pages].va = PAGE_ROUND_DOWN(va);
    pages[n_pages].prot = prot;
    memset(pages[n_pages].data, 0, PAGE_SIZE);
    n_pages++;
}

uint8_t *fake_mem(uint64_t va)
{
    int i = find(va);
    return i < 0 ? NULL : pages[i].data + (va & (PAGE_SIZE - 1));
}

void arch_console_putc(char c)
{
    if (fake_console_len < sizeof fake_console_out) fake_console_out[fake_console_len++] = c;
}

int arch_console_getc(void)
{
    return *fake_console_in ? (unsigned char)*fake_console_in++ : -1;
}

uint64_t arch_clock_ticks(void)
{
    return 25000000; /* 2.5 s at 10 MHz */
}

uint64_t arch_clock_hz(void)
{
    return 10000000;
}

void arch_shutdown(int status)
{
    if (fake_shutdown_armed) longjmp(fake_shutdown_jmp, status + 1);
    abort();
}

uint8_t *arch_user_ptr(struct proc *p, uint64_t va, enum user_access access)
{
    (void)p;
    int i = find(va);
    if (i < 0 || va >= MAXVA) return NULL;
    if ((access == UA_READ && !(pages[i].prot & PROT_READ)) ||
        (access == UA_WRITE && !(pages[i].prot & PROT_WRITE)))
        return NULL;
    return pages[i].data + (va & (PAGE_SIZE - 1));
}

int arch_user_map(struct proc *p, uint64_t va, uint64_t len, int prot)
{
    (void)p;
    for (uint64_t end = va + len; va < end; va += PAGE_SIZE) {
        int i = find(va);
        if (i >= 0) {
            pages[i].prot |= prot;
            continue;
        }
        if (n_pages == MAX_PAGES) return -ENOMEM;
        fake_map(va, prot);
    }
    return 0;
}
