#!/bin/bash
# The bare-metal fast system-call round trips (tests/baremetal/x86/ring3_sysenter_32.S,
# ring3_fastcall_64.S; issue 6 "Done when") under `ringside run --kernel` on both CPU profiles,
# where each must end with failures=0 (exit 0), and under qemu-system-x86_64 with the same vendor
# string (-cpu qemu64,vendor=GenuineIntel / AuthenticAMD), where the output must be ringside's but
# for the cells in which QEMU 7.2's TCG does not do what the manuals say:
#   - SYSRETQ to a non-canonical RCX with an Intel vendor string: QEMU returns to ring 3 and the
#     fetch faults there (the AMD behaviour); the SDM's SYSRET raises #GP(0) in ring 0 on the
#     SYSRET itself. The image reports the interrupted CS and RIP as failures (2 checks).
#   - SYSCALL's RFLAGS: QEMU clears the arithmetic flags (here CF) that SFMASK does not name,
#     where both manuals have RFLAGS <- RFLAGS AND NOT SFMASK (R11 is right). 1 check, both
#     vendors.
# Everything else (32-bit SYSENTER/SYSEXIT on both vendors, SWAPGS, STAR's selectors, R11/RCX,
# 64-bit SYSENTER/SYSEXITQ on Intel and its #UD on AMD) prints the same under both. Only the QEMU
# half is skipped (77) without QEMU.
. "$(dirname "$0")/lib.sh" "$@"

I32=$GUEST_DIR/i386_ring3_sysenter.elf
I64=$GUEST_DIR/x86_64_ring3_fastcall.elf
for cpu in intel amd; do
    expect 0 "i386: back in ring 3 after sysexit with eax=0000600d" -- \
        "$RINGSIDE" run --cpu=$cpu --kernel "$I32"
    expect 0 "i386: failures=00000000" -- "$RINGSIDE" run --cpu=$cpu --kernel "$I32"
    expect 0 "x86_64: failures=0000000000000000" -- "$RINGSIDE" run --cpu=$cpu --kernel "$I64"
done
# the vendor cells, from the 64-bit image's own lines
expect 0 "  interrupted cs=0000000000000008" -- "$RINGSIDE" run --cpu=intel --kernel "$I64"
expect 0 "x86_64: back in ring 3 after sysexitq" -- "$RINGSIDE" run --cpu=intel --kernel "$I64"
expect 0 "  interrupted rip=0000800000000000" -- "$RINGSIDE" run --cpu=amd --kernel "$I64"
expect 0 "C: #UD" -- "$RINGSIDE" run --cpu=amd --kernel "$I64"

if ! command -v qemu-system-x86_64 >/dev/null; then
    finish >/dev/null || exit 1
    echo "QEMU not installed: the comparison with QEMU was skipped"
    exit 77
fi

# qemu IMAGE VENDOR: the image under QEMU with that vendor string; output in $WORK/q.out
qemu() {
    timeout 30 qemu-system-x86_64 -display none -serial stdio -monitor none \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cpu "qemu64,vendor=$2" -kernel "$1" \
        >"$WORK/q.out" 2>&1
}
# compare IMAGE CPU VENDOR QEMU_FAILURES IGNORED_LINE_REGEX: QEMU exits with
# ((QEMU_FAILURES << 1) | 1), and its output is ringside's except for the lines matching the
# regex (the documented differences) and the failure count.
compare() {
    local img=$1 cpu=$2 vendor=$3 nfail=$4 ignore=$5
    "$RINGSIDE" run --cpu="$cpu" --kernel "$img" >"$WORK/r.out" 2>&1
    qemu "$img" "$vendor"
    local status=$?
    checks=$((checks + 1))
    if [ "$status" -ne $(((nfail << 1) | 1)) ]; then
        echo "FAIL: $(basename "$img") under QEMU ($vendor): exit $status, expected" \
            "$(((nfail << 1) | 1)) ($nfail documented differences)"
        sed 's/^/    /' "$WORK/q.out"
        failures=$((failures + 1))
        return
    fi
    checks=$((checks + 1))
    if ! diff -u <(grep -Ev "$ignore|failures=" "$WORK/q.out") \
        <(grep -Ev "$ignore|failures=" "$WORK/r.out"); then
        echo "FAIL: $(basename "$img"): ringside ($cpu) differs from QEMU ($vendor) (- QEMU, + ringside)"
        failures=$((failures + 1))
    fi
}

compare "$I32" intel GenuineIntel 0 '^$'
compare "$I32" amd AuthenticAMD 0 '^$'
compare "$I64" intel GenuineIntel 3 '^  rflags=|^  interrupted (cs|rip)='
compare "$I64" amd AuthenticAMD 1 '^  rflags='
# the documented differences are exactly what QEMU prints
qemu "$I64" GenuineIntel
expect 0 "  interrupted cs=0000000000000023 expected 0000000000000008" -- cat "$WORK/q.out"
expect 0 "  rflags=0000000000000002 expected 0000000000000003" -- cat "$WORK/q.out"

finish
