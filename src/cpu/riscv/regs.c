/* Registers by name (cpu_ops.get_reg/set_reg): x0-x31 and their ABI names, f0-f31 and their ABI
 * names (ft0, fa0, fs0, ...; the raw 64 bits, singles NaN-boxed), pc, priv, and every CSR of
 * csr.def by its name. */
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
    if (strcmp(name, "fp") == 0) return 8;
    for (unsigned r = 0; r < 32; r++)
        if (strcmp(name, rv_reg_name(r)) == 0) return (int)r;
    return -1;
}

/* The index of an f register named "fN" or by its ABI name (unpriv. spec 25, table 25.1), or -1. */
static int fpr_index(const char *name)
{
    static const char *const abi[32] = {"ft0", "ft1", "ft2",  "ft3",  "ft4", "ft5", "ft6",  "ft7",
                                        "fs0", "fs1", "fa0",  "fa1",  "fa2", "fa3", "fa4",  "fa5",
                                        "fa6", "fa7", "fs2",  "fs3",  "fs4", "fs5", "fs6",  "fs7",
                                        "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};
    if (name[0] == 'f' && name[1] >= '0' && name[1] <= '9') {
        char *end;
        long n = strtol(name + 1, &end, 10);
        return *end == '\0' && n >= 0 && n < 32 ? (int)n : -1;
    }
    for (unsigned r = 0; r < 32; r++)
        if (strcmp(name, abi[r]) == 0) return (int)r;
    return -1;
}

static const struct rv_csr_info *csr_by_name(const char *name)
{
    size_t count;
    const struct rv_csr_info *table = rv_csr_table(&count);
    for (size_t i = 0; i < count; i++)
        if (strcmp(table[i].name, name) == 0) return &table[i];
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
    if ((r = fpr_index(name)) >= 0) {
        *value = h->f[r];
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
    if ((r = fpr_index(name)) >= 0) {
        h->f[r] = value;
        return true;
    }
    if (strcmp(name, "pc") == 0) {
        h->pc = value & ~1ull; /* IALIGN = 16 with C: bit 0 is never set */
        return true;
    }
    if (strcmp(name, "priv") == 0) {
        if (value != RV_PRIV_U && value != RV_PRIV_S && value != RV_PRIV_M) return false;
        rv_hart_set_priv(h, (unsigned)value);
        return true;
    }
    const struct rv_csr_info *csr = csr_by_name(name);
    return csr && !csr->read_only && rv_csr_set(h, csr->number, value) == 0;
}
