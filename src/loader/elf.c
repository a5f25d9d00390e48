/* ELF images: validation, symbols and loading (see loader.h).
 *
 * Every header field is untrusted: the raw ELF header, the program header table and the section
 * header table are bounds-checked here before libelf is asked to read any of them, and each
 * segment, section and symbol is checked before it is used. The checks follow the System V ABI
 * (gABI), chapters "ELF Header", "Sections" and "Program Header". A rejected file gives exactly
 * one line, "NAME: what is wrong".
 */
#include "loader/loader.h"
#include "loader/loader_internal.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int loader_fail(char *err, size_t errlen, const char *name, const char *fmt, ...)
{
    if (err && errlen) {
        int n = snprintf(err, errlen, "%s: ", name ? name : "kernel");
        if (n >= 0 && (size_t)n < errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

#define ELF_MAX_FILE    (1ull << 30) /* no guest image is near 1 GiB */
#define ELF_MAX_PHNUM   256u         /* real images have a handful */
#define ELF_MAX_SHNUM   65536u       /* including extended numbering (gABI "Sections") */
#define ELF_MAX_SEGMENT (4ull << 30) /* no guest segment needs more than 4 GiB */
#define ELF_MAX_SYMBOLS (1u << 20)

#define FAIL(...) loader_fail(err, errlen, img->name, __VA_ARGS__)

typedef unsigned long long ull;

/* The ELF header fields we use, widened and in host byte order. */
struct raw_ehdr {
    unsigned elf_class;
    uint16_t type, machine, ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
    uint32_t version;
    uint64_t entry, phoff, shoff;
};

/* [off, off + len) lies inside a file of size bytes, without overflow. */
static bool in_file(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

static void read_ehdr(const uint8_t *d, unsigned elf_class, struct raw_ehdr *h)
{
    /* memcpy: the buffer need not be aligned for the header types. */
    h->elf_class = elf_class;
    if (elf_class == 32) {
        Elf32_Ehdr e;
        memcpy(&e, d, sizeof e);
        h->type = le16toh(e.e_type), h->machine = le16toh(e.e_machine);
        h->version = le32toh(e.e_version), h->entry = le32toh(e.e_entry);
        h->phoff = le32toh(e.e_phoff), h->shoff = le32toh(e.e_shoff);
        h->ehsize = le16toh(e.e_ehsize), h->phentsize = le16toh(e.e_phentsize);
        h->phnum = le16toh(e.e_phnum), h->shentsize = le16toh(e.e_shentsize);
        h->shnum = le16toh(e.e_shnum), h->shstrndx = le16toh(e.e_shstrndx);
    } else {
        Elf64_Ehdr e;
        memcpy(&e, d, sizeof e);
        h->type = le16toh(e.e_type), h->machine = le16toh(e.e_machine);
        h->version = le32toh(e.e_version), h->entry = le64toh(e.e_entry);
        h->phoff = le64toh(e.e_phoff), h->shoff = le64toh(e.e_shoff);
        h->ehsize = le16toh(e.e_ehsize), h->phentsize = le16toh(e.e_phentsize);
        h->phnum = le16toh(e.e_phnum), h->shentsize = le16toh(e.e_shentsize);
        h->shnum = le16toh(e.e_shnum), h->shstrndx = le16toh(e.e_shstrndx);
    }
}

/* e_ident and the ELF header (gABI "ELF Identification", "ELF Header"). */
static int check_ident(struct elf_image *img, struct raw_ehdr *h, char *err, size_t errlen)
{
    static const uint8_t magic[SELFMAG] = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3};
    const uint8_t *d = img->data;
    size_t n = img->size;

    if (n == 0) return FAIL("empty file");
    if (memcmp(d, magic, n < SELFMAG ? n : SELFMAG) != 0)
        return FAIL("not an ELF file (bad magic)");
    if (n < EI_NIDENT) return FAIL("truncated ELF header (file is %zu bytes)", n);
    unsigned elf_class;
    switch (d[EI_CLASS]) {
    case ELFCLASS32: elf_class = 32; break;
    case ELFCLASS64: elf_class = 64; break;
    default: return FAIL("invalid ELF class %u (EI_CLASS must be 1 or 2)", d[EI_CLASS]);
    }
    if (d[EI_DATA] == ELFDATA2MSB)
        return FAIL("big-endian ELF files are not supported (EI_DATA 2)");
    if (d[EI_DATA] != ELFDATA2LSB) return FAIL("invalid data encoding %u (EI_DATA)", d[EI_DATA]);
    if (d[EI_VERSION] != EV_CURRENT)
        return FAIL("unsupported ELF version %u (EI_VERSION)", d[EI_VERSION]);
    size_t ehsize = elf_class == 32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr);
    if (n < ehsize)
        return FAIL("truncated ELF header (file is %zu bytes, the header %zu)", n, ehsize);
    read_ehdr(d, elf_class, h);

    if (h->version != EV_CURRENT)
        return FAIL("unsupported ELF version %u (e_version)", (unsigned)h->version);
    switch (h->machine) {
    case EM_RISCV:
        /* Only RV64 is emulated. */
        if (elf_class != 64) return FAIL("32-bit RISC-V (ELFCLASS32) is not supported, only RV64");
        img->arch = ARCH_RISCV64;
        break;
    case EM_386:
        /* An x86-64 kernel for Multiboot is shipped as an ELF32 EM_386 container (design.md
         * "Platforms"), so EM_386 is always ELFCLASS32 here. */
        if (elf_class != 32) return FAIL("EM_386 file is ELFCLASS64 (must be ELFCLASS32)");
        img->arch = ARCH_I386;
        break;
    case EM_X86_64:
        if (elf_class != 64)
            return FAIL("EM_X86_64 file is ELFCLASS32 (must be ELFCLASS64; x32 is not supported)");
        img->arch = ARCH_X86_64;
        break;
    default: return FAIL("unsupported machine type %u", h->machine);
    }
    if (h->type != ET_EXEC && h->type != ET_DYN)
        return FAIL("unsupported ELF type %u (must be ET_EXEC or ET_DYN)", h->type);
    if (h->ehsize != ehsize)
        return FAIL("bad ELF header size %u (e_ehsize, expected %zu)", h->ehsize, ehsize);
    img->elf_class = elf_class;
    img->type = h->type;
    img->entry = h->entry;
    return 0;
}

/* The program header table lies in the file and has a sane size (gABI "Program Header"). */
static int check_phdr_table(struct elf_image *img, const struct raw_ehdr *h, char *err,
                            size_t errlen)
{
    size_t entsize = h->elf_class == 32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
    if (h->phnum == 0) return FAIL("no program headers (e_phnum 0)");
    /* PN_XNUM (0xffff) announces extended numbering; no image needs that many either. */
    if (h->phnum > ELF_MAX_PHNUM)
        return FAIL("too many program headers (%u, limit %u)", h->phnum, ELF_MAX_PHNUM);
    if (h->phentsize != entsize)
        return FAIL("bad program header size %u (e_phentsize, expected %zu)", h->phentsize,
                    entsize);
    if (!in_file(h->phoff, (uint64_t)h->phnum * entsize, img->size))
        return FAIL("program header table (offset 0x%llx, %u entries) lies outside the file "
                    "(%zu bytes)",
                    (ull)h->phoff, h->phnum, img->size);
    return 0;
}

/* The section header table lies in the file; returns its entry count in *shnum (gABI
 * "Sections": e_shnum 0 with e_shoff set means the count is in section 0's sh_size). */
static int check_shdr_table(struct elf_image *img, const struct raw_ehdr *h, uint64_t *shnum,
                            char *err, size_t errlen)
{
    size_t entsize = h->elf_class == 32 ? sizeof(Elf32_Shdr) : sizeof(Elf64_Shdr);
    *shnum = 0;
    if (h->shoff == 0) {
        if (h->shnum != 0)
            return FAIL("e_shnum is %u but there is no section header table (e_shoff 0)", h->shnum);
        return 0;
    }
    if (h->shentsize != entsize)
        return FAIL("bad section header size %u (e_shentsize, expected %zu)", h->shentsize,
                    entsize);
    if (!in_file(h->shoff, entsize, img->size))
        return FAIL("section header table (offset 0x%llx) lies outside the file (%zu bytes)",
                    (ull)h->shoff, img->size);
    uint64_t count = h->shnum;
    uint32_t link0;
    if (h->elf_class == 32) {
        Elf32_Shdr s;
        memcpy(&s, img->data + h->shoff, sizeof s);
        if (count == 0) count = le32toh(s.sh_size);
        link0 = le32toh(s.sh_link);
    } else {
        Elf64_Shdr s;
        memcpy(&s, img->data + h->shoff, sizeof s);
        if (count == 0) count = le64toh(s.sh_size);
        link0 = le32toh(s.sh_link);
    }
    if (count > ELF_MAX_SHNUM)
        return FAIL("too many section headers (%llu, limit %u)", (ull)count, ELF_MAX_SHNUM);
    if (!in_file(h->shoff, count * entsize, img->size))
        return FAIL("section header table (offset 0x%llx, %llu entries) lies outside the file "
                    "(%zu bytes)",
                    (ull)h->shoff, (ull)count, img->size);
    uint64_t shstrndx = h->shstrndx == SHN_XINDEX ? link0 : h->shstrndx;
    if (shstrndx != SHN_UNDEF && shstrndx >= count)
        return FAIL("section name table index %llu out of range (%llu sections)", (ull)shstrndx,
                    (ull)count);
    *shnum = count;
    return 0;
}

/* One PT_LOAD program header (gABI "Program Header", "Segment Contents"). */
static int check_load(struct elf_image *img, unsigned idx, const GElf_Phdr *ph, char *err,
                      size_t errlen)
{
    /* The end of the address space: segments may not wrap around it. */
    uint64_t top = img->elf_class == 32 ? 1ull << 32 : UINT64_MAX;

    if (ph->p_filesz && !in_file(ph->p_offset, ph->p_filesz, img->size))
        return FAIL("program header %u: file range 0x%llx+0x%llx extends past the end of the file "
                    "(%zu bytes)",
                    idx, (ull)ph->p_offset, (ull)ph->p_filesz, img->size);
    if (ph->p_memsz < ph->p_filesz)
        return FAIL("program header %u: p_memsz 0x%llx is smaller than p_filesz 0x%llx", idx,
                    (ull)ph->p_memsz, (ull)ph->p_filesz);
    if (ph->p_memsz > ELF_MAX_SEGMENT)
        return FAIL("program header %u: segment of 0x%llx bytes is too large (limit 4 GiB)", idx,
                    (ull)ph->p_memsz);
    if (ph->p_vaddr > top || ph->p_memsz > top - ph->p_vaddr)
        return FAIL("program header %u: virtual range 0x%llx+0x%llx wraps around the address space",
                    idx, (ull)ph->p_vaddr, (ull)ph->p_memsz);
    if (ph->p_paddr > top || ph->p_memsz > top - ph->p_paddr)
        return FAIL("program header %u: physical range 0x%llx+0x%llx wraps around the address "
                    "space",
                    idx, (ull)ph->p_paddr, (ull)ph->p_memsz);
    /* gABI: "Values 0 and 1 mean no alignment is required. Otherwise, p_align should be a
     * positive, integral power of 2". */
    if (ph->p_align & (ph->p_align - 1))
        return FAIL("program header %u: p_align 0x%llx is not a power of two", idx,
                    (ull)ph->p_align);
    return 0;
}

static int check_segments(struct elf_image *img, Elf *e, const struct raw_ehdr *h, char *err,
                          size_t errlen)
{
    unsigned phidx[ELF_MAX_PHNUM]; /* program header index of each segment, for messages */
    img->segments = calloc(h->phnum, sizeof *img->segments);
    if (!img->segments) return FAIL("out of memory");
    for (unsigned i = 0; i < h->phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, (int)i, &ph)) return FAIL("program header %u: %s", i, elf_errmsg(-1));
        if (ph.p_type != PT_LOAD) continue;
        if (check_load(img, i, &ph, err, errlen)) return -1;
        struct elf_segment *s = &img->segments[img->n_segments];
        s->offset = ph.p_offset;
        s->vaddr = ph.p_vaddr;
        s->paddr = ph.p_paddr;
        s->filesz = ph.p_filesz;
        s->memsz = ph.p_memsz;
        s->flags = ph.p_flags;
        phidx[img->n_segments++] = i;
    }
    if (img->n_segments == 0) return FAIL("no PT_LOAD segment");

    /* Segments are loaded by physical address and run at their virtual one: an overlap in either
     * would have one segment overwrite another. */
    for (size_t i = 0; i < img->n_segments; i++)
        for (size_t j = i + 1; j < img->n_segments; j++) {
            const struct elf_segment *a = &img->segments[i], *b = &img->segments[j];
            if (boot_ranges_overlap(a->paddr, a->memsz, b->paddr, b->memsz))
                return FAIL("program headers %u and %u overlap in physical memory "
                            "(0x%llx-0x%llx and 0x%llx-0x%llx)",
                            phidx[i], phidx[j], (ull)a->paddr, (ull)(a->paddr + a->memsz),
                            (ull)b->paddr, (ull)(b->paddr + b->memsz));
            if (boot_ranges_overlap(a->vaddr, a->memsz, b->vaddr, b->memsz))
                return FAIL("program headers %u and %u overlap in virtual memory "
                            "(0x%llx-0x%llx and 0x%llx-0x%llx)",
                            phidx[i], phidx[j], (ull)a->vaddr, (ull)(a->vaddr + a->memsz),
                            (ull)b->vaddr, (ull)(b->vaddr + b->memsz));
        }

    /* The entry point must be code that gets loaded. */
    int data_seg = -1;
    for (size_t i = 0; i < img->n_segments; i++) {
        const struct elf_segment *s = &img->segments[i];
        if (img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz) {
            if (s->flags & PF_X) return 0;
            data_seg = (int)phidx[i];
        }
    }
    if (data_seg >= 0)
        return FAIL("entry point 0x%llx lies in non-executable program header %d", (ull)img->entry,
                    data_seg);
    return FAIL("entry point 0x%llx is not inside any PT_LOAD segment", (ull)img->entry);
}

static int symbol_cmp(const void *pa, const void *pb)
{
    const struct elf_symbol *a = pa, *b = pb;
    if (a->value != b->value) return a->value < b->value ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* Section headers are used only for the symbol table (gABI "Symbol Table"); a file without one
 * is fine, a broken one is not. */
static int read_symbols(struct elf_image *img, Elf *e, uint64_t shnum, char *err, size_t errlen)
{
    size_t libelf_shnum;
    if (shnum == 0) return 0;
    if (elf_getshdrnum(e, &libelf_shnum) != 0 || libelf_shnum != shnum)
        return FAIL("bad section header table (%s)", elf_errmsg(-1));

    Elf_Scn *symscn = NULL;
    GElf_Shdr symsh = {0};
    for (size_t i = 1; i < shnum; i++) {
        Elf_Scn *scn = elf_getscn(e, i);
        GElf_Shdr sh;
        if (!scn || !gelf_getshdr(scn, &sh)) return FAIL("section %zu: %s", i, elf_errmsg(-1));
        if (sh.sh_type != SHT_NOBITS && !in_file(sh.sh_offset, sh.sh_size, img->size))
            return FAIL("section %zu: file range 0x%llx+0x%llx extends past the end of the file "
                        "(%zu bytes)",
                        i, (ull)sh.sh_offset, (ull)sh.sh_size, img->size);
        if (sh.sh_type == SHT_SYMTAB && !symscn) symscn = scn, symsh = sh;
    }
    if (!symscn) return 0;

    size_t symsize = img->elf_class == 32 ? sizeof(Elf32_Sym) : sizeof(Elf64_Sym);
    if (symsh.sh_entsize != symsize || symsh.sh_size % symsize)
        return FAIL("symbol table has bad entry size %llu or size %llu", (ull)symsh.sh_entsize,
                    (ull)symsh.sh_size);
    uint64_t nsyms = symsh.sh_size / symsize;
    if (nsyms > ELF_MAX_SYMBOLS)
        return FAIL("too many symbols (%llu, limit %u)", (ull)nsyms, ELF_MAX_SYMBOLS);
    if (symsh.sh_link == 0 || symsh.sh_link >= shnum)
        return FAIL("symbol table's string table index %u out of range", symsh.sh_link);
    GElf_Shdr strsh;
    if (!gelf_getshdr(elf_getscn(e, symsh.sh_link), &strsh))
        return FAIL("string table: %s", elf_errmsg(-1));
    if (strsh.sh_type != SHT_STRTAB)
        return FAIL("symbol table's section %u is not a string table", symsh.sh_link);
    if (!in_file(strsh.sh_offset, strsh.sh_size, img->size))
        return FAIL("string table (offset 0x%llx, size 0x%llx) lies outside the file",
                    (ull)strsh.sh_offset, (ull)strsh.sh_size);
    const char *strtab = (const char *)img->data + strsh.sh_offset;

    Elf_Data *data = elf_getdata(symscn, NULL);
    if (!data || data->d_size / symsize < nsyms)
        return FAIL("cannot read the symbol table (%s)", elf_errmsg(-1));
    img->symbols = calloc(nsyms ? nsyms : 1, sizeof *img->symbols);
    if (!img->symbols) return FAIL("out of memory");
    for (uint64_t k = 1; k < nsyms; k++) { /* entry 0 is the undefined symbol */
        GElf_Sym sym;
        if (!gelf_getsym(data, (int)k, &sym))
            return FAIL("symbol %llu: %s", (ull)k, elf_errmsg(-1));
        if (sym.st_name >= strsh.sh_size ||
            !memchr(strtab + sym.st_name, 0, strsh.sh_size - sym.st_name))
            return FAIL("symbol %llu: name offset %u lies outside the string table", (ull)k,
                        sym.st_name);
        unsigned type = GELF_ST_TYPE(sym.st_info);
        /* ".L" names are assembler-local temporaries (LLVM keeps .Lpcrel_hi* for RISC-V
         * relocations); they would only hide the real symbol in addresses shown as sym+off. */
        const char *nm = strtab + sym.st_name;
        if (nm[0] == 0 || (nm[0] == '.' && nm[1] == 'L') || sym.st_shndx == SHN_UNDEF ||
            (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE))
            continue;
        struct elf_symbol *out = &img->symbols[img->n_symbols++];
        out->name = (char *)strtab + sym.st_name; /* points into the private copy */
        out->value = sym.st_value;
        out->size = sym.st_size;
        out->type = (uint8_t)type;
    }
    qsort(img->symbols, img->n_symbols, sizeof *img->symbols, symbol_cmp);
    return 0;
}

static int parse(struct elf_image *img, char *err, size_t errlen)
{
    struct raw_ehdr h;
    uint64_t shnum;
    if (check_ident(img, &h, err, errlen) || check_phdr_table(img, &h, err, errlen) ||
        check_shdr_table(img, &h, &shnum, err, errlen))
        return -1;

    /* The raw tables are in bounds: from here libelf reads them. */
    if (elf_version(EV_CURRENT) == EV_NONE) return FAIL("libelf: %s", elf_errmsg(-1));
    Elf *e = elf_memory((char *)img->data, img->size);
    if (!e) return FAIL("libelf: %s", elf_errmsg(-1));
    size_t phnum;
    int rc = -1;
    if (elf_kind(e) != ELF_K_ELF || elf_getphdrnum(e, &phnum) != 0 || phnum != h.phnum)
        FAIL("libelf cannot read the program headers (%s)", elf_errmsg(-1));
    else if (check_segments(img, e, &h, err, errlen) == 0 &&
             read_symbols(img, e, shnum, err, errlen) == 0)
        rc = 0;
    elf_end(e);
    return rc;
}

/* Takes ownership of buf (malloc'd) and validates it into *img. */
static int open_owned(uint8_t *buf, size_t size, const char *name, struct elf_image *img, char *err,
                      size_t errlen)
{
    memset(img, 0, sizeof *img);
    img->data = buf;
    img->size = size;
    img->name = strdup(name ? name : "<memory>");
    if (!img->name) {
        elf_close(img);
        return loader_fail(err, errlen, name ? name : "<memory>", "out of memory");
    }
    if (parse(img, err, errlen) != 0) {
        elf_close(img);
        return -1;
    }
    return 0;
}

int elf_open_memory(const void *data, size_t size, const char *name, struct elf_image *image,
                    char *err, size_t errlen)
{
    const char *label = name ? name : "<memory>";
    memset(image, 0, sizeof *image);
    if (!data && size) return loader_fail(err, errlen, label, "no data");
    if (size > ELF_MAX_FILE)
        return loader_fail(err, errlen, label, "file too large (%zu bytes, limit 1 GiB)", size);
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) return loader_fail(err, errlen, label, "out of memory");
    if (size) memcpy(copy, data, size);
    return open_owned(copy, size, name, image, err, errlen);
}

int elf_open_file(const char *path, struct elf_image *image, char *err, size_t errlen)
{
    memset(image, 0, sizeof *image);
    /* O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a regular file. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return loader_fail(err, errlen, path, "%s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return loader_fail(err, errlen, path, "%s", strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return loader_fail(err, errlen, path, "%s", strerror(EISDIR));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return loader_fail(err, errlen, path, "not a regular file");
    }
    if ((uint64_t)st.st_size > ELF_MAX_FILE) {
        close(fd);
        return loader_fail(err, errlen, path, "file too large (%lld bytes, limit 1 GiB)",
                           (long long)st.st_size);
    }
    size_t cap = (size_t)st.st_size, size = 0;
    uint8_t *buf = malloc(cap ? cap : 1);
    if (!buf) {
        close(fd);
        return loader_fail(err, errlen, path, "out of memory");
    }
    /* Read what the file holds now; a file that shrank is validated at its new size. */
    while (size < cap) {
        ssize_t got = read(fd, buf + size, cap - size);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return loader_fail(err, errlen, path, "%s", strerror(e));
        }
        if (got == 0) break;
        size += (size_t)got;
    }
    close(fd);
    return open_owned(buf, size, path, image, err, errlen);
}

void elf_close(struct elf_image *image)
{
    if (!image) return;
    free(image->name);
    free(image->data);
    free(image->segments);
    free(image->symbols); /* names point into data */
    memset(image, 0, sizeof *image);
}

int elf_check_in_ram(const struct elf_image *img, const struct bus *bus, char *err, size_t errlen)
{
    uint64_t lo = bus->ram_base, hi = bus->ram_base + bus->ram_size;
    for (size_t i = 0; i < img->n_segments; i++) {
        const struct elf_segment *s = &img->segments[i];
        if (s->memsz == 0) continue;
        if (s->paddr < lo || s->paddr > hi || s->memsz > hi - s->paddr)
            return FAIL("segment %zu at 0x%llx-0x%llx lies outside guest RAM 0x%llx-0x%llx", i,
                        (ull)s->paddr, (ull)(s->paddr + s->memsz), (ull)lo, (ull)hi);
    }
    return 0;
}

void elf_paddr_range(const struct elf_image *img, uint64_t *lo, uint64_t *hi)
{
    *lo = UINT64_MAX;
    *hi = 0;
    for (size_t i = 0; i < img->n_segments; i++) {
        const struct elf_segment *s = &img->segments[i];
        if (s->memsz == 0) continue;
        if (s->paddr < *lo) *lo = s->paddr;
        if (s->paddr + s->memsz > *hi) *hi = s->paddr + s->memsz;
    }
    if (*lo > *hi) *lo = *hi;
}

uint64_t elf_entry_paddr(const struct elf_image *img)
{
    for (size_t i = 0; i < img->n_segments; i++) {
        const struct elf_segment *s = &img->segments[i];
        if ((s->flags & PF_X) && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
            return s->paddr + (img->entry - s->vaddr);
    }
    return img->entry; /* not reached for a validated image */
}

int elf_load(const struct elf_image *img, struct bus *bus, uint64_t *end, char *err, size_t errlen)
{
    if (!img->data || img->n_segments == 0)
        return loader_fail(err, errlen, img->name ? img->name : "<none>", "no image to load");
    /* Nothing is written unless every segment fits. */
    if (elf_check_in_ram(img, bus, err, errlen)) return -1;
    uint64_t top = 0;
    for (size_t i = 0; i < img->n_segments; i++) {
        const struct elf_segment *s = &img->segments[i];
        if (s->memsz == 0) continue;
        /* gABI "Program Header": bytes past p_filesz up to p_memsz are zero (.bss). */
        if (bus_copy_to_ram(bus, s->paddr, img->data + s->offset, s->filesz) ||
            bus_zero_ram(bus, s->paddr + s->filesz, s->memsz - s->filesz))
            return FAIL("segment %zu: cannot write guest RAM", i);
        if (s->paddr + s->memsz > top) top = s->paddr + s->memsz;
    }
    if (end) *end = top;
    return 0;
}

const struct elf_symbol *elf_find_symbol(const struct elf_image *img, const char *name)
{
    for (size_t i = 0; i < img->n_symbols; i++)
        if (strcmp(img->symbols[i].name, name) == 0) return &img->symbols[i];
    return NULL;
}

const struct elf_symbol *elf_symbol_at(const struct elf_image *img, uint64_t addr, uint64_t *offset)
{
    /* Binary search for the first symbol above addr; candidates are the symbols just below. */
    size_t lo = 0, hi = img->n_symbols;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (img->symbols[mid].value <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return NULL;
    /* Among the symbols at the closest value below, prefer one whose size covers addr (a function
     * over a label at the same address); else a size-0 label; a sized symbol that ends before addr
     * does not contain it. */
    uint64_t value = img->symbols[lo - 1].value;
    const struct elf_symbol *label = NULL;
    for (size_t i = lo; i > 0 && img->symbols[i - 1].value == value; i--) {
        const struct elf_symbol *s = &img->symbols[i - 1];
        if (s->size && addr - s->value < s->size) {
            label = s;
            break;
        }
        if (s->size == 0 && !label) label = s;
    }
    if (label && offset) *offset = addr - label->value;
    return label;
}
