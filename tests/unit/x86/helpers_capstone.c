/* Capstone as a length oracle for the x86 tests, loaded with dlopen so that nothing links
 * against it (and tests skip where it is missing). Kept apart from the core's internal header:
 * Capstone's own headers also define an x86_insn. */
#include "x86/helpers.h"

#if defined(__has_include)
#if __has_include(<capstone/capstone.h>)
#define XT_HAVE_CAPSTONE 1
#endif
#endif

#ifndef XT_HAVE_CAPSTONE
/* Built without Capstone's headers (scripts/install-deps.sh installs libcapstone-dev): the
 * oracle is absent and the tests that need it skip. */
bool xt_capstone_available(void)
{
    return false;
}
unsigned xt_capstone_length(unsigned code_bits, const uint8_t *bytes, size_t n, char *text,
                            size_t textlen)
{
    (void)code_bits;
    (void)bytes;
    (void)n;
    (void)text;
    (void)textlen;
    return 0;
}
#else
#include <capstone/capstone.h>
#include <dlfcn.h>
#include <stdio.h>

static struct {
    bool tried, ok;
    cs_err (*open)(cs_arch, cs_mode, csh *);
    size_t (*disasm)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **);
    void (*free)(cs_insn *, size_t);
    csh handle[3];
} cs;

bool xt_capstone_available(void)
{
    if (cs.tried) return cs.ok;
    cs.tried = true;
    void *lib = dlopen("libcapstone.so.4", RTLD_NOW);
    if (!lib) lib = dlopen("libcapstone.so", RTLD_NOW);
    if (!lib) return false;
    cs.open = (cs_err(*)(cs_arch, cs_mode, csh *))dlsym(lib, "cs_open");
    cs.disasm = (size_t(*)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **))dlsym(
        lib, "cs_disasm");
    cs.free = (void (*)(cs_insn *, size_t))dlsym(lib, "cs_free");
    if (!cs.open || !cs.disasm || !cs.free) return false;
    static const cs_mode modes[3] = {CS_MODE_16, CS_MODE_32, CS_MODE_64};
    for (unsigned i = 0; i < 3; i++)
        if (cs.open(CS_ARCH_X86, modes[i], &cs.handle[i]) != CS_ERR_OK) return false;
    cs.ok = true;
    return true;
}

unsigned xt_capstone_length(unsigned code_bits, const uint8_t *bytes, size_t n, char *text,
                            size_t textlen)
{
    if (!xt_capstone_available()) return 0;
    csh h = cs.handle[code_bits == 16 ? 0 : code_bits == 32 ? 1 : 2];
    cs_insn *insn;
    size_t count = cs.disasm(h, bytes, n, 0x1000, 1, &insn);
    if (count == 0) return 0;
    unsigned len = insn[0].size;
    if (text) snprintf(text, textlen, "%s %s", insn[0].mnemonic, insn[0].op_str);
    cs.free(insn, count);
    return len;
}
#endif
