/* exec: checks the user program (an ELF executable handed over by the boot loader as initrd or
 * module), maps its segments into a fresh address space and builds the initial stack the Linux ABI
 * promises a static executable (System V ABI, "Process Initialization"; Linux fs/binfmt_elf.c
 * create_elf_tables): from the stack pointer up, argc, argv[0..argc-1], NULL, envp (empty), NULL,
 * the auxiliary vector as (type, value) pairs ending with AT_NULL, then the argument strings and
 * the 16 AT_RANDOM bytes. The stack pointer is 16-byte aligned. ELF32 programs (i386) get the same
 * vectors in 4-byte words; x86 programs also get AT_SYSINFO, the vsyscall page's entry. Nothing is
 * mapped before the whole file has been checked. Called once by the architecture's boot code. */
#include "kernel.h"

/* ELF-64 Object File Format, version 1.5, and the System V ABI's ELF-32 (the i386 psABI uses it):
 * the file header and program header of each class. exec reads either into struct elf_hdr and
 * struct elf_phdr, whose fields are wide enough for both. */
struct elf64_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
struct elf32_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf32_phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");
_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF32 header is 52 bytes");
_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF32 program header is 32 bytes");

struct elf_hdr {
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff;
    uint16_t phentsize, phnum;
};
struct elf_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz;
};

#define ET_EXEC    2
#define PT_LOAD    1
#define PT_DYNAMIC 2
#define PT_INTERP  3
#define PF_X       1
#define PF_W       2
#define PF_R       4
#define MAX_PHDRS  32

/* Auxiliary vector entry types (include/uapi/linux/auxvec.h). */
#define AT_NULL    0
#define AT_PHDR    3
#define AT_PHENT   4
#define AT_PHNUM   5
#define AT_PAGESZ  6
#define AT_ENTRY   9
#define AT_UID     11
#define AT_EUID    12
#define AT_GID     13
#define AT_EGID    14
#define AT_CLKTCK  17
#define AT_SECURE  23
#define AT_RANDOM  25
#define AT_EXECFN  31
#define AT_SYSINFO 32

/* Copies into p's pages whatever their permissions (the loader fills read-only text). */
static int load_bytes(struct proc *p, uint64_t va, const void *src, uint64_t n)
{
    const uint8_t *s = src;
    while (n) {
        uint8_t *kp = arch_user_ptr(p, va, UA_LOAD);
        if (!kp) return -EFAULT;
        uint64_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        if (chunk > n) chunk = n;
        memcpy(kp, s, chunk);
        s += chunk, va += chunk, n -= chunk;
    }
    return 0;
}

/* The file header in either class, as struct elf_hdr. */
static int read_ehdr(const struct exec_abi *abi, const uint8_t *image, uint64_t size,
                     struct elf_hdr *eh, const char **why)
{
    static char msg[80];
    if (size < 16 || image[0] != 0x7f || image[1] != 'E' || image[2] != 'L' || image[3] != 'F')
        return *why = "not an ELF file (bad magic)", -ENOEXEC;
    if (image[4] != abi->elf_class)
        return *why = abi->elf_class == 2 ? "not a 64-bit ELF file" : "not a 32-bit ELF file",
               -ENOEXEC;
    if (abi->elf_class == 2) {
        struct elf64_ehdr e;
        if (size < sizeof e) return *why = "not an ELF file (bad magic)", -ENOEXEC;
        memcpy(&e, image, sizeof e);
        *eh =
            (struct elf_hdr){e.type, e.machine, e.version, e.entry, e.phoff, e.phentsize, e.phnum};
    } else {
        struct elf32_ehdr e;
        if (size < sizeof e) return *why = "not an ELF file (bad magic)", -ENOEXEC;
        memcpy(&e, image, sizeof e);
        *eh =
            (struct elf_hdr){e.type, e.machine, e.version, e.entry, e.phoff, e.phentsize, e.phnum};
    }
    if (image[5] != 1) return *why = "not a little-endian ELF file", -ENOEXEC;
    if (image[6] != 1 || eh->version != 1) return *why = "unknown ELF version", -ENOEXEC;
    if (eh->machine != abi->machine) {
        ksnprintf(msg, sizeof msg, "not an executable for %s (e_machine)", abi->arch);
        return *why = msg, -ENOEXEC;
    }
    return 0;
}

static uint64_t phent_size(const struct exec_abi *abi)
{
    return abi->elf_class == 2 ? sizeof(struct elf64_phdr) : sizeof(struct elf32_phdr);
}

/* Checks the file; fills ph[0..eh->phnum) with its program headers. */
static int check_elf(const struct exec_abi *abi, const uint8_t *image, uint64_t size,
                     struct elf_hdr *eh, struct elf_phdr *ph, const char **why)
{
    int rc = read_ehdr(abi, image, size, eh, why);
    if (rc < 0) return rc;
    uint64_t phsize = phent_size(abi);
    if (eh->type != ET_EXEC)
        return *why = "not a static executable (e_type is not ET_EXEC)", -ENOEXEC;
    if (eh->phentsize != phsize || eh->phnum == 0 || eh->phnum > MAX_PHDRS)
        return *why = "bad program header table (e_phentsize, e_phnum)", -ENOEXEC;
    if (eh->phoff > size || (uint64_t)eh->phnum * phsize > size - eh->phoff)
        return *why = "program header table outside the file", -ENOEXEC;
    for (int i = 0; i < eh->phnum; i++) {
        const uint8_t *at = image + eh->phoff + (uint64_t)i * phsize;
        if (abi->elf_class == 2) {
            struct elf64_phdr h;
            memcpy(&h, at, sizeof h);
            ph[i] = (struct elf_phdr){h.type, h.flags, h.offset, h.vaddr, h.filesz, h.memsz};
        } else {
            struct elf32_phdr h;
            memcpy(&h, at, sizeof h);
            ph[i] = (struct elf_phdr){h.type, h.flags, h.offset, h.vaddr, h.filesz, h.memsz};
        }
    }

    bool entry_ok = false;
    int loads = 0;
    for (int i = 0; i < eh->phnum; i++) {
        const struct elf_phdr *s = &ph[i];
        if (s->type == PT_INTERP || s->type == PT_DYNAMIC)
            return *why = "dynamically linked (PT_INTERP/PT_DYNAMIC): only static programs run",
                   -ENOEXEC;
        if (s->type != PT_LOAD || s->memsz == 0) continue;
        loads++;
        if (s->filesz > s->memsz) return *why = "segment with p_filesz > p_memsz", -ENOEXEC;
        if (s->offset > size || s->filesz > size - s->offset)
            return *why = "segment outside the file", -ENOEXEC;
        /* inside the user part of the address space, below the stack, so that no segment can
         * reach the trapframe, the trampoline or the kernel */
        if (s->vaddr < abi->user_min || s->vaddr >= abi->load_end ||
            s->memsz > abi->load_end - s->vaddr)
            return *why = "segment outside the user address space", -ENOEXEC;
        for (int j = 0; j < i; j++)
            if (ph[j].type == PT_LOAD && ph[j].memsz && s->vaddr < ph[j].vaddr + ph[j].memsz &&
                ph[j].vaddr < s->vaddr + s->memsz)
                return *why = "overlapping segments", -ENOEXEC;
        if ((s->flags & PF_X) && eh->entry >= s->vaddr && eh->entry < s->vaddr + s->memsz)
            entry_ok = true;
    }
    if (!loads) return *why = "no PT_LOAD segment", -ENOEXEC;
    if (!entry_ok) return *why = "entry point outside every executable segment", -ENOEXEC;
    return 0;
}

/* A splitmix64 step: the AT_RANDOM bytes only need to differ between runs a little. */
static uint64_t mix(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void exec_default_abi(struct exec_abi *abi)
{
#ifndef ELF_CLASS
#define ELF_CLASS 2
#endif
    *abi = (struct exec_abi){ELF_CLASS,     ELF_MACHINE,    ARCH_NAME,       USER_MIN_VA,
                             USER_LOAD_END, USER_STACK_TOP, USER_STACK_SIZE, 0};
}

int exec_image(struct proc *p, const uint8_t *image, uint64_t size, int argc, char *const argv[],
               const char **why)
{
    struct exec_abi abi;
    exec_default_abi(&abi);
    return exec_image_abi(&abi, p, image, size, argc, argv, why);
}

int exec_image_abi(const struct exec_abi *abi, struct proc *p, const uint8_t *image, uint64_t size,
                   int argc, char *const argv[], const char **why)
{
    struct elf_hdr eh;
    struct elf_phdr ph[MAX_PHDRS];
    int rc = check_elf(abi, image, size, &eh, ph, why);
    if (rc < 0) return rc;
    if (argc < 0 || argc > MAX_ARGS) return *why = "too many arguments", -E2BIG;
    uint64_t phsize = phent_size(abi), wsize = abi->elf_class == 2 ? 8 : 4;

    /* Map and fill the segments; memsz beyond filesz stays zero (bss). */
    uint64_t end = 0, phdr_va = 0;
    for (int i = 0; i < eh.phnum; i++) {
        const struct elf_phdr *s = &ph[i];
        if (s->type != PT_LOAD || s->memsz == 0) continue;
        int prot =
            PROT_READ | (s->flags & PF_W ? PROT_WRITE : 0) | (s->flags & PF_X ? PROT_EXEC : 0);
        uint64_t lo = PAGE_ROUND_DOWN(s->vaddr), hi = PAGE_ROUND_UP(s->vaddr + s->memsz);
        if (arch_user_map(p, lo, hi - lo, prot) < 0)
            return *why = "out of memory loading the program", -ENOMEM;
        if (load_bytes(p, s->vaddr, image + s->offset, s->filesz) < 0)
            return *why = "cannot fill a segment", -EFAULT;
        if (hi > end) end = hi;
        /* AT_PHDR: where the program headers are in memory, if a segment carries them */
        if (eh.phoff >= s->offset && eh.phoff + eh.phnum * phsize <= s->offset + s->filesz)
            phdr_va = s->vaddr + (eh.phoff - s->offset);
    }
    p->entry = eh.entry;
    p->brk_start = p->brk = p->brk_mapped = end;
    p->brk_limit = abi->load_end;

    /* The stack: strings and random bytes at the top, then the vectors below them. */
    uint64_t stack_lo = abi->stack_top - abi->stack_size;
    if (arch_user_map(p, stack_lo, abi->stack_size, PROT_READ | PROT_WRITE) < 0)
        return *why = "out of memory for the stack", -ENOMEM;
    uint64_t sp = abi->stack_top;
    uint64_t argv_va[MAX_ARGS];
    for (int i = argc - 1; i >= 0; i--) {
        uint64_t n = strlen(argv[i]) + 1;
        sp -= n;
        if (sp < stack_lo + PAGE_SIZE) return *why = "arguments too long", -E2BIG;
        load_bytes(p, sp, argv[i], n);
        argv_va[i] = sp;
    }
    uint64_t seed = arch_clock_ticks() ^ (uint64_t)size, random[2] = {mix(&seed), mix(&seed)};
    sp = (sp - sizeof random) & ~(uint64_t)7;
    load_bytes(p, sp, random, sizeof random);
    uint64_t random_va = sp;

    uint64_t words[1 + MAX_ARGS + 1 + 1 + 2 * 17];
    int n = 0;
    words[n++] = (uint64_t)argc;
    for (int i = 0; i < argc; i++)
        words[n++] = argv_va[i];
    words[n++] = 0; /* end of argv */
    words[n++] = 0; /* envp: empty */
#define AUX(type, value) (words[n++] = (type), words[n++] = (value))
    AUX(AT_PHDR, phdr_va);
    AUX(AT_PHENT, phsize);
    AUX(AT_PHNUM, eh.phnum);
    AUX(AT_PAGESZ, PAGE_SIZE);
    AUX(AT_ENTRY, eh.entry);
    AUX(AT_UID, 0);
    AUX(AT_EUID, 0);
    AUX(AT_GID, 0);
    AUX(AT_EGID, 0);
    AUX(AT_CLKTCK, 100);
    AUX(AT_SECURE, 0);
    AUX(AT_RANDOM, random_va);
    AUX(AT_EXECFN, argc ? argv_va[0] : 0);
    if (abi->sysinfo) AUX(AT_SYSINFO, abi->sysinfo); /* x86: the vsyscall page's entry */
    AUX(AT_NULL, 0);
#undef AUX
    sp = (sp - (uint64_t)n * wsize) & ~(uint64_t)15; /* the ABI wants sp 16-byte aligned */
    if (wsize == 8) {
        load_bytes(p, sp, words, (uint64_t)n * 8);
    } else { /* ELF32: the same vectors in 4-byte words */
        uint32_t w32[sizeof words / sizeof words[0]];
        for (int i = 0; i < n; i++)
            w32[i] = (uint32_t)words[i];
        load_bytes(p, sp, w32, (uint64_t)n * 4);
    }
    p->sp = sp;
    p->name = argc ? argv[0] : "init";
    return 0;
}
