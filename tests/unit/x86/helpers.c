/* Helpers for the x86 core's unit tests (see helpers.h). */
#include "x86/helpers.h"

#include <stdlib.h>

int xt_setup(void **state)
{
    struct xt *t = calloc(1, sizeof *t);
    char err[256];
    if (!t || machine_init(&t->m, ARCH_I386, 0, XT_RAM_SIZE, err, sizeof err) != 0) return -1;
    struct boot_state boot = {.entry = XT_CODE_ADDR, .arg0 = 0, .arg1 = 0};
    if (x86_cpu_attach(&t->m, &boot, err, sizeof err) != 0) return -1;
    t->cpu = t->m.cpu;
    t->cpu->gpr[X86_RSP] = XT_STACK_TOP;
    t->m.limit_insns = UINT64_MAX;
    t->m.limit_time = UINT64_MAX;
    *state = t;
    return 0;
}

int xt_teardown(void **state)
{
    struct xt *t = *state;
    machine_destroy(&t->m);
    free(t);
    return 0;
}

void xt_code(struct x86_cpu *cpu, const uint8_t *bytes, size_t n)
{
    assert_int_equal(bus_copy_to_ram(&cpu->m->bus, cpu->seg[X86_CS].base + cpu->rip, bytes, n), 0);
}

uint64_t xt_read(struct x86_cpu *cpu, uint64_t addr, unsigned size)
{
    uint64_t v = 0;
    assert_int_equal(bus_copy_from_ram(&cpu->m->bus, addr, &v, size), 0);
    return v;
}

void xt_write(struct x86_cpu *cpu, uint64_t addr, unsigned size, uint64_t value)
{
    assert_int_equal(bus_copy_to_ram(&cpu->m->bus, addr, &value, size), 0);
}

void xt_set_arith(struct x86_cpu *cpu, uint64_t f)
{
    cpu->rflags = (cpu->rflags & ~(uint64_t)X86_FLAGS_ARITH) | f;
}

void xt_alu_case(struct x86_cpu *cpu, const uint8_t *code, unsigned len, uint32_t a, uint32_t b,
                 uint32_t mem, uint64_t arith)
{
    cpu->rip = XT_CODE_ADDR;
    xt_code(cpu, code, len);
    cpu->gpr[X86_RAX] = a;
    cpu->gpr[X86_RBX] = b;
    cpu->gpr[X86_RCX] = XT_DATA_ADDR;
    xt_write(cpu, XT_DATA_ADDR, 4, mem);
    xt_set_arith(cpu, arith);
}

void xt_assert_trap(struct x86_cpu *cpu, x86_status st, unsigned vector, int ec)
{
    assert_true(X86_IS_TRAP(st));
    assert_int_equal(X86_TRAP_VECTOR(st), vector);
    if (ec < 0) {
        assert_false(X86_TRAP_HAS_EC(st));
    } else {
        assert_true(X86_TRAP_HAS_EC(st));
        assert_int_equal(X86_TRAP_ERRCODE(st), ec);
    }
    assert_int_equal(cpu->rip, cpu->insn_rip);
}

void xt_enter_user(struct x86_cpu *cpu)
{
    const uint32_t dpl3 = 3u << 5;
    uint32_t code = 0xbu | X86_SEG_S | X86_SEG_P | X86_SEG_DB | X86_SEG_G | dpl3;
    uint32_t data = 0x3u | X86_SEG_S | X86_SEG_P | X86_SEG_DB | X86_SEG_G | dpl3;
    x86_set_seg(cpu, X86_CS, 0x1b, 0, 0xffffffffu, code);
    x86_set_seg(cpu, X86_SS, 0x23, 0, 0xffffffffu, data);
    x86_set_seg(cpu, X86_DS, 0x23, 0, 0xffffffffu, data);
    x86_set_seg(cpu, X86_ES, 0x23, 0, 0xffffffffu, data);
    cpu->cpl = 3;
}

void xt_gdt_set(struct x86_cpu *cpu, unsigned index, uint32_t base, uint32_t limit, uint8_t access,
                uint8_t flags)
{
    if (flags & 0x8) limit >>= 12;
    uint64_t d = (limit & 0xffffull) | ((uint64_t)(base & 0xffffff) << 16) |
                 ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
                 ((uint64_t)(flags & 0xf) << 52) | ((uint64_t)(base >> 24) << 56);
    xt_write(cpu, XT_GDT + 8 * index, 8, d);
}

void xt_idt_set(struct x86_cpu *cpu, unsigned vector, uint16_t sel, uint32_t offset, unsigned type,
                unsigned dpl, bool present)
{
    uint64_t g = (offset & 0xffffull) | ((uint64_t)sel << 16) |
                 ((uint64_t)((type & 0xf) | (dpl & 3) << 5 | (present ? 0x80 : 0)) << 40) |
                 ((uint64_t)(offset >> 16) << 48);
    xt_write(cpu, XT_IDT + 8 * vector, 8, g);
}

void xt_load_cache(struct x86_cpu *cpu, enum x86_sreg sreg, uint16_t sel)
{
    uint64_t d = xt_read(cpu, XT_GDT + (sel & ~7u), 8);
    uint32_t limit = (uint32_t)(d & 0xffff) | (uint32_t)((d >> 32) & 0xf0000);
    uint32_t attr = (uint32_t)((d >> 40) & 0xff) | (uint32_t)((d >> 40) & 0xf000);
    if (attr & X86_SEG_G) limit = limit << 12 | 0xfff;
    uint64_t base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000u);
    x86_set_seg(cpu, sreg, sel, base, limit, attr);
}

void xt_pm_env(struct x86_cpu *cpu)
{
    xt_write(cpu, XT_GDT, 8, 0);
    xt_gdt_set(cpu, 1, 0, 0xffffffffu, 0x9b, 0xc);
    xt_gdt_set(cpu, 2, 0, 0xffffffffu, 0x93, 0xc);
    xt_gdt_set(cpu, 3, 0, 0xffffffffu, 0xfb, 0xc);
    xt_gdt_set(cpu, 4, 0, 0xffffffffu, 0xf3, 0xc);
    xt_gdt_set(cpu, 5, XT_TSS, 0x67, 0x89, 0x0);
    xt_gdt_set(cpu, 6, 0, 0xffffffffu, 0x13, 0xc);
    xt_gdt_set(cpu, 7, XT_LDT, 0xf, 0x82, 0x0);
    xt_gdt_set(cpu, 8, 0, 0xffff, 0x9b, 0x0);
    xt_gdt_set(cpu, 9, 0, 0xffffffffu, 0x9f, 0xc);
    cpu->gdtr.base = XT_GDT;
    cpu->gdtr.limit = XT_GDT_ENTRIES * 8 - 1;
    for (unsigned v = 0; v < 256; v++)
        xt_write(cpu, XT_IDT + 8 * v, 8, 0);
    cpu->idtr.base = XT_IDT;
    cpu->idtr.limit = 256 * 8 - 1;
    for (unsigned i = 0; i < 0x68; i += 4)
        xt_write(cpu, XT_TSS + i, 4, 0);
    xt_write(cpu, XT_TSS + 4, 4, XT_KSTACK);
    xt_write(cpu, XT_TSS + 8, 4, XT_KDATA);
    cpu->tr.sel = XT_TSSSEL;
    cpu->tr.base = XT_TSS;
    cpu->tr.limit = 0x67;
    cpu->tr.attr = 0xbu | X86_SEG_P;
    cpu->cpl = 0;
    xt_load_cache(cpu, X86_CS, XT_KCODE);
    xt_load_cache(cpu, X86_SS, XT_KDATA);
    xt_load_cache(cpu, X86_DS, XT_KDATA);
    xt_load_cache(cpu, X86_ES, XT_KDATA);
    xt_load_cache(cpu, X86_FS, XT_KDATA);
    xt_load_cache(cpu, X86_GS, XT_KDATA);
}

void xt_idt64_set(struct x86_cpu *cpu, unsigned vector, uint16_t sel, uint64_t offset,
                  unsigned type, unsigned dpl, unsigned ist, bool present)
{
    uint64_t lo = (offset & 0xffffull) | ((uint64_t)sel << 16) | ((uint64_t)(ist & 7) << 32) |
                  ((uint64_t)((type & 0xf) | (dpl & 3) << 5 | (present ? 0x80 : 0)) << 40) |
                  ((uint64_t)((offset >> 16) & 0xffff) << 48);
    xt_write(cpu, XT_IDT + 16 * vector, 8, lo);
    xt_write(cpu, XT_IDT + 16 * vector + 8, 8, offset >> 32);
}

void xt_lm_env(struct x86_cpu *cpu)
{
    xt_pm_env(cpu);
    xt_gdt_set(cpu, 10, 0, 0xffffffffu, 0x9b, 0xa); /* G, L */
    xt_gdt_set(cpu, 11, 0, 0xffffffffu, 0x93, 0xc);
    xt_gdt_set(cpu, 12, 0, 0xffffffffu, 0xf3, 0xc);
    xt_gdt_set(cpu, 13, 0, 0xffffffffu, 0xfb, 0xa);
    xt_gdt_set(cpu, 14, XT_TSS64, 0x67, 0x89, 0x0);
    xt_write(cpu, XT_GDT + 15 * 8, 8, 0); /* base 63:32 */
    cpu->gdtr.limit = 16 * 8 - 1;
    for (unsigned i = 0; i < 256 * 16; i += 8)
        xt_write(cpu, XT_IDT + i, 8, 0);
    cpu->idtr.limit = 256 * 16 - 1;
    for (unsigned i = 0; i < 0x68; i += 4)
        xt_write(cpu, XT_TSS64 + i, 4, 0);
    xt_write(cpu, XT_TSS64 + 4, 8, XT_KSTACK);
    xt_write(cpu, XT_TSS64 + 36, 8, XT_IST1);
    cpu->tr.sel = XT_LM_TSS;
    cpu->tr.base = XT_TSS64;
    cpu->tr.limit = 0x67;
    cpu->tr.attr = 0xbu | X86_SEG_P;
    const uint64_t prw = 0x7; /* P, R/W, U/S */
    for (unsigned i = 0; i < 512; i++) {
        xt_write(cpu, XT_PML4 + 8 * i, 8, 0);
        xt_write(cpu, XT_PDPT + 8 * i, 8, 0);
        xt_write(cpu, XT_PD + 8 * i, 8, i < 8 ? ((uint64_t)i << 21) | 0x80 | prw : 0);
        xt_write(cpu, XT_PT0 + 8 * i, 8, ((uint64_t)i << 12) | prw);
    }
    xt_write(cpu, XT_PML4, 8, XT_PDPT | prw);
    xt_write(cpu, XT_PDPT, 8, XT_PD | prw);
    xt_write(cpu, XT_PD, 8, XT_PT0 | prw);
    cpu->cr3 = XT_PML4;
    cpu->cr4 |= X86_CR4_PAE;
    cpu->msr[X86_MSR_EFER] |= X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
    cpu->cr0 |= X86_CR0_PG;
    x86_tlb_flush(cpu);
    xt_load_cache(cpu, X86_CS, XT_LM_KCODE);
    xt_load_cache(cpu, X86_SS, XT_LM_KDATA);
    xt_load_cache(cpu, X86_DS, XT_LM_KDATA);
    xt_load_cache(cpu, X86_ES, XT_LM_KDATA);
}

x86_status xt_run1(struct x86_cpu *cpu)
{
    x86_status st = x86_step(cpu);
    if (X86_IS_TRAP(st)) x86_deliver(cpu, st);
    return st;
}
