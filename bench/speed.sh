#!/bin/bash
# Instructions per second of `ringside run` on syscall-loop with a large N, for one or more
# ringside binaries, alternating them in rounds on the same machine.
#   usage: bench/speed.sh [BUILD_DIR] RINGSIDE...   (default: build/ringside)
set -eu
BUILD=${1:-build}; shift || true
BINS=("$@"); [ ${#BINS[@]} -gt 0 ] || BINS=("$BUILD/ringside")
G=$BUILD/guest/riscv64_syscall_loop.elf
N=300000
insns=$("$BUILD/ringside" run --report=json "$G" $N 2>&1 >/dev/null |
    sed -n 's/.*"instructions": \([0-9]*\).*/\1/p')
echo "syscall-loop $N: $insns instructions retired"
for round in 1 2 3; do
    for bin in "${BINS[@]}"; do
        s=$(date +%s.%N); "$bin" run "$G" $N >/dev/null; e=$(date +%s.%N)
        python3 -c "print('%-28s round $round: %.3f s  %5.1f MIPS' % ('$bin', $e-$s, $insns/($e-$s)/1e6))"
    done
done
