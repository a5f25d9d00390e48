/* Registers by name (cpu_ops.get_reg/set_reg): x0-x31 and their ABI names, pc, priv, and every
 * CSR of csr.def by its name. */
#include <stdlib.h>
#include <string.h>

#include "cpu/riscv/internal.h"

/* The index of a general register named "xN" or by its ABI name ("fp" is s0), or -1. */
static int gpr_index(const char *name)
{
    if (name[0] == 'x' && name[1] >= '0' && name[1] <= '9') {
        char *end;
        long n = strtol(name + 1, &end, 10);
        return *end == '\0' && n >= 0 && n < 32 ? (int)n : -1;
    }
    if (strcmp(name, "fp") == 0)
        return 8;
    for (unsigned r = 0; r < 32; r++)
        if (strcmp(name, rv_reg_name(r)) == 0)
            return (int)r;
    return -1;
}

static const struct rv_csr_info *csr_by_name(const char *name)
{
    size_t count;
    const struct rv_csr_info *table = rv_csr_table(&count);
    for (size_t i = 0; i < count; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

bool rv_get_reg(void *hart, const char *name, uint64_t *value)
{
    struct rv_hart *h = hart;
    int r = gpr_index(name);
    if (r >= 0) {
        *value = h->x[r];
        return true;
    }
    if (strcmp(name, "pc") == 0) {
        *value = h->pc;
        return true;
    }
    if (strcmp(name, "priv") == 0) {
        *value = h->priv;
        return true;
    }
    const struct rv_csr_info *csr = csr_by_name(name);
    return csr && rv_csr_get(h, csr->number, value) == 0;
}

bool rv_set_reg(void *hart, const char *name, uint64_t value)
{
    struct rv_hart *h = hart;
    int r = gpr_index(name);
    if (r >= 0) {
        if (r != 0) /* x0 is hardwired to zero (unpriv. spec 2.1) */
            h->x[r] = value;
        return true;
    }
    if (strcmp(name, "pc") == 0) {
        h->pc = value & ~1ull; /* IALIGN = 16 with C: bit 0 is never set */
        return true;
    }
    if (strcmp(name, "priv") == 0) {
        if (value != RV_PRIV_U && value != RV_PRIV_S && value != RV_PRIV_M)
            return false;
        rv_hart_set_priv(h, (unsigned)value);
        return true;
    }
    const struct rv_csr_info *csr = csr_by_name(name);
    return csr && !csr->read_only && rv_csr_set(h, csr->number, value) == 0;
}
