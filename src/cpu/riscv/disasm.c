/* The disassembler, from the instruction tables (insn.def, rvc.def) and the CSR table (csr.def),
 * in the syntax llvm-objdump prints by default: ABI register names, the standard aliases
 * (unpriv. spec chapter 25 "RISC-V Assembly Programmer's Handbook", tables 25.2-25.3), compressed
 * instructions shown as the instruction they expand to, branch and jump targets as absolute
 * addresses, CSRs by name. test_disasm checks it against llvm-objdump.
 *
 * Where the two part: FENCE and FENCE.I with non-zero reserved fields (rd, rs1, other fm values,
 * FENCE.I's imm) execute as the plain instruction (unpriv. 2.7 and chapter 3 say to ignore them)
 * and print as such here, where llvm-objdump prints <unknown>; the reserved c.lui zero, 0 is
 * <unknown> here (it is an illegal instruction), "c.lui zero, 0" there. FCVT.D.S, FCVT.D.W and
 * FCVT.D.WU are exact and print without their rm field, as llvm-objdump does for rm = 0; it prints
 * <unknown> for other rm values, which execute (unpriv. 11.2 gives these rows an rm field). An rm
 * of 5 or 6 (reserved, illegal) is <unknown> in both. */
#include <inttypes.h>
#include <stdarg.h>

#include "cpu/riscv/internal.h"

static const char *const reg_names[32] = {"zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2",
                                          "s0",   "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
                                          "a6",   "a7", "s2",  "s3",  "s4", "s5", "s6", "s7",
                                          "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

/* f registers by their ABI names (unpriv. spec 25, table 25.1) */
static const char *const freg_names[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4",  "ft5",  "ft6", "ft7", "fs0",  "fs1", "fa0",
    "fa1", "fa2", "fa3", "fa4", "fa5",  "fa6",  "fa7", "fs2", "fs3",  "fs4", "fs5",
    "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};

/* The rounding-mode operand: omitted when dynamic (llvm-objdump's default) */
static const char *rm_suffix(uint32_t w)
{
    static const char *const s[8] = {", rne", ", rtz", ", rdn", ", rup", ", rmm", "", "", ""};
    return s[(w >> 12) & 7];
}

static bool has_rm(unsigned fmt)
{
    return fmt == RV_FMT_F_R4 || fmt == RV_FMT_F_RRM || fmt == RV_FMT_F_F_RM ||
           fmt == RV_FMT_X_F_RM || fmt == RV_FMT_F_X_RM;
}

/* Rows whose result is exact and that llvm-objdump prints without rm */
static bool exact_convert(int id)
{
    return id == RV_INSN_fcvt_d_s || id == RV_INSN_fcvt_d_w || id == RV_INSN_fcvt_d_wu;
}

const char *rv_reg_name(unsigned r)
{
    return reg_names[r & 31];
}

struct out {
    char *buf;
    size_t size, n;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(o->buf + o->n, o->n < o->size ? o->size - o->n : 0, fmt, ap);
    va_end(ap);
    if (k > 0) o->n += (size_t)k;
}

static void put_csr(struct out *o, unsigned number)
{
    const struct rv_csr_info *c = rv_csr_lookup(number);
    if (c)
        put(o, "%s", c->name);
    else
        put(o, "%u", number);
}

/* FENCE pred/succ sets: i, o, r, w in that order (unpriv. 2.7); an empty set is "unknown" */
static void put_fence_set(struct out *o, unsigned set)
{
    if (!set) {
        put(o, "unknown");
        return;
    }
    static const char letters[] = "iorw";
    for (unsigned i = 0; i < 4; i++)
        if (set & (8u >> i)) put(o, "%c", letters[i]);
}

static const char *aqrl_suffix(uint32_t w)
{
    static const char *const s[4] = {"", ".rl", ".aq", ".aqrl"};
    return s[(w >> 25) & 3];
}

/* The aliases llvm-objdump prints for one 32-bit instruction; false when there is none. */
static bool put_alias(struct out *o, int id, uint32_t w, uint64_t pc)
{
    unsigned rd = rv_rd(w), rs1 = rv_rs1(w), rs2 = rv_rs2(w);
    const char *RD = reg_names[rd], *RS1 = reg_names[rs1], *RS2 = reg_names[rs2];
    int64_t imm = (int64_t)rv_imm_i(w);
    switch (id) {
    case RV_INSN_addi:
        if (rd == 0 && rs1 == 0 && imm == 0)
            put(o, "nop");
        else if (rs1 == 0)
            put(o, "li\t%s, %" PRId64, RD, imm);
        else if (imm == 0)
            put(o, "mv\t%s, %s", RD, RS1);
        else
            return false;
        return true;
    case RV_INSN_addiw:
        if (imm != 0) return false;
        put(o, "sext.w\t%s, %s", RD, RS1);
        return true;
    case RV_INSN_xori:
        if (imm != -1) return false;
        put(o, "not\t%s, %s", RD, RS1);
        return true;
    case RV_INSN_sltiu:
        if (imm != 1) return false;
        put(o, "seqz\t%s, %s", RD, RS1);
        return true;
    case RV_INSN_sub:
    case RV_INSN_subw:
        if (rs1 != 0) return false;
        put(o, "%s\t%s, %s", id == RV_INSN_sub ? "neg" : "negw", RD, RS2);
        return true;
    case RV_INSN_sltu:
        if (rs1 != 0) return false;
        put(o, "snez\t%s, %s", RD, RS2);
        return true;
    case RV_INSN_slt:
        if (rs2 == 0)
            put(o, "sltz\t%s, %s", RD, RS1);
        else if (rs1 == 0)
            put(o, "sgtz\t%s, %s", RD, RS2);
        else
            return false;
        return true;
    case RV_INSN_beq:
    case RV_INSN_bne:
    case RV_INSN_blt:
    case RV_INSN_bge: {
        uint64_t t = pc + rv_imm_b(w);
        static const char *const z2[] = {"beqz", "bnez", "bltz", "bgez"}; /* rs2 = zero */
        unsigned k = id == RV_INSN_beq ? 0 : id == RV_INSN_bne ? 1 : id == RV_INSN_blt ? 2 : 3;
        if (rs2 == 0)
            put(o, "%s\t%s, 0x%" PRIx64, z2[k], RS1, t);
        else if (rs1 == 0 && k >= 2) /* blt zero, x -> bgtz x; bge zero, x -> blez x */
            put(o, "%s\t%s, 0x%" PRIx64, k == 2 ? "bgtz" : "blez", RS2, t);
        else
            return false;
        return true;
    }
    case RV_INSN_jal: {
        uint64_t t = pc + rv_imm_j(w);
        if (rd == 0)
            put(o, "j\t0x%" PRIx64, t);
        else if (rd == 1)
            put(o, "jal\t0x%" PRIx64, t);
        else
            return false;
        return true;
    }
    case RV_INSN_jalr:
        if (rd == 0 && rs1 == 1 && imm == 0)
            put(o, "ret");
        else if (rd == 0 && imm == 0)
            put(o, "jr\t%s", RS1);
        else if (rd == 0)
            put(o, "jr\t%" PRId64 "(%s)", imm, RS1);
        else if (rd == 1 && imm == 0)
            put(o, "jalr\t%s", RS1);
        else if (rd == 1)
            put(o, "jalr\t%" PRId64 "(%s)", imm, RS1);
        else if (imm == 0)
            put(o, "jalr\t%s, %s", RD, RS1);
        else
            return false;
        return true;
    case RV_INSN_csrrs:
    case RV_INSN_csrrw:
    case RV_INSN_csrrc:
    case RV_INSN_csrrwi:
    case RV_INSN_csrrsi:
    case RV_INSN_csrrci: {
        unsigned csr = w >> 20;
        if (id == RV_INSN_csrrw && rd == 0 && rs1 == 0 && csr == RV_CSR_cycle) {
            put(o, "unimp"); /* the canonical 32-bit illegal instruction */
            return true;
        }
        /* unpriv. 25, table 25.3: frcsr/fscsr, frrm/fsrm/fsrmi, frflags/fsflags/fsflagsi */
        if (csr == RV_CSR_fcsr || csr == RV_CSR_frm || csr == RV_CSR_fflags) {
            const char *n = csr == RV_CSR_fcsr ? "csr" : csr == RV_CSR_frm ? "rm" : "flags";
            if (id == RV_INSN_csrrs && rs1 == 0) {
                put(o, "fr%s\t%s", n, RD);
                return true;
            }
            if (id == RV_INSN_csrrw || (id == RV_INSN_csrrwi && csr != RV_CSR_fcsr)) {
                const char *i = id == RV_INSN_csrrwi ? "i" : "";
                if (rd)
                    put(o, "fs%s%s\t%s, ", n, i, RD);
                else
                    put(o, "fs%s%s\t", n, i);
                if (id == RV_INSN_csrrw)
                    put(o, "%s", RS1);
                else
                    put(o, "%u", rs1);
                return true;
            }
        }
        if (id == RV_INSN_csrrs && rs1 == 0) {
            if (csr == RV_CSR_cycle || csr == RV_CSR_time || csr == RV_CSR_instret) {
                put(o, "rd%s\t%s", rv_csr_lookup(csr)->name, RD);
            } else {
                put(o, "csrr\t%s, ", RD);
                put_csr(o, csr);
            }
            return true;
        }
        if (rd != 0) return false;
        static const char *const names[] = {"", "csrw",  "csrs",  "csrc",
                                            "", "csrwi", "csrsi", "csrci"};
        put(o, "%s\t", names[(w >> 12) & 7]);
        put_csr(o, csr);
        if (id == RV_INSN_csrrw || id == RV_INSN_csrrs || id == RV_INSN_csrrc)
            put(o, ", %s", RS1);
        else
            put(o, ", %u", rs1);
        return true;
    }
    case RV_INSN_fsgnj_s:
    case RV_INSN_fsgnjn_s:
    case RV_INSN_fsgnjx_s:
    case RV_INSN_fsgnj_d:
    case RV_INSN_fsgnjn_d:
    case RV_INSN_fsgnjx_d: {
        if (rs1 != rs2) return false;
        static const char *const names[3] = {"fmv", "fneg", "fabs"};
        put(o, "%s.%c\t%s, %s", names[(w >> 12) & 3], (w >> 25) & 1 ? 'd' : 's', freg_names[rd],
            freg_names[rs1]);
        return true;
    }
    case RV_INSN_fence: {
        unsigned fm = w >> 28, pred = (w >> 24) & 15, succ = (w >> 20) & 15;
        if (fm == 8 && pred == 3 && succ == 3)
            put(o, "fence.tso");
        else if (fm == 0 && pred == 15 && succ == 15)
            put(o, "fence");
        else
            return false;
        return true;
    }
    case RV_INSN_sfence_vma:
        if (rs2 != 0) return false;
        if (rs1 == 0)
            put(o, "sfence.vma");
        else
            put(o, "sfence.vma\t%s", RS1);
        return true;
    default: return false;
    }
}

/* Compressed forms that llvm-objdump does not print as their expansion: c.mv (whose expansion,
 * add rd, zero, rs2, has no alias) and the HINTs (unpriv. 16.7, table 16.3), printed with their
 * c. names. */
static bool put_compressed(struct out *o, int row, uint32_t p)
{
    unsigned rd = (p >> 7) & 31, rs2 = (p >> 2) & 31, rdp = 8 + ((p >> 7) & 7);
    int imm6 = (int)rv_sext(((p >> 7) & 0x20) | ((p >> 2) & 0x1f), 6);
    unsigned shamt = ((p >> 7) & 0x20) | ((p >> 2) & 0x1f);
    switch (row) {
    case RVC_c_mv:
        put(o, "%s\t%s, %s", rd ? "mv" : "c.mv", reg_names[rd], reg_names[rs2]);
        return true;
    case RVC_c_add:
        if (rd) return false;
        put(o, "c.add\tzero, %s", reg_names[rs2]);
        return true;
    case RVC_c_addi:
        if (rd || !imm6) return false;
        put(o, "c.nop\t%d", imm6);
        return true;
    case RVC_c_li:
    case RVC_c_lui:
        if (rd) return false;
        put(o, "%s\tzero, %d", row == RVC_c_li ? "c.li" : "c.lui", imm6);
        return true;
    case RVC_c_slli:
        if (shamt == 0)
            put(o, "c.slli64\t%s", reg_names[rd]);
        else if (rd == 0)
            put(o, "c.slli\tzero, %u", shamt);
        else
            return false;
        return true;
    case RVC_c_srli:
    case RVC_c_srai:
        if (shamt) return false;
        put(o, "%s\t%s", row == RVC_c_srli ? "c.srli64" : "c.srai64", reg_names[rdp]);
        return true;
    default: return false;
    }
}

/* The instruction by its format (insn.def), without aliases. */
static void put_plain(struct out *o, int id, uint32_t w, uint64_t pc)
{
    const struct rv_insn_info *in = &rv_insn_table[id];
    unsigned rd = rv_rd(w), rs1 = rv_rs1(w), rs2 = rv_rs2(w);
    const char *RD = reg_names[rd], *RS1 = reg_names[rs1], *RS2 = reg_names[rs2];
    switch (in->fmt) {
    case RV_FMT_R: put(o, "%s\t%s, %s, %s", in->mnemonic, RD, RS1, RS2); break;
    case RV_FMT_I:
        if (id == RV_INSN_jalr)
            put(o, "jalr\t%s, %" PRId64 "(%s)", RD, (int64_t)rv_imm_i(w), RS1);
        else
            put(o, "%s\t%s, %s, %" PRId64, in->mnemonic, RD, RS1, (int64_t)rv_imm_i(w));
        break;
    case RV_FMT_I_SHIFT: put(o, "%s\t%s, %s, %u", in->mnemonic, RD, RS1, (w >> 20) & 63); break;
    case RV_FMT_LOAD:
        put(o, "%s\t%s, %" PRId64 "(%s)", in->mnemonic, RD, (int64_t)rv_imm_i(w), RS1);
        break;
    case RV_FMT_S:
        put(o, "%s\t%s, %" PRId64 "(%s)", in->mnemonic, RS2, (int64_t)rv_imm_s(w), RS1);
        break;
    case RV_FMT_B:
        put(o, "%s\t%s, %s, 0x%" PRIx64, in->mnemonic, RS1, RS2, pc + rv_imm_b(w));
        break;
    case RV_FMT_U: put(o, "%s\t%s, %u", in->mnemonic, RD, w >> 12); break;
    case RV_FMT_J: put(o, "jal\t%s, 0x%" PRIx64, RD, pc + rv_imm_j(w)); break;
    case RV_FMT_CSR:
        put(o, "%s\t%s, ", in->mnemonic, RD);
        put_csr(o, w >> 20);
        put(o, ", %s", RS1);
        break;
    case RV_FMT_CSRI:
        put(o, "%s\t%s, ", in->mnemonic, RD);
        put_csr(o, w >> 20);
        put(o, ", %u", rs1);
        break;
    case RV_FMT_FENCE:
        put(o, "fence\t");
        put_fence_set(o, (w >> 24) & 15);
        put(o, ", ");
        put_fence_set(o, (w >> 20) & 15);
        break;
    case RV_FMT_SFENCE: put(o, "sfence.vma\t%s, %s", RS1, RS2); break;
    case RV_FMT_LR: put(o, "%s%s\t%s, (%s)", in->mnemonic, aqrl_suffix(w), RD, RS1); break;
    case RV_FMT_AMO:
        put(o, "%s%s\t%s, %s, (%s)", in->mnemonic, aqrl_suffix(w), RD, RS2, RS1);
        break;
    case RV_FMT_F_LOAD:
        put(o, "%s\t%s, %" PRId64 "(%s)", in->mnemonic, freg_names[rd], (int64_t)rv_imm_i(w), RS1);
        break;
    case RV_FMT_F_STORE:
        put(o, "%s\t%s, %" PRId64 "(%s)", in->mnemonic, freg_names[rs2], (int64_t)rv_imm_s(w), RS1);
        break;
    case RV_FMT_F_R4:
        put(o, "%s\t%s, %s, %s, %s%s", in->mnemonic, freg_names[rd], freg_names[rs1],
            freg_names[rs2], freg_names[w >> 27], rm_suffix(w));
        break;
    case RV_FMT_F_RRM:
        put(o, "%s\t%s, %s, %s%s", in->mnemonic, freg_names[rd], freg_names[rs1], freg_names[rs2],
            rm_suffix(w));
        break;
    case RV_FMT_F_RR:
        put(o, "%s\t%s, %s, %s", in->mnemonic, freg_names[rd], freg_names[rs1], freg_names[rs2]);
        break;
    case RV_FMT_F_F_RM:
        put(o, "%s\t%s, %s%s", in->mnemonic, freg_names[rd], freg_names[rs1],
            exact_convert(id) ? "" : rm_suffix(w));
        break;
    case RV_FMT_X_F_RM:
        put(o, "%s\t%s, %s%s", in->mnemonic, RD, freg_names[rs1], rm_suffix(w));
        break;
    case RV_FMT_F_X_RM:
        put(o, "%s\t%s, %s%s", in->mnemonic, freg_names[rd], RS1,
            exact_convert(id) ? "" : rm_suffix(w));
        break;
    case RV_FMT_X_F: put(o, "%s\t%s, %s", in->mnemonic, RD, freg_names[rs1]); break;
    case RV_FMT_F_X: put(o, "%s\t%s, %s", in->mnemonic, freg_names[rd], RS1); break;
    case RV_FMT_X_FF:
        put(o, "%s\t%s, %s, %s", in->mnemonic, RD, freg_names[rs1], freg_names[rs2]);
        break;
    default: put(o, "%s", in->mnemonic); break;
    }
}

unsigned rv_disasm(const struct rv_hart *h, uint64_t pc, uint32_t raw, char *buf, size_t size)
{
    struct out o = {buf, size, 0};
    unsigned len = (raw & 3) == 3 ? 4 : 2;
    uint32_t word = raw;
    if (size) buf[0] = 0;
    if (len == 2) {
        raw &= 0xffff;
        if (raw == 0) { /* c.unimp: the all-zero parcel */
            put(&o, "unimp");
            return 2;
        }
        int row = rv_rvc_decode(h, raw);
        word = rv_rvc_expand(h, raw);
        if (word && put_compressed(&o, row, raw)) return 2;
    }
    int id = word ? rv_decode(h, word) : -1;
    /* unpriv. 11.2: rm 5 and 6 are reserved (the instruction is illegal) */
    if (id >= 0 && has_rm(rv_insn_table[id].fmt) && ((word >> 12) & 7) >= 5 &&
        ((word >> 12) & 7) <= 6)
        id = -1;
    if (id < 0) {
        put(&o, "<unknown>");
        return len;
    }
    if (!put_alias(&o, id, word, pc)) put_plain(&o, id, word, pc);
    return len;
}
