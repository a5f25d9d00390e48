/* RV64I integer instructions: computation, loads and stores, jumps and branches
 * (unpriv. spec chapter 2 "RV32I Base Integer Instruction Set" and chapter 5 "RV64I"). */
#include "cpu/riscv/internal.h"

#define RS1 (h->x[rv_rs1(insn)])
#define RS2 (h->x[rv_rs2(insn)])
/* Writes to x0 are discarded by the execution loop, which re-zeroes x0 after every instruction. */
#define RD (h->x[rv_rd(insn)])

/* 2.4.1 Integer register-immediate instructions */
int rv_exec_lui(struct rv_hart *h, uint32_t insn)
{
    RD = rv_imm_u(insn);
    return RV_OK;
}

int rv_exec_auipc(struct rv_hart *h, uint32_t insn)
{
    RD = h->pc + rv_imm_u(insn);
    return RV_OK;
}

#define ALU_IMM(name, expr)                                                                        \
    int rv_exec_##name(struct rv_hart *h, uint32_t insn)                                           \
    {                                                                                              \
        uint64_t a = RS1, imm = rv_imm_i(insn);                                                    \
        RD = (expr);                                                                               \
        return RV_OK;                                                                              \
    }
ALU_IMM(addi, a + imm)
ALU_IMM(slti, (int64_t)a < (int64_t)imm)
ALU_IMM(sltiu, a < imm)
ALU_IMM(xori, a ^ imm)
ALU_IMM(ori, a | imm)
ALU_IMM(andi, a &imm)
/* 5.2: the W forms compute on the low 32 bits and sign-extend the 32-bit result */
ALU_IMM(addiw, rv_sext((uint32_t)(a + imm), 32))

/* Shifts by an immediate: RV64 shamt is insn[25:20]; the W forms insn[24:20] (5.2) */
#define SHAMT6 ((insn >> 20) & 63)
#define SHAMT5 ((insn >> 20) & 31)
#define SHIFT_IMM(name, expr)                                                                      \
    int rv_exec_##name(struct rv_hart *h, uint32_t insn)                                           \
    {                                                                                              \
        uint64_t a = RS1;                                                                          \
        RD = (expr);                                                                               \
        return RV_OK;                                                                              \
    }
SHIFT_IMM(slli, a << SHAMT6)
SHIFT_IMM(srli, a >> SHAMT6)
SHIFT_IMM(srai, (uint64_t)((int64_t)a >> SHAMT6))
SHIFT_IMM(slliw, rv_sext((uint32_t)(a << SHAMT5), 32))
SHIFT_IMM(srliw, rv_sext((uint32_t)a >> SHAMT5, 32))
SHIFT_IMM(sraiw, (uint64_t)(int64_t)((int32_t)a >> SHAMT5))

/* 2.4.2 Integer register-register operations; shift amounts are rs2[5:0] (rs2[4:0] for W) */
#define ALU_REG(name, expr)                                                                        \
    int rv_exec_##name(struct rv_hart *h, uint32_t insn)                                           \
    {                                                                                              \
        uint64_t a = RS1, b = RS2;                                                                 \
        RD = (expr);                                                                               \
        return RV_OK;                                                                              \
    }
ALU_REG(add, a + b)
ALU_REG(sub, a - b)
ALU_REG(sll, a << (b & 63))
ALU_REG(slt, (int64_t)a < (int64_t)b)
ALU_REG(sltu, a < b)
ALU_REG(xor, a ^ b)
ALU_REG(srl, a >> (b & 63))
ALU_REG(sra, (uint64_t)((int64_t)a >> (b & 63)))
ALU_REG(or, a | b)
ALU_REG(and, a &b)
ALU_REG(addw, rv_sext((uint32_t)(a + b), 32))
ALU_REG(subw, rv_sext((uint32_t)(a - b), 32))
ALU_REG(sllw, rv_sext((uint32_t)(a << (b & 31)), 32))
ALU_REG(srlw, rv_sext((uint32_t)a >> (b & 31), 32))
ALU_REG(sraw, (uint64_t)(int64_t)((int32_t)a >> (b & 31)))

/* 2.5 Control transfer. rd gets pc + 4 only when the jump happens: a misaligned target raises
 * the exception on the jump and the instruction does not retire (no register changes). */
int rv_exec_jal(struct rv_hart *h, uint32_t insn)
{
    uint64_t link = h->npc;
    int rc = rv_jump(h, h->pc + rv_imm_j(insn));
    if (rc == RV_OK) RD = link;
    return rc;
}

int rv_exec_jalr(struct rv_hart *h, uint32_t insn)
{
    uint64_t link = h->npc;
    /* 2.5.1: target = (rs1 + imm) with bit 0 cleared; rs1 is read before rd is written */
    int rc = rv_jump(h, (RS1 + rv_imm_i(insn)) & ~1ull);
    if (rc == RV_OK) RD = link;
    return rc;
}

/* 2.5.2: a misaligned target raises the exception only if the branch is taken */
#define BRANCH(name, cond)                                                                         \
    int rv_exec_##name(struct rv_hart *h, uint32_t insn)                                           \
    {                                                                                              \
        uint64_t a = RS1, b = RS2;                                                                 \
        if (cond) return rv_jump(h, h->pc + rv_imm_b(insn));                                       \
        return RV_OK;                                                                              \
    }
BRANCH(beq, a == b)
BRANCH(bne, a != b)
BRANCH(blt, (int64_t)a < (int64_t)b)
BRANCH(bge, (int64_t)a >= (int64_t)b)
BRANCH(bltu, a < b)
BRANCH(bgeu, a >= b)

/* 2.6 Load and store; 5.3 LD, LWU, SD. Effective address = rs1 + imm. */
#define LOAD(name, size, conv)                                                                     \
    int rv_exec_##name(struct rv_hart *h, uint32_t insn)                                           \
    {                                                                                              \
        uint64_t v;                                                                                \
        int rc = rv_load(h, RS1 + rv_imm_i(insn), size, &v);                                       \
        if (rc == RV_OK) RD = conv;                                                                \
        return rc;                                                                                 \
    }
LOAD(lb, 1, rv_sext(v, 8))
LOAD(lh, 2, rv_sext(v, 16))
LOAD(lw, 4, rv_sext(v, 32))
LOAD(ld, 8, v)
LOAD(lbu, 1, v)
LOAD(lhu, 2, v)
LOAD(lwu, 4, v)

#define STORE(name, size)                                                                          \
    int rv_exec_##name(struct rv_hart *h, uint32_t insn)                                           \
    {                                                                                              \
        return rv_store(h, RS1 + rv_imm_s(insn), size, RS2);                                       \
    }
STORE(sb, 1)
STORE(sh, 2)
STORE(sw, 4)
STORE(sd, 8)
