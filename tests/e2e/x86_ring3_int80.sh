#!/bin/bash
# The x86 ring-3 round trips (tests/baremetal/x86/ring3_int80_{32,64}.S): `int $0x80` from ring 3
# and back with iret/iretq, the frame checked by the handler. Each image must exit 0 under
# `ringside run --kernel` and print exactly what it prints under qemu-system-x86_64 (which exits
# with (0 << 1) | 1 = 1 through isa-debug-exit). Only the QEMU half is skipped (77) without QEMU.
. "$(dirname "$0")/lib.sh" "$@"

images="i386_ring3_int80 x86_64_ring3_int80"
for img in $images; do
    expect 0 "failures=0" -- "$RINGSIDE" run --kernel "$GUEST_DIR/$img.elf"
    expect 0 "failures=0" -- "$RINGSIDE" run --cpu=amd --kernel "$GUEST_DIR/$img.elf"
done

if ! command -v qemu-system-x86_64 >/dev/null; then
    finish >/dev/null || exit 1
    echo "QEMU not installed: the comparison with QEMU was skipped"
    exit 77
fi

for img in $images; do
    "$RINGSIDE" run --kernel "$GUEST_DIR/$img.elf" >"$WORK/$img.ringside" 2>&1
    timeout 30 qemu-system-x86_64 -display none -serial stdio -monitor none \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$GUEST_DIR/$img.elf" \
        >"$WORK/$img.qemu" 2>&1
    status=$?
    checks=$((checks + 1))
    if [ "$status" -ne 1 ]; then
        echo "FAIL: $img under QEMU: exit $status, expected 1"; sed 's/^/    /' "$WORK/$img.qemu"
        failures=$((failures + 1))
    elif ! diff -u "$WORK/$img.qemu" "$WORK/$img.ringside"; then
        echo "FAIL: $img: ringside's output differs from QEMU's (diff above: - QEMU, + ringside)"
        failures=$((failures + 1))
    fi
done

finish
