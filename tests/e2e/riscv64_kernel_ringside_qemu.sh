#!/bin/bash
# ringside against QEMU on the same guest kernel and programs: `ringside run PROG ARGS` prints
# exactly what `qemu-system-riscv64 -machine virt -bios none -kernel K -initrd PROG -append ARGS`
# prints (the console, including the kernel's own lines) and ends with the same status, and the
# program's own output is the same as under `qemu-riscv64` (user mode, Linux). Skipped (77) when
# QEMU is missing; riscv64_kernel_ringside.sh checks ringside alone.
. "$(dirname "$0")/lib.sh" "$@"

command -v qemu-system-riscv64 >/dev/null && command -v qemu-riscv64 >/dev/null || {
    echo "QEMU not installed: skipped"; exit 77; }
KERNEL=$GUEST_DIR/kernel_riscv64.elf
[ -f "$KERNEL" ] || { echo "FAIL: $KERNEL is not built"; exit 1; }

# The kernel command line ringside writes (src/main.c build_cmdline): `mech=auto [APPEND] --`,
# then each argument after a space, with a backslash before a space, tab, newline, double quote or
# backslash.
cmdline() {
    local out="mech=auto$APPEND --" arg i c
    for arg in "$@"; do
        out+=" "
        for ((i = 0; i < ${#arg}; i++)); do
            c=${arg:i:1}
            case $c in ' ' | $'\t' | $'\n' | '"' | '\') out+="\\$c" ;; *) out+=$c ;; esac
        done
    done
    printf '%s' "$out"
}

# Where the boot loader puts the device tree and the initrd is its own choice (QEMU and ringside
# choose different addresses), and the kernel's `verbose` summary prints them: those two
# addresses are left out of the comparison.
boot_neutral() {
    printf '%s\n' "$1" | sed 's/, device tree 0x[0-9a-f]*, initrd 0x[0-9a-f.x]*$/, (boot loader placement)/'
}

# same STATUS PROG [ARGS...]: ringside, qemu-system and qemu-user agree (argv[0] is the file's
# path in all three, as ringside passes it).
same() {
    local want=$1 file=$GUEST_DIR/riscv64_${2//-/_}.elf
    shift 2
    local rs_out rs_status sys_out sys_status user_out user_status
    rs_out=$(timeout 60 "$RINGSIDE" run ${APPEND:+--append="${APPEND# }"} "$file" "$@" \
        2>/dev/null </dev/null)
    rs_status=$?
    sys_out=$(timeout 30 qemu-system-riscv64 -machine virt -bios none -nographic -monitor none \
        -kernel "$KERNEL" -initrd "$file" -append "$(cmdline "$file" "$@")" 2>&1 </dev/null)
    sys_status=$?
    user_out=$(env -i timeout 30 qemu-riscv64 -0 "$file" "$file" "$@" 2>/dev/null </dev/null)
    user_status=$?
    checks=$((checks + 1))
    if [ "$rs_status" -ne "$want" ] || [ "$sys_status" -ne "$want" ]; then
        echo "FAIL: $file $*: exit $rs_status (ringside) / $sys_status (qemu-system), expected $want"
        failures=$((failures + 1))
    elif [ "$(boot_neutral "$rs_out")" != "$(boot_neutral "$sys_out")" ]; then
        echo "FAIL: $file $*: ringside and qemu-system print different things"
        diff <(boot_neutral "$rs_out") <(boot_neutral "$sys_out") | sed 's/^/    /'
        failures=$((failures + 1))
    fi
    [ -n "$APPEND" ] && return # kernel options have no qemu-user counterpart
    checks=$((checks + 1))
    if [ "$user_status" -ne "$want" ]; then
        echo "FAIL: $file $*: exit $user_status under qemu-user, expected $want"
        failures=$((failures + 1))
    elif [ "$(printf '%s\n' "$rs_out" | grep -v '^killed: ')" != "$user_out" ]; then
        echo "FAIL: $file $*: ringside and qemu-user print different things"
        diff <(printf '%s\n' "$rs_out" | grep -v '^killed: ') <(printf '%s\n' "$user_out") |
            sed 's/^/    /'
        failures=$((failures + 1))
    fi
}

APPEND=""
same 0 hello
same 0 hello one two three
same 0 hello 'with space' $'tab\there' 'double"quote' 'back\slash' '' $'new\nline' '\ \\'
same 0 syscall-loop 1000
same 0 syscall-loop 0
same 0 bad-pointer
same 0 unknown-syscall
same 0 syscalls
same 42 exit
same 139 segfault
same 132 illegal
# Kernel options: the boot summary, and the kernel fault.
APPEND=" verbose"
same 0 hello x
APPEND=" kfault"
same 125 hello

finish
