/* Builds ELF images in memory for the loader tests (see helpers.h). The host is little-endian
 * (x86-64 or RISC-V Linux), so the <elf.h> structures are written as they are. */
#include "loader/helpers.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t align16(size_t v)
{
    return (v + 15) & ~(size_t)15;
}

void tb_spec_riscv64(struct tb_spec *s)
{
    memset(s, 0, sizeof *s);
    s->elf_class = 64;
    s->machine = EM_RISCV;
    s->type = ET_EXEC;
    s->entry = 0x80000010;
    s->nsegs = 2;
    s->segs[0] =
        (struct tb_seg){PT_LOAD, PF_R | PF_X, 0x80000000, 0x80000000, 0x100, 0x100, 0x1000, NULL};
    s->segs[1] =
        (struct tb_seg){PT_LOAD, PF_R | PF_W, 0x80001000, 0x80001000, 0x40, 0x2000, 0x1000, NULL};
    s->nsyms = 9;
    s->syms[0] = (struct tb_sym){"main", 0x80000040, 0x20, STT_FUNC, STB_GLOBAL, 0};
    s->syms[1] = (struct tb_sym){"_start", 0x80000010, 0, STT_NOTYPE, STB_GLOBAL, 0};
    s->syms[2] = (struct tb_sym){"counter", 0x80001000, 8, STT_OBJECT, STB_GLOBAL, 0};
    s->syms[3] = (struct tb_sym){"", 0x80000000, 0, STT_NOTYPE, STB_LOCAL, 0};
    s->syms[4] = (struct tb_sym){".text", 0x80000000, 0, STT_SECTION, STB_LOCAL, 0};
    s->syms[5] = (struct tb_sym){"start.S", 0, 0, STT_FILE, STB_LOCAL, SHN_ABS};
    s->syms[6] = (struct tb_sym){"printf", 0, 0, STT_FUNC, STB_GLOBAL, TB_SHN_UNDEF_EXPLICIT};
    s->syms[7] = (struct tb_sym){"helper", 0x80000080, 0x10, STT_FUNC, STB_LOCAL, 0};
    s->syms[8] = (struct tb_sym){".Lpcrel_hi0", 0x80000050, 0, STT_NOTYPE, STB_LOCAL, 0};
}

void tb_spec_i386(struct tb_spec *s)
{
    memset(s, 0, sizeof *s);
    s->elf_class = 32;
    s->machine = EM_386;
    s->type = ET_EXEC;
    s->entry = 0x100020;
    s->nsegs = 2;
    s->segs[0] =
        (struct tb_seg){PT_LOAD, PF_R | PF_X, 0x100000, 0x100000, 0x200, 0x200, 0x1000, NULL};
    s->segs[1] =
        (struct tb_seg){PT_LOAD, PF_R | PF_W, 0x101000, 0x101000, 0x20, 0x1000, 0x1000, NULL};
    s->nsyms = 2;
    s->syms[0] = (struct tb_sym){"_start", 0x100020, 0x30, STT_FUNC, STB_GLOBAL, 0};
    s->syms[1] = (struct tb_sym){"stack", 0x101000, 0x1000, STT_OBJECT, STB_GLOBAL, 0};
}

void tb_spec_x86_64(struct tb_spec *s)
{
    memset(s, 0, sizeof *s);
    s->elf_class = 64;
    s->machine = EM_X86_64;
    s->type = ET_EXEC;
    s->entry = 0x401000;
    s->nsegs = 1;
    s->segs[0] =
        (struct tb_seg){PT_LOAD, PF_R | PF_X, 0x401000, 0x401000, 0x80, 0x80, 0x1000, NULL};
    s->nsyms = 1;
    s->syms[0] = (struct tb_sym){"_start", 0x401000, 0x10, STT_FUNC, STB_GLOBAL, 0};
}

void tb_build(const struct tb_spec *spec, struct tb_image *out)
{
    bool is64 = spec->elf_class == 64;
    size_t ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    size_t phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    size_t shsize = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
    size_t symsize = is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
    static const char shstr[] = "\0.text\0.symtab\0.strtab\0.shstrtab";

    memset(out, 0, sizeof *out);
    out->elf_class = spec->elf_class;
    /* Layout: ELF header, program headers, segment data, .strtab, .symtab, .shstrtab, section
     * headers (last, so any truncation cuts into the section table). */
    size_t off = ehsize;
    out->phoff = off;
    off += spec->nsegs * phsize;
    out->headers_end = off;
    for (unsigned i = 0; i < spec->nsegs; i++) {
        off = align16(off);
        out->seg_off[i] = off;
        off += spec->segs[i].filesz;
    }
    size_t strsize = 1;
    for (unsigned i = 0; i < spec->nsyms; i++)
        strsize += strlen(spec->syms[i].name) + 1;
    off = align16(off);
    out->strtab_off = off;
    off += strsize;
    off = align16(off);
    out->symtab_off = off;
    off += (spec->nsyms + 1) * symsize;
    size_t shstr_off = off;
    off += sizeof shstr;
    off = align16(off);
    out->shoff = spec->no_sections ? 0 : off;
    if (!spec->no_sections) off += TB_SHNUM * shsize;
    out->size = off;
    out->data = calloc(1, off);

    /* Segment contents. */
    for (unsigned i = 0; i < spec->nsegs; i++)
        for (uint64_t b = 0; b < spec->segs[i].filesz; b++)
            out->data[out->seg_off[i] + b] =
                spec->segs[i].bytes ? ((const uint8_t *)spec->segs[i].bytes)[b] : tb_pattern(i, b);

    /* Strings and symbols (entry 0 is the null symbol). */
    char *str = (char *)out->data + out->strtab_off;
    size_t stroff = 1;
    for (unsigned i = 0; i < spec->nsyms; i++) {
        const struct tb_sym *s = &spec->syms[i];
        size_t name = stroff;
        strcpy(str + stroff, s->name);
        stroff += strlen(s->name) + 1;
        uint16_t shndx = s->shndx == TB_SHN_UNDEF_EXPLICIT ? SHN_UNDEF
                         : s->shndx                        ? s->shndx
                                                           : TB_SEC_TEXT;
        uint8_t *p = out->data + out->symtab_off + (i + 1) * symsize;
        if (is64) {
            Elf64_Sym y = {(Elf64_Word)name, ELF64_ST_INFO(s->bind, s->type), 0, shndx, s->value,
                           s->size};
            memcpy(p, &y, sizeof y);
        } else {
            Elf32_Sym y = {(Elf32_Word)name,
                           (Elf32_Addr)s->value,
                           (Elf32_Word)s->size,
                           ELF32_ST_INFO(s->bind, s->type),
                           0,
                           shndx};
            memcpy(p, &y, sizeof y);
        }
    }
    memcpy(out->data + shstr_off, shstr, sizeof shstr);

    /* Headers. */
    struct {
        uint32_t name, type;
        size_t off, size, link, info, entsize;
    } sec[TB_SHNUM] = {
        {0, SHT_NULL, 0, 0, 0, 0, 0},
        {1, SHT_PROGBITS, out->seg_off[0], spec->nsegs ? spec->segs[0].filesz : 0, 0, 0, 0},
        {7, SHT_SYMTAB, out->symtab_off, (spec->nsyms + 1) * symsize, TB_SEC_STRTAB, 1, symsize},
        {15, SHT_STRTAB, out->strtab_off, strsize, 0, 0, 0},
        {23, SHT_STRTAB, shstr_off, sizeof shstr, 0, 0, 0},
    };
    uint8_t *d = out->data;
    if (is64) {
        Elf64_Ehdr e = {0};
        memcpy(e.e_ident, ELFMAG, SELFMAG);
        e.e_ident[EI_CLASS] = ELFCLASS64;
        e.e_ident[EI_DATA] = ELFDATA2LSB;
        e.e_ident[EI_VERSION] = EV_CURRENT;
        e.e_type = spec->type, e.e_machine = spec->machine, e.e_version = EV_CURRENT;
        e.e_entry = spec->entry, e.e_phoff = out->phoff, e.e_shoff = out->shoff;
        e.e_ehsize = (uint16_t)ehsize, e.e_phentsize = (uint16_t)phsize;
        e.e_phnum = (uint16_t)spec->nsegs;
        e.e_shentsize = (uint16_t)shsize;
        e.e_shnum = spec->no_sections ? 0 : TB_SHNUM;
        e.e_shstrndx = spec->no_sections ? 0 : TB_SEC_SHSTRTAB;
        memcpy(d, &e, sizeof e);
        for (unsigned i = 0; i < spec->nsegs; i++) {
            const struct tb_seg *g = &spec->segs[i];
            Elf64_Phdr p = {g->type,  g->flags,  out->seg_off[i], g->vaddr,
                            g->paddr, g->filesz, g->memsz,        g->align};
            memcpy(d + out->phoff + i * phsize, &p, sizeof p);
        }
        for (unsigned i = 0; i < TB_SHNUM && !spec->no_sections; i++) {
            Elf64_Shdr h = {sec[i].name,
                            sec[i].type,
                            0,
                            0,
                            sec[i].off,
                            sec[i].size,
                            (Elf64_Word)sec[i].link,
                            (Elf64_Word)sec[i].info,
                            8,
                            sec[i].entsize};
            memcpy(d + out->shoff + i * shsize, &h, sizeof h);
        }
    } else {
        Elf32_Ehdr e = {0};
        memcpy(e.e_ident, ELFMAG, SELFMAG);
        e.e_ident[EI_CLASS] = ELFCLASS32;
        e.e_ident[EI_DATA] = ELFDATA2LSB;
        e.e_ident[EI_VERSION] = EV_CURRENT;
        e.e_type = spec->type, e.e_machine = spec->machine, e.e_version = EV_CURRENT;
        e.e_entry = (Elf32_Addr)spec->entry, e.e_phoff = (Elf32_Off)out->phoff;
        e.e_shoff = (Elf32_Off)out->shoff;
        e.e_ehsize = (uint16_t)ehsize, e.e_phentsize = (uint16_t)phsize;
        e.e_phnum = (uint16_t)spec->nsegs;
        e.e_shentsize = (uint16_t)shsize;
        e.e_shnum = spec->no_sections ? 0 : TB_SHNUM;
        e.e_shstrndx = spec->no_sections ? 0 : TB_SEC_SHSTRTAB;
        memcpy(d, &e, sizeof e);
        for (unsigned i = 0; i < spec->nsegs; i++) {
            const struct tb_seg *g = &spec->segs[i];
            Elf32_Phdr p = {g->type,
                            (Elf32_Off)out->seg_off[i],
                            (Elf32_Addr)g->vaddr,
                            (Elf32_Addr)g->paddr,
                            (Elf32_Word)g->filesz,
                            (Elf32_Word)g->memsz,
                            g->flags,
                            (Elf32_Word)g->align};
            memcpy(d + out->phoff + i * phsize, &p, sizeof p);
        }
        for (unsigned i = 0; i < TB_SHNUM && !spec->no_sections; i++) {
            Elf32_Shdr h = {sec[i].name,
                            sec[i].type,
                            0,
                            0,
                            (Elf32_Off)sec[i].off,
                            (Elf32_Word)sec[i].size,
                            (Elf32_Word)sec[i].link,
                            (Elf32_Word)sec[i].info,
                            4,
                            (Elf32_Word)sec[i].entsize};
            memcpy(d + out->shoff + i * shsize, &h, sizeof h);
        }
    }
}

void tb_free(struct tb_image *img)
{
    free(img->data);
    memset(img, 0, sizeof *img);
}

/* Where a field lives: its offset and size in the ELF32 and ELF64 structures. */
struct field_loc {
    int table; /* 0 ELF header, 1 program header, 2 section header */
    unsigned off32, size32, off64, size64;
};

#define FE(f)                                                                                      \
    {                                                                                              \
        0, offsetof(Elf32_Ehdr, f), sizeof(((Elf32_Ehdr *)0)->f), offsetof(Elf64_Ehdr, f),         \
            sizeof(((Elf64_Ehdr *)0)->f)                                                           \
    }
#define FP(f)                                                                                      \
    {                                                                                              \
        1, offsetof(Elf32_Phdr, f), sizeof(((Elf32_Phdr *)0)->f), offsetof(Elf64_Phdr, f),         \
            sizeof(((Elf64_Phdr *)0)->f)                                                           \
    }
#define FS(f)                                                                                      \
    {                                                                                              \
        2, offsetof(Elf32_Shdr, f), sizeof(((Elf32_Shdr *)0)->f), offsetof(Elf64_Shdr, f),         \
            sizeof(((Elf64_Shdr *)0)->f)                                                           \
    }

static const struct field_loc field_locs[] = {
    [E_TYPE] = FE(e_type),           [E_MACHINE] = FE(e_machine),     [E_VERSION] = FE(e_version),
    [E_ENTRY] = FE(e_entry),         [E_PHOFF] = FE(e_phoff),         [E_SHOFF] = FE(e_shoff),
    [E_EHSIZE] = FE(e_ehsize),       [E_PHENTSIZE] = FE(e_phentsize), [E_PHNUM] = FE(e_phnum),
    [E_SHENTSIZE] = FE(e_shentsize), [E_SHNUM] = FE(e_shnum),         [E_SHSTRNDX] = FE(e_shstrndx),
    [P_TYPE] = FP(p_type),           [P_FLAGS] = FP(p_flags),         [P_OFFSET] = FP(p_offset),
    [P_VADDR] = FP(p_vaddr),         [P_PADDR] = FP(p_paddr),         [P_FILESZ] = FP(p_filesz),
    [P_MEMSZ] = FP(p_memsz),         [P_ALIGN] = FP(p_align),         [SH_TYPE] = FS(sh_type),
    [SH_OFFSET] = FS(sh_offset),     [SH_SIZE] = FS(sh_size),         [SH_LINK] = FS(sh_link),
    [SH_ENTSIZE] = FS(sh_entsize),
};

static size_t field_offset(const struct tb_image *img, enum tb_field field, unsigned idx,
                           unsigned *size)
{
    const struct field_loc *l = &field_locs[field];
    bool is64 = img->elf_class == 64;
    size_t base = 0;
    if (l->table == 1)
        base = img->phoff + idx * (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr));
    else if (l->table == 2)
        base = img->shoff + idx * (is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr));
    *size = is64 ? l->size64 : l->size32;
    size_t off = base + (is64 ? l->off64 : l->off32);
    if (off + *size > img->size) {
        fprintf(stderr, "tb_set: field %d of entry %u is outside the image\n", field, idx);
        abort();
    }
    return off;
}

void tb_set(struct tb_image *img, enum tb_field field, unsigned idx, uint64_t value)
{
    unsigned size;
    size_t off = field_offset(img, field, idx, &size);
    memcpy(img->data + off, &value, size); /* little-endian host: the low bytes first */
}

uint64_t tb_get(const struct tb_image *img, enum tb_field field, unsigned idx)
{
    unsigned size;
    size_t off = field_offset(img, field, idx, &size);
    uint64_t value = 0;
    memcpy(&value, img->data + off, size);
    return value;
}
