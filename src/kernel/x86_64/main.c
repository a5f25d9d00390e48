/* kmain: the x86_64 kernel's boot. Called once by boot.S in 64-bit mode on the kernel stack, with
 * the boot page tables and the Multiboot loader's EAX and EBX. Reads the Multiboot information,
 * loads the GDT (by its virtual address), the TSS and the IDT, sets up the system-call MSRs for
 * the mechanisms the CPU has, builds the kernel page tables, the process and its vsyscall page,
 * execs the program and enters it with IRETQ (enter_user, entry.S). */
#include "x86_64.h"

void kmain(uint32_t magic, uint32_t mbi_pa);

/* The 64-bit TSS (SDM Vol. 3A 7.7, Figure 7-11): RSP0 is the stack for interrupts from ring 3. */
static struct __attribute__((packed)) {
    uint32_t reserved0;
    uint64_t rsp0, rsp1, rsp2, reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3, iomap_base;
} tss;
_Static_assert(sizeof tss == 104, "the 64-bit TSS is 104 bytes");

static uint64_t idt[512]; /* 256 16-byte gates */
static struct mb_info mb;
static char cmdline[CMDLINE_MAX];

enum mech { MECH_SYSCALL, MECH_INT80, MECH_SYSENTER };

__attribute__((noreturn, format(printf, 1, 2))) static void cannot_run(const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kprintf("kernel: %s\n", buf);
    arch_shutdown(EXIT_CANNOT_EXEC);
}

static void *boot_phys(uint64_t pa)
{
    if (pa >= BOOT_MAP) panic("Multiboot data at 0x%lx is above the boot mapping", pa);
    return P2V(pa);
}

/* A 64-bit IDT gate (SDM Vol. 3A 6.14.1, Figure 6-8): 16 bytes, offset in three pieces, the code
 * selector, IST 0, P | DPL | type (0xE interrupt gate: clears IF; 0xF trap gate). */
static void set_gate(int vec, uint64_t offset, int dpl, int type)
{
    idt[2 * vec] = (offset & 0xffff) | (uint64_t)KCODE_SEL << 16 |
                   (uint64_t)(0x80 | dpl << 5 | type) << 40 | ((offset >> 16) & 0xffff) << 48;
    idt[2 * vec + 1] = offset >> 32;
}

static void load_descriptor_tables(void)
{
    tss.rsp0 = (uint64_t)kstack_top;
    tss.iomap_base = sizeof tss; /* no I/O bitmap */
    gdt[TSS_SEL >> 3] = tss_desc_low((uint64_t)&tss, sizeof tss - 1);
    gdt[(TSS_SEL >> 3) + 1] = (uint64_t)&tss >> 32; /* 7.2.3: base[63:32] */
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } gdtr = {GDT_ENTRIES * 8 - 1, (uint64_t)gdt}, idtr = {sizeof idt - 1, (uint64_t)idt};
    __asm__ volatile("lgdt %0\n\t"
                     "ltr %w1"
                     :
                     : "m"(gdtr), "r"(TSS_SEL)
                     : "memory");
    for (int v = 0; v < 32; v++)
        set_gate(v, exc_stubs[v], 0, 0xe);
    set_gate(VEC_INT80, (uint64_t)int80_entry, 3, 0xf); /* DPL 3 trap gate: int $0x80 in ring 3 */
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

/* The system-call MSRs. SYSCALL always (EFER.SCE, SDM Vol. 3A 5.8.8): STAR[47:32] = the kernel CS
 * (SS = +8), STAR[63:48] = 0x18|3, from which SYSRETQ takes CS = +16 and SS = +8 (regs.h);
 * LSTAR = the entry; SFMASK clears IF (interrupts stay off until syscall_entry's STI), DF (the C
 * ABI), TF (no single-step into the kernel), AC (no alignment checks in ring 0) and NT.
 * SYSENTER_CS/ESP/EIP only on Intel CPUs: in 64-bit mode AMD CPUs raise #UD for SYSENTER (AMD APM
 * Vol. 3, SYSENTER), so there is nothing to set up. */
static void setup_msrs(bool intel)
{
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    wrmsr(MSR_STAR, (uint64_t)UCODE32_SEL << 48 | (uint64_t)KCODE_SEL << 32);
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_CSTAR, 0); /* SYSCALL from 32-bit code is not offered */
    wrmsr(MSR_SFMASK, FL_IF | FL_DF | FL_TF | FL_AC | 0x4000 /* NT */);
    thread0.kstack_top = (uint64_t)kstack_top;
    wrmsr(MSR_GS_BASE, 0);
    wrmsr(MSR_KERNEL_GS_BASE, (uint64_t)&thread0); /* SWAPGS in syscall_entry makes it GS.base */
    if (intel) {
        wrmsr(MSR_SYSENTER_CS, KCODE_SEL);
        wrmsr(MSR_SYSENTER_ESP, (uint64_t)kstack_top);
        wrmsr(MSR_SYSENTER_EIP, (uint64_t)sysenter_entry);
    }
}

void kmain(uint32_t magic, uint32_t mbi_pa)
{
    x86_platform_init();
    const char *why;
    if (mb_read(magic, mbi_pa, boot_phys, &mb, &why) < 0) panic("%s", why);
    load_descriptor_tables();

    struct boot_args args;
    memcpy(cmdline, mb.cmdline, strlen(mb.cmdline) + 1);
    if (cmdline_parse(cmdline, &args, &why) < 0) cannot_run("bad command line: %s", why);
    bool intel = cpu_is_intel();
    enum mech mech;
    if (strcmp(args.mech, "auto") == 0 || strcmp(args.mech, "syscall") == 0)
        mech = MECH_SYSCALL;
    else if (strcmp(args.mech, "int80") == 0)
        mech = MECH_INT80;
    else if (strcmp(args.mech, "sysenter") == 0) {
        if (!intel)
            cannot_run("mech=sysenter is not available: SYSENTER is invalid in 64-bit mode on "
                       "this CPU (not GenuineIntel; AMD APM Vol. 3 SYSENTER: #UD in long mode)");
        mech = MECH_SYSENTER;
    } else
        cannot_run("mech=%s does not exist on x86_64 (auto, syscall, int80 or sysenter)",
                   args.mech);
    if (!mb.has_module) cannot_run("no program: the boot loader passed no module");
    uint64_t ram_end = mb.ram_end < DIRECT_MAX ? mb.ram_end : DIRECT_MAX;
    if (mb.mod_end > ram_end || mb.mod_start > mb.mod_end)
        cannot_run("the module (0x%lx..0x%lx) is not in RAM", mb.mod_start, mb.mod_end);
    setup_msrs(intel);

    struct phys_range reserved[] = {{mb.mod_start, mb.mod_end}};
    kalloc_init(V2P(kernel_end), ram_end, reserved, 1);
    kvm_init(ram_end);
    if (args.kfault) {
        kprintf("kernel: kfault: loading from the kernel stack guard page 0x%lx\n",
                (uint64_t)kstack_guard);
        (void)*(volatile uint64_t *)kstack_guard;
    }

    struct proc *p = &proc0;
    if (!(p->arch.pml4 = uvm_create())) cannot_run("out of memory creating the process");
    static const char *const names[] = {"syscall", "int $0x80 (i386 compat ABI)", "sysenter"};
    const char *code = mech == MECH_SYSCALL ? vsys_syscall_start
                       : mech == MECH_INT80 ? vsys_int80_start
                                            : vsys_sysenter_start;
    const char *end = mech == MECH_SYSCALL ? vsys_syscall_end
                      : mech == MECH_INT80 ? vsys_int80_end
                                           : vsys_sysenter_end;
    if (vsyscall_map(p->arch.pml4, code, (uint64_t)(end - code)) < 0)
        cannot_run("out of memory for the vsyscall page");
    vsyscall_return = VSYSCALL_VA + VSYS_SYSENTER_RETURN;
    write_cr3(V2P(p->arch.pml4));

    struct exec_abi abi;
    exec_default_abi(&abi);
    abi.sysinfo = VSYSCALL_VA + 0x10; /* __kernel_vsyscall (vsyscall.S) */
    int rc = exec_image_abi(&abi, p, P2V(mb.mod_start), mb.mod_end - mb.mod_start, args.argc,
                            args.argv, &why);
    if (rc < 0) cannot_run("cannot run %s: %s", args.argc ? args.argv[0] : "the module", why);
    if (args.verbose) {
        kprintf("ringside x86_64 kernel: RAM 0..0x%lx, %s CPU, mech %s: vsyscall uses %s\n",
                ram_end, intel ? "Intel" : "non-Intel", args.mech, names[mech]);
        kprintf("  kernel 0x%lx..0x%lx, module 0x%lx..0x%lx, kernel stack 0x%lx..0x%lx\n",
                (uint64_t)KERNBASE + KERNEL_PHYS, (uint64_t)kernel_end, mb.mod_start, mb.mod_end,
                (uint64_t)kstack_guard + PAGE_SIZE, (uint64_t)kstack_top);
        kprintf("  gdt 0x%lx, idt 0x%lx, tss 0x%lx (rsp0 0x%lx), thread (KERNEL_GS_BASE) 0x%lx, "
                "vsyscall 0x%lx\n",
                (uint64_t)gdt, (uint64_t)idt, (uint64_t)&tss, tss.rsp0, (uint64_t)&thread0,
                (uint64_t)VSYSCALL_VA);
        kprintf("  %s: entry 0x%lx, sp 0x%lx, brk 0x%lx, at most %lu pages left\n", p->name,
                p->entry, p->sp, p->brk, kalloc_pages_left());
    }
    struct regs *r = &initial_regs; /* registers zero, IF = 1, as Linux starts a program */
    r->rip = p->entry;
    r->rsp = p->sp;
    r->cs = UCODE_SEL;
    r->ss = UDATA_SEL;
    r->rflags = FL_IF | FL_RESERVED1;
    enter_user();
}
