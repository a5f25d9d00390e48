/* Test helpers for the loader: builds small ELF images in memory (ELF32 or ELF64, little-endian)
 * and patches their header fields, so each test can make exactly one thing wrong. */
#ifndef RINGSIDE_TESTS_LOADER_HELPERS_H
#define RINGSIDE_TESTS_LOADER_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TB_MAX_SEGS 8
#define TB_MAX_SYMS 16

struct tb_seg {
    uint32_t type, flags;
    uint64_t vaddr, paddr, filesz, memsz, align;
    const void *bytes; /* filesz bytes, or NULL for a pattern (byte i = i * 7 + segment) */
};

struct tb_sym {
    const char *name;
    uint64_t value, size;
    unsigned char type, bind;
    uint16_t shndx; /* 0 means section 1 (.text); use SHN_UNDEF_EXPLICIT for undefined */
};
#define TB_SHN_UNDEF_EXPLICIT 0xFFFFu

struct tb_spec {
    unsigned elf_class; /* 32 or 64 */
    uint16_t machine, type;
    uint64_t entry;
    unsigned nsegs;
    struct tb_seg segs[TB_MAX_SEGS];
    unsigned nsyms;
    struct tb_sym syms[TB_MAX_SYMS];
    bool no_sections;
};

/* Sections of a built image: 0 null, 1 .text, 2 .symtab, 3 .strtab, 4 .shstrtab. */
enum { TB_SEC_TEXT = 1, TB_SEC_SYMTAB, TB_SEC_STRTAB, TB_SEC_SHSTRTAB, TB_SHNUM };

struct tb_image {
    uint8_t *data;
    size_t size;
    unsigned elf_class;
    size_t phoff, shoff;
    size_t seg_off[TB_MAX_SEGS];
    size_t symtab_off, strtab_off;
    size_t headers_end; /* end of the ELF header and program headers */
};

enum tb_field {
    /* ELF header */
    E_TYPE,
    E_MACHINE,
    E_VERSION,
    E_ENTRY,
    E_PHOFF,
    E_SHOFF,
    E_EHSIZE,
    E_PHENTSIZE,
    E_PHNUM,
    E_SHENTSIZE,
    E_SHNUM,
    E_SHSTRNDX,
    /* program header */
    P_TYPE,
    P_FLAGS,
    P_OFFSET,
    P_VADDR,
    P_PADDR,
    P_FILESZ,
    P_MEMSZ,
    P_ALIGN,
    /* section header */
    SH_TYPE,
    SH_OFFSET,
    SH_SIZE,
    SH_LINK,
    SH_ENTSIZE,
};

void tb_build(const struct tb_spec *spec, struct tb_image *out);
void tb_free(struct tb_image *img);
/* Writes value into a header field: idx is the program header or section index (0 for E_). */
void tb_set(struct tb_image *img, enum tb_field field, unsigned idx, uint64_t value);
uint64_t tb_get(const struct tb_image *img, enum tb_field field, unsigned idx);

/* Standard specs used by several tests. */
void tb_spec_riscv64(struct tb_spec *spec); /* text RX at 0x80000000, data RW + bss */
void tb_spec_i386(struct tb_spec *spec);    /* text RX at 0x100000, data RW */
void tb_spec_x86_64(struct tb_spec *spec);  /* text RX at 0x400000 */

/* The pattern byte tb_build writes at offset i of segment s when bytes is NULL. */
static inline uint8_t tb_pattern(unsigned s, uint64_t i)
{
    return (uint8_t)(i * 7 + s);
}

#endif
