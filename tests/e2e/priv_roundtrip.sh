#!/bin/bash
# The self-checking M -> S -> U round trip (tests/baremetal/riscv64/priv_roundtrip.S, issue 3):
# every check passes under `ringside run --kernel` (exit 0), and QEMU's virt machine prints the
# same lines (the QEMU half is skipped with 77 when qemu-system-riscv64 is missing).
. "$(dirname "$0")/lib.sh" "$@"

IMAGE=$GUEST_DIR/rv64_priv_roundtrip.elf
expect 0 "priv_roundtrip: all checks passed" -- "$RINGSIDE" run --kernel "$IMAGE"
"$RINGSIDE" run --kernel "$IMAGE" >"$WORK/ringside.out" 2>&1
checks=$((checks + 1))
if grep -q "^FAIL" "$WORK/ringside.out" || [ "$(grep -c '^PASS' "$WORK/ringside.out")" -lt 20 ]; then
    echo "FAIL: ringside output:"; sed 's/^/    /' "$WORK/ringside.out"
    failures=$((failures + 1))
fi

if ! command -v qemu-system-riscv64 >/dev/null; then
    finish || exit 1
    echo "qemu-system-riscv64 not installed: QEMU comparison skipped"; exit 77
fi
expect 0 "priv_roundtrip: all checks passed" -- timeout 30 qemu-system-riscv64 -machine virt \
    -bios none -nographic -monitor none -kernel "$IMAGE"
timeout 30 qemu-system-riscv64 -machine virt -bios none -nographic -monitor none \
    -kernel "$IMAGE" >"$WORK/qemu.out" 2>&1
checks=$((checks + 1))
if ! diff -u "$WORK/qemu.out" "$WORK/ringside.out" >"$WORK/diff"; then
    echo "FAIL: ringside and QEMU print different lines:"; sed 's/^/    /' "$WORK/diff"
    failures=$((failures + 1))
fi
finish
