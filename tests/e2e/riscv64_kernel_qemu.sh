#!/bin/bash
# The riscv64 guest kernel (src/kernel) and the user programs (guests/) under QEMU:
#   - the kernel boots under `qemu-system-riscv64 -machine virt -bios none -kernel K -initrd P
#     -append ARGS` (the platform ringside emulates), runs each program, and QEMU exits with the
#     status the kernel writes to the SiFive test finisher (the program's status, 128 + signal for
#     a killed program, 125 for a kernel fault, 126 for a program the kernel refuses to run);
#   - the same programs run under `qemu-riscv64` (user mode, the Linux ABI) with the same output.
# Skipped (77) when QEMU is not installed. Every QEMU run has a timeout.
. "$(dirname "$0")/lib.sh" "$@"

command -v qemu-system-riscv64 >/dev/null && command -v qemu-riscv64 >/dev/null || {
    echo "QEMU not installed: skipped"; exit 77; }
KERNEL=$GUEST_DIR/kernel_riscv64.elf
[ -f "$KERNEL" ] || { echo "FAIL: $KERNEL is not built"; exit 1; }

# The kernel command line ringside writes (src/main.c build_cmdline): `mech=auto --`, then each
# argument after a space, with a backslash before a space, tab, newline, double quote or backslash.
cmdline() {
    local out="mech=auto --" arg i c
    for arg in "$@"; do
        out+=" "
        for ((i = 0; i < ${#arg}; i++)); do
            c=${arg:i:1}
            case $c in ' ' | $'\t' | $'\n' | '"' | '\') out+="\\$c" ;; *) out+=$c ;; esac
        done
    done
    printf '%s' "$out"
}

# sys FILE CMDLINE: boots the kernel with FILE as initrd; the console on stdout.
sys() {
    timeout 30 qemu-system-riscv64 -machine virt -bios none -nographic -monitor none \
        -kernel "$KERNEL" -initrd "$1" -append "$2" </dev/null
}
# user FILE ARGV...: FILE under qemu-user with argv[0] = ARGV[0] and an empty environment.
user() {
    local file=$1 argv0=$2
    shift 2
    env -i timeout 30 qemu-riscv64 -0 "$argv0" "$file" "$@" </dev/null
}

# same STATUS PROG [ARGS...]: the program (build/guest/riscv64_<PROG with _ for ->.elf) ends with
# STATUS under both QEMUs, with the same output; the kernel's own lines ("killed: ...") are left out
# of the comparison, qemu-user's messages on stderr too. Leaves the kernel run's output in $OUT.
same() {
    local want=$1 prog=$2
    shift 2
    local file=$GUEST_DIR/riscv64_${prog//-/_}.elf sys_status user_status user_out
    OUT=$(sys "$file" "$(cmdline "$prog" "$@")" 2>&1)
    sys_status=$?
    user_out=$(user "$file" "$prog" "$@" 2>/dev/null)
    user_status=$?
    checks=$((checks + 1))
    if [ "$sys_status" -ne "$want" ] || [ "$user_status" -ne "$want" ]; then
        echo "FAIL: $prog $*: exit $sys_status (kernel) / $user_status (qemu-user), expected $want"
        echo "$OUT" | sed 's/^/    /'
        failures=$((failures + 1))
    elif [ "$(printf '%s\n' "$OUT" | grep -v '^killed: ')" != "$user_out" ]; then
        echo "FAIL: $prog $*: output differs between the kernel and qemu-user"
        diff <(printf '%s\n' "$OUT" | grep -v '^killed: ') <(printf '%s\n' "$user_out") |
            sed 's/^/    /'
        failures=$((failures + 1))
    fi
}

# has 'substring': the last same() run's kernel output contains it.
has() {
    checks=$((checks + 1))
    if ! printf '%s' "$OUT" | grep -qF -- "$1"; then
        echo "FAIL: output lacks '$1'"; echo "$OUT" | sed 's/^/    /'
        failures=$((failures + 1))
    fi
}

# hello: argv from the command line, with every character ringside escapes, and an empty argument.
same 0 hello
has "hello from riscv64: argc=1"
has "argv[0]=hello"
same 0 hello one two three
has "argv[3]=three"
same 0 hello 'with space' $'tab\there' 'double"quote' 'back\slash' '' $'new\nline' '\ \\'
has "argc=8"
has "argv[1]=with space"
has 'argv[4]=back\slash'
has "argv[5]="$'\n'"argv[6]=new"

# syscall-loop: N getpid round trips.
same 0 syscall-loop 1000
has "syscall-loop: 1000 getpid calls, 1000 with the same pid"
same 0 syscall-loop 0
has "syscall-loop: 0 getpid calls"

# bad-pointer: kernel, unmapped and read-only pointers give -EFAULT (14); the kernel survives.
same 0 bad-pointer
has "write(kernel ptr 0x80000000) = -14"
has "write(kernel ptr 0xffffffc000000000) = -14"
has "write(unmapped ptr 0x1000) = -14"
has "read(0, read-only ptr: main) = -14"
has "writev(1, kernel iov array) = -14"
has "bad-pointer: the kernel survived"

# unknown-syscall: -ENOSYS (38), also for numbers far past the table.
same 0 unknown-syscall
has "syscall(999) = -38"
has "syscall(100000) = -38"

# syscalls: the initial stack, auxv, brk, clock_gettime, uname, ioctl (-ENOTTY), writev.
same 0 syscalls
has "AT_PAGESZ = 4096"
has "AT_ENTRY is _start: yes"
has "brk grows by 10000: yes"
has "ioctl(1, TCGETS) = -25"
has "syscalls: done"

# exit(42) is the run's status.
same 42 exit
has "exit: calling exit(42)"

# Faults in user mode kill the program with 128 + signal, and the kernel says why.
same 139 segfault
has "segfault: storing to kernel address 0x80000000"
has "killed: pid 1: page fault (scause 15) at va 0x80000000 pc 0x"
same 132 illegal
has "killed: pid 1: illegal instruction (scause 2)"

# A program that never ends runs until the timeout (124 from timeout(1)).
expect 124 "spin: looping forever" -- timeout 3 qemu-system-riscv64 -machine virt -bios none \
    -nographic -monitor none -kernel "$KERNEL" -initrd "$GUEST_DIR/riscv64_spin.elf" \
    -append "mech=auto -- spin"

# The kernel's options: mech=ecall is riscv64's one mechanism; verbose prints the layout.
HELLO=$GUEST_DIR/riscv64_hello.elf
expect 0 "argv[1]=x" -- sys "$HELLO" "mech=ecall -- hello x"
expect 0 "trampoline 0x3ffffff000, trapframe 0x3fffffe000" -- sys "$HELLO" "verbose mech=auto -- hello"
# A fault in the kernel (kfault: a load from the kernel stack's guard page) is reported: 125.
expect 125 "kernel fault: scause 0xd (load page fault) sepc 0x" -- sys "$HELLO" "kfault -- hello"
expect 125 "the kernel stack's guard page (stack overflow)" -- sys "$HELLO" "kfault -- hello"

# The kernel and the programs need no compressed or floating-point instructions (ringside's first
# RISC-V core has neither), and the kernel boots on a hart without PMP.
expect 0 "syscalls: done" -- timeout 30 qemu-system-riscv64 -cpu rv64,c=false,f=false,d=false \
    -machine virt -bios none -nographic -monitor none -kernel "$KERNEL" \
    -initrd "$GUEST_DIR/riscv64_syscalls.elf" -append "mech=auto -- syscalls" </dev/null
expect 0 "PMP absent" -- timeout 30 qemu-system-riscv64 -cpu rv64,pmp=false -machine virt \
    -bios none -nographic -monitor none -kernel "$KERNEL" -initrd "$HELLO" \
    -append "verbose -- hello" </dev/null
expect 0 "syscalls: done" -- timeout 30 qemu-riscv64 -cpu rv64,c=false,f=false,d=false \
    "$GUEST_DIR/riscv64_syscalls.elf"

# What the kernel refuses to run: one line saying why, status 126.
expect 126 "kernel: mech=syscall does not exist on riscv64" -- sys "$HELLO" "mech=syscall -- hello"
expect 126 "kernel: no program: the boot loader passed no initrd" -- timeout 30 \
    qemu-system-riscv64 -machine virt -bios none -nographic -monitor none -kernel "$KERNEL" \
    -append "mech=auto -- hello" </dev/null
printf 'hello, world\n' > "$WORK/text"
expect 126 "kernel: cannot run text: not an ELF file (bad magic)" -- sys "$WORK/text" "mech=auto -- text"
expect 126 "not a 64-bit ELF file" -- sys "$GUEST_DIR/i386_multiboot_hello.elf" "mech=auto -- x"
# patch FILE OFFSET BYTES...: a copy of hello with little-endian bytes written at OFFSET.
patch() {
    local out=$WORK/$1 offset=$2 bytes=""
    shift 2
    for b in "$@"; do bytes+="\\x$b"; done
    cp "$HELLO" "$out"
    printf '%b' "$bytes" | dd of="$out" bs=1 seek="$offset" conv=notrunc status=none
    printf '%s' "$out"
}
expect 126 "not an executable for riscv64 (e_machine)" -- sys "$(patch machine 18 3e 00)" "-- x"
expect 126 "not a static executable (e_type is not ET_EXEC)" -- sys "$(patch type 16 03 00)" "-- x"
expect 126 "program header table outside the file" -- \
    sys "$(patch phoff 32 00 00 00 01 00 00 00 00)" "-- x"
expect 126 "entry point outside every executable segment" -- \
    sys "$(patch entry 24 00 20 01 00 00 00 00 00)" "-- x"
# the first segment moved onto the trapframe page (0x3f_ffff_e000)
expect 126 "segment outside the user address space" -- \
    sys "$(patch vaddr 80 00 e0 ff ff 3f 00 00 00)" "-- x"
head -c 1000 "$HELLO" > "$WORK/truncated"
expect 126 "segment outside the file" -- sys "$WORK/truncated" "-- x"

finish
