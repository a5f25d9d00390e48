#!/bin/bash
# The transition view (issue 8 "Done when"): step a guest ecall from the last user instruction to
# the first instruction after sret, and check what the monitor prints on the way: the trap's
# steps (sepc, scause, stval, sstatus, pc <- stvec, priv), the kernel's satp switches and
# sfence.vma inside the transition (finish), and sret's steps back to user mode.
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/monitor_lib.bash"
PROG="$GUEST_DIR/riscv64_hello.elf"

# printf's write system call: its ecall is the last user instruction of the transition.
ECALL=$(grep -o '<printf+0x[0-9a-f]*>  ecall' <("$RINGSIDE" monitor "$PROG" <<'CMDS' 2>&1
break main
continue
disas printf 40
CMDS
) | head -1 | sed 's/<\(.*\)>.*/\1/')
[ -n "$ECALL" ] || { echo "FAIL: no ecall in printf"; exit 1; }
ECALL_RE=${ECALL//+/\\+} # printf+0x70 as a regular expression

session step_ecall monitor "$PROG" <<CMDS
break $ECALL
continue
step
until sret
info transitions
CMDS
status_is 0
has "breakpoint 1: $ECALL"
has_line "^=> 0x0000000000010[0-9a-f]{3} <$ECALL_RE>  ecall$"
# the step over the ecall: the instruction, the trap, each state change with its source
has_line "^   0x0000000000010[0-9a-f]{3} <$ECALL_RE>  ecall$"
has_line "^   -- trap 8 \(ecall from U\) at 0x10[0-9a-f]{3} <$ECALL_RE>, tval 0$"
has_line "^      sepc <- pc +  = 0x10[0-9a-f]{3}$"
has_line "^      scause <- cause +  = 0x8 \(ecall from U\)$"
has_line "^      stval <- tval +  = 0$"
has_line "^      sstatus.SPIE <- sstatus.SIE +  = 0$"
has_line "^      sstatus.SIE <- 0 +  = 0$"
has_line "^      sstatus.SPP <- priv +  = 0$"
has_line "^      pc <- stvec +  = 0x3ffffff000 <uservec>$"
has_line "^      priv <- S +  = 0x1 \(S\)$"
has "   -- privilege U -> S by ecall"
has_line "^      pc +0x10[0-9a-f]{3} -> 0x3ffffff000$"
has_line "^      priv +0 -> 0x1 \(U -> S\)$"
has_line "^=> 0x0000003ffffff000 <uservec>  csrrw	a0, sscratch, a0$"
# until sret: the guest prints, then sret's steps, then the first user instruction after sret
has "hello from riscv64: argc=1"
has_line "^   0x0000003ffffff[0-9a-f]{3} <userret\+0x[0-9a-f]+>  sret$"
has_line "^      pc <- sepc +  = 0x10[0-9a-f]{3} <printf\+0x[0-9a-f]+>$"
has_line "^      priv <- sstatus.SPP +  = 0 \(U\)$"
has_line "^      sstatus.SIE <- sstatus.SPIE +  = 0$"
has_line "^      sstatus.SPIE <- 1 +  = 0x1$"
has_line "^      sstatus.SPP <- U +  = 0$"
has "   -- privilege S -> U by sret"
has_line "^      priv +0x1 -> 0 \(S -> U\)$"
has_line "^transition complete: #1 +ecall +at 0x10[0-9a-f]{3} <$ECALL_RE> nr=64 -> sret at 0x3ffffff[0-9a-f]{3} <userret\+0x[0-9a-f]+>: [0-9]+ instructions"
has_line "^=> 0x0000000000010[0-9a-f]{3} <printf\+0x[0-9a-f]+>  "
has_line "^#1 +ecall +at 0x10[0-9a-f]{3} <$ECALL_RE> nr=64 -> sret"
show_failed

# finish: the whole transition with the kernel's system-register writes and TLB flushes
session finish monitor "$PROG" <<CMDS
break $ECALL
continue
step
finish
CMDS
status_is 0
has_line "^      sscratch +0x3fffffe000 -> 0x[0-9a-f]+   by csrrw	a0, sscratch, a0 at <uservec>$"
has_line "^      satp +0x8[0-9a-f]+ -> 0x8[0-9a-f]+   by csrw	satp, t1 at <uservec\+0x[0-9a-f]+>$"
has_line "^      tlb flush +all addresses, all address spaces at <uservec\+0x[0-9a-f]+>$"
# where the kernel's satp came from: the trapframe, through t1
has_line "^ +t1 was loaded from 0x3fffffe[0-9a-f]{3} by ld	t1, [0-9]+\(a0\) at <uservec\+0x[0-9a-f]+>$"
has_line "^ +a0 was loaded from 0x[0-9a-f]+ by ld	a0, [0-9]+\(s1\) at <usertrapret\+0x[0-9a-f]+>$"
has_line "^      stvec +0x3ffffff000 -> 0x800000c0   by csrw	stvec, a0 at <usertrap\+0x[0-9a-f]+>$"
has_line "^      sepc +0x10[0-9a-f]{3} -> 0x10[0-9a-f]{3}   by csrw	sepc, a0 at <usertrapret\+0x[0-9a-f]+>$"
has_line "^      satp +0x8[0-9a-f]+ -> 0x8[0-9a-f]+   by csrw	satp, a0 at <userret\+0x[0-9a-f]+>$"
has_line "^      pc <- sepc +  = 0x10[0-9a-f]{3} <printf\+0x[0-9a-f]+>$"
has "   -- privilege S -> U by sret"
has_line "^transition complete: #1 +ecall .* nr=64 -> sret .*: [0-9]+ instructions, [0-9]+ ticks, 8 system-register writes, 6 TLB flushes$"
show_failed

# The same crossing stopped by transition breakpoints: entry (break ecall) and exit (mode).
session break_kinds monitor "$PROG" <<'CMDS'
break ecall
break mode kernel->user
continue
continue
info break
CMDS
status_is 0
has "breakpoint 1: ecall"
has "breakpoint 2: mode kernel->user"
has_line "^   -- privilege U -> S by ecall$"
has_line "^   -- privilege S -> U by sret$"
has_line "^1 +transition +yes +1 +ecall$"
has_line "^2 +mode +yes +[12] +mode kernel->user$"
show_failed
finish
