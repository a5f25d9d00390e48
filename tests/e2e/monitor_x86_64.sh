#!/bin/bash
# The monitor on the x86 core in IA-32e (long) mode.
#
# boot: the bare-metal image ring3_int80_64.S (identity map of 16 MiB with 2 MiB pages, a 64-bit
#   IDT and TSS, iretq to ring 3, int $0x80 back): compatibility mode between CR0.PG and the far
#   jump (regs, info seg, 32-bit disassembly), then 64-bit code; pt on a 2 MiB page, on entries
#   the session edits (accessed bit clear: pt must not set it; XD without EFER.NXE and a large
#   page's low address bits: reserved), on a not-present PDPTE and PML4E and a non-canonical
#   address; the int $0x80 round trip (break int 0x80, until iret) with the transition view, and
#   info idt/tss/gdt, regs and disas in the handler.
# kernel: the x86_64 guest kernel with a program (the int $0x80 ABI: the syscall mechanism is
#   another branch's): 4 KiB pages of the kernel (supervisor) and of the user stack (user), the
#   kernel's IDT (the DPL-3 trap gate of int $0x80), its TSS.RSP0 and 16-byte TSS descriptor, the
#   TLBs, info msr, and its symbols, which its ELF32 container holds as 32-bit values, at their
#   64-bit addresses.
# Addresses of the guest kernel change as it grows: those are matched by shape.
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/monitor_lib.bash"
IMAGE="$GUEST_DIR/x86_64_ring3_int80.elf"
PROG="$GUEST_DIR/x86_64_hello.elf"

session boot monitor --kernel "$IMAGE" <<'CMDS'
# the far jump to 64-bit code: EFER.LMA = 1, CS.L = 0
until bad_boot32-7
regs
info seg
disas $pc 1
until long_entry
disas $pc 2
# pd[7]: a 2 MiB page with A = D = 0; pt reads it, and it stays so
set *pd+0x38/g 0xe00087
pt 0xe00123
x/1g pd+0x38
# pd[6]: XD set while EFER.NXE = 0; pd[5]: address bit 13 of a 2 MiB page
set *pd+0x30/g 0x8000000000c00087
pt 0xc00000
set *pd+0x28/g 0xa02087
pt 0xa00000
# pd[4]: a page table beyond RAM
set *pd+0x20/g 0x7fff000007
pt 0x800000
# pml4[1]: PS is reserved in a PML4E
set *pml4+8/g 0x102087
pt 0x8000000000
pt 0x40000000
pt 0xffff800000000000
pt 0x0000800000000000
break int 0x80
continue
info idt
info tss
info gdt
info seg
regs
disas handler+9 1
until iret
info transitions
continue
CMDS
status_is 0
CAPSTONE=yes
grep -q "needs Capstone" "$OUT" && CAPSTONE=
# compatibility mode: the registers at 64 bits, 32-bit code
has_line "^rip +0x0000000000100[0-9a-f]{3} <_start\+0x[0-9a-f]+>  cpl 0  compatibility mode$"
has_line "^r8 +0x0000000000000000  r9 +0x0000000000000000  r10 +0x0000000000000000  r11 +0x0000000000000000$"
has_line "^cs +0010  \(   2 GDT 0\)  base=0x00000000 limit=0xffffffff code r-x dpl=0 P D/B=32 G=4K \(compatibility mode, 32-bit\)$"
has "mode: IA-32e, compatibility mode (EFER.LMA=1 CS.L=0 CS.D=1)"
has_line "efer 0x500$"
if [ -n "$CAPSTONE" ]; then
    has_line "^=> 0x[0-9a-f]{16} <_start\+0x[0-9a-f]+>  ljmp 8:0x[0-9a-f]+$"
    has_line "^=> 0x[0-9a-f]{16} <long_entry>  mov ax, 0x10$"
fi
# a 2 MiB page, level by level; the walk sets no accessed bit
has "cr0 0x80000011 (PG=1 WP=0)  cr3 0x00101000  cr4 0x00000020 (PSE=0 PAE=1)  efer 0x500 (LME=1 LMA=1 NXE=0)"
has "linear 0xe00123: pml4=0 pdpt=0 pd=0x7 pt=0 offset=0x123"
has_line "^  PML4E @0x101000 = 0x0000000000102027 \[P RW US A\] -> next table 0x102000$"
has_line "^  PDPTE @0x102000 = 0x0000000000103027 \[P RW US A\] -> next table 0x103000$"
has_line "^  PDE   @0x103038 = 0x0000000000e00087 \[P RW US PS\] leaf, 2 MiB page$"
has "-> pa 0xe00123  (user, writable, executable)"
has_line "^0x0000000000103038 <pd\+0x38>: 0x0000000000e00087$"
# reserved bits: the walk stops there
has_line "^  PDE   @0x103030 = 0x8000000000c00087 \[P RW US PS XD\] reserved bits set: 0x8000000000000000$"
has_line "^  PDE   @0x103028 = 0x0000000000a02087 \[P RW US PS\] reserved bits set: 0x2000$"
has "-> not mapped: reserved bits in the PDE (#PF with RSVD=1)"
has_line "^  PML4E @0x101008 = 0x0000000000102087 \[P RW US PS\] reserved bits set: 0x80$"
has "-> not mapped: reserved bits in the PML4E (#PF with RSVD=1)"
# not present, at the PDPTE and at the PML4E; not canonical
has_line "^  PDPTE @0x102008 = 0x0000000000000000 \[\] not present$"
has "-> not mapped: the PDPTE is not present (#PF with P=0)"
has_line "^  PML4E @0x101800 = 0x0000000000000000 \[\] not present$"
has "-> not mapped: the PML4E is not present (#PF with P=0)"
has_line "^  PDE   @0x103020 = 0x0000007fff000007 \[P RW US\] -> next table 0x7fff000000$"
has "-> not mapped: the PDE points outside RAM"
has "0x800000000000 is not canonical (bits 63:47 are not all equal): #GP, no walk"
# int $0x80 from ring 3: the transition view of the 64-bit delivery
has_line "^breakpoint 1: int 0x80$"
has_line "^   -- trap 128 \(INT n\) at 0x100117 <user\+0x6>, error code 0$"
has_line "^   -- privilege ring 3 -> ring 0 by int$"
has_line "^      rsp +0x107070 -> 0x106038$"
has_line "^      rip +0x100117 -> 0x100139$"
has_line "^      cs +0x23 -> 0x8$"
has_line "^      ss +0x1b -> 0$"
# ... and where the new values came from, as the core explains them (SDM Vol. 3A 6.14.2-6.14.4):
# TSS.RSP0 aligned down to 16, a null SS with RPL 0, the 64-bit frame, the gate, IF cleared
has_line "^      RSP <- TSS.rsp0 +=  ?0x106060$"
has_line "^      SS.sel <- null \(RPL = new CPL\) ?= 0$"
has_line "^      push SS:RSP, RFLAGS, CS:RIP +=  ?0x106038$"
has_line "^      CS:RIP <- IDT gate +=  ?0x100139$"
has_line "^      RFLAGS.IF <- 0 \(interrupt gate\) ?= 0x[0-9a-f]+$"
# the 16-byte gate (DPL 3), the 64-bit TSS, the 64-bit code segments' L bit, the TSS descriptor
has "IDT at 0x104000, limit 0xfff: 256 16-byte gates, IA-32e mode (present ones listed)"
has_line "^128 +64-bit interrupt gate  sel 0008 offset 0x0000000000100139 ist=0 dpl=3 handler$"
has "64-bit TSS at 0x105000 (tr 0028, limit 0x67)"
has_line "^rsp0 0x0000000000106068 "
has_line "^ist1 0x0000000000000000  ist2 0x0000000000000000  ist3"
has "GDT at 0x1003d0, limit 0x37: 7 descriptors"
has_line "^  1 sel 0008  00af9b000000ffff  base=0x00000000 limit=0xffffffff code r-x dpl=0 P L G=4K \(64-bit code\)$"
has_line "^  4 sel 0020  00affb000000ffff  base=0x00000000 limit=0xffffffff code r-x dpl=3 P L G=4K \(64-bit code\)$"
has_line "^  5 sel 0028  00008b1050000067 0000000000000000  base=0x0000000000105000 limit=0x00000067 64-bit TSS \(busy\) dpl=0 P$"
lacks " 6 sel 0030"
has "mode: IA-32e, 64-bit mode (EFER.LMA=1 CS.L=1 CS.D=0)"
has_line "^tr +0028  \(   5 GDT 0\)  base=0x00105000 limit=0x00000067 64-bit TSS \(busy\) dpl=0 P$"
has_line "^rip +0x0000000000100139 <handler>  cpl 0  64-bit mode$"
has_line "^rsp +0x0000000000106038  rbp"
has_line "^r12 +0x0000000000000000  r13 +0x0000000000000000  r14 +0x0000000000000000  r15 +0x0000000000000000$"
has_line "^rflags 0x00000003 \[CF\] IOPL=0$"
[ -n "$CAPSTONE" ] && has_line "^   0x0000000000100142 <handler\+0x9>  mov rbp, rsp$"
# iretq back to ring 3: the frame popped, the round trip's summary
has_line "^   0x[0-9a-f]{16} <handler\+0x[0-9a-f]+>  iretq$"
has_line "^   -- privilege ring 0 -> ring 3 by iret$"
has_line "^      rsp +0x106038 -> 0x107070$"
has_line "^      rip +0x[0-9a-f]+ -> 0x100119$"
has_line "^      cs +0x8 -> 0x23$"
has_line "^      RIP <- pop +=  ?0x100119 <after_int>$"
has_line "^      RSP <- pop +=  ?0x107070$"
has_line "^      SS <- pop +=  ?0x1b$"
has_line "^transition complete: #1 +int +at 0x100117 <user\+0x6> nr=1 -> iret at 0x[0-9a-f]+ <handler\+0x[0-9a-f]+>: [0-9]+ instructions"
has_line "^=> 0x0000000000100119 <after_int>  mov ebx, cs$"
has_line "^#1 +int +at 0x100117 <user\+0x6> nr=1 -> iret"
has_line "^   -- trap 128 \(INT n\) at 0x[0-9a-f]+ <after_int\+0x[0-9a-f]+>, error code 0$"
show_failed

session kernel monitor --mech int80 --max-insns 20000000 "$PROG" <<'CMDS'
break int 0x80
continue
info tlb
pt $rip
info idt
info tss
info gdt
regs
disas int80_entry 2
until iret
pt $rsp
info msr
quit
CMDS
# the vsyscall page's int $0x80 into the kernel's trap gate, on the kernel stack from TSS.RSP0
has_line "^   0xffffffffff6[0-9a-f]{5}   int 0x80$"
has_line "^   -- privilege ring 3 -> ring 0 by int$"
has_line "^      rsp +0x7fff[0-9a-f]{4} -> 0xffffffff8[0-9a-f]{7}$"
has_line "^      rip +0xffffffffff6[0-9a-f]{5} -> 0xffffffff8[0-9a-f]{7}$"
has_line "^      cs +0x2b -> 0x8$"
has_line "^      RSP <- TSS.rsp0 +=  ?0xffffffff8[0-9a-f]{7}$"
has_line "^      CS:RIP <- IDT gate +=  ?0xffffffff8[0-9a-f]{7}$"
# the TLBs: 64-bit linear pages of the kernel (supervisor) and of the user stack (user)
has "fetch TLB, 256 entries (linear page -> host page of RAM):"
has_line "^ *[0-9]+ linear 0xffffffff8[0-9a-f]{7} -> pa 0x[0-9a-f]{8} supervisor"
has_line "^ *[0-9]+ linear 0x000000007fff[0-9a-f]{4} -> pa 0x[0-9a-f]{8} user"
# kernel text: a 4 KiB page, supervisor only, reached through the upper half of the PML4
has_line "^linear 0xffffffff8[0-9a-f]{7}: pml4=0x1ff pdpt=0x1fe pd=(0|0x[0-9a-f]+) pt=(0|0x[0-9a-f]+) offset=(0|0x[0-9a-f]+)$"
has_line "^  PML4E @0x[0-9a-f]+ = 0x[0-9a-f]{16} \[P RW US A\] -> next table 0x[0-9a-f]+$"
has_line "^  PTE   @0x[0-9a-f]+ = 0x[0-9a-f]{16} \[P RW A( D)?( G)?\] leaf, 4 KiB page$"
has_line "^-> pa 0x[0-9a-f]+  \(supervisor only, writable, executable\)$"
# the user stack: a 4 KiB user page
has_line "^linear 0x7fff[0-9a-f]{4}: pml4=0 pdpt=0x1 pd=0x1ff pt=(0|0x[0-9a-f]+) offset=(0|0x[0-9a-f]+)$"
has_line "^  PTE   @0x[0-9a-f]+ = 0x[0-9a-f]{16} \[P RW US A D\] leaf, 4 KiB page$"
has_line "^-> pa 0x[0-9a-f]+  \(user, writable, executable\)$"
# the kernel's IDT: exception gates at DPL 0, the int $0x80 trap gate at DPL 3, by symbol
has_line "^ 14 #PF  64-bit interrupt gate  sel 0008 offset 0xffffffff8[0-9a-f]{7} ist=0 dpl=0 [a-z_0-9]+$"
has_line "^128 +64-bit trap gate +sel 0008 offset 0xffffffff8[0-9a-f]{7} ist=0 dpl=3 int80_entry$"
has_line "^64-bit TSS at 0xffffffff8[0-9a-f]{7} \(tr [0-9a-f]{4}, limit 0x67\)$"
has_line "^rsp0 0xffffffff8[0-9a-f]{7} "
has_line "^ +[0-9]+ sel [0-9a-f]{4}  [0-9a-f]{16} 00000000ffffffff  base=0xffffffff8[0-9a-f]{7} limit=0x00000067 64-bit TSS \(busy\) dpl=0 P$"
has_line "^ +[0-9]+ sel [0-9a-f]{4}  00affb000000ffff  base=0x00000000 limit=0xffffffff code r-x dpl=3 P L G=4K \(64-bit code\)$"
has_line "^rip +0xffffffff8[0-9a-f]{7} <int80_entry>  cpl 0  64-bit mode$"
has_line "^r8 +0x[0-9a-f]{16}  r9 +0x[0-9a-f]{16}  r10 +0x[0-9a-f]{16}  r11 +0x[0-9a-f]{16}$"
has_line "^fs.base 0x[0-9a-f]{16}  gs.base 0x[0-9a-f]{16}  kernel_gs_base 0xffffffff8[0-9a-f]{7}$"
has_line "^=> 0xffffffff8[0-9a-f]{7} <int80_entry>  "
# back through iretq
has_line "^   -- privilege ring 0 -> ring 3 by iret$"
has_line "^      cs +0x8 -> 0x2b$"
has_line "^      RIP <- pop +=  ?0xffffffffff6[0-9a-f]{5}$"
has_line "^      RSP <- pop +=  ?0x7fff[0-9a-f]{4}$"
has_line "^      SS <- pop +=  ?0x23$"
has_line "^transition complete: #1 +int +at 0xffffffffff6[0-9a-f]{5} nr=[0-9]+ -> iret at 0xffffffff8[0-9a-f]{7} <[a-z_0-9+x]+>: [0-9]+ instructions"
has_line "^EFER +0xc0000080 0x0000000000000501  \[SCE=1 LME=1 LMA=1 NXE=0\]$"
has_line "^LSTAR +0xc0000082 0xffffffff8[0-9a-f]{7}  <syscall_entry>  \(64-bit SYSCALL target\)$"
has_line "^STAR +0xc0000081 0x[0-9a-f]{16}  \[SYSCALL CS=0008 SYSRET CS=[0-9a-f]{4} EIP=[0-9a-f]{8}; SYSCALL SS=0010, SYSRETQ CS=[0-9a-f]{4} SS=[0-9a-f]{4}\]$"
has_line "^SFMASK +0xc0000084 0x[0-9a-f]{16}  \[SYSCALL clears:( [A-Z]+)+\]$"
has_line "^KERNEL_GS_BASE +0xc0000102 0xffffffff8[0-9a-f]{7}  <[a-z_0-9+x]+>  \(SWAPGS exchanges it with GS_BASE\)$"
show_failed
finish
