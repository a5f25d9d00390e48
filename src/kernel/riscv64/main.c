/* kmain: the S-mode kernel's boot. Called once by s_entry (entry.S) on hart 0, paging off, with
 * the hart id and the device tree address from the boot loader. Reads the device tree and the
 * command line, builds the page allocator and the kernel page table, turns paging on, creates the
 * process (user page table, trapframe, trampoline), execs the program the boot loader handed over
 * as initrd, and enters it through usertrapret(). */
#include "fdt.h"
#include "rv64.h"

void kmain(uint64_t hartid, uint64_t fdt_pa);

static char cmdline[CMDLINE_MAX];

/* Before the program exists: explain and stop with EXIT_CANNOT_EXEC (126). */
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

void kmain(uint64_t hartid, uint64_t fdt_pa)
{
    uart_init();
    struct fdt_info fdt;
    const char *why;
    if (fdt_read((const void *)fdt_pa, &fdt, &why) < 0) panic("%s (a1 = 0x%lx)", why, fdt_pa);
    clock_init(fdt.timebase_hz);
    uint64_t ram_base = fdt.mem_base, ram_end = fdt.mem_base + fdt.mem_size;
    if ((uint64_t)kernel_end > ram_end || ram_base > 0x80000000)
        panic("the kernel is not inside RAM (0x%lx..0x%lx)", ram_base, ram_end);

    struct boot_args args;
    const char *bootargs = fdt.bootargs ? fdt.bootargs : "";
    if (strlen(bootargs) >= sizeof cmdline) cannot_run("command line too long");
    memcpy(cmdline, bootargs, strlen(bootargs) + 1); /* the device tree is not kept */
    if (cmdline_parse(cmdline, &args, &why) < 0) cannot_run("bad command line: %s", why);
    if (strcmp(args.mech, "auto") != 0 && strcmp(args.mech, "ecall") != 0)
        cannot_run("mech=%s does not exist on riscv64 (auto or ecall)", args.mech);
    if (!fdt.has_initrd) cannot_run("no program: the boot loader passed no initrd");
    if (fdt.initrd_start < ram_base || fdt.initrd_end > ram_end)
        cannot_run("the initrd (0x%lx..0x%lx) is not in RAM", fdt.initrd_start, fdt.initrd_end);

    /* Free memory: RAM after the kernel, except the initrd, the device tree and its reservations
     * (the device tree is copied from nothing after boot, but leaving it alone costs one page or
     * two and keeps it readable for debugging). */
    struct phys_range reserved[2 + FDT_MAX_RESERVED];
    int n = 0;
    reserved[n++] = (struct phys_range){fdt.initrd_start, fdt.initrd_end};
    reserved[n++] = (struct phys_range){fdt_pa, fdt_pa + fdt.totalsize};
    for (int i = 0; i < fdt.n_reserved; i++)
        reserved[n++] =
            (struct phys_range){fdt.reserved[i].base, fdt.reserved[i].base + fdt.reserved[i].size};
    kalloc_init((uint64_t)kernel_end, ram_end, reserved, n);

    kvm_init(ram_base, ram_end);
    kvm_enable();
    if (args.kfault) { /* on purpose: a load from the kernel stack's guard page */
        kprintf("kernel: kfault: loading from the kernel stack guard page 0x%lx\n",
                (uint64_t)KSTACK_GUARD);
        volatile uint64_t *guard = (volatile uint64_t *)KSTACK_GUARD;
        (void)*guard;
    }

    struct proc *p = &proc0;
    p->arch.tf = kalloc();
    if (!p->arch.tf || !(p->arch.pagetable = uvm_create(p->arch.tf)))
        cannot_run("out of memory creating the process");
    int rc = exec_image(p, (const uint8_t *)fdt.initrd_start, fdt.initrd_end - fdt.initrd_start,
                        args.argc, args.argv, &why);
    if (rc < 0) cannot_run("cannot run %s: %s", args.argc ? args.argv[0] : "the initrd", why);
    if (args.verbose) {
        kprintf("ringside riscv64 kernel: hart %lu, RAM 0x%lx..0x%lx, timebase %lu Hz, PMP %s, "
                "mech %s\n",
                hartid, ram_base, ram_end, arch_clock_hz(), pmp_present ? "opened" : "absent",
                args.mech);
        kprintf("  kernel 0x80000000..0x%lx, device tree 0x%lx, initrd 0x%lx..0x%lx\n",
                (uint64_t)kernel_end, fdt_pa, fdt.initrd_start, fdt.initrd_end);
        kprintf("  trampoline 0x%lx, trapframe 0x%lx, kernel stack 0x%lx..0x%lx\n",
                (uint64_t)TRAMPOLINE, (uint64_t)TRAPFRAME, (uint64_t)(KSTACK_TOP - KSTACK_SIZE),
                (uint64_t)KSTACK_TOP);
        kprintf("  %s: entry 0x%lx, sp 0x%lx, brk 0x%lx, at most %lu pages left\n", p->name,
                p->entry, p->sp, p->brk, kalloc_pages_left());
    }
    p->arch.tf->pc = p->entry;
    p->arch.tf->x[2] = p->sp; /* every other register starts at zero, as on Linux */
    usertrapret();
}
