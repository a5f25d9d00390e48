/* kmain: the i386 kernel's boot. Called once by boot.S on the kernel stack, paging on with the
 * boot page directory, with the Multiboot loader's EAX and EBX. Reads the Multiboot information
 * (command line, module = the user program, memory map), sets up the GDT, TSS and IDT, the
 * SYSENTER MSRs when the CPU has them, the kernel page directory, the process and its vsyscall
 * page, execs the program and enters it with IRET (enter_user, entry.S). */
#include "i386.h"

void kmain(uint32_t magic, uint32_t mbi_pa);

static uint64_t gdt[GDT_ENTRIES];
static uint64_t idt[256];

/* The 32-bit TSS (SDM Vol. 3A 7.2.1, Figure 7-2); only SS0:ESP0 and the I/O map base matter. */
static struct {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
} tss;
_Static_assert(sizeof tss == 104, "the 32-bit TSS is 104 bytes");

static struct mb_info mb;
static char cmdline[CMDLINE_MAX];

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
    if (pa >= BOOT_MAP) panic("Multiboot data at 0x%llx is above the boot mapping", pa);
    return P2V(pa);
}

/* An IDT gate (SDM Vol. 3A 6.11, Figure 6-2): offset, selector, P | DPL | type. Type 0xE is a
 * 32-bit interrupt gate (clears IF), 0xF a trap gate (leaves IF alone). */
static uint64_t gate(uint32_t offset, int dpl, int type)
{
    return (offset & 0xffffull) | (uint64_t)KCODE_SEL << 16 |
           (uint64_t)(0x80 | dpl << 5 | type) << 40 | (uint64_t)(offset >> 16) << 48;
}

static void load_descriptor_tables(void)
{
    gdt[KCODE_SEL >> 3] = seg_desc(SEG_ACCESS_KCODE, SEG_FLAGS_32);
    gdt[KDATA_SEL >> 3] = seg_desc(SEG_ACCESS_KDATA, SEG_FLAGS_32);
    gdt[UCODE_SEL >> 3] = seg_desc(SEG_ACCESS_UCODE, SEG_FLAGS_32);
    gdt[UDATA_SEL >> 3] = seg_desc(SEG_ACCESS_UDATA, SEG_FLAGS_32);
    gdt[TSS_SEL >> 3] = tss_desc_low((uint32_t)&tss, sizeof tss - 1);
    tss.ss0 = KDATA_SEL;
    tss.esp0 = (uint32_t)(&thread_regs + 1); /* ring 3 -> 0 pushes land in thread_regs */
    tss.iomap_base = sizeof tss;             /* no I/O bitmap: ring 3 may not use ports */
    struct __attribute__((packed)) {
        uint16_t limit;
        uint32_t base;
    } gdtr = {sizeof gdt - 1, (uint32_t)gdt}, idtr = {sizeof idt - 1, (uint32_t)idt};
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp %1, $1f\n"
                     "1:\n\t"
                     "movl %2, %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\t"
                     "xorl %%eax, %%eax\n\t"
                     "movl %%eax, %%fs\n\t"
                     "movl %%eax, %%gs\n\t"
                     "ltr %w3"
                     :
                     : "m"(gdtr), "i"(KCODE_SEL), "i"(KDATA_SEL), "r"(TSS_SEL)
                     : "eax", "memory");
    for (int v = 0; v < 32; v++)
        idt[v] = gate(exc_stubs[v], 0, 0xe);
    idt[VEC_INT80] = gate((uint32_t)int80_entry, 3, 0xf); /* DPL 3: int $0x80 allowed in ring 3 */
    __asm__ volatile("lidt %0" : : "m"(idtr));
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
    bool sep = cpu_has_sep(), use_sysenter;
    if (strcmp(args.mech, "auto") == 0)
        use_sysenter = sep;
    else if (strcmp(args.mech, "sysenter") == 0) {
        if (!sep) cannot_run("mech=sysenter: this CPU has no SYSENTER (CPUID.1:EDX.SEP = 0)");
        use_sysenter = true;
    } else if (strcmp(args.mech, "int80") == 0)
        use_sysenter = false;
    else
        cannot_run("mech=%s does not exist on i386 (auto, int80 or sysenter)", args.mech);
    if (!mb.has_module) cannot_run("no program: the boot loader passed no module");
    uint64_t ram_end = mb.ram_end < DIRECT_MAX ? mb.ram_end : DIRECT_MAX;
    if (mb.mod_end > ram_end || mb.mod_start > mb.mod_end)
        cannot_run("the module (0x%llx..0x%llx) is not in RAM", mb.mod_start, mb.mod_end);

    /* SDM Vol. 3A 5.8.7: SYSENTER_CS is the kernel code selector (SS = +8, and SYSEXIT's user CS
     * and SS = +16 and +24, which regs.h's GDT order provides); SYSENTER_ESP the end of the
     * thread's saved general registers; SYSENTER_EIP the entry. Written whenever the CPU has
     * them, whichever mechanism the vsyscall page uses. */
    if (sep) {
        wrmsr(MSR_SYSENTER_CS, KCODE_SEL);
        wrmsr(MSR_SYSENTER_ESP, (uint32_t)&thread_regs.ds);
        wrmsr(MSR_SYSENTER_EIP, (uint32_t)sysenter_entry);
    }

    struct phys_range reserved[] = {{mb.mod_start, mb.mod_end}};
    kalloc_init(V2P(kernel_end), ram_end, reserved, 1);
    kvm_init(ram_end);
    if (args.kfault) { /* on purpose: a load from the kernel stack's guard page */
        kprintf("kernel: kfault: loading from the kernel stack guard page 0x%x\n",
                (uint32_t)kstack_guard);
        (void)*(volatile uint32_t *)kstack_guard;
    }

    struct proc *p = &proc0;
    if (!(p->arch.pgdir = uvm_create())) cannot_run("out of memory creating the process");
    const char *code = use_sysenter ? vsys_sysenter_start : vsys_int80_start;
    const char *code_end = use_sysenter ? vsys_sysenter_end : vsys_int80_end;
    if (vsyscall_map(p->arch.pgdir, code, (uint32_t)(code_end - code)) < 0)
        cannot_run("out of memory for the vsyscall page");
    vsyscall_return = VSYSCALL_VA + VSYS_SYSENTER_RETURN;
    write_cr3((uint32_t)V2P(p->arch.pgdir));

    struct exec_abi abi;
    exec_default_abi(&abi);
    abi.sysinfo = VSYSCALL_VA; /* __kernel_vsyscall is the page's first byte */
    int rc = exec_image_abi(&abi, p, P2V(mb.mod_start), mb.mod_end - mb.mod_start, args.argc,
                            args.argv, &why);
    if (rc < 0) cannot_run("cannot run %s: %s", args.argc ? args.argv[0] : "the module", why);
    if (args.verbose) {
        kprintf("ringside i386 kernel: RAM 0..0x%llx, SEP %s, mech %s: vsyscall uses %s\n", ram_end,
                sep ? "yes" : "no", args.mech, use_sysenter ? "sysenter" : "int $0x80");
        kprintf("  kernel 0x%x..0x%x, module 0x%llx..0x%llx, kernel stack 0x%x..0x%x\n",
                KERNBASE + KERNEL_PHYS, (uint32_t)kernel_end, mb.mod_start, mb.mod_end,
                (uint32_t)kstack_guard + PAGE_SIZE, (uint32_t)kstack_top);
        kprintf("  gdt 0x%x, idt 0x%x, tss 0x%x (esp0 0x%x), sysenter_esp 0x%x, vsyscall 0x%x\n",
                (uint32_t)gdt, (uint32_t)idt, (uint32_t)&tss, tss.esp0, (uint32_t)&thread_regs.ds,
                VSYSCALL_VA);
        kprintf("  %s: entry 0x%llx, sp 0x%llx, brk 0x%llx, at most %llu pages left\n", p->name,
                p->entry, p->sp, p->brk, kalloc_pages_left());
    }
    /* The first entry into the program: IRET from thread_regs; registers zero, IF = 1. */
    struct regs *r = &thread_regs;
    memset(r, 0, sizeof *r);
    r->eip = (uint32_t)p->entry;
    r->esp = (uint32_t)p->sp;
    r->cs = UCODE_SEL;
    r->ss = r->ds = r->es = r->fs = r->gs = UDATA_SEL;
    r->eflags = FL_IF | FL_RESERVED1;
    enter_user();
}
