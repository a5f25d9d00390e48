/* The i386 kernel's segment selectors and the saved user registers, shared by C and assembly.
 *
 * GDT (SDM Vol. 3A 3.4.5; 5.8.7 fixes the order SYSENTER/SYSEXIT need: SS = SYSENTER_CS + 8, the
 * user CS = SYSENTER_CS + 16, the user SS = SYSENTER_CS + 24):
 *   0x00 null   0x08 kernel code   0x10 kernel data   0x1b user code   0x23 user data   0x28 TSS
 */
#ifndef KERNEL_I386_REGS_H
#define KERNEL_I386_REGS_H

#define KCODE_SEL   0x08
#define KDATA_SEL   0x10
#define UCODE_SEL   0x1b /* index 3, RPL 3 */
#define UDATA_SEL   0x23 /* index 4, RPL 3 */
#define TSS_SEL     0x28
#define GDT_ENTRIES 6

/* struct regs byte offsets. The first 32 bytes are a PUSHA image (SDM Vol. 2B PUSHA: EAX, ECX,
 * EDX, EBX, the original ESP, EBP, ESI, EDI pushed in that order, so EDI lies lowest). */
#define R_EDI    0
#define R_ESI    4
#define R_EBP    8
#define R_ESP0   12 /* the ESP slot of the PUSHA image: ignored by POPA */
#define R_EBX    16
#define R_EDX    20
#define R_ECX    24
#define R_EAX    28
#define R_DS     32 /* SYSENTER_ESP points here: the end of the general registers */
#define R_ES     36
#define R_FS     40
#define R_GS     44
#define R_VECTOR 48 /* 0-31 exception, 0x80 int $0x80, VEC_SYSENTER */
#define R_ERROR  52
#define R_EIP    56 /* from here the CPU's frame for an interrupt from ring 3 */
#define R_CS     60 /* (SDM Vol. 3A 6.12.1, Figure 6-4) */
#define R_EFLAGS 64
#define R_UESP   68
#define R_SS     72
#define R_SIZE   76 /* TSS.ESP0 points here: the end of the area */

#define VEC_SYSENTER 0x100 /* not a vector: marks a frame saved by the sysenter entry */

#ifndef __ASSEMBLER__
#include <stdint.h>
/* The thread's saved user registers (one thread: the global thread_regs, entry.S). Every entry
 * from user mode saves here: int $0x80 and exceptions through TSS.ESP0 (the CPU's frame, then the
 * stub's pushes), sysenter through SYSENTER_ESP (PUSHA). */
struct regs {
    uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
    uint32_t ds, es, fs, gs;
    uint32_t vector, error;
    uint32_t eip, cs, eflags, esp, ss;
};
#endif

#endif
