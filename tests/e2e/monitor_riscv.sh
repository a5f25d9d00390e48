#!/bin/bash
# Every monitor command on RISC-V (the riscv64 guest kernel running riscv64_hello), in scripted
# sessions on standard input, with the printed output checked; bad input prints one line and the
# session goes on; --monitor-script and source run command files.
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/monitor_lib.bash"
PROG="$GUEST_DIR/riscv64_hello.elf"

# help is generated from the command table
session help monitor "$PROG" <<'CMDS'
help
help info
help s
CMDS
status_is 0
for c in step next continue until finish run break watch delete disable enable info regs pt x \
         disas set source help quit; do
    has_line "^  $c +[a-z]"
done
has "  info csr          RISC-V CSRs from the CSR table with named fields"
has "  info transitions  user <-> kernel round trips seen so far"
has "step [N]"
has "  aliases: s si stepi"
show_failed

# Execution and breakpoints
session exec monitor "$PROG" <<'CMDS'
break mret
continue
info csr mstatus mcause
break exception 8
info break
disable 2
info break
enable 2
delete 1
break main
continue
delete
regs
regs a0 sp
run 3
next
step 2

until main+0x30
next
watch $sp-8 8 w
continue
delete
until exit
info transitions
finish
continue
step
regs pc
CMDS
status_is 0
has_line "^=> 0x0000000080000000 <_start>  bnez	a0, 0x80000034$"
has "breakpoint 1: mret"
has_line "^   0x0000000080000030 <_start\+0x30>  mret$"
has_line "^      pc <- mepc +  = 0x8000009c <s_entry>$"
has_line "^      priv <- mstatus.MPP +  = 0x1 \(S\)$"
has_line "^   -- privilege M -> S by mret$"
has_line "^mstatus +0x300 0x0000000a00000080  \[SIE=0 MIE=0 SPIE=0 UBE=0 MPIE=1 SPP=0 MPP=0 .* SXL=2 SD=0\]$"
has_line "^mcause +0x342 0x0000000000000000  \[Interrupt=0 Code=0\] instruction address misaligned$"
has "breakpoint 2: exception 8"
has_line "^1 +transition +yes +1 +mret$"
has_line "^2 +vector +yes +0 +exception 8$"
has "disabled 2"
has_line "^2 +vector +no +0 +exception 8$"
has "enabled 2"
has "deleted 1"
has "breakpoint 3: main at 0x10af0 <main>"
has_line "^breakpoint 3: main$"
has_line "^=> 0x0000000000010af0 <main>  addi	sp, sp, -48$"
has "all breakpoints deleted"
has_line "^pc   0x0000000000010af0 <main>  priv U$"
has_line "^zero 0x0000000000000000  ra   0x[0-9a-f]{16}  sp   0x0000003fffff[0-9a-f]{4}  gp   0x0000000000000000$"
has_line "^a0       0x0000000000000001$"
# run 3 = three instructions; next and step print each instruction; Enter repeats the step
has_line "^=> 0x0000000000010afc <main\+0xc>  sd	s1, 24\(sp\)$"
has_line "^   0x0000000000010afc <main\+0xc>  sd	s1, 24\(sp\)$"
has_line "^   0x0000000000010b04 <main\+0x14>  sd	s3, 8\(sp\)$"
has_line "^=> 0x0000000000010b08 <main\+0x18>  mv	s0, a1$"
has_line "^   0x0000000000010b0c <main\+0x1c>  mv	s1, a0$"
has_line "^=> 0x0000000000010b10 <main\+0x20>  "
# next over the call to printf: the guest prints, the monitor stops after the call
has_line "^=> 0x0000000000010b20 <main\+0x30>  jalr	-276\(ra\)$"
has "hello from riscv64: argc=1"
has_line "^=> 0x0000000000010b24 <main\+0x34>  blez	s1, 0x10b5c$"
# the watchpoint stops after the store
has "watchpoint 4: \$sp-8 8 w"
has_line "^watchpoint 4: \\\$sp-8 8 w \(write of 8 bytes at 0x3fffff[0-9a-f]{4}\)$"
has_line "^=> 0x0000000000010a18 <printf\+0x10>  sd	a6, 1104\(sp\)$"
has_line "^=> 0x0000000000010154 <exit>  mv	a6, a0$"
has "2 user -> kernel transitions"
has_line "^#1 +ecall +at 0x10a78 <printf\+0x70> nr=64 -> sret at 0x3ffffff13c <userret\+0x98>: [0-9]+ instructions"
has_line "^#2 +ecall +at 0x10a78 <printf\+0x70> nr=64 -> sret"
has "finish: already in user mode"
has "argv[0]="
has_line "^the guest exited with status 0 after [0-9]+ instructions$"
has "the program is not running: SiFive test finisher: pass (0x5555)"
has_line "^pc +0x0000000080"
show_failed

# Inspection
session inspect monitor "$PROG" <<'CMDS'
until main
info csr
info csr satp sstatus scause stvec mip mie
info csr all
pt main
pt 0x4000000000
pt 0x20000000
info tlb
x/4w main
x/3b main
x/2h main
x/1g main
x main
disas main 3
disas
set a5 0x1234
regs a5
set *$sp/w 0xdeadbeef
x/1w $sp
set *$sp/b 0x7f
x/1w $sp
set pc main+4
regs pc
info last
info stats
info registers
CMDS
status_is 0
# The kernel page table's frame depends on the kernel's size: match the shape, and that the
# PPN field is the low bits of the value (priv. spec 4.1.11).
has_line "^satp +0x180 0x80000000000([0-9a-f]{5})  \[MODE=8 ASID=0 PPN=0x\1\] Sv39$"
has_line "^sstatus +0x100 0x0000000200000020  \[SIE=0 SPIE=1 UBE=0 SPP=0 FS=0 XS=0 SUM=0 MXR=0 UXL=2 SD=0\]$"
has_line "^scause +0x142 0x0000000000000000  \[Interrupt=0 Code=0\] instruction address misaligned$"
has_line "^stvec +0x105 0x0000003ffffff000  \[BASE=0x3ffffff000 MODE=0\]$"
has_line "^mip +0x344 0x[0-9a-f]{16}  \[SSI=. MSI=. STI=. MTI=. SEI=. MEI=.\]$"
has_line "^mie +0x304 0x[0-9a-f]{16}  \[SSI=. MSI=. STI=. MTI=. SEI=. MEI=.\]$"
has_line "^\([0-9]+ CSRs are zero: info csr all lists them\)$"
has_line "^pmpaddr63 +0x3ef 0x0000000000000000$"
has_line "^va 0x10af0: vpn\[2\]=0 vpn\[1\]=0 vpn\[0\]=0x10 offset=0xaf0$"
has_line "^  L2 pte @0x800[0-9a-f]{5} = 0x[0-9a-f]{16} \[V\] -> next table 0x800[0-9a-f]{5}$"
has_line "^  L1 pte @0x800[0-9a-f]{5} = 0x[0-9a-f]{16} \[V\] -> next table 0x800[0-9a-f]{5}$"
has_line "^  L0 pte @0x800[0-9a-f]{5} = 0x[0-9a-f]{16} \[V R X U A D\] leaf, 4 KiB page$"
has_line "^-> pa 0x800[0-9a-f]{2}af0$"
has "0x4000000000 is not canonical for Sv39 (bits 63:39 != bit 38)"
has_line "^-> not mapped \(the walk stops at level [0-2]\)$"
has "Sv39 software TLB, 256 entries (direct-mapped by page):"
has_line "^ +[0-9]+ va 0x0000000000010000 -> pa 0x00800[0-9a-f]{5} asid 0 level 0 \[V R X U A D\]$"
has_line "^255 va 0x0000003ffffff000 -> pa 0x0080001000 asid 0 level 0 \[V R X A\] uservec$"
has "0x0000000000010af0 <main>: 0xfd010113 0x02113423 0x02813023 0x00913c23"
has "0x0000000000010af0 <main>: 0x13 0x01 0x01"
has "0x0000000000010af0 <main>: 0x0113 0xfd01"
has "0x0000000000010af0 <main>: 0x02113423fd010113"
has_line "^   0x0000000000010af4 <main\+0x4>  sd	ra, 40\(sp\)$"
has_line "^=> 0x0000000000010af0 <main>  addi	sp, sp, -48$"
has "a5 = 0x1234 (was 0x12008)"
has_line "^a5 +0x0000000000001234$"
has_line "^\*0x3fffff[0-9a-f]{4} \(4 bytes\) = 0xdeadbeef$"
has_line "^0x0000003fffff[0-9a-f]{4}: 0xdeadbeef$"
has_line "^0x0000003fffff[0-9a-f]{4}: 0xdeadbe7f$"
has "pc = 0x10af4 (was 0x10af0)"
has_line "^   -- privilege S -> U by sret$"
has_line "^riscv64, [0-9]+ instructions, guest time [0-9]+ ticks, running$"
has_line "^  explain +[1-9][0-9]*$"
has_line "^pc   0x0000000000010af4 <main\+0x4>  priv U$"
show_failed

# Bad input: one line each, and the prompt comes back (the last command still runs)
session bad monitor "$PROG" <<'CMDS'
frobnicate
step 0
step many
step 1 2
run
run -
x/4q main
x/4w
x/4w nosuchsymbol
x/2g 0xdead00000000
disas 0xdead00000000
disas main 0
pt
pt nosuchsymbol
set
set nosuchreg 1
set a0 zebra
set *0xdead00000000 1
set *main/q 1
break
break nosuchsymbol
break int
break int 999
break mode sideways
break syscall now
watch
watch main 0
watch main 8 x
delete 99
delete zebra
disable
enable 42
info
info nothing
info csr nosuchcsr
info msr
info seg
info gdt
info idt
info tss
until
until nowhere
next now
finish now
source /nonexistent/file
help nosuchcommand
regs nosuchreg
step
CMDS
status_is 0
has "unknown command 'frobnicate' (help lists the commands)"
has "step: '0' is not a count"
has "step: 'many' is not a count"
has "step: one count at most"
has "run: how many instructions? (run N)"
has "run: '-' is not a count"
has "x: bad format 'x/4q' (x/<count><b|h|w|g>)"
has "x: x/<n><b|h|w|g> ADDR"
has "x: not an address or a symbol"
has "cannot access memory at 0xdead00000000"
has "disas: '0' is not a count (1..1000)"
has "pt: pt ADDR"
has "pt: not an address or a symbol"
has "set: set REG VALUE, or set *ADDR[/b|h|w|g] VALUE"
has "set: no writable register 'nosuchreg'"
has "set: 'zebra' is not a number"
has "set: bad size '/q' (/b, /h, /w or /g)"
has "break: what? (an address, a symbol or a transition: help break)"
has "break: 'nosuchsymbol' is not an address, a symbol or a transition"
has "break int: which vector? (break int 0x80)"
has "break: '999' is not a vector or cause number"
has "break mode: 'sideways' is not user->kernel, kernel->user or any"
has "break syscall takes no argument"
has "watch ADDR [LEN] [r|w|rw]"
has "watch: '0' is not a length (1..4096) or r, w, rw"
has "watch: 'x' is not a length (1..4096) or r, w, rw"
has "no breakpoint 99"
has "'zebra' is not a breakpoint number"
has "disable: which breakpoint? (disable N...)"
has "no breakpoint 42"
has "info what? break csr msr seg gdt idt tss tlb transitions last stats registers"
has "info: unknown subject 'nothing' (help info)"
has "info csr: no CSR 'nosuchcsr'"
for s in msr seg gdt idt tss; do has "info $s: x86 only (RISC-V: info csr)"; done
has "until: what? (an address, a symbol or a transition: help break)"
has "until: 'nowhere' is not an address, a symbol or a transition"
has "next: no arguments"
has "finish: no arguments"
has "source: /nonexistent/file: No such file or directory"
has "help: no command 'nosuchcommand'"
has "regs: no register 'nosuchreg'"
has_line "^=> 0x0000000080000004 <_start\+0x4>  auipc	sp, [0-9]+$"
show_failed

# source and --monitor-script: commands from files, comments and blank lines ignored (a blank
# line of a file repeats nothing)
cat > "$WORK/cmds" <<'CMDS'
# a comment
break main   # at main
continue

regs pc
CMDS
session source monitor "$PROG" <<CMDS
source $WORK/cmds
info break
CMDS
status_is 0
has "(ringside) source $WORK/cmds"
has "(ringside) # a comment"
has "breakpoint 1: main at 0x10af0 <main>"
has_line "^pc +0x0000000000010af0$"
has_line "^1 +address +yes +1 +main"
show_failed

session script run --monitor-script="$WORK/cmds" "$PROG"
status_is 0
has "breakpoint 1: main at 0x10af0 <main>"
has_line "^pc +0x0000000000010af0$"
has "ringside: stopped after "
show_failed

# --monitor-script with --monitor: the script, then standard input; quit ends the session
session script_then_stdin run --monitor --monitor-script="$WORK/cmds" "$PROG" <<'CMDS'
continue
quit
step
CMDS
status_is 0
has_line "^pc +0x0000000000010af0$"
has "argv[0]="
has_line "^the guest exited with status 0 after [0-9]+ instructions$"
lacks "(ringside) step"
show_failed

# The guest's exit status is ringside's after the monitor let it run to the end
session exit_status monitor "$GUEST_DIR/riscv64_exit.elf" <<'CMDS'
continue
CMDS
status_is 42
has "exit: calling exit(42)"
has_line "^the guest exited with status 42 after [0-9]+ instructions$"
show_failed
finish
