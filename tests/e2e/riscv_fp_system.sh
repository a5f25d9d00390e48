#!/bin/bash
# F/D through the whole machine (tests/baremetal/riscv64/fp_system.S): FS = Off traps, results and
# fflags in every rounding mode, NaN boxing, saturation, FS = Dirty and SD. ringside must pass its
# self-checks (exit 0) and print exactly what qemu-system-riscv64 -machine virt prints (the QEMU
# half is skipped with 77 when QEMU is missing).
. "$(dirname "$0")/lib.sh" "$@"

IMAGE=$GUEST_DIR/rv64_fp_system.elf
expect 0 "failures 0000000000000000" -- "$RINGSIDE" run --kernel "$IMAGE"
expect 0 "div-rup 3fd5555555555556" -- "$RINGSIDE" run --kernel "$IMAGE"
if ! command -v qemu-system-riscv64 >/dev/null; then
    finish || exit 1
    echo "qemu-system-riscv64 not installed: QEMU comparison skipped"; exit 77
fi
"$RINGSIDE" run --kernel "$IMAGE" >"$WORK/ringside.out" 2>&1
timeout 30 qemu-system-riscv64 -machine virt -bios none -nographic -monitor none \
    -kernel "$IMAGE" >"$WORK/qemu.out" 2>&1
checks=$((checks + 1))
if ! diff -u "$WORK/qemu.out" "$WORK/ringside.out" >"$WORK/diff"; then
    echo "FAIL: ringside and QEMU print different lines:"; sed 's/^/    /' "$WORK/diff"
    failures=$((failures + 1))
fi
finish
