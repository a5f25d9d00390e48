#!/bin/bash
# The i386 guest kernel (src/kernel/i386) and the i386 user programs (guests/) under QEMU: every
# program under each mechanism the kernel offers (int80: the vsyscall page does int $0x80;
# sysenter: the vsyscall page does sysenter, the kernel returns with sysexit), compared with
# qemu-i386 (user mode) and, where the host runs 32-bit processes, with the host's Linux; the
# kernel's choices and refusals, and its fault reports. Then `ringside run` with the embedded
# kernel, for what ringside's x86 core runs today (int $0x80). Skipped (77) without QEMU.
. "$(dirname "$0")/lib.sh" "$@"
command -v qemu-system-x86_64 >/dev/null && command -v qemu-i386 >/dev/null || {
    echo "QEMU not installed: skipped"; exit 77; }
ARCH=i386
KERNEL=$GUEST_DIR/kernel_i386.elf
QEMU_USER=qemu-i386
[ -f "$KERNEL" ] || { echo "FAIL: $KERNEL is not built"; exit 1; }
. "$(dirname "$0")/x86_kernel_lib.inc"
# Does the host run i386 processes (IA32 emulation)? setarch i686: uname says i686, as qemu-i386.
NATIVE=0
NATIVE_PREFIX="setarch i686"
if $NATIVE_PREFIX "$GUEST_DIR/i386_exit.elf" >/dev/null 2>&1; [ $? -eq 42 ]; then NATIVE=1
else echo "note: the host does not run i386 processes: native comparisons skipped"; fi

for mech in int80 sysenter; do
    every_program $mech
done
# auto: sysenter when the CPU has SEP (QEMU's CPUs do), as the boot summary says
HELLO=$GUEST_DIR/i386_hello.elf
expect "$(qstatus 0)" "vsyscall uses sysenter" -- sys "$HELLO" "verbose mech=auto -- hello"
expect "$(qstatus 0)" "vsyscall uses int \$0x80" -- sys "$HELLO" "verbose mech=int80 -- hello"
expect "$(qstatus 0)" "sysenter_esp 0x" -- sys "$HELLO" "verbose -- hello"
# a CPU without SEP (qemu32 with the flag removed): auto falls back to int $0x80, sysenter is
# refused, and every program still runs
expect "$(qstatus 0)" "SEP no, mech auto: vsyscall uses int \$0x80" -- \
    sys "$HELLO" "verbose mech=auto -- hello" -cpu qemu32,-sep
expect "$(qstatus 126)" "kernel: mech=sysenter: this CPU has no SYSENTER" -- \
    sys "$HELLO" "mech=sysenter -- hello" -cpu qemu32,-sep
QOPTS="-cpu qemu32,-sep" every_program auto
expect "$(qstatus 126)" "kernel: mech=syscall does not exist on i386" -- sys "$HELLO" "mech=syscall -- hello"
expect "$(qstatus 126)" "kernel: no program: the boot loader passed no module" -- \
    timeout 30 qemu-system-x86_64 -display none -serial stdio -monitor none \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$KERNEL" -append "-- hello" </dev/null
expect "$(qstatus 126)" "cannot run riscv: not a 32-bit ELF file" -- \
    sys "$GUEST_DIR/riscv64_hello.elf" "-- riscv"
expect "$(qstatus 126)" "cannot run x: not an executable for i386 (e_machine)" -- \
    sys "$(patch "$HELLO" 18 3e 00)" "-- x"
expect "$(qstatus 126)" "cannot run x: segment outside the user address space" -- \
    sys "$(patch "$HELLO" 60 00 00 00 80)" "-- x" # the first p_vaddr moved to KERNBASE
# a fault in the kernel (kfault: a load from the kernel stack's guard page): 125
expect "$(qstatus 125)" "kernel fault: vector 14 (page fault) error 0x0 eip 0x" -- \
    sys "$HELLO" "kfault -- hello"
expect "$(qstatus 125)" "the kernel stack's guard page (stack overflow)" -- sys "$HELLO" "kfault -- hello"
# The same kernel under qemu-system-i386 (a 32-bit-only PC)
if command -v qemu-system-i386 >/dev/null; then
    for mech in int80 sysenter; do
        expect 1 "syscalls: done" -- timeout 30 qemu-system-i386 -display none -serial stdio \
            -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$KERNEL" \
            -initrd "$GUEST_DIR/i386_syscalls.elf" -append "mech=$mech -- syscalls" </dev/null
    done
fi
# A program that never ends runs until the timeout (124 from timeout(1)).
expect 124 "spin: looping forever" -- timeout 3 qemu-system-x86_64 -display none -serial stdio \
    -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$KERNEL" \
    -initrd "$GUEST_DIR/i386_spin.elf" -append "mech=auto -- spin"

# ringside run: the embedded i386 kernel on ringside's own x86 core, with int $0x80 (the core
# runs 32-bit protected mode; its CPU profiles do not report SEP yet, so auto means int80 there).
for prog in hello syscall_loop bad_pointer unknown_syscall syscalls; do
    expect 0 "" -- "$RINGSIDE" run --mech=int80 "$GUEST_DIR/i386_$prog.elf"
done
expect 0 "hello from i386: argc=3" -- "$RINGSIDE" run "$HELLO" a b
expect 0 "syscalls: done" -- "$RINGSIDE" run --mech=int80 "$GUEST_DIR/i386_syscalls.elf"
expect 42 "exit: calling exit(42)" -- "$RINGSIDE" run --mech=int80 "$GUEST_DIR/i386_exit.elf"
expect 139 "killed: pid 1: page fault (error 0x7) at va 0x80000000" -- \
    "$RINGSIDE" run --mech=int80 "$GUEST_DIR/i386_segfault.elf"
expect 132 "killed: pid 1: invalid opcode (#UD)" -- \
    "$RINGSIDE" run --mech=int80 "$GUEST_DIR/i386_illegal.elf"

finish
