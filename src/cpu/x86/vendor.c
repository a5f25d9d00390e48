/* CPU profiles: what CPUID says and which vendor rule applies (the fast system calls, issue 6:
 * the flags of struct x86_vendor in x86.h, read in fastcall.c, msr.c and system.c). The feature
 * bits advertise only what this core implements; they grow as the core does. */
#include <string.h>

#include "cpu/x86/x86.h"

/* CPUID.1:EDX (SDM Vol. 2A Table 3-11): bit 3 PSE (4 MiB pages), bit 4 TSC (RDTSC), bit 5 MSR
 * (RDMSR/WRMSR), bit 8 CX8 (CMPXCHG8B), bit 15 CMOV. */
#define FEAT1_EDX_PSE (1u << 3)
#define FEAT1_EDX_TSC (1u << 4)
#define FEAT1_EDX_MSR (1u << 5)
#define FEAT1_EDX_CX8 (1u << 8)
/* bit 11 SEP: SYSENTER/SYSEXIT (SDM Vol. 2A Table 3-11; AMD APM Vol. 3 E.3.2) */
#define FEAT1_EDX_SEP (1u << 11)
/* PAE (bit 6) is advertised because IA-32e mode needs it; legacy PAE paging (PAE without LME)
 * is not modelled and stops the run loudly (descriptor.c). */
#define FEAT1_EDX_PAE  (1u << 6)
#define FEAT1_EDX_CMOV (1u << 15)
/* CPUID.1:ECX bit 13 CX16 (CMPXCHG16B). */
#define FEAT1_ECX_CX16 (1u << 13)
/* CPUID.80000001H:EDX bit 20 NX (execute-disable), bit 26 Page1GB, bit 29 LM (Intel 64). */
#define FEAT_EXT1_EDX_NX   (1u << 20)
#define FEAT_EXT1_EDX_PG1G (1u << 26)
#define FEAT_EXT1_EDX_LM   (1u << 29)
/* bit 27 RDTSCP with IA32_TSC_AUX (SDM Vol. 2A Table 3-8; AMD APM Vol. 3 E.4.2), both vendors */
#define FEAT_EXT1_EDX_LONG                                                                         \
    (FEAT_EXT1_EDX_NX | FEAT_EXT1_EDX_PG1G | FEAT_EXT1_EDX_LM | X86_CPUID_EXT1_EDX_RDTSCP)
/* CPUID.80000001H:EDX bit 11 SYSCALL/SYSRET (SDM Vol. 2A Table 3-8: Intel sets it only when
 * CPUID runs in 64-bit mode, x86_vendor.syscall_cpuid_64bit_only; AMD APM Vol. 3 E.4.2). */
#define FEAT_EXT1_EDX_SYSCALL (1u << 11)
/* The MSRs that hold linear addresses, for x86_vendor.canonical_msrs. */
#define MSRBIT(name)    (1ull << X86_MSR_##name)
#define CANONICAL_BASES (MSRBIT(FS_BASE) | MSRBIT(GS_BASE) | MSRBIT(KERNEL_GS_BASE))
/* CPUID.80000001H:ECX bit 0 LAHF/SAHF in 64-bit mode. */
#define FEAT_EXT1_ECX_LAHF (1u << 0)

/* An Intel Skylake-class core: family 6, model 0x5E, stepping 3 (CPUID.1:EAX = 0x000506E3). */
const struct x86_vendor x86_vendor_intel = {
    .name = "intel",
    .id = "GenuineIntel",
    .max_leaf = 1,
    .leaf1_eax = 0x000506e3u,
    .leaf1_ecx = FEAT1_ECX_CX16,
    .leaf1_edx = FEAT1_EDX_PSE | FEAT1_EDX_TSC | FEAT1_EDX_MSR | FEAT1_EDX_CX8 | FEAT1_EDX_CMOV |
                 FEAT1_EDX_PAE | FEAT1_EDX_SEP,
    .max_ext_leaf = 0x80000008u, /* 80000008H: address sizes */
    .ext1_ecx = FEAT_EXT1_ECX_LAHF,
    .ext1_edx = FEAT_EXT1_EDX_LONG | FEAT_EXT1_EDX_SYSCALL,
    .syscall_outside_64bit = false,
    .sysenter_in_long_mode = true,
    .sysret_noncanonical_faults_in_ring0 = true,
    .sysret_keeps_ss_attributes = false,
    .syscall_cpuid_64bit_only = true,
    .null_selector_keeps_base = false,
    /* SDM Vol. 2B WRMSR "Protected Mode Exceptions" (CSTAR is not in the list) */
    .canonical_msrs = CANONICAL_BASES | MSRBIT(LSTAR) | MSRBIT(SYSENTER_ESP) | MSRBIT(SYSENTER_EIP),
};

/* An AMD Zen 2-class core: family 17h (base F + extended 8), model 31h, stepping 0
 * (CPUID.1:EAX = 0x00830F10). */
const struct x86_vendor x86_vendor_amd = {
    .name = "amd",
    .id = "AuthenticAMD",
    .max_leaf = 1,
    .leaf1_eax = 0x00830f10u,
    .leaf1_ecx = FEAT1_ECX_CX16,
    .leaf1_edx = FEAT1_EDX_PSE | FEAT1_EDX_TSC | FEAT1_EDX_MSR | FEAT1_EDX_CX8 | FEAT1_EDX_CMOV |
                 FEAT1_EDX_PAE | FEAT1_EDX_SEP,
    .max_ext_leaf = 0x80000008u, /* 80000008H: address sizes */
    .ext1_ecx = FEAT_EXT1_ECX_LAHF,
    /* AMD mirrors most leaf-1 EDX bits here (APM Vol. 3 E.4.2), bit 11 being SYSCALL there; and
     * long mode, NX and 1-GiB pages as the Intel profile (the core implements them) */
    .ext1_edx = FEAT1_EDX_PSE | FEAT1_EDX_TSC | FEAT1_EDX_MSR | FEAT1_EDX_CX8 | FEAT1_EDX_CMOV |
                FEAT1_EDX_PAE | FEAT_EXT1_EDX_SYSCALL | FEAT_EXT1_EDX_LONG,
    .syscall_outside_64bit = true,
    .sysenter_in_long_mode = false,
    .sysret_noncanonical_faults_in_ring0 = false,
    .sysret_keeps_ss_attributes = true,
    .syscall_cpuid_64bit_only = false,
    .null_selector_keeps_base = false, /* Zen 2 clears it (Linux: no X86_BUG_NULL_SEG there) */
    /* AMD APM Vol. 2 4.5.3 (FS/GS bases), 6.1.1 (LSTAR, CSTAR); the SYSENTER MSRs are not
     * checked: long mode has no SYSENTER, and their upper halves are ignored (as KVM's
     * kvm_set_msr notes) */
    .canonical_msrs = CANONICAL_BASES | MSRBIT(LSTAR) | MSRBIT(CSTAR),
};

const struct x86_vendor *x86_vendor_find(const char *name)
{
    if (!name || !strcmp(name, "intel")) return &x86_vendor_intel;
    if (!strcmp(name, "amd")) return &x86_vendor_amd;
    return NULL;
}
