/* The loader: validates ELF images (libelf), loads them into guest RAM, extracts their symbols,
 * and builds the boot information each platform hands its kernel (a flattened device tree for
 * RISC-V, a Multiboot v1 information block for x86). Nothing is written to guest memory before
 * the whole image has been validated. */
#ifndef RINGSIDE_LOADER_LOADER_H
#define RINGSIDE_LOADER_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/machine.h"

struct elf_segment { /* one PT_LOAD program header */
    uint64_t offset; /* in the file */
    uint64_t vaddr, paddr;
    uint64_t filesz, memsz;
    uint32_t flags; /* PF_R | PF_W | PF_X */
};

struct elf_symbol {
    char *name;
    uint64_t value, size;
    uint8_t type; /* STT_FUNC, STT_OBJECT, ... */
};

struct elf_image {
    char *name;    /* file name, for messages */
    uint8_t *data; /* a private copy of the file */
    size_t size;
    enum mach_arch arch; /* from e_machine (EM_RISCV, EM_386, EM_X86_64) and class */
    unsigned elf_class;  /* 32 or 64 */
    uint16_t type;       /* ET_EXEC or ET_DYN */
    uint64_t entry;
    struct elf_segment *segments;
    size_t n_segments;
    struct elf_symbol *symbols; /* sorted by value */
    size_t n_symbols;
};

/* Reads and validates an ELF file: magic, class and data encoding for the machine, header sizes,
 * program headers and segments inside the file, memsz >= filesz, no overlapping segments, entry
 * inside an executable segment, sane counts and sizes. On failure returns -1 and writes one line
 * to err, naming the file ("prog: not an ELF file (bad magic)"). */
int elf_open_file(const char *path, struct elf_image *image, char *err, size_t errlen);
int elf_open_memory(const void *data, size_t size, const char *name, struct elf_image *image,
                    char *err, size_t errlen);
void elf_close(struct elf_image *image);

/* Loads every PT_LOAD segment at its physical address (p_paddr, as QEMU's -kernel and Multiboot
 * loaders do), zeroing memsz - filesz. Checks first that each segment lies in RAM; returns -1 with
 * a message otherwise. *end receives the highest byte loaded + 1. */
int elf_load(const struct elf_image *image, struct bus *bus, uint64_t *end, char *err,
             size_t errlen);

const struct elf_symbol *elf_find_symbol(const struct elf_image *image, const char *name);
/* The symbol containing addr (value <= addr < value + size, or the closest below for size 0). */
const struct elf_symbol *elf_symbol_at(const struct elf_image *image, uint64_t addr,
                                       uint64_t *offset);

/* What the kernel is handed besides its own image. */
struct boot_params {
    const char *cmdline;   /* kernel command line (bootargs / Multiboot cmdline) */
    const uint8_t *initrd; /* the user program: initrd (RISC-V) or Multiboot module (x86) */
    size_t initrd_size;
    const char *initrd_name;
};

/* RISC-V virt: loads the kernel, places the initrd and a device tree (memory, cpus with
 * timebase-frequency, the UART, the CLINT, the test finisher, /chosen bootargs and
 * linux,initrd-start/end) near the top of RAM, and fills *state. */
int boot_riscv_virt(struct machine *m, const struct elf_image *kernel,
                    const struct boot_params *params, struct boot_state *state, char *err,
                    size_t errlen);

/* x86 Multiboot v1: checks the kernel's Multiboot header (magic 0x1BADB002, checksum, flags we
 * can honour), loads it, places the module and an information block (mem_lower/upper, cmdline,
 * mods, mmap) in low memory, and fills *state (EAX = 0x2BADB002, EBX = the block). */
int boot_multiboot(struct machine *m, const struct elf_image *kernel,
                   const struct boot_params *params, struct boot_state *state, char *err,
                   size_t errlen);

/* Images built with the project and embedded in the binary (cmake/guest.cmake). */
struct embedded_image {
    const char *name;
    const char *arch; /* "riscv64", "i386", "x86_64" */
    const char *role; /* "kernel", "test" (bare metal) or "demo" (a user program) */
    const unsigned char *start, *end;
};
extern const struct embedded_image embedded_images[];
extern const unsigned embedded_image_count;

#endif
