#!/bin/bash
# The x86 guest kernels (src/kernel/i386, src/kernel/x86_64) on ringside's own x86 core: every
# guest program under every mechanism the CPU profile offers (issue 9 "Done when"), on both
# profiles, with the expected output of the QEMU scripts (x86_kernel_lib.inc's every_program) and,
# where qemu-user is installed, the same output as the program under qemu-user:
#   i386:    int80, sysenter, auto (SEP is reported: sysenter) on --cpu=intel and --cpu=amd;
#   x86_64:  syscall, int80 (the i386 compat ABI from 64-bit code) on both; sysenter on Intel.
# On AMD, --mech=sysenter on x86_64 is refused by the kernel (126), and a program that executes
# SYSENTER in 64-bit mode anyway gets #UD (132) (AMD APM Vol. 3 SYSENTER: #UD in long mode).
# Then --trace=syscalls: each mechanism's crossing and its return (syscall -> sysret, sysenter ->
# sysexit, int -> iret).
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/x86_kernel_lib.inc"

# same STATUS MECH PROG [ARGS...] (replaces the QEMU version of x86_kernel_lib.inc): PROG ends
# with STATUS under `ringside run --cpu=$CPU --mech=MECH`, and, with qemu-user, prints what it
# prints there (the kernel's "killed: ..." lines left out). argv[0] is the file, as ringside
# passes it. Leaves the output in $OUT.
same() {
    local want=$1 mech=$2 prog=$3
    shift 3
    local file=$GUEST_DIR/${ARCH}_${prog//-/_}.elf status ref_out ref_status kout
    OUT=$(timeout 60 "$RINGSIDE" run --cpu="$CPU" --mech="$mech" "$file" "$@" 2>&1 </dev/null)
    status=$?
    checks=$((checks + 1))
    if [ "$status" -ne "$want" ]; then
        echo "FAIL: $ARCH $prog $* (--cpu=$CPU --mech=$mech): exit $status, expected $want"
        echo "$OUT" | sed 's/^/    /'
        failures=$((failures + 1))
        return
    fi
    [ -n "$QEMU_USER" ] || return
    ref_out=$(user "$file" "$file" "$@" 2>/dev/null)
    ref_status=$?
    kout=$(printf '%s\n' "$OUT" | grep -v '^killed: ')
    checks=$((checks + 1))
    if [ "$ref_status" -ne "$want" ]; then
        echo "FAIL: $ARCH $prog $*: qemu-user exit $ref_status, expected $want"
        failures=$((failures + 1))
    elif [ "$kout" != "$ref_out" ]; then
        echo "FAIL: $ARCH $prog $* (--cpu=$CPU --mech=$mech): output differs from qemu-user"
        diff <(printf '%s\n' "$kout") <(printf '%s\n' "$ref_out") | sed 's/^/    /'
        failures=$((failures + 1))
    fi
}

# like REGEX TEXT: a line of TEXT matches the extended regular expression
like() {
    checks=$((checks + 1))
    if ! printf '%s\n' "$2" | grep -qE -- "$1"; then
        echo "FAIL: no line matches '$1'"; printf '%s\n' "$2" | sed 's/^/    /'
        failures=$((failures + 1))
    fi
}
# trace CPU MECH PROG: the --trace=syscalls lines of PROG (stderr only)
trace() { "$RINGSIDE" run --cpu="$1" --mech="$2" --trace=syscalls "$3" 2>&1 >/dev/null; }

for CPU in intel amd; do
    # ---- i386 ----
    ARCH=i386
    QEMU_USER=$(command -v qemu-i386)
    for mech in int80 sysenter; do every_program $mech; done
    HELLO=$GUEST_DIR/i386_hello.elf
    expect 0 "SEP yes, mech auto: vsyscall uses sysenter" -- \
        "$RINGSIDE" run --cpu=$CPU --append=verbose "$HELLO"
    t=$(trace $CPU sysenter "$HELLO")
    like '^\[i386 sysenter\] write\(1, 0x[0-9a-f]+, 24\) = 24 -> sysexit   entry 1 / kernel [0-9]+ / exit 1 insns' "$t"
    like '^\[i386 sysenter\] exit_group\(0\) = \?' "$t"
    t=$(trace $CPU int80 "$HELLO")
    like '^\[i386 int\] write\(1, 0x[0-9a-f]+, 24\) = 24 -> iret ' "$t"

    # ---- x86_64 ----
    ARCH=x86_64
    QEMU_USER=$(command -v qemu-x86_64)
    every_program syscall
    every_program int80
    same 0 syscall fsbase
    has "arch_prctl(ARCH_SET_FS) = 0, %fs:0 = 0x5eed"
    HELLO=$GUEST_DIR/x86_64_hello.elf
    PROBE=$GUEST_DIR/x86_64_sysenter_probe.elf
    t=$(trace $CPU syscall "$HELLO")
    like '^\[x86_64 syscall\] write\(1, 0x[0-9a-f]+, 26\) = 26 -> sysret   entry 1 / kernel [0-9]+ / exit 1 insns' "$t"
    like '^\[x86_64 syscall\] exit_group\(0\) = \?' "$t"
    t=$(trace $CPU int80 "$HELLO")
    like '^\[i386 int\] write\(1, 0x[0-9a-f]+, 26\) = 26 -> iret ' "$t"
    if [ $CPU = intel ]; then
        every_program sysenter
        same 0 sysenter fsbase
        expect 0 "Intel CPU, mech sysenter: vsyscall uses sysenter" -- \
            "$RINGSIDE" run --cpu=$CPU --mech=sysenter --append=verbose "$HELLO"
        # the crossing and its return; the log decodes sysenter with the i386 ABI (Linux's),
        # where this kernel's 64-bit sysenter uses x86-64 numbers, so no name is checked here
        like '^\[i386 sysenter\] .* -> sysexit   entry 1 / kernel [0-9]+ / exit 1 insns' \
            "$(trace $CPU sysenter "$HELLO")"
        for mech in syscall int80; do
            expect 0 "sysenter-probe: getpid through sysenter = 1" -- \
                "$RINGSIDE" run --cpu=$CPU --mech=$mech "$PROBE"
        done
    else
        expect 126 "kernel: mech=sysenter is not available: SYSENTER is invalid in 64-bit mode" -- \
            "$RINGSIDE" run --cpu=$CPU --mech=sysenter "$HELLO"
        for mech in syscall int80; do
            expect 132 "killed: pid 1: invalid opcode (#UD) at rip 0x" -- \
                "$RINGSIDE" run --cpu=$CPU --mech=$mech "$PROBE"
        done
    fi
    # SYSRETQ would fault in ring 0 (Intel) with a non-canonical RCX: the kernel returns with
    # IRETQ, which raises #GP(0) for a non-canonical RIP on both vendors; the program gets SIGSEGV
    SYSRET=$GUEST_DIR/x86_64_sysret_noncanonical.elf
    expect 139 "kernel: syscall returns to non-canonical rip 0x800000000000: iretq, not sysretq" -- \
        "$RINGSIDE" run --cpu=$CPU --mech=syscall "$SYSRET"
done

finish
