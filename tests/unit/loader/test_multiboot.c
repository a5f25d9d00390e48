/* x86 Multiboot v1 boot (src/loader/boot_multiboot.c) against the Multiboot Specification 0.6.96:
 * 3.1.1-3.1.2 (the header: where it is, magic, flags, checksum), 3.2 (machine state: EAX, EBX)
 * and 3.3 (the boot information structure, byte by byte). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "loader/helpers.h"
#include "loader/loader.h"
#include "machine/platform.h"

#define MIB      (1ull << 20)
#define INFO     0x9000u
#define MB_MAGIC 0x1BADB002u

struct booted {
    struct machine m;
    uint8_t *seg0;
    struct tb_image img;
    struct elf_image kernel;
    struct boot_state state;
};

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
} /* little-endian host */

/* An i386 kernel whose text segment holds a Multiboot header at segment offset at. */
static void make_kernel(struct booted *b, struct tb_spec *spec, size_t at, uint32_t flags,
                        uint32_t checksum_delta, const uint32_t *aout)
{
    char err[256];
    size_t size = spec->segs[0].filesz;
    b->seg0 = calloc(1, size);
    for (size_t i = 0; i < size; i++)
        b->seg0[i] = (uint8_t)(0x90 + i % 3);
    if (at + 12 <= size) {
        put32(b->seg0 + at, MB_MAGIC);
        put32(b->seg0 + at + 4, flags);
        put32(b->seg0 + at + 8, (uint32_t)(0u - MB_MAGIC - flags) + checksum_delta);
    }
    /* 3.1.3 address fields: header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr. */
    for (unsigned i = 0; aout && i < 5 && at + 16 + 4 * i <= size; i++)
        put32(b->seg0 + at + 12 + 4 * i, aout[i]);
    spec->segs[0].bytes = b->seg0;
    tb_build(spec, &b->img);
    if (elf_open_memory(b->img.data, b->img.size, "kernel.elf", &b->kernel, err, sizeof err))
        fail_msg("%s", err);
}

static int boot_with(struct booted *b, struct tb_spec *spec, size_t at, uint32_t flags,
                     uint32_t delta, uint64_t ram_size, const struct boot_params *params, char *err,
                     size_t errlen)
{
    memset(b, 0, sizeof *b);
    assert_int_equal(machine_init(&b->m, ARCH_I386, 0, ram_size, err, errlen), 0);
    make_kernel(b, spec, at, flags, delta, NULL);
    return boot_multiboot(&b->m, &b->kernel, params, &b->state, err, errlen);
}

/* The standard kernel (text at 1 MiB) with a header at the start of its text. */
static int boot_std(struct booted *b, uint32_t flags, uint32_t delta,
                    const struct boot_params *params, char *err, size_t errlen)
{
    struct tb_spec spec;
    tb_spec_i386(&spec);
    return boot_with(b, &spec, 0, flags, delta, 64 * MIB, params, err, errlen);
}

static void done(struct booted *b)
{
    elf_close(&b->kernel);
    tb_free(&b->img);
    free(b->seg0);
    machine_destroy(&b->m);
}

static uint32_t ram32(struct booted *b, uint64_t addr)
{
    uint32_t v;
    assert_int_equal(bus_copy_from_ram(&b->m.bus, addr, &v, 4), 0);
    return v;
}

static uint64_t ram64(struct booted *b, uint64_t addr)
{
    uint64_t v;
    assert_int_equal(bus_copy_from_ram(&b->m.bus, addr, &v, 8), 0);
    return v;
}

static void expect_ram_string(struct booted *b, uint64_t addr, const char *want)
{
    size_t n = strlen(want) + 1;
    char *got = malloc(n);
    assert_int_equal(bus_copy_from_ram(&b->m.bus, addr, got, n), 0);
    assert_memory_equal(got, want, n);
    free(got);
}

static void expect_error(int rc, const char *err, const char *want)
{
    assert_int_equal(rc, -1);
    if (strncmp(err, "kernel.elf: ", 12) != 0 || !strstr(err, want))
        fail_msg("message \"%s\", expected \"%s\"", err, want);
}

/* 3.2 machine state and 3.3 every field of the information structure. */
static void test_info_block_fields(void **state)
{
    (void)state;
    struct booted b;
    char err[256];
    uint8_t module[5000];
    for (unsigned i = 0; i < sizeof module; i++)
        module[i] = (uint8_t)(i * 31 + 1);
    struct boot_params params = {"--mech sysenter", module, sizeof module, "prog.elf"};
    if (boot_std(&b, 0x3, 0, &params, err, sizeof err)) fail_msg("%s", err);

    /* 3.2: EAX = 0x2BADB002, EBX = the information structure; EIP = the entry point. */
    assert_int_equal(b.state.entry, 0x100020);
    assert_int_equal(b.state.arg0, 0x2BADB002);
    assert_int_equal(b.state.arg1, INFO);

    /* 3.3 flags: mem_* (0), cmdline (2), mods (3), mmap (6), boot_loader_name (9). */
    assert_int_equal(ram32(&b, INFO + 0),
                     (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
    assert_int_equal(ram32(&b, INFO + 4), 639);                     /* mem_lower, KiB */
    assert_int_equal(ram32(&b, INFO + 8), (64 * MIB - MIB) / 1024); /* mem_upper, KiB */
    assert_int_equal(ram32(&b, INFO + 12), 0);                      /* boot_device: not set */

    uint32_t cmdline = ram32(&b, INFO + 16);
    assert_true(cmdline > INFO && cmdline < 0x9FC00);
    expect_ram_string(&b, cmdline, "--mech sysenter");

    /* mods_count, mods_addr; each module: mod_start, mod_end, string, reserved (3.3). */
    assert_int_equal(ram32(&b, INFO + 20), 1);
    uint32_t mods = ram32(&b, INFO + 24);
    assert_true(mods > INFO && mods + 16 <= 0x9FC00);
    uint32_t mod_start = ram32(&b, mods), mod_end = ram32(&b, mods + 4);
    assert_int_equal(mod_start, 0x102000); /* the page after the kernel's .bss end 0x102000 */
    assert_int_equal(mod_start % 4096, 0); /* header flags bit 0 */
    assert_int_equal(mod_end - mod_start, sizeof module);
    expect_ram_string(&b, ram32(&b, mods + 8), "prog.elf");
    assert_int_equal(ram32(&b, mods + 12), 0);
    uint8_t got[sizeof module];
    assert_int_equal(bus_copy_from_ram(&b.m.bus, mod_start, got, sizeof got), 0);
    assert_memory_equal(got, module, sizeof module);

    /* syms (28-43), unused here, are zero. */
    for (unsigned off = 28; off < 44; off += 4)
        assert_int_equal(ram32(&b, INFO + off), 0);

    /* mmap_length, mmap_addr; entries of size(4, = 20), base_addr(8), length(8), type(4). */
    assert_int_equal(ram32(&b, INFO + 44), 4 * 24);
    uint32_t mmap = ram32(&b, INFO + 48);
    assert_int_equal(mmap % 4, 0);
    const struct {
        uint64_t base, length;
        uint32_t type;
    } want[4] = {
        {0, 0x9FC00, 1},
        {0x9FC00, 0x400, 2},
        {0xF0000, 0x10000, 2},
        {0x100000, 64 * MIB - 0x100000, 1},
    };
    for (unsigned i = 0; i < 4; i++) {
        uint32_t e = mmap + i * 24;
        assert_int_equal(ram32(&b, e), 20);
        assert_int_equal(ram64(&b, e + 4), want[i].base);
        assert_int_equal(ram64(&b, e + 12), want[i].length);
        assert_int_equal(ram32(&b, e + 20), want[i].type);
    }

    /* drives, config_table: not set. */
    assert_int_equal(ram32(&b, INFO + 52), 0);
    assert_int_equal(ram32(&b, INFO + 56), 0);
    assert_int_equal(ram32(&b, INFO + 60), 0);
    /* boot_loader_name (64). */
    expect_ram_string(&b, ram32(&b, INFO + 64), "ringside");
    /* apm_table and the VBE fields (68-87): not set. */
    for (unsigned off = 68; off < 88; off += 4)
        assert_int_equal(ram32(&b, INFO + off), 0);

    /* The kernel is at its p_paddr, header included. */
    uint8_t k[16];
    assert_int_equal(bus_copy_from_ram(&b.m.bus, 0x100000, k, sizeof k), 0);
    assert_memory_equal(k, b.seg0, sizeof k);
    done(&b);
}

/* Without a module: mods_count 0; without a command line: an empty string. */
static void test_no_module(void **state)
{
    (void)state;
    struct booted b;
    char err[256];
    if (boot_std(&b, 0x2, 0, NULL, err, sizeof err)) fail_msg("%s", err);
    assert_int_equal(ram32(&b, INFO + 20), 0);
    expect_ram_string(&b, ram32(&b, INFO + 16), "");
    done(&b);
}

/* 3.1.2: magic + flags + checksum must be zero mod 2^32. */
static void test_bad_checksum(void **state)
{
    (void)state;
    struct booted b;
    char err[256];
    int rc = boot_std(&b, 0x3, 1, NULL, err, sizeof err);
    expect_error(rc, err, "Multiboot header at file offset 0x80 has a bad checksum");
    done(&b);
}

/* 3.1.1: the header is 32-bit aligned and wholly within the first 8192 bytes of the file. */
static void test_header_position(void **state)
{
    (void)state;
    struct booted b;
    struct tb_spec spec;
    char err[256];

    tb_spec_i386(&spec);
    spec.segs[0].filesz = spec.segs[0].memsz = 0x200;
    int rc = boot_with(&b, &spec, 0x200, 0x3, 0, 64 * MIB, NULL, err, sizeof err); /* none */
    expect_error(rc, err, "no Multiboot header (magic 0x1BADB002) in the first 8192 bytes");
    done(&b);

    tb_spec_i386(&spec);
    rc = boot_with(&b, &spec, 2, 0x3, 0, 64 * MIB, NULL, err, sizeof err); /* unaligned */
    expect_error(rc, err, "no Multiboot header");
    done(&b);

    /* The segment data starts at file offset 0x80: a header at file offset 8180 ends at 8192. */
    tb_spec_i386(&spec);
    spec.segs[0].filesz = spec.segs[0].memsz = 0x3000;
    spec.segs[1].vaddr = spec.segs[1].paddr = 0x103000;
    spec.entry = 0x100020;
    if (boot_with(&b, &spec, 8180 - 0x80, 0x3, 0, 64 * MIB, NULL, err, sizeof err))
        fail_msg("%s", err);
    done(&b);
    tb_spec_i386(&spec);
    spec.segs[0].filesz = spec.segs[0].memsz = 0x3000;
    spec.segs[1].vaddr = spec.segs[1].paddr = 0x103000;
    rc = boot_with(&b, &spec, 8184 - 0x80, 0x3, 0, 64 * MIB, NULL, err, sizeof err);
    expect_error(rc, err, "no Multiboot header");
    done(&b);
}

/* 3.1.2: a boot loader that cannot satisfy a requirement bit (0-15) must fail; optional bits
 * 17-31 are ignored. */
static void test_header_flags(void **state)
{
    (void)state;
    struct booted b;
    char err[256];
    int rc = boot_std(&b, 0x7, 0, NULL, err, sizeof err);
    expect_error(rc, err, "requires video mode information (Multiboot header flags bit 2)");
    done(&b);
    rc = boot_std(&b, 0x8 | 0x3, 0, NULL, err, sizeof err);
    expect_error(rc, err, "unknown Multiboot features (header flags 0x8, bits 3-15)");
    done(&b);
    rc = boot_std(&b, 0x8000, 0, NULL, err, sizeof err);
    expect_error(rc, err, "header flags 0x8000");
    done(&b);
    rc = boot_std(&b, 0x20003, 0, NULL, err, sizeof err);
    assert_int_equal(rc, 0);
    done(&b);
    rc = boot_std(&b, 0, 0, NULL, err, sizeof err); /* no requirements at all */
    assert_int_equal(rc, 0);
    done(&b);
}

/* A higher-half kernel (p_vaddr 0xC0100000, p_paddr 0x100000) is loaded at p_paddr and entered at
 * the physical address of e_entry: 3.2 says paging is off at entry. */
static void test_higher_half_entry_is_physical(void **state)
{
    (void)state;
    struct booted b;
    struct tb_spec spec;
    char err[256];
    tb_spec_i386(&spec);
    for (unsigned i = 0; i < 2; i++)
        spec.segs[i].vaddr += 0xC0000000u;
    spec.entry = 0xC0100020u;
    if (boot_with(&b, &spec, 0, 0x3, 0, 64 * MIB, NULL, err, sizeof err)) fail_msg("%s", err);
    assert_int_equal(b.state.entry, 0x100020);
    assert_int_equal(ram32(&b, 0x100000), MB_MAGIC);
    done(&b);
}

/* Boots the standard i386 kernel whose header (at the start of its text, file offset 0x80) has
 * flags 0x10003 and the given 3.1.3 address fields. */
static int boot_aout(struct booted *b, const uint32_t aout[5], uint64_t ram, char *err,
                     size_t errlen)
{
    struct tb_spec spec;
    tb_spec_i386(&spec);
    memset(b, 0, sizeof *b);
    assert_int_equal(machine_init(&b->m, ARCH_I386, 0, ram, err, errlen), 0);
    make_kernel(b, &spec, 0, 0x10003, 0, aout);
    static const uint8_t module[] = "module";
    struct boot_params params = {"", module, sizeof module, "m"};
    return boot_multiboot(&b->m, &b->kernel, &params, &b->state, err, errlen);
}

/* 3.1.3 (flags bit 16): the address fields, not the ELF program headers, place the kernel, as QEMU
 * and GRUB do. Here they move the text from its ELF address 0x100000 to 0x200000. */
static void test_aout_kludge_address_fields(void **state)
{
    (void)state;
    struct booted b;
    char err[256];
    const uint32_t moved[5] = {0x200000, 0x200000, 0x200200, 0x203000, 0x200020};
    if (boot_aout(&b, moved, 64 * MIB, err, sizeof err)) fail_msg("%s", err);
    assert_int_equal(b.state.entry, 0x200020);
    uint8_t k[0x200];
    assert_int_equal(bus_copy_from_ram(&b.m.bus, 0x200000, k, sizeof k), 0);
    assert_memory_equal(k, b.seg0, sizeof k);
    assert_int_equal(ram32(&b, 0x100000), 0); /* the ELF address is not used */
    assert_int_equal(ram32(&b, 0x202ffc), 0); /* .bss up to bss_end_addr */
    uint32_t mods = ram32(&b, INFO + 24);
    assert_int_equal(ram32(&b, mods), 0x203000); /* the module follows bss_end_addr */
    done(&b);

    /* header_addr after load_addr: loading starts 0x20 bytes before the header in the file. */
    const uint32_t before[5] = {0x300020, 0x300000, 0, 0, 0x300040};
    if (boot_aout(&b, before, 64 * MIB, err, sizeof err)) fail_msg("%s", err);
    uint8_t h[4];
    assert_int_equal(bus_copy_from_ram(&b.m.bus, 0x300020, h, 4), 0);
    assert_int_equal(h[0] | h[1] << 8 | h[2] << 16 | (uint32_t)h[3] << 24, MB_MAGIC);
    /* load_end_addr 0: the rest of the file is loaded. */
    assert_int_equal(ram32(&b, INFO + 20), 1);
    assert_int_equal(ram32(&b, ram32(&b, INFO + 24)) % 4096, 0);
    done(&b);
}

static void test_aout_kludge_errors(void **state)
{
    (void)state;
    struct booted b;
    char err[256];
    static const struct {
        uint32_t f[5];
        uint64_t ram;
        const char *want;
    } cases[] = {
        {{0x100000, 0x100100, 0x100200, 0, 0x100100}, 64 * MIB, "does not fit header_addr"},
        {{0x100100, 0x100000, 0, 0, 0x100100},
         64 * MIB,
         "does not fit header_addr"}, /* before file */
        {{0x100000, 0x100000, 0x0ff000, 0, 0x100000}, 64 * MIB, "load_end_addr 0xff000 is below"},
        {{0x100000, 0x100000, 0x200000, 0, 0x100000}, 64 * MIB, "past the end of the file"},
        {{0x100000, 0x100000, 0x100200, 0x100100, 0x100000}, 64 * MIB, "bss_end_addr 0x100100"},
        {{0x100000, 0x100000, 0x100200, 0, 0x100200}, 64 * MIB, "entry_addr 0x100200 is outside"},
        {{0x8000000, 0x8000000, 0x8000200, 0, 0x8000000}, 64 * MIB, "lies outside guest RAM"},
        {{0x8000, 0x8000, 0x8200, 0x9800, 0x8000}, 64 * MIB, "overlaps the Multiboot information"},
    };
    /* 3.1.1: with bit 16 the header is 32 bytes, and all of it must be in the first 8192. */
    struct tb_spec spec;
    tb_spec_i386(&spec);
    spec.segs[0].filesz = spec.segs[0].memsz = 0x3000;
    spec.segs[1].vaddr = spec.segs[1].paddr = 0x103000;
    int rc = boot_with(&b, &spec, 8180 - 0x80, 0x10003, 0, 64 * MIB, NULL, err, sizeof err);
    expect_error(rc, err, "address fields are not within the first 8192 bytes");
    done(&b);

    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rc = boot_aout(&b, cases[i].f, cases[i].ram, err, sizeof err);
        expect_error(rc, err, cases[i].want);
        done(&b);
    }
}

/* Robustness: random header fields (valid checksum, bit 16 on or off) either boot or fail with a
 * message; never a crash or an access outside the image (run under ASan/UBSan in CI). */
static void test_random_header_fields_are_safe(void **state)
{
    (void)state;
    struct booted b;
    char err[256];
    uint64_t seed = 0x2545F4914F6CDD1Dull;
    unsigned booted = 0;
    memset(&b, 0, sizeof b);
    assert_int_equal(machine_init(&b.m, ARCH_I386, 0, 16 * MIB, err, sizeof err), 0);
    struct tb_spec spec;
    tb_spec_i386(&spec);
    make_kernel(&b, &spec, 0, 0x3, 0, NULL);
    size_t hdr = b.img.seg_off[0];
    for (unsigned iter = 0; iter < 2000; iter++) {
        struct elf_image k = b.kernel; /* shares the data; patched in place */
        uint32_t f[8];
        for (unsigned i = 0; i < 8; i++) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            f[i] = (uint32_t)seed;
            /* Keep addresses small half of the time so that some boots succeed. */
            if (i >= 3 && (seed >> 40) & 1) f[i] = 0x100000 + (f[i] & 0x3fff);
        }
        f[0] = MB_MAGIC;
        f[1] = (f[1] & 1) ? 0x10003 : 0x3;
        f[2] = 0u - f[0] - f[1];
        memcpy(k.data + hdr, f, sizeof f);
        struct boot_params params = {"x", (const uint8_t *)"m", 1, "m"};
        if (boot_multiboot(&b.m, &k, &params, &b.state, err, sizeof err) != 0)
            assert_true(strncmp(err, "kernel.elf: ", 12) == 0);
        else
            booted++;
    }
    assert_true(booted > 0 && booted < 2000);
    done(&b);
}

/* design.md "Platforms": the kernel is ELF32 EM_386; nothing else is booted. */
static void test_wrong_kernel(void **state)
{
    (void)state;
    struct booted b;
    struct tb_spec spec;
    char err[256];
    memset(&b, 0, sizeof b);
    assert_int_equal(machine_init(&b.m, ARCH_I386, 0, 64 * MIB, err, sizeof err), 0);
    tb_spec_x86_64(&spec);
    tb_build(&spec, &b.img);
    assert_int_equal(
        elf_open_memory(b.img.data, b.img.size, "kernel.elf", &b.kernel, err, sizeof err), 0);
    int rc = boot_multiboot(&b.m, &b.kernel, NULL, &b.state, err, sizeof err);
    expect_error(rc, err, "a Multiboot kernel must be ELF32 EM_386 (this is x86_64)");
    done(&b);
}

/* Layout errors: the kernel over the information area, RAM too small for the module, RAM that
 * does not start at 0. Nothing is written in each case. */
static void test_layout_errors(void **state)
{
    (void)state;
    struct booted b;
    struct tb_spec spec;
    char err[256];

    tb_spec_i386(&spec);
    spec.nsegs = 1;
    spec.segs[0].vaddr = spec.segs[0].paddr = 0x8000;
    spec.segs[0].memsz = 0x1100;
    spec.entry = 0x8020;
    int rc = boot_with(&b, &spec, 0, 0x3, 0, 64 * MIB, NULL, err, sizeof err);
    expect_error(rc, err, "kernel (0x8000-0x9100) overlaps the Multiboot information at 0x9000-");
    assert_int_equal(ram32(&b, 0x8000), 0);
    done(&b);

    uint8_t *big = calloc(1, 16 * MIB);
    struct boot_params params = {"", big, 16 * MIB, "big"};
    tb_spec_i386(&spec);
    rc = boot_with(&b, &spec, 0, 0x3, 0, 16 * MIB, &params, err, sizeof err);
    expect_error(rc, err, "guest RAM (0x1000000 bytes) is too small for the kernel");
    assert_int_equal(ram32(&b, 0x100000), 0);
    assert_int_equal(ram32(&b, INFO), 0);
    done(&b);
    free(big);

    memset(&b, 0, sizeof b);
    assert_int_equal(machine_init(&b.m, ARCH_I386, 0x80000000, 16 * MIB, err, sizeof err), 0);
    tb_spec_i386(&spec);
    make_kernel(&b, &spec, 0, 0x3, 0, NULL);
    rc = boot_multiboot(&b.m, &b.kernel, NULL, &b.state, err, sizeof err);
    expect_error(rc, err, "Multiboot needs guest RAM from 0 to above 1 MiB");
    done(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info_block_fields),
        cmocka_unit_test(test_no_module),
        cmocka_unit_test(test_bad_checksum),
        cmocka_unit_test(test_header_position),
        cmocka_unit_test(test_header_flags),
        cmocka_unit_test(test_wrong_kernel),
        cmocka_unit_test(test_higher_half_entry_is_physical),
        cmocka_unit_test(test_aout_kludge_address_fields),
        cmocka_unit_test(test_aout_kludge_errors),
        cmocka_unit_test(test_random_header_fields_are_safe),
        cmocka_unit_test(test_layout_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
