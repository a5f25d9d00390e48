#!/bin/bash
# `ringside run --kernel` on the bare-metal images: the same output and exit status as under QEMU
# (qemu_baremetal.sh), through ringside's own cores, platforms and boot hand-offs.
. "$(dirname "$0")/lib.sh" "$@"

expect 0 "hello from riscv64 bare metal (uart)" -- \
    "$RINGSIDE" run --kernel "$GUEST_DIR/rv64_uart_hello.elf"
# HTIF at the image's tohost/fromhost: console output, then exit status 7 through tohost.
expect 7 "hello from riscv64 bare metal (htif)" -- \
    "$RINGSIDE" run --kernel "$GUEST_DIR/rv64_htif_hello.elf"
# Multiboot v1 hand-off, COM1, exit port 0xF4 (ringside exits with the value written).
expect 0 "hello from i386 bare metal (com1)" -- \
    "$RINGSIDE" run --kernel "$GUEST_DIR/i386_multiboot_hello.elf"
expect 0 "hello from i386 bare metal (com1)" -- \
    "$RINGSIDE" run --cpu=amd --kernel "$GUEST_DIR/i386_multiboot_hello.elf"

# Budgets end a run that would go on: exit 124 and a line that says which budget.
expect 124 "instruction budget of 50 exhausted" -- \
    "$RINGSIDE" run --max-insns=50 --kernel "$GUEST_DIR/rv64_uart_hello.elf"
expect 124 "cycle budget of 40 exhausted" -- \
    "$RINGSIDE" run --max-cycles=40 --kernel "$GUEST_DIR/i386_multiboot_hello.elf"

# --report: the run's outcome and counters, in each format.
expect 0 '"stop": "guest exit", "exit_status": 0' -- \
    "$RINGSIDE" run --report=json --kernel "$GUEST_DIR/rv64_uart_hello.elf"
expect 0 "arch,stop,exit_status,instructions,time,insn" -- \
    "$RINGSIDE" run --report=csv --kernel "$GUEST_DIR/rv64_uart_hello.elf"
expect 0 "ringside report: riscv64, guest exit (exit status 0)" -- \
    "$RINGSIDE" run --report --kernel "$GUEST_DIR/rv64_uart_hello.elf"
# --trace=events prints the event stream: the guest kernel drops from S to U with sret.
expect 0 "by sret" -- "$RINGSIDE" run --trace=events "$GUEST_DIR/riscv64_hello.elf"

finish
