/* Zicsr: the CSR instructions (unpriv. spec chapter 9 "Zicsr", 9.1 "CSR Instructions").
 *
 * Which accesses happen (9.1, table 9.1): CSRRW/CSRRWI with rd = x0 do not read the CSR;
 * CSRRS/CSRRC with rs1 = x0 and CSRRSI/CSRRCI with uimm = 0 do not write it, so they do not raise
 * the exceptions of a write (a read-only CSR only faults on a real write). Privilege and
 * existence are checked on every access (csr.c). The old value is written to rd only when the
 * whole instruction succeeds. */
#include "cpu/riscv/internal.h"

enum csr_op { CSR_W, CSR_S, CSR_C };

static int csr_insn(struct rv_hart *h, uint32_t insn, enum csr_op op, uint64_t src, bool write)
{
    unsigned number = insn >> 20, rd = rv_rd(insn);
    bool read = op != CSR_W || rd != 0;
    uint64_t old = 0;
    int rc;
    if (read && (rc = rv_csr_read_insn(h, number, &old)) != RV_OK) return rc;
    if (write) {
        uint64_t value = op == CSR_W ? src : op == CSR_S ? old | src : old & ~src;
        if ((rc = rv_csr_write_insn(h, number, value)) != RV_OK) return rc;
    }
    h->x[rd] = old;
    return RV_OK;
}

int rv_exec_csrrw(struct rv_hart *h, uint32_t insn)
{
    return csr_insn(h, insn, CSR_W, h->x[rv_rs1(insn)], true);
}
int rv_exec_csrrs(struct rv_hart *h, uint32_t insn)
{
    return csr_insn(h, insn, CSR_S, h->x[rv_rs1(insn)], rv_rs1(insn) != 0);
}
int rv_exec_csrrc(struct rv_hart *h, uint32_t insn)
{
    return csr_insn(h, insn, CSR_C, h->x[rv_rs1(insn)], rv_rs1(insn) != 0);
}
/* The immediate forms: uimm[4:0] is the rs1 field, zero-extended */
int rv_exec_csrrwi(struct rv_hart *h, uint32_t insn)
{
    return csr_insn(h, insn, CSR_W, rv_rs1(insn), true);
}
int rv_exec_csrrsi(struct rv_hart *h, uint32_t insn)
{
    return csr_insn(h, insn, CSR_S, rv_rs1(insn), rv_rs1(insn) != 0);
}
int rv_exec_csrrci(struct rv_hart *h, uint32_t insn)
{
    return csr_insn(h, insn, CSR_C, rv_rs1(insn), rv_rs1(insn) != 0);
}
