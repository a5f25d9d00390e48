#!/bin/bash
# The monitor on the 32-bit x86 core, booted with the bare-metal i386 image: regs, info msr,
# info seg, disassembly (Capstone), pt and info tlb without paging, x and set. The image itself
# loads no descriptor tables, so the session builds a GDT (with a TSS and ring-3 segments), an
# IDT with an int $0x80 gate, writes a few instructions with set, and steps them: lgdt, lidt,
# ltr, iret to ring 3, int $0x80 back to ring 0 and iret to ring 3 again; info gdt/idt/tss and
# the transition breakpoints (int N, iret, mode) read the result.
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/monitor_lib.bash"
IMAGE="$GUEST_DIR/i386_multiboot_hello.elf"

session boot monitor --kernel "$IMAGE" <<'CMDS'
regs
info msr
set sysenter_cs 0x10
info msr
info seg
info gdt
info idt
info tss
pt 0x100000
info tlb
x/4b _start
x/1w 0x100010
disas
step 5
next
info csr
info transitions
continue
CMDS
status_is 0
CAPSTONE=yes
grep -q "needs Capstone" "$OUT" && CAPSTONE=
has_line "^eip +0x0010000c <_start>  cpl 0  32-bit code$"
has_line "^eax +0x2badb002  ecx +0x00000000  edx +0x00000000  ebx +0x000[0-9a-f]{5}$"
has_line "^eflags 0x00000002 \[\] IOPL=0$"
has "es 0018  cs 0010  ss 0018  ds 0018  fs 0018  gs 0018"
has_line "^cr0 0x00000011  cr2 0x00000000  cr3 0x00000000  cr4 0x00000000$"
has_line "^SYSENTER_CS +0x00000174 0x0000000000000000  \[CS=0000 SS=0008; SYSEXIT CS=0013 SS=001b\]$"
has_line "^EFER +0xc0000080 0x0000000000000000  \[SCE=0 LME=0 LMA=0 NXE=0\]$"
has_line "^APIC_BASE +0x0000001b 0x00000000fee00900  \[BSP=1 EN=1 BASE=0xfee00000\]$"
has_line "^SYSENTER_CS +0x00000174 0x0000000000000010  \[CS=0010 SS=0018; SYSEXIT CS=0023 SS=002b\]$"
has_line "^LSTAR +0xc0000082 0x0000000000000000$"
has_line "^cs +0010  \(   2 GDT 0\)  base=0x00000000 limit=0xffffffff code r-x dpl=0 P D/B=32 G=4K$"
has_line "^ss +0018  \(   3 GDT 0\)  base=0x00000000 limit=0xffffffff data rw- dpl=0 P D/B=32 G=4K$"
has_line "^ldtr 0000  \(   0 GDT 0\)  base=0x00000000 limit=0x00000000 unusable$"
has "gdtr base=0x00000000 limit=0xffff   idtr base=0x00000000 limit=0x0000"
has "GDT at 0, limit 0xffff: 8192 descriptors"
has_line "^\([0-9]+ more null descriptors\)$"
has "IDT at 0, limit 0: 0 gates (present ones listed)"
has "info tss: no task register loaded (tr = 0)"
has "cr0 0x00000011 (PG=0 WP=0)  cr3 0x00000000  cr4 0x00000000 (PSE=0 PAE=0)"
has "no translation (CR0.PG = 0): physical = linear = 0x100000"
has "read TLB, 256 entries (linear page -> host page of RAM):"
has_line "^0x0000000000100010 <_start\+0x4>: 0x[0-9a-f]{8}$"
if [ -n "$CAPSTONE" ]; then
    has_line "^=> 0x000000000010000c <_start>  cmp eax, 0x2badb002$"
    has_line "^   0x000000000010001b <_start\+0xf>  mov esi, 0x10005b$"
    # next steps over the call to the console routine: the image prints, then the next line
    has "hello from i386 bare metal (com1)"
    has_line "^=> 0x0000000000100025 <_start\+0x19>  mov al, 0$"
fi
has "info csr: RISC-V only (x86: info msr, regs)"
has "no transitions yet"
has_line "^the guest exited with status 0 after [0-9]+ instructions$"
show_failed

session rings monitor --kernel "$IMAGE" <<'CMDS'
# GDT: null, two flat ring-0 code (0x08, 0x10), ring-0 data (0x18), a TSS (0x20), ring-3 code
# (0x2b) and data (0x33); GDTR and IDTR images; the int $0x80 gate (DPL 3) -> 0x6200
set *0x2000/g 0
set *0x2008/g 0x00cf9a000000ffff
set *0x2010/g 0x00cf9a000000ffff
set *0x2018/g 0x00cf92000000ffff
set *0x2020/g 0x0000890040000067
set *0x2028/g 0x00cffa000000ffff
set *0x2030/g 0x00cff2000000ffff
set *0x3000/g 0x0000000020000037
set *0x3010/g 0x00000000500007ff
set *0x5400/g 0x0000ee0000106200
# the TSS: esp0 = 0x8000, ss0 = 0x18
set *0x4004/w 0x8000
set *0x4008/w 0x18
# ring 0 at 0x6000: lgdt [0x3000]; lidt [0x3010]; mov ax, 0x20; ltr ax;
#   push 0x33; push 0x7000; push 2; push 0x2b; push 0x6100; iret
set *0x6000/g 0x0f0000300015010f
set *0x6008/g 0xb866000030101d01
set *0x6010/g 0x68336ad8000f0020
set *0x6018/g 0x2b6a026a00007000
set *0x6020/g 0x9090cf0000610068
# ring 3 at 0x6100: int 0x80; jmp $      the handler at 0x6200: iret
set *0x6100/w 0xfeeb80cd
set *0x6200/b 0xcf
set eip 0x6000
break iret
break int 0x80
break mode user->kernel
info break
continue
regs
info seg
info gdt
info idt
info tss
continue
info last
continue
info transitions
x/5w 0x7fec
CMDS
status_is 0
has "eip = 0x6000 (was 0x10000c)"
has "breakpoint 1: iret"
has "breakpoint 2: int 0x80"
has "breakpoint 3: mode user->kernel"
has_line "^1 +transition +yes +0 +iret$"
has_line "^2 +vector +yes +0 +int 0x80$"
has_line "^3 +mode +yes +0 +mode user->kernel$"
has_line "^   -- privilege ring 0 -> ring 3 by iret$"
has_line "^eip +0x00006100   cpl 3  32-bit code$"
has_line "^esp +0x00007000  ebp"
has_line "^cs +002b  \(   5 GDT 3\)  base=0x00000000 limit=0xffffffff code r-x dpl=3 P D/B=32 G=4K$"
has_line "^ss +0033  \(   6 GDT 3\)  base=0x00000000 limit=0xffffffff data rw- dpl=3 P D/B=32 G=4K$"
has_line "^tr +0020  \(   4 GDT 0\)  base=0x00004000 limit=0x00000067 32-bit TSS \(busy\) dpl=0 P$"
has "GDT at 0x2000, limit 0x37: 7 descriptors"
has_line "^  4 sel 0020  00008b0040000067  base=0x00004000 limit=0x00000067 32-bit TSS \(busy\) dpl=0 P$"
has_line "^  5 sel 0028  00cffb000000ffff  base=0x00000000 limit=0xffffffff code r-x dpl=3 P D/B=32 G=4K$"
has "IDT at 0x5000, limit 0x7ff: 256 gates (present ones listed)"
has_line "^128 +32-bit interrupt gate  sel 0010 offset 0x00006200 dpl=3 $"
has "TSS at 0x4000 (tr 0020, limit 0x67)"
has "esp0 0x00008000  ss0 0018   (the kernel stack of a ring 3 -> 0 transition)"
# int $0x80 from ring 3: both breakpoints (int 0x80, mode) name the same step
has_line "^breakpoint 2: int 0x80$"
has_line "^   0x0000000000006100   int 0x80$"
has_line "^   -- trap 128 \(INT n\) at 0x6100, error code 0$"
has_line "^   -- privilege ring 3 -> ring 0 by int$"
has_line "^=> 0x0000000000006200   iretd?$"
# what the transition changed: the stack switch to TSS.ss0:esp0 less the five pushes, the gate's
# CS:EIP, the privilege; and back (iret to ring 3 nulls the data segment registers of ring 0)
has_line "^      esp +0x7000 -> 0x7fec$"
has_line "^      eip +0x6100 -> 0x6200$"
has_line "^      cpl +0x3 -> 0 \(ring 3 -> ring 0\)$"
has_line "^      cs +0x2b -> 0x10$"
has_line "^      ss +0x33 -> 0x18$"
has_line "^      eip +0x6200 -> 0x6102$"
has_line "^      cpl +0 -> 0x3 \(ring 0 -> ring 3\)$"
has_line "^      ds +0x18 -> 0$"
# where the values came from, as the core explains each step (SDM Vol. 3A 6.12.1, IRET in Vol. 2A):
# TSS.ss0:esp0, the five pushes, the gate, IF cleared by an interrupt gate, and the popped frame
has_line "^      SS.sel <- TSS.ss0 +=  ?0x18$"
has_line "^      ESP <- TSS.esp0 +=  ?0x8000$"
has_line "^      push SS:ESP, EFLAGS, CS:EIP +=  ?0x7fec$"
has_line "^      CS:EIP <- IDT gate +=  ?0x6200$"
has_line "^      RFLAGS.IF <- 0 \(interrupt gate\) ?= 0x[0-9a-f]+$"
has_line "^      CPL <- CS.DPL +=  ?0$"
has_line "^      EIP <- pop +=  ?0x6102$"
has_line "^      CS <- pop +=  ?0x2b$"
has_line "^      SS <- pop +=  ?0x33$"
has_line "^      CPL <- CS.RPL +=  ?0x3$"
# back to ring 3 by iret: the round trip's summary
has_line "^transition complete: #1 +int +at 0x6100 nr=[0-9]+ -> iret at 0x6200: 1 instructions"
has_line "^=> 0x0000000000006102   jmp 0x6102$"
has_line "^#1 +int +at 0x6100 nr=[0-9]+ -> iret at 0x6200: 1 instructions"
# the stack of the ring 3 -> 0 transition, on esp0: eip, cs, eflags, esp, ss
has_line "^0x0000000000007fec: 0x00006102 0x0000002b 0x0000000[0-9a-f] 0x00007000$"
has_line "^0x0000000000007ffc: 0x00000033$"
show_failed
finish
