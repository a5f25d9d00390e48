#!/bin/bash
# Emulated MIPS of a system-call-heavy workload: the guest kernel and a user program under
# ringside and under QEMU (system emulation, TCG), in the same run on the same machine.
#
#   bench/kernel_qemu.sh [BUILD_DIR [RUNS [N]]]
#
# Workload: guests/syscall_loop.c, N getpid calls (default 300000) under the embedded guest kernel
# of each architecture (riscv64: ecall, the xv6-style trampoline with a satp switch and sfence.vma
# each way; x86_64: syscall/sysretq with swapgs). riscv_mips.sh and x86_mips.sh measure
# compute-bound loops, where a translating emulator is at its best; this one measures the
# crossing that ringside is about.
#
# ringside: `ringside run PROG N` (the timing model attached, as always), instructions from
# --report=json. QEMU: `qemu-system-riscv64 -machine virt -bios none` or `qemu-system-x86_64`
# with `-kernel K -initrd PROG -append "mech=M -- syscall-loop N"`, the same kernel file; QEMU
# executes the same guest instructions (the kernel and program are deterministic), and its
# start-up is taken away by timing the same command with N = 1. CPU time (user + system), median
# of RUNS runs (default 3).
set -euo pipefail
BUILD=${1:-build}
RUNS=${2:-3}
N=${3:-300000}
RINGSIDE=$BUILD/ringside
G=$BUILD/guest

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
TIMEFILE=$(mktemp)
trap 'rm -f "$TIMEFILE"' EXIT
cpu_time() { # RUNS command...: median CPU seconds
    local runs=$1
    shift
    for _ in $(seq "$runs"); do
        /usr/bin/time -o "$TIMEFILE" -f '%U %S' "$@" >/dev/null 2>&1 </dev/null || true
        awk '{print $1 + $2}' "$TIMEFILE"
    done | median
}

echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg); syscall-loop $N, median of $RUNS runs (CPU time)"
printf '%-8s %-9s %14s %10s %10s %10s %8s\n' arch mechanism instructions ringside-s ringside \
    qemu qemu/rs
for arch in riscv64 x86_64; do
    prog=$G/${arch}_syscall_loop.elf
    kernel=$G/kernel_$arch.elf
    case $arch in
    riscv64)
        mech=ecall
        qemu=(timeout 300 qemu-system-riscv64 -machine virt -bios none -nographic -monitor none)
        ;;
    x86_64)
        mech=syscall
        qemu=(timeout 300 qemu-system-x86_64 -display none -serial stdio -monitor none
            -device isa-debug-exit,iobase=0xf4,iosize=0x04)
        ;;
    esac
    insns=$("$RINGSIDE" run --mech=$mech --report=json "$prog" "$N" 2>&1 >/dev/null |
        sed -n 's/.*"instructions": \([0-9]*\).*/\1/p')
    t_rs=$(cpu_time "$RUNS" "$RINGSIDE" run --mech=$mech "$prog" "$N")
    rs_mips=$(python3 -c "print('%.1f' % ($insns / $t_rs / 1e6))")
    q_mips=-
    ratio=-
    if command -v "${qemu[2]}" >/dev/null; then
        t_q=$(cpu_time "$RUNS" "${qemu[@]}" -kernel "$kernel" -initrd "$prog" \
            -append "mech=$mech -- syscall-loop $N")
        t_q1=$(cpu_time "$RUNS" "${qemu[@]}" -kernel "$kernel" -initrd "$prog" \
            -append "mech=$mech -- syscall-loop 1")
        insns1=$("$RINGSIDE" run --mech=$mech --report=json "$prog" 1 2>&1 >/dev/null |
            sed -n 's/.*"instructions": \([0-9]*\).*/\1/p')
        read -r q_mips ratio < <(python3 -c "
d = max($t_q - $t_q1, 1e-3)
q = ($insns - $insns1) / d / 1e6
print('%.1f %.2f' % (q, q / $rs_mips))")
    fi
    printf '%-8s %-9s %14s %10s %10s %10s %8s\n' "$arch" "$mech" "$insns" "$t_rs" "$rs_mips" \
        "$q_mips" "$ratio"
done
echo "ringside and qemu columns: MIPS; qemu/rs: QEMU's MIPS over ringside's (below 1: ringside is faster)"
