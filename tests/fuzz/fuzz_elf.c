/* Fuzz target: arbitrary bytes as an ELF file through the loader, as `ringside run` and
 * `ringside run --kernel` take one: validation (elf_open_memory), loading into the guest RAM of
 * its platform, and the symbol lookups. A malformed file must be refused with a message, never
 * crash the host or write outside guest RAM. */
#include "fuzz.h"

#include "loader/loader.h"
#include "machine/platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elf_image image;
    char err[256];
    if (elf_open_memory(data, size, "fuzz", &image, err, sizeof err) < 0) return 0;
    static struct machine m;
    struct platform p;
    struct dev_console console = {.in_fd = -1};
    if (platform_create(&m, &p, image.arch, PLATFORM_MIN_RAM, &console, err, sizeof err) == 0) {
        uint64_t end = 0;
        if (elf_load(&image, &m.bus, &end, err, sizeof err) == 0) {
            (void)elf_find_symbol(&image, "_start");
            uint64_t offset;
            (void)elf_symbol_at(&image, image.entry, &offset);
        }
        machine_destroy(&m);
    }
    elf_close(&image);
    return 0;
}
