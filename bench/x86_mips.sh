#!/bin/bash
# Emulated MIPS of the x86 core on a compute-bound bare-metal image (bench/x86/mips.c), and, where
# installed, qemu-system-x86_64 (TCG) on the same image. Not a ctest test.
#
#   bench/x86_mips.sh [BUILD_DIR] [RUNS]     (default: build, 3 runs; the best run counts)
#
# The instruction count comes from `ringside run --report=json`; the image is deterministic, so
# QEMU executes the same instructions. Times are wall clock (the machine should be otherwise idle;
# user CPU time is printed beside it). QEMU's time has its start-up and shutdown removed: the
# same QEMU command on a trivial image (i386_multiboot_hello) is timed and subtracted.
set -e
TIMEFORMAT='%3R %3U'
BUILD=${1:-build}
RUNS=${2:-3}
RINGSIDE=$BUILD/ringside
IMAGE=$BUILD/guest/x86_mips_bench.elf
HELLO=$BUILD/guest/i386_multiboot_hello.elf
TMP=$(mktemp)
trap 'rm -f "$TMP"' EXIT
[ -x "$RINGSIDE" ] && [ -f "$IMAGE" ] || { echo "build first: cmake --build $BUILD" >&2; exit 2; }

# best wall and user seconds of RUNS runs of a command (stdout discarded)
best() {
    local bw= bu=
    for _ in $(seq "$RUNS"); do
        local t
        # bash's time keyword: milliseconds (/usr/bin/time prints hundredths, 1.4% of a 0.7 s run)
        { time "$@" >/dev/null 2>&1 || true; } 2>"$TMP"
        t=$(tail -1 "$TMP")
        local w=${t% *} u=${t#* }
        if [ -z "$bw" ] || awk "BEGIN{exit !($w < $bw)}"; then bw=$w; bu=$u; fi
    done
    echo "$bw $bu"
}

insns=$("$RINGSIDE" run --report=json --kernel "$IMAGE" 2>&1 >/dev/null |
        sed -n 's/.*"instructions": \([0-9]*\).*/\1/p')
[ -n "$insns" ] || { echo "no instruction count from ringside" >&2; exit 1; }
read -r rw ru < <(best "$RINGSIDE" run --kernel "$IMAGE")
rmips=$(awk "BEGIN{printf \"%.1f\", $insns / $rw / 1e6}")
rcpu=$(awk "BEGIN{u = $ru; if (u <= 0) u = 0.001; printf \"%.1f\", $insns / u / 1e6}")
echo "instructions:        $insns"
echo "ringside:            $rmips MIPS  (wall $rw s; $rcpu MIPS per user CPU second)"

QEMU="qemu-system-x86_64 -display none -serial stdio -monitor none \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel"
if command -v qemu-system-x86_64 >/dev/null; then
    read -r qw qu < <(best $QEMU "$IMAGE")
    read -r hw hu < <(best $QEMU "$HELLO")
    qmips=$(awk "BEGIN{d = $qw - $hw; if (d <= 0) d = 0.001; printf \"%.1f\", $insns / d / 1e6}")
    echo "qemu-system-x86_64:  $qmips MIPS  (wall $qw s, $hw s of it start-up; user $qu s)"
    echo "ringside / qemu:     $(awk "BEGIN{printf \"%.2f\", $rmips / $qmips}")"
else
    echo "qemu-system-x86_64:  not installed"
fi
