/* x86 Multiboot v1 boot (Multiboot Specification 0.6.96), as QEMU's `-kernel K -initrd P` does it
 * for a Multiboot kernel (design.md "Platforms").
 *
 * Guest RAM layout (the PC's RAM starts at 0):
 *
 *   0x9000  .. 0x9080   the Multiboot information structure (3.3; 88 bytes used, the rest zero)
 *   0x9080  ..          the memory map (4 entries of 24 bytes), the module list (one 16-byte
 *                       entry), the boot loader name, the module string and the command line,
 *                       each 16-byte aligned; all of it must end below 0x9FC00, where the
 *                       reserved area (the EBDA on a PC) begins;
 *   the kernel          at its PT_LOAD p_paddr (usually 1 MiB, 0x100000);
 *   the module          (the user program) at the first page boundary after the kernel's highest
 *                       loaded byte (3.1.2 flags bit 0 asks for page alignment; we always align).
 *
 * A kernel that overlaps the information area, or RAM too small for kernel and module, is
 * refused before anything is written.
 *
 * Header flags (3.1.2): bit 0 (page-align modules) and bit 1 (memory information) are honoured;
 * bit 2 (video mode table) and the undefined requirement bits 3-15 make the boot fail, as the
 * specification demands of a loader that cannot satisfy them. Bit 16 (the "a.out kludge") is
 * honoured as QEMU and GRUB honour it: the header's address fields (3.1.3) then say where the
 * kernel's bytes go, and the ELF program headers are not used. Optional bits 17-31 are ignored.
 */
#include "loader/loader.h"
#include "loader/loader_internal.h"

#include <elf.h>
#include <endian.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MB_HEADER_MAGIC     0x1BADB002u /* 3.1.2 */
#define MB_BOOTLOADER_MAGIC 0x2BADB002u /* 3.2: EAX on entry */
#define MB_SEARCH_LIMIT     8192u       /* 3.1.1: the header lies in the first 8192 bytes */

#define MB_HDR_PAGE_ALIGN  (1u << 0)
#define MB_HDR_MEMORY_INFO (1u << 1)
#define MB_HDR_VIDEO_MODE  (1u << 2)
#define MB_HDR_AOUT_KLUDGE (1u << 16)

/* 3.3: flags of the information structure. */
#define MB_INFO_MEMORY  (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MODS    (1u << 3)
#define MB_INFO_MMAP    (1u << 6)
#define MB_INFO_LOADER  (1u << 9)

/* 3.3: byte offsets in the information structure. */
#define MBI_FLAGS            0
#define MBI_MEM_LOWER        4
#define MBI_MEM_UPPER        8
#define MBI_CMDLINE          16
#define MBI_MODS_COUNT       20
#define MBI_MODS_ADDR        24
#define MBI_MMAP_LENGTH      44
#define MBI_MMAP_ADDR        48
#define MBI_BOOT_LOADER_NAME 64
#define MBI_SIZE             0x80 /* 88 bytes up to vbe_interface_len; framebuffer_* zero too */

/* 3.3: a memory map entry is size (4, not counting itself), base_addr (8), length (8), type (4);
 * mmap_addr points at the size field. A module entry is mod_start, mod_end, string, reserved. */
#define MB_MMAP_ENTRY     24
#define MB_MMAP_AVAILABLE 1
#define MB_MMAP_RESERVED  2
#define MB_MOD_ENTRY      16

#define MB_INFO_ADDR  0x9000ull
#define MB_LOW_TOP    0x9FC00ull  /* 639 KiB of conventional memory, then the EBDA */
#define MB_BIOS_AREA  0xF0000ull  /* the system BIOS area, reserved up to 1 MiB */
#define MB_HIGH_START 0x100000ull /* 1 MiB */
#define MB_PAGE       0x1000ull

typedef unsigned long long ull;

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return le32toh(v);
}

static void put32(uint8_t *p, uint32_t v)
{
    v = htole32(v);
    memcpy(p, &v, sizeof v);
}

static void put64(uint8_t *p, uint64_t v)
{
    v = htole64(v);
    memcpy(p, &v, sizeof v);
}

/* 3.1.1/3.1.2: the first 32-bit aligned magic in the first 8192 bytes whose checksum works.
 * Returns the header's file offset, or -1 with a message. */
static long find_header(const struct elf_image *k, uint32_t *flags, char *err, size_t errlen)
{
    size_t limit = k->size < MB_SEARCH_LIMIT ? k->size : MB_SEARCH_LIMIT;
    long bad_checksum = -1;
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        if (get32(k->data + off) != MB_HEADER_MAGIC) continue;
        uint32_t f = get32(k->data + off + 4), sum = get32(k->data + off + 8);
        /* 3.1.2: magic + flags + checksum is zero as a 32-bit unsigned sum. */
        if ((uint32_t)(MB_HEADER_MAGIC + f + sum) != 0) {
            if (bad_checksum < 0) bad_checksum = (long)off;
            continue;
        }
        *flags = f;
        return (long)off;
    }
    if (bad_checksum >= 0)
        loader_fail(err, errlen, k->name,
                    "Multiboot header at file offset 0x%lx has a bad checksum",
                    (unsigned long)bad_checksum);
    else
        loader_fail(err, errlen, k->name,
                    "no Multiboot header (magic 0x1BADB002) in the first %u bytes",
                    MB_SEARCH_LIMIT);
    return -1;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* Where the kernel goes: from its ELF program headers, or from the header's address fields. */
struct mb_kernel {
    bool raw;          /* flags bit 16: load [file_off, file_off + load_size) at load_addr */
    uint64_t file_off; /* raw only */
    uint64_t load_addr, load_size, bss_end;
    uint64_t lo, hi; /* everything the kernel occupies, .bss included */
    uint64_t entry;
};

/* 3.1.3: header_addr is where the magic lands; load_addr (<= header_addr) is where the file byte at
 * hoff - (header_addr - load_addr) lands; load_end_addr 0 means "to the end of the file";
 * bss_end_addr 0 means no .bss; entry_addr is where the kernel starts. */
static int aout_kludge(const struct elf_image *k, size_t hoff, struct mb_kernel *out, char *err,
                       size_t errlen)
{
    if (hoff + 32 > k->size || hoff + 32 > MB_SEARCH_LIMIT)
        return loader_fail(err, errlen, k->name,
                           "Multiboot header flags bit 16 is set but the address fields are not "
                           "within the first %u bytes of the file",
                           MB_SEARCH_LIMIT);
    const uint8_t *h = k->data + hoff;
    uint32_t header_addr = get32(h + 12), load_addr = get32(h + 16);
    uint32_t load_end_addr = get32(h + 20), bss_end_addr = get32(h + 24);
    uint32_t entry_addr = get32(h + 28);
    if (load_addr > header_addr || header_addr - load_addr > hoff)
        return loader_fail(err, errlen, k->name,
                           "Multiboot load_addr 0x%x does not fit header_addr 0x%x (header at file "
                           "offset 0x%zx)",
                           load_addr, header_addr, hoff);
    uint64_t file_off = hoff - (header_addr - load_addr);
    uint64_t size = load_end_addr ? (uint64_t)load_end_addr - load_addr : k->size - file_off;
    if (load_end_addr && load_end_addr < load_addr)
        return loader_fail(err, errlen, k->name,
                           "Multiboot load_end_addr 0x%x is below load_addr 0x%x", load_end_addr,
                           load_addr);
    if (size > k->size - file_off)
        return loader_fail(
            err, errlen, k->name,
            "Multiboot load range 0x%x-0x%llx needs file bytes past the end of the file", load_addr,
            (ull)(load_addr + size));
    uint64_t end = load_addr + size;
    if (bss_end_addr && bss_end_addr < end)
        return loader_fail(err, errlen, k->name, "Multiboot bss_end_addr 0x%x is below 0x%llx",
                           bss_end_addr, (ull)end);
    uint64_t top = bss_end_addr ? bss_end_addr : end;
    if (entry_addr < load_addr || entry_addr >= end)
        return loader_fail(err, errlen, k->name,
                           "Multiboot entry_addr 0x%x is outside the loaded range 0x%x-0x%llx",
                           entry_addr, load_addr, (ull)end);
    *out = (struct mb_kernel){true, file_off, load_addr, size, top, load_addr, top, entry_addr};
    return 0;
}

int boot_multiboot(struct machine *m, const struct elf_image *kernel,
                   const struct boot_params *params, struct boot_state *state, char *err,
                   size_t errlen)
{
    static const struct boot_params none = {0};
    static const char loader_name[] = "ringside";
    const char *name = kernel->name;
    struct bus *bus = &m->bus;
    if (!params) params = &none;

    /* design.md "Platforms": a 64-bit kernel comes as an ELF32 EM_386 container, as QEMU's
     * Multiboot loader accepts only ELF32. */
    if (kernel->arch != ARCH_I386 || kernel->elf_class != 32)
        return loader_fail(err, errlen, name,
                           "a Multiboot kernel must be ELF32 EM_386 (this is %s)",
                           mach_arch_name(kernel->arch));
    if (m->arch != ARCH_I386 && m->arch != ARCH_X86_64)
        return loader_fail(err, errlen, name, "the machine is %s, not x86",
                           mach_arch_name(m->arch));
    if (params->initrd_size && !params->initrd)
        return loader_fail(err, errlen, name, "module has a size but no data");

    uint32_t hflags = 0;
    long hoff = find_header(kernel, &hflags, err, errlen);
    if (hoff < 0) return -1;
    if (hflags & MB_HDR_VIDEO_MODE)
        return loader_fail(err, errlen, name,
                           "kernel requires video mode information (Multiboot header flags bit 2), "
                           "which ringside does not provide");
    if (hflags & 0xFFF8u)
        return loader_fail(
            err, errlen, name,
            "kernel requires unknown Multiboot features (header flags 0x%x, bits 3-15)",
            hflags & 0xFFF8u);
    uint64_t ram_end = bus->ram_base + bus->ram_size;
    if (bus->ram_base != 0 || ram_end <= MB_HIGH_START)
        return loader_fail(err, errlen, name,
                           "Multiboot needs guest RAM from 0 to above 1 MiB (RAM is 0x%llx-0x%llx)",
                           (ull)bus->ram_base, (ull)ram_end);
    struct mb_kernel kern;
    if (hflags & MB_HDR_AOUT_KLUDGE) {
        if (aout_kludge(kernel, (size_t)hoff, &kern, err, errlen)) return -1;
        if (kern.hi > ram_end)
            return loader_fail(
                err, errlen, name,
                "kernel at 0x%llx-0x%llx (Multiboot address fields) lies outside guest "
                "RAM 0x%llx-0x%llx",
                (ull)kern.lo, (ull)kern.hi, (ull)bus->ram_base, (ull)ram_end);
    } else {
        if (elf_check_in_ram(kernel, bus, err, errlen)) return -1;
        memset(&kern, 0, sizeof kern);
        elf_paddr_range(kernel, &kern.lo, &kern.hi);
        kern.entry = elf_entry_paddr(kernel);
    }

    /* The low-memory area: information structure, then the variable parts. */
    const char *cmdline = params->cmdline ? params->cmdline : "";
    const char *modname = params->initrd_name ? params->initrd_name : "";
    size_t cmdlen = strlen(cmdline) + 1, modlen = strlen(modname) + 1;
    uint64_t mmap_at = MB_INFO_ADDR + MBI_SIZE;
    uint64_t mods_at = mmap_at + 4 * MB_MMAP_ENTRY;
    uint64_t loader_at = align_up(mods_at + MB_MOD_ENTRY, 16);
    uint64_t modname_at = align_up(loader_at + sizeof loader_name, 16);
    uint64_t cmdline_at = align_up(modname_at + modlen, 16);
    uint64_t info_end = cmdline_at + cmdlen;
    if (modlen > MB_LOW_TOP || cmdlen > MB_LOW_TOP || info_end > MB_LOW_TOP)
        return loader_fail(err, errlen, name,
                           "command line and module name (%zu bytes) do not fit below 0x%llx",
                           cmdlen + modlen, (ull)MB_LOW_TOP);

    uint64_t klo = kern.lo, khi = kern.hi;
    if (boot_ranges_overlap(klo, khi - klo, MB_INFO_ADDR, info_end - MB_INFO_ADDR))
        return loader_fail(
            err, errlen, name,
            "kernel (0x%llx-0x%llx) overlaps the Multiboot information at 0x%llx-0x%llx", (ull)klo,
            (ull)khi, (ull)MB_INFO_ADDR, (ull)info_end);
    uint64_t mod_start = align_up(khi, MB_PAGE), mod_end = mod_start + params->initrd_size;
    bool has_module = params->initrd_size != 0;
    if (has_module) {
        uint64_t limit = ram_end < (1ull << 32) ? ram_end : 1ull << 32;
        if (params->initrd_size > limit || mod_start > limit - params->initrd_size)
            return loader_fail(
                err, errlen, name,
                "guest RAM (0x%llx bytes) is too small for the kernel (0x%llx-0x%llx) and "
                "a module of %zu bytes",
                (ull)bus->ram_size, (ull)klo, (ull)khi, params->initrd_size);
        if (boot_ranges_overlap(mod_start, params->initrd_size, MB_INFO_ADDR,
                                info_end - MB_INFO_ADDR))
            return loader_fail(err, errlen, name,
                               "module (0x%llx-0x%llx) would overlap the Multiboot information at "
                               "0x%llx-0x%llx",
                               (ull)mod_start, (ull)mod_end, (ull)MB_INFO_ADDR, (ull)info_end);
    }

    /* Build the whole area in host memory, then write it once. */
    size_t area = (size_t)(info_end - MB_INFO_ADDR);
    uint8_t *blk = calloc(1, area);
    if (!blk) return loader_fail(err, errlen, name, "out of memory");
    uint8_t *info = blk;
#define AT(addr) (blk + ((addr)-MB_INFO_ADDR))
    put32(info + MBI_FLAGS,
          MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_MMAP | MB_INFO_LOADER);
    /* 3.3: mem_lower and mem_upper in KiB; upper memory starts at 1 MiB and runs to the first
     * hole, here the end of RAM. */
    uint64_t upper_kib = (ram_end - MB_HIGH_START) / 1024;
    put32(info + MBI_MEM_LOWER, (uint32_t)(MB_LOW_TOP / 1024));
    put32(info + MBI_MEM_UPPER, upper_kib > UINT32_MAX ? UINT32_MAX : (uint32_t)upper_kib);
    put32(info + MBI_CMDLINE, (uint32_t)cmdline_at);
    memcpy(AT(cmdline_at), cmdline, cmdlen);
    put32(info + MBI_MODS_COUNT, has_module ? 1 : 0);
    put32(info + MBI_MODS_ADDR, (uint32_t)mods_at);
    if (has_module) {
        put32(AT(mods_at) + 0, (uint32_t)mod_start);
        put32(AT(mods_at) + 4, (uint32_t)mod_end);
        put32(AT(mods_at) + 8, (uint32_t)modname_at);
    }
    memcpy(AT(modname_at), modname, modlen);
    const struct {
        uint64_t base, length;
        uint32_t type;
    } map[4] = {
        {0, MB_LOW_TOP, MB_MMAP_AVAILABLE},
        {MB_LOW_TOP, 0xA0000 - MB_LOW_TOP, MB_MMAP_RESERVED},
        {MB_BIOS_AREA, MB_HIGH_START - MB_BIOS_AREA, MB_MMAP_RESERVED},
        {MB_HIGH_START, ram_end - MB_HIGH_START, MB_MMAP_AVAILABLE},
    };
    for (unsigned i = 0; i < 4; i++) {
        uint8_t *e = AT(mmap_at) + i * MB_MMAP_ENTRY;
        put32(e + 0, MB_MMAP_ENTRY - 4);
        put64(e + 4, map[i].base);
        put64(e + 12, map[i].length);
        put32(e + 20, map[i].type);
    }
    put32(info + MBI_MMAP_LENGTH, 4 * MB_MMAP_ENTRY);
    put32(info + MBI_MMAP_ADDR, (uint32_t)mmap_at);
    memcpy(AT(loader_at), loader_name, sizeof loader_name);
    put32(info + MBI_BOOT_LOADER_NAME, (uint32_t)loader_at);
#undef AT

    /* Everything is checked: write the kernel, the module and the information. */
    if (kern.raw) {
        if (bus_copy_to_ram(bus, kern.load_addr, kernel->data + kern.file_off, kern.load_size) ||
            bus_zero_ram(bus, kern.load_addr + kern.load_size,
                         kern.bss_end - kern.load_addr - kern.load_size)) {
            free(blk);
            return loader_fail(err, errlen, name, "cannot write guest RAM");
        }
    } else if (elf_load(kernel, bus, NULL, err, errlen)) {
        free(blk);
        return -1;
    }
    if ((has_module && bus_copy_to_ram(bus, mod_start, params->initrd, params->initrd_size)) ||
        bus_copy_to_ram(bus, MB_INFO_ADDR, blk, area)) {
        free(blk);
        return loader_fail(err, errlen, name, "cannot write guest RAM");
    }
    free(blk);

    /* 3.2: EAX = 0x2BADB002, EBX = the physical address of the information structure. */
    state->entry = kern.entry;
    state->arg0 = MB_BOOTLOADER_MAGIC;
    state->arg1 = MB_INFO_ADDR;
    return 0;
}
