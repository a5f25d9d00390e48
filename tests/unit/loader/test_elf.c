/* ELF validation, symbols and loading (src/loader/elf.c) against the System V ABI (gABI) chapters
 * "ELF Header", "Sections", "Symbol Table" and "Program Header". Every malformed image is one valid
 * image with one thing wrong, and must be rejected with one line naming the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/helpers.h"
#include "loader/loader.h"
#include "machine/platform.h"

#define MIB (1ull << 20)

/* Opens img as "t.elf" and expects success. */
static void open_ok(const struct tb_image *img, struct elf_image *out)
{
    char err[256] = "";
    int rc = elf_open_memory(img->data, img->size, "t.elf", out, err, sizeof err);
    if (rc != 0) fail_msg("rejected: %s", err);
}

/* Opens img and expects a rejection whose message starts with "t.elf: " and contains want. */
static void expect_reject(const struct tb_image *img, size_t size, const char *want)
{
    char err[256] = "";
    struct elf_image e;
    int rc = elf_open_memory(img->data, size, "t.elf", &e, err, sizeof err);
    if (rc == 0) {
        elf_close(&e);
        fail_msg("accepted (size %zu), expected \"%s\"", size, want);
    }
    assert_int_equal(rc, -1);
    assert_null(e.data); /* nothing is left to free */
    if (strncmp(err, "t.elf: ", 7) != 0 || !strstr(err, want) || strchr(err, '\n'))
        fail_msg("message \"%s\", expected \"%s\"", err, want);
}

static void built(void (*make)(struct tb_spec *), struct tb_image *img)
{
    struct tb_spec spec;
    make(&spec);
    tb_build(&spec, img);
}

/* ---- valid images ---- */

/* gABI "Symbol Table": section and file symbols, unnamed and undefined ones are not kept; the rest
 * are sorted by value. */
static void test_valid_riscv64_segments_and_symbols(void **state)
{
    (void)state;
    struct tb_image img;
    struct elf_image e;
    built(tb_spec_riscv64, &img);
    open_ok(&img, &e);
    assert_int_equal(e.arch, ARCH_RISCV64);
    assert_int_equal(e.elf_class, 64);
    assert_int_equal(e.type, ET_EXEC);
    assert_int_equal(e.entry, 0x80000010);
    assert_string_equal(e.name, "t.elf");
    assert_int_equal(e.size, img.size);
    assert_int_equal(e.n_segments, 2);
    assert_int_equal(e.segments[0].vaddr, 0x80000000);
    assert_int_equal(e.segments[0].paddr, 0x80000000);
    assert_int_equal(e.segments[0].filesz, 0x100);
    assert_int_equal(e.segments[0].offset, img.seg_off[0]);
    assert_int_equal(e.segments[0].flags, PF_R | PF_X);
    assert_int_equal(e.segments[1].memsz, 0x2000);
    assert_int_equal(e.segments[1].flags, PF_R | PF_W);

    assert_int_equal(e.n_symbols, 4);
    assert_string_equal(e.symbols[0].name, "_start");
    assert_string_equal(e.symbols[1].name, "main");
    assert_string_equal(e.symbols[2].name, "helper");
    assert_string_equal(e.symbols[3].name, "counter");
    for (size_t i = 1; i < e.n_symbols; i++)
        assert_true(e.symbols[i - 1].value <= e.symbols[i].value);
    assert_int_equal(e.symbols[1].type, STT_FUNC);
    assert_int_equal(e.symbols[3].type, STT_OBJECT);
    assert_int_equal(e.symbols[0].type, STT_NOTYPE);

    const struct elf_symbol *s = elf_find_symbol(&e, "counter");
    assert_non_null(s);
    assert_int_equal(s->value, 0x80001000);
    assert_int_equal(s->size, 8);
    assert_null(elf_find_symbol(&e, "printf"));  /* undefined */
    assert_null(elf_find_symbol(&e, ".text"));   /* STT_SECTION */
    assert_null(elf_find_symbol(&e, "start.S")); /* STT_FILE */
    assert_null(elf_find_symbol(&e, "nothing"));
    assert_null(elf_find_symbol(&e, ".Lpcrel_hi0")); /* assembler-local temporary */

    uint64_t off = 99;
    s = elf_symbol_at(&e, 0x80000044, &off); /* inside main (0x40, size 0x20) */
    assert_non_null(s);
    assert_string_equal(s->name, "main");
    assert_int_equal(off, 4);
    s = elf_symbol_at(&e, 0x80000030, &off); /* after the size-0 label _start */
    assert_non_null(s);
    assert_string_equal(s->name, "_start");
    assert_int_equal(off, 0x20);
    s = elf_symbol_at(&e, 0x80000050, &off); /* main, not the .L label at the same address */
    assert_non_null(s);
    assert_string_equal(s->name, "main");
    assert_int_equal(off, 0x10);
    assert_null(elf_symbol_at(&e, 0x80000070, &off)); /* past the end of main, before helper */
    assert_null(elf_symbol_at(&e, 0x7fffffff, &off)); /* below every symbol */
    s = elf_symbol_at(&e, 0x80000080, NULL);
    assert_non_null(s);
    assert_string_equal(s->name, "helper");
    elf_close(&e);
    elf_close(&e); /* closing twice is harmless */
    tb_free(&img);
}

static void test_valid_i386(void **state)
{
    (void)state;
    struct tb_image img;
    struct elf_image e;
    built(tb_spec_i386, &img);
    open_ok(&img, &e);
    assert_int_equal(e.arch, ARCH_I386);
    assert_int_equal(e.elf_class, 32);
    assert_int_equal(e.entry, 0x100020);
    assert_int_equal(e.n_segments, 2);
    assert_int_equal(e.segments[1].paddr, 0x101000);
    assert_int_equal(e.segments[1].memsz, 0x1000);
    assert_int_equal(e.n_symbols, 2);
    uint64_t off;
    const struct elf_symbol *s = elf_symbol_at(&e, 0x100025, &off);
    assert_non_null(s);
    assert_string_equal(s->name, "_start");
    assert_int_equal(off, 5);
    elf_close(&e);
    tb_free(&img);
}

static void test_valid_x86_64(void **state)
{
    (void)state;
    struct tb_image img;
    struct elf_image e;
    built(tb_spec_x86_64, &img);
    open_ok(&img, &e);
    assert_int_equal(e.arch, ARCH_X86_64);
    assert_int_equal(e.elf_class, 64);
    assert_int_equal(e.n_segments, 1);
    assert_non_null(elf_find_symbol(&e, "_start"));
    elf_close(&e);
    tb_free(&img);
}

/* gABI "ELF Header": e_shoff 0 means no section header table; no symbols is fine. */
static void test_valid_without_sections(void **state)
{
    (void)state;
    struct tb_spec spec;
    struct tb_image img;
    struct elf_image e;
    tb_spec_riscv64(&spec);
    spec.no_sections = true;
    tb_build(&spec, &img);
    open_ok(&img, &e);
    assert_int_equal(e.n_symbols, 0);
    assert_null(elf_symbol_at(&e, 0x80000010, NULL));
    elf_close(&e);
    tb_free(&img);
}

/* An ELF32 EM_386 container holding x86-64 code (design.md "Platforms") is just i386 to us; a
 * shared object (ET_DYN) is accepted too. */
static void test_valid_et_dyn_and_container(void **state)
{
    (void)state;
    struct tb_image img;
    struct elf_image e;
    built(tb_spec_i386, &img);
    tb_set(&img, E_TYPE, 0, ET_DYN);
    open_ok(&img, &e);
    assert_int_equal(e.type, ET_DYN);
    assert_int_equal(e.arch, ARCH_I386);
    elf_close(&e);
    tb_free(&img);
}

/* ---- the ELF header (gABI "ELF Identification", "ELF Header") ---- */

static void test_truncated_at_every_length(void **state)
{
    (void)state;
    void (*makers[])(struct tb_spec *) = {tb_spec_riscv64, tb_spec_i386, tb_spec_x86_64};
    for (unsigned k = 0; k < 3; k++) {
        struct tb_image img;
        built(makers[k], &img);
        size_t ehsize = img.elf_class == 64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
        for (size_t len = 0; len < img.size; len++) {
            const char *want = len == 0                ? "empty file"
                               : len < ehsize          ? "truncated ELF header"
                               : len < img.headers_end ? "program header table"
                                                       : "";
            expect_reject(&img, len, want);
        }
        tb_free(&img);
    }
}

static void test_bad_magic(void **state)
{
    (void)state;
    struct tb_image img;
    built(tb_spec_riscv64, &img);
    img.data[1] = 'e';
    expect_reject(&img, img.size, "not an ELF file (bad magic)");
    expect_reject(&img, 2, "not an ELF file (bad magic)");
    img.data[1] = 'E';
    img.data[0] = 0;
    expect_reject(&img, 1, "not an ELF file (bad magic)");
    tb_free(&img);
}

static void test_bad_ident(void **state)
{
    (void)state;
    struct tb_image img;
    built(tb_spec_riscv64, &img);
    img.data[EI_CLASS] = ELFCLASSNONE;
    expect_reject(&img, img.size, "invalid ELF class 0");
    img.data[EI_CLASS] = 3;
    expect_reject(&img, img.size, "invalid ELF class 3");
    img.data[EI_CLASS] = ELFCLASS64;
    img.data[EI_DATA] = ELFDATA2MSB;
    expect_reject(&img, img.size, "big-endian ELF files are not supported");
    img.data[EI_DATA] = 0;
    expect_reject(&img, img.size, "invalid data encoding 0");
    img.data[EI_DATA] = ELFDATA2LSB;
    img.data[EI_VERSION] = 2;
    expect_reject(&img, img.size, "unsupported ELF version 2 (EI_VERSION)");
    img.data[EI_VERSION] = EV_CURRENT;
    tb_set(&img, E_VERSION, 0, 0);
    expect_reject(&img, img.size, "unsupported ELF version 0 (e_version)");
    tb_free(&img);
}

static void test_bad_machine_and_class(void **state)
{
    (void)state;
    struct tb_image img;
    built(tb_spec_riscv64, &img);
    tb_set(&img, E_MACHINE, 0, EM_ARM);
    expect_reject(&img, img.size, "unsupported machine type 40");
    tb_set(&img, E_MACHINE, 0, EM_386); /* EM_386 in an ELF64 file */
    expect_reject(&img, img.size, "EM_386 file is ELFCLASS64");
    tb_free(&img);

    /* Only RV64 exists here: an ELF32 RISC-V file is refused. */
    built(tb_spec_i386, &img);
    tb_set(&img, E_MACHINE, 0, EM_RISCV);
    expect_reject(&img, img.size, "32-bit RISC-V (ELFCLASS32) is not supported");
    tb_set(&img, E_MACHINE, 0, EM_X86_64); /* x32 */
    expect_reject(&img, img.size, "EM_X86_64 file is ELFCLASS32");
    tb_free(&img);
}

static void test_bad_type_and_sizes(void **state)
{
    (void)state;
    struct tb_image img;
    built(tb_spec_riscv64, &img);
    tb_set(&img, E_TYPE, 0, ET_REL);
    expect_reject(&img, img.size, "unsupported ELF type 1");
    tb_set(&img, E_TYPE, 0, ET_CORE);
    expect_reject(&img, img.size, "unsupported ELF type 4");
    tb_set(&img, E_TYPE, 0, ET_EXEC);
    tb_set(&img, E_EHSIZE, 0, 52);
    expect_reject(&img, img.size, "bad ELF header size 52");
    tb_set(&img, E_EHSIZE, 0, sizeof(Elf64_Ehdr));
    tb_set(&img, E_PHENTSIZE, 0, 32);
    expect_reject(&img, img.size, "bad program header size 32");
    tb_free(&img);
}

/* ---- the program header table (gABI "Program Header") ---- */

static void test_bad_program_header_table(void **state)
{
    (void)state;
    struct tb_image img;
    built(tb_spec_riscv64, &img);
    tb_set(&img, E_PHNUM, 0, 0);
    expect_reject(&img, img.size, "no program headers");
    tb_set(&img, E_PHNUM, 0, 257);
    expect_reject(&img, img.size, "too many program headers (257");
    tb_set(&img, E_PHNUM, 0, PN_XNUM);
    expect_reject(&img, img.size, "too many program headers (65535");
    tb_set(&img, E_PHNUM, 0, 200); /* plausible count, table runs past the end */
    expect_reject(&img, img.size, "program header table (offset 0x40, 200 entries) lies outside");
    tb_set(&img, E_PHNUM, 0, 2);
    tb_set(&img, E_PHOFF, 0, img.size);
    expect_reject(&img, img.size, "program header table");
    tb_set(&img, E_PHOFF, 0, UINT64_MAX - 8); /* offset + size overflows */
    expect_reject(&img, img.size, "lies outside the file");
    tb_free(&img);
}

static void test_no_load_segment(void **state)
{
    (void)state;
    struct tb_image img;
    built(tb_spec_riscv64, &img);
    tb_set(&img, P_TYPE, 0, PT_NOTE);
    tb_set(&img, P_TYPE, 1, PT_GNU_STACK);
    expect_reject(&img, img.size, "no PT_LOAD segment");
    tb_free(&img);
}

static void test_segment_outside_file(void **state)
{
    (void)state;
    struct tb_image img;
    built(tb_spec_riscv64, &img);
    tb_set(&img, P_OFFSET, 1, img.size - 0x20); /* 0x40 bytes from 0x20 before the end */
    expect_reject(&img, img.size, "program header 1: file range");
    tb_set(&img, P_OFFSET, 1, img.size + 1);
    expect_reject(&img, img.size, "extends past the end of the file");
    /* p_offset + p_filesz wraps around 2^64 and would look small. */
    tb_set(&img, P_OFFSET, 1, UINT64_MAX - 0x10);
    expect_reject(&img, img.size, "extends past the end of the file");
    tb_free(&img);

    built(tb_spec_i386, &img);
    tb_set(&img, P_OFFSET, 0, 0xFFFFFFF0u);
    expect_reject(&img, img.size, "program header 0: file range 0xfffffff0+0x200");
    tb_free(&img);
}

static void test_memsz_smaller_than_filesz(void **state)
{
    (void)state;
    struct tb_image img;
    built(tb_spec_riscv64, &img);
    tb_set(&img, P_MEMSZ, 0, 0x80);
    expect_reject(&img, img.size, "program header 0: p_memsz 0x80 is smaller than p_filesz 0x100");
    tb_free(&img);
}

static void test_oversized_and_wrapping_segments(void **state)
{
    (void)state;
    struct tb_image img;
    built(tb_spec_riscv64, &img);
    tb_set(&img, P_MEMSZ, 1, (4ull << 30) + 1);
    expect_reject(&img, img.size, "program header 1: segment of 0x100000001 bytes is too large");
    tb_set(&img, P_MEMSZ, 1, 0x2000);
    tb_set(&img, P_VADDR, 1, UINT64_MAX - 0xfff);
    expect_reject(&img, img.size, "program header 1: virtual range");
    tb_set(&img, P_VADDR, 1, 0x80001000);
    tb_set(&img, P_PADDR, 1, UINT64_MAX - 0xfff);
    expect_reject(&img, img.size, "program header 1: physical range");
    tb_free(&img);

    /* In ELF32 the address space ends at 4 GiB. */
    built(tb_spec_i386, &img);
    tb_set(&img, P_VADDR, 1, 0xFFFFF800u);
    expect_reject(&img, img.size, "wraps around the address space");
    tb_free(&img);
}

static void test_bad_alignment(void **state)
{
    (void)state;
    struct tb_image img;
    built(tb_spec_riscv64, &img);
    tb_set(&img, P_ALIGN, 0, 0x3000);
    expect_reject(&img, img.size, "p_align 0x3000 is not a power of two");
    tb_set(&img, P_ALIGN, 0, 0); /* 0 and 1 mean no alignment */
    struct elf_image e;
    open_ok(&img, &e);
    elf_close(&e);
    tb_free(&img);
}

static void test_overlapping_segments(void **state)
{
    (void)state;
    struct tb_image img;
    built(tb_spec_riscv64, &img);
    tb_set(&img, P_PADDR, 1, 0x800000f0); /* inside segment 0's 0x80000000-0x80000100 */
    expect_reject(&img, img.size, "program headers 0 and 1 overlap in physical memory");
    tb_set(&img, P_PADDR, 1, 0x80001000);
    tb_set(&img, P_VADDR, 1, 0x7fffff00); /* ends at 0x80001f00, over segment 0 */
    expect_reject(&img, img.size, "program headers 0 and 1 overlap in virtual memory");
    tb_free(&img);
}

static void test_entry_point(void **state)
{
    (void)state;
    struct tb_image img;
    built(tb_spec_riscv64, &img);
    tb_set(&img, E_ENTRY, 0, 0x1234);
    expect_reject(&img, img.size, "entry point 0x1234 is not inside any PT_LOAD segment");
    tb_set(&img, E_ENTRY, 0, 0x80000100); /* one past the end of the text segment */
    expect_reject(&img, img.size, "entry point 0x80000100 is not inside");
    tb_set(&img, E_ENTRY, 0, 0x80001800); /* in the data segment (its .bss part) */
    expect_reject(&img, img.size, "entry point 0x80001800 lies in non-executable program header 1");
    tb_set(&img, E_ENTRY, 0, 0x80000010);
    tb_set(&img, P_FLAGS, 0, PF_R);
    expect_reject(&img, img.size, "lies in non-executable program header 0");
    tb_free(&img);
}

/* ---- the section header table and the symbol table (gABI "Sections", "Symbol Table") ---- */

static void test_bad_section_table(void **state)
{
    (void)state;
    struct tb_image img;
    built(tb_spec_riscv64, &img);
    uint64_t shoff = tb_get(&img, E_SHOFF, 0);
    tb_set(&img, E_SHENTSIZE, 0, 40);
    expect_reject(&img, img.size, "bad section header size 40");
    tb_set(&img, E_SHENTSIZE, 0, sizeof(Elf64_Shdr));
    tb_set(&img, E_SHOFF, 0, img.size);
    expect_reject(&img, img.size, "section header table (offset");
    tb_set(&img, E_SHOFF, 0, UINT64_MAX - 16);
    expect_reject(&img, img.size, "section header table");
    tb_set(&img, E_SHOFF, 0, shoff);
    tb_set(&img, E_SHNUM, 0, 6); /* one entry past the end of the file */
    expect_reject(&img, img.size, "6 entries) lies outside the file");
    tb_set(&img, E_SHNUM, 0, 0); /* extended numbering: the count is section 0's sh_size */
    tb_set(&img, SH_SIZE, 0, 100000);
    expect_reject(&img, img.size, "too many section headers (100000");
    tb_set(&img, SH_SIZE, 0, 5);
    struct elf_image e; /* extended numbering with a sane count works */
    open_ok(&img, &e);
    assert_int_equal(e.n_symbols, 4);
    elf_close(&e);
    tb_set(&img, E_SHNUM, 0, 5);
    tb_set(&img, SH_SIZE, 0, 0);
    tb_set(&img, E_SHSTRNDX, 0, 9);
    expect_reject(&img, img.size, "section name table index 9 out of range");
    tb_set(&img, E_SHSTRNDX, 0, TB_SEC_SHSTRTAB);
    tb_set(&img, E_SHOFF, 0, 0);
    expect_reject(&img, img.size, "e_shnum is 5 but there is no section header table");
    tb_set(&img, E_SHOFF, 0, shoff);
    tb_set(&img, SH_OFFSET, TB_SEC_TEXT, img.size - 4);
    expect_reject(&img, img.size, "section 1: file range");
    tb_free(&img);
}

static void test_bad_symbol_table(void **state)
{
    (void)state;
    struct tb_image img;
    built(tb_spec_riscv64, &img);
    tb_set(&img, SH_OFFSET, TB_SEC_SYMTAB, img.size - 8);
    expect_reject(&img, img.size, "section 2: file range");
    tb_set(&img, SH_OFFSET, TB_SEC_SYMTAB, img.symtab_off);
    tb_set(&img, SH_ENTSIZE, TB_SEC_SYMTAB, 16);
    expect_reject(&img, img.size, "symbol table has bad entry size 16");
    tb_set(&img, SH_ENTSIZE, TB_SEC_SYMTAB, sizeof(Elf64_Sym));
    uint64_t symtab_size = tb_get(&img, SH_SIZE, TB_SEC_SYMTAB);
    tb_set(&img, SH_SIZE, TB_SEC_SYMTAB, symtab_size - 1);
    expect_reject(&img, img.size, "symbol table has bad entry size");
    tb_set(&img, SH_SIZE, TB_SEC_SYMTAB, symtab_size);
    tb_set(&img, SH_LINK, TB_SEC_SYMTAB, 7);
    expect_reject(&img, img.size, "symbol table's string table index 7 out of range");
    tb_set(&img, SH_LINK, TB_SEC_SYMTAB, TB_SEC_TEXT);
    expect_reject(&img, img.size, "symbol table's section 1 is not a string table");
    tb_set(&img, SH_LINK, TB_SEC_SYMTAB, TB_SEC_STRTAB);
    tb_free(&img);

    /* The string table out of the file is caught by the section check; one whose last name runs
     * off its end (no NUL inside it) by the symbol check. */
    built(tb_spec_riscv64, &img);
    tb_set(&img, SH_OFFSET, TB_SEC_STRTAB, img.size + 0x100);
    expect_reject(&img, img.size, "section 3: file range");
    tb_set(&img, SH_OFFSET, TB_SEC_STRTAB, img.strtab_off);
    tb_set(&img, SH_SIZE, TB_SEC_STRTAB, 3);
    expect_reject(&img, img.size, "name offset");
    tb_free(&img);

    built(tb_spec_riscv64, &img);
    uint32_t huge = 0x7fffffff;
    memcpy(img.data + img.symtab_off + 2 * sizeof(Elf64_Sym), &huge, 4); /* symbol 2's st_name */
    expect_reject(&img, img.size, "symbol 2: name offset 2147483647 lies outside the string table");
    tb_free(&img);
}

/* An empty symbol table, or one whose only entry is the null symbol, yields no symbols. */
static void test_empty_symbol_table(void **state)
{
    (void)state;
    struct tb_image img;
    struct elf_image e;
    built(tb_spec_x86_64, &img);
    tb_set(&img, SH_SIZE, TB_SEC_SYMTAB, 0);
    open_ok(&img, &e);
    assert_int_equal(e.n_symbols, 0);
    elf_close(&e);
    tb_set(&img, SH_SIZE, TB_SEC_SYMTAB, sizeof(Elf64_Sym));
    open_ok(&img, &e);
    assert_int_equal(e.n_symbols, 0);
    elf_close(&e);
    tb_free(&img);
}

/* ---- robustness: random corruption never crashes (run under ASan/UBSan in CI) ---- */

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64: deterministic, so a failure reproduces */
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_random_corruption_is_safe(void **state)
{
    (void)state;
    void (*makers[])(struct tb_spec *) = {tb_spec_riscv64, tb_spec_i386, tb_spec_x86_64};
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    for (unsigned k = 0; k < 3; k++) {
        struct tb_image img;
        built(makers[k], &img);
        uint8_t *orig = malloc(img.size);
        memcpy(orig, img.data, img.size);
        for (unsigned iter = 0; iter < 3000; iter++) {
            memcpy(img.data, orig, img.size);
            unsigned flips = 1 + (unsigned)(rng_next(&seed) % 8);
            for (unsigned f = 0; f < flips; f++) {
                /* Mostly the headers, where the interesting fields are. */
                size_t limit = (rng_next(&seed) & 1) ? img.headers_end : img.size;
                size_t at = (size_t)(rng_next(&seed) % limit);
                img.data[at] = (uint8_t)rng_next(&seed);
            }
            char err[256];
            struct elf_image e;
            if (elf_open_memory(img.data, img.size, "fuzz", &e, err, sizeof err) == 0) {
                elf_symbol_at(&e, e.entry, NULL);
                elf_close(&e);
            } else {
                assert_true(strncmp(err, "fuzz: ", 6) == 0);
            }
        }
        free(orig);
        tb_free(&img);
    }
}

/* ---- loading (p_paddr, as QEMU's loaders do; gABI "Program Header": memsz - filesz zeroed) ----
 */

static void test_load_copies_and_zeroes(void **state)
{
    (void)state;
    struct machine m;
    char err[256];
    struct tb_image img;
    struct elf_image e;
    assert_int_equal(machine_init(&m, ARCH_RISCV64, VIRT_DRAM_BASE, 64 * MIB, err, sizeof err), 0);
    built(tb_spec_riscv64, &img);
    open_ok(&img, &e);
    /* Stale bytes where .bss goes must be cleared. */
    uint8_t junk[0x2000];
    memset(junk, 0xAA, sizeof junk);
    assert_int_equal(bus_copy_to_ram(&m.bus, 0x80001000, junk, sizeof junk), 0);
    uint64_t end = 0;
    assert_int_equal(elf_load(&e, &m.bus, &end, err, sizeof err), 0);
    assert_int_equal(end, 0x80003000);
    uint8_t got[0x2000];
    assert_int_equal(bus_copy_from_ram(&m.bus, 0x80000000, got, 0x100), 0);
    for (unsigned i = 0; i < 0x100; i++)
        assert_int_equal(got[i], tb_pattern(0, i));
    assert_int_equal(bus_copy_from_ram(&m.bus, 0x80001000, got, 0x2000), 0);
    for (unsigned i = 0; i < 0x40; i++)
        assert_int_equal(got[i], tb_pattern(1, i));
    for (unsigned i = 0x40; i < 0x2000; i++)
        assert_int_equal(got[i], 0);
    elf_close(&e);
    tb_free(&img);
    machine_destroy(&m);
}

/* Nothing is written unless every segment fits in RAM (loader.h). */
static void test_load_outside_ram_writes_nothing(void **state)
{
    (void)state;
    struct machine m;
    char err[256];
    struct tb_image img;
    struct elf_image e;
    assert_int_equal(machine_init(&m, ARCH_RISCV64, VIRT_DRAM_BASE, 64 * MIB, err, sizeof err), 0);
    built(tb_spec_riscv64, &img);
    tb_set(&img, P_PADDR, 1, 0x1000); /* segment 1 below RAM, segment 0 inside */
    open_ok(&img, &e);
    uint64_t end = 7;
    assert_int_equal(elf_load(&e, &m.bus, &end, err, sizeof err), -1);
    assert_string_equal(err, "t.elf: segment 1 at 0x1000-0x3000 lies outside guest RAM "
                             "0x80000000-0x84000000");
    assert_int_equal(end, 7);
    uint8_t got[0x100];
    assert_int_equal(bus_copy_from_ram(&m.bus, 0x80000000, got, sizeof got), 0);
    for (unsigned i = 0; i < sizeof got; i++)
        assert_int_equal(got[i], 0);
    elf_close(&e);

    /* Straddling the end of RAM is outside too. */
    tb_set(&img, P_PADDR, 1, 0x83fff000);
    tb_set(&img, P_VADDR, 1, 0x83fff000);
    open_ok(&img, &e);
    assert_int_equal(elf_load(&e, &m.bus, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "segment 1 at 0x83fff000-0x84001000 lies outside guest RAM"));
    elf_close(&e);
    tb_free(&img);
    machine_destroy(&m);
}

/* ---- files ---- */

static void test_open_file_errors_and_success(void **state)
{
    (void)state;
    char err[512];
    struct elf_image e;
    assert_int_equal(elf_open_file("/nonexistent/ringside/k.elf", &e, err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/ringside/k.elf: No such file or directory");

    char dir[] = "/tmp/ringside-loader-XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(elf_open_file(dir, &e, err, sizeof err), -1);
    char want[600];
    snprintf(want, sizeof want, "%s: Is a directory", dir);
    assert_string_equal(err, want);

    char path[400];
    snprintf(path, sizeof path, "%s/empty.elf", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(elf_open_file(path, &e, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: empty file", path);
    assert_string_equal(err, want);

    struct tb_image img;
    built(tb_spec_i386, &img);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(img.data, 1, img.size, f), img.size);
    fclose(f);
    assert_int_equal(elf_open_file(path, &e, err, sizeof err), 0);
    assert_string_equal(e.name, path);
    assert_int_equal(e.arch, ARCH_I386);
    assert_memory_equal(e.data, img.data, img.size);
    elf_close(&e);
    tb_free(&img);
    unlink(path);
    rmdir(dir);
}

/* A tiny error buffer truncates the message but never overflows. */
static void test_small_error_buffer(void **state)
{
    (void)state;
    char err[8];
    struct elf_image e;
    static const uint8_t junk[] = "junk file";
    assert_int_equal(elf_open_memory(junk, sizeof junk, "some-long-name", &e, err, sizeof err), -1);
    assert_string_equal(err, "some-lo");
    assert_int_equal(elf_open_memory(junk, sizeof junk, "x", &e, NULL, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_riscv64_segments_and_symbols),
        cmocka_unit_test(test_valid_i386),
        cmocka_unit_test(test_valid_x86_64),
        cmocka_unit_test(test_valid_without_sections),
        cmocka_unit_test(test_valid_et_dyn_and_container),
        cmocka_unit_test(test_truncated_at_every_length),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_bad_ident),
        cmocka_unit_test(test_bad_machine_and_class),
        cmocka_unit_test(test_bad_type_and_sizes),
        cmocka_unit_test(test_bad_program_header_table),
        cmocka_unit_test(test_no_load_segment),
        cmocka_unit_test(test_segment_outside_file),
        cmocka_unit_test(test_memsz_smaller_than_filesz),
        cmocka_unit_test(test_oversized_and_wrapping_segments),
        cmocka_unit_test(test_bad_alignment),
        cmocka_unit_test(test_overlapping_segments),
        cmocka_unit_test(test_entry_point),
        cmocka_unit_test(test_bad_section_table),
        cmocka_unit_test(test_bad_symbol_table),
        cmocka_unit_test(test_empty_symbol_table),
        cmocka_unit_test(test_random_corruption_is_safe),
        cmocka_unit_test(test_load_copies_and_zeroes),
        cmocka_unit_test(test_load_outside_ram_writes_nothing),
        cmocka_unit_test(test_open_file_errors_and_success),
        cmocka_unit_test(test_small_error_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
