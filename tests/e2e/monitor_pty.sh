#!/bin/bash
# The real readline prompt, driven through a pseudo-terminal (script(1) from util-linux): tab
# completion of commands, info subjects, registers/CSRs and ELF symbols; history (Ctrl-P brings
# back the previous line); Enter repeats the last step command.
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/monitor_lib.bash"
command -v script > /dev/null || { echo "script(1) is not installed: skipped"; exit 77; }
PROG="$GUEST_DIR/riscv64_hello.elf"

# Keys as typed: TAB completes, ^P (0x10) brings back the previous line, an empty line repeats
# the last step command.
printf 'help ste\t\ninfo tr\t\nbreak mai\t\n\x10\ncontinue\nregs sstat\t\nstep\n\nquit\n' \
    > "$WORK/keys"
OUT="$WORK/pty.out"
# -e: script exits with the command's status; the command's terminal is the pseudo-terminal
timeout 60 script -qfec "$RINGSIDE monitor $PROG" /dev/null < "$WORK/keys" |
    tr -d '\r' | sed 's/\x1b\[[?0-9;]*[a-zA-Z]//g' > "$OUT" # terminal escapes (bracketed paste) off
STATUS=${PIPESTATUS[0]}
status_is 0
has "ringside monitor: riscv64"
# the prompt is readline's (bracketed-paste escapes and all), and completion filled in the words
has "(ringside) help step "
has "  execute N steps (an instruction or a trap delivery), printing each with its events"
has "(ringside) info transitions "
has "no transitions yet"
has "(ringside) break main "
has "breakpoint 1: main at 0x10af0 <main>"
# history: ^P brought back "break main", a second breakpoint
has "breakpoint 2: main at 0x10af0 <main>"
has_line "^=> 0x0000000000010af0 <main>  addi	sp, sp, -48$"
has "(ringside) regs sstatus "
has_line "^sstatus +0x0000000200000020$"
has_line "^   0x0000000000010af0 <main>  addi	sp, sp, -48$"
# Enter repeated the step: the second instruction was stepped too
has_line "^   0x0000000000010af4 <main\+0x4>  sd	ra, 40\(sp\)$"
has_line "^=> 0x0000000000010af8 <main\+0x8>  sd	s0, 32\(sp\)$"
show_failed
finish
