/* Helpers shared by the files of the loader part (elf.c, boot_riscv.c, boot_multiboot.c); not part
 * of the loader's face (loader.h). */
#ifndef RINGSIDE_LOADER_LOADER_INTERNAL_H
#define RINGSIDE_LOADER_LOADER_INTERNAL_H

#include "loader/loader.h"

/* Writes "NAME: message" to err (name NULL: "kernel") and returns -1: every loader error is one
 * line that names the file. */
int loader_fail(char *err, size_t errlen, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Checks that every non-empty PT_LOAD segment lies wholly in guest RAM; writes nothing. */
int elf_check_in_ram(const struct elf_image *image, const struct bus *bus, char *err,
                     size_t errlen);

/* [*lo, *hi): the physical range spanned by the non-empty PT_LOAD segments. */
void elf_paddr_range(const struct elf_image *image, uint64_t *lo, uint64_t *hi);

/* The entry point as a physical address: segments are loaded at p_paddr and both platforms start
 * their kernel with address translation off, so e_entry (a virtual address) is moved by the
 * p_paddr - p_vaddr of the executable segment that contains it. */
uint64_t elf_entry_paddr(const struct elf_image *image);

/* [a, a + alen) and [b, b + blen) intersect (empty ranges intersect nothing). */
static inline bool boot_ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

#endif
