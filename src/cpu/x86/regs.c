/* Registers by name (cpu_ops.get_reg/set_reg): the general registers in their 64-, 32- and
 * 16-bit names, rip, rflags, cpl (also "priv"), control registers, segment selectors (read only:
 * a selector is loaded with its descriptor by the instructions that load it), and the MSRs of
 * msr.def by name, in lower case ("lstar", "kernel_gs_base"). */
#include <ctype.h>
#include <string.h>

#include "cpu/x86/internal.h"

static const char *const gpr64[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                      "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
static const char *const gpr32[16] = {"eax", "ecx", "edx",  "ebx",  "esp",  "ebp",  "esi",  "edi",
                                      "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
static const char *const gpr16[8] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
static const char *const sreg_names[X86_NSEG] = {"es", "cs", "ss", "ds", "fs", "gs"};

static int find_name(const char *name, const char *const *names, int count)
{
    for (int i = 0; i < count; i++)
        if (strcmp(name, names[i]) == 0) return i;
    return -1;
}

/* The MSR table row whose name matches, case-insensitively, or -1. */
static int msr_by_name(const char *name)
{
    for (int i = 0; i < X86_MSR_COUNT; i++) {
        const char *a = x86_msr_table[i].name, *b = name;
        while (*a && *b && tolower((unsigned char)*a) == tolower((unsigned char)*b))
            a++, b++;
        if (!*a && !*b) return i;
    }
    return -1;
}

/* debug registers (read only by name) */
static const char *const dr_names[6] = {"dr0", "dr1", "dr2", "dr3", "dr6", "dr7"};

static int cr_number(const char *name)
{
    static const char *const crs[] = {"cr0", "cr2", "cr3", "cr4", "cr8"};
    static const int numbers[] = {0, 2, 3, 4, 8};
    int i = find_name(name, crs, 5);
    return i < 0 ? -1 : numbers[i];
}

bool x86_reg_by_name(void *opaque, const char *name, uint64_t *value)
{
    struct x86_cpu *cpu = opaque;
    int i;
    if ((i = find_name(name, gpr64, 16)) >= 0)
        *value = cpu->gpr[i];
    else if ((i = find_name(name, gpr32, 16)) >= 0)
        *value = (uint32_t)cpu->gpr[i];
    else if ((i = find_name(name, gpr16, 8)) >= 0)
        *value = (uint16_t)cpu->gpr[i];
    else if (!strcmp(name, "rip") || !strcmp(name, "pc"))
        *value = cpu->rip;
    else if (!strcmp(name, "eip"))
        *value = (uint32_t)cpu->rip;
    else if (!strcmp(name, "rflags") || !strcmp(name, "eflags"))
        *value = x86_get_rflags(cpu); /* an event subscriber may read it inside the run loop */
    else if (!strcmp(name, "cpl") || !strcmp(name, "priv"))
        *value = cpu->cpl;
    else if ((i = cr_number(name)) >= 0)
        *value = i == 0   ? cpu->cr0
                 : i == 2 ? cpu->cr2
                 : i == 3 ? cpu->cr3
                 : i == 4 ? cpu->cr4
                          : cpu->cr8;
    else if ((i = find_name(name, sreg_names, X86_NSEG)) >= 0)
        *value = cpu->seg[i].sel;
    else if ((i = find_name(name, dr_names, 6)) >= 0)
        *value = i < 4 ? cpu->dr[i] : i == 4 ? cpu->dr6 : cpu->dr7;
    else if ((i = msr_by_name(name)) >= 0)
        return x86_rdmsr(cpu, x86_msr_table[i].number, value) == X86_OK;
    else
        return false;
    return true;
}

bool x86_set_reg_by_name(void *opaque, const char *name, uint64_t value)
{
    struct x86_cpu *cpu = opaque;
    int i;
    if ((i = find_name(name, gpr64, 16)) >= 0)
        cpu->gpr[i] = value;
    else if ((i = find_name(name, gpr32, 16)) >= 0)
        cpu->gpr[i] = (uint32_t)value; /* as a 32-bit write in 64-bit mode: zero-extended */
    else if ((i = find_name(name, gpr16, 8)) >= 0)
        cpu->gpr[i] = (cpu->gpr[i] & ~0xffffull) | (uint16_t)value;
    else if (!strcmp(name, "rip") || !strcmp(name, "pc") || !strcmp(name, "eip"))
        cpu->rip = value;
    else if (!strcmp(name, "rflags") || !strcmp(name, "eflags")) {
        cpu->lf_op = LF_NONE; /* the value replaces any lazily recorded flags */
        cpu->rflags = (value & 0x3f7fd7ull) | X86_FLAGS_FIXED1; /* reserved bits read as 0 */
    } else if ((i = cr_number(name)) >= 0)
        return x86_write_cr(cpu, (unsigned)i, value) == X86_OK; /* the MOV CR rules */
    else if ((i = msr_by_name(name)) >= 0)
        return x86_wrmsr(cpu, x86_msr_table[i].number, value) == X86_OK;
    else
        return false;
    return true;
}
