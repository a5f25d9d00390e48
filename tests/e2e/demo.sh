#!/bin/bash
# `ringside demo` (issues 4, 7, 9): every guest kernel runs hello and syscall-loop from the binary
# itself, under every mechanism its CPU profiles offer, and the closing table has one row per
# mechanism and architecture with 101 getpid calls plus the final write for syscall-loop 100.
. "$(dirname "$0")/lib.sh" "$@"

out="$WORK/demo.out"
"$RINGSIDE" demo > "$out" 2>&1
status=$?
checks=$((checks + 1))
[ "$status" -eq 0 ] || { echo "FAIL: demo exited $status"; failures=$((failures + 1)); }

has() {
    checks=$((checks + 1))
    grep -qE -- "$1" "$out" || { echo "FAIL: demo output lacks /$1/"; failures=$((failures + 1)); }
}
has '^hello from riscv64: argc=3$'
has '^hello from i386: argc=3$'
has '^hello from x86_64: argc=3$'
has '^\[i386 sysenter\] write\(1, '
has '^\[x86_64 syscall\] write\(1, '
for row in 'riscv64  u74     ecall -> sret' 'i386     intel   int -> iret' \
           'i386     intel   sysenter -> sysexit' 'x86_64   intel   syscall -> sysret' \
           'x86_64   intel   int -> iret' 'x86_64   intel   sysenter -> sysexit' \
           'x86_64   amd     syscall -> sysret'; do
    has "^  $row +102 +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$"
done
checks=$((checks + 1))
n=$(grep -c '^syscall-loop: 100 getpid calls, 100 with the same pid$' "$out")
[ "$n" -eq 7 ] || { echo "FAIL: $n syscall-loop runs, expected 7"; failures=$((failures + 1)); }

finish
