#!/bin/bash
# The x86_64 guest kernel (src/kernel/x86_64, an ELF32 container with a 32-bit Multiboot stub) and
# the x86_64 user programs (guests/) under qemu-system-x86_64: every program under each mechanism
# the kernel offers, compared with qemu-x86_64 (user mode) and with the host's Linux (the programs
# are ordinary static x86-64 executables):
#   syscall   on QEMU's default CPU (qemu64, vendor AuthenticAMD) and on an Intel one;
#   int80     the i386 compat ABI from 64-bit code (the guest libc speaks it when the vsyscall
#             page says so), on both;
#   sysenter  from 64-bit code, on an Intel CPU only (-cpu qemu64,vendor=GenuineIntel): QEMU's TCG
#             takes the vendor string to decide, as the vendors' manuals do for 64-bit mode;
#             on the AMD one the kernel refuses the mechanism (126) and a program that executes
#             SYSENTER anyway gets #UD: 132, as natively on an AMD host.
# Skipped (77) without QEMU.
. "$(dirname "$0")/lib.sh" "$@"
command -v qemu-system-x86_64 >/dev/null && command -v qemu-x86_64 >/dev/null || {
    echo "QEMU not installed: skipped"; exit 77; }
ARCH=x86_64
KERNEL=$GUEST_DIR/kernel_x86_64.elf
QEMU_USER=qemu-x86_64
[ -f "$KERNEL" ] || { echo "FAIL: $KERNEL is not built"; exit 1; }
. "$(dirname "$0")/x86_kernel_lib.inc"
NATIVE=0
NATIVE_PREFIX=
if [ "$(uname -m)" = x86_64 ]; then NATIVE=1
else echo "note: the host is not x86-64: native comparisons skipped"; fi
INTEL="-cpu qemu64,vendor=GenuineIntel"

# the kernel file QEMU's Multiboot loader takes: ELF32, EM_386, x86-64 code inside
expect 0 "ELF32" -- readelf -h "$KERNEL"
expect 0 "Intel 80386" -- readelf -h "$KERNEL"

every_program syscall
every_program int80
QOPTS=$INTEL every_program syscall
QOPTS=$INTEL every_program int80
QOPTS=$INTEL every_program sysenter

# arch_prctl(ARCH_SET_FS): the x86-64 ABI only (the compat ABI has no such call)
same 0 syscall fsbase
has "arch_prctl(ARCH_SET_FS) = 0, %fs:0 = 0x5eed"
has "the base is the variable: yes"
has "arch_prctl(0x1234) = -22"
QOPTS=$INTEL same 0 sysenter fsbase

HELLO=$GUEST_DIR/x86_64_hello.elf
expect "$(qstatus 0)" "non-Intel CPU, mech auto: vsyscall uses syscall" -- \
    sys "$HELLO" "verbose mech=auto -- hello"
expect "$(qstatus 0)" "Intel CPU, mech sysenter: vsyscall uses sysenter" -- \
    sys "$HELLO" "verbose mech=sysenter -- hello" $INTEL
expect "$(qstatus 0)" "vsyscall uses int \$0x80 (i386 compat ABI)" -- \
    sys "$HELLO" "verbose mech=int80 -- hello"
expect "$(qstatus 0)" "thread (KERNEL_GS_BASE) 0xffffffff8" -- sys "$HELLO" "verbose -- hello"
# a named Intel model: the same (QEMU warns on stderr about features TCG lacks; not compared)
expect "$(qstatus 0)" "hello from x86_64: argc=2" -- \
    sys "$HELLO" "mech=sysenter -- hello x" -cpu Skylake-Client

# sysenter on the AMD profile: the kernel says it is not there ...
expect "$(qstatus 126)" "kernel: mech=sysenter is not available: SYSENTER is invalid in 64-bit mode" -- \
    sys "$HELLO" "mech=sysenter -- hello"
# ... and a program that executes it anyway gets #UD: SIGILL (132), as on an AMD host
PROBE=$GUEST_DIR/x86_64_sysenter_probe.elf
for mech in syscall int80; do
    expect "$(qstatus 132)" "killed: pid 1: invalid opcode (#UD) at rip 0x" -- \
        sys "$PROBE" "mech=$mech -- sysenter-probe"
    # on Intel the kernel answers it whichever mechanism the vsyscall page uses
    expect "$(qstatus 0)" "sysenter-probe: getpid through sysenter = 1" -- \
        sys "$PROBE" "mech=$mech -- sysenter-probe" $INTEL
done
if grep -q AuthenticAMD /proc/cpuinfo 2>/dev/null; then
    expect 132 "sysenter-probe: executing sysenter" -- native "$PROBE" sysenter-probe
fi

# A syscall whose return address (RCX) is not canonical: the kernel returns with IRETQ, not
# SYSRETQ (which would raise #GP in ring 0 on Intel). Real CPUs of both vendors then raise #GP(0) on
# the IRETQ itself (SDM Vol. 2A IRET; AMD APM Vol. 3 IRET), which the kernel blames on the program
# ("iretq #GP"); QEMU 7.2's TCG loads the RIP and faults on the fetch in ring 3. Either way:
# SIGSEGV (139). Linux never maps the page this needs (TASK_SIZE_MAX ends one page below 2^47):
# natively the program's mmap fails with -ENOMEM.
SYSRET=$GUEST_DIR/x86_64_sysret_noncanonical.elf
for cpu in "" "$INTEL"; do
    expect "$(qstatus 139)" "kernel: syscall returns to non-canonical rip 0x800000000000: iretq, not sysretq" -- \
        sys "$SYSRET" "mech=syscall -- sysret-noncanonical" $cpu
    expect "$(qstatus 139)" "killed: pid 1: general protection (vector 13, error 0x0) at rip 0x800000000000" -- \
        sys "$SYSRET" "mech=syscall -- sysret-noncanonical" $cpu
done
[ "$NATIVE" = 1 ] && expect 1 "sysret-noncanonical: mmap = -12" -- native "$SYSRET" sysret-noncanonical

expect "$(qstatus 126)" "kernel: mech=ecall does not exist on x86_64" -- sys "$HELLO" "mech=ecall -- hello"
expect "$(qstatus 126)" "kernel: no program: the boot loader passed no module" -- \
    timeout 30 qemu-system-x86_64 -display none -serial stdio -monitor none \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$KERNEL" -append "-- hello" </dev/null
expect "$(qstatus 126)" "cannot run i386: not a 64-bit ELF file" -- \
    sys "$GUEST_DIR/i386_hello.elf" "-- i386"
expect "$(qstatus 126)" "cannot run x: not an executable for x86_64 (e_machine)" -- \
    sys "$GUEST_DIR/riscv64_hello.elf" "-- x"
expect "$(qstatus 126)" "cannot run x: segment outside the user address space" -- \
    sys "$(patch "$HELLO" 80 00 00 00 80 ff ff ff ff)" "-- x" # p_vaddr at KERNBASE
expect "$(qstatus 125)" "kernel fault: vector 14 (page fault) error 0x0 rip 0xffffffff8" -- \
    sys "$HELLO" "kfault -- hello"
expect "$(qstatus 125)" "the kernel stack's guard page (stack overflow)" -- sys "$HELLO" "kfault -- hello"
expect 124 "spin: looping forever" -- timeout 3 qemu-system-x86_64 -display none -serial stdio \
    -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$KERNEL" \
    -initrd "$GUEST_DIR/x86_64_spin.elf" -append "mech=auto -- spin"

finish
