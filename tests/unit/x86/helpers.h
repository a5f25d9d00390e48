/* Helpers for the x86 core's unit tests: a machine with RAM and a CPU in the Multiboot hand-off
 * state, instruction bytes placed at EIP, one-instruction steps. */
#ifndef RINGSIDE_TESTS_X86_HELPERS_H
#define RINGSIDE_TESTS_X86_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/x86/x86.h"
#include "machine/machine.h"

#define XT_RAM_SIZE  (16u << 20)
#define XT_CODE_ADDR 0x1000u  /* where tests place instructions */
#define XT_STACK_TOP 0x8000u  /* initial ESP */
#define XT_DATA_ADDR 0x10000u /* scratch data */

struct xt {
    struct machine m;
    struct x86_cpu *cpu;
};

/* cmocka setup/teardown: *state becomes a struct xt * with a fresh machine and CPU. */
int xt_setup(void **state);
int xt_teardown(void **state);

/* Places n bytes at EIP (CS base 0). */
void xt_code(struct x86_cpu *cpu, const uint8_t *bytes, size_t n);
#define XT_CODE(cpu, ...)                                                                          \
    do {                                                                                           \
        static const uint8_t xt_bytes_[] = {__VA_ARGS__};                                          \
        xt_code((cpu), xt_bytes_, sizeof xt_bytes_);                                               \
    } while (0)

/* Guest physical memory. */
uint64_t xt_read(struct x86_cpu *cpu, uint64_t addr, unsigned size);
void xt_write(struct x86_cpu *cpu, uint64_t addr, unsigned size, uint64_t value);

/* The six arithmetic flags of RFLAGS. */
#define XT_ARITH(cpu) ((cpu)->rflags & X86_FLAGS_ARITH)
/* Sets the arithmetic flags to exactly f. */
void xt_set_arith(struct x86_cpu *cpu, uint64_t f);
/* An ALU case: code at XT_CODE_ADDR (RIP there), EAX = a, EBX = b, ECX = XT_DATA_ADDR holding
 * the 32-bit mem, the arithmetic flags = arith. */
void xt_alu_case(struct x86_cpu *cpu, const uint8_t *code, unsigned len, uint32_t a, uint32_t b,
                 uint32_t mem, uint64_t arith);

/* Asserts that x86_step raised vector (with error code ec, or -1 for none) and that RIP did not
 * move. */
void xt_assert_trap(struct x86_cpu *cpu, x86_status st, unsigned vector, int ec);

/* Makes CS/SS/DS/ES DPL-3 flat segments and CPL 3 (user mode) without a descriptor load. */
void xt_enter_user(struct x86_cpu *cpu);

/* ---- A protected-mode environment (descriptor tables in guest memory) --------------------- */

#define XT_GDT    0x20000u
#define XT_IDT    0x21000u
#define XT_TSS    0x22000u
#define XT_LDT    0x23000u
#define XT_KSTACK 0x9000u /* TSS.ESP0 */
/* GDT selectors of xt_pm_env() */
#define XT_KCODE       0x08u /* ring-0 flat code */
#define XT_KDATA       0x10u /* ring-0 flat data */
#define XT_UCODE       0x1bu /* ring-3 flat code (RPL 3) */
#define XT_UDATA       0x23u /* ring-3 flat data (RPL 3) */
#define XT_TSSSEL      0x28u /* 32-bit TSS */
#define XT_NPDATA      0x30u /* ring-0 data, not present */
#define XT_LDTSEL      0x38u /* LDT */
#define XT_CODE16      0x40u /* ring-0 16-bit code, limit 0xFFFF */
#define XT_CONFORM     0x48u /* ring-0 conforming code */
#define XT_GDT_ENTRIES 10

/* Writes GDT entry index: base, byte limit (scaled by G when > 0xFFFFF), access byte, and the
 * flags nibble (G, D/B, L, AVL). */
void xt_gdt_set(struct x86_cpu *cpu, unsigned index, uint32_t base, uint32_t limit, uint8_t access,
                uint8_t flags);
/* IDT gate: type 0xE interrupt gate, 0xF trap gate, 0x5 task gate; present bit separately. */
void xt_idt_set(struct x86_cpu *cpu, unsigned vector, uint16_t sel, uint32_t offset, unsigned type,
                unsigned dpl, bool present);
/* GDT, IDT (all gates absent) and TSS (SS0:ESP0 = XT_KDATA:XT_KSTACK) loaded; CPL 0 with CS =
 * XT_KCODE and the data registers XT_KDATA, as a kernel has them after its setup. */
void xt_pm_env(struct x86_cpu *cpu);
/* Loads a segment register's cache from the GDT entry for sel (no checks). */
void xt_load_cache(struct x86_cpu *cpu, enum x86_sreg sreg, uint16_t sel);
/* ---- Long mode (IA-32e): xt_lm_env() ------------------------------------------------------ */
#define XT_LM_KCODE 0x50u    /* ring-0 64-bit code (L = 1) */
#define XT_LM_KDATA 0x58u    /* ring-0 data */
#define XT_LM_UDATA 0x63u    /* ring-3 data (RPL 3) */
#define XT_LM_UCODE 0x6bu    /* ring-3 64-bit code (RPL 3) */
#define XT_LM_TSS   0x70u    /* 64-bit TSS (16-byte descriptor) */
#define XT_TSS64    0x24000u /* the 64-bit TSS: RSP0 = XT_KSTACK, IST1 = XT_IST1 */
#define XT_IST1     0xa000u
#define XT_PML4     0x200000u /* identity map of 0..16 MiB: 4 KiB pages below 2 MiB (XT_PT0), */
#define XT_PDPT     0x201000u /* 2 MiB pages above; every entry P, R/W, U/S */
#define XT_PD       0x202000u
#define XT_PT0      0x203000u
/* xt_pm_env() plus: the GDT entries above, a 64-bit IDT at XT_IDT (all gates absent), TR = the
 * 64-bit TSS, the page tables, CR4.PAE, EFER.LME/LMA/NXE, CR0.PG, CS = XT_LM_KCODE (64-bit
 * mode), SS/DS/ES = XT_LM_KDATA, CPL 0. */
void xt_lm_env(struct x86_cpu *cpu);
/* 64-bit IDT gate (16 bytes): type 0xE interrupt gate, 0xF trap gate; ist 0-7. */
void xt_idt64_set(struct x86_cpu *cpu, unsigned vector, uint16_t sel, uint64_t offset,
                  unsigned type, unsigned dpl, unsigned ist, bool present);

/* Steps one instruction and delivers what it raises, as the run loop does. */
x86_status xt_run1(struct x86_cpu *cpu);

/* Capstone as a length oracle (helpers_capstone.c): the length of the instruction at bytes in
 * 16/32/64-bit code and its text, or 0 when Capstone rejects it or is not installed. */
bool xt_capstone_available(void);
unsigned xt_capstone_length(unsigned code_bits, const uint8_t *bytes, size_t n, char *text,
                            size_t textlen);

#endif
