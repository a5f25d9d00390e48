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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_segments_with_their_permissions),
        cmocka_unit_test(builds_the_linux_initial_stack),
        cmocka_unit_test(refuses_bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
