/* exec (src/kernel/common/exec.c): the checks on the program file, and the Linux initial stack
 * (System V ABI AMD64/RISC-V psABI "Process Initialization"; Linux create_elf_tables): argc, argv,
 * NULL, envp, NULL, auxv, strings, 16-byte aligned sp. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

static uint8_t image[0x1010] __attribute__((aligned(16)));
static struct proc p;

static Elf64_Ehdr *eh(void)
{
    return (Elf64_Ehdr *)image;
}
static Elf64_Phdr *ph(int i)
{
    return (Elf64_Phdr *)(image + 64) + i;
}

/* A static riscv64 executable: headers and text at 0x10000 (R X), data + bss at 0x11000 (R W). */
static void build(void)
{
    memset(image, 0, sizeof image);
    memcpy(image, ELFMAG, SELFMAG);
    image[EI_CLASS] = ELFCLASS64;
    image[EI_DATA] = ELFDATA2LSB;
    image[EI_VERSION] = EV_CURRENT;
    eh()->e_type = ET_EXEC;
    eh()->e_machine = EM_RISCV;
    eh()->e_version = EV_CURRENT;
    eh()->e_entry = 0x10100;
    eh()->e_phoff = 64;
    eh()->e_ehsize = 64;
    eh()->e_phentsize = sizeof(Elf64_Phdr);
    eh()->e_phnum = 2;
    *ph(0) = (Elf64_Phdr){.p_type = PT_LOAD,
                          .p_flags = PF_R | PF_X,
                          .p_offset = 0,
                          .p_vaddr = 0x10000,
                          .p_paddr = 0x10000,
                          .p_filesz = 0x200,
                          .p_memsz = 0x200,
                          .p_align = 0x1000};
    *ph(1) = (Elf64_Phdr){.p_type = PT_LOAD,
                          .p_flags = PF_R | PF_W,
                          .p_offset = 0x1000,
                          .p_vaddr = 0x11000,
                          .p_paddr = 0x11000,
                          .p_filesz = 0x10,
                          .p_memsz = 0x1800,
                          .p_align = 0x1000};
    memcpy(image + 0x1000, "data segment...", 16);
}

static int run(int argc, char *const argv[], const char **why)
{
    fake_reset(&p);
    *why = NULL;
    return exec_image(&p, image, sizeof image, argc, argv, why);
}

static uint64_t word(uint64_t va)
{
    uint64_t v;
    uint8_t *m = fake_mem(va);
    assert_non_null(m);
    memcpy(&v, m, 8);
    return v;
}

static const char *string(uint64_t va)
{
    const char *s = (const char *)fake_mem(va);
    assert_non_null(s);
    return s;
}

static void loads_segments_with_their_permissions(void **state)
{
    (void)state;
    const char *why;
    char *argv[] = {"prog", NULL};
    build();
    assert_int_equal(run(1, argv, &why), 0);
    assert_memory_equal(fake_mem(0x10000), ELFMAG, SELFMAG);
    assert_memory_equal(fake_mem(0x11000), "data segment...", 16);
    assert_int_equal(*fake_mem(0x11010), 0); /* bss */
    assert_int_equal(*fake_mem(0x127ff), 0);
    assert_non_null(arch_user_ptr(&p, 0x10000, UA_READ));
    assert_null(arch_user_ptr(&p, 0x10000, UA_WRITE)); /* text is read-only */
    assert_non_null(arch_user_ptr(&p, 0x12000, UA_WRITE));
    assert_int_equal(p.entry, 0x10100);
    assert_int_equal(p.brk_start, 0x13000);
    assert_int_equal(p.brk, 0x13000);
}

static void builds_the_linux_initial_stack(void **state)
{
    (void)state;
    const char *why;
    char *argv[] = {"prog", "a b", "", NULL};
    build();
    assert_int_equal(run(3, argv, &why), 0);
    uint64_t sp = p.sp;
    assert_int_equal(sp % 16, 0);
    assert_true(sp < USER_STACK_TOP && sp >= USER_STACK_TOP - USER_STACK_SIZE);
    assert_int_equal(word(sp), 3);
    assert_string_equal(string(word(sp + 8)), "prog");
    assert_string_equal(string(word(sp + 16)), "a b");
    assert_string_equal(string(word(sp + 24)), "");
    assert_int_equal(word(sp + 32), 0); /* end of argv */
    assert_int_equal(word(sp + 40), 0); /* envp: empty */
    uint64_t aux[64] = {0};
    int n = 0;
    for (uint64_t a = sp + 48;; a += 16) {
        uint64_t type = word(a), value = word(a + 8);
        if (type == AT_NULL) break;
        assert_true(type < 64);
        aux[type] = value;
        assert_true(++n < 32);
    }
    assert_int_equal(aux[AT_PHDR], 0x10040);
    assert_int_equal(aux[AT_PHENT], 56);
    assert_int_equal(aux[AT_PHNUM], 2);
    assert_int_equal(aux[AT_PAGESZ], 4096);
    assert_int_equal(aux[AT_ENTRY], 0x10100);
    assert_true(aux[AT_RANDOM] > sp && aux[AT_RANDOM] + 16 <= USER_STACK_TOP);
    assert_string_equal(string(aux[AT_EXECFN]), "prog");
}

/* Each broken file is refused with -ENOEXEC and a reason, before anything is mapped. */
static void refuses_bad_files(void **state)
{
    (void)state;
    const char *why;
    char *argv[] = {"prog", NULL};
#define REFUSED(change, reason)                                                                    \
    do {                                                                                           \
        build();                                                                                   \
        change;                                                                                    \
        assert_int_equal(run(1, argv, &why), -ENOEXEC);                                            \
        assert_non_null(why);                                                                      \
        assert_non_null(strstr(why, reason));                                                      \
        assert_null(fake_mem(0x10000));                                                            \
    } while (0)
    REFUSED(image[1] = 'X', "bad magic");
    REFUSED(image[EI_CLASS] = ELFCLASS32, "not a 64-bit ELF file");
    REFUSED(image[EI_DATA] = ELFDATA2MSB, "not a little-endian");
    REFUSED(eh()->e_machine = EM_X86_64, "e_machine");
    REFUSED(eh()->e_type = ET_DYN, "ET_EXEC");
    REFUSED(eh()->e_phentsize = 32, "program header table");
    REFUSED(eh()->e_phoff = 0x1000, "program header table outside the file");
    REFUSED(ph(1)->p_filesz = 0x2000, "p_filesz > p_memsz");
    REFUSED(ph(1)->p_offset = 0x1008, "segment outside the file");
    REFUSED(ph(0)->p_vaddr = 0, "outside the user address space");
    REFUSED(ph(1)->p_vaddr = TRAPFRAME, "outside the user address space");
    REFUSED(ph(1)->p_vaddr = USER_LOAD_END - 0x1000, "outside the user address space");
    REFUSED(ph(1)->p_memsz = ~0ull - 0x100, "outside the user address space");
    REFUSED(ph(1)->p_vaddr = 0x10100, "overlapping segments");
    REFUSED(ph(1)->p_type = PT_INTERP, "dynamically linked");
    REFUSED(eh()->e_entry = 0x11000, "entry point outside every executable segment");
    REFUSED((ph(0)->p_type = PT_NOTE, ph(1)->p_type = PT_NOTE), "no PT_LOAD segment");
}

/* An ELF32 EM_386 executable (the i386 kernel's programs): the same checks, the initial stack in
 * 4-byte words (i386 psABI "Process Initialization"), AT_PHENT 32, and AT_SYSINFO when the kernel
 * gives a vsyscall entry (Linux arch/x86/include/asm/elf.h ARCH_DLINFO_IA32). */
static uint8_t image32[0x1010] __attribute__((aligned(16)));

static void build32(void)
{
    memset(image32, 0, sizeof image32);
    Elf32_Ehdr *e = (Elf32_Ehdr *)image32;
    Elf32_Phdr *ph32 = (Elf32_Phdr *)(image32 + sizeof *e);
    memcpy(image32, ELFMAG, SELFMAG);
    image32[EI_CLASS] = ELFCLASS32;
    image32[EI_DATA] = ELFDATA2LSB;
    image32[EI_VERSION] = EV_CURRENT;
    e->e_type = ET_EXEC;
    e->e_machine = EM_386;
    e->e_version = EV_CURRENT;
    e->e_entry = 0x10100;
    e->e_phoff = sizeof *e;
    e->e_ehsize = sizeof *e;
    e->e_phentsize = sizeof(Elf32_Phdr);
    e->e_phnum = 2;
    ph32[0] = (Elf32_Phdr){.p_type = PT_LOAD,
                           .p_flags = PF_R | PF_X,
                           .p_vaddr = 0x10000,
                           .p_filesz = 0x200,
                           .p_memsz = 0x200,
                           .p_align = 0x1000};
    ph32[1] = (Elf32_Phdr){.p_type = PT_LOAD,
                           .p_flags = PF_R | PF_W,
                           .p_offset = 0x1000,
                           .p_vaddr = 0x11000,
                           .p_filesz = 0x10,
                           .p_memsz = 0x1800,
                           .p_align = 0x1000};
    memcpy(image32 + 0x1000, "data segment...", 16);
}

static struct exec_abi abi32(void)
{
    return (struct exec_abi){1,          EM_386,     "i386",  0x1000,
                             0x70000000, 0x7fff0000, 0x10000, 0xffffe400};
}

static uint32_t word32(uint64_t va)
{
    uint32_t v;
    uint8_t *m = fake_mem(va);
    assert_non_null(m);
    memcpy(&v, m, 4);
    return v;
}

static void loads_elf32_with_a_4_byte_initial_stack(void **state)
{
    (void)state;
    const char *why = NULL;
    char *argv[] = {"prog", "x", NULL};
    struct exec_abi abi = abi32();
    build32();
    fake_reset(&p);
    assert_int_equal(exec_image_abi(&abi, &p, image32, sizeof image32, 2, argv, &why), 0);
    assert_memory_equal(fake_mem(0x11000), "data segment...", 16);
    assert_null(arch_user_ptr(&p, 0x10000, UA_WRITE));
    assert_int_equal(p.entry, 0x10100);
    assert_int_equal(p.brk, 0x13000);
    uint64_t sp = p.sp;
    assert_int_equal(sp % 16, 0);
    assert_true(sp < 0x7fff0000 && sp >= 0x7ffe0000);
    assert_int_equal(word32(sp), 2);
    assert_string_equal((char *)fake_mem(word32(sp + 4)), "prog");
    assert_string_equal((char *)fake_mem(word32(sp + 8)), "x");
    assert_int_equal(word32(sp + 12), 0); /* end of argv */
    assert_int_equal(word32(sp + 16), 0); /* envp: empty */
    uint32_t aux[64] = {0};
    for (uint64_t a = sp + 20;; a += 8) {
        uint32_t type = word32(a);
        if (type == AT_NULL) break;
        assert_true(type < 64);
        aux[type] = word32(a + 4);
    }
    assert_int_equal(aux[AT_PHDR], 0x10034);
    assert_int_equal(aux[AT_PHENT], 32);
    assert_int_equal(aux[AT_PHNUM], 2);
    assert_int_equal(aux[AT_ENTRY], 0x10100);
    assert_int_equal(aux[AT_SYSINFO], 0xffffe400);
    assert_true(aux[AT_RANDOM] > sp && aux[AT_RANDOM] + 16 <= 0x7fff0000);
}

static void refuses_elf32_files_for_other_machines(void **state)
{
    (void)state;
    const char *why = NULL;
    char *argv[] = {"prog", NULL};
    struct exec_abi abi = abi32();
    build32();
    ((Elf32_Ehdr *)image32)->e_machine = EM_X86_64;
    fake_reset(&p);
    assert_int_equal(exec_image_abi(&abi, &p, image32, sizeof image32, 1, argv, &why), -ENOEXEC);
    assert_string_equal(why, "not an executable for i386 (e_machine)");
    build32();
    image32[EI_CLASS] = ELFCLASS64;
    assert_int_equal(exec_image_abi(&abi, &p, image32, sizeof image32, 1, argv, &why), -ENOEXEC);
    assert_string_equal(why, "not a 32-bit ELF file");
    /* the riscv64 default refuses the ELF32 file */
    build32();
    assert_int_equal(exec_image(&p, image32, sizeof image32, 1, argv, &why), -ENOEXEC);
    assert_string_equal(why, "not a 64-bit ELF file");
    /* no AT_SYSINFO without a vsyscall entry */
    build();
    assert_int_equal(exec_image(&p, image, sizeof image, 1, argv, &why), 0);
    for (uint64_t a = p.sp + 24; word(a) != AT_NULL; a += 16)
        assert_int_not_equal(word(a), AT_SYSINFO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_segments_with_their_permissions),
        cmocka_unit_test(builds_the_linux_initial_stack),
        cmocka_unit_test(refuses_bad_files),
        cmocka_unit_test(loads_elf32_with_a_4_byte_initial_stack),
        cmocka_unit_test(refuses_elf32_files_for_other_machines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
