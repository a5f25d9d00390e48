#!/bin/bash
# The bare-metal images boot under QEMU with the expected output and exit status: this keeps
# ringside's platforms (memory map, boot hand-off, devices) the same as QEMU's. Skipped (77) when
# QEMU is not installed; .ci/run installs it through scripts/install-deps.sh.
. "$(dirname "$0")/lib.sh" "$@"

command -v qemu-system-riscv64 >/dev/null && command -v qemu-system-x86_64 >/dev/null || {
    echo "QEMU not installed: skipped"; exit 77; }

# virt: UART output, SiFive test finisher 0x5555 -> exit 0.
expect 0 "hello from riscv64 bare metal (uart)" -- timeout 30 qemu-system-riscv64 -machine virt \
    -bios none -nographic -monitor none -kernel "$GUEST_DIR/rv64_uart_hello.elf"
# spike: HTIF console and exit through tohost with status 7.
expect 7 "hello from riscv64 bare metal (htif)" -- timeout 30 qemu-system-riscv64 -machine spike \
    -bios none -nographic -monitor none -kernel "$GUEST_DIR/rv64_htif_hello.elf"
# PC: Multiboot hand-off, COM1 output, isa-debug-exit: QEMU exits (0 << 1) | 1 = 1.
expect 1 "hello from i386 bare metal (com1)" -- timeout 30 qemu-system-x86_64 -display none \
    -serial stdio -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$GUEST_DIR/i386_multiboot_hello.elf" -append "x"

finish
